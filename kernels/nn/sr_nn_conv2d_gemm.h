/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conv2d's GEMM strategy (SR_NN_CONV2D_GEMM), private to sr_nn_conv2d.c,
 * which validates the parameters and the views before calling in here.
 *
 * out[cout][pixels] = W[cout][cin*kh*kw] x col[cin*kh*kw][pixels] through
 * CLBlast (sr_nn_gemm), then one epilogue kernel for bias, activation and
 * residual. col is the input view itself for a 1x1 stride-1 unpadded layer
 * (no copy), else the im2col of a band of output rows in a scratch buffer.
 * An in-place residual (skip is out) has the GEMM write a scratch too. The
 * scratch of one op is at most SR_NN_CONV2D_GEMM_SCRATCH bytes: larger
 * outputs run band by band; a single output row that needs more is refused
 * (SR_ERR_OUT_OF_RESOURCES). */
#pragma once

#include "sr_nn_conv2d.h"

G_BEGIN_DECLS

#define SR_NN_CONV2D_GEMM_SCRATCH ((size_t) 64 << 20)

typedef struct _SrNnConv2dGemm SrNnConv2dGemm;

SrNnConv2dGemm *sr_nn_conv2d_gemm_new (SrRuntime *rt,
    const SrNnConv2dParams *p, const float *weight, const float *bias,
    const float *prelu, GError **error);
void sr_nn_conv2d_gemm_free (SrNnConv2dGemm *g);
/* Device bytes of its weights, bias and slopes (NULL: 0). */
size_t sr_nn_conv2d_gemm_weight_bytes (const SrNnConv2dGemm *g);
/* Views already checked by sr_nn_conv2d_run. */
SrStatus sr_nn_conv2d_gemm_run (SrNnConv2dGemm *g, cl_command_queue q,
    SrView in, SrView out, const SrView *skip);

G_END_DECLS
