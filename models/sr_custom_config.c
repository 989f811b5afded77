/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_custom_config.h"
#include "sr_status.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <stddef.h>
#include <string.h>

/* ---- the keys ---------------------------------------------------------------- */

typedef enum { T_NUM, T_INT, T_BOOL } KeyType;

enum {
  F_ORDERED = 1,        /* min <= max */
  F_HAS_ONE = 2,        /* min <= 1 <= max: drawn below and above 1 */
  F_SUM = 4,            /* weights: a positive sum */
  F_ODD = 8,
};

typedef struct {
  const char *name;
  gboolean stage;       /* in [stage1]/[stage2], else in [degradation] */
  KeyType type;
  int count;
  double lo, hi;
  int flags;
  gsize offset;         /* into SrStageConfig or SrTwoStageConfig */
} KeyDef;

#define SO(f) offsetof (SrStageConfig, f)
#define CO(f) offsetof (SrTwoStageConfig, f)

/* Ranges match sr_twostage_config_check, so a key that passes here can only
 * fail there by disagreeing with another key. */
static const KeyDef keys[] = {
  {"stages", FALSE, T_INT, 1, 1, 2, 0, CO (n_stages)},
  {"kernel-pad", FALSE, T_INT, 1, 1, SR_MAX_KERNEL, F_ODD, CO (kernel_pad)},
  {"second-blur-prob", FALSE, T_NUM, 1, 0, 1, 0, CO (second_blur_prob)},
  {"final-sinc-prob", FALSE, T_NUM, 1, 0, 1, 0, CO (final_sinc_prob)},
  {"final-reuses-mode", FALSE, T_BOOL, 1, 0, 1, 0, CO (final_reuses_mode)},
  {"resize-prob", TRUE, T_NUM, 3, 0, 1, F_SUM, SO (resize_prob)},
  {"resize-range", TRUE, T_NUM, 2, 0.01, 16, F_ORDERED | F_HAS_ONE, SO (resize_range)},
  {"gaussian-noise-prob", TRUE, T_NUM, 1, 0, 1, 0, SO (gaussian_prob)},
  {"noise-range", TRUE, T_NUM, 2, 0, 255, F_ORDERED, SO (noise_sigma)},
  {"poisson-scale-range", TRUE, T_NUM, 2, 0, 100, F_ORDERED, SO (poisson_scale)},
  {"gray-noise-prob", TRUE, T_NUM, 1, 0, 1, 0, SO (gray_prob)},
  {"jpeg-range", TRUE, T_NUM, 2, 1, 100, F_ORDERED, SO (jpeg_range)},
  {"kernel-prob", TRUE, T_NUM, SR_N_MIXED_KERNELS, 0, 1, F_SUM, SO (kernel_prob)},
  {"kernel-sizes", TRUE, T_INT, 2, 1, SR_MAX_KERNEL, F_ORDERED | F_ODD, SO (ksize_min)},
  {"sinc-prob", TRUE, T_NUM, 1, 0, 1, 0, SO (sinc_prob)},
  {"blur-sigma", TRUE, T_NUM, 2, 1e-3, 50, F_ORDERED, SO (sigma)},
  {"betag-range", TRUE, T_NUM, 2, 1e-3, 1e3, F_ORDERED | F_HAS_ONE, SO (betag)},
  {"betap-range", TRUE, T_NUM, 2, 1e-3, 1e3, F_ORDERED | F_HAS_ONE, SO (betap)},
};

#define MAX_VALUES SR_N_MIXED_KERNELS

/* A parsed value: numbers (n may exceed MAX_VALUES: only counted) or a
 * boolean. */
typedef struct {
  int n;
  double v[MAX_VALUES];
  gboolean is_bool, b;
} Value;

static const KeyDef *
find_key (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (!strcmp (keys[i].name, name))
      return &keys[i];
  return NULL;
}

/* "stage1" -> 1, "stage2" -> 2, "degradation" -> 0, else -1. */
static int
group_stage (const char *group)
{
  if (!strcmp (group, "degradation"))
    return 0;
  if (!strcmp (group, "stage1"))
    return 1;
  if (!strcmp (group, "stage2"))
    return 2;
  return -1;
}

static gchar *
key_list (gboolean stage)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    if (keys[i].stage == stage)
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", keys[i].name);
  return g_string_free (s, FALSE);
}

