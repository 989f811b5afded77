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
} SrNnConv2dParams;

typedef struct _SrNnConv2d SrNnConv2d;

/* weight: OIHW [cout][cin][kh][kw]; bias: [cout] or NULL; prelu: [cout]
 * when act.kind is SR_ACT_PRELU, else NULL. All are copied to the device
 * (in whatever layout the op prefers); the caller keeps its arrays. */
SrNnConv2d *sr_nn_conv2d_new (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu,
    GError **error);
void sr_nn_conv2d_free (SrNnConv2d *op);

/* How the convolution is computed. */
typedef enum {
  SR_NN_CONV2D_AUTO,      /* chosen per shape and device; the environment
                           * variable SR_NN_CONV2D=general|direct|winograd
                           * pins one where it applies */
  SR_NN_CONV2D_GENERAL,   /* any shape: sizes and strides as arguments */
  SR_NN_CONV2D_DIRECT,    /* kh, kw <= 5, strides <= 4: kernel size,
                           * stride and register blocking built into the
                           * program (one program per combination) */
  SR_NN_CONV2D_WINOGRAD,  /* 3x3, stride 1, padding <= 2: Winograd
                           * F(4x4, 3x3) (sr_nn_winograd.h); px is then the
                           * number of 4x4 tiles per work-item */
} SrNnConv2dStrategy;

/* sr_nn_conv2d_new with a pinned strategy and blocking: ocb output
 * channels x px pixels of a row per work-item (0, 0: the op's default for
 * the device). NULL and an error when the strategy does not cover p or the
 * blocking is not one the kernel supports. */
SrNnConv2d *sr_nn_conv2d_new_with (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu,
    SrNnConv2dStrategy strategy, int ocb, int px, GError **error);
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

G_END_DECLS
