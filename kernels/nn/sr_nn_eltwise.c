/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_eltwise.h"
#include "sr_nn_private.h"

#include <string.h>

/* Per-channel parameters (affine scale/shift, PReLU slopes) live on the
 * device, one small tensor per distinct vector, found by content: a
 * network's layers pass the same vectors every frame, so after the first
 * frame a run writes nothing and allocates nothing. Each entry owns the
 * host copy its non-blocking write reads from (refilling one shared buffer
 * would need a blocking write, which on an in-order queue may wait for
 * every command queued before it). */
typedef struct {
  float *v;
  int n;
  guint hash;
  SrTensor *dev;
} Params;

/* Beyond this many distinct vectors the cache starts over (a caller
 * passing fresh values every call, not a network). */
#define MAX_PARAMS 4096

/* Elements per work-item: one AVX2 vector (nn_eltwise.cl). */
#define ELT_VEC 8

struct _SrNnEltwise {
  SrRuntime *rt;
  SrDType act;                  /* activation storage */
  cl_kernel add, affine;
  GHashTable *params;           /* Params* -> same */
  float *key;                   /* staging for the lookup key, grown */
  int key_cap;
};

static guint
params_hash (gconstpointer p)
{
  return ((const Params *) p)->hash;
}

static gboolean
params_equal (gconstpointer a, gconstpointer b)
{
  const Params *x = a, *y = b;
  return x->n == y->n && memcmp (x->v, y->v, x->n * sizeof (float)) == 0;
}

static void
params_free (gpointer p)
{
  Params *e = p;
  sr_tensor_unref (e->dev);
  g_free (e->v);
  g_free (e);
}

SrNnEltwise *
sr_nn_eltwise_new (SrRuntime *rt, SrDType act, GError **error)
{
  const char *opts;
  if (!sr_nn_storage_options (act, &opts, error))
    return NULL;
  SrNnEltwise *op = g_new0 (SrNnEltwise, 1);
  op->rt = sr_runtime_ref (rt);
  op->act = act;
  op->params = g_hash_table_new_full (params_hash, params_equal, params_free,
      NULL);
  if (!(op->add = sr_runtime_create_kernel_with_options (rt, "nn_eltwise",
              opts, "nn_add", error))
      || !(op->affine = sr_runtime_create_kernel_with_options (rt,
              "nn_eltwise", opts, "nn_affine", error))) {
    sr_nn_eltwise_free (op);
    return NULL;
  }
  return op;
}

void
sr_nn_eltwise_free (SrNnEltwise *op)
{
  if (!op)
    return;
  if (op->add)
    clReleaseKernel (op->add);
  if (op->affine)
    clReleaseKernel (op->affine);
  g_hash_table_destroy (op->params);
  g_free (op->key);
  sr_runtime_unref (op->rt);
  g_free (op);
}

/* The staging area for a key of n floats. */
static float *
key_buffer (SrNnEltwise *op, int n)
{
  if (n > op->key_cap) {
    op->key_cap = MAX (n, 2 * op->key_cap);
    op->key = g_renew (float, op->key, op->key_cap);
  }
  return op->key;
}

/* The device copy of the n floats at op->key (FNV-1a over the bytes). */
static SrTensor *
params_lookup (SrNnEltwise *op, cl_command_queue q, int n, SrStatus *st)
{
  guint h = 2166136261u;
  const guint8 *b = (const guint8 *) op->key;
  for (size_t i = 0; i < n * sizeof (float); i++)
    h = (h ^ b[i]) * 16777619u;
  Params key = { op->key, n, h, NULL };
  Params *e = g_hash_table_lookup (op->params, &key);
  if (e)
    return e->dev;
  if (g_hash_table_size (op->params) >= MAX_PARAMS) {
    clFinish (q);               /* the entries' writes and readers are done */
    g_hash_table_remove_all (op->params);
  }
  SrTensor *dev = sr_tensor_new (op->rt, 1, n, 1, 1, SR_DTYPE_F32, NULL);
  if (!dev) {
    *st = SR_ERR_OUT_OF_DEVICE_MEMORY;
    return NULL;
  }
  e = g_new (Params, 1);
  e->v = g_memdup2 (op->key, n * sizeof (float));
  e->n = n;
  e->hash = h;
  e->dev = dev;
  if ((*st = sr_tensor_write_async (q, dev, e->v, n * sizeof (float))) != SR_OK) {
    params_free (e);
    return NULL;
  }
  g_hash_table_add (op->params, e);
  return dev;
}

static gboolean
act_ok (SrAct act, const float *prelu)
{
  return (int) act.kind >= SR_ACT_NONE && (int) act.kind <= SR_ACT_CLAMP
      && (act.kind != SR_ACT_PRELU || prelu);
}

