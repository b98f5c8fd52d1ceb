//! Keypoint files: JSON Lines, one frame per line, each the `pose --json` object plus an optional "t".

use std::io::BufRead;
use std::path::Path;

use crate::seeing::capture::replay::DEFAULT_FPS;
use crate::seeing::pose::{Pose, PoseRecord};

#[derive(Debug, thiserror::Error)]
pub enum KeypointFileError {
    #[error("{path}: {source}")]
    Io { path: String, source: std::io::Error },
    #[error("{path}:{line}: {message}")]
    Line { path: String, line: usize, message: String },
}

/// Reads a whole keypoint file into (t, pose) pairs; frames without "t" are 1/30 s after the previous one.
/// Blank lines are skipped; any malformed line is an error that names the line.
pub fn read(path: &Path) -> Result<Vec<(f64, Pose)>, KeypointFileError> {
    let name = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| KeypointFileError::Io { path: name.clone(), source })?;
    parse(std::io::BufReader::new(file), &name)
}

pub fn parse(reader: impl BufRead, name: &str) -> Result<Vec<(f64, Pose)>, KeypointFileError> {
    let mut out: Vec<(f64, Pose)> = Vec::new();
    for (i, line) in reader.lines().enumerate() {
        let line = line.map_err(|source| KeypointFileError::Io { path: name.into(), source })?;
        if line.trim().is_empty() {
            continue;
        }
        let bad = |message: String| KeypointFileError::Line { path: name.into(), line: i + 1, message };
        let record: PoseRecord = serde_json::from_str(&line).map_err(|e| bad(e.to_string()))?;
        let pose = Pose::try_from(&record).map_err(|e| bad(e.to_string()))?;
        let t = record.t.unwrap_or_else(|| out.last().map(|(t, _)| t + 1.0 / DEFAULT_FPS).unwrap_or(0.0));
        if let Some((last, _)) = out.last() {
            if t < *last {
                return Err(bad(format!("time {t} goes backwards (previous frame was at {last})")));
            }
        }
        out.push((t, pose));
    }
    Ok(out)
}

/// Poses replayed as a frame source, so that a keypoint file or generated motion runs through the same
/// loop as a camera (the pose stage is skipped for them).
pub struct KeypointSource {
    frames: std::vec::IntoIter<(f64, Pose)>,
    index: u64,
    what: String,
}

impl KeypointSource {
    pub fn new(frames: Vec<(f64, Pose)>, what: impl Into<String>) -> KeypointSource {
        KeypointSource { frames: frames.into_iter(), index: 0, what: what.into() }
    }
}

impl crate::seeing::capture::FrameSource for KeypointSource {
    fn next_frame(&mut self) -> Result<Option<crate::seeing::capture::Frame>, crate::seeing::capture::CaptureError> {
        let Some((t, pose)) = self.frames.next() else { return Ok(None) };
        self.index += 1;
        Ok(Some(crate::seeing::capture::Frame::pose(self.index - 1, t, pose)))
    }

    fn fps(&self) -> f64 {
        DEFAULT_FPS
    }

    fn describe(&self) -> String {
        self.what.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(t: Option<f64>) -> String {
        let kp: Vec<[f32; 3]> = (0..17).map(|i| [i as f32, 2.0 * i as f32, 0.9]).collect();
        serde_json::to_string(&PoseRecord { t, ..PoseRecord::coco(640, 480, kp) }).unwrap()
    }

    #[test]
    fn missing_times_are_thirty_per_second() {
        let text = format!("{}\n\n{}\n{}\n", line(None), line(None), line(Some(1.0)));
        let frames = parse(text.as_bytes(), "x").unwrap();
        let ts: Vec<f64> = frames.iter().map(|(t, _)| *t).collect();
        assert_eq!(ts.len(), 3);
        assert!((ts[1] - 1.0 / 30.0).abs() < 1e-9 && ts[2] == 1.0, "{ts:?}");
    }

    #[test]
    fn bad_lines_are_named() {
        let text = format!("{}\n{{\"width\":640}}\n", line(None));
        let err = parse(text.as_bytes(), "f.jsonl").unwrap_err().to_string();
        assert!(err.starts_with("f.jsonl:2:"), "{err}");
        let short = r#"{"width":640,"height":480,"keypoints":[[1,2,0.5]]}"#;
        assert!(parse(short.as_bytes(), "f").unwrap_err().to_string().contains("17 keypoints"));
        let backwards = format!("{}\n{}\n", line(Some(2.0)), line(Some(1.0)));
        assert!(parse(backwards.as_bytes(), "f").unwrap_err().to_string().contains("backwards"));
    }
}
