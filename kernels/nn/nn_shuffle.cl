/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pixel shuffle (depth to space) and unshuffle on channel views of
 * [1,C,H,W] tensors. Each work-item writes a run of SEG consecutive
 * pixels of one output row (the last of a row fewer): global
 * ceil (ow / SEG) * oh * c, x fastest. One pixel per work-item would cost
 * CPU devices more in launch overhead than in memory traffic. */
#define SEG 16                  /* SR_NN_SEG */

#include "nn_storage.clh"

/* out: c channels of r*h x r*w. dcr: TensorFlow depth_to_space's order,
 * else PyTorch pixel_shuffle's. */
__kernel void pixel_shuffle (__global const act_t *in, int in_c0,
    __global act_t *out, int out_c0, int c, int h, int w, int r, int dcr)
{
  const int ow = w * r, oh = h * r, segs = (ow + SEG - 1) / SEG;
  const int g = get_global_id (0);
  const int x0 = g % segs * SEG, oy = g / segs % oh, ch = g / segs / oh;
  const int x1 = min (x0 + SEG, ow), i = oy % r;
  /* Input channel q (j) = q0 + j * qs for the output column's j. */
  const int q0 = dcr ? i * r * c + ch : (ch * r + i) * r;
  const int qs = dcr ? c : 1;
  __global const act_t *src = in + (size_t) (in_c0 + q0) * h * w
      + (size_t) (oy / r) * w;
  const size_t qstep = (size_t) qs * h * w;
  __global act_t *dst = out + (size_t) (out_c0 + ch) * oh * ow
      + (size_t) oy * ow;
  int j = x0 % r, x = x0 / r;
  for (int ox = x0; ox < x1; ox++) {
    ST (LD (src, j * qstep + x), dst, ox);
    if (++j == r)
      j = 0, x++;
  }
}

/* out: c*r*r channels of h x w, from c channels of r*h x r*w. Inverse of
 * pixel_shuffle's PyTorch order. */
__kernel void pixel_unshuffle (__global const act_t *in, int in_c0,
    __global act_t *out, int out_c0, int h, int w, int r)
{
  const int segs = (w + SEG - 1) / SEG;
  const int g = get_global_id (0);
  const int x0 = g % segs * SEG, y = g / segs % h, q = g / segs / h;
  const int x1 = min (x0 + SEG, w);
  const int ch = q / (r * r), i = q / r % r, j = q % r;
  const int iw = w * r;
  __global const act_t *src = in + (size_t) (in_c0 + ch) * h * r * iw
      + (size_t) (y * r + i) * iw + j;
  __global act_t *dst = out + (size_t) (out_c0 + q) * h * w + (size_t) y * w;
  for (int x = x0; x < x1; x++)
    ST (LD (src, x * r), dst, x);
}
