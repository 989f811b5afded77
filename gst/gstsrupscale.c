/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srupscale: super-resolution with pretrained networks on OpenCL.
 *
 * frame -> upload ([0,1] planar RGB, any supported format through its
 * colorimetry) -> the network, whole or in tiles -> download in the input's
 * format at scale x the size. Tiles: the frame is cut into tiles, and each
 * runs with `overlap` pixels of its neighbours around it (the network's
 * receptive radius), inside the frame; only the tile's own pixels are kept.
 * Every output pixel then sees exactly the input it sees untiled, so tiled
 * output equals untiled output.
 *
 * model=bicubic / model=lanczos: no network; the frame is resized on the
 * device by `scale` (which these need) with MATLAB imresize's bicubic or
 * Pillow's Lanczos-3 tables. Alpha (RGBA and the other packed formats
 * with one, in and out) never goes through the network: the input's alpha
 * plane is resized with MATLAB bicubic and written into the output's. */
#include "gstsrupscale.h"
#include "gstsrcontext.h"
#include "gstsrvideo.h"
#include "gstsrsize.h"
#include "sr_registry.h"

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_sr_upscale_debug);
#define GST_CAT_DEFAULT gst_sr_upscale_debug

enum {
  PROP_0,
  PROP_MODEL,
  PROP_DEVICE,
  PROP_TILE_SIZE,
  PROP_TILE_OVERLAP,
  PROP_MEMORY_BUDGET,
  PROP_SCALE,
  PROP_PRECISION,
  PROP_FRAMES_IN_FLIGHT,
};

#define GST_TYPE_SR_PRECISION (gst_sr_precision_get_type ())
static GType
gst_sr_precision_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SR_PRECISION_FP32, "float32 values and arithmetic", "fp32"},
    {GST_SR_PRECISION_FP16, "half-precision storage of the values between "
          "layers, float32 arithmetic (half the memory and traffic; every "
          "device, no cl_khr_fp16 needed)", "fp16"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrPrecision",
            values));
  return type;
}

#define DEFAULT_MODEL "esrgan-slim-x4"
#define DEFAULT_DEVICE "auto"
#define DEFAULT_TILE_SIZE 0
#define DEFAULT_FRAMES_IN_FLIGHT 2
#define DEFAULT_TILE_OVERLAP -1
/* PoCL reports all host memory as device memory, so the budget is ours. */
#define DEFAULT_MEMORY_BUDGET (G_GUINT64_CONSTANT (512) << 20)

#define CAPS_STR GST_VIDEO_CAPS_MAKE (GST_SR_VIDEO_FORMATS)
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));

G_DEFINE_TYPE (GstSrUpscale, gst_sr_upscale, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (srupscale, "srupscale", GST_RANK_NONE,
    GST_TYPE_SR_UPSCALE);

/* ---- the model ---------------------------------------------------------------- */

#define BASELINE_MIN_SCALE 2
#define BASELINE_MAX_SCALE 8

/* Loads the network named by `model` unless that is done (host only: the
 * caps need its scale before the device is opened), or takes a baseline's
 * scale from `scale`. Loading waits for the first use, so that setting
 * `model` (or making the element) reads no file. A `scale` that is not the
 * network's, or a baseline without one, leaves scale 0 and model_error
 * (with settings_error) for start to post. Called with the object lock
 * held. */
static void
ensure_model (GstSrUpscale *self)
{
  if (self->model_loaded)
    return;
  self->model_loaded = TRUE;
  g_clear_pointer (&self->graph, sr_graph_free);
  g_clear_error (&self->model_error);
  self->scale = 0;
  self->settings_error = FALSE;
  self->baseline = !strcmp (self->model, "bicubic") ? GST_SR_UPSCALE_BICUBIC
      : !strcmp (self->model, "lanczos") ? GST_SR_UPSCALE_LANCZOS
      : GST_SR_UPSCALE_LEARNED;
  if (self->baseline != GST_SR_UPSCALE_LEARNED) {
    if (self->scale_prop >= BASELINE_MIN_SCALE
        && self->scale_prop <= BASELINE_MAX_SCALE) {
      self->scale = self->scale_prop;
      return;
    }
    self->settings_error = TRUE;
    g_set_error (&self->model_error, SR_MODEL_ERROR, SR_MODEL_ERROR_UNSUPPORTED,
        "model=%s has no scale of its own: set scale=%d..%d (scale=%d)",
        self->model, BASELINE_MIN_SCALE, BASELINE_MAX_SCALE, self->scale_prop);
  } else if ((self->graph = sr_registry_load (self->model, &self->model_error))) {
    self->scale = self->graph->scale;
    if (self->scale_prop && self->scale_prop != self->scale) {
      self->settings_error = TRUE;
      g_set_error (&self->model_error, SR_MODEL_ERROR,
          SR_MODEL_ERROR_UNSUPPORTED, "model=%s upscales x%d, but scale=%d "
          "(a learned model's scale is its own: leave scale at 0 or set %d)",
          self->model, self->scale, self->scale_prop, self->scale);
      g_clear_pointer (&self->graph, sr_graph_free);
      self->scale = 0;
    }
  }
  if (self->model_error)
    GST_WARNING_OBJECT (self, "%s", self->model_error->message);
}

/* ---- caps --------------------------------------------------------------------- */

static GstCaps *
gst_sr_upscale_transform_caps (GstBaseTransform *trans, GstPadDirection dir,
    GstCaps *caps, GstCaps *filter)
{
  GstSrUpscale *self = GST_SR_UPSCALE (trans);
  GST_OBJECT_LOCK (self);
  ensure_model (self);
  const int s = self->scale;
  GST_OBJECT_UNLOCK (self);
  /* No model: link anyway, so that start() says why it cannot run
   * (negotiation would only say "could not link"). */
  GstCaps *out = s < 1 ? gst_caps_copy (caps)
      : gst_sr_scale_caps (caps, s, TRUE, dir);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, out, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (out);
    out = tmp;
  }
  return out;
}

