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

float *
sr_test_download (const SrTensor *t)
{
  float *out = g_new (float, sr_tensor_numel (t));
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), t, out), ==, SR_OK);
  return out;
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
