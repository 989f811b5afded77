/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_conv2d.h"

#include <math.h>
#include <string.h>

/* Rank-1 test threshold on ||K - u v^T||_F / ||K||_F: a float64 outer
 * product stored as float32 (USM's kernel) leaves ~3e-8 of rounding noise,
 * while any genuinely non-separable kernel is far above it. */
#define RANK1_TOL 1e-7
/* Rank r > 1 runs as r pairs of 1-D passes when LOW_RANK_COST * r * (kh +
 * kw) < kh * kw: counting the frame each pass writes and rereads, a 1-D tap
 * costs about 3 times a 2-D one. Measured on 1x3x1080x1920 (PoCL, AVX-512,
 * best of 5, ms): direct K=9 20, 15 55, 21 115, 25 175; r pairs at K=9
 * r=2 35; K=15 r=2 40, r=3 55-62; K=21 r=3 59-88, r=4 108-117; K=25 r=4
 * 135-162. 3 keeps every case chosen faster (K=15 r=2, K=21 r<=3, K=25
 * r<=4) and refuses the break-even ones. */
#define LOW_RANK_COST 3.0
#define MAX_CACHED_KERNELS 64
/* Outputs per work-item along W and H, as in conv2d.cl. */
#define PX 16
#define RY 2

/* Leading entries t (t < n/2) for which line t and line n-1-t are both all
 * zero; zero(i) says whether line i is. */
static int
zero_trim (const gboolean *zero, int n)
{
  int t = 0;
  while (t < n / 2 && zero[t] && zero[n - 1 - t])
    t++;
  return t;
}

/* Trims k (ksize x ksize) to *kh x *kw; returns the first kept row/col. */
static void
trim_kernel (const float *k, int ksize, int *top, int *left, int *kh, int *kw)
{
  gboolean *zr = g_new0 (gboolean, ksize), *zc = g_new0 (gboolean, ksize);
  for (int i = 0; i < ksize; i++)
    zr[i] = zc[i] = TRUE;
  for (int i = 0; i < ksize; i++)
    for (int j = 0; j < ksize; j++)
      if (k[i * ksize + j] != 0.0f)
        zr[i] = zc[j] = FALSE;
  *top = zero_trim (zr, ksize);
  *left = zero_trim (zc, ksize);
  *kh = ksize - 2 * *top;
  *kw = ksize - 2 * *left;
  g_free (zr);
  g_free (zc);
}

/* Best rank-1 factors of the kh x kw kernel at k (row stride `stride`) by
 * alternating least squares in double, started from the column through the
 * largest entry (exact after one step for a rank-1 kernel). Returns the
 * relative Frobenius residual; u (kh) and v (kw) receive the factors. */
static double
rank1_factor (const float *k, int stride, int kh, int kw, double *u, double *v)
{
  int q = 0;
  double norm2 = 0, best = -1;
  for (int i = 0; i < kh; i++)
    for (int j = 0; j < kw; j++) {
      const double a = k[i * stride + j];
      norm2 += a * a;
      if (fabs (a) > best) {
        best = fabs (a);
        q = j;
      }
    }
  if (norm2 == 0)
    return INFINITY;
  for (int i = 0; i < kh; i++)
    u[i] = k[i * stride + q];
  for (int it = 0; it < 4; it++) {
    double uu = 0, vv = 0;
    for (int i = 0; i < kh; i++)
      uu += u[i] * u[i];
    for (int j = 0; j < kw; j++) {
      double s = 0;
      for (int i = 0; i < kh; i++)
        s += k[i * stride + j] * u[i];
      v[j] = s / uu;
      vv += v[j] * v[j];
    }
    for (int i = 0; i < kh; i++) {
      double s = 0;
      for (int j = 0; j < kw; j++)
        s += k[i * stride + j] * v[j];
      u[i] = s / vv;
    }
  }
  double res2 = 0;
  for (int i = 0; i < kh; i++)
    for (int j = 0; j < kw; j++) {
      const double d = k[i * stride + j] - u[i] * v[j];
      res2 += d * d;
    }
  return sqrt (res2 / norm2);
}

