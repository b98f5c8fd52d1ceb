//! Bodies across the frame: the real photos turned by 90, 180 and 270 degrees. With MoveNet's
//! orientation-aware input the joints found on a turned photo, turned back, land where they do upright.
//! (Thunder, named: these multi-person photos test the input, and BlazePose's detector may pick another
//! person once a photo is turned.)

mod common;

use common::{bin, fixture, picked, REFERENCES};
use stretchcoach::seeing::pose::orient::{rotate, unrotate_point};

fn keypoints(path: &std::path::Path, plain: bool) -> Vec<[f32; 3]> {
    let mut cmd = bin();
    cmd.args(["--model", "thunder", "pose", "--json"]).arg(path);
    if plain {
        cmd.arg("--plain-input");
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    serde_json::from_value(v["keypoints"].clone()).unwrap()
}

#[test]
fn turned_photos_keep_their_joints() {
    let dir = std::env::temp_dir().join(format!("stretchcoach-orient-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for r in &REFERENCES {
        let img = image::open(fixture(&format!("photos/{}", r.file))).unwrap().to_rgb8();
        let (w, h) = (img.width() as f32, img.height() as f32);
        for degrees in [90u32, 180, 270] {
            let path = dir.join(format!("{degrees}-{}.png", r.file));
            rotate(&img, degrees).save(&path).unwrap();
            let kp = keypoints(&path, false);
            let back = |i: usize| unrotate_point(kp[i][0], kp[i][1], degrees, w, h);
            let nose = back(0);
            let r = picked(r, nose);
            let tol = 0.08 * (r.bbox.3 - r.bbox.1);
            assert!(
                (nose.0 - r.nose.0).hypot(nose.1 - r.nose.1) < tol,
                "{} turned {degrees}: nose at {nose:?}, expected near {:?}",
                r.file,
                r.nose
            );
            // Turned back, the body is upright again: nose above shoulders above hips.
            let mid = |a: usize, b: usize| (back(a).1 + back(b).1) / 2.0;
            assert!(nose.1 < mid(5, 6) && mid(5, 6) < mid(11, 12), "{} turned {degrees}: order lost", r.file);
            let confident = kp.iter().filter(|k| k[2] >= 0.3).count();
            assert!(confident >= 7, "{} turned {degrees}: only {confident} joints", r.file);
        }
    }
}

#[test]
fn eval_rotation_reports_consistency_before_and_after() {
    let out = bin().args(["--model", "thunder", "eval-rotation", "--json"]).arg(fixture("photos")).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let pck = |mode: &str, deg: u64| {
        v[mode].as_array().unwrap().iter().find(|f| f["degrees"] == deg).unwrap()["pck"].as_f64().unwrap()
    };
    // Target: 90 and 270 within 5 points of upright with orientation-aware input...
    for deg in [90, 270] {
        assert!(pck("oriented", deg) >= pck("oriented", 0) - 0.05, "{v}");
    }
    // ...where the plain model, as it was, loses most joints.
    assert!(pck("plain", 90) < 0.5 && pck("plain", 270) < 0.5, "{v}");
}
