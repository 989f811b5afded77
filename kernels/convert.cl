/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Frame <-> tensor conversion for packed 8-bit RGB-family formats (RGB,
 * BGR, RGBx, xRGB, RGBA, ...). The host passes the byte offsets of R, G, B
 * (and A) within a pixel, so one kernel pair covers the whole family.
 * Tensors are planar RGB float32 in [0,1], as every op expects. */

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
 * (MATLAB's uint8 conversion) for 0 <= s <= 255: half to even, then the
 * ties that went down go up. Half to even as s + 1.5 * 2^23 - 1.5 * 2^23
 * (float's spacing is 1 there, so the add rounds to an integer exactly as
 * rint does, for |s| < 2^22): PoCL calls rint () out of line, which kept
 * the download scalar (1080p bicubic: download 1.3 -> 0.55 ms). */
inline float
round_level (float s, int round_mode)
{
  const float r = (s + 12582912.0f) - 12582912.0f;
  return round_mode && s - r == 0.5f ? r + 1.0f : r;
}

/* Values are clamped to [0,1] first. */
inline uchar
to_u8 (float v, int round_mode)
{
  return (uchar) round_level (clamp (v, 0.0f, 1.0f) * 255.0f, round_mode);
}

/* The w x h rect at (sx, sy) of src ([1,3,sh,sw]) into dst, stride bytes
 * per row. */
__kernel void download_packed8 (__global const float *src, __global uchar *dst,
    int stride, int pstride, int off_r, int off_g, int off_b, int off_a,
    int sx, int sy, int sw, int sh, int round_mode)
{
  const int x = get_global_id (0), y = get_global_id (1);
  __global uchar *p = dst + (size_t) y * stride + (size_t) x * pstride;
  const size_t plane = (size_t) sw * sh, i = (size_t) (sy + y) * sw + sx + x;
  p[off_r] = to_u8 (src[i], round_mode);
  p[off_g] = to_u8 (src[plane + i], round_mode);
  p[off_b] = to_u8 (src[2 * plane + i], round_mode);
  if (off_a >= 0)
    p[off_a] = 255;
}

/* ---- 8-bit YUV and gray ---------------------------------------------------
 *
 * One kernel pair covers planar (I420, YV12, Y42B, Y444), semi-planar (NV12,
 * NV21), packed 4:2:2 (YUY2, UYVY, YVYU) and GRAY8: the families differ only
 * in where each sample lives, which the host passes per component as
 * (base, stride, pstride, offset): sample (i, j) of a component is the byte
 * src[base + j*stride + i*pstride + offset]. GRAY8 has no chroma
 * (has_chroma = 0) and behaves as if Pb = Pr = 0, i.e. R = G = B = Y'.
 *
 * Colour (as GStreamer's video-converter: YCbCr matrices, ITU-R BT.601 /
 * BT.709 / BT.2020 form): range = (Y offset, Y scale, C offset, C scale) in
 * 8-bit levels, k = (Kr, Kb):
 *   Y' = (Y - yo) / ys, Pb = (U - co) / cs, Pr = (V - co) / cs
 *   R = Y' + 2(1-Kr) Pr, B = Y' + 2(1-Kb) Pb, G = (Y' - Kr R - Kb B) / Kg
 * and the inverse on download. */

inline float
yuv_sample (__global const uchar *src, int4 c, int i, int j)
{
  return src[(long) c.s0 + (long) j * c.s1 + (long) i * c.s2 + c.s3];
}

/* Chroma position of luma column x on one axis: the two neighbouring chroma
 * samples and the weight of the second. Cosited chroma sits on even luma
 * samples (MPEG-2 horizontally), centred chroma between them (JPEG). */
inline int
chroma_taps (int x, int sub, int cosited, int n, int *i1, float *f)
{
  if (sub == 0) {
    *i1 = x;
    *f = 0.0f;
    return x;
  }
  const float s = (float) (1 << sub);
  const float pos = cosited ? x / s : (x + 0.5f) / s - 0.5f;
  const float fl = floor (pos);
  *f = pos - fl;
  *i1 = clamp ((int) fl + 1, 0, n - 1);
  return clamp ((int) fl, 0, n - 1);
}

/* dst (planar RGB [0,1]) = the w x h region at (x0, y0) of the frame, chroma
 * upsampled bilinearly (edge samples repeated), RGB clamped to [0,1]. cw, ch:
 * the whole frame's chroma plane size, so crops of any parity interpolate
 * from the true neighbours. cosite: bit 0 horizontal, bit 1 vertical. */
__kernel void upload_yuv8 (__global const uchar *src, __global float *dst,
    int4 cy, int4 cu, int4 cv, int has_chroma, int sub_w, int sub_h,
    int cosite, int cw, int ch, float4 range, float2 k,
    int x0, int y0, int w, int h)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int X = x0 + x, Y = y0 + y;
  const float yn = (yuv_sample (src, cy, X, Y) - range.s0) / range.s1;
  float pb = 0.0f, pr = 0.0f;
  if (has_chroma) {
    int i1, j1;
    float fx, fy;
    const int i0 = chroma_taps (X, sub_w, cosite & 1, cw, &i1, &fx);
    const int j0 = chroma_taps (Y, sub_h, cosite & 2, ch, &j1, &fy);
    const float u = mix (mix (yuv_sample (src, cu, i0, j0), yuv_sample (src, cu, i1, j0), fx),
        mix (yuv_sample (src, cu, i0, j1), yuv_sample (src, cu, i1, j1), fx), fy);
    const float v = mix (mix (yuv_sample (src, cv, i0, j0), yuv_sample (src, cv, i1, j0), fx),
        mix (yuv_sample (src, cv, i0, j1), yuv_sample (src, cv, i1, j1), fx), fy);
    pb = (u - range.s2) / range.s3;
    pr = (v - range.s2) / range.s3;
  }
  const float r = yn + 2.0f * (1.0f - k.s0) * pr;
  const float b = yn + 2.0f * (1.0f - k.s1) * pb;
  const float g = (yn - k.s0 * r - k.s1 * b) / (1.0f - k.s0 - k.s1);
  const size_t plane = (size_t) w * h, i = (size_t) y * w + x;
  dst[i] = clamp (r, 0.0f, 1.0f);
  dst[plane + i] = clamp (g, 0.0f, 1.0f);
  dst[2 * plane + i] = clamp (b, 0.0f, 1.0f);
}

