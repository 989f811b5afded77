/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KAIR's BSRGAN and BSRGAN+ degradations (utils/utils_blindsr.py,
 * degradation_bsrgan and degradation_bsrgan_plus) on whole frames (no
 * random crop). The sampler draws every parameter on the host in upstream's
 * order from the Philox stream (seed, index) and lays the shuffled
 * operations out as a flat list of steps, with the sizes each step sees;
 * the runner applies them with the kernels/ ops and records them
 * (docs/dataset.md). */
#pragma once

#include "sr_record.h"
#include "sr_tensor.h"

G_BEGIN_DECLS

/* BSRGAN+ settings: KAIR's dataset defaults (data/dataset_blindsr.py), the
 * values upstream trained with. */
#define SR_BSRGAN_PLUS_SHUFFLE_PROB 0.1

/* The smallest side any intermediate frame may have: cv2.resize refuses an
 * empty size; the blurs (SciPy 'mirror' reflects as often as needed),
 * noises and JPEG take any size. */
#define SR_BSRGAN_MIN_SIDE 1

#define SR_BSRGAN_MAX_STEPS 24

typedef enum {
  SR_BSR_STEP_BLUR,           /* add_blur: KAIR iso / aniso */
  SR_BSR_STEP_RESIZE,         /* cv2.resize (interp 1..3) or MATLAB imresize_np */
  SR_BSR_STEP_SHIFT_DECIMATE, /* op 2 kernel branch: shifted blur + [0::sf] */
  SR_BSR_STEP_NOISE,
  SR_BSR_STEP_JPEG,
  SR_BSR_STEP_SKIP,           /* a gate drawn false (or the ISP no-op) */
} SrBsrStepKind;

typedef enum {
  SR_BSR_NOISE_GAUSSIAN,      /* add_Gaussian_noise */
  SR_BSR_NOISE_SPECKLE,       /* add_speckle_noise */
  SR_BSR_NOISE_POISSON,       /* add_Poisson_noise */
} SrBsrNoiseType;

typedef enum {
  SR_BSR_BRANCH_COLOUR,
  SR_BSR_BRANCH_GRAY,
  SR_BSR_BRANCH_CORRELATED,
} SrBsrNoiseBranch;

/* cv2 interpolation codes as KAIR draws them; 0 marks MATLAB imresize_np. */
#define SR_BSR_INTERP_MATLAB 0

typedef struct {
  SrBsrStepKind kind;
  int slot;                   /* upstream op / slot number; -1 pre, 99 final */
  int stage;                  /* recorded stage: 1, 2, 0 = "final", -1 = "pre" */
  int in_w, in_h, out_w, out_h;
  /* blur (and the shifted kernel: sigma, ksize 25, sf) */
  gboolean aniso;
  int ksize;
  double sigma, l1, l2, theta;
  int sf;
  /* resize */
  int interp;                 /* 1 LINEAR, 2 CUBIC, 3 AREA, 0 MATLAB */
  double factor;              /* the scale factor upstream computed with, or 0 */
  double sf1;                 /* the drawn sf1 (informative) */
  const char *direction;
  /* noise */
  SrBsrNoiseType noise;
  SrBsrNoiseBranch branch;
  int level;                  /* noise_level (0..255 units); 25 for correlated */
  double vals;                /* Poisson */
  double factor3[9];          /* correlated: NumPy's sqrt(s)[:,None]*vh, [0,1] units */
  double corr_d[3], corr_a[9];  /* correlated: the drawn rand(3), rand(3,3) */
  double cov[9];              /* correlated: S = |L^2 U^T D U|, [0,1] units */
  /* jpeg */
  int quality;
  /* skip */
  const char *skip_step;
  gboolean gate;              /* the ISP gate's drawn value (no effect) */
} SrBsrStep;

typedef struct {
  gboolean plus;
  int sf_ori, sf;             /* sf: the working factor (2 after pre-halving) */
  gboolean shuffled;          /* BSRGAN+: the full permutation was drawn */
  int order[13];
  int n_order;
  int n_steps;
  SrBsrStep steps[SR_BSRGAN_MAX_STEPS];
  int hr_w, hr_h, lr_w, lr_h;
  int min_side;               /* smallest side of any intermediate frame */
} SrBsrDraw;

/* Draws one frame's parameters for a w x h HR frame (a multiple of sf,
 * sf in 2..4). */
void sr_bsrgan_sample (gboolean plus, int sf, guint64 seed, guint64 index,
    int w, int h, SrBsrDraw *out);

/* The smallest HR side (a multiple of sf) for which every intermediate
 * frame keeps a side >= SR_BSRGAN_MIN_SIDE whatever is drawn (smaller
 * frames are refused):
 * bsrgan 2 sf (op 2 may shrink by up to 2 sf), bsrgan-plus 4 sf^2 (two
 * resizes may each shrink to 0.5/sf). */
int sr_bsrgan_min_hr_size (gboolean plus, int sf);

/* BSRGAN's correlated-noise factor from the drawn D (diag, 3) and A (3x3
 * row-major), both U[0,1): U = orth(A), C = U^T D U, S = |L^2 C|, L = 25/255,
 * factor = sqrt(s)[:,None] * vh of svd(S), as NumPy's multivariate_normal
 * in KAIR's add_Gaussian_noise; noise = z @ factor.
 * Also returns S when cov is not NULL. */
void sr_bsrgan_correlated_factor (const double d[3], const double a[9],
    double factor[9], double cov[9]);

/* The eigen-decomposition of a symmetric 3x3 matrix by cyclic Jacobi in
 * double: m = v diag(lambda) v^T, v's columns the eigenvectors (row-major
 * v[3*i + k] = component i of vector k), sorted by |lambda| descending. */
void sr_sym3_eigen (const double m[9], double lambda[3], double v[9]);

typedef struct SrBsrRunner SrBsrRunner;

SrBsrRunner *sr_bsrgan_runner_new (SrRuntime *rt, GError **error);
void sr_bsrgan_runner_free (SrBsrRunner *r);

/* Degrades hr ([1,3,H,W], multiples of sf) into *lr (owned by the runner,
 * valid until the next call) following `draw`; noise: FALSE records noise
 * steps without applying them (for replay checks); jpeg_variant is an
 * SrJpegOpVariant, jpeg_name its recorded name. */
SrStatus sr_bsrgan_run (SrBsrRunner *r, cl_command_queue q, SrTensor *hr,
    const SrBsrDraw *draw, guint64 seed, guint64 index, gboolean noise,
    int jpeg_variant, const char *jpeg_name, SrTensor **lr, SrRecord *rec);

G_END_DECLS
