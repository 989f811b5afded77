/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The bsrgan / bsrgan-plus samplers against the distributions of KAIR's
 * utils_blindsr.py degradation_bsrgan and degradation_bsrgan_plus: over N
 * frames every gate, branch, interpolation, kernel size, noise level and
 * JPEG quality has the frequency of its distribution within 4.5 binomial
 * standard errors; every parameter is inside its range; op 2 always runs
 * before op 3; sizes end at HR/sf; the same (seed, index) gives the same
 * draw. Also the correlated noise factor against its defining identity
 * (F^T F)^2 = S^2, and the Jacobi eigen-solver against reconstruction. */
#include "sampler_check.h"
#include <math.h>
#include <string.h>
#include "sr_bsrgan.h"
#include "sr_philox.h"

#define N 24000

typedef struct {
  int n_blur, aniso, ksize[26];
  int n_noise, branch[3], level[26];
  int n_jpeg, quality[96];
  int n_interp, interp[4];
} Common;

static void
count_blur (Common *c, const SrBsrStep *st, int sf)
{
  c->n_blur++;
  c->aniso += st->aniso;
  g_assert (st->ksize >= 7 && st->ksize <= 25 && st->ksize % 2 == 1);
  c->ksize[st->ksize]++;
  if (st->aniso) {
    check_in (st->l1, 0, 4 + sf);
    check_in (st->l2, 0, 4 + sf);
    check_in (st->theta, 0, G_PI);
  } else {
    check_in (st->sigma, 0, 2 + 0.2 * sf);
  }
}

static void
count_gaussian_like (Common *c, const SrBsrStep *st)
{
  c->n_noise++;
  c->branch[st->branch]++;
  g_assert (st->level >= 2 && st->level <= 25);
  c->level[st->level]++;
}

static void
count_jpeg (Common *c, const SrBsrStep *st)
{
  g_assert (st->quality >= 30 && st->quality <= 95);
  c->n_jpeg++;
  c->quality[st->quality]++;
}

static void
count_interp (Common *c, const SrBsrStep *st)
{
  g_assert (st->interp >= 1 && st->interp <= 3);
  c->n_interp++;
  c->interp[st->interp]++;
}

static void
check_common (const Common *c)
{
  char what[64];
  check_freq_n ("blur: anisotropic", c->aniso, c->n_blur, 0.5);
  for (int k = 7; k <= 25; k += 2) {
    g_snprintf (what, sizeof what, "blur: ksize %d", k);
    check_freq_n (what, c->ksize[k], c->n_blur, 0.1);
  }
  if (c->n_noise) {
    check_freq_n ("gaussian-like: colour", c->branch[SR_BSR_BRANCH_COLOUR], c->n_noise, 0.4);
    check_freq_n ("gaussian-like: gray", c->branch[SR_BSR_BRANCH_GRAY], c->n_noise, 0.4);
    check_freq_n ("gaussian-like: correlated", c->branch[SR_BSR_BRANCH_CORRELATED],
        c->n_noise, 0.2);
    for (int l = 2; l <= 25; l++) {
      g_snprintf (what, sizeof what, "noise level %d", l);
      check_freq_n (what, c->level[l], c->n_noise, 1.0 / 24);
    }
  }
  for (int q = 30; q <= 95; q++) {
    g_snprintf (what, sizeof what, "jpeg quality %d", q);
    check_freq_n (what, c->quality[q], c->n_jpeg, 1.0 / 66);
  }
  for (int i = 1; i <= 3; i++) {
    g_snprintf (what, sizeof what, "cv2 interp %d", i);
    check_freq_n (what, c->interp[i], c->n_interp, 1.0 / 3);
  }
}

static void
check_sizes (const SrBsrDraw *d)
{
  int w = d->hr_w, h = d->hr_h;
  for (int i = 0; i < d->n_steps; i++) {
    const SrBsrStep *st = &d->steps[i];
    g_assert_cmpint (st->in_w, ==, w);
    g_assert_cmpint (st->in_h, ==, h);
    w = st->out_w;
    h = st->out_h;
  }
  g_assert_cmpint (w, ==, d->hr_w / d->sf_ori);
  g_assert_cmpint (h, ==, d->hr_h / d->sf_ori);
}

static void
check_permutation (const int *order, int n)
{
  int seen[13] = { 0 };
  for (int i = 0; i < n; i++)
    seen[order[i]]++;
  for (int i = 0; i < n; i++)
    g_assert_cmpint (seen[i], ==, 1);
}

