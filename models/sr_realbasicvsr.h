/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* RealBasicVSR's video degradations (mmagic's realbasicvsr train_pipeline,
 * spec/degradations.md part B 5 and 8.4): the sampler. Each transform draws
 * its parameters once per clip (categorical choices stay fixed for the
 * clip), then walks its continuous parameters frame by frame
 * (`p += U(-step, step)`, clipped to the configured range) after each
 * frame, as mmagic's Random* transforms do on a list of frames.
 *
 * Streams: each transform draws from its own Philox stream keyed by (seed,
 * clip, transform), clip draws first, then its frames' draws in order, so a
 * frame's values depend only on its clip and its place in it. Host, double
 * precision. */
#pragma once

#include "sr_philox.h"
#include "sr_record.h"
#include "sr_tensor.h"
#include "sr_twostage.h"

G_BEGIN_DECLS

/* cv2.resize interpolations in mmagic's resize_opt order. */
typedef enum { SR_VSR_BILINEAR, SR_VSR_AREA, SR_VSR_BICUBIC } SrVsrInterp;

/* RandomVideoCompression's codec list: 'h264' is FFmpeg's default H.264
 * encoder, libx264 in Debian's build, so two of three clips use x264. */
typedef enum { SR_VSR_LIBX264, SR_VSR_H264, SR_VSR_MPEG4 } SrVsrCodec;

#define SR_VSR_N_BLUR_KINDS 7           /* the six mixed kernels, then sinc */
#define SR_VSR_N_STREAMS 13             /* one Philox stream per transform */

typedef struct {
  double prob;                          /* the gate: applied when U <= prob */
  double kind_prob[SR_VSR_N_BLUR_KINDS];  /* iso .. plateau_aniso, sinc */
  int ksize_min, ksize_max;             /* odd sizes, uniformly */
  double sigma[2], theta[2], betag[2], betap[2];
  double omega[2];                      /* [0, 0]: by size, [pi/3|pi/5, pi] */
  double sigma_step, theta_step, betag_step, betap_step, omega_step;
} SrVsrBlurConfig;

typedef struct {
  double interp_prob[3];                /* bilinear, area, bicubic */
  gboolean to_target;                   /* the final resize to the LR size */
  double updown_prob[3];                /* up, down, keep */
  double range[2];                      /* scale: down [lo, 1), up [1, hi) */
  double step;                          /* walk; clipped to range */
} SrVsrResizeConfig;

typedef struct {
  double gaussian_prob;
  double sigma[2], sigma_step;          /* 0..255 units */
  double scale[2], scale_step;          /* Poisson */
  double gray_prob;
} SrVsrNoiseConfig;

typedef struct {
  double quality[2], step;
} SrVsrJpegConfig;

typedef struct {
  double codec_prob[3];                 /* libx264, h264, mpeg4 */
  int bitrate[2];                       /* bits per frame (mmagic's bits/s at 1 fps) */
} SrVsrVideoConfig;

typedef struct {
  SrVsrBlurConfig blur1, blur2, sinc;
  SrVsrResizeConfig resize1, resize2, resize_final;
  SrVsrNoiseConfig noise1, noise2;
  SrVsrJpegConfig jpeg1, jpeg2;
  SrVsrVideoConfig video;
} SrVsrConfig;

/* mmagic's realbasicvsr_wogan-c64b20-2x30x8 train_pipeline values. */
void sr_vsr_config_realbasicvsr (SrVsrConfig *cfg);

/* One RandomBlur: clip draws, then the walked values. */
typedef struct {
  gboolean applied;
  SrKernelKind kind;                    /* SR_KERNEL_ISO .. SR_KERNEL_SINC */
  int size;
  double sigma_x, sigma_y, theta, beta_g, beta_p, omega;   /* walk state */
} SrVsrBlur;

typedef struct {
  SrVsrInterp interp;
  SrUpDown updown;                      /* to_target: unused */
  double scale;                         /* walk state (1 for keep, at first) */
} SrVsrResize;

typedef struct {
  gboolean gaussian;                    /* else Poisson */
  double sigma, scale;                  /* walk state */
  gboolean gray;
} SrVsrNoise;

typedef struct {
  double quality;                       /* an integer; walk state */
} SrVsrJpeg;

typedef struct {
  SrVsrCodec codec;
  int bitrate;                          /* bits per frame */
} SrVsrVideo;

