/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srpairsink: the dataset writer.
 *
 * Two sink pads, `hr` and `lr`, paired by running time:
 * the LR branch keeps the timestamps of the HR frame it came from, so a pair
 * is two buffers with equal running times. A buffer whose partner cannot
 * come any more (the other side has moved past it, sent a GAP over it, or
 * ended) is counted as unmatched and dropped, never paired with a
 * neighbour. The element is a bin whose two pads lead to two small
 * GstBaseSinks, so that it prerolls, posts EOS and changes state like any
 * GStreamer sink; GstAggregator was not used because it always has a src
 * pad, and a sink should not.
 *
 * Output (BasicSR layout):
 *   location/HR/<name>.png, location/LR_x<scale>/<name>.png, 8-bit RGB
 * Both pads take GST_SR_VIDEO_FORMATS. A YUV or gray input is converted
 * to RGB on the device exactly as srdegrade converts its input
 * (gst_sr_upload_frame: the caps' matrix, range and chroma siting, chroma
 * bilinear; then sr_download_packed8 rounding half to even, as srdegrade's
 * non-bicubic presets do), so the HR PNG and an LR made by srdegrade from
 * the same frame agree in colour and brightness. The crops, the patch
 * filter and the PNGs then work on that RGB frame. RGB input is written
 * from its own bytes and needs no OpenCL at all: the runtime (the
 * pipeline's shared gst.sr.opencl one) is opened only when a non-RGB caps
 * arrives.
 *   location/meta_info.txt   "<name>.png (h,w,c)" per HR image
 *   location/manifest.jsonl  one JSON object per pair (docs/dataset.md)
 * The files themselves are models/sr_dataset.c's job (atomic PNGs, a pair
 * in the manifest only once complete, resume, the location lock); this
 * element pairs the inputs, names the pairs and picks the patches.
 * max-pairs bounds the dataset, resumed pairs included, so running a killed
 * command again completes it to what one uninterrupted run writes. */
#include "gstsrpairsink.h"
#include <gst/base/gstbasesink.h>
#include "gstsrcontext.h"
#include "gstsrmeta.h"
#include "gstsrvideo.h"
#include "sr_dataset.h"
#include "sr_philox.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_sr_pair_sink_debug);
#define GST_CAT_DEFAULT gst_sr_pair_sink_debug

enum {
  PROP_0,
  PROP_LOCATION,
  PROP_PREFIX,
  PROP_EVERY_N,
  PROP_MAX_PAIRS,
  PROP_PATCH_SIZE,
  PROP_PATCHES_PER_FRAME,
  PROP_MIN_STD,
  PROP_MIN_LAPLACIAN_VAR,
  PROP_SEED,
  PROP_COMPRESSION,
  PROP_STALL_TIMEOUT,
  PROP_ASYNC,
  PROP_DEVICE,
  PROP_LAYOUT,
  PROP_MIN_CLIP_FRAMES,
};

#define DEFAULT_EVERY_N 1
#define DEFAULT_MAX_PAIRS 0
#define DEFAULT_PATCH_SIZE 0
#define DEFAULT_PATCHES_PER_FRAME 1
#define DEFAULT_COMPRESSION 3   /* BasicSR's extract_subimages.py uses 3 */
#define DEFAULT_DEVICE "auto"
#define DEFAULT_STALL_TIMEOUT 30  /* seconds */
#define DEFAULT_LAYOUT GST_SR_PAIR_SINK_LAYOUT_FRAMES
#define DEFAULT_MIN_CLIP_FRAMES 2 /* one frame has no neighbour to learn from */
#define MAX_PENDING 8           /* frames one input may run ahead */
#define PATCH_TRIES_PER_PATCH 10
#define PROGRESS_INTERVAL_US (500 * 1000)
#define PATCH_RNG_OP 0x70617463u    /* "patc" */

#define CAPS_STR GST_VIDEO_CAPS_MAKE (GST_SR_VIDEO_FORMATS)
static GstStaticPadTemplate hr_template = GST_STATIC_PAD_TEMPLATE ("hr",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));
static GstStaticPadTemplate lr_template = GST_STATIC_PAD_TEMPLATE ("lr",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));

G_DEFINE_TYPE (GstSrPairSink, gst_sr_pair_sink, GST_TYPE_BIN);
GST_ELEMENT_REGISTER_DEFINE (srpairsink, "srpairsink", GST_RANK_NONE,
    GST_TYPE_SR_PAIR_SINK);

GType
gst_sr_pair_sink_layout_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SR_PAIR_SINK_LAYOUT_FRAMES, "One PNG per pair, HR/<name>.png "
          "(BasicSR's paired image datasets)", "frames"},
    {GST_SR_PAIR_SINK_LAYOUT_CLIPS, "One folder per clip, HR/<clip>/<frame>.png "
          "(BasicSR's REDS video datasets)", "clips"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrPairSinkLayout",
            values));
  return type;
}

static GstSrPairInput *
other_of (GstSrPairSink *self, GstSrPairInput *in)
{
  return in == &self->hr ? &self->lr : &self->hr;
}

/* ---- source name and file names ------------------------------------------ */

/* Walks upstream from the hr pad to the first URI source (filesrc, uridecodebin
 * children are reached through bins' ghost pads). */
static gchar *
find_source_uri (GstSrPairSink *self)
{
  GstPad *pad = gst_pad_get_peer (self->hr.pad);
  gchar *uri = NULL;
  for (int hops = 0; pad && hops < 64 && !uri; hops++) {
    GstElement *el = gst_pad_get_parent_element (pad);
    gst_object_unref (pad);
    pad = NULL;
    if (!el)
      break;
    if (GST_IS_URI_HANDLER (el)
        && gst_uri_handler_get_uri_type (GST_URI_HANDLER (el)) == GST_URI_SRC)
      uri = gst_uri_handler_get_uri (GST_URI_HANDLER (el));
    else {
      GST_OBJECT_LOCK (el);
      if (el->sinkpads)
        pad = gst_pad_get_peer (GST_PAD (el->sinkpads->data));
      GST_OBJECT_UNLOCK (el);
    }
    gst_object_unref (el);
  }
  if (pad)
    gst_object_unref (pad);
  return uri;
}

static void
resolve_source (GstSrPairSink *self)
{
  if (self->source)
    return;
  gchar *uri = find_source_uri (self);
  if (uri) {
    gchar *file = g_filename_from_uri (uri, NULL, NULL);
    gchar *base = g_path_get_basename (file ? file : uri);
    self->source = file ? g_strdup (file) : g_strdup (uri);
    self->stem = sr_dataset_sanitize_stem (base, TRUE);
    g_free (base);
    g_free (file);
    g_free (uri);
  } else {
    self->source = gst_object_get_name (GST_OBJECT (self));
    self->stem = g_strdup ("frame");
  }
}

/* <prefix>[_s<seed>]: the seed keeps shards made from one video with
 * different seeds apart; the stem keeps different videos apart. */
static GString *
name_base (GstSrPairSink *self, const GstStructure *params)
{
  guint64 seed;
  /* A prefix is sanitised as the default stem is: a '/' or ".." must not
   * leave location, and BasicSR's meta_info.txt splits on the first space. */
  gchar *stem = self->prefix ? sr_dataset_sanitize_stem (self->prefix, FALSE)
      : g_strdup (self->stem);
  GString *s = g_string_new (stem);
  g_free (stem);
  if (params && gst_structure_get_uint64 (params, "seed", &seed))
    g_string_append_printf (s, "_s%" G_GUINT64_FORMAT, seed);
  return s;
}

/* <prefix>[_s<seed>]_<frame>[_p<k>].png */
static gchar *
pair_name (GstSrPairSink *self, const GstStructure *params, guint64 frame,
    int patch)
{
  GString *s = name_base (self, params);
  g_string_append_printf (s, "_%06" G_GUINT64_FORMAT, frame);
  if (patch >= 0)
    g_string_append_printf (s, "_p%02d", patch);
  g_string_append (s, ".png");
  return g_string_free (s, FALSE);
}

