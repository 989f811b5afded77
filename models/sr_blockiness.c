/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_blockiness.h"

#include <math.h>

#define N 8

/* Usable blocks along a side of s pixels (calc_margin): at least 4 spare
 * pixels are left, so that the grid shifted by 4 fits. */
static int
blocks_along (int s)
{
  const int r = s % N;
  return (s - (r >= 4 ? r : r + N)) / N;
}

/* The orthonormal DCT-II of the nh x nw blocks of gray starting at (o, o):
 * coef[((p * nw + q) * 8 + u) * 8 + v]. */
static void
block_dcts (const guint8 *gray, int stride, int o, int nh, int nw,
    const double phi[N][N], double *coef)
{
  for (int p = 0; p < nh; p++)
    for (int q = 0; q < nw; q++) {
      double rows[N][N];        /* rows[r][v] = sum_c phi[v][c] x[r][c] */
      for (int r = 0; r < N; r++) {
        const guint8 *x = gray + (size_t) (o + p * N + r) * stride + o + q * N;
        for (int v = 0; v < N; v++) {
          double s = 0;
          for (int c = 0; c < N; c++)
            s += phi[v][c] * x[c];
          rows[r][v] = s;
        }
      }
      double *out = coef + (size_t) (p * nw + q) * N * N;
      for (int u = 0; u < N; u++)
        for (int v = 0; v < N; v++) {
          double s = 0;
          for (int r = 0; r < N; r++)
            s += phi[u][r] * rows[r][v];
          out[u * N + v] = s;
        }
    }
}

/* V per coefficient: over the blocks (p, q), p = 2..nh-2, q = 2..nw-2 (as
 * upstream's loops address them), the length of the second differences
 * across the row and the column of blocks. */
static void
block_v (const double *coef, int nh, int nw, double *v)
{
  for (int k = 0; k < N * N; k++) {
    double sum = 0;
    for (int p = 2; p <= nh - 2; p++)
      for (int q = 2; q <= nw - 2; q++) {
#define C(pp, qq) coef[((size_t) (pp) * nw + (qq)) * N * N + k]
        const double a = C (p, q);
        const double dx = C (p, q - 1) + C (p, q + 1) - 2 * a;
        const double dy = C (p - 1, q) + C (p + 1, q) - 2 * a;
#undef C
        sum += sqrt (dx * dx + dy * dy);
      }
    v[k] = sum;
  }
}

gboolean
sr_blockiness (const SrHostFrame *fr, double *value, const char **reason)
{
  const int w = fr->width, h = fr->height;
  const int nh = blocks_along (h), nw = blocks_along (w);
  *value = NAN;
  if (nh < 4 || nw < 4) {
    *reason = "too-small";
    return FALSE;
  }
  /* OpenCV's BGR2GRAY on 8 bits: 15-bit fixed point, rounded. */
  const SrPackedLayout *l = &fr->layout;
  guint8 *gray = g_malloc ((size_t) w * h);
  for (int y = 0; y < h; y++) {
    const guint8 *px = fr->data + (size_t) y * fr->stride;
    for (int x = 0; x < w; x++, px += l->pixel_stride)
      gray[(size_t) y * w + x] = (guint8) ((9798u * px[l->r] + 19235u * px[l->g]
              + 3735u * px[l->b] + 16384u) >> 15);
  }
  double phi[N][N];
  for (int k = 0; k < N; k++)
    for (int n = 0; n < N; n++)
      phi[k][n] = k == 0 ? 1 / sqrt (N)
          : sqrt (2.0 / N) * cos ((k * M_PI / (2 * N)) * (2 * n + 1));
  double *coef = g_new (double, (size_t) nh * nw * N * N);
  double va[N * N], vs[N * N];
  block_dcts (gray, w, 0, nh, nw, phi, coef);
  block_v (coef, nh, nw, va);
  block_dcts (gray, w, 4, nh, nw, phi, coef);
  block_v (coef, nh, nw, vs);
  g_free (coef);
  g_free (gray);
  double sum = 0;
  for (int k = 0; k < N * N; k++) {
    if (va[k] == 0) {
      *reason = "degenerate";
      return FALSE;
    }
    sum += fabs ((vs[k] - va[k]) / va[k]);
  }
  *value = sum;
  *reason = NULL;
  return TRUE;
}
