#!/usr/bin/env python3
"""The development set (docs/dev-footage): lay it out from fetched repositories, and run `eval` on every round.

  scripts/devset.py layout DIR [--mirrors M]   copy each file of docs/dev-footage/sources.tsv from its
      repository's git directory (M/<owner>+<name>/repo, as the project's fetch tool leaves them) into
      DIR/<round>/<folder>/, checked against its SHA-256; copy the labels (docs/dev-footage/labels) and put the
      disputed files in DIR/<round>/.disputed/. Files the manifests edited (trims, crops, GIF to MP4) are
      listed with the edit to redo by hand; nothing here is committed footage (no licence allows it).
  scripts/devset.py eval DIR [--poses P] [--tag T] [EVAL ARGS]   `stretchcoach eval` on every round,
      on its saved poses (P/<round>, written by the model on the first run), with the committed fixtures;
      prints each round's figures, the development rounds together, and all rounds together. The saved
      poses carry the labels they were saved with: delete P/<round> after changing a round's files or labels.
  scripts/devset.py webcam DIR OUT [--plain]   every still of every round in DIR, as a laptop's webcam would
      see it, into OUT/<round>/<folder>/ with its labels: the person further from the camera (the picture in a
      frame 5/3 as wide and high, so the body spans 60 % as much of it), 640 pixels on the long side, sensor noise
      and JPEG compression. Clips are left out (they come from real cameras already). --plain copies the same
      stills unchanged: the baseline to compare with, file for file (`eval` both, on poses of their own).
      Needs numpy and Pillow (pip install numpy pillow); the other commands need only Python 3.11.

Only for development: the tests use tests/fixtures, never this set.
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs/dev-footage"
FIXTURES = {"real": "tests/fixtures/real", "edited": "tests/fixtures/edited", "rphotos": "tests/fixtures/real-photos"}
FIGURES = ["recognised", "setup_false_alarms", "fault_prompts_on_good", "labelled_faults_found",
           "faults_found_where_read", "reps_exact", "reps_exact_auto", "other_named"]


def sources():
    lines = (DOCS / "sources.tsv").read_text().splitlines()
    head = lines[0].split("\t")
    return [dict(zip(head, line.split("\t"))) for line in lines[1:] if line.strip()]


def git_dir(mirrors, repo):
    """The repository's git directory: bare under <owner>+<name>/repo, or a clone's .git inside it."""
    base = mirrors / repo.replace("/", "+")
    return next((d for d in (base / "repo/.git", base / "repo") if d.is_dir()), base)


def layout(args):
    out, mirrors = Path(args.dir), Path(args.mirrors)
    labels = DOCS / "labels"
    disputed = {(p.parts[-4], p.parts[-2], name)
                for p in labels.glob("*/.disputed/*/labels.toml")
                for name in tomlkeys(p)}
    redo, missing, copied = [], [], 0
    for s in sources():
        where = (s["round"], s["folder"], s["file"])
        dest = out / s["round"] / (".disputed/" if where in disputed else "") / s["folder"] / s["file"]
        if s["edit"].strip():
            redo.append((dest, s))
            continue
        blob = subprocess.run(["git", "--git-dir", str(git_dir(mirrors, s["repo"])), "show",
                               f'{s["commit"]}:{s["path"]}'], capture_output=True)
        if blob.returncode != 0 or hashlib.sha256(blob.stdout).hexdigest() != s["sha256_as_rebuilt"]:
            missing.append((dest, s))
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(blob.stdout)
        copied += 1
    shutil.copytree(labels, out, dirs_exist_ok=True)
    # `smp` is the project's shared media (../shared/media), laid out by stretch: found by name.
    shared = {f.name: f for f in Path(args.shared).rglob("*") if f.is_file()} if Path(args.shared).is_dir() else {}
    for lp in (labels / "smp").rglob("labels.toml"):
        for name in tomlkeys(lp):
            if name in shared:
                dest = out / lp.relative_to(labels).parent / name
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(shared[name], dest)
                copied += 1
            else:
                missing.append((out / "smp" / name, {"repo": "../shared/media", "commit": "-", "path": name}))
    print(f"copied {copied} files (the shared media among them) and the labels into {out}")
    for dest, s in missing:
        print(f'MISSING {s["repo"]} {s["commit"][:10]}:{s["path"]} -> {dest} (fetch {s["repo"]} first)')
    for dest, s in redo:
        done = dest.exists() and hashlib.sha256(dest.read_bytes()).hexdigest() == s["sha256_as_rebuilt"]
        if not done:
            print(f'REDO {s["repo"]} {s["commit"][:10]}:{s["path"]} -> {dest}\n     {s["edit"]}')
    return 1 if missing else 0


def tomlkeys(path):
    return list(tomllib.loads(path.read_text()))


def evaluate(args):
    out, poses = Path(args.dir), Path(args.poses)
    binary = ROOT / "target/release/stretchcoach"
    if not binary.exists():
        sys.exit(f"no {binary}: build it first (cargo build --release)")
    env = dict(os.environ)
    env.setdefault("ORT_DYLIB_PATH", str(ROOT / ".ort/libonnxruntime.so"))
    rounds = [(r, ROOT / p) for r, p in FIXTURES.items()]
    # A round is a folder of stretch folders and other/ (dev7_start, a start position kept apart, is not one).
    folders = {p.stem for p in (ROOT / "src/exercise/catalog").glob("*.toml")} | {"other"}

    def is_round(d):
        sub = {c.name for c in d.iterdir() if c.is_dir() and not c.name.startswith(".")}
        return bool(sub) and sub <= folders

    rounds += [(d.name, d) for d in sorted(out.iterdir()) if d.is_dir() and not d.name.startswith(".") and is_round(d)]
    report = poses / "reports" / args.tag
    report.mkdir(parents=True, exist_ok=True)
    total, dev = blank(), blank()
    print(f'{"round":10s} files ' + " ".join(f"{f[:9]:>9s}" for f in FIGURES))
    for name, src in rounds:
        saved = poses / name
        if not saved.is_dir():
            print(f"{name}: finding poses with the model (once) ...", file=sys.stderr)
            subprocess.run([str(binary), "eval", str(src), "--save-poses", str(saved)], env=env, check=True,
                           stdout=subprocess.DEVNULL)
        run = subprocess.run([str(binary), "eval", str(saved), "--json", *args.eval_args], env=env, check=True,
                             capture_output=True, text=True)
        (report / f"{name}.json").write_text(run.stdout)
        got = json.loads(run.stdout)["overall"]
        print(f"{name:10s} {line(add(blank(), got))}")
        add(total, got)
        if name not in FIXTURES and name != "smp":
            add(dev, got)
    print(f'{"dev rounds":10s} {line(dev)}\n{"all":10s} {line(total)}\n(reports: {report})')


def webcam(args):
    """Writes every labelled still of DIR's rounds into OUT as a laptop's webcam would see it (or as it is)."""
    import numpy as np
    from PIL import Image

    src, out = Path(args.dir), Path(args.out)
    rng = np.random.default_rng(7)
    written = 0
    for labels in sorted(src.glob("*/*/labels.toml")):
        kept = {name: label for name, label in tomllib.loads(labels.read_text()).items()
                if Path(name).suffix.lower() in STILLS and (labels.parent / name).is_file()}
        if not kept:
            continue
        dest = out / labels.parent.relative_to(src)
        dest.mkdir(parents=True, exist_ok=True)
        (dest / "labels.toml").write_text("".join(f"[{json.dumps(n)}]\n" + "".join(
            f"{k} = {toml_value(v)}\n" for k, v in label.items()) + "\n" for n, label in kept.items()))
        for name in kept:
            if args.plain:
                shutil.copy(labels.parent / name, dest / name)
            else:
                picture = Image.open(labels.parent / name).convert("RGB")
                # Further away: the same picture in a frame 5/3 as wide and high. The new border is flat, the mean
                # colour of the picture's edge: its edge pixels stretched out instead draw streaks that the person
                # detector takes for something (a real child's pose was lost at some frame sizes, not at others).
                pixels = np.asarray(picture)
                edge = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]]).mean(axis=0)
                w, h = picture.size
                frame = Image.new("RGB", (w + 2 * (w // 3), h + 2 * (h // 3)), tuple(int(c) for c in edge))
                frame.paste(picture, (w // 3, h // 3))
                scale = 640 / max(frame.size)
                frame = frame.resize((round(frame.width * scale), round(frame.height * scale)), Image.BILINEAR)
                noisy = np.asarray(frame, dtype=np.float32) + rng.normal(0, 5, (frame.height, frame.width, 1))
                # JPEG bytes under the still's own name, which the labels use (the decoder reads the content).
                Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(dest / name, "JPEG", quality=45)
            written += 1
    print(f"{written} stills written to {out}")


STILLS = {".jpg", ".jpeg", ".png", ".webp"}


def toml_value(v):
    """A label's value in TOML: JSON's strings, numbers, booleans and arrays are TOML's; tables go inline."""
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {toml_value(x)}" for k, x in v.items()) + " }"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return json.dumps(v)


