/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_conv2d_blocked.h"

#include "sr_nn_private.h"

#include <string.h>

#define MAX_K 11
#define MAX_STRIDE 4

struct _SrNnConv2dBlocked {
  SrRuntime *rt;
  SrNnConv2dParams p;
  int ocb, px;
  cl_kernel k;
  SrNnConvBuffers buf;
};

gboolean
sr_nn_conv2d_blocked_covers (const SrNnConv2dParams *p)
{
  return p->kh <= MAX_K && p->kw <= MAX_K && p->stride_h <= MAX_STRIDE
      && p->stride_w <= MAX_STRIDE && (!p->in_blocked || p->cin % 16 == 0)
      && (!p->out_blocked || p->cout % 16 == 0);
}

int
sr_nn_conv2d_blocked_blockings (const SrNnConv2dParams *p, int (*out)[2],
    int max)
{
  /* ocb / 16 x px float16 accumulators: 8 to 24 (AVX-512 hosts have 32
   * vector registers, AVX2 hosts 16, where the small ones should win).
   * Measured by the tuner on PoCL 3.1, 2 AVX-512 cores, frame-sized
   * stand-ins: 64 x 6 best on 64->64 3x3 (30.8 ms, 16 x 12 40.4), 32 x 6
   * on 128->64 1x1 (5.4 ms, 16 x 12 9.0), 64 x 4 and 32 x 4 where one
   * side is NCHW; 32 x 8 and 16 x 12 never won, so they are not offered
   * (each candidate is a program to build on first use). */
  static const int list[][2] = {
    {64, 6}, {64, 4}, {32, 6}, {32, 4}, {16, 8},
  };
  const int widest = MAX (16, (p->cout + 15) / 16 * 16);
  int n = 0;
  for (guint i = 0; i < G_N_ELEMENTS (list) && n < max; i++)
    if (list[i][0] <= widest) {
      out[n][0] = list[i][0];
      out[n][1] = list[i][1];
      n++;
    }
  return n;
}

static gboolean
blocking_valid (int ocb, int px)
{
  return ocb >= 16 && ocb <= 64 && ocb % 16 == 0 && px >= 1 && px <= 16
      && ocb / 16 * px <= 32;
}

/* OIHW weights in the kernel's order (see nn_conv2d_blocked.cl), zeros
 * beyond cout. */
static float *
pack_weights (const SrNnConv2dParams *p, const float *w, int ocb, size_t *n)
{
  const int ng = (p->cout + ocb - 1) / ocb, k = p->kh * p->kw;
  *n = (size_t) ng * p->cin * k * ocb;
  float *packed = g_new0 (float, *n);
  for (int o = 0; o < p->cout; o++)
    for (int i = 0; i < p->cin; i++)
      for (int t = 0; t < k; t++) {
        /* [group][in block][tap][lane][ocb] or [group][in][tap][ocb]. */
        const size_t at = p->in_blocked
            ? ((((size_t) (o / ocb) * (p->cin / 16) + i / 16) * k + t) * 16
            + i % 16) * ocb + o % ocb
            : (((size_t) (o / ocb) * p->cin + i) * k + t) * ocb + o % ocb;
        packed[at] = w[((size_t) o * p->cin + i) * k + t];
      }
  return packed;
}

SrNnConv2dBlocked *
sr_nn_conv2d_blocked_new (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu, int ocb,
    int px, GError **error)
{
  if (ocb == 0 && px == 0) {
    int b[1][2];
    if (sr_nn_conv2d_blocked_blockings (p, b, 1) == 1) {
      ocb = b[0][0];
      px = b[0][1];
    }
  }
  if (!sr_nn_conv2d_blocked_covers (p) || !blocking_valid (ocb, px)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "conv2d: the blocked kernel does not cover kernel %dx%d, stride "
        "%dx%d, %d->%d channels (%s -> %s) with %d channels x %d pixels per "
        "work-item", p->kh, p->kw, p->stride_h, p->stride_w, p->cin,
        p->cout, p->in_blocked ? "blocked" : "NCHW",
        p->out_blocked ? "blocked" : "NCHW", ocb, px);
    return NULL;
  }
  SrNnConv2dBlocked *op = g_new0 (SrNnConv2dBlocked, 1);
  op->rt = sr_runtime_ref (rt);
  op->p = *p;
  op->ocb = ocb;
  op->px = px;
  /* -w: clang warns that float16 arguments change the ABI on hosts
   * without AVX-512 (the builtins are inlined). */
  char *opts = g_strdup_printf ("-w -DKH=%d -DKW=%d -DSH=%d -DSW=%d "
      "-DOCV=%d -DPX=%d -DIN_C16=%d -DOUT_C16=%d%s", p->kh, p->kw,
      p->stride_h, p->stride_w, ocb / 16, px, p->in_blocked ? 1 : 0,
      p->out_blocked ? 1 : 0, sr_nn_conv2d_storage_option (p));
  op->k = sr_runtime_create_kernel_with_options (rt, "nn_conv2d_blocked",
      opts, "conv_blocked", error);
  g_free (opts);
  size_t n;
  float *packed = pack_weights (p, weight, ocb, &n);
  if (!op->k || !sr_nn_conv_buffers_upload (&op->buf, rt, packed, n,
          "conv2d weights", bias, prelu, p->cout, ocb, error)) {
    g_free (packed);
    sr_nn_conv2d_blocked_free (op);
    return NULL;
  }
  g_free (packed);

  cl_int err = CL_SUCCESS;
  err |= clSetKernelArg (op->k, 4, sizeof (cl_mem), &op->buf.wt);
  err |= SR_ARG (op->k, 5, p->pad_top);
  err |= SR_ARG (op->k, 6, p->pad_left);
  err |= sr_nn_conv2d_set_epilogue_consts (op->k, 7, 18, op->buf.bias,
      op->buf.slope, &p->act);
  err |= SR_ARG (op->k, 22, p->cin);
  err |= SR_ARG (op->k, 23, p->cout);
  if (err != CL_SUCCESS) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_KERNEL_ARGS,
        "conv2d (blocked): setting kernel arguments failed");
    sr_nn_conv2d_blocked_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_conv2d_blocked_blocking (const SrNnConv2dBlocked *op, int *ocb,
    int *px)
{
  if (ocb)
    *ocb = op->ocb;
  if (px)
    *px = op->px;
}

