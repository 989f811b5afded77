/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_graph.h"

#include <math.h>
#include <string.h>

G_DEFINE_QUARK (sr-model-error-quark, sr_model_error)

static void
node_free (gpointer data)
{
  SrNode *n = data;
  g_free (n->name);
  g_free (n->weight);
  g_free (n->bias);
  g_free (n->prelu);
  g_free (n->scale);
  g_free (n->shift);
  g_free (n);
}

SrGraph *
sr_graph_new (const char *name, int input_channels)
{
  SrGraph *g = g_new0 (SrGraph, 1);
  g->name = g_strdup (name);
  g->nodes = g_ptr_array_new_with_free_func (node_free);
  g->values = g_array_new (FALSE, TRUE, sizeof (SrValue));
  SrValue in = { input_channels, -1, 0 };
  g_array_append_val (g->values, in);
  g->input = 0;
  g->output = -1;
  g->taps = g_array_new (FALSE, FALSE, sizeof (int));
  return g;
}

void
sr_graph_free (SrGraph *g)
{
  if (!g)
    return;
  g_ptr_array_free (g->nodes, TRUE);
  g_array_free (g->values, TRUE);
  g_array_free (g->taps, TRUE);
  g_free (g->name);
  g_free (g);
}

static gboolean
check_value (SrGraph *g, const char *name, int v, GError **error)
{
  if (v < 0 || v >= (int) g->values->len) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "layer '%s' reads a value that does not exist", name);
    return FALSE;
  }
  return TRUE;
}

static float *
copy_floats (const float *src, int n)
{
  return src ? g_memdup2 (src, (gsize) n * sizeof (float)) : NULL;
}

/* Appends a node reading in[0..n) and producing a new value of `channels`. */
static SrNode *
add_node (SrGraph *g, SrNodeKind kind, const char *name, int n, const int *in,
    int channels, GError **error)
{
  if (n < 1 || n > SR_GRAPH_MAX_INPUTS) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "layer '%s' has %d inputs (1..%d supported)", name, n,
        SR_GRAPH_MAX_INPUTS);
    return NULL;
  }
  for (int i = 0; i < n; i++)
    if (!check_value (g, name, in[i], error))
      return NULL;
  if (channels < 1) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "layer '%s' would have %d channels", name, channels);
    return NULL;
  }
  SrNode *node = g_new0 (SrNode, 1);
  node->kind = kind;
  node->name = g_strdup (name);
  node->n_inputs = n;
  memcpy (node->inputs, in, n * sizeof (int));
  node->skip = -1;
  SrValue out = { channels, (int) g->nodes->len, 0 };
  g_array_append_val (g->values, out);
  node->output = g->values->len - 1;
  g_ptr_array_add (g->nodes, node);
  return node;
}

static int
in_channels (SrGraph *g, int v)
{
  return sr_graph_value (g, v)->channels;
}

int
sr_graph_add_conv2d (SrGraph *g, const char *name, int in,
    const SrNnConv2dParams *p, const float *weight, const float *bias,
    const float *prelu, GError **error)
{
  if (!check_value (g, name, in, error))
    return -1;
  if (in_channels (g, in) != p->cin || p->kh < 1 || p->kw < 1
      || p->stride_h < 1 || p->stride_w < 1 || p->pad_top < 0
      || p->pad_bottom < 0 || p->pad_left < 0 || p->pad_right < 0 || !weight
      || (p->act.kind == SR_ACT_PRELU) != (prelu != NULL)) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "convolution '%s': %d input channels, expected %d (or impossible "
        "kernel, stride or padding)", name, in_channels (g, in), p->cin);
    return -1;
  }
  SrNode *n = add_node (g, SR_NODE_CONV2D, name, 1, &in, p->cout, error);
  if (!n)
    return -1;
  n->conv = *p;
  n->weight = copy_floats (weight, p->cout * p->cin * p->kh * p->kw);
  n->bias = copy_floats (bias, p->cout);
  n->prelu = copy_floats (prelu, p->cout);
  return n->output;
}

