/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_conv2d.h"
#include "sr_nn_private.h"
#include "sr_nn_conv2d_blocked.h"
#include "sr_nn_conv2d_gemm.h"
#include "sr_nn_winograd.h"

#include <limits.h>
#include <string.h>

/* What conv_direct is built for (each size its own program). */
#define DIRECT_MAX_K 5
#define DIRECT_MAX_STRIDE 4

struct _SrNnConv2d {
  SrRuntime *rt;
  SrNnConv2dParams p;
  SrNnConv2dStrategy strategy;
  int ocb, px;
  cl_kernel k;
  int epi;                      /* index of the first epilogue argument */
  SrNnConvBuffers buf;
  SrNnConv2dGemm *gemm;         /* the GEMM strategy instead of k */
  SrNnWinograd *wino;           /* SR_NN_CONV2D_WINOGRAD runs this instead */
  SrNnConv2dBlocked *blocked;   /* SR_NN_CONV2D_BLOCKED runs this instead */
};

void
sr_nn_conv2d_out_size (const SrNnConv2dParams *p, int h, int w, int *oh,
    int *ow)
{
  const int ph = h + p->pad_top + p->pad_bottom;
  const int pw = w + p->pad_left + p->pad_right;
  const gboolean fits = h > 0 && w > 0 && ph >= p->kh && pw >= p->kw;
  *oh = fits ? (ph - p->kh) / p->stride_h + 1 : 0;
  *ow = fits ? (pw - p->kw) / p->stride_w + 1 : 0;
}

static gboolean
params_valid (const SrNnConv2dParams *p)
{
  const SrAct *a = &p->act;
  /* Bounds keep the kernels' int index arithmetic (weights of one
   * channel block: cin * kh * kw * 64) and the padded sizes far from
   * overflow. */
  return p->cin > 0 && p->cout > 0 && p->kh > 0 && p->kw > 0
      && p->cin <= 65536 && p->cout <= 65536 && p->kh <= 64 && p->kw <= 64
      && (gint64) p->cin * p->kh * p->kw * 64 <= INT_MAX
      && p->stride_h > 0 && p->stride_w > 0 && p->stride_h <= 64
      && p->stride_w <= 64 && p->pad_top >= 0 && p->pad_bottom >= 0
      && p->pad_left >= 0 && p->pad_right >= 0 && p->pad_top <= 64
      && p->pad_bottom <= 64 && p->pad_left <= 64 && p->pad_right <= 64
      && a->kind >= SR_ACT_NONE && a->kind <= SR_ACT_CLAMP
      && !(a->kind == SR_ACT_CLAMP && !(a->lo <= a->hi))
      && (p->storage == SR_DTYPE_F32 || p->storage == SR_DTYPE_F16);
}

static gboolean
direct_covers (const SrNnConv2dParams *p);

static gboolean
blocking_valid (int ocb, int px)
{
  return (ocb == 4 || ocb == 8 || (ocb % 16 == 0 && ocb <= 64)) && px >= 1
      && px <= 16;
}

/* The register blockings worth measuring: 4 to 16 vector accumulators
 * (fewer leave the FMA latency uncovered, more spill: AVX2 hosts have 16
 * vector registers, AVX-512 hosts 32), no wider than the layer's output
 * channels. Measured on PoCL 3.1 (64->64 3x3, 270x480): AVX-512 hosts
 * best at 32 x 6, AVX2 hosts at 16 x 4 (32 x 6 spills there); 1x1 layers
 * are bound by their scattered stores and like more channels per
 * work-item; a 64->3 layer 8 x 8. So the list is wide and the tuner
 * decides. */
static const SrNnConv2dChoice direct_blockings[] = {
  {SR_NN_CONV2D_DIRECT, 16, 4}, {SR_NN_CONV2D_DIRECT, 16, 8},
  {SR_NN_CONV2D_DIRECT, 32, 4}, {SR_NN_CONV2D_DIRECT, 32, 6},
  {SR_NN_CONV2D_DIRECT, 48, 4},
};
static const SrNnConv2dChoice direct_blockings_1x1[] = {
  {SR_NN_CONV2D_DIRECT, 32, 2}, {SR_NN_CONV2D_DIRECT, 64, 1},
  {SR_NN_CONV2D_DIRECT, 16, 4},
};
static const SrNnConv2dChoice direct_blockings_narrow[] = {
  {SR_NN_CONV2D_DIRECT, 8, 8}, {SR_NN_CONV2D_DIRECT, 4, 8},
  {SR_NN_CONV2D_DIRECT, 16, 4},
};
/* conv_rowvec's: ocb channels x px pixels (px / 16 vectors), 8 to 16
 * accumulators. */
