/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test helpers; the degradation record is read and attached the way any
 * application does, through GStreamer's custom-meta API by name
 * ("GstSrDegradationMeta", registered when the plugin loads), without
 * gst-sr's headers. */
#pragma once

#include <gst/gst.h>
#include <gst/check/gstcheck.h>
#include "sr_test_data.h"

/* Tests left out of a suite because an input is missing. */
static int sr_check_n_skipped;

/* Adds `test` when `have` is true; otherwise prints why it is left out and
 * counts it, so that SR_CHECK_MAIN reports the suite as skipped. */
#define SR_CHECK_ADD_IF(tc, test, have, why)                                \
  do {                                                                      \
    if (have)                                                               \
      tcase_add_test (tc, test);                                            \
    else {                                                                  \
      g_print ("# SKIP %s: %s\n", #test, why);                              \
      sr_check_n_skipped++;                                                 \
    }                                                                       \
  } while (0)

/* GST_CHECK_MAIN, except that a suite with tests left out exits 77 (meson's
 * SKIP) when the rest passed, instead of reporting a pass it did not earn. */
#define SR_CHECK_MAIN(name)                                                 \
  int                                                                       \
  main (int argc, char **argv)                                              \
  {                                                                         \
    gst_check_init (&argc, &argv);                                          \
    Suite *s = name##_suite ();                                             \
    int failed = gst_check_run_suite (s, #name, __FILE__);                  \
    if (failed)                                                             \
      return failed;                                                        \
    return sr_check_n_skipped ? SR_TEST_EXIT_SKIP : 0;                      \
  }

static inline const GstStructure *
sr_check_meta_info (GstBuffer *buf)
{
  GstCustomMeta *m = gst_buffer_get_custom_meta (buf, "GstSrDegradationMeta");
  return m ? gst_custom_meta_get_structure (m) : NULL;
}

/* Attaches a record to buf (which must be writable); returns its
 * structure, named sr-degradation, to be filled in. */
static inline GstStructure *
sr_check_attach_record (GstBuffer *buf)
{
  fail_unless (gst_meta_get_info ("GstSrDegradationMeta") != NULL,
      "the plugin did not register GstSrDegradationMeta");
  GstStructure *s = gst_custom_meta_get_structure (gst_buffer_add_custom_meta (buf,
          "GstSrDegradationMeta"));
  gst_structure_set_name (s, "sr-degradation");
  return s;
}

/* RGB caps of w x h at 25 fps. */
static inline GstCaps *
sr_check_rgb_caps (int w, int h)
{
  return gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB",
      "width", G_TYPE_INT, w, "height", G_TYPE_INT, h,
      "framerate", GST_TYPE_FRACTION, 25, 1, NULL);
}

/* Plays pipeline p (taken) to EOS or its first error; returns that error's
 * message (g_free it) or NULL when it ended cleanly. */
static inline gchar *
sr_check_play_for_error (GstElement *p, const char *what)
{
  gst_element_set_state (p, GST_STATE_PLAYING);
  GstMessage *m = gst_bus_timed_pop_filtered (GST_ELEMENT_BUS (p), 60 * GST_SECOND,
      GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  fail_unless (m != NULL, "'%s' neither ended nor failed within 60 s", what);
  gchar *text = NULL;
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR) {
    GError *err = NULL;
    gst_message_parse_error (m, &err, NULL);
    text = g_strdup (err->message);
    g_error_free (err);
  }
  gst_message_unref (m);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  return text;
}

/* Runs a gst-launch description to EOS or its first error; returns that
 * error's message (g_free it) or NULL when the pipeline ended cleanly. */
static inline gchar *
sr_check_run_for_error (const char *desc)
{
  GError *perr = NULL;
  GstElement *p = gst_parse_launch (desc, &perr);
  fail_unless (p != NULL, "parse: %s", perr ? perr->message : "?");
  return sr_check_play_for_error (p, desc);
}

/* TRUE when `desc` fails to link (caps fixed in a description are refused
 * at linking when an element cannot take them). */
static inline gboolean
sr_check_link_refused (const char *desc)
{
  GError *err = NULL;
  GstElement *p = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS,
      &err);
  const gboolean refused = !p && g_error_matches (err, GST_PARSE_ERROR,
      GST_PARSE_ERROR_LINK);
  if (p)
    gst_object_unref (p);
  g_clear_error (&err);
  return refused;
}

/* `videotestsrc num-buffers=3 ! <element> ! fakesink` with the source's
 * output fixed to `caps` only after linking, so that the element meets them
 * while the pipeline runs. */
static inline GstElement *
sr_check_late_caps_pipeline (const char *caps, const char *element)
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=3 ! capsfilter "
      "name=late ! %s ! fakesink", element);
  GError *perr = NULL;
  GstElement *p = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS,
      &perr);
  fail_unless (p != NULL, "parse '%s': %s", desc, perr ? perr->message : "?");
  g_free (desc);
  GstElement *late = gst_bin_get_by_name (GST_BIN (p), "late");
  GstCaps *fixed = gst_caps_from_string (caps);
  g_object_set (late, "caps", fixed, NULL);
  gst_caps_unref (fixed);
  gst_object_unref (late);
  return p;
}

/* The first error's message (g_free it) when `element` meets `caps` while
 * the pipeline runs, or NULL when it ran to EOS. */
static inline gchar *
sr_check_run_late_caps_for_error (const char *caps, const char *element)
{
  return sr_check_play_for_error (sr_check_late_caps_pipeline (caps, element),
      element);
}

/* Bus sync handler counting gst.sr.opencl have-context messages into the
 * gint that data points to (one runtime per pipeline announces once). */
static inline GstBusSyncReply
sr_check_count_have_context (GstBus *bus, GstMessage *m, gpointer data)
{
  (void) bus;
  if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_HAVE_CONTEXT) {
    GstContext *ctx;
    gst_message_parse_have_context (m, &ctx);
    if (!g_strcmp0 (gst_context_get_context_type (ctx), "gst.sr.opencl"))
      g_atomic_int_inc ((gint *) data);
    gst_context_unref (ctx);
  }
  return GST_BUS_PASS;
}
