# SPDX-License-Identifier: LGPL-2.1-or-later
"""The resample op with PyTorch and OpenCV tap tables vs the real libraries.

Runs tests/kernels/sr_resample_tool (path in argv[1]) on random [0, 1)
float32 planar images and compares with torch.nn.functional.interpolate
(area / bilinear / bicubic, align_corners=False, scale_factor and size
paths, CPU), cv2.resize on float32 (NEAREST / LINEAR / CUBIC / AREA) and
Pillow's Image.LANCZOS (Lanczos-3) on "F" (float32) images, per channel.
Tolerance: max |diff| <= 1e-5 (float32 coefficient and accumulation order
differences; measured ~1e-7 .. 2e-6). Output shapes must match exactly.
"""
import os
import subprocess
import sys
import tempfile

import cv2
import numpy as np
import torch
import torch.nn.functional as F

TOL = 1e-5
TOOL = sys.argv[1]
TMP = tempfile.mkdtemp(prefix='sr-resize-')


def ours(sem, mode, img, oh=0, ow=0, factor=0.0):
    c, h, w = img.shape
    src, dst = os.path.join(TMP, 'in.f32'), os.path.join(TMP, 'out.f32')
    np.ascontiguousarray(img, np.float32).tofile(src)
    res = subprocess.run([TOOL, sem, mode, str(c), str(h), str(w), str(oh),
                          str(ow), repr(float(factor)), src, dst],
                         capture_output=True, text=True)
    if res.returncode == 77:  # the tool found no OpenCL device: SKIP
        print('SKIP:', res.stderr.strip())
        sys.exit(77)
    if res.returncode != 0:
        raise RuntimeError(f'{TOOL} failed: {res.stderr}')
    oh, ow = map(int, res.stdout.split())
    return np.fromfile(dst, np.float32).reshape(c, oh, ow)


def torch_ref(mode, img, size=None, factor=None):
    kw = {} if mode == 'area' else {'align_corners': False}
    x = torch.from_numpy(img)[None]
    if size is not None:
        return F.interpolate(x, size=size, mode=mode, **kw).numpy()[0]
    return F.interpolate(x, scale_factor=factor, mode=mode, **kw).numpy()[0]


CV_MODES = {'nearest': cv2.INTER_NEAREST, 'bilinear': cv2.INTER_LINEAR,
            'bicubic': cv2.INTER_CUBIC, 'area': cv2.INTER_AREA}


def cv_ref(mode, img, oh, ow):
    return np.stack([cv2.resize(p, (ow, oh), interpolation=CV_MODES[mode])
                     for p in img])


failures = []
worst = {}


def compare(label, key, ref, got):
    if ref.shape != got.shape:
        failures.append(f'{label}: shape {got.shape} != {ref.shape}')
        print(f'FAIL {label}: shape {got.shape} != {ref.shape}')
        return
    err = float(np.abs(ref.astype(np.float64) - got).max())
    worst[key] = max(worst.get(key, 0.0), err)
    ok = err <= TOL
    if not ok:
        failures.append(f'{label}: max |diff| {err:.3g}')
    print(f'{"ok  " if ok else "FAIL"} {label}: max |diff| = {err:.3g}')


def main():
    rng = np.random.default_rng(20240601)
    images = [rng.random((3, 400, 300), dtype=np.float32),
              rng.random((2, 599, 211), dtype=np.float32),
              rng.random((2, 30, 45), dtype=np.float32)]
    factors = [0.15, 0.3333, 0.5, 0.73, 1.0, 1.2, 1.5, 2.0, 3.7]
    for mode in ('area', 'bilinear', 'bicubic'):
        for img in images:
            _, h, w = img.shape
            for s in factors:
                if int(h * s) < 1 or int(w * s) < 1:
                    continue
                compare(f'torch {mode} {h}x{w} scale_factor={s}',
                        f'torch {mode}', torch_ref(mode, img, factor=s),
                        ours('torch', mode, img, factor=s))
        for img, size in [(images[0], (133, 100)), (images[0], (400, 300)),
                          (images[0], (600, 450)), (images[1], (30, 70)),
                          (images[1], (150, 53)), (images[2], (100, 100)),
                          (images[2], (100, 17))]:
            _, h, w = img.shape
            compare(f'torch {mode} {h}x{w} size={size}', f'torch {mode}',
                    torch_ref(mode, img, size=size),
                    ours('torch', mode, img, *size))
    cv_sizes = [(0, 133, 100), (0, 200, 150), (0, 100, 75), (0, 292, 219),
                (0, 548, 411), (0, 800, 600), (0, 400, 300), (1, 30, 70),
                (1, 200, 57), (1, 820, 289), (2, 100, 61), (2, 41, 150),
                (0, 1000, 123), (1, 100, 400)]
    for mode in CV_MODES:
        for i, oh, ow in cv_sizes:
            img = images[i]
            _, h, w = img.shape
            compare(f'opencv {mode} {h}x{w} -> {oh}x{ow}', f'opencv {mode}',
                    cv_ref(mode, img, oh, ow),
                    ours('opencv', mode, img, oh, ow))

    try:
        from PIL import Image
    except ImportError:
        Image = None
        failures.append('Pillow (python3-pil) missing: pil lanczos untested')
    if Image is not None:
        # Enlarging and shrinking (Pillow widens the kernel by in/out).
        for i, oh, ow in [(2, 60, 90), (2, 111, 32), (2, 90, 135), (0, 133, 100),
                          (1, 200, 57), (0, 1000, 123)]:
            img = images[i]
            _, h, w = img.shape
            ref = np.stack([np.asarray(Image.fromarray(p, mode='F').resize(
                (ow, oh), Image.LANCZOS)) for p in img])
            compare(f'pil lanczos {h}x{w} -> {oh}x{ow}', 'pil lanczos', ref,
                    ours('pil', 'lanczos', img, oh, ow))

    print('worst per mode:')
    for key in sorted(worst):
        print(f'  {key}: {worst[key]:.3g}')
    if failures:
        print(f'{len(failures)} failures:', *failures, sep='\n  ')
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
