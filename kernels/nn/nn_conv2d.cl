/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 2-D convolution on NCHW float32 channel views, with the fused epilogue
 * y = act (conv + bias); out = res_scale * y + skip_scale * skip.
 *
 * Both kernels are register-blocked the same way: a work-item owns OCB
 * output channels x PX consecutive pixels of one output row, and keeps them
 * in PX * OCB/VW vector accumulators (VW lanes = consecutive output
 * channels). Per input channel and tap it loads the OCB weights as vectors
 * once and FMAs one broadcast input scalar per pixel into them: the work
 * per loaded value is what makes a CPU device reach its FMA peak (a scalar
 * per-output kernel runs at about 1 % of it on PoCL).
 *
 * Weights are laid out by the host as [ceil(cout/OCB)][cin][kh][kw][OCB],
 * zero beyond cout; bias and PReLU slopes as [ceil(cout/OCB)*OCB].
 *
 * conv_general: any kernel size and stride, sizes as arguments;
 *   blocking GOCB x GPX (build options, defaults 16 x 4).
 * conv_direct (built instead with -DOCB -DPX -DKH -DKW -DSH -DSW): kernel
 *   size, stride and blocking fixed at build time so that the tap loops
 *   unroll and rows reuse their loads across taps; work-items
 *   whose taps all fall inside the input skip the bounds checks.
 *
 * Launch: global = (round_up (nxb * oh, any), ceil (cout / OCB)) with
 * nxb = ceil (ow / PX); work-item g of dimension 0 is pixel block g % nxb
 * of row g / nxb. */

#include "nn_storage.clh"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

/* SrActKind */
#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_LEAKY 2
#define ACT_PRELU 3
#define ACT_CLAMP 4

/* Applies the activation to accumulator vector a (lanes = channels; s is
 * the PReLU slopes of those channels). */
#define APPLY_ACT(a, s, act, alpha, lo, hi) \
  do { \
    if ((act) == ACT_RELU) \
      (a) = fmax ((a), 0.0f); \
    else if ((act) == ACT_LEAKY) \
      (a) = select ((a), (a) * (alpha), (a) < 0.0f); \
    else if ((act) == ACT_PRELU) \
      (a) = select ((a), (a) * (s), (a) < 0.0f); \
    else if ((act) == ACT_CLAMP) \
      (a) = fmin (fmax ((a), (lo)), (hi)); \
  } while (0)

/* Writes t[p * ocb + c] (pixel p, channel c) to channel oc0 + c, pixel
 * (y, x0 + p) of out, with the residual. The skip value is read before the
 * output is written, so skip may be out itself. */
#define STORE_BLOCK(t, ocb, px) \
  do { \
    const int ohw = oh * ow; \
    const int nc = min ((ocb), cout - oc0); \
    const int np = min ((px), ow - x0); \
    for (int c = 0; c < nc; c++) { \
      const int o = (oc0 + c) * ohw + y * ow + x0; \
      __global act_t *op = out + out_off + o; \
      if (has_skip) { \
        __global const act_t *sp = skip + skip_off + o; \
        if (np == (px)) { \
          _Pragma ("unroll") \
          for (int p = 0; p < (px); p++) \
            ST (res_scale * t[p * (ocb) + c] + skip_scale * LD (sp, p), \
                op, p); \
        } else { \
          for (int p = 0; p < np; p++) \
            ST (res_scale * t[p * (ocb) + c] + skip_scale * LD (sp, p), \
                op, p); \
        } \
      } else if (np == (px)) { \
        _Pragma ("unroll") \
        for (int p = 0; p < (px); p++) \
          ST (t[p * (ocb) + c], op, p); \
      } else { \
        for (int p = 0; p < np; p++) \
          ST (t[p * (ocb) + c], op, p); \
      } \
    } \
  } while (0)

#define EPILOGUE_ARGS \
  __global const float *restrict bias, __global const float *restrict slope, \
  __global act_t *out, const int out_off, const int oh, const int ow, \
  __global const act_t *skip, const int skip_off, const int has_skip, \
  const float res_scale, const float skip_scale, \
  const int act, const float alpha, const float lo, const float hi, \
  const int cin, const int cout, const int nxb

/* ---- general kernel ------------------------------------------------------ */

/* A program holds one kernel: the general one, with -DOCB the direct one,
 * with -DROWVEC the row-vector one (each build compiles only what its op
 * runs). */
#ifndef OCB

