//! The command line: pose, check, demo, live, exercises, cameras.

use std::io::{IsTerminal, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use stretchcoach::capture::camera::{list_cameras, CameraRequest, CameraSource};
use stretchcoach::capture::{open_replay, FrameSource};
use stretchcoach::coach::SAFETY_NOTE;
use stretchcoach::exercise::{self, Exercise};
use stretchcoach::hub::{Hub, LiveStats};
use stretchcoach::live::{self, LiveLoop, LoopOptions, Opener, PoseStage};
use stretchcoach::pipeline::{self, Pace};
use stretchcoach::pose::model::ModelOptions;
use stretchcoach::pose::{PoseModel, PoseRecord};
use stretchcoach::server;
use stretchcoach::session::{FrameReport, Plan, Session, Summary};
use stretchcoach::voice::{self, Voice};
use stretchcoach::{keypoint_file, synth};

/// `println!` that ends the program quietly when stdout's reader has gone away.
macro_rules! outln {
    ($($arg:tt)*) => { out(format_args!($($arg)*)) };
}

/// Prints a line; a reader that went away (`| head`) ends the program quietly instead of a panic.
fn out(line: std::fmt::Arguments) {
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = writeln!(stdout, "{line}").and_then(|_| stdout.flush()) {
        if e.kind() == std::io::ErrorKind::BrokenPipe {
            std::process::exit(0);
        }
    }
}

/// Watches your back-pain stretches through a camera and tells you, live, how to fix your form.
/// Everything runs on this machine: no frame leaves it.
///
/// Move slowly and gently and stop if anything hurts. For chronic or severe back pain, see a doctor
/// or physical therapist.
#[derive(Parser)]
#[command(name = "stretchcoach", version, about, long_about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: Global,
}

#[derive(Args)]
struct Global {
    /// Use this ONNX pose model instead of the bundled MoveNet (same input/output convention).
    #[arg(long, global = true, value_name = "PATH")]
    model: Option<PathBuf>,
    /// Folder of stretch definitions (*.toml) that add to or replace the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    exercises: Option<PathBuf>,
    /// Threads for the pose model (default: cores, at most 4).
    #[arg(long, global = true)]
    threads: Option<usize>,
}

#[derive(Args, Clone)]
struct ServeArgs {
    /// Port for the HTTP page and API.
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Address to listen on. Anything but loopback needs --token.
    #[arg(long, default_value = "127.0.0.1")]
    bind: IpAddr,
    /// Bearer token required by every route but /healthz (needed to listen beyond loopback).
    #[arg(long)]
    token: Option<String>,
}

#[derive(Args, Clone)]
struct ViewArgs {
    /// Print nothing but errors.
    #[arg(long)]
    quiet: bool,
    /// Print one JSON object per judged frame, then the summary.
    #[arg(long)]
    json: bool,
    /// Speak the prompts (espeak-ng); on by default when it is installed, except with --fast.
    #[arg(long, num_args = 0..=1, default_missing_value = "true")]
    voice: Option<bool>,
}

