/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* similarity op vs plain-C double loops written from spec/metrics.md:
 * - planes: code = rint (clamp (x, 0, 1) * 255 in float32) (half to
 *   even); BasicSR's Y by its chain (3.2): u8 / 255 rounded to float32,
 *   B*24.966 + G*128.553 + R*65.481 + 16 in double, / 255 rounded to
 *   float32, * 255 in float32; pyiqa's: u8 / 255 in float32, YIQ's Y in
 *   float32 (0.299 R + 0.587 G + 0.114 B, left to right), and that times
 *   255 rounded. Exact: every value must be identical.
 * - sums: SSE over the plane; SSIM and cs means over the valid region of
 *   the 2-D window w[i][j] = t[i] t[j] (direct, not separable, unlike the
 *   device), population moments or sample ones (x 49/48), with and
 *   without pyiqa's per-pixel clamp of cs. Tolerance 1e-12 relative
 *   (spec 12: fp64 kernels against their reference); the two differ only
 *   in the order of double sums.
 * - the sums straight from 8-bit planes (C of them, cropped on the
 *   device): the same reference on the planes' values, 1e-12 relative;
 *   the window's taps symmetric (the 8-bit kernel pairs them).
 * - MS-SSIM's 2x2 means, both edge rules (MATLAB: an odd side's last block
 *   repeats its edge; PyTorch: an odd side's first block takes a zero),
 *   on odd and even sizes: within 1 ulp of the four-term mean.
 * - identical inputs give SSE 0 and SSIM, cs exactly 1; constant 100
 *   against 101 gives BasicSR's 0.9999505134 (spec 10.2) to 1e-9. */
#include "sr_similarity.h"
#include "sr_test_util.h"

#include <stdio.h>
#include <string.h>

static SrSimilarityOp *op;

static double
ref_code (float x)
{
  x = isnan (x) ? 0.0f : fminf (fmaxf (x, 0.0f), 1.0f);
  const float p = x * 255.0f;
  return nearbyint (p);         /* default rounding: half to even */
}

/* The planes of a [3][h][w] float picture, cropped. */
static double *
ref_planes (const float *rgb, int h, int w, int crop, SrPlanes mode)
{
  const int oh = h - 2 * crop, ow = w - 2 * crop;
  const size_t plane = (size_t) h * w, op_ = (size_t) oh * ow;
  double *out = g_new (double, 3 * op_);
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++) {
      const size_t at = (size_t) (y + crop) * w + x + crop;
      const size_t o = (size_t) y * ow + x;
      const double r = ref_code (rgb[at]), g = ref_code (rgb[plane + at]);
      const double b = ref_code (rgb[2 * plane + at]);
      const float ur = (float) r / 255.0f, ug = (float) g / 255.0f;
      const float ub = (float) b / 255.0f;
      volatile float yiq = ur * 0.299f;
      yiq = yiq + ug * 0.587f;
      yiq = yiq + ub * 0.114f;
      if (mode == SR_PLANES_RGB || mode == SR_PLANES_RGB_UNIT) {
        const gboolean unit = mode == SR_PLANES_RGB_UNIT;
        out[o] = unit ? ur : r;
        out[op_ + o] = unit ? ug : g;
        out[2 * op_ + o] = unit ? ub : b;
      } else if (mode == SR_PLANES_Y_YIQ) {
        out[o] = yiq;
      } else if (mode == SR_PLANES_Y_YIQ_255) {
        const float y255 = yiq * 255.0f;
        out[o] = nearbyintf (y255);
      } else {
        const float fb = (float) b / 255.0f, fg = (float) g / 255.0f;
        const float fr = (float) r / 255.0f;
        volatile double t = (double) fb * 24.966;
        t = t + (double) fg * 128.553;
        t = t + (double) fr * 65.481;
        t = t + 16.0;
        const float yf = (float) (t / 255.0);
        const float y255 = yf * 255.0f;
        out[o] = y255;
      }
    }
  return out;
}

