//! A one-deep, newest-wins hand-over between two threads: the camera's frame to the judge, the page's JPEG
//! to the capture thread, the prompt to the speaker. A value not yet taken when the next arrives is
//! replaced (the taker only ever wants the newest), and closing wakes both sides.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

pub struct Slot<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
}

struct State<T> {
    value: Option<T>,
    closed: bool,
}

/// Why [`Slot::take_within`] came back empty.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Empty {
    /// Closed, and the last value taken.
    Closed,
    /// Nothing came in time.
    TimedOut,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Slot { state: Mutex::new(State { value: None, closed: false }), ready: Condvar::new() }
    }
}

impl<T> Slot<T> {
    pub fn new() -> Self {
        Self::default()
    }

    /// A panic on another thread while it held the lock leaves the slot as it was: still usable.
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Puts `value` in; true when it replaced one never taken (a drop).
    pub fn put(&self, value: T) -> bool {
        let dropped = self.lock().value.replace(value).is_some();
        self.ready.notify_all();
        dropped
    }

    /// Waits for the slot to be taken (or closed) first, so nothing is dropped: a recording replayed at its
    /// own pace. True when a value was replaced all the same (closed while waiting).
    pub fn put_when_empty(&self, value: T) -> bool {
        let mut s = self.lock();
        while s.value.is_some() && !s.closed {
            s = self.ready.wait(s).unwrap_or_else(|p| p.into_inner());
        }
        let dropped = s.value.replace(value).is_some();
        drop(s);
        self.ready.notify_all();
        dropped
    }

    /// Ends the hand-over: a waiting taker gets what is left, then `None`; a waiting putter returns.
    pub fn close(&self) {
        self.lock().closed = true;
        self.ready.notify_all();
    }

    /// The newest value, waiting for one; `None` once closed and empty.
    pub fn take(&self) -> Option<T> {
        self.take_until(None).ok()
    }

    /// [`Slot::take`], waiting at most `wait` (so that a loop can see to other things while nothing comes).
    pub fn take_within(&self, wait: Duration) -> Result<T, Empty> {
        self.take_until(Some(Instant::now() + wait))
    }

    fn take_until(&self, deadline: Option<Instant>) -> Result<T, Empty> {
        let mut s = self.lock();
        loop {
            if let Some(v) = s.value.take() {
                drop(s);
                self.ready.notify_all();
                return Ok(v);
            }
            if s.closed {
                return Err(Empty::Closed);
            }
            s = match deadline {
                None => self.ready.wait(s).unwrap_or_else(|p| p.into_inner()),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Err(Empty::TimedOut);
                    }
                    self.ready.wait_timeout(s, left).unwrap_or_else(|p| p.into_inner()).0
                }
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn the_newest_value_wins_and_a_replaced_one_counts_as_dropped() {
        let slot = Slot::new();
        assert!(!slot.put(1));
        assert!(slot.put(2));
        assert_eq!(slot.take(), Some(2));
        assert_eq!(slot.take_within(Duration::from_millis(10)), Err(Empty::TimedOut));
    }

    #[test]
    fn closing_hands_over_what_is_left_then_ends() {
        let slot = Slot::new();
        slot.put("last");
        slot.close();
        assert_eq!(slot.take(), Some("last"));
        assert_eq!(slot.take(), None);
        assert_eq!(slot.take_within(Duration::from_secs(5)), Err(Empty::Closed));
    }

    #[test]
    fn a_waiting_taker_is_woken_by_a_put_and_by_close() {
        let slot = Arc::new(Slot::new());
        let s = slot.clone();
        let taker = std::thread::spawn(move || (s.take(), s.take()));
        std::thread::sleep(Duration::from_millis(50));
        slot.put(7);
        std::thread::sleep(Duration::from_millis(50));
        slot.close();
        assert_eq!(taker.join().unwrap(), (Some(7), None));
    }

    #[test]
    fn put_when_empty_waits_for_the_taker_and_drops_nothing() {
        let slot = Arc::new(Slot::new());
        let s = slot.clone();
        let putter = std::thread::spawn(move || (0..100).map(|i| s.put_when_empty(i)).filter(|d| *d).count());
        let taken: Vec<i32> = (0..100).map(|_| slot.take().unwrap()).collect();
        assert_eq!(putter.join().unwrap(), 0);
        assert_eq!(taken, (0..100).collect::<Vec<_>>());
    }

    #[test]
    fn close_releases_a_putter_waiting_for_room() {
        let slot = Arc::new(Slot::new());
        slot.put(1);
        let s = slot.clone();
        let putter = std::thread::spawn(move || s.put_when_empty(2));
        std::thread::sleep(Duration::from_millis(50));
        slot.close();
        assert!(putter.join().unwrap(), "replaced the untaken value once closed");
    }
}
