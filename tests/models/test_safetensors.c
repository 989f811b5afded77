/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The safetensors reader and the Real-ESRGAN builders on small files written
 * here: valid SRVGGNetCompact and RRDBNet files load (with their epilogues
 * fused), F16 is widened exactly, and every kind of damage is refused with
 * its error code and a message naming the file and the problem. Then 2,000
 * randomly damaged copies must each load or fail cleanly (no crash, no
 * out-of-bounds read under ASan). No OpenCL: only the graph is built. */
#include "sr_arch_realesrgan.h"
#include "sr_safetensors.h"
#include "sr_test_data.h"

#include <math.h>
#include <string.h>

typedef struct {
  const char *name;
  const char *dtype;            /* NULL: F32 */
  int rank;
  int shape[4];
  gint64 begin, end;            /* data_offsets; end 0: the natural ones */
} Tensor;

/* SRVGGNetCompact, 4 features, 1 conv, x2 (body.4: 3 * 2 * 2 outputs). */
static const Tensor srvgg[] = {
  { "body.0.weight", NULL, 4, { 4, 3, 3, 3 }, 0, 0 },
  { "body.0.bias", NULL, 1, { 4 }, 0, 0 },
  { "body.1.weight", NULL, 1, { 4 }, 0, 0 },
  { "body.2.weight", NULL, 4, { 4, 4, 3, 3 }, 0, 0 },
  { "body.2.bias", NULL, 1, { 4 }, 0, 0 },
  { "body.3.weight", NULL, 1, { 4 }, 0, 0 },
  { "body.4.weight", NULL, 4, { 12, 4, 3, 3 }, 0, 0 },
  { "body.4.bias", NULL, 1, { 12 }, 0, 0 },
};

static gchar *dir;
static const char *metadata = "{\"format\":\"pt\"}";

static gsize
elem_size (const char *dtype)
{
  return dtype && (!strcmp (dtype, "F16") || !strcmp (dtype, "BF16")) ? 2 : 4;
}

static gsize
n_bytes (const Tensor *t)
{
  gsize n = elem_size (t->dtype);
  for (int d = 0; d < t->rank; d++)
    n *= t->shape[d];
  return n;
}

/* The file for n tensors (header, then data_delta more or fewer data bytes
 * than they need); header_extra is spliced into the header object. Returns
 * its path and, in bytes and len, its contents (may be NULL). */
static gchar *
write_file (const Tensor *ts, int n, const char *header_extra,
    gssize data_delta, const char *prefix, guint8 **bytes, gsize *len)
{
  GString *h = g_string_new (NULL);
  g_string_printf (h, "{\"__metadata__\":%s", metadata);
  gsize at = 0;
  for (int i = 0; i < n; i++) {
    const Tensor *t = &ts[i];
    g_string_append_printf (h, ",\"%s%s\":{\"dtype\":\"%s\",\"shape\":[",
        prefix ? prefix : "", t->name, t->dtype ? t->dtype : "F32");
    for (int d = 0; d < t->rank; d++)
      g_string_append_printf (h, "%s%d", d ? "," : "", t->shape[d]);
    const gsize nb = n_bytes (t);
    g_string_append_printf (h, "],\"data_offsets\":[%" G_GINT64_FORMAT ",%"
        G_GINT64_FORMAT "]}", t->end ? t->begin : (gint64) at,
        t->end ? t->end : (gint64) (at + nb));
    at += nb;
  }
  g_string_append_printf (h, "%s}", header_extra ? header_extra : "");
  while (h->len % 8)
    g_string_append_c (h, ' ');
  const gsize data_len = (gssize) at + data_delta;
  const gsize total = 8 + h->len + data_len;
  guint8 *b = g_malloc0 (total);
  for (int i = 0; i < 8; i++)
    b[i] = (guint8) ((guint64) h->len >> (8 * i));
  memcpy (b + 8, h->str, h->len);
  /* Small values with a pattern; F16 0x3c00 = 1.0 pairs. */
  for (gsize i = 0; i + 4 <= data_len; i += 4) {
    const float v = (float) ((i * 7919) % 13) / 130.0f - 0.05f;
    memcpy (b + 8 + h->len + i, &v, 4);
  }
  gchar *path = g_build_filename (dir, "net.safetensors", NULL);
  g_assert_true (g_file_set_contents (path, (const char *) b, total, NULL));
  if (bytes) {
    *bytes = b;
    *len = total;
  } else {
    g_free (b);
  }
  g_string_free (h, TRUE);
  return path;
}

