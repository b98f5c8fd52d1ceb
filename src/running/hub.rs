//! Where the loop publishes and the server reads: the latest judgement, pose, frame, statistics and
//! summary, as one immutable [`Snapshot`] per change, and a broadcast of every judgement for Server-Sent
//! Events. Readers take the current snapshot without a lock on the loop's state, so a request never sees
//! half a change nor an older state than the one before it; writers hold one short lock.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use image::RgbImage;
use prometheus_client::metrics::histogram::Histogram;
use serde::Serialize;

use std::path::PathBuf;

use crate::coaching::session::{FrameReport, Plan, Summary};
use crate::exercise::routine::Routine;
use crate::exercise::Exercise;
use crate::seeing::capture::browser::BrowserFeed;
use crate::seeing::pose::PoseRecord;

/// Requests to the running loop (from the page and the HTTP API).
#[derive(Debug)]
pub enum Control {
    SetPlan(Plan),
    Stop,
}

/// Counters and timings of the live loop.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct LiveStats {
    /// Frames read from the source.
    pub captured: u64,
    /// Frames the browser's page sent (with `--camera browser`); some may be dropped before decoding.
    pub received: u64,
    /// Frames judged.
    pub processed: u64,
    /// Frames replaced by a newer one before the model got to them.
    pub dropped: u64,
    /// Unreadable frames skipped.
    pub bad_frames: u64,
    /// Frames the model failed on.
    pub errors: u64,
    /// Judged frames per second, over the last 2 s.
    pub fps: f64,
    /// Capture to prompt, milliseconds: the latest frame, and median / 95th percentile of recent ones.
    pub latency_ms: f64,
    pub latency_ms_median: f64,
    pub latency_ms_p95: f64,
    pub model_ms_median: f64,
}

/// The latest of everything, as `/api/status` serves it.
#[derive(Debug, Default, Clone, Serialize, utoipa::ToSchema)]
pub struct Status {
    /// What is being watched.
    pub source: String,
    /// This run takes the browser's camera: the page offers to send it.
    pub browser_camera: bool,
    /// Why the source is not delivering (camera unplugged...), while that lasts.
    pub source_error: Option<String>,
    /// The loop is still running.
    pub running: bool,
    /// Frames are being written to disk (only with --record).
    pub recording: bool,
    /// Why the session history cannot be written, while that lasts.
    pub store_error: Option<String>,
    /// Sequence number of the latest judgement.
    pub seq: u64,
    /// The frame's report, which the web layer documents under this name (the session knows nothing of HTTP).
    #[schema(schema_with = frame_report)]
    pub status: Option<FrameReport>,
    /// The pose: each joint's position in pixels and its score, the image's size, the back's outline.
    #[schema(value_type = Option<Object>)]
    pub pose: Option<PoseRecord>,
    pub stats: LiveStats,
}

/// `FrameReport` or null, by the name the API document gives the report.
fn frame_report() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
    use utoipa::openapi::schema::{OneOfBuilder, Type};
    use utoipa::openapi::{ObjectBuilder, Ref};
    OneOfBuilder::new()
        .item(Ref::from_schema_name("FrameReport"))
        .item(ObjectBuilder::new().schema_type(Type::Null))
        .into()
}

/// Everything live at one moment. Never changed once published: a change publishes a new one.
#[derive(Debug, Default)]
pub struct Snapshot {
    pub status: Status,
    /// The latest judged frame and the sequence number it was judged at.
    pub frame: Option<(u64, Arc<RgbImage>)>,
    pub summary: Option<Arc<Summary>>,
    /// `status` as JSON, made at most once per snapshot and only when asked for (a page polling
    /// /api/status must cost the loop nothing).
    json: OnceLock<Arc<str>>,
}

impl Snapshot {
    /// The status as JSON (`/api/status`).
    pub fn status_json(&self) -> Arc<str> {
        self.json.get_or_init(|| Arc::from(serde_json::to_string(&self.status).expect("status serialises"))).clone()
    }
}

