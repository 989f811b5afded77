#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""srupscale's frames-in-flight: a whole transcoding pipeline with 1 frame
on the device at a time against 2 (the default), in one run with the sides
alternating. Not a test: run by hand, see docs/benchmarks.md.

    /usr/bin/python3 tests/bench/bench_in_flight.py --build BUILD [--rounds 5]
        [--model esrgan-slim-x2] [--size 160x120]

Pipeline: Megamind.avi (opencv-doc, 270 frames) ! decodebin ! videoconvert
! videoscale to --size, RGB ! srupscale ! videoconvert ! x264enc
(ultrafast, one thread) ! fakesink. The host's share (decoding, the two
conversions, the encoder) is what 2 in flight can overlap with the
device's (the network; on a GPU also the copies, which go on a queue of
their own). Wall seconds per whole run; median over the rounds, and the
median of the per-round ratios (2 / 1: below 1 is faster).
"""
import argparse
import json
import os
import statistics
import subprocess
import time

MEGAMIND = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"


def seconds(cmd, env):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def pipeline(model, w, h, in_flight):
    return ["gst-launch-1.0", "-q", "filesrc", "location=" + MEGAMIND, "!",
            "decodebin", "!", "videoconvert", "!", "videoscale", "!",
            "video/x-raw,format=RGB,width=%d,height=%d" % (w, h), "!",
            "srupscale", "model=" + model, "frames-in-flight=%d" % in_flight,
            "!", "videoconvert", "!", "x264enc", "speed-preset=ultrafast",
            "threads=1", "!", "fakesink"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--model", default="esrgan-slim-x2")
    ap.add_argument("--size", default="160x120")
    args = ap.parse_args()
    w, h = (int(v) for v in args.size.split("x"))
    build = os.path.abspath(args.build)
    env = dict(os.environ, GST_PLUGIN_PATH_1_0=os.path.join(build, "gst"),
               GST_REGISTRY_1_0=os.path.join(build, "tests", "registry.bin"))
    # One untimed run: program and layout caches, page cache.
    seconds(pipeline(args.model, w, h, 2), env)
    wall = {1: [], 2: []}
    for r in range(args.rounds):
        for n in (1, 2):
            wall[n].append(seconds(pipeline(args.model, w, h, n), env))
        print("round %d: 1 in flight %.2f s, 2 in flight %.2f s"
              % (r + 1, wall[1][-1], wall[2][-1]))
    ratios = [b / a for a, b in zip(wall[1], wall[2])]
    print(json.dumps({
        "model": args.model, "size": args.size, "rounds": args.rounds,
        "wall_s": {str(n): {"median": statistics.median(v), "min": min(v),
                            "max": max(v)} for n, v in wall.items()},
        "ratio_2_over_1": {"median": statistics.median(ratios),
                           "min": min(ratios), "max": max(ratios)}}, indent=1))


if __name__ == "__main__":
    main()
