# SPDX-License-Identifier: LGPL-2.1-or-later
"""gst-sr pairs straight into a PyTorch training loop, no files.

GstSrPairs is a torch.utils.data.IterableDataset that runs one GStreamer
pipeline per input,

    <source> ! videoconvert ! video/x-raw,format=RGB ! tee name=t
      t. ! queue (unbounded) ! appsink name=hr
      t. ! queue ! <chain> ! video/x-raw,format=RGB ! appsink name=lr

and yields what srpairsink would have written for the same pipeline and
properties, as tensors: (hr, lr, params), hr and lr CHW (uint8, or float32
in 0..1), params the LR frame's degradation record as a dict (the JSON that
srpairsink writes as the manifest's `params`, produced by srpairsink's own
"record-to-json" action signal, so the text is the manifest's byte for
byte). It makes the same choices as srpairsink (gst/gstsrpairsink.c):

  * HR and LR frames are paired by running time; a frame whose partner can
    no longer come (the other side is past its time, or ended) is dropped,
    never paired with a neighbour (gst/gstsrpairing.c);
  * the frame index is the record's `frame` (else the count of HR frames
    seen); every_n keeps frames whose index is a multiple of N;
  * the HR image is the record's `crop` box of the HR frame (the region the
    LR was made from after the mod-crop);
  * patch_size > 0: patches_per_frame random aligned patches per frame,
    drawn with srpairsink's Philox stream (key `seed`, index = frame, op
    "patc"), at most 10 tries per patch, each rejected by HGGT's
    informativeness filter when min_std / min_laplacian_var are set
    (Pillow-"L" gray standard deviation and the variance of the saturated
    8-bit 3x3 Laplacian of the HR patch);
  * names `<prefix>[_s<seed>]_<frame:06d>[_p<k:02d>].png`, as srpairsink's
    (only in the info dict, with_info=True).

Both appsinks take RGB: put the chain's output in RGB (srdegrade, srcodec
and srundertrained output what they are given, RGB here). srpairsink
itself converts YUV on the device; give it RGB too when comparing.

With several DataLoader workers each takes every W-th input (worker i: i,
i+W, ...), so every input is read once per epoch. GStreamer does not
survive a fork: once the main process has iterated the dataset itself,
workers must be started with multiprocessing_context="spawn" (or
"forkserver"); a forked worker would hang, so it raises instead. Each input's pairs come
in stream order; the order is deterministic for a given seed and input.

    ds = GstSrPairs(["a.mp4", "b.mkv"], "srdegrade preset=realesrgan scale=4 seed=7",
                    patch_size=256, min_std=30, min_laplacian_var=30, seed=7)
    for hr, lr, params in torch.utils.data.DataLoader(ds, batch_size=None):
        ...

The plugin must be on GStreamer's path (GST_PLUGIN_PATH, or installed).
"""
import json
import os
import queue
import re
import threading

import numpy as np
import torch

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstVideo", "1.0")
from gi.repository import GLib, Gst, GstVideo  # noqa: E402

__all__ = ["GstSrPairs", "GstSrPairedDataset", "PairingError", "philox_patch_positions",
           "informativeness", "record_to_json"]

RECORD_META = "GstSrDegradationMeta"
PATCH_RNG_OP = 0x70617463          # "patc", srpairsink's PATCH_RNG_OP
PATCH_TRIES_PER_PATCH = 10         # srpairsink's PATCH_TRIES_PER_PATCH
M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF


class PairingError(RuntimeError):
    """The pipeline failed, or an LR frame does not pair with its HR frame
    (the errors srpairsink posts)."""


# ---- Philox4x32-10, as kernels/sr_philox.h --------------------------------

def _philox4x32_10(ctr, k0, k1):
    c0, c1, c2, c3 = ctr
    for _ in range(10):
        p0 = 0xD2511F53 * c0
        p1 = 0xCD9E8D57 * c2
        c0, c1, c2, c3 = (((p1 >> 32) ^ c1 ^ k0) & M32, p1 & M32,
                          ((p0 >> 32) ^ c3 ^ k1) & M32, p0 & M32)
        k0 = (k0 + 0x9E3779B9) & M32
        k1 = (k1 + 0xBB67AE85) & M32
    return c0, c1, c2, c3


