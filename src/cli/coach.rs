//! Coaching a session as it happens: the demo, the camera (live) and recordings (replay), each through the
//! live loop or the judge alone, with the page served meanwhile and the prompts printed and spoken.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};

use stretchcoach::capture::camera::{CameraRequest, CameraSource};
use stretchcoach::capture::{open_replay, FrameSource};
use stretchcoach::coach::SAFETY_NOTE;
use stretchcoach::hub::{Hub, LiveStats};
use stretchcoach::live::{self, LiveLoop, LoopOptions, Opener};
use stretchcoach::pipeline::{self, Pace};
use stretchcoach::pose::PoseRecord;
use stretchcoach::session::{FrameReport, Plan, Session, Summary};
use stretchcoach::store::Recorder;
use stretchcoach::voice::{self, Voice};
use stretchcoach::{keypoint_file, synth};

use super::common::{load_stage, record_dir, recordings_dir, start_server, Ctx};
use super::history::close_recording;
use super::{out, Global, ServeArgs, ViewArgs};

pub(super) fn cmd_demo(cx: &Ctx, serve: &ServeArgs, view: &ViewArgs, fast: bool, exit: bool) -> Result<()> {
    let g = &cx.g;
    let hub = cx.make_hub(false);
    let server = start_server(serve, hub.clone())?;
    if !view.quiet {
        outln!("{SAFETY_NOTE}\n");
    }

    // 1. A real clip through the real model: a person walking, which is none of the stretches.
    let clip = recordings_dir().join("walk");
    if !view.quiet {
        outln!(
            "Part 1: a real clip ({}) through the pose model, at {} speed",
            clip.display(),
            if fast { "full" } else { "real-time" }
        );
    }
    let open: Opener = Box::new(move || open_replay(&clip).map(|s| s as Box<dyn FrameSource>));
    let options = LoopOptions { realtime: !fast, retry_up_to: None, record: None };
    // The real clip is a demonstration, not a session of yours: it is never recorded.
    let hub1 = Hub::with_history(cx.catalog().to_vec(), Vec::new(), None);
    run_loop(g, open, options, Plan::Auto(cx.catalog().to_vec()), &hub1, view, fast, "demo clip")?;
    hub.set_source("generated bridge motion".into());

    // 2. Generated bridge motion through the judge: good reps, then each fault.
    use synth::BridgeForm as F;
    let forms = [F::GOOD, F::GOOD, F::HIPS_LOW, F::ARCHED, F::FEET_TOO_FAR, F::GOOD];
    let frames = synth::bridge_session(&forms, synth::RepTiming::default(), 30.0, synth::Noise::default(), 7);
    if !view.quiet {
        outln!("\nPart 2: a generated bridge: 2 good reps, hips too low, back arched, feet too far, 1 good rep");
    }
    let plan = Plan::One(Box::new(cx.find_exercise("bridge")?));
    let summary = replay_keypoints(g, &frames, !fast, plan, &hub, view, "demo: generated bridge motion");
    print_summary(&summary, view);
    if !exit {
        serve_until_interrupted(serve, server);
    }
    Ok(())
}

pub(super) fn cmd_live(
    cx: &Ctx,
    camera: u32,
    resolution: &str,
    fps: u32,
    exercise: &stretchcoach::exercise::ExerciseChoice,
    serve: &ServeArgs,
    view: &ViewArgs,
) -> Result<()> {
    let (width, height) = resolution
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .with_context(|| format!("--resolution must look like 640x480, not {resolution:?}"))?;
    let g = &cx.g;
    let plan = cx.plan(exercise)?;
    let req = CameraRequest { index: camera, width, height, fps };
    // Open once here so that a missing camera is a clear error at start; later failures are retried.
    drop(CameraSource::open(req).with_context(|| {
        "could not open the camera; `stretchcoach cameras` lists them, `stretchcoach demo` runs without one"
    })?);
    let hub = cx.make_hub(true);
    let _server = start_server(serve, hub.clone())?;
    if !view.quiet {
        outln!("{SAFETY_NOTE}\n\nWatching camera {camera} ({exercise}). Ctrl-C to stop.");
    }
    let open: Opener = Box::new(move || CameraSource::open(req).map(|s| Box::new(s) as Box<dyn FrameSource>));
    let options = LoopOptions { realtime: false, retry_up_to: Some(8.0), record: record_dir(g)? };
    let summary = run_loop(g, open, options, plan, &hub, view, false, &format!("camera {camera}"))?;
    print_summary(&summary, view);
    Ok(())
}

