#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# One shard of a gst-sr dataset job: the inputs of LIST (one video path per
# line) whose line number modulo N_SHARDS is SHARD, each through one plain
# gst-launch-1.0 run into OUT/shards/SHARD (a dataset srpairsink resumes, so
# a re-run of a killed shard completes it).
#
#   scripts/slurm/sr-shard.sh LIST OUT SHARD N_SHARDS SEED
#
# The shard's seed is SEED * 65536 + SHARD: shards draw independent
# degradations, and the file names srpairsink gives (source stem and seed)
# never collide between shards. What the pipeline does comes from two
# environment variables, srdegrade's and srpairsink's properties:
#   SR_DEGRADE   default "preset=realesrgan scale=4"
#   SR_PAIRSINK  default "" (e.g. "every-n=10", "layout=clips")
# scripts/slurm/sr-dataset.sbatch runs this as a Slurm job array;
# scripts/sr-merge-datasets.py joins the shards into one dataset.
set -euo pipefail

if [ $# -ne 5 ]; then
  echo "usage: $0 LIST OUT SHARD N_SHARDS SEED" >&2
  exit 2
fi
LIST=$1 OUT=$2 SHARD=$3 N_SHARDS=$4 SEED=$5
if ! [[ $SHARD =~ ^[0-9]+$ && $N_SHARDS =~ ^[0-9]+$ && $SEED =~ ^[0-9]+$ ]] \
    || [ "$SHARD" -ge "$N_SHARDS" ] || [ "$SHARD" -ge 65536 ]; then
  echo "error: SHARD, N_SHARDS and SEED must be integers, SHARD < N_SHARDS, SHARD < 65536" >&2
  exit 2
fi
if [ ! -r "$LIST" ]; then
  echo "error: cannot read the input list $LIST" >&2
  exit 1
fi
SHARD_SEED=$((SEED * 65536 + SHARD))
DEST="$OUT/shards/$SHARD"
mkdir -p "$DEST"
read -r -a degrade <<< "${SR_DEGRADE:-preset=realesrgan scale=4}"
read -r -a pairsink <<< "${SR_PAIRSINK:-}"

n=0
line=0
while IFS= read -r input || [ -n "$input" ]; do
  line=$((line + 1))
  [ -z "$input" ] && continue
  [ $(((line - 1) % N_SHARDS)) -eq "$SHARD" ] || continue
  if [ ! -r "$input" ]; then
    echo "error: shard $SHARD: cannot read input $input (line $line of $LIST)" >&2
    exit 1
  fi
  echo "gst-sr shard $SHARD/$N_SHARDS (seed $SHARD_SEED): $input"
  gst-launch-1.0 -q filesrc location="$input" ! decodebin ! videoconvert ! \
    video/x-raw,format=RGB ! tee name=t \
    t. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! p.hr \
    t. ! queue ! srdegrade seed="$SHARD_SEED" "${degrade[@]}" ! p.lr \
    srpairsink name=p location="$DEST" "${pairsink[@]}"
  n=$((n + 1))
done < "$LIST"
echo "gst-sr shard $SHARD/$N_SHARDS: $n inputs into $DEST"
