"""Rounding and sign: abs, floor, ceil, trunc, round, frac, sign, sgn, copysign, signbit,
heaviside, nextafter, frexp, ldexp."""

from __future__ import annotations

from ... import dtypes as _dt
from ...autograd.function import Function
from ...backend import xp_of
from ...tensor import Tensor
from .._util import (
    _binary, _float_pair, _quiet, _ret, _shape_checked, _type_name, _unary, _unary_fn, make,
    write_out
)
from .clamp import where


class Abs(Function):
    """y = |x|;  dy/dx = sign(x)"""

    _builtin = True
    _saved_names = ('self',)
    _node_name = "AbsBackward0"

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind == "b":
            raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")  # as PyTorch
        ctx.save_for_backward(x)
        return make(xp_of(x._data).abs(x._data))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * sgn(x)  # sgn: also right for complex x (x / |x|)


abs = absolute = _unary_fn(Abs, "``|input|`` (gradient ``sign(input)``).")


# ------------------------------------------------------------------------------------ rounding
class _Rounding(Function):
    """Base of floor, ceil, trunc and round (half to even): y = the array function ``_kernel``
    of x;  dy/dx = 0. Integer tensors come back unchanged (a copy), as in PyTorch; bool has no
    kernel there. A subclass is named for its op (``Floor``: PyTorch's ``floor``)."""

    _builtin = True

    @classmethod
    def forward(cls, ctx, x):
        d = x._data
        if d.dtype.kind == "b":
            # PyTorch raises NotImplementedError (its "no kernel for this dtype" error) here
            raise NotImplementedError(f"\"{cls.__name__.lower()}_vml_cpu\" not implemented for "
                                      "'Bool'")
        if d.dtype.kind in "iu":
            return make(d.copy())
        return make(getattr(xp_of(d), cls._kernel)(d))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


def _rounding_op(name, kernel, formula):
    """The ``_Rounding`` Function ``name`` (node ``<name>Backward0``) computed by ``kernel``."""
    return type(name, (_Rounding,), {"__doc__": formula, "__module__": __name__,
                                     "_node_name": name + "Backward0", "_kernel": kernel})


Floor = _rounding_op("Floor", "floor", "y = floor(x);  dy/dx = 0")
Ceil = _rounding_op("Ceil", "ceil", "y = ceil(x);  dy/dx = 0")
Trunc = _rounding_op("Trunc", "trunc", "y = trunc(x);  dy/dx = 0")
Round = _rounding_op("Round", "rint", "y = x rounded half to even;  dy/dx = 0")


