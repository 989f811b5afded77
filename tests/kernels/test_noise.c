/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Philox streams and the noise op (BasicSR degradations.py noise, KAIR utils_blindsr.py add_Gaussian_noise).
 * - Philox4x32-10 known-answer vectors (Random123 kat_vectors) on the host
 *   and on the device.
 * - Device words, uniforms and normals equal the host twins of
 *   sr_philox.h bit for bit, for any local size; the twins' log, sqrt and
 *   Box-Muller are checked against libm in double.
 * - Statistics (fixed seeds, so the outcome is deterministic; bounds are
 *   4-5 standard errors unless stated): Gaussian sigma, mean, gray / colour
 *   structure, correlated covariance; Poisson counts' mean, variance and
 *   chi-square fit to the exact pmf; Poisson noise std and vals on frames.
 * - The optimised Poisson kernels give the bytes of the straightforward
 *   reference kernels; Gaussian C = 1, 3, 5 equal the host twins.
 * - Determinism: same keys, same bytes; another seed / index / op, other
 *   bytes. */
#include <string.h>

#include "sr_noise.h"
#include "sr_philox.h"
#include "sr_test_util.h"

#define SEED G_GUINT64_CONSTANT (0x0123456789abcdef)
#define INDEX G_GUINT64_CONSTANT (0x100000007)   /* exercises index hi */
#define OP 0x6e6f6973u                          /* "nois" */

static SrNoise *
noise_op (void)
{
  static SrNoise *op;
  if (!op) {
    GError *error = NULL;
    op = sr_noise_new (sr_test_runtime (), &error);
    g_assert_no_error (error);
  }
  return op;
}

static cl_kernel
test_kernel (const char *name)
{
  GError *error = NULL;
  cl_kernel k = sr_runtime_create_kernel (sr_test_runtime (), "noise", name,
      &error);
  g_assert_no_error (error);
  return k;
}

static void
set_stream_args (cl_kernel k, cl_uint first, guint64 seed, guint64 index,
    guint32 op)
{
  const cl_uint v[5] = { (cl_uint) seed, (cl_uint) (seed >> 32), op,
    (cl_uint) index, (cl_uint) (index >> 32) };
  for (cl_uint i = 0; i < 5; i++)
    g_assert_cmpint (clSetKernelArg (k, first + i, sizeof (cl_uint), &v[i]),
        ==, CL_SUCCESS);
}

static SrTensor *
new_tensor (int n, int c, int h, int w, SrDType dtype)
{
  GError *error = NULL;
  SrTensor *t = sr_tensor_new (sr_test_runtime (), n, c, h, w, dtype, &error);
  g_assert_no_error (error);
  return t;
}

static guint32
fbits (float f)
{
  guint32 u;
  memcpy (&u, &f, sizeof u);
  return u;
}

/* ---- Philox known answers -------------------------------------------------- */

static const guint32 kat[3][10] = {
  /* ctr[4], key[2], expected[4] (Random123 kat_vectors, philox4x32 10) */
  { 0, 0, 0, 0, 0, 0, 0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8 },
  { 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff,
    0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd },
  { 0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xa4093822, 0x299f31d0,
    0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1 },
};

static void
test_kat_host (void)
{
  for (int i = 0; i < 3; i++) {
    SrPhilox4x32 c = { { kat[i][0], kat[i][1], kat[i][2], kat[i][3] } };
    SrPhilox4x32 o = sr_philox4x32_10 (c, kat[i][4], kat[i][5]);
    for (int j = 0; j < 4; j++)
      g_assert_cmphex (o.v[j], ==, kat[i][6 + j]);
  }
}

static void
test_kat_device (void)
{
  guint32 in[18], out[12];
  for (int i = 0; i < 3; i++)
    memcpy (in + 6 * i, kat[i], 6 * sizeof (guint32));
  SrTensor *tin = new_tensor (1, 1, 1, 18, SR_DTYPE_I32);
  SrTensor *tout = new_tensor (1, 1, 1, 12, SR_DTYPE_I32);
  cl_command_queue q = sr_test_queue ();
  g_assert_cmpint (sr_tensor_write (q, tin, in), ==, SR_OK);
  cl_kernel k = test_kernel ("philox_kat");
  g_assert_cmpint (SR_ARG_MEM (k, 0, tin) | SR_ARG_MEM (k, 1, tout), ==, CL_SUCCESS);
  const size_t global = 3;
  g_assert_cmpint (sr_enqueue (q, k, 1, &global), ==, SR_OK);
  g_assert_cmpint (sr_tensor_read (q, tout, out), ==, SR_OK);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 4; j++)
      g_assert_cmphex (out[4 * i + j], ==, kat[i][6 + j]);
  clReleaseKernel (k);
  sr_tensor_unref (tin);
  sr_tensor_unref (tout);
}

/* ---- device streams == host twins ----------------------------------------- */

#define DUMP_ELEMS 8192
#define DUMP_BLOCKS 3

/* Runs stream_dump with the given local size (0: the driver's choice). */
static void
dump_streams (size_t local, guint32 *words, float *u01, float *normals)
{
  const int nb = DUMP_BLOCKS;
  SrTensor *tw = new_tensor (1, 1, DUMP_ELEMS, 4 * nb, SR_DTYPE_I32);
  SrTensor *tu = new_tensor (1, 1, DUMP_ELEMS, 4 * nb, SR_DTYPE_F32);
  SrTensor *tn = new_tensor (1, 1, DUMP_ELEMS, 4 * nb, SR_DTYPE_F32);
  cl_command_queue q = sr_test_queue ();
  cl_kernel k = test_kernel ("stream_dump");
  g_assert_cmpint (SR_ARG_MEM (k, 0, tw) | SR_ARG_MEM (k, 1, tu)
      | SR_ARG_MEM (k, 2, tn) | SR_ARG (k, 3, nb), ==, CL_SUCCESS);
  set_stream_args (k, 4, SEED, INDEX, OP);
  const size_t global = DUMP_ELEMS;
  g_assert_cmpint (clEnqueueNDRangeKernel (q, k, 1, NULL, &global,
          local ? &local : NULL, 0, NULL, NULL), ==, CL_SUCCESS);
  g_assert_cmpint (sr_tensor_read (q, tw, words), ==, SR_OK);
  g_assert_cmpint (sr_tensor_read (q, tu, u01), ==, SR_OK);
  g_assert_cmpint (sr_tensor_read (q, tn, normals), ==, SR_OK);
  clReleaseKernel (k);
  sr_tensor_unref (tw);
  sr_tensor_unref (tu);
  sr_tensor_unref (tn);
}

