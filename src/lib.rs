//! stretchcoach: watches back-pain stretches through a camera and coaches form, all on this machine.
//!
//! Data flows one way: frame ([`capture`]) -> pose ([`pose`]) -> measurements ([`measure`]) ->
//! judgement ([`exercise`]) -> prompt ([`coach`]) -> outputs ([`session`], [`server`]).

pub mod bench;
pub mod capture;
pub mod chart;
pub mod clinic;
pub mod coach;
pub mod eval;
pub mod exercise;
pub mod history_page;
pub mod hub;
pub mod keypoint_file;
pub mod live;
pub mod local_time;
pub mod measure;
pub mod metrics;
pub mod pipeline;
pub mod pose;
pub mod quantile;
pub mod report;
pub mod runtime;
pub mod server;
pub mod session;
pub mod shutdown;
pub mod slot;
pub mod store;
pub mod synth;
pub mod timeline;
pub mod voice;
