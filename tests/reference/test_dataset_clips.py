#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""srpairsink layout=clips in gst-launch-1.0 pipelines, read back the way
BasicSR's REDS loaders read a dataset (sr_dataset.ClipDataset: meta_info
split on ' ' into clip, frame count and shape; keys "<clip>/<i:08d>";
windows of consecutive HR and LR frames).

The input is Megamind.avi: its first frames as PNGs (decoded once with
OpenCV, so that every run sees exactly the same frames: identity's
eos-after lets a varying frame or two more through) and the video itself
through decodebin, cut by max-pairs.

Checks:
 * bicubic, clip-length=4, 14 frames: HR/<clip>/<8 digits>.png and LR_x4
   likewise, clips Megamind_s3_c000000..3 of 4, 4, 4, 2 frames; meta_info
   lines "<clip> <n> (528,720,3)"; one manifest line per frame (its
   params' clip / clip-frame match its folder and file) and one clip line
   per clip after its frames, whose params are its first frame's; every HR
   file is its source frame exactly and every LR replays from its HR within
   +-1 (as reference/dataset-pipeline); windows of 3 frames load with
   LR * 4 == HR;
 * min-clip-frames=3 drops the 2-frame last clip (no folder, no line);
   every-n=2 keeps clips 0 and 2; the same command again changes nothing;
 * realbasicvsr, clip-length=5, Megamind.avi through decodebin, max-pairs=10:
   exactly two whole clips and gst-launch-1.0 exits by itself; within a
   clip every frame has the same steps, kernel types, noise types, codec
   and drawn bits (drawn once per clip) and the clip line holds the first
   frame's record; 5-frame windows load;
 * kill mid-clip: realbasicvsr (its video compressions included) on 12
   frames with min-clip-frames=3 is SIGKILLed while
   clip 1's PNGs are being written; the same command again gives exactly
   the files of one uninterrupted run (clips 0 and 1, the 2-frame tail
   dropped), byte for byte.
"""
import filecmp
import json
import os
import signal
import subprocess
import sys
import tempfile
import time

import cv2
import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import sr_dataset  # noqa: E402
from sr_testenv import gst_env, sample  # noqa: E402

SCALE = 4
SEED = 3
TIMEOUT_S = 300
H, W = 528, 720


def png_source(src_dir, frames):
    return ["multifilesrc", "location=" + os.path.join(src_dir, "%05d.png"),
            "stop-index=%d" % (frames - 1), "caps=image/png,framerate=24/1", "!",
            "pngdec", "!", "videoconvert", "!", "video/x-raw,format=RGB"]


def video_source(video, eos_after):
    return ["filesrc", "location=" + video, "!", "decodebin", "!", "videoconvert", "!",
            "video/x-raw,format=RGB", "!", "identity", "eos-after=%d" % eos_after]


def pipeline_cmd(source, degrade, out, sink_props):
    return (["gst-launch-1.0", "-q"] + source +
            ["!", "tee", "name=t",
             "t.", "!", "queue", "max-size-buffers=0", "max-size-bytes=0", "max-size-time=0",
             "!", "p.hr",
             "t.", "!", "queue", "!", "srdegrade", "scale=%d" % SCALE, "seed=%d" % SEED]
            + degrade + ["!", "p.lr",
                         "srpairsink", "name=p", "location=" + out, "layout=clips"]
            + sink_props)


def run(cmd, env):
    try:
        r = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise AssertionError("gst-launch-1.0 did not exit within %d s: %s"
                             % (TIMEOUT_S, " ".join(cmd))) from None
    assert r.returncode == 0, "gst-launch failed (%d): %s\n%s" % (
        r.returncode, " ".join(cmd), r.stderr)


def same_tree(a, b):
    """Names and bytes of every file below a and b, compared."""
    for root, dirs, files in os.walk(a):
        rel = os.path.relpath(root, a)
        other = os.path.join(b, rel)
        assert sorted(os.listdir(other)) == sorted(dirs + files), \
            "%s holds %s, %s holds %s" % (root, sorted(dirs + files), other,
                                         sorted(os.listdir(other)))
        for f in files:
            assert filecmp.cmp(os.path.join(root, f), os.path.join(other, f),
                               shallow=False), "%s differs" % os.path.join(rel, f)


def clip_name(k):
    return "Megamind_s%d_c%06d" % (SEED, k)


def check_layout(root, clip_sizes, first_frames, preset, source=None):
    """Loads root with ClipDataset (which checks folders, meta_info and the
    manifest against each other) and checks names, numbering, records."""
    ds = sr_dataset.ClipDataset(root, SCALE)
    want_meta = [(clip_name(k), n, (H, W, 3)) for k, n in clip_sizes]
    assert ds.meta == want_meta, "meta_info %s, expected %s" % (ds.meta, want_meta)
    with open(os.path.join(root, "meta_info.txt")) as f:
        text = f.read()
    assert text == "".join("%s %d (%d,%d,3)\n" % (clip_name(k), n, H, W)
                           for k, n in clip_sizes), text
    assert len(ds.frames) == sum(n for _, n in clip_sizes)
    by_clip = {}
    for rec in ds.frames:
        c, f = rec["name"][:-4].split("/")
        p = rec["params"]
        k = int(c.rsplit("_c", 1)[1])
        assert p["clip"] == k and p["clip-frame"] == int(f), rec["name"]
        assert p["preset"] == preset and p["seed"] == SEED and p["scale"] == SCALE
        assert rec["crop"] == [0, 0, W, H] and rec["lr_crop"] == [0, 0, W // SCALE, H // SCALE]
        if source:
            assert rec["source"] == source, rec["source"]
        by_clip.setdefault(c, []).append(rec)
    for (k, n), first, clip in zip(clip_sizes, first_frames, ds.clips):
        recs = by_clip[clip_name(k)]
        assert [r["frame"] for r in recs] == list(range(first, first + n)), \
            "%s: frames %s" % (clip_name(k), [r["frame"] for r in recs])
        assert clip["clip"] == clip_name(k) and clip["frames"] == n
        assert clip["first-frame"] == first and clip["source"] == recs[0]["source"]
        assert clip["size"] == [W, H] and clip["lr_size"] == [W // SCALE, H // SCALE]
        assert clip["params"] == recs[0]["params"], "%s: clip params are not its first frame's" \
            % clip_name(k)
    return ds, by_clip


def check_windows(ds, num_frame):
    n = 0
    for i in range(len(ds)):
        key, lqs, gts = ds.window(i, num_frame)
        assert lqs.shape == (num_frame, H // SCALE, W // SCALE, 3), (key, lqs.shape)
        assert gts.shape == (num_frame, H, W, 3), (key, gts.shape)
        n += 1
    return n


def check_bicubic(tmp, env, src_dir, src_frames):
    root = os.path.join(tmp, "bicubic")
    degrade = ["preset=bicubic", "clip-length=4"]
    cmd = pipeline_cmd(png_source(src_dir, 14), degrade, root, ["prefix=Megamind"])
    run(cmd, env)
    ds, by_clip = check_layout(root, [(0, 4), (1, 4), (2, 4), (3, 2)], [0, 4, 8, 12], "bicubic")
    worst = 0
    for recs in by_clip.values():
        for rec in recs:
            hr = sr_dataset.read_rgb(os.path.join(root, "HR", rec["name"]))
            lr = sr_dataset.read_rgb(os.path.join(root, "LR_x4", rec["name"]))
            assert np.array_equal(hr, src_frames[rec["frame"]]), \
                "%s is not source frame %d" % (rec["name"], rec["frame"])
            d = np.abs(sr_dataset.replay(hr, rec["params"]).astype(int) - lr.astype(int))
            worst = max(worst, int(d.max()))
            assert d.max() <= 1, "%s: replay max |d| = %d" % (rec["name"], d.max())
    windows = check_windows(ds, 2)
    print("bicubic clip-length=4, 14 frames: clips of 4, 4, 4, 2; every HR is its "
          "source frame, every LR replays within %d; %d two-frame windows load" % (worst, windows))

    # The same command again: nothing changes.
    snap = os.path.join(tmp, "bicubic-snapshot")
    subprocess.run(["cp", "-a", root, snap], check=True)
    run(cmd, env)
    same_tree(snap, root)
    print("the same command again: every file unchanged")

    short = os.path.join(tmp, "bicubic-min3")
    run(pipeline_cmd(png_source(src_dir, 14), degrade, short,
                     ["prefix=Megamind", "min-clip-frames=3"]), env)
    check_layout(short, [(0, 4), (1, 4), (2, 4)], [0, 4, 8], "bicubic")
    assert not os.path.exists(os.path.join(short, "HR", clip_name(3)))
    assert not os.path.exists(os.path.join(short, "LR_x4", clip_name(3)))
    print("min-clip-frames=3: the 2-frame last clip is not written")

    every = os.path.join(tmp, "bicubic-every2")
    run(pipeline_cmd(png_source(src_dir, 14), degrade, every,
                     ["prefix=Megamind", "every-n=2"]), env)
    check_layout(every, [(0, 4), (2, 4)], [0, 8], "bicubic")
    print("every-n=2: clips 0 and 2")


# The draws mmagic makes once per clip: the steps and their kinds, which the
# walks never change (docs/degradations.md, realbasicvsr).
def clip_constants(params):
    out = []
    for op in params["ops"]:
        keep = {"op": op["op"], "stage": op.get("stage")}
        for k in ("kernel", "size", "semantics", "mode", "direction", "type", "gray",
                  "variant", "codec", "bits-per-frame", "step"):
            if k in op:
                keep[k] = op[k]
        out.append(keep)
    return out


def check_realbasicvsr_video(tmp, env, video):
    root = os.path.join(tmp, "rbvsr")
    run(pipeline_cmd(video_source(video, 16), ["preset=realbasicvsr", "clip-length=5"], root,
                     ["max-pairs=10"]), env)
    ds, by_clip = check_layout(root, [(0, 5), (1, 5)], [0, 5], "realbasicvsr", source=video)
    for name, recs in by_clip.items():
        first = clip_constants(recs[0]["params"])
        for rec in recs[1:]:
            assert clip_constants(rec["params"]) == first, \
                "%s: its draws differ from the clip's first frame's" % rec["name"]
        assert all(r["params"]["clip-length"] == 5 for r in recs)
    windows = check_windows(ds, 5)
    codecs = [next(o["codec"] for o in c["params"]["ops"] if o["op"] == "codec")
              for c in ds.clips]
    print("realbasicvsr clip-length=5 on Megamind.avi, max-pairs=10: 2 whole clips "
          "(codecs %s), each clip's draws shared by its frames, %d five-frame windows load"
          % (codecs, windows))


def check_kill_mid_clip(tmp, env, src_dir):
    degrade = ["preset=realbasicvsr", "clip-length=5"]
    props = ["prefix=Megamind", "min-clip-frames=3", "compression=9"]
    whole = os.path.join(tmp, "kill-whole")
    run(pipeline_cmd(png_source(src_dir, 12), degrade, whole, props), env)
    check_layout(whole, [(0, 5), (1, 5)], [0, 5], "realbasicvsr")
    assert not os.path.exists(os.path.join(whole, "HR", clip_name(2)))

    killed = os.path.join(tmp, "kill-killed")
    cmd = pipeline_cmd(png_source(src_dir, 12), degrade, killed, props)
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    torn_dir = os.path.join(killed, "HR", clip_name(1))
    deadline = time.monotonic() + TIMEOUT_S
    while proc.poll() is None and time.monotonic() < deadline:
        if os.path.isdir(torn_dir) and any(n.endswith(".png") for n in os.listdir(torn_dir)):
            break
        time.sleep(0.002)
    proc.send_signal(signal.SIGKILL)
    rc = proc.wait()
    assert rc == -signal.SIGKILL, "the run ended (%d) before it could be killed" % rc
    with open(os.path.join(killed, "manifest.jsonl")) as f:
        lines = f.read().splitlines()
    left = sorted(os.listdir(torn_dir)) if os.path.isdir(torn_dir) else []
    committed = [json.loads(line)["clip"] for line in lines
                 if line.endswith("}") and '"clip":"' in line[:9]]
    print("killed with %d manifest lines (clips %s) and %s in %s"
          % (len(lines), committed, left, os.path.relpath(torn_dir, killed)))
    assert clip_name(1) not in committed, "the kill came after clip 1 was complete"
    run(cmd, env)
    same_tree(whole, killed)
    print("kill mid-clip + the same command: identical to one run (every file, byte "
          "for byte); the 2-frame tail clip dropped in both")


def main():
    video = sample("Megamind.avi")
    env = gst_env()
    with tempfile.TemporaryDirectory(prefix="sr-clips-") as tmp:
        src_dir = os.path.join(tmp, "src")
        os.mkdir(src_dir)
        cap = cv2.VideoCapture(video)
        frames = []
        for i in range(14):
            ok, bgr = cap.read()
            assert ok, "OpenCV could not decode frame %d of %s" % (i, video)
            cv2.imwrite(os.path.join(src_dir, "%05d.png" % i), bgr)
            frames.append(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
        assert frames[0].shape == (H, W, 3), frames[0].shape
        check_bicubic(tmp, env, src_dir, frames)
        check_realbasicvsr_video(tmp, env, video)
        check_kill_mid_clip(tmp, env, src_dir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
