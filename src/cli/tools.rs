//! Tools for trying and measuring without a person in front of a camera: generated motion (synth) and
//! the per-frame timing of the pipeline (bench).

use std::net::IpAddr;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};

use stretchcoach::body::synth;
use stretchcoach::coaching::session::{Plan, Session};
use stretchcoach::running::hub::Hub;
use stretchcoach::seeing::capture::open_replay;
use stretchcoach::seeing::pose::PoseRecord;
use stretchcoach::tools::bench::{since_launch_ms, Startup};

use super::common::{load_bare, load_stage, recordings_dir, start_server, Ctx};
use super::ServeArgs;

pub(super) fn cmd_synth(exercise: &str, fault: Option<&str>, seed: u64, repeat: u32) -> Result<()> {
    let frames = synth::generate(exercise, fault, 30.0, seed)
        .map_err(|e| anyhow::anyhow!("{e}; faults of {exercise}: {}", synth::faults(exercise).join(", ")))?;
    let period = frames.last().map(|(t, _)| t + 1.0 / 30.0).unwrap_or(0.0);
    for k in 0..repeat {
        for (t, pose) in &frames {
            let mut r = PoseRecord::from(pose);
            r.t = Some(((t + k as f64 * period) * 1000.0).round() / 1000.0);
            outln!("{}", serde_json::to_string(&r)?);
        }
    }
    Ok(())
}

pub(super) fn cmd_bench(
    cx: &Ctx,
    frames: usize,
    input: Option<&Path>,
    json: bool,
    serve_port: Option<u16>,
    fps: Option<f64>,
    spin: bool,
) -> Result<()> {
    if fps.is_some_and(|f| !(f.is_finite() && f > 0.0)) {
        anyhow::bail!("--fps must be a positive number of frames per second");
    }
    let g = &cx.g;
    let dir = input.map(Path::to_path_buf).unwrap_or_else(|| recordings_dir().join("walk"));
    // Start-up first, the way a user meets it: the pose stage of `live` (BlazePose, or MoveNet
    // orientation-aware unless --plain-input), the first frame, and that frame judged.
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let mut stage = load_stage(g, fps.is_none() || spin)?;
    let models_ms = ms(t);
    let t = Instant::now();
    let mut source = open_replay(&dir)?;
    let first = source.next_frame()?.with_context(|| format!("{} has no frame that can be read", dir.display()))?;
    let first_frame_ms = ms(t);
    let t = Instant::now();
    let pose = stage.estimate(&first.image)?;
    Session::with_plan(Plan::Auto(cx.catalog().to_vec())).step(Some(&pose), 0.0);
    let first_judged_ms = ms(t);
    let startup = since_launch_ms().map(|to_first_judged_ms| Startup {
        to_first_judged_ms,
        models_ms,
        first_frame_ms,
        first_judged_ms,
    });
    let mut images = vec![first.image];
    while let Some(f) = source.next_frame()? {
        images.push(f.image);
    }
    // The model the stage runs each frame (MoveNet, or BlazePose's landmark model) alone, for the
    // bare-inference baseline.
    let mut model = load_bare(g, fps.is_none() || spin)?;
    eprintln!("timing {frames} frames of {} ...", source.describe());
    let hub = serve_port.map(|_| Hub::new(cx.catalog().to_vec()));
    if let (Some(port), Some(hub)) = (serve_port, &hub) {
        let args = ServeArgs { port, bind: IpAddr::from([127, 0, 0, 1]), token: None };
        start_server(&args, hub.clone())?;
    }
    let mut report = stretchcoach::tools::bench::run(
        model.as_mut(),
        stage,
        &images,
        frames.max(20),
        Plan::Auto(cx.catalog().to_vec()),
        hub.as_deref(),
        fps,
    )?;
    report.startup = startup;
    if json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        match &report.paced {
            Some(p) => outln!(
                "{} frames of {}x{} paced at {} fps: {:.1} fps achieved, loop busy {:.1}% of the time, {} frames late",
                report.frames,
                report.width,
                report.height,
                p.target_fps,
                report.fps,
                p.busy * 100.0,
                p.late_frames
            ),
            None => outln!(
                "{} frames of {}x{}; whole pipeline {:.0} fps",
                report.frames,
                report.width,
                report.height,
                report.fps
            ),
        }
        if let Some(idle) = report.paced.as_ref().and_then(|p| p.idle_cpu_cores) {
            outln!("CPU used while waiting for the next frame: {:.0}% of one core", idle * 100.0);
        }
        outln!("model runs per frame: {:.2}", report.model_runs_per_frame);
        if let Some(s) = &report.startup {
            outln!(
                "start-up: {:.0} ms from launch to the first judged frame (pose models loaded in {:.0} ms, first frame read in {:.0} ms, judged in {:.0} ms)",
                s.to_first_judged_ms,
                s.models_ms,
                s.first_frame_ms,
                s.first_judged_ms
            );
        }
        if let Some(cores) = report.cpu_cores {
            outln!("CPU used meanwhile: {:.0}% of one core (all threads)", cores * 100.0);
        }
        if let Some(i) = report.paced.as_ref().and_then(|p| p.widened_at) {
            outln!("the model fell behind the camera by frame {i} and was given more threads, as `live` does");
        }
        if let Some(x) = report.paced.as_ref().and_then(|p| p.cpu_to_inference) {
            outln!("that is {x:.2}x what the model's own bare inference (the baseline below) needs at this pace");
        }
        if let Some(cpu) = report.server_cpu_ms {
            outln!("HTTP server threads used {cpu:.0} ms of CPU meanwhile");
        }
        outln!("{:<32} {:>10} {:>10} {:>12}", "stage", "median ms", "p95 ms", "x inference");
        for s in &report.stages {
            outln!("{:<32} {:>10.3} {:>10.3} {:>12.3}", s.stage, s.median_ms, s.p95_ms, s.ratio_to_inference);
        }
    }
    Ok(())
}
