/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* YUV and gray through the elements, against GStreamer's own videoconvert
 * as the independent reference, on real photos (opencv-doc) and SMPTE bars:
 *   upload:    <YUV frame> ! tee, videoconvert ! RGB   vs   srdegrade
 *              preset=bicubic scale=1 (a plain copy) ! RGB
 *   download:  <RGB frame> ! tee, videoconvert ! YUV   vs   srdegrade ... ! YUV
 *   round trip: YUV ! srdegrade/srusm (identity) ! YUV, both then viewed
 *              through videoconvert (range, siting and layout consistency).
 * Figure: PSNR (peak 255) over every component of the output frames; the
 * bounds are stated next to each case. The element's formulas themselves are
 * checked against a plain-C reference in tests/kernels/test_convert.c. */
#include <gst/check/gstcheck.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>
#include "sr_check_util.h"
#include "sr_check_frames.h"
#include <math.h>

#define IDENTITY "srdegrade preset=bicubic scale=1"

static gchar *
photo (const char *name)
{
  gchar *path = sr_test_data_path (name);
  fail_unless (path != NULL, "sample %s missing", name);
  gchar *s = g_strdup_printf ("filesrc location=%s ! jpegdec ! videoconvert ! "
      "videoscale ! video/x-raw,width=320,height=240 ! imagefreeze num-buffers=1 "
      "! videoconvert", path);
  g_free (path);
  return s;
}

static gchar *
yuv_caps (const char *format, const char *colorimetry, int w, int h)
{
  return g_strdup_printf ("video/x-raw,format=%s,width=%d,height=%d%s%s", format,
      w, h, colorimetry ? ",colorimetry=" : "", colorimetry ? colorimetry : "");
}

static const char *photos[] = { "fruits.jpg", "baboon.jpg", "building.jpg" };

/* Our YUV -> RGB against videoconvert's, on photos, where no chroma is
 * resampled (4:4:4, gray). videoconvert's YUV -> RGB runs in 8-bit fixed
 * point, so even an exact formula measures only ~40 dB against it; a wrong
 * matrix (BT.601 read as BT.709) measures ~35 dB, hence the bound of 38. Subsampled formats are not compared this way: videoconvert's
 * I420 -> RGB fast path replicates chroma and uses 8-bit coefficients (an
 * exact formula with replicated chroma measures only 39-40 dB against it),
 * while ours interpolates bilinearly. Their layout is covered by the
 * download check (same plane code) and the round trips below. */
static void
check_upload (const char *format, const char *colorimetry, double bound)
{
  for (guint i = 0; i < G_N_ELEMENTS (photos); i++) {
    gchar *src = photo (photos[i]);
    gchar *in = yuv_caps (format, colorimetry, 320, 240);
    const double psnr = sr_check_run_branches (src, in, "videoconvert", IDENTITY,
        "video/x-raw,format=RGB");
    fail_unless (psnr >= bound, "%s %s on %s: %.2f dB < %.0f", format,
        colorimetry ? colorimetry : "", photos[i], psnr, bound);
    g_free (in);
    g_free (src);
  }
}

/* Our RGB -> YUV against videoconvert's (its dithering off): matrix, range,
 * chroma averaging and plane layout (measured 48-54 dB; bound 45). */
static void
check_download (const char *format, const char *colorimetry, double bound)
{
  for (guint i = 0; i < G_N_ELEMENTS (photos); i++) {
    gchar *src = photo (photos[i]);
    if (!src)
      continue;
    gchar *out = yuv_caps (format, colorimetry, 320, 240);
    const double psnr = sr_check_run_branches (src, "video/x-raw,format=RGB",
        "videoconvert dither=none", IDENTITY, out);
    fail_unless (psnr >= bound, "%s %s on %s: %.2f dB < %.0f", format,
        colorimetry ? colorimetry : "", photos[i], psnr, bound);
    g_free (out);
    g_free (src);
  }
}

/* The identity round trip on SMPTE bars: both sides viewed as RGB by
 * videoconvert. 4:4:4 and gray lose only 8-bit quantisation (measured 63.7
 * dB / exact); subsampled chroma loses more at the bars' colour edges by
 * design (bilinear up then box down is a [1/8, 3/4, 1/8] chroma blur per
 * subsampled axis; measured 4:2:2 35.9-37.7 dB, 4:2:0 30.1-34.9 dB). */
