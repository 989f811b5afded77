/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsrcodecstream.h"

#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>
#include <malloc.h>

GST_DEBUG_CATEGORY_STATIC (gst_sr_codec_stream_debug);
#define GST_CAT_DEFAULT gst_sr_codec_stream_debug

/* How long one wait on the private pipeline lasts before the bus is checked
 * for errors and the caller's cancel flag. */
#define PULL_TIMEOUT (100 * GST_MSECOND)

struct _GstSrCodecStream {
  const SrCodecDesc *desc;
  GstVideoInfo info;
  gint fps_n, fps_d;
  GstElement *pipeline, *appsrc, *appsink;
  guint frames_in;
  guint64 encoded_bytes;                /* counted on the encoder's src pad */
};

static GstPadProbeReturn
count_bytes (GstPad *pad, GstPadProbeInfo *info, gpointer user)
{
  (void) pad;
  GstSrCodecStream *s = user;
  s->encoded_bytes += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  return GST_PAD_PROBE_OK;
}

/* What the private appsink takes: the input's format, size and colour
 * description (colorimetry, chroma siting). Frame rate, aspect ratio and
 * interlacing stay out: the decoder sets those and videoconvert cannot
 * change them (the caller puts the input's timestamps back anyway). */
static GstCaps *
output_caps (const GstVideoInfo *info)
{
  static const char *const keep[] = { "format", "width", "height",
    "colorimetry", "chroma-site" };
  GstCaps *full = gst_video_info_to_caps (info);
  const GstStructure *fs = gst_caps_get_structure (full, 0);
  GstStructure *os = gst_structure_new_empty ("video/x-raw");
  for (guint i = 0; i < G_N_ELEMENTS (keep); i++) {
    const GValue *v = gst_structure_get_value (fs, keep[i]);
    if (v)
      gst_structure_set_value (os, keep[i], v);
  }
  gst_caps_unref (full);
  return gst_caps_new_full (os, NULL);
}

/* The encoder with its settings, as gst-launch syntax. */
static gchar *
encoder_description (const SrCodecDesc *d, const GstSrCodecSettings *s)
{
  GString *enc = g_string_new (d->encoder);
  g_string_append (enc, " name=enc");
  if (s->rate_override)
    g_string_append_printf (enc, " %s", s->rate_override);
  else if (d->rate_prop)
    g_string_append_printf (enc, " %s=%u", d->rate_prop, s->bitrate * d->rate_scale);
  else
    g_string_append_printf (enc, " quality=%u", s->quality);
  if (d->gop_prop)
    g_string_append_printf (enc, " %s=%u", d->gop_prop, s->gop);
  if (d->gop_prop2)
    g_string_append_printf (enc, " %s=%u", d->gop_prop2, s->gop);
  if (d->vbv_prop && d->rate_prop && !s->rate_override) {
    /* Six frames at the bitrate, in kB, where the default 224 kB holds
     * fewer than four: mpeg2enc refuses a buffer under 4 frame times. */
    const guint64 kb = gst_util_uint64_scale_ceil (s->bitrate,
        6 * (guint64) s->fps_d, 8 * (guint64) s->fps_n);
    if (kb * 4 > 200 * 6)
      g_string_append_printf (enc, " %s=%u", d->vbv_prop, (guint) MIN (kb, 4000));
  }
  g_string_append_printf (enc, " %s", d->extra);
  return g_string_free (enc, FALSE);
}

void
gst_sr_codec_stream_free (GstSrCodecStream *s)
{
  if (!s)
    return;
  if (s->pipeline)
    gst_element_set_state (s->pipeline, GST_STATE_NULL);
  gst_clear_object (&s->appsrc);
  gst_clear_object (&s->appsink);
  gst_clear_object (&s->pipeline);
  g_free (s);
}

/* For an encoder whose output depends on what fresh heap memory held
 * (SrCodecDesc.reads_uninitialised): glibc's M_PERTURB fills every block
 * malloc hands out with one byte pattern, so a segment encodes the same
 * whatever the process did before, as a killed job's rerun must. It is
 * glibc's MALLOC_PERTURB_ (a nonzero one the user set is left as is):
 * process-wide, and it costs a memset per allocation (no difference
 * measured on srcodec at 640x360). */
