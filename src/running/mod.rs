//! Layer 5, running: the per-frame loop and its threads, the state the server reads, a clean stop, speech.

pub mod hub;
pub mod live;
pub mod pipeline;
pub mod shutdown;
pub mod twin;
pub mod voice;
