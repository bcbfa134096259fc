"""The safetensors format: an 8-byte little-endian header length, a JSON header
``{name: {"dtype", "shape", "data_offsets"}, "__metadata__": {str: str}}`` and the raw
little-endian buffers, back to back.

The reader validates a header exactly as the ``safetensors`` package (0.8) does, and raises
``SafetensorError`` (a ``RuntimeError``) with the package's messages: the header length is
at most 100,000,000 bytes and inside the file; the header is UTF-8 JSON with strictly typed
fields (a shape is a list of non-negative integers, so ``[3.5]``, ``"3"``, ``[-1]`` and
``[true]`` are rejected; ``data_offsets`` is exactly two non-negative integers); dtypes are the
format's names; sorted by offset, the tensors tile the buffer with no gap or overlap, each
exactly ``prod(shape) * itemsize`` bytes (sizes that overflow 64 bits are rejected), and
together cover the whole file.
"""

from __future__ import annotations

import json
import math
import os
import struct

import numpy as np

from .. import dtypes as _dt
from ..tensor import Tensor

_MAX_HEADER = 100_000_000
_USIZE_MAX = 2**64 - 1

# the format's dtype names; those ember has no dtype for are recognised (valid files) but
# cannot be loaded
_ST_DTYPES = {
    "BOOL": "bool",
    "U8": "uint8",
    "I8": "int8",
    "I16": "int16",
    "I32": "int32",
    "I64": "int64",
    "F16": "float16",
    "BF16": "bfloat16",
    "F32": "float32",
    "F64": "float64",
    "C64": "complex64",
    "U16": None,
    "U32": None,
    "U64": None,
    "F4": None,
    "F6_E2M3": None,
    "F6_E3M2": None,
    "F8_E5M2": None,
    "F8_E4M3": None,
    "F8_E8M0": None,
    "F8_E4M3FNUZ": None,
    "F8_E5M2FNUZ": None,
}
_ST_BITS = {
    "BOOL": 8,
    "U8": 8,
    "I8": 8,
    "I16": 16,
    "I32": 32,
    "I64": 64,
    "F16": 16,
    "BF16": 16,
    "F32": 32,
    "F64": 64,
    "C64": 64,
    "U16": 16,
    "U32": 32,
    "U64": 64,
    "F4": 4,
    "F6_E2M3": 6,
    "F6_E3M2": 6,
    "F8_E5M2": 8,
    "F8_E4M3": 8,
    "F8_E8M0": 8,
    "F8_E4M3FNUZ": 8,
    "F8_E5M2FNUZ": 8,
}
_ST_CODES = {v: k for k, v in _ST_DTYPES.items() if v is not None}


class SafetensorError(RuntimeError):
    """A malformed safetensors file (the ``safetensors`` package's ``SafetensorError``)."""


def _bad(msg):
    return SafetensorError(f"Error while deserializing: {msg}")


def _le_bytes(arr):
    a = np.ascontiguousarray(arr)
    if a.dtype.itemsize > 1 and a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return a.reshape(-1).view(np.uint8) if a.size else b""


