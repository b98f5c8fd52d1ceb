//! `eval`: the coach measured on a folder of real footage, laid out by stretch (see `stretchcoach::tools::eval`).

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};

use stretchcoach::running::pipeline::Pipeline;
use stretchcoach::seeing::pose::PoseRecord;
use stretchcoach::tools::eval::{self, Count, Figures, Label, Report, Unreadable};

use super::common::{load_stage, Ctx};

pub(super) fn cmd_eval(
    cx: &Ctx,
    dir: &Path,
    json: bool,
    hold: f64,
    once: bool,
    verbose: bool,
    save_poses: Option<&Path>,
) -> Result<()> {
    let catalog = cx.catalog();
    let items = eval::collect(dir, catalog)?;
    let mut finder = Pipeline::finder(load_stage(&cx.g, true)?);
    let (mut results, mut values) = (Vec::new(), BTreeMap::new());
    let mut saved: BTreeMap<String, BTreeMap<String, Label>> = BTreeMap::new();
    let mut unreadable = Vec::new();
    for (i, item) in items.iter().enumerate() {
        eprintln!("[{}/{}] {}", i + 1, items.len(), item.path.display());
        // Nothing of the previous file's person carries over.
        finder.reset();
        let poses = match eval::poses(&item.path, &mut finder, hold) {
            Ok(poses) => poses,
            Err(e) => {
                let error = format!("{:#}", anyhow::Error::from(e));
                eprintln!("  could not read it, left out: {error}");
                unreadable.push(Unreadable { file: item.path.display().to_string(), error });
                continue;
            }
        };
        if let Some(out) = save_poses {
            let folder = item.stretch.clone().unwrap_or_else(|| eval::OTHER.into());
            let name = format!("{}.jsonl", item.path.file_name().and_then(|n| n.to_str()).unwrap_or("file"));
            write_poses(&out.join(&folder).join(&name), &poses)?;
            saved.entry(folder).or_default().insert(name, item.label.clone());
        }
        results.push(eval::judge(item, &poses, catalog, &mut values, if once { 0.0 } else { hold }));
    }
    if let Some(out) = save_poses {
        for (folder, labels) in &saved {
            let path = out.join(folder).join("labels.toml");
            std::fs::write(&path, toml::to_string(labels)?)
                .with_context(|| format!("could not write {}", path.display()))?;
        }
        eprintln!(
            "poses written to {} (evaluate them again with `stretchcoach eval {}`)",
            out.display(),
            out.display()
        );
    }
    let report = eval::report(results, catalog, values, hold, unreadable);
    if json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_report(&report, dir, verbose);
    }
    Ok(())
}

fn write_poses(path: &Path, poses: &[(f64, stretchcoach::seeing::pose::Pose)]) -> Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("could not create {}", dir.display()))?;
    }
    let mut text = String::new();
    for (t, pose) in poses {
        let mut r = PoseRecord::from(pose);
        r.t = Some((t * 1000.0).round() / 1000.0);
        text.push_str(&serde_json::to_string(&r)?);
        text.push('\n');
    }
    std::fs::write(path, text).with_context(|| format!("could not write {}", path.display()))
}

fn cell(c: Count) -> String {
    if c.of == 0 {
        "-".into()
    } else {
        format!("{}/{}", c.hits, c.of)
    }
}

fn row(name: &str, f: &Figures) {
    outln!(
        "{:<18} {:>5} {:>10} {:>12} {:>12} {:>10} {:>10} {:>8} {:>10} {:>12}",
        name,
        f.files,
        cell(f.recognised),
        cell(f.setup_false_alarms),
        cell(f.fault_prompts_on_good),
        cell(f.labelled_faults_found),
        cell(f.faults_found_where_read),
        cell(f.reps_exact),
        cell(f.reps_exact_auto),
        cell(f.other_named),
    );
}

