/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Frames smaller than an element can process are refused at caps
 * negotiation: caps fixed in a pipeline description fail to link (and
 * gst-launch-1.0 exits at once); caps fixed later fail while the pipeline
 * runs, with exactly one error naming the size, and the pipeline stops.
 * Each case runs many times while busy threads load the other cores,
 * because the failures this guards against (an error posted from set_caps
 * at every re-sent caps event, then a sink waiting for preroll on the EOS
 * that follows; gst-launch-1.0 missing an error posted before its main loop
 * ran) showed up under load. A run that has not stopped HANG_S seconds
 * after its error aborts the test, naming the pipeline. */
#include <gst/check/gstcheck.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <string.h>
#include "sr_check_util.h"

#define RUNS 20
#define HANG_S 20
/* A run's start may compile OpenCL programs (a cold cache, under load). */
#define START_S 120
#define N_BUSY 2

static gint load_stop;
static GMutex watch_lock;
static gint64 watch_deadline;       /* monotonic us; 0: no run in progress */
static gchar watch_what[512];

static gpointer
busy_thread (gpointer data)
{
  (void) data;
  volatile guint64 spin = 0;
  while (!g_atomic_int_get (&load_stop))
    spin++;
  return NULL;
}

/* A hung run cannot be unwound (its streaming thread is stuck), so the
 * watchdog fails the test itself, naming the run, rather than leaving it to
 * the suite's timeout. */
static gpointer
watchdog_thread (gpointer data)
{
  (void) data;
  while (!g_atomic_int_get (&load_stop)) {
    g_mutex_lock (&watch_lock);
    const gboolean late = watch_deadline && g_get_monotonic_time () > watch_deadline;
    g_mutex_unlock (&watch_lock);
    if (late) {
      fprintf (stderr, "HANG: %s did not end in time\n", watch_what);
      fflush (stderr);
      abort ();
    }
    g_usleep (100 * 1000);
  }
  return NULL;
}

/* Arms the watchdog for `seconds` (0: disarms it). */
static void
watch (const char *desc, int run, int seconds)
{
  g_mutex_lock (&watch_lock);
  if (seconds) {
    g_snprintf (watch_what, sizeof watch_what, "run %d of '%s'", run, desc);
    watch_deadline = g_get_monotonic_time () + seconds * G_USEC_PER_SEC;
  } else {
    watch_deadline = 0;
  }
  g_mutex_unlock (&watch_lock);
}

static gboolean
error_names (GstMessage *m, const char *size)
{
  GError *err = NULL;
  gst_message_parse_error (m, &err, NULL);
  const gboolean names = strstr (err->message, size) != NULL;
  g_error_free (err);
  return names;
}

/* The caps (and so the size) are fixed after linking: negotiation then
 * happens while the pipeline runs, and the element must post one error
 * naming the size. Runs RUNS times under load; each run must end with an
 * ERROR (never EOS), the first error must name `size`, no other error may
 * name it, and the pipeline must stop. */
static void
expect_refused_at_run (const char *caps, const char *element, const char *size)
{
  gchar *desc = g_strdup_printf ("%s with %s set after linking", element, caps);
  for (int run = 0; run < RUNS; run++) {
    watch (desc, run, START_S);
    GstElement *p = sr_check_late_caps_pipeline (caps, element);
    GstBus *bus = gst_element_get_bus (p);
    gst_element_set_state (p, GST_STATE_PLAYING);
    GstMessage *m = gst_bus_timed_pop_filtered (bus, START_S * GST_SECOND,
        GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
    fail_unless (m != NULL, "run %d of '%s': neither an error nor EOS within %d s",
        run, desc, START_S);
    /* From the error on, the pipeline must stop promptly. */
    watch (desc, run, HANG_S);
    fail_unless (GST_MESSAGE_TYPE (m) == GST_MESSAGE_ERROR,
        "run %d of '%s' reached EOS: the %s frames were accepted", run, desc, size);
    if (!error_names (m, size)) {
      GError *err = NULL;
      gst_message_parse_error (m, &err, NULL);
      fail ("run %d of '%s': the first error does not name %s: %s", run, desc,
          size, err->message);
    }
    gst_message_unref (m);
    /* READY stops every streaming thread and keeps the bus (NULL flushes
     * it): what is left on it is all the run posted. */
    gst_element_set_state (p, GST_STATE_READY);
    int naming = 1, eos = 0;
    while ((m = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR | GST_MESSAGE_EOS))) {
      if (GST_MESSAGE_TYPE (m) == GST_MESSAGE_EOS)
        eos++;
      else if (error_names (m, size))
        naming++;
      gst_message_unref (m);
    }
    fail_unless (naming == 1, "run %d of '%s': %d errors name %s, expected one",
        run, desc, naming, size);
    fail_unless (eos == 0, "run %d of '%s': EOS after the error", run, desc);
    fail_unless (gst_element_set_state (p, GST_STATE_NULL) == GST_STATE_CHANGE_SUCCESS);
    gst_object_unref (bus);
    gst_object_unref (p);
    watch (NULL, 0, 0);
  }
  g_free (desc);
}

