/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* models/sr_dataset: the on-disk dataset without a pipeline. Resume after
 * a torn line, name collisions, a full disk, unwritable folders, the lock,
 * name sanitising, and the JSON text of the lines. PNGs are read back with
 * libpng's own reader. */
#include "sr_dataset.h"
#include "sr_test_data.h"

#include <errno.h>
#include <math.h>
#include <png.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define W 32
#define H 24
#define S 4

/* A w x h RGB frame of noise (seeded), as an SrHostFrame over data. */
static SrHostFrame
noise_frame (guint8 **data, int w, int h, guint32 seed)
{
  GRand *r = g_rand_new_with_seed (seed);
  *data = g_malloc ((gsize) w * h * 3);
  for (gsize i = 0; i < (gsize) w * h * 3; i++)
    (*data)[i] = (guint8) g_rand_int (r);
  g_rand_free (r);
  SrHostFrame f = { .data = *data, .width = w, .height = h, .stride = w * 3,
    .layout = { 3, 0, 1, 2, -1 } };
  return f;
}

typedef struct {
  guint8 *hr_px, *lr_px;
  SrHostFrame hr, lr;
  SrDatasetPair pair;
} TestPair;

static void
test_pair_init (TestPair *t, const char *name, int w, int h, guint32 seed)
{
  t->hr = noise_frame (&t->hr_px, w, h, seed);
  t->lr = noise_frame (&t->lr_px, w / S, h / S, seed + 1000);
  SrDatasetPair p = { .name = name, .source = "test", .frame = seed,
    .hr = &t->hr, .lr = &t->lr, .hr_box = { 0, 0, w, h },
    .lr_box = { 0, 0, w / S, h / S }, .params = NULL, .compression = 0 };
  t->pair = p;
}

static void
test_pair_clear (TestPair *t)
{
  g_free (t->hr_px);
  g_free (t->lr_px);
}

static int
count_entries (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  int n = 0;
  while (d && g_dir_read_name (d))
    n++;
  if (d)
    g_dir_close (d);
  return n;
}

static gchar *
read_text (const char *dir, const char *file)
{
  gchar *p = g_build_filename (dir, file, NULL), *text = NULL;
  if (!g_file_get_contents (p, &text, NULL, NULL))
    text = g_strdup ("");
  g_free (p);
  return text;
}

static void
write_text (const char *dir, const char *file, const char *text)
{
  gchar *p = g_build_filename (dir, file, NULL);
  g_assert_true (g_file_set_contents (p, text, -1, NULL));
  g_free (p);
}

static guint
count_lines (const char *text)
{
  guint n = 0;
  for (const char *c = text; *c; c++)
    n += *c == '\n';
  return n;
}

static SrDataset *
open_x4 (const char *dir)
{
  GError *error = NULL;
  SrDataset *ds = sr_dataset_open (dir, &error);
  g_assert_no_error (error);
  g_assert_true (sr_dataset_set_scale (ds, S, &error));
  g_assert_no_error (error);
  return ds;
}

