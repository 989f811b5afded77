/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_convert.h"

struct SrConvert {
  SrRuntime *rt;
  cl_kernel upload, download;
  cl_kernel upload_yuv, download_yuv;
  SrTensor *bytes_in, *bytes_out;     /* staging buffers, reused */
  /* sr_convert_set_transfer: the copies' queue, and the events that keep
   * a copy and a kernel off the same staging bytes at once */
  cl_command_queue transfer;
  cl_event in_read;         /* the last upload kernel (reads bytes_in) */
  cl_event out_copied;      /* the last copy out of bytes_out */
};

SrConvert *
sr_convert_new (SrRuntime *rt, GError **error)
{
  SrConvert *op = g_new0 (SrConvert, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->upload = sr_runtime_create_kernel (rt, "convert", "upload_packed8",
              error))
      || !(op->download = sr_runtime_create_kernel (rt, "convert",
              "download_packed8", error))
      || !(op->upload_yuv = sr_runtime_create_kernel (rt, "convert",
              "upload_yuv8", error))
      || !(op->download_yuv = sr_runtime_create_kernel (rt, "convert",
              "download_yuv8", error))) {
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
  if (op->upload_yuv)
    clReleaseKernel (op->upload_yuv);
  if (op->download_yuv)
    clReleaseKernel (op->download_yuv);
  sr_convert_set_transfer (op, NULL);
  sr_tensor_unref (op->bytes_in);
  sr_tensor_unref (op->bytes_out);
  sr_runtime_unref (op->rt);
  g_free (op);
}

static void
replace_event (cl_event *slot, cl_event ev)
{
  if (*slot)
    clReleaseEvent (*slot);
  *slot = ev;
}

void
sr_convert_set_transfer (SrConvert *op, cl_command_queue transfer)
{
  if (op->transfer)
    clFinish (op->transfer);
  replace_event (&op->in_read, NULL);
  replace_event (&op->out_copied, NULL);
  if (transfer)
    clRetainCommandQueue (transfer);
  if (op->transfer)
    clReleaseCommandQueue (op->transfer);
  op->transfer = transfer;
}

cl_event
sr_convert_transfer_marker (SrConvert *op)
{
  cl_event ev = NULL;
  if (!op->transfer)
    return NULL;
  if (clEnqueueMarkerWithWaitList (op->transfer, 0, NULL, &ev) == CL_SUCCESS)
    clFlush (op->transfer);
  else {
    clFinish (op->transfer);    /* no event to wait for: the copies end here */
    ev = NULL;
  }
  return ev;
}

/* An event on q after the commands enqueued so far, submitted so that the
 * other queue can wait for it. */
static cl_int
mark (cl_command_queue q, cl_event *ev)
{
  const cl_int err = clEnqueueMarkerWithWaitList (q, 0, NULL, ev);
  return err != CL_SUCCESS ? err : clFlush (q);
}

/* q's next commands wait for ev (none: no wait). */
static cl_int
wait_on (cl_command_queue q, cl_event ev)
{
  return ev ? clEnqueueBarrierWithWaitList (q, 1, &ev, NULL) : CL_SUCCESS;
}

/* The staging buffer in *slot, at least `bytes` long. One in use by a copy
 * goes back to the pool (and to other queues) only once the copy ends. */
static SrTensor *
staging_for (SrConvert *op, cl_command_queue q, SrTensor **slot, size_t bytes)
{
  if (op->transfer && !(*slot && (*slot)->capacity >= bytes)) {
    clFlush (q);                /* the copies may wait for q's kernels */
    clFinish (op->transfer);
  }
  return sr_tensor_reuse (op->rt, q, slot, 1, 1, 1, (int) bytes, SR_DTYPE_U8);
}

