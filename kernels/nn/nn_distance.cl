/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LPIPS's per-layer distance before its spatial mean: for two feature
 * maps a and b (channel views of [1,C,H,W] float32 tensors) and one weight
 * per channel, sums[y] = sum over x and c of w[c] (a - b)^2, float32 like
 * PyTorch; the caller adds the rows up in double. One work-item per row:
 * rows are contiguous along x in every channel plane, so the loads are
 * whole vectors. */
__kernel void weighted_sq_diff_rows (__global const float *a, int a_c0,
    __global const float *b, int b_c0, int c, int h, int w,
    __constant float *weight, __global float *sums)
{
  const int y = get_global_id (0);
  const size_t plane = (size_t) h * w;
  __global const float *pa = a + (size_t) a_c0 * plane + (size_t) y * w;
  __global const float *pb = b + (size_t) b_c0 * plane + (size_t) y * w;
  float total = 0.0f;
  for (int ch = 0; ch < c; ch++) {
    __global const float *ra = pa + ch * plane, *rb = pb + ch * plane;
    float8 acc8 = 0.0f;
    int x = 0;
    for (; x + 8 <= w; x += 8) {
      const float8 d = vload8 (0, ra + x) - vload8 (0, rb + x);
      acc8 += d * d;
    }
    float acc = (acc8.s0 + acc8.s1) + (acc8.s2 + acc8.s3)
        + ((acc8.s4 + acc8.s5) + (acc8.s6 + acc8.s7));
    for (; x < w; x++) {
      const float d = ra[x] - rb[x];
      acc += d * d;
    }
    total += weight[ch] * acc;
  }
  sums[y] = total;
}
