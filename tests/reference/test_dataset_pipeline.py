#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end: the README pipeline (Megamind.avi -> decodebin -> tee ->
srdegrade preset=bicubic scale=4 -> srpairsink, here every-n=25) writes a
dataset that sr_dataset.py loads back as aligned pairs.

Checks, with their tolerances:
 * layout: HR/ and LR_x4/ hold the same names, exactly those of the manifest
   and of meta_info.txt; every frame index 0, 25, ... of the video is there
   once; LR size * 4 == HR size == the recorded crop size;
 * meta_info.txt lines are BasicSR's "name (h,w,c)" with the real PNG sizes;
 * every manifest line is JSON with the keys docs/dataset.md lists;
 * replay: sr_dataset.replay (imresize_ref, from the recorded ops) on the HR
   PNG reproduces the LR PNG: every value within +-1, < 0.5 % differ
   (float32 vs float64 rounding); the recorded ops must also equal the bicubic preset's;
 * the HR PNG is the source frame: OpenCV (FFmpeg + swscale) decodes the
   video independently; its YUV->RGB conversion differs from videoconvert's
   by a few levels (measured: max 5, ~0.6 of values, ~45 dB; frame 0 is
   black and identical), so the test asks PSNR > 40 dB and that the same
   index beats its neighbours k-1, k+1 by > 3 dB (alignment, not just
   similarity);
 * resume: the same pipeline into the same folder adds nothing (manifest and
   meta_info byte-identical, no duplicate names);
 * max-pairs=3 into a fresh folder: exactly 3 pairs (frames 0, 25, 50) and
   gst-launch-1.0 exits by itself (subprocess timeout 300 s);
 * kill + the same command again: a max-pairs=6 run killed (SIGKILL) after
   its first pairs, then run again unchanged, gives the same files, byte for
   byte, as one uninterrupted run (max-pairs bounds the dataset, not the
   run); while the killed run still writes, a second writer on its location
   is refused (exit != 0, "another writer").
