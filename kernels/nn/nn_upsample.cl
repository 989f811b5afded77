/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integer-factor upsampling of channel views of [1,C,H,W] tensors. One
 * pixel per work-item would cost CPU devices more in launch overhead than
 * in memory traffic, so each work-item handles a run of pixels, x
 * fastest. */
#define SEG 16                  /* SR_NN_SEG */

#include "nn_storage.clh"

/* Each work-item reads a run of 8 pixels of one input row and writes
 * their s x s copies (s output rows of 8s pixels), with vector shuffles
 * for the factors the models use; global ceil (w / 8) * h * c. */
__kernel void upsample_nearest (__global const act_t *in, int in_c0,
    __global act_t *out, int out_c0, int h, int w, int s)
{
  const int segs = (w + 7) / 8, ow = w * s;
  const int g = get_global_id (0);
  const int x0 = g % segs * 8, y = g / segs % h, ch = g / segs / h;
  const int n = min (8, w - x0);
  __global const act_t *src = in + (size_t) (in_c0 + ch) * h * w
      + (size_t) y * w + x0;
  __global act_t *dst = out + (size_t) (out_c0 + ch) * h * s * ow
      + (size_t) y * s * ow + x0 * s;
  if (n == 8 && (s == 2 || s == 4)) {
    const float8 v = LDN (8, 0, src);
    float8 q[4];
    if (s == 2) {
      q[0] = v.s00112233, q[1] = v.s44556677;
    } else {
      q[0] = v.s00001111, q[1] = v.s22223333;
      q[2] = v.s44445555, q[3] = v.s66667777;
    }
    for (int r = 0; r < s; r++)
      for (int i = 0; i < s; i++)
        STN (8, q[i], i, dst + (size_t) r * ow);
    return;
  }
  if (n == 8 && s == 8) {
    const float8 v = LDN (8, 0, src);
    for (int r = 0; r < 8; r++) {
      __global act_t *row = dst + (size_t) r * ow;
      STN (8, (float8) v.s0, 0, row);
      STN (8, (float8) v.s1, 1, row);
      STN (8, (float8) v.s2, 2, row);
      STN (8, (float8) v.s3, 3, row);
      STN (8, (float8) v.s4, 4, row);
      STN (8, (float8) v.s5, 5, row);
      STN (8, (float8) v.s6, 6, row);
      STN (8, (float8) v.s7, 7, row);
    }
    return;
  }
  for (int r = 0; r < s; r++)
    for (int k = 0; k < n * s; k++)
      ST (LD (src, k / s), dst, (size_t) r * ow + k);
}

/* align_corners = False, as PyTorch's upsample_bilinear2d: the source
 * coordinate of output d = s*q + m is (d + 0.5) / s - 0.5 = q + f (m),
 * f (m) = (2m + 1 - s) / 2s in (-1, 1), clamped at 0; the second
 * neighbour is clamped to the last row / column. In this integer form the
 * neighbours and weights are exact (float coordinates, as PyTorch
 * computes them, lose ~ulp (d / s) of weight on large pictures). */
inline int
neighbour (int q, int m, int s, int n, int *i1, float *l)
{
  const int num = 2 * m + 1 - s, den = 2 * s;
  int i0 = num < 0 ? q - 1 : q;
  *l = (float) (num < 0 ? num + den : num) / (float) den;
  if (i0 < 0)
    i0 = 0, *l = 0.0f;
  *i1 = min (i0 + 1, n - 1);
  return i0;
}

/* Each work-item writes a run of SEG pixels of one output row; global
 * ceil (s*w / SEG) * s*h * c. */
__kernel void upsample_bilinear (__global const act_t *in, int in_c0,
    __global act_t *out, int out_c0, int h, int w, int s)
{
  const int ow = w * s, oh = h * s, segs = (ow + SEG - 1) / SEG;
  const int g = get_global_id (0);
  const int x0 = g % segs * SEG, y = g / segs % oh, ch = g / segs / oh;
  const int x1 = min (x0 + SEG, ow);
  int y1;
  float ly;
  const int y0 = neighbour (y / s, y % s, s, h, &y1, &ly);
  __global const act_t *p = in + (size_t) (in_c0 + ch) * h * w;
  __global const act_t *top = p + (size_t) y0 * w, *bot = p + (size_t) y1 * w;
  __global act_t *dst = out + (size_t) (out_c0 + ch) * oh * ow
      + (size_t) y * ow;
  int m = x0 % s, q = x0 / s;
  for (int ox = x0; ox < x1; ox++) {
    int xb;
    float lx;
    const int xa = neighbour (q, m, s, w, &xb, &lx);
    const float t = (1.0f - lx) * LD (top, xa) + lx * LD (top, xb);
    const float b = (1.0f - lx) * LD (bot, xa) + lx * LD (bot, xb);
    ST ((1.0f - ly) * t + ly * b, dst, ox);
    if (++m == s)
      m = 0, q++;
  }
}
