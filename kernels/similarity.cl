/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Full-reference similarity in double precision (spec/metrics.md 1-4;
 * sr_similarity.h): the pictures as the metrics see them, then per channel
 * the squared differences (PSNR) and the SSIM and contrast-structure
 * values over the valid region of a separable window, summed by rows (the
 * host adds the rows up).
 *
 * No contraction into fma: the reference tools multiply and add
 * separately (NumPy, OpenCV in double), and BasicSR's Y is defined by a
 * float32 chain whose every rounding counts. The window's weighted sums
 * (window_along, window_down_u8) are written as explicit fma: their order
 * of terms differs from OpenCV's anyway, and fma rounds once where
 * multiply-then-add rounds twice, with half the operations. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

/* The window's tap count n, fixed at build time (-DTAPS=11 or 7): it
 * sizes the private arrays and bounds the tap loops. */
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

/* The sums behind SSIM, in one pass per pair of rows (the maps never go
 * through memory: the two separate passes with five full-size maps
 * between them were bound by that traffic). Work-item (i, c) takes rows
 * y = 2i and 2i + 1 of channel c: their squared differences summed, and
 * for each that is a valid output row (y + n <= h), the SSIM and
 * contrast-structure values of its valid columns summed. Per step of SEG
 * output columns the window runs down the columns first (rows y ..
 * y + n of a and b, each load serving both output rows) into private
 * memory, then along them; the columns past the step that the next step
 * needs (n - 1, rounded up to a vector) are carried over. Eight columns
 * at a time as double8: PoCL does not vectorise across work-items whose
 * body loops, so the vectors are written out. The formula needs the
 * variances only as their sum, so four moments are filtered, not five:
 * W*a, W*b, W*(a^2 + b^2), W*ab. At every output pixel:
 *   mu = W*a, sigma_a^2 + sigma_b^2 = cov_norm (W*(a^2 + b^2) - mu_a^2
 *   - mu_b^2), sigma_ab = cov_norm (W*ab - mu_a mu_b),
 *   cs = (2 sigma_ab + c2) / (sigma_a^2 + sigma_b^2 + c2),
 *   ssim = (2 mu_a mu_b + c1) (2 sigma_ab + c2) /
 *          ((mu_a^2 + mu_b^2 + c1) (sigma_a^2 + sigma_b^2 + c2)).
 * (BasicSR subtracts mu^2 from each map before adding them: the same
 * value up to the rounding of double sums, far below the 1e-9 bar.)
 * relu_cs clamps cs at 0 per pixel first (pyiqa), and then ssim =
 * lum * cs as pyiqa writes it. sums: [3][C][h], per row the SSE, the
 * SSIM sum and the cs sum (the last two for valid rows only; none at all
 * when windows is 0: PSNR alone needs only the SSE).
 *
 * The tap loops stay rolled (#pragma unroll 1): unrolled, the compiler
 * hoists all the loads and spills vectors (measured slower). */
#define SEG 128
#define CARRY ((TAPS - 1 + 7) / 8 * 8)
#define VLEN (SEG + CARRY)

/* The weighted sums of a, b, a^2 + b^2, ab at some columns: [4][VLEN]. */
#define MOMENTS 4
typedef double Moments[MOMENTS][VLEN];

/* p[0 .. m - 1], zeros past them (none for m <= 0): the end of a row,
 * where a whole vector would read past the buffer. */
static double8
load_part (__global const double *p, const int m)
{
  double v[8];
  for (int i = 0; i < 8; i++)
    v[i] = i < m ? p[i] : 0.0;
  return vload8 (0, v);
}

static double8
load_cols (__global const double *p, const int m)
{
  return m >= 8 ? vload8 (0, p) : load_part (p, m);
}

static void
store_moments (Moments v, const int j, const double8 sa, const double8 sb,
    const double8 sq, const double8 sab)
{
  vstore8 (sa, 0, v[0] + j);
  vstore8 (sb, 0, v[1] + j);
  vstore8 (sq, 0, v[2] + j);
  vstore8 (sab, 0, v[3] + j);
}

/* Adds tap t at a row whose values are u, v and u^2 + v^2, uv (eight
 * columns). */
#define ACCUMULATE(t, u, v, q, p, sa, sb, sq, sab) do { \
    sa += (t) * (u); \
    sb += (t) * (v); \
    sq += (t) * (q); \
    sab += (t) * (p); \
  } while (0)

