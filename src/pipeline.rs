//! The per-frame loop: frames from a source, through the model, into a session; each result handed on.

use std::time::{Duration, Instant};

use crate::capture::{CaptureError, FrameSource};
use crate::pose::{ModelError, Pose, PoseStage};
use crate::session::{FrameReport, Session};

/// Counts kept while a source is replayed.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct LoopStats {
    pub frames: u64,
    /// Unreadable frames, skipped.
    pub bad_frames: u64,
    /// Median milliseconds in the model per frame (pre-processing + inference + decoding).
    pub model_ms_median: f64,
    /// Median milliseconds for the whole frame (model + smoothing, judging, coaching).
    pub frame_ms_median: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Model(#[from] ModelError),
}

/// How fast to replay.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pace {
    /// As fast as the machine allows.
    Fast,
    /// At the recording's own timing, as a camera would deliver it.
    Realtime,
}

/// Waits until `t` seconds after `start` when replaying at real time.
pub fn pace(pace: Pace, start: Instant, t: f64) {
    if pace == Pace::Realtime {
        let due = start + Duration::from_secs_f64(t.max(0.0));
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
    }
}

/// Runs every frame of `source` through `model` and `session`, calling `emit` with each report, the pose and the session so far.
pub fn run(
    source: &mut dyn FrameSource,
    model: &mut dyn PoseStage,
    session: &mut Session,
    speed: Pace,
    mut emit: impl FnMut(&FrameReport, &Pose, &Session),
) -> Result<LoopStats, LoopError> {
    let mut stats = LoopStats::default();
    let (mut model_ms, mut frame_ms) = (Vec::new(), Vec::new());
    let start = Instant::now();
    loop {
        let frame = match source.next_frame() {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) if e.is_bad_frame() => {
                stats.bad_frames += 1;
                eprintln!("skipping a frame: {e}");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        pace(speed, start, frame.t);
        let t0 = Instant::now();
        let pose = model.estimate(&frame.image)?;
        let t1 = Instant::now();
        let report = session.step(Some(&pose), frame.t);
        let t2 = Instant::now();
        model_ms.push((t1 - t0).as_secs_f64() * 1e3);
        frame_ms.push((t2 - t0).as_secs_f64() * 1e3);
        stats.frames += 1;
        emit(&report, &pose, session);
    }
    stats.model_ms_median = median(&mut model_ms);
    stats.frame_ms_median = median(&mut frame_ms);
    Ok(stats)
}

pub fn median(xs: &mut [f64]) -> f64 {
    if xs.is_empty() {
        return 0.0;
    }
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}
