"""``FloatUnary``: the base of the unary ops computed in floating point by one array kernel
(exp2, expm1, log2, log10, log1p, reciprocal, tan, asin, acos, atan, sinh, cosh, asinh, acosh,
atanh; erf, erfc, erfinv, lgamma, digamma, i0 through special's ``SpecialUnary``)."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import xp_of
from .._util import _float, _quiet, make


class FloatUnary(Function):
    """A unary op ``y = f(x)`` run by the array module's kernel named ``_kernel`` (or by the
    subclass's ``compute``) on ``x`` in floating point (integers and bools give the default float dtype), quietly (inf and nan come
    silently, as in PyTorch).

    Backward reads the result ``y`` when ``_saves_result`` is set, else the input ``x``, and
    returns ``derivative(grad_output, x_or_y)``: the subclass's one-line ``grad * dy/dx``, the
    formula its docstring states."""

    _builtin = True
    _kernel = ""
    _saves_result = False

    @classmethod
    def forward(cls, ctx, x):
        y = make(cls.compute(_float(x)))
        ctx.save_for_backward(y if cls._saves_result else x)
        return y

    @classmethod
    def compute(cls, xd):
        """The values of ``f`` on the floating-point array ``xd``."""
        xp = xp_of(xd)
        with _quiet(xp):
            return getattr(xp, cls._kernel)(xd)

    @classmethod
    def backward(cls, ctx, grad_output):
        (saved,) = ctx.saved_tensors
        return cls.derivative(grad_output, saved)

    @staticmethod
    def derivative(grad_output, saved):
        raise NotImplementedError