/* Singular values and vectors of the m x n matrix at k (row stride `stride`)
 * by one-sided Jacobi in double: columns of a copy are rotated pairwise until
 * orthogonal, giving A V = U S. On return s (n) holds the singular values in
 * descending order, u (m x n, column k at u[i*n + k]) the matching U S
 * columns (so s-scaled) and v (n x n, likewise) V. Kernels are <= 51 x 51,
 * where a few sweeps converge to working precision. */
static void
jacobi_svd (const float *k, int stride, int m, int n, double *s, double *u,
    double *v)
{
  double *a = g_new (double, (size_t) m * n), *w = g_new (double, n * n);
  for (int i = 0; i < m; i++)
    for (int j = 0; j < n; j++)
      a[i * n + j] = k[i * stride + j];
  for (int i = 0; i < n; i++)
    for (int j = 0; j < n; j++)
      w[i * n + j] = i == j;
  for (int sweep = 0; sweep < 60; sweep++) {
    gboolean rotated = FALSE;
    for (int p = 0; p < n - 1; p++)
      for (int q = p + 1; q < n; q++) {
        double al = 0, be = 0, ga = 0;
        for (int i = 0; i < m; i++) {
          al += a[i * n + p] * a[i * n + p];
          be += a[i * n + q] * a[i * n + q];
          ga += a[i * n + p] * a[i * n + q];
        }
        if (fabs (ga) <= 1e-15 * sqrt (al * be))
          continue;
        rotated = TRUE;
        /* The rotation that zeroes the (p, q) entry of A^T A. */
        const double zeta = (be - al) / (2 * ga);
        const double t = (zeta >= 0 ? 1 : -1) / (fabs (zeta) + sqrt (1 + zeta
                * zeta));
        const double c = 1 / sqrt (1 + t * t), sn = c * t;
        for (int i = 0; i < m; i++) {
          const double x = a[i * n + p], y = a[i * n + q];
          a[i * n + p] = c * x - sn * y;
          a[i * n + q] = sn * x + c * y;
        }
        for (int i = 0; i < n; i++) {
          const double x = w[i * n + p], y = w[i * n + q];
          w[i * n + p] = c * x - sn * y;
          w[i * n + q] = sn * x + c * y;
        }
      }
    if (!rotated)
      break;
  }
  /* Selection sort of the columns by norm (n is tiny). */
  int *order = g_new (int, n);
  double *norm = g_new (double, n);
  for (int j = 0; j < n; j++) {
    order[j] = j;
    norm[j] = 0;
    for (int i = 0; i < m; i++)
      norm[j] += a[i * n + j] * a[i * n + j];
    norm[j] = sqrt (norm[j]);
  }
  for (int j = 0; j < n; j++)
    for (int l = j + 1; l < n; l++)
      if (norm[order[l]] > norm[order[j]]) {
        const int t = order[j];
        order[j] = order[l];
        order[l] = t;
      }
  for (int j = 0; j < n; j++) {
    s[j] = norm[order[j]];
    for (int i = 0; i < m; i++)
      u[i * n + j] = a[i * n + order[j]];
    for (int i = 0; i < n; i++)
      v[i * n + j] = w[i * n + order[j]];
  }
  g_free (order);
  g_free (norm);
  g_free (a);
  g_free (w);
}

/* The plan, and for a factored one its float factors (g_free them): rank
 * columns of kh taps, then rank rows of kw taps, each array factor-major. */
