/* JPEG round trip (spec/degradations.md A.8, B.7) in three passes over
 * planar RGB [N,3,H,W] in [0,1]:
 *   jpeg_luma    one work-item per 8x8 Y block: colour conversion, DCT,
 *                quantise, dequantise, IDCT -> decoded Y plane (Hp x Wp);
 *   jpeg_chroma  one work-item per 16x16 MCU: Cb/Cr 2x2 downsampling, then
 *                the same block round trip -> decoded Cb, Cr (Hp/2 x Wp/2);
 *   jpeg_merge   one work-item per output pixel: chroma upsampling, YCbCr ->
 *                RGB, clamp, /255, crop to H x W.
 * Hp, Wp are H, W rounded up to 16 (one 4:2:0 MCU). Splitting the passes
 * keeps every work-item independent (no local memory, good on PoCL) and
 * lets dst alias src.
 *
 * mode 0 (DiffJPEG, BasicSR diffjpeg.py): float throughout, black padding,
 * tables T * factor, round-half-even quantisation, 2x2 mean chroma,
 * nearest upsampling, unrounded output.
 * mode 1 (libjpeg imitation): libjpeg's integer steps where they are cheap
 * (jccolor/jcsample/jdsample/jdcolor fixed point, 8-bit samples between
 * stages), IJG integer tables, edge-replicated padding, fancy upsampling;
 * only the DCT stays float (libjpeg uses the integer "islow" one). */

/* cosm[u*8+x] = a(u)/2 * cos((2x+1) u pi / 16), a(0) = 1/sqrt(2): the 2-D
 * DCT F = C f C^T equals A.8.5's 0.25 a(u) a(v) double sum. tables: Annex K
 * luminance natural order, its transpose (BasicSR), chrominance. */

#define TAB_LUMA_T 64
#define TAB_CHROMA 128

/* f: 8x8 samples (row-major, [x][y] = [row][col]) already shifted by -128;
 * replaced by the decoded block, still shifted. */
inline void
block_round_trip (float *f, __constant const float *cosm,
    __constant const int *table, float factor, int ijg_scale, int mode)
{
  float t[64];
  /* t = C f: columns first (u pairs with the row index x). */
  for (int u = 0; u < 8; u++)
    for (int y = 0; y < 8; y++) {
      float acc = 0.0f;
      for (int x = 0; x < 8; x++)
        acc += cosm[u * 8 + x] * f[x * 8 + y];
      t[u * 8 + y] = acc;
    }
  /* F = t C^T, quantised and dequantised in place into f. */
  for (int u = 0; u < 8; u++)
    for (int v = 0; v < 8; v++) {
      float acc = 0.0f;
      for (int y = 0; y < 8; y++)
        acc += t[u * 8 + y] * cosm[v * 8 + y];
      const int tv = table[u * 8 + v];
      float d;
      float qc;
      if (mode == 0) {
        d = (float) tv * factor;            /* BasicSR: table * factor, float */
        qc = rint (acc / d);                /* torch.round: half to even */
      } else {
        d = (float) clamp ((tv * ijg_scale + 50) / 100, 1, 255);
        qc = round (acc / d);               /* jcdctmgr: half away from zero */
      }
      f[u * 8 + v] = qc * d;
    }
  /* IDCT: f = C^T F C. */
  for (int x = 0; x < 8; x++)
    for (int v = 0; v < 8; v++) {
      float acc = 0.0f;
      for (int u = 0; u < 8; u++)
        acc += cosm[u * 8 + x] * f[u * 8 + v];
      t[x * 8 + v] = acc;
    }
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++) {
      float acc = 0.0f;
      for (int v = 0; v < 8; v++)
        acc += t[x * 8 + v] * cosm[v * 8 + y];
      f[x * 8 + y] = acc;
    }
}

/* The padded-image pixel (py, px) of plane set `img`, as 0..255 values:
 * mode 0 zero-pads (black) and keeps floats; mode 1 replicates the edge
 * and rounds to 8 bits (an 8-bit source frame). */
