/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srcodec: round-trips each segment of frames through a real encoder and
 * decoder, as RealBasicVSR's RandomVideoCompression does through PyAV
 * (mmagic's RandomVideoCompression in RealBasicVSR's pipeline), and
 * records a `codec` step (fields in docs/dataset.md).
 *
 * Why a plain GstElement driving a private pipeline per segment, not a
 * GstBin with the encoder inline: every segment is an independent stream
 * with its own codec and settings (upstream encodes each clip afresh), so
 * the chain must be rebuilt at segment boundaries anyway; encoders drop
 * custom metas and may reorder and delay frames, so the meta and the
 * original timestamps are kept here per frame and put back on the decoded
 * frames, which are matched to their inputs by the private stream's PTS.
 * Input buffers go into the private appsrc as they arrive and are released
 * once videoconvert has made the I420 copy, so a bounded upstream pool is
 * not held for a whole segment (I420 input, which videoconvert may pass
 * through, is copied first for that reason).
 *
 * Formats: GST_SR_VIDEO_FORMATS in, the same format out (output caps =
 * input caps). The private videoconverts go from the input's format and
 * colorimetry to I420 BT.601 and back to the input's format, colorimetry and
 * chroma siting. */
#include "gstsrcodec.h"
#include "gstsrcodecs.h"
#include "gstsrframes.h"

#include <string.h>
#include "gstsrmeta.h"
#include "gstsrsize.h"
#include "gstsrvideo.h"
#include "sr_philox.h"

GST_DEBUG_CATEGORY_STATIC (gst_sr_codec_debug);
#define GST_CAT_DEFAULT gst_sr_codec_debug

#define CODEC_RNG_OP 0x636f6463u        /* "codc" */

enum {
  PROP_0,
  PROP_CODECS,
  PROP_SEGMENT_FRAMES,
  PROP_BITRATE_MIN,
  PROP_BITRATE_MAX,
  PROP_QUALITY_MIN,
  PROP_QUALITY_MAX,
  PROP_GOP_MIN,
  PROP_GOP_MAX,
  PROP_SEED,
};

/* RealBasicVSR draws 10000..100000 bits per frame (its streams run at 1
 * frame/s); at 25 frames/s that is 250..2500 kbit/s. Its JPEG step draws
 * quality 30..95. Its GOPs are the encoder defaults: 12 (mpeg4) to 250
 * (x264). */
#define DEFAULT_SEGMENT_FRAMES 30
#define DEFAULT_BITRATE_MIN 250
#define DEFAULT_BITRATE_MAX 2500
#define DEFAULT_QUALITY_MIN 30
#define DEFAULT_QUALITY_MAX 95
#define DEFAULT_GOP_MIN 12
#define DEFAULT_GOP_MAX 250
#define DEFAULT_SEED 0

/* A queued frame (its timestamps and meta; the pixels are in the private
 * pipeline) or a serialized event that came between frames. */
typedef struct {
  GstEvent *event;
  GstSrBufferStamp stamp;
  GstStructure *info;
} SrCodecItem;

#define CAPS_STR GST_VIDEO_CAPS_MAKE (GST_SR_VIDEO_FORMATS)
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));

