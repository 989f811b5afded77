/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_degrade.h"
#include "sr_bsrgan.h"
#include "sr_degrade_ops.h"
#include "sr_twostage.h"

struct SrDegrader {
  SrRuntime *rt;
  SrDegradeConfig cfg;
  SrTwoStageConfig twostage;    /* realesrgan, hggt, custom */
  SrDegradeOps ops;
  SrBsrRunner *bsrgan;          /* bsrgan, bsrgan-plus */
  SrVsrRunner *vsr;             /* realbasicvsr */
  SrVsrConfig vsr_config;
  SrTensor *lr;
  SrTensor *work[2];            /* ping-pong intermediates */
  /* Host tables, recomputed only when the sizes change. */
  float kernel[SR_MAX_KERNEL * SR_MAX_KERNEL];
};

/* Op ids of the per-pixel noise streams: Philox streams keyed by seed,
 * frame and op, so the noise does not depend on threads or tiles. */
#define NOISE_OP_STAGE1 0x6e6f3101u
#define NOISE_OP_STAGE2 0x6e6f3202u

const char *
sr_preset_name (SrPreset preset)
{
  switch (preset) {
    case SR_PRESET_BICUBIC: return "bicubic";
    case SR_PRESET_REALESRGAN: return "realesrgan";
    case SR_PRESET_BSRGAN: return "bsrgan";
    case SR_PRESET_BSRGAN_PLUS: return "bsrgan-plus";
    case SR_PRESET_HGGT: return "hggt";
    case SR_PRESET_CUSTOM: return "custom";
    case SR_PRESET_REALBASICVSR: return "realbasicvsr";
  }
  return "unknown";
}

const char *
sr_jpeg_variant_name (SrJpegVariant v)
{
  switch (v) {
    case SR_JPEG_DIFFJPEG: return "diffjpeg";
    case SR_JPEG_DIFFJPEG_BASICSR: return "diffjpeg-basicsr";
    case SR_JPEG_LIBJPEG: return "libjpeg";
  }
  return "unknown";
}

/* The two-stage configuration of a preset; FALSE if it is not of that family. */
static gboolean
twostage_config (const SrDegradeConfig *cfg, SrTwoStageConfig *out)
{
  switch (cfg->preset) {
    case SR_PRESET_REALESRGAN:
      sr_twostage_config_realesrgan (out);
      return TRUE;
    case SR_PRESET_HGGT:
      sr_twostage_config_hggt (out);
      return TRUE;
    case SR_PRESET_CUSTOM:
      *out = cfg->custom;
      return TRUE;
    default:
      return FALSE;
  }
}

gboolean
sr_degrade_check_config (const SrDegradeConfig *cfg, GError **error)
{
  SrTwoStageConfig ts;
  switch (cfg->preset) {
    case SR_PRESET_BICUBIC:
    case SR_PRESET_REALESRGAN:
    case SR_PRESET_HGGT:
    case SR_PRESET_CUSTOM:
    case SR_PRESET_REALBASICVSR:
      if (cfg->scale >= 1 && cfg->scale <= 8)
        return !twostage_config (cfg, &ts) || sr_twostage_config_check (&ts, error);
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "scale=%d is not supported by preset=%s (allowed: 1..8)",
          cfg->scale, sr_preset_name (cfg->preset));
      return FALSE;
    case SR_PRESET_BSRGAN:
    case SR_PRESET_BSRGAN_PLUS:
      /* KAIR's utils_blindsr.py is written for 2, 3 and 4. */
      if (cfg->scale >= 2 && cfg->scale <= 4)
        return TRUE;
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "scale=%d is not supported by preset=%s (allowed: 2, 3, 4)",
          cfg->scale, sr_preset_name (cfg->preset));
      return FALSE;
    default:
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "unknown preset %d", (int) cfg->preset);
      return FALSE;
  }
}

