#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""examples/python: sr_records.py and gstsr_dataset.GstSrPairs (pairs into
a PyTorch training loop, no files), on frames cut from Megamind.avi.

Input: the first FRAMES frames of Megamind.avi decoded by OpenCV and
shrunk to 240x176 (INTER_AREA: a quick test; the dataset code does not
depend on the size), as PNGs read back by multifilesrc ! pngdec, so every
run sees exactly the same frames (a decoder with `identity eos-after`
lets a variable count through).

Checks:
 * sr_records.py on Megamind.avi prints the record of 2 frames, each with
   Real-ESRGAN's first stage (blur:1 resize:1 noise:1 jpeg:1);
 * equality with srpairsink: the same pipeline run by gst-launch-1.0 into
   srpairsink and through GstSrPairs (same chain, same properties) gives the
   same pairs in the same order: names, frame, crop, lr_crop, HR and LR
   pixels (the PNGs decoded) equal, the params text equal to the manifest
   line's `params` byte for byte; whole frames (every-n 1 and 3; a chain
   of three gst-sr elements, srusm, srdegrade and srcodec with its
   encoders, whose record all extend),
   and patches (patch-size 32,
   patches-per-frame 3, every-n 2, HGGT's filter on with thresholds that
   reject some draws -- asserted -- so the accepted positions are not just
   the first draws);
 * determinism: two iterations with the same seed yield identical tensors
   and params; another patch seed moves the patches;
 * GstSrPairedDataset, the BasicSR wrapper, gives BasicSR's dict of the
   same pairs (float) and starts its stream over at the end;
 * DataLoader(num_workers=2) over 3 inputs yields every input's pairs
   exactly once (worker i takes inputs i, i+2, ...), equal to one process's
   (workers spawned: this process has run pipelines); a worker forked after
   that raises rather than hangs;
 * training: a tiny x4 SR net (3 convs + PixelShuffle) takes TRAIN_STEPS
   Adam steps on float batches from a DataLoader over the dataset: every
   loss finite, the parameters changed, and the L1 loss on a fixed batch of
   8 pairs lower after than before.
