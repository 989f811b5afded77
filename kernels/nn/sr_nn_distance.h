/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Weighted squared distance between two feature maps: the sum over every
 * pixel and channel of weight[c] (a - b)^2. With unit-normalised features
 * and LPIPS's linear-layer weights, that sum / (H W) is one layer's term of
 * LPIPS (spec/metrics.md 9.1, steps 5-6). Float32 per row, the rows added
 * in double. */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

typedef struct _SrNnDistance SrNnDistance;

SrNnDistance *sr_nn_distance_new (SrRuntime *rt, GError **error);
void sr_nn_distance_free (SrNnDistance *op);

/* a and b: float32 views of one shape; weight: float32, a.c values.
 * Waits for the result. */
SrStatus sr_nn_weighted_sq_distance (SrNnDistance *op, cl_command_queue q,
    SrView a, SrView b, const SrTensor *weight, double *sum);

G_END_DECLS
