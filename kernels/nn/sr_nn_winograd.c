/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_winograd.h"

#include "sr_nn_private.h"

#include <string.h>

/* Input channels per chunk at most: the kernel keeps the transformed
 * patches of one chunk (36 x CB x tiles floats) in private memory. */
#define MAX_CB 32

struct _SrNnWinograd {
  SrRuntime *rt;
  SrNnConv2dParams p;
  int ocb, tiles, cb, nchunk;
  cl_kernel k;
  SrNnConvBuffers buf;
};

gboolean
sr_nn_winograd_covers (const SrNnConv2dParams *p)
{
  return p->kh == 3 && p->kw == 3 && p->stride_h == 1 && p->stride_w == 1
      && p->pad_top >= 0 && p->pad_top <= 2 && p->pad_bottom >= 0
      && p->pad_bottom <= 2 && p->pad_left >= 0 && p->pad_left <= 2
      && p->pad_right >= 0 && p->pad_right <= 2;
}

int
sr_nn_winograd_blockings (const SrNnConv2dParams *p, int (*out)[2], int max)
{
  /* Per work-item tiles x ocb/16 float16 accumulators: 8 to 20 of them
   * cover the FMA latency without spilling on AVX-512 (32 registers).
   * The blockings that won on PoCL (2 AVX-512 cores) on whole frames of
   * the networks' layers (64 x 3 on 64->64 at 480x270: 23.0 ms, against
   * 29.9 for 64 x 4 and 40.7 for 32 x 5); every candidate costs a program
   * build on first use, so the ones that never won are left out. */
  static const int wide[][2] = { {64, 3}, {32, 6}, {64, 4}, {32, 5} };
  static const int mid[][2] = { {32, 4}, {32, 5}, {32, 3} };
  static const int narrow[][2] = { {16, 4}, {16, 6} };
  const int (*list)[2];
  int n;
  if (p->cout > 32) {
    list = wide;
    n = G_N_ELEMENTS (wide);
  } else if (p->cout > 16) {
    list = mid;
    n = G_N_ELEMENTS (mid);
  } else {
    list = narrow;
    n = G_N_ELEMENTS (narrow);
  }
  n = MIN (n, max);
  memcpy (out, list, n * sizeof *list);
  return n;
}

static gboolean
blocking_valid (int ocb, int tiles)
{
  return (ocb == 16 || ocb == 32 || ocb == 48 || ocb == 64)
      && tiles >= 2 && tiles <= 6;
}

static gboolean
params_valid (const SrNnConv2dParams *p)
{
  const SrAct *a = &p->act;
  return p->cin > 0 && p->cout > 0 && p->cin <= 65536 && p->cout <= 65536
      && a->kind >= SR_ACT_NONE && a->kind <= SR_ACT_CLAMP
      && !(a->kind == SR_ACT_CLAMP && !(a->lo <= a->hi));
}

/* U = G g G^T per (output, input) channel pair, in double, laid out as
 * [ceil(cout/ocb)][nchunk][36][cb][ocb] with zeros beyond cin and cout. */
static float *
transform_weights (const SrNnConv2dParams *p, const float *w, int ocb,
    int cb, int nchunk, size_t *n)
{
  static const double G[6][3] = {
    {1.0 / 4, 0, 0},
    {-1.0 / 6, -1.0 / 6, -1.0 / 6},
    {-1.0 / 6, 1.0 / 6, -1.0 / 6},
    {1.0 / 24, 1.0 / 12, 1.0 / 6},
    {1.0 / 24, -1.0 / 12, 1.0 / 6},
    {0, 0, 1},
  };
  const int nob = (p->cout + ocb - 1) / ocb;
  *n = (size_t) nob * nchunk * 36 * cb * ocb;
  float *u = g_new0 (float, *n);
  for (int oc = 0; oc < p->cout; oc++)
    for (int ic = 0; ic < p->cin; ic++) {
      const float *g = w + ((size_t) oc * p->cin + ic) * 9;
      double gg[6][3];          /* G g */
      for (int a = 0; a < 6; a++)
        for (int l = 0; l < 3; l++)
          gg[a][l] = G[a][0] * g[l] + G[a][1] * g[3 + l] + G[a][2] * g[6 + l];
      const size_t base = (((size_t) (oc / ocb) * nchunk + ic / cb) * 36
          * cb + ic % cb) * ocb + oc % ocb;
      for (int a = 0; a < 6; a++)
        for (int b = 0; b < 6; b++)
          u[base + (size_t) (a * 6 + b) * cb * ocb] = (float) (gg[a][0]
              * G[b][0] + gg[a][1] * G[b][1] + gg[a][2] * G[b][2]);
    }
  return u;
}

