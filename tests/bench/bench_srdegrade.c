/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Steady-state throughput of a degradation preset through the library API,
 * as srdegrade runs it per frame: upload the 8-bit HR frame, degrade,
 * download the 8-bit LR frame (blocking). Warm-up frames (program builds,
 * first allocations) are run but not timed. Not a test: tests/bench only.
 *
 *   bench_srdegrade --input frame.rgb --width 1920 --height 1080
 *       --preset realesrgan --scale 4 --seed 1 --warmup 3 --frames 10
 *       [--params params.json] [--profile] [--device auto]
 *
 * Prints one JSON object: the seconds of each timed frame and, with
 * --profile, the seconds per op kind (a replica of the preset's chain with
 * clFinish after every op, so each op is timed alone; the sum exceeds the
 * pipelined per-frame time a little). --params writes the parameters every
 * frame drew (warm-up frames included), for the PyTorch reference to replay
 * the same work. */
#include "sr_blur_kernels.h"
#include "sr_conv2d.h"
#include "sr_convert.h"
#include "sr_degrade.h"
#include "sr_jpeg.h"
#include "sr_noise.h"
#include "sr_resample.h"
#include "sr_twostage.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The ops the profile separates. */
enum { P_UPLOAD, P_BLUR, P_RESIZE, P_GAUSSIAN, P_POISSON, P_JPEG, P_DOWNLOAD,
  P_N };
static const char *prof_names[P_N] = {
  "upload", "blur", "resize", "noise-gaussian", "noise-poisson", "jpeg",
  "download"
};

/* As sr_degrade.c (its copies are static); must match for the profile to
 * time the same work. */
#define NOISE_OP_STAGE1 0x6e6f3101u
#define NOISE_OP_STAGE2 0x6e6f3202u

typedef struct {
  SrRuntime *rt;
  cl_command_queue q;
  SrConvert *convert;
  SrResample *resample;
  SrConv2d *conv;
  SrNoise *noise;
  SrJpeg *jpeg;
  SrTensor *work[2];
  SrTapTable rows, cols;
  float kernel[SR_MAX_KERNEL * SR_MAX_KERNEL];
  double t[P_N];
  SrDegradeConfig cfg;
} Profiler;

static void
die_status (const char *what, SrStatus st)
{
  fprintf (stderr, "bench_srdegrade: %s failed: %s\n", what, sr_status_name (st));
  exit (1);
}

#define CHECK(what, expr) do { SrStatus st_ = (expr); \
    if (st_ != SR_OK) die_status (what, st_); } while (0)

/* Runs expr, waits for the queue and adds the elapsed seconds to p->t[k]. */
#define TIMED(p, k, expr) do { gint64 t0_ = g_get_monotonic_time (); \
    CHECK (prof_names[k], (expr)); clFinish ((p)->q); \
    (p)->t[k] += (g_get_monotonic_time () - t0_) * 1e-6; } while (0)

static SrTensor *
prof_work (Profiler *p, int h, int w, const SrTensor *avoid)
{
  const int i = p->work[0] && p->work[0] == avoid ? 1 : 0;
  SrTensor *t = sr_tensor_reuse (p->rt, p->q, &p->work[i], 1, 3, h, w,
      SR_DTYPE_F32);
  if (!t)
    die_status ("allocation", SR_ERR_OUT_OF_DEVICE_MEMORY);
  return t;
}

static void
prof_kernel (Profiler *p, const SrKernelDraw *k)
{
  gboolean ok;
  switch (k->kind) {
    case SR_KERNEL_ISO:
    case SR_KERNEL_ANISO:
      ok = sr_kernel_gaussian (p->kernel, k->size, k->sigma_x, k->sigma_y, k->theta);
      break;
    case SR_KERNEL_GENERALIZED_ISO:
    case SR_KERNEL_GENERALIZED_ANISO:
      ok = sr_kernel_generalized (p->kernel, k->size, k->sigma_x, k->sigma_y,
          k->theta, k->beta);
      break;
    case SR_KERNEL_PLATEAU_ISO:
    case SR_KERNEL_PLATEAU_ANISO:
      ok = sr_kernel_plateau (p->kernel, k->size, k->sigma_x, k->sigma_y,
          k->theta, k->beta);
      break;
    case SR_KERNEL_SINC:
      ok = sr_kernel_sinc (p->kernel, k->size, k->omega, 0);
      break;
    default:
      ok = sr_kernel_pulse (p->kernel, k->size);
  }
  if (!ok)
    die_status ("kernel", SR_ERR_INVALID_ARGUMENT);
}

