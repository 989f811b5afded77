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
 * - split (sr_graph_split, sr_tiled_new_for_graph): a small RRDBNet-like
 *   upscaler (conv, a residual block, the trunk sum, nearest 2x, conv,
 *   conv) splits at its trunk sum, and runs whole, in tiles, and in tiles
 *   whose tail runs in tiles of its own, each equal to the whole network
 *   in double; networks without such a tail (SRVGGNetCompact's input read
 *   at the end; a pixel-shuffle tail with no convolution after it) do not
 *   split.
 *
 * Tolerance 1e-5 max (1, |want|): float32 sums of at most 16 x 9
 * products round at ~1e-7, and the tuner may pick Winograd F(4x4, 3x3),
 * whose transforms lose up to ~1e-6 relative; a misplaced tap or phase is
 * off by ~0.1. */
#include "sr_executor.h"
#include "sr_test_util.h"
#include "sr_tiled.h"

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

/* ---- split ---------------------------------------------------------------- */

#define SC 6                    /* the split test's channels */

static const SrNnConv2dParams *
conv3 (int cin, int cout, SrActKind act)
{
  static SrNnConv2dParams p;
  p = (SrNnConv2dParams) {.cin = cin,.cout = cout,.kh = 3,.kw = 3,
    .stride_h = 1,.stride_w = 1,.pad_top = 1,.pad_bottom = 1,.pad_left = 1,
    .pad_right = 1,.act = {.kind = act,.alpha = 0.2f }
  };
  return &p;
}

/* in -first-> feat -b1 (lrelu)-> -b2-> + feat x 0.2 ... = trunk -nearest
 * 2x-> -up (lrelu)-> -last-> out (3 channels, twice the size). */
static SrGraph *
rrdb_like (float *const wt[5])
{
  GError *error = NULL;
  SrGraph *g = sr_graph_new ("rrdb-like", 3);
  const int feat = sr_graph_add_conv2d (g, "first", g->input,
      conv3 (3, SC, SR_ACT_NONE), wt[0], NULL, NULL, &error);
  const int b1 = sr_graph_add_conv2d (g, "b1", feat,
      conv3 (SC, SC, SR_ACT_LEAKY_RELU), wt[1], NULL, NULL, &error);
  const int b2 = sr_graph_add_conv2d (g, "b2", b1,
      conv3 (SC, SC, SR_ACT_NONE), wt[2], NULL, NULL, &error);
  const int sum_in[2] = { b2, feat };
  const float coef[2] = { 0.2f, 1 };
  const int trunk = sr_graph_add_add (g, "trunk", 2, sum_in, coef, &error);
  const int big = sr_graph_add_upsample (g, "up2x", trunk, 2,
      SR_UPSAMPLE_NEAREST, &error);
  const int up = sr_graph_add_conv2d (g, "up", big,
      conv3 (SC, SC, SR_ACT_LEAKY_RELU), wt[3], NULL, NULL, &error);
  const int out = sr_graph_add_conv2d (g, "last", up,
      conv3 (SC, 3, SR_ACT_NONE), wt[4], NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sr_graph_finish (g, out, &error));
  g_assert_no_error (error);
  return g;
}

/* 3x3 'same' convolution in double, then LeakyReLU (0.2) when lrelu. */
static double *
conv3_ref (const double *in, int cin, int h, int w, const float *wt, int cout,
    gboolean lrelu)
{
  double *out = g_new0 (double, (size_t) cout * h * w);
  for (int o = 0; o < cout; o++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        double s = 0;
        for (int i = 0; i < cin; i++)
          for (int dy = -1; dy <= 1; dy++)
            for (int dx = -1; dx <= 1; dx++)
              if (y + dy >= 0 && y + dy < h && x + dx >= 0 && x + dx < w)
                s += in[((size_t) i * h + y + dy) * w + x + dx]
                    * wt[((o * cin + i) * 3 + dy + 1) * 3 + dx + 1];
        out[((size_t) o * h + y) * w + x] = lrelu && s < 0 ? 0.2 * s : s;
      }
  return out;
}

