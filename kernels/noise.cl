/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Noise steps: Real-ESRGAN's Gaussian and Poisson noise (BasicSR degradations.py,
 * random_add_gaussian_noise_pt / random_add_poisson_noise_pt) and
 * BSRGAN's gray / colour / channel-correlated Gaussian noise (KAIR utils_blindsr.py, add_Gaussian_noise),
 * on planar [N,C,H,W] float tensors, out = clamp(img + noise, 0, 1).
 * Every draw comes from a per-element Philox stream (philox.clh) keyed by
 * (seed, index, op); the stream arguments of each kernel are seed lo/hi,
 * op, index lo/hi. */
#include "philox.clh"

/* Gaussian noise of standard deviation std (in [0,1] units). Element =
 * pixel n*hw + p. Colour: channel c gets normal c of the pixel's stream
 * (normals 0, 1 from block 0's words .x, .y; normal 2 from .z, .w; a fourth
 * channel would use the sin half and so on). Gray: normal 0 on every
 * channel. Global size (hw, n). */
__kernel void noise_gaussian (__global const float *src, __global float *dst,
    int hw, int channels, float std, int gray,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  const SrStreamKey key = sr_stream_key (seed_lo, seed_hi, op, index_lo,
      index_hi);
  const uint element = (uint) n * hw + p;
  const size_t base = (size_t) n * channels * hw + p;
  if (gray) {
    const uint4 w = sr_stream_block (key, element, 0);
    const float z = sr_box_muller (w.x, w.y).x;
    for (int c = 0; c < channels; c++) {
      const size_t i = base + (size_t) c * hw;
      dst[i] = fmin (fmax (src[i] + z * std, 0.0f), 1.0f);
    }
    return;
  }
  for (int c0 = 0; c0 < channels; c0 += 4) {
    const uint4 w = sr_stream_block (key, element, c0 / 4);
    const float2 z01 = sr_box_muller (w.x, w.y), z23 = sr_box_muller (w.z, w.w);
    const float z[4] = { z01.x, z01.y, z23.x, z23.y };
    for (int j = 0; j < 4 && c0 + j < channels; j++) {
      const size_t i = base + (size_t) (c0 + j) * hw;
      dst[i] = fmin (fmax (src[i] + z[j] * std, 0.0f), 1.0f);
    }
  }
}

/* noise_gaussian for C = 3, colour: the same bits as there, as
 * straight-line scalar code (no loops, arrays or vector types) so that PoCL
 * can vectorise it across work-items (3.1 does so for the gray one). */
__kernel void noise_gaussian3 (__global const float *src, __global float *dst,
    int hw, float std,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  uint w0, w1, w2, w3;
  sr_stream_block_s (seed_lo, seed_hi, op, index_lo, index_hi,
      (uint) n * hw + p, 0, &w0, &w1, &w2, &w3);
  float z0, z1, z2, z3;
  sr_box_muller_s (w0, w1, &z0, &z1);
  sr_box_muller_s (w2, w3, &z2, &z3);
  const size_t i = (size_t) n * 3 * hw + p;
  const float r = src[i], g = src[i + hw], b = src[i + 2 * hw];
  dst[i] = fmin (fmax (r + z0 * std, 0.0f), 1.0f);
  dst[i + hw] = fmin (fmax (g + z1 * std, 0.0f), 1.0f);
  dst[i + 2 * hw] = fmin (fmax (b + z2 * std, 0.0f), 1.0f);
}

/* Gray, C = 3: normal 0 on R, G, B. */
__kernel void noise_gaussian3_gray (__global const float *src,
    __global float *dst, int hw, float std,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  uint w0, w1, w2, w3;
  sr_stream_block_s (seed_lo, seed_hi, op, index_lo, index_hi,
      (uint) n * hw + p, 0, &w0, &w1, &w2, &w3);
  float z0, z1;
  sr_box_muller_s (w0, w1, &z0, &z1);
  const float z = z0 * std;
  const size_t i = (size_t) n * 3 * hw + p;
  const float r = src[i], g = src[i + hw], b = src[i + 2 * hw];
  dst[i] = fmin (fmax (r + z, 0.0f), 1.0f);
  dst[i + hw] = fmin (fmax (g + z, 0.0f), 1.0f);
  dst[i + 2 * hw] = fmin (fmax (b + z, 0.0f), 1.0f);
}

/* BSRGAN's correlated branch: noise = z @ F for z = (normal 0, 1, 2) of the
 * pixel's stream and F the 3x3 factor (row-major, f.s0..s8) the host made
 * as NumPy's multivariate_normal does (sqrt(s)[:,None] * vh). C = 3. */
