#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One image, upscaled x4 with a pretrained network:
#   examples/upscale-image.sh IN.png|IN.jpg OUT.png [MODEL]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export GST_PLUGIN_PATH="${SR_BUILD_DIR:-$ROOT/build}/gst${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"
if [ $# -lt 2 ]; then
  echo "usage: $0 IN.png|IN.jpg OUT.png [MODEL]" >&2
  exit 2
fi
gst-launch-1.0 -q filesrc location="$1" ! decodebin ! videoconvert ! \
  video/x-raw,format=RGB ! srupscale model="${3:-esrgan-slim-x4}" ! \
  videoconvert ! pngenc ! filesink location="$2"
echo "gst-sr: wrote $2"
