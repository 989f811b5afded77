/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JPEG round trip (BasicSR diffjpeg.py DiffJPEG; libjpeg-turbo's
 * jccolor/jfdctint/jidctint/jdsample path) over planar RGB
 * [N,3,H,W] in [0,1], in three passes per variant:
 *   *_luma    one work-item per 8x8 Y block: colour conversion, DCT,
 *             quantise, dequantise, IDCT -> decoded Y plane (Hp x Wp);
 *   *_chroma  one work-item per 16x16 MCU: Cb/Cr 2x2 downsampling, then
 *             the same block round trip -> decoded Cb, Cr (Hp/2 x Wp/2);
 *   *_merge   one work-item per output pixel: chroma upsampling, YCbCr ->
 *             RGB, clamp, /255, crop to H x W.
 * Hp, Wp are H, W rounded up to 16 (one 4:2:0 MCU). Splitting the passes
 * keeps every work-item independent (no local memory, good on PoCL) and
 * lets dst alias src.
 *
 * jpeg_* (DiffJPEG, BasicSR diffjpeg.py): float throughout, black padding,
 * tables T * factor, round-half-even quantisation, 2x2 mean chroma,
 * nearest upsampling, unrounded output.
 * ijg_* (libjpeg): libjpeg-turbo 2.1's default 8-bit 4:2:0 baseline path
 * in int32, step for step, so the result is bit-exact: jccolor rgb_ycc,
 * jcprepct/jcsample edge expansion and biased h2v2 downsampling, jfdctint
 * islow, jcdctmgr rounding, jidctint islow, jdsample h2v2 fancy
 * upsampling, jdcolor ycc_rgb; 8-bit planes between the passes. */

/* cosm[u*8+x] = a(u)/2 * cos((2x+1) u pi / 16), a(0) = 1/sqrt(2): the 2-D
 * DCT F = C f C^T equals DiffJPEG's 0.25 a(u) a(v) double sum (BasicSR
 * diffjpeg.py, DCT8x8). tables: Annex K
 * luminance natural order, its transpose (BasicSR), chrominance. */

#define TAB_LUMA_T 64
#define TAB_CHROMA 128
#define TAB_LUMA 0

/* ---- DiffJPEG (float) ---------------------------------------------------- */

/* f: 8x8 samples (row-major, [x][y] = [row][col]) already shifted by -128;
 * replaced by the decoded block, still shifted. */
inline void
block_round_trip (float *f, __constant const float *cosm,
    __constant const int *table, float factor)
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
      const float d = (float) table[u * 8 + v] * factor;  /* BasicSR: float */
      f[u * 8 + v] = rint (acc / d) * d;    /* torch.round: half to even */
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

/* The padded-image pixel (py, px) as 0..255 floats, black outside. */
inline float3
load_rgb_black (__global const float *img, int h, int w, int py, int px)
{
  const size_t plane = (size_t) h * w;
  if (py >= h || px >= w)
    return (float3) (0.0f);
  const size_t i = (size_t) py * w + px;
  /* DiffJPEG callers clamp to [0,1] first (Real-ESRGAN realesrgan_model.py feed_data: torch.clamp before each DiffJPEG). */
  return clamp ((float3) (img[i], img[plane + i], img[2 * plane + i]), 0.0f, 1.0f) * 255.0f;
}

/* global: (Wp/8, Hp/8, N). yplane: [N, Hp, Wp]. */
__kernel void
jpeg_luma (__global const float *src, __global float *yplane, int h, int w,
    int hp, int wp, __constant const float *cosm,
    __constant const int *tables, int luma_off, float factor)
{
  const int bx = get_global_id (0), by = get_global_id (1), n = get_global_id (2);
  __global const float *img = src + (size_t) n * 3 * h * w;
  float f[64];
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++) {
      const float3 c = load_rgb_black (img, h, w, by * 8 + x, bx * 8 + y);
      const float v = 0.299f * c.x + 0.587f * c.y + 0.114f * c.z;
      f[x * 8 + y] = v - 128.0f;
    }
  block_round_trip (f, cosm, tables + luma_off, factor);
  __global float *out = yplane + (size_t) n * hp * wp;
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++)
      out[(size_t) (by * 8 + x) * wp + bx * 8 + y] = f[x * 8 + y] + 128.0f;
}

