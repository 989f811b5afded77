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
  gchar *name;                /* a pair's file name, or a clip's name */
  int w, h;
  int frames;                 /* a clip's frame count; 0 for a pair */
} Entry;

/* The clip being written (layout CLIPS): its PNGs are on disk, its
 * manifest lines wait here until the commit. */
typedef struct {
  gchar *name;
  GPtrArray *files;           /* frame file names written, in order */
  GPtrArray *names;           /* their manifest names "<clip>/<file>" */
  GString *lines;             /* their manifest lines, each ending '\n' */
  int w, h, lw, lh;           /* HR and LR sizes of every frame */
  gchar *source;              /* the first frame's */
  guint64 first_frame;
  JsonNode *params;           /* the first frame's (NULL: null) */
} OpenClip;

struct _SrDataset {
  gchar *location;
  SrDirLock *lock;
  SrLineFile *manifest, *meta_info;
  GHashTable *names;          /* in the manifest (clips: committed frames) */
  GHashTable *meta_names;     /* in meta_info.txt */
  GArray *entries;            /* of Entry, manifest order (resume only) */
  int scale;                  /* of the pairs written, 0: none yet */
  int scale_line;             /* the manifest line that set it */
  gboolean dirs_made;
  SrDatasetLayout layout;     /* of the manifest, or fixed by this run */
  int layout_line;            /* the manifest line that set it (0: none) */
  GHashTable *clips;          /* committed clips */
  GPtrArray *pending;         /* open: frame names after the last clip line */
  guint committed_lines;      /* open: lines up to the last clip line */
  OpenClip *clip;             /* the clip being written, or NULL */
};

static void
entry_clear (Entry *e)
{
  g_free (e->name);
}

/* An array of n ints in [min, G_MAXINT] at key (a [x, y, w, h] box: n 4,
 * min 0; a [w, h] size: n 2, min 1). */
static gboolean
get_ints (JsonObject *o, const char *key, guint n, gint64 min, gint64 *out)
{
  JsonNode *node = json_object_get_member (o, key);
  JsonArray *a = node && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
  if (!a || json_array_get_length (a) != n)
    return FALSE;
  for (guint i = 0; i < n; i++) {
    JsonNode *e = json_array_get_element (a, i);
    if (json_node_get_value_type (e) != G_TYPE_INT64
        || (out[i] = json_node_get_int (e)) < min || out[i] > G_MAXINT)
      return FALSE;
  }
  return TRUE;
}

static const char *
layout_noun (SrDatasetLayout layout)
{
  return layout == SR_DATASET_LAYOUT_CLIPS ? "clips (layout=clips)"
      : "single frames (layout=frames)";
}

/* A line of `layout` at lineno: the manifest holds one layout. */
static gboolean
note_layout (SrDataset *ds, SrDatasetLayout layout, guint lineno,
    GError **error)
{
  if (ds->layout == SR_DATASET_LAYOUT_NONE) {
    ds->layout = layout;
    ds->layout_line = (int) lineno;
  } else if (ds->layout != layout) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_CORRUPT,
        "%s/manifest.jsonl:%u: a line of %s after lines of %s (line %d)",
        ds->location, lineno, layout_noun (layout), layout_noun (ds->layout),
        ds->layout_line);
    return FALSE;
  }
  return TRUE;
}

static gboolean
note_scale (SrDataset *ds, int scale, guint lineno, GError **error)
{
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
  return TRUE;
}

/* "<clip>/<file>": the manifest name of a clip's frame, both parts plain. */
static gboolean
clip_frame_name (const char *name)
{
  const char *slash = name ? strchr (name, '/') : NULL;
  if (!slash)
    return FALSE;
  gchar *clip = g_strndup (name, slash - name);
  const gboolean ok = plain_file_name (clip) && plain_file_name (slash + 1);
  g_free (clip);
  return ok;
}

/* {"clip", "frames", "size", "lr_size", ...}: the line that commits the
 * frame lines before it. */
