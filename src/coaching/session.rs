//! A coaching session: smoothing, (recognising,) judging and coaching chained, frame by frame, with its
//! running summary. One judge per stretch met in the session, so switching back resumes its counts.

use std::collections::{BTreeMap, VecDeque};

use serde::Serialize;

use crate::body::measure::Side;
use crate::coaching::coach::{fault_words, Advice, Coach, Level};
use crate::exercise::choice::AUTO;
use crate::exercise::judge::{in_frame, since, CheckView, PhaseState, SideProgress};
use crate::exercise::recognise::{facing_on_the_floor, Recogniser};
use crate::exercise::window;
use crate::exercise::{Exercise, ExerciseChoice, Judge};
use crate::seeing::pose::smooth::{OneEuroParams, Smoother};
use crate::seeing::pose::Pose;

/// What one frame produced: the line `check --json` prints and `/api/status` serves.
#[derive(Debug, Clone, Serialize)]
pub struct FrameReport {
    pub t: f64,
    /// The stretch judged (null while `--exercise auto` has not recognised one yet).
    pub exercise: Option<String>,
    /// The text shown to the user now, or null.
    pub prompt: Option<String>,
    pub level: Option<Level>,
    /// The prompt is spoken at this frame.
    pub speak: bool,
    /// Ids of the failing checks' faults (persisted), most important first.
    pub faults: Vec<String>,
    pub person: bool,
    pub phase: Option<PhaseState>,
    /// The phase's name where the stretch gives one ("cow", "cat").
    pub phase_name: Option<String>,
    /// Reps in good form so far.
    pub reps: u32,
    /// Reps that did not count (a fault was told in them).
    pub faulty_reps: u32,
    /// Seconds held in good form so far.
    pub held: f64,
    /// The side judged (the working side of a per-side stretch).
    pub side: Option<Side>,
    /// Per-side stretches: progress of the left and the right side.
    pub sides: Option<[SideProgress; 2]>,
    pub measures: BTreeMap<String, Option<f32>>,
    /// Each check, the joints it looks at and how it stands: for colouring the skeleton.
    pub checks: Vec<CheckView>,
    pub routine: Option<RoutineProgress>,
}

/// What a session says of a stretch: of each stretch done, and, at the top of the summary, of the one
/// judged longest.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StretchFigures {
    pub exercise: String,
    pub name: String,
    /// Reps done in good form.
    pub reps: u32,
    /// Reps that did not count, by the first fault told in each.
    pub faulty_reps: BTreeMap<String, u32>,
    pub rep_target: Option<u32>,
    /// Seconds held in good form.
    pub held_seconds: f64,
    /// How many times each fault was prompted.
    pub faults: BTreeMap<String, u32>,
    /// Per-side stretches: reps, seconds held and done, left then right.
    pub sides: Option<[SideProgress; 2]>,
    /// 0-100: the share of working time (set up, in the stretch) spent in good form; null before any.
    pub form_score: Option<f64>,
}

impl StretchFigures {
    /// The figures in one line, for a person (the end of `check` and `replay`).
    pub fn line(&self) -> String {
        if self.exercise == AUTO {
            return "No stretch recognised, so none was judged".into();
        }
        let hold = self.rep_target.is_none();
        figures_line(&self.name, hold, self.held_seconds, self.reps, &self.faulty_reps, self.form_score, &self.faults)
    }
}

/// A stretch's figures in one line: "Bridge: 40 s held in good form, 3 reps (1 more didn't count: hips low),
/// form 80%; told hips low \u{00d7}2". A hold counts its holds, and says none when there were none.
pub fn figures_line(
    name: &str,
    hold: bool,
    held_seconds: f64,
    reps: u32,
    faulty_reps: &BTreeMap<String, u32>,
    form_score: Option<f64>,
    faults: &BTreeMap<String, u32>,
) -> String {
    let mut line = format!("{name}: {held_seconds:.0} s held in good form");
    let word = match (hold, reps) {
        (true, 1) => "hold",
        (true, _) => "holds",
        (false, 1) => "rep",
        (false, _) => "reps",
    };
    if reps > 0 || !hold {
        line += &format!(", {reps} {word}");
    }
    let not_counted: u32 = faulty_reps.values().sum();
    if not_counted > 0 {
        let why: Vec<String> = faulty_reps.keys().map(|f| fault_words(f)).collect();
        line += &format!(" ({not_counted} more didn't count: {})", why.join(", "));
    }
    if let Some(f) = form_score {
        line += &format!(", form {f:.0}%");
    }
    if !faults.is_empty() {
        let told: Vec<String> = faults.iter().map(|(f, n)| format!("{} \u{00d7}{n}", fault_words(f))).collect();
        line += &format!("; told {}", told.join(", "));
    }
    line
}

