/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* LPIPS v0.1 with AlexNet (spec/metrics.md 9; richzhang/PerceptualSimilarity
 * lpips/lpips.py): both pictures through AlexNet's five conv+ReLU stages,
 * each stage's features unit-normalised over channels, the squared
 * difference weighted per channel by the linear layers, averaged over the
 * stage's pixels, summed over the stages.
 *
 * The network is a graph like every other (its five normalised stages are
 * the graph's four taps and its output) run by the executor; the weights
 * come from a safetensors file the user converts from the official files
 * (docs/elements.md, scripts/convert-lpips.py), with the keys of
 * lpips.LPIPS(net='alex').state_dict():
 *   net.slice1.0.{weight,bias}   [64,3,11,11]    (torchvision features.0)
 *   net.slice2.3.{weight,bias}   [192,64,5,5]    (features.3)
 *   net.slice3.6.{weight,bias}   [384,192,3,3]   (features.6)
 *   net.slice4.8.{weight,bias}   [256,384,3,3]   (features.8)
 *   net.slice5.10.{weight,bias}  [256,256,3,3]   (features.10)
 *   lin0..lin4.model.1.weight    [1,C,1,1], C = 64, 192, 384, 256, 256
 *   scaling_layer.{shift,scale}  [1,3,1,1] (optional: v0.1's constants)
 * torchvision's own names (features.N.weight) are read too. */
#pragma once

#include "sr_graph.h"

G_BEGIN_DECLS

#define SR_LPIPS_LAYERS 5
/* The smallest side AlexNet leaves a pixel of at relu5: 31 -> 7 -> 3 -> 1. */
#define SR_LPIPS_MIN_SIDE 31

/* The network's graph from the file (its output is relu5 normalised, its
 * taps relu1..relu4 normalised), and lin[k] (g_free) the linear layers'
 * weights, lin_c[k] of them. The input is float32 RGB in [0, 1], already
 * 8-bit values (sr_nn_unit_codes). NULL with an SR_MODEL_ERROR naming the
 * file and the tensor. */
SrGraph *sr_lpips_load (const char *path, float *lin[SR_LPIPS_LAYERS],
    int lin_c[SR_LPIPS_LAYERS], GError **error);

typedef struct _SrLpips SrLpips;

SrLpips *sr_lpips_new (SrRuntime *rt, const char *path, GError **error);
void sr_lpips_free (SrLpips *lp);

/* LPIPS between a and b (float32 [1,3,H,W] RGB in [0, 1], one size, both
 * sides >= SR_LPIPS_MIN_SIDE), quantised to 8-bit values first. Plans on
 * the first call for a size (measured: may take a while). Waits. */
gboolean sr_lpips_run (SrLpips *lp, cl_command_queue q, SrTensor *a,
    SrTensor *b, double *lpips, GError **error);

G_END_DECLS
