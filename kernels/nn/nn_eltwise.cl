/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Elementwise ops on channel views of [1,C,H,W] tensors. View k's element
 * (ch, p) is at (c0_k + ch) * plane + p. Each work-item does a run of VEC
 * consecutive elements of one channel (the last of a plane fewer), since
 * one element per work-item costs CPU devices far more in launch overhead
 * than in memory traffic; the global size is segs * c, segs =
 * ceil (plane / VEC). */
#define VEC 8                   /* ELT_VEC of sr_nn_eltwise.c */

#include "nn_storage.clh"

/* SrActKind's values. */
#define ACT_RELU 1
#define ACT_LEAKY_RELU 2
#define ACT_PRELU 3
#define ACT_CLAMP 4

inline float8
load_part (__global const act_t *p, int n)
{
  if (n >= VEC)
    return LDN (8, 0, p);
  float t[VEC];
  for (int j = 0; j < VEC; j++)
    t[j] = j < n ? LD (p, j) : 0.0f;
  return vload8 (0, t);
}

inline void
store_part (float8 v, __global act_t *p, int n)
{
  if (n >= VEC) {
    STN (8, v, 0, p);
    return;
  }
  float t[VEC];
  vstore8 (v, 0, t);
  for (int j = 0; j < n; j++)
    ST (t[j], p, j);
}

/* Selections rather than fmax/fmin so that NaN passes through, as in
 * PyTorch's relu, leaky_relu, prelu and clamp. slope: this channel's
 * PReLU slope. */
inline float8
activate (float8 v, int act, float alpha, float lo, float hi, float slope)
{
  switch (act) {
    case ACT_RELU:
      return select (v, (float8) 0.0f, v < 0.0f);
    case ACT_LEAKY_RELU:
      return select (v, alpha * v, v < 0.0f);
    case ACT_PRELU:
      return select (v, slope * v, v < 0.0f);
    case ACT_CLAMP:
      v = select (v, (float8) lo, v < lo);
      return select (v, (float8) hi, v > hi);
    default:
      return v;
  }
}

/* out = act (sum_k coef.sk * ink), k < n. Unused inputs are bound to any
 * valid buffer and never read. out may be one of the inputs (same view):
 * each work-item reads only the elements it writes. */
__kernel void nn_add (int n, float8 coef,
    __global const act_t *a0, int c0_0, __global const act_t *a1, int c0_1,
    __global const act_t *a2, int c0_2, __global const act_t *a3, int c0_3,
    __global const act_t *a4, int c0_4, __global const act_t *a5, int c0_5,
    __global const act_t *a6, int c0_6, __global const act_t *a7, int c0_7,
    __global act_t *out, int out_c0, int plane, int segs, int act,
    float alpha, float lo, float hi, __global const float *slope)
{
  const int i = get_global_id (0);
  const int ch = i / segs, p = i % segs * VEC, m = plane - p;
#define IN(k) load_part (a##k + (size_t) (c0_##k + ch) * plane + p, m)
  float8 acc = coef.s0 * IN (0);
  if (n > 1)
    acc += coef.s1 * IN (1);
  if (n > 2)
    acc += coef.s2 * IN (2);
  if (n > 3)
    acc += coef.s3 * IN (3);
  if (n > 4)
    acc += coef.s4 * IN (4);
  if (n > 5)
    acc += coef.s5 * IN (5);
  if (n > 6)
    acc += coef.s6 * IN (6);
  if (n > 7)
    acc += coef.s7 * IN (7);
#undef IN
  const float s = act == ACT_PRELU ? slope[ch] : 0.0f;
  store_part (activate (acc, act, alpha, lo, hi, s),
      out + (size_t) (out_c0 + ch) * plane + p, m);
}

/* out = act (in * param[ch] + param[shift + ch]) (shift < 0: no shift);
 * PReLU slopes at param + slope. */
__kernel void nn_affine (__global const act_t *in, int in_c0,
    __global act_t *out, int out_c0, int plane, int segs,
    __global const float *param, int shift, int slope, int act, float alpha,
    float lo, float hi)
{
  const int i = get_global_id (0);
  const int ch = i / segs, p = i % segs * VEC, m = plane - p;
  float8 v = load_part (in + (size_t) (in_c0 + ch) * plane + p, m) * param[ch];
  if (shift >= 0)
    v += param[shift + ch];
  const float s = act == ACT_PRELU ? param[slope + ch] : 0.0f;
  store_part (activate (v, act, alpha, lo, hi, s),
      out + (size_t) (out_c0 + ch) * plane + p, m);
}
