/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The TF.js loader on small model files written here: a valid one loads
 * (with the activation fused into its convolution), and every kind of
 * damage is refused with the error code and a message naming the file and
 * the layer or weight. Then 2,000 randomly damaged copies must each load or
 * fail cleanly (no crash, no out-of-bounds read under ASan). */
#include "sr_tfjs.h"
#include "sr_test_data.h"

#include <string.h>

/* Input -> c1 (3->4, 3x3 same, relu) -> c2 (4->3, 1x1 valid). Weights in
 * manifest order (sorted by name, as the TF.js converter writes them). */
#define LAYERS \
  "[{\"class_name\":\"InputLayer\",\"name\":\"in\",\"inbound_nodes\":[]," \
  "\"config\":{\"batch_input_shape\":[null,null,null,3],\"dtype\":\"float32\"}}," \
  "{\"class_name\":\"%s\",\"name\":\"c1\",\"inbound_nodes\":[[[\"in\",0,0,{}]]]," \
  "\"config\":{\"filters\":4,\"kernel_size\":[3,3],\"strides\":[%d,%d]," \
  "\"padding\":\"same\",\"activation\":\"relu\",\"use_bias\":true}}," \
  "{\"class_name\":\"Conv2D\",\"name\":\"c2\",\"inbound_nodes\":[[[\"%s\",0,0,{}]]]," \
  "\"config\":{\"filters\":3,\"kernel_size\":[1,1],\"strides\":[1,1]," \
  "\"padding\":\"valid\",\"activation\":\"linear\",\"use_bias\":true}}]"

typedef struct {
  const char *cls;              /* c1's class */
  int stride;
  const char *c2_reads;
  const char *format;
  const char *shard_name;
  const char *extra_weight;     /* appended to the manifest, or "" */
  const char *c2_kernel_shape;
  gboolean drop_c2_bias;
  const char *c1_quantization;  /* "" or ",\"quantization\":{...}" */
  gssize shard_delta;           /* bytes added to (or cut from) the shard */
  gboolean write_shard;
} Spec;

static const Spec valid = { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
  "[1,1,4,3]", FALSE, "", 0, TRUE };

static gchar *dir;

/* Writes model.json (+ shard) for spec; returns model.json's path. */
static gchar *
write_model (const Spec *s)
{
  gchar *layers = g_strdup_printf (LAYERS, s->cls, s->stride, s->stride,
      s->c2_reads);
  gchar *json = g_strdup_printf ("{\"format\":\"%s\",\"modelTopology\":"
      "{\"model_config\":{\"class_name\":\"Functional\",\"config\":{"
      "\"layers\":%s,\"input_layers\":[[\"in\",0,0]],"
      "\"output_layers\":[[\"c2\",0,0]]}}},\"weightsManifest\":[{\"paths\":"
      "[\"%s\"],\"weights\":[{\"name\":\"c1/bias\",\"shape\":[4],"
      "\"dtype\":\"float32\"},{\"name\":\"c1/kernel\",\"shape\":[3,3,3,4],"
      "\"dtype\":\"float32\"%s},%s{\"name\":\"c2/kernel\",\"shape\":%s,"
      "\"dtype\":\"float32\"}%s]}]}", s->format, layers, s->shard_name,
      s->c1_quantization, s->drop_c2_bias ? ""
      : "{\"name\":\"c2/bias\",\"shape\":[3],\"dtype\":\"float32\"},",
      s->c2_kernel_shape, s->extra_weight);
  gchar *path = g_build_filename (dir, "model.json", NULL);
  g_assert_true (g_file_set_contents (path, json, -1, NULL));
  gchar *shard = g_build_filename (dir, "w.bin", NULL);
  g_unlink (shard);
  if (s->write_shard) {
    const gsize n = (4 + 108 + 3 + 12) * sizeof (float) + s->shard_delta;
    float *w = g_malloc0 (n + sizeof (float));
    for (gsize i = 0; i < n / sizeof (float); i++)
      w[i] = (float) ((i * 7919) % 13) / 13.0f - 0.5f;
    g_assert_true (g_file_set_contents (shard, (const char *) w, n, NULL));
    g_free (w);
  }
  g_free (shard);
  g_free (layers);
  g_free (json);
  return path;
}

