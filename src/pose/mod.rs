//! Frame to pose: the keypoint types, pre-processing and the ONNX model.

pub mod keypoints;
pub mod model;
pub mod preprocess;
pub mod smooth;

pub use keypoints::{Joint, Keypoint, Pose, PoseRecord};
pub use model::{ModelError, ModelOptions, PoseModel};
