//! Geometry on a pose: angles, lines, heights and distances, in degrees and body-relative units.
//! Image y grows downwards; "up" below means towards the top of the image (the ceiling, for a level camera).

use serde::{Deserialize, Serialize};

use crate::seeing::pose::{Joint, Keypoint, Pose};

/// Below this model score a joint is "unknown": never a fault, only a reason to ask for a better view.
pub const MIN_SCORE: f32 = 0.3;

type P = (f32, f32);

/// Unsigned angle at `b` between b->a and b->c, 0..=180 degrees.
pub fn angle(a: P, b: P, c: P) -> Option<f32> {
    let (v1, v2) = ((a.0 - b.0, a.1 - b.1), (c.0 - b.0, c.1 - b.1));
    let (n1, n2) = (v1.0.hypot(v1.1), v2.0.hypot(v2.1));
    if n1 < 1e-6 || n2 < 1e-6 {
        return None;
    }
    let cos = ((v1.0 * v2.0 + v1.1 * v2.1) / (n1 * n2)).clamp(-1.0, 1.0);
    Some(cos.acos().to_degrees())
}

/// Signed height of `p` above the straight line through `a` and `c`, in pixels (positive = up).
pub fn height_above_line(p: P, a: P, c: P) -> Option<f32> {
    let (dx, dy) = (c.0 - a.0, c.1 - a.1);
    let len = dx.hypot(dy);
    if len < 1e-6 {
        return None;
    }
    // Perpendicular offset, oriented so that "up" (smaller y) is positive whichever way the line runs.
    let cross = (dx * (p.1 - a.1) - dy * (p.0 - a.0)) / len;
    Some(if dx >= 0.0 { -cross } else { cross })
}

/// Angle at `b` seen from the floor: 180 when a-b-c is straight, less when `b` sags below the line a-c,
/// more when it rises above it (an arched bridge). 0..360.
pub fn floor_angle(a: P, b: P, c: P) -> Option<f32> {
    let inner = angle(a, b, c)?;
    let up = height_above_line(b, a, c)?;
    Some(if up > 0.0 { 360.0 - inner } else { inner })
}

/// Angle of the line a->b from the horizontal, 0..=90 degrees (direction does not matter).
pub fn from_horizontal(a: P, b: P) -> Option<f32> {
    let (dx, dy) = ((b.0 - a.0).abs(), (b.1 - a.1).abs());
    (dx.hypot(dy) > 1e-6).then(|| dy.atan2(dx).to_degrees())
}

/// Horizontal offset of `a` from `b` in `torso` lengths, positive on the side of `b` that `c` is on; None
/// when `c` is within 0.1 torso lengths of level with `b` (no side).
pub fn toward(a: P, b: P, c: P, torso: f32) -> Option<f32> {
    let side = (c.0 - b.0) / torso;
    (side.abs() >= 0.1).then(|| (a.0 - b.0) / torso * side.signum())
}

pub fn distance(a: P, b: P) -> f32 {
    (a.0 - b.0).hypot(a.1 - b.1)
}

/// Length from `b` to `c` over length from `a` to `b` (None when `a` and `b` are within a pixel).
pub fn ratio(a: P, b: P, c: P) -> Option<f32> {
    let first = distance(a, b);
    (first > 1.0).then(|| distance(b, c) / first)
}

/// A joint named in an exercise definition: a fixed COCO joint ("left-knee"), a side-less one ("knee")
/// resolved per frame to the side being judged (the working side of a per-side stretch, else the side
/// nearer the camera), the opposite one ("other-knee"), the midpoint of the pair ("mid-hip"), the higher
/// of the pair in the picture ("top-wrist": a raised arm, whichever it is; seen when either joint is), or the
/// lower ("bottom-knee": the one on the floor when the other is lifted).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum JointRef {
    Fixed(Joint),
    Near(Part),
    Other(Part),
    Mid(Part),
    Top(Part),
    Bottom(Part),
}

/// Body parts that come in left/right pairs, plus the nose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Part {
    Nose,
    Eye,
    Ear,
    Shoulder,
    Elbow,
    Wrist,
    Hip,
    Knee,
    Ankle,
    /// The ankle, or the heel where only the heel is seen (BlazePose; MoveNet has no heel). The two are a few
    /// centimetres apart; with the foot tucked under the hips, as in a child's pose, the model is unsure of
    /// both, and scores either one the higher about as often.
    Foot,
    /// BlazePose's own: heels, toes (MediaPipe's foot index) and hand points; unknown with MoveNet.
    Heel,
    FootIndex,
    Pinky,
    Index,
    Thumb,
}

