"""Exponentials, logarithms and roots: exp, exp2, expm1, log, log2, log10, log1p, sqrt, rsqrt,
reciprocal, square, logaddexp, logaddexp2."""

from __future__ import annotations

import math
import operator

from ...autograd.function import Function
from ...autograd import dispatch as _door
from ...autograd.grad_mode import _state
from ...backend import errstate as _be_errstate
from ...backend import threads as _threads
from ...backend import xp_of
from .._util import (
    _binary,
    _c,
    _check_float_binary,
    _float,
    _quiet,
    quiet_retry,
    _ret,
    _unary,
    _unary_fn,
    make,
    write_out,
)
from .float_unary import FloatUnary


# ---------------------------------------------------------------------------------- exp, log, sqrt
class Exp(Function):
    """y = exp(x);  dy/dx = y"""

    _builtin = True
    _saved_names = ('result',)
    _node_name = "ExpBackward0"

    @staticmethod
    def forward(ctx, x):
        xp, xd = xp_of(x._data), _float(x)
        try:
            y = make(_threads.unary(xp.exp, xd))  # chunked when large
        except RuntimeWarning:  # overflow with warnings as errors (free otherwise)
            y = make(quiet_retry(xp.exp, xd))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        yd = y._data
        if _state.enabled or _door.busy or yd.dtype.kind == "c":  # create_graph, or a mode
            # sees the ops: Tensor ops; else the arrays directly
            return grad_output * _c(y)
        try:
            return make(grad_output._data * yd)
        except RuntimeWarning:  # inf * 0 with warnings as errors
            return make(quiet_retry(operator.mul, grad_output._data, yd))


class Log(Function):
    """y = log(x);  dy/dx = 1/x"""

    _builtin = True
    _saved_names = ('self',)
    _node_name = "LogBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xp = xp_of(x._data)
        with _be_errstate(xp, divide="ignore", invalid="ignore"):
            return make(xp.log(_float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / _c(x)


class Sqrt(Function):
    """y = sqrt(x);  dy/dx = 1 / (2 y)"""

    _builtin = True
    _saved_names = ('result',)
    _node_name = "SqrtBackward0"

    @staticmethod
    def forward(ctx, x):
        xp = xp_of(x._data)
        with _be_errstate(xp, invalid="ignore"):
            y = make(xp.sqrt(_float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output / _c(2 * y)


exp = _unary_fn(Exp, "``e ** input`` elementwise.")


log = _unary_fn(Log, "Natural logarithm (``-inf`` at 0, NaN below).")


sqrt = _unary_fn(Sqrt, "Square root (NaN below 0).")


_LN2 = math.log(2.0)


_LN10 = math.log(10.0)


# ---------------------------------------------- exp2, expm1, log2, log10, log1p, reciprocal, rsqrt
class Exp2(FloatUnary):
    """y = 2**x;  dy/dx = y * ln 2"""

    _node_name, _kernel, _saves_result = "Exp2Backward0", "exp2", True

    @staticmethod
    def derivative(grad_output, y):
        return grad_output * _c(y * _LN2)


class Expm1(FloatUnary):
    """y = exp(x) - 1;  dy/dx = y + 1"""

    _node_name, _kernel, _saves_result = "Expm1Backward0", "expm1", True

    @staticmethod
    def derivative(grad_output, y):
        return grad_output * _c(y + 1)


class Log2(FloatUnary):
    """y = log2(x);  dy/dx = 1 / (x ln 2)"""

    _node_name, _kernel = "Log2Backward0", "log2"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output / _c(x * _LN2)


class Log10(FloatUnary):
    """y = log10(x);  dy/dx = 1 / (x ln 10)"""

    _node_name, _kernel = "Log10Backward0", "log10"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output / _c(x * _LN10)


class Log1p(FloatUnary):
    """y = log(1 + x);  dy/dx = 1 / (1 + x)"""

    _node_name, _kernel = "Log1pBackward0", "log1p"

    @staticmethod
    def derivative(grad_output, x):
        return grad_output / _c(x + 1)


class Reciprocal(FloatUnary):
    """y = 1 / x;  dy/dx = -y**2"""

    _node_name, _kernel, _saves_result = "ReciprocalBackward0", "reciprocal", True

    @staticmethod
    def derivative(grad_output, y):
        return -grad_output * _c(y * y)


class Rsqrt(Function):
    """y = x ** -0.5;  dy/dx = -0.5 y**3"""

    _builtin = True
    _node_name = "RsqrtBackward0"

    @staticmethod
    def forward(ctx, x):
        xd = _float(x)
        xp = xp_of(xd)
        with _quiet(xp):
            y = make(xp.reciprocal(xp.sqrt(xd)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * _c(y * y * y) * -0.5


exp2 = _unary(Exp2, "``2 ** input`` elementwise.")


expm1 = _unary(Expm1, "``exp(input) - 1``, accurate for small inputs.")


log2 = _unary(Log2, "Base-2 logarithm.")


log10 = _unary(Log10, "Base-10 logarithm.")


log1p = _unary(Log1p, "``log(1 + input)``, accurate for small inputs.")


reciprocal = _unary(Reciprocal, "``1 / input`` (integer inputs give floats).")


rsqrt = _unary(Rsqrt, "``1 / sqrt(input)``.")


def square(input, *, out=None):
    """``input ** 2`` (PyTorch computes it as ``pow(input, 2)``; bool gives int64)."""
    from .arithmetic import Pow

    if input._data.dtype.kind == "b":
        input = input.long()
    res = Pow.apply(input, 2)
    return res if out is None else write_out(res, out, input)


class _LogAddExpBase(Function):
    """y = log_b(b**a + b**c) by the array kernel ``_kernel``; its gradients are sigmoids of the
    differences scaled by ``ln b`` (``_ln_base``; None for base e, which needs no scaling)."""

    _builtin = True
    _ln_base = None

    @classmethod
    def forward(cls, ctx, a, b):
        ctx.save_for_backward(a, b)
        xp = xp_of(a._data)
        with _quiet(xp):
            return make(_binary(getattr(xp, cls._kernel), a, b))

    @classmethod
    def backward(cls, ctx, grad_output):
        from .activation import sigmoid

        a, b = ctx.saved_tensors
        ln_b = cls._ln_base
        ga = gb = None
        if ctx.needs_input_grad[0]:
            ga = grad_output * sigmoid(a - b if ln_b is None else (a - b) * ln_b)
        if ctx.needs_input_grad[1]:
            gb = grad_output * sigmoid(b - a if ln_b is None else (b - a) * ln_b)
        return ga, gb


class LogAddExp(_LogAddExpBase):
    """y = log(exp(a) + exp(b));  dy/da = sigmoid(a - b), dy/db = sigmoid(b - a)"""

    _node_name, _kernel = "LogaddexpBackward0", "logaddexp"


class LogAddExp2(_LogAddExpBase):
    """y = log2(2**a + 2**b);  dy/da = sigmoid((a - b) ln 2), dy/db = sigmoid((b - a) ln 2)"""

    _node_name, _kernel, _ln_base = "Logaddexp2Backward0", "logaddexp2", _LN2


def logaddexp(input, other, *, out=None):
    """``log(exp(input) + exp(other))`` computed without overflow."""
    _check_float_binary("logaddexp_cpu", input, other)
    return _ret(LogAddExp.apply(input, other), out, input, other)


def logaddexp2(input, other, *, out=None):
    """``log2(2**input + 2**other)`` computed without overflow."""
    _check_float_binary("logaddexp2_cpu", input, other)
    return _ret(LogAddExp2.apply(input, other), out, input, other)
