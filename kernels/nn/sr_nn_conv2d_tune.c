/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The convolution engine's choice of strategy and blocking, measured.
 *
 * Which kernel is fastest depends on the layer and on the machine (an
 * AVX-512 host runs 64->64 3x3 best with 32 channels x 6 pixels, an AVX2
 * host spills at that size and wants 16 x 4), and our machines change. So
 * the first time a layer shape is seen on a device, every candidate runs
 * on a stand-in input of that layer's channels and the fastest is kept;
 * the choice goes into a small text file per device beside the program
 * binaries, where later processes look it up instead of measuring again.
 *
 * The file (one per device: the name carries a digest of the device,
 * driver and platform names and versions):
 *
 *   # gst-sr conv2d tuning 2 <TAB> <device description>
 *   # <key> <TAB> measured <TAB> direct:16x4=3.10 direct:32x6=2.20 ...
 *   <key> <TAB> <strategy> <TAB> <ocb> <TAB> <px> <TAB> <ms>
 *
 * Lines are appended whole with one write (processes tuning at the same
 * time add lines, never tear them); the last valid line of a key wins;
 * lines that do not parse or name a choice the kernels refuse are ignored,
 * and a file with another header is replaced. Removing it is always
 * safe: the layers are measured again. */
#include "sr_nn_conv2d.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

#define TUNING_FORMAT 2
#define TUNING_MAX_BYTES (4 << 20)
/* The stand-in input's size: at least TUNING_BYTES of input and output,
 * about what a 480x270 frame of a 64-channel layer moves (at a third of
 * that, 102 rows, Winograd's 64 x 3 and 64 x 4 blockings measured equal;
 * on the whole frame 64 x 3 runs in 23.0 ms and 64 x 4 in 31.4); at most
 * TUNING_MACS of work per call (some 30 ms on a CPU device: tuning a
 * network's few layer shapes takes seconds). */
#define TUNING_BYTES ((gint64) 64 << 20)
#define TUNING_MACS ((gint64) 1 << 33)
/* Not a power of two: with rows of 512 floats the Winograd kernel's six
 * input rows fall on the same cache sets, and 64 x 3 ran at half the
 * speed it has on 480-wide frames (13.0 against 7.0 ms for 64 x 4 at
 * 512x96, 17.0 against 20.9 at 480x195). */
#define TUNING_WIDTH 480
#define TUNING_RUNS 5
#define MAX_CANDIDATES 32

/* One tuning at a time in a process: candidates measured side by side
 * would slow each other down. */
static GMutex tuning_lock;

char *
sr_nn_conv2d_tuning_path (SrRuntime *rt)
{
  char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
      sr_runtime_device_key (rt), -1);
  char *dir = sr_program_cache_dir ();
  char *name = g_strdup_printf ("conv2d-tuning-%.16s.tsv", digest);
  char *path = g_build_filename (dir, name, NULL);
  g_free (name);
  g_free (dir);
  g_free (digest);
  return path;
}

static char *
header_line (SrRuntime *rt)
{
  return g_strdup_printf ("# gst-sr conv2d tuning %d\t%s\n", TUNING_FORMAT,
      sr_runtime_describe (rt));
}

/* What sets a layer's cost per pixel (the activation hardly does: one
 * vector operation per accumulator, against cin * kh * kw FMAs), and which
 * candidates were measured: a build that offers other ones measures
 * again; and the stand-in size it was measured on, for the same reason. */
static void tuning_size (const SrNnConv2dParams *p, int *h, int *w);

