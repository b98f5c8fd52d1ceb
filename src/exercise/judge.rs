//! Judging one stretch, frame by frame: which checks fail (with hysteresis and persistence), which phase
//! the movement is in, which side is working, reps counted and seconds held in good form.
//! No prompt wording lives here: it all comes from the definition.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use super::definition::{Category, Check, During, Exercise, Kind, Outcome, Pick};
use crate::body::measure::{near_side, seen_from, JointRef, Measure, Part, Side, View};
use crate::seeing::pose::Pose;

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
/// In the working phase, once the phase measure has come back this share of the way from its peak towards
/// the exit threshold, the person is deliberately coming out: form is no longer judged until the next
/// rep. (The bridge clip of tests/fixtures/real: a deliberate lowering passes 35 % within 0.2 s, while
/// hips sagging during a hold stay well under it.)
const RETURN_SHARE: f32 = 0.35;
/// Leaving the working phase must last this long: a joint that jumps for a frame or two (it happens on
/// real footage) is not the end of a rep, nor the start of another.
const EXIT_AFTER: f64 = 0.2;
/// Form is judged once set-up has held this long: a person still moving into position (the real cat-cow
/// clip of Hanshitha22 in docs/dev-footage: hands and knees placed over 0.7 s after the back is level) is
/// not yet doing the stretch.
const SETTLE: f64 = 1.0;
/// A lift begun but stopped short must stay short this long before it is told.
const SHORT_AFTER: f64 = 1.0;
/// "That one didn't count" stands this long after the rep that did not count.
const NOT_COUNTED_FOR: f64 = 3.0;
/// The outline of the body (on the side nearer the camera): all seen means the person is in frame.
const OUTLINE: [Part; 4] = [Part::Shoulder, Part::Hip, Part::Knee, Part::Ankle];

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

/// How a check stands this frame, and which landmarks it looks at ("back" for the back's outline).
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
    /// On the way out of the stretch after a hold or a rep: form is not judged.
    pub returning: bool,
    /// Check id -> measured value (None: a joint it needs is unknown this frame).
    pub measures: BTreeMap<String, Option<f32>>,
    /// Faults, persisted, most important first.
    pub faults: Vec<Fault>,
    /// Some check is failing right now, told or not yet (no praise while so).
    pub failing: bool,
    /// Reps done in good form (the one under way included while no fault has been told in it).
    pub reps: u32,
    /// Reps with a fault told in them (by fault: [`Judge::faulty_reps`]).
    pub faulty_reps: u32,
    /// The rep just ended did not count, for this fault: for a few seconds after it.
    pub not_counted: Option<String>,
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

/// A rep under way: it counts unless a fault is told before it ends.
#[derive(Debug, Clone)]
struct Rep {
    side: Option<Side>,
    /// When it began.
    at: f64,
    fault: Option<String>,
}

pub struct Judge {
    exercise: Exercise,
    states: Vec<CheckState>,
    phase: PhaseState,
    /// The phase has been read at least once (a stretch already under way when first seen is no rep).
    phase_seen: bool,
    /// The entry into the stretch when it is first seen counts as a rep (the stretch was recognised
    /// from the pose, so the person was seen getting into it).
    count_first: bool,
    /// The most "up" value of the phase measure in this working phase, and whether the person has since
    /// come back from it far enough to be on the way out.
    peak: Option<f32>,
    returning: bool,
    /// Returning because the phase measure is well back from its peak: no more hold time either.
    coming_back: bool,
    last_t: Option<f64>,
    missing_since: Option<f64>,
    absent_since: Option<f64>,
    /// Every set-up check has passed since this time.
    set_up_since: Option<f64>,
    side: Option<Side>,
    side_candidate: Option<(Side, f64)>,
    /// The side nearer the camera, kept until the other has looked nearer for a while: side-on, both sides'
    /// joints overlap and their scores trade places from frame to frame, and each swap would move every
    /// measure (on the real bridge clip it counted four lifts for two).
    near: Option<Side>,
    near_candidate: Option<(Side, f64)>,
    /// The phase measure has read "out" since this time.
    exiting_since: Option<f64>,
    /// Reps done in good form and ended.
    reps: u32,
    rep: Option<Rep>,
    faulty: BTreeMap<String, u32>,
    not_counted: Option<(String, f64)>,
    /// Resting: the lowest the phase measure has been (towards rest), and since when it has been a
    /// [`Short`](super::definition::Short) rise above it.
    low: Option<f32>,
    short_since: Option<f64>,
    /// The lift stopped short, once told: it stands through a frame whose measure is unknown.
    short_told: Option<Fault>,
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
            phase_seen: false,
            count_first: false,
            peak: None,
            returning: false,
            coming_back: false,
            last_t: None,
            missing_since: None,
            absent_since: None,
            set_up_since: None,
            side: None,
            side_candidate: None,
            near: None,
            near_candidate: None,
            exiting_since: None,
            reps: 0,
            rep: None,
            faulty: BTreeMap::new(),
            not_counted: None,
            low: None,
            short_since: None,
            short_told: None,
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

