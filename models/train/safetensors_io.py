"""Minimal safetensors writer/reader (spec models.md 1.3), no external package.

File = u64 little-endian header length N, N bytes of UTF-8 JSON
{name: {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}
padded with spaces to a multiple of 8, then the raw little-endian C-order tensor data.
"""
import json
import os
import struct

import numpy as np
import torch

_DT = {  # safetensors dtype -> (torch dtype, little-endian numpy dtype)
    "F32": (torch.float32, "<f4"),
    "F16": (torch.float16, "<f2"),
    "F64": (torch.float64, "<f8"),
    "I64": (torch.int64, "<i8"),
    "I32": (torch.int32, "<i4"),
    "I16": (torch.int16, "<i2"),
    "I8": (torch.int8, "i1"),
    "U8": (torch.uint8, "u1"),
    "BOOL": (torch.bool, "?"),
}
_FROM_TORCH = {v[0]: k for k, v in _DT.items()}


def save_file(tensors, path, metadata=None, float32=True):
    """Write ``tensors`` (name -> torch.Tensor, insertion order kept) to ``path`` atomically.

    float32=True converts floating tensors to F32.  metadata: dict of str -> str.
    """
    header = {}
    if metadata:
        for k, v in metadata.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("safetensors metadata must map str to str")
        header["__metadata__"] = dict(metadata)
    blobs = []
    off = 0
    for name, t in tensors.items():
        if name == "__metadata__":
            raise ValueError("reserved tensor name")
        t = t.detach().cpu()
        if float32 and t.is_floating_point():
            t = t.to(torch.float32)
        if t.dtype not in _FROM_TORCH:
            raise TypeError(f"unsupported dtype {t.dtype} for {name}")
        dt = _FROM_TORCH[t.dtype]
        data = t.contiguous().numpy().astype(_DT[dt][1], copy=False).tobytes(order="C")
        header[name] = {"dtype": dt, "shape": list(t.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    hj = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hj += b" " * ((-len(hj)) % 8)
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(struct.pack("<Q", len(hj)))
        f.write(hj)
        for b in blobs:
            f.write(b)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def load_file(path):
    """Read a safetensors file; returns (dict name -> torch.Tensor, metadata dict).

    Applies the reference validation rules (contiguous, no holes, sizes match)."""
    with open(path, "rb") as f:
        raw = f.read()
    if len(raw) < 8:
        raise ValueError("file too short")
    (n,) = struct.unpack("<Q", raw[:8])
    if n > 100_000_000 or 8 + n > len(raw):
        raise ValueError("bad header length")
    header = json.loads(raw[8:8 + n].decode("utf-8"))
    meta = header.pop("__metadata__", {}) or {}
    buf = raw[8 + n:]
    entries = sorted(header.items(), key=lambda kv: kv[1]["data_offsets"])
    pos = 0
    out = {}
    for name, e in entries:
        tdt, ndt = _DT[e["dtype"]]
        b, en = e["data_offsets"]
        cnt = int(np.prod(e["shape"], dtype=np.int64)) if e["shape"] else 1
        if b != pos or en - b != cnt * np.dtype(ndt).itemsize:
            raise ValueError(f"bad data_offsets for {name}")
        pos = en
        arr = np.frombuffer(buf, dtype=ndt, count=cnt, offset=b).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.astype(arr.dtype.newbyteorder("="), copy=True))
    if pos != len(buf):
        raise ValueError("trailing bytes / holes in data buffer")
    # keep the file's header order
    ordered = {k: out[k] for k in header}
    return ordered, meta
