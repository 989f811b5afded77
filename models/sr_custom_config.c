#include "sr_custom_config.h"
#include "sr_status.h"

#include <math.h>
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

/* Strict JSON (RFC 8259) for the subset a config needs: objects, arrays of
 * numbers, numbers, true and false; keys are strings. */
typedef struct {
  const char *p, *end, *name;
  int line;
  GError **error;
} Json;

static gboolean G_GNUC_PRINTF (3, 4)
json_fail (Json *j, int line, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  gchar *msg = g_strdup_vprintf (fmt, ap);
  va_end (ap);
  g_set_error (j->error, SR_ERROR, SR_ERR_INVALID_ARGUMENT, "%s:%d: %s",
      j->name, line, msg);
  g_free (msg);
  return FALSE;
}

static void
json_ws (Json *j)
{
  while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\r'
          || *j->p == '\n')) {
    if (*j->p == '\n')
      j->line++;
    j->p++;
  }
}

/* What is at the cursor, for messages. */
static gchar *
json_token (Json *j)
{
  if (j->p >= j->end)
    return g_strdup ("the end of the file");
  const char *e = j->p + 1;
  while (e < j->end && e - j->p < 12 && g_ascii_isalnum (*e) && g_ascii_isalnum (*j->p))
    e++;
  return g_strdup_printf ("“%.*s”", (int) (e - j->p), j->p);
}

static gboolean
json_unexpected (Json *j, const char *expected)
{
  gchar *tok = json_token (j);
  json_fail (j, j->line, "expected %s, found %s", expected, tok);
  g_free (tok);
  return FALSE;
}

static gboolean
json_string (Json *j, GString *out)
{
  if (j->p >= j->end || *j->p != '"')
    return json_unexpected (j, "a string");
  j->p++;
  g_string_truncate (out, 0);
  while (j->p < j->end && *j->p != '"') {
    const unsigned char c = (unsigned char) *j->p;
    if (c < 0x20)
      return json_fail (j, j->line, "unterminated string or control character in a string");
    if (c == '\\') {
      if (j->p + 1 >= j->end)
        break;
      const char *esc = strchr ("\"\\/bfnrt", j->p[1]);
      if (!esc || !j->p[1])
        return json_fail (j, j->line, "unsupported escape \\%c in a string", j->p[1]);
      g_string_append_c (out, "\"\\/\b\f\n\r\t"[esc - "\"\\/bfnrt"]);
      j->p += 2;
      continue;
    }
    g_string_append_c (out, (char) c);
    j->p++;
  }
  if (j->p >= j->end)
    return json_fail (j, j->line, "unterminated string");
  j->p++;
  return TRUE;
}

/* -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
static gboolean
json_number (Json *j, double *x)
{
  const char *s = j->p, *p = s;
#define DIGITS(p) ((p) < j->end && g_ascii_isdigit (*(p)))
  if (p < j->end && *p == '-')
    p++;
  if (!DIGITS (p))
    return json_unexpected (j, "a number");
  if (*p == '0')
    p++;
  else
    while (DIGITS (p))
      p++;
  if (p < j->end && *p == '.') {
    p++;
    if (!DIGITS (p))
      return json_fail (j, j->line, "a digit must follow the decimal point");
    while (DIGITS (p))
      p++;
  }
  if (p < j->end && (*p == 'e' || *p == 'E')) {
    p++;
    if (p < j->end && (*p == '+' || *p == '-'))
      p++;
    if (!DIGITS (p))
      return json_fail (j, j->line, "a digit must follow the exponent");
    while (DIGITS (p))
      p++;
  }
#undef DIGITS
  gchar *num = g_strndup (s, p - s);
  *x = g_ascii_strtod (num, NULL);
  g_free (num);
  if (!isfinite (*x))
    return json_fail (j, j->line, "number out of range");
  j->p = p;
  return TRUE;
}

static gboolean
json_literal (Json *j, const char *word)
{
  const gsize n = strlen (word);
  if ((gsize) (j->end - j->p) < n || strncmp (j->p, word, n)
      || (j->p + n < j->end && g_ascii_isalnum (j->p[n])))
    return json_unexpected (j, "a number, an array of numbers, true or false");
  j->p += n;
  return TRUE;
}

/* A key's value: a number, true/false or an array of numbers. */
static gboolean
json_value (Json *j, Value *v)
{
  *v = (Value) { 0 };
  if (j->p >= j->end)
    return json_unexpected (j, "a value");
  double x;
  switch (*j->p) {
    case 't':
    case 'f':
      v->is_bool = TRUE;
      v->b = *j->p == 't';
      return json_literal (j, v->b ? "true" : "false");
    case '[':
      j->p++;
      json_ws (j);
      if (j->p < j->end && *j->p == ']') {
        j->p++;
        return TRUE;
      }
      for (;;) {
        json_ws (j);
        if (!json_number (j, &x))
          return FALSE;
        if (v->n < MAX_VALUES)
          v->v[v->n] = x;
        v->n++;
        json_ws (j);
        if (j->p < j->end && *j->p == ',') {
          j->p++;
          continue;
        }
        if (j->p < j->end && *j->p == ']') {
          j->p++;
          return TRUE;
        }
        return json_unexpected (j, "',' or ']' in an array");
      }
    case '{':
      return json_fail (j, j->line, "objects are only allowed for groups");
    case '"':
      return json_fail (j, j->line, "strings are not accepted as values");
    default:
      if (*j->p == '-' || g_ascii_isdigit (*j->p)) {
        v->n = 1;
        return json_number (j, &v->v[0]);
      }
      return json_unexpected (j, "a number, an array of numbers, true or false");
  }
}

