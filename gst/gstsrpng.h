/* Atomic 8-bit RGB PNG writing with libpng (temporary file, then rename). */
#pragma once

#include <glib.h>
#include "sr_convert.h"

G_BEGIN_DECLS

/* Writes the w x h region at (x, y) of a packed RGB-family image (layout,
 * stride) as an 8-bit RGB PNG at path. Writes path's directory's
 * ".<name>.tmp-XXXXXX" first and renames it, so that path is either absent
 * or complete; on failure nothing is left behind and *error carries the
 * errno text (G_FILE_ERROR domain). */
gboolean gst_sr_png_write_atomic (const char *path, const guint8 *data,
    int stride, const SrPackedLayout *layout, int x, int y, int w, int h,
    int compression, GError **error);

G_END_DECLS
