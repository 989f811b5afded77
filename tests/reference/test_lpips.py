# SPDX-License-Identifier: LGPL-2.1-or-later
"""srmetrics metrics=lpips against a PyTorch LPIPS (alex, v0.1) written here
from spec/metrics.md 9 (lpips/lpips.py's forward: [-1, 1] input, the
ScalingLayer, torchvision AlexNet's five conv+ReLU stages with the two max
pools, normalize_tensor with eps 1e-10, squared differences, the 1x1
linear layers without bias, spatial means, the sum), with random weights
(the official ones cannot be downloaded here: see the note at the end).

The weights go through the path a user takes: torch.save'd .pth files
with the official key names (lpips's lin{k}.model.1.weight, torchvision's
features.N.{weight,bias} plus classifier tensors that must be ignored),
converted by scripts/convert-lpips.py to safetensors; a second file with
torchvision's key names, float16, no scaling layer and a custom one is
read directly.

Pairs: crops of opencv-doc photos (31x31, AlexNet's smallest input;
odd sizes; 250x190) against JPEG, blur, noise, bicubic down-up, colour
shift and identical copies, as PNG sequences through multifilesrc in
gst-launch-1.0 (one run per size). Bar: 1e-4 absolute (spec 12: the
agreement to expect across frameworks in float32); identical frames
exactly 0. Errors: no lpips-weights, a wrong-shaped tensor, a negative
linear weight, an unknown tensor (each: gst-launch fails with a message
naming the problem), and a 30-pixel frame (no value, lpips-reason
too-small).

Not checked here, and why: the official weights (lpips's alex.pth and
torchvision's alexnet-owt-*.pth) against the lpips package on its
ex_ref/ex_p0/ex_p1 images: neither the weights nor the lpips package are
in Debian, and tests cannot download.

Usage: test_lpips.py
"""
import json
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from realesrgan_ref import save_safetensors  # noqa: E402
from sr_testenv import EXIT_SKIP, sample  # noqa: E402
from test_similarity import degraded  # noqa: E402

TOL = 1e-4
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONVERT = os.path.join(ROOT, "scripts", "convert-lpips.py")
LIN_CHANNELS = [64, 192, 384, 256, 256]
# The official linear layers' sums (spec 9.3): random ones of the same
# size give LPIPS values of the usual magnitude.
LIN_SUMS = [2.34953, 16.1430, 39.2684, 27.1972, 20.3172]


class LpipsAlex(nn.Module):
    """lpips.LPIPS(net='alex', version='0.1'), its state_dict names kept."""

    def __init__(self):
        super().__init__()
        self.scaling_layer = nn.Module()
        self.scaling_layer.register_buffer("shift", torch.tensor([-.030, -.088, -.188]).view(1, 3, 1, 1))
        self.scaling_layer.register_buffer("scale", torch.tensor([.458, .448, .450]).view(1, 3, 1, 1))
        feats = [nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
                 nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
                 nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(),
                 nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
                 nn.Conv2d(256, 256, 3, padding=1), nn.ReLU()]
        self.net = nn.Module()
        for k, (lo, hi) in enumerate([(0, 2), (2, 5), (5, 8), (8, 10), (10, 12)]):
            s = nn.Sequential()
            for i in range(lo, hi):
                s.add_module(str(i), feats[i])
            setattr(self.net, "slice%d" % (k + 1), s)
        for k, c in enumerate(LIN_CHANNELS):
            lin = nn.Module()
            lin.model = nn.Sequential(nn.Dropout(), nn.Conv2d(c, 1, 1, bias=False))
            setattr(self, "lin%d" % k, lin)

    def features(self, x):
        x = (x - self.scaling_layer.shift) / self.scaling_layer.scale
        out = []
        for k in range(5):
            x = getattr(self.net, "slice%d" % (k + 1))(x)
            out.append(x)
        return out

    def forward(self, a, b):
        """a, b: [1, 3, H, W] float32 in [0, 1] (8-bit values / 255)."""
        fa, fb = self.features(2 * a - 1), self.features(2 * b - 1)
        total = 0
        for k in range(5):
            na = fa[k] / (torch.sqrt(torch.sum(fa[k] ** 2, dim=1, keepdim=True)) + 1e-10)
            nb = fb[k] / (torch.sqrt(torch.sum(fb[k] ** 2, dim=1, keepdim=True)) + 1e-10)
            d = getattr(self, "lin%d" % k).model((na - nb) ** 2)
            total = total + d.mean([2, 3], keepdim=True)
        return float(total.sum())


