/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* conv2d op vs a plain-C double-precision filter2D reference
 * (BasicSR img_process_util.py; KAIR's scipy 'mirror'): the image explicitly padded by K/2
 * by walking outwards from each edge and bouncing off both ends (SciPy
 * 'mirror'; REFLECT_101, c b | a b c d | c b, when one bounce suffices),
 * then correlated with the full, untrimmed K x K kernel. Tolerance: max
 * |diff| <= 1e-5 on inputs in [0,1) with kernels of unit sum (float32
 * accumulation of up to 2601 taps, or of 2r 1-D passes, vs double). */
#include "sr_conv2d.h"
#include "sr_test_util.h"

#define TOL 1e-5

static SrConv2d *
op_get (void)
{
  static SrConv2d *op;
  if (!op) {
    GError *error = NULL;
    op = sr_conv2d_new (sr_test_runtime (), &error);
    g_assert_no_error (error);
  }
  return op;
}

/* Source index of each of the n + 2r padded positions: the identity inside,
 * and outside a walk that starts at the edge pixel, steps away from it and
 * turns round at either end (never staying on an end twice); with n == 1
 * there is nowhere to go, so every position reads pixel 0. */
static int *
mirror_table (int n, int r)
{
  int *t = g_new (int, n + 2 * r);
  for (int i = 0; i < n; i++)
    t[r + i] = i;
  for (int side = 0; side < 2; side++) {
    int pos = side ? n - 1 : 0, dir = side ? -1 : 1;
    for (int s = 1; s <= r; s++) {
      if (n > 1) {
        if (pos + dir < 0 || pos + dir > n - 1)
          dir = -dir;
        pos += dir;
      }
      t[side ? r + n - 1 + s : r - s] = pos;
    }
  }
  return t;
}

static void
ref_filter2d (const float *src, int planes, int h, int w, const float *k,
    int ks, float *dst)
{
  const int r = ks / 2, ph = h + 2 * r, pw = w + 2 * r;
  double *pad = g_new (double, (size_t) ph * pw);
  int *ty = mirror_table (h, r), *tx = mirror_table (w, r);
  for (int p = 0; p < planes; p++) {
    const float *s = src + (size_t) p * h * w;
    for (int py = 0; py < ph; py++)
      for (int px = 0; px < pw; px++) {
        const int y = ty[py], x = tx[px];
        g_assert (y >= 0 && y < h && x >= 0 && x < w);
        pad[(size_t) py * pw + px] = s[(size_t) y * w + x];
      }
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        double acc = 0;
        for (int i = 0; i < ks; i++)
          for (int j = 0; j < ks; j++)
            acc += (double) k[i * ks + j] * pad[(size_t) (y + i) * pw + x + j];
        dst[((size_t) p * h + y) * w + x] = (float) acc;
      }
  }
  g_free (pad);
  g_free (ty);
  g_free (tx);
}

static const char *
path_name (SrConv2dPath path)
{
  return path == SR_CONV2D_DIRECT ? "direct" : path == SR_CONV2D_SEPARABLE
      ? "separable" : "low-rank";
}

/* Runs the op (2-D entry, or the separable one when col/row are given) on a
 * random n x c x h x w frame and compares with the reference for kernel k;
 * *bytes (when given) receives the output. */
static double
check_full (const float *k, int ks, int n, int c, int h, int w, guint32 seed,
    const float *col, const float *row, SrConv2dBorder border,
    SrConv2dPlan *plan, float **bytes)
{
  const size_t m = (size_t) n * c * h * w;
  float *src = g_new (float, m), *ref = g_new (float, m);
  sr_test_fill_uniform (src, m, seed, 0, 1);
  ref_filter2d (src, n * c, h, w, k, ks, ref);

  GError *error = NULL;
  SrTensor *in = sr_test_upload (src, n, c, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), n, c, h, w, SR_DTYPE_F32,
      &error);
  g_assert_no_error (error);
  SrStatus st = col ? sr_conv2d_run_separable (op_get (), sr_test_queue (), in,
      out, col, row, ks) : sr_conv2d_run (op_get (), sr_test_queue (), in, out,
      k, ks, border, plan);
  g_assert_cmpint (st, ==, SR_OK);
  float *got = sr_test_download (out);
  const double err = sr_test_max_abs_diff (got, ref, m);
  g_test_message ("K=%d %dx%dx%dx%d %s%s: max |diff| = %.3g", ks, n, c, h, w,
      col ? "separable entry" : path_name (plan->path),
      border == SR_BORDER_MIRROR ? " mirror" : "", err);
  g_assert_cmpfloat (err, <=, TOL);

  if (bytes)
    *bytes = got;
  else
    g_free (got);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  g_free (src);
  g_free (ref);
  return err;
}

