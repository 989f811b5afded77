/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Times one nn conv2d layer (default: the headline 3x3 64->64 on
 * 1x64x270x480, 9.555 GFLOP per call) on the default OpenCL device: warm-up
 * calls, then `reps` timed calls (enqueue + clFinish each); prints the
 * median, minimum and maximum in ms and GFLOP/s.
 *
 *   bench_nn_conv2d [strategy=auto|general|direct|rowvec|winograd|gemm]
 *       [block=OCBxPX] [shape=CIN,COUT,H,W,K] [stride=S] [reps=N]
 *       [dump=PREFIX]
 *
 * The first call is timed on its own (first=): it includes whatever the
 * strategy compiles on first use (CLBlast's GEMM kernels for gemm).
 *
 * Not a test: the output is not checked here (tests/kernels/nn/
 * test_nn_conv2d.c does that). dump=PREFIX writes the layer's weights
 * (OIHW), bias, input (NCHW) and the last run's output as raw float32 to
 * PREFIX.weight.f32, .bias.f32, .in.f32 and .out.f32, so that another
 * runtime can run the same layer on the same data and compare
 * (tests/bench/bench_upscale.py). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_nn_conv2d.h"

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  SrNnConv2dStrategy strategy = SR_NN_CONV2D_AUTO;
  int ocb = 0, px = 0, cin = 64, cout = 64, h = 270, w = 480, k = 3;
  int stride = 1, reps = 11;
  const char *dump = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (g_str_has_prefix (a, "strategy=")
        && sr_nn_conv2d_strategy_from_name (a + 9, &strategy))
      ;
    else if (sscanf (a, "block=%dx%d", &ocb, &px) == 2)
      ;
    else if (sscanf (a, "shape=%d,%d,%d,%d,%d", &cin, &cout, &h, &w, &k) == 5)
      ;
    else if (sscanf (a, "stride=%d", &stride) == 1)
      ;
    else if (sscanf (a, "reps=%d", &reps) == 1 && reps > 0)
      ;
    else if (g_str_has_prefix (a, "dump=") && a[5])
      dump = a + 5;
    else {
      fprintf (stderr, "unknown argument %s\n", a);
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
  const SrNnConv2dParams p = {
    .cin = cin, .cout = cout, .kh = k, .kw = k, .stride_h = stride,
    .stride_w = stride, .pad_top = k / 2, .pad_bottom = (k - 1) / 2,
    .pad_left = k / 2, .pad_right = (k - 1) / 2,
  };
  int oh, ow;
  sr_nn_conv2d_out_size (&p, h, w, &oh, &ow);
  const size_t nw = (size_t) cout * cin * k * k, nin = (size_t) cin * h * w;
  float *wt = g_new (float, nw), *bias = g_new (float, cout);
  float *in = g_new (float, nin);
  GRand *r = g_rand_new_with_seed (1);
  for (size_t i = 0; i < nw; i++)
    wt[i] = g_rand_double_range (r, -1, 1) / k / sqrt (cin);
  for (int i = 0; i < cout; i++)
    bias[i] = g_rand_double_range (r, -0.1, 0.1);
  for (size_t i = 0; i < nin; i++)
    in[i] = g_rand_double_range (r, -1, 1);
  g_rand_free (r);

  SrNnConv2d *op = sr_nn_conv2d_new_with (rt, &p, wt, bias, NULL, strategy,
      ocb, px, &error);
  SrTensor *tin = op ? sr_tensor_new (rt, 1, cin, h, w, SR_DTYPE_F32,
      &error) : NULL;
  SrTensor *tout = tin ? sr_tensor_new (rt, 1, cout, oh, ow, SR_DTYPE_F32,
      &error) : NULL;
  if (!tout || sr_tensor_write (q, tin, in) != SR_OK) {
    fprintf (stderr, "setup failed: %s\n", error ? error->message : "write");
    return 1;
  }
  strategy = sr_nn_conv2d_strategy (op, &ocb, &px);

  const double gflop = 2.0 * cout * cin * k * k * (double) oh * ow * 1e-9;
  double *ms = g_new (double, reps), first = 0;
  for (int i = -2; i < reps; i++) {
    const gint64 t0 = g_get_monotonic_time ();
    SrStatus st = sr_nn_conv2d_run (op, q, sr_view (tin), sr_view (tout),
        NULL);
    clFinish (q);
    if (st != SR_OK) {
      fprintf (stderr, "run failed: %s\n", sr_status_name (st));
      return 1;
    }
    if (i >= 0)
      ms[i] = (g_get_monotonic_time () - t0) * 1e-3;
    else if (i == -2)
      first = (g_get_monotonic_time () - t0) * 1e-3;
  }
  qsort (ms, reps, sizeof *ms, cmp_double);
  if (dump) {
    const size_t nout = (size_t) cout * oh * ow;
    float *out = g_new (float, nout);
    const struct { const char *ext; const float *data; size_t n; } f[] = {
      { "weight", wt, nw }, { "bias", bias, (size_t) cout }, { "in", in, nin },
      { "out", out, nout },
    };
    gboolean ok = sr_tensor_read (q, tout, out) == SR_OK;
    for (size_t i = 0; ok && i < G_N_ELEMENTS (f); i++) {
      gchar *path = g_strdup_printf ("%s.%s.f32", dump, f[i].ext);
      ok = g_file_set_contents (path, (const char *) f[i].data,
          (gssize) (f[i].n * sizeof (float)), &error);
      g_free (path);
    }
    g_free (out);
    if (!ok) {
      fprintf (stderr, "dump failed: %s\n", error ? error->message : "read");
      return 1;
    }
  }
  const double med = ms[reps / 2];
  printf ("nn_conv2d %d->%d k%d s%d %dx%d strategy=%s block=%dx%d "
      "median=%.1f min=%.1f max=%.1f ms  %.1f GFLOP/s (best %.1f) "
      "(%.3f GFLOP, n=%d) first=%.1f ms\n", cin, cout, k, stride, h, w,
      sr_nn_conv2d_strategy_name (strategy), ocb, px, med,
      ms[0], ms[reps - 1], gflop / med * 1e3, gflop / ms[0] * 1e3, gflop,
      reps, first);

  sr_nn_conv2d_free (op);
  sr_tensor_unref (tin);
  sr_tensor_unref (tout);
  clReleaseCommandQueue (q);
  sr_runtime_unref (rt);
  g_free (ms);
  g_free (wt);
  g_free (bias);
  g_free (in);
  return 0;
}
