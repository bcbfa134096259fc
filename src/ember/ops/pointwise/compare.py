"""Comparisons, logic and predicates (no gradient): eq, ne, lt, le, gt, ge, logical_and/or/xor/
not, isnan, isinf, isfinite, isreal, equal, allclose, isclose, isin."""

from __future__ import annotations

import operator

from ...autograd import dispatch as _door
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from ...tensor import Tensor
from .._util import _binary, _kind, _ret, _xp, broadcast_error, make, pair, shape_of, write_out


# ------------------------------------------------------------------ comparisons (no gradient)
def _compare_error(a, b):
    return broadcast_error(shape_of(a), shape_of(b))


def _compared(op, input, other, out):
    """``op(input, other)`` on the arrays (``operator.lt`` ...) as a bool tensor, into ``out``
    if given; shapes that do not broadcast raise PyTorch's error."""
    ad, bd = pair(input, other)
    try:
        res = make(op(ad, bd))
    except ValueError:
        raise _compare_error(input, other) from None
    return res if out is None else write_out(res, out)


@_door.primitive("elementwise")
def eq(input, other, *, out=None):
    """``input == other`` elementwise (a bool tensor; comparisons are not differentiable)."""
    if other is None:
        return False
    if not isinstance(other, (Tensor, int, float, bool, complex)):
        return NotImplemented
    return _compared(operator.eq, input, other, out)


@_door.primitive("elementwise")
def ne(input, other, *, out=None):
    """``input != other`` elementwise."""
    if other is None:
        return True
    if not isinstance(other, (Tensor, int, float, bool, complex)):
        return NotImplemented
    return _compared(operator.ne, input, other, out)


def _ordered(ad, bd, input, other):
    if _kind(ad) == "c" or _kind(bd) == "c":
        raise NotImplementedError('"lt_cpu" not implemented for \'ComplexFloat\'')


@_door.primitive("elementwise")
def lt(input, other, *, out=None):
    """``input < other`` elementwise."""
    return _compared(operator.lt, input, other, out)


@_door.primitive("elementwise")
def le(input, other, *, out=None):
    """``input <= other`` elementwise."""
    return _compared(operator.le, input, other, out)


@_door.primitive("elementwise")
def gt(input, other, *, out=None):
    """``input > other`` elementwise."""
    return _compared(operator.gt, input, other, out)


@_door.primitive("elementwise")
def ge(input, other, *, out=None):
    """``input >= other`` elementwise."""
    return _compared(operator.ge, input, other, out)


less, less_equal, greater, greater_equal, not_equal = lt, le, gt, ge, ne


@_door.primitive("elementwise")
def logical_and(input, other, *, out=None):
    """Elementwise logical AND (nonzero is true), as a bool tensor."""
    return _ret(make(_binary(_xp(input, other).logical_and, input, other)), out)


@_door.primitive("elementwise")
def logical_or(input, other, *, out=None):
    """Elementwise logical OR, as a bool tensor."""
    return _ret(make(_binary(_xp(input, other).logical_or, input, other)), out)


@_door.primitive("elementwise")
def logical_xor(input, other, *, out=None):
    """Elementwise logical XOR, as a bool tensor."""
    return _ret(make(_binary(_xp(input, other).logical_xor, input, other)), out)


@_door.primitive("elementwise")
def logical_not(input, *, out=None):
    """Elementwise logical NOT, as a bool tensor."""
    return _ret(make(xp_of(input._data).logical_not(input._data)), out)


@_door.primitive("elementwise")
def isnan(input):
    """True where the element is NaN."""
    return make(xp_of(input._data).isnan(input._data))


@_door.primitive("elementwise")
def isinf(input):
    """True where the element is +inf or -inf."""
    return make(xp_of(input._data).isinf(input._data))


@_door.primitive("elementwise")
def isposinf(input, *, out=None):
    """True where the element is +inf."""
    d = input._data
    return _ret(make(xp_of(d).isposinf(d) if d.dtype.kind in "f" else
                     xp_of(d).zeros(d.shape, bool)), out)


@_door.primitive("elementwise")
def isneginf(input, *, out=None):
    """True where the element is -inf."""
    d = input._data
    return _ret(make(xp_of(d).isneginf(d) if d.dtype.kind in "f" else
                     xp_of(d).zeros(d.shape, bool)), out)


@_door.primitive("elementwise")
def isfinite(input):
    """True where the element is neither infinite nor NaN."""
    return make(xp_of(input._data).isfinite(input._data))


@_door.primitive("elementwise")
def isreal(input):
    """True where the element has no imaginary part."""
    d = input._data
    return make(xp_of(d).isreal(d) if d.dtype.kind == "c" else xp_of(d).ones(d.shape, bool))


def equal(input, other) -> bool:
    """True when both tensors have the same shape and the same values."""
    a, b = input._data, other._data
    return a.shape == b.shape and bool((a == b).all())


def _close_args(input, other, rtol, atol):
    if not isinstance(other, Tensor):
        raise TypeError(f"isclose(): argument 'other' (position 2) must be Tensor, not "
                        f"{type(other).__name__}")
    if input._data.dtype != other._data.dtype:
        raise RuntimeError(f"{input.dtype} did not match {other.dtype}")
    if rtol < 0:
        raise RuntimeError(f"rtol must be greater than or equal to zero, but got {rtol}")
    if atol < 0:
        raise RuntimeError(f"atol must be greater than or equal to zero, but got {atol}")


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """``|input - other| <= atol + rtol * |other|`` everywhere (PyTorch's definition)."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


@_door.primitive("elementwise")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise ``|input - other| <= atol + rtol * |other|`` (equal infinities are close)."""
    _close_args(input, other, rtol, atol)
    a, b = input._data, other._data
    xp = xp_of(a)
    try:
        if a.dtype.kind in "biu":
            with _be_errstate(xp, over="ignore"):
                return make(xp.isclose(a.astype("float64"), b.astype("float64"), rtol=rtol,
                                       atol=atol, equal_nan=equal_nan))
        return make(xp.isclose(a, b, rtol=rtol, atol=atol, equal_nan=equal_nan))
    except ValueError:
        raise broadcast_error(a.shape, b.shape) from None


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` is in ``test_elements`` (either may be a number);
    a bool tensor of ``elements``' shape."""
    from ..factories import tensor

    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): expected at least one Tensor argument")
    e = elements._data if isinstance(elements, Tensor) else None
    t = test_elements._data if isinstance(test_elements, Tensor) else None
    xp = xp_of(e if e is not None else t)
    e = xp.asarray(elements) if e is None else e
    t = xp.asarray(test_elements) if t is None else t
    res = xp.isin(e, t, assume_unique=assume_unique, invert=invert)
    return make(xp.asarray(res)) if isinstance(elements, Tensor) else tensor(bool(res))