__kernel void noise_correlated (__global const float *src, __global float *dst,
    int hw, float16 f,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  const SrStreamKey key = sr_stream_key (seed_lo, seed_hi, op, index_lo,
      index_hi);
  const uint4 w = sr_stream_block (key, (uint) n * hw + p, 0);
  const float2 z01 = sr_box_muller (w.x, w.y), z23 = sr_box_muller (w.z, w.w);
  const float z0 = z01.x, z1 = z01.y, z2 = z23.x;
  const float noise[3] = {
    z0 * f.s0 + z1 * f.s3 + z2 * f.s6,
    z0 * f.s1 + z1 * f.s4 + z2 * f.s7,
    z0 * f.s2 + z1 * f.s5 + z2 * f.s8,
  };
  const size_t base = (size_t) n * 3 * hw + p;
  for (int c = 0; c < 3; c++) {
    const size_t i = base + (size_t) c * hw;
    dst[i] = fmin (fmax (src[i] + noise[c], 0.0f), 1.0f);
  }
}

/* torchvision's rgb_to_grayscale, in this order. */
SR_INLINE float
gray_of (float r, float g, float b)
{
  return 0.2989f * r + 0.587f * g + 0.114f * b;
}

/* OpenCV's float cvtColor(BGR2GRAY) of an RGB frame handed over as BGR
 * reversed (mmagic's x[..., [2, 1, 0]]), in 0..255 units: 0.114 B + 0.587 G
 * + 0.299 R of the true colours, in OpenCV's order. */
SR_INLINE float
gray601_of (float r, float g, float b)
{
  return (b * 255.0f) * 0.114f + (g * 255.0f) * 0.587f + (r * 255.0f) * 0.299f;
}

/* NumPy's clip(round(v), 0, 255) of a value in 0..255, half to even. */
SR_INLINE int
level255_of (float v)
{
  return (int) fmin (fmax (rint (v), 0.0f), 255.0f);
}

/* torch's clamp(round(v*255), 0, 255), round half to even. */
SR_INLINE int
level_of (float v)
{
  return level255_of (v * 255.0f);
}

#define MASK_GROUP 64      /* local size of the level-mask kernels */
#define MASK_PER_ITEM 32   /* values per work item */

/* Marks which 8-bit levels occur in each image: mask[n*8 + j] bit b set
 * when level 32j + b occurs (colour: over all channels' values; gray: over
 * the rounded gray image). A group takes MASK_GROUP * MASK_PER_ITEM values
 * (the indices past the end clamped to the last value, which changes no
 * set), each item marks its values' levels in a local byte per level
 * (straight-line stores of 1, which PoCL vectorises across work items),
 * and items 0..7 OR one word each into the global mask (zeroed before).
 * gray (0: colour; 1: torchvision's gray; 2: OpenCV's, already in 0..255)
 * is a constant after inlining. Global (groups*64, n), local (64, 1). */
SR_INLINE void
level_mask (__global const float *src, __global volatile uint *mask, int hw,
    int channels, const int gray, __local uchar *seen)
{
  const int lid = get_local_id (0), n = get_global_id (1);
  const int count = gray ? hw : channels * hw;
  const __global float *s = src + (size_t) n * channels * hw;
  const int first = get_group_id (0) * (MASK_GROUP * MASK_PER_ITEM) + lid;
  seen[lid] = 0;
  seen[lid + 64] = 0;
  seen[lid + 128] = 0;
  seen[lid + 192] = 0;
  barrier (CLK_LOCAL_MEM_FENCE);
#pragma unroll
  for (int j = 0; j < MASK_PER_ITEM; j++) {
    const int i = min (first + j * MASK_GROUP, count - 1);
    const int k = gray == 2 ? level255_of (gray601_of (s[i], s[hw + i], s[2 * hw + i]))
        : gray ? level_of (gray_of (s[i], s[hw + i], s[2 * hw + i])) : level_of (s[i]);
    seen[k] = 1;    /* items that race here all store 1 */
  }
  barrier (CLK_LOCAL_MEM_FENCE);
  if (lid < 8) {
    const __local uchar *sb = seen + lid * 32;
    uint w = 0;
    for (int b = 0; b < 32; b++)
      w |= (uint) sb[b] << b;
    if (w)
      atomic_or (&mask[n * 8 + lid], w);
  }
}

__kernel void noise_level_mask (__global const float *src,
    __global volatile uint *mask, int hw, int channels)
{
  __local uchar seen[256];
  level_mask (src, mask, hw, channels, 0, seen);
}