/// One stretch's part of a session.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StretchSummary {
    #[serde(flatten)]
    pub figures: StretchFigures,
    /// Frames judged as this stretch.
    pub frames: u64,
    /// The stretch's target was reached.
    pub done: bool,
}

/// The session so far: `GET /api/session` and the last line of `check --json`. The top-level stretch
/// figures are those of the stretch judged longest ("auto" and zeros before any is recognised).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    #[serde(flatten)]
    pub longest: StretchFigures,
    /// Frames judged, of every stretch and none.
    pub frames: u64,
    pub frames_with_person: u64,
    pub duration_s: f64,
    pub prompts_spoken: u32,
    pub routine: Option<RoutineProgress>,
    /// Every stretch done, in the order first met.
    pub stretches: Vec<StretchSummary>,
}

/// Which stretch to judge.
#[derive(Debug)]
pub enum Plan {
    One(Box<Exercise>),
    /// Recognise the stretch from the pose, among these.
    Auto(Vec<Exercise>),
    /// A routine: its name and its stretches in order (targets already set by the routine).
    Routine(String, Vec<Exercise>),
}

/// The stretch asked for is not in the catalog.
#[derive(Debug, thiserror::Error)]
#[error("unknown stretch {id:?}; known: auto, {}", known.join(", "))]
pub struct UnknownExercise {
    pub id: String,
    pub known: Vec<String>,
}

impl Plan {
    /// The plan for a choice: one stretch of `catalog`, or all of them to recognise from.
    pub fn choose(choice: &ExerciseChoice, catalog: &[Exercise]) -> Result<Plan, UnknownExercise> {
        match choice {
            ExerciseChoice::Auto => Ok(Plan::Auto(catalog.to_vec())),
            ExerciseChoice::Id(id) => match catalog.iter().find(|e| e.id == id.as_str()) {
                Some(ex) => Ok(Plan::One(Box::new(ex.clone()))),
                None => {
                    Err(UnknownExercise { id: id.to_string(), known: catalog.iter().map(|e| e.id.clone()).collect() })
                }
            },
        }
    }
}

/// Seconds of recent poses kept while recognising. Recognition takes about a second (its evidence is averaged
/// over 0.7 s), and the stretch recognised is judged from these first: what the person did meanwhile counts, as
/// it does with the stretch chosen beforehand (the lift they were seen starting is a rep, seconds already held are
/// held). Without them, a real bridge clip that opens with the person lying down (dev15 Sergey-maker, six lifts)
/// was recognised 1.2 s in, during the first lift, and counted five.
const RECENT: f64 = 3.0;

/// Seconds a person no stretch fits faces the camera down on the floor before being asked to turn sideways:
/// longer than recognition takes, so that a stretch seen from the front (a child's pose head-on, a twist from
/// the feet) is named first.
const TURN_AFTER: f64 = 2.0;

/// Seconds the "Next: ..." announcement of a routine stays up.
const ANNOUNCE_FOR: f64 = 4.0;

/// Where a routine is.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoutineProgress {
    pub name: String,
    /// 1-based step being done (steps + 1 once complete).
    pub step: usize,
    pub steps: usize,
}

/// One stretch met in the session.
struct Met {
    /// Index into the session's catalog.
    index: usize,
    judge: Judge,
    /// Frames judged as this stretch.
    frames: u64,
}

/// A routine under way.
struct RoutineState {
    name: String,
    /// The catalog indices of its steps, in order.
    steps: Vec<usize>,
    /// The step being done (`steps.len()` once complete).
    at: usize,
}

/// A routine's "Next: ..." and when it was said.
struct Announcement {
    text: String,
    at: f64,
}

