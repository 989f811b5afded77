/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* srmetrics: the quality of `test` against `ref` (psnr, ssim, ms-ssim,
 * delta-e, lpips), and test's no-reference statistics (blockiness,
 * informativeness); docs/elements.md has the whole reference.
 *
 * The two sink pads pair their buffers by running time (gstsrpairing.c, as
 * srpairsink does): a test frame is scored only against the ref frame of
 * the same running time; a frame without one is counted as unmatched. The
 * test buffers go on to src unchanged (scored or not), so srmetrics can
 * sit anywhere before a sink; the ref buffers end here.
 *
 * Each frame is brought to the device as planar RGB in [0,1] (any format
 * the upload handles, YUV through the caps' colorimetry), then to 8-bit
 * code values or BasicSR's Y, and scored in double precision by the
 * similarity op (kernels/sr_similarity.h; spec/metrics.md). With y-only,
 * 8-bit BT.601 limited-range YUV is scored on its Y plane as it is: that
 * is BasicSR's Y of the RGB the video was made from (rounded by the
 * encoder), where converting to RGB and back would add the chroma's
 * rounding. The message says which Y each side used (`ref-y-from`,
 * `test-y-from`: y-plane, rgb, or rgb-converted).
 *   psnr  10 log10 (255^2 / MSE), one MSE over every value (+inf when the
 *         frames are identical);
 *   ssim  mean over channels of the SSIM map's mean over the valid
 *         window region: 11x11 Gaussian (basicsr) or 7x7 uniform with
 *         sample covariance (skimage);
 * convention=pyiqa follows pyiqa's definitions instead; ms-ssim, delta-e
 * (the Lab and CIEDE2000 ops), lpips (AlexNet on the network executor,
 * models/nn/sr_lpips.h, with the user's converted weights) and the
 * no-reference statistics are below.
 * With only test linked and only no-reference metrics, every test frame
 * is scored alone.
 * Per frame an `sr-metrics` element message; at EOS (before EOS goes on)
 * `sr-metrics-summary`; with `location`, the same fields as JSON lines or
 * CSV (written through the dataset module's line files), the summary last
 * with "summary": true. JSON has no infinity: an infinite value is written
 * null with "<name>-infinite": true. */
#include "gstsrmetrics.h"
#include "gstsrcontext.h"
#include "gstsrvideo.h"
#include "sr_blockiness.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC (gst_sr_metrics_debug);
#define GST_CAT_DEFAULT gst_sr_metrics_debug

enum {
  PROP_0,
  PROP_METRICS,
  PROP_Y_ONLY,
  PROP_CROP_BORDER,
  PROP_CONVENTION,
  PROP_ON_SIZE_MISMATCH,
  PROP_LOCATION,
  PROP_FORMAT,
  PROP_DEVICE,
  PROP_LPIPS_WEIGHTS,
};

#define DEFAULT_METRICS "psnr,ssim"
#define DEFAULT_Y_ONLY TRUE
#define DEFAULT_CROP_BORDER 0
#define DEFAULT_CONVENTION GST_SR_CONVENTION_BASICSR
#define DEFAULT_DEVICE "auto"
#define MAX_PENDING 8           /* frames one input may run ahead */
#define REF 0
#define TEST 1

#define CAPS_STR GST_VIDEO_CAPS_MAKE (GST_SR_VIDEO_FORMATS)
static GstStaticPadTemplate ref_template = GST_STATIC_PAD_TEMPLATE ("ref",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));
static GstStaticPadTemplate test_template = GST_STATIC_PAD_TEMPLATE ("test",
    GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));
static GstStaticPadTemplate src_template = GST_STATIC_PAD_TEMPLATE ("src",
    GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS (CAPS_STR));

G_DEFINE_TYPE (GstSrMetrics, gst_sr_metrics, GST_TYPE_ELEMENT);
GST_ELEMENT_REGISTER_DEFINE (srmetrics, "srmetrics", GST_RANK_NONE,
    GST_TYPE_SR_METRICS);

#define GST_TYPE_SR_CONVENTION (gst_sr_convention_get_type ())
static GType
gst_sr_convention_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SR_CONVENTION_BASICSR, "BasicSR's NumPy metrics: SSIM with an "
          "11x11 Gaussian window (sigma 1.5), BT.601 limited-range Y",
        "basicsr"},
    {GST_SR_CONVENTION_SKIMAGE, "scikit-image's defaults: SSIM with a 7x7 "
          "uniform window and sample covariance (Y as basicsr)", "skimage"},
    {GST_SR_CONVENTION_PYIQA, "pyiqa's psnr / psnry (float32 [0,1] values, "
          "YIQ's Y, 1e-8 added to the MSE), ssim / ssimc and ms_ssim (Y "
          "rounded to 8 bits, contrast-structure clamped at 0 per pixel)",
        "pyiqa"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrConvention",
            values));
  return type;
}

#define GST_TYPE_SR_SIZE_MISMATCH (gst_sr_size_mismatch_get_type ())
static GType
gst_sr_size_mismatch_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {GST_SR_SIZE_MISMATCH_ERROR, "Frames of different sizes are an error",
        "error"},
    {GST_SR_SIZE_MISMATCH_UPSCALE_TEST, "Resize test to ref's size with "
          "MATLAB's bicubic imresize", "upscale-test"},
    {GST_SR_SIZE_MISMATCH_DOWNSCALE_REF, "Resize ref to test's size with "
          "MATLAB's bicubic imresize (antialiased): the undertrained-"
          "degradation paper's colour-difference protocol", "downscale-ref"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrSizeMismatch",
            values));
  return type;
}

#define GST_TYPE_SR_METRICS_FORMAT (gst_sr_metrics_format_get_type ())
static GType
gst_sr_metrics_format_get_type (void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
    {0, "JSON lines", "jsonl"},
    {1, "Comma-separated values with a header", "csv"},
    {0, NULL, NULL},
  };
  if (g_once_init_enter (&type))
    g_once_init_leave (&type, g_enum_register_static ("GstSrMetricsFormat",
            values));
  return type;
}

static const char *
convention_name (GstSrConvention c)
{
  return c == GST_SR_CONVENTION_SKIMAGE ? "skimage"
      : c == GST_SR_CONVENTION_PYIQA ? "pyiqa" : "basicsr";
}

/* ---- settings ----------------------------------------------------------------- */

#define AVAILABLE "psnr, ssim, ms-ssim, delta-e, lpips, blockiness, " \
    "informativeness"
/* Need ref, or only test. */
#define FULL_REFERENCE (GST_SR_METRIC_PSNR | GST_SR_METRIC_SSIM \
    | GST_SR_METRIC_MS_SSIM | GST_SR_METRIC_DELTA_E | GST_SR_METRIC_LPIPS)
#define NO_REFERENCE (GST_SR_METRIC_BLOCKINESS | GST_SR_METRIC_INFORMATIVENESS)
/* Made from the similarity op's sums (Y or RGB planes, crop-border). */
#define WINDOWED (GST_SR_METRIC_PSNR | GST_SR_METRIC_SSIM | GST_SR_METRIC_MS_SSIM)

static gboolean
parse_metrics (const char *list, guint *set, GError **error)
{
  *set = 0;
  gchar **names = g_strsplit (list ? list : "", ",", -1);
  gboolean ok = TRUE;
  for (gchar **n = names; *n && ok; n++) {
    g_strstrip (*n);
    if (!strcmp (*n, "psnr"))
      *set |= GST_SR_METRIC_PSNR;
    else if (!strcmp (*n, "ssim"))
      *set |= GST_SR_METRIC_SSIM;
    else if (!strcmp (*n, "ms-ssim"))
      *set |= GST_SR_METRIC_MS_SSIM;
    else if (!strcmp (*n, "delta-e"))
      *set |= GST_SR_METRIC_DELTA_E;
    else if (!strcmp (*n, "lpips"))
      *set |= GST_SR_METRIC_LPIPS;
    else if (!strcmp (*n, "blockiness"))
      *set |= GST_SR_METRIC_BLOCKINESS;
    else if (!strcmp (*n, "informativeness"))
      *set |= GST_SR_METRIC_INFORMATIVENESS;
    else if (**n) {
      g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
          "metrics=%s: unknown metric \"%s\" (available: " AVAILABLE ")",
          list, *n);
      ok = FALSE;
    }
  }
  g_strfreev (names);
  if (ok && !*set) {
    g_set_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_SETTINGS,
        "metrics is empty: name at least one of " AVAILABLE);
    ok = FALSE;
  }
  return ok;
}

/* ---- output: messages and JSON lines ------------------------------------------ */

