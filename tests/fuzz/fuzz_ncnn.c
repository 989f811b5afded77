/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for sr_ncnn_load: each input is written as model.param
 * (and model.bin beside it) into one temp folder of this process, loaded,
 * and a loaded graph's sizes, reach and cost are worked out. A crash, an
 * ASan/UBSan report, a GLib critical or warning (made fatal here), or a
 * refusal without an SR_MODEL_ERROR is a finding.
 *
 * Input: the .param text, then optionally a NUL byte and the bytes of the
 * .bin (without one, there is no .bin). */
#include "fuzz_target.h"
#include "sr_ncnn.h"

#include <glib/gstdio.h>

#include <stdlib.h>
#include <string.h>

static gchar *param_path, *bin_path;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (!param_path) {
    const gchar *dir = sr_fuzz_setup ("sr-fuzz-ncnn");
    param_path = g_build_filename (dir, "model.param", NULL);
    bin_path = sr_ncnn_bin_path (param_path);
  }
  const uint8_t *sep = size ? memchr (data, 0, size) : NULL;
  const size_t param_len = sep ? (size_t) (sep - data) : size;
  sr_fuzz_write_file (param_path, data, param_len);
  if (sep)
    sr_fuzz_write_file (bin_path, sep + 1, size - param_len - 1);
  else
    g_unlink (bin_path);

  GError *error = NULL;
  SrGraph *g = sr_ncnn_load (param_path, &error);
  if (!g) {
    sr_fuzz_refused ("sr_ncnn_load", error);
    return 0;
  }
  sr_fuzz_loaded = 1;
  /* A small odd size: strided or unpadded convolutions may make it too
   * small, which must be an error too. */
  int *vh = g_new (int, g->values->len), *vw = g_new (int, g->values->len);
  if (!sr_graph_infer_sizes (g, 9, 7, vh, vw, &error)) {
    if (!error || error->domain != SR_MODEL_ERROR)
      abort ();
    g_clear_error (&error);
  }
  g_free (vh);
  g_free (vw);
  if (sr_graph_receptive_radius (g) < 0 || sr_graph_macs_per_input_pixel (g) < 0)
    abort ();
  sr_graph_free (g);
  return 0;
}
