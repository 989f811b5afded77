/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* jpeg op vs (1) a plain-C double-precision DiffJPEG written from
 * BasicSR's diffjpeg.py (direct 4-D DCT sums, explicit padding and crop),
 * both luminance orientations, and (2) real libjpeg (the libjpeg-turbo
 * this test links): DiffJPEG within a PSNR bound,
 * LIBJPEG_TABLES byte for byte. */
#include <stdio.h>
#include <string.h>
#include <jpeglib.h>

#include "sr_jpeg.h"
#include "sr_test_util.h"


static const int tlum[64] = {
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
};

/* ---- reference DiffJPEG, double precision -------------------------------- */

static double
alpha (int u)
{
  return u == 0 ? 1.0 / sqrt (2.0) : 1.0;
}

/* Round half to even (torch.round). */
static double
round_even (double v)
{
  return nearbyint (v);         /* default rounding mode: to nearest even */
}

/* cosine[x][u] = cos((2x+1) u pi / 16) */
static double cosine[8][8];

/* DCT, quantise, dequantise, IDCT of one 8x8 block in place (diffjpeg.py's
 * DCT8x8, quantisation and IDCT8x8). */
static void
ref_block (double f[8][8], const double table[8][8], double factor)
{
  double F[8][8], g[8][8];
  if (cosine[0][0] == 0)
    for (int x = 0; x < 8; x++)
      for (int u = 0; u < 8; u++)
        cosine[x][u] = cos ((2 * x + 1) * u * M_PI / 16);
  for (int u = 0; u < 8; u++)
    for (int v = 0; v < 8; v++) {
      double s = 0;
      for (int x = 0; x < 8; x++)
        for (int y = 0; y < 8; y++)
          s += (f[x][y] - 128) * cosine[x][u] * cosine[y][v];
      s *= 0.25 * alpha (u) * alpha (v);
      const double d = table[u][v] * factor;
      F[u][v] = round_even (s / d) * d;
    }
  for (int x = 0; x < 8; x++)
    for (int y = 0; y < 8; y++) {
      double s = 0;
      for (int u = 0; u < 8; u++)
        for (int v = 0; v < 8; v++)
          s += alpha (u) * alpha (v) * F[u][v] * cosine[x][u] * cosine[y][v];
      g[x][y] = 0.25 * s + 128;
    }
  memcpy (f, g, sizeof g);
}

/* Whole-plane round trip: plane is hh x ww, both multiples of 8. */
static void
ref_plane (double *plane, int hh, int ww, const double table[8][8],
    double factor)
{
  double b[8][8];
  for (int by = 0; by < hh; by += 8)
    for (int bx = 0; bx < ww; bx += 8) {
      for (int x = 0; x < 8; x++)
        for (int y = 0; y < 8; y++)
          b[x][y] = plane[(size_t) (by + x) * ww + bx + y];
      ref_block (b, table, factor);
      for (int x = 0; x < 8; x++)
        for (int y = 0; y < 8; y++)
          plane[(size_t) (by + x) * ww + bx + y] = b[x][y];
    }
}

