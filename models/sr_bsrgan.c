/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <math.h>
#include <string.h>
#include "sr_bsrgan.h"
#include "sr_blur_kernels.h"
#include "sr_degrade_ops.h"
#include "sr_philox.h"

/* Op id of the parameter stream, and the base of the per-pixel noise
 * streams (one per slot, so that two noise slots never share a field). */
#define BSRGAN_RNG_OP 0x62737267u       /* "bsrg" */
#define BSRGAN_NOISE_OP 0x6e6f4200u     /* | slot */

#define STAGE_PRE (-1)
#define STAGE_FINAL 0
#define SLOT_PRE (-1)
#define SLOT_FINAL 99

/* ---- 3x3 linear algebra (host, double) ----------------------------------- */

void
sr_sym3_eigen (const double m[9], double lambda[3], double v[9])
{
  double a[9];
  memcpy (a, m, sizeof a);
  for (int i = 0; i < 9; i++)
    v[i] = i % 4 == 0 ? 1.0 : 0.0;
  static const int pairs[3][2] = { {0, 1}, {0, 2}, {1, 2} };
  for (int sweep = 0; sweep < 64; sweep++) {
    const double off = a[1] * a[1] + a[2] * a[2] + a[5] * a[5];
    const double diag = a[0] * a[0] + a[4] * a[4] + a[8] * a[8];
    if (off <= 1e-34 * diag || off == 0)
      break;
    for (int k = 0; k < 3; k++) {
      const int p = pairs[k][0], q = pairs[k][1];
      const double apq = a[3 * p + q];
      if (apq == 0)
        continue;
      /* Numerical Recipes' rotation: A' = J^T A J zeroes A'[p][q]. */
      const double th = (a[3 * q + q] - a[3 * p + p]) / (2 * apq);
      const double t = (th >= 0 ? 1.0 : -1.0) / (fabs (th) + sqrt (th * th + 1));
      const double c = 1 / sqrt (t * t + 1), s = t * c;
      double j[9] = { 1, 0, 0, 0, 1, 0, 0, 0, 1 }, tmp[9], out[9];
      j[3 * p + p] = c;
      j[3 * q + q] = c;
      j[3 * p + q] = s;
      j[3 * q + p] = -s;
      for (int r = 0; r < 3; r++)       /* tmp = A J */
        for (int cc = 0; cc < 3; cc++)
          tmp[3 * r + cc] = a[3 * r] * j[cc] + a[3 * r + 1] * j[3 + cc]
              + a[3 * r + 2] * j[6 + cc];
      for (int r = 0; r < 3; r++)       /* A = J^T tmp */
        for (int cc = 0; cc < 3; cc++)
          out[3 * r + cc] = j[r] * tmp[cc] + j[3 + r] * tmp[3 + cc]
              + j[6 + r] * tmp[6 + cc];
      memcpy (a, out, sizeof a);
      a[3 * p + q] = a[3 * q + p] = 0;  /* exactly, as the rotation intends */
      for (int r = 0; r < 3; r++)       /* V = V J */
        for (int cc = 0; cc < 3; cc++)
          tmp[3 * r + cc] = v[3 * r] * j[cc] + v[3 * r + 1] * j[3 + cc]
              + v[3 * r + 2] * j[6 + cc];
      memcpy (v, tmp, sizeof tmp);
    }
  }
  double l[3] = { a[0], a[4], a[8] };
  int idx[3] = { 0, 1, 2 };
  for (int i = 0; i < 3; i++)           /* sort by |lambda| descending */
    for (int k = i + 1; k < 3; k++)
      if (fabs (l[idx[k]]) > fabs (l[idx[i]])) {
        const int t = idx[i];
        idx[i] = idx[k];
        idx[k] = t;
      }
  double vs[9];
  for (int k = 0; k < 3; k++) {
    lambda[k] = l[idx[k]];
    for (int i = 0; i < 3; i++)
      vs[3 * i + k] = v[3 * i + idx[k]];
  }
  memcpy (v, vs, sizeof vs);
}

