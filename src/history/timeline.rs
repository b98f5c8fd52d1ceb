//! A session's timeline: what the judge saw, per stretch, about once a second and at every change of
//! phase, rep or active faults. Kept so that a session can be looked back on ("hips low in rep 3,
//! 0:42-0:45") without keeping a single frame. One row is about 100 bytes; at most one a second plus one
//! per change (never closer than [`MIN_GAP`]), so an hour of coaching adds a few hundred kilobytes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::coaching::session::FrameReport;
use crate::exercise::definition::{Category, Check, Kind};
use crate::exercise::judge::PhaseState;
use crate::exercise::Exercise;
use crate::history::store::StoredSession;

/// Seconds between samples when nothing changes.
pub const EVERY: f64 = 1.0;
/// A change is sampled at once, but never closer than this to the previous sample (a fault flickering
/// on and off on a noisy frame must not fill the database).
pub const MIN_GAP: f64 = 0.25;
/// Samples kept in memory while the database cannot be written (ten minutes' worth, then the oldest go).
const MAX_PENDING: usize = 600;

/// One moment of one stretch.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct Sample {
    /// Seconds since the session's first frame.
    pub t: f64,
    pub exercise: String,
    /// "up", "down", or null (a hold).
    pub phase: Option<String>,
    /// Reps begun so far, counted or not (a rep with a fault told in it does not count, but it is a rep
    /// the timeline names).
    pub reps: u32,
    /// What each check measured (null: not seen).
    pub measures: BTreeMap<String, Option<f32>>,
    /// The faults active (persisted long enough to be told).
    pub faults: Vec<String>,
}

/// Turns the stream of frame reports into samples.
#[derive(Debug, Default)]
pub struct Sampler {
    first_t: Option<f64>,
    pending: Vec<Sample>,
    last: Option<Sample>,
}

impl Sampler {
    pub fn frame(&mut self, r: &FrameReport) {
        let first = *self.first_t.get_or_insert(r.t);
        let Some(exercise) = &r.exercise else { return };
        let t = ((r.t - first) * 100.0).round() / 100.0;
        let phase = r.phase.map(|p| match p {
            PhaseState::Up => "up".to_string(),
            PhaseState::Down => "down".to_string(),
        });
        let reps = r.reps + r.faulty_reps;
        let due = match &self.last {
            None => true,
            Some(l) => {
                let changed = l.phase != phase || l.faults != r.faults || l.exercise != *exercise || l.reps != reps;
                t - l.t >= EVERY || (changed && t - l.t >= MIN_GAP)
            }
        };
        if !due {
            return;
        }
        let s = Sample {
            t,
            exercise: exercise.clone(),
            phase,
            reps,
            measures: r.measures.clone(),
            faults: r.faults.clone(),
        };
        if self.pending.len() >= MAX_PENDING {
            self.pending.remove(0);
        }
        self.pending.push(s.clone());
        self.last = Some(s);
    }

    pub fn pending(&self) -> &[Sample] {
        &self.pending
    }

    pub fn clear(&mut self) {
        self.pending.clear();
    }
}

/// The measure a stretch's timeline is drawn with: its most important form check, and the band it wants.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct KeyMeasure {
    pub check: String,
    pub unit: &'static str,
    pub range: [f32; 2],
}

pub fn key_measure(ex: &Exercise) -> Option<KeyMeasure> {
    let form = ex.checks.iter().filter(|c| c.category == Category::Form);
    // min_by_key keeps the first of equals: the definition's order breaks ties.
    let c: &Check = form.min_by_key(|c| c.priority)?;
    Some(KeyMeasure { check: c.id.clone(), unit: c.measure.unit().name(), range: c.range })
}

/// One stretch of a fault: when it began and ended, and in which rep.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct Episode {
    pub fault: String,
    /// 1-based rep being worked (rep stretches only).
    pub rep: Option<u32>,
    pub from: f64,
    pub to: f64,
    /// For people: "hips low in rep 3, 0:42-0:45".
    pub text: String,
}

/// Seconds as m:ss.
pub fn clock(t: f64) -> String {
    let s = t.max(0.0).round() as u64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// The episodes of every fault in one stretch's samples (in time order). A fault still active at the
/// last sample ends there.
pub fn episodes(samples: &[&Sample], reps_kind: bool) -> Vec<Episode> {
    let mut open: BTreeMap<&str, (f64, u32)> = BTreeMap::new();
    let mut out = Vec::new();
    let close = |fault: &str, (from, rep): (f64, u32), to: f64, out: &mut Vec<Episode>| {
        let rep = reps_kind.then_some(rep);
        let in_rep = rep.map(|r| format!(" in rep {r}")).unwrap_or_default();
        let text =
            format!("{}{in_rep}, {}\u{2013}{}", crate::coaching::coach::fault_words(fault), clock(from), clock(to));
        out.push(Episode { fault: fault.to_string(), rep, from, to, text });
    };
    for s in samples {
        let ended: Vec<&str> = open.keys().copied().filter(|f| !s.faults.iter().any(|g| g == f)).collect();
        for f in ended {
            let start = open.remove(f).expect("open");
            close(f, start, s.t, &mut out);
        }
        // Reps are counted on the way up: in the up phase the rep is `reps`, below it the next one.
        let rep = if s.phase.as_deref() == Some("up") { s.reps.max(1) } else { s.reps + 1 };
        for f in &s.faults {
            open.entry(f.as_str()).or_insert((s.t, rep));
        }
    }
    if let Some(last) = samples.last() {
        for (f, start) in open {
            close(f, start, last.t, &mut out);
        }
    }
    out.sort_by(|a, b| a.from.total_cmp(&b.from));
    out
}

/// One stretch's part of a session's timeline.
#[derive(Debug, Clone, Serialize, PartialEq, utoipa::ToSchema)]
pub struct StretchTimeline {
    pub exercise: String,
    #[schema(value_type = Option<Object>)]
    pub key_measure: Option<KeyMeasure>,
    pub episodes: Vec<Episode>,
    pub samples: Vec<Sample>,
}

/// Splits a session's samples by stretch (in the order first met), with each one's key measure and
/// fault episodes. Stretches the catalog no longer has keep their samples and episodes.
pub fn by_stretch(samples: &[Sample], catalog: &[Exercise]) -> Vec<StretchTimeline> {
    let mut order: Vec<&str> = Vec::new();
    for s in samples {
        if !order.contains(&s.exercise.as_str()) {
            order.push(&s.exercise);
        }
    }
    order
        .into_iter()
        .map(|id| {
            let mine: Vec<&Sample> = samples.iter().filter(|s| s.exercise == id).collect();
            let ex = catalog.iter().find(|e| e.id == id);
            let reps_kind = ex.is_some_and(|e| e.kind == Kind::Reps);
            StretchTimeline {
                exercise: id.to_string(),
                key_measure: ex.and_then(key_measure),
                episodes: episodes(&mine, reps_kind),
                samples: mine.into_iter().cloned().collect(),
            }
        })
        .collect()
}

/// `GET /api/sessions/{id}`: the stored session and its timeline.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct SessionDetail {
    #[serde(flatten)]
    pub session: StoredSession,
    pub timeline: Vec<StretchTimeline>,
}
