/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_degrade_ops.h"

gboolean
sr_degrade_ops_init (SrDegradeOps *ops, SrRuntime *rt, GError **error)
{
  *ops = (SrDegradeOps) { 0 };
  if ((ops->resample = sr_resample_new (rt, error))
      && (ops->conv = sr_conv2d_new (rt, error))
      && (ops->noise = sr_noise_new (rt, error))
      && (ops->jpeg = sr_jpeg_new (rt, error)))
    return TRUE;
  sr_degrade_ops_clear (ops);
  return FALSE;
}

void
sr_degrade_ops_clear (SrDegradeOps *ops)
{
  sr_resample_free (ops->resample);
  sr_conv2d_free (ops->conv);
  sr_noise_free (ops->noise);
  sr_jpeg_free (ops->jpeg);
  sr_tap_table_clear (&ops->rows);
  sr_tap_table_clear (&ops->cols);
  *ops = (SrDegradeOps) { 0 };
}
