#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""How far BasicSR's SSIM moves when its moments are computed in float32
instead of float64: the evidence behind srmetrics keeping double precision
(docs/benchmarks.md, srmetrics). Not a test: run by hand.

    /usr/bin/python3 tests/bench/ssim_float32_error.py

The SSIM of BasicSR's calculate_ssim (spec/metrics.md 4.1: 11x11 Gaussian,
sigma 1.5, valid region, sigma^2 = W*x^2 - mu^2), once with every array in
float64 and once in float32 (OpenCV's filter2D in that type), on the luma
of Megamind.avi frames scaled to 1920x1080 against their JPEG q 30 copies,
and on flat patches one code value apart or with +-1 noise. The variance
W*x^2 - mu^2 subtracts two numbers near x^2 (up to 65025): float32 keeps
about 7 digits of them, so where a window is flat and bright the result
loses what the 1e-5 bar needs. Prints each case's two means and their
difference.
"""
import cv2
import numpy as np

MEGAMIND = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"


def ssim(a, b, dtype):
    g = cv2.getGaussianKernel(11, 1.5)
    win = np.outer(g, g).astype(dtype)
    a, b = a.astype(dtype), b.astype(dtype)

    def filt(x):
        return cv2.filter2D(x, -1, win)[5:-5, 5:-5]
    c1, c2 = dtype((0.01 * 255) ** 2), dtype((0.03 * 255) ** 2)
    ma, mb = filt(a), filt(b)
    va, vb, vab = filt(a * a) - ma * ma, filt(b * b) - mb * mb, filt(a * b) - ma * mb
    m = ((2 * ma * mb + c1) * (2 * vab + c2)) / ((ma * ma + mb * mb + c1) * (va + vb + c2))
    return float(m.astype(np.float64).mean())


def cases():
    cap = cv2.VideoCapture(MEGAMIND)
    for i in range(3):
        for _ in range(40):
            ok, frame = cap.read()
        if not ok:
            break
        y = cv2.cvtColor(cv2.resize(frame, (1920, 1080), interpolation=cv2.INTER_CUBIC),
                         cv2.COLOR_BGR2YCrCb)[..., 0]
        _, jpg = cv2.imencode(".jpg", y, [cv2.IMWRITE_JPEG_QUALITY, 30])
        yield "Megamind frame %d vs JPEG q30" % (40 * (i + 1)), y, cv2.imdecode(jpg, 0)
    rng = np.random.default_rng(1)
    for v in (50, 200, 250):
        flat = np.full((256, 256), v, np.uint8)
        yield "flat %d vs %d" % (v, v - 1), flat, flat - 1
        noisy = np.clip(v + rng.integers(-1, 2, flat.shape), 0, 255).astype(np.uint8)
        yield "flat %d vs %d +-1 noise" % (v, v), flat, noisy


def main():
    print("%-34s %-12s %-12s %s" % ("case", "float64", "float32", "|difference|"))
    for name, a, b in cases():
        d, s = ssim(a, b, np.float64), ssim(a, b, np.float32)
        print("%-34s %.9f  %.9f  %.2e" % (name, d, s, abs(d - s)))


if __name__ == "__main__":
    main()
