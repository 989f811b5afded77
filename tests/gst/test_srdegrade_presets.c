/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srdegrade's random presets through real pipelines: determinism (same seed
 * and input -> identical bytes, other seeds differ), the noise switch
 * (noise=false keeps every recorded parameter), the recorded step order,
 * and the minimum frame sizes (upstream's own limits, refused with the
 * minimum in the message). */
#include <gst/check/gstcheck.h>
#include <gst/check/gstharness.h>
#include <gst/video/video.h>
#include <string.h>
#include "sr_check_util.h"

#define W 192
#define H 160

/* A textured frame (noise + gradients) so that blur/JPEG/resize all matter. */
static GstBuffer *
textured (int w, int h, int frame)
{
  GstVideoInfo info;
  gst_video_info_set_format (&info, GST_VIDEO_FORMAT_RGB, w, h);
  GstBuffer *b = gst_buffer_new_allocate (NULL, info.size, NULL);
  GstMapInfo m;
  GRand *r = g_rand_new_with_seed (1234);
  gst_buffer_map (b, &m, GST_MAP_WRITE);
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w * 3; x++)
      m.data[y * info.stride[0] + x] = (guint8) ((x * 2 + y * 3) / 3 % 256 / 2
          + g_rand_int_range (r, 0, 128));
  gst_buffer_unmap (b, &m);
  g_rand_free (r);
  GST_BUFFER_PTS (b) = gst_util_uint64_scale (frame, GST_SECOND, 25);
  GST_BUFFER_DURATION (b) = GST_SECOND / 25;
  return b;
}

/* Runs frames 0..n-1 through `desc`; returns the output buffers. */
static GstBuffer **
run (const char *desc, int n)
{
  GstHarness *h = gst_harness_new_parse (desc);
  gst_harness_set_src_caps (h, sr_check_rgb_caps (W, H));
  GstBuffer **out = g_new0 (GstBuffer *, n);
  for (int i = 0; i < n; i++) {
    out[i] = gst_harness_push_and_pull (h, textured (W, H, i));
    fail_unless (out[i] != NULL, "no output for frame %d of '%s'", i, desc);
  }
  gst_harness_teardown (h);
  return out;
}

static gboolean
same_bytes (GstBuffer *a, GstBuffer *b)
{
  GstMapInfo ma, mb;
  gst_buffer_map (a, &ma, GST_MAP_READ);
  gst_buffer_map (b, &mb, GST_MAP_READ);
  gboolean same = ma.size == mb.size && memcmp (ma.data, mb.data, ma.size) == 0;
  gst_buffer_unmap (a, &ma);
  gst_buffer_unmap (b, &mb);
  return same;
}

static void
free_all (GstBuffer **v, int n)
{
  for (int i = 0; i < n; i++)
    gst_buffer_unref (v[i]);
  g_free (v);
}

/* The recorded ops without the `applied` flag, as a string. */
static gchar *
ops_string (GstBuffer *b)
{
  const GstStructure *s = sr_check_meta_info (b);
  fail_unless (s != NULL);
  GstStructure *c = gst_structure_copy (s);
  const GValue *ops = gst_structure_get_value (c, "ops");
  GString *out = g_string_new (NULL);
  for (guint i = 0; i < gst_value_array_get_size (ops); i++) {
    GstStructure *op = gst_structure_copy (gst_value_get_structure (
            gst_value_array_get_value (ops, i)));
    gst_structure_remove_field (op, "applied");
    gchar *t = gst_structure_to_string (op);
    g_string_append_printf (out, "%s\n", t);
    g_free (t);
    gst_structure_free (op);
  }
  gst_structure_free (c);
  return g_string_free (out, FALSE);
}

