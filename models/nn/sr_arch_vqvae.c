/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_arch_vqvae.h"
#include "sr_safetensors.h"

#include <string.h>

typedef struct {
  SrSafetensors *st;
  const char *path;
  GHashTable *used;             /* tensor names taken */
  SrGraph *g;
  GError **error;
} Builder;

static float *
take (Builder *b, const char *key, int rank, const gint64 *shape)
{
  float *data = sr_safetensors_read_float (b->st, key, rank, shape, b->error);
  if (data)
    g_hash_table_add (b->used, g_strdup (key));
  return data;
}

static gint64
dim (Builder *b, const char *key, int d)
{
  const SrSafetensorsTensor *t = sr_safetensors_lookup (b->st, key);
  return t && d < t->rank ? t->shape[d] : -1;
}

/* `stem`.weight of the given shape and `stem`.bias [shape[bias_dim]]: TRUE
 * with both read, else FALSE with neither. */
static gboolean
take_weight_bias (Builder *b, const char *stem, const gint64 wshape[4],
    int bias_dim, float **w, float **bias)
{
  gchar *wkey = g_strconcat (stem, ".weight", NULL);
  gchar *bkey = g_strconcat (stem, ".bias", NULL);
  const gint64 bshape[1] = { wshape[bias_dim] };
  *w = take (b, wkey, 4, wshape);
  *bias = *w ? take (b, bkey, 1, bshape) : NULL;
  if (!*bias)
    g_clear_pointer (w, g_free);
  g_free (wkey);
  g_free (bkey);
  return *bias != NULL;
}

/* A convolution `stem` (stem.weight [cout][cin][k][k], stem.bias [cout])
 * reading in: stride and padding given; -1 on failure. */
static int
conv (Builder *b, const char *stem, int in, int cout, int k, int stride,
    int pad, SrAct act)
{
  if (in < 0)
    return -1;
  SrNnConv2dParams p = { 0 };
  p.cin = sr_graph_value (b->g, in)->channels;
  p.cout = cout;
  p.kh = p.kw = k;
  p.stride_h = p.stride_w = stride;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = pad;
  p.act = act;
  p.res_scale = p.skip_scale = 1;
  const gint64 wshape[4] = { cout, p.cin, k, k };
  float *w, *bias;
  if (!take_weight_bias (b, stem, wshape, 0, &w, &bias))
    return -1;
  const int v = sr_graph_add_conv2d (b->g, stem, in, &p, w, bias, NULL, b->error);
  g_free (w);
  g_free (bias);
  return v;
}

/* ConvTranspose2d (cin, cout, 4, 2, 1) `stem` (weight [cin][cout][4][4]);
 * its output times out_scale plus out_shift, then act. */
static int
conv_transpose (Builder *b, const char *stem, int in, int cout,
    float out_scale, float out_shift, SrAct act)
{
  if (in < 0)
    return -1;
  const int cin = sr_graph_value (b->g, in)->channels;
  const gint64 wshape[4] = { cin, cout, 4, 4 };
  float *w, *bias;
  if (!take_weight_bias (b, stem, wshape, 1, &w, &bias))
    return -1;
  for (size_t i = 0; i < (size_t) cin * cout * 16; i++)
    w[i] *= out_scale;
  for (int c = 0; c < cout; c++)
    bias[c] = bias[c] * out_scale + out_shift;
  const int v = sr_graph_add_conv_transpose (b->g, stem, in, cout, w, bias,
      act, b->error);
  g_free (w);
  g_free (bias);
  return v;
}

static int
relu (Builder *b, const char *name, int in)
{
  return in < 0 ? -1 : sr_graph_add_act (b->g, name, in,
      (SrAct) {.kind = SR_ACT_RELU }, b->error);
}

static const SrAct none = {.kind = SR_ACT_NONE }, relu_act = {.kind =
      SR_ACT_RELU };

/* ResBlock: conv (ReLU, 3x3 c -> rc, ReLU, 1x1 rc -> c) (x) + x. The inner
 * ReLU fuses into the 3x3 and the sum into the 1x1. */
static int
res_block (Builder *b, const char *stem, int x, int rc)
{
  if (x < 0)
    return -1;
  const int c = sr_graph_value (b->g, x)->channels;
  gchar *n0 = g_strconcat (stem, ".conv.0", NULL);
  gchar *n1 = g_strconcat (stem, ".conv.1", NULL);
  gchar *n3 = g_strconcat (stem, ".conv.3", NULL);
  gchar *sum = g_strconcat (stem, ".sum", NULL);
  int v = conv (b, n1, relu (b, n0, x), rc, 3, 1, 1, relu_act);
  v = conv (b, n3, v, c, 1, 1, 0, none);
  if (v >= 0) {
    const int in[2] = { v, x };
    const float one[2] = { 1, 1 };
    v = sr_graph_add_add (b->g, sum, 2, in, one, b->error);
  }
  g_free (n0);
  g_free (n1);
  g_free (n3);
  g_free (sum);
  return v;
}