    /// Whether the next frame's judging reads the back: the phase is read by it, or a check that reads it
    /// (or its condition) is judged in the phase the person is in now.
    pub fn reads_back_now(&self) -> bool {
        let back = |m: &Measure| *m == Measure::BackCurve;
        let ex = &self.exercise;
        ex.phase.as_ref().is_some_and(|p| back(&p.measure))
            || ex.checks.iter().any(|c| {
                (back(&c.measure) || c.when.iter().any(|w| back(&w.measure)))
                    && match c.during {
                        During::Always => true,
                        During::Up => self.phase == PhaseState::Up,
                        During::Down => self.phase == PhaseState::Down,
                    }
            })
    }

    /// A judge for a stretch recognised from the pose: recognition takes about a second, so a person
    /// seen already in it got into it meanwhile, and that counts as a rep.
    pub fn recognised(exercise: Exercise) -> Self {
        Judge { count_first: true, ..Judge::new(exercise) }
    }

    /// The person is on the way out of the stretch: the current hold is complete, or the phase measure
    /// has come well back from its peak. Form is not judged meanwhile.
    pub fn returning(&self) -> bool {
        self.returning
    }

    /// How many times each fault reached the user, by fault id.
    pub fn fault_counts(&self) -> &BTreeMap<String, u32> {
        &self.fault_counts
    }