static gboolean
same_channels (SrGraph *g, const char *name, int n, const int *in,
    GError **error)
{
  for (int i = 0; i < n; i++)
    if (!check_value (g, name, in[i], error))
      return FALSE;
  for (int i = 1; i < n; i++)
    if (in_channels (g, in[i]) != in_channels (g, in[0])) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
          "layer '%s' adds %d and %d channels", name,
          in_channels (g, in[0]), in_channels (g, in[i]));
      return FALSE;
    }
  return TRUE;
}

int
sr_graph_add_add (SrGraph *g, const char *name, int n, const int *in,
    const float *coef, GError **error)
{
  if (n < 1 || n > SR_GRAPH_MAX_INPUTS || !same_channels (g, name, n, in, error)) {
    if (error && !*error)
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
          "layer '%s' adds %d inputs", name, n);
    return -1;
  }
  SrNode *node = add_node (g, SR_NODE_ADD, name, n, in, in_channels (g, in[0]),
      error);
  if (!node)
    return -1;
  for (int i = 0; i < n; i++)
    node->coef[i] = coef ? coef[i] : 1.0f;
  return node->output;
}

int
sr_graph_add_affine (SrGraph *g, const char *name, int in, const float *scale,
    const float *shift, SrAct act, GError **error)
{
  if (!check_value (g, name, in, error))
    return -1;
  if (act.kind == SR_ACT_PRELU || !scale) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "affine layer '%s' needs its scales (and takes no PReLU)", name);
    return -1;
  }
  const int c = in_channels (g, in);
  SrNode *n = add_node (g, SR_NODE_AFFINE, name, 1, &in, c, error);
  if (!n)
    return -1;
  n->scale = copy_floats (scale, c);
  n->shift = copy_floats (shift, c);
  n->act = act;
  return n->output;
}

int
sr_graph_add_act (SrGraph *g, const char *name, int in, SrAct act,
    GError **error)
{
  if (!check_value (g, name, in, error))
    return -1;
  if (act.kind == SR_ACT_PRELU) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "layer '%s': a PReLU needs its slopes (an affine node)", name);
    return -1;
  }
  SrNode *n = add_node (g, SR_NODE_ACT, name, 1, &in, in_channels (g, in),
      error);
  if (!n)
    return -1;
  n->act = act;
  return n->output;
}

int
sr_graph_add_concat (SrGraph *g, const char *name, int n, const int *in,
    GError **error)
{
  int c = 0;
  for (int i = 0; i < n && i < SR_GRAPH_MAX_INPUTS; i++) {
    if (!check_value (g, name, in[i], error))
      return -1;
    if (c > G_MAXINT - in_channels (g, in[i])) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
          "layer '%s' would have more than %d channels", name, G_MAXINT);
      return -1;
    }
    c += in_channels (g, in[i]);
  }
  SrNode *node = add_node (g, SR_NODE_CONCAT, name, n, in, c, error);
  return node ? node->output : -1;
}

static gboolean
check_factor (const char *name, int factor, GError **error)
{
  if (factor >= 1 && factor <= 16)
    return TRUE;
  g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
      "layer '%s' has factor %d (1..16 supported)", name, factor);
  return FALSE;
}

int
sr_graph_add_upsample (SrGraph *g, const char *name, int in, int factor,
    SrUpsampleMode mode, GError **error)
{
  if (!check_value (g, name, in, error) || !check_factor (name, factor, error))
    return -1;
  SrNode *n = add_node (g, SR_NODE_UPSAMPLE, name, 1, &in, in_channels (g, in),
      error);
  if (!n)
    return -1;
  n->factor = factor;
  n->upsample = mode;
  return n->output;
}

int
sr_graph_add_pixel_shuffle (SrGraph *g, const char *name, int in, int factor,
    SrShuffleOrder order, GError **error)
{
  if (!check_value (g, name, in, error) || !check_factor (name, factor, error))
    return -1;
  const int c = in_channels (g, in);
  if (c % (factor * factor)) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "pixel shuffle '%s': %d channels are not a multiple of %d", name, c,
        factor * factor);
    return -1;
  }
  SrNode *n = add_node (g, SR_NODE_PIXEL_SHUFFLE, name, 1, &in,
      c / (factor * factor), error);
  if (!n)
    return -1;
  n->factor = factor;
  n->order = order;
  return n->output;
}

