#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs a libFuzzer target of tests/fuzz in a clang build with ASan and UBSan
# (build-fuzz/, set up on first use).
#   scripts/fuzz.sh [TARGET] [libFuzzer options...]
# TARGET: tfjs (default: the TF.js loader), safetensors (the safetensors
# reader and the builders on it: Real-ESRGAN's, LPIPS's, the VQ-VAEs') or
# ncnn (the ncnn .param/.bin loader). Without options it runs
# 1,000,000 inputs; e.g. `scripts/fuzz.sh tfjs -max_total_time=10` runs ten
# seconds (CI).
# New inputs that add coverage go to build-fuzz/corpus-TARGET, crashes to
# build-fuzz/artifacts/; the seeds in tests/fuzz/corpus/TARGET are read only.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${SR_FUZZ_BUILD:-$root/build-fuzz}"
target="${1:-tfjs}"
shift || true
case "$target" in
  tfjs|safetensors|ncnn) ;;
  *) echo "fuzz.sh: unknown target '$target' (tfjs, safetensors, ncnn)" >&2; exit 2 ;;
esac
if [ $# -eq 0 ]; then
  set -- -runs=1000000
fi

if [ ! -f "$build/build.ninja" ]; then
  CC=clang meson setup "$build" "$root" -Dfuzzing=true \
    -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized
fi
meson compile -C "$build" "fuzz_$target"

mkdir -p "$build/corpus-$target" "$build/artifacts"
# The harness writes each input as files: a memory-backed temp folder keeps
# that off the disk.
if [ -z "${TMPDIR:-}" ] && [ -d /dev/shm ] && [ -w /dev/shm ]; then
  export TMPDIR=/dev/shm
fi
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
dict=()
if [ -f "$root/tests/fuzz/$target.dict" ]; then
  dict=(-dict="$root/tests/fuzz/$target.dict")
fi
exec "$build/tests/fuzz/fuzz_$target" -artifact_prefix="$build/artifacts/" \
  -print_final_stats=1 "${dict[@]}" "$@" "$build/corpus-$target" "$root/tests/fuzz/corpus/$target"
