#!/usr/bin/env python3
"""The same per-frame work as stretchcoach, written plainly in Python as a user would:
Pillow for the letterbox and resize, numpy for the tensor and the angles, onnxruntime for the model.

It is the baseline for the "at least 2x faster than a Python pipeline" target. Run it on the same frames
and model as `stretchcoach bench`, in the same session:

    python3 -m venv /tmp/pyref && /tmp/pyref/bin/pip install onnxruntime==1.31.1 numpy pillow
    /tmp/pyref/bin/python benches/reference_pipeline.py recordings/walk models/movenet-singlepose-lightning.onnx
    cargo run --release -- bench --frames 300
"""
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from PIL import Image

SIZE = 192


def angle(a, b, c):
    v1, v2 = a - b, c - b
    cos = np.dot(v1, v2) / (np.linalg.norm(v1) * np.linalg.norm(v2) + 1e-9)
    return float(np.degrees(np.arccos(np.clip(cos, -1.0, 1.0))))


def main():
    frames_dir, model_path = Path(sys.argv[1]), sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 300
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 2
    session = ort.InferenceSession(model_path, opts, providers=["CPUExecutionProvider"])
    name = session.get_inputs()[0].name
    images = [Image.open(p).convert("RGB") for p in sorted(frames_dir.glob("*.jpg"))]
    # Bare inference on one prepared input: the floor any pipeline with this model stands on.
    first = images[0]
    side0 = max(first.size)
    sq = Image.new("RGB", (side0, side0))
    sq.paste(first, ((side0 - first.size[0]) // 2, (side0 - first.size[1]) // 2))
    x0 = np.asarray(sq.resize((SIZE, SIZE), Image.BILINEAR), dtype=np.int32)[None]
    for _ in range(10):
        session.run(None, {name: x0})
    bare = []
    for _ in range(n):
        t0 = time.perf_counter()
        session.run(None, {name: x0})
        bare.append((time.perf_counter() - t0) * 1e3)
    times = []
    for i in range(n):
        img = images[i % len(images)]
        t0 = time.perf_counter()
        # Letterbox to a centred square, resize, to int32 NHWC.
        w, h = img.size
        side = max(w, h)
        square = Image.new("RGB", (side, side))
        square.paste(img, ((side - w) // 2, (side - h) // 2))
        x = np.asarray(square.resize((SIZE, SIZE), Image.BILINEAR), dtype=np.int32)[None]
        out = session.run(None, {name: x})[0][0, 0]  # 17 x (y, x, score)
        kp = np.stack([out[:, 1] * side - (side - w) / 2, out[:, 0] * side - (side - h) / 2, out[:, 2]], axis=1)
        # Judge: the bridge's measures on the nearer side.
        left = kp[[5, 11, 13, 15], 2].sum() >= kp[[6, 12, 14, 16], 2].sum()
        s, hp, k, a = (kp[j, :2] for j in ([5, 11, 13, 15] if left else [6, 12, 14, 16]))
        _hip_line, _knee = angle(s, hp, k), angle(hp, k, a)
        times.append((time.perf_counter() - t0) * 1e3)
    times = sorted(times[10:])
    frame, floor = statistics.median(times), statistics.median(bare)
    print(f"python reference: {len(times)} frames, median {frame:.2f} ms, "
          f"p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms per frame (onnxruntime {ort.__version__})")
    print(f"bare inference: median {floor:.2f} ms, so no pipeline on this model and machine can be more than "
          f"{frame / floor:.2f}x faster per frame than this one")


if __name__ == "__main__":
    main()
