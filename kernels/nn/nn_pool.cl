/* Pooling and channel normalisation on channel views of [1,C,H,W]
 * tensors. */

/* k x k max, stride s, no padding; global (ow, oh, c) over the output. A
 * NaN wins, as in PyTorch's max_pool2d. */
__kernel void max_pool (__global const float *in, int in_c0, int h, int w,
    __global float *out, int out_c0, int oh, int ow, int k, int s)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int ch = get_global_id (2);
  __global const float *p = in + (size_t) (in_c0 + ch) * h * w
      + (size_t) y * s * w + x * s;
  float m = p[0];
  for (int i = 0; i < k; i++)
    for (int j = 0; j < k; j++) {
      const float v = p[(size_t) i * w + j];
      m = v > m || isnan (v) ? v : m;
    }
  out[(size_t) (out_c0 + ch) * oh * ow + (size_t) y * ow + x] = m;
}

/* Global average, first pass: sums[ch * h + y] = the sum of row y of
 * channel ch; global (h, c). */
__kernel void row_sum (__global const float *in, int in_c0, int h, int w,
    __global float *sums)
{
  const int y = get_global_id (0), ch = get_global_id (1);
  __global const float *p = in + (size_t) (in_c0 + ch) * h * w + (size_t) y * w;
  float acc = 0.0f;
  for (int x = 0; x < w; x++)
    acc += p[x];
  sums[(size_t) ch * h + y] = acc;
}

/* Second pass: out (ch) = the sum of the row sums / (h * w); global (c). */
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
 * global (plane). in and out may be the same view: each work-item reads
 * only the pixel it writes. */
__kernel void l2_normalize (__global const float *in, int in_c0,
    __global float *out, int out_c0, int c, int plane, float eps)
{
  const size_t p = get_global_id (0);
  __global const float *src = in + (size_t) in_c0 * plane + p;
  __global float *dst = out + (size_t) out_c0 * plane + p;
  float ss = 0.0f;
  for (int ch = 0; ch < c; ch++) {
    const float v = src[(size_t) ch * plane];
    ss += v * v;
  }
  const float norm = sqrt (ss) + eps;
  for (int ch = 0; ch < c; ch++)
    dst[(size_t) ch * plane] = src[(size_t) ch * plane] / norm;
}