static double *
rrdb_like_ref (const float *in, int h, int w, float *const wt[5])
{
  const size_t n = (size_t) SC * h * w;
  double *x = g_new (double, (size_t) 3 * h * w);
  for (size_t i = 0; i < (size_t) 3 * h * w; i++)
    x[i] = in[i];
  double *feat = conv3_ref (x, 3, h, w, wt[0], SC, FALSE);
  double *b1 = conv3_ref (feat, SC, h, w, wt[1], SC, TRUE);
  double *b2 = conv3_ref (b1, SC, h, w, wt[2], SC, FALSE);
  double *big = g_new (double, 4 * n);
  for (int c = 0; c < SC; c++)
    for (int y = 0; y < 2 * h; y++)
      for (int x2 = 0; x2 < 2 * w; x2++) {
        const size_t k = ((size_t) c * h + y / 2) * w + x2 / 2;
        big[((size_t) c * 2 * h + y) * 2 * w + x2] = 0.2 * b2[k] + feat[k];
      }
  double *up = conv3_ref (big, SC, 2 * h, 2 * w, wt[3], SC, TRUE);
  double *out = conv3_ref (up, SC, 2 * h, 2 * w, wt[4], 3, FALSE);
  g_free (x);
  g_free (feat);
  g_free (b1);
  g_free (b2);
  g_free (big);
  g_free (up);
  return out;
}