/* The window down columns x .. x + 7 (m of them left in the row) for
 * output rows y (window rows 0 .. n - 1 from pa, pb) and, when rows is 2,
 * y + 1 (rows 1 .. n): into column j of v[0], v[1]. */
static void
window_down (__global const double *pa, __global const double *pb,
    const int w, const int m, const double *t, const int rows, Moments *v,
    const int j)
{
  double8 sa = 0, sb = 0, sq = 0, sab = 0;
  double8 ra = 0, rb = 0, rq = 0, rab = 0;
  double8 u = load_cols (pa, m), x = load_cols (pb, m);
  double8 q = u * u + x * x, p = u * x;
  ACCUMULATE (t[0], u, x, q, p, sa, sb, sq, sab);
  if (rows == 2) {
#pragma unroll 1
    for (int k = 1; k < TAPS; k++) {
      const size_t o = (size_t) k * w;
      u = load_cols (pa + o, m);
      x = load_cols (pb + o, m);
      q = u * u + x * x;
      p = u * x;
      ACCUMULATE (t[k], u, x, q, p, sa, sb, sq, sab);
      ACCUMULATE (t[k - 1], u, x, q, p, ra, rb, rq, rab);
    }
    const size_t o = (size_t) TAPS * w;
    u = load_cols (pa + o, m);
    x = load_cols (pb + o, m);
    q = u * u + x * x;
    p = u * x;
    ACCUMULATE (t[TAPS - 1], u, x, q, p, ra, rb, rq, rab);
    store_moments (v[1], j, ra, rb, rq, rab);
  } else {
#pragma unroll 1
    for (int k = 1; k < TAPS; k++) {
      const size_t o = (size_t) k * w;
      u = load_cols (pa + o, m);
      x = load_cols (pb + o, m);
      q = u * u + x * x;
      p = u * x;
      ACCUMULATE (t[k], u, x, q, p, sa, sb, sq, sab);
    }
  }
  store_moments (v[0], j, sa, sb, sq, sab);
}

/* The window along v's columns for the nx outputs from column 0, and
 * the SSIM and cs values there added to ssim8, cs8 (lane-wise). */
static void
window_along (Moments v, const double *t, const int nx, const double c1,
    const double c2, const double cov_norm, const int relu_cs,
    double8 *ssim8, double8 *cs8)
{
  const double8 lane = (double8) (0, 1, 2, 3, 4, 5, 6, 7);
  for (int j = 0; j < nx; j += 8) {
    double8 ma = 0, mb = 0, mq = 0, mab = 0;
#pragma unroll 1
    for (int k = 0; k < TAPS; k++) {
      ma = fma ((double8) t[k], vload8 (0, v[0] + j + k), ma);
      mb = fma ((double8) t[k], vload8 (0, v[1] + j + k), mb);
      mq = fma ((double8) t[k], vload8 (0, v[2] + j + k), mq);
      mab = fma ((double8) t[k], vload8 (0, v[3] + j + k), mab);
    }
    const double8 vsum = cov_norm * (mq - ma * ma - mb * mb);
    const double8 vab = cov_norm * (mab - ma * mb);
    const double8 nl = 2 * ma * mb + c1, dl = ma * ma + mb * mb + c1;
    const double8 nc = 2 * vab + c2, dc = vsum + c2;
    const double8 inv = 1 / (dl * dc);
    /* One division for both quotients (the rounding of a few more
     * products, far below the bar). */
    double8 cs = nc * dl * inv, ssim;
    if (relu_cs) {
      cs = fmax (cs, 0.0);
      ssim = nl * dc * inv * cs;
    } else {
      ssim = nl * nc * inv;
    }
    /* Lanes past the row's last window count nothing. */
    const long8 in = isless (lane, (double8) (nx - j));
    *ssim8 += select ((double8) 0, ssim, in);
    *cs8 += select ((double8) 0, cs, in);
  }
}

static double
lanes_sum (const double8 v)
{
  return v.s0 + v.s1 + v.s2 + v.s3 + v.s4 + v.s5 + v.s6 + v.s7;
}

