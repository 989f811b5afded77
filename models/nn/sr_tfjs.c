/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_tfjs.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* Largest weight tensor accepted (elements): far above any SR network, far
 * below what a hostile shape could make us allocate. */
#define MAX_WEIGHT_ELEMENTS (G_GUINT64_CONSTANT (1) << 28)

typedef struct {
  const float *data;            /* inside its group's buffer */
  int rank;
  gint64 shape[4];
  gboolean used;
} Weight;

typedef struct {
  const char *path;             /* model.json, for messages */
  GHashTable *weights;          /* name -> Weight * */
  GPtrArray *buffers;           /* each group's concatenated shards */
  GHashTable *values;           /* layer name -> value id (GINT_TO_POINTER + 1) */
  SrGraph *g;
} Loader;

#define FAIL(code, ...) \
  (g_set_error (error, SR_MODEL_ERROR, (code), __VA_ARGS__), FALSE)

/* ---- weights ------------------------------------------------------------------ */

static const char *config_string (JsonObject *cfg, const char *key,
    const char *fallback);

static gboolean
read_group (Loader *l, const char *dir, JsonObject *group, GError **error)
{
  JsonNode *paths_node = json_object_get_member (group, "paths");
  JsonNode *weights_node = json_object_get_member (group, "weights");
  if (!paths_node || !JSON_NODE_HOLDS_ARRAY (paths_node) || !weights_node
      || !JSON_NODE_HOLDS_ARRAY (weights_node))
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: a weightsManifest group lacks "
        "'paths' or 'weights'", l->path);
  /* The shards of a group, concatenated: tensors straddle shard ends. */
  GByteArray *buf = g_byte_array_new ();
  g_ptr_array_add (l->buffers, buf);
  JsonArray *paths = json_node_get_array (paths_node);
  for (guint i = 0; i < json_array_get_length (paths); i++) {
    JsonNode *pn = json_array_get_element (paths, i);
    const char *name = JSON_NODE_HOLDS_VALUE (pn) ? json_node_get_string (pn) : NULL;
    if (!name || !*name || strchr (name, '/') || !strcmp (name, "..")) {
      return FAIL (SR_MODEL_ERROR_FORMAT, "%s: weight shard %u is not a file "
          "name beside model.json", l->path, i);
    }
    gchar *file = g_build_filename (dir, name, NULL);
    gchar *data;
    gsize len;
    GError *e = NULL;
    if (!g_file_get_contents (file, &data, &len, &e)) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_IO,
          "%s: cannot read weight shard: %s", l->path, e->message);
      g_error_free (e);
      g_free (file);
      return FALSE;
    }
    g_byte_array_append (buf, (const guint8 *) data, len);
    g_free (data);
    g_free (file);
  }
  JsonArray *specs = json_node_get_array (weights_node);
  guint64 offset = 0;
  for (guint i = 0; i < json_array_get_length (specs); i++) {
    JsonNode *sn = json_array_get_element (specs, i);
    JsonObject *spec = JSON_NODE_HOLDS_OBJECT (sn) ? json_node_get_object (sn) : NULL;
    /* config_string: json-glib's typed getters are critical on a member of
     * another JSON type. */
    const char *name = spec ? config_string (spec, "name", NULL) : NULL;
    JsonNode *shape_node = spec ? json_object_get_member (spec, "shape") : NULL;
    if (!name || !shape_node || !JSON_NODE_HOLDS_ARRAY (shape_node))
      return FAIL (SR_MODEL_ERROR_FORMAT, "%s: weight %u has no name or shape",
          l->path, i);
    const char *dtype = json_object_has_member (spec, "dtype")
        ? config_string (spec, "dtype", "not a string") : "float32";
    if (json_object_has_member (spec, "quantization") || strcmp (dtype, "float32"))
      return FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: weight '%s' is %s%s; only "
          "unquantized float32 weights are supported", l->path, name, dtype,
          json_object_has_member (spec, "quantization") ? " (quantized)" : "");
    JsonArray *shape = json_node_get_array (shape_node);
    Weight *w = g_new0 (Weight, 1);
    w->rank = json_array_get_length (shape);
    guint64 count = 1;
    gboolean ok = w->rank <= 4;
    for (int d = 0; d < w->rank && ok; d++) {
      JsonNode *dn = json_array_get_element (shape, d);
      w->shape[d] = JSON_NODE_HOLDS_VALUE (dn) ? json_node_get_int (dn) : -1;
      ok = w->shape[d] >= 1 && (guint64) w->shape[d] <= MAX_WEIGHT_ELEMENTS
          && (count *= w->shape[d]) <= MAX_WEIGHT_ELEMENTS;
    }
    if (!ok) {
      g_free (w);
      return FAIL (SR_MODEL_ERROR_FORMAT, "%s: weight '%s' has an impossible "
          "shape", l->path, name);
    }
    if (offset + count * 4 > buf->len) {
      g_free (w);
      return FAIL (SR_MODEL_ERROR_WEIGHTS, "%s: the weight shards hold %u "
          "bytes, fewer than the manifest needs (weight '%s' ends at byte %"
          G_GUINT64_FORMAT ")", l->path, buf->len, name, offset + count * 4);
    }
    w->data = (const float *) (buf->data + offset);
    offset += count * 4;
    if (g_hash_table_contains (l->weights, name)) {
      g_free (w);
      return FAIL (SR_MODEL_ERROR_FORMAT, "%s: weight '%s' is listed twice",
          l->path, name);
    }
    g_hash_table_insert (l->weights, g_strdup (name), w);
  }
  if (offset != buf->len)
    return FAIL (SR_MODEL_ERROR_WEIGHTS, "%s: the weight shards hold %u bytes "
        "but the manifest describes %" G_GUINT64_FORMAT, l->path, buf->len,
        offset);
  return TRUE;
}

