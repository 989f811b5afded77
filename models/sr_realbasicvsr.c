/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_realbasicvsr.h"
#include "sr_degrade_ops.h"
#include "sr_status.h"

#include <math.h>

/* One Philox stream per transform, in pipeline order (op ids
 * VSR_RNG_OP + stream). Each transform's own stream makes mmagic's gates of
 * probability 1 irrelevant, so they are not drawn. */
enum {
  S_BLUR1, S_RESIZE1, S_NOISE1, S_JPEG1, S_VIDEO1, S_BLUR2, S_RESIZE2,
  S_NOISE2, S_JPEG2, S_SHUFFLE, S_VIDEO2, S_RESIZE_FINAL, S_SINC, N_STREAMS
};
#define VSR_RNG_OP 0x56535200u
G_STATIC_ASSERT (N_STREAMS == SR_VSR_N_STREAMS);

/* mmagic's configs write pi as 3.1416; its defaults use np.pi. */
#define CFG_PI 3.1416

static const SrVsrBlurConfig blur_mixed = {
  .prob = 1,
  .kind_prob = { 0.405, 0.225, 0.108, 0.027, 0.108, 0.027, 0.1 },
  .ksize_min = 7, .ksize_max = 21,
  .sigma = { 0.2, 3 }, .theta = { -CFG_PI, CFG_PI },
  .betag = { 0.5, 4 }, .betap = { 1, 2 }, .omega = { 0, 0 },
  .sigma_step = 0.02, .theta_step = 0.31416, .betag_step = 0.05,
  .betap_step = 0.1, .omega_step = 0.0628,
};

void
sr_vsr_config_realbasicvsr (SrVsrConfig *cfg)
{
  static const SrVsrResizeConfig resize1 = {
    .interp_prob = { 1 / 3.0, 1 / 3.0, 1 / 3.0 },
    .updown_prob = { 0.2, 0.7, 0.1 }, .range = { 0.15, 1.5 }, .step = 0.015,
  };
  static const SrVsrResizeConfig resize2 = {
    .interp_prob = { 1 / 3.0, 1 / 3.0, 1 / 3.0 },
    .updown_prob = { 0.3, 0.4, 0.3 }, .range = { 0.3, 1.2 }, .step = 0.03,
  };
  static const SrVsrResizeConfig resize_final = {
    .interp_prob = { 1 / 3.0, 1 / 3.0, 1 / 3.0 }, .to_target = TRUE,
  };
  static const SrVsrNoiseConfig noise1 = {
    .gaussian_prob = 0.5, .sigma = { 1, 30 }, .sigma_step = 0.1,
    .scale = { 0.05, 3 }, .scale_step = 0.005, .gray_prob = 0.4,
  };
  static const SrVsrNoiseConfig noise2 = {
    .gaussian_prob = 0.5, .sigma = { 1, 25 }, .sigma_step = 0.1,
    .scale = { 0.05, 2.5 }, .scale_step = 0.005, .gray_prob = 0.4,
  };
  static const SrVsrJpegConfig jpeg = { .quality = { 30, 95 }, .step = 3 };
  /* The sinc-only blur of the final group: only omega is configured; the
   * other ranges are mmagic's defaults (drawn, unused by a sinc). */
  static const SrVsrBlurConfig sinc = {
    .prob = 0.8, .kind_prob = { 0, 0, 0, 0, 0, 0, 1 },
    .ksize_min = 7, .ksize_max = 21,
    .sigma = { 0, 0 }, .theta = { -G_PI, G_PI },
    .betag = { 0.5, 4 }, .betap = { 1, 2 }, .omega = { CFG_PI / 3, CFG_PI },
    .omega_step = 0.0628,
  };
  cfg->blur1 = blur_mixed;
  cfg->blur2 = blur_mixed;
  cfg->blur2.prob = 0.8;
  cfg->blur2.sigma[1] = 1.5;
  cfg->sinc = sinc;
  cfg->resize1 = resize1;
  cfg->resize2 = resize2;
  cfg->resize_final = resize_final;
  cfg->noise1 = noise1;
  cfg->noise2 = noise2;
  cfg->jpeg1 = jpeg;
  cfg->jpeg2 = jpeg;
  cfg->video = (SrVsrVideoConfig) {
    .codec_prob = { 1 / 3.0, 1 / 3.0, 1 / 3.0 }, .bitrate = { 10000, 100000 },
  };
}

