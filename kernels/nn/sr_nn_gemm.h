/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Single-precision GEMM on device buffers, through CLBlast:
 *
 *   C = alpha * op(A) * op(B) + beta * C
 *
 * op(A) is m x k, op(B) is k x n, C is m x n. Matrices are row-major in
 * float32 cl_mem buffers: element (r, c) of a matrix stored with offset o
 * and leading dimension ld is float o + r * ld + c of its buffer (offsets
 * and leading dimensions count floats, not bytes). A transposed operand is
 * stored as its transpose (A^T: k x m, so lda >= m).
 *
 * The work is enqueued on the caller's queue and not waited for. CLBlast
 * compiles its kernels on the first call of each routine and shape class
 * in a process (seconds on a CPU device; the driver's own binary cache
 * shortens later processes), so time a GEMM after a warm-up call. */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

/* An operand: buffer, offset and leading dimension (in floats). */
typedef struct {
  cl_mem mem;
  size_t offset, ld;
} SrNnMatrix;

static inline SrNnMatrix
sr_nn_matrix (cl_mem mem, size_t offset, size_t ld)
{
  SrNnMatrix m = { mem, offset, ld };
  return m;
}

/* m, n, k >= 1; each operand must lie inside its buffer, and C must not
 * share floats with A or B (the extents of the matrices are compared: C
 * in the same buffer as A or B must lie wholly before or after it).
 * FALSE and an error (domain SR_ERROR) otherwise, or when CLBlast fails:
 * the message names the CLBlast status. */
gboolean sr_nn_gemm (cl_command_queue q, gboolean trans_a, gboolean trans_b,
    size_t m, size_t n, size_t k, float alpha, SrNnMatrix a, SrNnMatrix b,
    float beta, SrNnMatrix c, GError **error);

/* batch GEMMs of the same shape: product i reads A at a.offset + i *
 * a_stride, B at b.offset + i * b_stride and writes C at c.offset + i *
 * c_stride (strides in floats; a stride of 0 shares an operand across the
 * batch, e.g. one set of codebook vectors against many inputs). The C
 * matrices of the batch must not overlap one another. */
gboolean sr_nn_gemm_batched (cl_command_queue q, gboolean trans_a,
    gboolean trans_b, size_t m, size_t n, size_t k, float alpha,
    SrNnMatrix a, size_t a_stride, SrNnMatrix b, size_t b_stride, float beta,
    SrNnMatrix c, size_t c_stride, size_t batch, GError **error);

/* The name of a CLBlast status code ("CLBlastInvalidLeadDimA", ...;
 * "unknown" for codes it does not define). */
const char *sr_nn_gemm_status_name (int status);

G_END_DECLS