/* The same over the rounded gray image of a C = 3 one. */
__kernel void noise_level_mask_gray (__global const float *src,
    __global volatile uint *mask, int hw)
{
  __local uchar seen[256];
  level_mask (src, mask, hw, 3, 1, seen);
}

/* The same over OpenCV's gray image in 0..255 (mmagic's Poisson noise). */
__kernel void noise_level_mask_gray601 (__global const float *src,
    __global volatile uint *mask, int hw)
{
  __local uchar seen[256];
  level_mask (src, mask, hw, 3, 2, seen);
}

/* vals = 2^ceil(log2(number of distinct levels)) of image n. */
inline float
vals_of (__global const uint *mask, int n)
{
  uint count = 0, vals = 1;
  for (int j = 0; j < 8; j++)
    count += popcount (mask[n * 8 + j]);
  while (vals < count)
    vals <<= 1;
  return (float) vals;
}

/* The straightforward Poisson kernels (the op's first version, one sample
 * per work item, sr_poisson as is): the unit test checks that the fast path
 * below gives exactly their bytes. Real-ESRGAN's Poisson noise, colour: per sample, x = level/255,
 * noise = poisson(x*vals)/vals - x, out = clamp(img + scale*noise, 0, 1)
 * (added to the unrounded img). Element = flat sample index. Global
 * (channels*hw, n). */
__kernel void noise_poisson_ref (__global const float *src, __global float *dst,
    __global const uint *mask, int hw, int channels, float scale,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int i = get_global_id (0), n = get_global_id (1);
  const size_t at = (size_t) n * channels * hw + i;
  const float vals = vals_of (mask, n), v = src[at];
  const float x = (float) level_of (v) / 255.0f;
  SrElementRng r;
  sr_element_rng_init (&r, sr_stream_key (seed_lo, seed_hi, op, index_lo,
          index_hi), (uint) at);
  const float noise = sr_poisson (&r, x * vals) / vals - x;
  dst[at] = fmin (fmax (v + noise * scale, 0.0f), 1.0f);
}

/* Gray variant: g = rounded gray level / 255 with vals from the gray
 * image, one count per pixel (element n*hw + p), the same noise on R, G, B.
 * C = 3. Global (hw, n). */
__kernel void noise_poisson_gray_ref (__global const float *src, __global float *dst,
    __global const uint *mask, int hw, float scale,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  const size_t base = (size_t) n * 3 * hw + p;
  const float vals = vals_of (mask, n);
  const float r0 = src[base], g0 = src[base + hw], b0 = src[base + 2 * hw];
  const float g = (float) level_of (gray_of (r0, g0, b0)) / 255.0f;
  SrElementRng r;
  sr_element_rng_init (&r, sr_stream_key (seed_lo, seed_hi, op, index_lo,
          index_hi), (uint) n * hw + p);
  const float noise = (sr_poisson (&r, g * vals) / vals - g) * scale;
  dst[base] = fmin (fmax (r0 + noise, 0.0f), 1.0f);
  dst[base + hw] = fmin (fmax (g0 + noise, 0.0f), 1.0f);
  dst[base + 2 * hw] = fmin (fmax (b0 + noise, 0.0f), 1.0f);
}

/* ---- Real-ESRGAN's Poisson noise, fast path ---------------------------------
 * The same bytes as noise_poisson_ref / noise_poisson_gray_ref (the unit
 * test compares them), in three kernels:
 * 1. noise_poisson_table: per image and level L (lam = L/255 * vals takes at
 *    most 256 values) the sampler's constants, the inversion's cumulative
 *    sums (lam < 10) and PTRS's log-pmf over a window of k (lam >= 10), all
 *    with sr_poisson's own float expressions, so the same bits.
 * 2. noise_poisson_fast / _gray_fast: straight-line, no builtin log / exp
 *    (calls keep PoCL from vectorising across work-items):
 *    lam < 10 by binary search in the sums; lam >= 10 by PTRS's first two
 *    trials (block 0 of the stream). Their exact log test is decided with
 *    sr_det_log and a margin 40x its error bound; a sample whose trials are
 *    not settled that way (near the boundary, k outside the window, or both
 *    trials rejected, ~1e-2) is left alone and flagged.
 * 3. noise_poisson_slow: the flagged samples, as sr_poisson goes on from
 *    what the fast path settled of their first two trials. */

#define POIS_CDF 64       /* inversion sums per level (lam < 10 needs < 40) */
#define POIS_WIN 256      /* PTRS log-pmf window per level */
#define POIS_CHUNK 256    /* samples per slow-path flag */
/* a flag: bit 0 set for a sample left to the slow path, with what the fast
 * path settled of its first two PTRS trials */
