/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* YUV / gray upload and download vs a plain-C double-precision reference of
 * the formulas in sr_convert.h (GStreamer video-converter's YCbCr matrices),
 * with chroma upsampling written here as linear interpolation between the
 * chroma sample positions in luma coordinates (constant beyond the ends),
 * and downsampling as the mean of the covered pixels. Frame layouts are
 * written out by hand below, independently of GStreamer. */
#include <string.h>
#include "sr_convert.h"
#include "sr_test_util.h"

typedef struct {
  const char *name;
  int n_planes;
  SrYuvComp comp[3];
  int sub_w, sub_h;
} Layout;

static const Layout layouts[] = {
  {"I420", 3, {{0, 1, 0}, {1, 1, 0}, {2, 1, 0}}, 1, 1},
  {"YV12", 3, {{0, 1, 0}, {2, 1, 0}, {1, 1, 0}}, 1, 1},
  {"Y42B", 3, {{0, 1, 0}, {1, 1, 0}, {2, 1, 0}}, 1, 0},
  {"Y444", 3, {{0, 1, 0}, {1, 1, 0}, {2, 1, 0}}, 0, 0},
  {"NV12", 2, {{0, 1, 0}, {1, 2, 0}, {1, 2, 1}}, 1, 1},
  {"NV21", 2, {{0, 1, 0}, {1, 2, 1}, {1, 2, 0}}, 1, 1},
  {"YUY2", 1, {{0, 2, 0}, {0, 4, 1}, {0, 4, 3}}, 1, 0},
  {"UYVY", 1, {{0, 2, 1}, {0, 4, 0}, {0, 4, 2}}, 1, 0},
  {"YVYU", 1, {{0, 2, 0}, {0, 4, 3}, {0, 4, 1}}, 1, 0},
  {"GRAY8", 1, {{0, 1, 0}, {-1, 1, 0}, {-1, 1, 0}}, 0, 0},
};

static void
matrix (SrColorMatrix *m, double kr, double kb, gboolean full)
{
  m->kr = kr;
  m->kb = kb;
  m->y_offset = full ? 0 : 16;
  m->y_scale = full ? 255 : 219;
  m->c_offset = 128;
  m->c_scale = full ? 255 : 224;
}

static int
ceil_shift (int v, int s)
{
  return (v + (1 << s) - 1) >> s;
}

/* A w x h frame of layout l with padded rows (5 spare bytes), bytes from
 * seed. g_free (f->data[0]) frees all planes. */
static void
make_frame (SrYuvFrame *f, const Layout *l, int w, int h, guint32 seed)
{
  memset (f, 0, sizeof *f);
  f->n_planes = l->n_planes;
  f->width = w;
  f->height = h;
  f->sub_w = l->sub_w;
  f->sub_h = l->sub_h;
  memcpy (f->comp, l->comp, sizeof f->comp);
  int rows[3] = { 0 }, total = 0;
  for (int c = 0; c < 3; c++) {
    const int p = l->comp[c].plane;
    if (p < 0)
      continue;
    const int cols = c ? ceil_shift (w, l->sub_w) : w;
    const int r = c ? ceil_shift (h, l->sub_h) : h;
    f->stride[p] = MAX (f->stride[p], l->comp[c].offset + (cols - 1) * l->comp[c].pstride + 6);
    rows[p] = MAX (rows[p], r);
  }
  for (int p = 0; p < l->n_planes; p++)
    total += rows[p] * f->stride[p];
  guint8 *mem = g_malloc (total);
  GRand *r = g_rand_new_with_seed (seed);
  for (int i = 0; i < total; i++)
    mem[i] = (guint8) g_rand_int_range (r, 0, 256);
  g_rand_free (r);
  for (int p = 0, off = 0; p < l->n_planes; p++) {
    f->data[p] = mem + off;
    off += rows[p] * f->stride[p];
  }
}

static guint8 *
sample (const SrYuvFrame *f, int c, int i, int j)
{
  const SrYuvComp *k = &f->comp[c];
  return f->data[k->plane] + (size_t) j * f->stride[k->plane] + (size_t) i * k->pstride
      + k->offset;
}

/* Chroma at luma coordinate x on one axis: chroma sample i sits at luma
 * position i*2^s (cosited) or i*2^s + (2^s - 1)/2 (centred). Returns the
 * two indices and weights of the linear interpolation. */
static void
ref_taps (double x, int s, gboolean cosited, int n, int *i0, int *i1, double *w1)
{
  const double step = 1 << s, first = cosited ? 0 : (step - 1) / 2;
  if (x <= first) {
    *i0 = *i1 = 0;
    *w1 = 0;
  } else if (x >= first + (n - 1) * step) {
    *i0 = *i1 = n - 1;
    *w1 = 0;
  } else {
    *i0 = (int) floor ((x - first) / step);
    *i1 = *i0 + 1;
    *w1 = (x - (first + *i0 * step)) / step;
  }
}

static double
clamp01 (double v)
{
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

static void
ref_upload (const SrYuvFrame *f, int x0, int y0, int w, int h, float *out)
{
  const SrColorMatrix *m = &f->matrix;
  const gboolean chroma = f->comp[1].plane >= 0;
  const int cw = ceil_shift (f->width, f->sub_w), ch = ceil_shift (f->height, f->sub_h);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const double yn = (*sample (f, 0, x0 + x, y0 + y) - m->y_offset) / m->y_scale;
      double pb = 0, pr = 0;
      if (chroma) {
        int a0, a1, b0, b1;
        double fx, fy, c[3] = { 0 };
        ref_taps (x0 + x, f->sub_w, f->cosited_h, cw, &a0, &a1, &fx);
        ref_taps (y0 + y, f->sub_h, f->cosited_v, ch, &b0, &b1, &fy);
        for (int k = 1; k <= 2; k++)
          c[k] = (1 - fy) * ((1 - fx) * *sample (f, k, a0, b0) + fx * *sample (f, k, a1, b0))
              + fy * ((1 - fx) * *sample (f, k, a0, b1) + fx * *sample (f, k, a1, b1));
        pb = (c[1] - m->c_offset) / m->c_scale;
        pr = (c[2] - m->c_offset) / m->c_scale;
      }
      /* Inverse of Y' = Kr R + Kg G + Kb B, Pb = (B-Y')/(2(1-Kb)), Pr = ... */
      const double r = yn + 2 * (1 - m->kr) * pr, b = yn + 2 * (1 - m->kb) * pb;
      const double g = (yn - m->kr * r - m->kb * b) / (1 - m->kr - m->kb);
      const size_t i = (size_t) y * w + x, plane = (size_t) w * h;
      out[i] = (float) clamp01 (r);
      out[plane + i] = (float) clamp01 (g);
      out[2 * plane + i] = (float) clamp01 (b);
    }
}

static guint8
ref_level (double v, SrRoundMode mode)
{
  v = v < 0 ? 0 : v > 255 ? 255 : v;
  return (guint8) (mode == SR_ROUND_HALF_AWAY ? round (v) : nearbyint (v));
}

/* Writes rgb (planar, w x h) into f as the reference does: Y per pixel,
 * chroma the mean Pb / Pr of the pixels of its block. */
static void
ref_download (const float *rgb, SrYuvFrame *f, SrRoundMode mode)
{
  const SrColorMatrix *m = &f->matrix;
  const int w = f->width, h = f->height;
  const size_t plane = (size_t) w * h;
  const gboolean chroma = f->comp[1].plane >= 0;
  const int bw = 1 << f->sub_w, bh = 1 << f->sub_h;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const size_t i = (size_t) y * w + x;
      const double r = clamp01 (rgb[i]), g = clamp01 (rgb[plane + i]),
          b = clamp01 (rgb[2 * plane + i]);
      *sample (f, 0, x, y) = ref_level (m->y_offset + m->y_scale * (m->kr * r
              + (1 - m->kr - m->kb) * g + m->kb * b), mode);
    }
  if (!chroma)
    return;
  for (int j = 0; j < ceil_shift (h, f->sub_h); j++)
    for (int i = 0; i < ceil_shift (w, f->sub_w); i++) {
      double pb = 0, pr = 0;
      int n = 0;
      for (int y = j * bh; y < MIN (h, (j + 1) * bh); y++)
        for (int x = i * bw; x < MIN (w, (i + 1) * bw); x++, n++) {
          const size_t k = (size_t) y * w + x;
          const double r = clamp01 (rgb[k]), g = clamp01 (rgb[plane + k]),
              b = clamp01 (rgb[2 * plane + k]);
          const double yn = m->kr * r + (1 - m->kr - m->kb) * g + m->kb * b;
          pb += (b - yn) / (2 * (1 - m->kb));
          pr += (r - yn) / (2 * (1 - m->kr));
        }
      *sample (f, 1, i, j) = ref_level (m->c_offset + m->c_scale * pb / n, mode);
      *sample (f, 2, i, j) = ref_level (m->c_offset + m->c_scale * pr / n, mode);
    }
}

