//! Judging one stretch, frame by frame: which checks fail (with hysteresis and persistence), which phase
//! the movement is in, which side is working, reps counted and seconds held in good form.
//! No prompt wording lives here: it all comes from the definition.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::definition::{Category, Check, During, Exercise, Kind, Outcome, Pick};
use crate::measure::{near_side, Side, View};
use crate::pose::Pose;

/// Mean joint score below which nobody is taken to be in view.
const MIN_PERSON_SCORE: f32 = 0.15;
/// Seconds the set-up problems "nobody in view" / "not all of you in view" must last before they count.
const SETUP_PERSIST: f64 = 1.0;
/// A longer gap between frames than this adds no hold time (the stream stalled; we saw nothing).
const MAX_DT: f64 = 0.5;
/// A fault already told survives this long while a joint it needs flickers to "unknown"; after that the
/// check is unknown and its fault is dropped (unknown is never a fault).
const UNKNOWN_GRACE: f64 = 0.5;
/// The working side of a per-side stretch changes only after the other side has looked like it this long.
const SIDE_SWITCH: f64 = 0.7;
/// How long the "too fast" safety prompt stands after a rushed rep.
const TOO_FAST_FOR: f64 = 3.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum PhaseState {
    Down,
    Up,
}

/// A fault that has lasted long enough to be told to the user.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fault {
    pub id: String,
    pub check: String,
    pub category: Category,
    pub priority: u8,
    pub prompt: String,
    pub since: f64,
}

/// Progress on one side of a per-side stretch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct SideProgress {
    pub reps: u32,
    pub held: f64,
    pub done: bool,
}

/// How a check stands this frame, and which COCO joints it looks at.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckView {
    pub id: String,
    pub joints: Vec<&'static str>,
    pub status: CheckStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckStatus {
    Good,
    /// Failing long enough to be told.
    Fault,
    /// A joint it needs is unknown: never a fault.
    Unknown,
    /// Not judged now (another phase, or set-up not done).
    Idle,
}

/// What the judge saw in one frame.
#[derive(Debug, Clone, Serialize)]
pub struct Judgement {
    pub t: f64,
    pub exercise: String,
    /// Somebody is in view.
    pub person: bool,
    /// All joints the stretch needs are seen (false once some have been missing for a while).
    pub in_frame: bool,
    /// The side judged: the working side of a per-side stretch, else the side nearer the camera.
    pub side: Option<Side>,
    pub phase: Option<PhaseState>,
    /// Check id -> measured value (None: a joint it needs is unknown this frame).
    pub measures: BTreeMap<String, Option<f32>>,
    /// Faults, persisted, most important first.
    pub faults: Vec<Fault>,
    /// Some check is failing right now, told or not yet (no praise while so).
    pub failing: bool,
    pub reps: u32,
    /// Seconds held in good form, all told.
    pub held: f64,
    /// Seconds held in good form in the current hold (reps: this rep's top; hold: this side or the stretch).
    pub hold_progress: f64,
    /// Per-side stretches: left and right.
    pub sides: Option<[SideProgress; 2]>,
    pub checks: Vec<CheckView>,
}

impl Judgement {
    pub fn setup_ok(&self) -> bool {
        self.person && self.in_frame && !self.faults.iter().any(|f| f.category <= Category::Setup)
    }