int
sr_degrade_min_hr_size (const SrDegradeConfig *cfg)
{
  SrTwoStageConfig ts;
  if (twostage_config (cfg, &ts))
    return sr_twostage_min_hr_size (&ts, cfg->scale);
  if (cfg->preset == SR_PRESET_BSRGAN || cfg->preset == SR_PRESET_BSRGAN_PLUS)
    return sr_bsrgan_min_hr_size (cfg->preset == SR_PRESET_BSRGAN_PLUS,
        cfg->scale);
  /* realbasicvsr: an LR of at least 16 px, a macroblock for the encoders
   * (mmagic's is 64); its blurs reflect at any size. */
  if (cfg->preset == SR_PRESET_REALBASICVSR)
    return 16 * cfg->scale;
  /* bicubic: an LR of at least 2 px keeps BasicSR's symmetric padding
   * within the image (sym_len = ceil(1.5 s - 0.5) <= 2 s). */
  return 2 * cfg->scale;
}

void
sr_degrade_lr_size (const SrDegradeConfig *cfg, int w, int h, int *lr_w,
    int *lr_h)
{
  *lr_w = w / cfg->scale;
  *lr_h = h / cfg->scale;
}

SrDegrader *
sr_degrader_new (SrRuntime *rt, const SrDegradeConfig *cfg, GError **error)
{
  if (!sr_degrade_check_config (cfg, error))
    return NULL;
  SrDegrader *d = g_new0 (SrDegrader, 1);
  d->rt = sr_runtime_ref (rt);
  d->cfg = *cfg;
  twostage_config (cfg, &d->twostage);
  sr_vsr_config_realbasicvsr (&d->vsr_config);
  if (!sr_degrade_ops_init (&d->ops, rt, error)
      || ((cfg->preset == SR_PRESET_BSRGAN
              || cfg->preset == SR_PRESET_BSRGAN_PLUS)
          && !(d->bsrgan = sr_bsrgan_runner_new (rt, error)))
      || (cfg->preset == SR_PRESET_REALBASICVSR
          && !(d->vsr = sr_vsr_runner_new (rt, error)))) {
    sr_degrader_free (d);
    return NULL;
  }
  return d;
}

void
sr_degrader_free (SrDegrader *d)
{
  if (!d)
    return;
  sr_degrade_ops_clear (&d->ops);
  sr_bsrgan_runner_free (d->bsrgan);
  sr_vsr_runner_free (d->vsr);
  sr_tensor_unref (d->lr);
  sr_tensor_unref (d->work[0]);
  sr_tensor_unref (d->work[1]);
  sr_runtime_unref (d->rt);
  g_free (d);
}

/* bicubic preset (BasicSR generate_bicubic_img.m): MATLAB imresize(1/s)
 * with antialiasing. */
static SrStatus
run_bicubic (SrDegrader *d, cl_command_queue q, SrTensor *hr, SrRecord *rec)
{
  const int s = d->cfg.scale;
  const double factor = 1.0 / s;
  const int out_h = hr->h / s, out_w = hr->w / s;
  if (d->ops.rows.in_len != hr->h || d->ops.rows.out_len != out_h)
    sr_taps_matlab_bicubic (&d->ops.rows, hr->h, out_h, factor, TRUE);
  if (d->ops.cols.in_len != hr->w || d->ops.cols.out_len != out_w)
    sr_taps_matlab_bicubic (&d->ops.cols, hr->w, out_w, factor, TRUE);
  SrTensor *lr = sr_tensor_reuse (d->rt, q, &d->lr, 1, 3, out_h, out_w,
      SR_DTYPE_F32);
  if (!lr)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;

  SrOpRecord *op = sr_record_add (rec, "resize");
  sr_op_string (op, "stage", "final");
  sr_op_string (op, "semantics", "matlab");
  sr_op_string (op, "mode", "bicubic");
  sr_op_string (op, "direction", s == 1 ? "keep" : "down");
  sr_op_double (op, "factor", factor);
  sr_op_bool (op, "antialias", TRUE);
  sr_op_size (op, "in-size", hr->w, hr->h);
  sr_op_size (op, "out-size", out_w, out_h);
  return sr_resample_run (d->ops.resample, q, hr, lr, &d->ops.rows, &d->ops.cols);
}

