/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared helpers for the kernel unit tests (GLib gtest, TAP output). */
#pragma once

#include <math.h>
#include <glib.h>
#include "sr_runtime.h"
#include "sr_tensor.h"
#include "sr_test_data.h"

/* g_test_init, then the OpenCL runtime every test of the binary uses. With
 * no usable OpenCL device the whole binary reports a TAP skip (meson: SKIP)
 * naming the reason, instead of aborting or passing. */
void sr_test_init (int *argc, char ***argv);

/* The runtime and queue every test of one binary uses (created once). */
SrRuntime *sr_test_runtime (void);
cl_command_queue sr_test_queue (void);

/* A [n,c,h,w] f32 tensor filled from host data. */
SrTensor *sr_test_upload (const float *data, int n, int c, int h, int w);
/* Reads a whole f32 tensor back (g_free the result). */
float *sr_test_download (const SrTensor *t);

/* Deterministic pseudo-random floats in [lo, hi) for test inputs. */
void sr_test_fill_uniform (float *data, size_t n, guint32 seed, float lo, float hi);

/* Max |a-b| and the PSNR of a against b for a peak of 1. */
double sr_test_max_abs_diff (const float *a, const float *b, size_t n);
double sr_test_psnr (const float *a, const float *b, size_t n);