static void
test_streams_bit_exact (void)
{
  const size_t n = (size_t) DUMP_ELEMS * DUMP_BLOCKS * 4;
  guint32 *words = g_new (guint32, n), *w2 = g_new (guint32, n);
  float *u01 = g_new (float, n), *normals = g_new (float, n);
  float *u2 = g_new (float, n), *n2 = g_new (float, n);
  dump_streams (0, words, u01, normals);

  size_t mismatches = 0;
  double max_u = 0, max_z = 0;
  for (guint32 e = 0; e < DUMP_ELEMS; e++)
    for (guint32 b = 0; b < DUMP_BLOCKS; b++) {
      const SrPhilox4x32 o = sr_philox_element_block (SEED, INDEX, OP, e, b);
      const size_t at = ((size_t) e * DUMP_BLOCKS + b) * 4;
      for (int j = 0; j < 4; j++) {
        g_assert_cmphex (words[at + j], ==, o.v[j]);
        const float u = sr_philox_u01f (o.v[j]);
        mismatches += fbits (u) != fbits (u01[at + j]);
        /* u01 is exact: (2m+1)/2^24 */
        max_u = fmax (max_u, fabs (u - ((o.v[j] >> 9) * 2 + 1) / 16777216.0));
        g_assert_cmpfloat (u, >, 0);
        g_assert_cmpfloat (u, <, 1);
      }
      for (int j = 0; j < 4; j += 2) {
        float z0, z1;
        sr_philox_box_muller (o.v[j], o.v[j + 1], &z0, &z1);
        mismatches += fbits (z0) != fbits (normals[at + j]);
        mismatches += fbits (z1) != fbits (normals[at + j + 1]);
        /* the twins against Box-Muller in double with libm */
        const double ua = ((o.v[j] >> 9) * 2 + 1) / 16777216.0;
        const double ub = ((o.v[j + 1] >> 9) * 2 + 1) / 16777216.0;
        const double r = sqrt (-2 * log (ua));
        max_z = fmax (max_z, fabs (z0 - r * cos (2 * G_PI * ub)));
        max_z = fmax (max_z, fabs (z1 - r * sin (2 * G_PI * ub)));
      }
    }
  g_test_message ("device vs host: %zu mismatching floats of %zu; u01 max "
      "|err| %.3g; normals vs double Box-Muller max |err| %.3g",
      mismatches, 2 * n, max_u, max_z);
  g_assert_cmpuint (mismatches, ==, 0);
  g_assert_cmpfloat (max_u, ==, 0);
  /* |z| <= 5.8; float log, sqrt, sin/cos good to a few ulp: 2e-6 */
  g_assert_cmpfloat (max_z, <, 2e-6);

  /* explicit local sizes 1 and 64 give the same streams */
  for (size_t local = 1; local <= 64; local *= 64) {
    dump_streams (local, w2, u2, n2);
    g_assert_cmpmem (w2, n * 4, words, n * 4);
    g_assert_cmpmem (u2, n * 4, u01, n * 4);
    g_assert_cmpmem (n2, n * 4, normals, n * 4);
  }
  g_free (words);
  g_free (w2);
  g_free (u01);
  g_free (u2);
  g_free (normals);
  g_free (n2);
}

/* sr_philox_logf and sr_philox_sqrtf over their whole input range. */
static void
test_det_math (void)
{
  double max_log = 0, max_sqrt = 0;
  for (guint32 m = 0; m < (1u << 23); m += 7) {
    const float u = (float) (2 * m + 1) / 16777216.0f;
    const double l = log ((double) u);
    max_log = fmax (max_log, fabs (sr_philox_logf (u) - l) / fmax (fabs (l), 1e-30));
    const float x = (float) (-2 * l);
    max_sqrt = fmax (max_sqrt, fabs (sr_philox_sqrtf (x) - sqrt ((double) x))
        / sqrt ((double) x));
  }
  g_test_message ("log max rel err %.3g, sqrt max rel err %.3g", max_log, max_sqrt);
  /* a few float ulps (6e-8 each) */
  g_assert_cmpfloat (max_log, <, 4e-7);
  g_assert_cmpfloat (max_sqrt, <, 4e-7);
}

/* ---- Gaussian -------------------------------------------------------------- */

#define FW 1024
#define FH 1024

static float *
flat_frame (int c, int h, int w, float v)
{
  float *f = g_new (float, (size_t) c * h * w);
  for (size_t i = 0; i < (size_t) c * h * w; i++)
    f[i] = v;
  return f;
}

static float *
run_gaussian (const float *img, int c, int h, int w, guint64 seed,
    guint64 index, guint32 op, double sigma, gboolean gray)
{
  SrTensor *src = sr_test_upload (img, 1, c, h, w);
  SrTensor *dst = new_tensor (1, c, h, w, SR_DTYPE_F32);
  g_assert_cmpint (sr_noise_gaussian_run (noise_op (), sr_test_queue (), src,
          dst, seed, index, op, sigma, gray), ==, SR_OK);
  float *out = sr_test_download (dst);
  sr_tensor_unref (src);
  sr_tensor_unref (dst);
  return out;
}

static void
test_gaussian_stats (void)
{
  const double sigmas[] = { 1, 5, 15, 25, 30 };
  const size_t hw = (size_t) FW * FH;
  float *img = flat_frame (3, FH, FW, 0.5f);
  for (guint s = 0; s < G_N_ELEMENTS (sigmas); s++) {
    const double std = sigmas[s] / 255;
    float *out = run_gaussian (img, 3, FH, FW, SEED + s, INDEX, OP, sigmas[s], FALSE);
    double sum[3] = { 0 }, sq[3][3] = { { 0 } };
    size_t within1 = 0;
    for (size_t p = 0; p < hw; p++) {
      double d[3];
      for (int c = 0; c < 3; c++) {
        d[c] = out[c * hw + p] - 0.5;
        sum[c] += d[c];
        within1 += fabs (d[c]) < std;
      }
      for (int a = 0; a < 3; a++)
        for (int b = 0; b < 3; b++)
          sq[a][b] += d[a] * d[b];
    }
    const double n3 = 3.0 * hw;
    const double mean = (sum[0] + sum[1] + sum[2]) / n3;
    const double sd = sqrt ((sq[0][0] + sq[1][1] + sq[2][2]) / n3 - mean * mean);
    double max_corr = 0;
    for (int a = 0; a < 3; a++)
      for (int b = a + 1; b < 3; b++)
        max_corr = fmax (max_corr, fabs (sq[a][b] / sqrt (sq[a][a] * sq[b][b])));
    const double p1 = within1 / n3;
    g_test_message ("sigma %g: measured %.5f (rel err %.2e), mean - 0.5 = %.2e "
        "(SE %.1e), max |corr| %.4f, P(|z|<1) %.5f", sigmas[s], sd * 255,
        sd / std - 1, mean, std / sqrt (n3), max_corr, p1);
    /* sigma: SE of the std is 0.04 %; bound 1 % (the brief allows 5 %).
     * Clamping at 0 and 1 is > 4 sigma away for sigma <= 30. */
    g_assert_cmpfloat (fabs (sd / std - 1), <, 0.01);
    g_assert_cmpfloat (fabs (mean), <, 4 * std / sqrt (n3));
    /* channels independent: SE of a correlation ~ 1/sqrt(hw) = 0.001 */
    g_assert_cmpfloat (max_corr, <, 5 / sqrt ((double) hw));
    /* shape: P(|z| < 1) = 0.682689, SE 0.00027 */
    g_assert_cmpfloat (fabs (p1 - 0.682689), <, 5 * sqrt (0.6827 * 0.3173 / n3));
    g_free (out);
  }

  /* gray: one field, channels bit-identical, same sigma */
  float *out = run_gaussian (img, 3, FH, FW, SEED, INDEX, OP, 20, TRUE);
  double sq = 0;
  for (size_t p = 0; p < hw; p++) {
    g_assert_cmphex (fbits (out[p]), ==, fbits (out[hw + p]));
    g_assert_cmphex (fbits (out[p]), ==, fbits (out[2 * hw + p]));
    sq += (out[p] - 0.5) * (out[p] - 0.5);
  }
  const double sd = sqrt (sq / hw) * 255;
  g_test_message ("gray sigma 20: measured %.4f", sd);
  g_assert_cmpfloat (fabs (sd / 20 - 1), <, 0.01);
  g_free (out);
  g_free (img);
}

