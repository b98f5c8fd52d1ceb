//! The report for a clinician: one self-contained HTML page (styles inline, charts as inline SVG, no
//! script, nothing fetched), printable to PDF from the browser. It holds figures only: no frame, no photo,
//! not the source's file name (a path can carry a user name).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::chart::{self, esc, Style};
use crate::coach::SAFETY_NOTE;
use crate::exercise::definition::Kind;
use crate::exercise::Exercise;
use crate::history_page::Place;
use crate::local_time;
use crate::store::{DayFigures, History, StoreError, StoredSession};
use crate::timeline::fault_words;

/// Styles shared by the report, the history page and the session page (screen and print).
pub const CSS: &str = r#"
:root { font-family: system-ui, sans-serif; color: #111; background: #f6f6f4; }
body { margin: 0; }
header { display: flex; gap: 1rem; align-items: center; padding: .5rem 1rem; background: #1d3557; color: #fff; }
header h1 { font-size: 1.2rem; margin: 0; }
header nav { display: flex; gap: 1rem; margin-left: auto; }
header a { color: #fff; }
.safety { background: #fff3cd; border-bottom: 1px solid #e0c97a; padding: .5rem 1rem; margin: 0; }
.content { padding: 0 1rem 1rem; max-width: 70rem; }
h2 { font-size: 1.3rem; margin: 1.2rem 0 .4rem; }
h3 { font-size: 1.1rem; margin: 1rem 0 .3rem; }
.charts { display: flex; flex-wrap: wrap; gap: .5rem; }
.charts svg { flex: 0 1 calc(50% - .5rem); min-width: 20rem; max-width: 33rem; height: auto; border: 1px solid #ddd; border-radius: .3rem; }
table { border-collapse: collapse; font-size: .95rem; background: #fff; }
td, th { text-align: left; padding: .25rem .6rem; border-bottom: 1px solid #ddd; vertical-align: top; }
th { background: #eef1f5; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.muted { color: #555; }
.stretch { break-inside: avoid; page-break-inside: avoid; }
@media print {
  :root { background: #fff; }
  header { background: #fff; color: #111; border-bottom: 2px solid #1d3557; }
  header nav { display: none; }
  .charts svg { flex: 0 0 48%; }
}
"#;

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

/// The progress charts of one stretch: seconds held in good form, reps (rep stretches only) and form
/// score, one value per day.
pub fn progress_charts(name: &str, days: &[DayFigures], reps_kind: bool) -> String {
    let mut out = String::from(r#"<div class="charts">"#);
    out += &progress_chart(name, days, Metric::Held);
    if reps_kind {
        out += &progress_chart(name, days, Metric::Reps);
    }
    out += &progress_chart(name, days, Metric::Form);
    out.push_str("</div>");
    out
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

/// The figures table of one stretch (`reps_kind`: its count is of reps, else of holds).
pub fn totals_table(t: &StretchTotals, reps_kind: bool) -> String {
    let score = t.form_score.map(|f| format!("{f:.0}%")).unwrap_or_else(|| "\u{2013}".into());
    let listed = |f: &[(String, u32)]| match f {
        [] => "none".to_string(),
        f => f.iter().take(3).map(|(f, n)| format!("{} ({n}\u{00d7})", fault_words(f))).collect::<Vec<_>>().join(", "),
    };
    // Reps count only in good form; those spoilt by a fault are shown apart, by the fault.
    let (spoilt_head, spoilt) = match reps_kind {
        true => {
            let n: u32 = t.faulty_reps.iter().map(|(_, n)| n).sum();
            let why = if n == 0 { String::new() } else { format!(": {}", listed(&t.faulty_reps)) };
            ("<th>Reps that didn't count</th>", format!(r#"<td class="faulty">{n}{}</td>"#, esc(&why)))
        }
        false => ("", String::new()),
    };
    format!(
        r#"<table class="totals"><tr><th>Sessions</th><th>{}</th>{spoilt_head}<th>Held in good form</th><th>Form score (mean)</th><th>Most frequent faults</th></tr><tr><td class="n">{}</td><td class="n">{}</td>{spoilt}<td class="n">{:.0} s</td><td class="n">{score}</td><td>{}</td></tr></table>"#,
        if reps_kind { "Reps in good form" } else { "Holds" },
        t.sessions,
        t.reps,
        t.held_seconds,
        esc(&listed(&t.faults))
    )
}

/// Whether a stretch is done in reps (a stretch the catalog no longer has: if it has any).
pub fn counts_reps(exercise: &str, days: &[DayFigures], catalog: &[Exercise]) -> bool {
    match catalog.iter().find(|e| e.id == exercise) {
        Some(e) => e.kind == Kind::Reps,
        None => days.iter().any(|d| d.exercise == exercise && d.reps > 0),
    }
}

/// The report over sessions started from `from` up to and including `to` (local days, YYYY-MM-DD).
pub fn render(
    store: &dyn History,
    catalog: &[Exercise],
    from: Option<&str>,
    to: Option<&str>,
) -> Result<String, StoreError> {
    // The stores hold UTC: a local day runs from its local midnight to the next one.
    let start = from.map(|d| local_time::day_start_utc(d).unwrap_or_else(|| d.to_string()));
    let end = to
        .map(|d| local_time::next_day(d).and_then(|n| local_time::day_start_utc(&n)).unwrap_or_else(|| d.to_string()));
    let sessions = store.sessions(start.as_deref(), end.as_deref(), u32::MAX)?;
    let days = crate::store::per_day(&sessions, None);
    let period = match (from, to, sessions.last(), sessions.first()) {
        (_, _, None, _) | (_, _, _, None) => "no sessions in this period".to_string(),
        (f, t, Some(first), Some(last)) => {
            let (first, last) = (local_time::day(&first.started_at), local_time::day(&last.started_at));
            format!("{} to {}", f.unwrap_or(&first), t.unwrap_or(&last))
        }
    };
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Stretching report, {p}</title><style>{CSS}</style></head><body>
<header><h1>Stretching report</h1><span>{p}</span></header>
<p class="safety" id="safety">{}</p><div class="content">
<p class="muted">{} session{} recorded by stretchcoach {}, a camera coach that runs on the user's own computer. Figures are what it measured; days and times are {}. It keeps no frames or photos.</p>"#,
        esc(SAFETY_NOTE),
        sessions.len(),
        if sessions.len() == 1 { "" } else { "s" },
        env!("CARGO_PKG_VERSION"),
        esc(local_time::zone_name()),
        p = esc(&period),
    );
    out += &stretch_sections(&sessions, &days, catalog, "h2");
    out += &sessions_table(&sessions, catalog, None);
    out.push_str("</div></body></html>\n");
    Ok(out)
}

/// The sessions, newest first; with `link` (the token query, or ""), each links to its page.
/// A section per stretch: its totals and its progress charts, under a heading of level `h` ("h2", "h3").
pub fn stretch_sections(sessions: &[StoredSession], days: &[DayFigures], catalog: &[Exercise], h: &str) -> String {
    let mut out = String::new();
    for t in totals(sessions) {
        let mine: Vec<DayFigures> = days.iter().filter(|d| d.exercise == t.exercise).cloned().collect();
        let reps_kind = counts_reps(&t.exercise, days, catalog);
        let _ = write!(
            out,
            r#"<section class="stretch" id="stretch-{}"><{h}>{}</{h}>{}{}</section>"#,
            esc(&t.exercise),
            esc(&t.name),
            totals_table(&t, reps_kind),
            progress_charts(&t.name, &mine, reps_kind)
        );
    }
    out
}

pub fn sessions_table(sessions: &[StoredSession], catalog: &[Exercise], link: Option<Place>) -> String {
    let mut out = String::from(
        r#"<h2>Sessions</h2><table id="sessions"><tr><th>Started</th><th>Length</th><th>Stretches</th></tr>"#,
    );
    for s in sessions {
        let when = local_time::minute(&s.started_at);
        let when = match link {
            Some(at) => format!(r#"<a href="{}">{when}</a>"#, esc(&at.session(s.id))),
            None => when,
        };
        let what: Vec<String> = s
            .stretches
            .iter()
            .map(|t| {
                let hold = catalog.iter().any(|e| e.id == t.exercise && e.kind == Kind::Hold);
                let word = match (hold, t.reps) {
                    (true, 1) => "hold",
                    (true, _) => "holds",
                    (false, 1) => "rep",
                    (false, _) => "reps",
                };
                let reps = if t.reps > 0 { format!(", {} {word}", t.reps) } else { String::new() };
                let spoilt: u32 = t.faulty_reps.values().sum();
                let reps = match spoilt {
                    0 => reps,
                    n => format!("{reps} ({n} more didn't count)"),
                };
                let form = t.form_score.map(|f| format!(", form {f:.0}%")).unwrap_or_default();
                let faults: Vec<String> =
                    t.faults.iter().map(|(f, n)| format!("{} \u{00d7}{n}", fault_words(f))).collect();
                let faults = if faults.is_empty() { String::new() } else { format!("; {}", faults.join(", ")) };
                esc(&format!("{}: {:.0} s held{reps}{form}{faults}", t.name, t.held_seconds))
            })
            .collect();
        let _ = write!(
            out,
            "<tr><td>{when}</td><td class=\"n\">{}</td><td>{}</td></tr>",
            crate::timeline::clock(s.duration_s),
            if what.is_empty() { "\u{2013}".into() } else { what.join("<br>") }
        );
    }
    out.push_str("</table>");
    out
}
