/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srusm: unsharp mask (BasicSR USMSharp) as its own element, placed before
 * the tee so that HR and LR both derive from the sharpened frame
 * (Real-ESRGAN's sharpened targets). */
#pragma once

#include <gst/video/gstvideofilter.h>
#include "gstsrsize.h"
#include "sr_convert.h"
#include "sr_record.h"
#include "sr_usm.h"

G_BEGIN_DECLS

#define GST_TYPE_SR_USM (gst_sr_usm_get_type ())
G_DECLARE_FINAL_TYPE (GstSrUsm, gst_sr_usm, GST, SR_USM, GstVideoFilter)

struct _GstSrUsm {
  GstVideoFilter parent;

  /* properties */
  gdouble weight;
  gint radius;
  gdouble sigma;
  gdouble threshold;
  gchar *device;

  SrRuntime *runtime;
  cl_command_queue queue;
  SrConvert *convert;
  SrUsm *usm;
  SrTensor *in, *out;
  SrRecord record;
  GstSrSizeLimit limit;       /* the kernel's floor, from start() */
};

GST_ELEMENT_REGISTER_DECLARE (srusm);

G_END_DECLS
