#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""BSRGAN's channel-correlated noise: the recorded covariance rebuilds it.

bsrgan_noise_dump (argv[1]) prints the correlated Gaussian (bsrgan) and
correlated speckle (bsrgan-plus) steps it finds: the drawn D (rand(3)) and
A (rand(3,3)), the covariance the degrader recorded (cov-rr ... cov-gb,
0..255 units squared) and the empirical covariance of the device noise
added to a constant 0.5 frame. Checked here, with NumPy and SciPy:

1. the recorded matrix is KAIR's formula from the draws
   (utils_blindsr.py add_Gaussian_noise / add_speckle_noise:
   U = scipy.linalg.orth(A); np.abs(L**2 * U.T @ diag(D) @ U), L = 25/255),
   to 1e-9 relative;
2. the device noise has the distribution NumPy gives from the recorded
   matrix alone: np.random.multivariate_normal(0, cov / 255**2) added to
   the same frame (times the frame for speckle) and clipped to [0, 1], as
   KAIR does. Each covariance entry must agree within 5 standard errors
   of the difference of two 65536-sample estimates;
3. negative control: against the next step's matrix most entries must
   disagree, so check 2 can fail.
Exit 77 (skip) without SciPy.
"""
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import bsrgan_ref  # noqa: E402

try:
    import scipy.linalg
except ImportError:
    print("SKIP: SciPy is missing (python3-scipy)")
    sys.exit(77)

AT = [(0, 0), (1, 1), (2, 2), (0, 1), (0, 2), (1, 2)]
N_SE = 5.0


def kair_cov(d, a):
    """KAIR's covariance from the draws ([0, 1] units)."""
    u = scipy.linalg.orth(np.array(a).reshape(3, 3))
    level = 25 / 255.0
    return np.abs(level ** 2 * u.T @ np.diag(d) @ u)


def reference_cov(cov, kind, base, n, seed):
    """Empirical covariance (0..255 units) of KAIR's noise drawn from cov."""
    rs = np.random.RandomState(seed)
    with warnings.catch_warnings():     # an indefinite S only warns upstream too
        warnings.simplefilter("ignore", RuntimeWarning)
        z = rs.multivariate_normal([0, 0, 0], cov, n)
    x = np.full((n, 3), base)
    out = np.clip(x + (x * z if kind == "speckle" else z), 0, 1)
    return np.cov(((out - base) * 255).T, bias=True)


def disagreements(emp, ref, n):
    """Entries further apart than N_SE standard errors of the difference."""
    bad = []
    for i, j in AT:
        se = math.sqrt(2 * (ref[i, i] * ref[j, j] + ref[i, j] ** 2) / n)
        if abs(emp[i, j] - ref[i, j]) > N_SE * se + 1e-9:
            bad.append("[%d,%d] %.4f vs %.4f (se %.4f)" % (i, j, emp[i, j], ref[i, j], se))
    return bad


def main():
    out = subprocess.run([sys.argv[1]], capture_output=True, text=True, timeout=600)
    if out.returncode == 77:
        print("SKIP:", out.stderr.strip())
        sys.exit(77)
    assert out.returncode == 0, out.stderr
    steps = [json.loads(line) for line in out.stdout.splitlines()]
    assert {s["type"] for s in steps} == {"correlated", "speckle"}, steps
    failures, control_hits, control_total = [], 0, 0
    worst_formula = 0.0
    for k, s in enumerate(steps):
        rec = bsrgan_ref.noise_covariance(s["op"])
        ref = kair_cov(s["d"], s["a"])
        rel = np.abs(rec - ref).max() / np.abs(ref).max()
        worst_formula = max(worst_formula, rel)
        if not rel <= 1e-9:
            failures.append("frame %d slot %d: recorded covariance %s != KAIR's %s"
                            % (s["frame"], s["slot"], rec.tolist(), ref.tolist()))
        emp = np.array(s["empirical"]).reshape(3, 3)
        refemp = reference_cov(rec, s["type"], s["base"], s["n"], 1000 + k)
        bad = disagreements(emp, refemp, s["n"])
        print("%-10s frame %5d slot %2d: formula rel %.1e, device vs NumPy: %s" % (
            s["type"], s["frame"], s["slot"], rel, "; ".join(bad) or "agree"))
        if bad:
            failures.append("frame %d slot %d: device noise covariance differs: %s"
                            % (s["frame"], s["slot"], "; ".join(bad)))
        other = steps[(k + 1) % len(steps)]
        if other["type"] == s["type"]:
            ctrl = reference_cov(bsrgan_ref.noise_covariance(other["op"]), s["type"], s["base"],
                                 s["n"], 5000 + k)
            control_total += 1
            control_hits += len(disagreements(emp, ctrl, s["n"])) >= 2
    print("%d steps; worst formula difference %.1e; negative control: %d of %d "
          "swapped matrices rejected" % (len(steps), worst_formula, control_hits,
                                         control_total))
    if control_hits < 0.8 * control_total:
        failures.append("negative control: only %d of %d swapped covariances rejected"
                        % (control_hits, control_total))
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