class _Rng:
    """sr_rng_init / sr_rng_u32 / sr_rng_int: one (seed, index, op) stream."""

    def __init__(self, seed, index, op):
        self.k0, self.k1 = seed & M32, (seed >> 32) & M32
        self.op, self.index = op, index & M64
        self.block = 0
        self.buf = []

    def u32(self):
        if not self.buf:
            self.buf = list(_philox4x32_10(
                (self.block, self.op, self.index & M32, self.index >> 32), self.k0, self.k1))
            self.block = (self.block + 1) & M32
        return self.buf.pop(0)

    def int(self, lo, hi):
        """Uniform in [lo, hi], both included, without modulo bias."""
        span = (hi - lo + 1) & M64
        if span == 0:
            return lo + ((self.u32() << 32) | self.u32())
        limit = M64 - M64 % span
        while True:
            v = (self.u32() << 32) | self.u32()
            if v < limit:
                return lo + v % span


def philox_patch_positions(seed, frame, lw, lh, lp, tries):
    """The first `tries` LR patch corners (lx, ly) srpairsink draws for a
    frame: lx = int(0, lw - lp) then ly = int(0, lh - lp), try after try."""
    rng = _Rng(seed, frame, PATCH_RNG_OP)
    out = []
    for _ in range(tries):
        lx = rng.int(0, lw - lp)
        ly = rng.int(0, lh - lp)
        out.append((lx, ly))
    return out


def informativeness(rgb):
    """(gray std, Laplacian variance) of an HxWx3 uint8 RGB patch, as
    models/sr_dataset.c's sr_patch_informativeness computes HGGT's filter:
    Pillow "L" gray in 16-bit fixed point, population std; 3x3 Laplacian
    (ksize 1) with BORDER_REFLECT_101, saturated to 0..255, its variance."""
    p = rgb.astype(np.uint32)
    g = ((19595 * p[..., 0] + 38470 * p[..., 1] + 7471 * p[..., 2] + 32768) >> 16).astype(np.int64)
    h, w = g.shape
    n = float(w * h)
    s, s2 = float(g.sum()), float((g * g).sum())
    mean = s / n
    std = float(np.sqrt(max(s2 / n - mean * mean, 0.0)))

    def reflect(idx, size):
        if size == 1:
            return np.zeros_like(idx)
        idx = np.where(idx < 0, -idx, idx)
        return np.where(idx >= size, 2 * size - 2 - idx, idx)

    ys, xs = np.arange(h), np.arange(w)
    ym, yp = reflect(ys - 1, h), reflect(ys + 1, h)
    xm, xp = reflect(xs - 1, w), reflect(xs + 1, w)
    lap = g[ym, :] + g[yp, :] + g[:, xm] + g[:, xp] - 4 * g
    lap = np.clip(lap, 0, 255)
    ls, ls2 = float(lap.sum()), float((lap * lap).sum())
    lmean = ls / n
    return std, max(ls2 / n - lmean * lmean, 0.0)


# ---- the record ---------------------------------------------------------------

def record_to_json(converter, structure):
    """The record as the manifest's `params` text, through srpairsink's
    "record-to-json" action signal on `converter` (a srpairsink element
    that is in no pipeline)."""
    return converter.emit("record-to-json", structure)


def _sanitize_stem(name, drop_extension):
    """sr_dataset_sanitize_stem: drop the extension (a '.' not first), every
    byte outside A-Z a-z 0-9 - _ becomes '_'."""
    b = os.fsencode(name)
    if drop_extension:
        dot = b.rfind(b".")
        if dot > 0:
            b = b[:dot]
    return re.sub(rb"[^A-Za-z0-9_-]", b"_", b).decode("ascii")


def _structure_get_u64(s, field):
    if s is None or not s.has_field(field):
        return None
    v = s.get_value(field)
    return int(v) if isinstance(v, int) and not isinstance(v, bool) else None


# ---- pairing by running time, as gst/gstsrpairing.c --------------------------

