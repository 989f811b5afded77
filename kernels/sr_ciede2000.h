/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CIEDE2000 op: the colour difference of two CIELAB pictures per pixel
 * (kL = kC = kH = 1), step for step as scikit-image's deltaE_ciede2000
 * (spec/metrics.md 6.2), in double precision, and its mean. Fed Lab
 * directly (sr_lab.h makes it from RGB), so the published test pairs go
 * straight in. Needs cl_khr_fp64. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

typedef struct SrCiede2000 SrCiede2000;

/* Fails with SR_ERR_UNSUPPORTED without double precision. */
SrCiede2000 *sr_ciede2000_new (SrRuntime *rt, GError **error);
void sr_ciede2000_free (SrCiede2000 *op);

/* map (f64 [1,1,H,W], or NULL) = dE00 (lab1, lab2) per pixel; *mean its
 * mean over the picture. lab1, lab2: f64 [1,3,H,W] (L, a, b). Waits for
 * the result. */
SrStatus sr_ciede2000_run (SrCiede2000 *op, cl_command_queue q,
    const SrTensor *lab1, const SrTensor *lab2, SrTensor *map, double *mean);

G_END_DECLS
