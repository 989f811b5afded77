/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_vq.h"
#include "sr_nn_private.h"

#include <math.h>

/* nn_vq.cl's block of codes: the codebook is padded to a multiple. */
#define CODE_BLOCK 16
#define PIXELS_PER_ITEM 8

struct _SrNnVq {
  SrRuntime *rt;
  int dim, n_codes;
  cl_kernel kernel;
  SrTensor *codes, *norms;      /* [K][D] and ||e_k||^2 */
  SrTensor *index;              /* the last run's indices, reused */
  int last_n;
};

SrNnVq *
sr_nn_vq_new (SrRuntime *rt, const float *embed, int dim, int n_codes,
    GError **error)
{
  if (!embed || dim < 1 || dim > 256 || n_codes < 1 || n_codes > 65536) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "vector quantiser: %d codes of %d values (1..65536 of 1..256)",
        n_codes, dim);
    return NULL;
  }
  SrNnVq *op = g_new0 (SrNnVq, 1);
  op->rt = sr_runtime_ref (rt);
  op->dim = dim;
  op->n_codes = n_codes;
  gchar *options = g_strdup_printf ("-DDIM=%d", dim);
  op->kernel = sr_runtime_create_kernel_with_options (rt, "nn_vq", options,
      "vq_nearest", error);
  g_free (options);
  const int padded = (n_codes + CODE_BLOCK - 1) / CODE_BLOCK * CODE_BLOCK;
  float *codes = g_new0 (float, (size_t) dim * padded);
  float *norms = g_new (float, padded);
  for (int k = n_codes; k < padded; k++)
    norms[k] = INFINITY;        /* never the nearest */
  /* ||e_k||^2 summed over d in order, in float32, as embed.pow (2).sum (0). */
  for (int k = 0; k < n_codes; k++) {
    float s = 0;
    for (int d = 0; d < dim; d++) {
      const float e = embed[(size_t) d * n_codes + k];
      codes[(size_t) k * dim + d] = e;
      s += e * e;
    }
    norms[k] = s;
  }
  cl_command_queue q = op->kernel ? sr_runtime_create_queue (rt, error) : NULL;
  gboolean ok = q
      && (op->codes = sr_tensor_new (rt, 1, 1, padded, dim, SR_DTYPE_F32,
              error))
      && (op->norms = sr_tensor_new (rt, 1, 1, 1, padded, SR_DTYPE_F32,
              error))
      && sr_tensor_write (q, op->codes, codes) == SR_OK
      && sr_tensor_write (q, op->norms, norms) == SR_OK;
  if (q)
    clReleaseCommandQueue (q);
  g_free (codes);
  g_free (norms);
  if (!ok) {
    if (error && !*error)
      g_set_error (error, SR_ERROR, SR_ERR_OUT_OF_RESOURCES,
          "vector quantiser: uploading the codebook failed");
    sr_nn_vq_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_vq_free (SrNnVq *op)
{
  if (!op)
    return;
  if (op->kernel)
    clReleaseKernel (op->kernel);
  sr_tensor_unref (op->codes);
  sr_tensor_unref (op->norms);
  sr_tensor_unref (op->index);
  sr_runtime_unref (op->rt);
  g_free (op);
}

int
sr_nn_vq_dim (const SrNnVq *op)
{
  return op->dim;
}

int
sr_nn_vq_codes (const SrNnVq *op)
{
  return op->n_codes;
}

SrStatus
sr_nn_vq_run (SrNnVq *op, cl_command_queue q, SrView in, SrView out)
{
  if (!sr_nn_view_ok (in, SR_DTYPE_F32) || !sr_nn_view_ok (out, SR_DTYPE_F32)
      || in.c != op->dim || out.c != op->dim || in.t->h != out.t->h
      || in.t->w != out.t->w || sr_nn_views_overlap (in, out))
    return SR_ERR_INVALID_ARGUMENT;
  const int plane = in.t->h * in.t->w;
  SrTensor *index = sr_tensor_reuse (op->rt, q, &op->index, 1, 1, 1, plane,
      SR_DTYPE_I32);
  if (!index)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  cl_kernel k = op->kernel;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in.c0);
  e |= SR_ARG_MEM (k, 2, out.t);
  e |= SR_ARG (k, 3, out.c0);
  e |= SR_ARG (k, 4, plane);
  const int padded = (op->n_codes + CODE_BLOCK - 1) / CODE_BLOCK * CODE_BLOCK;
  e |= SR_ARG (k, 5, padded);
  e |= SR_ARG_MEM (k, 6, op->codes);
  e |= SR_ARG_MEM (k, 7, op->norms);
  e |= SR_ARG_MEM (k, 8, index);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t items = (plane + PIXELS_PER_ITEM - 1) / PIXELS_PER_ITEM;
  const SrStatus st = sr_enqueue (q, k, 1, &items);
  if (st == SR_OK)
    op->last_n = plane;
  return st;
}

int *
sr_nn_vq_last_indices (SrNnVq *op, cl_command_queue q, int *n, int *used)
{
  if (!op->last_n)
    return NULL;
  int *idx = g_new (int, op->last_n);
  if (sr_tensor_read (q, op->index, idx) != SR_OK) {
    g_free (idx);
    return NULL;
  }
  guint8 *seen = g_new0 (guint8, op->n_codes);
  int distinct = 0;
  for (int i = 0; i < op->last_n; i++)
    if (idx[i] >= 0 && idx[i] < op->n_codes && !seen[idx[i]]) {
      seen[idx[i]] = 1;
      distinct++;
    }
  g_free (seen);
  *n = op->last_n;
  *used = distinct;
  return idx;
}
