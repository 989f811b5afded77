/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Written from spec/models.md 1.2 (ncnn's .param / .bin as its net.cpp,
 * paramdict.cpp and modelbin.cpp define them). Three passes: parse and
 * check the .param into layers; read each layer's weights from the .bin in
 * layer order (byte accounting); translate the layers into an SrGraph. */
#include "sr_ncnn.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <string.h>

#define NCNN_MAGIC "7767517"
/* ncnn's limits (NCNN_MAX_PARAM_COUNT, its 256-byte name buffers). */
#define MAX_PARAMS 32
#define MAX_TOKEN 255
/* Far above any SR network, far below what a hostile count could make us
 * allocate or loop over. */
#define MAX_LAYERS 100000
#define MAX_BLOBS 1000000
#define MAX_LAYER_BLOBS 1024
#define MAX_ARRAY 65536
#define MAX_PARAM_FILE (64 << 20)
#define MAX_WEIGHTS (1 << 28)
#define MAX_CHANNELS 65536
#define MAX_KERNEL 64
/* A negative id -(ARRAY_BASE + i) marks an array for id i. */
#define ARRAY_BASE 23300

/* The .bin's tags of tagged (type 0) blobs, as little-endian u32. */
#define TAG_FP16 0x01306B47u
#define TAG_INT8 0x000D4B38u
#define TAG_FP32_SCALED 0x0002C056u

typedef struct {
  gboolean set, is_float, is_array;
  int i;
  float f;
  int n;                        /* array length */
  float *a;                     /* array values */
} Param;

typedef enum {
  L_INPUT, L_SPLIT, L_CONV, L_PRELU, L_CONCAT, L_ELTWISE, L_BINARY,
  L_INTERP, L_SHUFFLE, L_RELU, L_CLIP,
} Kind;

/* Each type's name and the param ids it accepts (30, shape hints, and 31,
 * the feature mask, are accepted and ignored everywhere). */
static const struct {
  const char *type;
  Kind kind;
  guint32 ids;
} types[] = {
  { "Input", L_INPUT, 1u << 0 | 1u << 1 | 1u << 2 | 1u << 11 },
  { "Split", L_SPLIT, 0 },
  { "Convolution", L_CONV, 1u << 0 | 1u << 1 | 1u << 11 | 1u << 2 | 1u << 12
        | 1u << 3 | 1u << 13 | 1u << 4 | 1u << 15 | 1u << 14 | 1u << 16
        | 1u << 18 | 1u << 5 | 1u << 6 | 1u << 8 | 1u << 9 | 1u << 10
        | 1u << 19 },
  { "PReLU", L_PRELU, 1u << 0 },
  { "Concat", L_CONCAT, 1u << 0 },
  { "Eltwise", L_ELTWISE, 1u << 0 | 1u << 1 },
  { "BinaryOp", L_BINARY, 1u << 0 | 1u << 1 | 1u << 2 },
  { "Interp", L_INTERP, 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 4
        | 1u << 5 | 1u << 6 },
  { "PixelShuffle", L_SHUFFLE, 1u << 0 | 1u << 1 },
  { "ReLU", L_RELU, 1u << 0 },
  { "Clip", L_CLIP, 1u << 0 | 1u << 1 },
};

/* BinaryOp's op_type values. */
enum { OP_ADD, OP_SUB, OP_MUL, OP_DIV, OP_MAX, OP_MIN, OP_POW, OP_RSUB, OP_RDIV };

typedef struct {
  Kind kind;
  const char *type, *name;      /* tokens inside the loader's text */
  int line;
  int n_bottoms, n_tops;
  int *bottoms, *tops;          /* blob indices */
  /* Convolution */
  SrNnConv2dParams conv;
  int weight_size;
  gboolean bias_term;
  /* PReLU */
  int num_slope;
  /* Eltwise, BinaryOp: the output is an add of the inputs with coef, or an
   * affine (scale, shift) of one; ReLU, Clip, BinaryOp MAX/MIN: act. */
  float coef[SR_GRAPH_MAX_INPUTS];
  gboolean affine;
  float scale, shift;
  SrAct act;
  /* Interp, PixelShuffle */
  int factor;
  SrUpsampleMode upsample;
  SrShuffleOrder order;
  /* weights read from the .bin (float32) */
  float *weight, *bias, *slopes;
} Layer;

typedef struct {
  const char *name;
  int line;                     /* where it is made */
  int producer;                 /* layer index */
  int root;                     /* the blob a chain of Splits started from */
  int readers;                  /* layers reading it (Splits included) */
  int root_readers;             /* layers reading its root, through
                                 * Splits and other identities */
  int value;                    /* graph value, -1 until made */
} Blob;

typedef struct {
  const char *path, *bin_path;
  gchar *text;
  GArray *layers;               /* Layer */
  GArray *blobs;                /* Blob */
  GHashTable *blob_index;       /* name -> index + 1 */
  SrGraph *g;
} Loader;

#define FAIL(code, ...) \
  (g_set_error (error, SR_MODEL_ERROR, (code), __VA_ARGS__), FALSE)

static gboolean layer_fail (Loader *l, const Layer *ly, SrModelError code,
    GError **error, const char *format, ...) G_GNUC_PRINTF (5, 6);

/* "file:line: Type 'name': message" */
static gboolean
layer_fail (Loader *l, const Layer *ly, SrModelError code, GError **error,
    const char *format, ...)
{
  va_list args;
  va_start (args, format);
  gchar *msg = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, SR_MODEL_ERROR, code, "%s:%d: %s '%s': %s", l->path,
      ly->line, ly->type, ly->name, msg);
  g_free (msg);
  return FALSE;
}

static Layer *
layer_at (Loader *l, int i)
{
  return &g_array_index (l->layers, Layer, i);
}

static Blob *
blob_at (Loader *l, int i)
{
  return &g_array_index (l->blobs, Blob, i);
}

/* ---- values of the text ------------------------------------------------------ */

static gboolean
parse_int (const char *s, int *out)
{
  if (!*s)
    return FALSE;
  char *end;
  errno = 0;
  const gint64 v = g_ascii_strtoll (s, &end, 10);
  if (*end || errno || v < G_MININT || v > G_MAXINT)
    return FALSE;
  *out = (int) v;
  return TRUE;
}

