/* Noise steps: Real-ESRGAN's Gaussian and Poisson noise (spec A.7) and
 * BSRGAN's gray / colour / channel-correlated Gaussian noise (spec B.1.6),
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
inline float
gray_of (float r, float g, float b)
{
  return 0.2989f * r + 0.587f * g + 0.114f * b;
}

/* torch's clamp(round(v*255), 0, 255), round half to even. */
inline int
level_of (float v)
{
  return (int) fmin (fmax (rint (v * 255.0f), 0.0f), 255.0f);
}

/* Marks which 8-bit levels occur in each image: mask[n*8 + j] bit b set
 * when level 32j + b occurs (colour: over all channels' values; gray: over
 * the rounded gray image). Each work item ORs its share into a private
 * 256-bit mask, the group merges in local memory, and one item per word
 * merges into the global mask (zeroed before). Global (groups*64, n),
 * local (64, 1). */
__kernel void noise_level_mask (__global const float *src,
    __global volatile uint *mask, int hw, int channels, int gray)
{
  __local volatile uint lmask[8];
  const int lid = get_local_id (0), n = get_global_id (1);
  const int count = gray ? hw : channels * hw;
  const __global float *s = src + (size_t) n * channels * hw;
  const uint8 lanes = (uint8) (0, 1, 2, 3, 4, 5, 6, 7);
  uint8 m = (uint8) (0);
  if (lid < 8)
    lmask[lid] = 0;
  for (int i = get_global_id (0); i < count; i += get_global_size (0)) {
    const int k = gray ? level_of (gray_of (s[i], s[hw + i], s[2 * hw + i]))
        : level_of (s[i]);
    m |= (uint8) (1u << (k & 31)) & as_uint8 ((uint8) ((uint) k >> 5) == lanes);
  }
  barrier (CLK_LOCAL_MEM_FENCE);
  if (m.s0) atomic_or (&lmask[0], m.s0);
  if (m.s1) atomic_or (&lmask[1], m.s1);
  if (m.s2) atomic_or (&lmask[2], m.s2);
  if (m.s3) atomic_or (&lmask[3], m.s3);
  if (m.s4) atomic_or (&lmask[4], m.s4);
  if (m.s5) atomic_or (&lmask[5], m.s5);
  if (m.s6) atomic_or (&lmask[6], m.s6);
  if (m.s7) atomic_or (&lmask[7], m.s7);
  barrier (CLK_LOCAL_MEM_FENCE);
  if (lid < 8 && lmask[lid])
    atomic_or (&mask[n * 8 + lid], lmask[lid]);
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

/* Real-ESRGAN's Poisson noise, colour: per sample, x = level/255,
 * noise = poisson(x*vals)/vals - x, out = clamp(img + scale*noise, 0, 1)
 * (added to the unrounded img). Element = flat sample index. Global
 * (channels*hw, n). */
__kernel void noise_poisson (__global const float *src, __global float *dst,
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
__kernel void noise_poisson_gray (__global const float *src, __global float *dst,
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

/* ---- KAIR (BSRGAN / BSRGAN+) -------------------------------------------- */

/* dst = clamp(src, 0, 1): KAIR's np.clip after its resizes. Global (count). */
__kernel void noise_clamp (__global const float *src, __global float *dst)
{
  const size_t i = get_global_id (0);
  dst[i] = fmin (fmax (src[i], 0.0f), 1.0f);
}

/* BSRGAN+'s add_speckle_noise (spec B.2 item 6): x = clamp(img, 0, 1),
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

/* BSRGAN+'s add_Poisson_noise (spec B.2 item 7): x = clamp(round(img*255),
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
