/* Pixel shuffle (depth to space) and unshuffle on channel views of
 * [1,C,H,W] tensors; one work-item per output element, x fastest so that
 * writes are contiguous. in_c0 / out_c0 are the views' first channels. */

/* global (r*w, r*h, c). dcr: TensorFlow depth_to_space order, else
 * PyTorch pixel_shuffle's. */
__kernel void pixel_shuffle (__global const float *in, int in_c0,
    __global float *out, int out_c0, int c, int h, int w, int r, int dcr)
{
  const int ox = get_global_id (0), oy = get_global_id (1);
  const int ch = get_global_id (2);
  const int i = oy % r, j = ox % r;
  const int q = dcr ? (i * r + j) * c + ch : (ch * r + i) * r + j;
  const int ow = w * r;
  out[(size_t) (out_c0 + ch) * h * r * ow + (size_t) oy * ow + ox] =
      in[(size_t) (in_c0 + q) * h * w + (size_t) (oy / r) * w + ox / r];
}

/* global (w, h, c*r*r) over the output; the input is c channels of
 * r*h x r*w. Inverse of pixel_shuffle's PyTorch order. */
__kernel void pixel_unshuffle (__global const float *in, int in_c0,
    __global float *out, int out_c0, int h, int w, int r)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int q = get_global_id (2);
  const int ch = q / (r * r), i = q / r % r, j = q % r;
  const int iw = w * r;
  out[(size_t) (out_c0 + q) * h * w + (size_t) y * w + x] =
      in[(size_t) (in_c0 + ch) * h * r * iw + (size_t) (y * r + i) * iw
      + x * r + j];
}