static double
check (const float *k, int ks, int n, int c, int h, int w, guint32 seed,
    const float *col, const float *row, SrConv2dPlan *plan)
{
  return check_full (k, ks, n, c, h, w, seed, col, row,
      SR_BORDER_REFLECT_ONCE, plan, NULL);
}

/* A random non-separable kernel with unit sum (some negative taps). */
static float *
random_kernel (int ks, guint32 seed)
{
  float *k = g_new (float, ks * ks);
  sr_test_fill_uniform (k, ks * ks, seed, -0.3f, 1.0f);
  double sum = 0;
  for (int i = 0; i < ks * ks; i++)
    sum += k[i];
  for (int i = 0; i < ks * ks; i++)
    k[i] = (float) (k[i] / sum);
  return k;
}

/* exp(-(x^T S^-1 x)/2) on a ks x ks grid, normalised in double, stored as
 * float: Real-ESRGAN's bivariate Gaussian (sx, sy, rotation theta). */
static float *
gaussian_kernel (int ks, double sx, double sy, double theta)
{
  const double c = cos (theta), s = sin (theta);
  /* S = R diag(sx^2, sy^2) R^T; its inverse in closed form. */
  const double a = c * c * sx * sx + s * s * sy * sy;
  const double b = c * s * (sx * sx - sy * sy);
  const double d = s * s * sx * sx + c * c * sy * sy;
  const double det = a * d - b * b;
  double *g = g_new (double, ks * ks), sum = 0;
  for (int i = 0; i < ks; i++)
    for (int j = 0; j < ks; j++) {
      const double y = i - ks / 2, x = j - ks / 2;
      g[i * ks + j] = exp (-0.5 * (d * x * x - 2 * b * x * y + a * y * y) / det);
      sum += g[i * ks + j];
    }
  float *k = g_new (float, ks * ks);
  for (int i = 0; i < ks * ks; i++)
    k[i] = (float) (g[i] / sum);
  g_free (g);
  return k;
}

/* sum_f col_f row_f^T over `rank` random factor pairs with entries in
 * [-0.5, 1), scaled to unit sum: exactly rank `rank` in double, stored as
 * float (which adds ~1e-8 of rounding, below the 1e-7 bar). */
static float *
low_rank_kernel (int ks, int rank, guint32 seed)
{
  float *f = g_new (float, 2 * rank * ks);
  sr_test_fill_uniform (f, 2 * rank * ks, seed, -0.5f, 1.0f);
  double *k = g_new0 (double, ks * ks), sum = 0;
  for (int r = 0; r < rank; r++)
    for (int i = 0; i < ks; i++)
      for (int j = 0; j < ks; j++)
        k[i * ks + j] += (double) f[2 * r * ks + i] * f[(2 * r + 1) * ks + j];
  for (int i = 0; i < ks * ks; i++)
    sum += k[i];
  float *out = g_new (float, ks * ks);
  for (int i = 0; i < ks * ks; i++)
    out[i] = (float) (k[i] / sum);
  g_free (f);
  g_free (k);
  return out;
}

/* ks x ks kernel holding an inner x inner one at its centre, zeros around. */
static float *
zero_pad (const float *inner, int inner_ks, int ks)
{
  float *k = g_new0 (float, ks * ks);
  const int o = (ks - inner_ks) / 2;
  for (int i = 0; i < inner_ks; i++)
    for (int j = 0; j < inner_ks; j++)
      k[(o + i) * ks + o + j] = inner[i * inner_ks + j];
  return k;
}