/* The op's output equals clamp(img + z*std) from the host twins. */
static void
test_gaussian_bit_exact (void)
{
  const int h = 67, w = 131, c = 3;
  const size_t hw = (size_t) h * w;
  float *img = g_new (float, c * hw);
  sr_test_fill_uniform (img, c * hw, 5, 0, 1);
  for (int gray = 0; gray <= 1; gray++) {
    const double sigma = 17.5;
    const float std = (float) (sigma / 255.0);
    float *out = run_gaussian (img, c, h, w, SEED, INDEX, OP, sigma, gray);
    for (size_t p = 0; p < hw; p++) {
      const SrPhilox4x32 o = sr_philox_element_block (SEED, INDEX, OP, p, 0);
      float z[4];
      sr_philox_box_muller (o.v[0], o.v[1], &z[0], &z[1]);
      sr_philox_box_muller (o.v[2], o.v[3], &z[2], &z[3]);
      for (int ch = 0; ch < c; ch++) {
        const float v = img[ch * hw + p] + z[gray ? 0 : ch] * std;
        const float ref = fminf (fmaxf (v, 0.0f), 1.0f);
        g_assert_cmphex (fbits (out[ch * hw + p]), ==, fbits (ref));
      }
    }
    g_free (out);
  }
  g_free (img);
}

static void
test_correlated (void)
{
  /* a factor like NumPy's sqrt(s)[:,None] * vh, in [0,1] units */
  const double F[9] = { 0.06, 0.03, -0.02, 0.0, 0.04, 0.025, 0.01, -0.015, 0.03 };
  const size_t hw = (size_t) FW * FH;
  float *img = flat_frame (3, FH, FW, 0.5f);
  SrTensor *src = sr_test_upload (img, 1, 3, FH, FW);
  SrTensor *dst = new_tensor (1, 3, FH, FW, SR_DTYPE_F32);
  g_assert_cmpint (sr_noise_correlated_run (noise_op (), sr_test_queue (), src,
          dst, SEED, INDEX, OP, F), ==, SR_OK);
  float *out = sr_test_download (dst);
  double cov[3][3] = { { 0 } };
  for (size_t p = 0; p < hw; p++) {
    const SrPhilox4x32 o = sr_philox_element_block (SEED, INDEX, OP, p, 0);
    float z[4];
    sr_philox_box_muller (o.v[0], o.v[1], &z[0], &z[1]);
    sr_philox_box_muller (o.v[2], o.v[3], &z[2], &z[3]);
    for (int c = 0; c < 3; c++) {
      const float nz = z[0] * (float) F[c] + z[1] * (float) F[3 + c]
          + z[2] * (float) F[6 + c];
      const float ref = fminf (fmaxf (0.5f + nz, 0.0f), 1.0f);
      g_assert_cmphex (fbits (out[c * hw + p]), ==, fbits (ref));
    }
    for (int a = 0; a < 3; a++)
      for (int b = 0; b < 3; b++)
        cov[a][b] += (out[a * hw + p] - 0.5) * (out[b * hw + p] - 0.5);
  }
  /* expected covariance F^T F; 5 SE with SE = sqrt(S_aa S_bb + S_ab^2 / n) */
  double worst = 0;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      double s[3] = { 0 };
      for (int k = 0; k < 3; k++) {
        s[0] += F[3 * k + a] * F[3 * k + b];
        s[1] += F[3 * k + a] * F[3 * k + a];
        s[2] += F[3 * k + b] * F[3 * k + b];
      }
      const double se = sqrt ((s[1] * s[2] + s[0] * s[0]) / hw);
      worst = fmax (worst, fabs (cov[a][b] / hw - s[0]) / se);
    }
  g_test_message ("correlated: worst covariance entry off by %.2f SE", worst);
  g_assert_cmpfloat (worst, <, 5);
  g_free (out);
  g_free (img);
  sr_tensor_unref (src);
  sr_tensor_unref (dst);
}

/* ---- Poisson ------------------------------------------------------------- */

#define NPOIS (1 << 22)

static float *
poisson_samples (float lam, guint64 seed)
{
  SrTensor *t = new_tensor (1, 1, 1, NPOIS, SR_DTYPE_F32);
  cl_kernel k = test_kernel ("poisson_samples");
  g_assert_cmpint (SR_ARG_MEM (k, 0, t) | SR_ARG (k, 1, lam), ==, CL_SUCCESS);
  set_stream_args (k, 2, seed, INDEX, OP);
  const size_t global = NPOIS;
  g_assert_cmpint (sr_enqueue (sr_test_queue (), k, 1, &global), ==, SR_OK);
  float *out = sr_test_download (t);
  clReleaseKernel (k);
  sr_tensor_unref (t);
  return out;
}

static void
test_poisson_samples (void)
{
  const float lams[] = { 0.5f, 5, 9.9f, 10, 50, 200, 256 };
  for (guint l = 0; l < G_N_ELEMENTS (lams); l++) {
    const double lam = lams[l];
    float *s = poisson_samples (lams[l], SEED + l);
    const int kmax = (int) (lam + 12 * sqrt (lam) + 20);
    double *hist = g_new0 (double, kmax + 1);
    double sum = 0, sq = 0;
    for (int i = 0; i < NPOIS; i++) {
      g_assert_cmpfloat (s[i], >=, 0);
      g_assert_cmpfloat (s[i], ==, floor (s[i]));
      sum += s[i];
      hist[MIN ((int) s[i], kmax)] += 1;
    }
    const double mean = sum / NPOIS;
    for (int i = 0; i < NPOIS; i++)
      sq += (s[i] - mean) * (s[i] - mean);
    const double var = sq / (NPOIS - 1);
    const double se_mean = sqrt (lam / NPOIS);
    const double se_var = sqrt ((lam + 2 * lam * lam) / NPOIS);

    /* chi-square against the exact pmf, bins merged until >= 20 expected */
    double chi2 = 0, e_acc = 0, o_acc = 0, cdf = 0;
    int df = -1;
    for (int k = 0; k <= kmax; k++) {
      const double pk = exp (-lam + k * log (lam) - lgamma (k + 1.0));
      const double expect = (k == kmax ? 1 - cdf : pk) * NPOIS;
      cdf += pk;
      e_acc += expect;
      o_acc += hist[k];
      if (e_acc >= 20 && (1 - cdf) * NPOIS >= 20) {
        chi2 += (o_acc - e_acc) * (o_acc - e_acc) / e_acc;
        df++;
        e_acc = o_acc = 0;
      }
    }
    if (e_acc > 0) {
      chi2 += (o_acc - e_acc) * (o_acc - e_acc) / e_acc;
      df++;
    }
    const double chi2_bound = df + 5 * sqrt (2.0 * df);
    g_test_message ("poisson(%g): mean %.4f (%.2f SE), var %.4f (%.2f SE), "
        "chi2 %.1f on %d df (bound %.1f)", lam, mean, (mean - lam) / se_mean,
        var, (var - lam) / se_var, chi2, df, chi2_bound);
    g_assert_cmpfloat (fabs (mean - lam), <, 4 * se_mean);
    g_assert_cmpfloat (fabs (var - lam), <, 4 * se_var);
    g_assert_cmpfloat (chi2, <, chi2_bound);
    g_free (hist);
    g_free (s);
  }
}