/* The PNG at dir/rel equals the frame's pixels (libpng's reader). */
static void
assert_png_equals (const char *dir, const char *rel, const SrHostFrame *f)
{
  gchar *p = g_build_filename (dir, rel, NULL);
  png_image img;
  memset (&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  g_assert_true (png_image_begin_read_from_file (&img, p));
  img.format = PNG_FORMAT_RGB;
  g_assert_cmpint (img.width, ==, f->width);
  g_assert_cmpint (img.height, ==, f->height);
  guint8 *buf = g_malloc (PNG_IMAGE_SIZE (img));
  g_assert_true (png_image_finish_read (&img, NULL, buf, 0, NULL));
  g_assert_cmpmem (buf, (gsize) f->width * f->height * 3, f->data,
      (gsize) f->width * f->height * 3);
  g_free (buf);
  g_free (p);
}

/* ---- resume ----------------------------------------------------------------- */

static void
test_write_and_resume (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  SrDataset *ds = open_x4 (dir);
  TestPair a, b;
  test_pair_init (&a, "a.png", W, H, 1);
  test_pair_init (&b, "b.png", W, H, 2);
  GError *error = NULL;
  g_assert_true (sr_dataset_write_pair (ds, &a.pair, &error));
  g_assert_no_error (error);
  assert_png_equals (dir, "HR/a.png", &a.hr);
  assert_png_equals (dir, "LR_x4/a.png", &a.lr);
  sr_dataset_close (ds);

  /* A crash while appending b's line: the torn line goes, a stays. */
  gchar *m = read_text (dir, "manifest.jsonl");
  gchar *torn = g_strconcat (m, "{\"name\":\"b.png\",\"sour", NULL);
  write_text (dir, "manifest.jsonl", torn);
  ds = sr_dataset_open (dir, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (sr_dataset_n_pairs (ds), ==, 1);
  g_assert_true (sr_dataset_contains (ds, "a.png"));
  g_assert_false (sr_dataset_contains (ds, "b.png"));
  g_assert_cmpint (sr_dataset_scale (ds), ==, S);
  gchar *cut = read_text (dir, "manifest.jsonl");
  g_assert_cmpstr (cut, ==, m);
  g_assert_true (sr_dataset_set_scale (ds, S, &error));
  g_assert_true (sr_dataset_write_pair (ds, &b.pair, &error));
  g_assert_no_error (error);
  sr_dataset_close (ds);
  gchar *mi = read_text (dir, "meta_info.txt");
  g_assert_cmpstr (mi, ==, "a.png (24,32,3)\nb.png (24,32,3)\n");
  gchar *m2 = read_text (dir, "manifest.jsonl");
  g_assert_cmpuint (count_lines (m2), ==, 2);
  g_free (m2);
  g_free (mi);
  g_free (cut);
  g_free (torn);
  g_free (m);
  test_pair_clear (&a);
  test_pair_clear (&b);
  sr_test_rmtree (dir);
  g_free (dir);
}

/* A kill between the manifest and the meta_info append: the next open adds
 * the missing meta_info line, once, in manifest order. */
static void
test_meta_info_repaired (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  SrDataset *ds = open_x4 (dir);
  TestPair a, b;
  test_pair_init (&a, "a.png", W, H, 1);
  test_pair_init (&b, "b.png", W, H, 2);
  g_assert_true (sr_dataset_write_pair (ds, &a.pair, NULL));
  g_assert_true (sr_dataset_write_pair (ds, &b.pair, NULL));
  sr_dataset_close (ds);
  write_text (dir, "meta_info.txt", "a.png (24,32,3)\n");
  ds = sr_dataset_open (dir, NULL);
  g_assert_nonnull (ds);
  sr_dataset_close (ds);
  ds = sr_dataset_open (dir, NULL);
  sr_dataset_close (ds);
  gchar *mi = read_text (dir, "meta_info.txt");
  g_assert_cmpstr (mi, ==, "a.png (24,32,3)\nb.png (24,32,3)\n");
  g_free (mi);
  test_pair_clear (&a);
  test_pair_clear (&b);
  sr_test_rmtree (dir);
  g_free (dir);
}

/* A complete line that is not a pair is not cut: the open fails naming
 * file:line, and the file is left as it was. */
static void
test_corrupt_line_refused (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  const char *text = "{\"name\":\"a.png\",\"crop\":[0,0,32,24],\"lr_crop\":[0,0,8,6]}\n"
      "not json\n";
  write_text (dir, "manifest.jsonl", text);
  GError *error = NULL;
  g_assert_null (sr_dataset_open (dir, &error));
  g_assert_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "manifest.jsonl:2"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  gchar *now = read_text (dir, "manifest.jsonl");
  g_assert_cmpstr (now, ==, text);
  g_free (now);
  sr_test_rmtree (dir);
  g_free (dir);
}

/* The generic JSONL piece (what srmetrics will write): every complete line
 * comes back as an object, blank lines are skipped, a torn one is cut. */
typedef struct {
  int n;
  gint64 sum;
} Collect;

static gboolean
collect (JsonObject *o, guint lineno, gpointer user, GError **error)
{
  Collect *c = user;
  (void) lineno;
  (void) error;
  c->n++;
  c->sum += json_object_get_int_member (o, "v");
  return TRUE;
}

static void
test_jsonl_resume (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  gchar *path = g_build_filename (dir, "metrics.jsonl", NULL);
  write_text (dir, "metrics.jsonl", "{\"v\":1}\n\n{\"v\":2}\n{\"v\":");
  Collect c = { 0, 0 };
  GError *error = NULL;
  SrLineFile *f = sr_jsonl_open (path, collect, &c, &error);
  g_assert_no_error (error);
  g_assert_cmpint (c.n, ==, 2);
  g_assert_cmpint (c.sum, ==, 3);
  JsonNode *n = json_from_string ("{\"v\":40}", NULL);
  g_assert_true (sr_jsonl_append (f, n, &error));
  json_node_unref (n);
  sr_line_file_close (f);
  gchar *text = read_text (dir, "metrics.jsonl");
  g_assert_cmpstr (text, ==, "{\"v\":1}\n\n{\"v\":2}\n{\"v\":40}\n");
  g_free (text);
  g_free (path);
  sr_test_rmtree (dir);
  g_free (dir);
}

/* ---- names ------------------------------------------------------------------ */

static void
test_name_collision (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  SrDataset *ds = open_x4 (dir);
  TestPair a, a2, c;
  test_pair_init (&a, "a.png", W, H, 1);
  test_pair_init (&a2, "a.png", W, H, 7);
  test_pair_init (&c, "c.png", W, H, 3);
  GError *error = NULL;
  g_assert_true (sr_dataset_write_pair (ds, &a.pair, &error));
  /* The same name again: refused, the first pair untouched. */
  g_assert_false (sr_dataset_write_pair (ds, &a2.pair, &error));
  g_assert_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_NAME);
  g_clear_error (&error);
  assert_png_equals (dir, "HR/a.png", &a.hr);
  assert_png_equals (dir, "LR_x4/a.png", &a.lr);
  /* A folder where the HR file should go: the write fails and leaves no
   * LR half, no temporary file and no line. */
  gchar *blocker = g_build_filename (dir, "HR", "c.png", NULL);
  g_assert_cmpint (g_mkdir (blocker, 0755), ==, 0);
  g_assert_false (sr_dataset_write_pair (ds, &c.pair, &error));
  g_assert_true (error != NULL && error->domain == G_FILE_ERROR);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  gchar *hr = g_build_filename (dir, "HR", NULL), *lr = g_build_filename (dir, "LR_x4", NULL);
  g_assert_cmpint (count_entries (hr), ==, 2);  /* a.png and the folder */
  g_assert_cmpint (count_entries (lr), ==, 1);
  g_assert_cmpuint (sr_dataset_n_pairs (ds), ==, 1);
  sr_dataset_close (ds);
  gchar *m = read_text (dir, "manifest.jsonl"), *mi = read_text (dir, "meta_info.txt");
  g_assert_cmpuint (count_lines (m), ==, 1);
  g_assert_cmpuint (count_lines (mi), ==, 1);
  g_free (m);
  g_free (mi);
  g_free (hr);
  g_free (lr);
  g_free (blocker);
  test_pair_clear (&a);
  test_pair_clear (&a2);
  test_pair_clear (&c);
  sr_test_rmtree (dir);
  g_free (dir);
}

static void
test_sanitise (void)
{
  const struct { const char *in, *drop, *keep; } cases[] = {
    { "Megamind.avi", "Megamind", "Megamind_avi" },
    { "../escape", "__", "___escape" },       /* ".." then "/escape": '.' is the ext */
    { "a b/\xc3\xa9\"c", "a_b____c", "a_b____c" },
    { ".hidden", "_hidden", "_hidden" },
    { "ok-1_2", "ok-1_2", "ok-1_2" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *d = sr_dataset_sanitize_stem (cases[i].in, TRUE);
    gchar *k = sr_dataset_sanitize_stem (cases[i].in, FALSE);
    g_assert_cmpstr (k, ==, cases[i].keep);
    /* Whatever the input: only [A-Za-z0-9_-] come out. */
    for (const char *p = d; *p; p++)
      g_assert_true (g_ascii_isalnum (*p) || *p == '-' || *p == '_');
    if (i != 1)
      g_assert_cmpstr (d, ==, cases[i].drop);
    g_free (d);
    g_free (k);
  }

  /* Names that would leave the dataset (or hide in it) are refused. */
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  gchar *inner = g_build_filename (dir, "ds", NULL);
  SrDataset *ds = open_x4 (inner);
  const char *bad[] = { "../x.png", "a/b.png", ".hidden.png", "a b.png", "" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    TestPair t;
    GError *error = NULL;
    test_pair_init (&t, bad[i], W, H, i);
    g_assert_false (sr_dataset_write_pair (ds, &t.pair, &error));
    g_assert_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_NAME);
    g_clear_error (&error);
    test_pair_clear (&t);
  }
  sr_dataset_close (ds);
  g_assert_cmpint (count_entries (dir), ==, 1);        /* ds only */
  gchar *hr = g_build_filename (inner, "HR", NULL);
  g_assert_cmpint (count_entries (hr), ==, 0);
  g_free (hr);
  g_free (inner);
  sr_test_rmtree (dir);
  g_free (dir);
}

/* ---- lock, scale -------------------------------------------------------------- */

static void
test_lock (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  GError *error = NULL;
  SrDataset *first = sr_dataset_open (dir, &error);
  g_assert_no_error (error);
  /* flock belongs to the open file: a second open in this very process is
   * refused as another process would be. */
  g_assert_null (sr_dataset_open (dir, &error));
  g_assert_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_LOCKED);
  g_assert_nonnull (strstr (error->message, dir));
  g_clear_error (&error);
  /* Another process too. */
  pid_t pid = fork ();
  if (pid == 0) {
    SrDirLock *l = sr_dir_lock (dir, NULL);
    _exit (l ? 1 : 0);
  }
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  sr_dataset_close (first);
  SrDataset *again = sr_dataset_open (dir, &error);
  g_assert_no_error (error);
  sr_dataset_close (again);
  sr_test_rmtree (dir);
  g_free (dir);
}

