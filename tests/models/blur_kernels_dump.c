/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Prints our blur kernels for the Python reference test
 * (tests/reference/blur_kernels_ref.py). One request per stdin line:
 *   gauss K SX SY THETA | gen K SX SY THETA BETA | plat K SX SY THETA BETA
 *   sinc K OMEGA PAD | pulse K | iso K SIGMA | aniso K THETA L1 L2
 *   shift K SIGMA SF | j1 X
 * answered by one line: "N v0 v1 ..." (N x N float32 values, %.9g, which
 * round-trips) or, for j1, the double value with %.17g. */
#include "sr_blur_kernels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int
main (void)
{
  char line[1024], what[16];
  while (fgets (line, sizeof line, stdin)) {
    double a[5] = { 0 };
    int k = 0;
    if (sscanf (line, "%15s", what) != 1)
      continue;
    if (strcmp (what, "j1") == 0) {
      if (sscanf (line, "%*s %lf", &a[0]) != 1)
        return 2;
      printf ("%.17g\n", sr_bessel_j1 (a[0]));
      continue;
    }
    int got = sscanf (line, "%*s %d %lf %lf %lf %lf %lf", &k, &a[0], &a[1],
        &a[2], &a[3], &a[4]);
    if (got < 1 || k < 1 || k > 255)
      return 2;
    const int n = strcmp (what, "sinc") == 0 && (int) a[1] > k ? (int) a[1] : k;
    float *out = calloc ((size_t) n * n, sizeof (float));
    gboolean ok;
    if (strcmp (what, "gauss") == 0)
      ok = sr_kernel_gaussian (out, k, a[0], a[1], a[2]);
    else if (strcmp (what, "gen") == 0)
      ok = sr_kernel_generalized (out, k, a[0], a[1], a[2], a[3]);
    else if (strcmp (what, "plat") == 0)
      ok = sr_kernel_plateau (out, k, a[0], a[1], a[2], a[3]);
    else if (strcmp (what, "sinc") == 0)
      ok = sr_kernel_sinc (out, k, a[0], (int) a[1]);
    else if (strcmp (what, "pulse") == 0)
      ok = sr_kernel_pulse (out, k);
    else if (strcmp (what, "iso") == 0)
      ok = sr_kernel_kair_iso (out, k, a[0]);
    else if (strcmp (what, "aniso") == 0)
      ok = sr_kernel_kair_aniso (out, k, a[0], a[1], a[2]);
    else if (strcmp (what, "shift") == 0)
      ok = sr_kernel_kair_shift (out, k, a[0], (int) a[1]);
    else
      ok = FALSE;
    if (!ok) {
      fprintf (stderr, "rejected: %s", line);
      return 1;
    }
    printf ("%d", n);
    for (int i = 0; i < n * n; i++)
      printf (" %.9g", out[i]);
    printf ("\n");
    free (out);
  }
  return 0;
}
