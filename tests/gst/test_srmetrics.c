/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srmetrics element tests: pairing by running time (a GAP on test leaves
 * its ref frame unmatched and unscored), test passing through unchanged,
 * per-frame values against a plain-C RGB PSNR, identical frames (+inf on
 * the bus, null + "psnr-infinite" in JSON, SSIM 1), the summary before EOS,
 * and clear errors: sizes that differ, an unknown metric, a crop border
 * larger than the frame, an unlinked ref pad. (Values against BasicSR and
 * scikit-image on real photos: reference/srmetrics.) */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "sr_check_util.h"

#define W 40
#define H 30

typedef struct {
  GstElement *m;
  GstHarness *ref, *test;
  GstBus *bus;
} Rig;

static GstCaps *
caps_of (int w, int h)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB",
      "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
      "framerate", GST_TYPE_FRACTION, 25, 1, NULL);
}

/* A w x h RGB frame of seeded noise around a ramp; `noise` 0 gives the
 * clean frame of that seed. */
static GstBuffer *
frame_buf (int w, int h, int index, int noise)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, (gsize) w * h * 3, NULL);
  GstMapInfo m;
  gst_buffer_map (b, &m, GST_MAP_WRITE);
  GRand *r = g_rand_new_with_seed (1000 + index);
  for (int i = 0; i < w * h * 3; i++) {
    const int v = (i * 7 + index * 13) % 200 + 20
        + (noise ? g_rand_int_range (r, -noise, noise + 1) : 0);
    m.data[i] = (guint8) CLAMP (v, 0, 255);
  }
  g_rand_free (r);
  gst_buffer_unmap (b, &m);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (index, GST_SECOND, 25);
  GST_BUFFER_DURATION (b) = GST_SECOND / 25;
  return b;
}

/* RGB PSNR of two frames, every byte one value (BasicSR, y-only=false). */
static double
ref_psnr (GstBuffer *a, GstBuffer *b)
{
  GstMapInfo ma, mb;
  gst_buffer_map (a, &ma, GST_MAP_READ);
  gst_buffer_map (b, &mb, GST_MAP_READ);
  double sse = 0;
  for (gsize i = 0; i < ma.size; i++)
    sse += ((double) ma.data[i] - mb.data[i]) * ((double) ma.data[i] - mb.data[i]);
  const double mse = sse / ma.size;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return mse > 0 ? 10 * log10 (255.0 * 255.0 / mse) : INFINITY;
}

static Rig *
rig_new (const char *props, int ref_w, int ref_h)
{
  Rig *r = g_new0 (Rig, 1);
  gchar *desc = g_strdup_printf ("srmetrics %s", props ? props : "");
  r->m = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (r->m != NULL);
  r->bus = gst_bus_new ();
  gst_element_set_bus (r->m, r->bus);
  r->test = gst_harness_new_with_element (r->m, "test", "src");
  r->ref = gst_harness_new_with_element (r->m, "ref", NULL);
  gst_harness_set_src_caps (r->test, caps_of (W, H));
  gst_harness_set_src_caps (r->ref, caps_of (ref_w, ref_h));
  return r;
}

static void
rig_free (Rig *r)
{
  gst_harness_teardown (r->ref);
  gst_harness_teardown (r->test);
  gst_element_set_bus (r->m, NULL);
  gst_object_unref (r->bus);
  gst_object_unref (r->m);
  g_free (r);
}

/* The element messages called `name`, in order (a list of structures). */
static GList *
messages (Rig *r, const char *name)
{
  GList *list = NULL;
  GstMessage *m;
  while ((m = gst_bus_pop (r->bus))) {
    const GstStructure *s = gst_message_get_structure (m);
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ELEMENT && s
        && gst_structure_has_name (s, name))
      list = g_list_append (list, gst_structure_copy (s));
    gst_message_unref (m);
  }
  return list;
}

/* ref ends first: test's EOS waits for it (the summary goes out before
 * EOS does). */
static void
push_eos (Rig *r)
{
  fail_unless (gst_harness_push_event (r->ref, gst_event_new_eos ()));
  fail_unless (gst_harness_push_event (r->test, gst_event_new_eos ()));
}

/* Five ref frames; test has frames 0, 2, 3, 4 and a GAP over frame 1:
 * four scored (each against the ref of its time: the plain-C PSNR to
 * 1e-9 dB), one unmatched; every test buffer comes out of src as it went
 * in. */