#ifndef GOCB
#define GOCB 16
#endif
#ifndef GPX
#define GPX 4
#endif
#if GOCB >= 16
#define GVW 16
#else
#define GVW GOCB
#endif
#define GNV (GOCB / GVW)
typedef CAT (float, GVW) gvec;
#define GLOAD CAT (vload, GVW)
#define GSTORE CAT (vstore, GVW)

__kernel void
conv_general (__global const act_t *restrict in, const int in_off,
    const int ih, const int iw, __global const float *restrict wt,
    const int kh, const int kw, const int sh, const int sw, const int pad_top,
    const int pad_left, EPILOGUE_ARGS)
{
  const int g = get_global_id (0);
  const int y = g / nxb, x0 = (g - y * nxb) * GPX;
  if (y >= oh)
    return;
  const int ob = get_global_id (1), oc0 = ob * GOCB;

  gvec acc[GPX][GNV];
  for (int v = 0; v < GNV; v++) {
    const gvec b = GLOAD (v, bias + oc0);
    for (int p = 0; p < GPX; p++)
      acc[p][v] = b;
  }

  const int iy0 = y * sh - pad_top, ix0 = x0 * sw - pad_left;
  /* Taps above or below the input read zeros: skip those rows. */
  const int ky_lo = max (0, -iy0), ky_hi = min (kh, ih - iy0);
  /* Every tap of every pixel of the block inside the row: no checks. */
  const bool x_inside = ix0 >= 0 && ix0 + (GPX - 1) * sw + kw <= iw;
  const int khw = kh * kw;
  __global const float *wb = wt + (size_t) ob * cin * khw * GOCB;

  for (int ic = 0; ic < cin; ic++) {
    __global const act_t *ip = in + in_off + (size_t) ic * ih * iw;
    for (int ky = ky_lo; ky < ky_hi; ky++) {
      __global const act_t *row = ip + (iy0 + ky) * iw;
      __global const float *wp = wb + (ic * khw + ky * kw) * GOCB;
      if (x_inside) {
        for (int kx = 0; kx < kw; kx++) {
          for (int v = 0; v < GNV; v++) {
            const gvec w = GLOAD (v, wp + kx * GOCB);
#pragma unroll
            for (int p = 0; p < GPX; p++)
              acc[p][v] = fma ((gvec) LD (row, ix0 + p * sw + kx), w,
                  acc[p][v]);
          }
        }
      } else {
        for (int kx = 0; kx < kw; kx++) {
          float s[GPX];
#pragma unroll
          for (int p = 0; p < GPX; p++) {
            const int ix = ix0 + p * sw + kx;
            const float x = LD (row, clamp (ix, 0, iw - 1));
            s[p] = ix >= 0 && ix < iw ? x : 0.0f;
          }
          for (int v = 0; v < GNV; v++) {
            const gvec w = GLOAD (v, wp + kx * GOCB);
#pragma unroll
            for (int p = 0; p < GPX; p++)
              acc[p][v] = fma ((gvec) s[p], w, acc[p][v]);
          }
        }
      }
    }
  }

  float t[GPX * GOCB];
  for (int v = 0; v < GNV; v++) {
    const gvec sl = GLOAD (v, slope + oc0);
#pragma unroll
    for (int p = 0; p < GPX; p++) {
      gvec a = acc[p][v];
      APPLY_ACT (a, sl, act, alpha, lo, hi);
      GSTORE (a, p * GNV + v, t);
    }
  }
  STORE_BLOCK (t, GOCB, GPX);
}

#endif

/* ---- direct kernel, kernel size and stride fixed at build time ----------- */

#if defined (OCB) && !defined (ROWVEC)
/* Vector width (VW lanes, at most 16): float16 even where registers hold 8
 * lanes (AVX2), where it measured 2x faster than pairs of float8. */
#ifndef VW
#if OCB >= 16
#define VW 16
#else
#define VW OCB
#endif
#endif
#define NV (OCB / VW)
typedef CAT (float, VW) vec;
#define VLOAD CAT (vload, VW)
#define VSTORE CAT (vstore, VW)