/* ---- runtime ------------------------------------------------------------------ */

static void discard (GstSrUpscale *self);

static void
release_tensors (GstSrUpscale *self)
{
  discard (self);               /* frames in flight use the tensors */
  if (self->queue)
    clFinish (self->queue);
  g_clear_pointer (&self->frame_in, sr_tensor_unref);
  g_clear_pointer (&self->frame_out, sr_tensor_unref);
  g_clear_pointer (&self->alpha_in, sr_tensor_unref);
  g_clear_pointer (&self->alpha_out, sr_tensor_unref);
  g_clear_pointer (&self->alpha_host, g_free);
  sr_tap_table_clear (&self->rows);
  sr_tap_table_clear (&self->cols);
  sr_tap_table_clear (&self->alpha_rows);
  sr_tap_table_clear (&self->alpha_cols);
}

static void
gst_sr_upscale_release (GstSrUpscale *self)
{
  release_tensors (self);
  g_clear_pointer (&self->tiled, sr_tiled_free);
  g_clear_pointer (&self->convert, sr_convert_free);
  g_clear_pointer (&self->resample, sr_resample_free);
  if (self->queue)
    clReleaseCommandQueue (self->queue);
  if (self->transfer)
    clReleaseCommandQueue (self->transfer);
  self->queue = self->transfer = NULL;
}

static gboolean
gst_sr_upscale_start (GstBaseTransform *trans)
{
  GstSrUpscale *self = GST_SR_UPSCALE (trans);
  GError *error = NULL;
  GST_OBJECT_LOCK (self);
  ensure_model (self);
  SrGraph *g = self->graph;
  self->graph = NULL;           /* the network takes it */
  if (self->settings_error) {
    gchar *msg = g_strdup (self->model_error->message);
    GST_OBJECT_UNLOCK (self);
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", msg), (NULL));
    g_free (msg);
    return FALSE;
  }
  const gboolean baseline = self->baseline != GST_SR_UPSCALE_LEARNED;
  const SrDType storage = self->precision == GST_SR_PRECISION_FP16
      ? SR_DTYPE_F16 : SR_DTYPE_F32;
  if (!g && !baseline) {
    GST_OBJECT_UNLOCK (self);
    gchar **folders = sr_registry_folders ();
    gchar *searched = g_strjoinv (":", folders);
    GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("Cannot load model=%s: %s",
            self->model, self->model_error ? self->model_error->message
            : "no model"), ("model folders searched: %s", searched));
    g_free (searched);
    g_strfreev (folders);
    return FALSE;
  }
  GST_OBJECT_UNLOCK (self);
  if (!gst_sr_element_open (GST_ELEMENT (self), self->device, &self->runtime,
          &self->queue)) {
    sr_graph_free (g);
    return FALSE;
  }
  /* Building the network's kernels and, on a device's first meeting with
   * its layers, measuring the convolution candidates takes from a fraction
   * of a second (cached) to a minute or two (a new machine): say so. */
  const gint64 t0 = g_get_monotonic_time ();
  if (!baseline)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_progress (GST_OBJECT (self), GST_PROGRESS_TYPE_START,
            "prepare", "Building the network's kernels (the first use on a "
            "device also measures them; cached in ~/.cache/gst-sr)"));
  /* sr_tiled_new_for_graph takes g, even when it fails: it comes first. */
  if ((!baseline && !(self->tiled = sr_tiled_new_for_graph (self->runtime, g,
                  storage, &error)))
      || !(self->convert = sr_convert_new (self->runtime, &error))
      || !(self->transfer = sr_runtime_create_queue (self->runtime, &error))
      || (baseline && !(self->resample = sr_resample_new (self->runtime, &error)))) {
    if (!baseline)
      gst_element_post_message (GST_ELEMENT (self),
          gst_message_new_progress (GST_OBJECT (self),
              GST_PROGRESS_TYPE_ERROR, "prepare", "Building failed"));
    gst_sr_post_runtime_error (GST_ELEMENT (self), error);
    g_clear_error (&error);
    gst_sr_upscale_release (self);
    return FALSE;
  }
  sr_convert_set_transfer (self->convert, self->transfer);
  if (!baseline) {
    gchar *done = g_strdup_printf ("Kernels ready in %.1f s",
        (g_get_monotonic_time () - t0) / 1e6);
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_progress (GST_OBJECT (self),
            GST_PROGRESS_TYPE_COMPLETE, "prepare", done));
    g_free (done);
  }
  if (baseline) {
    GST_INFO_OBJECT (self, "model %s x%d on %s", self->model, self->scale,
        sr_runtime_describe (self->runtime));
    return TRUE;
  }
  GST_INFO_OBJECT (self, "model %s (x%d, %.0f MAC per input pixel, "
      "receptive radius %d) on %s", self->model, self->scale,
      sr_tiled_macs_per_input_pixel (self->tiled),
      sr_tiled_get_plan (self->tiled)->radius,
      sr_runtime_describe (self->runtime));
  return TRUE;
}