"""
import json
import os
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
SOURCE_ROOT = os.environ.get("SR_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))
EXAMPLES = os.path.join(SOURCE_ROOT, "examples", "python")
sys.path.insert(0, EXAMPLES)
from sr_testenv import gst_env, sample  # noqa: E402

FRAMES = 8
SIZE = (240, 176)
TRAIN_STEPS = 12
TIMEOUT_S = 120

failures = []


def check(cond, text):
    print(("ok   " if cond else "FAIL ") + text)
    if not cond:
        failures.append(text)


def cut_frames(video, folder, first, count):
    os.makedirs(folder)
    cap = cv2.VideoCapture(video)
    for i in range(first + count):
        ok, bgr = cap.read()
        if not ok:
            sys.exit("cannot read frame %d of %s" % (i, video))
        if i >= first:
            small = cv2.resize(bgr, SIZE, interpolation=cv2.INTER_AREA)
            cv2.imwrite(os.path.join(folder, "%04d.png" % (i - first)), small)
    cap.release()


def source_of(folder, count):
    return ("multifilesrc location=%s/%%04d.png index=0 stop-index=%d "
            "caps=image/png,framerate=25/1 ! pngdec" % (folder, count - 1))


def pairsink_run(src, chain, out, props):
    """The same pipeline as GstSrPairs builds, into srpairsink."""
    desc = ("%s ! videoconvert ! video/x-raw,format=RGB ! tee name=t "
            "t. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! p.hr "
            "t. ! queue ! %s ! video/x-raw,format=RGB ! p.lr "
            "srpairsink name=p location=%s %s" % (src, chain, out, props))
    res = subprocess.run(["gst-launch-1.0", "-q"] + desc.split(), env=gst_env(),
                         capture_output=True, text=True, timeout=TIMEOUT_S)
    if res.returncode != 0:
        sys.exit("gst-launch-1.0 failed (%d): %s\n%s" % (res.returncode, desc, res.stderr))


def read_rgb(path):
    bgr = cv2.imread(path, cv2.IMREAD_UNCHANGED)
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)


def compare_with_pairsink(tag, src, chain, tmp, every_n=1, patch_size=0,
                          patches_per_frame=1, min_std=0.0, min_lap=0.0, seed=0):
    import gstsr_dataset
    out = os.path.join(tmp, "out-" + tag)
    props = "prefix=mm every-n=%d seed=%d" % (every_n, seed)
    if patch_size:
        props += " patch-size=%d patches-per-frame=%d min-std=%r min-laplacian-var=%r" % (
            patch_size, patches_per_frame, min_std, min_lap)
    pairsink_run(src, chain, out, props)
    ds = gstsr_dataset.GstSrPairs([src], chain, every_n=every_n, patch_size=patch_size,
                                  patches_per_frame=patches_per_frame, min_std=min_std,
                                  min_laplacian_var=min_lap, seed=seed, prefix="mm",
                                  with_info=True)
    got = list(ds)
    with open(os.path.join(out, "manifest.jsonl"), encoding="utf-8") as f:
        lines = f.readlines()
    scale = json.loads(lines[0])["params"]["scale"] if lines else 0
    names = [json.loads(line)["name"] for line in lines]
    check(len(lines) > 0 and [g[3]["name"] for g in got] == names,
          "%s: %d pairs, the names of srpairsink's manifest in its order (%d)"
          % (tag, len(got), len(names)))
    bad = []
    for line, (hr, lr, params, info) in zip(lines, got):
        rec = json.loads(line)
        # The manifest's keys are name, source, frame, crop, lr_crop, params:
        # params is the last value of the line.
        params_text = line[line.rindex(',"params":') + len(',"params":'):-2]
        hr_png = read_rgb(os.path.join(out, "HR", rec["name"]))
        lr_png = read_rgb(os.path.join(out, "LR_x%d" % scale, rec["name"]))
        what = []
        if params_text != info["params_json"]:
            what.append("params text")
        if params != rec["params"]:
            what.append("params dict")
        for k in ("frame", "crop", "lr_crop"):
            if info[k] != rec[k]:
                what.append("%s %s != %s" % (k, info[k], rec[k]))
        if hr.dtype != torch.uint8 or not np.array_equal(hr.permute(1, 2, 0).numpy(), hr_png):
            what.append("HR pixels")
        if not np.array_equal(lr.permute(1, 2, 0).numpy(), lr_png):
            what.append("LR pixels")
        if what:
            bad.append("%s: %s" % (rec["name"], ", ".join(what)))
    check(not bad, "%s: every pair equals srpairsink's files byte for byte%s"
          % (tag, "" if not bad else ": " + "; ".join(bad[:4])))
    return ds, got


def main():
    video = sample("Megamind.avi")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="sr-pydataset-") as tmp:
        # sr_records.py, the PyGObject example.
        res = subprocess.run([sys.executable, os.path.join(EXAMPLES, "sr_records.py"), video,
                              "realesrgan", "2"], env=gst_env(), capture_output=True,
                             text=True, timeout=TIMEOUT_S)
        print(res.stdout[:600] + res.stderr)
        lines = [ln for ln in res.stdout.splitlines()
                 if ln.startswith("frame ") and ": blur:1 resize:1 noise:1 jpeg:1 " in ln]
        check(res.returncode == 0 and len(lines) == 2,
              "sr_records.py printed 2 realesrgan records (rc %d)" % res.returncode)

        frames = os.path.join(tmp, "frames")
        cut_frames(video, frames, 0, FRAMES)
        src = source_of(frames, FRAMES)
        chain = "srdegrade preset=realesrgan scale=4 seed=3"

        compare_with_pairsink("whole", src, chain, tmp)
        compare_with_pairsink("whole-every3", src, chain, tmp, every_n=3)
        compare_with_pairsink("chain", src, "srusm ! srdegrade preset=bicubic scale=2 seed=4 "
                              "! srcodec seed=4 segment-frames=3", tmp, every_n=2)
        ds, got = compare_with_pairsink("patches", src, chain, tmp, every_n=2, patch_size=32,
                                        patches_per_frame=3, min_std=40.0, min_lap=30.0, seed=5)
        check(ds.skipped_filtered > 0, "patches: HGGT's filter rejected %d draws"
              % ds.skipped_filtered)

        # Determinism.
        import gstsr_dataset
        again = list(gstsr_dataset.GstSrPairs(
            [src], chain, every_n=2, patch_size=32, patches_per_frame=3, min_std=40.0,
            min_laplacian_var=30.0, seed=5, prefix="mm", with_info=True))
        same = len(again) == len(got) and all(
            torch.equal(a[0], b[0]) and torch.equal(a[1], b[1]) and a[2] == b[2]
            and a[3] == b[3] for a, b in zip(again, got))
        check(same, "determinism: a second iteration with seed 5 yields the same %d pairs"
              % len(got))
        other = list(gstsr_dataset.GstSrPairs(
            [src], chain, every_n=2, patch_size=32, patches_per_frame=3, seed=6,
            with_info=True))
        check([o[3]["crop"] for o in other] != [g[3]["crop"] for g in got],
              "another patch seed (6) draws other patches")

        # The BasicSR wrapper: PairedImageDataset's dict, the same pairs as
        # float, starting over at the end of the stream.
        basic = gstsr_dataset.GstSrPairedDataset({
            "sources": [src], "chain": chain, "num_pairs": 100, "gt_size": 32,
            "patches_per_frame": 3, "every_n": 2, "min_std": 40.0, "min_laplacian_var": 30.0,
            "seed": 5, "prefix": "mm"})
        items = [basic[i] for i in range(len(got) + 2)]
        ok = len(basic) == 100 and all(
            set(d) >= {"lq", "gt", "lq_path", "gt_path"} and d["gt_path"] == g[3]["name"]
            and torch.equal(d["gt"], g[0].float() / 255) and torch.equal(d["lq"], g[1].float() / 255)
            for d, g in zip(items, got + got[:2]))
        check(ok, "GstSrPairedDataset (BasicSR): {lq, gt, lq_path, gt_path} of the same "
              "pairs, the stream starting over")

        # Workers shard by input.
        inputs = []
        for k in range(3):
            folder = os.path.join(tmp, "in%d" % k)
            cut_frames(video, folder, 2 * k, 2)
            inputs.append(source_of(folder, 2))
        multi = gstsr_dataset.GstSrPairs(inputs, "srdegrade preset=bicubic scale=4 seed=1",
                                         with_info=True)
        one = sorted((i["source"], i["name"]) for _, _, _, i in multi)
        # This process has run pipelines: workers must not be forked from it.
        loader = torch.utils.data.DataLoader(multi, batch_size=None, num_workers=2,
                                             multiprocessing_context="spawn")
        two = [(i["source"], i["name"]) for _, _, _, i in loader]
        check(len(one) == 6 and sorted(two) == one and len(set(two)) == len(two),
              "num_workers=2: each of 3 inputs read once, %d pairs as one process's %d"
              % (len(two), len(one)))

        forked = torch.utils.data.DataLoader(multi, batch_size=None, num_workers=1,
                                             multiprocessing_context="fork", timeout=60)
        try:
            list(forked)
            raised = ""
        except RuntimeError as e:
            raised = str(e)
        check("spawn" in raised, "a worker forked after a pipeline ran raises, naming spawn")

        # A few training steps of a tiny x4 SR net.
        torch.manual_seed(0)
        net = torch.nn.Sequential(
            torch.nn.Conv2d(3, 16, 3, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(16, 16, 3, padding=1), torch.nn.ReLU(),
            torch.nn.Conv2d(16, 3 * 16, 3, padding=1), torch.nn.PixelShuffle(4))
        before = [p.detach().clone() for p in net.parameters()]
        opt = torch.optim.Adam(net.parameters(), lr=2e-3)
        train = gstsr_dataset.GstSrPairs([src], chain, patch_size=32, patches_per_frame=4,
                                         seed=11, dtype=torch.float32)
        held = list(train)[:8]            # a fixed batch to measure the loss on
        held_hr = torch.stack([x[0] for x in held])
        held_lr = torch.stack([x[1] for x in held])

        def held_loss():
            with torch.no_grad():
                return float(torch.nn.functional.l1_loss(net(held_lr), held_hr))

        loss_before = held_loss()
        losses = []
        while len(losses) < TRAIN_STEPS:
            for hr, lr, params in torch.utils.data.DataLoader(
                    train, batch_size=4, collate_fn=lambda b: (
                        torch.stack([x[0] for x in b]), torch.stack([x[1] for x in b]),
                        [x[2] for x in b])):
                loss = torch.nn.functional.l1_loss(net(lr), hr)
                opt.zero_grad()
                loss.backward()
                opt.step()
                losses.append(float(loss))
                if len(losses) >= TRAIN_STEPS:
                    break
        print("losses: " + " ".join("%.4f" % v for v in losses))
        check(all(np.isfinite(losses)), "training: %d finite losses" % len(losses))
        changed = any(not torch.equal(a, b) for a, b in zip(before, net.parameters()))
        check(changed, "training: the parameters changed")
        loss_after = held_loss()
        check(loss_after < loss_before, "training: the loss on a fixed batch of 8 pairs went "
              "down, %.4f -> %.4f" % (loss_before, loss_after))
    print("%.1f s" % (time.monotonic() - t0))
    if failures:
        print("%d failure(s)" % len(failures))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