/* ---- draws ---------------------------------------------------------------- */

/* np.random.choice(list, p=probs): one U[0,1), the first cumulative
 * probability above it. */
static int
choice (SrRng *r, const double *p, int n)
{
  const double u = sr_rng_uniform (r);
  double acc = 0;
  for (int i = 0; i < n; i++) {
    acc += p[i];
    if (u < acc)
      return i;
  }
  for (int i = n - 1; i >= 0; i--)   /* rounding at the top: last non-zero */
    if (p[i] > 0)
      return i;
  return n - 1;
}

static double
clampd (double v, const double range[2])
{
  return v < range[0] ? range[0] : v > range[1] ? range[1] : v;
}

/* p += U(-step, step), clipped to range (np.clip). */
static double
walk (SrRng *r, double v, double step, const double range[2])
{
  return clampd (v + sr_rng_range (r, -step, step), range);
}

static void
omega_range (const SrVsrBlurConfig *b, int size, double out[2])
{
  if (b->omega[1] > 0) {
    out[0] = b->omega[0];
    out[1] = b->omega[1];
  } else {
    out[0] = size < 13 ? G_PI / 3 : G_PI / 5;
    out[1] = G_PI;
  }
}

/* RandomBlur.__call__ and get_kernel's clip draws: the gate, the type, the
 * size, then every parameter whatever the type uses. */
static void
blur_begin (SrRng *r, const SrVsrBlurConfig *b, SrVsrBlur *out)
{
  *out = (SrVsrBlur) { 0 };
  out->applied = sr_rng_uniform (r) <= b->prob;
  if (!out->applied)
    return;
  const int k = choice (r, b->kind_prob, SR_VSR_N_BLUR_KINDS);
  out->kind = k == SR_VSR_N_BLUR_KINDS - 1 ? SR_KERNEL_SINC : (SrKernelKind) k;
  const int n_sizes = (b->ksize_max - b->ksize_min) / 2 + 1;
  out->size = b->ksize_min + 2 * (int) sr_rng_int (r, 0, n_sizes - 1);
  out->sigma_x = sr_rng_range (r, b->sigma[0], b->sigma[1]);
  out->sigma_y = sr_rng_range (r, b->sigma[0], b->sigma[1]);
  out->theta = sr_rng_range (r, b->theta[0], b->theta[1]);
  out->beta_g = sr_rng_range (r, b->betag[0], b->betag[1]);
  out->beta_p = sr_rng_range (r, b->betap[0], b->betap[1]);
  double om[2];
  omega_range (b, out->size, om);
  out->omega = sr_rng_range (r, om[0], om[1]);
}

/* BasicSR's random_bivariate_{generalized,plateau} on the degenerate range
 * [b, b]: U < 0.5 ? U(b, 1) : U(1, b), a fresh value between b and 1. */
static double
beta_redraw (SrRng *r, double b)
{
  if (sr_rng_uniform (r) < 0.5)
    return sr_rng_range (r, b, 1);
  return sr_rng_range (r, 1, b);
}

/* The frame's kernel (random_mixed_kernels on the walked values), then the
 * six walk steps in mmagic's order. */
static void
blur_frame (SrRng *r, const SrVsrBlurConfig *b, SrVsrBlur *s, SrKernelDraw *k)
{
  *k = (SrKernelDraw) { 0 };
  if (!s->applied) {
    k->kind = SR_KERNEL_PULSE;
    return;
  }
  k->kind = s->kind;
  k->size = s->size;
  const gboolean aniso = s->kind == SR_KERNEL_ANISO
      || s->kind == SR_KERNEL_GENERALIZED_ANISO || s->kind == SR_KERNEL_PLATEAU_ANISO;
  if (s->kind == SR_KERNEL_SINC) {
    k->omega = s->omega;
  } else {
    k->sigma_x = s->sigma_x;
    k->sigma_y = aniso ? s->sigma_y : s->sigma_x;
    k->theta = aniso ? s->theta : 0;
    if (s->kind == SR_KERNEL_GENERALIZED_ISO || s->kind == SR_KERNEL_GENERALIZED_ANISO)
      k->beta = beta_redraw (r, s->beta_g);
    else if (s->kind == SR_KERNEL_PLATEAU_ISO || s->kind == SR_KERNEL_PLATEAU_ANISO)
      k->beta = beta_redraw (r, s->beta_p);
  }
  double om[2];
  omega_range (b, s->size, om);
  s->sigma_x = walk (r, s->sigma_x, b->sigma_step, b->sigma);
  s->sigma_y = walk (r, s->sigma_y, b->sigma_step, b->sigma);
  s->theta = walk (r, s->theta, b->theta_step, b->theta);
  s->beta_g = walk (r, s->beta_g, b->betag_step, b->betag);
  s->beta_p = walk (r, s->beta_p, b->betap_step, b->betap);
  s->omega = walk (r, s->omega, b->omega_step, om);
}

