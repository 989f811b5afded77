/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* 3x3 stride-1 convolution by Winograd F(4x4, 3x3) on NCHW float32 channel
 * views, with conv2d's fused epilogue: y = act (conv + bias);
 * out = res_scale * y + skip_scale * skip.
 *
 * Output tiles of 4x4 pixels read 6x6 input patches (stride 4), zeros
 * outside the input. Per input channel a patch d becomes V = B^T d B, per
 * (output, input) channel pair the weights g become U = G g G^T (on the
 * host), the products M = sum over input channels of U .* V (36 small
 * GEMMs) and the output tile A^T M A: 36 multiplies per tile and channel
 * pair instead of 144.
 *
 * Everything is fused into one kernel: a work-item owns WPX consecutive
 * tiles of one tile row and WOCB output channels. Input channels come in
 * chunks of CB; per chunk it transforms its WPX patches of every channel
 * into private memory (Vl), then for each of the 36 elements runs the GEMM
 * into WPX * WOCB/16 float16 accumulators (lanes = output channels), kept in
 * private memory between chunks (Ml). Last comes the output transform, the
 * epilogue and the stores. Nothing intermediate goes to global memory.
 *
 * Input transform, NCHW: the 6 input rows of the work-item's patches are
 * contiguous runs of 4*WPX+2 columns, loaded as one or two float16 per row.
 * The horizontal pass runs first, on each row: six permutes give every
 * lane (element j, tile p) the input column 4p + k, and six FMAs with
 * per-lane coefficient vectors apply B^T to all tiles and elements at once.
 * The vertical pass then works on those packed rows as whole vectors.
 * Output: A^T . A on float16 (lanes = output channels), the epilogue, then a
 * 16 x 16 register transpose so that each channel's 4 x 4 tile is stored
 * as 4 float4 rows.
 *
 * Build options: -DWOCB (16, 32, 48, 64) -DWPX (2..6) -DCB (1..32).
 * U: [ceil(cout/WOCB)][nchunk][36][CB][WOCB], zero beyond cin and cout;
 * bias, slope: [ceil(cout/WOCB)*WOCB].
 * Launch: global = (round_up (nbx * th, any), ceil (cout/WOCB)), nbx =
 * ceil (ceil (ow/4) / WPX), th = ceil (oh/4); work-item g of dimension 0 is
 * tile block g % nbx of tile row g / nbx. */

#include "nn_storage.clh"

#define ACT_NONE 0
#define ACT_RELU 1
#define ACT_LEAKY 2
#define ACT_PRELU 3
#define ACT_CLAMP 4

#define NV (WOCB / 16)

/* Columns loaded per input row, and the vector across the tiles. */
#if WPX == 2
#define LW 16
#define PXV 2
#elif WPX == 3
#define LW 16
#define PXV 4
#elif WPX == 4
#define LW 32
#define PXV 4
#elif WPX == 5 || WPX == 6
#define LW 32
#define PXV 8
#else
#error "WPX must be 2 to 6"
#endif

/* Rows of the horizontal pass: lane l of each float16 holds element
 * j = l / PXV of tile p = l % PXV (NH float16 cover the 6 x PXV values). */
#define NH ((6 * PXV + 15) / 16)
/* Stores the PXV-lane groups of x (elements j0, j0 + 1, ... of a row, one
 * group per element) to Vl[j0 + ...][c][0..PXV), as far as they exist. */
#if PXV == 2
#define STORE_GROUPS(x, vp, j0) do { \
    vstore2 (x.s01, 0, vp); vstore2 (x.s23, 0, vp + CB * 2); \
    vstore2 (x.s45, 0, vp + 2 * CB * 2); vstore2 (x.s67, 0, vp + 3 * CB * 2); \
    vstore2 (x.s89, 0, vp + 4 * CB * 2); vstore2 (x.sab, 0, vp + 5 * CB * 2); \
  } while (0)
#elif PXV == 4
#define STORE_GROUPS(x, vp, j0) do { \
    vstore4 (x.s0123, 0, vp); vstore4 (x.s4567, 0, vp + CB * 4); \
    if ((j0) == 0) { \
      vstore4 (x.s89ab, 0, vp + 2 * CB * 4); \
      vstore4 (x.scdef, 0, vp + 3 * CB * 4); \
    } \
  } while (0)
