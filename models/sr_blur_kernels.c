/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Blur kernel generation on the host (BasicSR degradations.py, KAIR
 * utils_blindsr.py). Kernels are built and normalised in double, as
 * upstream does in float64 NumPy, and rounded to float32 once at the end. */
#include "sr_blur_kernels.h"

#include <float.h>
#include <math.h>

/* Below this a sigma / variance is treated as zero: upstream would divide
 * by zero or reject a singular covariance; the limit is the identity. */
#define SR_KERNEL_MIN_SIGMA 1e-6

/* Series sum_k (-1)^k (x/2)^(2k+1) / (k! (k+1)!): exact in relative terms
 * for small |x|, where the integral below would lose digits to cancellation. */
static double
j1_series (double x)
{
  const double h2 = 0.25 * x * x;
  double term = 0.5 * x, sum = term;
  for (int k = 0; k < 60 && fabs (term) > 1e-18 * fabs (sum); k++) {
    term *= -h2 / ((k + 1.0) * (k + 2.0));
    sum += term;
  }
  return sum;
}

/* Bessel's integral J1(x) = 1/(2 pi) int_0^2pi cos(t - x sin t) dt. The
 * integrand is periodic and entire, so the M-point trapezoid rule is exact
 * but for the aliases J_{1 +- jM}(x), which are below 1e-20 once
 * M > 2|x| + 60. The error is then only rounding, ~1e-15 absolute. */
static double
j1_integral (double x)
{
  const int m = 4 * (int) ceil ((2 * fabs (x) + 64) / 4);
  double sum = 0;
  for (int i = 0; i < m; i++) {
    const double t = 2 * G_PI * i / m;
    sum += cos (t - x * sin (t));
  }
  return sum / m;
}

/* Evaluated at |x| so that J1 is exactly odd. */
double
sr_bessel_j1 (double x)
{
  const double ax = fabs (x);
  const double v = ax < 2 ? j1_series (ax) : j1_integral (ax);
  return x < 0 ? -v : v;
}

static gboolean
odd_size (int k)
{
  return k >= 1 && k % 2 == 1 && k <= 4095;
}

/* Divides by the sum (when non-zero) and rounds to float32. */
static void
normalise_to_float (float *out, const double *k, int n)
{
  double sum = 0;
  for (int i = 0; i < n; i++)
    sum += k[i];
  const double inv = sum != 0 ? 1 / sum : 1;
  for (int i = 0; i < n; i++)
    out[i] = (float) (k[i] * inv);
}

gboolean
sr_kernel_pulse (float *out, int k)
{
  if (!odd_size (k))
    return FALSE;
  for (int i = 0; i < k * k; i++)
    out[i] = 0;
  out[(k / 2) * k + k / 2] = 1;
  return TRUE;
}

typedef enum { BIV_GAUSSIAN, BIV_GENERALIZED, BIV_PLATEAU } BivShape;

/* BasicSR mesh_grid + sigma_matrix2 + pdf2 and its two variants. */
static gboolean
bivariate (float *out, int k, double sx, double sy, double theta,
    double beta, BivShape shape)
{
  if (!odd_size (k) || !(sx >= 0) || !(sy >= 0) || !isfinite (theta) ||
      (shape != BIV_GAUSSIAN && !(beta > 0 && isfinite (beta))))
    return FALSE;
  if (sx < SR_KERNEL_MIN_SIGMA || sy < SR_KERNEL_MIN_SIGMA)
    return sr_kernel_pulse (out, k);

  /* S = U diag(sx^2, sy^2) U^T, U the rotation by theta; then S^-1. */
  const double c = cos (theta), s = sin (theta);
  const double vx = sx * sx, vy = sy * sy;
  const double a = vx * c * c + vy * s * s;
  const double b = (vx - vy) * c * s;
  const double d = vx * s * s + vy * c * c;
  const double det = a * d - b * b;
  const double ia = d / det, ib = -b / det, id = a / det;

  double *ker = g_new (double, (size_t) k * k);
  const double r = (k - 1) / 2.0;
  for (int i = 0; i < k; i++) {
    const double y = i - r;                     /* row offset */
    for (int j = 0; j < k; j++) {
      const double x = j - r;                   /* column offset */
      const double q = ia * x * x + 2 * ib * x * y + id * y * y;
      double v;
      switch (shape) {
        case BIV_GAUSSIAN:
          v = exp (-0.5 * q);
          break;
        case BIV_GENERALIZED:
          v = exp (-0.5 * pow (q, beta));
          break;
        default:
          v = 1 / (pow (q, beta) + 1);
          break;
      }
      ker[i * k + j] = v;
    }
  }
  normalise_to_float (out, ker, k * k);
  g_free (ker);
  return TRUE;
}

