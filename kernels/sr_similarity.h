/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Similarity op: the full-reference sums behind PSNR, SSIM and MS-SSIM
 * (spec/metrics.md sections 1-5), in double precision on the device: the
 * pictures as the metrics see them (8-bit code values, or BasicSR's Y),
 * then per channel the sum of squared differences and the mean SSIM and
 * contrast-structure (cs) terms over the valid region of a separable
 * window. The metrics themselves (PSNR from the SSE, conventions,
 * aggregation) are the caller's. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

typedef enum {
  SR_PLANES_RGB,          /* the three 8-bit code planes, R G B */
  SR_PLANES_Y_BASICSR,    /* one plane: BasicSR's Y (BT.601 limited
                           * range from the codes, its float32 chain, not
                           * rounded; spec 3.2) */
  SR_PLANES_RGB_UNIT,     /* pyiqa: the codes / 255 in float32, R G B */
  SR_PLANES_Y_YIQ,        /* pyiqa's psnry: YIQ's Y (0.299 R + 0.587 G +
                           * 0.114 B) of those, float32, in [0, 1] */
  SR_PLANES_Y_YIQ_255,    /* pyiqa's ssim: that Y times 255, rounded half
                           * to even */
} SrPlanes;

typedef enum {
  SR_WINDOW_GAUSSIAN11,   /* 11 taps, Gaussian sigma 1.5 (OpenCV's
                           * getGaussianKernel), population moments:
                           * BasicSR, MATLAB, skimage with Wang's settings */
  SR_WINDOW_UNIFORM7,     /* 7 taps of 1/7, sample moments (x 49/48):
                           * skimage's defaults */
  SR_WINDOW_NONE,         /* no window: the SSE alone (PSNR without
                           * SSIM); n_valid, ssim, cs 0 */
} SrWindow;

/* One channel's sums. */
typedef struct {
  double sse;             /* sum of squared differences */
  double ssim, cs;        /* means of the maps over the valid region */
  gint64 n;               /* values in the channel */
  gint64 n_valid;         /* windows in the valid region (0: the planes
                           * are smaller than the window; ssim, cs 0) */
} SrSimilarity;

/* The window's 1-D taps (n of them, n <= 11): cv2.getGaussianKernel (11,
 * 1.5) in double, or 1/7 each; and its covariance factor (1, or 49/48).
 * SR_WINDOW_NONE: n = 0. */
int sr_window_taps (SrWindow window, double *taps, double *cov_norm);

typedef struct SrSimilarityOp SrSimilarityOp;

/* Fails with SR_ERR_UNSUPPORTED when the device has no double precision
 * (cl_khr_fp64). */
SrSimilarityOp *sr_similarity_new (SrRuntime *rt, GError **error);
void sr_similarity_free (SrSimilarityOp *op);

/* out (f64, [1,C,H-2crop,W-2crop], C = 3 or 1 by mode) from rgb (f32,
 * [1,3,H,W] planar RGB in [0,1]): code = round half to even (clamp (x, 0,
 * 1) * 255 in float32), NaN -> 0; cropped by `crop` pixels on every side.
 * Enqueued, not waited for. */
SrStatus sr_similarity_planes (SrSimilarityOp *op, cl_command_queue q,
    const SrTensor *rgb, int crop, SrPlanes mode, SrTensor *out);

/* out (f64, [1,1,H-2crop,W-2crop]) from an 8-bit luma plane (u8,
 * [1,1,H,W]) taken as it is: for BT.601 limited-range video, whose Y is
 * BasicSR's Y of the RGB it was made from, rounded by the encoder.
 * Enqueued, not waited for. */
SrStatus sr_similarity_planes_y8 (SrSimilarityOp *op, cl_command_queue q,
    const SrTensor *y8, int crop, SrTensor *out);

/* MS-SSIM's step between scales: out (f64, [1,C,(H+1)/2,(W+1)/2]) = the
 * 2x2 block means of in. zero_pad FALSE: MATLAB's msssim.m (imfilter
 * ones (2) / 4 'symmetric', then every second sample: an odd side's last
 * block averages its edge with itself); TRUE: pytorch-msssim's avg_pool2d
 * (padding h % 2, w % 2, count_include_pad: an odd side's first block
 * averages a zero row or column in). Enqueued, not waited for. */
SrStatus sr_similarity_downsample (SrSimilarityOp *op, cl_command_queue q,
    const SrTensor *in, SrTensor *out, gboolean zero_pad);

/* Per channel of a and b (f64 planes of one shape, from
 * sr_similarity_planes): res[c] (C entries). c1, c2: SSIM's constants
 * ((0.01 L)^2, (0.03 L)^2 for the data range L); relu_cs clamps cs at 0
 * per pixel (pyiqa). Waits for the result. */
SrStatus sr_similarity_run (SrSimilarityOp *op, cl_command_queue q,
    const SrTensor *a, const SrTensor *b, SrWindow window, double c1,
    double c2, gboolean relu_cs, SrSimilarity *res);

/* sr_similarity_run on 8-bit planes as they are (u8, [1,C,H,W]: a code
 * plane, or the Y plane of BT.601 limited-range video), cropped by `crop`
 * pixels on every side: the same sums as sr_similarity_run on their
 * values in double, without those planes (equal to within the rounding
 * of double sums). Waits for the result. */
SrStatus sr_similarity_run_u8 (SrSimilarityOp *op, cl_command_queue q,
    const SrTensor *a, const SrTensor *b, int crop, SrWindow window,
    double c1, double c2, gboolean relu_cs, SrSimilarity *res);

G_END_DECLS