/* The weight `layer`/`part` with the given shape (rank entries), or NULL. */
static const float *
take_weight (Loader *l, const char *layer, const char *part, int rank,
    const gint64 *shape, GError **error)
{
  gchar *name = g_strdup_printf ("%s/%s", layer, part);
  Weight *w = g_hash_table_lookup (l->weights, name);
  gboolean ok = w && w->rank == rank && !w->used;
  for (int d = 0; ok && d < rank; d++)
    ok = w->shape[d] == shape[d];
  if (!ok) {
    GString *want = g_string_new ("[");
    for (int d = 0; d < rank; d++)
      g_string_append_printf (want, "%s%" G_GINT64_FORMAT, d ? "," : "", shape[d]);
    g_string_append (want, "]");
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS,
        "%s: weight '%s' %s (layer '%s' needs shape %s)", l->path, name,
        !w ? "is missing" : w->used ? "is used twice" : "has another shape",
        layer, want->str);
    g_string_free (want, TRUE);
    g_free (name);
    return NULL;
  }
  g_free (name);
  w->used = TRUE;
  return w->data;
}

/* ---- layers ------------------------------------------------------------------- */

static int
config_int (JsonObject *cfg, const char *key, int index, int fallback)
{
  JsonNode *n = json_object_get_member (cfg, key);
  if (n && JSON_NODE_HOLDS_ARRAY (n)) {
    JsonArray *a = json_node_get_array (n);
    if ((guint) index < json_array_get_length (a)
        && JSON_NODE_HOLDS_VALUE (json_array_get_element (a, index)))
      return json_array_get_int_element (a, index);
    return fallback;
  }
  if (n && JSON_NODE_HOLDS_VALUE (n))
    return json_node_get_int (n);
  return fallback;
}

static const char *
config_string (JsonObject *cfg, const char *key, const char *fallback)
{
  JsonNode *n = json_object_get_member (cfg, key);
  return n && JSON_NODE_HOLDS_VALUE (n)
      && json_node_get_value_type (n) == G_TYPE_STRING
      ? json_node_get_string (n) : fallback;
}

/* The value ids a layer reads (from its first call's inbound node); FALSE
 * while one of them is not made yet (*ready = FALSE) or on error. */
