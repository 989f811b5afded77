/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_noise.h"
#include "sr_philox.h"

#define MASK_GROUP 64           /* as noise.cl: local size of the level masks */
#define MASK_PER_ITEM 32        /* values per work item */
#define POIS_CDF 64             /* as noise.cl */
#define POIS_WIN 256
#define POIS_CHUNK 256
#define POIS_LOCAL 256          /* work-group size of the fast Poisson kernels */

struct SrNoise {
  SrRuntime *rt;
  cl_kernel gaussian, gaussian3, gaussian3_gray, correlated;
  cl_kernel level_mask, level_mask_gray;
  cl_kernel poisson_table, poisson_fast, poisson_gray_fast, poisson_slow;
  cl_kernel clamp, speckle, poisson_kair;   /* KAIR's (BSRGAN, BSRGAN+) */
  cl_kernel level_mask_gray601, mmagic, round8;   /* mmagic's (RealBasicVSR) */
  SrTensor *mask;               /* [N,1,1,8] level bit masks, reused */
  SrTensor *tab, *cdf, *lpt;    /* Poisson per-level tables */
  SrTensor *flags;              /* Poisson samples left to the slow path */
};

SrNoise *
sr_noise_new (SrRuntime *rt, GError **error)
{
  SrNoise *op = g_new0 (SrNoise, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->gaussian = sr_runtime_create_kernel (rt, "noise", "noise_gaussian",
              error))
      || !(op->gaussian3 = sr_runtime_create_kernel (rt, "noise",
              "noise_gaussian3", error))
      || !(op->gaussian3_gray = sr_runtime_create_kernel (rt, "noise",
              "noise_gaussian3_gray", error))
      || !(op->correlated = sr_runtime_create_kernel (rt, "noise",
              "noise_correlated", error))
      || !(op->level_mask = sr_runtime_create_kernel (rt, "noise",
              "noise_level_mask", error))
      || !(op->level_mask_gray = sr_runtime_create_kernel (rt, "noise",
              "noise_level_mask_gray", error))
      || !(op->poisson_table = sr_runtime_create_kernel (rt, "noise",
              "noise_poisson_table", error))
      || !(op->poisson_fast = sr_runtime_create_kernel (rt, "noise",
              "noise_poisson_fast", error))
      || !(op->poisson_gray_fast = sr_runtime_create_kernel (rt, "noise",
              "noise_poisson_gray_fast", error))
      || !(op->poisson_slow = sr_runtime_create_kernel (rt, "noise",
              "noise_poisson_slow", error))
      || !(op->clamp = sr_runtime_create_kernel (rt, "noise", "noise_clamp",
              error))
      || !(op->speckle = sr_runtime_create_kernel (rt, "noise",
              "noise_speckle", error))
      || !(op->poisson_kair = sr_runtime_create_kernel (rt, "noise",
              "noise_poisson_kair", error))
      || !(op->level_mask_gray601 = sr_runtime_create_kernel (rt, "noise",
              "noise_level_mask_gray601", error))
      || !(op->mmagic = sr_runtime_create_kernel (rt, "noise", "noise_mmagic",
              error))
      || !(op->round8 = sr_runtime_create_kernel (rt, "noise", "noise_round8",
              error))) {
    sr_noise_free (op);
    return NULL;
  }
  return op;
}

void
sr_noise_free (SrNoise *op)
{
  if (!op)
    return;
  cl_kernel *k[] = { &op->gaussian, &op->gaussian3, &op->gaussian3_gray,
    &op->correlated, &op->level_mask, &op->level_mask_gray,
    &op->poisson_table, &op->poisson_fast, &op->poisson_gray_fast,
    &op->poisson_slow, &op->clamp, &op->speckle,
    &op->poisson_kair, &op->level_mask_gray601, &op->mmagic, &op->round8 };
  for (guint i = 0; i < G_N_ELEMENTS (k); i++)
    if (*k[i])
      clReleaseKernel (*k[i]);
  sr_tensor_unref (op->mask);
  sr_tensor_unref (op->tab);
  sr_tensor_unref (op->cdf);
  sr_tensor_unref (op->lpt);
  sr_tensor_unref (op->flags);
  sr_runtime_unref (op->rt);
  g_free (op);
}

