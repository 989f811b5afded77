/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_tiled.h"

struct _SrTiled {
  SrRuntime *rt;
  SrExecutor *ex;
  gboolean owns_ex;
  SrNnTile *tile;
  int scale, in_c, out_c;
  double macs;
  SrTiledPlan plan;
  int w, h;                     /* the frame size planned for */
  SrTensor *frame_pad;            /* padded: the padded frame */
  SrTensor *tile_in, *tile_out;   /* tiled: one region in and out; untiled
                                   * and padded (or run into a sink):
                                   * tile_out is the whole output */
  /* Split (sr_tiled_new_for_graph): ex is the head, whose output for a
   * region (head_out) the tail's own SrTiled runs in its own, smaller
   * tiles, each with its own (small) receptive radius; tile_out unused. */
  SrTiled *tail;
  SrTensor *head_out;
  guint64 tail_budget;
};

static int
round_up (int v, int m)
{
  return (v + m - 1) / m * m;
}

SrTiled *
sr_tiled_new (SrRuntime *rt, SrExecutor *ex, GError **error)
{
  SrTiled *t = g_new0 (SrTiled, 1);
  t->rt = sr_runtime_ref (rt);
  t->ex = ex;
  const SrGraph *g = sr_executor_graph (ex);
  t->scale = g->scale;
  t->in_c = sr_graph_value (g, g->input)->channels;
  t->out_c = sr_graph_value (g, g->output)->channels;
  t->macs = sr_graph_macs_per_input_pixel (g);
  t->plan.multiple = sr_graph_size_multiple (g);
  t->plan.radius = round_up (sr_graph_receptive_radius (g), t->plan.multiple);
  if (t->scale < 1) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "%s: its output is not the input's size times an integer", g->name);
    sr_tiled_free (t);
    return NULL;
  }
  if (!(t->tile = sr_nn_tile_new (rt, SR_DTYPE_F32, error))) {
    sr_tiled_free (t);
    return NULL;
  }
  return t;
}

SrTiled *
sr_tiled_new_for_graph (SrRuntime *rt, SrGraph *g, SrDType storage,
    GError **error)
{
  SrGraph *head, *tail;
  if (!sr_graph_split (g, &head, &tail)) {
    SrExecutor *ex = sr_executor_new_with_storage (rt, g, storage, error);
    SrTiled *t = ex ? sr_tiled_new (rt, ex, error) : NULL;
    if (t)
      t->owns_ex = TRUE;
    else
      sr_executor_free (ex);
    return t;
  }
  const double macs = sr_graph_macs_per_input_pixel (head)
      + sr_graph_macs_per_input_pixel (tail);
  SrExecutor *head_ex = sr_executor_new_with_storage (rt, head, storage,
      error);
  if (!head_ex) {
    sr_graph_free (tail);
    return NULL;
  }
  SrExecutor *tail_ex = sr_executor_new_with_storage (rt, tail, storage,
      error);
  SrTiled *t = tail_ex ? sr_tiled_new (rt, head_ex, error) : NULL;
  SrTiled *inner = t ? sr_tiled_new (rt, tail_ex, error) : NULL;
  if (!inner) {
    sr_tiled_free (t);
    sr_executor_free (head_ex);
    sr_executor_free (tail_ex);
    return NULL;
  }
  t->owns_ex = inner->owns_ex = TRUE;
  t->tail = inner;
  t->scale = inner->scale;
  t->out_c = inner->out_c;
  t->macs = macs;
  /* An output pixel reaches through the tail into the head's output, and
   * from there through the head into the frame. */
  t->plan.radius = round_up (t->plan.radius + inner->plan.radius,
      t->plan.multiple);
  return t;
}

static void
clear_plan (SrTiled *t)
{
  g_clear_pointer (&t->frame_pad, sr_tensor_unref);
  g_clear_pointer (&t->tile_in, sr_tensor_unref);
  g_clear_pointer (&t->tile_out, sr_tensor_unref);
  g_clear_pointer (&t->head_out, sr_tensor_unref);
  t->w = t->h = 0;
}

