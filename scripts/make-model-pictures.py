#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Renders docs/pictures/models-x4.png: one photo region, made 4x smaller
with MATLAB bicubic (srdegrade preset=bicubic), then brought back by bicubic
interpolation and by each network through srupscale, beside the original.
Run after a build and scripts/install-models.sh:
    /usr/bin/python3 scripts/make-model-pictures.py
"""
import os
import subprocess
import tempfile

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SRC = "/usr/share/doc/opencv-doc/examples/data/fruits.jpg"
OUT = os.path.join(ROOT, "docs", "pictures", "models-x4.png")
CROP = (176, 144, 192, 192)  # x, y, w, h of the photo (multiples of 4)
MODELS = ["esrgan-slim-x4", "esrgan-medium-x4", "esrgan-thick-x4"]


def launch(png_in, png_out, chain):
    env = dict(os.environ)
    env["GST_PLUGIN_PATH"] = os.path.join(ROOT, "build", "gst")
    cmd = (f"gst-launch-1.0 -q filesrc location={png_in} ! pngdec ! videoconvert ! "
           f"video/x-raw,format=RGB ! {chain} ! videoconvert ! video/x-raw,format=RGB ! "
           f"pngenc ! filesink location={png_out}")
    subprocess.run(cmd, shell=True, check=True, env=env, timeout=600)


def labelled(img, text):
    bar = np.full((26, img.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (6, 19), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1)
    return np.concatenate([bar, img], axis=0)


def main():
    x, y, w, h = CROP
    with tempfile.TemporaryDirectory() as tmp:
        hr = cv2.imread(SRC)[y:y + h, x:x + w]
        hr_png, lr_png = os.path.join(tmp, "hr.png"), os.path.join(tmp, "lr.png")
        cv2.imwrite(hr_png, hr)
        launch(hr_png, lr_png, "srdegrade preset=bicubic scale=4")
        lr = cv2.imread(lr_png)
        panels = [labelled(cv2.resize(lr, (w, h), interpolation=cv2.INTER_CUBIC),
                           "bicubic x4")]
        for model in MODELS:
            out_png = os.path.join(tmp, model + ".png")
            launch(lr_png, out_png, f"srupscale model={model}")
            panels.append(labelled(cv2.imread(out_png), model))
        panels.append(labelled(hr, "original"))
        gap = np.full((h + 26, 6, 3), 255, np.uint8)
        row = [panels[0]]
        for p in panels[1:]:
            row += [gap, p]
        cv2.imwrite(OUT, np.concatenate(row, axis=1))
        print("wrote", OUT)


if __name__ == "__main__":
    main()
