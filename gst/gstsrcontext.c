/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "gstsrcontext.h"

G_DEFINE_BOXED_TYPE (SrRuntime, gst_sr_runtime, sr_runtime_ref, sr_runtime_unref)

static SrRuntime *
runtime_from_context (GstContext *context)
{
  SrRuntime *rt = NULL;
  if (g_strcmp0 (gst_context_get_context_type (context), GST_SR_CONTEXT_TYPE))
    return NULL;
  const GstStructure *s = gst_context_get_structure (context);
  if (!gst_structure_get (s, "runtime", GST_TYPE_SR_RUNTIME, &rt, NULL))
    return NULL;
  return rt;                    /* a new reference */
}

static GstContext *
context_for (SrRuntime *rt)
{
  GstContext *ctx = gst_context_new (GST_SR_CONTEXT_TYPE, TRUE);
  GstStructure *s = gst_context_writable_structure (ctx);
  gst_structure_set (s, "runtime", GST_TYPE_SR_RUNTIME, rt,
      "device", G_TYPE_STRING, sr_runtime_describe (rt), NULL);
  return ctx;
}

void
gst_sr_handle_set_context (GstElement *element, GstContext *context,
    SrRuntime **rt)
{
  SrRuntime *found = runtime_from_context (context);
  if (!found)
    return;
  GST_OBJECT_LOCK (element);
  if (*rt == NULL) {
    *rt = found;
    found = NULL;
  }
  GST_OBJECT_UNLOCK (element);
  if (found)
    sr_runtime_unref (found);
}

gboolean
gst_sr_handle_context_query (GstElement *element, GstQuery *query,
    SrRuntime *rt)
{
  const gchar *type;
  (void) element;
  if (GST_QUERY_TYPE (query) != GST_QUERY_CONTEXT || rt == NULL)
    return FALSE;
  if (!gst_query_parse_context_type (query, &type)
      || g_strcmp0 (type, GST_SR_CONTEXT_TYPE))
    return FALSE;
  GstContext *ctx = context_for (rt);
  gst_query_set_context (query, ctx);
  gst_context_unref (ctx);
  return TRUE;
}

static gpointer
ref_pad (gconstpointer pad, gpointer unused)
{
  (void) unused;
  return gst_object_ref ((gpointer) pad);
}

/* Asks each peer of the pads of one direction; TRUE once one answers. */
static gboolean
query_peers (GstElement *element, GList *pads, GstQuery *query)
{
  for (GList *l = pads; l; l = l->next)
    if (gst_pad_peer_query (GST_PAD (l->data), query))
      return TRUE;
  (void) element;
  return FALSE;
}

static gboolean
have_runtime (GstElement *element, SrRuntime **rt)
{
  GST_OBJECT_LOCK (element);
  gboolean have = *rt != NULL;
  GST_OBJECT_UNLOCK (element);
  return have;
}

gboolean
gst_sr_ensure_runtime (GstElement *element, const char *device_spec,
    SrRuntime **rt, GError **error)
{
  if (!have_runtime (element, rt)) {
    GstQuery *query = gst_query_new_context (GST_SR_CONTEXT_TYPE);
    GST_OBJECT_LOCK (element);
    GList *src = g_list_copy_deep (element->srcpads, ref_pad, NULL);
    GList *sink = g_list_copy_deep (element->sinkpads, ref_pad, NULL);
    GST_OBJECT_UNLOCK (element);
    if (query_peers (element, src, query) || query_peers (element, sink, query)) {
      GstContext *ctx = NULL;
      gst_query_parse_context (query, &ctx);
      if (ctx)
        gst_element_set_context (element, ctx);
    }
    g_list_free_full (src, gst_object_unref);
    g_list_free_full (sink, gst_object_unref);
    gst_query_unref (query);
  }
  if (!have_runtime (element, rt)) {
    /* The bin (or the application) may answer synchronously via set_context. */
    gst_element_post_message (element,
        gst_message_new_need_context (GST_OBJECT (element), GST_SR_CONTEXT_TYPE));
  }
  if (!have_runtime (element, rt)) {
    SrRuntime *created = sr_runtime_new (device_spec, error);
    if (!created)
      return FALSE;
    GST_INFO_OBJECT (element, "created OpenCL runtime on %s",
        sr_runtime_describe (created));
    GstContext *ctx = context_for (created);
    gst_element_set_context (element, ctx);
    gst_element_post_message (element,
        gst_message_new_have_context (GST_OBJECT (element), ctx));
    sr_runtime_unref (created);
  }
  if (!have_runtime (element, rt)) {
    g_set_error (error, SR_ERROR, SR_ERR_OPENCL,
        "could not set up the OpenCL runtime context");
    return FALSE;
  }
  if (!sr_runtime_matches_spec (*rt, device_spec)) {
    g_set_error (error, SR_ERROR, SR_ERR_DEVICE_MISMATCH,
        "device=%s was requested, but this pipeline already shares OpenCL "
        "device %s; give every gst-sr element the same device",
        device_spec, sr_runtime_describe (*rt));
    return FALSE;
  }
  return TRUE;
}

void
gst_sr_post_runtime_error (GstElement *element, const GError *error)
{
  switch (error->code) {
    case SR_ERR_NO_PLATFORM:
    case SR_ERR_NO_DEVICE:
      GST_ELEMENT_ERROR (element, RESOURCE, NOT_FOUND,
          ("%s", error->message), (NULL));
      break;
    case SR_ERR_DEVICE_MISMATCH:
    case SR_ERR_INVALID_ARGUMENT:
      GST_ELEMENT_ERROR (element, RESOURCE, SETTINGS,
          ("%s", error->message), (NULL));
      break;
    default:
      GST_ELEMENT_ERROR (element, RESOURCE, FAILED,
          ("%s", error->message), (NULL));
  }
}

gboolean
gst_sr_element_open (GstElement *element, const char *device_spec,
    SrRuntime **rt, cl_command_queue *queue)
{
  GError *error = NULL;
  if (!sr_runtime_spec_is_valid (device_spec)) {
    GST_ELEMENT_ERROR (element, RESOURCE, SETTINGS, ("Invalid device=\"%s\": "
            "use auto, cpu, gpu or P:D (platform:device)", device_spec), (NULL));
    return FALSE;
  }
  if (!gst_sr_ensure_runtime (element, device_spec, rt, &error)
      || !(*queue = sr_runtime_create_queue (*rt, &error))) {
    gst_sr_post_runtime_error (element, error);
    g_clear_error (&error);
    return FALSE;
  }
  return TRUE;
}