static void
test_random_direct (void)
{
  double worst = 0;
  for (int ks = 3; ks <= 21; ks += 2) {
    float *k = random_kernel (ks, 10 + ks);
    SrConv2dPlan plan;
    worst = fmax (worst, check (k, ks, 1, 3, 37 + ks, 61 - ks, 20 + ks,
            NULL, NULL, &plan));
    g_assert_cmpint (plan.path, ==, SR_CONV2D_DIRECT);
    g_assert_cmpint (plan.kh, ==, ks);
    g_assert_cmpint (plan.kw, ==, ks);
    g_assert_cmpint (plan.rank, ==, ks);        /* full rank */
    /* Minimum frames: H (then W) = K/2 + 1, where the reflection reaches
     * the far edge. */
    check (k, ks, 1, 3, ks / 2 + 1, 45, 30 + ks, NULL, NULL, &plan);
    check (k, ks, 1, 2, 29, ks / 2 + 1, 40 + ks, NULL, NULL, &plan);
    check (k, ks, 1, 1, ks / 2 + 1, ks / 2 + 1, 50 + ks, NULL, NULL, &plan);
    g_free (k);
  }
  g_test_message ("random direct K=3..21: worst max |diff| = %.3g", worst);
}

static void
test_random_51 (void)
{
  float *k = random_kernel (51, 5);
  SrConv2dPlan plan;
  check (k, 51, 1, 3, 40, 70, 6, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_DIRECT);
  check (k, 51, 1, 3, 26, 26, 7, NULL, NULL, &plan);
  g_free (k);
}

static void
test_batch (void)
{
  float *k = random_kernel (9, 77);
  SrConv2dPlan plan;
  check (k, 9, 2, 3, 19, 33, 78, NULL, NULL, &plan);
  g_free (k);
}

static void
test_gaussian_separable (void)
{
  SrConv2dPlan plan;
  /* Isotropic and axis-aligned anisotropic Gaussians are rank 1. */
  float *k = gaussian_kernel (21, 2.5, 2.5, 0);
  check (k, 21, 1, 3, 48, 50, 1, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_SEPARABLE);
  g_assert_cmpint (plan.kh, ==, 21);
  g_assert_cmpint (plan.kw, ==, 21);
  check (k, 21, 1, 3, 11, 11, 2, NULL, NULL, &plan);    /* minimum size */
  g_free (k);
  k = gaussian_kernel (15, 3.0, 1.2, 0);
  check (k, 15, 1, 3, 30, 17, 3, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_SEPARABLE);
  g_free (k);
  /* A rotated anisotropic one is not. */
  k = gaussian_kernel (21, 3.0, 1.0, 0.6);
  check (k, 21, 1, 3, 30, 40, 4, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_DIRECT);
  g_free (k);
}

static void
test_zero_padded (void)
{
  SrConv2dPlan plan;
  /* Real-ESRGAN pads a 7x7 kernel to 21x21: support trimmed to 7. */
  float *inner = random_kernel (7, 9);
  float *k = zero_pad (inner, 7, 21);
  check (k, 21, 1, 3, 40, 33, 10, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_DIRECT);
  g_assert_cmpint (plan.kh, ==, 7);
  g_assert_cmpint (plan.kw, ==, 7);
  check (k, 21, 1, 3, 11, 12, 11, NULL, NULL, &plan);   /* minimum size */
  g_free (inner);
  g_free (k);

  inner = gaussian_kernel (7, 1.1, 1.1, 0);
  k = zero_pad (inner, 7, 21);
  check (k, 21, 1, 3, 25, 40, 12, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_SEPARABLE);
  g_assert_cmpint (plan.kh, ==, 7);
  g_assert_cmpint (plan.kw, ==, 7);
  g_free (inner);
  g_free (k);

  /* Zero rows on one side only: that axis keeps its size (the anchor must
   * stay central); zero columns on both sides are trimmed. */
  k = random_kernel (9, 13);
  for (int j = 0; j < 9; j++)
    k[j] = 0;                                   /* top row */
  for (int i = 0; i < 9; i++)
    k[i * 9] = k[i * 9 + 8] = k[i * 9 + 1] = k[i * 9 + 7] = 0;
  check (k, 9, 1, 3, 20, 21, 14, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_DIRECT);
  g_assert_cmpint (plan.kh, ==, 9);
  g_assert_cmpint (plan.kw, ==, 5);
  g_free (k);
}

/* USM (BasicSR img_process_util.py, USMSharp): cv2.getGaussianKernel(51, 0), sigma 8.0, K = k1 k1^T in
 * double then float32; through both the 2-D entry and the 1-D one. */
