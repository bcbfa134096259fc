"""``ember.save`` / ``ember.load`` without pickle, and the safetensors format.

An ember checkpoint is a zip archive holding ``ember/manifest.json`` (the object tree as JSON:
dicts, OrderedDicts, lists, tuples, str, int, float, bool, None, complex, dtypes, Sizes, and
tensor references) and one ``ember/data/<n>`` entry per tensor (its raw little-endian bytes;
dtype and shape are in the manifest). A tensor object that appears several times is stored once
and loads as one object; distinct views of one storage are stored (and load) as separate copies.
Loading such a checkpoint only parses JSON and copies bytes into arrays: nothing in the file
can run code.

Any other object (a whole ``nn.Module``, as ``torch.save(model, f)`` in PyTorch's examples, or a
custom class) is pickled into ``ember/data.pkl`` beside the manifest, as PyTorch does. As in
PyTorch 2.6+, ``load`` refuses to unpickle it unless the caller passes ``weights_only=False``
(unpickling can run arbitrary code), raising ``pickle.UnpicklingError``.

This differs from PyTorch on purpose: ``ember.load`` refuses files written by ``torch.save``
(``pickle.UnpicklingError``) instead of unpickling them. To move
weights between ember and PyTorch use safetensors: ``ember.save(sd, "w.safetensors")`` (or
``save_safetensors``) writes the published format (an 8-byte little-endian header length, a
JSON header of ``{name: {dtype, shape, data_offsets}}`` and the raw buffers), which the
``safetensors`` package and ``torch.frombuffer`` read, and ``load_safetensors`` reads theirs.

Example::

    ember.save({"model": model.state_dict(), "optim": opt.state_dict(), "epoch": 3}, "ck.pt")
    ck = ember.load("ck.pt")
"""

from __future__ import annotations

import io
import json
import math
import os
import pickle
import struct
import zipfile
from collections import OrderedDict

import numpy as np

from . import dtypes as _dt
from .tensor import Size, Tensor

__all__ = ["load", "load_file", "load_safetensors", "save", "save_file", "save_safetensors"]

_FORMAT = "ember-checkpoint"
_VERSION = 1
_MANIFEST = "ember/manifest.json"
_PICKLE = "ember/data.pkl"


class _NotATree(TypeError):
    """An object the JSON tree cannot hold: ``save`` pickles the whole object instead."""


# ----- the object tree <-> JSON -------------------------------------------------------------


