/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* gst-sr embedded in a C application: a pipeline degrades a video with
 * srdegrade, an appsink receives the LR frames, and each frame's
 * degradation record is read through GStreamer's own custom-meta API by
 * name (no gst-sr header, no link to gst-sr: the plugin is found like any
 * other). Prints the steps of the first frames.
 *
 *   sr-records [VIDEO] [PRESET] [FRAMES]
 *   (default: opencv-doc's Megamind.avi, realesrgan, 3)
 *
 * Build: cc sr-records.c $(pkg-config --cflags --libs gstreamer-1.0
 * gstreamer-app-1.0) (meson builds it with the tests). */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <stdio.h>
#include <stdlib.h>

static void
print_record (guint n, const GstStructure *record)
{
  guint64 frame = 0;
  gst_structure_get_uint64 (record, "frame", &frame);
  printf ("frame %" G_GUINT64_FORMAT " (%s):", frame,
      gst_structure_get_string (record, "preset"));
  const GValue *ops = gst_structure_get_value (record, "ops");
  for (guint i = 0; ops && i < gst_value_array_get_size (ops); i++) {
    const GstStructure *step = gst_value_get_structure (gst_value_array_get_value (ops, i));
    printf (" %s", gst_structure_get_name (step));
    const GValue *stage = gst_structure_get_value (step, "stage");
    if (stage) {
      gchar *s = gst_value_serialize (stage);
      printf (":%s", s);
      g_free (s);
    }
  }
  printf ("\n");
  if (n == 0) {
    gchar *all = gst_structure_to_string (record);
    printf ("  first record in full: %s\n", all);
    g_free (all);
  }
}

int
main (int argc, char **argv)
{
  gst_init (&argc, &argv);
  const char *video = argc > 1 ? argv[1]
      : "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";
  const char *preset = argc > 2 ? argv[2] : "realesrgan";
  const guint frames = argc > 3 ? (guint) atoi (argv[3]) : 3;

  gchar *desc = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert ! "
      "video/x-raw,format=RGB ! srdegrade preset=%s scale=4 seed=1 ! "
      "appsink name=lr sync=false max-buffers=4", video, preset);
  GError *error = NULL;
  GstElement *pipeline = gst_parse_launch (desc, &error);
  g_free (desc);
  if (!pipeline) {
    fprintf (stderr, "error: %s (is gst-sr on GST_PLUGIN_PATH?)\n", error->message);
    return 1;
  }
  GstElement *sink = gst_bin_get_by_name (GST_BIN (pipeline), "lr");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  guint n = 0;
  int status = 0;
  while (n < frames) {
    GstSample *sample = gst_app_sink_pull_sample (GST_APP_SINK (sink));
    if (!sample)
      break;                    /* EOS or an error, reported below */
    GstCustomMeta *meta = gst_buffer_get_custom_meta (gst_sample_get_buffer (sample),
        "GstSrDegradationMeta");
    if (meta)
      print_record (n, gst_custom_meta_get_structure (meta));
    else {
      fprintf (stderr, "error: an LR frame without GstSrDegradationMeta\n");
      status = 1;
    }
    gst_sample_unref (sample);
    n++;
  }
  GstMessage *msg = gst_bus_pop_filtered (GST_ELEMENT_BUS (pipeline), GST_MESSAGE_ERROR);
  if (msg) {
    GError *err = NULL;
    gst_message_parse_error (msg, &err, NULL);
    fprintf (stderr, "error: %s\n", err->message);
    g_error_free (err);
    gst_message_unref (msg);
    status = 1;
  }
  if (n < frames && !status) {
    fprintf (stderr, "error: the stream ended after %u frames\n", n);
    status = 1;
  }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return status;
}
