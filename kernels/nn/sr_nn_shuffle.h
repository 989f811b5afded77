/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pixel shuffle (depth to space) in both channel orders, and PyTorch's
 * pixel unshuffle. For factor r, C output channels, output pixel
 * (r*h + i, r*w + j) of channel c takes input channel
 *   CRD (PyTorch pixel_shuffle):           c*r*r + i*r + j
 *   DCR (TensorFlow depth_to_space, NHWC):  (i*r + j)*C + c
 * Unshuffle is the inverse of CRD: output channel c*r*r + i*r + j takes
 * in (c, r*h + i, r*w + j). */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

typedef enum {
  SR_SHUFFLE_CRD,
  SR_SHUFFLE_DCR,
} SrShuffleOrder;

typedef struct _SrNnShuffle SrNnShuffle;

SrNnShuffle *sr_nn_shuffle_new (SrRuntime *rt, SrDType act, GError **error);
void sr_nn_shuffle_free (SrNnShuffle *op);

/* in: C*r*r channels of H x W; out: C channels of rH x rW. */
SrStatus sr_nn_pixel_shuffle_run (SrNnShuffle *op, cl_command_queue q,
    SrView in, SrView out, int r, SrShuffleOrder order);
/* in: C channels of rH x rW; out: C*r*r channels of H x W. */
SrStatus sr_nn_pixel_unshuffle_run (SrNnShuffle *op, cl_command_queue q,
    SrView in, SrView out, int r);

G_END_DECLS
