/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srdegrade: the field's degradation pipelines on OpenCL.
 *
 * HR frame -> mod-crop to a multiple of `scale` (top-left anchored, recorded
 * in `crop`) -> upload -> preset chain (models/sr_degrade.c) -> download.
 * Output caps are the cropped size / scale; timestamps are kept, so the LR
 * frame pairs with its HR frame by running time downstream. */
#include "gstsrdegrade.h"
#include "gstsrcodecs.h"
#include "gstsrcodecstream.h"
#include "gstsrcontext.h"
#include "gstsrmeta.h"
#include "gstsrsize.h"
#include "gstsrvideo.h"
#include "sr_custom_config.h"

#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_sr_degrade_debug);
#define GST_CAT_DEFAULT gst_sr_degrade_debug

static GstFlowReturn clip_finish (GstSrDegrade *self);
static void clip_drop (GstSrDegrade *self);

enum {
  PROP_0,
  PROP_PRESET,
  PROP_SCALE,
  PROP_SEED,
  PROP_NOISE,
  PROP_JPEG,
  PROP_DEVICE,
  PROP_CLIP_LENGTH,
  PROP_VIDEO_COMPRESSION,
  PROP_SCENE_CUT,
  PROP_CONFIG,
  PROP_STAGES,
  PROP_CUSTOM_FIRST,
};

#define CUSTOM_ONLY " (preset=custom only; unset: from config, else Real-ESRGAN x4plus)"

/* The most tuned keys of the custom chain, as string properties: numbers
 * separated by ',' (or ';'), parsed and checked at start so that the error
 * names the property. Strings rather than GstValueArray keep the
 * gst-launch syntax short (jpeg-range1=60,95). stage -1: one value for both
 * stages, or two (stage 1, stage 2); 0: a [degradation] key. */
static const struct {
  const char *name, *nick, *blurb;
  int stage;
  const char *key;
} custom_props[] = {
  {"resize-prob1", "Stage 1 resize probabilities",
      "Stage 1 up,down,keep weights, e.g. 0.2,0.7,0.1" CUSTOM_ONLY, 1, "resize-prob"},
  {"resize-prob2", "Stage 2 resize probabilities",
      "Stage 2 up,down,keep weights, e.g. 0.3,0.4,0.3" CUSTOM_ONLY, 2, "resize-prob"},
  {"resize-range1", "Stage 1 resize range",
      "Stage 1 resize factors min,max (min <= 1 <= max), e.g. 0.15,1.5" CUSTOM_ONLY,
      1, "resize-range"},
  {"resize-range2", "Stage 2 resize range",
      "Stage 2 resize factors min,max (min <= 1 <= max), e.g. 0.3,1.2" CUSTOM_ONLY,
      2, "resize-range"},
  {"noise-range1", "Stage 1 noise range",
      "Stage 1 Gaussian noise sigma min,max in 0..255 units, e.g. 1,30" CUSTOM_ONLY,
      1, "noise-range"},
  {"noise-range2", "Stage 2 noise range",
      "Stage 2 Gaussian noise sigma min,max in 0..255 units, e.g. 1,25" CUSTOM_ONLY,
      2, "noise-range"},
  {"poisson-scale-range1", "Stage 1 Poisson range",
      "Stage 1 Poisson noise scale min,max, e.g. 0.05,3" CUSTOM_ONLY, 1,
      "poisson-scale-range"},
  {"poisson-scale-range2", "Stage 2 Poisson range",
      "Stage 2 Poisson noise scale min,max, e.g. 0.05,2.5" CUSTOM_ONLY, 2,
      "poisson-scale-range"},
  {"jpeg-range1", "Stage 1 JPEG range",
      "Stage 1 JPEG quality min,max in 1..100, e.g. 30,95" CUSTOM_ONLY, 1, "jpeg-range"},
  {"jpeg-range2", "Final JPEG range",
      "Final JPEG quality min,max in 1..100, e.g. 30,95 (Real-ESRGAN's "
      "jpeg_range2: stage 2 has no JPEG of its own)" CUSTOM_ONLY, 2,
      "jpeg-range"},
  {"blur-sigma1", "Stage 1 blur sigma",
      "Stage 1 blur kernel sigma min,max, e.g. 0.2,3" CUSTOM_ONLY, 1, "blur-sigma"},
  {"blur-sigma2", "Stage 2 blur sigma",
      "Stage 2 blur kernel sigma min,max, e.g. 0.2,1.5" CUSTOM_ONLY, 2, "blur-sigma"},
  {"gaussian-noise-prob", "Gaussian noise probability",
      "Probability of Gaussian (else Poisson) noise: one value for both stages "
      "or stage1,stage2, e.g. 0.5" CUSTOM_ONLY, -1, "gaussian-noise-prob"},
  {"gray-noise-prob", "Gray noise probability",
      "Probability of gray (one channel) noise: one value for both stages or "
      "stage1,stage2, e.g. 0.4" CUSTOM_ONLY, -1, "gray-noise-prob"},
  {"sinc-prob", "Sinc kernel probability",
      "Probability of a sinc blur kernel: one value for both stages or "
      "stage1,stage2, e.g. 0.1" CUSTOM_ONLY, -1, "sinc-prob"},
  {"second-blur-prob", "Second blur probability",
      "Probability that stage 2 blurs, e.g. 0.8" CUSTOM_ONLY, 0, "second-blur-prob"},
  {"final-sinc-prob", "Final sinc probability",
      "Probability of the final sinc filter, e.g. 0.8" CUSTOM_ONLY, 0, "final-sinc-prob"},
};
G_STATIC_ASSERT (G_N_ELEMENTS (custom_props) == GST_SR_DEGRADE_N_CUSTOM);

#define DEFAULT_PRESET SR_PRESET_BICUBIC
#define DEFAULT_SCALE 4
#define DEFAULT_SEED 0
#define DEFAULT_DEVICE "auto"

#define GST_TYPE_SR_PRESET (gst_sr_preset_get_type ())
static GType
gst_sr_preset_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {SR_PRESET_BICUBIC, "MATLAB bicubic imresize (classic DIV2K-style pairs)", "bicubic"},
    {SR_PRESET_REALESRGAN, "Real-ESRGAN second-order degradation", "realesrgan"},
    {SR_PRESET_BSRGAN, "BSRGAN shuffled degradation", "bsrgan"},
    {SR_PRESET_BSRGAN_PLUS, "BSRGAN+ (13 shuffled slots)", "bsrgan-plus"},
    {SR_PRESET_HGGT, "HGGT moderate single stage", "hggt"},
    {SR_PRESET_CUSTOM, "Custom ranges from properties or a config file", "custom"},
    {SR_PRESET_REALBASICVSR, "RealBasicVSR's video degradations, per clip", "realbasicvsr"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrPreset", values));
  return type;
}

