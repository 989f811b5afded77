/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The OpenCL runtime itself: status names, device strings, the on-disk
 * program cache, SR_KERNEL_PATH overrides, build-failure logs, #include
 * expansion, the tensor pool, and the cache's recovery from damaged
 * entries. */
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include "sr_runtime.h"
#include "sr_tensor.h"
#include "sr_test_data.h"

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

/* ---- faults in the program cache ----------------------------------------
 * Each case damages an entry, then a new runtime must compile the program
 * again, give kernels that compute what a C reference computes, and leave
 * an entry that is valid by the layout documented in sr_runtime.h. */

#define ENTRY_HEADER 88

/* Runs usm.cl's two kernels on 256 values against C: usm_mask exactly (no
 * rounding in a compare of one product), usm_blend within 1e-6 (the device
 * may contract a*b+c into one fma). */
static void
check_usm (SrRuntime *rt)
{
  GError *error = NULL;
  enum { N = 256 };
  float img[N], blur[N], mask[N], out[N];
  for (int i = 0; i < N; i++) {
    img[i] = (float) i / N;
    blur[i] = (float) ((i * 37) % N) / N;
  }
  const float threshold = 10.0f, weight = 0.5f;
  cl_kernel km = sr_runtime_create_kernel (rt, "usm", "usm_mask", &error);
  g_assert_no_error (error);
  cl_kernel kb = sr_runtime_create_kernel (rt, "usm", "usm_blend", &error);
  g_assert_no_error (error);
  cl_command_queue q = sr_runtime_create_queue (rt, &error);
  g_assert_no_error (error);
  SrTensor *t[4];
  for (int i = 0; i < 4; i++)
    t[i] = sr_tensor_new (rt, 1, 1, 1, N, SR_DTYPE_F32, &error);
  g_assert_cmpint (sr_tensor_write (q, t[0], img), ==, SR_OK);
  g_assert_cmpint (sr_tensor_write (q, t[1], blur), ==, SR_OK);
  clSetKernelArg (km, 0, sizeof (cl_mem), &t[0]->mem);
  clSetKernelArg (km, 1, sizeof (cl_mem), &t[1]->mem);
  clSetKernelArg (km, 2, sizeof (cl_mem), &t[2]->mem);
  clSetKernelArg (km, 3, sizeof threshold, &threshold);
  clSetKernelArg (kb, 0, sizeof (cl_mem), &t[0]->mem);
  clSetKernelArg (kb, 1, sizeof (cl_mem), &t[1]->mem);
  clSetKernelArg (kb, 2, sizeof (cl_mem), &t[2]->mem);  /* the mask as weight */
  clSetKernelArg (kb, 3, sizeof (cl_mem), &t[3]->mem);
  clSetKernelArg (kb, 4, sizeof weight, &weight);
  const size_t n = N;
  g_assert_cmpint (sr_enqueue (q, km, 1, &n), ==, SR_OK);
  g_assert_cmpint (sr_enqueue (q, kb, 1, &n), ==, SR_OK);
  g_assert_cmpint (sr_tensor_read (q, t[2], mask), ==, SR_OK);
  g_assert_cmpint (sr_tensor_read (q, t[3], out), ==, SR_OK);
  int ones = 0;
  for (int i = 0; i < N; i++) {
    const float m = fabsf (img[i] - blur[i]) * 255.0f > threshold ? 1.0f : 0.0f;
    g_assert_cmpfloat (mask[i], ==, m);
    const float sharp = CLAMP (img[i] + weight * (img[i] - blur[i]), 0.0f, 1.0f);
    g_assert_cmpfloat_with_epsilon (out[i], m * sharp + (1 - m) * img[i], 1e-6);
    ones += m != 0;
  }
  g_assert_cmpint (ones, >, 0);
  g_assert_cmpint (ones, <, N);
  for (int i = 0; i < 4; i++)
    sr_tensor_unref (t[i]);
  clReleaseCommandQueue (q);
  clReleaseKernel (km);
  clReleaseKernel (kb);
}

/* cast.cl's two kernels: f32 -> f16 -> f32 returns multiples of 1/8 in
 * [-8, 8] exactly (all representable in binary16). */