static void
test_usm_gaussian (void)
{
  double k1[51], sum = 0;
  for (int i = 0; i < 51; i++) {
    const double x = i - 25;
    k1[i] = exp (-x * x / (2 * 8.0 * 8.0));
    sum += k1[i];
  }
  float f1[51], k[51 * 51];
  for (int i = 0; i < 51; i++) {
    k1[i] /= sum;
    f1[i] = (float) k1[i];
  }
  for (int i = 0; i < 51; i++)
    for (int j = 0; j < 51; j++)
      k[i * 51 + j] = (float) (k1[i] * k1[j]);
  SrConv2dPlan plan;
  check (k, 51, 1, 3, 60, 44, 21, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_SEPARABLE);
  g_assert_cmpint (plan.kh, ==, 51);
  check (k, 51, 1, 3, 26, 30, 22, f1, f1, NULL);
  check (k, 51, 1, 3, 40, 26, 23, f1, f1, NULL);
}

static SrStatus
run (SrTensor *a, SrTensor *b, const float *k, int ks, SrConv2dBorder border)
{
  return sr_conv2d_run (op_get (), sr_test_queue (), a, b, k, ks, border, NULL);
}

/* The reference's padding itself, against sequences written out by hand
 * from SciPy's description (d c b | a b c d | c b a). */
static void
test_mirror_table (void)
{
  static const int n1[] = { 0, 0, 0, 0, 0, 0, 0 };
  /* a b, 4 each side: a b a b | a b | a b a b */
  static const int n2[] = { 0, 1, 0, 1, 0, 1, 0, 1, 0, 1 };
  /* a b c, 5 each side: b a b c b | a b c | b a b c b */
  static const int n3[] = { 1, 0, 1, 2, 1, 0, 1, 2, 1, 0, 1, 2, 1 };
  /* a b c d e, 6 each side: c d e d c b | a b c d e | d c b a b c */
  static const int n5[] = { 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3, 2, 1, 0, 1,
    2 };
  static const struct { int n, r; const int *want; } cases[] = {
    { 1, 3, n1 }, { 2, 4, n2 }, { 3, 5, n3 }, { 5, 6, n5 },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++) {
    int *t = mirror_table (cases[c].n, cases[c].r);
    for (int i = 0; i < cases[c].n + 2 * cases[c].r; i++)
      g_assert_cmpint (t[i], ==, cases[c].want[i]);
    g_free (t);
  }
}

/* SciPy 'mirror' on planes smaller than the kernel's radius, down to 1 x 1
 * (K = 25, KAIR's largest), through all three paths. */
static void
test_mirror_small (void)
{
  static const int sides[] = { 1, 2, 3, 5 };
  float *kd = random_kernel (25, 61), *ks = gaussian_kernel (25, 2.5, 2.5, 0);
  float *kl = low_rank_kernel (25, 3, 62);
  const float *kernels[] = { kd, ks, kl };
  const SrConv2dPath paths[] = { SR_CONV2D_DIRECT, SR_CONV2D_SEPARABLE,
    SR_CONV2D_LOW_RANK
  };
  double worst = 0;
  guint32 seed = 300;
  for (int k = 0; k < 3; k++) {
    SrConv2dPlan plan;
    for (int i = 0; i < 4; i++)
      for (int j = 0; j < 4; j++) {
        worst = fmax (worst, check_full (kernels[k], 25, 1, 3, sides[i],
                sides[j], seed++, NULL, NULL, SR_BORDER_MIRROR, &plan, NULL));
        g_assert_cmpint (plan.path, ==, paths[k]);
      }
    /* One short side with a long one (interior blocks along W, several
     * work-items), and a long column. */
    check_full (kernels[k], 25, 2, 3, 2, 53, seed++, NULL, NULL,
        SR_BORDER_MIRROR, &plan, NULL);
    check_full (kernels[k], 25, 1, 2, 5, 37, seed++, NULL, NULL,
        SR_BORDER_MIRROR, &plan, NULL);
    check_full (kernels[k], 25, 1, 3, 41, 1, seed++, NULL, NULL,
        SR_BORDER_MIRROR, &plan, NULL);
  }
  g_test_message ("mirror, sides 1..5, K=25: worst max |diff| = %.3g", worst);
  g_free (kd);
  g_free (ks);
  g_free (kl);
}

