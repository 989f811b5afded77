/* 2-D convolution op: BasicSR's filter2D (spec/degradations.md A.4.1), the
 * blur of the Real-ESRGAN/HGGT degradations and of USM. One K x K kernel
 * (K odd) applied to every plane, correlation (not flipped), REFLECT_101
 * borders (c b | a b c d | c b), output the input's size, no clamping. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

typedef enum {
  SR_CONV2D_DIRECT,       /* one 2-D pass over the (trimmed) kernel */
  SR_CONV2D_SEPARABLE,    /* two 1-D passes: along H, then along W */
} SrConv2dPath;

/* How a kernel is run: its all-zero border rows/columns trimmed (each axis
 * symmetrically, so the anchor stays central) and, when it is rank 1 to a
 * relative (Frobenius) error below 1e-7, split as k[i][j] = col[i]*row[j]. */
typedef struct {
  SrConv2dPath path;
  int kh, kw;             /* trimmed size, both odd */
} SrConv2dPlan;

/* The plan sr_conv2d_run would use for this ksize x ksize kernel
 * (row-major); FALSE if ksize is not a positive odd number. */
gboolean sr_conv2d_analyze (const float *kernel, int ksize, SrConv2dPlan *plan);

typedef struct SrConv2d SrConv2d;

SrConv2d *sr_conv2d_new (SrRuntime *rt, GError **error);
void sr_conv2d_free (SrConv2d *op);

/* dst = filter2D (src, kernel) for a ksize x ksize row-major kernel. src and
 * dst are f32 [N,C,H,W] of the same shape and must not alias. As upstream,
 * H and W must exceed ksize/2 (else SR_ERR_INVALID_ARGUMENT, as is an even
 * ksize). plan (may be NULL) receives the plan used. Kernels are uploaded
 * once and cached by content. */
SrStatus sr_conv2d_run (SrConv2d *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, const float *kernel, int ksize, SrConv2dPlan *plan);

/* dst = filter2D (src, col row^T) with the two 1-D factors given directly
 * (USM's Gaussian), both of length ksize: col along H, row along W. Same
 * rules as sr_conv2d_run; zero ends of each factor are trimmed. */
SrStatus sr_conv2d_run_separable (SrConv2d *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, const float *col, const float *row,
    int ksize);

G_END_DECLS
