/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_gemm.h"

#include <clblast_c.h>

const char *
sr_nn_gemm_status_name (int status)
{
  switch (status) {
#define NAME(s) case s: return #s
      NAME (CLBlastSuccess);
      NAME (CLBlastOpenCLCompilerNotAvailable);
      NAME (CLBlastTempBufferAllocFailure);
      NAME (CLBlastOpenCLOutOfResources);
      NAME (CLBlastOpenCLOutOfHostMemory);
      NAME (CLBlastOpenCLBuildProgramFailure);
      NAME (CLBlastInvalidValue);
      NAME (CLBlastInvalidCommandQueue);
      NAME (CLBlastInvalidMemObject);
      NAME (CLBlastInvalidBinary);
      NAME (CLBlastInvalidBuildOptions);
      NAME (CLBlastInvalidProgram);
      NAME (CLBlastInvalidProgramExecutable);
      NAME (CLBlastInvalidKernelName);
      NAME (CLBlastInvalidKernelDefinition);
      NAME (CLBlastInvalidKernel);
      NAME (CLBlastInvalidArgIndex);
      NAME (CLBlastInvalidArgValue);
      NAME (CLBlastInvalidArgSize);
      NAME (CLBlastInvalidKernelArgs);
      NAME (CLBlastInvalidLocalNumDimensions);
      NAME (CLBlastInvalidLocalThreadsTotal);
      NAME (CLBlastInvalidLocalThreadsDim);
      NAME (CLBlastInvalidGlobalOffset);
      NAME (CLBlastInvalidEventWaitList);
      NAME (CLBlastInvalidEvent);
      NAME (CLBlastInvalidOperation);
      NAME (CLBlastInvalidBufferSize);
      NAME (CLBlastInvalidGlobalWorkSize);
      NAME (CLBlastNotImplemented);
      NAME (CLBlastInvalidMatrixA);
      NAME (CLBlastInvalidMatrixB);
      NAME (CLBlastInvalidMatrixC);
      NAME (CLBlastInvalidVectorX);
      NAME (CLBlastInvalidVectorY);
      NAME (CLBlastInvalidDimension);
      NAME (CLBlastInvalidLeadDimA);
      NAME (CLBlastInvalidLeadDimB);
      NAME (CLBlastInvalidLeadDimC);
      NAME (CLBlastInvalidIncrementX);
      NAME (CLBlastInvalidIncrementY);
      NAME (CLBlastInsufficientMemoryA);
      NAME (CLBlastInsufficientMemoryB);
      NAME (CLBlastInsufficientMemoryC);
      NAME (CLBlastInsufficientMemoryX);
      NAME (CLBlastInsufficientMemoryY);
      NAME (CLBlastInsufficientMemoryTemp);
      NAME (CLBlastInvalidBatchCount);
      NAME (CLBlastInvalidOverrideKernel);
      NAME (CLBlastMissingOverrideParameter);
      NAME (CLBlastInvalidLocalMemUsage);
      NAME (CLBlastNoHalfPrecision);
      NAME (CLBlastNoDoublePrecision);
      NAME (CLBlastInvalidVectorScalar);
      NAME (CLBlastInsufficientMemoryScalar);
      NAME (CLBlastDatabaseError);
      NAME (CLBlastUnknownError);
      NAME (CLBlastUnexpectedError);
#undef NAME
    default:
      return "unknown";
  }
}

/* CLBlast shares its codes with OpenCL down to -63; below that its own. */
static SrStatus
status_from_clblast (CLBlastStatusCode s)
{
  if (s > -1000)
    return sr_status_from_cl (s);
  switch (s) {
    case CLBlastInvalidMatrixA:
    case CLBlastInvalidMatrixB:
    case CLBlastInvalidMatrixC:
      return SR_ERR_INVALID_MEM_OBJECT;
    case CLBlastInvalidDimension:
    case CLBlastInvalidLeadDimA:
    case CLBlastInvalidLeadDimB:
    case CLBlastInvalidLeadDimC:
    case CLBlastInsufficientMemoryA:
    case CLBlastInsufficientMemoryB:
    case CLBlastInsufficientMemoryC:
    case CLBlastInvalidBatchCount:
      return SR_ERR_INVALID_ARGUMENT;
    case CLBlastInsufficientMemoryTemp:
      return SR_ERR_OUT_OF_DEVICE_MEMORY;
    default:
      return SR_ERR_OPENCL;
  }
}

/* Floats [*lo, *hi) of a rows x cols operand repeated batch times stride
 * apart; FALSE when ld < cols or the end overflows. */
static gboolean
extent (SrNnMatrix x, size_t rows, size_t cols, size_t stride, size_t batch,
    size_t *lo, size_t *hi)
{
  size_t rows_span, batch_span, end;
  if (x.ld < cols || !g_size_checked_mul (&rows_span, rows - 1, x.ld)
      || !g_size_checked_mul (&batch_span, batch - 1, stride)
      || !g_size_checked_add (&end, x.offset, rows_span)
      || !g_size_checked_add (&end, end, batch_span)
      || !g_size_checked_add (&end, end, cols))
    return FALSE;
  *lo = x.offset;
  *hi = end;
  return TRUE;
}

