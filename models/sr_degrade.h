/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Degradation models: each preset samples its parameters (host, double
 * precision, Philox-keyed) and runs its chain of kernels/ ops on an HR
 * tensor, recording every step (docs/dataset.md). No GStreamer here. */
#pragma once

#include "sr_record.h"
#include "sr_tensor.h"
#include "sr_realbasicvsr.h"
#include "sr_twostage.h"

G_BEGIN_DECLS

typedef enum {
  SR_PRESET_BICUBIC,
  SR_PRESET_REALESRGAN,
  SR_PRESET_BSRGAN,
  SR_PRESET_BSRGAN_PLUS,
  SR_PRESET_HGGT,
  SR_PRESET_CUSTOM,
  SR_PRESET_REALBASICVSR,     /* clips: sr_degrader_run_clip */
} SrPreset;

typedef enum {
  SR_JPEG_DIFFJPEG,           /* standard table orientation (default) */
  SR_JPEG_DIFFJPEG_BASICSR,   /* BasicSR's transposed luminance table */
  SR_JPEG_LIBJPEG,            /* integer tables, 8-bit round trip */
} SrJpegVariant;

typedef struct {
  SrPreset preset;
  int scale;
  guint64 seed;
  gboolean noise;             /* FALSE: noise drawn and recorded, not added
                               * (the Real-ESRGAN family still clips) */
  SrJpegVariant jpeg;
  /* > 0: parameters are drawn once per clip of this many frames (video
   * datasets hold one degradation across a clip); per-pixel noise is still
   * drawn per frame. realbasicvsr: 0 means SR_DEGRADE_VSR_CLIP_LENGTH. */
  guint clip_length;
  /* realbasicvsr: FALSE records the video compressions without applying
   * them (replay verification, as `noise`). */
  gboolean video_compression;
  /* preset=custom only: the chain's ranges (sr_custom_config.h fills it). */
  SrTwoStageConfig custom;
} SrDegradeConfig;

const char *sr_preset_name (SrPreset preset);
const char *sr_jpeg_variant_name (SrJpegVariant v);

/* FALSE (with a message naming the allowed values) if the preset does not
 * support this scale. */
gboolean sr_degrade_check_config (const SrDegradeConfig *cfg, GError **error);

/* The smallest HR width/height (after mod-crop) this preset accepts at its
 * scale; smaller frames are refused, never padded differently from
 * upstream. */
int sr_degrade_min_hr_size (const SrDegradeConfig *cfg);

/* The LR size for an HR frame of w x h: HR is first mod-cropped to a
 * multiple of the scale (top-left anchored), LR = cropped / scale. */
void sr_degrade_lr_size (const SrDegradeConfig *cfg, int w, int h,
    int *lr_w, int *lr_h);

typedef struct SrDegrader SrDegrader;

SrDegrader *sr_degrader_new (SrRuntime *rt, const SrDegradeConfig *cfg,
    GError **error);
void sr_degrader_free (SrDegrader *d);

/* The index that keys the parameter draws of frame `frame`: the frame
 * itself, or its clip when clip_length > 0 (video datasets hold one
 * degradation across a clip). */
guint64 sr_degrade_draw_index (const SrDegradeConfig *cfg, guint64 frame);

/* Degrades hr ([1,3,H,W], H and W multiples of the scale) into *lr (owned by
 * the degrader, valid until the next call) and fills rec with the steps.
 * Parameters are keyed by sr_degrade_draw_index (frame), per-pixel noise by
 * the frame index itself. */
SrStatus sr_degrader_run (SrDegrader *d, cl_command_queue q, SrTensor *hr,
    guint64 frame, SrTensor **lr, SrRecord *rec);

/* realbasicvsr's clip length when clip_length is 0: mmagic's 15 input
 * frames (num_input_frames). */
#define SR_DEGRADE_VSR_CLIP_LENGTH 15

/* The clip length in effect (realbasicvsr's default applied). */
guint sr_degrade_clip_length (const SrDegradeConfig *cfg);

/* realbasicvsr: degrades the n frames of clip `clip` (hr[0] is stream frame
 * first_frame); see sr_vsr_run_clip. codec is used only with
 * video_compression. */
gboolean sr_degrader_run_clip (SrDegrader *d, cl_command_queue q,
    guint64 clip, guint64 first_frame, SrTensor *const *hr, int n,
    SrVsrCodecFunc codec, gpointer codec_user, SrTensor **lr, SrRecord *recs,
    GError **error);

G_END_DECLS
