/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Separable resampling by a tap table: every output sample along one axis is
 * a weighted sum of `taps` input samples whose indices the host has already
 * resolved against the border rule of the semantics in use (MATLAB
 * symmetric, PyTorch/OpenCV clamp, adaptive-pool windows). One kernel thus
 * serves every resize mode of every preset. Planes are [N*C] x H x W.
 *
 * Work-items carry explicit vectors: PoCL's CPU device vectorises across
 * work-items only when the kernel has no inner loop, and every kernel here
 * loops over the taps. */

/* Output columns per work-item of the rows pass. */
#define ROWS_VEC 16

/* Height pass: ROWS_VEC neighbouring columns of one output row per
 * work-item. Each tap is one contiguous load of a source row, and every
 * output keeps the tap order of the scalar sum. */
__kernel void resample_rows (__global const float *src, __global float *dst,
    int in_h, int w, int out_h, int taps,
    __global const int *index, __global const float *weight)
{
  const int x = get_global_id (0) * ROWS_VEC, y = get_global_id (1),
      p = get_global_id (2);
  if (x >= w || y >= out_h)
    return;
  const __global float *s = src + (size_t) p * in_h * w + x;
  __global float *d = dst + ((size_t) p * out_h + y) * w + x;
  const __global int *ix = index + y * taps;
  const __global float *wt = weight + y * taps;
  if (x + ROWS_VEC <= w) {
    float16 acc = 0.0f;
    for (int k = 0; k < taps; k++)
      acc += wt[k] * vload16 (0, s + (size_t) ix[k] * w);
    vstore16 (acc, 0, d);
    return;
  }
  for (int i = 0; i < w - x; i++) {     /* the right edge */
    float acc = 0.0f;
    for (int k = 0; k < taps; k++)
      acc += wt[k] * s[(size_t) ix[k] * w + i];
    d[i] = acc;
  }
}

/* Rows of the width pass per work-item (the fast path below is written
 * out for exactly 4). */
#define COLS_ROWS 4

/* Width pass: output column x of COLS_ROWS consecutive rows per work-item
 * (they share the taps). Where the host found the taps of x contiguous
 * (start[x] >= 0: taps start[x] .. start[x] + padded - 1, inside the line,
 * weights zero-padded to `padded`, a multiple of 4), dot products of float4
 * loads; elsewhere (mirrored or clamped borders) the scalar gather. */
__kernel void resample_cols (__global const float *src, __global float *dst,
    int h, int in_w, int out_w, int taps,
    __global const int *index, __global const float *weight,
    __global const int *start, __global const float *padw, int padded)
{
  const int x = get_global_id (0), y0 = get_global_id (1) * COLS_ROWS,
      p = get_global_id (2);
  if (x >= out_w || y0 >= h)
    return;
  const int rows = min (COLS_ROWS, h - y0);
  const __global float *s = src + ((size_t) p * h + y0) * in_w;
  __global float *d = dst + ((size_t) p * h + y0) * out_w + x;
  const int s0 = start[x];
  if (s0 >= 0) {
    const __global float *wv = padw + x * padded;
    if (rows == COLS_ROWS) {
      float4 a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f;
      const __global float *sv = s + s0;
      for (int k = 0; k < padded; k += 4) {
        const float4 wk = vload4 (0, wv + k);
        a0 += wk * vload4 (0, sv + k);
        a1 += wk * vload4 (0, sv + in_w + k);
        a2 += wk * vload4 (0, sv + 2 * in_w + k);
        a3 += wk * vload4 (0, sv + 3 * in_w + k);
      }
      d[0] = (a0.x + a0.y) + (a0.z + a0.w);
      d[out_w] = (a1.x + a1.y) + (a1.z + a1.w);
      d[2 * out_w] = (a2.x + a2.y) + (a2.z + a2.w);
      d[3 * out_w] = (a3.x + a3.y) + (a3.z + a3.w);
      return;
    }
    for (int r = 0; r < rows; r++) {
      const __global float *sv = s + (size_t) r * in_w + s0;
      float4 acc = 0.0f;
      for (int k = 0; k < padded; k += 4)
        acc += vload4 (0, wv + k) * vload4 (0, sv + k);
      d[(size_t) r * out_w] = (acc.x + acc.y) + (acc.z + acc.w);
    }
    return;
  }
  const __global int *ix = index + x * taps;
  const __global float *wt = weight + x * taps;
  for (int r = 0; r < rows; r++) {
    const __global float *sr = s + (size_t) r * in_w;
    float acc = 0.0f;
    for (int k = 0; k < taps; k++)
      acc += wt[k] * sr[ix[k]];
    d[(size_t) r * out_w] = acc;
  }
}
