/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernels around conv2d's GEMM strategy (sr_nn_conv2d_gemm.c): the
 * convolution itself is one GEMM, out[cout][pixels] = W[cout][cin*kh*kw] x
 * col[cin*kh*kw][pixels], with col the input itself for a 1x1 stride-1
 * unpadded layer and conv_im2col's unrolled patches otherwise. Both work on
 * a band of output rows [y0, y0 + rows) so that the scratch stays bounded.
 *
 * Work-items write SEG (build option) consecutive elements of a row. */

#ifndef SEG
#define SEG 16
#endif

/* SrActKind */
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_LEAKY 2
#define ACT_PRELU 3
#define ACT_CLAMP 4

/* col[r][j], r = (ic * kh + ky) * kw + kx, j = y * ow + x for band row y:
 * the input pixel tap (ky, kx) of output pixel (y0 + y, x) reads, 0 in the
 * padding. Launch: (ceil (ow / SEG) * rows, cin * kh * kw). */
__kernel void
conv_im2col (__global const float *restrict in, const int in_off,
    const int ih, const int iw, __global float *restrict col, const int kh,
    const int kw, const int sh, const int sw, const int pad_top,
    const int pad_left, const int ow, const int y0, const int rows)
{
  const int nseg = (ow + SEG - 1) / SEG;
  const int g = get_global_id (0);
  const int y = g / nseg, x0 = (g - y * nseg) * SEG;
  if (y >= rows)
    return;
  const int r = get_global_id (1);
  const int kx = r % kw, ky = (r / kw) % kh, ic = r / (kw * kh);
  const int iy = (y0 + y) * sh - pad_top + ky;
  __global float *dst = col + (size_t) r * rows * ow + y * ow;
  const int n = min (SEG, ow - x0);
  if (iy < 0 || iy >= ih) {
    for (int p = 0; p < n; p++)
      dst[x0 + p] = 0.0f;
    return;
  }
  __global const float *row = in + in_off + ((size_t) ic * ih + iy) * iw;
  for (int p = 0; p < n; p++) {
    const int ix = (x0 + p) * sw - pad_left + kx;
    dst[x0 + p] = ix >= 0 && ix < iw ? row[ix] : 0.0f;
  }
}

/* The conv epilogue on a GEMM result, element (c, j) of cout x n:
 *   y = act (src[c][j] + bias[c]); out[c][j] = res_scale * y +
 *   skip_scale * skip[c][j] with a skip, else y.
 * src has leading dimension src_ld, out and skip out_ld. src may be out
 * (the GEMM wrote there), skip may be out (an in-place residual; src is
 * then a scratch): each element is read before it is written, by the same
 * work-item. Launch: (ceil (n / SEG), cout). */
__kernel void
conv_gemm_epilogue (__global const float *src, const int src_off,
    const int src_ld, __global float *out, const int out_off,
    const int out_ld, __global const float *skip, const int skip_off,
    const int has_skip, const float res_scale, const float skip_scale,
    __global const float *restrict bias,
    __global const float *restrict slope, const int act, const float alpha,
    const float lo, const float hi, const int n)
{
  const int x0 = get_global_id (0) * SEG;
  if (x0 >= n)
    return;
  const int c = get_global_id (1);
  const float b = bias[c], s = slope[c];
  const int m = min (SEG, n - x0);
  __global const float *sp = src + src_off + (size_t) c * src_ld + x0;
  __global const float *kp = skip + skip_off + (size_t) c * out_ld + x0;
  __global float *op = out + out_off + (size_t) c * out_ld + x0;
  for (int p = 0; p < m; p++) {
    float y = sp[p] + b;
    if (act == ACT_RELU)
      y = fmax (y, 0.0f);
    else if (act == ACT_LEAKY)
      y = y < 0.0f ? y * alpha : y;
    else if (act == ACT_PRELU)
      y = y < 0.0f ? y * s : y;
    else if (act == ACT_CLAMP)
      y = fmin (fmax (y, lo), hi);
    op[p] = has_skip ? res_scale * y + skip_scale * kp[p] : y;
  }
}
