/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CIEDE2000 op:
 * - the 34 pairs of Sharma, Wu and Dalal (2005), as scikit-image's
 *   ciede2000_test_data.txt transcribes them (spec/metrics.md 6.4), Lab fed
 *   directly, in both orders: dE00 within 5e-5 of the published 4 decimals;
 * - random Lab pairs (wrap-around hues, zero chroma, grays) against a
 *   plain-C double evaluation of spec 6.2 written here: 1e-12 relative
 *   (the two differ in libm and the order of a few sums); the map's mean;
 * - identical pictures give 0 everywhere. */
#include "sr_ciede2000.h"
#include "sr_test_util.h"

#include <stdio.h>
#include <string.h>

static SrCiede2000 *op;

static const double sharma[34][7] = {
  {50.0000, 2.6772, -79.7751, 50.0000, 0.0000, -82.7485, 2.0425},
  {50.0000, 3.1571, -77.2803, 50.0000, 0.0000, -82.7485, 2.8615},
  {50.0000, 2.8361, -74.0200, 50.0000, 0.0000, -82.7485, 3.4412},
  {50.0000, -1.3802, -84.2814, 50.0000, 0.0000, -82.7485, 1.0000},
  {50.0000, -1.1848, -84.8006, 50.0000, 0.0000, -82.7485, 1.0000},
  {50.0000, -0.9009, -85.5211, 50.0000, 0.0000, -82.7485, 1.0000},
  {50.0000, 0.0000, 0.0000, 50.0000, -1.0000, 2.0000, 2.3669},
  {50.0000, -1.0000, 2.0000, 50.0000, 0.0000, 0.0000, 2.3669},
  {50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0009, 7.1792},
  {50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0010, 7.1792},
  {50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0011, 7.2195},
  {50.0000, 2.4900, -0.0010, 50.0000, -2.4900, 0.0012, 7.2195},
  {50.0000, -0.0010, 2.4900, 50.0000, 0.0009, -2.4900, 4.8045},
  {50.0000, -0.0010, 2.4900, 50.0000, 0.0010, -2.4900, 4.8045},
  {50.0000, -0.0010, 2.4900, 50.0000, 0.0011, -2.4900, 4.7461},
  {50.0000, 2.5000, 0.0000, 50.0000, 0.0000, -2.5000, 4.3065},
  {50.0000, 2.5000, 0.0000, 73.0000, 25.0000, -18.0000, 27.1492},
  {50.0000, 2.5000, 0.0000, 61.0000, -5.0000, 29.0000, 22.8977},
  {50.0000, 2.5000, 0.0000, 56.0000, -27.0000, -3.0000, 31.9030},
  {50.0000, 2.5000, 0.0000, 58.0000, 24.0000, 15.0000, 19.4535},
  {50.0000, 2.5000, 0.0000, 50.0000, 3.1736, 0.5854, 1.0000},
  {50.0000, 2.5000, 0.0000, 50.0000, 3.2972, 0.0000, 1.0000},
  {50.0000, 2.5000, 0.0000, 50.0000, 1.8634, 0.5757, 1.0000},
  {50.0000, 2.5000, 0.0000, 50.0000, 3.2592, 0.3350, 1.0000},
  {60.2574, -34.0099, 36.2677, 60.4626, -34.1751, 39.4387, 1.2644},
  {63.0109, -31.0961, -5.8663, 62.8187, -29.7946, -4.0864, 1.2630},
  {61.2901, 3.7196, -5.3901, 61.4292, 2.2480, -4.9620, 1.8731},
  {35.0831, -44.1164, 3.7933, 35.0232, -40.0716, 1.5901, 1.8645},
  {22.7233, 20.0904, -46.6940, 23.0331, 14.9730, -42.5619, 2.0373},
  {36.4612, 47.8580, 18.3852, 36.2715, 50.5065, 21.2231, 1.4146},
  {90.8027, -2.0831, 1.4410, 91.1528, -1.6435, 0.0447, 1.4441},
  {90.9257, -0.5406, -0.9208, 88.6381, -0.8985, -0.7239, 1.5381},
  {6.7747, -0.2908, -2.4247, 5.8714, -0.0985, -2.2286, 0.6377},
  {2.0776, 0.0795, -1.1350, 0.9033, -0.0636, -0.5514, 0.9082},
};

