//! Generated keypoint motion from a small kinematic body model (side view, 640x480, adult proportions),
//! with sensor-like noise and dropped joints. Used by the demo and the tests: no real recording of these
//! stretches exists in any registry package, so the judge is exercised on motion we can control exactly.

pub mod stances;

use crate::body::measure::Side;
use crate::seeing::pose::{Joint, Keypoint, Pose};

pub use stances::{faults, generate, variants};

pub const WIDTH: u32 = 640;
pub const HEIGHT: u32 = 480;
const FLOOR_Y: f32 = 400.0;

/// Segment lengths in pixels (about 260 px per metre: a person lying across a 640 px frame).
#[derive(Debug, Clone, Copy)]
pub struct Body {
    pub torso: f32,
    pub thigh: f32,
    pub shin: f32,
    pub upper_arm: f32,
    pub forearm: f32,
}

impl Default for Body {
    fn default() -> Self {
        Body { torso: 130.0, thigh: 117.0, shin: 117.0, upper_arm: 78.0, forearm: 70.0 }
    }
}

/// A tiny deterministic generator (xorshift64*), so generated recordings are the same on every machine.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn uniform(&mut self) -> f32 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        ((self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 40) as f32) / (1u64 << 24) as f32
    }
    /// Approximately normal (sum of uniforms), mean 0, standard deviation 1.
    pub fn normal(&mut self) -> f32 {
        (0..12).map(|_| self.uniform()).sum::<f32>() - 6.0
    }
}

/// Noise added to every generated frame.
#[derive(Debug, Clone, Copy)]
pub struct Noise {
    /// Pixels, standard deviation.
    pub jitter: f32,
    /// Chance per joint per frame that the model "loses" it (score drops low).
    pub dropout: f32,
}

impl Default for Noise {
    fn default() -> Self {
        Noise { jitter: 1.5, dropout: 0.02 }
    }
}

/// One side's joints in the order of [`SIDE_JOINTS`]: eye, ear, shoulder, elbow, wrist, hip, knee, ankle.
pub(crate) type SidePoints = [(f32, f32); 8];

const SIDE_JOINTS: [Joint; 8] = [
    Joint::LeftEye,
    Joint::LeftEar,
    Joint::LeftShoulder,
    Joint::LeftElbow,
    Joint::LeftWrist,
    Joint::LeftHip,
    Joint::LeftKnee,
    Joint::LeftAnkle,
];

/// Puts one side's joints into a 17-joint array (COCO lists each right joint just after its left one).
pub(crate) fn place(p: &mut [(f32, f32); 17], side: Side, points: SidePoints) {
    let offset = if side == Side::Left { 0 } else { 1 };
    for (joint, at) in SIDE_JOINTS.iter().zip(points) {
        p[joint.index() + offset] = at;
    }
}

/// Knee position for a two-link leg from hip to ankle, knee bending upwards (towards smaller y).
fn knee_ik(hip: (f32, f32), ankle: (f32, f32), thigh: f32, shin: f32) -> (f32, f32) {
    let (dx, dy) = (ankle.0 - hip.0, ankle.1 - hip.1);
    let d = dx.hypot(dy).clamp((thigh - shin).abs() + 1e-3, thigh + shin - 1e-3);
    let a = (thigh * thigh - shin * shin + d * d) / (2.0 * d);
    let h = (thigh * thigh - a * a).max(0.0).sqrt();
    let (ux, uy) = (dx / d, dy / d);
    let base = (hip.0 + a * ux, hip.1 + a * uy);
    // The two solutions sit either side of the hip-ankle line; take the upper one.
    let k1 = (base.0 - h * uy, base.1 + h * ux);
    let k2 = (base.0 + h * uy, base.1 - h * ux);
    if k1.1 < k2.1 {
        k1
    } else {
        k2
    }
}