void
sr_bsrgan_correlated_factor (const double d[3], const double a[9],
    double factor[9], double cov[9])
{
  /* orth(A): A's left singular vectors = eigenvectors of A A^T, ordered by
   * singular value. LAPACK's column signs do not matter: flipping column i
   * of U flips row and column i of C, which |.| undoes. */
  double aat[9], lam[3], u[9], c[9], s[9], e[9];
  for (int i = 0; i < 3; i++)
    for (int k = 0; k < 3; k++)
      aat[3 * i + k] = a[3 * i] * a[3 * k] + a[3 * i + 1] * a[3 * k + 1]
          + a[3 * i + 2] * a[3 * k + 2];
  sr_sym3_eigen (aat, lam, u);
  const double l2 = (25.0 / 255.0) * (25.0 / 255.0);
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) {
      c[3 * i + j] = 0;
      for (int k = 0; k < 3; k++)
        c[3 * i + j] += u[3 * k + i] * d[k] * u[3 * k + j];
      s[3 * i + j] = fabs (l2 * c[3 * i + j]);
    }
  /* svd of the symmetric S: singular values |lambda|, right vectors the
   * eigenvectors (a negative eigenvalue flips u, not vh). The realised
   * covariance is vh^T diag(s) vh, not S, when S is indefinite. */
  sr_sym3_eigen (s, lam, e);
  for (int k = 0; k < 3; k++)
    for (int j = 0; j < 3; j++)
      factor[3 * k + j] = sqrt (fabs (lam[k])) * e[3 * j + k];
  if (cov)
    memcpy (cov, s, sizeof s);
}

/* ---- sampler ------------------------------------------------------------- */

typedef struct {
  SrRng r;
  SrBsrDraw *d;
  int w, h;                   /* current size */
} Sampler;

static SrBsrStep *
add_step (Sampler *s, SrBsrStepKind kind, int slot, int stage)
{
  SrBsrDraw *d = s->d;
  g_assert (d->n_steps < SR_BSRGAN_MAX_STEPS);
  SrBsrStep *st = &d->steps[d->n_steps++];
  memset (st, 0, sizeof *st);
  st->kind = kind;
  st->slot = slot;
  st->stage = stage;
  st->in_w = st->out_w = s->w;
  st->in_h = st->out_h = s->h;
  return st;
}

static void
set_out (Sampler *s, SrBsrStep *st, int w, int h)
{
  st->out_w = w;
  st->out_h = h;
  st->direction = (w == st->in_w && h == st->in_h) ? "keep"
      : (w > st->in_w || h > st->in_h) ? "up" : "down";
  s->w = w;
  s->h = h;
  s->d->min_side = MIN (s->d->min_side, MIN (w, h));
}

static int
draw_interp (Sampler *s)
{
  return (int) sr_rng_int (&s->r, 1, 3);        /* random.choice([1, 2, 3]) */
}

/* KAIR utils_blindsr.py add_blur: draws in the order upstream makes them. */
static void
sample_blur (Sampler *s, int slot, int stage)
{
  SrBsrStep *st = add_step (s, SR_BSR_STEP_BLUR, slot, stage);
  const int sf = s->d->sf;
  st->aniso = sr_rng_uniform (&s->r) < 0.5;
  if (st->aniso) {
    st->l1 = (4 + sf) * sr_rng_uniform (&s->r);
    st->l2 = (4 + sf) * sr_rng_uniform (&s->r);
    st->ksize = 2 * (int) sr_rng_int (&s->r, 2, 11) + 3;
    st->theta = G_PI * sr_rng_uniform (&s->r);
  } else {
    st->ksize = 2 * (int) sr_rng_int (&s->r, 2, 11) + 3;
    st->sigma = (2 + 0.2 * sf) * sr_rng_uniform (&s->r);
  }
}

/* The branch of KAIR's add_Gaussian_noise / add_speckle_noise;
 * the correlated branch draws D (3) then A (3x3). */
