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
   * scales we use and BasicSR trims them (spec A.2.3 item 8). */
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
  const int keep = p - drop_first - (last_zero ? 1 : 0);
  if (keep != p) {
    for (int o = 0; o < out_len; o++)
      for (int j = 0; j < keep; j++) {
        t->weight[o * keep + j] = t->weight[o * p + j + drop_first];
        t->index[o * keep + j] = t->index[o * p + j + drop_first];
      }
    t->taps = keep;
  }
}

/* ---- device side ---------------------------------------------------------- */

typedef struct {
  SrTensor *index, *weight;
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
  if (g_hash_table_size (op->tables) >= MAX_CACHED_TABLES) {
    clFinish (q);               /* cached tables may still be in use */
    g_hash_table_remove_all (op->tables);
  }
  d = g_new0 (DeviceTable, 1);
  d->index = sr_tensor_new (op->rt, 1, 1, t->out_len, t->taps, SR_DTYPE_I32, NULL);
  d->weight = sr_tensor_new (op->rt, 1, 1, t->out_len, t->taps, SR_DTYPE_F32, NULL);
  if (!d->index || !d->weight
      || sr_tensor_write (q, d->index, t->index) != SR_OK
      || sr_tensor_write (q, d->weight, t->weight) != SR_OK) {
    sr_tensor_unref (d->index);
    sr_tensor_unref (d->weight);
    g_free (d);
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
  size_t g1[3] = { (size_t) src->w, (size_t) rows->out_len, (size_t) planes };
  SrStatus st = sr_enqueue (q, op->rows, 3, g1);
  if (st != SR_OK)
    return st;

  e |= SR_ARG_MEM (op->cols, 0, mid);
  e |= SR_ARG_MEM (op->cols, 1, dst);
  e |= SR_ARG (op->cols, 2, rows->out_len);
  e |= SR_ARG (op->cols, 3, cols->in_len);
  e |= SR_ARG (op->cols, 4, cols->out_len);
  e |= SR_ARG (op->cols, 5, cols->taps);
  e |= SR_ARG_MEM (op->cols, 6, tc->index);
  e |= SR_ARG_MEM (op->cols, 7, tc->weight);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  size_t g2[3] = { (size_t) cols->out_len, (size_t) rows->out_len, (size_t) planes };
  return sr_enqueue (q, op->cols, 3, g2);
}