static gchar *
allowed_text (const KeyDef *k)
{
  if (k->type == T_BOOL)
    return g_strdup ("true or false");
  GString *s = g_string_new (NULL);
  const char *what = k->type == T_INT ? (k->flags & F_ODD ? "odd integer" : "integer")
      : "number";
  if (k->count == 1)
    g_string_append_printf (s, "%s %s", k->type == T_INT && !(k->flags & F_ODD)
        ? "an" : "a", what);
  else
    g_string_append_printf (s, "%d %ss", k->count, what);
  g_string_append_printf (s, " in [%g, %g]", k->lo, k->hi);
  if (k->flags & F_HAS_ONE)
    g_string_append (s, " with min <= 1 <= max");
  else if (k->flags & F_ORDERED)
    g_string_append (s, " with min <= max");
  if (k->flags & F_SUM)
    g_string_append (s, " with a positive sum");
  return g_string_free (s, FALSE);
}

/* NULL if v suits k, else why not. */
static gchar *
check_value (const KeyDef *k, const Value *v)
{
  if (k->type == T_BOOL) {
    if (v->is_bool || (v->n == 1 && (v->v[0] == 0 || v->v[0] == 1)))
      return NULL;
    return g_strdup ("not a boolean");
  }
  if (v->is_bool)
    return g_strdup ("a boolean where numbers are expected");
  if (v->n != k->count)
    return g_strdup_printf ("%d value%s given", v->n, v->n == 1 ? "" : "s");
  double sum = 0;
  for (int i = 0; i < v->n; i++) {
    const double x = v->v[i];
    if (!(x >= k->lo && x <= k->hi))
      return g_strdup_printf ("%g is outside [%g, %g]", x, k->lo, k->hi);
    if (k->type == T_INT && x != floor (x))
      return g_strdup_printf ("%g is not an integer", x);
    if ((k->flags & F_ODD) && ((int) x) % 2 == 0)
      return g_strdup_printf ("%g is not odd", x);
    sum += x;
  }
  if ((k->flags & F_ORDERED) && v->v[0] > v->v[1])
    return g_strdup_printf ("min %g > max %g", v->v[0], v->v[1]);
  if ((k->flags & F_HAS_ONE) && (v->v[0] > 1 || v->v[1] < 1))
    return g_strdup_printf ("[%g, %g] does not contain 1", v->v[0], v->v[1]);
  if ((k->flags & F_SUM) && sum <= 0)
    return g_strdup ("the weights sum to 0");
  return NULL;
}

/* stage: 0 for a [degradation] key, else 1 or 2. v already checked. */
static void
apply_value (SrTwoStageConfig *cfg, int stage, const KeyDef *k, const Value *v)
{
  guint8 *base = stage ? (guint8 *) &cfg->stage[stage - 1] : (guint8 *) cfg;
  if (k->type == T_BOOL) {
    *(gboolean *) (base + k->offset) = v->is_bool ? v->b : v->v[0] != 0;
  } else if (k->offset == SO (ksize_min) && k->stage) {
    cfg->stage[stage - 1].ksize_min = (int) v->v[0];
    cfg->stage[stage - 1].ksize_max = (int) v->v[1];
  } else if (k->type == T_INT) {
    *(int *) (base + k->offset) = (int) v->v[0];
  } else {
    memcpy (base + k->offset, v->v, sizeof (double) * k->count);
  }
}

/* Numbers separated by ',' or ';' (one trailing separator allowed, as
 * GKeyFile lists write it), or true/false. */
static gboolean
parse_text (const char *text, Value *v, gchar **why)
{
  *v = (Value) { 0 };
  gchar *t = g_strstrip (g_strdup (text));
  if (!strcmp (t, "true") || !strcmp (t, "false")) {
    v->is_bool = TRUE;
    v->b = t[0] == 't';
    g_free (t);
    return TRUE;
  }
  gchar **parts = g_strsplit_set (t, ",;", -1);
  const guint n = g_strv_length (parts);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < n; i++) {
    gchar *p = g_strstrip (parts[i]);
    if (!*p && i + 1 == n && i > 0)
      break;                    /* trailing separator */
    char *end;
    const double x = *p ? g_ascii_strtod (p, &end) : 0;
    if (!*p || *end || !isfinite (x)) {
      *why = g_strdup_printf ("“%s” is not a number", p);
      ok = FALSE;
      break;
    }
    if (v->n < MAX_VALUES)
      v->v[v->n] = x;
    v->n++;
  }
  g_strfreev (parts);
  g_free (t);
  return ok;
}

