#!/usr/bin/python3
"""Self-test of models/train (CPU, a few seconds):
parameter counts, state-dict keys/shapes vs spec models.md 5.2/5.3, quantizer EMA and
straight-through, safetensors round trip (bit exact), exact resume of train.py.
Exit status non-zero on failure.  Prints 'N passed, N failed'."""
import contextlib
import io
import json
import os
import struct
import sys
import tempfile
import traceback

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import vqvae  # noqa: E402
import safetensors_io  # noqa: E402
import train  # noqa: E402


def conv(prefix, shape, bias_n=None):
    return {prefix + ".weight": shape, prefix + ".bias": [shape[0] if bias_n is None else bias_n]}


def convT(prefix, shape):  # ConvTranspose weight [in, out, kh, kw], bias [out]
    return {prefix + ".weight": shape, prefix + ".bias": [shape[1]]}


def res(prefix):
    d = conv(prefix + ".conv.1", [32, 128, 3, 3])
    d.update(conv(prefix + ".conv.3", [128, 32, 1, 1]))
    return d


def quant(prefix):
    return {prefix + ".embed": [64, 512], prefix + ".cluster_size": [512],
            prefix + ".embed_avg": [64, 512]}


def expected_vqvae2():
    e = {}
    e.update(conv("enc_b.blocks.0", [64, 3, 4, 4]))
    e.update(conv("enc_b.blocks.2", [128, 64, 4, 4]))
    e.update(conv("enc_b.blocks.4", [128, 128, 3, 3]))
    e.update(res("enc_b.blocks.5")); e.update(res("enc_b.blocks.6"))
    e.update(conv("enc_t.blocks.0", [64, 128, 4, 4]))
    e.update(conv("enc_t.blocks.2", [128, 64, 3, 3]))
    e.update(res("enc_t.blocks.3")); e.update(res("enc_t.blocks.4"))
    e.update(conv("quantize_conv_t", [64, 128, 1, 1]))
    e.update(quant("quantize_t"))
    e.update(conv("dec_t.blocks.0", [128, 64, 3, 3]))
    e.update(res("dec_t.blocks.1")); e.update(res("dec_t.blocks.2"))
    e.update(convT("dec_t.blocks.4", [128, 64, 4, 4]))
    e.update(conv("quantize_conv_b", [64, 192, 1, 1]))
    e.update(quant("quantize_b"))
    e.update(convT("upsample_t", [64, 64, 4, 4]))
    e.update(conv("dec.blocks.0", [128, 128, 3, 3]))
    e.update(res("dec.blocks.1")); e.update(res("dec.blocks.2"))
    e.update(convT("dec.blocks.4", [128, 64, 4, 4]))
    e.update(convT("dec.blocks.6", [64, 3, 4, 4]))
    return e


def expected_vqvae():
    e = {}
    e.update(conv("enc.blocks.0", [64, 3, 4, 4]))
    e.update(conv("enc.blocks.2", [128, 64, 4, 4]))
    e.update(conv("enc.blocks.4", [128, 128, 3, 3]))
    e.update(res("enc.blocks.5")); e.update(res("enc.blocks.6"))
    e.update(conv("quantize_conv", [64, 128, 1, 1]))
    e.update(quant("quantize"))
    e.update(conv("dec.blocks.0", [128, 64, 3, 3]))
    e.update(res("dec.blocks.1")); e.update(res("dec.blocks.2"))
    e.update(convT("dec.blocks.4", [128, 64, 4, 4]))
    e.update(convT("dec.blocks.6", [64, 3, 4, 4]))
    return e


def test_param_counts():
    m2, m1 = vqvae.VQVAE2(), vqvae.VQVAE()
    assert vqvae.count_params(m2) == 1388867, vqvae.count_params(m2)
    assert vqvae.count_buffer_values(m2) == 132096, vqvae.count_buffer_values(m2)
    assert vqvae.count_params(m1) == 662723, vqvae.count_params(m1)


def check_keys(model, exp):
    sd = model.state_dict()
    got = {k: list(v.shape) for k, v in sd.items()}
    missing = sorted(set(exp) - set(got))
    extra = sorted(set(got) - set(exp))
    assert not missing and not extra, f"missing {missing} extra {extra}"
    bad = [(k, got[k], exp[k]) for k in exp if got[k] != exp[k]]
    assert not bad, f"shape mismatch {bad}"
    total = sum(int(np.prod(s)) for s in exp.values())
    assert total == vqvae.count_params(model) + vqvae.count_buffer_values(model)


def test_keys_vqvae2():
    check_keys(vqvae.VQVAE2(), expected_vqvae2())


def test_keys_vqvae():
    check_keys(vqvae.VQVAE(), expected_vqvae())


