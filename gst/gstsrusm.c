/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srusm: frame -> USMSharp(frame), same size; appends a `usm` step to the
 * frame's sr-degradation meta so the LR made from it records it too. */
#include "gstsrusm.h"
#include "gstsrcontext.h"
#include "gstsrmeta.h"
#include "gstsrsize.h"
#include "gstsrvideo.h"

GST_DEBUG_CATEGORY_STATIC (gst_sr_usm_debug);
#define GST_CAT_DEFAULT gst_sr_usm_debug

enum {
  PROP_0,
  PROP_WEIGHT,
  PROP_RADIUS,
  PROP_SIGMA,
  PROP_THRESHOLD,
  PROP_DEVICE,
};

/* USMSharp's and Real-ESRGAN's values (BasicSR img_process_util.py;
 * Real-ESRGAN's train_realesrgan_x4plus.yml). */
#define DEFAULT_WEIGHT 0.5
#define DEFAULT_RADIUS 50
#define DEFAULT_SIGMA 0.0
#define DEFAULT_THRESHOLD 10.0
#define DEFAULT_DEVICE "auto"

#define CAPS_STR GST_VIDEO_CAPS_MAKE (GST_SR_VIDEO_FORMATS)
static GstStaticPadTemplate sink_template = GST_STATIC_PAD_TEMPLATE ("sink",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));

G_DEFINE_TYPE (GstSrUsm, gst_sr_usm, GST_TYPE_VIDEO_FILTER);
GST_ELEMENT_REGISTER_DEFINE (srusm, "srusm", GST_RANK_NONE, GST_TYPE_SR_USM);

static void
gst_sr_usm_release (GstSrUsm *self)
{
  if (self->queue)
    clFinish (self->queue);
  sr_tensor_unref (self->in);
  sr_tensor_unref (self->out);
  self->in = self->out = NULL;
  sr_usm_free (self->usm);
  self->usm = NULL;
  sr_convert_free (self->convert);
  self->convert = NULL;
  if (self->queue)
    clReleaseCommandQueue (self->queue);
  self->queue = NULL;
}

/* The blur reflects kernel/2 px (PyTorch's reflect pad needs more), so
 * smaller frames are refused. Set with the radius, so that fixed caps below
 * it already fail when the pipeline is linked (gst-launch-1.0 then exits at
 * once) rather than at preroll. */
static void
set_size_floor (GstSrUsm *self)
{
  gst_sr_size_limit_set (&self->limit,
      sr_usm_kernel_size (self->radius) / 2 + 1, 1);
}

static gboolean
gst_sr_usm_start (GstBaseTransform *trans)
{
  GstSrUsm *self = GST_SR_USM (trans);
  GError *error = NULL;
  if (!gst_sr_element_open (GST_ELEMENT (self), self->device, &self->runtime,
          &self->queue))
    return FALSE;
  if (!(self->convert = sr_convert_new (self->runtime, &error))
      || !(self->usm = sr_usm_new (self->runtime, &error))) {
    gst_sr_post_runtime_error (GST_ELEMENT (self), error);
    g_clear_error (&error);
    gst_sr_usm_release (self);
    return FALSE;
  }
  GST_OBJECT_LOCK (self);
  set_size_floor (self);        /* re-arms the once-per-run error */
  GST_OBJECT_UNLOCK (self);
  return TRUE;
}

static gboolean
gst_sr_usm_stop (GstBaseTransform *trans)
{
  GstSrUsm *self = GST_SR_USM (trans);
  gst_sr_usm_release (self);
  return TRUE;
}

/* Same caps both ways, less the sizes below the kernel's floor (so that the
 * refusal happens at negotiation). */
static GstCaps *
gst_sr_usm_transform_caps (GstBaseTransform *trans, GstPadDirection dir,
    GstCaps *caps, GstCaps *filter)
{
  (void) dir;
  GstCaps *out = gst_sr_size_limit_apply (&GST_SR_USM (trans)->limit,
      gst_caps_copy (caps));
  if (filter) {
    GstCaps *tmp = gst_caps_intersect_full (filter, out, GST_CAPS_INTERSECT_FIRST);
    gst_caps_unref (out);
    out = tmp;
  }
  return out;
}