impl Side {
    pub fn other(self) -> Side {
        match self {
            Side::Left => Side::Right,
            Side::Right => Side::Left,
        }
    }
}

impl Part {
    const NAMES: [(&'static str, Part); 15] = [
        ("nose", Part::Nose),
        ("eye", Part::Eye),
        ("ear", Part::Ear),
        ("shoulder", Part::Shoulder),
        ("elbow", Part::Elbow),
        ("wrist", Part::Wrist),
        ("hip", Part::Hip),
        ("knee", Part::Knee),
        ("ankle", Part::Ankle),
        ("foot", Part::Foot),
        ("heel", Part::Heel),
        ("foot-index", Part::FootIndex),
        ("pinky", Part::Pinky),
        ("index", Part::Index),
        ("thumb", Part::Thumb),
    ];

    pub fn joint(self, side: Side) -> Joint {
        use Joint::*;
        let (l, r) = match self {
            Part::Nose => (Nose, Nose),
            Part::Eye => (LeftEye, RightEye),
            Part::Ear => (LeftEar, RightEar),
            Part::Shoulder => (LeftShoulder, RightShoulder),
            Part::Elbow => (LeftElbow, RightElbow),
            Part::Wrist => (LeftWrist, RightWrist),
            Part::Hip => (LeftHip, RightHip),
            Part::Knee => (LeftKnee, RightKnee),
            Part::Ankle | Part::Foot => (LeftAnkle, RightAnkle),
            Part::Heel => (LeftHeel, RightHeel),
            Part::FootIndex => (LeftFootIndex, RightFootIndex),
            Part::Pinky => (LeftPinky, RightPinky),
            Part::Index => (LeftIndex, RightIndex),
            Part::Thumb => (LeftThumb, RightThumb),
        };
        if side == Side::Left {
            l
        } else {
            r
        }
    }

    /// The part read where this one is not seen (near enough on the body to stand for it).
    fn fallback(self) -> Option<Part> {
        (self == Part::Foot).then_some(Part::Heel)
    }
}

impl TryFrom<String> for JointRef {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if let Some(j) = Joint::ALL.iter().find(|j| j.name() == s) {
            return Ok(JointRef::Fixed(*j));
        }
        let part = |name: &str| Part::NAMES.iter().find(|(n, _)| *n == name).map(|(_, p)| *p);
        if let Some(p) = part(&s) {
            return Ok(JointRef::Near(p));
        }
        if let Some(p) = s.strip_prefix("other-").and_then(part) {
            return Ok(JointRef::Other(p));
        }
        if let Some(p) = s.strip_prefix("mid-").and_then(part) {
            return Ok(JointRef::Mid(p));
        }
        if let Some(p) = s.strip_prefix("top-").and_then(part) {
            return Ok(JointRef::Top(p));
        }
        if let Some(p) = s.strip_prefix("bottom-").and_then(part) {
            return Ok(JointRef::Bottom(p));
        }
        Err(format!(
            "unknown joint {s:?}; use a landmark (left-knee, right-hip, nose, left-heel, right-foot-index, ...), a \
             side-less part (shoulder, elbow, wrist, hip, knee, ankle, foot (the ankle, else the heel), ear, eye, \
             heel, foot-index, pinky, index, thumb), other-PART, mid-PART, top-PART or bottom-PART"
        ))
    }
}

