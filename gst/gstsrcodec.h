/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srcodec: video-codec degradation (RealBasicVSR's
 * RandomVideoCompression in mmagic, done with GStreamer encoders). Each segment of
 * `segment-frames` frames is encoded and decoded as one independent stream
 * with a codec, bitrate or quality and GOP drawn from the seed. */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include "gstsrcodecs.h"
#include "gstsrcodecstream.h"
#include "gstsrsize.h"

G_BEGIN_DECLS

#define GST_TYPE_SR_CODEC (gst_sr_codec_get_type ())
G_DECLARE_FINAL_TYPE (GstSrCodec, gst_sr_codec, GST, SR_CODEC, GstElement)

struct _GstSrCodec {
  GstElement parent;
  GstPad *sinkpad, *srcpad;

  /* properties */
  gchar *codecs;
  guint segment_frames;
  guint bitrate_min, bitrate_max;       /* kbit/s */
  guint quality_min, quality_max;
  guint gop_min, gop_max;
  guint64 seed;

  /* resolved at READY->PAUSED: the codecs to draw from (repeats weight) */
  GPtrArray *choices;                   /* of const SrCodecDesc * */
  GstSrSizeLimit size_limit;            /* even sizes when a choice needs them */

  /* streaming state, under the stream lock */
  GstVideoInfo info;
  gboolean have_info;
  guint64 segment_index;                /* next segment to start */
  GstSrCodecStream *stream;             /* the running segment, or NULL */
  const SrCodecDesc *desc;
  GstSrCodecSettings settings;          /* the running segment's draws */
  GQueue pending;                       /* SrCodecItem: frames and events */
  gboolean flushing;
};

GST_ELEMENT_REGISTER_DECLARE (srcodec);

G_END_DECLS
