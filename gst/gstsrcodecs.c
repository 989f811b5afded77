/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsrcodecs.h"

/* x264enc keeps its defaults (preset medium, ABR at the target), as
 * upstream's libx264 does, except for two settings, because a dataset must
 * come out the same when a killed job is run again: mb-tree=false, since
 * libx264 0.164's macroblock-tree rate control gives different streams for
 * the same frames from one encoder to the next within a process (it reads
 * memory it has not written: with MALLOC_PERTURB_ set the streams repeat,
 * and they change with its value; 15 frames at 58x44, 3 to 5 distinct
 * streams in 10 encoders), and one thread (with several, every run
 * differed; measured before mb-tree was found, kept since the clips are
 * small). vp8enc runs with deadline=1 (realtime) because its default
 * "good" deadline is several times slower for a dataset tool.
 *
 * mjpegtools' mpeg2enc also reads memory it has not written (the first
 * segment of a process repeats, later ones do not; with MALLOC_PERTURB_ set
 * all repeat) and has no setting that avoids it: reads_uninitialised makes
 * the private stream fix the contents of fresh heap memory for the process
 * (gstsrcodecstream.c).
 *
 * MPEG-2 is mjpegtools' mpeg2enc (gstreamer1.0-plugins-bad), decoded by
 * avdec_mpeg2video: format=3 is generic MPEG-2 (its default, 0, is MPEG-1);
 * constraints=false lifts its level checks, which here refused 1280x720,
 * 50 frames/s and 20 Mbit/s (MPEG-2 Main level's limits); the GOP is
 * pinned by setting min-gop-size = max-gop-size (at most 250); bitrate is
 * kbit/s, at most 40000; its 224 kB default video buffer must hold 4 frames,
 * so above ~11 Mbit/s at 25/1 `bufsize` is raised (vbv_prop). Its caps take
 * the MPEG rates except 60/1, and even sizes only.
 *
 * avenc_mpeg2video stays available but is left out of the default list
 * when it fails its test stream: gst-libav 1.22.0 (Debian 12) opens every
 * encoder with time base 1/1000000000 whatever the caps' frame rate, and
 * FFmpeg's MPEG-1/2 encoder rejects that rate; no property or caps field
 * changes it.
 *
 * avenc_mpeg4 is not rate-controlled in that build: the same time base is
 * scaled down to 1/65535 for MPEG-4, so FFmpeg's rate control budgets
 * bitrate/65535 bits per frame and sits at its largest quantiser; 250 and
 * 2500 kbit/s give streams of the same size. Scaling the property by
 * 65535/fps does not rescue it (its range ends at 2^31 bit/s, 819 kbit/s at
 * 25/1, and the size still did not follow the target), so gst_sr_codec_problem
 * refuses it there rather than record a bitrate that had no effect. */
static const SrCodecDesc codec_table[] = {
  {
    .encoder = "x264enc", .decoder = "avdec_h264",
    .package = "gstreamer1.0-plugins-ugly and gstreamer1.0-libav",
    .rate_prop = "bitrate", .rate_scale = 1, .gop_prop = "key-int-max",
    .extra = "threads=1 mb-tree=false", .even_size = TRUE,
  },
  {
    .encoder = "vp8enc", .decoder = "vp8dec",
    .package = "gstreamer1.0-plugins-good",
    .rate_prop = "target-bitrate", .rate_scale = 1000,
    .gop_prop = "keyframe-max-dist", .extra = "deadline=1",
  },
  {
    .encoder = "mpeg2enc", .parse = "mpegvideoparse", .decoder = "avdec_mpeg2video",
    .package = "gstreamer1.0-plugins-bad and gstreamer1.0-libav",
    .rate_prop = "bitrate", .rate_scale = 1, .gop_prop = "min-gop-size",
    .extra = "format=3 constraints=false", .even_size = TRUE, .standard_fps = TRUE,
    .gop_prop2 = "max-gop-size", .rate_max = 40000, .gop_limit = 250,
    .vbv_prop = "bufsize", .reads_uninitialised = TRUE,
  },
  {
    .encoder = "jpegenc", .decoder = "jpegdec",
    .package = "gstreamer1.0-plugins-good", .extra = "",
  },
  /* Not in the default list: broken in gst-libav 1.22.0 (above). */
  {
    .encoder = "avenc_mpeg2video", .decoder = "avdec_mpeg2video",
    .package = "gstreamer1.0-libav",
    .rate_prop = "bitrate", .rate_scale = 1000, .gop_prop = "gop-size",
    .extra = "", .even_size = TRUE, .standard_fps = TRUE,
  },
  /* Not in the default list; RealBasicVSR's third codec (MPEG-4 Part 2). */
  {
    .encoder = "avenc_mpeg4", .decoder = "avdec_mpeg4",
    .package = "gstreamer1.0-libav",
    .rate_prop = "bitrate", .rate_scale = 1000, .gop_prop = "gop-size",
    .extra = "", .even_size = TRUE,
  },
};

