/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_arch_realesrgan.h"
#include "sr_safetensors.h"

#include <json-glib/json-glib.h>
#include <string.h>

typedef struct {
  SrSafetensors *st;
  const char *path;
  const char *prefix;           /* "", "params_ema." or "params." */
  GHashTable *used;             /* full tensor names taken */
  SrGraph *g;
} Builder;

#define FAIL(code, ...) \
  (g_set_error (error, SR_MODEL_ERROR, (code), __VA_ARGS__), FALSE)

static gboolean
has (Builder *b, const char *key)
{
  gchar *name = g_strconcat (b->prefix, key, NULL);
  const gboolean found = sr_safetensors_lookup (b->st, name) != NULL;
  g_free (name);
  return found;
}

/* The tensor prefix+key as float with the given shape (g_free), or NULL. */
static float *
take (Builder *b, const char *key, int rank, const gint64 *shape,
    GError **error)
{
  gchar *name = g_strconcat (b->prefix, key, NULL);
  float *data = sr_safetensors_read_float (b->st, name, rank, shape, error);
  if (data)
    g_hash_table_add (b->used, name);
  else
    g_free (name);
  return data;
}

/* The first dimension of prefix+key, or -1 when it is missing. */
static gint64
dim (Builder *b, const char *key, int d)
{
  gchar *name = g_strconcat (b->prefix, key, NULL);
  const SrSafetensorsTensor *t = sr_safetensors_lookup (b->st, name);
  g_free (name);
  return t && d < t->rank ? t->shape[d] : -1;
}

/* A 3x3, pad 1 convolution `stem` (stem.weight [cout, cin, 3, 3],
 * stem.bias [cout]) reading value in, with act (prelu: the slopes' key). */
static int
conv3 (Builder *b, const char *stem, int in, int cout, SrAct act,
    const char *prelu_key, GError **error)
{
  SrNnConv2dParams p = { 0 };
  p.cin = sr_graph_value (b->g, in)->channels;
  p.cout = cout;
  p.kh = p.kw = 3;
  p.stride_h = p.stride_w = 1;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.act = act;
  p.res_scale = p.skip_scale = 1;
  gchar *wkey = g_strdup_printf ("%s.weight", stem);
  gchar *bkey = g_strdup_printf ("%s.bias", stem);
  const gint64 wshape[4] = { cout, p.cin, 3, 3 }, bshape[1] = { cout };
  float *w = take (b, wkey, 4, wshape, error);
  float *bias = w ? take (b, bkey, 1, bshape, error) : NULL;
  float *slopes = bias && prelu_key ? take (b, prelu_key, 1, bshape, error) : NULL;
  int v = -1;
  if (bias && (!prelu_key || slopes))
    v = sr_graph_add_conv2d (b->g, stem, in, &p, w, bias, slopes, error);
  g_free (w);
  g_free (bias);
  g_free (slopes);
  g_free (wkey);
  g_free (bkey);
  return v;
}

/* ---- SRVGGNetCompact --------------------------------------------------------- */

