/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Vector quantisation against a fixed codebook (VQ-VAE / VQ-VAE-2
 * inference; spec/models.md 5.2): every pixel of a [1,D,H,W] float32 view
 * becomes its nearest code, argmin_k ||z||^2 - 2 z.e_k + ||e_k||^2 in
 * float32 (PyTorch's formula and order of terms), the lowest k on a tie.
 * The chosen indices stay on the device for code-usage statistics. */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

typedef struct _SrNnVq SrNnVq;

/* embed: [dim][n_codes] as VQ-VAE stores it (a column per code); copied.
 * dim 1..256, n_codes 1..65536. */
SrNnVq *sr_nn_vq_new (SrRuntime *rt, const float *embed, int dim,
    int n_codes, GError **error);
void sr_nn_vq_free (SrNnVq *op);

int sr_nn_vq_dim (const SrNnVq *op);
int sr_nn_vq_codes (const SrNnVq *op);

/* in, out: float32 views of dim channels and one size (out may not overlap
 * in). Enqueued, not waited for. */
SrStatus sr_nn_vq_run (SrNnVq *op, cl_command_queue q, SrView in,
    SrView out);

/* The code index of every pixel of the last run (h * w ints, row-major;
 * g_free), and in *used how many distinct codes they are. Waits. NULL
 * before the first run. */
int *sr_nn_vq_last_indices (SrNnVq *op, cl_command_queue q, int *n,
    int *used);

G_END_DECLS
