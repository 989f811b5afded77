/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 3x3 stride-1 convolution by Winograd F(4x4, 3x3), with conv2d's fused
 * epilogue (same parameters and semantics as sr_nn_conv2d: zero padding,
 * bias, activation, residual with skip possibly the output itself). It needs
 * a quarter of the direct kernel's multiplies, at about 5-10x its rounding
 * error. sr_nn_conv2d uses it as its SR_NN_CONV2D_WINOGRAD strategy. */
#pragma once

#include "sr_nn_conv2d.h"

G_BEGIN_DECLS

typedef struct _SrNnWinograd SrNnWinograd;

/* TRUE for 3x3 kernels, stride 1, padding 0..2 on every side. */
gboolean sr_nn_winograd_covers (const SrNnConv2dParams *p);

/* The blockings worth trying for p, best guess first: pairs (output channels,
 * tiles of 4x4 pixels) per work-item, at most max of them; returns how many
 * were written. */
int sr_nn_winograd_blockings (const SrNnConv2dParams *p, int (*out)[2],
    int max);

/* weight: OIHW [cout][cin][3][3]; bias: [cout] or NULL; prelu: [cout] for
 * SR_ACT_PRELU, else NULL (all copied). ocb output channels (16, 32, 48 or
 * 64) x tiles (2 to 6) per work-item; 0, 0: the first of
 * sr_nn_winograd_blockings. NULL and an error when p is not covered or the
 * blocking not supported. */
SrNnWinograd *sr_nn_winograd_new (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu, int ocb,
    int tiles, GError **error);
void sr_nn_winograd_free (SrNnWinograd *op);
/* Device bytes of its weights, bias and slopes (NULL: 0). */
size_t sr_nn_winograd_weight_bytes (const SrNnWinograd *op);

/* The blocking the op runs. */
void sr_nn_winograd_blocking (const SrNnWinograd *op, int *ocb, int *tiles);

/* As sr_nn_conv2d_run: out must not overlap in; skip may be out itself. */
SrStatus sr_nn_winograd_run (SrNnWinograd *op, cl_command_queue q, SrView in,
    SrView out, const SrView *skip);

G_END_DECLS