/* ---- the Real-ESRGAN family (realesrgan, hggt, custom) -------------------- */

/* A work tensor of the given size that is not `avoid`. */
static SrTensor *
work_tensor (SrDegrader *d, cl_command_queue q, int h, int w, const SrTensor *avoid)
{
  const int i = d->work[0] && d->work[0] == avoid ? 1 : 0;
  return sr_tensor_reuse (d->rt, q, &d->work[i], 1, 3, h, w, SR_DTYPE_F32);
}

/* filter2D with the drawn kernel. Upstream zero-pads kernels to 21 (9 for
 * HGGT); zero taps add nothing, so running the unpadded kernel gives the
 * same result (the frame-size minimum already covers the padded reflect). */
static SrStatus
apply_blur (SrDegrader *d, cl_command_queue q, SrTensor **x, const SrKernelDraw *k)
{
  SrTensor *out = work_tensor (d, q, (*x)->h, (*x)->w, *x);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  if (!sr_kernel_draw_make (k, d->kernel))
    return SR_ERR_INVALID_ARGUMENT;
  SrStatus st = sr_conv2d_run (d->ops.conv, q, *x, out, d->kernel, k->size,
      SR_BORDER_REFLECT_ONCE, NULL);
  *x = out;
  return st;
}

static const SrResizeMode torch_modes[] = {
  [SR_MODE_AREA] = SR_RESIZE_AREA,
  [SR_MODE_BILINEAR] = SR_RESIZE_BILINEAR,
  [SR_MODE_BICUBIC] = SR_RESIZE_BICUBIC,
};

/* F.interpolate to out_w x out_h; factor > 0: the scale_factor path. */
static SrStatus
apply_resize (SrDegrader *d, cl_command_queue q, SrTensor **x, SrTorchMode mode,
    int out_w, int out_h, double factor, SrRecord *rec, int stage,
    const char *direction)
{
  SrOpRecord *op = sr_record_add (rec, "resize");
  if (stage > 0)
    sr_op_int (op, "stage", stage);
  else
    sr_op_string (op, "stage", "final");
  sr_op_string (op, "semantics", "torch");
  sr_op_string (op, "mode", sr_torch_mode_name (mode));
  sr_op_string (op, "direction", direction);
  if (factor > 0)
    sr_op_double (op, "factor", factor);
  sr_op_size (op, "in-size", (*x)->w, (*x)->h);
  sr_op_size (op, "out-size", out_w, out_h);
  /* interpolate with factor 1 (keep) returns its input unchanged. */
  if (out_w == (*x)->w && out_h == (*x)->h && (factor == 1 || factor <= 0)
      && mode != SR_MODE_AREA)
    return SR_OK;
  if (!sr_taps_torch (&d->ops.rows, torch_modes[mode], (*x)->h, out_h, factor)
      || !sr_taps_torch (&d->ops.cols, torch_modes[mode], (*x)->w, out_w, factor))
    return SR_ERR_INVALID_ARGUMENT;
  SrTensor *out = work_tensor (d, q, out_h, out_w, *x);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  SrStatus st = sr_resample_run (d->ops.resample, q, *x, out, &d->ops.rows, &d->ops.cols);
  *x = out;
  return st;
}