static void
test_valid (void)
{
  gchar *path = write_model (&valid);
  GError *error = NULL;
  SrGraph *g = sr_tfjs_load (path, 255, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 1);
  /* input-range, c1 (+ relu fused), c2, output-range */
  int live = 0, convs_with_relu = 0;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *n = sr_graph_node (g, i);
    live += !n->dead;
    convs_with_relu += !n->dead && n->kind == SR_NODE_CONV2D
        && n->conv.act.kind == SR_ACT_RELU;
  }
  g_assert_cmpint (live, ==, 4);
  g_assert_cmpint (convs_with_relu, ==, 1);
  /* 3x3 conv then 1x1: one pixel of reach; 3*4*9 + 4*3 MACs per pixel. */
  g_assert_cmpint (sr_graph_receptive_radius (g), ==, 1);
  g_assert_cmpfloat (sr_graph_macs_per_input_pixel (g), ==, 3 * 4 * 9 + 4 * 3);
  sr_graph_free (g);
  g_free (path);
}

typedef struct {
  const char *what;
  Spec spec;
  SrModelError code;
  const char *says;             /* a part of the message */
} Bad;

static void
test_refusals (void)
{
  const Bad bad[] = {
    { "truncated shard", { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
          "[1,1,4,3]", FALSE, "", -1, TRUE }, SR_MODEL_ERROR_WEIGHTS, "fewer than" },
    { "empty shard", { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
          "[1,1,4,3]", FALSE, "", -508, TRUE }, SR_MODEL_ERROR_WEIGHTS, "fewer than" },
    { "oversized shard", { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
          "[1,1,4,3]", FALSE, "", 4, TRUE }, SR_MODEL_ERROR_WEIGHTS, "describes" },
    { "wrong shape", { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
          "[1,1,3,4]", FALSE, "", 0, TRUE }, SR_MODEL_ERROR_WEIGHTS,
      "'c2/kernel' has another shape" },
    { "missing bias", { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
          "[1,1,4,3]", TRUE, "", -12, TRUE }, SR_MODEL_ERROR_WEIGHTS,
      "'c2/bias' is missing" },
    { "extra weight", { "Conv2D", 1, "c1", "layers-model", "w.bin",
          ",{\"name\":\"zz/kernel\",\"shape\":[2],\"dtype\":\"float32\"}",
          "[1,1,4,3]", FALSE, "", 8, TRUE }, SR_MODEL_ERROR_WEIGHTS,
      "'zz/kernel' belongs to no layer" },
    { "graph model", { "Conv2D", 1, "c1", "graph-model", "w.bin", "",
          "[1,1,4,3]", FALSE, "", 0, TRUE }, SR_MODEL_ERROR_FORMAT, "layers-model" },
    { "unknown layer", { "Dense", 1, "c1", "layers-model", "w.bin", "",
          "[1,1,4,3]", FALSE, "", 0, TRUE }, SR_MODEL_ERROR_UNSUPPORTED,
      "layer 'c1' is a Dense" },
    { "stride 2", { "Conv2D", 2, "c1", "layers-model", "w.bin", "",
          "[1,1,4,3]", FALSE, "", 0, TRUE }, SR_MODEL_ERROR_UNSUPPORTED,
      "Conv2D 'c1'" },
    { "quantized", { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
          "[1,1,4,3]", FALSE, ",\"quantization\":{\"dtype\":\"uint8\"}", 0, TRUE },
      SR_MODEL_ERROR_UNSUPPORTED, "'c1/kernel' is float32 (quantized)" },
    { "shard outside the folder", { "Conv2D", 1, "c1", "layers-model",
          "../w.bin", "", "[1,1,4,3]", FALSE, "", 0, TRUE },
      SR_MODEL_ERROR_FORMAT, "not a file name beside model.json" },
    { "missing shard", { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
          "[1,1,4,3]", FALSE, "", 0, FALSE }, SR_MODEL_ERROR_IO, "w.bin" },
    { "dangling input", { "Conv2D", 1, "nowhere", "layers-model", "w.bin", "",
          "[1,1,4,3]", FALSE, "", 0, TRUE }, SR_MODEL_ERROR_GRAPH,
      "do not exist" },
    { "graph check", { "PixelShuffle3x", 1, "c1", "layers-model", "w.bin",
          "", "[1,1,4,3]", FALSE, "", 0, TRUE }, SR_MODEL_ERROR_GRAPH,
      "pixel shuffle 'c1': 3 channels are not a multiple of 9" },
    { "absurd shape", { "Conv2D", 1, "c1", "layers-model", "w.bin", "",
          "[100000,100000,4,3]", FALSE, "", 0, TRUE }, SR_MODEL_ERROR_FORMAT,
      "impossible shape" },
  };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++) {
    gchar *path = write_model (&bad[i].spec);
    GError *error = NULL;
    SrGraph *g = sr_tfjs_load (path, 0, &error);
    g_test_message ("%s: %s", bad[i].what, error ? error->message : "(loaded)");
    g_assert_null (g);
    g_assert_error (error, SR_MODEL_ERROR, (int) bad[i].code);
    g_assert_nonnull (strstr (error->message, "model.json"));
    g_assert_nonnull (strstr (error->message, bad[i].says));
    g_error_free (error);
    g_free (path);
  }
  /* Not JSON at all. */
  gchar *path = g_build_filename (dir, "model.json", NULL);
  g_assert_true (g_file_set_contents (path, "{\"format\": ", -1, NULL));
  GError *error = NULL;
  g_assert_null (sr_tfjs_load (path, 0, &error));
  g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_FORMAT);
  g_error_free (error);
  g_free (path);
}

