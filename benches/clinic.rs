//! The clinic at scale: a generated clinic of 1,000 patients with a year of daily sessions each (365,000
//! sessions with their timelines) in a throwaway PostgreSQL cluster, served by the real clinic router over
//! loopback HTTP. Times sharing one session, the patient list, one patient's progress page and report; then
//! the size on disk per patient-year.
//!
//! Run: `make bench-clinic` (about 15 minutes on 2 cores, most of it generating). CLINIC_PATIENTS and
//! CLINIC_DAYS make a smaller clinic for a quick look; CLINIC_PAUSE=1 waits for Enter before timing, with
//! the database's URL and the server's address printed, to look inside.

#[path = "../tests/common/pg.rs"]
mod pg;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use criterion::Criterion;

use stretchcoach::history::store::{SharedSession, StoredSession, StoredStretch};
use stretchcoach::history::timeline::Sample;
use stretchcoach::web::clinic::Clinic;

const CLINICIAN: &str = "bench-clinician-token-0123456789";

fn env_or(name: &str, default: i64) -> i64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A day's home programme: the eight stretches of the routine, about six minutes.
fn stretches() -> Vec<StoredStretch> {
    let catalog = stretchcoach::exercise::built_in();
    catalog
        .iter()
        .enumerate()
        .map(|(i, e)| StoredStretch {
            exercise: e.id.clone(),
            name: e.name.clone(),
            frames: 1350,
            reps: if e.kind == stretchcoach::exercise::definition::Kind::Reps { 8 } else { 0 },
            rep_target: e.rep_target.map(i64::from),
            held_seconds: 35.0 + i as f64,
            left_held: None,
            right_held: None,
            left_reps: None,
            right_reps: None,
            form_score: Some(70.0 + i as f64),
            done: true,
            faults: BTreeMap::from([("hips-low".to_string(), 1)]),
            faulty_reps: BTreeMap::from([("hips-low".to_string(), 1)]),
        })
        .collect()
}

/// A six-minute timeline: one sample a second, each with what its stretch's checks measured, varying as
/// a real one does (so that the database's compression gets no easier a job than with real sessions).
fn timeline(stretches: &[StoredStretch]) -> Vec<Sample> {
    let catalog = stretchcoach::exercise::built_in();
    (0..360)
        .map(|t| {
            let s = &stretches[t * stretches.len() / 360];
            let checks = &catalog.iter().find(|e| e.id == s.exercise).unwrap().checks;
            let measures = checks
                .iter()
                .enumerate()
                .map(|(k, c)| (c.id.clone(), Some((((t * 7 + k * 13) % 97) as f32 * 1.37).round() / 10.0)))
                .collect();
            Sample {
                t: t as f64 + (t % 3) as f64 * 0.25,
                exercise: s.exercise.clone(),
                phase: (s.reps > 0).then(|| if t % 6 < 3 { "up" } else { "down" }.to_string()),
                reps: (t % 60) as u32 / 6,
                measures,
                faults: if t % 45 == 0 { vec!["hips-low".into()] } else { vec![] },
            }
        })
        .collect()
}