class _Pairing:
    """Two inputs deliver items in running-time order; an item pairs with
    the other side's item of the same running time, and one whose partner
    can no longer come is dropped (counted), never paired with a
    neighbour. Not thread-safe (the caller holds a lock)."""

    def __init__(self):
        self.pending = ([], [])
        self.eos = [False, False]
        self.position = [None, None]
        self.unmatched = 0

    def _drop_before(self, side, rt):
        q = self.pending[side]
        while q and (rt is None or q[0][0] < rt):
            q.pop(0)
            self.unmatched += 1

    def offer(self, side, rt, item):
        """Returns the other side's item when paired, else None."""
        other = 1 - side
        if rt is None:
            self.unmatched += 1
            return None
        self.position[side] = rt
        self._drop_before(other, rt)
        q = self.pending[other]
        if q and q[0][0] == rt:
            return q.pop(0)[1]
        if q or self.eos[other] or (self.position[other] is not None
                                    and self.position[other] > rt):
            self.unmatched += 1
            return None
        self.pending[side].append((rt, item))
        return None

    def end(self, side):
        self.eos[side] = True
        self._drop_before(1 - side, None)


HR, LR = 0, 1

# The process that ran a pipeline: GStreamer's thread pools do not survive a
# fork, so a DataLoader worker forked from it would wait forever on its
# first pipeline. Such a worker raises instead (see GstSrPairs).
_gst_used_pid = None


def _frame_array(sample):
    """An HxWx3 uint8 copy of an RGB sample (its video meta's stride when
    it has one)."""
    buf = sample.get_buffer()
    info = GstVideo.VideoInfo.new_from_caps(sample.get_caps())
    if info is None or info.finfo.format != GstVideo.VideoFormat.RGB:
        raise PairingError("appsink got %s, not RGB" % sample.get_caps().to_string())
    w, h = info.width, info.height
    stride, offset = info.stride[0], info.offset[0]
    vmeta = GstVideo.buffer_get_video_meta(buf)
    if vmeta is not None:
        stride, offset = vmeta.stride[0], vmeta.offset[0]
    ok, mi = buf.map(Gst.MapFlags.READ)
    if not ok:
        raise PairingError("cannot map a buffer")
    try:
        raw = np.frombuffer(mi.data, np.uint8, count=stride * (h - 1) + w * 3, offset=offset)
        rows = np.lib.stride_tricks.as_strided(raw, (h, w * 3), (stride, 1))
        return rows.reshape(h, w, 3).copy()
    finally:
        buf.unmap(mi)


