//! The landmarks a model reports for one frame: COCO-17 joints (the core every model fills) and, from
//! BlazePose, MediaPipe's other 16 (eye corners, mouth, hand points, heels and toes); and what the model's
//! silhouette shows of the back.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Every landmark by name: COCO-17 first, in the MoveNet models' output order, then the rest of
/// MediaPipe's 33 in its order.
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
    LeftEyeInner,
    LeftEyeOuter,
    RightEyeInner,
    RightEyeOuter,
    MouthLeft,
    MouthRight,
    LeftPinky,
    RightPinky,
    LeftIndex,
    RightIndex,
    LeftThumb,
    RightThumb,
    LeftHeel,
    RightHeel,
    LeftFootIndex,
    RightFootIndex,
}

/// How many landmarks a pose can carry (MediaPipe's 33).
pub const LANDMARKS: usize = 33;

impl Joint {
    /// The COCO-17 joints, which every model gives: the first 17 of [`Joint::ALL`].
    pub const COCO: [Joint; 17] = {
        let mut coco = [Joint::Nose; 17];
        let mut i = 0;
        while i < 17 {
            coco[i] = Joint::ALL[i];
            i += 1;
        }
        coco
    };

    /// Every landmark, in index order.
    pub const ALL: [Joint; LANDMARKS] = [
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
        Joint::LeftEyeInner,
        Joint::LeftEyeOuter,
        Joint::RightEyeInner,
        Joint::RightEyeOuter,
        Joint::MouthLeft,
        Joint::MouthRight,
        Joint::LeftPinky,
        Joint::RightPinky,
        Joint::LeftIndex,
        Joint::RightIndex,
        Joint::LeftThumb,
        Joint::RightThumb,
        Joint::LeftHeel,
        Joint::RightHeel,
        Joint::LeftFootIndex,
        Joint::RightFootIndex,
    ];

    pub fn index(self) -> usize {
        self as usize
    }

    /// The name in stretch definitions: kebab-case ("left-heel").
    pub fn name(self) -> &'static str {
        NAMES[self.index()].0
    }

    /// MediaPipe's name ("left_heel"), as `pose --json` writes landmarks.
    pub fn mediapipe_name(self) -> &'static str {
        NAMES[self.index()].1
    }

    /// The row of this landmark in MediaPipe BlazePose's 33.
    pub fn blazepose_row(self) -> usize {
        BLAZEPOSE_ROWS[self.index()]
    }

    /// The same landmark on the body's other side (itself for the nose).
    pub fn mirrored(self) -> Joint {
        Joint::ALL[MIRROR[self.index()]]
    }

    pub fn from_mediapipe_name(name: &str) -> Option<Joint> {
        Joint::ALL.into_iter().find(|j| j.mediapipe_name() == name)
    }
}

const NAMES: [(&str, &str); LANDMARKS] = [
    ("nose", "nose"),
    ("left-eye", "left_eye"),
    ("right-eye", "right_eye"),
    ("left-ear", "left_ear"),
    ("right-ear", "right_ear"),
    ("left-shoulder", "left_shoulder"),
    ("right-shoulder", "right_shoulder"),
    ("left-elbow", "left_elbow"),
    ("right-elbow", "right_elbow"),
    ("left-wrist", "left_wrist"),
    ("right-wrist", "right_wrist"),
    ("left-hip", "left_hip"),
    ("right-hip", "right_hip"),
    ("left-knee", "left_knee"),
    ("right-knee", "right_knee"),
    ("left-ankle", "left_ankle"),
    ("right-ankle", "right_ankle"),
    ("left-eye-inner", "left_eye_inner"),
    ("left-eye-outer", "left_eye_outer"),
    ("right-eye-inner", "right_eye_inner"),
    ("right-eye-outer", "right_eye_outer"),
    ("mouth-left", "mouth_left"),
    ("mouth-right", "mouth_right"),
    ("left-pinky", "left_pinky"),
    ("right-pinky", "right_pinky"),
    ("left-index", "left_index"),
    ("right-index", "right_index"),
    ("left-thumb", "left_thumb"),
    ("right-thumb", "right_thumb"),
    ("left-heel", "left_heel"),
    ("right-heel", "right_heel"),
    ("left-foot-index", "left_foot_index"),
    ("right-foot-index", "right_foot_index"),
];

/// BlazePose's row for each landmark, in `Joint` order.
const BLAZEPOSE_ROWS: [usize; LANDMARKS] = [
    0, 2, 5, 7, 8, 11, 12, 13, 14, 15, 16, 23, 24, 25, 26, 27, 28, 1, 3, 4, 6, 9, 10, 17, 18, 19, 20, 21, 22, 29, 30,
    31, 32,
];

