//! The recorder: keeps a running session's rows and timeline in the SQLite history, on a thread of its own
//! so that a slow disk or a locked database never holds up judging.

use std::path::Path;

use crate::coaching::session::{FrameReport, Summary};
use crate::history::store::Store;
use crate::history::timeline::Sampler;

/// Seconds between writes of a running session.
pub const SAVE_EVERY: f64 = 2.0;

/// Keeps one session's rows up to date while it runs. A failure to write (disk full, read-only file)
/// is kept in `error` for the page and the terminal, and retried at the next save: coaching never stops
/// for it, and nothing already committed is touched.
pub struct Recorder {
    store: Option<Store>,
    id: Option<i64>,
    source: String,
    routine: Option<String>,
    /// Timeline samples not yet written (they go in with the next save).
    sampler: Sampler,
    pub error: Option<String>,
}

impl Recorder {
    pub fn open(path: &Path, source: &str, routine: Option<&str>) -> Recorder {
        let mut r = Recorder {
            store: None,
            id: None,
            source: source.into(),
            routine: routine.map(Into::into),
            sampler: Sampler::default(),
            error: None,
        };
        match Store::open(path) {
            Ok(s) => r.store = Some(s),
            Err(e) => r.error = Some(format!("session history not saved: {e}")),
        }
        r
    }

    /// Notes a judged frame for the timeline (sampled about once a second, and at each change of phase,
    /// rep or faults); written with the next save.
    pub fn frame(&mut self, report: &FrameReport) {
        self.sampler.frame(report);
    }

    /// The last save, closing the session.
    pub fn finish(&mut self, summary: &Summary) {
        self.save(summary, true);
    }

    /// The session's id once its row exists.
    pub fn id(&self) -> Option<i64> {
        self.id
    }

    fn save(&mut self, summary: &Summary, ended: bool) {
        let Some(store) = &mut self.store else { return };
        if self.id.is_none() && summary.frames == 0 {
            return; // nothing was judged (stopped before the first frame): no empty session in the history
        }
        let result = match self.id {
            Some(id) => Ok(id),
            None => store.begin(&self.source, self.routine.as_deref()),
        }
        .and_then(|id| {
            self.id = Some(id);
            store.save_with_timeline(id, summary, ended, self.sampler.pending())
        });
        // Written: drop them. Not written: keep them for the next try (the sampler bounds how many).
        if result.is_ok() {
            self.sampler.clear();
        }
        self.error = result.err().map(|e| format!("session history not saved: {e}"));
    }
}

/// A [`Recorder`] on a thread of its own, so that a slow disk or a locked database never holds up judging:
/// the judge hands it each frame report and, every [`SAVE_EVERY`] seconds, the summary, and returns at once.
/// While the writer is stuck, up to [`RecordingThread::BACKLOG`] messages wait; beyond that frames are
/// dropped from the timeline (counted) and a save is skipped (the next one carries everything).
pub struct RecordingThread {
    tx: std::sync::mpsc::SyncSender<Recording>,
    thread: std::thread::JoinHandle<Recorder>,
    last_save: Option<std::time::Instant>,
    /// Messages the writer could not take in time.
    pub dropped: u64,
}

enum Recording {
    Frame(Box<FrameReport>),
    Save(Box<Summary>),
}

impl RecordingThread {
    /// Half a minute of frames at 30 fps.
    pub const BACKLOG: usize = 900;

    /// Starts the writer; `on_error` is told after each save whether it failed (and why).
    pub fn start(mut recorder: Recorder, on_error: impl Fn(Option<String>) + Send + 'static) -> RecordingThread {
        let (tx, rx) = std::sync::mpsc::sync_channel(Self::BACKLOG);
        let thread = std::thread::Builder::new()
            .name("recorder".into())
            .spawn(move || {
                for message in rx {
                    match message {
                        Recording::Frame(r) => recorder.frame(&r),
                        Recording::Save(s) => {
                            recorder.save(&s, false);
                            on_error(recorder.error.clone());
                        }
                    }
                }
                recorder
            })
            .expect("a thread for the recorder");
        RecordingThread { tx, thread, last_save: None, dropped: 0 }
    }

    fn send(&mut self, message: Recording) {
        if self.tx.try_send(message).is_err() {
            self.dropped += 1;
        }
    }

    /// Hands over a judged frame, and the summary when a save is due.
    pub fn frame(&mut self, report: &FrameReport, summary: &Summary) {
        self.send(Recording::Frame(Box::new(report.clone())));
        if self.last_save.is_some_and(|l| l.elapsed().as_secs_f64() < SAVE_EVERY) {
            return;
        }
        self.last_save = Some(std::time::Instant::now());
        self.send(Recording::Save(Box::new(summary.clone())));
    }

    /// Waits for the writer to take everything handed to it; returns the recorder for the last save.
    pub fn finish(self) -> Recorder {
        drop(self.tx);
        self.thread.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::history::store::History as _;

    #[test]
    fn a_session_stopped_before_its_first_frame_leaves_no_row() {
        let dir = std::env::temp_dir().join(format!("stretchcoach-empty-{}", std::process::id()));
        // Emptied first: one left by an earlier run whose process had the same id holds that run's sessions.
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("e.db");
        let mut summary =
            crate::coaching::session::Session::with_plan(crate::coaching::session::Plan::Auto(Vec::new())).summary();
        let mut rec = Recorder::open(&path, "the browser's camera", None);
        rec.finish(&summary);
        assert_eq!((rec.id(), rec.error.as_deref()), (None, None));
        summary.frames = 1;
        let mut rec = Recorder::open(&path, "the browser's camera", None);
        rec.finish(&summary);
        assert!(rec.id().is_some());
        assert_eq!(Store::open(&path).unwrap().sessions(None, None, 10).unwrap().len(), 1);
        let _ = std::fs::remove_dir_all(dir);
    }
}