/* The structure's fields as one JSON object: integers, booleans, strings
 * and doubles; a non-finite double as null plus "<name>-infinite". */
static JsonNode *
structure_to_json (const GstStructure *s)
{
  JsonObject *o = json_object_new ();
  for (int i = 0; i < gst_structure_n_fields (s); i++) {
    const char *name = gst_structure_nth_field_name (s, i);
    const GValue *v = gst_structure_get_value (s, name);
    if (G_VALUE_HOLDS_DOUBLE (v)) {
      const double d = g_value_get_double (v);
      if (isfinite (d)) {
        json_object_set_double_member (o, name, d);
      } else {
        json_object_set_null_member (o, name);
        gchar *flag = g_strconcat (name, "-infinite", NULL);
        json_object_set_boolean_member (o, flag, TRUE);
        g_free (flag);
      }
    } else if (G_VALUE_HOLDS_UINT64 (v)) {
      json_object_set_int_member (o, name, (gint64) g_value_get_uint64 (v));
    } else if (G_VALUE_HOLDS_UINT (v)) {
      json_object_set_int_member (o, name, g_value_get_uint (v));
    } else if (G_VALUE_HOLDS_BOOLEAN (v)) {
      json_object_set_boolean_member (o, name, g_value_get_boolean (v));
    } else if (G_VALUE_HOLDS_STRING (v)) {
      json_object_set_string_member (o, name, g_value_get_string (v));
    }
  }
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, o);
  return node;
}

/* format=csv: every field a message of this metric set can carry, per
 * frame and in the summary, as the header's columns. */
static GPtrArray *
csv_columns (guint set)
{
  GPtrArray *c = g_ptr_array_new_with_free_func (g_free);
  static const char *base[] = { "summary", "frame", "pts", "frames",
    "unmatched", "convention", "crop-border", "y-only", "ref-y-from",
    "test-y-from", "resized"
  };
  for (guint i = 0; i < G_N_ELEMENTS (base); i++)
    g_ptr_array_add (c, g_strdup (base[i]));
  static const struct { guint flag; const char *name; } m[] = {
    {GST_SR_METRIC_PSNR, "psnr"}, {GST_SR_METRIC_SSIM, "ssim"},
    {GST_SR_METRIC_MS_SSIM, "ms-ssim"}, {GST_SR_METRIC_DELTA_E, "delta-e"},
    {GST_SR_METRIC_LPIPS, "lpips"}, {GST_SR_METRIC_BLOCKINESS, "blockiness"},
    {GST_SR_METRIC_INFORMATIVENESS, "gray-std"},
    {GST_SR_METRIC_INFORMATIVENESS, "laplacian-var"},
  };
  static const char *stat[] = { "", "-reason", "-mean", "-mean-finite",
    "-min", "-max"
  };
  for (guint i = 0; i < G_N_ELEMENTS (m); i++)
    for (guint k = 0; (set & m[i].flag) && k < G_N_ELEMENTS (stat); k++)
      g_ptr_array_add (c, g_strconcat (m[i].name, stat[k], NULL));
  if (set & GST_SR_METRIC_PSNR) {
    g_ptr_array_add (c, g_strdup ("mse"));
    g_ptr_array_add (c, g_strdup ("psnr-from-mean-mse"));
    g_ptr_array_add (c, g_strdup ("psnr-identical"));
  }
  if (set & GST_SR_METRIC_BLOCKINESS)
    g_ptr_array_add (c, g_strdup ("blockiness-median"));
  if (set & NO_REFERENCE) {
    g_ptr_array_add (c, g_strdup ("pixels"));
    g_ptr_array_add (c, g_strdup ("pixels-mean"));
  }
  return c;
}

/* One CSV row of s in the columns' order: doubles with 17 digits (inf as
 * "inf", as Python and FFmpeg print it), an absent field empty. */
static gchar *
structure_to_csv (const GstStructure *s, const GPtrArray *columns)
{
  GString *row = g_string_new (NULL);
  for (guint i = 0; i < columns->len; i++) {
    const GValue *v = gst_structure_get_value (s, columns->pdata[i]);
    if (i)
      g_string_append_c (row, ',');
    if (!v)
      continue;
    if (G_VALUE_HOLDS_DOUBLE (v)) {
      const double d = g_value_get_double (v);
      if (isfinite (d))
        g_string_append_printf (row, "%.17g", d);
      else
        g_string_append (row, isnan (d) ? "nan" : d > 0 ? "inf" : "-inf");
    } else if (G_VALUE_HOLDS_UINT64 (v)) {
      g_string_append_printf (row, "%" G_GUINT64_FORMAT, g_value_get_uint64 (v));
    } else if (G_VALUE_HOLDS_UINT (v)) {
      g_string_append_printf (row, "%u", g_value_get_uint (v));
    } else if (G_VALUE_HOLDS_BOOLEAN (v)) {
      g_string_append (row, g_value_get_boolean (v) ? "true" : "false");
    } else if (G_VALUE_HOLDS_STRING (v)) {
      g_string_append (row, g_value_get_string (v));
    }
  }
  return g_string_free (row, FALSE);
}

/* Posts s (taken) as an element message and appends it to location. */
static gboolean
emit (GstSrMetrics *self, GstStructure *s)
{
  gboolean ok = TRUE;
  if (self->out) {
    GError *error = NULL;
    if (self->csv) {
      gchar *row = structure_to_csv (s, self->columns);
      ok = sr_line_file_append (self->out, row, &error);
      g_free (row);
    } else {
      JsonNode *node = structure_to_json (s);
      ok = sr_jsonl_append (self->out, node, &error);
      json_node_unref (node);
    }
    if (!ok) {
      GST_ELEMENT_ERROR (self, RESOURCE, WRITE, ("Could not write %s: %s",
              self->location, error->message), (NULL));
      g_error_free (error);
    }
  }
  gst_element_post_message (GST_ELEMENT (self),
      gst_message_new_element (GST_OBJECT (self), s));
  return ok;
}

static void
stats_add (GstSrMetricStats *st, double v)
{
  if (st->n == 0)
    st->min = st->max = v;
  st->min = MIN (st->min, v);
  st->max = MAX (st->max, v);
  st->n++;
  if (isfinite (v))
    st->sum_finite += v;
  else
    st->n_infinite++;
}

/* "<name>-mean" (+inf when a frame was infinite), "-mean-finite" (over
 * the finite frames), "-min", "-max"; nothing when no frame had one. */
static void
stats_set (GstStructure *s, const char *name, const GstSrMetricStats *st)
{
  if (!st->n)
    return;
  const guint64 finite = st->n - st->n_infinite;
  gchar *mean = g_strconcat (name, "-mean", NULL);
  gchar *mean_finite = g_strconcat (name, "-mean-finite", NULL);
  gchar *min = g_strconcat (name, "-min", NULL);
  gchar *max = g_strconcat (name, "-max", NULL);
  gst_structure_set (s, mean, G_TYPE_DOUBLE, st->n_infinite ? INFINITY
      : st->sum_finite / st->n, min, G_TYPE_DOUBLE, st->min, max,
      G_TYPE_DOUBLE, st->max, NULL);
  if (finite)
    gst_structure_set (s, mean_finite, G_TYPE_DOUBLE, st->sum_finite / finite,
        NULL);
  g_free (mean);
  g_free (mean_finite);
  g_free (min);
  g_free (max);
}