static gboolean
shapes_ok (const SrTensor *src, const SrTensor *dst)
{
  return src->dtype == SR_DTYPE_F32 && dst->dtype == SR_DTYPE_F32
      && src->n == dst->n && src->c == dst->c && src->h == dst->h
      && src->w == dst->w && src->c >= 1
      && sr_tensor_numel (src) < SR_PHILOX_MAX_ELEMENTS;
}

/* Sets the five stream arguments from `first` on. */
static cl_int
set_stream_args (cl_kernel k, cl_uint first, guint64 seed, guint64 index,
    guint32 op_id)
{
  const cl_uint v[5] = { (cl_uint) seed, (cl_uint) (seed >> 32), op_id,
    (cl_uint) index, (cl_uint) (index >> 32) };
  cl_int e = 0;
  for (cl_uint i = 0; i < 5; i++)
    e |= clSetKernelArg (k, first + i, sizeof (cl_uint), &v[i]);
  return e;
}

/* A 2-D launch as sr_enqueue's (dim 0 in groups of lx, the remainder at
 * an offset in groups of 1) with a wider group: PoCL's CPU device pays a
 * fixed cost per work group, which at 16 items is a good part of a cheap
 * kernel's time. For kernels that index by get_global_id only. */
static SrStatus
enqueue_wide (cl_command_queue q, cl_kernel k, const size_t global[2],
    size_t lx)
{
  if (global[0] == 0 || global[1] == 0)
    return SR_OK;
  const size_t bulk = global[0] / lx * lx;
  cl_int e = CL_SUCCESS;
  if (bulk) {
    const size_t g[2] = { bulk, global[1] }, l[2] = { lx, 1 };
    e = clEnqueueNDRangeKernel (q, k, 2, NULL, g, l, 0, NULL, NULL);
  }
  if (e == CL_SUCCESS && global[0] > bulk) {
    const size_t o[2] = { bulk, 0 }, g[2] = { global[0] - bulk, global[1] };
    const size_t l[2] = { 1, 1 };
    e = clEnqueueNDRangeKernel (q, k, 2, o, g, l, 0, NULL, NULL);
  }
  return sr_status_from_cl (e);
}

SrStatus
sr_noise_gaussian_run (SrNoise *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, guint64 seed, guint64 index, guint32 op_id, double sigma,
    gboolean gray)
{
  /* A pixel's stream holds 64 words, 4 normals per block. */
  if (!shapes_ok (src, dst) || src->c > 4 * SR_PHILOX_MAX_BLOCKS
      || !(sigma >= 0))
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int hw = src->h * src->w, channels = src->c, g = gray ? 1 : 0;
  const cl_float std = (cl_float) (sigma / 255.0);
  const size_t global[2] = { (size_t) hw, (size_t) src->n };
  cl_int e = 0;
  if (channels == 3) {
    /* the common case, straight-line kernels (same bits) */
    cl_kernel k = gray ? op->gaussian3_gray : op->gaussian3;
    e |= SR_ARG_MEM (k, 0, src);
    e |= SR_ARG_MEM (k, 1, dst);
    e |= SR_ARG (k, 2, hw);
    e |= SR_ARG (k, 3, std);
    e |= set_stream_args (k, 4, seed, index, op_id);
    if (e != CL_SUCCESS)
      return SR_ERR_INVALID_KERNEL_ARGS;
    return sr_enqueue (q, k, 2, global);
  }
  e |= SR_ARG_MEM (op->gaussian, 0, src);
  e |= SR_ARG_MEM (op->gaussian, 1, dst);
  e |= SR_ARG (op->gaussian, 2, hw);
  e |= SR_ARG (op->gaussian, 3, channels);
  e |= SR_ARG (op->gaussian, 4, std);
  e |= SR_ARG (op->gaussian, 5, g);
  e |= set_stream_args (op->gaussian, 6, seed, index, op_id);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  return sr_enqueue (q, op->gaussian, 2, global);
}

