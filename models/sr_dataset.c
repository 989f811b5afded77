/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "sr_dataset.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib/gstdio.h>

G_DEFINE_QUARK (sr-dataset-error-quark, sr_dataset_error)

/* A GError in G_FILE_ERROR from errno e: "<op> <path>: <strerror>". */
static void
set_errno_error (GError **error, int e, const char *op, const char *path)
{
  g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
      "%s \"%s\": %s", op, path, g_strerror (e));
}

/* ---- location lock ------------------------------------------------------ */

struct _SrDirLock {
  int fd;
  gchar *path;
};

SrDirLock *
sr_dir_lock (const char *dir, GError **error)
{
  gchar *path = g_build_filename (dir, ".lock", NULL);
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
  if (fd < 0) {
    set_errno_error (error, errno, "Could not create the lock file", path);
    g_free (path);
    return NULL;
  }
  /* flock, not fcntl: its lock belongs to the open file, so a second
   * writer in the same process is refused too. */
  while (flock (fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    if (e == EINTR)
      continue;
    if (e == EWOULDBLOCK)
      g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_LOCKED,
          "\"%s\" is being written by another writer (it holds %s): use "
          "another location, or wait for that one to finish", dir, path);
    else
      set_errno_error (error, e, "Could not lock", path);
    close (fd);
    g_free (path);
    return NULL;
  }
  SrDirLock *lock = g_new0 (SrDirLock, 1);
  lock->fd = fd;
  lock->path = path;
  return lock;
}

void
sr_dir_unlock (SrDirLock *lock)
{
  if (!lock)
    return;
  close (lock->fd);             /* releases the flock */
  g_free (lock->path);
  g_free (lock);
}

/* ---- append-only line files ---------------------------------------------- */

struct _SrLineFile {
  int fd;
  gchar *path;
  off_t size;                 /* always at a line end */
  gboolean regular;           /* a plain file (not a pipe or device) */
};

static gboolean
write_all (int fd, const char *data, size_t len, int *err)
{
  while (len > 0) {
    ssize_t n = write (fd, data, len);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0) {
      *err = n < 0 ? errno : ENOSPC;
      return FALSE;
    }
    data += n;
    len -= n;
  }
  return TRUE;
}

SrLineFile *
sr_line_file_open (const char *path, SrLineFunc each, gpointer user,
    GError **error)
{
  int fd = g_open (path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0666);
  if (fd < 0) {
    set_errno_error (error, errno, "Could not open", path);
    return NULL;
  }
  SrLineFile *f = g_new0 (SrLineFile, 1);
  f->fd = fd;
  f->path = g_strdup (path);

  gchar *text = NULL;
  gsize len = 0;
  struct stat st;
  if (fstat (fd, &st) != 0) {
    set_errno_error (error, errno, "Could not stat", path);
    goto fail;
  }
  /* A pipe or a device has no lines to resume (and may never end). */
  f->regular = S_ISREG (st.st_mode);
  if (f->regular && !g_file_get_contents (path, &text, &len, error))
    goto fail;
  gsize keep = len;
  if (len > 0 && text[len - 1] != '\n') {
    /* A crash during an append: the torn line was never complete. */
    const char *nl = g_strrstr_len (text, len, "\n");
    keep = nl ? (gsize) (nl - text) + 1 : 0;
    if (ftruncate (fd, (off_t) keep) != 0) {
      set_errno_error (error, errno, "Could not cut the torn last line off",
          path);
      goto fail;
    }
    g_info ("cut a torn last line (%" G_GSIZE_FORMAT " bytes) off %s",
        len - keep, path);
  }
  f->size = (off_t) keep;
  guint lineno = 1;
  for (char *line = text, *end; line < text + keep; line = end + 1, lineno++) {
    end = memchr (line, '\n', text + keep - line);
    *end = '\0';
    if (each && !each (line, lineno, user, error))
      goto fail;
  }
  g_free (text);
  return f;

fail:
  g_free (text);
  sr_line_file_close (f);
  return NULL;
}

gboolean
sr_line_file_append (SrLineFile *f, const char *text, GError **error)
{
  /* One write of the whole line, so that a reader or a crash sees whole
   * lines or a torn last one, never two lines interleaved. */
  gchar *line = g_strconcat (text, "\n", NULL);
  int e = 0;
  gboolean ok = write_all (f->fd, line, strlen (line), &e);
  if (ok)
    f->size += (off_t) strlen (line);
  else {
    set_errno_error (error, e, "Could not append a line to", f->path);
    /* Cut a partial line back off, so that the file stays whole lines. */
    if (f->regular && ftruncate (f->fd, f->size) != 0)
      g_warning ("could not cut a partial line off %s: %s", f->path,
          g_strerror (errno));
  }
  g_free (line);
  return ok;
}

