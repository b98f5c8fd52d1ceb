#!/usr/bin/env python3
"""Writes pose_detection.tflite from the unpacked npm package @mediapipe/pose@0.5.1675469404, which packs the
detector whole inside pose_solution_packed_assets.data (its byte range is listed in the loader script).

    python3 npm-pose-detector.py PACKAGE_DIR OUT.tflite

Python's standard library only. Used by models/convert-blazepose.sh and benches/mediapipe/setup.sh.
"""
import json
import re
import sys

package, out = sys.argv[1], sys.argv[2]
js = open(f"{package}/pose_solution_packed_assets_loader.js").read()
files = json.loads(re.search(r'"files":\s*(\[.*?\])', js, re.S).group(1))
f = [f for f in files if f["filename"].endswith("/pose_detection.tflite")][0]
data = open(f"{package}/pose_solution_packed_assets.data", "rb").read()[f["start"]:f["end"]]
assert data[4:8] == b"TFL3", "not a tflite flatbuffer"
open(out, "wb").write(data)
