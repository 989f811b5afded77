/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srpairsink element tests: pairing by running time, dataset files, resume,
 * max-pairs, patches and their filter, errors on bad locations / full disks,
 * YUV and gray inputs written as RGB PNGs, the location lock, sanitised
 * prefixes, file modes, an unlinked pad; layout=clips (folders, meta_info,
 * clip lines, breaks, min-clip-frames, every-n, max-pairs, refusals, resume
 * per clip). */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <glib/gstdio.h>
#include <png.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sr_check_util.h"

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
  r->dir = dir ? g_strdup (dir) : sr_test_tmpdir ("srpairsink");
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
  if (!keep_dir)
    sr_test_rmtree (r->dir);
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

/* Every line of the rig's manifest.jsonl, each parsed as a JSON object (the
 * test fails on a line that is not one). */
static GPtrArray *
read_manifest (Rig *r)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  gchar *path = ds_path (r, "manifest.jsonl"), *text = NULL;
  fail_unless (g_file_get_contents (path, &text, NULL, NULL), "no %s", path);
  gchar **lines = g_strsplit (text, "\n", -1);
  JsonParser *parser = json_parser_new ();
  for (gchar **l = lines; *l && **l; l++) {
    GError *err = NULL;
    fail_unless (json_parser_load_from_data (parser, *l, -1, &err),
        "%s: not JSON: %s (%s)", path, *l, err ? err->message : "");
    JsonNode *root = json_parser_get_root (parser);
    fail_unless (JSON_NODE_HOLDS_OBJECT (root), "%s: not an object: %s", path, *l);
    g_ptr_array_add (out, json_object_ref (json_node_get_object (root)));
  }
  g_object_unref (parser);
  g_strfreev (lines);
  g_free (text);
  g_free (path);
  return out;
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
  *w = *h = 0;            /* defined on failure too */
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
  gchar *dir = sr_test_tmpdir ("srpairsink");
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

/* ---- YUV and gray inputs ------------------------------------------------------ */

/* A real photo: a 4:2:0 JPEG, which jpegdec gives as full-range BT.601 I420
 * with JPEG chroma siting (colorimetry 1:4:0:0). */
static gchar *photo;            /* sr_test_data_path ("baboon.jpg") */

/* The conversion srpairsink (and srdegrade's upload) does, in plain C and
 * double precision from the formulas of kernels/sr_convert.h: Kr/Kb from
 * the caps' matrix (BT.601 when it has none), offsets and scales from its
 * range, chroma upsampled bilinearly from its siting (edge samples
 * repeated), RGB clamped to [0,1], then * 255 rounded half to even (what
 * srpairsink's download uses). out: w * h * 3 bytes. */
static void
reference_rgb (GstCaps *caps, GstBuffer *buf, guint8 *out)
{
  GstVideoInfo vi;
  GstVideoFrame f;
  fail_unless (gst_video_info_from_caps (&vi, caps));
  fail_unless (gst_video_frame_map (&f, &vi, buf, GST_MAP_READ));
  const GstVideoFormatInfo *fi = vi.finfo;
  const int nc = GST_VIDEO_FORMAT_INFO_N_COMPONENTS (fi);
  const int w = GST_VIDEO_INFO_WIDTH (&vi), h = GST_VIDEO_INFO_HEIGHT (&vi);
  double kr = 0.299, kb = 0.114;
  gst_video_color_matrix_get_Kr_Kb (vi.colorimetry.matrix, &kr, &kb);
  gint off[4], sc[4];
  gst_video_color_range_offsets (vi.colorimetry.range, fi, off, sc);
  const int sub[2] = { nc == 3 ? GST_VIDEO_FORMAT_INFO_W_SUB (fi, 1) : 0,
    nc == 3 ? GST_VIDEO_FORMAT_INFO_H_SUB (fi, 1) : 0 };
  const gboolean cos[2] = { (vi.chroma_site & GST_VIDEO_CHROMA_SITE_H_COSITED) != 0,
    (vi.chroma_site & GST_VIDEO_CHROMA_SITE_V_COSITED) != 0 };
  const int cn[2] = { nc == 3 ? GST_VIDEO_FRAME_COMP_WIDTH (&f, 1) : 0,
    nc == 3 ? GST_VIDEO_FRAME_COMP_HEIGHT (&f, 1) : 0 };
#define SAMPLE(c, i, j) ((const guint8 *) GST_VIDEO_FRAME_COMP_DATA (&f, c))[ \
    (gsize) (j) * GST_VIDEO_FRAME_COMP_STRIDE (&f, c) \
    + (gsize) (i) * GST_VIDEO_FRAME_COMP_PSTRIDE (&f, c)]
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      const double yn = (SAMPLE (0, x, y) - off[0]) / (double) sc[0];
      double pb = 0, pr = 0;
      if (nc == 3) {
        int t0[2], t1[2];
        double fr[2];
        const int xy[2] = { x, y };
        for (int a = 0; a < 2; a++) {
          if (!sub[a]) {
            t0[a] = t1[a] = xy[a];
            fr[a] = 0;
            continue;
          }
          const double s2 = 1 << sub[a];
          const double pos = cos[a] ? xy[a] / s2 : (xy[a] + 0.5) / s2 - 0.5;
          const double fl = floor (pos);
          fr[a] = pos - fl;
          t0[a] = CLAMP ((int) fl, 0, cn[a] - 1);
          t1[a] = CLAMP ((int) fl + 1, 0, cn[a] - 1);
        }
        double cv[2];
        for (int c = 1; c <= 2; c++) {
          const double top = SAMPLE (c, t0[0], t0[1]) * (1 - fr[0])
              + SAMPLE (c, t1[0], t0[1]) * fr[0];
          const double bot = SAMPLE (c, t0[0], t1[1]) * (1 - fr[0])
              + SAMPLE (c, t1[0], t1[1]) * fr[0];
          cv[c - 1] = top * (1 - fr[1]) + bot * fr[1];
        }
        pb = (cv[0] - off[1]) / (double) sc[1];
        pr = (cv[1] - off[2]) / (double) sc[2];
      }
      const double r = yn + 2 * (1 - kr) * pr, b = yn + 2 * (1 - kb) * pb;
      const double g = (yn - kr * r - kb * b) / (1 - kr - kb);
      const double rgb[3] = { r, g, b };
      for (int i = 0; i < 3; i++)   /* nearbyint: half to even */
        out[((gsize) y * w + x) * 3 + i] =
            (guint8) nearbyint (CLAMP (rgb[i], 0.0, 1.0) * 255.0);
    }
#undef SAMPLE
  gst_video_frame_unmap (&f);
}

/* |PNG - reference_rgb| over every value: the largest, and how many are off
 * by exactly 1 (*n_one) of *n_values. */
static int
diff_png_vs_reference (const char *path, GstCaps *caps, GstBuffer *buf,
    gsize *n_one, gsize *n_values)
{
  GstVideoInfo vi;
  int w, h, md = 0;
  fail_unless (gst_video_info_from_caps (&vi, caps));
  guint8 *px = read_png (path, &w, &h);
  fail_unless (px != NULL, "missing %s", path);
  fail_unless_equals_int (w, GST_VIDEO_INFO_WIDTH (&vi));
  fail_unless_equals_int (h, GST_VIDEO_INFO_HEIGHT (&vi));
  guint8 *ref = g_malloc ((gsize) w * h * 3);
  reference_rgb (caps, buf, ref);
  *n_one = 0;
  *n_values = (gsize) w * h * 3;
  for (gsize i = 0; i < *n_values; i++) {
    const int d = abs ((int) px[i] - (int) ref[i]);
    md = MAX (md, d);
    *n_one += d == 1;
  }
  g_free (ref);
  g_free (px);
  return md;
}

/* Both pads of the srpairsink named "p" in pipeline pl negotiated format
 * and range. */
static void
check_pad_formats (GstElement *pl, const char *format, GstVideoColorRange range)
{
  GstElement *ps = gst_bin_get_by_name (GST_BIN (pl), "p");
  const char *pads[2] = { "hr", "lr" };
  for (int i = 0; i < 2; i++) {
    GstPad *pad = gst_element_get_static_pad (ps, pads[i]);
    GstCaps *caps = gst_pad_get_current_caps (pad);
    GstVideoInfo vi;
    fail_unless (caps != NULL && gst_video_info_from_caps (&vi, caps));
    fail_unless_equals_string (gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&vi)),
        format);
    fail_unless_equals_int (vi.colorimetry.range, range);
    gst_caps_unref (caps);
    gst_object_unref (pad);
  }
  gst_object_unref (ps);
}

/* The photo (optionally converted by videoconvert to the raw caps `raw`
 * first) into srpairsink with no videoconvert between the tee and it; the
 * same non-RGB HR and LR frames go to appsinks. The PNGs must equal
 * reference_rgb of those frames: within 1 level (the device computes in
 * float, the reference in double) on < 0.1% of the values. want_range:
 * the range the pads must have negotiated. */
