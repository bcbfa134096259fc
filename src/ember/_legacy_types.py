"""The legacy tensor types of old PyTorch code: ``FloatTensor``, ``LongTensor``, ...

In PyTorch each is a class whose call makes a CPU tensor of its dtype (``FloatTensor([1, 2])``
from data, ``FloatTensor(2, 3)`` uninitialised of that size) and for which ``isinstance(t,
FloatTensor)`` is true exactly when ``t`` is a float32 CPU tensor; ``type(t)`` stays ``Tensor``.
ember reproduces that with one metaclass (``tensortype``) and keeps ``set_default_tensor_type``.

Example::

    x = torch.FloatTensor([[1, 2], [3, 4]])     # float32
    isinstance(x, torch.FloatTensor)           # True
    x.type(torch.LongTensor).dtype             # torch.int64
"""

from __future__ import annotations

import builtins
import warnings

from . import dtypes as _dt

__all__ = ["set_default_tensor_type", "tensortype"]

_TYPES = {  # class name: dtype name
    "FloatTensor": "float32", "DoubleTensor": "float64", "HalfTensor": "float16",
    "BFloat16Tensor": "bfloat16", "LongTensor": "int64", "IntTensor": "int32",
    "ShortTensor": "int16", "CharTensor": "int8", "ByteTensor": "uint8", "BoolTensor": "bool",
}


class tensortype(type):
    """The metaclass of the legacy types: calling one builds a tensor, ``isinstance`` checks
    the dtype."""

    def __instancecheck__(cls, obj):
        from .tensor import Tensor

        return isinstance(obj, Tensor) and obj._data.dtype == cls.dtype.np \
            and obj.device.type == "cpu"

    def __subclasscheck__(cls, sub):
        return sub is cls

    def __call__(cls, *args, device=None, **kwargs):
        from .ops.factories import empty, tensor
        from .tensor import Tensor

        if kwargs:
            raise TypeError(f"new() received an invalid combination of arguments - got "
                            f"unexpected keyword arguments {sorted(kwargs)}")
        dtype = cls.dtype
        if device is not None:
            from .backend import xp_for_device

            xp_for_device(device)
        if not args:
            return empty(0, dtype=dtype)
        if builtins.all(isinstance(a, builtins.int) and not isinstance(a, builtins.bool)
                        for a in args):
            return empty(*args, dtype=dtype)
        if len(args) > 1:
            raise TypeError("new() received an invalid combination of arguments")
        data = args[0]
        if isinstance(data, _dt_size()):
            return empty(*data, dtype=dtype)
        if isinstance(data, Tensor):
            if data._data.dtype != dtype.np:
                raise TypeError(f"expected {cls.__name__}'s dtype {dtype} (got {data.dtype})")
            return data
        if isinstance(data, (builtins.float, builtins.int, builtins.bool, complex)):
            raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
        return tensor(data, dtype=dtype)

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


def _dt_size():
    from .tensor import Size

    return Size


def _make_types():
    out = {}
    for name, dt in _TYPES.items():
        out[name] = tensortype(name, (), {"dtype": getattr(_dt, dt), "is_cuda": False,
                                          "is_sparse": False, "__module__": "torch"})
    return out


LEGACY = _make_types()
globals().update(LEGACY)
__all__ += list(LEGACY)

_BY_NAME = {f"torch.{name}": cls for name, cls in LEGACY.items()}


def legacy_dtype(obj):
    """The dtype named by a legacy type class or its ``'torch.FloatTensor'`` string, else None."""
    if isinstance(obj, tensortype):
        return obj.dtype
    if isinstance(obj, str) and obj in _BY_NAME:
        return _BY_NAME[obj].dtype
    return None


def set_default_tensor_type(t) -> None:
    """Deprecated in PyTorch (use ``set_default_dtype``): sets the default float dtype from
    ``FloatTensor``/``DoubleTensor`` (or their names)."""
    warnings.warn("torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
                  "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
                  UserWarning, stacklevel=2)
    dtype = legacy_dtype(t)
    if dtype is None:
        raise TypeError(f"invalid type: {t!r}")
    if not dtype.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dt.set_default_dtype(dtype)
