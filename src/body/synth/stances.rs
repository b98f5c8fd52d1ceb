//! Generated motion for the seven stretches besides the bridge: key stances posed by segment angles
//! (side views) or by joint positions (front and feet views), blended over time, then observed with noise.
//! Each stretch can be generated done well or with one named fault.

use super::{observe, place, Noise, Rng};
use crate::body::measure::Side;
use crate::seeing::pose::{Back, Joint, Pose};

type P = (f32, f32);

/// Direction of an angle in degrees (0 = image right, 90 = image up).
fn dir(deg: f32) -> P {
    let r = deg.to_radians();
    (r.cos(), -r.sin())
}

fn add(p: P, len: f32, deg: f32) -> P {
    let d = dir(deg);
    (p.0 + len * d.0, p.1 + len * d.1)
}

/// A side-view stance: the hip's position and each segment's absolute angle. The camera sees the
/// body's left side ("near"); the right ("far") is drawn a little behind it.
#[derive(Debug, Clone, Copy)]
pub struct Stance {
    pub hip: P,
    pub torso: f32,
    pub neck: f32,
    /// Direction the face points (nose from ear).
    pub face: f32,
    pub near_arm: (f32, f32),
    pub far_arm: (f32, f32),
    pub near_leg: (f32, f32),
    pub far_leg: (f32, f32),
    /// The back's curve the silhouette would show (torso lengths, + rounded), as real backs read: about
    /// -0.03 to +0.02 straight (tabletops, lying), +0.03 to +0.08 rounded (cat, child's pose), -0.06 to
    /// -0.19 arched (cow); the photos of README's "What the camera sees of the back".
    pub back: f32,
}

/// A straight back, as real straight backs read.
const STRAIGHT_BACK: f32 = -0.01;

const TORSO: f32 = 130.0;
const NECK: f32 = 40.0;
const UPPER_ARM: f32 = 78.0;
const FOREARM: f32 = 70.0;
const THIGH: f32 = 117.0;
const SHIN: f32 = 117.0;

impl Stance {
    /// Both sides alike, with a straight back: `[torso, neck, face]` directions, and an arm and a leg as the
    /// directions of their (upper, lower) parts, in degrees.
    fn both(hip: P, [torso, neck, face]: [f32; 3], arm: (f32, f32), leg: (f32, f32)) -> Stance {
        Stance { hip, torso, neck, face, near_arm: arm, far_arm: arm, near_leg: leg, far_leg: leg, back: STRAIGHT_BACK }
    }

    pub fn points(&self) -> [P; 17] {
        let mut p = [(0.0, 0.0); 17];
        let far = |q: P| (q.0 - 4.0, q.1 - 6.0);
        let shoulder = add(self.hip, TORSO, self.torso);
        let ear = add(shoulder, NECK, self.neck);
        let eye = add(add(ear, 10.0, self.neck), 12.0, self.face);
        let nose = add(add(ear, 14.0, self.neck), 22.0, self.face);
        p[Joint::Nose.index()] = nose;
        for (near, at) in [(true, shoulder), (false, far(shoulder))] {
            let (arm, leg, hip) = if near {
                (self.near_arm, self.near_leg, self.hip)
            } else {
                (self.far_arm, self.far_leg, far(self.hip))
            };
            let elbow = add(at, UPPER_ARM, arm.0);
            let wrist = add(elbow, FOREARM, arm.1);
            let knee = add(hip, THIGH, leg.0);
            let ankle = add(knee, SHIN, leg.1);
            let (eye, ear) = if near { (eye, ear) } else { (far(eye), far(ear)) };
            place(&mut p, if near { Side::Left } else { Side::Right }, [eye, ear, at, elbow, wrist, hip, knee, ankle]);
        }
        p
    }

    fn lerp(&self, o: &Stance, s: f32) -> Stance {
        let l = |a: f32, b: f32| a + (b - a) * s;
        let l2 = |a: (f32, f32), b: (f32, f32)| (l(a.0, b.0), l(a.1, b.1));
        Stance {
            hip: l2(self.hip, o.hip),
            torso: l(self.torso, o.torso),
            neck: l(self.neck, o.neck),
            face: l(self.face, o.face),
            near_arm: l2(self.near_arm, o.near_arm),
            far_arm: l2(self.far_arm, o.far_arm),
            near_leg: l2(self.near_leg, o.near_leg),
            far_leg: l2(self.far_leg, o.far_leg),
            back: l(self.back, o.back),
        }
    }
}

