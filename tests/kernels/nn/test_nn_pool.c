/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Max pooling, global average and channel L2 normalisation against
 * plain-C loops written from the definitions: torch.nn.MaxPool2d (k, s)
 * (no padding, floor), torch.mean over H and W, and LPIPS's
 * normalize_tensor, x / (sqrt (sum_c x^2) + eps). */
#include "sr_nn_pool.h"
#include "nn_test_util.h"

static SrNnPool *op;

/* Channels [1, 1 + c) of the input to [2, 2 + c) of the output. A max
 * picks one input value: exact. */
static void
check_max (int c, int h, int w, int k, int s)
{
  const int oh = (h - k) / s + 1, ow = (w - k) / s + 1;
  NnT in = nn_t_random (c + 2, h, w, 900 + k * 10 + s);
  NnT out = nn_t_random (c + 3, oh, ow, 901);
  float *want = g_new (float, (size_t) c * oh * ow);
  for (int ch = 0; ch < c; ch++) {
    const float *p = nn_t_plane (&in, 1 + ch);
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        float m = -INFINITY;
        for (int i = 0; i < k; i++)
          for (int j = 0; j < k; j++)
            m = MAX (m, p[(y * s + i) * w + x * s + j]);
        want[((size_t) ch * oh + y) * ow + x] = m;
      }
  }
  g_assert_cmpint (sr_nn_max_pool_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, c), sr_view_channels (out.t, 2, c), k, s),
      ==, SR_OK);
  nn_t_check (&out, 2, c, want, 0);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
test_max_pool (void)
{
  check_max (3, 7, 9, 3, 2);    /* exact fit: 3 x 4 */
  check_max (3, 8, 10, 3, 2);   /* floor drops the last row and column */
  check_max (2, 27, 27, 3, 2);  /* AlexNet's 27 -> 13 */
  check_max (2, 5, 6, 2, 2);
  check_max (1, 5, 7, 3, 1);
  check_max (2, 4, 3, 1, 1);
  check_max (1, 3, 3, 3, 2);    /* the window is the picture */
  check_max (2, 9, 4, 4, 3);
  check_max (2, 11, 75, 3, 2);  /* rows of several runs */
}

/* Sums in double; float32 row-then-column sums of values in [-1, 1): the
 * mean is within 1e-6. */
static void
check_avg (int c, int h, int w)
{
  NnT in = nn_t_random (c + 1, h, w, 1000 + h);
  NnT out = nn_t_random (c + 2, 1, 1, 1001);
  float *want = g_new (float, c);
  for (int ch = 0; ch < c; ch++) {
    double sum = 0;
    for (int i = 0; i < h * w; i++)
      sum += nn_t_plane (&in, 1 + ch)[i];
    want[ch] = (float) (sum / ((double) h * w));
  }
  g_assert_cmpint (sr_nn_global_avg_pool_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, c), sr_view_channels (out.t, 1, c)), ==,
      SR_OK);
  nn_t_check (&out, 1, c, want, 1e-6);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
test_global_avg (void)
{
  check_avg (3, 13, 17);
  check_avg (2, 1, 1);
  check_avg (1, 1, 31);
  check_avg (4, 64, 201);
  /* Repeated calls on one size reuse the op's scratch buffer. */
  SrTensorPool *pool = sr_runtime_pool (sr_test_runtime ());
  NnT in = nn_t_random (5, 21, 23, 1002);
  NnT out = nn_t_random (5, 1, 1, 1003);
  guint before = 0;
  for (int round = 0; round < 3; round++) {
    g_assert_cmpint (sr_nn_global_avg_pool_run (op, sr_test_queue (),
            sr_view (in.t), sr_view (out.t)), ==, SR_OK);
    g_assert_cmpint (clFinish (sr_test_queue ()), ==, CL_SUCCESS);
    if (round > 0)
      g_assert_cmpuint (sr_tensor_pool_allocations (pool), ==, before);
    before = sr_tensor_pool_allocations (pool);
  }
  nn_t_free (&in);
  nn_t_free (&out);
}

/* One pixel of every row is zero in all channels (0 / eps = 0). In float
 * against double: 1e-6 on results of magnitude <= 1. in_place writes the
 * input view itself. */
