/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* nn conv2d op vs a plain-C double-precision reference written from
 * PyTorch's Conv2d definition (cross-correlation over zero-padded input,
 * out[oc][oy][ox] = b[oc] + sum w[oc][ic][ky][kx] * in[ic][oy*sh-pt+ky]
 * [ox*sw-pl+kx]), then the activation, then res_scale * y + skip_scale *
 * skip. Every case runs on each strategy that covers it (the GEMM one
 * covers all), the direct one also with several register blockings.
 *
 * Tolerance, per output: |got - ref| <= 1e-6 + 2 eps sqrt(K) A, where
 * eps = FLT_EPSILON, K = cin*kh*kw products summed in float32 and A = |b| +
 * sum |w x| (the magnitude of what is summed, times the residual scale when
 * there is one, plus |skip_scale * skip|). Rounding errors of a K-term
 * float32 sum grow like sqrt(K) eps A on random data (the worst case is
 * K eps A); a factor 2 is about 10x the largest error seen over all cases.
 * With weights scaled by 1/sqrt(K) and inputs in [-1, 1) a single wrong
 * tap, weight or channel is off by ~0.1/sqrt(K), 30-100x that bound.
 *
 * The Winograd strategy (F(4x4, 3x3)) sums the same products through
 * transforms: y = A^T [sum over ic of (G g G^T) .* (B^T d B)] A + b. The
 * rounding errors of the GEMM sums and of the transforms enter before the
 * output transform A^T . A, which scales independent errors by the root
 * sum of squares of A^T's rows (f = sqrt 5, 10, 34, 131 for the output's
 * row i and column j in its tile). Its tolerance is the direct one times
 * f[i] f[j] / 4: from 1.25x at (0, 0) to 33x at (3, 3). The largest error
 * seen over all cases is 13 % of it (about the margin of the direct bound);
 * without the / 4 it would be 3 %. A wrong weight, input or transform
 * element spoils all 16 places of a tile, so the places with small f still
 * catch it.
 *
 * The blocked strategy (NCHW16c views) runs every case whose channels and
 * views allow it in each layout it may read and write: the test converts
 * the tensors to and from that layout on the host (tensor-wide, so the
 * channels outside a view are checked as well) and compares with the same
 * NCHW reference and tolerance; and once more with its input in two
 * parts, as it reads a concat whose first part lies elsewhere.
 *
 * Half storage (precision=fp16): each strategy's default blocking runs
 * every case with input, output and skip stored as half. The reference
 * takes the half-rounded input and skip; the kernels compute in float32
 * and round once on the way out, so the tolerance is the float32 one plus
 * that rounding: |ref| 2^-11 + 2^-25 (half an ulp of a half, relative, and
 * of its subnormals). A missed rounding or a float read of half data is
 * off by far more. */
#include <float.h>
#include <string.h>

#include "sr_nn_conv2d.h"
#include "sr_nn_conv2d_blocked.h"
#include "sr_nn_winograd.h"
#include "sr_test_util.h"

typedef enum { SKIP_NONE, SKIP_OTHER, SKIP_INPLACE } SkipMode;

typedef struct {
  const char *name;
  int cin, cout, h, w, kh, kw, sh, sw, pt, pb, pl, pr;
  SrActKind act;
  gboolean bias;
  SkipMode skip;
  float res_scale, skip_scale;
  /* Channel views: the input at in_c0 of an in_ct-channel tensor, the
   * output at out_c0 of an out_ct-channel tensor (0: exact sizes). */
  int in_ct, in_c0, out_ct, out_c0;
} Case;

/* No residual, whole tensors. */
#define PLAIN SKIP_NONE, 0, 0, 0, 0, 0, 0

