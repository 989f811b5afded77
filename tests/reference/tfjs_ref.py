# SPDX-License-Identifier: LGPL-2.1-or-later
"""TensorFlow.js, the UpscalerJS models' own runtime, run from Python.

run_tfjs(model_json, hwc) runs a TF.js layers-model on one HWC float32
image with @tensorflow/tfjs (pure JS CPU backend, node) through
tfjs/run_model.js and returns its raw output, HWC float32. The packages come
from scripts/install-models.sh: the models into models/npm/, tfjs into
tests/reference/tfjs/node_modules/. When node or a package is missing,
require() prints why and exits 77 (meson's SKIP); run_tfjs raises
TfjsUnavailable.
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile

import numpy as np

from sr_testenv import EXIT_SKIP

HERE = os.path.dirname(os.path.abspath(__file__))
TFJS_DIR = os.path.join(HERE, "tfjs")
RUN_MODEL = os.path.join(TFJS_DIR, "run_model.js")
INSTALL_HINT = "run scripts/install-models.sh"


class TfjsUnavailable(RuntimeError):
    """node or the tfjs / model packages are not installed."""


def source_root():
    return os.environ.get("SR_SOURCE_ROOT") or os.path.dirname(os.path.dirname(HERE))


def npm_model(package, scale=None):
    """model.json of an installed UpscalerJS package: npm_model('esrgan-slim', 4),
    npm_model('default-model')."""
    base = os.path.join(source_root(), "models", "npm", "node_modules", "@upscalerjs", package,
                        "models")
    return os.path.join(base, "x%d" % scale, "model.json") if scale else os.path.join(
        base, "model.json")


def node_path():
    return os.environ.get("SR_NODE") or shutil.which("node") or shutil.which("nodejs")


def unavailable(model_json=None):
    """Why run_tfjs cannot run (on model_json, if given), or None."""
    node = node_path()
    if not node or not os.access(node, os.X_OK):
        return "node not found (install Debian's nodejs, or set SR_NODE)"
    tfjs = os.path.join(TFJS_DIR, "node_modules", "@tensorflow", "tfjs", "package.json")
    if not os.path.isfile(tfjs):
        return "@tensorflow/tfjs not installed in %s (%s)" % (TFJS_DIR, INSTALL_HINT)
    if model_json is not None and not os.path.isfile(model_json):
        return "model %s not installed (%s)" % (model_json, INSTALL_HINT)
    return None


def require(*model_jsons):
    """Exits 77 (SKIP) with the reason when tfjs or one of the models is missing."""
    for m in model_jsons or (None,):
        why = unavailable(m)
        if why:
            print("SKIP: TensorFlow.js reference unavailable: " + why)
            sys.exit(EXIT_SKIP)


def run_tfjs(model_json, hwc, info=False):
    """The model's raw predict() output (no clipping) for `hwc`, an HxWx3
    array in the model's own input range (0..255 RDN, 0..1 RRDN), as an
    HxWx3 float32 array at the output size. With info=True, also the dict
    run_model.js reports (shape, seconds, customLayers, and the package's
    inputRange/outputRange when known)."""
    why = unavailable(model_json)
    if why:
        raise TfjsUnavailable(why)
    x = np.ascontiguousarray(hwc, dtype="<f4")
    if x.ndim != 3 or x.shape[2] != 3:
        raise ValueError("expected an HxWx3 array, got shape %s" % (x.shape,))
    h, w = x.shape[:2]
    with tempfile.TemporaryDirectory(prefix="sr-tfjs-") as tmp:
        src = os.path.join(tmp, "in.f32")
        dst = os.path.join(tmp, "out.f32")
        x.tofile(src)
        r = subprocess.run([node_path(), RUN_MODEL, model_json, src, str(h), str(w), dst],
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError("tfjs run of %s failed (exit %d):\n%s%s" % (
                model_json, r.returncode, r.stdout[-2000:], r.stderr[-4000:]))
        # tfjs prints a banner on stdout; the result is the last line.
        lines = r.stdout.strip().splitlines()
        try:
            meta = json.loads(lines[-1])
        except (IndexError, ValueError):
            raise RuntimeError("tfjs run of %s: no result line in\n%s" % (model_json, r.stdout))
        shape = meta["shape"]
        y = np.fromfile(dst, dtype="<f4")
    if len(shape) != 4 or shape[0] != 1 or y.size != int(np.prod(shape)):
        raise RuntimeError("tfjs output of %s: shape %s, %d values" % (model_json, shape, y.size))
    y = y.reshape(shape[1:])
    return (y, meta) if info else y