static gboolean
clip_line (SrDataset *ds, JsonObject *o, guint lineno, GError **error)
{
  JsonNode *n = json_object_get_member (o, "clip");
  const char *clip = n && json_node_get_value_type (n) == G_TYPE_STRING
      ? json_node_get_string (n) : NULL;
  JsonNode *fn = json_object_get_member (o, "frames");
  gint64 size[2], lr_size[2];
  const gint64 frames = fn && json_node_get_value_type (fn) == G_TYPE_INT64
      ? json_node_get_int (fn) : -1;
  if (!plain_file_name (clip) || frames < 1 || frames > G_MAXINT
      || !get_ints (o, "size", 2, 1, size) || !get_ints (o, "lr_size", 2, 1, lr_size)) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_CORRUPT,
        "%s/manifest.jsonl:%u: not a clip (it needs \"clip\", \"frames\", "
        "\"size\" and \"lr_size\")", ds->location, lineno);
    return FALSE;
  }
  if (!note_layout (ds, SR_DATASET_LAYOUT_CLIPS, lineno, error)
      || !note_scale (ds, (int) (size[0] / lr_size[0]), lineno, error))
    return FALSE;
  const size_t len = strlen (clip);
  gboolean ok = ds->pending->len == (guint) frames;
  for (guint i = 0; ok && i < ds->pending->len; i++) {
    const char *f = g_ptr_array_index (ds->pending, i);
    ok = strncmp (f, clip, len) == 0 && f[len] == '/';
  }
  if (!ok) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_CORRUPT,
        "%s/manifest.jsonl:%u: clip \"%s\" has %" G_GINT64_FORMAT " frames, "
        "but the %u frame lines before it (after line %u) are not all its own",
        ds->location, lineno, clip, frames, ds->pending->len,
        ds->committed_lines);
    return FALSE;
  }
  if (!g_hash_table_contains (ds->clips, clip)) {   /* merged shards may repeat one */
    for (guint i = 0; i < ds->pending->len; i++)
      g_hash_table_add (ds->names, g_strdup (g_ptr_array_index (ds->pending, i)));
    g_hash_table_add (ds->clips, g_strdup (clip));
    Entry e = { g_strdup (clip), (int) size[0], (int) size[1], (int) frames };
    g_array_append_val (ds->entries, e);
  }
  g_ptr_array_set_size (ds->pending, 0);
  ds->committed_lines = lineno;
  return TRUE;
}

static gboolean
manifest_line (JsonObject *o, guint lineno, gpointer user, GError **error)
{
  SrDataset *ds = user;
  if (json_object_has_member (o, "clip") && !json_object_has_member (o, "name"))
    return clip_line (ds, o, lineno, error);
  JsonNode *n = json_object_get_member (o, "name");
  const char *name = n && json_node_get_value_type (n) == G_TYPE_STRING
      ? json_node_get_string (n) : NULL;
  const gboolean in_clip = clip_frame_name (name);
  gint64 crop[4], lr_crop[4];
  if ((!in_clip && !plain_file_name (name)) || !get_ints (o, "crop", 4, 0, crop)
      || !get_ints (o, "lr_crop", 4, 0, lr_crop) || lr_crop[2] <= 0) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_CORRUPT,
        "%s/manifest.jsonl:%u: not a pair (it needs \"name\", \"crop\" and "
        "\"lr_crop\")", ds->location, lineno);
    return FALSE;
  }
  if (!note_layout (ds, in_clip ? SR_DATASET_LAYOUT_CLIPS
          : SR_DATASET_LAYOUT_FRAMES, lineno, error)
      || !note_scale (ds, (int) (crop[2] / lr_crop[2]), lineno, error))
    return FALSE;
  if (in_clip) {
    /* Counted once its clip line commits it. */
    g_ptr_array_add (ds->pending, g_strdup (name));
    return TRUE;
  }
  if (g_hash_table_contains (ds->names, name))
    return TRUE;                /* merged shards may repeat one */
  g_hash_table_add (ds->names, g_strdup (name));
  Entry e = { g_strdup (name), (int) crop[2], (int) crop[3], 0 };
  g_array_append_val (ds->entries, e);
  return TRUE;
}