pub struct Session {
    smoother: Smoother,
    coach: Coach,
    catalog: Vec<Exercise>,
    recogniser: Option<Recogniser>,
    /// Each stretch met, in the order met.
    judges: Vec<Met>,
    /// Index into `judges` of the stretch judged now.
    active: Option<usize>,
    /// While recognising: the smoothed poses of the last [`RECENT`] seconds, this frame's last.
    recent: VecDeque<(f64, Option<Pose>)>,
    routine: Option<RoutineState>,
    announce: Option<Announcement>,
    frames: u64,
    frames_with_person: u64,
    first_t: Option<f64>,
    last_t: f64,
    /// Since when a person no stretch fits has faced the camera on the floor.
    facing_since: Option<f64>,
    /// "Turn sideways" has been said aloud since a stretch was last named.
    turn_spoken: bool,
    /// Since when a person no stretch fits has been partly out of the picture.
    partly_since: Option<f64>,
    /// "Step back" has been said aloud since a stretch was last named.
    step_back_spoken: bool,
}

impl Session {
    pub fn new(exercise: Exercise) -> Self {
        Self::with_plan(Plan::One(Box::new(exercise)))
    }

    pub fn with_plan(plan: Plan) -> Self {
        let mut routine = None;
        let (catalog, recogniser) = match plan {
            Plan::One(ex) => (vec![*ex], None),
            Plan::Auto(all) => {
                let n = all.len();
                (all, Some(Recogniser::new(n)))
            }
            Plan::Routine(name, steps) => {
                routine = Some(RoutineState { name, steps: (0..steps.len()).collect(), at: 0 });
                (steps, None)
            }
        };
        let mut s = Session {
            smoother: Smoother::new(OneEuroParams::default()),
            coach: Coach::new(),
            catalog,
            recogniser,
            judges: Vec::new(),
            active: None,
            recent: VecDeque::new(),
            routine,
            announce: None,
            frames: 0,
            frames_with_person: 0,
            first_t: None,
            last_t: 0.0,
            facing_since: None,
            turn_spoken: false,
            partly_since: None,
            step_back_spoken: false,
        };
        if s.recogniser.is_none() {
            s.activate(0);
        }
        s
    }

    /// Changes what is judged from now on; counts so far are kept (a stretch met again resumes).
    pub fn switch(&mut self, plan: Plan) {
        match plan {
            Plan::One(ex) => {
                let index = match self.catalog.iter().position(|e| e.id == ex.id) {
                    Some(i) => i,
                    None => {
                        self.catalog.push(*ex);
                        self.catalog.len() - 1
                    }
                };
                self.recogniser = None;
                self.activate(index);
            }
            Plan::Auto(all) => {
                for ex in all {
                    if !self.catalog.iter().any(|e| e.id == ex.id) {
                        self.catalog.push(ex);
                    }
                }
                self.recogniser = Some(Recogniser::new(self.catalog.len()));
            }
            Plan::Routine(name, steps) => {
                let first = self.catalog.len();
                self.catalog.extend(steps);
                self.routine = Some(RoutineState { name, steps: (first..self.catalog.len()).collect(), at: 0 });
                self.recogniser = None;
                self.activate(first);
            }
        }
    }

    /// Moves a routine on when its current stretch is done.
    fn advance_routine(&mut self, t: f64) {
        let Some(RoutineState { name, steps, at }) = &mut self.routine else { return };
        let Some(active) = self.active else { return };
        if *at >= steps.len() || !self.judges[active].judge.done() {
            return;
        }
        *at += 1;
        let text = match steps.get(*at) {
            Some(&next) => {
                let ex = &self.catalog[next];
                let target = match (ex.kind, ex.hold_seconds, ex.rep_target) {
                    (crate::exercise::definition::Kind::Hold, Some(h), _) => format!("{h:.0} seconds"),
                    (_, _, Some(n)) => format!("{n} reps"),
                    _ => String::new(),
                };
                let sides = if ex.per_side { " each side" } else { "" };
                format!("Next: {}, {target}{sides}", ex.name)
            }
            None => format!("{name} complete. Well done, rest now"),
        };
        let next = steps.get(*at).copied();
        self.announce = Some(Announcement { text, at: t });
        if let Some(next) = next {
            self.activate(next);
        }
    }

    fn routine_progress(&self) -> Option<RoutineProgress> {
        self.routine.as_ref().map(|r| RoutineProgress { name: r.name.clone(), step: r.at + 1, steps: r.steps.len() })
    }

