/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Properties of the host blur kernels (BasicSR degradations.py, KAIR
 * utils_blindsr.py): unit sum, point symmetry, sign, centring of the
 * 21-padding, the identity guards and the geometry of BSRGAN's shifted
 * kernel. The values themselves are compared with a NumPy/SciPy reference in
 * tests/reference/blur_kernels_ref.py. */
#include "sr_blur_kernels.h"

#include <math.h>

#define MAXK 25
#define SUM_TOL 1e-6            /* float32 rounding of <= 625 taps: < 1e-7 */

static const int sizes[] = { 7, 9, 11, 13, 15, 17, 19, 21 };

static double
ksum (const float *k, int n)
{
  double s = 0;
  for (int i = 0; i < n * n; i++)
    s += k[i];
  return s;
}

/* Sum 1, k[-p] == k[p] exactly (every formula is even in p and evaluated
 * on mirrored offsets, so no rounding can break it), and optionally >= 0
 * with the maximum at the centre. */
static void
check_kernel (const float *k, int n, gboolean positive, const char *what)
{
  const double s = ksum (k, n);
  if (fabs (s - 1) >= SUM_TOL)
    g_error ("%s: sum %.9g", what, s);
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      const float v = k[i * n + j];
      if (v != k[(n - 1 - i) * n + (n - 1 - j)])
        g_error ("%s: not point-symmetric at %d,%d", what, i, j);
      if (positive && (v < 0 || v > k[(n / 2) * n + n / 2]))
        g_error ("%s: %g at %d,%d (centre %g)", what, v, i, j,
            k[(n / 2) * n + n / 2]);
    }
}

static void
test_j1 (void)
{
  /* A&S Table 9.1 (10 digits), the rest of the digits from
   * scipy.special.j1 1.10; tolerance 1e-13 absolute. */
  static const double xs[] = { 1e-3, 1, 2, 5, 10, 30, 40,
    3.8317059702075123, 16.470630050877633 };
  static const double ref[] = { 0.0004999999375000026, 0.44005058574493355,
    0.5767248077568734, -0.3275791375914653, 0.04347274616886141,
    -0.11875106261662305, 0.126038318037585, 0, 0 };
  for (guint i = 0; i < G_N_ELEMENTS (xs); i++) {
    g_assert_cmpfloat_with_epsilon (sr_bessel_j1 (xs[i]), ref[i], 1e-13);
    g_assert_cmpfloat (sr_bessel_j1 (-xs[i]), ==, -sr_bessel_j1 (xs[i]));
  }
  g_assert_cmpfloat (sr_bessel_j1 (0), ==, 0);
  /* Either side of |x| = 2, where the series hands over to the integral
   * (scipy.special.j1 1.10 values, 1e-14 absolute). */
  g_assert_cmpfloat_with_epsilon (sr_bessel_j1 (1.9999), 0.5767312529177935,
      1e-14);
  g_assert_cmpfloat_with_epsilon (sr_bessel_j1 (2.0001), 0.5767183585928756,
      1e-14);
}

static void
test_bivariate (void)
{
  static const double p[][3] = { { 0.2, 0.2, 0 }, { 1.3, 1.3, 0 },
    { 3, 3, 0 }, { 0.5, 2.7, 0.7 }, { 3, 0.2, -2.9 }, { 2, 1, G_PI / 2 } };
  static const double betas[] = { 0.5, 0.8, 1, 2, 3.9 };
  float k[MAXK * MAXK];
  char what[96];
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint i = 0; i < G_N_ELEMENTS (p); i++) {
      const int n = sizes[s];
      g_snprintf (what, sizeof what, "gaussian %d %g %g %g", n, p[i][0],
          p[i][1], p[i][2]);
      g_assert_true (sr_kernel_gaussian (k, n, p[i][0], p[i][1], p[i][2]));
      check_kernel (k, n, TRUE, what);
      for (guint b = 0; b < G_N_ELEMENTS (betas); b++) {
        g_snprintf (what, sizeof what, "generalized %d %g %g %g %g", n,
            p[i][0], p[i][1], p[i][2], betas[b]);
        g_assert_true (sr_kernel_generalized (k, n, p[i][0], p[i][1],
                p[i][2], betas[b]));
        check_kernel (k, n, TRUE, what);
        g_snprintf (what, sizeof what, "plateau %d %g %g %g %g", n,
            p[i][0], p[i][1], p[i][2], betas[b]);
        g_assert_true (sr_kernel_plateau (k, n, p[i][0], p[i][1], p[i][2],
                betas[b]));
        check_kernel (k, n, TRUE, what);
      }
    }
  /* beta = 1 generalized is the Gaussian. */
  float g[MAXK * MAXK];
  sr_kernel_gaussian (g, 15, 0.9, 2.1, 0.4);
  sr_kernel_generalized (k, 15, 0.9, 2.1, 0.4, 1);
  for (int i = 0; i < 15 * 15; i++)
    g_assert_cmpfloat (k[i], ==, g[i]);
  /* The sx axis is (cos t, sin t) in (column, row): t = pi/2 with sx > sy
   * spreads down the column (rows), t = 0 along the row. */
  sr_kernel_gaussian (k, 11, 2.5, 0.5, G_PI / 2);
  g_assert_cmpfloat (k[3 * 11 + 5], >, 10 * k[5 * 11 + 3]);
  sr_kernel_gaussian (k, 11, 2.5, 0.5, 0);
  g_assert_cmpfloat (k[5 * 11 + 3], >, 10 * k[3 * 11 + 5]);
}

