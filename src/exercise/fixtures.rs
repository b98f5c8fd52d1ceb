//! Bodies and a stretch for the unit tests of the judge, the coach and the session: a person lying side-on
//! whose hips rise and fall, and a small "lift" stretch judged on the hip height.

use crate::body::measure::{Part, Side};
use crate::exercise::Exercise;
use crate::seeing::pose::{Keypoint, Pose};

/// A side-on body: both sides of each joint at the same place (the far side hidden behind the near).
pub(crate) fn body(points: &[(Part, (f32, f32))], score: f32) -> Pose {
    let mut keypoints = [Keypoint { x: 0.0, y: 0.0, score: 0.0 }; 17];
    for (part, (x, y)) in points {
        for side in [Side::Left, Side::Right] {
            keypoints[part.joint(side).index()] = Keypoint { x: *x, y: *y, score };
        }
    }
    Pose::coco(300, 200, keypoints)
}

/// Lying side-on, knees bent, the hip `h` pixels above the floor (shoulders and ankles on it).
pub(crate) fn bridge_at(h: f32) -> Pose {
    body(
        &[
            (Part::Nose, (-20.0, 95.0)),
            (Part::Ear, (-10.0, 95.0)),
            (Part::Eye, (-15.0, 93.0)),
            (Part::Shoulder, (0.0, 100.0)),
            (Part::Elbow, (40.0, 100.0)),
            (Part::Wrist, (80.0, 100.0)),
            (Part::Hip, (100.0, 100.0 - h)),
            (Part::Knee, (150.0, 10.0)),
            (Part::Ankle, (190.0, 100.0)),
        ],
        0.9,
    )
}

/// `frames` values from `from` to `to`, evenly spaced, both ends included.
pub(crate) fn ramp(from: f32, to: f32, frames: usize) -> Vec<f32> {
    (0..frames).map(|i| from + (to - from) * i as f32 / (frames - 1) as f32).collect()
}

/// A reps stretch with a 1 s hold at the top, judged on the hip height, with one form check.
pub(crate) fn lift() -> Exercise {
    lift_with("lift", 5, "")
}

/// [`lift`] with another id and rep target, and more lines for its `[phase]` table.
pub(crate) fn lift_with(id: &str, rep_target: u32, phase: &str) -> Exercise {
    Exercise::from_toml("lift.toml", &lift_toml(id, rep_target, phase)).unwrap()
}

/// The lift held as a stretch: 10 s in the working phase, judged on the same check.
pub(crate) fn held_lift() -> Exercise {
    let text = lift_toml("held", 1, "")
        .replace("kind = \"reps\"", "kind = \"hold\"")
        .replace("hold_seconds = 1", "hold_seconds = 10");
    Exercise::from_toml("held.toml", &text).unwrap()
}

/// The lift held, its form check swapped for a set-up check: the hips down, under 0.3 torso lengths over the
/// floor line, told once they have been too high for a second.
pub(crate) fn hips_down() -> Exercise {
    let text = lift_toml("down", 1, "").replace("kind = \"reps\"", "kind = \"hold\"");
    let (head, _) = text.split_once("[[checks]]").unwrap();
    let check = r#"[[checks]]
id = "hips-down"
category = "setup"
measure = "height"
joints = ["hip", "shoulder", "ankle"]
range = [0, 0.3]
above = { fault = "hips-up", prompt = "Lie down" }
persist = 1.0
"#;
    Exercise::from_toml("down.toml", &format!("{head}{check}")).unwrap()
}

fn lift_toml(id: &str, rep_target: u32, phase: &str) -> String {
    let text = r#"
id = "ID"
name = "Lift"
instructions = "Lift your hips."
view = "side"
kind = "reps"
rep_target = REPS
hold_seconds = 1
[phase]
measure = "height"
joints = ["hip", "shoulder", "ankle"]
enter = 0.18
exit = 0.1
cue = "Lift"
PHASE
[[checks]]
id = "hip-line"
measure = "floor-angle"
joints = ["shoulder", "hip", "knee"]
range = [165, 195]
below = { fault = "hips-low", prompt = "Lift your hips higher" }
during = "up"
"#;
    text.replace("ID", id).replace("REPS", &rep_target.to_string()).replace("PHASE", phase)
}