static void
check_l2 (int c, int h, int w, float eps, gboolean in_place)
{
  NnT in = nn_t_random (c + 2, h, w, 1100 + c);
  const size_t plane = (size_t) h * w;
  for (int ch = 0; ch < c; ch++)
    for (int y = 0; y < h; y++)
      in.host[(1 + ch) * plane + y * w + (y % w)] = 0;
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), in.t, in.host), ==, SR_OK);
  NnT out = nn_t_random (c + 1, h, w, 1101);
  float *want = g_new (float, c * plane);
  for (size_t i = 0; i < plane; i++) {
    double ss = 0;
    for (int ch = 0; ch < c; ch++)
      ss += (double) nn_t_plane (&in, 1 + ch)[i] * nn_t_plane (&in, 1 + ch)[i];
    for (int ch = 0; ch < c; ch++)
      want[ch * plane + i] = (float) (nn_t_plane (&in, 1 + ch)[i]
          / (sqrt (ss) + eps));
  }
  NnT *dst = in_place ? &in : &out;
  const int c0 = in_place ? 1 : 0;
  g_assert_cmpint (sr_nn_l2_normalize_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, c), sr_view_channels (dst->t, c0, c), eps),
      ==, SR_OK);
  nn_t_check (dst, c0, c, want, 1e-6);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
test_l2_normalize (void)
{
  check_l2 (3, 5, 7, 1e-10f, FALSE);
  check_l2 (64, 3, 5, 1e-10f, FALSE);
  check_l2 (1, 4, 1, 1e-10f, FALSE);
  check_l2 (5, 6, 3, 0.5f, FALSE);      /* eps added to the norm, not inside */
  check_l2 (4, 5, 5, 1e-10f, TRUE);
}

static void
test_invalid (void)
{
  cl_command_queue q = sr_test_queue ();
  NnT in = nn_t_random (3, 7, 9, 1200);
  NnT out = nn_t_random (3, 3, 4, 1201);
  NnT dot = nn_t_random (3, 1, 1, 1202);
  NnT same = nn_t_random (3, 7, 9, 1203);
  const SrView vi = sr_view (in.t), vo = sr_view (out.t);
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;

  g_assert_cmpint (sr_nn_max_pool_run (op, q, vi, vo, 3, 1), ==, bad);
  g_assert_cmpint (sr_nn_max_pool_run (op, q, vi, vo, 4, 2), ==, bad);
  g_assert_cmpint (sr_nn_max_pool_run (op, q, vi, vo, 0, 2), ==, bad);
  g_assert_cmpint (sr_nn_max_pool_run (op, q, vi, vo, 3, 0), ==, bad);
  g_assert_cmpint (sr_nn_max_pool_run (op, q, vi, vo, 8, 2), ==, bad);
  g_assert_cmpint (sr_nn_max_pool_run (op, q, sr_view_channels (in.t, 0, 2),
          vo, 3, 2), ==, bad);
  g_assert_cmpint (sr_nn_max_pool_run (op, q, vi, sr_view_channels (out.t, 1,
              3), 3, 2), ==, bad);
  g_assert_cmpint (sr_nn_max_pool_run (op, q, vi, vi, 1, 1), ==, bad);

  g_assert_cmpint (sr_nn_global_avg_pool_run (op, q, vi, vo), ==, bad);
  g_assert_cmpint (sr_nn_global_avg_pool_run (op, q, vi,
          sr_view_channels (dot.t, 1, 2)), ==, bad);
  g_assert_cmpint (sr_nn_global_avg_pool_run (op, q, sr_view (dot.t),
          sr_view (dot.t)), ==, bad);

  g_assert_cmpint (sr_nn_l2_normalize_run (op, q, vi, vo, 1e-10f), ==, bad);
  g_assert_cmpint (sr_nn_l2_normalize_run (op, q, vi, sr_view (same.t), -1), ==, bad);
  g_assert_cmpint (sr_nn_l2_normalize_run (op, q, vi, sr_view (same.t), NAN), ==, bad);
  g_assert_cmpint (sr_nn_l2_normalize_run (op, q, sr_view_channels (same.t, 0,
              2), sr_view_channels (same.t, 1, 2), 1e-10f), ==, bad);
  g_assert_cmpint (sr_nn_l2_normalize_run (op, q, sr_view_channels (in.t, 0,
              2), sr_view (same.t), 1e-10f), ==, bad);
  g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
  nn_t_check_untouched (&in);
  nn_t_check_untouched (&out);
  nn_t_check_untouched (&dot);
  nn_t_check_untouched (&same);
  nn_t_free (&in);
  nn_t_free (&out);
  nn_t_free (&dot);
  nn_t_free (&same);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_nn_pool_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  g_test_add_func ("/nn/pool/max", test_max_pool);
  g_test_add_func ("/nn/pool/global-avg", test_global_avg);
  g_test_add_func ("/nn/pool/l2-normalize", test_l2_normalize);
  g_test_add_func ("/nn/pool/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_nn_pool_free (op);
  return ret;
}