#define POIS_T1_REJ 2     /* trial 1 rejected */
#define POIS_T2_REJ 4     /* trial 2 rejected */
#define POIS_T2_ACC 8     /* trial 2 accepted */

/* First k of level's log-pmf window. */
SR_INLINE float
pois_k0 (float lam)
{
  return fmax (floor (lam) - 128.0f, 0.0f);
}

/* tab[(n*256 + L)*8 ..] = x, lam, vals, b, a, log_invalpha, vr, loglam;
 * cdf[(n*256 + L)*64 + j] = sr_poisson's F after j steps (2 past its end);
 * lpt[(n*256 + L)*256 + j] = log pmf of k0 + j. Levels that do not occur
 * are skipped. Global (256, n). */
__kernel void noise_poisson_table (__global const uint *mask,
    __global float *tab, __global float *cdf, __global float *lpt)
{
  const int L = get_global_id (0), n = get_global_id (1);
  const size_t row = (size_t) n * 256 + L;
  const float vals = vals_of (mask, n);
  const float x = (float) L / 255.0f, lam = x * vals;
  __global float *t = tab + row * 8;
  t[0] = x;
  t[1] = lam;
  t[2] = vals;
  if (!(mask[n * 8 + (L >> 5)] & (1u << (L & 31))))
    return;
  if (lam < 10.0f) {
    __global float *c = cdf + row * POIS_CDF;
    float p = exp (-lam), F = p, k = 0.0f;
    int j = 0;
    c[j++] = F;
    while (j < POIS_CDF) {
      k += 1.0f;
      p *= lam / k;
      const float next = F + p;
      if (next == F)
        break;
      F = next;
      c[j++] = F;
    }
    for (; j < POIS_CDF; j++)
      c[j] = 2.0f;
    return;
  }
  const float slam = sqrt (lam), loglam = log (lam);
  const float b = 0.931f + 2.53f * slam;
  const float a = -0.059f + 0.02483f * b;
  t[3] = b;
  t[4] = a;
  t[5] = log (1.1239f + 1.1328f / (b - 3.4f));
  t[6] = 0.9277f - 3.6224f / (b - 2.0f);
  t[7] = loglam;
  const float k0 = pois_k0 (lam);
  for (int j = 0; j < POIS_WIN; j++)
    lpt[row * POIS_WIN + j] = sr_poisson_log_pmf (k0 + (float) j, lam, loglam);
}

/* One PTRS trial on words (wu, wv): *k its candidate; returns 1 accepted,
 * 0 rejected, -1 not settled here. *dep chains the logs of both trials
 * (each log's argument gets + 0 * the previous log: finite, so + +-0, and
 * the arguments are > 0, so the same bits): left independent, clang's SLP
 * pass pairs them into <2 x float> ops, which PoCL's work-item vectoriser
 * cannot widen, and the kernel stays scalar. */
SR_INLINE int
pois_trial (uint wu, uint wv, float lam, float b, float a, float lia,
    float vr, float k0, __global const float *lrow, float *kout, float *dep)
{
  const float U = sr_u01 (wu) - 0.5f;
  const float V = sr_u01 (wv);
  const float us = 0.5f - fabs (U);
  const float k = floor ((2.0f * a / us + b) * U + lam + 0.43f);
  *kout = k;
  const int squeeze = us >= 0.07f && V <= vr;
  const int rej = k < 0.0f || (us < 0.013f && V > us);
  const float j = k - k0;
  const int inwin = j >= 0.0f && j < (float) POIS_WIN;
  const float lp = lrow[(int) fmin (fmax (j, 0.0f), (float) (POIS_WIN - 1))];
  const float lv = sr_det_log (V + 0.0f * *dep);
  const float lt = sr_det_log (a / (us * us) + b + 0.0f * lv);
  *dep = lt;
  const float lhs = lv + lia - lt;
  const float margin = 4e-6f * (fabs (lv) + fabs (lia) + fabs (lt) + fabs (lp));
  const int acc = inwin && lhs < lp - margin;
  const int no = inwin && lhs > lp + margin;
  return squeeze ? 1 : rej ? 0 : acc ? 1 : no ? 0 : -1;
}

/* The count for level row `row` (x, vals: its level / 255 and the image's
 * vals) from block-0 words; *ok = 0 if unsettled, *flag the sample's
 * slow-path flag (0 when settled). */