static void
ref_diffjpeg (const float *src, int h, int w, double q, gboolean basicsr,
    float *dst)
{
  const double factor = (q < 50 ? 5000 / q : 200 - 2 * q) / 100;
  const int hp = h % 16 ? h + 16 - h % 16 : h, wp = w % 16 ? w + 16 - w % 16 : w;
  const size_t np = (size_t) hp * wp, nc = np / 4, n = (size_t) h * w;
  double *Y = g_new (double, np), *cb = g_new (double, np), *cr = g_new (double, np);
  double *sb = g_new0 (double, nc), *sr = g_new0 (double, nc);
  double ty[8][8], tc[8][8];
  for (int u = 0; u < 8; u++)
    for (int v = 0; v < 8; v++) {
      ty[u][v] = basicsr ? tlum[v * 8 + u] : tlum[u * 8 + v];
      tc[u][v] = (u < 4 && v < 4) ? (int[]) { 17, 18, 24, 47, 18, 21, 26, 66,
            24, 26, 56, 99, 47, 66, 99, 99 }[u * 4 + v] : 99;
    }
  for (int y = 0; y < hp; y++)
    for (int x = 0; x < wp; x++) {
      double r = 0, g = 0, b = 0;       /* black padding */
      if (y < h && x < w) {
        r = src[(size_t) y * w + x] * 255.0;
        g = src[n + (size_t) y * w + x] * 255.0;
        b = src[2 * n + (size_t) y * w + x] * 255.0;
      }
      const size_t i = (size_t) y * wp + x;
      Y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
      cb[i] = -0.168736 * r - 0.331264 * g + 0.5 * b + 128;
      cr[i] = 0.5 * r - 0.418688 * g - 0.081312 * b + 128;
      const size_t ci = (size_t) (y / 2) * (wp / 2) + x / 2;
      sb[ci] += cb[i] / 4;
      sr[ci] += cr[i] / 4;
    }
  ref_plane (Y, hp, wp, ty, factor);
  ref_plane (sb, hp / 2, wp / 2, tc, factor);
  ref_plane (sr, hp / 2, wp / 2, tc, factor);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const double yy = Y[(size_t) y * wp + x];
      const size_t ci = (size_t) (y / 2) * (wp / 2) + x / 2;
      const double b = sb[ci] - 128, r = sr[ci] - 128;
      const double rgb[3] = { yy + 1.402 * r, yy - 0.344136 * b - 0.714136 * r,
        yy + 1.772 * b };
      for (int c = 0; c < 3; c++)
        dst[c * n + (size_t) y * w + x] = (float) (CLAMP (rgb[c], 0, 255) / 255);
    }
  g_free (Y);
  g_free (cb);
  g_free (cr);
  g_free (sb);
  g_free (sr);
}

/* ---- libjpeg ------------------------------------------------------------- */

/* Packed RGB8 <-> planar float [3,h,w]. */
static float *
rgb8_to_planar (const guint8 *rgb, int h, int w)
{
  const size_t n = (size_t) h * w;
  float *p = g_new (float, 3 * n);
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      p[c * n + i] = rgb[3 * i + c] / 255.0f;
  return p;
}

static guint8 *
decode_jpeg (const guint8 *data, size_t len, int *h, int *w)
{
  struct jpeg_decompress_struct d;
  struct jpeg_error_mgr err;
  d.err = jpeg_std_error (&err);
  jpeg_create_decompress (&d);
  jpeg_mem_src (&d, data, len);
  g_assert_cmpint (jpeg_read_header (&d, TRUE), ==, JPEG_HEADER_OK);
  d.out_color_space = JCS_RGB;
  jpeg_start_decompress (&d);
  *w = d.output_width;
  *h = d.output_height;
  guint8 *out = g_new (guint8, (size_t) *w * *h * 3);
  while (d.output_scanline < d.output_height) {
    JSAMPROW row = out + (size_t) d.output_scanline * *w * 3;
    jpeg_read_scanlines (&d, &row, 1);
  }
  jpeg_finish_decompress (&d);
  jpeg_destroy_decompress (&d);
  return out;
}

/* Encode at quality q (jpeg_set_quality(q, TRUE), 4:2:0, islow) and decode
 * with libjpeg's defaults (fancy upsampling). The pixels are read as
 * `space` (JCS_RGB, or JCS_EXT_BGR as OpenCV hands its BGR arrays over);
 * the decoded ones come back as RGB. */
static guint8 *
libjpeg_round_trip_as (const guint8 *rgb, int h, int w, int q, J_COLOR_SPACE space)
{
  struct jpeg_compress_struct c;
  struct jpeg_error_mgr err;
  unsigned char *buf = NULL;
  unsigned long len = 0;
  c.err = jpeg_std_error (&err);
  jpeg_create_compress (&c);
  jpeg_mem_dest (&c, &buf, &len);
  c.image_width = w;
  c.image_height = h;
  c.input_components = 3;
  c.in_color_space = space;
  jpeg_set_defaults (&c);
  jpeg_set_quality (&c, q, TRUE);
  g_assert_cmpint (c.comp_info[0].h_samp_factor, ==, 2);
  g_assert_cmpint (c.comp_info[0].v_samp_factor, ==, 2);
  jpeg_start_compress (&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = (JSAMPROW) rgb + (size_t) c.next_scanline * w * 3;
    jpeg_write_scanlines (&c, &row, 1);
  }
  jpeg_finish_compress (&c);
  jpeg_destroy_compress (&c);
  int dh, dw;
  guint8 *out = decode_jpeg (buf, len, &dh, &dw);
  g_assert_cmpint (dh, ==, h);
  g_assert_cmpint (dw, ==, w);
  free (buf);
  return out;
}