static gboolean
layer_inputs (Loader *l, JsonObject *layer, const char *name, int *in, int *n,
    gboolean *ready, GError **error)
{
  *n = 0;
  *ready = TRUE;
  JsonNode *nodes = json_object_get_member (layer, "inbound_nodes");
  if (!nodes || !JSON_NODE_HOLDS_ARRAY (nodes))
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: layer '%s' has no inbound_nodes",
        l->path, name);
  JsonArray *calls = json_node_get_array (nodes);
  if (json_array_get_length (calls) == 0)
    return TRUE;
  if (json_array_get_length (calls) > 1)
    return FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: layer '%s' is called %u "
        "times (shared layers are not supported)", l->path, name,
        json_array_get_length (calls));
  JsonNode *call = json_array_get_element (calls, 0);
  if (!JSON_NODE_HOLDS_ARRAY (call))
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: layer '%s': unreadable inbound "
        "node", l->path, name);
  JsonArray *args = json_node_get_array (call);
  if (json_array_get_length (args) > SR_GRAPH_MAX_INPUTS)
    return FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: layer '%s' has %u inputs",
        l->path, name, json_array_get_length (args));
  for (guint i = 0; i < json_array_get_length (args); i++) {
    JsonNode *a = json_array_get_element (args, i);
    JsonArray *ref = JSON_NODE_HOLDS_ARRAY (a) ? json_node_get_array (a) : NULL;
    const char *src = ref && json_array_get_length (ref) >= 1
        && JSON_NODE_HOLDS_VALUE (json_array_get_element (ref, 0))
        ? json_array_get_string_element (ref, 0) : NULL;
    if (!src)
      return FAIL (SR_MODEL_ERROR_FORMAT, "%s: layer '%s': unreadable inbound "
          "node", l->path, name);
    JsonNode *call_index = json_array_get_length (ref) >= 2
        ? json_array_get_element (ref, 1) : NULL;
    if (call_index && !JSON_NODE_HOLDS_VALUE (call_index))
      return FAIL (SR_MODEL_ERROR_FORMAT, "%s: layer '%s': unreadable inbound "
          "node", l->path, name);
    if (call_index && json_node_get_int (call_index) != 0)
      return FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: layer '%s' reads a second "
          "call of '%s'", l->path, name, src);
    gpointer v = g_hash_table_lookup (l->values, src);
    if (!v) {
      *ready = FALSE;
      return FALSE;
    }
    in[(*n)++] = GPOINTER_TO_INT (v) - 1;
  }
  return TRUE;
}

static int
add_conv (Loader *l, JsonObject *cfg, const char *name, int in, GError **error)
{
  const int filters = config_int (cfg, "filters", 0, 0);
  const int kh = config_int (cfg, "kernel_size", 0, 0);
  const int kw = config_int (cfg, "kernel_size", 1, kh);
  const char *padding = config_string (cfg, "padding", "valid");
  const char *act = config_string (cfg, "activation", "linear");
  const char *format = config_string (cfg, "data_format", "channels_last");
  if (filters < 1 || kh < 1 || kw < 1 || kh > 64 || kw > 64
      || config_int (cfg, "strides", 0, 1) != 1
      || config_int (cfg, "strides", 1, 1) != 1
      || config_int (cfg, "dilation_rate", 0, 1) != 1
      || config_int (cfg, "dilation_rate", 1, 1) != 1
      || config_int (cfg, "groups", 0, 1) != 1
      || (strcmp (padding, "same") && strcmp (padding, "valid"))
      || (strcmp (act, "linear") && strcmp (act, "relu"))
      || strcmp (format, "channels_last")) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "%s: Conv2D '%s' (filters %d, kernel %dx%d, padding %s, activation %s, "
        "%s): only stride 1, dilation 1, groups 1, 'same'/'valid', linear or "
        "relu, channels_last are supported", l->path, name, filters, kh, kw,
        padding, act, format);
    return -1;
  }
  SrNnConv2dParams p = { 0 };
  p.cin = sr_graph_value (l->g, in)->channels;
  p.cout = filters;
  p.kh = kh;
  p.kw = kw;
  p.stride_h = p.stride_w = 1;
  if (!strcmp (padding, "same")) {
    /* TensorFlow puts the odd pixel of 'same' padding after. */
    p.pad_top = (kh - 1) / 2;
    p.pad_bottom = kh - 1 - p.pad_top;
    p.pad_left = (kw - 1) / 2;
    p.pad_right = kw - 1 - p.pad_left;
  }
  p.act.kind = strcmp (act, "relu") ? SR_ACT_NONE : SR_ACT_RELU;
  p.res_scale = p.skip_scale = 1;
  const gint64 kshape[4] = { kh, kw, p.cin, p.cout }, bshape[1] = { p.cout };
  const float *hwio = take_weight (l, name, "kernel", 4, kshape, error);
  if (!hwio)
    return -1;
  JsonNode *use_bias_node = json_object_get_member (cfg, "use_bias");
  const gboolean use_bias = !use_bias_node || (JSON_NODE_HOLDS_VALUE (use_bias_node)
      && json_node_get_boolean (use_bias_node));
  const float *bias = use_bias ? take_weight (l, name, "bias", 1, bshape, error) : NULL;
  if (use_bias && !bias)
    return -1;
  /* HWIO [kh][kw][in][out] -> OIHW [out][in][kh][kw] */
  float *oihw = g_new (float, (gsize) kh * kw * p.cin * p.cout);
  for (int y = 0; y < kh; y++)
    for (int x = 0; x < kw; x++)
      for (int i = 0; i < p.cin; i++)
        for (int o = 0; o < p.cout; o++)
          oihw[(((gsize) o * p.cin + i) * kh + y) * kw + x] =
              hwio[(((gsize) y * kw + x) * p.cin + i) * p.cout + o];
  const int v = sr_graph_add_conv2d (l->g, name, in, &p, oihw, bias, NULL, error);
  g_free (oihw);
  return v;
}

