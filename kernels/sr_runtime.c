/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Messages of the program cache go to this log domain. */
#define G_LOG_DOMAIN "gst-sr"

#include "sr_runtime.h"
#include "sr_tensor.h"
#include "sr_cl_sources.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

static void program_free (gpointer data);

struct SrRuntime {
  gint refcount;
  cl_platform_id platform;
  cl_device_id device;
  cl_context context;
  guint platform_index, device_index;
  cl_device_type device_type;
  char *description;
  char *cache_key_device;     /* device + driver + platform identity */
  GMutex lock;                /* guards programs */
  GHashTable *programs;       /* name -> Program, built once */
  SrTensorPool *pool;
};

#define MAX_PLATFORMS 16
#define MAX_DEVICES 32

static char *
get_platform_string (cl_platform_id p, cl_platform_info what)
{
  size_t n = 0;
  if (clGetPlatformInfo (p, what, 0, NULL, &n) != CL_SUCCESS || n == 0)
    return g_strdup ("?");
  char *s = g_malloc0 (n + 1);
  clGetPlatformInfo (p, what, n, s, NULL);
  return s;
}

static char *
get_device_string (cl_device_id d, cl_device_info what)
{
  size_t n = 0;
  if (clGetDeviceInfo (d, what, 0, NULL, &n) != CL_SUCCESS || n == 0)
    return g_strdup ("?");
  char *s = g_malloc0 (n + 1);
  clGetDeviceInfo (d, what, n, s, NULL);
  return s;
}

static const char *
device_type_name (cl_device_type t)
{
  if (t & CL_DEVICE_TYPE_GPU)
    return "GPU";
  if (t & CL_DEVICE_TYPE_CPU)
    return "CPU";
  if (t & CL_DEVICE_TYPE_ACCELERATOR)
    return "accelerator";
  return "other";
}

typedef struct {
  cl_platform_id platform;
  cl_device_id device;
  cl_device_type type;
  guint p, d;
} Candidate;

/* Lists every device of every platform, in platform then device order. */
static SrStatus
enumerate_devices (Candidate *out, guint *n_out, GError **error)
{
  cl_platform_id platforms[MAX_PLATFORMS];
  cl_uint n_platforms = 0;
  cl_int err = clGetPlatformIDs (MAX_PLATFORMS, platforms, &n_platforms);
  *n_out = 0;
  if (err == CL_PLATFORM_NOT_FOUND_KHR || (err == CL_SUCCESS && n_platforms == 0)) {
    g_set_error (error, SR_ERROR, SR_ERR_NO_PLATFORM,
        "No OpenCL platform found. Install pocl-opencl-icd (OpenCL on the "
        "CPU: apt-get install pocl-opencl-icd) or your GPU's OpenCL driver.");
    return SR_ERR_NO_PLATFORM;
  }
  if (err != CL_SUCCESS)
    return sr_set_cl_error (error, err, "clGetPlatformIDs");
  for (cl_uint p = 0; p < n_platforms && p < MAX_PLATFORMS; p++) {
    cl_device_id devices[MAX_DEVICES];
    cl_uint n_devices = 0;
    if (clGetDeviceIDs (platforms[p], CL_DEVICE_TYPE_ALL, MAX_DEVICES, devices,
            &n_devices) != CL_SUCCESS)
      continue;
    for (cl_uint d = 0; d < n_devices && d < MAX_DEVICES; d++) {
      if (*n_out >= MAX_PLATFORMS * MAX_DEVICES)
        break;
      Candidate *c = &out[(*n_out)++];
      c->platform = platforms[p];
      c->device = devices[d];
      c->p = p;
      c->d = d;
      clGetDeviceInfo (devices[d], CL_DEVICE_TYPE, sizeof c->type, &c->type, NULL);
    }
  }
  if (*n_out == 0) {
    g_set_error (error, SR_ERROR, SR_ERR_NO_PLATFORM,
        "OpenCL platforms exist but none has a device. Install "
        "pocl-opencl-icd (OpenCL on the CPU) or your GPU's OpenCL driver.");
    return SR_ERR_NO_PLATFORM;
  }
  return SR_OK;
}

static char *
list_devices (const Candidate *c, guint n)
{
  GString *s = g_string_new (NULL);
  for (guint i = 0; i < n; i++) {
    char *name = get_device_string (c[i].device, CL_DEVICE_NAME);
    g_string_append_printf (s, "%s%u:%u %s (%s)", i ? ", " : "", c[i].p, c[i].d,
        name, device_type_name (c[i].type));
    g_free (name);
  }
  return g_string_free (s, FALSE);
}