impl From<JointRef> for String {
    fn from(j: JointRef) -> String {
        let name = |p: Part| Part::NAMES.iter().find(|(_, q)| *q == p).map(|(n, _)| *n).unwrap_or_default();
        match j {
            JointRef::Fixed(j) => j.name().to_string(),
            JointRef::Near(p) => name(p).to_string(),
            JointRef::Other(p) => format!("other-{}", name(p)),
            JointRef::Mid(p) => format!("mid-{}", name(p)),
            JointRef::Top(p) => format!("top-{}", name(p)),
            JointRef::Bottom(p) => format!("bottom-{}", name(p)),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Side {
    Left,
    Right,
}

/// The side of the body nearer the camera: the one the model is surer of.
pub fn near_side(pose: &Pose) -> Side {
    let sum = |side| {
        [Part::Shoulder, Part::Hip, Part::Knee, Part::Ankle, Part::Elbow, Part::Wrist]
            .iter()
            .map(|p| pose.get(p.joint(side)).score)
            .sum::<f32>()
    };
    if sum(Side::Left) >= sum(Side::Right) {
        Side::Left
    } else {
        Side::Right
    }
}

/// Shoulders further apart than this (in torso lengths) face the camera (or the camera is at the feet);
/// closer, the camera sees the body from the side. Measured on real side-on photos: up to 0.45.
pub const FACING_SHOULDERS: f32 = 0.5;

/// Where the camera sees a body from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SeenFrom {
    /// From the side: the shoulders overlap.
    Side,
    /// Facing it, or from the feet of someone lying: the shoulders are apart.
    Front,
}

/// Where the camera sees this body from, judged by how far apart the shoulders are (None when a shoulder
/// or the torso is unknown).
pub fn seen_from(pose: &Pose) -> Option<SeenFrom> {
    shoulder_spread(pose).map(SeenFrom::at_spread)
}

impl SeenFrom {
    /// The view shoulders this far apart (torso lengths, [`shoulder_spread`]) are seen from.
    pub fn at_spread(spread: f32) -> SeenFrom {
        if spread >= FACING_SHOULDERS {
            SeenFrom::Front
        } else {
            SeenFrom::Side
        }
    }
}

/// How far apart the shoulders are in the picture, in torso lengths (None when a shoulder or the torso is
/// unknown): 0 seen side-on, about 1 facing the camera.
pub fn shoulder_spread(pose: &Pose) -> Option<f32> {
    let view = View { pose, side: near_side(pose) };
    Measure::Distance.eval(&view, &[JointRef::Fixed(Joint::LeftShoulder), JointRef::Fixed(Joint::RightShoulder)])
}

/// A pose seen through the side chosen for this frame; joints below [`MIN_SCORE`] read as unknown.
pub struct View<'a> {
    pub pose: &'a Pose,
    pub side: Side,
}

impl View<'_> {
    pub fn point(&self, j: JointRef) -> Option<P> {
        let seen = |p: Part, side| self.at(self.landmark(p, side));
        match j {
            JointRef::Fixed(j) => self.at(j),
            JointRef::Near(p) => seen(p, self.side),
            JointRef::Other(p) => seen(p, self.side.other()),
            JointRef::Mid(p) => {
                let (a, b) = (seen(p, Side::Left)?, seen(p, Side::Right)?);
                Some(((a.0 + b.0) / 2.0, (a.1 + b.1) / 2.0))
            }
            // Image y grows downward: the higher joint has the smaller y.
            JointRef::Top(p) => match (seen(p, Side::Left), seen(p, Side::Right)) {
                (Some(a), Some(b)) => Some(if a.1 <= b.1 { a } else { b }),
                (a, b) => a.or(b),
            },
            JointRef::Bottom(p) => match (seen(p, Side::Left), seen(p, Side::Right)) {
                (Some(a), Some(b)) => Some(if a.1 >= b.1 { a } else { b }),
                (a, b) => a.or(b),
            },
        }
    }

    /// Where a landmark is, if the model saw it (scored at least [`MIN_SCORE`]).
    fn at(&self, joint: Joint) -> Option<P> {
        let Keypoint { x, y, score } = self.pose.get(joint);
        (score >= MIN_SCORE).then_some((x, y))
    }

    /// The landmark a part is read from on `side`: its own, or its fallback's where only that one is seen.
    fn landmark(&self, p: Part, side: Side) -> Joint {
        let own = p.joint(side);
        match p.fallback().map(|f| f.joint(side)) {
            Some(f) if self.at(own).is_none() && self.at(f).is_some() => f,
            _ => own,
        }
    }

    /// The landmarks a reference is read from on this view (two for a midpoint).
    pub fn joints(&self, j: JointRef) -> Vec<Joint> {
        match j {
            JointRef::Fixed(j) => vec![j],
            JointRef::Near(p) => vec![self.landmark(p, self.side)],
            JointRef::Other(p) => vec![self.landmark(p, self.side.other())],
            JointRef::Mid(p) | JointRef::Top(p) | JointRef::Bottom(p) => {
                vec![self.landmark(p, Side::Left), self.landmark(p, Side::Right)]
            }
        }
    }