    /// Progress of the side being judged (per-side stretches).
    pub fn side_progress(&self) -> Option<SideProgress> {
        Some(self.sides?[side_index(self.side?)])
    }
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Left => 0,
        Side::Right => 1,
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Dir {
    Below,
    Above,
}

#[derive(Debug, Default, Clone)]
struct CheckState {
    /// Failing on this side since this time.
    failing: Option<(Dir, f64)>,
    /// The failure has been counted (it persisted).
    counted: bool,
    /// A joint the check needs has been unknown since this time.
    unknown_since: Option<f64>,
    /// Recent values, for checks judged over a time window.
    history: VecDeque<(f64, f32)>,
}

pub struct Judge {
    exercise: Exercise,
    states: Vec<CheckState>,
    phase: PhaseState,
    last_t: Option<f64>,
    missing_since: Option<f64>,
    absent_since: Option<f64>,
    side: Option<Side>,
    side_candidate: Option<(Side, f64)>,
    reps: u32,
    held: f64,
    /// Seconds set up and in the working phase, in good form or not (the form score's denominator).
    working: f64,
    hold_progress: f64,
    per_side: [SideProgress; 2],
    last_rep_at: Option<f64>,
    too_fast_at: Option<f64>,
    fault_counts: BTreeMap<String, u32>,
}

impl Judge {
    pub fn new(exercise: Exercise) -> Self {
        Judge {
            states: vec![CheckState::default(); exercise.checks.len()],
            exercise,
            phase: PhaseState::Down,
            last_t: None,
            missing_since: None,
            absent_since: None,
            side: None,
            side_candidate: None,
            reps: 0,
            held: 0.0,
            working: 0.0,
            hold_progress: 0.0,
            per_side: [SideProgress::default(); 2],
            last_rep_at: None,
            too_fast_at: None,
            fault_counts: BTreeMap::new(),
        }
    }

    pub fn exercise(&self) -> &Exercise {
        &self.exercise
    }

    /// How many times each fault reached the user, by fault id.
    pub fn fault_counts(&self) -> &BTreeMap<String, u32> {
        &self.fault_counts
    }

    pub fn reps(&self) -> u32 {
        self.reps
    }

    pub fn held(&self) -> f64 {
        self.held
    }

    /// Form score, 0-100: the share of working time (set up, in the stretch) spent in good form.
    /// None until there has been working time.
    pub fn form_score(&self) -> Option<f64> {
        (self.working > 0.0).then(|| (100.0 * self.held / self.working).clamp(0.0, 100.0))
    }

    /// The stretch is complete: reps reached, hold reached, or both sides done.
    pub fn done(&self) -> bool {
        let ex = &self.exercise;
        if ex.per_side {
            return self.per_side.iter().all(|s| s.done);
        }
        match ex.kind {
            Kind::Reps => ex.rep_target.is_some_and(|n| self.reps >= n),
            Kind::Hold => ex.hold_seconds.is_some_and(|h| self.held >= h as f64),
        }
    }

    /// Left and right progress, for per-side stretches.
    pub fn sides(&self) -> Option<[SideProgress; 2]> {
        self.exercise.per_side.then_some(self.per_side)
    }

    /// The side to judge this frame: near the camera, or the working side (with a delay before switching).
    fn choose_side(&mut self, pose: &Pose, t: f64) -> Side {
        let near = near_side(pose);
        let Some(pick) = &self.exercise.sides else { return near };
        let on = |side| pick.measure.eval(&View { pose, side }, &pick.joints);
        let wanted = match pick.pick {
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
                if t - since >= SIDE_SWITCH {
                    self.side = Some(w);
                    self.side_candidate = None;
                    self.phase = PhaseState::Down;
                    self.hold_progress = 0.0;
                    self.reset_checks();
                }
            }
            _ => self.side_candidate = None,
        }
        self.side.unwrap_or(near)
    }

