/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vector quantisation (VQ-VAE's Quantize at inference): each pixel's D
 * channel values z are replaced by the nearest codebook vector e_k, k =
 * argmin ||z||^2 - 2 z.e_k + ||e_k||^2 in float32 as PyTorch computes it
 * (rosinality's vqvae.py; spec/models.md 5.2), the first k on a tie.
 *
 * One work-item per pixel: the codebook (codes[K][D], code-major so one
 * code's D values are contiguous, and norms[K]) is read by every
 * work-item in the same order, so a work-group of neighbouring pixels
 * shares each load; z is read once into registers. D is built in (-DDIM)
 * so that loop unrolls. */
#ifndef DIM
#define DIM 64
#endif

__kernel void vq_nearest (__global const float *in, int in_c0,
    __global float *out, int out_c0, int plane, int n_codes,
    __global const float *codes, __global const float *norms,
    __global int *index)
{
  const int p = get_global_id (0);
  if (p >= plane)
    return;
  __global const float *z = in + (size_t) in_c0 * plane + p;
  float zv[DIM];
  float zz = 0.0f;
  for (int d = 0; d < DIM; d++) {
    zv[d] = z[(size_t) d * plane];
    zz += zv[d] * zv[d];
  }
  float best = INFINITY;
  int best_k = 0;
  for (int k = 0; k < n_codes; k++) {
    __global const float *e = codes + (size_t) k * DIM;
    float dot = 0.0f;
    for (int d = 0; d < DIM; d++)
      dot += zv[d] * e[d];
    const float dist = zz - 2.0f * dot + norms[k];
    if (dist < best) {
      best = dist;
      best_k = k;
    }
  }
  __global const float *e = codes + (size_t) best_k * DIM;
  __global float *o = out + (size_t) out_c0 * plane + p;
  for (int d = 0; d < DIM; d++)
    o[(size_t) d * plane] = e[d];
  index[p] = best_k;
}
