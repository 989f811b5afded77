# SPDX-License-Identifier: LGPL-2.1-or-later
"""The environment our reference tests run gst-launch-1.0 in."""
import os
import sys

import numpy as np

# Meson reads this exit status as SKIP.
EXIT_SKIP = 77


def data_dir():
    """The folder of sample files: SR_TEST_DATA, else Debian's opencv-doc."""
    return os.environ.get("SR_TEST_DATA") or "/usr/share/doc/opencv-doc/examples/data"


def sample(name):
    """The path of sample file `name`; when it is missing, says which and
    exits 77 so meson reports SKIP instead of a pass."""
    path = os.path.join(data_dir(), name)
    if not os.path.isfile(path):
        print("SKIP: sample %s missing (install Debian's opencv-doc or set "
              "SR_TEST_DATA)" % path)
        sys.exit(EXIT_SKIP)
    return path


def gst_env():
    """os.environ with the build's plugin on GStreamer's path: meson's
    test_env sets GST_PLUGIN_PATH_1_0; by hand, GST_PLUGIN_PATH (or
    SR_BUILD_ROOT) must name the build."""
    env = dict(os.environ)
    if not env.get("GST_PLUGIN_PATH_1_0") and not env.get("GST_PLUGIN_PATH"):
        root = env.get("SR_BUILD_ROOT")
        if not root:
            sys.exit("set GST_PLUGIN_PATH=<build>/gst (or SR_BUILD_ROOT)")
        env["GST_PLUGIN_PATH"] = os.path.join(root, "gst")
    return env


def check_replays(results, presets, min_psnr, describe):
    """Prints each preset's minimum and median PSNR over `results` (tuples
    (preset, variant, name, db, hr, lr, params)) and returns one failure
    line per pair below min_psnr."""
    failures = []
    for preset, variant, name, db, _, _, p in results:
        if not db >= min_psnr:
            failures.append("%s %s %s: %.2f dB < %.0f dB (%s)" % (
                preset, variant, name, db, min_psnr, describe(p)))
    for preset in presets:
        dbs = [r[3] for r in results if r[0] == preset]
        print("%s: %d pairs, min %.2f dB, median %.2f dB" % (
            preset, len(dbs), min(dbs), float(np.median(dbs))))
    return failures


def psnr01(a, b):
    """PSNR of two arrays of [0,1] values (peak 1), inf when equal."""
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(1.0 / mse)


# The executor's two layouts (docs/models.md): each network runs pinned to
# each, whichever the device would pick.
LAYOUTS = ("nchw", "blocked")


def run_nn_tool(tool, model, hwc01, tmp, layout=None, storage="f32"):
    """Runs tests/models/nn_run_tool on an HWC float image in [0,1] and
    returns its output (HWC, [0,1]); layout pins SR_NN_LAYOUT, storage is
    the executor's value storage (f32, or f16 for precision=fp16). Exits 77
    (SKIP) when the tool finds no OpenCL device."""
    import subprocess
    h, w, _ = hwc01.shape
    src, dst = os.path.join(tmp, "in.f32"), os.path.join(tmp, "out.f32")
    np.ascontiguousarray(hwc01, np.float32).tofile(src)
    env = dict(os.environ)
    if layout:
        env["SR_NN_LAYOUT"] = layout
    res = subprocess.run([tool, model, src, str(h), str(w), dst, "1", storage],
                         capture_output=True, text=True, env=env)
    if res.returncode == EXIT_SKIP:
        print("SKIP:", res.stderr.strip())
        sys.exit(EXIT_SKIP)
    if res.returncode != 0:
        raise RuntimeError("%s failed: %s" % (tool, res.stderr))
    oh, ow = map(int, res.stdout.split()[:2])
    return np.fromfile(dst, np.float32).reshape(oh, ow, 3)