/* Max |a-b| over the sample bytes (not the padding) of two frames of the
 * same layout; *differing counts samples that differ at all. */
static int
max_sample_diff (const SrYuvFrame *a, const SrYuvFrame *b, int *differing)
{
  int m = 0;
  *differing = 0;
  for (int c = 0; c < 3; c++) {
    if (a->comp[c].plane < 0)
      continue;
    const int cols = c ? ceil_shift (a->width, a->sub_w) : a->width;
    const int rows = c ? ceil_shift (a->height, a->sub_h) : a->height;
    for (int j = 0; j < rows; j++)
      for (int i = 0; i < cols; i++) {
        const int d = abs (*sample (a, c, i, j) - *sample (b, c, i, j));
        m = MAX (m, d);
        *differing += d != 0;
      }
  }
  return m;
}

typedef struct {
  const char *name;
  double kr, kb;
  gboolean full;
} Matrix;

static const Matrix matrices[] = {
  {"bt601", 0.299, 0.114, FALSE},
  {"bt709", 0.2126, 0.0722, FALSE},
  {"bt2020-full", 0.2627, 0.0593, TRUE},
};

static SrConvert *
new_convert (void)
{
  GError *error = NULL;
  SrConvert *op = sr_convert_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  return op;
}

/* Upload of random bytes (every code value, out-of-gamut ones included, so
 * the clamp is exercised) with an odd frame size and odd crop offsets, both
 * sitings. Tolerance 1e-5 (float vs double arithmetic; 0.003 of a level). */
