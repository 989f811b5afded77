# SPDX-License-Identifier: LGPL-2.1-or-later
"""srmetrics in gst-launch-1.0 pipelines against BasicSR's and scikit-image's
metrics, on real photos.

Each case writes a crop of an opencv-doc photo and a degraded copy as PNG,
runs

    filesrc ref.png ! pngdec ! videoconvert ! RGB ! imagefreeze num-buffers=N ! m.ref
    filesrc test.png ! pngdec ! videoconvert ! FORMAT ! imagefreeze num-buffers=N ! m.test
    srmetrics name=m location=scores.jsonl ... ! fakesink

and compares every JSON line with BasicSR's calculate_psnr / calculate_ssim
and scikit-image (test_similarity.py's functions, written from
spec/metrics.md) on the PNGs: 1e-9 dB and 1e-9 (spec 12; the issue's bar
is 1e-4 dB and 1e-5). Settings: y-only on and off, crop-border 0 and 4,
convention basicsr and skimage. The summary line: frames, no unmatched,
the mean, and FFmpeg's PSNR of the mean MSE, all equal to the per-frame
value here (the N frames are the same picture). One case feeds test as
I420 (BT.601): srmetrics converts it to RGB on the device with the caps'
colorimetry (the upload, checked against videoconvert in gst/yuv and
against plain C in kernels/convert), so its reference is BasicSR on the
RGB that the same upload gives, written out by `srdegrade preset=bicubic
scale=1` (a plain copy whose download rounds as srmetrics' code values
do): 1e-9 dB. (videoconvert's own I420 -> RGB upsamples chroma otherwise
and lands 0.8-1.3 dB lower on these crops.) And both sides as I420 BT.601
with y-only: scored on the Y planes as they are (BasicSR's Y, rounded by
the encoder; the message says y-plane), against BasicSR's PSNR / SSIM
formulas on those planes read back from videoconvert's raw I420: 1e-9.
`metrics=psnr` alone (the SSE without the window's sums) on the RGB, Y and
Y-plane cases and with pyiqa: the same references and bars, no SSIM field.

MS-SSIM (spec 5): sizes 176x176, 320x256 and 181x177 (odd: the two
downsamplings differ there), Y and RGB, against references written here
from the spec: MATLAB's msssim.m semantics in NumPy (basicsr: imfilter
'symmetric' 2x2 means, every second sample, product of cs_1..4^w and
ssim_5^w5) and pytorch-msssim's in PyTorch float64 (skimage: avg_pool2d
with zero padding, cs and ssim clamped at 0): 1e-9. Below 176 pixels
(basicsr) no value, reason too-small.

delta-e: the mean over the frame of scikit-image's
deltaE_ciede2000(rgb2lab(ref), rgb2lab(test)) (the real package), on
every degradation of each photo: 1e-10 (spec 12).

on-size-mismatch: a 160x120 ref against a 80x60 test, upscale-test (test
resized x2) and downscale-ref (ref resized to 80x60, antialiased), against
BasicSR's PSNR / SSIM on the same resize by the NumPy float64 MATLAB
imresize reference (imresize_ref.py) then the 8-bit code rule: the
resample op computes in float32 as BasicSR does, which moves a few values
by one level (its own tests: within +-1 of this reference), so the bar is
0.02 dB and 2e-4 here.

format=csv: the same run written as CSV holds, column by column, the
JSON lines' values (floats equal to the last bit; inf where JSON has
null + "-infinite"), the summary in the last row.

convention=pyiqa, against pyiqa's metrics written here from
spec/metrics.md 3.3, 4.2 and 5.4 in PyTorch (pyiqa itself is on PyPI only):
psnr / psnry in float32 (TF.to_tensor values, YIQ's Y by a float32
matmul, 1e-8 added to the MSE): 1e-5 dB; ssim / ssimc in float64 on the
rounded 8-bit Y (or the codes), fspecial's float32-rounded window, cs
clamped at 0 per pixel: 1e-6; ms_ssim likewise with zero-padded pooling:
1e-6 (spec 12).

Usage: test_srmetrics.py
"""
import csv
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from skimage.color import deltaE_ciede2000, rgb2lab
from skimage.metrics import structural_similarity

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sr_testenv import EXIT_SKIP, sample  # noqa: E402
from test_similarity import (basicsr_prepare, basicsr_psnr, basicsr_ssim,  # noqa: E402
                             basicsr_ssim_channel, degraded, ssim_cs)

