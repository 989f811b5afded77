/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sample data for the tests, and how a test says it could not run.
 *
 * The tests read real pictures and video from Debian's opencv-doc package.
 * SR_TEST_DATA names another folder holding the same files. A test whose
 * input is missing must report a skip (exit 77 for meson, "# SKIP" in TAP),
 * never a pass: these helpers are the one way every C test finds its data
 * and says so. */
#pragma once

#include <glib.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>

/* Meson reads this exit status as SKIP. */
#define SR_TEST_EXIT_SKIP 77

/* The folder the sample files are read from. */
static inline const char *
sr_test_data_dir (void)
{
  const char *dir = g_getenv ("SR_TEST_DATA");
  return dir && *dir ? dir : "/usr/share/doc/opencv-doc/examples/data";
}

/* The full path of sample `name` (g_free it), or NULL when it is missing,
 * after printing which file and package are missing. */
static inline gchar *
sr_test_data_path (const char *name)
{
  gchar *path = g_build_filename (sr_test_data_dir (), name, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return path;
  g_printerr ("# sample %s missing (install Debian's opencv-doc or set "
      "SR_TEST_DATA)\n", path);
  g_free (path);
  return NULL;
}

/* Removes `path` and everything below it (no shell, no symlink following). */
static inline void
sr_test_rmtree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  if (dir) {
    const char *entry;
    while ((entry = g_dir_read_name (dir))) {
      gchar *child = g_build_filename (path, entry, NULL);
      if (g_file_test (child, G_FILE_TEST_IS_DIR)
          && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        sr_test_rmtree (child);
      else
        g_unlink (child);
      g_free (child);
    }
    g_dir_close (dir);
  }
  g_rmdir (path);
}

/* A new empty directory under the system temp folder whose name starts with
 * `prefix` (g_free the result; sr_test_rmtree it when done). */
static inline gchar *
sr_test_tmpdir (const char *prefix)
{
  GError *error = NULL;
  gchar *templ = g_strdup_printf ("%s-XXXXXX", prefix);
  gchar *dir = g_dir_make_tmp (templ, &error);
  g_free (templ);
  if (!dir)
    g_error ("cannot create a temp directory: %s", error->message);
  return dir;
}
