"""The objects PyTorch's checkpoints refer to, as ember builds them.

A ``torch.save`` pickle names ``torch._utils._rebuild_tensor_v2``, ``torch.FloatStorage``,
``torch.Size``, ``torch.float32``, ``collections.OrderedDict`` ...; the unpicklers map those
names to the functions here. A storage is a flat array of its dtype (loaded from
``<archive>/data/<key>``); a tensor is a strided view of it, so tensors that shared a storage
when saved share memory when loaded, as in PyTorch. Offsets, sizes and strides come from the
file and are checked against the storage before any view is made.
"""

from __future__ import annotations

import numpy as np

from .. import dtypes as _dt
from ..tensor import Size, Tensor

# torch's legacy storage class names <-> dtypes (torch.storage._dtype_to_storage_type_map)
STORAGE_NAMES = {
    "DoubleStorage": "float64",
    "FloatStorage": "float32",
    "HalfStorage": "float16",
    "BFloat16Storage": "bfloat16",
    "LongStorage": "int64",
    "IntStorage": "int32",
    "ShortStorage": "int16",
    "CharStorage": "int8",
    "ByteStorage": "uint8",
    "BoolStorage": "bool",
    "ComplexDoubleStorage": "complex128",
    "ComplexFloatStorage": "complex64",
}
STORAGE_OF_DTYPE = {v: k for k, v in STORAGE_NAMES.items()}


class StorageType:
    """What ``torch.FloatStorage`` etc. unpickle to: a marker carrying the dtype."""

    def __init__(self, name: str):
        dt = STORAGE_NAMES.get(name)
        if dt is None or dt not in _dt._NAMES:
            raise KeyError(name)
        self.name = name
        self.dtype = _dt._NAMES[dt]

    def __repr__(self):
        return f"StorageType(dtype={self.dtype})"


class Storage:
    """A loaded storage: the flat array a checkpoint's tensors are views of. ``location`` is
    where it was saved until ``map_location`` places it (``to``/``cuda``/``cpu``)."""

    __slots__ = ("array", "dtype", "location")

    def __init__(self, array: np.ndarray, dtype, location: str = "cpu"):
        self.array = array
        self.dtype = dtype
        self.location = location

    def size(self) -> int:
        return self.array.shape[0]

    def __len__(self):
        return self.array.shape[0]

    @property
    def device(self):
        from ..backend import device_of

        return device_of(self.array)

    @property
    def is_cuda(self) -> bool:
        return self.device.type == "cuda"

    def to(self, device=None, non_blocking=False):
        """This storage on ``device`` (itself when it is there)."""
        from ._map_location import location_of, move

        arr = move(self.array, device)
        return self if arr is self.array else Storage(arr, self.dtype, location_of(arr))

    def cuda(self, device=None, non_blocking=False):
        if device is None:
            device = "cuda"
        elif isinstance(device, int):
            device = f"cuda:{device}"
        return self.to(device)

    def cpu(self):
        return self.to("cpu")


def _ints(name, value, n=None):
    if not isinstance(value, (tuple, list)) or not all(
        type(v) is int or isinstance(v, np.integer) for v in value
    ):
        raise RuntimeError(f"invalid {name} in checkpoint: {value!r:.80}")
    if n is not None and len(value) != n:
        raise RuntimeError(f"{name} has {len(value)} entries, expected {n}")
    return tuple(int(v) for v in value)


def _view(storage, storage_offset, size, stride) -> np.ndarray:
    """``storage[storage_offset]`` viewed with ``size``/``stride`` (in elements), after the
    bounds check PyTorch's ``set_`` makes."""
    if not isinstance(storage, Storage):
        raise RuntimeError(f"expected a storage, got {type(storage).__name__}")
    if type(storage_offset) is not int:
        raise RuntimeError(f"invalid storage offset in checkpoint: {storage_offset!r:.80}")
    size = _ints("size", size)
    stride = _ints("stride", stride, len(size))
    if storage_offset < 0 or any(s < 0 for s in size) or any(s < 0 for s in stride):
        raise RuntimeError(
            f"invalid tensor geometry in checkpoint: size {list(size)}, stride "
            f"{list(stride)}, storage offset {storage_offset}"
        )
    arr = storage.array
    itemsize = arr.itemsize
    if 0 in size:
        needed = 0
    else:
        needed = storage_offset + 1 + sum((n - 1) * s for n, s in zip(size, stride))
    if needed > arr.shape[0]:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset "
            f"{storage_offset}, and itemsize {itemsize} requiring a storage size of "
            f"{needed * itemsize} are out of bounds for storage of size "
            f"{arr.shape[0] * itemsize}"
        )
    if type(arr) is not np.ndarray:  # a storage on a cuda device: a view there
        from ..backend import as_strided, guard_of

        with guard_of(arr):
            if 0 in size:
                return arr[:0].reshape(size)
            return as_strided(arr[storage_offset:], size, tuple(s * itemsize for s in stride))
    if 0 in size:
        return np.empty(size, dtype=arr.dtype)
    return np.lib.stride_tricks.as_strided(
        arr[storage_offset:], shape=size, strides=tuple(s * itemsize for s in stride)
    )


