/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pooling and channel normalisation on channel views of [1,C,H,W]
 * tensors. Each work-item handles a run of consecutive pixels: one pixel
 * per work-item would cost CPU devices more in launch overhead than in
 * memory traffic. */
#define SEG 16                  /* SR_NN_SEG */

/* k x k max, stride s, no padding; global ceil (ow / SEG) * oh * c. A NaN
 * wins, as in PyTorch's max_pool2d. */
__kernel void max_pool (__global const float *in, int in_c0, int h, int w,
    __global float *out, int out_c0, int oh, int ow, int k, int s)
{
  const int segs = (ow + SEG - 1) / SEG;
  const int g = get_global_id (0);
  const int x0 = g % segs * SEG, y = g / segs % oh, ch = g / segs / oh;
  const int x1 = min (x0 + SEG, ow);
  __global const float *src = in + (size_t) (in_c0 + ch) * h * w
      + (size_t) y * s * w;
  __global float *dst = out + (size_t) (out_c0 + ch) * oh * ow
      + (size_t) y * ow;
  for (int x = x0; x < x1; x++) {
    __global const float *p = src + x * s;
    float m = p[0];
    for (int i = 0; i < k; i++)
      for (int j = 0; j < k; j++) {
        const float v = p[(size_t) i * w + j];
        m = v > m || isnan (v) ? v : m;
      }
    dst[x] = m;
  }
}

/* Global average, first pass: sums[ch * h + y] = the sum of row y of
 * channel ch; global h * c. */
__kernel void row_sum (__global const float *in, int in_c0, int h, int w,
    __global float *sums)
{
  const int g = get_global_id (0);
  const int y = g % h, ch = g / h;
  __global const float *p = in + (size_t) (in_c0 + ch) * h * w + (size_t) y * w;
  float8 acc8 = 0.0f;
  int x = 0;
  for (; x + 8 <= w; x += 8)
    acc8 += vload8 (0, p + x);
  float acc = (acc8.s0 + acc8.s1) + (acc8.s2 + acc8.s3)
      + ((acc8.s4 + acc8.s5) + (acc8.s6 + acc8.s7));
  for (; x < w; x++)
    acc += p[x];
  sums[g] = acc;
}

/* Second pass: out (ch) = the sum of the row sums / (h * w); global c. */
__kernel void channel_mean (__global const float *sums, int h, float inv_n,
    __global float *out, int out_c0)
{
  const int ch = get_global_id (0);
  __global const float *p = sums + (size_t) ch * h;
  float acc = 0.0f;
  for (int y = 0; y < h; y++)
    acc += p[y];
  out[out_c0 + ch] = acc * inv_n;
}

/* x / (sqrt (sum_c x^2) + eps) per pixel, as LPIPS's normalize_tensor;
 * a run of 8 pixels per work-item (one float8), global ceil (plane / 8).
 * in and out may be the same view: each work-item reads only the pixels it
 * writes. */
__kernel void l2_normalize (__global const float *in, int in_c0,
    __global float *out, int out_c0, int c, int plane, float eps)
{
  const int p0 = get_global_id (0) * 8, n = min (8, plane - p0);
  __global const float *src = in + (size_t) in_c0 * plane + p0;
  __global float *dst = out + (size_t) out_c0 * plane + p0;
  if (n == 8) {
    float8 ss = 0.0f;
    for (int ch = 0; ch < c; ch++) {
      const float8 v = vload8 (0, src + (size_t) ch * plane);
      ss += v * v;
    }
    const float8 norm = sqrt (ss) + eps;
    for (int ch = 0; ch < c; ch++)
      vstore8 (vload8 (0, src + (size_t) ch * plane) / norm, 0,
          dst + (size_t) ch * plane);
    return;
  }
  for (int j = 0; j < n; j++) {
    float ss = 0.0f;
    for (int ch = 0; ch < c; ch++) {
      const float v = src[(size_t) ch * plane + j];
      ss += v * v;
    }
    const float norm = sqrt (ss) + eps;
    for (int ch = 0; ch < c; ch++)
      dst[(size_t) ch * plane + j] = src[(size_t) ch * plane + j] / norm;
  }
}
