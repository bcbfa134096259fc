"""Special functions as differentiable ops: erf, erfc, erfinv, lgamma, digamma, polygamma,
logit, xlogy, xlog1py, i0, i1, mvlgamma (the array kernels are in ``special_kernels``)."""

from __future__ import annotations

import math

from ...autograd.function import Function
from ...backend import xp_of
from .._util import (
    _both_tensors, _float, _float_pair, _quiet, _ret, _shape_checked, _unary, _xp, make, write_out
)
from .clamp import where
from .exp_log import exp
from .float_unary import FloatUnary
from .special_kernels import (
    _TWO_OVER_SQRT_PI, digamma_array, erf_array, erfc_array, erfinv_array, i0_array, i1_array,
    lgamma_array, polygamma_array
)


# ------------------------------------------------------------------------- special functions
# the array kernels live in special_kernels (shared with ember.special); the ops compute in
# float64 and round to the input's dtype
def _special(kernel, d, *args):
    with _quiet(xp_of(d)):  # rounding a float64 result past float32's range gives inf
        return kernel(*args, d.astype("float64", copy=False)).astype(d.dtype, copy=False)


class SpecialUnary(FloatUnary):
    """A ``FloatUnary`` whose values come from a ``special_kernels`` array kernel (``_array``),
    computed in float64 and rounded to the input's dtype."""

    _array = None

    @classmethod
    def compute(cls, xd):
        return _special(cls._array, xd)


class Erf(SpecialUnary):
    """y = erf(x);  dy/dx = 2/sqrt(pi) exp(-x**2)"""

    _node_name, _array = "ErfBackward0", staticmethod(erf_array)

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * (_TWO_OVER_SQRT_PI * exp(-(x * x)))


class Erfc(SpecialUnary):
    """y = erfc(x) = 1 - erf(x);  dy/dx = -2/sqrt(pi) exp(-x**2)"""

    _node_name, _array = "ErfcBackward0", staticmethod(erfc_array)

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * (-_TWO_OVER_SQRT_PI * exp(-(x * x)))


class Erfinv(SpecialUnary):
    """y = erfinv(x);  dy/dx = sqrt(pi)/2 exp(y**2)"""

    _node_name, _array, _saves_result = "ErfinvBackward0", staticmethod(erfinv_array), True

    @staticmethod
    def derivative(grad_output, y):
        return grad_output * (exp(y * y) * (math.sqrt(math.pi) / 2))


class Lgamma(SpecialUnary):
    """y = log|gamma(x)|;  dy/dx = digamma(x)"""

    _node_name, _array = "LgammaBackward0", staticmethod(lgamma_array)

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * digamma(x)


class Digamma(SpecialUnary):
    """y = digamma(x) = d/dx lgamma(x);  dy/dx = polygamma(1, x)"""

    _node_name, _array = "DigammaBackward0", staticmethod(digamma_array)

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * polygamma(1, x)


class Polygamma(Function):
    """y = polygamma(n, x), the n-th derivative of digamma;  dy/dx = polygamma(n + 1, x)"""

    _builtin = True
    _node_name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return make(_special(polygamma_array, _float(x), n))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * polygamma(ctx.n + 1, x), None


