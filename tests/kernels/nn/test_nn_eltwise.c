/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Add with coefficients and per-channel affine, each with every
 * activation, against plain-C double loops written from the definitions
 * (PyTorch relu, leaky_relu, prelu with one slope per channel, clamp).
 * float32 sums of up to eight terms of magnitude <= 1.5 against double:
 * tolerance 2e-6. */
#include "sr_nn_eltwise.h"
#include "nn_test_util.h"

static SrNnEltwise *op;

#define TOL 2e-6

static double
ref_act (double v, SrAct act, const float *slope, int ch)
{
  switch (act.kind) {
    case SR_ACT_RELU:
      return v > 0 ? v : 0;
    case SR_ACT_LEAKY_RELU:
      return v >= 0 ? v : act.alpha * v;
    case SR_ACT_PRELU:
      return v >= 0 ? v : slope[ch] * v;
    case SR_ACT_CLAMP:
      return MIN (MAX (v, act.lo), act.hi);
    default:
      return v;
  }
}

static const SrAct acts[] = {
  { SR_ACT_NONE, 0, 0, 0 },
  { SR_ACT_RELU, 0, 0, 0 },
  { SR_ACT_LEAKY_RELU, 0.2f, 0, 0 },
  { SR_ACT_LEAKY_RELU, 0.1f, 0, 0 },
  { SR_ACT_PRELU, 0, 0, 0 },
  { SR_ACT_CLAMP, 0, -0.3f, 0.5f },
};

/* n inputs, input k a view at channel k % 3 of its own tensor of c + 3
 * channels (input 1 repeats input 0's view when n > 2, as x + x), into
 * channels [1, 1 + c) of a tensor of c + 2. */
static void
check_add (int n, int c, int h, int w, SrAct act)
{
  NnT t[SR_NN_MAX_ADD];
  SrView v[SR_NN_MAX_ADD];
  float coef[SR_NN_MAX_ADD], slope[16];
  g_assert (c <= 16);
  sr_test_fill_uniform (coef, n, 500 + n, -1.5f, 1.5f);
  sr_test_fill_uniform (slope, c, 501, -0.5f, 0.5f);
  for (int k = 0; k < n; k++) {
    t[k] = nn_t_random (c + 3, h, w, 510 + k);
    v[k] = sr_view_channels (t[k].t, k % 3, c);
  }
  if (n > 2)
    v[1] = v[0];
  const size_t plane = (size_t) h * w;
  float *want = g_new (float, c * plane);
  for (int ch = 0; ch < c; ch++)
    for (size_t i = 0; i < plane; i++) {
      double acc = 0;
      for (int k = 0; k < n; k++) {
        const int src = k == 1 && n > 2 ? 0 : k;
        acc += (double) coef[k] * nn_t_plane (&t[src], v[k].c0 + ch)[i];
      }
      want[ch * plane + i] = (float) ref_act (acc, act, slope, ch);
    }
  NnT out = nn_t_random (c + 2, h, w, 520);
  g_assert_cmpint (sr_nn_add_run (op, sr_test_queue (), n, v, coef,
          sr_view_channels (out.t, 1, c), act,
          act.kind == SR_ACT_PRELU ? slope : NULL), ==, SR_OK);
  nn_t_check (&out, 1, c, want, TOL);
  g_free (want);
  for (int k = 0; k < n; k++)
    nn_t_free (&t[k]);
  nn_t_free (&out);
}

static void
test_add (void)
{
  for (guint a = 0; a < G_N_ELEMENTS (acts); a++)
    for (int n = 1; n <= SR_NN_MAX_ADD; n++) {
      check_add (n, 3, 5, 7, acts[a]);
      check_add (n, 1, 1, 1, acts[a]);
    }
  check_add (2, 16, 17, 33, acts[4]);
}

/* RRDB's residual in place: x = 0.2 * y + x, out being input 1. */
static void
test_add_in_place (void)
{
  const int c = 4, h = 9, w = 11;
  NnT x = nn_t_random (c + 2, h, w, 530);
  NnT y = nn_t_random (c, h, w, 531);
  const SrView vx = sr_view_channels (x.t, 1, c);
  const SrView in[2] = { sr_view (y.t), vx };
  const float coef[2] = { 0.2f, 1.0f };
  const SrAct none = { SR_ACT_NONE, 0, 0, 0 };
  const size_t plane = (size_t) h * w;
  float *want = g_new (float, c * plane);
  for (size_t i = 0; i < c * plane; i++)
    want[i] = (float) ((double) coef[0] * y.host[i]
        + nn_t_plane (&x, 1)[i]);
  g_assert_cmpint (sr_nn_add_run (op, sr_test_queue (), 2, in, coef, vx, none,
          NULL), ==, SR_OK);
  nn_t_check (&x, 1, c, want, TOL);
  g_free (want);
  nn_t_free (&x);
  nn_t_free (&y);
}