static gint
cmp_double (gconstpointer a, gconstpointer b)
{
  const double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Lock held. */
static void
post_summary (GstSrMetrics *self)
{
  if (self->summary_posted)
    return;
  self->summary_posted = TRUE;
  GstStructure *s = gst_structure_new ("sr-metrics-summary",
      "summary", G_TYPE_BOOLEAN, TRUE,
      "frames", G_TYPE_UINT64, self->scored,
      "unmatched", G_TYPE_UINT64, self->pairing.unmatched,
      "convention", G_TYPE_STRING, convention_name (self->convention),
      "crop-border", G_TYPE_UINT, self->crop_border,
      "y-only", G_TYPE_BOOLEAN, self->y_only, NULL);
  if (self->metric_set & GST_SR_METRIC_PSNR) {
    stats_set (s, "psnr", &self->psnr);
    /* FFmpeg's "average": the PSNR of the mean MSE over the frames. */
    const double mean_mse = self->sum_mse / self->scored;
    if (self->scored)
      gst_structure_set (s, "psnr-from-mean-mse", G_TYPE_DOUBLE,
          self->convention == GST_SR_CONVENTION_PYIQA
          ? 10 * log10 (1 / (mean_mse + 1e-8)) : mean_mse > 0
          ? 10 * log10 (255.0 * 255.0 / mean_mse) : INFINITY,
          "psnr-identical", G_TYPE_UINT64, self->psnr.n_infinite, NULL);
  }
  if (self->metric_set & GST_SR_METRIC_SSIM)
    stats_set (s, "ssim", &self->ssim);
  if (self->metric_set & GST_SR_METRIC_MS_SSIM)
    stats_set (s, "ms-ssim", &self->ms_ssim);
  if (self->metric_set & GST_SR_METRIC_DELTA_E)
    stats_set (s, "delta-e", &self->delta_e);
  if (self->metric_set & GST_SR_METRIC_LPIPS)
    stats_set (s, "lpips", &self->lpips_stats);
  if (self->metric_set & GST_SR_METRIC_BLOCKINESS) {
    stats_set (s, "blockiness", &self->blockiness);
    /* GASR's dataset table quotes the median. */
    GArray *v = self->blockiness_values;
    if (v->len) {
      g_array_sort (v, cmp_double);
      const double *d = (const double *) v->data;
      gst_structure_set (s, "blockiness-median", G_TYPE_DOUBLE, v->len % 2
          ? d[v->len / 2] : (d[v->len / 2 - 1] + d[v->len / 2]) / 2, NULL);
    }
  }
  if (self->metric_set & GST_SR_METRIC_INFORMATIVENESS) {
    stats_set (s, "gray-std", &self->gray_std);
    stats_set (s, "laplacian-var", &self->laplacian_var);
  }
  if ((self->metric_set & NO_REFERENCE) && self->scored)
    gst_structure_set (s, "pixels-mean", G_TYPE_DOUBLE, self->sum_pixels
        / self->scored, NULL);
  GST_INFO_OBJECT (self, "%" GST_PTR_FORMAT, s);
  emit (self, s);
}

/* ---- scoring ------------------------------------------------------------------ */

static SrTensor *
reuse (GstSrMetrics *self, SrTensor **slot, int c, int h, int w, SrDType t)
{
  return sr_tensor_reuse (self->runtime, self->queue, slot, 1, c, h, w, t);
}

/* The luma plane serves as BasicSR's Y: 8-bit BT.601 limited range. */
static gboolean
y_plane_is_basicsr_y (const GstVideoInfo *info)
{
  return GST_VIDEO_INFO_IS_YUV (info) && !GST_VIDEO_INFO_IS_GRAY (info)
      && GST_VIDEO_INFO_COMP_DEPTH (info, 0) == 8
      && info->colorimetry.matrix == GST_VIDEO_COLOR_MATRIX_BT601
      && info->colorimetry.range == GST_VIDEO_COLOR_RANGE_16_235;
}

static const char *
y_from (const GstVideoInfo *info)
{
  return y_plane_is_basicsr_y (info) ? "y-plane" : GST_VIDEO_INFO_IS_RGB (info)
      ? "rgb" : "rgb-converted";
}

/* Lock held: rgb[side] from the frame, through the upload (the caps'
 * colorimetry for YUV). */
static SrStatus
frame_rgb (GstSrMetrics *self, int side, const GstVideoFrame *frame)
{
  SrTensor *rgb = reuse (self, &self->rgb[side], 3,
      GST_VIDEO_FRAME_HEIGHT (frame), GST_VIDEO_FRAME_WIDTH (frame),
      SR_DTYPE_F32);
  return !rgb ? SR_ERR_OUT_OF_DEVICE_MEMORY
      : gst_sr_upload_frame (self->convert, self->queue, frame, 0, 0, rgb);
}

/* Lock held: rgb resized to w x h into self->resized with MATLAB's
 * bicubic imresize (antialiased when shrinking, as imresize by default). */
static SrStatus
resize_rgb (GstSrMetrics *self, const SrTensor *rgb, int w, int h)
{
  SrTensor *out = reuse (self, &self->resized, 3, h, w, SR_DTYPE_F32);
  if (!out)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  if (self->rows.in_len != rgb->h || self->rows.out_len != h) {
    sr_tap_table_clear (&self->rows);
    sr_taps_matlab_bicubic (&self->rows, rgb->h, h, (double) h / rgb->h, TRUE);
  }
  if (self->cols.in_len != rgb->w || self->cols.out_len != w) {
    sr_tap_table_clear (&self->cols);
    sr_taps_matlab_bicubic (&self->cols, rgb->w, w, (double) w / rgb->w, TRUE);
  }
  return sr_resample_run (self->resample, self->queue, rgb, out, &self->rows,
      &self->cols);
}

/* Side's frames (scored at w x h) are scored on their Y plane as it is. */
static gboolean
scored_on_y_plane (GstSrMetrics *self, int side, int w, int h)
{
  const GstVideoInfo *info = &self->info[side];
  return self->y_only && self->convention != GST_SR_CONVENTION_PYIQA
      && GST_VIDEO_INFO_WIDTH (info) == w && GST_VIDEO_INFO_HEIGHT (info) == h
      && y_plane_is_basicsr_y (info);
}

/* Lock held: one side's frame, brought to w x h (resized when it is not
 * that size: on-size-mismatch), to planes[side]: the Y plane as it is, or
 * through the upload to RGB and the code values / BasicSR's Y; and for
 * delta-e to lab[side] (CIELAB of the RGB code values, whole frame).
 * y8_only: the Y plane is scored as it is, from y8[side] alone (no
 * planes[side]). */
static SrStatus
frame_planes (GstSrMetrics *self, int side, const GstVideoFrame *frame,
    int w, int h, gboolean y8_only)
{
  const int crop = self->crop_border, c = self->y_only ? 1 : 3;
  const gboolean resize = GST_VIDEO_FRAME_WIDTH (frame) != w
      || GST_VIDEO_FRAME_HEIGHT (frame) != h;
  const gboolean delta_e = self->metric_set & GST_SR_METRIC_DELTA_E;
  const gboolean need_rgb = delta_e || (self->metric_set & GST_SR_METRIC_LPIPS);
  const gboolean windowed = self->metric_set & WINDOWED;
  const gboolean pyiqa = self->convention == GST_SR_CONVENTION_PYIQA;
  const gboolean y_plane = scored_on_y_plane (self, side, w, h);
  SrTensor *planes = y8_only ? NULL : reuse (self, &self->planes[side], c,
      h - 2 * crop, w - 2 * crop, SR_DTYPE_F64);
  if (!planes && !y8_only)
    return SR_ERR_OUT_OF_DEVICE_MEMORY;
  SrStatus st = SR_OK;
  SrTensor *rgb = NULL;         /* the frame's RGB at w x h */
  if (need_rgb || !y_plane) {
    st = frame_rgb (self, side, frame);
    rgb = self->rgb[side];
    if (st == SR_OK && resize) {
      st = resize_rgb (self, rgb, w, h);
      rgb = self->resized;
    }
  }
  self->scored_rgb[side] = rgb;
  if (st == SR_OK && delta_e) {
    SrTensor *lab = reuse (self, &self->lab[side], 3, h, w, SR_DTYPE_F64);
    st = !lab ? SR_ERR_OUT_OF_DEVICE_MEMORY
        : sr_lab_run (self->lab_op, self->queue, rgb, lab);
  }
  if (st == SR_OK && windowed && y_plane) {
    SrTensor *y8 = reuse (self, &self->y8[side], 1, h, w, SR_DTYPE_U8);
    if (!y8)
      return SR_ERR_OUT_OF_DEVICE_MEMORY;
    const size_t origin[3] = { 0, 0, 0 }, region[3] = { w, h, 1 };
    /* Blocking: the frame may be unmapped once this returns. */
    const cl_int err = clEnqueueWriteBufferRect (self->queue, y8->mem, CL_TRUE,
        origin, origin, region, w, 0, GST_VIDEO_FRAME_PLANE_STRIDE (frame, 0),
        0, GST_VIDEO_FRAME_PLANE_DATA (frame, 0), 0, NULL, NULL);
    st = err != CL_SUCCESS ? sr_status_from_cl (err) : y8_only ? SR_OK
        : sr_similarity_planes_y8 (self->similarity, self->queue, y8, crop,
        planes);
  } else if (st == SR_OK && windowed) {
    /* pyiqa's SSIM sees YIQ's Y, rounded (RGB: the codes themselves). */
    st = sr_similarity_planes (self->similarity, self->queue, rgb, crop,
        !self->y_only ? SR_PLANES_RGB : pyiqa ? SR_PLANES_Y_YIQ_255
        : SR_PLANES_Y_BASICSR, planes);
  }
  /* And its PSNR the unrounded float32 values in [0, 1]. */
  if (st == SR_OK && pyiqa && (self->metric_set & GST_SR_METRIC_PSNR)) {
    SrTensor *unit = reuse (self, &self->unit[side], c, h - 2 * crop,
        w - 2 * crop, SR_DTYPE_F64);
    st = !unit ? SR_ERR_OUT_OF_DEVICE_MEMORY
        : sr_similarity_planes (self->similarity, self->queue, rgb, crop,
        self->y_only ? SR_PLANES_Y_YIQ : SR_PLANES_RGB_UNIT, unit);
  }
  /* The frame is unmapped next: the upload must have read it. */
  if (st == SR_OK)
    st = sr_status_from_cl (clFinish (self->queue));
  return st;
}

/* MS-SSIM's weights (Wang, Simoncelli, Bovik 2003) for scales 1..5. */
static const double ms_weights[5] = { 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 };

/* Lock held: MS-SSIM of planes[REF] against planes[TEST] (spec/metrics.md
 * 5): five scales of the 11x11 Gaussian SSIM, 2x2 means between them;
 * prod_j cs_j^w_j (j = 1..4) * ssim_5^w_5 per channel, then the mean of the
 * channels. basicsr: MATLAB's msssim.m (its downsampling; a negative term
 * gives no value, reason negative-cs, where MATLAB would go complex);
 * skimage: pytorch-msssim (zero-padded pooling; negative terms clamped at
 * 0). scale1: the scale-1 sums when they were made with the Gaussian
 * window, else NULL. *reason is set (and the result NaN) when there is no
 * value. */
static SrStatus
ms_ssim (GstSrMetrics *self, const SrSimilarity *scale1, double *value,
    const char **reason)
{
  /* pytorch-msssim's pooling for skimage, and pyiqa's (the same). */
  const gboolean pyiqa = self->convention == GST_SR_CONVENTION_PYIQA;
  const gboolean torch = pyiqa || self->convention == GST_SR_CONVENTION_SKIMAGE;
  SrTensor *a = self->planes[REF], *b = self->planes[TEST];
  const int nc = a->c;
  double cs[4][3] = { { 0 } }, s5[3] = { 0 };
  SrSimilarity r[3];
  *value = NAN;
  *reason = NULL;
  /* MATLAB refuses sides below 11 * 2^4 = 176; pytorch-msssim asserts
   * more than (11 - 1) * 2^4 = 160. */
  if (MIN (a->h, a->w) < (torch ? 161 : 176)) {
    *reason = "too-small";
    return SR_OK;
  }
  for (int level = 0; level < 5; level++) {
    SrStatus st = SR_OK;
    if (level > 0) {
      SrTensor *na = sr_tensor_reuse (self->runtime, self->queue,
          &self->scales[REF][level - 1], 1, nc, (a->h + 1) / 2, (a->w + 1) / 2,
          SR_DTYPE_F64);
      SrTensor *nb = sr_tensor_reuse (self->runtime, self->queue,
          &self->scales[TEST][level - 1], 1, nc, (b->h + 1) / 2,
          (b->w + 1) / 2, SR_DTYPE_F64);
      if (!na || !nb)
        return SR_ERR_OUT_OF_DEVICE_MEMORY;
      if ((st = sr_similarity_downsample (self->similarity, self->queue, a,
                  na, torch)) != SR_OK
          || (st = sr_similarity_downsample (self->similarity, self->queue, b,
                  nb, torch)) != SR_OK)
        return st;
      a = na;
      b = nb;
    }
    if (level == 0 && scale1)
      memcpy (r, scale1, nc * sizeof *r);
    else if ((st = sr_similarity_run (self->similarity, self->queue, a, b,
                SR_WINDOW_GAUSSIAN11, (0.01 * 255) * (0.01 * 255),
                (0.03 * 255) * (0.03 * 255), pyiqa, r)) != SR_OK)
      return st;
    if (pyiqa) {
      /* Means over channels and pixels together, clamped per pixel
       * already: one product for all channels. */
      double c_mean = 0, s_mean = 0;
      for (int i = 0; i < nc; i++) {
        c_mean += r[i].cs / nc;
        s_mean += r[i].ssim / nc;
      }
      for (int i = 0; i < nc; i++) {
        r[i].cs = c_mean;
        r[i].ssim = s_mean;
      }
    }
    for (int i = 0; i < nc; i++) {
      if (level < 4)
        cs[level][i] = torch ? MAX (r[i].cs, 0.0) : r[i].cs;
      else
        s5[i] = torch ? MAX (r[i].ssim, 0.0) : r[i].ssim;
    }
  }
  double mean = 0;
  for (int i = 0; i < nc; i++) {
    double v = pow (s5[i], ms_weights[4]);
    for (int j = 0; j < 4; j++) {
      if (cs[j][i] < 0 || s5[i] < 0) {
        *reason = "negative-cs";
        return SR_OK;
      }
      v *= pow (cs[j][i], ms_weights[j]);
    }
    mean += v / nc;
  }
  *value = mean;
  return SR_OK;
}

/* Lock held: LPIPS of the scored RGB pictures (w x h, whole frames) into
 * s; FALSE after posting an error. Below AlexNet's smallest input: no
 * value, a reason and one warning. The first frame of a size plans the
 * network (on a new machine its convolutions are measured first): a
 * progress message pair says so. */
static gboolean
lpips (GstSrMetrics *self, int w, int h, GstStructure *s)
{
  if (MIN (w, h) < SR_LPIPS_MIN_SIDE) {
    gst_structure_set (s, "lpips-reason", G_TYPE_STRING, "too-small", NULL);
    if (!self->warned_lpips) {
      self->warned_lpips = TRUE;
      GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("LPIPS needs frames of at "
              "least %dx%d pixels; these are %dx%d: no LPIPS values",
              SR_LPIPS_MIN_SIDE, SR_LPIPS_MIN_SIDE, w, h), (NULL));
    }
    return TRUE;
  }
  const gboolean first = self->lpips_w != w || self->lpips_h != h;
  if (first)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_progress (GST_OBJECT (self), GST_PROGRESS_TYPE_START,
            "lpips", "Planning LPIPS's network for this frame size (the "
            "first use on a device measures its convolutions; cached in "
            "~/.cache/gst-sr)"));
  GError *error = NULL;
  double d;
  const gboolean ok = sr_lpips_run (self->lpips, self->queue,
      self->scored_rgb[REF], self->scored_rgb[TEST], &d, &error);
  if (first)
    gst_element_post_message (GST_ELEMENT (self),
        gst_message_new_progress (GST_OBJECT (self), ok
            ? GST_PROGRESS_TYPE_COMPLETE : GST_PROGRESS_TYPE_ERROR, "lpips",
            ok ? "LPIPS planned" : "Planning LPIPS failed"));
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("LPIPS of a %dx%d frame "
            "failed: %s", w, h, error->message), (NULL));
    g_error_free (error);
    return FALSE;
  }
  self->lpips_w = w;
  self->lpips_h = h;
  gst_structure_set (s, "lpips", G_TYPE_DOUBLE, d, NULL);
  stats_add (&self->lpips_stats, d);
  return TRUE;
}

