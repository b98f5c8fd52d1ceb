//! `stretchcoach bench`: each stage of the per-frame pipeline timed on real frames, with bare inference as
//! the baseline every other figure is a ratio of, so a user can check their own machine.

use std::time::Instant;

use image::RgbImage;
use serde::Serialize;

use crate::hub::Hub;
use crate::live::percentile;
use crate::pipeline::median;
use crate::pose::preprocess::InputMap;
use crate::pose::{ModelError, PoseModel, PoseRecord};
use crate::session::{Plan, Session};

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
    /// Frames per second of the whole per-frame pipeline (median).
    pub fps: f64,
}

fn stage(name: &'static str, mut xs: Vec<f64>, baseline: f64) -> StageTime {
    let p95 = percentile(&xs, 0.95);
    let m = median(&mut xs);
    StageTime { stage: name, median_ms: m, p95_ms: p95, ratio_to_inference: m / baseline }
}

/// Times `n` frames (cycling through `images`): bare inference on a fixed input first (the baseline), then
/// the whole pipeline stage by stage.
/// With `hub`, every frame is also published to it, as the live loop does (to measure the server's
/// effect on the loop under load).
pub fn run(
    model: &mut PoseModel,
    images: &[RgbImage],
    n: usize,
    plan: Plan,
    hub: Option<&Hub>,
) -> Result<BenchReport, ModelError> {
    let ms = |t: Instant| t.elapsed().as_secs_f64() * 1e3;
    let (w, h) = (images[0].width(), images[0].height());
    let map = InputMap::letterbox(w, h, model.input_size());
    model.prepare(&images[0], &map);
    for _ in 0..10 {
        model.infer()?; // warm-up
    }
    let mut bare = Vec::with_capacity(n);
    for _ in 0..n {
        let t = Instant::now();
        model.infer()?;
        bare.push(ms(t));
    }
    let baseline = median(&mut bare.clone());
    let mut session = Session::with_plan(plan);
    let (mut pre, mut inf, mut dec, mut judge, mut whole) = (vec![], vec![], vec![], vec![], vec![]);
    for i in 0..n {
        let img = &images[i % images.len()];
        let t0 = Instant::now();
        model.prepare(img, &map);
        let t1 = Instant::now();
        let raw = model.infer()?;
        let t2 = Instant::now();
        let pose = model.decode(&raw, img.width(), img.height(), &map);
        let t3 = Instant::now();
        let report = session.step(Some(&pose), i as f64 / 30.0);
        if let Some(hub) = hub {
            hub.publish(&report, &PoseRecord::from(&pose), None, &session.summary());
        }
        pre.push((t1 - t0).as_secs_f64() * 1e3);
        inf.push((t2 - t1).as_secs_f64() * 1e3);
        dec.push((t3 - t2).as_secs_f64() * 1e3);
        judge.push(ms(t3));
        whole.push(ms(t0));
    }
    let whole_median = median(&mut whole.clone());
    Ok(BenchReport {
        frames: n,
        width: w,
        height: h,
        fps: 1e3 / whole_median,
        stages: vec![
            stage("inference, bare (baseline)", bare, baseline),
            stage("pre-processing", pre, baseline),
            stage("inference in the pipeline", inf, baseline),
            stage("decoding", dec, baseline),
            stage("smoothing + judging + coaching", judge, baseline),
            stage("whole frame", whole, baseline),
        ],
    })
}