/// Joint positions, blended point by point (front and feet views).
fn lerp_points(a: &[P; 17], b: &[P; 17], s: f32) -> [P; 17] {
    let mut out = *a;
    for (o, (p, q)) in out.iter_mut().zip(a.iter().zip(b)) {
        *o = (p.0 + (q.0 - p.0) * s, p.1 + (q.1 - p.1) * s);
    }
    out
}

fn smoothstep(x: f32) -> f32 {
    let x = x.clamp(0.0, 1.0);
    x * x * (3.0 - 2.0 * x)
}

/// A timeline of key poses: (seconds to blend into it, seconds to stay, pose).
struct Timeline<T> {
    keys: Vec<(f64, f64, T)>,
}

impl<T: Copy> Timeline<T> {
    fn new(start: T) -> Self {
        Timeline { keys: vec![(0.0, 0.0, start)] }
    }
    fn then(mut self, blend: f64, stay: f64, pose: T) -> Self {
        self.keys.push((blend, stay, pose));
        self
    }
    fn duration(&self) -> f64 {
        self.keys.iter().map(|(b, s, _)| b + s).sum()
    }
    /// The two poses around `t` and how far between them.
    fn at(&self, t: f64) -> (T, T, f32) {
        let mut start = 0.0;
        let mut prev = self.keys[0].2;
        for &(blend, stay, pose) in &self.keys {
            if t < start + blend {
                return (prev, pose, smoothstep(((t - start) / blend) as f32));
            }
            if t < start + blend + stay {
                return (pose, pose, 0.0);
            }
            start += blend + stay;
            prev = pose;
        }
        (prev, prev, 0.0)
    }
}

/// Frames of generated motion: the joints at each time, and the back's curve where the view shows it.
fn sample(duration: f64, fps: f64, seed: u64, mut body: impl FnMut(f64) -> ([P; 17], Option<f32>)) -> Vec<(f64, Pose)> {
    let mut rng = Rng::new(seed);
    let frames = (duration * fps).round() as usize;
    (0..frames)
        .map(|i| {
            let t = i as f64 / fps;
            let (points, back) = body(t);
            let mut pose = observe(&points, Noise::default(), &mut rng);
            pose.back = back.map(|curve| Back { curve, outline: Vec::new() });
            (t, pose)
        })
        .collect()
}

fn side_view(timeline: Timeline<Stance>, fps: f64, seed: u64) -> Vec<(f64, Pose)> {
    sample(timeline.duration(), fps, seed, |t| {
        let (a, b, s) = timeline.at(t);
        let stance = a.lerp(&b, s);
        (stance.points(), Some(stance.back))
    })
}

fn point_view(timeline: Timeline<[P; 17]>, fps: f64, seed: u64) -> Vec<(f64, Pose)> {
    sample(timeline.duration(), fps, seed, |t| {
        let (a, b, s) = timeline.at(t);
        (lerp_points(&a, &b, s), None)
    })
}

// ---------------------------------------------------------------- child's pose (head to the left)

fn childs_pose(fault: Option<&str>) -> Result<Timeline<Stance>, String> {
    let kneel = Stance::both((440.0, 290.0), [100.0, 95.0, 180.0], (265.0, 270.0), (249.0, 0.0));
    // The back rounded over the thighs: 0.07-0.08 on the real child's poses.
    let good =
        Stance { back: 0.075, ..Stance::both((440.0, 355.0), [185.0, 200.0, 270.0], (180.0, 180.0), (200.0, 0.0)) };
    let pose = match fault {
        None => good,
        Some("not-sitting-back") => Stance {
            hip: (370.0, 290.0),
            torso: 210.0,
            neck: 215.0,
            near_leg: (249.0, 0.0),
            far_leg: (249.0, 0.0),
            ..good
        },
        Some("not-folded") => {
            Stance { torso: 140.0, neck: 160.0, face: 250.0, near_arm: (200.0, 200.0), far_arm: (200.0, 200.0), ..good }
        }
        // The head lifted off the floor to look forward.
        Some("head-up") => Stance { neck: 100.0, face: 190.0, ..good },
        // A variant, not a fault: the arms alongside the body, the hands by the feet.
        Some("arms-alongside") => Stance { near_arm: (350.0, 0.0), far_arm: (350.0, 0.0), ..good },
        Some(f) => return Err(format!("child's pose has no fault {f:?}")),
    };
    Ok(Timeline::new(kneel).then(0.0, 1.0, kneel).then(2.0, 33.0, pose).then(2.0, 1.0, kneel))
}