static int
count_live (const SrGraph *g, SrNodeKind kind, int *with_skip)
{
  int n = 0;
  for (guint i = 0; i < g->nodes->len; i++) {
    const SrNode *node = sr_graph_node (g, i);
    if (!node->dead && node->kind == kind) {
      n++;
      if (with_skip && node->skip >= 0)
        (*with_skip)++;
    }
  }
  return n;
}

static void
test_srvgg (void)
{
  gchar *path = write_file (srvgg, G_N_ELEMENTS (srvgg), NULL, 0, NULL, NULL, NULL);
  GError *error = NULL;
  SrGraph *g = sr_realesrgan_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 2);
  /* 3 convs (PReLU in the first two), shuffle, nearest, clamped add. */
  g_assert_cmpint (count_live (g, SR_NODE_CONV2D, NULL), ==, 3);
  g_assert_cmpint (sr_graph_node (g, 0)->conv.act.kind, ==, SR_ACT_PRELU);
  g_assert_cmpint (count_live (g, SR_NODE_PIXEL_SHUFFLE, NULL), ==, 1);
  g_assert_cmpint (count_live (g, SR_NODE_UPSAMPLE, NULL), ==, 1);
  const SrNode *last = sr_graph_node (g, g->nodes->len - 1);
  g_assert_cmpint (last->kind, ==, SR_NODE_ADD);
  g_assert_cmpint (last->act.kind, ==, SR_ACT_CLAMP);
  g_assert_cmpint (sr_graph_receptive_radius (g), ==, 3);
  sr_graph_free (g);
  g_free (path);

  /* The same under Real-ESRGAN's params_ema prefix. */
  path = write_file (srvgg, G_N_ELEMENTS (srvgg), NULL, 0, "params_ema.", NULL, NULL);
  g = sr_realesrgan_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 2);
  sr_graph_free (g);
  g_free (path);
}

/* Without PReLU weights the activation comes from the metadata. */
static void
test_srvgg_act (void)
{
  const Tensor ts[6] = { srvgg[0], srvgg[1], srvgg[3], srvgg[4], srvgg[6], srvgg[7] };
  const char *metas[3] = { "{\"format\":\"pt\"}",
    "{\"gst-sr.config\":\"{\\\"act_type\\\":5}\"}",
    "{\"gst-sr.config\":\"{\\\"act_type\\\":\\\"leakyrelu\\\"}\"}" };
  for (int i = 0; i < 3; i++) {
    metadata = metas[i];
    gchar *path = write_file (ts, 6, NULL, 0, NULL, NULL, NULL);
    GError *error = NULL;
    SrGraph *g = sr_realesrgan_load (path, &error);
    if (i < 2) {
      g_test_message ("%s", error ? error->message : "(loaded)");
      g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS);
      g_assert_nonnull (strstr (error->message, "without PReLU weights"));
      g_clear_error (&error);
    } else {
      g_assert_no_error (error);
      const SrNode *first = sr_graph_node (g, 0);
      g_assert_cmpint (first->conv.act.kind, ==, SR_ACT_LEAKY_RELU);
      g_assert_cmpfloat (first->conv.act.alpha, ==, 0.1f);
    }
    sr_graph_free (g);
    g_free (path);
  }
  metadata = metas[0];
}

