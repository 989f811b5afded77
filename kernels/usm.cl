/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Unsharp masking, the elementwise half (BasicSR img_process_util.py, USMSharp); the
 * two Gaussian blurs run through conv2d. */

/* mask = |img - blur| * 255 > threshold, per pixel and per channel. */
__kernel void usm_mask (__global const float *img, __global const float *blur,
    __global float *mask, float threshold)
{
  const size_t i = get_global_id (0);
  mask[i] = fabs (img[i] - blur[i]) * 255.0f > threshold ? 1.0f : 0.0f;
}

/* out = soft * clip(img + weight * (img - blur), 0, 1) + (1 - soft) * img */
__kernel void usm_blend (__global const float *img, __global const float *blur,
    __global const float *soft, __global float *out, float weight)
{
  const size_t i = get_global_id (0);
  const float x = img[i];
  const float sharp = clamp (x + weight * (x - blur[i]), 0.0f, 1.0f);
  out[i] = soft[i] * sharp + (1.0f - soft[i]) * x;
}
