/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Frame-size floors of the video elements, enforced at caps negotiation.
 *
 * A frame an element cannot process is refused while the caps are chosen:
 * transform_caps and the caps queries leave out the sizes below the floor
 * (so a flexible upstream picks a size that works), and when the offered
 * size is the only reason negotiation fails, the element posts one error
 * naming that size and the floor. Refusing later (in set_caps) would repeat
 * at every re-sent caps event and leave the pipeline to the EOS that
 * follows the source's own not-negotiated error. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct {
  gint min;                   /* smallest width and height; 0: no floor */
  gint step;                  /* 1, or 2: even sizes only */
  gint refused;               /* the error was posted (atomic) */
} GstSrSizeLimit;

/* Sets the floor (when the element starts) and re-arms the error; min 0
 * lifts it (when it stops). */
void gst_sr_size_limit_set (GstSrSizeLimit *lim, gint min, gint step);

/* caps (taken) with every width and height narrowed to what lim allows;
 * structures left with none are dropped. */
GstCaps *gst_sr_size_limit_apply (const GstSrSizeLimit *lim, GstCaps *caps);

/* TRUE if some structure of caps has a size lim allows. */
gboolean gst_sr_size_limit_allows (const GstSrSizeLimit *lim, const GstCaps *caps);

/* When `query` (answered already) is a caps or accept-caps query that
 * failed only because of the size it offered: the offered caps (owned by the
 * query); else NULL. */
GstCaps *gst_sr_size_limit_refused (const GstSrSizeLimit *lim, GstQuery *query);

/* TRUE the first time it is called after gst_sr_size_limit_set: whoever
 * gets TRUE posts the error, so a pipeline fails once. */
gboolean gst_sr_size_limit_first_refusal (GstSrSizeLimit *lim);

/* The caps across an element that scales frames by s: enlarge FALSE for HR
 * in, LR of 1/s the size out (srdegrade, srundertrained: mod-crop to a
 * multiple of s, then divide), TRUE for x s out (srupscale). dir
 * GST_PAD_SINK maps input caps to output caps, GST_PAD_SRC output caps back
 * to every input size that gives them; a structure with no such size is
 * left out. The same formats first, then any format (upload and download
 * convert on the device). Returns new caps. */
GstCaps *gst_sr_scale_caps (GstCaps *caps, int s, gboolean enlarge,
    GstPadDirection dir);

/* "WxH" of caps' first structure ("[1, 20]x64" for ranges); g_free it. */
gchar *gst_sr_caps_size_string (const GstCaps *caps);

G_END_DECLS