static void
check_determinism (const char *preset)
{
  const int n = 3;
  gchar *d7 = g_strdup_printf ("srdegrade preset=%s scale=4 seed=7", preset);
  gchar *d8 = g_strdup_printf ("srdegrade preset=%s scale=4 seed=8", preset);
  GstBuffer **a = run (d7, n), **b = run (d7, n), **c = run (d8, n);
  int differ = 0;
  for (int i = 0; i < n; i++) {
    fail_unless (same_bytes (a[i], b[i]), "%s frame %d: same seed, different bytes",
        preset, i);
    differ += !same_bytes (a[i], c[i]);
  }
  fail_unless (differ == n, "%s: seed 8 gave the same bytes as seed 7", preset);
  /* Frames of one run draw different parameters (keyed by frame index). */
  gchar *o0 = ops_string (a[0]), *o1 = ops_string (a[1]);
  fail_unless (strcmp (o0, o1) != 0, "frames 0 and 1 drew the same parameters");
  g_free (o0);
  g_free (o1);
  free_all (a, n);
  free_all (b, n);
  free_all (c, n);
  g_free (d7);
  g_free (d8);
}

GST_START_TEST (test_realesrgan_deterministic)
{
  check_determinism ("realesrgan");
}
GST_END_TEST;

GST_START_TEST (test_hggt_deterministic)
{
  check_determinism ("hggt");
}
GST_END_TEST;

/* noise=false draws and records the same parameters; only the pixels of
 * the noise differ. */
GST_START_TEST (test_noise_switch_keeps_parameters)
{
  const int n = 4;
  GstBuffer **on = run ("srdegrade preset=realesrgan seed=5", n);
  GstBuffer **off = run ("srdegrade preset=realesrgan seed=5 noise=false", n);
  int differ = 0;
  for (int i = 0; i < n; i++) {
    gchar *a = ops_string (on[i]), *b = ops_string (off[i]);
    fail_unless_equals_string (a, b);
    g_free (a);
    g_free (b);
    differ += !same_bytes (on[i], off[i]);
  }
  fail_unless (differ > 0, "noise=false changed no pixel");
  free_all (on, n);
  free_all (off, n);
}
GST_END_TEST;

/* clip-length: one parameter draw per clip, noise per
 * frame. The input frames are identical, so within a clip only the noise
 * can make the bytes differ. */
GST_START_TEST (test_clip_length)
{
  const int n = 4;
  GstBuffer **out = run ("srdegrade preset=realesrgan seed=4 clip-length=3", n);
  gchar *ops[4];
  for (int i = 0; i < n; i++)
    ops[i] = ops_string (out[i]);
  fail_unless_equals_string (ops[0], ops[1]);
  fail_unless_equals_string (ops[0], ops[2]);
  fail_unless (strcmp (ops[0], ops[3]) != 0, "clip 1 drew clip 0's parameters");
  fail_unless (!same_bytes (out[0], out[1]), "noise must still differ per frame");
  guint64 clip;
  fail_unless (gst_structure_get_uint64 (sr_check_meta_info (out[3]), "clip", &clip));
  fail_unless_equals_uint64 (clip, 1);
  for (int i = 0; i < n; i++)
    g_free (ops[i]);
  free_all (out, n);
}
GST_END_TEST;

/* Real-ESRGAN's order (realesrgan_model.py, feed_data): blur, resize,
 * noise, jpeg, (blur|skip), resize, noise (no JPEG in stage 2), then the
 * final group in one of the two orders: two JPEGs in all. */
GST_START_TEST (test_realesrgan_step_order)
{
  const int n = 6;
  GstBuffer **out = run ("srdegrade preset=realesrgan seed=9", n);
  for (int i = 0; i < n; i++) {
    const GstStructure *s = sr_check_meta_info (out[i]);
    const GValue *ops = gst_structure_get_value (s, "ops");
    fail_unless_equals_int (gst_value_array_get_size (ops), 10);
    const char *expect[7] = { "blur", "resize", "noise", "jpeg", NULL, "resize",
      "noise" };
    for (int k = 0; k < 7; k++) {
      const GstStructure *op = gst_value_get_structure (gst_value_array_get_value (ops, k));
      if (expect[k]) {
        fail_unless_equals_string (gst_structure_get_name (op), expect[k]);
      } else {
        fail_unless (gst_structure_has_name (op, "blur") || gst_structure_has_name (op, "skip"));
      }
    }
    /* Final group: {resize, blur|skip, jpeg} or {jpeg, resize, blur|skip}. */
    const GstStructure *f = gst_value_get_structure (gst_value_array_get_value (ops, 7));
    fail_unless (gst_structure_has_name (f, "resize") || gst_structure_has_name (f, "jpeg"));
    int n_jpeg = 0;
    for (guint k = 0; k < gst_value_array_get_size (ops); k++)
      n_jpeg += gst_structure_has_name (gst_value_get_structure
          (gst_value_array_get_value (ops, k)), "jpeg");
    fail_unless_equals_int (n_jpeg, 2);
    int scale;
    fail_unless (gst_structure_get_int (s, "scale", &scale) && scale == 4);
  }
  free_all (out, n);
}
GST_END_TEST;