static void
ref_sums (const double *a, const double *b, int c, int h, int w,
    SrWindow window, double c1, double c2, gboolean relu, SrSimilarity *res)
{
  double t[11], cov;
  const int n = sr_window_taps (window, t, &cov);
  for (int ch = 0; ch < c; ch++) {
    const double *pa = a + (size_t) ch * h * w, *pb = b + (size_t) ch * h * w;
    SrSimilarity *r = &res[ch];
    memset (r, 0, sizeof *r);
    r->n = (gint64) h * w;
    for (size_t i = 0; i < (size_t) h * w; i++)
      r->sse += (pa[i] - pb[i]) * (pa[i] - pb[i]);
    for (int y = 0; n > 0 && y + n <= h; y++)
      for (int x = 0; x + n <= w; x++) {
        double ma = 0, mb = 0, maa = 0, mbb = 0, mab = 0;
        for (int i = 0; i < n; i++)
          for (int j = 0; j < n; j++) {
            const double k = t[i] * t[j];
            const double u = pa[(y + i) * w + x + j], v = pb[(y + i) * w + x + j];
            ma += k * u;
            mb += k * v;
            maa += k * u * u;
            mbb += k * v * v;
            mab += k * u * v;
          }
        const double va = cov * (maa - ma * ma), vb = cov * (mbb - mb * mb);
        const double vab = cov * (mab - ma * mb);
        double cs = (2 * vab + c2) / (va + vb + c2);
        if (relu && cs < 0)
          cs = 0;
        r->ssim += (2 * ma * mb + c1) / (ma * ma + mb * mb + c1) * cs;
        r->cs += cs;
        r->n_valid++;
      }
    if (r->n_valid) {
      r->ssim /= r->n_valid;
      r->cs /= r->n_valid;
    }
  }
}

static void
check_close (double got, double want, double rel, const char *what)
{
  const double tol = rel * fmax (1.0, fabs (want));
  if (!(fabs (got - want) <= tol))
    g_error ("%s: got %.17g, reference %.17g (|diff| %.3g > %.3g)", what, got,
        want, fabs (got - want), tol);
}

/* A [3][h][w] picture: 8-bit values k / 255 from a smooth field plus
 * noise (so that windows see both structure and texture), or b = a
 * distorted. */
static float *
picture (int h, int w, guint32 seed, const float *base, double noise)
{
  float *p = g_new (float, 3 * (size_t) h * w);
  GRand *r = g_rand_new_with_seed (seed);
  for (int c = 0; c < 3; c++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        const size_t i = ((size_t) c * h + y) * w + x;
        double v = base ? base[i] * 255.0
            : 128 + 90 * sin (0.21 * x + 0.5 * c) * cos (0.17 * y);
        v += g_rand_double_range (r, -noise, noise);
        p[i] = (float) CLAMP (nearbyint (v), 0, 255) / 255.0f;
      }
  g_rand_free (r);
  return p;
}

static SrTensor *
device_planes (const float *rgb, int h, int w, int crop, SrPlanes mode)
{
  SrTensor *t = sr_test_upload (rgb, 1, 3, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1,
      mode == SR_PLANES_RGB || mode == SR_PLANES_RGB_UNIT ? 3 : 1, h - 2 * crop,
      w - 2 * crop, SR_DTYPE_F64, NULL);
  g_assert_nonnull (out);
  g_assert_cmpint (sr_similarity_planes (op, sr_test_queue (), t, crop, mode,
          out), ==, SR_OK);
  sr_tensor_unref (t);
  return out;
}

static double *
read_f64 (const SrTensor *t)
{
  double *v = g_new (double, sr_tensor_numel (t));
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), t, v), ==, SR_OK);
  return v;
}

/* Planes of a and b on the device and in C (identical), then the sums of
 * both windows, with and without the clamp, against the reference. */