/* Parses "P:D"; returns FALSE if spec is not of that form. */
static gboolean
parse_index_spec (const char *spec, guint *p, guint *d)
{
  char *end = NULL;
  guint64 pv, dv;
  if (!g_ascii_isdigit (spec[0]))
    return FALSE;
  pv = g_ascii_strtoull (spec, &end, 10);
  if (*end != ':' || !g_ascii_isdigit (end[1]))
    return FALSE;
  dv = g_ascii_strtoull (end + 1, &end, 10);
  if (*end != '\0' || pv > G_MAXUINT || dv > G_MAXUINT)
    return FALSE;
  *p = (guint) pv;
  *d = (guint) dv;
  return TRUE;
}

gboolean
sr_runtime_spec_is_valid (const char *spec)
{
  guint p, d;
  return spec == NULL || !strcmp (spec, "auto") || !strcmp (spec, "cpu")
      || !strcmp (spec, "gpu") || parse_index_spec (spec, &p, &d);
}

static const Candidate *
choose_device (const Candidate *c, guint n, const char *spec, GError **error)
{
  guint p, d;
  if (spec == NULL || !strcmp (spec, "auto")) {
    for (guint i = 0; i < n; i++)
      if (c[i].type & CL_DEVICE_TYPE_GPU)
        return &c[i];
    for (guint i = 0; i < n; i++)
      if (c[i].type & CL_DEVICE_TYPE_CPU)
        return &c[i];
    return &c[0];
  }
  if (!strcmp (spec, "gpu") || !strcmp (spec, "cpu")) {
    cl_device_type want = spec[0] == 'g' ? CL_DEVICE_TYPE_GPU : CL_DEVICE_TYPE_CPU;
    for (guint i = 0; i < n; i++)
      if (c[i].type & want)
        return &c[i];
  } else if (parse_index_spec (spec, &p, &d)) {
    for (guint i = 0; i < n; i++)
      if (c[i].p == p && c[i].d == d)
        return &c[i];
  } else {
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "Invalid device \"%s\": use auto, cpu, gpu or P:D (platform:device)",
        spec);
    return NULL;
  }
  char *all = list_devices (c, n);
  g_set_error (error, SR_ERROR, SR_ERR_NO_DEVICE,
      "No OpenCL device matches \"%s\"; available: %s", spec, all);
  g_free (all);
  return NULL;
}

SrRuntime *
sr_runtime_new (const char *device_spec, GError **error)
{
  Candidate cands[MAX_PLATFORMS * MAX_DEVICES];
  guint n = 0;
  if (enumerate_devices (cands, &n, error) != SR_OK)
    return NULL;
  const Candidate *c = choose_device (cands, n, device_spec, error);
  if (!c)
    return NULL;

  cl_int err;
  cl_context_properties props[] = {
    CL_CONTEXT_PLATFORM, (cl_context_properties) c->platform, 0
  };
  cl_context ctx = clCreateContext (props, 1, &c->device, NULL, NULL, &err);
  if (!ctx) {
    sr_set_cl_error (error, err, "clCreateContext");
    return NULL;
  }

  SrRuntime *rt = g_new0 (SrRuntime, 1);
  rt->refcount = 1;
  rt->platform = c->platform;
  rt->device = c->device;
  rt->device_type = c->type;
  rt->platform_index = c->p;
  rt->device_index = c->d;
  rt->context = ctx;
  g_mutex_init (&rt->lock);
  rt->programs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      program_free);

  char *dname = get_device_string (c->device, CL_DEVICE_NAME);
  char *dver = get_device_string (c->device, CL_DEVICE_VERSION);
  char *drv = get_device_string (c->device, CL_DRIVER_VERSION);
  char *pname = get_platform_string (c->platform, CL_PLATFORM_NAME);
  char *pver = get_platform_string (c->platform, CL_PLATFORM_VERSION);
  rt->description = g_strdup_printf ("%u:%u %s (%s, %s, %s)", c->p, c->d, dname,
      device_type_name (c->type), pname, pver);
  rt->cache_key_device = g_strdup_printf ("%s\n%s\n%s\n%s\n%s", dname, dver,
      drv, pname, pver);
  g_free (dname);
  g_free (dver);
  g_free (drv);
  g_free (pname);
  g_free (pver);
  rt->pool = sr_tensor_pool_new (rt);
  return rt;
}

