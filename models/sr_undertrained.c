/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_undertrained.h"
#include "sr_ciede2000.h"
#include "sr_lab.h"
#include "sr_philox.h"
#include "sr_registry.h"
#include "sr_resample.h"
#include "sr_safetensors.h"

#include <math.h>
#include <stdlib.h>

#define UNDERTRAINED_RNG_OP 0x756e6474u     /* "undt" */

typedef struct {
  char *name;                   /* as given */
  int epochs;
  SrExecutor *ex;
  SrTiled *tiled;
  GArray *quantisers;           /* node indices of its VQ nodes */
} Model;

struct _SrUndertrained {
  SrRuntime *rt;
  SrUndertrainedConfig cfg;
  Model *models;
  int n_models;
  SrResample *resample;
  SrLab *lab;
  SrCiede2000 *ciede2000;
  SrTapTable rows, cols;
  int hr_w, hr_h, lr_w, lr_h;   /* planned */
  SrTensor *lr_in, *out, *fixed;  /* LR: downsampled, reconstructed, fixed */
  SrTensor *lab_in, *lab_out;   /* f64 [1,3,lr_h,lr_w] */
  double *host_lab;             /* 3 x lr pixels, for the statistics */
};

const char *
sr_color_fix_name (SrColorFix fix)
{
  return fix == SR_COLOR_FIX_MEAN ? "mean" : fix == SR_COLOR_FIX_MEANSTD
      ? "meanstd" : "none";
}

static void
clear_plan (SrUndertrained *u)
{
  g_clear_pointer (&u->lr_in, sr_tensor_unref);
  g_clear_pointer (&u->out, sr_tensor_unref);
  g_clear_pointer (&u->fixed, sr_tensor_unref);
  g_clear_pointer (&u->lab_in, sr_tensor_unref);
  g_clear_pointer (&u->lab_out, sr_tensor_unref);
  g_clear_pointer (&u->host_lab, g_free);
  sr_tap_table_clear (&u->rows);
  sr_tap_table_clear (&u->cols);
  u->hr_w = u->hr_h = 0;
}

void
sr_undertrained_free (SrUndertrained *u)
{
  if (!u)
    return;
  clear_plan (u);
  for (int i = 0; i < u->n_models; i++) {
    Model *m = &u->models[i];
    sr_tiled_free (m->tiled);
    sr_executor_free (m->ex);
    if (m->quantisers)
      g_array_free (m->quantisers, TRUE);
    g_free (m->name);
  }
  g_free (u->models);
  sr_resample_free (u->resample);
  sr_lab_free (u->lab);
  sr_ciede2000_free (u->ciede2000);
  sr_runtime_unref (u->rt);
  g_free (u);
}

/* The file's gst-sr.epochs (models/train/train.py writes it), or -1. */
static int
model_epochs (const char *name)
{
  const SrModelEntry *entry;
  gchar *path = sr_registry_resolve (name, &entry, NULL);
  SrSafetensors *st = path && g_str_has_suffix (path, ".safetensors")
      ? sr_safetensors_open (path, NULL) : NULL;
  const char *e = st ? sr_safetensors_metadata (st, "gst-sr.epochs") : NULL;
  char *end = NULL;
  const long v = e ? strtol (e, &end, 10) : -1;
  const int epochs = e && end != e && !*end && v >= 0 && v < G_MAXINT
      ? (int) v : -1;
  sr_safetensors_close (st);
  g_free (path);
  return epochs;
}

static gboolean
add_model (SrUndertrained *u, Model *m, const char *name, GError **error)
{
  m->name = g_strdup (name);
  SrGraph *g = sr_registry_load (name, error);
  if (!g)
    return FALSE;
  if (g->scale != 1) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "model %s is not a reconstruction model (its output is %dx its "
        "input): srundertrained takes VQ-VAE / VQ-VAE-2 checkpoints", name,
        g->scale);
    sr_graph_free (g);
    return FALSE;
  }
  m->quantisers = g_array_new (FALSE, FALSE, sizeof (guint));
  for (guint i = 0; i < g->nodes->len; i++)
    if (!sr_graph_node (g, i)->dead && sr_graph_node (g, i)->kind == SR_NODE_VQ)
      g_array_append_val (m->quantisers, i);
  m->epochs = model_epochs (name);
  return (m->ex = sr_executor_new (u->rt, g, error))
      && (m->tiled = sr_tiled_new (u->rt, m->ex, error));
}