static gboolean
gst_sr_upscale_stop (GstBaseTransform *trans)
{
  GstSrUpscale *self = GST_SR_UPSCALE (trans);
  gst_sr_upscale_release (self);
  GST_OBJECT_LOCK (self);
  self->model_loaded = FALSE;   /* the network owned the graph: load anew */
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

/* Alpha in and out: tensors and MATLAB bicubic tables for the alpha plane
 * (none when either side has no alpha: an input's is dropped, an output's
 * is opaque, as the download writes it). */
static gboolean
setup_alpha (GstSrUpscale *self, const GstVideoInfo *in,
    const GstVideoInfo *out, GError **error)
{
  if (!GST_VIDEO_INFO_HAS_ALPHA (in) || !GST_VIDEO_INFO_HAS_ALPHA (out))
    return TRUE;
  const int w = in->width, h = in->height, s = self->scale;
  if (!self->resample && !(self->resample = sr_resample_new (self->runtime, error)))
    return FALSE;
  /* scale > 1: no antialiasing (it only widens the kernel to shrink). */
  sr_taps_matlab_bicubic (&self->alpha_rows, h, h * s, s, FALSE);
  sr_taps_matlab_bicubic (&self->alpha_cols, w, w * s, s, FALSE);
  self->alpha_host = g_new (float, (size_t) h * s * w * s);
  return (self->alpha_in = sr_tensor_new (self->runtime, 1, 1, h, w,
          SR_DTYPE_F32, error))
      && (self->alpha_out = sr_tensor_new (self->runtime, 1, 1, h * s, w * s,
          SR_DTYPE_F32, error));
}

static gboolean
gst_sr_upscale_set_info (GstVideoFilter *filter, GstCaps *incaps,
    GstVideoInfo *in, GstCaps *outcaps, GstVideoInfo *out)
{
  GstSrUpscale *self = GST_SR_UPSCALE (filter);
  (void) incaps;
  (void) outcaps;
  const int w = in->width, h = in->height, s = self->scale;
  GError *error = NULL;
  if (out->width != w * s || out->height != h * s) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("Output caps must be %dx%d "
            "(input %dx%d, x%d)", w * s, h * s, w, h, s), (NULL));
    return FALSE;
  }
  release_tensors (self);
  if (!setup_alpha (self, in, out, &error))
    goto failed;
  if (self->baseline != GST_SR_UPSCALE_LEARNED) {
    if (self->baseline == GST_SR_UPSCALE_BICUBIC) {
      sr_taps_matlab_bicubic (&self->rows, h, h * s, s, FALSE);
      sr_taps_matlab_bicubic (&self->cols, w, w * s, s, FALSE);
    } else {
      sr_taps_pil_lanczos3 (&self->rows, h, h * s);
      sr_taps_pil_lanczos3 (&self->cols, w, w * s);
    }
    if (!(self->frame_in = sr_tensor_new (self->runtime, 1, 3, h, w,
                SR_DTYPE_F32, &error))
        || !(self->frame_out = sr_tensor_new (self->runtime, 1, 3, h * s,
                w * s, SR_DTYPE_F32, &error)))
      goto failed;
    GST_INFO_OBJECT (self, "%dx%d -> %dx%d: %s%s", w, h, w * s, h * s,
        self->model, self->alpha_in ? ", alpha bicubic" : "");
    return TRUE;
  }
  /* The first plan of a network may run it both ways to choose its
   * layout (seconds on a new machine; cached after): say so. */
  const gboolean settling = !sr_tiled_layout_settled (self->tiled);
  if (settling)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_progress (GST_OBJECT (self), GST_PROGRESS_TYPE_START,
            "layout", "Choosing the network's memory layout (the first use "
            "on a device runs it both ways; cached in ~/.cache/gst-sr)"));
  const gint64 t_plan = g_get_monotonic_time ();
  const gboolean planned = sr_tiled_plan (self->tiled, w, h, self->tile_size,
      self->tile_overlap, self->memory_budget, &error);
  if (settling)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_progress (GST_OBJECT (self), planned
            ? GST_PROGRESS_TYPE_COMPLETE : GST_PROGRESS_TYPE_ERROR, "layout",
            planned ? "Layout chosen" : "Planning failed"));
  if (planned && settling)
    GST_INFO_OBJECT (self, "layout chosen in %.1f s",
        (g_get_monotonic_time () - t_plan) / 1e6);
  if (!planned && g_error_matches (error, SR_MODEL_ERROR,
          SR_MODEL_ERROR_SIZE)) {
    /* The frame or the budget: the user's settings, not a failure. */
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Model %s on %dx%d frames: "
            "%s", self->model, w, h, error->message), ("tile-size=%u, "
            "tile-overlap=%d, memory-budget=%" G_GUINT64_FORMAT,
            self->tile_size, self->tile_overlap, self->memory_budget));
    g_clear_error (&error);
    return FALSE;
  }
  /* Packed RGB output is downloaded tile by tile straight into the frame
   * (gst_sr_upscale_transform_frame); YUV goes through a whole float32
   * output frame, whose chroma samples may straddle tiles. */
  SrPackedLayout layout;
  const gboolean whole_out = !gst_sr_packed_layout (GST_VIDEO_INFO_FORMAT (out),
      &layout);
  if (!planned
      || !(self->frame_in = sr_tensor_new (self->runtime, 1, 3, h, w,
              SR_DTYPE_F32, &error))
      || (whole_out && !(self->frame_out = sr_tensor_new (self->runtime, 1, 3,
                  h * s, w * s, SR_DTYPE_F32, &error))))
    goto failed;
  const SrTiledPlan *plan = sr_tiled_get_plan (self->tiled);
  GST_INFO_OBJECT (self, "%dx%d -> %dx%d: %s, %.1f MB of weights and "
      "%.1f MB of intermediate values", w, h, w * s, h * s,
      plan->tiled ? "tiled" : "whole frames",
      sr_tiled_weight_bytes (self->tiled) / 1e6,
      sr_tiled_peak_bytes (self->tiled) / 1e6);
  if (plan->padded)
    GST_INFO_OBJECT (self, "padded to %dx%d (sides a multiple of %d)",
        plan->pad_w, plan->pad_h, plan->multiple);
  if (plan->tiled)
    GST_INFO_OBJECT (self, "tiles %dx%d on regions %dx%d (overlap %d)",
        plan->tile_w, plan->tile_h, plan->region_w, plan->region_h,
        plan->overlap);
  const SrTiledPlan *tail = sr_tiled_get_tail_plan (self->tiled);
  if (tail && tail->tiled)
    GST_INFO_OBJECT (self, "upsampling tail in tiles %dx%d on regions %dx%d "
        "of each region", tail->tile_w, tail->tile_h, tail->region_w,
        tail->region_h);
  if (!plan->exact)
    /* Said once per plan, on the bus: the output now depends (slightly) on
     * the tiling. */
    GST_ELEMENT_INFO (self, RESOURCE, SETTINGS, ("Tiles overlap by less "
            "than the network's receptive radius: their seams are close to, "
            "not exactly, the untiled output"), ("model %s on %dx%d frames "
            "runs in %dx%d tiles overlapping by %d pixels, less than its "
            "receptive radius (%d); docs/models.md measures such seams; a "
            "larger memory-budget or tile-overlap brings them closer",
            self->model, w, h, plan->tile_w, plan->tile_h, plan->overlap,
            plan->radius));
  return TRUE;