def test_shapes_and_codes():
    torch.manual_seed(0)
    m = vqvae.VQVAE2().eval()
    x = torch.rand(2, 3, 24, 40) * 2 - 1
    with torch.no_grad():
        y, d = m(x)
    assert y.shape == x.shape and d.dim() == 0
    c = m.code_indices(x)
    assert c["top"].shape == (2, 3, 5) and c["bottom"].shape == (2, 6, 10)
    m1 = vqvae.VQVAE().eval()
    x = torch.rand(1, 3, 12, 20) * 2 - 1
    with torch.no_grad():
        y, _ = m1(x)
    assert y.shape == x.shape and m1.code_indices(x)["bottom"].shape == (1, 3, 5)


def test_quantizer_ema_and_straight_through():
    torch.manual_seed(0)
    q = vqvae.Quantize(4, 6, decay=0.9, eps=1e-5)
    z = torch.randn(2, 3, 5, 4, requires_grad=True)
    e0 = q.embed.clone()
    # reference nearest-code search
    flat = z.detach().reshape(-1, 4)
    ref_ind = torch.cdist(flat, e0.t()).argmin(1)
    # eval: no buffer change
    q.eval()
    out, diff, ind = q(z)
    assert torch.equal(q.embed, e0) and torch.equal(ind.reshape(-1), ref_ind)
    assert torch.allclose(out, e0.t()[ref_ind].reshape(z.shape))
    assert torch.allclose(diff, ((e0.t()[ref_ind].reshape(z.shape) - z) ** 2).mean())
    out.sum().backward()
    assert torch.allclose(z.grad, torch.ones_like(z)), "straight-through gradient"
    # training: EMA update per the spec formulas
    q.train()
    cs0, ea0 = q.cluster_size.clone(), q.embed_avg.clone()
    out, diff, ind = q(z)
    assert torch.allclose(out, e0.t()[ref_ind].reshape(z.shape)), "uses pre-update codebook"
    onehot = torch.nn.functional.one_hot(ref_ind, 6).float()
    cs = 0.9 * cs0 + 0.1 * onehot.sum(0)
    ea = 0.9 * ea0 + 0.1 * flat.t() @ onehot
    n = cs.sum()
    sm = (cs + 1e-5) / (n + 6 * 1e-5) * n
    assert torch.allclose(q.cluster_size, cs) and torch.allclose(q.embed_avg, ea)
    assert torch.allclose(q.embed, ea / sm[None], atol=1e-6)


def test_onednn_paths():
    """use_onednn's formulations against the spec's plain layers, in float64 (so only the
    rounding of sums can differ): transposed convolutions (output, input, weight and bias
    gradients) to 1e-12, and the quantizer's codes equal, its EMA buffers to 1e-12."""
    torch.manual_seed(0)
    for cin, cout, h, w in ((6, 5, 7, 9), (4, 3, 1, 1), (8, 8, 5, 4)):
        plain = torch.nn.ConvTranspose2d(cin, cout, 4, stride=2, padding=1).double()
        fast = vqvae.PhaseConvTranspose2d(cin, cout, 4, stride=2, padding=1).double()
        fast.load_state_dict(plain.state_dict())
        x = torch.randn(2, cin, h, w, dtype=torch.float64, requires_grad=True)
        ya, yb = plain(x), fast(x)
        assert ya.shape == yb.shape == (2, cout, 2 * h, 2 * w)
        assert (ya - yb).abs().max() < 1e-12, "phase transposed convolution"
        g = torch.randn_like(ya)
        ga = torch.autograd.grad(ya, (x, plain.weight, plain.bias), g)
        gb = torch.autograd.grad(yb, (x, fast.weight, fast.bias), g)
        for u, v, name in zip(ga, gb, ("input", "weight", "bias")):
            assert (u - v).abs().max() < 1e-12, f"phase transposed convolution: {name} gradient"
    qa, qb = vqvae.Quantize(8, 16).double(), vqvae.Quantize(8, 16).double()
    qb.load_state_dict(qa.state_dict())
    qb.fast = True
    z = torch.randn(3, 5, 7, 8, dtype=torch.float64)
    for _ in range(3):                       # training mode: the EMA moves the codebook
        _, _, ia = qa(z)
        _, _, ib = qb(z)
        assert torch.equal(ia, ib), "fast quantizer codes"
        for name, ba in qa.named_buffers():
            assert (ba - dict(qb.named_buffers())[name]).abs().max() < 1e-12, name
    m = vqvae.use_onednn(vqvae.VQVAE2())
    kinds = {type(x).__name__ for x in m.modules()}
    assert "PhaseConvTranspose2d" in kinds and "ConvTranspose2d" not in kinds
    assert all(q.fast for q in (m.quantize_t, m.quantize_b))
    assert set(m.state_dict()) == set(vqvae.VQVAE2().state_dict())


