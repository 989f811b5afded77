# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch replay of the Real-ESRGAN family (realesrgan, hggt) from the
parameters srdegrade recorded (docs/dataset.md), written from upstream's
published code, not from our C code: BasicSR degradations.py kernels,
img_process_util.py filter2D, the real torch.nn.functional.interpolate
(CPU), diffjpeg.py DiffJPEG, the pipelines of realesrgan_model.py and HGGT
PosNegGTSR ours_model.py (feed_data). Noise steps only clip to [0, 1] (a
replay needs noise=false, where the noise field is zero and upstream's
clip=True remains).

replay(hr, params) takes the HR as float32 RGB HxWx3 in [0, 1] and returns
the LR as float32 HxWx3 before the final clamp(round(x * 255)).
"""
import math
import re

import numpy as np
import scipy.special
import torch
import torch.nn.functional as F

# Upstream zero-pads every kernel to this size before filter2D
# (realesrgan_dataset.py; HGGT onestagedegradation_df2k_dataset.py).
KERNEL_PAD = {"realesrgan": 21, "hggt": 9}

# ITU-T T.81 Annex K tables, natural (row-major, row = vertical frequency)
# order.
LUMA = np.array([
    [16, 11, 10, 16, 24, 40, 51, 61],
    [12, 12, 14, 19, 26, 58, 60, 55],
    [14, 13, 16, 24, 40, 57, 69, 56],
    [14, 17, 22, 29, 51, 87, 80, 62],
    [18, 22, 37, 56, 68, 109, 103, 77],
    [24, 35, 55, 64, 81, 104, 113, 92],
    [49, 64, 78, 87, 103, 121, 120, 101],
    [72, 92, 95, 98, 112, 100, 103, 99]], np.float32)
CHROMA = np.full((8, 8), 99, np.float32)
CHROMA[:4, :4] = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99],
                  [47, 66, 99, 99]]


# ---- kernels (degradations.py) ----------------------------------------------

def _grid(k):
    ax = np.arange(k, dtype=np.float64) - (k - 1) / 2.0
    xx, yy = np.meshgrid(ax, ax)        # x = column offset, y = row offset
    return xx, yy


def _quad(k, sx, sy, theta):
    """q = p^T S^-1 p with S = U diag(sx^2, sy^2) U^T."""
    c, s = math.cos(theta), math.sin(theta)
    u = np.array([[c, -s], [s, c]])
    cov = u @ np.diag([sx * sx, sy * sy]) @ u.T
    inv = np.linalg.inv(cov)
    x, y = _grid(k)
    return inv[0, 0] * x * x + (inv[0, 1] + inv[1, 0]) * x * y + inv[1, 1] * y * y


def _sinc(k, omega):
    x, y = _grid(k)
    r = np.hypot(x, y)
    with np.errstate(invalid="ignore", divide="ignore"):
        ker = omega * scipy.special.j1(omega * r) / (2 * np.pi * r)
    ker[r == 0] = omega * omega / (4 * np.pi)
    return ker


def kernel_from_params(op, pad_to):
    """The float32 pad_to x pad_to kernel of a recorded `blur` op."""
    kind, k = op["kernel"], int(op["size"])
    if kind == "sinc":
        ker = _sinc(k, op["omega"])
    elif kind == "pulse":
        ker = np.zeros((k, k))
        ker[k // 2, k // 2] = 1
    else:
        sx, sy, theta = op["sigma-x"], op["sigma-y"], op["theta"]
        if kind.endswith("-iso") or kind == "iso":
            sy, theta = sx, 0.0         # iso: S = diag(sx^2, sx^2)
        q = _quad(k, sx, sy, theta)
        if kind in ("iso", "aniso"):
            ker = np.exp(-0.5 * q)
        elif kind.startswith("generalized"):
            ker = np.exp(-0.5 * q ** op["beta"])
        elif kind.startswith("plateau"):
            ker = 1.0 / (q ** op["beta"] + 1.0)
        else:
            raise ValueError("unknown kernel " + kind)
    ker = ker / ker.sum()
    assert k <= pad_to and k % 2 == 1
    p = (pad_to - k) // 2
    return np.pad(ker, p).astype(np.float32)


# ---- filter2D (img_process_util.py) -----------------------------------------

def filter2d(x, kernel):
    """x: 1x3xHxW float32; reflect-101 padding of k//2, correlation."""
    k = kernel.shape[-1]
    xp = F.pad(x, (k // 2,) * 4, mode="reflect")
    w = torch.from_numpy(kernel)[None, None].repeat(x.shape[1], 1, 1, 1)
    return F.conv2d(xp, w, groups=x.shape[1])


# ---- resize (F.interpolate) -------------------------------------------------

def resize(x, op):
    mode = op["mode"]
    kw = {} if mode == "area" else {"align_corners": False}
    if "factor" in op:                  # stage 1: the scale_factor path
        y = F.interpolate(x, scale_factor=float(op["factor"]), mode=mode, **kw)
    else:
        w, h = op["out-size"]
        y = F.interpolate(x, size=(h, w), mode=mode, **kw)
    assert [y.shape[3], y.shape[2]] == list(op["out-size"]), (y.shape, op)
    return y


# ---- DiffJPEG (diffjpeg.py) -------------------------------------------------

def _dct_matrix():
    c = np.zeros((8, 8))
    for u in range(8):
        for x in range(8):
            c[u, x] = math.cos((2 * x + 1) * u * math.pi / 16)
    a = np.array([1 / math.sqrt(2)] + [1.0] * 7)
    return torch.from_numpy(c.astype(np.float32)), torch.from_numpy(
        (0.25 * np.outer(a, a)).astype(np.float32))


def _to_blocks(p):
    h, w = p.shape
    return p.reshape(h // 8, 8, w // 8, 8).permute(0, 2, 1, 3)


def _from_blocks(b):
    nh, nw = b.shape[:2]
    return b.permute(0, 2, 1, 3).reshape(nh * 8, nw * 8)


def _jpeg_plane(p, table, factor):
    c, scale = _dct_matrix()
    blocks = _to_blocks(p - 128)
    # F[u][v] = 0.25 a(u) a(v) sum_xy f[x][y] C[u][x] C[v][y] (u vertical).
    coef = scale * torch.einsum("ux,bcxy,vy->bcuv", c, blocks, c)
    t = table * factor
    coef = torch.round(coef / t) * t
    rec = torch.einsum("ux,bcuv,vy->bcxy", c, scale * coef, c) + 128
    return _from_blocks(rec)


def diffjpeg(x, quality, variant):
    """x: 1x3xHxW float32 (clamped here); quality: float, used as float32."""
    x = torch.clamp(x, 0, 1)
    q = torch.tensor(quality, dtype=torch.float32)
    factor = (5000.0 / q if q < 50 else 200.0 - q * 2) / 100.0
    if variant == "diffjpeg-basicsr":
        ytab = torch.from_numpy(LUMA.T.copy())     # y[u][v] = Tlum[v][u]
    elif variant == "diffjpeg":
        ytab = torch.from_numpy(LUMA)
    else:
        raise ValueError("no reference for jpeg variant " + variant)
    ctab = torch.from_numpy(CHROMA)
    h, w = x.shape[2:]
    hp, wp = (16 - h % 16) % 16, (16 - w % 16) % 16
    x = F.pad(x, (0, wp, 0, hp), mode="constant", value=0) * 255
    r, g, b = x[0]
    y = 0.299 * r + 0.587 * g + 0.114 * b
    cb = -0.168736 * r - 0.331264 * g + 0.5 * b + 128
    cr = 0.5 * r - 0.418688 * g - 0.081312 * b + 128
    cb = F.avg_pool2d(cb[None, None], 2)[0, 0]
    cr = F.avg_pool2d(cr[None, None], 2)[0, 0]
    y = _jpeg_plane(y, ytab, factor)
    cb = _jpeg_plane(cb, ctab, factor)
    cr = _jpeg_plane(cr, ctab, factor)
    cb = cb.repeat_interleave(2, 0).repeat_interleave(2, 1) - 128
    cr = cr.repeat_interleave(2, 0).repeat_interleave(2, 1) - 128
    rgb = torch.stack([y + 1.402 * cr, y - 0.344136 * cb - 0.714136 * cr,
                       y + 1.772 * cb])
    rgb = torch.clamp(rgb, 0, 255) / 255
    return rgb[None, :, :h, :w]


# ---- the pipeline (feed_data) -----------------------------------------------

# The steps upstream applies, as "op:stage" words: Real-ESRGAN's feed_data
# (realesrgan_model.py) compresses once in stage 1 and once at the end,
# before or after the final resize + sinc; HGGT's (ours_model.py) stage has
# one JPEG and a final resize. A gated blur is recorded as skip-blur.
_B = r"(blur|skip-blur)"
STRUCTURE = {
    "realesrgan": re.compile(
        r"blur:1 resize:1 noise:1 jpeg:1 %s:2 resize:2 noise:2 "
        r"(resize:final %s:final jpeg:final|jpeg:final resize:final %s:final)" % (_B, _B, _B)),
    "hggt": re.compile(r"blur:1 resize:1 noise:1 jpeg:1 resize:final"),
}


def steps(params):
    """The recorded ops as "op:stage" words (skips as skip-<step>)."""
    out = []
    for o in params["ops"]:
        name = "skip-" + o["step"] if o["op"] == "skip" else o["op"]
        out.append("%s:%s" % (name, o["stage"]))
    return " ".join(out)


def check_structure(params):
    """Raises AssertionError unless the recorded steps are upstream's."""
    seq = steps(params)
    assert STRUCTURE[params["preset"]].fullmatch(seq), \
        "%s steps differ from upstream's: %s" % (params["preset"], seq)

def replay_tensor(x, params, stop_after=None):
    """Applies params["ops"] in order to x (1x3xHxW float32). stop_after: run
    only that many ops (for locating a disagreeing step)."""
    pad = KERNEL_PAD[params["preset"]]
    check_structure(params)
    for i, op in enumerate(params["ops"]):
        if stop_after is not None and i >= stop_after:
            break
        name = op["op"]
        if name == "blur":
            x = filter2d(x, kernel_from_params(op, pad))
        elif name == "resize":
            assert op["semantics"] == "torch", op
            assert list(op["in-size"]) == [x.shape[3], x.shape[2]], (op, x.shape)
            x = resize(x, op)
        elif name == "noise":
            if op.get("applied", True):
                raise ValueError("noise was applied: replay needs noise=false")
            x = torch.clamp(x, 0, 1)    # a zero noise field, then the noise's clip
        elif name == "jpeg":
            x = diffjpeg(x, op["quality"], op["variant"])
        elif name == "skip":
            pass                        # a gated step not applied (pulse = identity)
        else:
            raise ValueError("unknown op " + name)
    return x


def replay(hr, params, stop_after=None):
    x = torch.from_numpy(np.ascontiguousarray(hr, np.float32).transpose(2, 0, 1))[None]
    with torch.no_grad():
        y = replay_tensor(x, params, stop_after)
    return y[0].numpy().transpose(1, 2, 0)


def quantise(x):
    """clamp(round(x * 255), 0, 255), round half to even (torch.round)."""
    return np.clip(np.round(x.astype(np.float32) * np.float32(255)), 0, 255).astype(np.uint8)
