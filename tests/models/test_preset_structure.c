/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The steps each preset applies, counted and ordered against the upstream
 * pipelines (written from their published structure, not from our sampler):
 * every frame runs through the real degrader (OpenCL) and its record, the
 * `ops` list a dataset stores, must spell one of upstream's step sequences.
 *
 *   bicubic     BasicSR matlab_functions.py imresize: one resize.
 *   realesrgan  Real-ESRGAN realesrgan_model.py feed_data: blur, resize,
 *               noise, JPEG; blur (gated), resize, noise; then
 *               [resize, sinc, JPEG] or [JPEG, resize, sinc]: two JPEGs.
 *   hggt        HGGT ours_model.py feed_data: blur, resize, noise, JPEG,
 *               final resize: one JPEG.
 *   bsrgan      KAIR utils_blindsr.py degradation_bsrgan: optional
 *               pre-halving (x4), the 7 ops in a shuffled order with op 2
 *               before op 3, then a final JPEG.
 *   bsrgan-plus KAIR degradation_bsrgan_plus: 13 slots, either shuffled
 *               or in order with slots 2..5 and 9..12 shuffled locally,
 *               then a final resize and JPEG: two JPEGs.
 *   custom      the Real-ESRGAN chain with other ranges: as realesrgan.
 *
 * Gated steps (stage-2 blur, final sinc, KAIR's JPEG and noise gates) are
 * recorded as `skip`; their frequencies must lie within 4.5 binomial
 * standard errors of upstream's probabilities, so every branch is seen. */
#include <string.h>
#include "sampler_check.h"
#include "sr_degrade.h"
#include "sr_test_util.h"

/* Frames per preset: enough for 4.5 SE checks of the gates (~2 % at 0.8). */
#define N_FRAMES 400

typedef struct {
  char name[16];              /* blur, resize, noise, jpeg, skip-<step> */
  char stage[8];              /* 1, 2, final, pre */
  int slot;                   /* bsrgan presets; else -1 */
} Step;

static int
read_steps (const SrRecord *rec, Step *out)
{
  for (int i = 0; i < rec->n_ops; i++) {
    const SrOpRecord *op = &rec->ops[i];
    const SrField *st = sr_op_get (op, "stage"), *slot = sr_op_get (op, "slot");
    Step *s = &out[i];
    if (!strcmp (op->name, "skip"))
      g_snprintf (s->name, sizeof s->name, "skip-%s", sr_op_get (op, "step")->v.s);
    else
      g_strlcpy (s->name, op->name, sizeof s->name);
    g_assert_nonnull (st);
    if (st->type == SR_VALUE_INT)
      g_snprintf (s->stage, sizeof s->stage, "%d", (int) st->v.i);
    else
      g_strlcpy (s->stage, st->v.s, sizeof s->stage);
    s->slot = slot ? (int) slot->v.i : -1;
  }
  return rec->n_ops;
}

/* "name:stage ..." for messages and regular expressions. */
static gchar *
spell (const Step *s, int n)
{
  GString *g = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    g_string_append_printf (g, "%s%s:%s", i ? " " : "", s[i].name, s[i].stage);
  return g_string_free (g, FALSE);
}

static int
count (const Step *s, int n, const char *name)
{
  int c = 0;
  for (int i = 0; i < n; i++)
    c += !strcmp (s[i].name, name);
  return c;
}

typedef struct {
  SrDegrader *d;
  SrTensor *hr;
  SrRecord *rec;
  Step steps[SR_MAX_OPS];
} Runner;

static void
runner_init (Runner *r, const SrDegradeConfig *cfg, int w, int h)
{
  GError *error = NULL;
  r->d = sr_degrader_new (sr_test_runtime (), cfg, &error);
  g_assert_no_error (error);
  float *px = g_new (float, 3 * w * h);
  sr_test_fill_uniform (px, 3 * (size_t) w * h, 7, 0, 1);
  r->hr = sr_test_upload (px, 1, 3, h, w);
  g_free (px);
  r->rec = g_new0 (SrRecord, 1);
}

/* Runs frame `i` and returns its step count (steps in r->steps). */
static int
runner_frame (Runner *r, guint64 i)
{
  SrTensor *lr = NULL;
  g_assert_cmpint (sr_degrader_run (r->d, sr_test_queue (), r->hr, i, &lr, r->rec),
      ==, SR_OK);
  g_assert_cmpint (r->rec->n_ops, <, SR_MAX_OPS);       /* nothing dropped */
  return read_steps (r->rec, r->steps);
}

static void
runner_clear (Runner *r)
{
  sr_degrader_free (r->d);
  sr_tensor_unref (r->hr);
  g_free (r->rec);
}

static void
assert_matches (GRegex *re, const Step *s, int n)
{
  gchar *str = spell (s, n);
  if (!g_regex_match (re, str, 0, NULL))
    g_error ("steps do not follow upstream's structure: %s", str);
  g_free (str);
}

static SrDegradeConfig
config (SrPreset preset, int scale)
{
  SrDegradeConfig cfg = { 0 };
  cfg.preset = preset;
  cfg.scale = scale;
  cfg.seed = 4242;
  cfg.noise = FALSE;          /* the same steps; only the pixels differ */
  cfg.jpeg = SR_JPEG_DIFFJPEG;
  return cfg;
}

static void
test_bicubic (void)
{
  Runner r;
  SrDegradeConfig cfg = config (SR_PRESET_BICUBIC, 4);
  runner_init (&r, &cfg, 64, 48);
  GRegex *re = g_regex_new ("^resize:final$", 0, 0, NULL);
  for (int i = 0; i < 8; i++)
    assert_matches (re, r.steps, runner_frame (&r, i));
  g_regex_unref (re);
  runner_clear (&r);
}

/* Real-ESRGAN's second-order chain (realesrgan, custom two-stage). */
#define BLUR_OR_SKIP(st) "(blur|skip-blur):" st
#define REALESRGAN_RE \
  "^blur:1 resize:1 noise:1 jpeg:1 " BLUR_OR_SKIP ("2") " resize:2 noise:2 " \
  "(resize:final " BLUR_OR_SKIP ("final") " jpeg:final" \
  "|jpeg:final resize:final " BLUR_OR_SKIP ("final") ")$"

static void
check_second_order (const SrDegradeConfig *cfg, const double final_q[2])
{
  Runner r;
  runner_init (&r, cfg, 160, 160);
  GRegex *re = g_regex_new (REALESRGAN_RE, 0, 0, NULL);
  int blur2 = 0, sinc = 0, jpeg_first = 0;
  for (int i = 0; i < N_FRAMES; i++) {
    const int n = runner_frame (&r, i);
    assert_matches (re, r.steps, n);
    g_assert_cmpint (count (r.steps, n, "jpeg"), ==, 2);
    g_assert_cmpint (count (r.steps, n, "resize"), ==, 3);
    g_assert_cmpint (count (r.steps, n, "noise"), ==, 2);
    for (int k = 0; k < n; k++) {
      if (!strcmp (r.steps[k].stage, "2"))
        blur2 += !strcmp (r.steps[k].name, "blur");
      if (!strcmp (r.steps[k].stage, "final")) {
        sinc += !strcmp (r.steps[k].name, "blur");
        if (!strcmp (r.steps[k].name, "jpeg")) {
          jpeg_first += !strcmp (r.steps[k + 1 < n ? k + 1 : k].name, "resize");
          /* The final JPEG draws from stage 2's range (jpeg_range2). */
          const double q = sr_op_get (&r.rec->ops[k], "quality")->v.d;
          g_assert_cmpfloat (q, >=, (float) final_q[0]);
          g_assert_cmpfloat (q, <=, (float) final_q[1]);
        }
      }
    }
  }
  check_freq_n ("stage-2 blur", blur2, N_FRAMES, cfg->preset == SR_PRESET_CUSTOM
      ? cfg->custom.second_blur_prob : 0.8);
  check_freq_n ("final sinc", sinc, N_FRAMES, cfg->preset == SR_PRESET_CUSTOM
      ? cfg->custom.final_sinc_prob : 0.8);
  check_freq_n ("JPEG before the final resize", jpeg_first, N_FRAMES, 0.5);
  g_regex_unref (re);
  runner_clear (&r);
}

static void
test_realesrgan (void)
{
  SrDegradeConfig cfg = config (SR_PRESET_REALESRGAN, 4);
  const double q[2] = { 30, 95 };
  check_second_order (&cfg, q);
}

static void
test_custom_two_stage (void)
{
  SrDegradeConfig cfg = config (SR_PRESET_CUSTOM, 2);
  sr_twostage_config_realesrgan (&cfg.custom);
  cfg.custom.stage[0].jpeg_range[0] = 20;
  cfg.custom.stage[0].jpeg_range[1] = 25;
  cfg.custom.stage[1].jpeg_range[0] = 80;
  cfg.custom.stage[1].jpeg_range[1] = 85;
  cfg.custom.second_blur_prob = 0.5;
  cfg.custom.final_sinc_prob = 0.3;
  const double q[2] = { 80, 85 };
  check_second_order (&cfg, q);
}

/* One stage with Real-ESRGAN's ending: stage 1's JPEG and the final one. */
static void
test_custom_one_stage (void)
{
  Runner r;
  SrDegradeConfig cfg = config (SR_PRESET_CUSTOM, 2);
  sr_twostage_config_realesrgan (&cfg.custom);
  cfg.custom.n_stages = 1;
  runner_init (&r, &cfg, 96, 96);
  GRegex *re = g_regex_new ("^blur:1 resize:1 noise:1 jpeg:1 "
      "(resize:final " BLUR_OR_SKIP ("final") " jpeg:final"
      "|jpeg:final resize:final " BLUR_OR_SKIP ("final") ")$", 0, 0, NULL);
  for (int i = 0; i < 40; i++) {
    const int n = runner_frame (&r, i);
    assert_matches (re, r.steps, n);
    g_assert_cmpint (count (r.steps, n, "jpeg"), ==, 2);
  }
  g_regex_unref (re);
  runner_clear (&r);
}

static void
test_hggt (void)
{
  Runner r;
  SrDegradeConfig cfg = config (SR_PRESET_HGGT, 4);
  runner_init (&r, &cfg, 64, 64);
  GRegex *re = g_regex_new ("^blur:1 resize:1 noise:1 jpeg:1 resize:final$", 0,
      0, NULL);
  for (int i = 0; i < 100; i++) {
    const int n = runner_frame (&r, i);
    assert_matches (re, r.steps, n);
    /* The final resize reuses stage 1's mode (a variable reused upstream). */
    g_assert_cmpstr (sr_op_get (&r.rec->ops[1], "mode")->v.s, ==,
        sr_op_get (&r.rec->ops[4], "mode")->v.s);
  }
  g_regex_unref (re);
  runner_clear (&r);
}

/* The steps of one KAIR slot, as a regular expression over its group. */
static const char *
bsrgan_slot_re (int slot)
{
  static const char *const re[] = {
    "^blur$", "^blur$",
    "^(resize|blur resize)$",   /* cv2.resize, or shifted blur + [0::sf] */
    "^resize$", "^noise$", "^(jpeg|skip-jpeg)$", "^skip-isp$",
  };
  return re[slot];
}

static const char *
plus_slot_re (int slot)
{
  static const char *const re[] = {
    "^blur$", "^resize$", "^noise$", "^(noise|skip-poisson)$",
    "^(noise|skip-speckle)$", "^skip-isp$", "^jpeg$",
  };
  return re[slot % 7];
}

/* Splits steps[from, to) into consecutive groups of one slot each; returns
 * the slot order, failing if a slot appears twice or its group's steps are
 * not the ones upstream runs there. */
static int
slot_order (const Step *s, int from, int to, int n_slots, int *order,
    const char *(*slot_re) (int))
{
  int n = 0;
  gboolean seen[13] = { FALSE };
  for (int i = from; i < to;) {
    const int slot = s[i].slot;
    g_assert_cmpint (slot, >=, 0);
    g_assert_cmpint (slot, <, n_slots);
    g_assert_false (seen[slot]);
    seen[slot] = TRUE;
    GString *g = g_string_new (NULL);
    for (; i < to && s[i].slot == slot; i++)
      g_string_append_printf (g, "%s%s", g->len ? " " : "", s[i].name);
    if (!g_regex_match_simple (slot_re (slot), g->str, 0, 0))
      g_error ("slot %d applied '%s'", slot, g->str);
    g_string_free (g, TRUE);
    order[n++] = slot;
  }
  g_assert_cmpint (n, ==, n_slots);
  return n;
}

static void
test_bsrgan (gconstpointer data)
{
  const int sf = GPOINTER_TO_INT (data);
  Runner r;
  SrDegradeConfig cfg = config (SR_PRESET_BSRGAN, sf);
  runner_init (&r, &cfg, 16 * sf, 16 * sf);
  int pre = 0, jpeg5 = 0;
  for (int i = 0; i < N_FRAMES; i++) {
    const int n = runner_frame (&r, i);
    int first = 0, order[7];
    if (!strcmp (r.steps[0].stage, "pre")) {
      g_assert_cmpstr (r.steps[0].name, ==, "resize");
      first = 1;
      pre++;
    }
    g_assert_cmpstr (r.steps[n - 1].name, ==, "jpeg");
    g_assert_cmpstr (r.steps[n - 1].stage, ==, "final");
    slot_order (r.steps, first, n - 1, 7, order, bsrgan_slot_re);
    int p2 = -1, p3 = -1;
    for (int k = 0; k < 7; k++) {
      p2 = order[k] == 2 ? k : p2;
      p3 = order[k] == 3 ? k : p3;
    }
    g_assert_cmpint (p2, <, p3);        /* KAIR swaps them otherwise */
    const int jpegs = count (r.steps, n, "jpeg");
    g_assert_cmpint (jpegs, >=, 1);
    g_assert_cmpint (jpegs, <=, 2);
    jpeg5 += jpegs == 2;
  }
  check_freq_n ("pre-halving", pre, N_FRAMES, sf == 4 ? 0.25 : 0);
  check_freq_n ("op 5 JPEG", jpeg5, N_FRAMES, 0.9);
  runner_clear (&r);
}

static void
test_bsrgan_plus (gconstpointer data)
{
  const int sf = GPOINTER_TO_INT (data);
  Runner r;
  SrDegradeConfig cfg = config (SR_PRESET_BSRGAN_PLUS, sf);
  runner_init (&r, &cfg, 4 * sf * sf, 4 * sf * sf);
  int local = 0;
  for (int i = 0; i < N_FRAMES; i++) {
    const int n = runner_frame (&r, i);
    int order[13];
    g_assert_cmpint (n, >=, 15);
    g_assert_cmpstr (r.steps[n - 2].name, ==, "resize");
    g_assert_cmpstr (r.steps[n - 2].stage, ==, "final");
    g_assert_cmpstr (r.steps[n - 1].name, ==, "jpeg");
    g_assert_cmpstr (r.steps[n - 1].stage, ==, "final");
    slot_order (r.steps, 0, n - 2, 13, order, plus_slot_re);
    g_assert_cmpint (count (r.steps, n, "jpeg"), ==, 2);
    /* Unshuffled: 0, 1, a permutation of 2..5, 6, 7, 8, one of 9..12. */
    gboolean in_order = order[0] == 0 && order[1] == 1 && order[6] == 6
        && order[7] == 7 && order[8] == 8;
    for (int k = 2; k < 6; k++)
      in_order = in_order && order[k] >= 2 && order[k] <= 5;
    local += in_order;
  }
  /* KAIR dataset_blindsr.py: shuffle_prob 0.1; a full permutation looks
   * unshuffled with probability 4! 4! / 13!, negligible. */
  check_freq_n ("unshuffled order", local, N_FRAMES, 0.9);
  runner_clear (&r);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  g_test_add_func ("/structure/bicubic", test_bicubic);
  g_test_add_func ("/structure/realesrgan", test_realesrgan);
  g_test_add_func ("/structure/hggt", test_hggt);
  g_test_add_func ("/structure/custom-two-stage", test_custom_two_stage);
  g_test_add_func ("/structure/custom-one-stage", test_custom_one_stage);
  for (int sf = 2; sf <= 4; sf++) {
    gchar *path = g_strdup_printf ("/structure/bsrgan/x%d", sf);
    g_test_add_data_func (path, GINT_TO_POINTER (sf), test_bsrgan);
    g_free (path);
    path = g_strdup_printf ("/structure/bsrgan-plus/x%d", sf);
    g_test_add_data_func (path, GINT_TO_POINTER (sf), test_bsrgan_plus);
    g_free (path);
  }
  return g_test_run ();
}
