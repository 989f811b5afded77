/* Separable resampling by a tap table: every output sample along one axis is
 * a weighted sum of `taps` input samples whose indices the host has already
 * resolved against the border rule of the semantics in use (MATLAB
 * symmetric, PyTorch/OpenCV clamp, adaptive-pool windows). One kernel thus
 * serves every resize mode of every preset. Planes are [N*C] x H x W. */

__kernel void resample_rows (__global const float *src, __global float *dst,
    int in_h, int w, int out_h, int taps,
    __global const int *index, __global const float *weight)
{
  const int x = get_global_id (0), y = get_global_id (1), p = get_global_id (2);
  const __global float *s = src + (size_t) p * in_h * w + x;
  const __global int *ix = index + y * taps;
  const __global float *wt = weight + y * taps;
  float acc = 0.0f;
  for (int k = 0; k < taps; k++)
    acc += wt[k] * s[(size_t) ix[k] * w];
  dst[((size_t) p * out_h + y) * w + x] = acc;
}

__kernel void resample_cols (__global const float *src, __global float *dst,
    int h, int in_w, int out_w, int taps,
    __global const int *index, __global const float *weight)
{
  const int x = get_global_id (0), y = get_global_id (1), p = get_global_id (2);
  const __global float *s = src + ((size_t) p * h + y) * in_w;
  const __global int *ix = index + x * taps;
  const __global float *wt = weight + x * taps;
  float acc = 0.0f;
  for (int k = 0; k < taps; k++)
    acc += wt[k] * s[ix[k]];
  dst[((size_t) p * h + y) * out_w + x] = acc;
}