class _Writer:
    def __init__(self):
        self.arrays: list = []
        self.ids: dict[int, int] = {}
        self.keep: list = []  # keeps saved tensors alive so ids stay unique while saving

    def tensor(self, t: Tensor):
        ref = self.ids.get(id(t))
        if ref is None:
            ref = self.ids[id(t)] = len(self.arrays)
            self.arrays.append(np.asarray(t._data))
            self.keep.append(t)
        out = {"__tensor__": ref, "dtype": t.dtype.name, "shape": list(t._data.shape)}
        if t._requires_grad:
            out["requires_grad"] = True
        if type(t).__name__ == "Parameter":
            out["parameter"] = True
        return out

    def encode(self, obj):
        if obj is None or isinstance(obj, (bool, str)):
            return obj
        if isinstance(obj, int):
            return int(obj)
        if isinstance(obj, float):
            if math.isfinite(obj):
                return float(obj)
            return {"__float__": repr(float(obj))}
        if isinstance(obj, Tensor):
            return self.tensor(obj)
        if isinstance(obj, Size):
            return {"__size__": list(obj)}
        if isinstance(obj, _dt.dtype):
            return {"__dtype__": obj.name}
        if isinstance(obj, complex):
            return {"__complex__": [self.encode(obj.real), self.encode(obj.imag)]}
        if isinstance(obj, (np.integer, np.floating, np.bool_)):
            return self.encode(obj.item())
        if isinstance(obj, (bytes, bytearray)):
            return {"__bytes__": bytes(obj).hex()}
        if isinstance(obj, OrderedDict):
            return {"__odict__": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        if isinstance(obj, dict):
            return {"__dict__": [[self.encode(k), self.encode(v)] for k, v in obj.items()]}
        if isinstance(obj, tuple) and not hasattr(obj, "_fields"):
            return {"__tuple__": [self.encode(v) for v in obj]}
        if isinstance(obj, list):
            return [self.encode(v) for v in obj]
        raise _NotATree(
            f"ember.save: cannot save an object of type {type(obj).__module__}."
            f"{type(obj).__qualname__}; only tensors, dicts, lists, tuples, str, int, float, "
            "bool and None are saved without pickle."
        )


def _corrupt(msg):
    return RuntimeError(f"ember.load: corrupt checkpoint: {msg}")


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, map_location):
        self.zf = zf
        self.map_location = map_location
        self.cache: dict[int, Tensor] = {}

    def tensor(self, d):
        ref = d["__tensor__"]
        if not isinstance(ref, int):
            raise _corrupt("bad tensor reference")
        t = self.cache.get(ref)
        if t is None:
            name = d["dtype"]
            dt = _dt._NAMES.get(name) if isinstance(name, str) else None
            if dt is None:
                raise _corrupt(f"unknown dtype {name!r}")
            shape = tuple(int(s) for s in d["shape"])
            try:
                raw = self.zf.read(f"ember/data/{ref}")
            except KeyError:
                raise _corrupt(f"missing data for tensor {ref}") from None
            np_dtype = dt.np.newbyteorder("<") if dt.np.itemsize > 1 else dt.np
            count = math.prod(shape)
            if len(raw) != count * dt.np.itemsize:
                raise _corrupt(
                    f"tensor {ref} has {len(raw)} bytes, expected {count * dt.np.itemsize}"
                )
            arr = np.frombuffer(raw, dtype=np_dtype, count=count).astype(dt.np).reshape(shape)
            t = Tensor._make(arr)
            t = _apply_map_location(t, self.map_location)
            if d.get("parameter"):
                from .nn.parameter import Parameter

                t = Parameter(t, requires_grad=bool(d.get("requires_grad", False)))
            elif d.get("requires_grad"):
                t.requires_grad_(True)
            self.cache[ref] = t
        return t

    def decode(self, obj):
        if obj is None or isinstance(obj, (bool, int, float, str)):
            return obj
        if isinstance(obj, list):
            return [self.decode(v) for v in obj]
        if not isinstance(obj, dict) or len(obj) == 0:
            raise _corrupt("unexpected JSON value")
        if "__tensor__" in obj:
            return self.tensor(obj)
        ((tag, val),) = list(obj.items())[:1]
        if tag == "__dict__":
            return {self.decode(k): self.decode(v) for k, v in val}
        if tag == "__odict__":
            return OrderedDict((self.decode(k), self.decode(v)) for k, v in val)
        if tag == "__tuple__":
            return tuple(self.decode(v) for v in val)
        if tag == "__float__":
            return float(val)
        if tag == "__size__":
            return Size(int(v) for v in val)
        if tag == "__dtype__":
            return _dt._NAMES[val]
        if tag == "__complex__":
            return complex(self.decode(val[0]), self.decode(val[1]))
        if tag == "__bytes__":
            return bytes.fromhex(val)
        raise _corrupt(f"unknown tag {tag!r}")


def _apply_map_location(t, map_location):
    if map_location is None:
        return t
    if callable(map_location):
        out = map_location(t, "cpu")
        return out if isinstance(out, Tensor) else t
    if isinstance(map_location, dict):
        map_location = map_location.get("cpu", "cpu")
    from .backend import xp_for_device
    from .device import device

    xp_for_device(device(map_location) if isinstance(map_location, str) else map_location)
    return t


def _map_pickled(obj, map_location):
    """Every ember tensor lives on the CPU: only check that ``map_location`` names a device
    this ember can use (a callable is left alone)."""
    if not callable(map_location):
        _apply_map_location(None, map_location)
    return obj


# ----- save / load --------------------------------------------------------------------------


def _is_safetensors_path(f):
    return isinstance(f, (str, os.PathLike)) and os.fspath(f).endswith(".safetensors")


