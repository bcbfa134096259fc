"""PyTorch's checkpoint format (``torch.save`` since 1.6), written and read by ember.

A checkpoint is a zip archive whose members all sit under one folder (``archive/`` for a
buffer, the file's stem for a path)::

    archive/data.pkl                 the object, pickled (protocol 2); each tensor is
                                     torch._utils._rebuild_tensor_v2(storage, offset, size,
                                     stride, requires_grad, OrderedDict()) and each storage a
                                     persistent id ('storage', torch.FloatStorage, key,
                                     'cpu', numel)
    archive/.format_version          "1"
    archive/.storage_alignment       "64"
    archive/byteorder                "little"
    archive/data/<key>               a storage's raw bytes, stored uncompressed, 64-byte aligned
    archive/version                  "3\\n"
    archive/.data/serialization_id   40 decimal digits

Tensors that are views of one NumPy buffer (``t`` and ``t.t()``, ``t[1]``) share one storage,
so they load as views of one storage, in ember and in PyTorch.
"""

from __future__ import annotations

import io
import pickle
import random

import numpy as np

from .. import dtypes as _dt
from ..device import device as _device
from ..tensor import Size, Tensor
from . import _map_location, _rebuild
from ._unpickler import FullUnpickler, WeightsUnpickler
from ._zip import Archive, ArchiveWriter, reader_error


class _EndiannessError(RuntimeError, ValueError):
    """PyTorch raises ValueError here; ember's bad-file errors are RuntimeErrors: both."""


class _Global:
    """A ``GLOBAL module name`` opcode to write, without importing ``module``."""

    def __init__(self, module: str, name: str):
        self.module, self.name = module, name

    def __call__(self, *args):  # pickle's save_reduce wants a callable; never called
        raise TypeError(f"{self.module}.{self.name} is a name to write, not to call")


_G = {}


def _g(module, name):
    key = (module, name)
    if key not in _G:
        _G[key] = _Global(module, name)
    return _G[key]