int
sr_graph_add_pixel_unshuffle (SrGraph *g, const char *name, int in, int factor,
    GError **error)
{
  if (!check_value (g, name, in, error) || !check_factor (name, factor, error))
    return -1;
  if (in_channels (g, in) > G_MAXINT / (factor * factor)) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "layer '%s' would have more than %d channels", name, G_MAXINT);
    return -1;
  }
  SrNode *n = add_node (g, SR_NODE_PIXEL_UNSHUFFLE, name, 1, &in,
      in_channels (g, in) * factor * factor, error);
  if (!n)
    return -1;
  n->factor = factor;
  return n->output;
}

/* Output row 2m + a of a k4 s2 p1 transposed convolution reads input rows
 * m + d (d = -1, 0, 1: the 3x3 tap d + 1) through kernel row
 * phase_tap[a][d + 1] (-1: none): from o = 2 i - 1 + k, a = 0 takes k = 3
 * at i = m - 1 and k = 1 at i = m; a = 1 takes k = 2 at i = m and k = 0 at
 * i = m + 1. */
static const int phase_tap[2][3] = { { 3, 1, -1 }, { -1, 2, 0 } };

int
sr_graph_add_conv_transpose (SrGraph *g, const char *name, int in, int cout,
    const float *weight, const float *bias, SrAct act, GError **error)
{
  if (!check_value (g, name, in, error))
    return -1;
  const int cin = in_channels (g, in);
  if (cout < 1 || cout > G_MAXINT / 4 || act.kind == SR_ACT_PRELU || !weight) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "transposed convolution '%s': %d output channels, activation %d "
        "(PReLU unsupported) or no weights", name, cout, act.kind);
    return -1;
  }
  SrNnConv2dParams p = { 0 };
  p.cin = cin;
  p.cout = 4 * cout;
  p.kh = p.kw = 3;
  p.stride_h = p.stride_w = 1;
  p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = 1;
  p.act = act;                  /* elementwise: commutes with the shuffle */
  /* Phase channel c * 4 + a * 2 + b lands on output (c, 2m + a, 2n + b)
   * in the shuffle's CRD order. */
  float *w = g_new0 (float, (size_t) p.cout * cin * 9);
  float *b = bias ? g_new (float, p.cout) : NULL;
  for (int c = 0; c < cout; c++)
    for (int ph = 0; ph < 4; ph++) {
      const int a = ph / 2, bb = ph % 2, o = c * 4 + ph;
      if (b)
        b[o] = bias[c];
      for (int i = 0; i < cin; i++)
        for (int y = 0; y < 3; y++)
          for (int x = 0; x < 3; x++) {
            const int ky = phase_tap[a][y], kx = phase_tap[bb][x];
            if (ky >= 0 && kx >= 0)
              w[(((size_t) o * cin + i) * 3 + y) * 3 + x] =
                  weight[(((size_t) i * cout + c) * 4 + ky) * 4 + kx];
          }
    }
  int v = sr_graph_add_conv2d (g, name, in, &p, w, b, NULL, error);
  g_free (w);
  g_free (b);
  if (v < 0)
    return -1;
  gchar *phases = g_strconcat (name, "-phases", NULL);
  v = sr_graph_add_pixel_shuffle (g, phases, v, 2, SR_SHUFFLE_CRD, error);
  g_free (phases);
  return v;
}

int
sr_graph_add_max_pool (SrGraph *g, const char *name, int in, int k, int s,
    GError **error)
{
  if (!check_value (g, name, in, error))
    return -1;
  if (k < 1 || k > 16 || s < 1 || s > 16) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "max pool '%s': kernel %d, stride %d (1..16 supported)", name, k, s);
    return -1;
  }
  SrNode *n = add_node (g, SR_NODE_MAX_POOL, name, 1, &in, in_channels (g, in),
      error);
  if (!n)
    return -1;
  n->pool_k = k;
  n->pool_s = s;
  return n->output;
}

int
sr_graph_add_l2_normalize (SrGraph *g, const char *name, int in, float eps,
    GError **error)
{
  if (!check_value (g, name, in, error))
    return -1;
  if (!(eps >= 0)) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "normalisation '%s': eps %g is not >= 0", name, eps);
    return -1;
  }
  SrNode *n = add_node (g, SR_NODE_L2_NORMALIZE, name, 1, &in,
      in_channels (g, in), error);
  if (!n)
    return -1;
  n->eps = eps;
  return n->output;
}

