//! Orientation-aware pose estimation. MoveNet was trained mostly on upright people and loses joints when a
//! body lies across the image, which is how six of the eight stretches look from the side. So the input is
//! turned to put the body upright, and cropped around it, before the model sees it; keypoints come back
//! through the same map.
//!
//! - Tracking: the previous frame's pose gives the body's axis (hips to shoulders) and extent: one run.
//! - Lost (first frame, or a frame the model was unsure of): the whole frame is tried at 0, 90, 180 and
//!   270 degrees and the surest is kept, then refined with a crop along its axis. Only then are there
//!   several runs.

use image::RgbImage;

use super::keypoints::{Joint, Pose};
use super::model::{ModelError, PoseModel};
use super::preprocess::InputMap;

/// A pose is trusted for tracking when its mean score reaches this and its torso is seen.
const TRACK_SCORE: f32 = 0.3;
/// Joints at or above this score set the crop.
const JOINT_SCORE: f32 = 0.3;
/// The crop is this many times the extent of the seen joints (room for limbs the model has not found).
const CROP_MARGIN: f32 = 1.5;

/// Where a body is and which way it points.
struct BodyFrame {
    /// Unit vector from the hips to the shoulders.
    up: (f32, f32),
    /// Centre of the box around the confident joints.
    centre: (f32, f32),
    /// The longer side of that box (at least three torso lengths).
    extent: f32,
}

/// The body's frame, if its torso is seen.
fn body_frame(pose: &Pose) -> Option<BodyFrame> {
    let seen = |j: Joint| Some(pose.get(j)).filter(|k| k.score >= JOINT_SCORE).map(|k| (k.x, k.y));
    let mid = |a, b| match (seen(a), seen(b)) {
        (Some(p), Some(q)) => Some(((p.0 + q.0) / 2.0, (p.1 + q.1) / 2.0)),
        (Some(p), None) | (None, Some(p)) => Some(p),
        (None, None) => None,
    };
    let shoulders = mid(Joint::LeftShoulder, Joint::RightShoulder)?;
    let hips = mid(Joint::LeftHip, Joint::RightHip)?;
    let (ux, uy) = (shoulders.0 - hips.0, shoulders.1 - hips.1);
    let len = ux.hypot(uy);
    if len < 2.0 {
        return None;
    }
    let pts: Vec<(f32, f32)> = pose.keypoints().iter().filter(|k| k.score >= JOINT_SCORE).map(|k| (k.x, k.y)).collect();
    let (x0, x1) = pts.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.0), b.max(p.0)));
    let (y0, y1) = pts.iter().fold((f32::MAX, f32::MIN), |(a, b), p| (a.min(p.1), b.max(p.1)));
    // A body is at least about three torso lengths long, whatever the model found of it.
    let extent = (x1 - x0).max(y1 - y0).max(3.0 * len);
    Some(BodyFrame { up: (ux / len, uy / len), centre: ((x0 + x1) / 2.0, (y0 + y1) / 2.0), extent })
}

fn trusted(pose: &Pose) -> bool {
    pose.mean_score() >= TRACK_SCORE && body_frame(pose).is_some()
}

/// The map that shows the body upright and cropped to it.
fn upright_map(pose: &Pose, size: usize) -> Option<InputMap> {
    let BodyFrame { up: (ux, uy), centre, extent } = body_frame(pose)?;
    // The model's "up" is source direction (sin a, -cos a): make it the body's up.
    let angle = ux.atan2(-uy);
    // Within 3 degrees of upright, take upright: the axis-aligned sampler is several times faster.
    let angle = if angle.abs() < 0.05 { 0.0 } else { angle };
    let side = (extent * CROP_MARGIN).min(2.0 * pose.width.max(pose.height) as f32);
    Some(InputMap::square(centre.0, centre.1, side, angle, size))
}

/// A pose estimator that keeps the body upright in the model's eyes.
pub struct OrientedEstimator {
    model: PoseModel,
    last: Option<Pose>,
    /// Runs of the model over the last frame (1 while tracking).
    pub runs_last_frame: u32,
}

impl OrientedEstimator {
    pub fn new(model: PoseModel) -> Self {
        OrientedEstimator { model, last: None, runs_last_frame: 0 }
    }

    /// Forget the previous frame (a new, unrelated image follows).
    pub fn reset(&mut self) {
        self.last = None;
    }

    pub fn estimate(&mut self, frame: &RgbImage) -> Result<Pose, ModelError> {
        let size = self.model.input_size();
        self.runs_last_frame = 0;
        let tracked = match self.last.as_ref().and_then(|p| upright_map(p, size)) {
            Some(map) => {
                self.runs_last_frame += 1;
                Some(self.model.estimate_with(frame, &map)?).filter(trusted)
            }
            None => None,
        };
        let pose = match tracked {
            Some(p) => p,
            None => self.search(frame)?,
        };
        self.last = Some(pose.clone()).filter(trusted);
        Ok(pose)
    }

