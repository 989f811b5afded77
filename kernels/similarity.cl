/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Full-reference similarity in double precision (spec/metrics.md 1-4;
 * sr_similarity.h): the pictures as the metrics see them, then per channel
 * the squared differences (PSNR) and the SSIM and contrast-structure maps
 * over the valid region of a separable window, summed by rows (the host
 * adds the rows up).
 *
 * No contraction into fma: the reference tools multiply and add
 * separately (NumPy, OpenCV in double), and BasicSR's Y is defined by a
 * float32 chain whose every rounding counts. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

/* The window's taps, fixed at build time (-DTAPS=11 or 7) so that its
 * loops unroll; n, the same number, is also passed. */
#ifndef TAPS
#define TAPS 11
#endif

/* SrPlanes */
#define PLANES_RGB 0
#define PLANES_Y_BASICSR 1
#define PLANES_RGB_UNIT 2
#define PLANES_Y_YIQ 3
#define PLANES_Y_YIQ_255 4

#include "codes.clh"

/* One output pixel (x, y) of each plane: the input pixel at (x + crop,
 * y + crop) of the [3][ih][iw] float RGB picture. */
__kernel void
planes (__global const float *rgb, const int ih, const int iw,
    const int crop, const int mode, __global double *out, const int h,
    const int w)
{
  const int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= h)
    return;
  const size_t plane = (size_t) ih * iw, at = (size_t) (y + crop) * iw + x
      + crop, o = (size_t) y * w + x;
  const double r = sr_code (rgb[at]), g = sr_code (rgb[plane + at]),
      b = sr_code (rgb[2 * plane + at]);
  if (mode == PLANES_RGB) {
    out[o] = r;
    out[(size_t) h * w + o] = g;
    out[2 * (size_t) h * w + o] = b;
    return;
  }
  /* pyiqa: TF.to_tensor's u8 / 255 in float32; YIQ's Y in float32 (not
   * rounded), or times 255 and rounded half to even. */
  const float fr = (float) (r / 255.0), fg = (float) (g / 255.0),
      fb = (float) (b / 255.0);
  if (mode == PLANES_RGB_UNIT) {
    out[o] = fr;
    out[(size_t) h * w + o] = fg;
    out[2 * (size_t) h * w + o] = fb;
    return;
  }
  if (mode == PLANES_Y_YIQ || mode == PLANES_Y_YIQ_255) {
    const float yiq = fr * 0.299f + fg * 0.587f + fb * 0.114f;
    out[o] = mode == PLANES_Y_YIQ ? yiq : rint (yiq * 255.0f);
    return;
  }
  /* BasicSR to_y_channel: u8 / 255 in float32 (the double quotient
   * rounded to float is the correctly rounded float quotient: k / 255 is
   * never near a float midpoint), the BT.601 row in double on BGR order,
   * + 16, / 255 rounded to float32, * 255 in float32. */
  const double xb = (float) (b / 255.0), xg = (float) (g / 255.0),
      xr = (float) (r / 255.0);
  const double yd = xb * 24.966 + xg * 128.553 + xr * 65.481 + 16.0;
  const float yf = (float) (yd / 255.0);
  out[o] = (double) (yf * 255.0f);
}

/* The cropped 8-bit luma plane [ih][iw] of a BT.601 limited-range frame
 * as it is: BasicSR's Y of the RGB it was made from, to the rounding the
 * encoder did. */
__kernel void
planes_y8 (__global const uchar *y8, const int ih, const int iw,
    const int crop, __global double *out, const int h, const int w)
{
  const int x = get_global_id (0), y = get_global_id (1);
  if (x >= w || y >= h)
    return;
  out[(size_t) y * w + x] = y8[(size_t) (y + crop) * iw + x + crop];
}

/* MS-SSIM's step between scales: [C][h][w] -> [C][(h+1)/2][(w+1)/2], the
 * mean of each 2x2 block (spec/metrics.md 5.2, 5.3). zero_pad 0: MATLAB's
 * imfilter (ones (2) / 4, 'symmetric') then every second sample: a block
 * past the last row or column repeats it. zero_pad 1: PyTorch's
 * avg_pool2d (2, padding = (h % 2, w % 2), count_include_pad): an odd side
 * gets a zero row or column before its first, and every block divides by
 * 4. */
__kernel void
downsample2 (__global const double *in, const int h, const int w,
    __global double *out, const int oh, const int ow, const int zero_pad)
{
  const int x = get_global_id (0), y = get_global_id (1), c = get_global_id (2);
  if (x >= ow || y >= oh)
    return;
  __global const double *p = in + (size_t) c * h * w;
  int y0 = 2 * y, x0 = 2 * x, y1 = y0 + 1, x1 = x0 + 1;
  double s;
  if (zero_pad) {
    y0 -= h % 2;
    y1 -= h % 2;
    x0 -= w % 2;
    x1 -= w % 2;
    /* Only the first row / column of blocks reaches the padding (-1). */
    const double a = y0 >= 0 && x0 >= 0 ? p[(size_t) y0 * w + x0] : 0.0;
    const double b = y0 >= 0 ? p[(size_t) y0 * w + x1] : 0.0;
    const double d = x0 >= 0 ? p[(size_t) y1 * w + x0] : 0.0;
    s = a + b + d + p[(size_t) y1 * w + x1];
  } else {
    y1 = min (y1, h - 1);
    x1 = min (x1, w - 1);
    s = p[(size_t) y0 * w + x0] + p[(size_t) y0 * w + x1]
        + p[(size_t) y1 * w + x0] + p[(size_t) y1 * w + x1];
  }
  out[((size_t) c * oh + y) * ow + x] = s / 4;
}