static void
check_affine (int c, int h, int w, SrAct act, gboolean with_shift,
    gboolean in_place, guint32 seed)
{
  float scale[8], shift[8], slope[8];
  g_assert (c <= 8);
  sr_test_fill_uniform (scale, c, seed, -2, 2);
  sr_test_fill_uniform (shift, c, seed + 1, -1, 1);
  sr_test_fill_uniform (slope, c, seed + 2, -0.5f, 0.5f);
  NnT in = nn_t_random (c + 1, h, w, seed + 3);
  NnT out = nn_t_random (c + 2, h, w, seed + 4);
  NnT *dst = in_place ? &in : &out;
  const int c0 = in_place ? 1 : 2;
  const size_t plane = (size_t) h * w;
  float *want = g_new (float, c * plane);
  for (int ch = 0; ch < c; ch++)
    for (size_t i = 0; i < plane; i++) {
      const double v = (double) nn_t_plane (&in, 1 + ch)[i] * scale[ch]
          + (with_shift ? shift[ch] : 0);
      want[ch * plane + i] = (float) ref_act (v, act, slope, ch);
    }
  g_assert_cmpint (sr_nn_affine_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, c), scale, with_shift ? shift : NULL,
          sr_view_channels (dst->t, c0, c), act,
          act.kind == SR_ACT_PRELU ? slope : NULL), ==, SR_OK);
  nn_t_check (dst, c0, c, want, TOL);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
test_affine (void)
{
  for (guint a = 0; a < G_N_ELEMENTS (acts); a++) {
    check_affine (3, 5, 7, acts[a], TRUE, FALSE, 600 + a);
    check_affine (3, 5, 7, acts[a], FALSE, FALSE, 610 + a);
    check_affine (5, 3, 1, acts[a], TRUE, TRUE, 620 + a);
    check_affine (1, 1, 1, acts[a], TRUE, FALSE, 630 + a);
  }
}

/* The parameters are cached on the device by content: calls repeated with
 * the same vectors allocate nothing, and new values are used at once (also
 * values edited in the caller's array between calls). */
static void
test_params_reuse (void)
{
  const int c = 4, h = 3, w = 5;
  float scale[4] = { 1, 2, 3, 4 }, slope[4] = { 0.1f, 0.2f, 0.3f, 0.4f };
  const SrAct prelu = { SR_ACT_PRELU, 0, 0, 0 };
  NnT in = nn_t_random (c, h, w, 700);
  NnT out = nn_t_random (c, h, w, 701);
  const float coef[2] = { 1, -1 };
  const SrView two[2] = { sr_view (in.t), sr_view (in.t) };
  SrTensorPool *pool = sr_runtime_pool (sr_test_runtime ());
  cl_command_queue q = sr_test_queue ();
  for (int round = 0; round < 3; round++) {
    const guint before = sr_tensor_pool_allocations (pool);
    g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (in.t), scale, NULL,
            sr_view (out.t), prelu, slope), ==, SR_OK);
    g_assert_cmpint (sr_nn_add_run (op, q, 2, two, coef, sr_view (out.t),
            prelu, slope), ==, SR_OK);
    g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
    if (round > 0)
      g_assert_cmpuint (sr_tensor_pool_allocations (pool), ==, before);
  }
  for (int round = 0; round < 3; round++) {
    scale[2] = 10.0f + round;
    slope[1] = -1.0f - round;
    g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (in.t), scale, NULL,
            sr_view (out.t), prelu, slope), ==, SR_OK);
    float *want = g_new (float, c * h * w);
    for (int ch = 0; ch < c; ch++)
      for (int i = 0; i < h * w; i++) {
        const double v = (double) nn_t_plane (&in, ch)[i] * scale[ch];
        want[ch * h * w + i] = (float) ref_act (v, prelu, slope, ch);
      }
    nn_t_check (&out, 0, c, want, TOL);
    g_free (want);
  }
  nn_t_free (&in);
  nn_t_free (&out);
}

/* A caller passing fresh values every call fills the cache past its
 * bound (4096 vectors), which then starts over: every result stays right. */
static void
test_params_many (void)
{
  float x[2] = { 3, -2 };
  SrTensor *in = nn_upload (x, 2, 1, 1);
  NnT out = nn_t_random (2, 1, 1, 710);
  const SrAct none = { SR_ACT_NONE, 0, 0, 0 };
  cl_command_queue q = sr_test_queue ();
  for (int i = 0; i < 4500; i++) {
    const float scale[2] = { (float) i, 0.5f }, shift[2] = { 1, (float) -i };
    g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (in), scale, shift,
            sr_view (out.t), none, NULL), ==, SR_OK);
    if (i % 500 == 0 || i == 4499) {
      const float want[2] = { 3.0f * i + 1, -1.0f - i };
      nn_t_check (&out, 0, 2, want, 0);
    }
  }
  sr_tensor_unref (in);
  nn_t_free (&out);
}