/* Lock held: the full-reference metrics of test frame `test` against ref
 * frame `ref`, into s. */
static GstFlowReturn
full_reference (GstSrMetrics *self, GstSrPending *ref, GstSrPending *test,
    GstStructure *s)
{
  const GstVideoInfo *ri = &self->info[REF], *ti = &self->info[TEST];
  const int rw = GST_VIDEO_INFO_WIDTH (ri), rh = GST_VIDEO_INFO_HEIGHT (ri);
  const int tw = GST_VIDEO_INFO_WIDTH (ti), th = GST_VIDEO_INFO_HEIGHT (ti);
  if ((rw != tw || rh != th)
      && self->on_size_mismatch == GST_SR_SIZE_MISMATCH_ERROR) {
    GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("srmetrics compares frames of "
            "one size: ref is %dx%d, test is %dx%d", rw, rh, tw, th),
        ("bring them to one size before srmetrics (videoscale, srupscale), "
            "or set on-size-mismatch=upscale-test (test resized to ref's "
            "size) or downscale-ref (ref to test's), MATLAB bicubic"));
    return GST_FLOW_ERROR;
  }
  /* The size scored: ref's unless ref is brought to test's. */
  const gboolean to_test = self->on_size_mismatch
      == GST_SR_SIZE_MISMATCH_DOWNSCALE_REF;
  const int w = to_test ? tw : rw, h = to_test ? th : rh;
  const int crop = self->crop_border, c = self->y_only ? 1 : 3;
  if (2 * crop >= w || 2 * crop >= h) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("crop-border=%d leaves "
            "nothing of a %dx%d frame", crop, w, h), (NULL));
    return GST_FLOW_ERROR;
  }
  const gboolean skimage = self->convention == GST_SR_CONVENTION_SKIMAGE;
  const gboolean pyiqa = self->convention == GST_SR_CONVENTION_PYIQA;
  const gboolean windowed_metrics = self->metric_set & WINDOWED;
  /* Both Y planes as they are, and no MS-SSIM (which downsamples the
   * double planes): the sums straight from the 8-bit planes. */
  const gboolean y8_only = windowed_metrics
      && !(self->metric_set & GST_SR_METRIC_MS_SSIM)
      && scored_on_y_plane (self, REF, w, h)
      && scored_on_y_plane (self, TEST, w, h);
  SrStatus st = SR_OK;
  for (int s = 0; s < 2 && st == SR_OK; s++) {
    GstVideoFrame frame;
    GstSrPending *p = s == REF ? ref : test;
    if (!gst_video_frame_map (&frame, &self->info[s], p->buffer, GST_MAP_READ)) {
      GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a %s frame",
              s == REF ? "ref" : "test"), (NULL));
      return GST_FLOW_ERROR;
    }
    st = frame_planes (self, s, &frame, w, h, y8_only);
    gst_video_frame_unmap (&frame);
  }
  SrSimilarity r[3] = { { 0 } }, unit[3];
  /* PSNR alone needs the SSE, not the window's sums (which MS-SSIM reuses
   * as its first scale). */
  const gboolean window_sums = self->metric_set
      & (GST_SR_METRIC_SSIM | GST_SR_METRIC_MS_SSIM);
  const SrWindow window = !window_sums ? SR_WINDOW_NONE
      : skimage ? SR_WINDOW_UNIFORM7 : SR_WINDOW_GAUSSIAN11;
  const double c1 = (0.01 * 255) * (0.01 * 255);
  const double c2 = (0.03 * 255) * (0.03 * 255);
  if (st == SR_OK && y8_only)
    st = sr_similarity_run_u8 (self->similarity, self->queue, self->y8[REF],
        self->y8[TEST], crop, window, c1, c2, pyiqa, r);
  else if (st == SR_OK && windowed_metrics)
    st = sr_similarity_run (self->similarity, self->queue, self->planes[REF],
        self->planes[TEST], window, c1, c2, pyiqa, r);
  /* pyiqa's PSNR: its own planes. */
  if (st == SR_OK && pyiqa && (self->metric_set & GST_SR_METRIC_PSNR))
    st = sr_similarity_run (self->similarity, self->queue, self->unit[REF],
        self->unit[TEST], SR_WINDOW_NONE, 1, 1, FALSE, unit);
  if (st != SR_OK) {
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Scoring a %dx%d frame failed: "
            "%s", w, h, sr_status_name (st)), (NULL));
    return GST_FLOW_ERROR;
  }

  if (self->y_only && pyiqa && windowed_metrics)
    gst_structure_set (s, "ref-y-from", G_TYPE_STRING, "yiq",
        "test-y-from", G_TYPE_STRING, "yiq", NULL);
  else if (self->y_only && windowed_metrics)
    gst_structure_set (s, "ref-y-from", G_TYPE_STRING, rw == w && rh == h
        ? y_from (ri) : "rgb-resized", "test-y-from", G_TYPE_STRING,
        tw == w && th == h ? y_from (ti) : "rgb-resized", NULL);
  if (rw != tw || rh != th)
    gst_structure_set (s, "resized", G_TYPE_STRING, to_test ? "ref" : "test",
        NULL);
  double sse = 0, n = 0, ssim = 0;
  gboolean windowed = TRUE;
  for (int i = 0; i < c; i++) {
    sse += pyiqa && (self->metric_set & GST_SR_METRIC_PSNR) ? unit[i].sse
        : r[i].sse;
    n += r[i].n;
    ssim += r[i].ssim / c;
    windowed &= r[i].n_valid > 0;
  }
  /* MSE in the convention's units: 0..255, or pyiqa's 0..1. */
  const double mse = sse / n;
  if (self->metric_set & GST_SR_METRIC_PSNR) {
    const double psnr = pyiqa ? 10 * log10 (1 / (mse + 1e-8))
        : mse > 0 ? 10 * log10 (255.0 * 255.0 / mse) : INFINITY;
    gst_structure_set (s, "psnr", G_TYPE_DOUBLE, psnr, "mse", G_TYPE_DOUBLE,
        mse, NULL);
    stats_add (&self->psnr, psnr);
  }
  if (self->metric_set & GST_SR_METRIC_SSIM) {
    if (windowed) {
      gst_structure_set (s, "ssim", G_TYPE_DOUBLE, ssim, NULL);
      stats_add (&self->ssim, ssim);
    } else {
      gst_structure_set (s, "ssim-reason", G_TYPE_STRING, "too-small", NULL);
    }
  }
  if (self->metric_set & GST_SR_METRIC_DELTA_E) {
    double de;
    st = sr_ciede2000_run (self->ciede2000, self->queue, self->lab[REF],
        self->lab[TEST], NULL, &de);
    if (st != SR_OK) {
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("CIEDE2000 of a %dx%d frame "
              "failed: %s", w, h, sr_status_name (st)), (NULL));
      return GST_FLOW_ERROR;
    }
    gst_structure_set (s, "delta-e", G_TYPE_DOUBLE, de, NULL);
    stats_add (&self->delta_e, de);
  }
  if (self->metric_set & GST_SR_METRIC_MS_SSIM) {
    double ms;
    const char *reason;
    st = ms_ssim (self, skimage ? NULL : r, &ms, &reason);
    if (st != SR_OK) {
      GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("MS-SSIM of a %dx%d frame "
              "failed: %s", w, h, sr_status_name (st)), (NULL));
      return GST_FLOW_ERROR;
    }
    if (reason) {
      gst_structure_set (s, "ms-ssim-reason", G_TYPE_STRING, reason, NULL);
      if (!strcmp (reason, "too-small") && !self->warned_ms_ssim) {
        self->warned_ms_ssim = TRUE;
        GST_ELEMENT_WARNING (self, STREAM, FORMAT, ("MS-SSIM needs frames of "
                "at least %d pixels on their short side (after crop-border); "
                "these are %dx%d: no MS-SSIM values", skimage ? 161 : 176,
                w - 2 * crop, h - 2 * crop), (NULL));
      }
    } else {
      gst_structure_set (s, "ms-ssim", G_TYPE_DOUBLE, ms, NULL);
      stats_add (&self->ms_ssim, ms);
    }
  }
  if ((self->metric_set & GST_SR_METRIC_LPIPS) && !lpips (self, w, h, s))
    return GST_FLOW_ERROR;
  self->sum_mse += mse;
  return GST_FLOW_OK;
}