SR_INLINE float
pois_fast_count (__global const float *tab, __global const float *cdf,
    __global const float *lpt, size_t row, float x, float vals, uint w0,
    uint w1, uint w2, uint w3, int *ok, int *flag)
{
  /* lam and a, vr as the table has them (the same expressions of the same
   * inputs, so the same bits), fewer gathers */
  __global const float *t = tab + row * 8;
  const float lam = x * vals;
  /* lam < 10: the number of sums below u (branch-free lower bound) */
  __global const float *c = cdf + row * POIS_CDF;
  const float u = sr_u01 (w0);
  int pos = 0;
  pos += c[pos + 31] < u ? 32 : 0;
  pos += c[pos + 15] < u ? 16 : 0;
  pos += c[pos + 7] < u ? 8 : 0;
  pos += c[pos + 3] < u ? 4 : 0;
  pos += c[pos + 1] < u ? 2 : 0;
  pos += c[pos] < u ? 1 : 0;
  /* lam >= 10: two trials */
  const float b = t[3], lia = t[5], k0 = pois_k0 (lam);
  const float a = -0.059f + 0.02483f * b;
  const float vr = 0.9277f - 3.6224f / (b - 2.0f);
  __global const float *lrow = lpt + row * POIS_WIN;
  float k1, k2, dep = 0.0f;
  const int r1 = pois_trial (w0, w1, lam, b, a, lia, vr, k0, lrow, &k1, &dep);
  const int r2 = pois_trial (w2, w3, lam, b, a, lia, vr, k0, lrow, &k2, &dep);
  const int big = lam >= 10.0f;
  *ok = !big || r1 == 1 || (r1 == 0 && r2 == 1);
  /* for the slow path: what the two trials settled */
  *flag = *ok ? 0 : 1 | (r1 == 0 ? POIS_T1_REJ : 0)
      | (r2 == 0 ? POIS_T2_REJ : r2 == 1 ? POIS_T2_ACC : 0);
  return !(lam > 0.0f) ? 0.0f : !big ? (float) pos : r1 == 1 ? k1 : k2;
}

/* noise_poisson's fast path. flags[at] = 1 for a sample left to
 * noise_poisson_slow (dst[at] = v meanwhile). Global (channels*hw, n). */
__kernel void noise_poisson_fast (__global const float *src,
    __global float *dst, __global const float *tab, __global const float *cdf,
    __global const float *lpt, __global uchar *flags,
    int hw, int channels, float scale,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int i = get_global_id (0), n = get_global_id (1);
  const size_t at = (size_t) n * channels * hw + i;
  const float v = src[at];
  const int L = level_of (v);
  const size_t row = (size_t) n * 256 + L;
  /* x as the table's; vals from the image's row 0 (one address) */
  const float x = (float) L / 255.0f, vals = tab[(size_t) n * 256 * 8 + 2];
  uint w0, w1, w2, w3;
  sr_stream_block_s (seed_lo, seed_hi, op, index_lo, index_hi, (uint) at, 0,
      &w0, &w1, &w2, &w3);
  int ok, flag;
  const float count = pois_fast_count (tab, cdf, lpt, row, x, vals, w0, w1, w2,
      w3, &ok, &flag);
  const float noise = count / vals - x;
  /* unconditional stores (a masked one keeps PoCL scalar): a flagged
   * sample gets v, which in place is what was there */
  dst[at] = ok ? fmin (fmax (v + noise * scale, 0.0f), 1.0f) : v;
  flags[at] = (uchar) flag;
}

/* noise_poisson_gray's fast path; flags per pixel element n*hw + p.
 * Global (hw, n). */
__kernel void noise_poisson_gray_fast (__global const float *src,
    __global float *dst, __global const float *tab, __global const float *cdf,
    __global const float *lpt, __global uchar *flags,
    int hw, float scale,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  const size_t base = (size_t) n * 3 * hw + p;
  const uint element = (uint) n * hw + p;
  const float r0 = src[base], g0 = src[base + hw], b0 = src[base + 2 * hw];
  const int L = level_of (gray_of (r0, g0, b0));
  const size_t row = (size_t) n * 256 + L;
  const float g = (float) L / 255.0f, vals = tab[(size_t) n * 256 * 8 + 2];
  uint w0, w1, w2, w3;
  sr_stream_block_s (seed_lo, seed_hi, op, index_lo, index_hi, element, 0,
      &w0, &w1, &w2, &w3);
  int ok, flag;
  const float count = pois_fast_count (tab, cdf, lpt, row, g, vals, w0, w1, w2,
      w3, &ok, &flag);
  const float noise = (count / vals - g) * scale;
  /* computed first, then selected (a ?: over fmin calls becomes a branch
   * and a phi that SLP pairs across channels) */
  const float r1 = fmin (fmax (r0 + noise, 0.0f), 1.0f);
  const float g1 = fmin (fmax (g0 + noise, 0.0f), 1.0f);
  const float b1 = fmin (fmax (b0 + noise, 0.0f), 1.0f);
  dst[base] = ok ? r1 : r0;
  dst[base + hw] = ok ? g1 : g0;
  dst[base + 2 * hw] = ok ? b1 : b0;
  flags[element] = (uchar) flag;
}