static const Case cases[] = {
  {"k1", 27, 12, 37, 23, 1, 1, 1, 1, 0, 0, 0, 0, SR_ACT_RELU, TRUE, PLAIN},
  {"k1-pad", 5, 4, 9, 11, 1, 1, 1, 1, 1, 0, 2, 1, SR_ACT_LEAKY_RELU, TRUE,
      PLAIN},
  {"k3-64-64", 64, 64, 37, 23, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_NONE, TRUE,
      PLAIN},
  {"k3-64-64-large", 64, 64, 67, 131, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_RELU,
      TRUE, SKIP_OTHER, 1.0f, 1.0f, 80, 9, 0, 0},
  {"k3-asym-leaky", 5, 68, 37, 23, 3, 3, 1, 1, 0, 1, 1, 0,
      SR_ACT_LEAKY_RELU, TRUE, PLAIN},
  {"k3-pad2-asym", 12, 27, 23, 37, 3, 3, 1, 1, 2, 0, 0, 2, SR_ACT_CLAMP,
      FALSE, PLAIN},
  {"k3-tiny", 4, 5, 3, 2, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_PRELU, TRUE, PLAIN},
  {"k3-s2-prelu", 12, 27, 37, 23, 3, 3, 2, 2, 1, 1, 1, 1, SR_ACT_PRELU, TRUE,
      PLAIN},
  {"k3-s4", 3, 3, 37, 23, 3, 3, 4, 4, 1, 1, 1, 1, SR_ACT_NONE, TRUE, PLAIN},
  {"k3-64-3-clamp", 64, 3, 23, 37, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_CLAMP,
      TRUE, PLAIN},
  {"k4-s2", 3, 64, 37, 23, 4, 4, 2, 2, 1, 1, 1, 1, SR_ACT_CLAMP, TRUE, PLAIN},
  {"k4-s1-asym", 4, 12, 37, 23, 4, 4, 1, 1, 1, 2, 2, 1, SR_ACT_RELU, TRUE,
      PLAIN},
  {"k4-s4", 4, 5, 37, 23, 4, 4, 4, 4, 0, 0, 0, 0, SR_ACT_RELU, FALSE, PLAIN},
  {"k5-residual", 5, 12, 37, 23, 5, 5, 1, 1, 2, 2, 2, 2, SR_ACT_PRELU, TRUE,
      SKIP_OTHER, 0.2f, 1.0f, 0, 0, 0, 0},
  {"k5x3-s2x1", 12, 5, 37, 23, 5, 3, 2, 1, 2, 1, 1, 1, SR_ACT_LEAKY_RELU,
      TRUE, PLAIN},
  {"k11-s4", 3, 64, 37, 45, 11, 11, 4, 4, 2, 2, 2, 2, SR_ACT_RELU, TRUE, PLAIN},
  {"k3-s1x2", 27, 12, 37, 23, 3, 3, 1, 2, 1, 1, 0, 1, SR_ACT_NONE, TRUE, PLAIN},
  {"k3-inplace-views", 64, 64, 37, 23, 3, 3, 1, 1, 1, 1, 1, 1,
      SR_ACT_LEAKY_RELU, TRUE, SKIP_INPLACE, 0.2f, 1.0f, 72, 5, 0, 0},
  {"k3-into-64-68", 27, 4, 23, 37, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_RELU, TRUE,
      SKIP_NONE, 1.0f, 1.0f, 0, 0, 72, 64},
  {"k3-into-64-68-inplace", 27, 4, 23, 37, 3, 3, 1, 1, 1, 1, 1, 1,
      SR_ACT_NONE, TRUE, SKIP_INPLACE, 1.0f, 1.0f, 32, 3, 72, 64},
  {"k1-64-68", 64, 68, 23, 37, 1, 1, 1, 1, 0, 0, 0, 0, SR_ACT_NONE, TRUE,
      SKIP_OTHER, 0.2f, 1.0f, 0, 0, 0, 0},
  {"k3-other-skip", 64, 27, 17, 19, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_PRELU,
      FALSE, SKIP_OTHER, 1.0f, 1.0f, 0, 0, 0, 0},
  /* 1x1 on views (the GEMM strategy reads the input view as its matrix)
   * with an in-place residual; 1x1 strided (im2col). */
  {"k1-inplace-views", 64, 64, 23, 37, 1, 1, 1, 1, 0, 0, 0, 0, SR_ACT_PRELU,
      TRUE, SKIP_INPLACE, 0.2f, 1.0f, 80, 9, 72, 5},
  {"k1-s2", 12, 27, 23, 37, 1, 1, 2, 2, 0, 0, 0, 0, SR_ACT_RELU, TRUE,
      PLAIN},
  /* No bias, no activation, no residual: the GEMM strategy's result is the
   * output, with no epilogue. */
  {"k3-bare-into-views", 12, 7, 23, 37, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_NONE,
      FALSE, SKIP_NONE, 1.0f, 1.0f, 20, 3, 16, 5},
  {"k1-bare-views", 33, 17, 19, 29, 1, 1, 1, 1, 0, 0, 0, 0, SR_ACT_NONE,
      FALSE, SKIP_NONE, 1.0f, 1.0f, 40, 7, 20, 2},
  /* 6400 x 512 floats of im2col per output row: the GEMM strategy's 64 MiB
   * scratch takes it in three bands of four rows. */
  {"k5-wide-bands", 256, 4, 12, 512, 5, 5, 1, 1, 2, 2, 2, 2,
      SR_ACT_LEAKY_RELU, TRUE, SKIP_INPLACE, 0.2f, 1.0f, 0, 0, 0, 0},
  /* Shapes for the Winograd tiles: sizes not multiples of 4, tiny frames,
   * paddings 0..2 on every side, odd channel counts, views. */
  {"w-1x1", 3, 17, 1, 1, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_RELU, TRUE, PLAIN},
  {"w-2x3", 5, 16, 2, 3, 3, 3, 1, 1, 2, 0, 1, 1, SR_ACT_PRELU, TRUE, PLAIN},
  {"w-pad0", 5, 33, 7, 9, 3, 3, 1, 1, 0, 0, 0, 0, SR_ACT_NONE, TRUE, PLAIN},
  {"w-pad2", 7, 20, 9, 14, 3, 3, 1, 1, 2, 2, 2, 2, SR_ACT_CLAMP, TRUE, PLAIN},
  {"w-pad-021", 5, 16, 13, 50, 3, 3, 1, 1, 0, 2, 2, 1, SR_ACT_LEAKY_RELU,
      TRUE, PLAIN},
  {"w-pad-210", 6, 48, 30, 41, 3, 3, 1, 1, 2, 1, 1, 0, SR_ACT_RELU, FALSE,
      PLAIN},
  {"w-pad-102", 3, 64, 21, 67, 3, 3, 1, 1, 1, 0, 0, 2, SR_ACT_NONE, TRUE,
      PLAIN},
  {"w-cin67-odd", 67, 37, 29, 83, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_PRELU, TRUE,
      SKIP_OTHER, 0.2f, 1.0f, 70, 2, 0, 0},
  {"w-inplace-views", 35, 32, 19, 45, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_RELU,
      TRUE, SKIP_INPLACE, 0.2f, 1.0f, 40, 3, 96, 33},
  {"w-192-64", 192, 64, 11, 26, 3, 3, 1, 1, 1, 1, 1, 1, SR_ACT_LEAKY_RELU,
      TRUE, SKIP_INPLACE, 1.0f, 1.0f, 200, 7, 64, 0},
  /* Channel-blocked views at multiples of 16 channels: RDN's dense concat
   * and its 1x1 fusion with the residual, an in-place 3x3, 5x5 and a
   * strided one. */
  {"b-k1-128-64-views", 128, 64, 23, 37, 1, 1, 1, 1, 0, 0, 0, 0, SR_ACT_NONE,
      TRUE, SKIP_OTHER, 1.0f, 1.0f, 160, 16, 96, 32},
  {"b-k3-inplace-views", 32, 64, 19, 45, 3, 3, 1, 1, 1, 1, 1, 1,
      SR_ACT_LEAKY_RELU, TRUE, SKIP_INPLACE, 0.2f, 1.0f, 64, 32, 128, 64},
  {"b-k5-prelu", 64, 64, 17, 29, 5, 5, 1, 1, 2, 2, 2, 2, SR_ACT_PRELU, TRUE,
      PLAIN},
  {"b-k3-s2", 32, 16, 37, 23, 3, 3, 2, 2, 1, 1, 1, 1, SR_ACT_RELU, TRUE,
      PLAIN},
};

