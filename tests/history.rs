//! Sessions that last: a real SQLite file, a real server on loopback, a real kill -9.

mod common;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{bin, bridge_replay, replay_into, run_ok, spawn_server, write_jsonl, Server};
use stretchcoach::body::synth;

fn tmp(name: &str) -> PathBuf {
    common::scratch_file("history", name)
}

fn bridge_file(name: &str) -> PathBuf {
    let f = tmp(name);
    write_jsonl(&f, &synth::generate("bridge", None, 30.0, 4).unwrap());
    f
}

fn serve(db: &Path) -> Server {
    spawn_server(&["serve", "--db", db.to_str().unwrap()])
}

fn get(url: &str) -> Result<(u16, String, String), (u16, String)> {
    match ureq::get(url).call() {
        Ok(r) => {
            let ct = r.content_type().to_string();
            Ok((r.status(), ct, r.into_string().unwrap()))
        }
        Err(ureq::Error::Status(code, r)) => Err((code, r.into_string().unwrap_or_default())),
        Err(e) => panic!("{url}: {e}"),
    }
}

fn json(url: &str) -> serde_json::Value {
    let (_, _, body) = get(url).unwrap_or_else(|e| panic!("{url}: {e:?}"));
    serde_json::from_str(&body).unwrap()
}

#[test]
fn a_replayed_session_is_in_history_and_survives_a_restart() {
    let db = tmp("replay.db");
    let file = bridge_file("bridge.jsonl");
    replay_into(&db, &file);
    let text = run_ok(&["history", "--db", db.to_str().unwrap()]);
    assert!(text.contains("Bridge") && text.contains("reps   3"), "{text}");
    for _restart in 0..2 {
        let server = serve(&db);
        let sessions = json(&format!("{}/api/sessions", server.base));
        let s = &sessions[0];
        assert!(s["ended_at"].is_string(), "{s}");
        let st = &s["stretches"][0];
        assert_eq!((st["exercise"].as_str(), st["reps"].as_i64()), (Some("bridge"), Some(3)), "{s}");
        let held = st["held_seconds"].as_f64().unwrap();
        assert!(held > 10.0 && held < 16.0, "{held}");
        let score = st["form_score"].as_f64().unwrap();
        assert!(score > 50.0 && score <= 100.0, "{score}");
        let mut one = json(&format!("{}/api/sessions/{}", server.base, s["id"]));
        // The one session is the listed one, plus its timeline.
        assert!(one.as_object_mut().unwrap().remove("timeline").is_some_and(|t| t[0]["samples"].is_array()));
        assert_eq!(one, *s);
        let days = json(&format!("{}/api/progress?exercise=bridge", server.base));
        assert_eq!(days[0]["reps"], 3, "{days}");
    }
    // Export for a clinician: CSV and JSON carry the same figures.
    let csv = run_ok(&["export", "--format", "csv", "--db", db.to_str().unwrap()]);
    let row: Vec<&str> = csv.lines().nth(1).unwrap().split(',').collect();
    assert_eq!((row[4], row[6]), ("bridge", "3"), "{csv}");
    let exported: serde_json::Value =
        serde_json::from_str(&run_ok(&["export", "--format", "json", "--db", db.to_str().unwrap()])).unwrap();
    assert_eq!(exported[0]["stretches"][0]["reps"], 3);
}

