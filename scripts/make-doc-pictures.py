#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Renders docs/pictures/: for each preset, an HR crop beside the same region
of its LR (nearest-upscaled so pixels stay visible). Run after a build:
    /usr/bin/python3 scripts/make-doc-pictures.py
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = "/usr/share/doc/opencv-doc/examples/data/baboon.jpg"
OUT = os.path.join(ROOT, "docs", "pictures")
CROP = (128, 32, 256, 256)  # x, y, w, h in HR pixels (multiples of 4)

# (file stem, caption, element chain between the decoder and the encoder)
CHAINS = [
    ("bicubic", "bicubic x4", "srdegrade preset=bicubic scale=4"),
    ("realesrgan", "realesrgan x4", "srdegrade preset=realesrgan scale=4 seed=3"),
    ("hggt", "hggt x4", "srdegrade preset=hggt scale=4 seed=3"),
    ("usm-realesrgan", "srusm + realesrgan x4", "srusm ! srdegrade preset=realesrgan scale=4 seed=3"),
    ("bsrgan", "bsrgan x4", "srdegrade preset=bsrgan scale=4 seed=3 jpeg=libjpeg"),
    ("bsrgan-plus", "bsrgan-plus x2", "srdegrade preset=bsrgan-plus scale=2 seed=3 jpeg=libjpeg"),
    ("custom", "custom x4, 1 stage",
     "srdegrade preset=custom scale=4 seed=3 stages=1 noise-range1=20,30 gaussian-noise-prob=1"),
    ("srcodec", "x2 + x264 300k",
     "srdegrade preset=bicubic scale=2 ! srcodec codecs=x264enc bitrate-min=300 bitrate-max=300 seed=1"),
]
EXTRA = sys.argv[1:]  # more "stem|caption|chain" entries (later presets, srcodec)


def run_chain(png_in, png_out, chain):
    env = dict(os.environ)
    env["GST_PLUGIN_PATH"] = os.path.join(ROOT, "build", "gst")
    cmd = (f"gst-launch-1.0 -q filesrc location={png_in} ! pngdec ! videoconvert ! "
           f"video/x-raw,format=RGB ! {chain} ! videoconvert ! video/x-raw,format=RGB ! "
           f"pngenc ! filesink location={png_out}")
    subprocess.run(cmd, shell=True, check=True, env=env, timeout=300)


def panel(hr, lr, caption):
    x, y, w, h = CROP
    s = hr.shape[1] // lr.shape[1]
    a = hr[y:y + h, x:x + w]
    b = lr[y // s:(y + h) // s, x // s:(x + w) // s]
    b = cv2.resize(b, (w, h), interpolation=cv2.INTER_NEAREST)
    scale = 1
    a = cv2.resize(a, (w * scale, h * scale), interpolation=cv2.INTER_NEAREST)
    b = cv2.resize(b, (w * scale, h * scale), interpolation=cv2.INTER_NEAREST)
    gap = np.full((h * scale, 8, 3), 255, np.uint8)
    img = np.concatenate([a, gap, b], axis=1)
    bar = np.full((28, img.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, "HR", (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (0, 0, 0), 1)
    cv2.putText(bar, caption, (w * scale + 14, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6,
                (0, 0, 0), 1)
    return np.concatenate([bar, img], axis=0)


def main():
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        hr_png = os.path.join(tmp, "hr.png")
        cv2.imwrite(hr_png, cv2.imread(SRC))
        hr = cv2.imread(hr_png)
        chains = CHAINS + [tuple(e.split("|", 2)) for e in EXTRA]
        for stem, caption, chain in chains:
            lr_png = os.path.join(tmp, stem + ".png")
            run_chain(hr_png, lr_png, chain)
            out = os.path.join(OUT, stem + ".png")
            cv2.imwrite(out, panel(hr, cv2.imread(lr_png), caption))
            print("wrote", out)


if __name__ == "__main__":
    main()
