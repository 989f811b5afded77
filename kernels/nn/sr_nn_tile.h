/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Moving rectangles between frames and tiles (srupscale's tiling):
 *   pad:  out = the (H + top + bottom) x (W + left + right) picture of in
 *         extended by reflection without edge repetition (REFLECT_101,
 *         PyTorch 'reflect': c b | a b c d | c b), or by zeros;
 *   copy: the w x h rectangle at (sx, sy) of in to (dx, dy) of out (crop,
 *         and pasting a tile's interior into the frame). */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

typedef enum {
  SR_PAD_REFLECT,
  SR_PAD_ZERO,
} SrPadMode;

typedef struct _SrNnTile SrNnTile;

SrNnTile *sr_nn_tile_new (SrRuntime *rt, SrDType act, GError **error);
void sr_nn_tile_free (SrNnTile *op);

/* Reflection needs each pad smaller than the side it reflects. */
SrStatus sr_nn_pad_run (SrNnTile *op, cl_command_queue q, SrView in,
    SrView out, int top, int bottom, int left, int right, SrPadMode mode);
SrStatus sr_nn_copy_rect_run (SrNnTile *op, cl_command_queue q, SrView in,
    int sx, int sy, SrView out, int dx, int dy, int w, int h);

G_END_DECLS
