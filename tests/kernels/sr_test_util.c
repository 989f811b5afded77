/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_test_util.h"

#include <stdio.h>
#include <stdlib.h>

static SrRuntime *runtime;
static cl_command_queue queue;

static gboolean
open_runtime (GError **error)
{
  runtime = sr_runtime_new (g_getenv ("SR_TEST_DEVICE"), error);
  if (!runtime)
    return FALSE;
  queue = sr_runtime_create_queue (runtime, error);
  return queue != NULL;
}

void
sr_test_init (int *argc, char ***argv)
{
  g_test_init (argc, argv, NULL);
  GError *error = NULL;
  if (!open_runtime (&error)) {
    /* A TAP plan of 0 with a reason: the binary ran nothing. */
    printf ("1..0 # SKIP no OpenCL device: %s\n", error->message);
    exit (0);
  }
}

SrRuntime *
sr_test_runtime (void)
{
  GError *error = NULL;
  /* Opened by sr_test_init in tests; on first use by the tools that Python
   * references drive, which pass exit status 77 on as their own SKIP. */
  if (!runtime && !open_runtime (&error)) {
    g_printerr ("no OpenCL device: %s\n", error->message);
    exit (SR_TEST_EXIT_SKIP);
  }
  return runtime;
}

cl_command_queue
sr_test_queue (void)
{
  sr_test_runtime ();
  return queue;
}

SrTensor *
sr_test_upload (const float *data, int n, int c, int h, int w)
{
  GError *error = NULL;
  SrTensor *t = sr_tensor_new (sr_test_runtime (), n, c, h, w, SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), t, data), ==, SR_OK);
  return t;
}

SrTensor *
sr_test_upload_as (const float *data, int n, int c, int h, int w,
    SrDType dtype)
{
  if (dtype == SR_DTYPE_F32)
    return sr_test_upload (data, n, c, h, w);
  g_assert_cmpint (dtype, ==, SR_DTYPE_F16);
  GError *error = NULL;
  SrTensor *t = sr_tensor_new (sr_test_runtime (), n, c, h, w, dtype, &error);
  g_assert_no_error (error);
  const size_t numel = sr_tensor_numel (t);
  guint16 *bits = g_new (guint16, numel);
  for (size_t i = 0; i < numel; i++)
    bits[i] = sr_test_float_to_half (data[i]);
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), t, bits), ==, SR_OK);
  g_free (bits);
  return t;
}

float *
sr_test_download (const SrTensor *t)
{
  const size_t numel = sr_tensor_numel (t);
  float *out = g_new (float, numel);
  if (t->dtype == SR_DTYPE_F16) {
    guint16 *bits = g_new (guint16, numel);
    g_assert_cmpint (sr_tensor_read (sr_test_queue (), t, bits), ==, SR_OK);
    for (size_t i = 0; i < numel; i++)
      out[i] = sr_test_half_to_float (bits[i]);
    g_free (bits);
    return out;
  }
  g_assert_cmpint (t->dtype, ==, SR_DTYPE_F32);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), t, out), ==, SR_OK);
  return out;
}

float
sr_test_half_to_float (guint16 h)
{
  const int sign = h >> 15, e = (h >> 10) & 31, m = h & 1023;
  double v;
  if (e == 31)
    v = m ? NAN : INFINITY;
  else if (e == 0)
    v = ldexp (m, -24);                     /* subnormal: m * 2^-24 */
  else
    v = ldexp (1024 + m, e - 25);           /* (1 + m/1024) * 2^(e-15) */
  return (float) (sign ? -v : v);
}

guint16
sr_test_float_to_half (float f)
{
  const guint16 sign = signbit (f) ? 0x8000 : 0;
  const double a = fabs ((double) f);
  if (isnan (f))
    return 0x7e00;
  if (a < ldexp (1, -14))                   /* subnormal range, step 2^-24 */
    return sign | (guint16) rint (a * ldexp (1, 24));   /* 1024 = min normal */
  int e;
  const double m = frexp (a, &e);           /* a = m 2^e, m in [0.5, 1) */
  double q = rint ((2 * m - 1) * 1024);     /* 10 fraction bits */
  e -= 1;                                   /* a = (2m) 2^e */
  if (q == 1024) {
    q = 0;
    e++;
  }
  if (e + 15 >= 31 || isinf (f))
    return sign | 0x7c00;
  return sign | (guint16) ((e + 15) << 10) | (guint16) q;
}

void
sr_test_round_to_half (float *data, size_t n)
{
  for (size_t i = 0; i < n; i++)
    data[i] = sr_test_half_to_float (sr_test_float_to_half (data[i]));
}

void
sr_test_fill_uniform (float *data, size_t n, guint32 seed, float lo, float hi)
{
  GRand *r = g_rand_new_with_seed (seed);
  for (size_t i = 0; i < n; i++)
    data[i] = (float) g_rand_double_range (r, lo, hi);
  g_rand_free (r);
}

double
sr_test_max_abs_diff (const float *a, const float *b, size_t n)
{
  double m = 0;
  for (size_t i = 0; i < n; i++)
    m = fmax (m, fabs ((double) a[i] - b[i]));
  return m;
}

double
sr_test_psnr (const float *a, const float *b, size_t n)
{
  double se = 0;
  for (size_t i = 0; i < n; i++) {
    const double d = (double) a[i] - b[i];
    se += d * d;
  }
  if (se == 0)
    return INFINITY;
  return 10.0 * log10 (1.0 / (se / n));
}
