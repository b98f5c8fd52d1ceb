//! The live loop. Capture runs on one thread and keeps only the newest frame in a one-slot mailbox; the
//! pose model, judge and coach run on another (the one loop, `pipeline::run`, over the mailbox), always on the
//! newest frame. When the model is slower than the camera, older frames are dropped (and counted) instead of
//! queueing, so the time from capture to prompt stays bounded. Results go to the [`Hub`], which the HTTP
//! server reads without blocking either.

use std::cell::Cell;
use std::ops::ControlFlow;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, Sender};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::coaching::session::{FrameReport, Session, Summary};
use crate::running::hub::{Hub, LiveStats};
use crate::running::pipeline::{self, Clock, Pace, Pipeline, Sink, Step, StepError};
use crate::seeing::capture::{CaptureError, Frame, FrameSource};
use crate::seeing::pose::PoseRecord;
use crate::slot::{Empty, Slot};

pub use crate::seeing::pose::PoseStage;

pub use crate::running::hub::Control;

/// Opens (or re-opens, after a failure) the frame source.
/// Called on the capture thread, so the source itself need not be `Send` (camera handles are not).
pub type Opener = Box<dyn FnMut() -> Result<Box<dyn FrameSource>, CaptureError> + Send>;

/// Sees every judged frame with the session's summary so far (the terminal view, the voice, the history).
pub type OnReport = Box<dyn FnMut(&FrameReport, &Summary, &LiveStats) + Send>;

/// How the loop runs.
pub struct LoopOptions {
    /// Pace a recording at its own timestamps, as a camera would deliver it, dropping frames the model
    /// cannot keep up with. Without it a recording is judged frame by frame, as fast as the model goes.
    pub realtime: bool,
    /// Re-open the source after a failure (cameras), with back-off up to this many seconds between tries.
    pub retry_up_to: Option<f64>,
    /// Write every judged frame here as JPEG. Only when the user asks (`--record DIR`): otherwise no
    /// frame is ever written to disk.
    pub record: Option<std::path::PathBuf>,
}

/// One frame deep: a new frame replaces an unprocessed one.
type Mailbox = Slot<(Frame, Instant)>;

/// How a run of the loop ended, handed back by [`LiveLoop::join`] (not read back from the hub, which is
/// the HTTP server's).
#[derive(Debug)]
pub struct Ended {
    pub summary: Summary,
    /// The loop's counters and timings at the end.
    pub stats: LiveStats,
    /// Why frames stopped coming or being judged before the end (the source failed, coaching crashed), or,
    /// for a camera being retried when the loop was stopped, its latest failure.
    pub error: Option<String>,
}

pub struct LiveLoop {
    /// Ends with the source's failure, if one ended it.
    capture: JoinHandle<Option<String>>,
    /// Ends with the session's summary, the final statistics and why judging stopped early, if it did.
    worker: JoinHandle<(Summary, LiveStats, Option<String>)>,
    stop: Arc<AtomicBool>,
    mailbox: Arc<Mailbox>,
}

impl LiveLoop {
    /// Starts capture and judging with the pose stage `stage`; `on_report` sees every processed frame.
    pub fn start(
        open: Opener,
        options: LoopOptions,
        stage: Box<dyn PoseStage>,
        session: Session,
        hub: Arc<Hub>,
        controls: Receiver<Control>,
        on_report: OnReport,
    ) -> LiveLoop {
        Self::start_pipeline(open, options, Pipeline::new(Some(stage), session), hub, controls, on_report)
    }

