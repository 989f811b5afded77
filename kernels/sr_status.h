/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SrStatus: every failure of the kernels layer, with OpenCL error codes
 * folded into a small set of named values (sr_status_name). */
#pragma once

#include <glib.h>
#include <CL/cl.h>
#include <CL/cl_ext.h>

G_BEGIN_DECLS

typedef enum {
  SR_OK = 0,
  SR_ERR_NO_PLATFORM,          /* no OpenCL ICD / platform installed */
  SR_ERR_NO_DEVICE,            /* the requested device does not exist */
  SR_ERR_DEVICE_MISMATCH,      /* the shared runtime uses another device */
  SR_ERR_INVALID_ARGUMENT,     /* a caller passed a bad size, shape or value */
  SR_ERR_BUILD_FAILED,         /* a program did not compile; see the log */
  SR_ERR_KERNEL_NOT_FOUND,     /* no such program or kernel */
  SR_ERR_OUT_OF_HOST_MEMORY,
  SR_ERR_OUT_OF_DEVICE_MEMORY,
  SR_ERR_OUT_OF_RESOURCES,
  SR_ERR_INVALID_KERNEL_ARGS,
  SR_ERR_INVALID_WORK_SIZE,
  SR_ERR_INVALID_MEM_OBJECT,
  SR_ERR_IO,                   /* a file (kernel source, cache) could not be read */
  SR_ERR_OPENCL,               /* any other OpenCL error */
  SR_ERR_UNSUPPORTED,          /* the device lacks what the op needs */
} SrStatus;

#define SR_ERROR (sr_error_quark ())
GQuark sr_error_quark (void);

const char *sr_status_name (SrStatus status);
/* Maps a cl_int error code to the SrStatus that describes it. */
SrStatus sr_status_from_cl (cl_int err);
/* The CL_* name of an OpenCL error code, e.g. "CL_OUT_OF_RESOURCES". */
const char *sr_cl_error_name (cl_int err);

/* Sets *error (domain SR_ERROR, code = the mapped status) for a failed
 * OpenCL call and returns the status. */
SrStatus sr_set_cl_error (GError **error, cl_int err, const char *what);

G_END_DECLS
