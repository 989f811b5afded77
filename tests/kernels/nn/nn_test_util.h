/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the network op tests: tensors with a host copy, and the check
 * that an op wrote its view and nothing else. */
#pragma once

#include "sr_nn.h"
#include "sr_test_util.h"

#include <string.h>

typedef struct {
  SrTensor *t;
  float *host;                  /* what was uploaded */
  int c, h, w;
} NnT;

/* A [1,c,h,w] tensor of uniform values in [-1, 1). */
static inline NnT
nn_t_random (int c, int h, int w, guint32 seed)
{
  NnT t = { NULL, g_new (float, (size_t) c * h * w), c, h, w };
  sr_test_fill_uniform (t.host, (size_t) c * h * w, seed, -1, 1);
  t.t = sr_test_upload (t.host, 1, c, h, w);
  return t;
}

static inline void
nn_t_free (NnT *t)
{
  sr_tensor_unref (t->t);
  g_free (t->host);
}

static inline const float *
nn_t_plane (const NnT *t, int ch)
{
  return t->host + (size_t) ch * t->h * t->w;
}

/* Downloads t; channels [c0, c0 + c) must equal want (c planes) within
 * tol, every other channel must still hold what was uploaded, bit for bit.
 * Returns the largest difference inside the view. */
static inline double
nn_t_check (const NnT *t, int c0, int c, const float *want, double tol)
{
  float *got = sr_test_download (t->t);
  const size_t plane = (size_t) t->h * t->w;
  double worst = 0;
  for (int ch = 0; ch < t->c; ch++) {
    const float *g = got + ch * plane;
    if (ch >= c0 && ch < c0 + c) {
      const float *w = want + (ch - c0) * plane;
      for (size_t i = 0; i < plane; i++) {
        const double d = fabs ((double) g[i] - w[i]);
        if (!(d <= tol))
          g_error ("channel %d element %zu (y %zu, x %zu): got %.9g, want %.9g",
              ch, i, i / t->w, i % t->w, g[i], w[i]);
        worst = MAX (worst, d);
      }
    } else if (memcmp (g, nn_t_plane (t, ch), plane * sizeof (float)) != 0) {
      g_error ("channel %d outside the view [%d, %d) was written", ch, c0,
          c0 + c);
    }
  }
  g_free (got);
  return worst;
}

/* The tensor is exactly as uploaded (after a refused call). */
static inline void
nn_t_check_untouched (const NnT *t)
{
  nn_t_check (t, 0, 0, NULL, 0);
}
