//! Frame to pose: the keypoint types, pre-processing and the ONNX model.

pub mod keypoints;
pub mod model;
pub mod orient;
pub mod preprocess;
pub mod smooth;

pub use keypoints::{Joint, Keypoint, Pose, PoseRecord};

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
}

impl PoseStage for PoseModel {
    fn estimate(&mut self, frame: &image::RgbImage) -> Result<Pose, ModelError> {
        PoseModel::estimate(self, frame)
    }
    fn take_times(&mut self) -> StageTimes {
        PoseModel::take_times(self)
    }
}
pub use model::{ModelError, ModelOptions, PoseModel, StageTimes};
