/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lab op against a plain-C double evaluation of scikit-image's rgb2lab
 * (spec/metrics.md 6.1: codes times 1/255 as img_as_float64 does, sRGB
 * linearised, xyz_from_rgb, over the D65 white, f, L a b) on every gray
 * and a lattice of 32^3 colours plus out-of-range and NaN samples (the
 * code rule clamps them): 1e-12 absolute (libm's pow and cbrt against the
 * device's). And the spec's sanity values, (255,255,255) -> (100,
 * -0.002455, 0.004653) and the others, to the 6 decimals printed there. */
#include "sr_lab.h"
#include "sr_test_util.h"

#include <stdio.h>

static SrLab *op;

static double
ref_code (float x)
{
  x = isnan (x) ? 0.0f : fminf (fmaxf (x, 0.0f), 1.0f);
  return nearbyint (x * 255.0f);
}

static double
ref_lin (double c)
{
  return c > 0.04045 ? pow ((c + 0.055) / 1.055, 2.4) : c / 12.92;
}

static double
ref_f (double t)
{
  return t > 0.008856 ? cbrt (t) : 7.787 * t + 16.0 / 116.0;
}

static void
ref_lab (const float *rgb, double *lab)
{
  double c[3];
  for (int i = 0; i < 3; i++)
    c[i] = ref_lin (ref_code (rgb[i]) * (1.0 / 255.0));
  static const double m[3][3] = { {0.412453, 0.357580, 0.180423},
  {0.212671, 0.715160, 0.072169}, {0.019334, 0.119193, 0.950227}
  };
  static const double white[3] = { 0.95047, 1.0, 1.08883 };
  double f[3];
  for (int i = 0; i < 3; i++)
    f[i] = ref_f ((m[i][0] * c[0] + m[i][1] * c[1] + m[i][2] * c[2]) / white[i]);
  lab[0] = 116 * f[1] - 16;
  lab[1] = 500 * (f[0] - f[1]);
  lab[2] = 200 * (f[1] - f[2]);
}

/* Lab of n RGB samples (rgb: n x 3, interleaved) through the op. */
static double *
device_lab (const float *rgb, int n)
{
  float *planar = g_new (float, 3 * n);
  for (int i = 0; i < n; i++)
    for (int c = 0; c < 3; c++)
      planar[c * n + i] = rgb[3 * i + c];
  SrTensor *t = sr_test_upload (planar, 1, 3, 1, n);
  SrTensor *lab = sr_tensor_new (sr_test_runtime (), 1, 3, 1, n, SR_DTYPE_F64,
      NULL);
  g_assert_cmpint (sr_lab_run (op, sr_test_queue (), t, lab), ==, SR_OK);
  double *out = g_new (double, 3 * n);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), lab, out), ==, SR_OK);
  sr_tensor_unref (t);
  sr_tensor_unref (lab);
  g_free (planar);
  return out;
}

static void
test_lattice (void)
{
  const int n = 256 + 32 * 32 * 32 + 3;
  float *rgb = g_new (float, 3 * n);
  int k = 0;
  for (int g = 0; g < 256; g++, k++)
    rgb[3 * k] = rgb[3 * k + 1] = rgb[3 * k + 2] = g / 255.0f;
  for (int r = 0; r < 32; r++)
    for (int g = 0; g < 32; g++)
      for (int b = 0; b < 32; b++, k++) {
        rgb[3 * k] = (r * 8 + 3) / 255.0f;
        rgb[3 * k + 1] = (g * 8 + 5) / 255.0f;
        rgb[3 * k + 2] = (b * 8 + 1) / 255.0f;
      }
  const float odd[3][3] = { {-0.5f, 1.5f, NAN}, {2.0f, -1.0f, 0.5f},
  {NAN, NAN, NAN}
  };
  for (int i = 0; i < 3; i++, k++)
    for (int c = 0; c < 3; c++)
      rgb[3 * k + c] = odd[i][c];
  double *got = device_lab (rgb, n), worst = 0;
  const int n_planar = n;
  for (int i = 0; i < n; i++) {
    double want[3];
    ref_lab (rgb + 3 * i, want);
    for (int c = 0; c < 3; c++) {
      const double v = got[c * n_planar + i], d = fabs (v - want[c]);
      if (!(d <= 1e-12))
        g_error ("sample %d channel %d: %.17g, reference %.17g", i, c, v,
            want[c]);
      worst = MAX (worst, d);
    }
  }
  g_test_message ("largest difference %.2g over %d colours", worst, n);
  g_free (got);
  g_free (rgb);
}

static void
test_sanity_values (void)
{
  const float rgb[6][3] = { {255, 255, 255}, {128, 128, 128}, {255, 0, 0},
  {0, 255, 0}, {0, 0, 255}, {10, 20, 30}
  };
  const double want[6][3] = { {100.000000, -0.002455, 0.004653},
  {53.585013, -0.001473, 0.002791}, {53.240588, 80.092308, 67.202751},
  {87.735099, -86.183030, 83.179703}, {32.295673, 79.185591, -107.857300},
  {5.948470, -0.669311, -8.136412}
  };
  float in[18];
  for (int i = 0; i < 18; i++)
    in[i] = rgb[i / 3][i % 3] / 255.0f;
  double *got = device_lab (in, 6);
  for (int i = 0; i < 6; i++)
    for (int c = 0; c < 3; c++)
      g_assert_cmpfloat (fabs (got[c * 6 + i] - want[i][c]), <=, 5e-7);
  g_free (got);
}

static void
test_invalid (void)
{
  SrRuntime *rt = sr_test_runtime ();
  SrTensor *rgb = sr_tensor_new (rt, 1, 3, 4, 5, SR_DTYPE_F32, NULL);
  SrTensor *lab = sr_tensor_new (rt, 1, 3, 4, 6, SR_DTYPE_F64, NULL);
  SrTensor *lab32 = sr_tensor_new (rt, 1, 3, 4, 5, SR_DTYPE_F32, NULL);
  g_assert_cmpint (sr_lab_run (op, sr_test_queue (), rgb, lab), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_lab_run (op, sr_test_queue (), rgb, lab32), ==,
      SR_ERR_INVALID_ARGUMENT);
  sr_tensor_unref (rgb);
  sr_tensor_unref (lab);
  sr_tensor_unref (lab32);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_lab_new (sr_test_runtime (), &error);
  if (!op) {
    g_assert_error (error, SR_ERROR, SR_ERR_UNSUPPORTED);
    printf ("1..0 # SKIP %s\n", error->message);
    g_error_free (error);
    return 0;
  }
  g_test_add_func ("/lab/lattice", test_lattice);
  g_test_add_func ("/lab/sanity-values", test_sanity_values);
  g_test_add_func ("/lab/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_lab_free (op);
  return ret;
}
