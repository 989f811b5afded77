/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* resample op vs plain-C double-precision references written independently
 * of the tap tables: MATLAB imresize (explicit symmetric padding, weights
 * from the formulas in double), PyTorch F.interpolate and OpenCV
 * cv2.resize as dense matrices. */
#include "sr_resample.h"
#include "sr_test_util.h"

static double
cubic (double x)
{
  double a = fabs (x);
  if (a <= 1)
    return 1.5 * a * a * a - 2.5 * a * a + 1;
  if (a <= 2)
    return -0.5 * a * a * a + 2.5 * a * a - 4 * a + 2;
  return 0;
}

/* One axis of MATLAB imresize: out[o] for a line of n samples. */
static void
ref_resize_line (const double *in, int n, double *out, int m, double scale)
{
  const double kw = scale < 1 ? 4.0 / scale : 4.0;
  for (int o = 0; o < m; o++) {
    const double u = (o + 1) / scale + 0.5 * (1 - 1 / scale);
    const int left = (int) floor (u - kw / 2);
    const int p = (int) ceil (kw) + 2;
    double sum = 0, acc = 0;
    for (int j = 0; j < p; j++) {
      const int idx = left + j;                 /* 1-based */
      const double w = scale < 1 ? scale * cubic ((u - idx) * scale) : cubic (u - idx);
      int i0 = idx - 1;                         /* 0-based, mirror d c b a | a b c d */
      while (i0 < 0 || i0 >= n)
        i0 = i0 < 0 ? -i0 - 1 : 2 * n - 1 - i0;
      sum += w;
      acc += w * in[i0];
    }
    out[o] = acc / sum;
  }
}

static void
ref_imresize (const float *src, int planes, int h, int w, float *dst, int oh,
    int ow, double scale)
{
  double *line = g_new (double, MAX (h, w)), *res = g_new (double, MAX (oh, ow));
  double *mid = g_new (double, (size_t) oh * w);
  for (int p = 0; p < planes; p++) {
    for (int x = 0; x < w; x++) {               /* rows (height) first */
      for (int y = 0; y < h; y++)
        line[y] = src[((size_t) p * h + y) * w + x];
      ref_resize_line (line, h, res, oh, scale);
      for (int y = 0; y < oh; y++)
        mid[(size_t) y * w + x] = res[y];
    }
    for (int y = 0; y < oh; y++) {
      ref_resize_line (mid + (size_t) y * w, w, res, ow, scale);
      for (int x = 0; x < ow; x++)
        dst[((size_t) p * oh + y) * ow + x] = (float) res[x];
    }
  }
  g_free (line);
  g_free (res);
  g_free (mid);
}

/* Worked x2 / x4 weights of MATLAB's imresize (BasicSR matlab_functions.py,
 * calculate_weights_indices), exact values computed by hand. */
static void
test_worked_weights (void)
{
  static const double x2[8] = { -0.01171875, -0.03515625, 0.11328125, 0.43359375,
    0.43359375, 0.11328125, -0.03515625, -0.01171875 };
  static const double x4_half[8] = { -0.00170898, -0.01098633, -0.01831055,
    -0.01196289, 0.02270508, 0.09741211, 0.18188477, 0.24096680 };
  SrTapTable t = { 0 };
  sr_taps_matlab_bicubic (&t, 480, 240, 0.5, TRUE);
  g_assert_cmpint (t.taps, ==, 8);
  for (int j = 0; j < 8; j++)
    g_assert_cmpfloat_with_epsilon (t.weight[8 * 100 + j], x2[j], 1e-7);
  sr_taps_matlab_bicubic (&t, 480, 120, 0.25, TRUE);
  g_assert_cmpint (t.taps, ==, 16);
  for (int j = 0; j < 8; j++) {
    g_assert_cmpfloat_with_epsilon (t.weight[16 * 50 + j], x4_half[j], 5e-8);
    g_assert_cmpfloat_with_epsilon (t.weight[16 * 50 + 15 - j], x4_half[j], 5e-8);
  }
  /* Border: output 0 of x4 starts at 1-based tap -5 (0-based -6), which
   * half-sample symmetry maps to 0-based 5. */
  g_assert_cmpint (t.index[0], ==, 5);
  sr_tap_table_clear (&t);
}

