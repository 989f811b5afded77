/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_distance.h"
#include "sr_nn_private.h"

struct _SrNnDistance {
  SrRuntime *rt;
  cl_kernel rows;
  SrTensor *sums;               /* row sums, reused */
  float *host;                  /* their host copy, h of them */
  int host_n;
};

SrNnDistance *
sr_nn_distance_new (SrRuntime *rt, GError **error)
{
  SrNnDistance *op = g_new0 (SrNnDistance, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->rows = sr_runtime_create_kernel (rt, "nn_distance",
              "weighted_sq_diff_rows", error))) {
    sr_nn_distance_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_distance_free (SrNnDistance *op)
{
  if (!op)
    return;
  if (op->rows)
    clReleaseKernel (op->rows);
  sr_tensor_unref (op->sums);
  g_free (op->host);
  sr_runtime_unref (op->rt);
  g_free (op);
}

SrStatus
sr_nn_weighted_sq_distance (SrNnDistance *op, cl_command_queue q, SrView a,
    SrView b, const SrTensor *weight, double *sum)
{
  if (!sr_nn_view_ok (a, SR_DTYPE_F32) || !sr_nn_view_ok (b, SR_DTYPE_F32)
      || a.c != b.c || a.t->h != b.t->h || a.t->w != b.t->w || !weight
      || weight->dtype != SR_DTYPE_F32 || sr_tensor_numel (weight) != (size_t) a.c)
    return SR_ERR_INVALID_ARGUMENT;
  const int h = a.t->h, w = a.t->w;
  SrTensor *sums = sr_tensor_reuse (op->rt, q, &op->sums, 1, 1, 1, h,
      SR_DTYPE_F32);
  if (!sums)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  cl_kernel k = op->rows;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, a.t);
  e |= SR_ARG (k, 1, a.c0);
  e |= SR_ARG_MEM (k, 2, b.t);
  e |= SR_ARG (k, 3, b.c0);
  e |= SR_ARG (k, 4, a.c);
  e |= SR_ARG (k, 5, h);
  e |= SR_ARG (k, 6, w);
  e |= SR_ARG_MEM (k, 7, weight);
  e |= SR_ARG_MEM (k, 8, sums);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = h;
  SrStatus st = sr_enqueue (q, k, 1, &g);
  if (st != SR_OK)
    return st;
  if (op->host_n < h) {
    g_free (op->host);
    op->host = g_new (float, h);
    op->host_n = h;
  }
  if ((st = sr_tensor_read (q, sums, op->host)) != SR_OK)
    return st;
  double total = 0;
  for (int y = 0; y < h; y++)
    total += op->host[y];
  *sum = total;
  return SR_OK;
}
