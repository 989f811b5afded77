/* Elementwise ops on channel views of [1,C,H,W] tensors: global
 * (plane, c), plane = H * W; view k's element (ch, p) is at
 * (c0_k + ch) * plane + p. */

/* SrActKind's values. */
#define ACT_RELU 1
#define ACT_LEAKY_RELU 2
#define ACT_PRELU 3
#define ACT_CLAMP 4

/* Comparisons rather than fmax/fmin so that NaN passes through, as in
 * PyTorch's relu, leaky_relu, prelu and clamp. */
inline float
activate (float v, int act, float alpha, float lo, float hi,
    __global const float *slope, int ch)
{
  switch (act) {
    case ACT_RELU:
      return v < 0.0f ? 0.0f : v;
    case ACT_LEAKY_RELU:
      return v < 0.0f ? alpha * v : v;
    case ACT_PRELU:
      return v < 0.0f ? slope[ch] * v : v;
    case ACT_CLAMP:
      v = v < lo ? lo : v;
      return v > hi ? hi : v;
    default:
      return v;
  }
}

/* out = act (sum_k coef.sk * ink), k < n. Unused inputs are bound to any
 * valid buffer and never read. out may be one of the inputs (same view):
 * each work-item reads only the element it writes. */
__kernel void nn_add (int n, float8 coef,
    __global const float *a0, int c0_0, __global const float *a1, int c0_1,
    __global const float *a2, int c0_2, __global const float *a3, int c0_3,
    __global const float *a4, int c0_4, __global const float *a5, int c0_5,
    __global const float *a6, int c0_6, __global const float *a7, int c0_7,
    __global float *out, int out_c0, int plane, int act, float alpha,
    float lo, float hi, __global const float *slope)
{
  const size_t p = get_global_id (0);
  const int ch = get_global_id (1);
#define IN(k) a##k[(size_t) (c0_##k + ch) * plane + p]
  float acc = coef.s0 * IN (0);
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
  out[(size_t) (out_c0 + ch) * plane + p] =
      activate (acc, act, alpha, lo, hi, slope, ch);
}

/* out = act (in * param[ch] + param[shift + ch]) (shift < 0: no shift);
 * PReLU slopes at param + slope. */
__kernel void nn_affine (__global const float *in, int in_c0,
    __global float *out, int out_c0, int plane, __global const float *param,
    int shift, int slope, int act, float alpha, float lo, float hi)
{
  const size_t p = get_global_id (0);
  const int ch = get_global_id (1);
  float v = in[(size_t) (in_c0 + ch) * plane + p] * param[ch];
  if (shift >= 0)
    v += param[shift + ch];
  out[(size_t) (out_c0 + ch) * plane + p] =
      activate (v, act, alpha, lo, hi, param + slope, ch);
}