const char *
sr_line_file_path (const SrLineFile *f)
{
  return f->path;
}

void
sr_line_file_close (SrLineFile *f)
{
  if (!f)
    return;
  close (f->fd);
  g_free (f->path);
  g_free (f);
}

typedef struct {
  SrJsonlFunc each;
  gpointer user;
  JsonParser *parser;
  const char *path;
} JsonlOpen;

static gboolean
jsonl_line (const char *line, guint lineno, gpointer user, GError **error)
{
  JsonlOpen *o = user;
  GError *perr = NULL;
  if (!*line)
    return TRUE;                /* a blank line carries nothing */
  if (!json_parser_load_from_data (o->parser, line, -1, &perr)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (o->parser))) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_CORRUPT,
        "%s:%u: not a JSON object%s%s", o->path, lineno, perr ? ": " : "",
        perr ? perr->message : "");
    g_clear_error (&perr);
    return FALSE;
  }
  return !o->each || o->each (json_node_get_object (json_parser_get_root
          (o->parser)), lineno, o->user, error);
}

SrLineFile *
sr_jsonl_open (const char *path, SrJsonlFunc each, gpointer user,
    GError **error)
{
  JsonlOpen o = { each, user, json_parser_new_immutable (), path };
  SrLineFile *f = sr_line_file_open (path, jsonl_line, &o, error);
  g_object_unref (o.parser);
  return f;
}

gchar *
sr_json_to_string (JsonNode *node)
{
  JsonGenerator *gen = json_generator_new ();
  json_generator_set_root (gen, node);
  gchar *text = json_generator_to_data (gen, NULL);
  g_object_unref (gen);
  /* json-glib 1.6 prints doubles with "%.17g" (they round-trip) and appends
   * ".0" when there is no '.', also after an exponent: 1e+17 comes out as
   * the invalid "1e+17.0". Drop that suffix after an exponent, outside
   * strings; every other number is left as json-glib printed it. */
  gboolean in_string = FALSE;
  char *w = text;
  for (const char *r = text; *r; r++) {
    if (in_string) {
      if (*r == '\\' && r[1])
        *w++ = *r++;
      else if (*r == '"')
        in_string = FALSE;
    } else if (*r == '"') {
      in_string = TRUE;
    } else if ((*r == 'e' || *r == 'E') && w > text && g_ascii_isdigit (w[-1])) {
      *w++ = *r++;
      if (*r == '+' || *r == '-')
        *w++ = *r++;
      while (g_ascii_isdigit (*r))
        *w++ = *r++;
      if (r[0] == '.' && r[1] == '0' && !g_ascii_isdigit (r[2]))
        r += 2;
      r--;
      continue;
    }
    *w++ = *r;
  }
  *w = '\0';
  return text;
}

gboolean
sr_jsonl_append (SrLineFile *f, JsonNode *node, GError **error)
{
  gchar *text = sr_json_to_string (node);
  gboolean ok = sr_line_file_append (f, text, error);
  g_free (text);
  return ok;
}

/* ---- names --------------------------------------------------------------- */