/* Cuts f back to its first n lines. */
static gboolean
line_file_keep_lines (SrLineFile *f, guint n, GError **error)
{
  gchar *text = NULL;
  gsize len = 0, keep = 0;
  if (!f->regular)
    return TRUE;
  if (!g_file_get_contents (f->path, &text, &len, error))
    return FALSE;
  for (guint seen = 0; seen < n && keep < len; seen++) {
    const char *nl = memchr (text + keep, '\n', len - keep);
    if (!nl)
      break;
    keep = (gsize) (nl - text) + 1;
  }
  g_free (text);
  if (ftruncate (f->fd, (off_t) keep) != 0) {
    set_errno_error (error, errno, "Could not cut a torn clip's lines off",
        f->path);
    return FALSE;
  }
  f->size = (off_t) keep;
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

/* BasicSR's meta_info lines: "<name> (h,w,c)" for a pair (paired image
 * datasets), "<clip> <frames> (h,w,c)" for a clip (REDS). */
static gboolean
append_meta_info (SrDataset *ds, const char *name, int w, int h, int frames,
    GError **error)
{
  if (g_hash_table_contains (ds->meta_names, name))
    return TRUE;
  gchar *line = frames > 0 ? g_strdup_printf ("%s %d (%d,%d,3)", name, frames,
      h, w) : g_strdup_printf ("%s (%d,%d,3)", name, h, w);
  gboolean ok = sr_line_file_append (ds->meta_info, line, error);
  g_free (line);
  if (ok)
    g_hash_table_add (ds->meta_names, g_strdup (name));
  return ok;
}

static gboolean
is_temp_file (const char *n)
{
  return n[0] == '.' && strstr (n, ".tmp-") != NULL;
}

/* "00000012.png": a frame of a clip. */
static gboolean
is_clip_frame_file (const char *n)
{
  if (strlen (n) != 12 || strcmp (n + 8, ".png") != 0)
    return FALSE;
  for (int i = 0; i < 8; i++)
    if (!g_ascii_isdigit (n[i]))
      return FALSE;
  return TRUE;
}

/* "<anything>_c<digits>": how srpairsink names clips. */
static gboolean
is_clip_dir_name (const char *n)
{
  const char *c = g_strrstr (n, "_c");
  if (!c || !c[2])
    return FALSE;
  for (c += 2; *c; c++)
    if (!g_ascii_isdigit (*c))
      return FALSE;
  return TRUE;
}

/* Removes the temporary PNGs a killed run left in dir (we hold the lock, so
 * no other writer's are there). */
static void
remove_stale_temps (const char *dir)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)))
    if (is_temp_file (n)) {
      gchar *p = g_build_filename (dir, n, NULL);
      g_unlink (p);
      g_free (p);
    }
  if (d)
    g_dir_close (d);
}

/* Empties a clip folder of what srpairsink writes there (frame PNGs and
 * their temporary files); with `whole`, only when that is all it holds,
 * and then removes the folder too. */
static void
clear_clip_dir (const char *dir, gboolean whole)
{
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *n;
  if (!d)
    return;
  gboolean ours = TRUE;
  while (whole && ours && (n = g_dir_read_name (d)))
    ours = is_clip_frame_file (n) || is_temp_file (n);
  if (!ours) {
    g_info ("left %s alone: it holds more than a clip's PNGs", dir);
    g_dir_close (d);
    return;
  }
  g_dir_rewind (d);
  while ((n = g_dir_read_name (d)))
    if (is_clip_frame_file (n) || is_temp_file (n)) {
      gchar *p = g_build_filename (dir, n, NULL);
      g_unlink (p);
      g_free (p);
    }
  g_dir_close (d);
  if (whole)
    g_rmdir (dir);
}

/* In HR/ or LR_x<s>/ (dir): temporary PNGs removed; clips layout: the
 * temporary PNGs of committed clips, and the folders of clips that were
 * never committed (a killed run's torn clip) removed. */
