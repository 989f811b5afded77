/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* One private encode + decode stream through a real GStreamer codec: the
 * machinery of srcodec, shared with srdegrade's realbasicvsr preset (its
 * RandomVideoCompression steps). Frames go in through an appsrc, are
 * converted to I420 BT.601 limited range (PyAV's default, as mmagic uses
 * it), encoded, decoded and converted back to the input's format, size and
 * colour description; the decoded frames come back in input order. */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include "gstsrcodecs.h"

G_BEGIN_DECLS

typedef struct _GstSrCodecStream GstSrCodecStream;

/* The settings of one stream: bitrate (kbit/s) for a rate-driven codec,
 * quality for the others (jpegenc), GOP where the codec has one. */
typedef struct {
  guint bitrate, quality, gop;
  gint fps_n, fps_d;                    /* the stream's frame rate */
  /* NULL, or encoder properties (gst-launch syntax) that replace the rate
   * control above: e.g. "pass=quant quantizer=7.5" */
  const char *rate_override;
} GstSrCodecSettings;

/* Starts d's chain for frames laid out as info. NULL with error when it
 * cannot be built or started. */
GstSrCodecStream *gst_sr_codec_stream_start (const SrCodecDesc *d,
    const GstVideoInfo *info, const GstSrCodecSettings *settings,
    GError **error);

/* Feeds the next frame: a copy restamped on the stream's clock (buf is not
 * taken; I420 is copied deep, since the private converter may pass it
 * through to an encoder that holds frames until the end). */
gboolean gst_sr_codec_stream_push (GstSrCodecStream *s, GstBuffer *buf,
    GError **error);

/* Frames pushed so far. */
guint gst_sr_codec_stream_frames (const GstSrCodecStream *s);

/* The running time of frame k on the stream's clock. */
GstClockTime gst_sr_codec_stream_frame_time (const GstSrCodecStream *s,
    guint64 k);

/* Ends the input and waits for the decoded frames: decoded[k] for every
 * frame pushed (NULL where the decoder returned none; unref the others),
 * laid out as *dinfo. Polls *cancel between waits and returns FALSE
 * without an error when it is set; FALSE with an error on a failure of the
 * chain. */
gboolean gst_sr_codec_stream_finish (GstSrCodecStream *s, GstBuffer **decoded,
    GstVideoInfo *dinfo, const gboolean *cancel, GError **error);

/* Bytes the encoder has produced so far (all of them after finish). */
guint64 gst_sr_codec_stream_encoded_bytes (const GstSrCodecStream *s);

void gst_sr_codec_stream_free (GstSrCodecStream *s);

G_END_DECLS
