"""More elementwise maths: xlogy, logaddexp, sinc, copysign, the Bessel i0/i1, frexp/ldexp,
angle, and the integer/bit predicates (gcd, lcm, signbit, heaviside, nextafter).

Each differentiable primitive is a Function whose backward is written in Tensor ops (PyTorch's
formulas from ``derivatives.yaml``); the rest compose existing ops. Integer and bool inputs of a
floating op are computed in the default float dtype, as PyTorch does.
"""

from __future__ import annotations

import math

from .. import dtypes as _dt
from ..autograd.function import Function
from . import special_kernels as K
from ._util import Tensor, make, pair, xp_of
from .elementwise import _binary, _c, _float, _ret, where

__all__ = [
    "angle",
    "copysign",
    "deg2rad",
    "frexp",
    "gcd",
    "heaviside",
    "i0",
    "i1",
    "lcm",
    "ldexp",
    "logaddexp",
    "logaddexp2",
    "mvlgamma",
    "nextafter",
    "positive",
    "rad2deg",
    "signbit",
    "sinc",
    "xlog1py",
    "xlogy",
]


def _quiet(xp):
    return xp.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore")


def _xp(*xs):
    for x in xs:
        if isinstance(x, Tensor):
            return xp_of(x._data)
    return xp_of(None)


def _float_pair(a, b):
    """The arrays of a binary floating op: promoted as PyTorch promotes, integers and bools
    computed in the default float dtype."""
    ad, bd = pair(a, b)
    xp = _xp(a, b)
    kind = xp.result_type(ad, bd).kind
    if kind not in "fc":
        ft = _dt.get_default_dtype().np
        ad = xp.asarray(ad, dtype=ft)
        bd = xp.asarray(bd, dtype=ft)
    return ad, bd


def _shape_checked(xp, fn, ad, bd):
    try:
        return fn(ad, bd)
    except ValueError:
        from ._util import broadcast_error

        raise broadcast_error(xp.shape(ad), xp.shape(bd)) from None


# ---------------------------------------------------------------------------------- xlogy
class Xlogy(Function):
    """y = x * log(other), 0 where x == 0 (NaN if other is NaN);
    dy/dx = log(other) (0 where x == 0 and other <= 0), dy/dother = x / other"""

    _builtin = True
    _node_name = "XlogyBackward0"

    @staticmethod
    def forward(ctx, x, other):
        ad, bd = _float_pair(x, other)
        xp = _xp(x, other)

        def f(a, b):
            with _quiet(xp):
                r = a * xp.log(b)
            return xp.where(xp.isnan(b), xp.nan, xp.where(a == 0, 0, r)).astype(
                xp.result_type(a, b), copy=False)

        ctx.save_for_backward(x, other)
        return make(xp.asarray(_shape_checked(xp, f, ad, bd)))

    @staticmethod
    def backward(ctx, grad_output):
        x, other = ctx.saved_tensors
        gx = go = None
        if ctx.needs_input_grad[0]:
            gx = where((x == 0) & (other <= 0), 0.0, xlogy(grad_output, other))
        if ctx.needs_input_grad[1]:
            go = grad_output * x / other
        return gx, go


def xlogy(input, other, *, out=None):
    """``input * log(other)``, and 0 where ``input`` is 0 (even if ``other`` is 0); either
    argument may be a number. Example: ``ember.xlogy(ember.tensor([0., 2.]), 0.)`` is
    ``tensor([0., -inf])``."""
    input, other = _both_tensors("xlogy", input, other)
    return _ret(Xlogy.apply(input, other), out, input, other)


def _both_tensors(name, a, b):
    if not isinstance(a, Tensor) and not isinstance(b, Tensor):
        raise TypeError(f"{name}(): expected a Tensor argument")
    if not isinstance(a, Tensor):
        a = _scalar_like(a, b)
    if not isinstance(b, Tensor):
        b = _scalar_like(b, a)
    return a, b


def _scalar_like(s, ref):
    """A Python number first argument as a 0-d tensor (PyTorch's wrapped-number promotion)."""
    xp = xp_of(ref._data)
    dt = _dt.result_type_of(ref, s)
    return make(xp.asarray(s, dtype=dt.np))


class Xlog1py(Function):
    """y = x * log1p(other), 0 where x == 0 (NaN if other is NaN);
    dy/dx = log1p(other) (0 where x == 0 and other <= -1), dy/dother = x / (1 + other)"""

    _builtin = True
    _node_name = "SpecialXlog1pyBackward0"

    @staticmethod
    def forward(ctx, x, other):
        ad, bd = _float_pair(x, other)
        xp = _xp(x, other)

        def f(a, b):
            with _quiet(xp):
                r = a * xp.log1p(b)
            return xp.where(xp.isnan(b), xp.nan, xp.where(a == 0, 0, r)).astype(
                xp.result_type(a, b), copy=False)

        ctx.save_for_backward(x, other)
        return make(xp.asarray(_shape_checked(xp, f, ad, bd)))

    @staticmethod
    def backward(ctx, grad_output):
        x, other = ctx.saved_tensors
        gx = go = None
        if ctx.needs_input_grad[0]:
            gx = where((x == 0) & (other <= -1), 0.0, xlog1py(grad_output, other))
        if ctx.needs_input_grad[1]:
            go = grad_output * x / (other + 1)
        return gx, go


