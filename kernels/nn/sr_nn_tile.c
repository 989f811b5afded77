/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_tile.h"
#include "sr_nn_private.h"

struct _SrNnTile {
  cl_kernel pad, copy;
  SrDType act;                  /* activation storage */
};

SrNnTile *
sr_nn_tile_new (SrRuntime *rt, SrDType act, GError **error)
{
  const char *opts;
  if (!sr_nn_storage_options (act, &opts, error))
    return NULL;
  SrNnTile *op = g_new0 (SrNnTile, 1);
  op->act = act;
  if (!(op->pad = sr_runtime_create_kernel_with_options (rt, "nn_tile",
              opts, "pad", error))
      || !(op->copy = sr_runtime_create_kernel_with_options (rt,
              "nn_tile", opts, "copy_rect", error))) {
    sr_nn_tile_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_tile_free (SrNnTile *op)
{
  if (!op)
    return;
  if (op->pad)
    clReleaseKernel (op->pad);
  if (op->copy)
    clReleaseKernel (op->copy);
  g_free (op);
}

SrStatus
sr_nn_pad_run (SrNnTile *op, cl_command_queue q, SrView in, SrView out,
    int top, int bottom, int left, int right, SrPadMode mode)
{
  if (!sr_nn_view_ok (in, op->act) || !sr_nn_view_ok (out, op->act)
      || sr_nn_views_overlap (in, out) || in.c != out.c
      || top < 0 || bottom < 0 || left < 0 || right < 0
      || (gint64) in.t->h + top + bottom != out.t->h
      || (gint64) in.t->w + left + right != out.t->w
      || (mode != SR_PAD_REFLECT && mode != SR_PAD_ZERO)
      || (mode == SR_PAD_REFLECT && (top >= in.t->h || bottom >= in.t->h
              || left >= in.t->w || right >= in.t->w)))
    return SR_ERR_INVALID_ARGUMENT;
  const int zero = mode == SR_PAD_ZERO;
  cl_kernel k = op->pad;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in.c0);
  e |= SR_ARG (k, 2, in.t->h);
  e |= SR_ARG (k, 3, in.t->w);
  e |= SR_ARG_MEM (k, 4, out.t);
  e |= SR_ARG (k, 5, out.c0);
  e |= SR_ARG (k, 6, out.t->h);
  e |= SR_ARG (k, 7, out.t->w);
  e |= SR_ARG (k, 8, top);
  e |= SR_ARG (k, 9, left);
  e |= SR_ARG (k, 10, zero);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = sr_nn_row_items (out);
  return sr_enqueue (q, k, 1, &g);
}

/* TRUE when [x, x + w) x [y, y + h) lies inside a tensor of tw x th. */
static gboolean
rect_inside (int x, int y, int w, int h, int tw, int th)
{
  return x >= 0 && y >= 0 && (gint64) x + w <= tw && (gint64) y + h <= th;
}

/* A copy within one tensor is allowed where source and destination share
 * no element (a work-item could otherwise read what another wrote). An
 * empty rectangle copies nothing. */
SrStatus
sr_nn_copy_rect_run (SrNnTile *op, cl_command_queue q, SrView in, int sx,
    int sy, SrView out, int dx, int dy, int w, int h)
{
  if (!sr_nn_view_ok (in, op->act) || !sr_nn_view_ok (out, op->act)
      || in.c != out.c
      || w < 0 || h < 0 || !rect_inside (sx, sy, w, h, in.t->w, in.t->h)
      || !rect_inside (dx, dy, w, h, out.t->w, out.t->h))
    return SR_ERR_INVALID_ARGUMENT;
  if (w == 0 || h == 0)
    return SR_OK;
  if (sr_nn_views_overlap (in, out) && sx < dx + w && dx < sx + w
      && sy < dy + h && dy < sy + h)
    return SR_ERR_INVALID_ARGUMENT;
  cl_kernel k = op->copy;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in.c0);
  e |= SR_ARG (k, 2, in.t->h);
  e |= SR_ARG (k, 3, in.t->w);
  e |= SR_ARG (k, 4, sx);
  e |= SR_ARG (k, 5, sy);
  e |= SR_ARG_MEM (k, 6, out.t);
  e |= SR_ARG (k, 7, out.c0);
  e |= SR_ARG (k, 8, out.t->h);
  e |= SR_ARG (k, 9, out.t->w);
  e |= SR_ARG (k, 10, dx);
  e |= SR_ARG (k, 11, dy);
  e |= SR_ARG (k, 12, w);
  e |= SR_ARG (k, 13, h);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = (size_t) ((w + SR_NN_SEG - 1) / SR_NN_SEG) * h * out.c;
  return sr_enqueue (q, k, 1, &g);
}
