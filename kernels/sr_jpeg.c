#include "sr_jpeg.h"

#include <math.h>

/* Annex K tables, natural (row-major, rows = vertical frequency) order
 * (spec B.7.1). */
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
  cl_kernel luma, chroma, merge;
  SrTensor *cosm, *tables;      /* constant, uploaded on the first run */
  SrTensor *yplane, *cplane;    /* decoded planes, reused across frames */
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
  const gboolean libjpeg = variant == SR_JPEG_OP_LIBJPEG_TABLES;
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
  SrTensor *yp = sr_tensor_reuse (op->rt, q, &op->yplane, n, 1, hp, wp,
      SR_DTYPE_F32);
  SrTensor *cp = sr_tensor_reuse (op->rt, q, &op->cplane, n, 2, hp / 2, wp / 2,
      SR_DTYPE_F32);
  if (!yp || !cp)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;

  const cl_int mode = libjpeg ? 1 : 0;
  const cl_int luma_off = variant == SR_JPEG_OP_DIFFJPEG_BASICSR ? TAB_LUMA_T
      : TAB_LUMA;
  /* Unused by the other mode, but always set. */
  const cl_float factor = libjpeg ? 1.0f : sr_jpeg_diffjpeg_factor (quality);
  const cl_int scale = sr_jpeg_ijg_scale (sr_jpeg_ijg_quality (quality));

  cl_int e = 0;
  e |= SR_ARG_MEM (op->luma, 0, src);
  e |= SR_ARG_MEM (op->luma, 1, yp);
  e |= SR_ARG (op->luma, 2, h);
  e |= SR_ARG (op->luma, 3, w);
  e |= SR_ARG (op->luma, 4, hp);
  e |= SR_ARG (op->luma, 5, wp);
  e |= SR_ARG_MEM (op->luma, 6, op->cosm);
  e |= SR_ARG_MEM (op->luma, 7, op->tables);
  e |= SR_ARG (op->luma, 8, luma_off);
  e |= SR_ARG (op->luma, 9, factor);
  e |= SR_ARG (op->luma, 10, scale);
  e |= SR_ARG (op->luma, 11, mode);

  e |= SR_ARG_MEM (op->chroma, 0, src);
  e |= SR_ARG_MEM (op->chroma, 1, cp);
  e |= SR_ARG (op->chroma, 2, h);
  e |= SR_ARG (op->chroma, 3, w);
  e |= SR_ARG (op->chroma, 4, hp);
  e |= SR_ARG (op->chroma, 5, wp);
  e |= SR_ARG_MEM (op->chroma, 6, op->cosm);
  e |= SR_ARG_MEM (op->chroma, 7, op->tables);
  e |= SR_ARG (op->chroma, 8, factor);
  e |= SR_ARG (op->chroma, 9, scale);
  e |= SR_ARG (op->chroma, 10, mode);

  e |= SR_ARG_MEM (op->merge, 0, yp);
  e |= SR_ARG_MEM (op->merge, 1, cp);
  e |= SR_ARG_MEM (op->merge, 2, dst);
  e |= SR_ARG (op->merge, 3, h);
  e |= SR_ARG (op->merge, 4, w);
  e |= SR_ARG (op->merge, 5, hp);
  e |= SR_ARG (op->merge, 6, wp);
  e |= SR_ARG (op->merge, 7, mode);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;

  const size_t gl[3] = { (size_t) wp / 8, (size_t) hp / 8, (size_t) n };
  const size_t gc[3] = { (size_t) wp / 16, (size_t) hp / 16, (size_t) n };
  const size_t gm[3] = { (size_t) w, (size_t) h, (size_t) n };
  SrStatus st = sr_enqueue (q, op->luma, 3, gl);
  if (st == SR_OK)
    st = sr_enqueue (q, op->chroma, 3, gc);
  if (st == SR_OK)
    st = sr_enqueue (q, op->merge, 3, gm);
  return st;
}