#[test]
fn a_session_killed_mid_way_keeps_what_was_done() {
    let db = tmp("killed.db");
    let file = bridge_file("killed.jsonl");
    let mut child = bin()
        .args(bridge_replay(&file))
        .args(["--port", "0", "--db"])
        .arg(&db)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Two lifts are done by about 11 s; saves happen every 2 s.
    std::thread::sleep(Duration::from_secs(12));
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();
    let text = run_ok(&["history", "--db", db.to_str().unwrap()]);
    assert!(text.contains("(unfinished)"), "{text}");
    let exported: serde_json::Value =
        serde_json::from_str(&run_ok(&["export", "--format", "json", "--db", db.to_str().unwrap()])).unwrap();
    let reps = exported[0]["stretches"][0]["reps"].as_i64().unwrap();
    assert!(reps >= 2, "the finished part was lost: {exported}");
    assert!(exported[0]["ended_at"].is_null());
    // The database is whole: a new session goes in after it.
    run_ok(&["check", "--keypoints", file.to_str().unwrap(), "--exercise", "bridge", "--db", db.to_str().unwrap()]);
    let exported: serde_json::Value =
        serde_json::from_str(&run_ok(&["export", "--format", "json", "--db", db.to_str().unwrap()])).unwrap();
    assert_eq!(exported.as_array().unwrap().len(), 2);
}

#[test]
fn every_documented_route_answers_as_documented() {
    let db = tmp("api.db");
    let file = bridge_file("api.jsonl");
    run_ok(&["check", "--keypoints", file.to_str().unwrap(), "--exercise", "bridge", "--db", db.to_str().unwrap()]);
    let server = serve(&db);
    let doc = json(&format!("{}/api/openapi.json", server.base));
    let paths = doc["paths"].as_object().unwrap();
    // The document describes exactly the routes the router is built from.
    let mut documented: Vec<(String, String)> = paths
        .iter()
        .flat_map(|(p, ops)| ops.as_object().unwrap().keys().map(move |m| (m.clone(), p.clone())))
        .collect();
    let mut routes: Vec<(String, String)> =
        stretchcoach::web::server::routes().iter().map(|(m, p)| (m.to_string(), p.to_string())).collect();
    documented.sort();
    routes.sort();
    assert_eq!(documented, routes);
    // Over the history alone, the live routes answer their documented errors (nothing runs)...
    let answers = sweep(&server.base, &doc);
    assert_eq!(answers["GET /api/frame.jpg"], 404);
    assert_eq!(answers["POST /api/session/stop"], 409);
    drop(server);
    // ...and while a real recording is judged at its own pace, they answer as they do for a user.
    let clip = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/real/bridge/pexels-6525487-glute-bridge.mp4");
    let live = spawn_server(
        &["replay", "--realtime", "--voice=false", "--quiet", "--db", db.to_str().unwrap()]
            .into_iter()
            .chain([clip.to_str().unwrap()])
            .collect::<Vec<_>>(),
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while json(&format!("{}/api/status", live.base))["seq"].as_u64().unwrap_or(0) == 0 {
        assert!(std::time::Instant::now() < deadline, "no frame judged");
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let answers = sweep(&live.base, &doc);
    for route in [
        "GET /api/status",
        "GET /api/session",
        "GET /api/events",
        "GET /api/frame.jpg",
        "GET /live",
        "POST /api/session/exercise",
        "POST /api/session/stop",
    ] {
        assert_eq!(answers[route], 200, "{route} while a session runs: {answers:?}");
    }
}

/// Calls every documented operation once (paths in order, so a session is switched before it is stopped),
/// checks each answer's status and content type against the document, and gives the statuses.
fn sweep(base: &str, doc: &serde_json::Value) -> std::collections::BTreeMap<String, u16> {
    let mut answers = std::collections::BTreeMap::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let url =
                format!("{base}{}", path.replace("{id}", if path.contains("exercises") { "bridge" } else { "1" }));
            let codes: Vec<u16> = op["responses"].as_object().unwrap().keys().map(|c| c.parse().unwrap()).collect();
            let (code, ctype) = if path == "/api/events" {
                // A stream that does not end: only its opening is checked.
                let r = ureq::get(&url).call().unwrap();
                (r.status(), r.content_type().to_string())
            } else {
                match method.as_str() {
                    "get" => match get(&url) {
                        Ok((c, ct, body)) => {
                            // A JSON answer holds to its schema, key for key (the web layer documents the
                            // lower layers' types apart from them: this is what keeps the two the same).
                            if ct == "application/json" {
                                let schema = &op["responses"][c.to_string()]["content"][&ct]["schema"];
                                let value: serde_json::Value = serde_json::from_str(&body).unwrap();
                                if let Err(e) = conforms(&value, schema, doc, path) {
                                    panic!("{method} {path}: {e}\n{body}");
                                }
                            }
                            (c, ct)
                        }
                        Err((c, _)) => (c, "application/json".into()),
                    },
                    "post" => match ureq::post(&url).send_json(serde_json::json!({"exercise": "bridge"})) {
                        Ok(r) => (r.status(), r.content_type().to_string()),
                        Err(ureq::Error::Status(c, _)) => (c, "application/json".into()),
                        Err(e) => panic!("{e}"),
                    },
                    m => panic!("{m}?"),
                }
            };
            assert!(codes.contains(&code), "{method} {path}: {code} is not among the documented {codes:?}");
            if let Some(content) = op["responses"][code.to_string()]["content"].as_object() {
                assert!(content.keys().any(|k| *k == ctype), "{method} {path}: {ctype} not in {:?}", content.keys());
            }
            answers.insert(format!("{} {path}", method.to_uppercase()), code);
        }
    }
    answers
}