static void
check_resize (int h, int w, int s, guint32 seed)
{
  const double scale = 1.0 / s;
  const int oh = h / s, ow = w / s;
  const size_t n = (size_t) 3 * h * w, m = (size_t) 3 * oh * ow;
  float *src = g_new (float, n), *ref = g_new (float, m);
  sr_test_fill_uniform (src, n, seed, 0, 1);
  ref_imresize (src, 3, h, w, ref, oh, ow, scale);

  GError *error = NULL;
  SrResample *op = sr_resample_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  SrTapTable rows = { 0 }, cols = { 0 };
  sr_taps_matlab_bicubic (&rows, h, oh, scale, TRUE);
  sr_taps_matlab_bicubic (&cols, w, ow, scale, TRUE);
  SrTensor *in = sr_test_upload (src, 1, 3, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, 3, oh, ow, SR_DTYPE_F32, &error);
  g_assert_cmpint (sr_resample_run (op, sr_test_queue (), in, out, &rows, &cols), ==, SR_OK);
  float *got = sr_test_download (out);
  /* float32 weights and accumulation vs double: ~1e-7 per step; allow
   * 1e-6 on random [0,1) input. */
  const double err = sr_test_max_abs_diff (got, ref, m);
  g_test_message ("%dx%d /%d: max |diff| = %.3g", w, h, s, err);
  g_assert_cmpfloat (err, <, 1e-6);

  g_free (got);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  sr_tap_table_clear (&rows);
  sr_tap_table_clear (&cols);
  sr_resample_free (op);
  g_free (src);
  g_free (ref);
}

static void
test_matlab_scales (void)
{
  for (int s = 1; s <= 8; s++)
    check_resize (48 + 5 * s - (48 + 5 * s) % s, 64 - 64 % s, s, 100 + s);
}

static void
test_matlab_nonsquare_odd (void)
{
  check_resize (99, 33, 3, 7);
  check_resize (20, 132, 4, 8);
}

/* ---- PyTorch / OpenCV semantics --------------------------------------------
 * Each reference builds a dense double matrix M (out x in) for one axis
 * straight from the formulas of aten's UpSample*.cpp / OpenCV's
 * resize.cpp (no tap tables, no index clamping tricks shared with the host code); the image reference is then
 * M_h * X * M_w^T in double. */

typedef enum { SEM_TORCH, SEM_OPENCV } Semantics;

/* Keys' cubic kernel in its piecewise form, A = -0.75. */
static double
keys (double x)
{
  const double a = -0.75, t = fabs (x);
  if (t <= 1)
    return (a + 2) * t * t * t - (a + 3) * t * t + 1;
  if (t < 2)
    return a * t * t * t - 5 * a * t * t + 8 * a * t - 4 * a;
  return 0;
}

static int
clampi (int i, int n)
{
  return MAX (0, MIN (i, n - 1));
}

/* Adds a bilinear pair at i0, i0+1 (i0+1 replaced by i0 past the end). */
static void
add_linear (double *row, int n, int i0, double f)
{
  row[clampi (i0, n)] += 1 - f;
  row[clampi (i0 + 1, n)] += f;
}