static void
test_rrdbnet (void)
{
  /* RRDBNet x4, 4 features, 2 growth channels, 1 block. */
  GArray *ts = g_array_new (FALSE, TRUE, sizeof (Tensor));
  GPtrArray *names = g_ptr_array_new_with_free_func (g_free);
  const char *stems[] = { "conv_first", "conv_body", "conv_up1", "conv_up2",
    "conv_hr", "conv_last" };
  for (int s = 0; s < 6; s++) {
    const int cin = s == 0 ? 3 : 4, cout = s == 5 ? 3 : 4;
    Tensor w = { NULL, NULL, 4, { cout, cin, 3, 3 }, 0, 0 };
    Tensor b = { NULL, NULL, 1, { cout }, 0, 0 };
    g_ptr_array_add (names, g_strdup_printf ("%s.weight", stems[s]));
    w.name = g_ptr_array_index (names, names->len - 1);
    g_ptr_array_add (names, g_strdup_printf ("%s.bias", stems[s]));
    b.name = g_ptr_array_index (names, names->len - 1);
    g_array_append_val (ts, w);
    g_array_append_val (ts, b);
  }
  for (int r = 1; r <= 3; r++)
    for (int c = 1; c <= 5; c++) {
      const int cout = c == 5 ? 4 : 2;
      Tensor w = { NULL, NULL, 4, { cout, 4 + 2 * (c - 1), 3, 3 }, 0, 0 };
      Tensor b = { NULL, NULL, 1, { cout }, 0, 0 };
      g_ptr_array_add (names, g_strdup_printf ("body.0.rdb%d.conv%d.weight", r, c));
      w.name = g_ptr_array_index (names, names->len - 1);
      g_ptr_array_add (names, g_strdup_printf ("body.0.rdb%d.conv%d.bias", r, c));
      b.name = g_ptr_array_index (names, names->len - 1);
      g_array_append_val (ts, w);
      g_array_append_val (ts, b);
    }
  gchar *path = write_file ((const Tensor *) ts->data, ts->len, NULL, 0,
      "params.", NULL, NULL);
  GError *error = NULL;
  SrGraph *g = sr_realesrgan_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g->scale, ==, 4);
  /* 15 RDB convs + 6; each conv5 and conv_body take their residual add. */
  int with_skip = 0;
  g_assert_cmpint (count_live (g, SR_NODE_CONV2D, &with_skip), ==, 21);
  g_assert_cmpint (with_skip, ==, 4);
  g_assert_cmpint (count_live (g, SR_NODE_ADD, NULL), ==, 1);     /* RRDB's */
  g_assert_cmpint (count_live (g, SR_NODE_CONCAT, NULL), ==, 12);
  sr_graph_free (g);
  g_free (path);

  /* Missing body conv of an RDB: named. */
  g_array_remove_index (ts, 12 + 2 * 7);        /* rdb2.conv3.weight */
  path = write_file ((const Tensor *) ts->data, ts->len, NULL, 0, NULL, NULL, NULL);
  g_assert_null (sr_realesrgan_load (path, &error));
  g_test_message ("%s", error->message);
  g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_WEIGHTS);
  g_assert_nonnull (strstr (error->message, "'body.0.rdb2.conv3.weight' is missing"));
  g_clear_error (&error);
  g_free (path);
  g_array_free (ts, TRUE);
  g_ptr_array_unref (names);
}

