/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A picture as an 8-bit file would hold it, back in [0, 1]: the code value
 * of each sample (codes.clh: BasicSR's tensor2img rule) divided by 255 in
 * float32, which is what torchvision's to_tensor gives for that file. The
 * learned metrics (LPIPS) read frames this way, as the reference tools do
 * after quantising their inputs. One work-item per sample; in and out may
 * be the same view. */
#include "codes.clh"

__kernel void unit_codes (__global const float *in, int in_off,
    __global float *out, int out_off)
{
  const size_t i = get_global_id (0);
  out[out_off + i] = sr_code_f (in[in_off + i]) / 255.0f;
}