static void
check_photo_as (const char *raw, const char *want_format,
    GstVideoColorRange want_range)
{
  gchar *dir = sr_test_tmpdir ("srpairsink");
  gchar *conv = raw ? g_strdup_printf ("videoconvert ! video/x-raw,%s ! ", raw)
      : g_strdup ("");
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! jpegdec ! "
      "imagefreeze num-buffers=2 ! %s tee name=t "
      "t. ! queue ! p.hr "
      "t. ! queue ! videoscale ! video/x-raw,width=128,height=128 ! tee name=l "
      "l. ! queue ! p.lr "
      "l. ! queue ! appsink name=lref sync=false wait-on-eos=false "
      "t. ! queue ! appsink name=href sync=false wait-on-eos=false "
      "srpairsink name=p prefix=f location=%s/ds", photo, conv, dir);
  GstElement *pl = gst_parse_launch (desc, NULL);
  g_free (desc);
  g_free (conv);
  fail_unless (pl != NULL);
  GstBus *bus = gst_element_get_bus (pl);
  fail_unless (gst_element_set_state (pl, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS, "pipeline failed");
  gst_message_unref (m);

  /* srpairsink really received the non-RGB format and range. */
  check_pad_formats (pl, want_format, want_range);

  const char *sinks[2] = { "href", "lref" }, *sub[2] = { "HR", "LR_x4" };
  for (int i = 0; i < 2; i++) {
    GstElement *as = gst_bin_get_by_name (GST_BIN (pl), sinks[i]);
    for (int k = 0; k < 2; k++) {
      GstSample *sample = NULL;
      gsize n_one, n;
      g_signal_emit_by_name (as, "pull-sample", &sample);
      fail_unless (sample != NULL, "%s gave no frame %d", sinks[i], k);
      gchar *name = g_strdup_printf ("f_%06d.png", k);
      gchar *path = g_build_filename (dir, "ds", sub[i], name, NULL);
      gchar *cs = gst_caps_to_string (gst_sample_get_caps (sample));
      const int md = diff_png_vs_reference (path, gst_sample_get_caps (sample),
          gst_sample_get_buffer (sample), &n_one, &n);
      g_print ("srpairsink %s %s frame %d: max |PNG - reference| = %d, off by 1: "
          "%" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " values (%.4f%%)\n",
          raw ? raw : "I420 (jpegdec)", sub[i], k, md, n_one, n,
          100.0 * n_one / n);
      fail_unless (md <= 1, "%s %s: max |diff| %d > 1 (%s)", want_format, path,
          md, cs);
      fail_unless (n_one * 1000 < n, "%s %s: %" G_GSIZE_FORMAT " of %"
          G_GSIZE_FORMAT " values off by 1 (>= 0.1%%)", want_format, path,
          n_one, n);
      g_free (cs);
      g_free (path);
      g_free (name);
      gst_sample_unref (sample);
    }
    gst_object_unref (as);
  }
  gst_element_set_state (pl, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pl);
  sr_test_rmtree (dir);
  g_free (dir);
}

GST_START_TEST (test_photo_i420_nv12_yuy2_gray8)
{
  /* jpegdec's own I420: full range, BT.601, JPEG (centred) siting. */
  check_photo_as (NULL, "I420", GST_VIDEO_COLOR_RANGE_0_255);
  check_photo_as ("format=I420,colorimetry=bt601,chroma-site=jpeg", "I420",
      GST_VIDEO_COLOR_RANGE_16_235);
  check_photo_as ("format=NV12,colorimetry=bt709,chroma-site=mpeg2", "NV12",
      GST_VIDEO_COLOR_RANGE_16_235);
  check_photo_as ("format=NV12,colorimetry=1:3:0:0,chroma-site=jpeg", "NV12",
      GST_VIDEO_COLOR_RANGE_0_255);
  check_photo_as ("format=YUY2,colorimetry=bt601", "YUY2",
      GST_VIDEO_COLOR_RANGE_16_235);
  check_photo_as ("format=YUY2,colorimetry=1:4:0:0,chroma-site=mpeg2", "YUY2",
      GST_VIDEO_COLOR_RANGE_0_255);
  check_photo_as ("format=GRAY8", "GRAY8", GST_VIDEO_COLOR_RANGE_0_255);
  check_photo_as ("format=GRAY8,colorimetry=2:0:0:0", "GRAY8",
      GST_VIDEO_COLOR_RANGE_16_235);
}
GST_END_TEST;

/* Mean of all values of an 8-bit RGB PNG. */
static double
png_mean (const char *path)
{
  int w, h;
  guint8 *px = read_png (path, &w, &h);
  fail_unless (px != NULL, "missing %s", path);
  double sum = 0;
  for (gsize i = 0; i < (gsize) w * h * 3; i++)
    sum += px[i];
  g_free (px);
  return sum / ((double) w * h * 3);
}

/* Mean of an RGB frame's values. */
static double
frame_mean (GstSample *sample)
{
  GstVideoInfo vi;
  GstVideoFrame f;
  fail_unless (gst_video_info_from_caps (&vi, gst_sample_get_caps (sample)));
  fail_unless (gst_video_frame_map (&f, &vi, gst_sample_get_buffer (sample),
          GST_MAP_READ));
  double sum = 0;
  for (int y = 0; y < vi.height; y++) {
    const guint8 *row = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, 0)
        + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, 0);
    for (int i = 0; i < vi.width * 3; i++)
      sum += row[i];
  }
  gst_video_frame_unmap (&f);
  return sum / ((double) vi.width * vi.height * 3);
}

/* The dataset pipeline on a real video with no videoconvert on the pair's
 * paths: the decoder's I420 (limited range) goes straight to p.hr and
 * through srdegrade preset=bicubic scale=2 to p.lr. Bicubic preserves the mean, so
 * the LR PNG's mean brightness must match the HR PNG's within 0.5 levels:
 * both sides are converted through the same (device) formulas. For
 * comparison the same HR frames also go through videoconvert dither=none to
 * RGB (GstVideoConverter, srpairsink's former host path); its mean is only
 * printed (GStreamer's own behaviour, not ours to assert). */
static gchar *video;            /* sr_test_data_path ("Megamind.avi") */

static gint have_context_count;

GST_START_TEST (test_video_pair_brightness)
{
  gchar *dir = sr_test_tmpdir ("srpairsink");
  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! "
      "tee name=t t. ! queue ! p.hr "
      "t. ! queue ! srdegrade preset=bicubic scale=2 ! p.lr "
      "t. ! queue ! videoconvert dither=none ! video/x-raw,format=RGB ! "
      "appsink name=vc sync=false wait-on-eos=false max-buffers=8 drop=false "
      "srpairsink name=p prefix=f max-pairs=3 location=%s/ds", video, dir);
  GstElement *pl = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (pl != NULL);
  GstBus *bus = gst_element_get_bus (pl);
  g_atomic_int_set (&have_context_count, 0);
  gst_bus_set_sync_handler (bus, sr_check_count_have_context,
      &have_context_count, NULL);
  fail_unless (gst_element_set_state (pl, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstElement *vc = gst_bin_get_by_name (GST_BIN (pl), "vc");
  double vc_mean[3];
  for (int k = 0; k < 3; k++) {
    GstSample *sample = NULL;
    g_signal_emit_by_name (vc, "pull-sample", &sample);
    fail_unless (sample != NULL, "videoconvert branch gave no frame %d", k);
    vc_mean[k] = frame_mean (sample);
    gst_sample_unref (sample);
  }
  /* Keep the videoconvert branch flowing until the end. */
  g_object_set (vc, "drop", TRUE, "max-buffers", 1, NULL);
  GstMessage *m = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS, "pipeline failed");
  gst_message_unref (m);

  check_pad_formats (pl, "I420", GST_VIDEO_COLOR_RANGE_16_235);
  /* srdegrade created the runtime; srpairsink found it (one per pipeline). */
  fail_unless_equals_int (g_atomic_int_get (&have_context_count), 1);

  int with_content = 0;
  for (int k = 0; k < 3; k++) {
    gchar *name = g_strdup_printf ("f_s0_%06d.png", k);     /* srdegrade seed 0 */
    gchar *hp = g_build_filename (dir, "ds", "HR", name, NULL);
    gchar *lp = g_build_filename (dir, "ds", "LR_x2", name, NULL);
    const double hm = png_mean (hp), lm = png_mean (lp);
    g_print ("srpairsink Megamind frame %d: mean HR PNG %.3f, LR PNG %.3f "
        "(|diff| %.3f); videoconvert HR %.3f (|diff| to LR %.3f)\n", k, hm, lm,
        fabs (hm - lm), vc_mean[k], fabs (vc_mean[k] - lm));
    fail_unless (fabs (hm - lm) <= 0.5, "frame %d: HR mean %.3f vs LR mean %.3f",
        k, hm, lm);
    with_content += hm > 10;
    g_free (hp);
    g_free (lp);
    g_free (name);
  }
  /* The video opens on a black frame: the others must carry the check. */
  fail_unless (with_content >= 2, "only %d frames with content", with_content);
  gst_object_unref (vc);
  gst_element_set_state (pl, GST_STATE_NULL);
  gst_object_unref (bus);
  gst_object_unref (pl);
  sr_test_rmtree (dir);
  g_free (dir);
}
GST_END_TEST;

