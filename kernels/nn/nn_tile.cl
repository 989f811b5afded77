/* Padding and rectangle copies on channel views of [1,C,H,W] tensors; one
 * work-item per output element, x fastest. */

/* Output (x, y) takes input (x - left, y - top) reflected without edge
 * repetition (each pad is smaller than its side, so once is enough), or 0
 * outside when zero != 0. global (ow, oh, c). */
__kernel void pad (__global const float *in, int in_c0, int h, int w,
    __global float *out, int out_c0, int oh, int ow, int top, int left,
    int zero)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int ch = get_global_id (2);
  int sx = x - left, sy = y - top;
  float v;
  if (zero && (sx < 0 || sx >= w || sy < 0 || sy >= h)) {
    v = 0.0f;
  } else {
    sx = sx < 0 ? -sx : sx >= w ? 2 * (w - 1) - sx : sx;
    sy = sy < 0 ? -sy : sy >= h ? 2 * (h - 1) - sy : sy;
    v = in[(size_t) (in_c0 + ch) * h * w + (size_t) sy * w + sx];
  }
  out[(size_t) (out_c0 + ch) * oh * ow + (size_t) y * ow + x] = v;
}

/* The rw x rh rectangle at (sx, sy) of in to (dx, dy) of out; global
 * (rw, rh, c). */
__kernel void copy_rect (__global const float *in, int in_c0, int h, int w,
    int sx, int sy, __global float *out, int out_c0, int oh, int ow, int dx,
    int dy)
{
  const int x = get_global_id (0), y = get_global_id (1);
  const int ch = get_global_id (2);
  out[(size_t) (out_c0 + ch) * oh * ow + (size_t) (dy + y) * ow + dx + x] =
      in[(size_t) (in_c0 + ch) * h * w + (size_t) (sy + y) * w + sx + x];
}