    /// Whether the next frame needs the back read: the stretch judged now reads it in the phase the person
    /// is in, or a stretch that could be recognised is recognised by it. Reading the back is half the pose
    /// model's time (BlazePose's segmentation decoder), so it is read only when it is judged.
    pub fn reads_back(&self) -> bool {
        self.active.is_some_and(|a| self.judges[a].judge.reads_back_now())
            || (self.recogniser.is_some() && self.catalog.iter().any(Exercise::recognises_by_back))
    }

    /// The stretch being judged now, if any.
    pub fn exercise(&self) -> Option<&Exercise> {
        self.active.map(|a| self.judges[a].judge.exercise())
    }

    fn activate(&mut self, index: usize) {
        let slot = match self.judges.iter().position(|m| m.index == index) {
            Some(slot) => slot,
            None => {
                let ex = self.catalog[index].clone();
                let judge = if self.recogniser.is_some() {
                    // Recognised from the pose: judged from the recent poses first (this frame is judged next).
                    // When they do not reach back to the session's start, the person may have got into the
                    // stretch before them, seen but not yet recognised, and that entry counts too. A recording
                    // that opens mid-lift, nobody saw get in.
                    let whole_session = self.recent.front().is_none_or(|(t0, _)| Some(*t0) == self.first_t);
                    let mut judge = if whole_session { Judge::new(ex) } else { Judge::recognised(ex) };
                    for (t, pose) in self.recent.iter().take(self.recent.len().saturating_sub(1)) {
                        judge.update(pose.as_ref(), *t);
                    }
                    judge
                } else {
                    Judge::new(ex)
                };
                self.judges.push(Met { index, judge, frames: 0 });
                self.judges.len() - 1
            }
        };
        self.active = Some(slot);
    }

    /// One frame: the model's pose (None when the frame could not be read) at time `t` seconds.
    pub fn step(&mut self, pose: Option<&Pose>, t: f64) -> FrameReport {
        self.frames += 1;
        self.first_t.get_or_insert(t);
        self.last_t = t;
        let smoothed = pose.map(|p| self.smoother.smooth(p, t));
        if self.recogniser.is_some() {
            window::keep(&mut self.recent, t, smoothed.clone(), RECENT);
        }
        if let Some(r) = &mut self.recogniser {
            match r.update(&self.catalog, smoothed.as_ref(), t) {
                Some(index) if self.active.map(|a| self.judges[a].index) != Some(index) => self.activate(index),
                Some(_) => {}
                // Let go: the movement shows it is not the stretch it was taken for (a windowed veto), or the
                // body has not matched it for a while.
                None => self.active = None,
            }
        }
        let Some(active) = self.active else {
            let person = smoothed.as_ref().is_some_and(|p| p.mean_score() >= 0.15);
            self.frames_with_person += person as u64;
            let facing = person && smoothed.as_ref().is_some_and(facing_on_the_floor);
            let turn = since(&mut self.facing_since, facing, t) >= TURN_AFTER;
            // Partly out of the picture (too close to the camera, or moved part way out of view, which lets a
            // stretch go): a stretch not seen whole may not be named.
            let partly = person && smoothed.as_ref().is_some_and(|p| !in_frame(p));
            let step_back = since(&mut self.partly_since, partly, t) >= TURN_AFTER;
            let prompt = if turn {
                "Turn sideways to the camera: I see most stretches from the side"
            } else if step_back {
                "Step back so I can see all of you"
            } else if person {
                "Start any of the eight stretches: I will recognise it"
            } else {
                "I can't see you. Move into view of the camera"
            };
            // Said aloud once until a stretch is named: down on the floor, the person may not see the screen.
            let speak = (turn && !std::mem::replace(&mut self.turn_spoken, true))
                || (step_back && !turn && !std::mem::replace(&mut self.step_back_spoken, true));
            return FrameReport {
                t,
                exercise: None,
                routine: None,
                prompt: Some(prompt.into()),
                level: Some(Level::Setup),
                speak,
                faults: Vec::new(),
                person,
                phase: None,
                phase_name: None,
                reps: 0,
                faulty_reps: 0,
                held: 0.0,
                side: None,
                sides: None,
                measures: BTreeMap::new(),
                checks: Vec::new(),
            };
        };
        (self.facing_since, self.turn_spoken, self.partly_since, self.step_back_spoken) = (None, false, None, false);
        let Met { judge, frames, .. } = &mut self.judges[active];
        *frames += 1;
        let j = judge.update(smoothed.as_ref(), t);
        if j.person {
            self.frames_with_person += 1;
        }
        let Advice { mut prompt, mut speak } = self.coach.advise(judge.exercise(), &j);
        let phase_name = j.phase.and_then(|state| {
            let [up, down] = judge.exercise().phase.as_ref()?.names.as_ref()?;
            Some(if state == PhaseState::Up { up } else { down }.clone())
        });
        self.advance_routine(t);
        // A routine's "Next: ..." takes the place of guidance for a few seconds (never of a fault).
        if let Some(Announcement { text, at }) = &self.announce {
            if t - at < ANNOUNCE_FOR && prompt.as_ref().is_none_or(|p| p.level == Level::Guide) {
                speak = t == *at;
                prompt =
                    Some(crate::coaching::coach::Prompt { id: "next".into(), level: Level::Guide, text: text.clone() });
            }
        }
        FrameReport {
            routine: self.routine_progress(),
            t,
            exercise: Some(j.exercise),
            level: prompt.as_ref().map(|p| p.level),
            prompt: prompt.map(|p| p.text),
            speak,
            faults: j.faults.iter().map(|f| f.id.clone()).collect(),
            person: j.person,
            phase_name,
            phase: j.phase,
            reps: j.reps,
            faulty_reps: j.faulty_reps,
            held: round2(j.held),
            side: j.side,
            sides: j.sides,
            measures: j.measures.into_iter().map(|(k, v)| (k, v.map(|v| (v * 100.0).round() / 100.0))).collect(),
            checks: j.checks,
        }
    }

