#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""srupscale's non-learned baselines and its alpha, in real pipelines
(gst-launch-1.0: filesrc ! pngdec ! ... ! srupscale ! ... ! pngenc).

  test_srupscale_baselines.py baselines
    model=bicubic scale=2,3,4 against imresize_ref.imresize (NumPy float64,
    MATLAB imresize written from its definition); model=lanczos scale=2,3,4
    against Pillow's Image.LANCZOS (Lanczos-3) run on each channel as a
    32-bit float image ("F" mode, no 8-bit rounding between its passes).
    Tolerance: every value within +-1 after rounding to 8 bits, at most
    1 % of them off at all (the element accumulates in float32, the
    references in double, so values near .5 may round the other way). As a
    control, OpenCV's INTER_LANCZOS4 (another kernel) must be clearly
    further from the element than Pillow is.
  test_srupscale_baselines.py alpha
    A real PNG with an alpha channel (opencv-logo-white.png) and a photo
    given that alpha, in RGBA, BGRA, ARGB and ABGR: the output's alpha
    against MATLAB bicubic of the input's alpha (imresize_ref, +-1 as
    above), its colour against the same colour run without alpha (RGB in,
    RGB out) through the same model: identical bytes (the same arithmetic
    on the same values; alpha never enters the colour path). Models:
    esrgan-slim-x2 (learned) and bicubic scale=3.
Exit 77 (SKIP) when a sample picture, Pillow or the npm model is missing.
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import imresize_ref  # noqa: E402
from sr_testenv import EXIT_SKIP, gst_env, sample  # noqa: E402

MAX_DIFF_FRACTION = 0.01


def rint8(x):
    """[0,1] floats -> uint8, half to even (the element's download)."""
    return np.rint(np.clip(x, 0.0, 1.0) * 255.0).astype(np.uint8)


def run(tmp, env, rgba_or_rgb, middle, out_format):
    """Runs png -> [middle] -> png; returns the output array (RGB or RGBA
    order)."""
    src = os.path.join(tmp, "in.png")
    dst = os.path.join(tmp, "out.png")
    if os.path.exists(dst):
        os.unlink(dst)
    if rgba_or_rgb.shape[2] == 4:
        ok = cv2.imwrite(src, cv2.cvtColor(rgba_or_rgb, cv2.COLOR_RGBA2BGRA))
    else:
        ok = cv2.imwrite(src, cv2.cvtColor(rgba_or_rgb, cv2.COLOR_RGB2BGR))
    assert ok
    desc = ("filesrc location=%s ! pngdec ! %s ! videoconvert ! "
            "video/x-raw,format=%s ! pngenc ! filesink location=%s"
            % (src, middle, out_format, dst))
    r = subprocess.run(["gst-launch-1.0", "-q"] + desc.split(), env=env,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, "%s: gst-launch failed (%d): %s" % (desc, r.returncode, r.stderr)
    out = cv2.imread(dst, cv2.IMREAD_UNCHANGED)
    assert out is not None, "no PNG written"
    if out.ndim == 3 and out.shape[2] == 4:
        return cv2.cvtColor(out, cv2.COLOR_BGRA2RGBA)
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)


def compare(tag, got, ref, failures):
    if got.shape != ref.shape:
        failures.append("%s: shape %s, expected %s" % (tag, got.shape, ref.shape))
        return None
    d = np.abs(got.astype(int) - ref.astype(int))
    frac = np.count_nonzero(d) / d.size
    print("%-44s max|d|=%d differing=%.3f%% mean|d|=%.4f"
          % (tag, d.max(), 100 * frac, d.mean()))
    if d.max() > 1:
        failures.append("%s: max |element - reference| = %d > 1" % (tag, d.max()))
    if frac > MAX_DIFF_FRACTION:
        failures.append("%s: %.3f%% of values differ (> %.1f%%)"
                        % (tag, 100 * frac, 100 * MAX_DIFF_FRACTION))
    return d.mean()


def photo(name, h, w):
    bgr = cv2.imread(sample(name), cv2.IMREAD_COLOR)
    assert bgr is not None, name
    return np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)[:h, :w])


def pil_lanczos(rgb, s):
    from PIL import Image
    h, w = rgb.shape[:2]
    out = np.empty((h * s, w * s, 3), np.float64)
    for c in range(3):
        im = Image.fromarray(rgb[:, :, c].astype(np.float32), mode="F")
        out[:, :, c] = np.asarray(im.resize((w * s, h * s), Image.LANCZOS), np.float64)
    return out / 255.0


