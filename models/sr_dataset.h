/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The on-disk dataset, GLib only (no GStreamer): what srpairsink writes and
 * what srmetrics will write its per-frame lines with.
 *
 * Three layers, each usable alone:
 *  - SrDirLock: an advisory lock (flock) on <dir>/.lock, so that two writers
 *    never append to the same files.
 *  - SrLineFile / JSON lines: an append-only file of whole lines. Opening it
 *    cuts off a torn last line (a crash during an append) and hands every
 *    complete line (parsed JSON object for the JSONL flavour) to a callback,
 *    which is how a writer resumes; an append that fails (disk full) is cut
 *    back so that the file stays whole lines.
 *  - SrDataset: BasicSR's paired layout on top of those: HR/, LR_x<scale>/,
 *    meta_info.txt and manifest.jsonl, with atomic PNG writes (temporary file
 *    + rename) and resume by name.
 *
 * Every failure is a GError in G_FILE_ERROR (errno-derived codes, so
 * G_FILE_ERROR_NOSPC means the disk is full) or SR_DATASET_ERROR, whose
 * message names the operation and the file. */
#pragma once

#include <glib.h>
#include <json-glib/json-glib.h>
#include "sr_convert.h"

G_BEGIN_DECLS

#define SR_DATASET_ERROR (sr_dataset_error_quark ())
GQuark sr_dataset_error_quark (void);

typedef enum {
  SR_DATASET_ERROR_LOCKED,    /* another writer holds the location */
  SR_DATASET_ERROR_CORRUPT,   /* a complete line that is not what it must be */
  SR_DATASET_ERROR_SCALE,     /* a resume with another scale */
  SR_DATASET_ERROR_NAME,      /* a name that would leave the dataset */
  SR_DATASET_ERROR_LAYOUT,    /* a resume with the other layout */
} SrDatasetError;

/* ---- location lock ------------------------------------------------------ */

typedef struct _SrDirLock SrDirLock;

/* Takes an exclusive advisory lock on dir/.lock without waiting (the file
 * is created, and left in place). Fails with SR_DATASET_ERROR_LOCKED when
 * another writer (another process, or another open in this one) holds it. */
SrDirLock *sr_dir_lock (const char *dir, GError **error);
void sr_dir_unlock (SrDirLock *lock);

/* ---- append-only line files ---------------------------------------------- */

typedef struct _SrLineFile SrLineFile;

/* Called for each complete line (without its '\n'); lineno counts from 1.
 * Returning FALSE (with *error set) fails the open. */
typedef gboolean (*SrLineFunc) (const char *line, guint lineno, gpointer user,
    GError **error);

/* Opens (creating with mode 0666 & ~umask) path for appending. A last line
 * without its '\n' is a torn append: it is cut off first. */
SrLineFile *sr_line_file_open (const char *path, SrLineFunc each, gpointer user,
    GError **error);
/* Appends text and '\n' in one write. On failure the file is cut back to
 * its previous length. */
gboolean sr_line_file_append (SrLineFile *f, const char *text, GError **error);
const char *sr_line_file_path (const SrLineFile *f);
void sr_line_file_close (SrLineFile *f);

/* JSON lines: each complete line must be a JSON object (else the open
 * fails with SR_DATASET_ERROR_CORRUPT naming file:line). */
typedef gboolean (*SrJsonlFunc) (JsonObject *object, guint lineno,
    gpointer user, GError **error);
SrLineFile *sr_jsonl_open (const char *path, SrJsonlFunc each, gpointer user,
    GError **error);
/* Appends node (a JSON object) as one compact line. */
gboolean sr_jsonl_append (SrLineFile *f, JsonNode *node, GError **error);

/* One compact JSON text, as the JSONL lines are written. Doubles print with
 * 17 significant digits (they round-trip), integral ones as "1.0". */
gchar *sr_json_to_string (JsonNode *node);

/* ---- names --------------------------------------------------------------- */

/* A file-name stem from any text: the last extension dropped, every byte
 * other than [A-Za-z0-9_-] replaced by '_' (so no '/', '..', space, quote
 * or non-ASCII: BasicSR's meta_info.txt splits on the first space). */
gchar *sr_dataset_sanitize_stem (const char *name, gboolean drop_extension);

/* ---- atomic PNG ---------------------------------------------------------- */

/* Writes the w x h region at (x, y) of frame as an 8-bit RGB PNG at path:
 * through dir/.<name>.tmp-XXXXXX (mode 0666 & ~umask) and a rename, so path
 * is either absent or complete, and nothing is left behind on failure. */
gboolean sr_png_write_atomic (const char *path, const SrHostFrame *frame,
    int x, int y, int w, int h, int compression, GError **error);

/* ---- HGGT informativeness ------------------------------------------------ */

/* The gray (Pillow "L") standard deviation of the w x h region at (x0, y0),
 * and the variance of its saturated 8-bit 3x3 Laplacian (OpenCV Laplacian
 * ksize 1, CV_8U, BORDER_REFLECT_101): HGGT's patch filter. */
void sr_patch_informativeness (const SrHostFrame *frame, int x0, int y0,
    int w, int h, double *std_out, double *lapvar_out);

/* ---- the paired dataset --------------------------------------------------- */

typedef struct _SrDataset SrDataset;

