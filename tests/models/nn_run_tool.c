/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs a network file through the graph executor, for the Python tests that
 * compare it with the network's own runtime (tests/reference).
 *
 *   nn_run_tool MODEL IN.f32 H W OUT.f32 [RUNS [STORAGE]]
 *
 * MODEL: a registry name or a file (model.json, .safetensors). STORAGE:
 * how the executor stores values between nodes, f32 (default) or f16.
 *
 * IN: H x W x 3 float32 (HWC) in [0,1]; OUT: the output, HWC in [0,1].
 * Prints "<out_h> <out_w> <ms per run> <end-to-end ms per run>" (medians of
 * the runs after one warm-up run when RUNS > 1): the first is
 * sr_executor_run + clFinish alone; the second also includes writing the
 * CHW input to its OpenCL buffer before and reading the CHW output back
 * after (blocking copies), which is what a caller with host tensors pays.
 * The HWC <-> CHW reordering of the files is outside both. Exit 77 without
 * an OpenCL device.
 *
 * SR_NN_DUMP_CODES=FILE: the code index of every pixel of each quantiser
 * (VQ node, in graph order) in the last run, as int32, to FILE.
 *
 * SR_NN_PROFILE=1: after the runs, one more run node by node (waiting after
 * each), and a table on stderr of each node's time, strategy and GFLOP/s,
 * slowest first. */
#include "sr_executor.h"
#include "sr_registry.h"
#include "sr_test_util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
compare_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static int
compare_node_ms (gconstpointer a, gconstpointer b, gpointer ms)
{
  const double x = ((double *) ms)[*(const guint *) a];
  const double y = ((double *) ms)[*(const guint *) b];
  return x < y ? 1 : x > y ? -1 : 0;
}

static void
profile (SrExecutor *ex, cl_command_queue q, SrTensor *in, SrTensor *out)
{
  const SrGraph *g = sr_executor_graph (ex);
  const guint n = g->nodes->len;
  double *ms = g_new0 (double, n), total = 0;
  guint *order = g_new (guint, n);
  if (sr_executor_profile (ex, q, sr_view (in), sr_view (out), ms) != SR_OK) {
    fprintf (stderr, "profile run failed\n");
    return;
  }
  for (guint i = 0; i < n; i++) {
    order[i] = i;
    total += ms[i];
  }
  g_qsort_with_data (order, n, sizeof (guint), compare_node_ms, ms);
  fprintf (stderr, "%-28s %-9s %-6s %-7s %-14s %9s %6s %8s\n", "node", "ms",
      "%", "cin>out", "kernel", "strategy", "", "GFLOP/s");
  for (guint k = 0; k < n && ms[order[k]] > 0; k++) {
    const guint i = order[k];
    const SrNode *node = sr_graph_node (g, i);
    const SrNnConv2d *conv = sr_executor_conv (ex, i);
    char shape[32] = "", kernel[32] = "", strategy[32] = "", gflops[16] = "";
    if (conv) {
      int ocb, px, oh, ow;
      const SrNnConv2dParams *p = &node->conv;
      const SrNnConv2dStrategy s = sr_nn_conv2d_strategy (conv, &ocb, &px);
      g_snprintf (shape, sizeof shape, "%d>%d", p->cin, p->cout);
      g_snprintf (kernel, sizeof kernel, "%dx%d/%d", p->kh, p->kw,
          p->stride_h);
      g_snprintf (strategy, sizeof strategy, "%s:%dx%d",
          sr_nn_conv2d_strategy_name (s), ocb, px);
      sr_executor_value_size (ex, node->output, &oh, &ow);
      g_snprintf (gflops, sizeof gflops, "%.0f", 2.0 * p->cin * p->cout
          * p->kh * p->kw * oh * ow / (ms[i] * 1e6));
    }
    fprintf (stderr, "%-28.28s %-9.3f %-6.1f %-7s %-14s %16s %8s\n",
        node->name, ms[i], 100 * ms[i] / total, shape, kernel, strategy,
        gflops);
  }
  fprintf (stderr, "total %.3f ms node by node\n", total);
  g_free (order);
  g_free (ms);
}