static guint8 *
libjpeg_round_trip (const guint8 *rgb, int h, int w, int q)
{
  return libjpeg_round_trip_as (rgb, h, w, q, JCS_RGB);
}

/* A sample photo decoded to RGB8; NULL (the test then skips) if absent. */
static guint8 *
load_photo (const char *name, int *h, int *w)
{
  char *path = sr_test_data_path (name);
  gchar *data = NULL;
  gsize len = 0;
  guint8 *rgb = NULL;
  if (path && g_file_get_contents (path, &data, &len, NULL))
    rgb = decode_jpeg ((const guint8 *) data, len, h, w);
  g_free (data);
  g_free (path);
  return rgb;
}

/* ---- helpers ------------------------------------------------------------- */

static float *
run_op (const float *src, int h, int w, float q, SrJpegOpVariant v)
{
  static SrJpeg *op;
  GError *error = NULL;
  if (!op) {
    op = sr_jpeg_new (sr_test_runtime (), &error);
    g_assert_no_error (error);
  }
  SrTensor *in = sr_test_upload (src, 1, 3, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, 3, h, w, SR_DTYPE_F32,
      &error);
  g_assert_no_error (error);
  g_assert_cmpint (sr_jpeg_run (op, sr_test_queue (), in, out, q, v), ==, SR_OK);
  float *got = sr_test_download (out);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  return got;
}

/* Smooth colourful test image with some texture, values in [lo, hi]. */
static float *
smooth_image (int h, int w, guint32 seed, float lo, float hi)
{
  float *p = g_new (float, (size_t) 3 * h * w);
  GRand *r = g_rand_new_with_seed (seed);
  for (int c = 0; c < 3; c++) {
    const double fx = g_rand_double_range (r, 0.02, 0.3);
    const double fy = g_rand_double_range (r, 0.02, 0.3);
    const double ph = g_rand_double_range (r, 0, 6.3);
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        double v = 0.5 + 0.3 * sin (fx * x + ph) * cos (fy * y)
            + 0.15 * sin (0.7 * x + 0.4 * y + c) + 0.05 * g_rand_double_range (r, -1, 1);
        v = lo + (hi - lo) * CLAMP (v, 0, 1);
        p[((size_t) c * h + y) * w + x] = (float) v;
      }
  }
  g_rand_free (r);
  return p;
}

/* Compares device DiffJPEG to the reference. float32 vs double: away from
 * quantisation ties the outputs agree to a few float ulps (measured
 * <= 2.4e-7; bound 1e-5); a coefficient whose F/d lies within float error
 * of a .5 tie may round the other way and move a whole 8x8 (or 16x16) block
 * by up to table*factor/8/255. So at most 0.1% of samples may differ by
 * more than 1e-3 (measured: none), the rest by less than 1e-5. */
static void
check_vs_ref (const char *what, const float *src, int h, int w, float q,
    SrJpegOpVariant v)
{
  const size_t n = (size_t) 3 * h * w;
  float *ref = g_new (float, n);
  ref_diffjpeg (src, h, w, q, v == SR_JPEG_OP_DIFFJPEG_BASICSR, ref);
  float *got = run_op (src, h, w, q, v);
  size_t bad = 0;
  double maxd = 0, maxgood = 0;
  for (size_t i = 0; i < n; i++) {
    const double d = fabs ((double) got[i] - ref[i]);
    maxd = fmax (maxd, d);
    if (d > 1e-3)
      bad++;
    else
      maxgood = fmax (maxgood, d);
  }
  const double frac = (double) bad / n;
  g_test_message ("%s %dx%d q=%g %s: max |diff| %.3g, max below 1e-3 %.3g, "
      "> 1e-3: %.4f%%", what, w, h, q,
      v == SR_JPEG_OP_DIFFJPEG ? "diffjpeg" : "diffjpeg-basicsr", maxd,
      maxgood, 100 * frac);
  g_assert_cmpfloat (frac, <, 1e-3);
  g_assert_cmpfloat (maxgood, <, 1e-5);
  g_free (ref);
  g_free (got);
}

