#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The no-reference statistics of a folder of images, as GASR's dataset table
# reports them: srmetrics with only `test` linked, fed by multifilesrc.
# Prints the summary: blockiness-median (GASR: DIV2K 0.47), pixels-mean,
# and the informativeness means (HGGT's gray std and Laplacian variance).
# The images must be PNGs named by a number; the script links (or you
# name) them 0000.png, 0001.png, ...
#   examples/metrics-folder.sh [FOLDER_OF_PNGS] [OUT.jsonl]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
FOLDER="${1:-/usr/share/doc/opencv-doc/examples/data}"
OUT="${2:-folder-stats.jsonl}"
LINKS="$(mktemp -d)"
trap 'rm -rf "$LINKS"' EXIT

n=0
for f in "$FOLDER"/*.png; do
  ln -s "$(realpath "$f")" "$LINKS/$(printf %04d $n).png"
  n=$((n + 1))
done
[ "$n" -gt 0 ] || { echo "no PNG in $FOLDER" >&2; exit 1; }
# Each picture keeps its own size and format: caps change from frame to frame.
gst-launch-1.0 -q multifilesrc location="$LINKS/%04d.png" index=0 \
  stop-index=$((n - 1)) caps=image/png,framerate=1/1 ! pngdec ! videoconvert ! \
  video/x-raw,format=RGB ! m.test \
  srmetrics name=m metrics=blockiness,informativeness location="$OUT" ! fakesink
echo "$n pictures; summary:"
tail -n 1 "$OUT"