/* global: (Wp/16, Hp/16, N). cplane: [N, 2, Hp/2, Wp/2] (Cb, Cr). */
__kernel void
jpeg_chroma (__global const float *src, __global float *cplane, int h, int w,
    int hp, int wp, __constant const float *cosm,
    __constant const int *tables, float factor)
{
  const int bx = get_global_id (0), by = get_global_id (1), n = get_global_id (2);
  __global const float *img = src + (size_t) n * 3 * h * w;
  float cb[64], cr[64];
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++) {
      const int py = by * 16 + 2 * x, px = bx * 16 + 2 * y;
      float sb = 0.0f, sr = 0.0f;
      for (int k = 0; k < 4; k++) {
        const float3 c = load_rgb_black (img, h, w, py + (k >> 1), px + (k & 1));
        sb += -0.168736f * c.x - 0.331264f * c.y + 0.5f * c.z + 128.0f;
        sr += 0.5f * c.x - 0.418688f * c.y - 0.081312f * c.z + 128.0f;
      }
      cb[x * 8 + y] = sb * 0.25f - 128.0f;        /* avg_pool2d(2) */
      cr[x * 8 + y] = sr * 0.25f - 128.0f;
    }
  block_round_trip (cb, cosm, tables + TAB_CHROMA, factor);
  block_round_trip (cr, cosm, tables + TAB_CHROMA, factor);
  const int ch = hp / 2, cw = wp / 2;
  __global float *ob = cplane + (size_t) n * 2 * ch * cw, *orr = ob + (size_t) ch * cw;
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++) {
      const size_t i = (size_t) (by * 8 + x) * cw + bx * 8 + y;
      ob[i] = cb[x * 8 + y] + 128.0f;
      orr[i] = cr[x * 8 + y] + 128.0f;
    }
}

/* global: (W, H, N). Nearest (2x2) chroma upsampling. */
__kernel void
jpeg_merge (__global const float *yplane, __global const float *cplane,
    __global float *dst, int h, int w, int hp, int wp)
{
  const int x = get_global_id (0), y = get_global_id (1), n = get_global_id (2);
  const int ch = hp / 2, cw = wp / 2;
  const float yv = yplane[(size_t) n * hp * wp + (size_t) y * wp + x];
  __global const float *cb = cplane + (size_t) n * 2 * ch * cw;
  __global const float *cr = cb + (size_t) ch * cw;
  const size_t plane = (size_t) h * w, o = (size_t) n * 3 * plane + (size_t) y * w + x;
  const size_t ci = (size_t) (y >> 1) * cw + (x >> 1);
  const float b = cb[ci] - 128.0f, r = cr[ci] - 128.0f;
  const float3 rgb = (float3) (yv + 1.402f * r,
      yv - 0.344136f * b - 0.714136f * r, yv + 1.772f * b);
  const float3 out = clamp (rgb, 0.0f, 255.0f) / 255.0f;
  dst[o] = out.x;
  dst[o + plane] = out.y;
  dst[o + 2 * plane] = out.z;
}

/* ---- libjpeg-turbo (int32) ----------------------------------------------- */

/* jfdctint.c / jidctint.c fixed point: constants scaled by 2^13, first-pass
 * outputs kept 2 bits finer. Intermediates fit int32 (jfdctint.c: 8 + 13 +
 * 2 <= 26 bits); >> on negative ints is arithmetic in every OpenCL
 * compiler we target, as libjpeg's RIGHT_SHIFT assumes. */
#define CONST_BITS 13
#define PASS1_BITS 2
#define F_0_298 2446
#define F_0_390 3196
#define F_0_541 4433
#define F_0_765 6270
#define F_0_899 7373
#define F_1_175 9633
#define F_1_501 12299
#define F_1_847 15137
#define F_1_961 16069
#define F_2_053 16819
#define F_2_562 20995
#define F_3_072 25172

/* DESCALE: divide by 2^n rounding half up. */
inline int
descale (int x, int n)
{
  return (x + (1 << (n - 1))) >> n;
}

/* One 1-D forward DCT over d[0], d[s], .., d[7s] in place. Pass 0 (rows)
 * scales by 2^PASS1_BITS, DC and d[4] exactly (no rounding); pass 1
 * (columns) removes that scaling again, leaving the outputs 8x too big. */