/* Lock held: the test frame as 8-bit RGB in host memory: the mapped frame
 * itself when it is packed RGB, else the upload's RGB (the caps'
 * colorimetry) downloaded with the code-value rounding into host_rgb. */
static SrStatus
host_rgb (GstSrMetrics *self, const GstVideoFrame *frame, SrHostFrame *out)
{
  SrPackedLayout layout;
  if (gst_sr_packed_layout (GST_VIDEO_FRAME_FORMAT (frame), &layout)) {
    gst_sr_host_frame (frame, out);
    return SR_OK;
  }
  const int w = GST_VIDEO_FRAME_WIDTH (frame), h = GST_VIDEO_FRAME_HEIGHT (frame);
  SrStatus st = frame_rgb (self, TEST, frame);
  self->host_rgb = g_realloc (self->host_rgb, (size_t) w * h * 3);
  const SrPackedLayout rgb = { 3, 0, 1, 2, -1 };
  if (st == SR_OK)
    st = sr_download_packed8 (self->convert, self->queue, self->rgb[TEST],
        self->host_rgb, w * 3, &rgb, SR_ROUND_HALF_EVEN);
  *out = (SrHostFrame) { self->host_rgb, w, h, w * 3, rgb };
  return st;
}

/* Lock held: the no-reference statistics of the test frame, into s:
 * blockiness (DiverSeg's; spec 7) and HGGT's informativeness (gray std,
 * saturated Laplacian variance; spec 8), and the pixel count. */