failed:
  GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Cannot run model %s on %dx%d "
          "frames: %s", self->model, w, h, error ? error->message : "?"), (NULL));
  g_clear_error (&error);
  return FALSE;
}

/* The input's alpha plane, MATLAB-bicubic resized on the device, into the
 * output's alpha bytes (rounded half to even, as the colour is). */
static SrStatus
carry_alpha (GstSrUpscale *self, const GstVideoFrame *in, GstVideoFrame *out)
{
  const int w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in);
  const int ow = GST_VIDEO_FRAME_WIDTH (out), oh = GST_VIDEO_FRAME_HEIGHT (out);
  const guint8 *src = GST_VIDEO_FRAME_COMP_DATA (in, GST_VIDEO_COMP_A);
  const int sps = GST_VIDEO_FRAME_COMP_PSTRIDE (in, GST_VIDEO_COMP_A);
  const int sst = GST_VIDEO_FRAME_COMP_STRIDE (in, GST_VIDEO_COMP_A);
  guint8 *dst = GST_VIDEO_FRAME_COMP_DATA (out, GST_VIDEO_COMP_A);
  const int dps = GST_VIDEO_FRAME_COMP_PSTRIDE (out, GST_VIDEO_COMP_A);
  const int dst_stride = GST_VIDEO_FRAME_COMP_STRIDE (out, GST_VIDEO_COMP_A);
  float *a = self->alpha_host;
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++)
      a[(size_t) y * w + x] = src[(size_t) y * sst + (size_t) x * sps] / 255.0f;
  SrStatus st;
  if ((st = sr_tensor_write (self->queue, self->alpha_in, a)) != SR_OK
      || (st = sr_resample_run (self->resample, self->queue, self->alpha_in,
              self->alpha_out, &self->alpha_rows, &self->alpha_cols)) != SR_OK
      || (st = sr_tensor_read (self->queue, self->alpha_out, a)) != SR_OK)
    return st;
  for (int y = 0; y < oh; y++)
    for (int x = 0; x < ow; x++) {
      /* rintf: the default rounding mode, half to even. */
      const float v = CLAMP (a[(size_t) y * ow + x], 0.0f, 1.0f) * 255.0f;
      dst[(size_t) y * dst_stride + (size_t) x * dps] = (guint8) rintf (v);
    }
  return SR_OK;
}

/* A frame takes as long as the network needs: that is this element's
 * latency. It is reported as the slowest frame so far; when a frame takes
 * a quarter longer than reported, a LATENCY message makes the pipeline ask
 * again. */
