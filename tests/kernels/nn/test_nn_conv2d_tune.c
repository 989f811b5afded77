/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The convolution engine's tuning cache: a layer is measured once per
 * device, the fastest measured candidate is kept and written down, later
 * ops look it up instead of measuring, bad cache content is ignored or
 * replaced (never trusted, never a crash), and SR_NN_CONV2D pins. The
 * numbers each candidate computes are checked in test_nn_conv2d (every
 * candidate against the plain-C reference); here the subject is the
 * choice and its record. */
#include <errno.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_nn_conv2d.h"
#include "sr_test_data.h"
#include "sr_test_util.h"

static const SrNnConv2dParams layer = {
  .cin = 32, .cout = 32, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1,
  .pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
  .act = {.kind = SR_ACT_RELU},
};

static float weights[32 * 32 * 9];

static char *
read_file (const char *path)
{
  char *data = NULL;
  if (!g_file_get_contents (path, &data, NULL, NULL))
    return NULL;
  return data;
}

static void
append (const char *path, const char *text)
{
  char *old = read_file (path);
  char *all = g_strconcat (old ? old : "", text, NULL);
  g_assert_true (g_file_set_contents (path, all, -1, NULL));
  g_free (all);
  g_free (old);
}

static SrNnConv2d *
new_op (const SrNnConv2dParams *p)
{
  GError *error = NULL;
  SrNnConv2d *op = sr_nn_conv2d_new (sr_test_runtime (), p, weights, NULL,
      NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (op);
  return op;
}

/* The last choice line of the file that names a strategy: its key, and
 * the choice. */
static char *
last_choice (const char *data, SrNnConv2dChoice *c)
{
  char *key = NULL;
  char **lines = g_strsplit (data, "\n", -1);
  for (char **l = lines; *l; l++) {
    char **f = g_strsplit (*l, "\t", -1);
    SrNnConv2dStrategy s;
    if (**l != '#' && g_strv_length (f) == 5
        && sr_nn_conv2d_strategy_from_name (f[1], &s)) {
      g_free (key);
      key = g_strdup (f[0]);
      c->strategy = s;
      c->ocb = atoi (f[2]);
      c->px = atoi (f[3]);
    }
    g_strfreev (f);
  }
  g_strfreev (lines);
  g_assert_nonnull (key);
  return key;
}

static void
assert_runs (SrNnConv2d *op, SrNnConv2dStrategy s, int ocb, int px)
{
  int got_ocb, got_px;
  g_assert_cmpint (sr_nn_conv2d_strategy (op, &got_ocb, &got_px), ==, s);
  g_assert_cmpint (got_ocb, ==, ocb);
  g_assert_cmpint (got_px, ==, px);
}

/* First use measures every candidate and keeps the fastest; the second
 * looks it up and measures nothing. */
static void
test_measure_then_look_up (void)
{
  char *path = sr_nn_conv2d_tuning_path (sr_test_runtime ());
  g_unlink (path);
  SrNnConv2d *op = new_op (&layer);
  char *data = read_file (path);
  g_assert_nonnull (data);
  g_assert_true (g_str_has_prefix (data, "# gst-sr conv2d tuning 2\t"));

  /* The measurement line lists every candidate with its median time. */
  SrNnConv2dChoice cand[32];
  const int n = sr_nn_conv2d_candidates (sr_test_runtime (), &layer, cand,
      G_N_ELEMENTS (cand));
  g_assert_cmpint (n, >=, 2);
  char **lines = g_strsplit (data, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[1], "# "));
  double best = G_MAXDOUBLE;
  SrNnConv2dChoice fastest = { 0 };
  for (int i = 0; i < n; i++) {
    char *item = g_strdup_printf (" %s:%dx%d=",
        sr_nn_conv2d_strategy_name (cand[i].strategy), cand[i].ocb,
        cand[i].px);
    const char *at = strstr (lines[1], item);
    g_assert_nonnull (at);
    const double ms = g_ascii_strtod (at + strlen (item), NULL);
    g_assert_cmpfloat (ms, >, 0);
    if (ms < best) {
      best = ms;
      fastest = cand[i];
    }
    g_free (item);
  }
  g_strfreev (lines);

  /* ... the choice is the fastest of them, and the op runs it. */
  SrNnConv2dChoice chosen;
  char *key = last_choice (data, &chosen);
  g_assert_cmpint (chosen.strategy, ==, fastest.strategy);
  g_assert_cmpint (chosen.ocb, ==, fastest.ocb);
  g_assert_cmpint (chosen.px, ==, fastest.px);
  assert_runs (op, chosen.strategy, chosen.ocb, chosen.px);
  sr_nn_conv2d_free (op);

  /* Looked up: nothing measured, nothing written. */
  op = new_op (&layer);
  char *again = read_file (path);
  g_assert_cmpstr (again, ==, data);
  assert_runs (op, chosen.strategy, chosen.ocb, chosen.px);
  sr_nn_conv2d_free (op);

  /* What the file says is what runs: a planted choice (the general
   * kernel, never the fastest here) is taken without measuring. */
  char *planted = g_strdup_printf ("%s\tgeneral\t16\t4\t1.0\n", key);
  append (path, planted);
  char *with_plant = read_file (path);
  op = new_op (&layer);
  assert_runs (op, SR_NN_CONV2D_GENERAL, 16, 4);
  sr_nn_conv2d_free (op);
  g_free (again);
  again = read_file (path);
  g_assert_cmpstr (again, ==, with_plant);

  g_free (with_plant);
  g_free (planted);
  g_free (again);
  g_free (key);
  g_free (data);
  g_free (path);
}

