//! Spoken prompts through espeak-ng (Debian's `espeak-ng`). One utterance at a time: while one is being
//! said, only the newest waiting prompt is kept, so the voice never talks over itself or falls behind.

use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Condvar, Mutex};

/// The speech engine's command.
pub const ENGINE: &str = "espeak-ng";
/// Words per minute: a calm pace for someone mid-stretch.
const RATE: &str = "150";

/// True when the speech engine can be run.
pub fn available() -> bool {
    Command::new(ENGINE)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    #[error("could not run {ENGINE} ({0}); install it (Debian: apt-get install espeak-ng) or run with --voice=false")]
    Missing(std::io::Error),
    #[error("{ENGINE} failed: {0}")]
    Failed(String),
}

/// Renders `text` to a WAV file (what the tests listen to).
pub fn render_wav(text: &str, path: &Path) -> Result<(), VoiceError> {
    let out =
        Command::new(ENGINE).args(["-s", RATE, "-w"]).arg(path).arg(text).output().map_err(VoiceError::Missing)?;
    if !out.status.success() {
        return Err(VoiceError::Failed(String::from_utf8_lossy(&out.stderr).trim().to_string()));
    }
    Ok(())
}

struct Pending {
    next: Option<String>,
    closed: bool,
}

/// The speaker thread's name.
pub const THREAD: &str = "voice";

/// A speaker thread fed with prompts.
pub struct Voice {
    pending: Arc<(Mutex<Pending>, Condvar)>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Voice {
    pub fn start() -> Voice {
        let pending = Arc::new((Mutex::new(Pending { next: None, closed: false }), Condvar::new()));
        let p = pending.clone();
        let speaker = move || loop {
            let text = {
                let (lock, cv) = &*p;
                let mut g = lock.lock().expect("voice lock");
                while g.next.is_none() && !g.closed {
                    g = cv.wait(g).expect("voice lock");
                }
                match g.next.take() {
                    Some(t) => t,
                    None => return,
                }
            };
            // Blocks until said: the next prompt waits for this one to finish.
            let _ =
                Command::new(ENGINE).args(["-s", RATE]).arg(&text).stdout(Stdio::null()).stderr(Stdio::null()).status();
        };
        // No thread (the system refused one): no voice; the prompts are still shown.
        let thread = std::thread::Builder::new().name(THREAD.into()).spawn(speaker).ok();
        Voice { pending, thread }
    }

    /// Queues `text`, replacing anything not yet said.
    pub fn say(&self, text: &str) {
        let (lock, cv) = &*self.pending;
        lock.lock().expect("voice lock").next = Some(text.to_string());
        cv.notify_one();
    }
}

impl Drop for Voice {
    fn drop(&mut self) {
        let (lock, cv) = &*self.pending;
        lock.lock().expect("voice lock").closed = true;
        cv.notify_one();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