/* Checks one operand; sets error naming it on failure. */
static gboolean
check_operand (const char *what, SrNnMatrix x, size_t rows, size_t cols,
    size_t stride, size_t batch, size_t *lo, size_t *hi, GError **error)
{
  size_t bytes = 0;
  if (!x.mem) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "gemm: matrix %s has no buffer", what);
    return FALSE;
  }
  if (!extent (x, rows, cols, stride, batch, lo, hi)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "gemm: matrix %s (%zu x %zu stored) has leading dimension %zu < %zu "
        "or an extent beyond size_t", what, rows, cols, x.ld, cols);
    return FALSE;
  }
  cl_int err = clGetMemObjectInfo (x.mem, CL_MEM_SIZE, sizeof bytes, &bytes,
      NULL);
  if (err != CL_SUCCESS) {
    sr_set_cl_error (error, err, "gemm: clGetMemObjectInfo");
    return FALSE;
  }
  if (*hi > bytes / sizeof (float)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "gemm: matrix %s (%zu x %zu stored, offset %zu, leading dimension "
        "%zu, batch %zu of stride %zu) needs %zu floats, its buffer holds %zu",
        what, rows, cols, x.offset, x.ld, batch, stride, *hi,
        bytes / sizeof (float));
    return FALSE;
  }
  return TRUE;
}

/* The checks CLBlast makes too, so that the message can say what is wrong
 * and with which values, plus the ones it does not make (overlaps). */
static gboolean
check_args (cl_command_queue q, gboolean trans_a, gboolean trans_b, size_t m,
    size_t n, size_t k, SrNnMatrix a, size_t a_stride, SrNnMatrix b,
    size_t b_stride, SrNnMatrix c, size_t c_stride, size_t batch,
    GError **error)
{
  if (!q || m == 0 || n == 0 || k == 0 || batch == 0) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "gemm: %s (m %zu, n %zu, k %zu, batch %zu; all must be >= 1)",
        q ? "empty product" : "no queue", m, n, k, batch);
    return FALSE;
  }
  size_t alo, ahi, blo, bhi, clo, chi;
  if (!check_operand ("A", a, trans_a ? k : m, trans_a ? m : k, a_stride,
          batch, &alo, &ahi, error)
      || !check_operand ("B", b, trans_b ? n : k, trans_b ? k : n, b_stride,
          batch, &blo, &bhi, error)
      || !check_operand ("C", c, m, n, c_stride, batch, &clo, &chi, error))
    return FALSE;
  if ((c.mem == a.mem && clo < ahi && alo < chi)
      || (c.mem == b.mem && clo < bhi && blo < chi)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "gemm: C (floats %zu..%zu of its buffer) overlaps %s", clo, chi,
        c.mem == a.mem && clo < ahi && alo < chi ? "A" : "B");
    return FALSE;
  }
  /* The C matrices of a batch lie one after another, or side by side
   * within the rows (interleaved heads). */
  if (batch > 1 && c_stride < (m - 1) * c.ld + n
      && !(c_stride >= n && (batch - 1) * c_stride + n <= c.ld)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "gemm: the %zu C matrices (%zu x %zu, leading dimension %zu) "
        "overlap with stride %zu", batch, m, n, c.ld, c_stride);
    return FALSE;
  }
  return TRUE;
}

static gboolean
clblast_failed (CLBlastStatusCode s, const char *routine, size_t m, size_t n,
    size_t k, size_t batch, GError **error)
{
  g_set_error (error, SR_ERROR, status_from_clblast (s),
      "%s (m %zu, n %zu, k %zu, batch %zu) failed: %s (%d)", routine, m, n,
      k, batch, sr_nn_gemm_status_name (s), (int) s);
  return FALSE;
}

gboolean
sr_nn_gemm (cl_command_queue q, gboolean trans_a, gboolean trans_b,
    size_t m, size_t n, size_t k, float alpha, SrNnMatrix a, SrNnMatrix b,
    float beta, SrNnMatrix c, GError **error)
{
  if (!check_args (q, trans_a, trans_b, m, n, k, a, 0, b, 0, c, 0, 1, error))
    return FALSE;
  CLBlastStatusCode s = CLBlastSgemm (CLBlastLayoutRowMajor,
      trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
      trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha,
      a.mem, a.offset, a.ld, b.mem, b.offset, b.ld, beta, c.mem, c.offset,
      c.ld, &q, NULL);
  if (s != CLBlastSuccess)
    return clblast_failed (s, "CLBlastSgemm", m, n, k, 1, error);
  return TRUE;
}

gboolean
sr_nn_gemm_batched (cl_command_queue q, gboolean trans_a, gboolean trans_b,
    size_t m, size_t n, size_t k, float alpha, SrNnMatrix a, size_t a_stride,
    SrNnMatrix b, size_t b_stride, float beta, SrNnMatrix c, size_t c_stride,
    size_t batch, GError **error)
{
  if (batch == 1)
    return sr_nn_gemm (q, trans_a, trans_b, m, n, k, alpha, a, b, beta, c,
        error);
  if (!check_args (q, trans_a, trans_b, m, n, k, a, a_stride, b, b_stride, c,
          c_stride, batch, error))
    return FALSE;
  CLBlastStatusCode s = CLBlastSgemmStridedBatched (CLBlastLayoutRowMajor,
      trans_a ? CLBlastTransposeYes : CLBlastTransposeNo,
      trans_b ? CLBlastTransposeYes : CLBlastTransposeNo, m, n, k, alpha,
      a.mem, a.offset, a.ld, a_stride, b.mem, b.offset, b.ld, b_stride, beta,
      c.mem, c.offset, c.ld, c_stride, batch, &q, NULL);
  if (s != CLBlastSuccess)
    return clblast_failed (s, "CLBlastSgemmStridedBatched", m, n, k, batch,
        error);
  return TRUE;
}