/* Y444 / GRAY8 frames built here: the value of plane c at (x, y). */
static int
plane_value (int c, int x, int y, int frame)
{
  switch (c) {
    case 0:
      return 16 + (x * 3 + y * 2 + frame * 11) % 220;
    case 1:
      return 16 + (x * 7 + y) % 225;
    default:
      return 16 + (x + y * 5) % 225;
  }
}

static GstCaps *
yuv_caps (const char *format, int w, int h, const char *colorimetry)
{
  GstCaps *c = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, format,
      "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
      "framerate", GST_TYPE_FRACTION, 25, 1, NULL);
  if (colorimetry)
    gst_caps_set_simple (c, "colorimetry", G_TYPE_STRING, colorimetry, NULL);
  return c;
}

/* flat: every plane 128 (a gray, featureless frame); noisy: random luma
 * and neutral chroma. */
static GstBuffer *
yuv_buf (GstVideoFormat fmt, int w, int h, int frame, gboolean flat, gboolean noisy)
{
  GstVideoInfo vi;
  GstVideoFrame f;
  fail_unless (gst_video_info_set_format (&vi, fmt, w, h));
  GstBuffer *b = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&vi), NULL);
  fail_unless (gst_video_frame_map (&f, &vi, b, GST_MAP_WRITE));
  GRand *r = g_rand_new_with_seed (frame + 1);
  for (guint c = 0; c < GST_VIDEO_FRAME_N_PLANES (&f); c++)
    for (int y = 0; y < h; y++) {
      guint8 *row = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&f, c)
          + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&f, c);
      for (int x = 0; x < w; x++)
        row[x] = flat ? 128 : noisy ? (c ? 128 : g_rand_int_range (r, 16, 236))
            : plane_value (c, x, y, frame);
    }
  g_rand_free (r);
  gst_video_frame_unmap (&f);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (frame, GST_SECOND, 25);
  GST_BUFFER_DURATION (b) = GST_SECOND / 25;
  return b;
}

/* The textbook limited-range YCbCr -> R'G'B' with luma coefficients Kr, Kb
 * (ITU-R BT.601 / BT.709), rounded and clamped to 8 bits. */
static void
ycbcr_to_rgb (int Y, int U, int V, double kr, double kb, int rgb[3])
{
  const double kg = 1.0 - kr - kb;
  const double y = (Y - 16) / 219.0, cb = (U - 128) / 224.0, cr = (V - 128) / 224.0;
  const double v[3] = { y + 2 * (1 - kr) * cr,
    y - 2 * kb * (1 - kb) / kg * cb - 2 * kr * (1 - kr) / kg * cr,
    y + 2 * (1 - kb) * cb };
  for (int i = 0; i < 3; i++)
    rgb[i] = (int) CLAMP (floor (v[i] * 255.0 + 0.5), 0, 255);
}

/* max |PNG - formula| over the region (x0, y0, w, h) of a frame whose planes
 * hold plane_value (frame); *wrong: the same against the other matrix. */
static int
max_diff_formula (const char *path, int x0, int y0, int frame, double kr,
    double kb, double okr, double okb, int *wrong)
{
  int w, h, md = 0, mw = 0;
  guint8 *px = read_png (path, &w, &h);
  fail_unless (px != NULL, "missing %s", path);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      int ref[3], other[3];
      const int Y = plane_value (0, x0 + x, y0 + y, frame);
      const int U = plane_value (1, x0 + x, y0 + y, frame);
      const int V = plane_value (2, x0 + x, y0 + y, frame);
      ycbcr_to_rgb (Y, U, V, kr, kb, ref);
      ycbcr_to_rgb (Y, U, V, okr, okb, other);
      for (int i = 0; i < 3; i++) {
        md = MAX (md, abs (px[(y * w + x) * 3 + i] - ref[i]));
        mw = MAX (mw, abs (px[(y * w + x) * 3 + i] - other[i]));
      }
    }
  g_free (px);
  if (wrong)
    *wrong = mw;
  return md;
}

/* srpairsink converts YUV on the device in float; the textbook matrix here
 * is double and rounds half up: they may differ by a level where a value
 * lies at a rounding boundary. */
#define FORMULA_TOL 1

/* The caps' colorimetry decides the matrix: the same Y444 bytes labelled
 * bt601 and bt709 give the textbook RGB of that matrix (within FORMULA_TOL)
 * and are far (>= 20 levels somewhere) from the other one's. */
GST_START_TEST (test_yuv_colorimetry_honoured)
{
  const struct { const char *name; double kr, kb, okr, okb; } cm[2] = {
    { "bt601", 0.299, 0.114, 0.2126, 0.0722 },
    { "bt709", 0.2126, 0.0722, 0.299, 0.114 },
  };
  for (int c = 0; c < 2; c++) {
    Rig *r = rig_new (NULL);
    gst_harness_set_src_caps (r->hr, yuv_caps ("Y444", W, H, cm[c].name));
    gst_harness_set_src_caps (r->lr, yuv_caps ("Y444", W / S, H / S, cm[c].name));
    fail_unless_equals_int (gst_harness_push (r->hr,
            yuv_buf (GST_VIDEO_FORMAT_Y444, W, H, 0, FALSE, FALSE)), GST_FLOW_OK);
    fail_unless_equals_int (gst_harness_push (r->lr,
            yuv_buf (GST_VIDEO_FORMAT_Y444, W / S, H / S, 0, FALSE, FALSE)), GST_FLOW_OK);
    push_pair_eos (r);
    const char *files[2] = { "HR/frame_000000.png", "LR_x4/frame_000000.png" };
    for (int i = 0; i < 2; i++) {
      gchar *path = ds_path (r, files[i]);
      int wrong;
      const int md = max_diff_formula (path, 0, 0, 0, cm[c].kr, cm[c].kb,
          cm[c].okr, cm[c].okb, &wrong);
      g_print ("srpairsink Y444 %s %s: max |PNG - formula| = %d, against the "
          "other matrix %d\n", cm[c].name, files[i], md, wrong);
      fail_unless (md <= FORMULA_TOL, "%s %s: max |diff| %d > %d", cm[c].name,
          files[i], md, FORMULA_TOL);
      fail_unless (wrong >= 20, "%s %s looks like the other matrix (%d)",
          cm[c].name, files[i], wrong);
      g_free (path);
    }
    rig_free (r);
  }

  /* GRAY8 is full-range luma: R = G = B = Y, exactly. */
  Rig *r = rig_new (NULL);
  gst_harness_set_src_caps (r->hr, yuv_caps ("GRAY8", W, H, NULL));
  gst_harness_set_src_caps (r->lr, yuv_caps ("GRAY8", W / S, H / S, NULL));
  gst_harness_push (r->hr, yuv_buf (GST_VIDEO_FORMAT_GRAY8, W, H, 0, FALSE, FALSE));
  gst_harness_push (r->lr, yuv_buf (GST_VIDEO_FORMAT_GRAY8, W / S, H / S, 0, FALSE, FALSE));
  push_pair_eos (r);
  gchar *path = ds_path (r, "HR/frame_000000.png");
  int w, h, md = 0;
  guint8 *px = read_png (path, &w, &h);
  fail_unless (px && w == W && h == H);
  for (int y = 0; y < H; y++)
    for (int x = 0; x < W; x++)
      for (int i = 0; i < 3; i++)
        md = MAX (md, abs (px[(y * W + x) * 3 + i] - plane_value (0, x, y, 0)));
  fail_unless_equals_int (md, 0);
  g_free (px);
  g_free (path);
  rig_free (r);
}
GST_END_TEST;

/* Reads "key":[a,b,c,d] of the manifest line naming `name`. */
static gboolean
manifest_box (Rig *r, const char *name, const char *key, int box[4])
{
  GPtrArray *lines = read_manifest (r);
  gboolean ok = FALSE;
  for (guint i = 0; i < lines->len && !ok; i++) {
    JsonObject *o = g_ptr_array_index (lines, i);
    if (g_strcmp0 (json_object_get_string_member (o, "name"), name))
      continue;
    JsonArray *a = json_object_get_array_member (o, key);
    if (!a || json_array_get_length (a) != 4)
      break;
    for (int k = 0; k < 4; k++)
      box[k] = (int) json_array_get_int_element (a, k);
    ok = TRUE;
  }
  g_ptr_array_unref (lines);
  return ok;
}

