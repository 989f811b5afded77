/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srundertrained: the undertrained-reconstruction degradation as an
 * element. HR in, LR out at 1/scale (frames cropped to a multiple of scale,
 * top-left anchored, as srdegrade does), the caps and frame indices of
 * srdegrade (shared modules), one VQ-VAE checkpoint per frame (`model`, or
 * one of `mix` drawn from seed and frame), an optional colour fix, and a
 * colour gate: with max-delta-e, a frame whose LR differs from the plainly
 * downsampled HR by more (mean CIEDE2000) is dropped with a GAP event in
 * its place (srpairsink then skips its HR) or only flagged.
 *
 * Each LR frame's GstSrDegradationMeta gets the steps: a `resize` (MATLAB
 * bicubic down, when scale > 1) and `undertrained` (model, epochs, codebook
 * usage, delta-e before and after the fix, color-fix, color-shift when
 * flagged), after whatever upstream elements recorded; frame, scale, crop,
 * preset and seed are set when no element upstream set them (a scale
 * upstream is multiplied by ours). docs/elements.md has the reference. */
#include "gstsrundertrained.h"
#include "gstsrcontext.h"
#include "gstsrmeta.h"
#include "gstsrvideo.h"
#include "sr_registry.h"

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_sr_undertrained_debug);
#define GST_CAT_DEFAULT gst_sr_undertrained_debug

enum {
  PROP_0,
  PROP_MODEL,
  PROP_MIX,
  PROP_SCALE,
  PROP_SEED,
  PROP_COLOR_FIX,
  PROP_MAX_DELTA_E,
  PROP_ON_COLOR_SHIFT,
  PROP_DEVICE,
  PROP_TILE_SIZE,
  PROP_MEMORY_BUDGET,
};

#define DEFAULT_MODEL "vqvae2-ep8"
#define DEFAULT_SCALE 4
#define DEFAULT_DEVICE "auto"
#define DEFAULT_MEMORY_BUDGET (512 * 1024 * 1024ull)
/* The smallest LR side: VQ-VAE-2 pads to a multiple of 8 by reflection,
 * which needs a side of at least 5; 8 keeps a whole code at the top
 * level. */
#define MIN_LR_SIDE 8

#define GST_TYPE_SR_COLOR_FIX (gst_sr_color_fix_get_type ())
static GType
gst_sr_color_fix_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {SR_COLOR_FIX_NONE, "No correction (the paper's method)", "none"},
    {SR_COLOR_FIX_MEAN, "Lab means moved to the downsampled input's",
        "mean"},
    {SR_COLOR_FIX_MEANSTD, "Lab means and spreads matched to the "
          "downsampled input's", "meanstd"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrColorFix",
            values));
  return type;
}

#define GST_TYPE_SR_COLOR_SHIFT (gst_sr_color_shift_get_type ())
static GType
gst_sr_color_shift_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SR_COLOR_SHIFT_DROP, "Drop the frame (a GAP event in its place)",
        "drop"},
    {GST_SR_COLOR_SHIFT_FLAG, "Keep it, marked color-shift in the meta",
        "flag"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrColorShift",
            values));
  return type;
}

#define CAPS_STR GST_VIDEO_CAPS_MAKE (GST_SR_VIDEO_FORMATS)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));

#define gst_sr_undertrained_parent_class parent_class
G_DEFINE_TYPE (GstSrUndertrained, gst_sr_undertrained, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (srundertrained, "srundertrained", GST_RANK_NONE,
    GST_TYPE_SR_UNDERTRAINED);

/* ---- caps ---------------------------------------------------------------- */

static void
set_size_floor (GstSrUndertrained *self)
{
  gst_sr_size_limit_set (&self->hr_limit, MIN_LR_SIDE * self->scale, 1);
  gst_sr_size_limit_set (&self->lr_limit, MIN_LR_SIDE, 1);
}

static GstCaps *
gst_sr_undertrained_transform_caps (GstBaseTransform *trans,
    GstPadDirection dir, GstCaps *caps, GstCaps *filter)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (trans);
  GST_OBJECT_LOCK (self);
  const int s = self->scale;
  GST_OBJECT_UNLOCK (self);
  GstCaps *out = gst_sr_size_limit_apply (dir == GST_PAD_SINK
      ? &self->lr_limit : &self->hr_limit, gst_sr_scale_caps (caps, s, FALSE,
          dir));
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, out,
        GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (out);
    out = tmp;
  }
  return out;
}

