/* conv2d op vs a plain-C double-precision filter2D reference
 * (spec/degradations.md A.4.1): the image explicitly padded by K/2 with
 * REFLECT_101 (c b | a b c d | c b), then correlated with the full, untrimmed
 * K x K kernel. Tolerance: max |diff| <= 1e-5 on inputs in [0,1) with
 * kernels of unit sum (float32 accumulation of up to 2601 taps vs double). */
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

static void
ref_filter2d (const float *src, int planes, int h, int w, const float *k,
    int ks, float *dst)
{
  const int r = ks / 2, ph = h + 2 * r, pw = w + 2 * r;
  double *pad = g_new (double, (size_t) ph * pw);
  for (int p = 0; p < planes; p++) {
    const float *s = src + (size_t) p * h * w;
    for (int py = 0; py < ph; py++)
      for (int px = 0; px < pw; px++) {
        int y = py - r, x = px - r;
        if (y < 0)
          y = -y;
        if (y > h - 1)
          y = 2 * (h - 1) - y;
        if (x < 0)
          x = -x;
        if (x > w - 1)
          x = 2 * (w - 1) - x;
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
}

/* Runs the op (2-D entry, or the separable one when col/row are given) on a
 * random n x c x h x w frame and compares with the reference for kernel k. */
static double
check (const float *k, int ks, int n, int c, int h, int w, guint32 seed,
    const float *col, const float *row, SrConv2dPlan *plan)
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
      k, ks, plan);
  g_assert_cmpint (st, ==, SR_OK);
  float *got = sr_test_download (out);
  const double err = sr_test_max_abs_diff (got, ref, m);
  g_test_message ("K=%d %dx%dx%dx%d %s: max |diff| = %.3g", ks, n, c, h, w,
      col ? "separable entry" : plan->path == SR_CONV2D_SEPARABLE
      ? "separable path" : "direct path", err);
  g_assert_cmpfloat (err, <=, TOL);

  g_free (got);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
  g_free (src);
  g_free (ref);
  return err;
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

/* USM (spec A.4.2): cv2.getGaussianKernel(51, 0), sigma 8.0, K = k1 k1^T in
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

static void
test_invalid (void)
{
  GError *error = NULL;
  SrRuntime *rt = sr_test_runtime ();
  cl_command_queue q = sr_test_queue ();
  float *k = random_kernel (21, 1);
  SrTensor *a = sr_tensor_new (rt, 1, 3, 10, 30, SR_DTYPE_F32, &error);
  SrTensor *b = sr_tensor_new (rt, 1, 3, 10, 30, SR_DTYPE_F32, &error);
  SrTensor *c = sr_tensor_new (rt, 1, 3, 30, 10, SR_DTYPE_F32, &error);
  SrTensor *d = sr_tensor_new (rt, 1, 3, 30, 10, SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  /* H = 10 = K/2 (resp. W): upstream's reflect pad would raise. */
  g_assert_cmpint (sr_conv2d_run (op_get (), q, a, b, k, 21, NULL), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_conv2d_run (op_get (), q, c, d, k, 21, NULL), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_conv2d_run_separable (op_get (), q, a, b, k, k, 21), ==,
      SR_ERR_INVALID_ARGUMENT);
  /* Even K, mismatched shapes, aliasing. */
  g_assert_cmpint (sr_conv2d_run (op_get (), q, a, b, k, 4, NULL), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_conv2d_run (op_get (), q, a, c, k, 3, NULL), ==,
      SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_conv2d_run (op_get (), q, a, a, k, 3, NULL), ==,
      SR_ERR_INVALID_ARGUMENT);
  /* The same kernel at a size that fits is accepted. */
  g_assert_cmpint (sr_conv2d_run (op_get (), q, a, b, k, 19, NULL), ==, SR_OK);
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
  g_assert_cmpint (sr_conv2d_run (op_get (), q, in, out, k, ks, NULL), ==, SR_OK);
  clFinish (q);                                 /* warm-up */
  for (int i = 0; i < 5; i++) {
    const gint64 t0 = g_get_monotonic_time ();
    g_assert_cmpint (sr_conv2d_run (op_get (), q, in, out, k, ks, NULL), ==,
        SR_OK);
    clFinish (q);
    t[i] = (g_get_monotonic_time () - t0) / 1000.0;
  }
  qsort (t, 5, sizeof t[0], cmp_double);
  return t[2];
}

/* Timing only (not asserted): 21x21 direct and separable on 3x1080x1920. */
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
  const double td = median_ms (in, out, kd, 21);
  const double tsep = median_ms (in, out, ks, 21);
  g_test_message ("3x%dx%d K=21 on %s: direct %.1f ms, separable %.1f ms "
      "(median of 5)", h, w, sr_runtime_describe (sr_test_runtime ()), td, tsep);
  g_free (kd);
  g_free (ks);
  g_free (src);
  sr_tensor_unref (in);
  sr_tensor_unref (out);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/conv2d/random-direct-3-21", test_random_direct);
  g_test_add_func ("/conv2d/random-direct-51", test_random_51);
  g_test_add_func ("/conv2d/batch", test_batch);
  g_test_add_func ("/conv2d/gaussian-separable", test_gaussian_separable);
  g_test_add_func ("/conv2d/zero-padded-trim", test_zero_padded);
  g_test_add_func ("/conv2d/usm-gaussian-51", test_usm_gaussian);
  g_test_add_func ("/conv2d/invalid", test_invalid);
  g_test_add_func ("/conv2d/kernel-cache", test_cache);
  g_test_add_func ("/conv2d/timing", test_timing);
  return g_test_run ();
}