TOL = 1e-9
FRAMES = 2


def run_cmd(ref_png, test_png, props, out, test_caps="video/x-raw,format=RGB",
            ref_caps="video/x-raw,format=RGB"):
    return ["gst-launch-1.0", "-q",
           "filesrc", "location=" + ref_png, "!", "pngdec", "!", "videoconvert", "!",
           ref_caps, "!", "imagefreeze", "num-buffers=%d" % FRAMES, "!", "m.ref",
           "filesrc", "location=" + test_png, "!", "pngdec", "!", "videoconvert", "!",
           test_caps, "!", "imagefreeze", "num-buffers=%d" % FRAMES, "!", "m.test",
           "srmetrics", "name=m", "location=" + out] + props + ["!", "fakesink"]


def run(tmp, ref_png, test_png, props, test_caps="video/x-raw,format=RGB",
        ref_caps="video/x-raw,format=RGB"):
    out = os.path.join(tmp, "scores.jsonl")
    cmd = run_cmd(ref_png, test_png, props, out, test_caps, ref_caps)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    if r.returncode != 0:
        if "no OpenCL" in r.stderr or "pocl-opencl-icd" in r.stderr:
            print("SKIP:", r.stderr.strip())
            sys.exit(EXIT_SKIP)
        raise RuntimeError("gst-launch-1.0 failed: %s" % r.stderr[-2000:])
    with open(out) as f:
        lines = [json.loads(line) for line in f]
    return lines[:-1], lines[-1]


MS_W = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]


def msssim_matlab(x, y):
    """MATLAB msssim.m on one float64 plane."""
    mcs, mssim = [], []
    for level in range(5):
        s, c = ssim_cs(x, y)
        mssim.append(s)
        mcs.append(c)
        # imfilter(ones(2)/4, 'symmetric', 'same') then (1:2:end, 1:2:end).
        x = np.pad(x, ((0, 1), (0, 1)), mode="symmetric")
        y = np.pad(y, ((0, 1), (0, 1)), mode="symmetric")
        x = (x[:-1, :-1] + x[:-1, 1:] + x[1:, :-1] + x[1:, 1:])[::2, ::2] / 4
        y = (y[:-1, :-1] + y[:-1, 1:] + y[1:, :-1] + y[1:, 1:])[::2, ::2] / 4
    return np.prod([mcs[j] ** MS_W[j] for j in range(4)]) * mssim[4] ** MS_W[4]


def msssim_torch(x, y):
    """pytorch-msssim's ms_ssim on [1, C, H, W] float64, data_range 255."""
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    g = torch.from_numpy(cv2.getGaussianKernel(11, 1.5)[:, 0]).to(torch.float64)
    ch = x.shape[1]
    gh = g.view(1, 1, 1, 11).repeat(ch, 1, 1, 1)
    gv = g.view(1, 1, 11, 1).repeat(ch, 1, 1, 1)

    def filt(v):
        return F.conv2d(F.conv2d(v, gh, groups=ch), gv, groups=ch)
    mcs = []
    for level in range(5):
        mu1, mu2 = filt(x), filt(y)
        s1, s2 = filt(x * x) - mu1 ** 2, filt(y * y) - mu2 ** 2
        s12 = filt(x * y) - mu1 * mu2
        cs_map = (2 * s12 + c2) / (s1 + s2 + c2)
        ssim_map = ((2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1)) * cs_map
        ssim_pc, cs = ssim_map.flatten(2).mean(-1), cs_map.flatten(2).mean(-1)
        if level < 4:
            mcs.append(torch.relu(cs))
            pad = [s % 2 for s in x.shape[2:]]
            x = F.avg_pool2d(x, kernel_size=2, padding=pad)
            y = F.avg_pool2d(y, kernel_size=2, padding=pad)
    stack = torch.stack(mcs + [torch.relu(ssim_pc)], dim=0)
    w = torch.tensor(MS_W, dtype=torch.float64).view(-1, 1, 1)
    return float(torch.prod(stack ** w, dim=0).mean(1))


def ms_reference(ref, test, y_only, conv):
    a, b = basicsr_prepare(ref, 0, y_only), basicsr_prepare(test, 0, y_only)
    if conv == "basicsr":
        return float(np.mean([msssim_matlab(a[..., i], b[..., i]) for i in range(a.shape[2])]))
    ta = torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))[None]
    tb = torch.from_numpy(np.ascontiguousarray(b.transpose(2, 0, 1)))[None]
    return msssim_torch(ta, tb)