static void
prof_blur (Profiler *p, SrTensor **x, const SrKernelDraw *k)
{
  SrTensor *out = prof_work (p, (*x)->h, (*x)->w, *x);
  prof_kernel (p, k);
  TIMED (p, P_BLUR, sr_conv2d_run (p->conv, p->q, *x, out, p->kernel, k->size,
          SR_BORDER_REFLECT_ONCE, NULL));
  *x = out;
}

static const SrResizeMode torch_modes[] = {
  [SR_MODE_AREA] = SR_RESIZE_AREA,
  [SR_MODE_BILINEAR] = SR_RESIZE_BILINEAR,
  [SR_MODE_BICUBIC] = SR_RESIZE_BICUBIC,
};

static void
prof_resize (Profiler *p, SrTensor **x, SrTorchMode mode, int out_w, int out_h,
    double factor)
{
  if (out_w == (*x)->w && out_h == (*x)->h && (factor == 1 || factor <= 0)
      && mode != SR_MODE_AREA)
    return;
  if (!sr_taps_torch (&p->rows, torch_modes[mode], (*x)->h, out_h, factor)
      || !sr_taps_torch (&p->cols, torch_modes[mode], (*x)->w, out_w, factor))
    die_status ("taps", SR_ERR_INVALID_ARGUMENT);
  SrTensor *out = prof_work (p, out_h, out_w, *x);
  TIMED (p, P_RESIZE, sr_resample_run (p->resample, p->q, *x, out, &p->rows,
          &p->cols));
  *x = out;
}

/* One frame of the two-stage chain, op by op (mirrors run_twostage);
 * returns the LR tensor. */
static SrTensor *
prof_twostage (Profiler *p, const SrTwoStageConfig *ts, SrTensor *hr,
    guint64 index)
{
  SrTwoStageDraw draw;
  sr_twostage_sample (ts, p->cfg.scale, p->cfg.seed, index, hr->w, hr->h, &draw);
  SrTensor *x = hr;
  for (int i = 0; i < draw.n_stages; i++) {
    const SrStageDraw *s = &draw.stage[i];
    if (s->blur)
      prof_blur (p, &x, &s->kernel);
    prof_resize (p, &x, s->mode, s->resize_w, s->resize_h,
        i == 0 ? s->resize_scale : 0);
    SrTensor *out = prof_work (p, x->h, x->w, x);
    const guint32 op_id = i == 0 ? NOISE_OP_STAGE1 : NOISE_OP_STAGE2;
    TIMED (p, s->gaussian ? P_GAUSSIAN : P_POISSON, s->gaussian
        ? sr_noise_gaussian_run (p->noise, p->q, x, out, p->cfg.seed, index,
            op_id, s->noise_sigma, s->gray)
        : sr_noise_poisson_run (p->noise, p->q, x, out, p->cfg.seed, index,
            op_id, s->poisson_scale, s->gray));
    x = out;
    TIMED (p, P_JPEG, sr_jpeg_run (p->jpeg, p->q, x, x, (float) s->jpeg_quality,
            SR_JPEG_OP_DIFFJPEG));
  }
  if (draw.final_jpeg && !draw.order_a)
    TIMED (p, P_JPEG, sr_jpeg_run (p->jpeg, p->q, x, x,
            (float) draw.final_jpeg_quality, SR_JPEG_OP_DIFFJPEG));
  prof_resize (p, &x, draw.final_mode, draw.lr_w, draw.lr_h, 0);
  if (ts->final_sinc_prob > 0 && draw.final_sinc)
    prof_blur (p, &x, &draw.sinc);
  if (draw.final_jpeg && draw.order_a)
    TIMED (p, P_JPEG, sr_jpeg_run (p->jpeg, p->q, x, x,
            (float) draw.final_jpeg_quality, SR_JPEG_OP_DIFFJPEG));
  return x;
}

static SrTensor *
prof_bicubic (Profiler *p, SrTensor *hr)
{
  const int s = p->cfg.scale;
  sr_taps_matlab_bicubic (&p->rows, hr->h, hr->h / s, 1.0 / s, TRUE);
  sr_taps_matlab_bicubic (&p->cols, hr->w, hr->w / s, 1.0 / s, TRUE);
  SrTensor *out = prof_work (p, hr->h / s, hr->w / s, NULL);
  TIMED (p, P_RESIZE, sr_resample_run (p->resample, p->q, hr, out, &p->rows,
          &p->cols));
  return out;
}

/* ---- the parameter dump ------------------------------------------------------ */

