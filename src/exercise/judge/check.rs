//! One check's state from frame to frame: failing since when, on which side of its range, with hysteresis,
//! told once it has persisted; a joint flickering to unknown keeps the state a moment.

use std::collections::VecDeque;

use super::{Fault, UNKNOWN_GRACE};
use crate::exercise::definition::{Check, Outcome};

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
    let (dir, start) = state.failing?;
    persisted(check, dir, start, t)
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
