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
the network tests. Then a 3-block x2 (receptive radius 100) on 601x75 under
memory budgets where tiles with the whole radius would compute more than twice
the frame's pixels: srupscale must take a smaller overlap, never under 64
(SR_TILED_MIN_OVERLAP: 74 at 10 MB, by bisection; 64 at 7 MB; both less the
weights' 1.6 MB), say so on the bus, and still give >= 50 dB. RRDBNet runs
split (sr_graph_split): its trunk on the regions, its upsampling tail in
smaller tiles inside each, so every case here also checks the split against
PyTorch's one network.

Usage: test_srupscale_rrdb.py
"""
import os
import re
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
        # (scale, multiple, blocks, seed, photo, x, y, w, h, srupscale props)
        for scale, multiple, blocks, seed, photo, x0, y0, w, h, cases in (
                (2, 2, 1, 11, "baboon.jpg", 120, 100, 157, 75, ([], ["tile-size=24"])),
                (1, 4, 1, 12, "baboon.jpg", 120, 100, 151, 70, ([], ["tile-size=24"])),
                (2, 2, 3, 13, "building.jpg", 101, 300, 601, 75,
                 ([], ["memory-budget=10000000"], ["memory-budget=7000000"]))):
            model = RRDBNet(scale, 16, blocks, 8).eval()
            randomize(model, seed, SMALL_RRDB, "conv_last", 0.5)
            net = os.path.join(tmp, "x%d.safetensors" % scale)
            save_safetensors(net, model.state_dict(), {"format": "pt"})
            bgr = cv2.imread(sample(photo), cv2.IMREAD_COLOR)[y0:y0 + h, x0:x0 + w]
            src = os.path.join(tmp, "in.png")
            cv2.imwrite(src, bgr)
            x = torch.from_numpy(bgr[..., ::-1].astype(np.float32) / 255).permute(2, 0, 1)[None]
            pad_h, pad_w = -h % multiple, -w % multiple
            with torch.no_grad():
                y = model(F.pad(x, (0, pad_w, 0, pad_h), mode="reflect"))
            y = y[..., :h * scale, :w * scale].clamp(0, 1)[0].permute(1, 2, 0).numpy()
            ref = np.round(y * np.float32(255)).astype(np.uint8)      # half to even
            for props in cases:
                out = os.path.join(tmp, "out.png")
                r = subprocess.run(["gst-launch-1.0", "filesrc", "location=" + src, "!",
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
                if props and props[0].startswith("memory-budget"):
                    said = re.search(r"overlapping by (\d+) pixels, less than its receptive "
                                     r"radius \((\d+)\)", r.stdout + r.stderr)
                    print("x%d %s: %s" % (scale, props[0], said.group(0) if said else
                                           "no message on the bus"))
                    if not said or not 64 <= int(said.group(1)) < int(said.group(2)):
                        failures.append("x%d %s: the overlap was not reduced to >= 64 "
                                        "(or not said)" % (scale, props[0]))
                got = cv2.imread(out, cv2.IMREAD_COLOR)[..., ::-1]
                if got.shape != ref.shape:
                    failures.append("x%d %s: shape %s, want %s" % (scale, props, got.shape, ref.shape))
                    continue
                mse = np.mean((got.astype(np.float64) - ref) ** 2)
                db = float("inf") if mse == 0 else 10 * np.log10(255.0 ** 2 / mse)
                print("RRDBNet x%d (%d blocks) on %dx%d (padded to %dx%d) %s: %.2f dB, "
                      "max |diff| %d" % (scale, blocks, w, h, w + pad_w, h + pad_h,
                                         " ".join(props) or "whole", db,
                                         int(np.abs(got.astype(int) - ref).max())))
                if not db >= MIN_PSNR:
                    failures.append("x%d %s: %.2f dB" % (scale, props, db))
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