void
sr_tiled_free (SrTiled *t)
{
  if (!t)
    return;
  clear_plan (t);
  sr_tiled_free (t->tail);
  if (t->owns_ex)
    sr_executor_free (t->ex);
  sr_nn_tile_free (t->tile);
  sr_runtime_unref (t->rt);
  g_free (t);
}

const SrTiledPlan *
sr_tiled_get_plan (const SrTiled *t)
{
  return &t->plan;
}

/* The device bytes a w x h region holds: the network's intermediate
 * values; split, also the head's output for the region and the tail's
 * share of the budget. */
static gboolean
region_bytes (const SrTiled *t, int h, int w, size_t *bytes, GError **error)
{
  if (!sr_executor_measure (t->ex, h, w, bytes, error))
    return FALSE;
  if (t->tail)
    *bytes += (size_t) t->tail->in_c * h * w * sizeof (float)
        + t->tail_budget;
  return TRUE;
}

/* The whole frame when its intermediate values fit, else the grid of
 * equal tiles whose regions (tile + r on each inner side) fit and that
 * computes the fewest pixels in all (*pixels): 480x270 at 536 MB for
 * 512 MiB runs as two 240x270 tiles (1.15x the frame's pixels), where the
 * largest square tile would take six (3x). *tile_w = 0 when nothing fits. */
static gboolean
tiles_for_budget (SrTiled *t, int w, int h, int r, guint64 budget,
    int *tile_w, int *tile_h, double *pixels, GError **error)
{
  const int m = t->plan.multiple;
  double best = G_MAXDOUBLE;
  *tile_w = *tile_h = 0;
  /* For each row count, the fewest columns that fit (more columns only
   * shrink the regions, so a binary search), down to 16-pixel tiles:
   * smaller ones are refused anyway. */
  const int nx_max = MAX (1, w / 16), ny_max = MAX (1, h / 16);
  for (int ny = 1; ny <= ny_max; ny++) {
    const int th = round_up ((h + ny - 1) / ny, m), rh = MIN (h, th + 2 * r);
    if (ny > 1 && th == round_up ((h + ny - 2) / (ny - 1), m))
      continue;                 /* the same tiles as ny - 1 */
    int lo = 1, hi = nx_max + 1;        /* hi: the first nx known to fit */
    while (lo < hi) {
      const int nx = (lo + hi) / 2;
      const int tw = round_up ((w + nx - 1) / nx, m), rw = MIN (w, tw + 2 * r);
      size_t bytes;
      if (!region_bytes (t, rh, rw, &bytes, error))
        return FALSE;
      if (bytes <= budget)
        hi = nx;
      else
        lo = nx + 1;
    }
    if (hi <= nx_max) {
      const int tw = round_up ((w + hi - 1) / hi, m), rw = MIN (w, tw + 2 * r);
      const double px = (double) hi * ny * rw * rh;
      if (px < best) {
        best = px;
        *tile_w = tw;
        *tile_h = th;
      }
    }
    if (best <= (double) w * h)
      break;                    /* the whole frame: nothing beats it */
  }
  *pixels = best;
  return TRUE;
}

/* tile_size = 0: the tiles for the budget at the given overlap, or (auto,
 * overlap < 0) at the receptive radius when those compute at most
 * SR_TILED_MAX_WORK times the frame's pixels, else at the largest overlap
 * (multiple of the multiple, at least SR_TILED_MIN_OVERLAP) whose tiles do,
 * else at SR_TILED_MIN_OVERLAP: deep networks' receptive radii are far
 * wider than what their output depends on in practice (RRDBNet: 349 px). */
