/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srupscale in real pipelines: sizes and formats through the caps, tiled
 * output equal to untiled output on a network with a wide receptive field,
 * a clear error for a model that is not there, the `scale` property, and
 * frames in flight (order, events, flushes, the same pixels).
 * (Baselines and alpha against their references:
 * reference/srupscale-baselines, reference/srupscale-alpha.) (The network's pixels
 * against TensorFlow.js: reference/nn-tfjs.) */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include "sr_check_util.h"
#include "sr_check_frames.h"

#define PHOTO "fruits.jpg"

static gchar *
photo_source (void)
{
  gchar *path = sr_test_data_path (PHOTO);
  fail_unless (path != NULL);
  gchar *s = g_strdup_printf ("filesrc location=%s ! jpegdec ! videoconvert ! "
      "videoscale ! video/x-raw,format=RGB,width=100,height=75 ! "
      "imagefreeze num-buffers=1", path);
  g_free (path);
  return s;
}

/* A model file in the source tree's models/ (scripts/install-models.sh). */
static gboolean
have_model (const char *package, int scale)
{
  gchar *path = g_strdup_printf ("%s/models/npm/node_modules/@upscalerjs/%s/"
      "models/x%d/model.json", g_getenv ("SR_SOURCE_ROOT"), package, scale);
  const gboolean have = g_file_test (path, G_FILE_TEST_IS_REGULAR);
  g_free (path);
  return have;
}

/* 100x75 -> 200x150 with esrgan-medium-x2, whose receptive radius is 18
 * pixels: tiles of 24 and 40 (neither divides the frame) and tiles sized by
 * a 30 MB memory budget (a grid of several tiles at about 3.3 kB per
 * pixel) must give the untiled picture. */
GST_START_TEST (test_tiled_equals_untiled)
{
  gchar *src = photo_source ();
  const char *tiled[] = { "tile-size=24", "tile-size=40", "memory-budget=30000000" };
  for (guint i = 0; i < G_N_ELEMENTS (tiled); i++) {
    gchar *got = g_strdup_printf ("srupscale model=esrgan-medium-x2 %s", tiled[i]);
    const double psnr = sr_check_run_branches (src, "identity",
        "srupscale model=esrgan-medium-x2", got, "video/x-raw,format=RGB,"
        "width=200,height=150");
    /* The same arithmetic on the same pixels, except where a Winograd
     * layer's 4x4 tiles fall differently in a region than in the frame
     * (float rounding, ~1e-6): the bar is 50 dB. */
    fail_unless (psnr >= 50, "%s: %.2f dB against untiled", tiled[i], psnr);
    g_free (got);
  }
  g_free (src);
}
GST_END_TEST;

/* precision=fp16 (half storage between layers) against fp32, whole and
 * tiled by a budget: every stored value is rounded to half (2^-11
 * relative), which moves the network's [0,1] output by less than 1e-3
 * (reference/nn-tfjs: 72-77 dB against TF.js), so 8-bit outputs differ by
 * at most one level here and there: the bar is 50 dB (a value read or
 * written in the wrong storage gives noise, far below it). */
GST_START_TEST (test_precision_fp16)
{
  gchar *src = photo_source ();
  const char *half[] = { "precision=fp16", "precision=fp16 memory-budget=30000000" };
  for (guint i = 0; i < G_N_ELEMENTS (half); i++) {
    gchar *got = g_strdup_printf ("srupscale model=esrgan-medium-x2 %s", half[i]);
    const double psnr = sr_check_run_branches (src, "identity",
        "srupscale model=esrgan-medium-x2 precision=fp32", got,
        "video/x-raw,format=RGB,width=200,height=150");
    fail_unless (psnr >= 50, "%s: %.2f dB against fp32", half[i], psnr);
    g_free (got);
  }
  g_free (src);
}
GST_END_TEST;

/* YUV in, the same YUV out at x4 (the device converts both ways); against
 * the RGB path through videoconvert, within videoconvert's 8-bit error. */
GST_START_TEST (test_yuv_in_yuv_out)
{
  gchar *src = photo_source ();
  const double psnr = sr_check_run_branches (src,
      "videoconvert ! video/x-raw,format=I420,colorimetry=bt601",
      "videoconvert ! video/x-raw,format=RGB ! srupscale ! videoconvert",
      "srupscale", "video/x-raw,format=I420,width=400,height=300");
  fail_unless (psnr >= 35, "I420 through srupscale vs through RGB: %.2f dB", psnr);
  g_free (src);
}
GST_END_TEST;