SrRuntime *
sr_runtime_ref (SrRuntime *rt)
{
  g_atomic_int_inc (&rt->refcount);
  return rt;
}

void
sr_runtime_unref (SrRuntime *rt)
{
  if (!rt || !g_atomic_int_dec_and_test (&rt->refcount))
    return;
  sr_tensor_pool_free (rt->pool);
  g_hash_table_destroy (rt->programs);
  g_mutex_clear (&rt->lock);
  clReleaseContext (rt->context);
  g_free (rt->description);
  g_free (rt->cache_key_device);
  g_free (rt);
}

gboolean
sr_runtime_matches_spec (SrRuntime *rt, const char *spec)
{
  guint p, d;
  if (spec == NULL || !strcmp (spec, "auto"))
    return TRUE;
  if (!strcmp (spec, "gpu"))
    return (rt->device_type & CL_DEVICE_TYPE_GPU) != 0;
  if (!strcmp (spec, "cpu"))
    return (rt->device_type & CL_DEVICE_TYPE_CPU) != 0;
  if (parse_index_spec (spec, &p, &d))
    return p == rt->platform_index && d == rt->device_index;
  return FALSE;
}

const char *
sr_runtime_describe (SrRuntime *rt)
{
  return rt->description;
}

const char *
sr_runtime_device_key (SrRuntime *rt)
{
  return rt->cache_key_device;
}

gboolean
sr_runtime_is_gpu (SrRuntime *rt)
{
  return (rt->device_type & CL_DEVICE_TYPE_GPU) != 0;
}

static gboolean
has_extension (SrRuntime *rt, const char *name)
{
  size_t len = 0;
  if (clGetDeviceInfo (rt->device, CL_DEVICE_EXTENSIONS, 0, NULL, &len) != CL_SUCCESS)
    return FALSE;
  char *ext = g_malloc0 (len + 1);
  gboolean has = FALSE;
  if (clGetDeviceInfo (rt->device, CL_DEVICE_EXTENSIONS, len, ext, NULL)
      == CL_SUCCESS) {
    char **names = g_strsplit (ext, " ", -1);
    has = g_strv_contains ((const char *const *) names, name);
    g_strfreev (names);
  }
  g_free (ext);
  return has;
}

gboolean
sr_runtime_has_fp16 (SrRuntime *rt)
{
  return has_extension (rt, "cl_khr_fp16");
}

gboolean
sr_runtime_has_fp64 (SrRuntime *rt)
{
  return has_extension (rt, "cl_khr_fp64");
}

cl_context
sr_runtime_context (SrRuntime *rt)
{
  return rt->context;
}

cl_device_id
sr_runtime_device (SrRuntime *rt)
{
  return rt->device;
}

SrTensorPool *
sr_runtime_pool (SrRuntime *rt)
{
  return rt->pool;
}

cl_command_queue
sr_runtime_create_queue (SrRuntime *rt, GError **error)
{
  cl_int err;
  cl_command_queue q = clCreateCommandQueue (rt->context, rt->device, 0, &err);
  if (!q)
    sr_set_cl_error (error, err, "clCreateCommandQueue");
  return q;
}

/* ---- program sources ---------------------------------------------------- */

static char *
load_raw_source (const char *file, GError **error)
{
  const char *dir = g_getenv ("SR_KERNEL_PATH");
  if (dir && *dir) {
    char *path = g_build_filename (dir, file, NULL);
    char *text = NULL;
    gboolean ok = g_file_get_contents (path, &text, NULL, NULL);
    g_free (path);
    if (ok)
      return text;
    /* Fall through: SR_KERNEL_PATH overrides only the files it holds. */
  }
  for (const SrEmbeddedSource *s = sr_embedded_sources; s->name; s++)
    if (!strcmp (s->name, file))
      return g_strdup (s->source);
  g_set_error (error, SR_ERROR, SR_ERR_KERNEL_NOT_FOUND,
      "No OpenCL source \"%s\" (neither embedded nor in SR_KERNEL_PATH)", file);
  return NULL;
}

/* Expands lines of the form #include "name.clh" from our own sources, so
 * that embedded programs need no include path on the device compiler. */
