/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The realbasicvsr clip sampler (models/sr_realbasicvsr.c) against mmagic's
 * train_pipeline (configs/real_basicvsr/realbasicvsr_wogan-c64b20-2x30x8,
 * transforms in random_degradations.py; spec/degradations.md part B 5 and
 * 8.4): over many clips, every categorical draw (blur type and size, the
 * 0.8 gates, resize interpolation and direction, noise type and gray flag,
 * codec, the shuffled order) lies within 4.5 binomial standard errors of
 * mmagic's probability; over 30-frame clips, every walked value stays in its
 * configured range, moves by at most its step per frame, and the draws
 * fixed per clip do not move; and the same (seed, clip) gives the same
 * clip. */
#include "sampler_check.h"
#include "sr_realbasicvsr.h"

#include <math.h>

#define N_CLIPS 20000
#define N_WALK_CLIPS 2000
#define CLIP_FRAMES 30          /* mmagic's mirrored 15 frames */
#define W 256
#define H 256

static void
check_freq (const char *what, int count, double p)
{
  check_freq_n (what, count, N_CLIPS, p);
}

static void
check_in_closed (double v, double lo, double hi)
{
  g_assert_cmpfloat (v, >=, lo);
  g_assert_cmpfloat (v, <=, hi);
}

static void
test_clip_frequencies (void)
{
  SrVsrConfig cfg;
  sr_vsr_config_realbasicvsr (&cfg);
  int kind1[SR_N_KERNEL_KINDS] = { 0 }, kind2[SR_N_KERNEL_KINDS] = { 0 };
  int size1[22] = { 0 }, sinc_size[22] = { 0 };
  int blur2 = 0, sinc = 0, interp[3][3] = { { 0 } }, updown[2][3] = { { 0 } };
  int gauss[2] = { 0 }, gray[2] = { 0 }, codec[2][3] = { { 0 } };
  int video_first = 0, q30 = 0, q62 = 0, q95 = 0, low_bitrate = 0, low_sigma = 0;

  for (int i = 0; i < N_CLIPS; i++) {
    SrVsrClip c;
    sr_vsr_clip_begin (&c, &cfg, 99, i, W, H, 4);
    g_assert_true (c.blur1.applied);
    kind1[c.blur1.kind]++;
    size1[c.blur1.size]++;
    if (c.blur2.applied) {
      blur2++;
      kind2[c.blur2.kind]++;
    }
    if (c.sinc.applied) {
      sinc++;
      g_assert_cmpint (c.sinc.kind, ==, SR_KERNEL_SINC);
      sinc_size[c.sinc.size]++;
      check_in (c.sinc.omega, 3.1416 / 3, 3.1416);
    }
    const SrVsrResize *rs[3] = { &c.resize1, &c.resize2, &c.resize_final };
    for (int k = 0; k < 3; k++)
      interp[k][rs[k]->interp]++;
    for (int k = 0; k < 2; k++) {
      const SrVsrResizeConfig *rc = k ? &cfg.resize2 : &cfg.resize1;
      updown[k][rs[k]->updown]++;
      if (rs[k]->updown == SR_UPDOWN_UP)
        check_in (rs[k]->scale, 1, rc->range[1]);
      else if (rs[k]->updown == SR_UPDOWN_DOWN)
        check_in (rs[k]->scale, rc->range[0], 1);
      else
        g_assert_cmpfloat (rs[k]->scale, ==, 1);
    }
    const SrVsrNoise *ns[2] = { &c.noise1, &c.noise2 };
    for (int k = 0; k < 2; k++) {
      gauss[k] += ns[k]->gaussian;
      gray[k] += ns[k]->gray;
    }
    if (c.noise1.gaussian) {
      check_in (c.noise1.sigma, 1, 30);
      low_sigma += c.noise1.sigma < 15.5;
    } else {
      check_in (c.noise1.scale, 0.05, 3);
    }
    codec[0][c.video1.codec]++;
    codec[1][c.video2.codec]++;
    check_in_closed (c.video1.bitrate, 10000, 100000);
    low_bitrate += c.video1.bitrate <= 55000;
    video_first += c.video_first;
    /* round(U[30, 95]): 30 and 95 get half a step each. */
    g_assert_cmpfloat (c.jpeg1.quality, ==, rint (c.jpeg1.quality));
    check_in_closed (c.jpeg1.quality, 30, 95);
    q30 += c.jpeg1.quality == 30;
    q62 += c.jpeg1.quality == 62;
    q95 += c.jpeg1.quality == 95;
  }
  static const char *kinds[] = { "iso", "aniso", "generalized-iso",
    "generalized-aniso", "plateau-iso", "plateau-aniso", "sinc" };
  for (int k = 0; k < SR_VSR_N_BLUR_KINDS; k++) {
    const SrKernelKind kk = k == SR_VSR_N_BLUR_KINDS - 1 ? SR_KERNEL_SINC : (SrKernelKind) k;
    gchar *what = g_strdup_printf ("blur 1 %s", kinds[k]);
    check_freq (what, kind1[kk], cfg.blur1.kind_prob[k]);
    g_free (what);
    what = g_strdup_printf ("blur 2 %s (of applied)", kinds[k]);
    check_freq_n (what, kind2[kk], blur2, cfg.blur2.kind_prob[k]);
    g_free (what);
  }
  for (int s = 7; s <= 21; s += 2) {
    check_freq ("blur 1 size", size1[s], 1.0 / 8);
    check_freq_n ("final sinc size", sinc_size[s], sinc, 1.0 / 8);
  }
  check_freq ("blur 2 gate", blur2, 0.8);
  check_freq ("final sinc gate", sinc, 0.8);
  for (int k = 0; k < 3; k++)
    for (int m = 0; m < 3; m++)
      check_freq ("resize interpolation", interp[k][m], 1.0 / 3);
  static const double updown_p[2][3] = { { 0.2, 0.7, 0.1 }, { 0.3, 0.4, 0.3 } };
  for (int k = 0; k < 2; k++) {
    for (int m = 0; m < 3; m++)
      check_freq ("resize up/down/keep", updown[k][m], updown_p[k][m]);
    check_freq ("noise gaussian", gauss[k], 0.5);
    check_freq ("noise gray", gray[k], 0.4);
    for (int m = 0; m < 3; m++)
      check_freq ("video codec", codec[k][m], 1.0 / 3);
  }
  check_freq_n ("noise 1 sigma < 15.5", low_sigma, gauss[0], 0.5);
  check_freq ("bitrate <= 55000", low_bitrate, 45001.0 / 90001);
  check_freq ("video compression first", video_first, 0.5);
  check_freq ("jpeg quality 30", q30, 0.5 / 65);
  check_freq ("jpeg quality 62", q62, 1.0 / 65);
  check_freq ("jpeg quality 95", q95, 0.5 / 65);
}

