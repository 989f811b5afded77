/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsrsize.h"

void
gst_sr_size_limit_set (GstSrSizeLimit *lim, gint min, gint step)
{
  step = MAX (step, 1);
  /* A stepped range needs bounds on the step. */
  if (min > 0)
    min = (min + step - 1) / step * step;
  lim->step = step;
  g_atomic_int_set (&lim->min, MAX (min, 0));
  g_atomic_int_set (&lim->refused, FALSE);
}

static gboolean
narrow (GstStructure *st, const char *field, gint min, gint step)
{
  GValue allowed = G_VALUE_INIT, out = G_VALUE_INIT;
  const GValue *v = gst_structure_get_value (st, field);
  g_value_init (&allowed, GST_TYPE_INT_RANGE);
  gst_value_set_int_range_step (&allowed, min, G_MAXINT - G_MAXINT % step, step);
  if (!v) {
    gst_structure_take_value (st, field, &allowed);
    return TRUE;
  }
  gboolean ok = gst_value_intersect (&out, v, &allowed);
  g_value_unset (&allowed);
  if (ok)
    gst_structure_take_value (st, field, &out);
  return ok;
}

GstCaps *
gst_sr_size_limit_apply (const GstSrSizeLimit *lim, GstCaps *caps)
{
  const gint min = g_atomic_int_get (&lim->min);
  if (min <= 0 || gst_caps_is_any (caps))
    return caps;
  GstCaps *out = gst_caps_new_empty ();
  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *st = gst_structure_copy (gst_caps_get_structure (caps, i));
    if (narrow (st, "width", min, lim->step) && narrow (st, "height", min, lim->step))
      gst_caps_append_structure_full (out, st,
          gst_caps_features_copy (gst_caps_get_features (caps, i)));
    else
      gst_structure_free (st);
  }
  gst_caps_unref (caps);
  return out;
}

gboolean
gst_sr_size_limit_allows (const GstSrSizeLimit *lim, const GstCaps *caps)
{
  GstCaps *left = gst_sr_size_limit_apply (lim, gst_caps_copy (caps));
  const gboolean any = !gst_caps_is_empty (left);
  gst_caps_unref (left);
  return any;
}

GstCaps *
gst_sr_size_limit_refused (const GstSrSizeLimit *lim, GstQuery *query)
{
  GstCaps *offered = NULL;
  if (g_atomic_int_get (&lim->min) <= 0)
    return NULL;
  if (GST_QUERY_TYPE (query) == GST_QUERY_CAPS) {
    GstCaps *result = NULL;
    gst_query_parse_caps (query, &offered);
    gst_query_parse_caps_result (query, &result);
    if (!offered || (result && !gst_caps_is_empty (result)))
      return NULL;
  } else if (GST_QUERY_TYPE (query) == GST_QUERY_ACCEPT_CAPS) {
    gboolean accepted;
    gst_query_parse_accept_caps (query, &offered);
    gst_query_parse_accept_caps_result (query, &accepted);
    if (!offered || accepted)
      return NULL;
  } else {
    return NULL;
  }
  /* Empty or any offer: the size is not what failed. */
  if (gst_caps_is_empty (offered) || gst_caps_is_any (offered)
      || gst_sr_size_limit_allows (lim, offered))
    return NULL;
  return offered;
}

gboolean
gst_sr_size_limit_first_refusal (GstSrSizeLimit *lim)
{
  return g_atomic_int_compare_and_exchange (&lim->refused, FALSE, TRUE);
}

gchar *
gst_sr_caps_size_string (const GstCaps *caps)
{
  if (gst_caps_is_empty (caps) || gst_caps_is_any (caps))
    return g_strdup ("?");
  const GstStructure *st = gst_caps_get_structure (caps, 0);
  const GValue *w = gst_structure_get_value (st, "width");
  const GValue *h = gst_structure_get_value (st, "height");
  gchar *ws = w ? gst_value_serialize (w) : g_strdup ("any");
  gchar *hs = h ? gst_value_serialize (h) : g_strdup ("any");
  gchar *s = g_strdup_printf ("%sx%s", ws, hs);
  g_free (ws);
  g_free (hs);
  return s;
}

