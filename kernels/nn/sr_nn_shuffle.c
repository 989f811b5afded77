/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_shuffle.h"
#include "sr_nn_private.h"

struct _SrNnShuffle {
  cl_kernel shuffle, unshuffle;
  SrDType act;                  /* activation storage */
};

/* Far beyond any model's factor; keeps r * r * C and r * H in int range
 * together with the plane check. */
#define MAX_FACTOR 64

SrNnShuffle *
sr_nn_shuffle_new (SrRuntime *rt, SrDType act, GError **error)
{
  const char *opts;
  if (!sr_nn_storage_options (act, &opts, error))
    return NULL;
  SrNnShuffle *op = g_new0 (SrNnShuffle, 1);
  op->act = act;
  if (!(op->shuffle = sr_runtime_create_kernel_with_options (rt, "nn_shuffle",
              opts, "pixel_shuffle", error))
      || !(op->unshuffle = sr_runtime_create_kernel_with_options (rt,
              "nn_shuffle", opts, "pixel_unshuffle", error))) {
    sr_nn_shuffle_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_shuffle_free (SrNnShuffle *op)
{
  if (!op)
    return;
  if (op->shuffle)
    clReleaseKernel (op->shuffle);
  if (op->unshuffle)
    clReleaseKernel (op->unshuffle);
  g_free (op);
}

/* small: C*r*r channels of H x W; big: C channels of rH x rW. */
static gboolean
shapes_ok (SrView small, SrView big, int r, SrDType act)
{
  return r >= 1 && r <= MAX_FACTOR && sr_nn_view_ok (small, act)
      && sr_nn_view_ok (big, act) && !sr_nn_views_overlap (small, big)
      && (gint64) big.c * r * r == small.c
      && (gint64) small.t->h * r == big.t->h
      && (gint64) small.t->w * r == big.t->w;
}

SrStatus
sr_nn_pixel_shuffle_run (SrNnShuffle *op, cl_command_queue q, SrView in,
    SrView out, int r, SrShuffleOrder order)
{
  if (!shapes_ok (in, out, r, op->act)
      || (order != SR_SHUFFLE_CRD && order != SR_SHUFFLE_DCR))
    return SR_ERR_INVALID_ARGUMENT;
  const int dcr = order == SR_SHUFFLE_DCR;
  cl_kernel k = op->shuffle;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in.c0);
  e |= SR_ARG_MEM (k, 2, out.t);
  e |= SR_ARG (k, 3, out.c0);
  e |= SR_ARG (k, 4, out.c);
  e |= SR_ARG (k, 5, in.t->h);
  e |= SR_ARG (k, 6, in.t->w);
  e |= SR_ARG (k, 7, r);
  e |= SR_ARG (k, 8, dcr);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = sr_nn_row_items (out);
  return sr_enqueue (q, k, 1, &g);
}

SrStatus
sr_nn_pixel_unshuffle_run (SrNnShuffle *op, cl_command_queue q, SrView in,
    SrView out, int r)
{
  if (!shapes_ok (out, in, r, op->act))
    return SR_ERR_INVALID_ARGUMENT;
  cl_kernel k = op->unshuffle;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in.c0);
  e |= SR_ARG_MEM (k, 2, out.t);
  e |= SR_ARG (k, 3, out.c0);
  e |= SR_ARG (k, 4, out.t->h);
  e |= SR_ARG (k, 5, out.t->w);
  e |= SR_ARG (k, 6, r);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = sr_nn_row_items (out);
  return sr_enqueue (q, k, 1, &g);
}