fn main() {
    let (patients, days) = (env_or("CLINIC_PATIENTS", 1000), env_or("CLINIC_DAYS", 365));
    let cluster = pg::Cluster::start();
    let url = cluster.create("clinic");
    let clinic = Clinic::open(&url).unwrap();

    // The clinic: patients, then every day's session of every patient, generated inside the database.
    let t0 = Instant::now();
    let mut tokens = Vec::new();
    for p in 0..patients {
        tokens.push(clinic.add_patient(&format!("Patient {p:04}")).unwrap().1);
    }
    let st = stretches();
    let stretches_json = serde_json::to_string(&st).unwrap();
    let timeline_json = serde_json::to_string(&timeline(&st)).unwrap();
    let mut db = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let batch = 50;
    for first in (0..patients).step_by(batch as usize) {
        db.execute(
            "INSERT INTO sessions (patient_id, uid, started_at, updated_at, ended_at, source, routine, frames,
             duration_s, stretches, timeline)
             SELECT p.id, md5(p.id || '-' || d), ts, ts + interval '6 minutes', ts + interval '6 minutes',
             'camera 0', 'gentle-back', 10800, 360, $1::text::jsonb, $2::text::jsonb
             FROM patients p CROSS JOIN generate_series(0, $3::int - 1) d
             CROSS JOIN LATERAL (SELECT date_trunc('day', now()) - make_interval(days => d)
                 + make_interval(mins => ((p.id * 37 + d * 11) % 720 + 360)::int) AS ts) t
             WHERE p.id > $4 AND p.id <= $5",
            &[&stretches_json, &timeline_json, &(days as i32), &first, &(first + batch)],
        )
        .unwrap();
        eprint!("\rgenerating: {} of {patients} patients", (first + batch).min(patients));
    }
    db.batch_execute("VACUUM ANALYZE").unwrap();
    let generated = t0.elapsed().as_secs_f64();
    let sessions: i64 = db.query_one("SELECT count(*) FROM sessions", &[]).unwrap().get(0);
    eprintln!("\rgenerated {patients} patients, {sessions} sessions in {generated:.0} s");

    // The real router on loopback.
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app =
        stretchcoach::web::clinic::server::router(clinic, stretchcoach::exercise::built_in(), Some(CLINICIAN.into()));
    runtime.spawn(stretchcoach::web::server::serve(listener, app, std::future::pending()));

    if std::env::var_os("CLINIC_PAUSE").is_some() {
        // For looking inside: the database and the server stay up until Enter.
        eprintln!("database {url}\nserver {base} (token {CLINICIAN}); press Enter to go on");
        let _ = std::io::stdin().read_line(&mut String::new());
    }
    let agent = ureq::AgentBuilder::new().build();
    let get = |path: &str| {
        let r =
            agent.get(&format!("{base}{path}")).set("Authorization", &format!("Bearer {CLINICIAN}")).call().unwrap();
        r.into_string().unwrap().len()
    };
    let middle = patients / 2 + 1;
    let mut c = Criterion::default().configure_from_args().sample_size(30);
    let one = SharedSession {
        session: StoredSession {
            id: 0,
            uid: String::new(),
            started_at: "2026-12-01T08:00:00Z".into(),
            updated_at: "2026-12-01T08:06:00Z".into(),
            ended_at: Some("2026-12-01T08:06:00Z".into()),
            source: "camera 0".into(),
            routine: Some("gentle-back".into()),
            frames: 10800,
            duration_s: 360.0,
            stretches: st.clone(),
        },
        timeline: timeline(&st),
    };
    let n = AtomicU64::new(0);
    // Shared into the first patient's history, so that the one whose pages are timed keeps exactly a year.
    let (sharer, token) = (1, &tokens[0]);
    c.bench_function("share one session (PUT, 6-minute timeline)", |b| {
        b.iter(|| {
            let mut s = one.clone();
            s.session.uid = format!("bench-{}", n.fetch_add(1, Ordering::Relaxed));
            agent
                .put(&format!("{base}/api/patients/{sharer}/shared/{}", s.session.uid))
                .set("Authorization", &format!("Bearer {token}"))
                .send_json(&s)
                .unwrap();
        })
    });
    c.bench_function("patient list (GET /api/patients)", |b| b.iter(|| get("/api/patients")));
    c.bench_function("patient list page (GET /)", |b| b.iter(|| get("/")));
    c.bench_function("one patient's sessions (GET /api/patients/{id}/sessions)", |b| {
        b.iter(|| get(&format!("/api/patients/{middle}/sessions")))
    });
    c.bench_function("one patient's progress page (a year)", |b| b.iter(|| get(&format!("/patients/{middle}"))));
    c.bench_function("one patient's report (a year)", |b| b.iter(|| get(&format!("/patients/{middle}/report"))));
    c.final_summary();

    let mut size = |sql: &str| db.query_one(sql, &[]).unwrap().get::<_, i64>(0);
    let total = size("SELECT pg_total_relation_size('sessions')");
    let toast = size("SELECT pg_total_relation_size(reltoastrelid) FROM pg_class WHERE relname = 'sessions'");
    let years = patients as f64 * days as f64 / 365.0;
    println!(
        "size: sessions table with indexes {:.1} MB ({:.0} kB per patient-year; timelines out of line {:.0} kB of it); \
         whole database {:.1} MB; {:.1} kB per session; one session's timeline as JSON {} kB",
        total as f64 / 1e6,
        total as f64 / 1e3 / years,
        toast as f64 / 1e3 / years,
        size("SELECT pg_database_size(current_database())") as f64 / 1e6,
        total as f64 / 1e3 / sessions as f64,
        timeline_json.len() / 1000
    );
}
