/* srpairsink element tests: pairing by running time, dataset files, resume,
 * max-pairs, patches and their filter, errors on bad locations / full disks. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <glib/gstdio.h>
#include <png.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>

#define W 64
#define H 48
#define S 4

typedef struct {
  GstElement *sink;
  GstHarness *hr, *lr;
  GstBus *bus;
  gchar *dir;
} Rig;

static GstCaps *
caps_of (int w, int h)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB",
      "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
      "framerate", GST_TYPE_FRACTION, 25, 1, NULL);
}

/* An RGB frame whose pixels encode (x, y, frame) so crops can be checked. */
static GstBuffer *
frame_buf (int w, int h, int frame, int pts_index, gboolean noisy)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, (gsize) w * h * 3, NULL);
  GstMapInfo m;
  gst_buffer_map (b, &m, GST_MAP_WRITE);
  GRand *r = g_rand_new_with_seed (frame);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      guint8 *p = m.data + (y * w + x) * 3;
      p[0] = noisy ? (guint8) g_rand_int (r) : (guint8) (x * 3 + frame);
      p[1] = noisy ? (guint8) g_rand_int (r) : (guint8) (y * 5);
      p[2] = noisy ? (guint8) g_rand_int (r) : (guint8) frame;
    }
  g_rand_free (r);
  gst_buffer_unmap (b, &m);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (pts_index, GST_SECOND, 25);
  GST_BUFFER_DURATION (b) = GST_SECOND / 25;
  return b;
}

/* dir: an existing folder to reuse (resume), or NULL for a new one. */
static Rig *
rig_new_in (const char *dir, const char *props)
{
  Rig *r = g_new0 (Rig, 1);
  r->dir = dir ? g_strdup (dir) : g_dir_make_tmp ("srpairsink-XXXXXX", NULL);
  /* async=false: the harness needs a state change that completes at once. */
  gchar *desc = g_strdup_printf ("srpairsink async=false location=%s/ds %s", r->dir,
      props ? props : "");
  r->sink = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (r->sink != NULL);
  r->bus = gst_bus_new ();
  gst_element_set_bus (r->sink, r->bus);
  r->hr = gst_harness_new_with_element (r->sink, "hr", NULL);
  r->lr = gst_harness_new_with_element (r->sink, "lr", NULL);
  gst_harness_set_src_caps (r->hr, caps_of (W, H));
  gst_harness_set_src_caps (r->lr, caps_of (W / S, H / S));
  return r;
}

static Rig *
rig_new (const char *props)
{
  return rig_new_in (NULL, props);
}

/* Stops the rig; keep_dir leaves the dataset for a next run. */
static void
rig_stop (Rig *r, gboolean keep_dir)
{
  gst_harness_teardown (r->lr);
  gst_harness_teardown (r->hr);
  gst_element_set_bus (r->sink, NULL);
  gst_object_unref (r->bus);
  gst_object_unref (r->sink);
  if (!keep_dir) {
    gchar *cmd = g_strdup_printf ("rm -rf '%s'", r->dir);
    fail_unless (system (cmd) == 0);
    g_free (cmd);
  }
  g_free (r->dir);
  g_free (r);
}

static void
rig_free (Rig *r)
{
  rig_stop (r, FALSE);
}

static gchar *
ds_path (Rig *r, const char *rel)
{
  return g_build_filename (r->dir, "ds", rel, NULL);
}

static int
count_lines (Rig *r, const char *rel)
{
  gchar *path = ds_path (r, rel), *text = NULL;
  int n = 0;
  if (g_file_get_contents (path, &text, NULL, NULL))
    for (char *p = text; *p; p++)
      n += *p == '\n';
  g_free (text);
  g_free (path);
  return n;
}

static int
count_files (Rig *r, const char *sub)
{
  gchar *path = ds_path (r, sub);
  GDir *d = g_dir_open (path, 0, NULL);
  int n = 0;
  if (d) {
    while (g_dir_read_name (d))
      n++;
    g_dir_close (d);
  }
  g_free (path);
  return n;
}

/* The last element message named `name` on the rig's bus; *eos (if not
 * NULL) tells whether an EOS message was among the messages drained. */
static GstStructure *
drain_messages (Rig *r, const char *name, gboolean *eos)
{
  GstStructure *found = NULL;
  GstMessage *m;
  if (eos)
    *eos = FALSE;
  while ((m = gst_bus_pop (r->bus))) {
    const GstStructure *s = gst_message_get_structure (m);
    if (eos && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS)
      *eos = TRUE;
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT && s
        && gst_structure_has_name (s, name)) {
      if (found)
        gst_structure_free (found);
      found = gst_structure_copy (s);
    }
    gst_message_unref (m);
  }
  return found;
}

