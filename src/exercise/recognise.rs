//! Which stretch is this? Each definition says what its pose looks like (`recognise` conditions); the
//! stretch whose conditions hold best, steadily, is taken. No stretch has recognition logic in Rust.

use std::collections::VecDeque;

use super::definition::Condition;
use super::judge::since;
use super::window::spread;
use super::Exercise;
use crate::body::measure::{near_side, seen_from, shoulder_spread, JointRef, Measure, Part, SeenFrom, Side, View};
use crate::seeing::pose::{Joint, Pose};

/// Seconds over which evidence is averaged (an exponential moving average).
const TAU: f64 = 0.7;
/// Averaged score a stretch needs to be taken.
const ACCEPT: f32 = 0.8;
/// A stretch with a condition plainly broken keeps this share of its score: below ACCEPT even if all the
/// others hold.
const BROKEN: f32 = 0.75;
/// How much better another stretch must score to take over from the current one.
const SWITCH_MARGIN: f32 = 0.2;
/// The stretch taken is let go once its averaged score has stayed under `RELEASE` for `RELEASE_AFTER` seconds:
/// the person has moved on to something none of the stretches describes (stood up, stepped back into a plank).
/// Otherwise it is kept until another stretch takes over, and a real clip going from all fours into a plank
/// (dev29b other, piranavie6) was coached as cat-cow for the whole 17 s plank. Over every real stretch clip of
/// docs/dev-footage, 16 of 19,623 frames are let go, as a child's pose clip ends with the person come up out of the
/// pose to kneel upright (66 frames after 2 s).
const RELEASE: f32 = 0.5;
const RELEASE_AFTER: f64 = 3.0;
/// What a condition on joints the model did not see counts for, beyond the first such: a pose is not named
/// a stretch mostly on what cannot be seen (a camel pose with its near knee unseen read as a seated fold:
/// the lean over the feet held, the straight legs were not seen).
const MORE_UNKNOWN: f32 = 0.3;

/// What a condition on joints the model did not see counts for: no evidence either way.
const UNKNOWN: f32 = 0.5;

/// Shoulders at least this far apart (torso lengths), though closer than a body facing the camera
/// ([`FACING_SHOULDERS`](crate::body::measure::FACING_SHOULDERS), 0.5), are seen three-quarter: read side-on,
/// and from the front too, and the better reading taken. The line between the two views cuts through real poses:
/// an overhead supine twist whose shoulders the model placed 0.49 apart (dev zainabalmousawi06), a reclined twist
/// (dev13 katiemcgrathyoga) and one seen from above at an angle (dev24 atyagiabhi210) were read side-on only and
/// not named; read from the front too, they are. Any line from 0.25 to 0.35 names these three and no other
/// pose of the 249 (docs/dev-footage, all rounds); from 0.4, one fewer. The other way, reading a body facing
/// the camera (0.5 to 0.7) side-on too, named two other poses (dev18) and no stretch more: not done.
const THREE_QUARTER_SHOULDERS: f32 = 0.35;

/// How the camera sees a body, for recognition: as [`seen_from`], and whether a side view is three-quarter.
#[derive(Debug, Clone, Copy)]
struct Seen {
    view: Option<SeenFrom>,
    three_quarter: bool,
}

impl Seen {
    fn of(pose: &Pose) -> Seen {
        let spread = shoulder_spread(pose);
        let view = spread.map(SeenFrom::at_spread);
        let three_quarter = view == Some(SeenFrom::Side) && spread.is_some_and(|d| d >= THREE_QUARTER_SHOULDERS);
        Seen { view, three_quarter }
    }

    /// The views to read the pose as.
    fn views(self) -> impl Iterator<Item = Option<SeenFrom>> {
        std::iter::once(self.view).chain(self.three_quarter.then_some(Some(SeenFrom::Front)))
    }
}

