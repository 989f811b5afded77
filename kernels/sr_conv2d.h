/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 2-D convolution op: BasicSR's filter2D (img_process_util.py), the
 * blur of the Real-ESRGAN/HGGT degradations and of USM, and KAIR's
 * scipy.ndimage.convolve (utils_blindsr.py, mode='mirror'). One K x K kernel (K odd) applied to every
 * plane, correlation (not flipped), REFLECT_101 borders (c b | a b c d | c b),
 * output the input's size, no clamping. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

typedef enum {
  SR_CONV2D_DIRECT,       /* one 2-D pass over the (trimmed) kernel */
  SR_CONV2D_SEPARABLE,    /* two 1-D passes: along H, then along W */
  SR_CONV2D_LOW_RANK,     /* rank pairs of 1-D passes, summed into dst */
} SrConv2dPath;

/* Borders. Both reflect without repeating the edge; they differ in the
 * smallest plane accepted. */
typedef enum {
  SR_BORDER_REFLECT_ONCE, /* PyTorch's reflect pad: H, W > ksize/2 */
  SR_BORDER_MIRROR,       /* SciPy 'mirror', reflecting repeatedly: H, W >= 1 */
} SrConv2dBorder;

/* How a kernel is run: its all-zero border rows/columns trimmed (each axis
 * symmetrically, so the anchor stays central), then factored by its rank r,
 * the smallest with a relative (Frobenius) residual below 1e-7: r == 1 is
 * split as k[i][j] = col[i]*row[j]; a small r > 1 as a sum of r such
 * products (from a double SVD) where r 1-D pairs cost less than one 2-D
 * pass; anything else runs directly. */
typedef struct {
  SrConv2dPath path;
  int kh, kw;             /* trimmed size, both odd */
  int rank;               /* r as above (1 for a single row or column) */
} SrConv2dPlan;

/* The plan sr_conv2d_run would use for this ksize x ksize kernel
 * (row-major); FALSE if ksize is not a positive odd number. */
gboolean sr_conv2d_analyze (const float *kernel, int ksize, SrConv2dPlan *plan);

typedef struct SrConv2d SrConv2d;

SrConv2d *sr_conv2d_new (SrRuntime *rt, GError **error);
void sr_conv2d_free (SrConv2d *op);

/* dst = filter2D (src, kernel) for a ksize x ksize row-major kernel. src and
 * dst are f32 [N,C,H,W] of the same shape and must not alias. With
 * SR_BORDER_REFLECT_ONCE H and W must exceed ksize/2, as upstream's PyTorch
 * pad requires (else SR_ERR_INVALID_ARGUMENT, as is an even ksize).
 * plan (may be NULL) receives the plan used. Kernels are uploaded once and
 * cached by content. */
SrStatus sr_conv2d_run (SrConv2d *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, const float *kernel, int ksize, SrConv2dBorder border,
    SrConv2dPlan *plan);

/* dst = filter2D (src, col row^T) with the two 1-D factors given directly
 * (USM's Gaussian), both of length ksize: col along H, row along W. Same
 * rules as sr_conv2d_run with SR_BORDER_REFLECT_ONCE; zero ends of each
 * factor are trimmed. */
SrStatus sr_conv2d_run_separable (SrConv2d *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, const float *col, const float *row,
    int ksize);

G_END_DECLS