static gboolean
analyze (const float *kernel, int ksize, SrConv2dPlan *plan, float **col,
    float **row)
{
  if (ksize <= 0 || ksize % 2 == 0)
    return FALSE;
  int top, left;
  trim_kernel (kernel, ksize, &top, &left, &plan->kh, &plan->kw);
  plan->path = SR_CONV2D_DIRECT;
  plan->rank = 1;
  /* A single row or column is already one 1-D pass. */
  if (plan->kh == 1 || plan->kw == 1)
    return TRUE;
  const int kh = plan->kh, kw = plan->kw;
  const float *k = kernel + top * ksize + left;
  double *u = g_new (double, kh * kw), *v = g_new (double, kw * kw);
  double *s = g_new (double, kw);
  if (rank1_factor (k, ksize, kh, kw, u, v) < RANK1_TOL) {
    plan->path = SR_CONV2D_SEPARABLE;
    if (col && row) {
      *col = g_new (float, kh);
      *row = g_new (float, kw);
      for (int i = 0; i < kh; i++)
        (*col)[i] = (float) u[i];
      for (int j = 0; j < kw; j++)
        (*row)[j] = (float) v[j];
    }
  } else {
    jacobi_svd (k, ksize, kh, kw, s, u, v);
    double total = 0, tail = 0;
    for (int j = 0; j < kw; j++)
      total += s[j] * s[j];
    /* Smallest r whose discarded tail is below the rank-1 bar. */
    int r = kw;
    const double bar = RANK1_TOL * RANK1_TOL * total;
    while (r > 1 && tail + s[r - 1] * s[r - 1] < bar) {
      r--;
      tail += s[r] * s[r];
    }
    plan->rank = r;
    if (r == 1 || LOW_RANK_COST * r * (kh + kw) < kh * kw) {
      plan->path = r == 1 ? SR_CONV2D_SEPARABLE : SR_CONV2D_LOW_RANK;
      if (col && row) {
        /* K = sum_f (U S)_f V_f^T; each factor takes sqrt(s_f) so neither
         * 1-D pass sees extreme magnitudes. */
        *col = g_new (float, r * kh);
        *row = g_new (float, r * kw);
        for (int f = 0; f < r; f++) {
          const double g = s[f] > 0 ? 1 / sqrt (s[f]) : 0;
          for (int i = 0; i < kh; i++)
            (*col)[f * kh + i] = (float) (u[i * kw + f] * g);
          for (int j = 0; j < kw; j++)
            (*row)[f * kw + j] = (float) (v[j * kw + f] * s[f] * g);
        }
      }
    }
  }
  g_free (u);
  g_free (v);
  g_free (s);
  return TRUE;
}

gboolean
sr_conv2d_analyze (const float *kernel, int ksize, SrConv2dPlan *plan)
{
  return analyze (kernel, ksize, plan, NULL, NULL);
}

/* ---- device side ---------------------------------------------------------- */

typedef struct {
  SrConv2dPlan plan;
  SrTensor *w2d;              /* direct: kh x kw */
  SrTensor *col, *row;        /* separable, low rank: rank x kh, rank x kw */
} DeviceKernel;

struct SrConv2d {
  SrRuntime *rt;
  cl_kernel conv;
  SrTensor *scratch;          /* first-pass result of the separable path */
  GHashTable *kernels;        /* content digest -> DeviceKernel */
};

static void
device_kernel_free (gpointer data)
{
  DeviceKernel *d = data;
  sr_tensor_unref (d->w2d);
  sr_tensor_unref (d->col);
  sr_tensor_unref (d->row);
  g_free (d);
}

SrConv2d *
sr_conv2d_new (SrRuntime *rt, GError **error)
{
  SrConv2d *op = g_new0 (SrConv2d, 1);
  op->rt = sr_runtime_ref (rt);
  op->kernels = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      device_kernel_free);
  if (!(op->conv = sr_runtime_create_kernel (rt, "conv2d", "conv2d", error))) {
    sr_conv2d_free (op);
    return NULL;
  }
  return op;
}

void
sr_conv2d_free (SrConv2d *op)
{
  if (!op)
    return;
  if (op->conv)
    clReleaseKernel (op->conv);
  sr_tensor_unref (op->scratch);
  g_hash_table_destroy (op->kernels);
  sr_runtime_unref (op->rt);
  g_free (op);
}

