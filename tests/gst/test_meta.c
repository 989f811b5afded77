/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The degradation record as any application sees it: a GstCustomMeta
 * named "GstSrDegradationMeta" (registered when the plugin loads), read and
 * attached with GStreamer's own API by name, no gst-sr header included.
 * Its transform rules: kept by buffer copies and by videoconvert (a
 * conversion keeps which source pixels a frame holds), dropped by
 * videoscale (the recorded crop and sizes would be wrong); and srdegrade's
 * LR frames carry it, with srusm's step before srdegrade's. */
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <gst/check/gstcheck.h>
#include <gst/video/video.h>
#include "sr_check_util.h"

#define NAME "GstSrDegradationMeta"

static GstBuffer *
frame_with_record (void)
{
  GstPlugin *plugin = gst_plugin_load_by_name ("sr");
  gst_object_unref (plugin);
  GstBuffer *b = gst_buffer_new_allocate (NULL, 64 * 48 * 3, NULL);
  gst_buffer_memset (b, 0, 128, 64 * 48 * 3);
  GST_BUFFER_PTS (b) = 0;
  GST_BUFFER_DURATION (b) = GST_SECOND / 25;
  GstStructure *s = sr_check_attach_record (b);
  gst_structure_set (s, "frame", G_TYPE_UINT64, (guint64) 7, "preset", G_TYPE_STRING,
      "test", "seed", G_TYPE_UINT64, (guint64) 3, NULL);
  return b;
}

/* buf through `chain` (appsrc ! chain ! appsink); the output buffer. */
static GstBuffer *
through (const char *chain)
{
  gchar *desc = g_strdup_printf ("appsrc name=src format=time caps=video/x-raw,"
      "format=RGB,width=64,height=48,framerate=25/1 ! %s ! appsink name=sink", chain);
  GstElement *p = gst_parse_launch (desc, NULL);
  g_free (desc);
  fail_unless (p != NULL);
  GstElement *src = gst_bin_get_by_name (GST_BIN (p), "src");
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "sink");
  gst_element_set_state (p, GST_STATE_PLAYING);
  gst_app_src_push_buffer (GST_APP_SRC (src), frame_with_record ());
  gst_app_src_end_of_stream (GST_APP_SRC (src));
  GstSample *sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
  fail_unless (sample != NULL, "'%s' gave no frame", chain);
  GstBuffer *out = gst_buffer_ref (gst_sample_get_buffer (sample));
  gst_sample_unref (sample);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (src);
  gst_object_unref (sink);
  gst_object_unref (p);
  return out;
}

static void
check_record (GstBuffer *b, const char *how)
{
  GstCustomMeta *m = gst_buffer_get_custom_meta (b, NAME);
  fail_unless (m != NULL, "%s dropped the record", how);
  const GstStructure *s = gst_custom_meta_get_structure (m);
  guint64 frame = 0;
  fail_unless (gst_structure_has_name (s, "sr-degradation"));
  fail_unless (gst_structure_get_uint64 (s, "frame", &frame) && frame == 7, "%s", how);
  fail_unless_equals_string (gst_structure_get_string (s, "preset"), "test");
}

/* An application loads the plugin first (making any of its elements does),
 * then finds the meta by name. */
GST_START_TEST (test_registered_by_name)
{
  GstPlugin *plugin = gst_plugin_load_by_name ("sr");
  fail_unless (plugin != NULL, "the sr plugin did not load");
  gst_object_unref (plugin);
  fail_unless (gst_meta_get_info (NAME) != NULL);
  fail_unless (gst_meta_info_is_custom (gst_meta_get_info (NAME)));
  GstBuffer *b = frame_with_record ();
  check_record (b, "attaching");
  GstBuffer *copy = gst_buffer_copy (b);
  check_record (copy, "gst_buffer_copy");
  gst_buffer_unref (copy);
  gst_buffer_unref (b);
}
GST_END_TEST;

