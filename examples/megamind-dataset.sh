#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The README's main job: Debian's Megamind.avi (opencv-doc) -> a x4 paired
# SR dataset in BasicSR layout, with a gst-launch-1.0 pipeline.
#   examples/megamind-dataset.sh [OUT_DIR] [PRESET]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VIDEO=/usr/share/doc/opencv-doc/examples/data/Megamind.avi
OUT="${1:-$ROOT/datasets/megamind-x4}"
PRESET="${2:-realesrgan}"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

if [ ! -f "$VIDEO" ]; then
  echo "error: $VIDEO is missing (apt-get install opencv-doc)" >&2
  exit 1
fi
mkdir -p "$OUT"

gst-launch-1.0 -q \
  filesrc location="$VIDEO" ! decodebin ! videoconvert ! video/x-raw,format=RGB ! tee name=t \
  t. ! queue ! p.hr \
  t. ! queue ! srdegrade preset="$PRESET" scale=4 seed=7 ! p.lr \
  srpairsink name=p location="$OUT" every-n=10

pairs=$(wc -l < "$OUT/manifest.jsonl")
echo "gst-sr: wrote $pairs HR/LR pairs (preset=$PRESET, x4) to $OUT"
echo "  HR:       $OUT/HR"
echo "  LR:       $OUT/LR_x4"
echo "  manifest: $OUT/manifest.jsonl (every sampled parameter, one line per pair)"
