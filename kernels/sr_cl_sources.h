/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OpenCL sources of kernels/, embedded at build time by embed_cl.py. */
#pragma once

#include <stddef.h>

typedef struct {
  const char *name;     /* file name, e.g. "resample.cl" */
  const char *source;
} SrEmbeddedSource;

extern const SrEmbeddedSource sr_embedded_sources[];   /* ends with {NULL} */