typedef struct {
  const Case *c;
  SrNnConv2dStrategy strategy;
  int ocb, px;
  gboolean in_blocked, out_blocked;
  gboolean split;               /* the input in two views (concat parts) */
  SrDType storage;              /* of input, output and skip */
} Run;

/* A tensor of c channels uploaded in the run's layout and storage (the
 * host values rounded to it first, so that the reference sees what the
 * device reads). */
static SrTensor *
upload_as (float *nchw, int c, int h, int w, gboolean blocked,
    SrDType storage)
{
  if (storage == SR_DTYPE_F16)
    sr_test_round_to_half (nchw, (size_t) c * h * w);
  if (!blocked)
    return sr_test_upload_as (nchw, 1, c, h, w, storage);
  float *b = g_new (float, (size_t) c * h * w);
  sr_nn_to_blocked (nchw, b, c, h, w);
  SrTensor *t = sr_test_upload_as (b, 1, c, h, w, storage);
  g_free (b);
  return t;
}

static double
act_ref (const Case *c, const SrAct *a, const float *slope, int oc, double x)
{
  switch (c->act) {
    case SR_ACT_RELU:
      return x < 0 ? 0 : x;
    case SR_ACT_LEAKY_RELU:
      return x < 0 ? a->alpha * x : x;
    case SR_ACT_PRELU:
      return x < 0 ? slope[oc] * x : x;
    case SR_ACT_CLAMP:
      return x < a->lo ? a->lo : x > a->hi ? a->hi : x;
    default:
      return x;
  }
}

/* ref, tol: [cout][oh][ow]; in: the input view's channels; skip: its
 * channels or NULL. */
