#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The Slurm scale-out end to end, on a real single-node cluster this script
# starts itself (munged as the munge user, slurmctld and slurmd as a user's
# cluster runs them: proctrack/linuxproc, task/none, select/cons_tres, state
# and spool in a temporary folder, one node with 2 CPUs): a 4-task
# `sbatch --array` over 4 short inputs (cut from opencv-doc's videos), the
# shards merged by scripts/sr-merge-datasets.py, must equal the same four
# shards run one after the other without Slurm and merged, byte for byte
# (HR/, LR_x4/, meta_info.txt, manifest.jsonl): once for frame pairs
# (realesrgan) and once for video clips (realbasicvsr without its video
# compressions, layout=clips). The daemons it started are
# stopped on exit. Needs root (the daemons) and Debian's slurm-wlm and
# munge (scripts/install-deps.sh installs them); without them it exits 77.
#   tests/slurm/test_slurm.sh SOURCE_ROOT
set -euo pipefail

ROOT=$(cd "${1:?usage: $0 SOURCE_ROOT}" && pwd)
DATA=${SR_TEST_DATA:-/usr/share/doc/opencv-doc/examples/data}
for tool in munged slurmctld slurmd sbatch sinfo scontrol; do
  if ! command -v "$tool" >/dev/null; then
    echo "SKIP: $tool missing (apt-get install slurm-wlm munge)"
    exit 77
  fi
done
if [ "$(id -u)" -ne 0 ] || ! id munge >/dev/null 2>&1; then
  echo "SKIP: the test starts slurmctld/slurmd/munged: needs root and the munge user"
  exit 77
fi
for v in Megamind.avi vtest.avi tree.avi Megamind_bugy.avi; do
  if [ ! -f "$DATA/$v" ]; then
    echo "SKIP: $DATA/$v missing (apt-get install opencv-doc)"
    exit 77
  fi
done

TMP=$(mktemp -d /tmp/sr-slurm-XXXXXX)
chmod 755 "$TMP"
MUNGE_PID=""
cleanup() {
  [ -f "$TMP/slurm.conf" ] && SLURM_CONF="$TMP/slurm.conf" scontrol shutdown >/dev/null 2>&1 || true
  for pidfile in "$TMP/slurmd.pid" "$TMP/slurmctld.pid"; do
    [ -f "$pidfile" ] && kill "$(cat "$pidfile")" 2>/dev/null || true
  done
  [ -f "$TMP/munge/munged.pid" ] && kill "$(cat "$TMP/munge/munged.pid")" 2>/dev/null || true
  sleep 1
  rm -rf "$TMP"
}
trap cleanup EXIT

# munge: its own key and socket, run as the munge user.
mkdir -p "$TMP/munge"
dd if=/dev/urandom bs=1 count=1024 of="$TMP/munge/munge.key" 2>/dev/null
chown -R munge: "$TMP/munge"
chmod 700 "$TMP/munge"
chmod 400 "$TMP/munge/munge.key"
runuser -u munge -- munged --key-file="$TMP/munge/munge.key" \
  --socket="$TMP/munge/munge.sock" --pid-file="$TMP/munge/munged.pid" \
  --log-file="$TMP/munge/munged.log" --seed-file="$TMP/munge/munged.seed" --force

# slurm: one node, ports of our own.
HOST=$(hostname -s)
port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("", 0)); print(s.getsockname()[1])'; }
mkdir -p "$TMP/state" "$TMP/spool"
cat > "$TMP/slurm.conf" <<CONF
ClusterName=gstsr-test
SlurmctldHost=$HOST
SlurmctldPort=$(port)
SlurmdPort=$(port)
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$TMP/munge/munge.sock
SlurmUser=root
SlurmdUser=root
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
NodeName=$HOST CPUs=2 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$TMP/slurm.conf"
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for i in $(seq 60); do
  state=$(sinfo -h -o %T 2>/dev/null || true)
  [ "$state" = idle ] && break
  sleep 1
done
if [ "$state" != idle ]; then
  echo "FAIL: the node did not come up (state '$state')"
  tail -5 "$TMP/slurmctld.log" "$TMP/slurmd.log" "$TMP/munge/munged.log" || true
  exit 1
fi
echo "cluster up: $(sinfo -h -o '%P %D %T %c') (slurm $(slurmctld -V | cut -d' ' -f2))"

# Four short inputs: the first 6 frames of each video at 256x192, written
# as Motion-JPEG AVI by OpenCV (a fixed frame count; identity's eos-after
# lets a varying number through).
mkdir -p "$TMP/in"
/usr/bin/python3 - "$DATA" "$TMP/in" "$TMP/list.txt" <<'PY'
import os, sys
import cv2
data, out, listing = sys.argv[1:]
with open(listing, "w") as lst:
    for v in ("Megamind.avi", "vtest.avi", "tree.avi", "Megamind_bugy.avi"):
        cap = cv2.VideoCapture(os.path.join(data, v))
        path = os.path.join(out, v)
        w = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 25, (256, 192))
        for _ in range(6):
            ok, frame = cap.read()
            assert ok, v
            w.write(cv2.resize(frame, (256, 192), interpolation=cv2.INTER_AREA))
        w.release()
        lst.write(path + "\n")
PY

# Two jobs: frame pairs (realesrgan), then video clips (realbasicvsr with
# its x264 / MPEG-4 round trips, srpairsink layout=clips).
status=0
cd "$ROOT"
job() {
  local name=$1
  if ! sbatch --wait --array=0-3 --output="$TMP/$name-%a.out" scripts/slurm/sr-dataset.sbatch \
      "$TMP/list.txt" "$TMP/$name-cluster" 7 >/dev/null; then
    echo "FAIL: the $name job array failed"
    tail -n 5 "$TMP"/$name-*.out "$TMP/slurmd.log" || true
    exit 1
  fi
  /usr/bin/python3 scripts/sr-merge-datasets.py "$TMP/$name-cluster" >/dev/null
  for k in 0 1 2 3; do
    bash scripts/slurm/sr-shard.sh "$TMP/list.txt" "$TMP/$name-local" "$k" 4 7 >/dev/null
  done
  /usr/bin/python3 scripts/sr-merge-datasets.py "$TMP/$name-local" >/dev/null
  for item in HR LR_x4 meta_info.txt manifest.jsonl; do
    if ! diff -r "$TMP/$name-cluster/$item" "$TMP/$name-local/$item" >/dev/null; then
      echo "FAIL: $name: $item differs between the Slurm run and the sequential one"
      status=1
    fi
  done
  local lines seeds
  lines=$(wc -l < "$TMP/$name-cluster/manifest.jsonl")
  seeds=$(grep -o '"seed":[0-9]*' "$TMP/$name-cluster/manifest.jsonl" | sort -u | wc -l)
  if [ "$lines" -lt 24 ] || [ "$seeds" -ne 4 ]; then
    echo "FAIL: $name: $lines manifest lines with $seeds distinct seeds (want >= 24, 4)"
    status=1
  fi
  echo "$name: 4-task array, $lines manifest lines from 4 inputs, $seeds shard seeds;" \
    "$(wc -l < "$TMP/$name-cluster/meta_info.txt") meta_info lines"
}
SR_DEGRADE="preset=realesrgan scale=4" SR_PAIRSINK="" job frames
SR_DEGRADE="preset=realbasicvsr scale=4 clip-length=3" \
  SR_PAIRSINK="layout=clips" job clips
[ $status -eq 0 ] && echo "both merged datasets equal the sequential runs', byte for byte"
exit $status