/* The class name's PixelShuffle<s>x factor, or 0. */
static int
pixel_shuffle_factor (const char *cls)
{
  int s = 0;
  char tail = 0;
  if (sscanf (cls, "PixelShuffle%dx%c", &s, &tail) == 1 && s >= 2 && s <= 16)
    return s;
  return 0;
}

static int
add_layer (Loader *l, const char *cls, JsonObject *cfg, const char *name,
    const int *in, int n, GError **error)
{
  if (!strcmp (cls, "Conv2D"))
    return add_conv (l, cfg, name, in[0], error);
  if (!strcmp (cls, "Activation")) {
    const char *act = config_string (cfg, "activation", "");
    if (!strcmp (act, "linear"))
      return in[0];
    if (!strcmp (act, "relu")) {
      SrAct relu = { SR_ACT_RELU, 0, 0, 0 };
      return sr_graph_add_act (l->g, name, in[0], relu, error);
    }
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "%s: Activation '%s' is '%s' (relu and linear are supported)", l->path,
        name, act);
    return -1;
  }
  if (!strcmp (cls, "Concatenate")) {
    const int axis = config_int (cfg, "axis", 0, -1);
    if (axis != 3 && axis != -1) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
          "%s: Concatenate '%s' on axis %d (only channels: 3 or -1)", l->path,
          name, axis);
      return -1;
    }
    return sr_graph_add_concat (l->g, name, n, in, error);
  }
  if (!strcmp (cls, "Add"))
    return sr_graph_add_add (l->g, name, n, in, NULL, error);
  if (!strcmp (cls, "UpSampling2D")) {
    const int sy = config_int (cfg, "size", 0, 2), sx = config_int (cfg, "size", 1, sy);
    const char *interp = config_string (cfg, "interpolation", "nearest");
    const gboolean nearest = !strcmp (interp, "nearest");
    if (sy != sx || (!nearest && strcmp (interp, "bilinear"))) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
          "%s: UpSampling2D '%s' (%dx%d, %s): equal factors, nearest or "
          "bilinear are supported", l->path, name, sx, sy, interp);
      return -1;
    }
    return sr_graph_add_upsample (l->g, name, in[0], sy, nearest
        ? SR_UPSAMPLE_NEAREST : SR_UPSAMPLE_BILINEAR, error);
  }
  if (!strcmp (cls, "MultiplyBeta")) {
    /* UpscalerJS's class hard-codes 0.2; the config records it. */
    JsonNode *b = json_object_get_member (cfg, "beta");
    const float beta = b && JSON_NODE_HOLDS_VALUE (b) ? json_node_get_double (b) : 0.2;
    if (!isfinite (beta)) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_FORMAT,
          "%s: MultiplyBeta '%s' has a beta out of float range", l->path, name);
      return -1;
    }
    return sr_graph_add_add (l->g, name, 1, in, &beta, error);
  }
  const int s = pixel_shuffle_factor (cls);
  if (s)
    return sr_graph_add_pixel_shuffle (l->g, name, in[0], s, SR_SHUFFLE_DCR, error);
  g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
      "%s: layer '%s' is a %s, which gst-sr does not support", l->path, name, cls);
  return -1;
}

/* Adds the layers in dependency order: each pass adds those whose inputs
 * exist; a pass that adds none leaves a cycle or a dangling name. */