/* spec 6.2, from the text. */
static double
ref_de (const double *p, const double *q)
{
  const double L1 = p[0], a1 = p[1], b1 = p[2], L2 = q[0], a2 = q[1], b2 = q[2];
  const double cb = (hypot (a1, b1) + hypot (a2, b2)) / 2;
  const double G = 0.5 * (1 - sqrt (pow (cb, 7) / (pow (cb, 7) + pow (25, 7))));
  const double ap1 = (1 + G) * a1, ap2 = (1 + G) * a2;
  const double C1 = hypot (ap1, b1), C2 = hypot (ap2, b2);
  double h1 = atan2 (b1, ap1), h2 = atan2 (b2, ap2);
  if (h1 < 0)
    h1 += 2 * M_PI;
  if (h2 < 0)
    h2 += 2 * M_PI;
  const double lb = (L1 + L2) / 2;
  const double SL = 1 + 0.015 * (lb - 50) * (lb - 50)
      / sqrt (20 + (lb - 50) * (lb - 50));
  const double cpb = (C1 + C2) / 2, SC = 1 + 0.045 * cpb;
  double dh = h2 - h1;
  if (dh > M_PI)
    dh -= 2 * M_PI;
  else if (dh < -M_PI)
    dh += 2 * M_PI;
  if (C1 * C2 == 0)
    dh = 0;
  const double dH = 2 * sqrt (C1 * C2) * sin (dh / 2);
  double hb;
  if (C1 * C2 == 0)
    hb = h1 + h2;
  else if (fabs (h1 - h2) <= M_PI)
    hb = (h1 + h2) / 2;
  else if (h1 + h2 < 2 * M_PI)
    hb = (h1 + h2 + 2 * M_PI) / 2;
  else
    hb = (h1 + h2 - 2 * M_PI) / 2;
  const double d = M_PI / 180;
  const double T = 1 - 0.17 * cos (hb - 30 * d) + 0.24 * cos (2 * hb)
      + 0.32 * cos (3 * hb + 6 * d) - 0.20 * cos (4 * hb - 63 * d);
  const double SH = 1 + 0.015 * cpb * T;
  const double dtheta = 30 * d * exp (-pow ((hb / d - 275) / 25, 2));
  const double RC = 2 * sqrt (pow (cpb, 7) / (pow (cpb, 7) + pow (25, 7)));
  const double RT = -sin (2 * dtheta) * RC;
  const double l = (L2 - L1) / SL, c = (C2 - C1) / SC, hh = dH / SH;
  return sqrt (fmax (l * l + c * c + hh * hh + RT * c * hh, 0));
}

/* n Lab pairs as two [3][1][n] tensors; the op's map and mean. */
static double *
run_pairs (const double *p, const double *q, int n, double *mean)
{
  double *planar[2];
  SrTensor *t[2];
  for (int s = 0; s < 2; s++) {
    const double *src = s ? q : p;
    planar[s] = g_new (double, 3 * n);
    for (int i = 0; i < n; i++)
      for (int c = 0; c < 3; c++)
        planar[s][c * n + i] = src[3 * i + c];
    t[s] = sr_tensor_new (sr_test_runtime (), 1, 3, 1, n, SR_DTYPE_F64, NULL);
    g_assert_cmpint (sr_tensor_write (sr_test_queue (), t[s], planar[s]), ==,
        SR_OK);
  }
  SrTensor *map = sr_tensor_new (sr_test_runtime (), 1, 1, 1, n, SR_DTYPE_F64,
      NULL);
  g_assert_cmpint (sr_ciede2000_run (op, sr_test_queue (), t[0], t[1], map,
          mean), ==, SR_OK);
  double *out = g_new (double, n);
  g_assert_cmpint (sr_tensor_read (sr_test_queue (), map, out), ==, SR_OK);
  for (int s = 0; s < 2; s++) {
    sr_tensor_unref (t[s]);
    g_free (planar[s]);
  }
  sr_tensor_unref (map);
  return out;
}