static void
json_record (FILE *f, guint64 index, const SrRecord *rec)
{
  fprintf (f, "{\"frame\": %" G_GUINT64_FORMAT ", \"ops\": [", index);
  for (int i = 0; i < rec->n_ops; i++) {
    const SrOpRecord *op = &rec->ops[i];
    fprintf (f, "%s{\"op\": \"%s\"", i ? ", " : "", op->name);
    for (int j = 0; j < op->n_fields; j++) {
      const SrField *fl = &op->fields[j];
      fprintf (f, ", \"%s\": ", fl->key);
      switch (fl->type) {
        case SR_VALUE_INT:
          fprintf (f, "%" G_GINT64_FORMAT, fl->v.i);
          break;
        case SR_VALUE_DOUBLE:
          fprintf (f, "%.17g", fl->v.d);
          break;
        case SR_VALUE_STRING:
          fprintf (f, "\"%s\"", fl->v.s);   /* static identifiers, no escapes */
          break;
        case SR_VALUE_BOOL:
          fputs (fl->v.b ? "true" : "false", f);
          break;
        case SR_VALUE_SIZE:
          fprintf (f, "[%d, %d]", fl->v.size[0], fl->v.size[1]);
          break;
      }
    }
    fputc ('}', f);
  }
  fputs ("]}", f);
}

/* ---- main ---------------------------------------------------------------------- */