/* Patches of YUV input: the filter judges the converted frame (a flat Y444
 * frame is dropped, a textured one kept) and the crops come out of it. */
GST_START_TEST (test_yuv_patches)
{
  Rig *r = rig_new ("patch-size=16 patches-per-frame=2 seed=5 min-std=30 "
      "min-laplacian-var=30");
  gst_harness_set_src_caps (r->hr, yuv_caps ("Y444", W, H, "bt709"));
  gst_harness_set_src_caps (r->lr, yuv_caps ("Y444", W / S, H / S, "bt709"));
  gst_harness_push (r->hr, yuv_buf (GST_VIDEO_FORMAT_Y444, W, H, 0, TRUE, FALSE));
  gst_harness_push (r->lr, yuv_buf (GST_VIDEO_FORMAT_Y444, W / S, H / S, 0, FALSE, FALSE));
  /* Frame 1: noisy luma, neutral chroma for the HR (plane_value's smooth
   * ramps would not pass a Laplacian variance of 30), plane_value for the
   * LR. */
  gst_harness_push (r->hr, yuv_buf (GST_VIDEO_FORMAT_Y444, W, H, 1, FALSE, TRUE));
  gst_harness_push (r->lr, yuv_buf (GST_VIDEO_FORMAT_Y444, W / S, H / S, 1, FALSE, FALSE));
  push_pair_eos (r);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 2);
  GstStructure *sum = drain_messages (r, "sr-summary", NULL);
  guint64 filtered;
  fail_unless (gst_structure_get_uint64 (sum, "skipped-filtered", &filtered));
  fail_unless (filtered >= 2, "the flat frame's patches must be filtered");
  gst_structure_free (sum);

  /* The noisy HR frame again, to know its luma (same seed). */
  GstBuffer *hr = yuv_buf (GST_VIDEO_FORMAT_Y444, W, H, 1, FALSE, TRUE);
  GstMapInfo map;
  gst_buffer_map (hr, &map, GST_MAP_READ);      /* Y444 64x48: Y plane first, stride 64 */
  for (int k = 0; k < 2; k++) {
    gchar *name = g_strdup_printf ("frame_000001_p%02d.png", k);
    int box[4], lbox[4];
    fail_unless (manifest_box (r, name, "crop", box));
    fail_unless (manifest_box (r, name, "lr_crop", lbox));
    gchar *rel = g_strdup_printf ("HR/%s", name), *lrel = g_strdup_printf ("LR_x4/%s", name);
    gchar *hp = ds_path (r, rel), *lp = ds_path (r, lrel);
    int w, h, md = 0;
    guint8 *px = read_png (hp, &w, &h);
    fail_unless (px && w == 16 && h == 16 && box[2] == 16 && box[3] == 16);
    for (int y = 0; y < 16; y++)
      for (int x = 0; x < 16; x++) {
        int ref[3];
        ycbcr_to_rgb (map.data[(box[1] + y) * W + box[0] + x], 128, 128, 0.2126,
            0.0722, ref);
        for (int i = 0; i < 3; i++)
          md = MAX (md, abs (px[(y * 16 + x) * 3 + i] - ref[i]));
      }
    int lmd = max_diff_formula (lp, lbox[0], lbox[1], 1, 0.2126, 0.0722, 0.299,
        0.114, NULL);
    g_print ("srpairsink Y444 patch %d at (%d,%d): HR max |diff| %d, LR %d\n", k,
        box[0], box[1], md, lmd);
    fail_unless (md <= FORMULA_TOL && lmd <= FORMULA_TOL, "patch %d: HR %d LR %d",
        k, md, lmd);
    g_free (px);
    g_free (hp);
    g_free (lp);
    g_free (rel);
    g_free (lrel);
    g_free (name);
  }
  gst_buffer_unmap (hr, &map);
  gst_buffer_unref (hr);
  rig_free (r);
}
GST_END_TEST;

/* Without any OpenCL platform RGB input still works (it needs no device);
 * YUV input fails with the install hint, and a bad device property is
 * named. The ICD loader reads OCL_ICD_VENDORS at its first call, which
 * happens in this forked test process only. */
GST_START_TEST (test_no_opencl_platform)
{
  g_setenv ("OCL_ICD_VENDORS", "/nonexistent-gst-sr-test", TRUE);
  gchar *dir = sr_test_tmpdir ("srpairsink");
  const char *cases[3] = { "format=RGB", "format=I420", "format=NV12" };
  const char *props[3] = { "", "", "device=bogus" };
  for (int i = 0; i < 3; i++) {
    gchar *desc = g_strdup_printf ("videotestsrc num-buffers=2 ! "
        "video/x-raw,%s,width=64,height=48 ! tee name=t t. ! queue ! p.hr "
        "t. ! queue ! videoscale ! video/x-raw,width=16,height=12 ! p.lr "
        "srpairsink name=p %s location=%s/ds%d", cases[i], props[i], dir, i);
    gchar *msg = sr_check_run_for_error (desc);
    if (i == 0) {
      fail_unless (msg == NULL, "RGB without OpenCL: %s", msg);
      gchar *manifest = g_strdup_printf ("%s/ds0/manifest.jsonl", dir);
      gchar *text = NULL;
      fail_unless (g_file_get_contents (manifest, &text, NULL, NULL));
      int lines = 0;
      for (char *c = text; *c; c++)
        lines += *c == '\n';
      fail_unless_equals_int (lines, 2);      /* both pairs written */
      g_free (text);
      g_free (manifest);
    } else if (i == 1)
      fail_unless (msg != NULL && strstr (msg, "pocl-opencl-icd") != NULL,
          "got: %s", msg ? msg : "(none)");
    else
      fail_unless (msg != NULL && strstr (msg, "bogus") != NULL, "got: %s",
          msg ? msg : "(none)");
    g_free (msg);
    g_free (desc);
  }
  sr_test_rmtree (dir);
  g_free (dir);
}
GST_END_TEST;

/* ---- resume, lock, names, modes, errors -------------------------------------- */

/* Runs `props` on HR/LR frames 0..n-1 into dir/ds (created or resumed),
 * stopping early when srpairsink answers EOS (max-pairs reached). */
static void
run_frames (const char *dir, const char *props, int n)
{
  Rig *r = rig_new_in (dir, props);
  GstFlowReturn ret = GST_FLOW_OK;
  for (int i = 0; i < n && ret == GST_FLOW_OK; i++) {
    ret = gst_harness_push (r->hr, frame_buf (W, H, i, i, TRUE));
    if (ret == GST_FLOW_OK)
      ret = gst_harness_push (r->lr, frame_buf (W / S, H / S, i, i, FALSE));
  }
  fail_unless (ret == GST_FLOW_OK || ret == GST_FLOW_EOS, "push: %s",
      gst_flow_get_name (ret));
  if (ret == GST_FLOW_OK)
    push_pair_eos (r);
  rig_stop (r, TRUE);
}

/* Fails unless folders a and b hold the same names with the same bytes. */
static void
assert_same_tree (const char *a, const char *b)
{
  GDir *d = g_dir_open (a, 0, NULL);
  fail_unless (d != NULL, "no %s", a);
  const char *n;
  int na = 0, nb = 0;
  while ((n = g_dir_read_name (d))) {
    gchar *pa = g_build_filename (a, n, NULL), *pb = g_build_filename (b, n, NULL);
    na++;
    if (g_file_test (pa, G_FILE_TEST_IS_DIR))
      assert_same_tree (pa, pb);
    else {
      gchar *ta = NULL, *tb = NULL;
      gsize la = 0, lb = 0;
      fail_unless (g_file_get_contents (pa, &ta, &la, NULL));
      fail_unless (g_file_get_contents (pb, &tb, &lb, NULL), "%s is missing", pb);
      fail_unless (la == lb && memcmp (ta, tb, la) == 0, "%s and %s differ", pa, pb);
      g_free (ta);
      g_free (tb);
    }
    g_free (pa);
    g_free (pb);
  }
  g_dir_close (d);
  d = g_dir_open (b, 0, NULL);
  while (d && g_dir_read_name (d))
    nb++;
  if (d)
    g_dir_close (d);
  fail_unless_equals_int (nb, na);
}

/* Resume is the same command again: a run killed after some pairs, then
 * the very same command, gives what one uninterrupted run gives, byte for
 * byte, max-pairs included (it bounds the dataset). The killed run also
 * left what a kill can leave: a torn manifest line, a temporary PNG, and
 * a pair in the manifest whose meta_info line was not written yet. */