GST_START_TEST (test_unknown_model)
{
  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "srupscale model=no-such-model ! fakesink");
  fail_unless (msg && strstr (msg, "unknown model 'no-such-model'")
      && strstr (msg, "esrgan-slim-x4"), "got: %s", msg ? msg : "(no error)");
  g_free (msg);
  msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "srupscale model=/nonexistent/model.json ! fakesink");
  fail_unless (msg && strstr (msg, "/nonexistent/model.json"), "got: %s",
      msg ? msg : "(no error)");
  g_free (msg);
}
GST_END_TEST;

/* A damaged copy of esrgan-slim-x4 (its shard cut short, or a weight's
 * shape changed) fails the state change naming the file and the problem. */
GST_START_TEST (test_damaged_model_files)
{
  gchar *src = g_strdup_printf ("%s/models/npm/node_modules/@upscalerjs/"
      "esrgan-slim/models/x4", g_getenv ("SR_SOURCE_ROOT"));
  gchar *dir = sr_test_tmpdir ("srupscale");
  gchar *json, *shard, *src_json = g_build_filename (src, "model.json", NULL);
  gchar *src_shard = g_build_filename (src, "group1-shard1of1.bin", NULL);
  gsize json_len, shard_len;
  fail_unless (g_file_get_contents (src_json, &json, &json_len, NULL));
  fail_unless (g_file_get_contents (src_shard, &shard, &shard_len, NULL));
  gchar *dst_json = g_build_filename (dir, "model.json", NULL);
  gchar *dst_shard = g_build_filename (dir, "group1-shard1of1.bin", NULL);
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=1 ! srupscale "
      "model=%s ! fakesink", dst_json);

  /* truncated shard */
  fail_unless (g_file_set_contents (dst_json, json, json_len, NULL));
  fail_unless (g_file_set_contents (dst_shard, shard, shard_len - 100, NULL));
  gchar *msg = sr_check_run_for_error (desc);
  fail_unless (msg && strstr (msg, dst_json) && strstr (msg, "fewer than"),
      "got: %s", msg ? msg : "(no error)");
  g_free (msg);
  /* a weight of another shape ([3,3,64,64] -> [3,3,64,32] and a shard to
   * match: the sizes add up, the layer does not) */
  gchar *other = g_strdup (json);
  gchar *at = strstr (other, "[3, 3, 64, 64]");
  fail_unless (at != NULL);
  memcpy (at, "[3, 3, 64, 32]", 14);
  fail_unless (g_file_set_contents (dst_json, other, json_len, NULL));
  fail_unless (g_file_set_contents (dst_shard, shard,
          shard_len - 3 * 3 * 64 * 32 * 4, NULL));
  msg = sr_check_run_for_error (desc);
  fail_unless (msg && strstr (msg, dst_json) && strstr (msg, "another shape"),
      "got: %s", msg ? msg : "(no error)");
  g_free (msg);
  g_free (other);
  sr_test_rmtree (dir);
  g_free (desc);
  g_free (dst_json);
  g_free (dst_shard);
  g_free (src_json);
  g_free (src_shard);
  g_free (json);
  g_free (shard);
  g_free (dir);
  g_free (src);
}
GST_END_TEST;

static GstPadProbeReturn
count_frames_and_gaps (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void) pad;
  gint *counts = data;          /* [0]: buffers, [1]: GAP events */
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    g_atomic_int_inc (&counts[0]);
  else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_GAP)
    g_atomic_int_inc (&counts[1]);
  return GST_PAD_PROBE_OK;
}

/* Live at 1000 fps, faster than any device upscales: the late frames are
 * dropped, each as a GAP event, so every source frame arrives as a frame
 * or a GAP; and the element reports its processing time as latency. */