static void
reference (const Case *c, const SrAct *a, const float *in, const float *w,
    const float *b, const float *slope, const float *skip, int oh, int ow,
    double *ref, double *tol)
{
  const int K = c->cin * c->kh * c->kw;
  for (int oc = 0; oc < c->cout; oc++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++) {
        double acc = b ? b[oc] : 0, mag = b ? fabs (b[oc]) : 0;
        for (int ic = 0; ic < c->cin; ic++)
          for (int ky = 0; ky < c->kh; ky++) {
            const int iy = oy * c->sh - c->pt + ky;
            if (iy < 0 || iy >= c->h)
              continue;
            for (int kx = 0; kx < c->kw; kx++) {
              const int ix = ox * c->sw - c->pl + kx;
              if (ix < 0 || ix >= c->w)
                continue;
              const double t = (double) w[((oc * c->cin + ic) * c->kh + ky)
                  * c->kw + kx] * in[(ic * c->h + iy) * c->w + ix];
              acc += t;
              mag += fabs (t);
            }
          }
        double y = act_ref (c, a, slope, oc, acc);
        const size_t o = ((size_t) oc * oh + oy) * ow + ox;
        if (skip) {
          y = c->res_scale * y + c->skip_scale * (double) skip[o];
          mag = mag * fabs (c->res_scale) + fabs (c->skip_scale * skip[o]);
        }
        ref[o] = y;
        tol[o] = 1e-6 + 2 * FLT_EPSILON * sqrt (K) * mag;
      }
}

/* tol for the Winograd strategy (see the top): the direct tolerance times
 * f[i] f[j] / 4 at the output's place (i, j) in its 4x4 tile. */
static void
winograd_tolerance (int cout, int oh, int ow, double *tol)
{
  /* Root sum of squares of the rows of A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0;
   * 0 1 1 4 4 0; 0 1 -1 8 -8 1]. */
  const double f[4] = { sqrt (5), sqrt (10), sqrt (34), sqrt (131) };
  for (int oc = 0; oc < cout; oc++)
    for (int oy = 0; oy < oh; oy++)
      for (int ox = 0; ox < ow; ox++)
        tol[((size_t) oc * oh + oy) * ow + ox] *= f[oy % 4] * f[ox % 4] / 4;
}

