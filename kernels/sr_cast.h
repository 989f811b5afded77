/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Cast op: converts tensors between f32 and f16 storage. f16 halves the
 * memory and bandwidth of weights and activations; ops read it with
 * vload_half and compute in f32, so it works on every device (half
 * arithmetic is a separate matter: sr_runtime_has_fp16). */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

typedef struct SrCast SrCast;

SrCast *sr_cast_new (SrRuntime *rt, GError **error);
void sr_cast_free (SrCast *op);

/* dst = src converted to dst's dtype, rounding to nearest even (IEEE 754
 * binary16: overflow to infinity, subnormals kept, NaN stays NaN). src and
 * dst have the same number of elements and are f32 or f16; equal dtypes
 * copy. Enqueued on q, not waited for. */
SrStatus sr_cast_run (SrCast *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst);

G_END_DECLS