static void
fix_fresh_memory (const SrCodecDesc *d)
{
  static gsize done;
  if (g_once_init_enter (&done)) {
    const char *users = g_getenv ("MALLOC_PERTURB_");   /* 0: glibc's off */
    if (!users || !g_ascii_strtoll (users, NULL, 0)) {
      mallopt (M_PERTURB, 0xa5);
      GST_INFO ("%s reads memory it has not written: fresh heap memory is "
          "now filled (M_PERTURB) so that its streams repeat", d->encoder);
    }
    g_once_init_leave (&done, 1);
  }
}

GstSrCodecStream *
gst_sr_codec_stream_start (const SrCodecDesc *d, const GstVideoInfo *info,
    const GstSrCodecSettings *settings, GError **error)
{
  static gsize debug_once;
  if (g_once_init_enter (&debug_once)) {
    GST_DEBUG_CATEGORY_INIT (gst_sr_codec_stream_debug, "srcodecstream", 0,
        "gst-sr private encode/decode streams");
    g_once_init_leave (&debug_once, 1);
  }
  if (d->reads_uninitialised)
    fix_fresh_memory (d);
  gchar *enc = encoder_description (d, settings);
  /* BT.601 limited range both ways (PyAV's default): the capssetter
   * overrides whatever colorimetry the decoder guesses (VP8 and JPEG carry
   * none), so conversion back matches conversion in. */
  gchar *desc = g_strdup_printf ("appsrc name=src format=time ! videoconvert ! "
      "video/x-raw,format=I420,colorimetry=bt601 ! %s ! %s%s%s ! "
      "capssetter join=true replace=false caps=\"video/x-raw,colorimetry=bt601\" ! "
      "videoconvert ! appsink name=sink sync=false", enc,
      d->parse ? d->parse : "", d->parse ? " ! " : "", d->decoder);
  g_free (enc);
  GST_DEBUG ("%s", desc);

  GstSrCodecStream *s = g_new0 (GstSrCodecStream, 1);
  s->desc = d;
  s->info = *info;
  s->fps_n = settings->fps_n;
  s->fps_d = settings->fps_d;
  GError *err = NULL;
  s->pipeline = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS, &err);
  g_free (desc);
  if (!s->pipeline) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_FAILED,
        "could not build the %s chain: %s", d->encoder, err ? err->message : "unknown");
    g_clear_error (&err);
    gst_sr_codec_stream_free (s);
    return NULL;
  }
  s->appsrc = gst_bin_get_by_name (GST_BIN (s->pipeline), "src");
  s->appsink = gst_bin_get_by_name (GST_BIN (s->pipeline), "sink");
  GstElement *enc_el = gst_bin_get_by_name (GST_BIN (s->pipeline), "enc");
  GstPad *enc_src = gst_element_get_static_pad (enc_el, "src");
  gst_pad_add_probe (enc_src, GST_PAD_PROBE_TYPE_BUFFER, count_bytes, s, NULL);
  gst_object_unref (enc_src);
  gst_object_unref (enc_el);

  GstCaps *caps = gst_video_info_to_caps (info);
  gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, s->fps_n, s->fps_d, NULL);
  gst_app_src_set_caps (GST_APP_SRC (s->appsrc), caps);
  gst_caps_unref (caps);
  caps = output_caps (info);
  gst_app_sink_set_caps (GST_APP_SINK (s->appsink), caps);
  gst_caps_unref (caps);
  /* A stream is one segment or clip: let appsrc queue all of it. */
  gst_app_src_set_max_bytes (GST_APP_SRC (s->appsrc), 0);

  if (gst_element_set_state (s->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_STATE_CHANGE,
        "could not start the %s chain", d->encoder);
    gst_sr_codec_stream_free (s);
    return NULL;
  }
  return s;
}

guint64
gst_sr_codec_stream_encoded_bytes (const GstSrCodecStream *s)
{
  return s->encoded_bytes;
}

GstClockTime
gst_sr_codec_stream_frame_time (const GstSrCodecStream *s, guint64 k)
{
  return gst_util_uint64_scale (k, GST_SECOND * s->fps_d, s->fps_n);
}

guint
gst_sr_codec_stream_frames (const GstSrCodecStream *s)
{
  return s->frames_in;
}