int
sr_graph_add_vq (SrGraph *g, const char *name, int in, const float *embed,
    int n_codes, GError **error)
{
  if (!check_value (g, name, in, error))
    return -1;
  const int dim = in_channels (g, in);
  if (!embed || n_codes < 1 || n_codes > 65536 || dim > 256) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "quantiser '%s': %d codes of %d values (1..65536 codes of up to "
        "256)", name, n_codes, dim);
    return -1;
  }
  SrNode *n = add_node (g, SR_NODE_VQ, name, 1, &in, dim, error);
  if (!n)
    return -1;
  n->weight = copy_floats (embed, dim * n_codes);
  n->vq_codes = n_codes;
  return n->output;
}

int
sr_graph_add_tap (SrGraph *g, int v, GError **error)
{
  if (v <= g->input || v >= (int) g->values->len) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "%s: a tap must be a value made by a layer", g->name);
    return -1;
  }
  g_array_append_val (g->taps, v);
  return g->taps->len - 1;
}

/* ---- sizes ---------------------------------------------------------------- */

gboolean
sr_graph_infer_sizes (const SrGraph *g, int h, int w, int *vh, int *vw,
    GError **error)
{
  vh[g->input] = h;
  vw[g->input] = w;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    const int ih = vh[n->inputs[0]], iw = vw[n->inputs[0]];
    int oh = ih, ow = iw;
    /* A chain of large factors can pass G_MAXINT: refused, not wrapped. */
    gboolean too_large = FALSE;
    switch (n->kind) {
      case SR_NODE_CONV2D:
        too_large = ih > G_MAXINT - n->conv.pad_top - n->conv.pad_bottom
            || iw > G_MAXINT - n->conv.pad_left - n->conv.pad_right;
        if (!too_large)
          sr_nn_conv2d_out_size (&n->conv, ih, iw, &oh, &ow);
        break;
      case SR_NODE_UPSAMPLE:
      case SR_NODE_PIXEL_SHUFFLE:
        too_large = ih > G_MAXINT / n->factor || iw > G_MAXINT / n->factor;
        if (!too_large) {
          oh = ih * n->factor;
          ow = iw * n->factor;
        }
        break;
      case SR_NODE_PIXEL_UNSHUFFLE:
        oh = ih % n->factor ? 0 : ih / n->factor;
        ow = iw % n->factor ? 0 : iw / n->factor;
        break;
      case SR_NODE_MAX_POOL:
        oh = ih < n->pool_k ? 0 : (ih - n->pool_k) / n->pool_s + 1;
        ow = iw < n->pool_k ? 0 : (iw - n->pool_k) / n->pool_s + 1;
        break;
      default:
        for (int k = 1; k < n->n_inputs; k++)
          if (vh[n->inputs[k]] != ih || vw[n->inputs[k]] != iw)
            oh = ow = 0;
        break;
    }
    if (too_large) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_SIZE,
          "a %dx%d input makes layer '%s' of %s larger than %d pixels a side",
          w, h, n->name, g->name, G_MAXINT);
      return FALSE;
    }
    if (oh < 1 || ow < 1) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_SIZE,
          "a %dx%d input is too small (or of the wrong size) for layer '%s' "
          "of %s", w, h, n->name, g->name);
      return FALSE;
    }
    vh[n->output] = oh;
    vw[n->output] = ow;
  }
  return TRUE;
}

/* ---- finishing: checks and fusion ---------------------------------------- */

static void
count_consumers (SrGraph *g)
{
  for (guint v = 0; v < g->values->len; v++)
    sr_graph_value (g, v)->n_consumers = 0;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    for (int k = 0; k < n->n_inputs; k++)
      sr_graph_value (g, n->inputs[k])->n_consumers++;
    if (n->skip >= 0)
      sr_graph_value (g, n->skip)->n_consumers++;
  }
  sr_graph_value (g, g->output)->n_consumers++;
  for (guint t = 0; t < g->taps->len; t++)
    sr_graph_value (g, g_array_index (g->taps, int, t))->n_consumers++;
}

