/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srdegrade element tests (GstCheck / GstHarness, real caps and buffers). */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include "sr_check_util.h"
#include <string.h>
#include <glib/gstdio.h>

/* A w x h RGB frame (GStreamer's default row stride) with a deterministic
 * pattern. */
static GstBuffer *
make_rgb (int w, int h, guint8 seed)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, w, h);
  GstBuffer *buf = gst_buffer_new_allocate (NULL, info.size, NULL);
  GstMapInfo map;
  gst_buffer_map (buf, &map, GST_MAP_WRITE);
  for (int y = 0; y < h; y++)
    for (int i = 0; i < w * 3; i++)
      map.data[y * info.stride[0] + i] = (guint8) (i * 7 + seed * 13 + y * 5);
  gst_buffer_unmap (buf, &map);
  return buf;
}

static GstHarness *
degrade_harness (const char *props, int w, int h)
{
  gchar *desc = g_strdup_printf ("srdegrade %s", props);
  GstHarness *hrn = gst_harness_new_parse (desc);
  g_free (desc);
  gst_harness_set_src_caps (hrn, sr_check_rgb_caps (w, h));
  return hrn;
}

static const GstStructure *
meta_info (GstBuffer *buf)
{
  const GstStructure *s = sr_check_meta_info (buf);
  fail_unless (s != NULL, "LR buffer has no sr-degradation meta");
  return s;
}

GST_START_TEST (test_output_size_and_meta)
{
  GstHarness *h = degrade_harness ("preset=bicubic scale=4 seed=11", 64, 48);
  GstBuffer *in = make_rgb (64, 48, 1);
  GST_BUFFER_PTS (in) = 3 * GST_SECOND / 25;
  GstBuffer *out = gst_harness_push_and_pull (h, in);
  fail_unless (out != NULL);

  GstVideoInfo info;
  GstCaps *caps = gst_pad_get_current_caps (h->sinkpad);
  fail_unless (gst_video_info_from_caps (&info, caps));
  fail_unless_equals_int (info.width, 16);
  fail_unless_equals_int (info.height, 12);
  gst_caps_unref (caps);
  fail_unless_equals_uint64 (GST_BUFFER_PTS (out), 3 * GST_SECOND / 25);

  const GstStructure *s = meta_info (out);
  guint64 frame, seed;
  int scale;
  fail_unless (gst_structure_has_name (s, "sr-degradation"));
  fail_unless (gst_structure_get_uint64 (s, "frame", &frame));
  fail_unless_equals_uint64 (frame, 3);         /* from the timestamp */
  fail_unless (gst_structure_get_uint64 (s, "seed", &seed));
  fail_unless_equals_uint64 (seed, 11);
  fail_unless (gst_structure_get_int (s, "scale", &scale));
  fail_unless_equals_int (scale, 4);
  fail_unless_equals_string (gst_structure_get_string (s, "preset"), "bicubic");
  const GValue *ops = gst_structure_get_value (s, "ops");
  fail_unless (ops && gst_value_array_get_size (ops) == 1);
  const GstStructure *op = gst_value_get_structure (gst_value_array_get_value (ops, 0));
  fail_unless (gst_structure_has_name (op, "resize"));
  fail_unless_equals_string (gst_structure_get_string (op, "semantics"), "matlab");
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_mod_crop_recorded)
{
  GstHarness *h = degrade_harness ("scale=4", 67, 50);
  GstBuffer *out = gst_harness_push_and_pull (h, make_rgb (67, 50, 2));
  const GValue *crop = gst_structure_get_value (meta_info (out), "crop");
  fail_unless (crop && gst_value_array_get_size (crop) == 4);
  const int expect[4] = { 0, 0, 64, 48 };
  for (int i = 0; i < 4; i++)
    fail_unless_equals_int (g_value_get_int (gst_value_array_get_value (crop, i)),
        expect[i]);
  fail_unless_equals_int (gst_buffer_get_size (out), 16 * 12 * 3);   /* 48-byte rows */
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

/* Same input and seed twice: identical bytes. */
GST_START_TEST (test_deterministic)
{
  GstBuffer *outs[2];
  for (int r = 0; r < 2; r++) {
    GstHarness *h = degrade_harness ("scale=3 seed=5", 60, 45);
    outs[r] = gst_harness_push_and_pull (h, make_rgb (60, 45, 3));
    gst_harness_teardown (h);
  }
  GstMapInfo a, b;
  gst_buffer_map (outs[0], &a, GST_MAP_READ);
  gst_buffer_map (outs[1], &b, GST_MAP_READ);
  fail_unless_equals_int (a.size, b.size);
  fail_unless (memcmp (a.data, b.data, a.size) == 0);
  gst_buffer_unmap (outs[0], &a);
  gst_buffer_unmap (outs[1], &b);
  gst_buffer_unref (outs[0]);
  gst_buffer_unref (outs[1]);
}
GST_END_TEST;

/* Every accepted packed format gives the same LR pixels as RGB. */
GST_START_TEST (test_formats_agree)
{
  const char *formats[] = { "BGR", "RGBx", "BGRA", "xRGB", "ABGR" };
  GstHarness *h = degrade_harness ("scale=2", 32, 32);
  GstBuffer *ref = gst_harness_push_and_pull (h, make_rgb (32, 32, 4));
  gst_harness_teardown (h);
  GstMapInfo rm;
  gst_buffer_map (ref, &rm, GST_MAP_READ);

  for (guint f = 0; f < G_N_ELEMENTS (formats); f++) {
    GstVideoInfo info;
    gst_video_info_set_format (&info, gst_video_format_from_string (formats[f]), 32, 32);
    GstBuffer *in = make_rgb (32, 32, 4), *conv;
    /* Build the same picture in the other format with videoconvert. */
    gchar *desc = g_strdup_printf ("videoconvert ! capsfilter caps=video/x-raw,format=%s", formats[f]);
    GstHarness *c = gst_harness_new_parse (desc);
    g_free (desc);
    gst_harness_set_src_caps (c, sr_check_rgb_caps (32, 32));
    conv = gst_harness_push_and_pull (c, in);
    gst_harness_teardown (c);

    gchar *props = g_strdup_printf ("srdegrade scale=2 ! videoconvert ! "
        "capsfilter caps=video/x-raw,format=RGB");
    GstHarness *d = gst_harness_new_parse (props);
    g_free (props);
    GstCaps *caps = gst_video_info_to_caps (&info);
    gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, 25, 1, NULL);
    gst_harness_set_src_caps (d, caps);
    GstBuffer *out = gst_harness_push_and_pull (d, conv);
    GstMapInfo om;
    gst_buffer_map (out, &om, GST_MAP_READ);
    fail_unless_equals_int (om.size, rm.size);
    fail_unless (memcmp (om.data, rm.data, rm.size) == 0, "format %s differs",
        formats[f]);
    gst_buffer_unmap (out, &om);
    gst_buffer_unref (out);
    gst_harness_teardown (d);
  }
  gst_buffer_unmap (ref, &rm);
  gst_buffer_unref (ref);
}
GST_END_TEST;