static void
test_invalid (void)
{
  cl_command_queue q = sr_test_queue ();
  NnT a = nn_t_random (4, 3, 5, 800);
  NnT b = nn_t_random (4, 3, 6, 801);
  NnT out = nn_t_random (4, 3, 5, 802);
  const float coef[9] = { 1, 1, 1, 1, 1, 1, 1, 1, 1 }, scale[4] = { 1, 1, 1, 1 };
  const SrAct none = { SR_ACT_NONE, 0, 0, 0 }, prelu = { SR_ACT_PRELU, 0, 0, 0 };
  const SrAct unknown = { (SrActKind) 42, 0, 0, 0 };
  const SrView vo = sr_view (out.t);
  SrView in[9];
  for (int i = 0; i < 9; i++)
    in[i] = sr_view (a.t);
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;

  g_assert_cmpint (sr_nn_add_run (op, q, 0, in, coef, vo, none, NULL), ==, bad);
  g_assert_cmpint (sr_nn_add_run (op, q, 9, in, coef, vo, none, NULL), ==, bad);
  g_assert_cmpint (sr_nn_add_run (op, q, 2, NULL, coef, vo, none, NULL), ==, bad);
  g_assert_cmpint (sr_nn_add_run (op, q, 2, in, NULL, vo, none, NULL), ==, bad);
  g_assert_cmpint (sr_nn_add_run (op, q, 2, in, coef, vo, prelu, NULL), ==, bad);
  g_assert_cmpint (sr_nn_add_run (op, q, 2, in, coef, vo, unknown, NULL), ==, bad);
  in[1] = sr_view (b.t);        /* another size */
  g_assert_cmpint (sr_nn_add_run (op, q, 2, in, coef, vo, none, NULL), ==, bad);
  in[1] = sr_view_channels (a.t, 1, 3);    /* another channel count */
  g_assert_cmpint (sr_nn_add_run (op, q, 2, in, coef, vo, none, NULL), ==, bad);
  in[1] = sr_view_channels (a.t, 1, 4);    /* outside its tensor */
  g_assert_cmpint (sr_nn_add_run (op, q, 2, in, coef, vo, none, NULL), ==, bad);
  /* An input that overlaps the output without being it. */
  in[1] = sr_view_channels (out.t, 1, 2);
  in[0] = sr_view_channels (a.t, 0, 2);
  g_assert_cmpint (sr_nn_add_run (op, q, 2, in, coef,
          sr_view_channels (out.t, 0, 2), none, NULL), ==, bad);
  /* An input or output stored otherwise than the op's storage. */
  SrTensor *other = sr_tensor_new (sr_test_runtime (), 1, 4, 3, 5,
      nn_test_other_storage (), NULL);
  in[0] = sr_view (a.t);
  in[1] = sr_view (other);
  g_assert_cmpint (sr_nn_add_run (op, q, 2, in, coef, vo, none, NULL), ==, bad);
  g_assert_cmpint (sr_nn_add_run (op, q, 1, in, coef, sr_view (other), none,
          NULL), ==, bad);
  g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (other), scale, NULL, vo,
          none, NULL), ==, bad);
  sr_tensor_unref (other);

  g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (a.t), NULL, NULL, vo,
          none, NULL), ==, bad);
  g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (a.t), scale, NULL, vo,
          prelu, NULL), ==, bad);
  g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (a.t), scale, NULL, vo,
          unknown, NULL), ==, bad);
  g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (b.t), scale, NULL, vo,
          none, NULL), ==, bad);
  g_assert_cmpint (sr_nn_affine_run (op, q, sr_view_channels (out.t, 0, 3),
          scale, NULL, sr_view_channels (out.t, 1, 3), none, NULL), ==, bad);
  g_assert_cmpint (sr_nn_affine_run (op, q, sr_view (a.t), scale, NULL,
          sr_view_channels (out.t, 2, 4), none, NULL), ==, bad);
  g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
  nn_t_check_untouched (&out);
  nn_t_check_untouched (&a);
  nn_t_free (&a);
  nn_t_free (&b);
  nn_t_free (&out);
}

int
main (int argc, char **argv)
{
  nn_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_nn_eltwise_new (sr_test_runtime (), nn_test_storage,
      &error);
  g_assert_no_error (error);
  g_test_add_func ("/nn/eltwise/add", test_add);
  g_test_add_func ("/nn/eltwise/add-in-place", test_add_in_place);
  g_test_add_func ("/nn/eltwise/affine", test_affine);
  g_test_add_func ("/nn/eltwise/params-reuse", test_params_reuse);
  g_test_add_func ("/nn/eltwise/params-many", test_params_many);
  g_test_add_func ("/nn/eltwise/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_nn_eltwise_free (op);
  return ret;
}