G_DEFINE_TYPE (GstSrCodec, gst_sr_codec, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (srcodec, "srcodec", GST_RANK_NONE, GST_TYPE_SR_CODEC);

static void
item_free (gpointer data)
{
  SrCodecItem *it = data;
  if (it->event)
    gst_event_unref (it->event);
  if (it->info)
    gst_structure_free (it->info);
  g_free (it);
}

/* Before start, odd sizes are refused when an installed codec of the list
 * needs even ones, so that fixed odd caps fail when the pipeline is linked
 * (gst-launch-1.0 then exits at once) rather than at preroll; start narrows
 * this to the codecs that pass their probe. */
static void
set_size_floor_from_list (GstSrCodec *self)
{
  gchar **names = g_strsplit (self->codecs && *self->codecs ? self->codecs
      : GST_SR_CODECS_DEFAULT, ",", -1);
  gboolean even = FALSE;
  for (gchar **n = names; *n; n++) {
    const SrCodecDesc *d = gst_sr_codec_lookup (g_strstrip (*n));
    even |= d && d->even_size && gst_sr_codec_installed (d);
  }
  g_strfreev (names);
  gst_sr_size_limit_set (&self->size_limit, even ? 2 : 0, 2);
}

/* Resolves `codecs` into self->choices; posts an error naming the bad
 * entry and what is available. A name may repeat to weight the draw
 * ("x264enc,x264enc,avenc_mpeg4" is RealBasicVSR's 2/3 H.264, 1/3 MPEG-4). */
static gboolean
resolve_codecs (GstSrCodec *self)
{
  const gboolean by_default = !self->codecs || !*self->codecs;
  gchar **names = g_strsplit (by_default ? GST_SR_CODECS_DEFAULT : self->codecs, ",", -1);
  gboolean ok = TRUE;
  const char *problem;

  g_ptr_array_set_size (self->choices, 0);
  for (gchar **n = names; *n && ok; n++) {
    g_strstrip (*n);
    if (!**n)
      continue;
    const SrCodecDesc *d = gst_sr_codec_lookup (*n);
    if (!d) {
      gchar *avail = gst_sr_codecs_usable_list ();
      GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
          ("Unknown codec '%s' in srcodec codecs=\"%s\"; the available codecs "
              "are: %s", *n, self->codecs, avail), (NULL));
      g_free (avail);
      ok = FALSE;
    } else if (!gst_sr_codec_installed (d)) {
      /* The default list uses whatever is installed. */
      if (!by_default) {
        GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
            ("srcodec codec '%s' is not installed: it needs %s%s%s and %s "
                "(Debian: %s)", d->encoder, d->encoder, d->parse ? ", " : "",
                d->parse ? d->parse : "", d->decoder, d->package), (NULL));
        ok = FALSE;
      }
    } else if ((problem = gst_sr_codec_problem (d))) {
      if (by_default) {
        GST_WARNING_OBJECT (self, "leaving out %s: it %s", d->encoder, problem);
      } else {
        GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
            ("srcodec codec '%s' is installed but %s", d->encoder, problem),
            (NULL));
        ok = FALSE;
      }
    } else {
      g_ptr_array_add (self->choices, (gpointer) d);
    }
  }
  g_strfreev (names);
  if (ok && self->choices->len == 0) {
    GST_ELEMENT_ERROR (self, CORE, MISSING_PLUGIN,
        ("srcodec has no codec to use: none of %s is installed (Debian: "
            "gstreamer1.0-plugins-ugly, gstreamer1.0-plugins-good, "
            "gstreamer1.0-plugins-bad, gstreamer1.0-libav)",
            by_default ? GST_SR_CODECS_DEFAULT : self->codecs),
        (NULL));
    ok = FALSE;
  }
  return ok;
}

static gboolean
check_ranges (GstSrCodec *self)
{
  const struct { const char *name; guint lo, hi; } r[] = {
    { "bitrate", self->bitrate_min, self->bitrate_max },
    { "quality", self->quality_min, self->quality_max },
    { "gop", self->gop_min, self->gop_max },
  };
  for (guint i = 0; i < G_N_ELEMENTS (r); i++)
    if (r[i].lo > r[i].hi) {
      GST_ELEMENT_ERROR (self, LIBRARY, SETTINGS,
          ("srcodec %s-min (%u) is larger than %s-max (%u)", r[i].name, r[i].lo,
              r[i].name, r[i].hi), (NULL));
      return FALSE;
    }
  return TRUE;
}

static void
drop_pending (GstSrCodec *self)
{
  g_clear_pointer (&self->stream, gst_sr_codec_stream_free);
  g_queue_clear_full (&self->pending, item_free);
}

/* Frame rate of the private stream: the encoders' rate control turns
 * kbit/s into bits per frame with it. Streams without one (stills) run at
 * 25/1; the MPEG-2 encoders accept only their table of rates. */