/* What a dataset holds: single frames (HR/<name>.png, BasicSR's paired
 * layout) or clips (HR/<clip>/<8 digits>.png, BasicSR's REDS layout). */
typedef enum {
  SR_DATASET_LAYOUT_NONE,     /* nothing written yet */
  SR_DATASET_LAYOUT_FRAMES,
  SR_DATASET_LAYOUT_CLIPS,
} SrDatasetLayout;

/* Opens (creating) a BasicSR paired dataset at location: takes its lock,
 * resumes manifest.jsonl (the names and the scale of the pairs already
 * there) and makes meta_info.txt agree with it (one line per manifest pair,
 * in order: a crash between the two appends leaves no stray line).
 * A clips dataset is resumed clip by clip: frame lines after the manifest's
 * last clip line (a clip killed while its lines were appended) are cut off,
 * and the folders of clips not in the manifest (a clip killed while its
 * PNGs were written) are removed (only folders named like srpairsink's
 * clips, "..._c<digits>", holding nothing but 8-digit PNGs and temporary
 * files), so that every clip is either whole or absent. */
SrDataset *sr_dataset_open (const char *location, GError **error);
void sr_dataset_close (SrDataset *ds);

const char *sr_dataset_location (const SrDataset *ds);
/* Pairs in the manifest (resumed ones included). */
guint sr_dataset_n_pairs (const SrDataset *ds);
gboolean sr_dataset_contains (const SrDataset *ds, const char *name);
/* The scale of the pairs already written, 0 when none. */
int sr_dataset_scale (const SrDataset *ds);

/* The layout of what the dataset holds (NONE when empty), or what
 * sr_dataset_set_layout fixed. */
SrDatasetLayout sr_dataset_layout (const SrDataset *ds);
/* Fixes the layout of what this run writes. Fails with
 * SR_DATASET_ERROR_LAYOUT, naming both, when the dataset holds the other. */
gboolean sr_dataset_set_layout (SrDataset *ds, SrDatasetLayout layout,
    GError **error);

/* Fixes the scale of what this run writes (creating HR/ and LR_x<scale>/).
 * Fails with SR_DATASET_ERROR_SCALE, naming both scales, when the dataset
 * already holds pairs of another scale. */
gboolean sr_dataset_set_scale (SrDataset *ds, int scale, GError **error);

typedef struct {
  const char *name;           /* "<stem>.png": must be a plain file name */
  const char *source;
  guint64 frame;
  const SrHostFrame *hr, *lr; /* packed RGB-family frames */
  int hr_box[4], lr_box[4];   /* x, y, w, h of the pair inside them */
  JsonNode *params;           /* the manifest's "params" (NULL: null) */
  int compression;            /* zlib level of the PNGs */
} SrDatasetPair;

/* Writes HR/<name> and LR_x<scale>/<name>, then the meta_info.txt and
 * manifest.jsonl lines. A pair is in the manifest only when both PNGs are
 * complete; on failure neither PNG of the pair is left. */
gboolean sr_dataset_write_pair (SrDataset *ds, const SrDatasetPair *pair,
    GError **error);

/* ---- clips (layout CLIPS) ------------------------------------------------ *
 * A clip is written frame by frame (the PNGs, atomically, as the frames
 * come) and committed whole: its frame lines, its clip line and its
 * meta_info line "<clip> <n> (h,w,c)" are appended only at
 * sr_dataset_clip_commit, the manifest lines in one write. One clip is open
 * at a time. */

/* Committed clips (resumed ones included) and whether `clip` is one. */
guint sr_dataset_n_clips (const SrDataset *ds);
gboolean sr_dataset_contains_clip (const SrDataset *ds, const char *clip);

/* Opens clip (a plain name, not committed yet): creates HR/<clip>/ and
 * LR_x<scale>/<clip>/ (after sr_dataset_set_scale), emptying them of a
 * killed run's PNGs. Fixes the layout to CLIPS. */
gboolean sr_dataset_clip_begin (SrDataset *ds, const char *clip,
    GError **error);
/* The open clip's name (NULL: none) and the frames written into it. */
const char *sr_dataset_clip_name (const SrDataset *ds);
guint sr_dataset_clip_n_frames (const SrDataset *ds);
/* Writes pair into the open clip: pair->name is the frame's file name
 * inside the clip ("00000003.png"); its manifest name is
 * "<clip>/<file>". Every frame of a clip must have the sizes of its
 * first. On failure neither PNG of the frame is left. */
gboolean sr_dataset_clip_add_frame (SrDataset *ds, const SrDatasetPair *pair,
    GError **error);
/* Appends the open clip's frame lines and its clip line {"clip", "source",
 * "frames", "first-frame", "size", "lr_size", "params" (the first frame's)}
 * to the manifest in one write, then its meta_info line, and closes it. On
 * failure the clip is dropped (as sr_dataset_clip_drop). */
gboolean sr_dataset_clip_commit (SrDataset *ds, GError **error);
/* Closes the open clip without committing it: its PNGs and folders are
 * removed. */
void sr_dataset_clip_drop (SrDataset *ds);

/* The manifest line of pair (without '\n'): {"name", "source", "frame",
 * "crop", "lr_crop", "params"} in that order. */
JsonNode *sr_dataset_manifest_entry (const SrDatasetPair *pair);

G_END_DECLS
