/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vector quantisation against a plain-C nearest-code search in double
 * written from the definition (argmin_k ||z - e_k||^2, first k on a tie).
 * The op computes PyTorch's float32 expansion ||z||^2 - 2 z.e + ||e||^2,
 * whose rounding (|error| <= ~(D + 2) 2^-24 (||z||^2 + 2 |z.e| + ||e||^2))
 * may pick another code only when that code is as near within the
 * rounding: so each pixel's chosen code must be within that bound of the
 * double minimum, its values must be the code's exactly, and on random
 * data the choice must equal the double argmin for >= 99.9 % of pixels
 * (the quantiser's code-agreement goal). Exact duplicates in the codebook
 * tie in any arithmetic: the lower index must win. */
#include "sr_nn_vq.h"
#include "nn_test_util.h"

static void
check (int dim, int n_codes, int h, int w, guint32 seed, gboolean duplicates)
{
  float *embed = g_new (float, (size_t) dim * n_codes);
  sr_test_fill_uniform (embed, (size_t) dim * n_codes, seed, -1, 1);
  if (duplicates)               /* code 2k + 1 = code 2k */
    for (int d = 0; d < dim; d++)
      for (int k = 0; k + 1 < n_codes; k += 2)
        embed[(size_t) d * n_codes + k + 1] = embed[(size_t) d * n_codes + k];
  GError *error = NULL;
  SrNnVq *op = sr_nn_vq_new (sr_test_runtime (), embed, dim, n_codes, &error);
  g_assert_no_error (error);
  NnT in = nn_t_random (dim + 1, h, w, seed + 1);
  NnT out = nn_t_random (dim + 2, h, w, seed + 2);
  g_assert_cmpint (sr_nn_vq_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, dim), sr_view_channels (out.t, 2, dim)),
      ==, SR_OK);
  int n = 0, used = 0;
  int *idx = sr_nn_vq_last_indices (op, sr_test_queue (), &n, &used);
  g_assert_nonnull (idx);
  g_assert_cmpint (n, ==, h * w);
  float *got = g_new (float, (size_t) (dim + 2) * h * w);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), out.t, got), ==, SR_OK);
  const size_t plane = (size_t) h * w;
  int agree = 0;
  guint8 *seen = g_new0 (guint8, n_codes);
  int distinct = 0;
  for (size_t p = 0; p < plane; p++) {
    double best = INFINITY, zz = 0, bound_e = 0;
    int best_k = -1;
    for (int d = 0; d < dim; d++) {
      const double z = nn_t_plane (&in, 1 + d)[p];
      zz += z * z;
    }
    double dist_got = 0;
    for (int k = 0; k < n_codes; k++) {
      double dist = 0, ee = 0;
      for (int d = 0; d < dim; d++) {
        const double e = embed[(size_t) d * n_codes + k];
        const double diff = nn_t_plane (&in, 1 + d)[p] - e;
        dist += diff * diff;
        ee += e * e;
      }
      bound_e = MAX (bound_e, ee);
      if (dist < best) {
        best = dist;
        best_k = k;
      }
      if (k == idx[p])
        dist_got = dist;
    }
    const int k = idx[p];
    g_assert_cmpint (k, >=, 0);
    g_assert_cmpint (k, <, n_codes);
    if (duplicates)
      g_assert_cmpint (k % 2, ==, 0);
    const double bound = (dim + 2) * ldexp (1, -24) * (3 * zz + 3 * bound_e);
    if (dist_got - best > bound)
      g_error ("pixel %zu: code %d at %.9g, the nearest (%d) at %.9g", p, k,
          dist_got, best_k, best);
    agree += k == best_k;
    for (int d = 0; d < dim; d++)
      g_assert_cmpfloat (got[(2 + d) * plane + p], ==,
          embed[(size_t) d * n_codes + k]);
    if (!seen[k]) {
      seen[k] = 1;
      distinct++;
    }
  }
  g_assert_cmpint (used, ==, distinct);
  g_test_message ("%d codes of %d: %d of %zu pixels on the double argmin, "
      "%d codes used", n_codes, dim, agree, plane, used);
  g_assert_cmpfloat (agree, >=, 0.999 * plane);
  for (int c = 0; c < 2; c++)   /* out's other channels untouched */
    for (size_t p = 0; p < plane; p++)
      g_assert_cmpfloat (got[c * plane + p], ==, out.host[c * plane + p]);
  g_free (seen);
  g_free (got);
  g_free (idx);
  g_free (embed);
  nn_t_free (&in);
  nn_t_free (&out);
  sr_nn_vq_free (op);
}

static void
test_nearest (void)
{
  check (64, 512, 17, 23, 10, FALSE);   /* VQ-VAE-2's codebooks */
  check (3, 7, 5, 9, 20, FALSE);
  check (8, 32, 31, 33, 30, TRUE);      /* ties: the lower index */
  check (1, 1, 2, 3, 40, FALSE);
}

static void
test_invalid (void)
{
  GError *error = NULL;
  float embed[4 * 3] = { 0 };
  g_assert_null (sr_nn_vq_new (sr_test_runtime (), embed, 0, 3, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (sr_nn_vq_new (sr_test_runtime (), NULL, 4, 3, &error));
  g_clear_error (&error);
  SrNnVq *op = sr_nn_vq_new (sr_test_runtime (), embed, 4, 3, &error);
  g_assert_no_error (error);
  int n, used;
  g_assert_null (sr_nn_vq_last_indices (op, sr_test_queue (), &n, &used));
  NnT a = nn_t_random (4, 3, 5, 50);
  NnT b = nn_t_random (5, 3, 5, 51);
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;
  g_assert_cmpint (sr_nn_vq_run (op, sr_test_queue (), sr_view (a.t),
          sr_view (b.t)), ==, bad);                    /* 5 channels out */
  g_assert_cmpint (sr_nn_vq_run (op, sr_test_queue (), sr_view (a.t),
          sr_view (a.t)), ==, bad);                    /* in place */
  g_assert_cmpint (clFinish (sr_test_queue ()), ==, CL_SUCCESS);
  nn_t_check_untouched (&a);
  nn_t_check_untouched (&b);
  nn_t_free (&a);
  nn_t_free (&b);
  sr_nn_vq_free (op);
}

int
main (int argc, char **argv)
{
  nn_test_init (&argc, &argv);
  g_test_add_func ("/nn/vq/nearest", test_nearest);
  g_test_add_func ("/nn/vq/invalid", test_invalid);
  return g_test_run ();
}
