# SPDX-License-Identifier: LGPL-2.1-or-later
"""Self-test of the TensorFlow.js reference (tfjs_ref.py): the installed
models run in tfjs on a real photo, in their own value ranges, give the right
shape and an image close to a bicubic upscale of the input.

The bicubic bar (PSNR > 25 dB) is only a sanity check that the weights,
ranges and custom layers work (the outputs score 33-38 dB; either model fed
the other's value range scores about 4 dB). It is blind to subtler faults,
e.g. swapped sub-pixel phases still score 33 dB: our executor's bar is the
tfjs output itself, in its own tests. Exit 77 (SKIP) when node, tfjs, a model or the
sample photo is missing.
"""
import os
import shutil
import sys
import tempfile

import cv2
import numpy as np

from sr_testenv import sample
import tfjs_ref

MIN_PSNR = 25.0


def psnr(a, b, peak):
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10.0 * np.log10(peak * peak / mse)


def crop(name, y, x, h, w):
    bgr = cv2.imread(sample(name), cv2.IMREAD_COLOR)
    if bgr is None:
        sys.exit("cannot read %s" % name)
    return np.ascontiguousarray(bgr[y:y + h, x:x + w, ::-1]).astype(np.float32)


def check(label, model_json, lr, scale, peak, failures):
    """Runs the model, checks the shape and the PSNR against bicubic; returns
    the output and run_model.js's report."""
    h, w = lr.shape[:2]
    out, info = tfjs_ref.run_tfjs(model_json, lr, info=True)
    bicubic = cv2.resize(lr, (w * scale, h * scale), interpolation=cv2.INTER_CUBIC)
    want = (h * scale, w * scale, 3)
    if out.shape != want:
        failures.append("%s: output shape %s, expected %s" % (label, out.shape, want))
        return out, info
    db = psnr(np.clip(out, 0, peak), np.clip(bicubic, 0, peak), peak)
    print("%s: %dx%d -> %dx%d in %.2f s (custom layers: %s), output %.3f..%.3f, "
          "PSNR vs bicubic %.2f dB (bar > %.0f dB)" % (
              label, w, h, want[1], want[0], info["seconds"], info["customLayers"],
              out.min(), out.max(), db, MIN_PSNR))
    if not db > MIN_PSNR:
        failures.append("%s: %.2f dB vs bicubic <= %.0f dB" % (label, db, MIN_PSNR))
    return out, info


def main():
    slim4 = tfjs_ref.npm_model("esrgan-slim", 4)
    thick2 = tfjs_ref.npm_model("esrgan-thick", 2)
    tfjs_ref.require(slim4, thick2)
    failures = []

    # RDN (slim): input and output in 0..255; 37x29, not a multiple of 8.
    lr = crop("baboon.jpg", 200, 230, 37, 29)
    _, info = check("esrgan-slim x4", slim4, lr, 4, 255.0, failures)
    if info.get("inputRange") != [0, 255]:
        failures.append("esrgan-slim x4: package declares inputRange %s, expected [0, 255]"
                        % info.get("inputRange"))

    # RRDN (thick): 0..1, custom layers registered by the package's setup().
    lr = crop("fruits.jpg", 150, 200, 16, 16) / 255.0
    out, info = check("esrgan-thick x2", thick2, lr, 2, 1.0, failures)
    if info.get("customLayers") != "package" or info.get("inputRange") != [0, 1]:
        failures.append("esrgan-thick x2: custom layers from %s, inputRange %s; expected the "
                        "package's setup() and [0, 1]" % (info.get("customLayers"),
                                                           info.get("inputRange")))

    # The same model.json away from its package: run_model.js registers
    # MultiplyBeta and PixelShuffle2x by hand, and must agree exactly.
    with tempfile.TemporaryDirectory(prefix="sr-tfjs-") as tmp:
        moved = os.path.join(tmp, "x2")
        shutil.copytree(os.path.dirname(thick2), moved)
        hand, info = tfjs_ref.run_tfjs(os.path.join(moved, "model.json"), lr, info=True)
    diff = float(np.max(np.abs(hand - out))) if hand.shape == out.shape else float("inf")
    print("esrgan-thick x2, layers registered by hand: max |diff| vs the package's %.3g "
          "(custom layers: %s)" % (diff, info["customLayers"]))
    if info["customLayers"] != "hand" or diff != 0.0:
        failures.append("hand-registered custom layers: %s, max |diff| %.3g (expected hand, 0)"
                        % (info["customLayers"], diff))

    for f in failures:
        print("FAIL: " + f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