static double
row_sse (__global const double *pa, __global const double *pb, const int w)
{
  double8 sse8 = 0;
  int x = 0;
  for (; x + 8 <= w; x += 8) {
    const double8 d = vload8 (0, pa + x) - vload8 (0, pb + x);
    sse8 += d * d;
  }
  double sse = lanes_sum (sse8);
  for (; x < w; x++) {
    const double d = pa[x] - pb[x];
    sse += d * d;
  }
  return sse;
}

/* Rows rows of v (each with nx outputs) along, their SSIM and cs values
 * added to ssim8[r], cs8[r]; then the columns the next step needs moved
 * to the front. */
static void
along_rows (Moments *v, const int rows, const double *t, const int nx,
    const double c1, const double c2, const double cov_norm,
    const int relu_cs, double8 *ssim8, double8 *cs8)
{
  for (int r = 0; r < rows; r++) {
    window_along (v[r], t, nx, c1, c2, cov_norm, relu_cs, &ssim8[r], &cs8[r]);
    for (int q = 0; q < MOMENTS; q++)
      for (int i = 0; i < CARRY; i++)
        v[r][q][i] = v[r][q][SEG + i];
  }
}

__kernel void
window_sums (__global const double *a, __global const double *b,
    const int h, const int w, __global const double *taps, const double c1,
    const double c2, const double cov_norm, const int relu_cs,
    const int windows, __global double *sums)
{
  const int y = 2 * get_global_id (0), c = get_global_id (1);
  const int nc = get_global_size (1);
  if (y >= h)
    return;
  __global const double *pa = a + ((size_t) c * h + y) * w;
  __global const double *pb = b + ((size_t) c * h + y) * w;
  __global double *out = sums + (size_t) c * h + y;
  const size_t plane = (size_t) nc * h;
  for (int r = 0; r < 2 && y + r < h; r++)
    out[r] = row_sse (pa + (size_t) r * w, pb + (size_t) r * w, w);

  const int wv = w - TAPS + 1, rows = min (2, h - TAPS + 1 - y);
  if (!windows || wv < 1 || rows < 1)
    return;
  double t[TAPS];
  for (int k = 0; k < TAPS; k++)
    t[k] = taps[k];
  Moments v[2];
  double8 ssim8[2] = { 0, 0 }, cs8[2] = { 0, 0 };
  int carried = 0;
  for (int x0 = 0; x0 < wv; x0 += SEG) {
    const int nx = min (SEG, wv - x0);
    for (int j = carried; j < nx + CARRY; j += 8)
      window_down (pa + x0 + j, pb + x0 + j, w, w - x0 - j, t, rows, v, j);
    along_rows (v, rows, t, nx, c1, c2, cov_norm, relu_cs, ssim8, cs8);
    carried = CARRY;
  }
  for (int r = 0; r < rows; r++) {
    out[plane + r] = lanes_sum (ssim8[r]);
    out[2 * plane + r] = lanes_sum (cs8[r]);
  }
}

/* ---- 8-bit planes ----------------------------------------------------------
 * window_sums_u8: the same sums straight from 8-bit planes (the Y planes
 * of video as they are), no double planes in between. The values are
 * integers, so a^2 + b^2, ab and the sums of two rows are exact in int,
 * and the window's symmetry (t[k] = t[n - 1 - k], true of both windows)
 * halves the multiplications down the columns: t[k] (row k + row
 * n - 1 - k). Products and sums of integers below 2^31 are the same
 * numbers in double, so this is the double-plane kernel's sum with its
 * terms paired: equal up to the rounding of double sums. */

/* U8_ROWS output rows a work-item (the host's -D): each column load of
 * the window down serves that many rows. */
#ifndef U8_ROWS
#define U8_ROWS 1               /* a build for the double-plane kernels */
#endif

/* p[0 .. m - 1] as int, zeros past them (see load_part). */
static int8
load_u8 (__global const uchar *p, const int m)
{
  if (m >= 8)
    return convert_int8 (vload8 (0, p));
  int v[8];
  for (int i = 0; i < 8; i++)
    v[i] = i < m ? p[i] : 0;
  return vload8 (0, v);
}