def test_safetensors_roundtrip():
    torch.manual_seed(0)
    sd = vqvae.VQVAE2().state_dict()
    sd = {k: v.clone() for k, v in sd.items()}
    w = sd["dec.blocks.6.bias"]
    w[0], w[1], w[2] = float("nan"), float("-inf"), -0.0
    meta = {"format": "pt", "gst-sr.arch": "vqvae2", "gst-sr.epochs": "8",
            "gst-sr.config": json.dumps({"channel": 128})}
    with tempfile.TemporaryDirectory() as d:
        p = os.path.join(d, "m.safetensors")
        safetensors_io.save_file(sd, p, meta)
        raw = open(p, "rb").read()
        (n,) = struct.unpack("<Q", raw[:8])
        assert n % 8 == 0 and raw[8:9] == b"{"
        hdr = json.loads(raw[8:8 + n])
        assert hdr["quantize_t.embed"]["dtype"] == "F32"
        assert hdr["quantize_t.embed"]["shape"] == [64, 512]
        assert len(raw) == 8 + n + 4 * sum(v.numel() for v in sd.values())
        back, m2 = safetensors_io.load_file(p)
    assert m2 == meta
    assert list(back) == list(sd)
    for k in sd:
        a, b = sd[k].contiguous(), back[k]
        assert a.dtype == b.dtype and a.shape == b.shape, k
        assert torch.equal(a.view(torch.int32), b.view(torch.int32)), k


def _tiny_corpus(d):
    import cv2
    rng = np.random.default_rng(0)
    os.makedirs(os.path.join(d, "train"))
    os.makedirs(os.path.join(d, "heldout"))
    for i in range(6):
        base = rng.integers(0, 256, (8, 8, 3)).astype(np.uint8)
        im = cv2.resize(base, (32, 32), interpolation=cv2.INTER_CUBIC)
        cv2.imwrite(os.path.join(d, "train", f"t{i}.png"), im)
    for i in range(2):
        base = rng.integers(0, 256, (4, 6, 3)).astype(np.uint8)
        cv2.imwrite(os.path.join(d, "heldout", f"h{i}.png"),
                    cv2.resize(base, (24, 16), interpolation=cv2.INTER_CUBIC))


def test_resume_exact():
    cfg = json.dumps({"channel": 16, "n_res_block": 1, "n_res_channel": 8, "embed_dim": 8,
                      "n_embed": 16})
    with tempfile.TemporaryDirectory() as d:
        data = os.path.join(d, "data")
        _tiny_corpus(data)
        common = ["--arch", "vqvae2", "--data", data, "--crop", "16", "--batch", "3",
                  "--epoch-samples", "12", "--save-epochs", "1,2", "--threads", "1",
                  "--loss-every", "3", "--log-every", "2", "--config", cfg, "--seed", "7"]
        a, b = os.path.join(d, "a"), os.path.join(d, "b")
        with contextlib.redirect_stdout(io.StringIO()):
            ma, sa = train.main(common + ["--out", a])
            train.main(common + ["--out", b, "--stop-after-steps", "5"])
            assert os.path.exists(os.path.join(b, "resume.pt"))
            mb, sb = train.main(common + ["--out", b])
        assert sa["step"] == sb["step"] == 8
        sda, sdb = ma.state_dict(), mb.state_dict()
        for k in sda:
            assert torch.equal(sda[k], sdb[k]), f"resume not exact: {k}"
        assert sa["loss_curve"] == sb["loss_curve"]
        for ep in (1, 2):
            ta, meta = safetensors_io.load_file(os.path.join(a, f"vqvae2-ep{ep}.safetensors"))
            tb, _ = safetensors_io.load_file(os.path.join(b, f"vqvae2-ep{ep}.safetensors"))
            assert meta["gst-sr.epochs"] == str(ep) and meta["gst-sr.arch"] == "vqvae2"
            for k in ta:
                assert torch.equal(ta[k], tb[k]), k
        card = json.load(open(os.path.join(b, "vqvae2-ep2.json")))
        assert card["steps"] == 8 and card["samples_seen"] == 24 and card["eval"]["images"]
        assert card["sessions"] == 2 and card["loss_curve"] == sa["loss_curve"]
        assert set(ta) == set(ma.state_dict())
        assert os.path.getsize(os.path.join(b, "log.txt")) > 0


TESTS = [test_param_counts, test_keys_vqvae2, test_keys_vqvae, test_shapes_and_codes,
         test_quantizer_ema_and_straight_through, test_onednn_paths, test_safetensors_roundtrip,
         test_resume_exact]


def main():
    torch.set_num_threads(1)
    passed = failed = 0
    for t in TESTS:
        try:
            t()
            print(f"ok   {t.__name__}")
            passed += 1
        except Exception:
            print(f"FAIL {t.__name__}")
            traceback.print_exc()
            failed += 1
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
