/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Runs the similarity op on two raw float32 planar RGB pictures ([3][H][W]
 * in [0,1]), so that tests/reference can compare it with BasicSR's and
 * scikit-image's metrics:
 *
 *   sr_similarity_tool H W CROP rgb|y gaussian|uniform7 A.f32 B.f32
 *
 * Prints one line per channel: "sse ssim cs n n_valid" (%.17g). Exit 77
 * without an OpenCL device or without double precision. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_similarity.h"
#include "sr_test_util.h"

static SrTensor *
planes_of (SrSimilarityOp *op, const char *path, int h, int w, int crop,
    SrPlanes mode)
{
  gchar *data;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, NULL)
      || len != (gsize) 3 * h * w * sizeof (float)) {
    fprintf (stderr, "bad input %s (%dx%d)\n", path, w, h);
    exit (2);
  }
  SrTensor *rgb = sr_test_upload ((const float *) data, 1, 3, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1,
      mode == SR_PLANES_RGB ? 3 : 1, h - 2 * crop, w - 2 * crop, SR_DTYPE_F64,
      NULL);
  if (!out || sr_similarity_planes (op, sr_test_queue (), rgb, crop, mode,
          out) != SR_OK) {
    fprintf (stderr, "planes failed\n");
    exit (1);
  }
  sr_tensor_unref (rgb);
  g_free (data);
  return out;
}

int
main (int argc, char **argv)
{
  if (argc != 8) {
    fprintf (stderr, "usage: %s H W CROP rgb|y gaussian|uniform7 A.f32 B.f32\n",
        argv[0]);
    return 2;
  }
  const int h = atoi (argv[1]), w = atoi (argv[2]), crop = atoi (argv[3]);
  const SrPlanes mode = !strcmp (argv[4], "y") ? SR_PLANES_Y_BASICSR
      : SR_PLANES_RGB;
  const SrWindow window = !strcmp (argv[5], "uniform7") ? SR_WINDOW_UNIFORM7
      : SR_WINDOW_GAUSSIAN11;
  if (h < 1 || w < 1 || crop < 0 || 2 * crop >= h || 2 * crop >= w) {
    fprintf (stderr, "bad size %dx%d crop %d\n", w, h, crop);
    return 2;
  }
  GError *error = NULL;
  SrSimilarityOp *op = sr_similarity_new (sr_test_runtime (), &error);
  if (!op) {
    fprintf (stderr, "%s\n", error->message);
    return SR_TEST_EXIT_SKIP;
  }
  SrTensor *a = planes_of (op, argv[6], h, w, crop, mode);
  SrTensor *b = planes_of (op, argv[7], h, w, crop, mode);
  SrSimilarity res[3];
  /* Data range 255: C1 = (0.01 * 255)^2, C2 = (0.03 * 255)^2. */
  const double c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255);
  if (sr_similarity_run (op, sr_test_queue (), a, b, window, c1, c2, FALSE,
          res) != SR_OK) {
    fprintf (stderr, "run failed\n");
    return 1;
  }
  for (int c = 0; c < a->c; c++)
    printf ("%.17g %.17g %.17g %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
        res[c].sse, res[c].ssim, res[c].cs, res[c].n, res[c].n_valid);
  sr_tensor_unref (a);
  sr_tensor_unref (b);
  sr_similarity_free (op);
  return 0;
}
