/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srpairsink: writes HR/LR pairs as a BasicSR-layout dataset. */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include "gstsrpairing.h"
#include "sr_convert.h"
#include "sr_dataset.h"
#include "sr_runtime.h"

G_BEGIN_DECLS

#define GST_TYPE_SR_PAIR_SINK (gst_sr_pair_sink_get_type ())
G_DECLARE_FINAL_TYPE (GstSrPairSink, gst_sr_pair_sink, GST, SR_PAIR_SINK, GstBin)

/* layout: single frames (BasicSR's paired images) or clips (REDS). */
typedef enum {
  GST_SR_PAIR_SINK_LAYOUT_FRAMES,
  GST_SR_PAIR_SINK_LAYOUT_CLIPS,
} GstSrPairSinkLayout;

#define GST_TYPE_SR_PAIR_SINK_LAYOUT (gst_sr_pair_sink_layout_get_type ())
GType gst_sr_pair_sink_layout_get_type (void);

/* layout=clips: what the frames of the clip now arriving do. */
typedef enum {
  GST_SR_CLIP_NONE,           /* no clip yet: the next frame starts one */
  GST_SR_CLIP_WRITING,        /* the dataset's open clip */
  GST_SR_CLIP_SKIP,           /* every-n: not this clip */
  GST_SR_CLIP_SKIP_EXISTING,  /* committed by an earlier run */
  GST_SR_CLIP_SKIP_BROKEN,    /* its start was missed, or it broke off */
} GstSrClipState;

/* One input's state (what waits for a partner is in the pairing). */
typedef struct {
  const char *name;           /* "hr" or "lr" */
  int side;                   /* in the pairing: 0 hr, 1 lr */
  GstPad *pad;                /* our ghost pad */
  GstElement *sink;           /* the GstBaseSink behind it */
  GstVideoInfo info;
  gboolean have_info;
  /* Non-RGB input (YUV, gray): frames are converted on the device, as
   * srdegrade converts them (gst_sr_upload_frame into the reused tensor,
   * sr_download_packed8 to packed RGB of the same size, rgb_info, in the
   * reused host buffer rgb), and the crops, the patch filter and the PNGs
   * work on that. convert is FALSE (and rgb NULL) for RGB input. */
  gboolean convert;
  SrTensor *tensor;
  GstVideoInfo rgb_info;
  GstBuffer *rgb;
  gboolean unlocked;          /* the base sink asked render to return */
  gint64 first_us, last_us;   /* monotonic time of its first / last buffer
                               * (0: none yet), for the stall warning */
} GstSrPairInput;

struct _GstSrPairSink {
  GstBin parent;

  GstSrPairInput hr, lr;
  GstSrPairing pairing;       /* under lock */

  /* properties */
  gchar *location;
  gchar *prefix;
  guint every_n;
  guint max_pairs;
  guint patch_size;
  guint patches_per_frame;
  gdouble min_std;
  gdouble min_laplacian_var;
  guint64 seed;
  gint compression;
  gchar *device;
  guint stall_timeout;        /* seconds, 0: no stall warning */
  GstSrPairSinkLayout layout;
  guint min_clip_frames;

  /* OpenCL, opened when a non-RGB caps arrives (RGB-only pipelines need
   * none): the pipeline's shared runtime (gst.sr.opencl context), our own
   * queue and the conversion kernels. The queue and kernels are released
   * at stop, the runtime reference at finalize (as the other elements). */
  SrRuntime *runtime;
  cl_command_queue queue;
  SrConvert *convert;

  GMutex lock;                /* everything below, and the inputs */
  GCond cond;
  gchar *source;              /* where the frames come from (URI or name) */
  gchar *stem;                /* default name prefix derived from source */
  SrDataset *dataset;         /* open (and locked) from READY to PAUSED */
  gint scale;                 /* known once the first pair arrives */
  guint64 hr_frames;          /* HR frames seen */
  guint64 pairs;              /* pairs written this run */
  guint64 skipped_filtered;
  guint64 skipped_existing;
  /* layout=clips: the clip the last frame belonged to */
  GstSrClipState clip_state;
  guint64 clip_index;
  guint clip_next;            /* the clip-frame that continues it */
  gint clip_w, clip_h;        /* its HR size */
  gboolean clip_length_warned;  /* clip-length < min-clip-frames said */
  guint64 clips;              /* clips written this run */
  guint64 skipped_clip_frames;  /* in clips too short, broken or cut */
  gboolean done;              /* the dataset holds max-pairs pairs */
  gboolean summary_posted;
  gboolean eos_posted;
  gint64 last_progress_us;
  gpointer duration;          /* stream duration (ns) once known, atomic */
  gint duration_pending;      /* a duration query is on its way */
  GstClockID stall_check;     /* periodic, while PAUSED or PLAYING */
  gboolean stall_warned;
};

GST_ELEMENT_REGISTER_DECLARE (srpairsink);

G_END_DECLS