gchar *
sr_dataset_sanitize_stem (const char *name, gboolean drop_extension)
{
  gchar *s = g_strdup (name ? name : "");
  gchar *dot = drop_extension ? strrchr (s, '.') : NULL;
  if (dot && dot != s)
    *dot = '\0';
  for (gchar *p = s; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_')
      *p = '_';
  return s;
}

/* A name srpairsink may write: a plain, visible file name. */
static gboolean
plain_file_name (const char *name)
{
  if (!name || !*name || name[0] == '.' || strchr (name, '/'))
    return FALSE;
  for (const char *p = name; *p; p++)
    if (g_ascii_isspace (*p) || (guchar) * p < 0x20)
      return FALSE;
  return TRUE;
}

/* ---- atomic PNG ---------------------------------------------------------- */

typedef struct {
  FILE *f;
  int err;                    /* errno of the first failed write */
  char msg[256];
} PngIo;

static void
png_write_fn (png_structp png, png_bytep data, png_size_t len)
{
  PngIo *io = png_get_io_ptr (png);
  if (fwrite (data, 1, len, io->f) != len) {
    io->err = errno ? errno : EIO;
    png_error (png, g_strerror (io->err));
  }
}

static void
png_flush_fn (png_structp png)
{
  PngIo *io = png_get_io_ptr (png);
  if (fflush (io->f) != 0) {
    io->err = errno ? errno : EIO;
    png_error (png, g_strerror (io->err));
  }
}

/* libpng reports errors by longjmp; keep the message for the GError. */
static void
png_error_fn (png_structp png, png_const_charp msg)
{
  PngIo *io = png_get_error_ptr (png);
  g_strlcpy (io->msg, msg, sizeof io->msg);
  png_longjmp (png, 1);
}

static void
png_warning_fn (png_structp png, png_const_charp msg)
{
  (void) png;
  (void) msg;
}

static gboolean
write_png (PngIo *io, const SrHostFrame *fr, int x0, int y0, int w, int h,
    int compression)
{
  const SrPackedLayout *l = &fr->layout;
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, io,
      png_error_fn, png_warning_fn);
  if (!png) {
    io->err = ENOMEM;
    return FALSE;
  }
  png_infop info = png_create_info_struct (png);
  guint8 *volatile row = g_malloc ((size_t) w * 3);
  if (!info || setjmp (png_jmpbuf (png))) {
    png_destroy_write_struct (&png, info ? &info : NULL);
    g_free (row);
    return FALSE;
  }
  png_set_write_fn (png, io, png_write_fn, png_flush_fn);
  png_set_compression_level (png, compression);
  png_set_IHDR (png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
      PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (int y = 0; y < h; y++) {
    const guint8 *src = fr->data + (size_t) (y0 + y) * fr->stride
        + (size_t) x0 * l->pixel_stride;
    for (int x = 0; x < w; x++, src += l->pixel_stride) {
      row[3 * x] = src[l->r];
      row[3 * x + 1] = src[l->g];
      row[3 * x + 2] = src[l->b];
    }
    png_write_row (png, row);
  }
  png_write_end (png, info);
  png_destroy_write_struct (&png, &info);
  g_free (row);
  return TRUE;
}

gboolean
sr_png_write_atomic (const char *path, const SrHostFrame *frame, int x, int y,
    int w, int h, int compression, GError **error)
{
  char *dir = g_path_get_dirname (path);
  char *base = g_path_get_basename (path);
  char *tmpl = g_strdup_printf ("%s/.%s.tmp-XXXXXX", dir, base);
  gboolean ok = FALSE;
  /* g_mkstemp would create the file 0600; a data set is made to be read,
   * so the mode is 0666 less the umask, as for any other file we write. */
  int fd = g_mkstemp_full (tmpl, O_RDWR | O_CLOEXEC, 0666);
  if (fd < 0) {
    set_errno_error (error, errno, "Could not create", tmpl);
    goto out;
  }
  PngIo io = { .f = fdopen (fd, "wb") };
  if (!io.f) {
    int e = errno;
    close (fd);
    g_unlink (tmpl);
    set_errno_error (error, e, "Could not open", tmpl);
    goto out;
  }
  gboolean written = write_png (&io, frame, x, y, w, h, compression);
  if (fclose (io.f) != 0 && written) {
    written = FALSE;
    io.err = errno;
  }
  if (!written) {
    g_unlink (tmpl);
    if (io.err)
      set_errno_error (error, io.err, "Could not write", path);
    else
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_FAILED,
          "Could not write \"%s\": %s", path, io.msg);
    goto out;
  }
  if (g_rename (tmpl, path) != 0) {
    int e = errno;
    g_unlink (tmpl);
    set_errno_error (error, e, "Could not rename the finished PNG to", path);
    goto out;
  }
  ok = TRUE;
out:
  g_free (dir);
  g_free (base);
  g_free (tmpl);
  return ok;
}

/* ---- HGGT informativeness ------------------------------------------------ */

