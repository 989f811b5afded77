#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# gst-sr's entry point for the README's two commands.
#   bash scripts/run.sh demo   install, build, turn Megamind.avi into a x4 dataset
#   bash scripts/run.sh test   install, build, run the whole test suite
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${SR_BUILD_DIR:-$ROOT/build}"
cd "$ROOT"

build() {
  bash "$ROOT/scripts/install-deps.sh"
  # The release variant is what a distribution ships; -Werror here (not in
  # meson.build) keeps CI strict without breaking a packager's newer compiler.
  if [ ! -f "$BUILD/build.ninja" ]; then
    meson setup "$BUILD" --buildtype=release -Dwerror=true >/dev/null
  else
    meson configure "$BUILD" -Dwerror=true >/dev/null
  fi
  meson compile -C "$BUILD" >/dev/null
}

# Counts from meson's test log, printed as the plain "N passed, N failed,
# N skipped" line that CI reads. A suite that exits 77 is a skipped suite;
# TAP subtests that skip ("ok N name # SKIP why") are listed too, so that a
# missing sample or device never hides inside a pass.
summarise_tests() {
  /usr/bin/python3 - "$BUILD/meson-logs/testlog.json" <<'PY'
import json, re, sys
passed = failed = skipped = 0
sub_skips = []
for line in open(sys.argv[1]):
    r = json.loads(line)
    res = r.get("result")
    if res == "OK" or res == "EXPECTEDFAIL":
        passed += 1
    elif res == "SKIP":
        skipped += 1
    else:
        failed += 1
    for m in re.finditer(r"^ok \d+ (\S+) # SKIP", r.get("stdout") or "", re.M):
        sub_skips.append("%s %s" % (r["name"].split(" / ")[-1], m.group(1)))
summary = f"{passed} passed, {failed} failed, {skipped} skipped"
if sub_skips:
    summary += f" ({len(sub_skips)} subtests skipped: {', '.join(sub_skips)})"
print(summary)
PY
}

case "${1:-}" in
  demo)
    build
    shift
    exec bash "$ROOT/examples/megamind-dataset.sh" "$@"
    ;;
  test)
    build
    status=0
    meson test -C "$BUILD" --print-errorlogs --num-processes 2 || status=$?
    # The loaders under libFuzzer for a few seconds each (clang, ASan +
    # UBSan; fuzz/TARGET-smoke above replays the seed corpora in this build).
    for target in tfjs safetensors ncnn; do
      log="$BUILD/fuzz-$target.log"
      if bash "$ROOT/scripts/fuzz.sh" "$target" -max_total_time=6 >"$log" 2>&1; then
        echo "fuzz/$target: $(grep -o 'number_of_executed_units: [0-9]*' "$log" | cut -d' ' -f2) inputs in 6 s, no finding"
      else
        echo "fuzz/$target: FINDING or failure, see $log"
        status=1
      fi
    done
    summarise_tests
    exit $status
    ;;
  *)
    echo "usage: bash scripts/run.sh demo|test" >&2
    exit 2
    ;;
esac
