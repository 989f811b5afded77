# SPDX-License-Identifier: LGPL-2.1-or-later
"""NumPy float64 reference of MATLAB-style bicubic imresize and of gst-sr's
`bicubic` preset, written from MATLAB's imresize as BasicSR's
matlab_functions.py ports it (Keys kernel, ceil sizes, weights, symmetric
padding, rows then columns). Float64 throughout: BasicSR computes in
float32, MATLAB in double, so +-1 on a small fraction of uint8 pixels is
expected.
"""
import math

import numpy as np


def cubic(x, a=-0.5):
    """Keys cubic (MATLAB imresize.m cubic; BasicSR matlab_functions.py); a = -0.5 is MATLAB's kernel. `a` is a
    parameter only so that tests can show which kernel another library
    uses."""
    ax = np.abs(x)
    ax2 = ax * ax
    ax3 = ax2 * ax
    near = (a + 2.0) * ax3 - (a + 3.0) * ax2 + 1.0
    far = a * ax3 - 5.0 * a * ax2 + 8.0 * a * ax - 4.0 * a
    return np.where(ax <= 1.0, near, np.where(ax <= 2.0, far, 0.0))


def weights_indices(in_length, out_length, scale, antialiasing=True, a=-0.5):
    """One axis (BasicSR matlab_functions.py, calculate_weights_indices). Returns (weights [out, taps], indices
    [out, taps], 0-based into the unpadded axis, possibly outside it)."""
    kernel_width = 4.0
    aa = scale < 1 and antialiasing
    if aa:
        kernel_width = kernel_width / scale
    x = np.arange(1, out_length + 1, dtype=np.float64)
    u = x / scale + 0.5 * (1.0 - 1.0 / scale)
    left = np.floor(u - kernel_width / 2.0)
    p = int(math.ceil(kernel_width)) + 2
    idx = left[:, None] + np.arange(p, dtype=np.float64)[None, :]
    dist = u[:, None] - idx
    if aa:
        w = scale * cubic(dist * scale, a)
    else:
        w = cubic(dist, a)
    w = w / w.sum(axis=1, keepdims=True)
    # Trim the first / last tap column if any row has an exact zero there
    # (as calculate_weights_indices does); at our scales both always go.
    zeros = (w == 0).sum(axis=0)
    if zeros[0] != 0:
        w, idx = w[:, 1:], idx[:, 1:]
    if zeros[-1] != 0:
        w, idx = w[:, :-1], idx[:, :-1]
    return w, idx.astype(np.int64) - 1      # 1-based -> 0-based


def symmetric_pad(arr, axis, before, after):
    """Half-sample symmetric extension (MATLAB imresize's symmetric padding): the first / last
    `before` / `after` samples, reversed (d c b a | a b c d | d c b a)."""
    n = arr.shape[axis]
    assert before <= n and after <= n, "symmetric padding longer than the axis"
    head = np.flip(np.take(arr, np.arange(before), axis=axis), axis=axis)
    tail = np.flip(np.take(arr, np.arange(n - after, n), axis=axis), axis=axis)
    return np.concatenate([head, arr, tail], axis=axis)


def resize_axis(img, axis, out_length, scale, antialiasing=True, a=-0.5):
    n = img.shape[axis]
    w, idx = weights_indices(n, out_length, scale, antialiasing, a)
    before = max(0, -int(idx.min()))
    after = max(0, int(idx.max()) - (n - 1))
    padded = symmetric_pad(img, axis, before, after)
    idx = idx + before
    moved = np.moveaxis(padded, axis, 0)           # [len, ...]
    gathered = moved[idx]                           # [out, taps, ...]
    shape = w.shape + (1,) * (gathered.ndim - 2)
    out = (gathered * w.reshape(shape)).sum(axis=1)
    return np.moveaxis(out, 0, axis)


def imresize(img, scale, antialiasing=True, out_size=None, a=-0.5):
    """img: HxW or HxWxC float array. Returns float64, not clamped or
    rounded. Output size ceil(in * scale) (MATLAB's rule) unless out_size =
    (h, w) is given. Rows (height) first, then columns (BasicSR's imresize order)."""
    img = np.asarray(img, dtype=np.float64)
    h, w = img.shape[:2]
    if out_size is None:
        out_size = (int(math.ceil(h * scale)), int(math.ceil(w * scale)))
    out = resize_axis(img, 0, out_size[0], scale, antialiasing, a)
    return resize_axis(out, 1, out_size[1], scale, antialiasing, a)


def round_half_away(x):
    return np.sign(x) * np.floor(np.abs(x) + 0.5)


def bicubic_preset_float(hr_uint8, scale):
    """Preset up to (not including) the final rounding: mod-crop top-left,
    v/255, imresize(1/s). Returns float64 in 0..1 (unclamped)."""
    s = int(scale)
    h, w = hr_uint8.shape[:2]
    ch, cw = h // s * s, w // s * s
    crop = hr_uint8[:ch, :cw].astype(np.float64) / 255.0
    # The mod-crop makes ceil(in / s) exact; assert it rather than trust it.
    out_size = (ch // s, cw // s)
    assert out_size == (int(math.ceil(ch * (1.0 / s))),
                        int(math.ceil(cw * (1.0 / s))))
    return imresize(crop, 1.0 / s, True, out_size)


def bicubic_preset(hr_uint8, scale):
    """gst-sr `bicubic` preset: uint8 HR -> uint8 LR, rounded
    half away from zero after clamping to [0, 1]."""
    f = bicubic_preset_float(hr_uint8, scale)
    return round_half_away(np.clip(f, 0.0, 1.0) * 255.0).astype(np.uint8)


if __name__ == "__main__":
    # Worked weights (x2 / x4 down), computed by hand, as a quick self-check.
    w2, i2 = weights_indices(16, 8, 0.5)
    exp2 = [-0.01171875, -0.03515625, 0.11328125, 0.43359375,
            0.43359375, 0.11328125, -0.03515625, -0.01171875]
    assert np.allclose(w2[0], exp2, atol=1e-12), w2[0]
    assert list(i2[0] + 1) == list(range(-2, 6)), i2[0]
    w4, i4 = weights_indices(32, 8, 0.25)
    exp4 = [-0.00170898, -0.01098633, -0.01831055, -0.01196289, 0.02270508,
            0.09741211, 0.18188477, 0.24096680]
    assert np.allclose(w4[0][:8], exp4, atol=1e-8), w4[0]
    assert np.allclose(w4[0][8:], exp4[::-1], atol=1e-8)
    assert list(i4[0] + 1) == list(range(-5, 11))
    print("imresize_ref: worked weights of MATLAB imresize reproduced")
