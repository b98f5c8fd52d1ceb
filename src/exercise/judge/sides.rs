//! Which side is judged: the side nearer the camera, steadied, or the working side of a per-side stretch.

use super::reps::Rep;
use super::{outline_seen, Judge, PhaseState, SideProgress, SIDE_SWITCH};
use crate::body::measure::{near_side, seen_from, Side, View};
use crate::exercise::definition::Pick;
use crate::seeing::pose::Pose;

pub(super) fn side_index(side: Side) -> usize {
    match side {
        Side::Left => 0,
        Side::Right => 1,
    }
}

impl Judge {
    /// Left and right progress, for per-side stretches.
    pub fn sides(&self) -> Option<[SideProgress; 2]> {
        let mut sides = self.per_side;
        if let Some(Rep { side: Some(side), fault: None, unconfirmed: false, .. }) = self.rep {
            sides[side_index(side)].reps += 1;
        }
        self.exercise.per_side.then_some(sides)
    }

    /// The side nearer the camera, steadied: it changes when the other side has looked nearer for
    /// [`SIDE_SWITCH`] seconds, or at once when the current side's outline is no longer seen.
    fn steady_near(&mut self, pose: &Pose, t: f64) -> Side {
        let now = near_side(pose);
        let current = *self.near.get_or_insert(now);
        let lost = !outline_seen(&View { pose, side: current });
        if now == current {
            self.near_candidate = None;
            return current;
        }
        let since = match self.near_candidate {
            Some((s, since)) if s == now => since,
            _ => t,
        };
        self.near_candidate = Some((now, since));
        if lost || t - since >= SIDE_SWITCH {
            self.near = Some(now);
            self.near_candidate = None;
        }
        self.near.unwrap_or(now)
    }

    /// The side to judge this frame: near the camera, or the working side (with a delay before switching).
    pub(super) fn choose_side(&mut self, pose: &Pose, t: f64) -> Side {
        let near = self.steady_near(pose, t);
        let Some(pick) = &self.exercise.sides else { return near };
        let on = |side| pick.measure.eval(&View { pose, side }, &pick.joints);
        let alternate = pick.view.is_some_and(|v| seen_from(pose) != Some(v));
        let wanted = match pick.pick {
            // Seen a way the measure cannot tell the sides apart: the other side once this one is done
            // and the person has come out of the stretch.
            _ if alternate => self.side.map(|s| {
                let done = self.per_side[side_index(s)].done;
                if done && self.phase == PhaseState::Down {
                    s.other()
                } else {
                    s
                }
            }),
            Pick::Sign => on(near).map(|v| if v >= 0.0 { Side::Left } else { Side::Right }),
            Pick::Min | Pick::Max => match (on(Side::Left), on(Side::Right)) {
                (Some(l), Some(r)) => Some(if (l <= r) == (pick.pick == Pick::Min) { Side::Left } else { Side::Right }),
                (Some(_), None) => Some(Side::Left),
                (None, Some(_)) => Some(Side::Right),
                (None, None) => None,
            },
        };
        let current = *self.side.get_or_insert(wanted.unwrap_or(near));
        match wanted {
            Some(w) if w != current => {
                let since = match self.side_candidate {
                    Some((s, since)) if s == w => since,
                    _ => t,
                };
                self.side_candidate = Some((w, since));
                if t - since >= SIDE_SWITCH || alternate {
                    self.end_rep(t);
                    self.side = Some(w);
                    self.side_candidate = None;
                    self.phase = PhaseState::Down;
                    self.peak = None;
                    self.no_way_out();
                    self.recent.clear();
                    self.hold_progress = 0.0;
                    self.reset_checks();
                }
            }
            _ => self.side_candidate = None,
        }
        self.side.unwrap_or(near)
    }
}
