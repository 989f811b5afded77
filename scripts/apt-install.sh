#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs those of the given Debian packages that are missing (apt-get,
# as root or through sudo); does nothing when all are there. Used by
# install-deps.sh, install-models.sh and install-bench.sh.
#   bash scripts/apt-install.sh PACKAGE...
set -euo pipefail

missing=()
for p in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
echo "gst-sr: installing ${#missing[@]} Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
