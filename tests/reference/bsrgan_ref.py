# SPDX-License-Identifier: LGPL-2.1-or-later
"""NumPy/OpenCV replay of the bsrgan and bsrgan-plus presets, written from
upstream's published code (KAIR utils/utils_blindsr.py), not from gst-sr's
code: it applies the RECORDED steps of one pair (manifest
`params.ops`, in order) to the HR image.

- blur: KAIR's fspecial_gaussian / anisotropic_Gaussian / shifted kernel
  computed in float64, applied as scipy.ndimage.convolve(mode='mirror'):
  true convolution (kernel flipped) with REFLECT_101 borders, done here with
  cv2.filter2D (correlation) on the flipped kernel, in float64.
- resize: cv2.resize on float32 (interp 1/2/3) then np.clip, except the
  BSRGAN+ final resize; the op-2 decimation img[0::sf, 0::sf]; MATLAB
  imresize_np(1/2) via imresize_ref.
- jpeg: libjpeg through cv2.imencode/imdecode with the integer quality,
  exactly KAIR's add_JPEG_noise (uint8 round half to even, BGR swap pair);
  DiffJPEG variants through replay_ref.diffjpeg.
- noise / skip steps: the replay is only defined with srdegrade noise=false,
  so noise steps must say applied=false and are identities. A correlated
  noise step (type correlated, or speckle with correlated=true) records its
  covariance; noise_covariance() rebuilds the matrix KAIR passes to
  np.random.multivariate_normal.
"""
import math

import cv2
import numpy as np

import imresize_ref

EPS = np.finfo(np.float64).eps


def fspecial_gaussian(hsize, sigma):
    """KAIR fspecial_gaussian; sigma < 1e-6 -> identity (gst-sr's guard)."""
    if sigma < 1e-6:
        k = np.zeros((hsize, hsize))
        k[hsize // 2, hsize // 2] = 1
        return k
    r = (hsize - 1) / 2.0
    x = np.arange(-r, r + 1)
    xx, yy = np.meshgrid(x, x)          # xx: column offset, yy: row offset
    h = np.exp(-(xx ** 2 + yy ** 2) / (2.0 * sigma ** 2))
    h[h < EPS * h.max()] = 0
    s = h.sum()
    return h / s if s != 0 else h


def anisotropic_gaussian(ksize, theta, l1, l2):
    """KAIR anisotropic_Gaussian: l1, l2 variances along (cos, sin) theta in
    (x, y)."""
    if l1 < 1e-6 or l2 < 1e-6:
        k = np.zeros((ksize, ksize))
        k[ksize // 2, ksize // 2] = 1
        return k
    c, s = math.cos(theta), math.sin(theta)
    v = np.array([[c, s], [s, -c]])
    sigma = v @ np.diag([l1, l2]) @ np.linalg.inv(v)
    inv = np.linalg.inv(sigma)
    off = np.arange(ksize) - (ksize - 1) / 2.0
    cx, cy = np.meshgrid(off, off)      # cx: column offset (first coordinate)
    q = inv[0, 0] * cx * cx + 2 * inv[0, 1] * cx * cy + inv[1, 1] * cy * cy
    k = np.exp(-0.5 * q)
    return k / k.sum()


def shift_pixel_kernel(k, sf):
    """KAIR shift_pixel: k'[y][x] = bilinear(k, x + s, y + s), s = (sf-1)/2,
    positions clamped to the last row/column; renormalised."""
    n = k.shape[0]
    s = (sf - 1) / 2.0
    pos = np.clip(np.arange(n) + s, 0, n - 1)
    i0 = np.floor(pos).astype(int)
    i1 = np.minimum(i0 + 1, n - 1)
    f = pos - i0
    rows = k[i0, :] * (1 - f)[:, None] + k[i1, :] * f[:, None]
    out = rows[:, i0] * (1 - f)[None, :] + rows[:, i1] * f[None, :]
    return out / out.sum()


def convolve_mirror(img, k):
    """scipy.ndimage.convolve(img, k[:, :, None], mode='mirror') per channel:
    out[i][j] = sum k[m][n] in[i + c - m][j + c - n]; float64 inside."""
    flipped = np.ascontiguousarray(k[::-1, ::-1])
    out = cv2.filter2D(img.astype(np.float64), cv2.CV_64F, flipped,
                       borderType=cv2.BORDER_REFLECT_101)
    return out.astype(np.float32)


def kernel_of(op):
    kind = op["kernel"]
    if kind == "bsrgan-iso":
        return fspecial_gaussian(op["size"], op["sigma-x"])
    if kind == "bsrgan-aniso":
        return anisotropic_gaussian(op["size"], op["theta"], op["l1"], op["l2"])
    if kind == "bsrgan-shifted":
        sf = int(round(2 * op["shift"] + 1))
        return shift_pixel_kernel(fspecial_gaussian(op["size"], op["sigma-x"]), sf)
    raise ValueError("not a BSRGAN kernel: " + kind)


CV2_INTERP = {"bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC,
              "area": cv2.INTER_AREA}


def resize(img, op):
    w, h = op["out-size"]
    assert list(op["in-size"]) == [img.shape[1], img.shape[0]], (op, img.shape)
    if op["semantics"] == "matlab":
        out = imresize_ref.imresize(img, op["factor"], True).astype(np.float32)
        assert out.shape[:2] == (h, w)
    elif op.get("decimate"):
        st = op["step"]
        out = img[0::st, 0::st]
        assert out.shape[:2] == (h, w)
    else:
        assert op["interp"] == CV2_INTERP[op["mode"]], op
        out = cv2.resize(img, (w, h), interpolation=op["interp"])
    if op.get("slot") == 99 and op["semantics"] == "opencv" and not op.get("decimate"):
        return out                      # BSRGAN+'s final resize: no clip
    return np.clip(out, 0, 1).astype(np.float32)


def jpeg_libjpeg(img, quality):
    """KAIR add_JPEG_noise: single2uint (np.round), RGB->BGR, imencode,
    imdecode, /255, BGR->RGB."""
    u8 = np.uint8(np.round(np.clip(img, 0, 1) * 255.0))
    ok, buf = cv2.imencode(".jpg", cv2.cvtColor(u8, cv2.COLOR_RGB2BGR),
                           [int(cv2.IMWRITE_JPEG_QUALITY), int(quality)])
    assert ok
    dec = cv2.imdecode(buf, 1)
    return cv2.cvtColor(np.float32(dec / 255.0), cv2.COLOR_BGR2RGB)


def jpeg(img, op):
    if op["variant"] == "libjpeg":
        return jpeg_libjpeg(img, op["quality"])
    import torch
    import replay_ref
    x = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0, 1)))[None]
    with torch.no_grad():
        y = replay_ref.diffjpeg(x, float(op["quality"]), op["variant"])
    return y[0].numpy().transpose(1, 2, 0).astype(np.float32)


