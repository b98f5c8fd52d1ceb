//! Coaching a session as it happens: the demo, the camera (live) and recordings (replay), each through the
//! live loop or the judge alone, with the page served meanwhile and the prompts printed and spoken.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context, Result};

use stretchcoach::body::synth;
use stretchcoach::coaching::coach::SAFETY_NOTE;
use stretchcoach::coaching::session::{FrameReport, Plan, Session, Summary};
use stretchcoach::history::recorder::{Recorder, RecordingThread};
use stretchcoach::running::hub::{Hub, LiveStats};
use stretchcoach::running::live::{self, LiveLoop, LoopOptions, Opener};
use stretchcoach::running::pipeline::Pipeline;
use stretchcoach::running::shutdown::Shutdown;
use stretchcoach::running::voice::{self, Voice};
use stretchcoach::seeing::capture::browser::{BrowserFeed, BrowserSource};
use stretchcoach::seeing::capture::camera::{CameraRequest, CameraSource};
use stretchcoach::seeing::capture::replay::{is_still, Still, PHOTO_HOLD};
use stretchcoach::seeing::capture::{open_replay, FrameSource};
use stretchcoach::seeing::keypoint_file;
use stretchcoach::seeing::keypoint_file::KeypointSource;

use super::clinic::{check_share, share_in_background, wait_for_share};
use super::common::{load_stage, record_dir, recordings_dir, start_server, Ctx, Server};
use super::history::close_recording;
use super::{out, CameraChoice, Global, ServeArgs, SessionArgs, ViewArgs};