/* layout=clips: the folder <prefix>[_s<seed>]_c<clip>. */
static gchar *
clip_name (GstSrPairSink *self, const GstStructure *params, guint64 clip)
{
  GString *s = name_base (self, params);
  g_string_append_printf (s, "_c%06" G_GUINT64_FORMAT, clip);
  return g_string_free (s, FALSE);
}

/* Posts a dataset error (a GError of models/sr_dataset.c) as the matching
 * GStreamer error: the text names what failed, the debug text holds the
 * operation, the file and the errno text. */
static void
post_dataset_error (GstSrPairSink *self, const char *what, const GError *error)
{
  GQuark domain = GST_RESOURCE_ERROR;
  gint code = GST_RESOURCE_ERROR_WRITE;
  if (error->domain == G_FILE_ERROR && error->code == G_FILE_ERROR_NOSPC)
    code = GST_RESOURCE_ERROR_NO_SPACE_LEFT;
  else if (error->domain == SR_DATASET_ERROR)
    switch (error->code) {
      case SR_DATASET_ERROR_LOCKED:
        code = GST_RESOURCE_ERROR_BUSY;
        break;
      case SR_DATASET_ERROR_CORRUPT:
        code = GST_RESOURCE_ERROR_READ;
        break;
      default:
        code = GST_RESOURCE_ERROR_SETTINGS;
    }
  gchar *text = g_strdup_printf ("%s: %s", what, error->message);
  gchar *debug = g_strdup_printf ("%s in \"%s\": %s (%s %d)", what,
      self->location, error->message, g_quark_to_string (error->domain),
      error->code);
  gst_element_message_full (GST_ELEMENT (self), GST_MESSAGE_ERROR, domain,
      code, text, debug, __FILE__, GST_FUNCTION, __LINE__);
}

/* ---- writing a pair --------------------------------------------------------- */

typedef struct {
  const GstVideoFrame *frame; /* packed RGB: the input's or the converted one */
  SrPackedLayout layout;
  GstVideoFrame rgb;          /* mapped when the input was converted */
  gboolean converted;
} MappedInput;

/* ---- device conversion of YUV / gray inputs --------------------------------- */

static void
input_clear_convert (GstSrPairInput *in)
{
  sr_tensor_unref (in->tensor);
  in->tensor = NULL;
  gst_clear_buffer (&in->rgb);
  in->convert = FALSE;
}

/* Releases the queue and the kernels (lock held, or no streaming). The
 * runtime reference stays until finalize, as in the other elements. */
static void
release_device (GstSrPairSink *self)
{
  if (self->queue)
    clFinish (self->queue);
  input_clear_convert (&self->hr);
  input_clear_convert (&self->lr);
  sr_convert_free (self->convert);
  self->convert = NULL;
  if (self->queue)
    clReleaseCommandQueue (self->queue);
  self->queue = NULL;
}

/* Called with the lock held: the pipeline's runtime (found through the
 * gst.sr.opencl context or created), our queue and the kernels. Posts the
 * element error (no OpenCL platform, device mismatch...) on failure. */
static gboolean
ensure_device (GstSrPairSink *self)
{
  GError *error = NULL;
  if (self->convert)
    return TRUE;
  if (!gst_sr_element_open (GST_ELEMENT (self), self->device, &self->runtime,
          &self->queue)) {
    release_device (self);
    return FALSE;
  }
  if (!(self->convert = sr_convert_new (self->runtime, &error))) {
    gst_sr_post_runtime_error (GST_ELEMENT (self), error);
    g_clear_error (&error);
    release_device (self);
    return FALSE;
  }
  GST_INFO_OBJECT (self, "converting YUV / gray on %s",
      sr_runtime_describe (self->runtime));
  return TRUE;
}

/* Called with the lock held once in->info is set: packed RGB needs
 * nothing; anything else needs the device and gets the RGB buffer the
 * conversion writes into, kept until the caps change. */
static gboolean
input_setup_convert (GstSrPairSink *self, GstSrPairInput *in)
{
  SrPackedLayout layout;
  input_clear_convert (in);
  if (gst_sr_packed_layout (GST_VIDEO_INFO_FORMAT (&in->info), &layout))
    return TRUE;
  if (!ensure_device (self))
    return FALSE;
  if (!gst_video_info_set_format (&in->rgb_info, GST_VIDEO_FORMAT_RGB,
          GST_VIDEO_INFO_WIDTH (&in->info), GST_VIDEO_INFO_HEIGHT (&in->info)))
    return FALSE;
  in->rgb = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&in->rgb_info), NULL);
  in->convert = in->rgb != NULL;
  return in->convert;
}

/* Points m at an RGB view of the mapped frame: the frame itself, or its
 * conversion on the device into in->rgb (unmap with mapped_input_clear).
 * Posts the element error on failure. */
static gboolean
mapped_input_init (GstSrPairSink *self, GstSrPairInput *in,
    const GstVideoFrame *frame, MappedInput *m)
{
  memset (m, 0, sizeof *m);
  if (!in->convert) {
    m->frame = frame;
    if (gst_sr_packed_layout (GST_VIDEO_FRAME_FORMAT (frame), &m->layout))
      return TRUE;
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("Unexpected format %s on %s",
            gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame)),
            in->name), ("not packed RGB, and no conversion set up for it"));
    return FALSE;
  }
  if (!gst_video_frame_map (&m->rgb, &in->rgb_info, in->rgb, GST_MAP_READWRITE)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a video frame"),
        ("the %s input's RGB conversion buffer", in->name));
    return FALSE;
  }
  m->converted = TRUE;
  m->frame = &m->rgb;
  gst_sr_packed_layout (GST_VIDEO_FORMAT_RGB, &m->layout);
  const int w = GST_VIDEO_FRAME_WIDTH (frame), h = GST_VIDEO_FRAME_HEIGHT (frame);
  SrStatus st = SR_ERR_OUT_OF_DEVICE_MEMORY;
  SrTensor *t = sr_tensor_reuse (self->runtime, self->queue, &in->tensor, 1, 3,
      h, w, SR_DTYPE_F32);
  /* Half to even: what srdegrade's non-bicubic presets round with. */
  if (!t || (st = gst_sr_upload_frame (self->convert, self->queue, frame, 0, 0,
              t)) != SR_OK
      || (st = sr_download_packed8 (self->convert, self->queue, t,
              GST_VIDEO_FRAME_PLANE_DATA (&m->rgb, 0),
              GST_VIDEO_FRAME_PLANE_STRIDE (&m->rgb, 0), &m->layout,
              SR_ROUND_HALF_EVEN)) != SR_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
        ("Converting the %s %s frame to RGB failed: %s", in->name,
            gst_video_format_to_string (GST_VIDEO_FRAME_FORMAT (frame)),
            sr_status_name (st)), ("%s frame %dx%d on %s", in->name, w, h,
            sr_runtime_describe (self->runtime)));
    return FALSE;
  }
  return TRUE;
}

static void
mapped_input_clear (MappedInput *m)
{
  if (m->converted)
    gst_video_frame_unmap (&m->rgb);
  m->converted = FALSE;
}

static SrHostFrame
host_frame (const MappedInput *m)
{
  SrHostFrame f = {
    .data = GST_VIDEO_FRAME_PLANE_DATA (m->frame, 0),
    .width = GST_VIDEO_FRAME_WIDTH (m->frame),
    .height = GST_VIDEO_FRAME_HEIGHT (m->frame),
    .stride = GST_VIDEO_FRAME_PLANE_STRIDE (m->frame, 0),
    .layout = m->layout,
  };
  return f;
}

