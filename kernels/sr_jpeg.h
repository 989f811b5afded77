/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* JPEG round-trip op: DiffJPEG (BasicSR diffjpeg.py, differentiable=False)
 * in both luminance-table orientations, and a bit-exact device port of
 * libjpeg-turbo's round trip (cv2.imencode + cv2.imdecode, as KAIR's
 * add_JPEG_noise calls them). */
#pragma once

#include "sr_tensor.h"

G_BEGIN_DECLS

typedef enum {
  /* The default: DiffJPEG with the Annex K luminance table in
   * natural order (u vertical). */
  SR_JPEG_OP_DIFFJPEG,
  /* DiffJPEG exactly as BasicSR's diffjpeg.py, luminance table transposed. */
  SR_JPEG_OP_DIFFJPEG_BASICSR,
  /* A real encoder/decoder on the device: libjpeg-turbo 2.1's
   * default path (cv2.imencode + imdecode) for 8-bit RGB, baseline 4:2:0,
   * IJG tables of the rounded integer quality, islow DCTs, fancy
   * upsampling, all in integer arithmetic: byte-identical to libjpeg. Input
   * is rounded to 8 bits first as BSRGAN does (clip, *255, round half to
   * even). */
  SR_JPEG_OP_LIBJPEG_TABLES,
  /* The same with the frame handed to libjpeg as BGR (R and B swapped on
   * the way in and back on the way out): mmagic's RandomJPEGCompression
   * passes RGB frames to cv2.imencode, which reads them as BGR. */
  SR_JPEG_OP_LIBJPEG_TABLES_BGR,
} SrJpegOpVariant;

/* DiffJPEG's quality_to_factor in float: (q < 50 ? 5000/q : 200 - 2q) / 100,
 * unrounded and unclamped (BasicSR diffjpeg.py, quality_to_factor). */
float sr_jpeg_diffjpeg_factor (float quality);

/* IJG jpeg_quality_scaling of an integer quality clamped to 1..100
 * (libjpeg jcparam.c). */
int sr_jpeg_ijg_scale (int quality);

/* The integer quality the LIBJPEG_TABLES variant uses for a float one
 * (nearest, clamped to 1..100). */
int sr_jpeg_ijg_quality (float quality);

typedef struct SrJpeg SrJpeg;

SrJpeg *sr_jpeg_new (SrRuntime *rt, GError **error);
void sr_jpeg_free (SrJpeg *op);

/* dst = JPEG round trip of src at `quality` (one quality for the whole
 * batch). src and dst are [N,3,H,W] f32 of the same shape, any H, W >= 1;
 * dst may be src. DiffJPEG variants need 0 < quality < 100 (q = 100 makes
 * the factor 0); LIBJPEG_TABLES takes 1 <= quality <= 100. DiffJPEG output
 * is float in [0,1] (not a multiple of 1/255); LIBJPEG_TABLES output is. */
SrStatus sr_jpeg_run (SrJpeg *op, cl_command_queue q, const SrTensor *src,
    SrTensor *dst, float quality, SrJpegOpVariant variant);

G_END_DECLS