static void
push_pair_eos (Rig *r)
{
  fail_unless (gst_harness_push_event (r->hr, gst_event_new_eos ()));
  fail_unless (gst_harness_push_event (r->lr, gst_event_new_eos ()));
}

/* Reads an 8-bit RGB PNG with libpng's simplified API. */
static guint8 *
read_png (const char *path, int *w, int *h)
{
  png_image img;
  memset (&img, 0, sizeof img);
  img.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file (&img, path))
    return NULL;
  img.format = PNG_FORMAT_RGB;
  guint8 *buf = g_malloc (PNG_IMAGE_SIZE (img));
  if (!png_image_finish_read (&img, NULL, buf, 0, NULL)) {
    g_free (buf);
    return NULL;
  }
  *w = img.width;
  *h = img.height;
  return buf;
}

GST_START_TEST (test_pairs_by_running_time)
{
  Rig *r = rig_new (NULL);
  /* HR frames 0..3; the LR branch dropped frame 1. */
  for (int i = 0; i < 4; i++) {
    fail_unless_equals_int (gst_harness_push (r->hr, frame_buf (W, H, i, i, FALSE)), GST_FLOW_OK);
    if (i != 1)
      fail_unless_equals_int (gst_harness_push (r->lr,
              frame_buf (W / S, H / S, i, i, FALSE)), GST_FLOW_OK);
  }
  push_pair_eos (r);
  fail_unless_equals_int (count_files (r, "HR"), 3);
  fail_unless_equals_int (count_files (r, "LR_x4"), 3);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 3);
  fail_unless_equals_int (count_lines (r, "meta_info.txt"), 3);

  gboolean eos;
  GstStructure *sum = drain_messages (r, "sr-summary", &eos);
  fail_unless (sum != NULL, "no sr-summary at EOS");
  fail_unless (eos, "the sink must post EOS once both inputs ended");
  guint64 pairs, unmatched;
  fail_unless (gst_structure_get_uint64 (sum, "pairs", &pairs));
  fail_unless (gst_structure_get_uint64 (sum, "skipped-unmatched", &unmatched));
  fail_unless_equals_uint64 (pairs, 3);
  fail_unless_equals_uint64 (unmatched, 1);
  gst_structure_free (sum);

  /* HR/<name> and LR_x4/<name> hold the frame that was pushed. */
  gchar *hp = ds_path (r, "HR/frame_000002.png"), *lp = ds_path (r, "LR_x4/frame_000002.png");
  int w, h;
  guint8 *px = read_png (hp, &w, &h);
  fail_unless (px != NULL, "missing %s", hp);
  fail_unless_equals_int (w, W);
  fail_unless_equals_int (h, H);
  fail_unless_equals_int (px[(5 * W + 7) * 3 + 0], 7 * 3 + 2);
  g_free (px);
  px = read_png (lp, &w, &h);
  fail_unless (px != NULL && w == W / S && h == H / S);
  g_free (px);
  g_free (hp);
  g_free (lp);

  gchar *meta = ds_path (r, "meta_info.txt"), *text = NULL;
  g_file_get_contents (meta, &text, NULL, NULL);
  fail_unless (strstr (text, "frame_000000.png (48,64,3)\n") != NULL, "meta_info: %s", text);
  g_free (text);
  g_free (meta);
  rig_free (r);
}
GST_END_TEST;

/* A GAP on the LR side releases the waiting HR frame as unmatched. */
GST_START_TEST (test_gap_event)
{
  Rig *r = rig_new (NULL);
  fail_unless_equals_int (gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (r->lr, gst_event_new_gap (0, GST_SECOND / 25)));
  fail_unless_equals_int (gst_harness_push (r->hr, frame_buf (W, H, 1, 1, FALSE)), GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (r->lr, frame_buf (W / S, H / S, 1, 1, FALSE)), GST_FLOW_OK);
  push_pair_eos (r);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 1);
  GstStructure *sum = drain_messages (r, "sr-summary", NULL);
  guint64 unmatched;
  fail_unless (gst_structure_get_uint64 (sum, "skipped-unmatched", &unmatched));
  fail_unless_equals_uint64 (unmatched, 1);
  gst_structure_free (sum);
  rig_free (r);
}
GST_END_TEST;

