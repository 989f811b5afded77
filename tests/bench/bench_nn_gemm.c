/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Times sr_nn_gemm (CLBlast) on the default OpenCL device: the first call
 * on its own (it compiles CLBlast's kernels: run with an empty driver
 * cache, e.g. XDG_CACHE_HOME or POCL_CACHE_DIR pointing at a new folder,
 * for the cold figure), then `reps` calls after a warm-up (enqueue +
 * clFinish each): median, minimum and maximum in ms and GFLOP/s.
 *
 *   bench_nn_gemm [shape=M,N,K] [reps=N] [fill-cache]
 *
 * fill-cache: time CLBlastFillCache for the device first (it builds every
 * CLBlast kernel the device may use, in this process only).
 * Not a test: the result is not checked (test_nn_gemm does that). */
#include <clblast_c.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_nn_gemm.h"
#include "sr_tensor.h"

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int m = 64, n = 129600, k = 576, reps = 7;
  gboolean fill = FALSE;
  for (int i = 1; i < argc; i++) {
    if (sscanf (argv[i], "shape=%d,%d,%d", &m, &n, &k) == 3 && m > 0 && n > 0
        && k > 0)
      ;
    else if (sscanf (argv[i], "reps=%d", &reps) == 1 && reps > 0)
      ;
    else if (!strcmp (argv[i], "fill-cache"))
      fill = TRUE;
    else {
      fprintf (stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  GError *error = NULL;
  SrRuntime *rt = sr_runtime_new (NULL, &error);
  cl_command_queue q = rt ? sr_runtime_create_queue (rt, &error) : NULL;
  if (!q) {
    fprintf (stderr, "no OpenCL device: %s\n", error->message);
    return 77;
  }
  if (fill) {
    const gint64 t0 = g_get_monotonic_time ();
    CLBlastStatusCode s = CLBlastFillCache (sr_runtime_device (rt));
    printf ("CLBlastFillCache: %s, %.1f s\n", sr_nn_gemm_status_name (s),
        (g_get_monotonic_time () - t0) * 1e-6);
  }
  SrTensor *a = sr_tensor_new (rt, 1, 1, m, k, SR_DTYPE_F32, &error);
  SrTensor *b = a ? sr_tensor_new (rt, 1, 1, k, n, SR_DTYPE_F32, &error) : NULL;
  SrTensor *c = b ? sr_tensor_new (rt, 1, 1, m, n, SR_DTYPE_F32, &error) : NULL;
  if (!c) {
    fprintf (stderr, "allocation failed: %s\n", error->message);
    return 1;
  }
  const float zero = 0;
  clEnqueueFillBuffer (q, a->mem, &zero, sizeof zero, 0, a->bytes, 0, NULL,
      NULL);
  clEnqueueFillBuffer (q, b->mem, &zero, sizeof zero, 0, b->bytes, 0, NULL,
      NULL);
  clFinish (q);

  const double gflop = 2.0 * m * n * (double) k * 1e-9;
  double *ms = g_new (double, reps), first = 0;
  for (int i = -2; i < reps; i++) {
    const gint64 t0 = g_get_monotonic_time ();
    if (!sr_nn_gemm (q, FALSE, FALSE, m, n, k, 1, sr_nn_matrix (a->mem, 0, k),
            sr_nn_matrix (b->mem, 0, n), 0, sr_nn_matrix (c->mem, 0, n),
            &error)) {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
    clFinish (q);
    const double t = (g_get_monotonic_time () - t0) * 1e-3;
    if (i == -2)
      first = t;
    else if (i >= 0)
      ms[i] = t;
  }
  qsort (ms, reps, sizeof *ms, cmp_double);
  printf ("sr_nn_gemm m=%d n=%d k=%d first=%.1f ms median=%.1f min=%.1f "
      "max=%.1f ms  %.1f GFLOP/s (n=%d)\n", m, n, k, first, ms[reps / 2],
      ms[0], ms[reps - 1], gflop / ms[reps / 2] * 1e3, reps);
  sr_tensor_unref (a);
  sr_tensor_unref (b);
  sr_tensor_unref (c);
  clReleaseCommandQueue (q);
  sr_runtime_unref (rt);
  g_free (ms);
  return 0;
}