/* ---- tests --------------------------------------------------------------- */

static void
test_factor (void)
{
  g_assert_cmpfloat_with_epsilon (sr_jpeg_diffjpeg_factor (30), 1.6666667, 1e-6);
  g_assert_cmpfloat (sr_jpeg_diffjpeg_factor (50), ==, 1.0f);
  g_assert_cmpfloat_with_epsilon (sr_jpeg_diffjpeg_factor (75), 0.5, 1e-7);
  g_assert_cmpfloat_with_epsilon (sr_jpeg_diffjpeg_factor (95), 0.1, 1e-7);
  g_assert_cmpint (sr_jpeg_ijg_scale (30), ==, 166);
  g_assert_cmpint (sr_jpeg_ijg_scale (75), ==, 50);
  g_assert_cmpint (sr_jpeg_ijg_scale (100), ==, 0);
  g_assert_cmpint (sr_jpeg_ijg_quality (74.5f), ==, 75);
}

static void
test_ref_synthetic (void)
{
  static const float qs[] = { 30, 47.3f, 60, 75, 95 };
  for (guint i = 0; i < G_N_ELEMENTS (qs); i++) {
    float *src = smooth_image (64, 80, 10 + i, 0, 1);
    check_vs_ref ("smooth", src, 64, 80, qs[i], SR_JPEG_OP_DIFFJPEG);
    check_vs_ref ("smooth", src, 64, 80, qs[i], SR_JPEG_OP_DIFFJPEG_BASICSR);
    g_free (src);
  }
}

static void
test_ref_photos (void)
{
  static const char *names[] = { "baboon.jpg", "fruits.jpg", "building.jpg" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    int h, w;
    guint8 *rgb = load_photo (names[i], &h, &w);
    if (!rgb) {
      g_test_skip ("an opencv-doc sample photo is missing");
      return;
    }
    float *src = rgb8_to_planar (rgb, h, w);
    check_vs_ref (names[i], src, h, w, 30, SR_JPEG_OP_DIFFJPEG);
    check_vs_ref (names[i], src, h, w, 80.5f, SR_JPEG_OP_DIFFJPEG_BASICSR);
    g_free (src);
    g_free (rgb);
  }
}

/* Sizes that are not multiples of 16 keep their size; padding is black
 * (checked by the reference) for DiffJPEG. */