static void
resize_begin (SrRng *r, const SrVsrResizeConfig *c, SrVsrResize *out)
{
  *out = (SrVsrResize) { 0 };
  out->interp = (SrVsrInterp) choice (r, c->interp_prob, 3);
  out->scale = 1;
  if (c->to_target)
    return;
  out->updown = (SrUpDown) choice (r, c->updown_prob, 3);
  if (out->updown == SR_UPDOWN_UP)
    out->scale = sr_rng_range (r, 1, c->range[1]);
  else if (out->updown == SR_UPDOWN_DOWN)
    out->scale = sr_rng_range (r, c->range[0], 1);
}

/* int(2 * (base * s // 2)): is_size_even on mmagic's float sizes. */
static int
even_size (int base, double s)
{
  return MAX (2 * (int) floor (base * s / 2), 2);
}

static void
noise_begin (SrRng *r, const SrVsrNoiseConfig *c, SrVsrNoise *out)
{
  *out = (SrVsrNoise) { 0 };
  out->gaussian = sr_rng_uniform (r) < c->gaussian_prob;
  if (out->gaussian)
    out->sigma = sr_rng_range (r, c->sigma[0], c->sigma[1]);
  else
    out->scale = sr_rng_range (r, c->scale[0], c->scale[1]);
  out->gray = sr_rng_uniform (r) < c->gray_prob;
}

static double
noise_frame (SrRng *r, const SrVsrNoiseConfig *c, SrVsrNoise *s)
{
  if (s->gaussian) {
    const double v = s->sigma;
    s->sigma = walk (r, s->sigma, c->sigma_step, c->sigma);
    return v;
  }
  const double v = s->scale;
  s->scale = walk (r, s->scale, c->scale_step, c->scale);
  return v;
}

/* Python's round() of a NumPy float: to nearest, ties to even. */
static double
round_half_even (double v)
{
  return nearbyint (v);
}

static double
jpeg_frame (SrRng *r, const SrVsrJpegConfig *c, SrVsrJpeg *s)
{
  const double q = s->quality;
  s->quality = round_half_even (clampd (s->quality + sr_rng_range (r, -c->step,
              c->step), c->quality));
  return q;
}

static void
video_begin (SrRng *r, const SrVsrVideoConfig *c, SrVsrVideo *out)
{
  out->codec = (SrVsrCodec) choice (r, c->codec_prob, 3);
  out->bitrate = (int) sr_rng_int (r, c->bitrate[0], c->bitrate[1]);
}

/* ---- clips ---------------------------------------------------------------- */