gboolean
gst_sr_codec_stream_push (GstSrCodecStream *s, GstBuffer *buf, GError **error)
{
  GstBuffer *in = GST_VIDEO_INFO_FORMAT (&s->info) == GST_VIDEO_FORMAT_I420
      ? gst_buffer_copy_deep (buf) : gst_buffer_copy (buf);
  GST_BUFFER_PTS (in) = gst_sr_codec_stream_frame_time (s, s->frames_in);
  GST_BUFFER_DTS (in) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (in) = gst_sr_codec_stream_frame_time (s, s->frames_in + 1)
      - GST_BUFFER_PTS (in);
  s->frames_in++;
  if (gst_app_src_push_buffer (GST_APP_SRC (s->appsrc), in) != GST_FLOW_OK) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
        "could not feed the %s chain", s->desc->encoder);
    return FALSE;
  }
  return TRUE;
}

/* Decoded frames are matched to their inputs by their private running time
 * (decoders reorder; the encoder may shift PTS). When those times are
 * unusable (this GStreamer's avenc_* stamps every packet 2^63 ns), by
 * order instead: decoders output in display order. */
gboolean
gst_sr_codec_stream_finish (GstSrCodecStream *s, GstBuffer **decoded,
    GstVideoInfo *dinfo, const gboolean *cancel, GError **error)
{
  const guint n = s->frames_in;
  GPtrArray *got = g_ptr_array_new_with_free_func ((GDestroyNotify) gst_buffer_unref);
  GArray *slot = g_array_new (FALSE, FALSE, sizeof (guint64));
  gboolean by_time = TRUE, have_dinfo = FALSE, ok = TRUE;
  GstBus *bus = gst_element_get_bus (s->pipeline);

  for (guint k = 0; k < n; k++)
    decoded[k] = NULL;
  gst_app_src_end_of_stream (GST_APP_SRC (s->appsrc));
  for (;;) {
    GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (s->appsink),
        PULL_TIMEOUT);
    if (sample) {
      GstBuffer *b = gst_sample_get_buffer (sample);
      if (!have_dinfo)
        have_dinfo = gst_video_info_from_caps (dinfo, gst_sample_get_caps (sample));
      /* Running time, not PTS: x264enc shifts PTS by 1000 h in its
       * segment to keep DTS positive. */
      const GstSegment *seg = gst_sample_get_segment (sample);
      GstClockTime rt = GST_CLOCK_TIME_NONE;
      if (GST_BUFFER_PTS_IS_VALID (b) && seg && seg->format == GST_FORMAT_TIME)
        rt = gst_segment_to_running_time (seg, GST_FORMAT_TIME, GST_BUFFER_PTS (b));
      guint64 k = G_MAXUINT64;
      if (GST_CLOCK_TIME_IS_VALID (rt))
        k = gst_util_uint64_scale_round (rt, s->fps_n, GST_SECOND * s->fps_d);
      for (guint i = 0; i < slot->len && by_time; i++)
        by_time = g_array_index (slot, guint64, i) != k;
      by_time &= k < n;
      g_ptr_array_add (got, gst_buffer_ref (b));
      g_array_append_val (slot, k);
      gst_sample_unref (sample);
      continue;
    }
    const gboolean eos = gst_app_sink_is_eos (GST_APP_SINK (s->appsink));
    GstMessage *msg = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
    if (msg) {
      GError *err = NULL;
      gchar *dbg = NULL;
      gst_message_parse_error (msg, &err, &dbg);
      g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
          "the %s chain failed: %s (%s)", s->desc->encoder, err->message,
          dbg ? dbg : "");
      g_clear_error (&err);
      g_free (dbg);
      gst_message_unref (msg);
      ok = FALSE;
      break;
    }
    if (eos && got->len == 0 && n > 0) {
      g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FAILED,
          "the %s chain returned no frame for %u", s->desc->encoder, n);
      ok = FALSE;
      break;
    }
    if (eos)
      break;
    if (cancel && *cancel) {
      ok = FALSE;
      break;
    }
  }
  gst_object_unref (bus);
  if (got->len > n)
    GST_WARNING ("%s: the decoder gave %u frames for %u", s->desc->encoder, got->len, n);
  if (ok && !have_dinfo && got->len > 0) {
    g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_FORMAT,
        "the %s chain returned frames without usable caps", s->desc->encoder);
    ok = FALSE;
  }
  for (guint i = 0; i < got->len && ok; i++) {
    const guint64 k = by_time ? g_array_index (slot, guint64, i) : i;
    if (k < n && !decoded[k])
      decoded[k] = gst_buffer_ref (g_ptr_array_index (got, i));
  }
  g_ptr_array_unref (got);
  g_array_unref (slot);
  return ok;
}
