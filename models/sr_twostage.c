/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_twostage.h"
#include "sr_blur_kernels.h"
#include "sr_philox.h"
#include "sr_status.h"

#include <math.h>

/* Op id of the parameter stream: Philox keyed by seed, frame (or clip) and
 * op, so draws do not depend on threads or tiles; one stream per frame (or
 * clip) for every host-side draw of this family. */
#define TWOSTAGE_RNG_OP 0x32737467u     /* "2stg" */

void
sr_twostage_config_realesrgan (SrTwoStageConfig *cfg)
{
  /* Real-ESRGAN options/train_realesrgan_x4plus.yml; x2plus is identical. */
  static const SrStageConfig s1 = {
    .ksize_min = 7, .ksize_max = 21, .sinc_prob = 0.1,
    .kernel_prob = { 0.45, 0.25, 0.12, 0.03, 0.12, 0.03 },
    .sigma = { 0.2, 3 }, .betag = { 0.5, 4 }, .betap = { 1, 2 },
    .resize_prob = { 0.2, 0.7, 0.1 }, .resize_range = { 0.15, 1.5 },
    .gaussian_prob = 0.5, .noise_sigma = { 1, 30 },
    .poisson_scale = { 0.05, 3 }, .gray_prob = 0.4, .jpeg_range = { 30, 95 },
  };
  static const SrStageConfig s2 = {
    .ksize_min = 7, .ksize_max = 21, .sinc_prob = 0.1,
    .kernel_prob = { 0.45, 0.25, 0.12, 0.03, 0.12, 0.03 },
    .sigma = { 0.2, 1.5 }, .betag = { 0.5, 4 }, .betap = { 1, 2 },
    .resize_prob = { 0.3, 0.4, 0.3 }, .resize_range = { 0.3, 1.2 },
    .gaussian_prob = 0.5, .noise_sigma = { 1, 25 },
    .poisson_scale = { 0.05, 2.5 }, .gray_prob = 0.4, .jpeg_range = { 30, 95 },
  };
  cfg->n_stages = 2;
  cfg->kernel_pad = 21;
  cfg->stage[0] = s1;
  cfg->stage[1] = s2;
  cfg->second_blur_prob = 0.8;
  cfg->final_sinc_prob = 0.8;
  cfg->final_reuses_mode = FALSE;
}

void
sr_twostage_config_hggt (SrTwoStageConfig *cfg)
{
  /* HGGT PosNegGTSR/options/train/PosNegGTSR/train_*_Blind_x4.yml. */
  static const SrStageConfig s1 = {
    .ksize_min = 3, .ksize_max = 9, .sinc_prob = 0.01,
    .kernel_prob = { 0.7, 0.3, 0, 0, 0, 0 },
    .sigma = { 0.1, 1.0 }, .betag = { 0.5, 4 }, .betap = { 1, 2 },
    .resize_prob = { 0.1, 0.85, 0.05 }, .resize_range = { 0.8, 1.2 },
    .gaussian_prob = 0.5, .noise_sigma = { 1, 12 },
    .poisson_scale = { 0.05, 0.8 }, .gray_prob = 0.2, .jpeg_range = { 75, 95 },
  };
  cfg->n_stages = 1;
  cfg->kernel_pad = 9;
  cfg->stage[0] = s1;
  cfg->stage[1] = s1;
  cfg->second_blur_prob = 0;
  cfg->final_sinc_prob = 0;
  cfg->final_reuses_mode = TRUE;
}

/* Smallest n with floor(n * f) >= need. */
static int
min_len_for (double f, int need)
{
  int n = (int) ceil (need / f);
  while (floor (n * f) < need)
    n++;
  return n;
}

int
sr_twostage_min_hr_size (const SrTwoStageConfig *cfg, int scale)
{
  /* PyTorch's reflect padding needs every blurred dimension > pad. */
  const int need = cfg->kernel_pad / 2 + 1;
  const SrStageConfig *s1 = &cfg->stage[0];
  int min = MAX (min_len_for (MIN (s1->resize_range[0], 1.0), need), scale);
  if (cfg->n_stages > 1) {
    /* Stage 2 resizes to int(HR/scale * f2): HR/scale must be such that the
     * smallest f2 still leaves `need` pixels. */
    const int lr = min_len_for (MIN (cfg->stage[1].resize_range[0], 1.0), need);
    min = MAX (min, lr * scale);
  }
  if (cfg->final_sinc_prob > 0)
    min = MAX (min, need * scale);      /* the final sinc runs at HR/scale */
  return min;
}

static gboolean
check_range (const double r[2], double lo, double hi, const char *what, int stage,
    GError **error)
{
  if (r[0] >= lo && r[1] <= hi && r[0] <= r[1])
    return TRUE;
  g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
      "stage %d %s range [%g, %g] must lie in [%g, %g] with min <= max", stage,
      what, r[0], r[1], lo, hi);
  return FALSE;
}