/* sr_poisson (r, lam) for lam >= 10 (a flagged sample's) resumed from what
 * the fast path settled (flag): a trial it decided is not redone, the rest
 * are sr_poisson's own, in its order and with its expressions (b from the
 * table, a and vr from b as there; the logs only when a trial needs the
 * exact test), so the same count. */
SR_INLINE float
pois_slow_count (SrStreamKey key, uint e, float lam, float b, uint flag)
{
  const float a = -0.059f + 0.02483f * b;
  const float vr = 0.9277f - 3.6224f / (b - 2.0f);
  float loglam = 0.0f, log_invalpha = 0.0f;
  int have_logs = 0, blk = -1;
  uint4 w = (uint4) (0);
  for (int trial = 0; trial < 2 * SR_PHILOX_MAX_BLOCKS; trial++) {
    /* -1: not settled; 0: rejected; 1: accepted */
    const int known = trial == 0 ? ((flag & POIS_T1_REJ) ? 0 : -1)
        : trial == 1 ? ((flag & POIS_T2_REJ) ? 0 : (flag & POIS_T2_ACC) ? 1 : -1)
        : -1;
    if (known == 0)
      continue;
    if (blk != trial >> 1) {
      blk = trial >> 1;
      w = sr_stream_block (key, e, (uint) blk);
    }
    const float U = sr_u01 ((trial & 1) ? w.z : w.x) - 0.5f;
    const float V = sr_u01 ((trial & 1) ? w.w : w.y);
    const float us = 0.5f - fabs (U);
    const float k = floor ((2.0f * a / us + b) * U + lam + 0.43f);
    if (known == 1 || (us >= 0.07f && V <= vr))
      return k;
    if (k < 0.0f || (us < 0.013f && V > us))
      continue;
    if (!have_logs) {
      loglam = log (lam);
      log_invalpha = log (1.1239f + 1.1328f / (b - 3.4f));
      have_logs = 1;
    }
    if (log (V) + log_invalpha - log (a / (us * us) + b)
        <= sr_poisson_log_pmf (k, lam, loglam))
      return k;
  }
  return rint (lam);
}

/* The samples the fast path flagged (only lam >= 10 ones), finished as
 * sr_poisson would (pois_slow_count; their src values are intact: the fast
 * path did not write them). total = flagged elements' count (N*C*HW
 * colour, N*HW gray). Global (chunks). */
__kernel void noise_poisson_slow (__global const float *src,
    __global float *dst, __global const float *tab,
    __global const uchar *flags, int total,
    int hw, int channels, int gray, float scale,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int ch = get_global_id (0);
  /* flags holds whole chunks (the host zeroes the bytes past total) */
  const __global uint4 *f4 = (const __global uint4 *) (flags
      + (size_t) ch * POIS_CHUNK);
  uint4 any = (uint4) (0);
  for (int j = 0; j < POIS_CHUNK / 16; j++)
    any |= f4[j];
  if (!(any.x | any.y | any.z | any.w))
    return;
  const SrStreamKey key = sr_stream_key (seed_lo, seed_hi, op, index_lo,
      index_hi);
  const int end = min (total, (ch + 1) * POIS_CHUNK);
  for (int e = ch * POIS_CHUNK; e < end; e++) {
    const uint flag = flags[e];
    if (!flag)
      continue;
    if (gray) {
      const int n = e / hw, p = e - n * hw;
      const size_t base = (size_t) n * 3 * hw + p;
      const float r0 = src[base], g0 = src[base + hw], b0 = src[base + 2 * hw];
      const size_t row = (size_t) n * 256 + level_of (gray_of (r0, g0, b0));
      const float g = tab[row * 8], vals = tab[row * 8 + 2];
      const float count = pois_slow_count (key, (uint) e, g * vals,
          tab[row * 8 + 3], flag);
      const float noise = (count / vals - g) * scale;
      dst[base] = fmin (fmax (r0 + noise, 0.0f), 1.0f);
      dst[base + hw] = fmin (fmax (g0 + noise, 0.0f), 1.0f);
      dst[base + 2 * hw] = fmin (fmax (b0 + noise, 0.0f), 1.0f);
    } else {
      const int n = e / (channels * hw);
      const float v = src[e];
      const size_t row = (size_t) n * 256 + level_of (v);
      const float x = tab[row * 8], vals = tab[row * 8 + 2];
      const float count = pois_slow_count (key, (uint) e, x * vals,
          tab[row * 8 + 3], flag);
      const float noise = count / vals - x;
      dst[e] = fmin (fmax (v + noise * scale, 0.0f), 1.0f);
    }
  }
}