static GstFlowReturn
write_one (GstSrPairSink *self, const MappedInput *hr, const MappedInput *lr,
    JsonNode *params, guint64 frame, const char *name,
    const int hr_box[4], const int lr_box[4])
{
  const SrHostFrame hf = host_frame (hr), lf = host_frame (lr);
  SrDatasetPair pair = {
    .name = name, .source = self->source, .frame = frame, .hr = &hf,
    .lr = &lf, .params = params, .compression = self->compression,
  };
  memcpy (pair.hr_box, hr_box, sizeof pair.hr_box);
  memcpy (pair.lr_box, lr_box, sizeof pair.lr_box);
  GError *error = NULL;
  if (!sr_dataset_write_pair (self->dataset, &pair, &error)) {
    gchar *what = g_strdup_printf ("Could not write the pair %s", name);
    post_dataset_error (self, what, error);
    g_free (what);
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
  self->pairs++;
  return GST_FLOW_OK;
}

/* Runs on GStreamer's thread pool: an upstream duration query from the
 * streaming thread itself could deadlock against a decoder that holds its
 * stream lock while it waits for our queue to drain. */
static void
query_duration_async (GstElement *element, gpointer unused)
{
  GstSrPairSink *self = GST_SR_PAIR_SINK (element);
  gint64 duration = -1;
  (void) unused;
  if (gst_pad_peer_query_duration (self->hr.pad, GST_FORMAT_TIME, &duration)
      && duration > 0)
    g_atomic_pointer_set (&self->duration, GSIZE_TO_POINTER ((gsize) duration));
  g_atomic_int_set (&self->duration_pending, 0);
}

static void
post_progress (GstSrPairSink *self, gboolean force)
{
  gint64 now = g_get_monotonic_time ();
  if (!force && now - self->last_progress_us < PROGRESS_INTERVAL_US)
    return;
  self->last_progress_us = now;
  GstStructure *s = gst_structure_new ("sr-progress",
      "frames", G_TYPE_UINT64, self->hr_frames,
      "pairs", G_TYPE_UINT64, self->pairs,
      "skipped", G_TYPE_UINT64, self->pairing.unmatched + self->skipped_filtered
      + self->skipped_existing + self->skipped_clip_frames, NULL);
  const gint64 duration = (gint64) GPOINTER_TO_SIZE (g_atomic_pointer_get (&self->duration));
  if (duration <= 0 && g_atomic_int_compare_and_exchange (&self->duration_pending, 0, 1))
    gst_element_call_async (GST_ELEMENT (self), query_duration_async, NULL, NULL);
  const GstClockTime position = self->pairing.position[self->hr.side];
  if (GST_CLOCK_TIME_IS_VALID (position) && duration > 0)
    gst_structure_set (s, "percent", G_TYPE_DOUBLE,
        MIN (100.0, 100.0 * (double) position / (double) duration), NULL);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

static void
post_summary (GstSrPairSink *self)
{
  if (self->summary_posted)
    return;
  self->summary_posted = TRUE;
  GstStructure *s = gst_structure_new ("sr-summary",
      "location", G_TYPE_STRING, self->location,
      "frames", G_TYPE_UINT64, self->hr_frames,
      "pairs", G_TYPE_UINT64, self->pairs,
      "total-pairs", G_TYPE_UINT, sr_dataset_n_pairs (self->dataset),
      "skipped-unmatched", G_TYPE_UINT64, self->pairing.unmatched,
      "skipped-filtered", G_TYPE_UINT64, self->skipped_filtered,
      "skipped-existing", G_TYPE_UINT64, self->skipped_existing, NULL);
  if (self->layout == GST_SR_PAIR_SINK_LAYOUT_CLIPS)
    gst_structure_set (s, "clips", G_TYPE_UINT64, self->clips,
        "total-clips", G_TYPE_UINT, sr_dataset_n_clips (self->dataset),
        "skipped-clip-frames", G_TYPE_UINT64, self->skipped_clip_frames, NULL);
  GST_INFO_OBJECT (self, "summary: %" GST_PTR_FORMAT, s);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
}

/* max-pairs reached: the inputs answer EOS upstream, and a queue upstream
 * then drops the EOS event instead of forwarding it, so the bin posts the
 * EOS message itself (its parent counts it as this sink's EOS). */
static void
post_summary_and_eos (GstSrPairSink *self)
{
  post_summary (self);
  if (self->eos_posted)
    return;
  self->eos_posted = TRUE;
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_eos (GST_OBJECT (self)));
}

static gboolean
get_crop (const GstStructure *params, int crop[4])
{
  const GValue *v = params ? gst_structure_get_value (params, "crop") : NULL;
  if (!v || !GST_VALUE_HOLDS_ARRAY (v) || gst_value_array_get_size (v) != 4)
    return FALSE;
  for (int i = 0; i < 4; i++) {
    const GValue *e = gst_value_array_get_value (v, i);
    if (!G_VALUE_HOLDS_INT (e))
      return FALSE;
    crop[i] = g_value_get_int (e);
  }
  return TRUE;
}

/* max-pairs bounds the dataset: the pairs resumed from the manifest count,
 * so the same command run again after a crash completes the job. */
static gboolean
dataset_full (GstSrPairSink *self)
{
  return self->max_pairs && sr_dataset_n_pairs (self->dataset) >= self->max_pairs;
}

/* ---- layout=clips ------------------------------------------------------------ *
 * A clip's frames are written as they come (the PNGs) and committed whole
 * when the clip ends: its last frame (clip-frame + 1 == clip-length), a
 * frame that does not continue it (another clip, a clip-frame that skips
 * or restarts, another size) or EOS. A clip shorter than min-clip-frames is
 * removed instead. Frames of a clip whose clip-frame 0 was not seen are
 * skipped (BasicSR's loaders read frames 0..n-1), and so are those that
 * follow a break in the same clip. every-n picks clips (clip index a
 * multiple of N). Lock held in all of these. */

/* Ends the clip now arriving: commits (or drops) the open one. */
static GstFlowReturn
clip_end (GstSrPairSink *self)
{
  const GstSrClipState state = self->clip_state;
  self->clip_state = GST_SR_CLIP_NONE;
  if (state != GST_SR_CLIP_WRITING || !self->dataset)
    return GST_FLOW_OK;
  const guint n = sr_dataset_clip_n_frames (self->dataset);
  gchar *name = g_strdup (sr_dataset_clip_name (self->dataset));
  GstFlowReturn ret = GST_FLOW_OK;
  GError *error = NULL;
  if (n < self->min_clip_frames) {
    GST_INFO_OBJECT (self, "clip %s: %u frames, fewer than min-clip-frames=%u: "
        "not written", name, n, self->min_clip_frames);
    sr_dataset_clip_drop (self->dataset);
    self->skipped_clip_frames += n;
  } else if (!sr_dataset_clip_commit (self->dataset, &error)) {
    gchar *what = g_strdup_printf ("Could not write the clip %s", name);
    post_dataset_error (self, what, error);
    g_free (what);
    g_clear_error (&error);
    ret = GST_FLOW_ERROR;
  } else {
    GST_DEBUG_OBJECT (self, "clip %s: %u frames written", name, n);
    self->clips++;
    self->pairs += n;
    if (dataset_full (self)) {
      GST_INFO_OBJECT (self, "max-pairs=%u reached", self->max_pairs);
      self->done = TRUE;
    }
  }
  g_free (name);
  return ret;
}

/* Where the frame (clip, clip-frame cf, HR size w x h) goes: *file is its
 * file name in the open clip, or NULL when it is skipped. */
static GstFlowReturn
clip_route (GstSrPairSink *self, const GstStructure *params, guint64 clip,
    guint cf, int w, int h, gchar **file)
{
  GstFlowReturn ret = GST_FLOW_OK;
  *file = NULL;
  if (self->clip_state != GST_SR_CLIP_NONE) {
    const gboolean same = clip == self->clip_index && cf == self->clip_next
        && (self->clip_state != GST_SR_CLIP_WRITING
        || (w == self->clip_w && h == self->clip_h));
    if (same) {
      self->clip_next++;
      switch (self->clip_state) {
        case GST_SR_CLIP_WRITING:
          *file = g_strdup_printf ("%08u.png", cf);
          break;
        case GST_SR_CLIP_SKIP_EXISTING:
          self->skipped_existing++;
          break;
        case GST_SR_CLIP_SKIP_BROKEN:
          self->skipped_clip_frames++;
          break;
        default:
          break;
      }
      return GST_FLOW_OK;
    }
    if ((ret = clip_end (self)) != GST_FLOW_OK || self->done)
      return ret;
  }
  self->clip_index = clip;
  self->clip_next = cf + 1;
  if (cf != 0) {
    GST_DEBUG_OBJECT (self, "clip %" G_GUINT64_FORMAT " seen from its frame "
        "%u: skipped", clip, cf);
    self->clip_state = GST_SR_CLIP_SKIP_BROKEN;
    self->skipped_clip_frames++;
    return GST_FLOW_OK;
  }
  if (clip % self->every_n != 0) {
    self->clip_state = GST_SR_CLIP_SKIP;
    return GST_FLOW_OK;
  }
  gchar *name = clip_name (self, params, clip);
  GError *error = NULL;
  if (sr_dataset_contains_clip (self->dataset, name)) {
    self->clip_state = GST_SR_CLIP_SKIP_EXISTING;
    self->skipped_existing++;
  } else if (!sr_dataset_clip_begin (self->dataset, name, &error)) {
    gchar *what = g_strdup_printf ("Could not start the clip %s", name);
    post_dataset_error (self, what, error);
    g_free (what);
    g_clear_error (&error);
    ret = GST_FLOW_ERROR;
  } else {
    self->clip_state = GST_SR_CLIP_WRITING;
    self->clip_w = w;
    self->clip_h = h;
    *file = g_strdup_printf ("%08u.png", cf);
  }
  g_free (name);
  return ret;
}

/* Writes the frame into the open clip, and ends the clip at its last
 * frame. */
static GstFlowReturn
write_clip_frame (GstSrPairSink *self, const MappedInput *hr,
    const MappedInput *lr, JsonNode *params, const GstStructure *info,
    guint64 frame, const char *file, const int hr_box[4], const int lr_box[4])
{
  const SrHostFrame hf = host_frame (hr), lf = host_frame (lr);
  SrDatasetPair pair = {
    .name = file, .source = self->source, .frame = frame, .hr = &hf,
    .lr = &lf, .params = params, .compression = self->compression,
  };
  memcpy (pair.hr_box, hr_box, sizeof pair.hr_box);
  memcpy (pair.lr_box, lr_box, sizeof pair.lr_box);
  GError *error = NULL;
  if (!sr_dataset_clip_add_frame (self->dataset, &pair, &error)) {
    gchar *what = g_strdup_printf ("Could not write %s/%s",
        sr_dataset_clip_name (self->dataset), file);
    post_dataset_error (self, what, error);
    g_free (what);
    g_clear_error (&error);
    return GST_FLOW_ERROR;
  }
  guint length;
  if (!gst_structure_get_uint (info, "clip-length", &length))
    return GST_FLOW_OK;
  if (length < self->min_clip_frames && !self->clip_length_warned) {
    self->clip_length_warned = TRUE;
    GST_ELEMENT_WARNING (self, RESOURCE, SETTINGS,
        ("Clips of %u frames are shorter than min-clip-frames=%u: none will "
            "be written", length, self->min_clip_frames),
        ("lower min-clip-frames or raise srdegrade's clip-length"));
  }
  if (self->clip_next >= length)
    return clip_end (self);
  return GST_FLOW_OK;
}

/* Called with the lock held. */
static GstFlowReturn
handle_pair (GstSrPairSink *self, GstSrPending *hrp, GstSrPending *lrp)
{
  const GstStructure *params = gst_sr_degradation_get (lrp->buffer);
  guint64 frame = hrp->seq;
  int scale = 0, crop[4];
  GstFlowReturn ret = GST_FLOW_OK;

  if (dataset_full (self)) {     /* e.g. after a flush reset `done` */
    self->done = TRUE;
    return GST_FLOW_OK;
  }
  if (params)
    gst_structure_get_uint64 (params, "frame", &frame);
  guint64 clip = 0;
  guint clip_frame = 0;
  if (self->layout == GST_SR_PAIR_SINK_LAYOUT_CLIPS) {
    if (!params || !gst_structure_get_uint64 (params, "clip", &clip)
        || !gst_structure_get_uint (params, "clip-frame", &clip_frame)) {
      GST_ELEMENT_ERROR (self, STREAM, FORMAT,
          ("layout=clips needs LR frames that say which clip they belong to: "
              "put srdegrade with clip-length > 0 (or preset=realbasicvsr) "
              "on the lr branch"),
          ("frame %" G_GUINT64_FORMAT ": the LR buffer has %s", frame,
              params ? "no clip / clip-frame in its sr-degradation meta"
              : "no sr-degradation meta"));
      return GST_FLOW_ERROR;
    }
  } else if (frame % self->every_n != 0)
    return GST_FLOW_OK;

  const int hw = GST_VIDEO_INFO_WIDTH (&self->hr.info), hh = GST_VIDEO_INFO_HEIGHT (&self->hr.info);
  const int lw = GST_VIDEO_INFO_WIDTH (&self->lr.info), lh = GST_VIDEO_INFO_HEIGHT (&self->lr.info);
  if (!params || !gst_structure_get_int (params, "scale", &scale))
    scale = lw > 0 ? hw / lw : 0;
  if (!get_crop (params, crop)) {
    crop[0] = crop[1] = 0;
    crop[2] = lw * scale;
    crop[3] = lh * scale;
  }
  if (scale < 1 || crop[2] != lw * scale || crop[3] != lh * scale
      || crop[0] < 0 || crop[1] < 0 || crop[0] + crop[2] > hw || crop[1] + crop[3] > hh) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("LR frame %dx%d does not pair with HR frame %dx%d: expected the HR "
            "region %dx%d at (%d,%d) to be LR x scale (scale=%d)", lw, lh, hw,
            hh, crop[2], crop[3], crop[0], crop[1], scale),
        ("frame %" G_GUINT64_FORMAT "; the scale and crop come from the LR "
            "buffer's sr-degradation meta when it has one", frame));
    return GST_FLOW_ERROR;
  }
  if (self->patch_size && (self->patch_size % scale || (int) self->patch_size > crop[2]
          || (int) self->patch_size > crop[3])) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("patch-size=%u must be a multiple of the scale (%d) and fit in the "
            "%dx%d frame", self->patch_size, scale, crop[2], crop[3]),
        ("frame %" G_GUINT64_FORMAT, frame));
    return GST_FLOW_ERROR;
  }
  if (self->scale && self->scale != scale) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT,
        ("The scale changed from %d to %d within one dataset", self->scale,
            scale), ("LR frame %dx%d, HR frame %dx%d", lw, lh, hw, hh));
    return GST_FLOW_ERROR;
  }
  if (!self->scale) {
    GError *error = NULL;
    if (!sr_dataset_set_scale (self->dataset, scale, &error)) {
      post_dataset_error (self, "Cannot resume the dataset", error);
      g_clear_error (&error);
      return GST_FLOW_ERROR;
    }
    self->scale = scale;
  }
  resolve_source (self);
  gchar *clip_file = NULL;
  if (self->layout == GST_SR_PAIR_SINK_LAYOUT_CLIPS) {
    ret = clip_route (self, params, clip, clip_frame, crop[2], crop[3],
        &clip_file);
    if (ret != GST_FLOW_OK || !clip_file) {
      post_progress (self, FALSE);
      return ret;
    }
  }

  GstVideoFrame hf, lf;
  MappedInput hm, lm;
  if (!gst_video_frame_map (&hf, &self->hr.info, hrp->buffer, GST_MAP_READ)) {
    g_free (clip_file);
    goto map_failed;
  }
  if (!gst_video_frame_map (&lf, &self->lr.info, lrp->buffer, GST_MAP_READ)) {
    gst_video_frame_unmap (&hf);
    g_free (clip_file);
    goto map_failed;
  }
  /* Both sides as packed RGB (converted on the device when they are not). */
  memset (&lm, 0, sizeof lm);
  if (!mapped_input_init (self, &self->hr, &hf, &hm)
      || !mapped_input_init (self, &self->lr, &lf, &lm)) {
    mapped_input_clear (&lm);
    mapped_input_clear (&hm);
    gst_video_frame_unmap (&lf);
    gst_video_frame_unmap (&hf);
    g_free (clip_file);
    return GST_FLOW_ERROR;
  }

  JsonNode *params_json = params ? gst_sr_structure_to_json (params) : NULL;
  if (clip_file) {
    const int lr_box[4] = { 0, 0, lw, lh };
    ret = write_clip_frame (self, &hm, &lm, params_json, params, frame,
        clip_file, crop, lr_box);
    g_free (clip_file);
  } else if (!self->patch_size) {
    gchar *name = pair_name (self, params, frame, -1);
    const int lr_box[4] = { 0, 0, lw, lh };
    if (sr_dataset_contains (self->dataset, name))
      self->skipped_existing++;
    else
      ret = write_one (self, &hm, &lm, params_json, frame, name, crop, lr_box);
    g_free (name);
  } else {
    const int lp = self->patch_size / scale;
    SrRng rng;
    sr_rng_init (&rng, self->seed, frame, PATCH_RNG_OP);
    int accepted = 0;
    for (guint t = 0; t < self->patches_per_frame * PATCH_TRIES_PER_PATCH
        && accepted < (int) self->patches_per_frame && ret == GST_FLOW_OK; t++) {
      const int lx = (int) sr_rng_int (&rng, 0, lw - lp);
      const int ly = (int) sr_rng_int (&rng, 0, lh - lp);
      const int hr_box[4] = { crop[0] + lx * scale, crop[1] + ly * scale,
        (int) self->patch_size, (int) self->patch_size };
      const int lr_box[4] = { lx, ly, lp, lp };
      if (self->min_std > 0 || self->min_laplacian_var > 0) {
        double sd, lv;
        const SrHostFrame hf_rgb = host_frame (&hm);
        sr_patch_informativeness (&hf_rgb, hr_box[0], hr_box[1], hr_box[2],
            hr_box[3], &sd, &lv);
        if (sd < self->min_std || lv < self->min_laplacian_var) {
          self->skipped_filtered++;
          continue;
        }
      }
      gchar *name = pair_name (self, params, frame, accepted);
      accepted++;
      if (sr_dataset_contains (self->dataset, name))
        self->skipped_existing++;
      else
        ret = write_one (self, &hm, &lm, params_json, frame, name, hr_box,
            lr_box);
      g_free (name);
      if (dataset_full (self))
        break;
    }
  }
  if (params_json)
    json_node_unref (params_json);
  mapped_input_clear (&lm);
  mapped_input_clear (&hm);
  gst_video_frame_unmap (&lf);
  gst_video_frame_unmap (&hf);
  if (dataset_full (self)) {
    GST_INFO_OBJECT (self, "max-pairs=%u reached", self->max_pairs);
    self->done = TRUE;
  }
  post_progress (self, FALSE);
  return ret;