static GstCaps *
gst_sr_undertrained_fixate_caps (GstBaseTransform *trans,
    GstPadDirection dir, GstCaps *caps, GstCaps *othercaps)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (trans);
  othercaps = gst_caps_truncate (gst_caps_make_writable (othercaps));
  GstStructure *in = gst_caps_get_structure (caps, 0);
  GstStructure *out = gst_caps_get_structure (othercaps, 0);
  int w, h;
  if (dir == GST_PAD_SINK && gst_structure_get_int (in, "width", &w)
      && gst_structure_get_int (in, "height", &h)) {
    gst_structure_fixate_field_nearest_int (out, "width",
        MAX (w / self->scale, 1));
    gst_structure_fixate_field_nearest_int (out, "height",
        MAX (h / self->scale, 1));
  }
  return gst_caps_fixate (othercaps);
}

/* Posts, once per run, why frames of `caps`' size cannot be degraded. */
static void
refuse_size (GstSrUndertrained *self, const GstCaps *caps)
{
  if (!gst_sr_size_limit_first_refusal (&self->hr_limit))
    return;
  gchar *size = gst_sr_caps_size_string (caps);
  const int min = g_atomic_int_get (&self->hr_limit.min);
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("Frame %s is too small for "
          "srundertrained scale=%d: the smallest accepted frame is %dx%d "
          "(LR sides of at least %d)", size, self->scale, min, min,
          MIN_LR_SIDE), ("refused at caps negotiation: %" GST_PTR_FORMAT,
          caps));
  g_free (size);
}

static gboolean
gst_sr_undertrained_query (GstBaseTransform *trans, GstPadDirection dir,
    GstQuery *query)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (trans);
  if (gst_sr_handle_context_query (GST_ELEMENT (self), query, self->runtime))
    return TRUE;
  const gboolean ret = GST_BASE_TRANSFORM_CLASS (parent_class)->query (trans,
      dir, query);
  GstCaps *refused;
  if (dir == GST_PAD_SINK
      && (refused = gst_sr_size_limit_refused (&self->hr_limit, query)))
    refuse_size (self, refused);
  return ret;
}

static gboolean
gst_sr_undertrained_set_info (GstVideoFilter *filter, GstCaps *incaps,
    GstVideoInfo *in, GstCaps *outcaps, GstVideoInfo *out)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (filter);
  (void) outcaps;
  const int s = self->scale;
  const int cw = in->width - in->width % s, ch = in->height - in->height % s;
  if (!gst_sr_size_limit_allows (&self->hr_limit, incaps)) {
    refuse_size (self, incaps);
    return FALSE;
  }
  if (out->width != cw / s || out->height != ch / s) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, ("Output caps must be %dx%d "
            "(input %dx%d, scale=%d)", cw / s, ch / s, in->width, in->height,
            s), (NULL));
    return FALSE;
  }
  /* Planning may measure the models' kernels on a new device: say so. */
  GError *error = NULL;
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_progress (GST_OBJECT (self), GST_PROGRESS_TYPE_START,
          "plan", "Planning the models for this frame size (the first use "
          "on a device measures their kernels; cached in ~/.cache/gst-sr)"));
  const gboolean ok = sr_undertrained_plan (self->degrader, cw, ch, &error);
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_progress (GST_OBJECT (self), ok
          ? GST_PROGRESS_TYPE_COMPLETE : GST_PROGRESS_TYPE_ERROR, "plan",
          ok ? "Planned" : "Planning failed"));
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("Cannot run the models on "
            "%dx%d frames: %s", cw / s, ch / s, error->message), (NULL));
    g_clear_error (&error);
    return FALSE;
  }
  if (cw != in->width || ch != in->height)
    GST_INFO_OBJECT (self, "cropping %dx%d to %dx%d (a multiple of scale=%d)",
        in->width, in->height, cw, ch, s);
  return TRUE;
}