static void
sample_gaussian_like (Sampler *s, SrBsrStep *st)
{
  st->level = (int) sr_rng_int (&s->r, 2, 25);
  const double rnum = sr_rng_uniform (&s->r);
  if (rnum > 0.6) {
    st->branch = SR_BSR_BRANCH_COLOUR;
  } else if (rnum < 0.4) {
    st->branch = SR_BSR_BRANCH_GRAY;
  } else {
    st->branch = SR_BSR_BRANCH_CORRELATED;
    for (int i = 0; i < 3; i++)
      st->corr_d[i] = sr_rng_uniform (&s->r);
    for (int i = 0; i < 9; i++)
      st->corr_a[i] = sr_rng_uniform (&s->r);
    sr_bsrgan_correlated_factor (st->corr_d, st->corr_a, st->factor3, st->cov);
  }
}

static void
sample_gaussian (Sampler *s, int slot, int stage)
{
  SrBsrStep *st = add_step (s, SR_BSR_STEP_NOISE, slot, stage);
  st->noise = SR_BSR_NOISE_GAUSSIAN;
  sample_gaussian_like (s, st);
}

static void
sample_jpeg (Sampler *s, int slot, int stage)
{
  SrBsrStep *st = add_step (s, SR_BSR_STEP_JPEG, slot, stage);
  st->quality = (int) sr_rng_int (&s->r, 30, 95);
}

static SrBsrStep *
add_skip (Sampler *s, int slot, int stage, const char *step)
{
  SrBsrStep *st = add_step (s, SR_BSR_STEP_SKIP, slot, stage);
  st->skip_step = step;
  return st;
}

/* cv2.resize to (w, h) with a drawn interpolation, then clip. */
static SrBsrStep *
sample_cv2_resize (Sampler *s, int slot, int stage, int w, int h, double sf1)
{
  SrBsrStep *st = add_step (s, SR_BSR_STEP_RESIZE, slot, stage);
  st->interp = draw_interp (s);
  st->sf1 = sf1;
  set_out (s, st, w, h);
  return st;
}

static void
permute (SrRng *r, int *v, int n)
{
  for (int i = n - 1; i > 0; i--) {     /* Fisher-Yates: uniform over n! */
    const int j = (int) sr_rng_int (r, 0, i);
    const int t = v[i];
    v[i] = v[j];
    v[j] = t;
  }
}

static void
sample_bsrgan (Sampler *s)
{
  SrBsrDraw *d = s->d;
  if (d->sf_ori == 4 && sr_rng_uniform (&s->r) < 0.25) {
    const gboolean cv2 = sr_rng_uniform (&s->r) < 0.5;
    SrBsrStep *st;
    if (cv2) {
      st = sample_cv2_resize (s, SLOT_PRE, STAGE_PRE, s->w / 2, s->h / 2, 0);
    } else {
      st = add_step (s, SR_BSR_STEP_RESIZE, SLOT_PRE, STAGE_PRE);
      st->interp = SR_BSR_INTERP_MATLAB;
      set_out (s, st, sr_matlab_out_len (s->w, 0.5),
          sr_matlab_out_len (s->h, 0.5));
    }
    st->factor = 0.5;
    d->sf = 2;
  }
  const int sf = d->sf;
  d->n_order = 7;
  for (int i = 0; i < 7; i++)
    d->order[i] = i;
  permute (&s->r, d->order, 7);
  int p2 = 0, p3 = 0;
  for (int i = 0; i < 7; i++) {
    p2 = d->order[i] == 2 ? i : p2;
    p3 = d->order[i] == 3 ? i : p3;
  }
  if (p2 > p3) {
    d->order[p2] = 3;
    d->order[p3] = 2;
  }
  const int a = s->w, b = s->h;         /* ops 0,1,4,5,6 keep the size */
  for (int i = 0; i < 7; i++) {
    const int op = d->order[i];
    switch (op) {
      case 0:
      case 1:
        sample_blur (s, op, op + 1);
        break;
      case 2:
        if (sr_rng_uniform (&s->r) < 0.75) {
          const double sf1 = sr_rng_range (&s->r, 1, 2.0 * sf);
          const double f = 1 / sf1;
          SrBsrStep *st = sample_cv2_resize (s, 2, 1, (int) (f * s->w),
              (int) (f * s->h), sf1);
          st->factor = f;
        } else {
          SrBsrStep *st = add_step (s, SR_BSR_STEP_SHIFT_DECIMATE, 2, 1);
          st->sigma = sr_rng_range (&s->r, 0.1, 0.6 * sf);
          st->ksize = 25;
          st->sf = sf;
          set_out (s, st, (s->w + sf - 1) / sf, (s->h + sf - 1) / sf);
        }
        break;
      case 3:
        sample_cv2_resize (s, 3, 2, a / sf, b / sf, 0);
        break;
      case 4:
        sample_gaussian (s, 4, 1);
        break;
      case 5:
        if (sr_rng_uniform (&s->r) < 0.9)
          sample_jpeg (s, 5, 1);
        else
          add_skip (s, 5, 1, "jpeg");
        break;
      default:{                 /* the ISP gate; isp_model is None */
        const gboolean gate = sr_rng_uniform (&s->r) < 0.25;
        add_skip (s, 6, 1, "isp")->gate = gate;
        break;
      }
    }
  }
  sample_jpeg (s, SLOT_FINAL, STAGE_FINAL);
}