int
main (int argc, char **argv)
{
  const char *input = NULL, *preset = "realesrgan", *params = NULL;
  const char *device = NULL;
  int width = 1920, height = 1080, scale = 4, warmup = 3, frames = 10;
  gint64 seed = 1;
  gboolean profile = FALSE;
  GOptionEntry entries[] = {
    { "input", 0, 0, G_OPTION_ARG_FILENAME, &input, "raw RGB24 frame", "FILE" },
    { "width", 0, 0, G_OPTION_ARG_INT, &width, "frame width", "W" },
    { "height", 0, 0, G_OPTION_ARG_INT, &height, "frame height", "H" },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset, "bicubic or realesrgan", "P" },
    { "scale", 0, 0, G_OPTION_ARG_INT, &scale, "scale", "S" },
    { "seed", 0, 0, G_OPTION_ARG_INT64, &seed, "seed", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "untimed frames first", "N" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &frames, "timed frames", "N" },
    { "params", 0, 0, G_OPTION_ARG_FILENAME, &params, "write drawn parameters", "FILE" },
    { "profile", 0, 0, G_OPTION_ARG_NONE, &profile, "time each op alone", NULL },
    { "device", 0, 0, G_OPTION_ARG_STRING, &device, "OpenCL device", "SPEC" },
    { NULL, 0, 0, 0, NULL, NULL, NULL }
  };
  GError *error = NULL;
  GOptionContext *octx = g_option_context_new ("- srdegrade throughput");
  g_option_context_add_main_entries (octx, entries, NULL);
  if (!g_option_context_parse (octx, &argc, &argv, &error) || !input
      || frames < 1 || warmup < 0) {
    fprintf (stderr, "bench_srdegrade: %s\n", error ? error->message
        : "--input FILE is required; --frames >= 1");
    return 2;
  }
  g_option_context_free (octx);

  SrDegradeConfig cfg = { .scale = scale, .seed = (guint64) seed, .noise = TRUE,
    .jpeg = SR_JPEG_DIFFJPEG };
  if (!strcmp (preset, "bicubic"))
    cfg.preset = SR_PRESET_BICUBIC;
  else if (!strcmp (preset, "realesrgan"))
    cfg.preset = SR_PRESET_REALESRGAN;
  else {
    fprintf (stderr, "bench_srdegrade: unknown preset %s\n", preset);
    return 2;
  }

  gchar *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (input, &data, &len, &error)
      || len != (gsize) width * height * 3) {
    fprintf (stderr, "bench_srdegrade: %s: %s\n", input,
        error ? error->message : "size is not width*height*3");
    return 2;
  }

  SrRuntime *rt = sr_runtime_new (device, &error);
  cl_command_queue q = rt ? sr_runtime_create_queue (rt, &error) : NULL;
  SrConvert *convert = q ? sr_convert_new (rt, &error) : NULL;
  SrDegrader *deg = convert ? sr_degrader_new (rt, &cfg, &error) : NULL;
  if (!deg) {
    fprintf (stderr, "bench_srdegrade: %s\n", error->message);
    return 1;
  }
  const int cw = width / scale * scale, ch = height / scale * scale;
  const SrHostFrame host = { (const guint8 *) data, width, height, width * 3,
    { 3, 0, 1, 2, -1 } };
  const SrPackedLayout out_layout = { 3, 0, 1, 2, -1 };
  int lr_w, lr_h;
  sr_degrade_lr_size (&cfg, cw, ch, &lr_w, &lr_h);
  guint8 *out = g_malloc ((gsize) lr_w * lr_h * 3);
  const SrRoundMode round_mode = cfg.preset == SR_PRESET_BICUBIC
      ? SR_ROUND_HALF_AWAY : SR_ROUND_HALF_EVEN;
  SrTensor *hr = NULL;
  SrRecord *rec = g_new0 (SrRecord, 1);
  FILE *pf = params ? fopen (params, "w") : NULL;
  if (params && !pf) {
    perror (params);
    return 1;
  }
  if (pf)
    fprintf (pf, "{\"preset\": \"%s\", \"scale\": %d, \"seed\": %" G_GINT64_FORMAT
        ", \"warmup\": %d, \"frames\": [", preset, scale, seed, warmup);

  double *times = g_new (double, frames);
  for (int i = 0; i < warmup + frames; i++) {
    const gint64 t0 = g_get_monotonic_time ();
    SrTensor *lr = NULL;
    hr = sr_tensor_reuse (rt, q, &hr, 1, 3, ch, cw, SR_DTYPE_F32);
    if (!hr)
      die_status ("allocation", SR_ERR_OUT_OF_DEVICE_MEMORY);
    CHECK ("upload", sr_upload_packed8 (convert, q, &host, 0, 0, hr));
    CHECK ("degrade", sr_degrader_run (deg, q, hr, (guint64) i, &lr, rec));
    CHECK ("download", sr_download_packed8 (convert, q, lr, out, lr_w * 3,
            &out_layout, round_mode));
    if (i >= warmup)
      times[i - warmup] = (g_get_monotonic_time () - t0) * 1e-6;
    if (pf) {
      if (i)
        fputs (",\n", pf);
      json_record (pf, (guint64) i, rec);
    }
  }
  if (pf) {
    fputs ("]}\n", pf);
    fclose (pf);
  }

  printf ("{\"side\": \"opencl\", \"preset\": \"%s\", \"device\": \"%s\", "
      "\"warmup\": %d, \"frame_s\": [", preset, sr_runtime_describe (rt), warmup);
  for (int i = 0; i < frames; i++)
    printf ("%s%.6f", i ? ", " : "", times[i]);
  printf ("]");

  if (profile) {
    /* The same frames again (warm now), op by op. */
    Profiler p = { .rt = rt, .q = q, .cfg = cfg };
    SrTwoStageConfig ts;
    sr_twostage_config_realesrgan (&ts);
    GError *e = NULL;
    if (!(p.resample = sr_resample_new (rt, &e)) || !(p.conv = sr_conv2d_new (rt, &e))
        || !(p.noise = sr_noise_new (rt, &e)) || !(p.jpeg = sr_jpeg_new (rt, &e))) {
      fprintf (stderr, "bench_srdegrade: %s\n", e->message);
      return 1;
    }
    for (int pass = 0; pass < 2; pass++) {      /* pass 0 warms the new ops up */
      memset (p.t, 0, sizeof p.t);
      for (int i = warmup; i < warmup + frames; i++) {
        SrTensor *x;
        TIMED (&p, P_UPLOAD, sr_upload_packed8 (convert, q, &host, 0, 0, hr));
        x = cfg.preset == SR_PRESET_BICUBIC ? prof_bicubic (&p, hr)
            : prof_twostage (&p, &ts, hr, (guint64) i);
        TIMED (&p, P_DOWNLOAD, sr_download_packed8 (convert, q, x, out, lr_w * 3,
                &out_layout, round_mode));
      }
    }
    printf (", \"profile_s_per_frame\": {");
    for (int k = 0; k < P_N; k++)
      printf ("%s\"%s\": %.6f", k ? ", " : "", prof_names[k], p.t[k] / frames);
    printf ("}");
    sr_resample_free (p.resample);
    sr_conv2d_free (p.conv);
    sr_noise_free (p.noise);
    sr_jpeg_free (p.jpeg);
    sr_tensor_unref (p.work[0]);
    sr_tensor_unref (p.work[1]);
    sr_tap_table_clear (&p.rows);
    sr_tap_table_clear (&p.cols);
  }
  printf ("}\n");

  g_free (times);
  g_free (rec);
  g_free (out);
  g_free (data);
  sr_tensor_unref (hr);
  sr_degrader_free (deg);
  sr_convert_free (convert);
  clReleaseCommandQueue (q);
  sr_runtime_unref (rt);
  return 0;
}
