//! `stretchcoach bench`: each stage of the per-frame pipeline timed on real frames, with bare inference as
//! the baseline every other figure is a ratio of, so a user can check their own machine.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

use crate::coaching::session::{Plan, Session};
use crate::quantile::quantiles;
use crate::running::hub::Hub;
use crate::running::pipeline::{pace, LoopError, Pace, Pipeline, Sink, Step, StepError};
use crate::seeing::capture::{CaptureError, Frame, FrameSource};
use crate::seeing::pose::{BareInference, PoseRecord, PoseStage};
use crate::web::server::HTTP_THREAD;

#[derive(Debug, Clone, Serialize)]
pub struct StageTime {
    pub stage: &'static str,
    pub median_ms: f64,
    pub p95_ms: f64,
    /// Median over the median of bare inference.
    pub ratio_to_inference: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub frames: usize,
    pub width: u32,
    pub height: u32,
    pub stages: Vec<StageTime>,
    /// Frames per second achieved by the whole per-frame pipeline (frames over elapsed time).
    pub fps: f64,
    /// When paced like a camera (`--fps`): the share of the time the loop was busy with a frame, and the
    /// frames that took longer than the camera's frame interval (a live camera would have dropped one).
    pub paced: Option<Paced>,
    /// CPU time used meanwhile by the HTTP server's threads (`--serve-port`), in ms.
    pub server_cpu_ms: Option<f64>,
    /// CPU used by the whole process while timing the pipeline, in cores (1.0 = one core all the time).
    pub cpu_cores: Option<f64>,
    /// Model runs per frame (1 while tracking; the orientation-aware input searches with 5 when lost).
    pub model_runs_per_frame: f64,
    /// From the launch of the process to its first judged frame (set by the caller, which starts the run).
    pub startup: Option<Startup>,
}

/// Where the time to the first judged frame goes, in ms.
#[derive(Debug, Clone, Serialize)]
pub struct Startup {
    /// From the process's launch (as the kernel counts it, to 10 ms) to the first frame judged.
    pub to_first_judged_ms: f64,
    /// Loading the pose models (files checked against their sha256, ONNX Runtime sessions made).
    pub models_ms: f64,
    /// Opening the source and decoding its first frame.
    pub first_frame_ms: f64,
    /// The first frame through the models (the first run of each is the slowest) and the judge.
    pub first_judged_ms: f64,
}

/// Milliseconds since this process was launched, from /proc (Linux; 10 ms steps).
pub fn since_launch_ms() -> Option<f64> {
    // Field 22 (starttime), in clock ticks since boot.
    let started: f64 = stat_fields("/proc/self/stat".as_ref())?.get(19)?.parse().ok()?;
    let uptime: f64 = std::fs::read_to_string("/proc/uptime").ok()?.split_whitespace().next()?.parse().ok()?;
    Some((uptime - started / TICKS_PER_S) * 1e3)
}

#[derive(Debug, Clone, Serialize)]
pub struct Paced {
    pub target_fps: f64,
    pub busy: f64,
    pub late_frames: usize,
    /// CPU the process used while the loop slept between frames, in cores, over that sleeping time:
    /// near 0 when the model's threads rest, near 1 or more when they spin. Its own test is robust because
    /// neither the speed of the build nor other processes put CPU time into this process's idle gaps.
    pub idle_cpu_cores: Option<f64>,
    /// Seconds the loop slept between frames, in all (the denominator of `idle_cpu_cores`).
    pub idle_s: f64,
    /// The frame at which the model fell behind the camera and was given more threads, as `live` does.
    pub widened_at: Option<usize>,
    /// The CPU the process used (`cpu_cores`) over what the model's own bare inference needs at this pace
    /// (the frame rate times its median): what the loop costs beyond the network itself.
    pub cpu_to_inference: Option<f64>,
}

/// USER_HZ, the unit of times in /proc: 100 on every Linux ABI.
const TICKS_PER_S: f64 = 100.0;

/// The fields of a /proc `stat` file after the parenthesised command name (which may hold spaces): field 3,
/// the state, comes first.
fn stat_fields(path: &std::path::Path) -> Option<Vec<String>> {
    let stat = std::fs::read_to_string(path).ok()?;
    Some(stat.rsplit_once(')')?.1.split_whitespace().map(str::to_string).collect())
}

/// CPU time (user + system, ms) from a /proc `stat` file (Linux only).
fn stat_cpu_ms(path: &std::path::Path) -> Option<f64> {
    // utime is field 14, stime 15.
    let rest = stat_fields(path)?;
    let ticks: f64 = rest.get(11)?.parse::<f64>().ok()? + rest.get(12)?.parse::<f64>().ok()?;
    Some(ticks / TICKS_PER_S * 1e3)
}

