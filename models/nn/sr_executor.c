/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_executor.h"

#include "sr_cast.h"
#include "sr_nn_eltwise.h"
#include "sr_nn_pool.h"
#include "sr_nn_tile.h"

#include <string.h>

/* Where a value lives: channels [offset, offset + C) of its root's storage.
 * Roots are the graph input (the caller's input view), the graph output
 * (the caller's output view) and planned buffers. */
typedef struct {
  int root;
  int offset;
} Place;

struct _SrExecutor {
  SrRuntime *rt;
  SrGraph *g;
  /* How values are stored (SR_DTYPE_F16: precision=fp16). The caller's
   * input and output are float32; with half storage the plan holds half
   * copies of them (in16, out16) and the run casts on the way in and
   * out. */
  SrDType act;
  SrCast *cast;
  SrTensor *in16, *out16;
  gboolean *blocked;            /* per value: stored NCHW16c, not NCHW */
  SrNnConv2d **conv;            /* per node, NULL for other kinds */
  /* While the layout is undecided (auto, and some value could be blocked):
   * the same convolutions for all values NCHW; the first plan measures
   * both sets and keeps one. */
  SrNnConv2d **conv_nchw;
  size_t weight_bytes;          /* the larger set's (see the header) */
  SrNnEltwise *eltwise;
  SrNnShuffle *shuffle;
  SrNnUpsample *upsample;
  SrNnTile *tile;
  SrNnPool *pool;               /* NULL when the graph does not pool */
  SrNnVq **vq;                  /* per node, NULL for other kinds */
  /* The plan. */
  int plan_h, plan_w;
  int *vh, *vw;                 /* per value */
  Place *place;                 /* per value */
  SrTensor **storage;           /* per root value: its buffer (planned roots) */
  GPtrArray *buffers;           /* every SrTensor the plan holds */
  size_t peak_bytes;
};

/* ---- layouts ----------------------------------------------------------------- */

static int
find_root (int *parent, int v)
{
  while (parent[v] != v)
    v = parent[v] = parent[parent[v]];
  return v;
}

static void
join (int *parent, int a, int b)
{
  parent[find_root (parent, a)] = find_root (parent, b);
}

/* Which values are stored channel-blocked (NCHW16c), written to blocked[].
 * Convolutions read and write either layout (the blocked strategy), so a
 * value can be blocked when only convolutions and layout-blind nodes touch
 * it: adds and activations (elementwise over the same channel range of
 * every operand) and concats (views or whole-range copies at offsets that
 * are multiples of 16 channels). Values such nodes link, and a
 * convolution's output and its skip, share one layout, so they are decided
 * together: a group is blocked when each of its values has a multiple of 16
 * channels and no other node kind, nor the caller (graph input and output),
 * touches it. */
static void
assign_layouts (const SrGraph *g, gboolean *blocked)
{
  const int nv = g->values->len;
  int *parent = g_new (int, nv);
  gboolean *ok = g_new (gboolean, nv);
  for (int v = 0; v < nv; v++) {
    parent[v] = v;
    ok[v] = sr_graph_value (g, v)->channels % 16 == 0;
  }
  ok[g->input] = ok[g->output] = FALSE;
  for (guint t = 0; t < g->taps->len; t++)
    ok[g_array_index (g->taps, int, t)] = FALSE;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    switch (n->kind) {
      case SR_NODE_CONV2D:
        if (n->skip >= 0)
          join (parent, n->skip, n->output);
        break;
      case SR_NODE_ADD:
      case SR_NODE_ACT:
      case SR_NODE_CONCAT:
        for (int k = 0; k < n->n_inputs; k++)
          join (parent, n->inputs[k], n->output);
        break;
      default:
        for (int k = 0; k < n->n_inputs; k++)
          ok[n->inputs[k]] = FALSE;
        ok[n->output] = FALSE;
    }
  }
  gboolean *group_ok = g_new (gboolean, nv);
  for (int v = 0; v < nv; v++)
    group_ok[v] = TRUE;
  for (int v = 0; v < nv; v++)
    group_ok[find_root (parent, v)] &= ok[v];
  for (int v = 0; v < nv; v++)
    blocked[v] = group_ok[find_root (parent, v)];
  g_free (group_ok);
  g_free (ok);
  g_free (parent);
}

/* SR_NN_LAYOUT: "nchw" keeps every value NCHW, "blocked" blocks every value
 * that can be; unset or "auto", the first plan measures both. */
static int
layout_mode (GError **error)
{
  const char *e = g_getenv ("SR_NN_LAYOUT");
  if (!e || !*e || !strcmp (e, "auto"))
    return -1;
  if (!strcmp (e, "nchw") || !strcmp (e, "blocked"))
    return !strcmp (e, "blocked");
  g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
      "SR_NN_LAYOUT=%s: expected auto, nchw or blocked", e);
  return -2;
}

static void
free_convs (const SrGraph *g, SrNnConv2d **conv)
{
  for (guint i = 0; conv && i < g->nodes->len; i++)
    sr_nn_conv2d_free (conv[i]);
  g_free (conv);
}

static size_t
convs_weight_bytes (const SrGraph *g, SrNnConv2d **conv)
{
  size_t bytes = 0;
  for (guint i = 0; conv && i < g->nodes->len; i++)
    if (conv[i])
      bytes += sr_nn_conv2d_weight_bytes (conv[i]);
  return bytes;
}

