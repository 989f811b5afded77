/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_resample.h"

#include <math.h>
#include <string.h>

void
sr_tap_table_clear (SrTapTable *t)
{
  g_free (t->index);
  g_free (t->weight);
  memset (t, 0, sizeof *t);
}

static void
tap_table_alloc (SrTapTable *t, int in_len, int out_len, int taps)
{
  sr_tap_table_clear (t);
  t->in_len = in_len;
  t->out_len = out_len;
  t->taps = taps;
  t->index = g_new0 (int, (size_t) out_len * taps);
  t->weight = g_new0 (float, (size_t) out_len * taps);
}

/* Keeps taps [first, first + keep) of every row, in place. */
static void
tap_table_repack (SrTapTable *t, int first, int keep)
{
  const int p = t->taps;
  if (first == 0 && keep == p)
    return;
  for (int o = 0; o < t->out_len; o++)
    for (int j = 0; j < keep; j++) {
      t->weight[o * keep + j] = t->weight[o * p + j + first];
      t->index[o * keep + j] = t->index[o * p + j + first];
    }
  t->taps = keep;
}

static inline int
clamp_index (int i, int n)
{
  return i < 0 ? 0 : i >= n ? n - 1 : i;
}

/* ---- MATLAB / BasicSR bicubic ------------------------------------------- */

static float
matlab_cubic (float x)
{
  float ax = fabsf (x), ax2 = ax * ax, ax3 = ax2 * ax;
  if (ax <= 1.0f)
    return 1.5f * ax3 - 2.5f * ax2 + 1.0f;
  if (ax <= 2.0f)
    return -0.5f * ax3 + 2.5f * ax2 - 4.0f * ax + 2.0f;
  return 0.0f;
}

int
sr_matlab_out_len (int in_len, double scale)
{
  return (int) ceil (in_len * scale);
}

/* Half-sample symmetric reflection of a 0-based index into [0, n). */
static int
reflect_symmetric (int i, int n)
{
  int period = 2 * n;
  i %= period;
  if (i < 0)
    i += period;
  return i < n ? i : period - 1 - i;
}

void
sr_taps_matlab_bicubic (SrTapTable *t, int in_len, int out_len, double scale,
    gboolean antialias)
{
  float kernel_width = 4.0f;
  const gboolean widen = scale < 1.0 && antialias;
  if (widen)
    kernel_width = (float) (4.0 / scale);
  /* P taps per row; the first and last are always exactly zero for the
   * scales we use and BasicSR trims them (BasicSR matlab_functions.py, calculate_weights_indices). */
  const int p = (int) ceilf (kernel_width) + 2;
  float *w = g_new (float, p);
  int *ix = g_new (int, p);
  int first_zero = 0, last_zero = 0;

  tap_table_alloc (t, in_len, out_len, p);
  for (int o = 0; o < out_len; o++) {
    const float x = (float) (o + 1);
    const float u = x / (float) scale + (float) (0.5 * (1.0 - 1.0 / scale));
    const int left = (int) floorf (u - kernel_width / 2.0f);
    float sum = 0.0f;
    for (int j = 0; j < p; j++) {
      const int index = left + j;       /* 1-based */
      const float dist = u - (float) index;
      w[j] = widen ? (float) scale * matlab_cubic (dist * (float) scale)
          : matlab_cubic (dist);
      ix[j] = reflect_symmetric (index - 1, in_len);
      sum += w[j];
    }
    for (int j = 0; j < p; j++) {
      w[j] /= sum;
      t->weight[o * p + j] = w[j];
      t->index[o * p + j] = ix[j];
    }
    first_zero |= w[0] == 0.0f;
    last_zero |= w[p - 1] == 0.0f;
  }
  g_free (w);
  g_free (ix);

  /* Trim the first and/or last column as BasicSR does (it checks whether
   * any row has an exact zero there). */
  const int drop_first = first_zero ? 1 : 0;
  tap_table_repack (t, drop_first, p - drop_first - (last_zero ? 1 : 0));
}