static void
repair_image_dir (SrDataset *ds, const char *dir)
{
  remove_stale_temps (dir);
  if (ds->layout == SR_DATASET_LAYOUT_FRAMES)
    return;
  GDir *d = g_dir_open (dir, 0, NULL);
  const char *n;
  GPtrArray *torn = g_ptr_array_new_with_free_func (g_free);
  while (d && (n = g_dir_read_name (d))) {
    gchar *p = g_build_filename (dir, n, NULL);
    if (!g_file_test (p, G_FILE_TEST_IS_DIR) || g_file_test (p,
            G_FILE_TEST_IS_SYMLINK))
      g_free (p);
    else if (g_hash_table_contains (ds->clips, n)) {
      remove_stale_temps (p);
      g_free (p);
    } else if (is_clip_dir_name (n))
      g_ptr_array_add (torn, p);
    else
      g_free (p);
  }
  if (d)
    g_dir_close (d);
  for (guint i = 0; i < torn->len; i++) {
    g_info ("removing %s: a clip that was never committed",
        (const char *) g_ptr_array_index (torn, i));
    clear_clip_dir (g_ptr_array_index (torn, i), TRUE);
  }
  g_ptr_array_unref (torn);
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
  ds->clips = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  ds->pending = g_ptr_array_new_with_free_func (g_free);
  ds->entries = g_array_new (FALSE, FALSE, sizeof (Entry));
  g_array_set_clear_func (ds->entries, (GDestroyNotify) entry_clear);
  if (!(ds->lock = sr_dir_lock (location, error)))
    goto fail;
  gchar *path = g_build_filename (location, "manifest.jsonl", NULL);
  ds->manifest = sr_jsonl_open (path, manifest_line, ds, error);
  g_free (path);
  if (!ds->manifest)
    goto fail;
  if (ds->pending->len) {
    /* A clip killed while its lines were appended: it is not committed,
     * its lines go (its PNGs below), and the clip is written again. */
    g_info ("cutting the %u frame lines of a torn clip off %s/manifest.jsonl",
        ds->pending->len, location);
    if (!line_file_keep_lines (ds->manifest, ds->committed_lines, error))
      goto fail;
    g_ptr_array_set_size (ds->pending, 0);
    if (!g_hash_table_size (ds->clips)) {
      ds->layout = SR_DATASET_LAYOUT_NONE;
      ds->layout_line = 0;
      ds->scale = ds->scale_line = 0;
    }
  }
  path = g_build_filename (location, "meta_info.txt", NULL);
  ds->meta_info = sr_line_file_open (path, meta_info_line, ds, error);
  g_free (path);
  if (!ds->meta_info)
    goto fail;
  /* The manifest line goes first: a pair killed between the two appends
   * gets its meta_info line now, in manifest order. */
  for (guint i = 0; i < ds->entries->len; i++) {
    Entry *e = &g_array_index (ds->entries, Entry, i);
    if (!append_meta_info (ds, e->name, e->w, e->h, e->frames, error))
      goto fail;
  }
  g_array_set_size (ds->entries, 0);
  gchar *hr = g_build_filename (location, "HR", NULL);
  repair_image_dir (ds, hr);
  g_free (hr);
  GDir *d = g_dir_open (location, 0, NULL);
  const char *n;
  while (d && (n = g_dir_read_name (d)))
    if (g_str_has_prefix (n, "LR_x")) {
      gchar *p = g_build_filename (location, n, NULL);
      repair_image_dir (ds, p);
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
  /* A clip still open was not completed: it leaves nothing behind. */
  sr_dataset_clip_drop (ds);
  sr_line_file_close (ds->manifest);
  sr_line_file_close (ds->meta_info);
  sr_dir_unlock (ds->lock);
  g_hash_table_destroy (ds->names);
  g_hash_table_destroy (ds->meta_names);
  g_hash_table_destroy (ds->clips);
  g_ptr_array_unref (ds->pending);
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

SrDatasetLayout
sr_dataset_layout (const SrDataset *ds)
{
  return ds->layout;
}

gboolean
sr_dataset_set_layout (SrDataset *ds, SrDatasetLayout layout, GError **error)
{
  if (layout == SR_DATASET_LAYOUT_NONE || ds->layout == layout)
    return TRUE;
  if (ds->layout != SR_DATASET_LAYOUT_NONE) {
    gchar *where = ds->layout_line > 0
        ? g_strdup_printf (" (manifest.jsonl line %d)", ds->layout_line)
        : g_strdup ("");
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_LAYOUT,
        "\"%s\" holds %s%s and this run writes %s: give it another location",
        ds->location, layout_noun (ds->layout), where, layout_noun (layout));
    g_free (where);
    return FALSE;
  }
  ds->layout = layout;
  return TRUE;
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

/* Ends a manifest object with its "params" (a copy; null when there are
 * none) and returns it. */
static JsonNode *
end_with_params (JsonBuilder *b, JsonNode *params)
{
  json_builder_set_member_name (b, "params");
  if (params)
    json_builder_add_value (b, json_node_copy (params));
  else
    json_builder_add_null_value (b);
  json_builder_end_object (b);
  JsonNode *root = json_builder_get_root (b);
  g_object_unref (b);
  return root;
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
  return end_with_params (b, p->params);
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
  if (!sr_dataset_set_layout (ds, SR_DATASET_LAYOUT_FRAMES, error))
    return FALSE;
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
  ok = append_meta_info (ds, p->name, p->hr_box[2], p->hr_box[3], 0, error);
out:
  g_free (lrdir);
  g_free (hr_path);
  g_free (lr_path);
  return ok;
}

/* ---- clips ---------------------------------------------------------------- */

guint
sr_dataset_n_clips (const SrDataset *ds)
{
  return g_hash_table_size (ds->clips);
}

gboolean
sr_dataset_contains_clip (const SrDataset *ds, const char *clip)
{
  return g_hash_table_contains (ds->clips, clip);
}

const char *
sr_dataset_clip_name (const SrDataset *ds)
{
  return ds->clip ? ds->clip->name : NULL;
}

guint
sr_dataset_clip_n_frames (const SrDataset *ds)
{
  return ds->clip ? ds->clip->files->len : 0;
}

static void
open_clip_free (OpenClip *c)
{
  if (!c)
    return;
  g_free (c->name);
  g_ptr_array_unref (c->files);
  g_ptr_array_unref (c->names);
  g_string_free (c->lines, TRUE);
  g_free (c->source);
  if (c->params)
    json_node_unref (c->params);
  g_free (c);
}

/* HR/<clip> and LR_x<scale>/<clip>. */
static void
clip_dirs (const SrDataset *ds, const char *clip, gchar **hr, gchar **lr)
{
  gchar *lrname = g_strdup_printf ("LR_x%d", ds->scale);
  *hr = g_build_filename (ds->location, "HR", clip, NULL);
  *lr = g_build_filename (ds->location, lrname, clip, NULL);
  g_free (lrname);
}

gboolean
sr_dataset_clip_begin (SrDataset *ds, const char *clip, GError **error)
{
  g_return_val_if_fail (ds->clip == NULL, FALSE);
  if (!plain_file_name (clip)) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_NAME,
        "\"%s\" is not a plain folder name (no '/', no leading '.', no "
        "spaces): it could leave \"%s\"", clip ? clip : "", ds->location);
    return FALSE;
  }
  if (sr_dataset_contains_clip (ds, clip)) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_NAME,
        "clip \"%s\" is already in %s/manifest.jsonl", clip, ds->location);
    return FALSE;
  }
  if (!sr_dataset_set_layout (ds, SR_DATASET_LAYOUT_CLIPS, error))
    return FALSE;
  if (!ds->dirs_made || !ds->scale) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_SCALE,
        "clip \"%s\": the dataset's scale is not set yet", clip);
    return FALSE;
  }
  gchar *hr, *lr;
  clip_dirs (ds, clip, &hr, &lr);
  gboolean ok = TRUE;
  if (g_mkdir_with_parents (hr, 0777) != 0) {
    set_errno_error (error, errno, "Could not create the folder", hr);
    ok = FALSE;
  } else if (g_mkdir_with_parents (lr, 0777) != 0) {
    set_errno_error (error, errno, "Could not create the folder", lr);
    g_rmdir (hr);
    ok = FALSE;
  } else {
    /* A killed run's PNGs of this clip: it is written again whole. */
    clear_clip_dir (hr, FALSE);
    clear_clip_dir (lr, FALSE);
    OpenClip *c = g_new0 (OpenClip, 1);
    c->name = g_strdup (clip);
    c->files = g_ptr_array_new_with_free_func (g_free);
    c->names = g_ptr_array_new_with_free_func (g_free);
    c->lines = g_string_new (NULL);
    ds->clip = c;
  }
  g_free (hr);
  g_free (lr);
  return ok;
}

