/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pixel shuffle and unshuffle against plain-C loops written from the
 * definitions: PyTorch pixel_shuffle / pixel_unshuffle (CRD) and
 * TensorFlow depth_to_space on NHWC (DCR). Data movement only: results
 * must match bit for bit. */
#include "sr_nn_shuffle.h"
#include "nn_test_util.h"

static SrNnShuffle *op;

/* in: C*r*r planes of h x w; out: C planes of rh x rw. TF's depth_to_space
 * on NHWC reads depth (i*r + j)*C + c at block offset (i, j); PyTorch's
 * pixel_shuffle views channels as (C, r, r). */
static void
ref_shuffle (const float *in, float *out, int c, int h, int w, int r,
    SrShuffleOrder order)
{
  for (int ch = 0; ch < c; ch++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        for (int i = 0; i < r; i++)
          for (int j = 0; j < r; j++) {
            const int q = order == SR_SHUFFLE_DCR ? (i * r + j) * c + ch
                : ch * r * r + i * r + j;
            out[((size_t) ch * h * r + y * r + i) * w * r + x * r + j] =
                in[((size_t) q * h + y) * w + x];
          }
}

/* in: C planes of rh x rw; out: C*r*r planes of h x w. */
static void
ref_unshuffle (const float *in, float *out, int c, int h, int w, int r)
{
  for (int ch = 0; ch < c; ch++)
    for (int i = 0; i < r; i++)
      for (int j = 0; j < r; j++)
        for (int y = 0; y < h; y++)
          for (int x = 0; x < w; x++)
            out[(((size_t) ch * r * r + i * r + j) * h + y) * w + x] =
                in[((size_t) ch * h * r + y * r + i) * w * r + x * r + j];
}

/* The two orders on a literal example: C = 2, r = 2, one input pixel
 * holding 0..7 in its eight channels. */
static void
test_literal (void)
{
  float in[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  const float crd[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
  const float dcr[8] = { 0, 2, 4, 6, 1, 3, 5, 7 };
  SrTensor *t = nn_upload (in, 8, 1, 1);
  NnT out = nn_t_random (2, 2, 2, 1);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, sr_test_queue (), sr_view (t),
          sr_view (out.t), 2, SR_SHUFFLE_CRD), ==, SR_OK);
  nn_t_check (&out, 0, 2, crd, 0);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, sr_test_queue (), sr_view (t),
          sr_view (out.t), 2, SR_SHUFFLE_DCR), ==, SR_OK);
  nn_t_check (&out, 0, 2, dcr, 0);
  nn_t_free (&out);
  sr_tensor_unref (t);
}

/* Views inside bigger tensors: the input's channels start at 1, the
 * output's at 2, and the channels around the output view must survive. */
static void
check_shuffle (int c, int h, int w, int r, SrShuffleOrder order)
{
  const int cin = c * r * r;
  NnT in = nn_t_random (cin + 2, h, w, 10 + r);
  NnT out = nn_t_random (c + 3, h * r, w * r, 20 + r);
  float *want = g_new (float, (size_t) c * h * w * r * r);
  ref_shuffle (nn_t_plane (&in, 1), want, c, h, w, r, order);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, cin), sr_view_channels (out.t, 2, c), r,
          order), ==, SR_OK);
  nn_t_check (&out, 2, c, want, 0);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
check_unshuffle (int c, int h, int w, int r)
{
  const int cout = c * r * r;
  NnT in = nn_t_random (c + 1, h * r, w * r, 30 + r);
  NnT out = nn_t_random (cout + 2, h, w, 40 + r);
  float *want = g_new (float, (size_t) cout * h * w);
  ref_unshuffle (nn_t_plane (&in, 1), want, c, h, w, r);
  g_assert_cmpint (sr_nn_pixel_unshuffle_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, c), sr_view_channels (out.t, 1, cout), r),
      ==, SR_OK);
  nn_t_check (&out, 1, cout, want, 0);

  /* Unshuffle then CRD shuffle gives the input back. */
  NnT back = nn_t_random (c, h * r, w * r, 50 + r);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, sr_test_queue (),
          sr_view_channels (out.t, 1, cout), sr_view (back.t), r,
          SR_SHUFFLE_CRD), ==, SR_OK);
  nn_t_check (&back, 0, c, nn_t_plane (&in, 1), 0);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
  nn_t_free (&back);
}

