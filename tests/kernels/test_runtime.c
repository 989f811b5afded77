/* The OpenCL runtime itself: status names, device strings, the on-disk
 * program cache, SR_KERNEL_PATH overrides, build-failure logs, #include
 * expansion and the tensor pool (DESIGN contracts 1-3). */
#include <glib/gstdio.h>
#include <string.h>
#include "sr_runtime.h"
#include "sr_tensor.h"

static gchar *cache_dir, *override_dir;

static void
test_status_names (void)
{
  GHashTable *seen = g_hash_table_new (g_str_hash, g_str_equal);
  for (int s = SR_OK; s <= SR_ERR_OPENCL; s++) {
    const char *name = sr_status_name (s);
    g_assert_true (g_str_has_prefix (name, "SR_"));
    g_assert_false (g_hash_table_contains (seen, name));
    g_hash_table_add (seen, (gpointer) name);
  }
  g_hash_table_destroy (seen);
  g_assert_cmpint (sr_status_from_cl (CL_SUCCESS), ==, SR_OK);
  g_assert_cmpint (sr_status_from_cl (CL_BUILD_PROGRAM_FAILURE), ==, SR_ERR_BUILD_FAILED);
  g_assert_cmpint (sr_status_from_cl (CL_MEM_OBJECT_ALLOCATION_FAILURE), ==,
      SR_ERR_OUT_OF_DEVICE_MEMORY);
  g_assert_cmpint (sr_status_from_cl (CL_PLATFORM_NOT_FOUND_KHR), ==, SR_ERR_NO_PLATFORM);
  g_assert_cmpstr (sr_cl_error_name (CL_OUT_OF_RESOURCES), ==, "CL_OUT_OF_RESOURCES");
}

static void
test_device_specs (void)
{
  const char *good[] = { "auto", "cpu", "gpu", "0:0", "12:3" };
  const char *bad[] = { "", "fast", "1:", ":1", "0:0:0", "-1:0", "0: 1" };
  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (sr_runtime_spec_is_valid (good[i]));
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    g_assert_false (sr_runtime_spec_is_valid (bad[i]));

  GError *error = NULL;
  g_assert_null (sr_runtime_new ("9:9", &error));
  g_assert_error (error, SR_ERROR, SR_ERR_NO_DEVICE);
  g_assert_nonnull (strstr (error->message, "available: 0:0"));
  g_clear_error (&error);

  SrRuntime *rt = sr_runtime_new ("auto", &error);
  g_assert_no_error (error);
  g_assert_true (sr_runtime_matches_spec (rt, "auto"));
  g_assert_true (sr_runtime_matches_spec (rt, sr_runtime_is_gpu (rt) ? "gpu" : "cpu"));
  g_assert_false (sr_runtime_matches_spec (rt, sr_runtime_is_gpu (rt) ? "cpu" : "gpu"));
  g_assert_false (sr_runtime_matches_spec (rt, "9:9"));
  sr_runtime_unref (rt);
}

static guint
count_files (const char *dir)
{
  guint n = 0;
  GDir *d = g_dir_open (dir, 0, NULL);
  if (d) {
    while (g_dir_read_name (d))
      n++;
    g_dir_close (d);
  }
  return n;
}

/* A first build writes one binary; a second runtime finds it (same key). */
static void
test_program_cache (void)
{
  GError *error = NULL;
  gchar *dir = sr_program_cache_dir ();
  g_assert_true (g_str_has_prefix (dir, cache_dir));
  const guint before = count_files (dir);
  for (int round = 0; round < 2; round++) {
    SrRuntime *rt = sr_runtime_new (NULL, &error);
    g_assert_no_error (error);
    cl_kernel k = sr_runtime_create_kernel (rt, "usm", "usm_mask", &error);
    g_assert_no_error (error);
    clReleaseKernel (k);
    sr_runtime_unref (rt);
    g_assert_cmpuint (count_files (dir), ==, before + 1);
  }
  g_free (dir);
}

static void
write_override (const char *file, const char *text)
{
  gchar *path = g_build_filename (override_dir, file, NULL);
  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  g_free (path);
}

/* SR_KERNEL_PATH replaces the embedded copy of the files it holds; our own
 * #include "x.clh" lines still resolve (from the embedded set). */
