//! Spoken prompts through espeak-ng (Debian's `espeak-ng`). One utterance at a time: while one is being
//! said, only the newest waiting prompt is kept, so the voice never talks over itself or falls behind.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::slot::Slot;

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

/// The speaker thread's name.
pub const THREAD: &str = "voice";

/// A speaker thread fed with prompts.
pub struct Voice {
    /// The prompt to say next: a newer one replaces one not yet begun.
    pending: Arc<Slot<String>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Voice {
    /// Speaks through the sound card.
    pub fn start() -> Voice {
        Voice::with_output(None)
    }

    /// Writes each utterance to `DIR/000.wav`, `001.wav`, ... instead of playing it: the same thread and
    /// hand-over, heard by a test (or kept) instead of the speakers.
    pub fn recording(dir: &Path) -> Voice {
        Voice::with_output(Some(dir.to_path_buf()))
    }

    fn with_output(dir: Option<PathBuf>) -> Voice {
        let pending: Arc<Slot<String>> = Arc::new(Slot::new());
        let p = pending.clone();
        let speaker = move || {
            let mut said = 0;
            while let Some(text) = p.take() {
                let mut cmd = Command::new(ENGINE);
                cmd.args(["-s", RATE]);
                if let Some(dir) = &dir {
                    cmd.arg("-w").arg(dir.join(format!("{said:03}.wav")));
                }
                // Blocks until said: the next prompt waits for this one to finish.
                let _ = cmd.arg(&text).stdout(Stdio::null()).stderr(Stdio::null()).status();
                said += 1;
            }
        };
        // No thread (the system refused one): no voice; the prompts are still shown.
        let thread = std::thread::Builder::new().name(THREAD.into()).spawn(speaker).ok();
        Voice { pending, thread }
    }

    /// Queues `text`, replacing anything not yet said.
    pub fn say(&self, text: &str) {
        self.pending.put(text.to_string());
    }
}

impl Drop for Voice {
    fn drop(&mut self) {
        self.pending.close();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
