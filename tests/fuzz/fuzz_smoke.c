/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A fuzz target without libFuzzer (linked with one fuzz_<target>.c): runs
 * LLVMFuzzerTestOneInput once over every file of the seed corpus, so every
 * build checks the harness and the loader on the seeds. Seeds named valid-*
 * must load, bad-* must not. */
#include "fuzz_target.h"

#include <glib.h>
#include <string.h>

int
main (int argc, char **argv)
{
  if (argc != 2) {
    g_printerr ("usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  GError *error = NULL;
  GDir *dir = g_dir_open (argv[1], 0, &error);
  if (!dir) {
    g_printerr ("%s\n", error->message);
    return 1;
  }
  int runs = 0, failures = 0;
  const char *name;
  while ((name = g_dir_read_name (dir))) {
    gchar *path = g_build_filename (argv[1], name, NULL);
    gchar *data;
    gsize len;
    if (!g_file_get_contents (path, &data, &len, &error)) {
      g_printerr ("%s\n", error->message);
      return 1;
    }
    LLVMFuzzerTestOneInput ((const uint8_t *) data, len);
    const gboolean want = g_str_has_prefix (name, "valid-");
    const gboolean checked = want || g_str_has_prefix (name, "bad-");
    g_print ("%s: %s%s%s\n", name, sr_fuzz_loaded ? "loaded" : "refused: ",
        sr_fuzz_loaded ? "" : sr_fuzz_message,
        checked && want != sr_fuzz_loaded ? " (UNEXPECTED)" : "");
    failures += checked && want != sr_fuzz_loaded;
    runs++;
    g_free (data);
    g_free (path);
  }
  g_dir_close (dir);
  g_print ("%d inputs, %d unexpected\n", runs, failures);
  return runs > 0 && failures == 0 ? 0 : 1;
}
