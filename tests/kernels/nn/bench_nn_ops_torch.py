# SPDX-License-Identifier: LGPL-2.1-or-later
"""PyTorch CPU (2 threads) on the shapes and ops of bench_nn_ops.c: best
of 7 rounds of 5 runs after 3 warm-up runs, in ms.
Run: /usr/bin/python3 tests/kernels/nn/bench_nn_ops_torch.py"""
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(2)
C, H, W = 64, 270, 480
a, b = torch.rand(1, C, H, W), torch.rand(1, C, H, W)
s48, big3 = torch.rand(1, 48, H, W), torch.rand(1, 3, 4 * H, 4 * W)
scale, slope = torch.rand(1, C, 1, 1), torch.full((C,), 0.25)


def bench(label, f):
    for _ in range(3):
        f()
    best = float('inf')
    for _ in range(7):
        t = time.perf_counter()
        for _ in range(5):
            f()
        best = min(best, (time.perf_counter() - t) / 5)
    print(f'{label:36s} {best * 1e3:8.2f} ms')


print(f'torch {torch.__version__}, {torch.get_num_threads()} threads')
bench('add 0.2 a + b', lambda: torch.add(b, a, alpha=0.2))
bench('add in place b = 0.2 a + b', lambda: b.add_(a, alpha=0.2))
bench('affine + PReLU', lambda: F.prelu(a * scale, slope))
bench('pixel shuffle CRD r4 48->3',
      lambda: F.pixel_shuffle(s48, 4).contiguous())
bench('pixel unshuffle r4 3->48',
      lambda: F.pixel_unshuffle(big3, 4).contiguous())
bench('upsample nearest x2',
      lambda: F.interpolate(a, scale_factor=2, mode='nearest'))
bench('upsample bilinear x2',
      lambda: F.interpolate(a, scale_factor=2, mode='bilinear',
                            align_corners=False))
bench('max pool k3 s2', lambda: F.max_pool2d(a, 3, 2))
bench('global average', lambda: a.mean(dim=(2, 3), keepdim=True))
bench('L2 normalise (channels)',
      lambda: a / (torch.sqrt((a ** 2).sum(1, keepdim=True)) + 1e-10))
bench('pad reflect 10', lambda: F.pad(a, (10, 10, 10, 10), mode='reflect'))
bench('copy rect (crop 480x270)',
      lambda: F.pad(a, (10, 10, 10, 10))[:, :, 10:10 + H, 10:10 + W]
      .contiguous())
