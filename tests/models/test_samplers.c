/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Real-ESRGAN and HGGT samplers against upstream's distributions
 * (BasicSR realesrgan_dataset.py + realesrgan_model.py feed_data with
 * train_realesrgan_x4plus.yml; HGGT PosNegGTSR ours_model.py feed_data
 * with its *_Blind_x4.yml): over many draws, the frequency of
 * every kernel type, resize branch, noise type, gate and final order lies
 * within 4.5 binomial standard errors of its probability, and every
 * parameter stays inside its range. */
#include "sampler_check.h"
#include <math.h>
#include <string.h>
#include "sr_twostage.h"

#define N 40000

/* All draws of this file are over N frames. */
static void
check_freq (const char *what, int count, double p)
{
  check_freq_n (what, count, N, p);
}
typedef struct {
  int kind[SR_N_KERNEL_KINDS];
  int size[26];
  int beta_low, beta_one, n_gen, n_plat;
} KernelStats;

static void
count_kernel (KernelStats *st, const SrKernelDraw *k, double sig_lo, double sig_hi)
{
  st->kind[k->kind]++;
  st->size[k->size]++;
  switch (k->kind) {
    case SR_KERNEL_SINC:
      check_in (k->omega, k->size < 13 ? G_PI / 3 : G_PI / 5, G_PI);
      break;
    case SR_KERNEL_PULSE:
      break;
    default:
      check_in (k->sigma_x, sig_lo, sig_hi);
      check_in (k->sigma_y, sig_lo, sig_hi);
      check_in (k->theta, -G_PI, G_PI);
      if (k->kind == SR_KERNEL_ISO || k->kind == SR_KERNEL_GENERALIZED_ISO
          || k->kind == SR_KERNEL_PLATEAU_ISO)
        g_assert_cmpfloat (k->sigma_y, ==, k->sigma_x);
      if (k->kind == SR_KERNEL_GENERALIZED_ISO || k->kind == SR_KERNEL_GENERALIZED_ANISO) {
        check_in (k->beta, 0.5, 4);
        st->n_gen++;
        st->beta_low += k->beta < 1;
      }
      if (k->kind == SR_KERNEL_PLATEAU_ISO || k->kind == SR_KERNEL_PLATEAU_ANISO) {
        g_assert_cmpfloat (k->beta, >=, 1);
        g_assert_cmpfloat (k->beta, <, 2);
        st->n_plat++;
        st->beta_one += k->beta == 1.0;
      }
  }
}