/* Checks that the n x n padded kernel holds src centred, zeros around. */
static void
check_centred (const float *pad, int n, const float *src, int k)
{
  const int p = (n - k) / 2;
  double mx = 0, my = 0;
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++) {
      const gboolean in = i >= p && i < p + k && j >= p && j < p + k;
      const float want = in ? src[(i - p) * k + (j - p)] : 0;
      g_assert_cmpfloat (pad[i * n + j], ==, want);
      mx += pad[i * n + j] * (j - n / 2);
      my += pad[i * n + j] * (i - n / 2);
    }
  /* First moments vanish: the kernel's centre is the padded centre. */
  g_assert_cmpfloat (fabs (mx), <, 1e-12);
  g_assert_cmpfloat (fabs (my), <, 1e-12);
}

static void
test_sinc (void)
{
  static const double omegas[] = { G_PI / 5, G_PI / 3, 1.7, 2.5, G_PI };
  float k[21 * 21], pad[21 * 21];
  char what[64];
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    for (guint o = 0; o < G_N_ELEMENTS (omegas); o++) {
      const int n = sizes[s];
      g_snprintf (what, sizeof what, "sinc %d %g", n, omegas[o]);
      g_assert_true (sr_kernel_sinc (k, n, omegas[o], 0));
      check_kernel (k, n, FALSE, what);
      g_assert_true (sr_kernel_sinc (pad, n, omegas[o], 21));
      check_kernel (pad, 21, FALSE, what);
      check_centred (pad, 21, k, n);
      /* pad_to <= K means no padding. */
      g_assert_true (sr_kernel_sinc (pad, n, omegas[o], n));
      for (int i = 0; i < n * n; i++)
        g_assert_cmpfloat (pad[i], ==, k[i]);
    }
  /* Negative lobes exist: first zero of J1 at r = 3.83 / omega. */
  sr_kernel_sinc (k, 21, G_PI, 0);
  float mn = 0;
  for (int i = 0; i < 21 * 21; i++)
    mn = MIN (mn, k[i]);
  g_assert_cmpfloat (mn, <, -1e-3);
  /* Real-ESRGAN's zero-padding of kernels 1/2 to 21x21
   * (realesrgan_dataset.py __getitem__). */
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++) {
    sr_kernel_gaussian (k, sizes[s], 0.7, 2.9, 1.1);
    g_assert_true (sr_kernel_pad (pad, 21, k, sizes[s]));
    check_centred (pad, 21, k, sizes[s]);
  }
  sr_kernel_pulse (k, 21);
  check_kernel (k, 21, TRUE, "pulse");
  g_assert_cmpfloat (k[10 * 21 + 10], ==, 1);
}

static void
test_kair (void)
{
  static const double sig[] = { 0.05, 0.1, 0.6, 1.3, 2.8 };
  static const double an[][3] = { { 0.3, 7.9, 0.2 }, { 2.5, 1, 6 },
    { 1, 3, 3 }, { 0, 0.5, 0.01 }, { 3.1, 0.05, 0.4 } };
  float k[MAXK * MAXK];
  char what[64];
  for (int n = 7; n <= 25; n += 2) {
    for (guint i = 0; i < G_N_ELEMENTS (sig); i++) {
      g_snprintf (what, sizeof what, "kair iso %d %g", n, sig[i]);
      g_assert_true (sr_kernel_kair_iso (k, n, sig[i]));
      check_kernel (k, n, TRUE, what);
      /* Isotropic: also symmetric under transposition. */
      for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++)
          g_assert_cmpfloat (k[y * n + x], ==, k[x * n + y]);
    }
    for (guint i = 0; i < G_N_ELEMENTS (an); i++) {
      g_snprintf (what, sizeof what, "kair aniso %d %g %g %g", n, an[i][0],
          an[i][1], an[i][2]);
      g_assert_true (sr_kernel_kair_aniso (k, n, an[i][0], an[i][1],
              an[i][2]));
      check_kernel (k, n, TRUE, what);
    }
  }
  /* l1 = l2 = sigma^2 is fspecial_gaussian (up to its eps truncation and
   * rounding). */
  float g[MAXK * MAXK];
  sr_kernel_kair_iso (g, 15, 1.5);
  sr_kernel_kair_aniso (k, 15, 0.8, 2.25, 2.25);
  for (int i = 0; i < 15 * 15; i++)
    g_assert_cmpfloat_with_epsilon (k[i], g[i], 1e-7);
  /* l1 is the variance along (cos t, sin t): t = 0 spreads along rows. */
  sr_kernel_kair_aniso (k, 11, 0, 6, 0.3);
  g_assert_cmpfloat (k[5 * 11 + 3], >, 10 * k[3 * 11 + 5]);
}