/* A walked value: inside [lo, hi], and at most step away from the last one. */
static void
check_walk (double prev, double v, double step, double lo, double hi)
{
  check_in_closed (v, lo, hi);
  g_assert_cmpfloat (fabs (v - prev), <=, step * (1 + 1e-12));
}

static void
test_walks (void)
{
  SrVsrConfig cfg;
  sr_vsr_config_realbasicvsr (&cfg);
  int moved_half = 0, steps = 0, kept_moved = 0, kept = 0;
  for (int i = 0; i < N_WALK_CLIPS; i++) {
    SrVsrClip c;
    sr_vsr_clip_begin (&c, &cfg, 7, i, W, H, 4);
    const SrVsrClip first = c;
    SrVsrFrame f, prev = { 0 };
    for (int t = 0; t < CLIP_FRAMES; t++) {
      sr_vsr_clip_next (&c, &cfg, &f);
      /* Fixed per clip. */
      g_assert_cmpint (c.blur1.kind, ==, first.blur1.kind);
      g_assert_cmpint (c.blur1.size, ==, first.blur1.size);
      g_assert_cmpint (c.noise1.gaussian, ==, first.noise1.gaussian);
      g_assert_cmpint (c.noise1.gray, ==, first.noise1.gray);
      g_assert_cmpint (c.resize1.interp, ==, first.resize1.interp);
      g_assert_cmpint (c.video1.codec, ==, first.video1.codec);
      g_assert_cmpint (c.video1.bitrate, ==, first.video1.bitrate);
      g_assert_cmpint (f.blur1.kind, ==, first.blur1.kind);
      if (t == 0) {
        g_assert_cmpfloat (f.blur1.sigma_x, ==, f.blur1.kind == SR_KERNEL_SINC ? 0
            : first.blur1.sigma_x);
        g_assert_cmpfloat (f.resize1_scale, ==, first.resize1.scale);
        g_assert_cmpfloat (f.jpeg1_quality, ==, first.jpeg1.quality);
      } else {
        const SrKernelKind k = f.blur1.kind;
        if (k != SR_KERNEL_SINC) {
          check_walk (prev.blur1.sigma_x, f.blur1.sigma_x, 0.02, 0.2, 3);
          if (prev.blur1.sigma_x > 0.22 && prev.blur1.sigma_x < 2.98) {  /* unclipped */
            steps++;
            moved_half += fabs (f.blur1.sigma_x - prev.blur1.sigma_x) > 0.01;
          }
        } else {
          double lo = first.blur1.size < 13 ? G_PI / 3 : G_PI / 5;
          check_walk (prev.blur1.omega, f.blur1.omega, 0.0628, lo, G_PI);
        }
        if (k == SR_KERNEL_ANISO || k == SR_KERNEL_GENERALIZED_ANISO
            || k == SR_KERNEL_PLATEAU_ANISO) {
          check_walk (prev.blur1.sigma_y, f.blur1.sigma_y, 0.02, 0.2, 3);
          check_walk (prev.blur1.theta, f.blur1.theta, 0.31416, -3.1416, 3.1416);
        }
        check_walk (prev.resize1_scale, f.resize1_scale, 0.015, 0.15, 1.5);
        check_walk (prev.resize2_scale, f.resize2_scale, 0.03, 0.3, 1.2);
        check_walk (prev.noise1_value, f.noise1_value, first.noise1.gaussian ? 0.1 : 0.005,
            first.noise1.gaussian ? 1 : 0.05, first.noise1.gaussian ? 30 : 3);
        check_walk (prev.noise2_value, f.noise2_value, first.noise2.gaussian ? 0.1 : 0.005,
            first.noise2.gaussian ? 1 : 0.05, first.noise2.gaussian ? 25 : 2.5);
        /* The quality re-rounds after its +-3 step: at most 3 apart. */
        check_walk (prev.jpeg1_quality, f.jpeg1_quality, 3, 30, 95);
        check_walk (prev.jpeg2_quality, f.jpeg2_quality, 3, 30, 95);
        if (first.resize1.updown == SR_UPDOWN_KEEP) {
          kept++;
          kept_moved += f.resize1_scale != 1;
        }
        if (f.sinc.kind == SR_KERNEL_SINC)
          check_walk (prev.sinc.omega, f.sinc.omega, 0.0628, 3.1416 / 3, 3.1416);
      }
      g_assert_cmpfloat (f.jpeg1_quality, ==, rint (f.jpeg1_quality));
      /* mmagic's redrawn beta lies between the walked beta and 1. */
      if (f.blur1.kind == SR_KERNEL_GENERALIZED_ISO || f.blur1.kind == SR_KERNEL_GENERALIZED_ANISO)
        check_in_closed (f.blur1.beta, 0.5, 4);
      if (f.blur1.kind == SR_KERNEL_PLATEAU_ISO || f.blur1.kind == SR_KERNEL_PLATEAU_ANISO)
        check_in_closed (f.blur1.beta, 1, 2);
      /* Even sizes from the first frame's size (resize 2: frame 0 after
       * resize 1). */
      g_assert_cmpint (f.resize1_w % 2, ==, 0);
      g_assert_cmpint (f.resize1_w, ==, MAX (2 * (int) floor (W * f.resize1_scale / 2), 2));
      g_assert_cmpint (f.resize2_h, ==, MAX (2 * (int) floor (c.resize2_base_h
                  * f.resize2_scale / 2), 2));
      if (t == 0) {
        g_assert_cmpint (c.resize2_base_w, ==, f.resize1_w);
        g_assert_cmpint (c.resize2_base_h, ==, f.resize1_h);
      }
      prev = f;
    }
  }
  /* U(-step, step): half the unclipped steps move by more than half a step. */
  check_freq_n ("sigma steps > step / 2", moved_half, steps, 0.5);
  /* A 'keep' clip drifts away from scale 1 after its first frame. */
  g_assert_cmpint (kept, >, 0);
  g_assert_cmpint (kept_moved, ==, kept);
}