def random_model(seed):
    torch.manual_seed(seed)
    m = LpipsAlex().eval()
    with torch.no_grad():
        for k, c in enumerate(LIN_CHANNELS):
            w = getattr(m, "lin%d" % k).model[1].weight
            w.copy_(torch.rand(w.shape) * (2 * LIN_SUMS[k] / c))   # >= 0, as trained
    return m


def tensor_of(png):
    img = cv2.cvtColor(cv2.imread(png, cv2.IMREAD_COLOR), cv2.COLOR_BGR2RGB)
    return torch.from_numpy(img).permute(2, 0, 1)[None].float() / 255


def gst(tmp, weights, n, quiet=True):
    out = os.path.join(tmp, "scores.jsonl")
    src = []
    for pad in ("ref", "test"):
        src += ["multifilesrc", "location=" + os.path.join(tmp, pad + "_%03d.png"),
                "index=0", "stop-index=%d" % (n - 1), "caps=image/png,framerate=1/1",
                "!", "pngdec", "!", "videoconvert", "!", "video/x-raw,format=RGB", "!",
                "m." + pad]
    cmd = ["gst-launch-1.0"] + (["-q"] if quiet else []) + src + \
        ["srmetrics", "name=m", "metrics=lpips", "location=" + out] + \
        (["lpips-weights=" + weights] if weights else []) + ["!", "fakesink"]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    said = r.stdout + r.stderr      # without -q, warnings go to stdout
    if r.returncode != 0:
        if "pocl-opencl-icd" in said:
            print("SKIP:", said.strip())
            sys.exit(EXIT_SKIP)
        return None, said
    with open(out) as f:
        lines = [json.loads(line) for line in f]
    return lines, said


def write_pairs(tmp, pairs):
    for i, (ref, test) in enumerate(pairs):
        cv2.imwrite(os.path.join(tmp, "ref_%03d.png" % i), ref)
        cv2.imwrite(os.path.join(tmp, "test_%03d.png" % i), test)
    for name in os.listdir(tmp):        # a previous size's longer sequence
        if name.endswith(".png") and int(name[-7:-4]) >= len(pairs):
            os.remove(os.path.join(tmp, name))


def convert(tmp, model):
    """The user's path: official-style .pth files -> convert-lpips.py."""
    state = model.state_dict()
    lin = {n: t for n, t in state.items() if n.startswith("lin")}
    names = {"net.slice1.0": 0, "net.slice2.3": 3, "net.slice3.6": 6,
             "net.slice4.8": 8, "net.slice5.10": 10}
    backbone = {}
    for stem, i in names.items():
        backbone["features.%d.weight" % i] = state[stem + ".weight"]
        backbone["features.%d.bias" % i] = state[stem + ".bias"]
    backbone["classifier.1.weight"] = torch.zeros(8, 4)   # not LPIPS's: dropped
    alex, tv = os.path.join(tmp, "alex.pth"), os.path.join(tmp, "alexnet.pth")
    torch.save(lin, alex)
    torch.save(backbone, tv)
    out = os.path.join(tmp, "lpips.safetensors")
    r = subprocess.run([sys.executable, CONVERT, alex, tv, out], capture_output=True,
                       text=True)
    if r.returncode != 0:
        raise RuntimeError("convert-lpips.py failed: " + r.stderr)
    return out