/* The live convolution producing v for this one consumer, or NULL. */
static SrNode *
sole_conv_producer (SrGraph *g, int v)
{
  const SrValue *val = sr_graph_value (g, v);
  if (val->producer < 0 || val->n_consumers != 1 || v == g->output)
    return NULL;
  SrNode *p = sr_graph_node (g, val->producer);
  return !p->dead && p->kind == SR_NODE_CONV2D ? p : NULL;
}

/* Moves node `from`'s output onto `to` (to takes over the value) and kills
 * from. */
static void
absorb (SrGraph *g, SrNode *to, SrNode *from)
{
  to->output = from->output;
  sr_graph_value (g, to->output)->producer = -2;    /* re-linked below */
  from->dead = TRUE;
}

static void
relink_producers (SrGraph *g)
{
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (!n->dead)
      sr_graph_value (g, n->output)->producer = i;
  }
}

static void
fuse (SrGraph *g)
{
  gboolean changed = TRUE;
  while (changed) {
    changed = FALSE;
    count_consumers (g);
    for (guint i = 0; i < g->nodes->len; i++) {
      SrNode *n = sr_graph_node (g, i);
      if (n->dead)
        continue;
      /* conv -> activation: the conv's epilogue applies it. */
      if (n->kind == SR_NODE_ACT) {
        SrNode *c = sole_conv_producer (g, n->inputs[0]);
        if (c && c->conv.act.kind == SR_ACT_NONE && c->skip < 0) {
          c->conv.act = n->act;
          absorb (g, c, n);
          changed = TRUE;
        }
      }
      if (n->kind != SR_NODE_ADD)
        continue;
      /* A scale (1-input add) feeding an add: fold it into the coefficient. */
      for (int k = 0; k < n->n_inputs; k++) {
        const SrValue *v = sr_graph_value (g, n->inputs[k]);
        if (v->producer < 0 || v->n_consumers != 1)
          continue;
        SrNode *s = sr_graph_node (g, v->producer);
        if (!s->dead && s->kind == SR_NODE_ADD && s->n_inputs == 1
            && s->act.kind == SR_ACT_NONE) {
          n->coef[k] *= s->coef[0];
          n->inputs[k] = s->inputs[0];
          s->dead = TRUE;
          changed = TRUE;
        }
      }
      /* conv + other: the conv's epilogue adds the other (computed before
       * the conv runs). */
      if (n->n_inputs == 2 && n->act.kind == SR_ACT_NONE) {
        for (int k = 0; k < 2; k++) {
          SrNode *c = sole_conv_producer (g, n->inputs[k]);
          const int other = n->inputs[1 - k];
          const int other_producer = sr_graph_value (g, other)->producer;
          /* -2: a producer re-linked only at the end of this pass. */
          if (!c || c->skip >= 0 || other == n->inputs[k] || other_producer == -2
              || other_producer >= sr_graph_value (g, c->output)->producer)
            continue;
          c->skip = other;
          c->conv.res_scale = n->coef[k];
          c->conv.skip_scale = n->coef[1 - k];
          absorb (g, c, n);
          changed = TRUE;
          break;
        }
      }
    }
    relink_producers (g);
  }
  count_consumers (g);
}

