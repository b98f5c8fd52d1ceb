//! Layer 4, coaching: one frame's report and the running summary; which prompt to show and when to say it.

pub mod coach;
pub mod session;
