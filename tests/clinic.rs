//! The clinic server end to end: the real binary serving a real PostgreSQL cluster (started here, in a
//! temporary folder, and stopped after), patients added and revoked from the command line, and `share` and
//! `--share` sending sessions recorded by `replay` into a real SQLite file.

mod common;
#[path = "common/pg.rs"]
mod pg;

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};

use common::bin;

const CLINICIAN: &str = "clinician-test-token-0123456789";

/// A running `stretchcoach clinic`; killed when dropped.
struct ClinicProcess {
    child: Child,
    base: String,
}

impl ClinicProcess {
    fn start(url: &str, port: u16) -> ClinicProcess {
        let mut cmd = bin();
        cmd.env("STRETCHCOACH_CLINIC_TOKEN", CLINICIAN).stdout(Stdio::null());
        ClinicProcess::start_with(cmd, url, port)
    }

    /// `cmd` (the program, with its environment and stdout set) serving the clinic at `url`.
    fn start_with(mut cmd: std::process::Command, url: &str, port: u16) -> ClinicProcess {
        let mut child =
            cmd.args(["clinic", "--db", url, "--port", &port.to_string()]).stderr(Stdio::piped()).spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let base = loop {
            let line = lines.next().expect("the clinic ended before serving").unwrap();
            if let Some(rest) = line.strip_prefix("Clinic at ") {
                break rest.split("/?").next().unwrap().to_string();
            }
        };
        std::thread::spawn(move || lines.for_each(drop)); // keep its stderr drained
        ClinicProcess { child, base }
    }

    fn port(&self) -> u16 {
        self.base.rsplit(':').next().unwrap().parse().unwrap()
    }

    fn kill(&mut self) {
        let _ = self.child.kill(); // SIGKILL: no chance to tidy up
        let _ = self.child.wait();
    }
}

impl Drop for ClinicProcess {
    fn drop(&mut self) {
        self.kill();
    }
}