    /// Length of the torso (shoulder to hip), the body's own ruler.
    pub fn torso(&self) -> Option<f32> {
        let s = self.point(JointRef::Near(Part::Shoulder))?;
        let h = self.point(JointRef::Near(Part::Hip))?;
        Some(distance(s, h)).filter(|d| *d > 1.0)
    }
}

/// What a check measures, named in exercise definitions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Measure {
    /// Angle at the middle of three joints, 0..180.
    Angle,
    /// Angle at the middle of three joints seen from the floor, 180 = straight line (see [`floor_angle`]).
    FloorAngle,
    /// Angle of the line between two joints from the horizontal, 0..90.
    FromHorizontal,
    /// Angle of the line between two joints from the vertical, 0..90.
    FromVertical,
    /// Height of the first joint above the line through the other two, in torso lengths.
    Height,
    /// Distance between two joints, in torso lengths.
    Distance,
    /// Length of the second segment of three joints over the first's (`ratio(hip, knee, ankle)`: shin over
    /// thigh). Limbs in the picture's plane keep their proportions at any distance from the camera; a segment
    /// pointing toward or away from the camera reads short.
    Ratio,
    /// Horizontal offset of the first joint from the second, in torso lengths (positive: image right).
    OffsetX,
    /// Horizontal distance between two joints, in torso lengths (either way).
    SideOffset,
    /// Horizontal offset of the middle of three joints from halfway between the other two, in torso lengths
    /// (positive: image right). `sway(mid-shoulder, mid-hip, mid-ankle)` is the hips swung out sideways under
    /// the shoulders and over the feet, as a hip circle swings them; the whole body leaning over from the
    /// ankles carries the shoulders twice as far as the hips and reads about nothing.
    Sway,
    /// Horizontal offset of the first joint from the second, in torso lengths, positive toward the side of
    /// the second that the third is on: `toward(shoulder, hip, ankle)` is a lean over the legs when positive,
    /// away from them when negative, whichever way the person faces. Unknown when the third joint is
    /// about level with the second (under 0.1 torso lengths to either side: no side to lean toward).
    Toward,
    /// How far the first joint is above the second, in torso lengths (negative: below). "Above" is the
    /// image's up, the ceiling for a level camera: it tells legs raised up a wall from legs folded under.
    Rise,
    /// Horizontal position of one joint, in frame heights from the image's left edge (for "keep still"
    /// checks over a window: the frame, not the body, is the ruler, as the body itself is moving).
    X,
    /// How far the nearer of a pair of joints is from another joint, in torso lengths: `reach(wrist, knee)` is
    /// a hand at the knee, whichever hand it is. Side-on, the far hand holding a knee is often hidden behind it
    /// while the near one is seen there, and the far knee may be the one drawn up. Unknown with neither seen.
    Reach,
    /// The back's curve from the silhouette (no joints): how far the back's outline between shoulders and
    /// hips bulges from straight, in torso lengths, positive rounded (cat), negative arched (cow). Unknown
    /// without a silhouette (MoveNet) or with the back out of view. See `pose::silhouette`.
    BackCurve,
}

/// What a measure's values count.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Degrees,
    /// Lengths, with the person's torso as the ruler (so that distance to the camera does not matter).
    TorsoLengths,
    /// Positions, with the frame's height as the ruler.
    FrameHeights,
    /// One length over another.
    Ratio,
}

impl Unit {
    pub fn name(self) -> &'static str {
        match self {
            Unit::Degrees => "degrees",
            Unit::TorsoLengths => "torso lengths",
            Unit::FrameHeights => "frame heights",
            Unit::Ratio => "times",
        }
    }
}

impl Measure {
    pub fn arity(self) -> usize {
        match self {
            Measure::Angle
            | Measure::FloorAngle
            | Measure::Height
            | Measure::Toward
            | Measure::Ratio
            | Measure::Sway => 3,
            Measure::FromHorizontal | Measure::FromVertical | Measure::Distance => 2,
            Measure::OffsetX | Measure::SideOffset | Measure::Rise | Measure::Reach => 2,
            Measure::X => 1,
            Measure::BackCurve => 0,
        }
    }