static SrStatus
apply_noise (SrDegrader *d, cl_command_queue q, SrTensor **x,
    const SrStageDraw *s, int stage, guint64 index, SrRecord *rec)
{
  SrOpRecord *op = sr_record_add (rec, "noise");
  sr_op_int (op, "stage", stage);
  sr_op_string (op, "type", s->gaussian ? "gaussian" : "poisson");
  sr_op_bool (op, "gray", s->gray);
  if (s->gaussian)
    sr_op_double (op, "sigma", s->noise_sigma);
  else
    sr_op_double (op, "scale", s->poisson_scale);
  sr_op_bool (op, "applied", d->cfg.noise);
  SrTensor *out = work_tensor (d, q, (*x)->h, (*x)->w, *x);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  if (!d->cfg.noise) {
    /* Drawn and recorded, not added; the step still clips to [0, 1] as
     * BasicSR's random_add_*_noise_pt (clip=True) does after adding, so
     * noise=false is upstream with a zero noise field. */
    SrStatus st = sr_noise_clamp_run (d->ops.noise, q, *x, out);
    *x = out;
    return st;
  }
  const guint32 op_id = stage == 1 ? NOISE_OP_STAGE1 : NOISE_OP_STAGE2;
  SrStatus st = s->gaussian
      ? sr_noise_gaussian_run (d->ops.noise, q, *x, out, d->cfg.seed, index, op_id,
      s->noise_sigma, s->gray)
      : sr_noise_poisson_run (d->ops.noise, q, *x, out, d->cfg.seed, index, op_id,
      s->poisson_scale, s->gray);
  *x = out;
  return st;
}

static const SrJpegOpVariant jpeg_variants[] = {
  [SR_JPEG_DIFFJPEG] = SR_JPEG_OP_DIFFJPEG,
  [SR_JPEG_DIFFJPEG_BASICSR] = SR_JPEG_OP_DIFFJPEG_BASICSR,
  [SR_JPEG_LIBJPEG] = SR_JPEG_OP_LIBJPEG_TABLES,
};

static SrStatus
apply_jpeg (SrDegrader *d, cl_command_queue q, SrTensor *x, double quality,
    int stage, SrRecord *rec)
{
  SrOpRecord *op = sr_record_add (rec, "jpeg");
  if (stage > 0)
    sr_op_int (op, "stage", stage);
  else
    sr_op_string (op, "stage", "final");
  if (d->cfg.jpeg == SR_JPEG_LIBJPEG)
    sr_op_int (op, "quality", sr_jpeg_ijg_quality ((float) quality));
  else
    sr_op_double (op, "quality", (float) quality);   /* as used: float32 */
  sr_op_string (op, "variant", sr_jpeg_variant_name (d->cfg.jpeg));
  return sr_jpeg_run (d->ops.jpeg, q, x, x, (float) quality, jpeg_variants[d->cfg.jpeg]);
}

#define TRY(expr) do { SrStatus st_ = (expr); if (st_ != SR_OK) return st_; } while (0)

static SrStatus
run_twostage (SrDegrader *d, cl_command_queue q, SrTensor *hr,
    guint64 draw_index, guint64 index, SrRecord *rec)
{
  SrTwoStageDraw draw;
  sr_twostage_sample (&d->twostage, d->cfg.scale, d->cfg.seed, draw_index, hr->w,
      hr->h, &draw);
  SrTensor *x = hr;

  for (int i = 0; i < draw.n_stages; i++) {
    const SrStageDraw *s = &draw.stage[i];
    const int stage = i + 1;
    if (s->blur) {
      sr_record_blur (rec, stage, &s->kernel);
      TRY (apply_blur (d, q, &x, &s->kernel));
    } else {
      sr_record_skip (rec, "blur", stage);
    }
    TRY (apply_resize (d, q, &x, s->mode, s->resize_w, s->resize_h,
            i == 0 ? s->resize_scale : 0, rec, stage, sr_updown_name (s->updown)));
    if (i > 0)                  /* informative: the size path's drawn factor */
      sr_op_double (&rec->ops[rec->n_ops - 1], "size-factor", s->resize_scale);
    TRY (apply_noise (d, q, &x, s, stage, index, rec));
    if (i == 0)                 /* stage 2 has no JPEG of its own */
      TRY (apply_jpeg (d, q, x, s->jpeg_quality, stage, rec));
  }

  /* Final group: resize to HR/scale (+ sinc), and JPEG in the drawn order. */
  if (draw.final_jpeg && !draw.order_a)
    TRY (apply_jpeg (d, q, x, draw.final_jpeg_quality, 0, rec));
  TRY (apply_resize (d, q, &x, draw.final_mode, draw.lr_w, draw.lr_h, 0, rec, 0,
          "final"));
  if (d->twostage.final_sinc_prob > 0) {
    if (draw.final_sinc) {
      sr_record_blur (rec, 0, &draw.sinc);
      TRY (apply_blur (d, q, &x, &draw.sinc));
    } else {
      sr_record_skip (rec, "blur", 0);     /* the pulse: an identity filter */
    }
  }
  if (draw.final_jpeg && draw.order_a)
    TRY (apply_jpeg (d, q, x, draw.final_jpeg_quality, 0, rec));

  if (x == hr) {                /* nothing changed the frame (scale 1, keep) */
    SrTensor *out = work_tensor (d, q, hr->h, hr->w, NULL);
    if (!out)
      return SR_ERR_OUT_OF_DEVICE_MEMORY;
    TRY (sr_status_from_cl (clEnqueueCopyBuffer (q, hr->mem, out->mem, 0, 0,
                hr->bytes, 0, NULL, NULL)));
    x = out;
  }
  sr_tensor_unref (d->lr);
  d->lr = sr_tensor_ref (x);
  return SR_OK;
}

