/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_pool.h"
#include "sr_nn_private.h"

/* Float32 activations only: the executor's graphs do not pool (yet). */
struct _SrNnPool {
  SrRuntime *rt;
  cl_kernel max, rows, mean, l2;
  SrTensor *sums;               /* global average's row sums, reused */
};

SrNnPool *
sr_nn_pool_new (SrRuntime *rt, GError **error)
{
  SrNnPool *op = g_new0 (SrNnPool, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->max = sr_runtime_create_kernel (rt, "nn_pool", "max_pool", error))
      || !(op->rows = sr_runtime_create_kernel (rt, "nn_pool", "row_sum", error))
      || !(op->mean = sr_runtime_create_kernel (rt, "nn_pool", "channel_mean",
              error))
      || !(op->l2 = sr_runtime_create_kernel (rt, "nn_pool", "l2_normalize",
              error))) {
    sr_nn_pool_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_pool_free (SrNnPool *op)
{
  if (!op)
    return;
  cl_kernel k[] = { op->max, op->rows, op->mean, op->l2 };
  for (guint i = 0; i < G_N_ELEMENTS (k); i++)
    if (k[i])
      clReleaseKernel (k[i]);
  sr_tensor_unref (op->sums);
  sr_runtime_unref (op->rt);
  g_free (op);
}

SrStatus
sr_nn_max_pool_run (SrNnPool *op, cl_command_queue q, SrView in, SrView out,
    int k, int s)
{
  if (k < 1 || s < 1 || !sr_nn_view_ok (in, SR_DTYPE_F32)
      || !sr_nn_view_ok (out, SR_DTYPE_F32)
      || sr_nn_views_overlap (in, out) || in.c != out.c
      || in.t->h < k || in.t->w < k
      || out.t->h != (in.t->h - k) / s + 1 || out.t->w != (in.t->w - k) / s + 1)
    return SR_ERR_INVALID_ARGUMENT;
  cl_kernel kn = op->max;
  cl_int e = 0;
  e |= SR_ARG_MEM (kn, 0, in.t);
  e |= SR_ARG (kn, 1, in.c0);
  e |= SR_ARG (kn, 2, in.t->h);
  e |= SR_ARG (kn, 3, in.t->w);
  e |= SR_ARG_MEM (kn, 4, out.t);
  e |= SR_ARG (kn, 5, out.c0);
  e |= SR_ARG (kn, 6, out.t->h);
  e |= SR_ARG (kn, 7, out.t->w);
  e |= SR_ARG (kn, 8, k);
  e |= SR_ARG (kn, 9, s);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = sr_nn_row_items (out);
  return sr_enqueue (q, kn, 1, &g);
}

SrStatus
sr_nn_global_avg_pool_run (SrNnPool *op, cl_command_queue q, SrView in,
    SrView out)
{
  if (!sr_nn_view_ok (in, SR_DTYPE_F32)
      || !sr_nn_view_ok (out, SR_DTYPE_F32)
      || sr_nn_views_overlap (in, out) || in.c != out.c
      || out.t->h != 1 || out.t->w != 1)
    return SR_ERR_INVALID_ARGUMENT;
  const int h = in.t->h, w = in.t->w;
  SrTensor *sums = sr_tensor_reuse (op->rt, q, &op->sums, 1, in.c, h, 1,
      SR_DTYPE_F32);
  if (!sums)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  cl_int e = 0;
  e |= SR_ARG_MEM (op->rows, 0, in.t);
  e |= SR_ARG (op->rows, 1, in.c0);
  e |= SR_ARG (op->rows, 2, h);
  e |= SR_ARG (op->rows, 3, w);
  e |= SR_ARG_MEM (op->rows, 4, sums);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g1 = (size_t) h * in.c;
  SrStatus st = sr_enqueue (q, op->rows, 1, &g1);
  if (st != SR_OK)
    return st;
  const float inv_n = (float) (1.0 / ((double) h * w));
  e |= SR_ARG_MEM (op->mean, 0, sums);
  e |= SR_ARG (op->mean, 1, h);
  e |= SR_ARG (op->mean, 2, inv_n);
  e |= SR_ARG_MEM (op->mean, 3, out.t);
  e |= SR_ARG (op->mean, 4, out.c0);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g2 = out.c;
  return sr_enqueue (q, op->mean, 1, &g2);
}

/* out may be in (the same view). */
SrStatus
sr_nn_l2_normalize_run (SrNnPool *op, cl_command_queue q, SrView in,
    SrView out, float eps)
{
  if (!sr_nn_view_ok (in, SR_DTYPE_F32)
      || !sr_nn_view_ok (out, SR_DTYPE_F32) || in.c != out.c
      || in.t->h != out.t->h || in.t->w != out.t->w || !(eps >= 0)
      || (sr_nn_views_overlap (in, out) && !sr_nn_views_same (in, out)))
    return SR_ERR_INVALID_ARGUMENT;
  const int plane = in.t->h * in.t->w;
  cl_kernel k = op->l2;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in.c0);
  e |= SR_ARG_MEM (k, 2, out.t);
  e |= SR_ARG (k, 3, out.c0);
  e |= SR_ARG (k, 4, in.c);
  e |= SR_ARG (k, 5, plane);
  e |= SR_ARG (k, 6, eps);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = (plane + 7) / 8;  /* runs of 8 (nn_pool.cl) */
  return sr_enqueue (q, k, 1, &g);
}
