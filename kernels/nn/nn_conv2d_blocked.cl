/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 2-D convolution on channel-blocked views (NCHW16c: blocks of 16 channels,
 * each block [H][W][16], so the 16 channels of a pixel are one cache line),
 * with conv2d's fused epilogue y = act (conv + bias);
 * out = res_scale * y + skip_scale * skip.
 *
 * Why a second layout: in NCHW a pointwise (1x1) layer with many input
 * channels reads, per block of pixels, one short run from each of cin
 * planes: more streams than the hardware prefetchers follow, so it ran at
 * 115-150 GFLOP/s in the networks whatever the blocking; blocked, the same
 * layer reads a few long runs (as ONNX Runtime's NCHWc kernels do). See
 * docs/benchmarks.md.
 *
 * A work-item owns OCV * 16 output channels (OCV vectors whose lanes are
 * channels) x PX consecutive pixels of one output row: OCV * PX vector
 * accumulators. Per input channel and tap it loads OCV weight vectors and
 * FMAs one broadcast input scalar per pixel into them.
 *
 * Build options: -DKH -DKW -DSH -DSW (kernel, stride), -DOCV -DPX
 * (blocking), -DIN_C16=0|1 and -DOUT_C16=0|1 (the input's and the output's
 * layout, 0 = NCHW; the skip view has the output's). Views start at a
 * channel offset (in_off, out_off, skip_off in floats: first channel x
 * H x W, the same in both layouts since blocked views start at a multiple
 * of 16 channels).
 *
 * Weights (host-packed, zero beyond cout):
 *   IN_C16=1: [cout/(16 OCV)][cin/16][KH][KW][16 in][OCV * 16 out]
 *   IN_C16=0: [cout/(16 OCV)][cin][KH][KW][OCV * 16 out]
 * bias and PReLU slopes: [ceil(cout / (16 OCV)) * 16 OCV].
 *
 * The input may come in two parts (a channel concat read where its parts
 * lie, without copying them together): channels [0, split) from in at
 * in_off, the rest from in2 at in2_off (split = cin: one part). split is a
 * multiple of 16 when the input is blocked.
 *
 * Launch: global = (round_up (nxb * oh, any), ceil (cout / (16 OCV))),
 * nxb = ceil (ow / PX); work-item g of dimension 0 is pixel block g % nxb
 * of row g / nxb. */

#include "nn_storage.clh"

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_LEAKY 2
#define ACT_PRELU 3
#define ACT_CLAMP 4

#define OCG (OCV * 16)

#if IN_C16
/* Input channel ic0 + i at pixel (iy, ix) of a row starting at `row`. */
#define IN_AT(row, ix, i) LD (row, (ix) * 16 + (i))
#else
#define IN_AT(row, ix, i) LD (row, ix)
#endif

__kernel void
conv_blocked (__global const act_t *restrict in, const int in_off,
    const int ih, const int iw, __global const float *restrict wt,
    const int pad_top, const int pad_left,
    __global const float *restrict bias, __global const float *restrict slope,
    __global act_t *out, const int out_off, const int oh, const int ow,
    __global const act_t *skip, const int skip_off, const int has_skip,
    const float res_scale, const float skip_scale,
    const int act, const float alpha, const float lo, const float hi,
    const int cin, const int cout, const int nxb,
    __global const act_t *restrict in2, const int in2_off, const int split)
{
  const int g = get_global_id (0);
  const int y = g / nxb, x0 = (g - y * nxb) * PX;
  if (y >= oh)
    return;
  const int oc0 = get_global_id (1) * OCG;

  float16 acc[OCV][PX];
#pragma unroll
  for (int v = 0; v < OCV; v++) {
    const float16 b = vload16 (0, bias + oc0 + 16 * v);
#pragma unroll
    for (int p = 0; p < PX; p++)
      acc[v][p] = b;
  }

  const int iy0 = y * SH - pad_top, ix0 = x0 * SW - pad_left;
  /* Every tap of every pixel inside the row: no bounds checks. */
  const bool x_inside = ix0 >= 0 && ix0 + (PX - 1) * SW + KW <= iw
      && x0 + PX <= ow;
  const int plane = ih * iw;
#if IN_C16
  const int n_in = cin / 16;            /* channel blocks */
  const int in_step = 16 * plane, w_step = 16 * OCG;
#else
  const int n_in = cin;                 /* channels */
  const int in_step = plane, w_step = OCG;
#endif
  __global const float *wp = wt + (size_t) get_global_id (1) * n_in * KH * KW
      * w_step;
  __global const act_t *ip = in + in_off;
#if IN_C16
  const int n_head = split / 16;
#else
  const int n_head = split;
#endif
#if IN_C16
#define ROW_STRIDE (iw * 16)
#define LANES 16
#else
#define ROW_STRIDE iw
#define LANES 1
#endif

  for (int c = 0; c < n_in; c++, ip += in_step) {
    if (c == n_head)
      ip = in2 + in2_off;
    for (int ky = 0; ky < KH; ky++) {
      const int iy = iy0 + ky;
      if (iy < 0 || iy >= ih) {
        wp += KW * w_step;
        continue;
      }
      __global const act_t *row = ip + iy * ROW_STRIDE;
      if (x_inside) {
#pragma unroll
        for (int kx = 0; kx < KW; kx++) {
#pragma unroll 4
          for (int i = 0; i < LANES; i++) {
            float16 w[OCV];
#pragma unroll
            for (int v = 0; v < OCV; v++)
              w[v] = vload16 (v, wp + i * OCG);
#pragma unroll
            for (int p = 0; p < PX; p++) {
              const float s = IN_AT (row, ix0 + p * SW + kx, i);
#pragma unroll
              for (int v = 0; v < OCV; v++)
                acc[v][p] = fma ((float16) s, w[v], acc[v][p]);
            }
          }
          wp += w_step;
        }
      } else {
        /* The ends of the rows: zero padding pixel by pixel. Rare, so
         * kept compact rather than unrolled. */
        for (int kx = 0; kx < KW; kx++) {
          for (int i = 0; i < LANES; i++) {
            float16 w[OCV];
#pragma unroll
            for (int v = 0; v < OCV; v++)
              w[v] = vload16 (v, wp + i * OCG);
#pragma unroll
            for (int p = 0; p < PX; p++) {
              const int ix = ix0 + p * SW + kx;
              const float s = ix >= 0 && ix < iw ? IN_AT (row, ix, i) : 0.0f;
#pragma unroll
              for (int v = 0; v < OCV; v++)
                acc[v][p] = fma ((float16) s, w[v], acc[v][p]);
            }
          }
          wp += w_step;
        }
      }
    }
  }

  const int ohw = oh * ow;
#pragma unroll
  for (int v = 0; v < OCV; v++) {
    const int oc = oc0 + 16 * v;
    if (oc >= cout)
      break;
    const float16 sl = vload16 (0, slope + oc);
#pragma unroll
    for (int p = 0; p < PX; p++) {
      const int x = x0 + p;
      if (x >= ow)
        break;
      float16 a = acc[v][p];
      if (act == ACT_RELU)
        a = fmax (a, 0.0f);
      else if (act == ACT_LEAKY)
        a = select (a, a * alpha, a < 0.0f);
      else if (act == ACT_PRELU)
        a = select (a, a * sl, a < 0.0f);
      else if (act == ACT_CLAMP)
        a = fmin (fmax (a, lo), hi);
#if OUT_C16
      /* cout is a multiple of 16 here: whole vectors. The skip value is
       * read before the output is written, so skip may be out itself. */
      const int o = oc * ohw + (y * ow + x) * 16;
      if (has_skip)
        a = res_scale * a + skip_scale * LDN (16, 0, skip + skip_off + o);
      STN (16, a, 0, out + out_off + o);
#else
      float t[16];
      vstore16 (a, 0, t);
      const int n = min (16, cout - oc);
      for (int l = 0; l < n; l++) {
        const int o = (oc + l) * ohw + y * ow + x;
        ST (has_skip ? res_scale * t[l]
            + skip_scale * LD (skip, skip_off + o) : t[l], out, out_off + o);
      }
#endif
    }
  }
}