static void
test_upload (void)
{
  SrConvert *op = new_convert ();
  const int fw = 37, fh = 23, x0 = 3, y0 = 5, w = 29, h = 15;
  SrTensor *dst = sr_tensor_new (sr_test_runtime (), 1, 3, h, w, SR_DTYPE_F32, NULL);
  float *ref = g_new (float, 3 * w * h);
  double worst = 0;
  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++)
    for (guint m = 0; m < G_N_ELEMENTS (matrices); m++)
      for (int site = 0; site < 4; site++) {
        SrYuvFrame f;
        make_frame (&f, &layouts[l], fw, fh, 100 + l);
        matrix (&f.matrix, matrices[m].kr, matrices[m].kb, matrices[m].full);
        f.cosited_h = site & 1;
        f.cosited_v = (site & 2) != 0;
        g_assert_cmpint (sr_upload_yuv8 (op, sr_test_queue (), &f, x0, y0, dst), ==, SR_OK);
        float *got = sr_test_download (dst);
        ref_upload (&f, x0, y0, w, h, ref);
        const double err = sr_test_max_abs_diff (got, ref, 3 * w * h);
        if (err > 1e-5)
          g_error ("%s %s site %d: max |err| %g", layouts[l].name, matrices[m].name,
              site, err);
        worst = MAX (worst, err);
        g_free (got);
        g_free (f.data[0]);
      }
  g_test_message ("upload: max |err| %.3g (tolerance 1e-5)", worst);
  g_free (ref);
  sr_tensor_unref (dst);
  sr_convert_free (op);
}

/* Download of random RGB in [-0.1, 1.1] (clamped first), both rounding
 * modes. Tolerance: at most 1 level where float and double round a value
 * within ~1e-4 of a .5 tie differently, on fewer than 0.1% of samples. */
