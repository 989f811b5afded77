# SPDX-License-Identifier: LGPL-2.1-or-later
"""The network ops of kernels/nn/ vs real PyTorch.

Runs tests/kernels/nn/sr_nn_tool (path in argv[1]) on random float32
[C, H, W] arrays with odd sizes and compares with
  F.pixel_shuffle / F.pixel_unshuffle (the CRD order);
  TensorFlow's depth_to_space on NHWC (the DCR order), written as the
    reshape / transpose of its documentation in PyTorch (TensorFlow is not
    installed);
  F.interpolate nearest and bilinear (align_corners=False, scale_factor);
  F.max_pool2d, the mean over H and W, LPIPS's normalize_tensor, and
  F.pad reflect / constant.
Data movement must be exact; arithmetic within 2e-6 (float32 rounding
and operation order; values in [-1, 1)). Bilinear within 1e-5: PyTorch
computes the source coordinate (d + 0.5) / s - 0.5 in float32, so its
weights are off by up to ~ulp of the coordinate (1.9e-6 below 32) times
|a - b| <= 2, where ours are exact. Output shapes must match.
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

TOL = 2e-6
TOL_BILINEAR = 1e-5
TOOL = sys.argv[1]
TMP = tempfile.mkdtemp(prefix='sr-nn-')


def ours(op, img, *args):
    c, h, w = img.shape
    src, dst = os.path.join(TMP, 'in.f32'), os.path.join(TMP, 'out.f32')
    np.ascontiguousarray(img, np.float32).tofile(src)
    res = subprocess.run([TOOL, op, str(c), str(h), str(w), src, dst]
                         + [repr(a) for a in args],
                         capture_output=True, text=True)
    if res.returncode == 77:  # the tool found no OpenCL device: SKIP
        print('SKIP:', res.stderr.strip())
        sys.exit(77)
    if res.returncode != 0:
        raise RuntimeError(f'{TOOL} {op} failed: {res.stderr}')
    shape = tuple(map(int, res.stdout.split()))
    return np.fromfile(dst, np.float32).reshape(shape)


def depth_to_space_nhwc(x, r):
    """tf.nn.depth_to_space as documented, on [C, H, W] data held NHWC."""
    c, h, w = x.shape
    t = x.permute(1, 2, 0)                         # H, W, D
    t = t.reshape(h, w, r, r, c // (r * r))        # H, W, r, r, C
    t = t.permute(0, 2, 1, 3, 4)                   # H, r, W, r, C
    return t.reshape(h * r, w * r, c // (r * r)).permute(2, 0, 1)


failures = []


def compare(label, ref, got, tol):
    ref = ref.numpy() if isinstance(ref, torch.Tensor) else ref
    if ref.shape != got.shape:
        failures.append(f'{label}: shape {got.shape} != {ref.shape}')
        print(f'FAIL {label}: shape {got.shape} != {ref.shape}')
        return
    err = float(np.abs(ref.astype(np.float64) - got).max())
    ok = err <= tol
    if not ok:
        failures.append(f'{label}: max |diff| {err:.3g}')
    print(f'{"ok  " if ok else "FAIL"} {label}: max |diff| = {err:.3g}'
          f' (tolerance {tol:g})')


def main():
    rng = np.random.default_rng(20261202)

    def rand(c, h, w):
        return rng.uniform(-1, 1, (c, h, w)).astype(np.float32)

    for r in (2, 3, 4, 8):
        img = rand(3 * r * r, 5, 7)
        x = torch.from_numpy(img)
        compare(f'shuffle CRD r={r}', F.pixel_shuffle(x[None], r)[0],
                ours('shuffle-crd', img, r), 0)
        compare(f'shuffle DCR r={r}', depth_to_space_nhwc(x, r),
                ours('shuffle-dcr', img, r), 0)
        big = rand(3, 5 * r, 7 * r)
        compare(f'unshuffle r={r}',
                F.pixel_unshuffle(torch.from_numpy(big)[None], r)[0],
                ours('unshuffle', big, r), 0)

    for s in (2, 3, 4, 8):
        for shape in ((3, 17, 23), (2, 1, 9), (1, 6, 1)):
            img = rand(*shape)
            x = torch.from_numpy(img)[None]
            for mode in ('nearest', 'bilinear'):
                kw = {} if mode == 'nearest' else {'align_corners': False}
                ref = F.interpolate(x, scale_factor=s, mode=mode, **kw)[0]
                compare(f'upsample {mode} x{s} {shape}', ref,
                        ours('upsample-' + mode, img, s),
                        0 if mode == 'nearest' else TOL_BILINEAR)

    for shape, k, s in (((3, 27, 27), 3, 2), ((2, 8, 10), 3, 2),
                        ((2, 9, 7), 2, 2), ((1, 5, 6), 3, 1)):
        img = rand(*shape)
        compare(f'max pool k{k} s{s} {shape}',
                F.max_pool2d(torch.from_numpy(img)[None], k, s)[0],
                ours('maxpool', img, k, s), 0)

    for shape in ((3, 13, 17), (2, 64, 201)):
        img = rand(*shape)
        compare(f'global average {shape}',
                torch.from_numpy(img).mean(dim=(1, 2), keepdim=True),
                ours('avgpool', img), TOL)

    for shape in ((3, 5, 7), (64, 9, 11)):
        img = rand(*shape)
        x = torch.from_numpy(img)[None]
        norm = torch.sqrt(torch.sum(x ** 2, dim=1, keepdim=True))
        compare(f'L2 normalise {shape}', (x / (norm + 1e-10))[0],
                ours('l2norm', img, 1e-10), TOL)

    for shape, pads in (((3, 5, 7), (1, 1, 1, 1)), ((2, 9, 4), (8, 0, 3, 2)),
                        ((1, 6, 11), (2, 5, 10, 0))):
        img = rand(*shape)
        top, bottom, left, right = pads
        x = torch.from_numpy(img)[None]
        for mode in ('reflect', 'constant'):
            ref = F.pad(x, (left, right, top, bottom), mode=mode)[0]
            op = 'pad-reflect' if mode == 'reflect' else 'pad-zero'
            compare(f'pad {mode} {pads} {shape}', ref, ours(op, img, *pads), 0)

    if failures:
        print(f'{len(failures)} failure(s):\n  ' + '\n  '.join(failures))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
