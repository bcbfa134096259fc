"""Trigonometric and hyperbolic functions (sin, cos, tan, their inverses, sinh, cosh, tanh and
theirs), atan2, hypot, sinc, deg2rad, rad2deg."""

from __future__ import annotations

import math

from ... import dtypes as _dt
from ...autograd.function import Function
from ...autograd import dispatch as _door
from ...autograd.grad_mode import _state
from ...backend import xp_of
from .._util import (
    _binary, _c, _float, _kind, _quiet, _ret, _unary, _unary_fn, broadcast_error, make, pair,
    shape_of
)
from .activation_kernels import scalar_like
from .clamp import where
from .exp_log import rsqrt
from .float_unary import FloatUnary


class Tanh(Function):
    """y = tanh(x);  dy/dx = 1 - y**2"""

    _builtin = True
    _saved_names = ('result',)
    _node_name = "TanhBackward0"

    @staticmethod
    def forward(ctx, x):
        y = make(xp_of(x._data).tanh(_float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        yd = y._data
        if _state.enabled or _door.busy or yd.dtype.kind == "c":  # create_graph, or a mode
            # sees the ops: Tensor ops; else the arrays directly
            return grad_output * _c(1 - y * y)
        d = scalar_like(yd, 1) - yd * yd
        try:
            d *= grad_output._data
        except RuntimeWarning:  # inf * 0 with warnings as errors: the product is written
            pass
        return make(d)


class Sin(Function):
    """y = sin(x);  dy/dx = cos(x)"""

    _builtin = True
    _saved_names = ('self',)
    _node_name = "SinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with _quiet(xp_of(x._data)):  # sin(inf) is nan, silently
            return make(xp_of(x._data).sin(_float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * _c(cos(x))


class Cos(Function):
    """y = cos(x);  dy/dx = -sin(x)"""

    _builtin = True
    _saved_names = ('self',)
    _node_name = "CosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        with _quiet(xp_of(x._data)):
            return make(xp_of(x._data).cos(_float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -grad_output * _c(sin(x))


class Atan2(Function):
    """y = atan2(a, b);  dy/da = b / (a**2 + b**2), dy/db = -a / (a**2 + b**2)"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "Atan2Backward0"

    @staticmethod
    def forward(ctx, a, b):
        ad, bd = pair(a, b)
        if _kind(ad) not in "fc":  # integers: computed and returned in the default float dtype
            from ...dtypes import get_default_dtype

            xp = xp_of(a._data)
            ad = xp.asarray(ad).astype(get_default_dtype().np)
            bd = xp.asarray(bd).astype(get_default_dtype().np)
        ctx.save_for_backward(a, b)
        try:
            return make(xp_of(a._data).arctan2(ad, bd))
        except ValueError:
            raise broadcast_error(shape_of(a), shape_of(b)) from None

    @staticmethod
    def backward(ctx, grad_output):
        a, b = ctx.saved_tensors
        den = a * a + b * b
        # PyTorch: the gradient at atan2(0, 0) is 0 (not 0/0); a safe denominator keeps the
        # masked places finite in double backward
        zero = den == 0
        recip = where(zero, 0.0, 1.0 / where(zero, 1.0, den))
        return (grad_output * b * recip if ctx.needs_input_grad[0] else None), \
            (grad_output * -a * recip if ctx.needs_input_grad[1] else None)


class Hypot(Function):
    """y = sqrt(a**2 + b**2);  dy/da = a / y, dy/db = b / y"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "HypotBackward0"

    @staticmethod
    def forward(ctx, a, b):
        y = make(_binary(xp_of(a._data).hypot, a, b))
        ctx.save_for_backward(a, b, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        a, b, y = ctx.saved_tensors
        return (grad_output * a / y if ctx.needs_input_grad[0] else None), \
            (grad_output * b / y if ctx.needs_input_grad[1] else None)


tanh = _unary_fn(Tanh, "Hyperbolic tangent.")


sin = _unary_fn(Sin, "Sine.")


cos = _unary_fn(Cos, "Cosine.")


def atan2(input, other, *, out=None):
    """The angle of the point ``(other, input)``, in ``(-pi, pi]``."""
    return _ret(Atan2.apply(input, other), out, input, other)


arctan2 = atan2


def hypot(input, other, *, out=None):
    """``sqrt(input**2 + other**2)`` without overflow."""
    return _ret(Hypot.apply(input, other), out, input, other)


# --------------------------------------------------------------- trigonometric and hyperbolic
class Tan(FloatUnary):
    """y = tan(x);  dy/dx = 1 + y**2"""

    _node_name, _kernel, _saves_result = "TanBackward0", "tan", True

    @staticmethod
    def derivative(grad_output, y):
        return grad_output * _c(1 + y * y)


class Asin(FloatUnary):
    """y = asin(x);  dy/dx = 1 / sqrt(1 - x**2)"""

    _node_name, _kernel = "AsinBackward0", "arcsin"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * _c(rsqrt(1 - x * x))


class Acos(FloatUnary):
    """y = acos(x);  dy/dx = -1 / sqrt(1 - x**2)"""

    _node_name, _kernel = "AcosBackward0", "arccos"

    @staticmethod
    def derivative(grad_output, x):
        return -grad_output * _c(rsqrt(1 - x * x))


class Atan(FloatUnary):
    """y = atan(x);  dy/dx = 1 / (1 + x**2)"""

    _node_name, _kernel = "AtanBackward0", "arctan"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output / _c(x * x + 1)


class Sinh(FloatUnary):
    """y = sinh(x);  dy/dx = cosh(x)"""

    _node_name, _kernel = "SinhBackward0", "sinh"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * _c(cosh(x))


class Cosh(FloatUnary):
    """y = cosh(x);  dy/dx = sinh(x)"""

    _node_name, _kernel = "CoshBackward0", "cosh"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * _c(sinh(x))


class Asinh(FloatUnary):
    """y = asinh(x);  dy/dx = 1 / sqrt(x**2 + 1)"""

    _node_name, _kernel = "AsinhBackward0", "arcsinh"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * _c(rsqrt(x * x + 1))


class Acosh(FloatUnary):
    """y = acosh(x);  dy/dx = 1 / (sqrt(x - 1) sqrt(x + 1))"""

    _node_name, _kernel = "AcoshBackward0", "arccosh"

    @staticmethod
    def derivative(grad_output, x):
        if x.is_complex():
            # sqrt(x - 1) sqrt(x + 1), not sqrt(x**2 - 1): the right branch for complex x
            return grad_output * _c(rsqrt(x - 1) * rsqrt(x + 1))
        # real x: 1 / sqrt(x**2 - 1), finite for x < -1 (as PyTorch), though acosh is nan there
        return grad_output * rsqrt(x * x - 1)


class Atanh(FloatUnary):
    """y = atanh(x);  dy/dx = 1 / (1 - x**2)"""

    _node_name, _kernel = "AtanhBackward0", "arctanh"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output / _c(1 - x * x)


tan = _unary(Tan, "Tangent.")


asin = arcsin = _unary(Asin, "Inverse sine.")


acos = arccos = _unary(Acos, "Inverse cosine.")


atan = arctan = _unary(Atan, "Inverse tangent.")


sinh = _unary(Sinh, "Hyperbolic sine.")


cosh = _unary(Cosh, "Hyperbolic cosine.")


asinh = arcsinh = _unary(Asinh, "Inverse hyperbolic sine.")


acosh = arccosh = _unary(Acosh, "Inverse hyperbolic cosine.")


atanh = arctanh = _unary(Atanh, "Inverse hyperbolic tangent.")


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

        (x,) = ctx.saved_tensors
        px = x * math.pi
        d = (px * cos(px) - sin(px)) / (px * x)
        return grad_output * _c(where(x == 0, 0.0, d))


def sinc(input, *, out=None):
    """The normalised sinc ``sin(pi x) / (pi x)`` (1 at 0)."""
    return _ret(Sinc.apply(input), out, input)


# ------------------------------------------------------------------------------------------ angles
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
