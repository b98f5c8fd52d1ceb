//! The command line: the clap definitions, and `run`, which hands each command to its module.

use std::io::Write;
use std::net::IpAddr;
use std::path::PathBuf;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use stretchcoach::exercise::ExerciseChoice;
use stretchcoach::history::store;

use common::Ctx;

/// `println!` that ends the program quietly when stdout's reader has gone away.
macro_rules! outln {
    ($($arg:tt)*) => { $crate::cli::out(format_args!($($arg)*)) };
}

mod clinic;
mod coach;
mod common;
mod eval;
mod history;
mod lists;
mod pose;
mod tools;

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
pub struct Cli {
    #[command(subcommand)]
    command: Command,
    #[command(flatten)]
    global: Global,
}

#[derive(Args, Clone)]
struct Global {
    /// The pose model: a shipped one by name (blazepose-full, the default and the most accurate; thunder;
    /// lightning, the fastest; `stretchcoach models` lists them), or the path of another ONNX model with
    /// MoveNet's input/output.
    #[arg(long, global = true, value_name = "NAME|PATH")]
    model: Option<PathBuf>,
    /// Folder of stretch definitions (*.toml) that add to or replace the built-in ones.
    #[arg(long, global = true, value_name = "DIR")]
    exercises: Option<PathBuf>,
    /// Threads for the pose model. Default: judging a file flat out (check), two models side by side on one
    /// thread each; at a camera's pace one thread, and every core (at most 4) once the model falls behind
    /// the camera; other work flat out, every core. Given, one model runs on this many threads.
    #[arg(long, global = true)]
    threads: Option<usize>,
    /// Session history database (SQLite). Default for live, replay, history, serve, export and share:
    /// $XDG_DATA_HOME/stretchcoach/sessions.db; check and demo keep history only when given one.
    /// For `clinic`: the clinic's PostgreSQL database, postgres://USER[:PASSWORD]@HOST[:PORT]/DB.
    #[arg(long, global = true, value_name = "PATH|URL")]
    db: Option<PathBuf>,
    /// MoveNet with the whole frame, letterboxed, as it is (Thunder, unless --model names another MoveNet
    /// model); otherwise MoveNet's input is turned so that the body is upright and cropped around it (lying
    /// stretches need this), and BlazePose turns its own region with the body.
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

/// Sharing each session with a clinic when it ends.
#[derive(Args, Clone)]
struct ShareArgs {
    /// When the session ends, share it (and any earlier one not shared yet) with the clinic at URL, in the
    /// background: the summary and timeline, never a frame. A failure is said once; the next run retries.
    #[arg(long, value_name = "URL", requires = "share_token")]
    share: Option<String>,
    /// Your token from the clinic (`clinic add-patient` prints it). Better in the environment than on the
    /// command line, where other users of this machine can see it.
    #[arg(long, value_name = "TOKEN", env = "STRETCHCOACH_SHARE_TOKEN", hide_env_values = true)]
    share_token: Option<String>,
}

/// What a coached session takes, from the camera or a recording: the stretch, the server, the terminal and
/// sharing.
#[derive(Args, Clone)]
struct SessionArgs {
    /// Which stretch, or "auto" to recognise it from the pose.
    #[arg(long, default_value = "auto")]
    exercise: ExerciseChoice,
    #[command(flatten)]
    serve: ServeArgs,
    #[command(flatten)]
    view: ViewArgs,
    #[command(flatten)]
    share: ShareArgs,
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

/// Which camera `live` watches.
#[derive(Clone, Copy, Debug)]
enum CameraChoice {
    /// Opened by this program (nokhwa).
    Index(u32),
    /// The page's, sent over a WebSocket.
    Browser,
}

fn parse_camera(s: &str) -> Result<CameraChoice, String> {
    match s {
        "browser" => Ok(CameraChoice::Browser),
        n => n.parse().map(CameraChoice::Index).map_err(|_| format!("{n:?} is neither `browser` nor a camera number")),
    }
}

/// `--hold`: how long a photo is held still, a positive number of seconds.
fn parse_hold(s: &str) -> Result<f64, String> {
    s.parse::<f64>()
        .ok()
        .filter(|h| h.is_finite() && *h > 0.0)
        .ok_or_else(|| "must be a positive number of seconds".to_string())
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ExportFormat {
    Csv,
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Find the person's landmarks (17 joints; with BlazePose 33, and the back's curve) in one image.
    Pose {
        image: PathBuf,
        /// Print {"width","height","keypoints":[[x,y,score],...],"landmarks":{"left_heel":[x,y,score],...},
        /// "back_curve":c|null}: COCO-17 in order, every landmark the model gives by MediaPipe's name, the
        /// back's curve in torso lengths (+ rounded, - arched), all in pixels of IMAGE.
        #[arg(long)]
        json: bool,
        /// Also write the image with the skeleton, feet and back's outline drawn over it (PNG or JPEG).
        #[arg(long, value_name = "OUT")]
        draw: Option<PathBuf>,
    },
    /// Judge a stretch in a photo (as if held still), a folder of images, a video or GIF, or a keypoint file.
    Check {
        /// Photo (.jpg, .png, .webp, .bmp, .tiff), folder of images (name order), video (.mp4, .webm, .mov, .gif...), or keypoint file
        /// (.jsonl). Not needed with --keypoints.
        input: Option<PathBuf>,
        /// Judge a keypoint file (JSON Lines of `pose --json` objects with optional "t") instead of images.
        #[arg(long, value_name = "FILE")]
        keypoints: Option<PathBuf>,
        /// Which stretch (see `stretchcoach exercises`), or "auto" to recognise it from the pose.
        #[arg(long, default_value = "auto")]
        exercise: ExerciseChoice,
        /// One JSON object per frame, then {"summary": {...}}.
        #[arg(long)]
        json: bool,
        /// Seconds a photo (or a GIF of one frame) is judged for, as if the person held still that long.
        #[arg(long, default_value_t = stretchcoach::seeing::capture::replay::PHOTO_HOLD, value_parser = parse_hold)]
        hold: f64,
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
    /// Coach from the camera, live: the browser's (`--camera browser`) or one this program opens itself.
    ///
    /// `--camera browser` serves the page and waits for it: open the address it prints in a browser on this
    /// machine and allow the camera. Frames go from the page to this program over loopback and are never
    /// stored (unless --record). Works on any laptop, no camera drivers needed. A number opens that camera
    /// directly (V4L2 on Linux): for a box without a browser, or a fixed USB camera.
    Live {
        /// `browser`, or the index of a camera this program opens (see `stretchcoach cameras`).
        #[arg(long, default_value = "0", value_parser = parse_camera)]
        camera: CameraChoice,
        /// Requested camera resolution, WIDTHxHEIGHT.
        #[arg(long, default_value = "640x480")]
        resolution: String,
        #[arg(long, default_value_t = 30)]
        fps: u32,
        #[command(flatten)]
        session: SessionArgs,
    },
    /// Run the live loop on a recording (image, folder of images, video, or a .jsonl keypoint file),
    /// serving the page meanwhile and saving the session to the history.
    Replay {
        path: PathBuf,
        /// Deliver frames at the recording's own pace, as a camera would (default: as fast as possible).
        #[arg(long)]
        realtime: bool,
        #[command(flatten)]
        session: SessionArgs,
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
    /// List the shipped pose models with their size, and time each on this machine.
    Models {
        /// Print the list as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Rotation consistency of the pose model on the photos of DIR: each photo turned by 90, 180 and 270
    /// degrees, keypoints turned back and compared with the upright result (PCK at 0.1 torso lengths).
    EvalRotation {
        dir: PathBuf,
        /// Also (and first) the plain model, without orientation-aware input.
        #[arg(long)]
        json: bool,
    },
    /// How the coach does on real footage laid out by stretch (DIR/<stretch-id>/, DIR/other/).
    ///
    /// DIR/<stretch-id>/ holds photos, videos or keypoint files
    /// (.jsonl) of people doing that stretch, DIR/other/ poses that are none of them. Each file is judged
    /// with the stretch recognised and with it given; per stretch and overall it reports how often the
    /// stretch was recognised, set-up prompts for people in full view (false alarms), fault prompts on
    /// files labelled good, labelled faults found, exact rep counts, and "other" files taken for a stretch.
    /// Optional DIR/<stretch-id>/labels.toml, a table per file:
    /// ["clip.mp4"] reps = 2, good = true, faults = ["hips-low"], in_view = true. A file that cannot be read
    /// is listed at the end and counted nowhere; a folder whose name starts with a dot (.disputed) is skipped.
    Eval {
        dir: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Seconds a photo is judged for, as if the person held still that long.
        #[arg(long, default_value_t = stretchcoach::seeing::capture::replay::PHOTO_HOLD, value_parser = parse_hold)]
        hold: f64,
        /// Name a clip shorter than the hold over one pass. By default a short clip (an app's looping GIF) is
        /// named over its loop played for as long as a photo is held, as it plays; reps and faults are always
        /// judged over one pass.
        #[arg(long)]
        once: bool,
        /// Also list every file, and each check's range next to what it measured on files labelled good.
        #[arg(long)]
        verbose: bool,
        /// Write the poses found in each file to DIR (same layout, .jsonl keypoint files, with the
        /// labels), so that a changed definition can be evaluated again without the model.
        #[arg(long, value_name = "DIR")]
        save_poses: Option<PathBuf>,
    },
    /// How close the pose model puts each joint to where a person placed it by hand (PCK).
    ///
    /// On the photos of DIR (NAME.jpg with NAME.json beside it: {"keypoints": [[x, y, v], ...]}, COCO order, v = 0 not placed):
    /// PCK at 0.1 and 0.2 torso lengths, through the same pose stage as `pose`.
    EvalJoints {
        dir: PathBuf,
        /// Print the report as JSON.
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
        /// Feed the frames at this rate, as a camera would (e.g. 30), and report the share of the time
        /// the loop was busy and the frames that overran the camera's interval. Default: flat out.
        #[arg(long)]
        fps: Option<f64>,
        /// Keep the model's threads spinning between frames even when paced (as flat out does), to see
        /// what spinning costs at a camera's pace.
        #[arg(long)]
        spin: bool,
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
    /// Write a report for a clinician: one self-contained HTML page (charts, a table per stretch, the
    /// safety note; no frames), printable to PDF from a browser. Also served at /report.
    Report {
        /// Only sessions started on or after this date (YYYY-MM-DD).
        #[arg(long)]
        from: Option<String>,
        /// Only sessions started on or before this date (YYYY-MM-DD).
        #[arg(long)]
        to: Option<String>,
        /// Where to write the page.
        #[arg(long, short, default_value = "report.html")]
        output: PathBuf,
    },
    /// Share your sessions with your clinic: the ones it does not have yet, or has an older copy of.
    ///
    /// Only summaries and timelines are sent (what the report shows), never a frame, and only to the URL
    /// you give. Sharing twice stores each session once. If the clinic cannot be reached nothing is lost:
    /// the next share sends what is missing.
    Share {
        /// The clinic's address, e.g. https://clinic.example.org (http:// only on a private network).
        url: String,
        /// Your token from the clinic. Better in the environment than on the command line.
        #[arg(long, env = "STRETCHCOACH_SHARE_TOKEN", hide_env_values = true)]
        token: String,
    },
    /// A clinic's server: patients share their sessions with it; the clinician sees every patient's
    /// progress, sessions and report. Needs --db postgres://USER@HOST/DB.
    ///
    /// Without a subcommand it serves (on loopback unless --bind says otherwise; put it behind a TLS
    /// reverse proxy to reach it from elsewhere, see the README). The clinician's token is
    /// $STRETCHCOACH_CLINIC_TOKEN, or one generated at first start and printed once.
    Clinic {
        #[command(subcommand)]
        action: Option<ClinicCommand>,
        /// Port to serve on.
        #[arg(long, default_value_t = 8090)]
        port: u16,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        bind: IpAddr,
    },
}

#[derive(Subcommand)]
enum ClinicCommand {
    /// Add a patient and print their token (the last word of the last line); only its hash is kept, so
    /// it is shown this once. A revoked patient gets a new token and keeps their sessions.
    AddPatient { name: String },
    /// List the patients, with their sessions and the days they stretched in the last 7 and 28 days.
    Patients,
    /// Revoke a patient's token: it no longer reads or shares anything. Their sessions are kept.
    Revoke { name: String },
}

/// Runs the command: each is handled in the module named for what it works on.
pub fn run(cli: Cli) -> Result<()> {
    let Cli { command, global } = cli;
    let cx = Ctx::new(global);
    let g = &cx.g;
    match &command {
        Command::Pose { image, json, draw } => pose::cmd_pose(g, image, *json, draw.as_deref()),
        Command::Check { input, keypoints, exercise, json, hold } => {
            pose::cmd_check(&cx, input.as_deref(), keypoints.as_deref(), exercise, *json, *hold)
        }
        Command::Demo { serve, view, fast, exit } => coach::cmd_demo(&cx, serve, view, *fast, *exit),
        Command::Live { camera, resolution, fps, session } => coach::cmd_live(&cx, *camera, resolution, *fps, session),
        Command::Replay { path, realtime, session, exit } => coach::cmd_replay(&cx, path, *realtime, session, *exit),
        Command::Exercises => lists::cmd_exercises(&cx),
        Command::Routines => lists::cmd_routines(&cx),
        Command::Models { json } => lists::cmd_models(g, *json),
        Command::History { limit } => history::cmd_history(g, *limit),
        Command::EvalRotation { dir, json } => pose::cmd_eval_rotation(g, dir, *json),
        Command::Eval { dir, json, hold, once, verbose, save_poses } => {
            eval::cmd_eval(&cx, dir, *json, *hold, *once, *verbose, save_poses.as_deref())
        }
        Command::EvalJoints { dir, json } => eval::cmd_eval_joints(g, dir, *json),
        Command::Bench { frames, input, json, serve_port, fps, spin } => {
            tools::cmd_bench(&cx, *frames, input.as_deref(), *json, *serve_port, *fps, *spin)
        }
        Command::Serve { serve } => history::cmd_serve(&cx, serve),
        Command::Export { format, output, from, to } => {
            history::cmd_export(g, *format, output.as_deref(), from.as_deref(), to.as_deref())
        }
        Command::Report { from, to, output } => history::cmd_report(&cx, from.as_deref(), to.as_deref(), output),
        Command::Synth { exercise, fault, seed, repeat } => {
            tools::cmd_synth(exercise, fault.as_deref(), *seed, *repeat)
        }
        Command::Cameras => lists::cmd_cameras(),
        Command::Share { url, token } => clinic::cmd_share(g, url, token),
        Command::Clinic { action, port, bind } => clinic::cmd_clinic(&cx, action.as_ref(), *bind, *port),
    }
}
