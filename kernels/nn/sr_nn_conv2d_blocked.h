/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 2-D convolution reading and/or writing channel-blocked views (NCHW16c:
 * each block of 16 channels stored [H][W][16]), with conv2d's fused
 * epilogue (same parameters and semantics as sr_nn_conv2d). sr_nn_conv2d
 * uses it as its SR_NN_CONV2D_BLOCKED strategy, the only one for layers
 * whose p->in_blocked or p->out_blocked is set; the executor decides which
 * values are blocked (sr_executor.c). */
#pragma once

#include "sr_nn_conv2d.h"

G_BEGIN_DECLS

typedef struct _SrNnConv2dBlocked SrNnConv2dBlocked;

/* Kernels up to 11x11, strides up to 4; a blocked input needs cin, a
 * blocked output cout a multiple of 16. */
gboolean sr_nn_conv2d_blocked_covers (const SrNnConv2dParams *p);

/* The blockings worth measuring for p: pairs (output channels, a multiple
 * of 16; pixels of a row) per work-item, at most max; returns how many. */
int sr_nn_conv2d_blocked_blockings (const SrNnConv2dParams *p,
    int (*out)[2], int max);

/* weight: OIHW [cout][cin][kh][kw]; bias: [cout] or NULL; prelu: [cout]
 * for SR_ACT_PRELU, else NULL (all copied). ocb, px: a blocking (0, 0:
 * the first of sr_nn_conv2d_blocked_blockings). NULL and an error when p is
 * not covered or the blocking not supported. */
SrNnConv2dBlocked *sr_nn_conv2d_blocked_new (SrRuntime *rt,
    const SrNnConv2dParams *p, const float *weight, const float *bias,
    const float *prelu, int ocb, int px, GError **error);
void sr_nn_conv2d_blocked_free (SrNnConv2dBlocked *op);
/* Device bytes of its weights, bias and slopes (NULL: 0). */
size_t sr_nn_conv2d_blocked_weight_bytes (const SrNnConv2dBlocked *op);

void sr_nn_conv2d_blocked_blocking (const SrNnConv2dBlocked *op, int *ocb,
    int *px);

/* As sr_nn_conv2d_run; views of blocked values start at a multiple of 16
 * channels. */
SrStatus sr_nn_conv2d_blocked_run (SrNnConv2dBlocked *op,
    cl_command_queue q, SrView in, SrView out, const SrView *skip);
/* The same with the input in two parts: in's channels, then tail's (NULL:
 * none; see sr_nn_conv2d_run_split). */
SrStatus sr_nn_conv2d_blocked_run_split (SrNnConv2dBlocked *op,
    cl_command_queue q, SrView in, const SrView *tail, SrView out,
    const SrView *skip);

/* Host-side layout changes of a [c][h][w] array (c a multiple of 16) to
 * and from NCHW16c, for tests and tools. */
void sr_nn_to_blocked (const float *nchw, float *blocked, int c, int h,
    int w);
void sr_nn_from_blocked (const float *blocked, float *nchw, int c, int h,
    int w);

G_END_DECLS
