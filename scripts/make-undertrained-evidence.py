#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Evidence that srundertrained's shipped checkpoints degrade as the
undertrained-reconstruction paper says, on the photos training never saw
(the held-out photos of models/train/corpus/manifest.json, from Debian's
wallpaper and opencv-doc packages).

Each held-out photo, area-downscaled to a long side of 1024 and cropped to
a multiple of 32, is the HR. srundertrained scale=4 (the element itself,
in gst-launch-1.0) makes its LR with color-fix none, mean and meanstd. The
plain LR is MATLAB's bicubic imresize by 1/4 (tests/reference/imresize_ref.py,
NumPy), rounded to 8 bit. Per model and fix: the PSNR of the element's LR
against the plain LR (dB over 8-bit RGB; the issue's band for a real
degradation that keeps the structure: 18-40 dB) and the mean CIEDE2000
between them (scikit-image), averaged over the photos.

Writes the figures into each shipped model card (models/weights/<name>.json,
key "evidence") and the picture docs/pictures/undertrained-grid.png
(plain LR beside each model's LR, like the paper's Figure 4), and prints a
Markdown table. Run after a build and models/train/make_corpus.py:
    /usr/bin/python3 scripts/make-undertrained-evidence.py [--build build]
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
from skimage.color import deltaE_ciede2000, rgb2lab

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tests", "reference"))
from imresize_ref import imresize  # noqa: E402

WEIGHTS = os.path.join(ROOT, "models", "weights")
MANIFEST = os.path.join(ROOT, "models", "train", "corpus", "manifest.json")
PICTURE = os.path.join(ROOT, "docs", "pictures", "undertrained-grid.png")
ORDER = ["vqvae2-ep4", "vqvae2-ep8", "vqvae2-ep16", "vqvae-ep8"]  # Figure 4's columns
FIXES = ["none", "mean", "meanstd"]
SCALE = 4
LONG_SIDE = 1024
GRID_PHOTOS = 3          # rows of the picture
GRID_CROP = 96           # LR pixels per side, shown at 3x
GRID_ZOOM = 3