static SrTensor *
upload_taps (SrConv2d *op, cl_command_queue q, const float *taps, int h, int w)
{
  SrTensor *t = sr_tensor_new (op->rt, 1, 1, h, w, SR_DTYPE_F32, NULL);
  if (t && sr_tensor_write (q, t, taps) != SR_OK) {
    sr_tensor_unref (t);
    return NULL;
  }
  return t;
}

/* The cached entry for this content, or NULL after making room for it. */
static DeviceKernel *
lookup (SrConv2d *op, cl_command_queue q, const char *key)
{
  DeviceKernel *d = g_hash_table_lookup (op->kernels, key);
  if (!d && g_hash_table_size (op->kernels) >= MAX_CACHED_KERNELS) {
    clFinish (q);               /* cached kernels may still be in use */
    g_hash_table_remove_all (op->kernels);
  }
  return d;
}

static char *
digest (char tag, int ksize, const float *a, const float *b, size_t n)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA1);
  g_checksum_update (sum, (const guchar *) &tag, 1);
  g_checksum_update (sum, (const guchar *) &ksize, sizeof ksize);
  g_checksum_update (sum, (const guchar *) a, n * sizeof (float));
  if (b)
    g_checksum_update (sum, (const guchar *) b, n * sizeof (float));
  char *key = g_strdup (g_checksum_get_string (sum));
  g_checksum_free (sum);
  return key;
}

static gboolean
insert (SrConv2d *op, char *key, DeviceKernel *d)
{
  if ((d->plan.path == SR_CONV2D_DIRECT && !d->w2d)
      || (d->plan.path != SR_CONV2D_DIRECT && (!d->col || !d->row))) {
    device_kernel_free (d);
    g_free (key);
    return FALSE;
  }
  g_hash_table_insert (op->kernels, key, d);
  return TRUE;
}

static DeviceKernel *
get_2d (SrConv2d *op, cl_command_queue q, const float *kernel, int ksize)
{
  char *key = digest ('K', ksize, kernel, NULL, (size_t) ksize * ksize);
  DeviceKernel *d = lookup (op, q, key);
  if (d) {
    g_free (key);
    return d;
  }
  d = g_new0 (DeviceKernel, 1);
  float *col = NULL, *row = NULL;
  analyze (kernel, ksize, &d->plan, &col, &row);
  if (d->plan.path != SR_CONV2D_DIRECT) {
    d->col = upload_taps (op, q, col, d->plan.rank, d->plan.kh);
    d->row = upload_taps (op, q, row, d->plan.rank, d->plan.kw);
  } else {
    const int top = (ksize - d->plan.kh) / 2, left = (ksize - d->plan.kw) / 2;
    float *t = g_new (float, (size_t) d->plan.kh * d->plan.kw);
    for (int i = 0; i < d->plan.kh; i++)
      memcpy (t + i * d->plan.kw, kernel + (top + i) * ksize + left,
          d->plan.kw * sizeof (float));
    d->w2d = upload_taps (op, q, t, d->plan.kh, d->plan.kw);
    g_free (t);
  }
  g_free (col);
  g_free (row);
  return insert (op, key, d) ? d : NULL;
}

/* Symmetric trim of a 1-D factor's zero ends: first kept index, *len kept. */
static int
trim_1d (const float *k, int n, int *len)
{
  int t = 0;
  while (t < n / 2 && k[t] == 0.0f && k[n - 1 - t] == 0.0f)
    t++;
  *len = n - 2 * t;
  return t;
}

static DeviceKernel *
get_separable (SrConv2d *op, cl_command_queue q, const float *col,
    const float *row, int ksize)
{
  char *key = digest ('S', ksize, col, row, ksize);
  DeviceKernel *d = lookup (op, q, key);
  if (d) {
    g_free (key);
    return d;
  }
  d = g_new0 (DeviceKernel, 1);
  d->plan.path = SR_CONV2D_SEPARABLE;
  d->plan.rank = 1;
  const int top = trim_1d (col, ksize, &d->plan.kh);
  const int left = trim_1d (row, ksize, &d->plan.kw);
  d->col = upload_taps (op, q, col + top, 1, d->plan.kh);
  d->row = upload_taps (op, q, row + left, 1, d->plan.kw);
  return insert (op, key, d) ? d : NULL;
}