/* Encoder (in -> C, stride 4 or 2, nrb ResBlocks of rc, ReLU). */
static int
encoder (Builder *b, const char *stem, int x, int c, int rc, int stride,
    int nrb)
{
  char key[96];
  int i = 0;
  g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i);
  x = conv (b, key, x, c / 2, 4, 2, 1, relu_act);
  i += 2;
  if (stride == 4) {
    g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i);
    x = conv (b, key, x, c, 4, 2, 1, relu_act);
    i += 2;
  }
  g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i++);
  x = conv (b, key, x, c, 3, 1, 1, none);
  for (int r = 0; r < nrb; r++, i++) {
    g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i);
    x = res_block (b, key, x, rc);
  }
  g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i);
  return relu (b, key, x);
}

/* Decoder (in -> C, nrb ResBlocks, ReLU, then x4: ConvT C -> C/2, ReLU,
 * ConvT C/2 -> out; x2: ConvT C -> out). The last transposed convolution
 * takes the caller's output map. */
static int
decoder (Builder *b, const char *stem, int x, int out, int c, int rc,
    int stride, int nrb, float out_scale, float out_shift, SrAct out_act)
{
  char key[96];
  int i = 0;
  g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i++);
  x = conv (b, key, x, c, 3, 1, 1, none);
  for (int r = 0; r < nrb; r++, i++) {
    g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i);
    x = res_block (b, key, x, rc);
  }
  g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i++);
  x = relu (b, key, x);
  if (stride == 4) {
    g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i);
    x = conv_transpose (b, key, x, c / 2, 1, 0, relu_act);
    i += 2;
  }
  g_snprintf (key, sizeof key, "%s.blocks.%d", stem, i);
  return conv_transpose (b, key, x, out, out_scale, out_shift, out_act);
}

static int
quantise (Builder *b, const char *stem, int x)
{
  if (x < 0)
    return -1;
  const int d = sr_graph_value (b->g, x)->channels;
  gchar *ekey = g_strconcat (stem, ".embed", NULL);
  const gint64 n_codes = dim (b, ekey, 1);
  int v = -1;
  if (n_codes < 1 || n_codes > 65536) {
    g_set_error (b->error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS,
        "%s: %s [%d, codes] missing or of an impossible size", b->path, ekey,
        d);
  } else {
    const gint64 shape[2] = { d, n_codes }, one[1] = { n_codes };
    float *embed = take (b, ekey, 2, shape);
    /* EMA state: must be there and of its shape, then unused. */
    gchar *ckey = g_strconcat (stem, ".cluster_size", NULL);
    gchar *akey = g_strconcat (stem, ".embed_avg", NULL);
    float *cs = embed ? take (b, ckey, 1, one) : NULL;
    float *avg = cs ? take (b, akey, 2, shape) : NULL;
    if (avg)
      v = sr_graph_add_vq (b->g, stem, x, embed, (int) n_codes, b->error);
    g_free (embed);
    g_free (cs);
    g_free (avg);
    g_free (ckey);
    g_free (akey);
  }
  g_free (ekey);
  return v;
}

static int
concat2 (Builder *b, const char *name, int x, int y)
{
  if (x < 0 || y < 0)
    return -1;
  const int in[2] = { x, y };
  return sr_graph_add_concat (b->g, name, 2, in, b->error);
}

/* The widths the file's shapes give: channel C (enc first conv's output
 * is C/2), res channels, embed dim, residual blocks. */
typedef struct {
  int c, rc, embed_dim, nrb;
} Widths;

static gboolean
read_widths (Builder *b, const char *enc, const char *qconv, Widths *w)
{
  gchar *k0 = g_strdup_printf ("%s.blocks.0.weight", enc);
  gchar *kq = g_strdup_printf ("%s.weight", qconv);
  w->c = 2 * (int) MAX (dim (b, k0, 0), 0);
  w->embed_dim = (int) dim (b, kq, 0);
  w->nrb = 0;
  w->rc = -1;
  /* ResBlocks follow the 3x3 at blocks.4 (stride 4). */
  for (int i = 5; i < 64; i++) {
    gchar *k = g_strdup_printf ("%s.blocks.%d.conv.1.weight", enc, i);
    const gint64 rc = dim (b, k, 0);
    g_free (k);
    if (rc < 1)
      break;
    w->rc = (int) rc;
    w->nrb++;
  }
  g_free (k0);
  g_free (kq);
  if (w->c < 2 || w->c > 4096 || w->embed_dim < 1 || w->embed_dim > 256
      || w->rc < 1 || w->rc > 4096) {
    g_set_error (b->error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS,
        "%s: VQ-VAE keys, but not its layout (%s.blocks.0 [C/2, 3, 4, 4], "
        "ResBlocks %s.blocks.5.conv.1 ..., %s [D, C, 1, 1])", b->path, enc,
        enc, qconv);
    return FALSE;
  }
  return TRUE;
}

