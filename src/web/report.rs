//! The report for a clinician: one self-contained HTML page (styles inline, charts as inline SVG, no
//! script, nothing fetched), printable to PDF from the browser. It holds figures only: no frame, no photo,
//! not the source's file name (a path can carry a user name).

use askama::Template as _;
use std::collections::BTreeMap;

use crate::coaching::coach::fault_words;
use crate::coaching::session::figures_line;
use crate::exercise::definition::Kind;
use crate::exercise::Exercise;
use crate::history::local_time;
use crate::history::store::{DayFigures, History, StoreError, StoredSession};
use crate::web::chart::{self, Style};
use crate::web::history_page::Place;

/// One stretch over a period: what the table of the report shows.
#[derive(Debug, Clone, PartialEq)]
pub struct StretchTotals {
    pub exercise: String,
    pub name: String,
    pub sessions: u32,
    pub reps: i64,
    pub held_seconds: f64,
    /// Mean form score of the sessions that have one.
    pub form_score: Option<f64>,
    /// Fault id and times prompted, most frequent first.
    pub faults: Vec<(String, u32)>,
    /// Reps that did not count, by fault, most frequent first.
    pub faulty_reps: Vec<(String, u32)>,
}

/// Totals per stretch, in the order of the stretch first done (oldest session first).
pub fn totals(sessions: &[StoredSession]) -> Vec<StretchTotals> {
    let mut out: Vec<StretchTotals> = Vec::new();
    let mut scores: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut faults: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    let mut faulty: BTreeMap<String, BTreeMap<String, u32>> = BTreeMap::new();
    for s in sessions.iter().rev() {
        for t in &s.stretches {
            let i = match out.iter().position(|o| o.exercise == t.exercise) {
                Some(i) => i,
                None => {
                    out.push(StretchTotals {
                        exercise: t.exercise.clone(),
                        name: t.name.clone(),
                        sessions: 0,
                        reps: 0,
                        held_seconds: 0.0,
                        form_score: None,
                        faults: Vec::new(),
                        faulty_reps: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            let o = &mut out[i];
            o.sessions += 1;
            o.reps += t.reps;
            o.held_seconds += t.held_seconds;
            scores.entry(t.exercise.clone()).or_default().extend(t.form_score);
            for (f, n) in &t.faults {
                *faults.entry(t.exercise.clone()).or_default().entry(f.clone()).or_default() += n;
            }
            for (f, n) in &t.faulty_reps {
                *faulty.entry(t.exercise.clone()).or_default().entry(f.clone()).or_default() += n;
            }
        }
    }
    for o in &mut out {
        let s = scores.remove(&o.exercise).unwrap_or_default();
        o.form_score = (!s.is_empty()).then(|| s.iter().sum::<f64>() / s.len() as f64);
        let most_first = |m: Option<BTreeMap<String, u32>>| {
            let mut f: Vec<(String, u32)> = m.unwrap_or_default().into_iter().collect();
            f.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            f
        };
        o.faults = most_first(faults.remove(&o.exercise));
        o.faulty_reps = most_first(faulty.remove(&o.exercise));
    }
    out
}

/// The progress charts of one stretch (SVG): seconds held in good form, reps (rep stretches only) and
/// form score, one value per day.
pub fn progress_charts(name: &str, days: &[DayFigures], reps_kind: bool) -> Vec<String> {
    let metrics = [Metric::Held, Metric::Reps, Metric::Form];
    metrics.into_iter().filter(|m| reps_kind || *m != Metric::Reps).map(|m| progress_chart(name, days, m)).collect()
}

/// What a progress chart shows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Metric {
    /// Seconds held in good form.
    Held,
    Reps,
    /// Form score, 0-100 %.
    Form,
}

impl std::str::FromStr for Metric {
    type Err = ();
    fn from_str(s: &str) -> Result<Metric, ()> {
        match s {
            "held" => Ok(Metric::Held),
            "reps" => Ok(Metric::Reps),
            "form" => Ok(Metric::Form),
            _ => Err(()),
        }
    }
}

/// One progress chart of one stretch (its days' figures), a bar or point per day with its value on hover.
pub fn progress_chart(name: &str, days: &[DayFigures], metric: Metric) -> String {
    let mine = |f: &dyn Fn(&DayFigures) -> Option<(f64, String)>| -> Vec<(String, f64, String)> {
        days.iter().filter_map(|d| f(d).map(|(v, t)| (d.day.clone(), v, format!("{}: {t}", d.day)))).collect()
    };
    let sessions = |d: &DayFigures| format!("{} session{}", d.sessions, if d.sessions == 1 { "" } else { "s" });
    match metric {
        Metric::Held => {
            let pts = mine(&|d| {
                Some((d.held_seconds, format!("{:.0} s held in good form ({})", d.held_seconds, sessions(d))))
            });
            chart::days(&format!("{name}: seconds held in good form"), "seconds per day", &pts, Style::Bars, None)
        }
        Metric::Reps => {
            let pts = mine(&|d| {
                let spoilt = match d.faulty_reps {
                    0 => String::new(),
                    n => format!(", {n} more that didn't count"),
                };
                Some((d.reps as f64, format!("{} reps in good form{spoilt} ({})", d.reps, sessions(d))))
            });
            chart::days(&format!("{name}: reps in good form"), "reps per day", &pts, Style::Bars, None)
        }
        Metric::Form => {
            let pts = mine(&|d| d.form_score.map(|f| (f, format!("form score {f:.0}%"))));
            chart::days(&format!("{name}: form score"), "form score (%)", &pts, Style::Line, Some(100.0))
        }
    }
}

/// Whether a stretch is done in reps (a stretch the catalog no longer has: if it has any).
pub fn counts_reps(exercise: &str, days: &[DayFigures], catalog: &[Exercise]) -> bool {
    match catalog.iter().find(|e| e.id == exercise) {
        Some(e) => e.kind == Kind::Reps,
        None => days.iter().any(|d| d.exercise == exercise && d.reps > 0),
    }
}

/// The report over sessions started from `from` up to and including `to` (local days, YYYY-MM-DD);
/// `whose`: the person's name, on a clinic's report.
pub fn render(
    store: &dyn History,
    catalog: &[Exercise],
    from: Option<&str>,
    to: Option<&str>,
    whose: Option<&str>,
) -> Result<String, StoreError> {
    // The stores hold UTC: a local day runs from its local midnight to the next one.
    let start = from.map(|d| local_time::day_start_utc(d).unwrap_or_else(|| d.to_string()));
    let end = to
        .map(|d| local_time::next_day(d).and_then(|n| local_time::day_start_utc(&n)).unwrap_or_else(|| d.to_string()));
    let sessions = store.sessions(start.as_deref(), end.as_deref(), u32::MAX)?;
    let days = crate::history::store::per_day(&sessions, None);
    let period = match (from, to, sessions.last(), sessions.first()) {
        (_, _, None, _) | (_, _, _, None) => "no sessions in this period".to_string(),
        (f, t, Some(first), Some(last)) => {
            let (first, last) = (local_time::day(&first.started_at), local_time::day(&last.started_at));
            format!("{} to {}", f.unwrap_or(&first), t.unwrap_or(&last))
        }
    };
    let page = ReportPage {
        title: whose.map_or("Stretching report".into(), |name| format!("Stretching report: {name}")),
        period,
        count: sessions.len(),
        version: env!("CARGO_PKG_VERSION"),
        zone: local_time::zone_name(),
        heading: "h2",
        sections: sections(&sessions, &days, catalog),
        rows: session_rows(&sessions, catalog, None),
    };
    Ok(page.render().expect("the report renders") + "\n")
}

/// The report's page (`src/web/report.html`).
#[derive(askama::Template)]
#[template(path = "report.html")]
struct ReportPage {
    title: String,
    period: String,
    count: usize,
    version: &'static str,
    zone: &'static str,
    /// The level of the stretches' headings.
    heading: &'static str,
    sections: Vec<Section>,
    rows: Vec<SessionRow>,
}

/// A stretch's part of the history page and the report (`src/web/sections.html`): its figures and its
/// progress charts.
pub struct Section {
    pub id: String,
    pub name: String,
    /// Its count is of reps, else of holds.
    pub reps_kind: bool,
    pub sessions: u32,
    pub reps: i64,
    /// Reps that did not count and why ("3: hips low (3\u{00d7})"); rep stretches only.
    pub spoilt: Option<String>,
    pub held: String,
    pub score: String,
    pub faults: String,
    /// SVG, each escaped by [`chart`] as it is drawn.
    pub charts: Vec<String>,
}

/// A section per stretch, in the order the stretches were first done.
pub fn sections(sessions: &[StoredSession], days: &[DayFigures], catalog: &[Exercise]) -> Vec<Section> {
    let listed = |f: &[(String, u32)]| match f {
        [] => "none".to_string(),
        f => f.iter().take(3).map(|(f, n)| format!("{} ({n}\u{00d7})", fault_words(f))).collect::<Vec<_>>().join(", "),
    };
    totals(sessions)
        .into_iter()
        .map(|t| {
            let mine: Vec<DayFigures> = days.iter().filter(|d| d.exercise == t.exercise).cloned().collect();
            let reps_kind = counts_reps(&t.exercise, days, catalog);
            // Reps count only in good form; those spoilt by a fault are shown apart, by the fault.
            let spoilt = reps_kind.then(|| match t.faulty_reps.iter().map(|(_, n)| n).sum::<u32>() {
                0 => "0".to_string(),
                n => format!("{n}: {}", listed(&t.faulty_reps)),
            });
            Section {
                charts: progress_charts(&t.name, &mine, reps_kind),
                reps_kind,
                sessions: t.sessions,
                reps: t.reps,
                spoilt,
                held: format!("{:.0} s", t.held_seconds),
                score: t.form_score.map(|f| format!("{f:.0}%")).unwrap_or_else(|| "\u{2013}".into()),
                faults: listed(&t.faults),
                id: t.exercise,
                name: t.name,
            }
        })
        .collect()
}

/// One row of the sessions table (`src/web/sessions.html`).
pub struct SessionRow {
    /// The session's page, on the history page; none in the report.
    pub href: Option<String>,
    pub when: String,
    pub length: String,
    /// A line per stretch.
    pub stretches: Vec<String>,
}

/// The sessions, newest first; with `link` (where the history is served), each links to its page.
pub fn session_rows(sessions: &[StoredSession], catalog: &[Exercise], link: Option<Place>) -> Vec<SessionRow> {
    sessions
        .iter()
        .map(|s| SessionRow {
            href: link.map(|at| at.session(s.id)),
            when: local_time::minute(&s.started_at),
            length: crate::history::timeline::clock(s.duration_s),
            stretches: s.stretches.iter().map(|t| stretch_line(t, catalog)).collect(),
        })
        .collect()
}

/// "Bridge: 40 s held in good form, 3 reps (1 more didn't count: hips low), form 80%; told hips low \u{00d7}2".
fn stretch_line(t: &crate::history::store::StoredStretch, catalog: &[Exercise]) -> String {
    let hold = catalog.iter().any(|e| e.id == t.exercise && e.kind == Kind::Hold);
    let reps = u32::try_from(t.reps).unwrap_or(0);
    figures_line(&t.name, hold, t.held_seconds, reps, &t.faulty_reps, t.form_score, &t.faults)
}