/* Posts, once per run, why frames of `caps`' size cannot be sharpened. */
static void
gst_sr_usm_refuse_size (GstSrUsm *self, const GstCaps *caps)
{
  if (!gst_sr_size_limit_first_refusal (&self->limit))
    return;
  gchar *size = gst_sr_caps_size_string (caps);
  const int min = g_atomic_int_get (&self->limit.min);
  GST_ELEMENT_ERROR (self, CORE, NEGOTIATION,
      ("Frame %s is too small for srusm radius=%d: the smallest accepted "
          "frame is %dx%d", size, self->radius, min, min),
      ("refused at caps negotiation: %" GST_PTR_FORMAT, caps));
  g_free (size);
}

static gboolean
gst_sr_usm_set_info (GstVideoFilter *filter, GstCaps *incaps, GstVideoInfo *in,
    GstCaps *outcaps, GstVideoInfo *out)
{
  GstSrUsm *self = GST_SR_USM (filter);
  (void) in;
  (void) outcaps;
  (void) out;
  /* Negotiation refuses these sizes already; caps set without a query
   * still end here. */
  if (!gst_sr_size_limit_allows (&self->limit, incaps)) {
    gst_sr_usm_refuse_size (self, incaps);
    return FALSE;
  }
  return TRUE;
}

static void
gst_sr_usm_set_context (GstElement *element, GstContext *context)
{
  gst_sr_handle_set_context (element, context, &GST_SR_USM (element)->runtime);
  GST_ELEMENT_CLASS (gst_sr_usm_parent_class)->set_context (element, context);
}

static gboolean
gst_sr_usm_query (GstBaseTransform *trans, GstPadDirection dir, GstQuery *query)
{
  GstSrUsm *self = GST_SR_USM (trans);
  if (gst_sr_handle_context_query (GST_ELEMENT (trans), query, self->runtime))
    return TRUE;
  const gboolean ret = GST_BASE_TRANSFORM_CLASS (gst_sr_usm_parent_class)->query
      (trans, dir, query);
  GstCaps *refused;
  if (dir == GST_PAD_SINK && (refused = gst_sr_size_limit_refused (&self->limit, query)))
    gst_sr_usm_refuse_size (self, refused);
  return ret;
}

static GstFlowReturn
gst_sr_usm_transform_frame (GstVideoFilter *filter, GstVideoFrame *in,
    GstVideoFrame *out)
{
  GstSrUsm *self = GST_SR_USM (filter);
  const int w = GST_VIDEO_FRAME_WIDTH (in), h = GST_VIDEO_FRAME_HEIGHT (in);
  const int n = sr_usm_kernel_size (self->radius);
  SrStatus st = SR_ERR_OUT_OF_DEVICE_MEMORY;

  SrTensor *src = sr_tensor_reuse (self->runtime, self->queue, &self->in, 1, 3, h, w,
      SR_DTYPE_F32);
  SrTensor *dst = sr_tensor_reuse (self->runtime, self->queue, &self->out, 1, 3, h, w,
      SR_DTYPE_F32);
  if (!src || !dst
      || (st = gst_sr_upload_frame (self->convert, self->queue, in, 0, 0, src)) != SR_OK
      || (st = sr_usm_run (self->usm, self->queue, src, dst, n, self->sigma,
              self->weight, self->threshold)) != SR_OK
      || (st = gst_sr_download_frame (self->convert, self->queue, dst, out,
              SR_ROUND_HALF_EVEN)) != SR_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Sharpening failed: %s",
            sr_status_name (st)), (NULL));
    return GST_FLOW_ERROR;
  }

  /* Record the step for srdegrade downstream (a `usm` step, docs/dataset.md). */
  sr_record_clear (&self->record);
  SrOpRecord *op = sr_record_add (&self->record, "usm");
  sr_op_int (op, "radius", n);
  sr_op_double (op, "sigma", self->sigma > 0 ? self->sigma
      : 0.3 * ((n - 1) * 0.5 - 1) + 0.8);
  sr_op_double (op, "weight", self->weight);
  sr_op_double (op, "threshold", self->threshold);
  GstStructure *info = gst_sr_degradation_info_from (in->buffer);
  gst_sr_degradation_append_record (info, &self->record);
  gst_buffer_add_sr_degradation_meta (out->buffer, info);
  return GST_FLOW_OK;
}

