//! The pose model: an ONNX file run through ONNX Runtime, MoveNet's I/O convention
//! (input NHWC square RGB 0-255, int32 or float32; output [1,1,17,3] of (y, x, score) in 0..1).

use std::path::{Path, PathBuf};

use image::RgbImage;
use ort::session::{builder::GraphOptimizationLevel, Session};
use ort::value::{TensorElementType, TensorRef};
use sha2::{Digest, Sha256};

use super::keypoints::{Keypoint, Pose};
use super::preprocess::{fill_tensor, input_tensor, sample_into, InputMap, InputTensor};
use crate::runtime::{self, RuntimeError};

/// A pose model that ships in `models/`, chosen by name (`--model thunder`); its sha256 is checked at load.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Shipped {
    pub name: &'static str,
    pub file: &'static str,
    pub sha256: &'static str,
    pub about: &'static str,
    /// BlazePose only: the person detector run before `file` (the landmark model), and its sha256.
    pub detector: Option<&'static str>,
    pub detector_sha256: Option<&'static str>,
    /// BlazePose only: the landmark model's segmentation decoder, split off it (models/README.md), and its sha256.
    pub segmentation: Option<&'static str>,
    pub segmentation_sha256: Option<&'static str>,
}

impl Shipped {
    /// A two-model BlazePose pipeline (detector, then landmarks) rather than a MoveNet-style single model.
    pub fn is_blazepose(&self) -> bool {
        self.detector.is_some()
    }
}

/// The shipped models, fastest first. Provenance, licences and how each was made: models/README.md.
pub const SHIPPED: [Shipped; 3] = [
    Shipped {
        name: "lightning",
        file: "movenet-singlepose-lightning.onnx",
        sha256: "f9c0eb8f4439340344b337bb5b69b9b8663528879d9890fe161aff10646e729b",
        about: "MoveNet SinglePose Lightning, 192x192: the fastest; for slow machines",
        detector: None,
        detector_sha256: None,
        segmentation: None,
        segmentation_sha256: None,
    },
    Shipped {
        name: "thunder",
        file: "movenet-singlepose-thunder-fp16w.onnx",
        sha256: "fac0a1cd2e5b802f4c96c049bcb05ee80f4527e24f5ca357b5d5e8bdcd53a29f",
        about: "MoveNet SinglePose Thunder, 256x256: more accurate than Lightning, about 3x its inference time",
        detector: None,
        detector_sha256: None,
        segmentation: None,
        segmentation_sha256: None,
    },
    Shipped {
        name: "blazepose-full",
        file: "blazepose-landmark-full-body-fp16w.onnx",
        sha256: "48f4d444c7b8b88b5cce9fc8c75d2f3638bf457a316d203ea1e75b3cafb2222e",
        about: "MediaPipe BlazePose Full: a person detector (224x224, when the person is lost), then 33 landmarks in a 256x256 crop turned with the body, its silhouette only while the back is read; the most accurate here; timed: the whole landmark model",
        detector: Some("blazepose-detector-fp16w.onnx"),
        detector_sha256: Some("ba38a8b5701c7cc043a907d34938a9b5ab79144ccec51da533fd96353ccbafce"),
        segmentation: Some("blazepose-segmentation-full-fp16w.onnx"),
        segmentation_sha256: Some("696f15ca09091c50a4c46fbcb6c4951f1a19693129617b96aa99cea114345061"),
    },
];

/// The model used unless --model says otherwise (README "Pose models" has the measurements behind it).
pub const DEFAULT_MODEL: &str = SHIPPED[2].name;
/// The single MoveNet-style model used where one is needed and none is named (`--plain-input`, the plain
/// half of `eval-rotation`, `PoseModel::bundled`).
const DEFAULT_INDEX: usize = 1;

/// A shipped model by name.
pub fn shipped(name: &str) -> Option<&'static Shipped> {
    SHIPPED.iter().find(|m| m.name == name)
}

/// The default MoveNet-style model.
fn default_model() -> &'static Shipped {
    &SHIPPED[DEFAULT_INDEX]
}