GST_START_TEST (test_kept_by_conversion_dropped_by_scaling)
{
  GstBuffer *b = through ("videoconvert ! video/x-raw,format=I420 ! videoconvert ! "
      "video/x-raw,format=BGRx");
  check_record (b, "videoconvert");
  gst_buffer_unref (b);
  b = through ("videoscale ! video/x-raw,width=32,height=24");
  fail_unless (gst_buffer_get_custom_meta (b, NAME) == NULL,
      "videoscale kept a record whose sizes no longer hold");
  gst_buffer_unref (b);
}
GST_END_TEST;

GST_START_TEST (test_elements_write_it)
{
  GstBuffer *b = through ("srusm ! srdegrade preset=bicubic scale=2");
  const GstStructure *s = sr_check_meta_info (b);
  fail_unless (s != NULL, "srdegrade's frame has no record");
  const GValue *ops = gst_structure_get_value (s, "ops");
  fail_unless (ops && gst_value_array_get_size (ops) == 2);
  fail_unless (gst_structure_has_name (gst_value_get_structure
          (gst_value_array_get_value (ops, 0)), "usm"));
  fail_unless (gst_structure_has_name (gst_value_get_structure
          (gst_value_array_get_value (ops, 1)), "resize"));
  fail_unless_equals_string (gst_structure_get_string (s, "preset"), "bicubic");
  gst_buffer_unref (b);
}
GST_END_TEST;

static GstPadProbeReturn
record_json (GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  GPtrArray *texts = user;
  GstElement *sink = GST_ELEMENT (gst_object_get_parent (GST_OBJECT (pad)));
  const GstStructure *s = sr_check_meta_info (GST_PAD_PROBE_INFO_BUFFER (info));
  gchar *text = NULL;
  if (s)
    g_signal_emit_by_name (sink, "record-to-json", s, &text);
  g_ptr_array_add (texts, text);
  gst_object_unref (sink);
  return GST_PAD_PROBE_OK;
}

/* srpairsink's record-to-json gives what srpairsink writes: every LR
 * frame's JSON (from the signal, on the frame as it enters srpairsink)
 * is its manifest line's params, to the byte. */
GST_START_TEST (test_json_helper_equals_manifest)
{
  gchar *dir = g_dir_make_tmp ("sr-meta-XXXXXX", NULL);
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=3 ! "
      "video/x-raw,format=RGB,width=64,height=48 ! tee name=t t. ! queue ! p.hr "
      "t. ! queue ! srdegrade preset=bicubic scale=2 seed=9 ! p.lr "
      "srpairsink name=p location=%s", dir);
  GstElement *p = gst_parse_launch (desc, NULL);
  g_free (desc);
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), "p");
  GstPad *lr = gst_element_get_static_pad (sink, "lr");
  GPtrArray *texts = g_ptr_array_new_with_free_func (g_free);
  gst_pad_add_probe (lr, GST_PAD_PROBE_TYPE_BUFFER, record_json, texts, NULL);
  gchar *err = sr_check_play_for_error (p, "json");     /* takes p */
  fail_unless (err == NULL, "%s", err);
  gchar *path = g_build_filename (dir, "manifest.jsonl", NULL), *manifest = NULL;
  fail_unless (g_file_get_contents (path, &manifest, NULL, NULL));
  gchar **lines = g_strsplit (manifest, "\n", -1);
  fail_unless_equals_int (texts->len, 3);
  for (guint i = 0; i < texts->len; i++) {
    const char *json = g_ptr_array_index (texts, i);
    fail_unless (json != NULL, "frame %u had no record", i);
    gchar *want = g_strdup_printf ("\"params\":%s}", json);
    fail_unless (g_str_has_suffix (lines[i], want), "line %u: %s\nhelper: %s", i,
        lines[i], json);
    g_free (want);
  }
  g_strfreev (lines);
  g_free (manifest);
  g_free (path);
  g_ptr_array_unref (texts);
  gst_object_unref (lr);
  gst_object_unref (sink);
  sr_test_rmtree (dir);
  g_free (dir);
}
GST_END_TEST;

static Suite *
meta_suite (void)
{
  Suite *s = suite_create ("meta");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 120);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_registered_by_name);
  tcase_add_test (tc, test_kept_by_conversion_dropped_by_scaling);
  tcase_add_test (tc, test_elements_write_it);
  tcase_add_test (tc, test_json_helper_equals_manifest);
  return s;
}

SR_CHECK_MAIN (meta);