/// One bridge, described by where the body is at the top.
#[derive(Debug, Clone, Copy)]
pub struct BridgeForm {
    /// Angle of the shoulder-to-hip line above the floor at the top, degrees (about 25 is a straight line).
    pub torso_deg: f32,
    /// Shoulder-to-ankle distance as a multiple of the ideal one (1.0 puts the knee at about 90 degrees).
    pub foot_distance: f32,
    /// The back's curve at the top (torso lengths, + rounded): real good bridges read -0.06 to +0.07, real
    /// arched backs (cow) -0.06 to -0.19.
    pub back: f32,
}

impl BridgeForm {
    pub const GOOD: BridgeForm = BridgeForm { torso_deg: 25.0, foot_distance: 1.0, back: -0.02 };
    pub const HIPS_LOW: BridgeForm = BridgeForm { torso_deg: 13.0, foot_distance: 1.0, back: -0.02 };
    /// Hips pushed past the line by arching the lower back.
    pub const ARCHED: BridgeForm = BridgeForm { torso_deg: 36.0, foot_distance: 1.0, back: -0.15 };
    pub const FEET_TOO_FAR: BridgeForm = BridgeForm { torso_deg: 22.0, foot_distance: 1.2, back: -0.02 };
    /// Lifted part way (hips about 0.13 torso lengths up) and held there: short of a rep.
    pub const PART_WAY: BridgeForm = BridgeForm { torso_deg: 7.5, foot_distance: 1.0, back: -0.02 };
}

/// Joint positions (no noise) of a bridge at lift `s` (0 = resting on the floor, 1 = the top).
pub fn bridge_pose(body: &Body, form: BridgeForm, s: f32) -> [(f32, f32); 17] {
    let b = body;
    // Foot distance that makes a straight shoulder-hip-knee line with the knee at 90 degrees.
    let ideal_theta = (b.shin / (b.torso + b.thigh)).atan();
    let ideal_d = (b.torso + b.thigh) * ideal_theta.cos() + b.shin * ideal_theta.sin();
    let shoulder = (150.0, FLOOR_Y);
    let ankle = (shoulder.0 + ideal_d * form.foot_distance, FLOOR_Y);
    let theta = form.torso_deg.to_radians() * s.clamp(0.0, 1.0);
    let hip = (shoulder.0 + b.torso * theta.cos(), shoulder.1 - b.torso * theta.sin());
    let knee = knee_ik(hip, ankle, b.thigh, b.shin);
    // Arms resting on the floor alongside the body; head beyond the shoulders, face up.
    let elbow = (shoulder.0 + b.upper_arm, FLOOR_Y - 2.0);
    let wrist = (elbow.0 + b.forearm, FLOOR_Y - 2.0);
    let ear = (shoulder.0 - 40.0, FLOOR_Y - 18.0);
    let eye = (shoulder.0 - 52.0, FLOOR_Y - 28.0);
    let nose = (shoulder.0 - 62.0, FLOOR_Y - 24.0);
    let mut p = [(0.0, 0.0); 17];
    // The camera sees the left side; the right side is slightly offset behind it.
    let near = [eye, ear, shoulder, elbow, wrist, hip, knee, ankle];
    place(&mut p, Side::Left, near);
    place(&mut p, Side::Right, near.map(|(x, y)| (x - 4.0, y - 6.0)));
    p[Joint::Nose.index()] = nose;
    p[Joint::RightEye.index()] = (eye.0 - 3.0, eye.1 - 2.0);
    p
}

/// Turns joint positions into a model-like pose: near side confident, far side less so, with noise.
pub fn observe(points: &[(f32, f32); 17], noise: Noise, rng: &mut Rng) -> Pose {
    let mut keypoints = [Keypoint::default(); 17];
    for (i, (k, &(x, y))) in keypoints.iter_mut().zip(points).enumerate() {
        let far = Joint::COCO[i].name().starts_with("right");
        let mut score = if far { 0.45 } else { 0.85 } + 0.08 * (rng.uniform() - 0.5);
        if rng.uniform() < noise.dropout {
            score = 0.05 + 0.1 * rng.uniform();
        }
        *k = Keypoint { x: x + noise.jitter * rng.normal(), y: y + noise.jitter * rng.normal(), score };
    }
    Pose::coco(WIDTH, HEIGHT, keypoints)
}