inline void
fdct_1d (int *d, int s, int pass)
{
  int t0 = d[0] + d[7 * s], t7 = d[0] - d[7 * s];
  int t1 = d[s] + d[6 * s], t6 = d[s] - d[6 * s];
  int t2 = d[2 * s] + d[5 * s], t5 = d[2 * s] - d[5 * s];
  int t3 = d[3 * s] + d[4 * s], t4 = d[3 * s] - d[4 * s];
  const int t10 = t0 + t3, t13 = t0 - t3, t11 = t1 + t2, t12 = t1 - t2;
  const int sh = pass == 0 ? CONST_BITS - PASS1_BITS : CONST_BITS + PASS1_BITS;
  if (pass == 0) {
    d[0] = (t10 + t11) * (1 << PASS1_BITS);
    d[4 * s] = (t10 - t11) * (1 << PASS1_BITS);
  } else {
    d[0] = descale (t10 + t11, PASS1_BITS);
    d[4 * s] = descale (t10 - t11, PASS1_BITS);
  }
  const int e = (t12 + t13) * F_0_541;
  d[2 * s] = descale (e + t13 * F_0_765, sh);
  d[6 * s] = descale (e - t12 * F_1_847, sh);
  /* Odd part: t4..t7 are the paper's i0..i3. */
  const int z1 = (t4 + t7) * -F_0_899, z2 = (t5 + t6) * -F_2_562;
  const int z5 = (t4 + t6 + t5 + t7) * F_1_175;
  const int z3 = (t4 + t6) * -F_1_961 + z5, z4 = (t5 + t7) * -F_0_390 + z5;
  d[7 * s] = descale (t4 * F_0_298 + z1 + z3, sh);
  d[5 * s] = descale (t5 * F_2_053 + z2 + z4, sh);
  d[3 * s] = descale (t6 * F_3_072 + z2 + z3, sh);
  d[s] = descale (t7 * F_1_501 + z1 + z4, sh);
}

/* One 1-D inverse DCT from in[0], in[s], .. to out[0], out[s], ..,
 * descaled by 2^sh. (libjpeg's all-AC-zero shortcuts give the same
 * numbers, so they are not needed.) */
inline void
idct_1d (const int *in, int *out, int s, int sh)
{
  const int e = (in[2 * s] + in[6 * s]) * F_0_541;
  const int e2 = e - in[6 * s] * F_1_847, e3 = e + in[2 * s] * F_0_765;
  const int e0 = (in[0] + in[4 * s]) * (1 << CONST_BITS);
  const int e1 = (in[0] - in[4 * s]) * (1 << CONST_BITS);
  const int t10 = e0 + e3, t13 = e0 - e3, t11 = e1 + e2, t12 = e1 - e2;
  int o0 = in[7 * s], o1 = in[5 * s], o2 = in[3 * s], o3 = in[s];
  const int z1 = (o0 + o3) * -F_0_899, z2 = (o1 + o2) * -F_2_562;
  const int z5 = (o0 + o2 + o1 + o3) * F_1_175;
  const int z3 = (o0 + o2) * -F_1_961 + z5, z4 = (o1 + o3) * -F_0_390 + z5;
  o0 = o0 * F_0_298 + z1 + z3;
  o1 = o1 * F_2_053 + z2 + z4;
  o2 = o2 * F_3_072 + z2 + z3;
  o3 = o3 * F_1_501 + z1 + z4;
  out[0] = descale (t10 + o3, sh);
  out[7 * s] = descale (t10 - o3, sh);
  out[s] = descale (t11 + o2, sh);
  out[6 * s] = descale (t11 - o2, sh);
  out[2 * s] = descale (t12 + o1, sh);
  out[5 * s] = descale (t12 - o1, sh);
  out[3 * s] = descale (t13 + o0, sh);
  out[4 * s] = descale (t13 - o0, sh);
}

/* Encode and decode one block: f holds 8-bit samples (row-major) on entry
 * and the decoded 8-bit samples on return. table: Annex K, natural order,
 * scaled like jpeg_add_quant_table with force_baseline. */