void
sr_patch_informativeness (const SrHostFrame *fr, int x0, int y0, int w, int h,
    double *std_out, double *lapvar_out)
{
  const SrPackedLayout *l = &fr->layout;
  guint8 *g = g_malloc ((size_t) w * h);
  double sum = 0, sum2 = 0;
  for (int y = 0; y < h; y++) {
    const guint8 *p = fr->data + (size_t) (y0 + y) * fr->stride
        + (size_t) x0 * l->pixel_stride;
    for (int x = 0; x < w; x++, p += l->pixel_stride) {
      /* Pillow's "L": ITU-R 601-2 luma in 16-bit fixed point. */
      guint32 v = (19595u * p[l->r] + 38470u * p[l->g] + 7471u * p[l->b]
          + 32768u) >> 16;
      g[y * w + x] = (guint8) v;
      sum += v;
      sum2 += (double) v * v;
    }
  }
  const double n = (double) w * h, mean = sum / n;
  *std_out = sqrt (MAX (sum2 / n - mean * mean, 0.0));
  double ls = 0, ls2 = 0;
  for (int y = 0; y < h; y++) {
    const int ym = y > 0 ? y - 1 : (h > 1 ? 1 : 0);
    const int yp = y < h - 1 ? y + 1 : (h > 1 ? h - 2 : 0);
    for (int x = 0; x < w; x++) {
      const int xm = x > 0 ? x - 1 : (w > 1 ? 1 : 0);
      const int xp = x < w - 1 ? x + 1 : (w > 1 ? w - 2 : 0);
      int v = g[ym * w + x] + g[yp * w + x] + g[y * w + xm] + g[y * w + xp]
          - 4 * g[y * w + x];
      v = CLAMP (v, 0, 255);
      ls += v;
      ls2 += (double) v * v;
    }
  }
  const double lmean = ls / n;
  *lapvar_out = MAX (ls2 / n - lmean * lmean, 0.0);
  g_free (g);
}

/* ---- the paired dataset --------------------------------------------------- */

typedef struct {
  gchar *name;
  int w, h;
} Entry;

struct _SrDataset {
  gchar *location;
  SrDirLock *lock;
  SrLineFile *manifest, *meta_info;
  GHashTable *names;          /* in the manifest */
  GHashTable *meta_names;     /* in meta_info.txt */
  GArray *entries;            /* of Entry, manifest order (resume only) */
  int scale;                  /* of the pairs written, 0: none yet */
  int scale_line;             /* the manifest line that set it */
  gboolean dirs_made;
};

static void
entry_clear (Entry *e)
{
  g_free (e->name);
}

/* A [x, y, w, h] array of non-negative ints. */
static gboolean
get_box (JsonObject *o, const char *key, gint64 box[4])
{
  JsonNode *n = json_object_get_member (o, key);
  JsonArray *a = n && JSON_NODE_HOLDS_ARRAY (n) ? json_node_get_array (n) : NULL;
  if (!a || json_array_get_length (a) != 4)
    return FALSE;
  for (guint i = 0; i < 4; i++) {
    JsonNode *e = json_array_get_element (a, i);
    if (json_node_get_value_type (e) != G_TYPE_INT64
        || (box[i] = json_node_get_int (e)) < 0 || box[i] > G_MAXINT)
      return FALSE;
  }
  return TRUE;
}

static gboolean
manifest_line (JsonObject *o, guint lineno, gpointer user, GError **error)
{
  SrDataset *ds = user;
  JsonNode *n = json_object_get_member (o, "name");
  const char *name = n && json_node_get_value_type (n) == G_TYPE_STRING
      ? json_node_get_string (n) : NULL;
  gint64 crop[4], lr_crop[4];
  if (!plain_file_name (name) || !get_box (o, "crop", crop)
      || !get_box (o, "lr_crop", lr_crop) || lr_crop[2] <= 0) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_CORRUPT,
        "%s/manifest.jsonl:%u: not a pair (it needs \"name\", \"crop\" and "
        "\"lr_crop\")", ds->location, lineno);
    return FALSE;
  }
  const int scale = (int) (crop[2] / lr_crop[2]);
  if (ds->scale && scale != ds->scale) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_CORRUPT,
        "%s/manifest.jsonl:%u: an x%d pair after x%d ones (line %d)",
        ds->location, lineno, scale, ds->scale, ds->scale_line);
    return FALSE;
  }
  if (!ds->scale) {
    ds->scale = scale;
    ds->scale_line = (int) lineno;
  }
  if (g_hash_table_contains (ds->names, name))
    return TRUE;                /* merged shards may repeat one */
  g_hash_table_add (ds->names, g_strdup (name));
  Entry e = { g_strdup (name), (int) crop[2], (int) crop[3] };
  g_array_append_val (ds->entries, e);
  return TRUE;
}