/* The graph's convolutions with the layouts of blocked[] (per value). */
static SrNnConv2d **
new_convs (SrRuntime *rt, const SrGraph *g, const gboolean *blocked,
    SrDType act, GError **error)
{
  SrNnConv2d **conv = g_new0 (SrNnConv2d *, g->nodes->len);
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead || n->kind != SR_NODE_CONV2D)
      continue;
    SrNnConv2dParams p = n->conv;
    p.in_blocked = blocked[n->inputs[0]];
    p.out_blocked = blocked[n->output];
    p.storage = act;
    if (!(conv[i] = sr_nn_conv2d_new (rt, &p, n->weight, n->bias, n->prelu,
                error))) {
      g_prefix_error (error, "layer '%s' of %s: ", n->name, g->name);
      free_convs (g, conv);
      return NULL;
    }
  }
  return conv;
}

/* The convolutions and quantisers hold their weights on the device now:
 * the graph's host copies go (realesrgan-x4plus: 67 MB). */
static void
drop_host_weights (SrGraph *g)
{
  for (guint i = 0; i < g->nodes->len; i++) {
    SrNode *n = sr_graph_node (g, i);
    if (n->kind == SR_NODE_CONV2D || n->kind == SR_NODE_VQ) {
      g_clear_pointer (&n->weight, g_free);
      g_clear_pointer (&n->bias, g_free);
      g_clear_pointer (&n->prelu, g_free);
    }
  }
}

SrExecutor *
sr_executor_new (SrRuntime *rt, SrGraph *g, GError **error)
{
  return sr_executor_new_with_storage (rt, g, SR_DTYPE_F32, error);
}

SrExecutor *
sr_executor_new_with_storage (SrRuntime *rt, SrGraph *g, SrDType act,
    GError **error)
{
  SrExecutor *ex = g_new0 (SrExecutor, 1);
  ex->rt = sr_runtime_ref (rt);
  ex->g = g;
  ex->act = act;
  ex->buffers = g_ptr_array_new_with_free_func ((GDestroyNotify) sr_tensor_unref);
  const int nv = g->values->len, mode = layout_mode (error);
  ex->blocked = g_new0 (gboolean, nv);
  if (mode != 0)
    assign_layouts (g, ex->blocked);
  gboolean any = FALSE;
  for (int v = 0; v < nv; v++)
    any |= ex->blocked[v];
  gboolean *nchw = g_new0 (gboolean, nv);
  gboolean ok = mode != -2
      && (ex->conv = new_convs (rt, g, ex->blocked, act, error)) != NULL
      && !(any && mode == -1
          && !(ex->conv_nchw = new_convs (rt, g, nchw, act, error)));
  g_free (nchw);
  gboolean pools = FALSE, quantises = FALSE;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNodeKind kind = sr_graph_node (g, i)->kind;
    pools |= kind == SR_NODE_MAX_POOL || kind == SR_NODE_L2_NORMALIZE;
    quantises |= kind == SR_NODE_VQ;
  }
  if (ok && (pools || quantises) && act != SR_DTYPE_F32) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "%s: pooling, normalisation and quantisation run on float32 "
        "storage only", g->name);
    sr_executor_free (ex);
    return NULL;
  }
  ex->vq = g_new0 (SrNnVq *, g->nodes->len);
  for (guint i = 0; ok && quantises && i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (!n->dead && n->kind == SR_NODE_VQ
        && !(ex->vq[i] = sr_nn_vq_new (rt, n->weight,
                sr_graph_value (g, n->output)->channels, n->vq_codes,
                error))) {
      g_prefix_error (error, "layer '%s' of %s: ", n->name, g->name);
      ok = FALSE;
    }
  }
  if (!ok || !(ex->eltwise = sr_nn_eltwise_new (rt, act, error))
      || (pools && !(ex->pool = sr_nn_pool_new (rt, error)))
      || !(ex->shuffle = sr_nn_shuffle_new (rt, act, error))
      || !(ex->upsample = sr_nn_upsample_new (rt, act, error))
      || !(ex->tile = sr_nn_tile_new (rt, act, error))
      || (act == SR_DTYPE_F16 && !(ex->cast = sr_cast_new (rt, error)))) {
    sr_executor_free (ex);
    return NULL;
  }
  drop_host_weights (g);
  ex->weight_bytes = MAX (convs_weight_bytes (g, ex->conv),
      convs_weight_bytes (g, ex->conv_nchw));
  return ex;
}

static void
clear_plan (SrExecutor *ex)
{
  g_ptr_array_set_size (ex->buffers, 0);
  g_clear_pointer (&ex->vh, g_free);
  g_clear_pointer (&ex->vw, g_free);
  g_clear_pointer (&ex->place, g_free);
  g_clear_pointer (&ex->storage, g_free);
  ex->in16 = ex->out16 = NULL;          /* held by buffers */
  ex->plan_h = ex->plan_w = 0;
  ex->peak_bytes = 0;
}