class _TorchPickler(pickle._Pickler):
    """Python's pickler with ember's tensors, Sizes, dtypes and devices written under
    PyTorch's names and storages as persistent ids."""

    def __init__(self, file, protocol, storages):
        super().__init__(file, protocol=protocol)
        self.storages = storages  # id(root array) -> (key, root, dtype name, numel)
        self.keep = []

    def save(self, obj, save_persistent_id=True):
        if isinstance(obj, _dt.dtype):
            obj = _g("torch", obj.name)
        if type(obj) is _Global:
            memo = self.memo.get(id(obj))
            if memo is not None:
                self.write(self.get(memo[0]))
                return
            self.write(pickle.GLOBAL + f"{obj.module}\n{obj.name}\n".encode())
            self.memoize(obj)
            return
        super().save(obj, save_persistent_id)

    def persistent_id(self, obj):
        if type(obj) is _StorageRef:
            return ("storage", _g("torch", obj.storage_name), obj.key, obj.location, obj.numel)
        return None

    def reducer_override(self, obj):
        if isinstance(obj, Tensor):
            return self._tensor(obj)
        if isinstance(obj, Size):
            return (_g("torch", "Size"), (tuple(int(v) for v in obj),))
        if isinstance(obj, _device):
            args = (obj.type,) if obj.index is None else (obj.type, obj.index)
            return (_g("torch", "device"), args)
        return NotImplemented

    def _tensor(self, t):
        from ..nn.parameter import Parameter

        ref, offset, size, stride = self._storage_of(t)
        self.keep.append(t)
        plain = (ref, offset, size, stride, bool(t._requires_grad), _EmptyOrderedDict())
        if isinstance(t, Parameter):
            inner = (_g("torch._utils", "_rebuild_tensor_v2"), plain[:4] + (False, plain[5]))
            return (
                _g("torch._utils", "_rebuild_parameter"),
                (_Reduced(inner), bool(t._requires_grad), _EmptyOrderedDict()),
            )
        return (_g("torch._utils", "_rebuild_tensor_v2"), plain)

    def _storage_of(self, t):
        arr = t._data
        location = "cpu"
        if type(arr) is not np.ndarray:  # a cuda tensor: its bytes from a host copy
            from ..backend import backend_of

            location = _map_location.location_of(arr)
            arr = backend_of(arr).to_host(arr)
        dtype = t.dtype
        storage_name = _rebuild.STORAGE_OF_DTYPE.get(dtype.name)
        if storage_name is None:
            raise pickle.PicklingError(f"ember.save: no PyTorch storage type for {dtype}")
        itemsize = arr.itemsize
        root = arr
        while isinstance(root.base, np.ndarray):
            root = root.base
        block = owner = None
        if root.dtype == arr.dtype and root.dtype.byteorder in "=|<":
            if root.flags.c_contiguous:
                block = owner = root
            elif root.flags.f_contiguous:
                block, owner = root.T, root
        offset = None
        if block is not None and arr.size:
            delta = arr.__array_interface__["data"][0] - block.__array_interface__["data"][0]
            strides = arr.strides
            if (
                delta >= 0
                and delta % itemsize == 0
                and all(s >= 0 and s % itemsize == 0 for s in strides)
            ):
                offset = delta // itemsize
                stride = tuple(s // itemsize for s in strides)
                last = offset + sum((n - 1) * s for n, s in zip(arr.shape, stride))
                if last >= block.size:
                    offset = None
        if offset is None:
            # a view this layout cannot describe (negative strides, a byte-swapped or
            # differently typed base): save its own contiguous copy
            block = owner = np.ascontiguousarray(arr).astype(
                arr.dtype.newbyteorder("="), copy=False
            )
            offset = 0
            stride = tuple(s // itemsize for s in block.strides)
        entry = self.storages.get(id(owner))
        if entry is None:
            entry = _StorageRef(str(len(self.storages)), owner, block, storage_name, location)
            self.storages[id(owner)] = entry
        return entry, offset, tuple(int(n) for n in arr.shape), stride


class _StorageRef:
    def __init__(self, key, owner, block, storage_name, location="cpu"):
        self.key = key
        self.location = location
        self.owner = owner  # keeps id(owner) unique while saving
        self.block = block
        self.storage_name = storage_name
        self.numel = int(block.size)

    def raw(self):
        flat = self.block.reshape(-1)
        return flat.view(np.uint8) if flat.size else np.zeros(0, np.uint8)


class _EmptyOrderedDict:
    """``OrderedDict()`` (a tensor's backward hooks), written as PyTorch writes it."""

    def __reduce__(self):
        return (_g("collections", "OrderedDict"), ())


class _Reduced:
    """A nested reduce value (a Parameter's inner tensor)."""

    def __init__(self, rv):
        self.rv = rv

    def __reduce__(self):
        return self.rv


def save_torch_zip(obj, fh, prefix, pickle_module=None, pickle_protocol=2):
    """Write ``obj`` to the binary file ``fh`` in torch.save's zip format."""
    storages: dict = {}
    buf = io.BytesIO()
    if pickle_module is not None and pickle_module is not pickle:
        raise RuntimeError("ember.save: only the standard pickle module can write PyTorch's format")
    _TorchPickler(buf, pickle_protocol, storages).dump(obj)
    w = ArchiveWriter(fh, prefix)
    try:
        w.write("data.pkl", buf.getvalue())
        w.write(".format_version", b"1")
        w.write(".storage_alignment", b"64")
        w.write("byteorder", b"little")
        for ref in storages.values():
            w.write(f"data/{ref.key}", ref.raw(), align=True)
        w.write("version", b"3\n")
        w.write(".data/serialization_id", str(random.getrandbits(128)).zfill(40)[:40].encode())
    except BaseException:
        w.abort()
        raise
    w.close()


def archive_prefix(archive: Archive):
    """The folder that holds data.pkl (PyTorch's reader takes the first record's folder)."""
    for name in archive.names:
        head, sep, rest = name.partition("/")
        if sep and rest == "data.pkl":
            return head
    return None


def load_torch_zip(
    archive: Archive, prefix, map_location, weights_only, pickle_module, mmap_path, load_args
):
    """Read a torch.save zip archive (from PyTorch or ember)."""
    if archive.has(f"{prefix}/byteorder"):
        order = archive.read_record(f"{prefix}/byteorder", limit=16)
        if order not in (b"little", b"big"):
            raise _EndiannessError("Unknown endianness type: " + order.decode("latin-1"))
    else:
        order = b"little"
    storages: dict = {}

    def persistent_load(pid):
        if not isinstance(pid, tuple) or len(pid) != 5:
            raise pickle.UnpicklingError(f"unsupported persistent id {pid!r:.80}")
        typename, storage_type, key, location, numel = pid
        if _ascii(typename) != "storage":
            raise pickle.UnpicklingError("Only persistent_load of storage is allowed")
        dtype = _storage_dtype(storage_type)
        key = _ascii(key)
        if type(key) is not str or not key or "/" in key or ".." in key:
            raise pickle.UnpicklingError(f"invalid storage key {key!r:.80}")
        if type(numel) is not int or numel < 0:
            raise pickle.UnpicklingError(f"invalid storage size {numel!r:.80}")
        st = storages.get(key)
        if st is None:
            nbytes = numel * dtype.itemsize
            raw = archive.read_array(f"{prefix}/data/{key}", nbytes, mmap_path)
            arr = raw.view(dtype.np) if nbytes else np.zeros(0, dtype.np)
            if order == b"big" and dtype.itemsize > 1:
                arr = arr.byteswap()
            st = _rebuild.Storage(arr, dtype, _ascii(location))
            if type(st.location) is not str:
                raise pickle.UnpicklingError(f"invalid storage location {location!r:.80}")
            st = storages[key] = _map_location.place(st, map_location)
        elif st.dtype is not dtype:
            raise pickle.UnpicklingError(f"storage {key} is loaded with two dtypes")
        return st

    data = io.BytesIO(archive.read_record(f"{prefix}/data.pkl"))
    if weights_only:
        result = WeightsUnpickler(data, persistent_load).load()
    else:
        pm = pickle if pickle_module is None else pickle_module
        if pm is pickle:
            result = FullUnpickler(data, persistent_load, **load_args).load()
        else:
            up = pm.Unpickler(data, **load_args)
            up.persistent_load = persistent_load
            result = up.load()
    return result


def _ascii(v):
    return v.decode("ascii") if isinstance(v, bytes) else v


def _storage_dtype(storage_type):
    if isinstance(storage_type, _rebuild.StorageType):
        return storage_type.dtype
    if isinstance(storage_type, _dt.dtype):
        return storage_type
    raise pickle.UnpicklingError(f"invalid storage type {storage_type!r:.80}")


def _check_location(location, map_location):
    if type(location) is not str:
        raise pickle.UnpicklingError(f"invalid storage location {location!r:.80}")
    if map_location is not None or location == "cpu":
        return
    if location.startswith("cuda"):
        from .. import cuda

        if not cuda.is_available():
            raise RuntimeError(
                "Attempting to deserialize object on a CUDA device but "
                "torch.cuda.is_available() is False. If you are running on a CPU-only machine, "
                "please use torch.load with map_location=torch.device('cpu') to map your "
                "storages to the CPU."
            )


__all__ = ["save_torch_zip", "load_torch_zip", "archive_prefix", "reader_error"]