#define GST_TYPE_SR_JPEG_VARIANT (gst_sr_jpeg_variant_get_type ())
static GType
gst_sr_jpeg_variant_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {SR_JPEG_DIFFJPEG, "DiffJPEG with the standard table orientation", "diffjpeg"},
    {SR_JPEG_DIFFJPEG_BASICSR, "DiffJPEG exactly as BasicSR (transposed luminance table)",
        "diffjpeg-basicsr"},
    {SR_JPEG_LIBJPEG, "Integer tables and 8-bit round trip, like real encoders", "libjpeg"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrJpegVariant", values));
  return type;
}

#define CAPS_STR GST_VIDEO_CAPS_MAKE (GST_SR_VIDEO_FORMATS)

static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));

G_DEFINE_TYPE (GstSrDegrade, gst_sr_degrade, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (srdegrade, "srdegrade", GST_RANK_NONE,
    GST_TYPE_SR_DEGRADE);

/* ---- caps ---------------------------------------------------------------- */

static GstCaps *
gst_sr_degrade_transform_caps (GstBaseTransform *trans, GstPadDirection dir,
    GstCaps *caps, GstCaps *filter)
{
  GstSrDegrade *self = GST_SR_DEGRADE (trans);
  GST_OBJECT_LOCK (self);
  const int s = self->config.scale;
  GST_OBJECT_UNLOCK (self);
  GstCaps *out = gst_sr_scale_caps (caps, s, FALSE, dir);
  /* Sizes below the preset's floor are refused here, so that an upstream
   * with a choice picks one that works and one without fails to negotiate. */
  out = gst_sr_size_limit_apply (dir == GST_PAD_SINK ? &self->lr_limit
      : &self->hr_limit, out);
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, out, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (out);
    out = tmp;
  }
  GST_DEBUG_OBJECT (self, "%s %" GST_PTR_FORMAT " -> %" GST_PTR_FORMAT,
      dir == GST_PAD_SINK ? "sink" : "src", caps, out);
  return out;
}

static GstCaps *
gst_sr_degrade_fixate_caps (GstBaseTransform *trans, GstPadDirection dir,
    GstCaps *caps, GstCaps *othercaps)
{
  GstSrDegrade *self = GST_SR_DEGRADE (trans);
  othercaps = gst_caps_truncate (gst_caps_make_writable (othercaps));
  GstStructure *in = gst_caps_get_structure (caps, 0);
  GstStructure *out = gst_caps_get_structure (othercaps, 0);
  int w, h;
  if (dir == GST_PAD_SINK && gst_structure_get_int (in, "width", &w)
      && gst_structure_get_int (in, "height", &h)) {
    int lw, lh;
    sr_degrade_lr_size (&self->config, w, h, &lw, &lh);
    gst_structure_fixate_field_nearest_int (out, "width", MAX (lw, 1));
    gst_structure_fixate_field_nearest_int (out, "height", MAX (lh, 1));
  }
  return gst_caps_fixate (othercaps);
}

/* Posts, once per run, why frames of `caps`' size cannot be degraded. */
static void
gst_sr_degrade_refuse_size (GstSrDegrade *self, const GstCaps *caps)
{
  if (!gst_sr_size_limit_first_refusal (&self->hr_limit))
    return;
  gchar *size = gst_sr_caps_size_string (caps);
  const int min = g_atomic_int_get (&self->hr_limit.min);
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
      ("Frame %s is too small for preset=%s scale=%d: the smallest accepted "
          "frame is %dx%d", size, sr_preset_name (self->config.preset),
          self->config.scale, min, min),
      ("refused at caps negotiation: %" GST_PTR_FORMAT, caps));
  g_free (size);
}

static gboolean
gst_sr_degrade_set_info (GstVideoFilter *filter, GstCaps *incaps,
    GstVideoInfo *in, GstCaps *outcaps, GstVideoInfo *out)
{
  GstSrDegrade *self = GST_SR_DEGRADE (filter);
  (void) outcaps;
  const int s = self->config.scale;
  const int cw = in->width - in->width % s, ch = in->height - in->height % s;

  /* Negotiation refuses these sizes already; caps set without a query
   * still end here. */
  if (!gst_sr_size_limit_allows (&self->hr_limit, incaps)) {
    gst_sr_degrade_refuse_size (self, incaps);
    return FALSE;
  }
  if (out->width != cw / s || out->height != ch / s) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
        ("Output caps must be %dx%d (input %dx%d, scale=%d)",
            cw / s, ch / s, in->width, in->height, s), (NULL));
    return FALSE;
  }
  if (cw != in->width || ch != in->height)
    GST_INFO_OBJECT (self, "cropping %dx%d to %dx%d (a multiple of scale=%d)",
        in->width, in->height, cw, ch, s);
  return TRUE;
}

/* ---- runtime ------------------------------------------------------------- */

static void
gst_sr_degrade_release (GstSrDegrade *self)
{
  if (self->queue)
    clFinish (self->queue);
  clip_drop (self);
  sr_tensor_unref (self->hr);
  self->hr = NULL;
  sr_degrader_free (self->degrader);
  self->degrader = NULL;
  sr_convert_free (self->convert);
  self->convert = NULL;
  if (self->queue)
    clReleaseCommandQueue (self->queue);
  self->queue = NULL;
}

/* preset=custom: Real-ESRGAN x4plus, then the config file, then the
 * properties, into config.custom. Posts an error naming the file line or
 * the property. */