static void
test_kernel_path_override (void)
{
  write_override ("resample.cl",
      "#include \"philox.clh\"\n"
      "__kernel void override_probe (__global uint *out) {\n"
      "  out[0] = sr_philox4x32_10 ((uint4) (0), (uint2) (0)).x; }\n");
  GError *error = NULL;
  SrRuntime *rt = sr_runtime_new (NULL, &error);
  cl_kernel k = sr_runtime_create_kernel (rt, "resample", "override_probe", &error);
  g_assert_no_error (error);
  /* Run it: Philox4x32-10 of zeros starts with 0x6627e8d5 (Random123 KAT). */
  cl_command_queue q = sr_runtime_create_queue (rt, &error);
  SrTensor *t = sr_tensor_new (rt, 1, 1, 1, 1, SR_DTYPE_I32, &error);
  clSetKernelArg (k, 0, sizeof (cl_mem), &t->mem);
  const size_t one = 1;
  g_assert_cmpint (sr_enqueue (q, k, 1, &one), ==, SR_OK);
  guint32 v = 0;
  g_assert_cmpint (sr_tensor_read (q, t, &v), ==, SR_OK);
  g_assert_cmphex (v, ==, 0x6627e8d5);
  sr_tensor_unref (t);
  clReleaseCommandQueue (q);
  clReleaseKernel (k);
  /* The embedded kernels of that program are gone in this runtime. */
  g_assert_null (sr_runtime_create_kernel (rt, "resample", "resample_rows", &error));
  g_assert_error (error, SR_ERROR, SR_ERR_KERNEL_NOT_FOUND);
  g_clear_error (&error);
  sr_runtime_unref (rt);
}

static void
test_build_failure_log (void)
{
  write_override ("usm.cl", "__kernel void broken (__global float *x) { x[0] = y; }\n");
  GError *error = NULL;
  SrRuntime *rt = sr_runtime_new (NULL, &error);
  g_assert_null (sr_runtime_create_kernel (rt, "usm", "broken", &error));
  g_assert_error (error, SR_ERROR, SR_ERR_BUILD_FAILED);
  /* The compiler's log names the undeclared identifier. */
  g_assert_nonnull (strstr (error->message, "usm.cl"));
  g_assert_nonnull (strstr (error->message, "undeclared identifier"));
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  sr_runtime_unref (rt);
  g_assert_null (sr_program_source ("no-such-program", &error));
  g_assert_error (error, SR_ERROR, SR_ERR_KERNEL_NOT_FOUND);
  g_clear_error (&error);
}

/* Freed tensors go back to the pool and are reused by size. */
static void
test_tensor_pool (void)
{
  GError *error = NULL;
  SrRuntime *rt = sr_runtime_new (NULL, &error);
  SrTensor *a = sr_tensor_new (rt, 1, 3, 64, 64, SR_DTYPE_F32, &error);
  const guint after_first = sr_tensor_pool_allocations (sr_runtime_pool (rt));
  sr_tensor_unref (a);
  for (int i = 0; i < 10; i++) {
    SrTensor *b = sr_tensor_new (rt, 1, 3, 64, 63, SR_DTYPE_F32, &error);
    sr_tensor_unref (b);
  }
  g_assert_cmpuint (sr_tensor_pool_allocations (sr_runtime_pool (rt)), ==, after_first);
  g_assert_null (sr_tensor_new (rt, 1, 3, 0, 64, SR_DTYPE_F32, &error));
  g_assert_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT);
  g_clear_error (&error);
  sr_runtime_unref (rt);
}

int
main (int argc, char **argv)
{
  /* Before GLib reads them: a private cache and an override folder. */
  cache_dir = g_dir_make_tmp ("sr-cache-XXXXXX", NULL);
  override_dir = g_dir_make_tmp ("sr-kernels-XXXXXX", NULL);
  g_setenv ("XDG_CACHE_HOME", cache_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/status-names", test_status_names);
  g_test_add_func ("/runtime/device-specs", test_device_specs);
  g_test_add_func ("/runtime/program-cache", test_program_cache);
  g_test_add_func ("/runtime/tensor-pool", test_tensor_pool);
  /* These two set SR_KERNEL_PATH for the rest of the process. */
  g_setenv ("SR_KERNEL_PATH", override_dir, TRUE);
  g_test_add_func ("/runtime/kernel-path-override", test_kernel_path_override);
  g_test_add_func ("/runtime/build-failure-log", test_build_failure_log);
  int ret = g_test_run ();
  gchar *cmd = g_strdup_printf ("rm -rf '%s' '%s'", cache_dir, override_dir);
  if (system (cmd) != 0)
    ret = 1;
  g_free (cmd);
  return ret;
}