__kernel void
conv_direct (__global const act_t *restrict in, const int in_off,
    const int ih, const int iw, __global const float *restrict wt,
    const int pad_top, const int pad_left, EPILOGUE_ARGS)
{
  const int g = get_global_id (0);
  const int y = g / nxb, x0 = (g - y * nxb) * PX;
  if (y >= oh)
    return;
  const int ob = get_global_id (1), oc0 = ob * OCB;

  vec acc[PX][NV];
#pragma unroll
  for (int v = 0; v < NV; v++) {
    const vec b = VLOAD (v, bias + oc0);
#pragma unroll
    for (int p = 0; p < PX; p++)
      acc[p][v] = b;
  }

  const int iy0 = y * SH - pad_top, ix0 = x0 * SW - pad_left;
  __global const float *wp = wt + (size_t) ob * cin * (KH * KW * OCB);
  __global const act_t *ip = in + in_off;
  const size_t plane = (size_t) ih * iw;

  if (iy0 >= 0 && iy0 + KH <= ih && ix0 >= 0
      && ix0 + (PX - 1) * SW + KW <= iw) {
    /* Interior: every tap reads the input. */
    ip += iy0 * iw + ix0;
    for (int ic = 0; ic < cin; ic++) {
#pragma unroll
      for (int ky = 0; ky < KH; ky++) {
#pragma unroll
        for (int kx = 0; kx < KW; kx++) {
#pragma unroll
          for (int v = 0; v < NV; v++) {
            const vec w = VLOAD (v, wp + (ky * KW + kx) * OCB);
#pragma unroll
            for (int p = 0; p < PX; p++)
              acc[p][v] = fma ((vec) LD (ip, ky * iw + p * SW + kx), w,
                  acc[p][v]);
          }
        }
      }
      wp += KH * KW * OCB;
      ip += plane;
    }
  } else {
    /* Border (and a last partial block): zero padding by clamped loads. */
    for (int ic = 0; ic < cin; ic++) {
#pragma unroll
      for (int ky = 0; ky < KH; ky++) {
        const int iy = iy0 + ky;
        const bool row_ok = iy >= 0 && iy < ih;
        __global const act_t *row = ip + clamp (iy, 0, ih - 1) * iw;
#pragma unroll
        for (int kx = 0; kx < KW; kx++) {
          float s[PX];
#pragma unroll
          for (int p = 0; p < PX; p++) {
            const int ix = ix0 + p * SW + kx;
            const float x = LD (row, clamp (ix, 0, iw - 1));
            s[p] = row_ok && ix >= 0 && ix < iw ? x : 0.0f;
          }
#pragma unroll
          for (int v = 0; v < NV; v++) {
            const vec w = VLOAD (v, wp + (ky * KW + kx) * OCB);
#pragma unroll
            for (int p = 0; p < PX; p++)
              acc[p][v] = fma ((vec) s[p], w, acc[p][v]);
          }
        }
      }
      wp += KH * KW * OCB;
      ip += plane;
    }
  }

  float t[PX * OCB];
#pragma unroll
  for (int v = 0; v < NV; v++) {
    const vec sl = VLOAD (v, slope + oc0);
#pragma unroll
    for (int p = 0; p < PX; p++) {
      vec a = acc[p][v];
      APPLY_ACT (a, sl, act, alpha, lo, hi);
      VSTORE (a, p * NV + v, t);
    }
  }
  STORE_BLOCK (t, OCB, PX);
}
#endif

/* ---- row-vector kernel: stride 1, vectors along the output row ---------- */

/* conv_rowvec (-DROWVEC -DOCB -DPV -DKH -DKW): the other way round from
 * conv_direct. A work-item owns OCB output channels x PV * 16 consecutive
 * pixels of a row, as OCB * PV float16 accumulators whose lanes are
 * pixels. Per input channel and tap it loads PV vectors of the input row
 * (shifted by the tap) and FMAs each output channel's weight, broadcast,
 * into them. Input reads and output writes are whole contiguous vectors of
 * one channel plane, where conv_direct reads one scalar per pixel and
 * writes each channel's pixels apart: that is what pointwise (1x1) layers
 * with many channels are bound by. Weights as for conv_direct
 * ([ceil(cout/OCB)][cin][KH][KW][OCB]), read as scalars. */
#ifdef ROWVEC
#define RPX (PV * 16)

