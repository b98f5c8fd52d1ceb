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
use stretchcoach::exercise::{self, routine, Exercise};
use stretchcoach::hub::{Hub, LiveStats};
use stretchcoach::live::{self, LiveLoop, LoopOptions, Opener};
use stretchcoach::pipeline::{self, Pace};
use stretchcoach::pose::model::ModelOptions;
use stretchcoach::pose::orient::OrientedEstimator;
use stretchcoach::pose::PoseStage;
use stretchcoach::pose::{PoseModel, PoseRecord};
use stretchcoach::server;
use stretchcoach::session::{FrameReport, Plan, Session, Summary};
use stretchcoach::store::{self, Recorder, Store};
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
    /// Session history database (SQLite). Default for live, replay, history, serve and export:
    /// $XDG_DATA_HOME/stretchcoach/sessions.db; check and demo keep history only when given one.
    #[arg(long, global = true, value_name = "PATH")]
    db: Option<PathBuf>,
    /// Feed the model the whole frame, letterboxed, as it is; by default the input is turned so that the
    /// body is upright and cropped around it (lying stretches need this).
    #[arg(long, global = true)]
    plain_input: bool,
    /// Save every judged camera frame as a JPEG in DIR (live, replay). Without it no frame is ever
    /// written to disk; the page shows a red "recording" badge while it is on.
    #[arg(long, global = true, value_name = "DIR")]
    record: Option<PathBuf>,
    /// Keep no session history for this run.
    #[arg(long, global = true)]
    no_history: bool,
    /// Guide through a routine (see `stretchcoach routines`) instead of one stretch.
    #[arg(long, global = true, value_name = "NAME")]
    routine: Option<String>,
}

