"""A tensor converted: to another dtype or device (``x.to(...)``, ``x.float()``..., ``x.type()``,
``x.cpu()``/``x.cuda()``), and to host data (``item``, ``tolist``, ``numpy``, ``__array__``,
DLPack, ``bool``/``int``/``float``, pickling and deep copies)."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import backend_for_device as _backend_for_device
from ..backend import device_index as _device_index
from ..backend import to_device as _to_device
from ..device import CPU as _CPU
from ..device import device as _device
from ..backend import device_of
from ..backend import numpy as _np
from ..tensor import Tensor, _init, _rebuild
from ._util import make, quiet_retry


def _cast(a, np_dtype):
    """``a.astype(np_dtype)``; NaN or inf cast to an integer (or past float16's range) is
    silent, as in PyTorch, even with warnings as errors."""
    try:
        return a.astype(np_dtype)
    except RuntimeWarning:
        return quiet_retry(a.astype, np_dtype)


_ndarray = _np.ndarray


# ------------------------------------------------------------------------------- dtype casts
class ToCopy(Function):
    """y = x cast to another dtype;  dy/dx = grad cast back"""

    _builtin = True
    _node_name = "ToCopyBackward0"

    @staticmethod
    def forward(ctx, x, np_dtype):
        ctx.dtype = x.dtype
        return make(_cast(x._data, np_dtype))

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
            t = type(a)
            name = t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"
            raise TypeError(f"to() received an invalid combination of arguments - got ({name})")
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
        return make(_cast(out._data, dtype.np))
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


# ------------------------------------------------------------------- a tensor as host data
# Python numbers and sequences, NumPy arrays, DLPack capsules, pickles and deep copies; with
# ``device``/``is_cuda``. ``tensor_methods`` puts these on Tensor (``HOST_METHODS``).
def _not_host(t):
    return (f"can't convert {t.device} device type tensor to numpy. Use Tensor.cpu() to copy "
            "the tensor to host memory first.")


def device_(self):
    return device_of(self._data)


def is_cuda_(self) -> bool:
    return self.device.type == "cuda"


def item(self):
    """The value of a one-element tensor as a Python number."""
    if self._data.size != 1:
        raise RuntimeError(
            f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
        )
    return self._data.item()  # a one-element array of any shape (and any cuda device)


def tolist(self):
    return self._data.tolist()


def numpy_(self, *, force=False):
    """The array itself (shared memory); refused when the tensor requires grad, and for a
    cuda tensor (``force=True`` copies either to host memory)."""
    d = self._data
    if d.__class__ is not _ndarray:
        if not force:
            raise TypeError(_not_host(self))
        from ..backend import backend_of

        return backend_of(d).to_host(d)
    if self._requires_grad and not force:
        raise RuntimeError(
            "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
            "instead."
        )
    if force:
        return d.copy()
    return d


def array_(self, dtype=None, copy=None):
    d = self._data
    if d.__class__ is not _ndarray and not isinstance(d, _np.ndarray):
        raise TypeError(_not_host(self))
    if dtype is not None:
        return d.astype(dtype, copy=False)
    return d


def dlpack(self, *args, **kwargs):
    """DLPack export of the array (zero-copy; NumPy on the cpu, CuPy on cuda)."""
    if self._requires_grad:
        raise BufferError("Can't export tensors that require gradient, use tensor.detach()")
    return self._data.__dlpack__(*args, **kwargs)


def dlpack_device(self):
    return self._data.__dlpack_device__()


def len_(self):
    if self._data.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return self._data.shape[0]


def iter_(self):
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return (self[i] for i in range(self._data.shape[0]))


def bool_(self):
    if self._data.size != 1:
        raise RuntimeError(
            "Boolean value of Tensor with no values is ambiguous" if self._data.size == 0
            else "Boolean value of Tensor with more than one value is ambiguous"
        )
    return bool(self._data.reshape(()))


def float_(self):
    if self._data.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    return float(self.item())


def int_(self):
    if self._data.size != 1:
        raise ValueError("only one element tensors can be converted to Python scalars")
    return int(self.item())


def complex_(self):
    return complex(self.item())


def index_(self):
    if self._data.dtype.kind not in "iub" or self._data.size != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return int(self.item())


def contains(self, element):
    if isinstance(element, Tensor):
        element = element._data
    elif not isinstance(element, (int, float, complex, bool, _np.generic)):
        raise RuntimeError(f"Tensor.__contains__ only supports Tensor or scalar, but you "
                           f"passed in a {type(element)}.")
    return bool((self._data == element).any())


def format_(self, spec):
    if self._data.ndim == 0:
        return self.item().__format__(spec)
    return object.__format__(self, spec)


def reduce_ex(self, proto):
    return (_rebuild, (self._data, self._requires_grad))


def deepcopy(self, memo):
    if not self.is_leaf:
        raise RuntimeError(
            "Only Tensors created explicitly by the user (graph leaves) support the "
            "deepcopy protocol at the moment."
        )
    new = type(self).__new__(type(self))
    _init(new, self._data.copy())
    new._requires_grad = self._requires_grad
    if self._grad is not None:
        new._grad = Tensor._make(self._grad._data.copy())
    new.__dict__.update({k: v for k, v in self.__dict__.items()})
    memo[id(self)] = new
    return new


HOST_METHODS = {
    "device": property(device_), "is_cuda": property(is_cuda_), "item": item, "tolist": tolist,
    "numpy": numpy_, "__array__": array_, "__dlpack__": dlpack, "__dlpack_device__": dlpack_device,
    "__len__": len_, "__iter__": iter_, "__bool__": bool_, "__float__": float_, "__int__": int_,
    "__complex__": complex_, "__index__": index_, "__contains__": contains,
    "__format__": format_, "__reduce_ex__": reduce_ex, "__deepcopy__": deepcopy,
}
