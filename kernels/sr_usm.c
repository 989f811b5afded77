/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_usm.h"
#include "sr_conv2d.h"

#include <math.h>

struct SrUsm {
  SrRuntime *rt;
  SrConv2d *conv;
  cl_kernel mask, blend;
  SrTensor *blur, *mask_t, *soft;     /* scratch, reused across frames */
  float *factor;                      /* the 1-D Gaussian, float32 */
  int factor_n;
  double factor_sigma;
};

void
sr_usm_gaussian (double *out, int n, double sigma)
{
  if (sigma <= 0)
    sigma = 0.3 * ((n - 1) * 0.5 - 1) + 0.8;
  double sum = 0;
  for (int i = 0; i < n; i++) {
    const double x = i - (n - 1) * 0.5;
    out[i] = exp (-x * x / (2 * sigma * sigma));
    sum += out[i];
  }
  for (int i = 0; i < n; i++)
    out[i] /= sum;
}

int
sr_usm_kernel_size (int radius)
{
  return radius % 2 == 0 ? radius + 1 : radius;
}

SrUsm *
sr_usm_new (SrRuntime *rt, GError **error)
{
  SrUsm *op = g_new0 (SrUsm, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->conv = sr_conv2d_new (rt, error))
      || !(op->mask = sr_runtime_create_kernel (rt, "usm", "usm_mask", error))
      || !(op->blend = sr_runtime_create_kernel (rt, "usm", "usm_blend", error))) {
    sr_usm_free (op);
    return NULL;
  }
  return op;
}

void
sr_usm_free (SrUsm *op)
{
  if (!op)
    return;
  sr_conv2d_free (op->conv);
  if (op->mask)
    clReleaseKernel (op->mask);
  if (op->blend)
    clReleaseKernel (op->blend);
  sr_tensor_unref (op->blur);
  sr_tensor_unref (op->mask_t);
  sr_tensor_unref (op->soft);
  g_free (op->factor);
  sr_runtime_unref (op->rt);
  g_free (op);
}

SrStatus
sr_usm_run (SrUsm *op, cl_command_queue q, const SrTensor *src, SrTensor *dst,
    int n, double sigma, double weight, double threshold)
{
  if (n < 1 || n % 2 == 0 || src->h <= n / 2 || src->w <= n / 2
      || dst->bytes != src->bytes || dst == src)
    return SR_ERR_INVALID_ARGUMENT;
  if (op->factor_n != n || op->factor_sigma != sigma) {
    /* K = k1 k1^T (BasicSR builds it in float64): run it as two passes. */
    double *k = g_new (double, n);
    sr_usm_gaussian (k, n, sigma);
    g_free (op->factor);
    op->factor = g_new (float, n);
    for (int i = 0; i < n; i++)
      op->factor[i] = (float) k[i];
    g_free (k);
    op->factor_n = n;
    op->factor_sigma = sigma;
  }
  SrTensor *blur = sr_tensor_reuse (op->rt, q, &op->blur, src->n, src->c, src->h,
      src->w, SR_DTYPE_F32);
  SrTensor *mask = sr_tensor_reuse (op->rt, q, &op->mask_t, src->n, src->c,
      src->h, src->w, SR_DTYPE_F32);
  SrTensor *soft = sr_tensor_reuse (op->rt, q, &op->soft, src->n, src->c, src->h,
      src->w, SR_DTYPE_F32);
  if (!blur || !mask || !soft)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;

  SrStatus st = sr_conv2d_run_separable (op->conv, q, src, blur, op->factor,
      op->factor, n);
  if (st != SR_OK)
    return st;
  const float thr = (float) threshold, w = (float) weight;
  const size_t global = sr_tensor_numel (src);
  cl_int e = 0;
  e |= SR_ARG_MEM (op->mask, 0, src);
  e |= SR_ARG_MEM (op->mask, 1, blur);
  e |= SR_ARG_MEM (op->mask, 2, mask);
  e |= SR_ARG (op->mask, 3, thr);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  if ((st = sr_enqueue (q, op->mask, 1, &global)) != SR_OK)
    return st;
  if ((st = sr_conv2d_run_separable (op->conv, q, mask, soft, op->factor,
              op->factor, n)) != SR_OK)
    return st;
  e |= SR_ARG_MEM (op->blend, 0, src);
  e |= SR_ARG_MEM (op->blend, 1, blur);
  e |= SR_ARG_MEM (op->blend, 2, soft);
  e |= SR_ARG_MEM (op->blend, 3, dst);
  e |= SR_ARG (op->blend, 4, w);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  return sr_enqueue (q, op->blend, 1, &global);
}
