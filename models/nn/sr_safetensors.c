/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_safetensors.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

/* The reference reader's limit on the header (safetensors/src/tensor.rs,
 * MAX_HEADER_SIZE). */
#define MAX_HEADER_BYTES G_GUINT64_CONSTANT (100000000)

struct _SrSafetensors {
  gchar *path;
  GMappedFile *map;
  SrSafetensorsTensor *tensors;   /* sorted by name */
  guint n_tensors;
  const char **names;             /* NULL-terminated, sorted */
  GHashTable *metadata;           /* string -> string */
};

static const struct {
  const char *name;
  SrSafetensorsDtype dtype;
  int bits;
} dtypes[] = {
  { "BOOL", SR_ST_BOOL, 8 }, { "U8", SR_ST_U8, 8 }, { "I8", SR_ST_I8, 8 },
  { "I16", SR_ST_I16, 16 }, { "U16", SR_ST_U16, 16 }, { "F16", SR_ST_F16, 16 },
  { "BF16", SR_ST_BF16, 16 }, { "I32", SR_ST_I32, 32 }, { "U32", SR_ST_U32, 32 },
  { "F32", SR_ST_F32, 32 }, { "F64", SR_ST_F64, 64 }, { "I64", SR_ST_I64, 64 },
  { "U64", SR_ST_U64, 64 }, { "C64", SR_ST_C64, 64 },
  { "F8_E5M2", SR_ST_F8_E5M2, 8 }, { "F8_E4M3", SR_ST_F8_E4M3, 8 },
  { "F8_E8M0", SR_ST_F8_E8M0, 8 }, { "F8_E4M3FNUZ", SR_ST_F8_E4M3FNUZ, 8 },
  { "F8_E5M2FNUZ", SR_ST_F8_E5M2FNUZ, 8 }, { "F4", SR_ST_F4, 4 },
  { "F6_E2M3", SR_ST_F6_E2M3, 6 }, { "F6_E3M2", SR_ST_F6_E3M2, 6 },
};

#define FAIL(code, ...) \
  (g_set_error (error, SR_MODEL_ERROR, (code), __VA_ARGS__), FALSE)

typedef struct {
  SrSafetensorsTensor *t;
  guint64 begin, end;
} Range;

static int
compare_ranges (const void *a, const void *b)
{
  const Range *x = a, *y = b;
  if (x->begin != y->begin)
    return x->begin < y->begin ? -1 : 1;
  return x->end < y->end ? -1 : x->end > y->end;
}

static int
compare_tensors (const void *a, const void *b)
{
  return strcmp (((const SrSafetensorsTensor *) a)->name,
      ((const SrSafetensorsTensor *) b)->name);
}

/* json-glib keeps the last of duplicate members silently: count what the
 * parser saw per object to notice them. */
static void
on_object_member (JsonParser *parser, JsonObject *object,
    const gchar *member_name, gpointer user_data)
{
  (void) parser;
  (void) member_name;
  GHashTable *counts = user_data;
  g_hash_table_insert (counts, object, GUINT_TO_POINTER (GPOINTER_TO_UINT (
              g_hash_table_lookup (counts, object)) + 1));
}

static gboolean
json_uint (JsonNode *n, guint64 *out)
{
  if (!n || !JSON_NODE_HOLDS_VALUE (n) || json_node_get_value_type (n) != G_TYPE_INT64)
    return FALSE;
  const gint64 v = json_node_get_int (n);
  *out = (guint64) v;
  return v >= 0;
}