/* floor (a / b) for b > 0. */
static int
floor_div (int a, int b)
{
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* Nearest upsampling by s followed by a stride-1 convolution equals a
 * convolution at the low resolution with s*s output phases, followed by a
 * pixel shuffle (PyTorch order): output pixel (s*y + i, s*x + j) only reads
 * low-resolution rows floor ((i + ky - pad) / s). The folded weights of
 * phase (i, j) sum the taps that land on the same low-resolution pixel.
 * Same multiply-adds, but no s*s times larger upsampled tensor: for
 * UpscalerJS's RDN x4 that tensor was 48 channels at the output size. */
static gboolean
fold_upsample_into_conv (SrGraph *g, guint up_index)
{
  SrNode *up = sr_graph_node (g, up_index);
  SrValue *mid = sr_graph_value (g, up->output);
  if (up->dead || up->kind != SR_NODE_UPSAMPLE || up->upsample != SR_UPSAMPLE_NEAREST
      || up->factor < 2 || mid->n_consumers != 1 || up->output == g->output)
    return FALSE;
  SrNode *c = NULL;
  guint c_index = 0;
  for (guint i = up_index + 1; i < g->nodes->len && !c; i++) {
    SrNode *n = sr_graph_node (g, i);
    if (!n->dead && n->n_inputs >= 1 && n->inputs[0] == up->output) {
      c = n;
      c_index = i;
    }
  }
  if (!c || c->kind != SR_NODE_CONV2D || c->skip >= 0 || c->conv.stride_h != 1
      || c->conv.stride_w != 1 || c->conv.act.kind == SR_ACT_PRELU)
    return FALSE;
  const SrNnConv2dParams p = c->conv;
  const int s = up->factor, phases = s * s;
  const int y0 = floor_div (-p.pad_top, s), y1 = floor_div (s - 1 + p.kh - 1 - p.pad_top, s);
  const int x0 = floor_div (-p.pad_left, s), x1 = floor_div (s - 1 + p.kw - 1 - p.pad_left, s);
  /* Output size must stay s times the input's: 'same'-style padding. */
  if (p.pad_top + p.pad_bottom != p.kh - 1 || p.pad_left + p.pad_right != p.kw - 1)
    return FALSE;
  const int kh = y1 - y0 + 1, kw = x1 - x0 + 1;
  float *w = g_new0 (float, (gsize) p.cout * phases * p.cin * kh * kw);
  for (int o = 0; o < p.cout; o++)
    for (int i = 0; i < s; i++)
      for (int j = 0; j < s; j++) {
        const int oc = o * phases + i * s + j;
        for (int ci = 0; ci < p.cin; ci++)
          for (int ky = 0; ky < p.kh; ky++)
            for (int kx = 0; kx < p.kw; kx++) {
              const int dy = floor_div (i + ky - p.pad_top, s) - y0;
              const int dx = floor_div (j + kx - p.pad_left, s) - x0;
              w[(((gsize) oc * p.cin + ci) * kh + dy) * kw + dx] +=
                  c->weight[(((gsize) o * p.cin + ci) * p.kh + ky) * p.kw + kx];
            }
      }
  float *bias = NULL;
  if (c->bias) {
    bias = g_new (float, (gsize) p.cout * phases);
    for (int o = 0; o < p.cout * phases; o++)
      bias[o] = c->bias[o / phases];
  }
  g_free (c->weight);
  g_free (c->bias);
  c->weight = w;
  c->bias = bias;
  c->conv.cout = p.cout * phases;
  c->conv.kh = kh;
  c->conv.kw = kw;
  c->conv.pad_top = -y0;
  c->conv.pad_bottom = y1;
  c->conv.pad_left = -x0;
  c->conv.pad_right = x1;
  c->inputs[0] = up->inputs[0];
  up->dead = TRUE;
  /* conv -> new low-resolution value -> shuffle -> the conv's old output. */
  SrValue lr = { p.cout * phases, (int) c_index, 1 };
  g_array_append_val (g->values, lr);
  SrNode *shuffle = g_new0 (SrNode, 1);
  shuffle->kind = SR_NODE_PIXEL_SHUFFLE;
  shuffle->name = g_strdup_printf ("%s-phases", c->name);
  shuffle->n_inputs = 1;
  shuffle->inputs[0] = g->values->len - 1;
  shuffle->output = c->output;
  shuffle->skip = -1;
  shuffle->factor = s;
  shuffle->order = SR_SHUFFLE_CRD;
  c->output = g->values->len - 1;
  g_ptr_array_insert (g->nodes, c_index + 1, shuffle);
  return TRUE;
}

gboolean
sr_graph_finish (SrGraph *g, int output, GError **error)
{
  if (output < 0 || output >= (int) g->values->len || output == g->input) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
        "%s: no output layer", g->name);
    return FALSE;
  }
  for (guint t = 0; t < g->taps->len; t++)
    if (g_array_index (g->taps, int, t) == output) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH,
          "%s: the output is also a tap", g->name);
      return FALSE;
    }
  g->output = output;
  fuse (g);
  for (guint i = 0; i < g->nodes->len; i++)
    if (fold_upsample_into_conv (g, i)) {
      relink_producers (g);
      count_consumers (g);
    }
  /* The scale, from the sizes of a probe input. */
  int *vh = g_new (int, g->values->len), *vw = g_new (int, g->values->len);
  const int probe = 720720;     /* divisible by every factor up to 16 */
  gboolean ok = sr_graph_infer_sizes (g, probe, probe, vh, vw, error);
  if (ok) {
    g->scale = vh[g->output] / probe;
    if (vh[g->output] < probe && g->taps->len)
      g->scale = 0;             /* a feature network */
    else if (vh[g->output] % probe || g->scale < 1) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
          "%s: the output is not an integer multiple of the input", g->name);
      ok = FALSE;
    }
  }
  g_free (vh);
  g_free (vw);
  return ok;
}

