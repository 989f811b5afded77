#include "gstsrvideo.h"

gboolean
gst_sr_packed_layout (GstVideoFormat format, SrPackedLayout *l)
{
  const GstVideoFormatInfo *fi = gst_video_format_get_info (format);
  if (!fi || !GST_VIDEO_FORMAT_INFO_IS_RGB (fi) || GST_VIDEO_FORMAT_INFO_BITS (fi) != 8
      || GST_VIDEO_FORMAT_INFO_N_PLANES (fi) != 1)
    return FALSE;
  l->pixel_stride = GST_VIDEO_FORMAT_INFO_PSTRIDE (fi, 0);
  l->r = GST_VIDEO_FORMAT_INFO_POFFSET (fi, GST_VIDEO_COMP_R);
  l->g = GST_VIDEO_FORMAT_INFO_POFFSET (fi, GST_VIDEO_COMP_G);
  l->b = GST_VIDEO_FORMAT_INFO_POFFSET (fi, GST_VIDEO_COMP_B);
  l->a = -1;
  if (l->pixel_stride == 4)     /* alpha or padding byte: written as 255 */
    l->a = 6 - l->r - l->g - l->b;
  else if (l->pixel_stride != 3)
    return FALSE;
  return TRUE;
}

void
gst_sr_host_frame (const GstVideoFrame *frame, SrHostFrame *out)
{
  out->data = GST_VIDEO_FRAME_PLANE_DATA (frame, 0);
  out->width = GST_VIDEO_FRAME_WIDTH (frame);
  out->height = GST_VIDEO_FRAME_HEIGHT (frame);
  out->stride = GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0);
  gst_sr_packed_layout (GST_VIDEO_FRAME_FORMAT (frame), &out->layout);
}