/* ---- runtime ------------------------------------------------------------- */

static void
release (GstSrUndertrained *self)
{
  if (self->queue)
    clFinish (self->queue);
  g_clear_pointer (&self->hr, sr_tensor_unref);
  g_clear_pointer (&self->degrader, sr_undertrained_free);
  g_clear_pointer (&self->convert, sr_convert_free);
  if (self->queue)
    clReleaseCommandQueue (self->queue);
  self->queue = NULL;
}

static gboolean
gst_sr_undertrained_start (GstBaseTransform *trans)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (trans);
  GError *error = NULL;
  GST_OBJECT_LOCK (self);
  gchar **names = self->mix && *self->mix
      ? g_strsplit (self->mix, ",", -1) : g_strsplit (self->model, ",", 1);
  const SrUndertrainedConfig cfg = {
    .scale = self->scale,.color_fix = self->color_fix,
    /* CIELAB and CIEDE2000 in double cost about twice the network (100 ms
     * a 480x270 frame here): measured when a fix or the gate needs them. */
    .measure_color = self->color_fix != SR_COLOR_FIX_NONE
        || self->max_delta_e > 0,
    .seed = self->seed,.tile_size = self->tile_size,
    .memory_budget = self->memory_budget
  };
  gchar *device = g_strdup (self->device);
  GST_OBJECT_UNLOCK (self);
  int n = 0;
  for (gchar **p = names; *p; p++)
    if (*g_strstrip (*p))
      names[n++] = *p;
    else
      g_free (*p);
  names[n] = NULL;
  gboolean ok = n > 0;
  if (!ok)
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("mix names no model"),
        (NULL));
  ok = ok && gst_sr_element_open (GST_ELEMENT (self), device, &self->runtime,
      &self->queue);
  g_free (device);
  if (ok) {
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_progress (GST_OBJECT (self), GST_PROGRESS_TYPE_START,
            "prepare", "Loading the models and building their kernels"));
    ok = (self->convert = sr_convert_new (self->runtime, &error))
        && (self->degrader = sr_undertrained_new (self->runtime,
            (const char *const *) names, n, &cfg, &error));
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_progress (GST_OBJECT (self), ok
            ? GST_PROGRESS_TYPE_COMPLETE : GST_PROGRESS_TYPE_ERROR,
            "prepare", ok ? "Models ready" : "Loading failed"));
    if (!ok && error && error->domain == SR_MODEL_ERROR) {
      gchar **folders = sr_registry_folders ();
      gchar *searched = g_strjoinv (":", folders);
      GST_ELEMENT_ERROR (self, RESOURCE, NOT_FOUND, ("Cannot load the "
              "model: %s", error->message), ("model folders searched: %s",
              searched));
      g_free (searched);
      g_strfreev (folders);
    } else if (!ok) {
      gst_sr_post_runtime_error (GST_ELEMENT (self), error);
    }
    g_clear_error (&error);
  }
  g_strfreev (names);
  if (!ok) {
    release (self);
    return FALSE;
  }
  gst_sr_frame_counter_reset (&self->frames);
  set_size_floor (self);
  self->dropped = 0;
  GST_INFO_OBJECT (self, "scale=%d, %d model(s), color-fix=%s on %s",
      self->scale, n, sr_color_fix_name (self->color_fix),
      sr_runtime_describe (self->runtime));
  return TRUE;
}

