#!/usr/bin/env python3
"""Splits BlazePose's landmark model in two at the start of its segmentation decoder, nothing recomputed:

    python3 models/split-blazepose-landmark.py IN.onnx BODY.onnx SEGMENTATION.onnx

BODY is the network up to the landmarks and the pose flag, and also gives out the encoder's feature maps
that the decoder takes (its skip connections); SEGMENTATION is the decoder alone, from those feature maps to
`segmentation_logits`. Every node of IN lands in one of the two (a weight cast that both use is copied
into each), so BODY then SEGMENTATION compute what IN computes. The decoder is more than half of IN's time
and only the back's outline needs it, so stretchcoach runs it only when a stretch reads the back.
The heatmap and world-landmark heads, which stretchcoach does not read, are left out. Needs `onnx` (PyPI).
"""
import sys

import onnx
from onnx import helper, shape_inference

BODY_OUT = ["ld_3d", "output_poseflag"]
SEG_OUT = ["segmentation_logits"]


def ancestors(graph, outputs):
    """Names of the nodes `outputs` are computed from."""
    need, names = set(outputs), set()
    for n in reversed(list(graph.node)):
        if any(o in need for o in n.output):
            names.add(n.name)
            need.update(i for i in n.input if i)
    return names


def sub_model(src, nodes, inputs, outputs, name):
    g = src.graph
    used = {i for n in nodes for i in n.input}
    inits = [i for i in g.initializer if i.name in used]
    graph = helper.make_graph(nodes, name, inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=src.opset_import, producer_name="split-blazepose-landmark.py")
    m.ir_version = src.ir_version
    onnx.checker.check_model(m)
    return m


def main(src_path, body_path, seg_path):
    src = shape_inference.infer_shapes(onnx.load(src_path))
    g = src.graph
    for n in g.node:
        assert n.name, "every node is named"
    body, seg = ancestors(g, BODY_OUT), ancestors(g, SEG_OUT)
    produced_in_body = {o for n in g.node if n.name in body for o in n.output}
    seg_nodes = [n for n in g.node if n.name in seg and n.name not in body]
    seg_produced = {o for n in seg_nodes for o in n.output}
    inits = {i.name for i in g.initializer}
    # The feature maps the decoder reads from the body: its inputs made there, not weights.
    bridge = []
    for n in seg_nodes:
        for i in n.input:
            if i and i not in seg_produced and i not in inits and i not in bridge:
                assert i in produced_in_body, i
                bridge.append(i)
    # A cast of a weight used on both sides was counted in the body: the decoder gets its own copy.
    casts = [n for n in g.node if n.name in body and n.op_type == "Cast" and n.input[0] in inits]
    copied = [c for c in casts if c.output[0] in bridge]
    bridge = [b for b in bridge if b not in {c.output[0] for c in copied}]
    values = {v.name: v for v in list(g.value_info) + list(g.output) + list(g.input)}
    body_nodes = [n for n in g.node if n.name in body]
    body_m = sub_model(src, body_nodes, list(g.input), [values[o] for o in BODY_OUT + bridge], "body")
    seg_m = sub_model(src, copied + seg_nodes, [values[b] for b in bridge], [values[o] for o in SEG_OUT], "segmentation")
    onnx.save(body_m, body_path)
    onnx.save(seg_m, seg_path)
    print(f"body: {len(body_nodes)} nodes, gives {BODY_OUT} and {len(bridge)} feature maps: {bridge}")
    print(f"segmentation: {len(copied) + len(seg_nodes)} nodes")


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(*sys.argv[1:])
