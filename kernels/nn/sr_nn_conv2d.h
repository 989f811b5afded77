/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 2-D convolution of the networks (PyTorch Conv2d / TF Conv2D semantics:
 * cross-correlation, zero padding), with its epilogue fused:
 *
 *   y   = act (conv (in) + bias)
 *   out = res_scale * y + skip_scale * skip      (when a skip view is given)
 *
 * which covers ReLU / LeakyReLU / PReLU / clamp after a conv and the
 * residual adds of RDN (1, 1) and RRDB (0.2, 1). */
#pragma once

#include "sr_nn.h"

G_BEGIN_DECLS

typedef struct {
  int cin, cout;
  int kh, kw;
  int stride_h, stride_w;
  int pad_top, pad_bottom, pad_left, pad_right;   /* zeros */
  SrAct act;
  float res_scale, skip_scale;                    /* used with a skip view */
  /* The input's and the output's (and skip's) layout: NCHW (FALSE) or
   * channel-blocked NCHW16c (TRUE; see sr_nn_conv2d_blocked.h, the only
   * strategy for such layers). */
  gboolean in_blocked, out_blocked;
  /* How input, output and skip are stored: SR_DTYPE_F32 (0, the default)
   * or SR_DTYPE_F16 (half storage, float32 arithmetic and weights; every
   * strategy but GEMM). */
  SrDType storage;
} SrNnConv2dParams;

typedef struct _SrNnConv2d SrNnConv2d;

/* weight: OIHW [cout][cin][kh][kw]; bias: [cout] or NULL; prelu: [cout]
 * when act.kind is SR_ACT_PRELU, else NULL. All are copied to the device
 * (in whatever layout the op prefers); the caller keeps its arrays.
 *
 * The strategy and blocking are the fastest of the candidates
 * (sr_nn_conv2d_candidates) as measured on this device for this layer on
 * first use, and remembered in the tuning cache (sr_nn_conv2d_tuning_path)
 * for later processes. The environment variable SR_NN_CONV2D pins them:
 * "general", "direct", ... (the candidates of that strategy, measured;
 * the others when it does not cover the layer) or "direct:32x6" (that
 * strategy and blocking, not measured); "auto" or unset measures all. */
SrNnConv2d *sr_nn_conv2d_new (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu,
    GError **error);
void sr_nn_conv2d_free (SrNnConv2d *op);

/* Device bytes its weights take (packed for its strategy: Winograd's
 * F(4,3) holds 36 values per 3x3 filter). */
size_t sr_nn_conv2d_weight_bytes (const SrNnConv2d *op);

/* How the convolution is computed. */
typedef enum {
  SR_NN_CONV2D_AUTO,      /* measured per layer and device (see
                           * sr_nn_conv2d_new) */
  SR_NN_CONV2D_GENERAL,   /* any shape: sizes and strides as arguments */
  SR_NN_CONV2D_DIRECT,    /* kh, kw <= 5, strides <= 4: kernel size,
                           * stride and register blocking built into the
                           * program (one program per combination) */
  SR_NN_CONV2D_ROWVEC,    /* stride 1, kh, kw <= 5: like DIRECT, but its
                           * vectors run along the output row (ocb
                           * channels x px = 16, 32, ... pixels) */
  SR_NN_CONV2D_GEMM,      /* any shape: one CLBlast GEMM of the weights
                           * [cout][cin*kh*kw] with the input (1x1 stride-1
                           * unpadded layers) or its im2col (others, by
                           * bands of output rows, at most 64 MiB of scratch
                           * per op), then the epilogue kernel; no blocking
                           * (ocb = px = 0). Runs refuse with
                           * SR_ERR_OUT_OF_RESOURCES an output row whose
                           * scratch alone would exceed that. */
  SR_NN_CONV2D_WINOGRAD,  /* 3x3, stride 1, padding <= 2: Winograd
                           * F(4x4, 3x3) (sr_nn_winograd.h); px is then the
                           * number of 4x4 tiles per work-item */
  SR_NN_CONV2D_BLOCKED,   /* kh, kw <= 11, strides <= 4, either layout in
                           * and out (sr_nn_conv2d_blocked.h); a candidate
                           * only where a layout is blocked */
} SrNnConv2dStrategy;

/* sr_nn_conv2d_new with a pinned strategy and blocking: ocb output
 * channels x px pixels of a row per work-item (0, 0: the op's default for
 * the device). NULL and an error when the strategy does not cover p or the
 * blocking is not one the kernel supports. */
SrNnConv2d *sr_nn_conv2d_new_with (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu,
    SrNnConv2dStrategy strategy, int ocb, int px, GError **error);
/* A strategy with its blocking. */
typedef struct {
  SrNnConv2dStrategy strategy;
  int ocb, px;
} SrNnConv2dChoice;

/* The choices worth measuring for p on rt's device (at most max, written
 * to out); the first of each strategy is its default blocking. GEMM is
 * one on GPUs only (see sr_nn_conv2d.c). */
int sr_nn_conv2d_candidates (SrRuntime *rt, const SrNnConv2dParams *p,
    SrNnConv2dChoice *out, int max);

/* "general", "direct", ...; NULL for AUTO or an unknown value. */
const char *sr_nn_conv2d_strategy_name (SrNnConv2dStrategy s);
/* The strategy of that name (AUTO for "auto"); FALSE when unknown. */
gboolean sr_nn_conv2d_strategy_from_name (const char *name,
    SrNnConv2dStrategy *s);

/* The tuning cache of rt's device (a text file beside the program
 * binaries): one line per measured layer; free with g_free. */
char *sr_nn_conv2d_tuning_path (SrRuntime *rt);

/* Other measured choices kept in the same file as lines "<key> TAB
 * <value>" (the executor's layout per network and input size): the value
 * last remembered for key, or NULL; free with g_free. */
char *sr_nn_tuning_look_up (SrRuntime *rt, const char *key);
/* Appends key's value, after a comment line with what was measured (keys
 * and values: no tabs or newlines). */
void sr_nn_tuning_remember (SrRuntime *rt, const char *key,
    const char *value, const char *measured);

/* The strategy the op runs (never AUTO) and its blocking. */
SrNnConv2dStrategy sr_nn_conv2d_strategy (const SrNnConv2d *op, int *ocb,
    int *px);

/* Output size for an h x w input (0 when the kernel does not fit). */
void sr_nn_conv2d_out_size (const SrNnConv2dParams *p, int h, int w,
    int *oh, int *ow);

/* in: cin channels of H x W; out: cout channels of the output size; skip:
 * NULL or cout channels of the output size. out must not overlap in; it
 * may be skip itself (an in-place residual). */
SrStatus sr_nn_conv2d_run (SrNnConv2d *op, cl_command_queue q, SrView in,
    SrView out, const SrView *skip);

/* TRUE when the op can read its input in two parts (the blocked strategy
 * does): a channel concat read where its parts lie, without copying them
 * together. */
gboolean sr_nn_conv2d_reads_split (const SrNnConv2d *op);
/* sr_nn_conv2d_run with the input's channels in two views: in's, then
 * tail's (in.c + tail->c = cin; both of the input's size, and in.c a
 * multiple of 16 for a blocked input). SR_ERR_INVALID_ARGUMENT from an op
 * that does not read split. */
SrStatus sr_nn_conv2d_run_split (SrNnConv2d *op, cl_command_queue q,
    SrView in, SrView tail, SrView out, const SrView *skip);

G_END_DECLS