/// Each landmark's mirror image, in `Joint` order.
const MIRROR: [usize; LANDMARKS] = [
    0, 2, 1, 4, 3, 6, 5, 8, 7, 10, 9, 12, 11, 14, 13, 16, 15, 19, 20, 17, 18, 22, 21, 24, 23, 26, 25, 28, 27, 30, 29,
    32, 31,
];

/// Bones drawn as the skeleton (pairs of COCO joints).
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

/// One landmark: position in pixels of the source image and the model's confidence (0..1).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Keypoint {
    pub x: f32,
    pub y: f32,
    pub score: f32,
}

/// The back as the model's silhouette shows it, between the shoulders and the hips.
#[derive(Debug, Clone, PartialEq)]
pub struct Back {
    /// How far the back's outline departs from straight (see `pose::silhouette`), in torso lengths:
    /// positive rounded (flexed: cat), negative arched (extended: cow).
    pub curve: f32,
    /// The outline, shoulders to hips, in frame pixels (empty when a keypoint file gives only the curve).
    pub outline: Vec<(f32, f32)>,
}

/// A pose in the pixel coordinates of the image it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Pose {
    pub width: u32,
    pub height: u32,
    /// Every landmark, indexed by [`Joint`]; one the model does not give has score 0 (unknown).
    pub landmarks: [Keypoint; LANDMARKS],
    /// The landmarks the model gives: [`Joint::COCO`] (MoveNet) or [`Joint::ALL`] (BlazePose).
    pub given: &'static [Joint],
    /// The back, when the model's silhouette shows it.
    pub back: Option<Back>,
}

impl Pose {
    /// A pose of the COCO-17 joints alone (MoveNet's, or a keypoint file's without landmarks).
    pub fn coco(width: u32, height: u32, keypoints: [Keypoint; 17]) -> Pose {
        let mut landmarks = [Keypoint::default(); LANDMARKS];
        landmarks[..17].copy_from_slice(&keypoints);
        Pose { width, height, landmarks, given: &Joint::COCO, back: None }
    }

    /// No one seen: every landmark unknown, at the frame's centre.
    pub fn unseen(width: u32, height: u32, given: &'static [Joint]) -> Pose {
        let centre = Keypoint { x: width as f32 / 2.0, y: height as f32 / 2.0, score: 0.0 };
        Pose { width, height, landmarks: [centre; LANDMARKS], given, back: None }
    }

    pub fn get(&self, joint: Joint) -> Keypoint {
        self.landmarks[joint.index()]
    }

    /// The COCO-17 joints.
    pub fn keypoints(&self) -> &[Keypoint] {
        &self.landmarks[..17]
    }

    /// Mean score of the 17 COCO joints: a cheap "is anyone there" signal.
    pub fn mean_score(&self) -> f32 {
        self.keypoints().iter().map(|k| k.score).sum::<f32>() / 17.0
    }
}

/// The wire form shared by `pose --json` and keypoint files:
/// `{"width":W,"height":H,"keypoints":[[x,y,score],...],"landmarks":{"left_heel":[x,y,score],...},
/// "back_curve":c|null,"back":[[x,y],...],"t":seconds?}`. `keypoints` are the COCO-17 in order; `landmarks`
/// every landmark the model gives, by MediaPipe's name (optional when reading).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PoseRecord {
    pub width: u32,
    pub height: u32,
    pub keypoints: Vec<[f32; 3]>,
    /// Names borrowed from [`Joint::mediapipe_name`] when written: no allocation per frame.
    #[serde(default)]
    pub landmarks: BTreeMap<Cow<'static, str>, [f32; 3]>,
    /// The back's curve in torso lengths, null when not seen.
    #[serde(default)]
    pub back_curve: Option<f32>,
    /// The back's outline, shoulders to hips, in pixels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub back: Vec<[f32; 2]>,
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub t: Option<f64>,
}

impl PoseRecord {
    /// A record of COCO-17 keypoints alone.
    pub fn coco(width: u32, height: u32, keypoints: Vec<[f32; 3]>) -> PoseRecord {
        PoseRecord { width, height, keypoints, landmarks: BTreeMap::new(), back_curve: None, back: Vec::new(), t: None }
    }
}

