/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unsharp-mask op: BasicSR's USMSharp (img_process_util.py), used by
 * the srusm element for Real-ESRGAN's sharpened targets. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

/* cv2.getGaussianKernel(n, sigma) in double: sigma <= 0 means
 * 0.3 * ((n - 1) / 2 - 1) + 0.8 (8.0 for n = 51). out has n entries. */
void sr_usm_gaussian (double *out, int n, double sigma);

/* BasicSR's kernel size for a radius: an even radius is made odd (50 -> 51). */
int sr_usm_kernel_size (int radius);

typedef struct SrUsm SrUsm;

SrUsm *sr_usm_new (SrRuntime *rt, GError **error);
void sr_usm_free (SrUsm *op);

/* dst = USMSharp(src) with kernel size n (odd), Gaussian sigma (<= 0:
 * derived), weight and threshold (0..255 units). src, dst [N,3,H,W] f32,
 * distinct; H and W must exceed n / 2 (reflect padding). */
SrStatus sr_usm_run (SrUsm *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, int n, double sigma, double weight, double threshold);

G_END_DECLS
