//! Ending a run cleanly on Ctrl-C (SIGINT) or SIGTERM: the loop stops, the session is saved and marked
//! ended, the server lets its requests finish, and the program exits 0. A second signal exits at once.

use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

/// Set once when the run should end; threads wait on it or poll it.
pub struct Shutdown {
    requested: Mutex<bool>,
    changed: Condvar,
    notify: tokio::sync::watch::Sender<bool>,
}

/// The exit status of a run ended by a second signal (128 + SIGINT, as shells report it).
pub const FORCED_EXIT: i32 = 130;

impl Shutdown {
    pub fn new() -> Arc<Shutdown> {
        Arc::new(Shutdown {
            requested: Mutex::new(false),
            changed: Condvar::new(),
            notify: tokio::sync::watch::Sender::new(false),
        })
    }

    /// Requests the end of the run (what a signal does; also for tests and the API).
    pub fn request(&self) {
        *self.requested.lock().unwrap_or_else(|p| p.into_inner()) = true;
        self.changed.notify_all();
        self.notify.send_replace(true);
    }

    pub fn is_requested(&self) -> bool {
        *self.requested.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits up to `timeout` for the request; true once requested.
    pub fn wait_timeout(&self, timeout: Duration) -> bool {
        let guard = self.requested.lock().unwrap_or_else(|p| p.into_inner());
        *self.changed.wait_timeout_while(guard, timeout, |r| !*r).unwrap_or_else(|p| p.into_inner()).0
    }

    /// Waits for the request (for async code: the server).
    pub async fn requested(&self) {
        let mut rx = self.notify.subscribe();
        let _ = rx.wait_for(|r| *r).await;
    }

    /// Turns the first SIGINT or SIGTERM into a request, calling `on_first` (to say what happens now); a
    /// second one ends the program at once.
    pub fn on_signals(self: &Arc<Self>, on_first: impl Fn() + Send + 'static) -> std::io::Result<()> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])?;
        let me = self.clone();
        std::thread::Builder::new().name("signals".into()).spawn(move || {
            for _ in signals.forever() {
                if me.is_requested() {
                    eprintln!("\nstopping at once");
                    std::process::exit(FORCED_EXIT);
                }
                on_first();
                me.request();
            }
        })?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_wakes_sync_and_async_waiters() {
        let s = Shutdown::new();
        assert!(!s.wait_timeout(Duration::from_millis(10)));
        let s2 = s.clone();
        let waiter = std::thread::Builder::new()
            .name("waiter".into())
            .spawn(move || s2.wait_timeout(Duration::from_secs(10)))
            .unwrap();
        let s3 = s.clone();
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let async_waiter = std::thread::Builder::new().name("async-waiter".into()).spawn(move || {
            rt.block_on(async { tokio::time::timeout(Duration::from_secs(10), s3.requested()).await.is_ok() })
        });
        std::thread::sleep(Duration::from_millis(50));
        s.request();
        assert!(waiter.join().unwrap());
        assert!(async_waiter.unwrap().join().unwrap());
        assert!(s.is_requested());
    }
}
