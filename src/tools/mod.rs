//! Layer 6, tools: timing the pipeline (`bench`) and scoring it against labelled real footage (`eval`).

pub mod bench;
pub mod eval;