/// The benchmark's frames: `n` of `images`, in turn, handed over at `pace` frames per second like a camera's
/// (measuring what the process burns while it waits), else as fast as they are taken.
struct Frames<'a> {
    images: &'a [RgbImage],
    n: usize,
    next: usize,
    pace: Option<f64>,
    start: Instant,
    idle_cpu_ms: Option<f64>,
    idle_ms: f64,
    /// When the last frame was handed over: where its whole time starts.
    handed: Rc<Cell<Instant>>,
}

impl FrameSource for Frames<'_> {
    fn next_frame(&mut self) -> Result<Option<Frame>, CaptureError> {
        let i = self.next;
        if i == self.n {
            return Ok(None);
        }
        self.next += 1;
        let image = self.images[i % self.images.len()].clone();
        if let Some(fps) = self.pace {
            // What the process burns while this thread sleeps is what the model's threads spin.
            let (c0, w0) = (process_cpu_ms_precise(), Instant::now());
            pace(Pace::Realtime, self.start, i as f64 / fps);
            let c1 = process_cpu_ms_precise();
            self.idle_ms += w0.elapsed().as_secs_f64() * 1e3;
            self.idle_cpu_ms = self.idle_cpu_ms.zip(c0).zip(c1).map(|((sum, c0), c1)| sum + (c1 - c0));
        }
        self.handed.set(Instant::now());
        Ok(Some(Frame::image(i as u64, i as f64 / 30.0, image)))
    }
    fn fps(&self) -> f64 {
        self.pace.unwrap_or(30.0)
    }
    fn describe(&self) -> String {
        format!("{} benchmark frames", self.n)
    }
}

/// Each judged frame's times, by stage; the hub fed as `live` feeds it, and the model widened as `live` does.
struct Timed<'h> {
    hub: Option<&'h Hub>,
    pace: Option<f64>,
    handed: Rc<Cell<Instant>>,
    pacing: crate::running::live::Pacing,
    widened_at: Option<usize>,
    widen_error: Option<StepError>,
    pre: Vec<f64>,
    inf: Vec<f64>,
    dec: Vec<f64>,
    sil: Vec<f64>,
    orient: Vec<f64>,
    judge: Vec<f64>,
    whole: Vec<f64>,
    runs: u64,
}

impl Sink for Timed<'_> {
    fn judged(&mut self, frame: Frame, step: Step, pipeline: &mut Pipeline) {
        if let Some(hub) = self.hub {
            hub.publish(
                &step.report,
                PoseRecord::from(&step.pose),
                None,
                std::sync::Arc::new(pipeline.session.summary()),
                |s| s.processed += 1,
            );
        }
        let times = step.times;
        if let Some(fps) = self.pace {
            let t = frame.index as f64 / fps;
            match self.pacing.keep_up(pipeline, frame.index, t, times.pose_ms).map(|w| w.widened) {
                Some(Ok(widened)) => self.widened_at = widened.then_some(frame.index as usize),
                Some(Err(e)) => self.widen_error = Some(e),
                None => {}
            }
        }
        self.pre.push(times.model.prepare_ms);
        self.inf.push(times.model.infer_ms);
        self.dec.push(times.model.decode_ms);
        self.sil.push(times.model.silhouette_ms);
        self.orient.push((times.pose_ms - times.model_ms()).max(0.0));
        self.runs += times.model.runs as u64;
        let whole = self.handed.get().elapsed().as_secs_f64() * 1e3;
        // Everything after the pose: judging, and publishing when there is a hub.
        self.judge.push(whole - times.pose_ms);
        self.whole.push(whole);
    }
}

/// CPU time (ms) of this whole process so far.
pub fn process_cpu_ms() -> Option<f64> {
    stat_cpu_ms("/proc/self/stat".as_ref())
}

/// CPU time (ms) of this whole process so far, to the nanosecond: the sum over its threads of the
/// scheduler's run time (the first field of /proc/self/task/*/schedstat), where `stat` counts 10 ms ticks.
pub fn process_cpu_ms_precise() -> Option<f64> {
    let mut ns = 0u64;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        let stat = std::fs::read_to_string(task.path().join("schedstat")).ok()?;
        ns += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(ns as f64 / 1e6)
}

/// CPU time (ms) of this process's threads named `name`.
pub fn thread_cpu_ms(name: &str) -> Option<f64> {
    let mut total = 0.0;
    for task in std::fs::read_dir("/proc/self/task").ok()?.flatten() {
        if std::fs::read_to_string(task.path().join("comm")).is_ok_and(|c| c.trim_end() == name) {
            total += stat_cpu_ms(&task.path().join("stat"))?;
        }
    }
    Some(total)
}

fn stage_time(name: &'static str, mut xs: Vec<f64>, baseline: f64) -> StageTime {
    let [m, p95] = quantiles(&mut xs, [0.5, 0.95]);
    StageTime { stage: name, median_ms: m, p95_ms: p95, ratio_to_inference: m / baseline }
}

