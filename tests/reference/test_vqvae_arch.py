# SPDX-License-Identifier: LGPL-2.1-or-later
"""VQ-VAE-2 and VQ-VAE (models/nn/sr_arch_vqvae.c on the executor) against
the PyTorch models that train gst-sr's checkpoints (models/train/vqvae.py,
written from spec/models.md 5.2 / 5.3), on the same weights saved as
safetensors.

The weights are seeded random ones, except the codebooks: drawn from the
encoders' own outputs on the photo (as a trained codebook sits among
them), so that many codes are in use and near ties are common, the hard
case for the quantiser; and the last layer's gain, set so that the
reconstruction varies (std 0.4 before the clamp) as a trained one does:
random decoders give a nearly flat grey that any wiring would match. Each network runs on crops of opencv-doc photos
(sides multiples of 8); both map [0, 1] RGB to [-1, 1], reconstruct, and
map back with (y + 1) / 2 clamped to [0, 1].

Bars (issue: parity): >= 45 dB between the two reconstructions, and the
code-agreement rate of the quantisers (every level's indices, through
nn_run_tool's SR_NN_DUMP_CODES) >= 99.9 %. A control: the reference with
its two levels' decoder inputs swapped must fail the bar.

Usage: test_vqvae_arch.py NN_RUN_TOOL
"""
import os
import sys
import tempfile

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "..", "models", "train"))
from realesrgan_ref import save_safetensors  # noqa: E402
from sr_testenv import run_nn_tool, sample  # noqa: E402
import safetensors_io  # noqa: E402
import vqvae  # noqa: E402

WEIGHTS = os.path.join(HERE, "..", "..", "models", "weights")

MIN_PSNR = 45.0
MIN_AGREEMENT = 0.999


def psnr01(a, b):
    mse = float(np.mean((a.astype(np.float64) - b) ** 2))
    return float("inf") if mse == 0 else 10 * np.log10(1 / mse)


def codebook_from(quantizer, z, gen):
    """embed columns = encoder vectors z [N, D] (plus a little noise)."""
    n = quantizer.n_embed
    pick = torch.randint(0, z.shape[0], (n,), generator=gen)
    embed = (z[pick] + 0.01 * torch.randn(n, z.shape[1], generator=gen)).t().contiguous()
    quantizer.embed.copy_(embed)
    quantizer.embed_avg.copy_(embed)


def prepare(model, x, gen):
    with torch.no_grad():
        if isinstance(model, vqvae.VQVAE2):
            enc_b = model.enc_b(x)
            z_t = vqvae._nhwc(model.quantize_conv_t(model.enc_t(enc_b)))
            codebook_from(model.quantize_t, z_t.reshape(-1, z_t.shape[-1]), gen)
            q_t, _, _ = model.quantize_t(z_t)
            dec_t = model.dec_t(vqvae._nchw(q_t))
            z_b = vqvae._nhwc(model.quantize_conv_b(torch.cat([dec_t, enc_b], 1)))
            codebook_from(model.quantize_b, z_b.reshape(-1, z_b.shape[-1]), gen)
        else:
            z = vqvae._nhwc(model.quantize_conv(model.enc(x)))
            codebook_from(model.quantize, z.reshape(-1, z.shape[-1]), gen)


def compare(arch, model, path, x01, label, tmp, tool, failures, min_inside=0.5):
    """Runs the safetensors at path on the executor and model in PyTorch on
    x01 [H, W, 3] in [0, 1]; checks the PSNR and code-agreement bars.
    Returns the executor's output."""
    x = torch.from_numpy(x01).permute(2, 0, 1)[None] * 2 - 1
    with torch.no_grad():
        y, _ = model(x)
        codes = model.code_indices(x)
    ref = np.clip((y[0].permute(1, 2, 0).numpy() + 1) / 2, 0, 1)
    inside = float(np.mean((y.abs() < 1).numpy()))
    codes_path = os.path.join(tmp, "codes.i32")
    os.environ["SR_NN_DUMP_CODES"] = codes_path
    got = run_nn_tool(tool, path, x01, tmp)
    del os.environ["SR_NN_DUMP_CODES"]
    ours = np.fromfile(codes_path, np.int32)
    theirs = np.concatenate([codes[level].reshape(-1).numpy()
                             for level in (("top", "bottom") if arch == "vqvae2"
                                           else ("bottom",))])
    agree = float(np.mean(ours == theirs)) if ours.shape == theirs.shape else 0.0
    db = psnr01(got, ref)
    print("%s on %s: %.2f dB, max |diff| %.2e, %.0f %% of the reference inside [0, 1], "
          "codes agree %.4f %% (%d of %d; %d distinct codes)" % (
              arch, label, db, float(np.abs(got - ref).max()), 100 * inside, 100 * agree,
              int(np.sum(ours == theirs)) if ours.shape == theirs.shape else -1,
              theirs.size, len(np.unique(theirs))))
    if inside < min_inside:
        failures.append("%s %s: only %.0f %% inside [0, 1]: the clamp would hide "
                        "differences" % (arch, label, 100 * inside))
    if not db >= MIN_PSNR:
        failures.append("%s %s: %.2f dB < %.0f" % (arch, label, db, MIN_PSNR))
    if not agree >= MIN_AGREEMENT:
        failures.append("%s %s: code agreement %.4f < %.3f" % (arch, label, agree,
                                                                 MIN_AGREEMENT))
    return got


