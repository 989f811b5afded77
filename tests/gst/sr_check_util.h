/* Reads GstSrDegradationMeta from buffers made by the plugin without
 * linking gst-sr code into the test: the API type is looked up by name
 * (registered when the plugin loads) and the layout mirrors gstsrmeta.h. */
#pragma once

#include <gst/gst.h>

typedef struct {
  GstMeta meta;
  GstStructure *info;
} SrCheckDegradationMeta;

static inline const GstStructure *
sr_check_meta_info (GstBuffer *buf)
{
  GType api = g_type_from_name ("GstSrDegradationMetaAPI");
  if (!api)
    return NULL;
  SrCheckDegradationMeta *m = (SrCheckDegradationMeta *) gst_buffer_get_meta (buf, api);
  return m ? m->info : NULL;
}