impl Global {
    /// The database this run records to: --db, else the default for commands that keep history.
    fn history_db(&self, by_default: bool) -> Option<PathBuf> {
        if self.no_history {
            return None;
        }
        self.db.clone().or_else(|| by_default.then(store::default_path))
    }
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

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
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
    /// Run the live loop on a recording (image, folder of images, video, or a .jsonl keypoint file),
    /// serving the page meanwhile and saving the session to the history.
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
        /// Repeat the motion this many times, one after the other (long recordings for soak tests).
        #[arg(long, default_value_t = 1)]
        repeat: u32,
    },
    /// List the cameras this machine has.
    Cameras,
    /// List the routines (`--routine NAME` guides you through one).
    Routines,
    /// Rotation consistency of the pose model on the photos of DIR: each photo turned by 90, 180 and 270
    /// degrees, keypoints turned back and compared with the upright result (PCK at 0.1 torso lengths).
    EvalRotation {
        dir: PathBuf,
        /// Also (and first) the plain model, without orientation-aware input.
        #[arg(long)]
        json: bool,
    },
    /// Time each stage of the per-frame pipeline on real frames, against bare inference.
    Bench {
        /// Frames to time.
        #[arg(long, default_value_t = 300)]
        frames: usize,
        /// Folder of images to use (default: the bundled walk recording, 640x480).
        #[arg(long)]
        input: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Also serve the API on this port and publish every frame, as the live loop does, so that the
        /// loop's speed can be measured while another program loads the server.
        #[arg(long)]
        serve_port: Option<u16>,
    },
    /// Print recent sessions from the history database.
    History {
        /// How many sessions, newest first.
        #[arg(long, default_value_t = 20)]
        limit: u32,
    },
    /// Serve the page and the API over the stored history, without a camera.
    Serve {
        #[command(flatten)]
        serve: ServeArgs,
    },
    /// Export sessions (one row per stretch of each session) for sharing with a clinician.
    Export {
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
        /// Write here instead of standard output.
        #[arg(long, short)]
        output: Option<PathBuf>,
        /// Only sessions started on or after this date (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Only sessions started before this date (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
    },
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
        Command::Routines => {
            let hub = make_hub(g, false);
            for r in &hub.routines {
                outln!("{} ({}): {}", r.name, r.id, r.description);
                for (i, s) in r.steps.iter().enumerate() {
                    let target = match (s.hold_seconds, s.reps) {
                        (Some(h), _) => format!("{h:.0} s"),
                        (_, Some(n)) => format!("{n} reps"),
                        _ => "as defined".into(),
                    };
                    outln!("  {}. {} ({target})", i + 1, s.exercise);
                }
            }
            Ok(())
        }
        Command::History { limit } => cmd_history(g, *limit),
        Command::EvalRotation { dir, json } => cmd_eval_rotation(g, dir, *json),
        Command::Bench { frames, input, json, serve_port } => {
            let dir = input.clone().unwrap_or_else(|| recordings_dir().join("walk"));
            let mut source = open_replay(&dir)?;
            let mut images = Vec::new();
            while let Some(f) = source.next_frame()? {
                images.push(f.image);
            }
            let mut model = load_model(g)?;
            eprintln!("timing {frames} frames of {} ...", source.describe());
            let hub = serve_port.map(|_| Hub::new(catalog(g)));
            if let (Some(port), Some(hub)) = (serve_port, &hub) {
                let args = ServeArgs { port: *port, bind: IpAddr::from([127, 0, 0, 1]), token: None };
                start_server(&args, hub.clone())?;
            }
            let report = stretchcoach::bench::run(
                &mut model,
                &images,
                (*frames).max(20),
                Plan::Auto(catalog(g)),
                hub.as_deref(),
            )?;
            if *json {
                outln!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                outln!(
                    "{} frames of {}x{}; whole pipeline {:.0} fps",
                    report.frames,
                    report.width,
                    report.height,
                    report.fps
                );
                outln!("{:<32} {:>10} {:>10} {:>12}", "stage", "median ms", "p95 ms", "x inference");
                for s in &report.stages {
                    outln!("{:<32} {:>10.3} {:>10.3} {:>12.3}", s.stage, s.median_ms, s.p95_ms, s.ratio_to_inference);
                }
            }
            Ok(())
        }
        Command::Serve { serve } => {
            let hub = make_hub(g, true);
            if let Some(db) = &hub.db {
                Store::open(db)?; // a clear error now rather than on every request
                eprintln!("Serving the history in {}", db.display());
            }
            let server = start_server(serve, hub)?;
            let _ = server.join();
            Ok(())
        }
        Command::Export { format, output, from, to } => {
            cmd_export(g, *format, output.as_deref(), from.as_deref(), to.as_deref())
        }
        Command::Synth { exercise, fault, seed, repeat } => {
            let frames = synth::generate(exercise, fault.as_deref(), 30.0, *seed)
                .map_err(|e| anyhow::anyhow!("{e}; faults of {exercise}: {}", synth::faults(exercise).join(", ")))?;
            let period = frames.last().map(|(t, _)| t + 1.0 / 30.0).unwrap_or(0.0);
            for k in 0..*repeat {
                for (t, pose) in &frames {
                    let mut r = PoseRecord::from(pose);
                    r.t = Some(((t + k as f64 * period) * 1000.0).round() / 1000.0);
                    outln!("{}", serde_json::to_string(&r)?);
                }
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
    if let Some(name) = &g.routine {
        let catalog = catalog(g);
        let (routines, errors) = routine::load_routines(g.exercises.as_deref(), &catalog);
        for e in &errors {
            eprintln!("warning: skipped a routine: {e}");
        }
        let known: Vec<&str> = routines.iter().map(|r| r.id.as_str()).collect();
        let Some(r) = routines.iter().find(|r| &r.id == name) else {
            bail!("unknown routine {name:?}; known: {}", known.join(", "));
        };
        return Ok(Plan::Routine(r.name.clone(), r.exercises(&catalog)));
    }
    if id == "auto" {
        let (catalog, errors) = exercise::load_catalog(g.exercises.as_deref());
        for e in &errors {
            eprintln!("warning: skipped a stretch definition: {e}");
        }
        return Ok(Plan::Auto(catalog));
    }
    Ok(Plan::One(Box::new(find_exercise(g, id)?)))
}

/// The folder frames are recorded to (created), only with --record.
fn record_dir(g: &Global) -> Result<Option<PathBuf>> {
    let Some(dir) = &g.record else { return Ok(None) };
    std::fs::create_dir_all(dir).with_context(|| format!("could not create the recording folder {}", dir.display()))?;
    eprintln!("Recording every frame to {} (--record)", dir.display());
    Ok(Some(dir.clone()))
}

/// The pose stage of a run: orientation-aware unless --plain-input.
fn load_stage(g: &Global) -> Result<Box<dyn PoseStage>> {
    let model = load_model(g)?;
    Ok(if g.plain_input { Box::new(model) } else { Box::new(OrientedEstimator::new(model)) })
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
    let mut stage = load_stage(g)?;
    let pose = stage.estimate(&img)?;
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
            let mut stage = load_stage(g)?;
            pipeline::run(source.as_mut(), stage.as_mut(), &mut session, Pace::Fast, |r, _, _| printer.frame(r))?;
        }
        (None, None) => bail!("give an INPUT (image, folder or video) or --keypoints FILE"),
    }
    let summary = session.summary();
    if let Some(db) = g.history_db(false) {
        let source = keypoints.or(input).map(|p| format!("check of {}", p.display())).unwrap_or_default();
        save_session(&db, &source, g.routine.as_deref(), &summary);
    }
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
    let stage = load_stage(g)?;
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

