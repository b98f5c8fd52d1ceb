//! Reps and the phase: a rep starts on each rise into the stretch and counts only if no fault was told in it;
//! a lift stopped short of the stretch is told and put apart with the reps that did not count.

use std::collections::BTreeMap;

use super::sides::side_index;
use super::{
    Category, Fault, Judge, Kind, PhaseState, EXIT_AFTER, LEAVING_SHARE, LEAVING_WINDOW, RETURN_SHARE, SHORT_AFTER,
};
use crate::body::measure::Side;
use crate::exercise::window;

/// A rep under way: it counts unless a fault is told before it ends.
#[derive(Debug, Clone)]
pub(super) struct Rep {
    pub(super) side: Option<Side>,
    /// When it began.
    pub(super) at: f64,
    pub(super) fault: Option<String>,
    /// Begun before the person was seen out of the stretch (past its exit): it counts once it ends through
    /// the exit, the whole movement seen, not while under way.
    pub(super) unconfirmed: bool,
}

impl Judge {
    /// Reps in good form: those ended, and the one under way while no fault has been told in it (unless it
    /// began before the person was seen out of the stretch, `Rep::unconfirmed`).
    pub fn reps(&self) -> u32 {
        self.reps + self.rep.as_ref().is_some_and(|r| r.fault.is_none() && !r.unconfirmed) as u32
    }

    /// Reps that did not count, by the first fault told in each (the one under way included once told).
    pub fn faulty_reps(&self) -> BTreeMap<String, u32> {
        let mut all = self.faulty.clone();
        if let Some(f) = self.spoilt() {
            *all.entry(f.clone()).or_default() += 1;
        }
        all
    }

    /// How many reps did not count, as [`Self::faulty_reps`] without building the map (every frame).
    pub(super) fn faulty_total(&self) -> u32 {
        self.faulty.values().sum::<u32>() + self.spoilt().is_some() as u32
    }

    /// The fault of the rep under way, once one has been told in it.
    pub(super) fn spoilt(&self) -> Option<&String> {
        self.rep.as_ref()?.fault.as_ref()
    }

    /// Starts a rep (on the working side, for per-side stretches).
    pub(super) fn start_rep(&mut self, fault: Option<String>, at: f64) {
        let side = self.side.filter(|_| self.exercise.per_side);
        let unconfirmed = !self.out_seen && !self.count_first;
        self.rep = Some(Rep { side, at, fault, unconfirmed });
    }

    /// Ends the rep under way: a good one counts, one with a fault told in it is put apart.
    pub(super) fn end_rep(&mut self, t: f64) {
        match self.rep.take() {
            Some(Rep { side, fault: None, .. }) => {
                self.reps += 1;
                if let Some(side) = side {
                    self.per_side[side_index(side)].reps += 1;
                }
            }
            Some(Rep { fault: Some(f), .. }) => {
                *self.faulty.entry(f.clone()).or_default() += 1;
                self.not_counted = Some((f, t));
            }
            None => {}
        }
    }

    /// The phase starts over (in, out, or on the other side): nobody is on the way out of it.
    pub(super) fn no_way_out(&mut self) {
        (self.returning, self.coming_back, self.leaving, self.settled_in) = (false, false, None, false);
    }