static void
test_odd_size (void)
{
  float *src = smooth_image (53, 37, 3, 0, 1);
  check_vs_ref ("odd", src, 53, 37, 40, SR_JPEG_OP_DIFFJPEG);
  check_vs_ref ("odd", src, 53, 37, 90, SR_JPEG_OP_DIFFJPEG_BASICSR);
  g_free (src);
  check_vs_ref ("tiny", (float[]) { 0.2f, 0.9f, 0.4f }, 1, 1, 50,
      SR_JPEG_OP_DIFFJPEG);

  /* Shape mismatch and bad qualities are refused. */
  GError *error = NULL;
  SrJpeg *op = sr_jpeg_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  SrTensor *a = sr_tensor_new (sr_test_runtime (), 1, 3, 53, 37, SR_DTYPE_F32, NULL);
  SrTensor *b = sr_tensor_new (sr_test_runtime (), 1, 3, 64, 48, SR_DTYPE_F32, NULL);
  cl_command_queue q = sr_test_queue ();
  g_assert_cmpint (sr_jpeg_run (op, q, a, b, 50, SR_JPEG_OP_DIFFJPEG), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_jpeg_run (op, q, a, a, 100, SR_JPEG_OP_DIFFJPEG), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_jpeg_run (op, q, a, a, 0, SR_JPEG_OP_LIBJPEG_TABLES), ==,
      SR_ERR_INVALID_ARGUMENT);
  /* In place works and steady state allocates nothing. */
  float *img = smooth_image (53, 37, 4, 0, 1);
  g_assert_cmpint (sr_tensor_write (q, a, img), ==, SR_OK);
  g_assert_cmpint (sr_jpeg_run (op, q, a, a, 50, SR_JPEG_OP_DIFFJPEG), ==, SR_OK);
  SrTensorPool *pool = sr_runtime_pool (sr_test_runtime ());
  const guint allocs = sr_tensor_pool_allocations (pool);
  for (int i = 0; i < 3; i++)
    g_assert_cmpint (sr_jpeg_run (op, q, a, a, 50, SR_JPEG_OP_DIFFJPEG), ==, SR_OK);
  clFinish (q);
  g_assert_cmpuint (sr_tensor_pool_allocations (pool), ==, allocs);
  float *got = sr_test_download (a), *ref = g_new (float, 3 * 53 * 37);
  ref_diffjpeg (img, 53, 37, 50, FALSE, ref);
  float *once = run_op (img, 53, 37, 50, SR_JPEG_OP_DIFFJPEG);
  g_test_message ("in place once vs reference: max |diff| %.3g",
      sr_test_max_abs_diff (once, ref, 3 * 53 * 37));
  g_assert_cmpfloat (sr_test_max_abs_diff (once, ref, 3 * 53 * 37), <, 1e-3);
  /* Four round trips in place differ from one (JPEG is not idempotent in
   * float) but stay close: a sanity check that `a` was really rewritten. */
  g_assert_cmpfloat (sr_test_max_abs_diff (got, once, 3 * 53 * 37), >, 0);
  g_free (img);
  g_free (got);
  g_free (ref);
  g_free (once);
  sr_tensor_unref (a);
  sr_tensor_unref (b);
  sr_jpeg_free (op);
}

/* The two DiffJPEG variants differ in the luminance table only: a gray
 * image decodes to gray in both (chroma stays exactly 128) yet differs
 * between them; on a mid-range colour image (no clamping) the difference
 * between the variants is the same in R, G and B (a pure Y change). */
static void
test_orientation_luma_only (void)
{
  const int h = 48, w = 64;
  const size_t n = (size_t) h * w;
  float *col = smooth_image (h, w, 21, 0.25f, 0.75f);
  float *gray = g_new (float, 3 * n);
  for (size_t i = 0; i < n; i++)
    gray[i] = gray[n + i] = gray[2 * n + i] = col[i];
  float *a = run_op (gray, h, w, 40, SR_JPEG_OP_DIFFJPEG);
  float *b = run_op (gray, h, w, 40, SR_JPEG_OP_DIFFJPEG_BASICSR);
  double gray_err = 0;
  for (size_t i = 0; i < n; i++)
    for (int c = 1; c < 3; c++)
      gray_err = fmax (gray_err, fmax (fabs (a[c * n + i] - a[i]),
              fabs (b[c * n + i] - b[i])));
  const double dv = sr_test_max_abs_diff (a, b, 3 * n);
  g_test_message ("gray: max |R-G|,|R-B| %.3g; variants differ by up to %.3g",
      gray_err, dv);
  /* Exact in our arithmetic up to float rounding of 0*Cb-ish products. */
  g_assert_cmpfloat (gray_err, <, 1e-5);
  g_assert_cmpfloat (dv, >, 1e-3);
  g_free (a);
  g_free (b);

  a = run_op (col, h, w, 40, SR_JPEG_OP_DIFFJPEG);
  b = run_op (col, h, w, 40, SR_JPEG_OP_DIFFJPEG_BASICSR);
  size_t off = 0, clamped = 0;
  double dmax = 0;
  for (size_t i = 0; i < n; i++) {
    const double dr = b[i] - a[i], dg = b[n + i] - a[n + i],
        db = b[2 * n + i] - a[2 * n + i];
    dmax = fmax (dmax, fabs (dr));
    gboolean edge = FALSE;
    for (int c = 0; c < 3; c++)
      edge |= a[c * n + i] <= 0 || a[c * n + i] >= 1 || b[c * n + i] <= 0
          || b[c * n + i] >= 1;
    if (edge) {
      clamped++;
      continue;
    }
    if (fabs (dr - dg) > 1e-5 || fabs (dr - db) > 1e-5)
      off++;
  }
  g_test_message ("colour: variants differ by up to %.3g; %zu of %zu pixels "
      "with unequal R/G/B change, %zu clamped", dmax, off, n, clamped);
  g_assert_cmpfloat (dmax, >, 1e-3);
  g_assert_cmpuint (off, ==, 0);
  g_assert_cmpuint (clamped, <, n / 100);
  g_free (a);
  g_free (b);
  g_free (col);
  g_free (gray);
}

