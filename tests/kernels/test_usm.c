/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* usm op vs a plain-C double reference of BasicSR's USMSharp
 * (img_process_util.py):
 * full 51x51 outer-product kernel, explicit REFLECT_101 indexing. */
#include "sr_usm.h"
#include "sr_test_util.h"

static int
reflect101 (int i, int n)
{
  while (i < 0 || i >= n)
    i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

static void
ref_filter (const double *src, double *dst, int h, int w, const double *k, int n)
{
  const int r = n / 2;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      double acc = 0;
      for (int i = 0; i < n; i++)
        for (int j = 0; j < n; j++)
          acc += k[i] * k[j] * src[reflect101 (y + i - r, h) * w + reflect101 (x + j - r, w)];
      dst[y * w + x] = acc;
    }
}

static void
ref_usm (const float *img, float *out, int planes, int h, int w, int n,
    double weight, double threshold)
{
  double *k = g_new (double, n), *x = g_new (double, h * w), *blur = g_new (double, h * w);
  double *mask = g_new (double, h * w), *soft = g_new (double, h * w);
  sr_usm_gaussian (k, n, 0);
  for (int p = 0; p < planes; p++) {
    const float *im = img + (size_t) p * h * w;
    for (int i = 0; i < h * w; i++)
      x[i] = im[i];
    ref_filter (x, blur, h, w, k, n);
    for (int i = 0; i < h * w; i++)
      mask[i] = fabs (x[i] - blur[i]) * 255 > threshold ? 1 : 0;
    ref_filter (mask, soft, h, w, k, n);
    for (int i = 0; i < h * w; i++) {
      const double sharp = CLAMP (x[i] + weight * (x[i] - blur[i]), 0, 1);
      out[(size_t) p * h * w + i] = (float) (soft[i] * sharp + (1 - soft[i]) * x[i]);
    }
  }
  g_free (k);
  g_free (x);
  g_free (blur);
  g_free (mask);
  g_free (soft);
}

static void
test_sigma_derivation (void)
{
  double k[51], k7[7];
  sr_usm_gaussian (k, 51, 0);
  /* cv2.getGaussianKernel (51, 0): sigma = 0.3 * ((51 - 1) * 0.5 - 1) + 0.8
   * = 8.0 exactly. */
  g_assert_cmpfloat_with_epsilon (k[26] / k[25], exp (-(1.0 * 1 - 0) / (2 * 64.0)), 1e-12);
  double sum = 0;
  for (int i = 0; i < 51; i++)
    sum += k[i];
  g_assert_cmpfloat_with_epsilon (sum, 1.0, 1e-12);
  sr_usm_gaussian (k7, 7, 0);
  g_assert_cmpfloat (k7[3], >, k7[2]);
  g_assert_cmpint (sr_usm_kernel_size (50), ==, 51);
  g_assert_cmpint (sr_usm_kernel_size (51), ==, 51);
}

static void
check_usm (int h, int w, guint32 seed, gboolean smooth)
{
  const size_t n = (size_t) 3 * h * w;
  float *img = g_new (float, n), *ref = g_new (float, n);
  if (smooth) {
    for (int p = 0; p < 3; p++)
      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
          img[((size_t) p * h + y) * w + x] = 0.5f + 0.4f * sinf (x * 0.21f + p)
              * cosf (y * 0.13f) + ((x / 16 + y / 16) % 2 ? 0.05f : 0.f);
  } else {
    sr_test_fill_uniform (img, n, seed, 0, 1);
  }
  ref_usm (img, ref, 3, h, w, 51, 0.5, 10);

  GError *error = NULL;
  SrUsm *op = sr_usm_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  SrTensor *in = sr_test_upload (img, 1, 3, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, 3, h, w, SR_DTYPE_F32, &error);
  g_assert_cmpint (sr_usm_run (op, sr_test_queue (), in, out, 51, 0, 0.5, 10), ==, SR_OK);
  float *got = sr_test_download (out);
  /* float32 blurs vs double: ~1e-6; a mask pixel within ~1e-5 of the
   * threshold may flip and move `soft` nearby by <= 1/(2 pi 64): allow 2e-4
   * max and require 99.9% of samples within 1e-5. */
  size_t off = 0;
  for (size_t i = 0; i < n; i++)
    off += fabs (got[i] - ref[i]) > 1e-5;
  const double err = sr_test_max_abs_diff (got, ref, n);
  g_test_message ("%dx%d %s: max |diff| %.3g, %zu of %zu samples > 1e-5", w, h,
      smooth ? "smooth" : "random", err, off, n);
  g_assert_cmpfloat (err, <, 2e-4);
  g_assert_cmpfloat ((double) off / n, <, 1e-3);
  g_free (got);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  sr_usm_free (op);
  g_free (img);
  g_free (ref);
}

static void
test_usm_matches_reference (void)
{
  check_usm (40, 60, 1, TRUE);
  check_usm (26, 33, 2, FALSE);      /* the smallest frame for 51 taps */
}

static void
test_usm_too_small (void)
{
  GError *error = NULL;
  SrUsm *op = sr_usm_new (sr_test_runtime (), &error);
  float img[3 * 25 * 25] = { 0 };
  SrTensor *in = sr_test_upload (img, 1, 3, 25, 25);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, 3, 25, 25, SR_DTYPE_F32, &error);
  g_assert_cmpint (sr_usm_run (op, sr_test_queue (), in, out, 51, 0, 0.5, 10), ==,
      SR_ERR_INVALID_ARGUMENT);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  sr_usm_free (op);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/usm/sigma", test_sigma_derivation);
  g_test_add_func ("/usm/reference", test_usm_matches_reference);
  g_test_add_func ("/usm/too-small", test_usm_too_small);
  return g_test_run ();
}