static float *
run_poisson (const float *img, int c, int h, int w, guint64 seed,
    guint64 index, guint32 op, double scale, gboolean gray)
{
  SrTensor *src = sr_test_upload (img, 1, c, h, w);
  SrTensor *dst = new_tensor (1, c, h, w, SR_DTYPE_F32);
  g_assert_cmpint (sr_noise_poisson_run (noise_op (), sr_test_queue (), src,
          dst, seed, index, op, scale, gray), ==, SR_OK);
  float *out = sr_test_download (dst);
  sr_tensor_unref (src);
  sr_tensor_unref (dst);
  return out;
}

/* Independent count of distinct rounded levels: sort and count. */
static int
cmp_int (const void *a, const void *b)
{
  return *(const int *) a - *(const int *) b;
}

static int
ref_vals (const float *img, size_t n)
{
  int *lv = g_new (int, n);
  for (size_t i = 0; i < n; i++)
    lv[i] = (int) CLAMP (nearbyint (img[i] * 255.0f), 0, 255);
  qsort (lv, n, sizeof (int), cmp_int);
  int uniq = 1;
  for (size_t i = 1; i < n; i++)
    uniq += lv[i] != lv[i - 1];
  g_free (lv);
  return 1 << (int) ceil (log2 ((double) uniq));
}

/* A frame flat at v except `extra` distinct other levels in row 0; the
 * noise in rows >= 1 has std scale*sqrt(x/vals) and mean 0 about the
 * unrounded v. */
static void
check_poisson_frame (float v, int extra, int expected_vals)
{
  const int c = 3, h = 512, w = 1024;
  const size_t hw = (size_t) h * w;
  float *img = flat_frame (c, h, w, v);
  for (int i = 0; i < extra; i++)   /* levels 0, 1, 2, ... skipping v's */
    img[i % 3 * hw + i / 3] = (float) (i < 128 ? i : i + 1) / 255.0f;
  const int vals = ref_vals (img, c * hw);
  g_assert_cmpint (vals, ==, expected_vals);
  const double x = nearbyint (v * 255.0f) / 255.0;
  g_assert_cmpfloat (x, !=, v);     /* the unrounded input matters */
  const double scale = 0.035 / sqrt (x / vals);   /* keep clamping away */
  float *out = run_poisson (img, c, h, w, SEED, INDEX, OP, scale, FALSE);
  double sum = 0, sq = 0, n = 0;
  for (int ch = 0; ch < c; ch++)
    for (size_t p = w; p < hw; p++) {
      const double d = out[ch * hw + p] - (double) v;
      sum += d;
      sq += d * d;
      n += 1;
    }
  const double mean = sum / n, sd = sqrt (sq / n - mean * mean);
  const double want = scale * sqrt (x / vals);
  /* SE(std)/std = sqrt((2 + 1/lam)/n)/2 (Poisson excess kurtosis 1/lam) */
  const double lam = x * vals, se_sd = want * sqrt ((2 + 1 / lam) / n) / 2;
  g_test_message ("poisson frame, %d levels, vals %d: std %.5f want %.5f "
      "(%.2f SE), mean %.2e (%.2f SE; rounded-img bias would be %.2e)",
      extra + 1, vals, sd, want, (sd - want) / se_sd, mean,
      mean / (want / sqrt (n)), (x - v) * 1.0);
  g_assert_cmpfloat (fabs (sd - want), <, 5 * se_sd);
  g_assert_cmpfloat (fabs (mean), <, 4 * want / sqrt (n));
  g_free (out);
  g_free (img);
}

static void
test_poisson_frames (void)
{
  const float v = 0.5f + 0.3f / 255;   /* level 128, x - v = 7.8e-4 */
  check_poisson_frame (v, 0, 1);
  check_poisson_frame (v, 1, 2);
  check_poisson_frame (v, 4, 8);
  check_poisson_frame (v, 127, 128);
  check_poisson_frame (v, 128, 256);
  check_poisson_frame (v, 254, 256);
}

static void
test_poisson_gray (void)
{
  const int h = 512, w = 1024;
  const size_t hw = (size_t) h * w;
  const float rgb[3] = { 0.7f, 0.45f, 0.3f };   /* 3 colour levels: vals 4 */
  float *img = g_new (float, 3 * hw);
  for (int c = 0; c < 3; c++)
    for (size_t p = 0; p < hw; p++)
      img[c * hw + p] = rgb[c];
  const float gv = 0.2989f * rgb[0] + 0.587f * rgb[1] + 0.114f * rgb[2];
  const double g = nearbyint (gv * 255.0f) / 255.0;  /* one gray level: vals 1 */
  const double scale = 0.03;
  float *out = run_poisson (img, 3, h, w, SEED, INDEX, OP, scale, TRUE);
  double sum = 0, sq = 0, max_spread = 0;
  for (size_t p = 0; p < hw; p++) {
    double d[3];
    for (int c = 0; c < 3; c++)
      d[c] = out[c * hw + p] - (double) rgb[c];
    max_spread = fmax (max_spread, fmax (fabs (d[0] - d[1]), fabs (d[0] - d[2])));
    sum += d[0];
    sq += d[0] * d[0];
  }
  const double mean = sum / hw, sd = sqrt (sq / hw - mean * mean);
  const double want = scale * sqrt (g), se_sd = want * sqrt ((2 + 1 / g) / hw) / 2;
  g_test_message ("poisson gray: std %.5f want %.5f (%.2f SE; colour vals "
      "would give %.5f), channel spread %.2e", sd, want, (sd - want) / se_sd,
      want / 2, max_spread);
  g_assert_cmpfloat (fabs (sd - want), <, 5 * se_sd);
  /* the same noise on R, G, B, up to float rounding of img + noise */
  g_assert_cmpfloat (max_spread, <, 1e-7);
  g_free (out);
  g_free (img);
}

/* The optimised Poisson path (tables, vectorisable kernel, slow path for
 * what it leaves) gives exactly the bytes of noise_poisson_ref /
 * noise_poisson_gray_ref (the op's first, straightforward kernels): frames
 * with many levels (vals 256, lam up to 256, PTRS), few levels (vals 8,
 * lam < 10: inversion) and a mix, colour and gray, in and out of place.
 * Tolerance: none (bit for bit). */
