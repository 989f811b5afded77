# SPDX-License-Identifier: LGPL-2.1-or-later
"""Our graph executor against the models' own runtime.

Each UpscalerJS model runs on crops of real photos (opencv-doc) whose sizes
are not multiples of 8, once through gst-sr (tests/models/nn_run_tool: the
TF.js loader, the graph, the executor, on OpenCL) and once through
TensorFlow.js (@tensorflow/tfjs, pure JS CPU backend, tests/reference/tfjs).
Both outputs are brought to [0,1] as srupscale delivers them (divided by the
model's range, clipped), and must agree to >= 50 dB PSNR (peak 1), in
each of the executor's layouts (NCHW, channel-blocked), with float32 and
with half storage between layers (precision=fp16: each stored value
rounded to 2^-11 relative; measured 72-77 dB, so the same bar). A
reference of our own could share our misreadings of the format; the
original runtime cannot.

Usage: test_nn_tfjs.py NN_RUN_TOOL
"""
import itertools
import os
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tfjs_ref  # noqa: E402
from sr_testenv import EXIT_SKIP, LAYOUTS, psnr01, run_nn_tool, sample  # noqa: E402

MIN_PSNR = 50.0
# (package, scale, input range, photo, crop w, crop h): small crops keep the
# single-threaded TF.js run short (thick: ~50 s per 64x64).
CASES = [
    ("esrgan-slim", 4, 255.0, "baboon.jpg", 37, 29),
    ("esrgan-slim", 2, 255.0, "fruits.jpg", 45, 31),
    ("esrgan-slim", 3, 255.0, "building.jpg", 26, 19),
    ("esrgan-slim", 8, 255.0, "fruits.jpg", 13, 11),
    ("esrgan-medium", 2, 255.0, "building.jpg", 41, 27),
    ("esrgan-medium", 4, 255.0, "baboon.jpg", 23, 21),
    ("esrgan-thick", 2, 1.0, "fruits.jpg", 17, 13),
    ("esrgan-thick", 4, 1.0, "baboon.jpg", 11, 9),
]


def main():
    tool = sys.argv[1]
    why = tfjs_ref.unavailable(tfjs_ref.npm_model("esrgan-slim", 4))
    if why:
        print("SKIP:", why)
        sys.exit(EXIT_SKIP)
    failures = []
    with tempfile.TemporaryDirectory(prefix="sr-nn-tfjs-") as tmp:
        for package, scale, rng, photo, cw, ch in CASES:
            model = tfjs_ref.npm_model(package, scale)
            bgr = cv2.imread(sample(photo), cv2.IMREAD_COLOR)
            y0, x0 = bgr.shape[0] // 3, bgr.shape[1] // 3
            rgb = cv2.cvtColor(bgr[y0:y0 + ch, x0:x0 + cw], cv2.COLOR_BGR2RGB)
            x01 = rgb.astype(np.float32) / 255.0
            ref = tfjs_ref.run_tfjs(model, x01 * np.float32(rng))
            ref = np.clip(ref / rng, 0.0, 1.0)
            for layout, storage in itertools.product(LAYOUTS, ("f32", "f16")):
                got = run_nn_tool(tool, model, x01, tmp, layout, storage)
                tag = "%s x%d on %dx%d %s, %s, %s" % (package, scale, cw, ch,
                                                      photo, layout, storage)
                if got.shape != ref.shape:
                    failures.append("%s: shape %s, TF.js %s" % (tag, got.shape, ref.shape))
                    continue
                db = psnr01(got, ref)
                print("%s: %.2f dB, max |diff| %.2e" % (
                    tag, db, float(np.abs(got - ref).max())))
                if not db >= MIN_PSNR:
                    failures.append("%s: %.2f dB < %.0f dB" % (tag, db, MIN_PSNR))
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