/* Reads one header entry into t (name already set); ranges: its bytes. */
static gboolean
read_entry (SrSafetensors *st, JsonNode *node, SrSafetensorsTensor *t,
    guint64 data_len, Range *range, GError **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *dn = o ? json_object_get_member (o, "dtype") : NULL;
  JsonNode *sn = o ? json_object_get_member (o, "shape") : NULL;
  JsonNode *on = o ? json_object_get_member (o, "data_offsets") : NULL;
  if (!dn || !JSON_NODE_HOLDS_VALUE (dn) || json_node_get_value_type (dn) != G_TYPE_STRING
      || !sn || !JSON_NODE_HOLDS_ARRAY (sn) || !on || !JSON_NODE_HOLDS_ARRAY (on))
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s' lacks a dtype string, "
        "a shape array or a data_offsets array", st->path, t->name);
  const char *dtype = json_node_get_string (dn);
  int bits = 0;
  for (guint i = 0; i < G_N_ELEMENTS (dtypes); i++)
    if (!strcmp (dtypes[i].name, dtype)) {
      t->dtype = dtypes[i].dtype;
      t->dtype_name = dtypes[i].name;
      bits = dtypes[i].bits;
    }
  if (!bits)
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s' has unknown dtype '%s'",
        st->path, t->name, dtype);
  JsonArray *shape = json_node_get_array (sn);
  const guint rank = json_array_get_length (shape);
  if (rank > SR_SAFETENSORS_MAX_RANK)
    return FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: tensor '%s' has %u "
        "dimensions (at most %d supported)", st->path, t->name, rank,
        SR_SAFETENSORS_MAX_RANK);
  t->rank = rank;
  gboolean empty = FALSE;
  for (guint d = 0; d < rank; d++) {
    guint64 v;
    if (!json_uint (json_array_get_element (shape, d), &v) || v > G_MAXINT64 / 2)
      return FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s': shape entry %u is "
          "not a non-negative integer", st->path, t->name, d);
    t->shape[d] = v;
    empty |= v == 0;
  }
  /* No element takes less than half a byte: a product beyond twice the data
   * cannot fit, and stopping there keeps it from overflowing. */
  guint64 count = empty ? 0 : 1;
  for (guint d = 0; d < rank && count; d++) {
    if ((guint64) t->shape[d] > 2 * data_len + 2
        || (count *= (guint64) t->shape[d]) > 2 * data_len + 2)
      return FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s': its shape holds "
          "more elements than the %" G_GUINT64_FORMAT "-byte data section",
          st->path, t->name, data_len);
  }
  t->n_elements = count;
  if (count * bits % 8)
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s': %" G_GUINT64_FORMAT
        " elements of %s do not fill whole bytes", st->path, t->name, count, dtype);
  t->n_bytes = count * bits / 8;
  JsonArray *offsets = json_node_get_array (on);
  if (json_array_get_length (offsets) != 2
      || !json_uint (json_array_get_element (offsets, 0), &range->begin)
      || !json_uint (json_array_get_element (offsets, 1), &range->end))
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s': data_offsets must be "
        "two non-negative integers", st->path, t->name);
  if (range->end < range->begin || range->end > data_len)
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s': data_offsets [%"
        G_GUINT64_FORMAT ", %" G_GUINT64_FORMAT "] lie outside the %"
        G_GUINT64_FORMAT "-byte data section", st->path, t->name, range->begin,
        range->end, data_len);
  if (range->end - range->begin != t->n_bytes)
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s' has %" G_GUINT64_FORMAT
        " bytes, but its shape of %s needs %" G_GSIZE_FORMAT, st->path, t->name,
        range->end - range->begin, dtype, t->n_bytes);
  range->t = t;
  return TRUE;
}

static gboolean
read_metadata (SrSafetensors *st, JsonNode *node, GError **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  if (!o)
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: __metadata__ is not an object",
        st->path);
  GList *members = json_object_get_members (o);
  gboolean ok = TRUE;
  for (GList *m = members; m && ok; m = m->next) {
    JsonNode *v = json_object_get_member (o, m->data);
    if (!JSON_NODE_HOLDS_VALUE (v) || json_node_get_value_type (v) != G_TYPE_STRING)
      ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: __metadata__ entry '%s' is not a "
          "string", st->path, (const char *) m->data);
    else
      g_hash_table_insert (st->metadata, g_strdup (m->data),
          g_strdup (json_node_get_string (v)));
  }
  g_list_free (members);
  return ok;
}