inline void
ijg_block (int *f, __constant const int *table, int ijg_scale)
{
  int ws[64];
  for (int i = 0; i < 64; i++)
    f[i] -= 128;                              /* jcdctmgr convsamp */
  for (int r = 0; r < 8; r++)
    fdct_1d (f + r * 8, 1, 0);
  for (int c = 0; c < 8; c++)
    fdct_1d (f + c, 8, 1);
  for (int i = 0; i < 64; i++) {
    const int qv = clamp ((table[i] * ijg_scale + 50) / 100, 1, 255);
    /* jcdctmgr quantize: divisor 8 * qv, magnitude rounded half up.
     * libjpeg-turbo's reciprocal multiply gives the same quotient for
     * every divisor and |coefficient| < 2^15 (checked exhaustively). The
     * decoder multiplies back by qv (jidctint DEQUANTIZE). */
    const int d = qv * 8, a = (abs (f[i]) + (d >> 1)) / d;
    f[i] = (f[i] < 0 ? -a : a) * qv;
  }
  /* jidctint: columns, then rows. */
  for (int c = 0; c < 8; c++)
    idct_1d (f + c, ws + c, 8, CONST_BITS - PASS1_BITS);
  for (int r = 0; r < 8; r++)
    idct_1d (ws + r * 8, f + r * 8, 1, CONST_BITS + PASS1_BITS + 3);
  /* Range limit. libjpeg-turbo's SIMD IDCT (x86, Arm) saturates like
   * this; its C range_limit table agrees for -512 <= v < 512 and wraps
   * beyond, which only corrupt streams reach (sample error from
   * quantisation is far smaller). */
  for (int i = 0; i < 64; i++)
    f[i] = clamp (f[i], -128, 127) + 128;
}

/* Source pixel (py, px) clamped into the image, rounded to 8 bits the way
 * BSRGAN does before cv2.imencode: np.uint8((img.clip(0, 1) * 255.).round())
 * (round half to even; OpenCV's own float-to-8-bit conversion rounds the
 * same way). bgr: the frame is handed to libjpeg with R and B swapped, as
 * mmagic hands its RGB frames to OpenCV, which reads them as BGR. */
inline int3
load_rgb8 (__global const float *img, int h, int w, int py, int px, int bgr)
{
  const size_t plane = (size_t) h * w;
  const size_t i = (size_t) min (py, h - 1) * w + min (px, w - 1);
  const float3 v = bgr ? (float3) (img[2 * plane + i], img[plane + i], img[i])
      : (float3) (img[i], img[plane + i], img[2 * plane + i]);
  return convert_int3 (rint (clamp (v, 0.0f, 1.0f) * 255.0f));
}

/* jccolor.c rgb_ycc: FIX(x) = x * 2^16 rounded; Cb and Cr round with
 * 0.5 - epsilon so 255 cannot overflow. Results 0..255. */
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

/* global: (ceil(W/8), ceil(H/8), N). yplane: [N, Hp, Wp] u8. jcprepct and
 * jcsample's fullsize_downsample replicate the last row and column out to
 * whole blocks; blocks beyond them (MCU padding) are dummies libjpeg never
 * outputs, so they are not computed. */
__kernel void
ijg_luma (__global const float *src, __global uchar *yplane, int h, int w,
    int hp, int wp, __constant const int *tables, int ijg_scale, int bgr)
{
  const int bx = get_global_id (0), by = get_global_id (1), n = get_global_id (2);
  __global const float *img = src + (size_t) n * 3 * h * w;
  int f[64];
  for (int r = 0; r < 8; r++)
    for (int c = 0; c < 8; c++)
      f[r * 8 + c] = ijg_y (load_rgb8 (img, h, w, by * 8 + r, bx * 8 + c, bgr));
  ijg_block (f, tables + TAB_LUMA, ijg_scale);
  __global uchar *out = yplane + (size_t) n * hp * wp;
  for (int r = 0; r < 8; r++)
    for (int c = 0; c < 8; c++)
      out[(size_t) (by * 8 + r) * wp + bx * 8 + c] = (uchar) f[r * 8 + c];
}

/* global: (Wp/16, Hp/16, N). cplane: [N, 2, Hp/2, Wp/2] u8 (Cb, Cr).
 * Chroma sample (i, j) = jcsample h2v2_downsample of full-size rows 2i,
 * 2i+1 and columns 2j, 2j+1 with bias 1, 2, 1, 2 along the row. The
 * full-size rows and columns are first padded by replication (odd H or W,
 * and columns out to the MCU: expand_right_edge); chroma rows past
 * ceil(H/2) repeat the last chroma row (jcprepct pads the downsampled
 * output, not the input, to the iMCU height). */