static void
check_case (int h, int w, int crop, SrPlanes mode, double noise, guint32 seed)
{
  float *a = picture (h, w, seed, NULL, 12);
  float *b = picture (h, w, seed + 1, a, noise);
  const int c = mode == SR_PLANES_RGB || mode == SR_PLANES_RGB_UNIT ? 3 : 1;
  const int oh = h - 2 * crop, ow = w - 2 * crop;
  SrTensor *ta = device_planes (a, h, w, crop, mode);
  SrTensor *tb = device_planes (b, h, w, crop, mode);
  double *ra = ref_planes (a, h, w, crop, mode), *rb = ref_planes (b, h, w,
      crop, mode);
  double *ga = read_f64 (ta), *gb = read_f64 (tb);
  for (size_t i = 0; i < (size_t) c * oh * ow; i++)
    if (ga[i] != ra[i] || gb[i] != rb[i])
      g_error ("%dx%d crop %d mode %d: plane value %zu: got %.17g / %.17g, "
          "reference %.17g / %.17g", w, h, crop, mode, i, ga[i], gb[i], ra[i],
          rb[i]);
  const double c1 = 6.5025, c2 = 58.5225;
  for (int win = SR_WINDOW_GAUSSIAN11; win <= SR_WINDOW_NONE; win++)
    for (int relu = 0; relu < 2; relu++) {
      SrSimilarity got[3], want[3];
      g_assert_cmpint (sr_similarity_run (op, sr_test_queue (), ta, tb, win,
              c1, c2, relu, got), ==, SR_OK);
      ref_sums (ra, rb, c, oh, ow, win, c1, c2, relu, want);
      for (int ch = 0; ch < c; ch++) {
        g_assert_cmpint (got[ch].n, ==, want[ch].n);
        g_assert_cmpint (got[ch].n_valid, ==, want[ch].n_valid);
        check_close (got[ch].sse, want[ch].sse, 1e-12, "sse");
        check_close (got[ch].ssim, want[ch].ssim, 1e-12, "ssim");
        check_close (got[ch].cs, want[ch].cs, 1e-12, "cs");
      }
      g_test_message ("%dx%d crop %d %s window %d%s: sse %.6g ssim %.9f cs "
          "%.9f", w, h, crop, mode == SR_PLANES_RGB ? "RGB" : "Y", win,
          relu ? " relu" : "", got[0].sse, got[0].ssim, got[0].cs);
    }
  sr_tensor_unref (ta);
  sr_tensor_unref (tb);
  g_free (a);
  g_free (b);
  g_free (ra);
  g_free (rb);
  g_free (ga);
  g_free (gb);
}

static void
test_sums (void)
{
  check_case (37, 23, 0, SR_PLANES_RGB, 20, 1);
  check_case (37, 23, 4, SR_PLANES_Y_BASICSR, 20, 2);
  check_case (64, 48, 0, SR_PLANES_Y_BASICSR, 60, 3);
  check_case (19, 11, 0, SR_PLANES_RGB, 5, 4);     /* one window high */
  check_case (12, 9, 1, SR_PLANES_RGB, 5, 5);      /* smaller than 11 */
  check_case (200, 131, 2, SR_PLANES_Y_BASICSR, 90, 6);
  check_case (41, 29, 1, SR_PLANES_RGB_UNIT, 20, 7);
  check_case (41, 29, 0, SR_PLANES_Y_YIQ, 20, 8);
  check_case (41, 29, 3, SR_PLANES_Y_YIQ_255, 20, 9);
  check_case (31, 300, 0, SR_PLANES_RGB, 30, 10);   /* several column steps */
}

/* 8-bit planes [c][h][w], cropped by crop on the device, against the
 * reference sums on their cropped values. */
