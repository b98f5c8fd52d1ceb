//! Hostile input, generated: keypoint files, stretch definitions, poses and HTTP query strings.
//! Nothing may panic; whatever is accepted must be sane; the server answers 4xx, never 5xx.

mod common;

use proptest::prelude::*;
use stretchcoach::coaching::session::{Plan, Session};
use stretchcoach::exercise::{self, Exercise};
use stretchcoach::seeing::keypoint_file;
use stretchcoach::seeing::pose::{Keypoint, Pose};

/// `cases` per property in the suite; PROPTEST_CASES=N runs N instead, for a longer hunt.
fn config(cases: u32) -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|n| n.parse().ok()).unwrap_or(cases);
    ProptestConfig { cases, ..ProptestConfig::default() }
}

fn number() -> impl Strategy<Value = String> {
    const ODD: [&str; 7] = ["NaN", "Infinity", "-1e309", "1e400", "-5", "\"12\"", "null"];
    prop_oneof![
        any::<f64>().prop_map(|f| format!("{f}")),
        prop::sample::select(&ODD[..]).prop_map(String::from),
        (0u32..2000).prop_map(|n| n.to_string()),
    ]
}

/// Lines a definition may be edited to that are wrong in what they say, not in their syntax.
const BAD_LINES: [&str; 7] = [
    "range = [200, 10]",
    "joints = [\"hip\"]",
    "persist = -1",
    "window = 0",
    "enter = 0.1",
    "[[checks]]",
    "measure = \"height\"",
];

fn record_line() -> impl Strategy<Value = String> {
    (number(), number(), prop::collection::vec((number(), number(), number()), 0..20), prop::option::of(number()))
        .prop_map(|(w, h, kps, t)| {
            let kp: Vec<String> = kps.iter().map(|(x, y, s)| format!("[{x},{y},{s}]")).collect();
            let t = t.map(|t| format!(",\"t\":{t}")).unwrap_or_default();
            format!("{{\"width\":{w},\"height\":{h},\"keypoints\":[{}]{t}}}", kp.join(","))
        })
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn keypoint_files_never_panic_and_accept_only_sane_poses(
        lines in prop::collection::vec(prop_oneof![record_line(), ".*"], 0..8)
    ) {
        let text = lines.join("\n");
        if let Ok(frames) = keypoint_file::parse(text.as_bytes(), "fuzz") {
            let mut last = 0.0;
            for (t, pose) in &frames {
                prop_assert!(t.is_finite() && *t >= last);
                last = *t;
                prop_assert!(pose.width > 0 && pose.height > 0);
                prop_assert!(pose.landmarks.iter().all(|k| k.x.is_finite() && k.y.is_finite() && (0.0..=1.0).contains(&k.score)));
            }
        }
    }
}

fn bridge_text() -> &'static str {
    include_str!("../src/exercise/catalog/bridge.toml")
}

proptest! {
    #![proptest_config(config(2000))]

    #[test]
    fn mutated_definitions_load_or_fail_cleanly(line in 0usize..80, replacement in prop_oneof![
        ".*",
        number(),
        prop::sample::select(&BAD_LINES[..]).prop_map(String::from),
    ]) {
        let mut lines: Vec<String> = bridge_text().lines().map(String::from).collect();
        let at = line % lines.len();
        lines[at] = replacement;
        match Exercise::from_toml("fuzz.toml", &lines.join("\n")) {
            Ok(ex) => {
                for c in &ex.checks {
                    prop_assert!(c.range[0] <= c.range[1] && c.joints.len() == c.measure.arity());
                    prop_assert!(c.persist >= 0.0 && c.hysteresis() >= 0.0);
                }
                // An accepted definition judges any pose without panicking.
                let mut s = Session::new(ex);
                let pose = Pose::coco(640, 480, [Keypoint { x: 10.0, y: 20.0, score: 0.9 }; 17]);
                s.step(Some(&pose), 0.0);
                s.step(Some(&pose), 0.03);
            }
            Err(e) => prop_assert!(e.to_string().starts_with("fuzz.toml")),
        }
    }
}

proptest! {
    #![proptest_config(config(300))]

    /// Every stretch judges the pose (no recognition in between, which a random pose would never pass), past
    /// the settling second so that its form checks run too.
    #[test]
    fn any_pose_is_judged_without_panic(
        coords in prop::collection::vec((-1e7f32..1e7, -1e7f32..1e7, 0.0f32..=1.0), 17),
        t in 0.0f64..1e6,
        width in 1u32..10_000,
        height in 1u32..10_000,
        back in prop::option::of(-1e3f32..1e3),
    ) {
        let mut keypoints = [Keypoint::default(); 17];
        for (k, (x, y, s)) in keypoints.iter_mut().zip(coords) {
            *k = Keypoint { x, y, score: s };
        }
        let mut pose = Pose::coco(width, height, keypoints);
        pose.back = back.map(|curve| stretchcoach::seeing::pose::Back { curve, outline: Vec::new() });
        for ex in exercise::built_in() {
            // Checks for one view are measured only when the body is seen from it; the others always.
            let checks: Vec<String> = ex.checks.iter().filter(|c| c.view.is_none()).map(|c| c.id.clone()).collect();
            let mut s = Session::with_plan(Plan::One(Box::new(ex.clone())));
            let (mut seen, mut judged) = (0, 0);
            for i in 0..45 {
                let r = s.step(Some(&pose), t + i as f64 / 30.0);
                prop_assert!(r.measures.values().flatten().all(|v| v.is_finite()));
                prop_assert_eq!(r.exercise.as_deref(), Some(ex.id.as_str()));
                seen += r.person as u32;
                judged += (r.person && checks.iter().all(|c| r.measures.contains_key(c))) as u32;
                prop_assert!(r.measures.keys().all(|k| ex.checks.iter().any(|c| &c.id == k)));
            }
            // Whenever a person is seen, the stretch's checks are measured (None where a joint is not seen).
            prop_assert_eq!(judged, seen, "{}", ex.id);
        }
    }
}

mod http {
    use super::*;
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    fn router() -> axum::Router {
        // One database for every case, made once: a folder left by an earlier run whose process had the same id
        // is emptied first (its write-ahead log with it).
        static DB: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
        let db = DB.get_or_init(|| {
            let db = common::scratch_dir("fuzz").join("fuzz.db");
            stretchcoach::history::store::Store::open(&db).unwrap();
            db
        });
        let hub = stretchcoach::running::hub::Hub::with_history(exercise::built_in(), Vec::new(), Some(db.clone()));
        stretchcoach::web::server::router(hub, None)
    }

    proptest! {
        #![proptest_config(super::config(1000))]

        #[test]
        fn query_strings_get_answers_never_server_errors(
            path in prop_oneof![Just("/api/sessions"), Just("/api/progress"), Just("/api/sessions/"), Just("/api/exercises/")],
            query in "[a-z=&%0-9:.TZ+-]{0,40}",
        ) {
            let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
            let status = rt.block_on(async {
                let uri = if path.ends_with('/') { format!("{path}{}", query.replace(['&', '=', '%'], "")) } else { format!("{path}?{query}") };
                let Ok(req) = Request::get(uri).body(Body::empty()) else { return StatusCode::BAD_REQUEST };
                router().oneshot(req).await.unwrap().status()
            });
            prop_assert!(!status.is_server_error(), "{path}?{query}: {status}");
        }
    }
}
