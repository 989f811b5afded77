/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_codes.h"
#include "sr_nn_private.h"

struct _SrNnCodes {
  SrRuntime *rt;
  cl_kernel unit;
};

SrNnCodes *
sr_nn_codes_new (SrRuntime *rt, GError **error)
{
  SrNnCodes *op = g_new0 (SrNnCodes, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->unit = sr_runtime_create_kernel (rt, "nn_codes", "unit_codes",
              error))) {
    sr_nn_codes_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_codes_free (SrNnCodes *op)
{
  if (!op)
    return;
  if (op->unit)
    clReleaseKernel (op->unit);
  sr_runtime_unref (op->rt);
  g_free (op);
}

SrStatus
sr_nn_unit_codes_run (SrNnCodes *op, cl_command_queue q, SrView in,
    SrView out)
{
  if (!sr_nn_view_ok (in, SR_DTYPE_F32) || !sr_nn_view_ok (out, SR_DTYPE_F32)
      || in.c != out.c || in.t->h != out.t->h || in.t->w != out.t->w
      || (sr_nn_views_overlap (in, out) && !sr_nn_views_same (in, out)))
    return SR_ERR_INVALID_ARGUMENT;
  const int plane = in.t->h * in.t->w;
  const int in_off = in.c0 * plane, out_off = out.c0 * plane;
  cl_kernel k = op->unit;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in_off);
  e |= SR_ARG_MEM (k, 2, out.t);
  e |= SR_ARG (k, 3, out_off);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = (size_t) plane * in.c;
  return sr_enqueue (q, k, 1, &g);
}