/* ncnn's rule: a value with '.', 'e' or 'E' is a float, else an int. */
static gboolean
parse_number (const char *s, gboolean *is_float, int *i, float *f)
{
  *is_float = strpbrk (s, ".eE") != NULL;
  if (!*is_float) {
    if (!parse_int (s, i))
      return FALSE;
    *f = (float) *i;
    return TRUE;
  }
  if (!*s)
    return FALSE;
  char *end;
  errno = 0;
  const double v = g_ascii_strtod (s, &end);
  if (*end || !isfinite (v) || fabs (v) > FLT_MAX)
    return FALSE;
  *f = (float) v;
  *i = 0;
  return TRUE;
}

/* One "id=value" token into params[]; msg says what is wrong. */
static gboolean
parse_param (char *token, Param *params, const char **msg)
{
  char *eq = strchr (token, '=');
  int id;
  if (!eq) {
    *msg = "is not id=value";
    return FALSE;
  }
  *eq = '\0';
  const char *value = eq + 1;
  const gboolean ok_id = parse_int (token, &id);
  *eq = '=';
  if (!ok_id) {
    *msg = "is not id=value";
    return FALSE;
  }
  gboolean array = FALSE, counted = FALSE;
  if (id <= -ARRAY_BASE && id > -ARRAY_BASE - MAX_PARAMS) {
    id = -id - ARRAY_BASE;
    array = counted = TRUE;
  } else if (id < 0 || id >= MAX_PARAMS) {
    *msg = "has a param id outside 0..31 (arrays: -23300..-23331)";
    return FALSE;
  }
  if (params[id].set) {
    *msg = "sets a param id that the line sets already";
    return FALSE;
  }
  if (*value == '"') {
    *msg = "is a string param (not supported)";
    return FALSE;
  }
  /* Newer ncnn's arrays without a length: id=v1,v2,... */
  if (!array && strchr (value, ','))
    array = TRUE;
  Param *p = &params[id];
  if (!array) {
    if (!parse_number (value, &p->is_float, &p->i, &p->f)) {
      *msg = "has a value that is not a number";
      return FALSE;
    }
    p->set = TRUE;
    return TRUE;
  }
  gchar **parts = g_strsplit (value, ",", -1);
  const guint n_parts = g_strv_length (parts);
  int len = (int) n_parts;
  gboolean ok = n_parts > 0;
  if (!ok)
    *msg = "has an empty array";
  if (ok && counted) {
    /* -233xx=len,v1,...,vlen */
    ok = parse_int (parts[0], &len) && len >= 0 && (guint) len == n_parts - 1;
    if (!ok)
      *msg = "has an array whose length is not its count of values";
  }
  if (ok && len > MAX_ARRAY) {
    *msg = "has an array longer than 65536";
    ok = FALSE;
  }
  if (ok) {
    p->a = g_new (float, MAX (len, 1));
    p->n = len;
    p->is_array = p->set = TRUE;
    for (int k = 0; k < len && ok; k++) {
      gboolean is_float;
      int iv;
      ok = parse_number (parts[k + counted], &is_float, &iv, &p->a[k]);
      if (!ok)
        *msg = "has an array value that is not a number";
    }
  }
  g_strfreev (parts);
  return ok;
}

static void
params_clear (Param *params)
{
  for (int i = 0; i < MAX_PARAMS; i++)
    g_free (params[i].a);
  memset (params, 0, sizeof (Param) * MAX_PARAMS);
}

/* The int param id (def when absent); an error for a float or an array. */
static gboolean
get_int (Loader *l, const Layer *ly, const Param *ps, int id, int def,
    int *out, GError **error)
{
  if (!ps[id].set) {
    *out = def;
    return TRUE;
  }
  if (ps[id].is_float || ps[id].is_array)
    return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error,
        "param %d must be an integer", id);
  *out = ps[id].i;
  return TRUE;
}

static gboolean
get_float (Loader *l, const Layer *ly, const Param *ps, int id, float def,
    float *out, GError **error)
{
  if (!ps[id].set) {
    *out = def;
    return TRUE;
  }
  if (ps[id].is_array)
    return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error,
        "param %d must be a number, not an array", id);
  *out = ps[id].f;
  return TRUE;
}

/* The array param id: its length (0 when absent), values in *a. */
static gboolean
get_array (Loader *l, const Layer *ly, const Param *ps, int id, int *n,
    const float **a, GError **error)
{
  *n = 0;
  *a = NULL;
  if (!ps[id].set)
    return TRUE;
  if (!ps[id].is_array)
    return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error,
        "param %d must be an array (-%d=len,...)", id, ARRAY_BASE + id);
  *n = ps[id].n;
  *a = ps[id].a;
  return TRUE;
}

/* ---- each type's params -------------------------------------------------------- */

static gboolean
in_range (int v, int lo, int hi)
{
  return v >= lo && v <= hi;
}

static gboolean
blob_counts (Loader *l, const Layer *ly, int min_bottoms, int max_bottoms,
    int min_tops, int max_tops, GError **error)
{
  if (in_range (ly->n_bottoms, min_bottoms, max_bottoms)
      && in_range (ly->n_tops, min_tops, max_tops))
    return TRUE;
  return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error, "%d inputs and %d "
      "outputs (%d..%d and %d..%d expected)", ly->n_bottoms, ly->n_tops,
      min_bottoms, max_bottoms, min_tops, max_tops);
}

