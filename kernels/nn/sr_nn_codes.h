/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 8-bit quantisation of float32 activations: out = round half to even
 * (clamp (in, 0, 1) * 255) / 255, NaN -> 0 (spec/metrics.md 1.1; the
 * learned metrics' input, as the reference tools read 8-bit files). */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

typedef struct _SrNnCodes SrNnCodes;

SrNnCodes *sr_nn_codes_new (SrRuntime *rt, GError **error);
void sr_nn_codes_free (SrNnCodes *op);

/* in and out: float32 views of one shape; out may be in itself. */
SrStatus sr_nn_unit_codes_run (SrNnCodes *op, cl_command_queue q, SrView in,
    SrView out);

G_END_DECLS