gboolean
sr_kernel_gaussian (float *out, int k, double sx, double sy, double theta)
{
  return bivariate (out, k, sx, sy, theta, 1, BIV_GAUSSIAN);
}

gboolean
sr_kernel_generalized (float *out, int k, double sx, double sy,
    double theta, double beta)
{
  return bivariate (out, k, sx, sy, theta, beta, BIV_GENERALIZED);
}

gboolean
sr_kernel_plateau (float *out, int k, double sx, double sy, double theta,
    double beta)
{
  return bivariate (out, k, sx, sy, theta, beta, BIV_PLATEAU);
}

gboolean
sr_kernel_pad (float *dst, int n, const float *src, int k)
{
  if (!odd_size (k) || !odd_size (n) || n < k)
    return FALSE;
  const int p = (n - k) / 2;
  for (int i = 0; i < n * n; i++)
    dst[i] = 0;
  for (int i = 0; i < k; i++)
    for (int j = 0; j < k; j++)
      dst[(i + p) * n + j + p] = src[i * k + j];
  return TRUE;
}

gboolean
sr_kernel_sinc (float *out, int k, double omega, int pad_to)
{
  if (!odd_size (k) || !(omega > 0 && isfinite (omega)) || pad_to < 0 ||
      (pad_to > k && !odd_size (pad_to)))
    return FALSE;

  double *ker = g_new (double, (size_t) k * k);
  const double c = (k - 1) / 2.0;
  for (int i = 0; i < k; i++)
    for (int j = 0; j < k; j++) {
      const double r = hypot (i - c, j - c);
      /* The centre is the r -> 0 limit of omega J1(omega r) / (2 pi r). */
      ker[i * k + j] = r == 0 ? omega * omega / (4 * G_PI)
          : omega * sr_bessel_j1 (omega * r) / (2 * G_PI * r);
    }

  if (pad_to > k) {
    float *tmp = g_new (float, (size_t) k * k);
    normalise_to_float (tmp, ker, k * k);
    sr_kernel_pad (out, pad_to, tmp, k);
    g_free (tmp);
  } else {
    normalise_to_float (out, ker, k * k);
  }
  g_free (ker);
  return TRUE;
}

/* fspecial_gaussian in double, into ker (hsize^2); FALSE for bad input. */
static gboolean
kair_iso_double (double *ker, int hsize, double sigma)
{
  const int n = hsize * hsize;
  if (sigma < SR_KERNEL_MIN_SIGMA) {
    for (int i = 0; i < n; i++)
      ker[i] = 0;
    ker[n / 2] = 1;
    return TRUE;
  }
  const double r = (hsize - 1) / 2.0;
  double max = 0, sum = 0;
  for (int i = 0; i < hsize; i++)
    for (int j = 0; j < hsize; j++) {
      const double x = j - r, y = i - r;
      const double v = exp (-(x * x + y * y) / (2 * sigma * sigma));
      ker[i * hsize + j] = v;
      max = MAX (max, v);
    }
  /* MATLAB's truncation of the negligible tail, then the sum. */
  for (int i = 0; i < n; i++) {
    if (ker[i] < DBL_EPSILON * max)
      ker[i] = 0;
    sum += ker[i];
  }
  if (sum != 0)
    for (int i = 0; i < n; i++)
      ker[i] /= sum;
  return TRUE;
}