static void
test_case (gconstpointer data)
{
  const Run *r = data;
  const Case *c = r->c;
  SrRuntime *rt = sr_test_runtime ();
  cl_command_queue q = sr_test_queue ();
  SrNnConv2dParams p = {
    .cin = c->cin, .cout = c->cout, .kh = c->kh, .kw = c->kw,
    .stride_h = c->sh, .stride_w = c->sw, .pad_top = c->pt,
    .pad_bottom = c->pb, .pad_left = c->pl, .pad_right = c->pr,
    .act = { c->act, 0.2f, -0.3f, 0.4f },
    .res_scale = c->res_scale, .skip_scale = c->skip_scale,
    .in_blocked = r->in_blocked, .out_blocked = r->out_blocked,
    .storage = r->storage,
  };
  int oh, ow;
  sr_nn_conv2d_out_size (&p, c->h, c->w, &oh, &ow);
  g_assert_cmpint (oh, >, 0);
  g_assert_cmpint (ow, >, 0);

  const int K = c->cin * c->kh * c->kw;
  const size_t nw = (size_t) c->cout * K;
  float *w = g_new (float, nw), *b = g_new (float, c->cout);
  float *slope = g_new (float, c->cout);
  const float ws = 1.0f / sqrtf ((float) K);
  sr_test_fill_uniform (w, nw, 1, -ws, ws);
  sr_test_fill_uniform (b, c->cout, 2, -0.1f, 0.1f);
  sr_test_fill_uniform (slope, c->cout, 3, -0.5f, 0.5f);

  GError *error = NULL;
  SrNnConv2d *op = sr_nn_conv2d_new_with (rt, &p, w, c->bias ? b : NULL,
      c->act == SR_ACT_PRELU ? slope : NULL, r->strategy, r->ocb, r->px,
      &error);
  g_assert_no_error (error);
  int ocb, px;
  const SrNnConv2dStrategy s = sr_nn_conv2d_strategy (op, &ocb, &px);
  if (r->strategy != SR_NN_CONV2D_AUTO)
    g_assert_cmpint (s, ==, r->strategy);
  g_test_message ("%s, blocking %d channels x %d pixels",
      sr_nn_conv2d_strategy_name (s), ocb, px);

  /* Input tensor: the view's channels and the others, all random. */
  const int in_ct = c->in_ct ? c->in_ct : c->cin;
  const size_t in_plane = (size_t) c->h * c->w;
  float *in_all = g_new (float, in_ct * in_plane);
  sr_test_fill_uniform (in_all, in_ct * in_plane, 4, -1, 1);
  SrTensor *tin = upload_as (in_all, in_ct, c->h, c->w, r->in_blocked,
      r->storage);
  const float *in = in_all + c->in_c0 * in_plane;

  /* Output tensor, filled beforehand: channels outside the view must keep
   * these values; inside an in-place residual they are the skip. */
  const int out_ct = c->out_ct ? c->out_ct : c->cout;
  const size_t out_plane = (size_t) oh * ow, nout = out_ct * out_plane;
  float *before = g_new (float, nout);
  sr_test_fill_uniform (before, nout, 5, -1, 1);
  SrTensor *tout = upload_as (before, out_ct, oh, ow, r->out_blocked,
      r->storage);
  SrView vout = sr_view_channels (tout, c->out_c0, c->cout);

  SrTensor *tskip = NULL;
  SrView vskip;
  const float *skip = NULL;
  float *skip_all = NULL;
  if (c->skip == SKIP_INPLACE) {
    vskip = vout;
    skip = before + c->out_c0 * out_plane;
  } else if (c->skip == SKIP_OTHER) {
    /* A view at channel 2 of a larger tensor (16 of a blocked one). */
    const int s0 = r->out_blocked ? 16 : 2, sc = c->cout + 2 * s0;
    skip_all = g_new (float, sc * out_plane);
    sr_test_fill_uniform (skip_all, sc * out_plane, 6, -1, 1);
    tskip = upload_as (skip_all, sc, oh, ow, r->out_blocked, r->storage);
    vskip = sr_view_channels (tskip, s0, c->cout);
    skip = skip_all + s0 * out_plane;
  }

  SrTensor *ttail = NULL;
  if (r->split) {
    /* Channels [0, s) where they are, [s, cin) from another tensor, at
     * channel 16 of it (s: a multiple of 16 for a blocked input). */
    g_assert_true (sr_nn_conv2d_reads_split (op));
    const int sc = r->in_blocked ? 16 * MAX (1, c->cin / 32) : c->cin / 2;
    const int tc = c->cin - sc + 32;
    float *tail = g_new (float, tc * in_plane);
    sr_test_fill_uniform (tail, tc * in_plane, 8, -1, 1);
    memcpy (tail + 16 * in_plane, in + sc * in_plane,
        (c->cin - sc) * in_plane * sizeof (float));
    ttail = upload_as (tail, tc, c->h, c->w, r->in_blocked, r->storage);
    g_free (tail);
    g_assert_cmpint (sr_nn_conv2d_run_split (op, q, sr_view_channels (tin,
                c->in_c0, sc), sr_view_channels (ttail, 16, c->cin - sc), vout,
            skip ? &vskip : NULL), ==, SR_OK);
  } else {
    g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view_channels (tin,
                c->in_c0, c->cin), vout, skip ? &vskip : NULL), ==, SR_OK);
  }
  float *got = sr_test_download (tout);
  if (r->out_blocked) {
    float *b = got;
    got = g_new (float, nout);
    sr_nn_from_blocked (b, got, out_ct, oh, ow);
    g_free (b);
  }

  double *ref = g_new (double, c->cout * out_plane);
  double *tol = g_new (double, c->cout * out_plane);
  reference (c, &p.act, in, w, c->bias ? b : NULL, slope, skip, oh, ow, ref,
      tol);
  if (r->strategy == SR_NN_CONV2D_WINOGRAD)
    winograd_tolerance (c->cout, oh, ow, tol);
  if (r->storage == SR_DTYPE_F16)
    for (size_t j = 0; j < c->cout * out_plane; j++)
      tol[j] += fabs (ref[j]) * ldexp (1, -11) + ldexp (1, -25);
  double worst = 0, maxerr = 0;
  for (int ch = 0; ch < out_ct; ch++)
    for (size_t i = 0; i < out_plane; i++) {
      const size_t o = ch * out_plane + i;
      if (ch < c->out_c0 || ch >= c->out_c0 + c->cout) {
        if (memcmp (&got[o], &before[o], sizeof (float)))
          g_error ("channel %d outside the output view changed at %zu: "
              "%g -> %g", ch, i, before[o], got[o]);
        continue;
      }
      const size_t j = (ch - c->out_c0) * out_plane + i;
      const double err = fabs (got[o] - ref[j]);
      if (!(err <= tol[j]))
        g_error ("%s: channel %d pixel (%zu, %zu): got %.9g, reference "
            "%.9g (error %.3g > tolerance %.3g)", c->name, ch - c->out_c0,
            i / ow, i % ow, got[o], ref[j], err, tol[j]);
      maxerr = MAX (maxerr, err);
      worst = MAX (worst, err / tol[j]);
    }
  g_test_message ("%dx%d -> %dx%d, max |error| %.3g, at most %.3f of the "
      "tolerance", c->h, c->w, oh, ow, maxerr, worst);

  sr_nn_conv2d_free (op);
  sr_tensor_unref (tin);
  sr_tensor_unref (tout);
  sr_tensor_unref (tskip);
  sr_tensor_unref (ttail);
  g_free (w);
  g_free (b);
  g_free (slope);
  g_free (in_all);
  g_free (before);
  g_free (skip_all);
  g_free (got);
  g_free (ref);
  g_free (tol);
}