    pub fn unit(self) -> Unit {
        match self {
            Measure::Height
            | Measure::Distance
            | Measure::OffsetX
            | Measure::SideOffset
            | Measure::Sway
            | Measure::Toward
            | Measure::Rise
            | Measure::Reach
            | Measure::BackCurve => Unit::TorsoLengths,
            Measure::X => Unit::FrameHeights,
            Measure::Ratio => Unit::Ratio,
            Measure::Angle | Measure::FloorAngle | Measure::FromHorizontal | Measure::FromVertical => Unit::Degrees,
        }
    }

    /// Measured in degrees (else in lengths).
    pub fn is_angle(self) -> bool {
        self.unit() == Unit::Degrees
    }

    /// The value on `view`, or None when a joint it needs is unknown.
    pub fn eval(self, view: &View, joints: &[JointRef]) -> Option<f32> {
        if let (Measure::Reach, [pair, to]) = (self, joints) {
            return reach(view, *pair, *to);
        }
        // At most three joints: kept on the stack (this runs some hundred times a frame when recognising).
        let mut buf = [(0.0, 0.0); 3];
        if joints.len() > buf.len() {
            return None;
        }
        for (slot, j) in buf.iter_mut().zip(joints) {
            *slot = view.point(*j)?;
        }
        match (self, &buf[..joints.len()]) {
            (Measure::Angle, [a, b, c]) => angle(*a, *b, *c),
            (Measure::FloorAngle, [a, b, c]) => floor_angle(*a, *b, *c),
            (Measure::FromHorizontal, [a, b]) => from_horizontal(*a, *b),
            (Measure::FromVertical, [a, b]) => from_horizontal(*a, *b).map(|h| 90.0 - h),
            (Measure::Height, [p, a, c]) => Some(height_above_line(*p, *a, *c)? / view.torso()?),
            (Measure::Distance, [a, b]) => Some(distance(*a, *b) / view.torso()?),
            (Measure::Ratio, [a, b, c]) => ratio(*a, *b, *c),
            (Measure::OffsetX, [a, b]) => Some((a.0 - b.0) / view.torso()?),
            (Measure::SideOffset, [a, b]) => Some((a.0 - b.0).abs() / view.torso()?),
            (Measure::Sway, [a, b, c]) => Some((b.0 - (a.0 + c.0) / 2.0) / view.torso()?),
            (Measure::Rise, [a, b]) => Some((b.1 - a.1) / view.torso()?),
            (Measure::Toward, [a, b, c]) => toward(*a, *b, *c, view.torso()?),
            (Measure::X, [a]) => Some(a.0 / view.pose.height.max(1) as f32),
            (Measure::BackCurve, []) => view.pose.back.as_ref().map(|b| b.curve),
            _ => None,
        }
    }
}