GST_START_TEST (test_resume_is_the_same_command)
{
  const char *props[2] = { "name=p max-pairs=5", "name=p max-pairs=5 patch-size=16 "
        "patches-per-frame=2 seed=3" };
  for (int c = 0; c < 2; c++) {
    gchar *whole = sr_test_tmpdir ("srpairsink"), *resumed = sr_test_tmpdir ("srpairsink");
    run_frames (whole, props[c], 10);
    run_frames (resumed, props[c], 2);                  /* "killed" */
    gchar *ds = g_build_filename (resumed, "ds", NULL);
    gchar *mp = g_build_filename (ds, "manifest.jsonl", NULL);
    FILE *f = fopen (mp, "a");
    fputs ("{\"name\":\"frame_000002.png\",\"sou", f);
    fclose (f);
    gchar *tmp = g_build_filename (ds, "HR", ".frame_000002.png.tmp-AbCdEf", NULL);
    fail_unless (g_file_set_contents (tmp, "half a PNG", -1, NULL));
    gchar *mi = g_build_filename (ds, "meta_info.txt", NULL), *text = NULL;
    gsize len;
    fail_unless (g_file_get_contents (mi, &text, &len, NULL) && len > 1);
    char *last = g_strrstr_len (text, len - 1, "\n");
    fail_unless (g_file_set_contents (mi, text, last ? last - text + 1 : 0, NULL));
    run_frames (resumed, props[c], 10);                 /* the same command */
    gchar *wds = g_build_filename (whole, "ds", NULL);
    assert_same_tree (wds, ds);
    Rig probe = {.dir = whole };
    fail_unless_equals_int (count_lines (&probe, "manifest.jsonl"), 5);
    g_print ("srpairsink resume (%s): killed after 2 frames + the same command "
        "== one run (5 pairs), byte for byte\n", props[c]);
    sr_test_rmtree (whole);
    sr_test_rmtree (resumed);
    g_free (text);
    g_free (mi);
    g_free (tmp);
    g_free (mp);
    g_free (ds);
    g_free (wds);
    g_free (whole);
    g_free (resumed);
  }
}
GST_END_TEST;

/* Only [A-Za-z0-9_-] survive in a name (the rule docs/dataset.md gives). */
static gchar *
expected_stem (const char *prefix)
{
  gchar *s = g_strdup (prefix);
  for (gchar *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      *p = '_';
  return s;
}

/* A prefix never leads out of location, and one with a space, a quote,
 * a slash or non-ASCII text gives names BasicSR's meta_info reader splits
 * correctly. */
GST_START_TEST (test_prefix_sanitised)
{
  const char *prefixes[3] = { "../escape", "a b/\xc3\xa9\"c", "../../../../tmp/x" };
  for (int c = 0; c < 3; c++) {
    Rig *r = rig_new (NULL);
    g_object_set (r->sink, "prefix", prefixes[c], NULL);
    gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
    gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, FALSE));
    push_pair_eos (r);
    gchar *stem = expected_stem (prefixes[c]);
    gchar *name = g_strdup_printf ("%s_000000.png", stem);
    gchar *rel = g_build_filename ("HR", name, NULL);
    gchar *hp = ds_path (r, rel);
    fail_unless (g_file_test (hp, G_FILE_TEST_IS_REGULAR), "prefix %s: no %s",
        prefixes[c], hp);
    /* Nothing beside ds/ and nothing in ds/ but the dataset. */
    fail_unless_equals_int (count_files (r, ".."), 1);
    fail_unless_equals_int (count_files (r, ""), 5);   /* HR LR_x4 .lock + 2 */
    fail_unless_equals_int (count_files (r, "HR"), 1);
    GPtrArray *lines = read_manifest (r);
    fail_unless_equals_int (lines->len, 1);
    fail_unless_equals_string (json_object_get_string_member (
            g_ptr_array_index (lines, 0), "name"), name);
    g_ptr_array_unref (lines);
    gchar *mp = ds_path (r, "meta_info.txt"), *text = NULL;
    fail_unless (g_file_get_contents (mp, &text, NULL, NULL));
    gchar *want = g_strdup_printf ("%s (48,64,3)\n", name);
    fail_unless_equals_string (text, want);
    g_print ("srpairsink prefix \"%s\" -> %s\n", prefixes[c], name);
    g_free (want);
    g_free (text);
    g_free (mp);
    g_free (hp);
    g_free (rel);
    g_free (name);
    g_free (stem);
    rig_free (r);
  }
}
GST_END_TEST;

/* Error message and debug text of the first error on bus. */
static gboolean
pop_error (GstBus *bus, GError **err, gchar **debug)
{
  GstMessage *m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (!m)
    return FALSE;
  gst_message_parse_error (m, err, debug);
  gst_message_unref (m);
  return TRUE;
}

/* A second writer on the same location is refused (flock on
 * location/.lock) while the first runs, and welcome once it stopped. */
GST_START_TEST (test_location_lock)
{
  Rig *r = rig_new (NULL);
  gchar *loc = ds_path (r, NULL);
  GstElement *el = gst_element_factory_make ("srpairsink", NULL);
  g_object_set (el, "location", loc, NULL);
  gchar *msg = state_change_error (el);
  fail_unless (msg && strstr (msg, "another writer") && strstr (msg, loc),
      "got: %s", msg ? msg : "(no error)");
  g_print ("srpairsink second writer: %s\n", msg);
  g_free (msg);
  gst_object_unref (el);
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, FALSE));
  push_pair_eos (r);
  gchar *dir = g_strdup (r->dir);
  rig_stop (r, TRUE);
  r = rig_new_in (dir, NULL);   /* the lock went with the first writer */
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 1);
  rig_free (r);
  g_free (dir);
  g_free (loc);
}
GST_END_TEST;

/* An x4 dataset resumed at x2 is refused, naming the scale it holds. */
GST_START_TEST (test_resume_other_scale)
{
  Rig *r = rig_new (NULL);
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, FALSE));
  push_pair_eos (r);
  gchar *dir = g_strdup (r->dir);
  rig_stop (r, TRUE);
  r = rig_new_in (dir, NULL);
  gst_harness_set_src_caps (r->lr, caps_of (W / 2, H / 2));
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  GstFlowReturn ret = gst_harness_push (r->lr, frame_buf (W / 2, H / 2, 0, 0, FALSE));
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  GError *err = NULL;
  gchar *debug = NULL;
  fail_unless (pop_error (r->bus, &err, &debug), "no error posted");
  fail_unless (strstr (err->message, "x4") && strstr (err->message, "x2"),
      "got: %s", err->message);
  g_print ("srpairsink x2 over x4: %s\n", err->message);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 1);
  g_error_free (err);
  g_free (debug);
  rig_free (r);
  g_free (dir);
}
GST_END_TEST;

/* A pad left unlinked is an error naming it, not a wait for ever. */
GST_START_TEST (test_unlinked_pad_errors)
{
  gchar *dir = sr_test_tmpdir ("srpairsink");
  const char *linked[2] = { "hr", "lr" }, *unlinked[2] = { "lr", "hr" };
  for (int i = 0; i < 2; i++) {
    gchar *desc = g_strdup_printf ("videotestsrc num-buffers=3 ! "
        "video/x-raw,format=RGB,width=64,height=48 ! p.%s "
        "srpairsink name=p location=%s/ds%d", linked[i], dir, i);
    gchar *msg = sr_check_run_for_error (desc);
    gchar *want = g_strdup_printf ("%s pad is not linked", unlinked[i]);
    fail_unless (msg && strstr (msg, want), "got: %s", msg ? msg : "(EOS)");
    g_print ("srpairsink only %s linked: %s\n", linked[i], msg);
    g_free (want);
    g_free (msg);
    g_free (desc);
  }
  sr_test_rmtree (dir);
  g_free (dir);
}
GST_END_TEST;

/* Files get 0666 less the umask, PNGs as the manifest (mkstemp's 0600
 * would hide a dataset from its readers). Forked: the umask stays here. */
GST_START_TEST (test_file_modes_follow_umask)
{
  const mode_t masks[2] = { 022, 027 };
  for (int c = 0; c < 2; c++) {
    umask (masks[c]);
    Rig *r = rig_new (NULL);
    gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
    gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, FALSE));
    push_pair_eos (r);
    const char *files[4] = { "HR/frame_000000.png", "LR_x4/frame_000000.png",
      "manifest.jsonl", "meta_info.txt" };
    for (int i = 0; i < 4; i++) {
      gchar *p = ds_path (r, files[i]);
      struct stat st;
      fail_unless (g_stat (p, &st) == 0);
      fail_unless_equals_int (st.st_mode & 0777, 0666 & ~masks[c]);
      g_free (p);
    }
    rig_free (r);
  }
}
GST_END_TEST;

