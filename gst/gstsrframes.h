/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GstSrFrameCounter: the source frame index of each buffer, as the
 * degrading elements record it (`frame` in the sr-degradation meta).
 * Frames are counted from the first one of each segment, whose index comes
 * from its timestamp (so seeks and shards keep true indices); a GAP stands
 * for frames upstream dropped, which keep their indices. Counting rather
 * than converting every timestamp matters on real files: Debian's
 * mpeg4videoparse gives Megamind.avi's packed B-frames duplicate
 * timestamps (...21, 21, 23...), which would name two frames 21 and none
 * 22. */
#pragma once

#include <gst/video/video.h>

G_BEGIN_DECLS

typedef struct {
  guint64 next;                 /* index of the next frame */
  gboolean base_pending;        /* a segment began: re-derive next */
} GstSrFrameCounter;

/* At start: the next frame's index comes from its timestamp. */
void gst_sr_frame_counter_reset (GstSrFrameCounter *fc);

/* The index of buf, a frame of a stream described by info. */
guint64 gst_sr_frame_counter_next (GstSrFrameCounter *fc,
    const GstVideoInfo *info, GstBuffer *buf);

/* Call with every sink event (SEGMENT, FLUSH_STOP, GAP matter). */
void gst_sr_frame_counter_event (GstSrFrameCounter *fc,
    const GstVideoInfo *info, GstEvent *event);

/* What an element that holds frames back (srcodec's segments, srdegrade's
 * clips) keeps of each input buffer to give its output: timestamps,
 * offsets and flags. */
typedef struct {
  GstClockTime pts, dts, duration;
  guint64 offset, offset_end;
  GstBufferFlags flags;
} GstSrBufferStamp;

void gst_sr_buffer_stamp_save (GstSrBufferStamp *stamp, const GstBuffer *buf);
void gst_sr_buffer_stamp_apply (const GstSrBufferStamp *stamp, GstBuffer *buf);

G_END_DECLS
