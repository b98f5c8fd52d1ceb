//! The per-frame path every command runs: a frame (or a pose already found) through the pose stage into the
//! session, timed here and nowhere else; and the one loop that drives it over any source (`run`).

use std::ops::ControlFlow;
use std::time::{Duration, Instant};

use image::RgbImage;

use crate::coaching::session::{FrameReport, Plan, Session, Summary};
use crate::running::twin::{Posed, Twin};
use crate::seeing::capture::{CaptureError, Frame, FrameSource};
use crate::seeing::pose::{Back, ModelError, Pose, PoseStage, StageTimes};

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

/// The pose stage (none when poses are given), or two side by side for a recording judged flat out, and the
/// session.
pub struct Pipeline {
    stage: Option<Box<dyn PoseStage>>,
    twin: Option<Twin>,
    back: BackReading,
    pub session: Session,
}

/// When the pose stage reads the back. Only while the stretch judges it (`Session::reads_back`), and then on
/// every other frame, the frame between taking the one read before it: a back's curve changes over a
/// second, not in 33 ms, and reading it is half of BlazePose's time (its segmentation decoder).
#[derive(Default)]
struct BackReading {
    wanted: bool,
    /// On every frame, whatever the session wants (poses found to be judged later, by every stretch).
    always: bool,
    frames: u64,
    last: Option<Back>,
}

impl BackReading {
    /// Whether the next frame's back is read.
    fn ask(&mut self) -> bool {
        self.frames += 1;
        self.always || (self.wanted && self.frames % 2 == 1)
    }

    /// A frame's pose, `read` or not: a back read is kept for the next frame, one not read is the last.
    fn fill(&mut self, pose: &mut Pose, read: bool) {
        if read {
            self.last = pose.back.clone();
        } else if self.wanted && pose.back.is_none() {
            pose.back = self.last.take();
        } else {
            self.last = None;
        }
    }
}

impl Pipeline {
    pub fn new(stage: Option<Box<dyn PoseStage>>, session: Session) -> Pipeline {
        Pipeline { stage, twin: None, back: BackReading::default(), session }
    }

    /// A pipeline that only finds poses, the back on every frame, to be judged later (`eval`): its
    /// session recognises nothing.
    pub fn finder(stage: Box<dyn PoseStage>) -> Pipeline {
        let back = BackReading { always: true, ..BackReading::default() };
        Pipeline { stage: Some(stage), twin: None, back, session: Session::with_plan(Plan::Auto(Vec::new())) }
    }

    /// Forgets the person followed so far (a new file), and the back read last.
    pub fn reset(&mut self) {
        if let Some(stage) = &mut self.stage {
            stage.reset();
        }
        if let Some(twin) = &mut self.twin {
            twin.reset();
        }
        self.back.last = None;
    }

    /// A pipeline that finds poses with two stages side by side when [`run`] goes flat out.
    pub fn with_twin(twin: Twin, session: Session) -> Pipeline {
        Pipeline { stage: None, twin: Some(twin), back: BackReading::default(), session }
    }

    /// Gives the pose stage more threads, for a loop that has fallen behind its camera; false when it cannot.
    pub fn widen(&mut self) -> Result<bool, StepError> {
        match &mut self.stage {
            Some(stage) => Ok(stage.widen()?),
            None => Ok(false),
        }
    }

    /// Finds the pose in a frame taken `t` seconds into the session, and judges it.
    pub fn step_image(&mut self, image: &RgbImage, t: f64) -> Result<Step, StepError> {
        let stage = self.stage.as_mut().ok_or(StepError::NoModel)?;
        let t0 = Instant::now();
        let read = self.back.ask();
        stage.want_back(read);
        let mut pose = stage.estimate(image)?;
        let model = stage.take_times();
        self.back.fill(&mut pose, read);
        Ok(self.judge(pose, t, ms(t0.elapsed()), model))
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
        self.judge(pose.clone(), t, 0.0, StageTimes::default())
    }