    /// Starts capture and judging through `pipeline` (one without a pose stage takes sources that carry
    /// their poses: keypoint files, generated motion); `on_report` sees every processed frame.
    pub fn start_pipeline(
        mut open: Opener,
        options: LoopOptions,
        mut pipeline: Pipeline,
        hub: Arc<Hub>,
        controls: Receiver<Control>,
        on_report: OnReport,
    ) -> LiveLoop {
        let mailbox: Arc<Mailbox> = Arc::new(Slot::new());
        let stop = Arc::new(AtomicBool::new(false));

        let record = options.record.clone();
        hub.set_recording(record.is_some());
        // A camera, or a recording at its own pace: a model that falls behind gets more threads.
        let paced = options.realtime || options.retry_up_to.is_some();
        let capture = {
            let (mailbox, hub, stop) = (mailbox.clone(), hub.clone(), stop.clone());
            std::thread::Builder::new()
                .name("capture".into())
                .spawn(move || {
                    let failed = capture_loop(&mut open, &options, &mailbox, &hub, &stop);
                    mailbox.close();
                    failed
                })
                .expect("the capture thread starts")
        };
        let worker = {
            let (hub, stop, mailbox) = (hub.clone(), stop.clone(), mailbox.clone());
            std::thread::Builder::new()
                .name("judge".into())
                .spawn(move || {
                    let captured = Rc::new(Cell::new(Instant::now()));
                    let mut source = Mailed { mailbox: mailbox.clone(), captured: captured.clone() };
                    let mut sink = Judged {
                        hub: hub.clone(),
                        controls,
                        stop: stop.clone(),
                        on_report,
                        record,
                        paced,
                        captured,
                        latencies: Recent::default(),
                        model_ms: Recent::default(),
                        pacing: Pacing::default(),
                        window: Default::default(),
                    };
                    // A panic while judging (a bug) must not leave the capture thread waiting to hand over a
                    // frame: it ends the session, which keeps what it has, and says so.
                    let judged = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        pipeline::run(&mut source, &mut pipeline, Pace::Fast, &mut sink)
                    }));
                    stop.store(true, Ordering::SeqCst);
                    mailbox.close();
                    let (summary, error) = match judged {
                        Ok(Ok(ran)) => (ran.summary, None),
                        // The mailbox's source ends without an error, and the sink carries on after a model's.
                        Ok(Err(e)) => (pipeline.session.summary(), Some(e.to_string())),
                        Err(panic) => {
                            let what = panic_text(panic.as_ref());
                            eprintln!("coaching stopped after an internal error: {what}");
                            (
                                pipeline.session.summary(),
                                Some(format!("coaching stopped after an internal error ({what})")),
                            )
                        }
                    };
                    if error.is_some() {
                        hub.set_source_error(error.clone());
                    }
                    let Judged { mut latencies, mut model_ms, .. } = sink;
                    let stats = hub.update_stats(|s| {
                        (s.latency_ms_median, s.latency_ms_p95) = latencies.median_p95();
                        s.model_ms_median = model_ms.median_p95().0;
                    });
                    hub.finish(&summary);
                    (summary, stats, error)
                })
                .expect("the judging thread starts")
        };
        LiveLoop { capture, worker, stop, mailbox }
    }

    /// Asks both threads to end: the judge at once (a frame being judged is finished), the capture thread
    /// between frames. A source that waits for frames (the browser's) must be closed by its owner.
    pub fn stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.mailbox.close();
    }

    pub fn is_finished(&self) -> bool {
        self.worker.is_finished()
    }

    /// Waits for the end of the recording (or a stop): how it ended (none only if the judging thread died
    /// outside the guard that keeps the session).
    pub fn join(self) -> Option<Ended> {
        let judged = self.worker.join();
        self.stop.store(true, Ordering::SeqCst);
        let source_failed = self.capture.join().ok().flatten();
        let (summary, stats, error) = judged.ok()?;
        Some(Ended { summary, stats, error: error.or(source_failed) })
    }
}

/// The judge's side of the mailbox, as a frame source: the newest frame, and when it was captured.
struct Mailed {
    mailbox: Arc<Mailbox>,
    captured: Rc<Cell<Instant>>,
}

