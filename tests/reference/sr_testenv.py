"""The environment our reference tests run gst-launch-1.0 in."""
import os
import sys

import numpy as np


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