static gboolean
read_header (SrSafetensors *st, const guint8 *bytes, gsize size, GError **error)
{
  if (size < 8)
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: %" G_GSIZE_FORMAT " bytes, too "
        "short for a safetensors file (it starts with an 8-byte header "
        "length)", st->path, size);
  guint64 n = 0;
  for (int i = 7; i >= 0; i--)
    n = n << 8 | bytes[i];
  if (n > MAX_HEADER_BYTES)
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: header length %" G_GUINT64_FORMAT
        " is beyond the %" G_GUINT64_FORMAT "-byte limit (not a safetensors "
        "file?)", st->path, n, MAX_HEADER_BYTES);
  if (n > size - 8)
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: header length %" G_GUINT64_FORMAT
        " runs past the end of the %" G_GSIZE_FORMAT "-byte file (truncated?)",
        st->path, n, size);
  const char *text = (const char *) bytes + 8;
  if (!g_utf8_validate (text, n, NULL))
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: the header is not UTF-8 text",
        st->path);
  const guint64 data_len = size - 8 - n;
  const guint8 *data = bytes + 8 + n;

  JsonParser *parser = json_parser_new ();
  GHashTable *counts = g_hash_table_new (NULL, NULL);
  g_signal_connect (parser, "object-member", G_CALLBACK (on_object_member), counts);
  GError *e = NULL;
  gboolean ok = TRUE;
  JsonNode *root = NULL;
  if (n == 0 || !json_parser_load_from_data (parser, text, n, &e)) {
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: the header is not JSON: %s",
        st->path, e ? e->message : "empty");
    g_clear_error (&e);
  } else if (!(root = json_parser_get_root (parser)) || !JSON_NODE_HOLDS_OBJECT (root)) {
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: the header is not a JSON object",
        st->path);
  }
  JsonObject *top = ok ? json_node_get_object (root) : NULL;
  if (ok && GPOINTER_TO_UINT (g_hash_table_lookup (counts, top))
      != json_object_get_size (top))
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: the header names a tensor twice",
        st->path);

  GList *members = ok ? json_object_get_members (top) : NULL;
  st->tensors = g_new0 (SrSafetensorsTensor, g_list_length (members) + 1);
  Range *ranges = g_new0 (Range, g_list_length (members) + 1);
  for (GList *m = members; m && ok; m = m->next) {
    const char *name = m->data;
    JsonNode *node = json_object_get_member (top, name);
    if (!strcmp (name, "__metadata__")) {
      ok = read_metadata (st, node, error);
      continue;
    }
    SrSafetensorsTensor *t = &st->tensors[st->n_tensors];
    t->name = g_strdup (name);
    st->n_tensors++;
    ok = read_entry (st, node, t, data_len, &ranges[st->n_tensors - 1], error);
  }
  g_list_free (members);

  /* The ranges must tile the data section: sorted, each starts where the
   * previous one ended. */
  if (ok)
    qsort (ranges, st->n_tensors, sizeof (Range), compare_ranges);
  guint64 at = 0;
  for (guint i = 0; ok && i < st->n_tensors; i++) {
    const Range *r = &ranges[i];
    if (r->begin < at)
      ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s' (bytes %"
          G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT ") overlaps tensor '%s' "
          "(bytes %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT ")", st->path,
          r->t->name, r->begin, r->end, ranges[i - 1].t->name,
          ranges[i - 1].begin, ranges[i - 1].end);
    else if (r->begin > at)
      ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: tensor '%s' starts at byte %"
          G_GUINT64_FORMAT " of the data, leaving a gap after byte %"
          G_GUINT64_FORMAT, st->path, r->t->name, r->begin, at);
    r->t->data = data + r->begin;
    at = r->end;
  }
  if (ok && at != data_len)
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: the data section has %"
        G_GUINT64_FORMAT " bytes, but its tensors end at byte %"
        G_GUINT64_FORMAT, st->path, data_len, at);
  g_free (ranges);
  g_hash_table_unref (counts);
  g_object_unref (parser);
  if (!ok)
    return FALSE;

  qsort (st->tensors, st->n_tensors, sizeof (SrSafetensorsTensor), compare_tensors);
  st->names = g_new0 (const char *, st->n_tensors + 1);
  for (guint i = 0; i < st->n_tensors; i++)
    st->names[i] = st->tensors[i].name;
  return TRUE;
}

SrSafetensors *
sr_safetensors_open (const char *path, GError **error)
{
  SrSafetensors *st = g_new0 (SrSafetensors, 1);
  st->path = g_strdup (path);
  st->metadata = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GError *e = NULL;
  st->map = g_mapped_file_new (path, FALSE, &e);
  if (!st->map) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_IO, "%s: %s", path,
        e->message);
    g_error_free (e);
    sr_safetensors_close (st);
    return NULL;
  }
  const guint8 *bytes = (const guint8 *) g_mapped_file_get_contents (st->map);
  const gsize size = bytes ? g_mapped_file_get_length (st->map) : 0;
  if (!read_header (st, bytes, size, error)) {
    sr_safetensors_close (st);
    return NULL;
  }
  return st;
}