static char *
layer_key (const SrNnConv2dParams *p, const SrNnConv2dChoice *cand, int n)
{
  GString *names = g_string_new (NULL);
  for (int i = 0; i < n; i++)
    g_string_append_printf (names, "%s:%dx%d ",
        sr_nn_conv2d_strategy_name (cand[i].strategy), cand[i].ocb,
        cand[i].px);
  char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
      names->str, -1);
  int h, w;
  tuning_size (p, &h, &w);
  /* Layers reading or writing blocked views are measured apart (NCHW
   * ones keep the keys they had before that layout existed). */
  const char *layout = !p->in_blocked && !p->out_blocked ? ""
      : p->in_blocked && p->out_blocked ? ",layout=c16>c16"
      : p->in_blocked ? ",layout=c16>nchw" : ",layout=nchw>c16";
  /* Half storage likewise. */
  const char *storage = p->storage == SR_DTYPE_F16 ? ",storage=f16" : "";
  char *key = g_strdup_printf ("cin=%d,cout=%d,k=%dx%d,s=%dx%d,"
      "pad=%d.%d.%d.%d%s%s,on=%dx%d,candidates=%.8s", p->cin, p->cout, p->kh,
      p->kw, p->stride_h, p->stride_w, p->pad_top, p->pad_bottom, p->pad_left,
      p->pad_right, layout, storage, w, h, digest);
  g_free (digest);
  g_string_free (names, TRUE);
  return key;
}

static gboolean
parse_int (const char *s, int *v)
{
  char *end;
  errno = 0;
  const long x = strtol (s, &end, 10);
  if (errno || end == s || *end || x < 0 || x > 1024)
    return FALSE;
  *v = x;
  return TRUE;
}

/* Calls accept on the fields of each line of the file whose first field is
 * key, last line first, until it returns TRUE; TRUE when one did. The file
 * is dropped when it is not ours (another header, too large, unreadable as
 * text). */
static gboolean
scan (SrRuntime *rt, const char *path, const char *key,
    gboolean (*accept) (char **fields, gpointer data), gpointer data)
{
  char *text = NULL;
  gsize len = 0;
  gboolean found = FALSE;
  if (!g_file_get_contents (path, &text, &len, NULL))
    return FALSE;
  char *header = header_line (rt);
  if (len > TUNING_MAX_BYTES || !g_str_has_prefix (text, header)
      || memchr (text, '\0', len)) {
    g_debug ("conv2d tuning: dropping %s (not this device's file of format "
        "%d)", path, TUNING_FORMAT);
    g_unlink (path);
  } else {
    char **lines = g_strsplit (text, "\n", -1);
    for (int i = g_strv_length (lines) - 1; i >= 0 && !found; i--) {
      char **f = g_strsplit (lines[i], "\t", -1);
      found = f[0] && !strcmp (f[0], key) && accept (f, data);
      g_strfreev (f);
    }
    g_strfreev (lines);
  }
  g_free (header);
  g_free (text);
  return found;
}

static gboolean
accept_choice (char **f, gpointer data)
{
  SrNnConv2dChoice c;
  if (g_strv_length (f) != 5
      || !sr_nn_conv2d_strategy_from_name (f[1], &c.strategy)
      || c.strategy == SR_NN_CONV2D_AUTO || !parse_int (f[2], &c.ocb)
      || !parse_int (f[3], &c.px))
    return FALSE;
  *(SrNnConv2dChoice *) data = c;
  return TRUE;
}

/* The choice the file holds for key, if any. */
static gboolean
look_up (SrRuntime *rt, const char *path, const char *key,
    SrNnConv2dChoice *choice)
{
  return scan (rt, path, key, accept_choice, choice);
}

static gboolean
accept_value (char **f, gpointer data)
{
  if (g_strv_length (f) != 2 || !*f[1])
    return FALSE;
  *(char **) data = g_strdup (f[1]);
  return TRUE;
}

/* Appends text to the file (created with its header when missing). A
 * cache that cannot be written only costs the next process a measurement. */
static void
remember (SrRuntime *rt, const char *path, const char *text)
{
  char *dir = g_path_get_dirname (path);
  int fd = -1;
  if (g_mkdir_with_parents (dir, 0755) == 0)
    fd = g_open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    g_debug ("conv2d tuning: cannot write %s: %s", path, g_strerror (errno));
    g_free (dir);
    return;
  }
  GString *s = g_string_new (NULL);
  struct stat st;
  const off_t size = fstat (fd, &st) == 0 ? st.st_size : 0;
  char last = '\n';
  if (size == 0) {
    char *header = header_line (rt);
    g_string_append (s, header);
    g_free (header);
  } else if (pread (fd, &last, 1, size - 1) == 1 && last != '\n') {
    /* A line torn by a killed writer ends here: start a new one. */
    g_string_append_c (s, '\n');
  }
  g_string_append (s, text);
  if (write (fd, s->str, s->len) != (ssize_t) s->len)
    g_debug ("conv2d tuning: cannot write %s: %s", path, g_strerror (errno));
  close (fd);
  g_string_free (s, TRUE);
  g_free (dir);
}

