//! One set of store tests, run against both stores: the SQLite file of one person and a clinic's
//! PostgreSQL database (a real throwaway cluster, one patient's part of it). What one answers, the other
//! must answer the same.

#[path = "common/pg.rs"]
mod pg;

use std::collections::BTreeMap;

use stretchcoach::history::store::{History, SharedSession, Store, StoredSession, StoredStretch};
use stretchcoach::history::timeline::Sample;
use stretchcoach::web::clinic::Clinic;

fn stretch(exercise: &str, reps: i64, held: f64, form: Option<f64>, faulty: &[(&str, u32)]) -> StoredStretch {
    StoredStretch {
        exercise: exercise.into(),
        name: exercise.replace('-', " "),
        frames: 300,
        reps,
        rep_target: (reps > 0).then_some(10),
        held_seconds: held,
        left_held: None,
        right_held: None,
        left_reps: None,
        right_reps: None,
        form_score: form,
        done: false,
        faults: BTreeMap::from([("hips-low".to_string(), 2)]),
        faulty_reps: faulty.iter().map(|(f, n)| (f.to_string(), *n)).collect(),
    }
}

fn shared(uid: &str, started: &str, updated: &str, stretches: Vec<StoredStretch>, samples: usize) -> SharedSession {
    let timeline = (0..samples)
        .map(|i| Sample {
            t: i as f64,
            exercise: stretches[0].exercise.clone(),
            phase: Some(if i % 4 < 2 { "up" } else { "down" }.into()),
            reps: i as u32 / 4,
            measures: BTreeMap::from([
                ("hips-high".to_string(), Some(0.25 + i as f32 / 100.0)),
                ("knees".into(), None),
            ]),
            faults: if i == 3 { vec!["hips-low".into()] } else { vec![] },
        })
        .collect();
    SharedSession {
        session: StoredSession {
            id: 0,
            uid: uid.into(),
            started_at: started.into(),
            updated_at: updated.into(),
            ended_at: Some(updated.into()),
            source: "camera 0".into(),
            routine: None,
            frames: 900,
            duration_s: 30.5,
            stretches,
        },
        timeline,
    }
}

/// The contract every store keeps. Sessions start near midday UTC, so that their local day (which the
/// per-day figures use) is the same date in any zone from UTC-11 to UTC+11.
fn contract(store: &mut dyn History) {
    let a = shared(
        "a1",
        "2026-11-30T12:00:00Z",
        "2026-11-30T12:10:00Z",
        vec![stretch("bridge", 5, 20.0, Some(80.0), &[("hips-low", 2)])],
        12,
    );
    let b = shared(
        "b2",
        "2026-12-01T13:30:00Z",
        "2026-12-01T13:40:00Z",
        vec![stretch("bridge", 3, 10.0, Some(60.0), &[]), stretch("childs-pose", 0, 45.5, None, &[])],
        5,
    );
    let c = shared(
        "c3",
        "2026-12-01T11:00:00Z",
        "2026-12-01T11:05:00Z",
        vec![stretch("bridge", 1, 4.0, Some(40.0), &[("hips-low", 1), ("back-arched", 1)])],
        0,
    );
    let ida = store.put(&a).unwrap();
    let idb = store.put(&b).unwrap();
    let idc = store.put(&c).unwrap();

    // Read back as written, newest first, with this store's ids.
    let all = store.sessions(None, None, 100).unwrap();
    assert_eq!(all.iter().map(|s| s.uid.as_str()).collect::<Vec<_>>(), ["b2", "c3", "a1"]);
    assert_eq!(all.iter().map(|s| s.id).collect::<Vec<_>>(), [idb, idc, ida]);
    let got = store.session(ida).unwrap().unwrap();
    assert_eq!(got, StoredSession { id: ida, ..a.session.clone() });
    assert_eq!(store.timeline(ida).unwrap(), a.timeline);
    assert_eq!(
        store.shared(idb).unwrap().unwrap(),
        SharedSession { session: StoredSession { id: idb, ..b.session.clone() }, timeline: b.timeline.clone() }
    );
    assert_eq!(store.session(idc + idb + ida + 1000).unwrap(), None);
    assert!(store.timeline(idc).unwrap().is_empty());

    // Periods: [from, to), dates or times.
    let dec: Vec<String> = store.sessions(Some("2026-12-01"), None, 100).unwrap().into_iter().map(|s| s.uid).collect();
    assert_eq!(dec, ["b2", "c3"]);
    let nov: Vec<String> = store.sessions(None, Some("2026-12-01"), 100).unwrap().into_iter().map(|s| s.uid).collect();
    assert_eq!(nov, ["a1"]);
    let morning = store.sessions(Some("2026-12-01T10:00:00Z"), Some("2026-12-01T12:00:00Z"), 100).unwrap();
    assert_eq!(morning.len(), 1);
    assert_eq!(store.sessions(None, None, 1).unwrap().len(), 1);

    // Figures per day and stretch: good reps summed, faulty ones summed over their faults.
    let days = store.progress(None).unwrap();
    let key: Vec<(String, String, i64, i64, i64)> =
        days.iter().map(|d| (d.day.clone(), d.exercise.clone(), d.sessions, d.reps, d.faulty_reps)).collect();
    assert_eq!(
        key,
        [
            ("2026-11-30".into(), "bridge".into(), 1, 5, 2),
            ("2026-12-01".into(), "bridge".into(), 2, 4, 2),
            ("2026-12-01".into(), "childs-pose".into(), 1, 0, 0),
        ]
    );
    let dec1 = &days[1];
    assert!((dec1.held_seconds - 14.0).abs() < 1e-9 && (dec1.form_score.unwrap() - 50.0).abs() < 1e-9);
    assert_eq!(days[2].form_score, None);
    assert_eq!(store.progress(Some("childs-pose")).unwrap().len(), 1);
    assert_eq!(store.progress_between(None, Some("2026-12-01"), Some("2026-12-02")).unwrap().len(), 2);

    // Stored twice is stored once; a newer copy replaces the old one whole (stretches and timeline).
    assert_eq!(store.put(&a).unwrap(), ida);
    let mut a2 = a.clone();
    a2.session.updated_at = "2026-11-30T12:20:00Z".into();
    a2.session.stretches = vec![stretch("knee-to-chest", 0, 30.0, Some(90.0), &[])];
    a2.timeline.truncate(3);
    assert_eq!(store.put(&a2).unwrap(), ida);
    assert_eq!(store.sessions(None, None, 100).unwrap().len(), 3);
    assert_eq!(store.session(ida).unwrap().unwrap().stretches, a2.session.stretches);
    assert_eq!(store.timeline(ida).unwrap(), a2.timeline);
    let held = store.held().unwrap();
    assert_eq!(
        held,
        BTreeMap::from([
            ("a1".to_string(), "2026-11-30T12:20:00Z".to_string()),
            ("b2".into(), "2026-12-01T13:40:00Z".into()),
            ("c3".into(), "2026-12-01T11:05:00Z".into()),
        ])
    );

    // What does not hold together is refused, and nothing of it is stored.
    let mut bad = shared("d4", "2026-12-02T07:00:00Z", "yesterday", vec![stretch("bridge", 1, 1.0, None, &[])], 2);
    assert!(store.put(&bad).is_err());
    bad.session.updated_at = "2026-12-02T07:01:00Z".into();
    bad.session.uid = "no spaces; please".into();
    assert!(store.put(&bad).is_err());
    assert_eq!(store.sessions(None, None, 100).unwrap().len(), 3);
}