/* Caps fixed in the description: linking already fails, naming the caps,
 * and gst-launch-1.0 exits at once with an error, RUNS times under load.
 * (Refused only at preroll, gst-launch-1.0 could hang: its bus sync handler
 * quits the main loop from the streaming thread, which is lost when the
 * loop has not started yet.) */
static void
expect_refused_at_link (const char *caps, const char *element, const char *size)
{
  gchar *desc = g_strdup_printf ("videotestsrc num-buffers=3 ! %s ! %s ! "
      "fakesink", caps, element);
  GError *perr = NULL;
  GstElement *p = gst_parse_launch_full (desc, NULL, GST_PARSE_FLAG_FATAL_ERRORS,
      &perr);
  fail_unless (p == NULL && g_error_matches (perr, GST_PARSE_ERROR,
          GST_PARSE_ERROR_LINK), "'%s' linked (%s)", desc,
      perr ? perr->message : "no error");
  int w, h;
  fail_unless (sscanf (size, "%dx%d", &w, &h) == 2);
  gchar *ws = g_strdup_printf ("width=(int)%d", w);
  gchar *hs = g_strdup_printf ("height=(int)%d", h);
  fail_unless (strstr (perr->message, ws) && strstr (perr->message, hs),
      "'%s': the link error does not name %s: %s", desc, size, perr->message);
  g_free (ws);
  g_free (hs);
  g_error_free (perr);

  /* gst-launch-1.0 takes the description as separate words. */
  gchar *cmd = g_strdup_printf ("timeout %d gst-launch-1.0 -q %s", HANG_S, desc);
  gchar **argv;
  fail_unless (g_shell_parse_argv (cmd, NULL, &argv, NULL));
  g_free (cmd);
  for (int run = 0; run < RUNS; run++) {
    gint status;
    gchar *err_text = NULL;
    GError *error = NULL;
    fail_unless (g_spawn_sync (NULL, argv, NULL, G_SPAWN_SEARCH_PATH
            | G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err_text, &status,
            &error), "spawn: %s", error ? error->message : "?");
    fail_unless (!g_spawn_check_wait_status (status, NULL),
        "run %d: gst-launch-1.0 '%s' succeeded", run, desc);
    fail_unless (!(WIFEXITED (status) && WEXITSTATUS (status) == 124),
        "run %d: gst-launch-1.0 '%s' hung (> %d s)", run, desc, HANG_S);
    fail_unless (err_text && strstr (err_text, "could not link"),
        "run %d: gst-launch-1.0 '%s' said: %s", run, desc, err_text);
    g_free (err_text);
  }
  g_strfreev (argv);
  g_free (desc);
}

/* Both ways of meeting a too-small size, with the other cores loaded. */
static void
expect_refused_once (const char *caps, const char *element, const char *size)
{
  GThread *threads[N_BUSY + 1];
  g_atomic_int_set (&load_stop, 0);
  for (int i = 0; i < N_BUSY; i++)
    threads[i] = g_thread_new ("busy", busy_thread, NULL);
  threads[N_BUSY] = g_thread_new ("watchdog", watchdog_thread, NULL);

  expect_refused_at_link (caps, element, size);
  expect_refused_at_run (caps, element, size);

  g_atomic_int_set (&load_stop, 1);
  for (int i = 0; i <= N_BUSY; i++)
    g_thread_join (threads[i]);
}