/* Strategy choice and argument checks. */
static void
test_choice_and_errors (void)
{
  SrRuntime *rt = sr_test_runtime ();
  cl_command_queue q = sr_test_queue ();
  SrNnConv2dParams p = {
    .cin = 16, .cout = 16, .kh = 3, .kw = 3, .stride_h = 1, .stride_w = 1,
    .pad_top = 1, .pad_bottom = 1, .pad_left = 1, .pad_right = 1,
  };
  float *w = g_new0 (float, 16 * 16 * 3 * 7);
  GError *error = NULL;

  /* 7x7 has no direct kernel: a pinned direct one is refused. */
  p.kw = 7;
  const char *pin = g_getenv ("SR_NN_CONV2D");
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_DIRECT, 0, 0, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.kw = 3;

  /* SR_NN_CONV2D=gemm pins the GEMM strategy, which has no blocking. */
  char *saved = g_strdup (pin);
  g_setenv ("SR_NN_CONV2D", "gemm", TRUE);
  SrNnConv2d *op = sr_nn_conv2d_new (rt, &p, w, NULL, NULL, &error);
  g_assert_no_error (error);
  int ocb = -1, px = -1;
  g_assert_cmpint (sr_nn_conv2d_strategy (op, &ocb, &px), ==,
      SR_NN_CONV2D_GEMM);
  g_assert_cmpint (ocb, ==, 0);
  g_assert_cmpint (px, ==, 0);
  sr_nn_conv2d_free (op);
  if (saved)
    g_setenv ("SR_NN_CONV2D", saved, TRUE);
  else
    g_unsetenv ("SR_NN_CONV2D");
  g_free (saved);
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_GEMM, 16, 4, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  /* Half storage: not through GEMM (CLBlast's half GEMM computes in
   * half), nor an unknown storage type. */
  p.storage = SR_DTYPE_F16;
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_GEMM, 0, 0, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.storage = SR_DTYPE_U8;
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_DIRECT, 0, 0, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.storage = SR_DTYPE_F32;
  /* Winograd: a stride it does not cover, a padding of 3, an unsupported
   * blocking. */
  p.stride_w = 2;
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_WINOGRAD, 0, 0, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.stride_w = 1;
  p.pad_left = 3;
  g_assert_false (sr_nn_winograd_covers (&p));
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_WINOGRAD, 0, 0, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.pad_left = 1;
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_WINOGRAD, 24, 4, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_WINOGRAD, 16, 7, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  SrNnConv2d *wop = sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
      SR_NN_CONV2D_WINOGRAD, 0, 0, &error);
  g_assert_no_error (error);
  int wocb, wpx;
  g_assert_cmpint (sr_nn_conv2d_strategy (wop, &wocb, &wpx), ==,
      SR_NN_CONV2D_WINOGRAD);
  int first[8][2];
  g_assert_cmpint (sr_nn_winograd_blockings (&p, first, 8), >, 0);
  g_assert_cmpint (wocb, ==, first[0][0]);
  g_assert_cmpint (wpx, ==, first[0][1]);
  sr_nn_conv2d_free (wop);

  /* An unsupported blocking, PReLU without slopes, a zero stride. */
  g_assert_null (sr_nn_conv2d_new_with (rt, &p, w, NULL, NULL,
          SR_NN_CONV2D_DIRECT, 12, 4, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.act.kind = SR_ACT_PRELU;
  g_assert_null (sr_nn_conv2d_new (rt, &p, w, NULL, NULL, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.act.kind = SR_ACT_NONE;
  p.stride_h = 0;
  g_assert_null (sr_nn_conv2d_new (rt, &p, w, NULL, NULL, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  p.stride_h = 1;

  op = sr_nn_conv2d_new (rt, &p, w, NULL, NULL, &error);
  g_assert_no_error (error);
  SrTensor *a = sr_tensor_new (rt, 1, 32, 8, 8, SR_DTYPE_F32, &error);
  SrTensor *b = sr_tensor_new (rt, 1, 16, 8, 8, SR_DTYPE_F32, &error);
  SrTensor *small = sr_tensor_new (rt, 1, 16, 7, 8, SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  /* Wrong channel count, output overlapping the input, wrong output size,
   * a skip partly overlapping the output. */
  g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view (a), sr_view (b), NULL),
      ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view_channels (a, 0, 16),
          sr_view_channels (a, 8, 16), NULL), ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view (b), sr_view (small),
          NULL), ==, SR_ERR_INVALID_ARGUMENT);
  SrView skip = sr_view_channels (a, 8, 16);
  g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view (b),
          sr_view_channels (a, 0, 16), &skip), ==, SR_ERR_INVALID_ARGUMENT);
  /* The same views side by side are fine. */
  g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view_channels (a, 0, 16),
          sr_view_channels (a, 16, 16), NULL), ==, SR_OK);
  /* Half tensors for a float32 layer: refused, in any place. */
  SrTensor *h = sr_tensor_new (rt, 1, 16, 8, 8, SR_DTYPE_F16, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view (h), sr_view (b), NULL),
      ==, SR_ERR_INVALID_ARGUMENT);
  g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view (b), sr_view (h), NULL),
      ==, SR_ERR_INVALID_ARGUMENT);
  SrView hskip = sr_view (h);
  g_assert_cmpint (sr_nn_conv2d_run (op, q, sr_view_channels (a, 0, 16),
          sr_view (b), &hskip), ==, SR_ERR_INVALID_ARGUMENT);
  clFinish (q);
  sr_nn_conv2d_free (op);
  sr_tensor_unref (a);
  sr_tensor_unref (b);
  sr_tensor_unref (h);
  sr_tensor_unref (small);
  g_free (w);
}