static void
test_bsrgan (gconstpointer data)
{
  const int sf = GPOINTER_TO_INT (data), size = 64 * sf;
  Common c = { 0 };
  int pre = 0, pre_matlab = 0, pre_interp[4] = { 0 }, op2_resize = 0;
  int op5_gate = 0, isp_gate = 0, pos[7][7] = { { 0 } }, final_jpeg = 0;
  for (int n = 0; n < N; n++) {
    SrBsrDraw d;
    sr_bsrgan_sample (FALSE, sf, 42, n, size, size, &d);
    check_sizes (&d);
    check_permutation (d.order, 7);
    int p2 = -1, p3 = -1;
    for (int i = 0; i < 7; i++) {
      pos[d.order[i]][i]++;
      p2 = d.order[i] == 2 ? i : p2;
      p3 = d.order[i] == 3 ? i : p3;
    }
    g_assert_cmpint (p2, <, p3);
    const int wsf = d.sf;
    g_assert_cmpint (wsf, ==, (sf == 4 && d.steps[0].slot == -1) ? 2 : sf);
    int seen2 = 0;
    for (int i = 0; i < d.n_steps; i++) {
      const SrBsrStep *st = &d.steps[i];
      switch (st->slot) {
        case -1:
          g_assert_cmpint (i, ==, 0);
          pre++;
          if (st->interp == SR_BSR_INTERP_MATLAB)
            pre_matlab++;
          else
            pre_interp[st->interp]++;
          g_assert_cmpint (st->out_w, ==, size / 2);
          break;
        case 0:
        case 1:
          count_blur (&c, st, wsf);
          break;
        case 2:
          seen2 = 1;
          if (st->kind == SR_BSR_STEP_RESIZE) {
            op2_resize++;
            check_in (st->sf1, 1, 2.0 * wsf);
            count_interp (&c, st);
          } else {
            g_assert_cmpint (st->kind, ==, SR_BSR_STEP_SHIFT_DECIMATE);
            g_assert_cmpint (st->ksize, ==, 25);
            g_assert_cmpint (st->sf, ==, wsf);
            check_in (st->sigma, 0.1, 0.6 * wsf);
          }
          break;
        case 3:
          g_assert (seen2);
          count_interp (&c, st);
          g_assert_cmpint (st->out_w, ==, size / sf);
          break;
        case 4:
          g_assert_cmpint (st->noise, ==, SR_BSR_NOISE_GAUSSIAN);
          count_gaussian_like (&c, st);
          break;
        case 5:
          if (st->kind == SR_BSR_STEP_JPEG) {
            op5_gate++;
            count_jpeg (&c, st);
          }
          break;
        case 6:
          isp_gate += st->gate;
          break;
        case 99:
          g_assert_cmpint (i, ==, d.n_steps - 1);
          g_assert_cmpint (st->kind, ==, SR_BSR_STEP_JPEG);
          final_jpeg++;
          count_jpeg (&c, st);
          break;
        default:
          g_assert_not_reached ();
      }
    }
  }
  check_freq_n ("pre-halving", pre, N, sf == 4 ? 0.25 : 0);
  if (sf == 4) {
    check_freq_n ("pre-halving: MATLAB | pre", pre_matlab, pre, 0.5);
    for (int i = 1; i <= 3; i++)
      check_freq_n ("pre-halving: cv2 interp | cv2", pre_interp[i], pre - pre_matlab,
          1.0 / 3);
  }
  check_freq_n ("op 2: resize branch", op2_resize, N, 0.75);
  check_freq_n ("op 5: JPEG gate", op5_gate, N, 0.9);
  check_freq_n ("op 6: ISP gate (no effect)", isp_gate, N, 0.25);
  check_freq_n ("final JPEG", final_jpeg, N, 1);
  /* The swap only exchanges 2 and 3, so the other ops stay uniform. */
  const int others[] = { 0, 1, 4, 5, 6 };
  for (int k = 0; k < 5; k++)
    for (int i = 0; i < 7; i++)
      check_freq_n ("op position", pos[others[k]][i], N, 1.0 / 7);
  /* P(op 2 first) = P(min of 2 and 3's slots is 0) = 2/7. */
  check_freq_n ("op 2 at position 0", pos[2][0], N, 2.0 / 7);
  check_freq_n ("op 3 at position 0", pos[3][0], N, 0);
  check_common (&c);
}

