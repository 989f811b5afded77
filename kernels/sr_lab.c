/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_lab.h"

struct SrLab {
  cl_kernel k, inverse;
  SrTensor *rgb_from_xyz;       /* 9 doubles */
};

/* xyz_from_rgb (skimage) inverted in double by cofactors (numpy's
 * linalg.inv agrees to the last bits; the test compares round trips). */
static void
rgb_from_xyz (double inv[9])
{
  static const double m[9] = { 0.412453, 0.357580, 0.180423,
    0.212671, 0.715160, 0.072169, 0.019334, 0.119193, 0.950227
  };
  const double c00 = m[4] * m[8] - m[5] * m[7], c01 = m[5] * m[6] - m[3] * m[8];
  const double c02 = m[3] * m[7] - m[4] * m[6];
  const double det = m[0] * c00 + m[1] * c01 + m[2] * c02;
  inv[0] = c00 / det;
  inv[1] = (m[2] * m[7] - m[1] * m[8]) / det;
  inv[2] = (m[1] * m[5] - m[2] * m[4]) / det;
  inv[3] = c01 / det;
  inv[4] = (m[0] * m[8] - m[2] * m[6]) / det;
  inv[5] = (m[2] * m[3] - m[0] * m[5]) / det;
  inv[6] = c02 / det;
  inv[7] = (m[1] * m[6] - m[0] * m[7]) / det;
  inv[8] = (m[0] * m[4] - m[1] * m[3]) / det;
}

SrLab *
sr_lab_new (SrRuntime *rt, GError **error)
{
  if (!sr_runtime_has_fp64 (rt)) {
    g_set_error (error, SR_ERROR, SR_ERR_UNSUPPORTED, "%s has no double "
        "precision (cl_khr_fp64), which CIELAB as scikit-image computes it "
        "needs", sr_runtime_describe (rt));
    return NULL;
  }
  SrLab *op = g_new0 (SrLab, 1);
  double inv[9];
  rgb_from_xyz (inv);
  cl_command_queue q = NULL;
  if (!(op->k = sr_runtime_create_kernel (rt, "lab", "rgb_to_lab", error))
      || !(op->inverse = sr_runtime_create_kernel (rt, "lab", "lab_to_rgb",
              error))
      || !(op->rgb_from_xyz = sr_tensor_new (rt, 1, 1, 1, 9, SR_DTYPE_F64,
              error))
      || !(q = sr_runtime_create_queue (rt, error))
      || sr_tensor_write (q, op->rgb_from_xyz, inv) != SR_OK) {
    if (q)
      clReleaseCommandQueue (q);
    if (error && !*error)
      g_set_error (error, SR_ERROR, SR_ERR_OUT_OF_RESOURCES,
          "Lab op: writing its matrix failed");
    sr_lab_free (op);
    return NULL;
  }
  clReleaseCommandQueue (q);
  return op;
}

void
sr_lab_free (SrLab *op)
{
  if (!op)
    return;
  if (op->k)
    clReleaseKernel (op->k);
  if (op->inverse)
    clReleaseKernel (op->inverse);
  sr_tensor_unref (op->rgb_from_xyz);
  g_free (op);
}

SrStatus
sr_lab_run (SrLab *op, cl_command_queue q, const SrTensor *rgb, SrTensor *lab)
{
  if (!rgb || !lab || rgb->dtype != SR_DTYPE_F32 || lab->dtype != SR_DTYPE_F64
      || rgb->n != 1 || lab->n != 1 || rgb->c != 3 || lab->c != 3
      || rgb->h != lab->h || rgb->w != lab->w
      || (gint64) rgb->h * rgb->w > G_MAXINT)
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int n = rgb->h * rgb->w;
  cl_int e = 0;
  e |= SR_ARG_MEM (op->k, 0, rgb);
  e |= SR_ARG_MEM (op->k, 1, lab);
  e |= SR_ARG (op->k, 2, n);
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = n;
  return sr_enqueue (q, op->k, 1, &g);
}

SrStatus
sr_lab_to_rgb_run (SrLab *op, cl_command_queue q, const SrTensor *lab,
    const double scale[3], const double shift[3], SrTensor *rgb)
{
  if (!rgb || !lab || rgb->dtype != SR_DTYPE_F32 || lab->dtype != SR_DTYPE_F64
      || rgb->n != 1 || lab->n != 1 || rgb->c != 3 || lab->c != 3
      || rgb->h != lab->h || rgb->w != lab->w
      || (gint64) rgb->h * rgb->w > G_MAXINT)
    return SR_ERR_INVALID_ARGUMENT;
  const cl_int n = rgb->h * rgb->w;
  cl_kernel k = op->inverse;
  cl_int e = 0;
  e |= SR_ARG_MEM (k, 0, lab);
  e |= SR_ARG_MEM (k, 1, rgb);
  e |= SR_ARG (k, 2, n);
  e |= SR_ARG_MEM (k, 3, op->rgb_from_xyz);
  for (int c = 0; c < 3; c++) {
    e |= SR_ARG (k, 4 + c, scale[c]);
    e |= SR_ARG (k, 7 + c, shift[c]);
  }
  if (e != CL_SUCCESS)
    return SR_ERR_INVALID_KERNEL_ARGS;
  const size_t g = n;
  return sr_enqueue (q, k, 1, &g);
}