/* Lines that do not parse are skipped; a parsed choice that is not a
 * candidate any more is measured again; a file that is not this format's
 * is replaced. */
static void
test_bad_entries (void)
{
  char *path = sr_nn_conv2d_tuning_path (sr_test_runtime ());
  g_unlink (path);
  sr_nn_conv2d_free (new_op (&layer));
  char *data = read_file (path);
  SrNnConv2dChoice chosen;
  char *key = last_choice (data, &chosen);

  /* Garbage after the valid choice: ignored, the choice stands. */
  char *junk = g_strdup_printf ("%s\tbogus\t16\t4\t1\n%s\tdirect\tabc\t4\t1\n"
      "%s\tdirect\t16\n%s\tdirect\t-16\t4\t1\n%s\tdirect\t99999999999\t4\t1\n"
      "\t\t\t\t\n%s", key, key, key, key, key, key);
  append (path, junk);
  SrNnConv2d *op = new_op (&layer);
  assert_runs (op, chosen.strategy, chosen.ocb, chosen.px);
  sr_nn_conv2d_free (op);

  /* A well-formed line naming a blocking no kernel offers: measured again,
   * and the new choice appended on a line of its own after the torn line
   * that ends the file. */
  char *odd = g_strdup_printf ("\n%s\tdirect\t12\t99\t0.1\n%s\tdir", key,
      key);
  append (path, odd);
  op = new_op (&layer);
  char *after = read_file (path);
  SrNnConv2dChoice again;
  char *key2 = last_choice (after, &again);
  g_assert_cmpstr (key2, ==, key);
  g_assert_false (again.ocb == 12 && again.px == 99);
  assert_runs (op, again.strategy, again.ocb, again.px);
  sr_nn_conv2d_free (op);

  /* Another format version, and binary junk: the file is replaced. */
  const char *bad_files[] = {
    "# gst-sr conv2d tuning 999\tsomething\n",
    "\x7f" "ELF\x02\x01\x01\0\0\0\0",
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad_files); i++) {
    g_assert_true (g_file_set_contents (path, bad_files[i], i == 1 ? 11 : -1,
            NULL));
    sr_nn_conv2d_free (new_op (&layer));
    char *fresh = read_file (path);
    g_assert_nonnull (fresh);
    g_assert_true (g_str_has_prefix (fresh, "# gst-sr conv2d tuning 2\t"));
    g_free (fresh);
  }

  /* A cache that cannot be read or written (a directory where the file
   * goes): measured every time, and the op still works. */
  g_unlink (path);
  g_assert_cmpint (g_mkdir (path, 0755), ==, 0);
  sr_nn_conv2d_free (new_op (&layer));
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_DIR));
  g_assert_cmpint (g_rmdir (path), ==, 0);

  g_free (key2);
  g_free (after);
  g_free (odd);
  g_free (junk);
  g_free (key);
  g_free (data);
  g_free (path);
}

