/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs one network op on a raw float32 [C,H,W] file, so that a Python
 * reference test can compare it with real PyTorch:
 *
 *   sr_nn_tool OP C H W IN.f32 OUT.f32 [ARG...]
 *
 *   shuffle-crd R | shuffle-dcr R | unshuffle R
 *   upsample-nearest S | upsample-bilinear S
 *   maxpool K S | avgpool | l2norm EPS
 *   pad-reflect TOP BOTTOM LEFT RIGHT | pad-zero TOP BOTTOM LEFT RIGHT
 *
 * Prints the output shape "C H W" on stdout; exits 77 without an OpenCL
 * device, 2 on a usage error and 1 when the op refuses its arguments. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_nn_pool.h"
#include "sr_nn_shuffle.h"
#include "sr_nn_tile.h"
#include "sr_nn_upsample.h"
#include "sr_test_util.h"

typedef struct {
  const char *name;
  int nargs;
} Op;

static const Op ops[] = {
  { "shuffle-crd", 1 }, { "shuffle-dcr", 1 }, { "unshuffle", 1 },
  { "upsample-nearest", 1 }, { "upsample-bilinear", 1 },
  { "maxpool", 2 }, { "avgpool", 0 }, { "l2norm", 1 },
  { "pad-reflect", 4 }, { "pad-zero", 4 },
};

int
main (int argc, char **argv)
{
  int op = -1;
  for (guint i = 0; argc >= 7 && i < G_N_ELEMENTS (ops); i++)
    if (!strcmp (argv[1], ops[i].name) && argc == 7 + ops[i].nargs)
      op = i;
  const int c = argc >= 7 ? atoi (argv[2]) : 0;
  const int h = argc >= 7 ? atoi (argv[3]) : 0;
  const int w = argc >= 7 ? atoi (argv[4]) : 0;
  if (op < 0 || c < 1 || h < 1 || w < 1) {
    fprintf (stderr, "usage: %s OP C H W IN.f32 OUT.f32 [ARG...]\n", argv[0]);
    return 2;
  }
  double a[4] = { 0 };
  for (int i = 0; i < ops[op].nargs; i++)
    a[i] = g_ascii_strtod (argv[7 + i], NULL);
  const int i0 = (int) a[0], i1 = (int) a[1], i2 = (int) a[2], i3 = (int) a[3];
  const char *name = ops[op].name;

  /* The output shape; the ops check it against their arguments. */
  int oc = c, oh = h, ow = w;
  if (g_str_has_prefix (name, "shuffle") && i0 > 0)
    oc = c / (i0 * i0), oh = h * i0, ow = w * i0;
  else if (!strcmp (name, "unshuffle") && i0 > 0)
    oc = c * i0 * i0, oh = h / i0, ow = w / i0;
  else if (g_str_has_prefix (name, "upsample"))
    oh = h * i0, ow = w * i0;
  else if (!strcmp (name, "maxpool") && i1 > 0)
    oh = (h - i0) / i1 + 1, ow = (w - i0) / i1 + 1;
  else if (!strcmp (name, "avgpool"))
    oh = ow = 1;
  else if (g_str_has_prefix (name, "pad"))
    oh = h + i0 + i1, ow = w + i2 + i3;
  if (oc < 1 || oh < 1 || ow < 1) {
    fprintf (stderr, "%s: bad arguments\n", name);
    return 1;
  }

  gchar *data = NULL;
  gsize len = 0;
  GError *error = NULL;
  if (!g_file_get_contents (argv[5], &data, &len, &error)
      || len != (size_t) c * h * w * 4) {
    fprintf (stderr, "%s: %s\n", argv[5], error ? error->message : "wrong size");
    return 1;
  }
  SrRuntime *rt = sr_test_runtime ();
  cl_command_queue q = sr_test_queue ();
  SrTensor *in = sr_test_upload ((const float *) data, 1, c, h, w);
  SrTensor *out = sr_tensor_new (rt, 1, oc, oh, ow, SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  const SrView vi = sr_view (in), vo = sr_view (out);
  SrStatus st;
  if (g_str_has_prefix (name, "shuffle") || !strcmp (name, "unshuffle")) {
    SrNnShuffle *k = sr_nn_shuffle_new (rt, SR_DTYPE_F32, &error);
    g_assert_no_error (error);
    st = !strcmp (name, "unshuffle") ? sr_nn_pixel_unshuffle_run (k, q, vi, vo, i0)
        : sr_nn_pixel_shuffle_run (k, q, vi, vo, i0,
        strcmp (name, "shuffle-dcr") ? SR_SHUFFLE_CRD : SR_SHUFFLE_DCR);
    clFinish (q);
    sr_nn_shuffle_free (k);
  } else if (g_str_has_prefix (name, "upsample")) {
    SrNnUpsample *k = sr_nn_upsample_new (rt, SR_DTYPE_F32, &error);
    g_assert_no_error (error);
    st = sr_nn_upsample_run (k, q, vi, vo, i0, strcmp (name, "upsample-nearest")
        ? SR_UPSAMPLE_BILINEAR : SR_UPSAMPLE_NEAREST);
    clFinish (q);
    sr_nn_upsample_free (k);
  } else if (g_str_has_prefix (name, "pad")) {
    SrNnTile *k = sr_nn_tile_new (rt, SR_DTYPE_F32, &error);
    g_assert_no_error (error);
    st = sr_nn_pad_run (k, q, vi, vo, i0, i1, i2, i3,
        strcmp (name, "pad-zero") ? SR_PAD_REFLECT : SR_PAD_ZERO);
    clFinish (q);
    sr_nn_tile_free (k);
  } else {
    SrNnPool *k = sr_nn_pool_new (rt, &error);
    g_assert_no_error (error);
    if (!strcmp (name, "maxpool"))
      st = sr_nn_max_pool_run (k, q, vi, vo, i0, i1);
    else if (!strcmp (name, "avgpool"))
      st = sr_nn_global_avg_pool_run (k, q, vi, vo);
    else
      st = sr_nn_l2_normalize_run (k, q, vi, vo, (float) a[0]);
    clFinish (q);
    sr_nn_pool_free (k);
  }
  if (st != SR_OK) {
    fprintf (stderr, "%s: %s\n", name, sr_status_name (st));
    return 1;
  }
  float *res = sr_test_download (out);
  if (!g_file_set_contents (argv[6], (const gchar *) res,
          (gssize) sr_tensor_numel (out) * 4, &error)) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  printf ("%d %d %d\n", oc, oh, ow);
  g_free (res);
  g_free (data);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  return 0;
}