static void
account_latency (GstSrUpscale *self, GstClockTime took)
{
  GST_OBJECT_LOCK (self);
  const gboolean grew = took > self->latency + self->latency / 4;
  if (grew)
    self->latency = took;
  GST_OBJECT_UNLOCK (self);
  if (grew) {
    GST_INFO_OBJECT (self, "latency now %" GST_TIME_FORMAT, GST_TIME_ARGS (took));
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_latency (GST_OBJECT (self)));
  }
}

/* sr_tiled_run_into's sink for packed RGB output: each tile's rect
 * straight into the output frame's bytes. */
typedef struct {
  SrConvert *convert;
  GstVideoFrame *frame;
  SrPackedLayout layout;
} DownloadInto;

static SrStatus
download_rect (gpointer user, cl_command_queue q, const SrTensor *src, int sx,
    int sy, int dx, int dy, int w, int h)
{
  DownloadInto *d = user;
  const int stride = GST_VIDEO_FRAME_PLANE_STRIDE (d->frame, 0);
  guint8 *at = (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (d->frame, 0)
      + (size_t) dy * stride + (size_t) dx * d->layout.pixel_stride;
  return sr_download_packed8_rect (d->convert, q, src, sx, sy, w, h, at,
      stride, &d->layout, SR_ROUND_HALF_EVEN);
}

/* Enqueues the frame's upload, network and download; nothing waits. */
static SrStatus
enqueue_frame (GstSrUpscale *self, const GstVideoFrame *in, GstVideoFrame *out)
{
  SrStatus st = gst_sr_upload_frame (self->convert, self->queue, in, 0, 0,
      self->frame_in);
  if (st == SR_OK && self->baseline != GST_SR_UPSCALE_LEARNED)
    st = sr_resample_run (self->resample, self->queue, self->frame_in,
        self->frame_out, &self->rows, &self->cols);
  else if (st == SR_OK && self->frame_out)
    st = sr_tiled_run (self->tiled, self->queue, self->frame_in,
        self->frame_out);
  else if (st == SR_OK) {
    DownloadInto into = { .convert = self->convert, .frame = out };
    gst_sr_packed_layout (GST_VIDEO_FRAME_FORMAT (out), &into.layout);
    st = sr_tiled_run_into (self->tiled, self->queue, self->frame_in,
        download_rect, &into);
  }
  if (st == SR_OK && self->frame_out)
    st = gst_sr_download_frame (self->convert, self->queue, self->frame_out, out,
        SR_ROUND_HALF_EVEN);
  return st;
}

/* ---- frames in flight ---------------------------------------------------------- */

/* Each frame's work is enqueued when it arrives (kernels on `queue`, host
 * copies on `transfer`), and its output goes downstream once
 * frames-in-flight frames are enqueued: the host takes the next frame, and
 * the device's copy engines move one frame while its compute units run
 * another. Serialized events, drains and a renegotiation push the frames
 * in flight first, so nothing is reordered; a flush drops them. */

/* The oldest frame in flight, out of the ring (valid until the next
 * push_frame). */
static GstSrUpscaleFrame *
pop_frame (GstSrUpscale *self)
{
  GstSrUpscaleFrame *f = &self->in_flight[self->first];
  self->first = (self->first + 1) % GST_SR_UPSCALE_MAX_IN_FLIGHT;
  self->n_in_flight--;
  return f;
}

/* The slot after the newest. */
static GstSrUpscaleFrame *
push_frame (GstSrUpscale *self)
{
  GstSrUpscaleFrame *f = &self->in_flight[(self->first + self->n_in_flight++)
      % GST_SR_UPSCALE_MAX_IN_FLIGHT];
  memset (f, 0, sizeof *f);
  return f;
}

/* Waits for the frame's copies to the host. */
static SrStatus
wait_frame (GstSrUpscaleFrame *f)
{
  if (!f->done)
    return SR_OK;
  const SrStatus st = sr_status_from_cl (clWaitForEvents (1, &f->done));
  clReleaseEvent (f->done);
  f->done = NULL;
  return st;
}

/* Lets go of a finished frame's mappings and input. */
static void
release_frame (GstSrUpscaleFrame *f)
{
  gst_video_frame_unmap (&f->in_frame);
  gst_video_frame_unmap (&f->out_frame);
  gst_buffer_unref (f->in);
}

static GstFlowReturn
frame_failed (GstSrUpscale *self, const GstVideoFrame *in, SrStatus st)
{
  GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Upscaling a %dx%d frame with "
          "%s failed: %s", GST_VIDEO_FRAME_WIDTH (in),
          GST_VIDEO_FRAME_HEIGHT (in), self->model, sr_status_name (st)),
      (NULL));
  return GST_FLOW_ERROR;
}

/* The oldest frame in flight, finished (alpha added) into *out. */
static GstFlowReturn
finish_frame (GstSrUpscale *self, GstBuffer **out)
{
  GstSrUpscaleFrame *f = pop_frame (self);
  SrStatus st = wait_frame (f);
  /* After the colour: the download writes alpha 255. */
  if (st == SR_OK && self->alpha_in)
    st = carry_alpha (self, &f->in_frame, &f->out_frame);
  GstFlowReturn ret = st == SR_OK ? GST_FLOW_OK
      : frame_failed (self, &f->in_frame, st);
  release_frame (f);
  if (ret == GST_FLOW_OK) {
    *out = f->out;
    account_latency (self, (g_get_monotonic_time () - f->arrived)
        * GST_USECOND);
  } else
    gst_buffer_unref (f->out);
  return ret;
}