inline float3
load_rgb (__global const float *img, int h, int w, int py, int px, int mode)
{
  const size_t plane = (size_t) h * w;
  if (mode == 0) {
    if (py >= h || px >= w)
      return (float3) (0.0f);
    const size_t i = (size_t) py * w + px;
    /* DiffJPEG callers clamp to [0,1] first (spec A.6.2 steps 5, 9). */
    return clamp ((float3) (img[i], img[plane + i], img[2 * plane + i]), 0.0f, 1.0f) * 255.0f;
  }
  const size_t i = (size_t) min (py, h - 1) * w + min (px, w - 1);
  const float3 v = (float3) (img[i], img[plane + i], img[2 * plane + i]);
  return rint (clamp (v, 0.0f, 1.0f) * 255.0f);
}

/* jccolor.c rgb_ycc: 16-bit fixed point, results 0..255. */
inline int
ijg_y (int3 c)
{
  return (19595 * c.x + 38470 * c.y + 7471 * c.z + 32768) >> 16;
}

inline int
ijg_cb (int3 c)
{
  return (-11059 * c.x - 21709 * c.y + 32768 * c.z + (128 << 16) + 32767) >> 16;
}

inline int
ijg_cr (int3 c)
{
  return (32768 * c.x - 27439 * c.y - 5329 * c.z + (128 << 16) + 32767) >> 16;
}

/* Decoded block sample (shifted by -128) back to a stored sample. */
inline float
store_sample (float v, int mode)
{
  /* libjpeg's IDCT descales with rounding and range-limits to 8 bits. */
  return mode == 0 ? v + 128.0f : clamp (floor (v + 128.5f), 0.0f, 255.0f);
}

/* global: (Wp/8, Hp/8, N). yplane: [N, Hp, Wp]. */
__kernel void
jpeg_luma (__global const float *src, __global float *yplane, int h, int w,
    int hp, int wp, __constant const float *cosm,
    __constant const int *tables, int luma_off, float factor, int ijg_scale,
    int mode)
{
  const int bx = get_global_id (0), by = get_global_id (1), n = get_global_id (2);
  __global const float *img = src + (size_t) n * 3 * h * w;
  float f[64];
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++) {
      const float3 c = load_rgb (img, h, w, by * 8 + x, bx * 8 + y, mode);
      float v;
      if (mode == 0)
        v = 0.299f * c.x + 0.587f * c.y + 0.114f * c.z;
      else
        v = (float) ijg_y (convert_int3 (c));
      f[x * 8 + y] = v - 128.0f;
    }
  block_round_trip (f, cosm, tables + luma_off, factor, ijg_scale, mode);
  __global float *out = yplane + (size_t) n * hp * wp;
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++)
      out[(size_t) (by * 8 + x) * wp + bx * 8 + y] = store_sample (f[x * 8 + y], mode);
}

/* global: (Wp/16, Hp/16, N). cplane: [N, 2, Hp/2, Wp/2] (Cb, Cr). */
__kernel void
jpeg_chroma (__global const float *src, __global float *cplane, int h, int w,
    int hp, int wp, __constant const float *cosm,
    __constant const int *tables, float factor, int ijg_scale, int mode)
{
  const int bx = get_global_id (0), by = get_global_id (1), n = get_global_id (2);
  __global const float *img = src + (size_t) n * 3 * h * w;
  float cb[64], cr[64];
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++) {
      const int py = by * 16 + 2 * x, px = bx * 16 + 2 * y;
      float sb = 0.0f, sr = 0.0f;
      int ib = 0, ir = 0;
      for (int k = 0; k < 4; k++) {
        const float3 c = load_rgb (img, h, w, py + (k >> 1), px + (k & 1), mode);
        if (mode == 0) {
          sb += -0.168736f * c.x - 0.331264f * c.y + 0.5f * c.z + 128.0f;
          sr += 0.5f * c.x - 0.418688f * c.y - 0.081312f * c.z + 128.0f;
        } else {
          const int3 ci = convert_int3 (c);
          ib += ijg_cb (ci);
          ir += ijg_cr (ci);
        }
      }
      if (mode == 0) {
        cb[x * 8 + y] = sb * 0.25f - 128.0f;        /* avg_pool2d(2) */
        cr[x * 8 + y] = sr * 0.25f - 128.0f;
      } else {
        /* jcsample.c h2v2_downsample: bias 1, 2, 1, 2 along each row. */
        const int bias = ((bx * 8 + y) & 1) ? 2 : 1;
        cb[x * 8 + y] = (float) ((ib + bias) >> 2) - 128.0f;
        cr[x * 8 + y] = (float) ((ir + bias) >> 2) - 128.0f;
      }
    }
  block_round_trip (cb, cosm, tables + TAB_CHROMA, factor, ijg_scale, mode);
  block_round_trip (cr, cosm, tables + TAB_CHROMA, factor, ijg_scale, mode);
  const int ch = hp / 2, cw = wp / 2;
  __global float *ob = cplane + (size_t) n * 2 * ch * cw, *orr = ob + (size_t) ch * cw;
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++) {
      const size_t i = (size_t) (by * 8 + x) * cw + bx * 8 + y;
      ob[i] = store_sample (cb[x * 8 + y], mode);
      orr[i] = store_sample (cr[x * 8 + y], mode);
    }
}