/* Sums of 2 and 3 outer products take the low-rank path with that rank,
 * give the direct reference's result and the same bytes every run. */
static void
test_low_rank (void)
{
  for (int rank = 2; rank <= 3; rank++) {
    float *k = low_rank_kernel (21, rank, 70 + rank), *a, *b;
    SrConv2dPlan plan;
    g_assert_true (sr_conv2d_analyze (k, 21, &plan));
    g_assert_cmpint (plan.path, ==, SR_CONV2D_LOW_RANK);
    g_assert_cmpint (plan.rank, ==, rank);
    check_full (k, 21, 1, 3, 45, 70, 80, NULL, NULL, SR_BORDER_REFLECT_ONCE,
        &plan, &a);
    g_assert_cmpint (plan.path, ==, SR_CONV2D_LOW_RANK);
    g_assert_cmpint (plan.rank, ==, rank);
    check_full (k, 21, 1, 3, 45, 70, 80, NULL, NULL, SR_BORDER_REFLECT_ONCE,
        &plan, &b);
    g_assert_cmpint (memcmp (a, b, sizeof (float) * 3 * 45 * 70), ==, 0);
    check (k, 21, 2, 3, 11, 11, 81, NULL, NULL, &plan);  /* minimum size */
    g_free (a);
    g_free (b);
    g_free (k);
  }
  /* Rank 4 at K = 21, or rank 2 of a 7 x 7 support, costs more as 1-D
   * passes: direct, with the rank still reported. */
  SrConv2dPlan plan;
  float *k = low_rank_kernel (21, 4, 90);
  check (k, 21, 1, 3, 30, 40, 91, NULL, NULL, &plan);
  g_assert_cmpint (plan.path, ==, SR_CONV2D_DIRECT);
  g_assert_cmpint (plan.rank, ==, 4);
  g_free (k);
  float *inner = low_rank_kernel (7, 2, 92);
  k = zero_pad (inner, 7, 21);
  g_assert_true (sr_conv2d_analyze (k, 21, &plan));
  g_assert_cmpint (plan.path, ==, SR_CONV2D_DIRECT);
  g_assert_cmpint (plan.kh, ==, 7);
  g_assert_cmpint (plan.rank, ==, 2);
  g_free (inner);
  g_free (k);
  /* A full-rank random kernel stays direct (see also random-direct). */
  k = random_kernel (25, 93);
  g_assert_true (sr_conv2d_analyze (k, 25, &plan));
  g_assert_cmpint (plan.path, ==, SR_CONV2D_DIRECT);
  g_assert_cmpint (plan.rank, ==, 25);
  g_free (k);
}