static gboolean
gst_sr_undertrained_stop (GstBaseTransform *trans)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (trans);
  if (self->dropped)
    GST_INFO_OBJECT (self, "%" G_GUINT64_FORMAT " frames dropped for their "
        "colour shift", self->dropped);
  release (self);
  return TRUE;
}

static void
gst_sr_undertrained_set_context (GstElement *element, GstContext *context)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (element);
  gst_sr_handle_set_context (element, context, &self->runtime);
  GST_ELEMENT_CLASS (parent_class)->set_context (element, context);
}

static gboolean
gst_sr_undertrained_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (trans);
  gst_sr_frame_counter_event (&self->frames, &GST_VIDEO_FILTER (self)->in_info,
      event);
  return GST_BASE_TRANSFORM_CLASS (parent_class)->sink_event (trans, event);
}

/* ---- per frame ----------------------------------------------------------- */

/* The LR frame's `sr-degradation`: the steps upstream recorded, then ours;
 * the frame's identity where nobody upstream gave it. */
static GstStructure *
build_info (GstSrUndertrained *self, GstBuffer *inbuf, guint64 frame, int cw,
    int ch)
{
  GstStructure *info = gst_sr_degradation_info_from (inbuf);
  int upstream = 1;
  gst_structure_get_int (info, "scale", &upstream);
  gst_structure_set (info, "scale", G_TYPE_INT, upstream * self->scale, NULL);
  if (!gst_structure_has_field (info, "frame"))
    gst_structure_set (info, "frame", G_TYPE_UINT64, frame, NULL);
  if (!gst_structure_has_field (info, "preset"))
    gst_structure_set (info, "preset", G_TYPE_STRING, "undertrained", NULL);
  if (!gst_structure_has_field (info, "seed"))
    gst_structure_set (info, "seed", G_TYPE_UINT64, self->seed, NULL);
  if (!gst_structure_has_field (info, "crop")) {
    const int crop[4] = { 0, 0, cw, ch };
    GValue crop_v = gst_sr_int_array (crop, 4);
    gst_structure_take_value (info, "crop", &crop_v);
  }
  gst_sr_degradation_append_record (info, &self->record);
  return info;
}

static GstFlowReturn
gst_sr_undertrained_transform_frame (GstVideoFilter *filter,
    GstVideoFrame *in, GstVideoFrame *out)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (filter);
  const int s = self->scale;
  const int cw = GST_VIDEO_FRAME_WIDTH (in) / s * s;
  const int ch = GST_VIDEO_FRAME_HEIGHT (in) / s * s;
  const guint64 frame = gst_sr_frame_counter_next (&self->frames,
      &filter->in_info, in->buffer);
  SrUndertrainedResult res;
  SrTensor *lr = NULL;
  SrStatus st = SR_OK;
  SrTensor *hr = sr_tensor_reuse (self->runtime, self->queue, &self->hr, 1, 3,
      ch, cw, SR_DTYPE_F32);
  sr_record_clear (&self->record);
  if (!hr)
    st = SR_ERR_OUT_OF_DEVICE_MEMORY;
  if (st == SR_OK)
    st = gst_sr_upload_frame (self->convert, self->queue, in, 0, 0, hr);
  if (st == SR_OK)
    st = sr_undertrained_run (self->degrader, self->queue, hr, frame, &lr,
        &self->record, &res);
  if (st != SR_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Degrading frame %"
            G_GUINT64_FORMAT " failed: %s", frame, sr_status_name (st)),
        (NULL));
    return GST_FLOW_ERROR;
  }
  const gboolean shifted = self->max_delta_e > 0
      && !(res.delta_e_fixed <= self->max_delta_e);
  if (shifted && self->on_color_shift == GST_SR_COLOR_SHIFT_DROP) {
    /* The frame's time goes on as a GAP, so a consumer pairing by running
     * time (srpairsink) skips its HR instead of waiting for it. */
    GST_DEBUG_OBJECT (self, "frame %" G_GUINT64_FORMAT ": delta-e %.3f > "
        "max-delta-e %.3f, dropped", frame, res.delta_e_fixed,
        self->max_delta_e);
    self->dropped++;
    gst_pad_push_event (GST_BASE_TRANSFORM_SRC_PAD (self),
        gst_event_new_gap (GST_BUFFER_PTS (in->buffer),
            GST_BUFFER_DURATION (in->buffer)));
    return GST_BASE_TRANSFORM_FLOW_DROPPED;
  }
  if (shifted) {
    SrOpRecord *op = &self->record.ops[self->record.n_ops - 1];
    sr_op_bool (op, "color-shift", TRUE);
  }
  st = gst_sr_download_frame (self->convert, self->queue, lr, out,
      SR_ROUND_HALF_EVEN);
  if (st != SR_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Writing LR frame %"
            G_GUINT64_FORMAT " failed: %s", frame, sr_status_name (st)),
        (NULL));
    return GST_FLOW_ERROR;
  }
  gst_buffer_add_sr_degradation_meta (out->buffer, build_info (self,
          in->buffer, frame, cw, ch));
  return GST_FLOW_OK;
}