GST_START_TEST (test_pairing_and_values)
{
  Rig *r = rig_new ("y-only=false", W, H);
  GstBuffer *refs[5], *tests[5] = { NULL };
  for (int i = 0; i < 5; i++) {
    refs[i] = frame_buf (W, H, i, 0);
    fail_unless_equals_int (gst_harness_push (r->ref, gst_buffer_ref (refs[i])),
        GST_FLOW_OK);
    if (i == 1) {
      fail_unless (gst_harness_push_event (r->test, gst_event_new_gap
              (GST_BUFFER_PTS (refs[i]), GST_SECOND / 25)));
      continue;
    }
    tests[i] = frame_buf (W, H, i, 3 * i + 2);
    fail_unless_equals_int (gst_harness_push (r->test, gst_buffer_ref (tests[i])),
        GST_FLOW_OK);
    GstBuffer *out = gst_harness_pull (r->test);
    fail_unless (out == tests[i], "test must pass through unchanged");
    gst_buffer_unref (out);
  }
  push_eos (r);
  GList *frames = messages (r, "sr-metrics");
  fail_unless_equals_int (g_list_length (frames), 4);
  int k = 0;
  for (GList *l = frames; l; l = l->next, k++) {
    const int i = k == 0 ? 0 : k + 1;
    GstClockTime pts;
    double psnr, ssim;
    fail_unless (gst_structure_get_uint64 (l->data, "pts", &pts));
    fail_unless_equals_uint64 (pts, GST_BUFFER_PTS (tests[i]));
    fail_unless (gst_structure_get_double (l->data, "psnr", &psnr));
    fail_unless (gst_structure_get_double (l->data, "ssim", &ssim));
    const double want = ref_psnr (refs[i], tests[i]);
    fail_unless (fabs (psnr - want) <= 1e-9, "frame %d: psnr %.12f, want %.12f",
        i, psnr, want);
    fail_unless (ssim > 0 && ssim < 1, "frame %d: ssim %f", i, ssim);
  }
  g_list_free_full (frames, (GDestroyNotify) gst_structure_free);
  /* The summary was posted before EOS left the element. */
  GstEvent *ev;
  gboolean saw_eos = FALSE;
  while ((ev = gst_harness_try_pull_event (r->test))) {
    saw_eos |= GST_EVENT_TYPE (ev) == GST_EVENT_EOS;
    gst_event_unref (ev);
  }
  fail_unless (saw_eos);
  rig_free (r);
  for (int i = 0; i < 5; i++) {
    gst_buffer_unref (refs[i]);
    if (tests[i])
      gst_buffer_unref (tests[i]);
  }
}
GST_END_TEST;

GST_START_TEST (test_summary_counts)
{
  Rig *r = rig_new ("y-only=false", W, H);
  for (int i = 0; i < 3; i++) {
    fail_unless_equals_int (gst_harness_push (r->ref, frame_buf (W, H, i, 0)),
        GST_FLOW_OK);
    if (i != 1)
      fail_unless_equals_int (gst_harness_push (r->test, frame_buf (W, H, i, 4)),
          GST_FLOW_OK);
  }
  push_eos (r);
  GList *sums = messages (r, "sr-metrics-summary");
  fail_unless_equals_int (g_list_length (sums), 1);
  guint64 frames, unmatched;
  double mean, from_mean_mse;
  fail_unless (gst_structure_get_uint64 (sums->data, "frames", &frames));
  fail_unless (gst_structure_get_uint64 (sums->data, "unmatched", &unmatched));
  fail_unless (gst_structure_get_double (sums->data, "psnr-mean", &mean));
  fail_unless (gst_structure_get_double (sums->data, "psnr-from-mean-mse",
          &from_mean_mse));
  fail_unless_equals_uint64 (frames, 2);
  /* ref frame 1 had no partner: test's frame 2 arrived past it. */
  fail_unless_equals_uint64 (unmatched, 1);
  /* Jensen: the PSNR of the mean MSE is at most the mean PSNR. */
  fail_unless (from_mean_mse <= mean + 1e-12);
  g_list_free_full (sums, (GDestroyNotify) gst_structure_free);
  rig_free (r);
}
GST_END_TEST;

/* Identical frames: +inf on the bus; in JSON null with psnr-infinite;
 * SSIM exactly 1; the summary counts it. */