/// Timing of one bridge rep, in seconds.
#[derive(Debug, Clone, Copy)]
pub struct RepTiming {
    pub rest: f64,
    pub lift: f64,
    pub hold: f64,
    pub lower: f64,
}

impl Default for RepTiming {
    fn default() -> Self {
        RepTiming { rest: 1.5, lift: 1.0, hold: 4.0, lower: 1.0 }
    }
}

/// A sequence of bridge reps, each in its own form, at `fps`, ending with a short rest.
pub fn bridge_session(forms: &[BridgeForm], timing: RepTiming, fps: f64, noise: Noise, seed: u64) -> Vec<(f64, Pose)> {
    let body = Body::default();
    let mut rng = Rng::new(seed);
    let per_rep = timing.rest + timing.lift + timing.hold + timing.lower;
    let total = per_rep * forms.len() as f64 + timing.rest;
    let frames = (total * fps).round() as usize;
    (0..frames)
        .map(|i| {
            let t = i as f64 / fps;
            let rep = ((t / per_rep) as usize).min(forms.len().saturating_sub(1));
            let local = t - rep as f64 * per_rep;
            let s = if local < timing.rest || t >= per_rep * forms.len() as f64 {
                0.0
            } else if local < timing.rest + timing.lift {
                smoothstep((local - timing.rest) / timing.lift)
            } else if local < timing.rest + timing.lift + timing.hold {
                1.0
            } else {
                1.0 - smoothstep((local - timing.rest - timing.lift - timing.hold) / timing.lower)
            };
            let form = forms.get(rep).copied().unwrap_or(BridgeForm::GOOD);
            let mut pose = observe(&bridge_pose(&body, form, s as f32), noise, &mut rng);
            // Lying flat the back is straight; it arches (or not) as the hips rise.
            let curve = BridgeForm::GOOD.back + (form.back - BridgeForm::GOOD.back) * s as f32;
            pose.back = Some(crate::seeing::pose::Back { curve, outline: Vec::new() });
            (t, pose)
        })
        .collect()
}

fn smoothstep(x: f64) -> f64 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::body::measure::{angle, floor_angle};

    fn at(p: &[(f32, f32); 17], j: Joint) -> (f32, f32) {
        p[j.index()]
    }

    #[test]
    fn the_forms_have_the_geometry_they_are_named_for() {
        let b = Body::default();
        let line = |f| {
            let p = bridge_pose(&b, f, 1.0);
            floor_angle(at(&p, Joint::LeftShoulder), at(&p, Joint::LeftHip), at(&p, Joint::LeftKnee)).unwrap()
        };
        let knee = |f| {
            let p = bridge_pose(&b, f, 1.0);
            angle(at(&p, Joint::LeftHip), at(&p, Joint::LeftKnee), at(&p, Joint::LeftAnkle)).unwrap()
        };
        assert!((line(BridgeForm::GOOD) - 180.0).abs() < 5.0, "good line {}", line(BridgeForm::GOOD));
        assert!((knee(BridgeForm::GOOD) - 90.0).abs() < 10.0, "good knee {}", knee(BridgeForm::GOOD));
        assert!(line(BridgeForm::HIPS_LOW) < 160.0, "low {}", line(BridgeForm::HIPS_LOW));
        assert!(line(BridgeForm::ARCHED) > 200.0, "arched {}", line(BridgeForm::ARCHED));
        assert!(knee(BridgeForm::FEET_TOO_FAR) > 115.0, "far {}", knee(BridgeForm::FEET_TOO_FAR));
        // Segment lengths are kept by the inverse kinematics.
        let p = bridge_pose(&b, BridgeForm::ARCHED, 0.7);
        let d = |a, c| crate::body::measure::distance(at(&p, a), at(&p, c));
        assert!((d(Joint::LeftHip, Joint::LeftKnee) - b.thigh).abs() < 0.5);
        assert!((d(Joint::LeftKnee, Joint::LeftAnkle) - b.shin).abs() < 0.5);
    }
}
