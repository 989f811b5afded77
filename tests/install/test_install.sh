#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gst-sr installed like any GStreamer plugin: configure a build for a
# temporary prefix with the source-tree model lookup off
# (-Dsource_models=false, as a distribution builds it), `meson install`,
# then, with GST_PLUGIN_PATH at the installed plugin folder only (never the
# build), gst-inspect-1.0 must list the elements and pipelines must find
# the installed data: a UpscalerJS network (srupscale model=esrgan-slim-x2),
# Real-ESRGAN's ncnn files (realesrgan-x4fast) and gst-sr's own checkpoint
# (srundertrained model=vqvae2-ep4).
#   tests/install/test_install.sh SOURCE_ROOT
set -euo pipefail

SRC=$(cd "${1:?usage: $0 SOURCE_ROOT}" && pwd)
TMP=$(mktemp -d /tmp/sr-install-XXXXXX)
trap 'rm -rf "$TMP"' EXIT
# Nothing of the test environment's plugin path may leak in.
unset GST_PLUGIN_PATH GST_PLUGIN_PATH_1_0 SR_MODEL_PATH
export GST_REGISTRY_1_0="$TMP/registry.bin"

meson setup "$TMP/build" "$SRC" --prefix="$TMP/prefix" --buildtype=release \
  -Dtests=false -Dsource_models=false >/dev/null
meson compile -C "$TMP/build" >/dev/null
meson install -C "$TMP/build" --quiet >/dev/null
plugin=$(find "$TMP/prefix" -name libgstsr.so)
if [ -z "$plugin" ]; then
  echo "FAIL: meson install put no libgstsr.so under $TMP/prefix"
  exit 1
fi
export GST_PLUGIN_PATH_1_0=$(dirname "$plugin")
echo "installed: ${plugin#$TMP/prefix/}"

status=0
for element in srdegrade srpairsink srupscale srmetrics srundertrained srcodec srusm; do
  if ! gst-inspect-1.0 "$element" >/dev/null 2>&1; then
    echo "FAIL: gst-inspect-1.0 does not find $element in the installed plugin"
    status=1
  fi
done
gst-inspect-1.0 sr | grep -E "^  (Filename|Version)" || true

run() {
  local what=$1
  shift
  if out=$(gst-launch-1.0 -q "$@" 2>&1); then
    echo "ok: $what"
  else
    echo "FAIL: $what: $out"
    status=1
  fi
}
run "srupscale model=esrgan-slim-x2 (installed UpscalerJS model)" \
  videotestsrc num-buffers=2 ! video/x-raw,width=48,height=32 ! \
  srupscale model=esrgan-slim-x2 ! fakesink
run "srupscale model=realesrgan-x4fast (installed ncnn files)" \
  videotestsrc num-buffers=1 ! video/x-raw,width=32,height=24 ! \
  srupscale model=realesrgan-x4fast ! fakesink
run "srundertrained model=vqvae2-ep4 (installed checkpoint)" \
  videotestsrc num-buffers=1 ! video/x-raw,width=128,height=96 ! \
  srundertrained model=vqvae2-ep4 ! fakesink
# And a model that is not installed is refused, naming where it looked.
if out=$(gst-launch-1.0 -q videotestsrc num-buffers=1 ! srundertrained model=vqvae-ep99 ! \
    fakesink 2>&1); then
  echo "FAIL: an unknown model ran"
  status=1
elif ! grep -q "$TMP/prefix" <<< "$out"; then
  echo "FAIL: the refusal does not name the installed models folder: $out"
  status=1
fi
exit $status