/* ---- setting one key --------------------------------------------------------- */

static gboolean
set_checked (SrTwoStageConfig *cfg, int stage, const KeyDef *k, const Value *v,
    GError **error)
{
  gchar *why = check_value (k, v);
  if (why) {
    gchar *allowed = allowed_text (k);
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "%s: %s (allowed: %s)", k->name, why, allowed);
    g_free (allowed);
    g_free (why);
    return FALSE;
  }
  apply_value (cfg, stage, k, v);
  return TRUE;
}

gboolean
sr_custom_config_set (SrTwoStageConfig *cfg, int stage, const char *key,
    const char *text, GError **error)
{
  const KeyDef *k = find_key (key);
  if (!k || k->stage != (stage != 0)) {
    gchar *list = key_list (stage != 0);
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "unknown %s key “%s” (allowed: %s)", stage ? "stage" : "degradation",
        key, list);
    g_free (list);
    return FALSE;
  }
  Value v;
  gchar *why = NULL;
  if (!parse_text (text, &v, &why)) {
    gchar *allowed = allowed_text (k);
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "%s: %s (allowed: %s)", key, why, allowed);
    g_free (allowed);
    g_free (why);
    return FALSE;
  }
  if (stage < 0 && k->count == 1 && v.n > 2) {
    gchar *allowed = allowed_text (k);
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "%s: %d values given (allowed: %s for both stages, or two: stage 1, "
        "stage 2)", key, v.n, allowed);
    g_free (allowed);
    return FALSE;
  }
  SrTwoStageConfig tmp = *cfg;
  if (stage >= 0) {
    if (!set_checked (&tmp, stage, k, &v, error))
      return FALSE;
  } else if (k->count == 1 && v.n == 2) {        /* stage 1, stage 2 */
    Value one = { .n = 1, .v = { v.v[0] } };
    Value two = { .n = 1, .v = { v.v[1] } };
    if (!set_checked (&tmp, 1, k, &one, error) || !set_checked (&tmp, 2, k, &two, error))
      return FALSE;
  } else if (!set_checked (&tmp, 1, k, &v, error)
      || !set_checked (&tmp, 2, k, &v, error)) {
    return FALSE;
  }
  *cfg = tmp;
  return TRUE;
}

/* ---- keyfiles ---------------------------------------------------------------- */

/* The line (1-based) of the last `key =` in [group] (of the first [group]
 * when key is NULL), 0 if not found: GKeyFile keeps the last of duplicate
 * keys and merges repeated groups. */
static int
find_key_line (const char *text, gsize len, const char *group, const char *key)
{
  gchar *copy = g_strndup (text, len);
  gchar **lines = g_strsplit (copy, "\n", -1);
  const gsize klen = key ? strlen (key) : 0;
  gboolean in_group = FALSE;
  int found = 0;
  for (int i = 0; lines[i]; i++) {
    const char *p = lines[i];
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '[') {
      const char *e = strchr (p, ']');
      in_group = e && (gsize) (e - p - 1) == strlen (group)
          && !strncmp (p + 1, group, e - p - 1);
      if (in_group && !key) {
        found = i + 1;
        break;
      }
    } else if (in_group && key && !strncmp (p, key, klen)) {
      p += klen;
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '=')
        found = i + 1;
    }
  }
  g_strfreev (lines);
  g_free (copy);
  return found;
}

/* GKeyFile's parse errors quote the line but do not number it, so the line
 * syntax is checked here first: blank, # comment, [group] or key = value. */
static gboolean
check_keyfile_lines (const char *text, gsize len, const char *name, GError **error)
{
  gchar *copy = g_strndup (text, len);
  gchar **lines = g_strsplit (copy, "\n", -1);
  gboolean ok = TRUE, have_group = FALSE;
  for (int i = 0; ok && lines[i]; i++) {
    gchar *l = g_strstrip (lines[i]);
    const char *why = NULL;
    if (!g_utf8_validate (l, -1, NULL)) {
      why = "invalid UTF-8";
    } else if (!*l || *l == '#') {
      continue;
    } else if (*l == '[') {
      const gsize n = strlen (l);
      if (n < 3 || l[n - 1] != ']' || strpbrk (l + 1, "[]") != l + n - 1)
        why = "a group header must be [name]";
      have_group = TRUE;
    } else {
      const char *eq = strchr (l, '=');
      if (!eq || eq == l)
        why = "not a key = value pair, [group] or # comment";
      else if (!have_group)
        why = "a key before the first [group]";
    }
    if (why) {
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "%s:%d: %s: “%s”", name, i + 1, why, l);
      ok = FALSE;
    }
  }
  g_strfreev (lines);
  g_free (copy);
  return ok;
}