static void
test_realesrgan_tables (void)
{
  SrTwoStageConfig cfg;
  sr_twostage_config_realesrgan (&cfg);
  KernelStats k1 = { 0 }, k2 = { 0 };
  int sinc_final = 0, sinc_size[26] = { 0 }, updown1[3] = { 0 }, updown2[3] = { 0 };
  int mode1[3] = { 0 }, mode2[3] = { 0 }, modef[3] = { 0 };
  int gauss1 = 0, gauss2 = 0, gray1 = 0, gray2 = 0, blur2 = 0, order_a = 0;
  const int W = 400, H = 400, S = 4;

  for (int i = 0; i < N; i++) {
    SrTwoStageDraw d;
    sr_twostage_sample (&cfg, S, 12345, i, W, H, &d);
    count_kernel (&k1, &d.stage[0].kernel, 0.2, 3);
    count_kernel (&k2, &d.stage[1].kernel, 0.2, 1.5);
    if (d.final_sinc) {
      sinc_final++;
      sinc_size[d.sinc.size]++;
      check_in (d.sinc.omega, G_PI / 3, G_PI);
    }
    const SrStageDraw *s1 = &d.stage[0], *s2 = &d.stage[1];
    updown1[s1->updown]++;
    updown2[s2->updown]++;
    mode1[s1->mode]++;
    mode2[s2->mode]++;
    modef[d.final_mode]++;
    if (s1->updown == SR_UPDOWN_UP)
      check_in (s1->resize_scale, 1, 1.5);
    else if (s1->updown == SR_UPDOWN_DOWN)
      check_in (s1->resize_scale, 0.15, 1);
    else
      g_assert_cmpfloat (s1->resize_scale, ==, 1);
    if (s2->updown == SR_UPDOWN_UP)
      check_in (s2->resize_scale, 1, 1.2);
    else if (s2->updown == SR_UPDOWN_DOWN)
      check_in (s2->resize_scale, 0.3, 1);
    /* Sizes: stage 1 floor(400 s1); stage 2 int(400 / 4 * s2)
     * (realesrgan_model.py feed_data). */
    g_assert_cmpint (s1->resize_w, ==, (int) floor (W * s1->resize_scale));
    g_assert_cmpint (s2->resize_h, ==, (int) ((double) H / S * s2->resize_scale));
    g_assert_cmpint (s1->resize_w, >=, 60);
    g_assert_cmpint (s1->resize_w, <=, 599);
    g_assert_cmpint (s2->resize_w, >=, 30);
    g_assert_cmpint (s2->resize_w, <=, 119);
    gauss1 += s1->gaussian;
    gauss2 += s2->gaussian;
    gray1 += s1->gray;
    gray2 += s2->gray;
    if (s1->gaussian)
      check_in (s1->noise_sigma, 1, 30);
    else
      check_in (s1->poisson_scale, 0.05, 3);
    if (s2->gaussian)
      check_in (s2->noise_sigma, 1, 25);
    else
      check_in (s2->poisson_scale, 0.05, 2.5);
    check_in (s1->jpeg_quality, 30, 95);
    g_assert_cmpfloat (s2->jpeg_quality, ==, 0);      /* stage 2 draws no JPEG */
    check_in (d.final_jpeg_quality, 30, 95);
    g_assert_true (s1->blur);
    blur2 += s2->blur;
    order_a += d.order_a;
    g_assert_cmpint (d.lr_w, ==, 100);
  }

  /* Kernel types: 0.9 * kernel_prob, sinc 0.1. */
  const double p_type[SR_N_MIXED_KERNELS] = { .405, .225, .108, .027, .108, .027 };
  for (int t = 0; t < SR_N_MIXED_KERNELS; t++) {
    check_freq (sr_kernel_kind_name (t), k1.kind[t], p_type[t]);
    check_freq (sr_kernel_kind_name (t), k2.kind[t], p_type[t]);
  }
  check_freq ("sinc (kernel 1)", k1.kind[SR_KERNEL_SINC], 0.1);
  check_freq ("sinc (kernel 2)", k2.kind[SR_KERNEL_SINC], 0.1);
  for (int s = 7; s <= 21; s += 2) {
    check_freq ("kernel 1 size", k1.size[s], 1.0 / 8);
    check_freq ("kernel 2 size", k2.size[s], 1.0 / 8);
  }
  /* Beta: generalized half below 1; plateau exactly 1 half of the time. */
  g_assert_cmpfloat (fabs ((double) k1.beta_low / k1.n_gen - 0.5), <, 4.5 * sqrt (0.25 / k1.n_gen));
  g_assert_cmpfloat (fabs ((double) k1.beta_one / k1.n_plat - 0.5), <, 4.5 * sqrt (0.25 / k1.n_plat));
  check_freq ("final sinc", sinc_final, 0.8);
  check_freq ("resize-1 up", updown1[0], 0.2);
  check_freq ("resize-1 down", updown1[1], 0.7);
  check_freq ("resize-1 keep", updown1[2], 0.1);
  check_freq ("resize-2 up", updown2[0], 0.3);
  check_freq ("resize-2 down", updown2[1], 0.4);
  check_freq ("resize-2 keep", updown2[2], 0.3);
  for (int m = 0; m < 3; m++) {
    check_freq ("resize-1 mode", mode1[m], 1.0 / 3);
    check_freq ("resize-2 mode", mode2[m], 1.0 / 3);
    check_freq ("final mode", modef[m], 1.0 / 3);
  }
  check_freq ("noise-1 gaussian", gauss1, 0.5);
  check_freq ("noise-2 gaussian", gauss2, 0.5);
  check_freq ("noise-1 gray", gray1, 0.4);
  check_freq ("noise-2 gray", gray2, 0.4);
  check_freq ("blur-2 gate", blur2, 0.8);
  check_freq ("final order A", order_a, 0.5);
}

