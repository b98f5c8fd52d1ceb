//! COCO-17 joints and the pose the model reports for one frame.

use serde::{Deserialize, Serialize};

/// The 17 COCO keypoints, in the model's output order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Joint {
    Nose,
    LeftEye,
    RightEye,
    LeftEar,
    RightEar,
    LeftShoulder,
    RightShoulder,
    LeftElbow,
    RightElbow,
    LeftWrist,
    RightWrist,
    LeftHip,
    RightHip,
    LeftKnee,
    RightKnee,
    LeftAnkle,
    RightAnkle,
}

impl Joint {
    pub const ALL: [Joint; 17] = [
        Joint::Nose,
        Joint::LeftEye,
        Joint::RightEye,
        Joint::LeftEar,
        Joint::RightEar,
        Joint::LeftShoulder,
        Joint::RightShoulder,
        Joint::LeftElbow,
        Joint::RightElbow,
        Joint::LeftWrist,
        Joint::RightWrist,
        Joint::LeftHip,
        Joint::RightHip,
        Joint::LeftKnee,
        Joint::RightKnee,
        Joint::LeftAnkle,
        Joint::RightAnkle,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn name(self) -> &'static str {
        JOINT_NAMES[self.index()]
    }
}

const JOINT_NAMES: [&str; 17] = [
    "nose",
    "left-eye",
    "right-eye",
    "left-ear",
    "right-ear",
    "left-shoulder",
    "right-shoulder",
    "left-elbow",
    "right-elbow",
    "left-wrist",
    "right-wrist",
    "left-hip",
    "right-hip",
    "left-knee",
    "right-knee",
    "left-ankle",
    "right-ankle",
];

/// Bones drawn as the skeleton (pairs of joints).
pub const BONES: [(Joint, Joint); 16] = [
    (Joint::Nose, Joint::LeftEye),
    (Joint::Nose, Joint::RightEye),
    (Joint::LeftEye, Joint::LeftEar),
    (Joint::RightEye, Joint::RightEar),
    (Joint::LeftShoulder, Joint::RightShoulder),
    (Joint::LeftShoulder, Joint::LeftElbow),
    (Joint::LeftElbow, Joint::LeftWrist),
    (Joint::RightShoulder, Joint::RightElbow),
    (Joint::RightElbow, Joint::RightWrist),
    (Joint::LeftShoulder, Joint::LeftHip),
    (Joint::RightShoulder, Joint::RightHip),
    (Joint::LeftHip, Joint::RightHip),
    (Joint::LeftHip, Joint::LeftKnee),
    (Joint::LeftKnee, Joint::LeftAnkle),
    (Joint::RightHip, Joint::RightKnee),
    (Joint::RightKnee, Joint::RightAnkle),
];

/// One joint: position in pixels of the source image and the model's confidence (0..1).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Keypoint {
    pub x: f32,
    pub y: f32,
    pub score: f32,
}

/// A pose in the pixel coordinates of the image it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Pose {
    pub width: u32,
    pub height: u32,
    pub keypoints: [Keypoint; 17],
}

impl Pose {
    pub fn get(&self, joint: Joint) -> Keypoint {
        self.keypoints[joint.index()]
    }

    /// Mean score of all 17 joints: a cheap "is anyone there" signal.
    pub fn mean_score(&self) -> f32 {
        self.keypoints.iter().map(|k| k.score).sum::<f32>() / 17.0
    }
}

/// The wire form shared by `pose --json` and keypoint files:
/// `{"width":W,"height":H,"keypoints":[[x,y,score],...],"t":seconds?}`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PoseRecord {
    pub width: u32,
    pub height: u32,
    pub keypoints: Vec<[f32; 3]>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub t: Option<f64>,
}

impl From<&Pose> for PoseRecord {
    fn from(p: &Pose) -> Self {
        PoseRecord {
            width: p.width,
            height: p.height,
            keypoints: p.keypoints.iter().map(|k| [k.x, k.y, k.score]).collect(),
            t: None,
        }
    }
}

/// Why a keypoint record cannot become a pose.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum RecordError {
    #[error("expected 17 keypoints in COCO order, found {0}")]
    WrongCount(usize),
    #[error("image size {0}x{1} is not a positive size")]
    BadSize(u32, u32),
    #[error("keypoint {joint} has a value that is not a finite number")]
    NotFinite { joint: &'static str },
    #[error("time {0} is not a finite, non-negative number of seconds")]
    BadTime(f64),
}

impl TryFrom<&PoseRecord> for Pose {
    type Error = RecordError;
    fn try_from(r: &PoseRecord) -> Result<Self, RecordError> {
        if r.keypoints.len() != 17 {
            return Err(RecordError::WrongCount(r.keypoints.len()));
        }
        if r.width == 0 || r.height == 0 {
            return Err(RecordError::BadSize(r.width, r.height));
        }
        if let Some(t) = r.t {
            if !t.is_finite() || t < 0.0 {
                return Err(RecordError::BadTime(t));
            }
        }
        let mut keypoints = [Keypoint::default(); 17];
        for (i, [x, y, s]) in r.keypoints.iter().copied().enumerate() {
            if !(x.is_finite() && y.is_finite() && s.is_finite()) {
                return Err(RecordError::NotFinite { joint: Joint::ALL[i].name() });
            }
            keypoints[i] = Keypoint { x, y, score: s.clamp(0.0, 1.0) };
        }
        Ok(Pose { width: r.width, height: r.height, keypoints })
    }
}
