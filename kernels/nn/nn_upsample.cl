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
 * coordinate (d + 0.5) / s - 0.5 clamped at 0, the second neighbour
 * clamped to the last row / column. inv = (float) (1.0 / s), rounded as
 * PyTorch rounds it. */
__kernel void upsample_bilinear (__global const float *in, int in_c0,
    __global float *out, int out_c0, int h, int w, int s, float inv)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int ch = get_global_id (2);
  const float sy = fmax ((y + 0.5f) * inv - 0.5f, 0.0f);
  const float sx = fmax ((x + 0.5f) * inv - 0.5f, 0.0f);
  const int y0 = (int) sy, x0 = (int) sx;
  const int y1 = min (y0 + 1, h - 1), x1 = min (x0 + 1, w - 1);
  const float ly = sy - y0, lx = sx - x0;
  __global const float *p = in + (size_t) (in_c0 + ch) * h * w;
  const float top = (1.0f - lx) * p[(size_t) y0 * w + x0] + lx * p[(size_t) y0 * w + x1];
  const float bot = (1.0f - lx) * p[(size_t) y1 * w + x0] + lx * p[(size_t) y1 * w + x1];
  const int ow = w * s;
  out[(size_t) (out_c0 + ch) * h * s * ow + (size_t) y * ow + x] =
      (1.0f - ly) * top + ly * bot;
}
