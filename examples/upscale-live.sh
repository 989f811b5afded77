#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live super-resolution: a test pattern (or a video file) through srupscale,
# timed by fpsdisplaysink. At 64x36 -> 256x144 with esrgan-slim-x4 this
# keeps up with 25 fps on 2 CPU cores through PoCL (28 fps measured on a
# 2-core AMD EPYC (AVX2) with other work running; 96x54 gave 9 fps there).
#   examples/upscale-live.sh [VIDEO_FILE] [MODEL]
# Replace fakesink with autovideosink to watch it.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
MODEL="${2:-esrgan-slim-x4}"

if [ -n "${1:-}" ]; then
  SOURCE="filesrc location=$1 ! decodebin ! videoconvert ! videoscale"
else
  SOURCE="videotestsrc is-live=true pattern=ball num-buffers=150"
fi
gst-launch-1.0 -v $SOURCE ! video/x-raw,width=64,height=36,framerate=25/1 ! \
  queue max-size-buffers=2 leaky=downstream ! srupscale model="$MODEL" ! \
  fpsdisplaysink video-sink=fakesink text-overlay=false sync=false 2>&1 | \
  grep --line-buffered -o "rendered: [0-9]*, dropped: [0-9]*, current: [0-9.]*, average: [0-9.]*" | tail -1