static gboolean
gst_sr_degrade_build_custom (GstSrDegrade *self)
{
  SrTwoStageConfig custom;
  GError *error = NULL;
  gboolean ok = TRUE, any = FALSE;

  GST_OBJECT_LOCK (self);
  const SrPreset preset = self->config.preset;
  gchar *path = g_strdup (self->config_path);
  gchar *values[GST_SR_DEGRADE_N_CUSTOM];
  const int stages = self->stages;
  for (int i = 0; i < GST_SR_DEGRADE_N_CUSTOM; i++) {
    values[i] = g_strdup (self->custom[i]);
    any |= values[i] != NULL;
  }
  GST_OBJECT_UNLOCK (self);

  if (preset != SR_PRESET_CUSTOM) {
    if (any || path || stages)
      GST_WARNING_OBJECT (self, "config, stages and the range properties only "
          "apply to preset=custom; ignored for preset=%s", sr_preset_name (preset));
    goto done;
  }
  sr_twostage_config_realesrgan (&custom);
  if (path && *path && !sr_custom_config_load_file (&custom, path, &error)) {
    if (error->domain == G_FILE_ERROR)
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ,
          ("Cannot read config file: %s", error->message), (NULL));
    else
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid config file %s", error->message), (NULL));
    ok = FALSE;
    goto done;
  }
  for (int i = 0; i < GST_SR_DEGRADE_N_CUSTOM; i++) {
    if (!values[i] || !*values[i])
      continue;
    if (!sr_custom_config_set (&custom, custom_props[i].stage, custom_props[i].key,
            values[i], &error)) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS,
          ("Invalid property %s=\"%s\": %s", custom_props[i].name, values[i],
              error->message), (NULL));
      ok = FALSE;
      goto done;
    }
  }
  if (stages)
    custom.n_stages = stages;
  GST_OBJECT_LOCK (self);
  self->config.custom = custom;
  GST_OBJECT_UNLOCK (self);

done:
  g_clear_error (&error);
  g_free (path);
  for (int i = 0; i < GST_SR_DEGRADE_N_CUSTOM; i++)
    g_free (values[i]);
  return ok;
}

/* Sets the smallest accepted frame. It applies to the cropped frame, so it
 * is the preset's floor rounded up to a multiple of the scale. Before start
 * (started FALSE) it comes from the properties alone: then fixed caps below
 * it already fail when the pipeline is linked, and gst-launch-1.0 exits at
 * once naming the caps, instead of failing at preroll, where its bus
 * handler can miss the error (tools/gst-launch.c quits its main loop from
 * the streaming thread, which is lost if the loop has not started yet). A
 * custom preset's floor depends on its config file, read at start. */
static void
set_size_floor (GstSrDegrade *self, gboolean started)
{
  const SrDegradeConfig *cfg = &self->config;
  const int s = cfg->scale;
  int min = 0;
  if ((started || cfg->preset != SR_PRESET_CUSTOM)
      && sr_degrade_check_config (cfg, NULL))
    min = (sr_degrade_min_hr_size (cfg) + s - 1) / s * s;
  gst_sr_size_limit_set (&self->hr_limit, min, 1);
  gst_sr_size_limit_set (&self->lr_limit, min / s, 1);
}

static gboolean
gst_sr_degrade_start (GstBaseTransform *trans)
{
  GstSrDegrade *self = GST_SR_DEGRADE (trans);
  GError *error = NULL;

  if (!gst_sr_degrade_build_custom (self))
    return FALSE;
  if (!sr_degrade_check_config (&self->config, &error)) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
    g_clear_error (&error);
    return FALSE;
  }
  if (!gst_sr_element_open (GST_ELEMENT (self), self->device, &self->runtime,
          &self->queue))
    return FALSE;
  if (!(self->convert = sr_convert_new (self->runtime, &error))
      || !(self->degrader = sr_degrader_new (self->runtime, &self->config,
              &error))) {
    gst_sr_post_runtime_error (GST_ELEMENT (self), error);
    g_clear_error (&error);
    gst_sr_degrade_release (self);
    return FALSE;
  }
  gst_sr_frame_counter_reset (&self->frames);
  self->clip_index = 0;
  self->have_hist = FALSE;
  set_size_floor (self, TRUE);
  GST_INFO_OBJECT (self, "preset=%s scale=%d on %s",
      sr_preset_name (self->config.preset), self->config.scale,
      sr_runtime_describe (self->runtime));
  return TRUE;
}

static gboolean
gst_sr_degrade_stop (GstBaseTransform *trans)
{
  GstSrDegrade *self = GST_SR_DEGRADE (trans);
  GST_OBJECT_LOCK (self);
  set_size_floor (self, FALSE);
  GST_OBJECT_UNLOCK (self);
  gst_sr_degrade_release (self);
  return TRUE;
}

static void
gst_sr_degrade_set_context (GstElement *element, GstContext *context)
{
  GstSrDegrade *self = GST_SR_DEGRADE (element);
  gst_sr_handle_set_context (element, context, &self->runtime);
  GST_ELEMENT_CLASS (gst_sr_degrade_parent_class)->set_context (element, context);
}

static gboolean
gst_sr_degrade_query (GstBaseTransform *trans, GstPadDirection dir,
    GstQuery *query)
{
  GstSrDegrade *self = GST_SR_DEGRADE (trans);
  if (gst_sr_handle_context_query (GST_ELEMENT (self), query, self->runtime))
    return TRUE;
  const gboolean ret = GST_BASE_TRANSFORM_CLASS (gst_sr_degrade_parent_class)->query
      (trans, dir, query);
  GstCaps *refused;
  if (dir == GST_PAD_SINK
      && (refused = gst_sr_size_limit_refused (&self->hr_limit, query)))
    gst_sr_degrade_refuse_size (self, refused);
  return ret;
}

/* ---- per frame ----------------------------------------------------------- */

/* A GAP stands for frames upstream dropped: they keep their indices.
 * realbasicvsr's gathered clip is degraded before an EOS, a new segment or
 * new caps pass, and dropped on a flush. */
static gboolean
gst_sr_degrade_sink_event (GstBaseTransform *trans, GstEvent *event)
{
  GstSrDegrade *self = GST_SR_DEGRADE (trans);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_EOS:
    case GST_EVENT_SEGMENT:
    case GST_EVENT_CAPS:
      if (clip_finish (self) == GST_FLOW_ERROR) {
        gst_event_unref (event);
        return FALSE;
      }
      break;
    case GST_EVENT_FLUSH_STOP:
      clip_drop (self);
      break;
    default:
      break;
  }
  gst_sr_frame_counter_event (&self->frames, &GST_VIDEO_FILTER (self)->in_info,
      event);
  return GST_BASE_TRANSFORM_CLASS (gst_sr_degrade_parent_class)->sink_event (trans, event);
}

/* Builds the LR frame's `sr-degradation` structure: the steps an upstream
 * element recorded on the HR frame (srusm), then ours. */