def save(
    obj,
    f,
    pickle_module=None,
    pickle_protocol=None,
    _use_new_zipfile_serialization=True,
    _disable_byteorder_record=False,
) -> None:
    """Save ``obj`` (tensors in nested dicts/lists/tuples with plain values) to the path or
    binary file ``f``, in ember's pickle-free zip format; a path ending in ``.safetensors``
    writes a flat ``{name: tensor}`` dict in the safetensors format instead.

    Any other object (an ``nn.Module``, a NumPy array, a custom class) is pickled, with
    ``pickle_module`` (default ``pickle``) and ``pickle_protocol``, as PyTorch does; ``load``
    then needs ``weights_only=False``.
    """
    if _is_safetensors_path(f):
        save_safetensors(obj, f)
        return
    w = _Writer()
    pickled = None
    try:
        head = {"format": _FORMAT, "version": _VERSION, "object": w.encode(obj)}
    except _NotATree:
        w = _Writer()
        pm = pickle if pickle_module is None else pickle_module
        pickled = pm.dumps(obj, protocol=2 if pickle_protocol is None else pickle_protocol)
        head = {"format": _FORMAT, "version": _VERSION, "pickled": True}
    manifest = json.dumps(head, allow_nan=False).encode()
    own = isinstance(f, (str, os.PathLike))
    fh = open(f, "wb") if own else f
    try:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_STORED) as zf:
            zf.writestr(_MANIFEST, manifest)
            if pickled is not None:
                zf.writestr(_PICKLE, pickled)
            for i, arr in enumerate(w.arrays):
                zf.writestr(f"ember/data/{i}", _le_bytes(arr))
    finally:
        if own:
            fh.close()


def _le_bytes(arr) -> bytes:
    a = np.ascontiguousarray(arr)
    if a.dtype.itemsize > 1 and a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return a.tobytes()


def _not_ember(what: str):
    return pickle.UnpicklingError(
        f"ember.load: {what}. ember only loads checkpoints written by ember.save (a zip with "
        "ember/manifest.json) and never unpickles; to bring PyTorch weights in, save them with "
        "safetensors and use ember.load('x.safetensors') / load_safetensors."
    )


def load(
    f, map_location=None, pickle_module=None, *, weights_only=None, mmap=None, **pickle_load_args
):
    """Load what ``save`` wrote from a path, a binary file or bytes; paths ending in
    ``.safetensors`` are read as safetensors.

    ``map_location`` may be None, 'cpu', a device, a dict or a callable. A checkpoint of plain
    containers never runs code, whatever ``weights_only`` says; one holding a pickled object
    (``save`` of an ``nn.Module``, say) loads only with ``weights_only=False``, as in PyTorch. A file that is not an ember
    checkpoint (for example one written by ``torch.save``) raises ``pickle.UnpicklingError``;
    a damaged ember checkpoint raises ``RuntimeError``.
    """
    if _is_safetensors_path(f):
        return load_safetensors(f)
    if isinstance(f, (bytes, bytearray)):
        f = io.BytesIO(f)
    own = isinstance(f, (str, os.PathLike))
    fh = open(f, "rb") if own else f
    try:
        start = fh.tell() if fh.seekable() else 0
        head = fh.read(8)
        fh.seek(start)
        if head[:2] == b"\x80\x02" or head[:1] == b"\x80":
            raise _not_ember("this is a pickle file (a legacy torch.save)")
        if head[:4] != b"PK\x03\x04":
            n = struct.unpack("<Q", head)[0] if len(head) == 8 else None
            if n is not None and 0 < n < 100_000_000:
                fh.seek(start + 8)
                if fh.read(1) == b"{":
                    raise _not_ember(
                        "this looks like a safetensors file; use a path ending in "
                        ".safetensors or load_safetensors"
                    )
            raise _not_ember("not a zip archive (invalid load key)")
        try:
            zf = zipfile.ZipFile(fh)
        except zipfile.BadZipFile as e:
            raise RuntimeError(
                "ember.load: PytorchStreamReader failed reading zip archive: " + str(e)
            ) from None
        with zf:
            names = zf.namelist()
            if _MANIFEST not in names:
                if any(n.endswith("data.pkl") for n in names):
                    raise _not_ember("this is a torch.save zip archive, whose data.pkl is a pickle")
                raise _not_ember("the zip archive has no ember/manifest.json")
            try:
                manifest = json.loads(zf.read(_MANIFEST))
            except (ValueError, zipfile.BadZipFile, OSError) as e:
                raise _corrupt(f"unreadable manifest ({e})") from None
            if not isinstance(manifest, dict) or manifest.get("format") != _FORMAT:
                raise _corrupt("manifest is not an ember checkpoint manifest")
            if manifest.get("version", 0) > _VERSION:
                raise RuntimeError(
                    f"ember.load: checkpoint version {manifest['version']} is "
                    f"newer than this ember supports ({_VERSION})"
                )
            if manifest.get("pickled"):
                if weights_only is not False:
                    raise pickle.UnpicklingError(
                        "Weights only load failed. This file holds a pickled Python object "
                        "(saved from something other than tensors in plain containers, e.g. a "
                        "whole nn.Module); unpickling can run arbitrary code. If you trust its "
                        "source, re-run ember.load with weights_only=False."
                    )
                pm = pickle if pickle_module is None else pickle_module
                obj = pm.loads(zf.read(_PICKLE), **pickle_load_args)
                return obj if map_location is None else _map_pickled(obj, map_location)
            try:
                return _Reader(zf, map_location).decode(manifest["object"])
            except (KeyError, TypeError, ValueError) as e:
                raise _corrupt(f"malformed manifest ({type(e).__name__}: {e})") from None
            except zipfile.BadZipFile as e:
                raise _corrupt(str(e)) from None
    finally:
        if own:
            fh.close()


