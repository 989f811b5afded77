#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""End-to-end check of `srdegrade preset=bicubic` on real photos.

For each photo and scale 2, 3, 4, the element runs in gst-launch-1.0 (PNG in,
PNG out) and its 8-bit LR is compared with:
 (a) imresize_ref.bicubic_preset (NumPy float64, MATLAB imresize): every pixel
     within +-1 and at most 0.5 % of the values differ at all (
     float32 vs double accumulation flips values near a .5 boundary);
 (b) PyTorch F.interpolate(bicubic, antialias=True). PyTorch's antialiased
     bicubic uses Keys a = -0.5 like MATLAB (checked here: the a = -0.75
     variant of our reference must match it clearly worse), but it truncates
     and renormalises the kernel at the borders instead of padding
     symmetrically, so only the interior (a border of 2*S LR pixels
     excluded) is compared: float reference vs torch PSNR >= 50 dB, the
     element's 8-bit output vs torch rounded within +-1 in the interior;
     whole-image PSNR is reported.
butterfly.jpg (356x493) is not a multiple of 2, 3 or 4: it exercises the
top-left mod-crop.
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imresize_ref  # noqa: E402
from sr_testenv import gst_env, sample  # noqa: E402

PHOTOS = ["baboon.jpg", "building.jpg", "fruits.jpg", "butterfly.jpg"]
SCALES = [2, 3, 4]
MAX_DIFF_FRACTION = 0.005       # of all uint8 values (float32 rounding ties)
MIN_TORCH_FLOAT_PSNR = 50.0     # dB, float reference vs torch, interior


def psnr(a, b, peak):
    mse = np.mean((np.asarray(a, np.float64) - np.asarray(b, np.float64)) ** 2)
    return float("inf") if mse == 0 else 10.0 * np.log10(peak * peak / mse)


def run_element(rgb, scale, tmp, env):
    src = os.path.join(tmp, "in.png")
    dst = os.path.join(tmp, "out.png")
    if os.path.exists(dst):
        os.unlink(dst)
    assert cv2.imwrite(src, cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR))
    cmd = ["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!", "pngdec",
           "!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "srdegrade",
           "preset=bicubic", "scale=%d" % scale, "!", "videoconvert", "!",
           "video/x-raw,format=RGB", "!", "pngenc", "!", "filesink",
           "location=" + dst]
    r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, "gst-launch failed (%d): %s" % (r.returncode, r.stderr)
    out = cv2.imread(dst, cv2.IMREAD_COLOR)
    assert out is not None, "no PNG written"
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)


def torch_aa_bicubic(x, scale):
    t = torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]
    y = F.interpolate(t, scale_factor=1.0 / scale, mode="bicubic",
                      align_corners=False, antialias=True)
    return y[0].numpy().transpose(1, 2, 0)


def main():
    env = gst_env()
    paths = [sample(name) for name in PHOTOS]  # exits 77 (SKIP) if one is missing
    failures = []
    total_vals = total_diff = 0
    with tempfile.TemporaryDirectory(prefix="sr-bicubic-") as tmp:
        for name, path in zip(PHOTOS, paths):
            bgr = cv2.imread(path, cv2.IMREAD_COLOR)
            assert bgr is not None, "missing " + name
            hr = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            for s in SCALES:
                tag = "%s x%d (%dx%d)" % (name, s, hr.shape[1], hr.shape[0])
                got = run_element(hr, s, tmp, env)
                ref_f = imresize_ref.bicubic_preset_float(hr, s)
                ref = imresize_ref.bicubic_preset(hr, s)
                if got.shape != ref.shape:
                    failures.append("%s: shape %s, expected %s" % (tag, got.shape, ref.shape))
                    continue
                d = np.abs(got.astype(int) - ref.astype(int))
                frac = np.count_nonzero(d) / d.size
                total_vals += d.size
                total_diff += np.count_nonzero(d)

                # (b) torch on the same mod-cropped float image
                ch, cw = hr.shape[0] // s * s, hr.shape[1] // s * s
                x = hr[:ch, :cw].astype(np.float64) / 255.0
                t = torch_aa_bicubic(x, s)
                b = 2 * s
                inner = (slice(b, -b), slice(b, -b))
                p_float = psnr(ref_f[inner], t[inner], 1.0)
                # The same reference with a = -0.75 (OpenCV/PyTorch non-AA)
                # must be clearly further from torch: that is the a check.
                ref_75 = imresize_ref.imresize(x, 1.0 / s, True, ref_f.shape[:2], a=-0.75)
                p_75 = psnr(ref_75[inner], t[inner], 1.0)
                t8 = np.rint(np.clip(t, 0, 1) * 255.0)   # half to even, like tensor2img
                p8_all = psnr(got, t8, 255.0)
                p8_in = psnr(got[inner], t8[inner], 255.0)
                d8_in = int(np.abs(got[inner].astype(int) - t8[inner]).max())
                print("%-32s ref: max|d|=%d differing=%.4f%%  torch: float-ref %.1f dB "
                      "(a=-0.75: %.1f dB), 8-bit all %.1f dB, interior %.1f dB max|d|=%d"
                      % (tag, d.max(), 100 * frac, p_float, p_75, p8_all, p8_in, d8_in))
                if d.max() > 1:
                    failures.append("%s: max |element - ref| = %d > 1" % (tag, d.max()))
                if frac > MAX_DIFF_FRACTION:
                    failures.append("%s: %.4f%% of values differ (> %.2f%%)"
                                    % (tag, 100 * frac, 100 * MAX_DIFF_FRACTION))
                if p_float < MIN_TORCH_FLOAT_PSNR:
                    failures.append("%s: float ref vs torch %.1f dB < %.0f dB"
                                    % (tag, p_float, MIN_TORCH_FLOAT_PSNR))
                if not p_75 < p_float - 20:
                    failures.append("%s: torch is not closer to a=-0.5 (%.1f dB) than a=-0.75 (%.1f dB)"
                                    % (tag, p_float, p_75))
                if d8_in > 1:
                    failures.append("%s: element vs torch interior max |d| = %d > 1" % (tag, d8_in))
    print("overall: %d of %d uint8 values differ from the reference (%.4f%%)"
          % (total_diff, total_vals, 100.0 * total_diff / max(total_vals, 1)))
    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
