/* srdegrade: HR video in, degraded LR video (1/scale) out, with the
 * sampled parameters of every frame in a GstSrDegradationMeta. */
#pragma once

#include <gst/video/gstvideofilter.h>
#include "sr_degrade.h"
#include "sr_convert.h"

G_BEGIN_DECLS

#define GST_TYPE_SR_DEGRADE (gst_sr_degrade_get_type ())
G_DECLARE_FINAL_TYPE (GstSrDegrade, gst_sr_degrade, GST, SR_DEGRADE, GstVideoFilter)

struct _GstSrDegrade {
  GstVideoFilter parent;

  /* properties */
  SrDegradeConfig config;
  gchar *device;

  /* runtime state, from start() to stop() */
  SrRuntime *runtime;         /* shared through gst.sr.opencl */
  cl_command_queue queue;
  SrConvert *convert;
  SrDegrader *degrader;
  SrTensor *hr;
  SrRecord record;
  guint64 frames_seen;
};

GST_ELEMENT_REGISTER_DECLARE (srdegrade);

G_END_DECLS
