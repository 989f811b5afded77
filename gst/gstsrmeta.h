/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* GstSrDegradationMeta: how an LR frame was made. Holds
 * one `sr-degradation` GstStructure; any element appends its step to `ops`. */
#pragma once

#include <gst/gst.h>
#include <json-glib/json-glib.h>
#include "sr_record.h"

G_BEGIN_DECLS

typedef struct {
  GstMeta meta;
  GstStructure *info;         /* named "sr-degradation" */
} GstSrDegradationMeta;

GType gst_sr_degradation_meta_api_get_type (void);
#define GST_SR_DEGRADATION_META_API_TYPE (gst_sr_degradation_meta_api_get_type ())
const GstMetaInfo *gst_sr_degradation_meta_get_info (void);

#define gst_buffer_get_sr_degradation_meta(b) \
  ((GstSrDegradationMeta *) gst_buffer_get_meta ((b), GST_SR_DEGRADATION_META_API_TYPE))

/* Attaches a meta taking ownership of info (replacing any existing one). */
GstSrDegradationMeta *gst_buffer_add_sr_degradation_meta (GstBuffer *buffer,
    GstStructure *info);

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