map_failed:
  GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a video frame"),
      ("frame %" G_GUINT64_FORMAT, frame));
  return GST_FLOW_ERROR;
}

/* ---- the two inputs: GstBaseSinks inside the bin ---------------------------- */

/* Each input is a small GstBaseSink, so that srpairsink prerolls, posts EOS
 * and handles state changes exactly as GStreamer's sinks do (a sink that
 * does not preroll lets decodebin commit its state after PLAYING, and the
 * pipeline then never forwards EOS). The bin pairs what they render. */
#define GST_TYPE_SR_PAIR_INPUT (gst_sr_pair_input_get_type ())
G_DECLARE_FINAL_TYPE (GstSrPairInputSink, gst_sr_pair_input, GST, SR_PAIR_INPUT,
    GstBaseSink)

struct _GstSrPairInputSink {
  GstBaseSink parent;
  GstSrPairSink *owner;       /* not a reference: the bin owns us */
  GstSrPairInput *input;
};

G_DEFINE_TYPE (GstSrPairInputSink, gst_sr_pair_input, GST_TYPE_BASE_SINK);

static GstStaticPadTemplate input_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));

static gboolean
input_set_caps (GstBaseSink *bsink, GstCaps *caps)
{
  GstSrPairInputSink *in = GST_SR_PAIR_INPUT (bsink);
  g_mutex_lock (&in->owner->lock);
  in->input->have_info = gst_video_info_from_caps (&in->input->info, caps)
      && input_setup_convert (in->owner, in->input);
  const gboolean ok = in->input->have_info;
  g_mutex_unlock (&in->owner->lock);
  if (!ok)
    GST_ERROR_OBJECT (in, "cannot write PNGs from %" GST_PTR_FORMAT, caps);
  return ok;
}