const SrCodecDesc *
gst_sr_codecs (guint *n_codecs)
{
  *n_codecs = G_N_ELEMENTS (codec_table);
  return codec_table;
}

const SrCodecDesc *
gst_sr_codec_lookup (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (codec_table); i++)
    if (!g_strcmp0 (codec_table[i].encoder, name))
      return &codec_table[i];
  return NULL;
}

gboolean
gst_sr_codec_installed (const SrCodecDesc *d)
{
  const char *names[] = { d->encoder, d->parse, d->decoder };
  for (guint i = 0; i < G_N_ELEMENTS (names); i++) {
    if (!names[i])
      continue;
    GstElementFactory *f = gst_element_factory_find (names[i]);
    if (!f)
      return FALSE;
    gst_object_unref (f);
  }
  return TRUE;
}

static GstPadProbeReturn
count_bytes (GstPad *pad, GstPadProbeInfo *info, gpointer total)
{
  (void) pad;
  *(guint64 *) total += gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));
  return GST_PAD_PROBE_OK;
}

/* Runs `desc` to EOS (at most 10 s); TRUE if it got there. With `bytes`,
 * the sizes of the buffers reaching the element named "out" are summed. */
static gboolean
run_test_stream (const char *desc, guint64 *bytes)
{
  GstElement *p = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS,
      NULL);
  if (!p)
    return FALSE;
  if (bytes) {
    *bytes = 0;
    GstElement *out = gst_bin_get_by_name (GST_BIN (p), "out");
    GstPad *pad = gst_element_get_static_pad (out, "sink");
    gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_bytes, bytes, NULL);
    gst_object_unref (pad);
    gst_object_unref (out);
  }
  gboolean ok = gst_element_set_state (p, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE;
  if (ok) {
    GstBus *bus = gst_element_get_bus (p);
    GstMessage *m = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND,
        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
    ok = m && GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS;
    if (m)
      gst_message_unref (m);
    gst_object_unref (bus);
  }
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  return ok;
}

/* Encoded size of 10 frames of noise at `kbps`. */
static guint64
encoded_bytes (const SrCodecDesc *d, guint kbps)
{
  guint64 bytes = 0;
  gchar *desc = g_strdup_printf ("videotestsrc pattern=snow num-buffers=10 ! "
      "video/x-raw,format=I420,width=64,height=64,framerate=25/1 ! %s %s=%u %s "
      "! fakesink name=out", d->encoder, d->rate_prop, kbps * d->rate_scale,
      d->extra);
  if (!run_test_stream (desc, &bytes))
    bytes = 0;
  g_free (desc);
  return bytes;
}

/* Why this installation cannot use codec d, or NULL. It must encode and
 * decode two small frames: some builds ship an encoder that refuses every
 * stream (gst-libav 1.22 with FFmpeg >= 5 gives avenc_mpeg2video a
 * 1/1000000000 time base, which MPEG-2 rejects). A rate-driven one must also
 * follow its bitrate, else the recorded bitrate would be false (the same
 * time base leaves avenc_mpeg4 at one stream size for any bitrate). Run
 * once per codec and process. */
const char *
gst_sr_codec_problem (const SrCodecDesc *d)
{
  static GHashTable *verdicts;
  static GMutex lock;
  static const char *fails = "fails to encode and decode a test stream here "
      "(see GST_DEBUG=3 for the encoder's reason)";
  static const char *deaf = "ignores its bitrate here (10 noise frames come "
      "out the same size at 200 and 4000 kbit/s), so the recorded bitrate "
      "would be false";

  g_mutex_lock (&lock);
  if (!verdicts)
    verdicts = g_hash_table_new (g_str_hash, g_str_equal);
  gpointer v;
  if (g_hash_table_lookup_extended (verdicts, d->encoder, NULL, &v)) {
    g_mutex_unlock (&lock);
    return v;
  }
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=2 ! "
      "video/x-raw,format=I420,width=64,height=64,framerate=25/1 ! %s %s ! "
      "%s%s%s ! fakesink", d->encoder, d->extra, d->parse ? d->parse : "",
      d->parse ? " ! " : "", d->decoder);
  const char *problem = run_test_stream (desc, NULL) ? NULL : fails;
  g_free (desc);
  if (!problem && d->rate_prop
      && encoded_bytes (d, 4000) < encoded_bytes (d, 200) * 3 / 2)
    problem = deaf;
  g_hash_table_insert (verdicts, (gpointer) d->encoder, (gpointer) problem);
  g_mutex_unlock (&lock);
  return problem;
}

gchar *
gst_sr_codecs_usable_list (void)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (codec_table); i++)
    if (gst_sr_codec_installed (&codec_table[i])
        && !gst_sr_codec_problem (&codec_table[i]))
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", codec_table[i].encoder);
  if (!s->len)
    g_string_append (s, "none");
  return g_string_free (s, FALSE);
}