static GstStructure *
build_info (GstSrDegrade *self, GstStructure *info, guint64 frame, int cw,
    int ch, const SrRecord *record)
{
  const int crop[4] = { 0, 0, cw, ch };
  GValue crop_v = gst_sr_int_array (crop, 4);

  gst_structure_set (info,
      "frame", G_TYPE_UINT64, frame,
      "scale", G_TYPE_INT, self->config.scale,
      "preset", G_TYPE_STRING, sr_preset_name (self->config.preset),
      "seed", G_TYPE_UINT64, self->config.seed,
      "jpeg-variant", G_TYPE_STRING, self->config.preset == SR_PRESET_REALBASICVSR
      ? "libjpeg" : sr_jpeg_variant_name (self->config.jpeg),
      NULL);
  gst_structure_take_value (info, "crop", &crop_v);
  const guint clip_length = sr_degrade_clip_length (&self->config);
  if (clip_length > 0)
    gst_structure_set (info, "clip", G_TYPE_UINT64,
        sr_degrade_draw_index (&self->config, frame), "clip-frame", G_TYPE_UINT,
        (guint) (frame % clip_length), "clip-length", G_TYPE_UINT, clip_length, NULL);
  gst_sr_degradation_append_record (info, record);
  return info;
}

static GstFlowReturn
gst_sr_degrade_transform_frame (GstVideoFilter *filter, GstVideoFrame *in,
    GstVideoFrame *out)
{
  GstSrDegrade *self = GST_SR_DEGRADE (filter);
  const int s = self->config.scale;
  const int cw = GST_VIDEO_FRAME_WIDTH (in) / s * s;
  const int ch = GST_VIDEO_FRAME_HEIGHT (in) / s * s;
  const guint64 frame = gst_sr_frame_counter_next (&self->frames,
      &filter->in_info, in->buffer);
  SrTensor *hr, *lr = NULL;
  SrStatus st;

  hr = sr_tensor_reuse (self->runtime, self->queue, &self->hr, 1, 3, ch, cw,
      SR_DTYPE_F32);
  if (!hr) {
    st = SR_ERR_OUT_OF_DEVICE_MEMORY;
    goto failed;
  }
  if ((st = gst_sr_upload_frame (self->convert, self->queue, in, 0, 0, hr)) != SR_OK
      || (st = sr_degrader_run (self->degrader, self->queue, hr, frame, &lr,
              &self->record)) != SR_OK)
    goto failed;
  if (lr->w != GST_VIDEO_FRAME_WIDTH (out) || lr->h != GST_VIDEO_FRAME_HEIGHT (out)) {
    GST_ELEMENT_ERROR (self, CORE, FAILED, ("LR size %dx%d does not match the "
            "output caps %dx%d", lr->w, lr->h, GST_VIDEO_FRAME_WIDTH (out),
            GST_VIDEO_FRAME_HEIGHT (out)), (NULL));
    return GST_FLOW_ERROR;
  }
  st = gst_sr_download_frame (self->convert, self->queue, lr, out,
      self->config.preset == SR_PRESET_BICUBIC ? SR_ROUND_HALF_AWAY
      : SR_ROUND_HALF_EVEN);
  if (st != SR_OK)
    goto failed;

  gst_buffer_add_sr_degradation_meta (out->buffer, build_info (self,
          gst_sr_degradation_info_from (in->buffer), frame, cw, ch, &self->record));
  return GST_FLOW_OK;

failed:
  GST_ELEMENT_ERROR (self, RESOURCE, FAILED,
      ("Degrading frame %" G_GUINT64_FORMAT " failed: %s", frame,
          sr_status_name (st)), (NULL));
  return GST_FLOW_ERROR;
}


/* ---- realbasicvsr: clips ------------------------------------------------- *
 * mmagic's RealBasicVSR pipeline degrades a clip at a time: its video
 * compressions encode the whole clip as one stream. So this preset gathers
 * the HR frames of a clip (uploaded as they come, the input buffers given
 * back at once), degrades the clip when it is complete (or cut short by an
 * EOS, a segment, caps or a gap that ends it), and pushes its LR frames
 * with their inputs' timestamps. Latency: one clip. */

typedef struct {
  SrTensor *hr;
  guint64 frame;
  double scene_difference;      /* to the previous frame, -1: not measured */
  GstSrBufferStamp stamp;
  GstStructure *info;           /* what upstream recorded on the HR frame */
} GstSrClipFrame;

static void
clip_frame_free (gpointer data)
{
  GstSrClipFrame *f = data;
  sr_tensor_unref (f->hr);
  if (f->info)
    gst_structure_free (f->info);
  g_free (f);
}

static void
clip_drop (GstSrDegrade *self)
{
  g_queue_clear_full (&self->clip, clip_frame_free);
}

/* Scene cuts: half the L1 distance between consecutive frames' luma
 * histograms (GST_SR_DEGRADE_SCENE_BINS bins over every 4th pixel of every 4th row), 0
 * for equal histograms, 1 for disjoint ones. Luma: Y of YUV and gray
 * frames, (77 R + 150 G + 29 B) / 256 of RGB ones. */
static void
luma_histogram (const GstVideoFrame *vf, double *hist)
{
  const GstVideoFormatInfo *fi = vf->info.finfo;
  const gboolean rgb = GST_VIDEO_FORMAT_INFO_IS_RGB (fi);
  const int w = GST_VIDEO_FRAME_WIDTH (vf), h = GST_VIDEO_FRAME_HEIGHT (vf);
  guint64 count[GST_SR_DEGRADE_SCENE_BINS] = { 0 }, total = 0;
  for (int y = 0; y < h; y += 4)
    for (int x = 0; x < w; x += 4) {
      int v[3];
      for (int c = 0; c < (rgb ? 3 : 1); c++) {
        const int sx = GST_VIDEO_FORMAT_INFO_SCALE_WIDTH (fi, c, x);
        const int sy = GST_VIDEO_FORMAT_INFO_SCALE_HEIGHT (fi, c, y);
        const guint8 *p = GST_VIDEO_FRAME_COMP_DATA (vf, c);
        v[c] = p[(gsize) sy * GST_VIDEO_FRAME_COMP_STRIDE (vf, c)
            + (gsize) sx * GST_VIDEO_FRAME_COMP_PSTRIDE (vf, c)];
      }
      const int luma = rgb ? (77 * v[0] + 150 * v[1] + 29 * v[2]) >> 8 : v[0];
      count[luma * GST_SR_DEGRADE_SCENE_BINS / 256]++;
      total++;
    }
  for (int i = 0; i < GST_SR_DEGRADE_SCENE_BINS; i++)
    hist[i] = (double) count[i] / MAX (total, 1);
}