SrUndertrained *
sr_undertrained_new (SrRuntime *rt, const char *const *models, int n,
    const SrUndertrainedConfig *cfg, GError **error)
{
  if (n < 1 || cfg->scale < 1 || cfg->scale > 8) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "undertrained degradation: %d models, scale %d (want >= 1, 1..8)", n,
        cfg->scale);
    return NULL;
  }
  SrUndertrained *u = g_new0 (SrUndertrained, 1);
  u->rt = sr_runtime_ref (rt);
  u->cfg = *cfg;
  u->models = g_new0 (Model, n);
  u->n_models = n;
  gboolean ok = TRUE;
  for (int i = 0; ok && i < n; i++)
    ok = add_model (u, &u->models[i], models[i], error);
  const gboolean colour = cfg->color_fix != SR_COLOR_FIX_NONE
      || cfg->measure_color;
  ok = ok && (cfg->scale == 1 || (u->resample = sr_resample_new (rt, error)))
      && (!colour || ((u->lab = sr_lab_new (rt, error))
              && (u->ciede2000 = sr_ciede2000_new (rt, error))));
  if (!ok) {
    sr_undertrained_free (u);
    return NULL;
  }
  return u;
}

const char *
sr_undertrained_model_name (const SrUndertrained *u, int i)
{
  return u->models[i].name;
}

int
sr_undertrained_model_epochs (const SrUndertrained *u, int i)
{
  return u->models[i].epochs;
}

void
sr_undertrained_lr_size (const SrUndertrained *u, int w, int h, int *lw,
    int *lh)
{
  *lw = w / u->cfg.scale;
  *lh = h / u->cfg.scale;
}

gboolean
sr_undertrained_plan (SrUndertrained *u, int hr_w, int hr_h, GError **error)
{
  clear_plan (u);
  const int s = u->cfg.scale;
  const int lw = hr_w / s, lh = hr_h / s;
  if (hr_w % s || hr_h % s || lw < 1 || lh < 1) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "undertrained degradation: a %dx%d HR frame is not a multiple of "
        "scale=%d", hr_w, hr_h, s);
    return FALSE;
  }
  for (int i = 0; i < u->n_models; i++)
    if (!sr_tiled_plan (u->models[i].tiled, lw, lh, u->cfg.tile_size, -1,
            u->cfg.memory_budget, error)) {
      g_prefix_error (error, "model %s: ", u->models[i].name);
      return FALSE;
    }
  if (s > 1) {
    sr_taps_matlab_bicubic (&u->rows, hr_h, lh, 1.0 / s, TRUE);
    sr_taps_matlab_bicubic (&u->cols, hr_w, lw, 1.0 / s, TRUE);
  }
  const gboolean colour = u->lab != NULL;
  if ((s > 1 && !(u->lr_in = sr_tensor_new (u->rt, 1, 3, lh, lw,
                  SR_DTYPE_F32, error)))
      || !(u->out = sr_tensor_new (u->rt, 1, 3, lh, lw, SR_DTYPE_F32, error))
      || (u->cfg.color_fix != SR_COLOR_FIX_NONE
          && !(u->fixed = sr_tensor_new (u->rt, 1, 3, lh, lw, SR_DTYPE_F32,
                  error)))
      || (colour && (!(u->lab_in = sr_tensor_new (u->rt, 1, 3, lh, lw,
                      SR_DTYPE_F64, error))
              || !(u->lab_out = sr_tensor_new (u->rt, 1, 3, lh, lw,
                      SR_DTYPE_F64, error))))) {
    clear_plan (u);
    return FALSE;
  }
  if (colour)
    u->host_lab = g_new (double, (size_t) 3 * lw * lh);
  u->hr_w = hr_w;
  u->hr_h = hr_h;
  u->lr_w = lw;
  u->lr_h = lh;
  return TRUE;
}

/* Per channel mean and standard deviation (population) of a Lab tensor,
 * read back; double sums. */
static SrStatus
lab_stats (SrUndertrained *u, cl_command_queue q, const SrTensor *lab,
    double mean[3], double sd[3])
{
  SrStatus st = sr_tensor_read (q, lab, u->host_lab);
  if (st != SR_OK)
    return st;
  const size_t n = (size_t) u->lr_w * u->lr_h;
  for (int c = 0; c < 3; c++) {
    const double *p = u->host_lab + c * n;
    double s = 0, ss = 0;
    for (size_t i = 0; i < n; i++)
      s += p[i];
    mean[c] = s / n;
    for (size_t i = 0; i < n; i++)
      ss += (p[i] - mean[c]) * (p[i] - mean[c]);
    sd[c] = sqrt (ss / n);
  }
  return SR_OK;
}

/* out corrected in Lab towards the input's statistics, into u->fixed. */
static SrStatus
fix_colour (SrUndertrained *u, cl_command_queue q)
{
  double mi[3], si[3], mo[3], so[3], scale[3], shift[3];
  SrStatus st;
  if ((st = lab_stats (u, q, u->lab_in, mi, si)) != SR_OK
      || (st = lab_stats (u, q, u->lab_out, mo, so)) != SR_OK)
    return st;
  for (int c = 0; c < 3; c++) {
    /* meanstd: (x - mo) si / so + mi; a flat output channel keeps its
     * spread (nothing to scale). */
    scale[c] = u->cfg.color_fix == SR_COLOR_FIX_MEANSTD && so[c] > 1e-12
        ? si[c] / so[c] : 1.0;
    shift[c] = mi[c] - mo[c] * scale[c];
  }
  return sr_lab_to_rgb_run (u->lab, q, u->lab_out, scale, shift, u->fixed);
}