static gboolean
add_layers (Loader *l, JsonArray *layers, gboolean *rrdn, GError **error)
{
  const guint n = json_array_get_length (layers);
  gboolean *done = g_new0 (gboolean, n);
  guint left = n;
  gboolean ok = TRUE, have_input = FALSE;
  while (left && ok) {
    guint added = 0;
    for (guint i = 0; i < n && ok; i++) {
      if (done[i])
        continue;
      JsonNode *ln = json_array_get_element (layers, i);
      JsonObject *layer = JSON_NODE_HOLDS_OBJECT (ln) ? json_node_get_object (ln) : NULL;
      JsonNode *cn = layer ? json_object_get_member (layer, "config") : NULL;
      const char *cls = layer ? config_string (layer, "class_name", NULL) : NULL;
      const char *name = layer ? config_string (layer, "name", NULL) : NULL;
      if (!cls || !name || !cn || !JSON_NODE_HOLDS_OBJECT (cn)) {
        ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: layer %u has no class_name, "
            "name or config", l->path, i);
        break;
      }
      if (g_hash_table_contains (l->values, name)) {
        ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: two layers are named '%s'",
            l->path, name);
        break;
      }
      JsonObject *cfg = json_node_get_object (cn);
      int v;
      if (!strcmp (cls, "InputLayer")) {
        if (config_int (cfg, "batch_input_shape", 3, -1) != 3
            || strcmp (config_string (cfg, "dtype", "float32"), "float32")) {
          ok = FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: input '%s' must be float32 "
              "with 3 channels (NHWC)", l->path, name);
          break;
        }
        if (have_input) {
          ok = FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: more than one input "
              "layer", l->path);
          break;
        }
        have_input = TRUE;
        v = l->g->input;
      } else {
        int in[SR_GRAPH_MAX_INPUTS], nin;
        gboolean ready;
        if (!layer_inputs (l, layer, name, in, &nin, &ready, error)) {
          if (ready)
            ok = FALSE;
          continue;
        }
        if (nin == 0) {
          ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: layer '%s' has no input",
              l->path, name);
          break;
        }
        *rrdn |= !strcmp (cls, "MultiplyBeta");
        if ((v = add_layer (l, cls, cfg, name, in, nin, error)) < 0) {
          ok = FALSE;
          break;
        }
      }
      g_hash_table_insert (l->values, g_strdup (name), GINT_TO_POINTER (v + 1));
      done[i] = TRUE;
      left--;
      added++;
    }
    if (ok && left && !added)
      ok = FAIL (SR_MODEL_ERROR_GRAPH, "%s: %u layers read layers that do not "
          "exist (or form a cycle)", l->path, left);
  }
  g_free (done);
  return ok;
}

static int
io_value (Loader *l, JsonObject *config, const char *key, GError **error)
{
  JsonNode *n = json_object_get_member (config, key);
  JsonArray *a = n && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
  JsonNode *first = a && json_array_get_length (a) == 1
      ? json_array_get_element (a, 0) : NULL;
  JsonArray *ref = first && JSON_NODE_HOLDS_ARRAY (first)
      ? json_node_get_array (first) : NULL;
  const char *name = ref && json_array_get_length (ref) >= 1
      && JSON_NODE_HOLDS_VALUE (json_array_get_element (ref, 0))
      ? json_array_get_string_element (ref, 0) : NULL;
  gpointer v = name ? g_hash_table_lookup (l->values, name) : NULL;
  if (!v) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_FORMAT,
        "%s: '%s' must name exactly one layer of the model", l->path, key);
    return -1;
  }
  return GPOINTER_TO_INT (v) - 1;
}

/* ---- the whole file ------------------------------------------------------------ */

static JsonObject *
member_object (JsonObject *o, const char *key)
{
  JsonNode *n = o ? json_object_get_member (o, key) : NULL;
  return n && JSON_NODE_HOLDS_OBJECT (n) ? json_node_get_object (n) : NULL;
}

static gboolean
check_unused (Loader *l, GError **error)
{
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init (&it, l->weights);
  while (g_hash_table_iter_next (&it, &key, &value))
    if (!((Weight *) value)->used)
      return FAIL (SR_MODEL_ERROR_WEIGHTS, "%s: weight '%s' belongs to no "
          "layer of the model", l->path, (const char *) key);
  return TRUE;
}

