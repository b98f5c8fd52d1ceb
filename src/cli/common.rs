//! What the commands share: the run's context (the stretches and routines, loaded once), the pose model,
//! the recording folder and the HTTP server.

use std::cell::OnceCell;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};

use stretchcoach::coaching::session::{Plan, Session, UnknownExercise};
use stretchcoach::exercise::routine::{self, Routine};
use stretchcoach::exercise::{self, Exercise, ExerciseChoice};
use stretchcoach::running::hub::Hub;
use stretchcoach::running::pipeline::Pipeline;
use stretchcoach::running::shutdown::Shutdown;
use stretchcoach::running::twin::Twin;
use stretchcoach::seeing::pose::blazepose::BlazePose;
use stretchcoach::seeing::pose::model::{self, ModelOptions};
use stretchcoach::seeing::pose::orient::OrientedEstimator;
use stretchcoach::seeing::pose::{BareInference, PoseModel, PoseStage};
use stretchcoach::web::server;

use super::{Global, ServeArgs};

/// One run: the options, and the stretch catalog and routines, each read from disk the first time a
/// command needs it and then kept, so that a warning about a broken definition file prints once.
pub(super) struct Ctx {
    pub(super) g: Global,
    catalog: OnceCell<Vec<Exercise>>,
    routines: OnceCell<Vec<Routine>>,
    shutdown: OnceCell<Arc<Shutdown>>,
}

impl Ctx {
    pub(super) fn new(g: Global) -> Ctx {
        Ctx { g, catalog: OnceCell::new(), routines: OnceCell::new(), shutdown: OnceCell::new() }
    }

    /// The end of the run: requested by Ctrl-C or SIGTERM (listened for from the first call on), after which
    /// the commands that coach or serve stop their loop, save the session and exit 0.
    pub(super) fn shutdown(&self) -> Arc<Shutdown> {
        self.shutdown
            .get_or_init(|| {
                let shutdown = Shutdown::new();
                if let Err(e) =
                    shutdown.on_signals(|| eprintln!("\nStopping: saving the session (Ctrl-C again quits at once)"))
                {
                    eprintln!("warning: Ctrl-C will end the program without saving the session ({e})");
                }
                shutdown
            })
            .clone()
    }

    /// The stretches: the built-in ones, with those of --exercises added or replacing them.
    pub(super) fn catalog(&self) -> &[Exercise] {
        self.catalog.get_or_init(|| {
            let (catalog, errors) = exercise::load_catalog(self.g.exercises.as_deref());
            for e in &errors {
                eprintln!("warning: skipped a stretch definition: {e}");
            }
            catalog
        })
    }

    /// The routines: the built-in ones, with those of --exercises/routines added or replacing them.
    pub(super) fn routines(&self) -> &[Routine] {
        self.routines.get_or_init(|| {
            let (routines, errors) = routine::load_routines(self.g.exercises.as_deref(), self.catalog());
            for e in &errors {
                eprintln!("warning: skipped a routine: {e}");
            }
            routines
        })
    }

    /// The routine of --routine, else the stretch chosen, or all of them to recognise from.
    pub(super) fn plan(&self, choice: &ExerciseChoice) -> Result<Plan> {
        if let Some(name) = &self.g.routine {
            let routines = self.routines();
            let known: Vec<&str> = routines.iter().map(|r| r.id.as_str()).collect();
            let Some(r) = routines.iter().find(|r| &r.id == name) else {
                bail!("unknown routine {name:?}; known: {}", known.join(", "));
            };
            return Ok(Plan::Routine(r.name.clone(), r.exercises(self.catalog())));
        }
        Ok(Plan::choose(choice, self.catalog())?)
    }

    pub(super) fn find_exercise(&self, id: &str) -> Result<Exercise> {
        let catalog = self.catalog();
        match catalog.iter().find(|e| e.id == id) {
            Some(ex) => Ok(ex.clone()),
            None => {
                Err(UnknownExercise { id: id.into(), known: catalog.iter().map(|e| e.id.clone()).collect() }.into())
            }
        }
    }

    /// The hub for a run: the catalog, the routines, and the history database (if this run keeps one).
    pub(super) fn make_hub(&self, keep_history_by_default: bool) -> Arc<Hub> {
        Hub::with_history(self.catalog().to_vec(), self.routines().to_vec(), self.g.history_db(keep_history_by_default))
    }
}

/// Threads unless --threads says: flat out, every core (at most 4) spinning. At a camera's pace, one thread,
/// resting between frames (BlazePose keeps up with 30 fps on 0.4 of a core here), and every core only once the
/// model falls behind the camera (`running::live::Pacing`; Thunder did, here, on a slow day). Threads the
/// user chose stay as chosen.
fn model_options(g: &Global, flat_out: bool) -> ModelOptions {
    let mut options = ModelOptions { spin: flat_out, ..ModelOptions::default() };
    if !flat_out {
        options.threads = 1;
    }
    if let Some(t) = g.threads {
        (options.threads, options.widen) = (t, false);
    }
    options
}

/// Judging a recording flat out (`check`): without --threads, two stages side by side on one thread each
/// (`running::twin`), which on 2 cores is the most frames for the least CPU; with it, one stage on that many.
pub(super) fn flat_out_pipeline(g: &Global, session: Session) -> Result<Pipeline> {
    if g.threads.is_some() {
        return Ok(Pipeline::new(Some(load_stage(g, true)?), session));
    }
    let mut one = g.clone();
    one.threads = Some(1);
    let twin = Twin::start(move || load_stage(&one, true))?;
    Ok(Pipeline::with_twin(twin, session))
}