static void
test_f16 (void)
{
  /* F16 and BF16: 1, -2, the smallest subnormal, infinity. */
  const guint16 half[4] = { 0x3c00, 0xc000, 0x0001, 0x7c00 };
  const guint16 bf[4] = { 0x3f80, 0xc000, 0x0001, 0x7f80 };
  for (int k = 0; k < 2; k++) {
    Tensor t = { "x", k ? "BF16" : "F16", 1, { 4 }, 0, 0 };
    guint8 *b;
    gsize len;
    gchar *path = write_file (&t, 1, NULL, 0, NULL, &b, &len);
    memcpy (b + len - 8, k ? bf : half, 8);
    g_assert_true (g_file_set_contents (path, (const char *) b, len, NULL));
    GError *error = NULL;
    SrSafetensors *st = sr_safetensors_open (path, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (sr_safetensors_metadata (st, "format"), ==, "pt");
    const gint64 shape[1] = { 4 };
    float *f = sr_safetensors_read_float (st, "x", 1, shape, &error);
    g_assert_no_error (error);
    g_assert_cmpfloat (f[0], ==, 1.0f);
    g_assert_cmpfloat (f[1], ==, -2.0f);
    g_assert_cmpfloat (f[2], ==, k ? 9.18354961e-41f : 5.96046448e-08f);
    g_assert_true (isinf (f[3]) && f[3] > 0);
    g_free (f);
    sr_safetensors_close (st);
    g_free (b);
    g_free (path);
  }
}

typedef struct {
  const char *what;
  SrModelError code;
  const char *says;
} Expect;

static void
expect_refusal (const char *path, const Expect *e)
{
  GError *error = NULL;
  SrGraph *g = sr_realesrgan_load (path, &error);
  g_test_message ("%s: %s", e->what, error ? error->message : "(loaded)");
  g_assert_null (g);
  g_assert_error (error, SR_MODEL_ERROR, (int) e->code);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, e->says));
  g_error_free (error);
}

/* The valid file's tensors with tensor i changed by `edit`. */
static gchar *
write_edited (int i, const Tensor *edit, const char *extra, gssize delta)
{
  Tensor ts[G_N_ELEMENTS (srvgg)];
  memcpy (ts, srvgg, sizeof ts);
  if (edit)
    ts[i] = *edit;
  return write_file (ts, G_N_ELEMENTS (ts), extra, delta, NULL, NULL, NULL);
}

static void
write_raw (const char *path, const void *header8, const char *rest)
{
  GString *s = g_string_new_len (header8, 8);
  g_string_append (s, rest);
  g_assert_true (g_file_set_contents (path, s->str, s->len, NULL));
  g_string_free (s, TRUE);
}