SrGraph *
sr_tfjs_load (const char *model_json, double input_max, GError **error)
{
  Loader l = { model_json, NULL, NULL, NULL, NULL };
  JsonParser *parser = json_parser_new_immutable ();
  GError *e = NULL;
  if (!json_parser_load_from_file (parser, model_json, &e)) {
    g_set_error (error, SR_MODEL_ERROR, e->domain == G_FILE_ERROR
        ? SR_MODEL_ERROR_IO : SR_MODEL_ERROR_FORMAT, "%s: %s", model_json,
        e->message);
    g_error_free (e);
    g_object_unref (parser);
    return NULL;
  }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *top = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonObject *config = member_object (member_object (member_object (top,
              "modelTopology"), "model_config"), "config");
  JsonNode *layers = config ? json_object_get_member (config, "layers") : NULL;
  JsonNode *manifest = top ? json_object_get_member (top, "weightsManifest") : NULL;
  gboolean ok = TRUE;
  if (!top || g_strcmp0 (config_string (top, "format", ""), "layers-model")) {
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: not a TF.js layers-model (its "
        "'format' must be \"layers-model\")", model_json);
  } else if (!layers || !JSON_NODE_HOLDS_ARRAY (layers) || !manifest
      || !JSON_NODE_HOLDS_ARRAY (manifest)) {
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: no modelTopology.model_config."
        "config.layers or weightsManifest", model_json);
  }

  l.weights = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  l.buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) g_byte_array_unref);
  l.values = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gchar *dir = g_path_get_dirname (model_json);
  JsonArray *groups = ok ? json_node_get_array (manifest) : NULL;
  for (guint i = 0; ok && i < json_array_get_length (groups); i++) {
    JsonNode *gn = json_array_get_element (groups, i);
    ok = JSON_NODE_HOLDS_OBJECT (gn)
        ? read_group (&l, dir, json_node_get_object (gn), error)
        : FAIL (SR_MODEL_ERROR_FORMAT, "%s: weightsManifest entry %u is not an "
            "object", model_json, i);
  }
  g_free (dir);

  l.g = sr_graph_new (model_json, 3);
  gboolean rrdn = FALSE;
  if (ok)
    ok = add_layers (&l, json_node_get_array (layers), &rrdn, error);
  int in = -1, out = -1;
  if (ok && (in = io_value (&l, config, "input_layers", error)) != l.g->input)
    ok = in < 0 ? FALSE : FAIL (SR_MODEL_ERROR_FORMAT, "%s: input_layers does "
        "not name the input layer", model_json);
  if (ok)
    ok = (out = io_value (&l, config, "output_layers", error)) >= 0;
  if (ok)
    ok = check_unused (&l, error);

  if (ok) {
    /* Our [0,1] frames in the model's range, and back. The range scaling of
     * the input is a separate first node: the convolution reads it. */
    const double range = input_max > 0 ? input_max : rrdn ? 1 : 255;
    float up[3] = { range, range, range }, down[3];
    for (int c = 0; c < 3; c++)
      down[c] = 1 / range;
    const SrAct none = { SR_ACT_NONE, 0, 0, 0 };
    const SrAct clamp = { SR_ACT_CLAMP, 0, 0, 1 };
    SrGraph *g = l.g;
    if (range != 1) {
      /* Re-point every reader of the input at the scaled input. */
      const int scaled = sr_graph_add_affine (g, "input-range", g->input, up,
          NULL, none, error);
      SrNode *scale_node = sr_graph_node (g, g->nodes->len - 1);
      g_ptr_array_steal_index (g->nodes, g->nodes->len - 1);
      g_ptr_array_insert (g->nodes, 0, scale_node);
      for (guint i = 1; i < g->nodes->len; i++) {
        SrNode *n = sr_graph_node (g, i);
        for (int k = 0; k < n->n_inputs; k++)
          if (n->inputs[k] == g->input)
            n->inputs[k] = scaled;
      }
      for (guint i = 0; i < g->nodes->len; i++)
        sr_graph_value (g, sr_graph_node (g, i)->output)->producer = i;
      if (out == g->input)
        out = scaled;
    }
    if (sr_graph_value (g, out)->channels != 3)
      ok = FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: the output has %d channels, "
          "not 3", model_json, sr_graph_value (g, out)->channels);
    if (ok)
      out = sr_graph_add_affine (g, "output-range", out, down, NULL, clamp, error);
    ok = ok && out >= 0 && sr_graph_finish (g, out, error);
  }
  g_hash_table_unref (l.values);
  g_hash_table_unref (l.weights);
  g_ptr_array_unref (l.buffers);
  g_object_unref (parser);
  if (!ok) {
    sr_graph_error_in_file (error, model_json);
    sr_graph_free (l.g);
    return NULL;
  }
  return l.g;
}