def main():
    photos = [cv2.imread(sample(p), cv2.IMREAD_COLOR)
              for p in ("baboon.jpg", "fruits.jpg", "building.jpg")]
    failures, worst, rel = [], 0.0, 0.0
    with tempfile.TemporaryDirectory() as tmp:
        model = random_model(1)
        weights = convert(tmp, model)
        # torchvision names, float16 values, its own scaling layer.
        model2 = random_model(2)
        with torch.no_grad():
            model2.scaling_layer.shift.copy_(torch.tensor([0.05, -0.1, 0.2]).view(1, 3, 1, 1))
            model2.scaling_layer.scale.copy_(torch.tensor([0.5, 0.4, 0.6]).view(1, 3, 1, 1))
            for p in model2.parameters():
                p.copy_(p.half().float())
        st2 = {}
        for n, t in model2.state_dict().items():
            for stem, i in (("net.slice1.0", 0), ("net.slice2.3", 3), ("net.slice3.6", 6),
                            ("net.slice4.8", 8), ("net.slice5.10", 10)):
                n = n.replace(stem + ".", "features.%d." % i)
            st2[n] = t
        weights2 = os.path.join(tmp, "lpips-tv.safetensors")
        save_safetensors(weights2, st2, {}, dtype="F16")

        for (w, h) in [(31, 31), (157, 123), (250, 190)]:
            pairs, kinds = [], []
            crops = []
            for img in photos:
                y0, x0 = (img.shape[0] - h) // 2, (img.shape[1] - w) // 2
                crops.append(np.ascontiguousarray(img[y0:y0 + h, x0:x0 + w]))
            for k, crop in enumerate(crops):
                for kind, d in degraded(crop) + [("other-photo", crops[(k + 1) % 3])]:
                    pairs.append((crop, d))
                    kinds.append(kind)
            write_pairs(tmp, pairs)
            for tag, path, m in (("converted", weights, model), ("torchvision-f16", weights2, model2)):
                if tag != "converted" and w != 157:
                    continue
                lines, err = gst(tmp, path, len(pairs))
                if lines is None:
                    failures.append("%s %dx%d: gst-launch failed: %s" % (tag, w, h, err[-1500:]))
                    continue
                frames, summary = lines[:-1], lines[-1]
                values = []
                for i, line in enumerate(frames):
                    with torch.no_grad():
                        want = m(tensor_of(os.path.join(tmp, "ref_%03d.png" % i)),
                                 tensor_of(os.path.join(tmp, "test_%03d.png" % i)))
                    got = line.get("lpips")
                    identical = kinds[i] == "identical"
                    d = abs(got - want) if got is not None else float("inf")
                    if want > 1e-3:
                        rel = max(rel, d / want)
                    worst = max(worst, d)
                    values.append(got)
                    if d > TOL or (identical and got != 0.0):
                        failures.append("%s %dx%d pair %d: lpips %s, PyTorch %.8f"
                                        % (tag, w, h, i, got, want))
                print("%s %dx%d: %d pairs, lpips %.4f..%.4f" % (tag, w, h, len(frames),
                                                               min(values), max(values)))
                if summary.get("frames") != len(pairs) or \
                        abs(summary.get("lpips-mean", -1) - np.mean(values)) > 1e-12:
                    failures.append("%s %dx%d: summary %s" % (tag, w, h, summary))

        # Errors and the small frame.
        pairs = [(photos[0][:40, :30].copy(), photos[0][:40, :30].copy())]
        write_pairs(tmp, pairs)
        lines, err = gst(tmp, weights, 1, quiet=False)    # -q hides warnings
        if lines is None or "lpips" in lines[0] or lines[0].get("lpips-reason") != "too-small":
            failures.append("30x40: want no value and reason too-small, got %s %s"
                            % (lines, err[-500:]))
        elif "LPIPS needs frames of at least 31x31" not in err:
            failures.append("30x40: no warning (stderr: %s)" % err[-500:])
        write_pairs(tmp, [(photos[0][:64, :64].copy(), photos[1][:64, :64].copy())])
        bad = {}
        state = model.state_dict()
        bad["wrong-shape"] = (dict(state, **{"net.slice2.3.weight": state["net.slice2.3.weight"][:, :32]}),
                              "net.slice2.3.weight")
        neg = state["lin1.model.1.weight"].clone()
        neg[0, 5] = -0.5
        bad["negative-lin"] = (dict(state, **{"lin1.model.1.weight": neg}), "lin1.model.1.weight")
        bad["unknown-tensor"] = (dict(state, **{"net.slice6.0.weight": torch.zeros(2)}),
                                 "net.slice6.0.weight")
        cases = [("no weights", None, "lpips-weights=<file.safetensors>")]
        for name, (st, needle) in bad.items():
            path = os.path.join(tmp, name + ".safetensors")
            save_safetensors(path, st, {})
            cases.append((name, path, needle))
        for name, path, needle in cases:
            lines, err = gst(tmp, path, 1)
            if lines is not None or needle not in err or (path and path not in err):
                failures.append("%s: want a failure naming %s%s, got %s"
                                % (name, needle, " and the file" if path else "", err[-800:]))
            else:
                print("%s: refused (%s)" % (name, err.strip().splitlines()[0][:160]))

    print("largest |srmetrics - PyTorch| = %.3g (bar %g); relative, where LPIPS > 1e-3: "
          "%.3g" % (worst, TOL, rel))
    if failures:
        print("\n".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
