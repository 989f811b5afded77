#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""How far srupscale's tiled output is from its untiled output when the
tiles overlap by less than the network's receptive radius (tile-overlap),
on crops of real photos: PSNR and the largest difference of the 8-bit
outputs, per overlap. docs/models.md quotes the table for
realesrgan-x4plus, whose 349-pixel radius does not fit the default memory
budget at 1080p (srupscale then halves the overlap, see tile-overlap).

Usage: measure-tile-seams.py [--build build] [--model realesrgan-x4plus]
           [--crop 300x240] [--tile 64] [--overlaps 16,32,48,64,80]
           [--photos N]
"""
import argparse
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests",
                                "reference"))
from sr_testenv import gst_env  # noqa: E402

DATA = "/usr/share/doc/opencv-doc/examples/data/"
PHOTOS = [  # (path, x, y): crops with fine texture and sharp edges (the hard case)
    (DATA + "butterfly.jpg", 100, 60),
    (DATA + "building.jpg", 200, 150),
    ("/usr/share/wallpapers/BytheWater/contents/images/1920x1080.jpg", 700, 400),
]


def psnr8(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def upscale(src, out, model, props, env):
    subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!", "pngdec", "!",
                    "videoconvert", "!", "video/x-raw,format=RGB", "!", "srupscale",
                    "model=" + model] + props +
                   ["!", "videoconvert", "!", "pngenc", "!", "filesink", "location=" + out],
                   check=True, env=env, stdout=subprocess.DEVNULL)
    return cv2.imread(out, cv2.IMREAD_COLOR)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--model", default="realesrgan-x4plus")
    ap.add_argument("--crop", default="300x240")
    ap.add_argument("--tile", type=int, default=64)
    ap.add_argument("--overlaps", default="16,32,48,64,80")
    ap.add_argument("--photos", type=int, default=len(PHOTOS))
    a = ap.parse_args()
    os.environ.setdefault("SR_BUILD_ROOT", os.path.abspath(a.build))
    env = gst_env()
    w, h = map(int, a.crop.split("x"))
    overlaps = [int(v) for v in a.overlaps.split(",")]
    rows = {r: [] for r in overlaps}
    with tempfile.TemporaryDirectory(prefix="sr-seams-") as tmp:
        src, out = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
        for path, x, y in PHOTOS[:a.photos]:
            cv2.imwrite(src, cv2.imread(path, cv2.IMREAD_COLOR)[y:y + h, x:x + w])
            whole = upscale(src, out, a.model, [], env)
            for r in overlaps:
                got = upscale(src, out, a.model,
                              ["tile-size=%d" % a.tile, "tile-overlap=%d" % r], env)
                diff = int(np.abs(got.astype(int) - whole).max())
                rows[r].append((psnr8(got, whole), diff))
                print("%s %dx%d tile %d overlap %d: %.2f dB, max |diff| %d"
                      % (path, w, h, a.tile, r, rows[r][-1][0], diff), flush=True)
    print("\n| tile-overlap | PSNR vs untiled, dB (min over %d photos) | max abs diff (8-bit) |"
          % a.photos)
    print("| --- | --- | --- |")
    for r in overlaps:
        print("| %d | %.2f | %d |" % (r, min(p for p, _ in rows[r]), max(d for _, d in rows[r])))


if __name__ == "__main__":
    main()
