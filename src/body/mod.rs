//! Layer 2, the body: angles and lengths measured on a pose, and generated motion from a kinematic body.

pub mod measure;
pub mod synth;
