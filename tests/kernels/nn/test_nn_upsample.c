/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Integer-factor upsampling against plain-C double loops written from the
 * definitions of PyTorch's F.interpolate (scale_factor s): nearest
 * in (y / s, x / s), and bilinear with align_corners = False (source
 * coordinate (d + 0.5) / s - 0.5 clamped at 0, upper neighbour clamped to
 * the last row / column). */
#include "sr_nn_upsample.h"
#include "nn_test_util.h"

static SrNnUpsample *op;

/* Bilinear weights of output index d: neighbours *i0, *i1, weight of i1. */
static double
source (int d, int s, int n, int *i0, int *i1)
{
  double src = (d + 0.5) / s - 0.5;
  if (src < 0)
    src = 0;
  *i0 = (int) floor (src);
  *i1 = MIN (*i0 + 1, n - 1);
  return src - *i0;
}

static void
ref_upsample (const float *in, float *out, int c, int h, int w, int s,
    SrUpsampleMode mode)
{
  const int oh = h * s, ow = w * s;
  for (int ch = 0; ch < c; ch++) {
    const float *p = in + (size_t) ch * h * w;
    for (int y = 0; y < oh; y++)
      for (int x = 0; x < ow; x++) {
        double v;
        if (mode == SR_UPSAMPLE_NEAREST) {
          v = p[(y / s) * w + x / s];
        } else {
          int y0, y1, x0, x1;
          const double ly = source (y, s, h, &y0, &y1);
          const double lx = source (x, s, w, &x0, &x1);
          v = (1 - ly) * ((1 - lx) * p[y0 * w + x0] + lx * p[y0 * w + x1])
              + ly * ((1 - lx) * p[y1 * w + x0] + lx * p[y1 * w + x1]);
        }
        out[((size_t) ch * oh + y) * ow + x] = (float) v;
      }
  }
}

/* Channels [1, 1 + c) of the input to channels [2, 2 + c) of the output;
 * the output's other channels must survive. Nearest copies values (exact);
 * bilinear in float against double: 2e-6 on values in [-1, 1). */
static void
check (int c, int h, int w, int s, SrUpsampleMode mode)
{
  NnT in = nn_t_random (c + 2, h, w, 100 + s);
  NnT out = nn_t_random (c + 3, h * s, w * s, 200 + s);
  float *want = g_new (float, (size_t) c * h * w * s * s);
  ref_upsample (nn_t_plane (&in, 1), want, c, h, w, s, mode);
  g_assert_cmpint (sr_nn_upsample_run (op, sr_test_queue (),
          sr_view_channels (in.t, 1, c), sr_view_channels (out.t, 2, c), s,
          mode), ==, SR_OK);
  const double err = nn_t_check (&out, 2, c, want,
      mode == SR_UPSAMPLE_NEAREST ? 0 : 1e-6);
  g_test_message ("%s s=%d %dx%dx%d: max |diff| %.3g",
      mode == SR_UPSAMPLE_NEAREST ? "nearest" : "bilinear", s, c, h, w, err);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
}

static void
test_modes (gconstpointer data)
{
  const SrUpsampleMode mode = GPOINTER_TO_INT (data);
  const int factors[] = { 1, 2, 3, 4, 8 };
  for (guint i = 0; i < G_N_ELEMENTS (factors); i++) {
    check (3, 5, 7, factors[i], mode);
    check (2, 1, 9, factors[i], mode);
    check (1, 4, 1, factors[i], mode);
    check (2, 67, 301, factors[i], mode);
  }
}

/* Bilinear x2 on a 1-D ramp 0, 1, 2: outputs at source coordinates
 * -0.25 (clamped to 0), 0.25, 0.75, 1.25, 1.75, 2.25 (upper neighbour
 * clamped): 0, 0.25, 0.75, 1.25, 1.75, 2. */
static void
test_bilinear_literal (void)
{
  float in[3] = { 0, 1, 2 };
  const float want[6] = { 0, 0.25f, 0.75f, 1.25f, 1.75f, 2 };
  SrTensor *t = nn_upload (in, 1, 1, 3);
  NnT out = nn_t_random (1, 2, 6, 300);
  g_assert_cmpint (sr_nn_upsample_run (op, sr_test_queue (), sr_view (t),
          sr_view (out.t), 2, SR_UPSAMPLE_BILINEAR), ==, SR_OK);
  float both[12];
  memcpy (both, want, sizeof want);
  memcpy (both + 6, want, sizeof want);
  nn_t_check (&out, 0, 1, both, 0);
  nn_t_free (&out);
  sr_tensor_unref (t);
}

static void
test_invalid (void)
{
  cl_command_queue q = sr_test_queue ();
  NnT in = nn_t_random (3, 4, 5, 400);
  NnT out = nn_t_random (3, 8, 10, 401);
  NnT same = nn_t_random (6, 4, 5, 402);
  const SrView vi = sr_view (in.t), vo = sr_view (out.t);
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;
  for (int m = SR_UPSAMPLE_NEAREST; m <= SR_UPSAMPLE_BILINEAR; m++) {
    g_assert_cmpint (sr_nn_upsample_run (op, q, vi, vo, 3, m), ==, bad);
    g_assert_cmpint (sr_nn_upsample_run (op, q, vi, vo, 0, m), ==, bad);
    g_assert_cmpint (sr_nn_upsample_run (op, q, vi, vo, -2, m), ==, bad);
    g_assert_cmpint (sr_nn_upsample_run (op, q, sr_view_channels (in.t, 0, 2),
            vo, 2, m), ==, bad);
    g_assert_cmpint (sr_nn_upsample_run (op, q, sr_view_channels (in.t, 1, 3),
            vo, 2, m), ==, bad);
    g_assert_cmpint (sr_nn_upsample_run (op, q, vo, vi, 2, m), ==, bad);
    /* s = 1 within one tensor: overlapping channels race, so refused. */
    g_assert_cmpint (sr_nn_upsample_run (op, q, sr_view_channels (same.t, 0, 3),
            sr_view_channels (same.t, 2, 3), 1, m), ==, bad);
  }
  g_assert_cmpint (sr_nn_upsample_run (op, q, vi, vo, 2, (SrUpsampleMode) 5), ==, bad);
  g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
  nn_t_check_untouched (&out);
  nn_t_check_untouched (&same);
  /* Disjoint channels of one tensor are fine. */
  g_assert_cmpint (sr_nn_upsample_run (op, q, sr_view_channels (same.t, 0, 3),
          sr_view_channels (same.t, 3, 3), 1, SR_UPSAMPLE_NEAREST), ==, SR_OK);
  float *want = g_memdup2 (nn_t_plane (&same, 0), 3 * 4 * 5 * sizeof (float));
  nn_t_check (&same, 3, 3, want, 0);
  g_free (want);
  nn_t_free (&in);
  nn_t_free (&out);
  nn_t_free (&same);
}

int
main (int argc, char **argv)
{
  nn_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_nn_upsample_new (sr_test_runtime (), nn_test_storage,
      &error);
  g_assert_no_error (error);
  g_test_add_data_func ("/nn/upsample/nearest",
      GINT_TO_POINTER (SR_UPSAMPLE_NEAREST), test_modes);
  g_test_add_data_func ("/nn/upsample/bilinear",
      GINT_TO_POINTER (SR_UPSAMPLE_BILINEAR), test_modes);
  g_test_add_func ("/nn/upsample/bilinear-literal", test_bilinear_literal);
  g_test_add_func ("/nn/upsample/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_nn_upsample_free (op);
  return ret;
}
