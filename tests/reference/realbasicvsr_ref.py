# SPDX-License-Identifier: LGPL-2.1-or-later
"""NumPy/OpenCV replay of the `realbasicvsr` preset: RealBasicVSR's video
degradations as mmagic's train pipeline applies them (spec part B 5), one
frame at a time from the record srdegrade writes for it (the `params` of
one manifest line, docs/degradations.md "realbasicvsr: clips"). Written
from the spec, not from gst-sr's code nor by copying mmagic's.

    replay_frame(hr, params) -> lr

hr: the element's HR frame (after the mod-crop), H x W x 3 uint8 RGB.
lr: the LR frame, uint8 RGB. Only a record made with noise=false and video
compression off is replayable (noise and codec steps with applied=false);
a step that was applied raises, since per-pixel noise and an encoder's
output cannot be rebuilt from parameters.

Arithmetic (B 5.2-5.4): values in 0..255; the frame starts as float32 and
every step keeps OpenCV's (or NumPy's) dtype rules, as upstream's frames
do: a JPEG decode returns uint8, and a blur or resize of a uint8 frame
returns uint8 (OpenCV rounds and saturates); a codec returns float32
(PyAV's decoded frames, astype(float32)); a noise step returns float32
(frame + float32 noise field). Nothing is clipped before the end (B 9 #11):
then clip to [0, 255] and round half to even (mmagic's `Clip`, then gst-sr's
single 8-bit rounding, spec 0.1).

Checked during development against mmagic itself (commit 0a560bb, run
outside the repository, never copied in): kernel_for equals mmagic's
random_mixed_kernels bit for bit on 3,000 draws (7 types, the recorded
beta), and replay_frame equals mmagic's own RandomBlur / RandomResize /
RandomJPEGCompression / DegradationsWithShuffle on 300 clips of 6 frames
(all 8 step sequences, per-frame walks), with noise and codec stubbed off as
below: 0 of 20.7 M values differ. test_realbasicvsr_ref.py is the
standalone self-test.
"""
import re

import cv2
import numpy as np
import scipy.special

# ---- kernels (B 5.4; mmagic blur_kernels.py) --------------------------------
#
# Grid: row i, column j of a K x K kernel is the offset p = (x, y) =
# (j - K//2, i - K//2), x the column offset. Gaussian family: q = p^T S^-1 p,
# S the covariance (sx, sy standard deviations, sx's axis along (cos t,
# sin t) in (x, y)). mmagic builds S in float32 and NumPy's inv of a float32
# matrix returns float32; q itself is float64 (float64 grid).


def _grid(k):
    assert k % 2 == 1, "kernel sizes are odd"
    ax = np.arange(k, dtype=np.float64) - k // 2
    return np.meshgrid(ax, ax)          # x: column offset, y: row offset


def sigma_matrix(sx, sy=None, theta=None):
    """S as float32: iso diag(sx^2, sx^2); otherwise R diag(sx^2, sy^2) R^T
    with R = [[cos t, -sin t], [sin t, cos t]], both factors rounded to
    float32 before the float32 products."""
    if sy is None:
        return np.array([[sx ** 2, 0], [0, sx ** 2]]).astype(np.float32)
    d = np.array([[sx ** 2, 0], [0, sy ** 2]]).astype(np.float32)
    c, s = np.cos(theta), np.sin(theta)
    r = np.array([[c, -s], [s, c]]).astype(np.float32)
    return np.matmul(r, np.matmul(d, r.T))


def quad_form(k, s):
    """q = p^T S^-1 p on the K x K grid (float64; S^-1 rounded to float32)."""
    inv = np.linalg.inv(s).astype(np.float32).astype(np.float64)
    x, y = _grid(k)
    return (x * inv[0, 0] + y * inv[1, 0]) * x + (x * inv[0, 1] + y * inv[1, 1]) * y


def _normalised(ker):
    # B 5.4 "normalised to sum 1"; like BasicSR (A 5.4) mmagic divides twice,
    # in the bivariate_* generator and in its random_* wrapper.
    ker = ker / np.sum(ker)
    return ker / np.sum(ker)


def iso_kernel(k, sx):
    return _normalised(np.exp(-0.5 * quad_form(k, sigma_matrix(sx))))


def aniso_kernel(k, sx, sy, theta):
    return _normalised(np.exp(-0.5 * quad_form(k, sigma_matrix(sx, sy, theta))))


def generalized_iso_kernel(k, sx, beta):
    return _normalised(np.exp(-0.5 * quad_form(k, sigma_matrix(sx)) ** beta))