fn add_patient(url: &str, name: &str) -> String {
    let out = bin().args(["clinic", "add-patient", name, "--db", url]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().last().unwrap().split_whitespace().last().unwrap().to_string()
}

/// Records a session into `db` by replaying generated bridge motion.
fn record_session(db: &Path, dir: &Path, seed: u32, extra: &[&str]) -> std::process::Output {
    let motion = dir.join(format!("bridge-{seed}.jsonl"));
    let out = bin().args(["synth", "bridge", "--seed", &seed.to_string()]).output().unwrap();
    std::fs::write(&motion, out.stdout).unwrap();
    let out = bin()
        .args(["replay", "--exit", "--quiet", "--port", "0", "--db"])
        .arg(db)
        .arg(&motion)
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    out
}

fn share(base: &str, token: &str, db: &Path) -> std::process::Output {
    bin().args(["share", base, "--token", token, "--db"]).arg(db).output().unwrap()
}

fn shared_line(out: &std::process::Output) -> String {
    assert!(out.status.success(), "share failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// (status, body) of a GET with an optional bearer token.
fn get(url: &str, token: Option<&str>) -> (u16, String) {
    let mut req = ureq::get(url);
    if let Some(t) = token {
        req = req.set("Authorization", &format!("Bearer {t}"));
    }
    match req.call() {
        Ok(r) => (r.status(), r.into_string().unwrap()),
        Err(ureq::Error::Status(code, r)) => (code, r.into_string().unwrap()),
        Err(e) => panic!("{url}: {e}"),
    }
}

fn json(url: &str, token: &str) -> serde_json::Value {
    let (status, body) = get(url, Some(token));
    assert_eq!(status, 200, "{url}: {body}");
    serde_json::from_str(&body).unwrap()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("stretchcoach-clinic-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A throwaway clinic database, a folder for the test named `name`, and a patient's token.
fn clinic_with(name: &str, patient: &str) -> (pg::Cluster, String, PathBuf, String) {
    let cluster = pg::Cluster::start();
    let url = cluster.create("clinic");
    let token = add_patient(&url, patient);
    (cluster, url, temp_dir(name), token)
}

fn count_sessions(cluster: &pg::Cluster, db: &str) -> i64 {
    cluster.query(db, "SELECT count(*) FROM sessions")[0].get(0)
}

#[test]
fn patients_share_their_sessions_and_each_token_reaches_only_what_it_may() {
    let (cluster, url, dir, ann) = clinic_with("scopes", "Ann Smith");
    let bob = add_patient(&url, "Bob");
    let again = bin().args(["clinic", "add-patient", "Ann Smith", "--db", &url]).output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("already a patient"));
    let clinic = ClinicProcess::start(&url, 0);
    let base = clinic.base.clone();

    let ann_db = dir.join("ann.db");
    record_session(&ann_db, &dir, 1, &[]);
    record_session(&ann_db, &dir, 2, &[]);
    assert_eq!(shared_line(&share(&base, &ann, &ann_db)), format!("Shared 2 sessions with {base}; 0 it already had."));
    // Sharing again stores nothing twice.
    assert_eq!(shared_line(&share(&base, &ann, &ann_db)), format!("Shared 0 sessions with {base}; 2 it already had."));
    assert_eq!(count_sessions(&cluster, "clinic"), 2);

    // The clinician sees every patient, with adherence.
    let patients = json(&format!("{base}/api/patients"), CLINICIAN);
    let ann_row = patients.as_array().unwrap().iter().find(|p| p["name"] == "Ann Smith").unwrap().clone();
    let bob_row = patients.as_array().unwrap().iter().find(|p| p["name"] == "Bob").unwrap().clone();
    assert_eq!(
        (ann_row["sessions"].as_i64(), ann_row["days_last_7"].as_i64(), ann_row["days_last_28"].as_i64()),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(bob_row["sessions"], 0);
    let (ann_id, bob_id) = (ann_row["id"].as_i64().unwrap(), bob_row["id"].as_i64().unwrap());

    // What the clinic holds is what was recorded: the same summaries, the timeline with them.
    let local: serde_json::Value = {
        let out = bin().args(["export", "--format", "json", "--db"]).arg(&ann_db).output().unwrap();
        serde_json::from_slice(&out.stdout).unwrap()
    };
    let theirs = json(&format!("{base}/api/patients/{ann_id}/sessions"), &ann);
    assert_eq!(theirs.as_array().unwrap().len(), 2);
    for (mine, held) in local.as_array().unwrap().iter().zip(theirs.as_array().unwrap()) {
        assert_eq!(
            (&mine["uid"], &mine["started_at"], &mine["stretches"]),
            (&held["uid"], &held["started_at"], &held["stretches"])
        );
        assert!(mine["stretches"][0]["reps"].as_i64().unwrap() > 0);
    }
    let sid = theirs[0]["id"].as_i64().unwrap();
    let detail = json(&format!("{base}/api/patients/{ann_id}/sessions/{sid}"), CLINICIAN);
    assert!(!detail["timeline"][0]["samples"].as_array().unwrap().is_empty(), "{detail}");

    // Scopes: no token or a wrong one is 401; another patient's data is 403; the list is the clinician's.
    let ann_sessions = format!("{base}/api/patients/{ann_id}/sessions");
    assert_eq!(get(&ann_sessions, None).0, 401);
    assert_eq!(get(&ann_sessions, Some("0123456789abcdef.000000000000000000000000000000000000000000000000")).0, 401);
    assert_eq!(get(&ann_sessions, Some(&bob)).0, 403);
    assert_eq!(get(&format!("{base}/api/patients/{ann_id}/sessions/{sid}"), Some(&bob)).0, 403);
    assert_eq!(get(&format!("{base}/patients/{ann_id}/report"), Some(&bob)).0, 403);
    assert_eq!(get(&format!("{base}/api/patients"), Some(&ann)).0, 403);
    assert_eq!(get(&format!("{base}/"), Some(&ann)).0, 403);
    assert_eq!(get(&format!("{base}/api/patients/{bob_id}/sessions"), Some(&bob)).0, 200);
    assert_eq!(get(&format!("{base}/healthz"), None), (200, "ok".into()));
    let body = serde_json::to_string(&json(&format!("{base}/api/patients/{ann_id}/sessions/{sid}"), &ann)).unwrap();
    let put = ureq::put(&format!("{base}/api/patients/{ann_id}/shared/x"))
        .set("Authorization", &format!("Bearer {bob}"))
        .send_string(&body);
    assert!(matches!(put, Err(ureq::Error::Status(403, _))), "{put:?}");

    // The pages: the list, the patient's progress, a session, the report, with names and figures.
    let (status, list) = get(&format!("{base}/?token={CLINICIAN}"), None);
    assert_eq!(status, 200);
    assert!(list.contains("Ann Smith") && list.contains(&format!("/patients/{ann_id}?token=")), "{list}");
    let (status, progress) = get(&format!("{base}/patients/{ann_id}"), Some(&ann));
    assert!(
        status == 200 && progress.contains("Ann Smith&#39;s progress") && progress.contains("Bridge"),
        "{progress}"
    );
    assert!(progress.contains(&format!("/patients/{ann_id}/sessions/{sid}")));
    assert!(!progress.contains("to-patients"), "a patient is not sent to the list they may not see");
    let (status, page) = get(&format!("{base}/patients/{ann_id}/sessions/{sid}"), Some(CLINICIAN));
    assert!(status == 200 && page.contains("<svg") && page.contains("to-patients"), "{page}");
    let (status, report) = get(&format!("{base}/patients/{ann_id}/report"), Some(CLINICIAN));
    assert!(
        status == 200 && report.contains("Stretching report: Ann Smith") && report.contains("2 sessions"),
        "{report}"
    );
    let doc = json(&format!("{base}/api/openapi.json"), CLINICIAN);
    assert!(doc["paths"]["/api/patients/{id}/shared/{uid}"]["put"].is_object());

    // The clinician's token cannot share (it is no one's history); a revoked token reaches nothing.
    let out = share(&base, CLINICIAN, &ann_db);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("clinician's token"));
    let out = bin().args(["clinic", "revoke", "Ann Smith", "--db", &url]).output().unwrap();
    assert!(out.status.success() && String::from_utf8_lossy(&out.stdout).contains("2 sessions are kept"));
    assert_eq!(get(&ann_sessions, Some(&ann)).0, 401);
    let out = share(&base, &ann, &ann_db);
    assert!(!out.status.success() && String::from_utf8_lossy(&out.stderr).contains("refused the token"));
    assert_eq!(json(&ann_sessions, CLINICIAN).as_array().unwrap().len(), 2);
    // The tokens are stored only as salted hashes.
    let stored: Vec<String> = cluster
        .query("clinic", "SELECT id || encode(salt, 'hex') || encode(hash, 'hex') FROM tokens")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(stored.iter().all(|s| !s.contains(ann.split('.').nth(1).unwrap())));
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn nothing_is_lost_when_the_clinic_is_away_killed_mid_share_or_its_database_restarts() {
    let (cluster, url, dir, token) = clinic_with("faults", "Cara");
    let db = dir.join("cara.db");
    record_session(&db, &dir, 1, &[]);

    // The clinic is not there: a clear failure, non-zero, and the session stays to be sent later.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let away = share(&format!("http://127.0.0.1:{port}"), &token, &db);
    assert!(!away.status.success());
    let said = String::from_utf8_lossy(&away.stderr);
    assert!(said.contains("could not reach the clinic") && said.contains("Nothing is lost"), "{said}");
    // `--share` at the end of a replay says so once, and the session is still saved.
    let out = record_session(&db, &dir, 2, &["--share", &format!("http://127.0.0.1:{port}"), "--share-token", &token]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert_eq!(said.matches("not shared with the clinic").count(), 1, "{said}");

    // Killed half way through receiving a session: nothing of it is stored.
    let mut clinic = ClinicProcess::start(&url, port);
    let patient = json(&format!("{}/api/me", clinic.base), &token)["patient"].as_i64().unwrap();
    let session = serde_json::to_string(&serde_json::json!({
        "session": {"id": 0, "uid": "half", "started_at": "2026-12-01T08:00:00Z", "updated_at": "2026-12-01T08:00:00Z",
            "ended_at": null, "source": "camera 0", "routine": null, "frames": 1, "duration_s": 1.0, "stretches": []},
        "timeline": []
    }))
    .unwrap();
    let mut tcp = std::net::TcpStream::connect(("127.0.0.1", clinic.port())).unwrap();
    write!(
        tcp,
        "PUT /api/patients/{patient}/shared/half HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        session.len(),
        &session[..session.len() / 2]
    )
    .unwrap();
    tcp.flush().unwrap();
    std::thread::sleep(std::time::Duration::from_millis(300));
    clinic.kill();
    drop(tcp);
    assert_eq!(count_sessions(&cluster, "clinic"), 0);

    // Back again: the next share sends everything that is missing, whole.
    let clinic = ClinicProcess::start(&url, port);
    assert_eq!(
        shared_line(&share(&clinic.base, &token, &db)),
        format!("Shared 2 sessions with {}; 0 it already had.", clinic.base)
    );
    assert_eq!(count_sessions(&cluster, "clinic"), 2);

    // PostgreSQL restarted under the running clinic: it reconnects, and the next share succeeds.
    cluster.restart();
    let out = record_session(&db, &dir, 3, &["--share", &clinic.base, "--share-token", &token]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!said.contains("not shared"), "{said}");
    assert_eq!(count_sessions(&cluster, "clinic"), 3);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn without_a_token_in_the_environment_the_clinician_gets_one_printed_once() {
    let cluster = pg::Cluster::start();
    let url = cluster.create("clinic");
    let start = || {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut cmd = bin();
        cmd.env_remove("STRETCHCOACH_CLINIC_TOKEN").stdout(Stdio::piped());
        ClinicProcess::start_with(cmd, &url, port)
    };
    let mut first = start();
    first.kill();
    let printed = {
        let mut out = String::new();
        std::io::Read::read_to_string(first.child.stdout.as_mut().unwrap(), &mut out).unwrap();
        out
    };
    let token = printed.lines().last().expect("a token printed").trim().to_string();
    assert!(printed.contains("shown only this once") && token.contains('.'), "{printed}");

    let mut second = start();
    assert_eq!(json(&format!("{}/api/me", second.base), &token), serde_json::json!("clinician"));
    assert_eq!(get(&format!("{}/api/patients", second.base), Some("not-the-token")).0, 401);
    second.kill();
    let mut again = String::new();
    std::io::Read::read_to_string(second.child.stdout.as_mut().unwrap(), &mut again).unwrap();
    assert!(again.trim().is_empty(), "printed again: {again}");
    let stored: Vec<String> = cluster
        .query("clinic", "SELECT encode(hash, 'hex') FROM tokens WHERE patient_id IS NULL")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(stored.len(), 1);
    assert!(!stored[0].contains(token.split('.').nth(1).unwrap()));
}
