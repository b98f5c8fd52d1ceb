//! Frame to pose: the keypoint types, pre-processing and the ONNX model.

pub mod blazepose;
pub mod keypoints;
pub mod model;
pub mod orient;
pub mod overlay;
pub mod preprocess;
pub mod silhouette;
pub mod smooth;

pub use keypoints::{Back, Joint, Keypoint, Pose, PoseRecord};

/// Anything that turns a frame into a pose: the model with plain (letterboxed) input, the
/// orientation-aware estimator, or in tests a deliberately slow one.
pub trait PoseStage: Send {
    fn estimate(&mut self, frame: &image::RgbImage) -> Result<Pose, ModelError>;
    /// Forget earlier frames: an unrelated image follows.
    fn reset(&mut self) {}
    /// Time spent in the model since the last call, by stage (zero for a stage without a model).
    fn take_times(&mut self) -> StageTimes {
        StageTimes::default()
    }
    /// Whether the frames to come need the back read (`Pose::back`), which costs a stage that reads it a
    /// second model run: asked by what judges the poses, on by default.
    fn want_back(&mut self, _wanted: bool) {}
    /// Gives the model more threads, for a loop that has fallen behind its camera; false when it cannot.
    fn widen(&mut self) -> Result<bool, ModelError> {
        Ok(false)
    }
}

impl PoseStage for PoseModel {
    fn estimate(&mut self, frame: &image::RgbImage) -> Result<Pose, ModelError> {
        PoseModel::estimate(self, frame)
    }
    fn take_times(&mut self) -> StageTimes {
        PoseModel::take_times(self)
    }
    fn widen(&mut self) -> Result<bool, ModelError> {
        PoseModel::widen(self)
    }
}
/// A stage's main model run bare on a fixed input: the baseline `bench` and `models` time.
pub trait BareInference {
    /// Fills the model's input from `frame`, letterboxed.
    fn prepare_bare(&mut self, frame: &image::RgbImage);
    /// Runs the model on that input, nothing else.
    fn infer_bare(&mut self) -> Result<(), ModelError>;
    /// What the baseline is, as `bench` names it.
    fn bare_label(&self) -> &'static str {
        "inference, bare (baseline)"
    }
}

impl BareInference for PoseModel {
    fn prepare_bare(&mut self, frame: &image::RgbImage) {
        let map = preprocess::InputMap::letterbox(frame.width(), frame.height(), self.input_size());
        self.prepare(frame, &map);
    }
    fn infer_bare(&mut self) -> Result<(), ModelError> {
        self.infer().map(|_| ())
    }
}

/// BlazePose's baseline is its landmark model alone: the one run per frame while it tracks.
impl BareInference for blazepose::BlazePose {
    fn prepare_bare(&mut self, frame: &image::RgbImage) {
        blazepose::BlazePose::prepare_bare(self, frame)
    }
    fn infer_bare(&mut self) -> Result<(), ModelError> {
        blazepose::BlazePose::infer_bare(self)
    }
    fn bare_label(&self) -> &'static str {
        "landmark model bare (baseline)"
    }
}

pub use model::{ModelError, ModelOptions, PoseModel, StageTimes};
