/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Graph nodes built from other ops, through the executor, against plain-C
 * double evaluations written from PyTorch's definitions:
 *
 * - conv-transpose: ConvTranspose2d (cin, cout, 4, stride 2, padding 1)
 *   as the scatter its documentation defines (out[c][2i - 1 + ky][2j - 1 +
 *   kx] += in[ci][i][j] w[ci][c][ky][kx], then the bias, then ReLU),
 *   sizes odd and even: the graph makes it a 3x3 phase convolution and a
 *   pixel shuffle, so a wrong phase tap or channel order shows at once;
 * - taps: in -conv 3x3-> a -L2-normalise-> tap 0; a -max pool 3/2-> p
 *   -conv-> q -conv-> out. Liveness alone would let q or out take the
 *   tap's buffer (the tap is dead after its node); the executor keeps it,
 *   so tap 0 read after the run must still equal the normalised a.
 *
 * Tolerance 1e-5 max (1, |want|): float32 sums of at most 16 x 9
 * products round at ~1e-7, and the tuner may pick Winograd F(4x4, 3x3),
 * whose transforms lose up to ~1e-6 relative; a misplaced tap or phase is
 * off by ~0.1. */
#include "sr_executor.h"
#include "sr_test_util.h"

#include <math.h>

static float *
random_floats (size_t n, guint32 seed, float lo, float hi)
{
  float *v = g_new (float, n);
  sr_test_fill_uniform (v, n, seed, lo, hi);
  return v;
}

static float *
run_graph (SrGraph *g, const float *in, int c, int h, int w, int oc, int oh,
    int ow, SrExecutor **keep)
{
  GError *error = NULL;
  SrExecutor *ex = sr_executor_new (sr_test_runtime (), g, &error);
  g_assert_no_error (error);
  g_assert_true (sr_executor_plan (ex, h, w, &error));
  g_assert_no_error (error);
  cl_command_queue q = sr_test_queue ();
  SrTensor *ti = sr_test_upload_as (in, 1, c, h, w, SR_DTYPE_F32);
  SrTensor *to = sr_tensor_new (sr_test_runtime (), 1, oc, oh, ow,
      SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sr_executor_run (ex, q, sr_view (ti), sr_view (to)), ==,
      SR_OK);
  float *out = g_new (float, (size_t) oc * oh * ow);
  g_assert_cmpint (sr_tensor_read (q, to, out), ==, SR_OK);
  sr_tensor_unref (ti);
  sr_tensor_unref (to);
  if (keep)
    *keep = ex;
  else
    sr_executor_free (ex);
  return out;
}

static void
check_close (const float *got, const double *want, size_t n, const char *what)
{
  double worst = 0;
  for (size_t i = 0; i < n; i++) {
    const double d = fabs (got[i] - want[i]);
    worst = MAX (worst, d);
    if (d > 1e-5 * MAX (1, fabs (want[i])))
      g_error ("%s: value %zu is %.9g, want %.9g", what, i, got[i], want[i]);
  }
  g_test_message ("%s: largest difference %.3g", what, worst);
}

static void
check_transpose (int cin, int cout, int h, int w, guint32 seed)
{
  float *in = random_floats ((size_t) cin * h * w, seed, -1, 1);
  float *wt = random_floats ((size_t) cin * cout * 16, seed + 1, -0.3f, 0.3f);
  float *bias = random_floats (cout, seed + 2, -0.2f, 0.2f);
  GError *error = NULL;
  SrGraph *g = sr_graph_new ("transpose-test", cin);
  const int v = sr_graph_add_conv_transpose (g, "up", g->input, cout, wt, bias,
      (SrAct) {.kind = SR_ACT_RELU }, &error);
  g_assert_no_error (error);
  g_assert_true (sr_graph_finish (g, v, &error));
  g_assert_cmpint (g->scale, ==, 2);
  const int oh = 2 * h, ow = 2 * w;
  double *want = g_new0 (double, (size_t) cout * oh * ow);
  for (int ci = 0; ci < cin; ci++)
    for (int c = 0; c < cout; c++)
      for (int i = 0; i < h; i++)
        for (int j = 0; j < w; j++)
          for (int ky = 0; ky < 4; ky++)
            for (int kx = 0; kx < 4; kx++) {
              const int y = 2 * i - 1 + ky, x = 2 * j - 1 + kx;
              if (y >= 0 && y < oh && x >= 0 && x < ow)
                want[((size_t) c * oh + y) * ow + x] +=
                    (double) in[((size_t) ci * h + i) * w + j]
                    * wt[(((size_t) ci * cout + c) * 4 + ky) * 4 + kx];
            }
  for (int c = 0; c < cout; c++)
    for (int k = 0; k < oh * ow; k++) {
      double *o = &want[(size_t) c * oh * ow + k];
      *o = MAX (*o + bias[c], 0);
    }
  float *got = run_graph (g, in, cin, h, w, cout, oh, ow, NULL);
  gchar *what = g_strdup_printf ("conv-transpose %d->%d on %dx%d", cin, cout,
      w, h);
  check_close (got, want, (size_t) cout * oh * ow, what);
  g_free (what);
  g_free (got);
  g_free (want);
  g_free (in);
  g_free (wt);
  g_free (bias);
}

