//! Layer 1, seeing: frames in, poses out. Cameras, the browser's camera, video and image folders, keypoint
//! files; the ONNX pose models and what is read from them (every landmark, the back's outline).

pub mod capture;
pub mod keypoint_file;
pub mod pose;