static gboolean
load_keyfile (SrTwoStageConfig *cfg, const char *text, gsize len,
    const char *name, GError **error)
{
  if (!check_keyfile_lines (text, len, name, error))
    return FALSE;
  GKeyFile *kf = g_key_file_new ();
  GError *e = NULL;
  gboolean ok = TRUE;
  if (!g_key_file_load_from_data (kf, text, len, G_KEY_FILE_NONE, &e)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT, "%s: %s", name, e->message);
    g_error_free (e);
    g_key_file_free (kf);
    return FALSE;
  }
  gchar **groups = g_key_file_get_groups (kf, NULL);
  for (int g = 0; ok && groups[g]; g++) {
    const int stage = group_stage (groups[g]);
    if (stage < 0) {
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "%s:%d: unknown group [%s] (allowed: degradation, stage1, stage2)",
          name, find_key_line (text, len, groups[g], NULL), groups[g]);
      ok = FALSE;
      break;
    }
    gchar **names = g_key_file_get_keys (kf, groups[g], NULL, NULL);
    for (int i = 0; ok && names[i]; i++) {
      const int line = find_key_line (text, len, groups[g], names[i]);
      gchar *value = g_key_file_get_string (kf, groups[g], names[i], &e);
      if (!value) {
        g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT, "%s:%d: [%s] %s: %s",
            name, line, groups[g], names[i], e->message);
        g_clear_error (&e);
        ok = FALSE;
      } else if (!sr_custom_config_set (cfg, stage, names[i], value, &e)) {
        g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT, "%s:%d: [%s] %s",
            name, line, groups[g], e->message);
        g_clear_error (&e);
        ok = FALSE;
      }
      g_free (value);
    }
    g_strfreev (names);
  }
  g_strfreev (groups);
  g_key_file_free (kf);
  return ok;
}

/* ---- JSON -------------------------------------------------------------------- */

/* Sets "name:line:col: msg" (without col, or line, when 0). */
static gboolean G_GNUC_PRINTF (5, 6)
fail_at (GError **error, const char *name, int line, int col, const char *fmt,
    ...)
{
  va_list ap;
  va_start (ap, fmt);
  gchar *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  gchar *where = line <= 0 ? g_strdup (name) : col <= 0
      ? g_strdup_printf ("%s:%d", name, line)
      : g_strdup_printf ("%s:%d:%d", name, line, col);
  g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT, "%s: %s", where, msg);
  g_free (where);
  g_free (msg);
  return FALSE;
}

/* json-glib builds the tree and finds the syntax errors. json-glib 1.6 reads
 * numbers with GScanner (`010` is octal 8, `0x10` is 16, `.5` is 0.5), takes
 * several top-level values, overwrites a repeated key, and its nodes carry
 * no position (the parser's current line runs ahead of a number, GScanner
 * having skipped the blanks after it). So this pass over the tokens first
 * holds numbers to RFC 8259, refuses text after the top-level object and
 * repeated names, and notes the line of each group ("group") and key
 * ("group\nkey") in `lines`. Names are taken as written (a key spelt with
 * \u escapes gets no line). */
