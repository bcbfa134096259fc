"""dtype and device conversion: ``x.to(...)``, ``x.float()``/``x.double()``..., ``x.type()``,
``x.cpu()``/``x.cuda()``."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.function import Function
from ..device import device as _device
from ..tensor import Tensor
from ._util import make


# ------------------------------------------------------------------------------- dtype casts
class ToCopy(Function):
    """y = x cast to another dtype;  dy/dx = grad cast back"""

    _builtin = True
    _node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.dtype = x.dtype
        return make(x._data.astype(np_dtype))

    @staticmethod
    def backward(ctx, grad_output):
        if not ctx.dtype.is_floating_point and not ctx.dtype.is_complex:
            return None, None
        return grad_output.to(ctx.dtype), None


def _parse_to(args, kwargs):
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    for a in args:
        if isinstance(a, _dt.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
            dev = a.device
        elif isinstance(a, (str, _device)):
            dev = a
    return dtype, dev


def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``x.to(ember.float64)``, ``x.to('cpu')``, ``x.to(other)``.

    Returns ``self`` when nothing changes (``copy=True`` forces a copy)."""
    dtype, dev = _parse_to(args, kwargs)
    if dev is not None:
        from ..backend import xp_for_device

        xp_for_device(_device(dev) if isinstance(dev, str) else dev)
    copy = kwargs.get("copy", False)
    if dtype is None or dtype.np == self._data.dtype:
        return self.clone() if copy else self
    if self._requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        return make(self._data.astype(dtype.np))
    return ToCopy.apply(self, dtype.np)


def _caster(dtype_name):
    def cast(self, memory_format=None):
        return to(self, getattr(_dt, dtype_name))

    cast.__name__ = dtype_name
    return cast


def type_(self, dtype=None, non_blocking=False, **kwargs):
    """With no argument the type name (``'torch.FloatTensor'``); else a cast."""
    names = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
             "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool",
             "complex64": "ComplexFloat", "complex128": "ComplexDouble", "bfloat16": "BFloat16"}
    if dtype is None:
        return f"torch.{names[self.dtype.name]}Tensor"
    from .._legacy_types import legacy_dtype

    dtype = legacy_dtype(dtype) or dtype
    if isinstance(dtype, str):
        rev = {f"torch.{v}Tensor": k for k, v in names.items()}
        dtype = getattr(_dt, rev[dtype])
    return to(self, dtype)


def type_as(self, other):
    return to(self, other.dtype)


def cpu(self, memory_format=None):
    return self


def cuda(self, device=None, non_blocking=False):
    from ..backend import xp_for_device

    xp_for_device(_device("cuda"))
    return self