static void
sample_plus (Sampler *s)
{
  SrBsrDraw *d = s->d;
  const int sf = d->sf;
  d->n_order = 13;
  for (int i = 0; i < 13; i++)
    d->order[i] = i;
  d->shuffled = sr_rng_uniform (&s->r) < SR_BSRGAN_PLUS_SHUFFLE_PROB;
  if (d->shuffled) {
    permute (&s->r, d->order, 13);
  } else {
    permute (&s->r, d->order + 2, 4);
    permute (&s->r, d->order + 9, 4);
  }
  for (int i = 0; i < 13; i++) {
    const int slot = d->order[i], stage = slot < 7 ? 1 : 2;
    switch (slot) {
      case 0:
      case 7:
        sample_blur (s, slot, stage);
        break;
      case 1:
      case 8:{
        const double rnum = sr_rng_uniform (&s->r);
        const double sf1 = rnum > 0.8 ? sr_rng_range (&s->r, 1, 2)
            : rnum < 0.7 ? sr_rng_range (&s->r, 0.5 / sf, 1) : 1.0;
        SrBsrStep *st = sample_cv2_resize (s, slot, stage, (int) (sf1 * s->w),
            (int) (sf1 * s->h), sf1);
        st->factor = sf1;
        st->direction = rnum > 0.8 ? "up" : rnum < 0.7 ? "down" : "keep";
        break;
      }
      case 2:
      case 9:
        sample_gaussian (s, slot, stage);
        break;
      case 3:
      case 10:
        if (sr_rng_uniform (&s->r) < 0.1) {
          SrBsrStep *st = add_step (s, SR_BSR_STEP_NOISE, slot, stage);
          st->noise = SR_BSR_NOISE_POISSON;
          st->vals = pow (10.0, 2 * sr_rng_uniform (&s->r) + 2);
          st->branch = sr_rng_uniform (&s->r) < 0.5 ? SR_BSR_BRANCH_COLOUR
              : SR_BSR_BRANCH_GRAY;
        } else {
          add_skip (s, slot, stage, "poisson");
        }
        break;
      case 4:
      case 11:
        if (sr_rng_uniform (&s->r) < 0.1) {
          SrBsrStep *st = add_step (s, SR_BSR_STEP_NOISE, slot, stage);
          st->noise = SR_BSR_NOISE_SPECKLE;
          sample_gaussian_like (s, st);
        } else {
          add_skip (s, slot, stage, "speckle");
        }
        break;
      case 5:
      case 12:{                 /* the ISP gate; isp_model is None */
        const gboolean gate = sr_rng_uniform (&s->r) < 0.1;
        add_skip (s, slot, stage, "isp")->gate = gate;
        break;
      }
      default:
        sample_jpeg (s, 6, 1);
        break;
    }
  }
  sample_cv2_resize (s, SLOT_FINAL, STAGE_FINAL, d->hr_w / sf, d->hr_h / sf, 0);
  sample_jpeg (s, SLOT_FINAL, STAGE_FINAL);
}

