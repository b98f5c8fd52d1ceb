//! The real binary serving over a real socket on loopback.

mod common;

use std::time::{Duration, Instant};

use common::{bin, spawn_server, Server};

fn demo(extra: &[&str]) -> Server {
    let mut args = vec!["demo", "--fast"];
    args.extend_from_slice(extra);
    spawn_server(&args)
}

#[allow(clippy::result_large_err)] // ureq's own error type, in a test
fn get_json(url: &str, token: Option<&str>) -> Result<serde_json::Value, ureq::Error> {
    let mut req = ureq::get(url);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    Ok(serde_json::from_str(&req.call()?.into_string().unwrap()).unwrap())
}

#[test]
fn demo_serves_the_session_summary_and_keeps_serving_after_the_replay() {
    let server = demo(&[]);
    let deadline = Instant::now() + Duration::from_secs(120);
    // Wait for the generated bridge (the demo's second part) to finish.
    loop {
        let s = get_json(&format!("{}/api/status", server.base), None).unwrap();
        if s["source"].as_str().is_some_and(|x| x.contains("generated bridge motion")) && s["running"] == false {
            break;
        }
        assert!(Instant::now() < deadline, "replay did not finish: {s}");
        std::thread::sleep(Duration::from_millis(200));
    }
    let summary = get_json(&format!("{}/api/session", server.base), None).unwrap();
    assert_eq!(summary["exercise"], "bridge");
    assert_eq!(summary["reps"], 6, "{summary}");
    for fault in ["hips-low", "back-arched", "feet-too-far"] {
        assert_eq!(summary["faults"][fault], 1, "{fault} in {summary}");
    }
    assert!(summary["held_seconds"].as_f64().unwrap() > 10.0, "{summary}");
    // Still answering afterwards, and the page carries the safety note.
    let page = ureq::get(&format!("{}/", server.base)).call().unwrap().into_string().unwrap();
    assert!(page.contains("stop if you feel any pain"), "{page}");
}

#[test]
fn a_token_guards_everything_but_healthz() {
    let server = demo(&["--token", "s3cret"]);
    let url = format!("{}/api/session", server.base);
    match get_json(&url, None) {
        Err(ureq::Error::Status(401, _)) => {}
        other => panic!("expected 401 without a token, got {other:?}"),
    }
    match get_json(&url, Some("wrong")) {
        Err(ureq::Error::Status(401, _)) => {}
        other => panic!("expected 401 with a wrong token, got {other:?}"),
    }
    // With the token: a summary (200) or "no session yet" (404) while the demo starts; never 401.
    match get_json(&url, Some("s3cret")) {
        Ok(_) | Err(ureq::Error::Status(404, _)) => {}
        other => panic!("expected access with the token, got {other:?}"),
    }
}

#[test]
fn listening_beyond_loopback_needs_a_token() {
    let out = bin().args(["demo", "--fast", "--exit", "--bind", "0.0.0.0", "--port", "0"]).output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--token"), "{err}");
}
