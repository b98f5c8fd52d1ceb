//! Stretch definitions are data: TOML files, one per stretch, validated when loaded.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::measure::{JointRef, Measure};

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
    #[serde(default)]
    pub checks: Vec<Check>,
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
    /// The phase is "up" from this value upwards...
    pub up: f32,
    /// ...until it falls below this one (hysteresis: down < up).
    pub down: f32,
    /// Said while resting, to start the next rep.
    pub cue: String,
    /// Said when the hold at the top is done.
    #[serde(default)]
    pub release: Option<String>,
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
    /// Fault when the value falls below range[0].
    #[serde(default)]
    pub below: Option<Outcome>,
    /// Fault when the value rises above range[1].
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
        self.hysteresis.unwrap_or(if self.measure.unit() == "degrees" { 3.0 } else { 0.03 })
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

/// 1-based line of the first occurrence of `needle` in `text` (1 when absent).
fn line_of(text: &str, needle: &str) -> usize {
    text.find(needle).map(|i| text[..i].lines().count().max(1)).unwrap_or(1)
}

impl Exercise {
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
        let invalid = |anchor: &str, field: String, message: String| DefinitionError::Invalid {
            file: file.into(),
            line: line_of(text, anchor),
            field,
            message,
        };
        if self.id.is_empty() || !self.id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
            return Err(invalid(
                "id",
                "id".into(),
                format!("{:?} must be lower-case letters, digits and '-'", self.id),
            ));
        }
        if self.kind == Kind::Reps && self.rep_target.is_none_or(|n| n == 0) {
            return Err(invalid("kind", "rep_target".into(), "a reps stretch needs rep_target >= 1".into()));
        }
        if self.kind == Kind::Hold && self.hold_seconds.is_none() {
            return Err(invalid("kind", "hold_seconds".into(), "a hold stretch needs hold_seconds".into()));
        }
        if let Some(h) = self.hold_seconds {
            if !(h.is_finite() && h > 0.0) {
                return Err(invalid(
                    "hold_seconds",
                    "hold_seconds".into(),
                    format!("{h} is not a positive number of seconds"),
                ));
            }
        }
        if let Some(p) = &self.phase {
            if p.joints.len() != p.measure.arity() {
                return Err(invalid(
                    "[phase]",
                    "phase.joints".into(),
                    format!("{:?} needs {} joints, got {}", p.measure, p.measure.arity(), p.joints.len()),
                ));
            }
            if !(p.down < p.up) {
                return Err(invalid(
                    "[phase]",
                    "phase.down".into(),
                    format!("down ({}) must be below up ({})", p.down, p.up),
                ));
            }
        }
        let mut seen = std::collections::HashSet::new();
        for c in &self.checks {
            let anchor = format!("\"{}\"", c.id);
            let field = |f: &str| format!("checks.{}.{f}", c.id);
            if !seen.insert(&c.id) {
                return Err(invalid(&anchor, field("id"), "duplicate check id".into()));
            }
            if c.joints.len() != c.measure.arity() {
                return Err(invalid(
                    &anchor,
                    field("joints"),
                    format!("{:?} needs {} joints, got {}", c.measure, c.measure.arity(), c.joints.len()),
                ));
            }
            let [lo, hi] = c.range;
            if !(lo.is_finite() && hi.is_finite()) || lo > hi {
                return Err(invalid(
                    &anchor,
                    field("range"),
                    format!("[{lo}, {hi}] is not a range (min must not exceed max)"),
                ));
            }
            if c.below.is_none() && c.above.is_none() {
                return Err(invalid(&anchor, field("below"), "a check needs a `below` or an `above` outcome".into()));
            }
            if !(c.persist.is_finite() && c.persist >= 0.0) || !c.hysteresis().is_finite() || c.hysteresis() < 0.0 {
                return Err(invalid(&anchor, field("persist"), "persist and hysteresis must be non-negative".into()));
            }
        }
        Ok(())
    }
}
