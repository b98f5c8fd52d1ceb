//! `stretchcoach eval-joints`: a pose model against joints a person placed by hand on real photos. Each
//! photo `NAME.jpg` has `NAME.json` beside it: `{"keypoints": [[x, y, v], ...]}` (COCO-17 order, pixels;
//! v = 2 seen, 1 hidden but placed, 0 not placed). Scored as PCK: the share of placed joints the model puts
//! within 0.1 (and 0.2) torso lengths of the hand-placed point, the torso being the labelled distance from
//! the shoulders' centre to the hips' centre.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::EvalError;
use crate::seeing::capture::replay::is_image_path;
use crate::seeing::pose::{Joint, Pose, PoseStage};

#[derive(Debug, Deserialize)]
struct Labels {
    keypoints: Vec<[f32; 3]>,
}

/// One photo's figures.
#[derive(Debug, Clone, Serialize)]
pub struct PhotoScore {
    pub file: String,
    /// Joints placed by hand (v > 0).
    pub joints: usize,
    pub pck_01: f64,
    pub pck_02: f64,
    /// Mean distance from the hand-placed point, in torso lengths.
    pub mean_error: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct JointReport {
    pub photos: Vec<PhotoScore>,
    /// Over all placed joints of all photos.
    pub pck_01: f64,
    pub pck_02: f64,
    pub mean_error: f64,
}

/// A photo and the joints placed on it by hand.
type Labelled = (PathBuf, Vec<[f32; 3]>);

/// The labelled photos of `dir`, with their labels read.
fn labelled(dir: &Path) -> Result<Vec<Labelled>, EvalError> {
    let io = |source| EvalError::Io { path: dir.to_path_buf(), source };
    let mut photos: Vec<PathBuf> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| is_image_path(p))
        .collect();
    photos.sort();
    let mut out = Vec::new();
    for photo in photos {
        let json = photo.with_extension("json");
        let Ok(text) = std::fs::read_to_string(&json) else { continue };
        let bad = |message: String| EvalError::Labels { path: json.clone(), message };
        let labels: Labels = serde_json::from_str(&text).map_err(|e| bad(e.to_string()))?;
        if labels.keypoints.len() != 17 {
            return Err(bad(format!("expected 17 keypoints in COCO order, found {}", labels.keypoints.len())));
        }
        out.push((photo, labels.keypoints));
    }
    if out.is_empty() {
        return Err(EvalError::Layout {
            path: dir.to_path_buf(),
            message: "no photo with its joints beside it (NAME.jpg and NAME.json)".into(),
        });
    }
    Ok(out)
}

/// Distances of each placed joint from the model's, in torso lengths (None when the torso is not placed).
fn errors(labels: &[[f32; 3]], pose: &Pose) -> Option<Vec<f64>> {
    let placed = |j: Joint| Some(labels[j.index()]).filter(|l| l[2] > 0.0).map(|l| (l[0], l[1]));
    let mid = |a, b| Some(((placed(a)?.0 + placed(b)?.0) / 2.0, (placed(a)?.1 + placed(b)?.1) / 2.0));
    let shoulders = mid(Joint::LeftShoulder, Joint::RightShoulder)?;
    let hips = mid(Joint::LeftHip, Joint::RightHip)?;
    let torso = ((shoulders.0 - hips.0).hypot(shoulders.1 - hips.1) as f64).max(1.0);
    Some(
        Joint::COCO
            .iter()
            .filter_map(|j| {
                let (x, y) = placed(*j)?;
                let k = pose.get(*j);
                Some(((k.x - x).hypot(k.y - y)) as f64 / torso)
            })
            .collect(),
    )
}

/// Scores `stage` on every labelled photo of `dir`, each seen fresh as `pose` sees it.
pub fn score(dir: &Path, stage: &mut dyn PoseStage) -> Result<JointReport, EvalError> {
    let mut photos = Vec::new();
    let mut all = Vec::new();
    for (path, labels) in labelled(dir)? {
        let img = crate::seeing::capture::read_image(&path)
            .map_err(|e| EvalError::Labels { path: path.clone(), message: format!("could not read the photo: {e}") })?
            .to_rgb8();
        stage.reset();
        let pose = stage.estimate(&img)?;
        let Some(errs) = errors(&labels, &pose) else { continue };
        let share = |r: f64| errs.iter().filter(|e| **e <= r).count() as f64 / errs.len().max(1) as f64;
        photos.push(PhotoScore {
            file: path.display().to_string(),
            joints: errs.len(),
            pck_01: share(0.1),
            pck_02: share(0.2),
            mean_error: errs.iter().sum::<f64>() / errs.len().max(1) as f64,
        });
        all.extend(errs);
    }
    let share = |r: f64| all.iter().filter(|e| **e <= r).count() as f64 / all.len().max(1) as f64;
    Ok(JointReport {
        pck_01: share(0.1),
        pck_02: share(0.2),
        mean_error: all.iter().sum::<f64>() / all.len().max(1) as f64,
        photos,
    })
}
