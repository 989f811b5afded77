/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The kernels/ ops every degradation runner drives (resize, 2-D filter,
 * noise, JPEG) and the resize tables it recomputes only when sizes change:
 * one set per runner, made and released together. */
#pragma once

#include "sr_conv2d.h"
#include "sr_jpeg.h"
#include "sr_noise.h"
#include "sr_resample.h"

G_BEGIN_DECLS

typedef struct {
  SrResample *resample;
  SrConv2d *conv;
  SrNoise *noise;
  SrJpeg *jpeg;
  SrTapTable rows, cols;
} SrDegradeOps;

/* FALSE with error (and ops cleared) when an op cannot be built. */
gboolean sr_degrade_ops_init (SrDegradeOps *ops, SrRuntime *rt, GError **error);
void sr_degrade_ops_clear (SrDegradeOps *ops);

G_END_DECLS