# ----- safetensors --------------------------------------------------------------------------

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
    "C128": "complex128",
}
_ST_CODES = {v: k for k, v in _ST_DTYPES.items()}


def save_safetensors(tensors: dict, filename, metadata: dict | None = None) -> None:
    """Write a flat ``{name: tensor}`` dict in the safetensors format (``filename`` may also be
    a binary file object). ``metadata`` is an optional ``{str: str}`` dict.

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
    own = isinstance(filename, (str, os.PathLike))
    fh = open(filename, "wb") if own else filename
    try:
        fh.write(struct.pack("<Q", len(hb)))
        fh.write(hb)
        for raw in buffers:
            fh.write(raw)
    finally:
        if own:
            fh.close()


def load_safetensors(filename, device="cpu", *, return_metadata: bool = False):
    """Read a safetensors file (path, binary file or bytes) into ``{name: tensor}`` (in file
    order); with ``return_metadata`` also return its ``__metadata__`` dict (or None).

    A malformed file raises ``RuntimeError`` (safetensors' own error type is an exception
    whose message starts with ``Error while deserializing header``; ember keeps that text).
    """
    if isinstance(filename, (bytes, bytearray)):
        data = bytes(filename)
    elif isinstance(filename, (str, os.PathLike)):
        with open(filename, "rb") as fh:
            data = fh.read()
    else:
        data = filename.read()

    def bad(msg):
        return RuntimeError(f"Error while deserializing header: {msg}")

    if len(data) < 8:
        raise bad("HeaderTooSmall")
    n = struct.unpack("<Q", data[:8])[0]
    if n > len(data) - 8:
        raise bad("InvalidHeaderLength")
    try:
        header = json.loads(data[8 : 8 + n].decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise bad("InvalidHeaderDeserialization") from None
    if not isinstance(header, dict):
        raise bad("InvalidHeaderDeserialization")
    metadata = header.pop("__metadata__", None)
    buf = memoryview(data)[8 + n :]
    out: dict = {}
    spans = []
    for name, info in header.items():
        try:
            dt = _dt._NAMES.get(_ST_DTYPES[info["dtype"]])
            shape = tuple(int(s) for s in info["shape"])
            begin, end = (int(v) for v in info["data_offsets"])
        except (KeyError, TypeError, ValueError):
            raise bad(f"InvalidHeaderDeserialization (tensor {name!r})") from None
        if dt is None:
            raise bad(f"dtype {info['dtype']} is not available (tensor {name!r})")
        count = math.prod(shape)
        if end < begin or end > len(buf) or end - begin != count * dt.np.itemsize:
            raise bad(f"TensorInvalidInfo (tensor {name!r})")
        spans.append((begin, end))
        np_dtype = dt.np.newbyteorder("<") if dt.np.itemsize > 1 else dt.np
        arr = np.frombuffer(buf[begin:end], dtype=np_dtype, count=count).astype(dt.np)
        out[name] = Tensor._make(arr.reshape(shape))
    spans.sort()
    pos = 0
    for b, e in spans:
        if b != pos:
            raise bad("MetadataIncompleteBuffer")
        pos = e
    if pos != len(buf):
        raise bad("MetadataIncompleteBuffer")
    if device not in (None, "cpu") and str(device) != "cpu":
        from .backend import xp_for_device
        from .device import device as _device

        xp_for_device(_device(device))
    return (out, metadata) if return_metadata else out


# the safetensors package's names, for code written against ``safetensors.torch``
save_file = save_safetensors


def load_file(filename, device="cpu"):
    return load_safetensors(filename, device)
