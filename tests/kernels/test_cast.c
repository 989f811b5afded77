/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* cast op (f32 <-> f16 storage) vs a plain-C IEEE 754 binary16 reference
 * built from frexp/ldexp (sr_test_util.c; not bit tricks, so it shares
 * nothing with the device's conversion). Tolerance: none, the bits must be
 * identical (NaN: any NaN). */
#include "sr_cast.h"
#include "sr_test_util.h"

#include <string.h>

static void
cast (const SrTensor *src, SrTensor *dst)
{
  GError *err = NULL;
  SrCast *op = sr_cast_new (sr_test_runtime (), &err);
  g_assert_no_error (err);
  g_assert_cmpint (sr_cast_run (op, sr_test_queue (), src, dst), ==, SR_OK);
  g_assert_cmpint (clFinish (sr_test_queue ()), ==, CL_SUCCESS);
  sr_cast_free (op);
}

static SrTensor *
new_tensor (int n, SrDType t)
{
  SrTensor *x = sr_tensor_new (sr_test_runtime (), 1, 1, 1, n, t, NULL);
  g_assert_nonnull (x);
  g_assert_cmpuint (x->bytes, ==, (size_t) n * sr_dtype_size (t));
  return x;
}

/* Every one of the 65536 half patterns to f32, then back: f16 -> f32 is
 * exact, and the way back must give the same bits. */
static void
test_all_halves (void)
{
  const int n = 65536;
  guint16 *h = g_new (guint16, n), *back = g_new (guint16, n);
  float *f = g_new (float, n);
  for (int i = 0; i < n; i++)
    h[i] = (guint16) i;
  SrTensor *th = new_tensor (n, SR_DTYPE_F16), *tf = new_tensor (n, SR_DTYPE_F32);
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), th, h), ==, SR_OK);
  cast (th, tf);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), tf, f), ==, SR_OK);
  int bad = 0;
  for (int i = 0; i < n; i++) {
    const float r = sr_test_half_to_float (h[i]);
    bad += isnan (r) ? !isnan (f[i]) : memcmp (&r, &f[i], sizeof r) != 0;
  }
  g_assert_cmpint (bad, ==, 0);
  SrTensor *th2 = new_tensor (n, SR_DTYPE_F16);
  cast (tf, th2);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), th2, back), ==, SR_OK);
  for (int i = 0; i < n; i++) {
    const gboolean nan = (h[i] & 0x7c00) == 0x7c00 && (h[i] & 1023);
    bad += nan ? ((back[i] & 0x7c00) != 0x7c00 || !(back[i] & 1023))
        : back[i] != h[i];
  }
  g_assert_cmpint (bad, ==, 0);
  sr_tensor_unref (th);
  sr_tensor_unref (th2);
  sr_tensor_unref (tf);
  g_free (h);
  g_free (back);
  g_free (f);
}

/* f32 -> f16 rounding: random floats over the whole half range and beyond,
 * exact ties between neighbouring halves (both parities), the overflow
 * edge, and a length that leaves a remainder after the 8-wide items. */
static void
test_rounding (void)
{
  const int n = 200003;
  float *f = g_new (float, n);
  guint16 *h = g_new (guint16, n);
  GRand *r = g_rand_new_with_seed (11);
  for (int i = 0; i < n; i++) {
    const int kind = i % 4;
    double v;
    if (kind == 0) {            /* log-uniform over 2^-30 .. 2^17 */
      v = ldexp (g_rand_double_range (r, 1, 2), g_rand_int_range (r, -30, 18));
    } else if (kind == 1) {     /* a tie: half bits b plus half a step */
      const guint16 b = (guint16) g_rand_int_range (r, 0, 0x7bff);
      v = (sr_test_half_to_float (b) + (double) sr_test_half_to_float (b + 1)) / 2;
    } else if (kind == 2) {     /* near the largest half, 65504 */
      v = g_rand_double_range (r, 65000, 66000);
    } else {                    /* uniform in [0, 1], the pixel range */
      v = g_rand_double (r);
    }
    f[i] = (float) (g_rand_boolean (r) ? -v : v);
  }
  f[0] = 65519.99f;
  f[1] = 65520.0f;              /* tie between 65504 and 2^16: to infinity */
  f[2] = -0.0f;
  f[3] = INFINITY;
  g_rand_free (r);

  SrTensor *tf = new_tensor (n, SR_DTYPE_F32), *th = new_tensor (n, SR_DTYPE_F16);
  g_assert_cmpint (sr_tensor_write (sr_test_queue (), tf, f), ==, SR_OK);
  cast (tf, th);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), th, h), ==, SR_OK);
  int bad = 0;
  for (int i = 0; i < n; i++)
    if (h[i] != sr_test_float_to_half (f[i]) && bad++ < 5)
      g_printerr ("f %.9g: device %04x, reference %04x\n", f[i], h[i],
          sr_test_float_to_half (f[i]));
  g_assert_cmpint (bad, ==, 0);
  g_assert_cmpuint (h[0], ==, 0x7bff);
  g_assert_cmpuint (h[1], ==, 0x7c00);
  g_assert_cmpuint (h[2], ==, 0x8000);
  sr_tensor_unref (tf);
  sr_tensor_unref (th);
  g_free (f);
  g_free (h);
}

static void
test_bad_arguments (void)
{
  SrTensor *a = new_tensor (16, SR_DTYPE_F32), *b = new_tensor (15, SR_DTYPE_F16);
  SrTensor *c = new_tensor (16, SR_DTYPE_U8);
  SrCast *op = sr_cast_new (sr_test_runtime (), NULL);
  g_assert_cmpint (sr_cast_run (op, sr_test_queue (), a, b), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_cast_run (op, sr_test_queue (), a, c), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_cast_run (op, sr_test_queue (), a, a), ==,
      SR_ERR_INVALID_ARGUMENT);
  sr_cast_free (op);
  sr_tensor_unref (a);
  sr_tensor_unref (b);
  sr_tensor_unref (c);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/cast/all-halves", test_all_halves);
  g_test_add_func ("/cast/rounding", test_rounding);
  g_test_add_func ("/cast/bad-arguments", test_bad_arguments);
  return g_test_run ();
}