/* jdsample.c h2v2_fancy_upsample at output pixel (y, x): 3:1 weights on
 * the nearest and next-nearest chroma rows/columns, edges replicated at the
 * real chroma extent (ceil(H/2) x ceil(W/2)), its +8 / +7 rounding. */
inline int
fancy_sample (__global const float *c, int cw_stride, int ch, int cw, int y,
    int x)
{
  const int i = y >> 1, j = x >> 1;
  const int in = clamp (i + ((y & 1) ? 1 : -1), 0, ch - 1);
  const int jn = clamp (j + ((x & 1) ? 1 : -1), 0, cw - 1);
  const __global float *r0 = c + (size_t) i * cw_stride, *r1 = c + (size_t) in * cw_stride;
  const int this_sum = 3 * (int) r0[j] + (int) r1[j];
  const int next_sum = 3 * (int) r0[jn] + (int) r1[jn];
  return (3 * this_sum + next_sum + ((x & 1) ? 7 : 8)) >> 4;
}

/* global: (W, H, N). */
__kernel void
jpeg_merge (__global const float *yplane, __global const float *cplane,
    __global float *dst, int h, int w, int hp, int wp, int mode)
{
  const int x = get_global_id (0), y = get_global_id (1), n = get_global_id (2);
  const int ch = hp / 2, cw = wp / 2;
  const float yv = yplane[(size_t) n * hp * wp + (size_t) y * wp + x];
  __global const float *cb = cplane + (size_t) n * 2 * ch * cw;
  __global const float *cr = cb + (size_t) ch * cw;
  const size_t plane = (size_t) h * w, o = (size_t) n * 3 * plane + (size_t) y * w + x;
  if (mode == 0) {
    const size_t ci = (size_t) (y >> 1) * cw + (x >> 1);   /* nearest, 2x2 */
    const float b = cb[ci] - 128.0f, r = cr[ci] - 128.0f;
    const float3 rgb = (float3) (yv + 1.402f * r,
        yv - 0.344136f * b - 0.714136f * r, yv + 1.772f * b);
    const float3 out = clamp (rgb, 0.0f, 255.0f) / 255.0f;
    dst[o] = out.x;
    dst[o + plane] = out.y;
    dst[o + 2 * plane] = out.z;
    return;
  }
  const int rch = (h + 1) / 2, rcw = (w + 1) / 2;
  const int b = fancy_sample (cb, cw, rch, rcw, y, x) - 128;
  const int r = fancy_sample (cr, cw, rch, rcw, y, x) - 128;
  const int yi = (int) yv;
  /* jdcolor.c ycc_rgb: FIX(1.402), FIX(0.34414), FIX(0.71414), FIX(1.772). */
  const int rv = yi + ((91881 * r + 32768) >> 16);
  const int gv = yi + ((-22554 * b - 46802 * r + 32768) >> 16);
  const int bv = yi + ((116130 * b + 32768) >> 16);
  dst[o] = (float) clamp (rv, 0, 255) / 255.0f;
  dst[o + plane] = (float) clamp (gv, 0, 255) / 255.0f;
  dst[o + 2 * plane] = (float) clamp (bv, 0, 255) / 255.0f;
}