def _tensor(storage, storage_offset, size, stride, requires_grad=False):
    t = Tensor._make(_view(storage, storage_offset, size, stride))
    if requires_grad:
        t.requires_grad_(bool(requires_grad))
    return t


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor(storage, storage_offset, size, stride)


def _rebuild_tensor_v2(
    storage, storage_offset, size, stride, requires_grad=False, backward_hooks=None, metadata=None
):
    return _tensor(storage, storage_offset, size, stride, requires_grad)


def _rebuild_tensor_v3(
    storage, storage_offset, size, stride, requires_grad, backward_hooks, dtype, metadata=None
):
    t = _tensor(storage, storage_offset, size, stride)
    if isinstance(dtype, _dt.dtype) and dtype is not storage.dtype:
        raise RuntimeError(f"tensor dtype {dtype} does not match its storage's {storage.dtype}")
    if requires_grad:
        t.requires_grad_(True)
    return t


def _rebuild_parameter(data, requires_grad, backward_hooks=None):
    from ..nn.parameter import Parameter

    if not isinstance(data, Tensor):
        raise RuntimeError(f"Parameter data must be a tensor, got {type(data).__name__}")
    return Parameter(data, bool(requires_grad))


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    p = _rebuild_parameter(data, requires_grad)
    if isinstance(state, dict):
        p.__dict__.update({k: v for k, v in state.items() if isinstance(k, str)})
    return p


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    if not isinstance(data, Tensor):
        raise RuntimeError("expected a tensor")
    out = data.to(dtype=dtype) if isinstance(dtype, _dt.dtype) else data
    if requires_grad:
        out.requires_grad_(True)
    return out


def _rebuild_from_type_v2(func, new_type, args, state):
    """A tensor subclass or a tensor with Python attributes: ember keeps the attributes
    (``state``) on a plain Tensor or Parameter."""
    ret = func(*args)
    from ..nn.parameter import Parameter

    if new_type is Parameter and not isinstance(ret, Parameter):
        ret = Parameter(ret, ret.requires_grad)
    if isinstance(state, tuple) and len(state) == 2:
        state = state[0]
    if isinstance(state, dict):
        ret.__dict__.update({k: v for k, v in state.items() if isinstance(k, str)})
    return ret


def _unsupported(kind):
    def rebuild(*args, **kwargs):
        raise RuntimeError(f"ember cannot load {kind} tensors (this checkpoint holds one)")

    rebuild.__name__ = f"_rebuild_{kind.replace(' ', '_')}"
    return rebuild


def _get_layout(name):
    from .._api_misc import strided

    if name != "torch.strided":
        raise RuntimeError(f"ember has no layout {name!r} (only torch.strided)")
    return strided


def _size(*args):
    if len(args) != 1:
        raise TypeError("torch.Size takes one tuple")
    return Size(_ints("torch.Size", args[0]))


def _bytearray(*args):
    # bytearray(n) would allocate n bytes: only the (data, encoding) forms pickle uses
    if args and isinstance(args[0], int):
        raise TypeError("bytearray from a size is not allowed when loading")
    return bytearray(*args)


REBUILD_FUNCTIONS = {
    "_rebuild_tensor": _rebuild_tensor,
    "_rebuild_tensor_v2": _rebuild_tensor_v2,
    "_rebuild_tensor_v3": _rebuild_tensor_v3,
    "_rebuild_parameter": _rebuild_parameter,
    "_rebuild_parameter_with_state": _rebuild_parameter_with_state,
    "_rebuild_device_tensor_from_cpu_tensor": _rebuild_device_tensor_from_cpu_tensor,
    "_rebuild_qtensor": _unsupported("quantized"),
    "_rebuild_sparse_tensor": _unsupported("sparse"),
    "_rebuild_meta_tensor_no_storage": _unsupported("meta"),
    "_rebuild_nested_tensor": _unsupported("nested"),
    "_rebuild_wrapper_subclass": _unsupported("wrapper subclass"),
    "_rebuild_device_tensor_from_numpy": _unsupported("numpy-device"),
}
