//! The pages over the stored history, drawn on the server: the history (progress charts per stretch and
//! the recent sessions) and one session's timeline. No camera box: these are what the page opens on when
//! nothing is live.

use std::fmt::Write as _;

use crate::chart::{self, esc, Span};
use crate::coach::SAFETY_NOTE;
use crate::exercise::Exercise;
use crate::report::{sessions_table, stretch_sections, CSS};
use crate::store::{History, StoreError, StoredSession};
use crate::timeline::{clock, StretchTimeline};

/// Sessions listed on the history page.
const RECENT: u32 = 20;

/// Where a history is served: by `serve` on the user's machine (beside a live view), or by a clinic
/// server under a patient's path.
#[derive(Clone, Copy)]
pub struct Place<'a> {
    /// The links' prefix: "" for `serve`, "/patients/7" in a clinic.
    pub base: &'a str,
    /// "" or "?token=..." (carried by every link).
    pub q: &'a str,
    /// A clinic's page: no live view; for the clinician, a link back to the patient list.
    pub clinic: bool,
    pub clinician: bool,
}

impl Place<'_> {
    /// The place of `serve`'s pages.
    pub fn local(q: &str) -> Place<'_> {
        Place { base: "", q, clinic: false, clinician: false }
    }

    fn history(&self) -> String {
        let path = if self.base.is_empty() { "/history" } else { self.base };
        format!("{path}{}", self.q)
    }

    /// The link to a session's page.
    pub fn session(&self, id: i64) -> String {
        format!("{}/sessions/{id}{}", self.base, self.q)
    }
}