static GstFlowReturn
no_reference (GstSrMetrics *self, GstSrPending *test, GstStructure *s)
{
  GstVideoFrame frame;
  if (!gst_video_frame_map (&frame, &self->info[TEST], test->buffer,
          GST_MAP_READ)) {
    GST_ELEMENT_ERROR (self, STREAM, FAILED, ("Could not map a test frame"),
        (NULL));
    return GST_FLOW_ERROR;
  }
  SrHostFrame hf;
  const SrStatus st = host_rgb (self, &frame, &hf);
  if (st != SR_OK) {
    gst_video_frame_unmap (&frame);
    GST_ELEMENT_ERROR (self, RESOURCE, FAILED, ("Converting a test frame "
            "failed: %s", sr_status_name (st)), (NULL));
    return GST_FLOW_ERROR;
  }
  gst_structure_set (s, "pixels", G_TYPE_UINT64, (guint64) hf.width
      * hf.height, NULL);
  self->sum_pixels += (double) hf.width * hf.height;
  if (self->metric_set & GST_SR_METRIC_BLOCKINESS) {
    double b;
    const char *reason;
    if (sr_blockiness (&hf, &b, &reason)) {
      gst_structure_set (s, "blockiness", G_TYPE_DOUBLE, b, NULL);
      stats_add (&self->blockiness, b);
      g_array_append_val (self->blockiness_values, b);
    } else {
      gst_structure_set (s, "blockiness-reason", G_TYPE_STRING, reason, NULL);
    }
  }
  if (self->metric_set & GST_SR_METRIC_INFORMATIVENESS) {
    double std, lap;
    sr_patch_informativeness (&hf, 0, 0, hf.width, hf.height, &std, &lap);
    gst_structure_set (s, "gray-std", G_TYPE_DOUBLE, std, "laplacian-var",
        G_TYPE_DOUBLE, lap, NULL);
    stats_add (&self->gray_std, std);
    stats_add (&self->laplacian_var, lap);
  }
  gst_video_frame_unmap (&frame);
  return GST_FLOW_OK;
}

/* Lock held: scores test (against ref, NULL with only test linked). */
static GstFlowReturn
score (GstSrMetrics *self, GstSrPending *ref, GstSrPending *test)
{
  GstStructure *s = gst_structure_new ("sr-metrics",
      "frame", G_TYPE_UINT64, test->seq,
      "pts", G_TYPE_UINT64, GST_BUFFER_PTS (test->buffer),
      "convention", G_TYPE_STRING, convention_name (self->convention),
      "crop-border", G_TYPE_UINT, self->crop_border,
      "y-only", G_TYPE_BOOLEAN, self->y_only, NULL);
  GstFlowReturn ret = GST_FLOW_OK;
  if (ref && (self->metric_set & FULL_REFERENCE))
    ret = full_reference (self, ref, test, s);
  if (ret == GST_FLOW_OK && (self->metric_set & NO_REFERENCE))
    ret = no_reference (self, test, s);
  if (ret != GST_FLOW_OK) {
    gst_structure_free (s);
    return ret;
  }
  self->scored++;
  return emit (self, s) ? GST_FLOW_OK : GST_FLOW_ERROR;
}

/* ---- data flow ------------------------------------------------------------------ */

/* Lock held: waits while `side` runs more than MAX_PENDING frames ahead of
 * the other input. */
static void
wait_for_partner (GstSrMetrics *self, int side)
{
  while (gst_sr_pairing_waiting (&self->pairing, side) > MAX_PENDING
      && !self->pairing.eos[!side] && !self->flushing)
    g_cond_wait (&self->cond, &self->lock);
}

/* Lock held: buffer arrived on `side`; pairs and scores it. */
static GstFlowReturn
offer (GstSrMetrics *self, int side, GstBuffer *buffer, gboolean *queued)
{
  *queued = FALSE;
  if (!self->have_info[side]) {
    GST_ELEMENT_ERROR (self, CORE, NEGOTIATION, (NULL),
        ("a buffer on %s before its caps", side == REF ? "ref" : "test"));
    return GST_FLOW_NOT_NEGOTIATED;
  }
  GstSrPending *p = gst_sr_pending_new (buffer,
      gst_segment_to_running_time (&self->segment[side], GST_FORMAT_TIME,
          GST_BUFFER_PTS (buffer)),
      side == TEST ? self->test_frames++ : 0);
  GstSrPending *partner;
  GstFlowReturn ret = GST_FLOW_OK;
  switch (gst_sr_pairing_offer (&self->pairing, side, p, &partner)) {
    case GST_SR_PAIRED:
      ret = side == TEST ? score (self, partner, p) : score (self, p, partner);
      gst_sr_pending_free (partner);
      gst_sr_pending_free (p);
      break;
    case GST_SR_UNMATCHED:
      GST_LOG_OBJECT (self, "unmatched %s buffer", side == REF ? "ref" : "test");
      gst_sr_pending_free (p);
      break;
    case GST_SR_QUEUED:
      *queued = TRUE;
      break;
  }
  g_cond_broadcast (&self->cond);
  return ret;
}

static GstFlowReturn
gst_sr_metrics_chain (GstPad *pad, GstObject *parent, GstBuffer *buffer)
{
  GstSrMetrics *self = GST_SR_METRICS (parent);
  const int side = pad == self->ref_pad ? REF : TEST;
  gboolean queued;
  g_mutex_lock (&self->lock);
  GstFlowReturn ret;
  if (side == TEST && !gst_pad_is_linked (self->ref_pad)) {
    if (self->metric_set & FULL_REFERENCE) {
      g_mutex_unlock (&self->lock);
      GST_ELEMENT_ERROR (self, CORE, PAD, ("srmetrics' ref pad is not "
              "linked: psnr, ssim, ms-ssim and delta-e score test against "
              "ref"), ("link the reference frames to ref, or ask only for "
              "the no-reference metrics (blockiness, informativeness)"));
      gst_buffer_unref (buffer);
      return GST_FLOW_ERROR;
    }
    /* Only test: its no-reference statistics, nothing to pair. */
    GstSrPending *p = gst_sr_pending_new (buffer, GST_CLOCK_TIME_NONE,
        self->test_frames++);
    ret = !self->have_info[TEST] ? GST_FLOW_NOT_NEGOTIATED
        : score (self, NULL, p);
    gst_sr_pending_free (p);
    queued = FALSE;
  } else {
    ret = offer (self, side, buffer, &queued);
  }
  g_mutex_unlock (&self->lock);
  if (ret != GST_FLOW_OK) {
    gst_buffer_unref (buffer);
    return ret;
  }
  /* test goes on whether or not it was scored; ref ends here. */
  if (side == TEST)
    ret = gst_pad_push (self->src_pad, buffer);
  else
    gst_buffer_unref (buffer);
  if (queued) {
    g_mutex_lock (&self->lock);
    wait_for_partner (self, side);
    g_mutex_unlock (&self->lock);
  }
  return ret;
}

static gboolean
gst_sr_metrics_sink_event (GstPad *pad, GstObject *parent, GstEvent *event)
{
  GstSrMetrics *self = GST_SR_METRICS (parent);
  const int side = pad == self->ref_pad ? REF : TEST;
  g_mutex_lock (&self->lock);
  switch (GST_EVENT_TYPE (event)) {
    case GST_EVENT_CAPS:{
      GstCaps *caps;
      gst_event_parse_caps (event, &caps);
      self->have_info[side] = gst_video_info_from_caps (&self->info[side], caps);
      if (!self->have_info[side]) {
        g_mutex_unlock (&self->lock);
        gst_event_unref (event);
        return FALSE;
      }
      break;
    }
    case GST_EVENT_SEGMENT:{
      const GstSegment *seg;
      gst_event_parse_segment (event, &seg);
      if (seg->format != GST_FORMAT_TIME) {
        g_mutex_unlock (&self->lock);
        GST_ELEMENT_ERROR (self, STREAM, FORMAT, ("srmetrics needs TIME "
                "segments on %s to pair by running time", GST_PAD_NAME (pad)),
            ("segment format %s", gst_format_get_name (seg->format)));
        gst_event_unref (event);
        return FALSE;
      }
      gst_segment_copy_into (seg, &self->segment[side]);
      break;
    }
    case GST_EVENT_GAP:{
      GstClockTime ts, dur;
      gst_event_parse_gap (event, &ts, &dur);
      gst_sr_pairing_gap (&self->pairing, side, gst_segment_to_running_time
          (&self->segment[side], GST_FORMAT_TIME, ts), dur);
      g_cond_broadcast (&self->cond);
      break;
    }
    case GST_EVENT_EOS:
      gst_sr_pairing_eos (&self->pairing, side);
      g_cond_broadcast (&self->cond);
      /* The summary goes out before EOS does (gst-launch-1.0 stops at the
       * EOS message): test waits for ref to end. */
      while (side == TEST && !self->pairing.eos[REF] && !self->flushing
          && gst_pad_is_linked (self->ref_pad))
        g_cond_wait (&self->cond, &self->lock);
      if (side == TEST || self->pairing.eos[TEST])
        post_summary (self);
      break;
    case GST_EVENT_FLUSH_START:
      self->flushing = TRUE;
      g_cond_broadcast (&self->cond);
      break;
    case GST_EVENT_FLUSH_STOP:
      self->flushing = FALSE;
      gst_sr_pairing_reset_side (&self->pairing, side);
      gst_segment_init (&self->segment[side], GST_FORMAT_TIME);
      break;
    default:
      break;
  }
  g_mutex_unlock (&self->lock);
  if (side == TEST)
    return gst_pad_event_default (pad, parent, event);
  gst_event_unref (event);      /* ref's stream ends here */
  return TRUE;
}