def generalized_aniso_kernel(k, sx, sy, theta, beta):
    return _normalised(np.exp(-0.5 * quad_form(k, sigma_matrix(sx, sy, theta)) ** beta))


def plateau_iso_kernel(k, sx, beta):
    return _normalised(1.0 / (quad_form(k, sigma_matrix(sx)) ** beta + 1.0))


def plateau_aniso_kernel(k, sx, sy, theta, beta):
    return _normalised(1.0 / (quad_form(k, sigma_matrix(sx, sy, theta)) ** beta + 1.0))


def sinc_kernel(k, omega):
    """Circular low-pass (B 5.4, A 5.5): omega J1(omega r) / (2 pi r), centre
    omega^2 / (4 pi) (the limit), normalised once; float64, no padding (mmagic's
    RandomBlur uses K x K)."""
    x, y = _grid(k)
    r = np.sqrt(x * x + y * y)
    with np.errstate(divide="ignore", invalid="ignore"):
        ker = omega * scipy.special.j1(omega * r) / (2 * np.pi * r)
    ker[k // 2, k // 2] = omega ** 2 / (4 * np.pi)
    return ker / np.sum(ker)


def kernel_for(op):
    """The float64 K x K kernel of a recorded `blur` op. `beta` is the value
    the frame used (mmagic's per-frame redraw between the walked beta and 1,
    B 5.4 quirk), so it is used as recorded."""
    kind, k = op["kernel"], int(op["size"])
    if kind == "sinc":
        return sinc_kernel(k, op["omega"])
    sx = op["sigma-x"]
    if kind == "iso":
        return iso_kernel(k, sx)
    if kind == "generalized-iso":
        return generalized_iso_kernel(k, sx, op["beta"])
    if kind == "plateau-iso":
        return plateau_iso_kernel(k, sx, op["beta"])
    sy, theta = op["sigma-y"], op["theta"]
    if kind == "aniso":
        return aniso_kernel(k, sx, sy, theta)
    if kind == "generalized-aniso":
        return generalized_aniso_kernel(k, sx, sy, theta, op["beta"])
    if kind == "plateau-aniso":
        return plateau_aniso_kernel(k, sx, sy, theta, op["beta"])
    raise ValueError("not a realbasicvsr kernel: " + kind)


# ---- steps ------------------------------------------------------------------

INTERP = {"bilinear": cv2.INTER_LINEAR, "area": cv2.INTER_AREA, "bicubic": cv2.INTER_CUBIC}


def size_of(img):
    """[w, h], the order of the record's sizes."""
    return [img.shape[1], img.shape[0]]


def even_size(n, factor):
    """RandomResize's target for one side (B 5.4): 2 * floor(n * s / 2), int."""
    return int(2 * ((n * factor) // 2))


def to_u8(img):
    """What OpenCV does to a float frame handed to an 8-bit function
    (imencode's convertTo, B 6.6): round half to even, saturate."""
    if img.dtype == np.uint8:
        return img
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def blur(img, op):
    """cv2.filter2D(img, -1, kernel): correlation, centre anchor,
    BORDER_REFLECT_101 (OpenCV's default), output dtype = input dtype (B 5.4)."""
    return cv2.filter2D(img, -1, kernel_for(op), borderType=cv2.BORDER_REFLECT_101)


def resize(img, op, hr_wh, scale, first_frame):
    """cv2.resize to the recorded out-size on the frame's dtype (B 5.4, 6)."""
    assert op["semantics"] == "opencv", op
    assert size_of(img) == list(op["in-size"]), \
        "resize %s in-size %s but the frame is %s: steps out of order?" % (
            op["stage"], op["in-size"], size_of(img))
    w, h = op["out-size"]
    if op["direction"] == "final":
        # The final group's fixed target (mmagic: 64 x 64 = 256 / 4): HR / scale.
        assert [w, h] == [hr_wh[0] // scale, hr_wh[1] // scale], (op, hr_wh, scale)
    elif op["stage"] == 1 or first_frame:
        # Sizes come from the clip's first frame (B 5.4); stage 1 always sees
        # the HR size, stage 2 only on the clip's first frame its own input.
        iw, ih = op["in-size"]
        assert [w, h] == [even_size(iw, op["factor"]), even_size(ih, op["factor"])], op
    assert (w % 2 == 0 and h % 2 == 0) or op["direction"] == "final", op
    return cv2.resize(img, (w, h), interpolation=INTERP[op["mode"]])


def jpeg(img, op):
    """cv2.imencode('.jpg', q) + cv2.imdecode(buf, 1) (B 5.4, 7.3-7.4): a
    float frame is converted as OpenCV converts it (to_u8); the result is
    uint8. channel-order bgr: the RGB frame is handed to OpenCV as it is
    (mmagic's bgr2rgb=False), so libjpeg takes R for B (B 9 #7)."""
    assert op["variant"] == "libjpeg", op
    q = op["quality"]
    assert q == int(q), "libjpeg qualities are integers: %r" % op
    u8 = to_u8(img)
    swap = {"bgr": False, "rgb": True}[op["channel-order"]]
    if swap:
        u8 = cv2.cvtColor(u8, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", u8, [int(cv2.IMWRITE_JPEG_QUALITY), int(q)])
    assert ok
    out = cv2.imdecode(buf, cv2.IMREAD_COLOR)
    return cv2.cvtColor(out, cv2.COLOR_BGR2RGB) if swap else out


def noise(img, op):
    """Not replayable when applied; with noise=false mmagic's frame + noise
    is frame + a zero float32 field: values unchanged, float32 (B 5.4)."""
    if op.get("applied", True):
        raise ValueError("noise was applied: replay needs srdegrade noise=false (%r)" % op)
    return img.astype(np.float32)


def codec(img, op):
    """Not replayable when applied. Off, it is an identity codec: PyAV takes
    frame.astype(uint8) and returns float32 frames (B 5.4), so the values pass
    unchanged and the dtype becomes float32. In the shipped orders the codec
    always follows a JPEG decode or 8-bit steps (B 9 #11); a float input
    would mean an ordering error (and wrap in astype)."""
    if op.get("applied", True):
        raise ValueError("codec was applied: not replayable (%r)" % op)
    assert img.dtype == np.uint8, "codec input is %s: steps out of order?" % img.dtype
    return img.astype(np.float32)


# ---- the pipeline (B 5.3) ---------------------------------------------------

# Stage 1, the video compression, stage 2, then the shuffled final group
# (codec first, or resize + sinc first). Blur 2 and the final sinc are gated
# (prob 0.8): a gate that fails is recorded as a skip. The codec records no
# stage (0.3), so it is written "codec".
_B = r"(blur|skip-blur)"
STRUCTURE = re.compile(
    r"blur:1 resize:1 noise:1 jpeg:1 codec %s:2 resize:2 noise:2 jpeg:2 "
    r"(codec resize:final %s:final|resize:final %s:final codec)" % (_B, _B, _B))


def steps(params):
    """The recorded ops as words "op:stage" (skips as skip-<step>, the codec
    as "codec")."""
    out = []
    for o in params["ops"]:
        if o["op"] == "codec":
            out.append("codec")
        else:
            name = "skip-" + o["step"] if o["op"] == "skip" else o["op"]
            out.append("%s:%s" % (name, o["stage"]))
    return " ".join(out)


def check_structure(params):
    assert params["preset"] == "realbasicvsr", params["preset"]
    seq = steps(params)
    assert STRUCTURE.fullmatch(seq), "steps differ from mmagic's pipeline: " + seq


def replay_frame(hr_u8_rgb, params, trace=None, structure=True):
    """Rebuilds one LR frame (uint8 RGB) from its HR and its record.
    trace: a list that receives (step word, dtype name, [w, h]) after every
    step. structure=False skips the check that the ops follow B 5.3's order
    (for experiments on single steps)."""
    if structure:
        check_structure(params)
    hr = np.asarray(hr_u8_rgb)
    assert hr.dtype == np.uint8 and hr.ndim == 3 and hr.shape[2] == 3, hr.shape
    if "crop" in params:
        assert list(params["crop"][2:]) == size_of(hr), (params["crop"], hr.shape)
    scale, hr_wh = int(params["scale"]), size_of(hr)
    first = int(params.get("clip-frame", -1)) == 0
    x = hr.astype(np.float32)           # B 5.2: the degradations run on float 0..255
    for op in params["ops"]:
        name = op["op"]
        if name == "blur":
            x = blur(x, op)
        elif name == "resize":
            x = resize(x, op, hr_wh, scale, first)
        elif name == "noise":
            x = noise(x, op)
        elif name == "jpeg":
            x = jpeg(x, op)
        elif name == "codec":
            x = codec(x, op)
        elif name == "skip":
            pass                        # a gated step that was not applied
        else:
            raise ValueError("unknown op " + name)
        if trace is not None:
            trace.append((name if name != "skip" else "skip-" + op["step"],
                          x.dtype.name, size_of(x)))
    # mmagic's Clip (float, [0, 255]), then the one 8-bit rounding (0.1).
    return np.round(np.clip(x.astype(np.float32), 0, 255)).astype(np.uint8)