/* The level mask, from the host (bit 32j + b of word j: level occurs). */
static void
host_level_mask (const float *img, size_t hw, size_t n, gboolean gray,
    guint32 mask[8])
{
  memset (mask, 0, 8 * sizeof (guint32));
  for (size_t i = 0; i < (gray ? hw : n); i++) {
    const float v = gray ? 0.2989f * img[i] + 0.587f * img[hw + i]
        + 0.114f * img[2 * hw + i] : img[i];
    const int lv = (int) CLAMP (nearbyintf (v * 255.0f), 0, 255);
    mask[lv >> 5] |= 1u << (lv & 31);
  }
}

static void
run_poisson_ref (const float *img, int c, int h, int w, double scale,
    gboolean gray, float *out)
{
  const size_t hw = (size_t) h * w, n = (size_t) c * hw;
  guint32 mask[8];
  host_level_mask (img, hw, n, gray, mask);
  SrTensor *src = sr_test_upload (img, 1, c, h, w);
  SrTensor *dst = new_tensor (1, c, h, w, SR_DTYPE_F32);
  SrTensor *tm = new_tensor (1, 1, 1, 8, SR_DTYPE_I32);
  cl_command_queue q = sr_test_queue ();
  g_assert_cmpint (sr_tensor_write (q, tm, mask), ==, SR_OK);
  cl_kernel k = test_kernel (gray ? "noise_poisson_gray_ref" : "noise_poisson_ref");
  const cl_int ihw = (cl_int) hw, ic = c;
  const cl_float s = (cl_float) scale;
  cl_uint a = 0;
  cl_int e = SR_ARG_MEM (k, a++, src);
  e |= SR_ARG_MEM (k, a++, dst);
  e |= SR_ARG_MEM (k, a++, tm);
  e |= SR_ARG (k, a++, ihw);
  if (!gray)
    e |= SR_ARG (k, a++, ic);
  e |= SR_ARG (k, a++, s);
  g_assert_cmpint (e, ==, CL_SUCCESS);
  set_stream_args (k, a, SEED, INDEX, OP);
  const size_t global[2] = { gray ? hw : n, 1 };
  g_assert_cmpint (sr_enqueue (q, k, 2, global), ==, SR_OK);
  g_assert_cmpint (sr_tensor_read (q, dst, out), ==, SR_OK);
  clReleaseKernel (k);
  sr_tensor_unref (src);
  sr_tensor_unref (dst);
  sr_tensor_unref (tm);
}

static void
test_poisson_matches_reference (void)
{
  const int c = 3, h = 181, w = 253;      /* odd sizes: remainder launches */
  const size_t hw = (size_t) h * w, n = (size_t) c * hw;
  float *img = g_new (float, n), *ref = g_new (float, n);
  for (int kind = 0; kind < 3; kind++) {
    if (kind == 0)            /* all levels */
      sr_test_fill_uniform (img, n, 11, -0.02f, 1.02f);
    else if (kind == 1) {     /* 8 levels: vals 8, lam < 10 */
      sr_test_fill_uniform (img, n, 12, 0, 1);
      for (size_t i = 0; i < n; i++)
        img[i] = floorf (img[i] * 8) * 32 / 255.0f + 0.001f;
    } else {                  /* dark, many levels: both paths in one frame */
      sr_test_fill_uniform (img, n, 13, 0, 0.08f);
      for (size_t i = 0; i < n; i += 7)
        img[i] = 0.5f + img[i];
    }
    for (int gray = 0; gray <= 1; gray++) {
      const double scale = 2.5;
      run_poisson_ref (img, c, h, w, scale, gray, ref);
      float *out = run_poisson (img, c, h, w, SEED, INDEX, OP, scale, gray);
      size_t diff = 0;
      for (size_t i = 0; i < n; i++)
        diff += fbits (out[i]) != fbits (ref[i]);
      /* in place */
      SrTensor *t = sr_test_upload (img, 1, c, h, w);
      g_assert_cmpint (sr_noise_poisson_run (noise_op (), sr_test_queue (), t,
              t, SEED, INDEX, OP, scale, gray), ==, SR_OK);
      float *inpl = sr_test_download (t);
      size_t diff_in = 0;
      for (size_t i = 0; i < n; i++)
        diff_in += fbits (inpl[i]) != fbits (ref[i]);
      g_test_message ("poisson fast vs reference kernel, frame %d, %s: %zu / "
          "%zu differing (in place %zu)", kind, gray ? "gray" : "colour",
          diff, n, diff_in);
      g_assert_cmpuint (diff, ==, 0);
      g_assert_cmpuint (diff_in, ==, 0);
      g_free (out);
      g_free (inpl);
      sr_tensor_unref (t);
    }
  }
  g_free (img);
  g_free (ref);
}

/* The slow path alone (noise_poisson_slow) on every sample of lam >= 10,
 * flagged with nothing settled (all its trials redone): the reference
 * kernels' bytes there. (In the op it gets only the samples the fast path
 * left, most with their first trials settled, which the test above
 * covers.) */