static void
test_identity_guards (void)
{
  float k[21 * 21], pulse[21 * 21];
  sr_kernel_pulse (pulse, 21);
  g_assert_true (sr_kernel_kair_iso (k, 21, 0));
  g_assert_cmpmem (k, sizeof k, pulse, sizeof pulse);
  g_assert_true (sr_kernel_kair_iso (k, 21, 9e-7));
  g_assert_cmpmem (k, sizeof k, pulse, sizeof pulse);
  g_assert_true (sr_kernel_kair_aniso (k, 21, 0.3, 5, 0));
  g_assert_cmpmem (k, sizeof k, pulse, sizeof pulse);
  g_assert_true (sr_kernel_kair_aniso (k, 21, 0.3, 5e-7, 4));
  g_assert_cmpmem (k, sizeof k, pulse, sizeof pulse);
  g_assert_true (sr_kernel_gaussian (k, 21, 0, 0, 0));
  g_assert_cmpmem (k, sizeof k, pulse, sizeof pulse);
  /* Just above the guard the kernel is already a delta in float32. */
  g_assert_true (sr_kernel_kair_iso (k, 21, 2e-6));
  g_assert_cmpmem (k, sizeof k, pulse, sizeof pulse);

  /* Bad arguments are refused. */
  g_assert_false (sr_kernel_gaussian (k, 8, 1, 1, 0));
  g_assert_false (sr_kernel_gaussian (k, 0, 1, 1, 0));
  g_assert_false (sr_kernel_gaussian (k, 7, -1, 1, 0));
  g_assert_false (sr_kernel_generalized (k, 7, 1, 1, 0, 0));
  g_assert_false (sr_kernel_plateau (k, 7, 1, 1, 0, NAN));
  g_assert_false (sr_kernel_sinc (k, 7, 0, 0));
  g_assert_false (sr_kernel_sinc (k, 7, 1, 20));
  g_assert_false (sr_kernel_kair_iso (k, 6, 1));
  g_assert_false (sr_kernel_kair_shift (k, 25, 1, 0));
  g_assert_false (sr_kernel_pad (k, 5, pulse, 7));
}

static void
test_shift (void)
{
  float k[25 * 25], g[25 * 25];
  const int n = 25;
  /* sf = 1: no shift. */
  sr_kernel_kair_iso (g, n, 1.7);
  sr_kernel_kair_shift (k, n, 1.7, 1);
  g_assert_cmpmem (k, sizeof k, g, sizeof g);

  /* sf = 3: an integer shift by 1, edge row/column replicated, then
   * renormalised (tolerance: float32 rounding of the renormalisation). */
  for (double sigma = 0.1; sigma < 1.9; sigma += 0.3) {
    sr_kernel_kair_iso (g, n, sigma);
    sr_kernel_kair_shift (k, n, sigma, 3);
    double s = 0;
    for (int y = 0; y < n; y++)
      for (int x = 0; x < n; x++)
        s += g[MIN (y + 1, n - 1) * n + MIN (x + 1, n - 1)];
    for (int y = 0; y < n; y++)
      for (int x = 0; x < n; x++)
        g_assert_cmpfloat_with_epsilon (k[y * n + x],
            g[MIN (y + 1, n - 1) * n + MIN (x + 1, n - 1)] / s, 1e-7);
  }

  /* Centroid at 12 - (sf-1)/2 (KAIR shift_pixel: LR pixel m lands on HR
   * sf*m + (sf-1)/2); sum 1; non-negative. Tolerance 1e-5: float32 values
   * weighted by x <= 24. sigma <= 1.6 keeps the mass that edge clamping
   * moves below 1e-12 (at sigma 2.4 it shifts the centroid by ~2e-5; the
   * reference test covers that range). */
  for (int sf = 2; sf <= 4; sf++)
    for (double sigma = 0.1; sigma <= 1.6; sigma += 0.1) {
      sr_kernel_kair_shift (k, n, sigma, sf);
      double mx = 0, my = 0, s = 0;
      for (int y = 0; y < n; y++)
        for (int x = 0; x < n; x++) {
          g_assert_cmpfloat (k[y * n + x], >=, 0);
          s += k[y * n + x];
          mx += k[y * n + x] * x;
          my += k[y * n + x] * y;
        }
      g_assert_cmpfloat (fabs (s - 1), <, SUM_TOL);
      g_assert_cmpfloat_with_epsilon (mx, 12 - (sf - 1) / 2.0, 1e-5);
      g_assert_cmpfloat_with_epsilon (my, 12 - (sf - 1) / 2.0, 1e-5);
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/models/blur_kernels/j1", test_j1);
  g_test_add_func ("/models/blur_kernels/bivariate", test_bivariate);
  g_test_add_func ("/models/blur_kernels/sinc", test_sinc);
  g_test_add_func ("/models/blur_kernels/kair", test_kair);
  g_test_add_func ("/models/blur_kernels/identity_guards",
      test_identity_guards);
  g_test_add_func ("/models/blur_kernels/shift", test_shift);
  return g_test_run ();
}
