/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Padding and rectangle copies on channel views of [1,C,H,W] tensors.
 * Each work-item writes a run of SEG consecutive pixels of one output row:
 * global ceil (width / SEG) * rows * c, x fastest. */
#define SEG 16                  /* SR_NN_SEG */

#include "nn_storage.clh"

/* Output (x, y) takes input (x - left, y - top) reflected without edge
 * repetition (each pad is smaller than its side, so once is enough), or 0
 * outside when zero != 0. */
__kernel void pad (__global const act_t *in, int in_c0, int h, int w,
    __global act_t *out, int out_c0, int oh, int ow, int top, int left,
    int zero)
{
  const int segs = (ow + SEG - 1) / SEG;
  const int g = get_global_id (0);
  const int x0 = g % segs * SEG, y = g / segs % oh, ch = g / segs / oh;
  const int x1 = min (x0 + SEG, ow);
  __global act_t *dst = out + (size_t) (out_c0 + ch) * oh * ow
      + (size_t) y * ow;
  int sy = y - top;
  if (zero && (sy < 0 || sy >= h)) {
    for (int x = x0; x < x1; x++)
      ST (0.0f, dst, x);
    return;
  }
  sy = sy < 0 ? -sy : sy >= h ? 2 * (h - 1) - sy : sy;
  __global const act_t *src = in + (size_t) (in_c0 + ch) * h * w
      + (size_t) sy * w;
  if (x1 - x0 == SEG && x0 >= left && x1 - left <= w) {
    /* A full run inside the picture: a plain vector copy. */
    STN (16, LDN (16, 0, src + x0 - left), 0, dst + x0);
    return;
  }
  for (int x = x0; x < x1; x++) {
    int sx = x - left;
    const int outside = sx < 0 || sx >= w;
    sx = sx < 0 ? -sx : sx >= w ? 2 * (w - 1) - sx : sx;
    ST (zero && outside ? 0.0f : LD (src, sx), dst, x);
  }
}

/* The rw x rh rectangle at (sx, sy) of in to (dx, dy) of out. */
__kernel void copy_rect (__global const act_t *in, int in_c0, int h, int w,
    int sx, int sy, __global act_t *out, int out_c0, int oh, int ow, int dx,
    int dy, int rw, int rh)
{
  const int segs = (rw + SEG - 1) / SEG;
  const int g = get_global_id (0);
  const int x0 = g % segs * SEG, y = g / segs % rh, ch = g / segs / rh;
  const int x1 = min (x0 + SEG, rw);
  __global const act_t *src = in + (size_t) (in_c0 + ch) * h * w
      + (size_t) (sy + y) * w + sx;
  __global act_t *dst = out + (size_t) (out_c0 + ch) * oh * ow
      + (size_t) (dy + y) * ow + dx;
  if (x1 - x0 == SEG) {
    STN (16, LDN (16, 0, src + x0), 0, dst + x0);
    return;
  }
  for (int x = x0; x < x1; x++)
    ST (LD (src, x), dst, x);
}