static void
check_cast (SrRuntime *rt)
{
  GError *error = NULL;
  enum { N = 129 };
  float in[N], back[N];
  for (int i = 0; i < N; i++)
    in[i] = (i - 64) / 8.0f;
  cl_kernel k16 = sr_runtime_create_kernel (rt, "cast", "f32_to_f16", &error);
  g_assert_no_error (error);
  cl_kernel k32 = sr_runtime_create_kernel (rt, "cast", "f16_to_f32", &error);
  g_assert_no_error (error);
  cl_command_queue q = sr_runtime_create_queue (rt, &error);
  SrTensor *a = sr_tensor_new (rt, 1, 1, 1, N, SR_DTYPE_F32, &error);
  SrTensor *h = sr_tensor_new (rt, 1, 1, 1, N, SR_DTYPE_F16, &error);
  SrTensor *b = sr_tensor_new (rt, 1, 1, 1, N, SR_DTYPE_F32, &error);
  g_assert_no_error (error);
  g_assert_cmpint (sr_tensor_write (q, a, in), ==, SR_OK);
  const int n = N;
  const size_t items = (N + 7) / 8;
  clSetKernelArg (k16, 0, sizeof (cl_mem), &a->mem);
  clSetKernelArg (k16, 1, sizeof (cl_mem), &h->mem);
  clSetKernelArg (k16, 2, sizeof n, &n);
  clSetKernelArg (k32, 0, sizeof (cl_mem), &h->mem);
  clSetKernelArg (k32, 1, sizeof (cl_mem), &b->mem);
  clSetKernelArg (k32, 2, sizeof n, &n);
  g_assert_cmpint (sr_enqueue (q, k16, 1, &items), ==, SR_OK);
  g_assert_cmpint (sr_enqueue (q, k32, 1, &items), ==, SR_OK);
  g_assert_cmpint (sr_tensor_read (q, b, back), ==, SR_OK);
  for (int i = 0; i < N; i++)
    g_assert_cmpfloat (back[i], ==, in[i]);
  sr_tensor_unref (a);
  sr_tensor_unref (h);
  sr_tensor_unref (b);
  clReleaseCommandQueue (q);
  clReleaseKernel (k16);
  clReleaseKernel (k32);
}

/* A new runtime runs program `name`'s check. */
static void
run_program (const char *name)
{
  GError *error = NULL;
  SrRuntime *rt = sr_runtime_new (NULL, &error);
  g_assert_no_error (error);
  if (!strcmp (name, "usm"))
    check_usm (rt);
  else
    check_cast (rt);
  sr_runtime_unref (rt);
}

/* The entry of program `name`: with the cache emptied, the one file a
 * build writes. Its bytes in *data (g_free). */
static gchar *
entry_of (const char *name, gchar **data, gsize *len)
{
  gchar *dir = sr_program_cache_dir ();
  sr_test_rmtree (dir);
  run_program (name);
  GDir *d = g_dir_open (dir, 0, NULL);
  g_assert_nonnull (d);
  const char *file = g_dir_read_name (d);
  g_assert_nonnull (file);
  gchar *path = g_build_filename (dir, file, NULL);
  g_assert_null (g_dir_read_name (d));
  g_dir_close (d);
  g_free (dir);
  g_assert_true (g_file_get_contents (path, data, len, NULL));
  return path;
}

static guint64
inode_of (const char *path)
{
  GStatBuf st;
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  return st.st_ino;
}

/* The entry at path is valid by sr_runtime.h's layout, read here on its
 * own, and a new runtime uses it as it is (the file is not replaced). */
static void
assert_valid_entry (const char *path, const char *name)
{
  gchar *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  g_assert_cmpuint (len, >, ENTRY_HEADER);
  const guint8 *d = (const guint8 *) data;
  g_assert_cmpmem (d, 8, "GSTSRBIN", 8);
  guint32 version = 0, zero = 1;
  guint64 payload = 0;
  memcpy (&version, d + 8, 4);
  memcpy (&zero, d + 12, 4);
  memcpy (&payload, d + 16, 8);
  g_assert_cmpuint (GUINT32_FROM_LE (version), ==, 1);
  g_assert_cmpuint (zero, ==, 0);
  g_assert_cmpuint (GUINT64_FROM_LE (payload), ==, len - ENTRY_HEADER);
  /* The stored key is the digest the file is named after. */
  gchar *base = g_path_get_basename (path);
  g_assert_true (g_str_has_suffix (base, ".bin"));
  gchar *hex = g_strndup (base, strlen (base) - 4);
  GString *key = g_string_new (NULL);
  for (int i = 0; i < 32; i++)
    g_string_append_printf (key, "%02x", d[24 + i]);
  g_assert_cmpstr (key->str, ==, hex);
  gchar *sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256,
      d + ENTRY_HEADER, len - ENTRY_HEADER);
  g_string_truncate (key, 0);
  for (int i = 0; i < 32; i++)
    g_string_append_printf (key, "%02x", d[56 + i]);
  g_assert_cmpstr (key->str, ==, sum);
  g_free (sum);
  g_string_free (key, TRUE);
  g_free (hex);
  g_free (base);
  g_free (data);
  const guint64 ino = inode_of (path);
  run_program (name);
  g_assert_cmpuint (inode_of (path), ==, ino);
}

