//! The command line: pose, check, demo, live, exercises, cameras.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};

use stretchcoach::capture::camera::{list_cameras, CameraRequest, CameraSource};
use stretchcoach::capture::{open_replay, FrameSource};
use stretchcoach::coach::SAFETY_NOTE;
use stretchcoach::exercise::{self, Exercise};
use stretchcoach::pipeline::{self, Pace};
use stretchcoach::pose::model::ModelOptions;
use stretchcoach::pose::{PoseModel, PoseRecord};
use stretchcoach::server::{self, LiveState, Shared};
use stretchcoach::session::{FrameReport, Plan, Session};
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
        Command::Demo { serve, fast, exit } => cmd_demo(g, serve, *fast, *exit),
        Command::Live { camera, resolution, fps, exercise, serve } => {
            cmd_live(g, *camera, resolution, *fps, exercise, serve)
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
    Ok(Plan::One(find_exercise(g, id)?))
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
fn start_server(args: &ServeArgs, live: Shared) -> Result<std::thread::JoinHandle<()>> {
    let addr = SocketAddr::new(args.bind, args.port);
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build()?;
    let listener = runtime.block_on(server::bind(addr, args.token.as_deref()))?;
    let app = server::router(live, args.token.clone());
    eprintln!("Serving the live page and API at http://{addr}/ (session summary: http://{addr}/api/session)");
    Ok(std::thread::spawn(move || {
        runtime.block_on(async move {
            if let Err(e) = axum::serve(listener, app).await {
                eprintln!("HTTP server stopped: {e}");
            }
        })
    }))
}

fn publish(live: &Shared, session: &Session, report: Option<&FrameReport>) {
    let mut l = live.write().expect("live state lock");
    if let Some(r) = report {
        l.status = Some(r.clone());
    }
    l.summary = Some(session.summary());
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

fn cmd_demo(g: &Global, serve: &ServeArgs, fast: bool, exit: bool) -> Result<()> {
    let live: Shared = Arc::new(RwLock::new(LiveState::default()));
    let server = start_server(serve, live.clone())?;
    let pace = if fast { Pace::Fast } else { Pace::Realtime };
    outln!("{SAFETY_NOTE}\n");

    // 1. A real clip through the real model (people walking: the bridge judge asks them to lie down).
    let clip = recordings_dir().join("walk");
    let mut model = load_model(g)?;
    let mut source = open_replay(&clip)?;
    outln!("Part 1: {} through the pose model", source.describe());
    let mut session = Session::new(find_exercise(g, "bridge")?);
    live.write().expect("live state lock").source = source.describe();
    live.write().expect("live state lock").running = true;
    let mut printer = Printer { json: false, last_prompt: None };
    let mut seen = 0usize;
    let stats = pipeline::run(source.as_mut(), &mut model, &mut session, pace, |r, pose, session| {
        seen += (pose.mean_score() > 0.3) as usize;
        printer.frame(r);
        publish(&live, session, Some(r));
    })?;
    outln!(
        "  {} frames, a person found in {seen}; model {:.1} ms per frame (median), whole frame {:.1} ms\n",
        stats.frames,
        stats.model_ms_median,
        stats.frame_ms_median
    );

    // 2. Generated bridge motion through the judge: good reps, then each fault.
    use synth::BridgeForm as F;
    let forms = [F::GOOD, F::GOOD, F::HIPS_LOW, F::ARCHED, F::FEET_TOO_FAR, F::GOOD];
    let frames = synth::bridge_session(&forms, synth::RepTiming::default(), 30.0, synth::Noise::default(), 7);
    outln!("Part 2: a generated bridge session: 2 good reps, hips too low, back arched, feet too far, 1 good rep");
    let mut session = Session::new(find_exercise(g, "bridge")?);
    live.write().expect("live state lock").source = "generated bridge motion".into();
    let start = std::time::Instant::now();
    let mut printer = Printer { json: false, last_prompt: None };
    for (t, pose) in &frames {
        pipeline::pace(pace, start, *t);
        let r = session.step(Some(pose), *t);
        printer.frame(&r);
        publish(&live, &session, Some(&r));
    }
    live.write().expect("live state lock").running = false;
    let s = session.summary();
    outln!("\nSummary: {} reps, {:.1} s held in good form, faults prompted: {:?}", s.reps, s.held_seconds, s.faults);
    if exit {
        return Ok(());
    }
    outln!(
        "Replay finished. The summary stays at http://{}:{}/api/session. Press Ctrl-C to quit.",
        serve.bind,
        serve.port
    );
    let _ = server.join();
    Ok(())
}

fn cmd_live(g: &Global, camera: u32, resolution: &str, fps: u32, exercise: &str, serve: &ServeArgs) -> Result<()> {
    let (width, height) = resolution
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse().ok()?, h.parse().ok()?)))
        .with_context(|| format!("--resolution must look like 640x480, not {resolution:?}"))?;
    let plan = plan(g, exercise)?;
    let mut model = load_model(g)?;
    let req = CameraRequest { index: camera, width, height, fps };
    let mut source = CameraSource::open(req).with_context(|| {
        "could not open the camera; `stretchcoach cameras` lists them, `stretchcoach demo` runs without one"
    })?;
    let live: Shared =
        Arc::new(RwLock::new(LiveState { source: source.describe(), running: true, ..Default::default() }));
    let _server = start_server(serve, live.clone())?;
    outln!("{SAFETY_NOTE}\n\nWatching {} ({exercise}). Ctrl-C to stop.", source.describe());
    let mut session = Session::with_plan(plan);
    let mut printer = Printer { json: false, last_prompt: None };
    let stats = pipeline::run(&mut source, &mut model, &mut session, Pace::Fast, |r, _, session| {
        printer.frame(r);
        publish(&live, session, Some(r));
    });
    stats?;
    Ok(())
}