static int
cmp_double (const void *a, const void *b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Milliseconds of one call of op on in -> out; negative when it fails. */
static double
time_call (SrNnConv2d *op, cl_command_queue q, SrView in, SrView out)
{
  const gint64 t0 = g_get_monotonic_time ();
  if (sr_nn_conv2d_run (op, q, in, out, NULL) != SR_OK
      || clFinish (q) != CL_SUCCESS)
    return -1;
  return (g_get_monotonic_time () - t0) / 1000.0;
}

/* The stand-in input: the layer's channels, TUNING_WIDTH columns and
 * enough rows that input and output outgrow the CPU caches, as a frame's
 * do (measured in cache, esrgan-medium's 64->64 layers chose a Winograd
 * blocking that ran at 40.7 ms per 480x270 frame against 23.0 for the one
 * that wins out of cache), but never so few that the rows along the zero
 * padding (the kernels' slower border paths) are more than a quarter of
 * them, and no more than TUNING_MACS of work per call. */
static void
tuning_size (const SrNnConv2dParams *p, int *h, int *w)
{
  const gint64 ow = TUNING_WIDTH / p->stride_w;
  const gint64 bytes_per_row = (gint64) (p->cin + p->cout) * TUNING_WIDTH
      * sizeof (float);
  const gint64 macs_per_row = (gint64) p->cin * p->cout * p->kh * p->kw * ow;
  const int border = MAX (p->pad_top + p->pad_bottom, 2);
  gint64 rows = MAX (TUNING_BYTES / bytes_per_row, 4 * border);
  rows = MIN (rows, MAX (TUNING_MACS / MAX (macs_per_row, 1), 4 * border));
  rows = MIN (rows, 512);
  *w = TUNING_WIDTH;
  *h = MAX ((int) rows * p->stride_h, p->kh);
}

/* Measures every candidate; returns the fastest op built (NULL and error
 * when none runs) and appends the record to the cache. */
static SrNnConv2d *
measure (SrRuntime *rt, const SrNnConv2dParams *p, const float *weight,
    const float *bias, const float *prelu, const SrNnConv2dChoice *cand,
    int n, const char *path, const char *key, GError **error)
{
  GError *err = NULL;
  int h, w, oh, ow;
  tuning_size (p, &h, &w);
  sr_nn_conv2d_out_size (p, h, w, &oh, &ow);
  cl_command_queue q = sr_runtime_create_queue (rt, error);
  if (!q)
    return NULL;
  SrTensor *in = sr_tensor_new (rt, 1, p->cin, h, w, p->storage, &err);
  SrTensor *out = in ? sr_tensor_new (rt, 1, p->cout, oh, ow, p->storage,
      &err) : NULL;
  if (out) {
    /* Values like a network's activations: the time of a float FMA does
     * not depend on them, but denormals would. Half: the bits of
     * +-[0.25, 0.5). */
    const size_t n = sr_tensor_numel (in);
    void *host = g_malloc (in->bytes);
    for (size_t i = 0; i < n; i++) {
      const size_t r = i * 2654435761u;
      if (p->storage == SR_DTYPE_F16)
        ((guint16 *) host)[i] = 0x3400 | (r % 1024) | (i & 1 ? 0x8000 : 0);
      else
        ((float *) host)[i] = (float) (r % 1000) / 1000.0f - 0.5f;
    }
    const SrStatus st = sr_tensor_write (q, in, host);
    g_free (host);
    if (st != SR_OK)
      g_set_error (&err, SR_ERROR, st, "conv2d tuning: input upload: %s",
          sr_status_name (st));
  }
  /* Every candidate built and run once (the first call generates the
   * code for the launch size), then timed in rounds, one call each per
   * round: a change in the machine's load hits all of them alike. After
   * two rounds the clearly slower ones (2x the best) drop out. */
  GString *record = g_string_new (NULL);
  g_string_append_printf (record, "# %s\tmeasured %dx%d", key, w, h);
  SrNnConv2d **op = g_new0 (SrNnConv2d *, n);
  double *ms = g_new0 (double, (gsize) n * TUNING_RUNS);
  int *runs = g_new0 (int, n);
  for (int i = 0; !err && i < n; i++) {
    GError *cand_error = NULL;
    op[i] = sr_nn_conv2d_new_with (rt, p, weight, bias, prelu,
        cand[i].strategy, cand[i].ocb, cand[i].px, &cand_error);
    if (op[i] && time_call (op[i], q, sr_view (in), sr_view (out)) < 0)
      g_clear_pointer (&op[i], sr_nn_conv2d_free);
    if (!op[i])
      g_debug ("conv2d tuning: %s %dx%d for %s failed: %s",
          sr_nn_conv2d_strategy_name (cand[i].strategy), cand[i].ocb,
          cand[i].px, key, cand_error ? cand_error->message : "run failed");
    g_clear_error (&cand_error);
  }
  for (int r = 0; !err && r < TUNING_RUNS; r++) {
    for (int i = 0; i < n; i++) {
      const double t = op[i] ? time_call (op[i], q, sr_view (in),
          sr_view (out)) : 0;
      if (t < 0)
        g_clear_pointer (&op[i], sr_nn_conv2d_free);
      else if (op[i])
        ms[i * TUNING_RUNS + runs[i]++] = t;
    }
    if (r == 1) {
      double fastest = G_MAXDOUBLE;
      for (int i = 0; i < n; i++)
        if (op[i])
          fastest = MIN (fastest, MIN (ms[i * TUNING_RUNS],
                  ms[i * TUNING_RUNS + 1]));
      for (int i = 0; i < n; i++)
        if (op[i] && MIN (ms[i * TUNING_RUNS], ms[i * TUNING_RUNS + 1])
            > 2 * fastest)
          g_clear_pointer (&op[i], sr_nn_conv2d_free);
    }
  }
  int best_i = -1;
  double best_ms = -1;
  for (int i = 0; i < n; i++) {
    const char *name = sr_nn_conv2d_strategy_name (cand[i].strategy);
    if (runs[i] == 0) {
      g_string_append_printf (record, " %s:%dx%d=failed", name, cand[i].ocb,
          cand[i].px);
      continue;
    }
    qsort (ms + i * TUNING_RUNS, runs[i], sizeof (double), cmp_double);
    const double med = ms[i * TUNING_RUNS + runs[i] / 2];
    g_string_append_printf (record, " %s:%dx%d=%.3f", name, cand[i].ocb,
        cand[i].px, med);
    if (op[i] && (best_i < 0 || med < best_ms)) {
      best_i = i;
      best_ms = med;
    }
  }
  SrNnConv2d *best = best_i >= 0 ? op[best_i] : NULL;
  for (int i = 0; i < n; i++)
    if (i != best_i)
      sr_nn_conv2d_free (op[i]);
  const SrNnConv2dChoice best_choice = best_i >= 0 ? cand[best_i]
      : (SrNnConv2dChoice) { 0 };
  g_free (op);
  g_free (ms);
  g_free (runs);
  if (best && !err) {
    g_string_append_printf (record, "\n%s\t%s\t%d\t%d\t%.3f\n", key,
        sr_nn_conv2d_strategy_name (best_choice.strategy), best_choice.ocb,
        best_choice.px, best_ms);
    g_debug ("conv2d tuning on %s: %s", sr_runtime_describe (rt),
        record->str);
    remember (rt, path, record->str);
  } else if (!err) {
    g_set_error (&err, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "conv2d: no strategy runs %s on %s", key, sr_runtime_describe (rt));
  }
  if (err) {
    g_clear_pointer (&best, sr_nn_conv2d_free);
    g_propagate_error (error, err);
  }
  g_string_free (record, TRUE);
  if (out)
    sr_tensor_unref (out);
  if (in)
    sr_tensor_unref (in);
  clReleaseCommandQueue (q);
  /* The stand-ins are frame-sized: give their memory back (a cold 1080p
   * run held 370 MB more at its peak without this). */
  sr_tensor_pool_trim (sr_runtime_pool (rt));
  return best;
}

/* SR_NN_CONV2D: "auto", "STRATEGY" or "STRATEGY:OCBxPX". */
static gboolean
parse_pin (const char *pin, SrNnConv2dChoice *c, GError **error)
{
  char **f = g_strsplit (pin, ":", 2);
  gboolean ok = sr_nn_conv2d_strategy_from_name (f[0], &c->strategy);
  c->ocb = c->px = 0;
  if (ok && f[1]) {
    char **b = g_strsplit (f[1], "x", 2);
    ok = c->strategy != SR_NN_CONV2D_AUTO && g_strv_length (b) == 2
        && parse_int (b[0], &c->ocb) && parse_int (b[1], &c->px)
        && c->ocb > 0 && c->px > 0;
    g_strfreev (b);
  }
  g_strfreev (f);
  if (!ok)
    g_set_error (error, SR_ERROR, SR_ERR_INVALID_ARGUMENT,
        "SR_NN_CONV2D=%s: expected auto, direct, rowvec, winograd, general "
        "or gemm (or one of them with a blocking, as direct:32x6)", pin);
  return ok;
}

SrNnConv2d *
sr_nn_conv2d_new (SrRuntime *rt, const SrNnConv2dParams *p,
    const float *weight, const float *bias, const float *prelu,
    GError **error)
{
  SrNnConv2dChoice pin = { SR_NN_CONV2D_AUTO, 0, 0 };
  const char *env = g_getenv ("SR_NN_CONV2D");
  if (env && *env && !parse_pin (env, &pin, error))
    return NULL;

  SrNnConv2dChoice all[MAX_CANDIDATES], cand[MAX_CANDIDATES];
  const int n_all = sr_nn_conv2d_candidates (rt, p, all, MAX_CANDIDATES);
  int n = 0;
  for (int i = 0; i < n_all; i++)
    if (all[i].strategy == pin.strategy)
      cand[n++] = all[i];
  if (n > 0 && pin.ocb > 0)
    return sr_nn_conv2d_new_with (rt, p, weight, bias, prelu, pin.strategy,
        pin.ocb, pin.px, error);
  if (n == 0 && pin.strategy != SR_NN_CONV2D_AUTO) {
    /* A strategy the device's candidates leave out (gemm on a CPU):
     * pinned, it runs where it covers the layer. */
    SrNnConv2d *op = sr_nn_conv2d_new_with (rt, p, weight, bias, prelu,
        pin.strategy, pin.ocb, pin.px, NULL);
    if (op)
      return op;
  }
  if (n == 0) {
    /* Not pinned, or the pinned strategy does not cover the layer. */
    memcpy (cand, all, n_all * sizeof all[0]);
    n = n_all;
  }
  if (n == 1)
    return sr_nn_conv2d_new_with (rt, p, weight, bias, prelu,
        cand[0].strategy, cand[0].ocb, cand[0].px, error);

  char *key = layer_key (p, cand, n);
  char *path = sr_nn_conv2d_tuning_path (rt);
  SrNnConv2d *op = NULL;
  g_mutex_lock (&tuning_lock);
  SrNnConv2dChoice c;
  if (look_up (rt, path, key, &c)) {
    /* A choice this build no longer offers is measured again. */
    for (int i = 0; i < n && !op; i++)
      if (cand[i].strategy == c.strategy && cand[i].ocb == c.ocb
          && cand[i].px == c.px)
        op = sr_nn_conv2d_new_with (rt, p, weight, bias, prelu, c.strategy,
            c.ocb, c.px, NULL);
  }
  if (!op)
    op = measure (rt, p, weight, bias, prelu, cand, n, path, key, error);
  g_mutex_unlock (&tuning_lock);
  g_free (path);
  g_free (key);
  return op;
}

char *
sr_nn_tuning_look_up (SrRuntime *rt, const char *key)
{
  char *path = sr_nn_conv2d_tuning_path (rt), *value = NULL;
  scan (rt, path, key, accept_value, &value);
  g_free (path);
  return value;
}

void
sr_nn_tuning_remember (SrRuntime *rt, const char *key, const char *value,
    const char *measured)
{
  char *path = sr_nn_conv2d_tuning_path (rt);
  char *text = g_strdup_printf ("# %s\tmeasured\t%s\n%s\t%s\n", key,
      measured, key, value);
  remember (rt, path, text);
  g_free (text);
  g_free (path);
}
