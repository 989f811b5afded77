/* resample op vs a plain-C double-precision MATLAB imresize reference
 * (spec/degradations.md A.2), written independently of the tap tables:
 * explicit symmetric padding, weights from the formulas in double. */
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

/* The worked x2 / x4 weights of spec A.2.3 (exact values). */
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
  /* float32 weights and accumulation vs double: spec A.2.5 expects ~1e-7
   * per step; allow 1e-6 on random [0,1) input. */
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

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/resample/matlab/worked-weights", test_worked_weights);
  g_test_add_func ("/resample/matlab/scales-1-8", test_matlab_scales);
  g_test_add_func ("/resample/matlab/non-square", test_matlab_nonsquare_odd);
  return g_test_run ();
}
