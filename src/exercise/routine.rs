//! Routines are data too: an ordered list of stretches with their own hold times or reps.

use std::path::Path;

use serde::{Deserialize, Serialize};

use super::definition::DefinitionError;
use super::spans::Spans;
use super::Exercise;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Routine {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    pub exercise: String,
    /// Overrides the stretch's own hold time (per side for per-side stretches).
    #[serde(default)]
    pub hold_seconds: Option<f32>,
    /// Overrides the stretch's own rep target.
    #[serde(default)]
    pub reps: Option<u32>,
}

const BUILT_IN: &[(&str, &str)] = &[("gentle-back.toml", include_str!("routines/gentle-back.toml"))];

impl Routine {
    /// Parses a routine and checks every step names a stretch of `catalog` with a sensible target.
    pub fn from_toml(file: &str, text: &str, catalog: &[Exercise]) -> Result<Routine, DefinitionError> {
        let r: Routine =
            toml::from_str(text).map_err(|e| DefinitionError::Syntax { file: file.into(), message: e.to_string() })?;
        let invalid = |i: usize, field: &str, message: String| DefinitionError::Invalid {
            file: file.into(),
            // At the step (its `[[steps]]` header, or its place in an inline array).
            line: Spans::of(text).map_or(1, |spans| spans.line(text, &[&["steps", &i.to_string()]])),
            field: format!("steps[{i}].{field}"),
            message,
        };
        if r.steps.is_empty() {
            return Err(DefinitionError::Invalid {
                file: file.into(),
                line: 1,
                field: "steps".into(),
                message: "a routine needs at least one step".into(),
            });
        }
        for (i, s) in r.steps.iter().enumerate() {
            if !catalog.iter().any(|e| e.id == s.exercise) {
                let known: Vec<&str> = catalog.iter().map(|e| e.id.as_str()).collect();
                return Err(invalid(
                    i,
                    "exercise",
                    format!("unknown stretch {:?}; known: {}", s.exercise, known.join(", ")),
                ));
            }
            if s.hold_seconds.is_some_and(|h| !(h.is_finite() && h > 0.0)) {
                return Err(invalid(i, "hold_seconds", "must be a positive number of seconds".into()));
            }
            if s.reps == Some(0) {
                return Err(invalid(i, "reps", "must be at least 1".into()));
            }
        }
        Ok(r)
    }

    /// The stretches of the routine, in order, with the step's targets applied.
    pub fn exercises(&self, catalog: &[Exercise]) -> Vec<Exercise> {
        self.steps
            .iter()
            .filter_map(|s| {
                let mut ex = catalog.iter().find(|e| e.id == s.exercise)?.clone();
                if let Some(h) = s.hold_seconds {
                    ex.hold_seconds = Some(h);
                }
                if let Some(n) = s.reps {
                    ex.rep_target = Some(n);
                }
                Some(ex)
            })
            .collect()
    }
}

/// Built-in routines, plus `*.toml` routines in `dir/routines/` (same id replaces); broken files are reported.
pub fn load_routines(dir: Option<&Path>, catalog: &[Exercise]) -> (Vec<Routine>, Vec<DefinitionError>) {
    let mut out: Vec<Routine> = BUILT_IN
        .iter()
        .map(|(f, t)| Routine::from_toml(f, t, catalog).unwrap_or_else(|e| panic!("built-in routine {f}: {e}")))
        .collect();
    let mut errors = Vec::new();
    if let Some(dir) = dir.map(|d| d.join("routines")).filter(|d| d.is_dir()) {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map(|rd| {
                rd.filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        for path in files {
            let file = path.display().to_string();
            match std::fs::read_to_string(&path) {
                Ok(text) => match Routine::from_toml(&file, &text, catalog) {
                    Ok(r) => match out.iter_mut().find(|o| o.id == r.id) {
                        Some(slot) => *slot = r,
                        None => out.push(r),
                    },
                    Err(e) => errors.push(e),
                },
                Err(source) => errors.push(DefinitionError::Read { file, source }),
            }
        }
    }
    (out, errors)
}
