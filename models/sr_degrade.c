#include "sr_degrade.h"
#include "sr_resample.h"

struct SrDegrader {
  SrRuntime *rt;
  SrDegradeConfig cfg;
  SrResample *resample;
  SrTensor *lr;
  /* Host tables, recomputed only when the input size changes. */
  SrTapTable rows, cols;
};

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

gboolean
sr_degrade_check_config (const SrDegradeConfig *cfg, GError **error)
{
  switch (cfg->preset) {
    case SR_PRESET_BICUBIC:
      if (cfg->scale >= 1 && cfg->scale <= 8)
        return TRUE;
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "scale=%d is not supported by preset=bicubic (allowed: 1..8)",
          cfg->scale);
      return FALSE;
    default:
      g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
          "preset=%s is not implemented yet (available: bicubic)",
          sr_preset_name (cfg->preset));
      return FALSE;
  }
}

int
sr_degrade_min_hr_size (const SrDegradeConfig *cfg)
{
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
  d->resample = sr_resample_new (rt, error);
  if (!d->resample) {
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
  sr_resample_free (d->resample);
  sr_tensor_unref (d->lr);
  sr_tap_table_clear (&d->rows);
  sr_tap_table_clear (&d->cols);
  sr_runtime_unref (d->rt);
  g_free (d);
}

/* bicubic preset (spec A.2.7): MATLAB imresize(1/s) with antialiasing. */
static SrStatus
run_bicubic (SrDegrader *d, cl_command_queue q, SrTensor *hr, SrRecord *rec)
{
  const int s = d->cfg.scale;
  const double factor = 1.0 / s;
  const int out_h = hr->h / s, out_w = hr->w / s;
  if (d->rows.in_len != hr->h || d->rows.out_len != out_h)
    sr_taps_matlab_bicubic (&d->rows, hr->h, out_h, factor, TRUE);
  if (d->cols.in_len != hr->w || d->cols.out_len != out_w)
    sr_taps_matlab_bicubic (&d->cols, hr->w, out_w, factor, TRUE);
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
  return sr_resample_run (d->resample, q, hr, lr, &d->rows, &d->cols);
}

SrStatus
sr_degrader_run (SrDegrader *d, cl_command_queue q, SrTensor *hr,
    guint64 index, SrTensor **lr, SrRecord *rec)
{
  (void) index;
  sr_record_clear (rec);
  if (hr->h % d->cfg.scale || hr->w % d->cfg.scale)
    return SR_ERR_INVALID_ARGUMENT;
  SrStatus st;
  switch (d->cfg.preset) {
    case SR_PRESET_BICUBIC:
      st = run_bicubic (d, q, hr, rec);
      break;
    default:
      return SR_ERR_INVALID_ARGUMENT;
  }
  *lr = d->lr;
  return st;
}