static void
check_u8 (int c, int h, int w, int crop, double noise, guint32 seed)
{
  float *fa = picture (h, w, seed, NULL, 12);
  float *fb = picture (h, w, seed + 1, fa, noise);
  const size_t n = (size_t) c * h * w;
  const int oh = h - 2 * crop, ow = w - 2 * crop;
  guint8 *ua = g_new (guint8, n), *ub = g_new (guint8, n);
  double *ra = g_new (double, (size_t) c * oh * ow);
  double *rb = g_new (double, (size_t) c * oh * ow);
  for (size_t i = 0; i < n; i++) {
    ua[i] = (guint8) ref_code (fa[i]);
    ub[i] = (guint8) ref_code (fb[i]);
  }
  for (int ch = 0; ch < c; ch++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        const size_t i = ((size_t) ch * h + y + crop) * w + x + crop;
        const size_t o = ((size_t) ch * oh + y) * ow + x;
        ra[o] = ua[i];
        rb[o] = ub[i];
      }
  SrTensor *ta = sr_tensor_new (sr_test_runtime (), 1, c, h, w, SR_DTYPE_U8,
      NULL);
  SrTensor *tb = sr_tensor_new (sr_test_runtime (), 1, c, h, w, SR_DTYPE_U8,
      NULL);
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), ta, ua), ==, SR_OK);
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), tb, ub), ==, SR_OK);
  const double c1 = 6.5025, c2 = 58.5225;
  for (int win = SR_WINDOW_GAUSSIAN11; win <= SR_WINDOW_NONE; win++)
    for (int relu = 0; relu < 2; relu++) {
      SrSimilarity got[3], want[3];
      g_assert_cmpint (sr_similarity_run_u8 (op, sr_test_queue (), ta, tb,
              crop, win, c1, c2, relu, got), ==, SR_OK);
      ref_sums (ra, rb, c, oh, ow, win, c1, c2, relu, want);
      for (int ch = 0; ch < c; ch++) {
        g_assert_cmpint (got[ch].n, ==, want[ch].n);
        g_assert_cmpint (got[ch].n_valid, ==, want[ch].n_valid);
        check_close (got[ch].sse, want[ch].sse, 0, "u8 sse");
        check_close (got[ch].ssim, want[ch].ssim, 1e-12, "u8 ssim");
        check_close (got[ch].cs, want[ch].cs, 1e-12, "u8 cs");
      }
      g_test_message ("8-bit %dx%dx%d crop %d window %d%s: sse %.6g ssim "
          "%.9f cs %.9f", c, w, h, crop, win, relu ? " relu" : "", got[0].sse,
          got[0].ssim, got[0].cs);
    }
  sr_tensor_unref (ta);
  sr_tensor_unref (tb);
  g_free (fa);
  g_free (fb);
  g_free (ua);
  g_free (ub);
  g_free (ra);
  g_free (rb);
}

static void
test_sums_u8 (void)
{
  /* The 8-bit kernel pairs taps k and n - 1 - k. */
  for (int win = 0; win < 2; win++) {
    double t[11], cov;
    const int n = sr_window_taps (win, t, &cov);
    for (int k = 0; k < n; k++)
      g_assert_cmpfloat (t[k], ==, t[n - 1 - k]);
  }
  check_u8 (1, 37, 23, 0, 20, 21);
  check_u8 (1, 37, 23, 4, 20, 22);
  check_u8 (3, 64, 48, 3, 60, 23);
  check_u8 (1, 19, 11, 0, 5, 24);       /* one window high */
  check_u8 (1, 12, 9, 1, 5, 25);        /* smaller than 11 */
  check_u8 (1, 200, 131, 2, 90, 26);
  check_u8 (1, 31, 300, 5, 30, 27);     /* several column steps */
  check_u8 (1, 24, 12, 0, 255, 28);     /* extreme differences */
}

/* The code rule at its edges: out of range, NaN, a tie. */
static void
test_codes (void)
{
  const float v[6] = { -0.25f, 1.5f, NAN, 0.5f, 1.0f / 255, 0.0f };
  float rgb[18];
  for (int c = 0; c < 3; c++)
    memcpy (rgb + 6 * c, v, sizeof v);
  SrTensor *t = device_planes (rgb, 1, 6, 0, SR_PLANES_RGB);
  double *got = read_f64 (t);
  const double want[6] = { 0, 255, 0, 128, 1, 0 };
  for (int c = 0; c < 3; c++)
    for (int i = 0; i < 6; i++)
      g_assert_cmpfloat (got[6 * c + i], ==, want[i]);
  g_free (got);
  sr_tensor_unref (t);
}

/* 2x2 means between MS-SSIM scales. */
static void
test_downsample (void)
{
  static const int sizes[][2] = { {7, 5}, {8, 6}, {1, 3}, {33, 17} };
  for (guint si = 0; si < G_N_ELEMENTS (sizes); si++)
    for (int zero_pad = 0; zero_pad < 2; zero_pad++) {
      const int h = sizes[si][0], w = sizes[si][1], c = 2;
      const int oh = (h + 1) / 2, ow = (w + 1) / 2;
      double *in = g_new (double, (size_t) c * h * w);
      for (int i = 0; i < c * h * w; i++)
        in[i] = (i * 37 % 101) * 0.75 + 3;
      SrTensor *t = sr_tensor_new (sr_test_runtime (), 1, c, h, w,
          SR_DTYPE_F64, NULL);
      SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, c, oh, ow,
          SR_DTYPE_F64, NULL);
      g_assert_cmpint (sr_tensor_write (sr_test_queue (), t, in), ==, SR_OK);
      g_assert_cmpint (sr_similarity_downsample (op, sr_test_queue (), t, out,
              zero_pad), ==, SR_OK);
      double *got = read_f64 (out);
      for (int ch = 0; ch < c; ch++)
        for (int y = 0; y < oh; y++)
          for (int x = 0; x < ow; x++) {
            double s = 0;
            for (int dy = 0; dy < 2; dy++)
              for (int dx = 0; dx < 2; dx++) {
                int yy = 2 * y + dy, xx = 2 * x + dx;
                if (zero_pad) {
                  yy -= h % 2;
                  xx -= w % 2;
                  if (yy < 0 || xx < 0)
                    continue;
                } else {
                  yy = MIN (yy, h - 1);
                  xx = MIN (xx, w - 1);
                }
                s += in[((size_t) ch * h + yy) * w + xx];
              }
            check_close (got[((size_t) ch * oh + y) * ow + x], s / 4, 1e-15,
                "downsample");
          }
      g_free (got);
      g_free (in);
      sr_tensor_unref (t);
      sr_tensor_unref (out);
    }
}