void
sr_vsr_clip_begin (SrVsrClip *c, const SrVsrConfig *cfg, guint64 seed,
    guint64 clip, int w, int h, int scale)
{
  *c = (SrVsrClip) { 0 };
  for (int i = 0; i < N_STREAMS; i++)
    sr_rng_init (&c->rng[i], seed, clip, VSR_RNG_OP + i);
  c->clip = clip;
  c->w = w;
  c->h = h;
  c->lr_w = w / scale;
  c->lr_h = h / scale;
  SrRng *r = c->rng;
  blur_begin (&r[S_BLUR1], &cfg->blur1, &c->blur1);
  resize_begin (&r[S_RESIZE1], &cfg->resize1, &c->resize1);
  noise_begin (&r[S_NOISE1], &cfg->noise1, &c->noise1);
  c->jpeg1.quality = round_half_even (sr_rng_range (&r[S_JPEG1],
          cfg->jpeg1.quality[0], cfg->jpeg1.quality[1]));
  video_begin (&r[S_VIDEO1], &cfg->video, &c->video1);
  blur_begin (&r[S_BLUR2], &cfg->blur2, &c->blur2);
  resize_begin (&r[S_RESIZE2], &cfg->resize2, &c->resize2);
  noise_begin (&r[S_NOISE2], &cfg->noise2, &c->noise2);
  c->jpeg2.quality = round_half_even (sr_rng_range (&r[S_JPEG2],
          cfg->jpeg2.quality[0], cfg->jpeg2.quality[1]));
  /* np.random.shuffle of the two groups: one draw picks the order. */
  c->video_first = sr_rng_uniform (&r[S_SHUFFLE]) < 0.5;
  video_begin (&r[S_VIDEO2], &cfg->video, &c->video2);
  resize_begin (&r[S_RESIZE_FINAL], &cfg->resize_final, &c->resize_final);
  blur_begin (&r[S_SINC], &cfg->sinc, &c->sinc);
  /* Resize 2 sizes its frames from the first frame it sees: frame 0 after
   * resize 1. */
  c->resize2_base_w = even_size (w, c->resize1.scale);
  c->resize2_base_h = even_size (h, c->resize1.scale);
}

void
sr_vsr_clip_next (SrVsrClip *c, const SrVsrConfig *cfg, SrVsrFrame *f)
{
  SrRng *r = c->rng;
  *f = (SrVsrFrame) { 0 };
  blur_frame (&r[S_BLUR1], &cfg->blur1, &c->blur1, &f->blur1);
  f->resize1_scale = c->resize1.scale;
  f->resize1_w = even_size (c->w, c->resize1.scale);
  f->resize1_h = even_size (c->h, c->resize1.scale);
  c->resize1.scale = walk (&r[S_RESIZE1], c->resize1.scale,
      cfg->resize1.step, cfg->resize1.range);
  f->noise1_value = noise_frame (&r[S_NOISE1], &cfg->noise1, &c->noise1);
  f->jpeg1_quality = jpeg_frame (&r[S_JPEG1], &cfg->jpeg1, &c->jpeg1);
  blur_frame (&r[S_BLUR2], &cfg->blur2, &c->blur2, &f->blur2);
  f->resize2_scale = c->resize2.scale;
  f->resize2_w = even_size (c->resize2_base_w, c->resize2.scale);
  f->resize2_h = even_size (c->resize2_base_h, c->resize2.scale);
  c->resize2.scale = walk (&r[S_RESIZE2], c->resize2.scale,
      cfg->resize2.step, cfg->resize2.range);
  f->noise2_value = noise_frame (&r[S_NOISE2], &cfg->noise2, &c->noise2);
  f->jpeg2_quality = jpeg_frame (&r[S_JPEG2], &cfg->jpeg2, &c->jpeg2);
  blur_frame (&r[S_SINC], &cfg->sinc, &c->sinc, &f->sinc);
  c->frame++;
}

const char *
sr_vsr_interp_name (SrVsrInterp i)
{
  static const char *names[] = { "bilinear", "area", "bicubic" };
  return names[i];
}

const char *
sr_vsr_codec_name (SrVsrCodec c)
{
  /* GStreamer encoder factories (section 0.3 records the factory name):
   * libx264 and FFmpeg's default h264 are both x264. */
  static const char *names[] = { "x264enc", "x264enc", "avenc_mpeg4" };
  return names[c];
}

/* ---- running a clip ---------------------------------------------------- */

/* Op ids of the per-pixel noise streams, keyed by (seed, frame, op). */
#define NOISE_OP_VSR1 0x6e6f5601u
#define NOISE_OP_VSR2 0x6e6f5602u


struct SrVsrRunner {
  SrRuntime *rt;
  SrDegradeOps ops;
  float kernel[SR_MAX_KERNEL * SR_MAX_KERNEL];
};

/* A frame on its way: the tensor, and whether it holds 8-bit data (after a
 * JPEG decode: OpenCV then rounds and saturates what a blur or resize
 * writes). */
typedef struct {
  SrTensor *x;
  gboolean u8;
} Frame;

SrVsrRunner *
sr_vsr_runner_new (SrRuntime *rt, GError **error)
{
  SrVsrRunner *r = g_new0 (SrVsrRunner, 1);
  r->rt = sr_runtime_ref (rt);
  if (!sr_degrade_ops_init (&r->ops, rt, error)) {
    sr_vsr_runner_free (r);
    return NULL;
  }
  return r;
}

