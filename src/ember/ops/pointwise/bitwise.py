"""Bitwise ops on integer and bool tensors: and, or, xor, not, shifts; gcd and lcm."""

from __future__ import annotations

from ...autograd import dispatch as _door
from ...backend import xp_of
from ...tensor import Tensor
from .._util import (
    _dtype_title, _kind, _ret, _shape_checked, _xp, broadcast_error, make, pair, shape_of,
    write_out
)


_TITLE = {"f": "Float", "c": "ComplexFloat"}


def _int_only(name, ad, bd=None):
    for x in (ad, bd):
        k = _kind(x) if x is not None else "b"
        if k in "fc":
            t = _dtype_title(make(x)) if hasattr(x, "dtype") else _TITLE[k]
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'{t}\'')


def _is_int(v):
    return v.__class__ is int


def _wrapped(input, other, ad, bd, xp):
    """``ad, bd`` with a Python int beside an integer tensor cast to the tensor's dtype as
    PyTorch casts it, wrapping (300 -> 44 in int8, -2 -> 254 in uint8), so the result keeps
    the tensor's dtype (NumPy would refuse the out-of-range int). Beside a bool tensor the int
    stays (the result is int64)."""
    for s, t, first in ((input, other, True), (other, input, False)):
        if _is_int(s) and isinstance(t, Tensor) and t._data.dtype.kind in "iu" \
                and -2**63 <= s < 2**64:
            dt = t._data.dtype
            bits = dt.itemsize * 8
            v = s & ((1 << bits) - 1)
            if dt.kind == "i" and v >= 1 << (bits - 1):
                v -= 1 << bits
            v = xp.asarray(v, dtype=dt)
            return (v, bd) if first else (ad, v)
    return ad, bd


def _bitwise(name, ufunc_name, doc):
    def f(input, other, *, out=None):
        if not isinstance(input, Tensor) and not isinstance(other, Tensor):
            raise TypeError(f"{name}(): argument 'input' must be Tensor")
        ad, bd = pair(input, other)
        _int_only(name, ad, bd)
        xp = _xp(input, other)
        ad, bd = _wrapped(input, other, ad, bd, xp)
        try:
            res = make(xp.asarray(getattr(xp, ufunc_name)(ad, bd)))
        except ValueError:
            raise broadcast_error(shape_of(input), shape_of(other)) from None
        return res if out is None else write_out(res, out)

    f.__name__ = name
    f.__doc__ = doc
    return f


bitwise_and = _door.primitive("elementwise")(
    _bitwise("bitwise_and", "bitwise_and", "Bitwise AND of integer or bool tensors."))


bitwise_or = _door.primitive("elementwise")(
    _bitwise("bitwise_or", "bitwise_or", "Bitwise OR of integer or bool tensors."))


bitwise_xor = _door.primitive("elementwise")(
    _bitwise("bitwise_xor", "bitwise_xor", "Bitwise XOR of integer or bool tensors."))


def _shift(name, left):
    def f(input, other, *, out=None):
        ad, bd = pair(input, other)
        kernel = "lshift" if left else "rshift"  # PyTorch's kernel names in its messages
        _int_only(kernel, ad, bd)
        xp = _xp(input, other)
        ad, bd = _wrapped(input, other, ad, bd, xp)
        a = xp.asarray(ad)
        b = xp.asarray(bd)
        scalar = _is_int(other)
        dt = a.dtype if scalar else xp.result_type(a, b)
        if dt.kind == "b":
            if not (scalar or _is_int(input)):
                raise NotImplementedError(f'"{kernel}_cpu" not implemented for \'Bool\'')
            dt = xp.dtype("int64")  # bool << int: the int scalar promotes bool to int64
        a = a.astype(dt)
        bits = a.dtype.itemsize * 8
        # PyTorch: shifting by >= the bit width (or a negative amount) gives 0 (or -1 for a
        # right shift of a negative number); NumPy leaves this undefined
        big = (b >= bits) | (b < 0)
        bs = xp.where(big, 0, b).astype(a.dtype)
        if left:
            r = xp.left_shift(a, bs)
            r = xp.where(big, 0, r)
        else:
            r = xp.right_shift(a, bs)
            r = xp.where(big, xp.where(a < 0, -1, 0), r) if a.dtype.kind == "i" else \
                xp.where(big, 0, r)
        res = make(xp.asarray(r).astype(dt))
        return res if out is None else write_out(res, out)

    f.__name__ = name
    f.__doc__ = f"Bitwise {'left' if left else 'right'} shift of integer tensors."
    return f


bitwise_left_shift = _shift("bitwise_left_shift", True)


bitwise_right_shift = _shift("bitwise_right_shift", False)


@_door.primitive("elementwise")
def bitwise_not(input, *, out=None):
    """Bitwise NOT of an integer tensor (logical NOT for bool)."""
    d = input._data
    _int_only("bitwise_not", d)
    res = make(xp_of(d).invert(d))
    return res if out is None else write_out(res, out)


def _int_binary(name, np_name, a, b):
    ad, bd = pair(a, b)
    xp = _xp(a, b)
    kind = xp.result_type(ad, bd).kind
    if kind not in "iub" or kind == "b":
        from ..inplace import _dtype_name

        raise NotImplementedError(f'"{name}" not implemented for '
                           f"'{_dtype_name(xp.result_type(ad, bd))}'")
    return make(xp.asarray(_shape_checked(xp, getattr(xp, np_name), ad, bd)))


def gcd(input, other, *, out=None):
    """The elementwise greatest common divisor of integer tensors (non-negative)."""
    return _ret(_int_binary("gcd_cpu", "gcd", input, other), out, input, other)


def lcm(input, other, *, out=None):
    """The elementwise least common multiple of integer tensors (non-negative)."""
    return _ret(_int_binary("lcm_cpu", "lcm", input, other), out, input, other)
