/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target for the safetensors reader and the builders on it
 * (Real-ESRGAN's architectures, LPIPS's AlexNet, the VQ-VAEs): each input is one .safetensors file, written into
 * a temp folder of this process. The reader opens it (header length, UTF-8
 * JSON, dtypes, shapes against byte ranges, ranges tiling the data) and
 * every tensor it accepted is converted to float where the dtype allows;
 * then sr_realesrgan_load recognises SRVGGNetCompact or RRDBNet from the
 * names, reads its configuration from the shapes and builds the graph,
 * whose sizes, reach and cost are worked out; sr_lpips_load reads it as
 * LPIPS weights and sr_vqvae_load as a VQ-VAE. No OpenCL: nothing runs.
 *
 * A crash, an ASan/UBSan report, a GLib critical or warning (made fatal),
 * or a refusal without an SR_MODEL_ERROR is a finding; so is the builder
 * loading a file the reader refused. */
#include "fuzz_target.h"
#include "sr_arch_realesrgan.h"
#include "sr_arch_vqvae.h"
#include "sr_lpips.h"
#include "sr_safetensors.h"

#include <stdio.h>
#include <stdlib.h>

static gchar *path;

/* Every tensor through the reader's own API. */
static void
read_all (const SrSafetensors *st)
{
  guint n;
  const char *const *names = sr_safetensors_names (st, &n);
  if (names[n])
    abort ();
  for (guint i = 0; i < n; i++) {
    const SrSafetensorsTensor *t = sr_safetensors_lookup (st, names[i]);
    if (!t || t->name != names[i] || (t->n_elements && !t->data))
      abort ();
    GError *error = NULL;
    float *f = sr_safetensors_read_float (st, names[i], t->rank, t->shape, &error);
    if (!f && (!error || error->domain != SR_MODEL_ERROR
            || error->code != SR_MODEL_ERROR_UNSUPPORTED))
      abort ();
    /* Touch the last element so ASan sees a short buffer. */
    volatile float sink = f && t->n_elements ? f[t->n_elements - 1] : 0;
    (void) sink;
    g_free (f);
    g_clear_error (&error);
  }
  (void) sr_safetensors_metadata (st, "gst-sr.config");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  if (!path)
    path = g_build_filename (sr_fuzz_setup ("sr-fuzz-safetensors"),
        "model.safetensors", NULL);
  sr_fuzz_write_file (path, data, size);

  GError *error = NULL;
  SrSafetensors *st = sr_safetensors_open (path, &error);
  if (!st) {
    sr_fuzz_refused ("sr_safetensors_open", error);
    return 0;
  }
  read_all (st);
  sr_safetensors_close (st);

  SrGraph *g = sr_realesrgan_load (path, &error);
  if (!g) {
    sr_fuzz_refused ("sr_realesrgan_load", error);
    error = NULL;
  } else {
    sr_fuzz_loaded = 1;
    sr_fuzz_check_graph (g);
    sr_graph_free (g);
  }

  /* The other builders' refusals must say why too (sr_fuzz_loaded and the
   * smoke test's message stay the Real-ESRGAN builder's). */
  g = sr_vqvae_load (path, &error);
  if (g) {
    sr_fuzz_check_graph (g);
    sr_graph_free (g);
  } else if (!error || error->domain != SR_MODEL_ERROR || !error->message[0]) {
    abort ();
  }
  g_clear_error (&error);

  float *lin[SR_LPIPS_LAYERS];
  int lin_c[SR_LPIPS_LAYERS];
  g = sr_lpips_load (path, lin, lin_c, &error);
  if (!g) {
    /* A refusal frees what it read and says why. */
    for (int k = 0; k < SR_LPIPS_LAYERS; k++)
      if (lin[k])
        abort ();
    if (!error || error->domain != SR_MODEL_ERROR || !error->message[0])
      abort ();
    g_error_free (error);
    return 0;
  }
  sr_fuzz_check_graph (g);
  for (int k = 0; k < SR_LPIPS_LAYERS; k++) {
    volatile float sink = lin[k][lin_c[k] - 1];
    (void) sink;
    g_free (lin[k]);
  }
  sr_graph_free (g);
  return 0;
}
