/* Integer-factor upsampling of channel views of [1,C,H,W] tensors; one
 * work-item per output element, global (s*w, s*h, c). */

__kernel void upsample_nearest (__global const float *in, int in_c0,
    __global float *out, int out_c0, int h, int w, int s)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int ch = get_global_id (2);
  const int ow = w * s;
  out[(size_t) (out_c0 + ch) * h * s * ow + (size_t) y * ow + x] =
      in[(size_t) (in_c0 + ch) * h * w + (size_t) (y / s) * w + x / s];
}

/* align_corners = False, as PyTorch's upsample_bilinear2d: source
 * coordinate (d + 0.5) / s - 0.5 = (2d + 1 - s) / 2s clamped at 0, the
 * second neighbour clamped to the last row / column. The integer form
 * gives the neighbour and the weight exactly (float coordinates, as
 * PyTorch computes them, lose ~ulp (d / s) of weight on large pictures). */
inline int
source (int d, int s, int n, int *i1, float *l)
{
  const int num = 2 * d + 1 - s, den = 2 * s;
  const int i0 = num > 0 ? num / den : 0;
  *l = num > 0 ? (float) (num - i0 * den) / (float) den : 0.0f;
  *i1 = min (i0 + 1, n - 1);
  return i0;
}

__kernel void upsample_bilinear (__global const float *in, int in_c0,
    __global float *out, int out_c0, int h, int w, int s)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int ch = get_global_id (2);
  int x1, y1;
  float lx, ly;
  const int y0 = source (y, s, h, &y1, &ly);
  const int x0 = source (x, s, w, &x1, &lx);
  __global const float *p = in + (size_t) (in_c0 + ch) * h * w;
  const float top = (1.0f - lx) * p[(size_t) y0 * w + x0] + lx * p[(size_t) y0 * w + x1];
  const float bot = (1.0f - lx) * p[(size_t) y1 * w + x0] + lx * p[(size_t) y1 * w + x1];
  const int ow = w * s;
  out[(size_t) (out_c0 + ch) * h * s * ow + (size_t) y * ow + x] =
      (1.0f - ly) * top + ly * bot;
}