void
sr_bsrgan_sample (gboolean plus, int sf, guint64 seed, guint64 index, int w,
    int h, SrBsrDraw *out)
{
  memset (out, 0, sizeof *out);
  out->plus = plus;
  out->sf_ori = out->sf = sf;
  out->hr_w = w;
  out->hr_h = h;
  out->lr_w = w / sf;
  out->lr_h = h / sf;
  out->min_side = MIN (w, h);
  Sampler s = { .d = out, .w = w, .h = h };
  sr_rng_init (&s.r, seed, index, BSRGAN_RNG_OP);
  if (plus)
    sample_plus (&s);
  else
    sample_bsrgan (&s);
  g_assert (s.w == out->lr_w && s.h == out->lr_h);
}

/* The smallest side an n-px HR side reaches whatever is drawn. Every size
 * step is monotone in its input and its factor, so the extreme factors give
 * it, computed with the sampler's arithmetic. */
static int
worst_side (gboolean plus, int sf, int n)
{
  /* The largest U[0,1) sr_rng_uniform returns; U = 0 is drawable too. */
  const double u_max = 1 - 1.0 / 9007199254740992.0;
  int lo = n / sf;                      /* the LR */
  if (!plus) {
    /* Op 2 resizes by 1/sf1, sf1 = 1 + (2 sf' - 1) U at most, after the
     * optional pre-halving (sf 4: both resizes give n/2 for n % 4 == 0). */
    for (int half = 0; half <= (sf == 4); half++) {
      const int s = half ? 2 : sf, w = half ? n / 2 : n;
      const double sf1 = 1 + (2.0 * s - 1) * u_max;
      lo = MIN (lo, (int) (1 / sf1 * w));
    }
  } else {
    /* Both add_resize slots at their smallest factor, 0.5/sf. */
    const double a = 0.5 / sf;
    lo = MIN (lo, (int) (a * (int) (a * n)));
  }
  return lo;
}

int
sr_bsrgan_min_hr_size (gboolean plus, int sf)
{
  int n = sf;
  while (worst_side (plus, sf, n) < SR_BSRGAN_MIN_SIDE)
    n += sf;
  return n;
}

/* ---- runner -------------------------------------------------------------- */

struct SrBsrRunner {
  SrRuntime *rt;
  SrDegradeOps ops;
  SrTensor *lr;
  SrTensor *work[2];
  float kernel[25 * 25], flipped[25 * 25];
};

SrBsrRunner *
sr_bsrgan_runner_new (SrRuntime *rt, GError **error)
{
  SrBsrRunner *r = g_new0 (SrBsrRunner, 1);
  r->rt = sr_runtime_ref (rt);
  if (!sr_degrade_ops_init (&r->ops, rt, error)) {
    sr_bsrgan_runner_free (r);
    return NULL;
  }
  return r;
}

void
sr_bsrgan_runner_free (SrBsrRunner *r)
{
  if (!r)
    return;
  sr_degrade_ops_clear (&r->ops);
  sr_tensor_unref (r->lr);
  sr_tensor_unref (r->work[0]);
  sr_tensor_unref (r->work[1]);
  sr_runtime_unref (r->rt);
  g_free (r);
}

static SrTensor *
work_tensor (SrBsrRunner *r, cl_command_queue q, int h, int w, const SrTensor *avoid)
{
  const int i = r->work[0] && r->work[0] == avoid ? 1 : 0;
  return sr_tensor_reuse (r->rt, q, &r->work[i], 1, 3, h, w, SR_DTYPE_F32);
}

#define TRY(expr) do { SrStatus st_ = (expr); if (st_ != SR_OK) return st_; } while (0)

static void
record_stage (SrOpRecord *op, const SrBsrStep *st)
{
  if (st->stage > 0)
    sr_op_int (op, "stage", st->stage);
  else
    sr_op_string (op, "stage", st->stage == STAGE_PRE ? "pre" : "final");
  sr_op_int (op, "slot", st->slot);
}

/* dst = clip (src, 0, 1) (KAIR's np.clip after resizes). */
static SrStatus
clip (SrBsrRunner *r, cl_command_queue q, SrTensor **x)
{
  SrTensor *out = work_tensor (r, q, (*x)->h, (*x)->w, *x);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  SrStatus st = sr_noise_clamp_run (r->ops.noise, q, *x, out);
  *x = out;
  return st;
}

