/* Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2,
 * 3", SC'11), the counter-based generator behind every random draw of
 * gst-sr (DESIGN contract 4). The same rounds run on the device from
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

G_END_DECLS
