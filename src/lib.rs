//! stretchcoach: watches back-pain stretches through a camera and coaches form, all on this machine.
//!
//! Data flows one way: frame ([`seeing::capture`]) -> pose ([`seeing::pose`]) -> measurements
//! ([`body::measure`]) -> judgement ([`exercise`]) -> prompt ([`coaching::coach`]) -> outputs
//! ([`coaching::session`], [`running`], [`history`], [`web`]).
//!
//! The folders are the layers of ARCHITECTURE.md, lowest first; a module imports only from its own layer
//! and those below (`tests/layers.rs` holds it to that).

// 0. Ground: what every layer shares.
pub mod quantile;
pub mod runtime;
pub mod slot;

pub mod body; // 2
pub mod coaching; // 4
pub mod exercise; // 3
pub mod history; // 5
pub mod running; // 5
pub mod seeing; // 1
pub mod tools; // 6
pub mod web; // 6