def check_ms_ssim(tmp, close, failures):
    ref_png, test_png = os.path.join(tmp, "ref.png"), os.path.join(tmp, "test.png")
    full = cv2.imread(sample("baboon.jpg"), cv2.IMREAD_COLOR)
    for cw, ch in ((176, 176), (320, 256), (181, 177)):
        ref = np.ascontiguousarray(full[30:30 + ch, 50:50 + cw])
        cv2.imwrite(ref_png, ref)
        for name, test in degraded(ref)[:2]:
            cv2.imwrite(test_png, test)
            for y_only in (True, False):
                for conv in ("basicsr", "skimage"):
                    frames, summary = run(tmp, ref_png, test_png, [
                        "metrics=ms-ssim", "y-only=%s" % str(y_only).lower(),
                        "convention=" + conv])
                    want = ms_reference(ref, test, y_only, conv)
                    tag = "ms-ssim %dx%d %s y-only=%s %s" % (cw, ch, name, y_only, conv)
                    close(tag, frames[0].get("ms-ssim"), want)
                    close(tag + " mean", summary.get("ms-ssim-mean"), want)
                    print("%s: %s (reference %.12f)" % (tag, frames[0].get("ms-ssim"), want))
    # Too small for MATLAB's rule: no value, and why.
    ref = np.ascontiguousarray(full[:175, :200])
    cv2.imwrite(ref_png, ref)
    cv2.imwrite(test_png, degraded(ref)[0][1])
    frames, _ = run(tmp, ref_png, test_png, ["metrics=ms-ssim"])
    if "ms-ssim" in frames[0] or frames[0].get("ms-ssim-reason") != "too-small":
        failures.append("ms-ssim on 200x175: %r" % frames[0])


def check_delta_e(tmp, close):
    ref_png, test_png = os.path.join(tmp, "ref.png"), os.path.join(tmp, "test.png")
    for photo in ("fruits.jpg", "baboon.jpg"):
        ref = np.ascontiguousarray(cv2.imread(sample(photo), cv2.IMREAD_COLOR)[60:183, 90:247])
        cv2.imwrite(ref_png, ref)
        for name, test in degraded(ref):
            cv2.imwrite(test_png, test)
            frames, summary = run(tmp, ref_png, test_png, ["metrics=delta-e"])
            want = float(deltaE_ciede2000(rgb2lab(ref[..., ::-1]), rgb2lab(test[..., ::-1])).mean())
            close("delta-e %s %s" % (photo, name), frames[0].get("delta-e"), want, 1e-10)
            close("delta-e %s %s mean" % (photo, name), summary.get("delta-e-mean"), want, 1e-10)
            print("delta-e %s %s: %s (skimage %.12f)" % (photo, name, frames[0].get("delta-e"), want))


def check_size_mismatch(tmp, close):
    import imresize_ref
    ref_png, test_png = os.path.join(tmp, "ref.png"), os.path.join(tmp, "test.png")
    ref = np.ascontiguousarray(cv2.imread(sample("building.jpg"), cv2.IMREAD_COLOR)[100:220, 50:210])
    test = cv2.resize(ref, (80, 60), interpolation=cv2.INTER_AREA)
    cv2.imwrite(ref_png, ref)
    cv2.imwrite(test_png, test)

    def codes(x):                       # the 8-bit code rule on a float resize
        return np.rint(np.clip(x / 255.0, 0, 1).astype(np.float32) * np.float32(255)).astype(np.uint8)
    for mode in ("upscale-test", "downscale-ref"):
        frames, _ = run(tmp, ref_png, test_png, ["on-size-mismatch=" + mode])
        if mode == "upscale-test":
            a, b = ref, codes(imresize_ref.imresize(test.astype(np.float64), 2.0, out_size=(120, 160)))
        else:
            a, b = codes(imresize_ref.imresize(ref.astype(np.float64), 0.5, out_size=(60, 80))), test
        want_p, want_s = basicsr_psnr(a, b, 0, True), basicsr_ssim(a, b, 0, True)
        close("%s psnr" % mode, frames[0].get("psnr"), want_p, 0.02)
        close("%s ssim" % mode, frames[0].get("ssim"), want_s, 2e-4)
        print("%s: PSNR %.6f (reference %.6f), SSIM %.6f (reference %.6f), resized %s"
              % (mode, frames[0]["psnr"], want_p, frames[0]["ssim"], want_s, frames[0].get("resized")))