GST_START_TEST (test_meta_survives_queue_videoconvert)
{
  GstHarness *h = gst_harness_new_parse ("srdegrade scale=2 ! queue ! "
      "videoconvert ! capsfilter caps=video/x-raw,format=BGRx ! queue ! "
      "videoconvert ! capsfilter caps=video/x-raw,format=RGB");
  gst_harness_set_src_caps (h, sr_check_rgb_caps (40, 30));
  GstBuffer *out = gst_harness_push_and_pull (h, make_rgb (40, 30, 5));
  const GstStructure *s = meta_info (out);
  fail_unless_equals_string (gst_structure_get_string (s, "preset"), "bicubic");
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_state_changes)
{
  GstElement *p = gst_parse_launch ("videotestsrc num-buffers=3 ! "
      "video/x-raw,format=RGB,width=64,height=64 ! srdegrade ! fakesink", NULL);
  fail_unless (p != NULL);
  for (int round = 0; round < 3; round++) {
    fail_unless (gst_element_set_state (p, GST_STATE_READY) != GST_STATE_CHANGE_FAILURE);
    fail_unless (gst_element_set_state (p, GST_STATE_PAUSED) != GST_STATE_CHANGE_FAILURE);
    fail_unless (gst_element_get_state (p, NULL, NULL, 10 * GST_SECOND) == GST_STATE_CHANGE_SUCCESS);
    fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
    GstMessage *m = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p), 20 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS);
    gst_message_unref (m);
    fail_unless (gst_element_set_state (p, GST_STATE_NULL) == GST_STATE_CHANGE_SUCCESS);
  }
  gst_object_unref (p);
}
GST_END_TEST;

GST_START_TEST (test_too_small_frame)
{
  fail_unless (sr_check_link_refused ("videotestsrc num-buffers=1 ! "
          "video/x-raw,format=RGB,width=6,height=6 ! srdegrade scale=4 ! fakesink"));
  gchar *msg = sr_check_run_late_caps_for_error
      ("video/x-raw,format=RGB,width=6,height=6", "srdegrade scale=4");
  fail_unless (msg != NULL, "a 6x6 frame at scale 4 must be refused");
  fail_unless (strstr (msg, "smallest accepted frame is 8x8") != NULL, "got: %s", msg);
  g_free (msg);
}
GST_END_TEST;

