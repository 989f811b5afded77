/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Elementwise ops on views of equal channel count and size:
 *   add:    out = act (sum_i coef[i] * in[i])          (2..SR_NN_MAX_ADD inputs;
 *           residual sums, MultiplyBeta as a 1-input scale)
 *   affine: out = act (in * scale[c] + shift[c])       (per channel: input
 *           range scaling, normalisation layers, PReLU as an activation) */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

#define SR_NN_MAX_ADD 8

typedef struct _SrNnEltwise SrNnEltwise;

SrNnEltwise *sr_nn_eltwise_new (SrRuntime *rt, SrDType act, GError **error);
void sr_nn_eltwise_free (SrNnEltwise *op);

/* n in 1..SR_NN_MAX_ADD. out may be one of the inputs. prelu: slopes per
 * channel when act.kind is SR_ACT_PRELU, else NULL. */
SrStatus sr_nn_add_run (SrNnEltwise *op, cl_command_queue q, int n,
    const SrView *in, const float *coef, SrView out, SrAct act,
    const float *prelu);

/* scale, shift: one value per channel of in (shift may be NULL: 0). out may
 * be in. */
SrStatus sr_nn_affine_run (SrNnEltwise *op, cl_command_queue q, SrView in,
    const float *scale, const float *shift, SrView out, SrAct act,
    const float *prelu);

G_END_DECLS
