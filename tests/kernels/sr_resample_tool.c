/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs the resample op on a raw float32 planar image, so that the Python
 * reference tests can compare it with real PyTorch / OpenCV:
 *
 *   sr_resample_tool SEMANTICS MODE C H W OUT_H OUT_W FACTOR IN.f32 OUT.f32
 *
 * SEMANTICS is torch, opencv or matlab; MODE nearest, bilinear, bicubic or
 * area; or `pil lanczos` (Pillow's Lanczos-3, size path only). FACTOR > 0 selects PyTorch's scale_factor path (OUT_H/OUT_W are then
 * computed, pass 0) or MATLAB's scale; 0 is the size path. Prints the output
 * size "OUT_H OUT_W" on stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_resample.h"
#include "sr_test_util.h"

static gboolean
parse_mode (const char *s, SrResizeMode *mode)
{
  static const char *names[] = { "nearest", "bilinear", "bicubic", "area" };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (!strcmp (s, names[i])) {
      *mode = (SrResizeMode) i;
      return TRUE;
    }
  return FALSE;
}

/* One axis of torch or matlab; FALSE when not supported. */
static gboolean
make_table (SrTapTable *t, const char *sem, SrResizeMode mode, int in_len,
    int *out_len, double factor)
{
  if (!strcmp (sem, "torch")) {
    if (factor > 0)
      *out_len = sr_torch_out_len (in_len, factor, mode);
    return *out_len > 0 && sr_taps_torch (t, mode, in_len, *out_len, factor);
  }
  if (!strcmp (sem, "pil")) {
    /* mode is "lanczos", the only Pillow filter we have */
    (void) mode;
    if (factor > 0 || *out_len < 1)
      return FALSE;
    sr_taps_pil_lanczos3 (t, in_len, *out_len);
    return TRUE;
  }
  if (!strcmp (sem, "matlab") && mode == SR_RESIZE_BICUBIC && factor > 0) {
    *out_len = sr_matlab_out_len (in_len, factor);
    sr_taps_matlab_bicubic (t, in_len, *out_len, factor, TRUE);
    return TRUE;
  }
  return FALSE;
}

int
main (int argc, char **argv)
{
  SrResizeMode mode;
  const gboolean pil = argc == 11 && !strcmp (argv[1], "pil")
      && !strcmp (argv[2], "lanczos");
  if (pil)
    mode = SR_RESIZE_BICUBIC;   /* unused by the pil tables */
  if (argc != 11 || (!pil && !parse_mode (argv[2], &mode))) {
    fprintf (stderr, "usage: %s torch|opencv|matlab nearest|bilinear|bicubic|"
        "area, or pil lanczos, C H W OUT_H OUT_W FACTOR IN.f32 OUT.f32\n", argv[0]);
    return 2;
  }
  const int c = atoi (argv[3]), h = atoi (argv[4]), w = atoi (argv[5]);
  int oh = atoi (argv[6]), ow = atoi (argv[7]);
  const double factor = g_ascii_strtod (argv[8], NULL);
  SrTapTable rows = { 0 }, cols = { 0 };
  gboolean ok = c > 0 && h > 0 && w > 0;
  if (ok && !strcmp (argv[1], "opencv"))
    ok = oh > 0 && ow > 0
        && sr_taps_opencv_2d (&rows, &cols, mode, h, w, oh, ow);
  else if (ok)
    ok = make_table (&rows, argv[1], mode, h, &oh, factor)
        && make_table (&cols, argv[1], mode, w, &ow, factor);
  if (!ok) {
    fprintf (stderr, "unsupported: %s %s %dx%d -> %dx%d factor %g\n", argv[1],
        argv[2], w, h, ow, oh, factor);
    return 2;
  }

  const size_t n = (size_t) c * h * w, m = (size_t) c * oh * ow;
  gchar *data = NULL;
  gsize len = 0;
  GError *error = NULL;
  if (!g_file_get_contents (argv[9], &data, &len, &error) || len != n * 4) {
    fprintf (stderr, "%s: %s\n", argv[9], error ? error->message
        : "wrong size");
    return 1;
  }
  SrResample *op = sr_resample_new (sr_test_runtime (), &error);
  if (!op) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  SrTensor *in = sr_test_upload ((const float *) data, 1, c, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, c, oh, ow,
      SR_DTYPE_F32, &error);
  if (!out || sr_resample_run (op, sr_test_queue (), in, out, &rows,
          &cols) != SR_OK) {
    fprintf (stderr, "resample failed\n");
    return 1;
  }
  float *res = sr_test_download (out);
  if (!g_file_set_contents (argv[10], (const gchar *) res, m * 4, &error)) {
    fprintf (stderr, "%s\n", error->message);
    return 1;
  }
  printf ("%d %d\n", oh, ow);

  g_free (res);
  g_free (data);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  sr_tap_table_clear (&rows);
  sr_tap_table_clear (&cols);
  sr_resample_free (op);
  return 0;
}
