use super::*;
use crate::body::measure::Part;
use crate::exercise::fixtures::{bridge_at, held_lift, hips_down, lift, lift_with, ramp};
use crate::seeing::pose::Joint;

/// Runs hip heights (one per 1/30 s) through a judge; returns each frame's judgement.
fn run(judge: &mut Judge, heights: impl IntoIterator<Item = f32>, t0: f64) -> Vec<Judgement> {
    heights.into_iter().enumerate().map(|(i, h)| judge.update(Some(&bridge_at(h)), t0 + i as f64 / 30.0)).collect()
}

#[test]
fn no_form_prompt_while_coming_down_after_the_hold() {
    let mut judge = Judge::new(lift());
    let mut heights = vec![0.0; 30];
    heights.extend(ramp(0.0, 60.0, 15)); // lift in 0.5 s
    heights.extend(vec![60.0; 45]); // hold 1.5 s at the top (the target is 1 s)
    heights.extend(ramp(60.0, 0.0, 45)); // lower slowly, through "hips low" angles
    heights.extend(vec![0.0; 30]);
    let js = run(&mut judge, heights, 0.0);
    assert!(js.iter().all(|j| j.faults.is_empty()), "{:?}", js.iter().find(|j| !j.faults.is_empty()));
    assert_eq!(judge.reps(), 1);
    // While lowering (frames 90-134) the judge knows the person is on the way out; resting again, not.
    assert!(js[100..130]
        .iter()
        .all(|j| j.returning && j.phase == Some(PhaseState::Up) || j.phase == Some(PhaseState::Down)));
    assert!(js[100].returning);
    assert!(!js.last().unwrap().returning);
    assert!(js.iter().filter(|j| j.phase == Some(PhaseState::Up)).count() > 45);
}

#[test]
fn lowering_before_the_hold_is_done_is_no_fault_but_a_sag_at_the_top_is() {
    // Down early: still the way out (one rep, no fault).
    let mut judge = Judge::new(lift());
    let mut heights = vec![0.0; 30];
    heights.extend(ramp(0.0, 60.0, 15));
    heights.extend(vec![60.0; 10]); // a third of a second at the top
    heights.extend(ramp(60.0, 0.0, 45));
    let js = run(&mut judge, heights, 0.0);
    assert!(js.iter().all(|j| j.faults.is_empty()));
    assert_eq!(judge.reps(), 1);
    // Sagging at the top (hips 45 px up instead of 60: the shoulder-hip-knee line bends to 162 degrees)
    // is not the way out: it is told.
    let mut judge = Judge::new(lift());
    let mut heights = vec![0.0; 30];
    heights.extend(ramp(0.0, 60.0, 15));
    heights.extend(vec![60.0; 5]);
    heights.extend(ramp(60.0, 45.0, 5));
    heights.extend(vec![45.0; 30]);
    let js = run(&mut judge, heights, 0.0);
    assert_eq!(js.last().unwrap().faults.first().map(|f| f.id.as_str()), Some("hips-low"));
    assert!(!js.last().unwrap().returning);
}

#[test]
fn a_lift_already_under_way_when_first_seen_is_not_a_rep_unless_recognised() {
    let top = || std::iter::repeat_n(60.0, 30).chain(ramp(60.0, 0.0, 30)).chain(std::iter::repeat_n(0.0, 30));
    let mut given = Judge::new(lift());
    run(&mut given, top(), 0.0);
    assert_eq!(given.reps(), 0);
    let mut recognised = Judge::recognised(lift());
    run(&mut recognised, top(), 0.0);
    assert_eq!(recognised.reps(), 1);
    // And each lift seen from the floor is one rep.
    run(&mut given, ramp(0.0, 60.0, 15).into_iter().chain(ramp(60.0, 0.0, 30)), 3.0);
    assert_eq!(given.reps(), 1);
}