static gboolean
meta_info_line (const char *line, guint lineno, gpointer user, GError **error)
{
  SrDataset *ds = user;
  (void) lineno;
  (void) error;
  const char *sp = strchr (line, ' ');
  if (*line)
    g_hash_table_add (ds->meta_names, sp ? g_strndup (line, sp - line)
        : g_strdup (line));
  return TRUE;
}

static gboolean
append_meta_info (SrDataset *ds, const char *name, int w, int h,
    GError **error)
{
  if (g_hash_table_contains (ds->meta_names, name))
    return TRUE;
  gchar *line = g_strdup_printf ("%s (%d,%d,3)", name, h, w);
  gboolean ok = sr_line_file_append (ds->meta_info, line, error);
  g_free (line);
  if (ok)
    g_hash_table_add (ds->meta_names, g_strdup (name));
  return ok;
}

/* Removes the temporary PNGs a killed run left in dir (we hold the lock, so
 * no other writer's are there). */
static void
remove_stale_temps (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)))
    if (n[0] == '.' && strstr (n, ".tmp-")) {
      gchar *p = g_build_filename (dir, n, NULL);
      g_unlink (p);
      g_free (p);
    }
  if (d)
    g_dir_close (d);
}

SrDataset *
sr_dataset_open (const char *location, GError **error)
{
  if (!location || !*location) {
    g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
        "No dataset location given");
    return NULL;
  }
  if (g_mkdir_with_parents (location, 0777) != 0) {
    set_errno_error (error, errno, "Could not create the folder", location);
    return NULL;
  }
  SrDataset *ds = g_new0 (SrDataset, 1);
  ds->location = g_strdup (location);
  ds->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ds->meta_names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
      NULL);
  ds->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (ds->entries, (GDestroyNotify) entry_clear);
  if (!(ds->lock = sr_dir_lock (location, error)))
    goto fail;
  gchar *path = g_build_filename (location, "manifest.jsonl", NULL);
  ds->manifest = sr_jsonl_open (path, manifest_line, ds, error);
  g_free (path);
  if (!ds->manifest)
    goto fail;
  path = g_build_filename (location, "meta_info.txt", NULL);
  ds->meta_info = sr_line_file_open (path, meta_info_line, ds, error);
  g_free (path);
  if (!ds->meta_info)
    goto fail;
  /* The manifest line goes first: a pair killed between the two appends
   * gets its meta_info line now, in manifest order. */
  for (guint i = 0; i < ds->entries->len; i++) {
    Entry *e = &g_array_index (ds->entries, Entry, i);
    if (!append_meta_info (ds, e->name, e->w, e->h, error))
      goto fail;
  }
  g_array_set_size (ds->entries, 0);
  gchar *hr = g_build_filename (location, "HR", NULL);
  remove_stale_temps (hr);
  g_free (hr);
  GDir *d = g_dir_open (location, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)))
    if (g_str_has_prefix (n, "LR_x")) {
      gchar *p = g_build_filename (location, n, NULL);
      remove_stale_temps (p);
      g_free (p);
    }
  if (d)
    g_dir_close (d);
  return ds;

fail:
  sr_dataset_close (ds);
  return NULL;
}

void
sr_dataset_close (SrDataset *ds)
{
  if (!ds)
    return;
  sr_line_file_close (ds->manifest);
  sr_line_file_close (ds->meta_info);
  sr_dir_unlock (ds->lock);
  g_hash_table_destroy (ds->names);
  g_hash_table_destroy (ds->meta_names);
  g_array_unref (ds->entries);
  g_free (ds->location);
  g_free (ds);
}

const char *
sr_dataset_location (const SrDataset *ds)
{
  return ds->location;
}

guint
sr_dataset_n_pairs (const SrDataset *ds)
{
  return g_hash_table_size (ds->names);
}

gboolean
sr_dataset_contains (const SrDataset *ds, const char *name)
{
  return g_hash_table_contains (ds->names, name);
}

int
sr_dataset_scale (const SrDataset *ds)
{
  return ds->scale;
}