/* Writes bad bytes as program `name`'s entry; the next run must not use
 * them, must work, and must leave a valid entry in their place. */
static void
assert_recovers (const char *path, const char *name, const void *bad, gsize len)
{
  g_assert_true (g_file_set_contents (path, bad, len, NULL));
  run_program (name);
  gchar *now = NULL;
  gsize now_len = 0;
  g_assert_true (g_file_get_contents (path, &now, &now_len, NULL));
  g_assert_false (now_len == len && !memcmp (now, bad, len));
  g_free (now);
  assert_valid_entry (path, name);
}

static void
test_cache_fresh_entry (void)
{
  gchar *data;
  gsize len;
  gchar *path = entry_of ("usm", &data, &len);
  assert_valid_entry (path, "usm");
  g_free (data);
  g_free (path);
}

/* Cut at 0, inside the header, at the header's end (no binary) and inside
 * the binary: PoCL asserts on a truncated binary if it ever gets one. */
static void
test_cache_truncated (void)
{
  gchar *good;
  gsize len;
  gchar *path = entry_of ("usm", &good, &len);
  const gsize cuts[] = { 0, 1, 7, 8, 12, 16, 23, 24, 55, 56, ENTRY_HEADER - 1,
    ENTRY_HEADER, ENTRY_HEADER + 1, ENTRY_HEADER + 16, len / 4, len / 2,
    len - 100, len - 1 };
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++) {
    g_test_message ("truncated to %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT
        " bytes", cuts[i], len);
    assert_recovers (path, "usm", good, cuts[i]);
  }
  g_free (good);
  g_free (path);
}

/* One byte flipped in each header field and across the binary. */
static void
test_cache_flipped (void)
{
  gchar *good;
  gsize len;
  gchar *path = entry_of ("usm", &good, &len);
  const gsize at[] = { 0, 8, 12, 16, 23, 24, 55, 56, ENTRY_HEADER - 1,
    ENTRY_HEADER, ENTRY_HEADER + 3, len / 3, len / 2, len - 1 };
  for (guint i = 0; i < G_N_ELEMENTS (at); i++) {
    gchar *bad = g_memdup2 (good, len);
    bad[at[i]] ^= 0x40;
    g_test_message ("byte %" G_GSIZE_FORMAT " of %" G_GSIZE_FORMAT " flipped",
        at[i], len);
    assert_recovers (path, "usm", bad, len);
    g_free (bad);
  }
  g_free (good);
  g_free (path);
}

/* Two programs' entries exchanged (each file intact, under the other's
 * name): today's drivers load either without complaint. */
static void
test_cache_swapped (void)
{
  gchar *usm, *cast;
  gsize usm_len, cast_len;
  gchar *cast_path = entry_of ("cast", &cast, &cast_len);
  gchar *usm_path = entry_of ("usm", &usm, &usm_len);
  g_assert_true (g_file_set_contents (cast_path, usm, usm_len, NULL));
  assert_recovers (usm_path, "usm", cast, cast_len);
  /* cast's name still holds usm's entry (the run above only used usm). */
  gchar *held;
  gsize held_len;
  g_assert_true (g_file_get_contents (cast_path, &held, &held_len, NULL));
  g_assert_cmpmem (held, held_len, usm, usm_len);
  g_free (held);
  assert_recovers (cast_path, "cast", usm, usm_len);
  g_free (usm);
  g_free (cast);
  g_free (usm_path);
  g_free (cast_path);
}

/* An entry whose header is right for usm.cl (key, length, checksum) but
 * whose binary is cast.cl's: the missing kernels give it away. */