#[test]
fn an_entry_begun_between_rest_and_the_stretch_counts_once_it_leaves_through_the_exit() {
    // First seen half way, neither resting nor in the stretch (as a cat-cow's flat back lies between cat and
    // cow), then into the stretch and held: not yet a rep, as the whole movement was not seen.
    let mut judge = Judge::new(lift());
    let mut heights = vec![14.0; 30];
    heights.extend(ramp(14.0, 60.0, 15));
    heights.extend(vec![60.0; 45]);
    run(&mut judge, heights, 0.0);
    assert_eq!(judge.reps(), 0);
    // Down past the exit: a whole movement after all, and it counts. The next lift counts from its start.
    run(&mut judge, ramp(60.0, 0.0, 30).into_iter().chain(vec![0.0; 15]), 3.0);
    assert_eq!(judge.reps(), 1);
    run(&mut judge, ramp(0.0, 60.0, 15), 4.5);
    assert_eq!(judge.reps(), 2);
}

#[test]
fn a_set_up_fault_is_not_told_while_the_person_is_on_the_way_into_position() {
    // Lowering from 0.62 torso lengths into the range over 1.5 s: out of it for more than its second, but
    // on the way in all along.
    let mut judge = Judge::new(hips_down());
    let js = run(&mut judge, ramp(80.0, 28.0, 45).into_iter().chain(vec![20.0; 15]), 0.0);
    assert!(js.iter().all(|j| j.faults.is_empty()), "{:?}", js.iter().find(|j| !j.faults.is_empty()));
    // Held up there, it is told after its second; so it is coming down too slowly to be on the way.
    for heights in [vec![80.0; 40], ramp(80.0, 74.0, 40)] {
        let mut judge = Judge::new(hips_down());
        let js = run(&mut judge, heights, 0.0);
        assert_eq!(js.last().unwrap().faults.first().map(|f| f.id.as_str()), Some("hips-up"));
    }
}

#[test]
fn a_joint_that_jumps_for_two_frames_is_not_a_second_rep() {
    let mut judge = Judge::new(lift());
    let mut heights = vec![0.0; 30];
    heights.extend(ramp(0.0, 60.0, 15));
    heights.extend(vec![60.0; 20]);
    heights.extend([0.0, 0.0]); // the hip read on the floor for two frames
    heights.extend(vec![60.0; 20]);
    heights.extend(ramp(60.0, 0.0, 30));
    heights.extend(vec![0.0; 30]);
    run(&mut judge, heights, 0.0);
    assert_eq!(judge.reps(), 1);
}

#[test]
fn the_near_side_holds_while_both_sides_trade_scores_side_on() {
    // Side-on both sides overlap: whichever scores higher this frame flips. The judged side must not.
    let mut judge = Judge::new(lift());
    let mut sides = Vec::new();
    for i in 0..30 {
        let mut pose = bridge_at(0.0);
        let (up, down) = if i % 2 == 0 { (Side::Left, Side::Right) } else { (Side::Right, Side::Left) };
        for p in [Part::Shoulder, Part::Hip, Part::Knee, Part::Ankle] {
            pose.landmarks[p.joint(up).index()].score = 0.9;
            pose.landmarks[p.joint(down).index()].score = 0.8;
        }
        sides.push(judge.update(Some(&pose), i as f64 / 30.0).side);
    }
    assert!(sides.windows(2).all(|w| w[0] == w[1]), "{sides:?}");
}

#[test]
fn in_frame_when_the_outline_is_seen_even_at_the_image_edge() {
    // Every joint seen, the feet on the image's very edge: in frame.
    let mut pose = bridge_at(0.0);
    for k in pose.landmarks.iter_mut() {
        k.x += 110.0; // ankles at x = 300, the right edge
    }
    assert!(in_frame(&pose));
    // Side-on, the far leg and the face hidden: still in frame.
    for j in [Joint::RightKnee, Joint::RightAnkle, Joint::Nose, Joint::LeftEar, Joint::RightEar] {
        pose.landmarks[j.index()].score = 0.05;
    }
    assert!(in_frame(&pose));
    // Both ankles unknown: the feet are out of the picture.
    pose.landmarks[Joint::LeftAnkle.index()].score = 0.05;
    assert!(!in_frame(&pose));
    // Through the judge: only after a second of it is the person told to step back.
    let mut judge = Judge::new(lift());
    let seen = bridge_at(0.0);
    let mut unseen = seen.clone();
    unseen.landmarks[Joint::LeftAnkle.index()].score = 0.05;
    unseen.landmarks[Joint::RightAnkle.index()].score = 0.05;
    assert!(judge.update(Some(&seen), 0.0).in_frame);
    assert!(judge.update(Some(&unseen), 0.5).in_frame);
    assert!(!judge.update(Some(&unseen), 1.6).in_frame);
}