static void
test_plus (gconstpointer data)
{
  const int sf = GPOINTER_TO_INT (data), size = sr_bsrgan_min_hr_size (TRUE, sf);
  Common c = { 0 };
  int shuffled = 0, n_resize = 0, updown[3] = { 0 }, poisson = 0, speckle = 0;
  int poisson_gray = 0, vals_low = 0, isp = 0, keep_local = 0;
  Common sp = { 0 };
  for (int n = 0; n < N; n++) {
    SrBsrDraw d;
    sr_bsrgan_sample (TRUE, sf, 7, n, size, size, &d);
    check_sizes (&d);
    check_permutation (d.order, 13);
    g_assert_cmpint (d.min_side, >=, SR_BSRGAN_MIN_SIDE);
    shuffled += d.shuffled;
    if (!d.shuffled) {
      /* identity with local shuffles of 2..5 and 9..12 */
      static const int fixed[] = { 0, 1, 6, 7, 8 };
      for (int k = 0; k < 5; k++)
        g_assert_cmpint (d.order[fixed[k]], ==, fixed[k]);
      for (int i = 2; i <= 5; i++)
        g_assert (d.order[i] >= 2 && d.order[i] <= 5);
      keep_local += d.order[2] == 2;
    }
    for (int i = 0; i < d.n_steps; i++) {
      const SrBsrStep *st = &d.steps[i];
      switch (st->slot) {
        case 0:
        case 7:
          count_blur (&c, st, sf);
          break;
        case 1:
        case 8:
          n_resize++;
          count_interp (&c, st);
          if (st->sf1 > 1) {
            updown[0]++;
            check_in (st->sf1, 1, 2);
          } else if (st->sf1 < 1) {
            updown[1]++;
            check_in (st->sf1, 0.5 / sf, 1);
          } else {
            updown[2]++;
            g_assert_cmpstr (st->direction, ==, "keep");
          }
          break;
        case 2:
        case 9:
          count_gaussian_like (&c, st);
          break;
        case 3:
        case 10:
          if (st->kind == SR_BSR_STEP_NOISE) {
            poisson++;
            check_in (st->vals, 100, 10000);
            vals_low += st->vals < 1000;
            poisson_gray += st->branch == SR_BSR_BRANCH_GRAY;
          }
          break;
        case 4:
        case 11:
          if (st->kind == SR_BSR_STEP_NOISE) {
            speckle++;
            g_assert_cmpint (st->noise, ==, SR_BSR_NOISE_SPECKLE);
            count_gaussian_like (&sp, st);
          }
          break;
        case 5:
        case 12:
          isp += st->gate;
          break;
        case 6:
          count_jpeg (&c, st);
          break;
        case 99:
          if (st->kind == SR_BSR_STEP_RESIZE)
            count_interp (&c, st);
          else
            count_jpeg (&c, st);
          break;
        default:
          g_assert_not_reached ();
      }
    }
  }
  check_freq_n ("full shuffle", shuffled, N, SR_BSRGAN_PLUS_SHUFFLE_PROB);
  check_freq_n ("local shuffle keeps slot 2 first", keep_local, N - shuffled, 0.25);
  check_freq_n ("add_resize: up", updown[0], n_resize, 0.2);
  check_freq_n ("add_resize: down", updown[1], n_resize, 0.7);
  check_freq_n ("add_resize: keep", updown[2], n_resize, 0.1);
  check_freq_n ("Poisson gate", poisson, 2 * N, 0.1);
  check_freq_n ("Poisson: gray", poisson_gray, poisson, 0.5);
  check_freq_n ("Poisson: vals < 1000 (log-uniform)", vals_low, poisson, 0.5);
  check_freq_n ("speckle gate", speckle, 2 * N, 0.1);
  check_freq_n ("ISP gate (no effect)", isp, 2 * N, 0.1);
  check_freq_n ("speckle: colour", sp.branch[SR_BSR_BRANCH_COLOUR], sp.n_noise, 0.4);
  check_freq_n ("speckle: gray", sp.branch[SR_BSR_BRANCH_GRAY], sp.n_noise, 0.4);
  check_freq_n ("speckle: correlated", sp.branch[SR_BSR_BRANCH_CORRELATED], sp.n_noise, 0.2);
  g_assert_cmpint (c.n_jpeg, ==, 2 * N);
  check_common (&c);
}