#[derive(Subcommand)]
enum Command {
    /// Find the person's 17 joints in one image.
    Pose {
        image: PathBuf,
        /// Print {"width","height","keypoints":[[x,y,score],...]} (COCO order, pixels of IMAGE).
        #[arg(long)]
        json: bool,
    },
    /// Judge a stretch in an image, a folder of images, a video, or a keypoint file.
    Check {
        /// Image, folder of images (name order) or video. Not needed with --keypoints.
        input: Option<PathBuf>,
        /// Judge a keypoint file (JSON Lines of `pose --json` objects with optional "t") instead of images.
        #[arg(long, value_name = "FILE")]
        keypoints: Option<PathBuf>,
        /// Which stretch (see `stretchcoach exercises`), or "auto" to recognise it from the pose.
        #[arg(long, default_value = "auto")]
        exercise: String,
        /// One JSON object per frame, then {"summary": {...}}.
        #[arg(long)]
        json: bool,
    },
    /// Replay the bundled recordings (a real clip through the model, then a generated bridge, done well
    /// and with faults), print the prompts, and serve the page and API until Ctrl-C.
    Demo {
        #[command(flatten)]
        serve: ServeArgs,
        #[command(flatten)]
        view: ViewArgs,
        /// Replay as fast as possible instead of at real time.
        #[arg(long)]
        fast: bool,
        /// Exit when the replay ends instead of serving until Ctrl-C.
        #[arg(long)]
        exit: bool,
    },
    /// Coach from the camera, live.
    Live {
        /// Camera index (see `stretchcoach cameras`).
        #[arg(long, default_value_t = 0)]
        camera: u32,
        /// Requested camera resolution, WIDTHxHEIGHT.
        #[arg(long, default_value = "640x480")]
        resolution: String,
        #[arg(long, default_value_t = 30)]
        fps: u32,
        /// Which stretch, or "auto" to recognise it from the pose.
        #[arg(long, default_value = "auto")]
        exercise: String,
        #[command(flatten)]
        serve: ServeArgs,
        #[command(flatten)]
        view: ViewArgs,
    },
    /// Run the live loop on a recording (image, folder of images or video), serving the page meanwhile.
    Replay {
        path: PathBuf,
        /// Deliver frames at the recording's own pace, as a camera would (default: as fast as possible).
        #[arg(long)]
        realtime: bool,
        /// Which stretch, or "auto" to recognise it from the pose.
        #[arg(long, default_value = "auto")]
        exercise: String,
        #[command(flatten)]
        serve: ServeArgs,
        #[command(flatten)]
        view: ViewArgs,
        /// Exit when the recording ends instead of serving until Ctrl-C.
        #[arg(long)]
        exit: bool,
    },
    /// List the stretches, their instructions and what is checked.
    Exercises,
    /// Write generated keypoint motion of a stretch (JSON Lines, the `check --keypoints` format), done well
    /// or with one fault, from the built-in kinematic body model. For trying the judge without a camera.
    Synth {
        /// Stretch id.
        exercise: String,
        /// Act out this fault (see the list printed for an unknown one).
        #[arg(long)]
        fault: Option<String>,
        #[arg(long, default_value_t = 1)]
        seed: u64,
    },
    /// List the cameras this machine has.
    Cameras,
}

