/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Padding and rectangle copies against plain-C loops written from the
 * definitions: PyTorch F.pad mode 'reflect' (no edge repetition: c b | a b
 * c d | c b) and 'constant' 0, and a crop / paste by index. Data movement
 * only: exact. */
#include "sr_nn_tile.h"
#include "nn_test_util.h"

static SrNnTile *op;

/* i reflected into [0, n) about its first and last elements, as often as
 * needed (only once for pads smaller than n). */
static int
reflect (int i, int n)
{
  while (i < 0 || i >= n)
    i = i < 0 ? -i : 2 * (n - 1) - i;
  return i;
}

static void
check_pad (int c, int h, int w, int top, int bottom, int left, int right,
    SrPadMode mode)
{
  const int oh = h + top + bottom, ow = w + left + right;
  NnT in = nn_t_random (c + 1, h, w, 1300 + top * 7 + left);
  NnT out = nn_t_random (c + 2, oh, ow, 1301);
  float *want = g_new (float, (size_t) c * oh * ow);
  for (int ch = 0; ch < c; ch++)
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        const int sy = y - top, sx = x - left;
        float v = 0;
        if (mode == SR_PAD_REFLECT)
          v = nn_t_plane (&in, 1 + ch)[reflect (sy, h) * w + reflect (sx, w)];
        else if (sy >= 0 && sy < h && sx >= 0 && sx < w)
          v = nn_t_plane (&in, 1 + ch)[sy * w + sx];
        want[((size_t) ch * oh + y) * ow + x] = v;
      }
  g_assert_cmpint (sr_nn_pad_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, c), sr_view_channels (out.t, 1, c), top,
          bottom, left, right, mode), ==, SR_OK);
  nn_t_check (&out, 1, c, want, 0);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
test_pad (void)
{
  for (SrPadMode m = SR_PAD_REFLECT; m <= SR_PAD_ZERO; m++) {
    check_pad (3, 5, 7, 1, 1, 1, 1, m);
    check_pad (3, 5, 7, 4, 2, 6, 0, m);  /* asymmetric, up to side - 1 */
    check_pad (2, 9, 2, 0, 8, 1, 1, m);
    check_pad (1, 3, 3, 0, 0, 0, 0, m);
    check_pad (2, 6, 40, 3, 2, 17, 39, m);      /* rows of several runs */
  }
  check_pad (2, 2, 3, 10, 5, 0, 7, SR_PAD_ZERO);        /* beyond the sides */
  check_pad (2, 1, 1, 3, 3, 2, 2, SR_PAD_ZERO);
}

/* One row a b c d, reflect-padded by 2 each side: c b a b c d c b. */
static void
test_pad_literal (void)
{
  float in[4] = { 1, 2, 3, 4 };
  const float want[8] = { 3, 2, 1, 2, 3, 4, 3, 2 };
  SrTensor *t = nn_upload (in, 1, 1, 4);
  NnT out = nn_t_random (1, 1, 8, 1302);
  g_assert_cmpint (sr_nn_pad_run (op, sr_test_queue (), sr_view (t),
          sr_view (out.t), 0, 0, 2, 2, SR_PAD_REFLECT), ==, SR_OK);
  nn_t_check (&out, 0, 1, want, 0);
  sr_tensor_unref (t);
  nn_t_free (&out);
}

/* dst's planes with the w x h rectangle at (sx, sy) of src's channels
 * [s0, s0 + c) pasted at (dx, dy) of channels [d0, d0 + c). */
static float *
ref_copy (const NnT *src, int s0, int sx, int sy, const NnT *dst, int d0,
    int dx, int dy, int w, int h, int c)
{
  const size_t plane = (size_t) dst->h * dst->w;
  float *want = g_memdup2 (nn_t_plane (dst, d0), c * plane * sizeof (float));
  for (int ch = 0; ch < c; ch++)
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++)
        want[ch * plane + (dy + y) * dst->w + dx + x] =
            nn_t_plane (src, s0 + ch)[(sy + y) * src->w + sx + x];
  return want;
}

