/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Helpers of the network op tests: tensors with a host copy, and the check
 * that an op wrote its view and nothing else.
 *
 * Each op test runs twice (tests/kernels/nn/meson.build): with float32
 * tensors, and with --storage=f16 with half ones (precision=fp16) and the
 * op made for them. The host copies then hold the half-rounded values the
 * device reads, and nn_t_check allows for the op's one rounding of its
 * float32 result to half: |want| 2^-11 + 2^-25 on top of the test's own
 * tolerance. */
#pragma once

#include "sr_nn.h"
#include "sr_test_util.h"

#include <string.h>

/* The storage of the tensors under test (nn_test_init). */
static SrDType nn_test_storage = SR_DTYPE_F32;

/* sr_test_init, after taking --storage=f16 off the arguments. */
static inline void
nn_test_init (int *argc, char ***argv)
{
  int kept = 1;
  for (int i = 1; i < *argc; i++) {
    if (!strcmp ((*argv)[i], "--storage=f16"))
      nn_test_storage = SR_DTYPE_F16;
    else
      (*argv)[kept++] = (*argv)[i];
  }
  *argc = kept;
  (*argv)[kept] = NULL;
  sr_test_init (argc, argv);
}

/* The storage the op under test refuses. */
static inline SrDType
nn_test_other_storage (void)
{
  return nn_test_storage == SR_DTYPE_F16 ? SR_DTYPE_F32 : SR_DTYPE_F16;
}

/* A [1,c,h,w] tensor of the host values (rounded in place to the test's
 * storage first). */
static inline SrTensor *
nn_upload (float *host, int c, int h, int w)
{
  if (nn_test_storage == SR_DTYPE_F16)
    sr_test_round_to_half (host, (size_t) c * h * w);
  return sr_test_upload_as (host, 1, c, h, w, nn_test_storage);
}

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
  t.t = nn_upload (t.host, c, h, w);
  return t;
}

/* Writes the host copy to the tensor again. */
static inline void
nn_t_restore (NnT *t)
{
  SrTensor *fresh = sr_test_upload_as (t->host, 1, t->c, t->h, t->w,
      nn_test_storage);
  g_assert_cmpint (clEnqueueCopyBuffer (sr_test_queue (), fresh->mem,
          t->t->mem, 0, 0, fresh->bytes, 0, NULL, NULL), ==, CL_SUCCESS);
  g_assert_cmpint (clFinish (sr_test_queue ()), ==, CL_SUCCESS);
  sr_tensor_unref (fresh);
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
        const double lim = nn_test_storage == SR_DTYPE_F16
            ? tol + fabs (w[i]) * ldexp (1, -11) + ldexp (1, -25) : tol;
        if (!(d <= lim))
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