/* Host bytes into bytes_in at offset, ahead of q's next kernel. */
static cl_int
copy_in (SrConvert *op, cl_command_queue q, size_t offset, size_t bytes,
    const void *host)
{
  if (!op->transfer)
    /* Blocking: the caller's frame may be unmapped as soon as we return. */
    return clEnqueueWriteBuffer (q, op->bytes_in->mem, CL_TRUE, offset, bytes,
        host, 0, NULL, NULL);
  /* Not over bytes the previous upload kernel may still be reading. */
  return clEnqueueWriteBuffer (op->transfer, op->bytes_in->mem, CL_FALSE,
      offset, bytes, host, op->in_read ? 1 : 0,
      op->in_read ? &op->in_read : NULL, NULL);
}

/* The upload kernel, after the copies into bytes_in. */
static SrStatus
enqueue_upload (SrConvert *op, cl_command_queue q, cl_kernel kn, size_t w,
    size_t h)
{
  size_t g[2] = { w, h };
  if (!op->transfer)
    return sr_enqueue (q, kn, 2, g);
  cl_event copied = NULL, done = NULL;
  cl_int err = mark (op->transfer, &copied);
  if (err == CL_SUCCESS)
    err = wait_on (q, copied);
  if (copied)
    clReleaseEvent (copied);
  if (err != CL_SUCCESS)
    return sr_status_from_cl (err);
  SrStatus st = sr_enqueue (q, kn, 2, g);
  if (st == SR_OK && (err = mark (q, &done)) != CL_SUCCESS)
    st = sr_status_from_cl (err);
  if (st == SR_OK)
    replace_event (&op->in_read, done);
  return st;
}

/* The download kernel into bytes_out, once the copies out of it are done;
 * *copy_after: what the copies out of its result wait for (NULL: they go on
 * q, blocking). */
static SrStatus
enqueue_download (SrConvert *op, cl_command_queue q, cl_kernel kn, size_t w,
    size_t h, cl_event *copy_after)
{
  size_t g[2] = { w, h };
  *copy_after = NULL;
  cl_int err = op->transfer ? wait_on (q, op->out_copied) : CL_SUCCESS;
  if (err != CL_SUCCESS)
    return sr_status_from_cl (err);
  SrStatus st = sr_enqueue (q, kn, 2, g);
  if (st == SR_OK && op->transfer && (err = mark (q, copy_after)) != CL_SUCCESS)
    st = sr_status_from_cl (err);
  return st;
}

/* After the copies out of bytes_out: the next download kernel waits for
 * them. */
static cl_int
copied_out (SrConvert *op, cl_event copy_after)
{
  clReleaseEvent (copy_after);
  cl_event done = NULL;
  const cl_int err = mark (op->transfer, &done);
  if (err == CL_SUCCESS)
    replace_event (&op->out_copied, done);
  return err;
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
  SrTensor *staging = staging_for (op, q, &op->bytes_in, bytes);
  if (!staging)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  cl_int err = copy_in (op, q, 0, bytes, f->data + (size_t) y0 * f->stride);
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
  return enqueue_upload (op, q, op->upload, w, h);
}

SrStatus
sr_download_packed8 (SrConvert *op, cl_command_queue q, const SrTensor *src,
    guint8 *out, int stride, const SrPackedLayout *l, SrRoundMode round_mode)
{
  return sr_download_packed8_rect (op, q, src, 0, 0, src->w, src->h, out,
      stride, l, round_mode);
}

