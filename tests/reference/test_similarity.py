# SPDX-License-Identifier: LGPL-2.1-or-later
"""The similarity op (srmetrics' PSNR and SSIM sums) against BasicSR's
metrics and scikit-image's, on real photos degraded several ways.

Pictures: crops of opencv-doc photos at odd sizes, each against itself
degraded by JPEG (q 30), Gaussian blur (sigma 1.5), Gaussian noise
(sigma 8), bicubic down-up (x4) and a colour shift; crop borders 0 and 4;
RGB and BasicSR's Y.

References:
- BasicSR's calculate_psnr / calculate_ssim (basicsr/metrics/psnr_ssim.py,
  XPixelGroup/BasicSR 8d56e3a), written here from spec/metrics.md sections
  3.1, 3.2 and 4.1 on OpenCV's BGR uint8 arrays, as BasicSR calls them:
  to_y_channel's float32 chain, np.float64, cv2.filter2D with the outer
  product of cv2.getGaussianKernel(11, 1.5), the [5:-5, 5:-5] valid crop.
- scikit-image (Debian's python3-skimage): structural_similarity with
  Wang's settings (gaussian_weights, sigma 1.5, population moments,
  data_range 255) must equal the Gaussian-window sums; its defaults (7x7
  uniform, sample covariance) the uniform-7 sums; peak_signal_noise_ratio
  the RGB PSNR.

Ours: tests/kernels/sr_similarity_tool on the pictures as float32 planar
RGB k/255 (what srmetrics receives from the upload), PSNR = 10 log10
(255^2 / (sum of SSE / values)), SSIM = mean over channels.

Tolerance (spec/metrics.md section 12): 1e-9 dB for PSNR, 1e-9 for SSIM;
the issue's bar is 1e-4 dB and 1e-5. Both sides compute in double; they
differ only in the order of sums (OpenCV's filter2D may even use a DFT).

Usage: test_similarity.py SR_SIMILARITY_TOOL
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sr_testenv import EXIT_SKIP, sample  # noqa: E402

PSNR_TOL = 1e-9
SSIM_TOL = 1e-9
PHOTOS = [("baboon.jpg", 253, 187), ("fruits.jpg", 160, 121), ("building.jpg", 301, 200)]


# ---- BasicSR, from the spec -------------------------------------------------------

def basicsr_y(bgr_u8):
    """to_y_channel: u8 / 255 in float32, BT.601 row in float64 (BGR order),
    + 16, / 255 back to float32, * 255 in float32."""
    img = bgr_u8.astype(np.float32) / 255.
    y = np.dot(img, [24.966, 128.553, 65.481]) + 16.0
    y = (y / 255.).astype(np.float32)
    return y[..., None] * 255.


def basicsr_prepare(img, crop, y_only):
    if crop:
        img = img[crop:-crop, crop:-crop, ...]
    if y_only:
        img = basicsr_y(img)
    return img.astype(np.float64)


def basicsr_psnr(a, b, crop, y_only):
    a, b = basicsr_prepare(a, crop, y_only), basicsr_prepare(b, crop, y_only)
    mse = np.mean((a - b) ** 2)
    return float("inf") if mse == 0 else 10. * np.log10(255. * 255. / mse)


def ssim_cs(x, y):
    """BasicSR's _ssim on one float64 channel, and the mean of its
    contrast-structure map (MS-SSIM's term) likewise."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    k = cv2.getGaussianKernel(11, 1.5)
    win = np.outer(k, k.transpose())

    def filt(v):
        return cv2.filter2D(v, -1, win)[5:-5, 5:-5]
    mu1, mu2 = filt(x), filt(y)
    s1 = filt(x ** 2) - mu1 ** 2
    s2 = filt(y ** 2) - mu2 ** 2
    s12 = filt(x * y) - mu1 * mu2
    m = ((2 * mu1 * mu2 + c1) * (2 * s12 + c2)) / ((mu1 ** 2 + mu2 ** 2 + c1) * (s1 + s2 + c2))
    return m.mean(), ((2 * s12 + c2) / (s1 + s2 + c2)).mean()


def basicsr_ssim_channel(x, y):
    return ssim_cs(x, y)[0]


def basicsr_ssim(a, b, crop, y_only):
    a, b = basicsr_prepare(a, crop, y_only), basicsr_prepare(b, crop, y_only)
    return float(np.mean([basicsr_ssim_channel(a[..., i], b[..., i])
                          for i in range(a.shape[2])]))


# ---- ours -------------------------------------------------------------------------

def ours(tool, tmp, a_bgr, b_bgr, crop, y_only, window):
    h, w, _ = a_bgr.shape
    paths = []
    for name, img in (("a", a_bgr), ("b", b_bgr)):
        rgb = img[..., ::-1].astype(np.float32) / np.float32(255)
        p = os.path.join(tmp, name + ".f32")
        np.ascontiguousarray(rgb.transpose(2, 0, 1)).tofile(p)
        paths.append(p)
    r = subprocess.run([tool, str(h), str(w), str(crop), "y" if y_only else "rgb",
                        window] + paths, capture_output=True, text=True)
    if r.returncode == EXIT_SKIP:
        print("SKIP:", r.stderr.strip())
        sys.exit(EXIT_SKIP)
    if r.returncode != 0:
        raise RuntimeError("sr_similarity_tool failed: " + r.stderr)
    rows = [list(map(float, line.split())) for line in r.stdout.split("\n") if line]
    sse = sum(row[0] for row in rows)
    n = sum(row[3] for row in rows)
    psnr = float("inf") if sse == 0 else 10 * np.log10(255.0 * 255.0 / (sse / n))
    return psnr, float(np.mean([row[1] for row in rows]))


# ---- the pictures -------------------------------------------------------------------

def degraded(img):
    """(name, degraded copy) pairs of an 8-bit BGR picture."""
    h, w = img.shape[:2]
    ok, jpg = cv2.imencode(".jpg", img, [cv2.IMWRITE_JPEG_QUALITY, 30])
    assert ok
    rng = np.random.default_rng(5)
    noisy = np.clip(np.rint(img + rng.normal(0, 8, img.shape)), 0, 255).astype(np.uint8)
    small = cv2.resize(img, (w // 4, h // 4), interpolation=cv2.INTER_CUBIC)
    shift = np.clip(img.astype(np.int16) + np.array([-4, 0, 6], np.int16), 0, 255).astype(np.uint8)
    return [("jpeg-q30", cv2.imdecode(jpg, cv2.IMREAD_COLOR)),
            ("blur", cv2.GaussianBlur(img, (0, 0), 1.5)),
            ("noise", noisy),
            ("bicubic-x4", cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)),
            ("colour-shift", shift),
            ("identical", img.copy())]


def main():
    tool = sys.argv[1]
    failures, worst = [], {"psnr": 0.0, "ssim": 0.0}

    def check(tag, what, got, want, tol):
        if np.isinf(want) or np.isinf(got):
            ok = got == want
            d = 0.0
        else:
            d = abs(got - want)
            ok = d <= tol
            worst[what.split()[0]] = max(worst[what.split()[0]], d)
        if not ok:
            failures.append("%s %s: ours %.12f, reference %.12f" % (tag, what, got, want))

    with tempfile.TemporaryDirectory(prefix="sr-similarity-") as tmp:
        for photo, cw, ch in PHOTOS:
            full = cv2.imread(sample(photo), cv2.IMREAD_COLOR)
            y0, x0 = full.shape[0] // 5, full.shape[1] // 5
            ref = np.ascontiguousarray(full[y0:y0 + ch, x0:x0 + cw])
            for name, test in degraded(ref):
                for crop in (0, 4):
                    for y_only in (False, True):
                        tag = "%s %dx%d %s crop %d %s" % (photo, cw, ch, name, crop,
                                                          "Y" if y_only else "RGB")
                        psnr, ssim = ours(tool, tmp, ref, test, crop, y_only, "gaussian")
                        check(tag, "psnr vs BasicSR", psnr, basicsr_psnr(ref, test, crop, y_only), PSNR_TOL)
                        check(tag, "ssim vs BasicSR", ssim, basicsr_ssim(ref, test, crop, y_only), SSIM_TOL)
                        # scikit-image with Wang's settings, and its defaults.
                        a = basicsr_prepare(ref, crop, y_only)
                        b = basicsr_prepare(test, crop, y_only)
                        sk = structural_similarity(a, b, gaussian_weights=True, sigma=1.5,
                                                   use_sample_covariance=False, data_range=255,
                                                   channel_axis=-1)
                        check(tag, "ssim vs skimage (Wang's settings)", ssim, sk, SSIM_TOL)
                        _, ssim7 = ours(tool, tmp, ref, test, crop, y_only, "uniform7")
                        sk7 = structural_similarity(a, b, data_range=255, channel_axis=-1)
                        check(tag, "ssim vs skimage defaults", ssim7, sk7, SSIM_TOL)
                        if not y_only:
                            skp = peak_signal_noise_ratio(a, b, data_range=255)
                            check(tag, "psnr vs skimage", psnr, skp, PSNR_TOL)
                        print("%s: PSNR %.6f dB, SSIM %.6f, SSIM 7x7 %.6f" % (tag, psnr, ssim, ssim7))
    print("largest difference: PSNR %.3g dB, SSIM %.3g" % (worst["psnr"], worst["ssim"]))
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