/* Answers gst.sr.opencl context queries with the runtime once it is open. */
static gboolean
input_query (GstBaseSink *bsink, GstQuery *query)
{
  GstSrPairInputSink *sink = GST_SR_PAIR_INPUT (bsink);
  GstElement *owner = GST_ELEMENT (sink->owner);
  GST_OBJECT_LOCK (owner);
  SrRuntime *rt = sink->owner->runtime ? sr_runtime_ref (sink->owner->runtime) : NULL;
  GST_OBJECT_UNLOCK (owner);
  const gboolean answered = gst_sr_handle_context_query (owner, query, rt);
  if (rt)
    sr_runtime_unref (rt);
  if (answered)
    return TRUE;
  return GST_BASE_SINK_CLASS (gst_sr_pair_input_parent_class)->query (bsink, query);
}

static gboolean
input_propose_allocation (GstBaseSink *bsink, GstQuery *query)
{
  (void) bsink;
  gst_query_add_allocation_meta (query, GST_VIDEO_META_API_TYPE, NULL);
  return TRUE;
}

/* Waits (lock held) while `in` runs more than MAX_PENDING frames ahead.
 * When the sink is unlocked for a PLAYING -> PAUSED change it waits for
 * PLAYING again as GstBaseSink asks of sinks that block in render. */
static GstFlowReturn
wait_for_partner (GstSrPairSink *self, GstSrPairInput *in, GstBaseSink *bsink)
{
  GstSrPairInput *other = other_of (self, in);
  while (gst_sr_pairing_waiting (&self->pairing, in->side) > MAX_PENDING
      && !self->pairing.eos[other->side] && !self->done) {
    if (in->unlocked) {
      g_mutex_unlock (&self->lock);
      GstFlowReturn ret = gst_base_sink_wait_preroll (bsink);
      g_mutex_lock (&self->lock);
      if (ret != GST_FLOW_OK)
        return ret;
      continue;
    }
    g_cond_wait (&self->cond, &self->lock);
  }
  return self->done ? GST_FLOW_EOS : GST_FLOW_OK;
}

/* Lock held: input `in` has a buffer now. */
static void
note_buffer (GstSrPairInput *in)
{
  in->last_us = g_get_monotonic_time ();
  if (!in->first_us)
    in->first_us = in->last_us;
}

/* A pipeline where one input holds a frame (prerolled, or waiting for its
 * partner) and the other sends nothing is usually stuck: an element on the
 * quiet branch holds frames (srcodec keeps a segment) while the busy
 * branch's queue is full and the tee waits for it. GstBaseSink waits
 * silently there, so say what is happening, once, as a warning (a merely
 * slow branch looks the same for a while). */
static gboolean
stall_tick (GstClock *clock, GstClockTime t, GstClockID id, gpointer data)
{
  GstSrPairSink *self = data;
  (void) clock;
  (void) t;
  (void) id;
  g_mutex_lock (&self->lock);
  const gint64 now = g_get_monotonic_time ();
  const gint64 limit = (gint64) self->stall_timeout * G_USEC_PER_SEC;
  GstSrPairInput *busy = NULL, *quiet = NULL;
  for (int i = 0; i < 2 && !self->stall_warned && !self->done; i++) {
    GstSrPairInput *in = i ? &self->lr : &self->hr, *other = other_of (self, in);
    const gint64 since = other->last_us ? other->last_us : in->first_us;
    if (in->first_us && !self->pairing.eos[in->side]
        && !self->pairing.eos[other->side] && in->last_us >= since
        && now - since >= limit) {
      busy = in;
      quiet = other;
    }
  }
  if (busy)
    self->stall_warned = TRUE;
  g_mutex_unlock (&self->lock);
  if (busy)
    GST_ELEMENT_WARNING (self, STREAM, FAILED,
        ("srpairsink: the %s input has had a frame waiting %u s for its %s "
            "partner, and the %s input has sent nothing since", busy->name,
            self->stall_timeout, quiet->name, quiet->name),
        ("If an element on the %s branch holds frames (srcodec keeps a whole "
            "segment), the %s branch's queue must hold them meanwhile: give it "
            "room (queue max-size-buffers=0 max-size-bytes=0 max-size-time=0). "
            "Otherwise the %s branch is only slow (stall-timeout sets this "
            "warning's delay)", quiet->name, busy->name, quiet->name));
  return TRUE;
}