pub const BUNDLED_MODEL_FILE: &str = SHIPPED[DEFAULT_INDEX].file;
pub const BUNDLED_MODEL_SHA256: &str = SHIPPED[DEFAULT_INDEX].sha256;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("pose model not found at {}.\nFix: run from the stretchcoach checkout (the models ship in models/), or pass --model with a model name (lightning, thunder, blazepose-full) or the path of an ONNX file", .0.display())]
    Missing(PathBuf),
    #[error("pose model {} could not be read: {source}", path.display())]
    Unreadable { path: PathBuf, source: std::io::Error },
    #[error("pose model {} is corrupt or not the shipped one: sha256 {found}, expected {expected}.\nFix: restore it with `git checkout -- models/` (models/README.md says how each model was made), or choose another with --model lightning|thunder|blazepose-full", path.display())]
    Checksum { path: PathBuf, expected: String, found: String },
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("ONNX Runtime could not load {}: {reason}", path.display())]
    Load { path: PathBuf, reason: String },
    #[error("{} is not a pose model this program understands: {reason}", path.display())]
    Signature { path: PathBuf, reason: String },
    #[error("inference failed: {0}")]
    Inference(String),
}

/// Where a shipped model file is: ./models, the checkout it was built from, or beside the executable.
pub fn model_path(file: &str) -> PathBuf {
    let mut dirs = vec![PathBuf::from("models"), Path::new(env!("CARGO_MANIFEST_DIR")).join("models")];
    if let Some(dir) = std::env::current_exe().ok().and_then(|e| e.parent().map(Path::to_path_buf)) {
        dirs.push(dir.join("models"));
    }
    let candidates: Vec<PathBuf> = dirs.into_iter().map(|d| d.join(file)).collect();
    candidates.iter().find(|p| p.exists()).unwrap_or(&candidates[1]).clone()
}

/// Where the default model is.
pub fn bundled_model_path() -> PathBuf {
    model_path(default_model().file)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum InputType {
    Int32,
    Float32,
}

/// How the model is asked to run. Two intra-op threads fill a 2-core laptop; one leaves a core to the rest.
#[derive(Debug, Clone, Copy)]
pub struct ModelOptions {
    pub threads: usize,
    /// Keep ONNX Runtime's worker threads spinning between runs. Flat out (a video, a benchmark) that is
    /// fastest; at a camera's pace they would spin through every gap between frames. Measured at 30 fps on
    /// 2 cores: 103% of a core with spinning, 23% without, for 4.6 vs 7.3 ms per frame.
    pub spin: bool,
    /// May be given more threads when it falls behind its camera: not when the user chose its threads.
    pub widen: bool,
}

impl ModelOptions {
    /// Every core (at most 4), resting between runs: for a loop that has fallen behind its camera. None when
    /// these options have that many threads already, or their threads were chosen.
    pub fn widened(&self) -> Option<ModelOptions> {
        let all = ModelOptions { spin: false, ..ModelOptions::default() };
        (self.widen && all.threads > self.threads).then_some(all)
    }
}

impl Default for ModelOptions {
    fn default() -> Self {
        let threads = std::thread::available_parallelism().map(|n| n.get().min(4)).unwrap_or(2);
        ModelOptions { threads, spin: false, widen: true }
    }
}

/// Time spent in the model since it was last asked (`take_times`): every pose stage is timed here, once.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StageTimes {
    pub prepare_ms: f64,
    pub infer_ms: f64,
    pub decode_ms: f64,
    /// Of decoding, the time spent on the silhouette (the back's outline and curve).
    pub silhouette_ms: f64,
    /// Model runs (the orientation-aware input runs it more than once when it has lost the person).
    pub runs: u32,
}

impl std::ops::AddAssign for StageTimes {
    /// Another model's runs counted in (BlazePose's MoveNet finder).
    fn add_assign(&mut self, other: StageTimes) {
        self.prepare_ms += other.prepare_ms;
        self.infer_ms += other.infer_ms;
        self.decode_ms += other.decode_ms;
        self.silhouette_ms += other.silhouette_ms;
        self.runs += other.runs;
    }
}