void
sr_executor_free (SrExecutor *ex)
{
  if (!ex)
    return;
  clear_plan (ex);
  g_ptr_array_free (ex->buffers, TRUE);
  free_convs (ex->g, ex->conv);
  free_convs (ex->g, ex->conv_nchw);
  g_free (ex->blocked);
  sr_nn_eltwise_free (ex->eltwise);
  sr_nn_shuffle_free (ex->shuffle);
  sr_nn_upsample_free (ex->upsample);
  sr_nn_tile_free (ex->tile);
  sr_nn_pool_free (ex->pool);
  for (guint i = 0; ex->vq && i < ex->g->nodes->len; i++)
    sr_nn_vq_free (ex->vq[i]);
  g_free (ex->vq);
  sr_cast_free (ex->cast);
  sr_graph_free (ex->g);
  sr_runtime_unref (ex->rt);
  g_free (ex);
}

size_t
sr_executor_weight_bytes (const SrExecutor *ex)
{
  return ex->weight_bytes;
}

const SrGraph *
sr_executor_graph (const SrExecutor *ex)
{
  return ex->g;
}

size_t
sr_executor_peak_bytes (const SrExecutor *ex)
{
  return ex->peak_bytes;
}

/* ---- planning ---------------------------------------------------------------- */

/* Concats, latest-read output first: an input that is still its own root,
 * made by a node (not the graph input) and not the graph output or a tap, moves into
 * the concat's storage (with whatever was already placed inside it); any
 * other input is copied in when the concat runs. A value that two concats
 * read so lives in the one that lives longer: RDN's blocks each feed the
 * next block's dense concat and the global one read at the end; placed in
 * the dense concats, all ten of those would have to live until the end
 * (esrgan-medium-x2 at 480x270: 962 MB, against 5xx MB this way). */
static int
cmp_last_read_desc (gconstpointer a, gconstpointer b, gpointer last)
{
  const int x = ((const int *) last)[*(const int *) a];
  const int y = ((const int *) last)[*(const int *) b];
  return x != y ? y - x : *(const int *) a - *(const int *) b;
}

static gboolean
is_tap (const SrGraph *g, int v)
{
  for (guint t = 0; t < g->taps->len; t++)
    if (g_array_index (g->taps, int, t) == v)
      return TRUE;
  return FALSE;
}

/* A concat whose inputs are the first inputs of a longer concat is a view
 * of the start of that one's output: RRDBNet's dense blocks concat
 * (x, x1), (x, x1, x2), ... each a prefix of the last (x, x1, ..., x4), so
 * none of the shorter ones needs a buffer of its own (its run copies in
 * only what does not lie there already: an x that is not placed there). */
static void
alias_prefix_concat (const SrGraph *g, const SrNode *n, Place *place)
{
  const int out = n->output;
  if (place[out].root != out || out == g->output || is_tap (g, out))
    return;
  const SrNode *longest = NULL;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *o = sr_graph_node (g, i);
    if (o->dead || o == n || o->kind != SR_NODE_CONCAT
        || o->n_inputs <= n->n_inputs || (longest
            && longest->n_inputs >= o->n_inputs)
        || place[o->output].root == out)
      continue;
    gboolean prefix = TRUE;
    for (int k = 0; k < n->n_inputs; k++)
      prefix &= o->inputs[k] == n->inputs[k];
    if (prefix)
      longest = o;
  }
  if (!longest)
    return;
  const Place at = place[longest->output];
  for (guint u = 0; u < g->values->len; u++)
    if (place[u].root == out) {
      place[u].root = at.root;
      place[u].offset += at.offset;
    }
}

static void
place_concats (const SrGraph *g, Place *place)
{
  const int nv = g->values->len;
  const int nn = g->nodes->len;
  for (int v = 0; v < nv; v++)
    place[v] = (Place) { v, 0 };
  /* last[c]: the step of the last read of concat node c's output. */
  int *last = g_new0 (int, nn), *order = g_new (int, nn), n_concats = 0;
  int *read_at = g_new0 (int, nv);
  for (int i = 0; i < nn; i++) {
    const SrNode *n = sr_graph_node (g, i);
    for (int k = 0; !n->dead && k < n->n_inputs; k++)
      read_at[n->inputs[k]] = i;
    if (!n->dead && n->skip >= 0)
      read_at[n->skip] = i;
  }
  read_at[g->output] = nn;
  for (int i = 0; i < nn; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (!n->dead && n->kind == SR_NODE_CONCAT) {
      last[i] = read_at[n->output];
      order[n_concats++] = i;
    }
  }
  g_qsort_with_data (order, n_concats, sizeof (int), cmp_last_read_desc,
      last);
  for (int o = 0; o < n_concats; o++) {
    const SrNode *n = sr_graph_node (g, order[o]);
    int offset = 0;
    for (int k = 0; k < n->n_inputs; k++) {
      const int v = n->inputs[k];
      gboolean seen = FALSE;    /* the same value twice: copy the second */
      for (int j = 0; j < k; j++)
        seen |= n->inputs[j] == v;
      /* A value read after the concat's output is copied in instead:
       * placed, it would keep the whole concat alive (RRDBNet's trunk
       * input, read at the very end, held a 192-channel block of its
       * first dense block through all 23 RRDBs). */
      if (!seen && v != g->input && v != g->output && !is_tap (g, v)
          && place[v].root == v && read_at[v] <= last[order[o]])
        for (int u = 0; u < nv; u++)
          if (place[u].root == v) {
            place[u].root = place[n->output].root;
            place[u].offset += place[n->output].offset + offset;
          }
      offset += sr_graph_value (g, v)->channels;
    }
    alias_prefix_concat (g, n, place);
  }
  g_free (read_at);
  g_free (order);
  g_free (last);
}