    /// Judges one frame; `pose` is None when the model saw nothing usable.
    pub fn update(&mut self, pose: Option<&Pose>, t: f64) -> Judgement {
        let dt = self.last_t.map(|lt| (t - lt).clamp(0.0, MAX_DT)).unwrap_or(0.0);
        self.last_t = Some(t);
        let pose = pose.filter(|p| p.mean_score() >= MIN_PERSON_SCORE);
        let person = since(&mut self.absent_since, pose.is_none(), t) < SETUP_PERSIST;

        let mut judgement = Judgement {
            t,
            exercise: self.exercise.id.clone(),
            person,
            in_frame: true,
            side: None,
            phase: self.exercise.phase.as_ref().map(|_| self.phase),
            measures: BTreeMap::new(),
            faults: Vec::new(),
            failing: false,
            reps: self.reps,
            held: self.held,
            hold_progress: self.hold_progress,
            sides: self.sides(),
            checks: Vec::new(),
        };
        let Some(pose) = pose else {
            self.reset_checks();
            self.hold_progress = 0.0;
            judgement.hold_progress = 0.0;
            return judgement;
        };
        let side = self.choose_side(pose, t);
        let view = View { pose, side };
        judgement.side = Some(side);

        let phase_value = self.exercise.phase.as_ref().and_then(|p| p.measure.eval(&view, &p.joints));
        let values: Vec<Option<f32>> = self.exercise.checks.iter().map(|c| c.measure.eval(&view, &c.joints)).collect();
        let missing = phase_value.is_none() && self.exercise.phase.is_some() || values.iter().any(|v| v.is_none());
        judgement.in_frame = since(&mut self.missing_since, missing, t) < SETUP_PERSIST;

        // Set-up checks, then phase, then form: form is judged, reps counted and holds timed only while
        // every set-up check passes right now (not only once a set-up fault has lasted long enough to tell).
        let mut setup_ok = judgement.in_frame;
        for pass in [Pass::Setup, Pass::Form] {
            if pass == Pass::Form {
                setup_ok &= self.exercise.checks.iter().zip(&self.states).all(|(c, s)| {
                    let seen = s.unknown_since.is_none_or(|u| t - u < UNKNOWN_GRACE);
                    c.category > Category::Setup || (s.failing.is_none() && seen)
                });
                self.step_phase(phase_value, setup_ok, t);
                judgement.phase = self.exercise.phase.as_ref().map(|_| self.phase);
            }
            for (i, check) in self.exercise.checks.iter().enumerate() {
                let is_setup = check.category <= Category::Setup;
                if is_setup != (pass == Pass::Setup) {
                    continue;
                }
                let applies = match check.during {
                    During::Always => true,
                    During::Up => self.phase == PhaseState::Up,
                    During::Down => self.phase == PhaseState::Down,
                } && (is_setup || setup_ok);
                let state = &mut self.states[i];
                let value = match check.window {
                    Some(w) => values[i].and_then(|v| window_spread(&mut state.history, t, v, w as f64)),
                    None => values[i],
                };
                judgement.measures.insert(check.id.clone(), value);
                let reading = match (applies, value, values[i]) {
                    (false, _, _) => Reading::NotApplicable,
                    (true, Some(v), _) => Reading::Value(v),
                    // A window still filling is not yet judged.
                    (true, None, Some(_)) => Reading::NotApplicable,
                    (true, None, None) => Reading::Unknown,
                };
                let mut status = match reading {
                    Reading::Value(_) => CheckStatus::Good,
                    Reading::Unknown => CheckStatus::Unknown,
                    Reading::NotApplicable => CheckStatus::Idle,
                };
                if let Some(fault) = step_check(check, state, reading, t) {
                    if !state.counted {
                        state.counted = true;
                        *self.fault_counts.entry(fault.id.clone()).or_default() += 1;
                    }
                    judgement.faults.push(fault);
                    status = CheckStatus::Fault;
                }
                let joints = check.joints.iter().flat_map(|j| view.joints(*j)).map(|j| j.name()).collect();
                judgement.checks.push(CheckView { id: check.id.clone(), joints, status });
            }
        }
        if let (Some(at), Some(p)) = (self.too_fast_at, &self.exercise.phase) {
            if t - at < TOO_FAST_FOR {
                judgement.faults.push(Fault {
                    id: "too-fast".into(),
                    check: "phase".into(),
                    category: Category::Safety,
                    priority: 0,
                    prompt: p.too_fast.clone().unwrap_or_default(),
                    since: at,
                });
            }
        }
        judgement.faults.sort_by_key(|f| (f.category, f.priority));

        // Good form: set up, no check failing right now (told or not), in the working phase.
        let failing_now = self.states.iter().any(|s| s.failing.is_some());
        let working = match (self.exercise.kind, &self.exercise.phase) {
            (_, Some(_)) => self.phase == PhaseState::Up,
            (Kind::Hold, None) => true,
            (Kind::Reps, None) => false,
        };
        if working && setup_ok {
            self.working += dt;
        }
        if !working || !setup_ok {
            self.hold_progress = 0.0;
        } else if !failing_now {
            self.hold_progress += dt;
            self.held += dt;
            if self.exercise.per_side {
                let p = &mut self.per_side[side_index(side)];
                p.held += dt;
            }
        }
        if self.exercise.per_side {
            let (hold, target) = (self.exercise.hold_seconds.unwrap_or(0.0) as f64, self.exercise.rep_target);
            for p in &mut self.per_side {
                p.done = match self.exercise.kind {
                    Kind::Hold => p.held >= hold,
                    Kind::Reps => target.is_some_and(|n| p.reps >= n),
                };
            }
        }
        judgement.failing = failing_now;
        judgement.reps = self.reps;
        judgement.held = self.held;
        judgement.hold_progress = self.hold_progress;
        judgement.sides = self.sides();
        judgement
    }