static double
round_trip (const char *pattern, const char *format, const char *colorimetry,
    int w, int h, const char *element)
{
  gchar *src = g_strdup_printf ("videotestsrc num-buffers=1 pattern=%s", pattern);
  gchar *in = yuv_caps (format, colorimetry, w, h);
  gchar *got = g_strdup_printf ("%s ! %s ! videoconvert", element, in);
  const double psnr = sr_check_run_branches (src, in, "videoconvert", got,
      "video/x-raw,format=RGB");
  g_free (got);
  g_free (in);
  g_free (src);
  return psnr;
}

#define PSNR_444 40
#define PSNR_422 34
#define PSNR_420 29

GST_START_TEST (test_upload_vs_videoconvert)
{
  check_upload ("Y444", "bt601", 38);
  check_upload ("Y444", "bt709", 38);
  check_upload ("Y444", "bt2020", 38);
  check_upload ("Y444", "1:4:0:0", 38);     /* full range, BT.601 */
  check_upload ("GRAY8", NULL, 38);
}
GST_END_TEST;

GST_START_TEST (test_download_vs_videoconvert)
{
  check_download ("Y444", "bt709", 45);
  check_download ("I420", "bt601", 45);
  check_download ("NV21", "bt709", 45);
  check_download ("UYVY", "1:3:0:0", 45);   /* full range, BT.709 */
  check_download ("YV12", "bt2020", 45);
  check_download ("GRAY8", NULL, 45);
}
GST_END_TEST;

GST_START_TEST (test_round_trips)
{
  fail_unless (round_trip ("smpte", "I420", "bt601", 160, 120, IDENTITY) >= PSNR_420);
  fail_unless (round_trip ("smpte", "NV12", "bt709", 160, 120, IDENTITY) >= PSNR_420);
  fail_unless (round_trip ("smpte", "YUY2", "1:4:0:0", 160, 120, IDENTITY) >= PSNR_422);
  fail_unless (round_trip ("smpte", "Y444", "1:3:0:0", 160, 120, IDENTITY) >= PSNR_444);
  /* odd sizes (chroma rounds up), swapped planes / bytes, gray */
  fail_unless (round_trip ("smpte", "I420", NULL, 161, 121, IDENTITY) >= PSNR_420);
  fail_unless (round_trip ("smpte", "YV12", "bt709", 160, 120, IDENTITY) >= PSNR_420);
  fail_unless (round_trip ("smpte", "UYVY", "bt709", 160, 120, IDENTITY) >= PSNR_422);
  fail_unless (round_trip ("smpte", "YVYU", "bt601", 160, 120, IDENTITY) >= PSNR_422);
  fail_unless (round_trip ("smpte", "Y42B", "bt709", 160, 120, IDENTITY) >= PSNR_422);
  fail_unless (round_trip ("smpte", "GRAY8", NULL, 160, 120, IDENTITY) >= PSNR_444);
  /* no chroma: luma survives bit-exactly (Y' of R=G=B=Y') */
  fail_unless (isinf (round_trip ("zone-plate", "I420", "bt709", 160, 120, IDENTITY)));
  fail_unless (isinf (round_trip ("pinwheel", "YUY2", "bt601", 160, 120, IDENTITY)));
  /* srusm weight=0 leaves the image as it was */
  fail_unless (round_trip ("smpte", "I420", "bt709", 160, 120, "srusm weight=0")
      >= PSNR_420);
}
GST_END_TEST;

static Suite *
yuv_suite (void)
{
  Suite *s = suite_create ("yuv");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 300);
  suite_add_tcase (s, tc);
  gboolean have_photos = TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (photos); i++) {
    gchar *path = sr_test_data_path (photos[i]);
    have_photos &= path != NULL;
    g_free (path);
  }
  SR_CHECK_ADD_IF (tc, test_upload_vs_videoconvert, have_photos,
      "opencv-doc sample photos missing");
  SR_CHECK_ADD_IF (tc, test_download_vs_videoconvert, have_photos,
      "opencv-doc sample photos missing");
  tcase_add_test (tc, test_round_trips);
  return s;
}

SR_CHECK_MAIN (yuv);
