#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Scores a degraded stream against its source, live, frame by frame: the
# Megamind.avi clip (opencv-doc) as ref, the same frames through JPEG at
# quality 30 as test. srmetrics pairs them by running time and writes one
# JSON line per frame and a summary line; the summary is printed at the end
# (PSNR / SSIM on BasicSR's Y, as BasicSR would report the pairs).
#   examples/metrics-degraded.sh [VIDEO_FILE] [OUT.jsonl]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
VIDEO="${1:-/usr/share/doc/opencv-doc/examples/data/Megamind.avi}"
OUT="${2:-scores-jpeg30.jsonl}"

gst-launch-1.0 -q filesrc location="$VIDEO" ! decodebin ! tee name=t \
  t. ! queue ! m.ref \
  t. ! queue ! jpegenc quality=30 ! jpegdec ! m.test \
  srmetrics name=m location="$OUT" ! fakesink
echo "$(($(wc -l < "$OUT") - 1)) frames scored into $OUT; summary:"
tail -n 1 "$OUT"