static void
stall_watch_start (GstSrPairSink *self)
{
  if (!self->stall_timeout || self->stall_check)
    return;
  GstClock *clock = gst_system_clock_obtain ();
  const GstClockTime period = self->stall_timeout * GST_SECOND / 4;
  self->stall_check = gst_clock_new_periodic_id (clock,
      gst_clock_get_time (clock) + period, period);
  gst_clock_id_wait_async (self->stall_check, stall_tick,
      gst_object_ref (self), gst_object_unref);
  gst_object_unref (clock);
}

static void
stall_watch_stop (GstSrPairSink *self)
{
  if (!self->stall_check)
    return;
  gst_clock_id_unschedule (self->stall_check);
  gst_clock_id_unref (self->stall_check);
  self->stall_check = NULL;
  self->stall_warned = FALSE;
}

/* Lock held. A frame with no partner pad would wait for ever (or, when
 * prerolling, hold the pipeline's state change): refuse it at once. */
static gboolean
partner_linked (GstSrPairSink *self, GstSrPairInput *in)
{
  GstSrPairInput *other = other_of (self, in);
  if (gst_pad_is_linked (other->pad))
    return TRUE;
  GST_ELEMENT_ERROR (self, CORE, PAD,
      ("srpairsink's %s pad is not linked: a pair needs both the hr and the "
          "lr input", other->name),
      ("the %s input received a frame while %s has no peer (link both pads "
          "before data flows)", in->name, other->name));
  return FALSE;
}

/* Before GstBaseSink blocks on a prerolled buffer. */
static GstFlowReturn
input_preroll (GstBaseSink *bsink, GstBuffer *buffer)
{
  GstSrPairInputSink *sink = GST_SR_PAIR_INPUT (bsink);
  (void) buffer;
  g_mutex_lock (&sink->owner->lock);
  note_buffer (sink->input);
  const gboolean linked = partner_linked (sink->owner, sink->input);
  g_mutex_unlock (&sink->owner->lock);
  return linked ? GST_FLOW_OK : GST_FLOW_ERROR;
}

static GstFlowReturn
input_render (GstBaseSink *bsink, GstBuffer *buffer)
{
  GstSrPairInputSink *sink = GST_SR_PAIR_INPUT (bsink);
  GstSrPairSink *self = sink->owner;
  GstSrPairInput *in = sink->input;
  GstFlowReturn ret = GST_FLOW_OK;

  g_mutex_lock (&self->lock);
  note_buffer (in);
  if (!partner_linked (self, in)) {
    g_mutex_unlock (&self->lock);
    return GST_FLOW_ERROR;
  }
  GstSrPending *p = gst_sr_pending_new (buffer, gst_segment_to_running_time
      (&bsink->segment, GST_FORMAT_TIME, GST_BUFFER_PTS (buffer)),
      in == &self->hr ? self->hr_frames++ : G_MAXUINT64);
  if (self->done) {
    ret = GST_FLOW_EOS;
    goto drop;
  }
  GstSrPending *partner;
  switch (gst_sr_pairing_offer (&self->pairing, in->side, p, &partner)) {
    case GST_SR_PAIRED:
      ret = in == &self->hr ? handle_pair (self, p, partner)
          : handle_pair (self, partner, p);
      gst_sr_pending_free (partner);
      g_cond_broadcast (&self->cond);
      goto drop;
    case GST_SR_UNMATCHED:
      g_cond_broadcast (&self->cond);
      goto drop;
    case GST_SR_QUEUED:
      break;
  }
  ret = wait_for_partner (self, in, bsink);
  g_mutex_unlock (&self->lock);
  return ret;

drop:
  if (self->done && ret == GST_FLOW_OK)
    ret = GST_FLOW_EOS;
  if (ret == GST_FLOW_EOS)
    post_summary_and_eos (self);
  gst_sr_pending_free (p);
  g_mutex_unlock (&self->lock);
  return ret;
}

static gboolean
input_event (GstBaseSink *bsink, GstEvent *event)
{
  GstSrPairInputSink *sink = GST_SR_PAIR_INPUT (bsink);
  GstSrPairSink *self = sink->owner;
  GstSrPairInput *in = sink->input;

  g_mutex_lock (&self->lock);
  GstSrPairInput *other = other_of (self, in);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_SEGMENT:{
      const GstSegment *seg;
      gst_event_parse_segment (event, &seg);
      if (seg->format != GST_FORMAT_TIME) {
        g_mutex_unlock (&self->lock);
        GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("srpairsink needs TIME "
                "segments on %s to pair by running time", in->name),
            ("segment format %s", gst_format_get_name (seg->format)));
        gst_event_unref (event);
        return FALSE;
      }
      break;
    }
    case GST_EVENT_GAP:{
      GstClockTime ts, dur;
      gst_event_parse_gap (event, &ts, &dur);
      gst_sr_pairing_gap (&self->pairing, in->side,
          gst_segment_to_running_time (&bsink->segment, GST_FORMAT_TIME, ts),
          dur);
      g_cond_broadcast (&self->cond);
      break;
    }
    case GST_EVENT_EOS:
      gst_sr_pairing_eos (&self->pairing, in->side);
      g_cond_broadcast (&self->cond);
      if (self->pairing.eos[other->side]) {
        /* No pair can come any more: the last clip ends here. */
        clip_end (self);
        post_summary (self);
      } else
        post_progress (self, TRUE);
      break;
    case GST_EVENT_FLUSH_STOP:
      /* What follows a flush does not continue the clip. */
      clip_end (self);
      gst_sr_pairing_reset_side (&self->pairing, in->side);
      self->done = self->summary_posted = self->eos_posted = FALSE;
      break;
    default:
      break;
  }
  g_mutex_unlock (&self->lock);
  return GST_BASE_SINK_CLASS (gst_sr_pair_input_parent_class)->event (bsink, event);
}

static gboolean
input_unlock (GstBaseSink *bsink)
{
  GstSrPairInputSink *sink = GST_SR_PAIR_INPUT (bsink);
  g_mutex_lock (&sink->owner->lock);
  sink->input->unlocked = TRUE;
  g_cond_broadcast (&sink->owner->cond);
  g_mutex_unlock (&sink->owner->lock);
  return TRUE;
}

static gboolean
input_unlock_stop (GstBaseSink *bsink)
{
  GstSrPairInputSink *sink = GST_SR_PAIR_INPUT (bsink);
  g_mutex_lock (&sink->owner->lock);
  sink->input->unlocked = FALSE;
  g_mutex_unlock (&sink->owner->lock);
  return TRUE;
}

static void
gst_sr_pair_input_class_init (GstSrPairInputSinkClass *klass)
{
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseSinkClass *bsink_class = GST_BASE_SINK_CLASS (klass);
  gst_element_class_set_static_metadata (element_class, "SR pair input",
      "Sink/Video", "One input of srpairsink", "gst-sr developers");
  gst_element_class_add_static_pad_template (element_class, &input_template);
  bsink_class->set_caps = input_set_caps;
  bsink_class->propose_allocation = input_propose_allocation;
  bsink_class->query = input_query;
  bsink_class->preroll = input_preroll;
  bsink_class->render = input_render;
  bsink_class->event = input_event;
  bsink_class->unlock = input_unlock;
  bsink_class->unlock_stop = input_unlock_stop;
}

static void
gst_sr_pair_input_init (GstSrPairInputSink *sink)
{
  /* A dataset writer runs as fast as it can: no clock sync, no QoS. */
  gst_base_sink_set_sync (GST_BASE_SINK (sink), FALSE);
  gst_base_sink_set_qos_enabled (GST_BASE_SINK (sink), FALSE);
  gst_base_sink_set_last_sample_enabled (GST_BASE_SINK (sink), FALSE);
}

/* ---- state ----------------------------------------------------------------------- */