guint64
sr_degrade_draw_index (const SrDegradeConfig *cfg, guint64 frame)
{
  const guint len = sr_degrade_clip_length (cfg);
  return len > 0 ? frame / len : frame;
}

SrStatus
sr_degrader_run (SrDegrader *d, cl_command_queue q, SrTensor *hr,
    guint64 index, SrTensor **lr, SrRecord *rec)
{
  const guint64 draw_index = sr_degrade_draw_index (&d->cfg, index);
  sr_record_clear (rec);
  if (hr->h % d->cfg.scale || hr->w % d->cfg.scale)
    return SR_ERR_INVALID_ARGUMENT;
  SrStatus st;
  switch (d->cfg.preset) {
    case SR_PRESET_BICUBIC:
      st = run_bicubic (d, q, hr, rec);
      break;
    case SR_PRESET_REALESRGAN:
    case SR_PRESET_HGGT:
    case SR_PRESET_CUSTOM:
      st = run_twostage (d, q, hr, draw_index, index, rec);
      break;
    case SR_PRESET_BSRGAN:
    case SR_PRESET_BSRGAN_PLUS:{
      SrBsrDraw draw;
      SrTensor *lr_out = NULL;
      sr_bsrgan_sample (d->cfg.preset == SR_PRESET_BSRGAN_PLUS, d->cfg.scale,
          d->cfg.seed, draw_index, hr->w, hr->h, &draw);
      st = sr_bsrgan_run (d->bsrgan, q, hr, &draw, d->cfg.seed, index,
          d->cfg.noise, jpeg_variants[d->cfg.jpeg],
          sr_jpeg_variant_name (d->cfg.jpeg), &lr_out, rec);
      if (st == SR_OK) {
        sr_tensor_unref (d->lr);
        d->lr = sr_tensor_ref (lr_out);
      }
      break;
    }
    default:
      return SR_ERR_INVALID_ARGUMENT;
  }
  *lr = d->lr;
  return st;
}

guint
sr_degrade_clip_length (const SrDegradeConfig *cfg)
{
  if (cfg->preset == SR_PRESET_REALBASICVSR && cfg->clip_length == 0)
    return SR_DEGRADE_VSR_CLIP_LENGTH;
  return cfg->clip_length;
}

gboolean
sr_degrader_run_clip (SrDegrader *d, cl_command_queue q, guint64 clip,
    guint64 first_frame, SrTensor *const *hr, int n, SrVsrCodecFunc codec,
    gpointer codec_user, SrTensor **lr, SrRecord *recs, GError **error)
{
  if (!d->vsr) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "preset=%s does not degrade clips", sr_preset_name (d->cfg.preset));
    return FALSE;
  }
  return sr_vsr_run_clip (d->vsr, q, &d->vsr_config, d->cfg.seed, clip,
      first_frame, hr, n, d->cfg.scale, d->cfg.noise,
      d->cfg.video_compression ? codec : NULL, codec_user, lr, recs, error);
}