impl From<&Pose> for PoseRecord {
    fn from(p: &Pose) -> Self {
        let row = |k: &Keypoint| [k.x, k.y, k.score];
        PoseRecord {
            width: p.width,
            height: p.height,
            keypoints: p.keypoints().iter().map(row).collect(),
            landmarks: p.given.iter().map(|j| (Cow::Borrowed(j.mediapipe_name()), row(&p.get(*j)))).collect(),
            back_curve: p.back.as_ref().map(|b| b.curve),
            back: p.back.iter().flat_map(|b| b.outline.iter().map(|&(x, y)| [x, y])).collect(),
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
    #[error("unknown landmark {0:?}; use MediaPipe's names (left_heel, right_foot_index, left_pinky, ...)")]
    UnknownLandmark(String),
    #[error("time {0} is not a finite, non-negative number of seconds")]
    BadTime(f64),
    #[error("the back's curve or outline has a value that is not a finite number")]
    BadBack,
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
        let point = |joint: Joint, [x, y, s]: [f32; 3]| {
            if x.is_finite() && y.is_finite() && s.is_finite() {
                Ok(Keypoint { x, y, score: s.clamp(0.0, 1.0) })
            } else {
                Err(RecordError::NotFinite { joint: joint.name() })
            }
        };
        let landmarks = [Keypoint::default(); LANDMARKS];
        let mut pose = Pose { width: r.width, height: r.height, landmarks, given: &Joint::COCO, back: None };
        for (name, value) in &r.landmarks {
            let joint =
                Joint::from_mediapipe_name(name).ok_or_else(|| RecordError::UnknownLandmark(name.to_string()))?;
            pose.landmarks[joint.index()] = point(joint, *value)?;
            if joint.index() >= 17 {
                pose.given = &Joint::ALL;
            }
        }
        // The COCO array is the record's own: it wins over the same joints among the landmarks.
        for (joint, value) in Joint::COCO.into_iter().zip(r.keypoints.iter().copied()) {
            pose.landmarks[joint.index()] = point(joint, value)?;
        }
        let finite = |v: f32| v.is_finite();
        if r.back_curve.is_some_and(|c| !finite(c)) || r.back.iter().flatten().any(|v| !finite(*v)) {
            return Err(RecordError::BadBack);
        }
        pose.back = r.back_curve.map(|curve| Back { curve, outline: r.back.iter().map(|p| (p[0], p[1])).collect() });
        Ok(pose)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_landmark_has_its_blazepose_row_and_mirror_once() {
        let mut rows: Vec<usize> = Joint::ALL.iter().map(|j| j.blazepose_row()).collect();
        rows.sort();
        assert_eq!(rows, (0..33).collect::<Vec<_>>());
        for j in Joint::ALL {
            assert_eq!(j.mirrored().mirrored(), j);
            assert_eq!(Joint::ALL[j.index()], j);
            let (name, mirror) = (j.name(), j.mirrored().name());
            assert_eq!(name.replace("left", "right"), mirror.replace("left", "right"), "{name} vs {mirror}");
            assert_eq!(Joint::from_mediapipe_name(j.mediapipe_name()), Some(j));
        }
        assert_eq!(Joint::LeftHeel.blazepose_row(), 29);
        assert_eq!(Joint::RightFootIndex.mediapipe_name(), "right_foot_index");
    }

    #[test]
    fn records_carry_landmarks_and_the_back_both_ways() {
        let mut pose = Pose::unseen(640, 480, &Joint::ALL);
        for (i, k) in pose.landmarks.iter_mut().enumerate() {
            *k = Keypoint { x: i as f32, y: 2.0 * i as f32, score: 0.5 };
        }
        pose.back = Some(Back { curve: 0.12, outline: vec![(1.0, 2.0), (3.0, 4.0)] });
        let record = PoseRecord::from(&pose);
        assert_eq!(record.landmarks.len(), 33);
        assert_eq!(record.landmarks["left_heel"], [29.0, 58.0, 0.5]);
        let back = Pose::try_from(&record).unwrap();
        assert_eq!(back, pose);

        // MoveNet's: 17 landmarks, no back.
        let coco = Pose::coco(640, 480, [Keypoint { x: 1.0, y: 1.0, score: 0.9 }; 17]);
        let json = serde_json::to_string(&PoseRecord::from(&coco)).unwrap();
        assert!(json.contains("\"back_curve\":null") && !json.contains("left_heel"), "{json}");
        assert_eq!(PoseRecord::from(&coco).landmarks.len(), 17);
        let read = Pose::try_from(&serde_json::from_str::<PoseRecord>(&json).unwrap()).unwrap();
        assert_eq!(read.given.len(), 17);
        assert_eq!(read.get(Joint::LeftHeel).score, 0.0);

        let mut bad = record.clone();
        bad.landmarks.insert("left_tail".into(), [0.0, 0.0, 1.0]);
        assert_eq!(Pose::try_from(&bad), Err(RecordError::UnknownLandmark("left_tail".into())));
    }
}