/* ---- Pillow's Lanczos-3 --------------------------------------------------- */

static double
sinc (double x)
{
  if (x == 0.0)
    return 1.0;
  x *= G_PI;
  return sin (x) / x;
}

/* Pillow's lanczos_filter: the window [-3, 3) is half-open. */
static double
lanczos3 (double x)
{
  return x >= -3.0 && x < 3.0 ? sinc (x) * sinc (x / 3.0) : 0.0;
}

void
sr_taps_pil_lanczos3 (SrTapTable *t, int in_len, int out_len)
{
  const double scale = (double) in_len / out_len;
  const double filterscale = MAX (scale, 1.0), support = 3.0 * filterscale;
  const int taps = (int) ceil (support) * 2 + 1;
  double *k = g_new (double, taps);
  tap_table_alloc (t, in_len, out_len, taps);
  for (int o = 0; o < out_len; o++) {
    const double center = (o + 0.5) * scale;
    /* Pillow truncates towards zero, then clips to the axis. */
    const int xmin = MAX ((int) (center - support + 0.5), 0);
    const int xmax = MIN ((int) (center + support + 0.5), in_len) - xmin;
    double sum = 0.0;
    for (int x = 0; x < xmax; x++) {
      k[x] = lanczos3 ((x + xmin - center + 0.5) / filterscale);
      sum += k[x];
    }
    for (int x = 0; x < taps; x++) {
      /* Unused taps read a valid sample with weight 0. */
      t->index[o * taps + x] = x < xmax ? xmin + x : xmin;
      t->weight[o * taps + x] = x < xmax && sum != 0.0 ? (float) (k[x] / sum) : 0.0f;
    }
  }
  g_free (k);
}

/* ---- PyTorch F.interpolate (aten UpSample*.cpp) ------------------------- */

int
sr_torch_out_len (int in_len, double s, SrResizeMode mode)
{
  /* compute_output_size truncates double(in) * s; area goes through
   * math.floor in Python first, identical for s > 0. */
  const double odim = (double) in_len * s;
  return mode == SR_RESIZE_AREA ? (int) floor (odim) : (int) odim;
}

/* compute_scales_value in float32: the given factor wins over the sizes,
 * which is why 400 * 0.3333 -> 133 samples at ratio 3.0003, not 3.0075. */
static float
torch_ratio (int in_len, int out_len, double scale_factor)
{
  if (scale_factor > 0)
    return (float) (1.0 / scale_factor);
  return (float) in_len / (float) out_len;
}

/* Keys' cubic with A = -0.75 as get_cubic_upsample_coefficients writes it:
 * c1 for |x| <= 1, c2 for 1 < |x| < 2, evaluated in float. */
#define TORCH_A (-0.75f)

static inline float
cubic_c1 (float x)
{
  return ((TORCH_A + 2.0f) * x - (TORCH_A + 3.0f)) * x * x + 1.0f;
}

static inline float
cubic_c2 (float x)
{
  return ((TORCH_A * x - 5.0f * TORCH_A) * x + 8.0f * TORCH_A) * x
      - 4.0f * TORCH_A;
}

/* Four taps i-1 .. i+2 at fraction f, edge-replicated. */
static void
put_cubic (SrTapTable *t, int o, int i, float f)
{
  const float w[4] = { cubic_c2 (f + 1.0f), cubic_c1 (f), cubic_c1 (1.0f - f),
    cubic_c2 (2.0f - f)
  };
  for (int k = 0; k < 4; k++) {
    t->index[o * 4 + k] = clamp_index (i - 1 + k, t->in_len);
    t->weight[o * 4 + k] = w[k];
  }
}