/* ---- KAIR (BSRGAN / BSRGAN+) -------------------------------------------- */

/* dst = clamp(src, 0, 1): KAIR's np.clip after its resizes. Global (count). */
__kernel void noise_clamp (__global const float *src, __global float *dst)
{
  const size_t i = get_global_id (0);
  dst[i] = fmin (fmax (src[i], 0.0f), 1.0f);
}

/* dst = clamp(rint(src*255), 0, 255)/255: what OpenCV stores when a filter
 * or resize writes an 8-bit image (saturate_cast<uchar>, half to even),
 * as mmagic's blurs and resizes do on a decoded JPEG. Global (count). */
__kernel void noise_round8 (__global const float *src, __global float *dst)
{
  const size_t i = get_global_id (0);
  dst[i] = (float) level_of (src[i]) / 255.0f;
}

/* BSRGAN+'s add_speckle_noise (KAIR utils_blindsr.py): x = clamp(img, 0, 1),
 * out = clamp(x + x * noise, 0, 1), the noise drawn as noise_gaussian
 * (mode 0 colour, 1 gray: normal c / normal 0 of the pixel's stream, times
 * std) or noise_correlated (mode 2: z @ F). C = 3. Global (hw, n). */
__kernel void noise_speckle (__global const float *src, __global float *dst,
    int hw, int mode, float std, float16 f,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  const SrStreamKey key = sr_stream_key (seed_lo, seed_hi, op, index_lo,
      index_hi);
  const uint4 w = sr_stream_block (key, (uint) n * hw + p, 0);
  const float2 z01 = sr_box_muller (w.x, w.y), z23 = sr_box_muller (w.z, w.w);
  float noise[3];
  if (mode == 2) {
    noise[0] = z01.x * f.s0 + z01.y * f.s3 + z23.x * f.s6;
    noise[1] = z01.x * f.s1 + z01.y * f.s4 + z23.x * f.s7;
    noise[2] = z01.x * f.s2 + z01.y * f.s5 + z23.x * f.s8;
  } else if (mode == 1) {
    noise[0] = noise[1] = noise[2] = z01.x * std;
  } else {
    noise[0] = z01.x * std;
    noise[1] = z01.y * std;
    noise[2] = z23.x * std;
  }
  const size_t base = (size_t) n * 3 * hw + p;
  for (int c = 0; c < 3; c++) {
    const size_t i = base + (size_t) c * hw;
    const float x = fmin (fmax (src[i], 0.0f), 1.0f);
    dst[i] = fmin (fmax (x + x * noise[c], 0.0f), 1.0f);
  }
}

/* BSRGAN+'s add_Poisson_noise (KAIR utils_blindsr.py): x = clamp(round(img*255),
 * 0, 255)/255; colour: out = poisson(x*vals)/vals per sample (element n*3hw
 * + c*hw + p); gray: g = rounded 0.299R + 0.587G + 0.114B of x, noise =
 * poisson(g*vals)/vals - g (element n*hw + p) added to R, G, B; clamped.
 * C = 3. Global (hw, n). */
__kernel void noise_poisson_kair (__global const float *src, __global float *dst,
    int hw, float vals, int gray,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  const SrStreamKey key = sr_stream_key (seed_lo, seed_hi, op, index_lo,
      index_hi);
  const size_t base = (size_t) n * 3 * hw + p;
  float x[3];
  for (int c = 0; c < 3; c++)
    x[c] = (float) level_of (src[base + (size_t) c * hw]) / 255.0f;
  SrElementRng r;
  if (gray) {
    const float g = (float) level_of (0.299f * x[0] + 0.587f * x[1]
        + 0.114f * x[2]) / 255.0f;
    sr_element_rng_init (&r, key, (uint) n * hw + p);
    const float noise = sr_poisson (&r, g * vals) / vals - g;
    for (int c = 0; c < 3; c++)
      dst[base + (size_t) c * hw] = fmin (fmax (x[c] + noise, 0.0f), 1.0f);
    return;
  }
  for (int c = 0; c < 3; c++) {
    const size_t i = base + (size_t) c * hw;
    sr_element_rng_init (&r, key, (uint) i);
    dst[i] = fmin (fmax (sr_poisson (&r, x[c] * vals) / vals, 0.0f), 1.0f);
  }
}

