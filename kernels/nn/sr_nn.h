/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vocabulary shared by the network ops of kernels/nn/ (one op per file,
 * each with its .cl and a plain-C reference test in tests/kernels/nn/).
 *
 * Activations are [1,C,H,W] SrTensors stored as float32, or as half
 * (SR_DTYPE_F16, precision=fp16: the ops load and store half and compute
 * in float32, so no cl_khr_fp16 is needed). An op instance serves one
 * storage type, chosen when it is made. Ops read and write channel
 * views of them: a channel concat is then nothing but its producers writing
 * into slices of one tensor, and its consumer reading the whole. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

/* Channels [c0, c0 + c) of a [1,C,H,W] f32 or f16 tensor. */
typedef struct {
  SrTensor *t;
  int c0, c;
} SrView;

static inline SrView
sr_view (SrTensor *t)
{
  SrView v = { t, 0, t->c };
  return v;
}

static inline SrView
sr_view_channels (SrTensor *t, int c0, int c)
{
  SrView v = { t, c0, c };
  return v;
}

/* TRUE when v lies inside its tensor (N = 1, f32 or f16, channels in
 * range). */
gboolean sr_view_valid (SrView v);

/* The build options that make an op's kernels store activations as act
 * (NULL for f32, "-DACT_HALF" for f16; nn_storage.clh), or NULL and an
 * error for other types. */
gboolean sr_nn_storage_options (SrDType act, const char **options,
    GError **error);

/* An elementwise activation applied in an op's epilogue. PReLU's slopes are
 * per channel and belong to the op that applies it. */
typedef enum {
  SR_ACT_NONE,
  SR_ACT_RELU,
  SR_ACT_LEAKY_RELU,          /* x < 0: alpha * x */
  SR_ACT_PRELU,               /* x < 0: slope[c] * x */
  SR_ACT_CLAMP,               /* min (max (x, lo), hi) */
} SrActKind;

typedef struct {
  SrActKind kind;
  float alpha;                /* LEAKY_RELU */
  float lo, hi;               /* CLAMP */
} SrAct;

G_END_DECLS
