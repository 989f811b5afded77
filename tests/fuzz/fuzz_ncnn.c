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

static gchar *param_path, *bin_path;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (!param_path) {
    const gchar *dir = sr_fuzz_setup ("sr-fuzz-ncnn");
    param_path = g_build_filename (dir, "model.param", NULL);
    bin_path = sr_ncnn_bin_path (param_path);
  }
  sr_fuzz_write_pair (data, size, param_path, bin_path);

  GError *error = NULL;
  SrGraph *g = sr_ncnn_load (param_path, &error);
  if (!g) {
    sr_fuzz_refused ("sr_ncnn_load", error);
    return 0;
  }
  sr_fuzz_loaded = 1;
  sr_fuzz_check_graph (g);
  sr_graph_free (g);
  return 0;
}