static gboolean
check_conv (Loader *l, Layer *ly, const Param *ps, GError **error)
{
  /* (initialised for the compiler: get_int sets each or fails) */
  int num_output = 0, kw = 0, kh = 0, dw = 0, dh = 0, sw = 0, sh = 0, pl = 0,
      pr = 0, pt = 0, pb = 0, bias = 0, wsize = 0, int8 = 0, act_type = 0,
      dynamic = 0;
  float pad_value = 0;
  if (!get_int (l, ly, ps, 0, 0, &num_output, error)
      || !get_int (l, ly, ps, 1, 0, &kw, error)
      || !get_int (l, ly, ps, 11, kw, &kh, error)
      || !get_int (l, ly, ps, 2, 1, &dw, error)
      || !get_int (l, ly, ps, 12, dw, &dh, error)
      || !get_int (l, ly, ps, 3, 1, &sw, error)
      || !get_int (l, ly, ps, 13, sw, &sh, error)
      || !get_int (l, ly, ps, 4, 0, &pl, error)
      || !get_int (l, ly, ps, 15, pl, &pr, error)
      || !get_int (l, ly, ps, 14, pl, &pt, error)
      || !get_int (l, ly, ps, 16, pt, &pb, error)
      || !get_float (l, ly, ps, 18, 0, &pad_value, error)
      || !get_int (l, ly, ps, 5, 0, &bias, error)
      || !get_int (l, ly, ps, 6, 0, &wsize, error)
      || !get_int (l, ly, ps, 8, 0, &int8, error)
      || !get_int (l, ly, ps, 9, 0, &act_type, error)
      || !get_int (l, ly, ps, 19, 0, &dynamic, error))
    return FALSE;
  int n_act;
  const float *act_params;
  if (!get_array (l, ly, ps, 10, &n_act, &act_params, error))
    return FALSE;
  if (!in_range (num_output, 1, MAX_CHANNELS) || !in_range (kw, 1, MAX_KERNEL)
      || !in_range (kh, 1, MAX_KERNEL) || !in_range (sw, 1, MAX_KERNEL)
      || !in_range (sh, 1, MAX_KERNEL) || !in_range (bias, 0, 1)
      || !in_range (wsize, 1, MAX_WEIGHTS))
    return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error, "impossible "
        "num_output %d, kernel %dx%d, stride %dx%d, bias_term %d or "
        "weight_data_size %d", num_output, kw, kh, sw, sh, bias, wsize);
  if (dw != 1 || dh != 1 || int8 || dynamic || pad_value != 0)
    return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error, "dilation "
        "%dx%d, int8_scale_term %d, dynamic_weight %d, pad_value %g: only "
        "dilation 1, float weights, static weights and zero padding are "
        "supported", dw, dh, int8, dynamic, pad_value);
  /* -233 (TF SAME: the odd pixel after) and -234 (ONNX SAME_LOWER: before)
   * are sizes of their own only for stride 1, where they are fixed. */
  const int pads[4] = { pl, pr, pt, pb };
  if (pl == -233 || pl == -234) {
    if (sw != 1 || sh != 1 || pr != pl || pt != pl || pb != pl)
      return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error, "SAME "
          "padding (%d) is supported with stride 1 only", pl);
    const gboolean lower = pl == -234;
    pl = lower ? kw / 2 : (kw - 1) / 2;
    pr = kw - 1 - pl;
    pt = lower ? kh / 2 : (kh - 1) / 2;
    pb = kh - 1 - pt;
  } else {
    for (int k = 0; k < 4; k++)
      if (!in_range (pads[k], 0, MAX_KERNEL))
        return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
            "padding %d,%d,%d,%d (left, right, top, bottom): 0..64 or SAME "
            "(-233, -234) supported", pl, pr, pt, pb);
  }
  SrAct act = { SR_ACT_NONE, 0, 0, 0 };
  switch (act_type) {
    case 0:
      break;
    case 1:
      act.kind = SR_ACT_RELU;
      break;
    case 2:
      act.kind = SR_ACT_LEAKY_RELU;
      act.alpha = n_act >= 1 ? act_params[0] : 0;
      break;
    case 3:
      if (n_act < 2 || !(act_params[0] <= act_params[1]))
        return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error, "Clip "
            "activation without min <= max in param 10");
      act.kind = SR_ACT_CLAMP;
      act.lo = act_params[0];
      act.hi = act_params[1];
      break;
    default:
      return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
          "activation_type %d (0 none, 1 ReLU, 2 LeakyReLU, 3 Clip are "
          "supported)", act_type);
  }
  if ((gint64) num_output * kh * kw > wsize || wsize % (num_output * kh * kw))
    return layer_fail (l, ly, SR_MODEL_ERROR_WEIGHTS, error,
        "weight_data_size %d is not a multiple of num_output %d x %dx%d",
        wsize, num_output, kh, kw);
  SrNnConv2dParams *p = &ly->conv;
  p->cin = wsize / (num_output * kh * kw);
  p->cout = num_output;
  p->kh = kh;
  p->kw = kw;
  p->stride_h = sh;
  p->stride_w = sw;
  p->pad_top = pt;
  p->pad_bottom = pb;
  p->pad_left = pl;
  p->pad_right = pr;
  p->act = act;
  p->res_scale = p->skip_scale = 1;
  ly->weight_size = wsize;
  ly->bias_term = bias;
  return TRUE;
}

static gboolean
check_binary (Loader *l, Layer *ly, const Param *ps, GError **error)
{
  int op = 0, with_scalar = 0;
  float b = 0;
  if (!get_int (l, ly, ps, 0, 0, &op, error)
      || !get_int (l, ly, ps, 1, 0, &with_scalar, error)
      || !get_float (l, ly, ps, 2, 0, &b, error))
    return FALSE;
  if (!in_range (with_scalar, 0, 1))
    return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error, "with_scalar %d",
        with_scalar);
  if (!blob_counts (l, ly, with_scalar ? 1 : 2, with_scalar ? 1 : 2, 1, 1, error))
    return FALSE;
  if (!with_scalar) {
    /* a + b, a - b, b - a of same-shape blobs */
    if (op != OP_ADD && op != OP_SUB && op != OP_RSUB)
      return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
          "op_type %d of two blobs (ADD 0, SUB 1 and RSUB 7 are supported)", op);
    ly->coef[0] = op == OP_RSUB ? -1 : 1;
    ly->coef[1] = op == OP_SUB ? -1 : 1;
    return TRUE;
  }
  ly->affine = TRUE;
  ly->scale = 1;
  ly->shift = 0;
  switch (op) {
    case OP_ADD:
      ly->shift = b;
      break;
    case OP_SUB:
      ly->shift = -b;
      break;
    case OP_MUL:
      ly->scale = b;
      break;
    case OP_DIV:
      if (b == 0 || !isfinite (1 / b))
        return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error, "divides by %g",
            b);
      ly->scale = 1 / b;
      break;
    case OP_RSUB:
      ly->scale = -1;
      ly->shift = b;
      break;
    case OP_MAX:
    case OP_MIN:
      /* max (x, b) / min (x, b): a one-sided clamp */
      ly->act.kind = SR_ACT_CLAMP;
      ly->act.lo = op == OP_MAX ? b : -FLT_MAX;
      ly->act.hi = op == OP_MAX ? FLT_MAX : b;
      break;
    default:
      return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
          "op_type %d with a scalar (ADD, SUB, MUL, DIV, MAX, MIN, RSUB are "
          "supported)", op);
  }
  return TRUE;
}