void
sr_nn_conv2d_blocked_free (SrNnConv2dBlocked *op)
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
sr_nn_conv2d_blocked_run (SrNnConv2dBlocked *op, cl_command_queue q,
    SrView in, SrView out, const SrView *skip)
{
  return sr_nn_conv2d_blocked_run_split (op, q, in, NULL, out, skip);
}

SrStatus
sr_nn_conv2d_blocked_run_split (SrNnConv2dBlocked *op, cl_command_queue q,
    SrView in, const SrView *tail, SrView out, const SrView *skip)
{
  const SrNnConv2dParams *p = &op->p;
  int oh, ow;
  const int split = in.c;
  if (in.c + (tail ? tail->c : 0) != p->cin
      || !sr_nn_conv2d_check_views (p, in, out, skip, &oh, &ow)
      || (p->in_blocked && (in.c0 % 16 || split % 16))
      || (p->out_blocked && (out.c0 % 16 || (skip && skip->c0 % 16))))
    return SR_ERR_INVALID_ARGUMENT;
  if (tail && (!sr_nn_view_ok (*tail, p->storage) || tail->t->h != in.t->h
          || tail->t->w != in.t->w || sr_nn_views_overlap (*tail, out)
          || (p->in_blocked && tail->c0 % 16)))
    return SR_ERR_INVALID_ARGUMENT;

  const cl_int ih = in.t->h, iw = in.t->w;
  const cl_int in_off = in.c0 * ih * iw;
  const cl_int nxb = (ow + op->px - 1) / op->px;
  cl_int err = CL_SUCCESS;
  err |= SR_ARG_MEM (op->k, 0, in.t);
  err |= SR_ARG (op->k, 1, in_off);
  err |= SR_ARG (op->k, 2, ih);
  err |= SR_ARG (op->k, 3, iw);
  err |= sr_nn_conv2d_set_epilogue (op->k, 9, p, out, oh, ow, skip);
  err |= SR_ARG (op->k, 24, nxb);
  const SrView t = tail ? *tail : in;
  const cl_int in2_off = t.c0 * ih * iw;
  err |= SR_ARG_MEM (op->k, 25, t.t);
  err |= SR_ARG (op->k, 26, in2_off);
  err |= SR_ARG (op->k, 27, split);
  if (err != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t blocks = (size_t) nxb * oh;
  const size_t global[2] = { (blocks + 63) / 64 * 64,
    (size_t) (p->cout + op->ocb - 1) / op->ocb
  };
  return sr_enqueue (q, op->k, 2, global);
}

void
sr_nn_to_blocked (const float *nchw, float *blocked, int c, int h, int w)
{
  const size_t plane = (size_t) h * w;
  for (int ch = 0; ch < c; ch++)
    for (size_t i = 0; i < plane; i++)
      blocked[((size_t) (ch / 16) * plane + i) * 16 + ch % 16] =
          nchw[ch * plane + i];
}

void
sr_nn_from_blocked (const float *blocked, float *nchw, int c, int h, int w)
{
  const size_t plane = (size_t) h * w;
  for (int ch = 0; ch < c; ch++)
    for (size_t i = 0; i < plane; i++)
      nchw[ch * plane + i] =
          blocked[((size_t) (ch / 16) * plane + i) * 16 + ch % 16];
}

size_t
sr_nn_conv2d_blocked_weight_bytes (const SrNnConv2dBlocked *op)
{
  return op ? op->buf.bytes : 0;
}