/* ---- cost and reach --------------------------------------------------------- */

/* Each value's spatial scale relative to the input (output size / input
 * size), in double. */
static double *
value_scales (const SrGraph *g)
{
  double *f = g_new0 (double, g->values->len);
  f[g->input] = 1;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    double s = f[n->inputs[0]];
    if (n->kind == SR_NODE_CONV2D)
      s /= n->conv.stride_h;
    else if (n->kind == SR_NODE_MAX_POOL)
      s /= n->pool_s;
    else if (n->kind == SR_NODE_UPSAMPLE || n->kind == SR_NODE_PIXEL_SHUFFLE)
      s *= n->factor;
    else if (n->kind == SR_NODE_PIXEL_UNSHUFFLE)
      s /= n->factor;
    f[n->output] = s;
  }
  return f;
}

double
sr_graph_macs_per_input_pixel (const SrGraph *g)
{
  double *f = value_scales (g), macs = 0;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (!n->dead && n->kind == SR_NODE_CONV2D)
      macs += f[n->output] * f[n->output] * n->conv.cin * n->conv.cout
          * n->conv.kh * n->conv.kw;
  }
  g_free (f);
  return macs;
}

static int
gcd (int a, int b)
{
  while (b) {
    const int t = a % b;
    a = b;
    b = t;
  }
  return a;
}

int
sr_graph_size_multiple (const SrGraph *g)
{
  double *f = value_scales (g);
  int m = 1;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    const int stride = n->kind == SR_NODE_PIXEL_UNSHUFFLE ? n->factor
        : n->kind == SR_NODE_CONV2D ? n->conv.stride_h : 1;
    if (n->dead || stride < 2)
      continue;
    /* Its input has f input pixels per pixel: k of them span k / f. */
    const int need = (int) lround (stride / f[n->inputs[0]]);
    if (need > 1)
      m = m / gcd (m, need) * need;   /* their least common multiple */
  }
  g_free (f);
  return m;
}

int
sr_graph_receptive_radius (const SrGraph *g)
{
  /* reach[v]: how many input pixels value v depends on beyond the pixel
   * under it, each side. */
  double *f = value_scales (g);
  double *reach = g_new0 (double, g->values->len);
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    double r = 0;
    for (int k = 0; k < n->n_inputs; k++)
      r = MAX (r, reach[n->inputs[k]]);
    if (n->skip >= 0)
      r = MAX (r, reach[n->skip]);
    const double fi = f[n->inputs[0]];
    if (n->kind == SR_NODE_CONV2D) {
      const int pad = MAX (MAX (n->conv.pad_top, n->conv.pad_bottom),
          MAX (n->conv.pad_left, n->conv.pad_right));
      r += MAX (pad, MAX (n->conv.kh, n->conv.kw) / 2) / fi;
    } else if (n->kind == SR_NODE_UPSAMPLE && n->upsample == SR_UPSAMPLE_BILINEAR) {
      r += 1 / fi;
    } else if (n->kind == SR_NODE_PIXEL_UNSHUFFLE) {
      r += (n->factor - 1) / fi;
    } else if (n->kind == SR_NODE_MAX_POOL) {
      r += (n->pool_k - 1) / fi;
    }
    reach[n->output] = r;
  }
  const int radius = (int) ceil (reach[g->output] - 1e-9);
  g_free (reach);
  g_free (f);
  return radius;
}

void
sr_graph_error_in_file (GError **error, const char *path)
{
  if (error && *error && !strstr ((*error)->message, path))
    g_prefix_error (error, "%s: ", path);
}

