#include "gstsrpng.h"

#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>

typedef struct {
  int err;                    /* errno of the first failed write */
} WriteState;

static void
png_write_fn (png_structp png, png_bytep data, png_size_t len)
{
  FILE *f = png_get_io_ptr (png);
  if (fwrite (data, 1, len, f) != len)
    png_error (png, strerror (errno));
}

static void
png_flush_fn (png_structp png)
{
  FILE *f = png_get_io_ptr (png);
  if (fflush (f) != 0)
    png_error (png, strerror (errno));
}

/* libpng reports errors by longjmp; keep the message for our GError. */
static void
png_error_fn (png_structp png, png_const_charp msg)
{
  char *buf = png_get_error_ptr (png);
  g_strlcpy (buf, msg, 256);
  png_longjmp (png, 1);
}

static void
png_warning_fn (png_structp png, png_const_charp msg)
{
  (void) png;
  (void) msg;
}

static gboolean
write_png (FILE *f, const guint8 *data, int stride, const SrPackedLayout *l,
    int x0, int y0, int w, int h, int compression, char *errbuf)
{
  png_structp png = png_create_write_struct (PNG_LIBPNG_VER_STRING, errbuf,
      png_error_fn, png_warning_fn);
  if (!png) {
    g_strlcpy (errbuf, "out of memory", 256);
    return FALSE;
  }
  png_infop info = png_create_info_struct (png);
  guint8 *volatile row = g_malloc ((size_t) w * 3);
  if (!info || setjmp (png_jmpbuf (png))) {
    png_destroy_write_struct (&png, info ? &info : NULL);
    g_free (row);
    return FALSE;
  }
  png_set_write_fn (png, f, png_write_fn, png_flush_fn);
  png_set_compression_level (png, compression);
  png_set_IHDR (png, info, w, h, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
      PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info (png, info);
  for (int y = 0; y < h; y++) {
    const guint8 *src = data + (size_t) (y0 + y) * stride
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
gst_sr_png_write_atomic (const char *path, const guint8 *data, int stride,
    const SrPackedLayout *layout, int x, int y, int w, int h, int compression,
    GError **error)
{
  char *dir = g_path_get_dirname (path);
  char *base = g_path_get_basename (path);
  char *tmpl = g_strdup_printf ("%s/.%s.tmp-XXXXXX", dir, base);
  char errbuf[256] = "";
  gboolean ok = FALSE;
  int fd = g_mkstemp (tmpl);
  if (fd < 0) {
    int e = errno;
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "Could not create %s: %s", tmpl, g_strerror (e));
    goto out;
  }
  FILE *f = fdopen (fd, "wb");
  if (!f) {
    int e = errno;
    close (fd);
    g_unlink (tmpl);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "Could not open %s: %s", tmpl, g_strerror (e));
    goto out;
  }
  errno = 0;
  gboolean written = write_png (f, data, stride, layout, x, y, w, h,
      compression, errbuf);
  int e = errno;
  if (fclose (f) != 0 && written) {
    written = FALSE;
    e = errno;
    g_strlcpy (errbuf, g_strerror (e), sizeof errbuf);
  }
  if (!written) {
    g_unlink (tmpl);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e ? e : EIO),
        "Could not write %s: %s", path, errbuf[0] ? errbuf : g_strerror (e));
    goto out;
  }
  if (g_rename (tmpl, path) != 0) {
    e = errno;
    g_unlink (tmpl);
    g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (e),
        "Could not rename %s to %s: %s", tmpl, path, g_strerror (e));
    goto out;
  }
  ok = TRUE;
out:
  g_free (dir);
  g_free (base);
  g_free (tmpl);
  return ok;
}
