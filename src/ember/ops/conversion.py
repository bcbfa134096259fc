"""dtype and device conversion: ``x.to(...)``, ``x.float()``/``x.double()``..., ``x.type()``,
``x.cpu()``/``x.cuda()``."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import backend_for_device as _backend_for_device
from ..backend import device_index as _device_index
from ..backend import to_device as _to_device
from ..device import CPU as _CPU
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
    """``(dtype, device, copy)`` from PyTorch's three signatures: ``to(dtype, non_blocking,
    copy)``, ``to(device, dtype, non_blocking, copy)``, ``to(other, non_blocking, copy)``."""
    dtype = kwargs.get("dtype")
    dev = kwargs.get("device")
    flags = []  # positional non_blocking, copy
    for a in args:
        if isinstance(a, bool):
            flags.append(a)
        elif isinstance(a, _dt.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
            dev = a.device
        elif isinstance(a, (str, _device, int)):
            dev = a
        elif a is not None:
            raise TypeError(
                f"to() received an invalid combination of arguments - got ({type(a).__name__})"
            )
    copy = flags[1] if len(flags) > 1 else kwargs.get("copy", False)
    return dtype, dev, copy


# ------------------------------------------------------------------------------- devices
class ToDevice(Function):
    """y = x on another device;  dy/dx = grad moved back to x's device"""

    _builtin = True
    _node_name = "ToCopyBackward0"  # PyTorch names a device copy's node as a dtype cast's

    @staticmethod
    def forward(ctx, x, dev):
        ctx.src = x.device
        return make(_to_device(x._data, dev))

    @staticmethod
    def backward(ctx, grad_output):
        return ToDevice.apply(grad_output, ctx.src), None


def target_device(dev):
    """A device argument (``'cuda'``, ``'cuda:1'``, ``device``, an int) as an ember device with
    its index (``'cuda'`` is the current cuda device); PyTorch's errors for the others."""
    if isinstance(dev, int) and not isinstance(dev, bool):
        dev = _device("cuda", dev)
    elif not isinstance(dev, _device):
        dev = _device(dev)
    if dev.type == "cuda":
        return _device("cuda", _device_index(dev))
    if dev.type != "cpu":
        _backend_for_device(dev)  # raises: ember has only cpu and cuda
    return _CPU


def to(self, *args, **kwargs):
    """Convert dtype and/or device: ``x.to(ember.float64)``, ``x.to('cuda')``, ``x.to(other)``,
    ``x.to('cuda', torch.float16, non_blocking=True, copy=False)``.

    Returns ``self`` when nothing changes (``copy=True`` forces a copy). A device move is
    differentiable: the gradient flows back to the source device. ``non_blocking`` is accepted
    (copies complete before ``to`` returns)."""
    dtype, dev, copy = _parse_to(args, kwargs)
    out = self
    if dev is not None:
        dev = target_device(dev)
        if dev != self.device:
            out = ToDevice.apply(self, dev)
            copy = False
    if dtype is None or dtype.np == out._data.dtype:
        return out.clone() if copy else out
    if out._requires_grad and not (dtype.is_floating_point or dtype.is_complex):
        return make(out._data.astype(dtype.np))
    return ToCopy.apply(out, dtype.np)


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
    """This tensor in host memory (itself when it is there)."""
    if self.device.type == "cpu":
        return self
    return ToDevice.apply(self, _CPU)


def cuda(self, device=None, non_blocking=False, memory_format=None):
    """This tensor on cuda device ``device`` (the current one by default)."""
    return to(self, "cuda" if device is None else device)