/* window_down for 8-bit rows (stride apart). */
static void
window_down_u8 (__global const uchar *pa, __global const uchar *pb,
    const int stride, const int m, const double *t, const int rows,
    Moments *v, const int j)
{
  int8 ia[TAPS + U8_ROWS - 1], ib[TAPS + U8_ROWS - 1];
  int8 iq[TAPS + U8_ROWS - 1], ip[TAPS + U8_ROWS - 1];
  for (int k = 0; k < TAPS + rows - 1; k++) {
    const size_t o = (size_t) k * stride;
    ia[k] = load_u8 (pa + o, m);
    ib[k] = load_u8 (pb + o, m);
    iq[k] = ia[k] * ia[k] + ib[k] * ib[k];
    ip[k] = ia[k] * ib[k];
  }
  for (int r = 0; r < rows; r++) {
    const int mid = r + TAPS / 2;
    const double tm = t[TAPS / 2];
    double8 sa = tm * convert_double8 (ia[mid]);
    double8 sb = tm * convert_double8 (ib[mid]);
    double8 sq = tm * convert_double8 (iq[mid]);
    double8 sab = tm * convert_double8 (ip[mid]);
    for (int k = 0; k < TAPS / 2; k++) {
      const int lo = r + k, hi = r + TAPS - 1 - k;
      const double8 tk = t[k];
      sa = fma (tk, convert_double8 (ia[lo] + ia[hi]), sa);
      sb = fma (tk, convert_double8 (ib[lo] + ib[hi]), sb);
      sq = fma (tk, convert_double8 (iq[lo] + iq[hi]), sq);
      sab = fma (tk, convert_double8 (ip[lo] + ip[hi]), sab);
    }
    store_moments (v[r], j, sa, sb, sq, sab);
  }
}

static double
row_sse_u8 (__global const uchar *pa, __global const uchar *pb, const int w)
{
  double sse = 0;
  int x = 0;
  while (x + 8 <= w) {
    /* At most 4096 vectors of squares below 2^16 per int lane. */
    int8 sse8 = 0;
    for (const int end = min (w & ~7, x + 8 * 4096); x < end; x += 8) {
      const int8 d = convert_int8 (vload8 (0, pa + x))
          - convert_int8 (vload8 (0, pb + x));
      sse8 += d * d;
    }
    sse += lanes_sum (convert_double8 (sse8));
  }
  for (; x < w; x++) {
    const int d = (int) pa[x] - (int) pb[x];
    sse += d * d;
  }
  return sse;
}

/* a, b: 8-bit planes [C][plane] (the channel's h x w region at offset,
 * rows stride apart); sums as window_sums. */
__kernel void
window_sums_u8 (__global const uchar *a, __global const uchar *b,
    const int offset, const int stride, const ulong plane_size,
    const int h, const int w, __global const double *taps, const double c1,
    const double c2, const double cov_norm, const int relu_cs,
    const int windows, __global double *sums)
{
  const int y = U8_ROWS * get_global_id (0), c = get_global_id (1);
  const int nc = get_global_size (1);
  if (y >= h)
    return;
  const size_t at = c * plane_size + offset + (size_t) y * stride;
  __global const uchar *pa = a + at, *pb = b + at;
  __global double *out = sums + (size_t) c * h + y;
  const size_t plane = (size_t) nc * h;
  for (int r = 0; r < U8_ROWS && y + r < h; r++)
    out[r] = row_sse_u8 (pa + (size_t) r * stride, pb + (size_t) r * stride,
        w);

  const int wv = w - TAPS + 1, rows = min (U8_ROWS, h - TAPS + 1 - y);
  if (!windows || wv < 1 || rows < 1)
    return;
  double t[TAPS];
  for (int k = 0; k < TAPS; k++)
    t[k] = taps[k];
  Moments v[U8_ROWS];
  double8 ssim8[U8_ROWS], cs8[U8_ROWS];
  for (int r = 0; r < U8_ROWS; r++)
    ssim8[r] = cs8[r] = 0;
  int carried = 0;
  for (int x0 = 0; x0 < wv; x0 += SEG) {
    const int nx = min (SEG, wv - x0);
    for (int j = carried; j < nx + CARRY; j += 8)
      window_down_u8 (pa + x0 + j, pb + x0 + j, stride, w - x0 - j, t, rows,
          v, j);
    along_rows (v, rows, t, nx, c1, c2, cov_norm, relu_cs, ssim8, cs8);
    carried = CARRY;
  }
  for (int r = 0; r < rows; r++) {
    out[plane + r] = lanes_sum (ssim8[r]);
    out[2 * plane + r] = lanes_sum (cs8[r]);
  }
}
