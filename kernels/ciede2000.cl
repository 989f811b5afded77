/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CIEDE2000 colour difference (kL = kC = kH = 1) per pixel of two CIELAB
 * pictures, step for step as scikit-image's deltaE_ciede2000
 * (spec/metrics.md 6.2), in double precision; then the row sums of the
 * map. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

#define PI M_PI
#define DEG (M_PI / 180.0)

/* Polar angle in [0, 2 pi) (skimage _cart2polar_2pi). */
inline double
angle_2pi (double x, double y)
{
  const double t = atan2 (y, x);
  return t < 0.0 ? t + 2 * PI : t;
}

/* lab1, lab2: [3][n] (L, a, b); map: [n]. */
__kernel void
ciede2000 (__global const double *lab1, __global const double *lab2,
    __global double *map, const int n)
{
  const int i = get_global_id (0);
  if (i >= n)
    return;
  const double L1 = lab1[i], a1 = lab1[n + i], b1 = lab1[2 * n + i];
  const double L2 = lab2[i], a2 = lab2[n + i], b2 = lab2[2 * n + i];
  const double p25_7 = 6103515625.0;    /* 25^7 */
  /* a distorted by the mean chroma, then polar. */
  double cbar = 0.5 * (hypot (a1, b1) + hypot (a2, b2));
  double c7 = pown (cbar, 7);
  const double scale = 1 + 0.5 * (1 - sqrt (c7 / (c7 + p25_7)));
  const double C1 = hypot (a1 * scale, b1), h1 = angle_2pi (a1 * scale, b1);
  const double C2 = hypot (a2 * scale, b2), h2 = angle_2pi (a2 * scale, b2);
  /* Lightness. */
  const double lbar = 0.5 * (L1 + L2), tmp = (lbar - 50) * (lbar - 50);
  const double SL = 1 + 0.015 * tmp / sqrt (20 + tmp);
  const double L_term = (L2 - L1) / SL;
  /* Chroma. */
  cbar = 0.5 * (C1 + C2);
  const double SC = 1 + 0.045 * cbar;
  const double C_term = (C2 - C1) / SC;
  /* Hue. */
  const double h_diff = h2 - h1, h_sum = h1 + h2, CC = C1 * C2;
  double dH = h_diff;
  if (h_diff > PI)
    dH -= 2 * PI;
  if (h_diff < -PI)
    dH += 2 * PI;
  if (CC == 0.0)
    dH = 0.0;
  const double dH_term = 2 * sqrt (CC) * sin (dH / 2);
  double hbar = h_sum;
  if (CC != 0.0 && fabs (h_diff) > PI)
    hbar += h_sum < 2 * PI ? 2 * PI : -2 * PI;
  if (CC == 0.0)
    hbar *= 2;
  hbar *= 0.5;
  const double T = 1 - 0.17 * cos (hbar - 30 * DEG) + 0.24 * cos (2 * hbar)
      + 0.32 * cos (3 * hbar + 6 * DEG) - 0.20 * cos (4 * hbar - 63 * DEG);
  const double SH = 1 + 0.015 * cbar * T;
  const double H_term = dH_term / SH;
  /* Hue rotation. */
  c7 = pown (cbar, 7);
  const double rc = 2 * sqrt (c7 / (c7 + p25_7));
  const double e = (hbar * (180.0 / M_PI) - 275) / 25;
  const double dtheta = 30 * DEG * exp (-(e * e));
  const double R_term = -sin (2 * dtheta) * rc * C_term * H_term;
  double dE2 = L_term * L_term;
  dE2 += C_term * C_term;
  dE2 += H_term * H_term;
  dE2 += R_term;
  map[i] = sqrt (fmax (dE2, 0.0));
}

/* Sums of rows of w values of map: sums[y] (y < h). */
__kernel void
sum_rows_1 (__global const double *map, const int h, const int w,
    __global double *sums)
{
  const int y = get_global_id (0);
  if (y >= h)
    return;
  double s = 0;
  for (int x = 0; x < w; x++)
    s += map[(size_t) y * w + x];
  sums[y] = s;
}