def check_csv(tmp, failures):
    ref_png, test_png = os.path.join(tmp, "ref.png"), os.path.join(tmp, "test.png")
    ref = np.ascontiguousarray(cv2.imread(sample("fruits.jpg"), cv2.IMREAD_COLOR)[:150, :200])
    cv2.imwrite(ref_png, ref)
    props = ["metrics=psnr,ssim,delta-e,blockiness"]
    for name, test in (degraded(ref)[0], degraded(ref)[-1]):
        cv2.imwrite(test_png, test)
        frames, summary = run(tmp, ref_png, test_png, props)
        out = os.path.join(tmp, "scores.csv")
        subprocess.run(run_cmd(ref_png, test_png, props + ["format=csv"], out), check=True,
                       capture_output=True)
        with open(out, newline="") as f:
            rows = list(csv.DictReader(f))
        for got, want in zip(rows, frames + [summary]):
            for key, value in want.items():
                if key.endswith("-infinite"):
                    continue
                cell = got.get(key)
                if value is None:
                    ok = cell == "inf" and want.get(key + "-infinite")
                elif isinstance(value, bool):
                    ok = cell == str(value).lower()
                elif isinstance(value, float):
                    ok = cell is not None and float(cell) == value
                else:
                    ok = cell == str(value)
                if not ok:
                    failures.append("csv %s %s: %r, JSON %r" % (name, key, cell, value))
        if len(rows) != len(frames) + 1:
            failures.append("csv %s: %d rows for %d frames + summary" % (name, len(rows), len(frames)))
        print("csv %s: %d rows, %d columns agree with the JSON lines" % (name, len(rows), len(rows[0])))


def pyiqa_input(bgr, y_only):
    """TF.to_tensor of the RGB picture ([1, 3, H, W] float32 in [0, 1]),
    or YIQ's Y of it ([1, 1, H, W]) by a float32 matmul."""
    x = torch.from_numpy(np.ascontiguousarray(bgr[..., ::-1].transpose(2, 0, 1))).float().div(255)
    if y_only:
        w = torch.tensor([0.299, 0.587, 0.114], dtype=torch.float32)
        x = (x.permute(1, 2, 0) @ w)[None]
    return x[None]


def pyiqa_window():
    """fspecial(11, 1.5) as pyiqa builds it: 2-D, float64, stored float32."""
    ax = np.arange(-5, 6, dtype=np.float64)
    g = np.exp(-(ax[None, :] ** 2 + ax[:, None] ** 2) / (2 * 1.5 ** 2))
    g /= g.sum()
    return torch.from_numpy(g).float().double()


def pyiqa_ssim_cs(x, y):
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    ch = x.shape[1]
    win = pyiqa_window().view(1, 1, 11, 11).repeat(ch, 1, 1, 1)

    def filt(v):
        return F.conv2d(v, win, groups=ch)
    mu1, mu2 = filt(x), filt(y)
    s1, s2 = filt(x * x) - mu1 ** 2, filt(y * y) - mu2 ** 2
    s12 = filt(x * y) - mu1 * mu2
    cs = F.relu((2 * s12 + c2) / (s1 + s2 + c2))
    ssim = ((2 * mu1 * mu2 + c1) / (mu1 ** 2 + mu2 ** 2 + c1)) * cs
    return float(ssim.mean()), float(cs.mean())


def pyiqa_reference(ref, test, y_only, crop):
    a, b = pyiqa_input(ref, y_only), pyiqa_input(test, y_only)
    if crop:
        a, b = a[..., crop:-crop, crop:-crop], b[..., crop:-crop, crop:-crop]
    mse = ((a - b) ** 2).mean()
    psnr = float(10 * torch.log10(1 / (mse + 1e-8)))
    x, y = (a * 255).round().double(), (b * 255).round().double()
    ssim, _ = pyiqa_ssim_cs(x, y)
    if min(x.shape[2:]) < 161:
        return psnr, ssim, None
    mcs = []
    for level in range(5):
        s, c = pyiqa_ssim_cs(x, y)
        mcs.append(c)
        pad = [v % 2 for v in x.shape[2:]]
        x = F.avg_pool2d(x, kernel_size=2, padding=pad)
        y = F.avg_pool2d(y, kernel_size=2, padding=pad)
    ms = float(np.prod([mcs[j] ** MS_W[j] for j in range(4)]) * s ** MS_W[4])
    return psnr, ssim, ms