class GstSrPairs(torch.utils.data.IterableDataset):
    """(hr, lr, params) pairs of gst-sr pipelines, as srpairsink pairs them.

    sources: a list; each entry is a video or image file path (read with
        filesrc ! decodebin), or a pipeline fragment containing '!' that
        produces raw video (e.g. "multifilesrc location=f/%04d.png
        caps=image/png,framerate=25/1 ! pngdec"). Workers shard by entry.
    chain: the LR branch's elements, e.g. "srdegrade preset=realesrgan
        scale=4 seed=7", "srcodec ...", "srundertrained ..."; "{seed}" in it
        is replaced by `seed`.
    every_n, patch_size, patches_per_frame, min_std, min_laplacian_var,
    seed, prefix: srpairsink's properties of the same names (seed: the
        patch positions' seed; prefix: only for the names in the info).
    dtype: torch.uint8 (0..255) or a float dtype (0..1).
    with_info: yield (hr, lr, params, info) with info = {name, source,
        frame, crop, lr_crop, params_json}, the manifest line's fields.
    max_pending_pairs: pairs decoded ahead of the training loop.
    """

    def __init__(self, sources, chain="srdegrade preset=realesrgan scale=4",
                 every_n=1, patch_size=0, patches_per_frame=1, min_std=0.0,
                 min_laplacian_var=0.0, seed=0, prefix=None, dtype=torch.uint8,
                 with_info=False, max_pending_pairs=4):
        super().__init__()
        if isinstance(sources, (str, os.PathLike)):
            sources = [sources]
        self.sources = [os.fspath(s) for s in sources]
        self.chain = chain.replace("{seed}", str(seed))
        if every_n < 1 or patches_per_frame < 1 or patch_size < 0:
            raise ValueError("every_n and patches_per_frame must be >= 1, patch_size >= 0")
        self.every_n = int(every_n)
        self.patch_size = int(patch_size)
        self.patches_per_frame = int(patches_per_frame)
        self.min_std = float(min_std)
        self.min_laplacian_var = float(min_laplacian_var)
        self.seed = int(seed) & M64
        self.prefix = prefix
        self.dtype = dtype
        self.with_info = with_info
        self.max_pending_pairs = max(1, int(max_pending_pairs))
        self.unmatched = 0          # of the last input iterated (this process)
        self.skipped_filtered = 0

    # -- what one input runs ---------------------------------------------------

    def pipeline_description(self, source):
        if "!" in source:
            head = source
        else:
            head = 'filesrc location="%s" ! decodebin' % source.replace("\\", "\\\\").replace(
                '"', '\\"')
        return ("%s ! videoconvert ! video/x-raw,format=RGB ! tee name=t "
                "t. ! queue max-size-buffers=0 max-size-bytes=0 max-size-time=0 ! "
                "appsink name=hr sync=false emit-signals=true "
                "t. ! queue ! %s ! video/x-raw,format=RGB ! "
                "appsink name=lr sync=false emit-signals=true" % (head, self.chain))

    def _stem(self, source):
        if self.prefix is not None:
            return _sanitize_stem(self.prefix, False)
        if "!" in source:
            return "frame"
        return _sanitize_stem(os.path.basename(source), True)

    def _name(self, stem, record, frame, patch):
        seed = _structure_get_u64(record, "seed")
        s = stem + ("_s%d" % seed if seed is not None else "")
        s += "_%06d" % frame
        if patch >= 0:
            s += "_p%02d" % patch
        return s + ".png"

    def _tensor(self, a):
        t = torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1)))
        if self.dtype == torch.uint8:
            return t
        return t.to(self.dtype) / 255.0

    # -- the pairs of one frame, srpairsink's handle_pair ------------------------

    def _frame_pairs(self, hr, lr, record, frame, stem, params_json, source):
        hh, hw = hr.shape[:2]
        lh, lw = lr.shape[:2]
        scale = _structure_get_u64(record, "scale") if record is not None else None
        if scale is None:
            scale = hw // lw if lw > 0 else 0
        params = json.loads(params_json) if params_json is not None else None
        # The crop through the JSON: PyGObject without gst-python's overrides
        # cannot read a GstValueArray field.
        crop = params.get("crop") if isinstance(params, dict) else None
        if not (isinstance(crop, list) and len(crop) == 4
                and all(isinstance(x, int) and not isinstance(x, bool) for x in crop)):
            crop = None
        if crop is None:
            crop = [0, 0, lw * scale, lh * scale]
        if (scale < 1 or crop[2] != lw * scale or crop[3] != lh * scale or crop[0] < 0
                or crop[1] < 0 or crop[0] + crop[2] > hw or crop[1] + crop[3] > hh):
            raise PairingError("LR frame %dx%d does not pair with HR frame %dx%d: expected "
                               "the HR region %dx%d at (%d,%d) to be LR x scale (scale=%d)"
                               % (lw, lh, hw, hh, crop[2], crop[3], crop[0], crop[1], scale))

        def make(hr_box, lr_box, patch):
            x, y, w, h = hr_box
            a = hr[y:y + h, x:x + w]
            lx, ly, lww, lhh = lr_box
            b = lr[ly:ly + lhh, lx:lx + lww]
            out = (self._tensor(a), self._tensor(b), params)
            if self.with_info:
                out += ({"name": self._name(stem, record, frame, patch), "source": source,
                         "frame": frame, "crop": list(hr_box), "lr_crop": list(lr_box),
                         "params_json": params_json},)
            return out

        if not self.patch_size:
            return [make(crop, [0, 0, lw, lh], -1)]
        ps = self.patch_size
        if ps % scale or ps > crop[2] or ps > crop[3]:
            raise PairingError("patch-size=%d must be a multiple of the scale (%d) and fit "
                               "in the %dx%d frame" % (ps, scale, crop[2], crop[3]))
        lp = ps // scale
        rng = _Rng(self.seed, frame, PATCH_RNG_OP)
        out = []
        filt = self.min_std > 0 or self.min_laplacian_var > 0
        for _ in range(self.patches_per_frame * PATCH_TRIES_PER_PATCH):
            if len(out) >= self.patches_per_frame:
                break
            lx = rng.int(0, lw - lp)
            ly = rng.int(0, lh - lp)
            hr_box = [crop[0] + lx * scale, crop[1] + ly * scale, ps, ps]
            if filt:
                sd, lv = informativeness(hr[hr_box[1]:hr_box[1] + ps, hr_box[0]:hr_box[0] + ps])
                if sd < self.min_std or lv < self.min_laplacian_var:
                    self.skipped_filtered += 1
                    continue
            out.append(make(hr_box, [lx, ly, lp, lp], len(out)))
        return out

    # -- one input -------------------------------------------------------------

    def iter_source(self, source):
        """The pairs of one input, in stream order."""
        global _gst_used_pid
        if _gst_used_pid is not None and _gst_used_pid != os.getpid():
            raise RuntimeError(
                "GstSrPairs: this process was forked from one that had run a GStreamer "
                "pipeline, and GStreamer's threads do not survive a fork: give the "
                "DataLoader multiprocessing_context='spawn' (or 'forkserver')")
        _gst_used_pid = os.getpid()
        if not Gst.is_initialized():
            Gst.init(None)
        converter = Gst.ElementFactory.make("srpairsink", None)
        if converter is None:
            raise PairingError("no srpairsink element: is gst-sr on GST_PLUGIN_PATH?")
        try:
            pipeline = Gst.parse_launch(self.pipeline_description(source))
        except GLib.Error as e:
            raise PairingError("cannot build the pipeline for %s: %s" % (source, e.message))
        sinks = (pipeline.get_by_name("hr"), pipeline.get_by_name("lr"))
        out = queue.Queue(self.max_pending_pairs)
        lock = threading.Lock()
        pairing = _Pairing()
        state = {"hr_frames": 0, "stop": False, "error": None, "done": 0}
        stem = self._stem(source)
        # What srpairsink's manifest says: the file (absolute, through its URI).
        shown = source if "!" in source else os.path.abspath(source)

        def put(item):
            while not state["stop"]:
                try:
                    out.put(item, timeout=0.1)
                    return
                except queue.Full:
                    pass

        def on_sample(sink, side):
            sample = sink.emit("pull-sample")
            if sample is None:
                return Gst.FlowReturn.EOS
            if state["stop"]:
                return Gst.FlowReturn.FLUSHING
            buf = sample.get_buffer()
            seg = sample.get_segment()
            rt = seg.to_running_time(Gst.Format.TIME, buf.pts)
            rt = None if rt == Gst.CLOCK_TIME_NONE or buf.pts == Gst.CLOCK_TIME_NONE else rt
            with lock:
                if side == HR:
                    seq = state["hr_frames"]
                    state["hr_frames"] += 1
                    # every-n needs the record, on the LR side: keep the HR
                    item = (seq, sample)
                else:
                    item = sample
                partner = pairing.offer(side, rt, item)
                if partner is None:
                    return Gst.FlowReturn.OK
                (seq, hs), ls = (item, partner) if side == HR else (partner, item)
                try:
                    pairs = self._pair(hs, ls, seq, stem, shown, converter)
                except Exception as e:  # noqa: BLE001 -- reported to the iterator
                    state["error"] = e
                    put(None)
                    return Gst.FlowReturn.ERROR
                for p in pairs:
                    put(p)
            return Gst.FlowReturn.OK

        def on_eos(sink, side):
            with lock:
                pairing.end(side)

        for side, sink in enumerate(sinks):
            sink.connect("new-sample", on_sample, side)
            sink.connect("eos", on_eos, side)
        bus = pipeline.get_bus()
        self.skipped_filtered = 0
        pipeline.set_state(Gst.State.PLAYING)
        try:
            while True:
                try:
                    item = out.get(timeout=0.05)
                except queue.Empty:
                    item = False
                if item is None:
                    raise state["error"]
                if item is not False:
                    yield item
                    continue
                msg = bus.pop_filtered(Gst.MessageType.ERROR | Gst.MessageType.EOS)
                if msg is None:
                    continue
                if msg.type == Gst.MessageType.ERROR:
                    err, debug = msg.parse_error()
                    raise PairingError("%s: %s (%s)" % (source, err.message, debug))
                # EOS: every sample has been handled; what is queued is the rest.
                while True:
                    try:
                        item = out.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        raise state["error"]
                    yield item
                break
        finally:
            state["stop"] = True
            pipeline.set_state(Gst.State.NULL)
            self.unmatched = pairing.unmatched

    def _pair(self, hs, ls, seq, stem, source, converter):
        """handle_pair: the pairs (maybe none) of one matched HR / LR."""
        meta = ls.get_buffer().get_custom_meta(RECORD_META)
        record = meta.get_structure() if meta is not None else None
        frame = seq
        f = _structure_get_u64(record, "frame")
        if f is not None:
            frame = f
        if frame % self.every_n != 0:
            return []
        params_json = record_to_json(converter, record) if record is not None else None
        return self._frame_pairs(_frame_array(hs), _frame_array(ls), record, frame, stem,
                                 params_json, source)

    def __iter__(self):
        wi = torch.utils.data.get_worker_info()
        sources = self.sources if wi is None else self.sources[wi.id::wi.num_workers]
        for s in sources:
            yield from self.iter_source(s)


