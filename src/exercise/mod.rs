//! Stretches: their definitions (data), the built-in catalog, and the judge that applies them.

pub mod choice;
pub mod definition;
#[cfg(test)]
pub(crate) mod fixtures;
pub mod judge;
pub mod recognise;
pub mod routine;
mod spans;
pub(crate) mod window;

use std::path::Path;

pub use choice::{ExerciseChoice, ExerciseId};
pub use definition::{DefinitionError, Exercise};
pub use judge::{Judge, Judgement};

/// The stretches that ship with the program: (file name, TOML text).
/// In the order of the seed text.
const BUILT_IN: &[(&str, &str)] = &[
    ("hip-circles.toml", include_str!("catalog/hip-circles.toml")),
    ("seated-hamstring.toml", include_str!("catalog/seated-hamstring.toml")),
    ("childs-pose.toml", include_str!("catalog/childs-pose.toml")),
    ("cat-cow.toml", include_str!("catalog/cat-cow.toml")),
    ("bridge.toml", include_str!("catalog/bridge.toml")),
    ("knee-to-chest.toml", include_str!("catalog/knee-to-chest.toml")),
    ("supine-twist.toml", include_str!("catalog/supine-twist.toml")),
    ("legs-up-the-wall.toml", include_str!("catalog/legs-up-the-wall.toml")),
];

/// The built-in stretches, parsed (they are validated by the test suite, so this cannot fail in a release).
pub fn built_in() -> Vec<Exercise> {
    BUILT_IN
        .iter()
        .map(|(file, text)| Exercise::from_toml(file, text).unwrap_or_else(|e| panic!("built-in stretch {file}: {e}")))
        .collect()
}

/// Built-in stretches, overridden or extended by the `*.toml` files of `dir` (same id replaces).
/// A broken user file is reported and skipped; the others still load.
pub fn load_catalog(dir: Option<&Path>) -> (Vec<Exercise>, Vec<DefinitionError>) {
    let mut catalog = built_in();
    let mut errors = Vec::new();
    if let Some(dir) = dir {
        let mut files: Vec<_> = match std::fs::read_dir(dir) {
            Ok(rd) => rd
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect(),
            Err(source) => {
                errors.push(DefinitionError::Read { file: dir.display().to_string(), source });
                Vec::new()
            }
        };
        files.sort();
        for path in files {
            match Exercise::from_file(&path) {
                Ok(ex) => match catalog.iter_mut().find(|e| e.id == ex.id) {
                    Some(slot) => *slot = ex,
                    None => catalog.push(ex),
                },
                Err(e) => errors.push(e),
            }
        }
    }
    (catalog, errors)
}