static void
test_conv_transpose (void)
{
  check_transpose (5, 3, 7, 9, 10);
  check_transpose (16, 8, 6, 6, 20);
  check_transpose (3, 1, 1, 1, 30);
  /* PReLU would need its slopes per phase: refused. */
  GError *error = NULL;
  SrGraph *g = sr_graph_new ("transpose-prelu", 2);
  float wt[2 * 2 * 16] = { 0 };
  g_assert_cmpint (sr_graph_add_conv_transpose (g, "up", g->input, 2, wt, NULL,
          (SrAct) {.kind = SR_ACT_PRELU }, &error), ==, -1);
  g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED);
  g_clear_error (&error);
  sr_graph_free (g);
}

#define TC 4                    /* channels of the tap test */

static void
test_taps (void)
{
  const int h = 11, w = 13;
  float *in = random_floats ((size_t) 3 * h * w, 40, -1, 1);
  float *w1 = random_floats ((size_t) TC * 3 * 9, 41, -0.3f, 0.3f);
  float *w2 = random_floats ((size_t) TC * TC * 9, 42, -0.3f, 0.3f);
  GError *error = NULL;
  SrGraph *g = sr_graph_new ("tap-test", 3);
  SrNnConv2dParams p = {.cin = 3,.cout = TC,.kh = 3,.kw = 3,.stride_h = 1,
    .stride_w = 1,.pad_top = 1,.pad_bottom = 1,.pad_left = 1,.pad_right = 1
  };
  const int a = sr_graph_add_conv2d (g, "a", g->input, &p, w1, NULL, NULL,
      &error);
  const int n = sr_graph_add_l2_normalize (g, "a-normalised", a, 1e-10f,
      &error);
  g_assert_cmpint (sr_graph_add_tap (g, n, &error), ==, 0);
  const int pooled = sr_graph_add_max_pool (g, "pool", a, 3, 2, &error);
  p.cin = TC;
  const int q = sr_graph_add_conv2d (g, "q", pooled, &p, w2, NULL, NULL,
      &error);
  const int out = sr_graph_add_conv2d (g, "out", q, &p, w2, NULL, NULL,
      &error);
  g_assert_no_error (error);
  /* The output itself cannot be a tap. */
  g_assert_cmpint (sr_graph_add_tap (g, out, &error), ==, 1);
  g_assert_false (sr_graph_finish (g, out, &error));
  g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH);
  g_clear_error (&error);
  g_array_set_size (g->taps, 1);
  g_assert_true (sr_graph_finish (g, out, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 0);          /* a feature network */

  /* a and its normalisation in double. */
  double *want = g_new0 (double, (size_t) TC * h * w);
  for (int o = 0; o < TC; o++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int i = 0; i < 3; i++)
          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              if (y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w)
                s += (double) in[((size_t) i * h + y + dy) * w + x + dx]
                    * w1[((o * 3 + i) * 3 + dy + 1) * 3 + dx + 1];
        want[((size_t) o * h + y) * w + x] = s;
      }
  for (int k = 0; k < h * w; k++) {
    double ss = 0;
    for (int o = 0; o < TC; o++)
      ss += want[(size_t) o * h * w + k] * want[(size_t) o * h * w + k];
    for (int o = 0; o < TC; o++)
      want[(size_t) o * h * w + k] /= sqrt (ss) + 1e-10;
  }
  SrExecutor *ex;
  const int ph = (h - 3) / 2 + 1, pw = (w - 3) / 2 + 1;
  float *o = run_graph (g, in, 3, h, w, TC, ph, pw, &ex);
  const SrView tap = sr_executor_tap (ex, 0);
  g_assert_nonnull (tap.t);
  g_assert_cmpint (tap.c, ==, TC);
  g_assert_cmpint (tap.t->h, ==, h);
  g_assert_cmpint (tap.t->w, ==, w);
  g_assert_null (sr_executor_tap (ex, 1).t);
  float *got = g_new (float, (size_t) tap.t->c * h * w);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), tap.t, got), ==, SR_OK);
  check_close (got + (size_t) tap.c0 * h * w, want, (size_t) TC * h * w,
      "tap after the run");
  sr_executor_free (ex);
  g_free (got);
  g_free (o);
  g_free (want);
  g_free (in);
  g_free (w1);
  g_free (w2);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/graph/conv-transpose", test_conv_transpose);
  g_test_add_func ("/graph/taps", test_taps);
  return g_test_run ();
}
