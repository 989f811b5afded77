/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nn GEMM (CLBlast) vs a plain-C double-precision reference written from
 * the definition: C[i][j] = alpha * sum_l op(A)[i][l] op(B)[l][j] + beta *
 * C0[i][j], row-major, with op(X) = X or X^T stored transposed.
 *
 * Tolerance, per element: |got - ref| <= 1e-6 + (2 sqrt(k) + 3) eps M,
 * eps = FLT_EPSILON, M = |alpha| sum_l |a b| + |beta C0| (the magnitude of
 * what is summed). A k-term float32 sum on random data errs like sqrt(k)
 * eps M (worst case k eps M); the 3 eps cover the products and the alpha
 * and beta steps, which dominate for tiny k. Inputs lie in [-1, 1), so a
 * wrong, missing or doubled term is off by ~0.1 on average, far above it.
 *
 * Every buffer has guard floats around its matrices: the floats of C that
 * are not in a product (padding of the leading dimension, before the
 * offset, after the end) must come back unchanged. */
#include <float.h>
#include <string.h>

#include "sr_nn_gemm.h"
#include "sr_test_util.h"

typedef struct {
  const char *name;
  gboolean ta, tb;
  int m, n, k;
  float alpha, beta;
  /* Offsets and padding of the leading dimensions, in floats. */
  int a_off, b_off, c_off, a_pad, b_pad, c_pad;
  /* Batch: count and the extra floats between matrices; a_shared: one A
   * for the whole batch (stride 0); c_side: the C matrices side by side in
   * the rows (stride n, leading dimension batch * n + c_pad). */
  int batch, gap;
  gboolean a_shared, c_side;
} Case;

/* One product (batch 1, no gap, no sharing). */
#define SINGLE 1, 0, FALSE, FALSE

static const Case cases[] = {
  {"1x1x1", FALSE, FALSE, 1, 1, 1, 1.0f, 0.0f, 0, 0, 0, 0, 0, 0, SINGLE},
  {"7x129x33", FALSE, FALSE, 7, 129, 33, 1.0f, 0.0f, 0, 0, 0, 0, 0, 0,
      SINGLE},
  {"129x7x257-tn-beta", TRUE, FALSE, 129, 7, 257, 0.5f, -1.5f, 3, 5, 7, 1,
      2, 3, SINGLE},
  {"33x65x7-nt", FALSE, TRUE, 33, 65, 7, 1.0f, 1.0f, 0, 11, 1, 0, 4, 5,
      SINGLE},
  {"65x1000x64-tt", TRUE, TRUE, 65, 1000, 64, -2.0f, 0.25f, 13, 17, 19, 3,
      1, 7, SINGLE},
  {"outer-k1", FALSE, FALSE, 31, 129, 1, 1.0f, 0.5f, 1, 2, 3, 0, 0, 0,
      SINGLE},
  {"column-n1", FALSE, FALSE, 200, 1, 129, 1.0f, 0.0f, 0, 0, 0, 5, 0, 2,
      SINGLE},
  /* The shape of conv2d's GEMM (64 weights rows, 3x3 over 64 channels). */
  {"conv-64x4800x576", FALSE, FALSE, 64, 4800, 576, 1.0f, 0.0f, 0, 64, 4800,
      0, 0, 0, SINGLE},
  {"batched", FALSE, FALSE, 7, 9, 13, 1.0f, 0.0f, 1, 2, 3, 1, 2, 3, 5, 4,
      FALSE, FALSE},
  {"batched-tn-beta", TRUE, FALSE, 17, 33, 129, 0.75f, 2.0f, 0, 0, 5, 0, 3,
      0, 3, 0, FALSE, FALSE},
  /* Vector-quantisation distances: one codebook against many inputs. */
  {"batched-shared-a", FALSE, TRUE, 16, 50, 32, -2.0f, 1.0f, 4, 0, 0, 0, 0,
      0, 4, 1, TRUE, FALSE},
  /* Attention heads interleaved in the rows of C. */
  {"batched-side-by-side", FALSE, TRUE, 24, 24, 8, 0.125f, 0.0f, 0, 0, 2, 0,
      0, 3, 4, 0, FALSE, TRUE},
};

typedef struct {
  size_t off, ld, stride, len;  /* len: floats in the buffer */
} Layout;