pub(super) fn cmd_replay(
    cx: &Ctx,
    path: &Path,
    realtime: bool,
    exercise: &stretchcoach::exercise::ExerciseChoice,
    serve: &ServeArgs,
    view: &ViewArgs,
    exit: bool,
) -> Result<()> {
    let g = &cx.g;
    let hub = cx.make_hub(true);
    let server = start_server(serve, hub.clone())?;
    let path = path.to_path_buf();
    let source = format!("replay of {}", path.display());
    if path.extension().is_some_and(|e| e == "jsonl") {
        // A keypoint file: the judge and the page without the model.
        let frames = keypoint_file::read(&path)?;
        let summary = replay_keypoints(g, &frames, realtime, cx.plan(exercise)?, &hub, view, &source);
        print_summary(&summary, view);
        if !exit {
            serve_until_interrupted(serve, server);
        }
        return Ok(());
    }
    open_replay(&path)?; // fail now, with a clear message, if it cannot be read
    let open: Opener = Box::new(move || open_replay(&path).map(|s| s as Box<dyn FrameSource>));
    let summary = run_loop(
        g,
        open,
        LoopOptions { realtime, retry_up_to: None, record: record_dir(g)? },
        cx.plan(exercise)?,
        &hub,
        view,
        !realtime,
        &source,
    )?;
    print_summary(&summary, view);
    if !exit {
        serve_until_interrupted(serve, server);
    }
    Ok(())
}

/// Replays poses (a keypoint file, generated motion) through the session as the live loop would, without
/// the model: publishing to the page, recording as it goes.
fn replay_keypoints(
    g: &Global,
    frames: &[(f64, stretchcoach::pose::Pose)],
    realtime: bool,
    plan: Plan,
    hub: &Arc<Hub>,
    view: &ViewArgs,
    source: &str,
) -> Summary {
    let mut session = Session::with_plan(plan);
    hub.set_source(source.into());
    let mut recorder = hub.db.as_ref().map(|db| Recorder::open(db, source, g.routine.as_deref()));
    let start = std::time::Instant::now();
    let mut terminal = Terminal::new(view, !realtime);
    for (t, pose) in frames {
        pipeline::pace(if realtime { Pace::Realtime } else { Pace::Fast }, start, *t);
        let r = session.step(Some(pose), *t);
        terminal.frame(&r, None);
        let summary = session.summary();
        hub.publish(&r, &PoseRecord::from(pose), None, &summary);
        if let Some(rec) = &mut recorder {
            rec.tick(|| Some(summary));
            hub.set_store_error(rec.error.clone());
        }
    }
    terminal.end_line();
    let summary = session.summary();
    hub.finish(&summary);
    if let (Some(rec), Some(db)) = (&mut recorder, &hub.db) {
        close_recording(rec, &summary, db, view.quiet || view.json);
    }
    summary
}

/// Runs the live loop on `open` until the source ends (or is stopped), serving the page meanwhile.
/// `fast`: the source is read flat out, not at a camera's pace.
#[allow(clippy::too_many_arguments)]
fn run_loop(
    g: &Global,
    open: Opener,
    options: LoopOptions,
    plan: Plan,
    hub: &Arc<Hub>,
    view: &ViewArgs,
    fast: bool,
    source: &str,
) -> Result<Summary> {
    let stage = load_stage(g, fast)?;
    let (tx, rx) = live::controls();
    hub.set_control(tx);
    let terminal = Arc::new(Mutex::new(Terminal::new(view, fast)));
    let recorder = hub.db.as_ref().map(|db| Arc::new(Mutex::new(Recorder::open(db, source, g.routine.as_deref()))));
    let (t2, r2, h2) = (terminal.clone(), recorder.clone(), hub.clone());
    let lp = LiveLoop::start(
        open,
        options,
        stage,
        Session::with_plan(plan),
        hub.clone(),
        rx,
        Box::new(move |r, s| {
            t2.lock().expect("terminal lock").frame(r, Some(s));
            if let Some(rec) = &r2 {
                let mut rec = rec.lock().expect("recorder lock");
                rec.tick(|| h2.summary());
                h2.set_store_error(rec.error.clone());
            }
        }),
    );
    lp.join();
    terminal.lock().expect("terminal lock").end_line();
    if let (Some(rec), Some(summary), Some(db)) = (&recorder, hub.summary(), &hub.db) {
        close_recording(&mut rec.lock().expect("recorder lock"), &summary, db, view.quiet || view.json);
    }
    let status = hub.status();
    if let Some(e) = status.source_error {
        bail!("{e}");
    }
    let s = status.stats;
    if !view.json && !view.quiet {
        eprintln!(
            "{} frames judged, {} dropped, {} unreadable; {:.1} fps; capture-to-prompt latency median {:.0} ms, p95 {:.0} ms; model {:.1} ms median",
            s.processed, s.dropped, s.bad_frames, s.fps, s.latency_ms_median, s.latency_ms_p95, s.model_ms_median
        );
    }
    hub.summary().context("no frame was judged")
}