static void
choose_fps (GstSrCodec *self, const SrCodecDesc *d, gint *n, gint *dd)
{
  /* MPEG-2's table less 60/1, which mpeg2enc's caps leave out. */
  static const gint mpeg[][2] = { { 24000, 1001 }, { 24, 1 }, { 25, 1 },
    { 30000, 1001 }, { 30, 1 }, { 50, 1 }, { 60000, 1001 } };
  *n = GST_VIDEO_INFO_FPS_N (&self->info);
  *dd = GST_VIDEO_INFO_FPS_D (&self->info);
  gboolean ok = *n > 0 && *dd > 0;
  if (ok && d->standard_fps) {
    ok = FALSE;
    for (guint i = 0; i < G_N_ELEMENTS (mpeg); i++)
      ok |= gst_util_fraction_compare (*n, *dd, mpeg[i][0], mpeg[i][1]) == 0;
  }
  if (!ok) {
    *n = 25;
    *dd = 1;
  }
}

/* Draws the segment's parameters and starts its private stream. All four
 * draws happen whatever the codec, so the stream layout is fixed. */
static gboolean
segment_start (GstSrCodec *self)
{
  SrRng rng;
  sr_rng_init (&rng, self->seed, self->segment_index, CODEC_RNG_OP);
  const guint pick = (guint) sr_rng_int (&rng, 0, self->choices->len - 1);
  self->desc = g_ptr_array_index (self->choices, pick);
  GstSrCodecSettings *set = &self->settings;
  set->bitrate = (guint) sr_rng_int (&rng, self->bitrate_min, self->bitrate_max);
  set->quality = (guint) sr_rng_int (&rng, self->quality_min, self->quality_max);
  set->gop = (guint) sr_rng_int (&rng, self->gop_min, self->gop_max);
  const SrCodecDesc *d = self->desc;
  if (!d->gop_prop)
    set->gop = 1;
  /* Past the draws: an encoder's own limits clamp what is applied, and the
   * step records the applied value. */
  if (d->rate_max && set->bitrate > d->rate_max) {
    GST_WARNING_OBJECT (self, "%s takes at most %u kbit/s; %u drawn",
        d->encoder, d->rate_max, set->bitrate);
    set->bitrate = d->rate_max;
  }
  if (d->gop_limit && set->gop > d->gop_limit) {
    GST_WARNING_OBJECT (self, "%s takes a GOP of at most %u; %u drawn",
        d->encoder, d->gop_limit, set->gop);
    set->gop = d->gop_limit;
  }
  choose_fps (self, d, &set->fps_n, &set->fps_d);
  GST_DEBUG_OBJECT (self, "segment %" G_GUINT64_FORMAT ": %s", self->segment_index,
      d->encoder);
  GError *error = NULL;
  self->stream = gst_sr_codec_stream_start (d, &self->info, set, &error);
  if (!self->stream) {
    GST_ELEMENT_ERROR (self, CORE, FAILED, ("srcodec: %s", error->message), (NULL));
    g_error_free (error);
    return FALSE;
  }
  return TRUE;
}

static GstStructure *
codec_step (GstSrCodec *self, guint frames)
{
  GstStructure *s = gst_structure_new ("codec",
      "codec", G_TYPE_STRING, self->desc->encoder,
      "gop", G_TYPE_INT, (int) self->settings.gop,
      "segment", G_TYPE_UINT64, self->segment_index,
      "segment-frames", G_TYPE_INT, (int) self->segment_frames, NULL);
  if (self->desc->rate_prop)
    gst_structure_set (s, "bitrate", G_TYPE_INT, (int) self->settings.bitrate, NULL);
  else
    gst_structure_set (s, "quality", G_TYPE_INT, (int) self->settings.quality, NULL);
  /* Informative: this segment's length (shorter at EOS) and the frame rate
   * the bitrate was spent at. */
  const int fps[2] = { self->settings.fps_n, self->settings.fps_d };
  GValue v = gst_sr_int_array (fps, 2);
  gst_structure_set_value (s, "framerate", &v);
  g_value_unset (&v);
  gst_structure_set (s, "frames", G_TYPE_INT, (int) frames, NULL);
  return s;
}

/* Ends the running segment: drains the codec, then pushes the queued
 * events and the decoded frames in arrival order, each frame with its
 * input's timestamps and meta plus the `codec` step. A frame the decoder
 * did not return becomes a GAP, so srpairsink
 * does not wait for it. */