fn main() {
    let cli = Cli::parse();
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> Result<()> {
    let g = &cli.global;
    match &cli.command {
        Command::Pose { image, json } => cmd_pose(g, image, *json),
        Command::Check { input, keypoints, exercise, json } => {
            cmd_check(g, input.as_deref(), keypoints.as_deref(), exercise, *json)
        }
        Command::Demo { serve, view, fast, exit } => cmd_demo(g, serve, view, *fast, *exit),
        Command::Live { camera, resolution, fps, exercise, serve, view } => {
            cmd_live(g, *camera, resolution, *fps, exercise, serve, view)
        }
        Command::Replay { path, realtime, exercise, serve, view, exit } => {
            cmd_replay(g, path, *realtime, exercise, serve, view, *exit)
        }
        Command::Exercises => cmd_exercises(g),
        Command::Synth { exercise, fault, seed } => {
            let frames = synth::generate(exercise, fault.as_deref(), 30.0, *seed)
                .map_err(|e| anyhow::anyhow!("{e}; faults of {exercise}: {}", synth::faults(exercise).join(", ")))?;
            for (t, pose) in frames {
                let mut r = PoseRecord::from(&pose);
                r.t = Some((t * 1000.0).round() / 1000.0);
                outln!("{}", serde_json::to_string(&r)?);
            }
            Ok(())
        }
        Command::Cameras => {
            let cams = list_cameras()?;
            if cams.is_empty() {
                outln!("No cameras found. Try `stretchcoach demo` to see it work on a recording.");
            }
            for (index, name, desc) in cams {
                outln!("{index}\t{name}\t{desc}");
            }
            Ok(())
        }
    }
}

fn load_model(g: &Global) -> Result<PoseModel> {
    let mut options = ModelOptions::default();
    if let Some(t) = g.threads {
        options.threads = t;
    }
    Ok(match &g.model {
        Some(path) => PoseModel::load(path, None, options)?,
        None => PoseModel::bundled(options)?,
    })
}

/// The stretch to judge, or all of them to recognise from ("auto").
fn plan(g: &Global, id: &str) -> Result<Plan> {
    if id == "auto" {
        let (catalog, errors) = exercise::load_catalog(g.exercises.as_deref());
        for e in &errors {
            eprintln!("warning: skipped a stretch definition: {e}");
        }
        return Ok(Plan::Auto(catalog));
    }
    Ok(Plan::One(Box::new(find_exercise(g, id)?)))
}

fn find_exercise(g: &Global, id: &str) -> Result<Exercise> {
    let (catalog, errors) = exercise::load_catalog(g.exercises.as_deref());
    for e in &errors {
        eprintln!("warning: skipped a stretch definition: {e}");
    }
    let known: Vec<&str> = catalog.iter().map(|e| e.id.as_str()).collect();
    match catalog.iter().find(|e| e.id == id) {
        Some(ex) => Ok(ex.clone()),
        None => bail!("unknown stretch {id:?}; known: auto, {}", known.join(", ")),
    }
}

fn cmd_pose(g: &Global, image: &Path, json: bool) -> Result<()> {
    let img = image::open(image).with_context(|| format!("could not read image {}", image.display()))?.to_rgb8();
    let mut model = load_model(g)?;
    let pose = model.estimate(&img)?;
    if json {
        outln!("{}", serde_json::to_string(&PoseRecord::from(&pose))?);
    } else {
        outln!("{} ({}x{}), mean joint score {:.2}", image.display(), pose.width, pose.height, pose.mean_score());
        for j in stretchcoach::pose::Joint::ALL {
            let k = pose.get(j);
            outln!("  {:<15} x {:>7.1}  y {:>7.1}  score {:.2}", j.name(), k.x, k.y, k.score);
        }
    }
    Ok(())
}

/// Prints a report: every frame as JSON, or only prompt changes for a person reading along.
struct Printer {
    json: bool,
    last_prompt: Option<String>,
}

impl Printer {
    fn frame(&mut self, r: &FrameReport) {
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

fn cmd_check(g: &Global, input: Option<&Path>, keypoints: Option<&Path>, exercise: &str, json: bool) -> Result<()> {
    let mut session = Session::with_plan(plan(g, exercise)?);
    let mut printer = Printer { json, last_prompt: None };
    match (keypoints, input) {
        (Some(file), _) => {
            for (t, pose) in keypoint_file::read(file)? {
                printer.frame(&session.step(Some(&pose), t));
            }
        }
        (None, Some(input)) => {
            let mut source = open_replay(input)?;
            let mut model = load_model(g)?;
            pipeline::run(source.as_mut(), &mut model, &mut session, Pace::Fast, |r, _, _| printer.frame(r))?;
        }
        (None, None) => bail!("give an INPUT (image, folder or video) or --keypoints FILE"),
    }
    let summary = session.summary();
    if json {
        out(format_args!("{}", serde_json::json!({ "summary": summary })));
    } else {
        let (name, reps, held, faults) = (&summary.name, summary.reps, summary.held_seconds, &summary.faults);
        out(format_args!("\n{name}: {reps} reps, {held:.1} s held in good form, faults {faults:?}"));
    }
    Ok(())
}

fn cmd_exercises(g: &Global) -> Result<()> {
    let (catalog, errors) = exercise::load_catalog(g.exercises.as_deref());
    for e in &errors {
        eprintln!("warning: skipped a stretch definition: {e}");
    }
    for ex in catalog {
        outln!("{} ({}), {:?} view, {:?}", ex.name, ex.id, ex.view, ex.kind);
        outln!("  {}", ex.instructions);
        for c in &ex.checks {
            let outcomes: Vec<&str> = [&c.below, &c.above].into_iter().flatten().map(|o| o.prompt.as_str()).collect();
            outln!(
                "  - {} ({:?} of {:?}, target {}..{}): {}",
                c.id,
                c.measure,
                c.joints.iter().map(|j| String::from(*j)).collect::<Vec<_>>(),
                c.range[0],
                c.range[1],
                outcomes.join(" / ")
            );
        }
        outln!("");
    }
    outln!("{SAFETY_NOTE}");
    Ok(())
}

/// Starts the HTTP server on its own thread; returns once it is listening.
fn start_server(args: &ServeArgs, hub: Arc<Hub>) -> Result<std::thread::JoinHandle<()>> {
    let addr = SocketAddr::new(args.bind, args.port);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let listener = runtime.block_on(server::bind(addr, args.token.as_deref()))?;
    let addr = listener.local_addr().unwrap_or(addr);
    let app = server::router(hub, args.token.clone());
    eprintln!("Live page: http://{addr}/   session summary: http://{addr}/api/session");
    Ok(std::thread::spawn(move || {
        runtime.block_on(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("HTTP server stopped: {e}");
            }
        })
    }))
}

/// Where the bundled recordings live: ./recordings or the checkout the binary was built from.
fn recordings_dir() -> PathBuf {
    let local = PathBuf::from("recordings");
    if local.exists() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("recordings")
    }
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

/// Runs the live loop on `open` until the source ends (or is stopped), serving the page meanwhile.
fn run_loop(
    g: &Global,
    open: Opener,
    options: LoopOptions,
    plan: Plan,
    hub: &Arc<Hub>,
    view: &ViewArgs,
    fast: bool,
) -> Result<Summary> {
    let stage: Box<dyn PoseStage> = Box::new(load_model(g)?);
    let (tx, rx) = live::controls();
    hub.set_control(tx);
    let terminal = Arc::new(Mutex::new(Terminal::new(view, fast)));
    let t2 = terminal.clone();
    let lp = LiveLoop::start(
        open,
        options,
        stage,
        Session::with_plan(plan),
        hub.clone(),
        rx,
        Box::new(move |r, s| t2.lock().expect("terminal lock").frame(r, Some(s))),
    );
    lp.join();
    terminal.lock().expect("terminal lock").end_line();
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

fn cmd_demo(g: &Global, serve: &ServeArgs, view: &ViewArgs, fast: bool, exit: bool) -> Result<()> {
    let hub = Hub::new(catalog(g));
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
    let options = LoopOptions { realtime: !fast, retry_up_to: None };
    run_loop(g, open, options, Plan::Auto(catalog(g)), &hub, view, fast)?;

    // 2. Generated bridge motion through the judge: good reps, then each fault.
    use synth::BridgeForm as F;
    let forms = [F::GOOD, F::GOOD, F::HIPS_LOW, F::ARCHED, F::FEET_TOO_FAR, F::GOOD];
    let frames = synth::bridge_session(&forms, synth::RepTiming::default(), 30.0, synth::Noise::default(), 7);
    if !view.quiet {
        outln!("\nPart 2: a generated bridge: 2 good reps, hips too low, back arched, feet too far, 1 good rep");
    }
    let mut session = Session::new(find_exercise(g, "bridge")?);
    hub.set_source("generated bridge motion".into());
    let start = std::time::Instant::now();
    let mut terminal = Terminal::new(view, fast);
    for (t, pose) in &frames {
        pipeline::pace(if fast { Pace::Fast } else { Pace::Realtime }, start, *t);
        let r = session.step(Some(pose), *t);
        terminal.frame(&r, None);
        hub.publish(&r, &PoseRecord::from(pose), None, &session.summary());
    }
    terminal.end_line();
    let summary = session.summary();
    hub.finish(&summary);
    print_summary(&summary, view);
    if !exit {
        serve_until_interrupted(serve, server);
    }
    Ok(())
}

fn cmd_replay(
    g: &Global,
    path: &Path,
    realtime: bool,
    exercise: &str,
    serve: &ServeArgs,
    view: &ViewArgs,
    exit: bool,
) -> Result<()> {
    let hub = Hub::new(catalog(g));
    let server = start_server(serve, hub.clone())?;
    let path = path.to_path_buf();
    open_replay(&path)?; // fail now, with a clear message, if it cannot be read
    let open: Opener = Box::new(move || open_replay(&path).map(|s| s as Box<dyn FrameSource>));
    let summary =
        run_loop(g, open, LoopOptions { realtime, retry_up_to: None }, plan(g, exercise)?, &hub, view, !realtime)?;
    print_summary(&summary, view);
    if !exit {
        serve_until_interrupted(serve, server);
    }
    Ok(())
}

fn catalog(g: &Global) -> Vec<Exercise> {
    exercise::load_catalog(g.exercises.as_deref()).0
}

fn cmd_live(
    g: &Global,
    camera: u32,
    resolution: &str,
    fps: u32,
    exercise: &str,
    serve: &ServeArgs,
    view: &ViewArgs,
) -> Result<()> {
    let (width, height) = resolution
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .with_context(|| format!("--resolution must look like 640x480, not {resolution:?}"))?;
    let plan = plan(g, exercise)?;
    let req = CameraRequest { index: camera, width, height, fps };
    // Open once here so that a missing camera is a clear error at start; later failures are retried.
    drop(CameraSource::open(req).with_context(|| {
        "could not open the camera; `stretchcoach cameras` lists them, `stretchcoach demo` runs without one"
    })?);
    let hub = Hub::new(catalog(g));
    let _server = start_server(serve, hub.clone())?;
    if !view.quiet {
        outln!("{SAFETY_NOTE}\n\nWatching camera {camera} ({exercise}). Ctrl-C to stop.");
    }
    let open: Opener = Box::new(move || CameraSource::open(req).map(|s| Box::new(s) as Box<dyn FrameSource>));
    let summary = run_loop(g, open, LoopOptions { realtime: false, retry_up_to: Some(8.0) }, plan, &hub, view, false)?;
    print_summary(&summary, view);
    Ok(())
}
