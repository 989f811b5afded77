/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Resize op: separable resampling through tap tables, with the tables of
 * each upstream semantics computed on the host exactly as upstream does
 * (BasicSR matlab_functions.py imresize, aten UpSample*.cpp, OpenCV
 * imgproc/src/resize.cpp). */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

/* One axis: output sample o = sum_k weight[o*taps+k] * in[index[o*taps+k]];
 * indices are already inside [0, in_len). */
typedef struct {
  int in_len, out_len, taps;
  int *index;
  float *weight;
} SrTapTable;

void sr_tap_table_clear (SrTapTable *t);

/* MATLAB imresize bicubic as BasicSR's calculate_weights_indices: Keys
 * a=-0.5, kernel widened by 1/scale when antialiasing a downscale,
 * half-sample symmetric borders, float32 arithmetic. */
void sr_taps_matlab_bicubic (SrTapTable *t, int in_len, int out_len,
    double scale, gboolean antialias);

/* MATLAB's output length: ceil(in_len * scale). */
int sr_matlab_out_len (int in_len, double scale);

/* Lanczos-3 as Pillow's Image.resize(..., Image.LANCZOS) computes its
 * coefficients (libImaging/Resample.c, precompute_coeffs): output sample o
 * centred at (o + 0.5) * in/out, kernel sinc(x) sinc(x/3) on [-3, 3)
 * widened by in/out when shrinking, taps cut at the borders (not padded)
 * and the rest renormalised; coefficients in double, stored as float.
 * (OpenCV's INTER_LANCZOS4 is another kernel: 8 taps, a = 4.) */
void sr_taps_pil_lanczos3 (SrTapTable *t, int in_len, int out_len);

typedef enum {
  SR_RESIZE_NEAREST,
  SR_RESIZE_BILINEAR,
  SR_RESIZE_BICUBIC,
  SR_RESIZE_AREA,
} SrResizeMode;

/* PyTorch F.interpolate with align_corners=False, antialias=False:
 * BILINEAR, BICUBIC (A=-0.75) and AREA (adaptive_avg_pool2d windows).
 * scale_factor > 0 is the scale_factor path (ratio = (float) (1 / s); out_len
 * must then be sr_torch_out_len); 0 is the size path (ratio in/out). AREA
 * ignores scale_factor as interpolate does. Returns FALSE for NEAREST,
 * which no preset uses through PyTorch's semantics. */
gboolean sr_taps_torch (SrTapTable *t, SrResizeMode mode, int in_len,
    int out_len, double scale_factor);

/* interpolate's output length for scale_factor s: int(in_len * s) in double
 * (AREA: floor, the same for s > 0). */
int sr_torch_out_len (int in_len, double s, SrResizeMode mode);

/* OpenCV cv2.resize on float32 (imgproc/src/resize.cpp), one axis, scale = in/out:
 * NEAREST, BILINEAR (INTER_LINEAR), BICUBIC (INTER_CUBIC, A=-0.75) and AREA
 * (INTER_AREA: fractional coverage when shrinking, OpenCV's bilinear-like
 * rule when enlarging). Equal sizes give an identity copy. */
gboolean sr_taps_opencv (SrTapTable *t, SrResizeMode mode, int in_len,
    int out_len);

/* Both axes of cv2.resize. Only INTER_AREA needs it: when one axis shrinks
 * and the other enlarges, cv::resize applies the enlarging rule to both
 * (measured with OpenCV 4.6), which sr_taps_opencv cannot know. */
gboolean sr_taps_opencv_2d (SrTapTable *rows, SrTapTable *cols,
    SrResizeMode mode, int in_h, int in_w, int out_h, int out_w);

typedef struct SrResample SrResample;

SrResample *sr_resample_new (SrRuntime *rt, GError **error);
void sr_resample_free (SrResample *op);

/* dst = src resized by the given row (height) and column (width) tables,
 * rows first as BasicSR/MATLAB do. src is [N,C,rows->in_len,cols->in_len];
 * dst must be [N,C,rows->out_len,cols->out_len]. Tables are uploaded once
 * and cached by content. */
SrStatus sr_resample_run (SrResample *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, const SrTapTable *rows,
    const SrTapTable *cols);

G_END_DECLS