static double *
ref_matrix (Semantics sem, SrResizeMode mode, int n, int m, double factor,
    gboolean area_shrink)
{
  double *mat = g_new0 (double, (size_t) m * n);
  for (int o = 0; o < m; o++) {
    double *row = mat + (size_t) o * n;
    if (sem == SEM_TORCH) {
      /* aten's area_pixel_compute_scale: 1/s or in/out, as a float32. */
      const double r = factor > 0 ? (float) (1.0 / factor)
          : (float) n / (float) m;
      const double src = r * (o + 0.5) - 0.5;
      if (mode == SR_RESIZE_BILINEAR) {
        const double c = MAX (src, 0);
        add_linear (row, n, (int) c, c - (int) c);
      } else if (mode == SR_RESIZE_BICUBIC) {
        const int i = (int) floor (src);
        for (int k = i - 1; k <= i + 2; k++)
          row[clampi (k, n)] += keys (src - k);
      } else {                  /* AREA: unweighted window mean */
        const int start = (int) floor ((double) o * n / m);
        const int end = (int) ceil ((double) (o + 1) * n / m);
        for (int k = start; k < end; k++)
          row[k] += 1.0 / (end - start);
      }
      continue;
    }
    /* OpenCV, scale = in / out. */
    const double scale = (double) n / m;
    if (n == m) {
      row[o] = 1;
    } else if (mode == SR_RESIZE_NEAREST) {
      row[MIN ((int) floor (o * scale), n - 1)] = 1;
    } else if (mode == SR_RESIZE_BICUBIC) {
      const double fx = (o + 0.5) * scale - 0.5;
      const int sx = (int) floor (fx);
      for (int k = sx - 1; k <= sx + 2; k++)
        row[clampi (k, n)] += keys (fx - k);
    } else if (mode == SR_RESIZE_AREA && area_shrink) {
      /* Coverage of [o*scale, (o+1)*scale) cut at n; OpenCV drops partial
       * end pixels covered by 1e-3 or less. */
      const double a = o * scale, b = MIN ((o + 1) * scale, n);
      for (int k = 0; k < n; k++) {
        const double ov = MIN (k + 1.0, b) - MAX ((double) k, a);
        if (ov > 1e-3 || (ov > 0 && k >= a && k + 1 <= b))
          row[k] += ov / (b - a);
      }
    } else {                    /* LINEAR, or AREA enlarging (resize.cpp) */
      int sx;
      double f;
      if (mode == SR_RESIZE_AREA) {
        sx = (int) floor (o * scale);
        f = (o + 1) - (sx + 1) / scale;
        f = f <= 0 ? 0 : f - floor (f);
      } else {
        const double fx = (o + 0.5) * scale - 0.5;
        sx = (int) floor (fx);
        f = fx - sx;
      }
      if (sx < 0)
        sx = 0, f = 0;
      if (sx >= n - 1)
        sx = n - 1, f = 0;
      add_linear (row, n, sx, f);
    }
  }
  return mat;
}

static void
ref_apply (const float *src, int planes, int h, int w, const double *mh,
    int oh, const double *mw, int ow, float *dst)
{
  double *mid = g_new (double, (size_t) oh * w);
  for (int p = 0; p < planes; p++) {
    const float *x = src + (size_t) p * h * w;
    for (int y = 0; y < oh; y++)
      for (int i = 0; i < w; i++) {
        double acc = 0;
        for (int k = 0; k < h; k++)
          acc += mh[(size_t) y * h + k] * x[(size_t) k * w + i];
        mid[(size_t) y * w + i] = acc;
      }
    for (int y = 0; y < oh; y++)
      for (int i = 0; i < ow; i++) {
        double acc = 0;
        for (int k = 0; k < w; k++)
          acc += mw[(size_t) i * w + k] * mid[(size_t) y * w + k];
        dst[((size_t) p * oh + y) * ow + i] = (float) acc;
      }
  }
  g_free (mid);
}

/* One resize through the device op vs the reference. oh/ow <= 0 with
 * factor > 0: PyTorch's scale_factor path sizes. */
static void
check_semantics (Semantics sem, SrResizeMode mode, int h, int w, int oh,
    int ow, double factor, guint32 seed)
{
  SrTapTable rows = { 0 }, cols = { 0 };
  if (sem == SEM_TORCH) {
    if (factor > 0) {
      oh = sr_torch_out_len (h, factor, mode);
      ow = sr_torch_out_len (w, factor, mode);
    }
    g_assert_true (sr_taps_torch (&rows, mode, h, oh, factor));
    g_assert_true (sr_taps_torch (&cols, mode, w, ow, factor));
  } else {
    g_assert_true (sr_taps_opencv_2d (&rows, &cols, mode, h, w, oh, ow));
  }
  const gboolean shrink = h >= oh && w >= ow;
  double *mh = ref_matrix (sem, mode, h, oh, factor, shrink);
  double *mw = ref_matrix (sem, mode, w, ow, factor, shrink);

  const size_t n = (size_t) 2 * h * w, m = (size_t) 2 * oh * ow;
  float *src = g_new (float, n), *ref = g_new (float, m);
  sr_test_fill_uniform (src, n, seed, 0, 1);
  ref_apply (src, 2, h, w, mh, oh, mw, ow, ref);

  GError *error = NULL;
  SrResample *op = sr_resample_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  SrTensor *in = sr_test_upload (src, 1, 2, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, 2, oh, ow, SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sr_resample_run (op, sr_test_queue (), in, out, &rows, &cols), ==, SR_OK);
  float *got = sr_test_download (out);
  /* float32 coefficients, coordinates (OpenCV rounds fx to float: half an
   * ulp of ~100 px is 4e-6 px) and accumulation vs double: 1e-5. */
  const double err = sr_test_max_abs_diff (got, ref, m);
  g_test_message ("%s mode %d %dx%d -> %dx%d (factor %g): max |diff| = %.3g",
      sem == SEM_TORCH ? "torch" : "opencv", mode, w, h, ow, oh, factor, err);
  g_assert_cmpfloat (err, <, 1e-5);

  g_free (got);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  sr_tap_table_clear (&rows);
  sr_tap_table_clear (&cols);
  sr_resample_free (op);
  g_free (src);
  g_free (ref);
  g_free (mh);
  g_free (mw);
}

