//! One check's state from frame to frame: failing since when, on which side of its range, with hysteresis,
//! told once it has persisted; a joint flickering to unknown keeps the state a moment.

use std::collections::VecDeque;

use super::{Fault, UNKNOWN_GRACE};
use crate::exercise::definition::{Category, Check, Outcome};
use crate::exercise::window;

/// Seconds over which a failing set-up check looks at whether the person is on their way into position.
const APPROACH_WINDOW: f64 = 0.5;
/// Share of the way to its range a failing set-up measure must have closed over that window (and at least twice
/// its hysteresis, past a measure's jitter) for the person to be on the way in: the check's persistence starts again.
/// A real cat-cow clip opens kneeling up and comes down onto all fours (the trunk from 86 to 39 degrees in a
/// second, 35 being all fours) and was told "Start on your hands and knees" as it arrived (dev23 4darshkumar).
const APPROACH_SHARE: f32 = 0.25;

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Dir {
    Below,
    Above,
}

#[derive(Debug, Default, Clone)]
pub(super) struct CheckState {
    /// Failing on this side since this time.
    pub(super) failing: Option<(Dir, f64)>,
    /// The failure has been counted (it persisted).
    pub(super) counted: bool,
    /// A joint the check needs has been unknown since this time.
    pub(super) unknown_since: Option<f64>,
    /// Recent values, for checks judged over a time window.
    pub(super) history: VecDeque<(f64, f32)>,
    /// A set-up check's recent distances outside its range, over [`APPROACH_WINDOW`].
    approach: VecDeque<(f64, f32)>,
}

pub(super) enum Reading {
    Value(f32),
    /// A joint the check needs is unknown this frame.
    Unknown,
    /// The check does not apply now (wrong phase, set-up not done, window still filling).
    NotApplicable,
}

/// Advances one check's state machine; returns its fault once it has persisted.
pub(super) fn step_check(check: &Check, state: &mut CheckState, reading: Reading, t: f64) -> Option<Fault> {
    let v = match reading {
        Reading::Value(v) => {
            state.unknown_since = None;
            v
        }
        Reading::Unknown if t - *state.unknown_since.get_or_insert(t) < UNKNOWN_GRACE => {
            // A flicker: keep the state as it was, neither advancing nor clearing it.
            return state.failing.and_then(|(dir, start)| persisted(check, dir, start, t));
        }
        Reading::Unknown | Reading::NotApplicable => {
            let history = std::mem::take(&mut state.history);
            *state = CheckState { history, ..CheckState::default() };
            return None;
        }
    };
    let [lo, hi] = check.range;
    let h = check.hysteresis();
    let now = if v < lo && check.below.is_some() {
        Some(Dir::Below)
    } else if v > hi && check.above.is_some() {
        Some(Dir::Above)
    } else {
        None
    };
    state.failing = match (state.failing, now) {
        (Some((d, s)), Some(n)) if d == n => Some((d, s)),
        (_, Some(n)) => {
            state.counted = false;
            Some((n, t))
        }
        // Back in range: clear only once clearly inside (hysteresis).
        (Some((Dir::Below, s)), None) if v < lo + h => Some((Dir::Below, s)),
        (Some((Dir::Above, s)), None) if v > hi - h => Some((Dir::Above, s)),
        (_, None) => {
            state.counted = false;
            None
        }
    };
    if check.category == Category::Setup {
        if let Some((dir, _)) = state.failing.filter(|_| on_the_way_in(state, v, lo, hi, h, t)) {
            state.failing = Some((dir, t));
        }
    }
    let (dir, start) = state.failing?;
    persisted(check, dir, start, t)
}

/// Whether a set-up measure at `v` has closed on its range `[lo, hi]` quickly over the last
/// [`APPROACH_WINDOW`] (see [`APPROACH_SHARE`]); keeps the window's distances.
fn on_the_way_in(state: &mut CheckState, v: f32, lo: f32, hi: f32, h: f32, t: f64) -> bool {
    let outside = (lo - v).max(v - hi).max(0.0);
    window::keep(&mut state.approach, t, outside, APPROACH_WINDOW);
    let before = state.approach.front().map_or(outside, |&(_, d)| d);
    before - outside >= (APPROACH_SHARE * before).max(2.0 * h)
}

/// The fault of a check failing in `dir` since `start`, once it has lasted `persist` seconds.
fn persisted(check: &Check, dir: Dir, start: f64, t: f64) -> Option<Fault> {
    if t - start + 1e-9 < check.persist as f64 {
        return None;
    }
    let outcome = match dir {
        Dir::Below => check.below.as_ref(),
        Dir::Above => check.above.as_ref(),
    };
    let Outcome { fault, prompt } = outcome?;
    Some(Fault {
        id: fault.clone(),
        check: check.id.clone(),
        category: check.category,
        priority: check.priority,
        prompt: prompt.clone(),
        since: start,
    })
}
