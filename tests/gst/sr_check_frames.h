/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Whole frames out of pipelines (appsink) and compared, for the element
 * tests that check one branch against another. */
#pragma once

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include <math.h>
#include "sr_check_util.h"

static inline GstSample *
sr_check_pull (GstElement *p, const char *name)
{
  GstElement *sink = gst_bin_get_by_name (GST_BIN (p), name);
  GstSample *s = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 60 * GST_SECOND);
  gst_object_unref (sink);
  return s;
}

/* PSNR over all components of two 8-bit frames of the same caps. */
static inline double
sr_check_frames_psnr (GstSample *a, GstSample *b)
{
  GstVideoInfo ai, bi;
  GstVideoFrame af, bf;
  fail_unless (gst_video_info_from_caps (&ai, gst_sample_get_caps (a)));
  fail_unless (gst_video_info_from_caps (&bi, gst_sample_get_caps (b)));
  fail_unless (GST_VIDEO_INFO_FORMAT (&ai) == GST_VIDEO_INFO_FORMAT (&bi)
      && ai.width == bi.width && ai.height == bi.height);
  fail_unless (gst_video_frame_map (&af, &ai, gst_sample_get_buffer (a), GST_MAP_READ));
  fail_unless (gst_video_frame_map (&bf, &bi, gst_sample_get_buffer (b), GST_MAP_READ));
  double sse = 0, n = 0;
  for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS (&af); c++) {
    const int w = GST_VIDEO_FRAME_COMP_WIDTH (&af, c);
    const int h = GST_VIDEO_FRAME_COMP_HEIGHT (&af, c);
    const int ps = GST_VIDEO_FRAME_COMP_PSTRIDE (&af, c);
    for (int y = 0; y < h; y++) {
      const guint8 *pa = GST_VIDEO_FRAME_COMP_DATA (&af, c)
          + y * GST_VIDEO_FRAME_COMP_STRIDE (&af, c);
      const guint8 *pb = GST_VIDEO_FRAME_COMP_DATA (&bf, c)
          + y * GST_VIDEO_FRAME_COMP_STRIDE (&bf, c);
      for (int x = 0; x < w; x++) {
        const double d = (double) pa[x * ps] - pb[x * ps];
        sse += d * d;
      }
      n += w;
    }
  }
  gst_video_frame_unmap (&af);
  gst_video_frame_unmap (&bf);
  return sse > 0 ? 10 * log10 (255.0 * 255.0 * n / sse) : INFINITY;
}

/* One frame from `source` (caps `in`), split: `ref` and `got` are the two
 * branches' elements, both ending in caps `out`. */
static inline double
sr_check_run_branches (const char *source, const char *in, const char *ref,
    const char *got, const char *out)
{
  gchar *desc = g_strdup_printf ("%s ! %s ! tee name=t "
      "t. ! queue ! %s ! %s ! appsink name=ref sync=false "
      "t. ! queue ! %s ! %s ! appsink name=got sync=false",
      source, in, ref, out, got, out);
  GError *err = NULL;
  GstElement *p = gst_parse_launch (desc, &err);
  fail_unless (p != NULL, "parse: %s", err ? err->message : "?");
  fail_unless (gst_element_set_state (p, GST_STATE_PLAYING) != GST_STATE_CHANGE_FAILURE);
  GstSample *r = sr_check_pull (p, "ref"), *g = sr_check_pull (p, "got");
  fail_unless (r && g, "%s: no frame", desc);
  const double psnr = sr_check_frames_psnr (r, g);
  g_print ("# %s -> %s: %s vs %s: PSNR %.2f dB\n", in, out, got, ref, psnr);
  gst_sample_unref (r);
  gst_sample_unref (g);
  gst_element_set_state (p, GST_STATE_NULL);
  gst_object_unref (p);
  g_free (desc);
  return psnr;
}