// ---------------------------------------------------------------- cat-cow (head to the left)

fn cat_cow(fault: Option<&str>) -> Result<Timeline<Stance>, String> {
    let table = Stance::both((430.0, 283.0), [166.4, 180.0, 270.0], (270.0, 270.0), (270.0, 0.0));
    let (table, half) = match fault {
        None => (table, 2.5),
        Some("hands-not-under-shoulders") => {
            // Hands 35 degrees ahead of the shoulders (real hands "under" them read up to 21).
            (Stance { near_arm: (235.0, 235.0), far_arm: (235.0, 235.0), ..table }, 2.5)
        }
        Some("knees-not-under-hips") => (Stance { near_leg: (295.0, 0.0), far_leg: (295.0, 0.0), ..table }, 2.5),
        Some("arms-bent") => (Stance { near_arm: (240.0, 300.0), far_arm: (240.0, 300.0), ..table }, 2.5),
        Some("too-fast") => (table, 0.8),
        Some(f) => return Err(format!("cat-cow has no fault {f:?}")),
    };
    // The backs of the median real cow and cat (README's "What the camera sees of the back").
    let cow = Stance { neck: 130.0, face: 220.0, back: -0.09, ..table };
    let cat = Stance { neck: 230.0, face: 320.0, back: 0.06, ..table };
    let mut tl = Timeline::new(table).then(0.0, 1.0, table);
    for _ in 0..4 {
        tl = tl.then(half * 0.6, half * 0.4, cow).then(half * 0.6, half * 0.4, cat);
    }
    Ok(tl.then(1.0, 1.0, table))
}

// ---------------------------------------------------------------- knee to chest (head to the left)

fn knee_to_chest(fault: Option<&str>) -> Result<Timeline<Stance>, String> {
    let rest = Stance::both((280.0, 395.0), [180.0, 180.0, 90.0], (0.0, 0.0), (45.0, 315.0));
    // Angles past 360 turn the short way round from the resting leg.
    let pulled_leg = (125.0, 370.0);
    let holding_arm = (80.0, 20.0);
    let near = Stance { near_leg: pulled_leg, near_arm: holding_arm, far_arm: holding_arm, ..rest };
    let far = Stance { far_leg: pulled_leg, near_arm: holding_arm, far_arm: holding_arm, ..rest };
    let first = match fault {
        None => near,
        Some("knee-not-close") => Stance { near_leg: (100.0, 370.0), ..near },
        Some("hands-off-knee") => Stance { near_arm: (0.0, 0.0), far_arm: (0.0, 0.0), ..near },
        // A variant, not a fault: the other leg straight along the floor.
        Some("other-leg-straight") => Stance { far_leg: (0.0, 0.0), ..near },
        // A variant: both knees hugged to the chest.
        Some("both-knees") => Stance { far_leg: pulled_leg, ..near },
        Some(f) => return Err(format!("knee to chest has no fault {f:?}")),
    };
    let tl = Timeline::new(rest).then(0.0, 1.0, rest).then(1.5, 21.5, first).then(1.5, 1.0, rest);
    Ok(if fault.is_none() { tl.then(1.5, 21.5, far).then(1.5, 1.0, rest) } else { tl })
}

// ---------------------------------------------------------------- legs up the wall (head to the left)

