#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Self-test of realbasicvsr_ref.py (the replay of the realbasicvsr preset,
spec part B 5). Standalone: exit 0 when every check passes, 1 otherwise,
77 (SKIP) without the sample photo.

(a) kernels against computations that share no code with the reference:
    Gaussian family from the closed form in rotated coordinates
    (q = u^2/sx^2 + v^2/sy^2), sinc from J1 by the trapezoidal rule on
    Bessel's integral J1(x) = 1/(2 pi) int_0^2pi cos(t - x sin t) dt.
    Tolerances: iso types 5e-7, aniso types 1e-5 absolute (mmagic builds
    the covariance in float32, B 5.4; over 20,000 draws the float64 closed
    form differs by up to 1.3e-7 / 4.1e-6, the most for generalized kernels
    with a large beta and a thin ellipse), sinc 1e-12;
    sum 1 within 1e-12; point symmetry exact; J1 within 1e-13.
(b) mmagic's own code is not needed here: realbasicvsr_ref.py's docstring
    records how it was compared with mmagic outside the repository.
(c) replay_frame on synthetic records over baboon.jpg equals a chain of
    cv2 calls written out by hand (bit-exact, uint8), for the final group
    video-first and resize-first, blur 2 and the final sinc applied or
    skipped; recorded sizes come out; dtypes follow B 5.4 (uint8 after a
    JPEG decode and through the 8-bit resize and sinc, float32 after a
    codec or noise step); cv2.imencode of a float32 frame equals the
    reference's explicit conversion byte for byte; negative controls (wrong
    in-size, a swapped order, applied noise/codec, a wrong final size, a
    perturbed quality, the other channel order) must be caught or change
    the result.