/* The 8-bit image BSRGAN hands to cv2.imencode:
 * np.uint8((img.clip(0, 1) * 255.).round()), float32 product, round half
 * to even; packed RGB. */
static guint8 *
planar_to_rgb8 (const float *p, int h, int w)
{
  const size_t n = (size_t) h * w;
  guint8 *rgb = g_new (guint8, 3 * n);
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      rgb[3 * i + c] = (guint8) nearbyintf (CLAMP (p[c * n + i], 0.0f, 1.0f) * 255.0f);
  return rgb;
}

/* LIBJPEG_TABLES on planar float src vs libjpeg's encode (quality q,
 * 4:2:0, islow) + default decode of the same image rounded to 8 bits.
 * Tolerance: none. Every output must be k/255 (within 1e-4 of it) and k
 * must equal libjpeg's byte. Returns libjpeg's output (g_free it). */
static guint8 *
check_exact (const char *what, const float *src, int h, int w, int q)
{
  const size_t n = (size_t) h * w;
  guint8 *rgb = planar_to_rgb8 (src, h, w);
  guint8 *lj = libjpeg_round_trip (rgb, h, w, q);
  float *li = run_op (src, h, w, q, SR_JPEG_OP_LIBJPEG_TABLES);
  size_t differ = 0, off_grid = 0;
  int maxd = 0;
  for (size_t i = 0; i < n; i++)
    for (int c = 0; c < 3; c++) {
      const float v = li[c * n + i] * 255.0f;
      const int k = (int) lrintf (v);
      off_grid += fabsf (v - k) > 1e-4f;
      const int d = abs (k - lj[3 * i + c]);
      differ += d != 0;
      maxd = MAX (maxd, d);
    }
  if (differ || off_grid || g_test_verbose ())
    g_test_message ("%s %dx%d q=%d libjpeg-tables vs libjpeg: %zu of %zu "
        "bytes differ (max %d), %zu off the 1/255 grid", what, w, h, q,
        differ, 3 * n, maxd, off_grid);
  g_assert_cmpuint (off_grid, ==, 0);
  g_assert_cmpuint (differ, ==, 0);
  g_free (rgb);
  g_free (li);
  return lj;
}

/* Against real libjpeg on natural photos (8-bit in, 8-bit out).
 * LIBJPEG_TABLES: bit-exact (check_exact). DiffJPEG differs by float
 * tables, mean chroma and nearest upsampling: >= 35 dB on whole photos
 * (multiples of 8 or 16 high/wide); on a small odd-sized crop its black
 * padding (diffjpeg.py pads with zeros;
 * libjpeg replicates edges) darkens the edge blocks, so
 * there only dj_min applies. */
static void
check_vs_libjpeg (const char *name, const guint8 *rgb, int h, int w,
    double dj_min)
{
  static const int qs[] = { 30, 60, 95 };
  float *src = rgb8_to_planar (rgb, h, w);
  const size_t n = (size_t) 3 * h * w;
  for (guint k = 0; k < G_N_ELEMENTS (qs); k++) {
    guint8 *lj8 = check_exact (name, src, h, w, qs[k]);
    float *lj = rgb8_to_planar (lj8, h, w);
    float *dj = run_op (src, h, w, qs[k], SR_JPEG_OP_DIFFJPEG);
    const double p_dj = sr_test_psnr (dj, lj, n), p_in = sr_test_psnr (src, lj, n);
    g_test_message ("%s %dx%d q=%d: libjpeg-tables bit-exact; diffjpeg vs "
        "libjpeg %.2f dB; libjpeg vs input %.2f dB", name, w, h, qs[k], p_dj,
        p_in);
    g_assert_cmpfloat (p_dj, >=, dj_min);
    g_free (lj8);
    g_free (lj);
    g_free (dj);
  }
  g_free (src);
}