void
sr_vsr_runner_free (SrVsrRunner *r)
{
  if (!r)
    return;
  sr_degrade_ops_clear (&r->ops);
  sr_runtime_unref (r->rt);
  g_free (r);
}

/* FALSE with error (domain SR_ERROR, code st) saying what failed. */
static gboolean
fail (GError **error, SrStatus st, const char *what)
{
  g_set_error (error, SR_ERROR, st, "%s: %s", what, sr_status_name (st));
  return FALSE;
}

/* Replaces f's tensor with `out` (the result of a step on it); an 8-bit
 * frame's result is rounded and saturated as OpenCV stores it. */
static SrStatus
replace (SrVsrRunner *r, cl_command_queue q, Frame *f, SrTensor *out, SrStatus st)
{
  if (st == SR_OK && f->u8)
    st = sr_noise_round8_run (r->ops.noise, q, out, out);
  sr_tensor_unref (f->x);
  f->x = out;
  return st;
}

static SrTensor *
new_like (SrVsrRunner *r, int h, int w)
{
  return sr_tensor_new (r->rt, 1, 3, h, w, SR_DTYPE_F32, NULL);
}

/* cv2.filter2D (correlation, BORDER_REFLECT_101 on any size: SciPy's
 * 'mirror' is the same reflection, repeated). */
static SrStatus
blur (SrVsrRunner *r, cl_command_queue q, Frame *f, const SrKernelDraw *k)
{
  if (!sr_kernel_draw_make (k, r->kernel))
    return SR_ERR_INVALID_ARGUMENT;
  SrTensor *out = new_like (r, f->x->h, f->x->w);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  return replace (r, q, f, out, sr_conv2d_run (r->ops.conv, q, f->x, out, r->kernel,
          k->size, SR_BORDER_MIRROR, NULL));
}

static const SrResizeMode cv_modes[] = {
  [SR_VSR_BILINEAR] = SR_RESIZE_BILINEAR,
  [SR_VSR_AREA] = SR_RESIZE_AREA,
  [SR_VSR_BICUBIC] = SR_RESIZE_BICUBIC,
};

/* cv2.resize to w x h. */
static SrStatus
resize (SrVsrRunner *r, cl_command_queue q, Frame *f, SrVsrInterp interp, int w,
    int h)
{
  if (!sr_taps_opencv_2d (&r->ops.rows, &r->ops.cols, cv_modes[interp], f->x->h, f->x->w,
          h, w))
    return SR_ERR_INVALID_ARGUMENT;
  SrTensor *out = new_like (r, h, w);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  return replace (r, q, f, out, sr_resample_run (r->ops.resample, q, f->x, out,
          &r->ops.rows, &r->ops.cols));
}

static void
record_resize (SrRecord *rec, int stage, SrVsrInterp interp, const char *direction,
    double factor, int in_w, int in_h, int out_w, int out_h)
{
  SrOpRecord *op = sr_record_add (rec, "resize");
  if (stage > 0)
    sr_op_int (op, "stage", stage);
  else
    sr_op_string (op, "stage", "final");
  sr_op_string (op, "semantics", "opencv");
  sr_op_string (op, "mode", sr_vsr_interp_name (interp));
  sr_op_string (op, "direction", direction);
  if (factor > 0)
    sr_op_double (op, "factor", factor);
  sr_op_size (op, "in-size", in_w, in_h);
  sr_op_size (op, "out-size", out_w, out_h);
}

/* RandomNoise: in 0..255 units, unclipped; its result is float data. */
static SrStatus
noise_step (SrVsrRunner *r, cl_command_queue q, Frame *f, const SrVsrNoise *n,
    double value, int stage, guint64 seed, guint64 index, gboolean apply,
    SrRecord *rec)
{
  SrOpRecord *op = sr_record_add (rec, "noise");
  sr_op_int (op, "stage", stage);
  sr_op_string (op, "type", n->gaussian ? "gaussian" : "poisson");
  sr_op_bool (op, "gray", n->gray);
  sr_op_double (op, n->gaussian ? "sigma" : "scale", value);
  sr_op_bool (op, "applied", apply);
  f->u8 = FALSE;
  if (!apply)
    return SR_OK;
  return sr_noise_mmagic_run (r->ops.noise, q, f->x, f->x, seed, index,
      stage == 1 ? NOISE_OP_VSR1 : NOISE_OP_VSR2, !n->gaussian, value, n->gray);
}