def check_pyiqa(tmp, close):
    ref_png, test_png = os.path.join(tmp, "ref.png"), os.path.join(tmp, "test.png")
    full = cv2.imread(sample("baboon.jpg"), cv2.IMREAD_COLOR)
    for cw, ch in ((181, 177), (210, 160)):
        ref = np.ascontiguousarray(full[20:20 + ch, 40:40 + cw])
        cv2.imwrite(ref_png, ref)
        for name, test in degraded(ref)[:3] + degraded(ref)[-1:]:
            cv2.imwrite(test_png, test)
            for y_only in (True, False):
                crop = 0 if y_only else 2
                frames, _ = run(tmp, ref_png, test_png, [
                    "metrics=psnr,ssim,ms-ssim", "convention=pyiqa",
                    "y-only=%s" % str(y_only).lower(), "crop-border=%d" % crop])
                psnr, ssim, ms = pyiqa_reference(ref, test, y_only, crop)
                tag = "pyiqa %dx%d %s y-only=%s" % (cw, ch, name, y_only)
                close(tag + " psnr", frames[0].get("psnr"), psnr, 1e-5)
                close(tag + " ssim", frames[0].get("ssim"), ssim, 1e-6)
                if ms is not None:
                    close(tag + " ms-ssim", frames[0].get("ms-ssim"), ms, 1e-6)
                print("%s: PSNR %.6f (%.6f), SSIM %.8f (%.8f), MS-SSIM %s (%s)" % (
                    tag, frames[0]["psnr"], psnr, frames[0]["ssim"], ssim,
                    frames[0].get("ms-ssim"), ms))
                frames, _ = run(tmp, ref_png, test_png, [
                    "metrics=psnr", "convention=pyiqa", "y-only=%s" % str(y_only).lower(),
                    "crop-border=%d" % crop])
                close(tag + " psnr alone", frames[0].get("psnr"), psnr, 1e-5)
                if "ssim" in frames[0]:
                    failures.append(tag + " psnr alone: an ssim field %r" % frames[0])


def check_psnr_alone(tag, frames, want_psnr, close, failures):
    """metrics=psnr: the PSNR of the full run (the SSE without the window's
    sums), and no SSIM field."""
    for f in frames:
        close(tag + " psnr alone", f.get("psnr"), want_psnr)
        if "ssim" in f or "ssim-reason" in f:
            failures.append("%s psnr alone: an ssim field in %r" % (tag, f))
    print("%s, psnr alone: PSNR %s" % (tag, frames[0].get("psnr")))