static void
test_pins (void)
{
  SrRuntime *rt = sr_test_runtime ();
  GError *error = NULL;

  g_setenv ("SR_NN_CONV2D", "general", TRUE);
  SrNnConv2d *op = new_op (&layer);
  assert_runs (op, SR_NN_CONV2D_GENERAL, 16, 4);
  sr_nn_conv2d_free (op);

  g_setenv ("SR_NN_CONV2D", "direct:16x8", TRUE);
  op = new_op (&layer);
  assert_runs (op, SR_NN_CONV2D_DIRECT, 16, 8);
  sr_nn_conv2d_free (op);

  /* A strategy without a blocking: measured among its own blockings. */
  g_setenv ("SR_NN_CONV2D", "direct", TRUE);
  op = new_op (&layer);
  g_assert_cmpint (sr_nn_conv2d_strategy (op, NULL, NULL), ==,
      SR_NN_CONV2D_DIRECT);
  sr_nn_conv2d_free (op);

  /* Where the pinned strategy does not reach (7x7 has no direct
   * kernel), the others. */
  SrNnConv2dParams wide = layer;
  wide.kh = wide.kw = 7;
  float *w = g_new0 (float, 32 * 32 * 49);
  op = sr_nn_conv2d_new (rt, &wide, w, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sr_nn_conv2d_strategy (op, NULL, NULL), ==,
      SR_NN_CONV2D_GENERAL);
  sr_nn_conv2d_free (op);
  g_free (w);

  const char *bad[] = { "fastest", "direct:16", "direct:ax4", "auto:16x4",
    "direct:16x4x2", ":"
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    g_setenv ("SR_NN_CONV2D", bad[i], TRUE);
    g_assert_null (sr_nn_conv2d_new (rt, &layer, weights, NULL, NULL,
            &error));
    g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
    g_assert_nonnull (strstr (error->message, "SR_NN_CONV2D"));
    g_clear_error (&error);
  }
  /* A pinned blocking the kernel refuses is the kernel's error. */
  g_setenv ("SR_NN_CONV2D", "direct:12x4", TRUE);
  g_assert_null (sr_nn_conv2d_new (rt, &layer, weights, NULL, NULL, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_unsetenv ("SR_NN_CONV2D");
}

int
main (int argc, char **argv)
{
  /* A cache of our own: the test deletes and plants entries. Set before
   * GLib reads it. */
  char *dir = sr_test_tmpdir ("conv2d-tune");
  g_setenv ("XDG_CACHE_HOME", dir, TRUE);
  g_unsetenv ("SR_NN_CONV2D");
  sr_test_init (&argc, &argv);
  sr_test_fill_uniform (weights, G_N_ELEMENTS (weights), 7, -0.1f, 0.1f);
  g_test_add_func ("/nn/conv2d-tune/measure-then-look-up",
      test_measure_then_look_up);
  g_test_add_func ("/nn/conv2d-tune/bad-entries", test_bad_entries);
  g_test_add_func ("/nn/conv2d-tune/pins", test_pins);
  const int status = g_test_run ();
  sr_test_rmtree (dir);
  g_free (dir);
  return status;
}