static double
histogram_difference (const double *a, const double *b)
{
  double d = 0;
  for (int i = 0; i < GST_SR_DEGRADE_SCENE_BINS; i++)
    d += fabs (a[i] - b[i]);
  return d / 2;
}

/* MPEG-4 Part 2 cannot follow a bitrate in this GStreamer (gstsrcodecs.c):
 * the clip is encoded at the constant quantizer whose stream size comes
 * nearest the drawn bits, found by bisection (the size falls as the
 * quantizer rises). */
#define QUANT_STEPS 6

typedef struct {
  const SrCodecDesc *desc;
  GstVideoInfo info;            /* RGB at the (even) encoded size */
  GstBuffer **in;               /* the clip as RGB frames */
  int n, w, h;                  /* the frames' own size */
} CodecJob;

/* One encode + decode of the clip: decoded[] (n), its layout, bytes. */
static gboolean
codec_pass (CodecJob *job, const GstSrCodecSettings *set, GstBuffer **decoded,
    GstVideoInfo *dinfo, guint64 *bytes, GError **error)
{
  GstSrCodecStream *st = gst_sr_codec_stream_start (job->desc, &job->info, set, error);
  if (!st)
    return FALSE;
  gboolean ok = TRUE;
  for (int t = 0; t < job->n && ok; t++)
    ok = gst_sr_codec_stream_push (st, job->in[t], error);
  ok = ok && gst_sr_codec_stream_finish (st, decoded, dinfo, NULL, error);
  *bytes = gst_sr_codec_stream_encoded_bytes (st);
  gst_sr_codec_stream_free (st);
  for (int t = 0; t < job->n && ok; t++)
    if (!decoded[t]) {
      g_set_error (error, GST_STREAM_ERROR, GST_STREAM_ERROR_DECODE,
          "%s returned no frame %d of %d", job->desc->encoder, t, job->n);
      ok = FALSE;
    }
  return ok;
}

static void
unref_all (GstBuffer **b, int n)
{
  for (int t = 0; t < n; t++)
    gst_clear_buffer (&b[t]);
}

/* SrVsrCodecFunc: the clip through its codec, as mmagic's PyAV stream at
 * 1 frame/s (so the drawn bits per second are bits per frame), in RGB
 * (the private chain converts to I420 BT.601 and back). Odd sides are
 * padded by repeating the last row or column (the encoders take even
 * sizes) and cropped back after decoding. */
static gboolean
clip_codec (SrTensor **frames, int n, const SrVsrVideo *video, guint64 clip,
    gpointer user, SrVsrCodecResult *result, GError **error)
{
  GstSrDegrade *self = user;
  const char *name = sr_vsr_codec_name (video->codec);
  const SrCodecDesc *d = gst_sr_codec_lookup (name);
  if (!d || !gst_sr_codec_installed (d)) {
    g_set_error (error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN,
        "realbasicvsr needs %s (%s) for its video compression",
        name, d ? d->package : "?");
    return FALSE;
  }
  CodecJob job = { .desc = d, .n = n, .w = frames[0]->w, .h = frames[0]->h };
  gst_video_info_set_format (&job.info, GST_VIDEO_FORMAT_RGB, job.w + job.w % 2,
      job.h + job.h % 2);
  job.in = g_new0 (GstBuffer *, n);
  GstBuffer **decoded = g_new0 (GstBuffer *, n), **best = g_new0 (GstBuffer *, n);
  gboolean ok = TRUE;
  SrStatus st = SR_OK;
  for (int t = 0; t < n && st == SR_OK; t++) {
    GstVideoInfo own;
    gst_video_info_set_format (&own, GST_VIDEO_FORMAT_RGB, job.w, job.h);
    GstBuffer *b = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&own), NULL);
    GstVideoFrame vf;
    gst_video_frame_map (&vf, &own, b, GST_MAP_WRITE);
    st = gst_sr_download_frame (self->convert, self->queue, frames[t], &vf,
        SR_ROUND_HALF_EVEN);
    /* Pad to the encoded size: repeat the last column, then the last row. */
    GstBuffer *p = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&job.info), NULL);
    GstMapInfo pm;
    gst_buffer_map (p, &pm, GST_MAP_WRITE);
    const int ps = GST_VIDEO_INFO_PLANE_STRIDE (&job.info, 0);
    const int os = GST_VIDEO_FRAME_PLANE_STRIDE (&vf, 0);
    const guint8 *src = GST_VIDEO_FRAME_PLANE_DATA (&vf, 0);
    for (int y = 0; y < GST_VIDEO_INFO_HEIGHT (&job.info); y++) {
      guint8 *row = pm.data + (gsize) y * ps;
      memcpy (row, src + (gsize) MIN (y, job.h - 1) * os, (gsize) job.w * 3);
      if (job.w % 2)
        memcpy (row + job.w * 3, row + (job.w - 1) * 3, 3);
    }
    gst_buffer_unmap (p, &pm);
    gst_video_frame_unmap (&vf);
    gst_buffer_unref (b);
    job.in[t] = p;
  }
  if (st != SR_OK) {
    g_set_error (error, SR_ERROR, st, "reading a clip back for %s: %s", name,
        sr_status_name (st));
    ok = FALSE;
    goto done;
  }

  GstSrCodecSettings set = { .gop = sr_vsr_codec_gop (video->codec),
    .fps_n = 1, .fps_d = 1 };
  GstVideoInfo dinfo;
  guint64 bytes = 0;
  const double target = (double) video->bitrate * n / 8;        /* bytes */
  if (!gst_sr_codec_problem (d)) {
    set.bitrate = MAX ((guint) lround (video->bitrate / 1000.0), 1);
    ok = codec_pass (&job, &set, best, &dinfo, &bytes, error);
    result->bitrate = set.bitrate;
  } else {
    /* FFmpeg's default quantizer bounds (qmin 2, qmax 31; the property
     * stops at 30), which its rate control stays within. */
    double lo = 2, hi = 30, best_err = G_MAXDOUBLE;
    for (int i = 0; i < QUANT_STEPS && ok; i++) {
      const double q = sqrt (lo * hi);
      gchar *rate = g_strdup_printf ("pass=quant quantizer=%.4f", q);
      set.rate_override = rate;
      guint64 got = 0;
      GstVideoInfo di;
      ok = codec_pass (&job, &set, decoded, &di, &got, error);
      g_free (rate);
      if (!ok)
        break;
      const double err = fabs (log ((got + 1.0) / (target + 1.0)));
      if (err < best_err) {
        best_err = err;
        unref_all (best, n);
        memcpy (best, decoded, n * sizeof *decoded);
        memset (decoded, 0, n * sizeof *decoded);
        dinfo = di;
        bytes = got;
        result->quantizer = q;
      } else {
        unref_all (decoded, n);
      }
      if (got > target)
        lo = q;
      else
        hi = q;
    }
  }
  if (!ok)
    goto done;
  result->bits_per_frame = 8.0 * bytes / n;
  GST_DEBUG_OBJECT (self, "clip %" G_GUINT64_FORMAT ": %s, %d bits/frame drawn, "
      "%.0f produced", clip, name, video->bitrate, result->bits_per_frame);

  /* Back to the device, cropped to the frames' own size. */
  for (int t = 0; t < n && st == SR_OK; t++) {
    GstVideoFrame vf;
    if (!gst_video_frame_map (&vf, &dinfo, best[t], GST_MAP_READ)) {
      st = SR_ERR_INVALID_ARGUMENT;
      break;
    }
    SrTensor *x = sr_tensor_new (self->runtime, 1, 3, job.h, job.w, SR_DTYPE_F32, NULL);
    st = x ? gst_sr_upload_frame (self->convert, self->queue, &vf, 0, 0, x)
        : SR_ERR_OUT_OF_DEVICE_MEMORY;
    gst_video_frame_unmap (&vf);
    if (x) {
      sr_tensor_unref (frames[t]);
      frames[t] = x;
    }
  }
  if (st != SR_OK) {
    g_set_error (error, SR_ERROR, st, "uploading %s's decoded clip: %s", name,
        sr_status_name (st));
    ok = FALSE;
  }