/* Two taps i0, i1 with weights 1 - f, f. */
static void
put_linear (SrTapTable *t, int o, int i0, int i1, float f)
{
  t->index[o * 2] = i0;
  t->index[o * 2 + 1] = i1;
  t->weight[o * 2] = 1.0f - f;
  t->weight[o * 2 + 1] = f;
}

gboolean
sr_taps_torch (SrTapTable *t, SrResizeMode mode, int in_len, int out_len,
    double scale_factor)
{
  g_return_val_if_fail (in_len > 0 && out_len > 0, FALSE);
  const float r = torch_ratio (in_len, out_len, scale_factor);

  /* area_pixel_compute_source_index: r * (o + 0.5) - 0.5 with the float
   * ratio. The product is exact in double; PyTorch's CPU kernel keeps that
   * (the 0.5 literal is a double) and rounds only the fraction to float,
   * which we match. Its CUDA kernel rounds src itself to float (half an ulp,
   * 3e-5 px on a 1000 px axis; aten's area_pixel_compute_source_index is that one). */
  switch (mode) {
    case SR_RESIZE_BILINEAR:
      tap_table_alloc (t, in_len, out_len, 2);
      for (int o = 0; o < out_len; o++) {
        const double src = MAX (r * (o + 0.5) - 0.5, 0.0);  /* linear clamp */
        const int i0 = (int) src;
        put_linear (t, o, i0, i0 + (i0 < in_len - 1 ? 1 : 0),
            (float) (src - i0));
      }
      return TRUE;
    case SR_RESIZE_BICUBIC:
      tap_table_alloc (t, in_len, out_len, 4);
      for (int o = 0; o < out_len; o++) {
        /* Not clamped: the taps are, by upsample_get_value_bounded. */
        const double src = r * (o + 0.5) - 0.5, i = floor (src);
        put_cubic (t, o, (int) i, (float) (src - i));
      }
      return TRUE;
    case SR_RESIZE_AREA:{
      /* adaptive_avg_pool2d: windows [floor(o n / m), ceil((o+1) n / m)),
       * each pixel weighted fully; lengths vary, so pad the shorter rows
       * with zero-weight taps. A window is at most ceil(n / m) + 1 long. */
      const gint64 n = in_len, m = out_len;
      int max_len = 0;
      tap_table_alloc (t, in_len, out_len, (int) ((n + m - 1) / m) + 1);
      for (gint64 o = 0; o < m; o++) {
        const gint64 start = (o / m) * n + ((o % m) * n) / m;
        const gint64 end = 1 + ((o + 1) * n - 1) / m;
        const int len = (int) (end - start);
        for (int k = 0; k < len; k++) {
          t->index[o * t->taps + k] = (int) start + k;
          t->weight[o * t->taps + k] = 1.0f / (float) len;
        }
        max_len = MAX (max_len, len);
      }
      tap_table_repack (t, 0, max_len);
      return TRUE;
    }
    case SR_RESIZE_NEAREST:
    default:
      return FALSE;
  }
}

/* ---- OpenCV cv2.resize, float32 (imgproc/src/resize.cpp) ---------------- */

static void
opencv_area_shrink (SrTapTable *t, int in_len, int out_len, double scale)
{
  /* Output d covers [d*scale, (d+1)*scale); source pixel s weighs
   * overlap([s, s+1), cell) / cell width. As computeResizeAreaTab does,
   * partial end pixels covered by 1e-3 or less are dropped (without
   * renormalising) and the cell is cut at the image end. */
  int max_len = 0;
  tap_table_alloc (t, in_len, out_len, (int) ceil (scale) + 2);
  for (int d = 0; d < out_len; d++) {
    const double fs1 = d * scale, fs2 = fs1 + scale;
    const double cell = MIN (scale, in_len - fs1);
    int s2 = MIN ((int) floor (fs2), in_len - 1);
    int s1 = MIN ((int) ceil (fs1), s2);
    int k = 0;
    int *ix = t->index + d * t->taps;
    float *w = t->weight + d * t->taps;
    if (s1 - fs1 > 1e-3) {
      ix[k] = s1 - 1;
      w[k++] = (float) ((s1 - fs1) / cell);
    }
    for (int s = s1; s < s2; s++) {
      ix[k] = s;
      w[k++] = (float) (1.0 / cell);
    }
    if (fs2 - s2 > 1e-3) {
      ix[k] = s2;
      w[k++] = (float) (MIN (MIN (fs2 - s2, 1.0), cell) / cell);
    }
    max_len = MAX (max_len, k);
  }
  tap_table_repack (t, 0, max_len);
}

