#include "gstsrmeta.h"

#include <gst/video/video.h>
#include <math.h>
#include <string.h>

GType
gst_sr_degradation_meta_api_get_type (void)
{
  static GType type = 0;
  static const gchar *tags[] = { GST_META_TAG_VIDEO_STR, NULL };
  if (g_once_init_enter (&type)) {
    GType t = gst_meta_api_type_register ("GstSrDegradationMetaAPI", tags);
    g_once_init_leave (&type, t);
  }
  return type;
}

static gboolean
meta_init (GstMeta *meta, gpointer params, GstBuffer *buffer)
{
  (void) params;
  (void) buffer;
  ((GstSrDegradationMeta *) meta)->info = NULL;
  return TRUE;
}

static void
meta_free (GstMeta *meta, GstBuffer *buffer)
{
  (void) buffer;
  GstSrDegradationMeta *m = (GstSrDegradationMeta *) meta;
  if (m->info)
    gst_structure_free (m->info);
}

/* Copied on buffer copies and on colorspace-only conversions (videoconvert),
 * which do not change which source pixels a frame holds. Scaling drops it:
 * the recorded crop and sizes would be wrong afterwards. */
static gboolean
meta_transform (GstBuffer *dest, GstMeta *meta, GstBuffer *buffer,
    GQuark type, gpointer data)
{
  (void) buffer;
  (void) data;
  GstSrDegradationMeta *m = (GstSrDegradationMeta *) meta;
  if (GST_META_TRANSFORM_IS_COPY (type)
      || type == g_quark_from_static_string (GST_META_TAG_VIDEO_COLORSPACE_STR)) {
    if (m->info)
      gst_buffer_add_sr_degradation_meta (dest, gst_structure_copy (m->info));
    return TRUE;
  }
  return FALSE;
}

const GstMetaInfo *
gst_sr_degradation_meta_get_info (void)
{
  static const GstMetaInfo *info = NULL;
  if (g_once_init_enter ((GstMetaInfo **) & info)) {
    const GstMetaInfo *mi = gst_meta_register (GST_SR_DEGRADATION_META_API_TYPE,
        "GstSrDegradationMeta", sizeof (GstSrDegradationMeta), meta_init,
        meta_free, meta_transform);
    g_once_init_leave ((GstMetaInfo **) & info, (GstMetaInfo *) mi);
  }
  return info;
}

GstSrDegradationMeta *
gst_buffer_add_sr_degradation_meta (GstBuffer *buffer, GstStructure *info)
{
  GstSrDegradationMeta *m = gst_buffer_get_sr_degradation_meta (buffer);
  if (!m)
    m = (GstSrDegradationMeta *) gst_buffer_add_meta (buffer,
        gst_sr_degradation_meta_get_info (), NULL);
  if (m->info)
    gst_structure_free (m->info);
  m->info = info;
  return m;
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
  GstSrDegradationMeta *m = gst_buffer_get_sr_degradation_meta (buffer);
  return m && m->info ? gst_structure_copy (m->info)
      : gst_structure_new_empty ("sr-degradation");
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

void
gst_sr_json_string (GString *out, const char *s)
{
  g_string_append_c (out, '"');
  for (const unsigned char *p = (const unsigned char *) s; *p; p++) {
    switch (*p) {
      case '"': g_string_append (out, "\\\""); break;
      case '\\': g_string_append (out, "\\\\"); break;
      case '\n': g_string_append (out, "\\n"); break;
      case '\r': g_string_append (out, "\\r"); break;
      case '\t': g_string_append (out, "\\t"); break;
      default:
        if (*p < 0x20)
          g_string_append_printf (out, "\\u%04x", *p);
        else
          g_string_append_c (out, (char) *p);
    }
  }
  g_string_append_c (out, '"');
}

static void value_to_json (const GValue *v, GString *out);

static void
double_to_json (double d, GString *out)
{
  if (!isfinite (d)) {
    g_string_append (out, "null");    /* JSON has no NaN/Inf */
    return;
  }
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd (buf, sizeof buf, "%.17g", d);
  g_string_append (out, buf);
  /* Keep doubles recognisable as floats for readers: 1 -> 1.0 */
  if (!strpbrk (buf, ".eEn"))
    g_string_append (out, ".0");
}

static gboolean
field_to_json (GQuark field, const GValue *v, gpointer user)
{
  GString *out = user;
  if (out->str[out->len - 1] != '{')
    g_string_append_c (out, ',');
  gst_sr_json_string (out, g_quark_to_string (field));
  g_string_append_c (out, ':');
  value_to_json (v, out);
  return TRUE;
}

static void
structure_to_json (const GstStructure *s, const char *name_key, GString *out)
{
  g_string_append_c (out, '{');
  if (name_key) {
    gst_sr_json_string (out, name_key);
    g_string_append_c (out, ':');
    gst_sr_json_string (out, gst_structure_get_name (s));
  }
  gst_structure_foreach (s, field_to_json, out);
  g_string_append_c (out, '}');
}

static void
value_to_json (const GValue *v, GString *out)
{
  GType t = G_VALUE_TYPE (v);
  if (t == G_TYPE_INT)
    g_string_append_printf (out, "%d", g_value_get_int (v));
  else if (t == G_TYPE_UINT)
    g_string_append_printf (out, "%u", g_value_get_uint (v));
  else if (t == G_TYPE_INT64)
    g_string_append_printf (out, "%" G_GINT64_FORMAT, g_value_get_int64 (v));
  else if (t == G_TYPE_UINT64)
    g_string_append_printf (out, "%" G_GUINT64_FORMAT, g_value_get_uint64 (v));
  else if (t == G_TYPE_DOUBLE)
    double_to_json (g_value_get_double (v), out);
  else if (t == G_TYPE_FLOAT)
    double_to_json (g_value_get_float (v), out);
  else if (t == G_TYPE_BOOLEAN)
    g_string_append (out, g_value_get_boolean (v) ? "true" : "false");
  else if (t == G_TYPE_STRING)
    gst_sr_json_string (out, g_value_get_string (v) ? g_value_get_string (v) : "");
  else if (t == GST_TYPE_ARRAY || t == GST_TYPE_LIST) {
    guint n = t == GST_TYPE_ARRAY ? gst_value_array_get_size (v) : gst_value_list_get_size (v);
    g_string_append_c (out, '[');
    for (guint i = 0; i < n; i++) {
      if (i)
        g_string_append_c (out, ',');
      value_to_json (t == GST_TYPE_ARRAY ? gst_value_array_get_value (v, i)
          : gst_value_list_get_value (v, i), out);
    }
    g_string_append_c (out, ']');
  } else if (t == GST_TYPE_STRUCTURE) {
    structure_to_json (gst_value_get_structure (v), "op", out);
  } else {
    char *s = gst_value_serialize (v);
    gst_sr_json_string (out, s ? s : "");
    g_free (s);
  }
}

void
gst_sr_structure_to_json (const GstStructure *s, GString *out)
{
  structure_to_json (s, NULL, out);
}