SrStatus
sr_noise_correlated_run (SrNoise *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, guint64 seed, guint64 index, guint32 op_id,
    const double factor[9])
{
  if (!shapes_ok (src, dst) || src->c != 3)
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int hw = src->h * src->w;
  cl_float16 f = { { 0 } };
  for (int i = 0; i < 9; i++)
    f.s[i] = (cl_float) factor[i];
  cl_int e = 0;
  e |= SR_ARG_MEM (op->correlated, 0, src);
  e |= SR_ARG_MEM (op->correlated, 1, dst);
  e |= SR_ARG (op->correlated, 2, hw);
  e |= SR_ARG (op->correlated, 3, f);
  e |= set_stream_args (op->correlated, 4, seed, index, op_id);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t global[2] = { (size_t) hw, (size_t) src->n };
  return sr_enqueue (q, op->correlated, 2, global);
}

/* Which 8-bit levels occur in each image of src (the mask of op, zeroed
 * first), through the level-mask kernel mk: over every sample, or over
 * one gray value per pixel. NULL with *st on failure. */
static SrTensor *
level_mask (SrNoise *op, cl_command_queue q, const SrTensor *src, cl_kernel mk,
    gboolean per_pixel, SrStatus *st)
{
  const cl_int hw = src->h * src->w, channels = src->c;
  SrTensor *mask = sr_tensor_reuse (op->rt, q, &op->mask, src->n, 1, 1, 8,
      SR_DTYPE_I32);
  *st = SR_ERR_OUT_OF_DEVICE_MEMORY;
  if (!mask)
    return NULL;
  const cl_uint zero = 0;
  cl_int e = clEnqueueFillBuffer (q, mask->mem, &zero, sizeof zero, 0,
      mask->bytes, 0, NULL, NULL);
  const size_t count = per_pixel ? (size_t) hw : (size_t) channels * hw;
  const size_t groups = (count + MASK_GROUP * MASK_PER_ITEM - 1)
      / (MASK_GROUP * MASK_PER_ITEM);
  e |= SR_ARG_MEM (mk, 0, src);
  e |= SR_ARG_MEM (mk, 1, mask);
  e |= SR_ARG (mk, 2, hw);
  if (!per_pixel)
    e |= SR_ARG (mk, 3, channels);
  const size_t mglobal[2] = { groups * MASK_GROUP, (size_t) src->n };
  const size_t mlocal[2] = { MASK_GROUP, 1 };
  if (e == CL_SUCCESS)
    e = clEnqueueNDRangeKernel (q, mk, 2, NULL, mglobal, mlocal, 0, NULL, NULL);
  *st = sr_status_from_cl (e);
  return e == CL_SUCCESS ? mask : NULL;
}

