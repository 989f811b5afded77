# SPDX-License-Identifier: LGPL-2.1-or-later
"""A 1,000-frame srdegrade preset=realbasicvsr run (67 clips of 15, both
video compressions through real encoders) whose memory stays flat: the
process's resident size, sampled every 0.25 s, may not grow by more than
15 % from the second quarter of the run (after the first clips filled the
device buffer pool and the encoders' caches) to the last quarter. A leak of
one clip's frames (15 x 230 kB here) or one encoder pipeline per clip
would add far more than that over 50 clips.

Usage: test_realbasicvsr_memory.py
"""
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from sr_testenv import EXIT_SKIP  # noqa: E402

FRAMES = 1000
MAX_GROWTH = 0.15


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def main():
    cmd = ["gst-launch-1.0", "-q", "videotestsrc", "num-buffers=%d" % FRAMES, "pattern=ball",
           "!", "video/x-raw,width=256,height=192,format=RGB,framerate=25/1", "!", "srdegrade",
           "preset=realbasicvsr", "scale=4", "seed=5", "!", "fakesink"]
    p = subprocess.Popen(cmd, stderr=subprocess.PIPE, text=True)
    samples = []
    start = time.monotonic()
    while p.poll() is None:
        v = rss_kb(p.pid)
        if v:
            samples.append(v)
        time.sleep(0.25)
    err = p.stderr.read()
    if p.returncode != 0:
        if "pocl-opencl-icd" in err:
            print("SKIP:", err.strip())
            sys.exit(EXIT_SKIP)
        print("FAIL: gst-launch exited %d: %s" % (p.returncode, err))
        sys.exit(1)
    n = len(samples)
    if n < 8:
        print("FAIL: only %d samples in %.1f s" % (n, time.monotonic() - start))
        sys.exit(1)
    q2 = sorted(samples[n // 4:n // 2])[len(samples[n // 4:n // 2]) // 2]
    q4 = sorted(samples[3 * n // 4:])[len(samples[3 * n // 4:]) // 2]
    growth = q4 / q2 - 1
    print("%d frames in %.1f s: RSS median %d MB (2nd quarter) -> %d MB (last quarter), "
          "%+.1f %% (bar %+.0f %%), peak %d MB" % (
              FRAMES, time.monotonic() - start, q2 // 1024, q4 // 1024, 100 * growth,
              100 * MAX_GROWTH, max(samples) // 1024))
    if growth > MAX_GROWTH:
        print("FAIL: memory grew by %.1f %%" % (100 * growth))
        sys.exit(1)


if __name__ == "__main__":
    main()