static void
test_poisson_slow_matches_reference (void)
{
  const int c = 3, h = 61, w = 83;
  const size_t hw = (size_t) h * w, n = (size_t) c * hw;
  float *img = g_new (float, n), *ref = g_new (float, n);
  sr_test_fill_uniform (img, n, 14, -0.02f, 1.02f);
  cl_command_queue q = sr_test_queue ();
  for (int gray = 0; gray <= 1; gray++) {
    const double scale = 2.5;
    const size_t total = gray ? hw : n;
    const size_t nchunks = (total + 255) / 256;
    run_poisson_ref (img, c, h, w, scale, gray, ref);
    guint32 mask[8];
    host_level_mask (img, hw, n, gray, mask);
    int distinct = 0;
    for (int j = 0; j < 8; j++)
      distinct += __builtin_popcount (mask[j]);
    int vals = 1;
    while (vals < distinct)
      vals <<= 1;
    /* flag the samples of lam = level/255 * vals >= 10 */
    guint8 *flags = g_new0 (guint8, nchunks * 256);
    size_t flagged = 0;
    for (size_t e = 0; e < total; e++) {
      const float v = gray ? 0.2989f * img[e] + 0.587f * img[hw + e]
          + 0.114f * img[2 * hw + e] : img[e];
      const int lv = (int) CLAMP (nearbyintf (v * 255.0f), 0, 255);
      flags[e] = (float) lv / 255.0f * (float) vals >= 10.0f;
      flagged += flags[e];
    }
    SrTensor *src = sr_test_upload (img, 1, c, h, w);
    SrTensor *dst = sr_test_upload (img, 1, c, h, w);
    SrTensor *tm = new_tensor (1, 1, 1, 8, SR_DTYPE_I32);
    SrTensor *tab = new_tensor (1, 1, 256, 8, SR_DTYPE_F32);
    SrTensor *cdf = new_tensor (1, 1, 256, 64, SR_DTYPE_F32);
    SrTensor *lpt = new_tensor (1, 1, 256, 256, SR_DTYPE_F32);
    SrTensor *tf = new_tensor (1, 1, (int) nchunks, 256, SR_DTYPE_U8);
    g_assert_cmpint (sr_tensor_write (q, tm, mask), ==, SR_OK);
    g_assert_cmpint (sr_tensor_write (q, tf, flags), ==, SR_OK);
    cl_kernel kt = test_kernel ("noise_poisson_table");
    cl_int e = SR_ARG_MEM (kt, 0, tm);
    e |= SR_ARG_MEM (kt, 1, tab);
    e |= SR_ARG_MEM (kt, 2, cdf);
    e |= SR_ARG_MEM (kt, 3, lpt);
    g_assert_cmpint (e, ==, CL_SUCCESS);
    const size_t tglobal[2] = { 256, 1 };
    g_assert_cmpint (sr_enqueue (q, kt, 2, tglobal), ==, SR_OK);
    cl_kernel ks = test_kernel ("noise_poisson_slow");
    const cl_int itotal = (cl_int) total, ihw = (cl_int) hw, ic = c;
    const cl_int ig = gray;
    const cl_float s = (cl_float) scale;
    cl_uint a = 0;
    e = SR_ARG_MEM (ks, a++, src);
    e |= SR_ARG_MEM (ks, a++, dst);
    e |= SR_ARG_MEM (ks, a++, tab);
    e |= SR_ARG_MEM (ks, a++, tf);
    e |= SR_ARG (ks, a++, itotal);
    e |= SR_ARG (ks, a++, ihw);
    e |= SR_ARG (ks, a++, ic);
    e |= SR_ARG (ks, a++, ig);
    e |= SR_ARG (ks, a++, s);
    g_assert_cmpint (e, ==, CL_SUCCESS);
    set_stream_args (ks, a, SEED, INDEX, OP);
    g_assert_cmpint (sr_enqueue (q, ks, 1, &nchunks), ==, SR_OK);
    float *out = sr_test_download (dst);
    size_t diff = 0;
    for (size_t e2 = 0; e2 < total; e2++) {
      if (!flags[e2])
        continue;
      for (int ch = 0; ch < (gray ? 3 : 1); ch++) {
        const size_t i = e2 + (size_t) ch * hw;
        diff += fbits (out[i]) != fbits (ref[i]);
      }
    }
    g_test_message ("poisson slow path alone vs reference kernel, %s: %zu "
        "flagged, %zu differing", gray ? "gray" : "colour", flagged, diff);
    g_assert_cmpuint (flagged, >, total / 2);
    g_assert_cmpuint (diff, ==, 0);
    clReleaseKernel (kt);
    clReleaseKernel (ks);
    g_free (out);
    g_free (flags);
    sr_tensor_unref (src);
    sr_tensor_unref (dst);
    sr_tensor_unref (tm);
    sr_tensor_unref (tab);
    sr_tensor_unref (cdf);
    sr_tensor_unref (lpt);
    sr_tensor_unref (tf);
  }
  g_free (img);
  g_free (ref);
}

/* Gaussian, C = 1, 3 (its own kernels) and 5 (the general one), against the
 * host twins: the same bits. */
static void
test_gaussian_channels (void)
{
  const int h = 37, w = 29;
  const size_t hw = (size_t) h * w;
  for (int c = 1; c <= 5; c += 2) {
    float *img = g_new (float, c * hw);
    sr_test_fill_uniform (img, c * hw, 21 + c, 0, 1);
    for (int gray = 0; gray <= 1; gray++) {
      const float std = (float) (12.0 / 255.0);
      float *out = run_gaussian (img, c, h, w, SEED, INDEX, OP, 12.0, gray);
      for (size_t p = 0; p < hw; p++) {
        float z[8];
        for (guint32 b = 0; b < 2; b++) {
          const SrPhilox4x32 o = sr_philox_element_block (SEED, INDEX, OP, p, b);
          sr_philox_box_muller (o.v[0], o.v[1], &z[4 * b], &z[4 * b + 1]);
          sr_philox_box_muller (o.v[2], o.v[3], &z[4 * b + 2], &z[4 * b + 3]);
        }
        for (int ch = 0; ch < c; ch++) {
          const float v = img[ch * hw + p] + z[gray ? 0 : ch] * std;
          g_assert_cmphex (fbits (out[ch * hw + p]), ==,
              fbits (fminf (fmaxf (v, 0.0f), 1.0f)));
        }
      }
      g_free (out);
    }
    g_free (img);
  }
}

/* ---- determinism ---------------------------------------------------------- */

static double
fraction_differing (const float *a, const float *b, size_t n)
{
  size_t d = 0;
  for (size_t i = 0; i < n; i++)
    d += fbits (a[i]) != fbits (b[i]);
  return (double) d / n;
}

static void
test_determinism (void)
{
  const int c = 3, h = 96, w = 160;
  const size_t n = (size_t) c * h * w;
  float *img = g_new (float, n);
  sr_test_fill_uniform (img, n, 9, 0.2f, 0.8f);
  for (int kind = 0; kind < 2; kind++) {
    float *(*run) (const float *, int, int, int, guint64, guint64, guint32,
        double, gboolean) = kind ? run_poisson : run_gaussian;
    const double amount = kind ? 2.0 : 10.0;
    float *a = run (img, c, h, w, SEED, INDEX, OP, amount, FALSE);
    float *b = run (img, c, h, w, SEED, INDEX, OP, amount, FALSE);
    g_assert_cmpmem (a, n * 4, b, n * 4);
    float *d1 = run (img, c, h, w, SEED + 1, INDEX, OP, amount, FALSE);
    float *d2 = run (img, c, h, w, SEED, INDEX + 1, OP, amount, FALSE);
    float *d3 = run (img, c, h, w, SEED, INDEX, OP + 1, amount, FALSE);
    const double f1 = fraction_differing (a, d1, n);
    const double f2 = fraction_differing (a, d2, n);
    const double f3 = fraction_differing (a, d3, n);
    g_test_message ("%s: other seed / index / op change %.3f / %.3f / %.3f "
        "of the samples", kind ? "poisson" : "gaussian", f1, f2, f3);
    /* Poisson counts repeat often (lam ~ 128); most still differ */
    g_assert_cmpfloat (f1, >, 0.9);
    g_assert_cmpfloat (f2, >, 0.9);
    g_assert_cmpfloat (f3, >, 0.9);
    g_free (a);
    g_free (b);
    g_free (d1);
    g_free (d2);
    g_free (d3);
  }
  g_free (img);
}