static void
test_invalid (void)
{
  GError *error = NULL;
  SrRuntime *rt = sr_test_runtime ();
  cl_command_queue q = sr_test_queue ();
  const SrConv2dBorder once = SR_BORDER_REFLECT_ONCE;
  float *k = random_kernel (21, 1);
  SrTensor *a = sr_tensor_new (rt, 1, 3, 10, 30, SR_DTYPE_F32, &error);
  SrTensor *b = sr_tensor_new (rt, 1, 3, 10, 30, SR_DTYPE_F32, &error);
  SrTensor *c = sr_tensor_new (rt, 1, 3, 30, 10, SR_DTYPE_F32, &error);
  SrTensor *d = sr_tensor_new (rt, 1, 3, 30, 10, SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  /* H = 10 = K/2 (resp. W): upstream's reflect pad would raise; SciPy's
   * mirror reflects again. */
  g_assert_cmpint (run (a, b, k, 21, once), ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (run (c, d, k, 21, once), ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_conv2d_run_separable (op_get (), q, a, b, k, k, 21), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (run (a, b, k, 21, SR_BORDER_MIRROR), ==, SR_OK);
  g_assert_cmpint (run (c, d, k, 21, SR_BORDER_MIRROR), ==, SR_OK);
  /* Even K, mismatched shapes, aliasing, an unknown border. */
  g_assert_cmpint (run (a, b, k, 4, once), ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (run (a, c, k, 3, once), ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (run (a, a, k, 3, once), ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (run (a, b, k, 3, (SrConv2dBorder) 7), ==,
      SR_ERR_INVALID_ARGUMENT);
  /* The same kernel at a size that fits is accepted. */
  g_assert_cmpint (run (a, b, k, 19, once), ==, SR_OK);
  clFinish (q);
  sr_tensor_unref (a);
  sr_tensor_unref (b);
  sr_tensor_unref (c);
  sr_tensor_unref (d);
  g_free (k);
}

/* More distinct kernels than the op caches: eviction must keep results
 * right, and a repeated kernel must hit the cache without new buffers. */
static void
test_cache (void)
{
  SrConv2dPlan plan;
  for (int i = 0; i < 70; i++) {
    float *k = random_kernel (3, 1000 + i);
    check (k, 3, 1, 1, 9, 17, 2000 + i, NULL, NULL, &plan);
    g_free (k);
  }
  float *k = random_kernel (5, 4242);
  check (k, 5, 1, 1, 9, 17, 1, NULL, NULL, &plan);
  SrTensorPool *pool = sr_runtime_pool (sr_test_runtime ());
  const guint before = sr_tensor_pool_allocations (pool);
  check (k, 5, 1, 1, 9, 17, 2, NULL, NULL, &plan);
  g_assert_cmpuint (sr_tensor_pool_allocations (pool), ==, before);
  g_free (k);
}

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

static double
median_ms (SrTensor *in, SrTensor *out, const float *k, int ks)
{
  cl_command_queue q = sr_test_queue ();
  double t[5];
  g_assert_cmpint (sr_conv2d_run (op_get (), q, in, out, k, ks,
          SR_BORDER_REFLECT_ONCE, NULL), ==, SR_OK);
  clFinish (q);                                 /* warm-up */
  for (int i = 0; i < 5; i++) {
    const gint64 t0 = g_get_monotonic_time ();
    g_assert_cmpint (sr_conv2d_run (op_get (), q, in, out, k, ks,
            SR_BORDER_REFLECT_ONCE, NULL), ==, SR_OK);
    clFinish (q);
    t[i] = (g_get_monotonic_time () - t0) / 1000.0;
  }
  qsort (t, 5, sizeof t[0], cmp_double);
  return t[2];
}

/* Timing only (not asserted): 21x21 direct, separable and low rank (r = 3)
 * on 3x1080x1920. */
static void
test_timing (void)
{
  GError *error = NULL;
  const int h = 1080, w = 1920;
  const size_t m = (size_t) 3 * h * w;
  float *src = g_new (float, m);
  sr_test_fill_uniform (src, m, 99, 0, 1);
  SrTensor *in = sr_test_upload (src, 1, 3, h, w);
  SrTensor *out = sr_tensor_new (sr_test_runtime (), 1, 3, h, w, SR_DTYPE_F32,
      &error);
  g_assert_no_error (error);
  float *kd = random_kernel (21, 3), *ks = gaussian_kernel (21, 2.5, 2.5, 0);
  float *kl = low_rank_kernel (21, 3, 4);
  const double td = median_ms (in, out, kd, 21);
  const double tsep = median_ms (in, out, ks, 21);
  const double tlr = median_ms (in, out, kl, 21);
  g_test_message ("3x%dx%d K=21 on %s: direct %.1f ms, separable %.1f ms, "
      "low rank 3 %.1f ms (median of 5)", h, w,
      sr_runtime_describe (sr_test_runtime ()), td, tsep, tlr);
  g_free (kd);
  g_free (ks);
  g_free (kl);
  g_free (src);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/conv2d/random-direct-3-21", test_random_direct);
  g_test_add_func ("/conv2d/random-direct-51", test_random_51);
  g_test_add_func ("/conv2d/batch", test_batch);
  g_test_add_func ("/conv2d/gaussian-separable", test_gaussian_separable);
  g_test_add_func ("/conv2d/zero-padded-trim", test_zero_padded);
  g_test_add_func ("/conv2d/usm-gaussian-51", test_usm_gaussian);
  g_test_add_func ("/conv2d/mirror-table", test_mirror_table);
  g_test_add_func ("/conv2d/mirror-small", test_mirror_small);
  g_test_add_func ("/conv2d/low-rank", test_low_rank);
  g_test_add_func ("/conv2d/invalid", test_invalid);
  g_test_add_func ("/conv2d/kernel-cache", test_cache);
  g_test_add_func ("/conv2d/timing", test_timing);
  return g_test_run ();
}
