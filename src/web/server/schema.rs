//! The API document's account of the answers the session and the stretch definitions give (a summary, a
//! frame's report, which the hub's status names, a stretch, a routine). Those layers serialise their own
//! types and know nothing of HTTP; these only describe them, under the same names. None is ever built:
//! `tests/history.rs` holds every real answer to its schema, key for key, so that the two cannot drift.

#![allow(dead_code)]

use std::collections::BTreeMap;

/// What one frame produced: the line `check --json` prints and `/api/status` serves.
#[derive(utoipa::ToSchema)]
#[schema(as = FrameReport)]
pub struct FrameReportBody {
    t: f64,
    /// The stretch judged (null while `--exercise auto` has not recognised one yet).
    exercise: Option<String>,
    /// The text shown to the user now, or null.
    prompt: Option<String>,
    level: Option<LevelBody>,
    /// The prompt is spoken at this frame.
    speak: bool,
    /// Ids of the failing checks' faults (persisted), most important first.
    faults: Vec<String>,
    person: bool,
    phase: Option<PhaseBody>,
    /// The phase's name where the stretch gives one ("cow", "cat").
    phase_name: Option<String>,
    /// Reps in good form so far.
    reps: u32,
    /// Reps that did not count (a fault was told in them).
    faulty_reps: u32,
    /// Seconds held in good form so far.
    held: f64,
    /// The side judged (the working side of a per-side stretch).
    side: Option<SideBody>,
    /// Per-side stretches: progress of the left and the right side.
    #[schema(value_type = Option<Vec<Object>>)]
    sides: (),
    /// Each measure of the stretch by name, null where the view cannot read it.
    measures: BTreeMap<String, Option<f32>>,
    /// Each check, the joints it looks at and how it stands: for colouring the skeleton.
    #[schema(value_type = Vec<Object>)]
    checks: (),
    routine: Option<RoutineProgressBody>,
}

/// What a session says of a stretch: of each stretch done, and, at the top of the summary, of the one
/// judged longest.
#[derive(utoipa::ToSchema)]
#[schema(as = StretchFigures)]
pub struct StretchFiguresBody {
    exercise: String,
    name: String,
    /// Reps done in good form.
    reps: u32,
    /// Reps that did not count, by the first fault told in each.
    faulty_reps: BTreeMap<String, u32>,
    rep_target: Option<u32>,
    /// Seconds held in good form.
    held_seconds: f64,
    /// How many times each fault was prompted.
    faults: BTreeMap<String, u32>,
    /// Per-side stretches: reps, seconds held and done, left then right.
    #[schema(value_type = Option<Vec<Object>>)]
    sides: (),
    /// 0-100: the share of working time (set up, in the stretch) spent in good form; null before any.
    form_score: Option<f64>,
}

/// One stretch's part of a session.
#[derive(utoipa::ToSchema)]
#[schema(as = StretchSummary)]
pub struct StretchSummaryBody {
    #[serde(flatten)]
    figures: StretchFiguresBody,
    /// Frames judged as this stretch.
    frames: u64,
    /// The stretch's target was reached.
    done: bool,
}

/// The session so far: `GET /api/session` and the last line of `check --json`. The top-level stretch
/// figures are those of the stretch judged longest ("auto" and zeros before any is recognised).
#[derive(utoipa::ToSchema)]
#[schema(as = Summary)]
pub struct SummaryBody {
    #[serde(flatten)]
    longest: StretchFiguresBody,
    /// Frames judged, of every stretch and none.
    frames: u64,
    frames_with_person: u64,
    duration_s: f64,
    prompts_spoken: u32,
    routine: Option<RoutineProgressBody>,
    /// Every stretch done, in the order first met.
    stretches: Vec<StretchSummaryBody>,
}

/// Where a routine is.
#[derive(utoipa::ToSchema)]
#[schema(as = RoutineProgress)]
pub struct RoutineProgressBody {
    name: String,
    /// 1-based step being done (steps + 1 once complete).
    step: usize,
    steps: usize,
}

/// A stretch definition, as its TOML file gives it.
#[derive(utoipa::ToSchema)]
#[schema(as = Exercise)]
pub struct ExerciseBody {
    id: String,
    name: String,
    /// The seed's own words for the stretch.
    instructions: String,
    /// Where the camera should be.
    view: ViewBody,
    kind: KindBody,
    /// Reps to do (kind = "reps").
    rep_target: Option<u32>,
    /// Seconds to hold: the whole stretch (kind = "hold") or the top of each rep (kind = "reps").
    hold_seconds: Option<f32>,
    /// Splits the movement into "up" (working) and "down" (resting) phases; reps count each rise.
    #[schema(value_type = Option<Object>)]
    phase: (),
    /// Done once per side (hold or reps per side), the working side found by `sides`.
    per_side: bool,
    #[schema(value_type = Option<Object>)]
    sides: (),
    #[schema(value_type = Vec<Object>)]
    checks: (),
    /// What the pose looks like, for recognising this stretch (`--exercise auto`).
    #[schema(value_type = Vec<Object>)]
    recognise: (),
    /// Seed cautions shown with this stretch.
    cautions: Vec<String>,
}

/// A routine: stretches in order, with their own hold times or reps.
#[derive(utoipa::ToSchema)]
#[schema(as = Routine)]
pub struct RoutineBody {
    id: String,
    name: String,
    description: String,
    steps: Vec<RoutineStepBody>,
}

/// A routine's step.
#[derive(utoipa::ToSchema)]
#[schema(as = RoutineStep)]
pub struct RoutineStepBody {
    exercise: String,
    /// Overrides the stretch's own hold time (per side for per-side stretches).
    hold_seconds: Option<f32>,
    /// Overrides the stretch's own rep target.
    reps: Option<u32>,
}

/// How urgent a prompt is, the most urgent first.
#[derive(utoipa::ToSchema)]
#[schema(as = Level, rename_all = "kebab-case")]
pub enum LevelBody {
    Safety,
    Setup,
    Form,
    Guide,
}

/// In the stretch (or the working part of a rep), or out of it.
#[derive(utoipa::ToSchema)]
#[schema(as = Phase, rename_all = "lowercase")]
pub enum PhaseBody {
    Up,
    Down,
}

#[derive(utoipa::ToSchema)]
#[schema(as = Side, rename_all = "lowercase")]
pub enum SideBody {
    Left,
    Right,
}

#[derive(utoipa::ToSchema)]
#[schema(as = CameraView, rename_all = "kebab-case")]
pub enum ViewBody {
    Side,
    Front,
    Any,
}

/// A stretch held, or done in reps.
#[derive(utoipa::ToSchema)]
#[schema(as = Kind, rename_all = "kebab-case")]
pub enum KindBody {
    Reps,
    Hold,
}
