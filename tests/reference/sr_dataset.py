# SPDX-License-Identifier: LGPL-2.1-or-later
"""A small, independent reader of the datasets srpairsink writes (BasicSR
layout plus gst-sr's manifest, docs/dataset.md):

  root/HR/<name>.png, root/LR_x<s>/<name>.png   8-bit RGB PNGs
  root/meta_info.txt                            "<name> (h,w,c)" per HR image
  root/manifest.jsonl                           one JSON object per pair

and, for layout=clips, BasicSR's REDS layout (ClipDataset, at the end).

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


# ---- layout=clips (BasicSR's REDS layout) ------------------------------------
#
#   root/HR/<clip>/<frame:08d>.png, root/LR_x<s>/<clip>/<frame:08d>.png
#   root/meta_info.txt   "<clip> <n_frames> (h,w,c)" per clip
#   root/manifest.jsonl  one line per frame ("name": "<clip>/<file>"), then
#                        one line per clip ("clip", "frames", ...)
#
# The reader below does what BasicSR's REDSRecurrentDataset does with such a
# folder (basicsr/data/reds_dataset.py): it splits each meta_info line on
# ' ' into exactly (clip, frame count, shape), makes the keys
# "<clip>/<i:08d>" for i in range(count), and loads a window of num_frame
# consecutive frames from a key, HR and LR alike, from
# <root>/<clip>/<i:08d>.png. One difference, stated: upstream bounds the
# window's start with REDS's literal 100 frames per clip
# ("if start > 100 - num_frame"); this reader uses the clip's own count from
# meta_info, which is what that bound stands for.

CLIP_FRAME_RE = re.compile(r"^(\S+)/(\d{8})\.png$")
CLIP_KEYS = ("clip", "source", "frames", "first-frame", "size", "lr_size", "params")


def read_clip_meta_info(path):
    """[(clip, n_frames, (h, w, c))] as REDSRecurrentDataset parses them:
    `folder, frame_num, _ = line.split(' ')`; raises on any other line."""
    out = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                raise ValueError("%s:%d: partial last line" % (path, n))
            folder, frame_num, shape = line.split(" ")     # exactly three, as upstream
            m = re.match(r"^\((\d+),(\d+),(\d+)\)$", shape.rstrip("\n"))
            if not m or not frame_num.isdigit() or int(frame_num) < 1:
                raise ValueError("%s:%d: not '<clip> <n> (h,w,c)': %r" % (path, n, line))
            out.append((folder, int(frame_num), tuple(int(m.group(i)) for i in (1, 2, 3))))
    return out


def read_clip_manifest(path):
    """(frame records, clip records) of a clips manifest; raises unless each
    clip line follows exactly its own frame lines, clip-frame 0..n-1 in
    order, and every frame line has the keys docs/dataset.md lists."""
    frames, clips, pending = [], [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.endswith("\n"):
                raise ValueError("%s:%d: partial last line" % (path, n))
            rec = json.loads(line)
            if not isinstance(rec, dict):
                raise ValueError("%s:%d: not an object" % (path, n))
            if "clip" in rec and "name" not in rec:
                for k in CLIP_KEYS:
                    if k not in rec:
                        raise ValueError("%s:%d: clip line without %r" % (path, n, k))
                names = ["%s/%08d.png" % (rec["clip"], i) for i in range(rec["frames"])]
                if [r["name"] for r in pending] != names:
                    raise ValueError("%s:%d: clip %s (%d frames) follows %s" % (
                        path, n, rec["clip"], rec["frames"], [r["name"] for r in pending]))
                clips.append(rec)
                frames.extend(pending)
                pending = []
                continue
            for k in MANIFEST_KEYS:
                if k not in rec:
                    raise ValueError("%s:%d: no key %r" % (path, n, k))
            m = CLIP_FRAME_RE.match(rec["name"])
            if not m:
                raise ValueError("%s:%d: %r is not <clip>/<8 digits>.png" % (path, n, rec["name"]))
            p = rec["params"]
            for k in PARAMS_KEYS + ("clip", "clip-frame"):
                if k not in p:
                    raise ValueError("%s:%d: params has no key %r" % (path, n, k))
            if p["clip-frame"] != int(m.group(2)):
                raise ValueError("%s:%d: clip-frame %d in %s" % (path, n, p["clip-frame"], rec["name"]))
            pending.append(rec)
    if pending:
        raise ValueError("%s: frame lines after the last clip line" % path)
    return frames, clips


class ClipDataset:
    """A clips dataset read as BasicSR's REDSRecurrentDataset reads REDS:
    keys "<clip>/<i:08d>" from meta_info.txt, windows of consecutive HR
    and LR frames. Checks on load: the folders hold exactly the meta_info
    frames (as VideoTestDataset lists them), the manifest agrees."""

    def __init__(self, root, scale):
        self.root = root
        self.scale = scale
        self.gt_root = os.path.join(root, "HR")
        self.lq_root = os.path.join(root, "LR_x%d" % scale)
        self.meta = read_clip_meta_info(os.path.join(root, "meta_info.txt"))
        self.frames, self.clips = read_clip_manifest(os.path.join(root, "manifest.jsonl"))
        self.count = {}
        self.shape = {}
        self.keys = []
        for folder, frame_num, shape in self.meta:
            if folder in self.count:
                raise ValueError("clip %s twice in meta_info.txt" % folder)
            self.count[folder] = frame_num
            self.shape[folder] = shape
            self.keys.extend("%s/%08d" % (folder, i) for i in range(frame_num))
        if [c["clip"] for c in self.clips] != [m[0] for m in self.meta]:
            raise ValueError("meta_info.txt lists %s, the manifest %s" % (
                [m[0] for m in self.meta], [c["clip"] for c in self.clips]))
        for c in self.clips:
            if c["frames"] != self.count[c["clip"]]:
                raise ValueError("clip %s: %d frames in the manifest, %d in meta_info" % (
                    c["clip"], c["frames"], self.count[c["clip"]]))
            h, w, _ = self.shape[c["clip"]]
            if c["size"] != [w, h] or c["lr_size"] != [w // scale, h // scale]:
                raise ValueError("clip %s: size %s / %s, meta_info %s" % (
                    c["clip"], c["size"], c["lr_size"], self.shape[c["clip"]]))
        for top in (self.gt_root, self.lq_root):
            if sorted(os.listdir(top)) != sorted(self.count):
                raise ValueError("%s holds %s, meta_info %s" % (top, sorted(os.listdir(top)),
                                                                sorted(self.count)))
            for folder, n in self.count.items():
                want = ["%08d.png" % i for i in range(n)]
                got = sorted(os.listdir(os.path.join(top, folder)))
                if got != want:
                    raise ValueError("%s/%s holds %s, meta_info says %d frames" % (
                        top, folder, got, n))

    def __len__(self):
        return len(self.keys)

    def window(self, index, num_frame, interval=1):
        """(key, lqs, gts): num_frame frames from keys[index] on, each as
        an (h, w, 3) uint8 RGB array, as REDSRecurrentDataset gathers them
        (a start too late for the window moves back to the last one that
        fits, where upstream draws one at random)."""
        key = self.keys[index]
        clip_name, frame_name = key.split("/")
        n = self.count[clip_name]
        if num_frame > n:
            raise ValueError("clip %s has %d frames, fewer than num_frame=%d" % (
                clip_name, n, num_frame))
        start = int(frame_name)
        if start > n - num_frame * interval:
            start = n - num_frame * interval
        lqs, gts = [], []
        for i in range(start, start + num_frame * interval, interval):
            lqs.append(read_rgb(os.path.join(self.lq_root, clip_name, "%08d.png" % i)))
            gts.append(read_rgb(os.path.join(self.gt_root, clip_name, "%08d.png" % i)))
        h, w, c = self.shape[clip_name]
        for lq, gt in zip(lqs, gts):
            if gt.shape != (h, w, c):
                raise ValueError("%s: HR %s, meta_info (%d,%d,%d)" % (key, gt.shape, h, w, c))
            if lq.shape != (h // self.scale, w // self.scale, c):
                raise ValueError("%s: LR %s is not HR %s / %d" % (key, lq.shape, gt.shape,
                                                                  self.scale))
        return key, np.stack(lqs), np.stack(gts)