/// An ONNX Runtime session for `path`, with the sha256 checked when given: every model this program runs
/// (MoveNet, BlazePose's two) is loaded with the same settings.
pub fn load_session(path: &Path, expected_sha256: Option<&str>, options: ModelOptions) -> Result<Session, ModelError> {
    let bytes = std::fs::read(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => ModelError::Missing(path.to_path_buf()),
        _ => ModelError::Unreadable { path: path.to_path_buf(), source: e },
    })?;
    if let Some(expected) = expected_sha256 {
        let found = sha256_hex(&bytes);
        if found != expected {
            return Err(ModelError::Checksum { path: path.to_path_buf(), expected: expected.into(), found });
        }
    }
    let env = runtime::environment()?;
    let load_err = |reason: String| ModelError::Load { path: path.to_path_buf(), reason };
    Session::builder(env)
        .map_err(|e| load_err(e.to_string()))?
        .with_optimization_level(GraphOptimizationLevel::All)
        .map_err(|e| load_err(e.to_string()))?
        .with_intra_threads(options.threads.max(1))
        .map_err(|e| load_err(e.to_string()))?
        .with_intra_op_spinning(options.spin)
        .map_err(|e| load_err(e.to_string()))?
        .commit_from_memory(&bytes)
        .map_err(|e| load_err(e.to_string()))
}

pub struct PoseModel {
    times: StageTimes,
    session: Session,
    /// The file and its checksum, and how it runs: to load it again on more threads (`widen`).
    file: (PathBuf, Option<String>),
    options: ModelOptions,
    input_type: InputType,
    size: usize,
    rgb: Vec<u8>,
    /// The input tensor of the model's type (the other stays empty).
    input_i32: InputTensor<i32>,
    input_f32: InputTensor<f32>,
}

impl PoseModel {
    /// The default MoveNet-style model, checksum-verified.
    pub fn bundled(options: ModelOptions) -> Result<Self, ModelError> {
        Self::shipped(default_model(), options)
    }

    /// A shipped model, checksum-verified.
    pub fn shipped(model: &Shipped, options: ModelOptions) -> Result<Self, ModelError> {
        Self::load(&model_path(model.file), Some(model.sha256), options)
    }

    /// A model file; `expected_sha256` is checked when given.
    pub fn load(path: &Path, expected_sha256: Option<&str>, options: ModelOptions) -> Result<Self, ModelError> {
        let session = load_session(path, expected_sha256, options)?;
        let sig = |reason: String| ModelError::Signature { path: path.to_path_buf(), reason };
        let [input] = session.inputs() else {
            return Err(sig(format!("expected one input, found {}", session.inputs().len())));
        };
        let input_type = match input.dtype().tensor_type() {
            Some(TensorElementType::Int32) => InputType::Int32,
            Some(TensorElementType::Float32) => InputType::Float32,
            other => return Err(sig(format!("input must be an int32 or float32 tensor, found {other:?}"))),
        };
        let shape: Vec<i64> = input.dtype().tensor_shape().map(|s| s.to_vec()).unwrap_or_default();
        let size = match shape.as_slice() {
            [_, h, w, 3] if h == w && *h > 0 => *h as usize,
            // A dynamic-size MoveNet export: use the size it was trained at.
            [_, h, w, 3] if *h < 0 && *w < 0 => 192,
            _ => return Err(sig(format!("input must be NHWC [1, S, S, 3], found {shape:?}"))),
        };
        let out_shape: Vec<i64> =
            session.outputs().first().and_then(|o| o.dtype().tensor_shape().map(|s| s.to_vec())).unwrap_or_default();
        if out_shape.len() < 2 || out_shape[out_shape.len() - 2..] != [17, 3] {
            return Err(sig(format!("output must end in [17, 3] (y, x, score per COCO joint), found {out_shape:?}")));
        }
        Ok(PoseModel {
            times: StageTimes::default(),
            session,
            file: (path.to_path_buf(), expected_sha256.map(str::to_string)),
            options,
            input_type,
            size,
            rgb: vec![0; size * size * 3],
            input_i32: input_tensor(if input_type == InputType::Int32 { size } else { 0 }),
            input_f32: input_tensor(if input_type == InputType::Float32 { size } else { 0 }),
        })
    }

    /// Side of the model's square input in pixels.
    pub fn input_size(&self) -> usize {
        self.size
    }