/* ENOSPC (the manifest is /dev/full, which fails every write with it) is
 * GST_RESOURCE_ERROR_NO_SPACE_LEFT, the debug text names the file, and the
 * pair's PNGs are gone again. */
GST_START_TEST (test_no_space_left)
{
  gchar *dir = sr_test_tmpdir ("srpairsink");
  gchar *ds = g_build_filename (dir, "ds", NULL);
  gchar *mp = g_build_filename (ds, "manifest.jsonl", NULL);
  fail_unless (g_mkdir (ds, 0755) == 0 && symlink ("/dev/full", mp) == 0);
  Rig *r = rig_new_in (dir, NULL);
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  GstFlowReturn ret = gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, FALSE));
  fail_unless_equals_int (ret, GST_FLOW_ERROR);
  GError *err = NULL;
  gchar *debug = NULL;
  fail_unless (pop_error (r->bus, &err, &debug), "no error posted");
  fail_unless (g_error_matches (err, GST_RESOURCE_ERROR,
          GST_RESOURCE_ERROR_NO_SPACE_LEFT), "got %s %d: %s",
      g_quark_to_string (err->domain), err->code, err->message);
  fail_unless (debug && strstr (debug, mp) && strstr (debug, g_strerror (ENOSPC)),
      "debug text: %s", debug ? debug : "(none)");
  g_print ("srpairsink disk full: %s | debug: %s\n", err->message, debug);
  fail_unless_equals_int (count_files (r, "HR"), 0);
  fail_unless_equals_int (count_files (r, "LR_x4"), 0);
  g_error_free (err);
  g_free (debug);
  rig_free (r);
  g_free (mp);
  g_free (ds);
  g_free (dir);
}
GST_END_TEST;

/* The manifest's params: the LR buffer's sr-degradation structure as JSON,
 * fields in structure order, ops as objects named by "op", doubles with 17
 * significant digits (an exponent without json-glib's ".0"), a seed above
 * 2^63 - 1 as a string of its digits (docs/dataset.md). The structure is
 * attached through the meta API the plugin registers. */
GST_START_TEST (test_manifest_params_json)
{
  Rig *r = rig_new ("name=p");
  GstBuffer *lr = frame_buf (W / S, H / S, 0, 0, FALSE);
  GstStructure *rec = sr_check_attach_record (lr);
  GstStructure *step = gst_structure_new ("blur", "sigma-x", G_TYPE_DOUBLE, 1e17,
      "applied", G_TYPE_BOOLEAN, TRUE, "q", G_TYPE_DOUBLE, 0.1, "size", G_TYPE_INT, 7,
      NULL);
  GValue ops = G_VALUE_INIT, sv = G_VALUE_INIT, crop = G_VALUE_INIT;
  g_value_init (&ops, GST_TYPE_ARRAY);
  g_value_init (&sv, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&sv, step);
  gst_value_array_append_and_take_value (&ops, &sv);
  g_value_init (&crop, GST_TYPE_ARRAY);
  for (int i = 0; i < 4; i++) {
    GValue e = G_VALUE_INIT;
    g_value_init (&e, G_TYPE_INT);
    g_value_set_int (&e, (int[]) { 0, 0, W, H }[i]);
    gst_value_array_append_and_take_value (&crop, &e);
  }
  gst_structure_set (rec, "frame", G_TYPE_UINT64,
      (guint64) 0, "scale", G_TYPE_INT, S, "preset", G_TYPE_STRING, "a \"b\"",
      "seed", G_TYPE_UINT64, G_MAXUINT64, NULL);
  gst_structure_take_value (rec, "crop", &crop);
  gst_structure_take_value (rec, "ops", &ops);
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  fail_unless_equals_int (gst_harness_push (r->lr, lr), GST_FLOW_OK);
  push_pair_eos (r);
  gchar *mp = ds_path (r, "manifest.jsonl"), *text = NULL;
  fail_unless (g_file_get_contents (mp, &text, NULL, NULL));
  const char *want = "{\"name\":\"frame_s18446744073709551615_000000.png\","
      "\"source\":\"p\",\"frame\":0,\"crop\":[0,0,64,48],\"lr_crop\":[0,0,16,12],"
      "\"params\":{\"frame\":0,\"scale\":4,\"preset\":\"a \\\"b\\\"\","
      "\"seed\":\"18446744073709551615\",\"crop\":[0,0,64,48],\"ops\":[{\"op\":"
      "\"blur\",\"sigma-x\":1e+17,\"applied\":true,\"q\":0.10000000000000001,"
      "\"size\":7}]}}\n";
  fail_unless_equals_string (text, want);
  GPtrArray *lines = read_manifest (r);     /* and it is JSON */
  fail_unless_equals_int (lines->len, 1);
  g_ptr_array_unref (lines);
  g_free (text);
  g_free (mp);
  rig_free (r);
}
GST_END_TEST;

/* ---- layout=clips ---------------------------------------------------------------- */

/* An LR frame whose sr-degradation meta puts it at clip-frame cf of clip
 * `clip` (as srdegrade clip-length=len records it; len 0: no clip-length
 * field), seed 5, so names are frame_s5_c<clip>. */
static GstBuffer *
clip_lr_buf (int frame, guint64 clip, guint cf, guint len)
{
  GstBuffer *b = frame_buf (W / S, H / S, frame, frame, FALSE);
  GstStructure *rec = sr_check_attach_record (b);
  gst_structure_set (rec, "frame", G_TYPE_UINT64,
      (guint64) frame, "scale", G_TYPE_INT, S, "preset", G_TYPE_STRING, "test",
      "seed", G_TYPE_UINT64, (guint64) 5, "clip", G_TYPE_UINT64, clip,
      "clip-frame", G_TYPE_UINT, cf, NULL);
  if (len)
    gst_structure_set (rec, "clip-length", G_TYPE_UINT, len, NULL);
  return b;
}

/* Frames first..last as clips of len frames (frame f: clip f / len,
 * clip-frame f % len); the LR of frame `drop` (-1: none) is missing. Returns
 * the last flow return of the LR pushes (stops at the first not OK). */
static GstFlowReturn
push_clip_frames (Rig *r, int first, int last, guint len, int drop)
{
  GstFlowReturn ret = GST_FLOW_OK;
  for (int f = first; f <= last && ret == GST_FLOW_OK; f++) {
    ret = gst_harness_push (r->hr, frame_buf (W, H, f, f, FALSE));
    if (ret == GST_FLOW_OK && f != drop)
      ret = gst_harness_push (r->lr, clip_lr_buf (f, f / len, f % len, len));
  }
  return ret;
}

static gchar *
ds_text (Rig *r, const char *rel)
{
  gchar *path = ds_path (r, rel), *text = NULL;
  if (!g_file_get_contents (path, &text, NULL, NULL))
    text = g_strdup ("");
  g_free (path);
  return text;
}

static gboolean
ds_exists (Rig *r, const char *rel)
{
  gchar *path = ds_path (r, rel);
  gboolean e = g_file_test (path, G_FILE_TEST_EXISTS);
  g_free (path);
  return e;
}

/* The "clip" lines of the manifest, in order, as "name:frames". */
static gchar *
manifest_clips (Rig *r)
{
  GPtrArray *lines = read_manifest (r);
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < lines->len; i++) {
    JsonObject *o = g_ptr_array_index (lines, i);
    if (json_object_has_member (o, "clip"))
      g_string_append_printf (s, "%s%s:%" G_GINT64_FORMAT, s->len ? " " : "",
          json_object_get_string_member (o, "clip"),
          json_object_get_int_member (o, "frames"));
  }
  g_ptr_array_unref (lines);
  return g_string_free (s, FALSE);
}

static guint64
summary_u64 (const GstStructure *s, const char *field)
{
  guint64 v = G_MAXUINT64;
  fail_unless (s && gst_structure_get_uint64 (s, field, &v), "no %s in %"
      GST_PTR_FORMAT, field, s);
  return v;
}

/* HR/<clip>/<frame:08d>.png and LR_x4/ likewise, meta_info "<clip> <n>
 * (h,w,c)", one manifest line per frame (its name "<clip>/<file>") and
 * one clip line per clip after its frames; a clip is committed as soon as
 * its last frame (clip-length) is written, the short last one at EOS. */