def crop01(photo, w, h):
    bgr = cv2.imread(sample(photo), cv2.IMREAD_COLOR)
    y0, x0 = bgr.shape[0] // 3, bgr.shape[1] // 3
    rgb = cv2.cvtColor(bgr[y0:y0 + h, x0:x0 + w], cv2.COLOR_BGR2RGB)
    return rgb.astype(np.float32) / 255.0


def shipped_checkpoints():
    """(arch, path) of every checkpoint in models/weights/ (model cards
    beside them name the arch)."""
    import json
    out = []
    if os.path.isdir(WEIGHTS):
        for name in sorted(os.listdir(WEIGHTS)):
            if name.endswith(".json"):
                with open(os.path.join(WEIGHTS, name)) as f:
                    card = json.load(f)
                out.append((card["arch"], os.path.join(WEIGHTS, card["file"])))
    return out


def main():
    tool = sys.argv[1]
    torch.set_num_threads(2)
    failures = []
    cases = [("vqvae2", "baboon.jpg", 96, 64), ("vqvae2", "fruits.jpg", 136, 88),
             ("vqvae", "building.jpg", 100, 76)]
    with tempfile.TemporaryDirectory(prefix="sr-vqvae-") as tmp:
        for k, (arch, photo, w, h) in enumerate(cases):
            x01 = crop01(photo, w, h)
            torch.manual_seed(100 + k)
            gen = torch.Generator().manual_seed(200 + k)
            model = vqvae.build(arch).eval()
            x = torch.from_numpy(x01).permute(2, 0, 1)[None] * 2 - 1
            prepare(model, x, gen)
            with torch.no_grad():
                last = model.dec.blocks[6]
                y, _ = model(x)
                gain = 0.4 / float((y - last.bias.view(1, 3, 1, 1)).std())
                last.weight.mul_(gain)
            path = os.path.join(tmp, arch + ".safetensors")
            save_safetensors(path, model.state_dict(), {"format": "pt"})
            got = compare(arch, model, path, x01, "%dx%d %s" % (w, h, photo), tmp, tool,
                          failures)
            if arch == "vqvae2":
                with torch.no_grad():
                    q_t, q_b, _, _, _ = model.encode(x)
                    wrong = model.dec(torch.cat([q_b, model.upsample_t(q_t)], 1))
                wrong = np.clip((wrong[0].permute(1, 2, 0).numpy() + 1) / 2, 0, 1)
                control = psnr01(got, wrong)
                print("  control, decoder inputs swapped: %.2f dB" % control)
                if control >= MIN_PSNR:
                    failures.append("%s: the control passes too (%.2f dB)" % (arch, control))
        # The checkpoints gst-sr ships, loaded into the trainer's model by the
        # trainer's own reader, on natural crops (a trained decoder's output
        # lies inside [-1, 1] almost everywhere, so the clamp hides little).
        shipped = shipped_checkpoints()
        for arch, path in shipped:
            tensors, _ = safetensors_io.load_file(path)
            model = vqvae.build(arch).eval()
            model.load_state_dict(tensors)
            for photo, w, h in (("baboon.jpg", 128, 96), ("aero3.jpg", 200, 136)):
                compare(arch, model, path, crop01(photo, w, h), "%dx%d %s, shipped %s" % (
                    w, h, photo, os.path.basename(path)), tmp, tool, failures)
        if not shipped:
            print("no checkpoint in models/weights/ yet: shipped-weight parity not run")
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        sys.exit(1)


if __name__ == "__main__":
    main()