impl Clone for Snapshot {
    /// A copy to change and publish (its JSON, if made, belongs to the old state).
    fn clone(&self) -> Snapshot {
        Snapshot {
            status: self.status.clone(),
            frame: self.frame.clone(),
            summary: self.summary.clone(),
            json: OnceLock::new(),
        }
    }
}

pub struct Hub {
    /// Writers change a copy of the latest snapshot under this lock and publish it before letting go, so
    /// snapshots are published in the order of the changes.
    writer: Mutex<()>,
    latest: tokio::sync::watch::Sender<Arc<Snapshot>>,
    events: tokio::sync::broadcast::Sender<HubEvent>,
    /// Set when the server is about to stop: event streams send `ended` and close.
    closing: tokio::sync::watch::Sender<bool>,
    /// Where the page's camera frames go, when this run takes the browser's camera.
    browser: OnceLock<Arc<BrowserFeed>>,
    control: Mutex<Option<Sender<Control>>>,
    /// The stretches this program knows (for the page and the API).
    pub catalog: Vec<Exercise>,
    /// The routines this program knows.
    pub routines: Vec<Routine>,
    /// The session database the history API reads (none: history is not kept).
    pub db: Option<PathBuf>,
    /// Time in the pose model per frame, for /metrics (registered once, by [`crate::web::metrics::Metrics`]).
    pub inference_seconds: Histogram,
    /// Counted by the capture thread and the page's socket as frames arrive, folded into the snapshot the
    /// judge publishes: one snapshot per judged frame, not one per counter as well.
    arrived: Arrived,
}

#[derive(Default)]
struct Arrived {
    captured: AtomicU64,
    received: AtomicU64,
    dropped: AtomicU64,
    bad_frames: AtomicU64,
}

impl Arrived {
    fn fold_into(&self, s: &mut LiveStats) {
        s.captured = self.captured.load(Ordering::Relaxed);
        s.received = self.received.load(Ordering::Relaxed);
        s.dropped = self.dropped.load(Ordering::Relaxed);
        s.bad_frames = self.bad_frames.load(Ordering::Relaxed);
    }
}

/// What event streams carry: every judgement, and the end of a session (its summary).
#[derive(Debug, Clone)]
pub enum HubEvent {
    Status(Arc<str>),
    Ended(Arc<str>),
}

/// Upper bounds of the model-time histogram buckets, in seconds.
pub const MODEL_BUCKETS: [f64; 9] = [0.002, 0.004, 0.006, 0.008, 0.012, 0.016, 0.025, 0.05, 0.1];

impl Hub {
    pub fn new(catalog: Vec<Exercise>) -> Arc<Hub> {
        Self::with_history(catalog, Vec::new(), None)
    }

    pub fn with_history(catalog: Vec<Exercise>, routines: Vec<Routine>, db: Option<PathBuf>) -> Arc<Hub> {
        let (events, _) = tokio::sync::broadcast::channel(64);
        Arc::new(Hub {
            writer: Mutex::new(()),
            latest: tokio::sync::watch::Sender::new(Arc::new(Snapshot::default())),
            events,
            closing: tokio::sync::watch::Sender::new(false),
            browser: OnceLock::new(),
            control: Mutex::new(None),
            catalog,
            routines,
            db,
            inference_seconds: Histogram::new(MODEL_BUCKETS),
            arrived: Arrived::default(),
        })
    }

    /// Records one run of the pose model.
    pub fn observe_model(&self, seconds: f64) {
        self.inference_seconds.observe(seconds);
    }

    /// A problem writing the session history (disk full, read-only): shown, while coaching goes on.
    pub fn set_store_error(&self, error: Option<String>) {
        self.change(|s| s.status.store_error = error)
    }

    /// Applies `f` to a copy of the latest snapshot and publishes the copy; returns what `f` returns.
    fn change<T>(&self, f: impl FnOnce(&mut Snapshot) -> T) -> T {
        self.change_and_keep(f).1
    }

    /// [`Hub::change`], giving the snapshot it published too.
    fn change_and_keep<T>(&self, f: impl FnOnce(&mut Snapshot) -> T) -> (Arc<Snapshot>, T) {
        let _writing = lock(&self.writer);
        let mut next = Snapshot::clone(&self.latest.borrow());
        let out = f(&mut next);
        let next = Arc::new(next);
        self.latest.send_replace(next.clone());
        (next, out)
    }

