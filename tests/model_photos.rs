//! The real model on real photographs (committed fixtures; see tests/fixtures/photos/README.md).
//!
//! Reference positions were measured once by eye on the photos (viewed at half size for the two
//! ultralytics images, coordinates doubled back to full size): a box around the person the single-person
//! model should pick (the most prominent one) and the tip of their nose.

mod common;

use common::{bin, fixture, picked, stderr_of_failing, REFERENCES};

fn pose_json(file: &str) -> serde_json::Value {
    let out = bin().args(["pose", "--json"]).arg(fixture(&format!("photos/{file}"))).output().unwrap();
    assert!(out.status.success(), "pose failed: {}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn keypoints_land_on_the_person_in_anatomical_order() {
    for r in &REFERENCES {
        let p = pose_json(r.file);
        assert_eq!((p["width"].as_u64().unwrap() as u32, p["height"].as_u64().unwrap() as u32), r.size, "{}", r.file);
        let kp: Vec<[f32; 3]> = serde_json::from_value(p["keypoints"].clone()).unwrap();
        assert_eq!(kp.len(), 17);
        let r = picked(r, (kp[0][0], kp[0][1]));

        // The nose within 8% of the person's height of where it was measured.
        let tol = 0.08 * (r.bbox.3 - r.bbox.1);
        let (dx, dy) = (kp[0][0] - r.nose.0, kp[0][1] - r.nose.1);
        assert!(dx.hypot(dy) < tol, "{}: nose at {:?}, expected near {:?}", r.file, kp[0], r.nose);

        // Confident joints lie on the person (with a margin of 5% for joints at the box edge).
        let m = 0.05 * (r.bbox.3 - r.bbox.1);
        let confident: Vec<&[f32; 3]> = kp.iter().filter(|k| k[2] >= 0.3).collect();
        assert!(confident.len() >= 7, "{}: only {} confident joints", r.file, confident.len());
        for k in &confident {
            let inside = k[0] > r.bbox.0 - m && k[0] < r.bbox.2 + m && k[1] > r.bbox.1 - m && k[1] < r.bbox.3 + m;
            assert!(inside, "{}: joint {k:?} outside the person", r.file);
        }

        // Standing people: nose above shoulders above hips (image y grows downwards).
        let mid = |a: usize, b: usize| (kp[a][1] + kp[b][1]) / 2.0;
        let (nose, shoulders, hips) = (kp[0][1], mid(5, 6), mid(11, 12));
        assert!(nose < shoulders && shoulders < hips, "{}: nose {nose}, shoulders {shoulders}, hips {hips}", r.file);
        // Left is the person's left: on the image's right for a person facing the camera.
        assert!(kp[5][0] > kp[6][0], "{}: left shoulder should be right of the right shoulder", r.file);
    }
}

#[test]
fn human_readable_pose_names_every_joint() {
    let out = bin().arg("pose").arg(fixture("photos/astronaut.png")).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for name in ["nose", "left-shoulder", "right-ankle"] {
        assert!(text.contains(name), "{text}");
    }
}

/// Every shipped model, through the same pose stage as `pose`, against joints placed by hand on 20 real
/// frames of floor exercises (tests/fixtures/joints). Measured here: PCK@0.2 torso 0.835 (Lightning),
/// 0.838 (Thunder), 0.920 (BlazePose Full); PCK@0.1 0.520, 0.547 and 0.602.
#[test]
fn each_shipped_model_finds_the_hand_placed_joints_of_real_people() {
    for (model, floor_02, floor_01) in
        [("lightning", 0.78, 0.45), ("thunder", 0.78, 0.48), ("blazepose-full", 0.87, 0.54)]
    {
        let out = bin().args(["--model", model, "eval-joints", "--json"]).arg(fixture("joints")).output().unwrap();
        assert!(out.status.success(), "{model}: {}", String::from_utf8_lossy(&out.stderr));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert!(v["photos"].as_array().unwrap().len() >= 20, "{v}");
        let (p01, p02) = (v["pck_01"].as_f64().unwrap(), v["pck_02"].as_f64().unwrap());
        assert!(p02 >= floor_02 && p01 >= floor_01, "{model}: PCK@0.1 {p01:.3}, PCK@0.2 {p02:.3}");
    }
}

/// BlazePose's detector keys on a face and misses some people whose face is hidden (a real cat pose with the
/// head hanging, docs/dev-footage): then MoveNet Lightning's joints place the body for the landmark model.
/// Measured on the hand-placed frames with the detector never taken, so that every body is found that way:
/// PCK@0.2 0.920 and PCK@0.1 0.590 here, against 0.920 and 0.602 through the detector (the floors are the
/// detector's, above). With the region turned upside down (feet up) it reads 0.012: the test can fail.
#[test]
fn a_body_the_detector_misses_is_found_from_movenets_joints() {
    use stretchcoach::seeing::pose::blazepose::BlazePose;
    use stretchcoach::seeing::pose::model::{shipped, ModelOptions};
    let model = shipped("blazepose-full").unwrap();
    let mut stage = BlazePose::shipped(model, ModelOptions::default()).unwrap().without_detector();
    let report = stretchcoach::tools::eval::joints::score(&fixture("joints"), &mut stage).unwrap();
    assert!(report.photos.len() >= 20);
    let (p01, p02) = (report.pck_01, report.pck_02);
    assert!(p02 >= 0.87 && p01 >= 0.54, "PCK@0.1 {p01:.3}, PCK@0.2 {p02:.3}");
}

/// A person lost while followed is looked for again in the same frame, not a frame later. The real bridge
/// photo on the left of a wide grey frame, then on its right: the region the landmarks gave on the first frame
/// holds only grey on the second, where the landmark model says nobody is there. MediaPipe runs its detector on
/// the next frame, and so did this stage: that frame read as nobody, and a photo judged on such a look (a real
/// child's pose followed at pose flags 0.99, 1.00, 0.99, then 0.09) was judged on nobody.
#[test]
fn a_person_lost_while_followed_is_found_again_in_the_same_frame() {
    use stretchcoach::seeing::pose::blazepose::BlazePose;
    use stretchcoach::seeing::pose::model::{shipped, ModelOptions};
    use stretchcoach::seeing::pose::Joint;
    let photo =
        image::open(fixture("real-photos/bridge/Tlaloc-Es-aipose_pexels-anna-shvets-5012071.jpg")).unwrap().to_rgb8();
    let (w, h) = photo.dimensions();
    let at = |x: u32| {
        let mut frame = image::RgbImage::from_pixel(3 * w, h, image::Rgb([128, 128, 128]));
        image::imageops::overlay(&mut frame, &photo, x as i64, 0);
        frame
    };
    let mut stage = BlazePose::shipped(shipped("blazepose-full").unwrap(), ModelOptions::default()).unwrap();
    // Where the hips are, if seen.
    let hips = |pose: &stretchcoach::seeing::pose::Pose| {
        let (l, r) = (pose.get(Joint::LeftHip), pose.get(Joint::RightHip));
        (l.score >= 0.5 && r.score >= 0.5).then(|| (l.x + r.x) / 2.0)
    };
    let left = stage.estimate(&at(0)).unwrap();
    let x = hips(&left).expect("the person on the left is found");
    assert!(x < w as f32, "{x}");
    let right = stage.estimate(&at(2 * w)).unwrap();
    let x = hips(&right).expect("the person, moved, is found in the frame that lost them");
    assert!(x > 2.0 * w as f32, "{x}");
}

#[test]
fn the_models_command_lists_the_shipped_models_by_name() {
    let out = bin().args(["models", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<&str> = rows.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["lightning", "thunder", "blazepose-full"]);
    for r in &rows {
        // A BlazePose row counts all three of its files.
        let size = |f: &serde_json::Value| match f.as_str() {
            Some(f) => std::fs::metadata(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("models").join(f))
                .unwrap()
                .len(),
            None => 0,
        };
        let bytes = size(&r["file"]) + size(&r["detector"]) + size(&r["segmentation"]);
        assert_eq!(r["bytes"].as_u64(), Some(bytes), "{r}");
        assert!(r["error"].is_null() && r["inference_ms"].as_f64().unwrap() > 0.0, "{r}");
    }
    let defaults: Vec<&str> =
        rows.iter().filter(|r| r["default"] == true).map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(defaults, ["blazepose-full"]);
    // Inputs: Lightning 192, Thunder 256 (a name loads its own file).
    assert_eq!(rows[0]["input"], 192);
    assert_eq!(rows[1]["input"], 256);
    assert_eq!(rows[2]["input"], 256);
    assert!(rows[2]["about"].as_str().unwrap().contains("whole landmark model"), "{}", rows[2]);
}

#[test]
fn an_unknown_model_name_or_a_file_that_is_no_model_is_refused_with_the_fix() {
    let photo = fixture("photos/astronaut.png");
    let err = stderr_of_failing(bin().args(["--model", "blazepose", "pose"]).arg(&photo));
    assert!(err.contains("blazepose") && err.contains("lightning, thunder, blazepose-full"), "{err}");
    // A file that is not an ONNX model: ONNX Runtime refuses it, and the message names the file.
    let err = stderr_of_failing(bin().arg("--model").arg(fixture("photos/README.md")).arg("pose").arg(&photo));
    assert!(err.contains("README.md") && err.contains("could not load"), "{err}");
}

fn joints_json(model: &str, frame: &str) -> serde_json::Value {
    let out =
        bin().args(["--model", model, "pose", "--json"]).arg(fixture(&format!("joints/{frame}"))).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Degrees from horizontal of the near foot (heel to toes), the bridge's "feet flat" measure.
fn foot_incline(p: &serde_json::Value) -> f64 {
    let at = |n: &str| {
        let v = &p["landmarks"][n];
        (v[0].as_f64().unwrap(), v[1].as_f64().unwrap(), v[2].as_f64().unwrap())
    };
    let side = if at("left_heel").2 >= at("right_heel").2 { "left" } else { "right" };
    let (h, t) = (at(&format!("{side}_heel")), at(&format!("{side}_foot_index")));
    (t.1 - h.1).abs().atan2((t.0 - h.0).abs()).to_degrees()
}

#[test]
fn blazepose_sees_the_feet_and_the_back_of_real_people_and_movenet_says_it_cannot() {
    // The Pexels bridge, done well, frame by frame (tests/fixtures/joints): heels and toes flat on the floor,
    // and a back the silhouette shows, never arched past the bridge's -0.10.
    let mut seen = 0;
    for t in ["0.20", "1.00", "1.72", "2.40", "3.20", "4.20", "4.92", "5.52", "6.40"] {
        let p = joints_json("blazepose-full", &format!("bridge-t{t}.jpg"));
        assert_eq!(p["landmarks"].as_object().unwrap().len(), 33, "{t}");
        assert!(foot_incline(&p) < 35.0, "bridge {t}: feet flat read {:.0} degrees", foot_incline(&p));
        if let Some(c) = p["back_curve"].as_f64() {
            seen += 1;
            assert!(c > -0.10, "bridge {t}: good back read as arched ({c})");
            assert!(p["back"].as_array().unwrap().len() >= 6, "bridge {t}: the outline drawn");
        }
    }
    assert!(seen >= 8, "the back seen in {seen} of 9 bridge frames");
    // A plank is held on the toes: the same measure reads the feet up, so the rule can fail on real feet.
    for t in ["0.20", "2.80", "3.88"] {
        let p = joints_json("blazepose-full", &format!("plank-t{t}.jpg"));
        assert!(foot_incline(&p) > 45.0, "plank {t}: on the toes read {:.0} degrees", foot_incline(&p));
    }
    // MoveNet has no heels, toes or silhouette: its 17, and the back unknown.
    let m = joints_json("lightning", "bridge-t4.20.jpg");
    assert_eq!(m["landmarks"].as_object().unwrap().len(), 17);
    assert!(m["back_curve"].is_null() && m["landmarks"].get("left_heel").is_none(), "{m}");
}

/// Nobody is invented in empty frames, with every model, even where BlazePose's detector proposes a weak
/// person (its fallback for people it misses must then be confirmed by a sure landmark model).
#[test]
fn nobody_is_found_in_empty_frames() {
    let dir = fixture("empty");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "png"))
        .collect();
    files.sort();
    assert_eq!(files.len(), 5);
    for model in ["blazepose-full", "lightning"] {
        for f in &files {
            let out = bin().args(["pose", "--json", "--model", model]).arg(f).output().unwrap();
            assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
            let p: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
            let seen: Vec<_> =
                p["keypoints"].as_array().unwrap().iter().filter(|k| k[2].as_f64().unwrap() >= 0.3).collect();
            // MoveNet always places 17 joints, a stray one may score; BlazePose says "nobody" outright.
            let allowed = if model == "blazepose-full" { 0 } else { 2 };
            assert!(seen.len() <= allowed, "{model} found a person in {}: {seen:?}", f.display());
        }
    }
}

/// A phone photo stored sideways with an EXIF orientation is judged as it is shown: bus.jpg turned on its
/// side in the file, tagged "rotate 90 clockwise", gives the upright picture's size and the same person.
#[test]
fn a_photo_is_judged_the_way_up_it_is_shown() {
    let upright = pose_json("bus.jpg");
    let turned = pose_json("bus-exif-rotated.jpg");
    assert_eq!((&turned["width"], &turned["height"]), (&upright["width"], &upright["height"]));
    let nose = |p: &serde_json::Value| (p["keypoints"][0][0].as_f64().unwrap(), p["keypoints"][0][1].as_f64().unwrap());
    let ((x0, y0), (x1, y1)) = (nose(&upright), nose(&turned));
    assert!((x0 - x1).hypot(y0 - y1) < 10.0, "nose at {:?} upright, {:?} from the turned file", (x0, y0), (x1, y1));
}