class Logit(Function):
    """y = log(z / (1 - z)), z = x clamped to [eps, 1 - eps];
    dy/dx = 1 / (x (1 - x)) (0 outside [eps, 1 - eps] when eps is given)"""

    _builtin = True
    _node_name = "LogitBackward0"

    @staticmethod
    def forward(ctx, x, eps):
        xd = _float(x)
        xp = xp_of(xd)
        if eps is not None:
            xd = xp.clip(xd, eps, 1 - eps)
        ctx.save_for_backward(x)
        ctx.eps = eps
        with _quiet(xp):
            return make(xp.log(xd / (1 - xd)).astype(xd.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        from .clamp import where

        g = grad_output / (x * (1 - x))
        if ctx.eps is None:  # PyTorch: NaN outside [0, 1]
            return where((x < 0) | (x > 1), float("nan"), g), None
        eps = ctx.eps
        return where((x < eps) | (x > 1 - eps), 0.0, g), None


erf = _unary(Erf, "The error function.")


erfc = _unary(Erfc, "The complementary error function ``1 - erf(input)``.")


erfinv = _unary(Erfinv, "The inverse error function.")


lgamma = _unary(Lgamma, "``log|gamma(input)|`` (+inf at the poles).")


digamma = _unary(Digamma, "The logarithmic derivative of the gamma function.")


def polygamma(n, input, *, out=None):
    """The ``n``-th derivative of digamma (``n`` >= 0)."""
    if n < 0:
        raise RuntimeError("polygamma(n, x) does not support negative n.")
    res = Polygamma.apply(input, int(n))
    return res if out is None else write_out(res, out, input)


def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``; with ``eps``, ``p`` is first clamped to ``[eps, 1 - eps]``."""
    res = Logit.apply(input, eps)
    return res if out is None else write_out(res, out, input)


# ---------------------------------------------------------------------------------- xlogy
class _XLogBase(Function):
    """y = x * log(other + s), 0 where x == 0 (NaN if other is NaN), computed by the array
    kernel ``_log`` (log for s = 0, log1p for s = 1; ``_shift`` is s);
    dy/dx = log(other + s) (0 where x == 0 and other <= -s), dy/dother = x / (other + s)"""

    _builtin = True
    _shift = 0

    @classmethod
    def forward(cls, ctx, x, other):
        ad, bd = _float_pair(x, other)
        xp = _xp(x, other)
        log = getattr(xp, cls._log)

        def f(a, b):
            with _quiet(xp):
                r = a * log(b)
            return xp.where(xp.isnan(b), xp.nan, xp.where(a == 0, 0, r)).astype(
                xp.result_type(a, b), copy=False)

        ctx.save_for_backward(x, other)
        return make(xp.asarray(_shape_checked(xp, f, ad, bd)))

    @classmethod
    def backward(cls, ctx, grad_output):
        x, other = ctx.saved_tensors
        s = cls._shift
        gx = go = None
        if ctx.needs_input_grad[0]:  # grad_output * log(other + s), 0 where x == 0
            gx = where((x == 0) & (other <= -s), 0.0, cls.apply(grad_output, other))
        if ctx.needs_input_grad[1]:
            go = grad_output * x / (other + s if s else other)
        return gx, go


class Xlogy(_XLogBase):
    """y = x * log(other), 0 where x == 0 (NaN if other is NaN);
    dy/dx = log(other) (0 where x == 0 and other <= 0), dy/dother = x / other"""

    _node_name, _log = "XlogyBackward0", "log"


def xlogy(input, other, *, out=None):
    """``input * log(other)``, and 0 where ``input`` is 0 (even if ``other`` is 0); either
    argument may be a number. Example: ``ember.xlogy(ember.tensor([0., 2.]), 0.)`` is
    ``tensor([0., -inf])``."""
    input, other = _both_tensors("xlogy", input, other)
    return _ret(Xlogy.apply(input, other), out, input, other)


class Xlog1py(_XLogBase):
    """y = x * log1p(other), 0 where x == 0 (NaN if other is NaN);
    dy/dx = log1p(other) (0 where x == 0 and other <= -1), dy/dother = x / (1 + other)"""

    _node_name, _log, _shift = "SpecialXlog1pyBackward0", "log1p", 1


def xlog1py(input, other, *, out=None):
    """``input * log1p(other)``, 0 where ``input`` is 0 (``torch.special.xlog1py``)."""
    input, other = _both_tensors("xlog1py", input, other)
    return _ret(Xlog1py.apply(input, other), out, input, other)


# ------------------------------------------------------------------------ Bessel i0 and i1
class I0(SpecialUnary):
    """y = I0(x), the modified Bessel function of order 0;  dy/dx = I1(x)"""

    _node_name, _array = "I0Backward0", staticmethod(i0_array)

    @staticmethod
    def derivative(grad_output, x):
        return grad_output * i1(x)


class I1(Function):
    """y = I1(x);  dy/dx = I0(x) - I1(x) / x (1/2 at 0)"""

    _builtin = True
    _node_name = "SpecialI1Backward0"

    @staticmethod
    def forward(ctx, x):
        y = make(_special(i1_array, _float(x)))
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


def mvlgamma(input, p):
    """The multivariate log-gamma ``sum_i lgamma(x - i/2) + p(p-1)/4 log(pi)`` over
    ``i < p`` (defined for elements above ``(p - 1) / 2``; like PyTorch 2.13, ember does not
    check the domain)."""
    from ..shape.join import stack

    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.dtype.is_floating_point:
        raise RuntimeError("mvlgamma expects a floating point input")
    terms = stack([lgamma(input - i / 2.0) for i in range(p)], 0)
    return terms.sum(0) + p * (p - 1) / 4.0 * math.log(math.pi)