static GstFlowReturn
segment_finish (GstSrCodec *self)
{
  if (!self->stream)
    return GST_FLOW_OK;
  const guint n = gst_sr_codec_stream_frames (self->stream);
  GstBuffer **decoded = g_new0 (GstBuffer *, n ? n : 1);
  GstVideoInfo dinfo;
  GstFlowReturn ret = GST_FLOW_OK;
  GError *error = NULL;

  if (!gst_sr_codec_stream_finish (self->stream, decoded, &dinfo, &self->flushing,
          &error)) {
    ret = GST_FLOW_FLUSHING;
    if (error) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("srcodec: %s", error->message), (NULL));
      g_error_free (error);
      ret = GST_FLOW_ERROR;
    }
  }
  GstStructure *step = codec_step (self, n);
  g_clear_pointer (&self->stream, gst_sr_codec_stream_free);

  guint k = 0;
  SrCodecItem *it;
  while ((it = g_queue_pop_head (&self->pending))) {
    if (ret != GST_FLOW_OK) {
      item_free (it);
      continue;
    }
    if (it->event) {
      gst_pad_push_event (self->srcpad, it->event);
      it->event = NULL;
      item_free (it);
      continue;
    }
    GstBuffer *src = decoded[k++];
    if (!src) {
      GST_WARNING_OBJECT (self, "frame at %" GST_TIME_FORMAT " was not decoded",
          GST_TIME_ARGS (it->stamp.pts));
      gst_pad_push_event (self->srcpad, gst_event_new_gap (it->stamp.pts,
              it->stamp.duration));
      item_free (it);
      continue;
    }
    GstBuffer *out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&self->info),
        NULL);
    GstVideoFrame fin, fout;
    gboolean copied = FALSE;
    if (gst_video_frame_map (&fin, &dinfo, src, GST_MAP_READ)) {
      if (gst_video_frame_map (&fout, &self->info, out, GST_MAP_WRITE)) {
        copied = gst_video_frame_copy (&fout, &fin);
        gst_video_frame_unmap (&fout);
      }
      gst_video_frame_unmap (&fin);
    }
    if (!copied) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("srcodec could not copy a "
              "decoded frame"), (NULL));
      gst_buffer_unref (out);
      item_free (it);
      ret = GST_FLOW_ERROR;
      continue;
    }
    gst_sr_buffer_stamp_apply (&it->stamp, out);
    gst_sr_degradation_append_op (it->info, gst_structure_copy (step));
    gst_buffer_add_sr_degradation_meta (out, it->info);
    it->info = NULL;
    item_free (it);
    ret = gst_pad_push (self->srcpad, out);
  }
  gst_structure_free (step);
  for (guint i = 0; i < n; i++)
    if (decoded[i])
      gst_buffer_unref (decoded[i]);
  g_free (decoded);
  self->segment_index++;
  return ret;
}

static GstFlowReturn
gst_sr_codec_chain (GstPad *pad, GstObject *parent, GstBuffer *buf)
{
  GstSrCodec *self = GST_SR_CODEC (parent);
  (void) pad;
  if (!self->have_info) {
    gst_buffer_unref (buf);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  if (!self->stream && !segment_start (self)) {
    gst_buffer_unref (buf);
    return GST_FLOW_ERROR;
  }

  SrCodecItem *it = g_new0 (SrCodecItem, 1);
  gst_sr_buffer_stamp_save (&it->stamp, buf);
  it->info = gst_sr_degradation_info_from (buf);
  g_queue_push_tail (&self->pending, it);

  GError *error = NULL;
  const gboolean fed = gst_sr_codec_stream_push (self->stream, buf, &error);
  gst_buffer_unref (buf);
  if (!fed) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("srcodec: %s", error->message), (NULL));
    g_error_free (error);
    return GST_FLOW_ERROR;
  }
  if (gst_sr_codec_stream_frames (self->stream) >= self->segment_frames)
    return segment_finish (self);
  return GST_FLOW_OK;
}

