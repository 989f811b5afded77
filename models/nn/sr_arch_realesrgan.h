/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Real-ESRGAN's networks from a safetensors file holding their PyTorch
 * state_dict, the architecture recognised from the tensor names and its
 * configuration read from their shapes:
 *
 *  - SRVGGNetCompact (Real-ESRGAN realesrgan/archs/srvgg_arch.py): body.0
 *    (conv 3 -> F), body.1 (PReLU), num_conv x (conv F -> F, PReLU), a last
 *    conv F -> 3 r^2, PyTorch's pixel shuffle, plus the input upsampled
 *    (nearest) by r. Without PReLU weights the activation comes from
 *    __metadata__ "gst-sr.config" {"act_type": "relu" | "leakyrelu"}.
 *  - RRDBNet (BasicSR basicsr/archs/rrdbnet_arch.py): conv_first, body.N
 *    (RRDB of three residual dense blocks), conv_body, two nearest x2
 *    upsamplings with conv_up1/conv_up2, conv_hr, conv_last; x4, or x2 / x1
 *    with 12 / 48 input channels (pixel_unshuffle of the input by 2 / 4,
 *    whose input sizes must then be multiples of 2 / 4).
 *
 * Keys may carry the 'params_ema.' or 'params.' prefix of Real-ESRGAN's
 * checkpoints (params_ema preferred, as Real-ESRGAN's RealESRGANer does).
 * Our frames are [0,1], the networks' range; the output is clamped to
 * [0,1]. A key under the chosen prefix that no layer uses is an error. */
#pragma once

#include "sr_graph.h"

G_BEGIN_DECLS

SrGraph *sr_realesrgan_load (const char *path, GError **error);

G_END_DECLS
