/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_conv2d_gemm.h"
#include "sr_nn_gemm.h"
#include "sr_nn_private.h"


struct _SrNnConv2dGemm {
  SrRuntime *rt;
  SrNnConv2dParams p;
  int K;                        /* cin * kh * kw: the GEMM's inner size */
  gboolean one_by_one;          /* 1x1, stride 1, no padding: no im2col */
  gboolean need_epilogue;       /* bias, activation or residual */
  size_t scratch_floats;        /* cap on both scratch buffers together */
  cl_kernel im2col, epilogue;
  SrNnConvBuffers buf;          /* wt: OIHW as it is, [cout][K] */
  SrTensor *col, *res;          /* scratch: im2col band, GEMM result */
};

SrNnConv2dGemm *
sr_nn_conv2d_gemm_new (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu,
    GError **error)
{
  SrNnConv2dGemm *g = g_new0 (SrNnConv2dGemm, 1);
  g->rt = sr_runtime_ref (rt);
  g->p = *p;
  g->K = p->cin * p->kh * p->kw;
  g->one_by_one = p->kh == 1 && p->kw == 1 && p->stride_h == 1
      && p->stride_w == 1 && p->pad_top == 0 && p->pad_bottom == 0
      && p->pad_left == 0 && p->pad_right == 0;
  /* Without these the GEMM's result is the output. */
  g->need_epilogue = bias || p->act.kind != SR_ACT_NONE;

  cl_ulong max_alloc = 0;
  clGetDeviceInfo (sr_runtime_device (rt), CL_DEVICE_MAX_MEM_ALLOC_SIZE,
      sizeof max_alloc, &max_alloc, NULL);
  g->scratch_floats = MIN (SR_NN_CONV2D_GEMM_SCRATCH,
      max_alloc ? max_alloc : SR_NN_CONV2D_GEMM_SCRATCH) / sizeof (float);

  char *opts = g_strdup_printf ("-DSEG=%d", SR_NN_SEG);
  if ((!g->one_by_one && !(g->im2col = sr_runtime_create_kernel_with_options
              (rt, "nn_conv2d_gemm", opts, "conv_im2col", error)))
      || !(g->epilogue = sr_runtime_create_kernel_with_options (rt,
              "nn_conv2d_gemm", opts, "conv_gemm_epilogue", error))
      || !sr_nn_conv_buffers_upload (&g->buf, rt, weight,
          (size_t) p->cout * g->K, "conv2d gemm weights", bias, prelu,
          p->cout, 1, error)) {
    g_free (opts);
    sr_nn_conv2d_gemm_free (g);
    return NULL;
  }
  g_free (opts);

  const SrAct *a = &p->act;
  const cl_int act = a->kind;
  cl_int err = CL_SUCCESS;
  if (g->im2col) {
    err |= SR_ARG (g->im2col, 5, p->kh);
    err |= SR_ARG (g->im2col, 6, p->kw);
    err |= SR_ARG (g->im2col, 7, p->stride_h);
    err |= SR_ARG (g->im2col, 8, p->stride_w);
    err |= SR_ARG (g->im2col, 9, p->pad_top);
    err |= SR_ARG (g->im2col, 10, p->pad_left);
  }
  err |= SR_ARG (g->epilogue, 11, g->buf.bias);
  err |= SR_ARG (g->epilogue, 12, g->buf.slope);
  err |= SR_ARG (g->epilogue, 13, act);
  err |= SR_ARG (g->epilogue, 14, a->alpha);
  err |= SR_ARG (g->epilogue, 15, a->lo);
  err |= SR_ARG (g->epilogue, 16, a->hi);
  if (err != CL_SUCCESS) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_KERNEL_ARGS,
        "conv2d (gemm): setting kernel arguments failed");
    sr_nn_conv2d_gemm_free (g);
    return NULL;
  }
  return g;
}

void
sr_nn_conv2d_gemm_free (SrNnConv2dGemm *g)
{
  if (!g)
    return;
  if (g->im2col)
    clReleaseKernel (g->im2col);
  if (g->epilogue)
    clReleaseKernel (g->epilogue);
  sr_nn_conv_buffers_release (&g->buf);
  sr_tensor_unref (g->col);
  sr_tensor_unref (g->res);
  sr_runtime_unref (g->rt);
  g_free (g);
}

static size_t
round16 (size_t n)
{
  return (n + 15) / 16 * 16;
}