static const SrNnConv2dChoice rowvec_blockings[] = {
  {SR_NN_CONV2D_ROWVEC, 8, 16}, {SR_NN_CONV2D_ROWVEC, 8, 32},
  {SR_NN_CONV2D_ROWVEC, 16, 16}, {SR_NN_CONV2D_ROWVEC, 4, 32},
};

/* conv_general's: 16 x 4 measured faster than 8 x 8 and 4 x 8 even on a
 * 64->3 layer (float4 and float8 accumulators make worse code there). */
static const SrNnConv2dChoice general_blockings[] = {
  {SR_NN_CONV2D_GENERAL, 16, 4},
};

static int
add_choices (SrNnConv2dChoice *out, int n, int max,
    const SrNnConv2dChoice *list, int len, int cout)
{
  /* A blocking wider than the channels rounded up to 16 only computes
   * zeros. */
  const int widest = MAX (16, (cout + 15) / 16 * 16);
  for (int i = 0; i < len && n < max; i++)
    if (list[i].ocb <= widest)
      out[n++] = list[i];
  return n;
}

int
sr_nn_conv2d_candidates (SrRuntime *rt, const SrNnConv2dParams *p,
    SrNnConv2dChoice *out, int max)
{
  int n = 0;
  if (p->in_blocked || p->out_blocked) {
    /* Only the blocked kernel reads or writes that layout. */
    int bb[16][2];
    const int nb = sr_nn_conv2d_blocked_blockings (p, bb, G_N_ELEMENTS (bb));
    for (int i = 0; i < nb && n < max; i++)
      out[n++] = (SrNnConv2dChoice) { SR_NN_CONV2D_BLOCKED, bb[i][0],
        bb[i][1] };
    return n;
  }
  if (direct_covers (p)) {
    if (p->cout <= 8)
      n = add_choices (out, n, max, direct_blockings_narrow,
          G_N_ELEMENTS (direct_blockings_narrow), p->cout);
    else if (p->kh == 1 && p->kw == 1)
      n = add_choices (out, n, max, direct_blockings_1x1,
          G_N_ELEMENTS (direct_blockings_1x1), p->cout);
    else
      n = add_choices (out, n, max, direct_blockings,
          G_N_ELEMENTS (direct_blockings), p->cout);
  }
  if (direct_covers (p) && p->stride_h == 1 && p->stride_w == 1)
    n = add_choices (out, n, max, rowvec_blockings,
        G_N_ELEMENTS (rowvec_blockings), p->cout);
  n = add_choices (out, n, max, general_blockings,
      G_N_ELEMENTS (general_blockings), p->cout);
  if (sr_nn_winograd_covers (p)) {
    int wb[16][2];
    const int nw = sr_nn_winograd_blockings (p, wb, G_N_ELEMENTS (wb));
    for (int i = 0; i < nw && n < max; i++)
      out[n++] = (SrNnConv2dChoice) { SR_NN_CONV2D_WINOGRAD, wb[i][0],
        wb[i][1] };
  }
  /* CLBlast's GEMM: any shape, no blocking of ours. On PoCL's CPU device
   * it measured 10 to 130 times slower than the fastest candidate on every
   * layer of the networks (7-23 GFLOP/s: CLBlast has no tuning for such a
   * device), and its first use compiles for about 20 s: a candidate on
   * GPUs only (SR_NN_CONV2D=gemm still runs it anywhere). */
  if (n < max && sr_runtime_is_gpu (rt) && p->storage == SR_DTYPE_F32)
    out[n++] = (SrNnConv2dChoice) { SR_NN_CONV2D_GEMM, 0, 0 };
  return n;
}