static gboolean
expand_includes (GString *out, const char *file, int depth, GError **error)
{
  if (depth > 8) {
    g_set_error (error, SR_ERROR, SR_ERR_BUILD_FAILED,
        "#include nesting too deep at %s", file);
    return FALSE;
  }
  char *text = load_raw_source (file, error);
  if (!text)
    return FALSE;
  gboolean ok = TRUE;
  char **lines = g_strsplit (text, "\n", -1);
  for (char **l = lines; *l && ok; l++) {
    const char *p = *l;
    while (*p == ' ' || *p == '\t')
      p++;
    if (g_str_has_prefix (p, "#include \"")) {
      const char *start = p + strlen ("#include \"");
      const char *end = strchr (start, '"');
      if (end) {
        char *inc = g_strndup (start, end - start);
        ok = expand_includes (out, inc, depth + 1, error);
        g_free (inc);
        continue;
      }
    }
    g_string_append (out, *l);
    g_string_append_c (out, '\n');
  }
  g_strfreev (lines);
  g_free (text);
  return ok;
}

char *
sr_program_source (const char *name, GError **error)
{
  char *file = g_strconcat (name, ".cl", NULL);
  GString *out = g_string_new (NULL);
  gboolean ok = expand_includes (out, file, 0, error);
  g_free (file);
  return g_string_free (out, !ok);
}

/* ---- program binaries cached on disk ------------------------------------ */

#define BUILD_OPTIONS "-cl-std=CL1.2"

char *
sr_program_cache_dir (void)
{
  return g_build_filename (g_get_user_cache_dir (), "gst-sr", NULL);
}

/* A cache entry is our header, then the driver's binary (the payload; the
 * layout is in sr_runtime.h). Drivers do not survive bad binaries (PoCL's
 * pocl_binary_deserialize asserts on a truncated one), so nothing reaches
 * clCreateProgramWithBinary before length and checksum match; the stored
 * key catches a file copied onto another entry's name. Any mismatch or
 * load failure drops the entry and the program is compiled again. */
#define CACHE_MAGIC "GSTSRBIN"
#define CACHE_VERSION 1
#define DIGEST_LEN 32
#define HEADER_LEN (24 + 2 * DIGEST_LEN)

typedef struct {
  cl_program prog;
  char *path;                   /* its cache entry */
  gboolean from_cache;          /* loaded from path rather than compiled */
} Program;

static void
program_free (gpointer data)
{
  Program *p = data;
  clReleaseProgram (p->prog);
  g_free (p->path);
  g_free (p);
}

static void
sha256 (const void *data, gsize len, guint8 out[DIGEST_LEN])
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = DIGEST_LEN;
  g_checksum_update (sum, data, len);
  g_checksum_get_digest (sum, out, &n);
  g_checksum_free (sum);
}

/* The entry's key and path (g_free). */
static char *
cache_key (SrRuntime *rt, const char *source, const char *options,
    guint8 key[DIGEST_LEN])
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  gsize n = DIGEST_LEN;
  g_checksum_update (sum, (const guchar *) source, strlen (source) + 1);
  g_checksum_update (sum, (const guchar *) options, strlen (options) + 1);
  g_checksum_update (sum, (const guchar *) rt->cache_key_device,
      strlen (rt->cache_key_device));
  char *dir = sr_program_cache_dir ();
  char *file = g_strconcat (g_checksum_get_string (sum), ".bin", NULL);
  char *path = g_build_filename (dir, file, NULL);
  g_checksum_get_digest (sum, key, &n);
  g_checksum_free (sum);
  g_free (dir);
  g_free (file);
  return path;
}

static void
drop_entry (const char *path, const char *why)
{
  g_debug ("dropping cached program %s (%s); building from source",
      path, why);
  if (g_unlink (path) != 0 && errno != ENOENT)
    g_debug ("cannot remove %s: %s", path, g_strerror (errno));
}

/* Why the entry data[0..len) is not a valid entry for key, or NULL. */
static const char *
check_entry (const guint8 *data, gsize len, const guint8 key[DIGEST_LEN])
{
  guint32 version, reserved;
  guint64 payload_len;
  guint8 sum[DIGEST_LEN];
  if (len < HEADER_LEN || memcmp (data, CACHE_MAGIC, 8))
    return "not an entry of ours";
  memcpy (&version, data + 8, 4);
  memcpy (&reserved, data + 12, 4);
  if (GUINT32_FROM_LE (version) != CACHE_VERSION || reserved != 0)
    return "another format version";
  memcpy (&payload_len, data + 16, 8);
  if (GUINT64_FROM_LE (payload_len) != len - HEADER_LEN || len == HEADER_LEN)
    return "wrong length (truncated?)";
  if (memcmp (data + 24, key, DIGEST_LEN))
    return "stored under another key";
  sha256 (data + HEADER_LEN, len - HEADER_LEN, sum);
  if (memcmp (data + 24 + DIGEST_LEN, sum, DIGEST_LEN))
    return "checksum mismatch";
  return NULL;
}

