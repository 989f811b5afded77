/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pooling and per-pixel channel normalisation:
 *   max pool: k x k window, stride s, no padding, floor output size
 *             ((H - k) / s + 1), as torch.nn.MaxPool2d (3, 2) in AlexNet;
 *   global average: one value per channel (out is C channels of 1 x 1);
 *   channel L2 normalise: x / (sqrt (sum_c x^2) + eps), as LPIPS's
 *             normalize_tensor (eps 1e-10). */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

typedef struct _SrNnPool SrNnPool;

SrNnPool *sr_nn_pool_new (SrRuntime *rt, GError **error);
void sr_nn_pool_free (SrNnPool *op);

SrStatus sr_nn_max_pool_run (SrNnPool *op, cl_command_queue q, SrView in,
    SrView out, int k, int s);
SrStatus sr_nn_global_avg_pool_run (SrNnPool *op, cl_command_queue q,
    SrView in, SrView out);
SrStatus sr_nn_l2_normalize_run (SrNnPool *op, cl_command_queue q, SrView in,
    SrView out, float eps);

G_END_DECLS
