/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Lab op: sRGB <-> CIELAB (D65, 2 degrees) in double precision, as
 * scikit-image's rgb2lab computes it from 8-bit pictures
 * (spec/metrics.md 6.1) and its lab2rgb back. srmetrics' delta-e and the
 * undertrained degradation's colour gate and colour fix use it. Needs
 * cl_khr_fp64. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

typedef struct SrLab SrLab;

/* Fails with SR_ERR_UNSUPPORTED without double precision. */
SrLab *sr_lab_new (SrRuntime *rt, GError **error);
void sr_lab_free (SrLab *op);

/* lab (f64 [1,3,H,W]: L, a, b) of rgb (f32 [1,3,H,W] planar RGB in
 * [0,1]), taken as its 8-bit code values (round half to even of clamp (x,
 * 0, 1) * 255 in float32, as the other metrics). Enqueued, not waited
 * for. */
SrStatus sr_lab_run (SrLab *op, cl_command_queue q, const SrTensor *rgb,
    SrTensor *lab);

/* rgb (f32 [1,3,H,W] in [0,1], clipped, not quantised) = scikit-image's
 * lab2rgb of lab * scale + shift per channel (L, a, b): scale 1, shift 0
 * for the plain inverse; a colour correction otherwise. Enqueued. */
SrStatus sr_lab_to_rgb_run (SrLab *op, cl_command_queue q,
    const SrTensor *lab, const double scale[3], const double shift[3],
    SrTensor *rgb);

G_END_DECLS