/// Evidence from one condition on one pose: [`fit`] of its measure; none when a joint it reads is unknown. A
/// condition with a window reads how far its measure moved over it: in a single pose, not at all.
fn evidence(c: &Condition, view: &View) -> Option<f32> {
    let v = c.measure.eval(view, &c.joints)?;
    Some(fit(c, if c.window.is_some() { 0.0 } else { v }))
}

/// 1 with `v` inside the condition's range, fading to 0 at `tolerance` outside it.
fn fit(c: &Condition, v: f32) -> f32 {
    let outside = (c.range[0] - v).max(v - c.range[1]).max(0.0);
    (1.0 - outside / c.tolerance()).max(0.0)
}

/// One condition on one pose, for telling a person why a stretch was or was not recognised.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ConditionReading {
    /// e.g. "rise(knee, hip) in [0.3, 3]"
    pub condition: String,
    pub value: Option<f32>,
    pub evidence: f32,
}

/// Each condition of `ex` that applies to this pose as the camera sees it, read the way (view and side) `score`
/// scores best.
pub fn explain(ex: &Exercise, pose: &Pose) -> Vec<ConditionReading> {
    let sides: &[Side] = if ex.per_side { &[Side::Left, Side::Right] } else { &[near_side(pose)] };
    let readings = |side, seen: Option<SeenFrom>| -> Vec<ConditionReading> {
        let view = View { pose, side };
        ex.recognise
            .iter()
            .filter(|c| c.applies(seen))
            .map(|c| {
                let reading = |measure: Measure, joints: &[JointRef], range: [f32; 2]| {
                    let joints: Vec<String> = joints.iter().map(|j| String::from(*j)).collect();
                    let name = serde_json::to_value(measure).ok().and_then(|v| v.as_str().map(str::to_string));
                    format!("{}({}) in [{}, {}]", name.unwrap_or_default(), joints.join(", "), range[0], range[1])
                };
                let mut condition = reading(c.measure, &c.joints, c.range);
                if let Some(w) = c.window {
                    condition += &format!(" moving over {w} s");
                }
                for w in &c.when {
                    condition += &format!(" when {}", reading(w.measure, &w.joints, w.range));
                }
                // A veto whose `when` does not hold cannot rule anything out.
                let ruling = c.when.iter().all(|w| w.holds(&view));
                ConditionReading {
                    condition,
                    value: c.measure.eval(&view, &c.joints).map(|v| if c.window.is_some() { 0.0 } else { v }),
                    evidence: if ruling { evidence(c, &view).unwrap_or(UNKNOWN) } else { 1.0 },
                }
            })
            .collect()
    };
    // The reading `score` takes: the view and side that score best (the most evidence in all alone favours a
    // view with more conditions even where one of them rules the stretch out); between equal scores, the most
    // evidence.
    let total = |r: &Vec<ConditionReading>| r.iter().map(|c| c.evidence).sum::<f32>();
    Seen::of(pose)
        .views()
        .flat_map(|v| sides.iter().map(move |s| (*s, v)))
        .map(|(s, v)| (score_reading(ex, pose, v, s, false), readings(s, v)))
        .max_by(|a, b| a.0.total_cmp(&b.0).then(total(&a.1).total_cmp(&total(&b.1))))
        .map(|(_, r)| r)
        .unwrap_or_default()
}

/// How well the pose matches the stretch (0-1): the mean evidence of its conditions, on the better side,
/// for the way the camera sees the body (conditions tagged with another view are left out).
pub fn score(ex: &Exercise, pose: &Pose) -> f32 {
    score_seen(ex, pose, Seen::of(pose), near_side(pose), false)
}

/// `score`, with the view and the near side worked out once per frame for every stretch, and whether a
/// windowed veto rules the stretch out over its window (`moving_out`; a single pose is still: it does not).
/// Seen three-quarter, the better of the two readings.
fn score_seen(ex: &Exercise, pose: &Pose, seen: Seen, near: Side, moving_out: bool) -> f32 {
    seen.views().map(|v| score_view(ex, pose, v, near, moving_out)).fold(0.0, f32::max)
}

