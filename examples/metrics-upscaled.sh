#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scores a super-resolution output against the HR it came from: each frame
# of the clip (HR, 320x236) is shrunk x4 with MATLAB bicubic (srdegrade),
# upscaled again by a network (srupscale), and scored against the HR on
# BasicSR's Y with crop-border=4, the usual x4 table setting. Prints the
# summary: mean PSNR / SSIM as a paper would quote them, and FFmpeg's
# PSNR of the mean MSE.
#   examples/metrics-upscaled.sh [VIDEO_FILE] [MODEL]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
VIDEO="${1:-/usr/share/doc/opencv-doc/examples/data/Megamind.avi}"
MODEL="${2:-esrgan-slim-x4}"
OUT="$(mktemp --suffix=.jsonl)"
trap 'rm -f "$OUT"' EXIT

# The ref branch waits for the slower network branch: an unbounded queue.
gst-launch-1.0 -q filesrc location="$VIDEO" ! decodebin ! videoconvert ! \
  video/x-raw,format=RGB ! videoscale ! video/x-raw,width=320,height=236 ! tee name=t \
  t. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! m.ref \
  t. ! queue ! srdegrade preset=bicubic scale=4 ! srupscale model="$MODEL" ! m.test \
  srmetrics name=m crop-border=4 location="$OUT" ! fakesink
tail -n 1 "$OUT"
