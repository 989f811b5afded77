# SPDX-License-Identifier: LGPL-2.1-or-later
"""srmetrics with only `test` linked: the no-reference statistics of a
folder of images (multifilesrc), against references written here from
spec/metrics.md:

- blockiness (section 7): DiverSeg's calc_blockiness.py algorithm in NumPy
  (OpenCV's own BGR2GRAY, calc_margin, the orthonormal 8x8 DCT of the
  aligned and the (4, 4)-shifted grid, V over blocks 2..n-2, the sum of
  |(Vs - Va) / Va|): 1e-9 relative (spec 12); monotone in JPEG quality
  (q 95 < q 60 < q 20, GASR's use of it); sides 35 (too small: no value,
  reason too-small), 36 and 37;
- informativeness (section 8): HGGT's compute_var pieces, Pillow's "L" gray,
  the population std (cv2.meanStdDev) and the variance of
  cv2.Laplacian(gray, CV_8U): 1e-9;
- the summary: frames, blockiness-median (statistics.median, as DiverSeg's
  distribution script), pixels-mean.

Usage: test_srmetrics_noref.py
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sr_testenv import EXIT_SKIP, sample  # noqa: E402

TOL = 1e-9


def blockiness(bgr):
    gray = cv2.cvtColor(bgr, cv2.COLOR_BGR2GRAY).astype(np.float64)
    n = 8

    def usable(s):
        r = s % n
        return s - (r if r >= 4 else r + n)
    nh, nw = usable(gray.shape[0]) // n, usable(gray.shape[1]) // n
    if nh < 4 or nw < 4:
        return None
    k = np.arange(n)
    phi = np.array([np.ones(n) / np.sqrt(n) if u == 0 else
                    np.sqrt(2.0 / n) * np.cos(u * np.pi / (2 * n) * (2 * k + 1))
                    for u in range(n)])

    def v_of(img):
        blocks = img[:nh * n, :nw * n].reshape(nh, n, nw, n).transpose(0, 2, 1, 3)
        c = np.einsum("ur,pqrs,vs->pquv", phi, blocks, phi)
        mid = c[2:nh - 1, 2:nw - 1]
        dx = c[2:nh - 1, 1:nw - 2] + c[2:nh - 1, 3:nw] - 2 * mid
        dy = c[1:nh - 2, 2:nw - 1] + c[3:nh, 2:nw - 1] - 2 * mid
        return np.sqrt(dx ** 2 + dy ** 2).sum(axis=(0, 1))
    va, vs = v_of(gray), v_of(gray[4:, 4:])
    return float(np.sum(np.abs((vs - va) / va)))


def informativeness(bgr):
    gray = np.asarray(Image.fromarray(bgr[..., ::-1]).convert("L"))
    _, std = cv2.meanStdDev(gray.astype(np.float32))
    lap = cv2.Laplacian(gray, cv2.CV_8U)
    return float(std[0, 0]), float(lap.astype(np.float64).var())


def run(folder, n, out):
    cmd = ["gst-launch-1.0", "-q", "multifilesrc", "location=" + os.path.join(folder, "%03d.png"),
           "index=0", "stop-index=%d" % (n - 1), "caps=image/png,framerate=1/1", "!", "pngdec", "!",
           "videoconvert", "!", "video/x-raw,format=RGB", "!", "m.test",
           "srmetrics", "name=m", "metrics=blockiness,informativeness", "location=" + out, "!",
           "fakesink"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        if "pocl-opencl-icd" in r.stderr:
            print("SKIP:", r.stderr.strip())
            sys.exit(EXIT_SKIP)
        raise RuntimeError("gst-launch-1.0 failed: " + r.stderr[-2000:])
    with open(out) as f:
        lines = [json.loads(line) for line in f]
    return lines[:-1], lines[-1]


def main():
    failures, worst = [], 0.0
    with tempfile.TemporaryDirectory(prefix="sr-noref-") as tmp:
        pictures = []
        for photo in ("baboon.jpg", "fruits.jpg", "building.jpg"):
            full = cv2.imread(sample(photo), cv2.IMREAD_COLOR)
            crop = np.ascontiguousarray(full[:256, :300])
            for q in (95, 60, 20):
                ok, jpg = cv2.imencode(".jpg", crop, [cv2.IMWRITE_JPEG_QUALITY, q])
                pictures.append(("%s q%d" % (photo, q), cv2.imdecode(jpg, cv2.IMREAD_COLOR)))
        full = cv2.imread(sample("fruits.jpg"), cv2.IMREAD_COLOR)
        for side in (35, 36, 37):
            pictures.append(("fruits %dx%d" % (side, side + 4),
                             np.ascontiguousarray(full[:side + 4, :side])))
        folder = os.path.join(tmp, "pictures")
        os.makedirs(folder)
        for i, (_, img) in enumerate(pictures):
            cv2.imwrite(os.path.join(folder, "%03d.png" % i), img)
        frames, summary = run(folder, len(pictures), os.path.join(tmp, "stats.jsonl"))
        if len(frames) != len(pictures):
            sys.exit("FAIL: %d frames for %d pictures" % (len(frames), len(pictures)))
        values = []
        for (name, img), f in zip(pictures, frames):
            want_b = blockiness(img)
            std, lap = informativeness(img)
            got_b = f.get("blockiness")
            if want_b is None:
                if got_b is not None or f.get("blockiness-reason") != "too-small":
                    failures.append("%s: blockiness %r, want none (too-small)" % (name, f))
            else:
                values.append(want_b)
                d = abs(got_b - want_b) / max(1.0, abs(want_b)) if got_b is not None else 1
                worst = max(worst, d)
                if not d <= TOL:
                    failures.append("%s: blockiness %r, reference %r" % (name, got_b, want_b))
            for key, want in (("gray-std", std), ("laplacian-var", lap)):
                d = abs(f[key] - want) / max(1.0, abs(want))
                worst = max(worst, d)
                if not d <= TOL:
                    failures.append("%s: %s %r, reference %r" % (name, key, f[key], want))
            if f.get("pixels") != img.shape[0] * img.shape[1]:
                failures.append("%s: pixels %r" % (name, f.get("pixels")))
            print("%s: blockiness %s (reference %s), gray-std %.4f, laplacian-var %.4f"
                  % (name, got_b, want_b, f["gray-std"], f["laplacian-var"]))
        for i in range(0, 9, 3):
            b = [frames[i + k]["blockiness"] for k in range(3)]
            if not b[0] < b[1] < b[2]:
                failures.append("%s: blockiness not monotone in quality: %r" % (pictures[i][0], b))
        med = summary.get("blockiness-median")
        if med is None or abs(med - statistics.median(values)) > TOL * max(1, med):
            failures.append("summary median %r, reference %r" % (med, statistics.median(values)))
        pixels = np.mean([img.shape[0] * img.shape[1] for _, img in pictures])
        if abs(summary.get("pixels-mean", 0) - pixels) > 1e-9 * pixels:
            failures.append("summary pixels-mean %r, want %r" % (summary.get("pixels-mean"), pixels))
        print("summary: %s" % json.dumps(summary))
    print("largest relative difference: %.3g" % worst)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