"""
import filecmp
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imresize_ref  # noqa: E402
import sr_dataset  # noqa: E402
from sr_testenv import gst_env, sample  # noqa: E402

VIDEO = None  # sample("Megamind.avi"), in main
SCALE = 4
EVERY_N = 25
SEED = 7
MAX_DIFF_FRACTION = 0.005
MIN_SOURCE_PSNR = 40.0
MIN_ALIGN_MARGIN_DB = 3.0
TIMEOUT_S = 300


def pipeline_cmd(out, extra=()):
    return ["gst-launch-1.0", "-q", "filesrc", "location=" + VIDEO, "!", "decodebin",
           "!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "tee", "name=t",
           "t.", "!", "queue", "!", "p.hr",
           "t.", "!", "queue", "!", "srdegrade", "preset=bicubic", "scale=%d" % SCALE,
           "seed=%d" % SEED, "!", "p.lr",
           "srpairsink", "name=p", "location=" + out, "every-n=%d" % EVERY_N] + list(extra)


def run_pipeline(out, env, extra=()):
    cmd = pipeline_cmd(out, extra)
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise AssertionError("gst-launch-1.0 did not exit within %d s (%s): the pipeline "
                             "did not end at EOS%s" % (TIMEOUT_S, out, " / max-pairs" if extra else "")) from None
    assert r.returncode == 0, "gst-launch failed (%d): %s" % (r.returncode, r.stderr)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0 ** 2 / mse)


def decode_source():
    cap = cv2.VideoCapture(VIDEO)
    assert cap.isOpened(), "OpenCV cannot open " + VIDEO
    frames = []
    while True:
        ok, f = cap.read()
        if not ok:
            break
        frames.append(cv2.cvtColor(f, cv2.COLOR_BGR2RGB))
    assert frames, "OpenCV decoded no frame"
    return frames


def check_dataset(root, frames, expect_frames):
    ds = sr_dataset.PairDataset(root, SCALE)
    names = [r["name"] for r in ds.records]
    assert len(set(names)) == len(names), "duplicate names in manifest.jsonl"
    meta_names = [m[0] for m in ds.meta]
    assert len(set(meta_names)) == len(meta_names), "duplicate names in meta_info.txt"
    assert meta_names == names, "meta_info.txt and manifest.jsonl list different pairs"
    assert ds.hr_names() == sorted(names), "HR/ holds %s, manifest %s" % (ds.hr_names(), names)
    assert ds.lr_names() == sorted(names), "LR_x4/ holds %s, manifest %s" % (ds.lr_names(), names)
    got_frames = sorted(r["frame"] for r in ds.records)
    assert got_frames == expect_frames, "frames %s, expected %s" % (got_frames, expect_frames)

    worst_diff, diff_vals, all_vals = 0, 0, 0
    src_psnrs, margins = [], []
    for i in range(len(ds)):
        hr, lr, rec = ds[i]
        p = rec["params"]
        tag = rec["name"]
        assert rec["frame"] % EVERY_N == 0 and p["frame"] == rec["frame"], tag
        assert p["scale"] == SCALE and p["preset"] == "bicubic" and p["seed"] == SEED, tag
        assert rec["source"] == VIDEO, "%s: source %r" % (tag, rec["source"])
        x, y, w, h = rec["crop"]
        assert list(p["crop"]) == [x, y, w, h], tag
        assert (x, y) == (0, 0) and w % SCALE == 0 and h % SCALE == 0, tag
        assert hr.shape == (h, w, 3), "%s: HR %s, crop %s" % (tag, hr.shape, rec["crop"])
        assert (lr.shape[0] * SCALE, lr.shape[1] * SCALE) == hr.shape[:2], \
            "%s: LR %s * %d != HR %s" % (tag, lr.shape, SCALE, hr.shape)
        assert ds.meta[i][1] == (hr.shape[0], hr.shape[1], 3), \
            "%s: meta_info %s, PNG %s" % (tag, ds.meta[i][1], hr.shape)
        # The bicubic preset records exactly one MATLAB resize by 1/s.
        ops = p["ops"]
        assert len(ops) == 1 and ops[0]["op"] == "resize", "%s: ops %s" % (tag, ops)
        op = ops[0]
        assert (op["semantics"], op["mode"], op["direction"]) == ("matlab", "bicubic", "down"), op
        assert op["factor"] == 1.0 / SCALE and op.get("antialias", True) is True, op
        assert op["in-size"] == [w, h] and op["out-size"] == [w // SCALE, h // SCALE], op

        # Replay from the recorded parameters, and the preset helper agrees.
        rep = sr_dataset.replay(hr, p)
        assert np.array_equal(rep, imresize_ref.bicubic_preset(hr, SCALE)), tag
        d = np.abs(rep.astype(int) - lr.astype(int))
        worst_diff = max(worst_diff, int(d.max()))
        diff_vals += np.count_nonzero(d)
        all_vals += d.size
        frac = np.count_nonzero(d) / d.size
        assert d.max() <= 1, "%s: replay max |d| = %d > 1" % (tag, d.max())
        assert frac < MAX_DIFF_FRACTION, "%s: replay: %.4f%% differ" % (tag, 100 * frac)

        # The HR PNG is the decoded source frame (crop of it).
        k = rec["frame"]
        assert k < len(frames), "%s: frame %d beyond the %d decoded" % (tag, k, len(frames))
        src = frames[k][y:y + h, x:x + w]
        ps = psnr(hr, src)
        src_psnrs.append(ps)
        assert ps > MIN_SOURCE_PSNR, "%s: HR vs OpenCV frame %d: %.1f dB" % (tag, k, ps)
        if np.isfinite(ps) and src.std() > 0:
            nb = [psnr(hr, frames[j][y:y + h, x:x + w]) for j in (k - 1, k + 1)
                  if 0 <= j < len(frames)]
            margin = ps - max(nb)
            margins.append(margin)
            assert margin > MIN_ALIGN_MARGIN_DB, \
                "%s: frame %d only %.1f dB better than its neighbours" % (tag, k, margin)
    finite = [v for v in src_psnrs if np.isfinite(v)]
    print("%s: %d pairs; replay max|d|=%d, %d of %d values differ (%.4f%%); "
          "HR vs OpenCV frame: min %.2f dB (%d identical), alignment margin min %.1f dB"
          % (os.path.basename(root), len(ds), worst_diff, diff_vals, all_vals,
             100.0 * diff_vals / max(all_vals, 1), min(finite) if finite else float("inf"),
             len(src_psnrs) - len(finite), min(margins) if margins else float("nan")))
    return names


def count_lines(path):
    try:
        with open(path, "rb") as f:
            return f.read().count(b"\n")
    except FileNotFoundError:
        return 0


def same_tree(a, b):
    """Names and bytes of every file below a and b, compared."""
    for root, dirs, files in os.walk(a):
        rel = os.path.relpath(root, a)
        other = os.path.join(b, rel)
        assert sorted(os.listdir(other)) == sorted(dirs + files), \
            "%s holds %s, %s holds %s" % (root, sorted(dirs + files), other,
                                         sorted(os.listdir(other)))
        for f in files:
            assert filecmp.cmp(os.path.join(root, f), os.path.join(other, f),
                               shallow=False), "%s differs" % os.path.join(rel, f)


def check_kill_and_rerun(tmp, env):
    extra = ["max-pairs=6"]
    whole = os.path.join(tmp, "whole")
    run_pipeline(whole, env, extra)
    killed = os.path.join(tmp, "killed")
    proc = subprocess.Popen(pipeline_cmd(killed, extra), env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    manifest = os.path.join(killed, "manifest.jsonl")
    deadline = time.monotonic() + TIMEOUT_S
    while count_lines(manifest) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    # A second writer while the first holds the location.
    second = subprocess.run(pipeline_cmd(killed, extra), env=env, capture_output=True,
                            text=True, timeout=TIMEOUT_S)
    proc.send_signal(signal.SIGKILL)
    rc = proc.wait()
    assert rc == -signal.SIGKILL, "the run ended (%d) before it could be killed" % rc
    assert second.returncode != 0 and "another writer" in second.stderr, \
        "second writer: exit %d, %s" % (second.returncode, second.stderr)
    at_kill = count_lines(manifest)
    assert at_kill < 6, "killed after %d pairs: nothing left to resume" % at_kill
    run_pipeline(killed, env, extra)
    same_tree(whole, killed)
    print("kill after %d of 6 pairs + the same command: identical to one run "
          "(every file, byte for byte); a second writer was refused: %s"
          % (at_kill, next(line for line in second.stderr.splitlines()
                           if "another writer" in line).strip()))


def main():
    global VIDEO
    VIDEO = sample("Megamind.avi")
    env = gst_env()
    frames = decode_source()
    print("OpenCV decoded %d frames of %dx%d" % (len(frames), frames[0].shape[1],
                                                 frames[0].shape[0]))
    with tempfile.TemporaryDirectory(prefix="sr-dataset-") as tmp:
        full = os.path.join(tmp, "megamind-x4")
        run_pipeline(full, env)
        expect = list(range(0, len(frames), EVERY_N))
        check_dataset(full, frames, expect)

        # Resume: nothing new, nothing duplicated.
        def snapshot():
            with open(os.path.join(full, "manifest.jsonl"), "rb") as f1, \
                    open(os.path.join(full, "meta_info.txt"), "rb") as f2:
                return f1.read(), f2.read()
        before = snapshot()
        run_pipeline(full, env)
        after = snapshot()
        assert after == before, "resume changed manifest.jsonl or meta_info.txt"
        check_dataset(full, frames, expect)
        for line in after[0].decode().splitlines():
            json.loads(line)
        print("resume: manifest.jsonl and meta_info.txt unchanged (%d lines)"
              % len(after[0].splitlines()))

        # max-pairs: stops after 3 and the pipeline ends by itself.
        few = os.path.join(tmp, "megamind-x4-3")
        run_pipeline(few, env, ["max-pairs=3"])
        names = check_dataset(few, frames, [0, EVERY_N, 2 * EVERY_N])
        assert len(names) == 3
        print("max-pairs=3: exactly 3 pairs, gst-launch-1.0 exited")

        check_kill_and_rerun(tmp, env)
    return 0


if __name__ == "__main__":
    sys.exit(main())