static gboolean
choose_tiles (SrTiled *t, guint64 budget, int overlap, int *tile_w,
    int *tile_h, GError **error)
{
  SrTiledPlan *p = &t->plan;
  const int m = p->multiple;
  const double frame = (double) p->pad_w * p->pad_h;
  double pixels;
  int r = overlap >= 0 ? overlap : p->radius;
  if (!tiles_for_budget (t, p->pad_w, p->pad_h, r, budget, tile_w, tile_h,
          &pixels, error))
    return FALSE;
  const int floor_r = round_up (SR_TILED_MIN_OVERLAP, m);
  if (overlap < 0 && r > floor_r && !(*tile_w >= 16
          && pixels <= SR_TILED_MAX_WORK * frame)) {
    /* The work only shrinks with the overlap: the largest that keeps to
     * SR_TILED_MAX_WORK, by bisection over multiples of m in
     * [floor_r, r). */
    int lo = floor_r / m, hi = r / m - 1;
    gboolean found = FALSE;
    r = floor_r;
    while (lo <= hi) {
      const int mid = (lo + hi) / 2;
      int tw, th;
      if (!tiles_for_budget (t, p->pad_w, p->pad_h, mid * m, budget, &tw,
              &th, &pixels, error))
        return FALSE;
      if (tw >= 16 && pixels <= SR_TILED_MAX_WORK * frame) {
        r = mid * m;
        *tile_w = tw;
        *tile_h = th;
        found = TRUE;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    /* None kept to it: the tiles at the least overlap. */
    if (!found && !tiles_for_budget (t, p->pad_w, p->pad_h, r, budget, tile_w,
            tile_h, &pixels, error))
      return FALSE;
  }
  p->overlap = r;
  return TRUE;
}

/* The output of one region (the whole padded frame when untiled); split,
 * the head's. */
static gboolean
region_out (SrTiled *t, GError **error)
{
  const SrTiledPlan *p = &t->plan;
  if (t->tail)
    return t->head_out || (t->head_out = sr_tensor_new (t->rt, 1,
            t->tail->in_c, p->region_h, p->region_w, SR_DTYPE_F32, error));
  const int s = t->scale;
  return t->tile_out || (t->tile_out = sr_tensor_new (t->rt, 1, t->out_c,
          p->region_h * s, p->region_w * s, SR_DTYPE_F32, error));
}

/* sr_tiled_plan with budget bytes for the values (the weights' taken). */
static gboolean
plan_values (SrTiled *t, int w, int h, guint tile_size, int overlap,
    guint64 budget, GError **error)
{
  clear_plan (t);
  SrTiledPlan *p = &t->plan;
  const int m = p->multiple;
  t->tail_budget = budget / SR_TILED_TAIL_SHARE;
  const char *name = sr_executor_graph (t->ex)->name;
  p->pad_w = round_up (w, m);
  p->pad_h = round_up (h, m);
  p->padded = p->pad_w != w || p->pad_h != h;
  if (p->padded && (p->pad_w - w >= w || p->pad_h - h >= h)) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_SIZE, "%s needs frame "
        "sides that are multiples of %d: a %dx%d frame is too small to pad to "
        "%dx%d by reflection", name, m, w, h, p->pad_w, p->pad_h);
    return FALSE;
  }
  if (overlap >= 0)
    overlap = MIN (round_up (overlap, m), p->radius);
  p->overlap = overlap >= 0 ? overlap : p->radius;
  int tile_w = round_up (tile_size, m), tile_h = tile_w;
  if (!tile_size) {
    if (!choose_tiles (t, budget, overlap, &tile_w, &tile_h, error))
      return FALSE;
    if (MIN (tile_w, tile_h) < 16) {
      g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_SIZE, "a memory "
          "budget of %" G_GUINT64_FORMAT " bytes is too small for %s: its "
          "tiles would be under 16 pixels", budget, name);
      return FALSE;
    }
  }
  /* One tile when the frame fits; else tiles of tile_w x tile_h pixels,
   * each run on a region of tile + 2 overlap (less only where the frame
   * is). */
  p->tile_w = MIN (tile_w, p->pad_w);
  p->tile_h = MIN (tile_h, p->pad_h);
  p->region_w = MIN (p->pad_w, p->tile_w + 2 * p->overlap);
  p->region_h = MIN (p->pad_h, p->tile_h + 2 * p->overlap);
  p->tiled = p->region_w < p->pad_w || p->region_h < p->pad_h;
  p->exact = !p->tiled || p->overlap >= p->radius;
  if (!sr_executor_plan (t->ex, p->region_h, p->region_w, error)
      || (p->padded && !(t->frame_pad = sr_tensor_new (t->rt, 1, t->in_c,
                  p->pad_h, p->pad_w, SR_DTYPE_F32, error)))
      || (p->tiled && !(t->tile_in = sr_tensor_new (t->rt, 1, t->in_c,
                  p->region_h, p->region_w, SR_DTYPE_F32, error)))
      || ((p->tiled || p->padded || t->tail) && !region_out (t, error))
      /* The tail runs on each region's head output as on a frame (in
       * exact tiles of its own: its radius is small). */
      || (t->tail && (!plan_values (t->tail, p->region_w, p->region_h, 0,
                  -1, t->tail_budget, error) || !region_out (t->tail, error)))) {
    clear_plan (t);
    return FALSE;
  }
  if (t->tail)
    p->exact = p->exact && t->tail->plan.exact;
  t->w = w;
  t->h = h;
  return TRUE;
}

