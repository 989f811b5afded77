/* Resize op: separable resampling through tap tables, with the tables of
 * each upstream semantics computed on the host exactly as upstream does
 * (spec/degradations.md A.2, A.3, B.6). */
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
