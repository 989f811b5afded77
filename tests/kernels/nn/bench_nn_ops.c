/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Times the network ops of kernels/nn/ on feature maps of a 480x270 frame
 * (64 channels), best of 7 rounds of 5 runs after 3 warm-up runs, kernel
 * time only (data stays on the device). bench_nn_ops_torch.py times the
 * same in PyTorch. Not a test; built on request:
 *   ninja -C BUILD tests/kernels/nn/bench_nn_ops && BUILD/tests/kernels/nn/bench_nn_ops */
#include <stdio.h>

#include "sr_nn_eltwise.h"
#include "sr_nn_pool.h"
#include "sr_nn_shuffle.h"
#include "sr_nn_tile.h"
#include "sr_nn_upsample.h"
#include "sr_test_util.h"

#define C 64
#define H 270
#define W 480

static SrTensor *
tensor (int c, int h, int w)
{
  GError *error = NULL;
  SrTensor *t = sr_tensor_new (sr_test_runtime (), 1, c, h, w, SR_DTYPE_F32,
      &error);
  g_assert_no_error (error);
  return t;
}

/* bytes: what the op reads and writes, for the GB/s column. */
#define BENCH(label, bytes, call) do { \
    for (int i_ = 0; i_ < 3; i_++) \
      g_assert_cmpint ((call), ==, SR_OK); \
    clFinish (q); \
    double best_ = G_MAXDOUBLE; \
    for (int r_ = 0; r_ < 7; r_++) { \
      const gint64 t0_ = g_get_monotonic_time (); \
      for (int i_ = 0; i_ < 5; i_++) \
        g_assert_cmpint ((call), ==, SR_OK); \
      clFinish (q); \
      best_ = MIN (best_, (g_get_monotonic_time () - t0_) / 5e3); \
    } \
    printf ("%-36s %8.2f ms %7.2f GB/s\n", (label), best_, \
        (bytes) / best_ / 1e6); \
  } while (0)

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  SrRuntime *rt = sr_test_runtime ();
  cl_command_queue q = sr_test_queue ();
  const double map = (double) C * H * W * sizeof (float);
  SrTensor *a = tensor (C, H, W), *b = tensor (C, H, W), *o = tensor (C, H, W);
  SrTensor *s48 = tensor (48, H, W), *big3 = tensor (3, 4 * H, 4 * W);
  SrTensor *up = tensor (C, 2 * H, 2 * W), *pad = tensor (C, H + 20, W + 20);
  SrTensor *mp = tensor (C, (H - 3) / 2 + 1, (W - 3) / 2 + 1), *dot = tensor (C, 1, 1);
  SrNnEltwise *el = sr_nn_eltwise_new (rt, SR_DTYPE_F32, NULL);
  SrNnShuffle *sh = sr_nn_shuffle_new (rt, SR_DTYPE_F32, NULL);
  SrNnUpsample *us = sr_nn_upsample_new (rt, SR_DTYPE_F32, NULL);
  SrNnPool *po = sr_nn_pool_new (rt, NULL);
  SrNnTile *ti = sr_nn_tile_new (rt, SR_DTYPE_F32, NULL);
  g_assert (el && sh && us && po && ti);
  float coef[2] = { 0.2f, 1 }, scale[C], slope[C];
  for (int i = 0; i < C; i++)
    scale[i] = 1.0f + i, slope[i] = 0.25f;
  const SrView two[2] = { sr_view (a), sr_view (b) };
  const SrAct none = { SR_ACT_NONE, 0, 0, 0 }, prelu = { SR_ACT_PRELU, 0, 0, 0 };

  printf ("%s\n", sr_runtime_describe (rt));
  BENCH ("clEnqueueCopyBuffer (for scale)", 2 * map,
      sr_status_from_cl (clEnqueueCopyBuffer (q, a->mem, o->mem, 0, 0,
              (size_t) map, 0, NULL, NULL)));
  BENCH ("add 0.2 a + b", 3 * map,
      sr_nn_add_run (el, q, 2, two, coef, sr_view (o), none, NULL));
  BENCH ("add in place b = 0.2 a + b", 3 * map,
      sr_nn_add_run (el, q, 2, two, coef, sr_view (b), none, NULL));
  BENCH ("affine + PReLU", 2 * map,
      sr_nn_affine_run (el, q, sr_view (a), scale, NULL, sr_view (o), prelu,
          slope));
  BENCH ("pixel shuffle CRD r4 48->3", 2 * map * 48 / C,
      sr_nn_pixel_shuffle_run (sh, q, sr_view (s48), sr_view (big3), 4,
          SR_SHUFFLE_CRD));
  BENCH ("pixel shuffle DCR r4 48->3", 2 * map * 48 / C,
      sr_nn_pixel_shuffle_run (sh, q, sr_view (s48), sr_view (big3), 4,
          SR_SHUFFLE_DCR));
  BENCH ("pixel unshuffle r4 3->48", 2 * map * 48 / C,
      sr_nn_pixel_unshuffle_run (sh, q, sr_view (big3), sr_view (s48), 4));
  BENCH ("upsample nearest x2", 5 * map,
      sr_nn_upsample_run (us, q, sr_view (a), sr_view (up), 2,
          SR_UPSAMPLE_NEAREST));
  BENCH ("upsample bilinear x2", 5 * map,
      sr_nn_upsample_run (us, q, sr_view (a), sr_view (up), 2,
          SR_UPSAMPLE_BILINEAR));
  BENCH ("max pool k3 s2", 1.25 * map,
      sr_nn_max_pool_run (po, q, sr_view (a), sr_view (mp), 3, 2));
  BENCH ("global average", map,
      sr_nn_global_avg_pool_run (po, q, sr_view (a), sr_view (dot)));
  BENCH ("L2 normalise (channels)", 2 * map,
      sr_nn_l2_normalize_run (po, q, sr_view (a), sr_view (o), 1e-10f));
  BENCH ("pad reflect 10", 2 * map,
      sr_nn_pad_run (ti, q, sr_view (a), sr_view (pad), 10, 10, 10, 10,
          SR_PAD_REFLECT));
  BENCH ("copy rect (crop 480x270)", 2 * map,
      sr_nn_copy_rect_run (ti, q, sr_view (pad), 10, 10, sr_view (o), 0, 0, W,
          H));

  sr_nn_eltwise_free (el);
  sr_nn_shuffle_free (sh);
  sr_nn_upsample_free (us);
  sr_nn_pool_free (po);
  sr_nn_tile_free (ti);
  SrTensor *all[] = { a, b, o, s48, big3, up, pad, mp, dot };
  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    sr_tensor_unref (all[i]);
  return 0;
}