class RoundDecimals(Function):
    """y = round(x * 10**d) / 10**d (half to even);  dy/dx = 0"""

    _builtin = True
    _node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, decimals):
        d = x._data
        if d.dtype.kind in "biu":
            raise NotImplementedError(f'"round_cpu" not implemented for \'{_type_name(x)}\'')
        xp = xp_of(d)
        # PyTorch's kernel: scale by 10**|decimals|, round to nearest even, scale back
        if decimals >= 0:
            ten = d.dtype.type(10.0 ** decimals)
            with _quiet(xp):
                return make((xp.rint(d * ten) / ten).astype(d.dtype, copy=False))
        ten = d.dtype.type(10.0 ** -decimals)
        with _quiet(xp):
            return make((xp.rint(d / ten) * ten).astype(d.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0, None


class Frac(Function):
    """y = x - trunc(x);  dy/dx = 1"""

    _builtin = True
    _node_name = "FracBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        if d.dtype.kind in "biu":
            raise NotImplementedError(f"\"frac_cpu\" not implemented for '{_type_name(x)}'")
        with _quiet(xp_of(d)):  # frac(inf) is nan
            return make(d - xp_of(d).trunc(d))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


def _real_sign(d):
    """PyTorch's sign of a real array, ``(0 < x) - (x < 0)``: 0 at nan (NumPy gives nan)."""
    if d.dtype.kind != "f":
        return xp_of(d).sign(d)
    return (d > 0).astype(d.dtype) - (d < 0).astype(d.dtype)


class Sign(Function):
    """y = sign(x);  dy/dx = 0"""

    _builtin = True
    _node_name = "SignBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        if d.dtype.kind == "b":
            return make(d.copy())
        if d.dtype.kind == "c":
            raise RuntimeError("Unlike NumPy, torch.sign is not intended to support complex "
                               "numbers. Please use torch.sgn instead.")
        return make(_real_sign(d))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


class Sgn(Function):
    """y = x / |x| (0 at 0);  dy/dx = 0 for real x, (g - Re(g conj(y)) y) / |x| for complex"""

    _builtin = True
    _node_name = "SgnBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        xp = xp_of(d)
        if d.dtype.kind != "c":
            return make(d.copy() if d.dtype.kind == "b" else _real_sign(d))
        a = xp.abs(d)
        with _quiet(xp):
            out = xp.where(a == 0, 0, d / xp.where(a == 0, 1, a)).astype(d.dtype)
        y = make(out)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        if not grad_output.is_complex():
            return grad_output * 0
        x, y = ctx.saved_tensors
        from .rounding import abs as _abs
        from .clamp import where

        a = _abs(x)
        g = (grad_output - (grad_output * y.conj()).real * y) / a
        return where(a == 0, 0.0, g)


floor = _unary(Floor, "Largest integer <= input (integer tensors unchanged).")


ceil = _unary(Ceil, "Smallest integer >= input.")


trunc = fix = _unary(Trunc, "Round toward zero.")


frac = _unary(Frac, "``input - trunc(input)``.")


sign = _unary(Sign, "-1, 0 or 1 by the sign of each element (gradient zero).")


sgn = _unary(Sgn, "``input / |input|`` (0 at 0); equals ``sign`` for real inputs.")


def round(input, *, decimals=0, out=None):
    """Round half to even; ``decimals`` rounds to that many decimal places (may be negative).

    Example: ``ember.round(ember.tensor([0.5, 1.5, 2.345]), decimals=2)``."""
    res = Round.apply(input) if decimals == 0 else RoundDecimals.apply(input, int(decimals))
    return res if out is None else write_out(res, out, input)


# ------------------------------------------------------------------------------ copysign
class Copysign(Function):
    """y = |a| with the sign of b;  dy/da = y / a (0 where a == 0), dy/db = 0"""

    _builtin = True
    _node_name = "CopysignBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = _float_pair(a, b)
        xp = xp_of(a._data)
        y = make(xp.asarray(_shape_checked(xp, xp.copysign, ad, bd)))
        ctx.save_for_backward(a, y)
        ctx.b_is_tensor = isinstance(b, Tensor)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        a, y = ctx.saved_tensors
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = grad_output * where(a == 0, 0.0, y / a)
        if ctx.b_is_tensor and ctx.needs_input_grad[1]:
            gb = grad_output * 0.0
        return ga, gb


def copysign(input, other, *, out=None):
    """``|input|`` with the sign of ``other`` (a tensor or a number); integer inputs give the
    default float dtype."""
    return _ret(Copysign.apply(input, other), out, input, other)


# ---------------------------------------------------------------- signbit, nextafter, frexp, ldexp
class Heaviside(Function):
    """y = 0 for x < 0, values for x == 0, 1 for x > 0;  no derivative (PyTorch has none)"""

    _builtin = True
    _node_name = "HeavisideBackward0"

    @staticmethod
    def forward(ctx, x, values):
        if x._data.dtype != values._data.dtype:
            raise RuntimeError("heaviside is not yet implemented for tensors with different "
                               "dtypes")
        xp = xp_of(x._data)
        return make(xp.asarray(_binary(xp.heaviside, x, values)).astype(x._data.dtype))

    @staticmethod
    def backward(ctx, grad_output):
        raise RuntimeError("the derivative for 'heaviside' is not implemented.")


def heaviside(input, values, *, out=None):
    """The Heaviside step: 0 below zero, ``values`` at zero, 1 above (no gradient)."""
    return _ret(Heaviside.apply(input, values), out, input, values)


def signbit(input, *, out=None):
    """True where the sign bit is set (``-0.0`` included); a bool tensor."""
    d = input._data
    return _ret(make(xp_of(d).signbit(d)), out, input)


class Nextafter(Function):
    """y = the next float after x towards other;  dy/dx = 1 where x != other (else 0),
    dy/dother = 0, as PyTorch 2.13"""

    _builtin = True
    _node_name = "NextafterBackward0"

    @staticmethod
    def forward(ctx, x, other):
        xp = xp_of(x._data)
        if x._data.dtype.kind != "f":
            from ..inplace import _dtype_name

            raise NotImplementedError(f"\"nextafter_cpu\" not implemented for "
                               f"'{_dtype_name(x._data.dtype)}'")
        ctx.save_for_backward(x, other)
        return make(xp.asarray(_binary(xp.nextafter, x, other)))

    @staticmethod
    def backward(ctx, grad_output):
        x, other = ctx.saved_tensors
        return grad_output * (x != other), (grad_output * 0 if ctx.needs_input_grad[1] else None)


def nextafter(input, other, *, out=None):
    """The next representable float after ``input`` towards ``other``."""
    return _ret(Nextafter.apply(input, other), out, input, other)


class Frexp(Function):
    """(m, e) with x = m * 2**e, 0.5 <= |m| < 1;  dm/dx = 2**-e, e has no gradient"""

    _builtin = True
    _node_name = "FrexpBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        if d.dtype.kind != "f":
            raise RuntimeError("torch.frexp() only supports floating-point dtypes")
        xp = xp_of(d)
        m, e = xp.frexp(d)
        e = make(xp.asarray(e).astype(xp.int32))
        ctx.mark_non_differentiable(e)
        ctx.save_for_backward(e)
        return make(xp.asarray(m)), e

    @staticmethod
    def backward(ctx, grad_m, grad_e):
        (e,) = ctx.saved_tensors
        from .arithmetic import pow as _pow

        return grad_m / _pow(2.0, e.to(grad_m.dtype))


def frexp(input, *, out=None):
    """Decompose into mantissa (in ``[0.5, 1)`` in magnitude) and int32 exponent."""
    m, e = Frexp.apply(input)
    if out is not None:
        out[0].copy_(m)
        out[1].copy_(e)
        m, e = out
    return _FrexpResult(m, e)


def _make_result():
    from collections import namedtuple

    return namedtuple("frexp", ["mantissa", "exponent"])


_FrexpResult = _make_result()


def ldexp(input, other, *, out=None):
    """``input * 2**other``; integer ``input`` gives the default float dtype."""
    from .arithmetic import mul
    from .arithmetic import pow as _pow

    res = mul(input, _pow(2.0, other)) if isinstance(other, Tensor) else mul(input, 2.0 ** other)
    if not res.dtype.is_floating_point and not res.dtype.is_complex:
        res = res.to(_dt.get_default_dtype())
    return _ret(res, out, input, other)