static void
test_bad_arguments (void)
{
  SrTensor *a = new_tensor (1, 3, 4, 4, SR_DTYPE_F32);
  SrTensor *b = new_tensor (1, 3, 4, 5, SR_DTYPE_F32);
  SrTensor *g1 = new_tensor (1, 1, 4, 4, SR_DTYPE_F32);
  const double F[9] = { 0 };
  cl_command_queue q = sr_test_queue ();
  g_assert_cmpint (sr_noise_gaussian_run (noise_op (), q, a, b, 1, 0, OP, 5, FALSE),
      ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_noise_gaussian_run (noise_op (), q, a, a, 1, 0, OP, -1, FALSE),
      ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_noise_correlated_run (noise_op (), q, g1, g1, 1, 0, OP, F),
      ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_noise_poisson_run (noise_op (), q, g1, g1, 1, 0, OP, 1, TRUE),
      ==, SR_ERR_INVALID_ARGUMENT);
  /* single channel colour Poisson and in-place are fine */
  g_assert_cmpint (sr_noise_poisson_run (noise_op (), q, g1, g1, 1, 0, OP, 1, FALSE),
      ==, SR_OK);
  g_assert_cmpint (clFinish (q), ==, CL_SUCCESS);
  sr_tensor_unref (a);
  sr_tensor_unref (b);
  sr_tensor_unref (g1);
}

/* ---- BSRGAN+ (KAIR) steps: clamp, speckle, KAIR's Poisson ------------------ */

/* A [1,3,h,w] frame at value v everywhere, pushed through one step. */
static float *
flat_through (int h, int w, float v, SrStatus (*step) (SrTensor *, SrTensor *))
{
  const size_t n = (size_t) 3 * h * w;
  float *img = g_new (float, n);
  for (size_t i = 0; i < n; i++)
    img[i] = v;
  SrTensor *src = sr_test_upload (img, 1, 3, h, w);
  SrTensor *dst = new_tensor (1, 3, h, w, SR_DTYPE_F32);
  g_assert_cmpint (step (src, dst), ==, SR_OK);
  float *out = sr_test_download (dst);
  sr_tensor_unref (src);
  sr_tensor_unref (dst);
  g_free (img);
  return out;
}

static void
plane_stats (const float *x, size_t n, double *mean, double *std)
{
  double s = 0, s2 = 0;
  for (size_t i = 0; i < n; i++) {
    s += x[i];
    s2 += (double) x[i] * x[i];
  }
  *mean = s / n;
  *std = sqrt (MAX (s2 / n - *mean * *mean, 0));
}

static void
test_clamp (void)
{
  const float in[6] = { -0.5f, 0.0f, 0.3f, 1.0f, 1.7f, -0.0f };
  const float want[6] = { 0.0f, 0.0f, 0.3f, 1.0f, 1.0f, 0.0f };
  SrTensor *src = sr_test_upload (in, 1, 3, 1, 2);
  SrTensor *dst = new_tensor (1, 3, 1, 2, SR_DTYPE_F32);
  g_assert_cmpint (sr_noise_clamp_run (noise_op (), sr_test_queue (), src, dst), ==, SR_OK);
  float *got = sr_test_download (dst);
  for (int i = 0; i < 6; i++)
    g_assert_cmpfloat (got[i], ==, want[i]);
  g_free (got);
  sr_tensor_unref (src);
  sr_tensor_unref (dst);
}

#define KH 128
#define KW 160
static double speckle_sigma;
static gboolean step_gray;

static SrStatus
speckle_step (SrTensor *src, SrTensor *dst)
{
  return sr_noise_speckle_run (noise_op (), sr_test_queue (), src, dst, SEED,
      INDEX, OP, speckle_sigma, step_gray, NULL);
}

/* out = x + x * N(0, sigma/255): on a flat 0.5 frame the measured std is
 * 0.5 * sigma / 255 within 3% (no clipping at these levels), mean 0.5 within
 * 5 SE; gray: the three channels identical. */
static void
test_speckle (void)
{
  const size_t plane = (size_t) KH * KW;
  const double sigmas[] = { 2, 10, 25 };
  for (guint k = 0; k < G_N_ELEMENTS (sigmas); k++)
    for (int gray = 0; gray < 2; gray++) {
      speckle_sigma = sigmas[k];
      step_gray = gray;
      float *out = flat_through (KH, KW, 0.5f, speckle_step);
      const double want = 0.5 * sigmas[k] / 255;
      for (int c = 0; c < 3; c++) {
        double mean, std;
        plane_stats (out + c * plane, plane, &mean, &std);
        g_test_message ("speckle sigma %g gray %d c %d: std %.5f (want %.5f), mean %.5f",
            sigmas[k], gray, c, std, want, mean);
        g_assert_cmpfloat (fabs (std / want - 1), <, 0.03);
        g_assert_cmpfloat (fabs (mean - 0.5), <, 5 * want / sqrt (plane));
      }
      if (gray)
        g_assert_cmpmem (out, plane * sizeof (float), out + plane, plane * sizeof (float));
      g_free (out);
    }
}

static double kair_vals;

static SrStatus
kair_poisson_step (SrTensor *src, SrTensor *dst)
{
  return sr_noise_poisson_kair_run (noise_op (), sr_test_queue (), src, dst, SEED,
      INDEX, OP, kair_vals, step_gray);
}

/* KAIR's Poisson: poisson(x * vals) / vals on x = round(img*255)/255, so on a
 * flat frame of level 128 the mean is 128/255 (within 5 SE) and the std
 * sqrt(x / vals) within 3%; gray: the same noise on every channel. */
static void
test_kair_poisson (void)
{
  const size_t plane = (size_t) KH * KW;
  const double vals_list[] = { 100, 1000, 9000 };
  const double x = 128.0 / 255.0;
  for (guint k = 0; k < G_N_ELEMENTS (vals_list); k++)
    for (int gray = 0; gray < 2; gray++) {
      kair_vals = vals_list[k];
      step_gray = gray;
      /* 128.3/255 rounds to level 128: the rounding is part of the step. */
      float *out = flat_through (KH, KW, 128.3f / 255.0f, kair_poisson_step);
      const double want = sqrt (x / kair_vals);
      for (int c = 0; c < 3; c++) {
        double mean, std;
        plane_stats (out + c * plane, plane, &mean, &std);
        g_test_message ("kair poisson vals %g gray %d c %d: std %.5f (want %.5f), mean %.5f",
            kair_vals, gray, c, std, want, mean);
        g_assert_cmpfloat (fabs (std / want - 1), <, 0.03);
        g_assert_cmpfloat (fabs (mean - x), <, 5 * want / sqrt (plane));
      }
      if (gray)
        g_assert_cmpmem (out, plane * sizeof (float), out + 2 * plane, plane * sizeof (float));
      g_free (out);
    }
}


/* ---- mmagic (RealBasicVSR) ------------------------------------------------ */

/* round8 against C's nearbyint (half to even) on values around the ties,
 * below 0 and above 1. Tolerance: none. */
static void
test_round8 (void)
{
  const int n = 4096;
  float *img = g_new (float, n);
  for (int i = 0; i < n; i++)
    img[i] = (float) (i - 512) / 2.0f / 255.0f;   /* k/2 levels: every tie */
  SrTensor *src = sr_test_upload (img, 1, 1, 1, n);
  SrTensor *dst = new_tensor (1, 1, 1, n, SR_DTYPE_F32);
  g_assert_cmpint (sr_noise_round8_run (noise_op (), sr_test_queue (), src, dst),
      ==, SR_OK);
  float *out = sr_test_download (dst);
  for (int i = 0; i < n; i++) {
    const float ref = (float) (int) CLAMP (nearbyintf (img[i] * 255.0f), 0.0f, 255.0f) / 255.0f;
    g_assert_cmphex (fbits (out[i]), ==, fbits (ref));
  }
  g_free (out);
  g_free (img);
  sr_tensor_unref (src);
  sr_tensor_unref (dst);
}

