/* Frame <-> tensor helpers shared by the video elements. */
#pragma once

#include <gst/video/video.h>
#include "sr_convert.h"

G_BEGIN_DECLS

/* The raw formats the elements accept (packed 8-bit RGB family). */
#define GST_SR_VIDEO_FORMATS "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, BGRA, ARGB, ABGR }"

/* Byte offsets of R, G, B and the fourth byte (alpha or padding, -1 for
 * 3-byte formats) of a packed format; FALSE if format is not packed RGB. */
gboolean gst_sr_packed_layout (GstVideoFormat format, SrPackedLayout *layout);

/* Describes plane 0 of a mapped frame for sr_upload_packed8. */
void gst_sr_host_frame (const GstVideoFrame *frame, SrHostFrame *out);

G_END_DECLS