    /// The latest of everything, as one consistent snapshot.
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.latest.borrow().clone()
    }

    /// The latest state as JSON (for `/api/status`).
    pub fn status_json(&self) -> Arc<str> {
        self.snapshot().status_json()
    }

    /// Where `POST /api/session/...` sends its requests.
    pub fn set_control(&self, control: Sender<Control>) {
        *lock(&self.control) = Some(control);
    }

    /// Sends a request to the loop; false when no loop is listening.
    pub fn send(&self, c: Control) -> bool {
        lock(&self.control).as_ref().is_some_and(|s| s.send(c).is_ok())
    }

    pub fn set_source(&self, source: String) {
        self.change(|s| {
            s.status.source = source;
            s.status.source_error = None;
            s.status.running = true;
        })
    }

    pub fn set_source_error(&self, error: Option<String>) {
        self.change(|s| s.status.source_error = error)
    }

    pub fn set_recording(&self, on: bool) {
        self.change(|s| s.status.recording = on)
    }

    pub fn update_stats(&self, f: impl FnOnce(&mut LiveStats)) -> LiveStats {
        self.change(|s| {
            f(&mut s.status.stats);
            self.arrived.fold_into(&mut s.status.stats);
            s.status.stats.clone()
        })
    }

    /// A frame from the source, and whether it replaced one the judge never took.
    pub fn count_captured(&self, dropped: bool) {
        self.arrived.captured.fetch_add(1, Ordering::Relaxed);
        self.arrived.dropped.fetch_add(dropped as u64, Ordering::Relaxed);
    }

    /// A frame from the page's camera, and whether it replaced one never decoded.
    pub fn count_received(&self, dropped: bool) {
        self.arrived.received.fetch_add(1, Ordering::Relaxed);
        self.arrived.dropped.fetch_add(dropped as u64, Ordering::Relaxed);
    }

    pub fn count_bad_frame(&self) {
        self.arrived.bad_frames.fetch_add(1, Ordering::Relaxed);
    }

    /// A judged frame, with its statistics: published as the latest (one snapshot), and broadcast to event
    /// subscribers. The JSON is made after the lock is let go.
    pub fn publish(
        &self,
        report: &FrameReport,
        pose: PoseRecord,
        frame: Option<Arc<RgbImage>>,
        summary: Arc<Summary>,
        stats: impl FnOnce(&mut LiveStats),
    ) -> LiveStats {
        let (published, stats) = self.change_and_keep(|s| {
            s.status.seq += 1;
            s.status.running = true;
            s.status.status = Some(report.clone());
            s.status.pose = Some(pose);
            if let Some(f) = frame {
                s.frame = Some((s.status.seq, f));
            }
            s.summary = Some(summary);
            stats(&mut s.status.stats);
            self.arrived.fold_into(&mut s.status.stats);
            s.status.stats.clone()
        });
        // The event's JSON is the snapshot's: made once, for the stream and for /api/status. No subscriber
        // is fine.
        let _ = self.events.send(HubEvent::Status(published.status_json()));
        stats
    }

    /// The loop has ended; the summary stays. Event streams get the final state, then `ended`.
    pub fn finish(&self, summary: &Summary) {
        let (last, ()) = self.change_and_keep(|s| {
            s.status.running = false;
            s.summary = Some(Arc::new(summary.clone()));
            self.arrived.fold_into(&mut s.status.stats);
        });
        let _ = self.events.send(HubEvent::Status(last.status_json()));
        let _ = self.events.send(HubEvent::Ended(self.ended_json(false)));
    }

    /// The data of an `ended` event: the summary, and whether the server is closing too.
    pub fn ended_json(&self, closing: bool) -> Arc<str> {
        Arc::from(serde_json::json!({ "summary": self.summary(), "closing": closing }).to_string())
    }

    /// The server is stopping: event streams end (after a last `ended`).
    pub fn close_events(&self) {
        self.closing.send_replace(true);
    }

    /// Resolves once [`Hub::close_events`] has been called.
    pub async fn events_closed(&self) {
        let _ = self.closing.subscribe().wait_for(|c| *c).await;
    }

    /// This run takes the browser's camera: frames from the page go to `feed`.
    pub fn set_browser_feed(&self, feed: Arc<BrowserFeed>) {
        let _ = self.browser.set(feed);
        self.change(|s| s.status.browser_camera = true)
    }

    pub fn browser_feed(&self) -> Option<&Arc<BrowserFeed>> {
        self.browser.get()
    }

    pub fn status(&self) -> Status {
        self.snapshot().status.clone()
    }

    pub fn summary(&self) -> Option<Summary> {
        self.snapshot().summary.as_deref().cloned()
    }

    /// The latest frame and its sequence number.
    pub fn frame(&self) -> Option<(u64, Arc<RgbImage>)> {
        self.snapshot().frame.clone()
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<HubEvent> {
        self.events.subscribe()
    }
}