/// The score read one way (`seen`).
fn score_view(ex: &Exercise, pose: &Pose, seen: Option<SeenFrom>, near: Side, moving_out: bool) -> f32 {
    let on = |side| score_reading(ex, pose, seen, side, moving_out);
    // A per-side stretch may be done on the far side: try both.
    if ex.per_side {
        on(Side::Left).max(on(Side::Right))
    } else {
        on(near)
    }
}

/// The score read one way (`seen`), on one side.
fn score_reading(ex: &Exercise, pose: &Pose, seen: Option<SeenFrom>, side: Side, moving_out: bool) -> f32 {
    let applies = |c: &&Condition| c.applies(seen);
    let n = ex.recognise.iter().filter(applies).filter(|c| !c.veto).count();
    if n == 0 {
        return 0.0;
    }
    let view = View { pose, side };
    let vetoed = moving_out
        || ex
            .recognise
            .iter()
            .filter(applies)
            .filter(|c| c.veto && c.window.is_none() && c.when.iter().all(|w| w.holds(&view)))
            .any(|c| evidence(c, &view) == Some(0.0));
    let (sum, worst, unknown) =
        ex.recognise.iter().filter(applies).filter(|c| !c.veto).map(|c| evidence(c, &view)).fold(
            (0.0f32, 1.0f32, 0u32),
            |(sum, worst, unknown), e| match e {
                Some(e) => (sum + e, worst.min(e), unknown),
                None => (sum + UNKNOWN, worst.min(UNKNOWN), unknown + 1),
            },
        );
    let sum = sum - (UNKNOWN - MORE_UNKNOWN) * unknown.saturating_sub(1) as f32;
    // Most conditions holding is not enough when one is plainly broken (beyond its tolerance): a
    // straight-legged plank is no twist however level it lies.
    let mean = sum / n as f32;
    if worst > 0.0 && !vetoed {
        mean
    } else {
        mean * BROKEN
    }
}

/// Shoulders within this of level (degrees) face the camera; a person lying on their side has them one over
/// the other, and spread apart too.
const LEVEL_SHOULDERS: f32 = 30.0;
/// Hips less than this above the lower knee (torso lengths) are down on the floor: sitting, kneeling or lying.
/// Real people facing the camera (docs/dev-footage, tests/fixtures/real-photos): seated stretches -0.06 to 0.29
/// (12 files), standing 0.69 to 1.02 (hip circles, tree and mountain poses, a good morning: 14 files); lunges
/// and warriors between, 0.34 to 0.59.
const LOW_HIPS: f32 = 0.45;

/// Whether a person no stretch fits is facing the camera down on the floor, and so should turn sideways:
/// seven of the eight stretches are seen side-on, and facing the camera a seated fold's straight leg points at
/// it (real seated stretches filmed front-on read nothing like one: dev free-exercise-db, dev4 Hanshitha22,
/// dev9 aman-2309, the committed Pexels photo of tests/fixtures/real-photos/seated-hamstring). Standing, the
/// person may be about to circle their hips, which is seen from the front.
pub fn facing_on_the_floor(pose: &Pose) -> bool {
    if seen_from(pose) != Some(SeenFrom::Front) {
        return false;
    }
    let view = View { pose, side: near_side(pose) };
    let level = Measure::FromHorizontal
        .eval(&view, &[JointRef::Fixed(Joint::LeftShoulder), JointRef::Fixed(Joint::RightShoulder)])
        .is_some_and(|a| a <= LEVEL_SHOULDERS);
    let hips_over_knees = [Joint::LeftKnee, Joint::RightKnee]
        .into_iter()
        .filter_map(|knee| Measure::Rise.eval(&view, &[JointRef::Mid(Part::Hip), JointRef::Fixed(knee)]))
        .reduce(f32::max);
    level && hips_over_knees.is_some_and(|h| h < LOW_HIPS)
}

