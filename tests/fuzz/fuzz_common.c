/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "fuzz_target.h"
#include "sr_graph.h"
#include "sr_test_data.h"

#include <glib/gstdio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int sr_fuzz_loaded;
char sr_fuzz_message[200];

static gchar *dir;

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

const gchar *
sr_fuzz_setup (const char *name)
{
  if (dir)
    return dir;
  g_log_set_default_handler (fatal_log, NULL);
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_WARNING);
  dir = sr_test_tmpdir (name);
  atexit (remove_dir);
  return dir;
}

void
sr_fuzz_write_file (const char *path, const uint8_t *data, size_t size)
{
  GError *error = NULL;
  if (!g_file_set_contents (path, (const char *) data, size, &error))
    g_error ("cannot write %s: %s", path, error->message);
}

void
sr_fuzz_refused (const char *loader, GError *error)
{
  sr_fuzz_loaded = 0;
  if (!error || error->domain != SR_MODEL_ERROR || !error->message[0]) {
    fprintf (stderr, "%s refused the model without an SR_MODEL_ERROR (%s)\n",
        loader, error ? error->message : "no error");
    abort ();
  }
  g_strlcpy (sr_fuzz_message, error->message, sizeof sr_fuzz_message);
  g_error_free (error);
}

void
sr_fuzz_write_pair (const uint8_t *data, size_t size, const char *first_path,
    const char *second_path)
{
  const uint8_t *sep = size ? memchr (data, 0, size) : NULL;
  const size_t first_len = sep ? (size_t) (sep - data) : size;
  sr_fuzz_write_file (first_path, data, first_len);
  if (sep)
    sr_fuzz_write_file (second_path, sep + 1, size - first_len - 1);
  else
    g_unlink (second_path);
}

void
sr_fuzz_check_graph (const SrGraph *g)
{
  /* A size every unshuffle factor and stride divides, and a small odd one
   * that strided, unpadded or unshuffling graphs refuse (which must be an
   * SR_MODEL_ERROR too). */
  static const int sizes[2][2] = { { 8, 12 }, { 9, 7 } };
  int *vh = g_new (int, g->values->len), *vw = g_new (int, g->values->len);
  for (int i = 0; i < 2; i++) {
    GError *error = NULL;
    if (!sr_graph_infer_sizes (g, sizes[i][0], sizes[i][1], vh, vw, &error)) {
      if (!error || error->domain != SR_MODEL_ERROR)
        abort ();
      g_clear_error (&error);
    }
  }
  g_free (vh);
  g_free (vw);
  if (sr_graph_receptive_radius (g) < 0 || sr_graph_macs_per_input_pixel (g) < 0)
    abort ();
}