/* The frames in flight, downstream in order. */
static GstFlowReturn
drain (GstSrUpscale *self)
{
  GstFlowReturn ret = GST_FLOW_OK;
  while (self->n_in_flight) {
    GstBuffer *out = NULL;
    const GstFlowReturn r = finish_frame (self, &out);
    if (out && ret == GST_FLOW_OK)
      ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), out);
    else if (out)
      gst_buffer_unref (out);
    if (ret == GST_FLOW_OK)
      ret = r;
  }
  return ret;
}

/* The frames in flight, dropped (a flush, a stop). */
static void
discard (GstSrUpscale *self)
{
  while (self->n_in_flight) {
    GstSrUpscaleFrame *f = pop_frame (self);
    wait_frame (f);
    release_frame (f);
    gst_buffer_unref (f->out);
  }
}

static GstFlowReturn
begin_frame (GstSrUpscale *self, GstBuffer *in)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM (self);
  GstVideoFilter *filter = GST_VIDEO_FILTER (self);
  if (!filter->negotiated) {
    gst_buffer_unref (in);
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("a buffer arrived before the caps"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  GstBuffer *out = NULL;
  GstFlowReturn ret = GST_BASE_TRANSFORM_CLASS
      (gst_sr_upscale_parent_class)->prepare_output_buffer (trans, in, &out);
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref (in);
    return ret;
  }
  GstVideoFrame in_frame, out_frame;
  if (!gst_video_frame_map (&in_frame, &filter->in_info, in, GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Cannot read the input frame"),
        (NULL));
    ret = GST_FLOW_ERROR;
  } else if (!gst_video_frame_map (&out_frame, &filter->out_info, out,
          GST_MAP_WRITE)) {
    gst_video_frame_unmap (&in_frame);
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Cannot write the output "
            "frame"), (NULL));
    ret = GST_FLOW_ERROR;
  }
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref (in);
    gst_buffer_unref (out);
    return ret;
  }
  /* The ring has room: the oldest frame left in generate_output when
   * frames-in-flight (at most its size) were in. */
  GstSrUpscaleFrame *f = push_frame (self);
  f->in = in;
  f->out = out;
  f->in_frame = in_frame;
  f->out_frame = out_frame;
  f->arrived = g_get_monotonic_time ();
  const SrStatus st = enqueue_frame (self, &f->in_frame, &f->out_frame);
  f->done = sr_convert_transfer_marker (self->convert);
  clFlush (self->queue);
  if (st != SR_OK) {
    ret = frame_failed (self, &f->in_frame, st);
    discard (self);
  }
  return ret;
}

/* In place of the base class's: a frame taken in, and the oldest one out
 * once frames-in-flight are on the device. */
static GstFlowReturn
gst_sr_upscale_generate_output (GstBaseTransform *trans, GstBuffer **outbuf)
{
  GstSrUpscale *self = GST_SR_UPSCALE (trans);
  GstBuffer *in = trans->queued_buf;
  trans->queued_buf = NULL;
  *outbuf = NULL;
  if (in) {
    const GstFlowReturn ret = begin_frame (self, in);
    if (ret != GST_FLOW_OK)
      return ret;
  }
  /* With alpha the frame's end waits for the device anyway (carry_alpha):
   * one at a time. */
  const guint depth = self->alpha_in ? 1 : self->frames_in_flight;
  if (self->n_in_flight < depth)
    return GST_FLOW_OK;
  return finish_frame (self, outbuf);
}

/* Late frames in a live pipeline are dropped by the base class (QoS); the
 * frame's time span then goes downstream as a GAP, so that a consumer
 * pairing frames by running time (srpairsink, srmetrics) does not wait for
 * it. */
static GstFlowReturn
gst_sr_upscale_submit_input_buffer (GstBaseTransform *trans, gboolean discont,
    GstBuffer *in)
{
  GstSrUpscale *self = GST_SR_UPSCALE (trans);
  const GstClockTime pts = GST_BUFFER_PTS (in), duration = GST_BUFFER_DURATION (in);
  /* The base class renegotiates here: the frames in flight have the old caps. */
  if (gst_pad_needs_reconfigure (GST_BASE_TRANSFORM_SRC_PAD (trans))) {
    const GstFlowReturn ret = drain (self);
    if (ret != GST_FLOW_OK) {
      gst_buffer_unref (in);
      return ret;
    }
  }
  GstFlowReturn ret = GST_BASE_TRANSFORM_CLASS
      (gst_sr_upscale_parent_class)->submit_input_buffer (trans, discont, in);
  if (ret == GST_BASE_TRANSFORM_FLOW_DROPPED && GST_CLOCK_TIME_IS_VALID (pts)) {
    GST_DEBUG_OBJECT (trans, "late frame at %" GST_TIME_FORMAT " dropped",
        GST_TIME_ARGS (pts));
    ret = drain (self);         /* the earlier frames go first */
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (trans),
        gst_event_new_gap (pts, duration));
    if (ret == GST_FLOW_OK)
      ret = GST_BASE_TRANSFORM_FLOW_DROPPED;
  }
  return ret;
}

