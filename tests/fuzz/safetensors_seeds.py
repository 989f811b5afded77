# SPDX-License-Identifier: LGPL-2.1-or-later
"""Seeds of the safetensors fuzz target (make_seeds.py writes them): small
SRVGGNetCompact and RRDBNet state_dicts with tiny shapes, written from the
format's definition (8-byte little-endian header length, JSON header, the
tensors' bytes tiling the data section), and damaged copies of them."""
import json
import struct


def pack(values, dtype):
    if dtype == "F32":
        return b"".join(struct.pack("<f", v) for v in values)
    if dtype == "F16":
        return b"".join(struct.pack("<e", v) for v in values)
    if dtype == "BF16":
        return b"".join(struct.pack("<f", v)[2:] for v in values)
    raise ValueError(dtype)


def file(tensors, dtype="F32", metadata=None, prefix=""):
    """tensors: [(name, shape)], written in this order with deterministic
    values; returns the .safetensors bytes."""
    header = {}
    if metadata is not None:
        header["__metadata__"] = metadata
    data = b""
    seed = 1
    for name, shape in tensors:
        count = 1
        for d in shape:
            count *= d
        values = []
        for _ in range(count):
            seed = (seed * 1103515245 + 12345) % 2**31
            values.append((seed % 257) / 257.0 - 0.5)
        raw = pack(values, dtype)
        header[prefix + name] = {"dtype": dtype, "shape": list(shape),
                                 "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, separators=(",", ":")).encode()
    return struct.pack("<Q", len(text)) + text + data


def srvgg(nf=4, num_conv=1, scale=2, prelu=True):
    """SRVGGNetCompact: body.0 conv 3->F, (PReLU), num_conv x (conv F->F,
    PReLU), last conv F->3*scale^2; PReLU at the odd indices."""
    t = []
    k = 0
    cin = 3
    for _ in range(num_conv + 1):
        t += [("body.%d.weight" % k, (nf, cin, 3, 3)), ("body.%d.bias" % k, (nf,))]
        if prelu:
            t.append(("body.%d.weight" % (k + 1), (nf,)))
        k += 2
        cin = nf
    out = 3 * scale * scale
    t += [("body.%d.weight" % k, (out, nf, 3, 3)), ("body.%d.bias" % k, (out,))]
    return t


def rrdbnet(nf=4, ng=2, blocks=1, cin=3):
    """RRDBNet: conv_first, blocks x RRDB (three dense blocks of five convs),
    conv_body, conv_up1, conv_up2, conv_hr, conv_last."""
    def conv(name, cout, c):
        return [(name + ".weight", (cout, c, 3, 3)), (name + ".bias", (cout,))]
    t = conv("conv_first", nf, cin)
    for b in range(blocks):
        for r in range(1, 4):
            for c in range(1, 6):
                t += conv("body.%d.rdb%d.conv%d" % (b, r, c), ng if c < 5 else nf,
                          nf + (c - 1) * ng)
    for name in ("conv_body", "conv_up1", "conv_up2", "conv_hr"):
        t += conv(name, nf, nf)
    t += conv("conv_last", 3, nf)
    return t


def vqvae(two_level=True, c=8, rc=4, d=4, k=8, nrb=1):
    """A VQ-VAE-2 (or single-level VQ-VAE) state_dict of tiny widths, names
    and shapes as spec/models.md 5.2 / 5.3 lay them out."""
    t = []

    def conv(stem, cout, cin, ks):
        t.extend([(stem + ".weight", (cout, cin, ks, ks)), (stem + ".bias", (cout,))])

    def convt(stem, cin, cout):
        t.extend([(stem + ".weight", (cin, cout, 4, 4)), (stem + ".bias", (cout,))])

    def res(stem):
        conv(stem + ".conv.1", rc, c, 3)
        conv(stem + ".conv.3", c, rc, 1)

    def encoder(stem, cin, stride):
        conv(stem + ".blocks.0", c // 2, cin, 4)
        i = 2
        if stride == 4:
            conv(stem + ".blocks.2", c, c // 2, 4)
            i = 4
        conv("%s.blocks.%d" % (stem, i), c, c // 2 if stride == 2 else c, 3)
        for r in range(nrb):
            res("%s.blocks.%d" % (stem, i + 1 + r))

    def decoder(stem, cin, cout, stride):
        conv(stem + ".blocks.0", c, cin, 3)
        for r in range(nrb):
            res("%s.blocks.%d" % (stem, 1 + r))
        i = 2 + nrb
        if stride == 4:
            convt("%s.blocks.%d" % (stem, i), c, c // 2)
            convt("%s.blocks.%d" % (stem, i + 2), c // 2, cout)
        else:
            convt("%s.blocks.%d" % (stem, i), c, cout)

    def quantise(stem):
        t.extend([(stem + ".embed", (d, k)), (stem + ".cluster_size", (k,)),
                  (stem + ".embed_avg", (d, k))])

    if not two_level:
        encoder("enc", 3, 4)
        conv("quantize_conv", d, c, 1)
        quantise("quantize")
        decoder("dec", d, 3, 4)
        return t
    encoder("enc_b", 3, 4)
    encoder("enc_t", c, 2)
    conv("quantize_conv_t", d, c, 1)
    quantise("quantize_t")
    decoder("dec_t", d, d, 2)
    conv("quantize_conv_b", d, d + c, 1)
    quantise("quantize_b")
    convt("upsample_t", d, d)
    decoder("dec", 2 * d, 3, 4)
    return t


def replace_header(blob, old, new):
    """A copy whose header has old replaced by new, the length fixed up."""
    n = struct.unpack("<Q", blob[:8])[0]
    text = blob[8:8 + n]
    assert old in text, old
    text = text.replace(old, new, 1)
    return struct.pack("<Q", len(text)) + text + blob[8 + n:]


def seeds():
    s = {}
    s["valid-srvgg-x2"] = file(srvgg())
    s["valid-srvgg-x4-bf16-ema"] = file(srvgg(nf=2, num_conv=2, scale=4), "BF16",
                                        prefix="params_ema.")
    s["valid-srvgg-x1-relu"] = file(srvgg(scale=1, prelu=False), "F16",
                                    metadata={"gst-sr.config": '{"act_type":"relu"}',
                                              "gst-sr.input-range": "0,1"})
    s["valid-srvgg-leakyrelu"] = file(srvgg(nf=2, prelu=False), "F16",
                                      metadata={"gst-sr.config": '{"act_type":"leakyrelu"}'})
    s["valid-rrdbnet-x4"] = file(rrdbnet(), "F16")
    s["valid-rrdbnet-x2"] = file(rrdbnet(nf=2, ng=1, cin=12), "BF16", prefix="params.")
    s["valid-rrdbnet-x1-noblock"] = file(rrdbnet(nf=2, blocks=0, cin=48), "F16")

    base = s["valid-srvgg-x2"]
    n = struct.unpack("<Q", base[:8])[0]
    s["bad-empty"] = b""
    s["bad-short"] = base[:5]
    s["bad-header-past-end"] = struct.pack("<Q", len(base)) + base[8:]
    s["bad-header-huge"] = struct.pack("<Q", 2**63) + base[8:]
    s["bad-truncated-data"] = base[:-3]
    s["bad-trailing-byte"] = base + b"\0"
    s["bad-not-json"] = replace_header(base, b'{"body.0.weight"', b'["body.0.weight"')
    s["bad-not-utf8"] = replace_header(base, b'"body.0.bias"', b'"body.0.\xff\xfe"')
    s["bad-empty-header"] = struct.pack("<Q", 0)
    s["bad-no-tensors"] = file([])
    s["bad-unknown-dtype"] = replace_header(base, b'"dtype":"F32"', b'"dtype":"F31"')
    s["bad-int-dtype"] = replace_header(
        file([("body.0.weight", (4, 3, 3, 3))] + srvgg()[1:], "F32"),
        b'"dtype":"F32","shape":[4,3,3,3]', b'"dtype":"I32","shape":[4,3,3,3]')
    s["bad-shape-vs-bytes"] = replace_header(base, b'"shape":[4]', b'"shape":[5]')
    s["bad-negative-shape"] = replace_header(base, b'"shape":[4]', b'"shape":[-4]')
    s["bad-float-shape"] = replace_header(base, b'"shape":[4]', b'"shape":[4.0]')
    s["bad-huge-shape"] = replace_header(base, b'"shape":[4,3,3,3]',
                                         b'"shape":[4294967296,4294967296,3,3]')
    s["bad-offsets-type"] = replace_header(base, b'"data_offsets":[0,', b'"data_offsets":["0",')
    s["bad-overlap"] = replace_header(base, b'"data_offsets":[432,448]',
                                   b'"data_offsets":[428,444]')
    s["bad-duplicate"] = replace_header(base, b'"body.0.bias"', b'"body.0.weight"')
    s["bad-metadata-type"] = file(srvgg(), metadata={"x": 1})
    s["bad-input-range"] = file(srvgg(), metadata={"gst-sr.input-range": "0,255"})
    s["bad-no-act"] = file(srvgg(prelu=False))
    s["bad-srvgg-cout"] = file(srvgg()[:-2] + [("body.4.weight", (10, 4, 3, 3)),
                                                ("body.4.bias", (10,))])
    s["bad-srvgg-wrong-cin"] = file([("body.0.weight", (4, 4, 3, 3))] + srvgg()[1:])
    s["bad-extra-tensor"] = file(srvgg() + [("extra", (2,))])
    s["bad-missing-bias"] = file([t for t in srvgg() if t[0] != "body.2.bias"])
    s["bad-rrdb-cin"] = file(rrdbnet(nf=2, blocks=0, cin=5))
    s["bad-rrdb-missing-conv5"] = file([t for t in rrdbnet(nf=2, ng=1)
                                        if not t[0].startswith("body.0.rdb2.conv5")], "F16")
    s["bad-rrdb-growth"] = file(rrdbnet(nf=2, ng=1)[:2] + [
        t if t[0] != "body.0.rdb1.conv2.weight" else (t[0], (1, 2, 3, 3))
        for t in rrdbnet(nf=2, ng=1)[2:]], "F16")
    # VQ-VAEs (sr_vqvae_load; not Real-ESRGAN, so neither valid- nor bad-
    # for the smoke test's check, which is the Real-ESRGAN builder's).
    s["vqvae2-tiny"] = file(vqvae())
    s["vqvae-tiny-f16"] = file(vqvae(False, nrb=2), "F16",
                               metadata={"gst-sr.input-range": "-1,1"})
    s["vqvae2-missing-embed"] = file([x for x in vqvae() if x[0] != "quantize_b.embed"])
    # LPIPS's names (sr_lpips_load): its shapes are fixed and large, so the
    # seeds carry its keys with tiny shapes (refused) and a scaling layer.
    s["bad-lpips-shapes"] = file([("net.slice1.0.weight", (2, 3, 1, 1)),
                                  ("net.slice1.0.bias", (2,)),
                                  ("lin0.model.1.weight", (1, 2, 1, 1)),
                                  ("scaling_layer.shift", (1, 3, 1, 1)),
                                  ("scaling_layer.scale", (1, 3, 1, 1))])
    s["bad-lpips-torchvision"] = file([("features.0.weight", (2, 3, 1, 1)),
                                       ("features.0.bias", (2,))], "F16")
    return s