/* A buffer shared by roots whose lifetimes do not overlap, each seeing it
 * in its own shape. */
typedef struct {
  size_t bytes;                 /* the largest root it holds */
  int free_after;               /* step after which it is free again */
} Slot;

/* The layout for an h x w input: value sizes, places, and for each planned
 * root its slot (slot_of[r], -1 for others) in *slots. */
static gboolean
layout (const SrGraph *g, int h, int w, size_t elem, int *vh, int *vw,
    Place *place, int *slot_of, GArray *slots, GError **error)
{
  const int nv = g->values->len, nn = g->nodes->len;
  if (!sr_graph_infer_sizes (g, h, w, vh, vw, error))
    return FALSE;
  place_concats (g, place);

  /* Lifetimes of planned roots, in node steps: from the first write into
   * the root to the last read of anything inside it. */
  int *first = g_new (int, nv), *last = g_new (int, nv);
  for (int v = 0; v < nv; v++) {
    first[v] = nn;
    last[v] = -1;
    slot_of[v] = -1;
  }
  int *read = g_new (int, nv);         /* per value: its last reader */
  for (int v = 0; v < nv; v++)
    read[v] = -1;
  for (int i = 0; i < nn; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    const int r = place[n->output].root;
    first[r] = MIN (first[r], i);
    last[r] = MAX (last[r], i);
    for (int k = 0; k < n->n_inputs; k++)
      last[place[n->inputs[k]].root] = read[n->inputs[k]] = i;
    if (n->skip >= 0)
      last[place[n->skip].root] = read[n->skip] = i;
  }
  /* A concat's input that is copied in may instead be read where it lies
   * by the concat's readers (read_split): it lives as long as they read. */
  for (int i = 0; i < nn; i++) {
    const SrNode *n = sr_graph_node (g, i);
    for (int k = 0; !n->dead && n->kind == SR_NODE_CONCAT && k < n->n_inputs;
        k++) {
      const int r = place[n->inputs[k]].root;
      if (r != place[n->output].root)
        last[r] = MAX (last[r], read[n->output]);
    }
  }
  g_free (read);
  /* Taps are read after the run. */
  for (guint t = 0; t < g->taps->len; t++)
    last[place[g_array_index (g->taps, int, t)].root] = nn;
  /* A root takes the smallest free slot that holds it; else the largest
   * free one, grown to fit; else a new one. (Sharing only between roots of
   * one shape held esrgan-medium-x2 at 480x270 at 1065 MB.) */
  for (int i = 0; i < nn; i++) {
    for (int r = 0; r < nv; r++) {
      if (first[r] != i || r == g->input || r == g->output || place[r].root != r)
        continue;
      const size_t bytes = (size_t) sr_graph_value (g, r)->channels * vh[r]
          * vw[r] * elem;
      int fit = -1, largest = -1;
      for (guint s = 0; s < slots->len; s++) {
        const Slot *slot = &g_array_index (slots, Slot, s);
        if (slot->free_after >= i)
          continue;
        if (slot->bytes >= bytes && (fit < 0
                || slot->bytes < g_array_index (slots, Slot, fit).bytes))
          fit = s;
        if (largest < 0
            || slot->bytes > g_array_index (slots, Slot, largest).bytes)
          largest = s;
      }
      const int s = fit >= 0 ? fit : largest;
      if (s >= 0) {
        Slot *slot = &g_array_index (slots, Slot, s);
        slot->bytes = MAX (slot->bytes, bytes);
        slot->free_after = last[r];
        slot_of[r] = s;
      } else {
        Slot slot = { bytes, last[r] };
        g_array_append_val (slots, slot);
        slot_of[r] = slots->len - 1;
      }
    }
  }
  g_free (first);
  g_free (last);
  return TRUE;
}

static size_t
slots_bytes (const GArray *slots)
{
  size_t bytes = 0;
  for (guint s = 0; s < slots->len; s++)
    bytes += g_array_index (slots, Slot, s).bytes;
  return bytes;
}

/* Bytes of the half copies of the graph's input and output (0 with
 * float32 storage). */
static size_t
io_copy_bytes (const SrExecutor *ex, const int *vh, const int *vw)
{
  const SrGraph *g = ex->g;
  if (ex->act == SR_DTYPE_F32)
    return 0;
  return ((size_t) sr_graph_value (g, g->input)->channels * vh[g->input]
      * vw[g->input] + (size_t) sr_graph_value (g, g->output)->channels
      * vh[g->output] * vw[g->output]) * sr_dtype_size (ex->act);
}

gboolean
sr_executor_measure (const SrExecutor *ex, int h, int w, size_t *bytes,
    GError **error)
{
  const int nv = ex->g->values->len;
  int *vh = g_new0 (int, nv), *vw = g_new0 (int, nv), *slot_of = g_new (int, nv);
  Place *place = g_new0 (Place, nv);
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  const gboolean ok = layout (ex->g, h, w, sr_dtype_size (ex->act), vh, vw,
      place, slot_of, slots, error);
  *bytes = ok ? slots_bytes (slots) + io_copy_bytes (ex, vh, vw) : 0;
  g_array_free (slots, TRUE);
  g_free (place);
  g_free (slot_of);
  g_free (vh);
  g_free (vw);
  return ok;
}