done:
  unref_all (job.in, n);
  unref_all (decoded, n);
  unref_all (best, n);
  g_free (job.in);
  g_free (decoded);
  g_free (best);
  return ok;
}

/* Degrades the gathered clip and pushes its LR frames. */
static GstFlowReturn
clip_finish (GstSrDegrade *self)
{
  const int n = (int) g_queue_get_length (&self->clip);
  if (n == 0)
    return GST_FLOW_OK;
  GstSrClipFrame **in = g_new (GstSrClipFrame *, n);
  SrTensor **hr = g_new (SrTensor *, n), **lr = g_new0 (SrTensor *, n);
  SrRecord *recs = g_new (SrRecord, n);
  for (int t = 0; t < n; t++) {
    in[t] = g_queue_pop_head (&self->clip);
    hr[t] = in[t]->hr;
  }
  GError *error = NULL;
  GstFlowReturn ret = GST_FLOW_OK;
  if (!sr_degrader_run_clip (self->degrader, self->queue, self->clip_index,
          in[0]->frame, hr, n, clip_codec, self, lr, recs, &error)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Degrading clip %" G_GUINT64_FORMAT
            " (frames %" G_GUINT64_FORMAT "..%" G_GUINT64_FORMAT ") failed: %s",
            self->clip_index, in[0]->frame, in[n - 1]->frame, error->message), (NULL));
    g_clear_error (&error);
    ret = GST_FLOW_ERROR;
  }
  const GstVideoInfo *oi = &GST_VIDEO_FILTER (self)->out_info;
  for (int t = 0; t < n && ret == GST_FLOW_OK; t++) {
    GstBuffer *out = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (oi), NULL);
    GstVideoFrame vf;
    gst_video_frame_map (&vf, oi, out, GST_MAP_WRITE);
    const SrStatus st = gst_sr_download_frame (self->convert, self->queue, lr[t], &vf,
        SR_ROUND_HALF_EVEN);
    gst_video_frame_unmap (&vf);
    if (st != SR_OK) {
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Writing frame %" G_GUINT64_FORMAT
              " failed: %s", in[t]->frame, sr_status_name (st)), (NULL));
      gst_buffer_unref (out);
      ret = GST_FLOW_ERROR;
      break;
    }
    gst_sr_buffer_stamp_apply (&in[t]->stamp, out);
    GstStructure *info = build_info (self, in[t]->info, in[t]->frame, hr[t]->w,
        hr[t]->h, &recs[t]);
    in[t]->info = NULL;
    gst_structure_set (info, "clip", G_TYPE_UINT64, self->clip_index,
        "clip-frame", G_TYPE_UINT, (guint) t, NULL);
    if (in[t]->scene_difference >= 0)
      gst_structure_set (info, "scene-difference", G_TYPE_DOUBLE,
          in[t]->scene_difference, NULL);
    gst_buffer_add_sr_degradation_meta (out, info);
    ret = gst_pad_push (GST_BASE_TRANSFORM_SRC_PAD (self), out);
  }
  for (int t = 0; t < n; t++) {
    if (lr[t])
      sr_tensor_unref (lr[t]);
    clip_frame_free (in[t]);
  }
  g_free (in);
  g_free (hr);
  g_free (lr);
  g_free (recs);
  self->clip_index++;
  return ret;
}

/* realbasicvsr takes each frame into its clip; the other presets go
 * through GstVideoFilter's transform_frame. */
