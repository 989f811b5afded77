/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The Real-ESRGAN family of degradations: Real-ESRGAN's second-order
 * pipeline (BasicSR realesrgan_dataset.py and realesrgan_model.py
 * feed_data), HGGT's single stage (PosNegGTSR ours_model.py feed_data) and
 * `custom` (any ranges and probabilities) are one configurable chain:
 *   stage 1: blur -> resize -> noise -> JPEG
 *   stage 2: blur (gated) -> resize -> noise   (no JPEG of its own)
 *   then the final resize to HR/scale (+ sinc and a JPEG for Real-ESRGAN,
 *   in one of two orders), then 8-bit rounding by the caller.
 * So a realesrgan frame is compressed exactly twice, as in Real-ESRGAN's
 * realesrgan_model.py (feed_data); the last stage's jpeg_range is the final
 * JPEG's range (upstream's jpeg_range2).
 * This file holds the configuration, the sampler (host, double precision,
 * Philox draws in upstream's order) and the recorded parameters. */
#pragma once

#include "sr_record.h"

G_BEGIN_DECLS

typedef enum {
  SR_KERNEL_ISO,
  SR_KERNEL_ANISO,
  SR_KERNEL_GENERALIZED_ISO,
  SR_KERNEL_GENERALIZED_ANISO,
  SR_KERNEL_PLATEAU_ISO,
  SR_KERNEL_PLATEAU_ANISO,
  SR_KERNEL_SINC,
  SR_KERNEL_PULSE,
  SR_N_KERNEL_KINDS
} SrKernelKind;

#define SR_N_MIXED_KERNELS 6    /* iso .. plateau_aniso, drawn by weight */
#define SR_MAX_KERNEL 51

typedef enum { SR_UPDOWN_UP, SR_UPDOWN_DOWN, SR_UPDOWN_KEEP } SrUpDown;
typedef enum { SR_MODE_AREA, SR_MODE_BILINEAR, SR_MODE_BICUBIC } SrTorchMode;

/* One stage's ranges (Real-ESRGAN's option names in comments). */
typedef struct {
  int ksize_min, ksize_max;           /* odd sizes 2v+1 drawn uniformly */
  double sinc_prob;                   /* sinc_prob */
  double kernel_prob[SR_N_MIXED_KERNELS];   /* kernel_prob */
  double sigma[2];                    /* blur_sigma */
  double betag[2], betap[2];          /* betag_range, betap_range */
  double resize_prob[3];              /* resize_prob: up, down, keep */
  double resize_range[2];             /* resize_range: [down lo, up hi] */
  double gaussian_prob;               /* gaussian_noise_prob */
  double noise_sigma[2];              /* noise_range (0..255 units) */
  double poisson_scale[2];            /* poisson_scale_range */
  double gray_prob;                   /* gray_noise_prob */
  double jpeg_range[2];               /* jpeg_range; stage 2: the final JPEG's */
} SrStageConfig;

typedef struct {
  int n_stages;                       /* 2: Real-ESRGAN; 1: HGGT */
  int kernel_pad;                     /* kernels are zero-padded to this (21, 9) */
  SrStageConfig stage[2];
  double second_blur_prob;
  double final_sinc_prob;             /* 0: no final sinc */
  /* HGGT reuses the first resize's mode for the final resize and has no
   * final JPEG; Real-ESRGAN draws a fresh mode and ends with sinc + JPEG in
   * a random order (the final JPEG draws from the last stage's jpeg_range,
   * unused when this is TRUE). */
  gboolean final_reuses_mode;
} SrTwoStageConfig;

void sr_twostage_config_realesrgan (SrTwoStageConfig *cfg);
void sr_twostage_config_hggt (SrTwoStageConfig *cfg);

/* The smallest HR side for which every intermediate keeps the reflect
 * padding of its blur inside the frame; smaller frames are refused, never
 * padded differently from upstream. */
int sr_twostage_min_hr_size (const SrTwoStageConfig *cfg, int scale);

/* FALSE with a message naming the bad setting when cfg is inconsistent
 * (probabilities outside [0,1], empty ranges, even or too large kernels). */
gboolean sr_twostage_config_check (const SrTwoStageConfig *cfg, GError **error);

typedef struct {
  SrKernelKind kind;
  int size;                           /* before padding */
  double sigma_x, sigma_y, theta, beta, omega;
} SrKernelDraw;

typedef struct {
  SrKernelDraw kernel;
  gboolean blur;                      /* stage 2: the gate */
  SrUpDown updown;
  double resize_scale;
  SrTorchMode mode;
  int resize_w, resize_h;             /* output size of the resize */
  gboolean gaussian;                  /* else Poisson */
  double noise_sigma;                 /* 0..255 units (Gaussian) */
  double poisson_scale;
  gboolean gray;
  double jpeg_quality;                /* stage 1 only */
} SrStageDraw;

typedef struct {
  int n_stages;
  SrStageDraw stage[2];
  gboolean final_sinc;                /* else the pulse (identity) */
  SrKernelDraw sinc;
  gboolean order_a;                   /* A: resize + sinc, then JPEG; B: JPEG first */
  SrTorchMode final_mode;
  double final_jpeg_quality;
  gboolean final_jpeg;                /* Real-ESRGAN only */
  int hr_w, hr_h, lr_w, lr_h;
} SrTwoStageDraw;

/* Draws every parameter for one frame (or clip) of a w x h HR frame
 * (already a multiple of scale), in upstream's order, from the Philox
 * stream (seed, index). */
void sr_twostage_sample (const SrTwoStageConfig *cfg, int scale, guint64 seed,
    guint64 index, int w, int h, SrTwoStageDraw *out);

const char *sr_kernel_kind_name (SrKernelKind kind);
const char *sr_torch_mode_name (SrTorchMode mode);

/* Records one kernel as a `blur` step (stage: 1, 2, or 0 for "final"). */
void sr_record_blur (SrRecord *rec, int stage, const SrKernelDraw *k);

/* Records a gated step that was drawn and not applied (stage as above). */
void sr_record_skip (SrRecord *rec, const char *step, int stage);

const char *sr_updown_name (SrUpDown u);

/* The k->size x k->size kernel of a draw (row-major, unpadded) into out;
 * FALSE for an invalid size or parameter. */
gboolean sr_kernel_draw_make (const SrKernelDraw *k, float *out);

G_END_DECLS