static void
test_vs_libjpeg (void)
{
  static const char *names[] = { "baboon.jpg", "fruits.jpg", "building.jpg" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    int h, w;
    guint8 *rgb = load_photo (names[i], &h, &w);
    if (!rgb) {
      g_test_skip ("an opencv-doc sample photo is missing");
      return;
    }
    check_vs_libjpeg (names[i], rgb, h, w, 35);
    /* Crops at an odd offset: 37x53 (odd both ways), 131x77 and 66x100
     * (even, not multiples of 16: chroma rows past ceil(H/2) repeat the
     * last chroma row, not a re-downsampled last pixel row). */
    static const int crops[][2] = { { 53, 37 }, { 77, 131 }, { 100, 66 } };
    for (guint c = 0; c < G_N_ELEMENTS (crops); c++) {
      const int ch = crops[c][0], cw = crops[c][1], y0 = 101, x0 = 77;
      guint8 *crop = g_new (guint8, (size_t) ch * cw * 3);
      for (int y = 0; y < ch; y++)
        memcpy (crop + (size_t) y * cw * 3,
            rgb + ((size_t) (y0 + y) * w + x0) * 3, (size_t) cw * 3);
      char *what = g_strdup_printf ("%s crop", names[i]);
      check_vs_libjpeg (what, crop, ch, cw, 20);
      g_free (what);
      g_free (crop);
    }
    g_free (rgb);
  }
}

/* Every quality 1..100 on a textured image; sizes down to 1x1 covering
 * each kind of padding (odd, even, 2 mod 16, multiples of 16) and W <= 4,
 * where libjpeg replicates chroma instead of fancy upsampling; float input
 * off the 1/255 grid and outside [0,1] (the op must round and clip it as
 * BSRGAN does before encoding); a batch of two. */
static void
test_libjpeg_exact (void)
{
  float *src = smooth_image (61, 45, 31, -0.05f, 1.05f);
  for (int q = 1; q <= 100; q++)
    g_free (check_exact ("smooth", src, 61, 45, q));
  g_free (src);
  static const int sizes[][2] = { { 1, 1 }, { 2, 2 }, { 1, 9 }, { 9, 1 },
    { 3, 5 }, { 5, 4 }, { 6, 3 }, { 16, 16 }, { 18, 34 }, { 32, 48 },
    { 77, 131 }, { 100, 66 } };
  static const int qs[] = { 1, 12, 50, 75, 97, 100 };
  for (guint i = 0; i < G_N_ELEMENTS (sizes); i++) {
    const int h = sizes[i][0], w = sizes[i][1];
    float *img = smooth_image (h, w, 40 + i, -0.1f, 1.1f);
    for (guint k = 0; k < G_N_ELEMENTS (qs); k++)
      g_free (check_exact ("sizes", img, h, w, qs[k]));
    g_free (img);
  }
  /* Uniform noise: large high-frequency coefficients and clipping after
   * the IDCT at every quality. */
  float *noise = g_new (float, 3 * 40 * 56);
  sr_test_fill_uniform (noise, 3 * 40 * 56, 5, 0, 1);
  for (guint k = 0; k < G_N_ELEMENTS (qs); k++)
    g_free (check_exact ("noise", noise, 40, 56, qs[k]));
  g_free (noise);
  /* Non-integral qualities round to the nearest integer. */
  float *img = smooth_image (24, 40, 77, 0, 1);
  float *a = run_op (img, 24, 40, 74.6f, SR_JPEG_OP_LIBJPEG_TABLES);
  float *b = run_op (img, 24, 40, 75, SR_JPEG_OP_LIBJPEG_TABLES);
  g_assert_cmpfloat (sr_test_max_abs_diff (a, b, 3 * 24 * 40), ==, 0);
  g_free (a);
  g_free (b);

  /* N = 2: each image of the batch equals its own run. */
  const size_t one = 3 * 24 * 40;
  float *pair = g_new (float, 2 * one);
  memcpy (pair, img, one * sizeof (float));
  sr_test_fill_uniform (pair + one, one, 9, 0, 1);
  GError *error = NULL;
  SrJpeg *op = sr_jpeg_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  SrTensor *t = sr_test_upload (pair, 2, 3, 24, 40);
  g_assert_cmpint (sr_jpeg_run (op, sr_test_queue (), t, t, 40,
          SR_JPEG_OP_LIBJPEG_TABLES), ==, SR_OK);
  float *got = sr_test_download (t);
  for (int k = 0; k < 2; k++) {
    float *single = run_op (pair + k * one, 24, 40, 40, SR_JPEG_OP_LIBJPEG_TABLES);
    g_assert_cmpfloat (sr_test_max_abs_diff (got + k * one, single, one), ==, 0);
    g_free (single);
  }
  g_free (got);
  g_free (pair);
  sr_tensor_unref (t);
  sr_jpeg_free (op);
  g_free (img);
}