/* ---- properties ------------------------------------------------------------ */

static void
gst_sr_undertrained_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_free (self->model);
      self->model = g_value_dup_string (value);
      if (!self->model)
        self->model = g_strdup (DEFAULT_MODEL);
      break;
    case PROP_MIX:
      g_free (self->mix);
      self->mix = g_value_dup_string (value);
      break;
    case PROP_SCALE:
      self->scale = g_value_get_int (value);
      set_size_floor (self);
      break;
    case PROP_SEED:
      self->seed = g_value_get_uint64 (value);
      break;
    case PROP_COLOR_FIX:
      self->color_fix = g_value_get_enum (value);
      break;
    case PROP_MAX_DELTA_E:
      self->max_delta_e = g_value_get_double (value);
      break;
    case PROP_ON_COLOR_SHIFT:
      self->on_color_shift = g_value_get_enum (value);
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
    case PROP_MEMORY_BUDGET:
      self->memory_budget = g_value_get_uint64 (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_undertrained_get_property (GObject *object, guint prop_id,
    GValue *value, GParamSpec *pspec)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_MODEL:
      g_value_set_string (value, self->model);
      break;
    case PROP_MIX:
      g_value_set_string (value, self->mix);
      break;
    case PROP_SCALE:
      g_value_set_int (value, self->scale);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->seed);
      break;
    case PROP_COLOR_FIX:
      g_value_set_enum (value, self->color_fix);
      break;
    case PROP_MAX_DELTA_E:
      g_value_set_double (value, self->max_delta_e);
      break;
    case PROP_ON_COLOR_SHIFT:
      g_value_set_enum (value, self->on_color_shift);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_TILE_SIZE:
      g_value_set_uint (value, self->tile_size);
      break;
    case PROP_MEMORY_BUDGET:
      g_value_set_uint64 (value, self->memory_budget);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_undertrained_finalize (GObject *object)
{
  GstSrUndertrained *self = GST_SR_UNDERTRAINED (object);
  g_free (self->model);
  g_free (self->mix);
  g_free (self->device);
  G_OBJECT_CLASS (parent_class)->finalize (object);
}