/// The shipped BlazePose model --model names, if it names one.
pub(super) fn blazepose_named(g: &Global) -> Option<&'static model::Shipped> {
    let name = match &g.model {
        Some(m) => m.to_str()?,
        // The default, unless --plain-input asks for MoveNet's plain input.
        None if g.plain_input => return None,
        None => model::DEFAULT_MODEL,
    };
    model::shipped(name).filter(|m| m.is_blazepose())
}

/// The pose model. `flat_out` for work that runs as fast as it can (files, benchmarks); otherwise the
/// model's threads rest between frames instead of spinning, which a camera-paced loop needs.
pub(super) fn load_model(g: &Global, flat_out: bool) -> Result<PoseModel> {
    let options = model_options(g, flat_out);
    if let Some(m) = blazepose_named(g) {
        bail!("--model {} is a detector and landmark pair, not a single MoveNet-style model; this command needs lightning, thunder or a MoveNet-style file", m.name);
    }
    Ok(match &g.model {
        Some(name) => match name.to_str().and_then(model::shipped) {
            Some(shipped) => PoseModel::shipped(shipped, options)?,
            None => PoseModel::load(name, None, options)?,
        },
        None => PoseModel::bundled(options)?,
    })
}

/// The model `bench` times bare: the MoveNet model itself, or BlazePose's landmark model alone.
pub(super) fn load_bare(g: &Global, flat_out: bool) -> Result<Box<dyn BareInference>> {
    Ok(match blazepose_named(g) {
        Some(m) => Box::new(BlazePose::shipped(m, model_options(g, flat_out))?),
        None => Box::new(load_model(g, flat_out)?),
    })
}

/// The pose stage of a run: BlazePose when named (it tracks on its own; --plain-input does not apply),
/// otherwise the MoveNet model, orientation-aware unless --plain-input.
pub(super) fn load_stage(g: &Global, flat_out: bool) -> Result<Box<dyn PoseStage>> {
    if g.plain_input && blazepose_named(g).is_none() {
        return Ok(Box::new(load_model(g, flat_out)?));
    }
    load_rotation_aware(g, flat_out)
}

/// The pose stage that keeps a turned body upright, whatever --plain-input says: BlazePose (its region turns
/// with the body), or the MoveNet model behind the orientation-aware input.
pub(super) fn load_rotation_aware(g: &Global, flat_out: bool) -> Result<Box<dyn PoseStage>> {
    if let Some(m) = blazepose_named(g) {
        return Ok(Box::new(BlazePose::shipped(m, model_options(g, flat_out))?));
    }
    Ok(Box::new(OrientedEstimator::new(load_model(g, flat_out)?)))
}

/// The folder frames are recorded to (created), only with --record.
pub(super) fn record_dir(g: &Global) -> Result<Option<PathBuf>> {
    let Some(dir) = &g.record else { return Ok(None) };
    std::fs::create_dir_all(dir).with_context(|| format!("could not create the recording folder {}", dir.display()))?;
    eprintln!("Recording every frame to {} (--record)", dir.display());
    Ok(Some(dir.clone()))
}

/// Where the bundled recordings live: ./recordings or the checkout the binary was built from.
pub(super) fn recordings_dir() -> PathBuf {
    let local = PathBuf::from("recordings");
    if local.exists() {
        local
    } else {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("recordings")
    }
}

/// The HTTP server, running on its own thread.
pub(super) struct Server {
    thread: std::thread::JoinHandle<()>,
    stop: Arc<Shutdown>,
    /// Where it listens (the port the system chose, for --port 0).
    pub(super) addr: SocketAddr,
    token: Option<String>,
}

impl Server {
    /// The page's address, with the token when there is one.
    pub(super) fn page_url(&self, query: &str) -> String {
        let mut params: Vec<String> = self.token.iter().map(|t| format!("token={t}")).collect();
        params.extend((!query.is_empty()).then(|| query.to_string()));
        let q = if params.is_empty() { String::new() } else { format!("?{}", params.join("&")) };
        format!("http://{}/{q}", self.addr)
    }

    /// Stops the server: event streams get a last `ended` and close, requests in flight finish.
    pub(super) fn stop(self) {
        self.stop.request();
        let _ = self.thread.join();
    }
}

/// Starts the HTTP server on its own thread; returns once it is listening.
pub(super) fn start_server(args: &ServeArgs, hub: Arc<Hub>) -> Result<Server> {
    let addr = SocketAddr::new(args.bind, args.port);
    // Two workers: a page rendered or a history read that takes a while does not hold up the event stream
    // or the browser camera's socket.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name(server::HTTP_THREAD)
        .enable_all()
        .build()?;
    let listener = runtime.block_on(server::bind(addr, args.token.as_deref()))?;
    let addr = listener.local_addr().unwrap_or(addr);
    let app = server::router(hub.clone(), args.token.clone());
    eprintln!("Live page: http://{addr}/   session summary: http://{addr}/api/session");
    let stop = Shutdown::new();
    let stopped = stop.clone();
    let thread = std::thread::Builder::new().name(server::HTTP_THREAD.into());
    let thread = thread.spawn(move || {
        runtime.block_on(server::serve(listener, app, async move {
            stopped.requested().await;
            hub.close_events();
        }))
    })?;
    Ok(Server { thread, stop, addr, token: args.token.clone() })
}
