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

#include <glib/gstdio.h>

#include <stdlib.h>
#include <string.h>

static gchar *json_path, *shard_path;

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (!json_path) {
    const gchar *dir = sr_fuzz_setup ("sr-fuzz-tfjs");
    json_path = g_build_filename (dir, "model.json", NULL);
    shard_path = g_build_filename (dir, "w.bin", NULL);
  }
  const uint8_t *sep = size ? memchr (data, 0, size) : NULL;
  const size_t json_len = sep ? (size_t) (sep - data) : size;
  sr_fuzz_write_file (json_path, data, json_len);
  if (sep)
    sr_fuzz_write_file (shard_path, sep + 1, size - json_len - 1);
  else
    g_unlink (shard_path);

  GError *error = NULL;
  SrGraph *g = sr_tfjs_load (json_path, 0, &error);
  if (!g) {
    sr_fuzz_refused ("sr_tfjs_load", error);
    return 0;
  }
  sr_fuzz_loaded = 1;
  /* A small odd size: 'valid' convolutions may make it too small, which
   * must be an error too. */
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
