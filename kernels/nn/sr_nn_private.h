/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks shared by the ops of kernels/nn/ (private to them). */
#pragma once

#include "sr_nn.h"

#include <limits.h>

/* v is valid, stored as act (the op's storage type) and its tensor is
 * indexable with an int (the kernels count work-items and elements in
 * int). */
static inline gboolean
sr_nn_view_ok (SrView v, SrDType act)
{
  return sr_view_valid (v) && v.t->dtype == act && v.t->h > 0 && v.t->w > 0
      && (gint64) v.t->c * v.t->h * v.t->w <= INT_MAX;
}

/* TRUE when a and b share channels of one tensor: an op reading one while
 * writing the other would race unless they are the same view and every
 * work-item reads only the elements it writes. */
static inline gboolean
sr_nn_views_overlap (SrView a, SrView b)
{
  return a.t == b.t && a.c0 < b.c0 + b.c && b.c0 < a.c0 + a.c;
}

static inline gboolean
sr_nn_views_same (SrView a, SrView b)
{
  return a.t == b.t && a.c0 == b.c0 && a.c == b.c;
}

/* The kernels' row segment: one work-item writes up to this many
 * consecutive pixels of an output row. */
#define SR_NN_SEG 16

/* The global size of a kernel that writes v by row segments. */
static inline size_t
sr_nn_row_items (SrView v)
{
  return (size_t) ((v.t->w + SR_NN_SEG - 1) / SR_NN_SEG) * v.t->h * v.c;
}


/* ---- shared by the conv2d strategies (sr_nn_conv2d.c) -------------------- */

#include "sr_nn_conv2d.h"

/* A conv2d strategy's device buffers: its weights (packed its way) and the
 * bias and PReLU slopes (zeros for NULL), zero-padded to whole blocks of
 * `block` output channels. */
typedef struct {
  cl_mem wt, bias, slope;
  size_t bytes;                 /* the three's, for memory budgets */
} SrNnConvBuffers;

/* Uploads them; FALSE and an error naming `what` (the weights) or the
 * vector on failure (the caller releases what was made). */
gboolean sr_nn_conv_buffers_upload (SrNnConvBuffers *b, SrRuntime *rt,
    const float *packed, size_t n, const char *what, const float *bias,
    const float *prelu, int cout, int block, GError **error);
void sr_nn_conv_buffers_release (SrNnConvBuffers *b);

/* " -DACT_HALF" when p stores its activations as half (nn_storage.clh),
 * else "": appended to every conv2d program's build options. */
static inline const char *
sr_nn_conv2d_storage_option (const SrNnConv2dParams *p)
{
  return p->storage == SR_DTYPE_F16 ? " -DACT_HALF" : "";
}

/* The checks every conv2d strategy makes of its output and skip views
 * against p and the input's size (which it writes to *oh, *ow): sizes,
 * channels, no overlap with the input, skip the output itself or apart
 * from it. The input's channels are the caller's to check. */
gboolean sr_nn_conv2d_check_views (const SrNnConv2dParams *p, SrView in,
    SrView out, const SrView *skip, int *oh, int *ow);

/* The fused epilogue's kernel arguments, which the conv2d kernels
 * (nn_conv2d.cl, nn_winograd.cl, nn_conv2d_blocked.cl) take in the same
 * order: per call, out, out_off, oh, ow, skip, skip_off, has_skip,
 * res_scale, skip_scale from index `at`; */
cl_int sr_nn_conv2d_set_epilogue (cl_kernel k, cl_uint at,
    const SrNnConv2dParams *p, SrView out, int oh, int ow,
    const SrView *skip);
/* once, bias and slope at bias_at and bias_at + 1, and act, alpha, lo, hi
 * from act_at. */
cl_int sr_nn_conv2d_set_epilogue_consts (cl_kernel k, cl_uint bias_at,
    cl_uint act_at, cl_mem bias, cl_mem slope, const SrAct *a);
