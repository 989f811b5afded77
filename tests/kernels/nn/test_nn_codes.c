/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 8-bit quantisation against plain C written from spec/metrics.md 1.1:
 * clamp to [0, 1], times 255 in float32, round half to even, NaN -> 0,
 * then / 255 in float32 (to_tensor). Every step is one correctly rounded
 * float32 operation, so the results must be equal: tolerance 0. */
#include "sr_nn_codes.h"
#include "nn_test_util.h"

static SrNnCodes *op;

static float
unit_code (float x)
{
  if (isnan (x))
    x = 0;
  x = fminf (fmaxf (x, 0), 1);
  return rintf (x * 255.0f) / 255.0f;
}

/* Channels [1, 1 + c) of in to [0, c) of out (or in place). */
static void
check (int c, int h, int w, gboolean in_place)
{
  NnT in = nn_t_random (c + 1, h, w, 1300 + c);
  const size_t n = (size_t) (c + 1) * h * w;
  for (size_t i = 0; i < n; i++) {
    in.host[i] = in.host[i] * 0.75f + 0.5f;     /* [-0.25, 1.25) */
    if (i % 7 == 0)                             /* exact halves: ties */
      in.host[i] = ((float) (i % 256) + 0.5f) / 255.0f;
    if (i % 11 == 0)                            /* codes stay codes */
      in.host[i] = (float) (i % 256) / 255.0f;
  }
  in.host[h * w] = NAN;
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), in.t, in.host), ==,
      SR_OK);
  NnT out = nn_t_random (c, h, w, 1301);
  float *want = g_new (float, (size_t) c * h * w);
  for (size_t i = 0; i < (size_t) c * h * w; i++)
    want[i] = unit_code (in.host[h * w + i]);
  NnT *dst = in_place ? &in : &out;
  const int c0 = in_place ? 1 : 0;
  g_assert_cmpint (sr_nn_unit_codes_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, c), sr_view_channels (dst->t, c0, c)), ==,
      SR_OK);
  nn_t_check (dst, c0, c, want, 0);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
test_codes (void)
{
  check (3, 17, 29, FALSE);
  check (1, 1, 1, FALSE);
  check (3, 8, 9, TRUE);
}

static void
test_invalid (void)
{
  cl_command_queue q = sr_test_queue ();
  NnT a = nn_t_random (3, 5, 6, 1400);
  NnT b = nn_t_random (3, 5, 7, 1401);
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;
  g_assert_cmpint (sr_nn_unit_codes_run (op, q, sr_view (a.t), sr_view (b.t)),
      ==, bad);
  g_assert_cmpint (sr_nn_unit_codes_run (op, q, sr_view_channels (a.t, 0, 2),
          sr_view_channels (a.t, 1, 2)), ==, bad);
  g_assert_cmpint (sr_nn_unit_codes_run (op, q, sr_view_channels (a.t, 0, 2),
          sr_view (b.t)), ==, bad);
  g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
  nn_t_check_untouched (&a);
  nn_t_check_untouched (&b);
  nn_t_free (&a);
  nn_t_free (&b);
}

int
main (int argc, char **argv)
{
  nn_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_nn_codes_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  g_test_add_func ("/nn/codes/values", test_codes);
  g_test_add_func ("/nn/codes/invalid", test_invalid);
  const int status = g_test_run ();
  sr_nn_codes_free (op);
  return status;
}
