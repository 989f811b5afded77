/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vector quantisation (VQ-VAE's Quantize at inference): each pixel's D
 * channel values z are replaced by the nearest codebook vector e_k, k =
 * argmin ||z||^2 - 2 z.e_k + ||e_k||^2 in float32 as PyTorch computes it
 * (rosinality's vqvae.py; spec/models.md 5.2), the first k on a tie.
 *
 * The distances are a small matrix product (pixels x D times D x codes),
 * so each work-item is a register-blocked product: PX neighbouring pixels
 * (one float8 per channel: NCHW keeps them contiguous) against CB codes
 * at a time, CB vector accumulators, the dot products summed over d in
 * order. PoCL does not vectorise across work-items whose body loops: the
 * vectors are written out. codes[K'][D] is code-major and padded to a
 * multiple of CB with norm +inf (never nearest); D is built in (-DDIM). */
#ifndef DIM
#define DIM 64
#endif
#define PX 8
#define CB 16

/* p[0 .. m - 1] of a plane row, zeros past them. */
static float8
load_px (__global const float *p, const int m)
{
  if (m >= PX)
    return vload8 (0, p);
  float v[PX];
  for (int i = 0; i < PX; i++)
    v[i] = i < m ? p[i] : 0.0f;
  return vload8 (0, v);
}

__kernel void vq_nearest (__global const float *in, int in_c0,
    __global float *out, int out_c0, int plane, int n_codes,
    __global const float *codes, __global const float *norms,
    __global int *index)
{
  const int p0 = get_global_id (0) * PX;
  if (p0 >= plane)
    return;
  const int m = min (PX, plane - p0);
  __global const float *z = in + (size_t) in_c0 * plane + p0;
  float8 zz = 0.0f;
  for (int d = 0; d < DIM; d++) {
    const float8 v = load_px (z + (size_t) d * plane, m);
    zz += v * v;
  }
  float8 best = INFINITY;
  int8 best_k = 0;
  for (int k0 = 0; k0 < n_codes; k0 += CB) {
    float8 acc[CB];
    for (int j = 0; j < CB; j++)
      acc[j] = 0.0f;
    __global const float *e = codes + (size_t) k0 * DIM;
    for (int d = 0; d < DIM; d++) {
      const float8 v = load_px (z + (size_t) d * plane, m);
#pragma unroll
      for (int j = 0; j < CB; j++)
        acc[j] += v * e[j * DIM + d];
    }
#pragma unroll
    for (int j = 0; j < CB; j++) {
      const float8 dist = zz - 2.0f * acc[j] + norms[k0 + j];
      const int8 nearer = dist < best;
      best = select (best, dist, nearer);
      best_k = select (best_k, (int8) (k0 + j), nearer);
    }
  }
  const int k[PX] = { best_k.s0, best_k.s1, best_k.s2, best_k.s3, best_k.s4,
    best_k.s5, best_k.s6, best_k.s7
  };
  __global float *o = out + (size_t) out_c0 * plane + p0;
  for (int i = 0; i < m; i++) {
    __global const float *ek = codes + (size_t) k[i] * DIM;
    for (int d = 0; d < DIM; d++)
      o[(size_t) d * plane + i] = ek[d];
    index[p0 + i] = k[i];
  }
}
