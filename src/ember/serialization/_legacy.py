"""Reading PyTorch's legacy checkpoint format (``torch.save(..., _use_new_zipfile_serialization
=False)``, and every ``torch.save`` before PyTorch 1.6).

The file is a sequence of pickles: a magic number, the protocol version (1001), a sys-info
dict, the object itself (storages as persistent ids ``('storage', type, key, location, numel,
view_metadata)``), the sorted list of storage keys; then, per key, an int64 element count and
the storage's raw bytes. Storages are allocated when the object's pickle names them, after
their declared size is checked against what is left of the file, and filled afterwards.
"""

from __future__ import annotations

import pickle
import struct

import numpy as np

from . import _rebuild
from ._torch_format import _ascii, _check_location, _storage_dtype
from ._unpickler import FullUnpickler, WeightsUnpickler

MAGIC_NUMBER = 0x1950A86A20F9469CFC6C
PROTOCOL_VERSION = 1001


def _remaining(fh):
    here = fh.tell()
    fh.seek(0, 2)
    end = fh.tell()
    fh.seek(here)
    return end - here


def load_legacy(fh, map_location, weights_only, pickle_module, load_args):
    pm = pickle if pickle_module is None else pickle_module

    def unpickler(persistent_load=None):
        if weights_only:
            return WeightsUnpickler(fh, persistent_load or _no_persistent)
        if pm is pickle:
            return FullUnpickler(fh, persistent_load or _no_persistent, **load_args)
        up = pm.Unpickler(fh, **load_args)
        if persistent_load is not None:
            up.persistent_load = persistent_load
        return up

    try:
        magic = unpickler().load()
    except EOFError:
        raise pickle.UnpicklingError("Ran out of input: the file is empty or truncated") from None
    if magic != MAGIC_NUMBER:
        raise pickle.UnpicklingError(
            "invalid load key: this is neither a torch.save zip archive nor a legacy "
            "torch.save file"
        )
    if unpickler().load() != PROTOCOL_VERSION:
        raise RuntimeError("Invalid protocol version in legacy checkpoint")
    sys_info = unpickler().load()
    little = not (isinstance(sys_info, dict) and sys_info.get("little_endian") is False)
    storages: dict = {}

    def persistent_load(pid):
        if not isinstance(pid, tuple) or not pid:
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r:.80}")
        if _ascii(pid[0]) == "module" and not weights_only:
            return pid[1]
        if _ascii(pid[0]) != "storage" or len(pid) != 6:
            raise pickle.UnpicklingError("Only persistent_load of storage is allowed")
        _, storage_type, key, location, numel, view_metadata = pid
        dtype = _storage_dtype(storage_type)
        key = _ascii(key)
        if type(key) is not str or type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError(f"invalid storage id {pid!r:.80}")
        st = storages.get(key)
        if st is None:
            if numel * dtype.itemsize > _remaining(fh):
                raise RuntimeError(
                    f"legacy checkpoint declares a storage of {numel * dtype.itemsize} bytes, "
                    "more than the file holds"
                )
            _check_location(_ascii(location), map_location)
            st = storages[key] = _rebuild.Storage(np.empty(numel, dtype.np), dtype, location)
        elif st.dtype is not dtype:
            raise pickle.UnpicklingError(f"storage {key} is loaded with two dtypes")
        if view_metadata is not None:
            if not (isinstance(view_metadata, tuple) and len(view_metadata) == 3):
                raise pickle.UnpicklingError("invalid storage view")
            _, offset, size = view_metadata
            if not (
                type(offset) is int
                and type(size) is int
                and 0 <= offset
                and offset + size <= st.size()
                and size >= 0
            ):
                raise RuntimeError("storage view is out of bounds")
            return _rebuild.Storage(st.array[offset : offset + size], dtype, st.location)
        return st

    result = unpickler(persistent_load).load()
    keys = unpickler().load()
    if not isinstance(keys, list) or set(map(_ascii, keys)) != set(storages):
        raise RuntimeError("legacy checkpoint: the storage key list does not match its pickle")
    for key in keys:
        st = storages[_ascii(key)]
        head = fh.read(8)
        if len(head) != 8:
            raise RuntimeError("legacy checkpoint is truncated")
        numel = struct.unpack("<q" if little else ">q", head)[0]
        if numel != st.size():
            raise RuntimeError(
                f"legacy checkpoint: storage {key} holds {numel} elements, expected {st.size()}"
            )
        raw = st.array.reshape(-1).view(np.uint8) if numel else np.zeros(0, np.uint8)
        got = fh.readinto(memoryview(raw)) if numel else 0
        if got != raw.size:
            raise RuntimeError("legacy checkpoint is truncated")
        if not little and st.dtype.itemsize > 1:
            st.array.byteswap(inplace=True)
    return result


def _no_persistent(pid):
    raise pickle.UnpicklingError("A load persistent id instruction was encountered")