static SrStatus run_nodes (SrExecutor *ex, cl_command_queue q, SrView in,
    SrView out, double *ms);

/* A digest of what sets the graph's speed: its nodes and their shapes
 * (not its weights). */
static char *
graph_digest (const SrGraph *g)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead)
      continue;
    const SrNnConv2dParams *c = &n->conv;
    g_string_append_printf (s, "%d %d>%d", n->kind, n->output,
        sr_graph_value (g, n->output)->channels);
    for (int k = 0; k < n->n_inputs; k++)
      g_string_append_printf (s, " %d", n->inputs[k]);
    if (n->kind == SR_NODE_CONV2D)
      g_string_append_printf (s, " k%dx%d s%dx%d p%d.%d.%d.%d a%d r%d",
          c->kh, c->kw, c->stride_h, c->stride_w, c->pad_top, c->pad_bottom,
          c->pad_left, c->pad_right, c->act.kind, n->skip);
    g_string_append_printf (s, " f%d p%d.%d\n", n->factor, n->pool_k,
        n->pool_s);
  }
  char *d = g_compute_checksum_for_string (G_CHECKSUM_SHA256, s->str, -1);
  g_string_free (s, TRUE);
  return d;
}

/* Milliseconds of one run of the network with the convolutions conv. */
static double
time_network (SrExecutor *ex, SrNnConv2d **conv, cl_command_queue q,
    SrTensor *in, SrTensor *out)
{
  ex->conv = conv;
  const gint64 t0 = g_get_monotonic_time ();
  if (run_nodes (ex, q, sr_view (in), sr_view (out), NULL) != SR_OK
      || clFinish (q) != CL_SUCCESS)
    return -1;
  return (g_get_monotonic_time () - t0) / 1000.0;
}

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

#define LAYOUT_RUNS 3
/* A network that runs this long gets one round: a run's noise is then far
 * below the layouts' difference (realesrgan-x4plus on its 1080p tiles,
 * 241x227: 5-9 s a run, 103 s for three rounds). */
#define LAYOUT_ONE_ROUND_MS 2000.0

static char *
layout_key (const SrExecutor *ex, int h, int w)
{
  char *digest = graph_digest (ex->g);
  char *key = g_strdup_printf ("network=%.16s,on=%dx%d%s", digest, w, h,
      ex->act == SR_DTYPE_F16 ? ",storage=f16" : "");
  g_free (digest);
  return key;
}

/* Keeps the convolutions of one layout and frees the other set. */
static void
keep_layout (SrExecutor *ex, gboolean blocked)
{
  if (blocked) {
    free_convs (ex->g, ex->conv_nchw);
  } else {
    free_convs (ex->g, ex->conv);
    ex->conv = ex->conv_nchw;
    memset (ex->blocked, 0, ex->g->values->len * sizeof (gboolean));
  }
  ex->conv_nchw = NULL;
}

/* The layout the tuning file holds for h x w, kept before the plan's
 * buffers are made, so that the two sets of convolutions and the buffers
 * are never held at once (realesrgan-x4plus: 270 MB of weights a set). */
static void
keep_known_layout (SrExecutor *ex, int h, int w)
{
  char *key = layout_key (ex, h, w);
  char *choice = sr_nn_tuning_look_up (ex->rt, key);
  if (!g_strcmp0 (choice, "blocked") || !g_strcmp0 (choice, "nchw"))
    keep_layout (ex, !g_strcmp0 (choice, "blocked"));
  g_free (choice);
  g_free (key);
}

/* Blocked or NCHW for this plan: which runs the whole network faster on
 * this device, measured once (LAYOUT_RUNS alternating rounds of an
 * untimed and a timed run of each, on zeros; one round for slow
 * networks) and remembered in the tuning file. Layer by layer the
 * stand-ins cannot tell: they run in cache, where NCHW Winograd beats the
 * blocked kernel by 1.5x, while in esrgan-medium-x2 at 480x270 the blocked
 * network ran 616-631 ms against 739-767. Keeps one set of convolutions
 * and frees the other. */