/* A level in [0,255] rounded as round_mode asks (see to_u8). */
inline uchar
level_u8 (float v, int round_mode)
{
  return (uchar) round_level (clamp (v, 0.0f, 255.0f), round_mode);
}

/* One work item per chroma sample (bx, by): writes the luma of the up to
 * 2^sub_w x 2^sub_h pixels it covers and, as its chroma, the mean Pb / Pr of
 * those pixels (a box filter; for cosited chroma this ignores the half-pixel
 * offset). RGB is clamped to [0,1] first. */
__kernel void download_yuv8 (__global const float *src, __global uchar *dst,
    int4 cy, int4 cu, int4 cv, int has_chroma, int sub_w, int sub_h,
    float4 range, float2 k, int w, int h, int round_mode)
{
  const int bx = get_global_id (0), by = get_global_id (1);
  const size_t plane = (size_t) w * h;
  const float kg = 1.0f - k.s0 - k.s1;
  const int xe = min (w, (bx + 1) << sub_w), ye = min (h, (by + 1) << sub_h);
  float sb = 0.0f, sr = 0.0f;
  int n = 0;
  for (int Y = by << sub_h; Y < ye; Y++)
    for (int X = bx << sub_w; X < xe; X++) {
      const size_t i = (size_t) Y * w + X;
      const float r = clamp (src[i], 0.0f, 1.0f);
      const float g = clamp (src[plane + i], 0.0f, 1.0f);
      const float b = clamp (src[2 * plane + i], 0.0f, 1.0f);
      const float yn = k.s0 * r + kg * g + k.s1 * b;
      dst[(long) cy.s0 + (long) Y * cy.s1 + (long) X * cy.s2 + cy.s3] =
          level_u8 (range.s0 + range.s1 * yn, round_mode);
      sb += (b - yn) / (2.0f * (1.0f - k.s1));
      sr += (r - yn) / (2.0f * (1.0f - k.s0));
      n++;
    }
  if (!has_chroma)
    return;
  dst[(long) cu.s0 + (long) by * cu.s1 + (long) bx * cu.s2 + cu.s3] =
      level_u8 (range.s2 + range.s3 * (sb / n), round_mode);
  dst[(long) cv.s0 + (long) by * cv.s1 + (long) bx * cv.s2 + cv.s3] =
      level_u8 (range.s2 + range.s3 * (sr / n), round_mode);
}