/* An 8-bit luma plane as it is, cropped. */
static void
test_y8 (void)
{
  const int h = 9, w = 13, crop = 2;
  guint8 y[9 * 13];
  for (int i = 0; i < h * w; i++)
    y[i] = (guint8) (i * 37 + 11);
  SrTensor *t = sr_tensor_new (sr_test_runtime (), 1, 1, h, w, SR_DTYPE_U8,
      NULL);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, 1, h - 2 * crop,
      w - 2 * crop, SR_DTYPE_F64, NULL);
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), t, y), ==, SR_OK);
  g_assert_cmpint (sr_similarity_planes_y8 (op, sr_test_queue (), t, crop,
          out), ==, SR_OK);
  double *got = read_f64 (out);
  for (int r = 0; r < h - 2 * crop; r++)
    for (int x = 0; x < w - 2 * crop; x++)
      g_assert_cmpfloat (got[r * (w - 2 * crop) + x], ==,
          y[(r + crop) * w + x + crop]);
  /* A float tensor or a crop that does not match is refused. */
  g_assert_cmpint (sr_similarity_planes_y8 (op, sr_test_queue (), out, 0,
          out), ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_similarity_planes_y8 (op, sr_test_queue (), t, 1,
          out), ==, SR_ERR_INVALID_ARGUMENT);
  g_free (got);
  sr_tensor_unref (t);
  sr_tensor_unref (out);
}

static void
test_identical_and_constant (void)
{
  const int h = 30, w = 40;
  float *a = picture (h, w, 9, NULL, 30);
  SrTensor *ta = device_planes (a, h, w, 0, SR_PLANES_RGB);
  SrTensor *tb = device_planes (a, h, w, 0, SR_PLANES_RGB);
  SrSimilarity r[3];
  for (int win = 0; win < 2; win++) {
    g_assert_cmpint (sr_similarity_run (op, sr_test_queue (), ta, tb, win,
            6.5025, 58.5225, FALSE, r), ==, SR_OK);
    for (int c = 0; c < 3; c++) {
      g_assert_cmpfloat (r[c].sse, ==, 0);
      g_assert_cmpfloat (r[c].ssim, ==, 1);
      g_assert_cmpfloat (r[c].cs, ==, 1);
    }
  }
  /* Constant 100 against 101. */
  float *p = g_new (float, 3 * h * w), *q = g_new (float, 3 * h * w);
  for (int i = 0; i < 3 * h * w; i++) {
    p[i] = 100.0f / 255;
    q[i] = 101.0f / 255;
  }
  SrTensor *tp = device_planes (p, h, w, 0, SR_PLANES_RGB);
  SrTensor *tq = device_planes (q, h, w, 0, SR_PLANES_RGB);
  g_assert_cmpint (sr_similarity_run (op, sr_test_queue (), tp, tq,
          SR_WINDOW_GAUSSIAN11, 6.5025, 58.5225, FALSE, r), ==, SR_OK);
  check_close (r[0].ssim, 0.9999505134, 1e-9, "constant 100 vs 101");
  check_close (r[0].sse, h * w, 0, "constant 100 vs 101 sse");
  sr_tensor_unref (ta);
  sr_tensor_unref (tb);
  sr_tensor_unref (tp);
  sr_tensor_unref (tq);
  g_free (a);
  g_free (p);
  g_free (q);
}

