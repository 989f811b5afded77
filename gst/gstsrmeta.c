/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsrmeta.h"

#include <gst/video/video.h>
#include <math.h>
#include <string.h>

static gboolean
copy_field (GQuark field, const GValue *value, gpointer dest)
{
  gst_structure_id_set_value (dest, field, value);
  return TRUE;
}

/* dest's record becomes a copy of src's fields. */
static void
set_record (GstCustomMeta *dest, const GstStructure *src)
{
  GstStructure *s = gst_custom_meta_get_structure (dest);
  gst_structure_remove_all_fields (s);
  gst_structure_set_name (s, "sr-degradation");
  gst_structure_foreach (src, copy_field, s);
}

/* Copied on buffer copies and on conversions that keep the frame's size
 * (videoconvert), which do not change which source pixels a frame holds;
 * scaling drops it: the recorded crop and sizes would be wrong afterwards.
 * Tagged "video" and "size" so that GStreamer's convert/scale elements (one
 * class since 1.22) ask with the scale transform, whose infos tell a
 * conversion from a scaling. */
static gboolean
meta_transform (GstBuffer *dest, GstCustomMeta *meta, GstBuffer *buffer,
    GQuark type, gpointer data, gpointer user_data)
{
  (void) buffer;
  (void) user_data;
  gboolean keep = GST_META_TRANSFORM_IS_COPY (type)
      || type == g_quark_from_static_string (GST_META_TAG_VIDEO_COLORSPACE_STR);
  if (GST_VIDEO_META_TRANSFORM_IS_SCALE (type)) {
    const GstVideoMetaTransform *t = data;
    keep = GST_VIDEO_INFO_WIDTH (t->in_info) == GST_VIDEO_INFO_WIDTH (t->out_info)
        && GST_VIDEO_INFO_HEIGHT (t->in_info) == GST_VIDEO_INFO_HEIGHT (t->out_info);
  }
  if (keep)
    set_record (gst_buffer_add_custom_meta (dest, GST_SR_DEGRADATION_META_NAME),
        gst_custom_meta_get_structure (meta));
  return keep;
}

const GstMetaInfo *
gst_sr_degradation_meta_register (void)
{
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    static const gchar *tags[] = { GST_META_TAG_VIDEO_STR, GST_META_TAG_VIDEO_SIZE_STR, NULL };
    const GstMetaInfo *mi = gst_meta_register_custom (GST_SR_DEGRADATION_META_NAME,
        tags, meta_transform, NULL, NULL);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) mi);
  }
  return info;
}

const GstStructure *
gst_sr_degradation_get (GstBuffer *buffer)
{
  GstCustomMeta *m = gst_buffer_get_custom_meta (buffer, GST_SR_DEGRADATION_META_NAME);
  return m ? gst_custom_meta_get_structure (m) : NULL;
}

void
gst_buffer_add_sr_degradation_meta (GstBuffer *buffer, GstStructure *info)
{
  gst_sr_degradation_meta_register ();
  GstCustomMeta *m = gst_buffer_get_custom_meta (buffer, GST_SR_DEGRADATION_META_NAME);
  if (!m)
    m = gst_buffer_add_custom_meta (buffer, GST_SR_DEGRADATION_META_NAME);
  set_record (m, info);
  gst_structure_free (info);
}

void
gst_sr_degradation_append_op (GstStructure *info, GstStructure *step)
{
  GValue v = G_VALUE_INIT;
  const GValue *ops = gst_structure_get_value (info, "ops");
  if (!ops || !GST_VALUE_HOLDS_ARRAY (ops)) {
    GValue arr = G_VALUE_INIT;
    g_value_init (&arr, GST_TYPE_ARRAY);
    gst_structure_take_value (info, "ops", &arr);
    ops = gst_structure_get_value (info, "ops");
  }
  g_value_init (&v, GST_TYPE_STRUCTURE);
  g_value_take_boxed (&v, step);
  gst_value_array_append_and_take_value ((GValue *) ops, &v);
}

/* ---- SrRecord -> GstStructure -------------------------------------------- */

GValue
gst_sr_int_array (const int *vals, int n)
{
  GValue v = G_VALUE_INIT;
  g_value_init (&v, GST_TYPE_ARRAY);
  for (int i = 0; i < n; i++) {
    GValue e = G_VALUE_INIT;
    g_value_init (&e, G_TYPE_INT);
    g_value_set_int (&e, vals[i]);
    gst_value_array_append_and_take_value (&v, &e);
  }
  return v;
}

