/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JPEG blockiness (Bhardwaj & Pankajakshan 2018) as DiverSeg's
 * calc_blockiness.py computes it and the GASR paper reports its medians
 * (spec/metrics.md 7): the 8x8 DCT of the OpenCV gray picture on the
 * aligned grid and on the grid shifted by (4, 4), second differences of
 * each coefficient across neighbouring blocks, and the sum over the 64
 * coefficients of |(V_shifted - V_aligned) / V_aligned|. Grows with JPEG
 * compression (DF2K's median 0.47, 165 at q 50). Host code, double
 * precision. */
#pragma once

#include "sr_convert.h"

G_BEGIN_DECLS

/* The blockiness of the whole frame. FALSE, with *reason "too-small"
 * (a side below 36 pixels: fewer than 4 blocks) or "degenerate" (a flat
 * or ramp picture: some V_aligned is 0 and upstream's value is NaN or
 * infinite), when there is none. */
gboolean sr_blockiness (const SrHostFrame *frame, double *value,
    const char **reason);

G_END_DECLS
