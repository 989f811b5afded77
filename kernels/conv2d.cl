/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* BasicSR filter2D (basicsr/utils/img_process_util.py) and KAIR's
 * scipy.ndimage.convolve (utils_blindsr.py, mode='mirror'): correlation of every plane with one kh x kw kernel (both
 * odd, anchor at the centre), borders by reflection without edge repetition,
 * repeated as often as a small plane needs (SciPy 'mirror'). Planes are
 * [N*C] x H x W, any H, W >= 1; where one reflection suffices (all the host
 * lets through for PyTorch's reflect pad) this is plain REFLECT_101.
 *
 * The same kernel serves the direct 2-D case and the 1-D passes of the
 * separable and low-rank cases (kh == 1 or kw == 1); `accumulate` adds the
 * result to dst (low-rank: one column/row pair per call). Each work-item
 * computes a PX x RY block (PX consecutive outputs of RY = 2 rows): every
 * input span it loads with one vload serves PX outputs of both rows. On
 * PoCL's AVX-512 device this is ~6x faster than one pixel per work-item; on
 * GPUs loads stay contiguous. PX and RY must match sr_conv2d.c. */

#define PX 16

/* SciPy 'mirror' index: period 2n - 2 (d c b | a b c d | c b a | b c d ...),
 * every index 0 when n == 1. In range after one reflection it is exactly
 * REFLECT_101, without the modulo. */
inline int
mirror (int i, int n)
{
  i = i < 0 ? -i : i;
  if (i < n)
    return i;
  if (n == 1)
    return 0;
  const int p = 2 * n - 2;
  i %= p;
  return i < n ? i : p - i;
}

/* line[x0 + i + kx - rw] for i < PX. Interior blocks read a contiguous span;
 * the others resolve every index (lanes past the right edge use a clamped x
 * and are never stored). */
inline float16
span (const __global float *line, int x0, int rw, int w, int kx, bool inside)
{
  if (inside)
    return vload16 (0, line + x0 - rw + kx);
  float v[PX];
  for (int i = 0; i < PX; i++)
    v[i] = line[mirror (min (x0 + i, w - 1) + kx - rw, w)];
  return vload16 (0, v);
}

inline void
store (__global float *d, float16 acc, int n, int accumulate)
{
  if (n >= PX) {
    vstore16 (accumulate ? acc + vload16 (0, d) : acc, 0, d);
  } else {
    float out[PX];
    vstore16 (acc, 0, out);
    for (int i = 0; i < n; i++)
      d[i] = accumulate ? d[i] + out[i] : out[i];
  }
}

__kernel void conv2d (__global const float *src, __global float *dst,
    int h, int w, int kh, int kw, __constant float *taps, int offset,
    int accumulate)
{
  const int x0 = get_global_id (0) * PX, y0 = get_global_id (1) * 2;
  const int p = get_global_id (2);
  const int rh = kh / 2, rw = kw / 2;
  const __global float *s = src + (size_t) p * h * w;
  __constant float *weight = taps + offset;
  const bool inside = x0 - rw >= 0 && x0 + PX - 1 + rw < w;
  float16 a0 = (float16) (0.0f), a1 = (float16) (0.0f);

  /* Input row y0 - rh + iy meets kernel row iy for output y0 and row iy - 1
   * for output y0 + 1. A second row past the bottom (odd H) still reads
   * valid rows; its result is dropped. */
  for (int iy = 0; iy <= kh; iy++) {
    const int yy = mirror (y0 + iy - rh, h);
    const __global float *line = s + (size_t) yy * w;
    __constant float *k0 = weight + iy * kw, *k1 = k0 - kw;
    if (iy == 0) {
      for (int kx = 0; kx < kw; kx++)
        a0 += k0[kx] * span (line, x0, rw, w, kx, inside);
    } else if (iy == kh) {
      for (int kx = 0; kx < kw; kx++)
        a1 += k1[kx] * span (line, x0, rw, w, kx, inside);
    } else {
      for (int kx = 0; kx < kw; kx++) {
        const float16 v = span (line, x0, rw, w, kx, inside);
        a0 += k0[kx] * v;
        a1 += k1[kx] * v;
      }
    }
  }

  __global float *d = dst + ((size_t) p * h + y0) * w + x0;
  store (d, a0, w - x0, accumulate);
  if (y0 + 1 < h)
    store (d + w, a1, w - x0, accumulate);
}
