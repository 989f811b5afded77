/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_nn_private.h"

#include <string.h>

gboolean
sr_view_valid (SrView v)
{
  return v.t && v.t->n == 1 && v.t->dtype == SR_DTYPE_F32 && v.c0 >= 0
      && v.c > 0 && v.c0 + v.c <= v.t->c;
}

cl_mem
sr_nn_upload_weights (SrRuntime *rt, const float *host, size_t n,
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

cl_mem
sr_nn_upload_channels (SrRuntime *rt, const float *v, int cout, int block,
    const char *what, GError **error)
{
  const size_t n = (size_t) (cout + block - 1) / block * block;
  float *padded = g_new0 (float, n);
  if (v)
    memcpy (padded, v, cout * sizeof (float));
  cl_mem m = sr_nn_upload_weights (rt, padded, n, what, error);
  g_free (padded);
  return m;
}
