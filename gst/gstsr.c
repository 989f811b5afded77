/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The `sr` plugin: registers every gst-sr element. */
#include <gst/gst.h>

#include "gstsrmeta.h"
#include "gstsrdegrade.h"
#include "gstsrpairsink.h"
#include "gstsrusm.h"
#include "gstsrcodec.h"
#include "gstsrupscale.h"
#include "gstsrmetrics.h"
#include "gstsrundertrained.h"

static gboolean
plugin_init (GstPlugin *plugin)
{
  gboolean ok = FALSE;
  /* The record's meta exists as soon as the plugin loads, so that an
   * application can attach or look for it by name before any element ran. */
  gst_sr_degradation_meta_register ();
  ok |= GST_ELEMENT_REGISTER (srdegrade, plugin);
  ok |= GST_ELEMENT_REGISTER (srpairsink, plugin);
  ok |= GST_ELEMENT_REGISTER (srusm, plugin);
  ok |= GST_ELEMENT_REGISTER (srcodec, plugin);
  ok |= GST_ELEMENT_REGISTER (srupscale, plugin);
  ok |= GST_ELEMENT_REGISTER (srmetrics, plugin);
  ok |= GST_ELEMENT_REGISTER (srundertrained, plugin);
  return ok;
}

#define PACKAGE "gst-sr"
GST_PLUGIN_DEFINE (GST_VERSION_MAJOR, GST_VERSION_MINOR, sr,
    "Super-resolution on OpenCL: degradations, codec round trips and "
    "paired-dataset writing for training data; upscaling with pretrained "
    "networks",
    plugin_init, SR_VERSION, "LGPL", "gst-sr", "https://github.com/gst-sr")