/// The top of a page: header with the links, the safety note.
fn head(title: &str, at: Place) -> String {
    let (base, q) = (at.base, at.q);
    let other = if at.clinic {
        if at.clinician {
            format!(r#"<a id="to-patients" href="/{q}">All patients</a>"#)
        } else {
            String::new()
        }
    } else {
        format!(r#"<a id="to-live" href="/live{q}">Live view</a>"#)
    };
    format!(
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{t}</title><style>{CSS}</style></head><body>
<header><h1>stretchcoach</h1><span>{t}</span><nav><a id="to-history" href="{}">History</a>{other}<a id="to-report" href="{base}/report{q}">Report for a clinician</a></nav></header>
<p class="safety" id="safety">{}</p><div class="content">"#,
        at.history(),
        esc(SAFETY_NOTE),
        t = esc(title)
    )
}

/// While this page is open, a session that starts takes the browser to the live view.
fn follow_live(q: &str) -> String {
    format!(
        r#"<script>"use strict";
setInterval(async () => {{
  try {{ const s = await (await fetch("/api/status{q}")).json(); if (s.running) location.href = "/{q}"; }} catch (e) {{}}
}}, 2000);
</script>"#
    )
}

/// The history page: progress per stretch and the recent sessions. `whose`: the person's name on a
/// clinic's page, else it is "Your history".
pub fn history(
    store: &dyn History,
    catalog: &[Exercise],
    at: Place,
    whose: Option<&str>,
) -> Result<String, StoreError> {
    let sessions = store.sessions(None, None, u32::MAX)?;
    let days = crate::store::per_day(&sessions, None);
    let title = match whose {
        Some(name) => format!("{name}'s progress"),
        None => "Your history".into(),
    };
    let mut out = head(&title, at);
    out.push_str(r#"<main id="history">"#);
    match (sessions.is_empty(), whose) {
        (true, None) => out.push_str(
            "<p>No sessions yet. Start one with <code>stretchcoach live</code>; it is saved here as you go.</p>",
        ),
        (true, Some(_)) => out.push_str("<p>No sessions shared yet.</p>"),
        (false, _) => {
            let _ = write!(
                out,
                "<h2>{}</h2><p class=\"muted\">Hover over a bar or point for its value.</p>",
                if whose.is_some() { esc(&title) } else { "Your progress".into() }
            );
        }
    }
    out += &stretch_sections(&sessions, &days, catalog, "h3");
    let recent: Vec<StoredSession> = sessions.into_iter().take(RECENT as usize).collect();
    if !recent.is_empty() {
        out += &sessions_table(&recent, catalog, Some(at));
    }
    out.push_str("</main></div>");
    if !at.clinic {
        out += &follow_live(at.q);
    }
    out.push_str("</body></html>\n");
    Ok(out)
}

/// One session: per stretch, its key measure against the target band over time, and when each fault
/// happened.
pub fn session(s: &StoredSession, timeline: &[StretchTimeline], at: Place) -> String {
    let when = format!("{} ({})", crate::local_time::minute(&s.started_at), crate::local_time::zone_name());
    let mut out = head(&format!("Session of {when}"), at);
    let _ = write!(
        out,
        r#"<main id="session"><h2>Session of {}</h2><p class="muted">{} long{}.</p>"#,
        esc(&when),
        clock(s.duration_s),
        if s.ended_at.is_none() { ", unfinished (the program stopped before it ended)" } else { "" }
    );
    if timeline.is_empty() {
        out.push_str(
            "<p>No timeline was kept for this session (it was saved before timelines were, or without frames).</p>",
        );
    }
    for st in &s.stretches {
        let name = esc(&st.name);
        let reps = if st.reps > 0 { format!("{} reps, ", st.reps) } else { String::new() };
        let form = st.form_score.map(|f| format!(", form score {f:.0}%")).unwrap_or_default();
        let _ = write!(
            out,
            r#"<section class="stretch" id="stretch-{}"><h3>{name}</h3><p>{reps}{:.0} s held in good form{form}.</p>"#,
            esc(&st.exercise),
            st.held_seconds
        );
        if let Some(tl) = timeline.iter().find(|t| t.exercise == st.exercise) {
            if let Some(key) = &tl.key_measure {
                let values: Vec<(f64, Option<f64>)> = tl
                    .samples
                    .iter()
                    .map(|x| (x.t, x.measures.get(&key.check).copied().flatten().map(f64::from)))
                    .collect();
                let faults: Vec<Span> =
                    tl.episodes.iter().map(|e| Span { from: e.from, to: e.to, text: e.text.clone() }).collect();
                let label = format!("{} ({})", key.check.replace('-', " "), key.unit);
                let _ = write!(
                    out,
                    r#"<div class="charts">{}</div><p class="muted">Green: the target band. Grey: in the stretch. Red: a fault being told.</p>"#,
                    chart::measure_over_time(
                        &format!("{}: {}", st.name, key.check.replace('-', " ")),
                        &label,
                        &values,
                        (key.range[0] as f64, key.range[1] as f64),
                        &working_spans(tl),
                        &faults,
                    )
                );
            }
            if tl.episodes.is_empty() {
                out.push_str(r#"<p class="faults">No fault was told.</p>"#);
            } else {
                out.push_str(r#"<ul class="faults">"#);
                for e in &tl.episodes {
                    let _ = write!(out, "<li>{}</li>", esc(&e.text));
                }
                out.push_str("</ul>");
            }
        }
        out.push_str("</section>");
    }
    out.push_str("</main></div></body></html>\n");
    out
}

/// The periods in the working phase ("up"), for shading.
fn working_spans(tl: &StretchTimeline) -> Vec<Span> {
    let mut out = Vec::new();
    let mut start: Option<f64> = None;
    let span =
        |from: f64, to: f64| Span { from, to, text: format!("in the stretch, {}\u{2013}{}", clock(from), clock(to)) };
    for x in &tl.samples {
        match (x.phase.as_deref() == Some("up"), start) {
            (true, None) => start = Some(x.t),
            (false, Some(from)) => {
                out.push(span(from, x.t));
                start = None;
            }
            _ => {}
        }
    }
    if let (Some(from), Some(last)) = (start, tl.samples.last()) {
        out.push(span(from, last.t));
    }
    out
}
