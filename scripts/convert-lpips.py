#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Converts LPIPS v0.1 (alex) weights to the safetensors file srmetrics
reads (lpips-weights=...). gst-sr ships no LPIPS weights; get them from
their authors:

  - the linear layers: lpips/weights/v0.1/alex.pth from
    https://github.com/richzhang/PerceptualSimilarity (BSD-2-Clause), also
    inside the `lpips` Python package;
  - the AlexNet backbone: torchvision's ImageNet weights,
    https://download.pytorch.org/models/alexnet-owt-7be5be79.pth (what
    torchvision's AlexNet_Weights.IMAGENET1K_V1 downloads; older lpips
    releases used alexnet-owt-4df8aa71.pth).

  /usr/bin/python3 scripts/convert-lpips.py alex.pth alexnet-owt-7be5be79.pth lpips-alex.safetensors

Needs only Debian's python3-torch (to read the .pth pickles). The output
has lpips.LPIPS(net='alex').state_dict()'s key names (net.slice1.0.weight
..., lin0.model.1.weight ...; models/nn/sr_lpips.h), float32, and the
backbone file's SHA-256 in its metadata. A state_dict saved from
lpips.LPIPS itself (one .pth with both) works as the only input too:

  /usr/bin/python3 scripts/convert-lpips.py lpips_state.pth lpips-alex.safetensors
"""
import hashlib
import os
import sys

import torch

# The project's safetensors writer (models/train/: Debian has no
# safetensors package).
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                "models", "train"))
from safetensors_io import save_file  # noqa: E402

# torchvision's features.N -> lpips's net.sliceK.N (lpips/pretrained_networks.py).
SLICES = {0: 1, 3: 2, 6: 3, 8: 4, 10: 5}
LIN_CHANNELS = [64, 192, 384, 256, 256]


def load(path):
    state = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        sys.exit("%s: not a state_dict" % path)
    return state


def collect(states):
    """The tensors srmetrics needs, under lpips's names."""
    out = {}
    for state in states:
        for name, t in state.items():
            if name.startswith("features."):
                index = int(name.split(".")[1])
                if index in SLICES:
                    out["net.slice%d.%d.%s" % (SLICES[index], index,
                                               name.split(".")[2])] = t
            elif name.startswith("net.slice") or name.startswith("lin") \
                    or name.startswith("scaling_layer."):
                out[name] = t
    want = ["net.slice%d.%d.%s" % (k, i, p) for i, k in SLICES.items()
            for p in ("weight", "bias")]
    want += ["lin%d.model.1.weight" % k for k in range(5)]
    missing = [n for n in want if n not in out]
    if missing:
        sys.exit("missing tensors: %s (give the lpips alex.pth and the "
                 "torchvision AlexNet weights)" % ", ".join(missing))
    for k, c in enumerate(LIN_CHANNELS):
        w = out["lin%d.model.1.weight" % k]
        if tuple(w.shape) != (1, c, 1, 1) or (w < 0).any():
            sys.exit("lin%d.model.1.weight: shape %s, want (1, %d, 1, 1), "
                     "all >= 0" % (k, tuple(w.shape), c))
    return {n: out[n] for n in sorted(out)}


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    inputs, output = sys.argv[1:-1], sys.argv[-1]
    tensors = collect([load(p) for p in inputs])
    metadata = {"gst-sr.network": "lpips-alex-v0.1"}
    for i, p in enumerate(inputs):
        with open(p, "rb") as f:
            metadata["gst-sr.source-%d-sha256" % i] = hashlib.sha256(f.read()).hexdigest()
    save_file(tensors, output, metadata)
    print("%s: %d tensors" % (output, len(tensors)))


if __name__ == "__main__":
    main()
