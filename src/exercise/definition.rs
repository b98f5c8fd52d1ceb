//! Stretch definitions are data: TOML files, one per stretch, validated when loaded.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::spans::Spans;
use crate::body::measure::{JointRef, Measure, SeenFrom, View};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exercise {
    pub id: String,
    pub name: String,
    /// The seed's own words for the stretch.
    pub instructions: String,
    /// Where the camera should be.
    pub view: CameraView,
    pub kind: Kind,
    /// Reps to do (kind = "reps").
    #[serde(default)]
    pub rep_target: Option<u32>,
    /// Seconds to hold: the whole stretch (kind = "hold") or the top of each rep (kind = "reps").
    #[serde(default)]
    pub hold_seconds: Option<f32>,
    /// Splits the movement into "up" (working) and "down" (resting) phases; reps count each rise.
    #[serde(default)]
    pub phase: Option<Phase>,
    /// Done once per side (hold or reps per side), the working side found by `sides`.
    #[serde(default)]
    pub per_side: bool,
    #[serde(default)]
    pub sides: Option<SidePick>,
    #[serde(default)]
    pub checks: Vec<Check>,
    /// What the pose looks like, for recognising this stretch (`--exercise auto`).
    #[serde(default)]
    pub recognise: Vec<Condition>,
    /// Seed cautions shown with this stretch.
    #[serde(default)]
    pub cautions: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CameraView {
    Side,
    Front,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    Reps,
    Hold,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    pub measure: Measure,
    pub joints: Vec<JointRef>,
    /// The phase turns "up" when the value reaches `enter`, and back "down" when it passes `exit` the other
    /// way; enter > exit for a value that rises as you work (hip height), enter < exit for one that falls
    /// (the hip angle as a knee comes to the chest). The gap between them is the hysteresis.
    pub enter: f32,
    pub exit: f32,
    /// Said while resting, to start the next rep (or to get into the stretch).
    pub cue: String,
    /// Said when the hold at the top is done.
    #[serde(default)]
    pub release: Option<String>,
    /// A rep quicker than this is too fast: the safety prompt `too_fast` is given.
    #[serde(default)]
    pub min_cycle_seconds: Option<f32>,
    #[serde(default)]
    pub too_fast: Option<String>,
    /// Said instead of the cue once half the reps are done (e.g. "now circle the other way").
    #[serde(default)]
    pub halfway: Option<String>,
    /// What the two phases are called, working then resting (cat-cow: ["cow", "cat"]), for the page.
    #[serde(default)]
    pub names: Option<[String; 2]>,
    /// A lift seen to start but stopped short of `enter`: told, and a rep that does not count.
    #[serde(default)]
    pub short: Option<Short>,
}

/// A movement begun but not taken far enough: the phase measure has come `rise` (its own units) from where
/// it rested, towards `enter`, and stayed short of it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Short {
    pub rise: f32,
    pub fault: String,
    pub prompt: String,
}

impl Phase {
    /// True when working raises the value (enter above exit).
    pub fn rising(&self) -> bool {
        self.enter > self.exit
    }

    /// +1 when working raises the value, -1 when it lowers it: times a change, how far it went into the pose.
    pub fn sign(&self) -> f32 {
        if self.rising() {
            1.0
        } else {
            -1.0
        }
    }
}

/// How a per-side stretch finds the working side.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SidePick {
    pub measure: Measure,
    pub joints: Vec<JointRef>,
    /// "min"/"max": the side where the measure (taken on each side) is smaller/larger;
    /// "sign": measured once, positive means the person's left.
    pub pick: Pick,
    /// The measure tells the sides apart only when the body is seen this way; seen otherwise, the side
    /// changes when one side is done and the person comes out of the stretch (the next one is the other).
    #[serde(default)]
    pub view: Option<SeenFrom>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Pick {
    Min,
    Max,
    Sign,
}

/// One thing true of the pose while doing a stretch: the measure lies in the range.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Condition {
    pub measure: Measure,
    pub joints: Vec<JointRef>,
    pub range: [f32; 2],
    /// How far outside the range the evidence fades to nothing (default 10 degrees, 0.15 torso lengths):
    /// real bodies and real cameras are never exactly on a threshold.
    #[serde(default)]
    pub tolerance: Option<f32>,
    /// Only when the camera sees the body this way (a stretch that can be seen two ways lists both).
    #[serde(default)]
    pub view: Option<SeenFrom>,
    /// Only rules the stretch out: a condition most other poses meet too (no hand raised overhead) is no
    /// evidence for the stretch, so it is left out of the mean, where it would lift every pose with joints
    /// unseen; plainly broken (beyond the tolerance), it breaks the stretch as any condition does.
    #[serde(default)]
    pub veto: bool,
    /// A veto that rules out only while each of these holds: what is wrong in one posture (the feet level
    /// with the hips, for a twist, with the trunk upright: sitting) may be right in another (lying across an
    /// overhead camera's picture). Only on a veto, where leaving it out changes no mean.
    #[serde(default)]
    pub when: Vec<When>,
    /// Read how much the measure moves, its spread over this many seconds, not its value: legs resting on a
    /// wall stay still, legs being raised and lowered do not. Only on a veto: keeping still is no evidence for a
    /// stretch (a photo always is). Read on the side nearer the camera each frame (name `mid-` joints for a
    /// measure of both sides); a single pose, as in a photo, does not move.
    #[serde(default)]
    pub window: Option<f32>,
}

