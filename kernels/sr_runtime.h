/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* SrRuntime: one OpenCL platform/device/context, its program cache and its
 * tensor pool, shared (refcounted) by every element of a pipeline
 * through the gst.sr.opencl GstContext. Knows OpenCL and GLib only. */
#pragma once

#include "sr_status.h"

G_BEGIN_DECLS

typedef struct SrRuntime SrRuntime;
typedef struct SrTensorPool SrTensorPool;

/* device_spec: "auto" (a GPU if there is one, else a CPU device), "cpu",
 * "gpu", or "P:D" (platform index P, device index D). NULL means "auto". */
SrRuntime *sr_runtime_new (const char *device_spec, GError **error);
SrRuntime *sr_runtime_ref (SrRuntime *rt);
void sr_runtime_unref (SrRuntime *rt);

/* TRUE if device_spec ("auto" always matches) names this runtime's device. */
gboolean sr_runtime_matches_spec (SrRuntime *rt, const char *device_spec);
/* TRUE if spec is a syntactically valid device string. */
gboolean sr_runtime_spec_is_valid (const char *spec);
/* "P:D <device name> (<type>, <platform name> <platform version>)" */
const char *sr_runtime_describe (SrRuntime *rt);
gboolean sr_runtime_is_gpu (SrRuntime *rt);
/* Device, driver and platform names and versions: what identifies the
 * device's compiled code and measurements in caches. */
const char *sr_runtime_device_key (SrRuntime *rt);
/* TRUE if the device does half-precision arithmetic (cl_khr_fp16). f16
 * storage (SR_DTYPE_F16) works everywhere; this only says whether kernels
 * may also compute in half. */
gboolean sr_runtime_has_fp16 (SrRuntime *rt);
/* TRUE if the device computes in double precision (cl_khr_fp64): the
 * reference-exact metrics need it (spec/metrics.md 1.3). */
gboolean sr_runtime_has_fp64 (SrRuntime *rt);

cl_context sr_runtime_context (SrRuntime *rt);
cl_device_id sr_runtime_device (SrRuntime *rt);
SrTensorPool *sr_runtime_pool (SrRuntime *rt);

/* A new in-order queue on the shared context; each element instance owns
 * its own. Release with clReleaseCommandQueue. */
cl_command_queue sr_runtime_create_queue (SrRuntime *rt, GError **error);

/* A new kernel object `kernel` from program `program` (kernels/<program>.cl).
 * The program is built once per runtime (and cached on disk); each caller
 * gets its own cl_kernel because argument setting is not thread-safe.
 * Release with clReleaseKernel. */
cl_kernel sr_runtime_create_kernel (SrRuntime *rt, const char *program,
    const char *kernel, GError **error);
/* The same with extra build options (e.g. "-DOCB=16 -DPX=4", NULL for
 * none): each distinct options string is its own program, built once per
 * runtime and cached on disk under its own key. */
cl_kernel sr_runtime_create_kernel_with_options (SrRuntime *rt,
    const char *program, const char *options, const char *kernel,
    GError **error);

/* The source of program `name` with our #include "x.clh" lines expanded:
 * from $SR_KERNEL_PATH/<name>.cl when that variable is set, else the copy
 * embedded at build time. Returns NULL (and sets error) if there is none. */
char *sr_program_source (const char *name, GError **error);

/* The directory that holds cached program binaries: one file
 * <key>.bin per program and device, where <key> is the hex SHA-256 of the
 * expanded source, the build options and the device, driver and platform
 * names and versions. A file is a header, then the driver's binary:
 *    0  "GSTSRBIN"  8 bytes
 *    8  u32 LE      format version, 1
 *   12  u32 LE      0
 *   16  u64 LE      length of the binary
 *   24  32 bytes    the key (the file name's digest)
 *   56  32 bytes    SHA-256 of the binary
 *   88  the binary
 * An entry that does not match (or that the driver refuses) is deleted and
 * the program compiled again; an unwritable directory only disables the
 * cache. Removing the directory is always safe. */
char *sr_program_cache_dir (void);

/* Enqueue helper: a 1/2/3-D launch over `global` with gst-sr's fixed
 * work-group sizes (see sr_runtime.c); kernels index by get_global_id only. */
SrStatus sr_enqueue (cl_command_queue queue, cl_kernel kernel, cl_uint dims,
    const size_t *global);

G_END_DECLS