static gboolean
json_scan (const char *text, gsize len, const char *name, GHashTable *lines,
    GError **error)
{
  GString *open = g_string_new (NULL);   /* the enclosing '{' and '[' */
  gchar *group = NULL;
  gboolean ok = TRUE, closed = FALSE;
  int line = 1;
  gsize line_start = 0, end;
  for (gsize i = 0; ok && i < len; i = end) {
    const char c = text[i];
    const int col = (int) (i - line_start) + 1;
    end = i + 1;
    if (c == '\n') {
      line++;
      line_start = end;
    } else if (c == ' ' || c == '\t' || c == '\r') {
      continue;
    } else if (closed) {
      ok = fail_at (error, name, line, 0, "text after the top-level object");
    } else if (c == '{' || c == '[') {
      g_string_append_c (open, c);
    } else if (c == '}' || c == ']') {
      if (open->len)
        g_string_truncate (open, open->len - 1);
      closed = open->len == 0;
    } else if (c == '"') {
      const int at = line;
      for (; end < len && text[end] != '"'; end++) {
        if (text[end] == '\\' && end + 1 < len)
          end++;
        if (text[end] == '\n') {
          line++;
          line_start = end + 1;
        }
      }
      gsize j = ++end;
      while (j < len && g_ascii_isspace (text[j]))
        j++;
      const gsize depth = open->len;
      if (j >= len || text[j] != ':' || depth < 1 || depth > 2
          || open->str[depth - 1] != '{')
        continue;               /* not a group or key name */
      gchar *key = g_strndup (text + i + 1, end - i - 2);
      gchar *path = depth == 1 ? g_strdup (key)
          : g_strconcat (group ? group : "", "\n", key, NULL);
      if (g_hash_table_contains (lines, path))
        ok = depth == 1
            ? fail_at (error, name, at, 0, "group “%s” appears twice", key)
            : fail_at (error, name, at, 0, "“%s” appears twice in “%s”", key, group);
      g_hash_table_insert (lines, path, GINT_TO_POINTER (at));
      if (depth == 1) {
        g_free (group);
        group = key;
      } else {
        g_free (key);
      }
    } else if (c != ':' && c != ',') {
#define WORD(x) (g_ascii_isalnum (x) || (x) == '.' || (x) == '+' || (x) == '-')
      while (WORD (c) && end < len && WORD (text[end]))
        end++;
#undef WORD
      gchar *tok = g_strndup (text + i, end - i);
      if (!g_ascii_isprint (c))
        ok = fail_at (error, name, line, col, "not JSON: byte 0x%02x",
            (guint8) c);
      else if (strcmp (tok, "true") && strcmp (tok, "false")
          && strcmp (tok, "null") && !g_regex_match_simple
          ("^-?(0|[1-9][0-9]*)(\\.[0-9]+)?([eE][+-]?[0-9]+)?$", tok, 0, 0))
        ok = fail_at (error, name, line, col, "not JSON: “%s”", tok);
      else if (!strpbrk (tok, ".eE") && strlen (tok) > 15)
        ok = fail_at (error, name, line, col, "%s is out of range", tok);
      g_free (tok);
    }
  }
  g_free (group);
  g_string_free (open, TRUE);
  return ok;
}

/* json-glib's message ("<data>:LINE:COL: ...") at our file name, with the
 * line quoted. */
static gboolean
json_syntax_error (GError **error, const char *name, const char *text,
    gsize len, const GError *e)
{
  int line = 0, col = 0, off = 0;
  const char *msg = e->message;
  if (sscanf (msg, "<data>:%d:%d: %n", &line, &col, &off) == 2 && off > 0)
    msg += off;
  const char *p = text, *stop = text + len;
  for (int l = 1; l < line && p < stop; l++) {
    const char *nl = memchr (p, '\n', stop - p);
    p = nl ? nl + 1 : stop;
  }
  const char *eol = memchr (p, '\n', stop - p);
  gchar *quote = g_strstrip (g_strndup (p, (eol ? eol : stop) - p));
  if (line > 0 && *quote && g_utf8_validate (quote, -1, NULL))
    fail_at (error, name, line, col, "%s in “%s”", msg, quote);
  else
    fail_at (error, name, line, col, "%s", msg);
  g_free (quote);
  return FALSE;
}

/* A key's value: a number, true/false or an array of numbers; NULL or why
 * not. */
static const char *
node_value (JsonNode *node, Value *v)
{
  *v = (Value) { 0 };
  JsonArray *array = JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  const guint n = array ? json_array_get_length (array) : 1;
  for (guint i = 0; i < n; i++) {
    JsonNode *x = array ? json_array_get_element (array, i) : node;
    const GType type = JSON_NODE_HOLDS_VALUE (x) ? json_node_get_value_type (x) : 0;
    if (!array && type == G_TYPE_BOOLEAN) {
      v->is_bool = TRUE;
      v->b = json_node_get_boolean (x);
      return NULL;
    }
    if (type != G_TYPE_INT64 && type != G_TYPE_DOUBLE)
      return array ? "an array may only hold numbers"
          : type == G_TYPE_STRING ? "strings are not accepted as values"
          : JSON_NODE_HOLDS_OBJECT (x) ? "objects are only allowed for groups"
          : "expected a number, an array of numbers, true or false";
    const double d = json_node_get_double (x);
    if (!isfinite (d))
      return "number out of range";
    if (v->n < MAX_VALUES)
      v->v[v->n] = d;
    v->n++;
  }
  return NULL;
}