fn legs_up_the_wall(fault: Option<&str>) -> Result<Timeline<Stance>, String> {
    let lying = Stance::both((330.0, 395.0), [180.0, 180.0, 90.0], (0.0, 0.0), (45.0, 315.0));
    // Shin angles past 360 turn the short way round from the feet-flat start.
    let good = Stance { near_leg: (90.0, 450.0), far_leg: (90.0, 450.0), ..lying };
    let pose = match fault {
        None => good,
        Some("hips-far-from-wall") => Stance { near_leg: (60.0, 420.0), far_leg: (60.0, 420.0), ..good },
        Some("knees-bent") => Stance { near_leg: (120.0, 410.0), far_leg: (120.0, 410.0), ..good },
        // A variant, not a fault: the knees softly bent (150 degrees), the legs still up the wall.
        Some("knees-soft") => Stance { near_leg: (95.0, 425.0), far_leg: (95.0, 425.0), ..good },
        Some(f) => return Err(format!("legs up the wall has no fault {f:?}")),
    };
    Ok(Timeline::new(lying).then(0.0, 1.0, lying).then(2.0, 64.0, pose))
}

// ---------------------------------------------------------------- seated hamstring (facing right)

fn seated_hamstring(fault: Option<&str>) -> Result<Timeline<Stance>, String> {
    let straight = (0.0, 0.0);
    let bent = (40.0, -70.0);
    let sit = Stance { far_leg: bent, ..Stance::both((250.0, 390.0), [90.0, 90.0, 0.0], (270.0, 270.0), straight) };
    // On a chair (a variant the seed names): the seat a thigh's length up, the extended leg sloping down to
    // its heel on the floor, the other foot on the floor under its knee.
    let sit = match fault {
        Some("on-a-chair") => Stance { hip: (250.0, 290.0), near_leg: (-25.0, -25.0), far_leg: (0.0, 270.0), ..sit },
        _ => sit,
    };
    // The hands reach down the legs toward the feet: real seated stretches hold the elbows 0.19 to 1.04 torso
    // lengths below the shoulders.
    let reach = (-25.0, -15.0);
    let lean = Stance { torso: 60.0, neck: 55.0, face: 325.0, near_arm: reach, far_arm: reach, ..sit };
    let other = Stance { near_leg: bent, far_leg: straight, ..lean };
    let first = match fault {
        None => lean,
        Some("extended-knee-bent") => Stance { near_leg: (20.0, -20.0), ..lean },
        Some("no-lean") => Stance { torso: 78.0, neck: 75.0, face: 345.0, ..lean },
        Some("back-rounded") => Stance { neck: 350.0, face: 260.0, back: 0.09, ..lean },
        // A variant, not a fault: both legs out straight.
        Some("other-knee-straight") => Stance { far_leg: (5.0, -5.0), ..lean },
        Some("on-a-chair") => lean,
        Some(f) => return Err(format!("seated hamstring has no fault {f:?}")),
    };
    let tl = Timeline::new(sit).then(0.0, 1.0, sit).then(1.5, 21.5, first).then(1.5, 1.0, sit);
    let swap = Stance { near_leg: bent, far_leg: straight, ..sit };
    Ok(if fault.is_none() { tl.then(1.5, 1.0, swap).then(1.5, 21.5, other).then(1.5, 1.0, swap) } else { tl })
}

// ---------------------------------------------------------------- hip circles (front view)

/// A standing person facing the camera (their left on the image's right), hips swayed by `sway` px.
fn standing(sway: f32, hands_on_hips: bool, feet_shift: f32) -> [P; 17] {
    let mut p = [(0.0, 0.0); 17];
    let mh = (320.0 + sway, 280.0);
    let ms = (320.0 + 0.2 * sway, 189.0);
    let ankles = [(348.0 + feet_shift, 444.0), (292.0 + feet_shift, 444.0)];
    for (side, s) in [(Side::Left, 1.0f32), (Side::Right, -1.0)] {
        let shoulder = (ms.0 + 30.0 * s, ms.1);
        let hip = (mh.0 + 20.0 * s, mh.1);
        let ankle = ankles[(side == Side::Right) as usize];
        let knee = ((hip.0 + ankle.0) / 2.0 + 2.0 * s, (hip.1 + ankle.1) / 2.0);
        let (elbow, wrist) = if hands_on_hips {
            ((shoulder.0 + 25.0 * s, shoulder.1 + 50.0), (hip.0 + 6.0 * s, hip.1 - 4.0))
        } else {
            ((shoulder.0 + 6.0 * s, shoulder.1 + 55.0), (shoulder.0 + 8.0 * s, shoulder.1 + 110.0))
        };
        let (eye, ear) = ((ms.0 + 8.0 * s, ms.1 - 52.0), (ms.0 + 16.0 * s, ms.1 - 48.0));
        place(&mut p, side, [eye, ear, shoulder, elbow, wrist, hip, knee, ankle]);
    }
    p[Joint::Nose.index()] = (ms.0, ms.1 - 45.0);
    p
}

