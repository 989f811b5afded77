/* Frame <-> tensor conversion for packed 8-bit RGB-family formats (RGB,
 * BGR, RGBx, xRGB, RGBA, ...). The host passes the byte offsets of R, G, B
 * (and A) within a pixel, so one kernel pair covers the whole family.
 * Tensors are planar RGB float32 in [0,1] (DESIGN contract 1). */

/* dst[c][y][x] = src[(y0+y)*stride + (x0+x)*pstride + off_c] / 255 */
__kernel void upload_packed8 (__global const uchar *src, __global float *dst,
    int stride, int pstride, int off_r, int off_g, int off_b,
    int x0, int y0, int w, int h)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const __global uchar *p = src + (size_t) (y0 + y) * stride + (size_t) (x0 + x) * pstride;
  const size_t plane = (size_t) w * h, i = (size_t) y * w + x;
  dst[i] = p[off_r] / 255.0f;
  dst[plane + i] = p[off_g] / 255.0f;
  dst[2 * plane + i] = p[off_b] / 255.0f;
}

/* round_mode 0: half to even (torch.round, NumPy); 1: half away from zero
 * (MATLAB's uint8 conversion). Values are clamped to [0,1] first. */
inline uchar
to_u8 (float v, int round_mode)
{
  const float s = clamp (v, 0.0f, 1.0f) * 255.0f;
  return (uchar) (round_mode ? round (s) : rint (s));
}

__kernel void download_packed8 (__global const float *src, __global uchar *dst,
    int stride, int pstride, int off_r, int off_g, int off_b, int off_a,
    int w, int h, int round_mode)
{
  const int x = get_global_id (0), y = get_global_id (1);
  __global uchar *p = dst + (size_t) y * stride + (size_t) x * pstride;
  const size_t plane = (size_t) w * h, i = (size_t) y * w + x;
  p[off_r] = to_u8 (src[i], round_mode);
  p[off_g] = to_u8 (src[plane + i], round_mode);
  p[off_b] = to_u8 (src[2 * plane + i], round_mode);
  if (off_a >= 0)
    p[off_a] = 255;
}