SrStatus
sr_download_packed8_rect (SrConvert *op, cl_command_queue q,
    const SrTensor *src, int sx, int sy, int w, int h, guint8 *out,
    int stride, const SrPackedLayout *l, SrRoundMode round_mode)
{
  const int mode = round_mode, row = w * l->pixel_stride;
  if (src->c != 3 || src->n != 1 || w < 1 || h < 1 || sx < 0 || sy < 0
      || sx + w > src->w || sy + h > src->h || stride < row)
    return SR_ERR_INVALID_ARGUMENT;
  /* The rect packed tight on the device, then read row by row into out's
   * rows (a rect read), so no byte around the rect is touched. */
  SrTensor *staging = staging_for (op, q, &op->bytes_out, (size_t) row * h);
  if (!staging)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  cl_int e = 0;
  e |= SR_ARG_MEM (op->download, 0, src);
  e |= SR_ARG_MEM (op->download, 1, staging);
  e |= SR_ARG (op->download, 2, row);
  e |= SR_ARG (op->download, 3, l->pixel_stride);
  e |= SR_ARG (op->download, 4, l->r);
  e |= SR_ARG (op->download, 5, l->g);
  e |= SR_ARG (op->download, 6, l->b);
  e |= SR_ARG (op->download, 7, l->a);
  e |= SR_ARG (op->download, 8, sx);
  e |= SR_ARG (op->download, 9, sy);
  e |= SR_ARG (op->download, 10, src->w);
  e |= SR_ARG (op->download, 11, src->h);
  e |= SR_ARG (op->download, 12, mode);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  cl_event after;
  SrStatus st = enqueue_download (op, q, op->download, w, h, &after);
  if (st != SR_OK)
    return st;
  const size_t origin[3] = { 0, 0, 0 };
  const size_t region[3] = { (size_t) row, (size_t) h, 1 };
  cl_int err = clEnqueueReadBufferRect (after ? op->transfer : q, staging->mem,
      !after, origin, origin, region, (size_t) row, 0, (size_t) stride, 0, out,
      after ? 1 : 0, after ? &after : NULL, NULL);
  const cl_int marked = after ? copied_out (op, after) : CL_SUCCESS;
  return sr_status_from_cl (err != CL_SUCCESS ? err : marked);
}

/* ---- YUV ------------------------------------------------------------------ */

void
sr_color_matrix_bt601 (SrColorMatrix *m, gboolean full_range)
{
  m->kr = 0.299;
  m->kb = 0.114;
  m->y_offset = full_range ? 0 : 16;
  m->y_scale = full_range ? 255 : 219;
  m->c_offset = 128;
  m->c_scale = full_range ? 255 : 224;
}

/* Columns / rows of component c's grid (chroma rounds up, as GStreamer's
 * GST_VIDEO_SUB_SCALE does). */
static int
comp_cols (const SrYuvFrame *f, int c)
{
  return c == 0 ? f->width : -((-f->width) >> f->sub_w);
}

static int
comp_rows (const SrYuvFrame *f, int c)
{
  return c == 0 ? f->height : -((-f->height) >> f->sub_h);
}

static int
n_comps (const SrYuvFrame *f)
{
  return f->comp[1].plane >= 0 ? 3 : 1;
}

/* Bytes of one row of plane p that hold samples. 0: no component there. */
static int
plane_row_bytes (const SrYuvFrame *f, int p)
{
  int bytes = 0;
  for (int c = 0; c < n_comps (f); c++)
    if (f->comp[c].plane == p)
      bytes = MAX (bytes, f->comp[c].offset
          + (comp_cols (f, c) - 1) * f->comp[c].pstride + 1);
  return bytes;
}

static gboolean
yuv_frame_valid (const SrYuvFrame *f)
{
  if (f->n_planes < 1 || f->n_planes > 3 || f->width <= 0 || f->height <= 0
      || f->sub_w < 0 || f->sub_w > 2 || f->sub_h < 0 || f->sub_h > 2
      || f->comp[0].plane < 0 || (f->comp[1].plane < 0) != (f->comp[2].plane < 0)
      || f->matrix.y_scale <= 0 || f->matrix.c_scale <= 0
      || f->matrix.kr <= 0 || f->matrix.kb <= 0 || f->matrix.kr + f->matrix.kb >= 1)
    return FALSE;
  for (int c = 0; c < n_comps (f); c++)
    if (f->comp[c].plane >= f->n_planes || f->comp[c].pstride <= 0
        || f->comp[c].offset < 0)
      return FALSE;
  for (int p = 0; p < f->n_planes; p++)
    if (!f->data[p] || f->stride[p] < plane_row_bytes (f, p))
      return FALSE;
  return TRUE;
}

