/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The undertrained-reconstruction degradation (the seed paper
 * undertrained-reconstruction-degradation; spec/models.md 5): the HR frame
 * downsampled by `scale` with MATLAB's bicubic imresize (antialiased, as
 * BasicSR's), then reconstructed by an image model trained for only a few
 * epochs (VQ-VAE-2 / VQ-VAE checkpoints, models/train/), whose output
 * carries the model's noise, blur, ringing and aliasing; that is the LR.
 *
 * Colour: the reconstruction's colour difference to the downsampled input
 * is measured as the mean CIEDE2000 of their 8-bit values (the Lab and
 * CIEDE2000 ops, as scikit-image computes them), and optionally fixed in
 * CIELAB: `mean` moves each channel's mean to the input's, `meanstd` also
 * scales its spread to the input's; then measured again. The paper found
 * colour shifts between LR and HR hurt the SR models trained on them.
 *
 * Several models can be mixed: each frame takes one, drawn from (seed,
 * frame) with Philox (contract 4), so a rerun picks the same. */
#pragma once

#include "sr_executor.h"
#include "sr_record.h"
#include "sr_tiled.h"

G_BEGIN_DECLS

typedef enum {
  SR_COLOR_FIX_NONE,
  SR_COLOR_FIX_MEAN,            /* Lab means moved to the input's */
  SR_COLOR_FIX_MEANSTD,         /* and Lab spreads scaled to the input's */
} SrColorFix;

const char *sr_color_fix_name (SrColorFix fix);

typedef struct {
  int scale;                    /* 1..8; 1: the input is LR already */
  SrColorFix color_fix;
  gboolean measure_color;       /* measure dE even without a fix */
  guint64 seed;
  guint tile_size;              /* 0: tiles from memory_budget */
  guint64 memory_budget;
} SrUndertrainedConfig;

/* What one frame went through. */
typedef struct {
  int model;                    /* index into the models given */
  int codes_used[2];            /* distinct codes per quantiser (VQ-VAE-2:
                                 * top, bottom; VQ-VAE: one); -1: none */
  int codes[2];                 /* the codebooks' sizes */
  int n_quantisers;
  gboolean tiled;               /* codes_used counts the last tile only */
  double delta_e;               /* mean dE00 input vs reconstruction; NaN
                                 * when not measured */
  double delta_e_fixed;         /* after the colour fix (= delta_e with
                                 * none) */
} SrUndertrainedResult;

typedef struct _SrUndertrained SrUndertrained;

/* models: registry names or safetensors paths (n >= 1). Loads and builds
 * each (SR_MODEL_ERROR naming the file on failure); a network whose output
 * is not its input's size is refused. Lab/CIEDE2000 need cl_khr_fp64,
 * asked for only when cfg has a colour fix or measure_color. */
SrUndertrained *sr_undertrained_new (SrRuntime *rt,
    const char *const *models, int n, const SrUndertrainedConfig *cfg,
    GError **error);
void sr_undertrained_free (SrUndertrained *u);

/* The model's name as given, and its training epochs (metadata
 * gst-sr.epochs of the file; -1 when it has none). */
const char *sr_undertrained_model_name (const SrUndertrained *u, int i);
int sr_undertrained_model_epochs (const SrUndertrained *u, int i);

/* The LR size of w x h HR frames (cropped to a multiple of scale first). */
void sr_undertrained_lr_size (const SrUndertrained *u, int w, int h,
    int *lw, int *lh);

/* Plans every model for hr_w x hr_h frames (multiples of scale): tensors,
 * tap tables, tiles. May measure kernels on a new device. */
gboolean sr_undertrained_plan (SrUndertrained *u, int hr_w, int hr_h,
    GError **error);

/* One frame: hr (float32 [1,3,H,W] as planned) to *lr (owned by u, valid
 * until the next run), its steps appended to rec (resize, undertrained),
 * what happened in *res. Waits. */
SrStatus sr_undertrained_run (SrUndertrained *u, cl_command_queue q,
    SrTensor *hr, guint64 frame, SrTensor **lr, SrRecord *rec,
    SrUndertrainedResult *res);

G_END_DECLS
