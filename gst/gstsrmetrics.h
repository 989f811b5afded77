/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srmetrics: scores `test` against `ref` frame by frame (paired by running
 * time) as BasicSR, scikit-image or pyiqa do (PSNR, SSIM, MS-SSIM), with
 * CIEDE2000, and test's no-reference statistics; posts one message per
 * frame and a summary at EOS, optionally writes them as JSON lines or CSV;
 * `test` passes through to src unchanged. */
#pragma once

#include <gst/gst.h>
#include <gst/video/video.h>
#include "gstsrpairing.h"
#include "sr_convert.h"
#include "sr_dataset.h"
#include "sr_ciede2000.h"
#include "sr_lab.h"
#include "sr_lpips.h"
#include "sr_resample.h"
#include "sr_similarity.h"

G_BEGIN_DECLS

typedef enum {
  GST_SR_CONVENTION_BASICSR,    /* BasicSR's NumPy metrics (the default) */
  GST_SR_CONVENTION_SKIMAGE,    /* scikit-image's defaults */
  GST_SR_CONVENTION_PYIQA,      /* pyiqa's psnr(y), ssim(c), ms_ssim */
} GstSrConvention;

typedef enum {
  GST_SR_SIZE_MISMATCH_ERROR,
  GST_SR_SIZE_MISMATCH_UPSCALE_TEST,    /* test resized to ref's size */
  GST_SR_SIZE_MISMATCH_DOWNSCALE_REF,   /* ref resized to test's size */
} GstSrSizeMismatch;

#define GST_SR_METRIC_PSNR (1 << 0)
#define GST_SR_METRIC_SSIM (1 << 1)
#define GST_SR_METRIC_MS_SSIM (1 << 2)
#define GST_SR_METRIC_DELTA_E (1 << 3)
#define GST_SR_METRIC_BLOCKINESS (1 << 4)
#define GST_SR_METRIC_INFORMATIVENESS (1 << 5)
#define GST_SR_METRIC_LPIPS (1 << 6)

/* One metric's running summary. */
typedef struct {
  guint64 n;                    /* frames with a value */
  guint64 n_infinite;           /* of which +inf (PSNR of identical frames) */
  double sum_finite, min, max;
} GstSrMetricStats;

#define GST_TYPE_SR_METRICS (gst_sr_metrics_get_type ())
G_DECLARE_FINAL_TYPE (GstSrMetrics, gst_sr_metrics, GST, SR_METRICS, GstElement)

struct _GstSrMetrics {
  GstElement parent;
  GstPad *ref_pad, *test_pad, *src_pad;

  /* properties (object lock) */
  gchar *metrics;               /* comma list */
  gboolean y_only;
  guint crop_border;
  GstSrConvention convention;
  GstSrSizeMismatch on_size_mismatch;
  gchar *location;
  gboolean csv;                 /* format=csv, else JSON lines */
  gchar *device;
  gchar *lpips_weights;         /* safetensors file */

  /* from start to stop */
  guint metric_set;             /* GST_SR_METRIC_* parsed from metrics */
  SrRuntime *runtime;
  cl_command_queue queue;
  SrConvert *convert;
  SrSimilarityOp *similarity;
  SrLab *lab_op;                /* delta-e only */
  SrResample *resample;         /* on-size-mismatch */
  SrTapTable rows, cols;        /* its tables, for the last sizes */
  SrTensor *resized;
  SrCiede2000 *ciede2000;
  SrLpips *lpips;               /* lpips only */
  int lpips_w, lpips_h;         /* the size it was last planned for */
  SrTensor *lab[2];
  SrTensor *rgb[2], *y8[2], *planes[2];  /* ref, test: reused */
  SrTensor *unit[2];            /* pyiqa's PSNR planes, in [0, 1] */
  SrTensor *scored_rgb[2];      /* each side's RGB at the scored size */
  SrTensor *scales[2][4];       /* MS-SSIM's scales 2..5, reused */
  SrLineFile *out;              /* location's lines, or NULL */
  GPtrArray *columns;           /* format=csv: the field names, in order */

  GMutex lock;                  /* everything below */
  GCond cond;
  GstSrPairing pairing;         /* side 0 ref, side 1 test */
  GstVideoInfo info[2];
  gboolean have_info[2];
  GstSegment segment[2];
  gboolean flushing;
  guint64 test_frames;          /* test buffers seen */
  guint64 scored;
  double sum_mse;               /* for PSNR of the mean MSE */
  GstSrMetricStats psnr, ssim, ms_ssim, delta_e;
  GstSrMetricStats blockiness, gray_std, laplacian_var, lpips_stats;
  GArray *blockiness_values;    /* of double, for the median */
  double sum_pixels;
  guint8 *host_rgb;             /* a converted test frame, reused */
  gboolean warned_ms_ssim;      /* the too-small warnings, once each */
  gboolean warned_lpips;
  gboolean summary_posted;
};

GST_ELEMENT_REGISTER_DECLARE (srmetrics);

G_END_DECLS
