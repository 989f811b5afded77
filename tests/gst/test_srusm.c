/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srusm element tests: the recorded step, flat frames unchanged, the step
 * carried into srdegrade's meta, too-small frames refused. */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>
#include "sr_check_util.h"

static GstBuffer *
filled (int w, int h, gboolean edges)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, w, h);
  GstBuffer *b = gst_buffer_new_allocate (NULL, info.size, NULL);
  GstMapInfo m;
  gst_buffer_map (b, &m, GST_MAP_WRITE);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w * 3; x++)
      m.data[y * info.stride[0] + x] = edges && (x / 3 / 8 + y / 8) % 2 ? 200 : 60;
  gst_buffer_unmap (b, &m);
  return b;
}

GST_START_TEST (test_usm_step_recorded)
{
  GstHarness *h = gst_harness_new_parse ("srusm");
  gst_harness_set_src_caps (h, sr_check_rgb_caps (64, 48));
  GstBuffer *out = gst_harness_push_and_pull (h, filled (64, 48, TRUE));
  const GstStructure *s = sr_check_meta_info (out);
  fail_unless (s != NULL);
  const GValue *ops = gst_structure_get_value (s, "ops");
  fail_unless (ops && gst_value_array_get_size (ops) == 1);
  const GstStructure *op = gst_value_get_structure (gst_value_array_get_value (ops, 0));
  int radius;
  double sigma, weight, threshold;
  fail_unless (gst_structure_has_name (op, "usm"));
  fail_unless (gst_structure_get_int (op, "radius", &radius) && radius == 51);
  fail_unless (gst_structure_get_double (op, "sigma", &sigma));
  /* as used: OpenCV's 0.3 * ((51 - 1) * 0.5 - 1) + 0.8 in double (8 - 1e-15) */
  fail_unless (fabs (sigma - 8.0) < 1e-12, "sigma %.17g", sigma);
  fail_unless (gst_structure_get_double (op, "weight", &weight) && weight == 0.5);
  fail_unless (gst_structure_get_double (op, "threshold", &threshold) && threshold == 10);
  /* The checkerboard's edges were sharpened: some pixel left 60/200. */
  GstMapInfo m;
  gst_buffer_map (out, &m, GST_MAP_READ);
  gboolean changed = FALSE;
  for (gsize i = 0; i < m.size && !changed; i++)
    changed = m.data[i] != 60 && m.data[i] != 200;
  gst_buffer_unmap (out, &m);
  fail_unless (changed, "no pixel was sharpened");
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_flat_frame_unchanged)
{
  GstHarness *h = gst_harness_new_parse ("srusm");
  gst_harness_set_src_caps (h, sr_check_rgb_caps (40, 30));
  GstBuffer *in = filled (40, 30, FALSE);
  GstBuffer *out = gst_harness_push_and_pull (h, gst_buffer_ref (in));
  GstMapInfo a, b;
  gst_buffer_map (in, &a, GST_MAP_READ);
  gst_buffer_map (out, &b, GST_MAP_READ);
  fail_unless (a.size == b.size && memcmp (a.data, b.data, a.size) == 0);
  gst_buffer_unmap (in, &a);
  gst_buffer_unmap (out, &b);
  gst_buffer_unref (in);
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_step_reaches_lr_meta)
{
  GstHarness *h = gst_harness_new_parse ("srusm ! srdegrade preset=bicubic scale=2");
  gst_harness_set_src_caps (h, sr_check_rgb_caps (64, 48));
  GstBuffer *out = gst_harness_push_and_pull (h, filled (64, 48, TRUE));
  const GstStructure *s = sr_check_meta_info (out);
  fail_unless (s != NULL);
  const GValue *ops = gst_structure_get_value (s, "ops");
  fail_unless (ops && gst_value_array_get_size (ops) == 2);
  fail_unless (gst_structure_has_name (gst_value_get_structure (
              gst_value_array_get_value (ops, 0)), "usm"));
  fail_unless (gst_structure_has_name (gst_value_get_structure (
              gst_value_array_get_value (ops, 1)), "resize"));
  gst_buffer_unref (out);
  gst_harness_teardown (h);
}
GST_END_TEST;

GST_START_TEST (test_too_small_refused)
{
  fail_unless (sr_check_link_refused ("videotestsrc num-buffers=1 ! "
          "video/x-raw,format=RGB,width=20,height=40 ! srusm ! fakesink"));
  gchar *msg = sr_check_run_late_caps_for_error
      ("video/x-raw,format=RGB,width=20,height=40", "srusm");
  fail_unless (msg && strstr (msg, "smallest accepted frame is 26x26"), "got: %s",
      msg ? msg : "(no error)");
  g_free (msg);
}
GST_END_TEST;

static Suite *
srusm_suite (void)
{
  Suite *s = suite_create ("srusm");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_usm_step_recorded);
  tcase_add_test (tc, test_flat_frame_unchanged);
  tcase_add_test (tc, test_step_reaches_lr_meta);
  tcase_add_test (tc, test_too_small_refused);
  return s;
}

SR_CHECK_MAIN (srusm);
