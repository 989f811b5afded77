#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""NumPy/SciPy reference for models/sr_blur_kernels.c.

Written from upstream's published code (BasicSR degradations.py, KAIR
utils_blindsr.py), not from our C code, in float64 as upstream computes:
np.linalg.inv of the covariance, scipy.special.j1, scipy.stats'
multivariate normal pdf, separable np.interp for interp2d's bilinear.

Usage: blur_kernels_ref.py PATH/TO/blur_kernels_dump
The dump program prints our float32 kernels; for every parameter set we
require max |ours - ref| < 1e-7 and, tighter, ours within 1 float32 ulp of
float32(ref) (sinc: or within 1e-13 absolute, for values next to J1's zeros).
J1 must agree with scipy.special.j1 to 1e-10 relative (1e-14 absolute
where |J1| < 1e-4, i.e. next to its zeros). Exit 77 (skip) without SciPy.
"""
import math
import subprocess
import sys

import numpy as np

try:
    import scipy.special
    import scipy.stats
except ImportError:
    print("SKIP: scipy not installed (python3-scipy)")
    sys.exit(77)

KTOL = 1e-7
J1_REL = 1e-10
J1_ABS = 1e-14


# --- BasicSR degradations.py -------------------------------------------------
def mesh_grid(k):
    ax = np.arange(-k // 2 + 1.0, k // 2 + 1.0)
    xx, yy = np.meshgrid(ax, ax)
    grid = np.hstack((xx.reshape((k * k, 1)), yy.reshape(k * k, 1))).reshape(k, k, 2)
    return grid


def sigma_matrix2(sx, sy, theta):
    d = np.array([[sx ** 2, 0], [0, sy ** 2]])
    u = np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
    return np.dot(u, np.dot(d, u.T))


def quad_form(k, sx, sy, theta):
    inv = np.linalg.inv(sigma_matrix2(sx, sy, theta))
    grid = mesh_grid(k)
    return np.sum(np.dot(grid, inv) * grid, 2)


def normed(k):
    return k / np.sum(k)


def ref_gauss(k, sx, sy, theta):
    return normed(np.exp(-0.5 * quad_form(k, sx, sy, theta)))


def ref_gen(k, sx, sy, theta, beta):
    return normed(np.exp(-0.5 * np.power(quad_form(k, sx, sy, theta), beta)))


def ref_plat(k, sx, sy, theta, beta):
    return normed(np.reciprocal(np.power(quad_form(k, sx, sy, theta), beta) + 1))


# --- circular_lowpass_kernel, pulse ------------------------------------------
def ref_sinc(k, omega, pad_to):
    c = (k - 1) / 2
    i, j = np.meshgrid(np.arange(k, dtype=np.float64), np.arange(k, dtype=np.float64),
                       indexing="ij")
    r = np.sqrt((i - c) ** 2 + (j - c) ** 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        ker = omega * scipy.special.j1(omega * r) / (2 * np.pi * r)
    ker[(k - 1) // 2, (k - 1) // 2] = omega ** 2 / (4 * np.pi)
    ker = ker / np.sum(ker)
    if pad_to > k:
        p = (pad_to - k) // 2
        ker = np.pad(ker, ((p, p), (p, p)))
    return ker


def ref_pulse(k):
    ker = np.zeros((k, k))
    ker[k // 2, k // 2] = 1
    return ker


# --- KAIR utils_blindsr.py ---------------------------------------------------
def ref_iso(hsize, sigma):
    if sigma < 1e-6:
        return ref_pulse(hsize)
    r = (hsize - 1.0) / 2.0
    x, y = np.meshgrid(np.arange(-r, r + 1), np.arange(-r, r + 1))
    h = np.exp(-(x * x + y * y) / (2 * sigma * sigma))
    h[h < np.finfo(float).eps * h.max()] = 0
    s = h.sum()
    return h / s if s != 0 else h


def ref_aniso(ksize, theta, l1, l2):
    if min(l1, l2) < 1e-6:
        return ref_pulse(ksize)
    v = np.dot(np.array([[np.cos(theta), -np.sin(theta)],
                         [np.sin(theta), np.cos(theta)]]), np.array([1.0, 0.0]))
    vm = np.array([[v[0], v[1]], [v[1], -v[0]]])
    sigma = np.dot(np.dot(vm, np.diag([l1, l2])), np.linalg.inv(vm))
    center = ksize / 2.0 + 0.5
    pts = np.array([[x - center + 1, y - center + 1]
                    for y in range(ksize) for x in range(ksize)])
    k = scipy.stats.multivariate_normal.pdf(pts, mean=[0, 0], cov=sigma).reshape(ksize, ksize)
    return k / np.sum(k)


def ref_shift(hsize, sigma, sf):
    k = ref_iso(hsize, sigma)
    shift = (sf - 1) * 0.5
    grid = np.arange(0, hsize, 1.0)
    pos = np.clip(grid + shift, 0, hsize - 1)
    # interp2d 'linear' on a regular grid is separable: columns, then rows.
    rows = np.array([np.interp(pos, grid, k[y]) for y in range(hsize)])
    out = np.array([np.interp(pos, grid, rows[:, x]) for x in range(hsize)]).T
    return out / out.sum()


def cases():
    sizes = list(range(7, 22, 2))
    biv = [(0.2, 0.2, 0.0), (1.3, 1.3, 0.0), (3.0, 3.0, 0.0), (0.5, 2.7, 0.7),
           (3.0, 0.2, -2.9), (2.0, 1.0, math.pi / 2), (1.234, 2.876, -math.pi)]
    for k in sizes:
        for sx, sy, t in biv:
            yield ("gauss", k, sx, sy, t), ref_gauss(k, sx, sy, t)
            for b in (0.5, 0.77, 1.0, 2.3, 3.99):
                yield ("gen", k, sx, sy, t, b), ref_gen(k, sx, sy, t, b)
            for b in (1.0, 1.5, 1.999):
                yield ("plat", k, sx, sy, t, b), ref_plat(k, sx, sy, t, b)
        for w in (math.pi / 5, math.pi / 3, 1.1, 1.7, 2.5, 3.0, math.pi):
            for pad in (0, 21):
                yield ("sinc", k, w, pad), ref_sinc(k, w, pad)
    yield ("pulse", 21), ref_pulse(21)
    for k in range(7, 26, 2):
        for s in (0.05, 0.1, 0.3, 0.6, 1.0, 1.7, 2.4, 2.8):
            yield ("iso", k, s), ref_iso(k, s)
        for t, l1, l2 in ((0.3, 7.9, 0.2), (2.5, 1.0, 6.0), (1.0, 3.0, 3.0),
                          (0.0, 0.5, 0.01), (3.1, 0.05, 0.4), (1.9, 4.4, 7.7)):
            yield ("aniso", k, t, l1, l2), ref_aniso(k, t, l1, l2)
    for sf in (2, 3, 4):
        for s in (0.1, 0.35, 0.8, 1.3, 1.9, 2.4):
            yield ("shift", 25, s, sf), ref_shift(25, s, sf)


def main():
    exe = sys.argv[1]
    todo = list(cases())
    xs = np.concatenate([np.linspace(0, 50, 5001), [1e-9, 1e-5, 1e-3, 0.1, 1.999999, 2.0,
                                                   2.000001, -0.5, -7.3, -44.4]])
    lines = [" ".join([c[0]] + [repr(v) for v in c[1:]]) for c, _ in todo]
    lines += ["j1 %r" % float(x) for x in xs]
    res = subprocess.run([exe], input="\n".join(lines) + "\n", capture_output=True,
                         text=True, check=False)
    if res.returncode != 0:
        print("dump failed:", res.returncode, res.stderr)
        return 1
    out = res.stdout.splitlines()
    if len(out) != len(lines):
        print("expected %d lines, got %d" % (len(lines), len(out)))
        return 1

    fails = 0
    worst = {}
    for (case, ref), line in zip(todo, out):
        vals = line.split()
        n = int(vals[0])
        ours = np.array([float(v) for v in vals[1:]], dtype=np.float32).astype(np.float64)
        if ref.shape != (n, n) or ours.size != n * n:
            print("FAIL shape", case, ref.shape, n)
            fails += 1
            continue
        ours = ours.reshape(n, n)
        diff = np.abs(ours - ref)
        ref32 = ref.astype(np.float32).astype(np.float64)
        ulp = np.spacing(np.abs(ref.astype(np.float32))).astype(np.float64)
        off = np.abs(ours - ref32)
        # Only sinc needs the absolute floor (J1's zeros); elsewhere even
        # the tiny tail values (e.g. those KAIR zeroes below eps * max)
        # must round to the same float32.
        floor = 1e-13 if case[0] == "sinc" else 0.0
        bad_ulp = np.sum((off > ulp) & (diff > floor))
        ulps = np.max(np.where(diff > floor, off / np.maximum(ulp, 1e-45), 0))
        w = worst.setdefault(case[0], [0.0, 0.0, 0, 0])
        w[0] = max(w[0], diff.max())
        w[1] = max(w[1], ulps)
        w[2] += 1
        w[3] += int(np.sum(off == 0))
        if diff.max() >= KTOL or bad_ulp:
            print("FAIL", case, "max abs diff %.3g, %d values > 1 ulp" % (diff.max(), bad_ulp))
            fails += 1

    j1_ours = np.array([float(v) for v in out[len(todo):]])
    j1_ref = scipy.special.j1(xs)
    j1_err = np.abs(j1_ours - j1_ref)
    big = np.abs(j1_ref) >= 1e-4
    rel = np.max(j1_err[big] / np.abs(j1_ref[big]))
    absn = np.max(j1_err[~big]) if np.any(~big) else 0.0
    print("J1: %d points in [-44.4, 50]: max rel err %.3g (|J1| >= 1e-4), max abs err "
          "%.3g near zeros, max abs err overall %.3g" % (xs.size, rel, absn, j1_err.max()))
    if rel >= J1_REL or absn >= J1_ABS:
        print("FAIL J1")
        fails += 1

    for name, (d, u, cnt, exact) in sorted(worst.items()):
        print("%-6s %4d kernels: max |ours - ref64| %.3g, max %.2f ulp from f32(ref), "
              "%d values bit-equal to f32(ref)" % (name, cnt, d, u, exact))
    print("%d kernel cases, %d failures" % (len(todo), fails))
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