static void
test_split (void)
{
  const int cin[5] = { 3, SC, SC, SC, SC }, cout[5] = { SC, SC, SC, SC, 3 };
  float *wt[5];
  for (int i = 0; i < 5; i++)
    wt[i] = random_floats ((size_t) cin[i] * cout[i] * 9, 60 + i, -0.3f,
        0.3f);
  GError *error = NULL;

  /* Where it splits. */
  SrGraph *head, *tail, *g = rrdb_like (wt);
  g_assert_true (sr_graph_split (g, &head, &tail));
  g_assert_cmpint (head->scale, ==, 1);
  g_assert_cmpint (tail->scale, ==, 2);
  g_assert_cmpint (sr_graph_value (head, head->output)->channels, ==, SC);
  g_assert_cmpint (sr_graph_value (tail, tail->input)->channels, ==, SC);
  g_assert_cmpstr (sr_graph_node (head, head->nodes->len - 1)->name, ==,
      "b2");                    /* with the trunk sum fused in */
  g_assert_cmpstr (sr_graph_node (tail, 0)->name, ==, "up");
  sr_graph_free (head);
  sr_graph_free (tail);

  /* Whole, tiled, tiled with the tail tiled too: all the network. */
  const int h = 40, w = 128;
  float *in = random_floats ((size_t) 3 * h * w, 70, 0, 1);
  double *want = rrdb_like_ref (in, h, w, wt);
  cl_command_queue q = sr_test_queue ();
  SrTiled *t = sr_tiled_new_for_graph (sr_test_runtime (), rrdb_like (wt),
      SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  g_assert_nonnull (sr_tiled_get_tail_plan (t));
  const guint64 weights = sr_tiled_weight_bytes (t);
  g_assert_cmpuint (weights, >=, sizeof (float) * (3 + 4 * SC + 3) * SC * 9);
  /* (tile-size, bytes for values beyond the weights, and what that
   * tiles): the tail's share is a quarter of those bytes. */
  const struct {
    guint tile;
    guint64 values;
    gboolean tiled, tail_tiled;
  } cases[] = {
    { 0, 64 << 20, FALSE, FALSE },
    { 8, 64 << 20, TRUE, FALSE },
    { 24, 4 * 150000, TRUE, TRUE },
    { 0, 4 * 120000, TRUE, TRUE },
    { 0, 4 * 150000, FALSE, TRUE },
  };
  SrTensor *ti = sr_test_upload_as (in, 1, 3, h, w, SR_DTYPE_F32);
  SrTensor *to = sr_tensor_new (sr_test_runtime (), 1, 3, 2 * h, 2 * w,
      SR_DTYPE_F32, &error);
  float *got = g_new (float, (size_t) 3 * 4 * h * w);
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    g_assert_true (sr_tiled_plan (t, w, h, cases[c].tile, -1,
            weights + cases[c].values, &error));
    g_assert_no_error (error);
    const SrTiledPlan *p = sr_tiled_get_plan (t);
    const SrTiledPlan *tp = sr_tiled_get_tail_plan (t);
    g_test_message ("case %u: tiles %dx%d regions %dx%d; tail tiles %dx%d "
        "regions %dx%d", c, p->tile_w, p->tile_h, p->region_w, p->region_h,
        tp->tile_w, tp->tile_h, tp->region_w, tp->region_h);
    g_assert_cmpint (p->tiled, ==, cases[c].tiled);
    g_assert_cmpint (tp->tiled, ==, cases[c].tail_tiled);
    g_assert_true (p->exact);
    g_assert_cmpint (sr_tiled_run (t, q, ti, to), ==, SR_OK);
    g_assert_cmpint (sr_tensor_read (q, to, got), ==, SR_OK);
    gchar *what = g_strdup_printf ("split case %u", c);
    check_close (got, want, (size_t) 3 * 4 * h * w, what);
    g_free (what);
  }
  /* A budget under the weights is an error that says so. */
  g_assert_false (sr_tiled_plan (t, w, h, 0, -1, weights, &error));
  g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_SIZE);
  g_assert_nonnull (strstr (error->message, "weights alone"));
  g_clear_error (&error);
  sr_tiled_free (t);
  sr_tensor_unref (ti);
  sr_tensor_unref (to);
  g_free (got);
  g_free (want);
  g_free (in);

  /* SRVGGNetCompact: the input, upsampled, is added at the very end. */
  g = sr_graph_new ("srvgg-like", 3);
  const int a = sr_graph_add_conv2d (g, "a", g->input,
      conv3 (3, 12, SR_ACT_LEAKY_RELU), wt[1], NULL, NULL, &error);
  const int b = sr_graph_add_conv2d (g, "b", a, conv3 (12, 12, SR_ACT_NONE),
      wt[1], NULL, NULL, &error);
  const int s = sr_graph_add_pixel_shuffle (g, "shuffle", b, 2,
      SR_SHUFFLE_CRD, &error);
  const int base = sr_graph_add_upsample (g, "base", g->input, 2,
      SR_UPSAMPLE_NEAREST, &error);
  const int sum_in[2] = { s, base };
  const float one[2] = { 1, 1 };
  const int sum = sr_graph_add_add (g, "sum", 2, sum_in, one, &error);
  g_assert_no_error (error);
  g_assert_true (sr_graph_finish (g, sum, &error));
  const guint nodes = g->nodes->len;
  g_assert_false (sr_graph_split (g, &head, &tail));
  g_assert_null (head);
  g_assert_cmpint (g->nodes->len, ==, nodes);
  sr_graph_free (g);
  /* A pixel-shuffle tail: nothing computes at the larger size. */
  g = sr_graph_new ("shuffle-tail", 3);
  const int c1 = sr_graph_add_conv2d (g, "c1", g->input,
      conv3 (3, 12, SR_ACT_NONE), wt[1], NULL, NULL, &error);
  const int c2 = sr_graph_add_conv2d (g, "c2", c1, conv3 (12, 12,
          SR_ACT_NONE), wt[1], NULL, NULL, &error);
  const int sh = sr_graph_add_pixel_shuffle (g, "shuffle", c2, 2,
      SR_SHUFFLE_CRD, &error);
  g_assert_no_error (error);
  g_assert_true (sr_graph_finish (g, sh, &error));
  g_assert_false (sr_graph_split (g, &head, &tail));
  sr_graph_free (g);
  for (int i = 0; i < 5; i++)
    g_free (wt[i]);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/graph/conv-transpose", test_conv_transpose);
  g_test_add_func ("/graph/taps", test_taps);
  g_test_add_func ("/graph/split", test_split);
  return g_test_run ();
}
