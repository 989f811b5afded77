#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Copies a trained checkpoint and its model card from a run folder into
models/weights/ (the registry's `weights/<name>.safetensors`), after
checking the card's sha256 against the file. The card's corpus folder is
recorded relative to the repository, so that the card reads the same on any
clone.

Usage: /usr/bin/python3 models/train/ship.py models/train/runs/vqvae2/vqvae2-ep4.json
"""
import hashlib
import json
import os
import shutil
import sys

ROOT = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
WEIGHTS = os.path.join(ROOT, "models", "weights")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    card_path = sys.argv[1]
    with open(card_path) as f:
        card = json.load(f)
    src = os.path.join(os.path.dirname(card_path), card["file"])
    with open(src, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    if digest != card["sha256"]:
        sys.exit("%s: sha256 %s does not match its card's %s" % (src, digest, card["sha256"]))
    data_dir = card["data"]["dir"]
    if os.path.isabs(data_dir):
        card["data"]["dir"] = os.path.relpath(data_dir, ROOT)
    os.makedirs(WEIGHTS, exist_ok=True)
    shutil.copyfile(src, os.path.join(WEIGHTS, card["file"]))
    with open(os.path.join(WEIGHTS, card["name"] + ".json"), "w") as f:
        json.dump(card, f, indent=1)
        f.write("\n")
    print("shipped %s (%d bytes, epoch %s, held-out PSNR %.2f dB, CIEDE2000 %.2f)" % (
        card["name"], os.path.getsize(src), card["epoch"], card["eval"]["mean_psnr_db"],
        card["eval"]["mean_ciede2000"]))


if __name__ == "__main__":
    main()
