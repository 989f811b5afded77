/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for sr_tfjs_load: each input is written as model.json
 * (and its weight shard) into one temp folder of this process, loaded, and
 * a loaded graph's sizes, reach and cost are worked out. A crash, an
 * ASan/UBSan report, a GLib critical or warning (made fatal here), or a
 * refusal without an SR_MODEL_ERROR is a finding. */
#include "fuzz_tfjs.h"
#include "sr_tfjs.h"
#include "sr_test_data.h"

#include <stdio.h>
#include <stdlib.h>

int sr_fuzz_tfjs_loaded;
char sr_fuzz_tfjs_message[200];

static gchar *dir, *json_path, *shard_path;

static void
remove_dir (void)
{
  sr_test_rmtree (dir);
}

/* json-glib's g_return_val_if_fail on a node of the wrong type is a loader
 * bug (it read a member without checking its type). GLib's own fatal path
 * raises SIGTRAP, which libFuzzer does not catch: abort () makes it save
 * the input. */
static void
fatal_log (const gchar *domain, GLogLevelFlags level, const gchar *message,
    gpointer user_data)
{
  g_log_default_handler (domain, level, message, user_data);
  if (level & (G_LOG_LEVEL_ERROR | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING))
    abort ();
}

static void
setup (void)
{
  if (dir)
    return;
  g_log_set_default_handler (fatal_log, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  dir = sr_test_tmpdir ("sr-fuzz-tfjs");
  json_path = g_build_filename (dir, "model.json", NULL);
  shard_path = g_build_filename (dir, "w.bin", NULL);
  atexit (remove_dir);
}

static void
write_file (const char *path, const uint8_t *data, size_t size)
{
  GError *error = NULL;
  if (!g_file_set_contents (path, (const char *) data, size, &error))
    g_error ("cannot write %s: %s", path, error->message);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  setup ();
  const uint8_t *sep = size ? memchr (data, 0, size) : NULL;
  const size_t json_len = sep ? (size_t) (sep - data) : size;
  write_file (json_path, data, json_len);
  if (sep)
    write_file (shard_path, sep + 1, size - json_len - 1);
  else
    g_unlink (shard_path);

  GError *error = NULL;
  SrGraph *g = sr_tfjs_load (json_path, 0, &error);
  sr_fuzz_tfjs_loaded = g != NULL;
  if (!g) {
    if (!error || error->domain != SR_MODEL_ERROR || !error->message[0]) {
      fprintf (stderr, "sr_tfjs_load refused the model without an "
          "SR_MODEL_ERROR (%s)\n", error ? error->message : "no error");
      abort ();
    }
    g_strlcpy (sr_fuzz_tfjs_message, error->message,
        sizeof sr_fuzz_tfjs_message);
    g_error_free (error);
    return 0;
  }
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
