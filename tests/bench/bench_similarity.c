/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Times the similarity op's steps on one W x H pair (default 1920x1080):
 * the planes (Y or RGB codes from float RGB) and the sums (SSE, SSIM with
 * the Gaussian window), warm-up then `reps` timed calls, median ms each.
 *
 *   bench_similarity [size=WxH] [mode=y|rgb] [reps=N]
 *
 * Not a test: tests/kernels/test_similarity.c checks the values. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_similarity.h"

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int w = 1920, h = 1080, reps = 9;
  SrPlanes mode = SR_PLANES_Y_BASICSR;
  for (int i = 1; i < argc; i++) {
    if (sscanf (argv[i], "size=%dx%d", &w, &h) == 2 || sscanf (argv[i],
            "reps=%d", &reps) == 1)
      continue;
    if (!strcmp (argv[i], "mode=rgb"))
      mode = SR_PLANES_RGB;
    else if (strcmp (argv[i], "mode=y")) {
      fprintf (stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  GError *error = NULL;
  SrRuntime *rt = sr_runtime_new (NULL, &error);
  cl_command_queue q = rt ? sr_runtime_create_queue (rt, &error) : NULL;
  SrSimilarityOp *op = q ? sr_similarity_new (rt, &error) : NULL;
  if (!op) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  const int c = mode == SR_PLANES_RGB ? 3 : 1;
  float *host = g_new (float, (size_t) 3 * w * h);
  for (size_t i = 0; i < (size_t) 3 * w * h; i++)
    host[i] = (float) ((i * 2654435761u) % 256) / 255.0f;
  SrTensor *rgb = sr_tensor_new (rt, 1, 3, h, w, SR_DTYPE_F32, NULL);
  SrTensor *a = sr_tensor_new (rt, 1, c, h, w, SR_DTYPE_F64, NULL);
  SrTensor *b = sr_tensor_new (rt, 1, c, h, w, SR_DTYPE_F64, NULL);
  sr_tensor_write (q, rgb, host);
  double *tp = g_new (double, reps), *ts = g_new (double, reps);
  SrSimilarity res[3];
  for (int r = -2; r < reps; r++) {
    const gint64 t0 = g_get_monotonic_time ();
    sr_similarity_planes (op, q, rgb, 0, mode, a);
    sr_similarity_planes (op, q, rgb, 0, mode, b);
    clFinish (q);
    const gint64 t1 = g_get_monotonic_time ();
    if (sr_similarity_run (op, q, a, b, SR_WINDOW_GAUSSIAN11, 6.5025, 58.5225,
            FALSE, res) != SR_OK) {
      fprintf (stderr, "run failed\n");
      return 1;
    }
    const gint64 t2 = g_get_monotonic_time ();
    if (r >= 0) {
      tp[r] = (t1 - t0) / 1000.0;
      ts[r] = (t2 - t1) / 1000.0;
    }
  }
  qsort (tp, reps, sizeof (double), cmp_double);
  qsort (ts, reps, sizeof (double), cmp_double);
  printf ("similarity %dx%d %s: planes (two pictures) %.2f ms, sums %.2f ms "
      "(median of %d)\n", w, h, c == 1 ? "Y" : "RGB", tp[reps / 2],
      ts[reps / 2], reps);
  return 0;
}
