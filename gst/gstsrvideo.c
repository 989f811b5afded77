/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsrvideo.h"

#include <string.h>

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

gboolean
gst_sr_yuv_frame (const GstVideoFrame *frame, SrYuvFrame *out)
{
  const GstVideoInfo *info = &frame->info;
  const GstVideoFormatInfo *fi = info->finfo;
  const guint nc = GST_VIDEO_FORMAT_INFO_N_COMPONENTS (fi);
  if ((!GST_VIDEO_FORMAT_INFO_IS_YUV (fi) && !GST_VIDEO_FORMAT_INFO_IS_GRAY (fi))
      || GST_VIDEO_FORMAT_INFO_BITS (fi) != 8 || GST_VIDEO_FORMAT_INFO_HAS_ALPHA (fi)
      || GST_VIDEO_FORMAT_INFO_IS_COMPLEX (fi) || GST_VIDEO_FORMAT_INFO_HAS_PALETTE (fi)
      || (nc != 1 && nc != 3) || GST_VIDEO_FORMAT_INFO_N_PLANES (fi) > 3)
    return FALSE;

  memset (out, 0, sizeof *out);
  out->n_planes = GST_VIDEO_FORMAT_INFO_N_PLANES (fi);
  for (int p = 0; p < out->n_planes; p++) {
    out->data[p] = GST_VIDEO_FRAME_PLANE_DATA (frame, p);
    out->stride[p] = GST_VIDEO_FRAME_PLANE_STRIDE (frame, p);
  }
  out->width = GST_VIDEO_FRAME_WIDTH (frame);
  out->height = GST_VIDEO_FRAME_HEIGHT (frame);
  for (guint c = 0; c < 3; c++) {
    out->comp[c].plane = c < nc ? (int) GST_VIDEO_FORMAT_INFO_PLANE (fi, c) : -1;
    out->comp[c].pstride = c < nc ? GST_VIDEO_FORMAT_INFO_PSTRIDE (fi, c) : 1;
    out->comp[c].offset = c < nc ? (int) GST_VIDEO_FORMAT_INFO_POFFSET (fi, c) : 0;
  }
  if (nc == 3) {
    out->sub_w = GST_VIDEO_FORMAT_INFO_W_SUB (fi, 1);
    out->sub_h = GST_VIDEO_FORMAT_INFO_H_SUB (fi, 1);
  }
  out->cosited_h = (info->chroma_site & GST_VIDEO_CHROMA_SITE_H_COSITED) != 0;
  out->cosited_v = (info->chroma_site & GST_VIDEO_CHROMA_SITE_V_COSITED) != 0;

  /* videoconvert applies no matrix at all when Kr/Kb are unknown (it reads
   * such YUV as RGB); gst_video_info_from_caps already replaces an unknown
   * matrix with the format's default, so this only meets odd callers, and
   * BT.601 is the common fallback (v4l2, SD video). */
  gboolean full = info->colorimetry.range == GST_VIDEO_COLOR_RANGE_0_255;
  sr_color_matrix_bt601 (&out->matrix, full);
  gst_video_color_matrix_get_Kr_Kb (info->colorimetry.matrix, &out->matrix.kr,
      &out->matrix.kb);
  gint offset[4], scale[4];
  gst_video_color_range_offsets (info->colorimetry.range, fi, offset, scale);
  out->matrix.y_offset = offset[0];
  out->matrix.y_scale = scale[0];
  if (nc == 3) {
    out->matrix.c_offset = offset[1];
    out->matrix.c_scale = scale[1];
  }
  return TRUE;
}

SrStatus
gst_sr_upload_frame (SrConvert *op, cl_command_queue q,
    const GstVideoFrame *frame, int x0, int y0, SrTensor *dst)
{
  SrHostFrame host;
  SrYuvFrame yuv;
  if (gst_sr_yuv_frame (frame, &yuv))
    return sr_upload_yuv8 (op, q, &yuv, x0, y0, dst);
  if (!gst_sr_packed_layout (GST_VIDEO_FRAME_FORMAT (frame), &host.layout))
    return SR_ERR_INVALID_ARGUMENT;
  gst_sr_host_frame (frame, &host);
  return sr_upload_packed8 (op, q, &host, x0, y0, dst);
}

SrStatus
gst_sr_download_frame (SrConvert *op, cl_command_queue q, const SrTensor *src,
    GstVideoFrame *frame, SrRoundMode round_mode)
{
  SrPackedLayout layout;
  SrYuvFrame yuv;
  if (gst_sr_yuv_frame (frame, &yuv))
    return sr_download_yuv8 (op, q, src, &yuv, round_mode);
  if (!gst_sr_packed_layout (GST_VIDEO_FRAME_FORMAT (frame), &layout))
    return SR_ERR_INVALID_ARGUMENT;
  return sr_download_packed8 (op, q, src, GST_VIDEO_FRAME_PLANE_DATA (frame, 0),
      GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0), &layout, round_mode);
}