/* RandomJPEGCompression: cv2.imencode + imdecode of the RGB frame, which
 * OpenCV reads as BGR; 8-bit data out. */
static SrStatus
jpeg_step (SrVsrRunner *r, cl_command_queue q, Frame *f, double quality,
    int stage, SrRecord *rec)
{
  SrOpRecord *op = sr_record_add (rec, "jpeg");
  sr_op_int (op, "stage", stage);
  sr_op_int (op, "quality", (gint64) quality);
  sr_op_string (op, "variant", "libjpeg");
  sr_op_string (op, "channel-order", "bgr");
  f->u8 = TRUE;
  return sr_jpeg_run (r->ops.jpeg, q, f->x, f->x, (float) quality,
      SR_JPEG_OP_LIBJPEG_TABLES_BGR);
}

/* RandomVideoCompression over the whole clip: PyAV scales every frame to
 * the first frame's size (swscale, bilinear) on the way into the encoder,
 * and the decoded frames come back as float data. Recorded: the draw
 * (bits-per-frame: mmagic's bits/s at 1 frame/s), what the encoder was
 * given (bitrate in kbit/s, or a constant quantizer where the encoder
 * cannot follow a bitrate) and what it produced. */
static gboolean
video_step (SrVsrRunner *r, cl_command_queue q, Frame *frames, int n,
    const SrVsrVideo *v, guint64 clip, SrVsrCodecFunc codec, gpointer user,
    SrRecord *recs, GError **error)
{
  const int w = frames[0].x->w, h = frames[0].x->h;
  if (n < 1 || n > SR_VSR_MAX_CLIP)
    return fail (error, SR_ERR_INVALID_ARGUMENT, "a clip of that many frames");
  SrVsrCodecResult result = { 0 };
  gboolean ok = TRUE;
  if (codec) {
    SrStatus st = SR_OK;
    for (int t = 0; t < n && st == SR_OK; t++)
      if (frames[t].x->w != w || frames[t].x->h != h)
        st = resize (r, q, &frames[t], SR_VSR_BILINEAR, w, h);
    if (st != SR_OK)
      return fail (error, st, "scaling a clip to its first frame's size");
    SrTensor **x = g_new (SrTensor *, n);
    for (int t = 0; t < n; t++)
      x[t] = frames[t].x;
    ok = codec (x, n, v, clip, user, &result, error);
    for (int t = 0; t < n; t++) {
      frames[t].x = x[t];
      frames[t].u8 = FALSE;
    }
    g_free (x);
  }
  for (int t = 0; t < n; t++) {
    SrOpRecord *op = sr_record_add (&recs[t], "codec");
    sr_op_string (op, "codec", sr_vsr_codec_name (v->codec));
    sr_op_int (op, "bits-per-frame", v->bitrate);
    if (result.quantizer > 0)
      sr_op_double (op, "quantizer", result.quantizer);
    else
      sr_op_double (op, "bitrate", codec ? result.bitrate : v->bitrate / 1000.0);
    if (codec)
      sr_op_double (op, "encoded-bits-per-frame", result.bits_per_frame);
    sr_op_int (op, "gop", sr_vsr_codec_gop (v->codec));
    sr_op_int (op, "segment", (gint64) clip);
    sr_op_int (op, "segment-frames", n);
    sr_op_size (op, "size", w, h);
    sr_op_bool (op, "applied", codec != NULL);
  }
  return ok;
}

#define TRY(expr) do { if ((st = (expr)) != SR_OK) goto failed; } while (0)