def blank():
    return {"files": 0, **{f: [0, 0] for f in FIGURES}}


def add(into, overall):
    into["files"] += overall["files"]
    for f in FIGURES:
        into[f][0] += overall[f]["hits"]
        into[f][1] += overall[f]["of"]
    return into


def line(a):
    return f'{a["files"]:5d} ' + " ".join(f"{a[f][0]:4d}/{a[f][1]:<4d}" for f in FIGURES)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="command", required=True)
    lay = sub.add_parser("layout", help="lay the set out from fetched repositories")
    lay.add_argument("dir")
    lay.add_argument("--mirrors", default="/work/.mirror", help="where fetched repositories are (default: %(default)s)")
    lay.add_argument("--shared", default=str(ROOT.parent / "shared/media"),
                     help="the project's shared media, laid out as round smp (default: %(default)s)")
    ev = sub.add_parser("eval", help="eval every round on its saved poses, and the totals")
    ev.add_argument("dir")
    ev.add_argument("--poses", default="/work/pf", help="saved poses, one folder per round (default: %(default)s)")
    ev.add_argument("--tag", default="latest", help="name of this run's JSON reports (default: %(default)s)")
    cam = sub.add_parser("webcam", help="every still as a laptop's webcam would see it, with its labels")
    cam.add_argument("dir")
    cam.add_argument("out")
    cam.add_argument("--plain", action="store_true", help="copy the same stills unchanged (the baseline)")
    # Any other argument goes to `stretchcoach eval` (e.g. --once).
    args, extra = p.parse_known_args()
    if extra and args.command != "eval":
        p.error(f"unrecognized arguments: {' '.join(extra)}")
    args.eval_args = extra
    sys.exit({"layout": layout, "eval": evaluate, "webcam": webcam}[args.command](args))


if __name__ == "__main__":
    main()
