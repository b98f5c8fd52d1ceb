//! The one speed property the test suite holds on any machine: at a camera's pace the model's threads rest
//! between frames. Wall-clock figures (fps, cores used, ms per frame) depend on the build and on what else
//! runs, so they live in `stretchcoach bench` and `cargo bench`, not here.

mod common;

use common::bin;

fn bench(args: &[&str]) -> serde_json::Value {
    let out = bin().args(["bench", "--json", "--frames", "40", "--fps", "10"]).args(args).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Spinning threads burn a core through every gap between camera frames (measured here: 103% of a core
/// at 30 fps). What the process uses while the loop sleeps is independent of how fast the build is (a
/// debug build only shortens the gaps) and of other processes (they cannot add CPU time to this one),
/// so unlike "cores used at 30 fps" it cannot fail because the machine is slow or busy.
/// `--spin` is the same run with spinning left on: the measurement must see it.
#[test]
fn at_a_cameras_pace_the_model_threads_rest_between_frames() {
    let idle = |report: &serde_json::Value| {
        let paced = &report["paced"];
        assert!(paced["idle_s"].as_f64().unwrap() > 0.3, "too little idle time to judge: {report}");
        paced["idle_cpu_cores"].as_f64().unwrap()
    };
    let resting = idle(&bench(&[]));
    let spinning = idle(&bench(&["--spin"]));
    assert!(resting < 0.2, "{resting:.2} cores used between frames: the model's threads spin");
    assert!(
        spinning > resting + 0.1,
        "the measurement cannot tell spinning ({spinning:.2} cores) from resting ({resting:.2})"
    );
}

/// `bench` says where the time to the first judged frame goes; the parts fit inside the whole, which
/// counts from the process's launch (a budget in ms would belong in a benchmark, not here).
#[test]
fn bench_reports_the_start_up_and_its_parts() {
    let s = &bench(&[])["startup"];
    let part = |k: &str| s[k].as_f64().unwrap_or_else(|| panic!("{k} missing: {s}"));
    let (whole, models, frame, judged) =
        (part("to_first_judged_ms"), part("models_ms"), part("first_frame_ms"), part("first_judged_ms"));
    assert!(models > 0.0 && frame >= 0.0 && judged > 0.0, "{s}");
    // The launch is counted in 10 ms steps.
    assert!(whole + 10.0 >= models + frame + judged, "the parts add up to more than the whole: {s}");
}