GST_START_TEST (test_every_n_and_max_pairs)
{
  Rig *r = rig_new ("every-n=2 max-pairs=2");
  GstFlowReturn last = GST_FLOW_OK;
  for (int i = 0; i < 10 && last == GST_FLOW_OK; i++) {
    gst_harness_push (r->hr, frame_buf (W, H, i, i, FALSE));
    last = gst_harness_push (r->lr, frame_buf (W / S, H / S, i, i, FALSE));
  }
  /* Frames 0 and 2 are written; the push that completed the second pair
   * already answers EOS, so upstream stops. */
  fail_unless_equals_int (last, GST_FLOW_EOS);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 2);
  gchar *p = ds_path (r, "HR/frame_000002.png");
  fail_unless (g_file_test (p, G_FILE_TEST_EXISTS));
  g_free (p);
  gboolean eos;
  GstStructure *sum = drain_messages (r, "sr-summary", &eos);
  fail_unless (sum != NULL && eos, "max-pairs must end the stream");
  gst_structure_free (sum);
  rig_free (r);
}
GST_END_TEST;

GST_START_TEST (test_resume_without_duplicates)
{
  Rig *r = rig_new (NULL);
  for (int i = 0; i < 3; i++) {
    gst_harness_push (r->hr, frame_buf (W, H, i, i, FALSE));
    gst_harness_push (r->lr, frame_buf (W / S, H / S, i, i, FALSE));
  }
  push_pair_eos (r);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 3);

  /* Same location again (a restarted job): frames 0..4 -> only 3, 4 are new.
   * A crash could also have left a partial manifest line: it must go. */
  gchar *dir = g_strdup (r->dir);
  rig_stop (r, TRUE);
  gchar *mp = g_build_filename (dir, "ds", "manifest.jsonl", NULL);
  FILE *f = fopen (mp, "a");
  fputs ("{\"name\":\"frame_000009.png\",\"sour", f);
  fclose (f);
  g_free (mp);
  Rig *r2 = rig_new_in (dir, NULL);
  r = r2;
  g_free (dir);
  for (int i = 0; i < 5; i++) {
    gst_harness_push (r->hr, frame_buf (W, H, i, i, FALSE));
    gst_harness_push (r->lr, frame_buf (W / S, H / S, i, i, FALSE));
  }
  push_pair_eos (r);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 5);
  fail_unless_equals_int (count_lines (r, "meta_info.txt"), 5);
  GstStructure *sum = drain_messages (r, "sr-summary", NULL);
  guint64 existing;
  fail_unless (gst_structure_get_uint64 (sum, "skipped-existing", &existing));
  fail_unless_equals_uint64 (existing, 3);
  gst_structure_free (sum);
  rig_free (r);
}
GST_END_TEST;

/* Patches: HR box aligned to the scale, LR patch = HR box / scale of the LR
 * frame. The frames encode x in red, so the crop position can be read back. */
GST_START_TEST (test_patches_aligned)
{
  Rig *r = rig_new ("patch-size=16 patches-per-frame=3 seed=9");
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, FALSE));
  push_pair_eos (r);
  fail_unless_equals_int (count_files (r, "HR"), 3);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 3);
  for (int k = 0; k < 3; k++) {
    gchar *name = g_strdup_printf ("HR/frame_000000_p%02d.png", k);
    gchar *lname = g_strdup_printf ("LR_x4/frame_000000_p%02d.png", k);
    gchar *hp = ds_path (r, name), *lp = ds_path (r, lname);
    int w, h, lw, lh;
    guint8 *hpx = read_png (hp, &w, &h), *lpx = read_png (lp, &lw, &lh);
    fail_unless (hpx && lpx);
    fail_unless (w == 16 && h == 16 && lw == 4 && lh == 4);
    const int hx = hpx[0] / 3, hy = hpx[1] / 5;       /* top-left of the HR box */
    const int lx = lpx[0] / 3, ly = lpx[1] / 5;       /* top-left of the LR box */
    fail_unless (hx % S == 0 && hy % S == 0, "HR box (%d,%d) not aligned", hx, hy);
    fail_unless_equals_int (lx * S, hx);
    fail_unless_equals_int (ly * S, hy);
    g_free (hpx);
    g_free (lpx);
    g_free (hp);
    g_free (lp);
    g_free (name);
    g_free (lname);
  }
  rig_free (r);
}
GST_END_TEST;