def main():
    failures, worst = [], 0.0

    def close(tag, got, want, tol=TOL):
        nonlocal worst
        if want is None or not np.isfinite(want):
            ok = got is None
        else:
            ok = got is not None and abs(got - want) <= tol
            if ok:
                worst = max(worst, abs(got - want))
        if not ok:
            failures.append("%s: srmetrics %r, reference %r" % (tag, got, want))

    with tempfile.TemporaryDirectory(prefix="sr-srmetrics-") as tmp:
        ref_png, test_png = os.path.join(tmp, "ref.png"), os.path.join(tmp, "test.png")
        for photo, cw, ch in (("fruits.jpg", 157, 119), ("building.jpg", 230, 171)):
            full = cv2.imread(sample(photo), cv2.IMREAD_COLOR)
            ref = np.ascontiguousarray(full[40:40 + ch, 60:60 + cw])
            cv2.imwrite(ref_png, ref)
            for name, test in degraded(ref)[:2] + degraded(ref)[-1:]:
                cv2.imwrite(test_png, test)
                for y_only in (True, False):
                    for crop in (0, 4):
                        for conv in ("basicsr", "skimage"):
                            tag = "%s %s y-only=%s crop=%d %s" % (photo, name, y_only, crop, conv)
                            frames, summary = run(tmp, ref_png, test_png, [
                                "y-only=%s" % str(y_only).lower(), "crop-border=%d" % crop,
                                "convention=" + conv])
                            want_psnr = basicsr_psnr(ref, test, crop, y_only)
                            if conv == "basicsr":
                                want_ssim = basicsr_ssim(ref, test, crop, y_only)
                            else:
                                want_ssim = structural_similarity(
                                    basicsr_prepare(ref, crop, y_only),
                                    basicsr_prepare(test, crop, y_only),
                                    data_range=255, channel_axis=-1)
                            if len(frames) != FRAMES or summary.get("frames") != FRAMES \
                                    or summary.get("unmatched") != 0:
                                failures.append("%s: %d frames, summary %r" % (tag, len(frames), summary))
                                continue
                            for f in frames:
                                close(tag + " psnr", f["psnr"], want_psnr)
                                close(tag + " ssim", f["ssim"], want_ssim)
                                if np.isinf(want_psnr) and not f.get("psnr-infinite"):
                                    failures.append(tag + ": no psnr-infinite flag")
                            close(tag + " psnr-mean", summary.get("psnr-mean"), want_psnr)
                            close(tag + " psnr-from-mean-mse", summary.get("psnr-from-mean-mse"),
                                  want_psnr)
                            close(tag + " ssim-mean", summary.get("ssim-mean"), want_ssim)
                            print("%s: PSNR %s, SSIM %.9f" % (tag, frames[0]["psnr"], frames[0]["ssim"]))
                    # PSNR alone: the SSE without the window's sums.
                    frames, _ = run(tmp, ref_png, test_png, [
                        "metrics=psnr", "y-only=%s" % str(y_only).lower()])
                    check_psnr_alone("%s %s y-only=%s" % (photo, name, y_only), frames,
                                     basicsr_psnr(ref, test, 0, y_only), close, failures)
            # test as I420: scored after the caps' conversion to RGB.
            cv2.imwrite(test_png, degraded(ref)[0][1])
            frames, _ = run(tmp, ref_png, test_png, ["y-only=false"],
                            "video/x-raw,format=I420,colorimetry=bt601")
            rgb_png = os.path.join(tmp, "rgb.png")
            subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + test_png, "!", "pngdec",
                            "!", "videoconvert", "!", "video/x-raw,format=I420,colorimetry=bt601",
                            "!", "srdegrade", "preset=bicubic", "scale=1", "!",
                            "video/x-raw,format=RGB", "!", "pngenc", "!",
                            "filesink", "location=" + rgb_png], check=True)
            via = cv2.imread(rgb_png, cv2.IMREAD_COLOR)
            close(photo + " I420 test psnr", frames[0]["psnr"], basicsr_psnr(ref, via, 0, False))
            print("%s I420 test: PSNR %.6f (BasicSR on the upload's RGB: %.6f)" % (
                photo, frames[0]["psnr"], basicsr_psnr(ref, via, 0, False)))
            # Both I420 BT.601, y-only: the Y planes as they are.
            i420 = "video/x-raw,format=I420,colorimetry=bt601"
            planes = []
            for png in (ref_png, test_png):
                raw = os.path.join(tmp, "y.i420")
                subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + png, "!",
                                "pngdec", "!", "videoconvert", "!", i420, "!", "filesink",
                                "location=" + raw], check=True)
                stride = (cw + 3) // 4 * 4      # GStreamer's I420 luma stride
                planes.append(np.fromfile(raw, np.uint8)[:stride * ch].reshape(ch, stride)
                              [:, :cw].astype(np.float64)[..., None])
            frames, _ = run(tmp, ref_png, test_png, ["y-only=true"], i420,
                            ref_caps=i420)
            ya, yb = planes
            want_psnr = 10 * np.log10(255.0 ** 2 / np.mean((ya - yb) ** 2))
            want_ssim = basicsr_ssim_channel(ya[..., 0], yb[..., 0])
            if frames[0].get("test-y-from") != "y-plane" or frames[0].get("ref-y-from") != "y-plane":
                failures.append("%s I420: Y not from the planes: %r" % (photo, frames[0]))
            close(photo + " I420 Y-plane psnr", frames[0]["psnr"], want_psnr)
            close(photo + " I420 Y-plane ssim", frames[0]["ssim"], want_ssim)
            print("%s I420 both, y-only: PSNR %.6f SSIM %.6f" % (photo, frames[0]["psnr"],
                                                                  frames[0]["ssim"]))
            frames, _ = run(tmp, ref_png, test_png, ["metrics=psnr", "y-only=true"], i420,
                            ref_caps=i420)
            check_psnr_alone(photo + " I420 Y-plane", frames, want_psnr, close, failures)
        check_ms_ssim(tmp, close, failures)
        check_delta_e(tmp, close)
        check_size_mismatch(tmp, close)
        check_csv(tmp, failures)
        check_pyiqa(tmp, close)
    print("largest difference: %.3g" % worst)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