static GstFlowReturn
gst_sr_degrade_submit_input_buffer (GstBaseTransform *trans, gboolean discont,
    GstBuffer *inbuf)
{
  GstSrDegrade *self = GST_SR_DEGRADE (trans);
  if (self->config.preset != SR_PRESET_REALBASICVSR)
    return GST_BASE_TRANSFORM_CLASS (gst_sr_degrade_parent_class)->submit_input_buffer
        (trans, discont, inbuf);
  GstVideoFilter *filter = GST_VIDEO_FILTER (trans);
  if (!filter->negotiated) {
    gst_buffer_unref (inbuf);
    return GST_FLOW_NOT_NEGOTIATED;
  }
  const int s = self->config.scale;
  const int cw = GST_VIDEO_INFO_WIDTH (&filter->in_info) / s * s;
  const int ch = GST_VIDEO_INFO_HEIGHT (&filter->in_info) / s * s;
  const guint64 frame = gst_sr_frame_counter_next (&self->frames, &filter->in_info, inbuf);
  GstVideoFrame vf;
  if (!gst_video_frame_map (&vf, &filter->in_info, inbuf, GST_MAP_READ)) {
    gst_buffer_unref (inbuf);
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Cannot map frame %" G_GUINT64_FORMAT,
            frame), (NULL));
    return GST_FLOW_ERROR;
  }
  /* A scene cut ends the clip before this frame. */
  GstFlowReturn ret = GST_FLOW_OK;
  double difference = -1;
  if (self->scene_cut > 0) {
    double hist[GST_SR_DEGRADE_SCENE_BINS];
    luma_histogram (&vf, hist);
    if (self->have_hist)
      difference = histogram_difference (self->hist, hist);
    memcpy (self->hist, hist, sizeof hist);
    self->have_hist = TRUE;
    if (difference > self->scene_cut && !g_queue_is_empty (&self->clip)) {
      GST_DEBUG_OBJECT (self, "scene cut before frame %" G_GUINT64_FORMAT
          " (difference %.3f)", frame, difference);
      ret = clip_finish (self);
    }
  }

  GstSrClipFrame *f = g_new0 (GstSrClipFrame, 1);
  f->frame = frame;
  f->scene_difference = difference;
  gst_sr_buffer_stamp_save (&f->stamp, inbuf);
  f->info = gst_sr_degradation_info_from (inbuf);
  f->hr = sr_tensor_new (self->runtime, 1, 3, ch, cw, SR_DTYPE_F32, NULL);
  SrStatus st = f->hr ? gst_sr_upload_frame (self->convert, self->queue, &vf, 0, 0, f->hr)
      : SR_ERR_OUT_OF_DEVICE_MEMORY;
  gst_video_frame_unmap (&vf);
  gst_buffer_unref (inbuf);
  if (st != SR_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Reading frame %" G_GUINT64_FORMAT
            " failed: %s", frame, sr_status_name (st)), (NULL));
    clip_frame_free (f);
    return GST_FLOW_ERROR;
  }
  g_queue_push_tail (&self->clip, f);
  if (ret == GST_FLOW_OK
      && g_queue_get_length (&self->clip) >= sr_degrade_clip_length (&self->config))
    ret = clip_finish (self);
  return ret;
}

/* realbasicvsr pushes its frames from clip_finish: nothing to generate. */
static GstFlowReturn
gst_sr_degrade_generate_output (GstBaseTransform *trans, GstBuffer **outbuf)
{
  GstSrDegrade *self = GST_SR_DEGRADE (trans);
  if (self->config.preset != SR_PRESET_REALBASICVSR)
    return GST_BASE_TRANSFORM_CLASS (gst_sr_degrade_parent_class)->generate_output
        (trans, outbuf);
  *outbuf = NULL;
  return GST_FLOW_OK;
}

/* ---- properties ------------------------------------------------------------ */

static void
gst_sr_degrade_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstSrDegrade *self = GST_SR_DEGRADE (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRESET:
      self->config.preset = g_value_get_enum (value);
      break;
    case PROP_SCALE:
      self->config.scale = g_value_get_int (value);
      break;
    case PROP_SEED:
      self->config.seed = g_value_get_uint64 (value);
      break;
    case PROP_NOISE:
      self->config.noise = g_value_get_boolean (value);
      break;
    case PROP_JPEG:
      self->config.jpeg = g_value_get_enum (value);
      break;
    case PROP_CLIP_LENGTH:
      self->config.clip_length = g_value_get_uint (value);
      break;
    case PROP_VIDEO_COMPRESSION:
      self->config.video_compression = g_value_get_boolean (value);
      break;
    case PROP_SCENE_CUT:
      self->scene_cut = g_value_get_double (value);
      break;
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      if (!self->device)
        self->device = g_strdup (DEFAULT_DEVICE);
      break;
    case PROP_CONFIG:
      g_free (self->config_path);
      self->config_path = g_value_dup_string (value);
      break;
    case PROP_STAGES:
      self->stages = g_value_get_int (value);
      break;
    default:
      if (prop_id >= PROP_CUSTOM_FIRST
          && prop_id < PROP_CUSTOM_FIRST + GST_SR_DEGRADE_N_CUSTOM) {
        g_free (self->custom[prop_id - PROP_CUSTOM_FIRST]);
        self->custom[prop_id - PROP_CUSTOM_FIRST] = g_value_dup_string (value);
        break;
      }
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  if (prop_id == PROP_PRESET || prop_id == PROP_SCALE)
    set_size_floor (self, FALSE);
  GST_OBJECT_UNLOCK (self);
  if (prop_id == PROP_SCALE)
    gst_base_transform_reconfigure_src (GST_BASE_TRANSFORM (self));
}

