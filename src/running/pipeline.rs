//! The per-frame path every command runs: a frame (or a pose already found) through the pose stage into the
//! session, timed here and nowhere else; and the loop that drives it over a recording.

use std::time::{Duration, Instant};

use image::RgbImage;

use crate::coaching::session::{FrameReport, Session};
use crate::seeing::capture::{CaptureError, FrameSource};
use crate::seeing::pose::{ModelError, Pose, PoseStage, StageTimes};

/// Where each frame's time went, in milliseconds.
#[derive(Debug, Default, Clone, Copy)]
pub struct StepTimes {
    /// The pose stage: the model and what surrounds it (cropping, tracking). Zero for a given pose.
    pub pose_ms: f64,
    /// Smoothing, recognising, judging and coaching.
    pub judge_ms: f64,
    /// The model's own runs within `pose_ms`, by stage.
    pub model: StageTimes,
}

impl StepTimes {
    pub fn model_ms(&self) -> f64 {
        self.model.prepare_ms + self.model.infer_ms + self.model.decode_ms
    }
}

/// One judged frame.
pub struct Step {
    pub report: FrameReport,
    pub pose: Pose,
    pub times: StepTimes,
}

/// The pose stage (none when poses are given) and the session.
pub struct Pipeline {
    stage: Option<Box<dyn PoseStage>>,
    pub session: Session,
}

impl Pipeline {
    pub fn new(stage: Option<Box<dyn PoseStage>>, session: Session) -> Pipeline {
        Pipeline { stage, session }
    }

    /// Finds the pose in a frame taken `t` seconds into the session, and judges it.
    pub fn step_image(&mut self, image: &RgbImage, t: f64) -> Result<Step, StepError> {
        let stage = self.stage.as_mut().ok_or(StepError::NoModel)?;
        let t0 = Instant::now();
        let pose = stage.estimate(image)?;
        let model = stage.take_times();
        Ok(self.judge(pose, t, t0, model))
    }

    /// Judges a frame from any source: its pose when it has one, else the pose found in its image.
    pub fn step_frame(&mut self, frame: &crate::seeing::capture::Frame) -> Result<Step, StepError> {
        match &frame.pose {
            Some(pose) => Ok(self.step_pose(pose, frame.t)),
            None => self.step_image(&frame.image, frame.t),
        }
    }

    /// Judges a pose found before (a keypoint file, generated motion).
    pub fn step_pose(&mut self, pose: &Pose, t: f64) -> Step {
        self.judge(pose.clone(), t, Instant::now(), StageTimes::default())
    }

    fn judge(&mut self, pose: Pose, t: f64, started: Instant, model: StageTimes) -> Step {
        let t1 = Instant::now();
        let report = self.session.step(Some(&pose), t);
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        Step { report, pose, times: StepTimes { pose_ms: ms(t1 - started), judge_ms: ms(t1.elapsed()), model } }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StepError {
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error("an image was given to a pipeline that has no pose model")]
    NoModel,
    #[error("there is no frame to time")]
    NoFrames,
}

/// Counts kept while a source is replayed.
#[derive(Debug, Default, Clone, Copy, serde::Serialize)]
pub struct LoopStats {
    pub frames: u64,
    /// Unreadable frames, skipped.
    pub bad_frames: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum LoopError {
    #[error(transparent)]
    Capture(#[from] CaptureError),
    #[error(transparent)]
    Step(#[from] StepError),
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

/// Runs every frame of `source` through `pipeline`, calling `emit` with each judged frame (with its times)
/// and the session.
pub fn run(
    source: &mut dyn FrameSource,
    pipeline: &mut Pipeline,
    speed: Pace,
    mut emit: impl FnMut(&Step, &Session),
) -> Result<LoopStats, LoopError> {
    let mut stats = LoopStats::default();
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
        let step = pipeline.step_frame(&frame)?;
        stats.frames += 1;
        emit(&step, &pipeline.session);
    }
    Ok(stats)
}