GST_START_TEST (test_live_qos_gaps)
{
  const int n = 20;
  gchar *desc = g_strdup_printf ("videotestsrc is-live=true num-buffers=%d ! "
      "video/x-raw,format=RGB,width=192,height=108,framerate=1000/1 ! srupscale "
      "name=up ! fakesink name=sink sync=true qos=true", n);
  GstElement *p = gst_parse_launch (desc, NULL);
  fail_unless (p != NULL);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  GstPad *pad = gst_element_get_static_pad (sink, "sink");
  gint counts[2] = { 0, 0 };
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER
      | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, count_frames_and_gaps, counts, NULL);
  gst_element_set_state (p, GST_STATE_PLAYING);
  GstMessage *m = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p),
      120 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS);
  gst_message_unref (m);
  GstQuery *q = gst_query_new_latency ();
  fail_unless (gst_element_query (p, q));
  GstClockTime min;
  gst_query_parse_latency (q, NULL, &min, NULL);
  gst_query_unref (q);
  g_print ("# live: %d frames, %d GAPs of %d; latency %" GST_TIME_FORMAT "\n",
      counts[0], counts[1], n, GST_TIME_ARGS (min));
  fail_unless (counts[1] > 0, "no late frame was dropped");
  fail_unless_equals_int (counts[0] + counts[1], n);
  fail_unless (min > 0, "no latency reported");
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (pad);
  gst_object_unref (sink);
  gst_object_unref (p);
  g_free (desc);
}
GST_END_TEST;

/* `scale`: the baselines need it (2..8), a learned model's own is the
 * only one it takes, and reading it gives the factor in use. */
GST_START_TEST (test_scale_property)
{
  const char *bad[][2] = {
    { "srupscale model=bicubic", "scale=2..8" },
    { "srupscale model=lanczos scale=9", "scale=2..8" },
    { "srupscale model=esrgan-slim-x2 scale=3", "upscales x2, but scale=3" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    gchar *desc = g_strdup_printf ("videotestsrc num-buffers=1 ! %s ! fakesink",
        bad[i][0]);
    gchar *msg = sr_check_run_for_error (desc);
    fail_unless (msg && strstr (msg, bad[i][1]), "%s: got %s", bad[i][0],
        msg ? msg : "(no error)");
    g_free (msg);
    g_free (desc);
  }
  const char *good[] = {
    "srupscale model=esrgan-slim-x2 scale=2 ! video/x-raw,width=128,height=96",
    "srupscale model=esrgan-slim-x2 ! video/x-raw,width=128,height=96",
    "srupscale model=lanczos scale=5 ! video/x-raw,width=320,height=240",
  };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++) {
    gchar *desc = g_strdup_printf ("videotestsrc num-buffers=1 ! "
        "video/x-raw,width=64,height=48 ! %s ! fakesink", good[i]);
    gchar *msg = sr_check_run_for_error (desc);
    fail_unless (msg == NULL, "%s: %s", good[i], msg);
    g_free (desc);
  }
  GstElement *e = gst_element_factory_make ("srupscale", NULL);
  int scale = -1;
  g_object_set (e, "model", "esrgan-slim-x2", NULL);
  g_object_get (e, "scale", &scale, NULL);
  fail_unless_equals_int (scale, 2);
  g_object_set (e, "model", "bicubic", "scale", 6, NULL);
  g_object_get (e, "scale", &scale, NULL);
  fail_unless_equals_int (scale, 6);
  gst_object_unref (e);
}
GST_END_TEST;

/* ---- frames in flight ---- */

#define FLIGHT_W 60
#define FLIGHT_H 44
#define FLIGHT_FRAMES 6
#define FLIGHT_EVENT_AFTER 2    /* a custom serialized event after frame 2 */

/* What reaches the harness, in order: "b<frame>" per buffer, "e" for the
 * custom event, "eos". */
static GstPadProbeReturn
record_order (GstPad *pad, GstPadProbeInfo *info, gpointer data)
{
  (void) pad;
  GString *order = data;
  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    g_string_append_printf (order, "b%" G_GUINT64_FORMAT " ",
        GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info)) / (GST_SECOND / 25));
  else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info))
      == GST_EVENT_CUSTOM_DOWNSTREAM)
    g_string_append (order, "e ");
  else if (GST_EVENT_TYPE (GST_PAD_PROBE_INFO_EVENT (info)) == GST_EVENT_EOS)
    g_string_append (order, "eos");
  return GST_PAD_PROBE_OK;
}