#[test]
fn ankles_hidden_under_the_body_are_in_frame_when_the_model_places_every_landmark() {
    // BlazePose places every landmark: as in a real child's pose (docs/dev-footage dev12 chinchon), both ankles
    // hidden under the hips, placed well inside the picture at 0.12 and 0.26: the person is in the picture.
    let mut pose = bridge_at(0.0);
    pose.given = &Joint::ALL;
    for j in [Joint::LeftAnkle, Joint::RightAnkle] {
        pose.landmarks[j.index()].score = 0.12;
    }
    assert!(in_frame(&pose));
    // MoveNet puts a joint it does not see anywhere: there only a seen joint is in the picture.
    let mut movenet = pose.clone();
    movenet.given = &Joint::COCO;
    assert!(!in_frame(&movenet));
    // Legs past the picture's edge are placed beyond it (score 0), or at it: out of frame.
    for (x, score) in [(pose.width as f32 + 15.0, 0.0), (pose.width as f32 - 2.0, 0.1)] {
        let mut cut = pose.clone();
        for j in [Joint::LeftAnkle, Joint::RightAnkle] {
            cut.landmarks[j.index()] = crate::seeing::pose::Keypoint { x, y: cut.landmarks[j.index()].y, score };
        }
        assert!(!in_frame(&cut), "ankles at x = {x}");
    }
}

/// Rests a second, lifts in half a second, and stays at the top for a sixth of one: the frames'
/// heights, and the index of the first frame after that.
fn up_at_the_top() -> (Vec<f32>, usize) {
    let mut heights = vec![0.0; 30];
    heights.extend(ramp(0.0, 60.0, 15));
    heights.extend(vec![60.0; 5]);
    let n = heights.len();
    (heights, n)
}

#[test]
fn a_fault_is_told_once_it_has_lasted_its_persist_time_and_counted_once() {
    let mut judge = Judge::new(lift());
    let (mut heights, sag) = up_at_the_top();
    heights.extend(vec![45.0; 60]); // sagging at the top for two seconds
    let js = run(&mut judge, heights, 0.0);
    let told = js.iter().position(|j| !j.faults.is_empty()).expect("the sag is told");
    let waited = js[told].t - js[sag].t;
    assert!((0.5 - 1e-9..0.55).contains(&waited), "told after {waited} s; the check persists 0.5 s");
    // Failing from its first frame (no praise meanwhile), told from then on, and counted once.
    assert!(js[sag..].iter().all(|j| j.failing));
    assert!(js[told..].iter().all(|j| j.faults.first().is_some_and(|f| f.id == "hips-low" && f.since == js[sag].t)));
    assert_eq!(judge.fault_counts().get("hips-low"), Some(&1));
}

#[test]
fn a_check_is_judged_only_while_its_when_holds() {
    // The sag is told; with `when` asking for a knee angle this body never has, it is not judged at all.
    let gate = |range: &str| {
        let mut ex = lift();
        let text = format!("measure = \"angle\"\njoints = [\"hip\", \"knee\", \"ankle\"]\nrange = {range}");
        ex.checks[0].when = vec![toml::from_str(&text).unwrap()];
        let mut judge = Judge::new(ex);
        let (mut heights, _) = up_at_the_top();
        heights.extend(vec![45.0; 60]);
        run(&mut judge, heights, 0.0).pop().unwrap()
    };
    let judged = gate("[0, 180]");
    assert_eq!(judged.faults.first().map(|f| f.id.as_str()), Some("hips-low"));
    let gated = gate("[0, 10]");
    assert!(gated.faults.is_empty() && gated.checks[0].status == CheckStatus::Idle, "{:?}", gated.checks);
}

#[test]
fn hold_time_counts_only_in_good_form() {
    let mut judge = Judge::new(lift());
    let (mut heights, sag) = up_at_the_top();
    heights.extend(vec![45.0; 60]);
    let js = run(&mut judge, heights, 0.0);
    let at_sag = js[sag].held;
    assert!(at_sag > 0.0, "held in good form at the top: {at_sag}");
    assert!(
        js[sag..].iter().all(|j| j.held == at_sag && j.hold_progress == js[sag].hold_progress),
        "held while sagging"
    );
    assert!(judge.form_score().is_some_and(|s| s < 50.0), "{:?}", judge.form_score());
}