/* Random damage to model.json: one to eight bytes replaced, or the file cut
 * short. Every copy must load or fail with an error; never crash. */
static void
test_damaged_copies (void)
{
  gchar *path = write_model (&valid);
  gchar *text;
  gsize len;
  g_assert_true (g_file_get_contents (path, &text, &len, NULL));
  static const char damage[] = "{}[]\":,0-9ex \x01\xff";
  GRand *rand = g_rand_new_with_seed (11);
  int loaded = 0, refused = 0;
  for (int i = 0; i < 2000; i++) {
    gchar *copy = g_memdup2 (text, len);
    gsize n = len;
    if (i % 10 == 0) {
      n = g_rand_int_range (rand, 0, len);
    } else {
      const int k = g_rand_int_range (rand, 1, 9);
      for (int j = 0; j < k; j++)
        copy[g_rand_int_range (rand, 0, len)] = damage[
            g_rand_int_range (rand, 0, sizeof damage - 1)];
    }
    g_assert_true (g_file_set_contents (path, copy, n, NULL));
    GError *error = NULL;
    SrGraph *g = sr_tfjs_load (path, 0, &error);
    if (g) {
      loaded++;
      sr_graph_free (g);
    } else {
      refused++;
      g_assert_nonnull (error);
      g_assert_true (error->domain == SR_MODEL_ERROR);
      g_error_free (error);
    }
    g_free (copy);
  }
  g_test_message ("damaged copies: %d loaded, %d refused", loaded, refused);
  g_assert_cmpint (refused, >, 1000);
  g_rand_free (rand);
  g_free (text);
  g_free (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = sr_test_tmpdir ("sr-tfjs");
  g_test_add_func ("/tfjs/valid", test_valid);
  g_test_add_func ("/tfjs/refusals", test_refusals);
  g_test_add_func ("/tfjs/damaged-copies", test_damaged_copies);
  const int ret = g_test_run ();
  sr_test_rmtree (dir);
  g_free (dir);
  return ret;
}
