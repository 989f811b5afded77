/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_convert.h"

struct SrConvert {
  SrRuntime *rt;
  cl_kernel upload, download;
  cl_kernel upload_yuv, download_yuv;
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
  SrTensor *staging = sr_tensor_reuse (op->rt, q, &op->bytes_out, 1, 1, 1,
      row * h, SR_DTYPE_U8);
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
  size_t g[2] = { (size_t) w, (size_t) h };
  SrStatus st = sr_enqueue (q, op->download, 2, g);
  if (st != SR_OK)
    return st;
  const size_t origin[3] = { 0, 0, 0 };
  const size_t region[3] = { (size_t) row, (size_t) h, 1 };
  return sr_status_from_cl (clEnqueueReadBufferRect (q, staging->mem, CL_TRUE,
          origin, origin, region, (size_t) row, 0, (size_t) stride, 0, out, 0,
          NULL, NULL));
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
  SrTensor *staging = sr_tensor_reuse (op->rt, q, &op->bytes_in, 1, 1, 1,
      (int) total, SR_DTYPE_U8);
  if (!staging)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  for (int p = 0; p < f->n_planes; p++) {
    if (!size[p])
      continue;
    /* Blocking: the caller's frame may be unmapped as soon as we return. */
    cl_int err = clEnqueueWriteBuffer (q, staging->mem, CL_TRUE,
        (size_t) (base[p] + first[p] * f->stride[p]), (size_t) size[p],
        f->data[p] + (size_t) first[p] * f->stride[p], 0, NULL, NULL);
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
  size_t g[2] = { (size_t) w, (size_t) h };
  return sr_enqueue (q, kn, 2, g);
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
  SrTensor *staging = sr_tensor_reuse (op->rt, q, &op->bytes_out, 1, 1, 1,
      (int) total, SR_DTYPE_U8);
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
  size_t g[2] = { (size_t) (-((-w) >> sw)), (size_t) (-((-h) >> sh)) };
  SrStatus st = sr_enqueue (q, kn, 2, g);
  if (st != SR_OK)
    return st;
  /* As for packed RGB, row padding comes back as whatever staging held. */
  for (int p = 0; p < f->n_planes; p++) {
    if (!size[p])
      continue;
    cl_int err = clEnqueueReadBuffer (q, staging->mem, CL_TRUE,
        (size_t) base[p], (size_t) size[p], f->data[p], 0, NULL, NULL);
    if (err != CL_SUCCESS)
      return sr_status_from_cl (err);
  }
  return SR_OK;
}
