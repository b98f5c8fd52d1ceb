//! The clinic's side (`clinic`: serve, add and list patients, revoke) and the patient's (`share`, and
//! `--share` at the end of a live or replayed session).

use std::net::{IpAddr, SocketAddr};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};

use stretchcoach::history::store::Store;
use stretchcoach::web::clinic::{self, share, Clinic};

use super::common::Ctx;
use super::{ClinicCommand, Global, ShareArgs};

/// How long the program waits, before it exits, for a share started at the end of a session.
const SHARE_WAIT: Duration = Duration::from_secs(30);

pub(super) fn cmd_share(g: &Global, url: &str, token: &str) -> Result<()> {
    let db = g.history_db(true).context("--no-history: there is no history to share")?;
    if !db.exists() {
        bail!("no session history yet at {} (sessions are saved by `live` and `replay`)", db.display());
    }
    let store = Store::open(&db)?;
    let outcome = share::share(&store, url, token, |done, of| eprint!("\rSharing: {done} of {of}"))?;
    if outcome.sent > 0 {
        eprintln!();
    }
    outln!(
        "Shared {} session{} with {url}; {} it already had.",
        outcome.sent,
        if outcome.sent == 1 { "" } else { "s" },
        outcome.already
    );
    Ok(())
}

/// `--share`: once the session is saved, shares the history with the clinic on another thread, so that
/// the page and the terminal are not held up by the network.
/// Sharing sends what the history keeps: with no history there is nothing to send, which must be said before
/// the session, not found out after it.
pub(super) fn check_share(g: &Global, args: &ShareArgs) -> Result<()> {
    if args.share.is_some() && g.history_db(true).is_none() {
        anyhow::bail!(
            "--share sends your sessions from the history, which --no-history turns off: drop one of the two"
        );
    }
    Ok(())
}

pub(super) fn share_in_background(g: &Global, args: &ShareArgs, quiet: bool) -> Option<JoinHandle<()>> {
    let (url, token, db) = (args.share.clone()?, args.share_token.clone()?, g.history_db(true)?);
    Some(std::thread::spawn(move || {
        let result = Store::open(&db)
            .map_err(share::ShareError::from)
            .and_then(|store| share::share(&store, &url, &token, |_, _| {}));
        match result {
            Ok(o) if o.sent > 0 && !quiet => {
                eprintln!("Shared {} session{} with the clinic at {url}.", o.sent, if o.sent == 1 { "" } else { "s" })
            }
            Ok(_) => {}
            Err(e) => {
                let later = match e {
                    share::ShareError::Unreachable { .. } | share::ShareError::Refused(_) => "",
                    _ => ". The next run (or `stretchcoach share`) tries again",
                };
                eprintln!("warning: not shared with the clinic: {e}{later}")
            }
        }
    }))
}

/// Waits a while for a background share to finish (the program is about to exit).
pub(super) fn wait_for_share(sharing: Option<JoinHandle<()>>) {
    let Some(handle) = sharing else { return };
    let start = Instant::now();
    while !handle.is_finished() && start.elapsed() < SHARE_WAIT {
        std::thread::sleep(Duration::from_millis(50));
    }
    if handle.is_finished() {
        let _ = handle.join();
    } else {
        eprintln!(
            "warning: the clinic did not answer within {} s; the next run sends what is missing.",
            SHARE_WAIT.as_secs()
        );
    }
}

fn clinic_url(g: &Global) -> Result<String> {
    let url = g.db.as_ref().and_then(|p| p.to_str()).unwrap_or_default();
    if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
        bail!("the clinic needs its PostgreSQL database: --db postgres://USER@HOST/DB");
    }
    Ok(url.to_string())
}

pub(super) fn cmd_clinic(cx: &Ctx, action: Option<&ClinicCommand>, bind: IpAddr, port: u16) -> Result<()> {
    let url = clinic_url(&cx.g)?;
    let clinic = Clinic::open(&url).context("could not open the clinic's database")?;
    match action {
        Some(ClinicCommand::AddPatient { name }) => {
            let (p, token) = clinic.add_patient(name)?;
            outln!("Added patient {} ({}). Give them this token; it is shown only once:", p.id, p.name);
            outln!("{token}");
        }
        Some(ClinicCommand::Patients) => {
            let patients = clinic.patients()?;
            if patients.is_empty() {
                outln!("No patients yet: `stretchcoach clinic add-patient NAME` adds one.");
            }
            for p in patients {
                outln!(
                    "{:>4}  {:<24} {:>4} sessions  last {:<20}  days in last 7: {}  in last 28: {:>2}{}",
                    p.id,
                    p.name,
                    p.sessions,
                    p.last_session.as_deref().unwrap_or("-"),
                    p.days_last_7,
                    p.days_last_28,
                    if p.revoked { "  (revoked)" } else { "" }
                );
            }
        }
        Some(ClinicCommand::Revoke { name }) => {
            let p = clinic.revoke(name)?;
            outln!("Revoked the token of {} ({}); their {} sessions are kept.", p.name, p.id, p.sessions);
        }
        None => serve(cx, clinic, bind, port)?,
    }
    Ok(())
}

fn serve(cx: &Ctx, clinic: Clinic, bind: IpAddr, port: u16) -> Result<()> {
    let given = std::env::var("STRETCHCOACH_CLINIC_TOKEN").ok().filter(|t| !t.trim().is_empty());
    if let Some(t) = &given {
        if t.len() < 16 {
            bail!("STRETCHCOACH_CLINIC_TOKEN is too short to be safe: use at least 16 characters");
        }
    }
    if let Some(token) = clinic.clinician_token(given.as_deref())? {
        outln!("The clinician's token (shown only this once; keep it safe):");
        outln!("{token}");
    }
    let addr = SocketAddr::new(bind, port);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build()?;
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind(addr))
        .with_context(|| format!("could not listen on {addr} (is another program using the port? try --port)"))?;
    let addr = listener.local_addr().unwrap_or(addr);
    let app = clinic::server::router(clinic, cx.catalog().to_vec(), given);
    eprintln!("Clinic at http://{addr}/?token=CLINICIAN_TOKEN   Ctrl-C to stop.");
    let shutdown = cx.shutdown();
    let stop = stretchcoach::running::shutdown::Shutdown::new();
    let stopped = stop.clone();
    let server = std::thread::spawn(move || {
        runtime.block_on(stretchcoach::web::server::serve(listener, app, async move { stopped.requested().await }))
    });
    while !shutdown.wait_timeout(Duration::from_secs(3600)) {}
    stop.request();
    let _ = server.join();
    Ok(())
}
