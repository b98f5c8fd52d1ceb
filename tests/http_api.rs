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
    // Six reps: the three in good form count, the three with a fault are kept apart by it.
    assert_eq!(summary["reps"], 3, "{summary}");
    for fault in ["hips-low", "back-arched", "feet-too-far"] {
        assert_eq!(summary["faults"][fault], 1, "{fault} in {summary}");
        assert_eq!(summary["faulty_reps"][fault], 1, "{fault} in {summary}");
    }
    assert!(summary["held_seconds"].as_f64().unwrap() > 10.0, "{summary}");
    // Still answering afterwards, and the page carries the safety note.
    let page = ureq::get(&format!("{}/", server.base)).call().unwrap().into_string().unwrap();
    assert!(page.contains("stop if you feel any pain"), "{page}");
}

/// The HTTP status of a request (ureq reports 4xx and 5xx as errors); the body is not read, so an event
/// stream answers as soon as its headers arrive.
fn status_of(req: ureq::Request) -> u16 {
    match req.call() {
        Ok(resp) => resp.status(),
        Err(ureq::Error::Status(code, _)) => code,
        Err(e) => panic!("{e}"),
    }
}

#[test]
fn a_token_guards_everything_but_healthz() {
    let server = demo(&["--token", "s3cret"]);
    let base = &server.base;
    // /healthz answers without a token (supervisors probe it).
    let health = ureq::get(&format!("{base}/healthz")).call().unwrap();
    assert_eq!(health.into_string().unwrap(), "ok");
    // Every other route of the router refuses a request without the token, or with a wrong one in the header
    // or the query.
    let guarded: Vec<(String, String)> = stretchcoach::web::server::routes()
        .into_iter()
        .filter(|(_, path)| *path != "/healthz")
        .map(|(method, path)| {
            let id = if path.contains("exercises") { "bridge" } else { "1" };
            (method.to_uppercase(), path.replace("{id}", id))
        })
        .collect();
    assert!(guarded.len() > 10, "{guarded:?}");
    for (method, path) in &guarded {
        let url = format!("{base}{path}");
        assert_eq!(status_of(ureq::request(method, &url)), 401, "{method} {path} without a token");
        let wrong_header = ureq::request(method, &url).set("Authorization", "Bearer wrong");
        assert_eq!(status_of(wrong_header), 401, "{method} {path} with a wrong bearer token");
        assert_eq!(status_of(ureq::request(method, &format!("{url}?token=wrong"))), 401, "{method} {path}?token=wrong");
    }
    // The right token opens them, as a bearer header or as ?token= (what the page's images and event
    // stream use, a browser adding no headers to those).
    for path in ["/", "/api/status", "/api/events", "/api/exercises/bridge", "/metrics"] {
        let url = format!("{base}{path}");
        assert_eq!(status_of(ureq::get(&url).set("Authorization", "Bearer s3cret")), 200, "{path} with the header");
        assert_eq!(status_of(ureq::get(&format!("{url}?token=s3cret"))), 200, "{path}?token=s3cret");
    }
    // get_json sends the header form too: the session summary opens (404 only before the demo's first frame).
    match get_json(&format!("{base}/api/session"), Some("s3cret")) {
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

/// A stretch's text is the user's own (`--exercises`): it reaches the live page as it was written, even
/// when it looks like a placeholder or markup, and the token is carried, escaped, to the frame's address.
#[test]
fn the_live_page_carries_user_text_as_text() {
    let dir = common::scratch_dir("user-text");
    let catalog = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/exercise/catalog");
    let bridge = std::fs::read_to_string(catalog.join("bridge.toml")).unwrap();
    let name = r#"Bridge {INITIAL} {HISTORY} {{ initial }} </script><b>bold</b>"#;
    let mine = bridge.replacen("name = \"Bridge\"", &format!("name = {}", toml_string(name)), 1);
    assert_ne!(mine, bridge);
    std::fs::write(dir.join("bridge.toml"), mine).unwrap();
    let server = demo(&["--exercises", dir.to_str().unwrap()]);
    // Once a frame has been seen, the page carries it, with the query's token in its address.
    let deadline = Instant::now() + Duration::from_secs(60);
    let page = loop {
        let page = ureq::get(&format!("{}/live?token=a'b", server.base)).call().unwrap().into_string().unwrap();
        if page.contains("id=\"frame0\"") {
            break page;
        }
        assert!(Instant::now() < deadline, "no frame in the page");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(page.contains("&#38;token=a%27b\" alt"), "{page}");
    let line = page.lines().find(|l| l.starts_with("const EXERCISES = ")).expect("the stretches in the page");
    let json = line.trim_start_matches("const EXERCISES = ").trim_end_matches(';');
    let exercises: serde_json::Value = serde_json::from_str(json).unwrap();
    let bridge = exercises.as_array().unwrap().iter().find(|e| e["id"] == "bridge").unwrap();
    assert_eq!(bridge["name"], name, "{line}");
    // Inside the script it is JSON (with "</" broken up); nowhere else is it markup.
    assert!(!line.contains("</script>") && !page.replace(line, "").contains("<b>bold"), "{page}");
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.into()).to_string()
}
