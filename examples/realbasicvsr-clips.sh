#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian's Megamind.avi (opencv-doc) -> a x4 video-clip dataset with
# RealBasicVSR's degradations (mmagic's pipeline: parameters drawn per clip
# and walking frame to frame, real x264 / MPEG-4 round trips), in BasicSR's
# REDS layout: HR/<clip>/<frame>.png, LR_x4/<clip>/<frame>.png and
# meta_info.txt "<clip> <frames> (h,w,c)". Clips of 15 frames, cut early
# at scene cuts.
#   examples/realbasicvsr-clips.sh [OUT_DIR] [SEED]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VIDEO=/usr/share/doc/opencv-doc/examples/data/Megamind.avi
OUT="${1:-$ROOT/datasets/megamind-realbasicvsr-x4}"
SEED="${2:-1}"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

if [ ! -f "$VIDEO" ]; then
  echo "error: $VIDEO is missing (apt-get install opencv-doc)" >&2
  exit 1
fi
mkdir -p "$OUT"

gst-launch-1.0 -q \
  filesrc location="$VIDEO" ! decodebin ! videoconvert ! video/x-raw,format=RGB ! tee name=t \
  t. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! p.hr \
  t. ! queue ! srdegrade preset=realbasicvsr scale=4 clip-length=15 scene-cut=0.3 seed="$SEED" ! p.lr \
  srpairsink name=p location="$OUT" layout=clips

clips=$(wc -l < "$OUT/meta_info.txt")
echo "gst-sr: wrote $clips clips (RealBasicVSR degradations, x4) to $OUT"
echo "  meta_info.txt lists them as BasicSR's REDS loaders read them;"
echo "  manifest.jsonl holds every frame's walked parameters and each clip's draws"