    fn judge(&mut self, pose: Pose, t: f64, pose_ms: f64, model: StageTimes) -> Step {
        let t1 = Instant::now();
        let report = self.session.step(Some(&pose), t);
        self.back.wanted = self.session.reads_back();
        Step { report, pose, times: StepTimes { pose_ms, judge_ms: ms(t1.elapsed()), model } }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
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

/// How a run of the loop went: its counts, and the session's summary at the end.
#[derive(Debug)]
pub struct Ran {
    pub stats: LoopStats,
    pub summary: Summary,
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

/// The session's clock and frame numbers over a source, paced as asked, kept across reopenings of the
/// source: a camera that fails and comes back starts its own time and count from zero, and time running
/// back would shrink the summary, silence the coach's timers, and overwrite the timeline's rows and the
/// recording's frames.
pub struct Clock {
    speed: Pace,
    began: Instant,
    /// When the source in use opened, and where its time 0 and its frame 0 are on the session's clock.
    opened: Instant,
    offset: f64,
    first_index: u64,
    /// The last frame's time and number on the session's clock.
    last: Option<(f64, u64)>,
}

impl Clock {
    pub fn new(speed: Pace) -> Clock {
        let now = Instant::now();
        Clock { speed, began: now, opened: now, offset: 0.0, first_index: 0, last: None }
    }

    /// The source was opened again: its time 0 is now on the session's clock, its frames count on.
    pub fn reopened(&mut self) {
        self.opened = Instant::now();
        if let Some((_, index)) = self.last {
            self.offset = self.began.elapsed().as_secs_f64();
            self.first_index = index + 1;
        }
    }

    /// Waits for a frame's time when pacing (its own time since its source opened), then puts the frame on
    /// the session's clock: never before the last one.
    pub fn admit(&mut self, frame: &mut Frame) {
        pace(self.speed, self.opened, frame.t);
        let t = frame.t + self.offset;
        frame.t = self.last.map_or(t, |(last, _)| t.max(last + 1e-3));
        frame.index += self.first_index;
        self.last = Some((frame.t, frame.index));
    }
}

/// What the loop feeds, frame by frame: `check`'s terminal, `eval`'s tally, `bench`'s timings, and the live
/// loop's hub, recording, terminal, voice and history.
pub trait Sink {
    /// Once the source has answered (a frame, or none yet from a live source), before the frame is judged:
    /// controls from outside; `Break` ends the loop.
    fn between(&mut self, _pipeline: &mut Pipeline) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
    /// The pose stage failed on `frame`: the error ends the loop (a file), unless the sink carries on (a camera).
    fn failed(&mut self, _frame: &Frame, error: StepError) -> Result<(), StepError> {
        Err(error)
    }
    /// A frame judged.
    fn judged(&mut self, frame: Frame, step: Step, pipeline: &mut Pipeline);
}

/// A sink that only sees each judged frame and the session.
pub struct Each<F>(pub F);

impl<F: FnMut(&Step, &Session)> Sink for Each<F> {
    fn judged(&mut self, _frame: Frame, step: Step, pipeline: &mut Pipeline) {
        (self.0)(&step, &pipeline.session)
    }
}

/// The one loop over a source: every frame, skipping (and counting) unreadable ones, on the session's
/// clock, paced as asked, through `pipeline` into `sink`; the counts and the session's summary at the end.
pub fn run(
    source: &mut dyn FrameSource,
    pipeline: &mut Pipeline,
    speed: Pace,
    sink: &mut dyn Sink,
) -> Result<Ran, LoopError> {
    let mut stats = LoopStats::default();
    let mut clock = Clock::new(speed);
    match pipeline.twin.take() {
        Some(mut twin) => {
            let judged = run_twin(source, pipeline, &mut twin, &mut clock, &mut stats, sink);
            pipeline.twin = Some(twin);
            judged?
        }
        None => run_one(source, pipeline, &mut clock, &mut stats, sink)?,
    }
    Ok(Ran { stats, summary: pipeline.session.summary() })
}

/// With one stage (or none): a frame at a time.
fn run_one(
    source: &mut dyn FrameSource,
    pipeline: &mut Pipeline,
    clock: &mut Clock,
    stats: &mut LoopStats,
    sink: &mut dyn Sink,
) -> Result<(), LoopError> {
    loop {
        // Controls are seen once the source has answered: a frame, or none yet from a live source.
        let next = next_good_frame(source, stats)?;
        if sink.between(pipeline).is_break() {
            return Ok(());
        }
        let mut frame = match next {
            Next::Frame(frame) => frame,
            Next::NotYet => continue,
            Next::End => return Ok(()),
        };
        clock.admit(&mut frame);
        match pipeline.step_frame(&frame) {
            Ok(step) => {
                stats.frames += 1;
                sink.judged(frame, step, pipeline);
            }
            Err(e) => sink.failed(&frame, e)?,
        }
    }
}

/// With two stages: two frames in flight, judged in their order (meant for files, flat out; paced, a frame
/// waits for its time before it is handed over).
fn run_twin(
    source: &mut dyn FrameSource,
    pipeline: &mut Pipeline,
    twin: &mut Twin,
    clock: &mut Clock,
    stats: &mut LoopStats,
    sink: &mut dyn Sink,
) -> Result<(), LoopError> {
    let mut ended = false;
    loop {
        if sink.between(pipeline).is_break() {
            return Ok(());
        }
        while !ended && twin.in_flight() < 2 {
            match next_good_frame(source, stats)? {
                Next::Frame(mut frame) => {
                    clock.admit(&mut frame);
                    twin.submit(frame, pipeline.back.ask())
                }
                // None yet from a live source: back to the controls, judging what is in flight meanwhile.
                Next::NotYet => break,
                Next::End => ended = true,
            }
        }
        let Some(Posed { frame, pose, pose_ms, model, read_back }) = twin.take() else {
            if ended {
                return Ok(());
            }
            continue;
        };
        match pose {
            Ok(mut pose) => {
                pipeline.back.fill(&mut pose, read_back);
                let step = pipeline.judge(pose, frame.t, pose_ms, model);
                stats.frames += 1;
                sink.judged(frame, step, pipeline);
            }
            Err(e) => sink.failed(&frame, e.into())?,
        }
    }
}

// One a frame, moved once: not worth a box.
#[allow(clippy::large_enum_variant)]
enum Next {
    Frame(Frame),
    /// A live source has none yet.
    NotYet,
    End,
}

/// The source's next frame, skipping (and counting) unreadable ones.
fn next_good_frame(source: &mut dyn FrameSource, stats: &mut LoopStats) -> Result<Next, LoopError> {
    loop {
        match source.next_frame() {
            Ok(Some(frame)) => return Ok(Next::Frame(frame)),
            Ok(None) => return Ok(Next::End),
            Err(CaptureError::NotYet) => return Ok(Next::NotYet),
            Err(e) if e.is_bad_frame() => {
                stats.bad_frames += 1;
                eprintln!("skipping a frame: {e}");
            }
            Err(e) => return Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeing::pose::Joint;

    fn pose(back: Option<f32>) -> Pose {
        let mut p = Pose::unseen(10, 10, &Joint::ALL);
        p.back = back.map(|curve| Back { curve, outline: Vec::new() });
        p
    }

    #[test]
    fn the_clock_runs_on_across_a_reopened_source_paced_and_never_back() {
        let mut clock = Clock::new(Pace::Realtime);
        let admit = |clock: &mut Clock, index: u64, t: f64| {
            let mut frame = Frame::image(index, t, RgbImage::new(1, 1));
            clock.admit(&mut frame);
            (frame.index, frame.t)
        };
        let began = Instant::now();
        assert_eq!([admit(&mut clock, 0, 0.0), admit(&mut clock, 1, 0.05)], [(0, 0.0), (1, 0.05)]);
        // Paced: the second frame was not handed over before its time.
        assert!(began.elapsed() >= Duration::from_millis(50));
        // A frame whose time runs back (a recording's bad timestamp) is put just after the last.
        let (i, t) = admit(&mut clock, 2, 0.01);
        assert!(i == 2 && (t - 0.051).abs() < 1e-9, "{t}");
        // Reopened, the source counts from zero again: the session's numbers and time go on.
        std::thread::sleep(Duration::from_millis(30));
        clock.reopened();
        let (i, t) = admit(&mut clock, 0, 0.0);
        assert!(i == 3 && (0.08..10.0).contains(&t), "{i} {t}");
        assert_eq!(admit(&mut clock, 1, 0.01).0, 4);
    }

    #[test]
    fn the_back_is_read_every_other_frame_while_wanted_and_the_frame_between_takes_the_last() {
        let mut b = BackReading::default();
        // Not wanted: never read, nothing carried.
        assert!(!b.ask() && !b.ask());
        b.wanted = true;
        let mut got = Vec::new();
        for i in 0..6 {
            let read = b.ask();
            // The stage reads it when asked (the curve says which frame); not asked, it gives none.
            let mut p = pose(read.then_some(i as f32));
            b.fill(&mut p, read);
            got.push((read, p.back.map(|b| b.curve)));
        }
        assert_eq!(
            got,
            [
                (true, Some(0.0)),
                (false, Some(0.0)),
                (true, Some(2.0)),
                (false, Some(2.0)),
                (true, Some(4.0)),
                (false, Some(4.0))
            ]
        );
        // A back that could not be read (torso out of view) is not carried over; nor one from before a pause.
        let read = b.ask();
        let mut p = pose(None);
        b.fill(&mut p, read);
        let (mut q, asked) = (pose(None), b.ask());
        b.fill(&mut q, asked);
        assert!(read && p.back.is_none() && q.back.is_none());
        b.wanted = false;
        let (mut r, asked) = (pose(None), b.ask());
        b.fill(&mut r, asked);
        assert!(r.back.is_none() && b.last.is_none());
    }
}
