/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srdegrade: HR video in, degraded LR video (1/scale) out, with the
 * sampled parameters of every frame in a GstSrDegradationMeta. */
#pragma once

#include <gst/video/gstvideofilter.h>
#include "sr_degrade.h"
#include "sr_convert.h"
#include "gstsrframes.h"
#include "gstsrsize.h"

G_BEGIN_DECLS

/* String properties that override one key of the custom config. */
#define GST_SR_DEGRADE_N_CUSTOM 17
/* Luma histogram bins of the scene-cut detector. */
#define GST_SR_DEGRADE_SCENE_BINS 64

#define GST_TYPE_SR_DEGRADE (gst_sr_degrade_get_type ())
G_DECLARE_FINAL_TYPE (GstSrDegrade, gst_sr_degrade, GST, SR_DEGRADE, GstVideoFilter)

struct _GstSrDegrade {
  GstVideoFilter parent;

  /* properties */
  SrDegradeConfig config;
  gchar *device;
  /* preset=custom: a config file and per-key overrides, applied at start */
  gchar *config_path;
  int stages;                 /* 0: from the file (or 2) */
  gchar *custom[GST_SR_DEGRADE_N_CUSTOM];

  /* runtime state, from start() to stop() */
  SrRuntime *runtime;         /* shared through gst.sr.opencl */
  cl_command_queue queue;
  SrConvert *convert;
  SrDegrader *degrader;
  SrTensor *hr;
  SrRecord record;
  GstSrFrameCounter frames;
  /* realbasicvsr: the clip being gathered (GstSrClipFrame), its index
   * (clips counted from 0), the scene-cut threshold (property) and the
   * previous frame's luma histogram */
  GQueue clip;
  guint64 clip_index;
  double scene_cut;
  double hist[GST_SR_DEGRADE_SCENE_BINS];
  gboolean have_hist;
  GstSrSizeLimit hr_limit, lr_limit;  /* the preset's floor, from start() */
};

GST_ELEMENT_REGISTER_DECLARE (srdegrade);

G_END_DECLS