static const char *const strategy_names[] = {
  [SR_NN_CONV2D_AUTO] = "auto",
  [SR_NN_CONV2D_GENERAL] = "general",
  [SR_NN_CONV2D_DIRECT] = "direct",
  [SR_NN_CONV2D_ROWVEC] = "rowvec",
  [SR_NN_CONV2D_GEMM] = "gemm",
  [SR_NN_CONV2D_WINOGRAD] = "winograd",
  [SR_NN_CONV2D_BLOCKED] = "blocked",
};

const char *
sr_nn_conv2d_strategy_name (SrNnConv2dStrategy s)
{
  return s > SR_NN_CONV2D_AUTO && (guint) s < G_N_ELEMENTS (strategy_names)
      ? strategy_names[s] : NULL;
}

gboolean
sr_nn_conv2d_strategy_from_name (const char *name, SrNnConv2dStrategy *s)
{
  for (guint i = 0; name && i < G_N_ELEMENTS (strategy_names); i++)
    if (strategy_names[i] && !strcmp (name, strategy_names[i])) {
      *s = i;
      return TRUE;
    }
  return FALSE;
}

static gboolean
direct_covers (const SrNnConv2dParams *p)
{
  return p->stride_h <= DIRECT_MAX_STRIDE && p->stride_w <= DIRECT_MAX_STRIDE
      && p->kh <= DIRECT_MAX_K && p->kw <= DIRECT_MAX_K;
}

/* w (OIHW) as [ceil(cout/ocb)][cin][kh][kw][ocb], zero beyond cout. */
static float *
pack_weights (const SrNnConv2dParams *p, const float *w, int ocb, size_t *n)
{
  const int nob = (p->cout + ocb - 1) / ocb, khw = p->kh * p->kw;
  *n = (size_t) nob * p->cin * khw * ocb;
  float *out = g_new0 (float, *n);
  for (int oc = 0; oc < p->cout; oc++)
    for (int ic = 0; ic < p->cin; ic++)
      for (int t = 0; t < khw; t++)
        out[(((size_t) (oc / ocb) * p->cin + ic) * khw + t) * ocb + oc % ocb] =
            w[((size_t) oc * p->cin + ic) * khw + t];
  return out;
}

/* An op whose runs go to another strategy's object (the caller sets
 * it): no kernel or weights of its own. */
static SrNnConv2d *
delegating_op (SrRuntime *rt, const SrNnConv2dParams *p,
    SrNnConv2dStrategy strategy)
{
  SrNnConv2d *op = g_new0 (SrNnConv2d, 1);
  op->rt = sr_runtime_ref (rt);
  op->p = *p;
  op->strategy = strategy;
  return op;
}

/* The GEMM strategy: no kernel of ours to block, any shape. */
static SrNnConv2d *
conv2d_gemm_new (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu, int ocb,
    int px, GError **error)
{
  if (ocb != 0 || px != 0) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "conv2d: the gemm strategy has no blocking (got %d x %d)", ocb, px);
    return NULL;
  }
  if (p->storage != SR_DTYPE_F32) {
    /* CLBlast's half GEMM computes in half: that needs cl_khr_fp16, and
     * would not be the float32 arithmetic of the other strategies. */
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "conv2d: the gemm strategy reads and writes float32 only");
    return NULL;
  }
  SrNnConv2dGemm *gemm = sr_nn_conv2d_gemm_new (rt, p, weight, bias, prelu,
      error);
  if (!gemm)
    return NULL;
  SrNnConv2d *op = delegating_op (rt, p, SR_NN_CONV2D_GEMM);
  op->gemm = gemm;
  return op;
}