static gboolean
gst_sr_upscale_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  GstSrUpscale *self = GST_SR_UPSCALE (trans);
  if (GST_EVENT_TYPE (event) == GST_EVENT_FLUSH_STOP)
    discard (self);
  else if (GST_EVENT_IS_SERIALIZED (event))
    drain (self);               /* the frames before it go before it */
  return GST_BASE_TRANSFORM_CLASS (gst_sr_upscale_parent_class)->sink_event
      (trans, event);
}

/* GstVideoFilter makes a filter without transform_frame in-place; this one
 * writes a new, larger buffer (generate_output). */
static gboolean
gst_sr_upscale_set_caps (GstBaseTransform *trans, GstCaps *incaps,
    GstCaps *outcaps)
{
  const gboolean ok = GST_BASE_TRANSFORM_CLASS
      (gst_sr_upscale_parent_class)->set_caps (trans, incaps, outcaps);
  gst_base_transform_set_in_place (trans, FALSE);
  return ok;
}

/* The output buffers of the frames in flight are held past a chain call:
 * the pool needs that many more. */
static gboolean
gst_sr_upscale_decide_allocation (GstBaseTransform *trans, GstQuery *query)
{
  GstSrUpscale *self = GST_SR_UPSCALE (trans);
  const guint extra = self->frames_in_flight - 1;
  for (guint i = 0; i < gst_query_get_n_allocation_pools (query); i++) {
    GstBufferPool *pool;
    guint size, min, max;
    gst_query_parse_nth_allocation_pool (query, i, &pool, &size, &min, &max);
    gst_query_set_nth_allocation_pool (query, i, pool, size, min + extra,
        max ? max + extra : 0);
    if (pool)
      gst_object_unref (pool);
  }
  return GST_BASE_TRANSFORM_CLASS
      (gst_sr_upscale_parent_class)->decide_allocation (trans, query);
}

/* ---- GObject ------------------------------------------------------------------ */

static void
gst_sr_upscale_set_context (GstElement *element, GstContext *context)
{
  GstSrUpscale *self = GST_SR_UPSCALE (element);
  gst_sr_handle_set_context (element, context, &self->runtime);
  GST_ELEMENT_CLASS (gst_sr_upscale_parent_class)->set_context (element, context);
}

static gboolean
gst_sr_upscale_query (GstBaseTransform *trans, GstPadDirection dir,
    GstQuery *query)
{
  GstSrUpscale *self = GST_SR_UPSCALE (trans);
  if (gst_sr_handle_context_query (GST_ELEMENT (self), query, self->runtime))
    return TRUE;
  if (dir == GST_PAD_SINK && GST_QUERY_TYPE (query) == GST_QUERY_DRAIN)
    drain (self);
  const gboolean ret = GST_BASE_TRANSFORM_CLASS
      (gst_sr_upscale_parent_class)->query (trans, dir, query);
  if (ret && dir == GST_PAD_SRC && GST_QUERY_TYPE (query) == GST_QUERY_LATENCY) {
    gboolean live;
    GstClockTime min, max;
    gst_query_parse_latency (query, &live, &min, &max);
    GST_OBJECT_LOCK (self);
    const GstClockTime ours = self->latency;
    GST_OBJECT_UNLOCK (self);
    gst_query_set_latency (query, live, min + ours,
        GST_CLOCK_TIME_IS_VALID (max) ? max + ours : max);
  }
  return ret;
}

static void
gst_sr_upscale_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstSrUpscale *self = GST_SR_UPSCALE (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model);
      self->model = g_value_dup_string (value);
      if (!self->model)
        self->model = g_strdup (DEFAULT_MODEL);
      self->model_loaded = FALSE;
      break;
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      if (!self->device)
        self->device = g_strdup (DEFAULT_DEVICE);
      break;
    case PROP_TILE_SIZE:
      self->tile_size = g_value_get_uint (value);
      break;
    case PROP_TILE_OVERLAP:
      self->tile_overlap = g_value_get_int (value);
      break;
    case PROP_MEMORY_BUDGET:
      self->memory_budget = g_value_get_uint64 (value);
      break;
    case PROP_SCALE:
      self->scale_prop = g_value_get_int (value);
      self->model_loaded = FALSE;
      break;
    case PROP_PRECISION:
      self->precision = g_value_get_enum (value);
      break;
    case PROP_FRAMES_IN_FLIGHT:
      self->frames_in_flight = g_value_get_uint (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
  if (prop_id == PROP_MODEL || prop_id == PROP_SCALE)
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
}

