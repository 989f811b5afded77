/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Models by name. `model=` takes a registry name (esrgan-slim-x4, ...) or a
 * path to a model file (TF.js model.json, Real-ESRGAN .safetensors). A name
 * is looked up, in order, in the folders of
 * SR_MODEL_PATH (colon-separated), in the source tree's models/ (compiled
 * in, so an uninstalled build finds the models `scripts/install-models.sh`
 * put there) and in the installed data folder (share/gst-sr/models). In
 * each folder the model is its npm package's file (npm/node_modules/...)
 * or <name>/model.json. */
#pragma once

#include "sr_graph.h"

G_BEGIN_DECLS

typedef struct {
  const char *name;
  const char *file;             /* below a models folder */
  int scale;
  double input_max;             /* the range the network was trained on */
  const char *licence;
} SrModelEntry;

/* Every registry entry, NULL-terminated. */
const SrModelEntry *sr_registry_entries (void);
const SrModelEntry *sr_registry_lookup (const char *name);

/* The folders searched, in order (g_strfreev). */
gchar **sr_registry_folders (void);

/* The model file for a name or a path (g_free), with its entry (NULL for a
 * path); an unknown or missing name fails listing the names installed. */
gchar *sr_registry_resolve (const char *name_or_path,
    const SrModelEntry **entry, GError **error);

/* "esrgan-slim-x4, ..." of the names whose files are installed ("none"). */
gchar *sr_registry_installed (void);

/* Resolves and loads a network. */
SrGraph *sr_registry_load (const char *name_or_path, GError **error);

G_END_DECLS
