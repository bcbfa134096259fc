"""More ways to make tensors: ``asarray``, ``frombuffer``, ``empty_strided``, the window
functions (``hann_window`` ...), the deprecated inclusive ``range``, ``binomial`` draws, and the
complex builders (``complex``, ``polar``, ``view_as_real``, ``view_as_complex``)."""

from __future__ import annotations

import math
import warnings

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import numpy as _np
from ..backend import xp_for_device
from ._util import Tensor, make, xp_of

__all__ = [
    "asarray",
    "bartlett_window",
    "binomial",
    "blackman_window",
    "complex",
    "empty_permuted",
    "empty_strided",
    "frombuffer",
    "hamming_window",
    "hann_window",
    "kaiser_window",
    "polar",
    "range",
    "view_as_complex",
    "view_as_real",
]

_builtin_range = range


def asarray(obj, *, dtype=None, device=None, copy=None, requires_grad=False):
    """``obj`` as a tensor, sharing memory when possible: a tensor is returned as is (or cast),
    a NumPy array (or anything with ``__array__``/the buffer protocol) is wrapped without a copy
    unless a dtype change or ``copy=True`` needs one; Python data is copied as by ``tensor``."""
    from .creation import tensor

    xp_for_device(device)
    if isinstance(obj, Tensor):
        if copy is False and dtype is not None and dtype != obj.dtype:
            raise ValueError("can't alias tensor with a different dtype without a copy")
        res = obj if dtype is None or dtype == obj.dtype else obj.to(dtype)
        if copy and res is obj:
            res = obj.clone()
        return res.requires_grad_(requires_grad) if requires_grad else res
    if isinstance(obj, _np.ndarray) or hasattr(obj, "__array_interface__"):
        arr = _np.asarray(obj)
        _dt.from_numpy_dtype(arr.dtype)  # PyTorch's error for unsupported dtypes
        if dtype is not None and arr.dtype != dtype.np:
            if copy is False:
                raise ValueError("can't alias NumPy array with a different dtype without a "
                                 "copy")
            arr = arr.astype(dtype.np)
        elif copy:
            arr = arr.copy()
        return make(arr, requires_grad)
    if copy is False:
        raise ValueError("can't alias arbitrary sequence into a tensor")
    return tensor(obj, dtype=dtype, requires_grad=requires_grad)


def frombuffer(buffer, *, dtype, count=-1, offset=0, requires_grad=False):
    """A 1-d tensor viewing the memory of an object with the buffer protocol (no copy; a
    read-only buffer such as ``bytes`` gives a read-only tensor)."""
    try:
        nbytes = memoryview(buffer).nbytes
    except TypeError:
        raise TypeError(f"object of type '{type(buffer).__name__}' does not implement the "
                        "buffer protocol") from None
    item = dtype.itemsize
    if offset < 0 or offset >= nbytes > 0:
        raise ValueError(f"both buffer length ({nbytes}) and offset ({offset}) must be "
                         "non-negative and buffer length must be greater than offset")
    if count < 0 and (nbytes - offset) % item:
        raise ValueError(f"buffer length ({nbytes - offset} after offset) must be a multiple "
                         f"of element size ({item})")
    if count > 0 and count * item > nbytes - offset:
        raise ValueError(f"requested buffer length ({count} * {item} bytes) after offset "
                         f"({offset} bytes) must not be greater than actual buffer length "
                         f"({nbytes} bytes)")
    if count == 0:
        raise ValueError("both count and buffer length must be positive, got 0")
    arr = _np.frombuffer(buffer, dtype=dtype.np, count=count, offset=offset)
    return make(arr, requires_grad)


def empty_strided(size, stride, *, dtype=None, layout=None, device=None, requires_grad=False,
                  pin_memory=False):
    """An uninitialised tensor of ``size`` with the given element ``stride``s (zero-filled in
    ember)."""
    xp = xp_for_device(device)
    dtype = dtype or _dt.get_default_dtype()
    size, stride = tuple(int(s) for s in size), tuple(int(s) for s in stride)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    n = 1 + sum((s - 1) * st for s, st in zip(size, stride)) if all(s > 0 for s in size) else 0
    buf = xp.zeros(n, dtype.np)
    arr = xp.lib.stride_tricks.as_strided(buf, size, tuple(st * buf.itemsize for st in stride))
    return make(arr, requires_grad)