static void
gst_sr_undertrained_class_init (GstSrUndertrainedClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;
  gobject_class->set_property = gst_sr_undertrained_set_property;
  gobject_class->get_property = gst_sr_undertrained_get_property;
  gobject_class->finalize = gst_sr_undertrained_finalize;
  g_object_class_install_property (gobject_class, PROP_MODEL,
      g_param_spec_string ("model", "Model",
          "Registry name (vqvae2-ep4, vqvae2-ep8, vqvae2-ep16, vqvae-ep8) or "
          "path of a VQ-VAE-2 / VQ-VAE .safetensors checkpoint",
          DEFAULT_MODEL, rw));
  g_object_class_install_property (gobject_class, PROP_MIX,
      g_param_spec_string ("mix", "Mix",
          "Comma-separated models; each frame takes one, drawn from seed and "
          "frame (replaces model when set)", NULL, rw));
  g_object_class_install_property (gobject_class, PROP_SCALE,
      g_param_spec_int ("scale", "Scale",
          "LR is HR/scale through MATLAB's bicubic imresize before the model "
          "(1: the input is LR already). Frames are cropped to a multiple of "
          "it (top-left anchored)", 1, 8, DEFAULT_SCALE, rw));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed",
          "Seed of the model draw when mixing", 0, G_MAXUINT64, 0, rw));
  g_object_class_install_property (gobject_class, PROP_COLOR_FIX,
      g_param_spec_enum ("color-fix", "Colour fix",
          "Colour correction of the reconstruction in CIELAB, towards the "
          "downsampled input", GST_TYPE_SR_COLOR_FIX, SR_COLOR_FIX_NONE, rw));
  g_object_class_install_property (gobject_class, PROP_MAX_DELTA_E,
      g_param_spec_double ("max-delta-e", "Max delta E",
          "Largest mean CIEDE2000 between LR and the downsampled HR (after the "
          "colour fix) a frame may have; 0: no gate", 0, 100, 0, rw));
  g_object_class_install_property (gobject_class, PROP_ON_COLOR_SHIFT,
      g_param_spec_enum ("on-color-shift", "On colour shift",
          "What happens to a frame over max-delta-e",
          GST_TYPE_SR_COLOR_SHIFT, GST_SR_COLOR_SHIFT_DROP, rw));
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "OpenCL device",
          "auto (a GPU if present, else the CPU), cpu, gpu, or P:D",
          DEFAULT_DEVICE, rw));
  g_object_class_install_property (gobject_class, PROP_TILE_SIZE,
      g_param_spec_uint ("tile-size", "Tile size",
          "LR pixels per tile side (0: automatic from memory-budget)", 0,
          65536, 0, rw));
  g_object_class_install_property (gobject_class, PROP_MEMORY_BUDGET,
      g_param_spec_uint64 ("memory-budget", "Memory budget",
          "Device bytes a model's intermediate values may take when "
          "tile-size is 0", 1 << 20, G_MAXUINT64, DEFAULT_MEMORY_BUDGET, rw));
  gst_element_class_set_static_metadata (element_class,
      "SR undertrained degradation", "Filter/Effect/Video",
      "Degrades HR video into LR (1/scale) through an undertrained VQ-VAE "
      "reconstruction, recording the step", "gst-sr developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  element_class->set_context = gst_sr_undertrained_set_context;
  trans_class->transform_caps = gst_sr_undertrained_transform_caps;
  trans_class->fixate_caps = gst_sr_undertrained_fixate_caps;
  trans_class->start = gst_sr_undertrained_start;
  trans_class->stop = gst_sr_undertrained_stop;
  trans_class->query = gst_sr_undertrained_query;
  trans_class->sink_event = gst_sr_undertrained_sink_event;
  filter_class->set_info = gst_sr_undertrained_set_info;
  filter_class->transform_frame = gst_sr_undertrained_transform_frame;
  gst_type_mark_as_plugin_api (GST_TYPE_SR_COLOR_FIX, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SR_COLOR_SHIFT, 0);
  GST_DEBUG_CATEGORY_INIT (gst_sr_undertrained_debug, "srundertrained", 0,
      "SR undertrained degradation");
}

static void
gst_sr_undertrained_init (GstSrUndertrained *self)
{
  self->model = g_strdup (DEFAULT_MODEL);
  self->scale = DEFAULT_SCALE;
  self->device = g_strdup (DEFAULT_DEVICE);
  self->memory_budget = DEFAULT_MEMORY_BUDGET;
  set_size_floor (self);
}
