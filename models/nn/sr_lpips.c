/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_lpips.h"
#include "sr_executor.h"
#include "sr_nn_codes.h"
#include "sr_nn_distance.h"
#include "sr_safetensors.h"

#include <math.h>
#include <string.h>

/* AlexNet's five stages: lpips's key, torchvision's, and the conv. */
static const struct {
  const char *lpips, *torchvision;
  int cin, cout, k, stride, pad;
  gboolean pool_before;         /* max pool 3x3 stride 2 on its input */
} stages[SR_LPIPS_LAYERS] = {
  { "net.slice1.0", "features.0", 3, 64, 11, 4, 2, FALSE },
  { "net.slice2.3", "features.3", 64, 192, 5, 1, 2, TRUE },
  { "net.slice3.6", "features.6", 192, 384, 3, 1, 1, TRUE },
  { "net.slice4.8", "features.8", 384, 256, 3, 1, 1, FALSE },
  { "net.slice5.10", "features.10", 256, 256, 3, 1, 1, FALSE },
};

/* v0.1's ScalingLayer (lpips.py): (x - shift) / scale on x in [-1, 1]. */
static const float default_shift[3] = { -.030f, -.088f, -.188f };
static const float default_scale[3] = { .458f, .448f, .450f };

#define FAIL(code, ...) \
  (g_set_error (error, SR_MODEL_ERROR, (code), __VA_ARGS__), FALSE)

/* Reads name (shape given) into *out, noting it used. */
static gboolean
take (SrSafetensors *st, GHashTable *used, const char *name, int rank,
    const gint64 *shape, float **out, GError **error)
{
  *out = sr_safetensors_read_float (st, name, rank, shape, error);
  if (*out)
    g_hash_table_add (used, g_strdup (name));
  return *out != NULL;
}

/* The scaling layer folded with the map from [0, 1] to [-1, 1]:
 * in * (2 / scale) + (-1 - shift) / scale. */
static gboolean
scaling (SrSafetensors *st, GHashTable *used, float mul[3], float add[3],
    GError **error)
{
  const gint64 shape[4] = { 1, 3, 1, 1 };
  float *shift = NULL, *scale = NULL;
  const gboolean has_shift = sr_safetensors_lookup (st, "scaling_layer.shift")
      != NULL, has_scale = sr_safetensors_lookup (st, "scaling_layer.scale")
      != NULL;
  if ((has_shift && !take (st, used, "scaling_layer.shift", 4, shape, &shift,
              error)) || (has_scale && !take (st, used, "scaling_layer.scale",
              4, shape, &scale, error))) {
    g_free (shift);
    return FALSE;
  }
  gboolean ok = TRUE;
  for (int c = 0; ok && c < 3; c++) {
    const float sh = shift ? shift[c] : default_shift[c];
    const float sc = scale ? scale[c] : default_scale[c];
    if (!(sc > 0) || !isfinite (sh))
      ok = FAIL (SR_MODEL_ERROR_WEIGHTS, "scaling_layer: scale %g, shift %g "
          "(scales must be > 0, both finite)", sc, sh);
    mul[c] = 2.0f / sc;
    add[c] = (-1.0f - sh) / sc;
  }
  g_free (shift);
  g_free (scale);
  return ok;
}