static void
gst_sr_upscale_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  GstSrUpscale *self = GST_SR_UPSCALE (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_TILE_SIZE:
      g_value_set_uint (value, self->tile_size);
      break;
    case PROP_TILE_OVERLAP:
      g_value_set_int (value, self->tile_overlap);
      break;
    case PROP_MEMORY_BUDGET:
      g_value_set_uint64 (value, self->memory_budget);
      break;
    case PROP_SCALE:
      ensure_model (self);
      g_value_set_int (value, self->scale ? self->scale : self->scale_prop);
      break;
    case PROP_PRECISION:
      g_value_set_enum (value, self->precision);
      break;
    case PROP_FRAMES_IN_FLIGHT:
      g_value_set_uint (value, self->frames_in_flight);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_upscale_finalize (GObject *object)
{
  GstSrUpscale *self = GST_SR_UPSCALE (object);
  gst_sr_upscale_release (self);
  if (self->runtime)
    sr_runtime_unref (self->runtime);
  sr_graph_free (self->graph);
  g_clear_error (&self->model_error);
  g_free (self->model);
  g_free (self->device);
  G_OBJECT_CLASS (gst_sr_upscale_parent_class)->finalize (object);
}

static void
gst_sr_upscale_class_init (GstSrUpscaleClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);

  gobject_class->set_property = gst_sr_upscale_set_property;
  gobject_class->get_property = gst_sr_upscale_get_property;
  gobject_class->finalize = gst_sr_upscale_finalize;

  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Registry name (esrgan-slim-x2/x3/x4/x8, esrgan-medium-*, "
          "esrgan-thick-*, default) or path of a TF.js model.json or a Real-ESRGAN "
          ".safetensors (SRVGGNetCompact, RRDBNet); or the non-learned "
          "baselines bicubic (MATLAB imresize) and lanczos (Pillow's "
          "Lanczos-3), which need scale",
          DEFAULT_MODEL, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "Device",
          "OpenCL device: auto (a GPU if any, else the CPU), cpu, gpu, or P:D",
          DEFAULT_DEVICE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_TILE_SIZE,
      g_param_spec_uint ("tile-size", "Tile size",
          "Input pixels per tile side (0: whole frames, or tiles sized to "
          "memory-budget); see tile-overlap", 0, 65536, DEFAULT_TILE_SIZE,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_TILE_OVERLAP,
      g_param_spec_int ("tile-overlap", "Tile overlap",
          "Input pixels each tile reads beyond its sides (-1: the network's "
          "receptive radius, so the output does not depend on the tiles; "
          "when that would compute over 2x the frame's pixels within "
          "memory-budget, the largest overlap that does not, but at least 64, "
          "said on the bus; at most the radius is used)", -1, 65536, DEFAULT_TILE_OVERLAP,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_MEMORY_BUDGET,
      g_param_spec_uint64 ("memory-budget", "Memory budget",
          "Device bytes the network may hold when tile-size is 0: its "
          "weights and its intermediate values", 1 << 20, G_MAXUINT64, DEFAULT_MEMORY_BUDGET,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_SCALE,
      g_param_spec_int ("scale", "Scale",
          "Upscaling factor: required (2..8) for model=bicubic and "
          "model=lanczos; a learned model's own (0: take it; another value "
          "is an error at start). Reads the factor in use (0 when no model "
          "is loaded)", 0, 16, 0,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_PRECISION,
      g_param_spec_enum ("precision", "Precision",
          "How the network stores the values between its layers: fp32, or "
          "fp16 (half the memory, so larger tiles under memory-budget; "
          "float32 arithmetic, within 0.2 of an 8-bit level of fp32; on CPU "
          "devices slower, see docs/models.md). The bicubic and lanczos "
          "baselines always run in float32", GST_TYPE_SR_PRECISION,
          GST_SR_PRECISION_FP32,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_FRAMES_IN_FLIGHT,
      g_param_spec_uint ("frames-in-flight", "Frames in flight",
          "Frames on the device at once: 1 finishes each frame before taking "
          "the next; 2 takes the next frame while the device still computes "
          "one and copies it back (the host's and the device's work overlap, "
          "and a GPU's copies overlap its kernels), holding one frame more: "
          "one frame interval more latency. Formats with alpha run one at a "
          "time", 1, GST_SR_UPSCALE_MAX_IN_FLIGHT, DEFAULT_FRAMES_IN_FLIGHT,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  gst_type_mark_as_plugin_api (GST_TYPE_SR_PRECISION, 0);

  gst_element_class_set_static_metadata (element_class,
      "Super-resolution upscaler", "Filter/Effect/Video/Scaler",
      "Upscales video with a pretrained super-resolution network on OpenCL",
      "gst-sr");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  element_class->set_context = gst_sr_upscale_set_context;

  trans_class->transform_caps = gst_sr_upscale_transform_caps;
  trans_class->start = gst_sr_upscale_start;
  trans_class->stop = gst_sr_upscale_stop;
  trans_class->query = gst_sr_upscale_query;
  trans_class->submit_input_buffer = gst_sr_upscale_submit_input_buffer;
  trans_class->generate_output = gst_sr_upscale_generate_output;
  trans_class->sink_event = gst_sr_upscale_sink_event;
  trans_class->decide_allocation = gst_sr_upscale_decide_allocation;
  trans_class->set_caps = gst_sr_upscale_set_caps;
  filter_class->set_info = gst_sr_upscale_set_info;

  GST_DEBUG_CATEGORY_INIT (gst_sr_upscale_debug, "srupscale", 0,
      "super-resolution upscaler");
}

static void
gst_sr_upscale_init (GstSrUpscale *self)
{
  self->model = g_strdup (DEFAULT_MODEL);
  self->device = g_strdup (DEFAULT_DEVICE);
  self->tile_size = DEFAULT_TILE_SIZE;
  self->tile_overlap = DEFAULT_TILE_OVERLAP;
  self->memory_budget = DEFAULT_MEMORY_BUDGET;
  self->frames_in_flight = DEFAULT_FRAMES_IN_FLIGHT;
  gst_base_transform_set_qos_enabled (GST_BASE_TRANSFORM (self), TRUE);
}