SrStatus
sr_nn_conv2d_gemm_run (SrNnConv2dGemm *g, cl_command_queue q, SrView in,
    SrView out, const SrView *skip)
{
  const SrNnConv2dParams *p = &g->p;
  const cl_int ih = in.t->h, iw = in.t->w;
  int oh, ow;
  sr_nn_conv2d_out_size (p, ih, iw, &oh, &ow);
  const size_t plane = (size_t) oh * ow;
  /* An in-place residual: the GEMM must not overwrite the skip before the
   * epilogue reads it, so it writes a scratch. */
  const gboolean inplace = skip && sr_nn_views_same (*skip, out);

  /* Output rows per band, as many as the scratch cap allows, then evened
   * out over the bands. */
  const size_t per_row = (g->one_by_one ? 0 : (size_t) g->K * ow)
      + (inplace ? (size_t) p->cout * ow : 0);
  int rows = oh;
  if (per_row) {
    const size_t fit = g->scratch_floats / per_row;
    if (fit == 0)
      return SR_ERR_OUT_OF_RESOURCES;
    rows = (int) MIN ((size_t) oh, fit);
    const int bands = (oh + rows - 1) / rows;
    rows = (oh + bands - 1) / bands;
  }
  SrTensor *col = NULL, *res = NULL;
  if (!g->one_by_one
      && !(col = sr_tensor_reuse (g->rt, q, &g->col, 1, 1, 1,
              g->K * rows * ow, SR_DTYPE_F32)))
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  if (inplace && !(res = sr_tensor_reuse (g->rt, q, &g->res, 1, 1, 1,
              p->cout * rows * ow, SR_DTYPE_F32)))
    return SR_ERR_OUT_OF_DEVICE_MEMORY;

  const cl_int in_off = in.c0 * ih * iw, out_off = out.c0 * (cl_int) plane;
  const cl_int out_ld = plane;
  const cl_int has_skip = skip != NULL;
  const float rs = skip ? p->res_scale : 1.0f;
  const float ss = skip ? p->skip_scale : 0.0f;
  const cl_mem skip_mem = skip ? skip->t->mem : out.t->mem;
  const SrNnMatrix A = sr_nn_matrix (g->buf.wt, 0, g->K);
  cl_int err = CL_SUCCESS;
  if (col) {
    err |= SR_ARG_MEM (g->im2col, 0, in.t);
    err |= SR_ARG (g->im2col, 1, in_off);
    err |= SR_ARG (g->im2col, 2, ih);
    err |= SR_ARG (g->im2col, 3, iw);
    err |= SR_ARG_MEM (g->im2col, 4, col);
    err |= SR_ARG (g->im2col, 11, ow);
  }
  err |= SR_ARG_MEM (g->epilogue, 3, out.t);
  err |= SR_ARG (g->epilogue, 5, out_ld);
  err |= SR_ARG (g->epilogue, 6, skip_mem);
  err |= SR_ARG (g->epilogue, 8, has_skip);
  err |= SR_ARG (g->epilogue, 9, rs);
  err |= SR_ARG (g->epilogue, 10, ss);
  if (err != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;

  for (int y0 = 0; y0 < oh; y0 += rows) {
    const cl_int nr = MIN (rows, oh - y0), n = nr * ow;
    const cl_int band = y0 * ow;
    SrNnMatrix B;
    if (col) {
      err |= SR_ARG (g->im2col, 12, y0);
      err |= SR_ARG (g->im2col, 13, nr);
      if (err != CL_SUCCESS)
        return SR_ERR_INVALID_KERNEL_ARGS;
      const size_t global[2] = {
        round16 ((size_t) (ow + SR_NN_SEG - 1) / SR_NN_SEG * nr), g->K
      };
      SrStatus st = sr_enqueue (q, g->im2col, 2, global);
      if (st != SR_OK)
        return st;
      B = sr_nn_matrix (col->mem, 0, n);
    } else {
      /* 1x1, stride 1, unpadded: the input plane is the matrix. */
      B = sr_nn_matrix (in.t->mem, in_off + band, (size_t) ih * iw);
    }
    const SrNnMatrix C = res ? sr_nn_matrix (res->mem, 0, n)
        : sr_nn_matrix (out.t->mem, out_off + band, plane);
    GError *error = NULL;
    if (!sr_nn_gemm (q, FALSE, FALSE, p->cout, n, g->K, 1.0f, A, B, 0.0f, C,
            &error)) {
      const SrStatus st = error->code;
      g_warning ("gst-sr: conv2d (gemm): %s", error->message);
      g_error_free (error);
      return st != SR_OK ? st : SR_ERR_OPENCL;
    }
    if (!g->need_epilogue && !skip)
      continue;
    const cl_int src_off = C.offset, src_ld = C.ld;
    const cl_int dst_off = out_off + band;
    const cl_int skip_off = (skip ? skip->c0 * (cl_int) plane : 0) + band;
    err |= clSetKernelArg (g->epilogue, 0, sizeof (cl_mem), &C.mem);
    err |= SR_ARG (g->epilogue, 1, src_off);
    err |= SR_ARG (g->epilogue, 2, src_ld);
    err |= SR_ARG (g->epilogue, 4, dst_off);
    err |= SR_ARG (g->epilogue, 7, skip_off);
    err |= SR_ARG (g->epilogue, 17, n);
    if (err != CL_SUCCESS)
      return SR_ERR_INVALID_KERNEL_ARGS;
    const size_t global[2] = {
      round16 ((size_t) (n + SR_NN_SEG - 1) / SR_NN_SEG), p->cout
    };
    SrStatus st = sr_enqueue (q, g->epilogue, 2, global);
    if (st != SR_OK)
      return st;
  }
  return SR_OK;
}

size_t
sr_nn_conv2d_gemm_weight_bytes (const SrNnConv2dGemm *g)
{
  return g ? g->buf.bytes : 0;
}
