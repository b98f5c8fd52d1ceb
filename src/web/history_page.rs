//! The pages over the stored history, drawn on the server: the history (progress charts per stretch and
//! the recent sessions) and one session's timeline. No camera box: these are what the page opens on when
//! nothing is live.

use askama::Template as _;

use crate::exercise::Exercise;
use crate::history::store::{History, StoreError, StoredSession};
use crate::history::timeline::{clock, StretchTimeline};
use crate::web::chart::{self, Span};
use crate::web::report::{sections, session_rows, Section, SessionRow};

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

/// The history page: progress per stretch and the recent sessions. `whose`: the person's name on a
/// clinic's page, else it is "Your history".
pub fn history(
    store: &dyn History,
    catalog: &[Exercise],
    at: Place,
    whose: Option<&str>,
) -> Result<String, StoreError> {
    let sessions = store.sessions(None, None, u32::MAX)?;
    let days = crate::history::store::per_day(&sessions, None);
    let recent = &sessions[..sessions.len().min(RECENT as usize)];
    let page = HistoryPage {
        title: whose.map_or("Your history".into(), |name| format!("{name}'s progress")),
        at,
        whose,
        heading: "h3",
        sections: sections(&sessions, &days, catalog),
        rows: session_rows(recent, catalog, Some(at)),
    };
    Ok(page.render().expect("the history page renders") + "\n")
}

/// `src/web/history.html`
#[derive(askama::Template)]
#[template(path = "history.html")]
struct HistoryPage<'a> {
    title: String,
    at: Place<'a>,
    whose: Option<&'a str>,
    /// The level of the stretches' headings.
    heading: &'static str,
    sections: Vec<Section>,
    rows: Vec<SessionRow>,
}

/// One session: per stretch, its key measure against the target band over time, and when each fault
/// happened.
pub fn session(s: &StoredSession, timeline: &[StretchTimeline], at: Place) -> String {
    let when =
        format!("{} ({})", crate::history::local_time::minute(&s.started_at), crate::history::local_time::zone_name());
    let stretches = s
        .stretches
        .iter()
        .map(|st| {
            let reps = if st.reps > 0 { format!("{} reps, ", st.reps) } else { String::new() };
            let form = st.form_score.map(|f| format!(", form score {f:.0}%")).unwrap_or_default();
            let tl = timeline.iter().find(|t| t.exercise == st.exercise);
            SessionStretch {
                id: st.exercise.clone(),
                name: st.name.clone(),
                figures: format!("{reps}{:.0} s held in good form{form}", st.held_seconds),
                chart: tl.and_then(|tl| key_measure_chart(&st.name, tl)),
                faults: tl.map(|tl| tl.episodes.iter().map(|e| e.text.clone()).collect()),
            }
        })
        .collect();
    let page = SessionPage {
        title: format!("Session of {when}"),
        at,
        length: clock(s.duration_s),
        unfinished: s.ended_at.is_none(),
        kept_timeline: !timeline.is_empty(),
        stretches,
    };
    page.render().expect("the session page renders") + "\n"
}

/// `src/web/session.html`
#[derive(askama::Template)]
#[template(path = "session.html")]
struct SessionPage<'a> {
    title: String,
    at: Place<'a>,
    length: String,
    unfinished: bool,
    kept_timeline: bool,
    stretches: Vec<SessionStretch>,
}

/// A stretch on the session page.
struct SessionStretch {
    id: String,
    name: String,
    /// "3 reps, 40 s held in good form, form score 80%".
    figures: String,
    /// The key measure over time (SVG, escaped as it is drawn).
    chart: Option<String>,
    /// The faults told, when a timeline was kept.
    faults: Option<Vec<String>>,
}

/// A stretch's key measure against its target band over the session, with its working periods and faults.
fn key_measure_chart(name: &str, tl: &StretchTimeline) -> Option<String> {
    let key = tl.key_measure.as_ref()?;
    let values: Vec<(f64, Option<f64>)> =
        tl.samples.iter().map(|x| (x.t, x.measures.get(&key.check).copied().flatten().map(f64::from))).collect();
    let faults: Vec<Span> = tl.episodes.iter().map(|e| Span { from: e.from, to: e.to, text: e.text.clone() }).collect();
    let check = key.check.replace('-', " ");
    Some(chart::measure_over_time(
        &format!("{name}: {check}"),
        &format!("{check} ({})", key.unit),
        &values,
        (key.range[0] as f64, key.range[1] as f64),
        &working_spans(tl),
        &faults,
    ))
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