/// [`Measure::Reach`]: from the nearer of `pair`'s left and right joints (a fixed joint: itself) to `to`, in
/// torso lengths.
fn reach(view: &View, pair: JointRef, to: JointRef) -> Option<f32> {
    let to = view.point(to)?;
    let both = match pair {
        JointRef::Near(p) | JointRef::Other(p) | JointRef::Top(p) | JointRef::Bottom(p) | JointRef::Mid(p) => {
            [view.point(JointRef::Near(p)), view.point(JointRef::Other(p))]
        }
        JointRef::Fixed(_) => [view.point(pair), None],
    };
    let nearest = both.into_iter().flatten().map(|p| distance(p, to)).min_by(f32::total_cmp)?;
    Some(nearest / view.torso()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn toward_reads_a_lean_over_the_legs_whichever_way_the_body_faces() {
        // Sitting, hip at the origin, legs out to the right (+x) or to the left, torso 1 long.
        let (hip, torso) = ((0.0, 0.0), 1.0);
        let leaning_right = (0.5, -0.87);
        assert!((toward(leaning_right, hip, (2.0, 0.0), torso).unwrap() - 0.5).abs() < 1e-6);
        assert!((toward(leaning_right, hip, (-2.0, 0.0), torso).unwrap() + 0.5).abs() < 1e-6);
        // Feet straight below the hip (legs up a wall, seen upside down): no side to lean toward.
        assert_eq!(toward(leaning_right, hip, (0.05, 2.0), torso), None);
    }

    #[test]
    fn reach_is_the_nearer_hand_to_the_joint_and_unknown_with_neither_hand_seen() {
        use crate::seeing::pose::{Joint, Keypoint};
        let mut pose = Pose::coco(640, 480, [Keypoint::default(); 17]);
        let mut put = |j: Joint, x: f32, y: f32| pose.landmarks[j.index()] = Keypoint { x, y, score: 1.0 };
        // Torso 100 px on the left side; the right knee at (300, 100).
        put(Joint::LeftShoulder, 100.0, 200.0);
        put(Joint::LeftHip, 200.0, 200.0);
        put(Joint::RightKnee, 300.0, 100.0);
        put(Joint::LeftWrist, 300.0, 150.0);
        put(Joint::RightWrist, 300.0, 300.0);
        let reach = |pose: &Pose, side| {
            Measure::Reach.eval(&View { pose, side }, &[JointRef::Near(Part::Wrist), JointRef::Other(Part::Knee)])
        };
        // Read on either side: the left wrist, 0.5 torso lengths from the right knee, is the nearer.
        assert_eq!(reach(&pose, Side::Left), Some(0.5));
        assert_eq!(reach(&pose, Side::Right), None, "the right side's torso is unseen");
        pose.landmarks[Joint::LeftWrist.index()].score = 0.0;
        assert_eq!(reach(&pose, Side::Left), Some(2.0));
        pose.landmarks[Joint::RightWrist.index()].score = 0.0;
        assert_eq!(reach(&pose, Side::Left), None);
    }

    #[test]
    fn foot_is_the_ankle_or_the_heel_where_only_the_heel_is_seen() {
        use crate::seeing::pose::{Joint, Keypoint};
        let mut pose = Pose::coco(640, 480, [Keypoint::default(); 17]);
        let mut put = |j: Joint, x: f32, y: f32, score: f32| pose.landmarks[j.index()] = Keypoint { x, y, score };
        put(Joint::RightAnkle, 100.0, 300.0, 0.9);
        put(Joint::RightHeel, 90.0, 310.0, 0.9);
        put(Joint::LeftAnkle, 200.0, 300.0, 0.2);
        put(Joint::LeftHeel, 190.0, 310.0, 0.2);
        let foot = |pose: &Pose, side| {
            let view = View { pose, side };
            (view.point(JointRef::Near(Part::Foot)), view.joints(JointRef::Near(Part::Foot)))
        };
        // Both seen: the ankle. Neither seen: unknown.
        assert_eq!(foot(&pose, Side::Right), (Some((100.0, 300.0)), vec![Joint::RightAnkle]));
        assert_eq!(foot(&pose, Side::Left).0, None);
        assert_eq!(View { pose: &pose, side: Side::Left }.point(JointRef::Mid(Part::Foot)), None);
        // Only the heel seen: the heel, for `foot` and not for `ankle`.
        pose.landmarks[Joint::RightAnkle.index()].score = 0.2;
        assert_eq!(foot(&pose, Side::Right), (Some((90.0, 310.0)), vec![Joint::RightHeel]));
        assert_eq!(View { pose: &pose, side: Side::Right }.point(JointRef::Near(Part::Ankle)), None);
        assert_eq!(View { pose: &pose, side: Side::Left }.point(JointRef::Other(Part::Foot)), Some((90.0, 310.0)));
        assert_eq!(JointRef::try_from("other-foot".to_string()), Ok(JointRef::Other(Part::Foot)));
    }

    #[test]
    fn ratio_is_the_second_segment_over_the_first_and_unknown_without_a_first() {
        let (hip, knee) = ((0.0, 0.0), (0.0, 40.0));
        // A shin as long as the thigh, then one pointing half toward the camera (cos 60 = 0.5).
        assert!((ratio(hip, knee, (40.0, 40.0)).unwrap() - 1.0).abs() < 1e-6);
        assert!((ratio(hip, knee, (20.0, 40.0)).unwrap() - 0.5).abs() < 1e-6);
        assert_eq!(ratio(hip, hip, (20.0, 40.0)), None);
    }

    #[test]
    fn right_angle_and_straight_line() {
        assert!((angle((0.0, 0.0), (1.0, 0.0), (1.0, 1.0)).unwrap() - 90.0).abs() < 1e-4);
        assert!((angle((0.0, 0.0), (1.0, 0.0), (2.0, 0.0)).unwrap() - 180.0).abs() < 1e-3);
        assert_eq!(angle((1.0, 1.0), (1.0, 1.0), (2.0, 0.0)), None);
    }

    #[test]
    fn floor_angle_tells_sagging_from_arching_either_way_the_body_lies() {
        // Shoulder at left, knee at right; hip 10 px below (image y down) the line: sagging.
        let sag = floor_angle((0.0, 100.0), (50.0, 110.0), (100.0, 100.0)).unwrap();
        let arch = floor_angle((0.0, 100.0), (50.0, 90.0), (100.0, 100.0)).unwrap();
        assert!(sag < 180.0 && arch > 180.0, "sag {sag} arch {arch}");
        // Mirrored body (head on the right) gives the same readings.
        let sag_m = floor_angle((100.0, 100.0), (50.0, 110.0), (0.0, 100.0)).unwrap();
        let arch_m = floor_angle((100.0, 100.0), (50.0, 90.0), (0.0, 100.0)).unwrap();
        assert!((sag - sag_m).abs() < 1e-3 && (arch - arch_m).abs() < 1e-3);
    }

    #[test]
    fn heights_are_positive_upwards() {
        assert!(height_above_line((5.0, 0.0), (0.0, 10.0), (10.0, 10.0)).unwrap() > 9.9);
        assert!(height_above_line((5.0, 20.0), (10.0, 10.0), (0.0, 10.0)).unwrap() < -9.9);
    }

    #[test]
    fn incline_from_horizontal() {
        assert!((from_horizontal((0.0, 0.0), (10.0, 10.0)).unwrap() - 45.0).abs() < 1e-4);
        assert!((from_horizontal((10.0, 0.0), (0.0, 0.0)).unwrap()).abs() < 1e-4);
    }

    #[test]
    fn top_and_bottom_are_the_higher_and_lower_of_the_pair_seen() {
        let mut keypoints = [Keypoint { x: 0.0, y: 0.0, score: 0.0 }; 17];
        keypoints[Joint::LeftWrist.index()] = Keypoint { x: 10.0, y: 300.0, score: 0.9 };
        keypoints[Joint::RightWrist.index()] = Keypoint { x: 20.0, y: 50.0, score: 0.9 };
        let pose = Pose::coco(600, 400, keypoints);
        let view = View { pose: &pose, side: Side::Left };
        assert_eq!(view.point(JointRef::Top(Part::Wrist)), Some((20.0, 50.0)));
        // One of the pair unseen: the other one, as it is.
        keypoints[Joint::RightWrist.index()].score = 0.0;
        let pose = Pose::coco(600, 400, keypoints);
        assert_eq!(View { pose: &pose, side: Side::Right }.point(JointRef::Top(Part::Wrist)), Some((10.0, 300.0)));
        // The lower of the pair, likewise.
        keypoints[Joint::RightWrist.index()].score = 0.9;
        let pose = Pose::coco(600, 400, keypoints);
        assert_eq!(View { pose: &pose, side: Side::Right }.point(JointRef::Bottom(Part::Wrist)), Some((10.0, 300.0)));
        keypoints[Joint::LeftWrist.index()].score = 0.0;
        let pose = Pose::coco(600, 400, keypoints);
        assert_eq!(View { pose: &pose, side: Side::Left }.point(JointRef::Bottom(Part::Wrist)), Some((20.0, 50.0)));
    }

    #[test]
    fn joint_names_parse_and_reject() {
        assert_eq!(JointRef::try_from("hip".to_string()), Ok(JointRef::Near(Part::Hip)));
        assert_eq!(JointRef::try_from("left-knee".to_string()), Ok(JointRef::Fixed(Joint::LeftKnee)));
        assert_eq!(JointRef::try_from("other-knee".to_string()), Ok(JointRef::Other(Part::Knee)));
        assert_eq!(JointRef::try_from("mid-hip".to_string()), Ok(JointRef::Mid(Part::Hip)));
        assert_eq!(String::from(JointRef::Mid(Part::Hip)), "mid-hip");
        assert_eq!(JointRef::try_from("top-wrist".to_string()), Ok(JointRef::Top(Part::Wrist)));
        assert_eq!(String::from(JointRef::Top(Part::Wrist)), "top-wrist");
        assert_eq!(JointRef::try_from("bottom-knee".to_string()), Ok(JointRef::Bottom(Part::Knee)));
        assert_eq!(String::from(JointRef::Bottom(Part::Knee)), "bottom-knee");
        assert!(JointRef::try_from("tail".to_string()).unwrap_err().contains("unknown joint"));
        assert!(JointRef::try_from("other-tail".to_string()).is_err());
    }
}