static const SrResizeMode torch_modes[] = { SR_RESIZE_BILINEAR,
  SR_RESIZE_BICUBIC, SR_RESIZE_AREA
};

static void
test_torch_scale_factor (void)
{
  static const double f[] = { 0.15, 0.3333, 0.5, 0.73, 1.0, 1.2, 1.5 };
  for (guint i = 0; i < G_N_ELEMENTS (torch_modes); i++)
    for (guint j = 0; j < G_N_ELEMENTS (f); j++)
      check_semantics (SEM_TORCH, torch_modes[i], 61, 80, 0, 0, f[j], 10 * i + j);
}

static void
test_torch_size (void)
{
  static const int sz[][4] = { {61, 80, 20, 33}, {30, 30, 100, 47},
    {120, 7, 40, 21}, {17, 90, 17, 90}, {99, 30, 5, 1} };
  for (guint i = 0; i < G_N_ELEMENTS (torch_modes); i++)
    for (guint j = 0; j < G_N_ELEMENTS (sz); j++)
      check_semantics (SEM_TORCH, torch_modes[i], sz[j][0], sz[j][1], sz[j][2],
          sz[j][3], 0, 50 + 10 * i + j);
}

static void
test_opencv (void)
{
  static const SrResizeMode modes[] = { SR_RESIZE_NEAREST, SR_RESIZE_BILINEAR,
    SR_RESIZE_BICUBIC, SR_RESIZE_AREA
  };
  /* Down (integer and not), up, same size, and mixed shrink/enlarge. */
  static const int sz[][4] = { {80, 64, 27, 32}, {61, 80, 20, 23},
    {23, 30, 100, 47}, {40, 33, 40, 33}, {60, 20, 25, 70}, {50, 50, 50, 17} };
  for (guint i = 0; i < G_N_ELEMENTS (modes); i++)
    for (guint j = 0; j < G_N_ELEMENTS (sz); j++)
      check_semantics (SEM_OPENCV, modes[i], sz[j][0], sz[j][1], sz[j][2],
          sz[j][3], 0, 100 + 10 * i + j);
}