static gboolean
check_interp (Loader *l, Layer *ly, const Param *ps, GError **error)
{
  int type = 0, out_h = 0, out_w = 0, dynamic = 0, align = 0;
  float hs = 0, ws = 0;
  if (!get_int (l, ly, ps, 0, 0, &type, error)
      || !get_float (l, ly, ps, 1, 1, &hs, error)
      || !get_float (l, ly, ps, 2, 1, &ws, error)
      || !get_int (l, ly, ps, 3, 0, &out_h, error)
      || !get_int (l, ly, ps, 4, 0, &out_w, error)
      || !get_int (l, ly, ps, 5, 0, &dynamic, error)
      || !get_int (l, ly, ps, 6, 0, &align, error))
    return FALSE;
  /* Nearest ignores align_corner; our bilinear is align_corners=False,
   * ncnn's with align_corner 0. */
  if ((type != 1 && type != 2) || (type == 2 && align) || out_h || out_w
      || dynamic)
    return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
        "resize_type %d, output size %dx%d, dynamic_target_size %d, "
        "align_corner %d: nearest (1) or bilinear (2, align_corner 0) by a "
        "scale are supported", type, out_w, out_h, dynamic, align);
  if (hs != ws || hs != floorf (hs) || !(hs >= 1 && hs <= 16))
    return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
        "scale %gx%g: equal integer scales 1..16 are supported", ws, hs);
  ly->factor = (int) hs;
  ly->upsample = type == 1 ? SR_UPSAMPLE_NEAREST : SR_UPSAMPLE_BILINEAR;
  return TRUE;
}

/* Reads the layer's params into its fields and checks its blob counts. */
static gboolean
check_layer (Loader *l, Layer *ly, const Param *ps, GError **error)
{
  int v = 0, n = 0;
  const float *a = NULL;
  switch (ly->kind) {
    case L_INPUT:
      if (!blob_counts (l, ly, 0, 0, 1, 1, error)
          || !get_int (l, ly, ps, 2, 0, &v, error))
        return FALSE;
      if (v != 0 && v != 3)
        return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
            "%d channels (RGB networks only)", v);
      return TRUE;
    case L_SPLIT:
      return blob_counts (l, ly, 1, 1, 1, MAX_LAYER_BLOBS, error);
    case L_CONV:
      return blob_counts (l, ly, 1, 1, 1, 1, error)
          && check_conv (l, ly, ps, error);
    case L_PRELU:
      if (!blob_counts (l, ly, 1, 1, 1, 1, error)
          || !get_int (l, ly, ps, 0, 0, &ly->num_slope, error))
        return FALSE;
      if (!in_range (ly->num_slope, 1, MAX_CHANNELS))
        return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error,
            "num_slope %d", ly->num_slope);
      return TRUE;
    case L_CONCAT:
      if (!blob_counts (l, ly, 1, SR_GRAPH_MAX_INPUTS, 1, 1, error)
          || !get_int (l, ly, ps, 0, 0, &v, error))
        return FALSE;
      /* Blobs are c,h,w per image: channels are axis 0 (or -3). */
      if (v != 0 && v != -3)
        return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
            "axis %d (only channels, 0, is supported)", v);
      return TRUE;
    case L_ELTWISE:
      if (!blob_counts (l, ly, 1, SR_GRAPH_MAX_INPUTS, 1, 1, error)
          || !get_int (l, ly, ps, 0, 0, &v, error)
          || !get_array (l, ly, ps, 1, &n, &a, error))
        return FALSE;
      if (v != 1)
        return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
            "op_type %d (only SUM, 1, is supported)", v);
      if (n && n != ly->n_bottoms)
        return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error,
            "%d coefficients for %d inputs", n, ly->n_bottoms);
      for (int k = 0; k < ly->n_bottoms; k++)
        ly->coef[k] = n ? a[k] : 1;
      return TRUE;
    case L_BINARY:
      return check_binary (l, ly, ps, error);
    case L_INTERP:
      return blob_counts (l, ly, 1, 1, 1, 1, error)
          && check_interp (l, ly, ps, error);
    case L_SHUFFLE:
      if (!blob_counts (l, ly, 1, 1, 1, 1, error)
          || !get_int (l, ly, ps, 0, 1, &ly->factor, error)
          || !get_int (l, ly, ps, 1, 0, &v, error))
        return FALSE;
      if (!in_range (ly->factor, 1, 16) || !in_range (v, 0, 1))
        return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
            "upscale_factor %d, mode %d (1..16; 0 PyTorch, 1 TensorFlow order)",
            ly->factor, v);
      /* spec/models.md 1.4: mode 0 is PyTorch's order, 1 TF's */
      ly->order = v ? SR_SHUFFLE_DCR : SR_SHUFFLE_CRD;
      return TRUE;
    case L_RELU:
      if (!blob_counts (l, ly, 1, 1, 1, 1, error)
          || !get_float (l, ly, ps, 0, 0, &ly->act.alpha, error))
        return FALSE;
      ly->act.kind = ly->act.alpha != 0 ? SR_ACT_LEAKY_RELU : SR_ACT_RELU;
      return TRUE;
    case L_CLIP:
      if (!blob_counts (l, ly, 1, 1, 1, 1, error)
          || !get_float (l, ly, ps, 0, -FLT_MAX, &ly->act.lo, error)
          || !get_float (l, ly, ps, 1, FLT_MAX, &ly->act.hi, error))
        return FALSE;
      if (!(ly->act.lo <= ly->act.hi))
        return layer_fail (l, ly, SR_MODEL_ERROR_FORMAT, error,
            "min %g > max %g", ly->act.lo, ly->act.hi);
      ly->act.kind = SR_ACT_CLAMP;
      return TRUE;
  }
  return FALSE;
}

