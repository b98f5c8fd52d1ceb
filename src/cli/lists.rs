//! Lists: the stretches (exercises), the routines and the cameras.

use anyhow::Result;

use stretchcoach::capture::camera::list_cameras;
use stretchcoach::coach::SAFETY_NOTE;

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
