/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SrTiled: an executor run on frames of any size, as the elements need it
 * (srupscale, srundertrained):
 *
 *  - padding: networks whose sides must be a multiple of m
 *    (sr_graph_size_multiple: pixel unshuffles, strided convolutions) get
 *    the frame reflect-padded right and bottom to the multiple, and their
 *    output cropped back, as Real-ESRGAN's RealESRGANer does;
 *  - tiling: when the whole frame's intermediate values would pass the
 *    memory budget, the frame runs as a grid of equal tiles, each on a
 *    region of tile + overlap on each inner side, and only the tile's own
 *    pixels are kept. With the receptive radius as overlap the output
 *    equals the untiled one; deep networks (RRDBNet: 349 px) may not fit
 *    a budget that way, and then take a smaller overlap (below), whose
 *    seams are measured, not exact. Tiles and overlaps keep to the
 *    multiple (every region then sees the frame's own unshuffle / stride
 *    grid).
 *
 * sr_tiled_plan settles the sizes and holds every tensor a frame needs:
 * running a frame allocates nothing. */
#pragma once

#include "sr_executor.h"
#include "sr_nn_tile.h"

G_BEGIN_DECLS

typedef struct _SrTiled SrTiled;

/* Runs ex (not taken: the caller frees it after this). */
SrTiled *sr_tiled_new (SrRuntime *rt, SrExecutor *ex, GError **error);

/* Runs g (taken, even on failure) with values stored as storage
 * (sr_executor_new_with_storage). An upscaler with a large upsampling tail
 * (sr_graph_split: realesrgan-x4plus) runs split: the head on the frame's
 * regions, and inside each region the tail in tiles of its own under a
 * 1/SR_TILED_TAIL_SHARE share of the budget, so the head's regions, with
 * their wide overlaps, can be several times larger than the whole
 * network's (x4plus: about 1.6 instead of 9.7 kB per input pixel). */
SrTiled *sr_tiled_new_for_graph (SrRuntime *rt, SrGraph *g, SrDType storage,
    GError **error);

#define SR_TILED_TAIL_SHARE 4
void sr_tiled_free (SrTiled *t);

/* Plans for w x h frames: tile_size > 0 fixes the tile side (rounded up to
 * the multiple), 0 takes the fewest-pixel grid of tiles whose regions fit
 * in budget bytes, less the weights' (sr_tiled_weight_bytes): the budget
 * bounds the device memory the network holds. overlap >= 0 fixes the overlap (rounded up to the
 * multiple, at most the receptive radius); -1 takes the receptive radius
 * unless its tiles would compute more than SR_TILED_MAX_WORK times the
 * frame's pixels, and then the largest overlap whose tiles do not (at
 * least SR_TILED_MIN_OVERLAP: plan->exact tells which). SR_MODEL_ERROR_SIZE
 * when the frame is too small to pad by reflection or the budget leaves
 * tiles under 16 pixels. Also plans the executor (the first plan may
 * measure its layout: see sr_executor_layout_settled). */
gboolean sr_tiled_plan (SrTiled *t, int w, int h, guint tile_size,
    int overlap, guint64 budget, GError **error);

#define SR_TILED_MAX_WORK 2
/* realesrgan-x4plus's tiles overlapping by 64 stayed at 63-68 dB of its
 * untiled output on the hardest photo crops measured (32: 46-51 dB;
 * scripts/measure-tile-seams.py, docs/models.md). */
#define SR_TILED_MIN_OVERLAP 64

/* in: [1,C,h,w] float32 as planned; out: [1,C',h*s,w*s] float32, s the
 * graph's scale. Enqueued on q. */
SrStatus sr_tiled_run (SrTiled *t, cl_command_queue q, SrTensor *in,
    SrTensor *out);

/* Where sr_tiled_run_into puts a frame's output, a rect at a time: the
 * w x h rect at (sx, sy) of src (a region's output) is the output's rect at
 * (dx, dy). The rects cover the output once. */
typedef SrStatus (*SrTiledSink) (gpointer user, cl_command_queue q,
    const SrTensor *src, int sx, int sy, int dx, int dy, int w, int h);

/* As sr_tiled_run, handing each tile's output to sink instead of filling
 * a whole output tensor (a 1920x1080 x4 frame's is 398 MB of float32),
 * e.g. to download it into the frame's bytes. */
SrStatus sr_tiled_run_into (SrTiled *t, cl_command_queue q, SrTensor *in,
    SrTiledSink sink, gpointer user);

/* The plan, for messages: the padded size (pad_w x pad_h = w x h when
 * none), the tile and region sizes (region = the padded frame when not
 * tiled), the overlap, the receptive radius (rounded up to the multiple)
 * and the multiple; exact: not tiled, or tiled with the full radius. */
typedef struct {
  int pad_w, pad_h;
  int tile_w, tile_h;
  int region_w, region_h;
  int overlap, radius, multiple;
  gboolean padded, tiled, exact;
} SrTiledPlan;

const SrTiledPlan *sr_tiled_get_plan (const SrTiled *t);

/* For messages: the whole network's multiply-adds per input pixel, whether
 * its layout is settled (sr_executor_layout_settled) and the device bytes
 * its plan holds for intermediate values. */
double sr_tiled_macs_per_input_pixel (const SrTiled *t);
gboolean sr_tiled_layout_settled (const SrTiled *t);
size_t sr_tiled_peak_bytes (const SrTiled *t);
/* Split (sr_tiled_new_for_graph): the plan of the tail on a region's
 * head output; NULL for a network that runs whole. */
const SrTiledPlan *sr_tiled_get_tail_plan (const SrTiled *t);
/* Device bytes of the network's weights (sr_executor_weight_bytes). */
size_t sr_tiled_weight_bytes (const SrTiled *t);

G_END_DECLS