gboolean
sr_tiled_plan (SrTiled *t, int w, int h, guint tile_size, int overlap,
    guint64 budget, GError **error)
{
  const guint64 weights = sr_tiled_weight_bytes (t);
  if (budget <= weights) {
    clear_plan (t);
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_SIZE, "a memory "
        "budget of %" G_GUINT64_FORMAT " bytes is too small for %s: its "
        "weights alone take %" G_GUINT64_FORMAT, budget,
        sr_executor_graph (t->ex)->name, weights);
    return FALSE;
  }
  return plan_values (t, w, h, tile_size, overlap, budget - weights, error);
}

static SrStatus run_rect (SrTiled *t, cl_command_queue q, SrTensor *in,
    int wx, int wy, int ww, int wh, int ox, int oy, SrTiledSink sink,
    gpointer user);

/* The network on region (t's region size, or the whole padded frame),
 * whose input pixel (0, 0) lands on output pixel (ox, oy): the output of
 * its ww x wh input pixels at (wx, wy) to sink. */
static SrStatus
run_region (SrTiled *t, cl_command_queue q, SrTensor *region, int wx, int wy,
    int ww, int wh, int ox, int oy, SrTiledSink sink, gpointer user)
{
  const int s = t->scale;
  SrStatus st;
  if (t->tail) {
    if ((st = sr_executor_run (t->ex, q, sr_view (region),
                sr_view (t->head_out))) != SR_OK)
      return st;
    return run_rect (t->tail, q, t->head_out, wx, wy, ww, wh, ox, oy, sink,
        user);
  }
  if ((st = sr_executor_run (t->ex, q, sr_view (region),
              sr_view (t->tile_out))) != SR_OK)
    return st;
  return sink (user, q, t->tile_out, wx * s, wy * s, ox + wx * s,
      oy + wy * s, ww * s, wh * s);
}

/* in (planned for: the padded frame) through the network, the output of
 * its ww x wh input pixels at (wx, wy) to sink, in's pixel (0, 0) landing
 * on output pixel (ox, oy): only the tiles that hold some of them run. */
