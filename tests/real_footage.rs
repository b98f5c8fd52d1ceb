//! The coach on real footage of real people (tests/fixtures/real, Pexels clips), through the real model and
//! the `eval` command a clinician would use. Fails when any figure falls below its target.

mod common;

use common::{bin, fixture};

fn eval(dir: &std::path::Path) -> serde_json::Value {
    eval_with(dir, "blazepose-full")
}

fn eval_with(dir: &std::path::Path, model: &str) -> serde_json::Value {
    let out = bin().args(["--model", model, "eval"]).arg(dir).arg("--json").output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn rate(figures: &serde_json::Value, name: &str) -> (u64, u64) {
    let c = &figures[name];
    (c["hits"].as_u64().unwrap(), c["of"].as_u64().unwrap())
}

#[test]
fn real_people_are_recognised_counted_and_not_nagged() {
    for model in ["blazepose-full", "thunder", "lightning"] {
        real_footage_with(model);
    }
}

/// Every figure of `eval` on the committed real footage, with one shipped model.
fn real_footage_with(model: &str) {
    let dir = fixture("real");
    let report = eval_with(&dir, model);
    let all = &report["overall"];
    let files = |f: &dyn Fn(&serde_json::Value) -> bool| -> Vec<String> {
        report["files"].as_array().unwrap().iter().filter(|r| f(r)).map(|r| r["file"].to_string()).collect()
    };

    let (hit, of) = rate(all, "recognised");
    assert!(
        of >= 2 && hit * 10 >= of * 9,
        "{model}: recognised {hit}/{of}: {:?}",
        files(&|r| r["named"] != r["stretch"])
    );
    let (alarms, of) = rate(all, "setup_false_alarms");
    assert!(
        of >= 2 && alarms * 10 <= of,
        "{model}: set-up prompts for people in full view: {:?}",
        files(&|r| !r["setup_alarm"].is_null())
    );
    let (exact, of) = rate(all, "reps_exact");
    assert!(
        of >= 2 && exact == of,
        "{model}: reps: {:?}",
        report["files"].as_array().unwrap().iter().map(|r| (&r["file"], &r["reps"])).collect::<Vec<_>>()
    );
    // And as the default mode counts them, the stretch recognised from the pose.
    let (exact, of) = rate(all, "reps_exact_auto");
    assert!(
        of >= 2 && exact == of,
        "{model}: reps in auto: {:?}",
        report["files"].as_array().unwrap().iter().map(|r| (&r["file"], &r["reps_auto"])).collect::<Vec<_>>()
    );
    let (named, of) = rate(all, "other_named");
    assert!(
        of >= 4 && named == 0,
        "{model}: other poses taken for a stretch: {:?}",
        files(&|r| r["stretch"].is_null() && !r["named"].is_null())
    );
    let (nagged, of) = rate(all, "fault_prompts_on_good");
    assert!(
        of >= 2 && nagged == 0,
        "{model}: fault prompts on good form: {:?}",
        files(&|r| !r["fault_prompts"].as_array().unwrap().is_empty())
    );

    // The ranges a clinician tunes by: each bridge check measured on the good files, inside its range at the median.
    let ranges = report["ranges"].as_array().unwrap();
    for check in ["hip-line", "knee-angle"] {
        let r = ranges.iter().find(|r| r["stretch"] == "bridge" && r["check"] == check).unwrap();
        let (lo, hi) = (r["range"][0].as_f64().unwrap(), r["range"][1].as_f64().unwrap());
        let median = r["median"].as_f64().unwrap();
        assert!(lo <= median && median <= hi, "{r}");
    }
}

#[test]
fn eval_reports_a_bad_layout_and_bad_labels_clearly() {
    let dir = std::env::temp_dir().join(format!("stretchcoach-eval-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bridges")).unwrap();
    let out = bin().arg("eval").arg(&dir).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bridges") && err.contains("not a stretch id") && err.contains("knee-to-chest"), "{err}");

    std::fs::remove_dir_all(dir.join("bridges")).unwrap();
    std::fs::create_dir_all(dir.join("bridge")).unwrap();
    let synth = bin().args(["synth", "bridge"]).output().unwrap();
    std::fs::write(dir.join("bridge/generated.jsonl"), synth.stdout).unwrap();
    std::fs::write(dir.join("bridge/labels.toml"), "[\"generated.jsonl\"]\nfaults = [\"hips-too-low\"]\n").unwrap();
    let out = bin().arg("eval").arg(&dir).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("labels.toml")
            && err.contains("\"hips-too-low\" is not a fault of bridge")
            && err.contains("hips-low"),
        "{err}"
    );

    // Right labels: a generated bridge with low hips has its fault found, and its reps counted.
    std::fs::write(dir.join("bridge/labels.toml"), "[\"generated.jsonl\"]\nreps = 3\ngood = true\n").unwrap();
    let report = eval(&dir);
    assert_eq!(rate(&report["overall"], "reps_exact"), (1, 1), "{report}");
    assert_eq!(rate(&report["overall"], "recognised"), (1, 1), "{report}");
    assert_eq!(rate(&report["overall"], "fault_prompts_on_good"), (0, 1), "{report}");
    let low = bin().args(["synth", "bridge", "--fault", "hips-low"]).output().unwrap();
    std::fs::write(dir.join("bridge/low.jsonl"), low.stdout).unwrap();
    std::fs::write(dir.join("bridge/labels.toml"), "[\"low.jsonl\"]\nfaults = [\"hips-low\"]\n").unwrap();
    let report = eval(&dir);
    assert_eq!(rate(&report["overall"], "labelled_faults_found"), (1, 1), "{report}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_short_loop_is_named_over_its_loop_and_judged_over_one_pass() {
    // Stretches of a real bridge (committed real poses) as an app's looping GIFs show them: 1.2 s lying down and
    // lifting into the top, 1.8 s lowering from the top and lifting again, and 1.6 s held at the top and lowered
    // (the lift is the seam between passes); one rep each. And 3.9 s from the top of one lift, down, through a
    // whole lift and down again: two reps, one of them begun at the seam.
    let frames = real_bridge_frames();
    let between = |from: f64, to: f64| -> String {
        let t = |f: &serde_json::Value| f["t"].as_f64().unwrap();
        frames.iter().filter(|f| (from..to).contains(&t(f))).map(|f| format!("{f}\n")).collect()
    };
    let dir = std::env::temp_dir().join(format!("stretchcoach-eval-loop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bridge")).unwrap();
    std::fs::write(dir.join("bridge/lift.jsonl"), between(2.2, 3.4)).unwrap();
    std::fs::write(dir.join("bridge/lower-and-lift.jsonl"), between(1.6, 3.4)).unwrap();
    std::fs::write(dir.join("bridge/top-and-lower.jsonl"), between(3.6, 5.2)).unwrap();
    std::fs::write(dir.join("bridge/lower-lift-and-lower.jsonl"), between(1.3, 5.2)).unwrap();
    let labels =
        ["lift", "lower-and-lift", "top-and-lower"].map(|f| format!("[\"{f}.jsonl\"]\ngood = true\nreps = 1\n\n"));
    let labels = labels.concat() + "[\"lower-lift-and-lower.jsonl\"]\ngood = true\nreps = 2\n";
    std::fs::write(dir.join("bridge/labels.toml"), labels).unwrap();
    let file = |report: &serde_json::Value, name: &str| {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["file"].as_str().unwrap().ends_with(name))
            .unwrap()
            .clone()
    };

    // Once through, the 1.2 s are over before a stretch has been seen steadily for long enough to be named.
    let out = bin().arg("eval").arg(&dir).args(["--json", "--once"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let once: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(file(&once, "/lift.jsonl")["named"].is_null(), "{once}");
    assert_eq!(file(&once, "/lift.jsonl")["passes"], 1);

    // Played round as a loop for as long as a photo is held, it is named. Reps are still one pass's: over its
    // three passes the 1.8 s would count three. One pass of the 1.6 s counts none (it opens at the top and ends
    // lying down): its rep is the second pass's, begun at the seam. So is one of the 3.9 s's two, which one pass
    // counts one of: it too opens at the top and ends lying down.
    let looped = eval(&dir);
    assert_eq!(rate(&looped["overall"], "recognised"), (4, 4), "{looped}");
    assert_eq!(file(&looped, "/lift.jsonl")["passes"], 4, "1.2 s played round to 4 s");
    assert_eq!(file(&looped, "/lower-and-lift.jsonl")["passes"], 3);
    assert_eq!(file(&once, "/top-and-lower.jsonl")["reps"], 0, "{once}");
    assert_eq!(file(&once, "/lower-lift-and-lower.jsonl")["reps"], 1, "{once}");
    assert_eq!(rate(&looped["overall"], "reps_exact"), (4, 4), "{looped}");
    let text = bin().arg("eval").arg(&dir).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("short clips named over their loop: 4"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// The committed real bridge: the Pexels clip as BlazePose Full saw it, a keypoint file.
fn real_bridge() -> std::path::PathBuf {
    fixture("edited/bridge/pexels-6525487-good.jsonl")
}

/// Its frames, each a JSON object with its time `t`.
fn real_bridge_frames() -> Vec<serde_json::Value> {
    std::fs::read_to_string(real_bridge()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

/// The real bridge at its frame nearest `at` seconds, held still for 3 s at 25 fps, as a keypoint file.
fn real_bridge_held(at: f64) -> String {
    let frames = real_bridge_frames();
    let gap = |f: &serde_json::Value| (f["t"].as_f64().unwrap() - at).abs();
    let mut frame = frames.iter().min_by(|a, b| gap(a).total_cmp(&gap(b))).unwrap().clone();
    (0..75)
        .map(|i| {
            frame["t"] = serde_json::json!(i as f64 / 25.0);
            format!("{frame}\n")
        })
        .collect()
}

/// Lying with the knees bent and the hips on the floor is how a bridge starts, and as much a supine twist's or a
/// knee to chest's start: not named a bridge until the hips lift. The real bridge held still lying between two
/// lifts (hips 0.05 torso lengths off the floor line) is not named; held at the top of a lift, it is.
#[test]
fn lying_with_the_knees_bent_is_not_named_a_bridge_until_the_hips_lift() {
    let dir = std::env::temp_dir().join(format!("stretchcoach-lying-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let named = |at: f64| {
        let file = dir.join(format!("held-{at}.jsonl"));
        std::fs::write(&file, real_bridge_held(at)).unwrap();
        let lines = check_lines(&file, "auto");
        lines.last().unwrap()["summary"]["exercise"].as_str().unwrap().to_string()
    };
    assert_eq!(named(2.1), "auto", "lying, hips down: no stretch named");
    assert_eq!(named(3.4), "bridge");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Recognised from the pose, a stretch is judged from the poses seen while it was being recognised: the real
/// bridge clip cut to open with the woman lying down just before a lift is named about a second into that lift,
/// and the lift counts, as it does with the bridge chosen beforehand. The whole clip opens mid-lift: nobody saw
/// her get into that one, and it counts neither way.
#[test]
fn a_lift_seen_from_its_start_counts_though_the_stretch_is_recognised_during_it() {
    // From 1.84 s (lying between the first and second lift), re-timed to start at 0.
    let cut: String = real_bridge_frames()
        .into_iter()
        .filter(|f| f["t"].as_f64().unwrap() >= 1.84)
        .map(|mut f| {
            f["t"] = serde_json::json!(f["t"].as_f64().unwrap() - 1.84);
            format!("{f}\n")
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("stretchcoach-auto-reps-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("from-lying.jsonl");
    std::fs::write(&file, cut).unwrap();
    let run = |path: &std::path::Path, exercise: &str| -> (f64, u64) {
        let lines = check_lines(path, exercise);
        let named = lines.iter().find(|l| l["exercise"] == "bridge").map_or(f64::NAN, |l| l["t"].as_f64().unwrap());
        (named, lines.last().unwrap()["summary"]["reps"].as_u64().unwrap())
    };
    let (named, reps) = run(&file, "auto");
    assert!(named > 0.8, "named at {named} s: during the lift, which starts at 0.6 s");
    assert_eq!((reps, run(&file, "bridge").1), (2, 2));
    assert_eq!((run(&real_bridge(), "auto").1, run(&real_bridge(), "bridge").1), (2, 2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// A labelled fault that no check could read in the file (its view, its phase, or a joint unseen) is missed
/// apart from one read and passed: `faults_found_where_read` counts only the second. The real bridge held
/// still lying between two lifts cannot show an arched back (the back is judged at the top); held at the top
/// of a lift it can, and this good back reads as not arched.
#[test]
fn a_fault_no_check_could_read_is_missed_apart_from_one_read_and_passed() {
    let dir = std::env::temp_dir().join(format!("stretchcoach-eval-unread-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("bridge")).unwrap();
    std::fs::write(dir.join("bridge/lying.jsonl"), real_bridge_held(2.1)).unwrap();
    std::fs::write(dir.join("bridge/top.jsonl"), real_bridge_held(3.4)).unwrap();
    let labels = "[\"lying.jsonl\"]\nfaults = [\"back-arched\"]\n\n[\"top.jsonl\"]\nfaults = [\"back-arched\"]\n";
    std::fs::write(dir.join("bridge/labels.toml"), labels).unwrap();
    let report = eval(&dir);
    let unread = |name: &str| {
        let files = report["files"].as_array().unwrap();
        files.iter().find(|f| f["file"].as_str().unwrap().ends_with(name)).unwrap()["faults_unread"].clone()
    };
    assert_eq!(unread("/lying.jsonl"), serde_json::json!(["back-arched"]), "{report}");
    assert_eq!(unread("/top.jsonl"), serde_json::json!([]), "{report}");
    assert_eq!(rate(&report["overall"], "labelled_faults_found"), (0, 2), "{report}");
    assert_eq!(rate(&report["overall"], "faults_found_where_read"), (0, 1), "{report}");
    let text = bin().arg("eval").arg(&dir).output().unwrap();
    assert!(String::from_utf8_lossy(&text.stdout).contains("where read"));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Licensed real photos found after the definitions were written (tests/fixtures/real-photos), with the
/// default model: no figure may fall below the first, untouched run. That run missed the eight stretches'
/// targets on them (README, "Real bodies": a seated stretch seen from the front-left is asked to turn, a camel
/// and a supine hand-to-big-toe stretch were named, the tiptoe bridge's raised heels are not seen); the camel
/// and the hand-to-big-toe are mended, the others stay listed here until they are. The Unsplash child's pose,
/// added later, was named and not nagged on its first run, as it must stay.
#[test]
fn licensed_real_photos_hold_their_first_measured_figures() {
    let dir = fixture("real-photos");
    let report = eval(&dir);
    let all = &report["overall"];
    let named: Vec<_> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (&r["file"], &r["named"], &r["setup_alarm"], &r["fault_prompts"]))
        .collect();
    let (recognised, of) = rate(all, "recognised");
    assert!(of == 4 && recognised >= 3, "{named:?}");
    let (alarms, of) = rate(all, "setup_false_alarms");
    assert!(of == 4 && alarms <= 1, "{named:?}");
    assert_eq!(rate(all, "fault_prompts_on_good"), (0, 2), "{named:?}");
    let (others, of) = rate(all, "other_named");
    assert_eq!((others, of), (0, 13), "{named:?}");
    let named_as = |photo: &str| named.iter().find(|(f, ..)| f.as_str().is_some_and(|f| f.contains(photo))).unwrap();
    // The camel pose, its near knee unseen, is no seated fold: a stretch is not named on what is not seen.
    assert!(named_as("3823074").1.is_null(), "{:?}", named_as("3823074"));
    // Lying with one knee bent, foot on the floor, the other leg raised over the chest: no bridge.
    assert!(named_as("7593010").1.is_null(), "{:?}", named_as("7593010"));
    // The child's pose, sitting back on the heels, folded, arms forward: named, and nothing to correct.
    let (_, childs, _, told) = named_as("s9laK07dK2A");
    assert!(childs.as_str() == Some("childs-pose") && told.as_array().is_some_and(Vec::is_empty), "{childs} {told}");
}

/// The licensed real photos as a laptop's webcam takes a picture (640 pixels wide, sensor noise, JPEG 45: what
/// the camera and the page's camera send): each is named, told and set up as the photo itself is. Noise and
/// compression twice as strong only add a stretch named (the seated one seen three-quarter). Further away as
/// well (`scripts/devset.py webcam`, the body at 60 % of its size) the compact child's pose, 130 pixels long, is
/// lost: followed, the landmark model loses it on the look the photo is judged on, and found afresh there, the
/// landmarks put its hips under its shoulders (README).
#[test]
fn licensed_real_photos_as_a_webcam_takes_them_are_named_and_judged_as_the_photos_are() {
    let photos = fixture("real-photos");
    let webcam = common::scratch_dir("webcam");
    let mut seed = 7;
    for folder in std::fs::read_dir(&photos).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()) {
        let to = webcam.join(folder.file_name().unwrap());
        std::fs::create_dir_all(&to).unwrap();
        for file in std::fs::read_dir(&folder).unwrap().map(|e| e.unwrap().path()) {
            if file.extension().is_some_and(|e| e == "jpg") {
                seed += 1;
                std::fs::write(to.join(file.file_name().unwrap()), as_a_webcam_takes(&file, seed)).unwrap();
            } else {
                std::fs::copy(&file, to.join(file.file_name().unwrap())).unwrap();
            }
        }
    }
    let outcome = |report: &serde_json::Value| -> Vec<(String, serde_json::Value, bool, serde_json::Value)> {
        let mut files: Vec<_> = report["files"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let name = r["file"].as_str().unwrap().rsplit('/').next().unwrap().to_string();
                (name, r["named"].clone(), !r["setup_alarm"].is_null(), r["fault_prompts"].clone())
            })
            .collect();
        files.sort_by(|a, b| a.0.cmp(&b.0));
        files
    };
    let (seen, as_taken) = (outcome(&eval(&webcam)), outcome(&eval(&photos)));
    assert_eq!(seen.len(), 17);
    assert_eq!(seen, as_taken);
    let _ = std::fs::remove_dir_all(&webcam);
}

/// A photo as a laptop's webcam would take it (JPEG bytes): 640 pixels on the long side, sensor noise (about 5
/// levels, the same on a pixel's three channels) and JPEG quality 45.
fn as_a_webcam_takes(photo: &std::path::Path, seed: u64) -> Vec<u8> {
    let picture = image::open(photo).unwrap().to_rgb8();
    let (w, h) = picture.dimensions();
    let scale = 640.0 / w.max(h) as f64;
    let size = |n: u32| (n as f64 * scale).round() as u32;
    let mut small = image::imageops::resize(&picture, size(w), size(h), image::imageops::FilterType::Triangle);
    // The generator's own deterministic noise, so the pictures are the same on every machine.
    let mut rng = stretchcoach::body::synth::Rng::new(seed);
    for pixel in small.pixels_mut() {
        let noise = 5.0 * rng.normal();
        for c in pixel.0.iter_mut() {
            *c = (*c as f32 + noise).round().clamp(0.0, 255.0) as u8;
        }
    }
    let mut jpeg = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, 45).encode_image(&small).unwrap();
    jpeg
}

/// Real poses with one fault put in (tests/fixtures/edited: the Pexels bridge as BlazePose saw it, the back
/// arched, up on the toes, the hips sagging, the feet walked out; the Pexels seated fold with the knees bent, and sat up short of
/// a lean; the Unsplash child's pose with the hips lifted off the heels): each fault is found, the unedited
/// files are not nagged and the bridge's reps are exact. What a rule removed cannot pass: eval refuses a label
/// whose fault no check gives.
#[test]
fn real_poses_with_a_fault_put_in_are_told_it() {
    let dir = fixture("edited");
    let report = eval(&dir);
    let all = &report["overall"];
    let prompted: Vec<_> =
        report["files"].as_array().unwrap().iter().map(|r| (&r["file"], &r["fault_prompts"])).collect();
    assert_eq!(rate(all, "labelled_faults_found"), (7, 7), "{prompted:?}");
    assert_eq!(rate(all, "faults_found_where_read"), (7, 7), "{prompted:?}");
    assert_eq!(rate(all, "fault_prompts_on_good"), (0, 3), "{prompted:?}");
    // Reps count only in good form: the unedited file's two, and none of the edited files' (each has two
    // reps that did not count, labelled `faulty_reps = 2`).
    assert_eq!(rate(all, "reps_exact"), (5, 5), "{report}");
    // All but the child's pose with the hips lifted 68 degrees at the knee: kneeling with the hips that high
    // over the knees is as much a puppy pose, which is not named a child's pose (dev20, dev22 other); told the
    // stretch, the coach says "Sit back onto your heels".
    assert_eq!(rate(all, "recognised"), (9, 10), "{report}");
}

/// `check` on a file, as a user runs it: by default two one-thread models side by side, each following every
/// other frame, and the back read only while a check of it is judged, every other frame. Frames judged out of
/// order, or a back never read, would break what it finds on the real bridge clip.
#[test]
fn check_of_the_real_clip_with_two_models_side_by_side_finds_what_one_model_finds() {
    let clip = fixture("real/bridge/pexels-6525487-glute-bridge.mp4");
    let run = |threads: Option<&str>| {
        let mut cmd = bin();
        cmd.args(["check", "--json"]).arg(&clip);
        if let Some(t) = threads {
            cmd.args(["--threads", t]);
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        let lines: Vec<serde_json::Value> =
            String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let (frames, summary) = lines.split_at(lines.len() - 1);
        let ts: Vec<f64> = frames.iter().map(|f| f["t"].as_f64().unwrap()).collect();
        assert!(ts.windows(2).all(|w| w[0] < w[1]), "frames judged in their order");
        let up: Vec<&serde_json::Value> = frames.iter().filter(|f| f["phase"] == "up").collect();
        let backs = up.iter().filter(|f| f["measures"]["back-arch"].is_number()).count();
        (summary[0]["summary"].clone(), frames.len(), backs as f64 / up.len() as f64)
    };
    for threads in [None, Some("2")] {
        let (summary, frames, backs) = run(threads);
        assert_eq!((summary["reps"].as_u64(), frames), (Some(2), 167), "{threads:?}: {summary}");
        assert_eq!(summary["faults"], serde_json::json!({}), "{threads:?}: {summary}");
        // The back is known on the lifted frames but those just after each lift began.
        assert!(backs > 0.9, "{threads:?}: the back known on {backs:.2} of the lifted frames");
    }
}

/// With `--exercise auto`, a person facing the camera down on the floor whom no stretch fits is asked, once
/// aloud, to turn sideways (seven of the eight stretches are seen side-on); a person standing facing the camera
/// (who may be about to circle their hips) is not. Real photos: a seated fold filmed front-on (Pexels, Ketut
/// Subiyanto) and a tree pose (Pexels, Anete Lusina), each held still as `check` holds a photo.
#[test]
fn a_person_facing_the_camera_on_the_floor_is_asked_to_turn_sideways_and_one_standing_is_not() {
    let dir = fixture("real-photos");
    let frames = |photo: &str| auto_frames(&dir.join(photo));
    let turn = |f: &serde_json::Value| f["prompt"].as_str().is_some_and(|p| p.starts_with("Turn sideways"));
    let seated = frames("seated-hamstring/Sgamb29-StretchHoldTimers_pexels-ketut-subiyanto-4436298.jpg");
    assert!(seated.iter().all(|f| f["exercise"].is_null()), "{seated:?}");
    assert!(seated.last().is_some_and(turn), "{:?}", seated.last());
    assert_eq!(seated.iter().filter(|f| turn(f) && f["speak"] == true).count(), 1);
    let standing = frames("other/Tlaloc-Es-aipose_pexels-anete-lusina-4793290.jpg");
    assert!(!standing.is_empty() && !standing.iter().any(turn), "{standing:?}");
}

/// With `--exercise auto`, a person partly out of the picture, whom no stretch can be seen to fit, is asked, once
/// aloud, to step back; seen whole, the same person is not. Real photo: the tree pose above (Pexels, Anete Lusina),
/// whole and cut off at the hips (its top 60 %), each held still as `check` holds a photo. Cut off, she was told
/// "Start any of the eight stretches" for as long as she stood there.
#[test]
fn a_person_partly_out_of_the_picture_is_asked_to_step_back_and_one_seen_whole_is_not() {
    let photo = fixture("real-photos/other/Tlaloc-Es-aipose_pexels-anete-lusina-4793290.jpg");
    let dir = std::env::temp_dir().join(format!("stretchcoach-step-back-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let whole = image::open(&photo).unwrap();
    let top = dir.join("top.jpg");
    whole.crop_imm(0, 0, whole.width(), whole.height() * 6 / 10).save(&top).unwrap();
    let step_back = |f: &serde_json::Value| f["prompt"].as_str().is_some_and(|p| p.starts_with("Step back"));
    let cut = auto_frames(&top);
    assert!(cut.iter().all(|f| f["exercise"].is_null()), "{cut:?}");
    assert!(cut.last().is_some_and(step_back), "{:?}", cut.last());
    assert_eq!(cut.iter().filter(|f| step_back(f) && f["speak"] == true).count(), 1);
    let seen_whole = auto_frames(&photo);
    assert!(!seen_whole.is_empty() && !seen_whole.iter().any(step_back), "{seen_whole:?}");
    let _ = std::fs::remove_dir_all(dir);
}

/// Each frame `check --exercise auto --json` reports on a photo (held still), the summary left out.
fn auto_frames(photo: &std::path::Path) -> Vec<serde_json::Value> {
    check_lines(photo, "auto").into_iter().filter(|f| f["summary"].is_null()).collect()
}

/// `check FILE --exercise EXERCISE --json`, run as a user runs it: one JSON object per frame, then the summary.
fn check_lines(file: &std::path::Path, exercise: &str) -> Vec<serde_json::Value> {
    let out = bin().arg("check").arg(file).args(["--exercise", exercise, "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}