static void
test_sharma (void)
{
  double p[34 * 3], q[34 * 3], mean;
  for (int i = 0; i < 34; i++)
    for (int c = 0; c < 3; c++) {
      p[3 * i + c] = sharma[i][c];
      q[3 * i + c] = sharma[i][3 + c];
    }
  for (int order = 0; order < 2; order++) {
    double *de = order ? run_pairs (q, p, 34, &mean) : run_pairs (p, q, 34, &mean);
    double worst = 0, sum = 0;
    for (int i = 0; i < 34; i++) {
      const double d = fabs (de[i] - sharma[i][6]);
      if (!(d <= 5e-5))
        g_error ("pair %d (order %d): dE00 %.6f, published %.4f", i + 1, order,
            de[i], sharma[i][6]);
      worst = MAX (worst, d);
      sum += de[i];
    }
    g_assert_cmpfloat (fabs (mean - sum / 34), <=, 1e-12);
    g_test_message ("order %d: largest difference %.2g", order, worst);
    g_free (de);
  }
}

static void
test_random (void)
{
  enum { N = 4001 };
  double *p = g_new (double, 3 * N), *q = g_new (double, 3 * N), mean;
  GRand *r = g_rand_new_with_seed (17);
  for (int i = 0; i < N; i++) {
    double *x[2] = { p + 3 * i, q + 3 * i };
    for (int s = 0; s < 2; s++) {
      x[s][0] = g_rand_double_range (r, 0, 100);
      x[s][1] = g_rand_double_range (r, -110, 110);
      x[s][2] = g_rand_double_range (r, -110, 110);
    }
    if (i % 7 == 0)
      x[1][1] = x[1][2] = 0;                        /* zero chroma */
    if (i % 11 == 0) {
      x[0][2] = -0.001;                             /* hues across 0 */
      x[1][2] = 0.001;
    }
    if (i % 13 == 0)
      memcpy (x[1], x[0], 3 * sizeof (double));     /* identical: 0 */
  }
  g_rand_free (r);
  double *de = run_pairs (p, q, N, &mean);
  double worst = 0, sum = 0;
  for (int i = 0; i < N; i++) {
    const double want = ref_de (p + 3 * i, q + 3 * i);
    const double d = fabs (de[i] - want);
    if (!(d <= 1e-12 * fmax (1, want)))
      g_error ("pair %d: dE00 %.17g, reference %.17g", i, de[i], want);
    if (i % 13 == 0)
      g_assert_cmpfloat (de[i], ==, 0);
    worst = MAX (worst, d);
    sum += de[i];
  }
  g_assert_cmpfloat (fabs (mean - sum / N), <=, 1e-12 * (sum / N));
  g_test_message ("largest difference %.2g", worst);
  g_free (de);
  g_free (p);
  g_free (q);
}

static void
test_invalid (void)
{
  SrRuntime *rt = sr_test_runtime ();
  SrTensor *a = sr_tensor_new (rt, 1, 3, 4, 5, SR_DTYPE_F64, NULL);
  SrTensor *b = sr_tensor_new (rt, 1, 3, 4, 6, SR_DTYPE_F64, NULL);
  SrTensor *f = sr_tensor_new (rt, 1, 3, 4, 5, SR_DTYPE_F32, NULL);
  SrTensor *m = sr_tensor_new (rt, 1, 1, 4, 6, SR_DTYPE_F64, NULL);
  double mean;
  const SrStatus bad = SR_ERR_INVALID_ARGUMENT;
  g_assert_cmpint (sr_ciede2000_run (op, sr_test_queue (), a, b, NULL, &mean), ==, bad);
  g_assert_cmpint (sr_ciede2000_run (op, sr_test_queue (), a, f, NULL, &mean), ==, bad);
  g_assert_cmpint (sr_ciede2000_run (op, sr_test_queue (), a, a, m, &mean), ==, bad);
  g_assert_cmpint (sr_ciede2000_run (op, sr_test_queue (), a, a, NULL, NULL), ==, bad);
  sr_tensor_unref (a);
  sr_tensor_unref (b);
  sr_tensor_unref (f);
  sr_tensor_unref (m);
}

int
main (int argc, char **argv)
{
  sr_test_init (&argc, &argv);
  GError *error = NULL;
  op = sr_ciede2000_new (sr_test_runtime (), &error);
  if (!op) {
    g_assert_error (error, SR_ERROR, SR_ERR_UNSUPPORTED);
    printf ("1..0 # SKIP %s\n", error->message);
    g_error_free (error);
    return 0;
  }
  g_test_add_func ("/ciede2000/sharma", test_sharma);
  g_test_add_func ("/ciede2000/random", test_random);
  g_test_add_func ("/ciede2000/invalid", test_invalid);
  const int ret = g_test_run ();
  sr_ciede2000_free (op);
  return ret;
}