static int
build_srvgg (Builder *b, GError **error)
{
  const gint64 nf = dim (b, "body.0.weight", 0);
  /* body.{2k}: convolutions; the last one is the highest even index. */
  int last = 0;
  for (int k = 2; k < 4096; k += 2) {
    gchar *key = g_strdup_printf ("body.%d.weight", k);
    const gboolean found = has (b, key);
    g_free (key);
    if (!found)
      break;
    last = k;
  }
  gchar *last_w = g_strdup_printf ("body.%d.weight", last);
  const gint64 cout = dim (b, last_w, 0);
  g_free (last_w);
  int r = 1;
  while (r <= 16 && 3 * r * r < cout)
    r++;
  if (nf < 1 || nf > 4096 || last < 2 || cout != 3 * r * r) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS,
        "%s: SRVGGNetCompact keys, but not its layout: body.0.weight [F, 3, 3, "
        "3], body.2k.weight [F, F, 3, 3] and a last body conv of 3*r*r "
        "outputs (found %d body convolutions, last with %" G_GINT64_FORMAT
        " outputs)", b->path, last / 2 + 1, cout);
    return -1;
  }
  SrAct act = { SR_ACT_PRELU, 0, 0, 0 };
  const gboolean prelu = has (b, "body.1.weight");
  if (!prelu) {
    /* relu and leakyrelu have no weights: the file must say which. */
    const char *cfg = sr_safetensors_metadata (b->st, "gst-sr.config");
    JsonNode *root = cfg ? json_from_string (cfg, NULL) : NULL;
    JsonObject *o = root && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
    JsonNode *t = o ? json_object_get_member (o, "act_type") : NULL;
    const char *type = t && JSON_NODE_HOLDS_VALUE (t)
        && json_node_get_value_type (t) == G_TYPE_STRING ? json_node_get_string (t) : "";
    act.kind = !strcmp (type, "relu") ? SR_ACT_RELU
        : !strcmp (type, "leakyrelu") ? SR_ACT_LEAKY_RELU : SR_ACT_NONE;
    act.alpha = 0.1f;           /* srvgg_arch.py: nn.LeakyReLU(0.1) */
    if (root)
      json_node_unref (root);
    if (act.kind == SR_ACT_NONE) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS,
          "%s: SRVGGNetCompact without PReLU weights (body.1.weight), and no "
          "__metadata__ gst-sr.config {\"act_type\": \"relu\"|\"leakyrelu\"} "
          "to say which activation it uses", b->path);
      return -1;
    }
  }
  int v = b->g->input;
  for (int k = 0; k < last && v >= 0; k += 2) {
    gchar *stem = g_strdup_printf ("body.%d", k);
    gchar *slopes = prelu ? g_strdup_printf ("body.%d.weight", k + 1) : NULL;
    v = conv3 (b, stem, v, nf, act, slopes, error);
    g_free (stem);
    g_free (slopes);
  }
  const SrAct none = { SR_ACT_NONE, 0, 0, 0 };
  gchar *stem = g_strdup_printf ("body.%d", last);
  if (v >= 0)
    v = conv3 (b, stem, v, cout, none, NULL, error);
  g_free (stem);
  if (v < 0)
    return -1;
  if (r > 1) {
    v = sr_graph_add_pixel_shuffle (b->g, "upsampler", v, r, SR_SHUFFLE_CRD, error);
    const int base = v < 0 ? -1 : sr_graph_add_upsample (b->g, "base", b->g->input,
        r, SR_UPSAMPLE_NEAREST, error);
    if (base < 0)
      return -1;
    const int in[2] = { v, base };
    v = sr_graph_add_add (b->g, "out", 2, in, NULL, error);
  } else {
    const int in[2] = { v, b->g->input };
    v = sr_graph_add_add (b->g, "out", 2, in, NULL, error);
  }
  if (v >= 0) {
    /* Frames leave in [0,1]: the clamp rides on the final add. */
    const SrAct clamp = { SR_ACT_CLAMP, 0, 0, 1 };
    sr_graph_node (b->g, b->g->nodes->len - 1)->act = clamp;
  }
  return v;
}

/* ---- RRDBNet ------------------------------------------------------------------ */

static int
build_rrdbnet (Builder *b, GError **error)
{
  const gint64 nf = dim (b, "conv_first.weight", 0);
  const gint64 cin = dim (b, "conv_first.weight", 1);
  const gint64 ng = dim (b, "body.0.rdb1.conv1.weight", 0);
  const int unshuffle = cin == 3 ? 1 : cin == 12 ? 2 : cin == 48 ? 4 : 0;
  if (nf < 1 || nf > 4096 || !unshuffle || (has (b, "body.0.rdb1.conv1.weight")
          && (ng < 1 || ng > 4096))) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS,
        "%s: RRDBNet keys, but conv_first.weight is not [F, 3|12|48, 3, 3] "
        "(x4, x2, x1 of RGB)", b->path);
    return -1;
  }
  int n_blocks = 0;
  for (;; n_blocks++) {
    gchar *key = g_strdup_printf ("body.%d.rdb1.conv1.weight", n_blocks);
    const gboolean found = has (b, key);
    g_free (key);
    if (!found)
      break;
  }
  const SrAct none = { SR_ACT_NONE, 0, 0, 0 };
  const SrAct lrelu = { SR_ACT_LEAKY_RELU, 0.2f, 0, 0 };
  const SrAct clamp = { SR_ACT_CLAMP, 0, 0, 1 };
  int x = b->g->input;
  if (unshuffle > 1)
    x = sr_graph_add_pixel_unshuffle (b->g, "pixel_unshuffle", x, unshuffle, error);
  const int feat = x < 0 ? -1 : conv3 (b, "conv_first", x, nf, none, NULL, error);
  int trunk = feat;
  for (int blk = 0; blk < n_blocks && trunk >= 0; blk++) {
    const int rrdb_in = trunk;
    int h = trunk;
    for (int r = 1; r <= 3 && h >= 0; r++) {
      int xs[5] = { h };
      for (int c = 1; c <= 5 && h >= 0; c++) {
        gchar *stem = g_strdup_printf ("body.%d.rdb%d.conv%d", blk, r, c);
        const int cat = c == 1 ? xs[0] : sr_graph_add_concat (b->g, stem, c, xs, error);
        const int y = cat < 0 ? -1 : conv3 (b, stem, cat, c < 5 ? ng : nf,
            c < 5 ? lrelu : none, NULL, error);
        if (y < 0) {
          h = -1;
        } else if (c < 5) {
          xs[c] = y;
        } else {
          /* RDB: x5 * 0.2 + x (fused into conv5's epilogue) */
          const int in[2] = { y, xs[0] };
          const float coef[2] = { 0.2f, 1 };
          h = sr_graph_add_add (b->g, stem, 2, in, coef, error);
        }
        g_free (stem);
      }
    }
    if (h >= 0) {
      /* RRDB: out * 0.2 + x */
      gchar *name = g_strdup_printf ("body.%d", blk);
      const int in[2] = { h, rrdb_in };
      const float coef[2] = { 0.2f, 1 };
      h = sr_graph_add_add (b->g, name, 2, in, coef, error);
      g_free (name);
    }
    trunk = h;
  }
  int v = trunk < 0 ? -1 : conv3 (b, "conv_body", trunk, nf, none, NULL, error);
  if (v >= 0) {
    const int in[2] = { v, feat };
    v = sr_graph_add_add (b->g, "feat", 2, in, NULL, error);
  }
  const char *ups[2] = { "conv_up1", "conv_up2" };
  for (int i = 0; i < 2 && v >= 0; i++) {
    v = sr_graph_add_upsample (b->g, ups[i], v, 2, SR_UPSAMPLE_NEAREST, error);
    if (v >= 0)
      v = conv3 (b, ups[i], v, nf, lrelu, NULL, error);
  }
  if (v >= 0)
    v = conv3 (b, "conv_hr", v, nf, lrelu, NULL, error);
  if (v >= 0)
    v = conv3 (b, "conv_last", v, 3, clamp, NULL, error);
  return v;
}