static const Case *
find_case (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    if (!strcmp (cases[i].name, name))
      return &cases[i];
  g_error ("no case %s", name);
}

/* Adds the run unless it is there already (the lists below overlap). */
static void
add_run (const Case *c, SrNnConv2dStrategy s, int ocb, int px,
    gboolean in_blocked, gboolean out_blocked, gboolean split,
    SrDType storage)
{
  static GHashTable *added;
  if (!added)
    added = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Run *r = g_new (Run, 1);
  r->c = c;
  r->strategy = s;
  r->ocb = ocb;
  r->px = px;
  r->in_blocked = in_blocked;
  r->out_blocked = out_blocked;
  r->split = split;
  r->storage = storage;
  const char *sname = s == SR_NN_CONV2D_AUTO ? "tuned"
      : sr_nn_conv2d_strategy_name (s);
  const char *layout = s != SR_NN_CONV2D_BLOCKED && !in_blocked
      && !out_blocked ? "" : in_blocked ? (out_blocked ? "-c16>c16"
          : "-c16>nchw") : out_blocked ? "-nchw>c16" : "-nchw>nchw";
  const char *f16 = storage == SR_DTYPE_F16 ? "-f16" : "";
  char *path = ocb
      ? g_strdup_printf ("/nn/conv2d/%s/%s%s-%dx%d%s%s", c->name, sname,
      layout, ocb, px, split ? "-split" : "", f16)
      : g_strdup_printf ("/nn/conv2d/%s/%s%s%s", c->name, sname, layout, f16);
  if (g_hash_table_add (added, path))
    g_test_add_data_func_full (path, r, test_case, g_free);
  else
    g_free (r);
}

static void
add (const Case *c, SrNnConv2dStrategy s, int ocb, int px)
{
  add_run (c, s, ocb, px, FALSE, FALSE, FALSE, SR_DTYPE_F32);
}

/* The blocked strategy on c in each layout its channels and views allow
 * (a blocked tensor holds whole blocks of 16 channels and its views start
 * at one): the default blocking, and all of them when `all`. */
