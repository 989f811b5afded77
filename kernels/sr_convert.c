#include "sr_convert.h"

struct SrConvert {
  SrRuntime *rt;
  cl_kernel upload, download;
  SrTensor *bytes_in, *bytes_out;     /* staging buffers, reused */
};

SrConvert *
sr_convert_new (SrRuntime *rt, GError **error)
{
  SrConvert *op = g_new0 (SrConvert, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->upload = sr_runtime_create_kernel (rt, "convert", "upload_packed8",
              error))
      || !(op->download = sr_runtime_create_kernel (rt, "convert",
              "download_packed8", error))) {
    sr_convert_free (op);
    return NULL;
  }
  return op;
}

void
sr_convert_free (SrConvert *op)
{
  if (!op)
    return;
  if (op->upload)
    clReleaseKernel (op->upload);
  if (op->download)
    clReleaseKernel (op->download);
  sr_tensor_unref (op->bytes_in);
  sr_tensor_unref (op->bytes_out);
  sr_runtime_unref (op->rt);
  g_free (op);
}

SrStatus
sr_upload_packed8 (SrConvert *op, cl_command_queue q, const SrHostFrame *f,
    int x0, int y0, SrTensor *dst)
{
  const int w = dst->w, h = dst->h;
  if (dst->c != 3 || dst->n != 1 || x0 < 0 || y0 < 0 || x0 + w > f->width
      || y0 + h > f->height || f->stride < f->width * f->layout.pixel_stride)
    return SR_ERR_INVALID_ARGUMENT;
  /* Only the rows the crop touches travel to the device. */
  const size_t bytes = (size_t) (h - 1) * f->stride
      + (size_t) (x0 + w) * f->layout.pixel_stride;
  SrTensor *staging = sr_tensor_reuse (op->rt, q, &op->bytes_in, 1, 1, 1,
      (int) bytes, SR_DTYPE_U8);
  if (!staging)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  /* Blocking: the caller's frame may be unmapped as soon as we return. */
  cl_int err = clEnqueueWriteBuffer (q, staging->mem, CL_TRUE, 0, bytes,
      f->data + (size_t) y0 * f->stride, 0, NULL, NULL);
  if (err != CL_SUCCESS)
    return sr_status_from_cl (err);

  const int zero = 0;
  cl_int e = 0;
  e |= SR_ARG_MEM (op->upload, 0, staging);
  e |= SR_ARG_MEM (op->upload, 1, dst);
  e |= SR_ARG (op->upload, 2, f->stride);
  e |= SR_ARG (op->upload, 3, f->layout.pixel_stride);
  e |= SR_ARG (op->upload, 4, f->layout.r);
  e |= SR_ARG (op->upload, 5, f->layout.g);
  e |= SR_ARG (op->upload, 6, f->layout.b);
  e |= SR_ARG (op->upload, 7, x0);
  e |= SR_ARG (op->upload, 8, zero);
  e |= SR_ARG (op->upload, 9, w);
  e |= SR_ARG (op->upload, 10, h);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  size_t g[2] = { (size_t) w, (size_t) h };
  return sr_enqueue (q, op->upload, 2, g);
}

SrStatus
sr_download_packed8 (SrConvert *op, cl_command_queue q, const SrTensor *src,
    guint8 *out, int stride, const SrPackedLayout *l, SrRoundMode round_mode)
{
  const int w = src->w, h = src->h, mode = round_mode;
  if (src->c != 3 || src->n != 1 || stride < w * l->pixel_stride)
    return SR_ERR_INVALID_ARGUMENT;
  const size_t bytes = (size_t) (h - 1) * stride + (size_t) w * l->pixel_stride;
  SrTensor *staging = sr_tensor_reuse (op->rt, q, &op->bytes_out, 1, 1, 1,
      (int) bytes, SR_DTYPE_U8);
  if (!staging)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  cl_int e = 0;
  e |= SR_ARG_MEM (op->download, 0, src);
  e |= SR_ARG_MEM (op->download, 1, staging);
  e |= SR_ARG (op->download, 2, stride);
  e |= SR_ARG (op->download, 3, l->pixel_stride);
  e |= SR_ARG (op->download, 4, l->r);
  e |= SR_ARG (op->download, 5, l->g);
  e |= SR_ARG (op->download, 6, l->b);
  e |= SR_ARG (op->download, 7, l->a);
  e |= SR_ARG (op->download, 8, w);
  e |= SR_ARG (op->download, 9, h);
  e |= SR_ARG (op->download, 10, mode);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  size_t g[2] = { (size_t) w, (size_t) h };
  SrStatus st = sr_enqueue (q, op->download, 2, g);
  if (st != SR_OK)
    return st;
  /* Padding bytes between rows come back as whatever the staging buffer held;
   * the output frame's padding is not image data. */
  return sr_status_from_cl (clEnqueueReadBuffer (q, staging->mem, CL_TRUE, 0,
          bytes, out, 0, NULL, NULL));
}