/* Frame t: a gradient with noise, different in every frame. */
static GstBuffer *
flight_frame (int t)
{
  GstBuffer *b = gst_buffer_new_allocate (NULL, FLIGHT_W * FLIGHT_H * 3, NULL);
  GstMapInfo map;
  gst_buffer_map (b, &map, GST_MAP_WRITE);
  GRand *r = g_rand_new_with_seed (77 + t);
  for (int i = 0; i < FLIGHT_W * FLIGHT_H * 3; i++)
    map.data[i] = (guint8) ((i / 3 % FLIGHT_W) * 3 + t * 20
        + g_rand_int_range (r, 0, 60));
  g_rand_free (r);
  gst_buffer_unmap (b, &map);
  GST_BUFFER_PTS (b) = t * (GST_SECOND / 25);
  GST_BUFFER_DURATION (b) = GST_SECOND / 25;
  return b;
}

/* The frames through `desc` (srupscale ... in caps), with the custom
 * event after frame FLIGHT_EVENT_AFTER and EOS; returns the outputs (as
 * samples), the order of buffers and events in *order, and in *held how
 * many buffers had come out when the first two frames were in. */
static GPtrArray *
run_flight (const char *desc, const char *caps, GString *order, guint *held)
{
  GstHarness *h = gst_harness_new_parse (desc);
  gst_harness_set_src_caps_str (h, caps);
  gst_pad_add_probe (h->sinkpad, GST_PAD_PROBE_TYPE_BUFFER
      | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, record_order, order, NULL);
  for (int t = 0; t < FLIGHT_FRAMES; t++) {
    fail_unless_equals_int (gst_harness_push (h, flight_frame (t)), GST_FLOW_OK);
    if (t == 1)
      *held = gst_harness_buffers_received (h);
    if (t == FLIGHT_EVENT_AFTER)
      fail_unless (gst_harness_push_event (h, gst_event_new_custom
              (GST_EVENT_CUSTOM_DOWNSTREAM, gst_structure_new_empty ("mark"))));
  }
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  GPtrArray *out = g_ptr_array_new_with_free_func
      ((GDestroyNotify) gst_sample_unref);
  GstCaps *out_caps = gst_pad_get_current_caps (h->sinkpad);
  GstBuffer *b;
  while ((b = gst_harness_try_pull (h))) {
    g_ptr_array_add (out, gst_sample_new (b, out_caps, NULL, NULL));
    gst_buffer_unref (b);
  }
  gst_caps_unref (out_caps);
  gst_harness_teardown (h);
  return out;
}

/* frames-in-flight=3 against 1: the same pixels (packed RGB downloaded
 * tile by tile, and I420 through a whole output frame), every frame once,
 * in order, the custom event after the frames before it, frames really
 * held back (none out after two frames in), and tiles (several copies
 * into one frame while the next tile computes) within the tiled bar. */
GST_START_TEST (test_frames_in_flight)
{
  const char *caps[] = {
    "video/x-raw,format=RGB,width=60,height=44,framerate=25/1",
    "video/x-raw,format=I420,width=60,height=44,framerate=25/1",
  };
  const char *expect = "b0 b1 b2 e b3 b4 b5 eos";
  for (guint c = 0; c < G_N_ELEMENTS (caps); c++) {
    GString *order1 = g_string_new (NULL), *order3 = g_string_new (NULL),
        *order_tiled = g_string_new (NULL);
    guint held1, held3, held_tiled;
    GPtrArray *one = run_flight ("srupscale model=esrgan-slim-x2 "
        "frames-in-flight=1", caps[c], order1, &held1);
    GPtrArray *three = run_flight ("srupscale model=esrgan-slim-x2 "
        "frames-in-flight=3", caps[c], order3, &held3);
    GPtrArray *tiled = run_flight ("srupscale model=esrgan-slim-x2 "
        "frames-in-flight=3 tile-size=16", caps[c], order_tiled, &held_tiled);
    fail_unless_equals_string (order1->str, expect);
    fail_unless_equals_string (order3->str, expect);
    fail_unless_equals_string (order_tiled->str, expect);
    fail_unless_equals_int (held1, 2);
    fail_unless_equals_int (held3, 0);
    fail_unless_equals_int (one->len, FLIGHT_FRAMES);
    fail_unless_equals_int (three->len, FLIGHT_FRAMES);
    fail_unless_equals_int (tiled->len, FLIGHT_FRAMES);
    for (guint t = 0; t < one->len; t++) {
      const double same = sr_check_frames_psnr (one->pdata[t], three->pdata[t]);
      fail_unless (isinf (same), "%s frame %u: %.2f dB between 1 and 3 in "
          "flight", caps[c], t, same);
      /* Tiled vs whole: as test_tiled_equals_untiled, 50 dB. */
      const double tiles = sr_check_frames_psnr (one->pdata[t], tiled->pdata[t]);
      fail_unless (tiles >= 50, "%s frame %u: tiled in flight %.2f dB",
          caps[c], t, tiles);
    }
    if (c)
      /* Frames differ: a frame's output is its own, not a neighbour's. */
      fail_unless (sr_check_frames_psnr (one->pdata[0], one->pdata[1]) < 40);
    g_ptr_array_unref (one);
    g_ptr_array_unref (three);
    g_ptr_array_unref (tiled);
    g_string_free (order1, TRUE);
    g_string_free (order3, TRUE);
    g_string_free (order_tiled, TRUE);
  }
}
GST_END_TEST;