typedef struct {
  SrRng rng[SR_VSR_N_STREAMS];          /* one stream per transform */
  guint64 clip;
  int frame;                            /* frames drawn so far */
  int w, h;                             /* the clip's HR frames */
  int lr_w, lr_h;                       /* the final resize's target */
  int resize2_base_w, resize2_base_h;   /* frame 0's size entering resize 2 */
  SrVsrBlur blur1, blur2, sinc;
  SrVsrResize resize1, resize2, resize_final;
  SrVsrNoise noise1, noise2;
  SrVsrJpeg jpeg1, jpeg2;
  SrVsrVideo video1, video2;
  gboolean video_first;                 /* the shuffled final group's order */
} SrVsrClip;

/* One frame's values: what frame `frame` of the clip is degraded with. */
typedef struct {
  SrKernelDraw blur1, blur2, sinc;      /* beta as used (mmagic redraws it) */
  double resize1_scale, resize2_scale;
  int resize1_w, resize1_h, resize2_w, resize2_h;
  double noise1_value, noise2_value;    /* sigma (Gaussian) or scale (Poisson) */
  double jpeg1_quality, jpeg2_quality;
} SrVsrFrame;

/* Draws clip `clip`'s parameters for frames of w x h (HR, already a
 * multiple of scale); the final resize targets w/scale x h/scale. */
void sr_vsr_clip_begin (SrVsrClip *c, const SrVsrConfig *cfg, guint64 seed,
    guint64 clip, int w, int h, int scale);

/* The next frame's values; then every walk takes its step. */
void sr_vsr_clip_next (SrVsrClip *c, const SrVsrConfig *cfg, SrVsrFrame *f);

/* ---- running a clip ---------------------------------------------------- */

/* What a codec round trip applied and produced, for the record. */
typedef struct {
  double bitrate;                       /* kbit/s given to a rate-driven encoder, or 0 */
  double quantizer;                     /* constant quantizer used instead, or 0 */
  double bits_per_frame;                /* what the encoder produced, on average */
} SrVsrCodecResult;

/* The round trip of a clip's frames through a real video codec, which the
 * gst layer provides (models/ knows no GStreamer): frames[0..n) are
 * [1,3,h,w] tensors of one size holding 8-bit values; each is replaced by
 * its decoded frame (same shape; the old one unreffed) and *result says
 * how. FALSE with error on failure. */
typedef gboolean (*SrVsrCodecFunc) (SrTensor **frames, int n,
    const SrVsrVideo *video, guint64 clip, gpointer user,
    SrVsrCodecResult *result, GError **error);

typedef struct SrVsrRunner SrVsrRunner;

/* The longest clip a runner takes (its frames are held on the device). */
#define SR_VSR_MAX_CLIP 1000

SrVsrRunner *sr_vsr_runner_new (SrRuntime *rt, GError **error);
void sr_vsr_runner_free (SrVsrRunner *r);

/* Degrades the n HR frames of clip `clip` (each [1,3,H,W], H and W
 * multiples of scale, all of one size; first_frame is the stream index of
 * hr[0], which keys the per-pixel noise) through mmagic's pipeline:
 * lr[t] gets a new [1,3,H/scale,W/scale] tensor, values in [0,1] after the
 * final Clip (not yet rounded: the download rounds), and recs[t] the
 * steps frame t went through (docs/degradations.md). noise FALSE: noise
 * drawn and recorded, not added. codec NULL: both video compressions are
 * drawn and recorded, not applied (nor the scaling to the first frame's
 * size that comes with them). */
gboolean sr_vsr_run_clip (SrVsrRunner *r, cl_command_queue q,
    const SrVsrConfig *cfg, guint64 seed, guint64 clip, guint64 first_frame,
    SrTensor *const *hr, int n, int scale, gboolean noise,
    SrVsrCodecFunc codec, gpointer codec_user, SrTensor **lr, SrRecord *recs,
    GError **error);

const char *sr_vsr_interp_name (SrVsrInterp i);
const char *sr_vsr_codec_name (SrVsrCodec c);
/* The encoder's GOP as mmagic's PyAV streams leave it (x264's keyint 250,
 * FFmpeg's gop_size 12 for MPEG-4 Part 2). */
int sr_vsr_codec_gop (SrVsrCodec c);

G_END_DECLS
