/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* sRGB -> CIELAB (D65, 2 degrees) as scikit-image's rgb2lab computes it
 * (spec/metrics.md 6.1), in double precision, from the 8-bit code values
 * of a float RGB picture. */
#pragma OPENCL EXTENSION cl_khr_fp64 : enable
#pragma OPENCL FP_CONTRACT OFF

#include "codes.clh"

/* The sRGB transfer function undone (skimage rgb2xyz). */
inline double
linear (double c)
{
  return c > 0.04045 ? pow ((c + 0.055) / 1.055, 2.4) : c / 12.92;
}

/* skimage xyz2lab's f. */
inline double
lab_f (double t)
{
  return t > 0.008856 ? cbrt (t) : 7.787 * t + 16.0 / 116.0;
}

/* rgb: [3][n] float; lab: [3][n] double (L, a, b). The codes become
 * [0,1] as skimage's img_as_float64 makes them: times 1/255 (24 of the
 * 256 codes differ from code / 255 in the last bit). */
__kernel void
rgb_to_lab (__global const float *rgb, __global double *lab, const int n)
{
  const int i = get_global_id (0);
  if (i >= n)
    return;
  const double inv = 1.0 / 255.0;
  const double r = linear (sr_code (rgb[i]) * inv);
  const double g = linear (sr_code (rgb[n + i]) * inv);
  const double b = linear (sr_code (rgb[2 * n + i]) * inv);
  /* xyz_from_rgb, each row over the white point (0.95047, 1, 1.08883). */
  const double x = (0.412453 * r + 0.357580 * g + 0.180423 * b) / 0.95047;
  const double y = (0.212671 * r + 0.715160 * g + 0.072169 * b) / 1.0;
  const double z = (0.019334 * r + 0.119193 * g + 0.950227 * b) / 1.08883;
  const double fx = lab_f (x), fy = lab_f (y), fz = lab_f (z);
  lab[i] = 116.0 * fy - 16.0;
  lab[n + i] = 500.0 * (fx - fy);
  lab[2 * n + i] = 200.0 * (fy - fz);
}

/* skimage lab2xyz's inverse of f. */
inline double
lab_f_inverse (double f)
{
  return f > 0.2068966 ? f * f * f : (f - 16.0 / 116.0) / 7.787;
}

/* The sRGB transfer function (skimage xyz2rgb). */
inline double
gamma_encode (double c)
{
  return c > 0.0031308 ? 1.055 * pow (c, 1 / 2.4) - 0.055 : 12.92 * c;
}

/* scikit-image's lab2rgb of (lab * scale + shift) per channel, into float
 * RGB in [0, 1] (clipped, as lab2rgb does; not quantised): f from L, a, b,
 * a negative z clipped to 0 (lab2xyz), the white point, rgb_from_xyz
 * (m: the inverse of xyz_from_rgb, row-major, computed by the host in
 * double as numpy.linalg.inv does), the transfer function. lab: [3][n]
 * double; rgb: [3][n] float. */
__kernel void
lab_to_rgb (__global const double *lab, __global float *rgb, const int n,
    __constant double *m, const double scale_l, const double scale_a,
    const double scale_b, const double shift_l, const double shift_a,
    const double shift_b)
{
  const int i = get_global_id (0);
  if (i >= n)
    return;
  const double l = lab[i] * scale_l + shift_l;
  const double a = lab[n + i] * scale_a + shift_a;
  const double b = lab[2 * n + i] * scale_b + shift_b;
  const double fy = (l + 16.0) / 116.0, fx = a / 500.0 + fy;
  const double fz = fmax (fy - b / 200.0, 0.0);
  const double x = lab_f_inverse (fx) * 0.95047;
  const double y = lab_f_inverse (fy) * 1.0;
  const double z = lab_f_inverse (fz) * 1.08883;
  for (int c = 0; c < 3; c++) {
    const double lin = m[3 * c] * x + m[3 * c + 1] * y + m[3 * c + 2] * z;
    /* Negative linear values take the 12.92 c branch, then the clip. */
    rgb[c * n + i] = (float) clamp (gamma_encode (lin), 0.0, 1.0);
  }
}