static void
input_reset (GstSrPairInput *in)
{
  in->unlocked = FALSE;
  in->have_info = FALSE;
  in->first_us = in->last_us = 0;
  input_clear_convert (in);
}

static gboolean
gst_sr_pair_sink_start (GstSrPairSink *self)
{
  GError *error = NULL;
  if (!self->location || !*self->location) {
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND,
        ("No location set: give srpairsink a location=<folder>"),
        ("the location property is empty"));
    return FALSE;
  }
  if (self->layout == GST_SR_PAIR_SINK_LAYOUT_CLIPS && self->patch_size) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
        ("layout=clips writes whole frames: patch-size must be 0 (it is %u)",
            self->patch_size), ("a clip's frames are the whole frames of a "
            "video, as BasicSR's REDS loaders crop them themselves"));
    return FALSE;
  }
  /* Takes the location's lock and resumes what is there. */
  if (!(self->dataset = sr_dataset_open (self->location, &error))) {
    gchar *what = g_strdup_printf ("Cannot write a dataset to \"%s\"",
        self->location);
    post_dataset_error (self, what, error);
    g_free (what);
    g_clear_error (&error);
    return FALSE;
  }
  if (!sr_dataset_set_layout (self->dataset,
          self->layout == GST_SR_PAIR_SINK_LAYOUT_CLIPS ? SR_DATASET_LAYOUT_CLIPS
          : SR_DATASET_LAYOUT_FRAMES, &error)) {
    post_dataset_error (self, "Cannot resume the dataset", error);
    g_clear_error (&error);
    return FALSE;
  }
  if (sr_dataset_n_pairs (self->dataset))
    GST_INFO_OBJECT (self, "resuming: %u pairs (%u clips) already in %s",
        sr_dataset_n_pairs (self->dataset), sr_dataset_n_clips (self->dataset),
        self->location);
  self->clip_state = GST_SR_CLIP_NONE;
  self->clips = self->skipped_clip_frames = 0;
  self->clip_length_warned = FALSE;
  self->scale = 0;
  self->hr_frames = self->pairs = 0;
  self->skipped_filtered = self->skipped_existing = 0;
  gst_sr_pairing_reset (&self->pairing, TRUE);
  self->summary_posted = self->eos_posted = FALSE;
  self->done = dataset_full (self);
  self->last_progress_us = 0;
  self->duration = NULL;
  input_reset (&self->hr);
  input_reset (&self->lr);
  return TRUE;
}

static void
gst_sr_pair_sink_stop (GstSrPairSink *self)
{
  g_clear_pointer (&self->dataset, sr_dataset_close);
  input_reset (&self->hr);
  input_reset (&self->lr);
  gst_sr_pairing_reset (&self->pairing, FALSE);
  release_device (self);
  g_clear_pointer (&self->source, g_free);
  g_clear_pointer (&self->stem, g_free);
}

static GstStateChangeReturn
gst_sr_pair_sink_change_state (GstElement *element, GstStateChange transition)
{
  GstSrPairSink *self = GST_SR_PAIR_SINK (element);
  GstStateChangeReturn ret;

  switch (transition) {
    case GST_STATE_CHANGE_READY_TO_PAUSED:
      if (!gst_sr_pair_sink_start (self)) {
        gst_sr_pair_sink_stop (self);
        return GST_STATE_CHANGE_FAILURE;
      }
      stall_watch_start (self);
      break;
    case GST_STATE_CHANGE_PAUSED_TO_READY:
      stall_watch_stop (self);
      break;
    default:
      break;
  }
  ret = GST_ELEMENT_CLASS (gst_sr_pair_sink_parent_class)->change_state (element,
      transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_mutex_lock (&self->lock);
    gst_sr_pair_sink_stop (self);
    g_mutex_unlock (&self->lock);
  }
  return ret;
}

static void
gst_sr_pair_sink_set_context (GstElement *element, GstContext *context)
{
  gst_sr_handle_set_context (element, context, &GST_SR_PAIR_SINK (element)->runtime);
  GST_ELEMENT_CLASS (gst_sr_pair_sink_parent_class)->set_context (element, context);
}

/* ---- properties ------------------------------------------------------------------- */