gboolean
sr_dataset_clip_add_frame (SrDataset *ds, const SrDatasetPair *p,
    GError **error)
{
  OpenClip *c = ds->clip;
  g_return_val_if_fail (c != NULL, FALSE);
  if (!plain_file_name (p->name)) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_NAME,
        "\"%s\" is not a plain file name (no '/', no leading '.', no "
        "spaces): it could leave \"%s\"", p->name, ds->location);
    return FALSE;
  }
  gchar *full = g_strdup_printf ("%s/%s", c->name, p->name);
  gboolean ok = FALSE;
  for (guint i = 0; i < c->names->len; i++)
    if (strcmp (g_ptr_array_index (c->names, i), full) == 0) {
      g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_NAME,
          "\"%s\" was already written into clip \"%s\"", p->name, c->name);
      goto out;
    }
  if (p->hr_box[2] != p->lr_box[2] * ds->scale
      || p->hr_box[3] != p->lr_box[3] * ds->scale) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_SCALE,
        "pair \"%s\": HR %dx%d is not LR %dx%d x%d", full, p->hr_box[2],
        p->hr_box[3], p->lr_box[2], p->lr_box[3], ds->scale);
    goto out;
  }
  if (c->files->len && (p->hr_box[2] != c->w || p->hr_box[3] != c->h)) {
    g_set_error (error, SR_DATASET_ERROR, SR_DATASET_ERROR_SCALE,
        "pair \"%s\": HR %dx%d, but the clip's frames are %dx%d", full,
        p->hr_box[2], p->hr_box[3], c->w, c->h);
    goto out;
  }
  gchar *hr, *lr;
  clip_dirs (ds, c->name, &hr, &lr);
  gchar *hr_path = g_build_filename (hr, p->name, NULL);
  gchar *lr_path = g_build_filename (lr, p->name, NULL);
  g_free (hr);
  g_free (lr);
  if (sr_png_write_atomic (hr_path, p->hr, p->hr_box[0], p->hr_box[1],
          p->hr_box[2], p->hr_box[3], p->compression, error)) {
    if (sr_png_write_atomic (lr_path, p->lr, p->lr_box[0], p->lr_box[1],
            p->lr_box[2], p->lr_box[3], p->compression, error))
      ok = TRUE;
    else
      g_unlink (hr_path);       /* never leave half a pair */
  }
  g_free (hr_path);
  g_free (lr_path);
  if (!ok)
    goto out;
  SrDatasetPair named = *p;
  named.name = full;
  JsonNode *entry = sr_dataset_manifest_entry (&named);
  gchar *text = sr_json_to_string (entry);
  json_node_unref (entry);
  g_string_append (c->lines, text);
  g_string_append_c (c->lines, '\n');
  g_free (text);
  if (!c->files->len) {
    c->w = p->hr_box[2];
    c->h = p->hr_box[3];
    c->lw = p->lr_box[2];
    c->lh = p->lr_box[3];
    c->source = g_utf8_make_valid (p->source ? p->source : "", -1);
    c->first_frame = p->frame;
    c->params = p->params ? json_node_copy (p->params) : NULL;
  }
  g_ptr_array_add (c->files, g_strdup (p->name));
  g_ptr_array_add (c->names, full);
  full = NULL;