static int
build_vqvae2 (Builder *b)
{
  Widths w;
  if (!read_widths (b, "enc_b", "quantize_conv_t", &w))
    return -1;
  SrGraph *g = b->g;
  const float two[3] = { 2, 2, 2 }, minus_one[3] = { -1, -1, -1 };
  int x = sr_graph_add_affine (g, "to-minus-one-one", g->input, two,
      minus_one, none, b->error);
  const int enc_b = encoder (b, "enc_b", x, w.c, w.rc, 4, w.nrb);
  const int enc_t = encoder (b, "enc_t", enc_b, w.c, w.rc, 2, w.nrb);
  const int q_t = quantise (b, "quantize_t",
      conv (b, "quantize_conv_t", enc_t, w.embed_dim, 1, 1, 0, none));
  const int dec_t = decoder (b, "dec_t", q_t, w.embed_dim, w.c, w.rc, 2,
      w.nrb, 1, 0, none);
  const int q_b = quantise (b, "quantize_b", conv (b, "quantize_conv_b",
          concat2 (b, "cat-dec_t-enc_b", dec_t, enc_b), w.embed_dim, 1, 1, 0,
          none));
  /* q_t is fine when q_b failed: build nothing more, the error is set. */
  const int up_t = q_b < 0 ? -1 : conv_transpose (b, "upsample_t", q_t,
      w.embed_dim, 1, 0, none);
  const SrAct clamp = {.kind = SR_ACT_CLAMP,.lo = 0,.hi = 1 };
  return decoder (b, "dec", concat2 (b, "cat-upsample_t-q_b", up_t, q_b), 3,
      w.c, w.rc, 4, w.nrb, 0.5f, 0.5f, clamp);
}

static int
build_vqvae (Builder *b)
{
  Widths w;
  if (!read_widths (b, "enc", "quantize_conv", &w))
    return -1;
  SrGraph *g = b->g;
  const float two[3] = { 2, 2, 2 }, minus_one[3] = { -1, -1, -1 };
  int x = sr_graph_add_affine (g, "to-minus-one-one", g->input, two,
      minus_one, none, b->error);
  x = encoder (b, "enc", x, w.c, w.rc, 4, w.nrb);
  x = quantise (b, "quantize", conv (b, "quantize_conv", x, w.embed_dim, 1, 1,
          0, none));
  const SrAct clamp = {.kind = SR_ACT_CLAMP,.lo = 0,.hi = 1 };
  return decoder (b, "dec", x, 3, w.c, w.rc, 4, w.nrb, 0.5f, 0.5f, clamp);
}

gboolean
sr_vqvae_recognise (const char *path)
{
  SrSafetensors *st = sr_safetensors_open (path, NULL);
  const gboolean yes = st && (sr_safetensors_lookup (st, "enc_b.blocks.0.weight")
      || sr_safetensors_lookup (st, "enc.blocks.0.weight"));
  sr_safetensors_close (st);
  return yes;
}

SrGraph *
sr_vqvae_load (const char *path, GError **error)
{
  SrSafetensors *st = sr_safetensors_open (path, error);
  if (!st)
    return NULL;
  Builder b = { st, path, g_hash_table_new_full (g_str_hash, g_str_equal,
        g_free, NULL), NULL, error };
  const gboolean two = sr_safetensors_lookup (st, "enc_b.blocks.0.weight")
      != NULL;
  gboolean ok = TRUE;
  int out = -1;
  if (!two && !sr_safetensors_lookup (st, "enc.blocks.0.weight")) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS, "%s: neither "
        "VQ-VAE-2 (enc_b.blocks.0.weight, ...) nor VQ-VAE "
        "(enc.blocks.0.weight, ...) keys", path);
    ok = FALSE;
  } else if (sr_safetensors_metadata (st, "gst-sr.input-range")
      && strcmp (sr_safetensors_metadata (st, "gst-sr.input-range"), "-1,1")) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED, "%s: "
        "gst-sr.input-range is '%s'; VQ-VAEs here take -1,1", path,
        sr_safetensors_metadata (st, "gst-sr.input-range"));
    ok = FALSE;
  } else {
    b.g = sr_graph_new (path, 3);
    out = two ? build_vqvae2 (&b) : build_vqvae (&b);
    ok = out >= 0;
  }
  ok = ok && sr_safetensors_all_used (st, b.used, two ? "the VQ-VAE-2"
      : "the VQ-VAE", error);
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
