//! Lists: the stretches (exercises), the routines and the cameras.

use anyhow::Result;

use stretchcoach::coaching::coach::SAFETY_NOTE;
use stretchcoach::seeing::capture::camera::list_cameras;

use super::common::Ctx;

pub(super) fn cmd_exercises(cx: &Ctx) -> Result<()> {
    for ex in cx.catalog() {
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

pub(super) fn cmd_routines(cx: &Ctx) -> Result<()> {
    for r in cx.routines() {
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

pub(super) fn cmd_cameras() -> Result<()> {
    let cams = list_cameras()?;
    if cams.is_empty() {
        outln!("No cameras found. Try `stretchcoach demo` to see it work on a recording.");
    }
    for (index, name, desc) in cams {
        outln!("{index}\t{name}\t{desc}");
    }
    Ok(())
}

/// One shipped model as `models` reports it.
#[derive(serde::Serialize)]
struct ModelRow {
    #[serde(flatten)]
    model: stretchcoach::seeing::pose::model::Shipped,
    default: bool,
    bytes: Option<u64>,
    input: Option<usize>,
    /// Median of 20 runs of bare inference on this machine, after 5 warm-up runs.
    inference_ms: Option<f64>,
    /// Why it could not be loaded, if it could not.
    error: Option<String>,
}

pub(super) fn cmd_models(g: &super::Global, json: bool) -> Result<()> {
    use stretchcoach::seeing::pose::blazepose::BlazePose;
    use stretchcoach::seeing::pose::model::{model_path, ModelOptions, DEFAULT_MODEL, SHIPPED};
    use stretchcoach::seeing::pose::{BareInference, ModelError, PoseModel};
    let mut rows = Vec::new();
    for m in SHIPPED {
        if !json {
            eprintln!("timing {} ...", m.name);
        }
        let path = model_path(m.file);
        let mut options = ModelOptions { spin: true, ..ModelOptions::default() };
        if let Some(t) = g.threads {
            options.threads = t;
        }
        // Every file of a BlazePose set; its timing is the whole landmark model (body and segmentation).
        let files = [Some(path), m.detector.map(model_path), m.segmentation.map(model_path)];
        let sizes: Vec<Option<u64>> =
            files.iter().flatten().map(|p| std::fs::metadata(p).ok().map(|md| md.len())).collect();
        let bytes = sizes.iter().copied().sum::<Option<u64>>();
        let loaded: Result<(usize, Box<dyn BareInference>), ModelError> = if m.is_blazepose() {
            BlazePose::shipped(&m, options).map(|b| (b.input_size(), Box::new(b) as Box<dyn BareInference>))
        } else {
            PoseModel::shipped(&m, options).map(|p| (p.input_size(), Box::new(p) as Box<dyn BareInference>))
        };
        let timed = loaded.and_then(|(size, mut model)| {
            model.prepare_bare(&image::RgbImage::new(640, 480));
            let mut ms = Vec::new();
            for i in 0..25 {
                let t = std::time::Instant::now();
                model.infer_bare()?;
                if i >= 5 {
                    ms.push(t.elapsed().as_secs_f64() * 1e3);
                }
            }
            Ok((size, stretchcoach::quantile::quantiles(&mut ms, [0.5])[0]))
        });
        let (input, inference_ms, error) = match timed {
            Ok((size, ms)) => (Some(size), Some(ms), None),
            Err(e) => (None, None, Some(e.to_string())),
        };
        rows.push(ModelRow { model: m, default: m.name == DEFAULT_MODEL, bytes, input, inference_ms, error });
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(());
    }
    outln!("{:<14} {:>9} {:>7} {:>14}  about", "name", "size", "input", "inference");
    for r in &rows {
        let size = r.bytes.map(|b| format!("{:.1} MB", b as f64 / 1e6)).unwrap_or_else(|| "missing".into());
        let input = r.input.map(|s| format!("{s}x{s}")).unwrap_or_default();
        let ms = r.inference_ms.map(|m| format!("{m:.1} ms")).unwrap_or_else(|| "-".into());
        let default = if r.default { " (default)" } else { "" };
        outln!("{:<14} {:>9} {:>7} {:>14}  {}{default}", r.model.name, size, input, ms, r.model.about);
        if let Some(e) = &r.error {
            outln!("               cannot be used: {}", e.lines().next().unwrap_or_default());
        }
    }
    outln!("Choose one with --model NAME (or --model PATH for another MoveNet-style ONNX file; BlazePose is by name only).");
    Ok(())
}
