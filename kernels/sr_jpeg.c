/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_jpeg.h"

#include <math.h>

/* Annex K tables, natural (row-major, rows = vertical frequency) order
 * (ITU-T T.81 Annex K, as libjpeg's jcparam.c std_luminance_quant_tbl). */
static const int annex_k_luma[64] = {
  16, 11, 10, 16, 24, 40, 51, 61,
  12, 12, 14, 19, 26, 58, 60, 55,
  14, 13, 16, 24, 40, 57, 69, 56,
  14, 17, 22, 29, 51, 87, 80, 62,
  18, 22, 37, 56, 68, 109, 103, 77,
  24, 35, 55, 64, 81, 104, 113, 92,
  49, 64, 78, 87, 103, 121, 120, 101,
  72, 92, 95, 98, 112, 100, 103, 99,
};

static const int annex_k_chroma[64] = {
  17, 18, 24, 47, 99, 99, 99, 99,
  18, 21, 26, 66, 99, 99, 99, 99,
  24, 26, 56, 99, 99, 99, 99, 99,
  47, 66, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99,
};

/* Offsets into the device table buffer; jpeg.cl uses the same layout. */
#define TAB_LUMA 0
#define TAB_LUMA_T 64
#define TAB_CHROMA 128

float
sr_jpeg_diffjpeg_factor (float quality)
{
  const float s = quality < 50.0f ? 5000.0f / quality : 200.0f - quality * 2.0f;
  return s / 100.0f;
}

int
sr_jpeg_ijg_scale (int quality)
{
  quality = CLAMP (quality, 1, 100);
  return quality < 50 ? 5000 / quality : 200 - quality * 2;
}

int
sr_jpeg_ijg_quality (float quality)
{
  return CLAMP ((int) floorf (quality + 0.5f), 1, 100);
}

struct SrJpeg {
  SrRuntime *rt;
  cl_kernel luma, chroma, merge;        /* DiffJPEG (float) */
  cl_kernel ijg_luma, ijg_chroma, ijg_merge;    /* libjpeg (integer) */
  SrTensor *cosm, *tables;      /* constant, uploaded on the first run */
  SrTensor *yplane, *cplane;    /* decoded planes, reused across frames:
                                 * f32 for DiffJPEG, u8 for libjpeg */
};

SrJpeg *
sr_jpeg_new (SrRuntime *rt, GError **error)
{
  SrJpeg *op = g_new0 (SrJpeg, 1);
  op->rt = sr_runtime_ref (rt);
  if (!(op->luma = sr_runtime_create_kernel (rt, "jpeg", "jpeg_luma", error))
      || !(op->chroma = sr_runtime_create_kernel (rt, "jpeg", "jpeg_chroma",
              error))
      || !(op->merge = sr_runtime_create_kernel (rt, "jpeg", "jpeg_merge",
              error))
      || !(op->ijg_luma = sr_runtime_create_kernel (rt, "jpeg", "ijg_luma",
              error))
      || !(op->ijg_chroma = sr_runtime_create_kernel (rt, "jpeg",
              "ijg_chroma", error))
      || !(op->ijg_merge = sr_runtime_create_kernel (rt, "jpeg", "ijg_merge",
              error))) {
    sr_jpeg_free (op);
    return NULL;
  }
  return op;
}

void
sr_jpeg_free (SrJpeg *op)
{
  if (!op)
    return;
  if (op->luma)
    clReleaseKernel (op->luma);
  if (op->chroma)
    clReleaseKernel (op->chroma);
  if (op->merge)
    clReleaseKernel (op->merge);
  if (op->ijg_luma)
    clReleaseKernel (op->ijg_luma);
  if (op->ijg_chroma)
    clReleaseKernel (op->ijg_chroma);
  if (op->ijg_merge)
    clReleaseKernel (op->ijg_merge);
  sr_tensor_unref (op->cosm);
  sr_tensor_unref (op->tables);
  sr_tensor_unref (op->yplane);
  sr_tensor_unref (op->cplane);
  sr_runtime_unref (op->rt);
  g_free (op);
}

static SrStatus
upload_constants (SrJpeg *op, cl_command_queue q)
{
  float cosm[64];
  int tables[192];
  for (int u = 0; u < 8; u++)
    for (int x = 0; x < 8; x++) {
      const double a = u == 0 ? M_SQRT1_2 : 1.0;
      cosm[u * 8 + x] = (float) (0.5 * a * cos ((2 * x + 1) * u * M_PI / 16));
    }
  for (int u = 0; u < 8; u++)
    for (int v = 0; v < 8; v++) {
      tables[TAB_LUMA + u * 8 + v] = annex_k_luma[u * 8 + v];
      tables[TAB_LUMA_T + u * 8 + v] = annex_k_luma[v * 8 + u];
      tables[TAB_CHROMA + u * 8 + v] = annex_k_chroma[u * 8 + v];
    }
  op->cosm = sr_tensor_new (op->rt, 1, 1, 8, 8, SR_DTYPE_F32, NULL);
  op->tables = sr_tensor_new (op->rt, 1, 1, 3, 64, SR_DTYPE_I32, NULL);
  if (!op->cosm || !op->tables)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  SrStatus st = sr_tensor_write (q, op->cosm, cosm);
  return st != SR_OK ? st : sr_tensor_write (q, op->tables, tables);
}