/* LIBJPEG_TABLES_BGR against what mmagic's cv2.imencode + imdecode do with
 * an RGB frame: libjpeg reads its bytes as BGR (JCS_EXT_BGR) and the decoded
 * array comes back in the order it went in. Tolerance: none. */
static void
test_libjpeg_bgr (void)
{
  int h, w;
  guint8 *photo = load_photo ("fruits.jpg", &h, &w);
  if (!photo) {
    g_test_skip ("fruits.jpg missing");
    return;
  }
  const int ch = 72, cw = 104;
  guint8 *rgb = g_new (guint8, (size_t) ch * cw * 3);
  for (int y = 0; y < ch; y++)
    memcpy (rgb + (size_t) y * cw * 3, photo + ((size_t) (y + 100) * w + 150) * 3,
        (size_t) cw * 3);
  float *src = rgb8_to_planar (rgb, ch, cw);
  const size_t n = (size_t) ch * cw;
  for (int q = 30; q <= 90; q += 60) {
    guint8 *lj = libjpeg_round_trip_as (rgb, ch, cw, q, JCS_EXT_BGR);
    float *ours = run_op (src, ch, cw, q, SR_JPEG_OP_LIBJPEG_TABLES_BGR);
    float *plain = run_op (src, ch, cw, q, SR_JPEG_OP_LIBJPEG_TABLES);
    size_t differ = 0, differ_plain = 0;
    for (size_t i = 0; i < n; i++)
      for (int c = 0; c < 3; c++) {
        /* libjpeg decodes as RGB what it encoded from "BGR": the byte that
         * went in first comes back as its B. */
        const int want = lj[3 * i + 2 - c];
        differ += lrintf (ours[c * n + i] * 255.0f) != want;
        differ_plain += lrintf (plain[c * n + i] * 255.0f) != want;
      }
    g_test_message ("q=%d bgr vs libjpeg JCS_EXT_BGR: %zu of %zu bytes differ "
        "(the RGB variant: %zu)", q, differ, 3 * n, differ_plain);
    g_assert_cmpuint (differ, ==, 0);
    g_assert_cmpuint (differ_plain, >, 0);
    g_free (lj);
    g_free (ours);
    g_free (plain);
  }
  g_free (src);
  g_free (rgb);
  g_free (photo);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/jpeg/factor", test_factor);
  g_test_add_func ("/jpeg/diffjpeg/reference-synthetic", test_ref_synthetic);
  g_test_add_func ("/jpeg/diffjpeg/reference-photos", test_ref_photos);
  g_test_add_func ("/jpeg/diffjpeg/odd-size", test_odd_size);
  g_test_add_func ("/jpeg/diffjpeg/orientation-luma-only",
      test_orientation_luma_only);
  g_test_add_func ("/jpeg/libjpeg/photos", test_vs_libjpeg);
  g_test_add_func ("/jpeg/libjpeg/exact", test_libjpeg_exact);
  g_test_add_func ("/jpeg/libjpeg/bgr", test_libjpeg_bgr);
  return g_test_run ();
}