static void
test_invalid (void)
{
  SrRuntime *rt = sr_test_runtime ();
  cl_command_queue q = sr_test_queue ();
  SrTensor *rgb = sr_tensor_new (rt, 1, 3, 10, 12, SR_DTYPE_F32, NULL);
  SrTensor *p3 = sr_tensor_new (rt, 1, 3, 10, 12, SR_DTYPE_F64, NULL);
  SrTensor *p1 = sr_tensor_new (rt, 1, 1, 10, 12, SR_DTYPE_F64, NULL);
  SrTensor *small = sr_tensor_new (rt, 1, 3, 8, 10, SR_DTYPE_F64, NULL);
  SrTensor *f32 = sr_tensor_new (rt, 1, 3, 10, 12, SR_DTYPE_F32, NULL);
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;
  SrSimilarity r[3];
  /* Planes: wrong channel count for the mode, crop not matching, a float
   * output, an unknown mode. */
  g_assert_cmpint (sr_similarity_planes (op, q, rgb, 0, SR_PLANES_RGB, p1), ==, bad);
  g_assert_cmpint (sr_similarity_planes (op, q, rgb, 0, SR_PLANES_Y_BASICSR, p3), ==, bad);
  g_assert_cmpint (sr_similarity_planes (op, q, rgb, 2, SR_PLANES_RGB, p3), ==, bad);
  g_assert_cmpint (sr_similarity_planes (op, q, rgb, 1, SR_PLANES_RGB, small), ==, SR_OK);
  g_assert_cmpint (sr_similarity_planes (op, q, rgb, -1, SR_PLANES_RGB, p3), ==, bad);
  g_assert_cmpint (sr_similarity_planes (op, q, rgb, 0, SR_PLANES_RGB, f32), ==, bad);
  g_assert_cmpint (sr_similarity_planes (op, q, rgb, 0, (SrPlanes) 7, p3), ==, bad);
  /* Sums: shapes that differ, float planes, the same tensor twice, an
   * unknown window. */
  g_assert_cmpint (sr_similarity_run (op, q, p3, small, 0, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run (op, q, p3, p1, 0, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run (op, q, f32, rgb, 0, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run (op, q, p3, p3, 0, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run (op, q, p3, p3, (SrWindow) 5, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run (op, q, p3, p3, (SrWindow) -1, 1, 1, FALSE, r), ==, bad);
  /* 8-bit sums: float planes, a crop that leaves nothing, a negative
   * one, the same tensor twice. */
  SrTensor *u = sr_tensor_new (rt, 1, 1, 10, 12, SR_DTYPE_U8, NULL);
  SrTensor *v = sr_tensor_new (rt, 1, 1, 10, 12, SR_DTYPE_U8, NULL);
  g_assert_cmpint (sr_similarity_run_u8 (op, q, p1, p1, 0, 0, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run_u8 (op, q, u, v, 5, 0, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run_u8 (op, q, u, v, -1, 0, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run_u8 (op, q, u, u, 0, 0, 1, 1, FALSE, r), ==, bad);
  g_assert_cmpint (sr_similarity_run_u8 (op, q, u, v, 4, 0, 1, 1, FALSE, r), ==, SR_OK);
  clFinish (q);
  SrTensor *t[] = { rgb, p3, p1, small, f32, u, v };
  for (guint i = 0; i < G_N_ELEMENTS (t); i++)
    sr_tensor_unref (t[i]);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_similarity_new (sr_test_runtime (), &error);
  if (!op) {
    /* A device without doubles: the op refuses, as it should, and there
     * is nothing else to run (a TAP plan of 0 with the reason). */
    g_assert_error (error, SR_ERROR, SR_ERR_UNSUPPORTED);
    printf ("1..0 # SKIP %s\n", error->message);
    g_error_free (error);
    return 0;
  }
  g_test_add_func ("/similarity/codes", test_codes);
  g_test_add_func ("/similarity/sums", test_sums);
  g_test_add_func ("/similarity/y8", test_y8);
  g_test_add_func ("/similarity/sums-u8", test_sums_u8);
  g_test_add_func ("/similarity/downsample", test_downsample);
  g_test_add_func ("/similarity/identical-and-constant",
      test_identical_and_constant);
  g_test_add_func ("/similarity/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_similarity_free (op);
  return ret;
}