static SrStatus
conv (SrBsrRunner *r, cl_command_queue q, SrTensor **x, const float *k, int ks)
{
  SrTensor *out = work_tensor (r, q, (*x)->h, (*x)->w, *x);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  SrStatus st = sr_conv2d_run (r->ops.conv, q, *x, out, k, ks, SR_BORDER_MIRROR,
      NULL);
  *x = out;
  return st;
}

static SrStatus
run_blur (SrBsrRunner *r, cl_command_queue q, SrTensor **x,
    const SrBsrStep *st, SrRecord *rec)
{
  SrOpRecord *op = sr_record_add (rec, "blur");
  record_stage (op, st);
  sr_op_string (op, "kernel", st->aniso ? "bsrgan-aniso" : "bsrgan-iso");
  sr_op_int (op, "size", st->ksize);
  if (st->aniso) {
    /* l1, l2 are variances; sigma-x/-y are their square roots. */
    sr_op_double (op, "sigma-x", sqrt (st->l1));
    sr_op_double (op, "sigma-y", sqrt (st->l2));
    sr_op_double (op, "theta", st->theta);
    sr_op_double (op, "l1", st->l1);
    sr_op_double (op, "l2", st->l2);
  } else {
    sr_op_double (op, "sigma-x", st->sigma);
    sr_op_double (op, "sigma-y", st->sigma);
  }
  /* Point-symmetric kernels: SciPy's convolution equals our correlation. */
  if (!(st->aniso ? sr_kernel_kair_aniso (r->kernel, st->ksize, st->theta,
              st->l1, st->l2) : sr_kernel_kair_iso (r->kernel, st->ksize,
              st->sigma)))
    return SR_ERR_INVALID_ARGUMENT;
  return conv (r, q, x, r->kernel, st->ksize);
}

static const SrResizeMode cv2_modes[] = {
  [1] = SR_RESIZE_BILINEAR, [2] = SR_RESIZE_BICUBIC, [3] = SR_RESIZE_AREA,
};
static const char *const cv2_mode_names[] = {
  [0] = "bicubic", [1] = "bilinear", [2] = "bicubic", [3] = "area",
};

static SrStatus
resample (SrBsrRunner *r, cl_command_queue q, SrTensor **x, int out_w, int out_h)
{
  SrTensor *out = work_tensor (r, q, out_h, out_w, *x);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  SrStatus st = sr_resample_run (r->ops.resample, q, *x, out, &r->ops.rows, &r->ops.cols);
  *x = out;
  return st;
}

static SrStatus
run_resize (SrBsrRunner *r, cl_command_queue q, SrTensor **x,
    const SrBsrStep *st, SrRecord *rec)
{
  SrOpRecord *op = sr_record_add (rec, "resize");
  record_stage (op, st);
  const gboolean matlab = st->interp == SR_BSR_INTERP_MATLAB;
  sr_op_string (op, "semantics", matlab ? "matlab" : "opencv");
  sr_op_string (op, "mode", cv2_mode_names[st->interp]);
  sr_op_string (op, "direction", st->stage == STAGE_FINAL ? "final" : st->direction);
  if (matlab) {
    sr_op_double (op, "factor", 0.5);
    sr_op_bool (op, "antialias", TRUE);
  } else {
    sr_op_int (op, "interp", st->interp);
    if (st->sf1 > 0)
      sr_op_double (op, "sf1", st->sf1);
  }
  sr_op_size (op, "in-size", st->in_w, st->in_h);
  sr_op_size (op, "out-size", st->out_w, st->out_h);
  if ((*x)->w != st->in_w || (*x)->h != st->in_h)
    return SR_ERR_INVALID_ARGUMENT;
  if (matlab) {
    sr_taps_matlab_bicubic (&r->ops.rows, st->in_h, st->out_h, 0.5, TRUE);
    sr_taps_matlab_bicubic (&r->ops.cols, st->in_w, st->out_w, 0.5, TRUE);
  } else if (st->in_w == st->out_w && st->in_h == st->out_h) {
    return SR_OK;               /* cv2.resize to the same size is a copy */
  } else if (!sr_taps_opencv_2d (&r->ops.rows, &r->ops.cols, cv2_modes[st->interp],
          st->in_h, st->in_w, st->out_h, st->out_w)) {
    return SR_ERR_INVALID_ARGUMENT;
  }
  TRY (resample (r, q, x, st->out_w, st->out_h));
  /* BSRGAN+'s final resize is not clipped; its JPEG clips. */
  return st->slot == SLOT_FINAL ? SR_OK : clip (r, q, x);
}