def replay(hr, params):
    """hr: HxWx3 float32 RGB in [0,1]; returns the float32 LR before the
    final 8-bit rounding."""
    x = np.ascontiguousarray(hr, np.float32)
    for op in params["ops"]:
        name = op["op"]
        if name == "blur":
            x = convolve_mirror(x, kernel_of(op))
        elif name == "resize":
            x = resize(x, op)
        elif name == "jpeg":
            x = jpeg(x, op)
        elif name == "noise":
            assert op["applied"] is False, "replay needs noise=false: %r" % op
        elif name == "skip":
            pass
        else:
            raise ValueError("unexpected step " + name)
    return x


COV_KEYS = {"cov-rr": (0, 0), "cov-gg": (1, 1), "cov-bb": (2, 2),
            "cov-rg": (0, 1), "cov-rb": (0, 2), "cov-gb": (1, 2)}


def noise_covariance(op):
    """The 3x3 covariance of a correlated noise step in [0, 1] units (the
    record holds 0..255 units squared, like sigma): KAIR's
    np.abs(L**2 * U.T @ D @ U); the noise is
    np.random.multivariate_normal([0, 0, 0], cov, (H, W)), added (times the
    image for speckle) and clipped."""
    cov = np.zeros((3, 3))
    for key, (i, j) in COV_KEYS.items():
        cov[i, j] = cov[j, i] = op[key] / 255.0 ** 2
    return cov


def quantise(x):
    """round(x * 255) half to even, clamped (the one final rounding)."""
    return np.clip(np.round(x.astype(np.float32) * np.float32(255)), 0, 255).astype(np.uint8)