/// A lock that a panic elsewhere (which ends that thread, not the program) does not make every later
/// request panic: the data behind these locks is always whole between statements.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::coaching::session::{Plan, Session};

    fn judged(session: &mut Session, t: f64) -> (FrameReport, Summary) {
        (session.step(None, t), session.summary())
    }

    #[test]
    fn once_finished_no_reader_is_served_the_running_state() {
        let hub = Hub::new(crate::exercise::built_in());
        let mut session = Session::with_plan(Plan::Auto(crate::exercise::built_in()));
        let pose = PoseRecord::coco(640, 480, vec![[0.0; 3]; 17]);
        // Pages polling as fast as they can, while the loop publishes and finishes again and again.
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let readers: Vec<_> = (0..2)
            .map(|_| {
                let (hub, stop) = (hub.clone(), stop.clone());
                std::thread::Builder::new().name("reader".into()).spawn(move || {
                    let mut last_seq = 0;
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        let s = hub.snapshot();
                        assert!(s.status.seq >= last_seq, "a reader went back in time");
                        last_seq = s.status.seq;
                        let _ = hub.status_json();
                    }
                })
            })
            .collect();
        for i in 0..3000 {
            let (report, summary) = judged(&mut session, i as f64 / 30.0);
            hub.publish(&report, pose.clone(), None, Arc::new(summary.clone()), |_| {});
            hub.finish(&summary);
            let json: serde_json::Value = serde_json::from_str(&hub.status_json()).unwrap();
            assert_eq!(json["running"], false, "a stale state was served after the end (round {i})");
            assert_eq!(json["seq"], i + 1);
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        readers.into_iter().for_each(|r| r.unwrap().join().unwrap());
    }

    #[test]
    fn a_panic_during_a_change_does_not_break_later_requests() {
        let hub = Hub::new(Vec::new());
        let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            hub.update_stats(|_| panic!("a bug while counting"));
        }));
        assert!(panicked.is_err());
        hub.set_source("camera 0".into());
        assert_eq!(hub.status().source, "camera 0");
        assert!(hub.status_json().contains("camera 0"));
    }

    #[test]
    fn frames_arriving_are_counted_into_the_next_judged_snapshot_not_one_each() {
        let hub = Hub::new(Vec::new());
        let mut session = Session::with_plan(Plan::Auto(Vec::new()));
        let before = hub.snapshot();
        for i in 0..10 {
            hub.count_captured(i % 2 == 1);
            hub.count_received(false);
        }
        hub.count_bad_frame();
        assert!(Arc::ptr_eq(&before, &hub.snapshot()), "a counter published a snapshot");
        let (report, summary) = judged(&mut session, 0.0);
        let stats = hub.publish(&report, PoseRecord::coco(1, 1, vec![[0.0; 3]; 17]), None, Arc::new(summary), |s| {
            s.processed += 1
        });
        let s = hub.status().stats;
        assert_eq!((s.captured, s.received, s.dropped, s.bad_frames, s.processed), (10, 10, 5, 1, 1));
        assert_eq!(stats.captured, 10);
    }
}
