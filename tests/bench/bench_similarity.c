/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Times the similarity op's steps on one W x H pair (default 1920x1080):
 * the planes (Y or RGB codes from float RGB) and the sums (SSE, SSIM with
 * the Gaussian window), warm-up then `reps` timed calls, median ms each.
 * The pair: a smooth field with texture, and it with noise added; the
 * first channel's sums are printed in full, to compare builds by. mode=y8:
 * the first channel's codes as an 8-bit plane (video's Y plane as it is):
 * "planes" is then its conversion to double (sr_similarity_planes_y8,
 * both pictures) and "sums" sr_similarity_run_u8 on the 8-bit planes,
 * whose values are printed next to sr_similarity_run's on the doubles.
 *
 *   bench_similarity [size=WxH] [mode=y|rgb|y8] [reps=N]
 *
 * Not a test: tests/kernels/test_similarity.c checks the values. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "sr_similarity.h"

/* CPU time of the process (all threads, PoCL's included), ms: less
 * disturbed than the wall clock by other jobs on a shared machine. */
static double
cpu_ms (void)
{
  struct rusage ru;
  getrusage (RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3
      + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

/* The pair's pictures: a smooth field with texture, and it with noise
 * added; n values each, codes 0..255. */
static double
field (size_t i, int w, int h)
{
  const size_t x = i % w, y = i / w % h;
  return 128 + 90 * sin (0.05 * x) * cos (0.03 * y)
      + (double) ((i * 2654435761u) % 25) - 12;
}

static double
code_a (size_t i, int w, int h)
{
  return round (field (i, w, h));
}

static double
code_b (size_t i, int w, int h)
{
  const double noise = (double) ((i * 40503u) >> 7 & 15) - 7.5;
  return fmin (fmax (round (field (i, w, h) + noise), 0), 255);
}

static int
bench_y8 (SrRuntime *rt, cl_command_queue q, SrSimilarityOp *op, int w, int h,
    int reps)
{
  const size_t n = (size_t) w * h;
  guint8 *host = g_new (guint8, 2 * n);
  for (size_t i = 0; i < n; i++) {
    host[i] = (guint8) code_a (i, w, h);
    host[n + i] = (guint8) code_b (i, w, h);
  }
  SrTensor *ua = sr_tensor_new (rt, 1, 1, h, w, SR_DTYPE_U8, NULL);
  SrTensor *ub = sr_tensor_new (rt, 1, 1, h, w, SR_DTYPE_U8, NULL);
  SrTensor *a = sr_tensor_new (rt, 1, 1, h, w, SR_DTYPE_F64, NULL);
  SrTensor *b = sr_tensor_new (rt, 1, 1, h, w, SR_DTYPE_F64, NULL);
  sr_tensor_write (q, ua, host);
  sr_tensor_write (q, ub, host + n);
  double *tp = g_new (double, reps), *ts = g_new (double, reps);
  double *tc = g_new (double, reps);
  SrSimilarity r8, r64;
  for (int r = -2; r < reps; r++) {
    const gint64 t0 = g_get_monotonic_time ();
    sr_similarity_planes_y8 (op, q, ua, 0, a);
    sr_similarity_planes_y8 (op, q, ub, 0, b);
    clFinish (q);
    const gint64 t1 = g_get_monotonic_time ();
    const double c1 = cpu_ms ();
    if (sr_similarity_run_u8 (op, q, ua, ub, 0, SR_WINDOW_GAUSSIAN11, 6.5025,
            58.5225, FALSE, &r8) != SR_OK) {
      fprintf (stderr, "run failed\n");
      return 1;
    }
    const gint64 t2 = g_get_monotonic_time ();
    if (r >= 0) {
      tp[r] = (t1 - t0) / 1000.0;
      ts[r] = (t2 - t1) / 1000.0;
      tc[r] = cpu_ms () - c1;
    }
  }
  sr_similarity_run (op, q, a, b, SR_WINDOW_GAUSSIAN11, 6.5025, 58.5225,
      FALSE, &r64);
  qsort (tp, reps, sizeof (double), cmp_double);
  qsort (ts, reps, sizeof (double), cmp_double);
  qsort (tc, reps, sizeof (double), cmp_double);
  printf ("similarity %dx%d 8-bit: planes to double (two pictures) %.2f ms, "
      "sums from 8 bits %.2f ms, CPU %.2f ms (median of %d); sse %.17g ssim "
      "%.17g cs %.17g; from doubles: sse %.17g ssim %.17g cs %.17g\n", w, h,
      tp[reps / 2], ts[reps / 2], tc[reps / 2], reps, r8.sse, r8.ssim, r8.cs, r64.sse,
      r64.ssim, r64.cs);
  return 0;
}

int
main (int argc, char **argv)
{
  int w = 1920, h = 1080, reps = 9;
  SrPlanes mode = SR_PLANES_Y_BASICSR;
  gboolean y8 = FALSE;
  for (int i = 1; i < argc; i++) {
    if (sscanf (argv[i], "size=%dx%d", &w, &h) == 2 || sscanf (argv[i],
            "reps=%d", &reps) == 1)
      continue;
    if (!strcmp (argv[i], "mode=rgb"))
      mode = SR_PLANES_RGB;
    else if (!strcmp (argv[i], "mode=y8"))
      y8 = TRUE;
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
  if (y8)
    return bench_y8 (rt, q, op, w, h, reps);
  const size_t np = (size_t) 3 * w * h;
  float *host = g_new (float, 2 * np);
  for (size_t i = 0; i < np; i++) {
    host[i] = (float) (code_a (i, w, h) / 255);
    host[np + i] = (float) (code_b (i, w, h) / 255);
  }
  SrTensor *rgb_a = sr_tensor_new (rt, 1, 3, h, w, SR_DTYPE_F32, NULL);
  SrTensor *rgb_b = sr_tensor_new (rt, 1, 3, h, w, SR_DTYPE_F32, NULL);
  SrTensor *a = sr_tensor_new (rt, 1, c, h, w, SR_DTYPE_F64, NULL);
  SrTensor *b = sr_tensor_new (rt, 1, c, h, w, SR_DTYPE_F64, NULL);
  sr_tensor_write (q, rgb_a, host);
  sr_tensor_write (q, rgb_b, host + np);
  double *tp = g_new (double, reps), *ts = g_new (double, reps);
  double *tc = g_new (double, reps);
  SrSimilarity res[3];
  for (int r = -2; r < reps; r++) {
    const gint64 t0 = g_get_monotonic_time ();
    sr_similarity_planes (op, q, rgb_a, 0, mode, a);
    sr_similarity_planes (op, q, rgb_b, 0, mode, b);
    clFinish (q);
    const gint64 t1 = g_get_monotonic_time ();
    const double c1 = cpu_ms ();
    if (sr_similarity_run (op, q, a, b, SR_WINDOW_GAUSSIAN11, 6.5025, 58.5225,
            FALSE, res) != SR_OK) {
      fprintf (stderr, "run failed\n");
      return 1;
    }
    const gint64 t2 = g_get_monotonic_time ();
    if (r >= 0) {
      tp[r] = (t1 - t0) / 1000.0;
      ts[r] = (t2 - t1) / 1000.0;
      tc[r] = cpu_ms () - c1;
    }
  }
  qsort (tp, reps, sizeof (double), cmp_double);
  qsort (ts, reps, sizeof (double), cmp_double);
  qsort (tc, reps, sizeof (double), cmp_double);
  printf ("similarity %dx%d %s: planes (two pictures) %.2f ms, sums %.2f ms, "
      "CPU %.2f ms (median of %d); channel 0: sse %.17g ssim %.17g cs %.17g\n",
      w, h, c == 1 ? "Y" : "RGB", tp[reps / 2], ts[reps / 2], tc[reps / 2],
      reps, res[0].sse,
      res[0].ssim, res[0].cs);
  return 0;
}