/* img[0::sf] along one axis as a one-tap table. */
static void
decimate_taps (SrTapTable *t, int in_len, int out_len, int sf)
{
  sr_tap_table_clear (t);
  t->in_len = in_len;
  t->out_len = out_len;
  t->taps = 1;
  t->index = g_new (int, out_len);
  t->weight = g_new (float, out_len);
  for (int o = 0; o < out_len; o++) {
    t->index[o] = o * sf;
    t->weight[o] = 1.0f;
  }
}

static SrStatus
run_shift_decimate (SrBsrRunner *r, cl_command_queue q, SrTensor **x,
    const SrBsrStep *st, SrRecord *rec)
{
  SrOpRecord *op = sr_record_add (rec, "blur");
  record_stage (op, st);
  sr_op_string (op, "kernel", "bsrgan-shifted");
  sr_op_int (op, "size", st->ksize);
  sr_op_double (op, "sigma-x", st->sigma);
  sr_op_double (op, "sigma-y", st->sigma);
  sr_op_double (op, "shift", (st->sf - 1) / 2.0);
  op = sr_record_add (rec, "resize");
  record_stage (op, st);
  sr_op_string (op, "semantics", "opencv");
  sr_op_string (op, "mode", "nearest");
  sr_op_string (op, "direction", "down");
  sr_op_bool (op, "decimate", TRUE);    /* img[0::sf, 0::sf] */
  sr_op_int (op, "step", st->sf);
  sr_op_size (op, "in-size", st->in_w, st->in_h);
  sr_op_size (op, "out-size", st->out_w, st->out_h);

  if (!sr_kernel_kair_shift (r->kernel, st->ksize, st->sigma, st->sf))
    return SR_ERR_INVALID_ARGUMENT;
  /* ndimage.convolve flips the kernel; our conv2d correlates. */
  const int n = st->ksize * st->ksize;
  for (int i = 0; i < n; i++)
    r->flipped[i] = r->kernel[n - 1 - i];
  TRY (conv (r, q, x, r->flipped, st->ksize));
  decimate_taps (&r->ops.rows, st->in_h, st->out_h, st->sf);
  decimate_taps (&r->ops.cols, st->in_w, st->out_w, st->sf);
  TRY (resample (r, q, x, st->out_w, st->out_h));
  return clip (r, q, x);
}

static SrStatus
run_noise (SrBsrRunner *r, cl_command_queue q, SrTensor **x,
    const SrBsrStep *st, guint64 seed, guint64 index, gboolean apply,
    SrRecord *rec)
{
  SrOpRecord *op = sr_record_add (rec, "noise");
  record_stage (op, st);
  const gboolean corr = st->branch == SR_BSR_BRANCH_CORRELATED;
  const gboolean gray = st->branch == SR_BSR_BRANCH_GRAY;
  switch (st->noise) {
    case SR_BSR_NOISE_GAUSSIAN:
      sr_op_string (op, "type", corr ? "correlated" : "gaussian");
      break;
    case SR_BSR_NOISE_SPECKLE:
      sr_op_string (op, "type", "speckle");
      sr_op_bool (op, "correlated", corr);
      break;
    case SR_BSR_NOISE_POISSON:
      sr_op_string (op, "type", "poisson");
      break;
  }
  sr_op_bool (op, "gray", gray);
  if (st->noise == SR_BSR_NOISE_POISSON) {
    sr_op_double (op, "scale", 1.0);
    sr_op_double (op, "vals", st->vals);
  } else {
    /* The correlated branch ignores the drawn level: L = 25/255. */
    sr_op_double (op, "sigma", corr ? 25.0 : st->level);
    sr_op_int (op, "level", st->level);
  }
  if (corr) {
    /* The drawn covariance (KAIR's np.abs(L**2 * U.T @ D @ U)) in 0..255
     * units squared, like sigma: the noise is N(0, cov / 255^2) drawn as
     * NumPy's multivariate_normal does (through the SVD of cov). */
    static const char *const keys[6] = {
      "cov-rr", "cov-gg", "cov-bb", "cov-rg", "cov-rb", "cov-gb"
    };
    static const int at[6] = { 0, 4, 8, 1, 2, 5 };
    for (int k = 0; k < 6; k++)
      sr_op_double (op, keys[k], 255.0 * 255.0 * st->cov[at[k]]);
  }
  sr_op_bool (op, "applied", apply);
  if (!apply)
    return SR_OK;
  SrTensor *out = work_tensor (r, q, (*x)->h, (*x)->w, *x);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  const guint32 op_id = BSRGAN_NOISE_OP | (guint32) st->slot;
  SrStatus s;
  if (st->noise == SR_BSR_NOISE_POISSON)
    s = sr_noise_poisson_kair_run (r->ops.noise, q, *x, out, seed, index, op_id,
        st->vals, gray);
  else if (st->noise == SR_BSR_NOISE_SPECKLE)
    s = sr_noise_speckle_run (r->ops.noise, q, *x, out, seed, index, op_id,
        st->level, gray, corr ? st->factor3 : NULL);
  else if (corr)
    s = sr_noise_correlated_run (r->ops.noise, q, *x, out, seed, index, op_id,
        st->factor3);
  else
    s = sr_noise_gaussian_run (r->ops.noise, q, *x, out, seed, index, op_id,
        st->level, gray);
  *x = out;
  return s;
}