SrNnConv2d *
sr_nn_conv2d_new_with (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu,
    SrNnConv2dStrategy strategy, int ocb, int px, GError **error)
{
  if (!params_valid (p) || !weight
      || (p->act.kind == SR_ACT_PRELU && !prelu)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "conv2d: invalid parameters (cin %d, cout %d, kernel %dx%d, stride "
        "%dx%d, padding %d/%d/%d/%d, activation %d)", p->cin, p->cout, p->kh,
        p->kw, p->stride_h, p->stride_w, p->pad_top, p->pad_bottom,
        p->pad_left, p->pad_right, p->act.kind);
    return NULL;
  }
  if (strategy == SR_NN_CONV2D_AUTO)
    return sr_nn_conv2d_new (rt, p, weight, bias, prelu, error);
  if (strategy == SR_NN_CONV2D_BLOCKED) {
    SrNnConv2dBlocked *b = sr_nn_conv2d_blocked_new (rt, p, weight, bias,
        prelu, ocb, px, error);
    if (!b)
      return NULL;
    SrNnConv2d *op = delegating_op (rt, p, strategy);
    op->blocked = b;
    sr_nn_conv2d_blocked_blocking (b, &op->ocb, &op->px);
    return op;
  }
  if (p->in_blocked || p->out_blocked) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "conv2d: the %s kernel reads and writes NCHW only; channel-blocked "
        "views need the blocked one",
        sr_nn_conv2d_strategy_name (strategy));
    return NULL;
  }
  if (strategy == SR_NN_CONV2D_GEMM)
    return conv2d_gemm_new (rt, p, weight, bias, prelu, ocb, px, error);
  if (strategy == SR_NN_CONV2D_WINOGRAD) {
    SrNnWinograd *wino = sr_nn_winograd_new (rt, p, weight, bias, prelu, ocb,
        px, error);
    if (!wino)
      return NULL;
    SrNnConv2d *op = delegating_op (rt, p, strategy);
    op->wino = wino;
    sr_nn_winograd_blocking (wino, &op->ocb, &op->px);
    return op;
  }
  if (ocb == 0 && px == 0) {
    /* The strategy's default: its first candidate. */
    SrNnConv2dChoice c[16];
    const int n = sr_nn_conv2d_candidates (rt, p, c, G_N_ELEMENTS (c));
    for (int i = n - 1; i >= 0; i--)
      if (c[i].strategy == strategy) {
        ocb = c[i].ocb;
        px = c[i].px;
      }
  }
  const gboolean rowvec = strategy == SR_NN_CONV2D_ROWVEC;
  if (rowvec ? !(ocb >= 1 && ocb <= 16 && px % 16 == 0 && px >= 16
          && px <= 64 && direct_covers (p) && p->stride_h == 1
          && p->stride_w == 1)
      : !blocking_valid (ocb, px)
      || (strategy == SR_NN_CONV2D_DIRECT && !direct_covers (p))) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "conv2d: the %s kernel does not cover kernel %dx%d, stride %dx%d "
        "with %d channels x %d pixels per work-item",
        sr_nn_conv2d_strategy_name (strategy), p->kh, p->kw,
        p->stride_h, p->stride_w, ocb, px);
    return NULL;
  }

  SrNnConv2d *op = g_new0 (SrNnConv2d, 1);
  op->rt = sr_runtime_ref (rt);
  op->p = *p;
  op->strategy = strategy;
  op->ocb = ocb;
  op->px = px;
  /* -w: clang warns that float16 arguments change the ABI on hosts
   * without AVX-512; the builtins are inlined, and float16 accumulators
   * still run twice as fast as pairs of float8 there (PoCL 3.1, Zen 3). */
  if (strategy == SR_NN_CONV2D_DIRECT) {
    char *opts = g_strdup_printf ("-w -DOCB=%d -DPX=%d -DKH=%d -DKW=%d "
        "-DSH=%d -DSW=%d%s", ocb, px, p->kh, p->kw, p->stride_h, p->stride_w,
        sr_nn_conv2d_storage_option (p));
    op->k = sr_runtime_create_kernel_with_options (rt, "nn_conv2d", opts,
        "conv_direct", error);
    g_free (opts);
    op->epi = 7;
  } else if (rowvec) {
    char *opts = g_strdup_printf ("-w -DROWVEC -DOCB=%d -DPV=%d -DKH=%d "
        "-DKW=%d%s", ocb, px / 16, p->kh, p->kw,
        sr_nn_conv2d_storage_option (p));
    op->k = sr_runtime_create_kernel_with_options (rt, "nn_conv2d", opts,
        "conv_rowvec", error);
    g_free (opts);
    op->epi = 7;
  } else {
    char *opts = g_strdup_printf ("-w -DGOCB=%d -DGPX=%d%s", ocb, px,
        sr_nn_conv2d_storage_option (p));
    op->k = sr_runtime_create_kernel_with_options (rt, "nn_conv2d", opts,
        "conv_general", error);
    g_free (opts);
    op->epi = 11;
  }
  size_t n;
  float *packed = pack_weights (p, weight, ocb, &n);
  if (!op->k || !sr_nn_conv_buffers_upload (&op->buf, rt, packed, n,
          "conv2d weights", bias, prelu, p->cout, ocb, error)) {
    g_free (packed);
    sr_nn_conv2d_free (op);
    return NULL;
  }
  g_free (packed);

  /* The arguments that never change. */
  const int e = op->epi;
  cl_int err = CL_SUCCESS;
  err |= clSetKernelArg (op->k, 4, sizeof (cl_mem), &op->buf.wt);
  if (strategy == SR_NN_CONV2D_GENERAL) {
    err |= SR_ARG (op->k, 5, p->kh);
    err |= SR_ARG (op->k, 6, p->kw);
    err |= SR_ARG (op->k, 7, p->stride_h);
    err |= SR_ARG (op->k, 8, p->stride_w);
    err |= SR_ARG (op->k, 9, p->pad_top);
    err |= SR_ARG (op->k, 10, p->pad_left);
  } else {
    err |= SR_ARG (op->k, 5, p->pad_top);
    err |= SR_ARG (op->k, 6, p->pad_left);
  }
  err |= sr_nn_conv2d_set_epilogue_consts (op->k, e, e + 11, op->buf.bias,
      op->buf.slope, &p->act);
  err |= SR_ARG (op->k, e + 15, p->cin);
  err |= SR_ARG (op->k, e + 16, p->cout);
  if (err != CL_SUCCESS) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_KERNEL_ARGS,
        "conv2d: setting kernel arguments failed");
    sr_nn_conv2d_free (op);
    return NULL;
  }
  return op;
}

