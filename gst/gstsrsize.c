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