gboolean
sr_dataset_set_scale (SrDataset *ds, int scale, GError **error)
{
  if (ds->scale && ds->scale != scale) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_SCALE,
        "\"%s\" holds x%d pairs (LR_x%d/, manifest.jsonl line %d) and this "
        "run makes x%d ones: give it another location", ds->location,
        ds->scale, ds->scale, ds->scale_line, scale);
    return FALSE;
  }
  if (ds->dirs_made && ds->scale == scale)
    return TRUE;
  gchar *lrname = g_strdup_printf ("LR_x%d", scale);
  gchar *hr = g_build_filename (ds->location, "HR", NULL);
  gchar *lr = g_build_filename (ds->location, lrname, NULL);
  gboolean ok = TRUE;
  if (g_mkdir_with_parents (hr, 0777) != 0) {
    set_errno_error (error, errno, "Could not create the folder", hr);
    ok = FALSE;
  } else if (g_mkdir_with_parents (lr, 0777) != 0) {
    set_errno_error (error, errno, "Could not create the folder", lr);
    ok = FALSE;
  }
  if (ok) {
    ds->scale = scale;
    ds->dirs_made = TRUE;
    if (!ds->scale_line)
      ds->scale_line = (int) sr_dataset_n_pairs (ds) + 1;
  }
  g_free (lrname);
  g_free (hr);
  g_free (lr);
  return ok;
}

static void
add_box (JsonBuilder *b, const char *key, const int box[4])
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  for (int i = 0; i < 4; i++)
    json_builder_add_int_value (b, box[i]);
  json_builder_end_array (b);
}

JsonNode *
sr_dataset_manifest_entry (const SrDatasetPair *p)
{
  JsonBuilder *b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "name");
  json_builder_add_string_value (b, p->name);
  json_builder_set_member_name (b, "source");
  /* A file name need not be UTF-8; JSON text must be. */
  gchar *source = g_utf8_make_valid (p->source ? p->source : "", -1);
  json_builder_add_string_value (b, source);
  g_free (source);
  json_builder_set_member_name (b, "frame");
  json_builder_add_int_value (b, (gint64) MIN (p->frame, (guint64) G_MAXINT64));
  add_box (b, "crop", p->hr_box);
  add_box (b, "lr_crop", p->lr_box);
  json_builder_set_member_name (b, "params");
  if (p->params)
    json_builder_add_value (b, json_node_copy (p->params));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  JsonNode *root = json_builder_get_root (b);
  g_object_unref (b);
  return root;
}

gboolean
sr_dataset_write_pair (SrDataset *ds, const SrDatasetPair *p, GError **error)
{
  if (!plain_file_name (p->name)) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_NAME,
        "\"%s\" is not a plain file name (no '/', no leading '.', no "
        "spaces): it could leave \"%s\"", p->name, ds->location);
    return FALSE;
  }
  if (sr_dataset_contains (ds, p->name)) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_NAME,
        "\"%s\" is already in %s/manifest.jsonl", p->name, ds->location);
    return FALSE;
  }
  if (!ds->dirs_made || !ds->scale || p->hr_box[2] != p->lr_box[2] * ds->scale
      || p->hr_box[3] != p->lr_box[3] * ds->scale) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_SCALE,
        "pair \"%s\": HR %dx%d is not LR %dx%d x%d", p->name, p->hr_box[2],
        p->hr_box[3], p->lr_box[2], p->lr_box[3], ds->scale);
    return FALSE;
  }
  gchar *lrdir = g_strdup_printf ("LR_x%d", ds->scale);
  gchar *hr_path = g_build_filename (ds->location, "HR", p->name, NULL);
  gchar *lr_path = g_build_filename (ds->location, lrdir, p->name, NULL);
  gboolean ok = FALSE;
  if (!sr_png_write_atomic (hr_path, p->hr, p->hr_box[0], p->hr_box[1],
          p->hr_box[2], p->hr_box[3], p->compression, error))
    goto out;
  if (!sr_png_write_atomic (lr_path, p->lr, p->lr_box[0], p->lr_box[1],
          p->lr_box[2], p->lr_box[3], p->compression, error)) {
    g_unlink (hr_path);         /* never leave half a pair */
    goto out;
  }
  JsonNode *entry = sr_dataset_manifest_entry (p);
  ok = sr_jsonl_append (ds->manifest, entry, error);
  json_node_unref (entry);
  if (!ok) {
    g_unlink (hr_path);
    g_unlink (lr_path);
    goto out;
  }
  g_hash_table_add (ds->names, g_strdup (p->name));
  /* The pair is in the manifest now; a failure here is repaired by the
   * next open (it adds the missing meta_info line). */
  ok = append_meta_info (ds, p->name, p->hr_box[2], p->hr_box[3], error);
out:
  g_free (lrdir);
  g_free (hr_path);
  g_free (lr_path);
  return ok;
}