static void
check_copy (int c, int sh, int sw, int sx, int sy, int dh, int dw, int dx,
    int dy, int w, int h)
{
  NnT in = nn_t_random (c + 2, sh, sw, 1400 + sx);
  NnT out = nn_t_random (c + 1, dh, dw, 1401 + dy);
  float *want = ref_copy (&in, 2, sx, sy, &out, 1, dx, dy, w, h, c);
  g_assert_cmpint (sr_nn_copy_rect_run (op, sr_test_queue (),
          sr_view_channels (in.t, 2, c), sx, sy, sr_view_channels (out.t, 1, c),
          dx, dy, w, h), ==, SR_OK);
  nn_t_check (&out, 1, c, want, 0);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
test_copy (void)
{
  check_copy (3, 17, 23, 5, 3, 9, 11, 0, 0, 11, 9);     /* crop a tile */
  check_copy (3, 9, 11, 2, 2, 17, 23, 7, 4, 7, 5);      /* paste its interior */
  check_copy (2, 7, 80, 3, 1, 6, 90, 45, 0, 41, 5);     /* several runs a row */
  check_copy (1, 5, 5, 0, 0, 5, 5, 0, 0, 5, 5);         /* whole picture */
  check_copy (2, 4, 7, 6, 3, 3, 2, 1, 2, 1, 1);         /* one pixel, corners */
  check_copy (2, 4, 7, 6, 3, 3, 2, 1, 2, 0, 1);         /* empty: no-op */
}

/* Within one tensor: disjoint rectangles, or disjoint channels. */
static void
test_copy_same_tensor (void)
{
  NnT t = nn_t_random (4, 6, 10, 1500);
  g_assert_cmpint (sr_nn_copy_rect_run (op, sr_test_queue (), sr_view (t.t), 0,
          0, sr_view (t.t), 5, 1, 5, 5), ==, SR_OK);
  float *want = ref_copy (&t, 0, 0, 0, &t, 0, 5, 1, 5, 5, 4);
  nn_t_check (&t, 0, 4, want, 0);
  g_free (want);
  nn_t_free (&t);

  t = nn_t_random (4, 6, 10, 1501);
  g_assert_cmpint (sr_nn_copy_rect_run (op, sr_test_queue (),
          sr_view_channels (t.t, 0, 2), 1, 1, sr_view_channels (t.t, 2, 2), 2,
          2, 6, 4), ==, SR_OK);
  want = ref_copy (&t, 0, 1, 1, &t, 2, 2, 2, 6, 4, 2);
  nn_t_check (&t, 2, 2, want, 0);
  g_free (want);
  nn_t_free (&t);
}

static void
test_invalid (void)
{
  cl_command_queue q = sr_test_queue ();
  NnT in = nn_t_random (3, 4, 5, 1600);
  NnT out = nn_t_random (3, 8, 9, 1601);
  const SrView vi = sr_view (in.t), vo = sr_view (out.t);
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;

  /* Pads that do not add up to the output, negative, or not smaller than
   * the side they reflect. */
  g_assert_cmpint (sr_nn_pad_run (op, q, vi, vo, 2, 2, 2, 1, SR_PAD_ZERO), ==, bad);
  g_assert_cmpint (sr_nn_pad_run (op, q, vi, vo, 5, -1, 2, 2, SR_PAD_ZERO), ==, bad);
  g_assert_cmpint (sr_nn_pad_run (op, q, vi, vo, 4, 0, 2, 2, SR_PAD_REFLECT), ==, bad);
  g_assert_cmpint (sr_nn_pad_run (op, q, vi, vo, 2, 2, 0, 4, SR_PAD_ZERO), ==, SR_OK);
  g_assert_cmpint (sr_nn_pad_run (op, q, vi, vo, 2, 2, 0, 4, SR_PAD_REFLECT), ==, SR_OK);
  g_assert_cmpint (sr_nn_pad_run (op, q, vi, vo, 2, 2, 0, 5, SR_PAD_REFLECT), ==, bad);
  g_assert_cmpint (sr_nn_pad_run (op, q, vi, vo, 2, 2, 2, 2, (SrPadMode) 9), ==, bad);
  g_assert_cmpint (sr_nn_pad_run (op, q, sr_view_channels (in.t, 0, 2), vo, 2,
          2, 2, 2, SR_PAD_ZERO), ==, bad);
  g_assert_cmpint (sr_nn_pad_run (op, q, vi, vi, 0, 0, 0, 0, SR_PAD_ZERO), ==, bad);
  g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
  nn_t_check_untouched (&in);
  nn_t_restore (&out);

  /* Rectangles outside either picture, negative sizes, channel counts. */
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 1, 0, vo, 0, 0, 5, 4), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 0, 1, vo, 0, 0, 5, 4), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, -1, 0, vo, 0, 0, 2, 2), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 0, 0, vo, 5, 0, 5, 4), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 0, 0, vo, 0, 5, 5, 4), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 0, 0, vo, 0, -1, 2, 2), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 0, 0, vo, 0, 0, -1, 2), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 0, 0, vo, 0, 0, 2, -1), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 0, 0, vo, G_MAXINT, 0, 2, 2), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vi, 0, 0, vo, 0, 0, G_MAXINT, 1), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, sr_view_channels (in.t, 1, 2), 0,
          0, vo, 0, 0, 2, 2), ==, bad);
  /* Overlapping source and destination in one tensor. */
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, vo, 0, 0, vo, 1, 1, 3, 3), ==, bad);
  g_assert_cmpint (sr_nn_copy_rect_run (op, q, sr_view_channels (out.t, 0, 2),
          0, 0, sr_view_channels (out.t, 1, 2), 0, 0, 3, 3), ==, bad);
  g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
  nn_t_check_untouched (&out);
  nn_t_free (&in);
  nn_t_free (&out);
}

int
main (int argc, char **argv)
{
  nn_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_nn_tile_new (sr_test_runtime (), nn_test_storage,
      &error);
  g_assert_no_error (error);
  g_test_add_func ("/nn/tile/pad", test_pad);
  g_test_add_func ("/nn/tile/pad-literal", test_pad_literal);
  g_test_add_func ("/nn/tile/copy", test_copy);
  g_test_add_func ("/nn/tile/copy-same-tensor", test_copy_same_tensor);
  g_test_add_func ("/nn/tile/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_nn_tile_free (op);
  return ret;
}
