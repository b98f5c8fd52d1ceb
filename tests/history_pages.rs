//! History worth looking at (issue 16): a session's timeline, the progress charts and the clinician's
//! report, on real SQLite files made by real replays (and, for a month, by the library), served by the real
//! binary on loopback and opened in real headless Chromium. Screenshots go to target/test-artifacts.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use common::{bin, bridge_replay, dump_dom, replay_into, run_ok, screenshot, spawn_server, write_jsonl, Server};
use stretchcoach::body::synth;
use stretchcoach::coaching::session::{Plan, Session};
use stretchcoach::history::store::Store;
use stretchcoach::history::timeline::Sampler;

fn tmp(name: &str) -> PathBuf {
    common::scratch_file("pages", name)
}

/// GET: (status, content type, body), errors included.
fn get(url: &str) -> (u16, String, String) {
    match ureq::get(url).call() {
        Ok(r) => (r.status(), r.content_type().to_string(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.content_type().to_string(), r.into_string().unwrap_or_default()),
        Err(e) => panic!("{url}: {e}"),
    }
}

fn json(url: &str) -> serde_json::Value {
    let (code, _, body) = get(url);
    assert_eq!(code, 200, "{url}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn count(hay: &str, needle: &str) -> usize {
    hay.matches(needle).count()
}

#[test]
fn timelines_charts_and_the_report_from_real_replays() {
    let db = tmp("replays.db");
    let good = tmp("good.jsonl");
    write_jsonl(&good, &synth::generate("bridge", None, 30.0, 4).unwrap());
    let faulty = tmp("hips-low.jsonl");
    write_jsonl(&faulty, &synth::generate("bridge", Some("hips-low"), 30.0, 1).unwrap());
    replay_into(&db, &good);
    replay_into(&db, &faulty);
    let server = spawn_server(&["serve", "--db", db.to_str().unwrap()]);
    let base = &server.base;
    let sessions = json(&format!("{base}/api/sessions"));
    let (faulty_id, good_id) = (sessions[0]["id"].as_i64().unwrap(), sessions[1]["id"].as_i64().unwrap());

    // The timeline: about a sample a second, the key measure and its band, and each hips-low period by rep.
    let detail = json(&format!("{base}/api/sessions/{faulty_id}"));
    assert_eq!(detail["stretches"], sessions[0]["stretches"], "the session's own figures are unchanged");
    let tl = &detail["timeline"][0];
    assert_eq!(tl["exercise"], "bridge");
    assert_eq!(tl["key_measure"]["check"], "hip-line");
    assert_eq!(tl["key_measure"]["range"], serde_json::json!([160.0, 195.0]));
    let samples = tl["samples"].as_array().unwrap();
    let duration = detail["duration_s"].as_f64().unwrap();
    let ts: Vec<f64> = samples.iter().map(|s| s["t"].as_f64().unwrap()).collect();
    assert!(ts.windows(2).all(|w| w[1] - w[0] >= 0.25 - 1e-9), "samples closer than the minimum gap: {ts:?}");
    assert!(
        ts.len() as f64 >= duration - 2.0 && ts.len() as f64 <= duration * 3.0,
        "{} samples in {duration} s",
        ts.len()
    );
    let episodes = tl["episodes"].as_array().unwrap();
    let texts: Vec<&str> = episodes.iter().map(|e| e["text"].as_str().unwrap()).collect();
    assert_eq!(episodes.len(), 3, "{texts:?}");
    for (i, e) in episodes.iter().enumerate() {
        assert_eq!(e["fault"], "hips-low");
        assert_eq!(e["rep"], i as u64 + 1, "{texts:?}");
        assert!(texts[i].starts_with(&format!("hips low in rep {}, 0:", i + 1)), "{texts:?}");
        // While the fault was told, the hips really were low: the measure below its band.
        let (from, to) = (e["from"].as_f64().unwrap(), e["to"].as_f64().unwrap());
        let inside: Vec<f64> = samples
            .iter()
            .filter(|s| (from..to).contains(&s["t"].as_f64().unwrap()))
            .filter_map(|s| s["measures"]["hip-line"].as_f64())
            .collect();
        assert!(!inside.is_empty() && inside.iter().all(|v| *v < 160.0), "{inside:?}");
    }
    let good_detail = json(&format!("{base}/api/sessions/{good_id}"));
    assert!(good_detail["timeline"][0]["episodes"].as_array().unwrap().iter().all(|e| e["fault"] != "hips-low"));

    // The session page: the chart of the measure against its band, a red period per fault, the list.
    let (code, ctype, page) = get(&format!("{base}/sessions/{faulty_id}"));
    assert_eq!((code, ctype.as_str()), (200, "text/html"));
    assert_eq!(count(&page, "class=\"fault\""), 3, "{page}");
    assert_eq!(count(&page, "class=\"band\""), 1);
    for t in &texts {
        assert!(page.contains(&format!("<li>{t}</li>")), "{t} not listed");
    }
    assert_eq!(get(&format!("{base}/sessions/999")).0, 404);

    // A progress chart as SVG: labelled axes with units, a hover value per day.
    let (code, ctype, svg) = get(&format!("{base}/api/progress/chart.svg?exercise=bridge"));
    assert_eq!((code, ctype.as_str()), (200, "image/svg+xml"));
    assert!(svg.contains(">date</text>") && svg.contains(">seconds per day</text>"), "{svg}");
    assert_eq!(count(&svg, "class=\"point\""), 1, "one day, one bar: {svg}");
    let today = &sessions[0]["started_at"].as_str().unwrap()[..10];
    assert!(svg.contains(&format!("<title>{today}: ")), "{svg}");
    let form = get(&format!("{base}/api/progress/chart.svg?exercise=bridge&metric=form")).2;
    assert!(form.contains(">form score (%)</text>") && form.contains(">100</text>"), "{form}");
    for (q, code) in [("?exercise=bridge&metric=speed", 400), ("", 400), ("?exercise=handstand", 404)] {
        assert_eq!(get(&format!("{base}/api/progress/chart.svg{q}")).0, code, "{q}");
    }

    // The report, served and written by the command, is the same page: figures, charts, the safety note,
    // and nothing of the user's files.
    let (code, _, served) = get(&format!("{base}/report"));
    assert_eq!(code, 200);
    let out = tmp("report.html");
    run_ok(&["report", "--db", db.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, served);
    assert!(written.contains(stretchcoach::coaching::coach::SAFETY_NOTE));
    assert!(written.contains("<td class=\"n\">2</td>"), "two bridge sessions in the table");
    assert!(written.contains("hips low (3\u{00d7})"), "most frequent fault");
    // Reps count only in good form: the good session's 3, and the faulty session's 3 kept apart by fault.
    assert!(written.contains("<th>Reps in good form</th>") && written.contains("<td class=\"n\">3</td>"), "{written}");
    assert!(written.contains("<td class=\"faulty\">3: hips low (3\u{00d7})</td>"), "{written}");
    assert_eq!(sessions[0]["stretches"][0]["faulty_reps"]["hips-low"], 3, "{}", sessions[0]);
    assert_eq!(sessions[0]["stretches"][0]["reps"], 0, "{}", sessions[0]);
    assert!(count(&written, "<svg") >= 3);
    assert!(!written.contains(".jsonl") && !written.contains(&*std::env::temp_dir().to_string_lossy()));
    assert!(!written.contains("<script") && !written.contains("src=") && !written.contains("<img"));
    let empty = tmp("empty-report.html");
    run_ok(&[
        "report",
        "--db",
        db.to_str().unwrap(),
        "--from",
        "2000-01-01",
        "--to",
        "2000-01-31",
        "-o",
        empty.to_str().unwrap(),
    ]);
    assert!(std::fs::read_to_string(&empty).unwrap().contains("0 sessions"));
    let bad = bin().args(["report", "--db", db.to_str().unwrap(), "--from", "last week"]).output().unwrap();
    assert!(!bad.status.success() && String::from_utf8_lossy(&bad.stderr).contains("YYYY-MM-DD"));
    assert_eq!(get(&format!("{base}/report?from=yesterday")).0, 400);

    // In the browser: `serve` opens on the history (no camera box), with labelled axes; the session's
    // timeline and the report render.
    let dom = dump_dom(&format!("{base}/"));
    assert!(dom.contains("id=\"history\""), "{dom}");
    assert!(!dom.contains("id=\"stage\"") && !dom.contains("<canvas"), "a camera box in history mode");
    assert!(count(&dom, "class=\"axis-label x-label\"") >= 3 && count(&dom, "class=\"axis-label y-label\"") >= 3);
    assert!(dom.contains("stop if you feel any pain"));
    screenshot(&format!("{base}/"), "history-one-day.png", "1100,1300");
    screenshot(&format!("{base}/sessions/{faulty_id}"), "session-timeline.png", "1100,800");
    let url = format!("file://{}", out.display());
    let report_dom = dump_dom(&url);
    assert!(report_dom.contains("Stretching report") && report_dom.contains("hips low (3"), "{report_dom}");
    screenshot(&url, "report-one-day.png", "1000,1400");
}

#[test]
fn the_page_is_live_during_a_session_and_opens_on_the_history_after() {
    let db = tmp("live.db");
    let file = tmp("live.jsonl");
    let mut frames = synth::generate("bridge", None, 30.0, 4).unwrap();
    frames.truncate(12 * 30); // 12 s in real time: long enough to look at the page while it runs
    write_jsonl(&file, &frames);
    let mut args = bridge_replay(&file);
    args.extend(["--db".into(), db.to_str().unwrap().into()]);
    let server: Server = spawn_server(&args.iter().map(String::as_str).collect::<Vec<_>>());
    let base = &server.base;
    let running = || json(&format!("{base}/api/status"))["running"] == true;
    let deadline = Instant::now() + Duration::from_secs(10);
    while !running() {
        assert!(Instant::now() < deadline, "the replay did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    // Live: the camera view first, the history a click away.
    let dom = dump_dom(&format!("{base}/"));
    assert!(running(), "the replay ended before the page was looked at");
    assert!(dom.contains("id=\"stage\""), "no camera view while live");
    assert!(dom.contains("id=\"toHistory\" href=\"/history\" style=\"display: inline"), "no visible history link");
    screenshot(&format!("{base}/"), "live-with-history-link.png", "1100,800");
    let deadline = Instant::now() + Duration::from_secs(30);
    while running() {
        assert!(Instant::now() < deadline, "the replay did not finish");
        std::thread::sleep(Duration::from_millis(100));
    }
    // Ended: the page opens on the history, with this session in it; the live view is still at /live.
    let dom = dump_dom(&format!("{base}/"));
    assert!(dom.contains("id=\"history\"") && !dom.contains("id=\"stage\""), "{dom}");
    assert!(dom.contains("Bridge: seconds held in good form"));
    assert!(get(&format!("{base}/live")).2.contains("id=\"stage\""));
}

/// Thirty days of sessions, written through the library as the recorder would (real sessions judged on
/// generated motion, dated back): the month's charts and report, and what the timeline costs in bytes.
#[test]
fn a_generated_month_of_sessions() {
    let db = tmp("month.db");
    let mut store = Store::open(&db).unwrap();
    let catalog = stretchcoach::exercise::built_in();
    let bridge = catalog.iter().find(|e| e.id == "bridge").unwrap().clone();
    let childs = catalog.iter().find(|e| e.id == "childs-pose").unwrap().clone();
    let secs = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs();
    let today = (secs / 86_400) as i64;
    let mut seconds = 0.0;
    let mut days = 0;
    for back in (0..30).rev() {
        if back % 7 == 3 {
            continue; // a day off each week
        }
        days += 1;
        // Getting better: hips low early in the month, good form later.
        let fault = if back > 18 { Some("hips-low") } else { None };
        let mut plan = vec![(bridge.clone(), synth::generate("bridge", fault, 15.0, back).unwrap())];
        if back % 2 == 0 {
            plan.push((childs.clone(), synth::generate("childs-pose", None, 15.0, back).unwrap()));
        }
        let started = format!("{}T07:{:02}:00Z", stretchcoach::web::chart::date_of(today - back as i64), back);
        let id = store.begin_at("generated", None, &started).unwrap();
        let mut session = Session::new(plan[0].0.clone());
        let mut sampler = Sampler::default();
        let mut offset = 0.0;
        for (i, (ex, frames)) in plan.iter().enumerate() {
            if i > 0 {
                session.switch(Plan::One(Box::new(ex.clone())));
            }
            for (t, pose) in frames {
                sampler.frame(&session.step(Some(pose), offset + t));
            }
            offset += frames.last().unwrap().0 + 1.0;
        }
        let summary = session.summary();
        seconds += summary.duration_s;
        store.save_with_timeline(id, &summary, true, sampler.pending()).unwrap();
    }
    drop(store);

    // What the timeline costs: the file with it, less the file without it, per hour of coaching.
    let size = |p: &Path| {
        let c = rusqlite::Connection::open(p).unwrap();
        c.execute_batch("VACUUM; PRAGMA wal_checkpoint(TRUNCATE);").unwrap();
        std::fs::metadata(p).unwrap().len() as f64
    };
    let with = size(&db);
    let copy = tmp("month-without-timeline.db");
    std::fs::copy(&db, &copy).unwrap();
    rusqlite::Connection::open(&copy).unwrap().execute("DELETE FROM timeline", []).unwrap();
    let per_hour = (with - size(&copy)) / seconds * 3600.0;
    eprintln!("timeline: {:.0} kB per hour of coaching ({seconds:.0} s in {days} sessions)", per_hour / 1e3);
    assert!(per_hour > 50e3 && per_hour < 1e6, "{per_hour} bytes per hour");

    let server = spawn_server(&["serve", "--db", db.to_str().unwrap()]);
    let base = &server.base;
    let held = get(&format!("{base}/api/progress/chart.svg?exercise=bridge")).2;
    assert_eq!(count(&held, "class=\"point\""), days, "a bar per day with a session");
    assert!(count(&held, "class=\"tick\"") <= 8 + 6, "crowded date labels: {held}");
    let form = get(&format!("{base}/api/progress/chart.svg?exercise=bridge&metric=form")).2;
    assert!(form.contains("<path d=\"M"), "no form line");
    let report = get(&format!("{base}/report")).2;
    assert!(report.contains(&format!("<td class=\"n\">{days}</td>")), "bridge sessions in the table");
    assert!(report.contains("Child&#x27;s pose") || report.contains("Child's pose"));
    screenshot(&format!("{base}/"), "history-month.png", "1100,1500");
    screenshot(&format!("{base}/report"), "report-month.png", "1000,1800");
}