impl Condition {
    pub fn tolerance(&self) -> f32 {
        self.tolerance.unwrap_or(if self.measure.is_angle() { 10.0 } else { 0.15 })
    }

    /// Whether it applies to a body the camera sees this way: one tagged with a view, only seen that way.
    pub fn applies(&self, seen: Option<SeenFrom>) -> bool {
        self.view.is_none() || self.view == seen
    }
}

impl When {
    /// Whether the measure is known on this pose and in the range.
    pub fn holds(&self, view: &View) -> bool {
        self.measure.eval(view, &self.joints).is_some_and(|v| (self.range[0]..=self.range[1]).contains(&v))
    }

    fn well_formed(&self) -> Result<(), String> {
        let range_ok = self.range[0].is_finite() && self.range[1].is_finite() && self.range[0] <= self.range[1];
        if self.joints.len() == self.measure.arity() && range_ok {
            Ok(())
        } else {
            Err(format!("{:?} needs {} joints and a range low..high", self.measure, self.measure.arity()))
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// Could hurt: always first.
    Safety,
    /// The person or camera is not set up for this stretch yet: judged before form.
    Setup,
    Form,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum During {
    Always,
    Up,
    Down,
}

/// One way the stretch can fail: on which side of the target range, and what to say.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outcome {
    pub fault: String,
    pub prompt: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub id: String,
    #[serde(default = "default_category")]
    pub category: Category,
    pub measure: Measure,
    pub joints: Vec<JointRef>,
    /// Target range [min, max] in the measure's unit.
    pub range: [f32; 2],
    /// Fault when the value falls below `range[0]`.
    #[serde(default)]
    pub below: Option<Outcome>,
    /// Fault when the value rises above `range[1]`.
    #[serde(default)]
    pub above: Option<Outcome>,
    /// How far back inside the range a value must come to clear a fault (default: 3 degrees, 0.03 lengths).
    #[serde(default)]
    pub hysteresis: Option<f32>,
    /// Seconds a fault must last before it is prompted.
    #[serde(default = "default_persist")]
    pub persist: f32,
    /// Lower is more important, within a category.
    #[serde(default = "default_priority")]
    pub priority: u8,
    #[serde(default = "default_during")]
    pub during: During,
    /// Judge the spread (max - min) of the measure over this many seconds instead of its value:
    /// how big a movement is, or how still a joint stays.
    #[serde(default)]
    pub window: Option<f32>,
    /// Judged only when the camera sees the body this way (what one view cannot see, it does not judge).
    #[serde(default)]
    pub view: Option<SeenFrom>,
    /// Judged only while each of these holds: a variant the seed allows, where the check means nothing
    /// (knees together, with one leg lying straight), is not judged by it.
    #[serde(default)]
    pub when: Vec<When>,
}

/// A measure in a range, for [`Check::when`]; unknown counts as not holding (the check is then not judged).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct When {
    pub measure: Measure,
    pub joints: Vec<JointRef>,
    pub range: [f32; 2],
}

fn default_category() -> Category {
    Category::Form
}
fn default_persist() -> f32 {
    0.5
}
fn default_priority() -> u8 {
    5
}
fn default_during() -> During {
    During::Always
}

impl Check {
    pub fn hysteresis(&self) -> f32 {
        self.hysteresis.unwrap_or(if self.measure.is_angle() { 3.0 } else { 0.03 })
    }

    /// Whether it is judged on a body the camera sees this way: one tagged with a view, only seen that way
    /// (as [`Condition::applies`]).
    pub fn applies(&self, seen: Option<SeenFrom>) -> bool {
        self.view.is_none() || self.view == seen
    }
}

#[derive(Debug, thiserror::Error)]
pub enum DefinitionError {
    #[error("{file}: {source}")]
    Read { file: String, source: std::io::Error },
    /// toml's message carries the line, column and field.
    #[error("{file}: {message}")]
    Syntax { file: String, message: String },
    #[error("{file}:{line}: {field}: {message}")]
    Invalid { file: String, line: usize, field: String, message: String },
}

impl Exercise {
    /// Whether recognising this stretch reads the back's curve.
    pub fn recognises_by_back(&self) -> bool {
        self.recognise.iter().any(|c| c.measure == Measure::BackCurve)
    }

