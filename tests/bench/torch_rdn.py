# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch (CPU, NCHW, float32) module for UpscalerJS's RDN models
(@upscalerjs/esrgan-slim, esrgan-medium, default-model), built from the
package's own model.json and weight shards, for the benchmark in
tests/bench/bench_upscale.py.

The layer DAG is read from model.json (modelTopology.model_config.config:
Keras functional layers in topological order with their inbound nodes), so
the module runs exactly the graph the file describes: Conv2D ("same"
padding, odd kernels, stride 1, linear/relu activation), Activation(relu),
Concatenate (channel axis), Add, UpSampling2D (nearest). Anything else is
refused by name. Weights are bound by name ("<layer>/kernel", "<layer>/bias";
the manifest is sorted by name, not graph order), kernels HWIO -> OIHW.

Value range as UpscalerJS declares for the RDN models (esrgan.js,
getESRGANModelDefinition: inputRange/outputRange [0, 255]): the [0,1] frame
is multiplied by 255 going in; the output is divided by 255 and clamped to
[0,1], as our executor does.
"""
import json
import os

import numpy as np
import torch
import torch.nn.functional as F


def _load_weights(model_json, manifest):
    base = os.path.dirname(model_json)
    weights = {}
    for group in manifest:
        buf = b"".join(open(os.path.join(base, p), "rb").read()
                       for p in group["paths"])
        off = 0
        for w in group["weights"]:
            if w.get("dtype", "float32") != "float32" or "quantization" in w:
                raise ValueError("%s: only float32 weights" % w["name"])
            n = int(np.prod(w["shape"]))
            arr = np.frombuffer(buf, "<f4", n, off).reshape(w["shape"])
            weights[w["name"]] = arr
            off += 4 * n
        if off != len(buf):
            raise ValueError("%s: %d weight bytes, shards hold %d"
                             % (model_json, off, len(buf)))
    return weights


class TfjsRdn(torch.nn.Module):
    def __init__(self, model_json):
        super().__init__()
        with open(model_json) as f:
            m = json.load(f)
        cfg = m["modelTopology"]["model_config"]["config"]
        weights = _load_weights(model_json, m["weightsManifest"])
        self.inputs = [l[0] for l in cfg["input_layers"]]
        self.outputs = [l[0] for l in cfg["output_layers"]]
        self.steps = []           # (name, kind, input names, params)
        self.scale = 1
        for layer in cfg["layers"]:
            cls, name, c = layer["class_name"], layer["name"], layer["config"]
            ins = [n[0] for node in layer["inbound_nodes"] for n in node]
            if cls == "InputLayer":
                continue
            if cls == "Conv2D":
                kh, kw = c["kernel_size"]
                if (c["padding"] not in ("same", "valid") or kh % 2 == 0
                        or kh != kw or c["strides"] != [1, 1]
                        or c["dilation_rate"] != [1, 1]
                        or c.get("groups", 1) != 1
                        or c["activation"] not in ("linear", "relu")
                        or (c["padding"] == "valid" and kh != 1)):
                    raise ValueError("%s: unsupported Conv2D" % name)
                k = torch.from_numpy(weights[name + "/kernel"].copy())
                wt = torch.nn.Parameter(k.permute(3, 2, 0, 1).contiguous(),
                                        requires_grad=False)
                self.register_parameter(name + "_w", wt)
                bias = None
                if c["use_bias"]:
                    bias = torch.nn.Parameter(
                        torch.from_numpy(weights[name + "/bias"].copy()),
                        requires_grad=False)
                    self.register_parameter(name + "_b", bias)
                self.steps.append((name, "conv", ins,
                                   (wt, bias, kh // 2, c["activation"] == "relu")))
            elif cls == "Activation" and c["activation"] == "relu":
                self.steps.append((name, "relu", ins, None))
            elif cls == "Concatenate" and c["axis"] in (3, -1):
                self.steps.append((name, "concat", ins, None))
            elif cls == "Add":
                self.steps.append((name, "add", ins, None))
            elif (cls == "UpSampling2D" and c["interpolation"] == "nearest"
                  and c["size"][0] == c["size"][1]):
                self.scale *= c["size"][0]
                self.steps.append((name, "upsample", ins, c["size"][0]))
            else:
                raise ValueError("%s: unsupported layer %s" % (name, cls))
        # free each tensor after its last reader, so the peak memory stays
        # near what the graph needs rather than the sum of all layers
        last = {}
        for name, _, ins, _ in self.steps:
            for i in ins:
                last[i] = name
        self.drop = {name: [i for i, n in last.items() if n == name
                            and i not in self.outputs]
                     for name, _, _, _ in self.steps}

    def forward(self, x):
        """x: N x 3 x H x W in [0,1]; returns N x 3 x sH x sW in [0,1]."""
        env = {self.inputs[0]: x * 255.0}
        for name, kind, ins, p in self.steps:
            a = [env[i] for i in ins]
            if kind == "conv":
                wt, bias, pad, relu = p
                y = F.conv2d(a[0], wt, bias, padding=pad)
                env[name] = torch.relu_(y) if relu else y
            elif kind == "relu":
                env[name] = torch.relu(a[0])
            elif kind == "concat":
                env[name] = torch.cat(a, 1)
            elif kind == "add":
                y = a[0]
                for t in a[1:]:
                    y = y + t
                env[name] = y
            else:
                env[name] = F.interpolate(a[0], scale_factor=p, mode="nearest")
            for i in self.drop[name]:
                del env[i]
        return torch.clamp(env[self.outputs[0]] / 255.0, 0.0, 1.0)