#[test]
fn a_stall_in_the_stream_adds_no_hold_time() {
    let mut judge = Judge::new(lift());
    let (heights, _) = up_at_the_top();
    let js = run(&mut judge, heights, 0.0);
    let before = js.last().unwrap().held;
    // The next frame comes five seconds later (the camera stalled): at most MAX_DT is added.
    let after = judge.update(Some(&bridge_at(60.0)), js.last().unwrap().t + 5.0).held;
    assert!(after - before <= MAX_DT + 1e-9, "{before} -> {after}");
}

#[test]
fn a_joint_lost_for_a_moment_keeps_a_told_fault_and_lost_for_longer_drops_it() {
    let mut judge = Judge::new(lift());
    let (mut heights, _) = up_at_the_top();
    heights.extend(vec![45.0; 30]);
    let js = run(&mut judge, heights, 0.0);
    assert!(!js.last().unwrap().faults.is_empty());
    let mut hidden = bridge_at(45.0);
    for side in [Side::Left, Side::Right] {
        hidden.landmarks[Part::Knee.joint(side).index()].score = 0.05;
    }
    let t0 = js.last().unwrap().t;
    let frames: Vec<Judgement> = (1..=30).map(|i| judge.update(Some(&hidden), t0 + i as f64 / 30.0)).collect();
    // A flicker (under UNKNOWN_GRACE) keeps it; after that the check is unknown, and unknown is no fault.
    assert!(frames[..10].iter().all(|j| j.faults.first().is_some_and(|f| f.id == "hips-low")));
    let last = frames.last().unwrap();
    assert!(last.faults.is_empty(), "{:?}", last.faults);
    assert_eq!(last.checks[0].status, CheckStatus::Unknown);
}

#[test]
fn a_rep_quicker_than_its_minimum_cycle_is_a_safety_fault() {
    let mut judge = Judge::new(lift_with("lift", 5, "min_cycle_seconds = 3\ntoo_fast = \"Slow down\""));
    let rep = || ramp(0.0, 60.0, 10).into_iter().chain(vec![60.0; 40]).chain(ramp(60.0, 0.0, 10)).chain(vec![0.0; 10]);
    // Two reps, 70 frames (2.3 s) apart: the second is too fast.
    let js = run(&mut judge, vec![0.0; 30].into_iter().chain(rep()).chain(rep()), 0.0);
    // The rushed rep does not count: it is kept apart as too fast.
    assert_eq!((judge.reps(), judge.faulty_reps().get("too-fast")), (1, Some(&1)));
    let fast: Vec<_> = js.iter().filter(|j| j.faults.first().is_some_and(|f| f.id == "too-fast")).collect();
    assert!(!fast.is_empty(), "the second rep was not called too fast");
    assert!(fast.iter().all(|j| j.faults[0].category == Category::Safety && j.faults[0].prompt == "Slow down"));
    assert_eq!(judge.fault_counts().get("too-fast"), Some(&1));
    // The rep after a rushed one, at a gentle pace, counts although "too fast" still shows as it starts.
    let mut judge = Judge::new(lift_with("lift", 5, "min_cycle_seconds = 2\ntoo_fast = \"Slow down\""));
    let quick = || ramp(0.0, 60.0, 10).into_iter().chain(vec![60.0; 10]).chain(ramp(60.0, 0.0, 10)).chain(vec![0.0; 5]);
    let js = run(&mut judge, vec![0.0; 30].into_iter().chain(quick()).chain(rep()).chain(rep()), 0.0);
    let third = js.iter().rposition(|j| j.phase == Some(PhaseState::Down)).unwrap();
    assert!(js[..third].iter().any(|j| j.faults.first().is_some_and(|f| f.id == "too-fast")));
    assert_eq!((judge.reps(), judge.faulty_reps().get("too-fast")), (2, Some(&1)));
    // At a gentle pace (a rep every 3.3 s), no such fault.
    let mut gentle = Judge::new(lift_with("lift", 5, "min_cycle_seconds = 3\ntoo_fast = \"Slow down\""));
    let slow = vec![0.0; 30].into_iter().chain(rep()).chain(vec![0.0; 30]).chain(rep());
    run(&mut gentle, slow, 0.0);
    assert_eq!((gentle.reps(), gentle.fault_counts().get("too-fast")), (2, None));
}

