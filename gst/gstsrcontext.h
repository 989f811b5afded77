/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Sharing one SrRuntime across a pipeline through a GstContext of type
 * "gst.sr.opencl" (one runtime per pipeline), following the GL elements' pattern:
 * query peers, post need-context, else create it and post have-context. */
#pragma once

#include <gst/gst.h>
#include "sr_runtime.h"

G_BEGIN_DECLS

#define GST_SR_CONTEXT_TYPE "gst.sr.opencl"

GType gst_sr_runtime_get_type (void);
#define GST_TYPE_SR_RUNTIME (gst_sr_runtime_get_type ())

/* Makes sure *rt holds the pipeline's runtime (found or created). On failure
 * sets *error (SR_ERROR domain) and returns FALSE. device_spec is the
 * element's `device` property; a shared runtime on another device is an
 * SR_ERR_DEVICE_MISMATCH. */
gboolean gst_sr_ensure_runtime (GstElement *element, const char *device_spec,
    SrRuntime **rt, GError **error);

/* For GstElement::set_context: adopts the runtime of a gst.sr.opencl context
 * if *rt is still empty. */
void gst_sr_handle_set_context (GstElement *element, GstContext *context,
    SrRuntime **rt);

/* Answers a context query for gst.sr.opencl with rt. TRUE if answered. */
gboolean gst_sr_handle_context_query (GstElement *element, GstQuery *query,
    SrRuntime *rt);

/* Posts the GStreamer error that matches an SR_ERROR (no platform -> the
 * install hint, device mismatch, build failure...). */
void gst_sr_post_runtime_error (GstElement *element, const GError *error);

/* The start() of every OpenCL element: validates device_spec, finds or
 * creates the pipeline's runtime, creates the element's own queue. On
 * failure posts the error (naming the problem) and returns FALSE. */
gboolean gst_sr_element_open (GstElement *element, const char *device_spec,
    SrRuntime **rt, cl_command_queue *queue);

G_END_DECLS