GST_START_TEST (test_clips_layout)
{
  Rig *r = rig_new ("layout=clips");
  fail_unless_equals_int (push_clip_frames (r, 0, 3, 4, -1), GST_FLOW_OK);
  /* Clip 0 is complete at its fourth frame: committed at once. */
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 5);
  fail_unless_equals_int (count_lines (r, "meta_info.txt"), 1);
  fail_unless_equals_int (push_clip_frames (r, 4, 9, 4, -1), GST_FLOW_OK);
  /* Clip 2 (frames 8, 9) waits for its end. */
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 10);
  fail_unless (ds_exists (r, "HR/frame_s5_c000002/00000001.png"));
  push_pair_eos (r);
  gchar *meta = ds_text (r, "meta_info.txt");
  fail_unless_equals_string (meta, "frame_s5_c000000 4 (48,64,3)\n"
      "frame_s5_c000001 4 (48,64,3)\nframe_s5_c000002 2 (48,64,3)\n");
  g_free (meta);
  fail_unless_equals_int (count_files (r, "HR"), 3);
  fail_unless_equals_int (count_files (r, "LR_x4"), 3);
  fail_unless_equals_int (count_files (r, "HR/frame_s5_c000001"), 4);
  fail_unless_equals_int (count_files (r, "LR_x4/frame_s5_c000002"), 2);

  /* Clip 1's third file is frame 6 (red = x * 3 + frame). */
  gchar *hp = ds_path (r, "HR/frame_s5_c000001/00000002.png");
  int w, h;
  guint8 *px = read_png (hp, &w, &h);
  fail_unless (px != NULL && w == W && h == H, "bad %s", hp);
  fail_unless_equals_int (px[(5 * W + 7) * 3 + 0], 7 * 3 + 6);
  g_free (px);
  g_free (hp);

  GPtrArray *lines = read_manifest (r);
  fail_unless_equals_int (lines->len, 13);
  const int clip_lines[] = { 4, 9, 12 };
  int frame = 0;
  for (guint i = 0, c = 0; i < lines->len; i++) {
    JsonObject *o = g_ptr_array_index (lines, i);
    if (c < 3 && (int) i == clip_lines[c]) {
      gchar *want = g_strdup_printf ("frame_s5_c%06u", c);
      fail_unless_equals_string (json_object_get_string_member (o, "clip"), want);
      fail_unless_equals_int (json_object_get_int_member (o, "frames"), c < 2 ? 4 : 2);
      fail_unless_equals_int (json_object_get_int_member (o, "first-frame"), 4 * c);
      JsonArray *size = json_object_get_array_member (o, "size");
      JsonArray *lr_size = json_object_get_array_member (o, "lr_size");
      fail_unless (json_array_get_int_element (size, 0) == W
          && json_array_get_int_element (size, 1) == H
          && json_array_get_int_element (lr_size, 0) == W / S
          && json_array_get_int_element (lr_size, 1) == H / S);
      /* The clip's draws: its first frame's record. */
      JsonObject *params = json_object_get_object_member (o, "params");
      fail_unless_equals_int (json_object_get_int_member (params, "frame"), 4 * c);
      fail_unless_equals_int (json_object_get_int_member (params, "clip-frame"), 0);
      fail_unless (!json_object_has_member (o, "name"));
      g_free (want);
      c++;
      continue;
    }
    gchar *want = g_strdup_printf ("frame_s5_c%06d/%08d.png", frame / 4, frame % 4);
    fail_unless_equals_string (json_object_get_string_member (o, "name"), want);
    fail_unless_equals_int (json_object_get_int_member (o, "frame"), frame);
    JsonObject *params = json_object_get_object_member (o, "params");
    fail_unless_equals_int (json_object_get_int_member (params, "clip"), frame / 4);
    fail_unless_equals_int (json_object_get_int_member (params, "clip-frame"), frame % 4);
    g_free (want);
    frame++;
  }
  g_ptr_array_unref (lines);

  gboolean eos;
  GstStructure *sum = drain_messages (r, "sr-summary", &eos);
  fail_unless (eos);
  fail_unless_equals_uint64 (summary_u64 (sum, "pairs"), 10);
  fail_unless_equals_uint64 (summary_u64 (sum, "clips"), 3);
  fail_unless_equals_uint64 (summary_u64 (sum, "skipped-clip-frames"), 0);
  gst_structure_free (sum);
  rig_free (r);
}
GST_END_TEST;

/* A clip seen from its middle is skipped (BasicSR reads frames 0..n-1); a
 * missing frame ends its clip (the frames after it are skipped); a clip
 * shorter than min-clip-frames is removed, the files it had written
 * included. */
GST_START_TEST (test_clips_breaks_and_min_frames)
{
  Rig *r = rig_new ("layout=clips min-clip-frames=3");
  /* Frames 1..10, clips of 4: clip 0 from its frame 1; clip 1 loses its
   * frame 5 (unmatched), so it ends after one frame; clip 2 has 8, 9, 10. */
  fail_unless_equals_int (push_clip_frames (r, 1, 10, 4, 5), GST_FLOW_OK);
  fail_unless (!ds_exists (r, "HR/frame_s5_c000000"));
  fail_unless (!ds_exists (r, "HR/frame_s5_c000001"), "a 1-frame clip was kept");
  fail_unless (!ds_exists (r, "LR_x4/frame_s5_c000001"));
  push_pair_eos (r);
  gchar *meta = ds_text (r, "meta_info.txt");
  fail_unless_equals_string (meta, "frame_s5_c000002 3 (48,64,3)\n");
  g_free (meta);
  gchar *clips = manifest_clips (r);
  fail_unless_equals_string (clips, "frame_s5_c000002:3");
  g_free (clips);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 4);
  fail_unless_equals_int (count_files (r, "HR"), 1);
  GstStructure *sum = drain_messages (r, "sr-summary", NULL);
  /* 1, 2, 3 (no start) + 4 (too short) + 6, 7 (after the break) */
  fail_unless_equals_uint64 (summary_u64 (sum, "skipped-clip-frames"), 6);
  fail_unless_equals_uint64 (summary_u64 (sum, "skipped-unmatched"), 1);
  fail_unless_equals_uint64 (summary_u64 (sum, "pairs"), 3);
  gst_structure_free (sum);
  rig_free (r);

  /* The last clip cut short by EOS, under min-clip-frames: not written. */
  r = rig_new ("layout=clips min-clip-frames=3");
  fail_unless_equals_int (push_clip_frames (r, 0, 5, 4, -1), GST_FLOW_OK);
  fail_unless (ds_exists (r, "HR/frame_s5_c000001/00000001.png"));
  push_pair_eos (r);
  fail_unless (!ds_exists (r, "HR/frame_s5_c000001"));
  clips = manifest_clips (r);
  fail_unless_equals_string (clips, "frame_s5_c000000:4");
  g_free (clips);
  rig_free (r);

  /* Without clip-length in the records a clip ends when the next one
   * starts (or at EOS). */
  r = rig_new ("layout=clips");
  for (int f = 0; f < 6; f++) {
    gst_harness_push (r->hr, frame_buf (W, H, f, f, FALSE));
    gst_harness_push (r->lr, clip_lr_buf (f, f / 3, f % 3, 0));
  }
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 4);
  push_pair_eos (r);
  clips = manifest_clips (r);
  fail_unless_equals_string (clips, "frame_s5_c000000:3 frame_s5_c000001:3");
  g_free (clips);
  rig_free (r);

  /* Clips shorter than min-clip-frames by their clip-length: a warning
   * says that nothing will be written. */
  r = rig_new ("layout=clips");
  fail_unless_equals_int (push_clip_frames (r, 0, 2, 1, -1), GST_FLOW_OK);
  push_pair_eos (r);
  GstMessage *m = gst_bus_pop_filtered (r->bus, GST_MESSAGE_WARNING);
  fail_unless (m != NULL, "no warning for clip-length 1 < min-clip-frames 2");
  GError *err = NULL;
  gst_message_parse_warning (m, &err, NULL);
  fail_unless (strstr (err->message, "min-clip-frames=2"), "got: %s", err->message);
  g_error_free (err);
  gst_message_unref (m);
  fail_unless_equals_int (count_lines (r, "manifest.jsonl"), 0);
  fail_unless_equals_int (count_files (r, "HR"), 0);
  rig_free (r);
}
GST_END_TEST;

/* every-n picks clips; max-pairs is checked when a clip ends, so the last
 * clip is whole, and then the stream ends. */
GST_START_TEST (test_clips_every_n_and_max_pairs)
{
  Rig *r = rig_new ("layout=clips every-n=2 max-pairs=4");
  GstFlowReturn ret = push_clip_frames (r, 0, 20, 3, -1);
  fail_unless_equals_int (ret, GST_FLOW_EOS);
  gchar *clips = manifest_clips (r);
  fail_unless_equals_string (clips, "frame_s5_c000000:3 frame_s5_c000002:3");
  g_free (clips);
  fail_unless_equals_int (count_files (r, "HR"), 2);
  gboolean eos;
  GstStructure *sum = drain_messages (r, "sr-summary", &eos);
  fail_unless (eos, "max-pairs must end the stream");
  fail_unless_equals_uint64 (summary_u64 (sum, "pairs"), 6);
  gst_structure_free (sum);
  rig_free (r);
}
GST_END_TEST;

/* layout=clips refuses patches at start, frames without a clip record when
 * they come, and a location of the other layout. */
