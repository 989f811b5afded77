"""The environment our reference tests run gst-launch-1.0 in."""
import os
import sys


def gst_env():
    """os.environ with the build's plugin on GStreamer's path: meson's
    test_env sets GST_PLUGIN_PATH_1_0; by hand, GST_PLUGIN_PATH (or
    SR_BUILD_ROOT) must name the build."""
    env = dict(os.environ)
    if not env.get("GST_PLUGIN_PATH_1_0") and not env.get("GST_PLUGIN_PATH"):
        root = env.get("SR_BUILD_ROOT")
        if not root:
            sys.exit("set GST_PLUGIN_PATH=<build>/gst (or SR_BUILD_ROOT)")
        env["GST_PLUGIN_PATH"] = os.path.join(root, "gst")
    return env