    /// Moves the phase on (with its hysteresis), counting a rep on each rise and noting rushed ones.
    fn step_phase(&mut self, value: Option<f32>, setup_ok: bool, t: f64) {
        let (Some(p), Some(v)) = (&self.exercise.phase, value) else { return };
        let (entered, exited) = if p.rising() { (v >= p.enter, v < p.exit) } else { (v <= p.enter, v > p.exit) };
        match self.phase {
            PhaseState::Down if entered && setup_ok => {
                self.phase = PhaseState::Up;
                self.reps += 1;
                self.hold_progress = 0.0;
                if let Some(side) = self.side.filter(|_| self.exercise.per_side) {
                    self.per_side[side_index(side)].reps += 1;
                }
                if let (Some(last), Some(min)) = (self.last_rep_at, p.min_cycle_seconds) {
                    if t - last < min as f64 {
                        self.too_fast_at = Some(t);
                        *self.fault_counts.entry("too-fast".into()).or_default() += 1;
                    }
                }
                self.last_rep_at = Some(t);
            }
            PhaseState::Up if exited => self.phase = PhaseState::Down,
            _ => {}
        }
    }

    fn reset_checks(&mut self) {
        self.states.iter_mut().for_each(|s| *s = CheckState::default());
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Pass {
    Setup,
    Form,
}

/// Seconds a condition has held (0 when it does not), tracking when it started.
fn since(start: &mut Option<f64>, condition: bool, t: f64) -> f64 {
    if !condition {
        *start = None;
        return 0.0;
    }
    t - *start.get_or_insert(t)
}

/// Adds a value and returns the spread (max - min) over the last `window` seconds, once that much is seen.
fn window_spread(history: &mut VecDeque<(f64, f32)>, t: f64, v: f32, window: f64) -> Option<f32> {
    history.push_back((t, v));
    while history.front().is_some_and(|(t0, _)| t - t0 > window) {
        history.pop_front();
    }
    let span = t - history.front()?.0;
    if span < 0.9 * window {
        return None;
    }
    let (lo, hi) = history.iter().fold((f32::MAX, f32::MIN), |(lo, hi), (_, v)| (lo.min(*v), hi.max(*v)));
    Some(hi - lo)
}

enum Reading {
    Value(f32),
    /// A joint the check needs is unknown this frame.
    Unknown,
    /// The check does not apply now (wrong phase, set-up not done, window still filling).
    NotApplicable,
}

/// Advances one check's state machine; returns its fault once it has persisted.
fn step_check(check: &Check, state: &mut CheckState, reading: Reading, t: f64) -> Option<Fault> {
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