SrStatus
sr_undertrained_run (SrUndertrained *u, cl_command_queue q, SrTensor *hr,
    guint64 frame, SrTensor **lr, SrRecord *rec, SrUndertrainedResult *res)
{
  const int s = u->cfg.scale;
  if (!u->hr_w || hr->w != u->hr_w || hr->h != u->hr_h || hr->c != 3
      || hr->dtype != SR_DTYPE_F32)
    return SR_ERR_INVALID_ARGUMENT;
  *res = (SrUndertrainedResult) { 0 };
  res->delta_e = res->delta_e_fixed = NAN;
  SrStatus st = SR_OK;
  SrTensor *in = hr;
  if (s > 1) {
    st = sr_resample_run (u->resample, q, hr, u->lr_in, &u->rows, &u->cols);
    in = u->lr_in;
    SrOpRecord *op = sr_record_add (rec, "resize");
    if (op) {
      sr_op_string (op, "stage", "final");
      sr_op_string (op, "semantics", "matlab");
      sr_op_string (op, "mode", "bicubic");
      sr_op_string (op, "direction", "down");
      sr_op_double (op, "factor", 1.0 / s);
      sr_op_size (op, "in-size", u->hr_w, u->hr_h);
      sr_op_size (op, "out-size", u->lr_w, u->lr_h);
    }
  }
  /* The model of this frame: one of the mix, drawn from (seed, frame). */
  SrRng r;
  sr_rng_init (&r, u->cfg.seed, frame, UNDERTRAINED_RNG_OP);
  const int k = u->n_models > 1 ? (int) sr_rng_int (&r, 0, u->n_models - 1)
      : 0;
  Model *m = &u->models[k];
  res->model = k;
  if (st == SR_OK)
    st = sr_tiled_run (m->tiled, q, in, u->out);
  /* Codebook usage: each quantiser's distinct codes (of the last region
   * when tiled). */
  res->tiled = sr_tiled_get_plan (m->tiled)->tiled;
  res->codes_used[0] = res->codes_used[1] = -1;
  for (guint i = 0; st == SR_OK && i < m->quantisers->len && i < 2; i++) {
    SrNnVq *vq = sr_executor_vq (m->ex, g_array_index (m->quantisers, guint,
            i));
    int n, used;
    int *idx = sr_nn_vq_last_indices (vq, q, &n, &used);
    if (!idx) {
      st = SR_ERR_OUT_OF_RESOURCES;
      break;
    }
    g_free (idx);
    res->codes_used[i] = used;
    res->codes[i] = sr_nn_vq_codes (vq);
    res->n_quantisers = i + 1;
  }
  *lr = u->out;
  if (st == SR_OK && u->lab) {
    if ((st = sr_lab_run (u->lab, q, in, u->lab_in)) == SR_OK
        && (st = sr_lab_run (u->lab, q, u->out, u->lab_out)) == SR_OK)
      st = sr_ciede2000_run (u->ciede2000, q, u->lab_in, u->lab_out, NULL,
          &res->delta_e);
    res->delta_e_fixed = res->delta_e;
    if (st == SR_OK && u->cfg.color_fix != SR_COLOR_FIX_NONE) {
      if ((st = fix_colour (u, q)) == SR_OK
          && (st = sr_lab_run (u->lab, q, u->fixed, u->lab_out)) == SR_OK)
        st = sr_ciede2000_run (u->ciede2000, q, u->lab_in, u->lab_out, NULL,
            &res->delta_e_fixed);
      *lr = u->fixed;
    }
  }
  if (st == SR_OK)
    st = sr_status_from_cl (clFinish (q));
  SrOpRecord *op = st == SR_OK ? sr_record_add (rec, "undertrained") : NULL;
  if (op) {
    /* The name stays alive with u: the record is read before the next
     * frame. */
    sr_op_string (op, "model", m->name);
    if (m->epochs >= 0)
      sr_op_int (op, "epochs", m->epochs);
    const char *level[2][2] = { {"codes-used", NULL},
    {"codes-used-top", "codes-used-bottom"}
    };
    for (int i = 0; i < res->n_quantisers; i++)
      sr_op_int (op, level[res->n_quantisers - 1][i], res->codes_used[i]);
    if (res->n_quantisers)
      sr_op_int (op, "codebook-size", res->codes[0]);
    sr_op_string (op, "color-fix", sr_color_fix_name (u->cfg.color_fix));
    if (!isnan (res->delta_e)) {
      sr_op_double (op, "delta-e", res->delta_e);
      sr_op_double (op, "delta-e-fixed", res->delta_e_fixed);
    }
  }
  return st;
}