    /// Loads the model again on every core (at most 4), resting between runs; false when it has them already.
    pub fn widen(&mut self) -> Result<bool, ModelError> {
        let Some(options) = self.options.widened() else { return Ok(false) };
        self.session = load_session(&self.file.0, self.file.1.as_deref(), options)?;
        self.options = options;
        Ok(true)
    }

    /// The pose of the one person in `frame`, seen through the whole (letterboxed) frame.
    pub fn estimate(&mut self, frame: &RgbImage) -> Result<Pose, ModelError> {
        let map = InputMap::letterbox(frame.width(), frame.height(), self.size);
        self.estimate_with(frame, &map)
    }

    /// The pose seen through `map` (a crop, a rotation), in the frame's pixel coordinates.
    pub fn estimate_with(&mut self, frame: &RgbImage, map: &InputMap) -> Result<Pose, ModelError> {
        let ms = |t: std::time::Instant| t.elapsed().as_secs_f64() * 1e3;
        let t = std::time::Instant::now();
        self.prepare(frame, map);
        self.times.prepare_ms += ms(t);
        let t = std::time::Instant::now();
        let raw = self.infer()?;
        self.times.infer_ms += ms(t);
        let t = std::time::Instant::now();
        let pose = self.decode(&raw, frame.width(), frame.height(), map);
        self.times.decode_ms += ms(t);
        self.times.runs += 1;
        Ok(pose)
    }

    /// The time spent in `estimate_with` since the last call, by stage.
    pub fn take_times(&mut self) -> StageTimes {
        std::mem::take(&mut self.times)
    }

    /// Pre-processing only: fills the input tensor buffer.
    pub fn prepare(&mut self, frame: &RgbImage, map: &InputMap) {
        sample_into(frame, map, self.size, &mut self.rgb);
        match self.input_type {
            InputType::Int32 => fill_tensor(&mut self.input_i32, &self.rgb, i32::from),
            InputType::Float32 => fill_tensor(&mut self.input_f32, &self.rgb, f32::from),
        }
    }

    /// Inference only, on the prepared input: the raw (y, x, score) triples in model-input units (0..1).
    pub fn infer(&mut self) -> Result<[[f32; 3]; 17], ModelError> {
        let err = |e: ort::Error| ModelError::Inference(e.to_string());
        let outputs = match self.input_type {
            InputType::Int32 => {
                let t = TensorRef::from_array_view(&self.input_i32).map_err(err)?;
                self.session.run(ort::inputs![t]).map_err(err)?
            }
            InputType::Float32 => {
                let t = TensorRef::from_array_view(&self.input_f32).map_err(err)?;
                self.session.run(ort::inputs![t]).map_err(err)?
            }
        };
        let (_, data) = outputs[0].try_extract_tensor::<f32>().map_err(err)?;
        let mut raw = [[0.0f32; 3]; 17];
        for (j, r) in raw.iter_mut().enumerate() {
            r.copy_from_slice(&data[j * 3..j * 3 + 3]);
        }
        Ok(raw)
    }

    /// Post-processing only: raw model output to a pose in frame pixels.
    pub fn decode(&self, raw: &[[f32; 3]; 17], width: u32, height: u32, map: &InputMap) -> Pose {
        let s = self.size as f32;
        let mut keypoints = [Keypoint::default(); 17];
        for (k, &[y, x, score]) in keypoints.iter_mut().zip(raw) {
            let (px, py) = map.apply(x * s, y * s);
            *k = Keypoint { x: px, y: py, score: if score.is_finite() { score.clamp(0.0, 1.0) } else { 0.0 } };
        }
        Pose::coco(width, height, keypoints)
    }
}

#[cfg(test)]
mod tests {
    use super::ModelOptions;

    #[test]
    fn a_model_on_one_thread_is_widened_to_every_core_unless_its_threads_were_chosen() {
        let all = ModelOptions::default().threads;
        let one = ModelOptions { threads: 1, ..ModelOptions::default() };
        assert_eq!(one.widened().map(|o| (o.threads, o.spin)), (all > 1).then_some((all, false)));
        assert!(ModelOptions { widen: false, ..one }.widened().is_none(), "--threads 1 stays on one thread");
        assert!(ModelOptions::default().widened().is_none(), "every core already");
    }
}