SrStatus
sr_noise_poisson_run (SrNoise *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, guint64 seed, guint64 index, guint32 op_id, double scale,
    gboolean gray)
{
  if (!shapes_ok (src, dst) || (gray && src->c != 3) || !(scale >= 0))
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int hw = src->h * src->w, channels = src->c, g = gray ? 1 : 0;
  const cl_float s = (cl_float) scale;

  /* 1. which levels occur, per image */
  SrStatus st;
  SrTensor *mask = level_mask (op, q, src, gray ? op->level_mask_gray
      : op->level_mask, gray, &st);
  if (!mask)
    return st;
  const size_t count = gray ? (size_t) hw : (size_t) channels * hw;
  cl_int e = CL_SUCCESS;
  const cl_uint zero = 0;

  /* 2. per-level tables, from the mask on the device (no host sync) */
  const int n = src->n;
  const size_t total = count * (size_t) n;
  const int itotal = (int) total;
  const size_t nchunks = (total + POIS_CHUNK - 1) / POIS_CHUNK;
  SrTensor *tab = sr_tensor_reuse (op->rt, q, &op->tab, n, 1, 256, 8,
      SR_DTYPE_F32);
  SrTensor *cdf = sr_tensor_reuse (op->rt, q, &op->cdf, n, 1, 256, POIS_CDF,
      SR_DTYPE_F32);
  SrTensor *lpt = sr_tensor_reuse (op->rt, q, &op->lpt, n, 1, 256, POIS_WIN,
      SR_DTYPE_F32);
  /* whole chunks: the slow kernel scans them as uint4; the tail past total
   * is zeroed here (the fast kernel writes every flag below total) */
  SrTensor *flags = sr_tensor_reuse (op->rt, q, &op->flags, 1, 1,
      (int) nchunks, POIS_CHUNK, SR_DTYPE_U8);
  if (!tab || !cdf || !lpt || !flags)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  if (nchunks * POIS_CHUNK > total)
    e = clEnqueueFillBuffer (q, flags->mem, &zero, 1, total,
        nchunks * POIS_CHUNK - total, 0, NULL, NULL);
  e |= SR_ARG_MEM (op->poisson_table, 0, mask);
  e |= SR_ARG_MEM (op->poisson_table, 1, tab);
  e |= SR_ARG_MEM (op->poisson_table, 2, cdf);
  e |= SR_ARG_MEM (op->poisson_table, 3, lpt);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t tglobal[2] = { 256, (size_t) n };
  st = sr_enqueue (q, op->poisson_table, 2, tglobal);
  if (st != SR_OK)
    return st;

  /* 3. the noise: the straight-line common path, then what it left */
  cl_kernel k = gray ? op->poisson_gray_fast : op->poisson_fast;
  cl_uint a = 0;
  e |= SR_ARG_MEM (k, a++, src);
  e |= SR_ARG_MEM (k, a++, dst);
  e |= SR_ARG_MEM (k, a++, tab);
  e |= SR_ARG_MEM (k, a++, cdf);
  e |= SR_ARG_MEM (k, a++, lpt);
  e |= SR_ARG_MEM (k, a++, flags);
  e |= SR_ARG (k, a++, hw);
  if (!gray)
    e |= SR_ARG (k, a++, channels);
  e |= SR_ARG (k, a++, s);
  e |= set_stream_args (k, a, seed, index, op_id);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t global[2] = { count, (size_t) n };
  if ((st = enqueue_wide (q, k, global, POIS_LOCAL)) != SR_OK)
    return st;
  k = op->poisson_slow;
  a = 0;
  e |= SR_ARG_MEM (k, a++, src);
  e |= SR_ARG_MEM (k, a++, dst);
  e |= SR_ARG_MEM (k, a++, tab);
  e |= SR_ARG_MEM (k, a++, flags);
  e |= SR_ARG (k, a++, itotal);
  e |= SR_ARG (k, a++, hw);
  e |= SR_ARG (k, a++, channels);
  e |= SR_ARG (k, a++, g);
  e |= SR_ARG (k, a++, s);
  e |= set_stream_args (k, a, seed, index, op_id);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  return sr_enqueue (q, k, 1, &nchunks);
}

/* An elementwise kernel (src, dst) over every sample. */
static SrStatus
elementwise (cl_kernel k, cl_command_queue q, const SrTensor *src, SrTensor *dst)
{
  if (!shapes_ok (src, dst))
    return SR_ERR_INVALID_ARGUMENT;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, src);
  e |= SR_ARG_MEM (k, 1, dst);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t global[1] = { sr_tensor_numel (src) };
  return sr_enqueue (q, k, 1, global);
}

