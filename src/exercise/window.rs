//! How much a measure moves: its spread (highest less lowest) over the last few seconds.

use std::collections::VecDeque;

/// Adds `v` at `t` to `history`, keeping only the readings of the last `window` seconds.
pub(crate) fn keep<T>(history: &mut VecDeque<(f64, T)>, t: f64, v: T, window: f64) {
    history.push_back((t, v));
    while history.front().is_some_and(|(t0, _)| t - t0 > window) {
        history.pop_front();
    }
}

/// Adds `v` at `t` to `history` and returns the spread over the last `window` seconds, once the readings
/// kept cover at least `full` of the window (0: from the first reading; a judge's check waits for 0.9 of it).
pub(crate) fn spread(history: &mut VecDeque<(f64, f32)>, t: f64, v: f32, window: f64, full: f64) -> Option<f32> {
    keep(history, t, v, window);
    let span = t - history.front()?.0;
    if span < full * window {
        return None;
    }
    let (lo, hi) = history.iter().fold((f32::MAX, f32::MIN), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
    Some(hi - lo)
}
