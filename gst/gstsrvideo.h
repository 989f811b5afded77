/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Frame <-> tensor helpers shared by the video elements. */
#pragma once

#include <gst/video/video.h>
#include "sr_convert.h"

G_BEGIN_DECLS

/* What every element accepts: the packed 8-bit RGB family, 8-bit YUV and
 * gray (converted on the device through the caps' colorimetry; srcodec's
 * private chain uses videoconvert). */
#define GST_SR_VIDEO_FORMATS "{ RGB, BGR, RGBx, BGRx, xRGB, xBGR, RGBA, " \
    "BGRA, ARGB, ABGR, I420, YV12, Y42B, Y444, NV12, NV21, YUY2, UYVY, YVYU, GRAY8 }"

/* Byte offsets of R, G, B and the fourth byte (alpha or padding, -1 for
 * 3-byte formats) of a packed format; FALSE if format is not packed RGB. */
gboolean gst_sr_packed_layout (GstVideoFormat format, SrPackedLayout *layout);

/* Describes plane 0 of a mapped frame for sr_upload_packed8. */
void gst_sr_host_frame (const GstVideoFrame *frame, SrHostFrame *out);

/* Describes a mapped 8-bit YUV or GRAY8 frame for sr_upload_yuv8 /
 * sr_download_yuv8: planes from the frame, Kr/Kb from its colorimetry matrix
 * (BT.601 when the matrix has none, e.g. unknown or rgb), offsets and scales
 * from its range (gst_video_color_range_offsets), siting from chroma-site.
 * FALSE if the format is not one of GST_SR_VIDEO_FORMATS' YUV/gray. */
gboolean gst_sr_yuv_frame (const GstVideoFrame *frame, SrYuvFrame *out);

/* Upload / download of any GST_SR_VIDEO_FORMATS frame: the w x h region
 * at (x0, y0) of frame into dst ([1,3,h,w]), and src back into a whole
 * frame of src's size. */
SrStatus gst_sr_upload_frame (SrConvert *op, cl_command_queue q,
    const GstVideoFrame *frame, int x0, int y0, SrTensor *dst);
SrStatus gst_sr_download_frame (SrConvert *op, cl_command_queue q,
    const SrTensor *src, GstVideoFrame *frame, SrRoundMode round_mode);

G_END_DECLS
