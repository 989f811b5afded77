/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srupscale: live super-resolution with pretrained networks. Video in,
 * the same format at scale x the size out; the network runs on the
 * pipeline's OpenCL device through the graph executor (models/nn/), in
 * tiles when a frame would need more memory than `memory-budget`.
 * model=bicubic and model=lanczos are non-learned baselines through the
 * resample op. Alpha bypasses the network: bicubic (MATLAB imresize). */
#pragma once

#include <gst/video/gstvideofilter.h>
#include "sr_convert.h"
#include "sr_tiled.h"
#include "sr_resample.h"

G_BEGIN_DECLS

typedef enum {
  GST_SR_UPSCALE_LEARNED,       /* a network: graph / executor */
  GST_SR_UPSCALE_BICUBIC,       /* MATLAB imresize bicubic */
  GST_SR_UPSCALE_LANCZOS,       /* Pillow's Lanczos-3 */
} GstSrUpscaleBaseline;

/* `precision`: how the network's values between layers are stored. */
typedef enum {
  GST_SR_PRECISION_FP32,
  GST_SR_PRECISION_FP16,        /* half storage, float32 arithmetic */
} GstSrPrecision;

/* A frame whose upload, network and download are enqueued on the device
 * (frames-in-flight). */
typedef struct {
  GstBuffer *in, *out;
  GstVideoFrame in_frame, out_frame;
  cl_event done;                /* its last copy to the host; NULL: done */
  gint64 arrived;               /* monotonic microseconds */
} GstSrUpscaleFrame;

#define GST_SR_UPSCALE_MAX_IN_FLIGHT 4

#define GST_TYPE_SR_UPSCALE (gst_sr_upscale_get_type ())
G_DECLARE_FINAL_TYPE (GstSrUpscale, gst_sr_upscale, GST, SR_UPSCALE, GstVideoFilter)

struct _GstSrUpscale {
  GstVideoFilter parent;

  /* properties */
  gchar *model;
  gchar *device;
  guint tile_size;              /* input pixels per tile side; 0: automatic */
  gint tile_overlap;            /* input pixels; -1: automatic */
  guint64 memory_budget;        /* bytes of device memory for the network */
  int scale_prop;               /* `scale`: 0 takes the model's */
  GstSrPrecision precision;
  guint frames_in_flight;       /* frames on the device at once */

  /* the network, loaded when first needed after `model` is set (its scale
   * drives the caps, before the device is opened) */
  gboolean model_loaded;        /* graph, model_error, scale reflect `model` */
  SrGraph *graph;
  GError *model_error;          /* why it could not be loaded, posted at start */
  int scale;                    /* 0 until a model is loaded */
  GstSrUpscaleBaseline baseline;  /* a non-learned model= instead of graph */
  gboolean settings_error;      /* model_error is about `scale`, not a file */

  /* runtime state, from start() to stop() */
  SrRuntime *runtime;
  cl_command_queue queue;       /* the kernels */
  cl_command_queue transfer;    /* the copies to and from the host */
  /* enqueued frames: a ring of n_in_flight from in_flight[first] */
  GstSrUpscaleFrame in_flight[GST_SR_UPSCALE_MAX_IN_FLIGHT];
  guint first, n_in_flight;
  SrConvert *convert;
  SrTiled *tiled;               /* the network on whole frames: padding to
                                 * its multiple, tiles under the budget */
  SrTensor *frame_in, *frame_out;
  GstClockTime latency;         /* the slowest frame so far, as reported */
  /* baselines and alpha: the resample op and its tables */
  SrResample *resample;
  SrTapTable rows, cols;        /* the baseline's, colour */
  SrTapTable alpha_rows, alpha_cols;  /* bicubic, alpha */
  SrTensor *alpha_in, *alpha_out;     /* [1,1,h,w], [1,1,h*s,w*s]; NULL: no alpha */
  float *alpha_host;            /* h*s x w*s floats */
};

GST_ELEMENT_REGISTER_DECLARE (srupscale);

G_END_DECLS