static gboolean
decide_layout (SrExecutor *ex, GError **error)
{
  const SrGraph *g = ex->g;
  char *key = layout_key (ex, ex->plan_h, ex->plan_w);
  char *choice = sr_nn_tuning_look_up (ex->rt, key);
  gboolean blocked = !g_strcmp0 (choice, "blocked");
  if (!blocked && g_strcmp0 (choice, "nchw")) {
    SrNnConv2d **conv_blocked = ex->conv;
    cl_command_queue q = sr_runtime_create_queue (ex->rt, error);
    const int ci = sr_graph_value (g, g->input)->channels;
    const int co = sr_graph_value (g, g->output)->channels;
    const int oh = ex->vh[g->output], ow = ex->vw[g->output];
    SrTensor *in = q ? sr_tensor_new (ex->rt, 1, ci, ex->plan_h, ex->plan_w,
        SR_DTYPE_F32, error) : NULL;
    SrTensor *out = in ? sr_tensor_new (ex->rt, 1, co, oh, ow, SR_DTYPE_F32,
        error) : NULL;
    float *zeros = g_new0 (float, out ? MAX (sr_tensor_numel (in),
            sr_tensor_numel (out)) : 1);
    double ms[2][LAYOUT_RUNS];
    gboolean ok = out && sr_tensor_write (q, in, zeros) == SR_OK
        && sr_tensor_write (q, out, zeros) == SR_OK;
    /* Each timed run right after an untimed one of the same layout: run
     * straight after the other layout, a network ran up to 30 % slower
     * than in steady state (srvgg-x4fast NCHW: 940-980 ms against
     * 680-900 alone), which picked the wrong layout. */
    int rounds = LAYOUT_RUNS;
    for (int r = 0; ok && r < rounds; r++) {
      for (int l = 0; ok && l < 2; l++) {
        SrNnConv2d **set = l ? conv_blocked : ex->conv_nchw;
        ok = time_network (ex, set, q, in, out) >= 0
            && (ms[l][r] = time_network (ex, set, q, in, out)) >= 0;
      }
      if (r == 0 && MIN (ms[0][0], ms[1][0]) > LAYOUT_ONE_ROUND_MS)
        rounds = 1;
    }
    ex->conv = conv_blocked;
    g_free (zeros);
    if (out)
      sr_tensor_unref (out);
    if (in)
      sr_tensor_unref (in);
    if (q)
      clReleaseCommandQueue (q);
    sr_tensor_pool_trim (sr_runtime_pool (ex->rt));
    if (!ok) {
      if (q && in && out)
        g_set_error (error, SR_ERROR, SR_ERR_OUT_OF_RESOURCES,
            "%s: running the network failed", g->name);
      g_free (key);
      g_free (choice);
      return FALSE;
    }
    qsort (ms[0], rounds, sizeof (double), cmp_double);
    qsort (ms[1], rounds, sizeof (double), cmp_double);
    const double t_nchw = ms[0][rounds / 2];
    const double t_blocked = ms[1][rounds / 2];
    blocked = t_blocked < t_nchw;
    char *measured = g_strdup_printf ("nchw=%.3f blocked=%.3f", t_nchw,
        t_blocked);
    sr_nn_tuning_remember (ex->rt, key, blocked ? "blocked" : "nchw",
        measured);
    g_free (measured);
  }
  keep_layout (ex, blocked);
  g_free (key);
  g_free (choice);
  return TRUE;
}

gboolean
sr_executor_plan (SrExecutor *ex, int h, int w, GError **error)
{
  if (ex->plan_h == h && ex->plan_w == w)
    return TRUE;
  clear_plan (ex);
  if (ex->conv_nchw)
    keep_known_layout (ex, h, w);
  const SrGraph *g = ex->g;
  const int nv = g->values->len;
  ex->vh = g_new0 (int, nv);
  ex->vw = g_new0 (int, nv);
  ex->place = g_new0 (Place, nv);
  ex->storage = g_new0 (SrTensor *, nv);
  int *slot_of = g_new (int, nv);
  GArray *slots = g_array_new (FALSE, FALSE, sizeof (Slot));
  gboolean ok = layout (g, h, w, sr_dtype_size (ex->act), ex->vh, ex->vw,
      ex->place, slot_of, slots, error);
  /* One buffer per slot; each root sees it in its own shape. */
  SrTensor **slot_buffer = g_new0 (SrTensor *, slots->len);
  for (guint s = 0; ok && s < slots->len; s++) {
    const size_t n = g_array_index (slots, Slot, s).bytes
        / sr_dtype_size (ex->act);
    ok = n <= G_MAXINT && (slot_buffer[s] = sr_tensor_new (ex->rt, 1, 1,
            1, (int) n, ex->act, error)) != NULL;
    if (n > G_MAXINT)
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "a value of %zu elements is too large", n);
  }
  for (int r = 0; ok && r < nv; r++) {
    if (slot_of[r] < 0)
      continue;
    SrTensor *t = sr_tensor_new_alias (slot_buffer[slot_of[r]], 1,
        sr_graph_value (g, r)->channels, ex->vh[r], ex->vw[r], ex->act,
        error);
    if (!t)
      ok = FALSE;
    else
      g_ptr_array_add (ex->buffers, t);
    ex->storage[r] = t;
  }
  for (guint s = 0; s < slots->len; s++)
    if (slot_buffer[s])
      sr_tensor_unref (slot_buffer[s]);   /* the aliases hold them */
  g_free (slot_buffer);
  if (ok && ex->act != SR_DTYPE_F32) {
    const int in = g->input, out = g->output;
    ok = (ex->in16 = sr_tensor_new (ex->rt, 1, sr_graph_value (g, in)->channels,
            ex->vh[in], ex->vw[in], ex->act, error))
        && (ex->out16 = sr_tensor_new (ex->rt, 1,
            sr_graph_value (g, out)->channels, ex->vh[out], ex->vw[out],
            ex->act, error));
    if (ex->in16)
      g_ptr_array_add (ex->buffers, ex->in16);
    if (ex->out16)
      g_ptr_array_add (ex->buffers, ex->out16);
  }
  if (ok)
    ex->peak_bytes = slots_bytes (slots) + io_copy_bytes (ex, ex->vh, ex->vw);
  g_array_free (slots, TRUE);
  g_free (slot_of);
  if (!ok) {
    g_prefix_error (error, "%s at %dx%d: ", g->name, w, h);
    clear_plan (ex);
    return FALSE;
  }
  ex->plan_h = h;
  ex->plan_w = w;
  if (ex->conv_nchw && !decide_layout (ex, error)) {
    g_prefix_error (error, "%s at %dx%d: ", g->name, w, h);
    clear_plan (ex);
    return FALSE;
  }
  return TRUE;
}

