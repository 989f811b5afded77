/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_upsample.h"
#include "sr_nn_private.h"

struct _SrNnUpsample {
  cl_kernel nearest, bilinear;
  SrDType act;                  /* activation storage */
};

#define MAX_FACTOR 64

SrNnUpsample *
sr_nn_upsample_new (SrRuntime *rt, SrDType act, GError **error)
{
  const char *opts;
  if (!sr_nn_storage_options (act, &opts, error))
    return NULL;
  SrNnUpsample *op = g_new0 (SrNnUpsample, 1);
  op->act = act;
  if (!(op->nearest = sr_runtime_create_kernel_with_options (rt, "nn_upsample",
              opts, "upsample_nearest", error))
      || !(op->bilinear = sr_runtime_create_kernel_with_options (rt,
              "nn_upsample", opts, "upsample_bilinear", error))) {
    sr_nn_upsample_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_upsample_free (SrNnUpsample *op)
{
  if (!op)
    return;
  if (op->nearest)
    clReleaseKernel (op->nearest);
  if (op->bilinear)
    clReleaseKernel (op->bilinear);
  g_free (op);
}

SrStatus
sr_nn_upsample_run (SrNnUpsample *op, cl_command_queue q, SrView in,
    SrView out, int s, SrUpsampleMode mode)
{
  if (s < 1 || s > MAX_FACTOR || !sr_nn_view_ok (in, op->act)
      || !sr_nn_view_ok (out, op->act)
      || sr_nn_views_overlap (in, out) || in.c != out.c
      || (gint64) in.t->h * s != out.t->h || (gint64) in.t->w * s != out.t->w
      || (mode != SR_UPSAMPLE_NEAREST && mode != SR_UPSAMPLE_BILINEAR))
    return SR_ERR_INVALID_ARGUMENT;
  cl_kernel k = mode == SR_UPSAMPLE_NEAREST ? op->nearest : op->bilinear;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in.c0);
  e |= SR_ARG_MEM (k, 2, out.t);
  e |= SR_ARG (k, 3, out.c0);
  e |= SR_ARG (k, 4, in.t->h);
  e |= SR_ARG (k, 5, in.t->w);
  e |= SR_ARG (k, 6, s);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  /* nearest: a work-item per run of 8 input pixels (nn_upsample.cl). */
  const size_t g = mode == SR_UPSAMPLE_NEAREST
      ? (size_t) ((in.t->w + 7) / 8) * in.t->h * in.c : sr_nn_row_items (out);
  return sr_enqueue (q, k, 1, &g);
}