SrGraph *
sr_lpips_load (const char *path, float *lin[SR_LPIPS_LAYERS],
    int lin_c[SR_LPIPS_LAYERS], GError **error)
{
  memset (lin, 0, SR_LPIPS_LAYERS * sizeof (float *));
  SrSafetensors *st = sr_safetensors_open (path, error);
  if (!st)
    return NULL;
  GHashTable *used = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  const gboolean tv = !sr_safetensors_lookup (st, "net.slice1.0.weight")
      && sr_safetensors_lookup (st, "features.0.weight");
  SrGraph *g = sr_graph_new (path, 3);
  float mul[3], add[3];
  gboolean ok = scaling (st, used, mul, add, error);
  int v = ok ? sr_graph_add_affine (g, "scaling_layer", g->input, mul, add,
      (SrAct) {.kind = SR_ACT_NONE }, error) : -1;
  for (int k = 0; ok && v >= 0 && k < SR_LPIPS_LAYERS; k++) {
    const char *stem = tv ? stages[k].torchvision : stages[k].lpips;
    char *wname = g_strconcat (stem, ".weight", NULL);
    char *bname = g_strconcat (stem, ".bias", NULL);
    char *lname = g_strdup_printf ("lin%d.model.1.weight", k);
    char *pname = g_strdup_printf ("maxpool%d", k);
    char *nname = g_strdup_printf ("relu%d-normalised", k + 1);
    SrNnConv2dParams p = { 0 };
    p.cin = stages[k].cin;
    p.cout = stages[k].cout;
    p.kh = p.kw = stages[k].k;
    p.stride_h = p.stride_w = stages[k].stride;
    p.pad_top = p.pad_bottom = p.pad_left = p.pad_right = stages[k].pad;
    p.act.kind = SR_ACT_RELU;
    const gint64 wshape[4] = { p.cout, p.cin, p.kh, p.kw };
    const gint64 bshape[1] = { p.cout }, lshape[4] = { 1, p.cout, 1, 1 };
    float *w = NULL, *b = NULL;
    if (stages[k].pool_before)
      v = sr_graph_add_max_pool (g, pname, v, 3, 2, error);
    ok = v >= 0 && take (st, used, wname, 4, wshape, &w, error)
        && take (st, used, bname, 1, bshape, &b, error)
        && take (st, used, lname, 4, lshape, &lin[k], error);
    if (ok)
      v = sr_graph_add_conv2d (g, stem, v, &p, w, b, NULL, error);
    lin_c[k] = p.cout;
    /* LPIPS keeps its linear weights >= 0 (clamped in training): a
     * negative one is a damaged or foreign file. */
    for (int c = 0; ok && c < p.cout; c++)
      if (!(lin[k][c] >= 0))
        ok = FAIL (SR_MODEL_ERROR_WEIGHTS, "%s[%d] is %g; LPIPS's linear "
            "weights are >= 0", lname, c, lin[k][c]);
    const int normalised = ok && v >= 0
        ? sr_graph_add_l2_normalize (g, nname, v, 1e-10f, error) : -1;
    if (normalised < 0)
      ok = FALSE;
    else if (k < SR_LPIPS_LAYERS - 1)
      ok = sr_graph_add_tap (g, normalised, error) >= 0;
    else
      ok = sr_graph_finish (g, normalised, error);
    g_free (w);
    g_free (b);
    g_free (wname);
    g_free (bname);
    g_free (lname);
    g_free (pname);
    g_free (nname);
  }
  ok = ok && sr_safetensors_all_used (st, used, "LPIPS (alex, v0.1), whose "
      "tensors are net.slice1.0.weight ... net.slice5.10.bias, "
      "lin0.model.1.weight ... lin4.model.1.weight and optionally "
      "scaling_layer.shift/scale", error);
  g_hash_table_unref (used);
  sr_safetensors_close (st);
  if (!ok) {
    sr_graph_error_in_file (error, path);
    sr_graph_free (g);
    for (int k = 0; k < SR_LPIPS_LAYERS; k++)
      g_clear_pointer (&lin[k], g_free);
    return NULL;
  }
  return g;
}

struct _SrLpips {
  SrRuntime *rt;
  /* One executor per picture: the first one's features stay in its plan
   * while the second runs. */
  SrExecutor *ex[2];
  SrTensor *lin[SR_LPIPS_LAYERS];
  SrNnCodes *codes;
  SrNnDistance *distance;
  SrTensor *unit[2];            /* the pictures as 8-bit values */
  SrTensor *out[2];             /* relu5, normalised */
};

void
sr_lpips_free (SrLpips *lp)
{
  if (!lp)
    return;
  for (int i = 0; i < 2; i++) {
    sr_executor_free (lp->ex[i]);
    sr_tensor_unref (lp->unit[i]);
    sr_tensor_unref (lp->out[i]);
  }
  for (int k = 0; k < SR_LPIPS_LAYERS; k++)
    sr_tensor_unref (lp->lin[k]);
  sr_nn_codes_free (lp->codes);
  sr_nn_distance_free (lp->distance);
  sr_runtime_unref (lp->rt);
  g_free (lp);
}