/* ref's stream ends here: its caps come from the template, and its other
 * queries go nowhere; test's and src's go through (to each other). */
static gboolean
gst_sr_metrics_query (GstPad *pad, GstObject *parent, GstQuery *query)
{
  GstSrMetrics *self = GST_SR_METRICS (parent);
  if (gst_sr_handle_context_query (GST_ELEMENT (self), query, self->runtime))
    return TRUE;
  if (pad == self->ref_pad && GST_QUERY_TYPE (query) != GST_QUERY_CAPS
      && GST_QUERY_TYPE (query) != GST_QUERY_ACCEPT_CAPS)
    return FALSE;
  return gst_pad_query_default (pad, parent, query);
}

/* test <-> src (ref has no internal link: see the query function). */
static GstIterator *
gst_sr_metrics_internal_links (GstPad *pad, GstObject *parent)
{
  GstSrMetrics *self = GST_SR_METRICS (parent);
  GValue v = G_VALUE_INIT;
  g_value_init (&v, GST_TYPE_PAD);
  g_value_set_object (&v, pad == self->test_pad ? self->src_pad
      : self->test_pad);
  GstIterator *it = gst_iterator_new_single (GST_TYPE_PAD, &v);
  g_value_unset (&v);
  return it;
}

/* ---- states -------------------------------------------------------------------- */

static void
release (GstSrMetrics *self)
{
  if (self->queue)
    clFinish (self->queue);
  for (int s = 0; s < 2; s++) {
    g_clear_pointer (&self->rgb[s], sr_tensor_unref);
    g_clear_pointer (&self->y8[s], sr_tensor_unref);
    g_clear_pointer (&self->unit[s], sr_tensor_unref);
    g_clear_pointer (&self->lab[s], sr_tensor_unref);
    for (int l = 0; l < 4; l++)
      g_clear_pointer (&self->scales[s][l], sr_tensor_unref);
    g_clear_pointer (&self->planes[s], sr_tensor_unref);
  }
  g_clear_pointer (&self->similarity, sr_similarity_free);
  g_clear_pointer (&self->lab_op, sr_lab_free);
  g_clear_pointer (&self->resample, sr_resample_free);
  g_clear_pointer (&self->resized, sr_tensor_unref);
  sr_tap_table_clear (&self->rows);
  sr_tap_table_clear (&self->cols);
  g_clear_pointer (&self->ciede2000, sr_ciede2000_free);
  g_clear_pointer (&self->lpips, sr_lpips_free);
  self->lpips_w = self->lpips_h = 0;
  g_clear_pointer (&self->convert, sr_convert_free);
  g_clear_pointer (&self->out, sr_line_file_close);
  g_clear_pointer (&self->columns, g_ptr_array_unref);
  g_clear_pointer (&self->host_rgb, g_free);
  if (self->queue)
    clReleaseCommandQueue (self->queue);
  self->queue = NULL;
}

static gboolean
start (GstSrMetrics *self)
{
  GError *error = NULL;
  GST_OBJECT_LOCK (self);
  gchar *metrics = g_strdup (self->metrics);
  gchar *location = g_strdup (self->location);
  gchar *device = g_strdup (self->device);
  gchar *lpips_weights = g_strdup (self->lpips_weights);
  GST_OBJECT_UNLOCK (self);
  gboolean ok = parse_metrics (metrics, &self->metric_set, &error);
  if (!ok) {
    GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
    g_clear_error (&error);
  }
  ok = ok && gst_sr_element_open (GST_ELEMENT (self), device, &self->runtime,
      &self->queue);
  if (ok && (!(self->convert = sr_convert_new (self->runtime, &error))
          || !(self->similarity = sr_similarity_new (self->runtime, &error))
          || !(self->resample = sr_resample_new (self->runtime, &error))
          || ((self->metric_set & GST_SR_METRIC_DELTA_E)
              && (!(self->lab_op = sr_lab_new (self->runtime, &error))
                  || !(self->ciede2000 = sr_ciede2000_new (self->runtime,
                          &error)))))) {
    gst_sr_post_runtime_error (GST_ELEMENT (self), error);
    g_clear_error (&error);
    ok = FALSE;
  }
  /* LPIPS: the user's weights, or a clear error, never a made-up number. */
  if (ok && (self->metric_set & GST_SR_METRIC_LPIPS)) {
    if (!lpips_weights || !*lpips_weights) {
      GST_ELEMENT_ERROR (self, RESOURCE, SETTINGS, ("metrics=lpips needs "
              "lpips-weights=<file.safetensors>: gst-sr ships no LPIPS "
              "weights; convert the official ones with "
              "scripts/convert-lpips.py (docs/elements.md, srmetrics)"),
          (NULL));
      ok = FALSE;
    } else if (!(self->lpips = sr_lpips_new (self->runtime, lpips_weights,
                &error))) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_READ, ("lpips-weights: %s",
              error->message), (NULL));
      g_clear_error (&error);
      ok = FALSE;
    }
  }
  /* A new file each run, as filesink does (a killed run run again gives
   * what one run gives); then written line by line. */
  if (ok && location && *location) {
    if (g_unlink (location) != 0 && errno != ENOENT) {
      GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("Cannot replace %s: %s",
              location, g_strerror (errno)), (NULL));
      ok = FALSE;
    } else {
      gchar *header = NULL;
      if (self->csv) {
        self->columns = csv_columns (self->metric_set);
        g_ptr_array_add (self->columns, NULL);
        header = g_strjoinv (",", (gchar **) self->columns->pdata);
        g_ptr_array_remove_index (self->columns, self->columns->len - 1);
      }
      if (!(self->out = self->csv ? sr_line_file_open (location, NULL, NULL,
                  &error) : sr_jsonl_open (location, NULL, NULL, &error))
          || (header && !sr_line_file_append (self->out, header, &error))) {
        GST_ELEMENT_ERROR (self, RESOURCE, OPEN_WRITE, ("Cannot write %s: %s",
                location, error->message), (NULL));
        g_clear_error (&error);
        ok = FALSE;
      }
      g_free (header);
    }
  }
  g_free (metrics);
  g_free (location);
  g_free (device);
  g_free (lpips_weights);
  g_mutex_lock (&self->lock);
  gst_sr_pairing_reset (&self->pairing, TRUE);
  for (int s = 0; s < 2; s++) {
    self->have_info[s] = FALSE;
    gst_segment_init (&self->segment[s], GST_FORMAT_TIME);
  }
  self->flushing = FALSE;
  self->test_frames = self->scored = 0;
  self->sum_mse = 0;
  memset (&self->psnr, 0, sizeof self->psnr);
  memset (&self->ssim, 0, sizeof self->ssim);
  memset (&self->ms_ssim, 0, sizeof self->ms_ssim);
  memset (&self->delta_e, 0, sizeof self->delta_e);
  memset (&self->blockiness, 0, sizeof self->blockiness);
  memset (&self->gray_std, 0, sizeof self->gray_std);
  memset (&self->laplacian_var, 0, sizeof self->laplacian_var);
  memset (&self->lpips_stats, 0, sizeof self->lpips_stats);
  g_array_set_size (self->blockiness_values, 0);
  self->sum_pixels = 0;
  self->warned_ms_ssim = self->warned_lpips = FALSE;
  self->summary_posted = FALSE;
  g_mutex_unlock (&self->lock);
  if (!ok)
    release (self);
  return ok;
}

static GstStateChangeReturn
gst_sr_metrics_change_state (GstElement *element, GstStateChange transition)
{
  GstSrMetrics *self = GST_SR_METRICS (element);
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED && !start (self))
    return GST_STATE_CHANGE_FAILURE;
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_mutex_lock (&self->lock);
    self->flushing = TRUE;        /* waiting streaming threads return */
    g_cond_broadcast (&self->cond);
    g_mutex_unlock (&self->lock);
  }
  GstStateChangeReturn ret = GST_ELEMENT_CLASS (gst_sr_metrics_parent_class)
      ->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY) {
    g_mutex_lock (&self->lock);
    gst_sr_pairing_reset (&self->pairing, FALSE);
    g_mutex_unlock (&self->lock);
    release (self);
  }
  return ret;
}