/// Hip heights: a second lying at rest, then each of `moves` in turn.
fn from_rest(moves: &[Vec<f32>]) -> Vec<f32> {
    std::iter::once(vec![0.0; 30]).chain(moves.iter().cloned()).flatten().collect()
}

/// Hip heights for a bridge held as a stretch: lifted, held 2 s at the top, then `rest` after it.
fn held_then(rest: &[f32]) -> Vec<f32> {
    from_rest(&[ramp(0.0, 60.0, 15), vec![60.0; 60], rest.to_vec()])
}

/// Runs hip heights through a judge of the lift held as a stretch.
fn run_held(heights: Vec<f32>) -> Vec<Judgement> {
    run(&mut Judge::new(held_lift()), heights, 0.0)
}

/// When a fault was first told.
fn first_told(js: &[Judgement]) -> Option<f64> {
    js.iter().find(|j| !j.faults.is_empty()).map(|j| j.t)
}

#[test]
fn coming_out_of_a_hold_is_no_fault_even_through_a_pause_but_a_slow_sag_is() {
    // Out of the pose in 0.3 s to a height that bends the hip line (hips low), a second's pause there, then
    // down: the way out, not told, and no hold time while on it.
    let mut judge = Judge::new(held_lift());
    let mut rest = ramp(60.0, 20.0, 9);
    rest.extend(vec![20.0; 30]);
    rest.extend(ramp(20.0, 0.0, 9));
    rest.extend(vec![0.0; 30]);
    let js = run(&mut judge, held_then(&rest), 0.0);
    assert!(js.iter().all(|j| j.faults.is_empty()), "{:?}", js.iter().find(|j| !j.faults.is_empty()));
    assert!(js[115..150].iter().all(|j| j.phase == Some(PhaseState::Up)), "the pause is still in the stretch");
    assert!(js[150].held - js[110].held < 0.1, "held on the way out: {} -> {}", js[110].held, js[150].held);
    // Sinking as slowly as a tiring body does, over 4 s, and staying there: told.
    let mut judge = Judge::new(held_lift());
    let mut rest = ramp(60.0, 20.0, 120);
    rest.extend(vec![20.0; 45]);
    let js = run(&mut judge, held_then(&rest), 0.0);
    assert_eq!(js.last().unwrap().faults.first().map(|f| f.id.as_str()), Some("hips-low"));
    // Back into the pose after a quick dip: judged again, and the hold goes on.
    let mut judge = Judge::new(held_lift());
    let mut rest = ramp(60.0, 30.0, 9);
    rest.extend(ramp(30.0, 60.0, 9));
    rest.extend(vec![60.0; 60]);
    let js = run(&mut judge, held_then(&rest), 0.0);
    let last = js.last().unwrap();
    assert!(last.faults.is_empty() && last.held > 3.0, "{last:?}");
    // The dip paused the hold; it did not start it again.
    assert!(last.hold_progress > 3.0, "{last:?}");
}

#[test]
fn getting_into_a_hold_is_no_fault_but_stopping_short_of_it_is() {
    // Into the pose over 1.3 s, deeper all the way (the hip line bent until the last frames): the way in,
    // not told; held there, timed.
    let js = run_held(from_rest(&[ramp(0.0, 60.0, 40), vec![60.0; 60]]));
    assert!(js.iter().all(|j| j.faults.is_empty()), "{:?}", js.iter().find(|j| !j.faults.is_empty()));
    assert!(js.last().unwrap().held > 1.5, "{:?}", js.last());
    // The same way in, stopping where the hip line is still bent: told once it has settled there.
    let js = run_held(from_rest(&[ramp(0.0, 25.0, 20), vec![25.0; 60]]));
    assert_eq!(js.last().unwrap().faults.first().map(|f| f.id.as_str()), Some("hips-low"));
    let told = first_told(&js).unwrap();
    // Stopping short, then sinking a little deeper, still short: the way in was over once settled, so the fault
    // is told as soon as before, not a way in later.
    let js = run_held(from_rest(&[ramp(0.0, 25.0, 20), vec![25.0; 18], ramp(25.0, 32.0, 4), vec![32.0; 60]]));
    let sunk = first_told(&js).unwrap();
    assert!(sunk <= told + 0.05, "told at {sunk:.2} s, {told:.2} s without the sink");
}
