/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The degradation record: how an LR frame was made, as one `sr-degradation`
 * GstStructure (spec/degradations.md 0.3) that every degrading element
 * extends with its step. It travels as a GstCustomMeta (GStreamer >= 1.20)
 * named "GstSrDegradationMeta", so that any application reads it without
 * gst-sr's headers, in C
 *   GstCustomMeta *m = gst_buffer_get_custom_meta (buf, "GstSrDegradationMeta");
 *   const GstStructure *s = m ? gst_custom_meta_get_structure (m) : NULL;
 * or in Python (PyGObject) buf.get_custom_meta ("GstSrDegradationMeta").
 * Kept on copies and colourspace conversions (videoconvert), dropped by
 * scaling (its crop and sizes would be wrong). */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include "sr_record.h"

G_BEGIN_DECLS

#define GST_SR_DEGRADATION_META_NAME "GstSrDegradationMeta"

/* Registers the meta (once; the plugin does it when it loads). */
const GstMetaInfo *gst_sr_degradation_meta_register (void);

/* buffer's record (owned by the buffer), or NULL. */
const GstStructure *gst_sr_degradation_get (GstBuffer *buffer);

/* Sets buffer's record to info's fields (info is taken and freed),
 * replacing any. buffer must be writable. */
void gst_buffer_add_sr_degradation_meta (GstBuffer *buffer, GstStructure *info);

/* Appends step (taken) to info's `ops` array, creating it if needed. */
void gst_sr_degradation_append_op (GstStructure *info, GstStructure *step);

/* A copy of buffer's `sr-degradation` structure (the steps of elements
 * upstream), or a new empty one (`ops` is created by the first append). */
GstStructure *gst_sr_degradation_info_from (GstBuffer *buffer);

/* Appends every step of rec to info's `ops`. */
void gst_sr_degradation_append_record (GstStructure *info, const SrRecord *rec);

/* A GstValueArray of ints (for `crop` and sizes). */
GValue gst_sr_int_array (const int *vals, int n);

/* The `sr-degradation` structure as the JSON object of the manifest's
 * `params` (docs/dataset.md): fields in structure order, ops as objects
 * with the step name under "op", doubles as doubles (NaN/Inf as null).
 * Write it with sr_json_to_string (models/sr_dataset.h). */
JsonNode *gst_sr_structure_to_json (const GstStructure *s);

G_END_DECLS