out:
  g_free (full);
  return ok;
}

static void
add_size (JsonBuilder *b, const char *key, int w, int h)
{
  json_builder_set_member_name (b, key);
  json_builder_begin_array (b);
  json_builder_add_int_value (b, w);
  json_builder_add_int_value (b, h);
  json_builder_end_array (b);
}

static JsonNode *
clip_entry (const OpenClip *c)
{
  JsonBuilder *b = json_builder_new_immutable ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "clip");
  json_builder_add_string_value (b, c->name);
  json_builder_set_member_name (b, "source");
  json_builder_add_string_value (b, c->source);
  json_builder_set_member_name (b, "frames");
  json_builder_add_int_value (b, c->files->len);
  json_builder_set_member_name (b, "first-frame");
  json_builder_add_int_value (b, (gint64) MIN (c->first_frame,
          (guint64) G_MAXINT64));
  add_size (b, "size", c->w, c->h);
  add_size (b, "lr_size", c->lw, c->lh);
  return end_with_params (b, c->params);
}

gboolean
sr_dataset_clip_commit (SrDataset *ds, GError **error)
{
  OpenClip *c = ds->clip;
  g_return_val_if_fail (c != NULL, FALSE);
  if (!c->files->len) {
    sr_dataset_clip_drop (ds);
    return TRUE;
  }
  /* One write: a crash leaves all the clip's lines or a torn tail that
   * the next open cuts back to the last clip line. */
  JsonNode *entry = clip_entry (c);
  gchar *line = sr_json_to_string (entry);
  json_node_unref (entry);
  g_string_append (c->lines, line);
  g_free (line);
  if (!sr_line_file_append (ds->manifest, c->lines->str, error)) {
    sr_dataset_clip_drop (ds);
    return FALSE;
  }
  for (guint i = 0; i < c->names->len; i++)
    g_hash_table_add (ds->names, g_strdup (g_ptr_array_index (c->names, i)));
  g_hash_table_add (ds->clips, g_strdup (c->name));
  ds->clip = NULL;
  /* Committed now; a failure here is repaired by the next open. */
  const gboolean ok = append_meta_info (ds, c->name, c->w, c->h,
      (int) c->files->len, error);
  open_clip_free (c);
  return ok;
}

void
sr_dataset_clip_drop (SrDataset *ds)
{
  OpenClip *c = ds->clip;
  if (!c)
    return;
  ds->clip = NULL;
  gchar *hr, *lr;
  clip_dirs (ds, c->name, &hr, &lr);
  clear_clip_dir (hr, TRUE);
  clear_clip_dir (lr, TRUE);
  g_free (hr);
  g_free (lr);
  open_clip_free (c);
}
