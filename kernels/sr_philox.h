/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
 * 3", SC'11), the counter-based generator behind every random draw of
 * gst-sr. The same rounds run on the device from
 * philox.clh, so host and device streams agree. Streams are keyed by
 * (seed, frame or clip index, op id): key = seed, counter = (draw, op,
 * index lo, index hi). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint32 v[4];
} SrPhilox4x32;

static inline SrPhilox4x32
sr_philox4x32_10 (SrPhilox4x32 ctr, guint32 k0, guint32 k1)
{
  for (int round = 0; round < 10; round++) {
    const guint64 p0 = (guint64) 0xD2511F53u * ctr.v[0];
    const guint64 p1 = (guint64) 0xCD9E8D57u * ctr.v[2];
    SrPhilox4x32 next;
    next.v[0] = (guint32) (p1 >> 32) ^ ctr.v[1] ^ k0;
    next.v[1] = (guint32) p1;
    next.v[2] = (guint32) (p0 >> 32) ^ ctr.v[3] ^ k1;
    next.v[3] = (guint32) p0;
    ctr = next;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  return ctr;
}

/* A host-side stream of draws for one (seed, index, op). */
typedef struct {
  guint32 k0, k1;
  guint32 op;
  guint64 index;
  guint32 block;              /* next counter block */
  guint32 buf[4];
  int avail;                  /* unread words in buf */
} SrRng;

static inline void
sr_rng_init (SrRng *r, guint64 seed, guint64 index, guint32 op)
{
  r->k0 = (guint32) seed;
  r->k1 = (guint32) (seed >> 32);
  r->op = op;
  r->index = index;
  r->block = 0;
  r->avail = 0;
}

static inline guint32
sr_rng_u32 (SrRng *r)
{
  if (r->avail == 0) {
    SrPhilox4x32 c = { { r->block++, r->op, (guint32) r->index,
            (guint32) (r->index >> 32) } };
    SrPhilox4x32 o = sr_philox4x32_10 (c, r->k0, r->k1);
    for (int i = 0; i < 4; i++)
      r->buf[i] = o.v[i];
    r->avail = 4;
  }
  return r->buf[4 - r->avail--];
}

/* U[0,1) with 53 random bits, as Python's random() and NumPy's
 * random_sample() produce. */
static inline double
sr_rng_uniform (SrRng *r)
{
  const guint64 a = sr_rng_u32 (r) >> 5, b = sr_rng_u32 (r) >> 6;
  return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

/* U[lo, hi) as lo + (hi - lo) * U[0,1) (NumPy's uniform). */
static inline double
sr_rng_range (SrRng *r, double lo, double hi)
{
  return lo + (hi - lo) * sr_rng_uniform (r);
}

/* An integer in [lo, hi], both included, without modulo bias. */
static inline gint64
sr_rng_int (SrRng *r, gint64 lo, gint64 hi)
{
  const guint64 span = (guint64) (hi - lo) + 1;
  if (span == 0)
    return lo + (gint64) (((guint64) sr_rng_u32 (r) << 32) | sr_rng_u32 (r));
  const guint64 limit = G_MAXUINT64 - G_MAXUINT64 % span;
  guint64 v;
  do
    v = ((guint64) sr_rng_u32 (r) << 32) | sr_rng_u32 (r);
  while (v >= limit);
  return lo + (gint64) (v % span);
}

/* ---- per-element device streams: host twins of philox.clh -------------
 * Counter = (element | block << 28, op, index lo, index hi), key = seed.
 * The float helpers use only integer operations and float +, -, * in the
 * same order as the device code (C11 mode keeps GCC from contracting them
 * to fma), so they reproduce the device's bits. */
#define SR_PHILOX_ELEMENT_BITS 28
#define SR_PHILOX_MAX_ELEMENTS (1u << SR_PHILOX_ELEMENT_BITS)
#define SR_PHILOX_MAX_BLOCKS 16

static inline SrPhilox4x32
sr_philox_element_block (guint64 seed, guint64 index, guint32 op,
    guint32 element, guint32 block)
{
  SrPhilox4x32 c = { { element | (block << SR_PHILOX_ELEMENT_BITS), op,
          (guint32) index, (guint32) (index >> 32) } };
  return sr_philox4x32_10 (c, (guint32) seed, (guint32) (seed >> 32));
}

static inline guint32
sr_philox_float_bits (float f)
{
  union { float f; guint32 u; } v = { .f = f };
  return v.u;
}

static inline float
sr_philox_bits_float (guint32 u)
{
  union { guint32 u; float f; } v = { .u = u };
  return v.f;
}

/* (2m+1)/2^24 with m = w >> 9: uniform on (0,1), exact. */
static inline float
sr_philox_u01f (guint32 w)
{
  return (float) (((w >> 9) << 1) | 1u) * 5.9604644775390625e-8f;
}

static inline float
sr_philox_logf (float u)
{
  const guint32 bits = sr_philox_float_bits (u);
  int e = (int) (bits >> 23) - 127;
  float m = sr_philox_bits_float ((bits & 0x007FFFFFu) | 0x3F800000u);
  if (m > 1.41421354f) {
    m = m * 0.5f;
    e = e + 1;
  }
  const float f = m - 1.0f;
  float p = 0.0665200651f;
  p = p * f - 0.115749106f;
  p = p * f + 0.118807763f;
  p = p * f - 0.124214403f;
  p = p * f + 0.142213508f;
  p = p * f - 0.16667071f;
  p = p * f + 0.200021014f;
  p = p * f - 0.250000358f;
  p = p * f + 0.333333105f;
  p = p * f - 0.5f;
  p = p * f + 1.0f;
  return (float) e * 0.693147182f + f * p;
}

static inline float
sr_philox_sqrtf (float x)
{
  float y = sr_philox_bits_float (0x5F3759DFu - (sr_philox_float_bits (x) >> 1));
  const float hx = 0.5f * x;
  y = y * (1.5f - (hx * y) * y);
  y = y * (1.5f - (hx * y) * y);
  y = y * (1.5f - (hx * y) * y);
  return x * y;
}

/* sin and cos of 2 pi sr_philox_u01f(w). */
static inline void
sr_philox_sincos_turn (guint32 w, float *sin_out, float *cos_out)
{
  const int t = (int) (((w >> 9) << 1) | 1u);
  const int q = (t + (1 << 21)) >> 22;
  const float x = (float) (t - (q << 22)) * 2.384185791015625e-7f;
  const float x2 = x * x;
  float s = 0.000160441181f;
  s = s * x2 - 0.00468175393f;
  s = s * x2 + 0.0796926245f;
  s = s * x2 - 0.645964086f;
  s = s * x2 + 1.57079637f;
  s = s * x;
  float c = -2.52020418e-05f;
  c = c * x2 + 0.000919260259f;
  c = c * x2 - 0.0208634809f;
  c = c * x2 + 0.2536695f;
  c = c * x2 - 1.23370051f;
  c = c * x2 + 1.0f;
  switch (q & 3) {
    case 0: *sin_out = s; *cos_out = c; break;
    case 1: *sin_out = c; *cos_out = -s; break;
    case 2: *sin_out = -s; *cos_out = -c; break;
    default: *sin_out = -c; *cos_out = s; break;
  }
}

/* Box-Muller: z0 = r cos phi, z1 = r sin phi with r = sqrt(-2 ln u01(a)),
 * phi = 2 pi u01(b); normals 2j, 2j+1 of a stream use its words 2j, 2j+1. */
static inline void
sr_philox_box_muller (guint32 a, guint32 b, float *z0, float *z1)
{
  const float r = sr_philox_sqrtf (-2.0f * sr_philox_logf (sr_philox_u01f (a)));
  float s, c;
  sr_philox_sincos_turn (b, &s, &c);
  *z0 = r * c;
  *z1 = r * s;
}

G_END_DECLS
