#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-sr embedded in a Python program (PyGObject): a pipeline degrades a
video with srdegrade, an appsink receives the LR frames, and each frame's
degradation record is read by name through GStreamer's custom-meta API
(buf.get_custom_meta("GstSrDegradationMeta")), as examples/c/sr-records.c
does in C. Prints the steps of the first frames, and the first record in
full as srpairsink's manifest writes it (its "record-to-json" signal).

    sr_records.py [VIDEO] [PRESET] [FRAMES]
    (default: opencv-doc's Megamind.avi, realesrgan, 3)

Needs Debian's python3-gi and gir1.2-gst-plugins-base-1.0, and gst-sr on
GStreamer's plugin path (GST_PLUGIN_PATH=<build>/gst, or installed).
"""
import json
import sys

import gi

gi.require_version("Gst", "1.0")
from gi.repository import Gst  # noqa: E402


def main(argv):
    Gst.init(None)
    video = argv[1] if len(argv) > 1 else "/usr/share/doc/opencv-doc/examples/data/Megamind.avi"
    preset = argv[2] if len(argv) > 2 else "realesrgan"
    frames = int(argv[3]) if len(argv) > 3 else 3
    desc = ('filesrc location="%s" ! decodebin ! videoconvert ! video/x-raw,format=RGB ! '
            'srdegrade preset=%s scale=4 seed=1 ! appsink name=lr sync=false max-buffers=4'
            % (video.replace('"', '\\"'), preset))
    try:
        pipeline = Gst.parse_launch(desc)
    except gi.repository.GLib.Error as e:
        print("error: %s (is gst-sr on GST_PLUGIN_PATH?)" % e.message, file=sys.stderr)
        return 1
    sink = pipeline.get_by_name("lr")
    # Only to print a record as the manifest's params: srpairsink's action signal.
    to_json = Gst.ElementFactory.make("srpairsink", None)
    pipeline.set_state(Gst.State.PLAYING)
    bus = pipeline.get_bus()
    n, status, msg = 0, 0, None
    while n < frames:
        # A bounded wait, so that an error (which does not wake pull-sample)
        # is seen on the bus.
        sample = sink.emit("try-pull-sample", 100 * Gst.MSECOND)
        if sample is None:
            if sink.get_property("eos"):
                break                   # the stream ended, reported below
            msg = bus.pop_filtered(Gst.MessageType.ERROR)
            if msg is not None:
                break                   # an error, reported below
            continue
        meta = sample.get_buffer().get_custom_meta("GstSrDegradationMeta")
        if meta is None:
            print("error: an LR frame without GstSrDegradationMeta", file=sys.stderr)
            status = 1
        else:
            record = meta.get_structure()
            # The ops array is a GstValueArray, which PyGObject reads only with
            # gst-python's overrides; the JSON form needs nothing more.
            text = to_json.emit("record-to-json", record)
            params = json.loads(text)
            steps = " ".join(
                op["op"] + (":%s" % op["stage"] if "stage" in op else "") for op in params["ops"])
            print("frame %d (%s): %s" % (record.get_value("frame"),
                                         record.get_string("preset"), steps))
            if n == 0:
                print("  first record in full: %s" % record.to_string())
                print("  as the manifest's params: %s" % text)
        n += 1
    msg = msg or bus.pop_filtered(Gst.MessageType.ERROR)
    if msg is not None:
        err, _ = msg.parse_error()
        print("error: %s" % err.message, file=sys.stderr)
        status = 1
    if n < frames and not status:
        print("error: the stream ended after %d frames" % n, file=sys.stderr)
        status = 1
    pipeline.set_state(Gst.State.NULL)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