static void
field_to_structure (const SrField *f, GstStructure *s)
{
  GValue v = G_VALUE_INIT;
  switch (f->type) {
    case SR_VALUE_INT:
      if (f->v.i >= G_MININT && f->v.i <= G_MAXINT)
        gst_structure_set (s, f->key, G_TYPE_INT, (int) f->v.i, NULL);
      else
        gst_structure_set (s, f->key, G_TYPE_INT64, f->v.i, NULL);
      return;
    case SR_VALUE_DOUBLE:
      gst_structure_set (s, f->key, G_TYPE_DOUBLE, f->v.d, NULL);
      return;
    case SR_VALUE_STRING:
      gst_structure_set (s, f->key, G_TYPE_STRING, f->v.s, NULL);
      return;
    case SR_VALUE_BOOL:
      gst_structure_set (s, f->key, G_TYPE_BOOLEAN, f->v.b, NULL);
      return;
    case SR_VALUE_SIZE:
      v = gst_sr_int_array (f->v.size, 2);
      gst_structure_take_value (s, f->key, &v);
      return;
  }
}

GstStructure *
gst_sr_degradation_info_from (GstBuffer *buffer)
{
  const GstStructure *s = gst_sr_degradation_get (buffer);
  return s ? gst_structure_copy (s) : gst_structure_new_empty ("sr-degradation");
}

void
gst_sr_degradation_append_record (GstStructure *info, const SrRecord *rec)
{
  for (int i = 0; i < rec->n_ops; i++) {
    const SrOpRecord *op = &rec->ops[i];
    GstStructure *step = gst_structure_new_empty (op->name);
    for (int j = 0; j < op->n_fields; j++)
      field_to_structure (&op->fields[j], step);
    gst_sr_degradation_append_op (info, step);
  }
}

/* ---- JSON ---------------------------------------------------------------- */

static JsonNode *value_to_json (const GValue *v);

static JsonNode *
double_to_json (double d)
{
  /* JSON has no NaN/Inf. json-glib prints the rest with 17 significant
   * digits (see sr_json_to_string), so a replay reads the exact value. */
  return isfinite (d) ? json_node_init_double (json_node_alloc (), d)
      : json_node_init_null (json_node_alloc ());
}

static gboolean
field_to_json (GQuark field, const GValue *v, gpointer user)
{
  JsonObject *o = user;
  json_object_set_member (o, g_quark_to_string (field), value_to_json (v));
  return TRUE;
}

static JsonNode *
structure_to_json (const GstStructure *s, const char *name_key)
{
  JsonObject *o = json_object_new ();
  if (name_key)
    json_object_set_string_member (o, name_key, gst_structure_get_name (s));
  gst_structure_foreach (s, field_to_json, o);
  return json_node_init_object (json_node_alloc (), o);
}

static JsonNode *
value_to_json (const GValue *v)
{
  GType t = G_VALUE_TYPE (v);
  JsonNode *n = json_node_alloc ();
  if (t == G_TYPE_INT)
    return json_node_init_int (n, g_value_get_int (v));
  if (t == G_TYPE_UINT)
    return json_node_init_int (n, g_value_get_uint (v));
  if (t == G_TYPE_INT64)
    return json_node_init_int (n, g_value_get_int64 (v));
  if (t == G_TYPE_UINT64) {
    const guint64 u = g_value_get_uint64 (v);
    if (u <= G_MAXINT64)
      return json_node_init_int (n, (gint64) u);
    /* Above 2^63 - 1 (a seed can be): JSON readers that hold integers as
     * signed 64 bits (json-glib among them) cannot keep it, so it goes out
     * as its decimal digits in a string. */
    gchar *digits = g_strdup_printf ("%" G_GUINT64_FORMAT, u);
    json_node_init_string (n, digits);
    g_free (digits);
    return n;
  }
  if (t == G_TYPE_BOOLEAN)
    return json_node_init_boolean (n, g_value_get_boolean (v));
  if (t == G_TYPE_STRING)
    return json_node_init_string (n, g_value_get_string (v) ? g_value_get_string (v) : "");
  json_node_free (n);
  if (t == G_TYPE_DOUBLE)
    return double_to_json (g_value_get_double (v));
  if (t == G_TYPE_FLOAT)
    return double_to_json (g_value_get_float (v));
  if (t == GST_TYPE_ARRAY || t == GST_TYPE_LIST) {
    const gboolean arr = t == GST_TYPE_ARRAY;
    guint len = arr ? gst_value_array_get_size (v) : gst_value_list_get_size (v);
    JsonArray *a = json_array_sized_new (len);
    for (guint i = 0; i < len; i++)
      json_array_add_element (a, value_to_json (arr ? gst_value_array_get_value (v, i)
              : gst_value_list_get_value (v, i)));
    return json_node_init_array (json_node_alloc (), a);
  }
  if (t == GST_TYPE_STRUCTURE)
    return structure_to_json (gst_value_get_structure (v), "op");
  gchar *s = gst_value_serialize (v);
  n = json_node_init_string (json_node_alloc (), s ? s : "");
  g_free (s);
  return n;
}

JsonNode *
gst_sr_structure_to_json (const GstStructure *s)
{
  return structure_to_json (s, NULL);
}