/* After a member: ',' (more follow) or the closing '}'. *more tells which.
 * A missing ',' is reported on the line of the value it should follow. */
static gboolean
json_next_member (Json *j, const char *after, gboolean *more)
{
  const int line = j->line;
  json_ws (j);
  if (j->p < j->end && (*j->p == ',' || *j->p == '}')) {
    *more = *j->p == ',';
    j->p++;
    return TRUE;
  }
  gchar *tok = json_token (j);
  json_fail (j, line, "expected ',' or '}' after %s, found %s on line %d", after,
      tok, j->line);
  g_free (tok);
  return FALSE;
}

static gboolean
json_group (Json *j, SrTwoStageConfig *cfg, const char *group, int stage)
{
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GString *key = g_string_new (NULL);
  gboolean ok = FALSE, more = TRUE;
  j->p++;                       /* '{' */
  json_ws (j);
  if (j->p < j->end && *j->p == '}') {
    j->p++;
    ok = TRUE;
    goto done;
  }
  while (more) {
    json_ws (j);
    const int line = j->line;
    if (!json_string (j, key))
      goto done;
    if (!g_hash_table_add (seen, g_strdup (key->str))) {
      json_fail (j, line, "“%s” appears twice in “%s”", key->str, group);
      goto done;
    }
    json_ws (j);
    if (j->p >= j->end || *j->p != ':') {
      json_unexpected (j, "':'");
      goto done;
    }
    j->p++;
    json_ws (j);
    Value v;
    if (!json_value (j, &v))
      goto done;
    const KeyDef *k = find_key (key->str);
    GError *e = NULL;
    if (!k || k->stage != (stage != 0)) {
      gchar *list = key_list (stage != 0);
      json_fail (j, line, "unknown key “%s” in “%s” (allowed: %s)", key->str,
          group, list);
      g_free (list);
      goto done;
    }
    if (!set_checked (cfg, stage, k, &v, &e)) {
      json_fail (j, line, "[%s] %s", group, e->message);
      g_error_free (e);
      goto done;
    }
    gchar *after = g_strdup_printf ("the value of “%s”", key->str);
    const gboolean next = json_next_member (j, after, &more);
    g_free (after);
    if (!next)
      goto done;
  }
  ok = TRUE;
done:
  g_string_free (key, TRUE);
  g_hash_table_unref (seen);
  return ok;
}

static gboolean
load_json (SrTwoStageConfig *cfg, const char *text, gsize len, const char *name,
    GError **error)
{
  Json j = { text, text + len, name, 1, error };
  GHashTable *seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GString *group = g_string_new (NULL);
  gboolean ok = FALSE, more = TRUE;
  json_ws (&j);
  j.p++;                        /* '{', checked by the caller */
  json_ws (&j);
  if (j.p < j.end && *j.p == '}') {
    j.p++;
    more = FALSE;
  }
  while (more) {
    json_ws (&j);
    const int line = j.line;
    if (!json_string (&j, group))
      goto done;
    const int stage = group_stage (group->str);
    if (stage < 0) {
      json_fail (&j, line, "unknown group “%s” (allowed: degradation, stage1, stage2)",
          group->str);
      goto done;
    }
    if (!g_hash_table_add (seen, g_strdup (group->str))) {
      json_fail (&j, line, "group “%s” appears twice", group->str);
      goto done;
    }
    json_ws (&j);
    if (j.p >= j.end || *j.p != ':') {
      json_unexpected (&j, "':'");
      goto done;
    }
    j.p++;
    json_ws (&j);
    if (j.p >= j.end || *j.p != '{') {
      json_unexpected (&j, "an object of keys");
      goto done;
    }
    if (!json_group (&j, cfg, group->str, stage))
      goto done;
    gchar *after = g_strdup_printf ("group “%s”", group->str);
    const gboolean next = json_next_member (&j, after, &more);
    g_free (after);
    if (!next)
      goto done;
  }
  json_ws (&j);
  ok = j.p == j.end || json_fail (&j, j.line, "text after the top-level object");
done:
  g_string_free (group, TRUE);
  g_hash_table_unref (seen);
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