def empty_permuted(size, physical_layout, *, dtype=None, layout=None, device=None,
                   requires_grad=False, pin_memory=False):
    """An uninitialised tensor of ``size`` whose memory holds its dims in the order
    ``physical_layout`` (zero-filled in ember)."""
    xp = xp_for_device(device)
    dtype = dtype or _dt.get_default_dtype()
    size, perm = tuple(size), tuple(physical_layout)
    if sorted(perm) != list(_builtin_range(len(size))):
        raise RuntimeError("Number of dimensions in size does not match the length of the "
                           "physical_layout" if len(perm) != len(size) else
                           "physical_layout must be a permutation")
    buf = xp.zeros(tuple(size[p] for p in perm), dtype.np)
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return make(buf.transpose(inv), requires_grad)


# ------------------------------------------------------------------------------------ windows
def _window(name, window_length, periodic, dtype, requires_grad, fn):
    from .creation import tensor

    dtype = dtype or _dt.get_default_dtype()
    if not dtype.is_floating_point:
        raise RuntimeError(f"{name} expects floating point dtypes, got: {dtype}")
    if window_length < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length="
                           f"{window_length}")
    if window_length == 0:
        return tensor([], dtype=dtype, requires_grad=requires_grad)
    if window_length == 1:
        return tensor([1.0], dtype=dtype, requires_grad=requires_grad)
    n = window_length + 1 if periodic else window_length
    k = _np.arange(n, dtype=_np.float64)
    w = fn(k, n - 1)
    if periodic:
        w = w[:-1]
    return tensor(w.astype(dtype.np), dtype=dtype, requires_grad=requires_grad)


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                requires_grad=False):
    """``0.5 - 0.5 cos(2 pi n / (N - 1))``; ``periodic`` drops the last of N + 1 points."""
    xp_for_device(device)
    return _window("hann_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.5 - 0.5 * _np.cos(2 * math.pi * k / m))


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None,
                   layout=None, device=None, requires_grad=False):
    """``alpha - beta cos(2 pi n / (N - 1))``."""
    xp_for_device(device)
    return _window("hamming_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: alpha - beta * _np.cos(2 * math.pi * k / m))


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    xp_for_device(device)
    return _window("blackman_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 0.42 - 0.5 * _np.cos(2 * math.pi * k / m)
                   + 0.08 * _np.cos(4 * math.pi * k / m))


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    requires_grad=False):
    """The triangular window ``1 - |2 n / (N - 1) - 1|``."""
    xp_for_device(device)
    return _window("bartlett_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: 1 - _np.abs(2 * k / m - 1))


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None,
                  device=None, requires_grad=False):
    """``I0(beta sqrt(1 - (2 n / (N - 1) - 1)**2)) / I0(beta)``."""
    xp_for_device(device)
    return _window("kaiser_window", window_length, periodic, dtype, requires_grad,
                   lambda k, m: _np.i0(beta * _np.sqrt(_np.clip(1 - (2 * k / m - 1) ** 2, 0,
                                                                None))) / _np.i0(beta))