__kernel void
ijg_chroma (__global const float *src, __global uchar *cplane, int h, int w,
    int hp, int wp, __constant const int *tables, int ijg_scale, int bgr)
{
  const int bx = get_global_id (0), by = get_global_id (1), n = get_global_id (2);
  __global const float *img = src + (size_t) n * 3 * h * w;
  const int last_row = (h + 1) / 2 - 1;
  int cb[64], cr[64];
  for (int r = 0; r < 8; r++)
    for (int c = 0; c < 8; c++) {
      const int i = min (by * 8 + r, last_row), j = bx * 8 + c;
      int sb = (j & 1) ? 2 : 1, sr = sb;
      for (int k = 0; k < 4; k++) {
        const int3 p = load_rgb8 (img, h, w, 2 * i + (k >> 1), 2 * j + (k & 1), bgr);
        sb += ijg_cb (p);
        sr += ijg_cr (p);
      }
      cb[r * 8 + c] = sb >> 2;
      cr[r * 8 + c] = sr >> 2;
    }
  ijg_block (cb, tables + TAB_CHROMA, ijg_scale);
  ijg_block (cr, tables + TAB_CHROMA, ijg_scale);
  const int ch = hp / 2, cw = wp / 2;
  __global uchar *ob = cplane + (size_t) n * 2 * ch * cw, *orr = ob + (size_t) ch * cw;
  for (int r = 0; r < 8; r++)
    for (int c = 0; c < 8; c++) {
      const size_t o = (size_t) (by * 8 + r) * cw + bx * 8 + c;
      ob[o] = (uchar) cb[r * 8 + c];
      orr[o] = (uchar) cr[r * 8 + c];
    }
}

/* jdsample.c h2v2_fancy_upsample at output pixel (y, x): 3:1 weights on
 * the nearest and next-nearest chroma rows, then columns, +8 / +7
 * rounding. Neighbours are clamped to the real chroma extent ch x cw =
 * ceil(H/2) x ceil(W/2): jdmainct repeats the first and last rows as
 * context, and the first/last column formulas equal a repeated column.
 * jdsample.c installs the fancy method only for cw > 2; narrower chroma
 * gets h2v2_upsample, plain 2x2 replication. */
inline int
fancy_sample (__global const uchar *c, int stride, int ch, int cw, int y,
    int x)
{
  const int i = y >> 1, j = x >> 1;
  if (cw <= 2)
    return c[(size_t) i * stride + j];
  const int in = clamp (i + ((y & 1) ? 1 : -1), 0, ch - 1);
  const int jn = clamp (j + ((x & 1) ? 1 : -1), 0, cw - 1);
  __global const uchar *r0 = c + (size_t) i * stride, *r1 = c + (size_t) in * stride;
  const int this_sum = 3 * r0[j] + r1[j];
  const int next_sum = 3 * r0[jn] + r1[jn];
  return (3 * this_sum + next_sum + ((x & 1) ? 7 : 8)) >> 4;
}

/* global: (W, H, N). bgr: the decoded B goes back to plane 0 (see
 * load_rgb8). */
__kernel void
ijg_merge (__global const uchar *yplane, __global const uchar *cplane,
    __global float *dst, int h, int w, int hp, int wp, int bgr)
{
  const int x = get_global_id (0), y = get_global_id (1), n = get_global_id (2);
  const int ch = hp / 2, cw = wp / 2;
  const int yv = yplane[(size_t) n * hp * wp + (size_t) y * wp + x];
  __global const uchar *cb = cplane + (size_t) n * 2 * ch * cw;
  __global const uchar *cr = cb + (size_t) ch * cw;
  const int rch = (h + 1) / 2, rcw = (w + 1) / 2;
  const int b = fancy_sample (cb, cw, rch, rcw, y, x) - 128;
  const int r = fancy_sample (cr, cw, rch, rcw, y, x) - 128;
  /* jdcolor.c ycc_rgb: FIX(1.402), FIX(0.34414), FIX(0.71414), FIX(1.772);
   * the G term rounds once, after the sum. */
  const int rv = yv + ((91881 * r + 32768) >> 16);
  const int gv = yv + ((-22554 * b - 46802 * r + 32768) >> 16);
  const int bv = yv + ((116130 * b + 32768) >> 16);
  const size_t plane = (size_t) h * w, o = (size_t) n * 3 * plane + (size_t) y * w + x;
  dst[o + (bgr ? 2 * plane : 0)] = (float) clamp (rv, 0, 255) / 255.0f;
  dst[o + plane] = (float) clamp (gv, 0, 255) / 255.0f;
  dst[o + (bgr ? 0 : 2 * plane)] = (float) clamp (bv, 0, 255) / 255.0f;
}