static SrStatus
run_rect (SrTiled *t, cl_command_queue q, SrTensor *in, int wx, int wy,
    int ww, int wh, int ox, int oy, SrTiledSink sink, gpointer user)
{
  const SrTiledPlan *p = &t->plan;
  const int w = in->w, h = in->h, s = t->scale, r = p->overlap;
  if (!t->tile_in)
    return run_region (t, q, in, wx, wy, ww, wh, ox, oy, sink, user);
  for (int ty = 0; ty < h; ty += p->tile_h) {
    const int y0 = MAX (ty, wy), y1 = MIN (ty + p->tile_h, wy + wh);
    for (int tx = 0; tx < w && y0 < y1; tx += p->tile_w) {
      const int x0 = MAX (tx, wx), x1 = MIN (tx + p->tile_w, wx + ww);
      if (x0 >= x1)
        continue;               /* none of it wanted (padding, or another
                                 * tile's) */
      const int rx = CLAMP (tx - r, 0, w - p->region_w);
      const int ry = CLAMP (ty - r, 0, h - p->region_h);
      SrStatus st;
      if ((st = sr_nn_copy_rect_run (t->tile, q, sr_view (in), rx, ry,
                  sr_view (t->tile_in), 0, 0, p->region_w, p->region_h))
          != SR_OK
          || (st = run_region (t, q, t->tile_in, x0 - rx, y0 - ry, x1 - x0,
                  y1 - y0, ox + rx * s, oy + ry * s, sink, user)) != SR_OK)
        return st;
    }
  }
  return SR_OK;
}

SrStatus
sr_tiled_run_into (SrTiled *t, cl_command_queue q, SrTensor *in,
    SrTiledSink sink, gpointer user)
{
  if (!t->w || in->w != t->w || in->h != t->h || in->c != t->in_c)
    return SR_ERR_INVALID_ARGUMENT;
  /* Padded to the network's multiple (reflection, right and bottom), run,
   * cropped back (only the frame's own pixels are wanted). */
  SrTensor *src = t->frame_pad ? t->frame_pad : in;
  SrStatus st = SR_OK;
  if (t->frame_pad)
    st = sr_nn_pad_run (t->tile, q, sr_view (in), sr_view (src), 0,
        src->h - in->h, 0, src->w - in->w, SR_PAD_REFLECT);
  if (st != SR_OK)
    return st;
  if (!region_out (t, NULL))
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  return run_rect (t, q, src, 0, 0, in->w, in->h, 0, 0, sink, user);
}

/* sr_tiled_run's sink: into the output tensor. */
typedef struct {
  SrTiled *t;
  SrTensor *out;
} CopyInto;

static SrStatus
copy_into (gpointer user, cl_command_queue q, const SrTensor *src, int sx,
    int sy, int dx, int dy, int w, int h)
{
  CopyInto *c = user;
  return sr_nn_copy_rect_run (c->t->tile, q, sr_view ((SrTensor *) src), sx,
      sy, sr_view (c->out), dx, dy, w, h);
}

SrStatus
sr_tiled_run (SrTiled *t, cl_command_queue q, SrTensor *in, SrTensor *out)
{
  const int s = t->scale;
  if (!t->w || in->w != t->w || in->h != t->h || in->c != t->in_c
      || out->w != t->w * s || out->h != t->h * s || out->c != t->out_c)
    return SR_ERR_INVALID_ARGUMENT;
  /* A whole unpadded frame goes straight into out. */
  if (!t->frame_pad && !t->tile_in && !t->tail)
    return sr_executor_run (t->ex, q, sr_view (in), sr_view (out));
  CopyInto target = { t, out };
  return sr_tiled_run_into (t, q, in, copy_into, &target);
}

double
sr_tiled_macs_per_input_pixel (const SrTiled *t)
{
  return t->macs;
}

gboolean
sr_tiled_layout_settled (const SrTiled *t)
{
  return sr_executor_layout_settled (t->ex)
      && (!t->tail || sr_tiled_layout_settled (t->tail));
}

size_t
sr_tiled_peak_bytes (const SrTiled *t)
{
  if (!t->tail)
    return sr_executor_peak_bytes (t->ex);
  return sr_executor_peak_bytes (t->ex) + sr_tensor_numel (t->head_out)
      * sizeof (float) + sr_tiled_peak_bytes (t->tail);
}

size_t
sr_tiled_weight_bytes (const SrTiled *t)
{
  return sr_executor_weight_bytes (t->ex)
      + (t->tail ? sr_tiled_weight_bytes (t->tail) : 0);
}

const SrTiledPlan *
sr_tiled_get_tail_plan (const SrTiled *t)
{
  return t->tail ? &t->tail->plan : NULL;
}
