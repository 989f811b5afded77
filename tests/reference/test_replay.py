#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Parameter replay of the Real-ESRGAN family (presets realesrgan, hggt).

gst-launch-1.0 builds small datasets (tee -> srdegrade noise=false ->
srpairsink) from Debian's opencv-doc images (baboon, fruits, building; one
PNG through imagefreeze, so each frame index draws new parameters) and from
Megamind.avi (every-n=30), for both presets and both DiffJPEG variants.
replay_ref.py (PyTorch, written from upstream's code) then applies each pair's
recorded parameters (manifest.jsonl) to its HR PNG; after the final
clamp(round(x * 255)) the result must match the LR PNG to
PSNR >= 40 dB (float32 op order, and a rare flipped JPEG rounding, are the
only expected differences; measured far higher, often exact).

Also checked: the manifest is valid JSON with the recorded preset, variant
and noise steps marked not applied; the HR PNG is the top-left crop of the
source. Negative control: replaying a pair with a perturbed parameter (the
other DiffJPEG table orientation; stage-1 JPEG quality + 10) must lose at
least 3 dB, so the comparison can fail.
"""
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import replay_ref  # noqa: E402
from sr_testenv import check_replays, gst_env, sample  # noqa: E402

SCALE = 4
MIN_PSNR = 40.0
MIN_CONTROL_DROP_DB = 3.0
TIMEOUT_S = 150          # per gst-launch-1.0 run (each takes ~2-20 s)

# (image, crop w x h or None, preset, jpeg variant, seed, frames)
IMAGE_RUNS = [
    ("baboon", None, "realesrgan", "diffjpeg", 3, 4),
    ("fruits", None, "realesrgan", "diffjpeg-basicsr", 11, 4),
    ("building", (720, 528), "hggt", "diffjpeg", 5, 3),
    ("baboon", None, "hggt", "diffjpeg-basicsr", 8, 3),
]
# (preset, jpeg variant, seed, pairs) on Megamind.avi, every-n=30: the
# first 30 * (pairs - 1) + 1 frames (identity eos-after=N ends the stream
# at its N-th buffer, which it drops; srdegrade runs on
# every frame, so this bounds the time).
VIDEO_RUNS = [
    ("realesrgan", "diffjpeg-basicsr", 21, 2),
    ("hggt", "diffjpeg", 22, 3),
]


def launch(src, out, preset, variant, seed, env, sink_extra=()):
    cmd = (["gst-launch-1.0", "-q"] + src
           + ["!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "tee", "name=t",
              "t.", "!", "queue", "!", "p.hr",
              "t.", "!", "queue", "!", "srdegrade", "preset=" + preset,
              "scale=%d" % SCALE, "seed=%d" % seed, "noise=false", "jpeg=" + variant,
              "!", "p.lr", "srpairsink", "name=p", "location=" + out] + list(sink_extra))
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    assert r.returncode == 0, "gst-launch failed (%d): %s\n%s" % (
        r.returncode, " ".join(cmd), r.stderr)


def read_rgb(path):
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    assert img is not None, "cannot read " + path
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def read_manifest(root):
    recs = []
    with open(os.path.join(root, "manifest.jsonl"), encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            try:
                recs.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise AssertionError("manifest.jsonl:%d is not one JSON object (%s): %s"
                                     % (n, e, line[-80:].rstrip()))
    assert recs, "empty manifest in " + root
    return recs


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10.0 * np.log10(255.0 ** 2 / mse)


def describe(params):
    out = []
    for o in params["ops"]:
        st = o.get("stage")
        if o["op"] == "blur":
            out.append("blur%s:%s%d" % (st, o["kernel"], o["size"]))
        elif o["op"] == "resize":
            out.append("resize%s:%s%dx%d>%dx%d" % ((st, o["mode"]) + tuple(o["in-size"])
                                                   + tuple(o["out-size"])))
        elif o["op"] == "jpeg":
            out.append("jpeg%s:%.1f" % (st, o["quality"]))
        elif o["op"] == "skip":
            out.append("skip-%s%s" % (o["step"], st))
    return " ".join(out)


def check_dataset(root, preset, variant, source=None):
    """Replays every pair of root; returns [(name, psnr, hr, lr, params)]."""
    results = []
    for rec in read_manifest(root):
        p = rec["params"]
        assert p["preset"] == preset and p["jpeg-variant"] == variant, p
        assert p["scale"] == SCALE
        # Two JPEGs for realesrgan (Real-ESRGAN's feed_data), one for hggt.
        replay_ref.check_structure(p)
        names = [o["op"] for o in p["ops"]]
        assert names.count("jpeg") == (2 if preset == "realesrgan" else 1), names
        for o in p["ops"]:
            if o["op"] == "noise":
                assert o["applied"] is False, o
            if o["op"] == "jpeg":
                assert o["variant"] == variant, o
        hr = read_rgb(os.path.join(root, "HR", rec["name"]))
        lr = read_rgb(os.path.join(root, "LR_x%d" % SCALE, rec["name"]))
        x, y, w, h = rec["crop"]
        assert hr.shape == (h, w, 3) and lr.shape == (h // SCALE, w // SCALE, 3)
        if source is not None:          # an image: the HR is its top-left crop
            assert np.array_equal(hr, source[y:y + h, x:x + w]), rec["name"]
        ref = replay_ref.quantise(replay_ref.replay(hr.astype(np.float32) / 255, p))
        assert ref.shape == lr.shape, (ref.shape, lr.shape)
        db = psnr(ref, lr)
        print("  %-28s %7.2f dB  max|d| %3d  %s" % (
            rec["name"], db, int(np.abs(ref.astype(int) - lr).max()), describe(p)))
        results.append((rec["name"], db, hr, lr, p))
    return results


def negative_control(hr, lr, params, base_db):
    drops = []
    swapped = json.loads(json.dumps(params))
    other = {"diffjpeg": "diffjpeg-basicsr", "diffjpeg-basicsr": "diffjpeg"}
    for o in swapped["ops"]:
        if o["op"] == "jpeg":
            o["variant"] = other[o["variant"]]
    q10 = json.loads(json.dumps(params))
    first = next(o for o in q10["ops"] if o["op"] == "jpeg")
    first["quality"] = min(first["quality"] + 10.0, 99.0) if first["quality"] < 89 \
        else first["quality"] - 10.0
    for what, p in (("other DiffJPEG table orientation", swapped),
                    ("stage-1 JPEG quality +-10", q10)):
        db = psnr(replay_ref.quantise(replay_ref.replay(hr.astype(np.float32) / 255, p)), lr)
        print("  control: %-34s %7.2f dB (true parameters %.2f dB)" % (what, db, base_db))
        drops.append((what, db))
    return drops


def main():
    env = gst_env()
    tmp = tempfile.mkdtemp(prefix="sr-replay-")
    failures, all_results = [], []

    sources = {}
    for name, crop, preset, variant, seed, frames in IMAGE_RUNS:
        key = (name, crop)
        if key not in sources:
            img = read_rgb(sample(name + ".jpg"))
            if crop:
                img = img[:crop[1], :crop[0]]
            path = os.path.join(tmp, "%s_%s.png" % (name, "x".join(map(str, crop or ()))))
            cv2.imwrite(path, cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
            sources[key] = (path, img)
        path, img = sources[key]
        out = os.path.join(tmp, "%s-%s-%s" % (name, preset, variant))
        print("%s %dx%d, preset=%s jpeg=%s seed=%d, %d frames" % (
            name, img.shape[1], img.shape[0], preset, variant, seed, frames))
        launch(["filesrc", "location=" + path, "!", "pngdec", "!", "imagefreeze",
                "num-buffers=%d" % frames], out, preset, variant, seed, env)
        res = check_dataset(out, preset, variant, source=img)
        assert len(res) == frames, (len(res), frames)
        all_results += [(preset, variant) + r for r in res]

    for preset, variant, seed, pairs in VIDEO_RUNS:
        out = os.path.join(tmp, "megamind-%s-%s" % (preset, variant))
        print("Megamind.avi every-n=30, preset=%s jpeg=%s seed=%d, %d pairs" % (
            preset, variant, seed, pairs))
        launch(["filesrc", "location=" + sample("Megamind.avi"), "!", "decodebin", "!", "identity",
                "eos-after=%d" % (30 * (pairs - 1) + 2)], out, preset, variant, seed, env,
               ["every-n=30"])
        res = check_dataset(out, preset, variant)
        assert len(res) == pairs, (len(res), pairs)
        all_results += [(preset, variant) + r for r in res]

    failures += check_replays(all_results, ("realesrgan", "hggt"), MIN_PSNR, describe)

    # Negative control on the best realesrgan pair that is not all black.
    cands = [r for r in all_results if r[0] == "realesrgan" and r[5].max() > 0]
    _, _, name, db, hr, lr, p = max(cands, key=lambda r: min(r[3], 200.0))
    print("negative control on " + name)
    for what, cdb in negative_control(hr, lr, p, db):
        if not cdb <= min(db, 200.0) - MIN_CONTROL_DROP_DB:
            failures.append("control '%s' did not drop %.0f dB: %.2f vs %.2f dB"
                            % (what, MIN_CONTROL_DROP_DB, cdb, db))

    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