/* Arguments act .. act + 3: the activation's kind and scalars. */
static cl_int
set_act_args (cl_kernel k, int i, SrAct act)
{
  const int kind = act.kind;
  cl_int e = 0;
  e |= SR_ARG (k, i, kind);
  e |= SR_ARG (k, i + 1, act.alpha);
  e |= SR_ARG (k, i + 2, act.lo);
  e |= SR_ARG (k, i + 3, act.hi);
  return e;
}

/* in is stored as out is; readers of a view that overlaps out must be out
 * itself. */
static gboolean
io_ok (SrView in, SrView out)
{
  return sr_nn_view_ok (in, out.t->dtype) && in.c == out.c
      && in.t->h == out.t->h && in.t->w == out.t->w
      && (!sr_nn_views_overlap (in, out) || sr_nn_views_same (in, out));
}

SrStatus
sr_nn_add_run (SrNnEltwise *op, cl_command_queue q, int n, const SrView *in,
    const float *coef, SrView out, SrAct act, const float *prelu)
{
  if (n < 1 || n > SR_NN_MAX_ADD || !in || !coef
      || !sr_nn_view_ok (out, op->act)
      || !act_ok (act, prelu))
    return SR_ERR_INVALID_ARGUMENT;
  for (int i = 0; i < n; i++)
    if (!io_ok (in[i], out))
      return SR_ERR_INVALID_ARGUMENT;
  SrStatus st = SR_OK;
  SrTensor *slope = out.t;      /* bound, never read, without PReLU */
  if (act.kind == SR_ACT_PRELU) {
    memcpy (key_buffer (op, out.c), prelu, out.c * sizeof (float));
    if (!(slope = params_lookup (op, q, out.c, &st)))
      return st;
  }
  cl_float8 c8 = { { 0 } };
  for (int i = 0; i < n; i++)
    c8.s[i] = coef[i];
  const int plane = out.t->h * out.t->w, segs = (plane + ELT_VEC - 1) / ELT_VEC;
  cl_kernel k = op->add;
  cl_int e = 0;
  e |= SR_ARG (k, 0, n);
  e |= SR_ARG (k, 1, c8);
  for (int i = 0; i < SR_NN_MAX_ADD; i++) {
    const SrView v = in[i < n ? i : 0];
    e |= SR_ARG_MEM (k, 2 + 2 * i, v.t);
    e |= SR_ARG (k, 3 + 2 * i, v.c0);
  }
  e |= SR_ARG_MEM (k, 18, out.t);
  e |= SR_ARG (k, 19, out.c0);
  e |= SR_ARG (k, 20, plane);
  e |= SR_ARG (k, 21, segs);
  e |= set_act_args (k, 22, act);
  e |= SR_ARG_MEM (k, 26, slope);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = (size_t) segs * out.c;
  return sr_enqueue (q, k, 1, &g);
}

SrStatus
sr_nn_affine_run (SrNnEltwise *op, cl_command_queue q, SrView in,
    const float *scale, const float *shift, SrView out, SrAct act,
    const float *prelu)
{
  if (!scale || !sr_nn_view_ok (out, op->act) || !io_ok (in, out)
      || !act_ok (act, prelu))
    return SR_ERR_INVALID_ARGUMENT;
  /* One vector: scale, then shift and slopes when present. */
  const int c = out.c;
  int n = c, shift_at = -1, slope_at = 0;
  if (shift)
    shift_at = n, n += c;
  if (act.kind == SR_ACT_PRELU)
    slope_at = n, n += c;
  float *key = key_buffer (op, n);
  memcpy (key, scale, c * sizeof (float));
  if (shift)
    memcpy (key + shift_at, shift, c * sizeof (float));
  if (act.kind == SR_ACT_PRELU)
    memcpy (key + slope_at, prelu, c * sizeof (float));
  SrStatus st = SR_OK;
  SrTensor *param = params_lookup (op, q, n, &st);
  if (!param)
    return st;
  const int plane = out.t->h * out.t->w, segs = (plane + ELT_VEC - 1) / ELT_VEC;
  cl_kernel k = op->affine;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, in.t);
  e |= SR_ARG (k, 1, in.c0);
  e |= SR_ARG_MEM (k, 2, out.t);
  e |= SR_ARG (k, 3, out.c0);
  e |= SR_ARG (k, 4, plane);
  e |= SR_ARG (k, 5, segs);
  e |= SR_ARG_MEM (k, 6, param);
  e |= SR_ARG (k, 7, shift_at);
  e |= SR_ARG (k, 8, slope_at);
  e |= set_act_args (k, 9, act);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = (size_t) segs * c;
  return sr_enqueue (q, k, 1, &g);
}