gboolean
sr_kernel_kair_iso (float *out, int hsize, double sigma)
{
  if (!odd_size (hsize) || !(sigma >= 0) || !isfinite (sigma))
    return FALSE;
  double *ker = g_new (double, (size_t) hsize * hsize);
  kair_iso_double (ker, hsize, sigma);
  for (int i = 0; i < hsize * hsize; i++)
    out[i] = (float) ker[i];
  g_free (ker);
  return TRUE;
}

gboolean
sr_kernel_kair_aniso (float *out, int ksize, double theta, double l1,
    double l2)
{
  if (!odd_size (ksize) || !isfinite (theta) || !(l1 >= 0) || !(l2 >= 0) ||
      !isfinite (l1) || !isfinite (l2))
    return FALSE;
  if (l1 < SR_KERNEL_MIN_SIGMA || l2 < SR_KERNEL_MIN_SIGMA)
    return sr_kernel_pulse (out, ksize);

  /* Sigma = V diag(l1, l2) V with the reflection V = [[c, s], [s, -c]];
   * the pdf's constant cancels in the normalisation. */
  const double c = cos (theta), s = sin (theta);
  const double a = l1 * c * c + l2 * s * s;
  const double b = (l1 - l2) * c * s;
  const double d = l1 * s * s + l2 * c * c;
  const double det = a * d - b * b;
  const double ia = d / det, ib = -b / det, id = a / det;

  double *ker = g_new (double, (size_t) ksize * ksize);
  const double r = (ksize - 1) / 2.0;
  for (int y = 0; y < ksize; y++)
    for (int x = 0; x < ksize; x++) {
      const double cx = x - r, cy = y - r;
      const double q = ia * cx * cx + 2 * ib * cx * cy + id * cy * cy;
      ker[y * ksize + x] = exp (-0.5 * q);
    }
  normalise_to_float (out, ker, ksize * ksize);
  g_free (ker);
  return TRUE;
}

gboolean
sr_kernel_kair_shift (float *out, int hsize, double sigma, int sf)
{
  if (!odd_size (hsize) || !(sigma >= 0) || !isfinite (sigma) || sf < 1 ||
      sf > 64)
    return FALSE;
  const int n = hsize * hsize;
  double *k = g_new (double, n), *ks = g_new (double, n);
  double *f = g_new (double, hsize);
  int *i0 = g_new (int, hsize);
  kair_iso_double (k, hsize, sigma);

  /* Bilinear sample of k at (x + s, y + s), positions clamped to
   * [0, hsize-1] (interp2d kind 'linear' on the grid). */
  const double shift = (sf - 1) / 2.0;
  for (int x = 0; x < hsize; x++) {
    const double p = CLAMP (x + shift, 0, hsize - 1);
    int lo = (int) floor (p);
    if (lo > hsize - 2)
      lo = MAX (hsize - 2, 0);
    i0[x] = lo;
    f[x] = p - lo;
  }
  for (int y = 0; y < hsize; y++)
    for (int x = 0; x < hsize; x++) {
      const int y0 = i0[y], x0 = i0[x];
      const int y1 = MIN (y0 + 1, hsize - 1), x1 = MIN (x0 + 1, hsize - 1);
      const double fy = f[y], fx = f[x];
      const double top = (1 - fx) * k[y0 * hsize + x0] + fx * k[y0 * hsize + x1];
      const double bot = (1 - fx) * k[y1 * hsize + x0] + fx * k[y1 * hsize + x1];
      ks[y * hsize + x] = (1 - fy) * top + fy * bot;
    }
  normalise_to_float (out, ks, n);
  g_free (k);
  g_free (ks);
  g_free (f);
  g_free (i0);
  return TRUE;
}