static void
test_download (void)
{
  SrConvert *op = new_convert ();
  const int w = 37, h = 23;
  float *rgb = g_new (float, 3 * w * h);
  sr_test_fill_uniform (rgb, 3 * w * h, 7, -0.1f, 1.1f);
  SrTensor *src = sr_test_upload (rgb, 1, 3, h, w);
  int worst = 0, total_diff = 0, total = 0;
  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++)
    for (guint m = 0; m < G_N_ELEMENTS (matrices); m++)
      for (int mode = 0; mode < 2; mode++) {
        SrYuvFrame got, ref;
        make_frame (&got, &layouts[l], w, h, 1);
        make_frame (&ref, &layouts[l], w, h, 2);
        matrix (&got.matrix, matrices[m].kr, matrices[m].kb, matrices[m].full);
        ref.matrix = got.matrix;
        g_assert_cmpint (sr_download_yuv8 (op, sr_test_queue (), src, &got, mode), ==,
            SR_OK);
        ref_download (rgb, &ref, mode);
        int differing;
        const int d = max_sample_diff (&got, &ref, &differing);
        if (d > 1)
          g_error ("%s %s mode %d: max |err| %d levels", layouts[l].name,
              matrices[m].name, mode, d);
        worst = MAX (worst, d);
        total_diff += differing;
        total += w * h * (layouts[l].comp[1].plane < 0 ? 1 : 2);
        g_free (got.data[0]);
        g_free (ref.data[0]);
      }
  g_test_message ("download: max |err| %d level(s), %d of ~%d samples differ", worst,
      total_diff, total);
  g_assert_cmpint (total_diff * 1000, <, total);
  g_free (rgb);
  sr_tensor_unref (src);
  sr_convert_free (op);
}

/* RGB -> YUV -> RGB on a smooth image (low-frequency sinusoids, in gamut).
 * Y444: quantisation only; Y' and Pb/Pr are each off by <= 0.5 level, so
 * |dB| <= 0.5/219 + 1.772 * 0.5/224 = 0.0062 (the largest channel), bound
 * 0.0065. Subsampled: PSNR >= 40 dB (the box / bilinear pair blurs chroma
 * a little). GRAY8: R = G = B = luma, checked against it to 0.5 level. */
static void
test_round_trip (void)
{
  SrConvert *op = new_convert ();
  const int w = 64, h = 48;
  const size_t plane = (size_t) w * h;
  float *rgb = g_new (float, 3 * plane);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const size_t i = (size_t) y * w + x;
      rgb[i] = 0.5f + 0.4f * sinf (x * 0.11f + y * 0.05f);
      rgb[plane + i] = 0.5f + 0.4f * cosf (x * 0.07f - y * 0.09f);
      rgb[2 * plane + i] = 0.5f + 0.4f * sinf (0.3f + x * 0.04f + y * 0.12f);
    }
  SrTensor *src = sr_test_upload (rgb, 1, 3, h, w);
  SrTensor *back = sr_tensor_new (sr_test_runtime (), 1, 3, h, w, SR_DTYPE_F32, NULL);
  for (guint l = 0; l < G_N_ELEMENTS (layouts); l++)
    for (guint m = 0; m < G_N_ELEMENTS (matrices); m++) {
      SrYuvFrame f;
      make_frame (&f, &layouts[l], w, h, 3);
      matrix (&f.matrix, matrices[m].kr, matrices[m].kb, matrices[m].full);
      g_assert_cmpint (sr_download_yuv8 (op, sr_test_queue (), src, &f,
              SR_ROUND_HALF_EVEN), ==, SR_OK);
      g_assert_cmpint (sr_upload_yuv8 (op, sr_test_queue (), &f, 0, 0, back), ==, SR_OK);
      float *got = sr_test_download (back);
      const double err = sr_test_max_abs_diff (got, rgb, 3 * plane);
      const double psnr = sr_test_psnr (got, rgb, 3 * plane);
      g_test_message ("round trip %s %s: max |err| %.4f, PSNR %.1f dB", layouts[l].name,
          matrices[m].name, err, psnr);
      if (f.comp[1].plane < 0) {
        double lerr = 0;
        for (size_t i = 0; i < plane; i++) {
          const double luma = f.matrix.kr * rgb[i] + (1 - f.matrix.kr - f.matrix.kb)
              * rgb[plane + i] + f.matrix.kb * rgb[2 * plane + i];
          for (int c = 0; c < 3; c++)
            lerr = MAX (lerr, fabs (got[c * plane + i] - luma));
        }
        g_assert_cmpfloat (lerr, <=, 0.5 / f.matrix.y_scale + 1e-5);
      } else if (f.sub_w == 0 && f.sub_h == 0) {
        g_assert_cmpfloat (err, <=, 0.0065);
      } else {
        g_assert_cmpfloat (psnr, >=, 40);
      }
      g_free (got);
      g_free (f.data[0]);
    }
  g_free (rgb);
  sr_tensor_unref (src);
  sr_tensor_unref (back);
  sr_convert_free (op);
}

