//! The session history: listing it (history), exporting it (export), serving it without a camera (serve),
//! and saving sessions to it.

use std::path::Path;

use anyhow::{bail, Context, Result};

use stretchcoach::coaching::session::Summary;
use stretchcoach::history::recorder::Recorder;
use stretchcoach::history::store::{History, Store};

use super::common::{start_server, Ctx};
use super::{out, ExportFormat, Global, ServeArgs};

pub(super) fn cmd_history(g: &Global, limit: u32) -> Result<()> {
    let store = history_store(g)?;
    let sessions = store.sessions(None, None, limit.clamp(1, 1000))?;
    if sessions.is_empty() {
        outln!("No sessions in {} yet.", store.path().display());
    }
    for s in sessions {
        let state = if s.ended_at.is_some() { "" } else { " (unfinished)" };
        outln!("#{} {} {:>5.0} s  {}{}", s.id, s.started_at, s.duration_s, s.source, state);
        for t in &s.stretches {
            let score = t.form_score.map(|f| format!("form {f:.0}%")).unwrap_or_else(|| "form -".into());
            let faults: Vec<String> = t.faults.iter().map(|(f, n)| format!("{f} x{n}")).collect();
            outln!(
                "    {:<26} reps {:>3}  held {:>5.1} s  {score}{}{}",
                t.name,
                t.reps,
                t.held_seconds,
                if t.done { "  done" } else { "" },
                if faults.is_empty() { String::new() } else { format!("  faults: {}", faults.join(", ")) }
            );
        }
    }
    Ok(())
}

pub(super) fn cmd_export(
    g: &Global,
    format: ExportFormat,
    output: Option<&Path>,
    from: Option<&str>,
    to: Option<&str>,
) -> Result<()> {
    let store = history_store(g)?;
    let sessions = store.sessions(from, to, 1_000_000)?;
    let text = match format {
        ExportFormat::Json => serde_json::to_string_pretty(&sessions)? + "\n",
        ExportFormat::Csv => {
            let opt = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
            let mut csv = csv::Writer::from_writer(Vec::new());
            csv.write_record([
                "session_id",
                "started_at",
                "ended_at",
                "source",
                "exercise",
                "name",
                "reps",
                "rep_target",
                "held_seconds",
                "left_held",
                "right_held",
                "form_score",
                "done",
                "faults",
            ])?;
            for s in &sessions {
                for t in &s.stretches {
                    let faults: Vec<String> = t.faults.iter().map(|(f, n)| format!("{f}:{n}")).collect();
                    csv.write_record([
                        s.id.to_string(),
                        s.started_at.clone(),
                        s.ended_at.clone().unwrap_or_default(),
                        s.source.clone(),
                        t.exercise.clone(),
                        t.name.clone(),
                        t.reps.to_string(),
                        t.rep_target.map(|n| n.to_string()).unwrap_or_default(),
                        format!("{:.2}", t.held_seconds),
                        opt(t.left_held),
                        opt(t.right_held),
                        opt(t.form_score),
                        t.done.to_string(),
                        faults.join(";"),
                    ])?;
                }
            }
            String::from_utf8(csv.into_inner()?)?
        }
    };
    match output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("could not write {}", p.display()))?,
        None => out(format_args!("{}", text.trim_end())),
    }
    Ok(())
}

pub(super) fn cmd_report(cx: &Ctx, from: Option<&str>, to: Option<&str>, output: &Path) -> Result<()> {
    for d in [from, to].into_iter().flatten() {
        if d.len() != 10 || stretchcoach::web::chart::day_number(d).is_none() {
            bail!("{d:?} is not a date: use YYYY-MM-DD");
        }
    }
    let store = history_store(&cx.g)?;
    let html = stretchcoach::web::report::render(&store, cx.catalog(), from, to, None)?;
    std::fs::write(output, html).with_context(|| format!("could not write {}", output.display()))?;
    eprintln!("Report written to {}", output.display());
    Ok(())
}

pub(super) fn cmd_serve(cx: &Ctx, serve: &ServeArgs) -> Result<()> {
    let hub = cx.make_hub(true);
    if let Some(db) = &hub.db {
        Store::open(db)?; // a clear error now rather than on every request
        eprintln!("Serving the history in {}", db.display());
    }
    let shutdown = cx.shutdown();
    let server = start_server(serve, hub)?;
    eprintln!("Press Ctrl-C to stop.");
    while !shutdown.wait_timeout(std::time::Duration::from_secs(3600)) {}
    server.stop();
    Ok(())
}

fn history_store(g: &Global) -> Result<Store> {
    let db = g.history_db(true).context("--no-history: there is no history to read")?;
    if !db.exists() {
        bail!(
            "no session history yet at {} (sessions are saved by `live` and `replay`; --db PATH picks another file)",
            db.display()
        );
    }
    Ok(Store::open(&db)?)
}

/// Stores a finished session in one go (runs that are not live: check, the demo).
pub(super) fn save_session(db: &Path, source: &str, routine: Option<&str>, summary: &Summary) {
    close_recording(&mut Recorder::open(db, source, routine), summary, db, false);
}

/// The last save of a session, and a word about where it went (or why it did not).
pub(super) fn close_recording(rec: &mut Recorder, summary: &Summary, db: &Path, quiet: bool) {
    rec.finish(summary);
    match (&rec.error, rec.id()) {
        (Some(e), _) => eprintln!("warning: {e}"),
        (None, Some(id)) if !quiet => eprintln!("Saved as session {id} in {}", db.display()),
        _ => {}
    }
}
