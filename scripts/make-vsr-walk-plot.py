#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Renders docs/pictures/realbasicvsr-walk.png: how srdegrade
preset=realbasicvsr walks its parameters across the frames of a clip (the
stage-1 blur sigma, both noise levels, both JPEG qualities), read back from
the manifest of a real run on Megamind.avi (opencv-doc), beside the
ranges mmagic clips them to. Run after a build:
    /usr/bin/python3 scripts/make-vsr-walk-plot.py [--seed N]
"""
import argparse
import json
import os
import subprocess
import tempfile

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIDEO = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"
OUT = os.path.join(ROOT, "docs", "pictures", "realbasicvsr-walk.png")
CLIP = 15


def step(ops, name, stage):
    return next(o for o in ops if o["op"] == name and o.get("stage") == stage)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # seed 1's first clip: a generalized-iso blur and Gaussian noise in both
    # stages, so sigma walks in every panel
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    env = dict(os.environ, GST_PLUGIN_PATH=os.path.join(ROOT, "build", "gst"))
    with tempfile.TemporaryDirectory() as tmp:
        cmd = ("gst-launch-1.0 -q filesrc location=%s ! decodebin ! videoconvert ! "
               "video/x-raw,format=RGB ! identity eos-after=%d ! tee name=t "
               "t. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! p.hr "
               "t. ! queue ! srdegrade preset=realbasicvsr scale=4 clip-length=%d seed=%d ! "
               "p.lr srpairsink name=p location=%s" % (VIDEO, CLIP + 1, CLIP, args.seed, tmp))
        subprocess.run(cmd, shell=True, check=True, env=env, timeout=900)
        with open(os.path.join(tmp, "manifest.jsonl")) as f:
            lines = sorted((json.loads(line) for line in f if '"summary"' not in line),
                           key=lambda m: m["frame"])
    lines = [m for m in lines if m["params"]["clip"] == 0]
    t = [m["params"]["clip-frame"] for m in lines]
    ops = [m["params"]["ops"] for m in lines]
    blur = [step(o, "blur", 1) for o in ops]
    noise = [[step(o, "noise", s) for o in ops] for s in (1, 2)]
    jpeg = [[step(o, "jpeg", s)["quality"] for o in ops] for s in (1, 2)]

    fig, ax = plt.subplots(1, 3, figsize=(11, 3.2), dpi=90)
    key, walk = ("sigma-x", 0.02) if "sigma-x" in blur[0] else ("omega", 0.0628)
    ax[0].plot(t, [b[key] for b in blur], "o-")
    ax[0].set_title("blur 1: %s %s (step %g)" % (blur[0]["kernel"], key, walk), fontsize=10)
    for s, n in enumerate(noise):
        unit = "sigma" if n[0]["type"] == "gaussian" else "scale"
        ax[1].plot(t, [o[unit] for o in n], "o-", label="stage %d %s %s" % (
            s + 1, n[0]["type"], unit))
    ax[1].set_title("noise (0..255 units)", fontsize=10)
    ax[1].legend(fontsize=8)
    for s, q in enumerate(jpeg):
        ax[2].plot(t, q, "o-", label="stage %d" % (s + 1))
    ax[2].set_title("JPEG quality (step 3, in [30, 95])", fontsize=10)
    ax[2].legend(fontsize=8)
    for a in ax:
        a.set_xlabel("frame in clip")
        a.grid(alpha=0.3)
    fig.suptitle("srdegrade preset=realbasicvsr seed=%d: one clip of %d Megamind.avi frames"
                 % (args.seed, len(t)), fontsize=11)
    fig.tight_layout()
    fig.savefig(OUT)
    print("wrote", os.path.relpath(OUT, ROOT))


if __name__ == "__main__":
    main()
