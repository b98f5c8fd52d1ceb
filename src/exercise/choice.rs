//! Which stretch a run judges, as given on the command line or the API: one by id, or "auto" (recognise it
//! from the pose). Parsed once at the edge, so nothing further in compares strings with "auto".

use std::fmt;
use std::str::FromStr;

/// A stretch's id, as named in its definition (`id = "bridge"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ExerciseId(String);

impl ExerciseId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ExerciseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The stretch to judge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExerciseChoice {
    /// Recognise it from the pose, among the whole catalog.
    Auto,
    Id(ExerciseId),
}

/// The word that asks for recognition.
pub const AUTO: &str = "auto";

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("give a stretch id (see `stretchcoach exercises`) or \"{AUTO}\"")]
pub struct EmptyChoice;

impl FromStr for ExerciseChoice {
    type Err = EmptyChoice;

    fn from_str(s: &str) -> Result<Self, EmptyChoice> {
        match s.trim() {
            "" => Err(EmptyChoice),
            AUTO => Ok(ExerciseChoice::Auto),
            id => Ok(ExerciseChoice::Id(ExerciseId(id.to_owned()))),
        }
    }
}

impl fmt::Display for ExerciseChoice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExerciseChoice::Auto => f.write_str(AUTO),
            ExerciseChoice::Id(id) => id.fmt(f),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_is_recognition_and_anything_else_an_id() {
        assert_eq!("auto".parse(), Ok(ExerciseChoice::Auto));
        let bridge: ExerciseChoice = " bridge ".parse().unwrap();
        assert_eq!(bridge, ExerciseChoice::Id(ExerciseId("bridge".into())));
        assert_eq!(bridge.to_string(), "bridge");
        assert_eq!("".parse::<ExerciseChoice>(), Err(EmptyChoice));
    }
}
