#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Debian's Megamind.avi (opencv-doc) -> a x4 paired dataset whose LR frames
# are undertrained-VQ-VAE reconstructions of the bicubic LR (the seed paper
# undertrained-reconstruction-degradation), in one gst-launch-1.0 line:
# srundertrained downsamples, reconstructs and fixes the colour; frames
# whose colour still differs by more than dE 8 are dropped (a GAP, so
# srpairsink skips their HR too).
#   examples/undertrained-dataset.sh [OUT_DIR] [MODEL]
# MODEL: a registry name of a shipped checkpoint (vqvae2-ep8, the default:
# the paper's best; vqvae2-ep4; docs/models.md lists them) or the path of
# a checkpoint models/train/train.py wrote.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VIDEO=/usr/share/doc/opencv-doc/examples/data/Megamind.avi
OUT="${1:-$ROOT/datasets/megamind-undertrained-x4}"
MODEL="${2:-vqvae2-ep8}"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

if [ ! -f "$VIDEO" ]; then
  echo "error: $VIDEO is missing (apt-get install opencv-doc)" >&2
  exit 1
fi
mkdir -p "$OUT"

gst-launch-1.0 -q \
  filesrc location="$VIDEO" ! decodebin ! videoconvert ! video/x-raw,format=RGB ! tee name=t \
  t. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! p.hr \
  t. ! queue ! srundertrained model="$MODEL" scale=4 color-fix=mean max-delta-e=8 ! p.lr \
  srpairsink name=p location="$OUT" every-n=10

pairs=$(wc -l < "$OUT/manifest.jsonl")
echo "gst-sr: wrote $pairs HR/LR pairs (undertrained $MODEL, x4) to $OUT"
echo "  manifest: $OUT/manifest.jsonl (each LR's model, epochs, codebook use and dE)"