static void
gst_sr_metrics_set_context (GstElement *element, GstContext *context)
{
  GstSrMetrics *self = GST_SR_METRICS (element);
  gst_sr_handle_set_context (element, context, &self->runtime);
  GST_ELEMENT_CLASS (gst_sr_metrics_parent_class)->set_context (element, context);
}

/* ---- GObject ------------------------------------------------------------------- */

static void
gst_sr_metrics_set_property (GObject *object, guint prop_id,
    const GValue *value, GParamSpec *pspec)
{
  GstSrMetrics *self = GST_SR_METRICS (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_METRICS:
      g_free (self->metrics);
      self->metrics = g_value_dup_string (value);
      break;
    case PROP_Y_ONLY:
      self->y_only = g_value_get_boolean (value);
      break;
    case PROP_CROP_BORDER:
      self->crop_border = g_value_get_uint (value);
      break;
    case PROP_CONVENTION:
      self->convention = g_value_get_enum (value);
      break;
    case PROP_ON_SIZE_MISMATCH:
      self->on_size_mismatch = g_value_get_enum (value);
      break;
    case PROP_LOCATION:
      g_free (self->location);
      self->location = g_value_dup_string (value);
      break;
    case PROP_FORMAT:
      self->csv = g_value_get_enum (value) == 1;
      break;
    case PROP_DEVICE:
      g_free (self->device);
      self->device = g_value_dup_string (value);
      if (!self->device)
        self->device = g_strdup (DEFAULT_DEVICE);
      break;
    case PROP_LPIPS_WEIGHTS:
      g_free (self->lpips_weights);
      self->lpips_weights = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_metrics_get_property (GObject *object, guint prop_id, GValue *value,
    GParamSpec *pspec)
{
  GstSrMetrics *self = GST_SR_METRICS (object);
  GST_OBJECT_LOCK (self);
  switch (prop_id) {
    case PROP_METRICS:
      g_value_set_string (value, self->metrics);
      break;
    case PROP_Y_ONLY:
      g_value_set_boolean (value, self->y_only);
      break;
    case PROP_CROP_BORDER:
      g_value_set_uint (value, self->crop_border);
      break;
    case PROP_CONVENTION:
      g_value_set_enum (value, self->convention);
      break;
    case PROP_ON_SIZE_MISMATCH:
      g_value_set_enum (value, self->on_size_mismatch);
      break;
    case PROP_LOCATION:
      g_value_set_string (value, self->location);
      break;
    case PROP_FORMAT:
      g_value_set_enum (value, self->csv ? 1 : 0);
      break;
    case PROP_DEVICE:
      g_value_set_string (value, self->device);
      break;
    case PROP_LPIPS_WEIGHTS:
      g_value_set_string (value, self->lpips_weights);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK (self);
}

static void
gst_sr_metrics_finalize (GObject *object)
{
  GstSrMetrics *self = GST_SR_METRICS (object);
  release (self);
  gst_sr_pairing_reset (&self->pairing, TRUE);
  if (self->runtime)
    sr_runtime_unref (self->runtime);
  g_free (self->metrics);
  g_free (self->location);
  g_free (self->device);
  g_free (self->lpips_weights);
  g_array_free (self->blockiness_values, TRUE);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  G_OBJECT_CLASS (gst_sr_metrics_parent_class)->finalize (object);
}

static void
gst_sr_metrics_class_init (GstSrMetricsClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);

  gobject_class->set_property = gst_sr_metrics_set_property;
  gobject_class->get_property = gst_sr_metrics_get_property;
  gobject_class->finalize = gst_sr_metrics_finalize;

  g_object_class_install_property (gobject_class, PROP_METRICS,
      g_param_spec_string ("metrics", "Metrics",
          "Comma-separated metrics to compute: " AVAILABLE, DEFAULT_METRICS,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_Y_ONLY,
      g_param_spec_boolean ("y-only", "Y only",
          "Score BasicSR's Y (BT.601 limited range from the 8-bit RGB, not "
          "rounded) instead of the three RGB channels", DEFAULT_Y_ONLY,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_CROP_BORDER,
      g_param_spec_uint ("crop-border", "Crop border",
          "Pixels left out on each of the four sides (BasicSR's crop_border; "
          "4 for the usual x4 tables)", 0, 4096, DEFAULT_CROP_BORDER,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_CONVENTION,
      g_param_spec_enum ("convention", "Convention",
          "Whose definitions to follow where tools differ",
          GST_TYPE_SR_CONVENTION, DEFAULT_CONVENTION,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_ON_SIZE_MISMATCH,
      g_param_spec_enum ("on-size-mismatch", "On size mismatch",
          "What to do when ref and test differ in size: error, upscale-test "
          "or downscale-ref (MATLAB bicubic; full-reference metrics only)",
          GST_TYPE_SR_SIZE_MISMATCH, GST_SR_SIZE_MISMATCH_ERROR,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  gst_type_mark_as_plugin_api (GST_TYPE_SR_SIZE_MISMATCH, 0);
  g_object_class_install_property (gobject_class, PROP_LOCATION,
      g_param_spec_string ("location", "Location",
          "JSON-lines file for the per-frame scores and the summary (replaced "
          "at start; none when unset)", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_FORMAT,
      g_param_spec_enum ("format", "Format",
          "How location is written: jsonl (one JSON object per line), or csv "
          "(a header of every field, one row per frame, the summary row last)",
          GST_TYPE_SR_METRICS_FORMAT, 0,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  gst_type_mark_as_plugin_api (GST_TYPE_SR_METRICS_FORMAT, 0);
  g_object_class_install_property (gobject_class, PROP_DEVICE,
      g_param_spec_string ("device", "Device",
          "OpenCL device: auto (a GPU if any, else the CPU), cpu, gpu, or P:D",
          DEFAULT_DEVICE, G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS
          | GST_PARAM_MUTABLE_READY));
  g_object_class_install_property (gobject_class, PROP_LPIPS_WEIGHTS,
      g_param_spec_string ("lpips-weights", "LPIPS weights",
          "safetensors file of LPIPS v0.1 (alex) weights, converted from the "
          "official files by scripts/convert-lpips.py; needed by "
          "metrics=lpips", NULL,
          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY));
  gst_type_mark_as_plugin_api (GST_TYPE_SR_CONVENTION, 0);

  gst_element_class_set_static_metadata (element_class,
      "Super-resolution quality metrics", "Filter/Analyzer/Video",
      "Scores test frames against ref frames of the same running time "
      "(PSNR, SSIM, MS-SSIM, CIEDE2000, LPIPS as BasicSR, MATLAB, pyiqa "
      "compute them); passes test through",
      "gst-sr");
  gst_element_class_add_static_pad_template (element_class, &ref_template);
  gst_element_class_add_static_pad_template (element_class, &test_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);
  element_class->change_state = gst_sr_metrics_change_state;
  element_class->set_context = gst_sr_metrics_set_context;

  GST_DEBUG_CATEGORY_INIT (gst_sr_metrics_debug, "srmetrics", 0,
      "super-resolution quality metrics");
}

static GstPad *
make_pad (GstSrMetrics *self, GstStaticPadTemplate *templ, gboolean proxy)
{
  GstPad *pad = gst_pad_new_from_static_template (templ, templ->name_template);
  if (GST_PAD_IS_SINK (pad)) {
    gst_pad_set_chain_function (pad, gst_sr_metrics_chain);
    gst_pad_set_event_function (pad, gst_sr_metrics_sink_event);
  }
  gst_pad_set_query_function (pad, gst_sr_metrics_query);
  if (proxy) {
    gst_pad_set_iterate_internal_links_function (pad,
        gst_sr_metrics_internal_links);
    GST_PAD_SET_PROXY_CAPS (pad);
    GST_PAD_SET_PROXY_ALLOCATION (pad);
  }
  gst_element_add_pad (GST_ELEMENT (self), pad);
  return pad;
}

static void
gst_sr_metrics_init (GstSrMetrics *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  gst_sr_pairing_init (&self->pairing);
  self->blockiness_values = g_array_new (FALSE, FALSE, sizeof (double));
  self->metrics = g_strdup (DEFAULT_METRICS);
  self->y_only = DEFAULT_Y_ONLY;
  self->crop_border = DEFAULT_CROP_BORDER;
  self->convention = DEFAULT_CONVENTION;
  self->device = g_strdup (DEFAULT_DEVICE);
  self->ref_pad = make_pad (self, &ref_template, FALSE);
  self->test_pad = make_pad (self, &test_template, TRUE);
  self->src_pad = make_pad (self, &src_template, TRUE);
}