class GstSrPairedDataset(torch.utils.data.Dataset):
    """GstSrPairs behind BasicSR's dataset interface: built from an option
    dict, map-style with a nominal length (BasicSR's EnlargedSampler and
    its iteration count need one), and returning BasicSR's dict
    {lq, gt, lq_path, gt_path} with float CHW tensors in 0..1, as
    PairedImageDataset does. The index is ignored: each item is the next
    pair of this process's stream (a DataLoader worker streams its own
    inputs, i, i+W, ...), which starts over at its end. Register it with
    `DATASET_REGISTRY.register()(GstSrPairedDataset)` (docs/embedding.md).

    Options: sources (list), chain (string), num_pairs (the nominal
    length), gt_size (patch size; 0 or absent: whole frames),
    patches_per_frame, every_n, min_std, min_laplacian_var, seed,
    use_hflip / use_rot (BasicSR's augment, drawn from a generator seeded
    with seed and the worker, so a run repeats)."""

    def __init__(self, opt):
        super().__init__()
        self.opt = opt
        self.pairs = GstSrPairs(
            opt["sources"], opt["chain"], every_n=opt.get("every_n", 1),
            patch_size=opt.get("gt_size", 0) or 0,
            patches_per_frame=opt.get("patches_per_frame", 1),
            min_std=opt.get("min_std", 0.0), min_laplacian_var=opt.get("min_laplacian_var", 0.0),
            seed=opt.get("seed", 0), prefix=opt.get("prefix"), dtype=torch.float32,
            with_info=True)
        self.length = int(opt["num_pairs"])
        self._stream = None
        self._gen = None

    def __len__(self):
        return self.length

    def _next(self):
        for _ in range(2):
            if self._stream is None:
                self._stream = iter(self.pairs)
            try:
                return next(self._stream)
            except StopIteration:
                self._stream = None     # the shard ended: start it again
        raise RuntimeError("GstSrPairedDataset: the sources give no pairs")

    def __getitem__(self, index):
        hr, lr, params, info = self._next()
        if self.opt.get("use_hflip") or self.opt.get("use_rot"):
            if self._gen is None:
                wi = torch.utils.data.get_worker_info()
                self._gen = torch.Generator().manual_seed(
                    (int(self.opt.get("seed", 0)) * 1009 + (wi.id if wi else 0)) & M64 >> 1)
            draws = torch.rand(3, generator=self._gen)
            hflip = self.opt.get("use_hflip") and draws[0] < 0.5
            vflip = self.opt.get("use_rot") and draws[1] < 0.5
            rot90 = self.opt.get("use_rot") and draws[2] < 0.5
            for flag, fn in ((hflip, lambda t: t.flip(2)), (vflip, lambda t: t.flip(1)),
                             (rot90, lambda t: t.transpose(1, 2))):
                if flag:
                    hr, lr = fn(hr), fn(lr)
        return {"lq": lr.contiguous(), "gt": hr.contiguous(),
                "lq_path": info["name"], "gt_path": info["name"], "params": info["params_json"]}