static void
test_refusals (void)
{
  guint8 *b;
  gsize len;
  gchar *path = write_file (srvgg, G_N_ELEMENTS (srvgg), NULL, 0, NULL, &b, &len);
  guint64 hlen = 0;
  for (int i = 7; i >= 0; i--)
    hlen = hlen << 8 | b[i];

  /* Truncated: inside the length, inside the header, inside the data. */
  const gsize cuts[3] = { 5, 8 + hlen / 2, len - 3 };
  const Expect cut_expect[3] = {
    { "5 bytes", SR_MODEL_ERROR_FORMAT, "too short" },
    { "cut in the header", SR_MODEL_ERROR_FORMAT, "runs past the end" },
    { "cut in the data", SR_MODEL_ERROR_FORMAT, "lie outside the" },
  };
  for (int i = 0; i < 3; i++) {
    g_assert_true (g_file_set_contents (path, (const char *) b, cuts[i], NULL));
    expect_refusal (path, &cut_expect[i]);
  }
  /* Header length one beyond the file, and absurd. */
  guint8 *c = g_memdup2 (b, len);
  const guint64 lens[2] = { len - 7, G_GUINT64_CONSTANT (1) << 40 };
  const Expect len_expect[2] = {
    { "header length beyond the file", SR_MODEL_ERROR_FORMAT, "runs past the end" },
    { "absurd header length", SR_MODEL_ERROR_FORMAT, "beyond the 100000000-byte limit" },
  };
  for (int i = 0; i < 2; i++) {
    for (int k = 0; k < 8; k++)
      c[k] = (guint8) (lens[i] >> (8 * k));
    g_assert_true (g_file_set_contents (path, (const char *) c, len, NULL));
    expect_refusal (path, &len_expect[i]);
  }
  g_free (c);
  g_free (b);

  /* Headers that are not JSON, not an object, not UTF-8. */
  const char *texts[3] = { "{\"a\": ", "[1, 2]  ", "{\"\xff\xfe\":1}" };
  const Expect text_expect[3] = {
    { "not JSON", SR_MODEL_ERROR_FORMAT, "not JSON" },
    { "not an object", SR_MODEL_ERROR_FORMAT, "not a JSON object" },
    { "not UTF-8", SR_MODEL_ERROR_FORMAT, "not UTF-8" },
  };
  for (int i = 0; i < 3; i++) {
    guint8 n8[8] = { (guint8) strlen (texts[i]) };
    write_raw (path, n8, texts[i]);
    expect_refusal (path, &text_expect[i]);
  }
  g_free (path);

  /* Damaged entries. body.0.bias is 16 bytes at 432..448. */
  const struct {
    Expect e;
    int i;
    Tensor t;
    const char *extra;
    gssize delta;
  } bad[] = {
    { { "offsets outside the data", SR_MODEL_ERROR_FORMAT,
            "'body.4.bias': data_offsets [2848, 2896] lie outside" }, 7,
      { "body.4.bias", NULL, 1, { 12 }, 2848, 2896 }, NULL, 0 },
    { { "overlapping offsets", SR_MODEL_ERROR_FORMAT, "overlaps tensor" }, 1,
      { "body.0.bias", NULL, 1, { 4 }, 424, 440 }, NULL, 0 },
    { { "a gap", SR_MODEL_ERROR_FORMAT, "leaving a gap" }, 7,
      { "body.4.bias", NULL, 1, { 12 }, 2804, 2852 }, NULL, 4 },
    { { "trailing data", SR_MODEL_ERROR_FORMAT, "but its tensors end at" }, 0,
      { 0 }, NULL, 4 },
    { { "size and shape disagree", SR_MODEL_ERROR_FORMAT,
            "'body.0.bias' has 20 bytes, but its shape of F32 needs 16" }, 1,
      { "body.0.bias", NULL, 1, { 4 }, 432, 452 }, NULL, 0 },
    { { "unknown dtype", SR_MODEL_ERROR_FORMAT, "'body.0.bias' has unknown dtype 'F33'" },
      1, { "body.0.bias", "F33", 1, { 4 }, 0, 0 }, NULL, 0 },
    { { "dtype the builder cannot read", SR_MODEL_ERROR_UNSUPPORTED,
            "'body.0.bias' is I32" }, 1,
      { "body.0.bias", "I32", 1, { 4 }, 0, 0 }, NULL, 0 },
    { { "wrong shape for the builder", SR_MODEL_ERROR_WEIGHTS,
            "'body.2.weight' has shape [4, 3, 3, 3], expected [4, 4, 3, 3]" }, 3,
      { "body.2.weight", NULL, 4, { 4, 3, 3, 3 }, 0, 0 }, NULL, 0 },
    { { "missing key", SR_MODEL_ERROR_WEIGHTS, "'body.2.bias' is missing" }, 4,
      { "body.2.bias_", NULL, 1, { 4 }, 0, 0 }, NULL, 0 },
    { { "extra key", SR_MODEL_ERROR_WEIGHTS, "'body.9.weight' belongs to no layer" },
      0, { 0 }, ",\"body.9.weight\":{\"dtype\":\"F32\",\"shape\":[0],"
          "\"data_offsets\":[0,0]}", 0 },
    { { "duplicate name", SR_MODEL_ERROR_FORMAT, "names a tensor twice" }, 0, { 0 },
      ",\"body.0.bias\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}", 0 },
    { { "negative shape", SR_MODEL_ERROR_FORMAT, "shape entry 0 is not" }, 0,
      { 0 }, ",\"z\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}", 0 },
    { { "huge shape", SR_MODEL_ERROR_FORMAT, "more elements than" }, 0, { 0 },
      ",\"z\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],"
          "\"data_offsets\":[0,0]}", 0 },
  };
  for (guint k = 0; k < G_N_ELEMENTS (bad); k++) {
    gchar *p = write_edited (bad[k].i, bad[k].t.name ? &bad[k].t : NULL,
        bad[k].extra, bad[k].delta);
    expect_refusal (p, &bad[k].e);
    g_free (p);
  }

  /* Metadata that is not strings. */
  metadata = "{\"gst-sr.scale\":4}";
  path = write_file (srvgg, G_N_ELEMENTS (srvgg), NULL, 0, NULL, NULL, NULL);
  metadata = "{\"format\":\"pt\"}";
  const Expect meta = { "metadata not strings", SR_MODEL_ERROR_FORMAT,
    "__metadata__ entry 'gst-sr.scale' is not a string" };
  expect_refusal (path, &meta);
  g_free (path);

  /* Keys of no known network. */
  const Tensor other[1] = { { "encoder.conv.weight", NULL, 1, { 2 }, 0, 0 } };
  path = write_file (other, 1, NULL, 0, NULL, NULL, NULL);
  const Expect unknown = { "unknown key set", SR_MODEL_ERROR_WEIGHTS,
    "neither SRVGGNetCompact (body.0.weight" };
  expect_refusal (path, &unknown);
  g_free (path);

  /* No such file. */
  gchar *missing = g_build_filename (dir, "missing.safetensors", NULL);
  GError *error = NULL;
  g_assert_null (sr_realesrgan_load (missing, &error));
  g_assert_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_IO);
  g_assert_nonnull (strstr (error->message, missing));
  g_error_free (error);
  g_free (missing);
}

