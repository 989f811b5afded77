/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device's float FMA peak, measured rather than taken from a data
 * sheet (our machines change between sessions and the clock the guest
 * reports is not the one it runs at): a kernel whose work-items each run
 * 12 independent float16 FMA chains (enough to cover the FMA latency on
 * both pipes of a core), on as many work-groups as the device has compute
 * units times 8; median of `reps` timed calls after two warm-up calls.
 *
 *   bench_device_peak [reps=N]
 *
 * Prints "device_peak GFLOP/s=<median> min=<> max=<> (<device>)". Not a
 * test; tests/bench/bench_upscale.py quotes achieved GFLOP/s against it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sr_runtime.h"
#include "sr_status.h"

#define CHAINS 12
#define ITERS 4096

static const char *source =
    "__kernel void peak (__global float *out, const float a, const float b)\n"
    "{\n"
    "  float16 x[12];\n"
    "  for (int c = 0; c < 12; c++)\n"
    "    x[c] = (float16) (get_global_id (0) + c);\n"
    "  for (int i = 0; i < 4096; i++) {\n"
    "#pragma unroll\n"
    "    for (int c = 0; c < 12; c++)\n"
    "      x[c] = fma (x[c], (float16) a, (float16) b);\n"
    "  }\n"
    "  float16 s = x[0];\n"
    "  for (int c = 1; c < 12; c++)\n"
    "    s += x[c];\n"
    "  out[get_global_id (0)] = s.s0 + s.sf;\n"
    "}\n";

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

int
main (int argc, char **argv)
{
  int reps = 9;
  for (int i = 1; i < argc; i++)
    if (sscanf (argv[i], "reps=%d", &reps) != 1 || reps < 1) {
      fprintf (stderr, "usage: %s [reps=N]\n", argv[0]);
      return 2;
    }
  GError *error = NULL;
  SrRuntime *rt = sr_runtime_new ("auto", &error);
  if (!rt) {
    fprintf (stderr, "no OpenCL device: %s\n", error->message);
    return 77;
  }
  cl_context ctx = sr_runtime_context (rt);
  cl_device_id dev = sr_runtime_device (rt);
  cl_int err;
  cl_command_queue q = sr_runtime_create_queue (rt, &error);
  cl_program prog = clCreateProgramWithSource (ctx, 1, &source, NULL, &err);
  if (!q || !prog || clBuildProgram (prog, 1, &dev, "", NULL, NULL)
      != CL_SUCCESS) {
    fprintf (stderr, "cannot build the peak kernel\n");
    return 1;
  }
  cl_kernel k = clCreateKernel (prog, "peak", &err);
  cl_uint units = 1;
  clGetDeviceInfo (dev, CL_DEVICE_MAX_COMPUTE_UNITS, sizeof units, &units,
      NULL);
  const size_t local = 64, global = (size_t) units * 8 * local;
  cl_mem out = clCreateBuffer (ctx, CL_MEM_WRITE_ONLY, global * sizeof (float),
      NULL, &err);
  /* a, b keep the chains bounded (x -> b / (1 - a)): no overflow, no
   * denormals. */
  const float a = 0.5f, b = 1.0f;
  clSetKernelArg (k, 0, sizeof out, &out);
  clSetKernelArg (k, 1, sizeof a, &a);
  clSetKernelArg (k, 2, sizeof b, &b);
  const double flop = (double) global * ITERS * CHAINS * 16 * 2;
  double *gflops = g_new (double, reps);
  for (int r = -2; r < reps; r++) {
    const gint64 t0 = g_get_monotonic_time ();
    if (clEnqueueNDRangeKernel (q, k, 1, NULL, &global, &local, 0, NULL,
            NULL) != CL_SUCCESS || clFinish (q) != CL_SUCCESS) {
      fprintf (stderr, "peak kernel failed\n");
      return 1;
    }
    if (r >= 0)
      gflops[r] = flop / ((g_get_monotonic_time () - t0) * 1e3);
  }
  qsort (gflops, reps, sizeof *gflops, cmp_double);
  printf ("device_peak GFLOP/s=%.1f min=%.1f max=%.1f (%s, %u compute "
      "units)\n", gflops[reps / 2], gflops[0], gflops[reps - 1],
      sr_runtime_describe (rt), units);
  g_free (gflops);
  clReleaseMemObject (out);
  clReleaseKernel (k);
  clReleaseProgram (prog);
  clReleaseCommandQueue (q);
  sr_runtime_unref (rt);
  return 0;
}