#[test]
fn the_sqlite_store_keeps_the_contract() {
    let dir = std::env::temp_dir().join(format!("stretchcoach-stores-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("contract.db");
    let _ = std::fs::remove_file(&path);
    contract(&mut Store::open(&path).unwrap());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_postgres_store_keeps_the_contract_and_each_patient_sees_only_their_own() {
    let cluster = pg::Cluster::start();
    let url = cluster.create("contract");
    let clinic = Clinic::open(&url).unwrap();
    let (ann, _) = clinic.add_patient("Ann").unwrap();
    let (bob, _) = clinic.add_patient("Bob").unwrap();
    let mut ann_store = clinic.history(ann.id);
    contract(&mut ann_store);

    // Bob has none of Ann's sessions, not even by id, and the same uid is a session of his own.
    let mut bob_store = clinic.history(bob.id);
    let ann_ids: Vec<i64> = ann_store.sessions(None, None, 100).unwrap().iter().map(|s| s.id).collect();
    assert!(bob_store.sessions(None, None, 100).unwrap().is_empty());
    for id in &ann_ids {
        assert_eq!(bob_store.session(*id).unwrap(), None);
        assert!(bob_store.timeline(*id).unwrap().is_empty());
    }
    assert!(bob_store.progress(None).unwrap().is_empty() && bob_store.held().unwrap().is_empty());
    let same =
        shared("a1", "2025-06-03T08:00:00Z", "2025-06-03T08:10:00Z", vec![stretch("bridge", 2, 5.0, None, &[])], 1);
    let bob_a1 = bob_store.put(&same).unwrap();
    assert!(!ann_ids.contains(&bob_a1));
    assert_eq!(ann_store.session(ann_ids[2]).unwrap().unwrap().stretches[0].exercise, "knee-to-chest");

    // Adherence: days with a session in the last 7 and 28 days, counted from today.
    let today = cluster.query("contract", "SELECT to_char(now(), 'YYYY-MM-DD') || 'T12:00:00Z'")[0].get::<_, String>(0);
    let mut s = shared("today", &today, &today, vec![stretch("bridge", 1, 1.0, None, &[])], 0);
    bob_store.put(&s).unwrap();
    s.session.uid = "today-again".into();
    bob_store.put(&s).unwrap();
    let bob_now = clinic.patient(bob.id).unwrap().unwrap();
    assert_eq!(
        (bob_now.sessions, bob_now.days_last_7, bob_now.days_last_28, bob_now.last_session.as_deref()),
        (3, 1, 1, Some(today.as_str()))
    );
}
