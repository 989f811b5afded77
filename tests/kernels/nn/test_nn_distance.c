/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The weighted squared distance (LPIPS's layer term before the mean)
 * against a plain-C double sum of weight[c] (a - b)^2 written from the
 * definition. Tolerance: the op sums in float32 (8 lanes along a row, then
 * the lanes, then the weighted channels), so its error is at most
 * (w / 8 + c + 6) 2^-24 times the sum of the terms' magnitudes (the
 * recursive-summation bound); the rows are added in double. */
#include "sr_nn_distance.h"
#include "nn_test_util.h"

static SrNnDistance *op;

static SrTensor *
upload_weights (const float *w, int c)
{
  return sr_test_upload_as (w, 1, 1, 1, c, SR_DTYPE_F32);
}

/* Channels [1, 1 + c) of a against [2, 2 + c) of b. */
static void
check (int c, int h, int w, guint32 seed, gboolean negative_weights)
{
  NnT a = nn_t_random (c + 2, h, w, seed);
  NnT b = nn_t_random (c + 3, h, w, seed + 1);
  float *weight = g_new (float, c);
  sr_test_fill_uniform (weight, c, seed + 2, negative_weights ? -1 : 0, 1.5);
  SrTensor *wt = upload_weights (weight, c);
  double want = 0, magnitude = 0;
  for (int ch = 0; ch < c; ch++)
    for (int i = 0; i < h * w; i++) {
      const double d = (double) nn_t_plane (&a, 1 + ch)[i]
          - nn_t_plane (&b, 2 + ch)[i];
      want += weight[ch] * d * d;
      magnitude += fabs (weight[ch]) * d * d;
    }
  double got = -1;
  g_assert_cmpint (sr_nn_weighted_sq_distance (op, sr_test_queue (),
          sr_view_channels (a.t, 1, c), sr_view_channels (b.t, 2, c), wt,
          &got), ==, SR_OK);
  const double tol = (w / 8.0 + c + 6) * ldexp (1, -24) * magnitude;
  if (fabs (got - want) > tol)
    g_error ("c %d, %dx%d: %.9g, want %.9g (tolerance %.3g)", c, w, h, got,
        want, tol);
  nn_t_check_untouched (&a);
  nn_t_check_untouched (&b);
  sr_tensor_unref (wt);
  g_free (weight);
  nn_t_free (&a);
  nn_t_free (&b);
}

static void
test_sums (void)
{
  check (1, 1, 1, 10, FALSE);
  check (3, 5, 7, 20, FALSE);           /* rows shorter than a vector */
  check (64, 13, 31, 30, FALSE);        /* vectors and a tail */
  check (192, 6, 16, 40, FALSE);        /* whole vectors */
  check (5, 40, 77, 50, TRUE);          /* weights of both signs */
}

/* The same view twice: exactly zero (LPIPS of identical frames). */
static void
test_identical (void)
{
  NnT a = nn_t_random (4, 9, 11, 60);
  const float weight[4] = { 0.5f, 1, 2, 0.25f };
  SrTensor *wt = upload_weights (weight, 4);
  double got = -1;
  g_assert_cmpint (sr_nn_weighted_sq_distance (op, sr_test_queue (),
          sr_view (a.t), sr_view (a.t), wt, &got), ==, SR_OK);
  g_assert_cmpfloat (got, ==, 0);
  sr_tensor_unref (wt);
  nn_t_free (&a);
}

static void
test_invalid (void)
{
  cl_command_queue q = sr_test_queue ();
  NnT a = nn_t_random (3, 7, 9, 70);
  NnT b = nn_t_random (3, 7, 8, 71);
  const float weight[3] = { 1, 1, 1 };
  SrTensor *w3 = upload_weights (weight, 3), *w2 = upload_weights (weight, 2);
  double got = 0;
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;
  g_assert_cmpint (sr_nn_weighted_sq_distance (op, q, sr_view (a.t),
          sr_view (b.t), w3, &got), ==, bad);            /* sizes differ */
  g_assert_cmpint (sr_nn_weighted_sq_distance (op, q, sr_view (a.t),
          sr_view_channels (a.t, 0, 2), w3, &got), ==, bad);
  g_assert_cmpint (sr_nn_weighted_sq_distance (op, q, sr_view (a.t),
          sr_view (a.t), w2, &got), ==, bad);            /* weights */
  g_assert_cmpint (sr_nn_weighted_sq_distance (op, q, sr_view (a.t),
          sr_view (a.t), NULL, &got), ==, bad);
  sr_tensor_unref (w3);
  sr_tensor_unref (w2);
  nn_t_free (&a);
  nn_t_free (&b);
}

int
main (int argc, char **argv)
{
  nn_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_nn_distance_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  g_test_add_func ("/nn/distance/sums", test_sums);
  g_test_add_func ("/nn/distance/identical", test_identical);
  g_test_add_func ("/nn/distance/invalid", test_invalid);
  const int status = g_test_run ();
  sr_nn_distance_free (op);
  return status;
}