/* ---- the .param ------------------------------------------------------------------ */

/* Splits line (in place) into tokens; FALSE when one is too long. */
static gboolean
tokenize (char *line, GPtrArray *tokens)
{
  g_ptr_array_set_size (tokens, 0);
  char *p = line;
  while (*p) {
    while (*p && strchr (" \t\r\v\f", *p))
      *p++ = '\0';
    if (!*p)
      break;
    char *start = p;
    while (*p && !strchr (" \t\r\v\f", *p))
      p++;
    if (p - start > MAX_TOKEN)
      return FALSE;
    g_ptr_array_add (tokens, start);
  }
  return TRUE;
}

static int
blob_lookup (Loader *l, const char *name)
{
  return GPOINTER_TO_INT (g_hash_table_lookup (l->blob_index, name)) - 1;
}

/* One layer line (tokens) into a Layer. */
static gboolean
parse_layer (Loader *l, GPtrArray *tok, int line, GError **error)
{
  Layer ly = { 0 };
  ly.line = line;
  ly.type = tok->len > 0 ? g_ptr_array_index (tok, 0) : "?";
  ly.name = tok->len > 1 ? g_ptr_array_index (tok, 1) : "?";
  if (tok->len < 4 || !parse_int (g_ptr_array_index (tok, 2), &ly.n_bottoms)
      || !parse_int (g_ptr_array_index (tok, 3), &ly.n_tops)
      || !in_range (ly.n_bottoms, 0, MAX_LAYER_BLOBS)
      || !in_range (ly.n_tops, 0, MAX_LAYER_BLOBS)
      || tok->len < 4 + (guint) ly.n_bottoms + (guint) ly.n_tops)
    return layer_fail (l, &ly, SR_MODEL_ERROR_FORMAT, error, "not a layer "
        "line (type name bottom_count top_count bottoms... tops... id=value...)");
  guint t = 0;
  while (t < G_N_ELEMENTS (types) && strcmp (types[t].type, ly.type))
    t++;
  if (t == G_N_ELEMENTS (types))
    return layer_fail (l, &ly, SR_MODEL_ERROR_UNSUPPORTED, error,
        "layer type %s is not supported", ly.type);
  ly.kind = types[t].kind;

  Param params[MAX_PARAMS] = { { 0 } };
  gboolean ok = TRUE;
  for (guint k = 4 + ly.n_bottoms + ly.n_tops; k < tok->len && ok; k++) {
    const char *msg = NULL;
    if (!parse_param (g_ptr_array_index (tok, k), params, &msg))
      ok = layer_fail (l, &ly, SR_MODEL_ERROR_FORMAT, error, "'%s' %s",
          (const char *) g_ptr_array_index (tok, k), msg);
  }
  for (int id = 0; id < 30 && ok; id++)
    if (params[id].set && !(types[t].ids & (1u << id)))
      ok = layer_fail (l, &ly, SR_MODEL_ERROR_UNSUPPORTED, error,
          "param %d is not supported for %s", id, ly.type);
  ok = ok && check_layer (l, &ly, params, error);
  params_clear (params);
  if (!ok)
    return FALSE;

  /* Blobs: every bottom must be made by an earlier layer (the file is in
   * execution order); every top is a new blob. */
  /* Layers whose output is their input: their readers read the input. */
  const gboolean alias = ly.kind == L_SPLIT
      || (ly.kind == L_CONCAT && ly.n_bottoms == 1)
      || ((ly.kind == L_INTERP || ly.kind == L_SHUFFLE) && ly.factor == 1);
  ly.bottoms = g_new (int, MAX (ly.n_bottoms, 1));
  ly.tops = g_new (int, MAX (ly.n_tops, 1));
  const int index = l->layers->len;
  for (int k = 0; k < ly.n_bottoms && ok; k++) {
    const char *name = g_ptr_array_index (tok, 4 + k);
    const int b = blob_lookup (l, name);
    if (b < 0) {
      ok = layer_fail (l, &ly, SR_MODEL_ERROR_GRAPH, error, "reads blob '%s', "
          "which no earlier layer makes", name);
      break;
    }
    ly.bottoms[k] = b;
    blob_at (l, b)->readers++;
    if (!alias)
      blob_at (l, blob_at (l, b)->root)->root_readers++;
  }
  for (int k = 0; k < ly.n_tops && ok; k++) {
    const char *name = g_ptr_array_index (tok, 4 + ly.n_bottoms + k);
    if (blob_lookup (l, name) >= 0) {
      ok = layer_fail (l, &ly, SR_MODEL_ERROR_GRAPH, error, "makes blob '%s', "
          "which line %d makes already", name, blob_at (l, blob_lookup (l, name))->line);
      break;
    }
    if (l->blobs->len >= MAX_BLOBS) {
      ok = layer_fail (l, &ly, SR_MODEL_ERROR_FORMAT, error, "more than %d "
          "blobs", MAX_BLOBS);
      break;
    }
    Blob blob = { name, line, index, (int) l->blobs->len, 0, 0, -1 };
    if (alias)
      blob.root = blob_at (l, ly.bottoms[0])->root;
    g_array_append_val (l->blobs, blob);
    ly.tops[k] = l->blobs->len - 1;
    g_hash_table_insert (l->blob_index, (gpointer) name,
        GINT_TO_POINTER (l->blobs->len));
  }
  g_array_append_val (l->layers, ly);     /* freed with the loader either way */
  return ok;
}