static void
test_shuffle (void)
{
  const int factors[] = { 2, 3, 4, 8 };
  for (guint i = 0; i < G_N_ELEMENTS (factors); i++) {
    const int r = factors[i];
    check_shuffle (3, 5, 7, r, SR_SHUFFLE_CRD);
    check_shuffle (3, 5, 7, r, SR_SHUFFLE_DCR);
    check_shuffle (1, 1, 3, r, SR_SHUFFLE_DCR);
    check_shuffle (2, 19, 1, r, SR_SHUFFLE_CRD);
    check_shuffle (2, 3, 13, r, SR_SHUFFLE_DCR);   /* rows of several runs */
  }
}

static void
test_unshuffle (void)
{
  const int factors[] = { 2, 3, 4, 8 };
  for (guint i = 0; i < G_N_ELEMENTS (factors); i++) {
    check_unshuffle (3, 5, 7, factors[i]);
    check_unshuffle (1, 2, 1, factors[i]);
    check_unshuffle (2, 3, 37, factors[i]);
  }
}

static void
test_invalid (void)
{
  GError *error = NULL;
  cl_command_queue q = sr_test_queue ();
  NnT in = nn_t_random (8, 3, 5, 60);
  NnT out = nn_t_random (2, 6, 10, 61);
  NnT odd = nn_t_random (2, 7, 10, 62);
  /* The storage the op is not made for. */
  SrTensor *other = sr_tensor_new (sr_test_runtime (), 1, 8, 3, 5,
      nn_test_other_storage (), &error);
  g_assert_no_error (error);
  const SrView vi = sr_view (in.t), vo = sr_view (out.t);
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;

  /* Sizes and channel counts that do not match r. */
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, vi, vo, 3, SR_SHUFFLE_CRD), ==, bad);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, vi, vo, 0, SR_SHUFFLE_CRD), ==, bad);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, vi, vo, -2, SR_SHUFFLE_CRD), ==, bad);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, sr_view_channels (in.t, 0, 7),
          vo, 2, SR_SHUFFLE_CRD), ==, bad);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, vi, sr_view (odd.t), 2,
          SR_SHUFFLE_CRD), ==, bad);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, vi, vo, 2, (SrShuffleOrder) 7), ==, bad);
  /* Views outside their tensor, and a non-f32 tensor. */
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, sr_view_channels (in.t, 1, 8),
          vo, 2, SR_SHUFFLE_CRD), ==, bad);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, sr_view_channels (in.t, -1, 8),
          vo, 2, SR_SHUFFLE_CRD), ==, bad);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, vi, sr_view_channels (out.t,
              1, 2), 2, SR_SHUFFLE_CRD), ==, bad);
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, sr_view (other), vo, 2,
          SR_SHUFFLE_CRD), ==, bad);
  SrView none = { NULL, 0, 1 };
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, none, vo, 2, SR_SHUFFLE_CRD), ==, bad);
  /* In place cannot work (r = 1 is the only size-preserving factor). */
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, vi, vi, 1, SR_SHUFFLE_CRD), ==, bad);

  g_assert_cmpint (sr_nn_pixel_unshuffle_run (op, q, vo, vi, 3), ==, bad);
  g_assert_cmpint (sr_nn_pixel_unshuffle_run (op, q, vo, vi, 0), ==, bad);
  g_assert_cmpint (sr_nn_pixel_unshuffle_run (op, q, sr_view (odd.t), vi, 2), ==, bad);
  g_assert_cmpint (sr_nn_pixel_unshuffle_run (op, q, vo, sr_view_channels (in.t,
              0, 4), 2), ==, bad);
  g_assert_cmpint (sr_nn_pixel_unshuffle_run (op, q, vo, sr_view (other), 2), ==, bad);

  g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
  nn_t_check_untouched (&in);
  nn_t_check_untouched (&out);
  /* The valid call on the same tensors works. */
  g_assert_cmpint (sr_nn_pixel_shuffle_run (op, q, vi, vo, 2, SR_SHUFFLE_CRD), ==, SR_OK);
  sr_tensor_unref (other);
  nn_t_free (&in);
  nn_t_free (&out);
  nn_t_free (&odd);
}

int
main (int argc, char **argv)
{
  nn_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_nn_shuffle_new (sr_test_runtime (), nn_test_storage,
      &error);
  g_assert_no_error (error);
  g_test_add_func ("/nn/shuffle/literal", test_literal);
  g_test_add_func ("/nn/shuffle/shuffle", test_shuffle);
  g_test_add_func ("/nn/shuffle/unshuffle", test_unshuffle);
  g_test_add_func ("/nn/shuffle/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_nn_shuffle_free (op);
  return ret;
}