/* Posts, once per run, why frames of `caps`' size cannot be encoded. */
static void
refuse_size (GstSrCodec *self, const GstCaps *caps)
{
  if (!gst_sr_size_limit_first_refusal (&self->size_limit))
    return;
  const SrCodecDesc *d = NULL;
  for (guint i = 0; i < self->choices->len && !d; i++) {
    d = g_ptr_array_index (self->choices, i);
    d = d->even_size ? d : NULL;
  }
  gchar *size = gst_sr_caps_size_string (caps);
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
      ("srcodec codec %s needs an even width and height, got %s (crop the "
          "frames or leave it out of codecs=)", d ? d->encoder : "?", size),
      ("refused at caps negotiation: %" GST_PTR_FORMAT, caps));
  g_free (size);
}

/* Caps pass through (output caps = input caps), less the odd sizes when a
 * codec drawn from needs even ones: refused at negotiation, once. */
static gboolean
gst_sr_codec_pad_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  GstSrCodec *self = GST_SR_CODEC (parent);
  gboolean ret = gst_pad_query_default (pad, parent, query);
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS && ret) {
    GstCaps *res;
    gst_query_parse_caps_result (query, &res);
    res = gst_sr_size_limit_apply (&self->size_limit, gst_caps_ref (res));
    gst_query_set_caps_result (query, res);
    gst_caps_unref (res);
  } else if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS && ret) {
    GstCaps *caps;
    gboolean ok;
    gst_query_parse_accept_caps (query, &caps);
    gst_query_parse_accept_caps_result (query, &ok);
    if (ok && !gst_sr_size_limit_allows (&self->size_limit, caps))
      gst_query_set_accept_caps_result (query, FALSE);
  }
  GstCaps *refused;
  if (pad == self->sinkpad
      && (refused = gst_sr_size_limit_refused (&self->size_limit, query)))
    refuse_size (self, refused);
  return ret;
}

static gboolean
set_caps (GstSrCodec *self, GstCaps *caps)
{
  GstVideoInfo info;
  if (!gst_video_info_from_caps (&info, caps))
    return FALSE;
  /* Negotiation refuses these sizes already; caps sent without a query
   * still end here. */
  if (!gst_sr_size_limit_allows (&self->size_limit, caps)) {
    refuse_size (self, caps);
    return FALSE;
  }
  self->info = info;
  self->have_info = TRUE;
  return TRUE;
}

static gboolean
gst_sr_codec_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  GstSrCodec *self = GST_SR_CODEC (parent);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_FLUSH_START:
      self->flushing = TRUE;
      return gst_pad_event_default (pad, parent, event);
    case GST_EVENT_FLUSH_STOP:
      drop_pending (self);
      self->flushing = FALSE;
      return gst_pad_event_default (pad, parent, event);
    case GST_EVENT_CAPS:{
      /* Frames already queued finish with the caps they came with. */
      if (segment_finish (self) == GST_FLOW_ERROR) {
        gst_event_unref (event);
        return FALSE;
      }
      GstCaps *caps;
      gst_event_parse_caps (event, &caps);
      if (!set_caps (self, caps)) {
        gst_event_unref (event);
        return FALSE;
      }
      return gst_pad_push_event (self->srcpad, event);
    }
    case GST_EVENT_SEGMENT:
    case GST_EVENT_EOS:
      segment_finish (self);
      return gst_pad_push_event (self->srcpad, event);
    default:
      if (GST_EVENT_IS_SERIALIZED (event) && self->stream) {
        /* Keep its place among the frames held for the segment. */
        SrCodecItem *it = g_new0 (SrCodecItem, 1);
        it->event = event;
        g_queue_push_tail (&self->pending, it);
        return TRUE;
      }
      return gst_pad_event_default (pad, parent, event);
  }
}

static gboolean
gst_sr_codec_src_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  GstSrCodec *self = GST_SR_CODEC (parent);
  if (GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    if (!gst_pad_peer_query (self->sinkpad, query))
      return FALSE;
    /* A frame leaves once its whole segment is decoded. */
    gboolean live;
    GstClockTime min, max;
    gst_query_parse_latency (query, &live, &min, &max);
    GstClockTime extra = 0;
    if (self->have_info && GST_VIDEO_INFO_FPS_N (&self->info) > 0)
      extra = gst_util_uint64_scale (self->segment_frames,
          GST_SECOND * GST_VIDEO_INFO_FPS_D (&self->info),
          GST_VIDEO_INFO_FPS_N (&self->info));
    gst_query_set_latency (query, live, min + extra,
        GST_CLOCK_TIME_IS_VALID (max) ? max + extra : max);
    return TRUE;
  }
  return gst_sr_codec_pad_query (pad, parent, query);
}