pub(super) fn cmd_demo(cx: &Ctx, serve: &ServeArgs, view: &ViewArgs, fast: bool, exit: bool) -> Result<()> {
    let g = &cx.g;
    let shutdown = cx.shutdown();
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
    // The real clip is a demonstration, not a session of yours: it is never saved to the history.
    let run = Run { source: "demo clip", fast, keep_history: false, feed: None, poses_given: false };
    run_loop(g, open, options, Plan::Auto(cx.catalog().to_vec()), &hub, view, &shutdown, run)?;

    // 2. Generated bridge motion through the judge: good reps, then each fault.
    if !shutdown.is_requested() {
        use synth::BridgeForm as F;
        let forms = [F::GOOD, F::GOOD, F::HIPS_LOW, F::ARCHED, F::FEET_TOO_FAR, F::GOOD];
        let frames = synth::bridge_session(&forms, synth::RepTiming::default(), 30.0, synth::Noise::default(), 7);
        if !view.quiet {
            outln!("\nPart 2: a generated bridge: 2 good reps, hips too low, back arched, feet too far, 1 good rep");
        }
        let plan = Plan::One(Box::new(cx.find_exercise("bridge")?));
        let source = "demo: generated bridge motion";
        let open: Opener =
            Box::new(move || Ok(Box::new(KeypointSource::new(frames.clone(), source)) as Box<dyn FrameSource>));
        let options = LoopOptions { realtime: !fast, retry_up_to: None, record: None };
        let run = Run { source, fast, keep_history: true, feed: None, poses_given: true };
        let summary = run_loop(g, open, options, plan, &hub, view, &shutdown, run)?;
        print_summary(&summary, view);
    }
    serve_until_interrupted(server, &shutdown, exit);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn cmd_live(
    cx: &Ctx,
    camera: CameraChoice,
    resolution: &str,
    fps: u32,
    session: &SessionArgs,
) -> Result<()> {
    let SessionArgs { exercise, serve, view, share } = session;
    let g = &cx.g;
    check_share(g, share)?;
    let plan = cx.plan(exercise)?;
    let hub = cx.make_hub(true);
    let (open, feed, source): (Opener, _, _) = match camera {
        CameraChoice::Index(index) => {
            let (width, height) = resolution
                .split_once('x')
                .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
                .with_context(|| format!("--resolution must look like 640x480, not {resolution:?}"))?;
            let req = CameraRequest { index, width, height, fps };
            // Open once here so that a missing camera is a clear error at start; later failures are retried.
            drop(CameraSource::open(req).with_context(|| {
                "could not open the camera; `stretchcoach cameras` lists them, `--camera browser` uses the \
                 browser's, `stretchcoach demo` runs without one"
            })?);
            let open: Opener = Box::new(move || CameraSource::open(req).map(|s| Box::new(s) as Box<dyn FrameSource>));
            (open, None, format!("camera {index}"))
        }
        CameraChoice::Browser => {
            let feed = BrowserFeed::new();
            hub.set_browser_feed(feed.clone());
            let f = feed.clone();
            let open: Opener = Box::new(move || Ok(Box::new(BrowserSource::new(f.clone())) as Box<dyn FrameSource>));
            (open, Some(feed), "the browser's camera".to_string())
        }
    };
    let shutdown = cx.shutdown();
    let server = start_server(serve, hub.clone())?;
    if !view.quiet {
        outln!("{SAFETY_NOTE}\n");
        if feed.is_some() {
            outln!(
                "Open {} in a browser on this machine and allow the camera. Ctrl-C to stop.",
                server.page_url("camera=browser")
            );
        } else {
            outln!("Watching {source} ({exercise}). Ctrl-C to stop.");
        }
    }
    let options = LoopOptions { realtime: false, retry_up_to: Some(8.0), record: record_dir(g)? };
    let run = Run { source: &source, fast: false, keep_history: true, feed, poses_given: false };
    let summary = run_loop(g, open, options, plan, &hub, view, &shutdown, run);
    let sharing = share_in_background(g, share, view.quiet);
    server.stop();
    print_summary(&summary?, view);
    wait_for_share(sharing);
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(super) fn cmd_replay(cx: &Ctx, path: &Path, realtime: bool, session: &SessionArgs, exit: bool) -> Result<()> {
    let SessionArgs { exercise, serve, view, share } = session;
    let g = &cx.g;
    check_share(g, share)?;
    let shutdown = cx.shutdown();
    let hub = cx.make_hub(true);
    let path = path.to_path_buf();
    let source = format!("replay of {}", path.display());
    // A keypoint file goes through the same loop without the model; anything else is read by ffmpeg or
    // the image decoder. Either fails now, with a clear message, if it cannot be read.
    let keypoints = path.extension().is_some_and(|e| e == "jsonl");
    let open: Opener = if keypoints {
        let (frames, what) = (keypoint_file::read(&path)?, source.clone());
        Box::new(move || Ok(Box::new(KeypointSource::new(frames.clone(), what.clone())) as Box<dyn FrameSource>))
    } else if is_still(&path)? {
        // One photo is a person holding still, shown long enough to be named and judged. Decoded once: each
        // run plays a copy of this one, never played itself.
        let still = Still::open(&path, PHOTO_HOLD)?;
        Box::new(move || Ok(Box::new(still.clone()) as Box<dyn FrameSource>))
    } else {
        open_replay(&path)?;
        Box::new(move || open_replay(&path).map(|s| s as Box<dyn FrameSource>))
    };
    let plan = cx.plan(exercise)?;
    let options = LoopOptions { realtime, retry_up_to: None, record: record_dir(g)? };
    let server = start_server(serve, hub.clone())?;
    let run = Run { source: &source, fast: !realtime, keep_history: true, feed: None, poses_given: keypoints };
    let summary = match run_loop(g, open, options, plan, &hub, view, &shutdown, run) {
        Ok(s) => s,
        Err(e) => {
            server.stop();
            return Err(e);
        }
    };
    let sharing = share_in_background(g, share, view.quiet);
    print_summary(&summary, view);
    serve_until_interrupted(server, &shutdown, exit);
    wait_for_share(sharing);
    Ok(())
}

/// What a run of the loop is, besides its source and plan.
struct Run<'a> {
    /// What is watched, for the history and messages.
    source: &'a str,
    /// The source is read flat out, not at a camera's pace.
    fast: bool,
    /// Save the session to the history database (when the run keeps one).
    keep_history: bool,
    /// The browser's camera, closed when the loop ends so that its source stops waiting for frames.
    feed: Option<Arc<BrowserFeed>>,
    /// The source carries its poses (a keypoint file, generated motion): no model is loaded.
    poses_given: bool,
}

/// Runs the live loop on `open` until the source ends, the page asks it to stop, or Ctrl-C; saves the
/// session either way.
#[allow(clippy::too_many_arguments)]
fn run_loop(
    g: &Global,
    open: Opener,
    options: LoopOptions,
    plan: Plan,
    hub: &Arc<Hub>,
    view: &ViewArgs,
    shutdown: &Shutdown,
    run: Run,
) -> Result<Summary> {
    let stage = if run.poses_given { None } else { Some(load_stage(g, run.fast)?) };
    let (tx, rx) = live::controls();
    hub.set_control(tx);
    let terminal = Arc::new(Mutex::new(Terminal::new(view, run.fast)));
    let db = hub.db.as_ref().filter(|_| run.keep_history);
    // The history is written on a thread of its own: a slow disk must not hold up judging.
    let recording = db.map(|db| {
        let h = hub.clone();
        let rec = Recorder::open(db, run.source, g.routine.as_deref());
        h.set_store_error(rec.error.clone());
        Arc::new(Mutex::new(Some(RecordingThread::start(rec, move |e| h.set_store_error(e)))))
    });
    let (t2, r2) = (terminal.clone(), recording.clone());
    let lp = LiveLoop::start_pipeline(
        open,
        options,
        Pipeline::new(stage, Session::with_plan(plan)),
        hub.clone(),
        rx,
        Box::new(move |r, summary, s| {
            t2.lock().unwrap_or_else(PoisonError::into_inner).frame(r, Some(s));
            if let Some(rec) = r2.as_ref().and_then(|r| r.lock().ok()).as_mut().and_then(|r| r.as_mut()) {
                rec.frame(r, summary);
            }
        }),
    );
    // Woken by Ctrl-C; otherwise a look every 100 ms for the end of the source or a stop from the page.
    while !lp.is_finished() {
        if shutdown.wait_timeout(Duration::from_millis(100)) {
            lp.stop();
            break;
        }
    }
    if let Some(feed) = &run.feed {
        feed.close();
    }
    let ended = lp.join().context("coaching stopped after an internal error")?;
    terminal.lock().unwrap_or_else(PoisonError::into_inner).end_line();
    let writer = recording.and_then(|r| r.lock().unwrap_or_else(PoisonError::into_inner).take());
    if let (Some(writer), Some(db)) = (writer, db) {
        close_recording(&mut writer.finish(), &ended.summary, db, view.quiet || view.json);
    }
    match ended.error {
        Some(e) if shutdown.is_requested() => eprintln!("warning: {e}"),
        Some(e) => bail!("{e}"),
        None => {}
    }
    let s = ended.stats;
    if !view.json && !view.quiet {
        eprintln!(
            "{} frames judged, {} dropped, {} unreadable; {:.1} fps; capture-to-prompt latency median {:.0} ms, p95 {:.0} ms; model {:.1} ms median",
            s.processed, s.dropped, s.bad_frames, s.fps, s.latency_ms_median, s.latency_ms_p95, s.model_ms_median
        );
    }
    Ok(ended.summary)
}

fn print_summary(s: &Summary, view: &ViewArgs) {
    if view.json {
        outln!("{}", serde_json::json!({ "summary": s }));
    } else if !view.quiet {
        outln!("Summary: {}", s.longest.line());
    }
}

/// After a replay: keep serving the summary until Ctrl-C (or stop at once with --exit, or when Ctrl-C
/// already ended the replay), then stop the server cleanly.
fn serve_until_interrupted(server: Server, shutdown: &Shutdown, exit: bool) {
    if !exit && !shutdown.is_requested() {
        eprintln!("Replay finished. The page and {}api/session stay up. Press Ctrl-C to quit.", server.page_url(""));
        while !shutdown.wait_timeout(Duration::from_secs(3600)) {}
    }
    server.stop();
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