static void
test_cache_forged (void)
{
  gchar *usm, *cast;
  gsize usm_len, cast_len;
  gchar *cast_path = entry_of ("cast", &cast, &cast_len);
  gchar *usm_path = entry_of ("usm", &usm, &usm_len);
  const gsize payload = cast_len - ENTRY_HEADER;
  guint8 *forged = g_malloc (cast_len);
  memcpy (forged, usm, 24 + 32);                /* magic .. usm's key */
  const guint64 len_le = GUINT64_TO_LE ((guint64) payload);
  memcpy (forged + 16, &len_le, 8);
  memcpy (forged + ENTRY_HEADER, cast + ENTRY_HEADER, payload);
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = 32;
  g_checksum_update (sum, forged + ENTRY_HEADER, payload);
  g_checksum_get_digest (sum, forged + 56, &n);
  g_checksum_free (sum);
  assert_recovers (usm_path, "usm", forged, cast_len);
  g_free (forged);
  g_free (usm);
  g_free (cast);
  g_free (usm_path);
  g_free (cast_path);
}

/* Files that never were entries: random bytes, text, zeros, our magic
 * followed by noise, an old-style bare driver binary. */
static void
test_cache_garbage (void)
{
  gchar *good;
  gsize len;
  gchar *path = entry_of ("usm", &good, &len);
  GRand *rand = g_rand_new_with_seed (13);
  guint8 *noise = g_malloc (len);
  for (gsize i = 0; i < len; i++)
    noise[i] = (guint8) g_rand_int (rand);
  assert_recovers (path, "usm", noise, 4096);
  assert_recovers (path, "usm", noise, len);
  assert_recovers (path, "usm", "not a program\n", 14);
  guint8 *zeros = g_malloc0 (len);
  assert_recovers (path, "usm", zeros, len);
  memcpy (noise, "GSTSRBIN", 8);
  assert_recovers (path, "usm", noise, len);
  assert_recovers (path, "usm", good + ENTRY_HEADER, len - ENTRY_HEADER);
  g_free (zeros);
  g_free (noise);
  g_rand_free (rand);
  g_free (good);
  g_free (path);
}

/* A cache folder that cannot be created (a file holds its name) means no
 * caching, not a failure; once it can be, entries are written again. */
static void
test_cache_unwritable (void)
{
  gchar *dir = sr_program_cache_dir ();
  sr_test_rmtree (dir);
  g_assert_true (g_file_set_contents (dir, "in the way", -1, NULL));
  for (int i = 0; i < 2; i++) {
    run_program ("usm");
    run_program ("cast");
  }
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_REGULAR));
  g_assert_cmpint (g_unlink (dir), ==, 0);
  /* A folder without write permission (meaningless for root). */
  g_assert_cmpint (g_mkdir (dir, 0555), ==, 0);
  gchar *probe = g_build_filename (dir, "probe", NULL);
  if (g_file_set_contents (probe, "", 0, NULL)) {
    g_test_message ("running as root: the read-only folder case is not tested");
    g_unlink (probe);
  } else {
    run_program ("usm");
    g_assert_cmpuint (count_files (dir), ==, 0);
  }
  g_free (probe);
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  gchar *data;
  gsize len;
  gchar *path = entry_of ("usm", &data, &len);
  assert_valid_entry (path, "usm");
  g_free (data);
  g_free (path);
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
  cache_dir = sr_test_tmpdir ("sr-cache");
  override_dir = sr_test_tmpdir ("sr-kernels");
  g_setenv ("XDG_CACHE_HOME", cache_dir, TRUE);
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/runtime/status-names", test_status_names);
  g_test_add_func ("/runtime/device-specs", test_device_specs);
  g_test_add_func ("/runtime/program-cache", test_program_cache);
  g_test_add_func ("/runtime/tensor-pool", test_tensor_pool);
  g_test_add_func ("/runtime/cache-fresh-entry", test_cache_fresh_entry);
  g_test_add_func ("/runtime/cache-truncated", test_cache_truncated);
  g_test_add_func ("/runtime/cache-flipped", test_cache_flipped);
  g_test_add_func ("/runtime/cache-swapped", test_cache_swapped);
  g_test_add_func ("/runtime/cache-forged", test_cache_forged);
  g_test_add_func ("/runtime/cache-garbage", test_cache_garbage);
  g_test_add_func ("/runtime/cache-unwritable", test_cache_unwritable);
  /* These two set SR_KERNEL_PATH for the rest of the process. */
  g_setenv ("SR_KERNEL_PATH", override_dir, TRUE);
  g_test_add_func ("/runtime/kernel-path-override", test_kernel_path_override);
  g_test_add_func ("/runtime/build-failure-log", test_build_failure_log);
  const int ret = g_test_run ();
  sr_test_rmtree (cache_dir);
  sr_test_rmtree (override_dir);
  g_free (cache_dir);
  g_free (override_dir);
  return ret;
}
