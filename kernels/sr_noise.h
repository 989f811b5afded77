/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Noise op: the per-pixel noise steps of Real-ESRGAN (BasicSR degradations.py: Gaussian,
 * Poisson) and BSRGAN (KAIR utils_blindsr.py add_Gaussian_noise: gray, colour and channel-correlated
 * Gaussian), out = clamp(img + noise, 0, 1). The caller draws the
 * parameters (sigma, scale, gray, factor) on the host; the per-pixel field
 * comes from the device Philox streams of philox.clh keyed by (seed,
 * index, op_id), so the same keys give the same bytes on the same device.
 * Give each call an op_id no SrRng parameter stream of the same (seed,
 * index) uses. src and dst are [N,C,H,W] f32 of the same shape and may be
 * the same tensor; N*C*H*W must stay below 2^28. */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

typedef struct SrNoise SrNoise;

SrNoise *sr_noise_new (SrRuntime *rt, GError **error);
void sr_noise_free (SrNoise *op);

/* Gaussian noise of standard deviation sigma/255 (sigma in 0..255 units,
 * as Real-ESRGAN's sigma and BSRGAN's noise_level are). gray: one field
 * for all channels (normal 0 of each pixel's stream); else channel c gets
 * normal c, independent per channel. */
SrStatus sr_noise_gaussian_run (SrNoise *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, guint64 seed, guint64 index,
    guint32 op_id, double sigma, gboolean gray);

/* BSRGAN's correlated branch: noise = z @ factor per pixel, z = normals
 * 0..2 of the pixel's stream (N(0, I)), factor row-major 3x3 in [0,1]
 * units (NumPy multivariate_normal's sqrt(s)[:,None] * vh, made by the
 * caller). C must be 3. */
SrStatus sr_noise_correlated_run (SrNoise *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, guint64 seed, guint64 index,
    guint32 op_id, const double factor[9]);

/* Real-ESRGAN's Poisson noise: x = clamp(round(img*255), 0, 255)/255,
 * vals = 2^ceil(log2(#distinct levels of image n over all channels)),
 * noise = poisson(x*vals)/vals - x, out = clamp(img + scale*noise, 0, 1)
 * with img unrounded. gray: the same from g = rounded 0.2989R + 0.587G +
 * 0.114B with its own vals, one noise value for R, G, B (C must be 3). */
SrStatus sr_noise_poisson_run (SrNoise *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, guint64 seed, guint64 index,
    guint32 op_id, double scale, gboolean gray);

/* dst = clamp(src, 0, 1), any shape (KAIR's np.clip after a resize). */
SrStatus sr_noise_clamp_run (SrNoise *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst);

/* BSRGAN+'s speckle noise (KAIR utils_blindsr.py, add_speckle_noise): x = clamp(img, 0, 1),
 * out = clamp(x + x * noise, 0, 1); the noise field is the Gaussian one of
 * sr_noise_gaussian_run (sigma in 0..255 units; gray or colour) or, when
 * factor is not NULL, the correlated one of sr_noise_correlated_run. C = 3. */
SrStatus sr_noise_speckle_run (SrNoise *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, guint64 seed, guint64 index,
    guint32 op_id, double sigma, gboolean gray, const double factor[9]);

/* BSRGAN+'s (KAIR's) Poisson noise (utils_blindsr.py, add_Poisson_noise), unlike Real-ESRGAN's:
 * x = clamp(round(img*255), 0, 255)/255; colour: out = poisson(x*vals)/vals;
 * gray: g = rounded 0.299R + 0.587G + 0.114B of x, out = x + poisson(g*vals)/
 * vals - g on every channel; clamped to [0,1]. vals > 0 (10^U[2,4) upstream).
 * C = 3. */
SrStatus sr_noise_poisson_kair_run (SrNoise *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, guint64 seed, guint64 index,
    guint32 op_id, double vals, gboolean gray);

/* dst = clamp(round(src*255), 0, 255)/255 (half to even), any shape: what
 * OpenCV stores when a filter or resize writes an 8-bit image, as mmagic's
 * steps after a JPEG decode do. */
SrStatus sr_noise_round8_run (SrNoise *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst);

/* mmagic's RandomNoise (RealBasicVSR; spec part B 5.4), which works in
 * 0..255 and never clips: out = img + noise/255. Gaussian: per-channel
 * normals (gray: one for R, G, B) times sigma = value (0..255 units).
 * Poisson: x = each sample's rounded level 0..255 (gray: the rounded
 * OpenCV gray level 0.299R + 0.587G + 0.114B of the frame in 0..255),
 * vals = 2^ceil(log2(#distinct levels)), noise = poisson(x*vals)/vals - x,
 * times scale = value. C = 3; src may be dst. */
SrStatus sr_noise_mmagic_run (SrNoise *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, guint64 seed, guint64 index,
    guint32 op_id, gboolean poisson, double value, gboolean gray);

G_END_DECLS