def xlog1py(input, other, *, out=None):
    """``input * log1p(other)``, 0 where ``input`` is 0 (``torch.special.xlog1py``)."""
    input, other = _both_tensors("xlog1py", input, other)
    return _ret(Xlog1py.apply(input, other), out, input, other)


# ---------------------------------------------------------------------------- logaddexp
def _check_float_binary(name, a, b):
    for t in (a, b):
        if isinstance(t, Tensor) and t._data.dtype.kind in "biu":
            from .inplace import _dtype_name

            raise RuntimeError(f'"{name}" not implemented for '
                               f"'{_dtype_name(t._data.dtype)}'")


class LogAddExp(Function):
    """y = log(exp(a) + exp(b));  dy/da = sigmoid(a - b), dy/db = sigmoid(b - a)"""

    _builtin = True
    _node_name = "LogaddexpBackward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        xp = xp_of(a._data)
        with _quiet(xp):
            return make(_binary(xp.logaddexp, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        from .elementwise import sigmoid

        a, b = ctx.saved_tensors
        ga = grad_output * sigmoid(a - b) if ctx.needs_input_grad[0] else None
        gb = grad_output * sigmoid(b - a) if ctx.needs_input_grad[1] else None
        return ga, gb


class LogAddExp2(Function):
    """y = log2(2**a + 2**b);  dy/da = sigmoid((a - b) ln 2), dy/db = sigmoid((b - a) ln 2)"""

    _builtin = True
    _node_name = "Logaddexp2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        ctx.save_for_backward(a, b)
        xp = xp_of(a._data)
        with _quiet(xp):
            return make(_binary(xp.logaddexp2, a, b))

    @staticmethod
    def backward(ctx, grad_output):
        from .elementwise import sigmoid

        a, b = ctx.saved_tensors
        ln2 = math.log(2.0)
        ga = grad_output * sigmoid((a - b) * ln2) if ctx.needs_input_grad[0] else None
        gb = grad_output * sigmoid((b - a) * ln2) if ctx.needs_input_grad[1] else None
        return ga, gb


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))`` computed without overflow."""
    _check_float_binary("logaddexp_cpu", input, other)
    return _ret(LogAddExp.apply(input, other), out, input, other)


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)`` computed without overflow."""
    _check_float_binary("logaddexp2_cpu", input, other)
    return _ret(LogAddExp2.apply(input, other), out, input, other)


# ---------------------------------------------------------------------------------- sinc
class Sinc(Function):
    """y = sin(pi x) / (pi x), 1 at 0;  dy/dx = (cos(pi x) pi x - sin(pi x)) / (pi x**2), 0 at 0"""

    _builtin = True
    _node_name = "SincBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).sinc(xd).astype(xd.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        from .elementwise import cos, sin

        (x,) = ctx.saved_tensors
        px = x * math.pi
        d = (px * cos(px) - sin(px)) / (px * x)
        return grad_output * _c(where(x == 0, 0.0, d))


def sinc(input, *, out=None):
    """The normalised sinc ``sin(pi x) / (pi x)`` (1 at 0)."""
    return _ret(Sinc.apply(input), out, input)


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


# ------------------------------------------------------------------- non-differentiable ones
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


def _int_binary(name, np_name, a, b):
    ad, bd = pair(a, b)
    xp = _xp(a, b)
    kind = xp.result_type(ad, bd).kind
    if kind not in "iub" or kind == "b":
        from .inplace import _dtype_name

        raise RuntimeError(f'"{name}" not implemented for '
                           f"'{_dtype_name(xp.result_type(ad, bd))}'")
    return make(xp.asarray(_shape_checked(xp, getattr(xp, np_name), ad, bd)))


def gcd(input, other, *, out=None):
    """The elementwise greatest common divisor of integer tensors (non-negative)."""
    return _ret(_int_binary("gcd_cpu", "gcd", input, other), out, input, other)


def lcm(input, other, *, out=None):
    """The elementwise least common multiple of integer tensors (non-negative)."""
    return _ret(_int_binary("lcm_cpu", "lcm", input, other), out, input, other)


def signbit(input, *, out=None):
    """True where the sign bit is set (``-0.0`` included); a bool tensor."""
    d = input._data
    return _ret(make(xp_of(d).signbit(d)), out, input)