GST_START_TEST (test_bad_caps_refused)
{
  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=I420_10LE,width=64,height=64 ! srdegrade ! fakesink");
  fail_unless (msg != NULL, "10-bit I420 must not link to srdegrade (8-bit only)");
  g_free (msg);
}
GST_END_TEST;

GST_START_TEST (test_bad_device_property)
{
  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=RGB,width=64,height=64 ! srdegrade device=fastest ! fakesink");
  fail_unless (msg != NULL);
  fail_unless (strstr (msg, "Invalid device") != NULL, "got: %s", msg);
  g_free (msg);
  msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=RGB,width=64,height=64 ! srdegrade device=7:3 ! fakesink");
  fail_unless (msg != NULL && strstr (msg, "No OpenCL device matches") != NULL,
      "got: %s", msg ? msg : "(none)");
  g_free (msg);
}
GST_END_TEST;

GST_START_TEST (test_unsupported_preset_scale)
{
  /* BSRGAN is defined for x2, x3, x4 only (KAIR). */
  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=RGB,width=256,height=256 ! srdegrade preset=bsrgan scale=5 ! fakesink");
  fail_unless (msg != NULL && strstr (msg, "allowed: 2, 3, 4") != NULL,
      "got: %s", msg ? msg : "(none)");
  g_free (msg);
}
GST_END_TEST;

/* Without any OpenCL platform the element explains what to install. The
 * ICD loader reads OCL_ICD_VENDORS at its first call, which happens in this
 * forked test process only. */
GST_START_TEST (test_no_opencl_platform)
{
  g_setenv ("OCL_ICD_VENDORS", "/nonexistent-gst-sr-test", TRUE);
  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=RGB,width=64,height=64 ! srdegrade ! fakesink");
  fail_unless (msg != NULL && strstr (msg, "pocl-opencl-icd") != NULL,
      "got: %s", msg ? msg : "(none)");
  g_free (msg);
}
GST_END_TEST;

/* preset=custom: a malformed config file fails the state change, naming
 * the file's line. */
GST_START_TEST (test_custom_bad_config)
{
  gchar *dir = sr_test_tmpdir ("srdegrade");
  gchar *path = g_build_filename (dir, "bad.json", NULL);
  fail_unless (g_file_set_contents (path, "{\n  \"degradation\": {\n"
          "    \"stages\": 2\n  },\n  \"stage1\": {\n"
          "    \"jpeg-range\": [60, 90],\n    \"noise-range\": [1, 10]\n"
          "    \"gray-noise-prob\": 0.5\n  }\n}\n", -1, NULL));
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=RGB,width=96,height=96 ! srdegrade preset=custom "
      "config=%s ! fakesink", path);
  gchar *msg = sr_check_run_for_error (desc);
  gchar *where = g_strdup_printf ("%s:7:", path);
  fail_unless (msg != NULL && strstr (msg, where) != NULL, "got: %s",
      msg ? msg : "(none)");
  g_free (where);
  g_free (msg);
  g_free (desc);

  /* A missing file, and a property value out of its range. */
  msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=RGB,width=96,height=96 ! srdegrade preset=custom "
      "config=/nonexistent/x.conf ! fakesink");
  fail_unless (msg != NULL && strstr (msg, "/nonexistent/x.conf") != NULL,
      "got: %s", msg ? msg : "(none)");
  g_free (msg);
  msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=RGB,width=96,height=96 ! srdegrade preset=custom "
      "jpeg-range1=5,200 ! fakesink");
  fail_unless (msg != NULL && strstr (msg, "jpeg-range1") != NULL
      && strstr (msg, "[1, 100]") != NULL, "got: %s", msg ? msg : "(none)");
  g_free (msg);
  sr_test_rmtree (dir);
  g_free (path);
  g_free (dir);
}
GST_END_TEST;

/* Properties override the file, which overrides Real-ESRGAN x4plus: the file
 * makes stage-1 noise Gaussian and its JPEG 30..40; jpeg-range1 moves the
 * JPEG to [90, 90.0001] and gray-noise-prob=1 makes all noise gray. The
 * recorded quality is the float32 actually used: within 1e-5 (float32
 * spacing at 90 is 7.6e-6) of the range. */