/* realesrgan at x4 needs 148 px (int(148/4 * 0.3) = 11). */
GST_START_TEST (test_realesrgan_min_size)
{
  fail_unless (sr_check_link_refused ("videotestsrc num-buffers=1 ! "
          "video/x-raw,format=RGB,width=147,height=300 ! srdegrade preset=realesrgan ! "
          "fakesink"));
  gchar *msg = sr_check_run_late_caps_for_error
      ("video/x-raw,format=RGB,width=147,height=300", "srdegrade preset=realesrgan");
  fail_unless (msg && strstr (msg, "smallest accepted frame is 148x148"), "got: %s",
      msg ? msg : "(no error)");
  g_free (msg);
  msg = sr_check_run_for_error ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=RGB,width=148,height=148 ! srdegrade preset=realesrgan ! fakesink");
  fail_unless (msg == NULL, "148x148 must be accepted: %s", msg);
}
GST_END_TEST;

/* bsrgan-plus at x4 needs 64 px (two resizes by 0.5/4 take 64 to
 * 8, then 1); bsrgan at x4 needs 8 (op 2 divides by up to 8). The blurs
 * reflect as often as they need, so tiny intermediates run. */
GST_START_TEST (test_bsrgan_min_size)
{
  fail_unless (sr_check_link_refused ("videotestsrc num-buffers=1 ! "
          "video/x-raw,format=RGB,width=60,height=64 ! srdegrade preset=bsrgan-plus "
          "scale=4 ! fakesink"));
  gchar *msg = sr_check_run_late_caps_for_error
      ("video/x-raw,format=RGB,width=60,height=64", "srdegrade preset=bsrgan-plus scale=4");
  fail_unless (msg && strstr (msg, "smallest accepted frame is 64x64"), "got: %s",
      msg ? msg : "(no error)");
  g_free (msg);
  msg = sr_check_run_for_error ("videotestsrc num-buffers=40 pattern=snow ! "
      "video/x-raw,format=RGB,width=64,height=64 ! srdegrade preset=bsrgan-plus "
      "scale=4 ! fakesink");
  fail_unless (msg == NULL, "64x64 must be accepted: %s", msg);
  fail_unless (sr_check_link_refused ("videotestsrc num-buffers=1 ! "
          "video/x-raw,format=RGB,width=8,height=7 ! srdegrade preset=bsrgan "
          "scale=4 ! fakesink"));
  msg = sr_check_run_late_caps_for_error
      ("video/x-raw,format=RGB,width=8,height=7", "srdegrade preset=bsrgan scale=4");
  fail_unless (msg && strstr (msg, "smallest accepted frame is 8x8"), "got: %s",
      msg ? msg : "(no error)");
  g_free (msg);
  msg = sr_check_run_for_error ("videotestsrc num-buffers=40 pattern=snow ! "
      "video/x-raw,format=RGB,width=8,height=8 ! srdegrade preset=bsrgan "
      "scale=4 ! fakesink");
  fail_unless (msg == NULL, "8x8 must be accepted: %s", msg);
}
GST_END_TEST;

static Suite *
presets_suite (void)
{
  Suite *s = suite_create ("srdegrade-presets");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_realesrgan_deterministic);
  tcase_add_test (tc, test_hggt_deterministic);
  tcase_add_test (tc, test_noise_switch_keeps_parameters);
  tcase_add_test (tc, test_realesrgan_step_order);
  tcase_add_test (tc, test_clip_length);
  tcase_add_test (tc, test_realesrgan_min_size);
  tcase_add_test (tc, test_bsrgan_min_size);
  return s;
}

SR_CHECK_MAIN (presets);
