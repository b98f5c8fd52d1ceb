//! The bridge judge on generated keypoint motion: good form, and each fault giving its prompt.

mod common;

use stretchcoach::body::synth::{bridge_session, BridgeForm, Noise, RepTiming};

use common::{check_keypoints, write_jsonl};

fn run(forms: &[BridgeForm], seed: u64) -> (Vec<serde_json::Value>, serde_json::Value) {
    let frames = bridge_session(forms, RepTiming::default(), 30.0, Noise::default(), seed);
    let dir = tempfile_dir();
    let file = dir.join(format!("bridge-{seed}.jsonl"));
    write_jsonl(&file, &frames);
    check_keypoints(&file, "bridge")
}

fn tempfile_dir() -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("stretchcoach-test-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn prompts(lines: &[serde_json::Value]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in lines {
        if let Some(p) = l["prompt"].as_str() {
            if out.last().map(String::as_str) != Some(p) {
                out.push(p.to_string());
            }
        }
    }
    out
}

fn all_faults(lines: &[serde_json::Value]) -> Vec<String> {
    let mut out: Vec<String> = lines
        .iter()
        .flat_map(|l| l["faults"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()))
        .collect();
    out.sort();
    out.dedup();
    out
}

#[test]
fn a_good_bridge_has_no_fault_counts_reps_and_holds() {
    let (lines, summary) = run(&[BridgeForm::GOOD; 3], 1);
    assert_eq!(all_faults(&lines), Vec::<String>::new(), "prompts: {:?}", prompts(&lines));
    assert_eq!(summary["reps"], 3, "{summary}");
    // Each rep holds 4 s at the top, plus the upper part of its lift and lowering (about 0.7 s).
    let held = summary["held_seconds"].as_f64().unwrap();
    assert!((11.0..=15.5).contains(&held), "held {held}");
    let p = prompts(&lines);
    assert!(p.iter().any(|p| p.starts_with("Good, hold it")), "{p:?}");
    assert!(p.iter().any(|p| p.contains("lift your hips off the floor (rep 2 of 10)")), "{p:?}");
    // The seed's cautions open the stretch.
    assert_eq!(p[0], "Bridge: Lift and lower slowly. Stop if you feel any pain.");
}

#[test]
fn sagging_hips_are_told_to_lift() {
    let (lines, summary) = run(&[BridgeForm::HIPS_LOW], 2);
    assert_eq!(all_faults(&lines), vec!["hips-low"], "{:?}", prompts(&lines));
    assert!(prompts(&lines).contains(&"Lift your hips higher".to_string()));
    assert_eq!(summary["faults"]["hips-low"], 1);
    // The rep does not count: it is kept apart, by its fault, and the person is told so once.
    assert_eq!(
        (summary["reps"].as_u64(), summary["faulty_reps"]["hips-low"].as_u64()),
        (Some(0), Some(1)),
        "{summary}"
    );
    let told: Vec<_> = lines.iter().filter(|l| l["prompt"] == "That one didn't count: hips low").collect();
    assert!(!told.is_empty(), "{:?}", prompts(&lines));
    assert_eq!(told.iter().filter(|l| l["speak"] == true).count(), 1);
}

#[test]
fn only_reps_in_good_form_count_and_the_others_are_kept_by_fault() {
    // The demo's bridge: two good reps, one each with hips low, back arched, feet too far, and a good one.
    let forms = [
        BridgeForm::GOOD,
        BridgeForm::GOOD,
        BridgeForm::HIPS_LOW,
        BridgeForm::ARCHED,
        BridgeForm::FEET_TOO_FAR,
        BridgeForm::GOOD,
    ];
    let (lines, summary) = run(&forms, 5);
    assert_eq!(summary["reps"], 3, "{summary}");
    let faulty = &summary["faulty_reps"];
    assert_eq!(
        (&faulty["hips-low"], &faulty["back-arched"], &faulty["feet-too-far"]),
        (&1.into(), &1.into(), &1.into())
    );
    assert_eq!(faulty.as_object().unwrap().len(), 3, "{faulty}");
    // Live, the count never counts a spoilt rep: it reaches 3 and the spoilt total 3.
    let last = lines.last().unwrap();
    assert_eq!((last["reps"].as_u64(), last["faulty_reps"].as_u64()), (Some(3), Some(3)));
    assert!(lines.iter().all(|l| l["reps"].as_u64().unwrap() <= 3));
    // Each spoilt rep is explained, once each.
    let p = prompts(&lines);
    for why in ["hips low", "back arched", "feet too far"] {
        assert!(p.contains(&format!("That one didn't count: {why}")), "{why}: {p:?}");
    }
}

#[test]
fn a_lift_stopped_short_is_told_to_go_higher_and_does_not_count() {
    let (lines, summary) = run(&[BridgeForm::PART_WAY, BridgeForm::GOOD], 6);
    let p = prompts(&lines);
    // Told to lift higher while up part way, not given the starting cue again.
    let higher = p.iter().position(|x| x == "Lift your hips higher").expect("told to lift higher");
    assert!(!p[higher + 1].contains("lift your hips off the floor"), "{p:?}");
    assert_eq!(summary["reps"], 1, "{summary}");
    assert_eq!(summary["faulty_reps"]["hips-low"], 1, "{summary}");
    assert!(p.contains(&"That one didn't count: hips low".to_string()), "{p:?}");
}

#[test]
fn an_arched_back_is_told_to_lower() {
    let (lines, _) = run(&[BridgeForm::ARCHED], 3);
    assert_eq!(all_faults(&lines), vec!["back-arched"], "{:?}", prompts(&lines));
    assert!(prompts(&lines).contains(&"Lower your hips slightly, don't arch your back".to_string()));
}

#[test]
fn feet_too_far_are_told_to_come_closer() {
    let (lines, _) = run(&[BridgeForm::FEET_TOO_FAR], 4);
    assert_eq!(all_faults(&lines), vec!["feet-too-far"], "{:?}", prompts(&lines));
    assert!(prompts(&lines).contains(&"Walk your feet closer to your hips".to_string()));
}

/// A keypoint file given as `check`'s INPUT is read as one (by its name), not handed to ffmpeg as a video.
#[test]
fn check_reads_a_keypoint_file_given_as_its_input() {
    let file = common::fixture("edited/bridge/pexels-6525487-good.jsonl");
    let by_flag = common::check_keypoints(&file, "bridge").1;
    let out = common::bin().args(["check", "--json", "--exercise", "bridge"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let last = String::from_utf8(out.stdout).unwrap().lines().last().map(str::to_string).unwrap();
    let as_input: serde_json::Value = serde_json::from_str(&last).unwrap();
    assert_eq!(as_input["summary"], by_flag);
    assert_eq!(by_flag["reps"], 2, "{by_flag}");
}