/* area_shrink: INTER_AREA takes the coverage path, which cv::resize does
 * only when neither axis enlarges. */
static gboolean
opencv_axis (SrTapTable *t, SrResizeMode mode, int in_len, int out_len,
    gboolean area_shrink)
{
  g_return_val_if_fail (in_len > 0 && out_len > 0, FALSE);
  if (in_len == out_len) {
    /* cv::resize copies when dsize equals the source size. */
    tap_table_alloc (t, in_len, out_len, 1);
    for (int o = 0; o < out_len; o++) {
      t->index[o] = o;
      t->weight[o] = 1.0f;
    }
    return TRUE;
  }
  /* cv::resize keeps inv_scale = out/in and uses scale = 1/inv_scale. */
  const double inv_scale = (double) out_len / in_len, scale = 1.0 / inv_scale;

  switch (mode) {
    case SR_RESIZE_NEAREST:
      /* Not pixel-centre aligned (that is INTER_NEAREST_EXACT). */
      tap_table_alloc (t, in_len, out_len, 1);
      for (int o = 0; o < out_len; o++) {
        t->index[o] = MIN ((int) floor (o * scale), in_len - 1);
        t->weight[o] = 1.0f;
      }
      return TRUE;
    case SR_RESIZE_AREA:
      if (area_shrink) {
        opencv_area_shrink (t, in_len, out_len, scale);
        return TRUE;
      }
      /* Enlarging INTER_AREA is INTER_LINEAR with another fraction, the
       * same edge clamp and 2 taps. */
      G_GNUC_FALLTHROUGH;
    case SR_RESIZE_BILINEAR:
      tap_table_alloc (t, in_len, out_len, 2);
      for (int o = 0; o < out_len; o++) {
        int sx;
        float f;
        if (mode == SR_RESIZE_AREA) {
          sx = (int) floor (o * scale);
          f = (float) ((o + 1) - (sx + 1) * inv_scale);
          f = f <= 0.0f ? 0.0f : f - floorf (f);
        } else {
          const float fx = (float) ((o + 0.5) * scale - 0.5);
          sx = (int) floorf (fx);
          f = fx - (float) sx;
        }
        if (sx < 0) {
          f = 0.0f;
          sx = 0;
        }
        if (sx >= in_len - 1) {
          f = 0.0f;
          sx = in_len - 1;
        }
        put_linear (t, o, sx, clamp_index (sx + 1, in_len), f);
      }
      return TRUE;
    case SR_RESIZE_BICUBIC:
      tap_table_alloc (t, in_len, out_len, 4);
      for (int o = 0; o < out_len; o++) {
        const float fx = (float) ((o + 0.5) * scale - 0.5);
        const int sx = (int) floorf (fx);
        put_cubic (t, o, sx, fx - (float) sx);
      }
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
sr_taps_opencv (SrTapTable *t, SrResizeMode mode, int in_len, int out_len)
{
  return opencv_axis (t, mode, in_len, out_len, in_len >= out_len);
}

gboolean
sr_taps_opencv_2d (SrTapTable *rows, SrTapTable *cols, SrResizeMode mode,
    int in_h, int in_w, int out_h, int out_w)
{
  const gboolean shrink = in_h >= out_h && in_w >= out_w;
  return opencv_axis (rows, mode, in_h, out_h, shrink)
      && opencv_axis (cols, mode, in_w, out_w, shrink);
}

/* ---- device side ---------------------------------------------------------- */

/* As ROWS_VEC and COLS_ROWS in resample.cl. */
#define ROWS_VEC 16
#define COLS_ROWS 4

typedef struct {
  SrTensor *index, *weight;
  /* For the width pass: start[o] >= 0 where the taps of o are contiguous
   * and `padded` (taps rounded up to 4) of them stay inside the line, else
   * -1; padw the weights zero-padded to `padded` per output. */
  SrTensor *start, *padw;
  int padded;
} DeviceTable;

struct SrResample {
  SrRuntime *rt;
  cl_kernel rows, cols;
  SrTensor *scratch;          /* rows-pass result, reused across frames */
  GHashTable *tables;         /* content digest -> DeviceTable */
};

#define MAX_CACHED_TABLES 64

static void
device_table_free (gpointer data)
{
  DeviceTable *d = data;
  sr_tensor_unref (d->index);
  sr_tensor_unref (d->weight);
  sr_tensor_unref (d->start);
  sr_tensor_unref (d->padw);
  g_free (d);
}

SrResample *
sr_resample_new (SrRuntime *rt, GError **error)
{
  SrResample *op = g_new0 (SrResample, 1);
  op->rt = sr_runtime_ref (rt);
  op->tables = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      device_table_free);
  if (!(op->rows = sr_runtime_create_kernel (rt, "resample", "resample_rows",
              error))
      || !(op->cols = sr_runtime_create_kernel (rt, "resample",
              "resample_cols", error))) {
    sr_resample_free (op);
    return NULL;
  }
  return op;
}

void
sr_resample_free (SrResample *op)
{
  if (!op)
    return;
  if (op->rows)
    clReleaseKernel (op->rows);
  if (op->cols)
    clReleaseKernel (op->cols);
  sr_tensor_unref (op->scratch);
  g_hash_table_destroy (op->tables);
  sr_runtime_unref (op->rt);
  g_free (op);
}

static DeviceTable *
upload_table (SrResample *op, cl_command_queue q, const SrTapTable *t)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA1);
  const int dims[3] = { t->in_len, t->out_len, t->taps };
  const size_t n = (size_t) t->out_len * t->taps;
  g_checksum_update (sum, (const guchar *) dims, sizeof dims);
  g_checksum_update (sum, (const guchar *) t->index, n * sizeof (int));
  g_checksum_update (sum, (const guchar *) t->weight, n * sizeof (float));
  char *key = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);

  DeviceTable *d = g_hash_table_lookup (op->tables, key);
  if (d) {
    g_free (key);
    return d;
  }
  const int pad = (t->taps + 3) / 4 * 4;
  int *start = g_new (int, t->out_len);
  float *padw = g_new0 (float, (size_t) t->out_len * pad);
  for (int o = 0; o < t->out_len; o++) {
    const int *ix = t->index + (size_t) o * t->taps;
    gboolean run = ix[0] + pad <= t->in_len;
    for (int k = 1; k < t->taps && run; k++)
      run = ix[k] == ix[0] + k;
    start[o] = run ? ix[0] : -1;
    memcpy (padw + (size_t) o * pad, t->weight + (size_t) o * t->taps,
        t->taps * sizeof (float));
  }
  d = g_new0 (DeviceTable, 1);
  d->padded = pad;
  d->index = sr_tensor_new (op->rt, 1, 1, t->out_len, t->taps, SR_DTYPE_I32, NULL);
  d->weight = sr_tensor_new (op->rt, 1, 1, t->out_len, t->taps, SR_DTYPE_F32, NULL);
  d->start = sr_tensor_new (op->rt, 1, 1, 1, t->out_len, SR_DTYPE_I32, NULL);
  d->padw = sr_tensor_new (op->rt, 1, 1, t->out_len, pad, SR_DTYPE_F32, NULL);
  const gboolean ok = d->index && d->weight && d->start && d->padw
      && sr_tensor_write (q, d->index, t->index) == SR_OK
      && sr_tensor_write (q, d->weight, t->weight) == SR_OK
      && sr_tensor_write (q, d->start, start) == SR_OK
      && sr_tensor_write (q, d->padw, padw) == SR_OK;
  g_free (start);
  g_free (padw);
  if (!ok) {
    device_table_free (d);
    g_free (key);
    return NULL;
  }
  g_hash_table_insert (op->tables, key, d);
  return d;
}

