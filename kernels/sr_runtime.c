#include "sr_runtime.h"
#include "sr_tensor.h"
#include "sr_cl_sources.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

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
  GHashTable *programs;       /* name -> cl_program, built once */
  SrTensorPool *pool;
};

static void
release_program (gpointer p)
{
  clReleaseProgram (p);
}

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
      release_program);

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

gboolean
sr_runtime_is_gpu (SrRuntime *rt)
{
  return (rt->device_type & CL_DEVICE_TYPE_GPU) != 0;
}

gboolean
sr_runtime_has_fp16 (SrRuntime *rt)
{
  size_t len = 0;
  if (clGetDeviceInfo (rt->device, CL_DEVICE_EXTENSIONS, 0, NULL, &len) != CL_SUCCESS)
    return FALSE;
  char *ext = g_malloc0 (len + 1);
  gboolean has = clGetDeviceInfo (rt->device, CL_DEVICE_EXTENSIONS, len, ext,
      NULL) == CL_SUCCESS && strstr (ext, "cl_khr_fp16") != NULL;
  g_free (ext);
  return has;
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

static char *
cache_path (SrRuntime *rt, const char *source)
{
  GChecksum *sum = g_checksum_new (G_CHECKSUM_SHA256);
  g_checksum_update (sum, (const guchar *) source, strlen (source) + 1);
  g_checksum_update (sum, (const guchar *) BUILD_OPTIONS, sizeof BUILD_OPTIONS);
  g_checksum_update (sum, (const guchar *) rt->cache_key_device,
      strlen (rt->cache_key_device));
  char *dir = sr_program_cache_dir ();
  char *file = g_strconcat (g_checksum_get_string (sum), ".bin", NULL);
  char *path = g_build_filename (dir, file, NULL);
  g_checksum_free (sum);
  g_free (dir);
  g_free (file);
  return path;
}

static cl_program
load_cached_binary (SrRuntime *rt, const char *path)
{
  char *data = NULL;
  gsize len = 0;
  if (!g_file_get_contents (path, &data, &len, NULL) || len == 0) {
    g_free (data);
    return NULL;
  }
  const unsigned char *bin = (const unsigned char *) data;
  size_t size = len;
  cl_int bin_status, err;
  cl_program prog = clCreateProgramWithBinary (rt->context, 1, &rt->device,
      &size, &bin, &bin_status, &err);
  g_free (data);
  if (!prog)
    return NULL;
  if (bin_status != CL_SUCCESS
      || clBuildProgram (prog, 1, &rt->device, BUILD_OPTIONS, NULL, NULL) != CL_SUCCESS) {
    clReleaseProgram (prog);    /* stale or foreign binary: rebuild from source */
    return NULL;
  }
  return prog;
}

/* Writes the binary atomically; a failure only costs a rebuild next time. */
static void
store_binary (cl_program prog, const char *path)
{
  size_t size = 0;
  if (clGetProgramInfo (prog, CL_PROGRAM_BINARY_SIZES, sizeof size, &size,
          NULL) != CL_SUCCESS || size == 0)
    return;
  unsigned char *bin = g_malloc (size);
  unsigned char *bins[1] = { bin };
  if (clGetProgramInfo (prog, CL_PROGRAM_BINARIES, sizeof bins, bins,
          NULL) == CL_SUCCESS) {
    char *dir = g_path_get_dirname (path);
    if (g_mkdir_with_parents (dir, 0755) == 0)
      g_file_set_contents (path, (const char *) bin, size, NULL);
    g_free (dir);
  }
  g_free (bin);
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

static cl_program
build_program (SrRuntime *rt, const char *name, GError **error)
{
  char *source = sr_program_source (name, error);
  if (!source)
    return NULL;
  char *path = cache_path (rt, source);
  cl_program prog = load_cached_binary (rt, path);
  if (!prog) {
    cl_int err;
    const char *src = source;
    prog = clCreateProgramWithSource (rt->context, 1, &src, NULL, &err);
    if (!prog) {
      sr_set_cl_error (error, err, "clCreateProgramWithSource");
    } else if ((err = clBuildProgram (prog, 1, &rt->device, BUILD_OPTIONS,
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
      store_binary (prog, path);
    }
  }
  g_free (path);
  g_free (source);
  return prog;
}

cl_kernel
sr_runtime_create_kernel (SrRuntime *rt, const char *program,
    const char *kernel, GError **error)
{
  g_mutex_lock (&rt->lock);
  cl_program prog = g_hash_table_lookup (rt->programs, program);
  if (!prog) {
    prog = build_program (rt, program, error);
    if (prog)
      g_hash_table_insert (rt->programs, g_strdup (program), prog);
  }
  g_mutex_unlock (&rt->lock);
  if (!prog)
    return NULL;
  cl_int err;
  cl_kernel k = clCreateKernel (prog, kernel, &err);
  if (!k) {
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