GST_START_TEST (test_custom_overrides_recorded)
{
  gchar *dir = sr_test_tmpdir ("srdegrade");
  gchar *path = g_build_filename (dir, "custom.conf", NULL);
  fail_unless (g_file_set_contents (path, "[stage1]\ngaussian-noise-prob = 1\n"
          "jpeg-range = 30;40\n", -1, NULL));
  gchar *props = g_strdup_printf ("preset=custom scale=2 seed=9 config=%s "
      "jpeg-range1=90,90.0001 gray-noise-prob=1", path);
  GstHarness *h = degrade_harness (props, 96, 96);
  int n_jpeg1 = 0, n_noise = 0;
  for (int f = 0; f < 6; f++) {
    GstBuffer *in = make_rgb (96, 96, (guint8) f);
    GST_BUFFER_PTS (in) = f * GST_SECOND / 25;
    GstBuffer *out = gst_harness_push_and_pull (h, in);
    fail_unless (out != NULL);
    const GstStructure *s = meta_info (out);
    fail_unless_equals_string (gst_structure_get_string (s, "preset"), "custom");
    const GValue *ops = gst_structure_get_value (s, "ops");
    for (guint i = 0; i < gst_value_array_get_size (ops); i++) {
      const GstStructure *op = gst_value_get_structure (gst_value_array_get_value (ops, i));
      int stage = 0;
      gst_structure_get_int (op, "stage", &stage);      /* 0: "final" */
      if (gst_structure_has_name (op, "jpeg") && stage == 1) {
        double q;
        fail_unless (gst_structure_get_double (op, "quality", &q));
        fail_unless (q >= 90 - 1e-5 && q <= 90.0001 + 1e-5, "quality %g", q);
        n_jpeg1++;
      }
      if (gst_structure_has_name (op, "noise")) {
        gboolean gray;
        fail_unless (gst_structure_get_boolean (op, "gray", &gray));
        fail_unless (gray, "frame %d: stage %d noise is not gray", f, stage);
        if (stage == 1)
          fail_unless_equals_string (gst_structure_get_string (op, "type"), "gaussian");
        n_noise++;
      }
    }
    gst_buffer_unref (out);
  }
  fail_unless_equals_int (n_jpeg1, 6);
  fail_unless_equals_int (n_noise, 12);         /* two stages by default */
  gst_harness_teardown (h);
  g_free (props);

  /* stages=1: one noise step per frame. */
  h = degrade_harness ("preset=custom scale=2 stages=1", 96, 96);
  GstBuffer *out = gst_harness_push_and_pull (h, make_rgb (96, 96, 1));
  const GValue *ops = gst_structure_get_value (meta_info (out), "ops");
  n_noise = 0;
  for (guint i = 0; i < gst_value_array_get_size (ops); i++)
    n_noise += gst_structure_has_name (gst_value_get_structure
        (gst_value_array_get_value (ops, i)), "noise");
  fail_unless_equals_int (n_noise, 1);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
  sr_test_rmtree (dir);
  g_free (path);
  g_free (dir);
}
GST_END_TEST;

static gint have_context_count;

/* Two elements, one runtime: only the first creates (and announces) it;
 * an explicit device that disagrees is refused. */
GST_START_TEST (test_one_runtime_per_pipeline)
{
  GstElement *p = gst_parse_launch ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=RGB,width=64,height=64 ! srdegrade scale=2 ! "
      "srdegrade scale=1 ! fakesink", NULL);
  gst_bus_set_sync_handler (GST_ELEMENT_BUS (p), sr_check_count_have_context,
      &have_context_count, NULL);
  gst_element_set_state (p, GST_STATE_PLAYING);
  GstMessage *m = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p), 30 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS);
  gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  fail_unless_equals_int (g_atomic_int_get (&have_context_count), 1);

  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=1 ! "
      "video/x-raw,format=RGB,width=64,height=64 ! srdegrade scale=2 device=gpu ! "
      "srdegrade scale=1 device=auto ! fakesink");
  /* The downstream element starts first and creates the runtime (auto); the
   * upstream one finds it. On a machine with a GPU auto picks it and gpu
   * agrees; elsewhere gpu must be refused as a conflict. */
  if (msg)
    fail_unless (strstr (msg, "already shares") != NULL, "got: %s", msg);
  g_free (msg);
}
GST_END_TEST;

static Suite *
srdegrade_suite (void)
{
  Suite *s = suite_create ("srdegrade");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_output_size_and_meta);
  tcase_add_test (tc, test_mod_crop_recorded);
  tcase_add_test (tc, test_deterministic);
  tcase_add_test (tc, test_formats_agree);
  tcase_add_test (tc, test_meta_survives_queue_videoconvert);
  tcase_add_test (tc, test_state_changes);
  tcase_add_test (tc, test_too_small_frame);
  tcase_add_test (tc, test_bad_caps_refused);
  tcase_add_test (tc, test_bad_device_property);
  tcase_add_test (tc, test_unsupported_preset_scale);
  tcase_add_test (tc, test_custom_bad_config);
  tcase_add_test (tc, test_custom_overrides_recorded);
  tcase_add_test (tc, test_no_opencl_platform);
  tcase_add_test (tc, test_one_runtime_per_pipeline);
  return s;
}

SR_CHECK_MAIN (srdegrade);
