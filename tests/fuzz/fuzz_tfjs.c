/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for sr_tfjs_load: each input is written as model.json
 * (and its weight shard) into one temp folder of this process, loaded, and
 * a loaded graph's sizes, reach and cost are worked out. A crash, an
 * ASan/UBSan report, a GLib critical or warning (made fatal here), or a
 * refusal without an SR_MODEL_ERROR is a finding.
 *
 * Input: model.json's text, then optionally a NUL byte and the bytes of the
 * weight shard "w.bin" beside it. */
#include "fuzz_target.h"
#include "sr_tfjs.h"

static gchar *json_path, *shard_path;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (!json_path) {
    const gchar *dir = sr_fuzz_setup ("sr-fuzz-tfjs");
    json_path = g_build_filename (dir, "model.json", NULL);
    shard_path = g_build_filename (dir, "w.bin", NULL);
  }
  sr_fuzz_write_pair (data, size, json_path, shard_path);

  GError *error = NULL;
  SrGraph *g = sr_tfjs_load (json_path, 0, &error);
  if (!g) {
    sr_fuzz_refused ("sr_tfjs_load", error);
    return 0;
  }
  sr_fuzz_loaded = 1;
  sr_fuzz_check_graph (g);
  sr_graph_free (g);
  return 0;
}
