/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_private.h"

#include <string.h>

gboolean
sr_view_valid (SrView v)
{
  return v.t && v.t->n == 1
      && (v.t->dtype == SR_DTYPE_F32 || v.t->dtype == SR_DTYPE_F16)
      && v.c0 >= 0 && v.c > 0 && v.c0 + v.c <= v.t->c;
}

gboolean
sr_nn_storage_options (SrDType act, const char **options, GError **error)
{
  if (act != SR_DTYPE_F32 && act != SR_DTYPE_F16) {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "network activations are stored as f32 or f16, not dtype %d", act);
    return FALSE;
  }
  *options = act == SR_DTYPE_F16 ? "-DACT_HALF" : NULL;
  return TRUE;
}

/* n floats copied to a new read-only device buffer; NULL and an error
 * naming `what` on failure. */
static cl_mem
upload_weights (SrRuntime *rt, const float *host, size_t n,
    const char *what, GError **error)
{
  cl_int err;
  cl_mem m = clCreateBuffer (sr_runtime_context (rt),
      CL_MEM_READ_ONLY | CL_MEM_COPY_HOST_PTR, n * sizeof (float),
      (void *) host, &err);
  if (!m) {
    char *where = g_strdup_printf ("clCreateBuffer (%s)", what);
    sr_set_cl_error (error, err, where);
    g_free (where);
  }
  return m;
}

/* A per-output-channel vector (zeros for NULL), padded with zeros to a
 * whole number of blocks of `block` channels. */
static cl_mem
upload_channels (SrRuntime *rt, const float *v, int cout, int block,
    const char *what, GError **error)
{
  const size_t n = (size_t) (cout + block - 1) / block * block;
  float *padded = g_new0 (float, n);
  if (v)
    memcpy (padded, v, cout * sizeof (float));
  cl_mem m = upload_weights (rt, padded, n, what, error);
  g_free (padded);
  return m;
}

gboolean
sr_nn_conv_buffers_upload (SrNnConvBuffers *b, SrRuntime *rt,
    const float *packed, size_t n, const char *what, const float *bias,
    const float *prelu, int cout, int block, GError **error)
{
  b->bytes = (n + 2 * ((size_t) (cout + block - 1) / block * block))
      * sizeof (float);
  return (b->wt = upload_weights (rt, packed, n, what, error))
      && (b->bias = upload_channels (rt, bias, cout, block, "bias",
          error))
      && (b->slope = upload_channels (rt, prelu, cout, block,
          "PReLU slopes", error));
}

void
sr_nn_conv_buffers_release (SrNnConvBuffers *b)
{
  cl_mem *m[] = { &b->wt, &b->bias, &b->slope };
  for (guint i = 0; i < G_N_ELEMENTS (m); i++)
    if (*m[i]) {
      clReleaseMemObject (*m[i]);
      *m[i] = NULL;
    }
}