#else
#define STORE_GROUPS(x, vp, j0) do { \
    vstore8 (x.lo, 0, vp); vstore8 (x.hi, 0, vp + CB * 8); } while (0)
#endif

/* Column 4p + k of tile p = l % PXV in every lane l, from the row held in
 * lo (columns 0-15) and hi (16-31); columns past the loaded ones (lanes of
 * tiles past WPX) are clamped, don't-cares. */
#define IX(l, k) ((4 * ((l) % PXV) + (k)) > LW - 1 ? LW - 1 \
    : (4 * ((l) % PXV) + (k)))
#define REPL(lo, hi, k) __builtin_shufflevector (lo, hi, IX (0, k), \
    IX (1, k), IX (2, k), IX (3, k), IX (4, k), IX (5, k), IX (6, k), \
    IX (7, k), IX (8, k), IX (9, k), IX (10, k), IX (11, k), IX (12, k), \
    IX (13, k), IX (14, k), IX (15, k))

/* B^T's coefficient of input k in lane l of vector h of a row (zero past
 * the 6 elements). */
__constant float BTC[6][6] = {
  {4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
  {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1},
};

/* o = B^T d for the interpolation points 0, -1, 1, -2, 2 (and infinity). */
#define BT(o, d) do { \
    o[0] = 4.0f * d[0] - 5.0f * d[2] + d[4]; \
    o[1] = d[3] + d[4] - 4.0f * (d[1] + d[2]); \
    o[2] = 4.0f * (d[1] - d[2]) + d[4] - d[3]; \
    o[3] = 2.0f * (d[3] - d[1]) + d[4] - d[2]; \
    o[4] = 2.0f * (d[1] - d[3]) + d[4] - d[2]; \
    o[5] = 4.0f * d[1] - 5.0f * d[3] + d[5]; } while (0)

/* o = A^T m (6 -> 4). */
#define AT(o, m0, m1, m2, m3, m4, m5) do { \
    const float16 a_ = (m1) + (m2), b_ = (m1) - (m2); \
    const float16 c_ = (m3) + (m4), d_ = (m3) - (m4); \
    o[0] = (m0) + a_ + c_; \
    o[1] = b_ + 2.0f * d_; \
    o[2] = a_ + 4.0f * c_; \
    o[3] = b_ + 8.0f * d_ + (m5); } while (0)

/* In-place transpose of the 16 x 16 floats X[q][l]: for each bit m of the
 * index, the lanes l with that bit set of X[q] swap with the lanes l ^ m of
 * X[q | m] (64 two-source shuffles in all). */
#define SEL_LO(l, m) (((l) & (m)) ? 16 + ((l) ^ (m)) : (l))
#define SEL_HI(l, m) (((l) & (m)) ? 16 + (l) : ((l) ^ (m)))
#define SH16(a, b, F, m) __builtin_shufflevector (a, b, F (0, m), F (1, m), \
    F (2, m), F (3, m), F (4, m), F (5, m), F (6, m), F (7, m), F (8, m), \
    F (9, m), F (10, m), F (11, m), F (12, m), F (13, m), F (14, m), \
    F (15, m))
#define STAGE(X, m) do { \
    _Pragma ("unroll") \
    for (int q_ = 0; q_ < 16; q_++) \
      if (!(q_ & (m))) { \
        const float16 a_ = X[q_], b_ = X[q_ | (m)]; \
        X[q_] = SH16 (a_, b_, SEL_LO, m); \
        X[q_ | (m)] = SH16 (a_, b_, SEL_HI, m); \
      } \
  } while (0)