static void
gst_sr_pair_sink_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstSrPairSink *self = GST_SR_PAIR_SINK (object);
  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      break;
    case PROP_PREFIX:
      g_free (self->prefix);
      self->prefix = g_value_dup_string (value);
      if (self->prefix && !*self->prefix)
        g_clear_pointer (&self->prefix, g_free);
      break;
    case PROP_EVERY_N:
      self->every_n = g_value_get_uint (value);
      break;
    case PROP_MAX_PAIRS:
      self->max_pairs = g_value_get_uint (value);
      break;
    case PROP_PATCH_SIZE:
      self->patch_size = g_value_get_uint (value);
      break;
    case PROP_PATCHES_PER_FRAME:
      self->patches_per_frame = g_value_get_uint (value);
      break;
    case PROP_MIN_STD:
      self->min_std = g_value_get_double (value);
      break;
    case PROP_MIN_LAPLACIAN_VAR:
      self->min_laplacian_var = g_value_get_double (value);
      break;
    case PROP_SEED:
      self->seed = g_value_get_uint64 (value);
      break;
    case PROP_STALL_TIMEOUT:
      self->stall_timeout = g_value_get_uint (value);
      break;
    case PROP_COMPRESSION:
      self->compression = g_value_get_int (value);
      break;
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      if (!self->device)
        self->device = g_strdup (DEFAULT_DEVICE);
      break;
    case PROP_LAYOUT:
      self->layout = g_value_get_enum (value);
      break;
    case PROP_MIN_CLIP_FRAMES:
      self->min_clip_frames = g_value_get_uint (value);
      break;
    case PROP_ASYNC:
      /* Both inputs preroll (or not) together. */
      gst_base_sink_set_async_enabled (GST_BASE_SINK (self->hr.sink),
          g_value_get_boolean (value));
      gst_base_sink_set_async_enabled (GST_BASE_SINK (self->lr.sink),
          g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_sr_pair_sink_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  GstSrPairSink *self = GST_SR_PAIR_SINK (object);
  g_mutex_lock (&self->lock);
  switch (prop_id) {
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_PREFIX:
      g_value_set_string (value, self->prefix);
      break;
    case PROP_EVERY_N:
      g_value_set_uint (value, self->every_n);
      break;
    case PROP_MAX_PAIRS:
      g_value_set_uint (value, self->max_pairs);
      break;
    case PROP_PATCH_SIZE:
      g_value_set_uint (value, self->patch_size);
      break;
    case PROP_PATCHES_PER_FRAME:
      g_value_set_uint (value, self->patches_per_frame);
      break;
    case PROP_MIN_STD:
      g_value_set_double (value, self->min_std);
      break;
    case PROP_MIN_LAPLACIAN_VAR:
      g_value_set_double (value, self->min_laplacian_var);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_STALL_TIMEOUT:
      g_value_set_uint (value, self->stall_timeout);
      break;
    case PROP_COMPRESSION:
      g_value_set_int (value, self->compression);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_LAYOUT:
      g_value_set_enum (value, self->layout);
      break;
    case PROP_MIN_CLIP_FRAMES:
      g_value_set_uint (value, self->min_clip_frames);
      break;
    case PROP_ASYNC:
      g_value_set_boolean (value,
          gst_base_sink_is_async_enabled (GST_BASE_SINK (self->hr.sink)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  g_mutex_unlock (&self->lock);
}

static void
gst_sr_pair_sink_finalize (GObject *object)
{
  GstSrPairSink *self = GST_SR_PAIR_SINK (object);
  gst_sr_pair_sink_stop (self);
  if (self->runtime)
    sr_runtime_unref (self->runtime);
  g_free (self->device);
  g_free (self->location);
  g_free (self->prefix);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (gst_sr_pair_sink_parent_class)->finalize (object);
}

/* "record-to-json": the record as the manifest's `params` text, through
 * the same code that writes the manifest, for applications that read the
 * meta themselves (docs/embedding.md). */
static gchar *
gst_sr_pair_sink_record_to_json (GstSrPairSink *self, const GstStructure *record)
{
  (void) self;
  if (!record)
    return NULL;
  JsonNode *node = gst_sr_structure_to_json (record);
  gchar *text = sr_json_to_string (node);
  json_node_unref (node);
  return text;
}

static void
gst_sr_pair_sink_class_init (GstSrPairSinkClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = gst_sr_pair_sink_set_property;
  gobject_class->get_property = gst_sr_pair_sink_get_property;
  gobject_class->finalize = gst_sr_pair_sink_finalize;

  /* gchar *record-to-json (GstStructure *record): the degradation record
   * (the GstSrDegradationMeta's structure) as the JSON object srpairsink
   * writes as a manifest line's `params`; free it with g_free. */
  g_signal_new_class_handler ("record-to-json", G_TYPE_FROM_CLASS (klass),
      G_SIGNAL_RUN_LAST | G_SIGNAL_ACTION,
      G_CALLBACK (gst_sr_pair_sink_record_to_json), NULL, NULL, NULL,
      G_TYPE_STRING, 1, GST_TYPE_STRUCTURE);

  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "Dataset folder (created if missing): HR/, LR_x<scale>/, "
          "meta_info.txt, manifest.jsonl", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_PREFIX,
      g_param_spec_string ("prefix", "Name prefix",
          "File name prefix; default: the source file's name. Names are "
          "<prefix>[_s<seed>]_<frame>[_p<patch>].png (layout=clips: folders "
          "<prefix>[_s<seed>]_c<clip>)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_LAYOUT,
      g_param_spec_enum ("layout", "Layout",
          "frames: HR/<name>.png per pair, meta_info \"<name> (h,w,c)\" "
          "(BasicSR's paired images); clips: HR/<clip>/<frame:08d>.png per "
          "clip of srdegrade's clip-length, meta_info \"<clip> <n> (h,w,c)\" "
          "(BasicSR's REDS), each clip written whole when it ends",
          GST_TYPE_SR_PAIR_SINK_LAYOUT, DEFAULT_LAYOUT, rw));
  g_object_class_install_property (gobject_class, PROP_MIN_CLIP_FRAMES,
      g_param_spec_uint ("min-clip-frames", "Minimum clip frames",
          "layout=clips: a clip with fewer frames (cut short by the end of "
          "the stream, a dropped frame or a flush) is not written", 1,
          G_MAXUINT, DEFAULT_MIN_CLIP_FRAMES, rw));
  g_object_class_install_property (gobject_class, PROP_EVERY_N,
      g_param_spec_uint ("every-n", "Every N frames",
          "Write the pairs of frames whose index is a multiple of N "
          "(layout=clips: the clips whose index is a multiple of N)", 1,
          G_MAXUINT, DEFAULT_EVERY_N, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_PAIRS,
      g_param_spec_uint ("max-pairs", "Max pairs",
          "End the stream (EOS) once the dataset holds this many pairs, those "
          "of earlier runs in the same location included, so that running a "
          "killed command again completes it (layout=clips: checked when a "
          "clip ends, so the last clip is whole; 0 = no limit)", 0, G_MAXUINT, DEFAULT_MAX_PAIRS, rw));
  g_object_class_install_property (gobject_class, PROP_PATCH_SIZE,
      g_param_spec_uint ("patch-size", "Patch size",
          "HR patch side in pixels (a multiple of the scale); 0 writes whole "
          "frames. LR patches are the aligned crops (HR box / scale)", 0,
          65536, DEFAULT_PATCH_SIZE, rw));
  g_object_class_install_property (gobject_class, PROP_PATCHES_PER_FRAME,
      g_param_spec_uint ("patches-per-frame", "Patches per frame",
          "Random aligned patches per frame in patch mode", 1, 4096,
          DEFAULT_PATCHES_PER_FRAME, rw));
  g_object_class_install_property (gobject_class, PROP_MIN_STD,
      g_param_spec_double ("min-std", "Minimum gray std",
          "HGGT informativeness filter: skip patches whose gray standard "
          "deviation (0..255) is below this (HGGT uses 30; 0 = off)", 0, 255,
          0, rw));
  g_object_class_install_property (gobject_class, PROP_MIN_LAPLACIAN_VAR,
      g_param_spec_double ("min-laplacian-var", "Minimum Laplacian variance",
          "HGGT informativeness filter: skip patches whose 8-bit Laplacian "
          "variance is below this (HGGT uses 30; 0 = off)", 0, G_MAXDOUBLE,
          0, rw));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed", "Seed of the patch positions", 0,
          G_MAXUINT64, 0, rw));
  g_object_class_install_property (gobject_class, PROP_COMPRESSION,
      g_param_spec_int ("compression", "PNG compression",
          "zlib level of the PNG files (0 = none, 9 = smallest)", 0, 9,
          DEFAULT_COMPRESSION, rw));

  g_object_class_install_property (gobject_class, PROP_STALL_TIMEOUT,
      g_param_spec_uint ("stall-timeout", "Stall timeout",
          "Seconds one input may hold a frame while the other sends nothing "
          "before a warning says the pipeline looks stuck (e.g. a queue too "
          "small for srcodec's segment); 0 = never", 0, 3600,
          DEFAULT_STALL_TIMEOUT, rw));

  g_object_class_install_property (gobject_class, PROP_ASYNC,
      g_param_spec_boolean ("async", "Async",
          "Preroll before PAUSED completes, as GstBaseSink's async property", TRUE,
          rw));

  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "OpenCL device",
          "auto (a GPU if present, else the CPU), cpu, gpu, or P:D "
          "(platform P, device D). All gst-sr elements of a pipeline share "
          "one device. Used only to convert YUV and gray input to RGB",
          DEFAULT_DEVICE, rw));

  gst_element_class_set_static_metadata (element_class,
      "SR dataset writer", "Sink/Video",
      "Writes HR/LR pairs matched by running time as a BasicSR-layout "
      "dataset with a JSON-lines manifest of every degradation parameter",
      "gst-sr developers");
  gst_element_class_add_static_pad_template (element_class, &hr_template);
  gst_element_class_add_static_pad_template (element_class, &lr_template);
  element_class->change_state = gst_sr_pair_sink_change_state;
  element_class->set_context = gst_sr_pair_sink_set_context;

  GST_DEBUG_CATEGORY_INIT (gst_sr_pair_sink_debug, "srpairsink", 0,
      "SR dataset writer");
}

/* One input: an inner base sink and the ghost pad that exposes it. */
static void
make_input (GstSrPairSink *self, GstSrPairInput *in, GstStaticPadTemplate *templ)
{
  gchar *name = g_strdup_printf ("%s-sink", templ->name_template);
  GstSrPairInputSink *sink = g_object_new (GST_TYPE_SR_PAIR_INPUT, "name", name,
      NULL);
  g_free (name);
  sink->owner = self;
  sink->input = in;
  in->name = templ->name_template;
  in->sink = GST_ELEMENT (sink);
  gst_bin_add (GST_BIN (self), in->sink);
  GstPad *target = gst_element_get_static_pad (in->sink, "sink");
  in->pad = gst_ghost_pad_new_from_template (templ->name_template, target,
      gst_static_pad_template_get (templ));
  gst_object_unref (target);
  gst_element_add_pad (GST_ELEMENT (self), in->pad);
}

static void
gst_sr_pair_sink_init (GstSrPairSink *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  self->every_n = DEFAULT_EVERY_N;
  self->max_pairs = DEFAULT_MAX_PAIRS;
  self->patch_size = DEFAULT_PATCH_SIZE;
  self->patches_per_frame = DEFAULT_PATCHES_PER_FRAME;
  self->compression = DEFAULT_COMPRESSION;
  self->stall_timeout = DEFAULT_STALL_TIMEOUT;
  self->layout = DEFAULT_LAYOUT;
  self->min_clip_frames = DEFAULT_MIN_CLIP_FRAMES;
  self->device = g_strdup (DEFAULT_DEVICE);
  make_input (self, &self->hr, &hr_template);
  make_input (self, &self->lr, &lr_template);
  self->hr.side = 0;
  self->lr.side = 1;
  gst_sr_pairing_init (&self->pairing);
  input_reset (&self->hr);
  input_reset (&self->lr);
}