def save_safetensors(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write a flat ``{name: tensor}`` dict in the safetensors format (``filename`` may also
    be a binary file object). ``metadata`` is an optional ``{str: str}`` dict.

    Example::

        save_safetensors(model.state_dict(), "model.safetensors")
    """
    if not isinstance(tensors, dict):
        raise ValueError("safetensors can only store a flat dict of {name: tensor}")
    header: dict = {}
    if metadata is not None:
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
            raise ValueError("safetensors metadata must be a dict of str to str")
        header["__metadata__"] = dict(metadata)
    buffers, offset = [], 0
    for name, t in tensors.items():
        if not isinstance(name, str):
            raise ValueError(f"safetensors keys must be str, got {type(name).__name__}")
        if not isinstance(t, Tensor):
            raise ValueError(
                f"safetensors can only store tensors, but {name!r} is a {type(t).__name__}"
            )
        code = _ST_CODES.get(t.dtype.name)
        if code is None:
            raise ValueError(f"safetensors has no code for dtype {t.dtype}")
        raw = _le_bytes(t._data)
        header[name] = {
            "dtype": code,
            "shape": list(t._data.shape),
            "data_offsets": [offset, offset + len(raw)],
        }
        buffers.append(raw)
        offset += len(raw)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)  # the spec's recommended 8-byte alignment of the buffers
    if isinstance(filename, (str, os.PathLike)):
        from ._zip import atomic_write

        with atomic_write(filename) as fh:
            _write(fh, hb, buffers)
    else:
        _write(filename, hb, buffers)


def _write(fh, hb, buffers):
    fh.write(struct.pack("<Q", len(hb)))
    fh.write(hb)
    for raw in buffers:
        fh.write(raw)


def _usize(v) -> bool:
    return type(v) is int and 0 <= v <= _USIZE_MAX


def _parse_info(name, info):
    if not isinstance(info, dict):
        raise _bad(f"invalid JSON in header: invalid type for tensor `{name}`, expected a map")
    for field in ("dtype", "shape", "data_offsets"):
        if field not in info:
            raise _bad(f"invalid JSON in header: missing field `{field}`")
    code = info["dtype"]
    if not isinstance(code, str) or code not in _ST_DTYPES:
        raise _bad(f"invalid JSON in header: unknown variant `{code}`")
    shape = info["shape"]
    if not isinstance(shape, list):
        raise _bad(f"invalid JSON in header: invalid type: {shape!r:.40}, expected a sequence")
    for v in shape:
        if not _usize(v):
            raise _bad(f"invalid JSON in header: invalid value: {v!r:.40}, expected usize")
    offs = info["data_offsets"]
    if not isinstance(offs, list):
        raise _bad(f"invalid JSON in header: invalid type: {offs!r:.40}, expected a sequence")
    if len(offs) != 2:
        raise _bad(f"invalid JSON in header: invalid length {len(offs)}, expected 2 elements")
    for v in offs:
        if not _usize(v):
            raise _bad(f"invalid JSON in header: invalid value: {v!r:.40}, expected usize")
    return code, shape, offs


def _read_all(filename) -> bytes:
    if isinstance(filename, (bytes, bytearray, memoryview)):
        return bytes(filename)
    if isinstance(filename, (str, os.PathLike)):
        with open(filename, "rb") as fh:
            return fh.read()
    return filename.read()


def load_safetensors(filename, device="cpu", *, return_metadata: bool = False):
    """Read a safetensors file (path, binary file or bytes) into ``{name: tensor}`` (in file
    order); with ``return_metadata`` also return its ``__metadata__`` dict (or None).

    A malformed file raises ``SafetensorError`` (a ``RuntimeError``) with the message the
    ``safetensors`` package gives.
    """
    data = _read_all(filename)
    if len(data) < 8:
        raise _bad("header too small")
    n = struct.unpack("<Q", data[:8])[0]
    if n > _MAX_HEADER:
        raise _bad("header too large")
    if n > len(data) - 8:
        raise _bad("invalid header length")
    try:
        text = data[8 : 8 + n].decode("utf-8")
    except UnicodeDecodeError as e:
        raise _bad(f"invalid UTF-8 in header: {e}") from None
    try:
        header = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise _bad(f"invalid JSON in header: {e}") from None
    if not isinstance(header, dict):
        raise _bad("invalid JSON in header: invalid type, expected struct HashMetadata")
    metadata = header.pop("__metadata__", None)
    if metadata is not None:
        if not isinstance(metadata, dict) or not all(isinstance(v, str) for v in metadata.values()):
            raise _bad("invalid JSON in header: __metadata__ must be a map of strings")
    infos = [(name, *_parse_info(name, info)) for name, info in header.items()]
    buf_len = len(data) - 8 - n
    start = 0
    for name, code, shape, (b, e) in sorted(infos, key=lambda r: (r[3], r[0])):
        if b != start or e < b:
            raise _bad(f"invalid offset for tensor `{name}`")
        start = e
        count = math.prod(shape)
        if count > _USIZE_MAX or count * _ST_BITS[code] > _USIZE_MAX:
            raise _bad("overflow computing buffer size from shape and/or element type")
        nbits = count * _ST_BITS[code]
        if nbits % 8 or e - b != nbits // 8:
            raise _bad("invalid shape, data type, or offset for tensor")
    if start != buf_len:
        raise _bad("incomplete metadata, file not fully covered")
    out: dict = {}
    for name, code, shape, (b, e) in infos:
        dt = _dt._NAMES.get(_ST_DTYPES[code] or "")
        if dt is None:
            raise SafetensorError(f"tensor `{name}` has dtype {code}, which ember has no dtype for")
        np_dtype = dt.np.newbyteorder("<") if dt.np.itemsize > 1 else dt.np
        arr = np.frombuffer(data, dtype=np_dtype, count=math.prod(shape), offset=8 + n + b)
        out[name] = Tensor._make(arr.astype(dt.np).reshape(shape))
    if device not in (None, "cpu") and str(device) != "cpu":
        from ..backend import xp_for_device
        from ..device import device as _device

        xp_for_device(_device(device))
    return (out, metadata) if return_metadata else out


def _reject_constant(name):
    raise ValueError(f"invalid number {name}")


# the safetensors package's names, for code written against ``safetensors.torch``
save_file = save_safetensors


def load_file(filename, device="cpu"):
    """``safetensors.torch.load_file``: ``{name: tensor}`` from a safetensors file."""
    return load_safetensors(filename, device)