static void
gst_sr_degrade_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  GstSrDegrade *self = GST_SR_DEGRADE (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_PRESET:
      g_value_set_enum (value, self->config.preset);
      break;
    case PROP_SCALE:
      g_value_set_int (value, self->config.scale);
      break;
    case PROP_SEED:
      g_value_set_uint64 (value, self->config.seed);
      break;
    case PROP_NOISE:
      g_value_set_boolean (value, self->config.noise);
      break;
    case PROP_JPEG:
      g_value_set_enum (value, self->config.jpeg);
      break;
    case PROP_CLIP_LENGTH:
      g_value_set_uint (value, self->config.clip_length);
      break;
    case PROP_VIDEO_COMPRESSION:
      g_value_set_boolean (value, self->config.video_compression);
      break;
    case PROP_SCENE_CUT:
      g_value_set_double (value, self->scene_cut);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_CONFIG:
      g_value_set_string (value, self->config_path);
      break;
    case PROP_STAGES:
      g_value_set_int (value, self->stages);
      break;
    default:
      if (prop_id >= PROP_CUSTOM_FIRST
          && prop_id < PROP_CUSTOM_FIRST + GST_SR_DEGRADE_N_CUSTOM) {
        g_value_set_string (value, self->custom[prop_id - PROP_CUSTOM_FIRST]);
        break;
      }
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_degrade_finalize (GObject *object)
{
  GstSrDegrade *self = GST_SR_DEGRADE (object);
  gst_sr_degrade_release (self);
  if (self->runtime)
    sr_runtime_unref (self->runtime);
  g_free (self->device);
  g_free (self->config_path);
  for (int i = 0; i < GST_SR_DEGRADE_N_CUSTOM; i++)
    g_free (self->custom[i]);
  G_OBJECT_CLASS (gst_sr_degrade_parent_class)->finalize (object);
}

static void
gst_sr_degrade_class_init (GstSrDegradeClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = gst_sr_degrade_set_property;
  gobject_class->get_property = gst_sr_degrade_get_property;
  gobject_class->finalize = gst_sr_degrade_finalize;

  g_object_class_install_property (gobject_class, PROP_PRESET,
      g_param_spec_enum ("preset", "Preset",
          "Degradation pipeline to reproduce", GST_TYPE_SR_PRESET,
          DEFAULT_PRESET, rw));
  g_object_class_install_property (gobject_class, PROP_SCALE,
      g_param_spec_int ("scale", "Scale",
          "SR scale: LR is HR/scale (1..8 for bicubic, realesrgan, hggt, custom; "
          "2, 3, 4 for bsrgan and bsrgan-plus). Frames are cropped to a "
          "multiple of it (top-left anchored)", 1, 8, DEFAULT_SCALE, rw));
  g_object_class_install_property (gobject_class, PROP_SEED,
      g_param_spec_uint64 ("seed", "Seed",
          "Seed of the counter-based generator: the same seed and input give "
          "bit-identical LR frames on the same device", 0, G_MAXUINT64,
          DEFAULT_SEED, rw));
  g_object_class_install_property (gobject_class, PROP_NOISE,
      g_param_spec_boolean ("noise", "Noise",
          "Apply the noise steps. FALSE still draws and records them (so every "
          "other parameter is unchanged) but does not add noise: for "
          "verifying an LR against a replay of its recorded parameters",
          TRUE, rw));
  g_object_class_install_property (gobject_class, PROP_JPEG,
      g_param_spec_enum ("jpeg", "JPEG variant",
          "How JPEG steps compress", GST_TYPE_SR_JPEG_VARIANT,
          SR_JPEG_DIFFJPEG, rw));
  g_object_class_install_property (gobject_class, PROP_CLIP_LENGTH,
      g_param_spec_uint ("clip-length", "Clip length",
          "Draw the degradation parameters once per clip of this many frames "
          "(video datasets hold one degradation across a clip); per-pixel "
          "noise is still drawn per frame. 0: parameters per frame "
          "(realbasicvsr: clips of 15, mmagic's)", 0, SR_VSR_MAX_CLIP, 0, rw));
  g_object_class_install_property (gobject_class, PROP_VIDEO_COMPRESSION,
      g_param_spec_boolean ("video-compression", "Video compression",
          "preset=realbasicvsr: encode and decode each clip with a real video "
          "codec (x264enc, avenc_mpeg4), as mmagic does. FALSE still draws and "
          "records those steps but does not apply them: for verifying an LR "
          "against a replay of its recorded parameters", TRUE, rw));
  g_object_class_install_property (gobject_class, PROP_SCENE_CUT,
      g_param_spec_double ("scene-cut", "Scene cut threshold",
          "preset=realbasicvsr: start a new clip where the luma histograms of "
          "consecutive frames differ by more than this (half their L1 "
          "distance, 0..1; recorded as scene-difference), so that a clip never "
          "spans a cut. 0: clips of clip-length frames only", 0, 1, 0, rw));
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "OpenCL device",
          "auto (a GPU if present, else the CPU), cpu, gpu, or P:D "
          "(platform P, device D). All gst-sr elements of a pipeline share "
          "one device", DEFAULT_DEVICE, rw));
  g_object_class_install_property (gobject_class, PROP_CONFIG,
      g_param_spec_string ("config", "Config file",
          "preset=custom only: a GKeyFile or JSON file with groups "
          "degradation, stage1, stage2 and Real-ESRGAN's option names in "
          "kebab case (e.g. [stage1] jpeg-range = 30;95, or "
          "{\"stage1\": {\"jpeg-range\": [30, 95]}}); keys left out keep "
          "Real-ESRGAN x4plus's values, and the properties below override it. "
          "Read at start: a malformed file fails the state change naming the line",
          NULL, rw));
  g_object_class_install_property (gobject_class, PROP_STAGES,
      g_param_spec_int ("stages", "Stages",
          "preset=custom only: number of degradation stages, 1 or 2 (0: from "
          "config, else 2)", 0, 2, 0, rw));
  for (int i = 0; i < GST_SR_DEGRADE_N_CUSTOM; i++)
    g_object_class_install_property (gobject_class, PROP_CUSTOM_FIRST + i,
        g_param_spec_string (custom_props[i].name, custom_props[i].nick,
            custom_props[i].blurb, NULL, rw));

  gst_element_class_set_static_metadata (element_class,
      "SR degradation", "Filter/Effect/Video",
      "Degrades HR video into LR (1/scale) with the field's pipelines "
      "(bicubic, Real-ESRGAN, BSRGAN, HGGT), recording every sampled parameter",
      "gst-sr developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  element_class->set_context = gst_sr_degrade_set_context;

  trans_class->transform_caps = gst_sr_degrade_transform_caps;
  trans_class->fixate_caps = gst_sr_degrade_fixate_caps;
  trans_class->start = gst_sr_degrade_start;
  trans_class->stop = gst_sr_degrade_stop;
  trans_class->query = gst_sr_degrade_query;
  trans_class->sink_event = gst_sr_degrade_sink_event;
  trans_class->submit_input_buffer = gst_sr_degrade_submit_input_buffer;
  trans_class->generate_output = gst_sr_degrade_generate_output;
  filter_class->set_info = gst_sr_degrade_set_info;
  filter_class->transform_frame = gst_sr_degrade_transform_frame;

  gst_type_mark_as_plugin_api (GST_TYPE_SR_PRESET, 0);
  gst_type_mark_as_plugin_api (GST_TYPE_SR_JPEG_VARIANT, 0);
  GST_DEBUG_CATEGORY_INIT (gst_sr_degrade_debug, "srdegrade", 0,
      "SR degradation");
}

static void
gst_sr_degrade_init (GstSrDegrade *self)
{
  self->config.preset = DEFAULT_PRESET;
  self->config.scale = DEFAULT_SCALE;
  self->config.seed = DEFAULT_SEED;
  self->config.noise = TRUE;
  self->config.jpeg = SR_JPEG_DIFFJPEG;
  self->config.video_compression = TRUE;
  g_queue_init (&self->clip);
  set_size_floor (self, FALSE);
  self->device = g_strdup (DEFAULT_DEVICE);
}