def baselines(tmp, env):
    try:
        import PIL  # noqa: F401
    except ImportError:
        print("SKIP: Pillow (python3-pil) missing")
        sys.exit(EXIT_SKIP)
    failures = []
    # 101 x 75 (odd sizes) of two photos: edges for the kernels' lobes.
    pictures = {"baboon": photo("baboon.jpg", 75, 101),
                "building": photo("building.jpg", 75, 101)}
    for name, rgb in pictures.items():
        x = rgb.astype(np.float64) / 255.0
        for s in (2, 3, 4):
            mid = "srupscale model=bicubic scale=%d" % s
            got = run(tmp, env, rgb, "videoconvert ! video/x-raw,format=RGB ! " + mid, "RGB")
            compare("%s bicubic x%d vs MATLAB imresize" % (name, s), got,
                    rint8(imresize_ref.imresize(x, s, False)), failures)
            mid = "srupscale model=lanczos scale=%d" % s
            got = run(tmp, env, rgb, "videoconvert ! video/x-raw,format=RGB ! " + mid, "RGB")
            pil = compare("%s lanczos x%d vs Pillow LANCZOS" % (name, s), got,
                          rint8(pil_lanczos(rgb, s)), failures)
            # Control: OpenCV's Lanczos-4 is another kernel.
            cv = cv2.resize(x.astype(np.float32), (x.shape[1] * s, x.shape[0] * s),
                            interpolation=cv2.INTER_LANCZOS4)
            d_cv = np.abs(got.astype(int) - rint8(cv).astype(int)).mean()
            print("%-44s mean|d|=%.4f (control)" % ("  vs OpenCV INTER_LANCZOS4", d_cv))
            if pil is not None and not d_cv > 2 * pil:
                failures.append("%s lanczos x%d: OpenCV's Lanczos-4 (%.4f) is not "
                                "clearly further than Pillow's (%.4f)" % (name, s, d_cv, pil))
    return failures


def alpha(tmp, env):
    model_json = os.path.join(os.environ.get("SR_SOURCE_ROOT", "."), "models", "npm",
                              "node_modules", "@upscalerjs", "esrgan-slim", "models",
                              "x2", "model.json")
    if not os.path.isfile(model_json):
        print("SKIP: %s missing (scripts/install-models.sh)" % model_json)
        sys.exit(EXIT_SKIP)
    failures = []
    logo = cv2.imread(sample("opencv-logo-white.png"), cv2.IMREAD_UNCHANGED)
    assert logo is not None and logo.shape[2] == 4
    logo = cv2.cvtColor(logo, cv2.COLOR_BGRA2RGBA)
    # The logo's own pixels (its alpha: antialiased edges, 0..255), cut to
    # keep the learned run short; and a photo carrying that alpha.
    logo = np.ascontiguousarray(logo[:96, :120])
    fruits = photo("fruits.jpg", 96, 120)
    composed = np.dstack([fruits, logo[:, :, 3]])
    assert len(np.unique(logo[:, :, 3])) > 50, "the alpha should vary"
    cases = [("logo", logo, "esrgan-slim-x2", 2, ["RGBA", "ARGB"]),
             ("fruits+alpha", composed, "esrgan-slim-x2", 2, ["BGRA"]),
             ("fruits+alpha", composed, "bicubic", 3, ["RGBA", "ABGR"])]
    for name, rgba, model, s, formats in cases:
        mid = "srupscale model=%s%s" % (model, " scale=%d" % s if model == "bicubic" else "")
        a_ref = rint8(imresize_ref.imresize(rgba[:, :, 3].astype(np.float64) / 255.0, s, False))
        colour = run(tmp, env, np.ascontiguousarray(rgba[:, :, :3]),
                     "videoconvert ! video/x-raw,format=RGB ! " + mid, "RGB")
        for fmt in formats:
            tag = "%s %s %s" % (name, model, fmt)
            got = run(tmp, env, rgba, "videoconvert ! video/x-raw,format=%s ! %s ! "
                      "video/x-raw,format=%s" % (fmt, mid, fmt), "RGBA")
            compare(tag + " alpha vs MATLAB bicubic", got[:, :, 3], a_ref, failures)
            if got.shape[:2] != colour.shape[:2]:
                failures.append("%s: colour shape %s vs %s" % (tag, got.shape, colour.shape))
                continue
            d = np.abs(got[:, :, :3].astype(int) - colour.astype(int)).max()
            print("%-44s max|d|=%d" % (tag + " colour vs without alpha", d))
            if d != 0:
                failures.append("%s: colour differs from the run without alpha "
                                "(max |d| = %d)" % (tag, d))
    return failures


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else ""
    if mode not in ("baselines", "alpha"):
        sys.exit("usage: test_srupscale_baselines.py baselines|alpha")
    env = gst_env()
    with tempfile.TemporaryDirectory(prefix="sr-upscale-") as tmp:
        failures = baselines(tmp, env) if mode == "baselines" else alpha(tmp, env)
    for f in failures:
        print("FAIL:", f)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