/* (base, stride, pstride, offset) of component c, planes staged at
 * plane_base (already shifted by the first staged row). */
static cl_int4
comp_desc (const SrYuvFrame *f, int c, const long *plane_base)
{
  cl_int4 d = { { 0, 0, 1, 0 } };
  const SrYuvComp *k = &f->comp[MIN (c, n_comps (f) - 1)];
  d.s[0] = (cl_int) plane_base[k->plane];
  d.s[1] = f->stride[k->plane];
  d.s[2] = k->pstride;
  d.s[3] = k->offset;
  return d;
}

static cl_float4
range_of (const SrColorMatrix *m)
{
  cl_float4 r = { { (float) m->y_offset, (float) m->y_scale,
          (float) m->c_offset, (float) m->c_scale } };
  return r;
}

static cl_float2
k_of (const SrColorMatrix *m)
{
  cl_float2 k = { { (float) m->kr, (float) m->kb } };
  return k;
}

SrStatus
sr_upload_yuv8 (SrConvert *op, cl_command_queue q, const SrYuvFrame *f,
    int x0, int y0, SrTensor *dst)
{
  const int w = dst->w, h = dst->h;
  if (dst->c != 3 || dst->n != 1 || !yuv_frame_valid (f) || x0 < 0 || y0 < 0
      || x0 + w > f->width || y0 + h > f->height)
    return SR_ERR_INVALID_ARGUMENT;

  /* Only the rows the crop touches travel: its luma rows and the chroma rows
   * around them (one more each side for the vertical interpolation). */
  long first[3], size[3], base[3], total = 0;
  for (int p = 0; p < f->n_planes; p++) {
    int lo = G_MAXINT, hi = -1;
    for (int c = 0; c < n_comps (f); c++) {
      if (f->comp[c].plane != p)
        continue;
      const int s = c == 0 ? 0 : f->sub_h;
      lo = MIN (lo, MAX (0, (y0 >> s) - (s ? 1 : 0)));
      hi = MAX (hi, MIN (comp_rows (f, c) - 1, ((y0 + h - 1) >> s) + (s ? 1 : 0)));
    }
    if (hi < 0) {
      first[p] = size[p] = base[p] = 0;
      continue;
    }
    first[p] = lo;
    size[p] = (long) (hi - lo) * f->stride[p] + plane_row_bytes (f, p);
    base[p] = total - (long) lo * f->stride[p];
    total += size[p];
  }
  if (total > G_MAXINT)
    return SR_ERR_INVALID_ARGUMENT;
  SrTensor *staging = staging_for (op, q, &op->bytes_in, (size_t) total);
  if (!staging)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  for (int p = 0; p < f->n_planes; p++) {
    if (!size[p])
      continue;
    cl_int err = copy_in (op, q, (size_t) (base[p] + first[p] * f->stride[p]),
        (size_t) size[p], f->data[p] + (size_t) first[p] * f->stride[p]);
    if (err != CL_SUCCESS)
      return sr_status_from_cl (err);
  }

  const cl_int4 cy = comp_desc (f, 0, base), cu = comp_desc (f, 1, base),
      cv = comp_desc (f, 2, base);
  const cl_float4 range = range_of (&f->matrix);
  const cl_float2 k = k_of (&f->matrix);
  const int has_chroma = n_comps (f) == 3;
  const int cosite = (f->cosited_h ? 1 : 0) | (f->cosited_v ? 2 : 0);
  const int cw = comp_cols (f, 1), ch = comp_rows (f, 1);
  cl_kernel kn = op->upload_yuv;
  cl_int e = 0;
  e |= SR_ARG_MEM (kn, 0, staging);
  e |= SR_ARG_MEM (kn, 1, dst);
  e |= SR_ARG (kn, 2, cy);
  e |= SR_ARG (kn, 3, cu);
  e |= SR_ARG (kn, 4, cv);
  e |= SR_ARG (kn, 5, has_chroma);
  e |= SR_ARG (kn, 6, f->sub_w);
  e |= SR_ARG (kn, 7, f->sub_h);
  e |= SR_ARG (kn, 8, cosite);
  e |= SR_ARG (kn, 9, cw);
  e |= SR_ARG (kn, 10, ch);
  e |= SR_ARG (kn, 11, range);
  e |= SR_ARG (kn, 12, k);
  e |= SR_ARG (kn, 13, x0);
  e |= SR_ARG (kn, 14, y0);
  e |= SR_ARG (kn, 15, w);
  e |= SR_ARG (kn, 16, h);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  return enqueue_upload (op, q, kn, w, h);
}