fn print_report(report: &Report, dir: &Path, verbose: bool) {
    let looped = report.files.iter().filter(|r| r.passes > 1).count();
    outln!(
        "{} files from {} (photos held still {} s; short clips named over their loop: {looped})",
        report.overall.files,
        dir.display(),
        report.hold_seconds
    );
    outln!(
        "{:<18} {:>5} {:>10} {:>12} {:>12} {:>10} {:>10} {:>8} {:>10} {:>12}",
        "stretch",
        "files",
        "recognised",
        "setup alarms",
        "faults@good",
        "faults hit",
        "where read",
        "reps ok",
        "auto reps",
        "other named"
    );
    for (name, f) in &report.stretches {
        row(name, f);
    }
    row("overall", &report.overall);
    if !report.unreadable.is_empty() {
        outln!("\nFiles that could not be read, counted nowhere: {}", report.unreadable.len());
        for u in &report.unreadable {
            outln!("  {}: {}", u.file, u.error);
        }
    }
    if !verbose {
        return;
    }
    outln!("\nfiles (named: recognised as; alarm: first set-up prompt after 1 s; faults prompted; reps good+faulty)");
    for r in &report.files {
        let name = Path::new(&r.file).file_name().and_then(|n| n.to_str()).unwrap_or(&r.file);
        outln!(
            "  {:<16} {:<44} named {:<18} reps {:<5} faults {:?}{}{}{}",
            r.stretch.as_deref().unwrap_or(eval::OTHER),
            name,
            r.named.as_deref().unwrap_or("-"),
            format!("{}+{}", r.reps, r.faulty_reps),
            r.fault_prompts,
            if r.faults_unread.is_empty() { String::new() } else { format!("  unread {:?}", r.faults_unread) },
            r.setup_alarm.as_ref().map(|a| format!("  alarm at {a}")).unwrap_or_default(),
            if r.passes > 1 { format!("  (named over {} passes of its loop)", r.passes) } else { String::new() }
        );
        let top: Vec<String> = r.scores.iter().take(3).map(|(id, s)| format!("{id} {s:.2}")).collect();
        outln!("      scores: {}", top.join(", "));
        for c in &r.conditions {
            let v = c.value.map(|v| format!("{v:.2}")).unwrap_or_else(|| "unknown".into());
            outln!("      {:<52} {:>8}  evidence {:.2}", c.condition, v, c.evidence);
        }
    }
    outln!("\nchecks: range in the definition, and 5th-95th percentile measured on files labelled good");
    for c in &report.ranges {
        let measured = match (c.measured, c.median) {
            (Some([lo, hi]), Some(m)) => format!("{lo:.2} .. {hi:.2} (median {m:.2}, {} frames)", c.frames),
            _ => "not judged on a good file".into(),
        };
        outln!(
            "  {:<18} {:<22} [{}, {}] {:<14} measured {}",
            c.stretch,
            c.check,
            c.range[0],
            c.range[1],
            c.unit,
            measured
        );
    }
}

pub(super) fn cmd_eval_joints(g: &super::Global, dir: &Path, json: bool) -> Result<()> {
    let mut stage = load_stage(g, true)?;
    let report = eval::joints::score(dir, stage.as_mut())?;
    if json {
        outln!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    outln!("{:<40} {:>6} {:>8} {:>8} {:>11}", "photo", "joints", "PCK@0.1", "PCK@0.2", "mean error");
    for p in &report.photos {
        let name = Path::new(&p.file).file_name().and_then(|n| n.to_str()).unwrap_or(&p.file);
        outln!("{:<40} {:>6} {:>8.3} {:>8.3} {:>11.3}", name, p.joints, p.pck_01, p.pck_02, p.mean_error);
    }
    outln!(
        "{:<40} {:>6} {:>8.3} {:>8.3} {:>11.3}",
        "all",
        report.photos.iter().map(|p| p.joints).sum::<usize>(),
        report.pck_01,
        report.pck_02,
        report.mean_error
    );
    outln!("(PCK: share of hand-placed joints within 0.1 / 0.2 torso lengths; error in torso lengths)");
    Ok(())
}