SrStatus
sr_jpeg_run (SrJpeg *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, float quality, SrJpegOpVariant variant)
{
  if (src->c != 3 || dst->n != src->n || dst->c != 3 || dst->h != src->h
      || dst->w != src->w || src->dtype != SR_DTYPE_F32
      || dst->dtype != SR_DTYPE_F32 || src->h < 1 || src->w < 1)
    return SR_ERR_INVALID_ARGUMENT;
  const gboolean libjpeg = variant == SR_JPEG_OP_LIBJPEG_TABLES
      || variant == SR_JPEG_OP_LIBJPEG_TABLES_BGR;
  const cl_int bgr = variant == SR_JPEG_OP_LIBJPEG_TABLES_BGR;
  if (variant != SR_JPEG_OP_DIFFJPEG && variant != SR_JPEG_OP_DIFFJPEG_BASICSR
      && !libjpeg)
    return SR_ERR_INVALID_ARGUMENT;
  if (libjpeg ? !(quality >= 1.0f && quality <= 100.0f)
      : !(quality > 0.0f && quality < 100.0f))
    return SR_ERR_INVALID_ARGUMENT;

  if (!op->cosm) {
    SrStatus st = upload_constants (op, q);
    if (st != SR_OK) {
      g_clear_pointer (&op->cosm, sr_tensor_unref);
      g_clear_pointer (&op->tables, sr_tensor_unref);
      return st;
    }
  }

  const int n = src->n, h = src->h, w = src->w;
  const int hp = (h + 15) / 16 * 16, wp = (w + 15) / 16 * 16;
  const SrDType pt = libjpeg ? SR_DTYPE_U8 : SR_DTYPE_F32;
  SrTensor *yp = sr_tensor_reuse (op->rt, q, &op->yplane, n, 1, hp, wp, pt);
  SrTensor *cp = sr_tensor_reuse (op->rt, q, &op->cplane, n, 2, hp / 2, wp / 2,
      pt);
  if (!yp || !cp)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;

  cl_kernel kl = libjpeg ? op->ijg_luma : op->luma;
  cl_kernel kc = libjpeg ? op->ijg_chroma : op->chroma;
  cl_kernel km = libjpeg ? op->ijg_merge : op->merge;
  cl_int e = 0;
  e |= SR_ARG_MEM (kl, 0, src);
  e |= SR_ARG_MEM (kl, 1, yp);
  e |= SR_ARG_MEM (kc, 0, src);
  e |= SR_ARG_MEM (kc, 1, cp);
  for (int i = 0; i < 2; i++) {
    cl_kernel k = i ? kc : kl;
    e |= SR_ARG (k, 2, h);
    e |= SR_ARG (k, 3, w);
    e |= SR_ARG (k, 4, hp);
    e |= SR_ARG (k, 5, wp);
  }
  if (libjpeg) {
    const cl_int scale = sr_jpeg_ijg_scale (sr_jpeg_ijg_quality (quality));
    e |= SR_ARG_MEM (kl, 6, op->tables);
    e |= SR_ARG (kl, 7, scale);
    e |= SR_ARG (kl, 8, bgr);
    e |= SR_ARG_MEM (kc, 6, op->tables);
    e |= SR_ARG (kc, 7, scale);
    e |= SR_ARG (kc, 8, bgr);
    e |= SR_ARG (km, 7, bgr);
  } else {
    const cl_int luma_off = variant == SR_JPEG_OP_DIFFJPEG_BASICSR ? TAB_LUMA_T
        : TAB_LUMA;
    const cl_float factor = sr_jpeg_diffjpeg_factor (quality);
    e |= SR_ARG_MEM (kl, 6, op->cosm);
    e |= SR_ARG_MEM (kl, 7, op->tables);
    e |= SR_ARG (kl, 8, luma_off);
    e |= SR_ARG (kl, 9, factor);
    e |= SR_ARG_MEM (kc, 6, op->cosm);
    e |= SR_ARG_MEM (kc, 7, op->tables);
    e |= SR_ARG (kc, 8, factor);
  }
  e |= SR_ARG_MEM (km, 0, yp);
  e |= SR_ARG_MEM (km, 1, cp);
  e |= SR_ARG_MEM (km, 2, dst);
  e |= SR_ARG (km, 3, h);
  e |= SR_ARG (km, 4, w);
  e |= SR_ARG (km, 5, hp);
  e |= SR_ARG (km, 6, wp);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;

  /* libjpeg's Y blocks past ceil(W/8) x ceil(H/8) are never decoded into
   * the image, so only those are computed; DiffJPEG fills the padded plane
   * (its reference crops it the same way, the extra blocks are unused). */
  const size_t gl[3] = { (size_t) (libjpeg ? (w + 7) / 8 : wp / 8),
    (size_t) (libjpeg ? (h + 7) / 8 : hp / 8), (size_t) n };
  const size_t gc[3] = { (size_t) wp / 16, (size_t) hp / 16, (size_t) n };
  const size_t gm[3] = { (size_t) w, (size_t) h, (size_t) n };
  SrStatus st = sr_enqueue (q, kl, 3, gl);
  if (st == SR_OK)
    st = sr_enqueue (q, kc, 3, gc);
  if (st == SR_OK)
    st = sr_enqueue (q, km, 3, gm);
  return st;
}