    /// The whole frame at four rotations; the surest, refined with a crop along its own axis.
    fn search(&mut self, frame: &RgbImage) -> Result<Pose, ModelError> {
        let size = self.model.input_size();
        let (w, h) = (frame.width() as f32, frame.height() as f32);
        let side = w.max(h);
        let mut best: Option<Pose> = None;
        for quarter in 0..4 {
            let map = InputMap::square(w / 2.0, h / 2.0, side, quarter as f32 * std::f32::consts::FRAC_PI_2, size);
            self.runs_last_frame += 1;
            let pose = self.model.estimate_with(frame, &map)?;
            if best.as_ref().is_none_or(|b| pose.mean_score() > b.mean_score()) {
                best = Some(pose);
            }
        }
        let best = best.expect("four tries");
        if let Some(map) = upright_map(&best, size) {
            self.runs_last_frame += 1;
            let refined = self.model.estimate_with(frame, &map)?;
            if refined.mean_score() >= best.mean_score() {
                return Ok(refined);
            }
        }
        Ok(best)
    }
}

impl super::PoseStage for OrientedEstimator {
    fn estimate(&mut self, frame: &RgbImage) -> Result<Pose, ModelError> {
        OrientedEstimator::estimate(self, frame)
    }
    fn reset(&mut self) {
        OrientedEstimator::reset(self)
    }
    fn take_times(&mut self) -> super::StageTimes {
        self.model.take_times()
    }
    fn widen(&mut self) -> Result<bool, super::ModelError> {
        self.model.widen()
    }
}

/// Rotation-consistency figures of one rotation, over a set of photos.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RotationFigures {
    pub degrees: u32,
    /// Share of the upright pose's confident joints found within 0.1 torso lengths after rotating back.
    pub pck: f64,
    /// Mean score of the 17 joints.
    pub mean_score: f64,
}

/// Turns `img` by a multiple of 90 degrees clockwise, and maps a point of the turned image back.
pub fn rotate(img: &RgbImage, degrees: u32) -> RgbImage {
    match degrees % 360 {
        90 => image::imageops::rotate90(img),
        180 => image::imageops::rotate180(img),
        270 => image::imageops::rotate270(img),
        _ => img.clone(),
    }
}

/// Where a point of the image turned clockwise by `degrees` lies in the original (width w, height h).
pub fn unrotate_point(x: f32, y: f32, degrees: u32, w: f32, h: f32) -> (f32, f32) {
    match degrees % 360 {
        90 => (y, h - x),
        180 => (w - x, h - y),
        270 => (w - y, x),
        _ => (x, y),
    }
}

/// PCK@0.1 torso of `pose` (found on the image turned by `degrees`) against the upright `reference`.
pub fn pck(reference: &Pose, pose: &Pose, degrees: u32) -> Option<f64> {
    let mid = |p: &Pose, a: Joint, b: Joint| ((p.get(a).x + p.get(b).x) / 2.0, (p.get(a).y + p.get(b).y) / 2.0);
    let s = mid(reference, Joint::LeftShoulder, Joint::RightShoulder);
    let hp = mid(reference, Joint::LeftHip, Joint::RightHip);
    let torso = (s.0 - hp.0).hypot(s.1 - hp.1);
    let (w, h) = (reference.width as f32, reference.height as f32);
    let counted: Vec<bool> = Joint::COCO
        .iter()
        .filter(|j| reference.get(**j).score >= JOINT_SCORE)
        .map(|j| {
            let (r, k) = (reference.get(*j), pose.get(*j));
            let (x, y) = unrotate_point(k.x, k.y, degrees, w, h);
            (x - r.x).hypot(y - r.y) <= 0.1 * torso
        })
        .collect();
    (!counted.is_empty() && torso > 1.0).then(|| counted.iter().filter(|c| **c).count() as f64 / counted.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_turn_back() {
        let img = RgbImage::new(40, 20);
        let turned = rotate(&img, 90);
        assert_eq!((turned.width(), turned.height()), (20, 40));
        // The top-left corner of the original lands top-right after a clockwise quarter turn.
        assert_eq!(unrotate_point(20.0, 0.0, 90, 40.0, 20.0), (0.0, 0.0));
        assert_eq!(unrotate_point(0.0, 40.0, 270, 40.0, 20.0), (0.0, 0.0));
        assert_eq!(unrotate_point(40.0, 20.0, 180, 40.0, 20.0), (0.0, 0.0));
    }
}
