/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Checks shared by the ops of kernels/nn/ (private to them). */
#pragma once

#include "sr_nn.h"

#include <limits.h>

/* v is valid and its tensor is indexable with an int (the kernels count
 * work-items and elements in int). */
static inline gboolean
sr_nn_view_ok (SrView v)
{
  return sr_view_valid (v) && v.t->h > 0 && v.t->w > 0
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

/* n floats copied to a new read-only device buffer (an op's weights);
 * NULL and an error naming `what` on failure. */
cl_mem sr_nn_upload_weights (SrRuntime *rt, const float *host, size_t n,
    const char *what, GError **error);

/* A per-output-channel vector (bias, PReLU slopes; zeros for NULL),
 * padded with zeros to a whole number of blocks of `block` channels. */
cl_mem sr_nn_upload_channels (SrRuntime *rt, const float *v, int cout,
    int block, const char *what, GError **error);