# ------------------------------------------------------------------------------- misc makers
def range(start=0, end=None, step=1, *, dtype=None, layout=None, device=None,
          requires_grad=False, out=None):
    """Deprecated in PyTorch (use ``arange``): values from ``start`` to ``end`` *inclusive*;
    the default float dtype unless ``dtype`` is given."""
    from .creation import tensor

    warnings.warn("torch.range is deprecated and will be removed in a future release because its "
                  "behavior is inconsistent with Python's range builtin. Instead, use "
                  "torch.arange, which produces values in [start, end).", UserWarning,
                  stacklevel=2)
    xp_for_device(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    n = int(math.floor((end - start) / step)) + 1
    dtype = dtype or _dt.get_default_dtype()
    vals = start + step * _np.arange(n, dtype=_np.float64)
    return tensor(vals.astype(dtype.np), dtype=dtype, requires_grad=requires_grad)


def binomial(count, prob, generator=None):
    """Binomial draws: successes in ``count`` trials of probability ``prob`` (float tensors of
    the same shape; the result has their dtype)."""
    from .creation import _rng

    c, p = count._data, prob._data
    if c.dtype.kind != "f" or p.dtype.kind != "f":
        raise RuntimeError('"binomial_cpu" not implemented for \'Long\'')
    draws = _rng(generator).binomial(c.astype(_np.int64), _np.clip(p, 0, 1))
    return make(draws.astype(c.dtype))


class Complex(Function):
    """z = real + i imag;  d/dreal = Re(grad), d/dimag = Im(grad)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "ComplexBackward0"

    @staticmethod
    def forward(ctx, real, imag):
        r, i = real._data, imag._data
        if r.dtype != i.dtype:
            raise RuntimeError(f"Expected object of scalar type {real.dtype} but got scalar type "
                               f"{imag.dtype} for second argument")
        if r.dtype.kind != "f" or r.dtype.itemsize < 4:
            raise RuntimeError(f"Expected both inputs to be Half, Float or Double tensors but "
                               f"got {real.dtype} and {imag.dtype}")
        xp = xp_of(r)
        ct = xp.complex64 if r.dtype == xp.float32 else xp.complex128
        out = xp.empty(xp.broadcast_shapes(r.shape, i.shape), ct)
        out.real = r
        out.imag = i
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.real, grad_output.imag


def complex(real, imag, *, out=None):
    """The complex tensor ``real + i * imag`` (float32 -> complex64, float64 -> complex128)."""
    res = Complex.apply(real, imag)
    return res if out is None else out.copy_(res)


def polar(abs, angle, *, out=None):
    """The complex tensor ``abs * (cos(angle) + i sin(angle))``."""
    res = complex(abs * angle.cos(), abs * angle.sin())
    return res if out is None else out.copy_(res)


class ViewAsReal(Function):
    """y[..., 0] = Re(z), y[..., 1] = Im(z);  dz = grad[..., 0] + i grad[..., 1]"""

    _builtin = True
    _node_name = "ViewAsRealBackward0"

    @staticmethod
    def forward(ctx, z):
        d = z._data
        if d.dtype.kind != "c":
            raise RuntimeError("view_as_real is only supported for complex tensors")
        xp = xp_of(d)
        return make(xp.stack([d.real, d.imag], -1))

    @staticmethod
    def backward(ctx, grad_output):
        return complex(grad_output.select(-1, 0), grad_output.select(-1, 1))


class ViewAsComplex(Function):
    """z = x[..., 0] + i x[..., 1];  dx = stack(Re(grad), Im(grad))"""

    _builtin = True
    _node_name = "ViewAsComplexBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        if d.dtype.kind != "f" or d.dtype.itemsize < 4:
            raise RuntimeError("view_as_complex is only supported for float and double tensors, "
                               f"but got a tensor of scalar type: {x.dtype}")
        if d.ndim == 0 or d.shape[-1] != 2:
            raise RuntimeError("Tensor must have a last dimension of size 2")
        xp = xp_of(d)
        ct = xp.complex64 if d.dtype == xp.float32 else xp.complex128
        return make((d[..., 0] + 1j * d[..., 1]).astype(ct))

    @staticmethod
    def backward(ctx, grad_output):
        return view_as_real(grad_output)


def view_as_real(input):
    """A complex tensor as a real one with a last dim of size 2 (real, imaginary).
    Difference from PyTorch: a copy, not a view (writes do not reach ``input``)."""
    return ViewAsReal.apply(input)


def view_as_complex(input):
    """A real tensor whose last dim has size 2 as a complex one.
    Difference from PyTorch: a copy, not a view."""
    return ViewAsComplex.apply(input)


def from_dlpack(ext_tensor):
    """A tensor sharing memory with any object that speaks DLPack (a NumPy array, a PyTorch CPU
    tensor...): ``ember.from_dlpack(torch_tensor)``."""
    arr = _np.from_dlpack(ext_tensor)
    _dt.from_numpy_dtype(arr.dtype)
    return make(arr)


__all__.append("from_dlpack")