SrNnWinograd *
sr_nn_winograd_new (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu, int ocb,
    int tiles, GError **error)
{
  if (!params_valid (p) || !weight || !sr_nn_winograd_covers (p)
      || (p->act.kind == SR_ACT_PRELU && !prelu)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "winograd: invalid or uncovered parameters (cin %d, cout %d, kernel "
        "%dx%d, stride %dx%d, padding %d/%d/%d/%d, activation %d)", p->cin,
        p->cout, p->kh, p->kw, p->stride_h, p->stride_w, p->pad_top,
        p->pad_bottom, p->pad_left, p->pad_right, p->act.kind);
    return NULL;
  }
  if (ocb == 0 && tiles == 0) {
    int b[1][2];
    sr_nn_winograd_blockings (p, b, 1);
    ocb = b[0][0];
    tiles = b[0][1];
  }
  if (!blocking_valid (ocb, tiles)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "winograd: no kernel for %d channels x %d tiles per work-item", ocb,
        tiles);
    return NULL;
  }

  SrNnWinograd *op = g_new0 (SrNnWinograd, 1);
  op->rt = sr_runtime_ref (rt);
  op->p = *p;
  op->ocb = ocb;
  op->tiles = tiles;
  /* Equal chunks of at most MAX_CB channels: little zero padding for any
   * cin (67 -> 3 x 23). */
  op->nchunk = (p->cin + MAX_CB - 1) / MAX_CB;
  op->cb = (p->cin + op->nchunk - 1) / op->nchunk;

  /* -w: clang warns that float16 arguments change the ABI on hosts without
   * AVX-512; the builtins are inlined. */
  char *opts = g_strdup_printf ("-w -DWOCB=%d -DWPX=%d -DCB=%d%s", ocb,
      tiles, op->cb, sr_nn_conv2d_storage_option (p));
  op->k = sr_runtime_create_kernel_with_options (rt, "nn_winograd", opts,
      "conv_winograd", error);
  g_free (opts);
  size_t n;
  float *u = transform_weights (p, weight, ocb, op->cb, op->nchunk, &n);
  if (!op->k || !sr_nn_conv_buffers_upload (&op->buf, rt, u, n,
          "winograd weights", bias, prelu, p->cout, ocb, error)) {
    g_free (u);
    sr_nn_winograd_free (op);
    return NULL;
  }
  g_free (u);

  const cl_int nchunk = op->nchunk;
  cl_int err = CL_SUCCESS;
  err |= clSetKernelArg (op->k, 4, sizeof (cl_mem), &op->buf.wt);
  err |= SR_ARG (op->k, 5, p->pad_top);
  err |= SR_ARG (op->k, 6, p->pad_left);
  err |= sr_nn_conv2d_set_epilogue_consts (op->k, 7, 18, op->buf.bias,
      op->buf.slope, &p->act);
  err |= SR_ARG (op->k, 22, nchunk);
  err |= SR_ARG (op->k, 23, p->cin);
  err |= SR_ARG (op->k, 24, p->cout);
  if (err != CL_SUCCESS) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_KERNEL_ARGS,
        "winograd: setting kernel arguments failed");
    sr_nn_winograd_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_winograd_blocking (const SrNnWinograd *op, int *ocb, int *tiles)
{
  if (ocb)
    *ocb = op->ocb;
  if (tiles)
    *tiles = op->tiles;
}

void
sr_nn_winograd_free (SrNnWinograd *op)
{
  if (!op)
    return;
  if (op->k)
    clReleaseKernel (op->k);
  sr_nn_conv_buffers_release (&op->buf);
  sr_runtime_unref (op->rt);
  g_free (op);
}

SrStatus
sr_nn_winograd_run (SrNnWinograd *op, cl_command_queue q, SrView in,
    SrView out, const SrView *skip)
{
  const SrNnConv2dParams *p = &op->p;
  int oh, ow;
  if (in.c != p->cin || !sr_nn_conv2d_check_views (p, in, out, skip, &oh,
          &ow))
    return SR_ERR_INVALID_ARGUMENT;

  const cl_int ih = in.t->h, iw = in.t->w;
  const cl_int in_off = in.c0 * ih * iw;
  const cl_int th = (oh + 3) / 4, tw = (ow + 3) / 4;
  const cl_int nbx = (tw + op->tiles - 1) / op->tiles;
  cl_int err = CL_SUCCESS;
  err |= SR_ARG_MEM (op->k, 0, in.t);
  err |= SR_ARG (op->k, 1, in_off);
  err |= SR_ARG (op->k, 2, ih);
  err |= SR_ARG (op->k, 3, iw);
  err |= sr_nn_conv2d_set_epilogue (op->k, 9, p, out, oh, ow, skip);
  err |= SR_ARG (op->k, 25, nbx);
  err |= SR_ARG (op->k, 26, th);
  if (err != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t blocks = (size_t) nbx * th;
  const size_t global[2] = { (blocks + 63) / 64 * 64,
    (size_t) (p->cout + op->ocb - 1) / op->ocb
  };
  return sr_enqueue (q, op->k, 2, global);
}

size_t
sr_nn_winograd_weight_bytes (const SrNnWinograd *op)
{
  return op ? op->buf.bytes : 0;
}