static void
add_blocked (const Case *c, gboolean all)
{
  const int in_ct = c->in_ct ? c->in_ct : c->cin;
  const int out_ct = c->out_ct ? c->out_ct : c->cout;
  const gboolean ib_ok = c->cin % 16 == 0 && in_ct % 16 == 0
      && c->in_c0 % 16 == 0;
  const gboolean ob_ok = c->cout % 16 == 0 && out_ct % 16 == 0
      && c->out_c0 % 16 == 0;
  for (int l = 0; l < 4; l++) {
    const gboolean ib = l & 1, ob = l >> 1;
    if ((ib && !ib_ok) || (ob && !ob_ok))
      continue;
    const SrNnConv2dParams p = {
      .cin = c->cin, .cout = c->cout, .kh = c->kh, .kw = c->kw,
      .stride_h = c->sh, .stride_w = c->sw, .in_blocked = ib,
      .out_blocked = ob,
    };
    int b[16][2];
    const int n = sr_nn_conv2d_blocked_blockings (&p, b, G_N_ELEMENTS (b));
    for (int k = 0; k < (all ? n : MIN (n, 1)); k++)
      add_run (c, SR_NN_CONV2D_BLOCKED, b[k][0], b[k][1], ib, ob, FALSE,
          SR_DTYPE_F32);
    if (all && (ib || ob))
      add_run (c, SR_NN_CONV2D_AUTO, 0, 0, ib, ob, FALSE, SR_DTYPE_F32);
    /* The input in two parts (the default blocking), and half storage
     * (whole and in two parts). */
    if (n > 0)
      add_run (c, SR_NN_CONV2D_BLOCKED, b[0][0], b[0][1], ib, ob, FALSE,
          SR_DTYPE_F16);
    if (n > 0 && c->cin >= (ib ? 32 : 2))
      for (int h = 0; h < 2; h++)
        add_run (c, SR_NN_CONV2D_BLOCKED, b[0][0], b[0][1], ib, ob, TRUE,
            h ? SR_DTYPE_F16 : SR_DTYPE_F32);
  }
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  /* Every case on every candidate the tuner may pick for it, and on the
   * tuner's pick. */
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    const Case *c = &cases[i];
    const SrNnConv2dParams p = {
      .cin = c->cin, .cout = c->cout, .kh = c->kh, .kw = c->kw,
      .stride_h = c->sh, .stride_w = c->sw, .pad_top = c->pt,
      .pad_bottom = c->pb, .pad_left = c->pl, .pad_right = c->pr,
      .act = {.kind = c->act},
    };
    SrNnConv2dChoice cand[32];
    const int n = sr_nn_conv2d_candidates (sr_test_runtime (), &p, cand,
        G_N_ELEMENTS (cand));
    /* Each strategy's default blocking everywhere; all its blockings, and
     * the tuner's pick among them, on the network-like layers (each
     * blocking of each kernel size and stride is a program to compile: all
     * of them everywhere would take minutes on a cold cache). */
    const gboolean all = !strcmp (c->name, "k1")
        || g_str_has_prefix (c->name, "k3-64-");
    for (int k = 0; k < n; k++) {
      const gboolean first = k == 0 || cand[k].strategy != cand[k - 1].strategy;
      if (all || first)
        add (c, cand[k].strategy, cand[k].ocb, cand[k].px);
      /* Half storage: each strategy's default blocking. */
      if (first)
        add_run (c, cand[k].strategy, cand[k].ocb, cand[k].px, FALSE, FALSE,
            FALSE, SR_DTYPE_F16);
    }
    if (all)
      add (c, SR_NN_CONV2D_AUTO, 0, 0);
    /* GEMM is a candidate on GPUs only, and runs everywhere. */
    add (c, SR_NN_CONV2D_GEMM, 0, 0);
    /* The blocked kernel's blockings: all of them on a 3x3 and a 1x1
     * network layer, in each layout pair (a cold cache compiles each). */
    add_blocked (c, !strcmp (c->name, "k3-64-64")
        || !strcmp (c->name, "b-k1-128-64-views"));
  }
  /* Every tile count and channel block the Winograd kernel supports, on
   * odd sizes. */
  static const int wblockings[][2] = { {16, 2}, {16, 3}, {32, 4}, {48, 5},
    {64, 6}
  };
  for (guint i = 0; i < G_N_ELEMENTS (wblockings); i++) {
    static const char *names[] = { "k3-asym-leaky", "w-cin67-odd" };
    for (guint j = 0; j < G_N_ELEMENTS (names); j++)
      add (find_case (names[j]), SR_NN_CONV2D_WINOGRAD, wblockings[i][0],
          wblockings[i][1]);
  }
  /* Other register blockings of the direct kernel on 3x3 layers. */
  static const int blockings[][2] = { {32, 6}, {16, 4}, {8, 8}, {4, 3},
    {48, 4}, {64, 3}
  };
  for (guint i = 0; i < G_N_ELEMENTS (blockings); i++) {
    static const char *names[] = { "k3-64-64", "k3-asym-leaky" };
    for (guint j = 0; j < G_N_ELEMENTS (names); j++)
      add (find_case (names[j]), SR_NN_CONV2D_DIRECT, blockings[i][0],
          blockings[i][1]);
  }
  /* Blockings of the general kernel, on strided and wide kernels too. */
  static const int gblockings[][2] = { {4, 8}, {8, 8}, {16, 4}, {32, 3} };
  for (guint i = 0; i < G_N_ELEMENTS (gblockings); i++) {
    static const char *names[] = { "k3-asym-leaky", "k3-s2-prelu", "k11-s4" };
    for (guint j = 0; j < G_N_ELEMENTS (names); j++)
      add (find_case (names[j]), SR_NN_CONV2D_GENERAL, gblockings[i][0],
          gblockings[i][1]);
  }
  g_test_add_func ("/nn/conv2d/choice-and-errors", test_choice_and_errors);
  return g_test_run ();
}