    /// Reps in good form: those ended, and the one under way while no fault has been told in it.
    pub fn reps(&self) -> u32 {
        self.reps + self.rep.as_ref().is_some_and(|r| r.fault.is_none()) as u32
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
    fn faulty_total(&self) -> u32 {
        self.faulty.values().sum::<u32>() + self.spoilt().is_some() as u32
    }

    /// The fault of the rep under way, once one has been told in it.
    fn spoilt(&self) -> Option<&String> {
        self.rep.as_ref()?.fault.as_ref()
    }

    /// Starts a rep (on the working side, for per-side stretches).
    fn start_rep(&mut self, fault: Option<String>, at: f64) {
        let side = self.side.filter(|_| self.exercise.per_side);
        self.rep = Some(Rep { side, at, fault });
    }

    /// Ends the rep under way: a good one counts, one with a fault told in it is put apart.
    fn end_rep(&mut self, t: f64) {
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
        let mut sides = self.per_side;
        if let Some(Rep { side: Some(side), fault: None, .. }) = self.rep {
            sides[side_index(side)].reps += 1;
        }
        self.exercise.per_side.then_some(sides)
    }

    /// The side to judge this frame: near the camera, or the working side (with a delay before switching).
    /// The side nearer the camera, steadied: it changes when the other side has looked nearer for
    /// [`SIDE_SWITCH`] seconds, or at once when the current side's outline is no longer seen.
    fn steady_near(&mut self, pose: &Pose, t: f64) -> Side {
        let now = near_side(pose);
        let current = *self.near.get_or_insert(now);
        let lost = !outline_seen(&View { pose, side: current }, false);
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

    fn choose_side(&mut self, pose: &Pose, t: f64) -> Side {
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
                    (self.peak, self.returning, self.coming_back) = (None, false, false);
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
            returning: false,
            measures: BTreeMap::new(),
            faults: Vec::new(),
            failing: false,
            reps: self.reps(),
            faulty_reps: 0,
            not_counted: None,
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
        let seen = seen_from(pose);
        let values: Vec<Option<f32>> = self.exercise.checks.iter().map(|c| c.measure.eval(&view, &c.joints)).collect();
        judgement.in_frame = since(&mut self.missing_since, !in_frame(pose), t) < SETUP_PERSIST;

        // Set-up checks, then phase, then form: form is judged, reps counted and holds timed only while
        // every set-up check passes right now (not only once a set-up fault has lasted long enough to tell).
        let mut setup_ok = judgement.in_frame;
        let mut settled = false;
        for pass in [Pass::Setup, Pass::Form] {
            if pass == Pass::Form {
                // A set-up check that cannot be read (the far shoulder hidden, side-on) does not hold
                // the person up: only one that fails does.
                setup_ok &= self
                    .exercise
                    .checks
                    .iter()
                    .zip(&self.states)
                    .all(|(c, s)| c.category > Category::Setup || s.failing.is_none());
                settled = since(&mut self.set_up_since, setup_ok, t) + 1e-9 >= SETTLE;
                if let Some(short) = self.step_phase(phase_value, setup_ok, t) {
                    judgement.faults.push(short);
                }
                judgement.phase = self.exercise.phase.as_ref().map(|_| self.phase);
            }
            for (i, check) in self.exercise.checks.iter().enumerate() {
                let is_setup = check.category <= Category::Setup;
                if is_setup != (pass == Pass::Setup) {
                    continue;
                }
                let applies = match check.during {
                    During::Always => is_setup || !self.returning,
                    During::Up => self.phase == PhaseState::Up && !self.returning,
                    During::Down => self.phase == PhaseState::Down,
                } && (is_setup || settled)
                    && check.view.is_none_or(|v| seen == Some(v))
                    && check.when.iter().all(|w| {
                        w.measure.eval(&view, &w.joints).is_some_and(|v| (w.range[0]..=w.range[1]).contains(&v))
                    });
                let state = &mut self.states[i];
                let value = match check.window {
                    Some(w) => values[i].and_then(|v| window_spread(&mut state.history, t, v, w as f64)),
                    None => values[i],
                };
                // What this view cannot see is not measured at all.
                if check.view.is_none_or(|v| seen == Some(v)) {
                    judgement.measures.insert(check.id.clone(), value);
                }
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
                // The back's curve looks at the silhouette, not joints: the page colours the back's outline.
                let joints = match check.measure {
                    crate::body::measure::Measure::BackCurve => vec!["back"],
                    _ => check.joints.iter().flat_map(|j| view.joints(*j)).map(|j| j.name()).collect(),
                };
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
        // A form fault told during a rep of a reps stretch: that rep does not count (the first one told names
        // it). "Too fast" belongs to the rep it was said for, not to the next one while it still shows.
        if let (Kind::Reps, Some(rep)) = (self.exercise.kind, &mut self.rep) {
            let told = judgement
                .faults
                .iter()
                .find(|f| f.category != Category::Setup && (f.check != "phase" || f.since >= rep.at));
            if let Some(f) = told {
                rep.fault.get_or_insert_with(|| f.id.clone());
            }
        }

        // Good form: set up, no check failing right now (told or not), in the working phase.
        let failing_now = self.states.iter().any(|s| s.failing.is_some());
        let working = match (self.exercise.kind, &self.exercise.phase) {
            (_, Some(_)) => self.phase == PhaseState::Up && !self.coming_back,
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
        judgement.returning = self.returning;
        judgement.reps = self.reps();
        judgement.faulty_reps = self.faulty_total();
        judgement.not_counted =
            self.not_counted.as_ref().filter(|(_, at)| t - at < NOT_COUNTED_FOR).map(|(f, _)| f.clone());
        judgement.held = self.held;
        judgement.hold_progress = self.hold_progress;
        judgement.sides = self.sides();
        judgement
    }

    /// Moves the phase on (with its hysteresis), starting a rep on each rise and noting rushed ones, and
    /// tells when the person is on the way out. Returns the fault of a lift stopped short, once told.
    fn step_phase(&mut self, value: Option<f32>, setup_ok: bool, t: f64) -> Option<Fault> {
        let Some(p) = &self.exercise.phase else { return None };
        let Some(v) = value else { return self.short_told.clone() };
        let (entered, exited) = if p.rising() { (v >= p.enter, v < p.exit) } else { (v <= p.enter, v > p.exit) };
        // Already in the stretch when first seen: under way, not a rep (unless it was recognised).
        let first = !std::mem::replace(&mut self.phase_seen, true);
        match self.phase {
            PhaseState::Down if entered && setup_ok => {
                self.phase = PhaseState::Up;
                self.peak = Some(v);
                (self.returning, self.coming_back) = (false, false);
                self.hold_progress = 0.0;
                (self.low, self.short_since, self.short_told, self.rep) = (None, None, None, None);
                if first && !self.count_first {
                    return None;
                }
                let rushed = self.last_rep_at.zip(p.min_cycle_seconds).is_some_and(|(last, min)| t - last < min as f64);
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
                (self.returning, self.coming_back) = (false, false);
                self.end_rep(t);
            }
            PhaseState::Up => {
                if !exited {
                    self.exiting_since = None;
                }
                let sign = if p.rising() { 1.0 } else { -1.0 };
                let peak = self.peak.map_or(v, |pk| if sign * (v - pk) > 0.0 { v } else { pk });
                self.peak = Some(peak);
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
        let sign = if p.rising() { 1.0 } else { -1.0 };
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

    fn reset_checks(&mut self) {
        self.states.iter_mut().for_each(|s| *s = CheckState::default());
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Pass {
    Setup,
    Form,
}

/// The person is in frame when the outline of their body is seen: shoulder, hip, knee and ankle, each on the
/// near side or the far one. A far-side joint hidden behind the body, and the face, often hidden on the
/// floor, do not count
/// (a check that needs them is "unknown", never a set-up problem). Nothing is asked of where the joints
/// lie in the image: a person close to its edge is in it.
pub fn in_frame(pose: &Pose) -> bool {
    outline_seen(&View { pose, side: near_side(pose) }, true)
}

/// Every joint of the outline is seen on the view's side (or, with `either`, on the other side).
fn outline_seen(view: &View, either: bool) -> bool {
    let seen = |p: Part| view.point(JointRef::Near(p)).is_some() || either && view.point(JointRef::Other(p)).is_some();
    OUTLINE.iter().all(|p| seen(*p))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::measure::Part;
    use crate::exercise::fixtures::{bridge_at, lift, lift_with, ramp};
    use crate::seeing::pose::Joint;

    /// Runs hip heights (one per 1/30 s) through a judge; returns each frame's judgement.
    fn run(judge: &mut Judge, heights: impl IntoIterator<Item = f32>, t0: f64) -> Vec<Judgement> {
        heights.into_iter().enumerate().map(|(i, h)| judge.update(Some(&bridge_at(h)), t0 + i as f64 / 30.0)).collect()
    }

    #[test]
    fn no_form_prompt_while_coming_down_after_the_hold() {
        let mut judge = Judge::new(lift());
        let mut heights = vec![0.0; 30];
        heights.extend(ramp(0.0, 60.0, 15)); // lift in 0.5 s
        heights.extend(vec![60.0; 45]); // hold 1.5 s at the top (the target is 1 s)
        heights.extend(ramp(60.0, 0.0, 45)); // lower slowly, through "hips low" angles
        heights.extend(vec![0.0; 30]);
        let js = run(&mut judge, heights, 0.0);
        assert!(js.iter().all(|j| j.faults.is_empty()), "{:?}", js.iter().find(|j| !j.faults.is_empty()));
        assert_eq!(judge.reps(), 1);
        // While lowering (frames 90-134) the judge knows the person is on the way out; resting again, not.
        assert!(js[100..130]
            .iter()
            .all(|j| j.returning && j.phase == Some(PhaseState::Up) || j.phase == Some(PhaseState::Down)));
        assert!(js[100].returning);
        assert!(!js.last().unwrap().returning);
        assert!(js.iter().filter(|j| j.phase == Some(PhaseState::Up)).count() > 45);
    }

    #[test]
    fn lowering_before_the_hold_is_done_is_no_fault_but_a_sag_at_the_top_is() {
        // Down early: still the way out (one rep, no fault).
        let mut judge = Judge::new(lift());
        let mut heights = vec![0.0; 30];
        heights.extend(ramp(0.0, 60.0, 15));
        heights.extend(vec![60.0; 10]); // a third of a second at the top
        heights.extend(ramp(60.0, 0.0, 45));
        let js = run(&mut judge, heights, 0.0);
        assert!(js.iter().all(|j| j.faults.is_empty()));
        assert_eq!(judge.reps(), 1);
        // Sagging at the top (hips 45 px up instead of 60: the shoulder-hip-knee line bends to 162 degrees)
        // is not the way out: it is told.
        let mut judge = Judge::new(lift());
        let mut heights = vec![0.0; 30];
        heights.extend(ramp(0.0, 60.0, 15));
        heights.extend(vec![60.0; 5]);
        heights.extend(ramp(60.0, 45.0, 5));
        heights.extend(vec![45.0; 30]);
        let js = run(&mut judge, heights, 0.0);
        assert_eq!(js.last().unwrap().faults.first().map(|f| f.id.as_str()), Some("hips-low"));
        assert!(!js.last().unwrap().returning);
    }

    #[test]
    fn a_lift_already_under_way_when_first_seen_is_not_a_rep_unless_recognised() {
        let top = || std::iter::repeat_n(60.0, 30).chain(ramp(60.0, 0.0, 30)).chain(std::iter::repeat_n(0.0, 30));
        let mut given = Judge::new(lift());
        run(&mut given, top(), 0.0);
        assert_eq!(given.reps(), 0);
        let mut recognised = Judge::recognised(lift());
        run(&mut recognised, top(), 0.0);
        assert_eq!(recognised.reps(), 1);
        // And each lift seen from the floor is one rep.
        run(&mut given, ramp(0.0, 60.0, 15).into_iter().chain(ramp(60.0, 0.0, 30)), 3.0);
        assert_eq!(given.reps(), 1);
    }

    #[test]
    fn a_joint_that_jumps_for_two_frames_is_not_a_second_rep() {
        let mut judge = Judge::new(lift());
        let mut heights = vec![0.0; 30];
        heights.extend(ramp(0.0, 60.0, 15));
        heights.extend(vec![60.0; 20]);
        heights.extend([0.0, 0.0]); // the hip read on the floor for two frames
        heights.extend(vec![60.0; 20]);
        heights.extend(ramp(60.0, 0.0, 30));
        heights.extend(vec![0.0; 30]);
        run(&mut judge, heights, 0.0);
        assert_eq!(judge.reps(), 1);
    }

    #[test]
    fn the_near_side_holds_while_both_sides_trade_scores_side_on() {
        // Side-on both sides overlap: whichever scores higher this frame flips. The judged side must not.
        let mut judge = Judge::new(lift());
        let mut sides = Vec::new();
        for i in 0..30 {
            let mut pose = bridge_at(0.0);
            let (up, down) = if i % 2 == 0 { (Side::Left, Side::Right) } else { (Side::Right, Side::Left) };
            for p in [Part::Shoulder, Part::Hip, Part::Knee, Part::Ankle] {
                pose.landmarks[p.joint(up).index()].score = 0.9;
                pose.landmarks[p.joint(down).index()].score = 0.8;
            }
            sides.push(judge.update(Some(&pose), i as f64 / 30.0).side);
        }
        assert!(sides.windows(2).all(|w| w[0] == w[1]), "{sides:?}");
    }

    #[test]
    fn in_frame_when_the_outline_is_seen_even_at_the_image_edge() {
        // Every joint seen, the feet on the image's very edge: in frame.
        let mut pose = bridge_at(0.0);
        for k in pose.landmarks.iter_mut() {
            k.x += 110.0; // ankles at x = 300, the right edge
        }
        assert!(in_frame(&pose));
        // Side-on, the far leg and the face hidden: still in frame.
        for j in [Joint::RightKnee, Joint::RightAnkle, Joint::Nose, Joint::LeftEar, Joint::RightEar] {
            pose.landmarks[j.index()].score = 0.05;
        }
        assert!(in_frame(&pose));
        // Both ankles unknown: the feet are out of the picture.
        pose.landmarks[Joint::LeftAnkle.index()].score = 0.05;
        assert!(!in_frame(&pose));
        // Through the judge: only after a second of it is the person told to step back.
        let mut judge = Judge::new(lift());
        let seen = bridge_at(0.0);
        let mut unseen = seen.clone();
        unseen.landmarks[Joint::LeftAnkle.index()].score = 0.05;
        unseen.landmarks[Joint::RightAnkle.index()].score = 0.05;
        assert!(judge.update(Some(&seen), 0.0).in_frame);
        assert!(judge.update(Some(&unseen), 0.5).in_frame);
        assert!(!judge.update(Some(&unseen), 1.6).in_frame);
    }

    /// Rests a second, lifts in half a second, and stays at the top for a sixth of one: the frames'
    /// heights, and the index of the first frame after that.
    fn up_at_the_top() -> (Vec<f32>, usize) {
        let mut heights = vec![0.0; 30];
        heights.extend(ramp(0.0, 60.0, 15));
        heights.extend(vec![60.0; 5]);
        let n = heights.len();
        (heights, n)
    }

    #[test]
    fn a_fault_is_told_once_it_has_lasted_its_persist_time_and_counted_once() {
        let mut judge = Judge::new(lift());
        let (mut heights, sag) = up_at_the_top();
        heights.extend(vec![45.0; 60]); // sagging at the top for two seconds
        let js = run(&mut judge, heights, 0.0);
        let told = js.iter().position(|j| !j.faults.is_empty()).expect("the sag is told");
        let waited = js[told].t - js[sag].t;
        assert!((0.5 - 1e-9..0.55).contains(&waited), "told after {waited} s; the check persists 0.5 s");
        // Failing from its first frame (no praise meanwhile), told from then on, and counted once.
        assert!(js[sag..].iter().all(|j| j.failing));
        assert!(js[told..]
            .iter()
            .all(|j| j.faults.first().is_some_and(|f| f.id == "hips-low" && f.since == js[sag].t)));
        assert_eq!(judge.fault_counts().get("hips-low"), Some(&1));
    }

    #[test]
    fn a_check_is_judged_only_while_its_when_holds() {
        // The sag is told; with `when` asking for a knee angle this body never has, it is not judged at all.
        let gate = |range: &str| {
            let mut ex = lift();
            let text = format!("measure = \"angle\"\njoints = [\"hip\", \"knee\", \"ankle\"]\nrange = {range}");
            ex.checks[0].when = vec![toml::from_str(&text).unwrap()];
            let mut judge = Judge::new(ex);
            let (mut heights, _) = up_at_the_top();
            heights.extend(vec![45.0; 60]);
            run(&mut judge, heights, 0.0).pop().unwrap()
        };
        let judged = gate("[0, 180]");
        assert_eq!(judged.faults.first().map(|f| f.id.as_str()), Some("hips-low"));
        let gated = gate("[0, 10]");
        assert!(gated.faults.is_empty() && gated.checks[0].status == CheckStatus::Idle, "{:?}", gated.checks);
    }

    #[test]
    fn hold_time_counts_only_in_good_form() {
        let mut judge = Judge::new(lift());
        let (mut heights, sag) = up_at_the_top();
        heights.extend(vec![45.0; 60]);
        let js = run(&mut judge, heights, 0.0);
        let at_sag = js[sag].held;
        assert!(at_sag > 0.0, "held in good form at the top: {at_sag}");
        assert!(
            js[sag..].iter().all(|j| j.held == at_sag && j.hold_progress == js[sag].hold_progress),
            "held while sagging"
        );
        assert!(judge.form_score().is_some_and(|s| s < 50.0), "{:?}", judge.form_score());
    }

    #[test]
    fn a_stall_in_the_stream_adds_no_hold_time() {
        let mut judge = Judge::new(lift());
        let (heights, _) = up_at_the_top();
        let js = run(&mut judge, heights, 0.0);
        let before = js.last().unwrap().held;
        // The next frame comes five seconds later (the camera stalled): at most MAX_DT is added.
        let after = judge.update(Some(&bridge_at(60.0)), js.last().unwrap().t + 5.0).held;
        assert!(after - before <= MAX_DT + 1e-9, "{before} -> {after}");
    }

    #[test]
    fn a_joint_lost_for_a_moment_keeps_a_told_fault_and_lost_for_longer_drops_it() {
        let mut judge = Judge::new(lift());
        let (mut heights, _) = up_at_the_top();
        heights.extend(vec![45.0; 30]);
        let js = run(&mut judge, heights, 0.0);
        assert!(!js.last().unwrap().faults.is_empty());
        let mut hidden = bridge_at(45.0);
        for side in [Side::Left, Side::Right] {
            hidden.landmarks[Part::Knee.joint(side).index()].score = 0.05;
        }
        let t0 = js.last().unwrap().t;
        let frames: Vec<Judgement> = (1..=30).map(|i| judge.update(Some(&hidden), t0 + i as f64 / 30.0)).collect();
        // A flicker (under UNKNOWN_GRACE) keeps it; after that the check is unknown, and unknown is no fault.
        assert!(frames[..10].iter().all(|j| j.faults.first().is_some_and(|f| f.id == "hips-low")));
        let last = frames.last().unwrap();
        assert!(last.faults.is_empty(), "{:?}", last.faults);
        assert_eq!(last.checks[0].status, CheckStatus::Unknown);
    }

    #[test]
    fn a_rep_quicker_than_its_minimum_cycle_is_a_safety_fault() {
        let mut judge = Judge::new(lift_with("lift", 5, "min_cycle_seconds = 3\ntoo_fast = \"Slow down\""));
        let rep =
            || ramp(0.0, 60.0, 10).into_iter().chain(vec![60.0; 40]).chain(ramp(60.0, 0.0, 10)).chain(vec![0.0; 10]);
        // Two reps, 70 frames (2.3 s) apart: the second is too fast.
        let js = run(&mut judge, vec![0.0; 30].into_iter().chain(rep()).chain(rep()), 0.0);
        // The rushed rep does not count: it is kept apart as too fast.
        assert_eq!((judge.reps(), judge.faulty_reps().get("too-fast")), (1, Some(&1)));
        let fast: Vec<_> = js.iter().filter(|j| j.faults.first().is_some_and(|f| f.id == "too-fast")).collect();
        assert!(!fast.is_empty(), "the second rep was not called too fast");
        assert!(fast.iter().all(|j| j.faults[0].category == Category::Safety && j.faults[0].prompt == "Slow down"));
        assert_eq!(judge.fault_counts().get("too-fast"), Some(&1));
        // The rep after a rushed one, at a gentle pace, counts although "too fast" still shows as it starts.
        let mut judge = Judge::new(lift_with("lift", 5, "min_cycle_seconds = 2\ntoo_fast = \"Slow down\""));
        let quick =
            || ramp(0.0, 60.0, 10).into_iter().chain(vec![60.0; 10]).chain(ramp(60.0, 0.0, 10)).chain(vec![0.0; 5]);
        let js = run(&mut judge, vec![0.0; 30].into_iter().chain(quick()).chain(rep()).chain(rep()), 0.0);
        let third = js.iter().rposition(|j| j.phase == Some(PhaseState::Down)).unwrap();
        assert!(js[..third].iter().any(|j| j.faults.first().is_some_and(|f| f.id == "too-fast")));
        assert_eq!((judge.reps(), judge.faulty_reps().get("too-fast")), (2, Some(&1)));
        // At a gentle pace (a rep every 3.3 s), no such fault.
        let mut gentle = Judge::new(lift_with("lift", 5, "min_cycle_seconds = 3\ntoo_fast = \"Slow down\""));
        let slow = vec![0.0; 30].into_iter().chain(rep()).chain(vec![0.0; 30]).chain(rep());
        run(&mut gentle, slow, 0.0);
        assert_eq!((gentle.reps(), gentle.fault_counts().get("too-fast")), (2, None));
    }
}