static GstStateChangeReturn
gst_sr_codec_change_state (GstElement *element, GstStateChange transition)
{
  GstSrCodec *self = GST_SR_CODEC (element);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED) {
    if (!check_ranges (self) || !resolve_codecs (self))
      return GST_STATE_CHANGE_FAILURE;
    gboolean even = FALSE;
    for (guint i = 0; i < self->choices->len; i++)
      even |= ((const SrCodecDesc *) g_ptr_array_index (self->choices, i))->even_size;
    gst_sr_size_limit_set (&self->size_limit, even ? 2 : 0, 2);
    self->segment_index = 0;
    self->have_info = FALSE;
    self->flushing = FALSE;
  }
  GstStateChangeReturn ret =
      GST_ELEMENT_CLASS (gst_sr_codec_parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    GST_PAD_STREAM_LOCK (self->sinkpad);
    drop_pending (self);
    self->have_info = FALSE;
    GST_OBJECT_LOCK (self);
    set_size_floor_from_list (self);
    GST_OBJECT_UNLOCK (self);
    GST_PAD_STREAM_UNLOCK (self->sinkpad);
  }
  return ret;
}

static void
gst_sr_codec_set_property (GObject *object, guint prop_id, const GValue *value,
    GParamSpec *pspec)
{
  GstSrCodec *self = GST_SR_CODEC (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CODECS:
      g_free (self->codecs);
      self->codecs = g_value_dup_string (value);
      set_size_floor_from_list (self);
      break;
    case PROP_SEGMENT_FRAMES:
      self->segment_frames = g_value_get_uint (value);
      break;
    case PROP_BITRATE_MIN:
      self->bitrate_min = g_value_get_uint (value);
      break;
    case PROP_BITRATE_MAX:
      self->bitrate_max = g_value_get_uint (value);
      break;
    case PROP_QUALITY_MIN:
      self->quality_min = g_value_get_uint (value);
      break;
    case PROP_QUALITY_MAX:
      self->quality_max = g_value_get_uint (value);
      break;
    case PROP_GOP_MIN:
      self->gop_min = g_value_get_uint (value);
      break;
    case PROP_GOP_MAX:
      self->gop_max = g_value_get_uint (value);
      break;
    case PROP_SEED:
      self->seed = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_codec_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  GstSrCodec *self = GST_SR_CODEC (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_CODECS:
      g_value_set_string (value, self->codecs);
      break;
    case PROP_SEGMENT_FRAMES:
      g_value_set_uint (value, self->segment_frames);
      break;
    case PROP_BITRATE_MIN:
      g_value_set_uint (value, self->bitrate_min);
      break;
    case PROP_BITRATE_MAX:
      g_value_set_uint (value, self->bitrate_max);
      break;
    case PROP_QUALITY_MIN:
      g_value_set_uint (value, self->quality_min);
      break;
    case PROP_QUALITY_MAX:
      g_value_set_uint (value, self->quality_max);
      break;
    case PROP_GOP_MIN:
      g_value_set_uint (value, self->gop_min);
      break;
    case PROP_GOP_MAX:
      g_value_set_uint (value, self->gop_max);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_codec_finalize (GObject *object)
{
  GstSrCodec *self = GST_SR_CODEC (object);
  drop_pending (self);
  g_ptr_array_unref (self->choices);
  g_free (self->codecs);
  G_OBJECT_CLASS (gst_sr_codec_parent_class)->finalize (object);
}

static void
install_uint (GObjectClass *klass, guint id, const char *name, const char *blurb,
    guint lo, guint hi, guint def)
{
  g_object_class_install_property (klass, id, g_param_spec_uint (name, name, blurb,
          lo, hi, def, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_READY));
}

static void
gst_sr_codec_class_init (GstSrCodecClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_sr_codec_set_property;
  gobject_class->get_property = gst_sr_codec_get_property;
  gobject_class->finalize = gst_sr_codec_finalize;

  g_object_class_install_property (gobject_class, PROP_CODECS,
      g_param_spec_string ("codecs", "Codecs",
          "Comma list of encoders to draw from, one per segment with equal "
          "odds per entry (repeat a name to weight it): x264enc, vp8enc, "
          "mpeg2enc, jpegenc, avenc_mpeg2video, avenc_mpeg4; empty: every "
          "installed and working one of " GST_SR_CODECS_DEFAULT, NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  install_uint (gobject_class, PROP_SEGMENT_FRAMES, "segment-frames",
      "Frames per independently encoded segment", 1, 100000,
      DEFAULT_SEGMENT_FRAMES);
  install_uint (gobject_class, PROP_BITRATE_MIN, "bitrate-min",
      "Smallest bitrate drawn (kbit/s at the stream's frame rate, 25/1 when "
      "it has none)", 1, 2000000, DEFAULT_BITRATE_MIN);
  install_uint (gobject_class, PROP_BITRATE_MAX, "bitrate-max",
      "Largest bitrate drawn (kbit/s)", 1, 2000000, DEFAULT_BITRATE_MAX);
  install_uint (gobject_class, PROP_QUALITY_MIN, "quality-min",
      "Smallest quality drawn (jpegenc)", 0, 100, DEFAULT_QUALITY_MIN);
  install_uint (gobject_class, PROP_QUALITY_MAX, "quality-max",
      "Largest quality drawn (jpegenc)", 0, 100, DEFAULT_QUALITY_MAX);
  install_uint (gobject_class, PROP_GOP_MIN, "gop-min",
      "Smallest keyframe interval drawn (frames)", 1, 100000, DEFAULT_GOP_MIN);
  install_uint (gobject_class, PROP_GOP_MAX, "gop-max",
      "Largest keyframe interval drawn (frames)", 1, 100000, DEFAULT_GOP_MAX);
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed",
          "Seed of the per-segment parameter draws", 0, G_MAXUINT64, DEFAULT_SEED,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));

  gst_element_class_set_static_metadata (element_class,
      "SR video-codec degradation", "Filter/Effect/Video",
      "Encodes and decodes each segment of frames with a codec, bitrate or "
      "quality and GOP drawn from the seed (RealBasicVSR's video compression)",
      "gst-sr developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  element_class->change_state = gst_sr_codec_change_state;
  GST_DEBUG_CATEGORY_INIT (gst_sr_codec_debug, "srcodec", 0,
      "SR video-codec degradation");
}

static void
gst_sr_codec_init (GstSrCodec *self)
{
  self->sinkpad = gst_pad_new_from_static_template (&sink_template, "sink");
  gst_pad_set_chain_function (self->sinkpad, gst_sr_codec_chain);
  gst_pad_set_event_function (self->sinkpad, gst_sr_codec_sink_event);
  gst_pad_set_query_function (self->sinkpad, gst_sr_codec_pad_query);
  /* Output caps = input caps: caps queries pass straight through. */
  GST_PAD_SET_PROXY_CAPS (self->sinkpad);
  gst_element_add_pad (GST_ELEMENT (self), self->sinkpad);
  self->srcpad = gst_pad_new_from_static_template (&src_template, "src");
  gst_pad_set_query_function (self->srcpad, gst_sr_codec_src_query);
  GST_PAD_SET_PROXY_CAPS (self->srcpad);
  gst_element_add_pad (GST_ELEMENT (self), self->srcpad);

  self->codecs = NULL;
  set_size_floor_from_list (self);
  self->segment_frames = DEFAULT_SEGMENT_FRAMES;
  self->bitrate_min = DEFAULT_BITRATE_MIN;
  self->bitrate_max = DEFAULT_BITRATE_MAX;
  self->quality_min = DEFAULT_QUALITY_MIN;
  self->quality_max = DEFAULT_QUALITY_MAX;
  self->gop_min = DEFAULT_GOP_MIN;
  self->gop_max = DEFAULT_GOP_MAX;
  self->seed = DEFAULT_SEED;
  self->choices = g_ptr_array_new ();
  g_queue_init (&self->pending);
}