void
sr_safetensors_close (SrSafetensors *st)
{
  if (!st)
    return;
  for (guint i = 0; i < st->n_tensors; i++)
    g_free ((gchar *) st->tensors[i].name);
  g_free (st->tensors);
  g_free (st->names);
  g_hash_table_unref (st->metadata);
  if (st->map)
    g_mapped_file_unref (st->map);
  g_free (st->path);
  g_free (st);
}

const char *
sr_safetensors_path (const SrSafetensors *st)
{
  return st->path;
}

const char *const *
sr_safetensors_names (const SrSafetensors *st, guint *n)
{
  if (n)
    *n = st->n_tensors;
  return st->names;
}

const char *
sr_safetensors_metadata (const SrSafetensors *st, const char *key)
{
  return g_hash_table_lookup (st->metadata, key);
}

const SrSafetensorsTensor *
sr_safetensors_lookup (const SrSafetensors *st, const char *name)
{
  SrSafetensorsTensor key = { 0 };
  key.name = name;
  return bsearch (&key, st->tensors, st->n_tensors, sizeof (SrSafetensorsTensor),
      compare_tensors);
}

/* IEEE binary16 -> float: subnormals, infinities and NaNs kept. */
static float
half_to_float (guint16 h)
{
  const guint32 sign = (guint32) (h & 0x8000u) << 16, exp = (h >> 10) & 0x1f,
      man = h & 0x3ff;
  union { guint32 u; float f; } v;
  if (exp == 0x1f)
    v.u = sign | 0x7f800000u | man << 13;
  else if (exp)
    v.u = sign | (exp + 112) << 23 | man << 13;
  else
    return (sign ? -1.0f : 1.0f) * ldexpf ((float) man, -24);
  return v.f;
}

static gchar *
shape_string (int rank, const gint64 *shape)
{
  GString *s = g_string_new ("[");
  for (int d = 0; d < rank; d++)
    g_string_append_printf (s, "%s%" G_GINT64_FORMAT, d ? ", " : "", shape[d]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

float *
sr_safetensors_read_float (const SrSafetensors *st, const char *name, int rank,
    const gint64 *shape, GError **error)
{
  const SrSafetensorsTensor *t = sr_safetensors_lookup (st, name);
  gboolean same = t && (!shape || t->rank == rank);
  for (int d = 0; same && shape && d < rank; d++)
    same = t->shape[d] == shape[d];
  if (!same) {
    gchar *want = shape ? shape_string (rank, shape) : g_strdup ("?");
    gchar *have = t ? shape_string (t->rank, t->shape) : NULL;
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS,
        t ? "%s: tensor '%s' has shape %s, expected %s"
        : "%s: tensor '%s' is missing%s (expected shape %s)", st->path, name,
        t ? have : "", want);
    g_free (want);
    g_free (have);
    return NULL;
  }
  if (t->dtype != SR_ST_F32 && t->dtype != SR_ST_F16 && t->dtype != SR_ST_BF16) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "%s: tensor '%s' is %s (F32, F16 and BF16 are supported)", st->path,
        name, t->dtype_name);
    return NULL;
  }
  float *out = g_new (float, MAX (t->n_elements, 1));
  const guint8 *p = t->data;
  for (guint64 i = 0; i < t->n_elements; i++) {
    union { guint32 u; float f; } v;
    if (t->dtype == SR_ST_F32) {
      v.u = (guint32) p[4 * i] | (guint32) p[4 * i + 1] << 8
          | (guint32) p[4 * i + 2] << 16 | (guint32) p[4 * i + 3] << 24;
      out[i] = v.f;
    } else {
      const guint16 h = (guint16) (p[2 * i] | p[2 * i + 1] << 8);
      if (t->dtype == SR_ST_F16) {
        out[i] = half_to_float (h);
      } else {
        v.u = (guint32) h << 16;
        out[i] = v.f;
      }
    }
  }
  return out;
}

gboolean
sr_safetensors_all_used (const SrSafetensors *st, GHashTable *used,
    const char *network, GError **error)
{
  guint n;
  const char *const *names = sr_safetensors_names (st, &n);
  for (guint i = 0; i < n; i++)
    if (!g_hash_table_contains (used, names[i])) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS,
          "tensor '%s' belongs to no layer of %s", names[i], network);
      return FALSE;
    }
  return TRUE;
}