static float *
run_mmagic (const float *img, int h, int w, gboolean poisson, double value,
    gboolean gray)
{
  SrTensor *src = sr_test_upload (img, 1, 3, h, w);
  SrTensor *dst = new_tensor (1, 3, h, w, SR_DTYPE_F32);
  g_assert_cmpint (sr_noise_mmagic_run (noise_op (), sr_test_queue (), src, dst,
          SEED, INDEX, OP, poisson, value, gray), ==, SR_OK);
  float *out = sr_test_download (dst);
  sr_tensor_unref (src);
  sr_tensor_unref (dst);
  return out;
}

/* Gaussian, bit for bit against the host twin of the streams: out = img +
 * (normal * sigma) / 255, never clipped (mmagic adds in 0..255 and leaves
 * the saturation to a later JPEG or its final Clip). Tolerance: none. */
static void
test_mmagic_gaussian (void)
{
  const int h = 61, w = 97;
  const size_t hw = (size_t) h * w;
  float *img = g_new (float, 3 * hw);
  sr_test_fill_uniform (img, 3 * hw, 11, 0, 1);
  for (int gray = 0; gray <= 1; gray++) {
    const float sigma = 23.5f;
    float *out = run_mmagic (img, h, w, FALSE, sigma, gray);
    int outside = 0;
    for (size_t p = 0; p < hw; p++) {
      const SrPhilox4x32 o = sr_philox_element_block (SEED, INDEX, OP, p, 0);
      float z[4];
      sr_philox_box_muller (o.v[0], o.v[1], &z[0], &z[1]);
      sr_philox_box_muller (o.v[2], o.v[3], &z[2], &z[3]);
      for (int ch = 0; ch < 3; ch++) {
        const float noise = z[gray ? 0 : ch] * sigma;
        const float ref = img[ch * hw + p] + noise / 255.0f;
        g_assert_cmphex (fbits (out[ch * hw + p]), ==, fbits (ref));
        outside += ref < 0 || ref > 1;
      }
    }
    g_test_message ("mmagic gaussian gray %d: %d samples outside [0, 1], kept", gray, outside);
    g_assert_cmpint (outside, >, 0);
    g_free (out);
  }
  g_free (img);
}

/* Poisson in 0..255 units: on a frame of two levels (vals 2) the noise
 * (out - img) * 255 has mean 0 and std scale * sqrt(x / vals) at level x;
 * gray noise is the same on R, G, B and follows OpenCV's gray level
 * 0.299 R + 0.587 G + 0.114 B: a red of 1.6725 is level 1 that way and
 * level 0 (no noise at all) with torchvision's 0.2989. Tolerance: 5 SE. */
static void
test_mmagic_poisson (void)
{
  const int h = 512, w = 512;
  const size_t hw = (size_t) h * w;
  const double scale = 2.5;
  /* colour: level 100 everywhere but one pixel at level 7 (vals 2) */
  float *img = flat_frame (3, h, w, 100.0f / 255.0f);
  img[0] = 7.0f / 255.0f;
  float *out = run_mmagic (img, h, w, TRUE, scale, FALSE);
  double sum = 0, sq = 0, n = 0;
  for (int ch = 0; ch < 3; ch++)
    for (size_t p = 1; p < hw; p++) {
      const double d = ((double) out[ch * hw + p] - img[ch * hw + p]) * 255.0;
      sum += d;
      sq += d * d;
      n += 1;
    }
  double mean = sum / n, sd = sqrt (sq / n - mean * mean);
  double want = scale * sqrt (100.0 / 2), se = want * sqrt ((2 + 1 / 200.0) / n) / 2;
  g_test_message ("mmagic poisson colour: std %.4f want %.4f (%.2f SE), mean %.4f",
      sd, want, (sd - want) / se, mean);
  g_assert_cmpfloat (fabs (sd - want), <, 5 * se);
  g_assert_cmpfloat (fabs (mean), <, 5 * want / sqrt (n));
  g_free (out);
  g_free (img);

  /* gray: one gray level, 1 (vals 1: lam 1) */
  img = flat_frame (3, h, w, 0);
  for (size_t p = 0; p < hw; p++)
    img[p] = 1.6725f / 255.0f;
  out = run_mmagic (img, h, w, TRUE, scale, TRUE);
  sum = sq = 0;
  double spread = 0;
  for (size_t p = 0; p < hw; p++) {
    const double d = ((double) out[p] - img[p]) * 255.0;
    spread = fmax (spread, fabs ((double) out[hw + p] * 255.0 - d));
    sum += d;
    sq += d * d;
  }
  mean = sum / hw;
  sd = sqrt (sq / hw - mean * mean);
  want = scale;       /* poisson(1) - 1 has std 1 */
  se = want * sqrt (3.0 / hw) / 2;
  g_test_message ("mmagic poisson gray: std %.4f want %.4f (%.2f SE; torchvision's "
      "gray would give 0), channel spread %.2e", sd, want, (sd - want) / se, spread);
  g_assert_cmpfloat (fabs (sd - want), <, 5 * se);
  g_assert_cmpfloat (spread, <, 1e-4);
  g_free (out);
  g_free (img);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/noise/philox/kat-host", test_kat_host);
  g_test_add_func ("/noise/philox/kat-device", test_kat_device);
  g_test_add_func ("/noise/philox/streams-bit-exact", test_streams_bit_exact);
  g_test_add_func ("/noise/philox/det-math", test_det_math);
  g_test_add_func ("/noise/gaussian/stats", test_gaussian_stats);
  g_test_add_func ("/noise/gaussian/bit-exact", test_gaussian_bit_exact);
  g_test_add_func ("/noise/correlated", test_correlated);
  g_test_add_func ("/noise/poisson/samples", test_poisson_samples);
  g_test_add_func ("/noise/poisson/frames", test_poisson_frames);
  g_test_add_func ("/noise/poisson/gray", test_poisson_gray);
  g_test_add_func ("/noise/poisson/matches-reference",
      test_poisson_matches_reference);
  g_test_add_func ("/noise/poisson/slow-matches-reference",
      test_poisson_slow_matches_reference);
  g_test_add_func ("/noise/gaussian/channels", test_gaussian_channels);
  g_test_add_func ("/noise/determinism", test_determinism);
  g_test_add_func ("/noise/bad-arguments", test_bad_arguments);
  g_test_add_func ("/noise/bsrgan/clamp", test_clamp);
  g_test_add_func ("/noise/bsrgan/speckle", test_speckle);
  g_test_add_func ("/noise/bsrgan/kair-poisson", test_kair_poisson);
  g_test_add_func ("/noise/mmagic/round8", test_round8);
  g_test_add_func ("/noise/mmagic/gaussian", test_mmagic_gaussian);
  g_test_add_func ("/noise/mmagic/poisson", test_mmagic_poisson);
  return g_test_run ();
}