fn hip_circles(fault: Option<&str>, fps: f64, seed: u64) -> Result<Vec<(f64, Pose)>, String> {
    // Torso is 91 px here; hips swayed +-0.3 torso lengths over the feet (+-0.27 from halfway between the
    // shoulders and the feet, the phase's measure), 4 s a circle.
    let (amp, period, hands, feet) = match fault {
        None => (27.0, 4.0, true, 0.0),
        Some("hands-off-hips") => (27.0, 4.0, false, 0.0),
        Some("feet-moving") => (27.0, 4.0, true, 16.0),
        Some("circles-too-small") => (6.0, 4.0, true, 0.0),
        Some("too-fast") => (27.0, 0.9, true, 0.0),
        Some(f) => return Err(format!("hip circles has no fault {f:?}")),
    };
    let circles = if fault == Some("too-fast") { 8.0 } else { 10.0 };
    let duration = 1.0 + circles * period + 1.0;
    Ok(sample(duration, fps, seed, |t| {
        let phase = ((t - 1.0).max(0.0) / period).min(circles) * std::f64::consts::TAU;
        let sway = amp * phase.sin() as f32;
        let shift = feet * (t as f32 * 2.7).sin();
        // Hands go to the hips from the start; a fault of them comes once the person has settled.
        (standing(sway, hands || t < 1.5, shift), None)
    }))
}

// ---------------------------------------------------------------- supine twist (camera at the feet)

/// Lying on the back seen from the feet: head at the top; the person's left on the image's right.
/// `knees`: 0 up and centred, +1 lowered to the person's left, -1 to the right.
fn lying_from_feet(knees: f32, arms_out: bool, shoulder_lift: f32, knee_gap: f32) -> [P; 17] {
    let mut p = [(0.0, 0.0); 17];
    p[Joint::Nose.index()] = (320.0, 120.0);
    for (side, s) in [(Side::Left, 1.0f32), (Side::Right, -1.0)] {
        // The shoulder on the side away from the knees is the one that lifts.
        let lift = if knees * s < 0.0 { shoulder_lift } else { 0.0 };
        let shoulder = (320.0 + 45.0 * s - 0.6 * lift * s, 170.0 - lift);
        let hip = (320.0 + 30.0 * s, 290.0);
        let (elbow, wrist) = if arms_out {
            ((320.0 + 120.0 * s, 172.0), (320.0 + 190.0 * s, 174.0))
        } else {
            ((320.0 + 52.0 * s, 215.0), (320.0 + 50.0 * s, 262.0))
        };
        let spread = (12.0 + knee_gap) * s;
        let bottom = if knees * s > 0.0 { 1.0 } else { 0.0 };
        let knee = (
            320.0 + 100.0 * knees + spread * (1.0 - knees.abs()) + knee_gap * s * knees.abs(),
            340.0 + 12.0 * bottom * knees.abs() - 8.0 * knees.abs(),
        );
        let ankle = (320.0 + 14.0 * s + 25.0 * knees, 400.0);
        let (eye, ear) = ((320.0 + 9.0 * s, 112.0), (320.0 + 20.0 * s, 125.0));
        place(&mut p, side, [eye, ear, shoulder, elbow, wrist, hip, knee, ankle]);
    }
    p
}