/// Whether `value` is what `schema` (in `doc`) says: its JSON type, and an object's keys exactly the
/// documented properties (none missing that is required, none undocumented), down through every level.
fn conforms(
    value: &serde_json::Value,
    schema: &serde_json::Value,
    doc: &serde_json::Value,
    at: &str,
) -> Result<(), String> {
    use serde_json::Value;
    // The component a `$ref` names, and its name.
    let named = |s: &Value| {
        let name = s["$ref"].as_str()?.trim_start_matches("#/components/schemas/").to_string();
        Some((doc["components"]["schemas"][name.as_str()].clone(), name))
    };
    if let Some((component, name)) = named(schema) {
        return conforms(value, &component, doc, &format!("{at} ({name})"));
    }
    if let Some(parts) = schema["allOf"].as_array() {
        // Flattened parts: one object with the properties of all.
        let mut merged = serde_json::Map::new();
        for part in parts {
            let part = named(part).map_or_else(|| part.clone(), |(component, _)| component);
            merged.extend(part["properties"].as_object().into_iter().flatten().map(|(k, v)| (k.clone(), v.clone())));
        }
        let whole = serde_json::json!({ "type": "object", "properties": merged });
        return conforms(value, &whole, doc, at);
    }
    if let Some(any) = schema["oneOf"].as_array() {
        let tries: Vec<String> = any.iter().filter_map(|s| conforms(value, s, doc, at).err()).collect();
        return if tries.len() < any.len() { Ok(()) } else { Err(tries.join("; or ")) };
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    let kind = match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    };
    let typed = types.is_empty() || types.contains(&kind) || (kind == "integer" && types.contains(&"number"));
    if !typed {
        return Err(format!("{at}: a {kind}, documented as {types:?}"));
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value}, documented as one of {allowed:?}"));
        }
    }
    match value {
        Value::Object(o) => {
            if let Some(props) = schema["properties"].as_object() {
                let (mut got, mut documented): (Vec<&String>, Vec<&String>) =
                    (o.keys().collect(), props.keys().collect());
                got.sort();
                documented.sort();
                if got != documented {
                    return Err(format!("{at}: keys {got:?}, documented {documented:?}"));
                }
                for (k, v) in o {
                    conforms(v, &props[k], doc, &format!("{at}.{k}"))?;
                }
            } else if schema["additionalProperties"].is_object() {
                for (k, v) in o {
                    conforms(v, &schema["additionalProperties"], doc, &format!("{at}.{k}"))?;
                }
            }
        }
        Value::Array(items) if schema["items"].is_object() => {
            for (i, v) in items.iter().enumerate() {
                conforms(v, &schema["items"], doc, &format!("{at}[{i}]"))?;
            }
        }
        _ => {}
    }
    Ok(())
}