static gboolean
json_group (SrTwoStageConfig *cfg, JsonObject *obj, const char *group,
    int stage, GHashTable *lines, const char *name, GError **error)
{
  GList *keys = json_object_get_members (obj);
  gboolean ok = TRUE;
  for (GList *l = keys; ok && l; l = l->next) {
    const char *key = l->data;
    gchar *path = g_strconcat (group, "\n", key, NULL);
    const int line = GPOINTER_TO_INT (g_hash_table_lookup (lines, path));
    g_free (path);
    const KeyDef *k = find_key (key);
    Value v;
    const char *why;
    GError *e = NULL;
    if (!k || k->stage != (stage != 0)) {
      gchar *list = key_list (stage != 0);
      ok = fail_at (error, name, line, 0, "unknown key “%s” in “%s” (allowed: %s)",
          key, group, list);
      g_free (list);
    } else if ((why = node_value (json_object_get_member (obj, key), &v))) {
      gchar *allowed = allowed_text (k);
      ok = fail_at (error, name, line, 0, "[%s] %s: %s (allowed: %s)", group, key,
          why, allowed);
      g_free (allowed);
    } else if (!set_checked (cfg, stage, k, &v, &e)) {
      ok = fail_at (error, name, line, 0, "[%s] %s", group, e->message);
      g_error_free (e);
    }
  }
  g_list_free (keys);
  return ok;
}

static gboolean
load_json (SrTwoStageConfig *cfg, const char *text, gsize len, const char *name,
    GError **error)
{
  GHashTable *lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  JsonParser *parser = json_parser_new ();
  GError *e = NULL;
  gboolean ok = json_scan (text, len, name, lines, error);
  if (ok && !json_parser_load_from_data (parser, text, len, &e)) {
    ok = json_syntax_error (error, name, text, len, e);
    g_error_free (e);
  }
  JsonNode *root = ok ? json_parser_get_root (parser) : NULL;
  if (ok && (!root || !JSON_NODE_HOLDS_OBJECT (root)))
    ok = fail_at (error, name, 0, 0, "not a JSON object");
  GList *groups = ok ? json_object_get_members (json_node_get_object (root)) : NULL;
  for (GList *g = groups; ok && g; g = g->next) {
    const char *group = g->data;
    const int line = GPOINTER_TO_INT (g_hash_table_lookup (lines, group));
    const int stage = group_stage (group);
    JsonNode *node = json_object_get_member (json_node_get_object (root), group);
    if (stage < 0)
      ok = fail_at (error, name, line, 0,
          "unknown group “%s” (allowed: degradation, stage1, stage2)", group);
    else if (!JSON_NODE_HOLDS_OBJECT (node))
      ok = fail_at (error, name, line, 0, "group “%s” must be an object of keys",
          group);
    else
      ok = json_group (cfg, json_node_get_object (node), group, stage, lines,
          name, error);
  }
  g_list_free (groups);
  g_object_unref (parser);
  g_hash_table_unref (lines);
  return ok;
}

/* ---- files ------------------------------------------------------------------- */

gboolean
sr_custom_config_load_data (SrTwoStageConfig *cfg, const char *data, gsize len,
    const char *name, GError **error)
{
  SrTwoStageConfig tmp = *cfg;
  gsize i = 0;
  while (i < len && g_ascii_isspace (data[i]))
    i++;
  if (memchr (data, 0, len)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "%s: not a text file (contains a NUL byte)", name);
    return FALSE;
  }
  const gboolean ok = i < len && data[i] == '{'
      ? load_json (&tmp, data, len, name, error)
      : load_keyfile (&tmp, data, len, name, error);
  if (!ok)
    return FALSE;
  GError *e = NULL;
  if (!sr_twostage_config_check (&tmp, &e)) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT, "%s: %s", name, e->message);
    g_error_free (e);
    return FALSE;
  }
  *cfg = tmp;
  return TRUE;
}

gboolean
sr_custom_config_load_file (SrTwoStageConfig *cfg, const char *path,
    GError **error)
{
  gchar *data;
  gsize len;
  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;
  const gboolean ok = sr_custom_config_load_data (cfg, data, len, path, error);
  g_free (data);
  return ok;
}
