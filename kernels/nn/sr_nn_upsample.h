/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Upsampling by an integer factor s (PyTorch F.interpolate with
 * scale_factor s, TF UpSampling2D):
 *   NEAREST:  out (y, x) = in (y / s, x / s)   (integer division)
 *   BILINEAR: align_corners = False: source coordinate (d + 0.5) / s - 0.5,
 *             clamped at 0, neighbours clamped to the last row/column. */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

typedef enum {
  SR_UPSAMPLE_NEAREST,
  SR_UPSAMPLE_BILINEAR,
} SrUpsampleMode;

typedef struct _SrNnUpsample SrNnUpsample;

SrNnUpsample *sr_nn_upsample_new (SrRuntime *rt, SrDType act, GError **error);
void sr_nn_upsample_free (SrNnUpsample *op);

/* in: C channels of H x W; out: C channels of sH x sW. */
SrStatus sr_nn_upsample_run (SrNnUpsample *op, cl_command_queue q, SrView in,
    SrView out, int s, SrUpsampleMode mode);

G_END_DECLS