static cl_program
load_cached_binary (SrRuntime *rt, const char *path, const char *options,
    const guint8 key[DIGEST_LEN])
{
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;                /* no entry yet (or unreadable: rebuilt) */
  const char *why = check_entry ((const guint8 *) data, len, key);
  cl_program prog = NULL;
  if (!why) {
    const unsigned char *bin = (const unsigned char *) data + HEADER_LEN;
    size_t size = len - HEADER_LEN;
    cl_int bin_status = CL_SUCCESS, err;
    prog = clCreateProgramWithBinary (rt->context, 1, &rt->device, &size, &bin,
        &bin_status, &err);
    if (!prog || bin_status != CL_SUCCESS)
      why = "the driver refused the binary";
    else if (clBuildProgram (prog, 1, &rt->device, options, NULL,
            NULL) != CL_SUCCESS)
      why = "the driver could not build the binary";
  }
  g_free (data);
  if (why) {
    if (prog)
      clReleaseProgram (prog);
    drop_entry (path, why);
    return NULL;
  }
  return prog;
}

/* Writes the entry atomically (g_file_set_contents: a temporary file in the
 * same folder, then rename). A failure only costs a build next time; an
 * unwritable cache is said once per process. */
static void
store_binary (cl_program prog, const char *path, const guint8 key[DIGEST_LEN])
{
  static gint said;
  size_t size = 0;
  if (clGetProgramInfo (prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size,
          NULL) != CL_SUCCESS || size == 0)
    return;
  guint8 *entry = g_malloc (HEADER_LEN + size);
  unsigned char *bins[1] = { entry + HEADER_LEN };
  if (clGetProgramInfo (prog, CL_PROGRAM_BINARIES, sizeof bins, bins,
          NULL) != CL_SUCCESS) {
    g_free (entry);
    return;
  }
  const guint32 version = GUINT32_TO_LE (CACHE_VERSION), reserved = 0;
  const guint64 payload_len = GUINT64_TO_LE ((guint64) size);
  memcpy (entry, CACHE_MAGIC, 8);
  memcpy (entry + 8, &version, 4);
  memcpy (entry + 12, &reserved, 4);
  memcpy (entry + 16, &payload_len, 8);
  memcpy (entry + 24, key, DIGEST_LEN);
  sha256 (entry + HEADER_LEN, size, entry + 24 + DIGEST_LEN);

  GError *e = NULL;
  char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0755) != 0)
    g_set_error (&e, G_FILE_ERROR, g_file_error_from_errno (errno), "%s: %s",
        dir, g_strerror (errno));
  else
    g_file_set_contents (path, (const char *) entry, HEADER_LEN + size, &e);
  if (e) {
    if (g_atomic_int_compare_and_exchange (&said, 0, 1))
      g_message ("OpenCL programs are not cached (%s); each run "
          "compiles them again", e->message);
    else
      g_debug ("not cached: %s", e->message);
    g_error_free (e);
  }
  g_free (dir);
  g_free (entry);
}

static char *
build_log (cl_program prog, cl_device_id dev)
{
  size_t n = 0;
  clGetProgramBuildInfo (prog, dev, CL_PROGRAM_BUILD_LOG, 0, NULL, &n);
  char *log = g_malloc0 (n + 1);
  if (n)
    clGetProgramBuildInfo (prog, dev, CL_PROGRAM_BUILD_LOG, n, log, NULL);
  return log;
}

/* Program `name` built with BUILD_OPTIONS and `extra` (NULL or options
 * such as "-DOCB=16"), from its cache entry when use_cache and the entry is
 * sound, else compiled from source (and stored). */