"""
import json
import math
import os
import sys

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import realbasicvsr_ref as ref  # noqa: E402
from sr_testenv import sample  # noqa: E402

FAILS = []


def check(ok, what):
    print("%s %s" % ("PASS" if ok else "FAIL", what))
    if not ok:
        FAILS.append(what)


def raises(exc, fn, *args):
    try:
        fn(*args)
    except exc:
        return True
    return False


# ---- (a) kernels ------------------------------------------------------------

def j1_integral(x):
    """Bessel J1 by the trapezoidal rule on a periodic integrand (exponential
    convergence; 256 nodes are exact to ~1e-15 for |x| < 60)."""
    t = np.arange(256) * (2 * np.pi / 256)
    x = np.asarray(x, np.float64)
    return np.mean(np.cos(t - x[..., None] * np.sin(t)), axis=-1)


def closed_q(k, sx, sy, theta):
    """p^T S^-1 p in float64 from the rotated coordinates (u along sx)."""
    ax = np.arange(k) - k // 2
    x, y = np.meshgrid(ax, ax)              # x: column offset
    c, s = math.cos(theta), math.sin(theta)
    u, v = x * c + y * s, -x * s + y * c
    return u * u / sx ** 2 + v * v / sy ** 2


def closed_sinc(k, omega):
    ax = np.arange(k) - k // 2
    x, y = np.meshgrid(ax, ax)
    r = np.hypot(x, y)
    ker = np.empty((k, k))
    nz = r > 0
    ker[nz] = omega * j1_integral(omega * r[nz]) / (2 * np.pi * r[nz])
    ker[~nz] = omega ** 2 / (4 * np.pi)
    return ker / ker.sum()


def check_kernels():
    rng = np.random.default_rng(7)
    worst = {}
    sym = 0.0
    total = 0.0
    for i in range(700):
        k = int(rng.choice(range(7, 22, 2)))
        sx, sy = rng.uniform(0.2, 3, 2)
        th = rng.uniform(-math.pi, math.pi)
        bg, bp = rng.uniform(0.5, 4), rng.uniform(1, 2)
        om = rng.uniform(math.pi / 5, math.pi)
        qi, qa = closed_q(k, sx, sx, 0.0), closed_q(k, sx, sy, th)
        cases = {
            "iso": (ref.iso_kernel(k, sx), np.exp(-0.5 * qi), 5e-7),
            "aniso": (ref.aniso_kernel(k, sx, sy, th), np.exp(-0.5 * qa), 1e-5),
            "generalized-iso": (ref.generalized_iso_kernel(k, sx, bg),
                                np.exp(-0.5 * qi ** bg), 5e-7),
            "generalized-aniso": (ref.generalized_aniso_kernel(k, sx, sy, th, bg),
                                  np.exp(-0.5 * qa ** bg), 1e-5),
            "plateau-iso": (ref.plateau_iso_kernel(k, sx, bp), 1 / (qi ** bp + 1), 5e-7),
            "plateau-aniso": (ref.plateau_aniso_kernel(k, sx, sy, th, bp),
                              1 / (qa ** bp + 1), 1e-5),
            "sinc": (ref.sinc_kernel(k, om), closed_sinc(k, om), 1e-12),
        }
        for name, (ours, indep, tol) in cases.items():
            indep = indep / indep.sum()
            d = float(np.abs(ours - indep).max())
            w = worst.setdefault(name, [0.0, tol, 0])
            w[0] = max(w[0], d)
            w[2] += 1
            sym = max(sym, float(np.abs(ours - ours[::-1, ::-1]).max()))
            total = max(total, abs(float(ours.sum()) - 1))
    for name, (d, tol, n) in worst.items():
        check(d <= tol, "kernel %-17s %d cases: max |ref - independent| %.2g <= %.0e"
              % (name, n, d, tol))
    check(total <= 1e-12, "every kernel sums to 1: max |sum - 1| %.2g <= 1e-12" % total)
    check(sym == 0.0, "every kernel is point-symmetric, k[-p] == k[p] exactly (max diff %g)" % sym)
    # J1 source of the reference (scipy.special.j1) against the integral.
    xs = np.linspace(0, 45, 4001)           # omega * r <= pi * 10 * sqrt(2) < 45
    import scipy.special
    dj = float(np.abs(scipy.special.j1(xs) - j1_integral(xs)).max())
    check(dj <= 1e-13, "scipy J1 equals Bessel's integral on [0, 45]: max diff %.2g <= 1e-13" % dj)
    # beta = 1 makes the generalized Gaussian the Gaussian (bit-exact).
    check(np.array_equal(ref.generalized_aniso_kernel(15, 1.3, 0.7, 0.4, 1.0),
                         ref.aniso_kernel(15, 1.3, 0.7, 0.4)),
          "generalized kernel with beta 1 == Gaussian kernel")
    # kernel_for maps the record's names and fields.
    op = {"kernel": "plateau-aniso", "size": 11, "sigma-x": 1.1, "sigma-y": 0.4,
          "theta": -2.0, "beta": 1.6, "omega": 2.0}
    check(np.array_equal(ref.kernel_for(op), ref.plateau_aniso_kernel(11, 1.1, 0.4, -2.0, 1.6))
          and np.array_equal(ref.kernel_for({"kernel": "sinc", "size": 9, "omega": 2.0}),
                             ref.sinc_kernel(9, 2.0))
          and ref.kernel_for({"kernel": "iso", "size": 7, "sigma-x": 1.0}).shape == (7, 7),
          "kernel_for: record names and fields map to the helpers")


# ---- (c) replay -------------------------------------------------------------

SCALE = 4
JPEG = int(cv2.IMWRITE_JPEG_QUALITY)


def blur_op(stage, kernel, size, **kw):
    op = {"op": "blur", "stage": stage, "kernel": kernel, "size": size}
    op.update({k.replace("_", "-"): v for k, v in kw.items()})
    return op


def resize_op(stage, mode, direction, in_wh, out_wh, factor=None):
    op = {"op": "resize", "stage": stage, "semantics": "opencv", "mode": mode,
          "direction": direction, "in-size": list(in_wh), "out-size": list(out_wh)}
    if factor is not None:
        op["factor"] = factor
    return op


def jpeg_op(stage, q, order="bgr"):
    return {"op": "jpeg", "stage": stage, "quality": q, "variant": "libjpeg",
            "channel-order": order}


def noise_op(stage):
    return {"op": "noise", "stage": stage, "type": "gaussian", "gray": False,
            "sigma": 12.5, "applied": False}


def codec_op(size):
    return {"op": "codec", "codec": "x264enc", "bitrate": 50, "bits-per-frame": 50000,
            "segment": 0, "segment-frames": 30, "size": list(size), "applied": False}


def even(n, s):
    return int(2 * math.floor(n * s / 2))


def record(ops, w, h):
    """A manifest line's params, through a JSON round trip like a reader's."""
    p = {"frame": 3, "scale": SCALE, "crop": [0, 0, w, h], "preset": "realbasicvsr",
         "seed": 1, "jpeg-variant": "libjpeg", "clip": 0, "clip-frame": 0, "ops": ops}
    return json.loads(json.dumps(p))


def check_replay(hr):
    h, w = hr.shape[:2]                     # 512 x 480: w != h catches swaps
    fw, fh = w // SCALE, h // SCALE
    f1 = 0.61                               # stage 1 down
    s1 = (even(w, f1), even(h, f1))         # (292, 312)
    f2 = 1.13                               # stage 2 up, from the clip's first frame
    s2 = (even(s1[0], f2), even(s1[1], f2))
    check(s1 == (292, 312) and s2 == (328, 352), "sizes of the synthetic records %s %s" % (s1, s2))

    # --- record A: video first; blur 2 and the final sinc applied ---
    k1 = dict(sigma_x=1.7, beta=1.3)
    k2 = dict(sigma_x=0.9, sigma_y=0.35, theta=2.2, beta=0.8)
    ops_a = [blur_op(1, "plateau-iso", 13, **k1),
             resize_op(1, "area", "down", (w, h), s1, f1), noise_op(1), jpeg_op(1, 47),
             codec_op(s1),
             blur_op(2, "generalized-aniso", 9, **k2),
             resize_op(2, "bicubic", "up", s1, s2, f2), noise_op(2), jpeg_op(2, 71),
             codec_op(s2),
             resize_op("final", "bilinear", "final", s2, (fw, fh)),
             blur_op("final", "sinc", 15, omega=1.4)]
    # The same steps as explicit cv2 calls (mmagic's dtypes, B 5.4): float32
    # in; imencode takes the float frame itself; the codec (off) returns
    # float32 like PyAV's decoded frames.
    x = hr.astype(np.float32)
    x = cv2.filter2D(x, -1, ref.plateau_iso_kernel(13, 1.7, 1.3))
    x = cv2.resize(x, s1, interpolation=cv2.INTER_AREA)
    x = cv2.imdecode(cv2.imencode(".jpg", x, [JPEG, 47])[1], 1)
    x = x.astype(np.float32)
    x = cv2.filter2D(x, -1, ref.generalized_aniso_kernel(9, 0.9, 0.35, 2.2, 0.8))
    x = cv2.resize(x, s2, interpolation=cv2.INTER_CUBIC)
    x = cv2.imdecode(cv2.imencode(".jpg", x, [JPEG, 71])[1], 1)
    x = x.astype(np.float32)
    x = cv2.resize(x, (fw, fh), interpolation=cv2.INTER_LINEAR)
    x = cv2.filter2D(x, -1, ref.sinc_kernel(15, 1.4))
    hand_a = np.round(np.clip(x, 0, 255)).astype(np.uint8)
    trace = []
    lr_a = ref.replay_frame(hr, record(ops_a, w, h), trace)
    check(lr_a.dtype == np.uint8 and lr_a.shape == (fh, fw, 3),
          "A (video first): LR is uint8 %dx%d = HR / %d" % (fw, fh, SCALE))
    check(np.array_equal(lr_a, hand_a), "A (video first, blur 2 + sinc applied) == hand chain")
    want = [("blur", "float32", [w, h]), ("resize", "float32", list(s1)),
            ("noise", "float32", list(s1)), ("jpeg", "uint8", list(s1)),
            ("codec", "float32", list(s1)), ("blur", "float32", list(s1)),
            ("resize", "float32", list(s2)), ("noise", "float32", list(s2)),
            ("jpeg", "uint8", list(s2)), ("codec", "float32", list(s2)),
            ("resize", "float32", [fw, fh]), ("blur", "float32", [fw, fh])]
    check(trace == want, "A: dtype and size after every step as B 5.4 says")

    # --- record B: resize + sinc first (on the uint8 JPEG output), blur 2 skipped ---
    f1b, f2b = 1.37, 0.52
    s1b = (even(w, f1b), even(h, f1b))
    s2b = (even(s1b[0], f2b), even(s1b[1], f2b))
    ops_b = [blur_op(1, "aniso", 21, sigma_x=2.6, sigma_y=0.5, theta=-0.7),
             resize_op(1, "bicubic", "up", (w, h), s1b, f1b), noise_op(1), jpeg_op(1, 90),
             codec_op(s1b),
             {"op": "skip", "step": "blur", "stage": 2},
             resize_op(2, "bilinear", "down", s1b, s2b, f2b), noise_op(2), jpeg_op(2, 33),
             resize_op("final", "area", "final", s2b, (fw, fh)),
             blur_op("final", "sinc", 7, omega=2.9),
             codec_op((fw, fh))]
    x = hr.astype(np.float32)
    x = cv2.filter2D(x, -1, ref.aniso_kernel(21, 2.6, 0.5, -0.7))
    x = cv2.resize(x, s1b, interpolation=cv2.INTER_CUBIC)
    x = cv2.imdecode(cv2.imencode(".jpg", x, [JPEG, 90])[1], 1).astype(np.float32)
    x = cv2.resize(x, s2b, interpolation=cv2.INTER_LINEAR)
    x = cv2.imdecode(cv2.imencode(".jpg", x, [JPEG, 33])[1], 1)   # uint8 from here
    x = cv2.resize(x, (fw, fh), interpolation=cv2.INTER_AREA)
    x = cv2.filter2D(x, -1, ref.sinc_kernel(7, 2.9))
    hand_b = x.astype(np.float32).round().clip(0, 255).astype(np.uint8)
    trace = []
    lr_b = ref.replay_frame(hr, record(ops_b, w, h), trace)
    check(np.array_equal(lr_b, hand_b), "B (resize + sinc first, blur 2 skipped) == hand chain")
    check([t[1] for t in trace[8:]] == ["uint8", "uint8", "uint8", "float32"]
          and trace[5][0] == "skip-blur" and trace[-1][2] == [fw, fh],
          "B: resize and sinc of the JPEG's uint8 stay uint8 (OpenCV rounds), codec -> float32")

    # --- record C: video first, final sinc skipped; record D: resize first, both applied ---
    ops_c = [blur_op(1, "generalized-iso", 17, sigma_x=2.2, beta=3.1),
             resize_op(1, "bilinear", "keep", (w, h), (w, h), 1.0), noise_op(1), jpeg_op(1, 62),
             codec_op((w, h)),
             blur_op(2, "plateau-aniso", 11, sigma_x=1.4, sigma_y=0.6, theta=0.3, beta=1.9),
             resize_op(2, "area", "down", (w, h), (even(w, 0.3), even(h, 0.3)), 0.3),
             noise_op(2), jpeg_op(2, 30), codec_op((even(w, 0.3), even(h, 0.3))),
             resize_op("final", "bicubic", "final", (even(w, 0.3), even(h, 0.3)), (fw, fh)),
             {"op": "skip", "step": "blur", "stage": "final"}]
    x = hr.astype(np.float32)
    x = cv2.filter2D(x, -1, ref.generalized_iso_kernel(17, 2.2, 3.1))
    x = cv2.resize(x, (w, h), interpolation=cv2.INTER_LINEAR)     # same size: a copy
    x = cv2.imdecode(cv2.imencode(".jpg", x, [JPEG, 62])[1], 1).astype(np.float32)
    x = cv2.filter2D(x, -1, ref.plateau_aniso_kernel(11, 1.4, 0.6, 0.3, 1.9))
    x = cv2.resize(x, (even(w, 0.3), even(h, 0.3)), interpolation=cv2.INTER_AREA)
    x = cv2.imdecode(cv2.imencode(".jpg", x, [JPEG, 30])[1], 1).astype(np.float32)
    x = cv2.resize(x, (fw, fh), interpolation=cv2.INTER_CUBIC)
    hand_c = np.round(np.clip(x, 0, 255)).astype(np.uint8)
    rec_c = record(ops_c, w, h)
    check(np.array_equal(ref.replay_frame(hr, rec_c), hand_c),
          "C (video first, final sinc skipped, keep + cubic overshoot clipped) == hand chain")

    ops_d = [blur_op(1, "sinc", 11, omega=1.2),
             resize_op(1, "area", "down", (w, h), (even(w, 0.15), even(h, 0.15)), 0.15),
             noise_op(1), jpeg_op(1, 95), codec_op((even(w, 0.15), even(h, 0.15))),
             blur_op(2, "iso", 7, sigma_x=0.2),
             resize_op(2, "bicubic", "up", (even(w, 0.15), even(h, 0.15)),
                       (even(even(w, 0.15), 1.2), even(even(h, 0.15), 1.2)), 1.2),
             noise_op(2), jpeg_op(2, 55),
             resize_op("final", "bilinear", "final",
                       (even(even(w, 0.15), 1.2), even(even(h, 0.15), 1.2)), (fw, fh)),
             blur_op("final", "sinc", 21, omega=math.pi),
             codec_op((fw, fh))]
    x = hr.astype(np.float32)
    x = cv2.filter2D(x, -1, ref.sinc_kernel(11, 1.2))
    x = cv2.resize(x, (even(w, 0.15), even(h, 0.15)), interpolation=cv2.INTER_AREA)
    x = cv2.imdecode(cv2.imencode(".jpg", x, [JPEG, 95])[1], 1).astype(np.float32)
    x = cv2.filter2D(x, -1, ref.iso_kernel(7, 0.2))
    x = cv2.resize(x, (even(even(w, 0.15), 1.2), even(even(h, 0.15), 1.2)),
                   interpolation=cv2.INTER_CUBIC)
    x = cv2.imdecode(cv2.imencode(".jpg", x, [JPEG, 55])[1], 1)
    x = cv2.resize(x, (fw, fh), interpolation=cv2.INTER_LINEAR)    # upscale, uint8
    x = cv2.filter2D(x, -1, ref.sinc_kernel(21, math.pi))
    hand_d = x
    lr_d = ref.replay_frame(hr, record(ops_d, w, h))
    check(np.array_equal(lr_d, hand_d),
          "D (resize first, upscale to HR/4 and sinc on uint8, blur 2 applied) == hand chain")

    # --- OpenCV's conversions ---
    rng = np.random.default_rng(3)
    fl = (rng.random((40, 56, 3)) * 300 - 20).astype(np.float32)
    fl[0, 0] = [0.5, 1.5, 2.5]
    fl[0, 1] = [-3, 300, 254.5]
    same = all(np.array_equal(cv2.imencode(".jpg", fl, [JPEG, q])[1],
                              cv2.imencode(".jpg", ref.to_u8(fl), [JPEG, q])[1])
               for q in (30, 64, 95, 100))
    check(same and ref.to_u8(fl)[0, :2].tolist() == [[0, 2, 2], [0, 255, 254]],
          "cv2.imencode(float32) == imencode(to_u8): round half to even, saturate (B 6.6)")
    dec = ref.jpeg(hr.astype(np.float32), jpeg_op(1, 40))
    bl = ref.blur(dec, blur_op(2, "aniso", 9, sigma_x=1.2, sigma_y=0.4, theta=0.9))
    fb = cv2.filter2D(dec.astype(np.float32), -1,
                      ref.aniso_kernel(9, 1.2, 0.4, 0.9))
    d = np.abs(bl.astype(np.float32) - np.clip(np.rint(fb), 0, 255))
    check(dec.dtype == np.uint8 and bl.dtype == np.uint8 and d.max() <= 1 and d.mean() < 0.01,
          "a blur right after a JPEG decode returns uint8 = rounded float blur "
          "(max diff %g <= 1, %.4f%% off by 1)" % (d.max(), 100 * np.mean(d > 0)))

    # --- negative controls: each must be caught or change the result ---
    bad = json.loads(json.dumps(ops_a))
    bad[6]["in-size"] = list(s2)
    check(raises(AssertionError, ref.replay_frame, hr, record(bad, w, h), None, False),
          "control: a wrong resize in-size is caught")
    bad = json.loads(json.dumps(ops_a))
    bad[0], bad[1] = bad[1], bad[0]
    check(raises(AssertionError, ref.replay_frame, hr, record(bad, w, h)),
          "control: resize 1 before blur 1 breaks the pipeline structure")
    bad = json.loads(json.dumps(ops_a))
    bad[10]["out-size"] = [fw + 2, fh]
    check(raises(AssertionError, ref.replay_frame, hr, record(bad, w, h)),
          "control: a final size other than HR / scale is caught")
    bad = json.loads(json.dumps(ops_a))
    bad[1]["factor"] = 0.62
    check(raises(AssertionError, ref.replay_frame, hr, record(bad, w, h)),
          "control: a stage-1 out-size that its factor does not give is caught")
    for i, what in ((2, "noise"), (4, "codec")):
        bad = json.loads(json.dumps(ops_a))
        bad[i]["applied"] = True
        check(raises(ValueError, ref.replay_frame, hr, record(bad, w, h)),
              "control: an applied %s step refuses to replay" % what)
    bad = json.loads(json.dumps(ops_a))
    bad[3]["quality"] = 57
    check(not np.array_equal(ref.replay_frame(hr, record(bad, w, h)), hand_a),
          "control: JPEG 1 quality 47 -> 57 changes the LR")
    bad = json.loads(json.dumps(ops_a))
    bad[3]["channel-order"] = bad[8]["channel-order"] = "rgb"
    lr_rgb = ref.replay_frame(hr, record(bad, w, h))
    diff = float(np.abs(lr_rgb.astype(int) - lr_a).mean())
    check(diff > 0.05, "control: true-colour JPEGs (channel-order rgb) differ from mmagic's "
          "swapped ones (mean |diff| %.3f)" % diff)


def main():
    bgr = cv2.imread(sample("baboon.jpg"), cv2.IMREAD_COLOR)
    hr = np.ascontiguousarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)[:, :480])
    for part in (check_kernels, lambda: check_replay(hr)):
        try:
            part()
        except Exception as e:          # an unexpected raise is a failure too
            check(False, "raised %s: %s" % (type(e).__name__, e))
    print("%d failures" % len(FAILS))
    return 1 if FAILS else 0


if __name__ == "__main__":
    sys.exit(main())
