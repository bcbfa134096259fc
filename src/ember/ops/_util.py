"""Helpers shared by the op families: operands with PyTorch's promotion, dims, wrapping."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.grad_mode import _state
from ..backend import xp_of
from ..tensor import Tensor, _wrap_dim

make = Tensor._make

__all__ = ["Tensor", "make", "pair", "xp_of", "wrap_dim", "dims_of", "_state", "as_tensor_arg"]

wrap_dim = _wrap_dim


def _weak_ok(kind, s):
    """Whether NumPy's rule for an array with a Python scalar gives PyTorch's dtype too."""
    t = type(s)
    if t is float:
        return kind in "fc"
    if t is int or t is bool:
        return True
    if t is complex:
        return kind == "c"
    return False


def pair(a, b):
    """The arrays (or Python scalars) of a binary op, promoted as PyTorch promotes them."""
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        ad, bd = a._data, b._data
        if ad.dtype == bd.dtype:
            return ad, bd
    elif ta:
        ad = a._data
        if _weak_ok(ad.dtype.kind, b):
            return ad, b
        bd = b
    elif tb:
        bd = b._data
        if _weak_ok(bd.dtype.kind, a):
            return a, bd
        ad = a
    else:
        raise TypeError(f"expected a Tensor, got {type(a).__name__} and {type(b).__name__}")
    if not (ta or _is_scalar(a)) or not (tb or _is_scalar(b)):
        other = b if ta else a
        if isinstance(other, xp_of(other).ndarray):  # PyTorch takes an array as a tensor
            return pair(a, Tensor._make(other)) if ta else pair(Tensor._make(other), b)
        raise TypeError(f"unsupported operand type(s): 'Tensor' and '{type(other).__name__}'")
    dt = _dt.result_type_of(a, b).np
    if ta and ad.dtype != dt:
        ad = ad.astype(dt)
    if tb and bd.dtype != dt:
        bd = bd.astype(dt)
    if not ta:
        ad = _cast_scalar(ad, dt)
    if not tb:
        bd = _cast_scalar(bd, dt)
    return ad, bd


def _cast_scalar(s, dt):
    if hasattr(s, "dtype"):  # a NumPy scalar is a weak scalar in PyTorch, like a Python one
        return s.astype(dt)
    if dt.kind in "iu" and isinstance(s, bool):
        return int(s)
    if dt.kind == "f" and isinstance(s, (bool, int)):
        return float(s)
    return s


def _is_scalar(x):
    import numbers

    return isinstance(x, numbers.Number)


def as_tensor_arg(x, like=None):
    """Accept a Tensor, a Python number, or an array for an op argument."""
    if isinstance(x, Tensor):
        return x
    from .creation import tensor

    return tensor(x, dtype=None if like is None else None)


def dims_of(dim, ndim):
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative dims."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, int):
        return (wrap_dim(dim, ndim),)
    ds = tuple(sorted(wrap_dim(d, ndim) for d in dim))
    if len(set(ds)) != len(ds):
        raise RuntimeError("dim appears multiple times in the list of dims")
    return ds if ds else tuple(range(ndim))


def broadcast_error(ashape, bshape):
    """PyTorch's message for shapes that do not broadcast."""
    a, b = list(ashape), list(bshape)
    n = max(len(a), len(b))
    a = [1] * (n - len(a)) + a
    b = [1] * (n - len(b)) + b
    for i in range(n - 1, -1, -1):
        if a[i] != b[i] and a[i] != 1 and b[i] != 1:
            return RuntimeError(
                f"The size of tensor a ({a[i]}) must match the size of tensor b ({b[i]}) at "
                f"non-singleton dimension {i}"
            )
    return RuntimeError(f"shapes {list(ashape)} and {list(bshape)} cannot be broadcast")


def shape_of(x):
    return x._data.shape if isinstance(x, Tensor) else ()