GST_START_TEST (test_identical)
{
  gchar *dir = sr_test_tmpdir ("srmetrics");
  gchar *path = g_build_filename (dir, "scores.jsonl", NULL);
  gchar *props = g_strdup_printf ("location=%s", path);
  Rig *r = rig_new (props, W, H);
  fail_unless_equals_int (gst_harness_push (r->ref, frame_buf (W, H, 0, 0)),
      GST_FLOW_OK);
  fail_unless_equals_int (gst_harness_push (r->test, frame_buf (W, H, 0, 0)),
      GST_FLOW_OK);
  push_eos (r);
  GList *frames = messages (r, "sr-metrics");
  fail_unless_equals_int (g_list_length (frames), 1);
  double psnr, ssim;
  fail_unless (gst_structure_get_double (frames->data, "psnr", &psnr));
  fail_unless (gst_structure_get_double (frames->data, "ssim", &ssim));
  fail_unless (isinf (psnr) && psnr > 0);
  fail_unless (ssim == 1.0, "ssim %.17g", ssim);
  g_list_free_full (frames, (GDestroyNotify) gst_structure_free);
  rig_free (r);

  gchar *text = NULL;
  fail_unless (g_file_get_contents (path, &text, NULL, NULL));
  gchar **lines = g_strsplit (g_strstrip (text), "\n", -1);
  fail_unless_equals_int (g_strv_length (lines), 2);
  JsonNode *node = json_from_string (lines[0], NULL);
  JsonObject *o = json_node_get_object (node);
  fail_unless (json_object_get_null_member (o, "psnr"));
  fail_unless (json_object_get_boolean_member (o, "psnr-infinite"));
  fail_unless (json_object_get_double_member (o, "ssim") == 1.0);
  json_node_unref (node);
  node = json_from_string (lines[1], NULL);
  o = json_node_get_object (node);
  fail_unless (json_object_get_boolean_member (o, "summary"));
  fail_unless_equals_int (json_object_get_int_member (o, "psnr-identical"), 1);
  fail_unless (json_object_get_null_member (o, "psnr-mean"));
  fail_unless (json_object_get_boolean_member (o, "psnr-mean-infinite"));
  json_node_unref (node);
  g_strfreev (lines);
  g_free (text);
  g_free (props);
  g_free (path);
  sr_test_rmtree (dir);
  g_free (dir);
}
GST_END_TEST;

/* The first error message's text (NULL if none). */
static gchar *
error_text (Rig *r)
{
  GstMessage *m;
  gchar *text = NULL;
  while (!text && (m = gst_bus_pop (r->bus))) {
    if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
      GError *e;
      gst_message_parse_error (m, &e, NULL);
      text = g_strdup (e->message);
      g_error_free (e);
    }
    gst_message_unref (m);
  }
  return text;
}

GST_START_TEST (test_size_mismatch)
{
  Rig *r = rig_new (NULL, W / 2, H / 2);
  gst_harness_push (r->ref, frame_buf (W / 2, H / 2, 0, 0));
  fail_unless_equals_int (gst_harness_push (r->test, frame_buf (W, H, 0, 0)),
      GST_FLOW_ERROR);
  gchar *text = error_text (r);
  fail_unless (text && strstr (text, "ref is 20x15, test is 40x30"), "%s", text);
  g_free (text);
  rig_free (r);
}
GST_END_TEST;

GST_START_TEST (test_crop_too_large)
{
  Rig *r = rig_new ("crop-border=15", W, H);
  gst_harness_push (r->ref, frame_buf (W, H, 0, 0));
  fail_unless_equals_int (gst_harness_push (r->test, frame_buf (W, H, 0, 0)),
      GST_FLOW_ERROR);
  gchar *text = error_text (r);
  fail_unless (text && strstr (text, "crop-border=15"), "%s", text);
  g_free (text);
  rig_free (r);
}
GST_END_TEST;

GST_START_TEST (test_unknown_metric)
{
  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! m.ref "
      "videotestsrc num-buffers=1 ! m.test srmetrics name=m metrics=psnr,vmaf "
      "! fakesink");
  fail_unless (msg && strstr (msg, "unknown metric \"vmaf\"")
      && strstr (msg, "psnr, ssim"), "got: %s", msg ? msg : "(no error)");
  g_free (msg);
}
GST_END_TEST;

GST_START_TEST (test_ref_unlinked)
{
  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! m.test "
      "srmetrics name=m ! fakesink");
  fail_unless (msg && strstr (msg, "ref pad is not linked"), "got: %s",
      msg ? msg : "(no error)");
  g_free (msg);
}
GST_END_TEST;

static Suite *
srmetrics_suite (void)
{
  Suite *s = suite_create ("srmetrics");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_pairing_and_values);
  tcase_add_test (tc, test_summary_counts);
  tcase_add_test (tc, test_identical);
  tcase_add_test (tc, test_size_mismatch);
  tcase_add_test (tc, test_crop_too_large);
  tcase_add_test (tc, test_unknown_metric);
  tcase_add_test (tc, test_ref_unlinked);
  return s;
}

SR_CHECK_MAIN (srmetrics);