SrStatus
sr_resample_run (SrResample *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, const SrTapTable *rows, const SrTapTable *cols)
{
  if (src->h != rows->in_len || src->w != cols->in_len
      || dst->h != rows->out_len || dst->w != cols->out_len
      || dst->n != src->n || dst->c != src->c)
    return SR_ERR_INVALID_ARGUMENT;
  const int planes = src->n * src->c;
  SrTensor *mid = sr_tensor_reuse (op->rt, q, &op->scratch, src->n, src->c,
      rows->out_len, src->w, SR_DTYPE_F32);
  /* Make room for both tables first: clearing between the two uploads
   * would free the first. */
  if (g_hash_table_size (op->tables) + 2 > MAX_CACHED_TABLES) {
    clFinish (q);               /* cached tables may still be in use */
    g_hash_table_remove_all (op->tables);
  }
  DeviceTable *tr = upload_table (op, q, rows);
  DeviceTable *tc = upload_table (op, q, cols);
  if (!mid || !tr || !tc)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;

  cl_int e = 0;
  e |= SR_ARG_MEM (op->rows, 0, src);
  e |= SR_ARG_MEM (op->rows, 1, mid);
  e |= SR_ARG (op->rows, 2, rows->in_len);
  e |= SR_ARG (op->rows, 3, src->w);
  e |= SR_ARG (op->rows, 4, rows->out_len);
  e |= SR_ARG (op->rows, 5, rows->taps);
  e |= SR_ARG_MEM (op->rows, 6, tr->index);
  e |= SR_ARG_MEM (op->rows, 7, tr->weight);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  /* Our own launch, with the work-group size left to the implementation:
   * sr_enqueue's remainder launch would run the last ceil(w / ROWS_VEC) % 16
   * columns as one-item groups. */
  const size_t g1[3] = { (size_t) (src->w + ROWS_VEC - 1) / ROWS_VEC,
    (size_t) rows->out_len, (size_t) planes
  };
  if (g1[0] && g1[1] && g1[2]) {
    e = clEnqueueNDRangeKernel (q, op->rows, 3, NULL, g1, NULL, 0, NULL, NULL);
    if (e != CL_SUCCESS)
      return sr_status_from_cl (e);
  }

  e |= SR_ARG_MEM (op->cols, 0, mid);
  e |= SR_ARG_MEM (op->cols, 1, dst);
  e |= SR_ARG (op->cols, 2, rows->out_len);
  e |= SR_ARG (op->cols, 3, cols->in_len);
  e |= SR_ARG (op->cols, 4, cols->out_len);
  e |= SR_ARG (op->cols, 5, cols->taps);
  e |= SR_ARG_MEM (op->cols, 6, tc->index);
  e |= SR_ARG_MEM (op->cols, 7, tc->weight);
  e |= SR_ARG_MEM (op->cols, 8, tc->start);
  e |= SR_ARG_MEM (op->cols, 9, tc->padw);
  e |= SR_ARG (op->cols, 10, tc->padded);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  size_t g2[3] = { (size_t) cols->out_len,
    (size_t) (rows->out_len + COLS_ROWS - 1) / COLS_ROWS, (size_t) planes
  };
  return sr_enqueue (q, op->cols, 3, g2);
}
