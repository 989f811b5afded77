#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Joins the shards of a gst-sr dataset job (scripts/slurm/sr-shard.sh,
one srpairsink dataset per shard in OUT/shards/<k>/) into one dataset in
OUT: HR/, LR_x<s>/, meta_info.txt and manifest.jsonl, the shards in
numeric order, each shard's lines in its own order.

Checks before it writes anything: every shard is a finished dataset (no
srpairsink holds its lock, no temporary PNG is left), all have one scale,
every manifest line is JSON and names an HR and an LR file that exist,
meta_info.txt and the manifest list the same number of pairs, and no file
name occurs in two shards (srpairsink's names carry the source stem and
the seed, and each shard has its own seed). Files are hard-linked where
the file system allows, else copied. Running it again gives the same
dataset (it replaces what a previous merge wrote).

    /usr/bin/python3 scripts/sr-merge-datasets.py OUT
"""
import fcntl
import glob
import json
import os
import shutil
import sys


def fail(msg):
    sys.exit("sr-merge-datasets: " + msg)


def shard_dirs(out):
    root = os.path.join(out, "shards")
    if not os.path.isdir(root):
        fail("%s has no shards/ folder (run scripts/slurm/sr-shard.sh first)" % out)
    dirs = [d for d in os.listdir(root) if d.isdigit()]
    if not dirs:
        fail("%s is empty" % root)
    return [os.path.join(root, d) for d in sorted(dirs, key=int)]


def check_finished(shard):
    lock = os.path.join(shard, ".lock")
    if os.path.exists(lock):
        with open(lock) as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                fail("%s is still being written (srpairsink holds its lock)" % shard)
    left = glob.glob(os.path.join(shard, "**", ".*.tmp-*"), recursive=True)
    if left:
        fail("%s holds unfinished files (%s): re-run its shard to complete it" % (
            shard, left[0]))


def scale_of(shard):
    lr = [d for d in os.listdir(shard) if d.startswith("LR_x")]
    if len(lr) != 1 or not os.path.isdir(os.path.join(shard, "HR")):
        fail("%s is not a dataset (want HR/ and one LR_x<s>/, found %s)" % (
            shard, sorted(os.listdir(shard))))
    return lr[0]


def files_under(top):
    out = []
    for base, _, names in os.walk(top):
        out += [os.path.relpath(os.path.join(base, n), top) for n in names
                if not n.startswith(".")]
    return sorted(out)


def read_lines(path):
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return f.read().splitlines()


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    shards = shard_dirs(out)
    lr_dir = None
    seen = {}
    plan = []                   # (shard, lr_dir, meta lines, manifest lines)
    for shard in shards:
        check_finished(shard)
        lr = scale_of(shard)
        if lr_dir not in (None, lr):
            fail("%s is %s, the others %s" % (shard, lr, lr_dir))
        lr_dir = lr
        manifest = read_lines(os.path.join(shard, "manifest.jsonl"))
        meta = read_lines(os.path.join(shard, "meta_info.txt"))
        pairs = 0
        for k, line in enumerate(manifest, 1):
            try:
                m = json.loads(line)
            except ValueError as e:
                fail("%s/manifest.jsonl line %d is not JSON: %s" % (shard, k, e))
            if "name" not in m:
                continue        # a line about a clip, not a pair
            pairs += 1
            for top in ("HR", lr):
                if not os.path.isfile(os.path.join(shard, top, m["name"])):
                    fail("%s/manifest.jsonl line %d names %s/%s, which is missing" % (
                        shard, k, top, m["name"]))
        hr_files = files_under(os.path.join(shard, "HR"))
        if len(hr_files) != pairs or len(files_under(os.path.join(shard, lr))) != pairs:
            fail("%s: %d pairs in the manifest, %d HR and %d LR files" % (
                shard, pairs, len(hr_files), len(files_under(os.path.join(shard, lr)))))
        for name in hr_files:
            if name in seen:
                fail("%s occurs in %s and %s" % (name, seen[name], shard))
            seen[name] = shard
        plan.append((shard, meta, manifest))

    for top in ("HR", lr_dir):
        shutil.rmtree(os.path.join(out, top), ignore_errors=True)
    for shard, _, _ in plan:
        for top in ("HR", lr_dir):
            for name in files_under(os.path.join(shard, top)):
                dst = os.path.join(out, top, name)
                os.makedirs(os.path.dirname(dst), exist_ok=True)
                try:
                    os.link(os.path.join(shard, top, name), dst)
                except OSError:
                    shutil.copy2(os.path.join(shard, top, name), dst)
    for name, index in (("meta_info.txt", 1), ("manifest.jsonl", 2)):
        tmp = os.path.join(out, "." + name + ".tmp")
        with open(tmp, "w") as f:
            for p in plan:
                f.writelines(line + "\n" for line in p[index])
        os.replace(tmp, os.path.join(out, name))
    print("merged %d shards: %d pairs in %s (HR/, %s/, meta_info.txt, manifest.jsonl)" % (
        len(plan), len(seen), out, lr_dir))


if __name__ == "__main__":
    main()
