/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsrpairing.h"

GstSrPending *
gst_sr_pending_new (GstBuffer *buffer, GstClockTime rt, guint64 seq)
{
  GstSrPending *item = g_new0 (GstSrPending, 1);
  item->buffer = gst_buffer_ref (buffer);
  item->rt = rt;
  item->seq = seq;
  return item;
}

void
gst_sr_pending_free (GstSrPending *item)
{
  if (!item)
    return;
  gst_buffer_unref (item->buffer);
  g_free (item);
}

void
gst_sr_pairing_init (GstSrPairing *p)
{
  for (int s = 0; s < 2; s++) {
    g_queue_init (&p->pending[s]);
    p->eos[s] = FALSE;
    p->position[s] = GST_CLOCK_TIME_NONE;
  }
  p->unmatched = 0;
}

void
gst_sr_pairing_reset_side (GstSrPairing *p, int side)
{
  g_queue_clear_full (&p->pending[side], (GDestroyNotify) gst_sr_pending_free);
  p->eos[side] = FALSE;
  p->position[side] = GST_CLOCK_TIME_NONE;
}

void
gst_sr_pairing_reset (GstSrPairing *p, gboolean all)
{
  gst_sr_pairing_reset_side (p, 0);
  gst_sr_pairing_reset_side (p, 1);
  if (all)
    p->unmatched = 0;
}

/* Drops the buffers waiting on `side` before running time rt (all for
 * NONE): their partner can no longer arrive. */
static void
drop_before (GstSrPairing *p, int side, GstClockTime rt)
{
  GstSrPending *head;
  while ((head = g_queue_peek_head (&p->pending[side]))
      && (rt == GST_CLOCK_TIME_NONE || head->rt < rt)) {
    g_queue_pop_head (&p->pending[side]);
    p->unmatched++;
    gst_sr_pending_free (head);
  }
}

GstSrPairingResult
gst_sr_pairing_offer (GstSrPairing *p, int side, GstSrPending *item,
    GstSrPending **partner)
{
  const int other = !side;
  *partner = NULL;
  if (!GST_CLOCK_TIME_IS_VALID (item->rt)) {
    /* Without a running time nothing can be paired honestly. */
    p->unmatched++;
    return GST_SR_UNMATCHED;
  }
  p->position[side] = item->rt;
  drop_before (p, other, item->rt);
  GstSrPending *head = g_queue_peek_head (&p->pending[other]);
  if (head && head->rt == item->rt) {
    *partner = g_queue_pop_head (&p->pending[other]);
    return GST_SR_PAIRED;
  }
  /* The other side is already past this time. */
  if (head || p->eos[other] || (GST_CLOCK_TIME_IS_VALID (p->position[other])
          && p->position[other] > item->rt)) {
    p->unmatched++;
    return GST_SR_UNMATCHED;
  }
  g_queue_push_tail (&p->pending[side], item);
  return GST_SR_QUEUED;
}

void
gst_sr_pairing_gap (GstSrPairing *p, int side, GstClockTime rt,
    GstClockTime duration)
{
  if (!GST_CLOCK_TIME_IS_VALID (rt))
    return;
  const GstClockTime end = rt + (GST_CLOCK_TIME_IS_VALID (duration)
      ? MAX (duration, 1) : 1);
  drop_before (p, !side, end);          /* no partner in the gap */
  p->position[side] = end - 1;
}

void
gst_sr_pairing_eos (GstSrPairing *p, int side)
{
  p->eos[side] = TRUE;
  drop_before (p, !side, GST_CLOCK_TIME_NONE);
}

guint
gst_sr_pairing_waiting (const GstSrPairing *p, int side)
{
  return g_queue_get_length ((GQueue *) &p->pending[side]);
}