gboolean
sr_vsr_run_clip (SrVsrRunner *r, cl_command_queue q, const SrVsrConfig *cfg,
    guint64 seed, guint64 clip, guint64 first_frame, SrTensor *const *hr, int n,
    int scale, gboolean noise, SrVsrCodecFunc codec, gpointer codec_user,
    SrTensor **lr, SrRecord *recs, GError **error)
{
  if (n < 1 || n > SR_VSR_MAX_CLIP)
    return fail (error, SR_ERR_INVALID_ARGUMENT, "a realbasicvsr clip of that many frames");
  SrVsrClip c;
  sr_vsr_clip_begin (&c, cfg, seed, clip, hr[0]->w, hr[0]->h, scale);
  SrVsrFrame *draws = g_new (SrVsrFrame, n);
  Frame *f = g_new0 (Frame, n);
  SrStatus st = SR_OK;
  gboolean ok = TRUE;
  for (int t = 0; t < n; t++) {
    sr_vsr_clip_next (&c, cfg, &draws[t]);
    sr_record_clear (&recs[t]);
    f[t].x = sr_tensor_ref (hr[t]);
  }

  /* Stage 1, frame by frame. */
  for (int t = 0; t < n; t++) {
    const SrVsrFrame *d = &draws[t];
    sr_record_blur (&recs[t], 1, &d->blur1);
    TRY (blur (r, q, &f[t], &d->blur1));
    record_resize (&recs[t], 1, c.resize1.interp, sr_updown_name (c.resize1.updown),
        d->resize1_scale, f[t].x->w, f[t].x->h, d->resize1_w, d->resize1_h);
    TRY (resize (r, q, &f[t], c.resize1.interp, d->resize1_w, d->resize1_h));
    TRY (noise_step (r, q, &f[t], &c.noise1, d->noise1_value, 1, seed,
            first_frame + t, noise, &recs[t]));
    TRY (jpeg_step (r, q, &f[t], d->jpeg1_quality, 1, &recs[t]));
  }
  if (!(ok = video_step (r, q, f, n, &c.video1, clip, codec, codec_user, recs, error)))
    goto done;

  /* Stage 2 (resize 2 sizes from the first frame it sees: frame 0 after
   * resize 1, which the codec keeps). */
  for (int t = 0; t < n; t++) {
    const SrVsrFrame *d = &draws[t];
    if (c.blur2.applied) {
      sr_record_blur (&recs[t], 2, &d->blur2);
      TRY (blur (r, q, &f[t], &d->blur2));
    } else {
      sr_record_skip (&recs[t], "blur", 2);
    }
    record_resize (&recs[t], 2, c.resize2.interp, sr_updown_name (c.resize2.updown),
        d->resize2_scale, f[t].x->w, f[t].x->h, d->resize2_w, d->resize2_h);
    TRY (resize (r, q, &f[t], c.resize2.interp, d->resize2_w, d->resize2_h));
    TRY (noise_step (r, q, &f[t], &c.noise2, d->noise2_value, 2, seed,
            first_frame + t, noise, &recs[t]));
    TRY (jpeg_step (r, q, &f[t], d->jpeg2_quality, 2, &recs[t]));
  }

  /* The shuffled final group: video compression, and the resize to the LR
   * size followed by the gated sinc, in the clip's order. */
  for (int pass = 0; pass < 2; pass++) {
    if ((pass == 0) == c.video_first) {
      if (!(ok = video_step (r, q, f, n, &c.video2, clip, codec, codec_user, recs,
                  error)))
        goto done;
      continue;
    }
    for (int t = 0; t < n; t++) {
      record_resize (&recs[t], 0, c.resize_final.interp, "final", 0, f[t].x->w,
          f[t].x->h, c.lr_w, c.lr_h);
      TRY (resize (r, q, &f[t], c.resize_final.interp, c.lr_w, c.lr_h));
      if (c.sinc.applied) {
        sr_record_blur (&recs[t], 0, &draws[t].sinc);
        TRY (blur (r, q, &f[t], &draws[t].sinc));
      } else {
        sr_record_skip (&recs[t], "blur", 0);
      }
    }
  }

  /* mmagic's Clip to [0, 255]; the download rounds. */
  for (int t = 0; t < n; t++) {
    TRY (sr_noise_clamp_run (r->ops.noise, q, f[t].x, f[t].x));
    lr[t] = f[t].x;
    f[t].x = NULL;
  }
  goto done;

failed:
  ok = fail (error, st, "degrading a realbasicvsr clip");
done:
  for (int t = 0; t < n; t++)
    if (f[t].x)
      sr_tensor_unref (f[t].x);
  g_free (f);
  g_free (draws);
  return ok;
}

int
sr_vsr_codec_gop (SrVsrCodec c)
{
  static const int gops[] = { 250, 250, 12 };
  return gops[c];
}
