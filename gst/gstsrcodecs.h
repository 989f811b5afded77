/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The codecs srcodec can draw from: what each needs (elements, Debian
 * package), how its rate, quality and GOP are set, its limits, and probes of
 * whether this installation can use it. GStreamer core only, so that the
 * tests can build it too and check against the same table. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

/* What `codecs` means when it is empty. */
#define GST_SR_CODECS_DEFAULT "x264enc,vp8enc,mpeg2enc,jpegenc"

typedef struct _SrCodecDesc {
  const char *encoder;        /* factory name, what `codecs` and the step name */
  const char *parse;          /* parser before the decoder, or NULL: none is
                               * needed (and the parsers are in plugins-bad) */
  const char *decoder;
  const char *package;        /* Debian package providing both */
  const char *rate_prop;      /* NULL: quality-driven (jpegenc) */
  guint rate_scale;           /* property units per kbit/s */
  const char *gop_prop;       /* NULL: all intra */
  const char *extra;          /* fixed encoder settings */
  gboolean even_size;         /* refuses odd widths or heights */
  gboolean standard_fps;      /* needs an MPEG frame rate */
  const char *gop_prop2;      /* a second property set to the GOP, or NULL */
  guint rate_max;             /* largest bitrate it takes (kbit/s), 0: any */
  guint gop_limit;            /* largest GOP it takes, 0: any */
  const char *vbv_prop;       /* rate-control buffer (kB) to widen, or NULL */
  gboolean reads_uninitialised; /* its output depends on what its fresh
                                 * heap memory held (gst_sr_codec_stream_start
                                 * then fixes that memory's contents) */
} SrCodecDesc;

/* Every codec known, in table order; *n_codecs gets their number. */
const SrCodecDesc *gst_sr_codecs (guint *n_codecs);

/* The codec whose encoder is `name`, or NULL. */
const SrCodecDesc *gst_sr_codec_lookup (const char *name);

/* TRUE when its encoder, parser (if any) and decoder are installed. */
gboolean gst_sr_codec_installed (const SrCodecDesc *d);

/* Why this installation cannot use installed codec d, or NULL: it must
 * encode and decode two small frames, and a rate-driven one must follow its
 * bitrate. Probed once per codec and process (thread-safe). */
const char *gst_sr_codec_problem (const SrCodecDesc *d);

/* "x264enc, vp8enc, ..." of the installed codecs without a problem, or
 * "none"; g_free it. */
gchar *gst_sr_codecs_usable_list (void);

G_END_DECLS
