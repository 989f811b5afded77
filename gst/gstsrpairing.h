/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Pairing by running time (DESIGN contract 6), shared by srpairsink (hr,
 * lr) and srmetrics (ref, test). Two inputs deliver buffers in running-time
 * order; a buffer pairs with the other input's buffer of the same running
 * time. One whose partner can no longer come (the other input is already
 * past its time, sent a GAP over it, or ended) is unmatched: counted and
 * dropped, never paired with a neighbour. Not thread-safe: the element
 * calls it under its own lock. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct {
  GstBuffer *buffer;
  GstClockTime rt;            /* running time */
  guint64 seq;                /* the element's own numbering */
} GstSrPending;

typedef struct {
  GQueue pending[2];          /* of GstSrPending *, running-time order */
  gboolean eos[2];
  GstClockTime position[2];   /* running time of the last buffer or gap */
  guint64 unmatched;          /* buffers dropped without a partner */
} GstSrPairing;

typedef enum {
  GST_SR_PAIRED,              /* *partner is the other input's buffer */
  GST_SR_QUEUED,              /* waits for its partner */
  GST_SR_UNMATCHED,           /* counted and to be dropped by the caller */
} GstSrPairingResult;

void gst_sr_pairing_init (GstSrPairing *p);
/* Frees what waits and forgets the positions and EOS (also the count
 * when `all`, for a new run). */
void gst_sr_pairing_reset (GstSrPairing *p, gboolean all);
/* One input only (FLUSH_STOP on it). */
void gst_sr_pairing_reset_side (GstSrPairing *p, int side);

/* `item` (a new GstSrPending with a reference on its buffer) arrived on
 * `side`. PAIRED: *partner is the other side's item, taken off its queue
 * (the caller frees both); QUEUED: the pairing keeps item; UNMATCHED: the
 * caller frees item. An invalid running time is unmatched. */
GstSrPairingResult gst_sr_pairing_offer (GstSrPairing *p, int side,
    GstSrPending *item, GstSrPending **partner);

/* `side` has nothing from running time rt for `duration` (a GAP event;
 * an invalid duration covers rt alone): the other side's buffers before
 * its end are unmatched. */
void gst_sr_pairing_gap (GstSrPairing *p, int side, GstClockTime rt,
    GstClockTime duration);

/* `side` ended: everything waiting on the other side is unmatched. */
void gst_sr_pairing_eos (GstSrPairing *p, int side);

guint gst_sr_pairing_waiting (const GstSrPairing *p, int side);

GstSrPending *gst_sr_pending_new (GstBuffer *buffer, GstClockTime rt,
    guint64 seq);
void gst_sr_pending_free (GstSrPending *item);

G_END_DECLS
