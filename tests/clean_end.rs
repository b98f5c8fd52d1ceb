//! Ctrl-C (SIGINT) and SIGTERM end every coaching and serving command cleanly: the session is saved and
//! marked ended, pages following the events get a last `ended`, and the program exits 0. The real binary,
//! a real SQLite file, real signals.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::{fixture, spawn_server};

fn scratch(name: &str) -> std::path::PathBuf {
    common::scratch_dir(&format!("end-{name}"))
}

fn status(base: &str) -> serde_json::Value {
    common::get_json(&format!("{base}/api/status"))
}

#[test]
fn ctrl_c_in_the_middle_of_a_real_time_replay_leaves_a_finished_session_with_its_frames() {
    let dir = scratch("replay");
    let db = dir.join("sessions.db");
    let clip = fixture("real/bridge/pexels-6525487-glute-bridge.mp4");
    let mut server = spawn_server(&[
        "replay",
        clip.to_str().unwrap(),
        "--realtime",
        "--voice",
        "false",
        "--quiet",
        "--db",
        db.to_str().unwrap(),
    ]);
    // A page following the events, to see the last one.
    let events = {
        let url = format!("{}/api/events", server.base);
        std::thread::Builder::new().name("events".into()).spawn(move || {
            let mut text = String::new();
            let _ = ureq::get(&url).call().unwrap().into_reader().read_to_string(&mut text);
            text
        })
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    let judged = loop {
        let s = status(&server.base);
        let n = s["stats"]["processed"].as_i64().unwrap();
        if n >= 40 {
            break n;
        }
        assert!(Instant::now() < deadline, "the replay did not start: {s}");
        std::thread::sleep(Duration::from_millis(50));
    };
    server.signal("INT");
    let exit = server.wait_exit(Duration::from_secs(30)).expect("still running 30 s after Ctrl-C");
    assert!(exit.success(), "exit status {exit} after Ctrl-C");

    let conn = rusqlite::Connection::open(&db).unwrap();
    let (ended, frames, duration): (Option<String>, i64, f64) = conn
        .query_row("SELECT ended_at, frames, duration_s FROM sessions", [], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap();
    assert!(ended.is_some(), "the session is stored as unfinished");
    // The clip has 167 frames: the session holds those judged before Ctrl-C, not the whole clip.
    assert!(frames >= judged && frames < 167, "{frames} frames stored; {judged} were judged before Ctrl-C");
    assert!(duration > 1.0 && duration < 6.68, "duration {duration} s");

    let text = events.unwrap().join().unwrap();
    let last = text.split("\n\n").filter(|e| !e.trim().is_empty()).last().unwrap_or("");
    assert!(last.starts_with("event: ended"), "the last event is not `ended`: {last}");
    assert!(last.contains(r#""closing":true"#), "{last}");
}

#[test]
fn sigterm_stops_the_history_server_with_status_0() {
    let dir = scratch("serve");
    let mut server = spawn_server(&["serve", "--db", dir.join("sessions.db").to_str().unwrap()]);
    assert_eq!(ureq::get(&format!("{}/api/sessions", server.base)).call().unwrap().status(), 200);
    server.signal("TERM");
    let exit = server.wait_exit(Duration::from_secs(20)).expect("still running after SIGTERM");
    assert!(exit.success(), "exit status {exit}");
}

#[test]
fn the_demo_takes_the_pages_stretch_choice_and_ends_on_ctrl_c() {
    let mut server = spawn_server(&["demo", "--voice", "false", "--quiet"]);
    // The page's controls work once the demo's loop runs (the model loads first).
    let deadline = Instant::now() + Duration::from_secs(60);
    while status(&server.base)["stats"]["processed"].as_u64() == Some(0) {
        assert!(Instant::now() < deadline, "the demo did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let set = ureq::post(&format!("{}/api/session/exercise", server.base))
        .send_json(serde_json::json!({ "exercise": "bridge" }))
        .expect("the demo refused the stretch chosen on its page");
    assert_eq!(set.status(), 200);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let s = status(&server.base);
        if s["status"]["exercise"] == "bridge" {
            break;
        }
        assert!(Instant::now() < deadline, "the demo did not switch to the bridge: {s}");
        std::thread::sleep(Duration::from_millis(50));
    }
    server.signal("INT");
    let exit = server.wait_exit(Duration::from_secs(20)).expect("the demo ran on after Ctrl-C");
    assert!(exit.success(), "exit status {exit}");
}