static SrStatus
launch (SrConv2d *op, cl_command_queue q, const SrTensor *src, SrTensor *dst,
    int kh, int kw, const SrTensor *taps, int offset, int accumulate)
{
  cl_int e = 0;
  e |= SR_ARG_MEM (op->conv, 0, src);
  e |= SR_ARG_MEM (op->conv, 1, dst);
  e |= SR_ARG (op->conv, 2, src->h);
  e |= SR_ARG (op->conv, 3, src->w);
  e |= SR_ARG (op->conv, 4, kh);
  e |= SR_ARG (op->conv, 5, kw);
  e |= SR_ARG_MEM (op->conv, 6, taps);
  e |= SR_ARG (op->conv, 7, offset);
  e |= SR_ARG (op->conv, 8, accumulate);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  size_t g[3] = { ((size_t) src->w + PX - 1) / PX,
    ((size_t) src->h + RY - 1) / RY, (size_t) src->n * src->c };
  return sr_enqueue (q, op->conv, 3, g);
}

static gboolean
shapes_ok (const SrTensor *src, const SrTensor *dst, int ksize,
    SrConv2dBorder border)
{
  const int min = border == SR_BORDER_MIRROR ? 1 : ksize / 2 + 1;
  return ksize > 0 && ksize % 2 == 1
      && (border == SR_BORDER_MIRROR || border == SR_BORDER_REFLECT_ONCE)
      && src->dtype == SR_DTYPE_F32 && dst->dtype == SR_DTYPE_F32
      && src->n == dst->n && src->c == dst->c && src->h == dst->h
      && src->w == dst->w && src->mem != dst->mem
      /* PyTorch's reflect pad must be smaller than the dimension */
      && src->h >= min && src->w >= min;
}

static SrStatus
run_device_kernel (SrConv2d *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, const DeviceKernel *d)
{
  const SrConv2dPlan *p = &d->plan;
  if (p->path == SR_CONV2D_DIRECT)
    return launch (op, q, src, dst, p->kh, p->kw, d->w2d, 0, FALSE);
  SrTensor *mid = sr_tensor_reuse (op->rt, q, &op->scratch, src->n, src->c,
      src->h, src->w, SR_DTYPE_F32);
  if (!mid)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  /* Factor by factor in a fixed order, so the sum is the same every run. */
  for (int f = 0; f < p->rank; f++) {
    SrStatus st = launch (op, q, src, mid, p->kh, 1, d->col, f * p->kh, FALSE);
    if (st != SR_OK)
      return st;
    st = launch (op, q, mid, dst, 1, p->kw, d->row, f * p->kw, f > 0);
    if (st != SR_OK)
      return st;
  }
  return SR_OK;
}

SrStatus
sr_conv2d_run (SrConv2d *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, const float *kernel, int ksize, SrConv2dBorder border,
    SrConv2dPlan *plan)
{
  if (!shapes_ok (src, dst, ksize, border))
    return SR_ERR_INVALID_ARGUMENT;
  DeviceKernel *d = get_2d (op, q, kernel, ksize);
  if (!d)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  if (plan)
    *plan = d->plan;
  return run_device_kernel (op, q, src, dst, d);
}

SrStatus
sr_conv2d_run_separable (SrConv2d *op, cl_command_queue q,
    const SrTensor *src, SrTensor *dst, const float *col, const float *row,
    int ksize)
{
  if (!shapes_ok (src, dst, ksize, SR_BORDER_REFLECT_ONCE))
    return SR_ERR_INVALID_ARGUMENT;
  DeviceKernel *d = get_separable (op, q, col, row, ksize);
  if (!d)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  return run_device_kernel (op, q, src, dst, d);
}