static void
test_min_size (void)
{
  /* At the minimum every intermediate keeps >= 1 px, whatever is drawn.
   * bsrgan: op 2 divides by sf1 < 2 sf (drawable up to 2 sf in double), so
   * 2 sf px can end at 1 and sf at 0; bsrgan-plus: two resizes by 0.5/sf
   * take 4 sf^2 px to 1 and 4 sf^2 - sf to 0. */
  for (int plus = 0; plus <= 1; plus++)
    for (int sf = 2; sf <= 4; sf++) {
      const int m = sr_bsrgan_min_hr_size (plus, sf);
      g_assert_cmpint (m % sf, ==, 0);
      g_assert_cmpint (m, ==, plus ? 4 * sf * sf : 2 * sf);
      g_test_message ("min HR side, %s x%d: %d", plus ? "bsrgan-plus" : "bsrgan", sf, m);
      int lowest = G_MAXINT;
      for (int n = 0; n < 4000; n++) {
        SrBsrDraw d;
        sr_bsrgan_sample (plus, sf, 99, n, m, m, &d);
        lowest = MIN (lowest, d.min_side);
      }
      g_assert_cmpint (lowest, >=, SR_BSRGAN_MIN_SIDE);
    }
}

static void
test_determinism (void)
{
  for (int plus = 0; plus <= 1; plus++) {
    SrBsrDraw a, b, c;
    sr_bsrgan_sample (plus, 4, 5, 17, 1024, 1024, &a);
    sr_bsrgan_sample (plus, 4, 5, 17, 1024, 1024, &b);
    sr_bsrgan_sample (plus, 4, 5, 18, 1024, 1024, &c);
    g_assert (memcmp (&a, &b, sizeof a) == 0);
    g_assert (memcmp (&a, &c, sizeof a) != 0);
  }
}

static void
mat_mul (const double *a, const double *b, double *out)
{
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      out[3 * i + j] = a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j];
}

static void
test_correlated_factor (void)
{
  SrRng r;
  sr_rng_init (&r, 1, 2, 3);
  int indefinite = 0;
  for (int n = 0; n < 2000; n++) {
    double d[3], a[9], f[9], s[9], ft[9], ftf[9], l[3], v[9];
    for (int i = 0; i < 3; i++)
      d[i] = sr_rng_uniform (&r);
    for (int i = 0; i < 9; i++)
      a[i] = sr_rng_uniform (&r);
    /* Jacobi: m = v diag(l) v^T, |l| descending. */
    double aat[9], at[9];
    for (int i = 0; i < 9; i++)
      at[i] = a[3 * (i % 3) + i / 3];
    mat_mul (a, at, aat);
    sr_sym3_eigen (aat, l, v);
    g_assert_cmpfloat (fabs (l[0]), >=, fabs (l[1]));
    g_assert_cmpfloat (fabs (l[1]), >=, fabs (l[2]));
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) {
        double m = 0;
        for (int k = 0; k < 3; k++)
          m += v[3 * i + k] * l[k] * v[3 * j + k];
        g_assert_cmpfloat (fabs (m - aat[3 * i + j]), <, 1e-12);
      }
    sr_bsrgan_correlated_factor (d, a, f, s);
    for (int i = 0; i < 9; i++) {
      ft[i] = f[3 * (i % 3) + i / 3];
      g_assert_cmpfloat (s[i], >=, 0);
      g_assert_cmpfloat (fabs (s[i] - s[3 * (i % 3) + i / 3]), <, 1e-15);
    }
    /* F^T F = sum |lambda| e e^T, so (F^T F)^2 = S^2, and F^T F = S when S
     * is PSD (NumPy's factor realises S exactly then). */
    double s2[9], c2[9];
    mat_mul (ft, f, ftf);
    mat_mul (ftf, ftf, c2);
    mat_mul (s, s, s2);
    const double scale = s[0] + s[4] + s[8];
    for (int i = 0; i < 9; i++)
      g_assert_cmpfloat (fabs (c2[i] - s2[i]), <, 1e-12 * scale * scale);
    sr_sym3_eigen (s, l, v);
    if (l[2] < -1e-12 * scale) {
      indefinite++;
    } else {
      for (int i = 0; i < 9; i++)
        g_assert_cmpfloat (fabs (ftf[i] - s[i]), <, 1e-9 * scale);
    }
  }
  g_test_message ("indefinite S in %d of 2000 draws", indefinite);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (int sf = 2; sf <= 4; sf++) {
    char path[64];
    g_snprintf (path, sizeof path, "/bsrgan/sampler/x%d", sf);
    g_test_add_data_func (path, GINT_TO_POINTER (sf), test_bsrgan);
    g_snprintf (path, sizeof path, "/bsrgan-plus/sampler/x%d", sf);
    g_test_add_data_func (path, GINT_TO_POINTER (sf), test_plus);
  }
  g_test_add_func ("/bsrgan/min-size", test_min_size);
  g_test_add_func ("/bsrgan/determinism", test_determinism);
  g_test_add_func ("/bsrgan/correlated-factor", test_correlated_factor);
  return g_test_run ();
}