static gboolean
parse_param_file (Loader *l, GError **error)
{
  gsize len;
  GError *e = NULL;
  if (!g_file_get_contents (l->path, &l->text, &len, &e)) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_IO, "%s: %s", l->path,
        e->message);
    g_error_free (e);
    return FALSE;
  }
  if (len > MAX_PARAM_FILE || memchr (l->text, '\0', len))
    return FAIL (SR_MODEL_ERROR_FORMAT, "%s: not an ncnn .param file (%s)",
        l->path, len > MAX_PARAM_FILE ? "larger than 64 MiB" : "a NUL byte");
  GPtrArray *tok = g_ptr_array_new ();
  int line = 0, state = 0, n_layers = 0, n_blobs = 0;
  gboolean ok = TRUE;
  char *p = l->text;
  while (ok && p) {
    char *nl = strchr (p, '\n');
    if (nl)
      *nl = '\0';
    line++;
    if (!tokenize (p, tok)) {
      ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s:%d: a token longer than %d "
          "characters", l->path, line, MAX_TOKEN);
    } else if (tok->len == 0) {
      /* blank lines are harmless */
    } else if (state == 0) {
      if (tok->len != 1 || strcmp (g_ptr_array_index (tok, 0), NCNN_MAGIC))
        ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s:%d: not an ncnn .param file (it "
            "must start with the magic number " NCNN_MAGIC ")", l->path, line);
      state = 1;
    } else if (state == 1) {
      if (tok->len != 2 || !parse_int (g_ptr_array_index (tok, 0), &n_layers)
          || !parse_int (g_ptr_array_index (tok, 1), &n_blobs)
          || !in_range (n_layers, 1, MAX_LAYERS)
          || !in_range (n_blobs, 1, MAX_BLOBS))
        ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s:%d: not a layer count (1..%d) "
            "and a blob count (1..%d)", l->path, line, MAX_LAYERS, MAX_BLOBS);
      state = 2;
    } else if ((int) l->layers->len >= n_layers) {
      ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s:%d: more layer lines than the %d "
          "the header announces", l->path, line, n_layers);
    } else {
      ok = parse_layer (l, tok, line, error);
    }
    p = nl ? nl + 1 : NULL;
  }
  g_ptr_array_free (tok, TRUE);
  if (ok && state < 2)
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: not an ncnn .param file (no magic "
        "number and counts)", l->path);
  if (ok && (int) l->layers->len != n_layers)
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: the header announces %d layers, "
        "the file has %u", l->path, n_layers, l->layers->len);
  if (ok && (int) l->blobs->len != n_blobs)
    ok = FAIL (SR_MODEL_ERROR_FORMAT, "%s: the header announces %d blobs, "
        "the layers make %u", l->path, n_blobs, l->blobs->len);
  return ok;
}

/* ---- the .bin --------------------------------------------------------------------- */

typedef struct {
  const guint8 *data;
  gsize len, pos;
} Reader;

static guint32
le32 (const guint8 *p)
{
  return (guint32) p[0] | (guint32) p[1] << 8 | (guint32) p[2] << 16
      | (guint32) p[3] << 24;
}

static float
bits_float (guint32 u)
{
  float f;
  memcpy (&f, &u, sizeof f);
  return f;
}

/* IEEE binary16 -> float (exact: every half is a float). */
static float
half_float (guint16 h)
{
  const int sign = h >> 15, exp = (h >> 10) & 31, mant = h & 1023;
  float v;
  if (exp == 0)
    v = ldexpf ((float) mant, -24);
  else if (exp == 31)
    v = mant ? NAN : INFINITY;
  else
    v = ldexpf ((float) (mant | 1024), exp - 25);
  return sign ? -v : v;
}

static gboolean
bin_fail (Loader *l, const Layer *ly, SrModelError code, GError **error,
    const char *what, gsize need, const Reader *r)
{
  g_set_error (error, SR_MODEL_ERROR, code, "%s: %s '%s' (%s line %d): %s "
      "needs bytes %" G_GSIZE_FORMAT "..%" G_GSIZE_FORMAT ", but the file "
      "has %" G_GSIZE_FORMAT, l->bin_path, ly->type, ly->name, l->path,
      ly->line, what, r->pos, r->pos + need, r->len);
  return FALSE;
}

static gboolean
check_finite (Loader *l, const Layer *ly, const float *v, int n,
    const char *what, GError **error)
{
  for (int i = 0; i < n; i++)
    if (!isfinite (v[i]))
      return FAIL (SR_MODEL_ERROR_WEIGHTS, "%s: %s '%s' (%s line %d): %s "
          "value %d is not finite", l->bin_path, ly->type, ly->name, l->path,
          ly->line, what, i);
  return TRUE;
}

/* n raw little-endian float32 (type 1 reads: biases, slopes). */
static float *
read_raw (Loader *l, const Layer *ly, Reader *r, int n, const char *what,
    GError **error)
{
  const gsize bytes = (gsize) n * 4;
  if (bytes > r->len - r->pos) {
    bin_fail (l, ly, SR_MODEL_ERROR_WEIGHTS, error, what, bytes, r);
    return NULL;
  }
  float *out = g_new (float, n);
  for (int i = 0; i < n; i++)
    out[i] = bits_float (le32 (r->data + r->pos + (gsize) i * 4));
  r->pos += bytes;
  if (!check_finite (l, ly, out, n, what, error))
    g_clear_pointer (&out, g_free);
  return out;
}

/* n values of a tagged (type 0) blob: a 4-byte tag, then fp16 (padded to 4
 * bytes) or float32. */
static float *
read_tagged (Loader *l, const Layer *ly, Reader *r, int n, const char *what,
    GError **error)
{
  if (r->len - r->pos < 4) {
    bin_fail (l, ly, SR_MODEL_ERROR_WEIGHTS, error, what, 4, r);
    return NULL;
  }
  const guint32 tag = le32 (r->data + r->pos);
  if (tag == 0 || tag == TAG_FP32_SCALED) {
    r->pos += 4;
    return read_raw (l, ly, r, n, what, error);
  }
  if (tag != TAG_FP16) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED, "%s: %s "
        "'%s' (%s line %d): %s at byte %" G_GSIZE_FORMAT " has tag 0x%08x: %s",
        l->bin_path, ly->type, ly->name, l->path, ly->line, what, r->pos, tag,
        tag == TAG_INT8 ? "int8 weights are not supported"
        : "not fp16 (0x01306b47) or float32 (0); quantized lookup-table "
        "weights are not supported");
    return NULL;
  }
  r->pos += 4;
  const gsize bytes = ((gsize) n * 2 + 3) / 4 * 4;
  if (bytes > r->len - r->pos) {
    r->pos -= 4;
    bin_fail (l, ly, SR_MODEL_ERROR_WEIGHTS, error, what, bytes + 4, r);
    return NULL;
  }
  float *out = g_new (float, n);
  const guint8 *src = r->data + r->pos;
  for (int i = 0; i < n; i++)
    out[i] = half_float ((guint16) (src[2 * i] | src[2 * i + 1] << 8));
  r->pos += bytes;
  if (!check_finite (l, ly, out, n, what, error))
    g_clear_pointer (&out, g_free);
  return out;
}