SrNnConv2dStrategy
sr_nn_conv2d_strategy (const SrNnConv2d *op, int *ocb, int *px)
{
  if (ocb)
    *ocb = op->ocb;
  if (px)
    *px = op->px;
  return op->strategy;
}

size_t
sr_nn_conv2d_weight_bytes (const SrNnConv2d *op)
{
  return op->buf.bytes + sr_nn_winograd_weight_bytes (op->wino)
      + sr_nn_conv2d_blocked_weight_bytes (op->blocked)
      + sr_nn_conv2d_gemm_weight_bytes (op->gemm);
}

void
sr_nn_conv2d_free (SrNnConv2d *op)
{
  if (!op)
    return;
  sr_nn_winograd_free (op->wino);
  sr_nn_conv2d_blocked_free (op->blocked);
  if (op->k)
    clReleaseKernel (op->k);
  sr_nn_conv_buffers_release (&op->buf);
  sr_nn_conv2d_gemm_free (op->gemm);
  sr_runtime_unref (op->rt);
  g_free (op);
}

gboolean
sr_nn_conv2d_reads_split (const SrNnConv2d *op)
{
  return op->blocked != NULL;
}

SrStatus
sr_nn_conv2d_run_split (SrNnConv2d *op, cl_command_queue q, SrView in,
    SrView tail, SrView out, const SrView *skip)
{
  if (!op->blocked)
    return SR_ERR_INVALID_ARGUMENT;
  return sr_nn_conv2d_blocked_run_split (op->blocked, q, in, &tail, out,
      skip);
}

gboolean
sr_nn_conv2d_check_views (const SrNnConv2dParams *p, SrView in, SrView out,
    const SrView *skip, int *oh, int *ow)
{
  if (!sr_nn_view_ok (in, p->storage) || !sr_nn_view_ok (out, p->storage)
      || out.c != p->cout
      || sr_nn_views_overlap (in, out))
    return FALSE;
  sr_nn_conv2d_out_size (p, in.t->h, in.t->w, oh, ow);
  if (*oh == 0 || out.t->h != *oh || out.t->w != *ow)
    return FALSE;
  /* skip is the output itself or lies apart from it. */
  return !skip || (sr_nn_view_ok (*skip, p->storage) && skip->c == p->cout
      && skip->t->h == *oh && skip->t->w == *ow
      && (!sr_nn_views_overlap (*skip, out)
          || sr_nn_views_same (*skip, out)));
}