    /// The checks that tell this fault (a lift stopped short, told by the phase, is not one of them).
    pub fn checks_telling<'a>(&'a self, fault: &'a str) -> impl Iterator<Item = &'a Check> {
        self.checks.iter().filter(move |c| [&c.above, &c.below].into_iter().flatten().any(|o| o.fault == fault))
    }

    /// Parses and validates one definition; `file` names it in errors.
    pub fn from_toml(file: &str, text: &str) -> Result<Exercise, DefinitionError> {
        let ex: Exercise =
            toml::from_str(text).map_err(|e| DefinitionError::Syntax { file: file.into(), message: e.to_string() })?;
        ex.validate(file, text)?;
        Ok(ex)
    }

    pub fn from_file(path: &Path) -> Result<Exercise, DefinitionError> {
        let file = path.display().to_string();
        let text =
            std::fs::read_to_string(path).map_err(|source| DefinitionError::Read { file: file.clone(), source })?;
        Exercise::from_toml(&file, &text)
    }

    fn validate(&self, file: &str, text: &str) -> Result<(), DefinitionError> {
        // At the first of `at` (key paths) that the file has: the field at fault, else where it belongs.
        let invalid = |at: &[&[&str]], field: String, message: String| DefinitionError::Invalid {
            file: file.into(),
            line: Spans::of(text).map_or(1, |spans| spans.line(text, at)),
            field,
            message,
        };
        if self.id.is_empty() || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(invalid(
                &[&["id"]],
                "id".into(),
                format!("{:?} must be lower-case letters, digits and '-'", self.id),
            ));
        }
        if self.kind == Kind::Reps && self.rep_target.is_none_or(|n| n == 0) {
            return Err(invalid(
                &[&["rep_target"], &["kind"]],
                "rep_target".into(),
                "a reps stretch needs rep_target >= 1".into(),
            ));
        }
        if self.kind == Kind::Hold && self.hold_seconds.is_none() {
            return Err(invalid(
                &[&["hold_seconds"], &["kind"]],
                "hold_seconds".into(),
                "a hold stretch needs hold_seconds".into(),
            ));
        }
        if let Some(h) = self.hold_seconds {
            if !(h.is_finite() && h > 0.0) {
                return Err(invalid(
                    &[&["hold_seconds"]],
                    "hold_seconds".into(),
                    format!("{h} is not a positive number of seconds"),
                ));
            }
        }
        if let Some(p) = &self.phase {
            if p.joints.len() != p.measure.arity() {
                let msg = format!("{:?} needs {} joints, got {}", p.measure, p.measure.arity(), p.joints.len());
                return Err(invalid(&[&["phase", "joints"]], "phase.joints".into(), msg));
            }
            if !(p.enter.is_finite() && p.exit.is_finite()) || p.enter == p.exit {
                let msg = format!("enter ({}) and exit ({}) must differ (the gap is the hysteresis)", p.enter, p.exit);
                return Err(invalid(&[&["phase", "exit"]], "phase.exit".into(), msg));
            }
            if let Some(short) = &p.short {
                if !(short.rise.is_finite() && short.rise > 0.0) {
                    let msg = format!("{} is not a positive rise", short.rise);
                    return Err(invalid(&[&["phase", "short", "rise"]], "phase.short.rise".into(), msg));
                }
            }
            if p.min_cycle_seconds.is_some() != p.too_fast.is_some() {
                let msg = "min_cycle_seconds and too_fast go together".to_string();
                return Err(invalid(
                    &[&["phase", "too_fast"], &["phase", "min_cycle_seconds"]],
                    "phase.too_fast".into(),
                    msg,
                ));
            }
        }
        if self.per_side != self.sides.is_some() {
            return Err(invalid(
                &[&["sides"], &["per_side"]],
                "sides".into(),
                "per_side = true needs a [sides] table, and only then".into(),
            ));
        }
        if let Some(sp) = &self.sides {
            if sp.joints.len() != sp.measure.arity() {
                let msg = format!("{:?} needs {} joints, got {}", sp.measure, sp.measure.arity(), sp.joints.len());
                return Err(invalid(&[&["sides", "joints"]], "sides.joints".into(), msg));
            }
        }
        for (i, c) in self.recognise.iter().enumerate() {
            let field = format!("recognise[{i}]");
            let n = i.to_string();
            if c.joints.len() != c.measure.arity() {
                let msg = format!("{:?} needs {} joints, got {}", c.measure, c.measure.arity(), c.joints.len());
                return Err(invalid(&[&["recognise", &n, "joints"]], field + ".joints", msg));
            }
            if !(c.range[0].is_finite() && c.range[1].is_finite()) || c.range[0] > c.range[1] {
                let msg = format!("[{}, {}] is not a range (min must not exceed max)", c.range[0], c.range[1]);
                return Err(invalid(&[&["recognise", &n, "range"]], field + ".range", msg));
            }
            let tol = c.tolerance();
            if !(tol.is_finite() && tol > 0.0) {
                return Err(invalid(
                    &[&["recognise", &n, "tolerance"], &["recognise", &n]],
                    field + ".tolerance",
                    format!("{tol} must be a positive number"),
                ));
            }
            if !c.when.is_empty() && !c.veto {
                let msg = "`when` is only for a veto (veto = true): evidence for the stretch is always read".into();
                return Err(invalid(&[&["recognise", &n, "when"], &["recognise", &n]], field + ".when", msg));
            }
            let window_wrong = match c.window {
                Some(_) if !c.veto => {
                    Some("`window` is only for a veto (veto = true): keeping still is no evidence for a stretch")
                }
                Some(w) if !(w.is_finite() && w > 0.0) => Some("window must be a positive number of seconds"),
                _ => None,
            };
            if let Some(msg) = window_wrong {
                let at: &[&[&str]] = &[&["recognise", &n, "window"], &["recognise", &n]];
                return Err(invalid(at, format!("{field}.window"), msg.into()));
            }
            for (k, w) in c.when.iter().enumerate() {
                if let Err(msg) = w.well_formed() {
                    return Err(invalid(&[&["recognise", &n, "when", &k.to_string()]], format!("{field}.when"), msg));
                }
            }
        }
        let mut seen = std::collections::HashSet::new();
        for (i, c) in self.checks.iter().enumerate() {
            let n = i.to_string();
            let field = |f: &str| format!("checks.{}.{f}", c.id);
            if !seen.insert(&c.id) {
                return Err(invalid(&[&["checks", &n, "id"]], field("id"), "duplicate check id".into()));
            }
            if c.joints.len() != c.measure.arity() {
                return Err(invalid(
                    &[&["checks", &n, "joints"]],
                    field("joints"),
                    format!("{:?} needs {} joints, got {}", c.measure, c.measure.arity(), c.joints.len()),
                ));
            }
            let [lo, hi] = c.range;
            if !(lo.is_finite() && hi.is_finite()) || lo > hi {
                return Err(invalid(
                    &[&["checks", &n, "range"]],
                    field("range"),
                    format!("[{lo}, {hi}] is not a range (min must not exceed max)"),
                ));
            }
            if c.below.is_none() && c.above.is_none() {
                return Err(invalid(
                    &[&["checks", &n]],
                    field("below"),
                    "a check needs a `below` or an `above` outcome".into(),
                ));
            }
            for (k, w) in c.when.iter().enumerate() {
                if let Err(msg) = w.well_formed() {
                    return Err(invalid(&[&["checks", &n, "when", &k.to_string()]], field("when"), msg));
                }
            }
            if c.window.is_some_and(|w| !(w.is_finite() && w > 0.0)) {
                return Err(invalid(
                    &[&["checks", &n, "window"]],
                    field("window"),
                    "window must be a positive number of seconds".into(),
                ));
            }
            let (p, h) = (c.persist, c.hysteresis());
            if !(p.is_finite() && p >= 0.0 && h.is_finite() && h >= 0.0) {
                return Err(invalid(
                    &[&["checks", &n, "persist"], &["checks", &n, "hysteresis"], &["checks", &n]],
                    field("persist"),
                    "persist and hysteresis must be non-negative".into(),
                ));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invalid_field_is_reported_at_its_own_line() {
        // The second check's id is quoted in the first check's prompt, before the second check: a search for
        // the text would land there.
        let text = r#"id = "t"
name = "T"
instructions = "Do it."
view = "side"
kind = "hold"
hold_seconds = 5

[[checks]]
id = "hip"
measure = "angle"
joints = ["shoulder", "hip", "knee"]
range = [160, 200]
below = { fault = "f", prompt = 'Keep the "knee" still' }

[[checks]]
id = "knee"
measure = "angle"
joints = ["hip", "knee", "ankle"]
range = [120, 60]
below = { fault = "g", prompt = "Bend it" }
"#;
        let err = Exercise::from_toml("t.toml", text).unwrap_err().to_string();
        assert_eq!(err, "t.toml:19: checks.knee.range: [120, 60] is not a range (min must not exceed max)");
        // A field that is missing: where it belongs.
        let err = Exercise::from_toml("t.toml", &text.replace("hold_seconds = 5\n", "")).unwrap_err().to_string();
        assert_eq!(err, "t.toml:5: hold_seconds: a hold stretch needs hold_seconds");
    }
}
