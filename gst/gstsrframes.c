/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsrframes.h"

void
gst_sr_frame_counter_reset (GstSrFrameCounter *fc)
{
  fc->next = 0;
  fc->base_pending = TRUE;
}

guint64
gst_sr_frame_counter_next (GstSrFrameCounter *fc, const GstVideoInfo *info,
    GstBuffer *buf)
{
  if (fc->base_pending) {
    fc->base_pending = FALSE;
    if (GST_BUFFER_PTS_IS_VALID (buf) && info->fps_n > 0 && info->fps_d > 0)
      fc->next = gst_util_uint64_scale_round (GST_BUFFER_PTS (buf),
          info->fps_n, (guint64) info->fps_d * GST_SECOND);
  }
  return fc->next++;
}

void
gst_sr_frame_counter_event (GstSrFrameCounter *fc, const GstVideoInfo *info,
    GstEvent *event)
{
  GstClockTime ts, dur;
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_SEGMENT:
    case GST_EVENT_FLUSH_STOP:
      fc->base_pending = TRUE;
      break;
    case GST_EVENT_GAP:
      gst_event_parse_gap (event, &ts, &dur);
      if (!fc->base_pending && info->fps_n > 0 && info->fps_d > 0)
        fc->next += MAX (1, GST_CLOCK_TIME_IS_VALID (dur)
            ? gst_util_uint64_scale_round (dur, info->fps_n,
                (guint64) info->fps_d * GST_SECOND) : 1);
      break;
    default:
      break;
  }
}

void
gst_sr_buffer_stamp_save (GstSrBufferStamp *stamp, const GstBuffer *buf)
{
  stamp->pts = GST_BUFFER_PTS (buf);
  stamp->dts = GST_BUFFER_DTS (buf);
  stamp->duration = GST_BUFFER_DURATION (buf);
  stamp->offset = GST_BUFFER_OFFSET (buf);
  stamp->offset_end = GST_BUFFER_OFFSET_END (buf);
  stamp->flags = GST_BUFFER_FLAGS (buf);
}

void
gst_sr_buffer_stamp_apply (const GstSrBufferStamp *stamp, GstBuffer *buf)
{
  GST_BUFFER_PTS (buf) = stamp->pts;
  GST_BUFFER_DTS (buf) = stamp->dts;
  GST_BUFFER_DURATION (buf) = stamp->duration;
  GST_BUFFER_OFFSET (buf) = stamp->offset;
  GST_BUFFER_OFFSET_END (buf) = stamp->offset_end;
  GST_BUFFER_FLAGS (buf) = stamp->flags;
}