/* A flush drops the frames in flight (nothing of them comes out later),
 * and the element goes on with the next frame. */
GST_START_TEST (test_flush_in_flight)
{
  GstHarness *h = gst_harness_new_parse ("srupscale model=esrgan-slim-x2 "
      "frames-in-flight=3");
  gst_harness_set_src_caps_str (h, "video/x-raw,format=RGB,width=60,"
      "height=44,framerate=25/1");
  for (int t = 0; t < 2; t++)
    fail_unless_equals_int (gst_harness_push (h, flight_frame (t)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_start ()));
  fail_unless (gst_harness_push_event (h, gst_event_new_flush_stop (TRUE)));
  GstSegment segment;
  gst_segment_init (&segment, GST_FORMAT_TIME);
  fail_unless (gst_harness_push_event (h, gst_event_new_segment (&segment)));
  fail_unless_equals_int (gst_harness_push (h, flight_frame (4)), GST_FLOW_OK);
  fail_unless (gst_harness_push_event (h, gst_event_new_eos ()));
  fail_unless_equals_int (gst_harness_buffers_received (h), 1);
  GstBuffer *b = gst_harness_pull (h);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (b), 4 * (GST_SECOND / 25));
  gst_buffer_unref (b);
  gst_harness_teardown (h);
}
GST_END_TEST;

static Suite *
srupscale_suite (void)
{
  Suite *s = suite_create ("srupscale");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  gchar *photo = sr_test_data_path (PHOTO);
  const gboolean have_photo = photo != NULL;
  g_free (photo);
  SR_CHECK_ADD_IF (tc, test_tiled_equals_untiled, have_photo
      && have_model ("esrgan-medium", 2), "photo or esrgan-medium missing "
      "(opencv-doc, scripts/install-models.sh)");
  SR_CHECK_ADD_IF (tc, test_precision_fp16, have_photo
      && have_model ("esrgan-medium", 2), "photo or esrgan-medium missing "
      "(opencv-doc, scripts/install-models.sh)");
  SR_CHECK_ADD_IF (tc, test_yuv_in_yuv_out, have_photo
      && have_model ("esrgan-slim", 4), "photo or esrgan-slim missing "
      "(opencv-doc, scripts/install-models.sh)");
  tcase_add_test (tc, test_unknown_model);
  SR_CHECK_ADD_IF (tc, test_damaged_model_files, have_model ("esrgan-slim", 4),
      "esrgan-slim missing (scripts/install-models.sh)");
  SR_CHECK_ADD_IF (tc, test_scale_property, have_model ("esrgan-slim", 2),
      "esrgan-slim missing (scripts/install-models.sh)");
  SR_CHECK_ADD_IF (tc, test_frames_in_flight, have_model ("esrgan-slim", 2),
      "esrgan-slim missing (scripts/install-models.sh)");
  SR_CHECK_ADD_IF (tc, test_flush_in_flight, have_model ("esrgan-slim", 2),
      "esrgan-slim missing (scripts/install-models.sh)");
  SR_CHECK_ADD_IF (tc, test_live_qos_gaps, have_model ("esrgan-slim", 4),
      "esrgan-slim missing (scripts/install-models.sh)");
  return s;
}

SR_CHECK_MAIN (srupscale);
