//! Helpers shared by the integration tests: running the real binary and writing keypoint files.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use stretchcoach::pose::{Pose, PoseRecord};

pub fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_stretchcoach"))
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel)
}

pub fn write_jsonl(path: &Path, frames: &[(f64, Pose)]) {
    let mut text = String::new();
    for (t, pose) in frames {
        let mut r = PoseRecord::from(pose);
        r.t = Some(*t);
        text.push_str(&serde_json::to_string(&r).unwrap());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

/// Runs `check --keypoints FILE --exercise ID --json`; returns the frame lines and the summary.
pub fn check_keypoints(file: &Path, exercise: &str) -> (Vec<serde_json::Value>, serde_json::Value) {
    let out = bin().args(["check", "--json", "--exercise", exercise, "--keypoints"]).arg(file).output().unwrap();
    assert!(out.status.success(), "check failed: {}", String::from_utf8_lossy(&out.stderr));
    let mut lines: Vec<serde_json::Value> =
        String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let summary = lines.pop().expect("a summary line")["summary"].clone();
    assert!(summary.is_object(), "last line must be the summary");
    (lines, summary)
}
