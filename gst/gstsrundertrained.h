/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srundertrained: HR video in, LR video (1/scale) out, degraded the way the
 * undertrained-reconstruction paper does (models/sr_undertrained.h): MATLAB
 * bicubic down, then a VQ-VAE-2 / VQ-VAE checkpoint trained for a few
 * epochs; with the step recorded in the GstSrDegradationMeta. */
#pragma once

#include <gst/video/gstvideofilter.h>
#include "sr_convert.h"
#include "sr_undertrained.h"
#include "gstsrframes.h"
#include "gstsrsize.h"

G_BEGIN_DECLS

typedef enum {
  GST_SR_COLOR_SHIFT_DROP,      /* the frame dropped, a GAP in its place */
  GST_SR_COLOR_SHIFT_FLAG,      /* kept, marked in the meta */
} GstSrColorShift;

#define GST_TYPE_SR_UNDERTRAINED (gst_sr_undertrained_get_type ())
G_DECLARE_FINAL_TYPE (GstSrUndertrained, gst_sr_undertrained, GST,
    SR_UNDERTRAINED, GstVideoFilter)

struct _GstSrUndertrained {
  GstVideoFilter parent;

  /* properties */
  gchar *model;
  gchar *mix;                   /* comma list, or NULL: model alone */
  int scale;
  guint64 seed;
  SrColorFix color_fix;
  double max_delta_e;           /* 0: no gate */
  GstSrColorShift on_color_shift;
  gchar *device;
  guint tile_size;
  guint64 memory_budget;

  /* runtime state, from start() to stop() */
  SrRuntime *runtime;
  cl_command_queue queue;
  SrConvert *convert;
  SrUndertrained *degrader;
  SrTensor *hr;
  SrRecord record;
  GstSrFrameCounter frames;
  GstSrSizeLimit hr_limit, lr_limit;
  guint64 dropped;
};

GST_ELEMENT_REGISTER_DECLARE (srundertrained);

G_END_DECLS
