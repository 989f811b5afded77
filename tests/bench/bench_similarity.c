/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Times the similarity op's steps on one W x H pair (default 1920x1080):
 * the planes (Y or RGB codes from float RGB) and the sums (SSE, SSIM with
 * the Gaussian window), warm-up then `reps` timed calls, median ms each.
 * The pair: a smooth field with texture, and it with noise added; the
 * first channel's sums are printed in full, to compare builds by.
 *
 *   bench_similarity [size=WxH] [mode=y|rgb] [reps=N]
 *
 * Not a test: tests/kernels/test_similarity.c checks the values. */
#include <math.h>
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
  const size_t np = (size_t) 3 * w * h;
  float *host = g_new (float, 2 * np);
  for (size_t i = 0; i < np; i++) {
    const size_t x = i % w, y = i / w % h;
    const double v = 128 + 90 * sin (0.05 * x) * cos (0.03 * y)
        + (double) ((i * 2654435761u) % 25) - 12;
    const double noise = (double) ((i * 40503u) >> 7 & 15) - 7.5;
    host[i] = (float) (round (v) / 255);
    host[np + i] = (float) (fmin (fmax (round (v + noise), 0), 255) / 255);
  }
  SrTensor *rgb_a = sr_tensor_new (rt, 1, 3, h, w, SR_DTYPE_F32, NULL);
  SrTensor *rgb_b = sr_tensor_new (rt, 1, 3, h, w, SR_DTYPE_F32, NULL);
  SrTensor *a = sr_tensor_new (rt, 1, c, h, w, SR_DTYPE_F64, NULL);
  SrTensor *b = sr_tensor_new (rt, 1, c, h, w, SR_DTYPE_F64, NULL);
  sr_tensor_write (q, rgb_a, host);
  sr_tensor_write (q, rgb_b, host + np);
  double *tp = g_new (double, reps), *ts = g_new (double, reps);
  SrSimilarity res[3];
  for (int r = -2; r < reps; r++) {
    const gint64 t0 = g_get_monotonic_time ();
    sr_similarity_planes (op, q, rgb_a, 0, mode, a);
    sr_similarity_planes (op, q, rgb_b, 0, mode, b);
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
      "(median of %d); channel 0: sse %.17g ssim %.17g cs %.17g\n", w, h,
      c == 1 ? "Y" : "RGB", tp[reps / 2], ts[reps / 2], reps, res[0].sse,
      res[0].ssim, res[0].cs);
  return 0;
}