GST_START_TEST (test_clips_refusals)
{
  gchar *dir = sr_test_tmpdir ("srpairsink");
  gchar *loc = g_build_filename (dir, "ds", NULL);
  GstElement *el = gst_element_factory_make ("srpairsink", NULL);
  g_object_set (el, "location", loc, "patch-size", 16, NULL);
  gst_util_set_object_arg (G_OBJECT (el), "layout", "clips");
  gchar *msg = state_change_error (el);
  fail_unless (msg && strstr (msg, "layout=clips") && strstr (msg, "patch-size"),
      "got: %s", msg ? msg : "(no error)");
  g_print ("srpairsink layout=clips patch-size=16: %s\n", msg);
  g_free (msg);
  gst_object_unref (el);
  sr_test_rmtree (dir);
  g_free (loc);
  g_free (dir);

  Rig *r = rig_new ("layout=clips");
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  fail_unless_equals_int (gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0,
              FALSE)), GST_FLOW_ERROR);
  GError *err = NULL;
  gchar *debug = NULL;
  fail_unless (pop_error (r->bus, &err, &debug), "no error posted");
  fail_unless (strstr (err->message, "clip-length"), "got: %s", err->message);
  g_print ("srpairsink layout=clips without clips: %s\n", err->message);
  g_error_free (err);
  g_free (debug);
  rig_free (r);

  /* A frames dataset resumed with layout=clips, and the other way round. */
  r = rig_new (NULL);
  gst_harness_push (r->hr, frame_buf (W, H, 0, 0, FALSE));
  gst_harness_push (r->lr, frame_buf (W / S, H / S, 0, 0, FALSE));
  push_pair_eos (r);
  loc = ds_path (r, NULL);
  el = gst_element_factory_make ("srpairsink", NULL);
  g_object_set (el, "location", loc, NULL);
  gst_util_set_object_arg (G_OBJECT (el), "layout", "clips");
  dir = g_strdup (r->dir);
  rig_stop (r, TRUE);
  msg = state_change_error (el);
  sr_test_rmtree (dir);
  g_free (dir);
  fail_unless (msg && strstr (msg, "single frames") && strstr (msg, "layout=clips"),
      "got: %s", msg ? msg : "(no error)");
  g_print ("srpairsink layout=clips over frames: %s\n", msg);
  g_free (msg);
  gst_object_unref (el);
  g_free (loc);

  r = rig_new ("layout=clips");
  push_clip_frames (r, 0, 1, 2, -1);
  push_pair_eos (r);
  loc = ds_path (r, NULL);
  el = gst_element_factory_make ("srpairsink", NULL);
  g_object_set (el, "location", loc, NULL);
  dir = g_strdup (r->dir);
  rig_stop (r, TRUE);
  msg = state_change_error (el);
  sr_test_rmtree (dir);
  g_free (dir);
  fail_unless (msg && strstr (msg, "holds clips"), "got: %s", msg ? msg : "(no error)");
  g_free (msg);
  gst_object_unref (el);
  g_free (loc);
}
GST_END_TEST;

static void
write_text (const char *path, const char *text)
{
  fail_unless (g_file_set_contents (path, text, -1, NULL), "cannot write %s", path);
}

/* Cuts the last `n` lines off path; with `torn`, the start of the first of
 * them stays, without its newline (a crash in the middle of an append). */
static void
cut_lines (const char *path, int n, gboolean torn)
{
  gchar *text = NULL;
  gsize len = 0;
  fail_unless (g_file_get_contents (path, &text, &len, NULL));
  gsize keep = len;
  for (int i = 0; i < n; i++) {
    keep--;                     /* the newline of the last line kept */
    while (keep > 0 && text[keep - 1] != '\n')
      keep--;
  }
  if (torn)
    keep += 10;
  text[keep] = '\0';
  write_text (path, text);
  g_free (text);
}

/* Resume per clip: what a killed run can leave (a clip's lines half
 * appended, its PNGs half written, a temporary PNG, a clip committed whose
 * meta_info line is missing, a clip folder never committed, a run stopped
 * without EOS) is repaired, and the same frames again give the files of
 * one uninterrupted run, byte for byte. */
GST_START_TEST (test_clips_resume_torn)
{
  Rig *clean = rig_new ("name=p layout=clips");
  push_clip_frames (clean, 0, 9, 4, -1);
  push_pair_eos (clean);
  gchar *clean_ds = ds_path (clean, NULL);

  for (int variant = 0; variant < 3; variant++) {
    Rig *r = rig_new ("name=p layout=clips");
    if (variant < 2) {
      push_clip_frames (r, 0, 9, 4, -1);
      push_pair_eos (r);
    } else {
      /* Stopped (no EOS) in the middle of clip 1: it leaves nothing. */
      push_clip_frames (r, 0, 5, 4, -1);
    }
    gchar *dir = g_strdup (r->dir);
    rig_stop (r, TRUE);
    gchar *ds = g_build_filename (dir, "ds", NULL);
    gchar *manifest = g_build_filename (ds, "manifest.jsonl", NULL);
    gchar *meta = g_build_filename (ds, "meta_info.txt", NULL);
    gchar *hr1 = g_build_filename (ds, "HR", "frame_s5_c000001", NULL);
    if (variant == 0) {
      /* Killed while appending clip 2's lines (its clip line torn) and
       * before its meta_info line; clip 1's PNGs as if half written. */
      cut_lines (manifest, 1, TRUE);
      cut_lines (meta, 1, FALSE);
      gchar *p = g_build_filename (ds, "HR", "frame_s5_c000002", "00000001.png", NULL);
      g_unlink (p);
      g_free (p);
      p = g_build_filename (ds, "LR_x4", "frame_s5_c000002", ".00000000.png.tmp-AbCdEf", NULL);
      write_text (p, "partial");
      g_free (p);
      /* A torn clip beyond the others: its folder only. */
      p = g_build_filename (ds, "HR", "frame_s5_c000007", NULL);
      g_mkdir_with_parents (p, 0777);
      gchar *f = g_build_filename (p, "00000000.png", NULL);
      write_text (f, "png");
      g_free (f);
      g_free (p);
    } else if (variant == 1) {
      /* Killed between clip 2's manifest and meta_info lines, with a
       * temporary PNG left in clip 1 and clip 2's lines whole. */
      cut_lines (meta, 1, FALSE);
      gchar *p = g_build_filename (hr1, ".00000003.png.tmp-XyZ123", NULL);
      write_text (p, "partial");
      g_free (p);
    } else {
      fail_unless (!g_file_test (hr1, G_FILE_TEST_EXISTS),
          "a run stopped without EOS left its open clip");
    }
    r = rig_new_in (dir, "name=p layout=clips");
    push_clip_frames (r, 0, 9, 4, -1);
    push_pair_eos (r);
    GstStructure *sum = drain_messages (r, "sr-summary", NULL);
    gchar *text = gst_structure_to_string (sum);
    g_print ("srpairsink clips resume, case %d: %s\n", variant, text);
    g_free (text);
    gst_structure_free (sum);
    rig_stop (r, TRUE);
    assert_same_tree (clean_ds, ds);
    sr_test_rmtree (dir);
    g_free (hr1);
    g_free (meta);
    g_free (manifest);
    g_free (ds);
    g_free (dir);
  }
  g_free (clean_ds);
  rig_free (clean);
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
  tcase_add_test (tc, test_resume_is_the_same_command);
  tcase_add_test (tc, test_prefix_sanitised);
  tcase_add_test (tc, test_location_lock);
  tcase_add_test (tc, test_resume_other_scale);
  tcase_add_test (tc, test_unlinked_pad_errors);
  tcase_add_test (tc, test_file_modes_follow_umask);
  tcase_add_test (tc, test_no_space_left);
  tcase_add_test (tc, test_manifest_params_json);
  tcase_add_test (tc, test_clips_layout);
  tcase_add_test (tc, test_clips_breaks_and_min_frames);
  tcase_add_test (tc, test_clips_every_n_and_max_pairs);
  tcase_add_test (tc, test_clips_refusals);
  tcase_add_test (tc, test_clips_resume_torn);
  photo = sr_test_data_path ("baboon.jpg");
  video = sr_test_data_path ("Megamind.avi");
  SR_CHECK_ADD_IF (tc, test_photo_i420_nv12_yuy2_gray8, photo != NULL,
      "opencv-doc's baboon.jpg is missing");
  SR_CHECK_ADD_IF (tc, test_video_pair_brightness, video != NULL,
      "opencv-doc's Megamind.avi is missing");
  tcase_add_test (tc, test_no_opencl_platform);
  tcase_add_test (tc, test_yuv_colorimetry_honoured);
  tcase_add_test (tc, test_yuv_patches);
  return s;
}

SR_CHECK_MAIN (srpairsink);
