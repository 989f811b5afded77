/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The executor's two layouts (NCHW and channel-blocked NCHW16c) on a small
 * RDN-like graph that has both kinds of value:
 *
 *   in(3) -conv 3x3 relu-> a(32) -conv 3x3, + a-> b(32)
 *   c = concat(a, b)(64) -conv 1x1-> d(32)
 *   h = concat(a, d)(64) -conv 1x1-> k(32) -affine-> e(32) -conv 3x3-> out(3)
 *
 * a, b, c, d and h are touched only by convolutions and concats, so they
 * can be blocked; k and e cannot (a per-channel affine reads k), nor the
 * input and output (the caller's NCHW views). Two concats read a: it lives
 * in h (read last), and c either copies it in (NCHW) or is read in two
 * parts by its convolution (blocked: nothing copied).
 *
 * - assignment: which values each pin blocks, and the bytes copied;
 * - reference: the output in each layout against a plain-C double
 *   evaluation of the same graph (tolerance: 1e-4, about 100x the float32
 *   rounding of sums of at most 288 products of values below 1 in
 *   magnitude, and far below what a misplaced channel or tap gives);
 *   and again with half storage (precision=fp16): then each value on the
 *   way (input, a, b, d, k, e, output: 7 roundings, with weights scaled
 *   to a gain of about 1) carries a rounding of at most 2^-11 relative,
 *   so the tolerance is 8 * 2^-11 * max (1, |output|); the plan holds half
 *   the bytes, plus the half copies of input and output;
 * - measured: unpinned, the first plan runs both layouts and writes its
 *   choice to the tuning file; a second executor looks it up (the number
 *   of such lines stays the same) and gets the same layout;
 * - a bad SR_NN_LAYOUT is a clear error. */
#include <string.h>

#include "sr_executor.h"
#include "sr_test_util.h"

#define H 13
#define W 37

typedef struct {
  int cin, cout, k;
  float *w, *b;
} Conv;

static Conv convs[5];
static float scale[32], shift[32];
static int v_in, v_a, v_b, v_c, v_d, v_h, v_k, v_e, v_out;

static void
make_conv (Conv *c, int cin, int cout, int k, guint32 seed)
{
  const int n = cout * cin * k * k;
  const float s = 1.0f / sqrtf ((float) cin * k * k);
  c->cin = cin;
  c->cout = cout;
  c->k = k;
  c->w = g_new (float, n);
  c->b = g_new (float, cout);
  sr_test_fill_uniform (c->w, n, seed, -s, s);
  sr_test_fill_uniform (c->b, cout, seed + 100, -0.1f, 0.1f);
}

static SrGraph *
build_graph (void)
{
  GError *error = NULL;
  SrGraph *g = sr_graph_new ("layout-test", 3);
  SrNnConv2dParams p = {.stride_h = 1, .stride_w = 1 };
  v_in = g->input;
  p.cin = 3; p.cout = 32; p.kh = p.kw = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.act.kind = SR_ACT_RELU;
  v_a = sr_graph_add_conv2d (g, "a", v_in, &p, convs[0].w, convs[0].b, NULL,
      &error);
  p.cin = 32; p.act.kind = SR_ACT_NONE;
  const int t = sr_graph_add_conv2d (g, "b-conv", v_a, &p, convs[1].w,
      convs[1].b, NULL, &error);
  const int ab[2] = { t, v_a };
  const float ones[2] = { 1, 1 };
  v_b = sr_graph_add_add (g, "b", 2, ab, ones, &error);
  const int cat[2] = { v_a, v_b };
  v_c = sr_graph_add_concat (g, "c", 2, cat, &error);
  p.cin = 64; p.kh = p.kw = 1;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 0;
  v_d = sr_graph_add_conv2d (g, "d", v_c, &p, convs[2].w, convs[2].b, NULL,
      &error);
  const int ad[2] = { v_a, v_d };
  v_h = sr_graph_add_concat (g, "h", 2, ad, &error);
  v_k = sr_graph_add_conv2d (g, "k", v_h, &p, convs[3].w, convs[3].b, NULL,
      &error);
  v_e = sr_graph_add_affine (g, "e", v_k, scale, shift,
      (SrAct) {.kind = SR_ACT_NONE }, &error);
  p.cin = 32; p.cout = 3; p.kh = p.kw = 3;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  v_out = sr_graph_add_conv2d (g, "out", v_e, &p, convs[4].w, convs[4].b,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sr_graph_finish (g, v_out, &error));
  g_assert_no_error (error);
  return g;
}

/* out[cout][H][W] = conv (in[cin][H][W]) + bias, zero padding k / 2. */
static void
conv_ref (const Conv *c, const double *in, double *out)
{
  const int r = c->k / 2;
  for (int o = 0; o < c->cout; o++)
    for (int y = 0; y < H; y++)
      for (int x = 0; x < W; x++) {
        double s = c->b[o];
        for (int i = 0; i < c->cin; i++)
          for (int ky = 0; ky < c->k; ky++)
            for (int kx = 0; kx < c->k; kx++) {
              const int iy = y + ky - r, ix = x + kx - r;
              if (iy >= 0 && iy < H && ix >= 0 && ix < W)
                s += (double) c->w[((o * c->cin + i) * c->k + ky) * c->k + kx]
                    * in[(i * H + iy) * W + ix];
            }
        out[(o * H + y) * W + x] = s;
      }
}

static double *
graph_ref (const float *input)
{
  const int P = H * W;
  double *in = g_new (double, 3 * P), *a = g_new (double, 32 * P);
  double *c = g_new (double, 64 * P), *d = g_new (double, 32 * P);
  double *out = g_new (double, 3 * P);
  for (int i = 0; i < 3 * P; i++)
    in[i] = input[i];
  conv_ref (&convs[0], in, a);
  for (int i = 0; i < 32 * P; i++)
    a[i] = MAX (a[i], 0.0);
  conv_ref (&convs[1], a, c + 32 * P);          /* b, then + a */
  for (int i = 0; i < 32 * P; i++) {
    c[32 * P + i] += a[i];
    c[i] = a[i];
  }
  conv_ref (&convs[2], c, d);                    /* d */
  memcpy (c + 32 * P, d, 32 * P * sizeof (double));      /* c becomes h */
  conv_ref (&convs[3], c, d);                    /* k */
  for (int ch = 0; ch < 32; ch++)
    for (int i = 0; i < P; i++)
      d[ch * P + i] = d[ch * P + i] * scale[ch] + shift[ch];
  conv_ref (&convs[4], d, out);
  g_free (in);
  g_free (a);
  g_free (c);
  g_free (d);
  return out;
}

static SrExecutor *
new_executor_stored (const char *layout, SrDType storage, GError **error)
{
  if (layout)
    g_setenv ("SR_NN_LAYOUT", layout, TRUE);
  else
    g_unsetenv ("SR_NN_LAYOUT");
  SrExecutor *ex = sr_executor_new_with_storage (sr_test_runtime (),
      build_graph (), storage, error);
  g_unsetenv ("SR_NN_LAYOUT");
  return ex;
}

static SrExecutor *
new_executor (const char *layout, GError **error)
{
  return new_executor_stored (layout, SR_DTYPE_F32, error);
}

static void
test_assignment (void)
{
  GError *error = NULL;
  SrExecutor *ex = new_executor ("blocked", &error);
  g_assert_no_error (error);
  const int blocked[] = { v_a, v_b, v_c, v_d, v_h };
  const int nchw[] = { v_in, v_k, v_e, v_out };
  for (guint i = 0; i < G_N_ELEMENTS (blocked); i++)
    g_assert_true (sr_executor_value_blocked (ex, blocked[i]));
  for (guint i = 0; i < G_N_ELEMENTS (nchw); i++)
    g_assert_false (sr_executor_value_blocked (ex, nchw[i]));
  g_assert_true (sr_executor_plan (ex, H, W, &error));
  g_assert_cmpuint (sr_executor_copy_bytes (ex), ==, 0);
  sr_executor_free (ex);

  ex = new_executor ("nchw", &error);
  g_assert_no_error (error);
  for (int v = 0; v <= v_out; v++)
    g_assert_false (sr_executor_value_blocked (ex, v));
  g_assert_true (sr_executor_plan (ex, H, W, &error));
  g_assert_cmpuint (sr_executor_copy_bytes (ex), ==, 32 * H * W * 4);
  sr_executor_free (ex);
}

static void
check_against_reference (SrExecutor *ex, const char *what, SrDType storage)
{
  GError *error = NULL;
  g_assert_true (sr_executor_plan (ex, H, W, &error));
  g_assert_no_error (error);
  float *input = g_new (float, 3 * H * W);
  sr_test_fill_uniform (input, 3 * H * W, 7, 0, 1);
  SrTensor *in = sr_test_upload (input, 1, 3, H, W);
  float *zeros = g_new0 (float, 3 * H * W);
  SrTensor *out = sr_test_upload (zeros, 1, 3, H, W);
  cl_command_queue q = sr_test_queue ();
  g_assert_cmpint (sr_executor_run (ex, q, sr_view (in), sr_view (out)), ==,
      SR_OK);
  float *got = sr_test_download (out);
  double *ref = graph_ref (input);
  double worst = 0, tol = 1e-4, peak = 1;
  for (int i = 0; i < 3 * H * W; i++)
    peak = MAX (peak, fabs (ref[i]));
  if (storage == SR_DTYPE_F16)
    tol = 8 * ldexp (1, -11) * peak;
  for (int i = 0; i < 3 * H * W; i++) {
    const double e = fabs (got[i] - ref[i]);
    if (!(e <= tol))
      g_error ("%s: output %d: got %.7g, reference %.7g", what, i, got[i],
          ref[i]);
    worst = MAX (worst, e);
  }
  g_test_message ("%s: max |error| %.3g (tolerance %.3g)", what, worst, tol);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  g_free (input);
  g_free (zeros);
  g_free (got);
  g_free (ref);
}

static void
test_reference (void)
{
  static const char *layouts[] = { "nchw", "blocked" };
  for (guint i = 0; i < G_N_ELEMENTS (layouts); i++) {
    GError *error = NULL;
    SrExecutor *ex = new_executor (layouts[i], &error);
    g_assert_no_error (error);
    check_against_reference (ex, layouts[i], SR_DTYPE_F32);
    SrExecutor *half = new_executor_stored (layouts[i], SR_DTYPE_F16, &error);
    g_assert_no_error (error);
    char *what = g_strdup_printf ("%s, half storage", layouts[i]);
    check_against_reference (half, what, SR_DTYPE_F16);
    g_free (what);
    /* Half the bytes, plus the half copies of input and output. */
    g_assert_cmpuint (sr_executor_peak_bytes (half), ==,
        sr_executor_peak_bytes (ex) / 2 + 2 * (3 * H * W * 2));
    size_t measured;
    g_assert_true (sr_executor_measure (half, H, W, &measured, &error));
    g_assert_cmpuint (measured, ==, sr_executor_peak_bytes (half));
    sr_executor_free (half);
    sr_executor_free (ex);
  }
}

/* Lines of the tuning file that hold a network layout for this plan. */
static int
layout_lines (char **last_value)
{
  char *path = sr_nn_conv2d_tuning_path (sr_test_runtime ()), *text = NULL;
  int n = 0;
  char *suffix = g_strdup_printf (",on=%dx%d\t", W, H);
  if (g_file_get_contents (path, &text, NULL, NULL)) {
    char **lines = g_strsplit (text, "\n", -1);
    for (char **l = lines; *l; l++)
      if (g_str_has_prefix (*l, "network=") && strstr (*l, suffix)) {
        n++;
        g_free (*last_value);
        *last_value = g_strdup (strchr (*l, '\t') + 1);
      }
    g_strfreev (lines);
  }
  g_free (suffix);
  g_free (text);
  g_free (path);
  return n;
}

static void
test_measured (void)
{
  GError *error = NULL;
  char *value = NULL;
  SrExecutor *ex = new_executor (NULL, &error);
  g_assert_no_error (error);
  check_against_reference (ex, "measured", SR_DTYPE_F32);
  const int n = layout_lines (&value);
  g_assert_cmpint (n, >=, 1);
  g_assert_true (!g_strcmp0 (value, "blocked") || !g_strcmp0 (value, "nchw"));
  g_assert_cmpint (sr_executor_value_blocked (ex, v_c), ==,
      !strcmp (value, "blocked"));
  sr_executor_free (ex);
  g_test_message ("chosen: %s", value);

  /* Looked up, not measured again. */
  ex = new_executor (NULL, &error);
  g_assert_no_error (error);
  g_assert_true (sr_executor_plan (ex, H, W, &error));
  g_assert_cmpint (layout_lines (&value), ==, n);
  g_assert_cmpint (sr_executor_value_blocked (ex, v_c), ==,
      !strcmp (value, "blocked"));
  sr_executor_free (ex);
  g_free (value);
}

static void
test_bad_env (void)
{
  GError *error = NULL;
  SrExecutor *ex = new_executor ("nhwc", &error);
  g_assert_null (ex);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "SR_NN_LAYOUT=nhwc"));
  g_error_free (error);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  make_conv (&convs[0], 3, 32, 3, 1);
  make_conv (&convs[1], 32, 32, 3, 2);
  make_conv (&convs[2], 64, 32, 1, 3);
  make_conv (&convs[3], 64, 32, 1, 9);
  make_conv (&convs[4], 32, 3, 3, 4);
  sr_test_fill_uniform (scale, 32, 5, 0.5f, 1.5f);
  sr_test_fill_uniform (shift, 32, 6, -0.2f, 0.2f);
  g_test_add_func ("/executor/layout/assignment", test_assignment);
  g_test_add_func ("/executor/layout/reference", test_reference);
  g_test_add_func ("/executor/layout/measured", test_measured);
  g_test_add_func ("/executor/layout/bad-env", test_bad_env);
  return g_test_run ();
}
