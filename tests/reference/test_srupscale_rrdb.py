# SPDX-License-Identifier: LGPL-2.1-or-later
"""srupscale with RRDBNet x2 and x1 (pixel-unshuffled input) on frames whose
sides are not multiples of 2 / 4: srupscale reflect-pads right and bottom
to the multiple, runs the network and crops, as Real-ESRGAN's RealESRGANer
does (realesrgan/utils.py: F.pad(..., 'reflect') to the multiple, then
output[:h*s, :w*s]). Reference: the RRDBNet of realesrgan_ref.py (written
from BasicSR's rrdbnet_arch.py) with seeded random weights, saved as the
.safetensors srupscale loads, run the same way in PyTorch, clamped and
rounded to 8 bits as srupscale rounds (half to even). Whole frames, and
tiles of 24 (the frames are wider than a region of 24 + 2 x 40, the
receptive radius; regions on the frame's 2x2 / 4x4 grid): >= 50 dB, the bar of
the network tests.

Usage: test_srupscale_rrdb.py
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
from realesrgan_ref import SMALL_RRDB, RRDBNet, randomize, save_safetensors  # noqa: E402
from sr_testenv import EXIT_SKIP, sample  # noqa: E402

MIN_PSNR = 50.0


def main():
    torch.set_num_threads(2)
    failures = []
    with tempfile.TemporaryDirectory(prefix="sr-rrdb-") as tmp:
        for scale, multiple, w, h, seed in ((2, 2, 157, 75, 11), (1, 4, 151, 70, 12)):
            model = RRDBNet(scale, 16, 1, 8).eval()
            randomize(model, seed, SMALL_RRDB, "conv_last", 0.5)
            net = os.path.join(tmp, "x%d.safetensors" % scale)
            save_safetensors(net, model.state_dict(), {"format": "pt"})
            bgr = cv2.imread(sample("baboon.jpg"), cv2.IMREAD_COLOR)[100:100 + h, 120:120 + w]
            src = os.path.join(tmp, "in.png")
            cv2.imwrite(src, bgr)
            x = torch.from_numpy(bgr[..., ::-1].astype(np.float32) / 255).permute(2, 0, 1)[None]
            pad_h, pad_w = -h % multiple, -w % multiple
            with torch.no_grad():
                y = model(F.pad(x, (0, pad_w, 0, pad_h), mode="reflect"))
            y = y[..., :h * scale, :w * scale].clamp(0, 1)[0].permute(1, 2, 0).numpy()
            ref = np.round(y * np.float32(255)).astype(np.uint8)      # half to even
            for props in ([], ["tile-size=24"]):
                out = os.path.join(tmp, "out.png")
                r = subprocess.run(["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!",
                                    "pngdec", "!", "videoconvert", "!", "video/x-raw,format=RGB",
                                    "!", "srupscale", "model=" + net] + props +
                                   ["!", "videoconvert", "!", "pngenc", "!", "filesink",
                                    "location=" + out], capture_output=True, text=True)
                if r.returncode != 0:
                    if "pocl-opencl-icd" in r.stderr:
                        print("SKIP:", r.stderr.strip())
                        sys.exit(EXIT_SKIP)
                    failures.append("x%d %s: %s" % (scale, props, r.stderr[-800:]))
                    continue
                got = cv2.imread(out, cv2.IMREAD_COLOR)[..., ::-1]
                if got.shape != ref.shape:
                    failures.append("x%d %s: shape %s, want %s" % (scale, props, got.shape, ref.shape))
                    continue
                mse = np.mean((got.astype(np.float64) - ref) ** 2)
                db = float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)
                print("RRDBNet x%d on %dx%d (padded to %dx%d) %s: %.2f dB, max |diff| %d" % (
                    scale, w, h, w + pad_w, h + pad_h, " ".join(props) or "whole",
                    db, int(np.abs(got.astype(int) - ref).max())))
                if not db >= MIN_PSNR:
                    failures.append("x%d %s: %.2f dB" % (scale, props, db))
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