impl FrameSource for Mailed {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        match self.mailbox.take_within(Duration::from_millis(250)) {
            Ok((frame, at)) => {
                self.captured.set(at);
                Ok(Some(frame))
            }
            Err(Empty::Closed) => Ok(None),
            // The loop sees to its controls meanwhile (a stop while no frame comes).
            Err(Empty::TimedOut) => Err(CaptureError::NotYet),
        }
    }
    fn fps(&self) -> f64 {
        0.0
    }
    fn describe(&self) -> String {
        "the capture thread's newest frame".into()
    }
}

/// Where the live loop's judged frames go: the hub (the page and the API), the recording, `on_report` (the
/// terminal, the voice, the history); and the controls it takes between frames.
struct Judged {
    hub: Arc<Hub>,
    controls: Receiver<Control>,
    stop: Arc<AtomicBool>,
    on_report: OnReport,
    record: Option<std::path::PathBuf>,
    /// A camera, or a recording at its own pace: a model that falls behind gets more threads.
    paced: bool,
    captured: Rc<Cell<Instant>>,
    latencies: Recent<600>,
    model_ms: Recent<600>,
    pacing: Pacing,
    window: std::collections::VecDeque<Instant>,
}

impl Sink for Judged {
    fn between(&mut self, pipeline: &mut Pipeline) -> ControlFlow<()> {
        while let Ok(c) = self.controls.try_recv() {
            match c {
                Control::SetPlan(plan) => pipeline.session.switch(plan),
                Control::Stop => self.stop.store(true, Ordering::SeqCst),
            }
        }
        if self.stop.load(Ordering::SeqCst) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    fn failed(&mut self, frame: &Frame, error: StepError) -> Result<(), StepError> {
        self.hub.update_stats(|s| s.errors += 1);
        eprintln!("pose model failed on frame {}: {error}", frame.index);
        Ok(())
    }

    fn judged(&mut self, frame: Frame, step: Step, pipeline: &mut Pipeline) {
        let Step { report, pose, times } = step;
        let hub = &self.hub;
        if frame.pose.is_none() {
            // Only frames that went through the model time it.
            self.model_ms.push(times.pose_ms);
            hub.observe_model(times.pose_ms / 1e3);
            if self.paced {
                match self.pacing.keep_up(pipeline, frame.index, frame.t, times.pose_ms) {
                    Some(Widened { took, every, widened: Ok(true) }) => eprintln!(
                        "The pose model took {took:.0} ms a frame for a camera's {every:.0} ms: it now runs on more threads"
                    ),
                    Some(Widened { widened: Err(e), .. }) => {
                        eprintln!("could not give the pose model more threads: {e}")
                    }
                    _ => {}
                }
            }
        }
        let latency = self.captured.get().elapsed().as_secs_f64() * 1e3;
        self.latencies.push(latency);
        let now = Instant::now();
        let window = &mut self.window;
        window.push_back(now);
        while window.front().is_some_and(|t| now.duration_since(*t) > Duration::from_secs(2)) {
            window.pop_front();
        }
        // A frame that came with its pose has no picture to record or show.
        let image = frame.pose.is_none().then(|| Arc::new(frame.image));
        if let (Some(dir), Some(image)) = (&self.record, &image) {
            let path = dir.join(format!("frame_{:06}.jpg", frame.index));
            if let Err(e) = image.save(&path) {
                hub.set_store_error(Some(format!("recording to {} failed: {e}", dir.display())));
            }
        }
        let summary = Arc::new(pipeline.session.summary());
        let (latencies, model_ms) = (&mut self.latencies, &mut self.model_ms);
        let stats = hub.publish(&report, PoseRecord::from(&pose), image, summary.clone(), |s| {
            s.processed += 1;
            s.fps = window.len() as f64 / 2.0_f64.min(now.duration_since(window[0]).as_secs_f64().max(0.5));
            s.latency_ms = latency;
            // Sorting the window on every frame is wasted on a display refreshed twice a second.
            if s.processed % 15 == 1 {
                (s.latency_ms_median, s.latency_ms_p95) = latencies.median_p95();
                s.model_ms_median = model_ms.median_p95().0;
            }
        });
        (self.on_report)(&report, &summary, &stats);
    }
}

const PACING_FRAMES: usize = 10;

/// Notices a pose model slower than its camera: over 10 frames, its median time above 80 % of the camera's
/// frame interval (read from the captured frames' times and numbers, dropped frames counted). Said once.
#[derive(Default)]
pub struct Pacing {
    last: Option<(u64, f64)>,
    model_ms: Recent<PACING_FRAMES>,
    interval_ms: Recent<PACING_FRAMES>,
    said: bool,
}

impl Pacing {
    /// After a frame through the model: Some((its median ms, the camera's ms a frame)) the first time it is behind.
    pub fn behind(&mut self, index: u64, t: f64, model_ms: f64) -> Option<(f64, f64)> {
        if let Some((i0, t0)) = self.last.replace((index, t)).filter(|&(i0, _)| index > i0) {
            self.interval_ms.push((t - t0) * 1e3 / (index - i0) as f64);
        }
        self.model_ms.push(model_ms);
        if self.said || !self.model_ms.full() || self.interval_ms.len() < PACING_FRAMES - 1 {
            return None;
        }
        let (took, every) = (self.model_ms.median_p95().0, self.interval_ms.median_p95().0);
        self.said = took > 0.8 * every;
        self.said.then_some((took, every))
    }