static Program *
build_program (SrRuntime *rt, const char *name, const char *extra,
    gboolean use_cache, GError **error)
{
  char *source = sr_program_source (name, error);
  if (!source)
    return NULL;
  guint8 key[DIGEST_LEN];
  char *options = extra && *extra ? g_strconcat (BUILD_OPTIONS, " ", extra,
      NULL) : g_strdup (BUILD_OPTIONS);
  char *path = cache_key (rt, source, options, key);
  cl_program prog = use_cache ? load_cached_binary (rt, path, options, key)
      : NULL;
  const gboolean from_cache = prog != NULL;
  if (!prog) {
    cl_int err;
    const char *src = source;
    prog = clCreateProgramWithSource (rt->context, 1, &src, NULL, &err);
    if (!prog) {
      sr_set_cl_error (error, err, "clCreateProgramWithSource");
    } else if ((err = clBuildProgram (prog, 1, &rt->device, options,
                NULL, NULL)) != CL_SUCCESS) {
      char *log = build_log (prog, rt->device);
      g_printerr ("gst-sr: OpenCL build of %s.cl failed:\n%s\n", name, log);
      g_set_error (error, SR_ERROR, SR_ERR_BUILD_FAILED,
          "Building OpenCL program %s.cl failed (%s):\n%s", name,
          sr_cl_error_name (err), log);
      g_free (log);
      clReleaseProgram (prog);
      prog = NULL;
    } else {
      store_binary (prog, path, key);
    }
  }
  g_free (source);
  g_free (options);
  if (!prog) {
    g_free (path);
    return NULL;
  }
  Program *p = g_new0 (Program, 1);
  p->prog = prog;
  p->path = path;
  p->from_cache = from_cache;
  return p;
}

cl_kernel
sr_runtime_create_kernel (SrRuntime *rt, const char *program,
    const char *kernel, GError **error)
{
  return sr_runtime_create_kernel_with_options (rt, program, NULL, kernel,
      error);
}

cl_kernel
sr_runtime_create_kernel_with_options (SrRuntime *rt, const char *program,
    const char *options, const char *kernel, GError **error)
{
  cl_int err = CL_SUCCESS;
  cl_kernel k = NULL;
  /* One program per (name, options): the table's key joins them. */
  char *id = options && *options ? g_strconcat (program, "\n", options, NULL)
      : g_strdup (program);
  g_mutex_lock (&rt->lock);
  Program *p = g_hash_table_lookup (rt->programs, id);
  if (!p && (p = build_program (rt, program, options, TRUE, error)))
    g_hash_table_insert (rt->programs, g_strdup (id), p);
  if (p) {
    k = clCreateKernel (p->prog, kernel, &err);
    if (!k && err == CL_INVALID_KERNEL_NAME && p->from_cache) {
      /* A verified entry without a kernel of its source: not the binary
       * its key names after all. Compile; the kernel's absence from the
       * source itself is then reported below. */
      drop_entry (p->path, "a kernel is missing");
      if ((p = build_program (rt, program, options, FALSE, error))) {
        g_hash_table_replace (rt->programs, g_strdup (id), p);
        k = clCreateKernel (p->prog, kernel, &err);
      } else {
        g_hash_table_remove (rt->programs, id);
      }
    }
  }
  g_mutex_unlock (&rt->lock);
  g_free (id);
  if (!k && p) {
    SrStatus st = sr_status_from_cl (err);
    g_set_error (error, SR_ERROR, st, "No kernel \"%s\" in %s.cl: %s", kernel,
        program, sr_cl_error_name (err));
  }
  return k;
}

/* PoCL generates code per kernel and per work-group size, 30 ms to a second
 * each time. With a driver-chosen local size every new frame size (the
 * random resizes) meant new code, so launches use one fixed local size: the
 * bulk of dimension 0 in groups of SR_LOCAL_X, and the remainder, if any, as
 * a second launch at a global offset with groups of 1. Each kernel thus
 * compiles at most twice, ever (the code is cached on disk). */
#define SR_LOCAL_X 16

SrStatus
sr_enqueue (cl_command_queue queue, cl_kernel kernel, cl_uint dims,
    const size_t *global)
{
  size_t g[3] = { 0, 1, 1 }, offset[3] = { 0, 0, 0 };
  size_t local[3] = { SR_LOCAL_X, 1, 1 };
  const size_t one[3] = { 1, 1, 1 };
  if (dims < 1 || dims > 3)
    return SR_ERR_INVALID_WORK_SIZE;
  for (cl_uint i = 0; i < dims; i++) {
    if (global[i] == 0)
      return SR_OK;             /* empty range: nothing to do */
    g[i] = global[i];
  }
  const size_t bulk = global[0] / SR_LOCAL_X * SR_LOCAL_X;
  cl_int err = CL_SUCCESS;
  if (bulk) {
    g[0] = bulk;
    err = clEnqueueNDRangeKernel (queue, kernel, dims, NULL, g, local, 0, NULL,
        NULL);
  }
  if (err == CL_SUCCESS && global[0] > bulk) {
    offset[0] = bulk;
    g[0] = global[0] - bulk;
    err = clEnqueueNDRangeKernel (queue, kernel, dims, offset, g, one, 0, NULL,
        NULL);
  }
  return sr_status_from_cl (err);
}