class Nextafter(Function):
    """y = the next float after x towards other;  no derivative (PyTorch has none)"""

    _builtin = True
    _node_name = "NextafterBackward0"

    @staticmethod
    def forward(ctx, x, other):
        xp = xp_of(x._data)
        if x._data.dtype.kind != "f":
            from .inplace import _dtype_name

            raise RuntimeError(f"\"nextafter_cpu\" not implemented for "
                               f"'{_dtype_name(x._data.dtype)}'")
        return make(xp.asarray(_binary(xp.nextafter, x, other)))

    @staticmethod
    def backward(ctx, grad_output):
        raise RuntimeError("the derivative for 'nextafter' is not implemented.")


def nextafter(input, other, *, out=None):
    """The next representable float after ``input`` towards ``other``."""
    return _ret(Nextafter.apply(input, other), out, input, other)


# ------------------------------------------------------------------------ angles, frexp/ldexp
def _to_float(x):
    if x._data.dtype.kind in "fc":
        return x
    return x.to(_dt.get_default_dtype())


def deg2rad(input, *, out=None):
    """Degrees to radians (integer inputs give the default float dtype)."""
    if input._data.dtype.kind == "c":
        raise RuntimeError("deg2rad is not supported for complex tensors.")
    return _ret(_to_float(input) * (math.pi / 180.0), out, input)


def rad2deg(input, *, out=None):
    """Radians to degrees (integer inputs give the default float dtype)."""
    if input._data.dtype.kind == "c":
        raise RuntimeError("rad2deg is not supported for complex tensors.")
    return _ret(_to_float(input) * (180.0 / math.pi), out, input)


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
        from .elementwise import pow as _pow

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
    from .elementwise import mul
    from .elementwise import pow as _pow

    res = mul(input, _pow(2.0, other)) if isinstance(other, Tensor) else mul(input, 2.0 ** other)
    if not res.dtype.is_floating_point and not res.dtype.is_complex:
        res = res.to(_dt.get_default_dtype())
    return _ret(res, out, input, other)


# ------------------------------------------------------------------------ Bessel i0 and i1
class I0(Function):
    """y = I0(x), the modified Bessel function of order 0;  dy/dx = I1(x)"""

    _builtin = True
    _node_name = "I0Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        xp = xp_of(xd)
        with _quiet(xp):
            return make(xp.asarray(xp.i0(xd)).astype(xd.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * i1(x)


class I1(Function):
    """y = I1(x);  dy/dx = I0(x) - I1(x) / x (1/2 at 0)"""

    _builtin = True
    _node_name = "SpecialI1Backward0"

    @staticmethod
    def forward(ctx, x):
        xd = _float(x)
        xp = xp_of(xd)
        d = xd.astype("float64", copy=False)
        with _quiet(xp):
            y = make((xp.exp(xp.abs(d)) * K.i1e_array(d)).astype(xd.dtype, copy=False))
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return grad_output * where(x == 0, 0.5, i0(x) - y / x)


def i0(input, *, out=None):
    """The modified Bessel function of the first kind, order 0."""
    return _ret(I0.apply(input), out, input)


def i1(input, *, out=None):
    """The modified Bessel function of the first kind, order 1 (``torch.special.i1``)."""
    return _ret(I1.apply(input), out, input)


# ---------------------------------------------------------------------------------- angle
class Angle(Function):
    """y = arg(x) (0 or pi for real x);  dy/dx = 0 for real x, i x / |x|**2 (conj.) for complex"""

    _builtin = True
    _node_name = "AngleBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        xp = xp_of(d)
        ctx.save_for_backward(x)
        if d.dtype.kind == "c":
            return make(xp.asarray(xp.angle(d)))
        xd = _float(x)
        out = xp.where(xd < 0, xp.asarray(math.pi, xd.dtype), xp.asarray(0, xd.dtype))
        return make(xp.where(xp.isnan(xd), xd, out).astype(xd.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        if not x.is_complex():
            return grad_output * 0.0
        g = grad_output * x / (x.abs() ** 2) * 1j
        return where(x == 0, 0.0, g)


def angle(input, *, out=None):
    """The argument of each element (radians); for real input 0 or pi."""
    return _ret(Angle.apply(input), out, input)


def positive(input):
    """``input`` itself (``+input``); not defined for bool tensors, as in PyTorch."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def mvlgamma(input, p):
    """The multivariate log-gamma ``sum_i lgamma(x - i/2) + p(p-1)/4 log(pi)`` over
    ``i < p`` (defined for elements above ``(p - 1) / 2``; like PyTorch 2.13, ember does not
    check the domain)."""
    from .math_ext import lgamma
    from .shape import stack

    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.dtype.is_floating_point:
        raise RuntimeError("mvlgamma expects a floating point input")
    terms = stack([lgamma(input - i / 2.0) for i in range(p)], 0)
    return terms.sum(0) + p * (p - 1) / 4.0 * math.log(math.pi)