    /// After a frame through the model: the first time the model is behind its camera, gives it more
    /// threads (as `live` does, and `bench` measures).
    pub fn keep_up(&mut self, pipeline: &mut Pipeline, index: u64, t: f64, model_ms: f64) -> Option<Widened> {
        let (took, every) = self.behind(index, t, model_ms)?;
        Some(Widened { took, every, widened: pipeline.widen() })
    }
}

/// A pose model that fell behind its camera, given more threads (or not).
pub struct Widened {
    /// Its median ms a frame, and the camera's ms a frame.
    pub took: f64,
    pub every: f64,
    /// Whether it now runs on more threads; why not, when it could not be given them.
    pub widened: Result<bool, StepError>,
}

/// The last `N` timings (600: 20 s at 30 fps), for a running median and p95.
#[derive(Default)]
struct Recent<const N: usize> {
    values: std::collections::VecDeque<f64>,
    scratch: Vec<f64>,
}

impl<const N: usize> Recent<N> {
    fn push(&mut self, x: f64) {
        if self.values.len() == N {
            self.values.pop_front();
        }
        self.values.push_back(x);
    }

    fn len(&self) -> usize {
        self.values.len()
    }

    fn full(&self) -> bool {
        self.values.len() == N
    }

    /// Median and 95th percentile, from one sort into a reused buffer.
    fn median_p95(&mut self) -> (f64, f64) {
        self.scratch.clear();
        self.scratch.extend(&self.values);
        let [median, p95] = crate::quantile::quantiles(&mut self.scratch, [0.5, 0.95]);
        (median, p95)
    }
}

/// Runs a call into the frame source, turning a panic in it (a driver binding, a decoder) into a source
/// error, so that it is reported and retried like an unplugged camera. Uncaught, it would end the capture
/// thread and leave the judge waiting for frames that never come.
fn guarded<T>(call: impl FnOnce() -> Result<T, CaptureError>) -> Result<T, CaptureError> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(call)).unwrap_or_else(|panic| {
        Err(CaptureError::Camera(format!("the frame source crashed ({})", panic_text(panic.as_ref()))))
    })
}

/// The message a panic was raised with.
fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no message".into())
}