pub struct Recogniser {
    scores: Vec<f32>,
    current: Option<usize>,
    last_t: Option<f64>,
    /// Per stretch, per condition with a window, its recent readings.
    recent: Vec<Vec<VecDeque<(f64, f32)>>>,
    /// Per stretch, whether a windowed veto rules it out on this frame.
    moving_out: Vec<bool>,
    /// Since when the current stretch's score has been under `RELEASE`.
    low_since: Option<f64>,
}

impl Recogniser {
    pub fn new(catalog_len: usize) -> Self {
        Recogniser {
            scores: vec![0.0; catalog_len],
            current: None,
            last_t: None,
            recent: vec![Vec::new(); catalog_len],
            moving_out: vec![false; catalog_len],
            low_since: None,
        }
    }

    /// Index into `catalog` of the stretch being done, if one is recognised.
    pub fn update(&mut self, catalog: &[Exercise], pose: Option<&Pose>, t: f64) -> Option<usize> {
        let dt = self.last_t.map(|l| (t - l).clamp(0.0, 1.0)).unwrap_or(1.0 / 30.0);
        self.last_t = Some(t);
        let alpha = (1.0 - (-dt / TAU).exp()) as f32;
        let seen = pose.map(|p| (Seen::of(p), near_side(p)));
        let iter = self.scores.iter_mut().zip(&mut self.recent).zip(&mut self.moving_out).zip(catalog);
        for (((s, recent), out), ex) in iter {
            *out = false;
            let now = pose.zip(seen).map(|(p, (seen, near))| {
                if ex.recognise.iter().any(|c| c.window.is_some()) {
                    recent.resize_with(ex.recognise.len(), VecDeque::new);
                    // Read on the near side, once: the windowed vetoes read joints of both sides alike. Every
                    // window keeps its readings, whether or not an earlier one already rules the stretch out.
                    let view = View { pose: p, side: near };
                    for (c, r) in ex.recognise.iter().zip(recent.iter_mut()) {
                        let Some(w) = c.window else { continue };
                        let Some(v) = c.measure.eval(&view, &c.joints) else { continue };
                        let moved = spread(r, t, v, w as f64, 0.0);
                        *out |= moved.is_some_and(|m| fit(c, m) == 0.0)
                            && c.applies(seen.view)
                            && c.when.iter().all(|when| when.holds(&view));
                    }
                }
                score_seen(ex, p, seen, near, *out)
            });
            *s += alpha * (now.unwrap_or(0.0) - *s);
        }
        // A stretch whose windowed veto rules it out now is let go: the movement that tells it apart shows only
        // over its window, after a still start may have named it.
        if self.current.is_some_and(|c| self.moving_out[c]) {
            self.current = None;
        }
        let low = self.current.is_some_and(|c| self.scores[c] < RELEASE);
        if since(&mut self.low_since, low, t) >= RELEASE_AFTER {
            (self.current, self.low_since) = (None, None);
        }
        // On a tie the stretch with more conditions, the more specific description, wins.
        let (best, best_score) = self
            .scores
            .iter()
            .copied()
            .enumerate()
            .filter(|(i, _)| !self.moving_out[*i])
            .max_by(|a, b| a.1.total_cmp(&b.1).then(catalog[a.0].recognise.len().cmp(&catalog[b.0].recognise.len())))
            .unwrap_or((0, 0.0));
        match self.current {
            Some(c) if c == best => {}
            Some(c) if best_score >= ACCEPT && best_score > self.scores[c] + SWITCH_MARGIN => self.current = Some(best),
            None if best_score >= ACCEPT => self.current = Some(best),
            _ => {}
        }
        self.current
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::seeing::pose::{Joint, Keypoint};

    /// A hold stretch "reach" recognised by `conditions` (TOML, the inside of `recognise = [...]`).
    fn reach(conditions: &str) -> Result<Exercise, String> {
        let text = format!(
            "id = \"reach\"\nname = \"Reach\"\ninstructions = \"Reach.\"\nview = \"side\"\nkind = \"hold\"\n\
             hold_seconds = 10\nrecognise = [\n{conditions}\n]\n"
        );
        Exercise::from_toml("reach.toml", &text).map_err(|e| e.to_string())
    }

    fn stretch(veto: &str) -> Exercise {
        reach(&format!(
            r#"
  {{ measure = "angle", joints = ["hip", "knee", "ankle"], range = [160, 180] }},
  {{ measure = "angle", joints = ["shoulder", "hip", "knee"], range = [0, 115] }},
  {{ measure = "rise", joints = ["top-wrist", "top-shoulder"], range = [-3, 0.1]{veto} }},"#
        ))
        .unwrap()
    }

    /// COCO keypoints with these joints seen where given (image pixels) and the rest unseen.
    fn seen(joints: &[(Joint, f32, f32)]) -> [Keypoint; 17] {
        let mut k = [Keypoint { x: 0.0, y: 0.0, score: 0.0 }; 17];
        for &(j, x, y) in joints {
            k[j.index()] = Keypoint { x, y, score: 0.9 };
        }
        k
    }

    #[test]
    fn a_veto_adds_no_evidence_when_it_holds_and_rules_out_when_broken() {
        // Sitting with a leg out, the knee unseen: both conditions on it unknown, the wrist below the shoulder.
        let mut k = seen(&[
            (Joint::LeftShoulder, 300.0, 100.0),
            (Joint::LeftHip, 300.0, 250.0),
            (Joint::LeftAnkle, 500.0, 250.0),
            (Joint::LeftWrist, 400.0, 200.0),
        ]);
        let hands_down = Pose::coco(600, 400, k);
        // As evidence, the held condition lifts the mean of a pose mostly unseen; as a veto it does not.
        let evidence = score(&stretch(""), &hands_down);
        let veto = score(&stretch(", veto = true"), &hands_down);
        assert!(evidence > veto, "{evidence} {veto}");
        assert!((veto - (UNKNOWN + MORE_UNKNOWN) / 2.0).abs() < 1e-6, "{veto}");
        // A wrist raised overhead breaks it.
        k[Joint::LeftWrist.index()] = Keypoint { x: 300.0, y: 0.0, score: 0.9 };
        let reaching_up = Pose::coco(600, 400, k);
        assert!(score(&stretch(", veto = true"), &reaching_up) < veto);
        // A veto with `when` rules out only while that holds: asked for the hip level with the ankle, as here,
        // it rules out; asked for the hip well above the ankle, never, and the explanation shows it not ruling.
        let only_when = |range: &str| {
            stretch(&format!(
                r#", veto = true, when = [{{ measure = "rise", joints = ["hip", "ankle"], range = {range} }}]"#
            ))
        };
        assert_eq!(score(&only_when("[-0.1, 0.1]"), &reaching_up), score(&stretch(", veto = true"), &reaching_up));
        assert_eq!(score(&only_when("[0.5, 3]"), &reaching_up), veto);
        let shown = |ex: &Exercise| explain(ex, &reaching_up).last().map(|c| (c.condition.clone(), c.evidence));
        assert_eq!(
            shown(&only_when("[0.5, 3]")),
            Some(("rise(top-wrist, top-shoulder) in [-3, 0.1] when rise(hip, ankle) in [0.5, 3]".into(), 1.0))
        );
        assert_eq!(shown(&only_when("[-0.1, 0.1]")).map(|(_, e)| e), Some(0.0));
    }

    #[test]
    fn the_explanation_is_the_reading_that_scores() {
        // Seen three-quarter (shoulders 0.4 torso lengths apart): read side-on and from the front. Side-on, two
        // conditions hold and one is plainly broken (more evidence in all, but ruled out); from the front, the
        // one condition holds. The stretch scores on the front reading, and that is the one explained.
        let ex = reach(
            r#"
  { measure = "rise", joints = ["shoulder", "hip"], range = [0.5, 3], view = "side" },
  { measure = "rise", joints = ["hip", "shoulder"], range = [0.5, 3], view = "side" },
  { measure = "distance", joints = ["left-shoulder", "right-shoulder"], range = [0, 1], view = "side" },
  { measure = "distance", joints = ["left-hip", "right-hip"], range = [0, 1], view = "front" },"#,
        )
        .unwrap();
        let pose = Pose::coco(
            600,
            400,
            seen(&[
                (Joint::LeftShoulder, 300.0, 100.0),
                (Joint::RightShoulder, 340.0, 100.0),
                (Joint::LeftHip, 300.0, 200.0),
                (Joint::RightHip, 340.0, 200.0),
            ]),
        );
        assert!((score(&ex, &pose) - 1.0).abs() < 1e-6, "{}", score(&ex, &pose));
        let shown: Vec<(String, f32)> = explain(&ex, &pose).into_iter().map(|c| (c.condition, c.evidence)).collect();
        assert_eq!(shown, vec![("distance(left-hip, right-hip) in [0, 1]".to_string(), 1.0)]);
    }

    #[test]
    fn when_and_window_are_refused_on_a_condition_that_is_evidence() {
        let read = |extra: &str| {
            reach(&format!(r#"{{ measure = "rise", joints = ["wrist", "shoulder"], range = [-3, 0.1]{extra} }},"#))
        };
        let when = r#", when = [{ measure = "rise", joints = ["hip", "ankle"], range = [0, 1] }]"#;
        let err = read(when).unwrap_err();
        assert!(err.contains("recognise[0].when") && err.contains("only for a veto"), "{err}");
        assert!(read(&format!(", veto = true{when}")).is_ok());
        let err = read(", window = 1.5").unwrap_err();
        assert!(err.contains("recognise[0].window") && err.contains("only for a veto"), "{err}");
        assert_eq!(read(", window = 1.5, veto = true").unwrap().recognise[0].window, Some(1.5));
    }

    #[test]
    fn a_windowed_veto_rules_out_a_pose_that_keeps_moving_and_not_one_held_still() {
        // Reaching with the wrist up and down by 0.6 torso lengths a second: moving; a single pose is still.
        let ex = reach(
            r#"
  { measure = "rise", joints = ["shoulder", "hip"], range = [0.5, 3] },
  { measure = "rise", joints = ["wrist", "shoulder"], range = [0, 0.2], window = 1, veto = true },"#,
        )
        .unwrap();
        let at = |wrist_y: f32| {
            let mut k = [Keypoint { x: 0.0, y: 0.0, score: 0.0 }; 17];
            for (j, x, y) in [
                (Joint::LeftShoulder, 300.0, 100.0),
                (Joint::LeftHip, 300.0, 250.0),
                (Joint::LeftWrist, 400.0, wrist_y),
            ] {
                k[j.index()] = Keypoint { x, y, score: 0.9 };
            }
            Pose::coco(600, 400, k)
        };
        assert_eq!(score(&ex, &at(150.0)), 1.0);
        let run = |wrist: &dyn Fn(f64) -> f32| {
            let mut r = Recogniser::new(1);
            (0..90)
                .map(|i| r.update(std::slice::from_ref(&ex), Some(&at(wrist(i as f64 / 30.0))), i as f64 / 30.0))
                .last()
                .flatten()
        };
        assert_eq!(run(&|_| 150.0), Some(0));
        assert_eq!(run(&|t| 150.0 + 45.0 * (t * std::f64::consts::TAU).sin() as f32), None);
        // Held still for 3 s it is named; once it moves as before it is let go, within the window, and stays
        // let go while it keeps moving.
        let mut r = Recogniser::new(1);
        let named: Vec<_> = (0..180)
            .map(|i| {
                let t = i as f64 / 30.0;
                let wrist =
                    if t < 3.0 { 150.0 } else { 150.0 + 45.0 * ((t - 3.0) * std::f64::consts::TAU).sin() as f32 };
                r.update(std::slice::from_ref(&ex), Some(&at(wrist)), t)
            })
            .collect();
        assert_eq!(named[89], Some(0));
        assert!(named[120..].iter().all(Option::is_none), "{named:?}");
    }
}
