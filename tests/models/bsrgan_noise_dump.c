/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prints, one JSON object per line, the correlated noise steps of the
 * bsrgan and bsrgan-plus presets for bsrgan_noise_ref.py: the draws D
 * (rand(3)) and A (rand(3,3)), the covariance the degrader recorded, and
 * the empirical covariance (0..255 units) of the device noise added to a
 * constant 0.5 frame with those parameters. Not a test by itself. */
#include <stdio.h>
#include <string.h>
#include "sr_bsrgan.h"
#include "sr_degrade.h"
#include "sr_noise.h"
#include "sr_test_util.h"

#define PER_TYPE 12             /* correlated Gaussian and speckle steps each */
#define SIDE 256                /* the noise frame: 65536 samples */
#define SEED 77

static const char *const cov_keys[6] = {
  "cov-rr", "cov-gg", "cov-bb", "cov-rg", "cov-rb", "cov-gb"
};

/* The empirical covariance of (out - base) * 255 over the frame. */
static void
empirical_cov (const float *out, double base, double cov[9])
{
  const size_t n = (size_t) SIDE * SIDE;
  double mean[3] = { 0 };
  for (int c = 0; c < 3; c++)
    for (size_t i = 0; i < n; i++)
      mean[c] += (out[c * n + i] - base) * 255.0;
  for (int c = 0; c < 3; c++)
    mean[c] /= n;
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) {
      double s = 0;
      for (size_t i = 0; i < n; i++)
        s += ((out[a * n + i] - base) * 255.0 - mean[a])
            * ((out[b * n + i] - base) * 255.0 - mean[b]);
      cov[3 * a + b] = s / n;
    }
}

static void
print_array (const char *key, const double *v, int n)
{
  printf (", \"%s\": [", key);
  for (int i = 0; i < n; i++)
    printf ("%s%.17g", i ? ", " : "", v[i]);
  printf ("]");
}

int
main (void)
{
  GError *error = NULL;
  const size_t n = (size_t) SIDE * SIDE;
  float *flat = g_new (float, 3 * n), *out = g_new (float, 3 * n);
  for (size_t i = 0; i < 3 * n; i++)
    flat[i] = 0.5f;
  SrTensor *base = sr_test_upload (flat, 1, 3, SIDE, SIDE);
  SrTensor *dst = sr_test_upload (flat, 1, 3, SIDE, SIDE);
  SrNoise *noise = sr_noise_new (sr_test_runtime (), &error);
  g_assert_no_error (error);
  SrRecord *rec = g_new0 (SrRecord, 1);

  for (int plus = 0; plus <= 1; plus++) {
    const int sf = 2, side = plus ? 16 : 8;
    SrDegradeConfig cfg = {.preset = plus ? SR_PRESET_BSRGAN_PLUS : SR_PRESET_BSRGAN,
      .scale = sf, .seed = SEED, .noise = FALSE, .jpeg = SR_JPEG_DIFFJPEG };
    SrDegrader *d = sr_degrader_new (sr_test_runtime (), &cfg, &error);
    g_assert_no_error (error);
    SrTensor *hr = sr_test_upload (flat, 1, 3, side, side);
    int found = 0;
    for (guint64 frame = 0; found < PER_TYPE && frame < 100000; frame++) {
      SrBsrDraw draw;
      sr_bsrgan_sample (plus, sf, SEED, frame, side, side, &draw);
      const SrBsrStep *corr[4];
      int n_corr = 0;
      for (int i = 0; i < draw.n_steps; i++) {
        const SrBsrStep *st = &draw.steps[i];
        if (st->kind == SR_BSR_STEP_NOISE && st->branch == SR_BSR_BRANCH_CORRELATED
            && (st->noise == SR_BSR_NOISE_SPECKLE) == plus)
          corr[n_corr++] = st;
      }
      if (!n_corr)
        continue;
      SrTensor *lr = NULL;
      g_assert_cmpint (sr_degrader_run (d, sr_test_queue (), hr, frame, &lr, rec),
          ==, SR_OK);
      int k = 0;
      for (int i = 0; i < rec->n_ops && k < n_corr; i++) {
        const SrOpRecord *op = &rec->ops[i];
        const SrField *slot = sr_op_get (op, "slot");
        if (strcmp (op->name, "noise") || !sr_op_get (op, "cov-rr")
            || slot->v.i != corr[k]->slot)
          continue;
        const SrBsrStep *st = corr[k++];
        /* The device field of this step on the constant frame. */
        SrStatus s = plus
            ? sr_noise_speckle_run (noise, sr_test_queue (), base, dst, SEED,
            frame, 0x7e570000u | st->slot, st->level, FALSE, st->factor3)
            : sr_noise_correlated_run (noise, sr_test_queue (), base, dst, SEED,
            frame, 0x7e570000u | st->slot, st->factor3);
        g_assert_cmpint (s, ==, SR_OK);
        g_assert_cmpint (sr_tensor_read (sr_test_queue (), dst, out), ==, SR_OK);
        double emp[9], recorded[6];
        empirical_cov (out, 0.5, emp);
        for (int j = 0; j < 6; j++)
          recorded[j] = sr_op_get (op, cov_keys[j])->v.d;
        printf ("{\"type\": \"%s\", \"frame\": %" G_GUINT64_FORMAT ", \"slot\": %d"
            ", \"base\": 0.5, \"n\": %zu", plus ? "speckle" : "correlated", frame,
            st->slot, n);
        print_array ("d", st->corr_d, 3);
        print_array ("a", st->corr_a, 9);
        printf (", \"op\": {");
        for (int j = 0; j < 6; j++)
          printf ("%s\"%s\": %.17g", j ? ", " : "", cov_keys[j], recorded[j]);
        printf ("}");
        print_array ("empirical", emp, 9);
        printf ("}\n");
        found++;
      }
      g_assert_cmpint (k, ==, n_corr);  /* every drawn step was recorded */
    }
    g_assert_cmpint (found, >=, PER_TYPE);
    sr_tensor_unref (hr);
    sr_degrader_free (d);
  }
  g_free (rec);
  sr_noise_free (noise);
  sr_tensor_unref (base);
  sr_tensor_unref (dst);
  g_free (flat);
  g_free (out);
  return 0;
}