SrStatus
sr_download_yuv8 (SrConvert *op, cl_command_queue q, const SrTensor *src,
    const SrYuvFrame *f, SrRoundMode round_mode)
{
  const int w = src->w, h = src->h, mode = round_mode;
  if (src->c != 3 || src->n != 1 || !yuv_frame_valid (f) || f->width != w
      || f->height != h)
    return SR_ERR_INVALID_ARGUMENT;

  long size[3], base[3], total = 0;
  for (int p = 0; p < f->n_planes; p++) {
    int rows = 0;
    for (int c = 0; c < n_comps (f); c++)
      if (f->comp[c].plane == p)
        rows = MAX (rows, comp_rows (f, c));
    size[p] = rows ? (long) (rows - 1) * f->stride[p] + plane_row_bytes (f, p) : 0;
    base[p] = total;
    total += size[p];
  }
  if (total > G_MAXINT)
    return SR_ERR_INVALID_ARGUMENT;
  SrTensor *staging = staging_for (op, q, &op->bytes_out, (size_t) total);
  if (!staging)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;

  const cl_int4 cy = comp_desc (f, 0, base), cu = comp_desc (f, 1, base),
      cv = comp_desc (f, 2, base);
  const cl_float4 range = range_of (&f->matrix);
  const cl_float2 k = k_of (&f->matrix);
  const int has_chroma = n_comps (f) == 3;
  /* Without chroma every pixel is its own block. */
  const int sw = has_chroma ? f->sub_w : 0, sh = has_chroma ? f->sub_h : 0;
  cl_kernel kn = op->download_yuv;
  cl_int e = 0;
  e |= SR_ARG_MEM (kn, 0, src);
  e |= SR_ARG_MEM (kn, 1, staging);
  e |= SR_ARG (kn, 2, cy);
  e |= SR_ARG (kn, 3, cu);
  e |= SR_ARG (kn, 4, cv);
  e |= SR_ARG (kn, 5, has_chroma);
  e |= SR_ARG (kn, 6, sw);
  e |= SR_ARG (kn, 7, sh);
  e |= SR_ARG (kn, 8, range);
  e |= SR_ARG (kn, 9, k);
  e |= SR_ARG (kn, 10, w);
  e |= SR_ARG (kn, 11, h);
  e |= SR_ARG (kn, 12, mode);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  cl_event after;
  SrStatus st = enqueue_download (op, q, kn, -((-w) >> sw), -((-h) >> sh),
      &after);
  if (st != SR_OK)
    return st;
  /* As for packed RGB, row padding comes back as whatever staging held. */
  cl_int err = CL_SUCCESS;
  for (int p = 0; p < f->n_planes && err == CL_SUCCESS; p++)
    if (size[p])
      err = clEnqueueReadBuffer (after ? op->transfer : q, staging->mem,
          !after, (size_t) base[p], (size_t) size[p], f->data[p],
          after ? 1 : 0, after ? &after : NULL, NULL);
  const cl_int marked = after ? copied_out (op, after) : CL_SUCCESS;
  return sr_status_from_cl (err != CL_SUCCESS ? err : marked);
}