fn cmd_demo(g: &Global, serve: &ServeArgs, view: &ViewArgs, fast: bool, exit: bool) -> Result<()> {
    let hub = make_hub(g, false);
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
    let hub1 = Hub::with_history(catalog(g), Vec::new(), None);
    run_loop(g, open, options, Plan::Auto(catalog(g)), &hub1, view, fast, "demo clip")?;
    hub.set_source("generated bridge motion".into());

    // 2. Generated bridge motion through the judge: good reps, then each fault.
    use synth::BridgeForm as F;
    let forms = [F::GOOD, F::GOOD, F::HIPS_LOW, F::ARCHED, F::FEET_TOO_FAR, F::GOOD];
    let frames = synth::bridge_session(&forms, synth::RepTiming::default(), 30.0, synth::Noise::default(), 7);
    if !view.quiet {
        outln!("\nPart 2: a generated bridge: 2 good reps, hips too low, back arched, feet too far, 1 good rep");
    }
    let plan = Plan::One(Box::new(find_exercise(g, "bridge")?));
    let summary = replay_keypoints(g, &frames, !fast, plan, &hub, view, "demo: generated bridge motion");
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

/// The hub for a run: the catalog, the routines, and the history database (if this run keeps one).
fn make_hub(g: &Global, keep_history_by_default: bool) -> Arc<Hub> {
    let catalog = catalog(g);
    let (routines, errors) = routine::load_routines(g.exercises.as_deref(), &catalog);
    for e in errors {
        eprintln!("warning: skipped a routine: {e}");
    }
    Hub::with_history(catalog, routines, g.history_db(keep_history_by_default))
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
    let hub = make_hub(g, true);
    let server = start_server(serve, hub.clone())?;
    let path = path.to_path_buf();
    let source = format!("replay of {}", path.display());
    if path.extension().is_some_and(|e| e == "jsonl") {
        // A keypoint file: the judge and the page without the model.
        let frames = keypoint_file::read(&path)?;
        let summary = replay_keypoints(g, &frames, realtime, plan(g, exercise)?, &hub, view, &source);
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
        plan(g, exercise)?,
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
    let hub = make_hub(g, true);
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

fn cmd_history(g: &Global, limit: u32) -> Result<()> {
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

fn cmd_export(
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
            let field = |s: &str| {
                if s.contains([',', '"', '\n']) {
                    format!("\"{}\"", s.replace('"', "\"\""))
                } else {
                    s.to_string()
                }
            };
            let opt = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_default();
            let mut out = String::from(
                "session_id,started_at,ended_at,source,exercise,name,reps,rep_target,held_seconds,left_held,right_held,form_score,done,faults\n",
            );
            for s in &sessions {
                for t in &s.stretches {
                    let faults: Vec<String> = t.faults.iter().map(|(f, n)| format!("{f}:{n}")).collect();
                    out += &[
                        s.id.to_string(),
                        s.started_at.clone(),
                        s.ended_at.clone().unwrap_or_default(),
                        field(&s.source),
                        t.exercise.clone(),
                        field(&t.name),
                        t.reps.to_string(),
                        t.rep_target.map(|n| n.to_string()).unwrap_or_default(),
                        format!("{:.2}", t.held_seconds),
                        opt(t.left_held),
                        opt(t.right_held),
                        opt(t.form_score),
                        t.done.to_string(),
                        field(&faults.join(";")),
                    ]
                    .join(",");
                    out.push('\n');
                }
            }
            out
        }
    };
    match output {
        Some(p) => std::fs::write(p, text).with_context(|| format!("could not write {}", p.display()))?,
        None => out(format_args!("{}", text.trim_end())),
    }
    Ok(())
}

/// Stores a finished session in one go (runs that are not live: check, the demo).
fn save_session(db: &Path, source: &str, routine: Option<&str>, summary: &Summary) {
    close_recording(&mut Recorder::open(db, source, routine), summary, db, false);
}

/// The last save of a session, and a word about where it went (or why it did not).
fn close_recording(rec: &mut Recorder, summary: &Summary, db: &Path, quiet: bool) {
    rec.finish(summary);
    match (&rec.error, rec.id()) {
        (Some(e), _) => eprintln!("warning: {e}"),
        (None, Some(id)) if !quiet => eprintln!("Saved as session {id} in {}", db.display()),
        _ => {}
    }
}

fn cmd_eval_rotation(g: &Global, dir: &Path, json: bool) -> Result<()> {
    use stretchcoach::pose::orient::{pck, rotate, OrientedEstimator, RotationFigures};
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| stretchcoach::capture::replay::is_image_path(p))
        .collect();
    paths.sort();
    if paths.is_empty() {
        bail!("no photos (.jpg, .jpeg, .png) in {}", dir.display());
    }
    let mut plain = load_model(g)?;
    let mut oriented = OrientedEstimator::new(load_model(g)?);
    let mut table: Vec<(&str, Vec<RotationFigures>)> = Vec::new();
    for mode in ["plain", "oriented"] {
        let mut figures = Vec::new();
        for degrees in [0u32, 90, 180, 270] {
            let (mut pcks, mut scores) = (Vec::new(), Vec::new());
            for p in &paths {
                let img = image::open(p).with_context(|| format!("could not read {}", p.display()))?.to_rgb8();
                // Consistency: each input mode against its own result on the upright photo.
                let reference = if mode == "plain" {
                    plain.estimate(&img)?
                } else {
                    oriented.reset();
                    oriented.estimate(&img)?
                };
                let turned = rotate(&img, degrees);
                let pose = if mode == "plain" {
                    plain.estimate(&turned)?
                } else {
                    oriented.reset();
                    oriented.estimate(&turned)?
                };
                if let Some(v) = pck(&reference, &pose, degrees) {
                    pcks.push(v);
                }
                scores.push(pose.mean_score() as f64);
            }
            let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len().max(1) as f64;
            figures.push(RotationFigures { degrees, pck: mean(&pcks), mean_score: mean(&scores) });
        }
        table.push((mode, figures));
    }
    if json {
        let v: serde_json::Map<String, serde_json::Value> =
            table.iter().map(|(m, f)| (m.to_string(), serde_json::to_value(f).expect("figures serialise"))).collect();
        outln!("{}", serde_json::Value::Object(v));
    } else {
        outln!(
            "{} photos from {}; PCK@0.1 torso against the same input mode on the upright photo",
            paths.len(),
            dir.display()
        );
        outln!("{:<10} {:>8} {:>8} {:>12}", "input", "degrees", "PCK", "mean score");
        for (mode, figures) in &table {
            for f in figures {
                outln!("{:<10} {:>8} {:>8.3} {:>12.3}", mode, f.degrees, f.pck, f.mean_score);
            }
        }
    }
    Ok(())
}