SrStatus
sr_noise_clamp_run (SrNoise *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst)
{
  return elementwise (op->clamp, q, src, dst);
}

SrStatus
sr_noise_round8_run (SrNoise *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst)
{
  return elementwise (op->round8, q, src, dst);
}

SrStatus
sr_noise_speckle_run (SrNoise *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, guint64 seed, guint64 index, guint32 op_id, double sigma,
    gboolean gray, const double factor[9])
{
  if (!shapes_ok (src, dst) || src->c != 3 || !(sigma >= 0))
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int hw = src->h * src->w, mode = factor ? 2 : gray ? 1 : 0;
  const cl_float std = (cl_float) (sigma / 255.0);
  cl_float16 f = { { 0 } };
  for (int i = 0; factor && i < 9; i++)
    f.s[i] = (cl_float) factor[i];
  cl_int e = 0;
  e |= SR_ARG_MEM (op->speckle, 0, src);
  e |= SR_ARG_MEM (op->speckle, 1, dst);
  e |= SR_ARG (op->speckle, 2, hw);
  e |= SR_ARG (op->speckle, 3, mode);
  e |= SR_ARG (op->speckle, 4, std);
  e |= SR_ARG (op->speckle, 5, f);
  e |= set_stream_args (op->speckle, 6, seed, index, op_id);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t global[2] = { (size_t) hw, (size_t) src->n };
  return sr_enqueue (q, op->speckle, 2, global);
}

SrStatus
sr_noise_poisson_kair_run (SrNoise *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, guint64 seed, guint64 index, guint32 op_id, double vals,
    gboolean gray)
{
  if (!shapes_ok (src, dst) || src->c != 3 || !(vals > 0))
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int hw = src->h * src->w, g = gray ? 1 : 0;
  const cl_float v = (cl_float) vals;
  cl_int e = 0;
  e |= SR_ARG_MEM (op->poisson_kair, 0, src);
  e |= SR_ARG_MEM (op->poisson_kair, 1, dst);
  e |= SR_ARG (op->poisson_kair, 2, hw);
  e |= SR_ARG (op->poisson_kair, 3, v);
  e |= SR_ARG (op->poisson_kair, 4, g);
  e |= set_stream_args (op->poisson_kair, 5, seed, index, op_id);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t global[2] = { (size_t) hw, (size_t) src->n };
  return sr_enqueue (q, op->poisson_kair, 2, global);
}

SrStatus
sr_noise_mmagic_run (SrNoise *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, guint64 seed, guint64 index, guint32 op_id, gboolean poisson,
    double value, gboolean gray)
{
  if (!shapes_ok (src, dst) || src->c != 3 || !(value >= 0))
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int hw = src->h * src->w, p = poisson ? 1 : 0, g = gray ? 1 : 0;
  const cl_float v = (cl_float) value;
  SrStatus st;
  /* The Gaussian branch reads no mask; it gets the colour one anyway. */
  SrTensor *mask = level_mask (op, q, src, gray && poisson ? op->level_mask_gray601
      : op->level_mask, gray && poisson, &st);
  if (!mask)
    return st;
  cl_int e = 0;
  cl_uint a = 0;
  e |= SR_ARG_MEM (op->mmagic, a++, src);
  e |= SR_ARG_MEM (op->mmagic, a++, dst);
  e |= SR_ARG_MEM (op->mmagic, a++, mask);
  e |= SR_ARG (op->mmagic, a++, hw);
  e |= SR_ARG (op->mmagic, a++, p);
  e |= SR_ARG (op->mmagic, a++, g);
  e |= SR_ARG (op->mmagic, a++, v);
  e |= set_stream_args (op->mmagic, a, seed, index, op_id);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t global[2] = { (size_t) hw, (size_t) src->n };
  return sr_enqueue (q, op->mmagic, 2, global);
}