int
main (int argc, char **argv)
{
  if (argc < 6) {
    fprintf (stderr, "usage: %s MODEL IN.f32 H W OUT.f32 [RUNS [f32|f16]]\n",
        argv[0]);
    return 2;
  }
  const char *storage = argc > 7 ? argv[7] : "f32";
  if (strcmp (storage, "f32") && strcmp (storage, "f16")) {
    fprintf (stderr, "bad storage %s (f32 or f16)\n", storage);
    return 2;
  }
  const int h = atoi (argv[3]), w = atoi (argv[4]);
  const int runs = argc > 6 ? MAX (1, atoi (argv[6])) : 1;
  GError *error = NULL;
  gchar *data;
  gsize len;
  if (h < 1 || w < 1 || !g_file_get_contents (argv[2], &data, &len, &error)
      || len != (gsize) h * w * 3 * sizeof (float)) {
    fprintf (stderr, "bad input %s (%dx%d)\n", argv[2], w, h);
    return 2;
  }
  SrRuntime *rt = sr_test_runtime ();    /* exits 77 without a device */
  cl_command_queue q = sr_test_queue ();
  SrGraph *g = sr_registry_load (argv[1], &error);
  SrExecutor *ex = g ? sr_executor_new_with_storage (rt, g,
      strcmp (storage, "f16") ? SR_DTYPE_F32 : SR_DTYPE_F16, &error) : NULL;
  if (!ex || !sr_executor_plan (ex, h, w, &error)) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  const int s = sr_executor_graph (ex)->scale, oh = h * s, ow = w * s;
  float *chw = g_new (float, (gsize) h * w * 3), *hwc = (float *) data;
  for (int c = 0; c < 3; c++)
    for (gsize i = 0; i < (gsize) h * w; i++)
      chw[c * (gsize) h * w + i] = hwc[i * 3 + c];
  SrTensor *in = sr_tensor_new (rt, 1, 3, h, w, SR_DTYPE_F32, &error);
  SrTensor *out = in ? sr_tensor_new (rt, 1, 3, oh, ow, SR_DTYPE_F32, &error)
      : NULL;
  if (!out) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  float *res = g_new (float, (gsize) oh * ow * 3);
  double *ms = g_new (double, runs), *e2e = g_new (double, runs);
  for (int r = -1; r < runs; r++) {
    const gint64 t0 = g_get_monotonic_time ();
    SrStatus st = sr_tensor_write (q, in, chw);
    const gint64 t1 = g_get_monotonic_time ();
    if (st == SR_OK)
      st = sr_executor_run (ex, q, sr_view (in), sr_view (out));
    clFinish (q);
    const gint64 t2 = g_get_monotonic_time ();
    if (st == SR_OK)
      st = sr_tensor_read (q, out, res);
    const gint64 t3 = g_get_monotonic_time ();
    if (st != SR_OK) {
      fprintf (stderr, "run: %s\n", sr_status_name (st));
      return 1;
    }
    if (r >= 0) {
      ms[r] = (t2 - t1) / 1000.0;
      e2e[r] = (t3 - t0) / 1000.0;
    }
  }
  qsort (ms, runs, sizeof (double), compare_double);
  qsort (e2e, runs, sizeof (double), compare_double);
  float *res_hwc = g_new (float, (gsize) oh * ow * 3);
  for (int c = 0; c < 3; c++)
    for (gsize i = 0; i < (gsize) oh * ow; i++)
      res_hwc[i * 3 + c] = res[c * (gsize) oh * ow + i];
  if (!g_file_set_contents (argv[5], (const char *) res_hwc,
          (gssize) oh * ow * 3 * sizeof (float), &error)) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  printf ("%d %d %.3f %.3f\n", oh, ow, ms[runs / 2], e2e[runs / 2]);
  const char *codes_file = g_getenv ("SR_NN_DUMP_CODES");
  if (codes_file) {
    GByteArray *codes = g_byte_array_new ();
    for (guint i = 0; i < sr_executor_graph (ex)->nodes->len; i++) {
      SrNnVq *vq = sr_executor_vq (ex, i);
      int n, used;
      int *idx = vq ? sr_nn_vq_last_indices (vq, q, &n, &used) : NULL;
      if (idx)
        g_byte_array_append (codes, (const guint8 *) idx, n * sizeof (int));
      g_free (idx);
    }
    if (!g_file_set_contents (codes_file, (const char *) codes->data,
            codes->len, &error)) {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
    g_byte_array_unref (codes);
  }
  if (g_getenv ("SR_NN_PROFILE"))
    profile (ex, q, in, out);
  fprintf (stderr, "peak intermediate memory %.1f MB, %.0f MAC per input "
      "pixel, receptive radius %d\n", sr_executor_peak_bytes (ex) / 1e6,
      sr_graph_macs_per_input_pixel (sr_executor_graph (ex)),
      sr_graph_receptive_radius (sr_executor_graph (ex)));
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  sr_executor_free (ex);
  g_free (ms);
  g_free (e2e);
  g_free (res);
  g_free (res_hwc);
  g_free (chw);
  g_free (data);
  return 0;
}