__kernel void
conv_winograd (__global const act_t *restrict in, const int in_off,
    const int ih, const int iw, __global const float *restrict U,
    const int pad_top, const int pad_left,
    __global const float *restrict bias, __global const float *restrict slope,
    __global act_t *out, const int out_off, const int oh, const int ow,
    __global const act_t *skip, const int skip_off, const int has_skip,
    const float res_scale, const float skip_scale,
    const int act, const float alpha, const float lo_clamp,
    const float hi_clamp, const int nchunk, const int cin, const int cout,
    const int nbx, const int th)
{
  const int g = get_global_id (0);
  const int ty = g / nbx, bx = g - ty * nbx;
  if (ty >= th)
    return;
  const int ob = get_global_id (1), oc0 = ob * WOCB;
  const int tx0 = bx * WPX;
  const int iy0 = ty * 4 - pad_top, ix0 = tx0 * 4 - pad_left;
  const size_t plane = (size_t) ih * iw;
  /* All LW columns of all 6 rows inside the input: plain vector loads. */
  const bool inside = iy0 >= 0 && iy0 + 6 <= ih && ix0 >= 0
      && ix0 + LW <= iw;

  float16 Ml[36][WPX][NV];
  float Vl[36][CB][PXV];
  /* The horizontal pass's coefficients, lane by lane. */
  float16 coef[NH][6];
#pragma unroll
  for (int h = 0; h < NH; h++)
#pragma unroll
    for (int k = 0; k < 6; k++) {
      float cf[16];
#pragma unroll
      for (int l = 0; l < 16; l++) {
        const int j = (16 * h + l) / PXV;
        cf[l] = j < 6 ? BTC[j][k] : 0.0f;
      }
      coef[h][k] = vload16 (0, cf);
    }
  __global const float *up = U + (size_t) ob * nchunk * (36 * CB * WOCB);

  for (int ch = 0; ch < nchunk; ch++) {
    /* Input transform of this chunk's channels. */
    for (int c = 0; c < CB; c++) {
      const int ic = ch * CB + c;
      float16 lo[6], hi[6];
      if (ic >= cin) {
#pragma unroll
        for (int r = 0; r < 6; r++)
          lo[r] = hi[r] = 0.0f;
      } else if (inside) {
        __global const act_t *ip = in + in_off + ic * plane + iy0 * iw + ix0;
#pragma unroll
        for (int r = 0; r < 6; r++) {
          lo[r] = LDN (16, 0, ip + r * iw);
#if LW == 32
          hi[r] = LDN (16, 1, ip + r * iw);
#else
          hi[r] = 0.0f;
#endif
        }
      } else {
        /* Border: element by element, zeros outside. */
        __global const act_t *ip = in + in_off + ic * plane;
#pragma unroll
        for (int r = 0; r < 6; r++) {
          const int iy = iy0 + r;
          float row[32];
          for (int x = 0; x < LW; x++) {
            const int ix = ix0 + x;
            row[x] = iy >= 0 && iy < ih && ix >= 0 && ix < iw
                ? LD (ip, iy * iw + ix) : 0.0f;
          }
          lo[r] = vload16 (0, row);
#if LW == 32
          hi[r] = vload16 (1, row);
#else
          hi[r] = 0.0f;
#endif
        }
      }
      /* Horizontal pass row by row (B^T applied to the columns of each
       * tile), then the vertical one on whole rows. */
      float16 hr[NH][6];
#pragma unroll
      for (int r = 0; r < 6; r++) {
        const float16 d[6] = { REPL (lo[r], hi[r], 0),
          REPL (lo[r], hi[r], 1), REPL (lo[r], hi[r], 2),
          REPL (lo[r], hi[r], 3), REPL (lo[r], hi[r], 4),
          REPL (lo[r], hi[r], 5)
        };
#pragma unroll
        for (int h = 0; h < NH; h++) {
          float16 x = coef[h][0] * d[0];
#pragma unroll
          for (int k = 1; k < 6; k++)
            x = fma (coef[h][k], d[k], x);
          hr[h][r] = x;
        }
      }
      float16 o[NH][6];
#pragma unroll
      for (int h = 0; h < NH; h++)
        BT (o[h], hr[h]);
#pragma unroll
      for (int i = 0; i < 6; i++)
#pragma unroll
        for (int h = 0; h < NH; h++)
          STORE_GROUPS (o[h][i], &Vl[i * 6 + h * 16 / PXV][c][0],
              h * 16 / PXV);
    }

    /* The 36 GEMMs of the chunk. */
    for (int e = 0; e < 36; e++) {
      float16 acc[WPX][NV];
#pragma unroll
      for (int p = 0; p < WPX; p++)
#pragma unroll
        for (int v = 0; v < NV; v++)
          acc[p][v] = ch ? Ml[e][p][v] : (float16) 0.0f;
      __global const float *wp = up + e * (CB * WOCB);
#pragma unroll 4
      for (int c = 0; c < CB; c++) {
#pragma unroll
        for (int v = 0; v < NV; v++) {
          const float16 w = vload16 (v, wp + c * WOCB);
#pragma unroll
          for (int p = 0; p < WPX; p++)
            acc[p][v] = fma ((float16) Vl[e][c][p], w, acc[p][v]);
        }
      }
#pragma unroll
      for (int p = 0; p < WPX; p++)
#pragma unroll
        for (int v = 0; v < NV; v++)
          Ml[e][p][v] = acc[p][v];
    }
    up += 36 * CB * WOCB;
  }

  /* Output transform, epilogue, stores. */
  const int ohw = oh * ow;
  const int y0 = ty * 4;
  for (int v = 0; v < NV; v++) {
    const int c0 = oc0 + v * 16;
    if (c0 >= cout)
      break;
    const float16 b = vload16 (0, bias + c0);
    const float16 sl = vload16 (0, slope + c0);
    const int nc = min (16, cout - c0);
    for (int p = 0; p < WPX; p++) {
      const int x0 = (tx0 + p) * 4;
      if (x0 >= ow)
        break;
      float16 s[4][6];
#pragma unroll
      for (int j = 0; j < 6; j++) {
        float16 o[4];
        AT (o, Ml[j][p][v], Ml[6 + j][p][v], Ml[12 + j][p][v],
            Ml[18 + j][p][v], Ml[24 + j][p][v], Ml[30 + j][p][v]);
#pragma unroll
        for (int i = 0; i < 4; i++)
          s[i][j] = o[i];
      }
      /* X[4i + j]: pixel (i, j) of the tile, lanes = channels c0..c0+15;
       * transposed, X[c]: channel c0 + c, lanes = the 16 pixels. */
      float16 X[16];
#pragma unroll
      for (int i = 0; i < 4; i++) {
        float16 o[4];
        AT (o, s[i][0], s[i][1], s[i][2], s[i][3], s[i][4], s[i][5]);
#pragma unroll
        for (int j = 0; j < 4; j++) {
          float16 a = o[j] + b;
          if (act == ACT_RELU)
            a = fmax (a, 0.0f);
          else if (act == ACT_LEAKY)
            a = select (a, a * alpha, a < 0.0f);
          else if (act == ACT_PRELU)
            a = select (a, a * sl, a < 0.0f);
          else if (act == ACT_CLAMP)
            a = fmin (fmax (a, lo_clamp), hi_clamp);
          X[i * 4 + j] = a;
        }
      }
      STAGE (X, 8);
      STAGE (X, 4);
      STAGE (X, 2);
      STAGE (X, 1);
      const int ni = min (4, oh - y0), nj = min (4, ow - x0);
      /* The skip value is read before the output is written: skip may be
       * the output itself. */
      if (ni == 4 && nj == 4 && nc == 16) {
        __global act_t *op = out + out_off + c0 * ohw + y0 * ow + x0;
        __global const act_t *sp = skip + skip_off + c0 * ohw + y0 * ow + x0;
        if (has_skip) {
#pragma unroll
          for (int c = 0; c < 16; c++) {
            const int o = c * ohw;
            STN (4, res_scale * X[c].s0123 + skip_scale * LDN (4, 0, sp + o),
                0, op + o);
            STN (4, res_scale * X[c].s4567
                + skip_scale * LDN (4, 0, sp + o + ow), 0, op + o + ow);
            STN (4, res_scale * X[c].s89ab
                + skip_scale * LDN (4, 0, sp + o + 2 * ow), 0,
                op + o + 2 * ow);
            STN (4, res_scale * X[c].scdef
                + skip_scale * LDN (4, 0, sp + o + 3 * ow), 0,
                op + o + 3 * ow);
          }
        } else {
#pragma unroll
          for (int c = 0; c < 16; c++) {
            const int o = c * ohw;
            STN (4, X[c].s0123, 0, op + o);
            STN (4, X[c].s4567, 0, op + o + ow);
            STN (4, X[c].s89ab, 0, op + o + 2 * ow);
            STN (4, X[c].scdef, 0, op + o + 3 * ow);
          }
        }
      } else {
        for (int c = 0; c < nc; c++) {
          const int o0 = (c0 + c) * ohw + y0 * ow + x0;
          __global act_t *op = out + out_off + o0;
          __global const act_t *sp = skip + skip_off + o0;
          float t[16];
          vstore16 (X[c], 0, t);
          for (int i = 0; i < ni; i++)
            for (int j = 0; j < nj; j++)
              ST (has_skip ? res_scale * t[i * 4 + j]
                  + skip_scale * LD (sp, i * ow + j) : t[i * 4 + j],
                  op, i * ow + j);
        }
      }
    }
  }
}