static void
test_beta_redraw (void)
{
  /* Generalized kernels: a fresh beta between the walked b and 1 each frame,
   * below 1 about as often as b is (b ~ U[0.5, 4], P(b < 1) = 1/7). */
  SrVsrConfig cfg;
  sr_vsr_config_realbasicvsr (&cfg);
  int n = 0, below = 0, changed = 0;
  for (int i = 0; n < 3000; i++) {
    SrVsrClip c;
    sr_vsr_clip_begin (&c, &cfg, 11, i, W, H, 4);
    if (c.blur1.kind != SR_KERNEL_GENERALIZED_ISO && c.blur1.kind != SR_KERNEL_GENERALIZED_ANISO)
      continue;
    const double b = c.blur1.beta_g;
    SrVsrFrame f0, f1;
    sr_vsr_clip_next (&c, &cfg, &f0);
    sr_vsr_clip_next (&c, &cfg, &f1);
    check_in_closed (f0.blur1.beta, MIN (b, 1), MAX (b, 1));
    changed += f0.blur1.beta != f1.blur1.beta;
    below += f0.blur1.beta < 1;
    n++;
  }
  check_freq_n ("generalized beta < 1", below, n, 0.5 / 3.5);
  g_assert_cmpint (changed, ==, n);
}

static void
test_deterministic (void)
{
  SrVsrConfig cfg;
  sr_vsr_config_realbasicvsr (&cfg);
  SrVsrClip a, b, other;
  sr_vsr_clip_begin (&a, &cfg, 5, 3, W, H, 4);
  sr_vsr_clip_begin (&b, &cfg, 5, 3, W, H, 4);
  sr_vsr_clip_begin (&other, &cfg, 5, 4, W, H, 4);
  g_assert_true (a.blur1.sigma_x != other.blur1.sigma_x);
  for (int t = 0; t < CLIP_FRAMES; t++) {
    SrVsrFrame fa, fb;
    sr_vsr_clip_next (&a, &cfg, &fa);
    sr_vsr_clip_next (&b, &cfg, &fb);
    g_assert_cmpfloat (fa.blur1.sigma_x, ==, fb.blur1.sigma_x);
    g_assert_cmpfloat (fa.blur1.beta, ==, fb.blur1.beta);
    g_assert_cmpfloat (fa.blur2.omega, ==, fb.blur2.omega);
    g_assert_cmpfloat (fa.sinc.omega, ==, fb.sinc.omega);
    g_assert_cmpfloat (fa.resize1_scale, ==, fb.resize1_scale);
    g_assert_cmpfloat (fa.resize2_scale, ==, fb.resize2_scale);
    g_assert_cmpfloat (fa.noise1_value, ==, fb.noise1_value);
    g_assert_cmpfloat (fa.noise2_value, ==, fb.noise2_value);
    g_assert_cmpfloat (fa.jpeg1_quality, ==, fb.jpeg1_quality);
    g_assert_cmpfloat (fa.jpeg2_quality, ==, fb.jpeg2_quality);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/vsr-sampler/clip-frequencies", test_clip_frequencies);
  g_test_add_func ("/vsr-sampler/walks", test_walks);
  g_test_add_func ("/vsr-sampler/beta-redraw", test_beta_redraw);
  g_test_add_func ("/vsr-sampler/deterministic", test_deterministic);
  return g_test_run ();
}