gchar *
sr_ncnn_bin_path (const char *param_path)
{
  const gsize n = strlen (param_path);
  if (g_str_has_suffix (param_path, ".param"))
    return g_strdup_printf ("%.*s.bin", (int) (n - strlen (".param")), param_path);
  return g_strconcat (param_path, ".bin", NULL);
}

static gboolean
read_weights (Loader *l, GError **error)
{
  GError *e = NULL;
  GMappedFile *file = g_mapped_file_new (l->bin_path, FALSE, &e);
  if (!file) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_IO, "%s: cannot read "
        "the weights of %s: %s", l->bin_path, l->path, e->message);
    g_error_free (e);
    return FALSE;
  }
  Reader r = { (const guint8 *) g_mapped_file_get_contents (file),
    g_mapped_file_get_length (file), 0 };
  gboolean ok = TRUE;
  for (guint i = 0; i < l->layers->len && ok; i++) {
    Layer *ly = layer_at (l, i);
    if (ly->kind == L_CONV) {
      ok = (ly->weight = read_tagged (l, ly, &r, ly->weight_size, "the weight",
              error)) != NULL;
      if (ok && ly->bias_term)
        ok = (ly->bias = read_raw (l, ly, &r, ly->conv.cout, "the bias",
                error)) != NULL;
    } else if (ly->kind == L_PRELU) {
      ok = (ly->slopes = read_raw (l, ly, &r, ly->num_slope, "the slopes",
              error)) != NULL;
    }
  }
  if (ok && r.pos != r.len)
    ok = FAIL (SR_MODEL_ERROR_WEIGHTS, "%s: the layers of %s use %"
        G_GSIZE_FORMAT " bytes, but the file has %" G_GSIZE_FORMAT " (%"
        G_GSIZE_FORMAT " left over)", l->bin_path, l->path, r.pos, r.len,
        r.len - r.pos);
  g_mapped_file_unref (file);
  return ok;
}

/* ---- the graph ------------------------------------------------------------------- */

static int
value_of (Loader *l, int blob)
{
  return blob_at (l, blob)->value;
}

/* PReLU after a convolution that nothing else reads: the convolution's
 * epilogue applies it. Otherwise a 1x1 identity convolution carries it
 * (the graph has PReLU only as a convolution epilogue). */
static int
add_prelu (Loader *l, const Layer *ly, GError **error)
{
  const int in = value_of (l, ly->bottoms[0]);
  const int c = sr_graph_value (l->g, in)->channels;
  if (ly->num_slope != 1 && ly->num_slope != c) {
    layer_fail (l, ly, SR_MODEL_ERROR_WEIGHTS, error, "%d slopes for %d "
        "channels", ly->num_slope, c);
    return -1;
  }
  float *slopes = g_new (float, c);
  for (int k = 0; k < c; k++)
    slopes[k] = ly->slopes[ly->num_slope == 1 ? 0 : k];
  const Blob *root = blob_at (l, blob_at (l, ly->bottoms[0])->root);
  const int producer = sr_graph_value (l->g, in)->producer;
  SrNode *conv = producer >= 0 ? sr_graph_node (l->g, producer) : NULL;
  if (root->root_readers == 1 && conv && conv->kind == SR_NODE_CONV2D
      && conv->output == in && conv->conv.act.kind == SR_ACT_NONE) {
    conv->conv.act.kind = SR_ACT_PRELU;
    conv->prelu = slopes;
    return in;
  }
  SrNnConv2dParams p = { 0 };
  p.cin = p.cout = c;
  p.kh = p.kw = p.stride_h = p.stride_w = 1;
  p.act.kind = SR_ACT_PRELU;
  p.res_scale = p.skip_scale = 1;
  float *eye = g_new0 (float, (gsize) c * c);
  for (int k = 0; k < c; k++)
    eye[(gsize) k * c + k] = 1;
  const int v = sr_graph_add_conv2d (l->g, ly->name, in, &p, eye, NULL, slopes,
      error);
  g_free (eye);
  g_free (slopes);
  return v;
}

static int
add_layer (Loader *l, const Layer *ly, GError **error)
{
  int in[SR_GRAPH_MAX_INPUTS];
  for (int k = 0; k < ly->n_bottoms && k < SR_GRAPH_MAX_INPUTS; k++)
    in[k] = value_of (l, ly->bottoms[k]);
  switch (ly->kind) {
    case L_INPUT:
      return l->g->input;
    case L_SPLIT:
      return in[0];             /* every top is the same tensor */
    case L_CONV:{
      const int cin = sr_graph_value (l->g, in[0])->channels;
      if (cin != ly->conv.cin) {
        layer_fail (l, ly, SR_MODEL_ERROR_WEIGHTS, error, "weight_data_size "
            "%d is num_output %d x %d input channels x %dx%d, but its input "
            "has %d channels", ly->weight_size, ly->conv.cout, ly->conv.cin,
            ly->conv.kh, ly->conv.kw, cin);
        return -1;
      }
      return sr_graph_add_conv2d (l->g, ly->name, in[0], &ly->conv,
          ly->weight, ly->bias, NULL, error);
    }
    case L_PRELU:
      return add_prelu (l, ly, error);
    case L_CONCAT:
      return ly->n_bottoms == 1 ? in[0]
          : sr_graph_add_concat (l->g, ly->name, ly->n_bottoms, in, error);
    case L_ELTWISE:
      return sr_graph_add_add (l->g, ly->name, ly->n_bottoms, in, ly->coef,
          error);
    case L_BINARY:
      if (ly->affine && ly->act.kind == SR_ACT_NONE) {
        const int c = sr_graph_value (l->g, in[0])->channels;
        float *scale = g_new (float, c), *shift = g_new (float, c);
        for (int k = 0; k < c; k++) {
          scale[k] = ly->scale;
          shift[k] = ly->shift;
        }
        const int v = sr_graph_add_affine (l->g, ly->name, in[0], scale, shift,
            ly->act, error);
        g_free (scale);
        g_free (shift);
        return v;
      }
      if (ly->affine)
        return sr_graph_add_act (l->g, ly->name, in[0], ly->act, error);
      return sr_graph_add_add (l->g, ly->name, 2, in, ly->coef, error);
    case L_INTERP:
      return ly->factor == 1 ? in[0] : sr_graph_add_upsample (l->g, ly->name,
          in[0], ly->factor, ly->upsample, error);
    case L_SHUFFLE:
      return ly->factor == 1 ? in[0] : sr_graph_add_pixel_shuffle (l->g,
          ly->name, in[0], ly->factor, ly->order, error);
    case L_RELU:
    case L_CLIP:
      return sr_graph_add_act (l->g, ly->name, in[0], ly->act, error);
  }
  return -1;
}