/// Times `n` frames (cycling through `images`) through `stage`, the pose stage the live loop uses (the
/// orientation-aware input unless --plain-input), then a session. Bare inference of `model`, the same
/// model file on a fixed letterboxed input, comes first: the baseline every other figure is a ratio of.
/// With `hub`, every frame is also published to it, as the live loop does (to measure the server's
/// effect on the loop under load). With `pace`, frames come at that rate, as from a camera, and so do the
/// baseline's runs: a model woken 30 times a second is slower than one kept busy, and the ratio must
/// compare like with like.
pub fn run(
    model: &mut dyn BareInference,
    mut stage: Box<dyn PoseStage>,
    images: &[RgbImage],
    n: usize,
    plan: Plan,
    hub: Option<&Hub>,
    pace: Option<f64>,
) -> Result<BenchReport, StepError> {
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let Some(first) = images.first() else { return Err(StepError::NoFrames) };
    let (w, h) = (first.width(), first.height());
    model.prepare_bare(first);
    for _ in 0..10 {
        model.infer_bare()?; // warm-up
    }
    for img in images.iter().take(10) {
        stage.estimate(img)?; // warm-up, and the person found
    }
    stage.take_times();
    // Sleeps until frame `i` is due, when paced.
    let wait = |start: Instant, i: usize| {
        if let Some(fps) = pace {
            crate::running::pipeline::pace(crate::running::pipeline::Pace::Realtime, start, i as f64 / fps);
        }
    };
    let mut bare = Vec::with_capacity(n);
    let start = Instant::now();
    for i in 0..n {
        wait(start, i);
        let t = Instant::now();
        model.infer_bare()?;
        bare.push(ms(t));
    }
    let [baseline] = quantiles(&mut bare.clone(), [0.5]);
    // The frames go through the loop every command runs (the pipeline times the model's stages itself), from
    // a source that hands them over like a camera when paced.
    let mut pipeline = Pipeline::new(Some(stage), Session::with_plan(plan));
    let server_cpu_before = hub.and(thread_cpu_ms(HTTP_THREAD));
    let cpu_before = process_cpu_ms();
    let handed = Rc::new(Cell::new(Instant::now()));
    let start = Instant::now();
    let mut source =
        Frames { images, n, next: 0, pace, start, idle_cpu_ms: Some(0.0), idle_ms: 0.0, handed: handed.clone() };
    let mut times = Timed {
        hub,
        pace,
        handed,
        pacing: Default::default(),
        widened_at: None,
        widen_error: None,
        pre: vec![],
        inf: vec![],
        dec: vec![],
        sil: vec![],
        orient: vec![],
        judge: vec![],
        whole: vec![],
        runs: 0,
    };
    crate::running::pipeline::run(&mut source, &mut pipeline, Pace::Fast, &mut times).map_err(|e| match e {
        LoopError::Step(e) => e,
        LoopError::Capture(e) => StepError::Model(crate::seeing::pose::ModelError::Inference(e.to_string())),
    })?;
    if let Some(e) = times.widen_error {
        return Err(e);
    }
    let Timed { pre, inf, dec, sil, orient, judge, whole, runs, widened_at, .. } = times;
    let (idle_cpu_ms, idle_ms) = (source.idle_cpu_ms, source.idle_ms);
    let elapsed_ms = ms(start);
    let cpu_cores = cpu_before.and_then(|b| Some((process_cpu_ms()? - b) / elapsed_ms));
    let paced = pace.map(|fps| Paced {
        target_fps: fps,
        busy: whole.iter().sum::<f64>() / elapsed_ms,
        late_frames: whole.iter().filter(|&&t| t > 1e3 / fps).count(),
        idle_cpu_cores: idle_cpu_ms.filter(|_| idle_ms > 0.0).map(|c| c / idle_ms),
        idle_s: idle_ms / 1e3,
        widened_at,
        cpu_to_inference: cpu_cores.filter(|_| baseline > 0.0).map(|c| c / (fps * baseline / 1e3)),
    });
    let server_cpu_ms = server_cpu_before.and_then(|b| Some(thread_cpu_ms(HTTP_THREAD)? - b));
    Ok(BenchReport {
        frames: n,
        width: w,
        height: h,
        fps: n as f64 * 1e3 / elapsed_ms,
        paced,
        server_cpu_ms,
        cpu_cores,
        model_runs_per_frame: runs as f64 / n as f64,
        startup: None,
        stages: vec![
            stage_time(model.bare_label(), bare, baseline),
            stage_time("pre-processing", pre, baseline),
            stage_time("inference in the pipeline", inf, baseline),
            stage_time("decoding", dec, baseline),
            stage_time("  silhouette (in decoding)", sil, baseline),
            stage_time("orientation (crop, tracking)", orient, baseline),
            stage_time("smoothing + judging + coaching", judge, baseline),
            stage_time("whole frame", whole, baseline),
        ],
    })
}
