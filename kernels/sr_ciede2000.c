/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_ciede2000.h"

struct SrCiede2000 {
  SrRuntime *rt;
  cl_kernel de, sums;
  SrTensor *map, *rows;         /* scratch, reused */
};

SrCiede2000 *
sr_ciede2000_new (SrRuntime *rt, GError **error)
{
  if (!sr_runtime_has_fp64 (rt)) {
    g_set_error (error, SR_ERROR, SR_ERR_UNSUPPORTED, "%s has no double "
        "precision (cl_khr_fp64), which CIEDE2000 as scikit-image computes "
        "it needs", sr_runtime_describe (rt));
    return NULL;
  }
  SrCiede2000 *op = g_new0 (SrCiede2000, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->de = sr_runtime_create_kernel (rt, "ciede2000", "ciede2000",
              error))
      || !(op->sums = sr_runtime_create_kernel (rt, "ciede2000",
              "sum_rows_1", error))) {
    sr_ciede2000_free (op);
    return NULL;
  }
  return op;
}

void
sr_ciede2000_free (SrCiede2000 *op)
{
  if (!op)
    return;
  if (op->de)
    clReleaseKernel (op->de);
  if (op->sums)
    clReleaseKernel (op->sums);
  if (op->map)
    sr_tensor_unref (op->map);
  if (op->rows)
    sr_tensor_unref (op->rows);
  sr_runtime_unref (op->rt);
  g_free (op);
}

SrStatus
sr_ciede2000_run (SrCiede2000 *op, cl_command_queue q, const SrTensor *lab1,
    const SrTensor *lab2, SrTensor *map, double *mean)
{
  if (!lab1 || !lab2 || !mean || lab1->dtype != SR_DTYPE_F64
      || lab2->dtype != SR_DTYPE_F64 || lab1->n != 1 || lab2->n != 1
      || lab1->c != 3 || lab2->c != 3 || lab1->h != lab2->h
      || lab1->w != lab2->w || (gint64) lab1->h * lab1->w > G_MAXINT
      || (map && (map->dtype != SR_DTYPE_F64 || map->n != 1 || map->c != 1
              || map->h != lab1->h || map->w != lab1->w)))
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int h = lab1->h, w = lab1->w, n = h * w;
  if (!map && !(map = sr_tensor_reuse (op->rt, q, &op->map, 1, 1, h, w,
              SR_DTYPE_F64)))
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  SrTensor *rows = sr_tensor_reuse (op->rt, q, &op->rows, 1, 1, h, 1,
      SR_DTYPE_F64);
  if (!rows)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  cl_int e = 0;
  e |= SR_ARG_MEM (op->de, 0, lab1);
  e |= SR_ARG_MEM (op->de, 1, lab2);
  e |= SR_ARG_MEM (op->de, 2, map);
  e |= SR_ARG (op->de, 3, n);
  e |= SR_ARG_MEM (op->sums, 0, map);
  e |= SR_ARG (op->sums, 1, h);
  e |= SR_ARG (op->sums, 2, w);
  e |= SR_ARG_MEM (op->sums, 3, rows);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t gn = n, gh = h;
  SrStatus st = sr_enqueue (q, op->de, 1, &gn);
  if (st == SR_OK)
    st = sr_enqueue (q, op->sums, 1, &gh);
  double *sums = g_new (double, h);
  if (st == SR_OK)
    st = sr_tensor_read (q, rows, sums);
  double s = 0;
  for (int y = 0; y < h; y++)
    s += sums[y];
  g_free (sums);
  *mean = s / n;
  return st;
}