    /// Moves the phase on (with its hysteresis), starting a rep on each rise and noting rushed ones, and
    /// tells when the person is on the way out. Returns the fault of a lift stopped short, once told.
    pub(super) fn step_phase(&mut self, value: Option<f32>, setup_ok: bool, t: f64) -> Option<Fault> {
        let Some(p) = &self.exercise.phase else { return None };
        let Some(v) = value else { return self.short_told.clone() };
        let sign = p.sign();
        // A hold's recent readings, in the pose or not: the way in begins before the measure enters it, and
        // goes on while it keeps moving deeper quickly (by the share of the way from the exit that leaving takes).
        if self.exercise.kind == Kind::Hold {
            window::keep(&mut self.recent, t, v, LEAVING_WINDOW);
            let step = LEAVING_SHARE * (sign * (v - p.exit)).max(0.0);
            let moving_in = step > 0.0 && sign * (v - self.recent[0].1) >= step;
            // The way in ends once, when the person first settles in the pose: sinking deeper later, or a
            // measure that jitters, does not make it the way in again.
            self.settled_in |= self.phase == PhaseState::Up && !moving_in;
            self.arriving = moving_in && !self.settled_in;
        }
        let (entered, exited) = if p.rising() { (v >= p.enter, v < p.exit) } else { (v <= p.enter, v > p.exit) };
        // Already in the stretch when first seen: under way, not a rep (unless it was recognised).
        let first = !std::mem::replace(&mut self.phase_seen, true);
        // Seen out of the stretch, past its exit: a cat-cow begun from a flat back (between cat and cow) is
        // not yet a cycle, and one that goes no further than the cat is none.
        self.out_seen |= exited;
        match self.phase {
            PhaseState::Down if entered && setup_ok => {
                let min_cycle = p.min_cycle_seconds;
                self.phase = PhaseState::Up;
                self.peak = Some(v);
                self.no_way_out();
                self.entered_at = t;
                self.hold_progress = 0.0;
                (self.low, self.short_since, self.short_told, self.rep) = (None, None, None, None);
                if first && !self.count_first {
                    return None;
                }
                let rushed = self.last_rep_at.zip(min_cycle).is_some_and(|(last, min)| t - last < min as f64);
                if rushed {
                    self.too_fast_at = Some(t);
                    *self.fault_counts.entry("too-fast".into()).or_default() += 1;
                }
                self.last_rep_at = Some(t);
                self.start_rep(None, t);
            }
            PhaseState::Down => return self.step_short(v, setup_ok, t),
            PhaseState::Up if exited && t - *self.exiting_since.get_or_insert(t) + 1e-9 >= EXIT_AFTER => {
                self.exiting_since = None;
                self.phase = PhaseState::Down;
                self.peak = None;
                self.no_way_out();
                self.end_rep(t);
            }
            PhaseState::Up => {
                if !exited {
                    self.exiting_since = None;
                }
                let peak = self.peak.map_or(v, |pk| if sign * (v - pk) > 0.0 { v } else { pk });
                self.peak = Some(peak);
                if self.exercise.kind == Kind::Hold {
                    // On the way out once the measure moves on toward the exit quickly (since it entered the
                    // pose); still on it through a pause, until it comes back into the pose by as much.
                    let step = LEAVING_SHARE * sign * (peak - p.exit);
                    let since_in = self.recent.iter().find(|&&(at, _)| at > self.entered_at).map_or(v, |r| r.1);
                    self.leaving = match self.leaving {
                        Some(out) if sign * (v - out) >= step => None,
                        Some(out) => Some(if sign * (v - out) < 0.0 { v } else { out }),
                        None => (sign * (since_in - v) >= step).then_some(v),
                    };
                }
                let hold = self.exercise.hold_seconds.map(f64::from)?;
                let held = match self.exercise.kind {
                    Kind::Reps => self.hold_progress >= hold,
                    Kind::Hold if self.exercise.per_side => {
                        self.side.is_some_and(|s| self.per_side[side_index(s)].held >= hold)
                    }
                    Kind::Hold => self.held >= hold,
                };
                // Between reps, lowering before the hold is done is still the way out, not a sag.
                let span = sign * (peak - p.exit);
                let back = span > 0.0 && sign * (peak - v) >= RETURN_SHARE * span && self.exercise.kind == Kind::Reps;
                self.coming_back |= back;
                self.returning |= held || back;
            }
        }
        None
    }

    /// Resting: a lift that has risen `short.rise` from the lowest point and stays short of `enter` for
    /// [`SHORT_AFTER`] is told (a rep that will not count); falling back half way ends it.
    fn step_short(&mut self, v: f32, setup_ok: bool, t: f64) -> Option<Fault> {
        let p = self.exercise.phase.as_ref()?;
        let short = p.short.as_ref().filter(|_| setup_ok && self.exercise.kind == Kind::Reps)?;
        let sign = p.sign();
        let low = *self.low.get_or_insert(v);
        let low = if sign * (v - low) < 0.0 { v } else { low };
        self.low = Some(low);
        let rise = sign * (v - low);
        if rise < short.rise / 2.0 {
            if self.short_told.take().is_some() {
                self.end_rep(t);
                self.low = Some(v);
            }
            self.short_since = None;
            return None;
        }
        if rise < short.rise && self.short_told.is_none() {
            return None;
        }
        let since = *self.short_since.get_or_insert(t);
        if t - since + 1e-9 < SHORT_AFTER {
            return None;
        }
        let fault = Fault {
            id: short.fault.clone(),
            check: "phase".into(),
            category: Category::Form,
            priority: 0,
            prompt: short.prompt.clone(),
            since,
        };
        if self.short_told.is_none() {
            *self.fault_counts.entry(fault.id.clone()).or_default() += 1;
            self.start_rep(Some(fault.id.clone()), since);
            self.short_told = Some(fault.clone());
        }
        Some(fault)
    }
}
