/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* dtype conversion between f32 and f16 storage.
 * vload_half / vstore_half_rte are core OpenCL (no cl_khr_fp16 needed), so
 * every device can hold tensors in half precision and compute in float.
 * Each work-item converts 8 consecutive elements; the last one fewer. */

__kernel void f32_to_f16 (__global const float *src, __global half *dst, int n)
{
  const int i = get_global_id (0) * 8;
  if (i + 8 <= n) {
    vstore_half8_rte (vload8 (0, src + i), 0, dst + i);
  } else {
    for (int j = i; j < n; j++)
      vstore_half_rte (src[j], j, dst);
  }
}

__kernel void f16_to_f32 (__global const half *src, __global float *dst, int n)
{
  const int i = get_global_id (0) * 8;
  if (i + 8 <= n) {
    vstore8 (vload_half8 (0, src + i), 0, dst + i);
  } else {
    for (int j = i; j < n; j++)
      dst[j] = vload_half (j, src);
  }
}
