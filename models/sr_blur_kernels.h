/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Host-side blur kernels: Real-ESRGAN's (BasicSR) Gaussian, generalized,
 * plateau, sinc and pulse kernels (BasicSR degradations.py) and KAIR's
 * (BSRGAN) Gaussians and shifted kernel (utils_blindsr.py). Everything is
 * computed in double precision as upstream does in NumPy, normalised there,
 * and only then rounded to float32.
 *
 * Layout: out is k x k, row-major, row = y, column = x; the centre is
 * [k/2][k/2]. Sizes must be odd. Each function returns FALSE (leaving out
 * untouched) for an invalid size or parameter. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Bessel function of the first kind, order 1 (scipy.special.j1). */
double sr_bessel_j1 (double x);

/* BasicSR bivariate kernels. sx, sy are standard deviations; the sx axis
 * is (cos theta, sin theta) in (column, row) coordinates. Isotropic kernels
 * are sx == sy, theta = 0. A sigma below 1e-6 gives the identity (pulse).
 * generalized: exp(-0.5 q^beta); plateau: 1 / (q^beta + 1); beta > 0. */
gboolean sr_kernel_gaussian (float *out, int k, double sx, double sy,
    double theta);
gboolean sr_kernel_generalized (float *out, int k, double sx, double sy,
    double theta, double beta);
gboolean sr_kernel_plateau (float *out, int k, double sx, double sy,
    double theta, double beta);

/* circular_lowpass_kernel(omega, k, pad_to): out is n x n with
 * n = MAX (k, pad_to); pad_to 0 or <= k means no padding, otherwise it must
 * be odd. The kernel has negative lobes. */
gboolean sr_kernel_sinc (float *out, int k, double omega, int pad_to);

/* k x k zeros with 1 at the centre (filtering with it is the identity). */
gboolean sr_kernel_pulse (float *out, int k);

/* Zero-pads the k x k src symmetrically into the n x n dst (n >= k, both
 * odd), as Real-ESRGAN pads kernels 1 and 2 to 21. dst != src. */
gboolean sr_kernel_pad (float *dst, int n, const float *src, int k);

/* KAIR fspecial_gaussian(hsize, sigma), entries below eps * max zeroed.
 * sigma < 1e-6 gives the identity. */
gboolean sr_kernel_kair_iso (float *out, int hsize, double sigma);

/* KAIR anisotropic_Gaussian(ksize, theta, l1, l2): l1, l2 are variances,
 * l1 along (cos theta, sin theta). l1 or l2 < 1e-6 gives the identity. */
gboolean sr_kernel_kair_aniso (float *out, int ksize, double theta,
    double l1, double l2);

/* BSRGAN op 2's kernel: shift_pixel(fspecial_gaussian(hsize, sigma), sf)
 * renormalised: k'[y][x] = k(x + s, y + s), s = (sf-1)/2, bilinear with
 * positions clamped to the last row/column, so the peak moves s up-left.
 * Not point-symmetric: filter with true convolution, as KAIR's
 * scipy.ndimage.convolve does. sf >= 1. */
gboolean sr_kernel_kair_shift (float *out, int hsize, double sigma, int sf);

G_END_DECLS