SrStatus
sr_bsrgan_run (SrBsrRunner *r, cl_command_queue q, SrTensor *hr,
    const SrBsrDraw *draw, guint64 seed, guint64 index, gboolean noise,
    int jpeg_variant, const char *jpeg_name, SrTensor **lr, SrRecord *rec)
{
  SrTensor *x = hr;
  if (hr->w != draw->hr_w || hr->h != draw->hr_h || hr->c != 3 || hr->n != 1)
    return SR_ERR_INVALID_ARGUMENT;
  for (int i = 0; i < draw->n_steps; i++) {
    const SrBsrStep *st = &draw->steps[i];
    switch (st->kind) {
      case SR_BSR_STEP_BLUR:
        TRY (run_blur (r, q, &x, st, rec));
        break;
      case SR_BSR_STEP_RESIZE:
        TRY (run_resize (r, q, &x, st, rec));
        break;
      case SR_BSR_STEP_SHIFT_DECIMATE:
        TRY (run_shift_decimate (r, q, &x, st, rec));
        break;
      case SR_BSR_STEP_NOISE:
        TRY (run_noise (r, q, &x, st, seed, index, noise, rec));
        break;
      case SR_BSR_STEP_JPEG:{
        SrOpRecord *op = sr_record_add (rec, "jpeg");
        record_stage (op, st);
        if (jpeg_variant == SR_JPEG_OP_LIBJPEG_TABLES)
          sr_op_int (op, "quality", st->quality);
        else
          sr_op_double (op, "quality", st->quality);
        sr_op_string (op, "variant", jpeg_name);
        if (x == hr) {          /* never write into the caller's HR */
          SrTensor *out = work_tensor (r, q, x->h, x->w, x);
          if (!out)
            return SR_ERR_OUT_OF_DEVICE_MEMORY;
          TRY (sr_jpeg_run (r->ops.jpeg, q, x, out, st->quality, jpeg_variant));
          x = out;
        } else {
          TRY (sr_jpeg_run (r->ops.jpeg, q, x, x, st->quality, jpeg_variant));
        }
        break;
      }
      case SR_BSR_STEP_SKIP:{
        SrOpRecord *op = sr_record_add (rec, "skip");
        sr_op_string (op, "step", st->skip_step);
        record_stage (op, st);
        if (!strcmp (st->skip_step, "isp"))
          sr_op_bool (op, "gate", st->gate);    /* drawn, no effect, recorded */
        break;
      }
    }
  }
  if (x->w != draw->lr_w || x->h != draw->lr_h || x == hr)
    return SR_ERR_INVALID_ARGUMENT;
  sr_tensor_unref (r->lr);
  r->lr = sr_tensor_ref (x);
  *lr = r->lr;
  return SR_OK;
}
