/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn.h"

gboolean
sr_view_valid (SrView v)
{
  return v.t && v.t->n == 1 && v.t->dtype == SR_DTYPE_F32 && v.c0 >= 0
      && v.c > 0 && v.c0 + v.c <= v.t->c;
}