/* ---- the file ----------------------------------------------------------------- */

SrGraph *
sr_realesrgan_load (const char *path, GError **error)
{
  SrSafetensors *st = sr_safetensors_open (path, error);
  if (!st)
    return NULL;
  Builder b = { st, path, "", g_hash_table_new_full (g_str_hash, g_str_equal,
        g_free, NULL), NULL };
  const char *prefixes[] = { "", "params_ema.", "params." };
  int arch = 0;                 /* 1 SRVGGNetCompact, 2 RRDBNet */
  for (guint i = 0; i < G_N_ELEMENTS (prefixes) && !arch; i++) {
    b.prefix = prefixes[i];
    arch = has (&b, "conv_first.weight") ? 2 : has (&b, "body.0.weight") ? 1 : 0;
  }
  gboolean ok = TRUE;
  const char *range = sr_safetensors_metadata (st, "gst-sr.input-range");
  if (!arch) {
    guint n;
    const char *const *names = sr_safetensors_names (st, &n);
    ok = FAIL (SR_MODEL_ERROR_WEIGHTS, "%s: neither SRVGGNetCompact "
        "(body.0.weight, body.1.weight, ...) nor RRDBNet (conv_first.weight, "
        "body.0.rdb1.conv1.weight, ..., conv_last.weight) keys, optionally "
        "under params_ema. or params.; the file's first key is '%s' (%u "
        "tensors)", path, n ? names[0] : "(none)", n);
  } else if (range && strcmp (range, "0,1")) {
    ok = FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: gst-sr.input-range is '%s'; "
        "Real-ESRGAN networks take 0,1", path, range);
  }
  int out = -1;
  if (ok) {
    b.g = sr_graph_new (path, 3);
    out = arch == 1 ? build_srvgg (&b, error) : build_rrdbnet (&b, error);
    ok = out >= 0;
  }
  if (ok) {
    guint n;
    const char *const *names = sr_safetensors_names (st, &n);
    for (guint i = 0; i < n && ok; i++)
      if (g_str_has_prefix (names[i], b.prefix)
          && (*b.prefix || (!g_str_has_prefix (names[i], "params_ema.")
                  && !g_str_has_prefix (names[i], "params.")))
          && !g_hash_table_contains (b.used, names[i]))
        ok = FAIL (SR_MODEL_ERROR_WEIGHTS, "%s: tensor '%s' belongs to no "
            "layer of the %s", path, names[i],
            arch == 1 ? "SRVGGNetCompact" : "RRDBNet");
  }
  ok = ok && sr_graph_finish (b.g, out, error);
  g_hash_table_unref (b.used);
  sr_safetensors_close (st);
  if (!ok) {
    sr_graph_error_in_file (error, path);
    sr_graph_free (b.g);
    return NULL;
  }
  return b.g;
}