/* Worked facts of PyTorch's and OpenCV's resize on the tables themselves. */
static void
test_semantics_facts (void)
{
  SrTapTable t = { 0 };
  /* 400 px at s = 0.3333: 133 outputs at ratio 3.0003, so output 0 sits at
   * 3.0003 * 0.5 - 0.5 = 1.00015 (size-based it would be 1.0037). */
  g_assert_cmpint (sr_torch_out_len (400, 0.3333, SR_RESIZE_BILINEAR), ==, 133);
  g_assert_true (sr_taps_torch (&t, SR_RESIZE_BILINEAR, 400, 133, 0.3333));
  g_assert_cmpint (t.index[0], ==, 1);
  g_assert_cmpfloat_with_epsilon (t.weight[1], 0.00015, 1e-6);
  /* Area 400 -> 600: out0 = in0, out1 = (in0 + in1) / 2, out2 = in1. */
  g_assert_true (sr_taps_torch (&t, SR_RESIZE_AREA, 400, 600, 0));
  g_assert_cmpint (t.taps, ==, 2);
  g_assert_cmpint (t.index[0], ==, 0);
  g_assert_cmpfloat (t.weight[0], ==, 1.0f);
  g_assert_cmpfloat (t.weight[1], ==, 0.0f);
  g_assert_cmpint (t.index[2], ==, 0);
  g_assert_cmpint (t.index[3], ==, 1);
  g_assert_cmpfloat (t.weight[2], ==, 0.5f);
  g_assert_cmpint (t.index[4], ==, 1);
  g_assert_cmpfloat (t.weight[5], ==, 0.0f);
  /* OpenCV INTER_AREA 80 -> 27: pixels 0, 1 fully, 0.963 of pixel 2. */
  g_assert_true (sr_taps_opencv (&t, SR_RESIZE_AREA, 80, 27));
  const double scale = 80.0 / 27;
  g_assert_cmpfloat_with_epsilon (t.weight[0], 1 / scale, 1e-7);
  g_assert_cmpfloat_with_epsilon (t.weight[1], 1 / scale, 1e-7);
  g_assert_cmpint (t.index[2], ==, 2);
  g_assert_cmpfloat_with_epsilon (t.weight[2], (scale - 2) / scale, 1e-7);
  /* Torch nearest is not specified. */
  g_assert_false (sr_taps_torch (&t, SR_RESIZE_NEAREST, 10, 5, 0));
  sr_tap_table_clear (&t);
}

/* More distinct sizes than the op caches tables for: every result still
 * equals the same resize done by a fresh op (regression: evicting the cache
 * between a call's two uploads freed the first table). */
static void
test_table_cache_eviction (void)
{
  const int h = 24, w = 20;
  float src[3 * 24 * 20];
  sr_test_fill_uniform (src, G_N_ELEMENTS (src), 77, 0, 1);
  GError *error = NULL;
  SrResample *op = sr_resample_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  SrTensor *in = sr_test_upload (src, 1, 3, h, w);
  for (int i = 0; i < 80; i++) {
    const int oh = 5 + i % 37, ow = 3 + i;
    SrTapTable rows = { 0 }, cols = { 0 };
    g_assert_true (sr_taps_torch (&rows, SR_RESIZE_BILINEAR, h, oh, 0));
    g_assert_true (sr_taps_torch (&cols, SR_RESIZE_BILINEAR, w, ow, 0));
    SrTensor *a = sr_tensor_new (sr_test_runtime (), 1, 3, oh, ow, SR_DTYPE_F32, &error);
    SrTensor *b = sr_tensor_new (sr_test_runtime (), 1, 3, oh, ow, SR_DTYPE_F32, &error);
    SrResample *fresh = sr_resample_new (sr_test_runtime (), &error);
    g_assert_cmpint (sr_resample_run (op, sr_test_queue (), in, a, &rows, &cols), ==, SR_OK);
    g_assert_cmpint (sr_resample_run (fresh, sr_test_queue (), in, b, &rows, &cols), ==, SR_OK);
    float *ga = sr_test_download (a), *gb = sr_test_download (b);
    g_assert_cmpmem (ga, sizeof (float) * 3 * oh * ow, gb, sizeof (float) * 3 * oh * ow);
    g_free (ga);
    g_free (gb);
    sr_resample_free (fresh);
    sr_tensor_unref (a);
    sr_tensor_unref (b);
    sr_tap_table_clear (&rows);
    sr_tap_table_clear (&cols);
  }
  sr_tensor_unref (in);
  sr_resample_free (op);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/resample/matlab/worked-weights", test_worked_weights);
  g_test_add_func ("/resample/matlab/scales-1-8", test_matlab_scales);
  g_test_add_func ("/resample/matlab/non-square", test_matlab_nonsquare_odd);
  g_test_add_func ("/resample/torch/facts", test_semantics_facts);
  g_test_add_func ("/resample/torch/scale-factor", test_torch_scale_factor);
  g_test_add_func ("/resample/torch/size", test_torch_size);
  g_test_add_func ("/resample/opencv/modes", test_opencv);
  g_test_add_func ("/resample/table-cache", test_table_cache_eviction);
  return g_test_run ();
}