fn supine_twist(fault: Option<&str>) -> Result<Timeline<[P; 17]>, String> {
    let up = lying_from_feet(0.0, true, 0.0, 0.0);
    let left = match fault {
        None => lying_from_feet(1.0, true, 0.0, 0.0),
        Some("arms-not-out") => lying_from_feet(1.0, false, 0.0, 0.0),
        Some("shoulder-lifted") => lying_from_feet(1.0, true, 20.0, 0.0),
        Some("knees-apart") => lying_from_feet(1.0, true, 0.0, 45.0),
        // A variant, not a fault: the legs crossed, the top shin over the bottom one (the ankles change sides).
        Some("legs-crossed") => {
            let mut p = lying_from_feet(1.0, true, 0.0, 0.0);
            let (l, r) = (Joint::LeftAnkle.index(), Joint::RightAnkle.index());
            (p[l].0, p[r].0) = (p[r].0, p[l].0);
            p
        }
        Some(f) => return Err(format!("supine twist has no fault {f:?}")),
    };
    let right = lying_from_feet(-1.0, true, 0.0, 0.0);
    let tl = Timeline::new(up).then(0.0, 1.0, up).then(2.0, 21.0, left).then(2.0, 1.0, up);
    Ok(if fault.is_none() { tl.then(2.0, 21.0, right).then(2.0, 1.0, up) } else { tl })
}

/// The faults each stretch's generator can act out (the bridge's are in [`super::BridgeForm`]).
pub fn faults(exercise: &str) -> &'static [&'static str] {
    match exercise {
        "childs-pose" => &["not-sitting-back", "not-folded", "head-up"],
        "cat-cow" => &["hands-not-under-shoulders", "knees-not-under-hips", "arms-bent", "too-fast"],
        "knee-to-chest" => &["knee-not-close", "hands-off-knee"],
        "legs-up-the-wall" => &["hips-far-from-wall", "knees-bent"],
        "seated-hamstring" => &["extended-knee-bent", "no-lean", "back-rounded"],
        "hip-circles" => &["hands-off-hips", "feet-moving", "circles-too-small", "too-fast"],
        "supine-twist" => &["arms-not-out", "shoulder-lifted", "knees-apart"],
        "bridge" => &["hips-low", "back-arched", "feet-too-far"],
        _ => &[],
    }
}

/// The variants each stretch's generator can act out: ways of doing it well that are not the textbook one
/// (passed where a fault is).
pub fn variants(exercise: &str) -> &'static [&'static str] {
    match exercise {
        "knee-to-chest" => &["other-leg-straight", "both-knees"],
        "childs-pose" => &["arms-alongside"],
        "legs-up-the-wall" => &["knees-soft"],
        "supine-twist" => &["legs-crossed"],
        "seated-hamstring" => &["other-knee-straight", "on-a-chair"],
        _ => &[],
    }
}

/// A generated recording of `exercise` (an id of the catalog), done well (`fault` None) or with the
/// named fault (or a variant of [`variants`]) throughout the working part. Per-side stretches done well cover both sides.
pub fn generate(exercise: &str, fault: Option<&str>, fps: f64, seed: u64) -> Result<Vec<(f64, Pose)>, String> {
    use super::BridgeForm as F;
    Ok(match exercise {
        "childs-pose" => side_view(childs_pose(fault)?, fps, seed),
        "cat-cow" => side_view(cat_cow(fault)?, fps, seed),
        "knee-to-chest" => side_view(knee_to_chest(fault)?, fps, seed),
        "legs-up-the-wall" => side_view(legs_up_the_wall(fault)?, fps, seed),
        "seated-hamstring" => side_view(seated_hamstring(fault)?, fps, seed),
        "hip-circles" => hip_circles(fault, fps, seed)?,
        "supine-twist" => point_view(supine_twist(fault)?, fps, seed),
        "bridge" => {
            let form = match fault {
                None => F::GOOD,
                Some("hips-low") => F::HIPS_LOW,
                Some("back-arched") => F::ARCHED,
                Some("feet-too-far") => F::FEET_TOO_FAR,
                Some(f) => return Err(format!("bridge has no fault {f:?}")),
            };
            super::bridge_session(&[form; 3], super::RepTiming::default(), fps, Noise::default(), seed)
        }
        other => return Err(format!("no generator for {other:?}")),
    })
}