cl_int
sr_nn_conv2d_set_epilogue (cl_kernel k, cl_uint at,
    const SrNnConv2dParams *p, SrView out, int oh, int ow,
    const SrView *skip)
{
  const cl_int out_off = out.c0 * oh * ow;
  const cl_int skip_off = skip ? skip->c0 * oh * ow : 0;
  const cl_int has_skip = skip != NULL;
  const float rs = skip ? p->res_scale : 1.0f;
  const float ss = skip ? p->skip_scale : 0.0f;
  const cl_int h = oh, w = ow;
  const cl_mem skip_mem = skip ? skip->t->mem : out.t->mem;
  cl_int err = CL_SUCCESS;
  err |= SR_ARG_MEM (k, at, out.t);
  err |= SR_ARG (k, at + 1, out_off);
  err |= SR_ARG (k, at + 2, h);
  err |= SR_ARG (k, at + 3, w);
  err |= SR_ARG (k, at + 4, skip_mem);
  err |= SR_ARG (k, at + 5, skip_off);
  err |= SR_ARG (k, at + 6, has_skip);
  err |= SR_ARG (k, at + 7, rs);
  err |= SR_ARG (k, at + 8, ss);
  return err;
}

cl_int
sr_nn_conv2d_set_epilogue_consts (cl_kernel k, cl_uint bias_at,
    cl_uint act_at, cl_mem bias, cl_mem slope, const SrAct *a)
{
  const cl_int act = a->kind;
  cl_int err = CL_SUCCESS;
  err |= clSetKernelArg (k, bias_at, sizeof (cl_mem), &bias);
  err |= clSetKernelArg (k, bias_at + 1, sizeof (cl_mem), &slope);
  err |= SR_ARG (k, act_at, act);
  err |= SR_ARG (k, act_at + 1, a->alpha);
  err |= SR_ARG (k, act_at + 2, a->lo);
  err |= SR_ARG (k, act_at + 3, a->hi);
  return err;
}

SrStatus
sr_nn_conv2d_run (SrNnConv2d *op, cl_command_queue q, SrView in, SrView out,
    const SrView *skip)
{
  if (op->wino)
    return sr_nn_winograd_run (op->wino, q, in, out, skip);
  if (op->blocked)
    return sr_nn_conv2d_blocked_run (op->blocked, q, in, out, skip);
  const SrNnConv2dParams *p = &op->p;
  int oh, ow;
  if (in.c != p->cin || !sr_nn_conv2d_check_views (p, in, out, skip, &oh,
          &ow))
    return SR_ERR_INVALID_ARGUMENT;
  if (op->gemm)
    return sr_nn_conv2d_gemm_run (op->gemm, q, in, out, skip);

  const cl_int ih = in.t->h, iw = in.t->w;
  const cl_int in_off = in.c0 * ih * iw;
  const cl_int nxb = (ow + op->px - 1) / op->px;
  const int e = op->epi;
  cl_int err = CL_SUCCESS;
  err |= SR_ARG_MEM (op->k, 0, in.t);
  err |= SR_ARG (op->k, 1, in_off);
  err |= SR_ARG (op->k, 2, ih);
  err |= SR_ARG (op->k, 3, iw);
  err |= sr_nn_conv2d_set_epilogue (op->k, e + 2, p, out, oh, ow, skip);
  err |= SR_ARG (op->k, e + 17, nxb);
  if (err != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  /* Rounded up to whole groups of sr_enqueue so that every launch has the
   * same local size; the extra work-items return at once. */
  const size_t blocks = (size_t) nxb * oh;
  /* conv_rowvec runs every channel block in each work-item. */
  const size_t global[2] = { (blocks + 63) / 64 * 64,
    op->strategy == SR_NN_CONV2D_ROWVEC ? 1
        : (size_t) (p->cout + op->ocb - 1) / op->ocb
  };
  return sr_enqueue (q, op->k, 2, global);
}
