# SPDX-License-Identifier: LGPL-2.1-or-later
"""The installed UpscalerJS models (scripts/install-models.sh -> models/npm/)
are the published bytes: every model.json and weight shard present, with the
sizes counted from the 1.0.0 packages, and each manifest describing exactly
the bytes of its shards (float32, unquantized, no padding), with every
weight belonging to a layer of the graph. Fails when a file is missing:
the models are part of the setup, not optional test data.
"""
import json
import os
import sys

import tfjs_ref

SHARD = 4194304  # the thick models' shard size (tfjs converter's 4 MiB)

# (package, scale): (model.json bytes, shard count, weight bytes, last shard
# bytes), counted from the npm tarballs of version 1.0.0.
EXPECTED = {
    ("esrgan-slim", 2): (12336, 1, 888300, 888300),
    ("esrgan-slim", 3): (12336, 1, 907260, 907260),
    ("esrgan-slim", 4): (12336, 1, 933804, 933804),
    ("esrgan-slim", 8): (12340, 1, 1115820, 1115820),
    ("esrgan-medium", 2): (30051, 1, 2772940, 2772940),
    ("esrgan-medium", 3): (30051, 1, 2791900, 2791900),
    ("esrgan-medium", 4): (30051, 1, 2818444, 2818444),
    ("esrgan-medium", 8): (30055, 1, 3000460, 3000460),
    ("esrgan-thick", 2): (193998, 7, 28959872, 3794048),
    ("esrgan-thick", 3): (193998, 7, 28994492, 3828668),
    ("esrgan-thick", 4): (193998, 7, 29042960, 3877136),
    ("esrgan-thick", 8): (194025, 8, 29375312, 15184),
    ("default-model", None): (12336, 1, 888300, 888300),
}


def check_model(path, want, fail):
    json_bytes, n_shards, weight_bytes, last = want
    if not os.path.isfile(path):
        fail("%s: missing (run scripts/install-models.sh)" % path)
        return
    json_size = os.path.getsize(path)
    if json_size != json_bytes:
        fail("%s: %d bytes, expected %d" % (path, json_size, json_bytes))
    with open(path, "rb") as f:
        model = json.load(f)
    if model.get("format") != "layers-model":
        fail("%s: format %r, expected 'layers-model'" % (path, model.get("format")))
    layers = {l["name"] for l in model["modelTopology"]["model_config"]["config"]["layers"]}
    shards, manifest_bytes = [], 0
    for group in model["weightsManifest"]:
        shards += group["paths"]
        for w in group["weights"]:
            if w.get("dtype") != "float32" or "quantization" in w:
                fail("%s: weight %s is %s%s, expected plain float32" % (
                    path, w["name"], w.get("dtype"),
                    " quantized" if "quantization" in w else ""))
            n = 4
            for d in w["shape"]:
                n *= d
            manifest_bytes += n
            layer, _, kind = w["name"].rpartition("/")
            if layer not in layers or kind not in ("kernel", "bias"):
                fail("%s: weight %s is not <layer>/kernel|bias of a layer in the graph" % (
                    path, w["name"]))
    if len(shards) != n_shards:
        fail("%s: %d shards, expected %d" % (path, len(shards), n_shards))
    total = 0
    for i, name in enumerate(shards):
        p = os.path.join(os.path.dirname(path), name)
        if not os.path.isfile(p):
            fail("%s: missing (run scripts/install-models.sh)" % p)
            continue
        size = os.path.getsize(p)
        total += size
        expect = last if i == len(shards) - 1 else SHARD
        if size != expect:
            fail("%s: %d bytes, expected %d" % (p, size, expect))
    if total != weight_bytes or manifest_bytes != weight_bytes:
        fail("%s: shards hold %d bytes, the manifest describes %d, expected %d" % (
            path, total, manifest_bytes, weight_bytes))
    print("%s: %d bytes, %d weight bytes in %d shard(s)" % (
        os.path.relpath(path, tfjs_ref.source_root()), json_size, total, len(shards)))


def main():
    failures = []
    for (package, scale), want in EXPECTED.items():
        check_model(tfjs_ref.npm_model(package, scale), want, failures.append)
    # default-model is the slim x2 network, byte for byte.
    a, b = tfjs_ref.npm_model("default-model"), tfjs_ref.npm_model("esrgan-slim", 2)
    for name in ("model.json", "group1-shard1of1.bin"):
        pa = os.path.join(os.path.dirname(a), name)
        pb = os.path.join(os.path.dirname(b), name)
        if os.path.isfile(pa) and os.path.isfile(pb):
            with open(pa, "rb") as fa, open(pb, "rb") as fb:
                if fa.read() != fb.read():
                    failures.append("%s differs from %s" % (pa, pb))
    for f in failures:
        print("FAIL: " + f)
    if failures:
        print("(bash scripts/install-models.sh --force reinstalls the models)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