SrLpips *
sr_lpips_new (SrRuntime *rt, const char *path, GError **error)
{
  SrLpips *lp = g_new0 (SrLpips, 1);
  lp->rt = sr_runtime_ref (rt);
  /* Only to write the linear weights, once. */
  cl_command_queue q = sr_runtime_create_queue (rt, error);
  gboolean ok = q != NULL;
  for (int i = 0; ok && i < 2; i++) {
    float *lin[SR_LPIPS_LAYERS];
    int lin_c[SR_LPIPS_LAYERS];
    SrGraph *g = sr_lpips_load (path, lin, lin_c, error);
    ok = g && (lp->ex[i] = sr_executor_new (rt, g, error)) != NULL;
    if (g && !lp->ex[i])
      sr_graph_free (g);
    for (int k = 0; g && k < SR_LPIPS_LAYERS; k++) {
      if (ok && i == 0)
        ok = (lp->lin[k] = sr_tensor_new (rt, 1, 1, 1, lin_c[k], SR_DTYPE_F32,
                error)) && sr_tensor_write (q, lp->lin[k], lin[k]) == SR_OK;
      g_free (lin[k]);
    }
  }
  ok = ok && (lp->codes = sr_nn_codes_new (rt, error))
      && (lp->distance = sr_nn_distance_new (rt, error));
  if (q)
    clReleaseCommandQueue (q);
  if (!ok) {
    if (error && !*error)
      g_set_error (error, SR_ERROR, SR_ERR_OUT_OF_RESOURCES,
          "%s: uploading the weights failed", path);
    sr_lpips_free (lp);
    return NULL;
  }
  return lp;
}

gboolean
sr_lpips_run (SrLpips *lp, cl_command_queue q, SrTensor *a, SrTensor *b,
    double *lpips, GError **error)
{
  const int h = a->h, w = a->w;
  if (a->dtype != SR_DTYPE_F32 || b->dtype != SR_DTYPE_F32 || a->c != 3
      || b->c != 3 || b->h != h || b->w != w) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "LPIPS compares two float32 RGB pictures of one size");
    return FALSE;
  }
  if (h < SR_LPIPS_MIN_SIDE || w < SR_LPIPS_MIN_SIDE) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_SIZE,
        "LPIPS (alex) needs pictures of at least %dx%d pixels, not %dx%d",
        SR_LPIPS_MIN_SIDE, SR_LPIPS_MIN_SIDE, w, h);
    return FALSE;
  }
  SrTensor *pics[2] = { a, b };
  for (int i = 0; i < 2; i++) {
    if (!sr_executor_plan (lp->ex[i], h, w, error))
      return FALSE;
    const SrGraph *g = sr_executor_graph (lp->ex[i]);
    int oh, ow;
    sr_executor_value_size (lp->ex[i], g->output, &oh, &ow);
    SrTensor *unit = sr_tensor_reuse (lp->rt, q, &lp->unit[i], 1, 3, h, w,
        SR_DTYPE_F32);
    SrTensor *out = sr_tensor_reuse (lp->rt, q, &lp->out[i], 1,
        sr_graph_value (g, g->output)->channels, oh, ow, SR_DTYPE_F32);
    SrStatus st = !unit || !out ? SR_ERR_OUT_OF_DEVICE_MEMORY
        : sr_nn_unit_codes_run (lp->codes, q, sr_view (pics[i]),
        sr_view (unit));
    if (st == SR_OK)
      st = sr_executor_run (lp->ex[i], q, sr_view (unit), sr_view (out));
    if (st != SR_OK) {
      g_set_error (error, SR_ERROR, st, "LPIPS: running AlexNet failed: %s",
          sr_status_name (st));
      return FALSE;
    }
  }
  double total = 0;
  for (int k = 0; k < SR_LPIPS_LAYERS; k++) {
    const SrView fa = k < SR_LPIPS_LAYERS - 1 ? sr_executor_tap (lp->ex[0], k)
        : sr_view (lp->out[0]);
    const SrView fb = k < SR_LPIPS_LAYERS - 1 ? sr_executor_tap (lp->ex[1], k)
        : sr_view (lp->out[1]);
    double sum = 0;
    const SrStatus st = sr_nn_weighted_sq_distance (lp->distance, q, fa, fb,
        lp->lin[k], &sum);
    if (st != SR_OK) {
      g_set_error (error, SR_ERROR, st, "LPIPS: the distance failed: %s",
          sr_status_name (st));
      return FALSE;
    }
    total += sum / ((double) fa.t->h * fa.t->w);
  }
  *lpips = total;
  return TRUE;
}
