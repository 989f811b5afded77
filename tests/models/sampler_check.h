/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Shared checks of the sampler tests: a frequency within 4.5 binomial
 * standard errors of its probability (exact for 0 and 1), a value in
 * [lo, hi). */
#pragma once

#include <glib.h>
#include <math.h>

static inline void
check_freq_n (const char *what, int count, int n, double p)
{
  const double f = (double) count / n, se = sqrt (p * (1 - p) / n);
  g_test_message ("%-34s %.4f (expected %.4f, n %d)", what, f, p, n);
  if (p == 0 || p == 1)
    g_assert_cmpfloat (f, ==, p);
  else
    g_assert_cmpfloat (fabs (f - p), <, 4.5 * se);
}

static inline void
check_in (double v, double lo, double hi)
{
  g_assert_cmpfloat (v, >=, lo);
  g_assert_cmpfloat (v, <, hi);
}
