//! Judging one stretch, frame by frame: which checks fail (with hysteresis and persistence), which phase
//! the movement is in, which side is working, reps counted and seconds held in good form.
//! No prompt wording lives here: it all comes from the definition.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

mod check;
mod reps;
mod sides;
#[cfg(test)]
mod tests;

use super::definition::{Category, During, Exercise, Kind};
use super::window::spread;
use crate::body::measure::{near_side, seen_from, JointRef, Measure, Part, SeenFrom, Side, View, MIN_SCORE};
use crate::seeing::pose::{Joint, Keypoint, Pose};
use check::{step_check, CheckState, Reading};
use reps::Rep;
use sides::side_index;

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
/// A hold's way out: the phase measure moving on toward the exit by this share of the way from its peak
/// within [`LEAVING_WINDOW`] seconds is the person coming out of the pose, not sagging in it. Form is not
/// judged and no hold time counts from then, through a pause on the way, until the measure comes back into
/// the pose by as much; a slow sag never starts it. (Two real child's pose clips of docs/dev-footage dev15
/// rise out of the fold at 35-50 degrees a second and were told "Fold forward" on the way; breathing in a
/// held fold moves it a few degrees.)
/// The way in is the same movement the other way: the measure still moving deeper into the pose by as much
/// within the window is the person getting into it; form is judged, and the hold timed, from the first time it
/// slows (later sinking deeper is not a way in again: it would start a fault's persistence over). (Two
/// real child's pose clips of docs/dev-footage dev22 fold from 80 to 45 degrees in about 0.6 s and were told
/// "Fold forward" on the way down; held, their fold moves 1-2 degrees in half a second.)
const LEAVING_SHARE: f32 = 0.15;
const LEAVING_WINDOW: f64 = 0.5;
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

pub struct Judge {
    exercise: Exercise,
    states: Vec<CheckState>,
    phase: PhaseState,
    /// The phase has been read at least once (a stretch already under way when first seen is no rep).
    phase_seen: bool,
    /// The phase measure has been seen past its exit (out of the stretch): see [`Rep::unconfirmed`].
    out_seen: bool,
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
    /// Where the camera sees the body from, as last read. Side-on, a shoulder lost is the far one, hidden
    /// behind the body: still side-on. Lost after facing the camera, the person may have turned: unknown.
    seen: Option<SeenFrom>,
    /// The phase measure has read "out" since this time.
    exiting_since: Option<f64>,
    /// A hold's phase measure over the last [`LEAVING_WINDOW`] (on the working side); on the way out of the
    /// pose, the measure's furthest reading toward the exit since.
    recent: VecDeque<(f64, f32)>,
    leaving: Option<f32>,
    /// A hold's phase measure is still moving quickly deeper into the pose: the person is getting into it.
    arriving: bool,
    /// Settled in the pose since the phase measure last entered it: the way in is over.
    settled_in: bool,
    /// When the phase measure last entered the pose.
    entered_at: f64,
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
            out_seen: false,
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
            seen: None,
            exiting_since: None,
            recent: VecDeque::new(),
            leaving: None,
            arriving: false,
            settled_in: false,
            entered_at: 0.0,
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

    /// Getting into a hold or coming out of it: form is not judged, and no hold time counts.
    fn passing(&self) -> bool {
        self.leaving.is_some() || self.arriving
    }

    /// How many times each fault reached the user, by fault id.
    pub fn fault_counts(&self) -> &BTreeMap<String, u32> {
        &self.fault_counts
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
        let seen = seen_from(pose).or(self.seen.filter(|s| *s == SeenFrom::Side));
        self.seen = seen;
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
            let way_out = self.returning || self.passing();
            for (i, check) in self.exercise.checks.iter().enumerate() {
                let is_setup = check.category <= Category::Setup;
                if is_setup != (pass == Pass::Setup) {
                    continue;
                }
                let applies = match check.during {
                    During::Always => is_setup || !way_out,
                    During::Up => self.phase == PhaseState::Up && !way_out,
                    During::Down => self.phase == PhaseState::Down,
                } && (is_setup || settled)
                    && check.applies(seen)
                    && check.when.iter().all(|w| w.holds(&view));
                let state = &mut self.states[i];
                let value = match check.window {
                    Some(w) => values[i].and_then(|v| spread(&mut state.history, t, v, w as f64, 0.9)),
                    None => values[i],
                };
                // What this view cannot see is not measured at all.
                if check.applies(seen) {
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

        // Good form: set up, no check failing right now (told or not), in the working phase. On a hold's way
        // out the hold pauses, as for a fault, and goes on if the person settles back into the pose.
        let failing_now = self.states.iter().any(|s| s.failing.is_some());
        let working = match (self.exercise.kind, &self.exercise.phase) {
            (_, Some(_)) => self.phase == PhaseState::Up && !self.coming_back,
            (Kind::Hold, None) => true,
            (Kind::Reps, None) => false,
        };
        let passing = self.passing();
        if working && setup_ok && !passing {
            self.working += dt;
        }
        if !working || !setup_ok {
            self.hold_progress = 0.0;
        } else if !failing_now && !passing {
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

    fn reset_checks(&mut self) {
        self.states.iter_mut().for_each(|s| *s = CheckState::default());
    }
}

#[derive(PartialEq, Clone, Copy)]
enum Pass {
    Setup,
    Form,
}

/// The person is in frame when the outline of their body is in the picture: shoulder, hip, knee and ankle,
/// each on the near side or the far one. A far-side joint hidden behind the body, and the face, often hidden
/// on the floor, do not count (a check that needs them is "unknown", never a set-up problem). A seen joint
/// counts wherever it lies: a person close to the image's edge is in it.
pub fn in_frame(pose: &Pose) -> bool {
    let near = near_side(pose);
    let in_picture = |part: Part, side: Side| {
        let k = pose.get(part.joint(side));
        k.score >= MIN_SCORE || placed_inside(pose, k)
    };
    OUTLINE.iter().all(|&p| in_picture(p, near) || in_picture(p, near.other()))
}

/// A hidden joint that the model places inside the picture, clear of its edges: BlazePose places every
/// landmark, those hidden behind the body included, and those past the frame's edge outside it (its score is
/// then 0). A child's pose hides both ankles under the hips: real ones read 0.04-0.20 and lie well inside the
/// picture (docs/dev-footage d7, dev9, dev12, dev15: each was told to step back), while legs past the edge are
/// placed 0.02-0.06 of the frame beyond it (the plank and side-plank clips of ../shared/media, dev16).
/// MoveNet puts an unseen joint anywhere, so only a seen one counts there.
fn placed_inside(pose: &Pose, k: Keypoint) -> bool {
    const MARGIN: f32 = 0.02;
    let (w, h) = (pose.width as f32, pose.height as f32);
    pose.given.len() > Joint::COCO.len()
        && k.score > 0.0
        && (MARGIN * w..=(1.0 - MARGIN) * w).contains(&k.x)
        && (MARGIN * h..=(1.0 - MARGIN) * h).contains(&k.y)
}

/// Every joint of the outline is seen on the view's side.
fn outline_seen(view: &View) -> bool {
    OUTLINE.iter().all(|p| view.point(JointRef::Near(*p)).is_some())
}

/// Seconds a condition has held (0 when it does not), tracking when it started.
pub(crate) fn since(start: &mut Option<f64>, condition: bool, t: f64) -> f64 {
    if !condition {
        *start = None;
        return 0.0;
    }
    t - *start.get_or_insert(t)
}