fn print_summary(s: &Summary, view: &ViewArgs) {
    if view.json {
        outln!("{}", serde_json::json!({ "summary": s }));
    } else if !view.quiet {
        outln!(
            "Summary ({}): {} reps, {:.1} s held in good form, faults prompted: {:?}",
            s.name,
            s.reps,
            s.held_seconds,
            s.faults
        );
    }
}

/// After the replay: keep serving the summary until Ctrl-C.
fn serve_until_interrupted(serve: &ServeArgs, server: std::thread::JoinHandle<()>) {
    eprintln!(
        "Replay finished. The page and http://{}:{}/api/session stay up. Press Ctrl-C to quit.",
        serve.bind, serve.port
    );
    let _ = server.join();
}

/// What the person sees and hears besides the page: a status line (or prompt lines, or JSON) and a voice.
struct Terminal {
    view: ViewArgs,
    tty: bool,
    printer: Printer,
    voice: Option<Voice>,
}

impl Terminal {
    fn new(view: &ViewArgs, fast: bool) -> Terminal {
        let want_voice = view.voice.unwrap_or(!fast && !view.json && !view.quiet);
        let voice = if want_voice && voice::available() {
            Some(Voice::start())
        } else {
            if view.voice == Some(true) {
                eprintln!("warning: no speech engine ({}) found; install espeak-ng for spoken prompts", voice::ENGINE);
            }
            None
        };
        Terminal {
            view: view.clone(),
            tty: std::io::stdout().is_terminal(),
            printer: Printer { json: view.json, last_prompt: None },
            voice,
        }
    }

    fn frame(&mut self, r: &FrameReport, stats: Option<&LiveStats>) {
        if let (Some(v), true, Some(p)) = (&self.voice, r.speak, &r.prompt) {
            v.say(p);
        }
        if self.view.quiet {
            return;
        }
        if self.tty && !self.view.json {
            // One status line, rewritten in place.
            let (fps, dropped) = stats.map(|s| (s.fps, s.dropped)).unwrap_or((0.0, 0));
            let line = format!(
                "{:<16} {:<52} reps {:>2}  held {:>4.0}s  {:>4.1} fps  {} dropped",
                r.exercise.as_deref().unwrap_or("(recognising)"),
                r.prompt.as_deref().unwrap_or(""),
                r.reps,
                r.held,
                fps,
                dropped
            );
            print!("\r\x1b[2K{}", line.chars().take(140).collect::<String>());
            let _ = std::io::stdout().flush();
        } else {
            self.printer.frame(r);
        }
    }

    fn end_line(&self) {
        if self.tty && !self.view.json && !self.view.quiet {
            println!();
        }
    }
}

/// Prints a report: every frame as JSON, or only prompt changes for a person reading along.
pub(super) struct Printer {
    pub(super) json: bool,
    pub(super) last_prompt: Option<String>,
}

impl Printer {
    pub(super) fn frame(&mut self, r: &FrameReport) {
        if self.json {
            out(format_args!("{}", serde_json::to_string(r).expect("report serialises")));
        } else if r.prompt != self.last_prompt {
            if let Some(p) = &r.prompt {
                out(format_args!(
                    "[{:>6.1}s] {:<9} reps {:>2}  held {:>5.1}s  {p}",
                    r.t,
                    r.exercise.as_deref().unwrap_or("-"),
                    r.reps,
                    r.held
                ));
            }
        }
        self.last_prompt = r.prompt.clone();
    }
}
