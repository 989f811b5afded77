# SPDX-License-Identifier: LGPL-2.1-or-later
"""Real-ESRGAN's architectures on our executor against PyTorch.

SRVGGNetCompact (Real-ESRGAN realesrgan/archs/srvgg_arch.py) and RRDBNet
(BasicSR basicsr/archs/rrdbnet_arch.py) are written here in PyTorch from
their published definitions, given seeded random weights (scaled so the
activations stay of order one and the outputs mostly inside [0,1]), and
saved as .safetensors by writing the format by hand (8-byte little-endian
header length, JSON header, little-endian float32 data; Debian has no
safetensors package). tests/models/nn_run_tool loads each file through the
registry (safetensors reader + architecture builder) and runs it on a photo
crop; its output must match PyTorch's, clamped to [0,1], to >= 50 dB PSNR
(peak 1).

Usage: realesrgan_ref.py NN_RUN_TOOL
"""
import json
import os
import struct
import sys
import tempfile
import time

import cv2
import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sr_testenv import LAYOUTS, psnr01, run_nn_tool, sample  # noqa: E402

MIN_PSNR = 50.0


class SRVGGNetCompact(nn.Module):
    """srvgg_arch.py: conv, act, num_conv x (conv, act), conv, pixel
    shuffle, plus the nearest-upsampled input."""

    def __init__(self, num_feat=64, num_conv=16, upscale=4, act_type="prelu"):
        super().__init__()
        self.upscale = upscale
        self.act_type = act_type
        self.body = nn.ModuleList()

        def act():
            if act_type == "prelu":
                return nn.PReLU(num_parameters=num_feat)
            if act_type == "relu":
                return nn.ReLU(inplace=True)
            return nn.LeakyReLU(negative_slope=0.1, inplace=True)

        self.body.append(nn.Conv2d(3, num_feat, 3, 1, 1))
        self.body.append(act())
        for _ in range(num_conv):
            self.body.append(nn.Conv2d(num_feat, num_feat, 3, 1, 1))
            self.body.append(act())
        self.body.append(nn.Conv2d(num_feat, 3 * upscale * upscale, 3, 1, 1))
        self.upsampler = nn.PixelShuffle(upscale)

    def forward(self, x, dcr=False):
        out = x
        for m in self.body:
            out = m(out)
        if dcr:     # TF's depth_to_space order: the negative control
            r = self.upscale
            n, c, h, w = out.shape
            out = out.view(n, r, r, c // (r * r), h, w).permute(0, 3, 4, 1, 5, 2)
            out = out.reshape(n, c // (r * r), h * r, w * r)
        else:
            out = self.upsampler(out)
        return out + F.interpolate(x, scale_factor=self.upscale, mode="nearest")


class ResidualDenseBlock(nn.Module):
    def __init__(self, nf, ng):
        super().__init__()
        self.conv1 = nn.Conv2d(nf, ng, 3, 1, 1)
        self.conv2 = nn.Conv2d(nf + ng, ng, 3, 1, 1)
        self.conv3 = nn.Conv2d(nf + 2 * ng, ng, 3, 1, 1)
        self.conv4 = nn.Conv2d(nf + 3 * ng, ng, 3, 1, 1)
        self.conv5 = nn.Conv2d(nf + 4 * ng, nf, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.2)

    def forward(self, x):
        x1 = self.lrelu(self.conv1(x))
        x2 = self.lrelu(self.conv2(torch.cat((x, x1), 1)))
        x3 = self.lrelu(self.conv3(torch.cat((x, x1, x2), 1)))
        x4 = self.lrelu(self.conv4(torch.cat((x, x1, x2, x3), 1)))
        x5 = self.conv5(torch.cat((x, x1, x2, x3, x4), 1))
        return x5 * 0.2 + x


class RRDB(nn.Module):
    def __init__(self, nf, ng):
        super().__init__()
        self.rdb1 = ResidualDenseBlock(nf, ng)
        self.rdb2 = ResidualDenseBlock(nf, ng)
        self.rdb3 = ResidualDenseBlock(nf, ng)

    def forward(self, x):
        return self.rdb3(self.rdb2(self.rdb1(x))) * 0.2 + x


class RRDBNet(nn.Module):
    """rrdbnet_arch.py: x4 as is, x2 / x1 through pixel_unshuffle."""

    def __init__(self, scale=4, num_feat=64, num_block=23, num_grow_ch=32):
        super().__init__()
        self.scale = scale
        cin = 3 * {4: 1, 2: 4, 1: 16}[scale]
        self.conv_first = nn.Conv2d(cin, num_feat, 3, 1, 1)
        self.body = nn.Sequential(*[RRDB(num_feat, num_grow_ch) for _ in range(num_block)])
        self.conv_body = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up1 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_up2 = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_hr = nn.Conv2d(num_feat, num_feat, 3, 1, 1)
        self.conv_last = nn.Conv2d(num_feat, 3, 3, 1, 1)
        self.lrelu = nn.LeakyReLU(0.2)

    def forward(self, x):
        if self.scale == 2:
            x = F.pixel_unshuffle(x, 2)
        elif self.scale == 1:
            x = F.pixel_unshuffle(x, 4)
        feat = self.conv_first(x)
        feat = feat + self.conv_body(self.body(feat))
        feat = self.lrelu(self.conv_up1(F.interpolate(feat, scale_factor=2, mode="nearest")))
        feat = self.lrelu(self.conv_up2(F.interpolate(feat, scale_factor=2, mode="nearest")))
        return self.conv_last(self.lrelu(self.conv_hr(feat)))


def randomize(model, seed, gains, last, last_bias):
    """Seeded weights with unit gain per layer (std sqrt(2 / fan_in)) times
    gains[p] for the convolutions whose names contain p; the last one's bias
    is last_bias."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(".weight") and p.dim() == 4:
                fan_in = p.shape[1] * p.shape[2] * p.shape[3]
                gain = 1.0
                for part, k in gains.items():
                    gain *= k if part in name else 1.0
                p.copy_(torch.randn(p.shape, generator=g) * (2.0 / fan_in) ** 0.5 * gain)
            elif name.endswith(".bias"):
                p.copy_(torch.randn(p.shape, generator=g) * 0.05)
                if name.startswith(last):
                    p.fill_(last_bias)
            else:       # PReLU slopes
                p.copy_(torch.rand(p.shape, generator=g) * 0.4)


def save_safetensors(path, state, metadata, prefix="", dtype="F32"):
    """The format by hand: header JSON (padded with spaces to a multiple of
    8, as the reference writer does) + little-endian float32 (or float16)
    tensors."""
    header, blobs, at = {"__metadata__": metadata}, [], 0
    for name, t in state.items():
        data = t.detach().cpu().numpy().astype("<f2" if dtype == "F16" else "<f4").tobytes()
        header[prefix + name] = {"dtype": dtype, "shape": list(t.shape),
                                 "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


# (tag, constructor, seed, gains, last conv, its bias, key prefix, dtype,
# photo, crop w, h). SRVGG: the realesr-general-x4v3 / x4fast shape (64
# features, 16 convs); its last layer is a small residual over nearest
# upsampling. RRDBNet's output is the last conv alone: its bias centres it at
# 0.5. Each RRDB multiplies the trunk by about 1.2, so the full-size network
# (23 blocks) has a small conv_body to stay in range.
SMALL_RRDB = {".rdb": 1.0, "conv_last": 0.1}
CASES = [
    ("srvgg x4 (64 feat, 16 convs)", lambda: SRVGGNetCompact(64, 16, 4), 1,
     {"body.34": 0.1}, "body.34", 0.0, "", "F32", "baboon.jpg", 37, 29),
    ("srvgg x2 (32 feat, 4 convs, params_ema.)", lambda: SRVGGNetCompact(32, 4, 2), 2,
     {"body.10": 0.1}, "body.10", 0.0, "params_ema.", "F32", "fruits.jpg", 31, 23),
    ("srvgg x3 (16 feat, 2 convs, leakyrelu)", lambda: SRVGGNetCompact(16, 2, 3, "leakyrelu"), 7,
     {"body.6": 0.1}, "body.6", 0.0, "", "F32", "building.jpg", 25, 19),
    ("rrdbnet x4 (32 feat, 2 blocks, G16)", lambda: RRDBNet(4, 32, 2, 16), 3,
     SMALL_RRDB, "conv_last", 0.5, "", "F32", "building.jpg", 29, 21),
    ("rrdbnet x2 (32 feat, 1 block, G16, params.)", lambda: RRDBNet(2, 32, 1, 16), 4,
     SMALL_RRDB, "conv_last", 0.5, "params.", "F32", "baboon.jpg", 34, 26),
    ("rrdbnet x1 (16 feat, 1 block, G8, F16 file)", lambda: RRDBNet(1, 16, 1, 8), 5,
     SMALL_RRDB, "conv_last", 0.5, "", "F16", "fruits.jpg", 36, 28),
    ("rrdbnet x4 full size (64 feat, 23 blocks, G32)", lambda: RRDBNet(4, 64, 23, 32), 6,
     {".rdb": 0.3, "conv_body": 0.01, "conv_last": 0.05}, "conv_last", 0.5, "",
     "F32", "building.jpg", 23, 17),
]


def main():
    tool = sys.argv[1]
    torch.set_num_threads(2)
    failures = []
    with tempfile.TemporaryDirectory(prefix="sr-realesrgan-") as tmp:
        for tag, make, seed, gains, last, bias, prefix, dtype, photo, cw, ch in CASES:
            bgr = cv2.imread(sample(photo), cv2.IMREAD_COLOR)
            y0, x0 = bgr.shape[0] // 3, bgr.shape[1] // 3
            rgb = cv2.cvtColor(bgr[y0:y0 + ch, x0:x0 + cw], cv2.COLOR_BGR2RGB)
            x01 = rgb.astype(np.float32) / 255.0
            model = make().eval()
            randomize(model, seed, gains, last, bias)
            if dtype == "F16":
                # PyTorch runs the weights as the file holds them.
                with torch.no_grad():
                    for p in model.parameters():
                        p.copy_(p.half().float())
            path = os.path.join(tmp, "net.safetensors")
            meta = {"format": "pt"}
            if getattr(model, "act_type", "prelu") != "prelu":
                # No weights tell relu from leakyrelu: the config does.
                meta["gst-sr.config"] = json.dumps({"act_type": model.act_type})
            save_safetensors(path, model.state_dict(), meta, prefix, dtype)
            with torch.no_grad():
                ref = model(torch.from_numpy(x01).permute(2, 0, 1)[None])
            ref = ref[0].permute(1, 2, 0).numpy()
            inside = float(np.mean((ref >= 0) & (ref <= 1)))
            ref = np.clip(ref, 0.0, 1.0)
            for layout in LAYOUTS:
                t0 = time.time()
                got = run_nn_tool(tool, path, x01, tmp, layout)
                t1 = time.time()
                if got.shape != ref.shape:
                    failures.append("%s, %s: shape %s, PyTorch %s" % (
                        tag, layout, got.shape, ref.shape))
                    continue
                db = psnr01(got, ref)
                print("%s on %dx%d %s, %s: %.2f dB, max |diff| %.2e, %.0f %% "
                      "of the reference inside [0,1], ours %.1f s" % (
                          tag, cw, ch, photo, layout, db,
                          float(np.abs(got - ref).max()), 100 * inside,
                          t1 - t0))
                if not db >= MIN_PSNR:
                    failures.append("%s, %s: %.2f dB < %.0f dB" % (
                        tag, layout, db, MIN_PSNR))
            if isinstance(model, SRVGGNetCompact):
                # The test must see a wrong channel order (an error of the
                # kind a shared misreading would make).
                with torch.no_grad():
                    wrong = model(torch.from_numpy(x01).permute(2, 0, 1)[None], dcr=True)
                wrong = np.clip(wrong[0].permute(1, 2, 0).numpy(), 0.0, 1.0)
                control = psnr01(got, wrong)
                print("  control, reference with the TF pixel-shuffle order: %.2f dB" % control)
                if control >= MIN_PSNR:
                    failures.append("%s: the wrong channel order also passes "
                                    "(%.2f dB)" % (tag, control))
            if inside < 0.5:
                failures.append("%s: only %.0f %% of the reference inside [0,1]: "
                                "the clamp would hide differences" % (tag, 100 * inside))
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)
    print("PASS")


if __name__ == "__main__":
    main()
