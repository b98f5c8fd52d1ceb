//! Where the loop publishes and the server reads: the latest judgement, pose, frame, statistics and
//! summary, and a broadcast of every judgement for Server-Sent Events. Short locks only, so neither side
//! ever waits on the other's work.

use std::sync::mpsc::Sender;
use std::sync::{Arc, Mutex, OnceLock, RwLock};

use image::RgbImage;
use serde::Serialize;

use std::path::PathBuf;

use crate::capture::browser::BrowserFeed;
use crate::exercise::routine::Routine;
use crate::exercise::Exercise;
use crate::live::Control;
use crate::pose::PoseRecord;
use crate::session::{FrameReport, Summary};

/// Counters and timings of the live loop.
#[derive(Debug, Default, Clone, Serialize)]
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
#[derive(Debug, Default, Clone, Serialize)]
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
    pub status: Option<FrameReport>,
    pub pose: Option<PoseRecord>,
    pub stats: LiveStats,
}

pub struct Hub {
    state: RwLock<Status>,
    /// `state` as JSON, made once per change rather than once per request (a page polling /api/status
    /// must cost the loop nothing). Cleared by every change.
    status_json: Mutex<Option<Arc<str>>>,
    summary: RwLock<Option<Summary>>,
    frame: Mutex<Option<(u64, Arc<RgbImage>)>>,
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
    /// Time in the pose model, as a histogram for /metrics.
    model_hist: Mutex<Histogram>,
}

/// What event streams carry: every judgement, and the end of a session (its summary).
#[derive(Debug, Clone)]
pub enum HubEvent {
    Status(Arc<str>),
    Ended(Arc<str>),
}

/// Upper bounds of the model-time histogram buckets, in seconds.
pub const MODEL_BUCKETS: [f64; 9] = [0.002, 0.004, 0.006, 0.008, 0.012, 0.016, 0.025, 0.05, 0.1];

#[derive(Debug, Default, Clone)]
pub struct Histogram {
    /// Cumulative counts per bucket of [`MODEL_BUCKETS`].
    pub buckets: [u64; MODEL_BUCKETS.len()],
    pub count: u64,
    pub sum: f64,
}

impl Hub {
    pub fn new(catalog: Vec<Exercise>) -> Arc<Hub> {
        Self::with_history(catalog, Vec::new(), None)
    }

    pub fn with_history(catalog: Vec<Exercise>, routines: Vec<Routine>, db: Option<PathBuf>) -> Arc<Hub> {
        let (events, _) = tokio::sync::broadcast::channel(64);
        Arc::new(Hub {
            state: RwLock::new(Status::default()),
            status_json: Mutex::new(None),
            summary: RwLock::new(None),
            frame: Mutex::new(None),
            events,
            closing: tokio::sync::watch::Sender::new(false),
            browser: OnceLock::new(),
            control: Mutex::new(None),
            catalog,
            routines,
            db,
            model_hist: Mutex::new(Histogram::default()),
        })
    }

    /// Records one run of the pose model.
    pub fn observe_model(&self, seconds: f64) {
        let mut h = self.model_hist.lock().expect("histogram lock");
        for (b, le) in h.buckets.iter_mut().zip(MODEL_BUCKETS) {
            *b += (seconds <= le) as u64;
        }
        h.count += 1;
        h.sum += seconds;
    }

    pub fn model_histogram(&self) -> Histogram {
        self.model_hist.lock().expect("histogram lock").clone()
    }

    /// A problem writing the session history (disk full, read-only): shown, while coaching goes on.
    pub fn set_store_error(&self, error: Option<String>) {
        self.change().store_error = error;
    }

    /// The state, for a change; the cached JSON is dropped.
    fn change(&self) -> std::sync::RwLockWriteGuard<'_, Status> {
        *self.status_json.lock().expect("status json lock") = None;
        self.state.write().expect("state lock")
    }

    /// The latest state as JSON (for `/api/status`).
    pub fn status_json(&self) -> Arc<str> {
        let mut cache = self.status_json.lock().expect("status json lock");
        if let Some(j) = cache.as_ref() {
            return j.clone();
        }
        let j: Arc<str> =
            Arc::from(serde_json::to_string(&*self.state.read().expect("state lock")).expect("status serialises"));
        *cache = Some(j.clone());
        j
    }

    /// Where `POST /api/session/...` sends its requests.
    pub fn set_control(&self, control: Sender<Control>) {
        *self.control.lock().expect("control lock") = Some(control);
    }

    /// Sends a request to the loop; false when no loop is listening.
    pub fn send(&self, c: Control) -> bool {
        self.control.lock().expect("control lock").as_ref().is_some_and(|s| s.send(c).is_ok())
    }

    pub fn set_source(&self, source: String) {
        let mut s = self.change();
        s.source = source;
        s.source_error = None;
        s.running = true;
    }

    pub fn set_source_error(&self, error: Option<String>) {
        self.change().source_error = error;
    }

    pub fn set_recording(&self, on: bool) {
        self.change().recording = on;
    }

    pub fn update_stats(&self, f: impl FnOnce(&mut LiveStats)) -> LiveStats {
        let mut s = self.change();
        f(&mut s.stats);
        s.stats.clone()
    }

    /// A judged frame: stored as the latest, and broadcast to event subscribers.
    pub fn publish(&self, report: &FrameReport, pose: &PoseRecord, frame: Option<Arc<RgbImage>>, summary: &Summary) {
        let event = {
            let mut s = self.change();
            s.seq += 1;
            s.running = true;
            s.status = Some(report.clone());
            s.pose = Some(pose.clone());
            if let Some(f) = frame {
                *self.frame.lock().expect("frame lock") = Some((s.seq, f));
            }
            Arc::<str>::from(serde_json::to_string(&*s).expect("status serialises"))
        };
        *self.status_json.lock().expect("status json lock") = Some(event.clone());
        *self.summary.write().expect("summary lock") = Some(summary.clone());
        // No subscriber is fine.
        let _ = self.events.send(HubEvent::Status(event));
    }

    /// The loop has ended; the summary stays. Event streams get the final state, then `ended`.
    pub fn finish(&self, summary: &Summary) {
        self.change().running = false;
        *self.summary.write().expect("summary lock") = Some(summary.clone());
        let _ = self.events.send(HubEvent::Status(Arc::from(
            serde_json::to_string(&self.status()).expect("status serialises"),
        )));
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
        self.change().browser_camera = true;
    }

    pub fn browser_feed(&self) -> Option<&Arc<BrowserFeed>> {
        self.browser.get()
    }

    pub fn status(&self) -> Status {
        self.state.read().expect("state lock").clone()
    }

    pub fn summary(&self) -> Option<Summary> {
        self.summary.read().expect("summary lock").clone()
    }

    /// The latest frame and its sequence number.
    pub fn frame(&self) -> Option<(u64, Arc<RgbImage>)> {
        self.frame.lock().expect("frame lock").clone()
    }

    pub fn subscribe(&self) -> tokio::sync::broadcast::Receiver<HubEvent> {
        self.events.subscribe()
    }
}