static gboolean
check_prob (double p, const char *what, int stage, GError **error)
{
  if (p >= 0 && p <= 1)
    return TRUE;
  g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
      "stage %d %s=%g must be a probability in [0, 1]", stage, what, p);
  return FALSE;
}

gboolean
sr_twostage_config_check (const SrTwoStageConfig *cfg, GError **error)
{
  if (cfg->n_stages < 1 || cfg->n_stages > 2 || cfg->kernel_pad < 1
      || cfg->kernel_pad % 2 == 0 || cfg->kernel_pad > SR_MAX_KERNEL) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "stages must be 1 or 2 and the kernel padding odd and <= %d", SR_MAX_KERNEL);
    return FALSE;
  }
  if (!check_prob (cfg->second_blur_prob, "second-blur-prob", 2, error)
      || !check_prob (cfg->final_sinc_prob, "final-sinc-prob", 2, error))
    return FALSE;
  for (int i = 0; i < cfg->n_stages; i++) {
    const SrStageConfig *s = &cfg->stage[i];
    double wsum = 0, rsum = s->resize_prob[0] + s->resize_prob[1] + s->resize_prob[2];
    for (int k = 0; k < SR_N_MIXED_KERNELS; k++) {
      if (s->kernel_prob[k] < 0)
        wsum = -1;
      if (wsum >= 0)
        wsum += s->kernel_prob[k];
    }
    if (s->ksize_min < 1 || s->ksize_min % 2 == 0 || s->ksize_max % 2 == 0
        || s->ksize_max < s->ksize_min || s->ksize_max > cfg->kernel_pad) {
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "stage %d kernel sizes %d..%d must be odd, ordered and <= the padding %d",
          i + 1, s->ksize_min, s->ksize_max, cfg->kernel_pad);
      return FALSE;
    }
    if (wsum <= 0 || rsum <= 0 || s->resize_prob[0] < 0 || s->resize_prob[1] < 0
        || s->resize_prob[2] < 0) {
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "stage %d kernel and resize weights must be >= 0 with a positive sum",
          i + 1);
      return FALSE;
    }
    if (!check_prob (s->sinc_prob, "sinc-prob", i + 1, error)
        || !check_prob (s->gaussian_prob, "gaussian-noise-prob", i + 1, error)
        || !check_prob (s->gray_prob, "gray-noise-prob", i + 1, error)
        || !check_range (s->sigma, 1e-3, 50, "blur-sigma", i + 1, error)
        || !check_range (s->betag, 1e-3, 1e3, "betag", i + 1, error)
        || !check_range (s->betap, 1e-3, 1e3, "betap", i + 1, error)
        || !check_range (s->resize_range, 0.01, 16, "resize", i + 1, error)
        || !check_range (s->noise_sigma, 0, 255, "noise-sigma", i + 1, error)
        || !check_range (s->poisson_scale, 0, 100, "poisson-scale", i + 1, error)
        || !check_range (s->jpeg_range, 1, 100, "jpeg", i + 1, error))
      return FALSE;
    if (s->betag[0] > 1 || s->betag[1] < 1 || s->betap[0] > 1 || s->betap[1] < 1
        || s->resize_range[0] > 1 || s->resize_range[1] < 1) {
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "stage %d beta and resize ranges must contain 1 (they are drawn "
          "below and above 1)", i + 1);
      return FALSE;
    }
  }
  return TRUE;
}

/* ---- sampling ------------------------------------------------------------ */

/* random.choices(population, weights): one U[0,1) draw, bisected. */
static int
weighted_choice (SrRng *r, const double *w, int n)
{
  double total = 0;
  for (int i = 0; i < n; i++)
    total += w[i];
  const double x = sr_rng_uniform (r) * total;
  double acc = 0;
  for (int i = 0; i < n; i++) {
    acc += w[i];
    if (x < acc)
      return i;
  }
  for (int i = n - 1; i >= 0; i--)   /* rounding at the top: last non-zero */
    if (w[i] > 0)
      return i;
  return n - 1;
}

static double
beta_draw (SrRng *r, const double range[2])
{
  /* np uniform() < 0.5 -> U[lo, 1), else U[1, hi): U[1, 1) is exactly 1. */
  if (sr_rng_uniform (r) < 0.5)
    return sr_rng_range (r, range[0], 1);
  return sr_rng_range (r, 1, range[1]);
}

/* BasicSR's kernel draw (realesrgan_dataset.py __getitem__,
 * degradations.py random_mixed_kernels), in upstream's order. */