/* The informativeness filter drops flat patches and keeps textured ones. */
GST_START_TEST (test_patch_filter)
{
  Rig *r = rig_new ("patch-size=16 patches-per-frame=2 min-std=30 min-laplacian-var=30");
  GstBuffer *flat = gst_buffer_new_allocate (NULL, W * H * 3, NULL);
  gst_buffer_memset (flat, 0, 128, W * H * 3);
  GST_BUFFER_PTS (flat) = 0;
  gst_harness_push (r->hr, flat);
  gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, FALSE));
  /* Frame 1 is noise: std and Laplacian variance far above 30. */
  gst_harness_push (r->hr, frame_buf (W, H, 1, 1, TRUE));
  gst_harness_push (r->lr, frame_buf (W / S, H / S, 1, 1, FALSE));
  push_pair_eos (r);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 2);
  GstStructure *sum = drain_messages (r, "sr-summary", NULL);
  guint64 filtered;
  fail_unless (gst_structure_get_uint64 (sum, "skipped-filtered", &filtered));
  fail_unless (filtered >= 2);
  gst_structure_free (sum);
  rig_free (r);
}
GST_END_TEST;

static gchar *
state_change_error (GstElement *el)
{
  GstBus *bus = gst_bus_new ();
  gst_element_set_bus (el, bus);
  GstStateChangeReturn ret = gst_element_set_state (el, GST_STATE_PAUSED);
  gchar *text = NULL;
  GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (m) {
    GError *err;
    gst_message_parse_error (m, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
    gst_message_unref (m);
  }
  fail_unless_equals_int (ret, GST_STATE_CHANGE_FAILURE);
  gst_element_set_state (el, GST_STATE_NULL);
  gst_element_set_bus (el, NULL);
  gst_object_unref (bus);
  return text;
}

GST_START_TEST (test_unwritable_location)
{
  gchar *dir = g_dir_make_tmp ("srpairsink-XXXXXX", NULL);
  gchar *file = g_build_filename (dir, "a-file", NULL);
  g_file_set_contents (file, "x", 1, NULL);
  gchar *loc = g_build_filename (file, "dataset", NULL);  /* under a regular file */
  GstElement *el = gst_element_factory_make ("srpairsink", NULL);
  g_object_set (el, "location", loc, NULL);
  gchar *msg = state_change_error (el);
  fail_unless (msg && strstr (msg, loc), "error should name the location: %s", msg);
  g_free (msg);
  gst_object_unref (el);

  el = gst_element_factory_make ("srpairsink", NULL);       /* no location at all */
  msg = state_change_error (el);
  fail_unless (msg && strstr (msg, "location"), "got: %s", msg);
  g_free (msg);
  gst_object_unref (el);
  g_unlink (file);
  g_rmdir (dir);
  g_free (loc);
  g_free (file);
  g_free (dir);
}
GST_END_TEST;

/* A full disk (here: a file-size limit, which fails writes with EFBIG the
 * way ENOSPC does) gives an element error and leaves no partial PNG. This
 * test runs in its own forked process, so the limit stays there. */
GST_START_TEST (test_disk_full_leaves_nothing)
{
  Rig *r = rig_new ("compression=0");
  struct rlimit lim = { 4096, 4096 };
  signal (SIGXFSZ, SIG_IGN);
  fail_unless (setrlimit (RLIMIT_FSIZE, &lim) == 0);
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, TRUE));
  GstFlowReturn ret = gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, TRUE));
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  GstMessage *m = gst_bus_pop_filtered (r->bus, GST_MESSAGE_ERROR);
  fail_unless (m != NULL, "a failed write must post an error");
  gst_message_unref (m);
  fail_unless_equals_int (count_files (r, "HR"), 0);
  fail_unless_equals_int (count_files (r, "LR_x4"), 0);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 0);
  rig_free (r);
}
GST_END_TEST;

GST_START_TEST (test_mismatched_sizes_error)
{
  Rig *r = rig_new (NULL);
  gst_harness_set_src_caps (r->lr, caps_of (W / 3, H / 3));
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  GstFlowReturn ret = gst_harness_push (r->lr, frame_buf (W / 3, H / 3, 0, 0, FALSE));
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  rig_free (r);
}
GST_END_TEST;

static Suite *
srpairsink_suite (void)
{
  Suite *s = suite_create ("srpairsink");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_pairs_by_running_time);
  tcase_add_test (tc, test_gap_event);
  tcase_add_test (tc, test_every_n_and_max_pairs);
  tcase_add_test (tc, test_resume_without_duplicates);
  tcase_add_test (tc, test_patches_aligned);
  tcase_add_test (tc, test_patch_filter);
  tcase_add_test (tc, test_unwritable_location);
  tcase_add_test (tc, test_disk_full_leaves_nothing);
  tcase_add_test (tc, test_mismatched_sizes_error);
  return s;
}

GST_CHECK_MAIN (srpairsink);
