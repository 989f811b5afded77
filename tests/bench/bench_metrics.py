#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Frames per second of srmetrics against FFmpeg's psnr and ssim filters, on
the same 1920x1080 I420 pairs, in one run with the sides alternating. Not a
test: run by hand, see docs/benchmarks.md.

    /usr/bin/python3 tests/bench/bench_metrics.py --build BUILD [--rounds 3]
        [--frames 140]

Pairs: Megamind.avi (opencv-doc) scaled to 1920x1080, I420 BT.601 (ref),
and the same through MPEG-4 at q 12 (test), raw files made with FFmpeg
(untimed). Needs Debian's ffmpeg (apt-get install ffmpeg).

ours:        filesrc ! rawvideoparse (ref, test) ! srmetrics
             metrics=psnr,ssim (y-only: the Y planes as they are, 11x11
             Gaussian SSIM in double precision) ! fakesink
ffmpeg:      the two raw inputs, split, into psnr and ssim (all three
             planes, as it is usually run)
ffmpeg_y:    the same on the Y planes only, taken as they are
             (extractplanes=y: what ours scores; format=gray would
             range-convert them first, costing more than the chroma
             planes' scores and scoring other values)
ours_psnr:   srmetrics metrics=psnr (the SSE alone)
ffmpeg_psnr: FFmpeg's psnr filter alone (all three planes)

Steady state: each side runs the first N1 (20) and the first N2
(--frames) frames as two processes; fps = (N2 - N1) / (t(N2) - t(N1)), so
start-up (program loading, file opening) cancels, up to its jitter, which
more frames dilute (20-frame runs of ours took 0.375-0.430 s: a few per
cent of the default 120-frame difference). Median over the rounds; the
ratios are ours fps / FFmpeg fps per round.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

W, H = 1920, 1080
N1, N2 = 20, 140
MEGAMIND = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"


def seconds(cmd, env):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def ours_cmd(ref, test, n, metrics="psnr,ssim"):
    def branch(path, pad):
        return ["filesrc", "location=" + path, "blocksize=%d" % (W * H * 3 // 2),
                "num-buffers=%d" % n, "!", "rawvideoparse", "format=i420",
                "width=%d" % W, "height=%d" % H, "framerate=25/1",
                "colorimetry=bt601", "!", "m." + pad]
    return (["gst-launch-1.0", "-q"] + branch(ref, "ref") + branch(test, "test")
            + ["srmetrics", "name=m", "metrics=" + metrics, "y-only=true", "!",
               "fakesink"])


def ffmpeg_cmd(ref, test, n, y_plane=False, ssim=True):
    inp = ["-f", "rawvideo", "-pix_fmt", "yuv420p", "-s", "%dx%d" % (W, H), "-r", "25"]
    pre = "extractplanes=y," if y_plane else ""
    if ssim:
        graph = ("[0:v]%ssplit[a][b];[1:v]%ssplit[c][d];[a][c]psnr[o1];[b][d]ssim[o2]"
                 % (pre, pre))
        outs = ["-map", "[o1]", "-frames:v", str(n), "-f", "null", "-",
                "-map", "[o2]", "-frames:v", str(n), "-f", "null", "-"]
    else:
        graph = "[0:v]%snull[a];[1:v]%snull[c];[a][c]psnr[o1]" % (pre, pre)
        outs = ["-map", "[o1]", "-frames:v", str(n), "-f", "null", "-"]
    return (["ffmpeg", "-v", "error", "-nostdin"] + inp + ["-i", test] + inp
            + ["-i", ref, "-lavfi", graph] + outs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--frames", type=int, default=N2,
                    help="frames of the long run (the short one has %d): more frames "
                    "dilute the start-up's jitter" % N1)
    args = ap.parse_args()
    n2 = args.frames
    if not shutil.which("ffmpeg"):
        sys.exit("needs ffmpeg (apt-get install ffmpeg)")
    build = os.path.abspath(args.build)
    env = dict(os.environ, GST_PLUGIN_PATH_1_0=os.path.join(build, "gst"),
               GST_REGISTRY_1_0=os.path.join(build, "tests", "registry.bin"))
    tmp = tempfile.mkdtemp(prefix="sr-bench-metrics-")
    ref, test = os.path.join(tmp, "ref.yuv"), os.path.join(tmp, "test.yuv")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", MEGAMIND, "-vf",
                    "scale=%d:%d,loop=-1:size=300" % (W, H), "-frames:v", str(n2),
                    "-pix_fmt", "yuv420p", "-f", "rawvideo", ref], check=True)
    mp4 = os.path.join(tmp, "test.avi")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", "yuv420p",
                    "-s", "%dx%d" % (W, H), "-r", "25", "-i", ref, "-c:v", "mpeg4",
                    "-q:v", "12", mp4], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", mp4, "-pix_fmt", "yuv420p",
                    "-f", "rawvideo", test], check=True)
    # One untimed run each: caches (OpenCL programs) and page cache warm.
    seconds(ours_cmd(ref, test, N1), env)
    seconds(ffmpeg_cmd(ref, test, N1), env)
    sides = {"ours": lambda n: ours_cmd(ref, test, n),
             "ffmpeg": lambda n: ffmpeg_cmd(ref, test, n),
             "ffmpeg_y": lambda n: ffmpeg_cmd(ref, test, n, y_plane=True),
             "ours_psnr": lambda n: ours_cmd(ref, test, n, "psnr"),
             "ffmpeg_psnr": lambda n: ffmpeg_cmd(ref, test, n, ssim=False)}
    fps = {k: [] for k in sides}
    for r in range(args.rounds):
        for name, cmd in sides.items():
            t1, t2 = seconds(cmd(N1), env), seconds(cmd(n2), env)
            fps[name].append((n2 - N1) / (t2 - t1))
        print("round %d: %s" % (r + 1, ", ".join("%s %.1f fps" % (k, v[-1])
                                                 for k, v in fps.items())), file=sys.stderr)
    report = {"size": "%dx%d I420" % (W, H), "frames": [N1, n2], "rounds": args.rounds,
              "fps": {k: {"median": statistics.median(v), "min": min(v), "max": max(v)}
                      for k, v in fps.items()}}
    for ours, peer in (("ours", "ffmpeg"), ("ours", "ffmpeg_y"),
                       ("ours_psnr", "ffmpeg_psnr")):
        ratios = [o / p for o, p in zip(fps[ours], fps[peer])]
        report["ratio_%s_vs_%s" % (ours, peer)] = {
            "median": statistics.median(ratios), "min": min(ratios), "max": max(ratios)}
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