/* ---- scaling elements' caps ---------------------------------------------- */

/* One width or height across a scaling element, as the interval [lo, hi] it
 * maps to (a single size is [v, v]). Shrinking mod-crops then divides; its
 * inverse is every size that crops to the given one, [v*s, v*s + s - 1].
 * Enlarging multiplies; its inverse exists only for multiples of s. FALSE
 * when nothing maps (the value is then left unset). */
static gboolean
scale_dimension (const GValue *in, GValue *out, int s, gboolean enlarge,
    GstPadDirection dir)
{
  if (GST_VALUE_HOLDS_LIST (in)) {
    g_value_init (out, GST_TYPE_LIST);
    for (guint i = 0; i < gst_value_list_get_size (in); i++) {
      GValue item = G_VALUE_INIT;
      if (scale_dimension (gst_value_list_get_value (in, i), &item, s, enlarge, dir))
        gst_value_list_append_and_take_value (out, &item);
    }
    if (gst_value_list_get_size (out) > 0)
      return TRUE;
    g_value_unset (out);
    return FALSE;
  }
  gint64 lo, hi;
  if (G_VALUE_HOLDS_INT (in))
    lo = hi = g_value_get_int (in);
  else if (GST_VALUE_HOLDS_INT_RANGE (in)) {
    lo = gst_value_get_int_range_min (in);
    hi = gst_value_get_int_range_max (in);
  } else
    return FALSE;
  const gboolean forward = dir == GST_PAD_SINK;
  if (enlarge && forward) {
    lo *= s;
    hi *= s;
  } else if (enlarge) {
    lo = (lo + s - 1) / s;
    hi /= s;
  } else if (forward) {
    lo = MAX (lo / s, 1);
    hi = MAX (hi / s, 1);
  } else {
    lo *= s;
    hi = hi * s + s - 1;
  }
  if (lo > hi || lo > G_MAXINT)
    return FALSE;
  hi = MIN (hi, G_MAXINT);
  if (lo == hi) {
    g_value_init (out, G_TYPE_INT);
    g_value_set_int (out, (int) lo);
  } else {
    g_value_init (out, GST_TYPE_INT_RANGE);
    gst_value_set_int_range (out, (int) lo, (int) hi);
  }
  return TRUE;
}

GstCaps *
gst_sr_scale_caps (GstCaps *caps, int s, gboolean enlarge, GstPadDirection dir)
{
  GstCaps *out = gst_caps_new_empty ();

  for (guint i = 0; i < gst_caps_get_size (caps); i++) {
    GstStructure *st = gst_structure_copy (gst_caps_get_structure (caps, i));
    gboolean ok = TRUE;
    const char *dims[] = { "width", "height" };
    for (int d = 0; d < 2 && ok; d++) {
      const GValue *v = gst_structure_get_value (st, dims[d]);
      GValue nv = G_VALUE_INIT;
      if (!v)
        gst_structure_set (st, dims[d], GST_TYPE_INT_RANGE, 1, G_MAXINT, NULL);
      else if ((ok = scale_dimension (v, &nv, s, enlarge, dir)))
        gst_structure_take_value (st, dims[d], &nv);
    }
    if (ok)
      gst_caps_append_structure_full (out, st,
          gst_caps_features_copy (gst_caps_get_features (caps, i)));
    else
      gst_structure_free (st);
  }
  /* The same formats first (what fixation picks when the peer allows it),
   * then any format: upload and download convert on the device, so a YUV
   * input can leave as RGB without a videoconvert. */
  GstCaps *any = gst_caps_copy (out);
  for (guint i = 0; i < gst_caps_get_size (any); i++)
    gst_structure_remove_fields (gst_caps_get_structure (any, i), "format",
        "colorimetry", "chroma-site", NULL);
  out = gst_caps_merge (out, any);
  return out;
}