#[test]
fn bad_requests_are_json_errors_with_the_right_status() {
    let db = tmp("errors.db");
    let file = bridge_file("errors.jsonl");
    run_ok(&["check", "--keypoints", file.to_str().unwrap(), "--db", db.to_str().unwrap()]);
    let server = serve(&db);
    for (path, code) in [
        ("/api/sessions/999", 404),
        ("/api/sessions/abc", 400),
        ("/api/sessions?limit=0", 400),
        ("/api/sessions?limit=-5", 400),
        ("/api/sessions?limit=99999999999", 400),
        ("/api/sessions?from=yesterday", 400),
        ("/api/exercises/handstand", 404),
        ("/api/progress?exercise=handstand", 404),
        ("/api/nothing-here", 404),
    ] {
        match get(&format!("{}{path}", server.base)) {
            Err((c, body)) => {
                assert_eq!(c, code, "{path}");
                if path != "/api/nothing-here" {
                    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_else(|_| panic!("{path}: {body}"));
                    assert!(v["error"].is_string(), "{path}: {body}");
                }
            }
            Ok(r) => panic!("{path}: expected {code}, got {r:?}"),
        }
    }
    let ok = json(&format!("{}/api/sessions?from=2000-01-01&to=2999-01-01T00:00:00Z&limit=5", server.base));
    assert_eq!(ok.as_array().unwrap().len(), 1);
    let none = json(&format!("{}/api/sessions?to=2000-01-01", server.base));
    assert_eq!(none.as_array().unwrap().len(), 0);
}

#[test]
fn metrics_are_valid_prometheus_text() {
    let walk = Path::new(env!("CARGO_MANIFEST_DIR")).join("recordings/walk");
    let server = spawn_server(&[
        "replay",
        "--exercise",
        "bridge",
        "--voice=false",
        "--quiet",
        "--no-history",
        walk.to_str().unwrap(),
    ]);
    let base = server.base.clone();
    let deadline = Instant::now() + Duration::from_secs(60);
    let text = loop {
        if let Ok((_, ct, body)) = get(&format!("{base}/metrics")) {
            if body.contains("stretchcoach_frames_judged_total 60") {
                assert!(ct.starts_with("text/plain"), "{ct}");
                break body;
            }
        }
        assert!(Instant::now() < deadline, "the replay did not finish");
        std::thread::sleep(Duration::from_millis(100));
    };
    drop(server);
    // Every sample belongs to a metric declared with HELP and TYPE; names and values are well-formed.
    let mut declared = std::collections::HashMap::new();
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap();
            assert!(["counter", "gauge", "histogram", "summary"].contains(&kind), "{line}");
            declared.insert(name.to_string(), kind.to_string());
        } else if line.starts_with("# HELP ") {
        } else {
            let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("bad line {line:?}"));
            value.parse::<f64>().unwrap_or_else(|_| panic!("bad value in {line:?}"));
            let name = series.split('{').next().unwrap();
            assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'), "{line}");
            let base = ["_bucket", "_sum", "_count"].iter().fold(name, |n, s| n.strip_suffix(s).unwrap_or(n));
            assert!(declared.contains_key(name) || declared.contains_key(base), "undeclared {name}");
            if let Some(labels) = series.strip_prefix(name) {
                if !labels.is_empty() {
                    assert!(labels.starts_with('{') && labels.ends_with('}'), "{line}");
                }
            }
        }
    }
    assert_eq!(declared.get("stretchcoach_inference_seconds").map(String::as_str), Some("histogram"));
    assert!(text.contains("stretchcoach_inference_seconds_count 60"), "{text}");
    assert!(text.contains("stretchcoach_fault_prompts_total{exercise=\"bridge\",fault=\"not-lying\"} 1"), "{text}");
}