/* The output: the one blob no layer reads (besides Split outputs), or the
 * one of those named "output" (realesrgan-ncnn-vulkan's name). */
static int
find_output (Loader *l, GError **error)
{
  int found = -1, named = -1, n = 0;
  GString *names = g_string_new (NULL);
  for (guint b = 0; b < l->blobs->len; b++) {
    const Blob *blob = blob_at (l, b);
    const Layer *ly = layer_at (l, blob->producer);
    if (blob->readers || ly->kind == L_SPLIT || ly->kind == L_INPUT)
      continue;
    found = b;
    if (!strcmp (blob->name, "output"))
      named = b;
    if (n++ < 8)
      g_string_append_printf (names, "%s'%s'", n > 1 ? ", " : "", blob->name);
  }
  if (n > 1 && named >= 0) {
    found = named;
  } else if (n != 1) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_GRAPH, "%s: %s %s (the "
        "output must be the one blob no layer reads, or the one of those "
        "named 'output')", l->path, n ? "no layer reads" : "every blob is read "
        "by a layer", names->str);
    found = -1;
  }
  g_string_free (names, TRUE);
  return found;
}

static gboolean
build_graph (Loader *l, GError **error)
{
  l->g = sr_graph_new (l->path, 3);
  gboolean have_input = FALSE;
  for (guint i = 0; i < l->layers->len; i++) {
    Layer *ly = layer_at (l, i);
    if (ly->kind == L_INPUT) {
      if (have_input)
        return layer_fail (l, ly, SR_MODEL_ERROR_UNSUPPORTED, error,
            "a second Input (one input is supported)");
      have_input = TRUE;
    }
    const int v = add_layer (l, ly, error);
    if (v < 0) {
      if (error && *error && !strstr ((*error)->message, l->path))
        g_prefix_error (error, "%s:%d: ", l->path, ly->line);
      return FALSE;
    }
    for (int k = 0; k < ly->n_tops; k++)
      blob_at (l, ly->tops[k])->value = v;
    /* The weights now live in the graph. */
    g_clear_pointer (&ly->weight, g_free);
    g_clear_pointer (&ly->bias, g_free);
    g_clear_pointer (&ly->slopes, g_free);
  }
  if (!have_input)
    return FAIL (SR_MODEL_ERROR_GRAPH, "%s: no Input layer", l->path);
  const int out_blob = find_output (l, error);
  if (out_blob < 0)
    return FALSE;
  int out = value_of (l, out_blob);
  if (out == l->g->input)
    return FAIL (SR_MODEL_ERROR_GRAPH, "%s: the output blob '%s' is the input",
        l->path, blob_at (l, out_blob)->name);
  if (sr_graph_value (l->g, out)->channels != 3)
    return FAIL (SR_MODEL_ERROR_UNSUPPORTED, "%s: the output '%s' has %d "
        "channels, not 3", l->path, blob_at (l, out_blob)->name,
        sr_graph_value (l->g, out)->channels);
  /* Frames leave in [0,1]. Nothing else reads the output, so an add or
   * affine making it can clamp in its own pass; a convolution takes the
   * clamp node into its epilogue when the graph is finished. */
  const SrAct clamp = { SR_ACT_CLAMP, 0, 0, 1 };
  SrNode *last = sr_graph_node (l->g, sr_graph_value (l->g, out)->producer);
  const Blob *root = blob_at (l, blob_at (l, out_blob)->root);
  if (root->root_readers == 0 && (last->kind == SR_NODE_ADD || last->kind == SR_NODE_AFFINE)
      && last->act.kind == SR_ACT_NONE)
    last->act = clamp;
  else if ((out = sr_graph_add_act (l->g, "output-clamp", out, clamp, error)) < 0)
    return FALSE;
  return sr_graph_finish (l->g, out, error);
}

/* ---- the whole model ------------------------------------------------------------ */

SrGraph *
sr_ncnn_load (const char *param_path, GError **error)
{
  Loader l = { param_path, NULL, NULL, NULL, NULL, NULL, NULL };
  l.bin_path = sr_ncnn_bin_path (param_path);
  l.layers = g_array_new (FALSE, TRUE, sizeof (Layer));
  l.blobs = g_array_new (FALSE, TRUE, sizeof (Blob));
  l.blob_index = g_hash_table_new (g_str_hash, g_str_equal);
  gboolean ok = parse_param_file (&l, error) && read_weights (&l, error)
      && build_graph (&l, error);
  for (guint i = 0; i < l.layers->len; i++) {
    Layer *ly = layer_at (&l, i);
    g_free (ly->bottoms);
    g_free (ly->tops);
    g_free (ly->weight);
    g_free (ly->bias);
    g_free (ly->slopes);
  }
  g_array_free (l.layers, TRUE);
  g_array_free (l.blobs, TRUE);
  g_hash_table_unref (l.blob_index);
  g_free (l.text);
  g_free ((gchar *) l.bin_path);
  if (!ok) {
    sr_graph_error_in_file (error, param_path);
    sr_graph_free (l.g);
    return NULL;
  }
  return l.g;
}
