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
/* The same stored as dtype (f32, or f16: each value rounded with
 * sr_test_float_to_half). */
SrTensor *sr_test_upload_as (const float *data, int n, int c, int h, int w,
    SrDType dtype);
/* Reads a whole f32 or f16 tensor back as floats (g_free the result). */
float *sr_test_download (const SrTensor *t);

/* IEEE 754 binary16 from and to its bits, written from frexp / ldexp (not
 * bit tricks, so the tests share nothing with the device's conversion):
 * bits -> value exactly; value -> bits rounded to nearest even, overflow
 * to infinity, NaN to 0x7e00. */
float sr_test_half_to_float (guint16 h);
guint16 sr_test_float_to_half (float f);
/* Rounds each of n floats to the nearest half, in place. */
void sr_test_round_to_half (float *data, size_t n);

/* Deterministic pseudo-random floats in [lo, hi) for test inputs. */
void sr_test_fill_uniform (float *data, size_t n, guint32 seed, float lo, float hi);

/* Max |a-b| and the PSNR of a against b for a peak of 1. */
double sr_test_max_abs_diff (const float *a, const float *b, size_t n);
double sr_test_psnr (const float *a, const float *b, size_t n);