static void
test_hggt_tables (void)
{
  SrTwoStageConfig cfg;
  sr_twostage_config_hggt (&cfg);
  KernelStats k = { 0 };
  int updown[3] = { 0 }, gauss = 0, gray = 0;
  for (int i = 0; i < N; i++) {
    SrTwoStageDraw d;
    sr_twostage_sample (&cfg, 4, 99, i, 512, 512, &d);
    g_assert_cmpint (d.n_stages, ==, 1);
    count_kernel (&k, &d.stage[0].kernel, 0.1, 1.0);
    updown[d.stage[0].updown]++;
    if (d.stage[0].updown == SR_UPDOWN_UP)
      check_in (d.stage[0].resize_scale, 1, 1.2);
    else if (d.stage[0].updown == SR_UPDOWN_DOWN)
      check_in (d.stage[0].resize_scale, 0.8, 1);
    gauss += d.stage[0].gaussian;
    gray += d.stage[0].gray;
    if (d.stage[0].gaussian)
      check_in (d.stage[0].noise_sigma, 1, 12);
    else
      check_in (d.stage[0].poisson_scale, 0.05, 0.8);
    check_in (d.stage[0].jpeg_quality, 75, 95);
    /* The final resize reuses the first resize's mode (HGGT ours_model.py
     * feed_data). */
    g_assert_cmpint (d.final_mode, ==, d.stage[0].mode);
    g_assert_false (d.final_jpeg);
    g_assert_false (d.final_sinc);
  }
  for (int s = 3; s <= 9; s += 2)
    check_freq ("hggt kernel size", k.size[s], 0.25);
  check_freq ("hggt sinc", k.kind[SR_KERNEL_SINC], 0.01);
  check_freq ("hggt iso", k.kind[SR_KERNEL_ISO], 0.99 * 0.7);
  check_freq ("hggt aniso", k.kind[SR_KERNEL_ANISO], 0.99 * 0.3);
  check_freq ("hggt generalized", k.kind[SR_KERNEL_GENERALIZED_ISO], 0);
  check_freq ("hggt up", updown[0], 0.1);
  check_freq ("hggt down", updown[1], 0.85);
  check_freq ("hggt keep", updown[2], 0.05);
  check_freq ("hggt gaussian", gauss, 0.5);
  check_freq ("hggt gray", gray, 0.2);
}

static void
test_deterministic_streams (void)
{
  SrTwoStageConfig cfg;
  SrTwoStageDraw a, b, c;
  sr_twostage_config_realesrgan (&cfg);
  sr_twostage_sample (&cfg, 4, 7, 3, 400, 400, &a);
  sr_twostage_sample (&cfg, 4, 7, 3, 400, 400, &b);
  sr_twostage_sample (&cfg, 4, 8, 3, 400, 400, &c);
  g_assert_true (memcmp (&a, &b, sizeof a) == 0);
  g_assert_false (memcmp (&a, &c, sizeof a) == 0);
}

static void
test_min_sizes (void)
{
  SrTwoStageConfig cfg;
  sr_twostage_config_realesrgan (&cfg);
  /* Every intermediate must stay >= 11 px (21-tap kernels, reflect pad 10):
   * floor(H * 0.15) >= 11 -> 74; int(H/4 * 0.3) >= 11 -> H/4 >= 37. */
  g_assert_cmpint (sr_twostage_min_hr_size (&cfg, 4), ==, 148);
  g_assert_cmpint (sr_twostage_min_hr_size (&cfg, 2), ==, 74);
  g_assert_cmpint (sr_twostage_min_hr_size (&cfg, 1), ==, 74);
  sr_twostage_config_hggt (&cfg);
  g_assert_cmpint (sr_twostage_min_hr_size (&cfg, 4), ==, 7);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/samplers/realesrgan/tables", test_realesrgan_tables);
  g_test_add_func ("/samplers/hggt/tables", test_hggt_tables);
  g_test_add_func ("/samplers/deterministic", test_deterministic_streams);
  g_test_add_func ("/samplers/min-sizes", test_min_sizes);
  return g_test_run ();
}