/* Squared differences of row y of channel c, summed: row_sse[c * h + y]. */
__kernel void
sse_rows (__global const double *a, __global const double *b, const int h,
    const int w, __global double *row_sse)
{
  const int y = get_global_id (0), c = get_global_id (1);
  if (y >= h)
    return;
  const size_t o = ((size_t) c * h + y) * w;
  double s = 0;
  for (int x = 0; x < w; x++) {
    const double d = a[o + x] - b[o + x];
    s += d * d;
  }
  row_sse[(size_t) c * h + y] = s;
}

/* The window along the rows of channel c: for every row y and every
 * valid column x (x + n <= w), the weighted sums of a, b, a^2, b^2 and
 * ab over columns x .. x + n - 1, into the five [h][wv] planes of rs. */
__kernel void
window_rows (__global const double *a, __global const double *b,
    const int c, const int h, const int w, __global const double *taps,
    const int n, __global double *rs)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int wv = w - n + 1;
  if (x >= wv || y >= h)
    return;
  const size_t i = ((size_t) c * h + y) * w + x;
  double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
#pragma unroll
  for (int k = 0; k < TAPS; k++) {
    const double u = a[i + k], v = b[i + k];
    const double tu = taps[k] * u, tv = taps[k] * v;
    sa += tu;
    sb += tv;
    saa += tu * u;
    sbb += tv * v;
    sab += tu * v;
  }
  const size_t plane = (size_t) h * wv, o = (size_t) y * wv + x;
  rs[o] = sa;
  rs[plane + o] = sb;
  rs[2 * plane + o] = saa;
  rs[3 * plane + o] = sbb;
  rs[4 * plane + o] = sab;
}

/* The window down the columns at output (x, y) (rows y .. y + n - 1 of
 * rs), then the SSIM and contrast-structure values there, into the maps
 * (one work-item per pixel, so that neighbouring work-items read
 * neighbouring columns):
 *   mu = W*a, sigma_a^2 = cov_norm (W*a^2 - mu_a^2), sigma_ab likewise,
 *   cs = (2 sigma_ab + c2) / (sigma_a^2 + sigma_b^2 + c2),
 *   ssim = (2 mu_a mu_b + c1) (2 sigma_ab + c2) /
 *          ((mu_a^2 + mu_b^2 + c1) (sigma_a^2 + sigma_b^2 + c2)).
 * relu_cs clamps cs at 0 per pixel first (pyiqa), and then ssim =
 * lum * cs as pyiqa writes it. maps: the ssim map, then the cs map
 * ([2][hv][wv]). */
__kernel void
window_cols (__global const double *rs, const int h, const int wv,
    __global const double *taps, const int n, const double c1,
    const double c2, const double cov_norm, const int relu_cs,
    __global double *maps)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int hv = h - n + 1;
  if (x >= wv || y >= hv)
    return;
  const size_t plane = (size_t) h * wv;
  double ma = 0, mb = 0, maa = 0, mbb = 0, mab = 0;
#pragma unroll
  for (int k = 0; k < TAPS; k++) {
    const double t = taps[k];
    const size_t o = (size_t) (y + k) * wv + x;
    ma += t * rs[o];
    mb += t * rs[plane + o];
    maa += t * rs[2 * plane + o];
    mbb += t * rs[3 * plane + o];
    mab += t * rs[4 * plane + o];
  }
  const double va = cov_norm * (maa - ma * ma);
  const double vb = cov_norm * (mbb - mb * mb);
  const double vab = cov_norm * (mab - ma * mb);
  double cs = (2 * vab + c2) / (va + vb + c2), ssim;
  if (relu_cs) {
    cs = fmax (cs, 0.0);
    ssim = (2 * ma * mb + c1) / (ma * ma + mb * mb + c1) * cs;
  } else {
    ssim = ((2 * ma * mb + c1) * (2 * vab + c2))
        / ((ma * ma + mb * mb + c1) * (va + vb + c2));
  }
  const size_t o = (size_t) y * wv + x;
  maps[o] = ssim;
  maps[(size_t) hv * wv + o] = cs;
}

/* Row y of the two maps summed, in order: row_ssim / row_cs [row0 + y]. */
__kernel void
sum_rows (__global const double *maps, const int hv, const int wv,
    __global double *row_ssim, __global double *row_cs, const int row0)
{
  const int y = get_global_id (0);
  if (y >= hv)
    return;
  __global const double *ssim = maps + (size_t) y * wv;
  __global const double *cs = ssim + (size_t) hv * wv;
  double s = 0, c = 0;
  for (int x = 0; x < wv; x++) {
    s += ssim[x];
    c += cs[x];
  }
  row_ssim[row0 + y] = s;
  row_cs[row0 + y] = c;
}