static void
test_other_scale_refused (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  SrDataset *ds = open_x4 (dir);
  TestPair a;
  test_pair_init (&a, "a.png", W, H, 1);
  g_assert_true (sr_dataset_write_pair (ds, &a.pair, NULL));
  sr_dataset_close (ds);
  GError *error = NULL;
  ds = sr_dataset_open (dir, &error);
  g_assert_cmpint (sr_dataset_scale (ds), ==, S);
  g_assert_false (sr_dataset_set_scale (ds, 2, &error));
  g_assert_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_SCALE);
  g_assert_nonnull (strstr (error->message, "x4"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  sr_dataset_close (ds);
  gchar *lr2 = g_build_filename (dir, "LR_x2", NULL);
  g_assert_false (g_file_test (lr2, G_FILE_TEST_EXISTS));
  g_free (lr2);
  test_pair_clear (&a);
  sr_test_rmtree (dir);
  g_free (dir);
}

/* ---- unwritable places, full disks --------------------------------------------- */

static void
test_unwritable (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  /* Beneath a regular file: no user can create that. */
  write_text (dir, "a-file", "x");
  gchar *under = g_build_filename (dir, "a-file", "ds", NULL);
  GError *error = NULL;
  g_assert_null (sr_dataset_open (under, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOTDIR);
  g_assert_nonnull (strstr (error->message, under));
  g_clear_error (&error);
  g_free (under);
  /* A read-only folder (root ignores the mode bits: then skipped here, and
   * covered by the read-only mount of test_full_disk). */
  gchar *ro = g_build_filename (dir, "ro", NULL);
  g_assert_cmpint (g_mkdir (ro, 0555), ==, 0);
  if (geteuid () != 0) {
    g_assert_null (sr_dataset_open (ro, &error));
    g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_ACCES);
    g_clear_error (&error);
  } else
    g_test_message ("running as root: mode 0555 does not stop us");
  g_chmod (ro, 0755);
  g_free (ro);
  sr_test_rmtree (dir);
  g_free (dir);
}

/* ENOSPC from a device that has no space: /dev/full (the line is not
 * kept), and a file-size limit (EFBIG) in the middle of a line, which is
 * cut back so that the file stays whole lines. */
static void
test_line_append_fails (void)
{
  if (g_test_subprocess ()) {
    /* Here only: the limit stays in this process. */
    gchar *path = g_build_filename (g_getenv ("SR_DATASET_TEST_DIR"), "l.jsonl", NULL);
    SrLineFile *lf = sr_line_file_open (path, NULL, NULL, NULL);
    g_assert_true (sr_line_file_append (lf, "first", NULL));
    struct rlimit lim = { 16, 16 };
    signal (SIGXFSZ, SIG_IGN);
    g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &lim), ==, 0);
    GError *error = NULL;
    g_assert_false (sr_line_file_append (lf, "a line longer than the limit", &error));
    g_assert_nonnull (error);
    g_test_message ("%s", error->message);
    g_clear_error (&error);
    sr_line_file_close (lf);
    g_free (path);
    return;
  }
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  gchar *full = g_build_filename (dir, "full.jsonl", NULL);
  g_assert_cmpint (symlink ("/dev/full", full), ==, 0);
  GError *error = NULL;
  SrLineFile *f = sr_jsonl_open (full, NULL, NULL, &error);
  g_assert_no_error (error);
  JsonNode *n = json_from_string ("{\"v\":1}", NULL);
  g_assert_false (sr_jsonl_append (f, n, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC);
  g_assert_nonnull (strstr (error->message, full));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  sr_line_file_close (f);

  g_setenv ("SR_DATASET_TEST_DIR", dir, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  gchar *text = read_text (dir, "l.jsonl");
  g_assert_cmpstr (text, ==, "first\n");
  g_free (text);
  json_node_unref (n);
  g_free (full);
  sr_test_rmtree (dir);
  g_free (dir);
}

/* In a child: a private mount namespace with a 64 KiB tmpfs (and a
 * read-only one) over folders of dir. Exit 77 when this machine does not
 * allow it (no user namespaces, no mount rights). */
static int
full_disk_child (const char *dir)
{
  const uid_t uid = geteuid ();
  const gid_t gid = getegid ();
  if (unshare (uid == 0 ? CLONE_NEWNS : CLONE_NEWUSER | CLONE_NEWNS) != 0)
    return SR_TEST_EXIT_SKIP;
  if (uid != 0) {
    gchar *map = g_strdup_printf ("%u %u 1", (unsigned) uid, (unsigned) uid);
    gchar *gmap = g_strdup_printf ("%u %u 1", (unsigned) gid, (unsigned) gid);
    if (!g_file_set_contents ("/proc/self/setgroups", "deny", -1, NULL)
        || !g_file_set_contents ("/proc/self/uid_map", map, -1, NULL)
        || !g_file_set_contents ("/proc/self/gid_map", gmap, -1, NULL))
      return SR_TEST_EXIT_SKIP;
    g_free (map);
    g_free (gmap);
  }
  gchar *small = g_build_filename (dir, "small", NULL);
  gchar *ro = g_build_filename (dir, "ro", NULL);
  g_mkdir (small, 0755);
  g_mkdir (ro, 0755);
  if (mount (NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0
      || mount ("tmpfs", small, "tmpfs", 0, "size=64k") != 0
      || mount ("tmpfs", ro, "tmpfs", MS_RDONLY, "size=64k") != 0)
    return SR_TEST_EXIT_SKIP;

  /* The disk fills while a PNG is written: G_FILE_ERROR_NOSPC, and neither
   * the PNG nor its temporary file nor a line is left. */
  GError *error = NULL;
  SrDataset *ds = sr_dataset_open (small, &error);
  if (!ds || !sr_dataset_set_scale (ds, S, &error))
    return 2;
  TestPair big;
  test_pair_init (&big, "big.png", 256, 256, 5);      /* ~197 KB at level 0 */
  if (sr_dataset_write_pair (ds, &big.pair, &error)
      || !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOSPC))
    return 3;
  g_print ("# full disk: %s\n", error->message);
  g_clear_error (&error);
  gchar *hr = g_build_filename (small, "HR", NULL), *lr = g_build_filename (small, "LR_x4", NULL);
  if (count_entries (hr) != 0 || count_entries (lr) != 0 || sr_dataset_n_pairs (ds))
    return 4;
  /* A small pair still fits afterwards: nothing was leaked. */
  TestPair ok;
  test_pair_init (&ok, "ok.png", W, H, 6);
  if (!sr_dataset_write_pair (ds, &ok.pair, &error))
    return 5;
  sr_dataset_close (ds);
  gchar *m = read_text (small, "manifest.jsonl");
  if (count_lines (m) != 1)
    return 6;

  /* A read-only file system: the open fails with the errno's code. */
  if (sr_dataset_open (ro, &error) || !error || error->domain != G_FILE_ERROR
      || error->code != G_FILE_ERROR_ROFS)
    return 7;
  g_print ("# read-only: %s\n", error->message);
  g_clear_error (&error);
  umount (small);
  umount (ro);
  return 0;
}

static void
test_full_disk (void)
{
  gchar *dir = sr_test_tmpdir ("sr-dataset");
  fflush (stdout);
  pid_t pid = fork ();
  if (pid == 0)
    _exit (full_disk_child (dir));
  int status;
  g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
  g_assert_true (WIFEXITED (status));
  sr_test_rmtree (dir);
  g_free (dir);
  if (WEXITSTATUS (status) == SR_TEST_EXIT_SKIP) {
    g_test_skip ("no private tmpfs mount here (user namespaces or mount "
        "rights missing)");
    return;
  }
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* ---- JSON text ----------------------------------------------------------------- */

/* Doubles print with 17 significant digits and read back to the same bits;
 * an exponent never gets json-glib 1.6's ".0" (1e+17.0 is not JSON). */
static void
test_json_numbers (void)
{
  const struct { double v; const char *text; } cases[] = {
    { 0.55783222520537001, "0.55783222520537001" },
    { 1.0, "1.0" },
    { 0.1, "0.10000000000000001" },
    { 1e17, "1e+17" },
    { 1e-7, "9.9999999999999995e-08" },
    { 1e22, "1e+22" },
    { 100.0, "100.0" },
  };
  JsonParser *parser = json_parser_new ();
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    JsonNode *n = json_node_init_double (json_node_alloc (), cases[i].v);
    gchar *text = sr_json_to_string (n);
    g_assert_cmpstr (text, ==, cases[i].text);
    GError *error = NULL;
    gchar *doc = g_strdup_printf ("[%s]", text);
    g_assert_true (json_parser_load_from_data (parser, doc, -1, &error));
    g_assert_no_error (error);
    const double back = json_array_get_double_element (json_node_get_array
        (json_parser_get_root (parser)), 0);
    g_assert_true (memcmp (&back, &cases[i].v, sizeof back) == 0);
    g_free (doc);
    g_free (text);
    json_node_unref (n);
  }
  /* Random doubles round-trip too. */
  GRand *r = g_rand_new_with_seed (11);
  for (int i = 0; i < 2000; i++) {
    guint64 bits = ((guint64) g_rand_int (r) << 32) | g_rand_int (r);
    double v;
    memcpy (&v, &bits, sizeof v);
    if (!isfinite (v))
      continue;
    JsonNode *n = json_node_init_double (json_node_alloc (), v);
    gchar *text = sr_json_to_string (n);
    gchar *doc = g_strdup_printf ("[%s]", text);
    g_assert_true (json_parser_load_from_data (parser, doc, -1, NULL));
    const double back = json_array_get_double_element (json_node_get_array
        (json_parser_get_root (parser)), 0);
    g_assert_true (memcmp (&back, &v, sizeof back) == 0);
    g_free (doc);
    g_free (text);
    json_node_unref (n);
  }
  g_rand_free (r);
  /* Inside a string nothing is touched. */
  JsonNode *s = json_node_init_string (json_node_alloc (), "x1e+17.0");
  gchar *text = sr_json_to_string (s);
  g_assert_cmpstr (text, ==, "\"x1e+17.0\"");
  g_free (text);
  json_node_unref (s);
  g_object_unref (parser);
}

/* The manifest line: the documented keys in the documented order. */
static void
test_manifest_entry (void)
{
  SrHostFrame f = { 0 };
  JsonNode *params = json_from_string ("{\"frame\":3,\"scale\":4,\"x\":0.5}", NULL);
  SrDatasetPair p = { .name = "v_s1_000003.png", .source = "/videos/v.avi",
    .frame = 3, .hr = &f, .lr = &f, .hr_box = { 0, 0, 64, 48 },
    .lr_box = { 0, 0, 16, 12 }, .params = params };
  JsonNode *e = sr_dataset_manifest_entry (&p);
  gchar *text = sr_json_to_string (e);
  g_assert_cmpstr (text, ==, "{\"name\":\"v_s1_000003.png\",\"source\":"
      "\"/videos/v.avi\",\"frame\":3,\"crop\":[0,0,64,48],\"lr_crop\":"
      "[0,0,16,12],\"params\":{\"frame\":3,\"scale\":4,\"x\":0.5}}");
  g_free (text);
  json_node_unref (e);
  p.params = NULL;
  e = sr_dataset_manifest_entry (&p);
  text = sr_json_to_string (e);
  g_assert_nonnull (g_str_has_suffix (text, ",\"params\":null}") ? text : NULL);
  g_free (text);
  json_node_unref (e);
  json_node_unref (params);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dataset/write-and-resume", test_write_and_resume);
  g_test_add_func ("/dataset/meta-info-repaired", test_meta_info_repaired);
  g_test_add_func ("/dataset/corrupt-line-refused", test_corrupt_line_refused);
  g_test_add_func ("/dataset/jsonl-resume", test_jsonl_resume);
  g_test_add_func ("/dataset/name-collision", test_name_collision);
  g_test_add_func ("/dataset/sanitise", test_sanitise);
  g_test_add_func ("/dataset/lock", test_lock);
  g_test_add_func ("/dataset/other-scale-refused", test_other_scale_refused);
  g_test_add_func ("/dataset/unwritable", test_unwritable);
  g_test_add_func ("/dataset/line-append-fails", test_line_append_fails);
  g_test_add_func ("/dataset/full-disk", test_full_disk);
  g_test_add_func ("/dataset/json-numbers", test_json_numbers);
  g_test_add_func ("/dataset/manifest-entry", test_manifest_entry);
  return g_test_run ();
}