/// Reads frames into the mailbox until the source ends, fails for good, or the loop stops; the source's
/// failure that ended it (or, retrying a camera when stopped, the latest), if any.
fn capture_loop(
    open: &mut Opener,
    options: &LoopOptions,
    mailbox: &Mailbox,
    hub: &Hub,
    stop: &AtomicBool,
) -> Option<String> {
    let mut backoff = 0.5;
    let mut failing: Option<String> = None;
    // One clock and one frame count for the session, however often the camera is reopened.
    let mut clock = Clock::new(if options.realtime { Pace::Realtime } else { Pace::Fast });
    'reopen: while !stop.load(Ordering::SeqCst) {
        let mut source = match guarded(&mut *open) {
            Ok(s) => s,
            Err(e) => match options.retry_up_to {
                Some(max) => {
                    let error = format!("{e}; retrying in {backoff:.1} s");
                    hub.set_source_error(Some(error.clone()));
                    failing = Some(error);
                    sleep_unless_stopped(backoff, stop);
                    backoff = (backoff * 2.0).min(max);
                    continue;
                }
                None => {
                    hub.set_source_error(Some(e.to_string()));
                    return Some(e.to_string());
                }
            },
        };
        hub.set_source(source.describe());
        failing = None;
        clock.reopened();
        while !stop.load(Ordering::SeqCst) {
            match guarded(|| source.next_frame()) {
                Ok(Some(mut frame)) => {
                    backoff = 0.5;
                    clock.admit(&mut frame);
                    // A recording replayed at its own pace loses no frame; a camera's newest frame wins.
                    let dropped = if !options.realtime && options.retry_up_to.is_none() {
                        mailbox.put_when_empty((frame, Instant::now()))
                    } else {
                        mailbox.put((frame, Instant::now()))
                    };
                    hub.count_captured(dropped);
                }
                Ok(None) => return None,
                Err(e) if e.is_bad_frame() => {
                    hub.count_bad_frame();
                }
                Err(e) => match options.retry_up_to {
                    // A camera that fails mid-session: say so, keep everything else running, try again.
                    Some(max) => {
                        let error = format!("{e}; retrying in {backoff:.1} s");
                        hub.set_source_error(Some(error.clone()));
                        failing = Some(error);
                        drop(source);
                        sleep_unless_stopped(backoff, stop);
                        backoff = (backoff * 2.0).min(max);
                        continue 'reopen;
                    }
                    None => {
                        hub.set_source_error(Some(e.to_string()));
                        return Some(e.to_string());
                    }
                },
            }
        }
    }
    failing
}

fn sleep_unless_stopped(seconds: f64, stop: &AtomicBool) {
    let until = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < until && !stop.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A channel for [`Control`] messages.
pub fn controls() -> (Sender<Control>, Receiver<Control>) {
    std::sync::mpsc::channel()
}

#[cfg(test)]
mod tests {
    use super::{Pacing, Recent};

    #[test]
    fn a_model_slower_than_the_camera_is_noticed_once_and_a_fast_one_never() {
        // 30 fps, every other frame dropped (numbers skip by 2): the camera's interval is still 33 ms.
        let run = |model_ms: f64| {
            let mut p = Pacing::default();
            (0..40u64).filter_map(|k| p.behind(2 * k, 2.0 * k as f64 / 30.0, model_ms)).collect::<Vec<_>>()
        };
        assert!(run(20.0).is_empty());
        let behind = run(30.0);
        assert_eq!(behind.len(), 1, "{behind:?}");
        assert!((behind[0].0 - 30.0).abs() < 1e-9 && (behind[0].1 - 1e3 / 30.0).abs() < 1e-6, "{behind:?}");
    }

    #[test]
    fn recent_timings_keep_the_last_600_and_give_median_and_p95() {
        let mut r = Recent::<600>::default();
        assert_eq!(r.median_p95(), (0.0, 0.0));
        for x in (1..=1000).rev() {
            r.push(x as f64); // 1000 down to 1: the last 600 are 600..=1
        }
        assert_eq!(r.median_p95(), (301.0, 570.0));
    }
}
