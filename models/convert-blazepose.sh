#!/usr/bin/env bash
# Rebuilds blazepose-detector-fp16w.onnx, blazepose-landmark-{full,heavy}-fp16w.onnx and the full one split in two
# (blazepose-landmark-full-body-fp16w.onnx, blazepose-segmentation-full-fp16w.onnx) from registry packages only
# (npm + PyPI; ~2.5 min with a warm pip cache, ~1.5 GB of wheels). Source: MediaPipe Pose (Google, Apache-2.0), the
# npm package @mediapipe/pose@0.5.1675469404 (Apache-2.0): pose_landmark_{full,heavy}.tflite as members, and
# pose_detection.tflite packed whole inside pose_solution_packed_assets.data. Adapted from convert-extra.sh (the
# conversion that was checked against TFLite); the last step stores weights as float16 as `convert-movenet.sh thunder` does
# (the TFLite weights are float16 already: bit-identical outputs, half the size, float32 arithmetic).
# tf2onnx is not byte-reproducible: a rebuild computes the same thing with another sha256 (models/README.md).
# Usage: convert-blazepose.sh [workdir]   (results are left in workdir; copy them next to this script yourself)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=${1:-/tmp/blazepose-convert}; mkdir -p "$work"; cd "$work"
npm pack @mediapipe/pose@0.5.1675469404 --silent
mkdir -p mp
tar xzf mediapipe-pose-0.5.1675469404.tgz -C mp package/pose_landmark_full.tflite package/pose_landmark_heavy.tflite \
  package/pose_solution_packed_assets.data package/pose_solution_packed_assets_loader.js
python3 -m venv venv
venv/bin/pip install -q "tensorflow-cpu==2.15.1" "tf2onnx==1.17.0" "onnx==1.16.2" "numpy<2"

# --- Detector: its byte range in the packed assets is listed in the loader script. It stores sparse weights
# (38 DENSIFY ops), on which tf2onnx's tflite reader segfaults, so each DENSIFY is first replaced by a dense
# constant (values read from the TFLite interpreter itself) and the sparse tensors dropped; checked equal.
venv/bin/python "$here/npm-pose-detector.py" mp/package pose_detection.tflite
venv/bin/python - <<'PY'
import numpy as np, tensorflow as tf
from tensorflow.lite.tools import flatbuffer_utils as fu
from tensorflow.lite.python import schema_py_generated as sch
src, dst = "pose_detection.tflite", "pose_detection_dense.tflite"
m = fu.read_model(src); g = m.subgraphs[0]
codes = [max(c.builtinCode, c.deprecatedBuiltinCode) for c in m.operatorCodes]
is_dens = lambda op: codes[op.opcodeIndex] == sch.BuiltinOperator.DENSIFY
it = tf.lite.Interpreter(model_path=src, experimental_preserve_all_tensors=True); it.allocate_tensors()
inp = it.get_input_details()[0]; it.set_tensor(inp["index"], np.zeros(inp["shape"], inp["dtype"])); it.invoke()
for op in filter(is_dens, g.operators):
    t = g.tensors[op.outputs[0]]; val = it.get_tensor(op.outputs[0])
    assert list(val.shape) == list(t.shape)
    b = sch.BufferT(); b.data = np.frombuffer(val.tobytes(), np.uint8); m.buffers.append(b); t.buffer = len(m.buffers) - 1
g.operators = [op for op in g.operators if not is_dens(op)]
used = set(g.inputs) | set(g.outputs)
for op in g.operators: used |= {i for i in list(op.inputs) + list(op.outputs) if i >= 0}
for i, t in enumerate(g.tensors):
    if i not in used and t.buffer > 0: m.buffers[t.buffer].data = None
keep = sorted(used); remap = {o: n for n, o in enumerate(keep)}
g.tensors = [g.tensors[i] for i in keep]
g.inputs = [remap[i] for i in g.inputs]; g.outputs = [remap[i] for i in g.outputs]
for op in g.operators:
    op.inputs = [remap.get(i, i) for i in op.inputs]; op.outputs = [remap.get(i, i) for i in op.outputs]
assert not any(t.sparsity for t in g.tensors)
fu.write_model(m, dst)
x = np.random.default_rng(0).uniform(-1, 1, inp["shape"]).astype(np.float32)
def run(p):
    i = tf.lite.Interpreter(model_path=p); i.allocate_tensors(); i.set_tensor(i.get_input_details()[0]["index"], x); i.invoke()
    return [i.get_tensor(o["index"]) for o in i.get_output_details()]
assert all(np.array_equal(a, b) for a, b in zip(run(src), run(dst)))
PY
venv/bin/python -m tf2onnx.convert --tflite pose_detection_dense.tflite --output blazepose-detector.onnx --opset 17 \
  --inputs input_1 --outputs Identity,Identity_1 --rename-outputs regressors,classificators

# --- Landmark models (GHUM 3D, 39 landmarks): plain tflite ---
for v in full heavy; do
  venv/bin/python -m tf2onnx.convert --tflite mp/package/pose_landmark_$v.tflite --output blazepose-landmark-$v.onnx \
    --opset 17 --inputs input_1 --outputs Identity,Identity_1,Identity_2,Identity_3,Identity_4 \
    --rename-outputs ld_3d,output_poseflag,segmentation_logits,heatmap_logits,world_3d
done

# --- Weights stored as float16 (those of 16 elements or more, each exactly a float16), one Cast to float32 each ---
venv/bin/python - <<'PY'
import numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
for name in ["blazepose-detector", "blazepose-landmark-full", "blazepose-landmark-heavy"]:
    m = onnx.load(name + ".onnx"); g = m.graph
    inits, casts = [], []
    for init in g.initializer:
        a = numpy_helper.to_array(init)
        if init.data_type == TensorProto.FLOAT and a.size >= 16 and np.all(np.isfinite(a.astype(np.float16))) \
                and np.array_equal(a.astype(np.float16).astype(np.float32), a):
            t = numpy_helper.from_array(a.astype(np.float16), init.name + "__fp16")
            inits.append(t)
            casts.append(helper.make_node("Cast", [t.name], [init.name], to=TensorProto.FLOAT, name=init.name + "__cast"))
        else:
            inits.append(init)  # not exactly a float16 (kept float32, so outputs stay bit-identical)
    del g.initializer[:]; g.initializer.extend(inits)
    nodes = casts + list(g.node); del g.node[:]; g.node.extend(nodes)
    onnx.checker.check_model(m)
    onnx.save(m, name + "-fp16w.onnx")
PY
sha256sum blazepose-detector-fp16w.onnx blazepose-landmark-full-fp16w.onnx blazepose-landmark-heavy-fp16w.onnx

# --- The full landmark model in two (models/README.md): the body (landmarks, pose flag and the encoder's feature
# maps) and the segmentation decoder, run only when a stretch reads the back. Same nodes, bit-identical outputs. ---
venv/bin/python "$here/split-blazepose-landmark.py" blazepose-landmark-full-fp16w.onnx \
  blazepose-landmark-full-body-fp16w.onnx blazepose-segmentation-full-fp16w.onnx
sha256sum blazepose-landmark-full-body-fp16w.onnx blazepose-segmentation-full-fp16w.onnx