/* Bad descriptions are refused, and repeated frames allocate nothing. */
static void
test_arguments_and_reuse (void)
{
  SrConvert *op = new_convert ();
  SrYuvFrame f;
  make_frame (&f, &layouts[0], 16, 8, 4);
  matrix (&f.matrix, 0.299, 0.114, FALSE);
  SrTensor *t = sr_tensor_new (sr_test_runtime (), 1, 3, 8, 16, SR_DTYPE_F32, NULL);
  g_assert_cmpint (sr_upload_yuv8 (op, sr_test_queue (), &f, 1, 0, t), ==,
      SR_ERR_INVALID_ARGUMENT);
  SrYuvFrame bad = f;
  bad.stride[1] = 7;            /* < 8 chroma samples */
  g_assert_cmpint (sr_upload_yuv8 (op, sr_test_queue (), &bad, 0, 0, t), ==,
      SR_ERR_INVALID_ARGUMENT);
  bad = f;
  bad.width = 15;               /* download size must match */
  g_assert_cmpint (sr_download_yuv8 (op, sr_test_queue (), t, &bad, 0), ==,
      SR_ERR_INVALID_ARGUMENT);

  SrTensorPool *pool = sr_runtime_pool (sr_test_runtime ());
  g_assert_cmpint (sr_upload_yuv8 (op, sr_test_queue (), &f, 0, 0, t), ==, SR_OK);
  g_assert_cmpint (sr_download_yuv8 (op, sr_test_queue (), t, &f, 0), ==, SR_OK);
  const guint before = sr_tensor_pool_allocations (pool);
  for (int i = 0; i < 3; i++) {
    g_assert_cmpint (sr_upload_yuv8 (op, sr_test_queue (), &f, 0, 0, t), ==, SR_OK);
    g_assert_cmpint (sr_download_yuv8 (op, sr_test_queue (), t, &f, 0), ==, SR_OK);
  }
  g_assert_cmpuint (sr_tensor_pool_allocations (pool), ==, before);
  g_free (f.data[0]);
  sr_tensor_unref (t);
  sr_convert_free (op);
}

/* ---- packed 8-bit RGB family --------------------------------------------- */

/* Byte positions of R, G, B, A in one pixel, written out per format. */
static const struct {
  const char *name;
  SrPackedLayout l;
} packed[] = {
  {"RGB", {3, 0, 1, 2, -1}}, {"BGR", {3, 2, 1, 0, -1}},
  {"RGBx", {4, 0, 1, 2, 3}}, {"BGRx", {4, 2, 1, 0, 3}},
  {"xRGB", {4, 1, 2, 3, 0}}, {"xBGR", {4, 3, 2, 1, 0}},
};

/* The device scales in float (clamp, * 255), then rounds: half away from
 * zero as floor (s + 0.5) in double (exact for any float s in [0, 255]),
 * half to even with nearbyint. */
static guint8
ref_to_u8 (float v, SrRoundMode mode)
{
  const double s = CLAMP (v, 0.0f, 1.0f) * 255.0f;
  return (guint8) (mode == SR_ROUND_HALF_AWAY ? floor (s + 0.5) : nearbyint (s));
}

/* Upload with crops whose widths are and are not multiples of 16 (the
 * kernel's block), every format; exact: byte / 255 in float. Download of
 * random values plus exact .5 ties (both parities) in both rounding modes,
 * whole and as a rect into a larger frame; exact. */
