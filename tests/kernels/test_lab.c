/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lab op against a plain-C double evaluation of scikit-image's rgb2lab
 * (spec/metrics.md 6.1: codes times 1/255 as img_as_float64 does, sRGB
 * linearised, xyz_from_rgb, over the D65 white, f, L a b) on every gray
 * and a lattice of 32^3 colours plus out-of-range and NaN samples (the
 * code rule clamps them): 1e-12 absolute (libm's pow and cbrt against the
 * device's). And the spec's sanity values, (255,255,255) -> (100,
 * -0.002455, 0.004653) and the others, to the 6 decimals printed there.
 *
 * The inverse (lab2rgb, with the colour fix's per-channel scale and
 * shift) against a plain-C double evaluation of scikit-image's lab2xyz and
 * xyz2rgb (f inverted, negative z clipped, the white point, the inverse
 * of xyz_from_rgb by Gauss-Jordan here, the sRGB transfer function, the
 * clip) on Lab values in and out of the sRGB gamut: 2^-23 absolute (the
 * op returns float32). And the round trip of every lattice colour through
 * rgb_to_lab and lab_to_rgb gives its code / 255 back to 1e-6. */
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

/* skimage lab2rgb in double, inverting the matrix its own way. */
static void
ref_rgb (const double *lab, double *rgb)
{
  double m[3][6] = { {0.412453, 0.357580, 0.180423, 1, 0, 0},
  {0.212671, 0.715160, 0.072169, 0, 1, 0}, {0.019334, 0.119193, 0.950227, 0,
      0, 1}
  };
  for (int c = 0; c < 3; c++) { /* Gauss-Jordan, no pivoting needed */
    const double p = m[c][c];
    for (int j = 0; j < 6; j++)
      m[c][j] /= p;
    for (int r = 0; r < 3; r++)
      if (r != c) {
        const double f = m[r][c];
        for (int j = 0; j < 6; j++)
          m[r][j] -= f * m[c][j];
      }
  }
  const double fy = (lab[0] + 16) / 116, f[3] = { lab[1] / 500 + fy, fy,
    fmax (fy - lab[2] / 200, 0)
  };
  static const double white[3] = { 0.95047, 1.0, 1.08883 };
  double xyz[3];
  for (int i = 0; i < 3; i++)
    xyz[i] = (f[i] > 0.2068966 ? f[i] * f[i] * f[i]
        : (f[i] - 16.0 / 116) / 7.787) * white[i];
  for (int c = 0; c < 3; c++) {
    const double lin = m[c][3] * xyz[0] + m[c][4] * xyz[1] + m[c][5] * xyz[2];
    const double v = lin > 0.0031308 ? 1.055 * pow (lin, 1 / 2.4) - 0.055
        : 12.92 * lin;
    rgb[c] = fmin (fmax (v, 0), 1);
  }
}

static void
test_inverse (void)
{
  const int n = 2000;
  double *lab = g_new (double, 3 * n);
  float *u = g_new (float, 3 * n);
  sr_test_fill_uniform (u, 3 * n, 77, 0, 1);
  for (int i = 0; i < n; i++) {
    lab[i] = u[3 * i] * 110.0 - 5;                /* L beyond 0..100 too */
    lab[n + i] = u[3 * i + 1] * 260.0 - 130;
    lab[2 * n + i] = u[3 * i + 2] * 260.0 - 130;  /* negative z included */
  }
  const double scale[3] = { 0.9, 1.1, 1.05 }, shift[3] = { 2.5, -3, 1.5 };
  SrRuntime *rt = sr_test_runtime ();
  SrTensor *tl = sr_tensor_new (rt, 1, 3, 1, n, SR_DTYPE_F64, NULL);
  SrTensor *tr = sr_tensor_new (rt, 1, 3, 1, n, SR_DTYPE_F32, NULL);
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), tl, lab), ==, SR_OK);
  g_assert_cmpint (sr_lab_to_rgb_run (op, sr_test_queue (), tl, scale, shift,
          tr), ==, SR_OK);
  float *got = g_new (float, 3 * n);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), tr, got), ==, SR_OK);
  double worst = 0;
  for (int i = 0; i < n; i++) {
    const double in[3] = { lab[i] * scale[0] + shift[0],
      lab[n + i] * scale[1] + shift[1], lab[2 * n + i] * scale[2] + shift[2]
    };
    double want[3];
    ref_rgb (in, want);
    for (int c = 0; c < 3; c++) {
      const double d = fabs (got[c * n + i] - want[c]);
      if (!(d <= ldexp (1, -23)))
        g_error ("Lab (%g, %g, %g) channel %d: %.9g, reference %.17g", in[0],
            in[1], in[2], c, got[c * n + i], want[c]);
      worst = MAX (worst, d);
    }
  }
  g_test_message ("lab_to_rgb: largest difference %.2g", worst);
  /* The round trip of the lattice. */
  const int m = 32 * 32 * 32;
  float *rgb = g_new (float, 3 * m);
  for (int k = 0; k < m; k++) {
    rgb[3 * k] = (k / 1024 * 8 + 3) / 255.0f;
    rgb[3 * k + 1] = (k / 32 % 32 * 8 + 5) / 255.0f;
    rgb[3 * k + 2] = (k % 32 * 8 + 1) / 255.0f;
  }
  double *back = device_lab (rgb, m);
  SrTensor *bl = sr_tensor_new (rt, 1, 3, 1, m, SR_DTYPE_F64, NULL);
  SrTensor *br = sr_tensor_new (rt, 1, 3, 1, m, SR_DTYPE_F32, NULL);
  const double one[3] = { 1, 1, 1 }, zero[3] = { 0, 0, 0 };
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), bl, back), ==, SR_OK);
  g_assert_cmpint (sr_lab_to_rgb_run (op, sr_test_queue (), bl, one, zero,
          br), ==, SR_OK);
  float *trip = g_new (float, 3 * m);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), br, trip), ==, SR_OK);
  double worst_trip = 0;
  for (int k = 0; k < m; k++)
    for (int c = 0; c < 3; c++)
      worst_trip = MAX (worst_trip, fabs (trip[c * m + k] - rgb[3 * k + c]));
  g_test_message ("round trip: largest difference %.2g", worst_trip);
  g_assert_cmpfloat (worst_trip, <=, 1e-6);
  g_free (trip);
  g_free (back);
  g_free (rgb);
  sr_tensor_unref (bl);
  sr_tensor_unref (br);
  sr_tensor_unref (tl);
  sr_tensor_unref (tr);
  g_free (got);
  g_free (u);
  g_free (lab);
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
  g_test_add_func ("/lab/inverse", test_inverse);
  g_test_add_func ("/lab/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_lab_free (op);
  return ret;
}