static Layout
layout (int rows, int cols, int off, int pad, int batch, int gap,
    gboolean shared)
{
  Layout l;
  l.off = off;
  l.ld = cols + pad;
  l.stride = shared ? 0 : (size_t) rows * l.ld + gap;
  l.len = off + (size_t) (batch - 1) * l.stride + (size_t) rows * l.ld + 9;
  return l;
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  const int m = c->m, n = c->n, k = c->k, nb = c->batch;
  const Layout la = layout (c->ta ? k : m, c->ta ? m : k, c->a_off, c->a_pad,
      nb, c->gap, c->a_shared);
  const Layout lb = layout (c->tb ? n : k, c->tb ? k : n, c->b_off, c->b_pad,
      nb, c->gap, FALSE);
  Layout lc;
  if (c->c_side) {
    lc.off = c->c_off;
    lc.ld = (size_t) nb * n + c->c_pad;
    lc.stride = n;
    lc.len = lc.off + (size_t) m * lc.ld + 9;
  } else {
    lc = layout (m, n, c->c_off, c->c_pad, nb, c->gap, FALSE);
  }
  float *a = g_new (float, la.len), *b = g_new (float, lb.len);
  float *c0 = g_new (float, lc.len);
  sr_test_fill_uniform (a, la.len, 1, -1, 1);
  sr_test_fill_uniform (b, lb.len, 2, -1, 1);
  sr_test_fill_uniform (c0, lc.len, 3, -1, 1);
  SrTensor *ta = sr_test_upload (a, 1, 1, 1, la.len);
  SrTensor *tb = sr_test_upload (b, 1, 1, 1, lb.len);
  SrTensor *tc = sr_test_upload (c0, 1, 1, 1, lc.len);

  GError *error = NULL;
  const SrNnMatrix A = sr_nn_matrix (ta->mem, la.off, la.ld);
  const SrNnMatrix B = sr_nn_matrix (tb->mem, lb.off, lb.ld);
  const SrNnMatrix C = sr_nn_matrix (tc->mem, lc.off, lc.ld);
  gboolean ok = nb == 1
      ? sr_nn_gemm (sr_test_queue (), c->ta, c->tb, m, n, k, c->alpha, A, B,
      c->beta, C, &error)
      : sr_nn_gemm_batched (sr_test_queue (), c->ta, c->tb, m, n, k,
      c->alpha, A, la.stride, B, lb.stride, c->beta, C, lc.stride, nb,
      &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  float *got = sr_test_download (tc);

  gboolean *inside = g_new0 (gboolean, lc.len);
  double worst = 0, maxerr = 0;
  for (int bi = 0; bi < nb; bi++)
    for (int i = 0; i < m; i++)
      for (int j = 0; j < n; j++) {
        double acc = 0, mag = 0;
        for (int l = 0; l < k; l++) {
          const size_t ai = la.off + bi * la.stride
              + (c->ta ? (size_t) l * la.ld + i : (size_t) i * la.ld + l);
          const size_t bj = lb.off + bi * lb.stride
              + (c->tb ? (size_t) j * lb.ld + l : (size_t) l * lb.ld + j);
          const double t = (double) a[ai] * b[bj];
          acc += t;
          mag += fabs (t);
        }
        const size_t ci = lc.off + bi * lc.stride + (size_t) i * lc.ld + j;
        g_assert_false (inside[ci]);
        inside[ci] = TRUE;
        const double ref = c->alpha * acc + (double) c->beta * c0[ci];
        mag = fabs (c->alpha) * mag + fabs (c->beta * c0[ci]);
        const double tol = 1e-6 + (2 * sqrt (k) + 3) * FLT_EPSILON * mag;
        const double err = fabs (got[ci] - ref);
        if (!(err <= tol))
          g_error ("%s: batch %d C[%d][%d]: got %.9g, reference %.9g "
              "(error %.3g > tolerance %.3g)", c->name, bi, i, j, got[ci],
              ref, err, tol);
        maxerr = MAX (maxerr, err);
        worst = MAX (worst, err / tol);
      }
  for (size_t i = 0; i < lc.len; i++)
    if (!inside[i] && memcmp (&got[i], &c0[i], sizeof (float)))
      g_error ("%s: float %zu of C's buffer is outside every product but "
          "changed: %g -> %g", c->name, i, c0[i], got[i]);
  g_test_message ("max |error| %.3g, at most %.3f of the tolerance", maxerr,
      worst);

  sr_tensor_unref (ta);
  sr_tensor_unref (tb);
  sr_tensor_unref (tc);
  g_free (a);
  g_free (b);
  g_free (c0);
  g_free (got);
  g_free (inside);
}

static void
expect_error (gboolean ok, GError **error, const char *contains)
{
  g_assert_false (ok);
  g_assert_error (*error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  if (!strstr ((*error)->message, contains))
    g_error ("error \"%s\" does not mention \"%s\"", (*error)->message,
        contains);
  g_test_message ("refused: %s", (*error)->message);
  g_clear_error (error);
}

/* Bad arguments: refused with a message that says which, nothing run. */
static void
test_errors (void)
{
  cl_command_queue q = sr_test_queue ();
  SrRuntime *rt = sr_test_runtime ();
  GError *error = NULL;
  /* Buffers of exactly 1000 floats (a pool's may be larger). */
  cl_int err;
  const cl_mem t = clCreateBuffer (sr_runtime_context (rt), CL_MEM_READ_WRITE,
      1000 * sizeof (float), NULL, &err);
  g_assert_cmpint (err, ==, CL_SUCCESS);
  const cl_mem u = clCreateBuffer (sr_runtime_context (rt), CL_MEM_READ_WRITE,
      1000 * sizeof (float), NULL, &err);
  g_assert_cmpint (err, ==, CL_SUCCESS);
  const SrNnMatrix A = sr_nn_matrix (t, 0, 10);
  const SrNnMatrix C = sr_nn_matrix (u, 0, 10);

  expect_error (sr_nn_gemm (q, FALSE, FALSE, 0, 10, 10, 1, A, A, 0, C,
          &error), &error, "m 0");
  expect_error (sr_nn_gemm (NULL, FALSE, FALSE, 1, 1, 1, 1, A, A, 0, C,
          &error), &error, "no queue");
  /* A is 10 x 11: ld 10 is too small. */
  expect_error (sr_nn_gemm (q, FALSE, FALSE, 10, 10, 11, 1, A,
          sr_nn_matrix (t, 500, 10), 0, C, &error), &error,
      "leading dimension 10 < 11");
  /* B is 11 x 10 transposed-stored 10 x 11. */
  expect_error (sr_nn_gemm (q, FALSE, TRUE, 10, 10, 11, 1,
          sr_nn_matrix (t, 0, 11), sr_nn_matrix (t, 500, 10), 0,
          C, &error), &error, "matrix B");
  /* C beyond its buffer. */
  expect_error (sr_nn_gemm (q, FALSE, FALSE, 10, 10, 10, 1, A, A, 0,
          sr_nn_matrix (u, 901, 10), &error), &error, "buffer holds 1000");
  /* C over A in one buffer. */
  expect_error (sr_nn_gemm (q, FALSE, FALSE, 10, 10, 10, 1, A,
          sr_nn_matrix (u, 0, 10), 0, sr_nn_matrix (t, 50, 10),
          &error), &error, "overlaps A");
  expect_error (sr_nn_gemm (q, FALSE, FALSE, 10, 10, 10, 1, A,
          sr_nn_matrix (u, 0, 10), 0, sr_nn_matrix (u, 99, 10),
          &error), &error, "overlaps B");
  /* No buffer. */
  expect_error (sr_nn_gemm (q, FALSE, FALSE, 10, 10, 10, 1, A,
          sr_nn_matrix (NULL, 0, 10), 0, C, &error), &error, "no buffer");
  /* Batched: C matrices overlapping each other, a zero batch. */
  expect_error (sr_nn_gemm_batched (q, FALSE, FALSE, 4, 4, 4, 1, A, 16, A, 16,
          0, sr_nn_matrix (u, 0, 4), 8, 3, &error), &error, "overlap");
  expect_error (sr_nn_gemm_batched (q, FALSE, FALSE, 4, 4, 4, 1, A, 16, A, 16,
          0, C, 16, 0, &error), &error, "batch 0");

  g_assert_cmpstr (sr_nn_gemm_status_name (-1017), ==,
      "CLBlastInvalidDimension");
  g_assert_cmpstr (sr_nn_gemm_status_name (-11), ==,
      "CLBlastOpenCLBuildProgramFailure");
  g_assert_cmpstr (sr_nn_gemm_status_name (12345), ==, "unknown");
  clReleaseMemObject (t);
  clReleaseMemObject (u);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    char *path = g_strdup_printf ("/nn/gemm/%s", cases[i].name);
    g_test_add_data_func (path, &cases[i], test_case);
    g_free (path);
  }
  g_test_add_func ("/nn/gemm/errors", test_errors);
  return g_test_run ();
}
