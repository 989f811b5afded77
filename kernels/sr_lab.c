/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_lab.h"

struct SrLab {
  cl_kernel k;
};

SrLab *
sr_lab_new (SrRuntime *rt, GError **error)
{
  if (!sr_runtime_has_fp64 (rt)) {
    g_set_error (error, SR_ERROR, SR_ERR_UNSUPPORTED, "%s has no double "
        "precision (cl_khr_fp64), which CIELAB as scikit-image computes it "
        "needs", sr_runtime_describe (rt));
    return NULL;
  }
  SrLab *op = g_new0 (SrLab, 1);
  if (!(op->k = sr_runtime_create_kernel (rt, "lab", "rgb_to_lab", error))) {
    sr_lab_free (op);
    return NULL;
  }
  return op;
}

void
sr_lab_free (SrLab *op)
{
  if (!op)
    return;
  if (op->k)
    clReleaseKernel (op->k);
  g_free (op);
}

SrStatus
sr_lab_run (SrLab *op, cl_command_queue q, const SrTensor *rgb, SrTensor *lab)
{
  if (!rgb || !lab || rgb->dtype != SR_DTYPE_F32 || lab->dtype != SR_DTYPE_F64
      || rgb->n != 1 || lab->n != 1 || rgb->c != 3 || lab->c != 3
      || rgb->h != lab->h || rgb->w != lab->w
      || (gint64) rgb->h * rgb->w > G_MAXINT)
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int n = rgb->h * rgb->w;
  cl_int e = 0;
  e |= SR_ARG_MEM (op->k, 0, rgb);
  e |= SR_ARG_MEM (op->k, 1, lab);
  e |= SR_ARG (op->k, 2, n);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = n;
  return sr_enqueue (q, op->k, 1, &g);
}