def heldout_hr():
    with open(MANIFEST) as f:
        photos = [p for p in json.load(f)["photos"] if p["split"] == "heldout"]
    out = []
    for p in photos:
        bgr = cv2.imread(p["path"], cv2.IMREAD_COLOR)
        if bgr is None:
            sys.exit("cannot read %s (from %s)" % (p["path"], MANIFEST))
        h, w = bgr.shape[:2]
        f = LONG_SIDE / max(h, w)
        if f < 1:
            bgr = cv2.resize(bgr, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
        h, w = (d // (8 * SCALE) * 8 * SCALE for d in bgr.shape[:2])
        out.append((p["heldout_file"][:-4], cv2.cvtColor(bgr[:h, :w], cv2.COLOR_BGR2RGB)))
    return out


def plain_lr(hr):
    lr = imresize(hr.astype(np.float64) / 255, 1.0 / SCALE, True,
                  (hr.shape[0] // SCALE, hr.shape[1] // SCALE))
    return np.rint(np.clip(lr, 0, 1) * 255).astype(np.uint8)


def element_lr(build, tmp, hr, model, fix):
    src, dst = os.path.join(tmp, "hr.png"), os.path.join(tmp, "lr.png")
    cv2.imwrite(src, cv2.cvtColor(hr, cv2.COLOR_RGB2BGR))
    env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(build, "gst"))
    cmd = ["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!", "pngdec", "!",
           "videoconvert", "!", "video/x-raw,format=RGB", "!", "srundertrained",
           "model=" + model, "scale=%d" % SCALE, "color-fix=" + fix, "!", "videoconvert", "!",
           "video/x-raw,format=RGB", "!", "pngenc", "!", "filesink", "location=" + dst]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=600)
    if r.returncode != 0:
        sys.exit("srundertrained model=%s color-fix=%s failed:\n%s" % (model, fix, r.stderr))
    return cv2.cvtColor(cv2.imread(dst, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b) ** 2)
    return float("inf") if mse == 0 else float(10 * np.log10(255 ** 2 / mse))


def ciede2000(a, b):
    return float(np.mean(deltaE_ciede2000(rgb2lab(a), rgb2lab(b))))


def labelled(img, text):
    bar = np.full((24, img.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (0, 0, 0), 1)
    return np.concatenate([bar, img], axis=0)


def grid_cell(lr, text):
    h, w = lr.shape[:2]
    y, x = (h - GRID_CROP) // 2, (w - GRID_CROP) // 2
    crop = lr[y:y + GRID_CROP, x:x + GRID_CROP]
    big = cv2.resize(crop, None, fx=GRID_ZOOM, fy=GRID_ZOOM, interpolation=cv2.INTER_NEAREST)
    return labelled(big, text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(ROOT, "build"))
    args = ap.parse_args()
    models = [m for m in ORDER if os.path.exists(os.path.join(WEIGHTS, m + ".json"))]
    if not models:
        sys.exit("no checkpoint in %s" % WEIGHTS)
    photos = heldout_hr()
    rows = [[] for _ in photos[:GRID_PHOTOS]]
    table = []
    with tempfile.TemporaryDirectory(prefix="sr-evidence-") as tmp:
        plains = [plain_lr(hr) for _, hr in photos]
        for i in range(len(rows)):
            rows[i].append(grid_cell(plains[i], "bicubic LR (%s)" % photos[i][0][:18]))
        for model in models:
            per_fix = {}
            for fix in FIXES:
                scores = []
                for i, ((name, hr), plain) in enumerate(zip(photos, plains)):
                    lr = element_lr(args.build, tmp, hr, model, fix)
                    scores.append({"image": name, "lr_size": [lr.shape[1], lr.shape[0]],
                                   "psnr_db": round(psnr(lr, plain), 3),
                                   "ciede2000": round(ciede2000(lr, plain), 3)})
                    if fix == "none" and i < len(rows):
                        rows[i].append(grid_cell(lr, model))
                per_fix[fix] = {
                    "mean_psnr_db": round(float(np.mean([s["psnr_db"] for s in scores])), 2),
                    "min_psnr_db": round(min(s["psnr_db"] for s in scores), 2),
                    "max_psnr_db": round(max(s["psnr_db"] for s in scores), 2),
                    "mean_ciede2000": round(float(np.mean([s["ciede2000"] for s in scores])), 2),
                    "images": scores}
                table.append((model, fix, per_fix[fix]))
            card_path = os.path.join(WEIGHTS, model + ".json")
            with open(card_path) as f:
                card = json.load(f)
            card["evidence"] = {
                "protocol": "held-out photos of models/train/corpus (area-downscaled to a long "
                            "side of %d, cropped to a multiple of %d) as HR; srundertrained "
                            "scale=%d in gst-launch-1.0 against MATLAB-bicubic 1/%d of the same "
                            "HR (8-bit): PSNR over RGB and mean CIEDE2000 (scikit-image)"
                            % (LONG_SIDE, 8 * SCALE, SCALE, SCALE),
                "script": "scripts/make-undertrained-evidence.py",
                "picture": "docs/pictures/undertrained-grid.png",
                "color_fix": per_fix}
            with open(card_path, "w") as f:
                json.dump(card, f, indent=1)
                f.write("\n")
    width = max(sum(c.shape[1] for c in r) for r in rows)
    grid = np.concatenate([np.pad(np.concatenate(r, axis=1),
                                  ((0, 4), (0, width - sum(c.shape[1] for c in r)), (0, 0)),
                                  constant_values=255) for r in rows], axis=0)
    cv2.imwrite(PICTURE, cv2.cvtColor(grid, cv2.COLOR_RGB2BGR), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print("| model | color-fix | PSNR vs bicubic LR, mean (min-max) | mean CIEDE2000 |")
    print("| --- | --- | --- | --- |")
    for model, fix, r in table:
        print("| %s | %s | %.2f dB (%.2f-%.2f) | %.2f |" % (
            model, fix, r["mean_psnr_db"], r["min_psnr_db"], r["max_psnr_db"],
            r["mean_ciede2000"]))
    print("%d held-out photos; picture: %s" % (len(photos), os.path.relpath(PICTURE, ROOT)))


if __name__ == "__main__":
    main()
