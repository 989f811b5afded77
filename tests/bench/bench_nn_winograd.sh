#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Times the Winograd F(4x4, 3x3) conv strategy, with each of its blockings,
# against the direct kernel on the SR network's 3x3 layer shapes (bench_nn_conv2d:
# warm-up, then the median, minimum and maximum of REPS calls).
#
#   tests/bench/bench_nn_winograd.sh [BUILD_DIR] [REPS]
#
# Build the benchmark first: ninja -C BUILD_DIR tests/bench/bench_nn_conv2d
set -e
build=${1:-build}
reps=${2:-7}
bench="$build/tests/bench/bench_nn_conv2d"
for shape in 64,64,270,480,3 64,32,135,240,3 192,64,135,240,3 3,64,270,480,3; do
  "$bench" strategy=direct shape=$shape reps=$reps
  for b in 64x3 64x5 32x6 32x5 64x2 32x3 64x4 32x4 16x6 16x4; do
    "$bench" strategy=winograd block=$b shape=$shape reps=$reps
  done
done