static void
sample_kernel (SrRng *r, const SrStageConfig *s, SrKernelDraw *k)
{
  const int n_sizes = (s->ksize_max - s->ksize_min) / 2 + 1;
  *k = (SrKernelDraw) { 0 };
  k->size = s->ksize_min + 2 * (int) sr_rng_int (r, 0, n_sizes - 1);
  if (sr_rng_uniform (r) < s->sinc_prob) {
    k->kind = SR_KERNEL_SINC;
    k->omega = k->size < 13 ? sr_rng_range (r, G_PI / 3, G_PI)
        : sr_rng_range (r, G_PI / 5, G_PI);
    return;
  }
  k->kind = (SrKernelKind) weighted_choice (r, s->kernel_prob, SR_N_MIXED_KERNELS);
  k->sigma_x = sr_rng_range (r, s->sigma[0], s->sigma[1]);
  k->sigma_y = k->sigma_x;
  const gboolean aniso = k->kind == SR_KERNEL_ANISO
      || k->kind == SR_KERNEL_GENERALIZED_ANISO || k->kind == SR_KERNEL_PLATEAU_ANISO;
  if (aniso) {
    k->sigma_y = sr_rng_range (r, s->sigma[0], s->sigma[1]);
    k->theta = sr_rng_range (r, -G_PI, G_PI);
  }
  if (k->kind == SR_KERNEL_GENERALIZED_ISO || k->kind == SR_KERNEL_GENERALIZED_ANISO)
    k->beta = beta_draw (r, s->betag);
  else if (k->kind == SR_KERNEL_PLATEAU_ISO || k->kind == SR_KERNEL_PLATEAU_ANISO)
    k->beta = beta_draw (r, s->betap);
}

static void
sample_resize (SrRng *r, const SrStageConfig *s, SrStageDraw *d)
{
  d->updown = (SrUpDown) weighted_choice (r, s->resize_prob, 3);
  if (d->updown == SR_UPDOWN_UP)
    d->resize_scale = sr_rng_range (r, 1, s->resize_range[1]);
  else if (d->updown == SR_UPDOWN_DOWN)
    d->resize_scale = sr_rng_range (r, s->resize_range[0], 1);
  else
    d->resize_scale = 1;
  d->mode = (SrTorchMode) sr_rng_int (r, 0, 2);
}

static void
sample_noise (SrRng *r, const SrStageConfig *s, SrStageDraw *d)
{
  d->gaussian = sr_rng_uniform (r) < s->gaussian_prob;
  if (d->gaussian)
    d->noise_sigma = sr_rng_range (r, s->noise_sigma[0], s->noise_sigma[1]);
  else
    d->poisson_scale = sr_rng_range (r, s->poisson_scale[0], s->poisson_scale[1]);
  d->gray = sr_rng_uniform (r) < s->gray_prob;
}

void
sr_twostage_sample (const SrTwoStageConfig *cfg, int scale, guint64 seed,
    guint64 index, int w, int h, SrTwoStageDraw *out)
{
  SrRng r;
  sr_rng_init (&r, seed, index, TWOSTAGE_RNG_OP);
  *out = (SrTwoStageDraw) { 0 };
  out->n_stages = cfg->n_stages;
  out->hr_w = w;
  out->hr_h = h;
  out->lr_w = w / scale;
  out->lr_h = h / scale;

  /* Dataset side (realesrgan_dataset.py __getitem__): kernel 1, kernel 2,
   * final sinc. */
  for (int i = 0; i < cfg->n_stages; i++)
    sample_kernel (&r, &cfg->stage[i], &out->stage[i].kernel);
  if (cfg->final_sinc_prob > 0) {
    out->final_sinc = sr_rng_uniform (&r) < cfg->final_sinc_prob;
    out->sinc.kind = SR_KERNEL_PULSE;
    out->sinc.size = cfg->kernel_pad;
    if (out->final_sinc) {
      const SrStageConfig *s = &cfg->stage[cfg->n_stages - 1];
      const int n_sizes = (s->ksize_max - s->ksize_min) / 2 + 1;
      out->sinc.kind = SR_KERNEL_SINC;
      out->sinc.size = s->ksize_min + 2 * (int) sr_rng_int (&r, 0, n_sizes - 1);
      out->sinc.omega = sr_rng_range (&r, G_PI / 3, G_PI);
    }
  }

  /* Model side (realesrgan_model.py feed_data). */
  int cur_w = w, cur_h = h;
  for (int i = 0; i < cfg->n_stages; i++) {
    const SrStageConfig *s = &cfg->stage[i];
    SrStageDraw *d = &out->stage[i];
    d->blur = i == 0 || sr_rng_uniform (&r) < cfg->second_blur_prob;
    sample_resize (&r, s, d);
    if (i == 0) {
      /* F.interpolate's scale_factor path: floor(in * s). */
      d->resize_w = (int) floor (cur_w * d->resize_scale);
      d->resize_h = (int) floor (cur_h * d->resize_scale);
    } else {
      /* size path, relative to the final LR size: int(ori / scale * s2). */
      d->resize_w = (int) ((double) w / scale * d->resize_scale);
      d->resize_h = (int) ((double) h / scale * d->resize_scale);
    }
    d->resize_w = MAX (d->resize_w, 1);
    d->resize_h = MAX (d->resize_h, 1);
    cur_w = d->resize_w;
    cur_h = d->resize_h;
    sample_noise (&r, s, d);
    /* Only stage 1 compresses: Real-ESRGAN's second stage ends with its
     * noise, and its jpeg_range2 is the final JPEG's (realesrgan_model.py,
     * feed_data). */
    if (i == 0)
      d->jpeg_quality = sr_rng_range (&r, s->jpeg_range[0], s->jpeg_range[1]);
  }

  if (cfg->final_reuses_mode) {
    out->final_mode = out->stage[0].mode;
    out->final_jpeg = FALSE;
    out->order_a = TRUE;
    return;
  }
  const SrStageConfig *last = &cfg->stage[cfg->n_stages - 1];
  out->final_jpeg = TRUE;
  out->order_a = sr_rng_uniform (&r) < 0.5;
  if (out->order_a) {
    out->final_mode = (SrTorchMode) sr_rng_int (&r, 0, 2);
    out->final_jpeg_quality = sr_rng_range (&r, last->jpeg_range[0], last->jpeg_range[1]);
  } else {
    out->final_jpeg_quality = sr_rng_range (&r, last->jpeg_range[0], last->jpeg_range[1]);
    out->final_mode = (SrTorchMode) sr_rng_int (&r, 0, 2);
  }
}