/* Random damage to the header (one to eight bytes replaced, or the length
 * bytes), or the file cut short. Every copy must load or fail with an error
 * naming the file; never crash. */
static void
test_damaged_copies (void)
{
  guint8 *b;
  gsize len;
  gchar *path = write_file (srvgg, G_N_ELEMENTS (srvgg), NULL, 0, NULL, &b, &len);
  const gsize hend = 8 + (b[0] | b[1] << 8);
  static const char damage[] = "{}[]\":,0-9eE. \x01\xff";
  GRand *rand = g_rand_new_with_seed (13);
  int loaded = 0, refused = 0;
  for (int i = 0; i < 2000; i++) {
    guint8 *copy = g_memdup2 (b, len);
    gsize n = len;
    if (i % 10 == 0) {
      n = g_rand_int_range (rand, 0, len);
    } else if (i % 10 == 1) {
      copy[g_rand_int_range (rand, 0, 8)] = g_rand_int_range (rand, 0, 256);
    } else {
      const int k = g_rand_int_range (rand, 1, 9);
      for (int j = 0; j < k; j++)
        copy[g_rand_int_range (rand, 8, hend)] = damage[
            g_rand_int_range (rand, 0, sizeof damage - 1)];
    }
    g_assert_true (g_file_set_contents (path, (const char *) copy, n, NULL));
    GError *error = NULL;
    SrGraph *g = sr_realesrgan_load (path, &error);
    if (g) {
      loaded++;
      sr_graph_free (g);
    } else {
      refused++;
      g_assert_nonnull (error);
      g_assert_true (error->domain == SR_MODEL_ERROR);
      g_assert_nonnull (strstr (error->message, path));
      g_error_free (error);
    }
    g_free (copy);
  }
  g_test_message ("damaged copies: %d loaded, %d refused", loaded, refused);
  g_assert_cmpint (refused, >, 1000);
  g_rand_free (rand);
  g_free (b);
  g_free (path);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  dir = sr_test_tmpdir ("sr-safetensors");
  g_test_add_func ("/safetensors/srvgg", test_srvgg);
  g_test_add_func ("/safetensors/srvgg-act", test_srvgg_act);
  g_test_add_func ("/safetensors/rrdbnet", test_rrdbnet);
  g_test_add_func ("/safetensors/f16", test_f16);
  g_test_add_func ("/safetensors/refusals", test_refusals);
  g_test_add_func ("/safetensors/damaged-copies", test_damaged_copies);
  const int ret = g_test_run ();
  sr_test_rmtree (dir);
  g_free (dir);
  return ret;
}
