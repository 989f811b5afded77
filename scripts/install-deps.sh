#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs everything gst-sr needs to build, run and test, from Debian 12's
# packages only (then the models, with npm: install-models.sh). Safe to
# rerun: does nothing when all are present.
set -euo pipefail

PACKAGES=(
  # build
  build-essential meson ninja-build pkg-config
  # GStreamer: headers, tools, the plugins our pipelines and tests use
  libglib2.0-dev libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-ugly gstreamer1.0-plugins-bad gstreamer1.0-libav
  # OpenCL: loader, headers, PoCL's CPU device
  ocl-icd-opencl-dev opencl-headers pocl-opencl-icd clinfo
  # GEMM on the OpenCL device
  libclblast-dev
  # image I/O
  libpng-dev libjpeg62-turbo-dev
  # JSON (configs, the manifest)
  libjson-glib-dev
  # Python references (Debian's python3, no PyPI)
  python3 python3-numpy python3-scipy python3-torch python3-skimage python3-opencv
  python3-pil
  # embedding from Python (examples/python): PyGObject and GStreamer's typelibs
  python3-gi gir1.2-gstreamer-1.0 gir1.2-gst-plugins-base-1.0
  # real test data: Megamind.avi and sample images
  opencv-doc
  # the Slurm scale-out (scripts/slurm/) and its single-node cluster test
  slurm-wlm munge
  # fuzzing (scripts/fuzz.sh): clang and its libFuzzer/sanitizer runtimes
  clang libclang-rt-14-dev
)

bash "$(dirname "${BASH_SOURCE[0]}")/apt-install.sh" "${PACKAGES[@]}"

# The pretrained networks and their reference runtime, with npm (nodejs and
# npm come from Debian there when missing).
bash "$(dirname "${BASH_SOURCE[0]}")/install-models.sh"