    pub fn summary(&self) -> Summary {
        let stretches: Vec<StretchSummary> = self
            .judges
            .iter()
            .map(|Met { judge, frames, .. }| {
                let ex = judge.exercise();
                StretchSummary {
                    figures: StretchFigures {
                        exercise: ex.id.clone(),
                        name: ex.name.clone(),
                        reps: judge.reps(),
                        faulty_reps: judge.faulty_reps(),
                        rep_target: ex.rep_target,
                        held_seconds: round2(judge.held()),
                        faults: judge.fault_counts().clone(),
                        sides: judge.sides(),
                        form_score: judge.form_score().map(round2),
                    },
                    frames: *frames,
                    done: judge.done(),
                }
            })
            .collect();
        let longest = stretches.iter().max_by_key(|s| s.frames).map(|s| s.figures.clone());
        Summary {
            longest: longest.unwrap_or_else(|| StretchFigures {
                exercise: AUTO.into(),
                name: "Not recognised yet".into(),
                reps: 0,
                faulty_reps: BTreeMap::new(),
                rep_target: None,
                held_seconds: 0.0,
                faults: BTreeMap::new(),
                sides: None,
                form_score: None,
            }),
            frames: self.frames,
            frames_with_person: self.frames_with_person,
            duration_s: round2(self.first_t.map(|f| self.last_t - f).unwrap_or(0.0)),
            routine: self.routine_progress(),
            prompts_spoken: self.coach.spoken_count(),
            stretches,
        }
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::fixtures::{bridge_at, lift, lift_with, ramp};

    /// Feeds hip heights, one frame per 1/30 s after `t`, through the session; returns each frame's report.
    fn feed(session: &mut Session, heights: impl IntoIterator<Item = f32>, t: &mut f64) -> Vec<FrameReport> {
        heights
            .into_iter()
            .map(|h| {
                *t += 1.0 / 30.0;
                session.step(Some(&bridge_at(h)), *t)
            })
            .collect()
    }

    /// One rep of the lift from rest: up in half a second, held 1.5 s, down, rest.
    fn rep() -> Vec<f32> {
        let mut h = vec![0.0; 30];
        h.extend(ramp(0.0, 60.0, 15));
        h.extend(vec![60.0; 45]);
        h.extend(ramp(60.0, 0.0, 30));
        h.extend(vec![0.0; 30]);
        h
    }

    #[test]
    fn the_back_is_read_only_while_a_check_of_it_is_judged() {
        let reads = |ex: Exercise| {
            let (mut session, mut t) = (Session::new(ex), 0.0);
            let mut reads = vec![session.reads_back()];
            for h in rep() {
                t += 1.0 / 30.0;
                session.step(Some(&bridge_at(h)), t);
                reads.push(session.reads_back());
            }
            reads
        };
        // A check of the back judged while up: read from the lift up, not at rest before or after.
        let mut with_back = lift();
        let mut check = with_back.checks[0].clone();
        (check.measure, check.during) =
            (crate::body::measure::Measure::BackCurve, crate::exercise::definition::During::Up);
        check.joints.clear();
        with_back.checks.push(check);
        let r = reads(with_back);
        let first_up = r.iter().position(|&b| b).expect("read while up");
        assert!(first_up > 30 && !r[r.len() - 1], "{r:?}");
        assert!(r[first_up..first_up + 45].iter().all(|&b| b), "{r:?}");
        // A stretch that never reads it: never.
        assert!(reads(lift()).iter().all(|&b| !b));
    }

    #[test]
    fn a_stretch_met_again_resumes_its_counts() {
        let (mut session, mut t) = (Session::new(lift()), 0.0);
        assert_eq!(feed(&mut session, rep(), &mut t).last().unwrap().reps, 1);
        session.switch(Plan::One(Box::new(lift_with("other", 5, ""))));
        let other = feed(&mut session, vec![0.0; 30], &mut t);
        assert!(other.iter().all(|r| r.exercise.as_deref() == Some("other") && r.reps == 0));
        session.switch(Plan::One(Box::new(lift())));
        assert_eq!(feed(&mut session, rep(), &mut t).last().unwrap().reps, 2);
        let summary = session.summary();
        let met: Vec<_> =
            summary.stretches.iter().map(|s| (s.figures.exercise.as_str(), s.figures.reps, s.frames)).collect();
        assert_eq!(met, [("lift", 2, 2 * rep().len() as u64), ("other", 0, 30)]);
        // The summary's top-level fields are the stretch judged longest.
        assert_eq!(
            (summary.longest.exercise.as_str(), summary.longest.reps, summary.frames),
            ("lift", 2, 2 * rep().len() as u64 + 30)
        );
    }

    #[test]
    fn a_routine_moves_on_when_a_stretch_is_done_and_says_what_comes_next() {
        let steps = vec![lift_with("first", 1, ""), lift_with("second", 1, "")];
        let (mut session, mut t) = (Session::with_plan(Plan::Routine("Morning".into(), steps)), 0.0);
        let step = |r: &FrameReport| r.routine.as_ref().map(|p| (p.step, p.steps));
        let reports = feed(&mut session, rep(), &mut t);
        assert_eq!(step(&reports[0]), Some((1, 2)));
        let next: Vec<_> = reports.iter().filter(|r| r.prompt.as_deref() == Some("Next: Lift, 1 reps")).collect();
        assert!(!next.is_empty(), "no announcement");
        assert_eq!(next.iter().filter(|r| r.speak).count(), 1, "the announcement is said once");
        let last = reports.last().unwrap();
        assert_eq!((last.exercise.as_deref(), step(last)), (Some("second"), Some((2, 2))));
        // The second stretch's rep completes the routine.
        let reports = feed(&mut session, rep(), &mut t);
        assert!(reports.iter().any(|r| r.prompt.as_deref() == Some("Morning complete. Well done, rest now")));
        assert_eq!(step(reports.last().unwrap()), Some((3, 2)));
        assert!(session.summary().stretches.iter().all(|s| s.done));
    }

    #[test]
    fn before_a_stretch_is_recognised_nothing_is_judged() {
        let mut session = Session::with_plan(Plan::Auto(vec![lift()]));
        for i in 0..10 {
            let r = session.step(None, i as f64 / 30.0);
            assert_eq!((r.exercise, r.level, r.person), (None, Some(Level::Setup), false));
        }
        let summary = session.summary();
        assert_eq!((summary.longest.exercise.as_str(), summary.frames, summary.stretches.len()), ("auto", 10, 0));
        assert!(session.exercise().is_none());
    }

    #[test]
    fn a_choice_becomes_one_stretch_or_all_to_recognise_from() {
        let catalog = vec![lift(), lift_with("other", 5, "")];
        let plan = |s: &str| Plan::choose(&s.parse().unwrap(), &catalog);
        assert!(matches!(plan("other"), Ok(Plan::One(ex)) if ex.id == "other"));
        assert!(matches!(plan("auto"), Ok(Plan::Auto(all)) if all.len() == 2));
        let err = plan("cartwheel").unwrap_err().to_string();
        assert_eq!(err, r#"unknown stretch "cartwheel"; known: auto, lift, other"#);
    }
}