#[test]
fn a_routine_moves_from_one_stretch_to_the_next() {
    let dir = tmp("routine-defs");
    std::fs::create_dir_all(dir.join("routines")).unwrap();
    std::fs::write(
        dir.join("routines/short.toml"),
        "id = \"short\"\nname = \"Short\"\n[[steps]]\nexercise = \"bridge\"\nreps = 2\n[[steps]]\nexercise = \"childs-pose\"\nhold_seconds = 5\n",
    )
    .unwrap();
    // Two bridges, then child's pose, as one recording.
    let mut frames = synth::generate("bridge", None, 30.0, 2).unwrap();
    frames.truncate((2.0 * 7.5 * 30.0) as usize);
    let offset = frames.last().unwrap().0 + 1.0 / 30.0;
    frames.extend(synth::generate("childs-pose", None, 30.0, 3).unwrap().into_iter().map(|(t, p)| (t + offset, p)));
    let file = tmp("routine.jsonl");
    write_jsonl(&file, &frames);
    let out = run_ok(&[
        "check",
        "--json",
        "--routine",
        "short",
        "--exercises",
        dir.to_str().unwrap(),
        "--keypoints",
        file.to_str().unwrap(),
    ]);
    let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().any(|l| l["prompt"] == "Next: Child's pose, 5 seconds"), "no announcement");
    let summary = &lines.last().unwrap()["summary"];
    assert_eq!(summary["routine"]["step"], 3, "{summary}"); // past the last of 2 steps: complete
    let stretches = summary["stretches"].as_array().unwrap();
    assert_eq!(stretches.len(), 2);
    assert!(stretches.iter().all(|s| s["done"] == true), "{summary}");
    assert!(lines.iter().any(|l| l["prompt"].as_str().is_some_and(|p| p.starts_with("Short complete"))));
    // A routine naming an unknown stretch is refused with the file, line and field.
    std::fs::write(
        dir.join("routines/bad.toml"),
        "id = \"bad\"\nname = \"Bad\"\n[[steps]]\nexercise = \"cartwheel\"\n",
    )
    .unwrap();
    let listed = bin().args(["routines", "--exercises", dir.to_str().unwrap()]).output().unwrap();
    let err = String::from_utf8_lossy(&listed.stderr);
    assert!(err.contains("bad.toml:3: steps[0].exercise: unknown stretch \"cartwheel\""), "{err}");
}

/// Days and times are the user's: a session at 20:00 UTC is on the next morning in Tokyo, in the report's
/// rows, its chart's day and its `--from/--to` days; the API keeps UTC.
#[test]
fn days_and_times_are_local_to_the_user_and_utc_in_the_api() {
    use stretchcoach::history::store::{History, SharedSession, Store, StoredSession, StoredStretch};
    let db = tmp("local-days.db");
    let _ = std::fs::remove_file(&db);
    let stretch = StoredStretch {
        exercise: "bridge".into(),
        name: "Bridge".into(),
        frames: 300,
        reps: 4,
        rep_target: Some(10),
        held_seconds: 12.0,
        left_held: None,
        right_held: None,
        left_reps: None,
        right_reps: None,
        form_score: Some(90.0),
        done: false,
        faults: Default::default(),
        faulty_reps: Default::default(),
    };
    let session = StoredSession {
        id: 0,
        uid: "evening".into(),
        started_at: "2026-11-30T20:00:00Z".into(),
        updated_at: "2026-11-30T20:10:00Z".into(),
        ended_at: Some("2026-11-30T20:10:00Z".into()),
        source: "camera 0".into(),
        routine: None,
        frames: 300,
        duration_s: 600.0,
        stretches: vec![stretch],
    };
    Store::open(&db).unwrap().put(&SharedSession { session, timeline: vec![] }).unwrap();

    let report = |tz: &str, days: &[&str]| -> String {
        let out = tmp(&format!("report-{}.html", tz.replace('/', "-")));
        let status = bin()
            .env("TZ", tz)
            .args(["report", "--db", db.to_str().unwrap(), "-o", out.to_str().unwrap()])
            .args(days)
            .output()
            .unwrap();
        assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stderr));
        std::fs::read_to_string(out).unwrap()
    };
    let tokyo = report("Asia/Tokyo", &[]);
    assert!(tokyo.contains("2026-12-01 05:00") && tokyo.contains("Asia/Tokyo"), "{tokyo}");
    assert!(tokyo.contains("Dec 1") && !tokyo.contains("2026-11-30 20:00"));
    let utc = report("UTC", &[]);
    assert!(utc.contains("2026-11-30 20:00") && utc.contains("Nov 30"), "{utc}");
    // The local day picks the session, in either zone.
    assert!(report("Asia/Tokyo", &["--from", "2026-12-01", "--to", "2026-12-01"]).contains("1 session recorded"));
    assert!(report("UTC", &["--from", "2026-12-01", "--to", "2026-12-01"]).contains("0 sessions recorded"));
    assert!(report("UTC", &["--from", "2026-11-30", "--to", "2026-11-30"]).contains("1 session recorded"));

    // The API stays in UTC whatever the zone.
    let s = spawn_server_in("Asia/Tokyo", &db);
    let sessions = json(&format!("{}/api/sessions", s.base));
    assert_eq!(sessions[0]["started_at"], "2026-11-30T20:00:00Z");
}