__kernel void
conv_rowvec (__global const act_t *restrict in, const int in_off,
    const int ih, const int iw, __global const float *restrict wt,
    const int pad_top, const int pad_left, EPILOGUE_ARGS)
{
  const int g = get_global_id (0);
  const int y = g / nxb, x0 = (g - y * nxb) * RPX;
  if (y >= oh)
    return;
  const int iy0 = y - pad_top, ix0 = x0 - pad_left;
  /* Taps above or below the input read zeros: skip those rows. */
  const int ky_lo = max (0, -iy0), ky_hi = min (KH, ih - iy0);
  /* Every lane of every tap inside the row: plain vector loads. */
  const bool x_inside = ix0 >= 0 && ix0 + RPX + KW - 1 <= iw;
  const size_t plane = (size_t) ih * iw;

  /* All output channels, OCB at a time, in this work-item: the input
   * column it reads (cin planes x a few rows x RPX pixels) stays in cache
   * from one block to the next, where separate work-items per block would
   * each fetch it from memory again; with many input channels that
   * traffic, not the FMAs, was the cost. */
  for (int oc0 = 0; oc0 < cout; oc0 += OCB) {
  float16 acc[OCB][PV];
#pragma unroll
  for (int c = 0; c < OCB; c++) {
    const float b = bias[oc0 + c];
#pragma unroll
    for (int v = 0; v < PV; v++)
      acc[c][v] = (float16) b;
  }

  __global const float *wp = wt + (size_t) oc0 * cin * (KH * KW);
  __global const act_t *ip = in + in_off + (size_t) iy0 * iw + ix0;

/* One tap: FMAs the PV input vectors x into every channel's accumulators. */
#define ROWVEC_TAP(x, wtap) \
  do { \
    _Pragma ("unroll") \
    for (int c = 0; c < OCB; c++) { \
      const float w = (wtap)[c]; \
      _Pragma ("unroll") \
      for (int v = 0; v < PV; v++) \
        acc[c][v] = fma ((float16) w, (x)[v], acc[c][v]); \
    } \
  } while (0)

  if (x_inside) {
    for (int ic = 0; ic < cin; ic++) {
#pragma unroll
      for (int ky = 0; ky < KH; ky++) {
        if (ky < ky_lo || ky >= ky_hi)
          continue;
        __global const act_t *row = ip + ky * iw;
#pragma unroll
        for (int kx = 0; kx < KW; kx++) {
          float16 x[PV];
#pragma unroll
          for (int v = 0; v < PV; v++)
            x[v] = LDN (16, 0, row + kx + 16 * v);
          ROWVEC_TAP (x, wp + (ky * KW + kx) * OCB);
        }
      }
      wp += KH * KW * OCB;
      ip += plane;
    }
  } else {
    /* The ends of the rows: zero padding lane by lane (clamped reads,
     * then masked). Rare, so kept compact rather than unrolled. */
    for (int ic = 0; ic < cin; ic++) {
      for (int ky = ky_lo; ky < ky_hi; ky++) {
        __global const act_t *row = ip + ky * iw;
        for (int kx = 0; kx < KW; kx++) {
          float s[RPX];
#pragma unroll 1
          for (int l = 0; l < RPX; l++) {
            const int ix = ix0 + kx + l;
            const float t = LD (row, clamp (ix, 0, iw - 1) - ix0);
            s[l] = ix >= 0 && ix < iw ? t : 0.0f;
          }
          float16 x[PV];
#pragma unroll
          for (int v = 0; v < PV; v++)
            x[v] = vload16 (v, s);
          ROWVEC_TAP (x, wp + (ky * KW + kx) * OCB);
        }
      }
      wp += KH * KW * OCB;
      ip += plane;
    }
  }

  const int ohw = oh * ow;
#pragma unroll
  for (int c = 0; c < OCB; c++) {
    if (oc0 + c >= cout)
      break;
    const float sl = slope[oc0 + c];
    const int o = out_off + (oc0 + c) * ohw + y * ow + x0;
#pragma unroll
    for (int v = 0; v < PV; v++) {
      float16 a = acc[c][v];
      APPLY_ACT (a, sl, act, alpha, lo, hi);
      const int x = x0 + 16 * v;
      if (x + 16 <= ow) {
        if (has_skip)
          a = res_scale * a + skip_scale
              * LDN (16, 0, skip + skip_off - out_off + o + 16 * v);
        STN (16, a, 0, out + o + 16 * v);
      } else if (x < ow) {
        float t[16];
        vstore16 (a, 0, t);
        for (int l = 0; l < ow - x; l++) {
          const int e = o + 16 * v + l;
          ST (has_skip ? res_scale * t[l]
              + skip_scale * LD (skip, skip_off - out_off + e) : t[l], out, e);
        }
      }
    }
  }
  }
}
#endif