/* ---- mmagic (RealBasicVSR) ----------------------------------------------
 * mmagic's RandomNoise works on frames in 0..255 and never clips:
 * out = frame + noise (a later JPEG or the final Clip saturates). Here
 * frames are in [0, 1], so the noise is divided by 255.
 * Gaussian (poisson = 0): normal c of the pixel's stream (gray: normal 0 on
 * R, G, B) times sigma = value, as noise_gaussian3 draws them.
 * Poisson: x = the frame's rounded level (gray: OpenCV's gray level,
 * mask from noise_level_mask_gray601), vals from the mask, noise =
 * poisson(x*vals)/vals - x in 0..255 units (element n*3hw + c*hw + p; gray
 * n*hw + p), out = frame + value*noise/255. C = 3. Global (hw, n). */
__kernel void noise_mmagic (__global const float *src, __global float *dst,
    __global const uint *mask, int hw, int poisson, int gray, float value,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const int p = get_global_id (0), n = get_global_id (1);
  const SrStreamKey key = sr_stream_key (seed_lo, seed_hi, op, index_lo,
      index_hi);
  const size_t base = (size_t) n * 3 * hw + p;
  const float v[3] = { src[base], src[base + hw], src[base + 2 * hw] };
  float noise[3];
  if (!poisson) {
    const uint4 w = sr_stream_block (key, (uint) n * hw + p, 0);
    const float2 z01 = sr_box_muller (w.x, w.y), z23 = sr_box_muller (w.z, w.w);
    noise[0] = z01.x * value;
    noise[1] = gray ? noise[0] : z01.y * value;
    noise[2] = gray ? noise[0] : z23.x * value;
  } else {
    const float vals = vals_of (mask, n);
    SrElementRng r;
    if (gray) {
      const float x = (float) level255_of (gray601_of (v[0], v[1], v[2]));
      sr_element_rng_init (&r, key, (uint) n * hw + p);
      noise[0] = noise[1] = noise[2] = (sr_poisson (&r, x * vals) / vals - x) * value;
    } else {
      for (int c = 0; c < 3; c++) {
        const float x = (float) level255_of (v[c] * 255.0f);
        sr_element_rng_init (&r, key, (uint) (base + (size_t) c * hw));
        noise[c] = (sr_poisson (&r, x * vals) / vals - x) * value;
      }
    }
  }
  for (int c = 0; c < 3; c++)
    dst[base + (size_t) c * hw] = v[c] + noise[c] / 255.0f;
}

/* ---- raw streams, for the unit tests -------------------------------------- */

/* out[4i..4i+3] = Philox4x32-10 of ctr = in[6i..6i+3], key = in[6i+4..5]. */
__kernel void philox_kat (__global const uint *in, __global uint *out)
{
  const int i = get_global_id (0);
  const __global uint *v = in + 6 * i;
  const uint4 o = sr_philox4x32_10 ((uint4) (v[0], v[1], v[2], v[3]),
      (uint2) (v[4], v[5]));
  vstore4 (o, i, out);
}

/* For element e: words[e*4*blocks ...] the raw words of blocks 0..blocks-1,
 * u01 of each word, and the normals of each word pair. */
__kernel void stream_dump (__global uint *words, __global float *u01,
    __global float *normals, int blocks,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const uint e = get_global_id (0);
  const SrStreamKey key = sr_stream_key (seed_lo, seed_hi, op, index_lo,
      index_hi);
  for (int b = 0; b < blocks; b++) {
    const uint4 w = sr_stream_block (key, e, b);
    const size_t at = ((size_t) e * blocks + b) * 4;
    const float2 z01 = sr_box_muller (w.x, w.y), z23 = sr_box_muller (w.z, w.w);
    vstore4 (w, 0, words + at);
    vstore4 ((float4) (sr_u01 (w.x), sr_u01 (w.y), sr_u01 (w.z), sr_u01 (w.w)),
        0, u01 + at);
    vstore4 ((float4) (z01, z23), 0, normals + at);
  }
}

/* out[e] = one Poisson(lam) count from element e's stream. */
__kernel void poisson_samples (__global float *out, float lam,
    uint seed_lo, uint seed_hi, uint op, uint index_lo, uint index_hi)
{
  const uint e = get_global_id (0);
  SrElementRng r;
  sr_element_rng_init (&r, sr_stream_key (seed_lo, seed_hi, op, index_lo,
          index_hi), e);
  out[e] = sr_poisson (&r, lam);
}