static void
test_packed (void)
{
  SrConvert *op = new_convert ();
  const int fw = 83, fh = 21;
  const int crops[][4] = { {0, 0, 83, 21}, {5, 3, 64, 11}, {1, 2, 17, 1}, {7, 0, 1, 5} };
  for (guint f = 0; f < G_N_ELEMENTS (packed); f++) {
    const SrPackedLayout *l = &packed[f].l;
    const int stride = fw * l->pixel_stride + 7;
    guint8 *frame = g_malloc (stride * fh);
    for (int i = 0; i < stride * fh; i++)
      frame[i] = (guint8) g_test_rand_int_range (0, 256);
    SrHostFrame hf = { frame, fw, fh, stride, *l };
    for (guint c = 0; c < G_N_ELEMENTS (crops); c++) {
      const int x0 = crops[c][0], y0 = crops[c][1], w = crops[c][2], h = crops[c][3];
      SrTensor *t = sr_tensor_new (sr_test_runtime (), 1, 3, h, w, SR_DTYPE_F32, NULL);
      g_assert_cmpint (sr_upload_packed8 (op, sr_test_queue (), &hf, x0, y0, t), ==, SR_OK);
      float *got = sr_test_download (t);
      const int off[3] = { l->r, l->g, l->b };
      for (int ch = 0; ch < 3; ch++)
        for (int y = 0; y < h; y++)
          for (int x = 0; x < w; x++) {
            const guint8 b = frame[(y0 + y) * stride + (x0 + x) * l->pixel_stride + off[ch]];
            g_assert_cmpfloat (got[(ch * h + y) * w + x], ==, b / 255.0f);
          }
      g_free (got);

      /* download: values around every tie k + 0.5 and random ones */
      const int n = 3 * w * h;
      float *v = g_new (float, n);
      for (int i = 0; i < n; i++)
        v[i] = i % 3 ? (float) g_test_rand_double_range (-0.1, 1.1)
            : (g_test_rand_int_range (0, 255) + 0.5f) / 255.0f;
      SrTensor *src = sr_test_upload (v, 1, 3, h, w);
      const int ostride = w * l->pixel_stride + 3;
      guint8 *out = g_malloc (ostride * h);
      for (int mode = 0; mode < 2; mode++) {
        memset (out, 0x5a, ostride * h);
        g_assert_cmpint (sr_download_packed8 (op, sr_test_queue (), src, out,
                ostride, l, mode), ==, SR_OK);
        for (int y = 0; y < h; y++)
          for (int x = 0; x < w; x++) {
            const guint8 *px = out + y * ostride + x * l->pixel_stride;
            for (int ch = 0; ch < 3; ch++)
              g_assert_cmpuint (px[off[ch]], ==, ref_to_u8 (v[(ch * h + y) * w + x], mode));
            if (l->a >= 0)
              g_assert_cmpuint (px[l->a], ==, 255);
          }
        /* The row padding is left as it was. */
        for (int y = 0; y < h; y++)
          for (int b = w * l->pixel_stride; b < ostride; b++)
            g_assert_cmpuint (out[y * ostride + b], ==, 0x5a);
      }
      /* A rect of src (a tile's output) into the middle of a larger frame:
       * its pixels as above, every other byte of the frame untouched. */
      if (w > 3 && h > 1) {
        const int sx = 2, sy = 1, rw = w - 3, rh = h - 1, dx = 3, dy = 2;
        const int fstride = (w + 5) * l->pixel_stride, frows = h + 4;
        guint8 *frame = g_malloc (fstride * frows);
        memset (frame, 0x5a, fstride * frows);
        g_assert_cmpint (sr_download_packed8_rect (op, sr_test_queue (), src,
                sx, sy, rw, rh, frame + dy * fstride + dx * l->pixel_stride,
                fstride, l, SR_ROUND_HALF_EVEN), ==, SR_OK);
        for (int y = 0; y < frows; y++)
          for (int x = 0; x < w + 5; x++) {
            const guint8 *px = frame + y * fstride + x * l->pixel_stride;
            const int ix = x - dx + sx, iy = y - dy + sy;
            if (x < dx || x >= dx + rw || y < dy || y >= dy + rh) {
              for (int b = 0; b < l->pixel_stride; b++)
                g_assert_cmpuint (px[b], ==, 0x5a);
              continue;
            }
            for (int ch = 0; ch < 3; ch++)
              g_assert_cmpuint (px[off[ch]], ==, ref_to_u8 (v[(ch * h + iy)
                          * w + ix], SR_ROUND_HALF_EVEN));
          }
        /* A rect reaching outside src is refused. */
        g_assert_cmpint (sr_download_packed8_rect (op, sr_test_queue (), src,
                sx, sy, w, rh, frame, fstride, l, SR_ROUND_HALF_EVEN), ==,
            SR_ERR_INVALID_ARGUMENT);
        g_free (frame);
      }
      g_free (out);
      g_free (v);
      sr_tensor_unref (src);
      sr_tensor_unref (t);
    }
    g_free (frame);
  }
  sr_convert_free (op);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/convert/yuv/upload", test_upload);
  g_test_add_func ("/convert/yuv/download", test_download);
  g_test_add_func ("/convert/yuv/round-trip", test_round_trip);
  g_test_add_func ("/convert/yuv/arguments-and-reuse", test_arguments_and_reuse);
  g_test_add_func ("/convert/packed", test_packed);
  return g_test_run ();
}