/* ---- splitting off an upsampling tail ------------------------------------- */

/* Moves node n (and the value it makes) into to, its inputs renamed by map
 * (from's value id -> to's); map[n->output] gets the new value. */
static void
move_node (const SrGraph *from, SrGraph *to, SrNode *n, int *map)
{
  for (int k = 0; k < n->n_inputs; k++)
    n->inputs[k] = map[n->inputs[k]];
  if (n->skip >= 0)
    n->skip = map[n->skip];
  SrValue v = { sr_graph_value (from, n->output)->channels, to->nodes->len, 0 };
  g_array_append_val (to->values, v);
  map[n->output] = to->values->len - 1;
  n->output = map[n->output];
  g_ptr_array_add (to->nodes, n);
}

gboolean
sr_graph_split (SrGraph *g, SrGraph **head, SrGraph **tail)
{
  *head = *tail = NULL;
  const int nn = g->nodes->len, nv = g->values->len;
  if (g->taps->len || g->scale < 2)
    return FALSE;
  int *vh = g_new (int, nv), *vw = g_new (int, nv);
  const int probe = 720720;
  gboolean sized = sr_graph_infer_sizes (g, probe, probe, vh, vw, NULL);
  /* last_read[v]: the last node reading value v. */
  int *last_read = g_new (int, nv);
  for (int v = 0; v < nv; v++)
    last_read[v] = -1;
  for (int i = 0; i < nn; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    for (int k = 0; k < n->n_inputs; k++)
      last_read[n->inputs[k]] = i;
    if (n->skip >= 0)
      last_read[n->skip] = i;
  }
  /* A cut: a value at the input's size, made by node i, that is all the
   * nodes after i read of what nodes up to i made. The one with the fewest
   * channels (the latest of those) wins: RRDBNet's trunk sum, not its
   * first convolution's output (equally wide, earlier) nor the 4-phase
   * upsampling convolution's (four times wider). */
  int cut = -1, cut_node = -1;
  int reach = last_read[g->input];      /* the last read of any value so far */
  for (int i = 0; sized && i < nn; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    const int c = n->output;
    if (c != g->output && vh[c] == probe && vw[c] == probe && reach <= i && (cut < 0 || sr_graph_value (g, c)->channels
            <= sr_graph_value (g, cut)->channels)) {
      cut = c;
      cut_node = i;
    }
    reach = MAX (reach, last_read[c]);
  }
  /* Worth it only when the tail computes at a larger size (else it holds
   * nothing large), and possible only when it needs no size multiple. */
  gboolean upsamples = FALSE;
  for (int i = cut_node + 1; cut >= 0 && i < nn; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    upsamples |= n->kind == SR_NODE_CONV2D && vh[n->output] > probe;
    if ((n->kind == SR_NODE_CONV2D && n->conv.stride_h > 1)
        || n->kind == SR_NODE_PIXEL_UNSHUFFLE || n->kind == SR_NODE_MAX_POOL)
      cut = -1;
  }
  g_free (vh);
  g_free (vw);
  g_free (last_read);
  if (cut < 0 || !upsamples)
    return FALSE;

  SrGraph *h = sr_graph_new (g->name, sr_graph_value (g, g->input)->channels);
  char *tail_name = g_strdup_printf ("%s (upsampling tail)", g->name);
  SrGraph *t = sr_graph_new (tail_name, sr_graph_value (g, cut)->channels);
  g_free (tail_name);
  int *map = g_new (int, nv);
  map[g->input] = h->input;
  g_ptr_array_set_free_func (g->nodes, NULL);   /* nodes move, or go below */
  for (int i = 0; i < nn; i++) {
    SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      node_free (n);
    else
      move_node (g, i <= cut_node ? h : t, n, map);
    if (i == cut_node) {
      h->output = map[cut];
      map[cut] = t->input;      /* the head's output is the tail's input */
    }
  }
  t->output = map[g->output];
  g_free (map);
  h->scale = 1;
  t->scale = g->scale;
  count_consumers (h);
  count_consumers (t);
  *head = h;
  *tail = t;
  sr_graph_free (g);
  return TRUE;
}