static void
gst_sr_usm_set_property (GObject *object, guint prop_id, const GValue *value,
    GParamSpec *pspec)
{
  GstSrUsm *self = GST_SR_USM (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_WEIGHT:
      self->weight = g_value_get_double (value);
      break;
    case PROP_RADIUS:
      self->radius = g_value_get_int (value);
      set_size_floor (self);
      break;
    case PROP_SIGMA:
      self->sigma = g_value_get_double (value);
      break;
    case PROP_THRESHOLD:
      self->threshold = g_value_get_double (value);
      break;
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      if (!self->device)
        self->device = g_strdup (DEFAULT_DEVICE);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_usm_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  GstSrUsm *self = GST_SR_USM (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_WEIGHT:
      g_value_set_double (value, self->weight);
      break;
    case PROP_RADIUS:
      g_value_set_int (value, self->radius);
      break;
    case PROP_SIGMA:
      g_value_set_double (value, self->sigma);
      break;
    case PROP_THRESHOLD:
      g_value_set_double (value, self->threshold);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_usm_finalize (GObject *object)
{
  GstSrUsm *self = GST_SR_USM (object);
  gst_sr_usm_release (self);
  if (self->runtime)
    sr_runtime_unref (self->runtime);
  g_free (self->device);
  G_OBJECT_CLASS (gst_sr_usm_parent_class)->finalize (object);
}

static void
gst_sr_usm_class_init (GstSrUsmClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
      | GST_PARAM_MUTABLE_READY;

  gobject_class->set_property = gst_sr_usm_set_property;
  gobject_class->get_property = gst_sr_usm_get_property;
  gobject_class->finalize = gst_sr_usm_finalize;

  g_object_class_install_property (gobject_class, PROP_WEIGHT,
      g_param_spec_double ("weight", "Weight",
          "Sharpening weight: sharp = img + weight * (img - blur)", 0, 10,
          DEFAULT_WEIGHT, rw));
  g_object_class_install_property (gobject_class, PROP_RADIUS,
      g_param_spec_int ("radius", "Radius",
          "Gaussian kernel size; an even value is made odd (50 -> 51), as "
          "BasicSR's USMSharp does", 1, 255, DEFAULT_RADIUS, rw));
  g_object_class_install_property (gobject_class, PROP_SIGMA,
      g_param_spec_double ("sigma", "Sigma",
          "Gaussian sigma; 0 derives it from the size as OpenCV does "
          "(8.0 for 51)", 0, 100, DEFAULT_SIGMA, rw));
  g_object_class_install_property (gobject_class, PROP_THRESHOLD,
      g_param_spec_double ("threshold", "Threshold",
          "Pixels whose |img - blur| * 255 is at most this are not sharpened",
          0, 255, DEFAULT_THRESHOLD, rw));
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "OpenCL device",
          "auto (a GPU if present, else the CPU), cpu, gpu, or P:D", DEFAULT_DEVICE,
          rw));

  gst_element_class_set_static_metadata (element_class,
      "SR unsharp mask", "Filter/Effect/Video",
      "Unsharp masking as Real-ESRGAN sharpens its targets (BasicSR USMSharp)",
      "gst-sr developers");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  element_class->set_context = gst_sr_usm_set_context;

  trans_class->transform_caps = gst_sr_usm_transform_caps;
  trans_class->start = gst_sr_usm_start;
  trans_class->stop = gst_sr_usm_stop;
  trans_class->query = gst_sr_usm_query;
  filter_class->set_info = gst_sr_usm_set_info;
  filter_class->transform_frame = gst_sr_usm_transform_frame;
  GST_DEBUG_CATEGORY_INIT (gst_sr_usm_debug, "srusm", 0, "SR unsharp mask");
}

static void
gst_sr_usm_init (GstSrUsm *self)
{
  self->weight = DEFAULT_WEIGHT;
  self->radius = DEFAULT_RADIUS;
  self->sigma = DEFAULT_SIGMA;
  self->threshold = DEFAULT_THRESHOLD;
  self->device = g_strdup (DEFAULT_DEVICE);
  set_size_floor (self);
}
