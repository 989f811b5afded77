/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* preset=custom config files (models/sr_custom_config.c): keyfile and JSON
 * give the values written in them (exact: every value is a short decimal
 * parsed by strtod on both sides), and each kind of bad file fails with a
 * message naming the line and the key. */
#include "sr_custom_config.h"

#include <glib/gstdio.h>
#include <string.h>

static gchar *tmp_dir;

static gchar *
write_file (const char *name, const char *text)
{
  gchar *path = g_build_filename (tmp_dir, name, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return path;
}

/* Loads text (written to a file) on top of Real-ESRGAN x4plus; returns the
 * error message (NULL on success). */
static gchar *
load (const char *name, const char *text, SrTwoStageConfig *cfg)
{
  gchar *path = write_file (name, text);
  GError *error = NULL;
  sr_twostage_config_realesrgan (cfg);
  gchar *msg = NULL;
  if (!sr_custom_config_load_file (cfg, path, &error)) {
    msg = g_strdup (error->message);
    g_error_free (error);
  }
  g_test_message ("%s: %s", name, msg ? msg : "ok");
  g_unlink (path);
  g_free (path);
  return msg;
}

static void
assert_contains (const char *msg, const char *part)
{
  g_assert_nonnull (msg);
  if (!strstr (msg, part))
    g_error ("“%s” does not contain “%s”", msg, part);
}

/* Field by field: the struct's tail padding is not copied by assignment.
 * SrStageConfig is two ints then doubles, so it has no padding. */
static gboolean
same_config (const SrTwoStageConfig *a, const SrTwoStageConfig *b)
{
  return a->n_stages == b->n_stages && a->kernel_pad == b->kernel_pad
      && a->second_blur_prob == b->second_blur_prob
      && a->final_sinc_prob == b->final_sinc_prob
      && a->final_reuses_mode == b->final_reuses_mode
      && !memcmp (a->stage, b->stage, sizeof a->stage);
}

/* The values both valid files set; everything else stays x4plus. */
static void
check_expected (const SrTwoStageConfig *c)
{
  SrTwoStageConfig ref;
  sr_twostage_config_realesrgan (&ref);
  g_assert_cmpint (c->n_stages, ==, 2);
  g_assert_cmpint (c->kernel_pad, ==, 15);
  g_assert_cmpfloat (c->second_blur_prob, ==, 0.5);
  g_assert_cmpfloat (c->final_sinc_prob, ==, 0.25);
  g_assert_true (c->final_reuses_mode);
  const SrStageConfig *s1 = &c->stage[0], *s2 = &c->stage[1];
  g_assert_cmpfloat (s1->resize_prob[0], ==, 0.1);
  g_assert_cmpfloat (s1->resize_prob[1], ==, 0.8);
  g_assert_cmpfloat (s1->resize_prob[2], ==, 0.1);
  g_assert_cmpfloat (s1->resize_range[0], ==, 0.5);
  g_assert_cmpfloat (s1->resize_range[1], ==, 1.25);
  g_assert_cmpfloat (s1->noise_sigma[0], ==, 2);
  g_assert_cmpfloat (s1->noise_sigma[1], ==, 12.5);
  g_assert_cmpfloat (s1->gray_prob, ==, 1);
  g_assert_cmpfloat (s1->jpeg_range[0], ==, 60);
  g_assert_cmpfloat (s1->jpeg_range[1], ==, 90);
  const double kp[SR_N_MIXED_KERNELS] = { 0.5, 0.5, 0, 0, 0, 0 };
  for (int k = 0; k < SR_N_MIXED_KERNELS; k++)
    g_assert_cmpfloat (s1->kernel_prob[k], ==, kp[k]);
  g_assert_cmpint (s1->ksize_min, ==, 3);
  g_assert_cmpint (s1->ksize_max, ==, 13);
  g_assert_cmpfloat (s1->sinc_prob, ==, 0);
  g_assert_cmpfloat (s1->sigma[0], ==, 0.3);
  g_assert_cmpfloat (s1->sigma[1], ==, 2);
  g_assert_cmpfloat (s1->betag[0], ==, 0.75);
  g_assert_cmpfloat (s1->betap[1], ==, 1.5);
  g_assert_cmpfloat (s1->gaussian_prob, ==, 0.7);
  g_assert_cmpfloat (s1->poisson_scale[1], ==, 1);
  /* Keys not in the files keep x4plus. */
  g_assert_cmpfloat (s1->betag[1], ==, ref.stage[0].betag[1]);
  g_assert_cmpfloat (s1->poisson_scale[0], ==, ref.stage[0].poisson_scale[0]);
  g_assert_cmpfloat (s2->jpeg_range[0], ==, 70);
  g_assert_cmpfloat (s2->jpeg_range[1], ==, 80);
  g_assert_cmpint (s2->ksize_max, ==, 15);
  g_assert_true (memcmp (s2->resize_prob, ref.stage[1].resize_prob,
          sizeof s2->resize_prob) == 0);
  g_assert_cmpfloat (s2->noise_sigma[1], ==, ref.stage[1].noise_sigma[1]);
}

static const char valid_keyfile[] =
    "# a custom degradation\n"
    "[degradation]\n"
    "stages = 2\n"
    "kernel-pad = 15\n"
    "second-blur-prob = 0.5\n"
    "final-sinc-prob = 0.25\n"
    "final-reuses-mode = true\n"
    "\n"
    "[stage1]\n"
    "resize-prob = 0.1;0.8;0.1\n"
    "resize-range = 0.5;1.25\n"
    "noise-range=2;12.5;\n"
    "gray-noise-prob = 1\n"
    "jpeg-range = 60;90\n"
    "kernel-prob = 0.5;0.5;0;0;0;0\n"
    "kernel-sizes = 3;13\n"
    "sinc-prob = 0\n"
    "blur-sigma = 0.3;2\n"
    "betag-range = 0.75;4\n"
    "betap-range = 1;1.5\n"
    "gaussian-noise-prob = 0.7\n"
    "poisson-scale-range = 0.05;1\n"
    "[stage2]\n"
    "jpeg-range = 70;80\n"
    "kernel-sizes = 7;15\n";

static const char valid_json[] =
    "{\n"
    "  \"degradation\": {\"stages\": 2, \"kernel-pad\": 15,\n"
    "    \"second-blur-prob\": 0.5, \"final-sinc-prob\": 2.5e-1,\n"
    "    \"final-reuses-mode\": true},\n"
    "  \"stage1\": {\n"
    "    \"resize-prob\": [0.1, 0.8, 0.1], \"resize-range\": [0.5, 1.25],\n"
    "    \"noise-range\": [2, 12.5], \"gray-noise-prob\": 1,\n"
    "    \"jpeg-range\": [60, 90], \"kernel-prob\": [0.5, 0.5, 0, 0, 0, 0],\n"
    "    \"kernel-sizes\": [3, 13], \"sinc-prob\": 0, \"blur-sigma\": [0.3, 2],\n"
    "    \"betag-range\": [0.75, 4], \"betap-range\": [1, 1.5],\n"
    "    \"gaussian-noise-prob\": 0.7, \"poisson-scale-range\": [0.05, 1]\n"
    "  },\n"
    "  \"stage2\": {\"jpeg-range\": [70, 80], \"kernel-sizes\": [7, 15]}\n"
    "}\n";

static void
test_valid_keyfile (void)
{
  SrTwoStageConfig c;
  gchar *msg = load ("valid.conf", valid_keyfile, &c);
  g_assert_null (msg);
  check_expected (&c);
}

static void
test_valid_json (void)
{
  SrTwoStageConfig c;
  gchar *msg = load ("valid.json", valid_json, &c);
  g_assert_null (msg);
  check_expected (&c);
}

/* An empty file and an empty object change nothing. */
static void
test_empty_is_x4plus (void)
{
  SrTwoStageConfig ref, c;
  sr_twostage_config_realesrgan (&ref);
  g_assert_null (load ("empty.conf", "", &c));
  g_assert_true (same_config (&c, &ref));
  g_assert_null (load ("empty.json", " {\n}\n", &c));
  g_assert_true (same_config (&c, &ref));
}

static void
test_malformed_keyfile (void)
{
  SrTwoStageConfig c;
  gchar *msg = load ("bad.conf", "[degradation]\nstages = 2\n\n[stage1]\n"
      "jpeg-range 60;90\n", &c);
  assert_contains (msg, "bad.conf:5:");
  assert_contains (msg, "jpeg-range 60;90");
  g_free (msg);
  msg = load ("nogroup.conf", "# x\nstages = 2\n", &c);
  assert_contains (msg, "nogroup.conf:2:");
  g_free (msg);
  msg = load ("badgroup.conf", "[stage1\nstages = 2\n", &c);
  assert_contains (msg, "badgroup.conf:1:");
  g_free (msg);
}

static void
test_malformed_json (void)
{
  SrTwoStageConfig c;
  /* The comma after line 7's value is missing. */
  const char *text =
      "{\n"
      "  \"degradation\": {\n"
      "    \"stages\": 2\n"
      "  },\n"
      "  \"stage1\": {\n"
      "    \"jpeg-range\": [60, 90],\n"
      "    \"noise-range\": [1, 10]\n"
      "    \"gray-noise-prob\": 0.5\n"
      "  }\n"
      "}\n";
  gchar *msg = load ("bad.json", text, &c);
  assert_contains (msg, "bad.json:7:");
  assert_contains (msg, "noise-range");
  g_free (msg);

  const struct { const char *text, *part; } cases[] = {
    {"{\n\"stage1\": {\"jpeg-range\": [60, 90,]}}", ":2:"},       /* trailing comma */
    {"{\n\n\"stage1\": {\"sinc-prob\": .5}}", ":3:"},            /* not JSON */
    {"{\"stage1\": {\"sinc-prob\": 0.5}}\n,", ":2: text after"},
    {"{\"stage1\": {\"sinc-prob\": 0.5}", ":1:"},                /* unclosed */
    {"{\n\"stage1\": {\"sinc-prob\": \"0.5\"}}", "strings are not"},
    {"{\"stage1\": {\"sinc-prob\": 0.5,\n\"sinc-prob\": 0.2}}", ":2: “sinc-prob” appears twice"},
    {"{\"stage3\": {}}", "unknown group “stage3”"},
    {"{\"stage1\": {\"jpeg-range\": [60, 90, 95]}}", "3 values given"},
    {"{\"stage1\": {\"kernel-sizes\": [4, 9]}}", "4 is not odd"},
    {"{\"degradation\": {\"final-reuses-mode\": 2}}", "true or false"},
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    msg = load ("case.json", cases[i].text, &c);
    assert_contains (msg, cases[i].part);
    g_free (msg);
  }
}

/* json-glib 1.6 would read these as octal, hex, comments, single quotes
 * or a second document; RFC 8259 has none of them, so each is refused at
 * its line and column (1-based, in bytes). json-glib's own syntax errors
 * keep its line and column. */
static void
test_json_syntax_positions (void)
{
  SrTwoStageConfig c;
  const struct { const char *text, *part; } cases[] = {
    {"{\n  \"stage1\": {\n    \"jpeg-range\": [060, 90]\n  }\n}",
      "syntax.json:3:20: not JSON: “060”"},
    {"{\"stage1\": {\"sinc-prob\": 0x1}}", "syntax.json:1:26: not JSON: “0x1”"},
    {"{\n\"stage1\": {\"sinc-prob\": 0.5} /* c */\n}",
      "syntax.json:2:30: not JSON: “/”"},
    {"{'stage1': {}}", "syntax.json:1:2: not JSON: “'”"},
    {"{\n  \"stage1\": {\n    \"sinc-prob\": tru\n  }\n}",
      "syntax.json:3:18: not JSON: “tru”"},
    {"{\"stage1\": {\"sinc-prob\": +1}}", "syntax.json:1:26: not JSON: “+1”"},
    {"{\"stage1\": {\"sinc-prob\": 0.5}}\n\n{\"stage2\": {}}",
      "syntax.json:3: text after the top-level object"},
    {"{\"stage1\": {}}}", "syntax.json:1: text after the top-level object"},
    {"{\"stage1\": {\"sinc-prob\":\n 99999999999999999999}}",
      "syntax.json:2:2: 99999999999999999999 is out of range"},
    {"{\n\"stage1\" {}}", "syntax.json:2:"},                         /* no ':' */
    {"{\"stage1\": {}\n \"stage2\": {}}", "syntax.json:1:"},         /* no ',' */
    {"{\n\n\"stage1\": {\"sinc-prob\": 0.5,}}", "syntax.json:3:"},   /* trailing ',' */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *msg = load ("syntax.json", cases[i].text, &c);
    assert_contains (msg, cases[i].part);
    g_free (msg);
  }
}

/* A wrong value is reported at its key's line, wherever its value ends
 * (json-glib's current line runs past a number at the end of a line). */
static void
test_json_semantic_positions (void)
{
  SrTwoStageConfig c;
  const struct { const char *text, *part; } cases[] = {
    {"{\n  \"degradation\": {\"stages\": 2},\n  \"stage1\": {\n"
          "    \"sinc-prob\": 0.5,\n    \"gray-noise-prob\": 2\n\n  }\n}",
      "pos.json:5: [stage1] gray-noise-prob: 2 is outside [0, 1]"},
    {"{\"stage1\": {\n\"jpeg-range\":\n\n [60, 90, 95]}}",
      "pos.json:2: [stage1] jpeg-range: 3 values given"},
    {"{\"stage1\": {\n\"sinc-prob\": 2,\n\"gray-noise-prob\": 3}}",
      "pos.json:2: [stage1] sinc-prob: 2 is outside"},          /* the first */
    {"{\n\"stage1\": {},\n\"stage9\": {\n\"sinc-prob\": 0.5\n}\n}",
      "pos.json:3: unknown group “stage9”"},
    {"{\n\n\"stage2\": [1, 2]}", "pos.json:3: group “stage2” must be an object"},
    {"{\"stage1\": {\n\"sinc-prob\": null}}",
      "pos.json:2: [stage1] sinc-prob: expected a number"},
    {"{\"stage1\": {\n\"blur-sigma\": {\"min\": 1}}}",
      "pos.json:2: [stage1] blur-sigma: objects are only allowed for groups"},
    {"{\"stage1\": {\n\"blur-sigma\": [true, 2]}}",
      "pos.json:2: [stage1] blur-sigma: an array may only hold numbers"},
    {"{\"stage1\": {\n\"blur-sigma\": [1, 1e400]}}",
      "pos.json:2: [stage1] blur-sigma: number out of range"},
    {"{\"stage1\": {},\n\"stage1\": {}}", "pos.json:2: group “stage1” appears twice"},
    {"{\"stage2\": {\n\n\"kernel-sizes\": [7, 9],\n\"kernel-sizes\": [7, 9]}}",
      "pos.json:4: “kernel-sizes” appears twice in “stage2”"},
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++) {
    gchar *msg = load ("pos.json", cases[i].text, &c);
    assert_contains (msg, cases[i].part);
    g_free (msg);
  }
  /* One key in two groups is no repetition; an escaped name is the name. */
  g_assert_null (load ("ok.json", "{\"stage1\": {\"sinc-prob\": 0.5},\n"
          "\"stage\\u0032\": {\"sinc-prob\": 0.125, \"gray-noise-prob\": -0}}", &c));
  g_assert_cmpfloat (c.stage[0].sinc_prob, ==, 0.5);
  g_assert_cmpfloat (c.stage[1].sinc_prob, ==, 0.125);
  g_assert_cmpfloat (c.stage[1].gray_prob, ==, 0);
}

static void
test_unknown_key (void)
{
  SrTwoStageConfig c;
  gchar *msg = load ("unknown.conf", "[stage1]\njpeg-range = 60;90\n\n"
      "noise-sigma = 1;5\n", &c);
  assert_contains (msg, "unknown.conf:4:");
  assert_contains (msg, "noise-sigma");
  assert_contains (msg, "noise-range");         /* the allowed keys are listed */
  g_free (msg);
  /* A stage key in [degradation] is unknown there. */
  msg = load ("unknown.json", "{\"degradation\":\n {\"jpeg-range\": [60, 90]}}", &c);
  assert_contains (msg, "unknown.json:2:");
  assert_contains (msg, "jpeg-range");
  g_free (msg);
}

static void
test_out_of_range (void)
{
  SrTwoStageConfig c;
  gchar *msg = load ("range.conf", "[degradation]\nstages = 2\n[stage2]\n"
      "kernel-sizes = 7;21\ngray-noise-prob = 1.5\n", &c);
  assert_contains (msg, "range.conf:5:");
  assert_contains (msg, "[stage2] gray-noise-prob");
  assert_contains (msg, "1.5 is outside [0, 1]");
  g_free (msg);
  msg = load ("range.json", "{\"stage1\": {\n\"resize-range\": [1.1, 2]}}", &c);
  assert_contains (msg, "range.json:2:");
  assert_contains (msg, "min <= 1 <= max");
  g_free (msg);
  /* Each key valid alone, inconsistent together (kernels larger than the
   * padding): sr_twostage_config_check's message, after the file name. */
  msg = load ("pad.conf", "[degradation]\nkernel-pad = 9\n", &c);
  assert_contains (msg, "pad.conf: stage 1 kernel sizes 7..21");
  g_free (msg);
}

/* The element's path: one key from text, both stages from one value or
 * two, and the same checks. */
static void
test_set (void)
{
  SrTwoStageConfig c;
  GError *error = NULL;
  sr_twostage_config_realesrgan (&c);
  g_assert_true (sr_custom_config_set (&c, 1, "jpeg-range", "90,90.0001", NULL));
  g_assert_cmpfloat (c.stage[0].jpeg_range[1], ==, 90.0001);
  g_assert_true (sr_custom_config_set (&c, -1, "gray-noise-prob", "1", NULL));
  g_assert_cmpfloat (c.stage[0].gray_prob, ==, 1);
  g_assert_cmpfloat (c.stage[1].gray_prob, ==, 1);
  g_assert_true (sr_custom_config_set (&c, -1, "sinc-prob", "0.25, 0.5", NULL));
  g_assert_cmpfloat (c.stage[0].sinc_prob, ==, 0.25);
  g_assert_cmpfloat (c.stage[1].sinc_prob, ==, 0.5);
  g_assert_true (sr_custom_config_set (&c, 0, "final-reuses-mode", "true", NULL));
  g_assert_true (c.final_reuses_mode);
  g_assert_true (sr_twostage_config_check (&c, NULL));

  SrTwoStageConfig before = c;
  g_assert_false (sr_custom_config_set (&c, 2, "resize-prob", "0.5,0.5", &error));
  assert_contains (error->message, "resize-prob: 2 values given (allowed: 3 numbers");
  g_clear_error (&error);
  g_assert_false (sr_custom_config_set (&c, 1, "noise-range", "1,x", &error));
  assert_contains (error->message, "“x” is not a number");
  g_clear_error (&error);
  g_assert_false (sr_custom_config_set (&c, -1, "gray-noise-prob", "0.5,2", &error));
  assert_contains (error->message, "2 is outside [0, 1]");
  g_clear_error (&error);
  g_assert_false (sr_custom_config_set (&c, 0, "jpeg-range", "1,2", &error));
  assert_contains (error->message, "unknown degradation key “jpeg-range”");
  g_clear_error (&error);
  g_assert_true (same_config (&c, &before));   /* failures change nothing */
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  tmp_dir = g_dir_make_tmp ("sr-custom-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);
  g_test_add_func ("/custom-config/valid-keyfile", test_valid_keyfile);
  g_test_add_func ("/custom-config/valid-json", test_valid_json);
  g_test_add_func ("/custom-config/empty-is-x4plus", test_empty_is_x4plus);
  g_test_add_func ("/custom-config/malformed-keyfile", test_malformed_keyfile);
  g_test_add_func ("/custom-config/malformed-json", test_malformed_json);
  g_test_add_func ("/custom-config/json-syntax-positions",
      test_json_syntax_positions);
  g_test_add_func ("/custom-config/json-semantic-positions",
      test_json_semantic_positions);
  g_test_add_func ("/custom-config/unknown-key", test_unknown_key);
  g_test_add_func ("/custom-config/out-of-range", test_out_of_range);
  g_test_add_func ("/custom-config/set", test_set);
  const int rc = g_test_run ();
  g_rmdir (tmp_dir);
  g_free (tmp_dir);
  return rc;
}