/* ---- running ------------------------------------------------------------------ */

static SrView
view_of (const SrExecutor *ex, int v, SrView in, SrView out)
{
  const Place p = ex->place[v];
  SrView base = p.root == ex->g->input ? in : p.root == ex->g->output ? out
      : sr_view (ex->storage[p.root]);
  return sr_view_channels (base.t, base.c0 + p.offset,
      sr_graph_value (ex->g, v)->channels);
}

/* TRUE when value v, the output of a concat, is read in two parts instead
 * of being copied together: the concat's first input where it lies (it
 * would be copied in), the others already in place after it, and every
 * reader a convolution that reads split (RDN's dense concats, whose first
 * part lives in the global concat: 25 ms of copies per esrgan-medium-x2
 * frame at 480x270). */
static gboolean
read_split (const SrExecutor *ex, int v)
{
  const SrGraph *g = ex->g;
  const int producer = sr_graph_value (g, v)->producer;
  if (producer < 0 || v == g->output || is_tap (g, v))
    return FALSE;
  const SrNode *n = sr_graph_node (g, producer);
  if (n->kind != SR_NODE_CONCAT || n->n_inputs < 2)
    return FALSE;
  const Place po = ex->place[v], p0 = ex->place[n->inputs[0]];
  if (p0.root == po.root && p0.offset == po.offset)
    return FALSE;                       /* in place: nothing to copy */
  int offset = sr_graph_value (g, n->inputs[0])->channels;
  for (int k = 1; k < n->n_inputs; k++) {
    const Place pk = ex->place[n->inputs[k]];
    if (pk.root != po.root || pk.offset != po.offset + offset)
      return FALSE;
    offset += sr_graph_value (g, n->inputs[k])->channels;
  }
  for (guint j = 0; j < g->nodes->len; j++) {
    const SrNode *r = sr_graph_node (g, j);
    gboolean reads = r->skip == v;
    for (int k = 0; k < r->n_inputs; k++)
      reads |= r->inputs[k] == v;
    if (!r->dead && reads && (r->kind != SR_NODE_CONV2D || r->skip == v
            || !sr_nn_conv2d_reads_split (ex->conv[j])))
      return FALSE;
  }
  return TRUE;
}

static SrStatus
run_node (SrExecutor *ex, int i, cl_command_queue q, SrView in, SrView out)
{
  const SrNode *n = sr_graph_node (ex->g, i);
  const SrView o = view_of (ex, n->output, in, out);
  const SrView a = view_of (ex, n->inputs[0], in, out);
  switch (n->kind) {
    case SR_NODE_CONV2D:{
      SrView skip;
      if (n->skip >= 0)
        skip = view_of (ex, n->skip, in, out);
      if (read_split (ex, n->inputs[0])) {
        const SrNode *cat = sr_graph_node (ex->g,
            sr_graph_value (ex->g, n->inputs[0])->producer);
        const SrView head = view_of (ex, cat->inputs[0], in, out);
        return sr_nn_conv2d_run_split (ex->conv[i], q, head,
            sr_view_channels (a.t, a.c0 + head.c, a.c - head.c), o,
            n->skip >= 0 ? &skip : NULL);
      }
      return sr_nn_conv2d_run (ex->conv[i], q, a, o, n->skip >= 0 ? &skip : NULL);
    }
    case SR_NODE_ADD:{
      SrView v[SR_GRAPH_MAX_INPUTS];
      for (int k = 0; k < n->n_inputs; k++)
        v[k] = view_of (ex, n->inputs[k], in, out);
      if (n->n_inputs > SR_NN_MAX_ADD)
        return SR_ERR_INVALID_ARGUMENT;
      return sr_nn_add_run (ex->eltwise, q, n->n_inputs, v, n->coef, o, n->act,
          NULL);
    }
    case SR_NODE_ACT:{
      const float one = 1;
      return sr_nn_add_run (ex->eltwise, q, 1, &a, &one, o, n->act, NULL);
    }
    case SR_NODE_AFFINE:
      return sr_nn_affine_run (ex->eltwise, q, a, n->scale, n->shift, o,
          n->act, NULL);
    case SR_NODE_CONCAT:{
      int offset = 0;
      /* Read in two parts, the first one is not copied (read_split). */
      for (int k = 0; k < n->n_inputs; k++) {
        if (k == 0 && read_split (ex, n->output)) {
          offset += sr_graph_value (ex->g, n->inputs[0])->channels;
          continue;
        }
        const int v = n->inputs[k];
        const int c = sr_graph_value (ex->g, v)->channels;
        const SrView src = view_of (ex, v, in, out);
        const SrView dst = sr_view_channels (o.t, o.c0 + offset, c);
        if (src.t != dst.t || src.c0 != dst.c0) {
          SrStatus st = sr_nn_copy_rect_run (ex->tile, q, src, 0, 0, dst, 0, 0,
              ex->vw[v], ex->vh[v]);
          if (st != SR_OK)
            return st;
        }
        offset += c;
      }
      return SR_OK;
    }
    case SR_NODE_UPSAMPLE:
      return sr_nn_upsample_run (ex->upsample, q, a, o, n->factor, n->upsample);
    case SR_NODE_PIXEL_SHUFFLE:
      return sr_nn_pixel_shuffle_run (ex->shuffle, q, a, o, n->factor, n->order);
    case SR_NODE_PIXEL_UNSHUFFLE:
      return sr_nn_pixel_unshuffle_run (ex->shuffle, q, a, o, n->factor);
    case SR_NODE_MAX_POOL:
      return sr_nn_max_pool_run (ex->pool, q, a, o, n->pool_k, n->pool_s);
    case SR_NODE_L2_NORMALIZE:
      return sr_nn_l2_normalize_run (ex->pool, q, a, o, n->eps);
    case SR_NODE_VQ:
      return sr_nn_vq_run (ex->vq[i], q, a, o);
  }
  return SR_ERR_INVALID_ARGUMENT;
}

