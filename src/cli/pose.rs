//! The pose model on images: find the joints in one (pose), judge a stretch in images, a video or a
//! keypoint file (check), and measure how the model holds up when the photo is turned (eval-rotation).

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use stretchcoach::coaching::session::Session;
use stretchcoach::exercise::ExerciseChoice;
use stretchcoach::running::pipeline::{self, Each, Pace, Pipeline, Step};
use stretchcoach::seeing::capture::open_replay;
use stretchcoach::seeing::capture::replay::is_still;
use stretchcoach::seeing::capture::FrameSource;
use stretchcoach::seeing::keypoint_file::{self, KeypointSource};
use stretchcoach::seeing::pose::PoseRecord;
use stretchcoach::tools::eval;

use super::coach::Printer;
use super::common::{blazepose_named, flat_out_pipeline, load_model, load_rotation_aware, load_stage, Ctx};
use super::history::save_session;
use super::{out, Global};

pub(super) fn cmd_pose(g: &Global, image: &Path, json: bool, draw: Option<&Path>) -> Result<()> {
    let img = stretchcoach::seeing::capture::read_image(image)
        .with_context(|| format!("could not read image {}", image.display()))?
        .to_rgb8();
    let mut stage = load_stage(g, true)?;
    let pose = stage.estimate(&img)?;
    if let Some(out) = draw {
        let mut canvas = img.clone();
        stretchcoach::seeing::pose::overlay::draw(&mut canvas, &pose);
        canvas.save(out).with_context(|| format!("could not write {}", out.display()))?;
    }
    if json {
        outln!("{}", serde_json::to_string(&PoseRecord::from(&pose))?);
    } else {
        outln!("{} ({}x{}), mean joint score {:.2}", image.display(), pose.width, pose.height, pose.mean_score());
        for &j in pose.given {
            let k = pose.get(j);
            outln!("  {:<17} x {:>7.1}  y {:>7.1}  score {:.2}", j.name(), k.x, k.y, k.score);
        }
        match &pose.back {
            Some(b) => outln!("  back's curve      {:+.3} torso lengths (+ rounded, - arched)", b.curve),
            None => outln!("  back's curve      not seen"),
        }
    }
    Ok(())
}

pub(super) fn cmd_check(
    cx: &Ctx,
    input: Option<&Path>,
    keypoints: Option<&Path>,
    exercise: &ExerciseChoice,
    json: bool,
    hold: f64,
) -> Result<()> {
    let g = &cx.g;
    let session = Session::with_plan(cx.plan(exercise)?);
    let mut printer = Printer { json, last_prompt: None };
    // A keypoint file runs through the same loop as images and videos, without the model; one given as
    // INPUT is known by its name, as `replay` and `eval` know it.
    let is_jsonl = |p: &Path| p.extension().is_some_and(|e| e == "jsonl");
    let keypoints = keypoints.or(input.filter(|p| is_jsonl(p)));
    let (mut source, mut pipeline): (Box<dyn FrameSource>, _) = match (keypoints, input) {
        (Some(file), _) => (
            Box::new(KeypointSource::new(keypoint_file::read(file)?, file.display().to_string())),
            Pipeline::new(None, session),
        ),
        // One picture is a person holding still, judged as `eval` judges it: a single frame names no
        // stretch and lasts no fault long enough to be told.
        (_, Some(input)) if input.is_file() && is_still(input)? => {
            let mut finder = Pipeline::finder(load_stage(g, true)?);
            let poses = eval::poses(input, &mut finder, hold)?;
            let what = format!("{} held still {hold} s", input.display());
            (Box::new(KeypointSource::new(poses, what)), Pipeline::new(None, session))
        }
        (_, Some(input)) => (open_replay(input)?, flat_out_pipeline(g, session)?),
        (None, None) => bail!("give an INPUT (image, folder or video) or --keypoints FILE"),
    };
    let mut print = Each(|step: &Step, _: &Session| printer.frame(&step.report));
    let summary = pipeline::run(source.as_mut(), &mut pipeline, Pace::Fast, &mut print)?.summary;
    if let Some(db) = g.history_db(false) {
        let source = keypoints.or(input).map(|p| format!("check of {}", p.display())).unwrap_or_default();
        save_session(&db, &source, g.routine.as_deref(), &summary);
    }
    if json {
        out(format_args!("{}", serde_json::json!({ "summary": summary })));
    } else {
        out(format_args!("\n{}", summary.longest.line()));
    }
    Ok(())
}

pub(super) fn cmd_eval_rotation(g: &Global, dir: &Path, json: bool) -> Result<()> {
    use stretchcoach::seeing::pose::orient::{pck, rotate, RotationFigures};
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("could not read {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| stretchcoach::seeing::capture::replay::is_image_path(p))
        .collect();
    paths.sort();
    if paths.is_empty() {
        let kinds = stretchcoach::seeing::capture::replay::IMAGE_EXTENSIONS.join(", .");
        bail!("no photos (.{kinds}) in {}", dir.display());
    }
    let mut plain = if blazepose_named(g).is_some() { None } else { Some(load_model(g, true)?) };
    let mut oriented = load_rotation_aware(g, true)?;
    let modes: &[InputMode] =
        if plain.is_some() { &[InputMode::Plain, InputMode::Oriented] } else { &[InputMode::Oriented] };
    let mut table: Vec<(&str, Vec<RotationFigures>)> = Vec::new();
    for &mode in modes {
        let mut figures = Vec::new();
        for degrees in [0u32, 90, 180, 270] {
            let (mut pcks, mut scores) = (Vec::new(), Vec::new());
            for p in &paths {
                let img = stretchcoach::seeing::capture::read_image(p)
                    .with_context(|| format!("could not read {}", p.display()))?
                    .to_rgb8();
                // Consistency: each input mode against its own result on the upright photo.
                let reference = if let (Some(plain), InputMode::Plain) = (&mut plain, mode) {
                    plain.estimate(&img)?
                } else {
                    oriented.reset();
                    oriented.estimate(&img)?
                };
                let turned = rotate(&img, degrees);
                let pose = if let (Some(plain), InputMode::Plain) = (&mut plain, mode) {
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
        table.push((mode.name(), figures));
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

/// How `eval-rotation` feeds the model.
#[derive(Clone, Copy)]
enum InputMode {
    /// The MoveNet model on the letterboxed frame (BlazePose has no plain mode).
    Plain,
    /// The stage `pose` runs by default (the same code, reset per photo as `pose` starts fresh).
    Oriented,
}

impl InputMode {
    fn name(self) -> &'static str {
        match self {
            InputMode::Plain => "plain",
            InputMode::Oriented => "oriented",
        }
    }
}