static gboolean have_elements (const char *a, const char *b);

#define RGB(w, h) "video/x-raw,format=RGB,width=" #w ",height=" #h

GST_START_TEST (test_realesrgan_x8)
{
  expect_refused_once (RGB (160, 160), "srdegrade preset=realesrgan scale=8",
      "160x160");
}
GST_END_TEST;

GST_START_TEST (test_bicubic)
{
  expect_refused_once (RGB (3, 5), "srdegrade preset=bicubic scale=2", "3x5");
}
GST_END_TEST;

GST_START_TEST (test_bsrgan)
{
  expect_refused_once (RGB (3, 5), "srdegrade preset=bsrgan scale=2", "3x5");
}
GST_END_TEST;

GST_START_TEST (test_hggt)
{
  expect_refused_once (RGB (3, 5), "srdegrade preset=hggt scale=2", "3x5");
}
GST_END_TEST;

GST_START_TEST (test_bsrgan_plus)
{
  expect_refused_once (RGB (63, 63), "srdegrade preset=bsrgan-plus scale=4",
      "63x63");
}
GST_END_TEST;

GST_START_TEST (test_usm_1x1)
{
  expect_refused_once (RGB (1, 1), "srusm", "1x1");
}
GST_END_TEST;

GST_START_TEST (test_usm_radius_255)
{
  expect_refused_once (RGB (64, 64), "srusm radius=255", "64x64");
}
GST_END_TEST;

GST_START_TEST (test_codec_odd_i420)
{
  expect_refused_once ("video/x-raw,format=I420,width=63,height=64",
      "srcodec codecs=x264enc", "63x64");
}
GST_END_TEST;

/* The other side of refusing at negotiation: an upstream with a choice of
 * sizes is steered to one that works (videotestsrc alone would pick
 * 320x240, below realesrgan's 296 at x8; the range would give 63, odd). */
GST_START_TEST (test_flexible_upstream_gets_accepted_size)
{
  gchar *msg = sr_check_run_for_error ("videotestsrc num-buffers=2 ! "
      "srdegrade preset=realesrgan scale=8 ! fakesink");
  fail_unless (msg == NULL, "realesrgan x8: %s", msg);
  if (have_elements ("x264enc", "avdec_h264")) {
    msg = sr_check_run_for_error ("videotestsrc num-buffers=2 ! "
        "video/x-raw,format=I420,width=[61,63],height=64 ! srcodec "
        "codecs=x264enc ! fakesink");
    fail_unless (msg == NULL, "srcodec: %s", msg);
  }
}
GST_END_TEST;

static gboolean
have_elements (const char *a, const char *b)
{
  GstElementFactory *fa = gst_element_factory_find (a);
  GstElementFactory *fb = gst_element_factory_find (b);
  const gboolean have = fa && fb;
  gst_clear_object (&fa);
  gst_clear_object (&fb);
  return have;
}

static Suite *
size_refusal_suite (void)
{
  Suite *s = suite_create ("size-refusal");
  TCase *tc = tcase_create ("general");
  tcase_set_timeout (tc, 600);
  suite_add_tcase (s, tc);
  tcase_add_test (tc, test_realesrgan_x8);
  tcase_add_test (tc, test_bicubic);
  tcase_add_test (tc, test_bsrgan);
  tcase_add_test (tc, test_hggt);
  tcase_add_test (tc, test_bsrgan_plus);
  tcase_add_test (tc, test_usm_1x1);
  tcase_add_test (tc, test_usm_radius_255);
  tcase_add_test (tc, test_flexible_upstream_gets_accepted_size);
  SR_CHECK_ADD_IF (tc, test_codec_odd_i420, have_elements ("x264enc", "avdec_h264"),
      "x264enc or avdec_h264 missing (gstreamer1.0-plugins-ugly, gstreamer1.0-libav)");
  return s;
}

SR_CHECK_MAIN (size_refusal);
