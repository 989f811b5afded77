/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_cast.h"

struct SrCast {
  cl_kernel to_f16, to_f32;
};

SrCast *
sr_cast_new (SrRuntime *rt, GError **error)
{
  SrCast *op = g_new0 (SrCast, 1);
  if (!(op->to_f16 = sr_runtime_create_kernel (rt, "cast", "f32_to_f16", error))
      || !(op->to_f32 = sr_runtime_create_kernel (rt, "cast", "f16_to_f32", error))) {
    sr_cast_free (op);
    return NULL;
  }
  return op;
}

void
sr_cast_free (SrCast *op)
{
  if (!op)
    return;
  if (op->to_f16)
    clReleaseKernel (op->to_f16);
  if (op->to_f32)
    clReleaseKernel (op->to_f32);
  g_free (op);
}

static gboolean
is_float (SrDType t)
{
  return t == SR_DTYPE_F32 || t == SR_DTYPE_F16;
}

SrStatus
sr_cast_run (SrCast *op, cl_command_queue q, const SrTensor *src, SrTensor *dst)
{
  const size_t n = sr_tensor_numel (src);
  if (!is_float (src->dtype) || !is_float (dst->dtype)
      || sr_tensor_numel (dst) != n || n > G_MAXINT || src == dst)
    return SR_ERR_INVALID_ARGUMENT;
  if (src->dtype == dst->dtype)
    return sr_status_from_cl (clEnqueueCopyBuffer (q, src->mem, dst->mem, 0, 0,
            src->bytes, 0, NULL, NULL));
  cl_kernel k = dst->dtype == SR_DTYPE_F16 ? op->to_f16 : op->to_f32;
  const int count = (int) n;
  cl_int e = SR_ARG_MEM (k, 0, src);
  e |= SR_ARG_MEM (k, 1, dst);
  e |= SR_ARG (k, 2, count);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t global = (n + 7) / 8;
  return sr_enqueue (q, k, 1, &global);
}
