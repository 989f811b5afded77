#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Steady-state throughput of srdegrade (presets realesrgan and bicubic,
scale 4, 1920x1080 RGB) against a PyTorch CPU reference of the same chain
at 2 threads (float32, no_grad), measured in one run, sides alternating.

    /usr/bin/python3 tests/bench/bench_degrade.py --build BUILD [--rounds 5]

Each measurement is one process invocation: W warm-up frames (program
builds, allocations, torch's first calls) untimed, then K timed frames; its
figure is K / (sum of the K frame times). The sides alternate A B A B, and
the report gives the median (and min-max) of each side and the median of
the per-round ratios.

Ours: tests/bench/bench_srdegrade (the library API as srdegrade calls it:
upload 8-bit RGB, degrade, blocking download to 8-bit RGB). With --gst, also
gst-launch-1.0 ... ! srdegrade ! fakesink, timed as (N=W+K) - (N=W) whole
runs, which includes GStreamer's own per-frame work and the plugin load.

Reference (PyTorch, CPU): realesrgan replays, frame by frame, the very
parameters our side drew (written by bench_srdegrade --params), with
tests/reference/replay_ref.py's filter2d (kernels zero-padded to 21 as
upstream does), resize (F.interpolate) and diffjpeg, plus Gaussian/Poisson
noise in torch written after BasicSR's add_gaussian_noise_pt /
add_poisson_noise_pt; bicubic is F.interpolate(mode="bicubic",
antialias=True) to HR/4 (torch's antialiased bicubic, a = -0.5 like
MATLAB's; borders differ, the work does not). Both sides include the 8-bit
conversion in and out.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
W, H = 1920, 1080
PHOTO = "/usr/share/doc/opencv-doc/examples/data/building.jpg"


def make_frame(path):
    """A 1920x1080 RGB24 frame from a real photo: centre-cropped to 16:9,
    enlarged with cv2 INTER_CUBIC."""
    import cv2
    im = cv2.imread(PHOTO, cv2.IMREAD_COLOR)
    if im is None:
        sys.exit("cannot read " + PHOTO)
    h, w = im.shape[:2]
    ch = min(h, w * H // W)
    cw = ch * W // H
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    im = cv2.resize(im[y0:y0 + ch, x0:x0 + cw], (W, H), interpolation=cv2.INTER_CUBIC)
    rgb = np.ascontiguousarray(im[:, :, ::-1])
    rgb.tofile(path)


# ---- the PyTorch reference ---------------------------------------------------------

def torch_noise(x, op, gen):
    """BasicSR's add_gaussian_noise_pt / add_poisson_noise_pt (clip=True,
    rounds=False) with the recorded sigma / scale and gray flag."""
    import torch
    if op["type"] == "gaussian":
        sigma = op["sigma"] / 255.0
        if op["gray"]:
            noise = torch.randn(1, 1, *x.shape[2:], generator=gen) * sigma
        else:
            noise = torch.randn(x.shape, generator=gen) * sigma
    else:
        img = x
        if op["gray"]:
            w = torch.tensor([0.2989, 0.587, 0.114]).view(1, 3, 1, 1)
            img = (x * w).sum(1, keepdim=True)
        img = torch.clamp((img * 255.0).round(), 0, 255) / 255.0
        vals = len(torch.unique(img[0]))
        vals = 2 ** math.ceil(math.log2(vals))
        out = torch.poisson(img * vals, generator=gen) / vals
        noise = (out - img) * op["scale"]
    return torch.clamp(x + noise, 0, 1)


def ref_realesrgan(x, rec, gen):
    import replay_ref
    for op in rec["ops"]:
        name = op["op"]
        if name == "blur":
            x = replay_ref.filter2d(x, replay_ref.kernel_from_params(op, 21))
        elif name == "resize":
            x = replay_ref.resize(x, op)
        elif name == "noise":
            x = torch_noise(x, op, gen)
        elif name == "jpeg":
            x = replay_ref.diffjpeg(x, op["quality"], op["variant"])
    return x


def run_reference(args):
    import torch
    import torch.nn.functional as F
    sys.path.insert(0, os.path.join(SOURCE_ROOT, "tests", "reference"))
    torch.set_num_threads(2)
    frame = np.fromfile(args.input, np.uint8).reshape(H, W, 3)
    recs = None
    if args.preset == "realesrgan":
        with open(args.params) as f:
            recs = json.load(f)["frames"]
        assert len(recs) >= args.warmup + args.frames
    gen = torch.Generator().manual_seed(args.seed)
    times = []
    with torch.no_grad():
        for i in range(args.warmup + args.frames):
            t0 = time.perf_counter()
            x = torch.from_numpy(frame).permute(2, 0, 1)[None].float() / 255.0
            if args.preset == "realesrgan":
                y = ref_realesrgan(x, recs[i], gen)
                y = torch.clamp(torch.round(y * 255.0), 0, 255)
            else:
                y = F.interpolate(x, size=(H // 4, W // 4), mode="bicubic",
                                  align_corners=False, antialias=True)
                y = torch.clamp(torch.floor(y * 255.0 + 0.5), 0, 255)
            out = y[0].permute(1, 2, 0).to(torch.uint8).contiguous().numpy()
            assert out.shape == (H // 4, W // 4, 3)
            if i >= args.warmup:
                times.append(time.perf_counter() - t0)
    print(json.dumps({"side": "torch", "preset": args.preset,
                      "threads": torch.get_num_threads(), "frame_s": times}))


# ---- the driver ----------------------------------------------------------------------

def fps_of(result):
    return len(result["frame_s"]) / sum(result["frame_s"])


def run_json(cmd, env=None):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, env=env)
    return json.loads(out.stdout.strip().splitlines()[-1])


def gst_seconds(args, env, preset, n):
    cmd = ["gst-launch-1.0", "-q", "multifilesrc", "location=" + args.frame,
           "loop=true", "num-buffers=%d" % n,
           "caps=video/x-raw,format=RGB,width=%d,height=%d,framerate=25/1" % (W, H),
           "!", "rawvideoparse", "use-sink-caps=true", "!",
           "srdegrade", "preset=" + preset, "scale=4", "seed=%d" % args.seed,
           "!", "fakesink", "sync=false"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def summary(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs),
            "runs": xs}


def drive(args):
    bench = os.path.join(args.build, "tests", "bench", "bench_srdegrade")
    if not os.path.exists(bench):
        sys.exit("build it first: ninja -C %s tests/bench/bench_srdegrade" % args.build)
    if args.gst and not os.path.exists(os.path.join(args.build, "gst", "libgstsr.so")):
        sys.exit("--gst needs the plugin: ninja -C %s" % args.build)
    env = dict(os.environ)
    env.setdefault("XDG_CACHE_HOME", os.path.join(args.build, "tests", "cache"))
    env["GST_PLUGIN_PATH_1_0"] = os.path.join(args.build, "gst")
    tmp = tempfile.mkdtemp(prefix="sr-bench-")
    args.frame = os.path.join(tmp, "frame.rgb")
    make_frame(args.frame)
    report = {"frame": "%s, centre-cropped to 16:9, cv2 INTER_CUBIC to %dx%d"
              % (PHOTO, W, H), "warmup": args.warmup, "frames": args.frames,
              "rounds": args.rounds, "seed": args.seed, "presets": {}}
    for preset in args.presets.split(","):
        params = os.path.join(tmp, preset + "-params.json")
        common = ["--preset", preset, "--seed", str(args.seed),
                  "--warmup", str(args.warmup), "--frames", str(args.frames)]
        ours_cmd = [bench, "--input", args.frame, "--scale", "4"] + common
        ref_cmd = [sys.executable, os.path.abspath(__file__), "--reference",
                   "--input", args.frame, "--params", params] + common
        # Untimed: the parameters the reference replays, and the program cache.
        run_json(ours_cmd + ["--params", params], env)
        ours, ref, ratio, gst = [], [], [], []
        device = None
        for r in range(args.rounds):
            a = run_json(ours_cmd, env)
            b = run_json(ref_cmd, env)
            device = a["device"]
            ours.append(fps_of(a))
            ref.append(fps_of(b))
            ratio.append(ours[-1] / ref[-1])
            if args.gst:
                t_w = gst_seconds(args, env, preset, args.warmup)
                t_wk = gst_seconds(args, env, preset, args.warmup + args.frames)
                gst.append(args.frames / max(t_wk - t_w, 1e-9))
            print("%s round %d: ours %.2f fps, torch %.2f fps, ratio %.2f%s" % (
                preset, r + 1, ours[-1], ref[-1], ratio[-1],
                ", gst-launch %.2f fps" % gst[-1] if gst else ""), file=sys.stderr)
        entry = {"ours_fps": summary(ours), "torch_fps": summary(ref),
                 "ratio": summary(ratio), "device": device}
        if gst:
            entry["gst_launch_fps"] = summary(gst)
        if args.profile:
            entry["profile_s_per_frame"] = run_json(
                ours_cmd + ["--profile"], env)["profile_s_per_frame"]
        report["presets"][preset] = entry
    print(json.dumps(report, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(SOURCE_ROOT, "build"))
    ap.add_argument("--presets", default="realesrgan,bicubic")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--frames", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gst", action="store_true", help="also time gst-launch-1.0")
    ap.add_argument("--profile", action="store_true", help="per-op times of ours")
    # The reference side's own invocation.
    ap.add_argument("--reference", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--preset", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--params", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.reference:
        run_reference(args)
    else:
        drive(args)


if __name__ == "__main__":
    main()
