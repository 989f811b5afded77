# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small, independent reader of the datasets srpairsink writes (BasicSR
layout plus gst-sr's manifest, docs/dataset.md):

  root/HR/<name>.png, root/LR_x<s>/<name>.png   8-bit RGB PNGs
  root/meta_info.txt                            "<name> (h,w,c)" per HR image
  root/manifest.jsonl                           one JSON object per pair

It parses strictly (a malformed line raises) so that the tests using it
check the files, and it can replay the recorded parameters of the presets
that have a NumPy reference (bicubic, via imresize_ref).
"""
import json
import os
import re

import cv2
import numpy as np

import imresize_ref

META_RE = re.compile(r"^(\S+\.png) \((\d+),(\d+),(\d+)\)$")
MANIFEST_KEYS = ("name", "source", "frame", "crop", "params")
PARAMS_KEYS = ("frame", "scale", "crop", "preset", "seed", "jpeg-variant", "ops")


def read_rgb(path):
    bgr = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    if bgr is None:
        raise IOError("cannot read " + path)
    if bgr.ndim != 3 or bgr.shape[2] != 3 or bgr.dtype != np.uint8:
        raise ValueError("%s is not 8-bit RGB: %s %s" % (path, bgr.shape, bgr.dtype))
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def read_manifest(path):
    """List of records, one per line; raises on a line that is not one
    JSON object with the keys docs/dataset.md lists."""
    records = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                raise ValueError("%s:%d: partial last line" % (path, n))
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("%s:%d: not an object" % (path, n))
            for k in MANIFEST_KEYS:
                if k not in rec:
                    raise ValueError("%s:%d: no key %r" % (path, n, k))
            params = rec["params"]
            if not isinstance(params, dict):
                raise ValueError("%s:%d: params is not an object" % (path, n))
            for k in PARAMS_KEYS:
                if k not in params:
                    raise ValueError("%s:%d: params has no key %r" % (path, n, k))
            if not isinstance(params["ops"], list) or not all(
                    isinstance(o, dict) and "op" in o for o in params["ops"]):
                raise ValueError("%s:%d: ops is not a list of {op: ...}" % (path, n))
            records.append(rec)
    return records


def read_meta_info(path):
    """List of (name, (h, w, c)) in file order; raises on a line that is
    not BasicSR's "name (h,w,c)"."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            m = META_RE.match(line.rstrip("\n"))
            if not m:
                raise ValueError("%s:%d: not 'name (h,w,c)': %r" % (path, n, line))
            out.append((m.group(1), tuple(int(m.group(i)) for i in (2, 3, 4))))
    return out


class PairDataset:
    """Aligned (HR, LR, record) triples of one dataset folder."""

    def __init__(self, root, scale):
        self.root = root
        self.scale = scale
        self.hr_dir = os.path.join(root, "HR")
        self.lr_dir = os.path.join(root, "LR_x%d" % scale)
        self.records = read_manifest(os.path.join(root, "manifest.jsonl"))
        self.meta = read_meta_info(os.path.join(root, "meta_info.txt"))

    def hr_names(self):
        return sorted(os.listdir(self.hr_dir))

    def lr_names(self):
        return sorted(os.listdir(self.lr_dir))

    def __len__(self):
        return len(self.records)

    def __getitem__(self, i):
        rec = self.records[i]
        hr = read_rgb(os.path.join(self.hr_dir, rec["name"]))
        lr = read_rgb(os.path.join(self.lr_dir, rec["name"]))
        return hr, lr, rec


def replay(hr, params):
    """Rebuilds the LR from its HR file and the recorded parameters, for the
    steps that have a NumPy reference. Floats in 0..1, one final rounding
    (as srdegrade rounds), half away from zero as the bicubic preset does."""
    x = hr.astype(np.float64) / 255.0
    for op in params["ops"]:
        if (op["op"] == "resize" and op.get("semantics") == "matlab"
                and op.get("mode") == "bicubic"):
            w, h = op["out-size"]
            iw, ih = op["in-size"]
            if (ih, iw) != x.shape[:2]:
                raise ValueError("resize in-size %s does not match %s" % (op["in-size"], x.shape))
            x = imresize_ref.imresize(x, float(op["factor"]), bool(op.get("antialias", True)),
                                      (h, w))
        else:
            raise NotImplementedError("no reference for op %r" % op)
    return imresize_ref.round_half_away(np.clip(x, 0.0, 1.0) * 255.0).astype(np.uint8)