fn spawn_server_in(tz: &str, db: &Path) -> Server {
    common::spawn_server_with(&["serve", "--db", db.to_str().unwrap()], &[("TZ", tz)])
}

/// Another program holds the history locked for four seconds while a session runs at a camera's pace: the
/// history is written on a thread of its own, so judging keeps up (on the judge's thread each save waited
/// out SQLite's 2 s busy timeout, and 59 of 270 frames were dropped in this test), and the session is saved
/// whole once the lock goes.
#[test]
fn a_locked_database_does_not_hold_up_judging() {
    let db = tmp("locked.db");
    let _ = std::fs::remove_file(&db);
    let motion = tmp("locked-motion.jsonl");
    let frames: Vec<_> =
        synth::generate("bridge", None, 30.0, 4).unwrap().into_iter().filter(|(t, _)| *t < 9.0).collect();
    write_jsonl(&motion, &frames);
    let child = bin()
        .args(["replay", "--realtime", "--exit", "--port", "0", "--db", db.to_str().unwrap()])
        .arg(&motion)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once the session's first rows are in, lock the file as another writer would.
    let deadline = Instant::now() + Duration::from_secs(60);
    let conn = loop {
        assert!(Instant::now() < deadline, "the session never reached the database");
        std::thread::sleep(Duration::from_millis(50));
        let Ok(c) = rusqlite::Connection::open(&db) else { continue };
        if c.query_row("SELECT count(*) FROM sessions", [], |r| r.get::<_, i64>(0)).unwrap_or(0) > 0 {
            break c;
        }
    };
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    std::thread::sleep(Duration::from_secs(4));
    conn.execute_batch("COMMIT").unwrap();
    drop(conn);
    let out = child.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{said}");
    // "N frames judged, D dropped, ...; ... p95 L ms; ..."
    let number_before = |word: &str| -> f64 {
        let i = said.find(word).unwrap_or_else(|| panic!("no {word:?} in {said}"));
        said[..i].split_whitespace().last().unwrap().parse().unwrap()
    };
    let (judged, dropped) = (number_before(" frames judged"), number_before(" dropped"));
    assert!(dropped < 30.0, "{dropped} frames dropped while the database was locked: {said}");
    assert!(judged > frames.len() as f64 - 30.0, "{said}");
    let p95: f64 = said.split("p95 ").nth(1).unwrap().split_whitespace().next().unwrap().parse().unwrap();
    assert!(p95 < 1000.0, "latency p95 {p95} ms: {said}");
    let saved = json_session(&db);
    assert!(saved["frames"].as_f64().unwrap() >= judged - 1.0 && saved["ended_at"].is_string(), "{saved}");
}

fn json_session(db: &Path) -> serde_json::Value {
    let out = run_ok(&["export", "--format", "json", "--db", db.to_str().unwrap()]);
    serde_json::from_str::<serde_json::Value>(&out).unwrap()[0].clone()
}