/* ---- recording ------------------------------------------------------------ */

const char *
sr_kernel_kind_name (SrKernelKind kind)
{
  static const char *names[SR_N_KERNEL_KINDS] = {
    "iso", "aniso", "generalized-iso", "generalized-aniso", "plateau-iso",
    "plateau-aniso", "sinc", "pulse"
  };
  return kind < SR_N_KERNEL_KINDS ? names[kind] : "unknown";
}

const char *
sr_torch_mode_name (SrTorchMode mode)
{
  static const char *names[] = { "area", "bilinear", "bicubic" };
  return mode <= SR_MODE_BICUBIC ? names[mode] : "unknown";
}

static void
record_stage (SrOpRecord *op, int stage)
{
  if (stage > 0)
    sr_op_int (op, "stage", stage);
  else
    sr_op_string (op, "stage", "final");
}

void
sr_record_skip (SrRecord *rec, const char *step, int stage)
{
  SrOpRecord *op = sr_record_add (rec, "skip");
  sr_op_string (op, "step", step);
  record_stage (op, stage);
}

const char *
sr_updown_name (SrUpDown u)
{
  return u == SR_UPDOWN_UP ? "up" : u == SR_UPDOWN_DOWN ? "down" : "keep";
}

gboolean
sr_kernel_draw_make (const SrKernelDraw *k, float *out)
{
  switch (k->kind) {
    case SR_KERNEL_ISO:
    case SR_KERNEL_ANISO:
      return sr_kernel_gaussian (out, k->size, k->sigma_x, k->sigma_y, k->theta);
    case SR_KERNEL_GENERALIZED_ISO:
    case SR_KERNEL_GENERALIZED_ANISO:
      return sr_kernel_generalized (out, k->size, k->sigma_x, k->sigma_y,
          k->theta, k->beta);
    case SR_KERNEL_PLATEAU_ISO:
    case SR_KERNEL_PLATEAU_ANISO:
      return sr_kernel_plateau (out, k->size, k->sigma_x, k->sigma_y, k->theta,
          k->beta);
    case SR_KERNEL_SINC:
      return sr_kernel_sinc (out, k->size, k->omega, 0);
    default:
      return sr_kernel_pulse (out, k->size);
  }
}

void
sr_record_blur (SrRecord *rec, int stage, const SrKernelDraw *k)
{
  SrOpRecord *op = sr_record_add (rec, "blur");
  record_stage (op, stage);
  sr_op_string (op, "kernel", sr_kernel_kind_name (k->kind));
  sr_op_int (op, "size", k->size);
  switch (k->kind) {
    case SR_KERNEL_SINC:
      sr_op_double (op, "omega", k->omega);
      break;
    case SR_KERNEL_PULSE:
      break;
    default:
      sr_op_double (op, "sigma-x", k->sigma_x);
      sr_op_double (op, "sigma-y", k->sigma_y);
      sr_op_double (op, "theta", k->theta);
      if (k->kind >= SR_KERNEL_GENERALIZED_ISO)
        sr_op_double (op, "beta", k->beta);
  }
}