SrStatus
sr_executor_run (SrExecutor *ex, cl_command_queue q, SrView in, SrView out)
{
  return run_nodes (ex, q, in, out, NULL);
}

SrStatus
sr_executor_profile (SrExecutor *ex, cl_command_queue q, SrView in,
    SrView out, double *ms)
{
  return run_nodes (ex, q, in, out, ms);
}

SrView
sr_executor_tap (const SrExecutor *ex, guint k)
{
  const SrGraph *g = ex->g;
  if (!ex->place || k >= g->taps->len)
    return (SrView) { 0 };
  const SrView none = { 0 };
  return view_of (ex, g_array_index (g->taps, int, k), none, none);
}

void
sr_executor_value_size (const SrExecutor *ex, int v, int *h, int *w)
{
  *h = ex->vh ? ex->vh[v] : 0;
  *w = ex->vw ? ex->vw[v] : 0;
}

const SrNnConv2d *
sr_executor_conv (const SrExecutor *ex, guint i)
{
  return i < ex->g->nodes->len ? ex->conv[i] : NULL;
}

size_t
sr_executor_copy_bytes (const SrExecutor *ex)
{
  const SrGraph *g = ex->g;
  size_t bytes = 0;
  for (guint i = 0; ex->place && i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    if (n->dead || n->kind != SR_NODE_CONCAT)
      continue;
    const Place po = ex->place[n->output];
    int offset = 0;
    for (int k = 0; k < n->n_inputs; k++) {
      const int v = n->inputs[k], c = sr_graph_value (g, v)->channels;
      const Place pv = ex->place[v];
      if ((pv.root != po.root || pv.offset != po.offset + offset)
          && !(k == 0 && read_split (ex, n->output)))
        bytes += (size_t) c * ex->vh[v] * ex->vw[v] * sr_dtype_size (ex->act);
      offset += c;
    }
  }
  return bytes;
}

gboolean
sr_executor_layout_settled (const SrExecutor *ex)
{
  return ex->conv_nchw == NULL;
}

SrNnVq *
sr_executor_vq (const SrExecutor *ex, guint i)
{
  return i < ex->g->nodes->len ? ex->vq[i] : NULL;
}

gboolean
sr_executor_value_blocked (const SrExecutor *ex, int v)
{
  return v >= 0 && v < (int) ex->g->values->len && ex->blocked[v];
}

static SrStatus
run_nodes (SrExecutor *ex, cl_command_queue q, SrView in, SrView out,
    double *ms)
{
  const SrGraph *g = ex->g;
  if (!sr_view_valid (in) || !sr_view_valid (out) || !ex->place
      || in.t->dtype != SR_DTYPE_F32 || out.t->dtype != SR_DTYPE_F32
      || in.t->h != ex->plan_h || in.t->w != ex->plan_w
      || in.c != sr_graph_value (g, g->input)->channels
      || out.c != sr_graph_value (g, g->output)->channels
      || out.t->h != ex->vh[g->output] || out.t->w != ex->vw[g->output])
    return SR_ERR_INVALID_ARGUMENT;
  SrView caller_out = out;
  if (ex->act != SR_DTYPE_F32) {
    /* Whole tensors only: the cast converts buffers, not channel views. */
    if (in.c != in.t->c || out.c != out.t->c)
      return SR_ERR_INVALID_ARGUMENT;
    SrStatus st = sr_cast_run (ex->cast, q, in.t, ex->in16);
    if (st != SR_OK)
      return st;
    in = sr_view (ex->in16);
    out = sr_view (ex->out16);
  }
  for (guint i = 0; i < g->nodes->len; i++) {
    if (ms)
      ms[i] = 0;
    if (sr_graph_node (g, i)->dead)
      continue;
    const gint64 t0 = ms ? g_get_monotonic_time () : 0;
    SrStatus st = run_node (ex, i, q, in, out);
    if (st == SR_OK && ms) {
      if (clFinish (q) != CL_SUCCESS)
        return SR_ERR_OUT_OF_RESOURCES;
      ms[i] = (g_get_monotonic_time () - t0) / 1000.0;
    }
    if (st != SR_OK)
      return st;
  }
  return ex->act == SR_DTYPE_F32 ? SR_OK
      : sr_cast_run (ex->cast, q, ex->out16, caller_out.t);
}
