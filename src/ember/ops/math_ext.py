"""Unary math: exp/log family, trigonometric and hyperbolic functions, rounding, and the special
functions (erf, erfc, erfinv, lgamma, digamma, polygamma), whose vectorised array kernels are in
``special_kernels``.

Each op is a Function whose forward works on arrays (integer and bool inputs are computed in the
default float dtype, as PyTorch does) and whose backward is written in Tensor ops, so it can be
differentiated again. The gradient formulas are PyTorch's (``derivatives.yaml``).
"""

from __future__ import annotations

import math

from ..autograd.function import Function
from . import special_kernels as K
from ._util import Tensor, make, xp_of
from .elementwise import _c, _float, write_out

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


def _quiet(xp):
    return xp.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore")


def _cast_like(out, ref):
    """Keep float16/float32 results in their input dtype (NumPy may widen Python-math results)."""
    return out.astype(ref.dtype, copy=False) if out.dtype != ref.dtype else out


# ---------------------------------------------------------------------------- exp / log family
class Exp2(Function):
    """y = 2**x;  dy/dx = y * ln 2"""

    _builtin = True
    _node_name = "Exp2Backward0"

    @staticmethod
    def forward(ctx, x):
        xd = _float(x)
        with _quiet(xp_of(xd)):
            y = make(xp_of(xd).exp2(xd))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * _c(y * _LN2)


class Expm1(Function):
    """y = exp(x) - 1;  dy/dx = y + 1"""

    _builtin = True
    _node_name = "Expm1Backward0"

    @staticmethod
    def forward(ctx, x):
        xd = _float(x)
        with _quiet(xp_of(xd)):
            y = make(xp_of(xd).expm1(xd))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * _c(y + 1)


class Log2(Function):
    """y = log2(x);  dy/dx = 1 / (x ln 2)"""

    _builtin = True
    _node_name = "Log2Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).log2(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / _c(x * _LN2)


class Log10(Function):
    """y = log10(x);  dy/dx = 1 / (x ln 10)"""

    _builtin = True
    _node_name = "Log10Backward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).log10(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / _c(x * _LN10)


class Log1p(Function):
    """y = log(1 + x);  dy/dx = 1 / (1 + x)"""

    _builtin = True
    _node_name = "Log1pBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).log1p(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / _c(x + 1)


class Reciprocal(Function):
    """y = 1 / x;  dy/dx = -y**2"""

    _builtin = True
    _node_name = "ReciprocalBackward0"

    @staticmethod
    def forward(ctx, x):
        xd = _float(x)
        with _quiet(xp_of(xd)):
            y = make(xp_of(xd).reciprocal(xd))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
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


# --------------------------------------------------------------- trigonometric and hyperbolic
class Tan(Function):
    """y = tan(x);  dy/dx = 1 + y**2"""

    _builtin = True
    _node_name = "TanBackward0"

    @staticmethod
    def forward(ctx, x):
        xd = _float(x)
        with _quiet(xp_of(xd)):
            y = make(xp_of(xd).tan(xd))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * _c(1 + y * y)


class Asin(Function):
    """y = asin(x);  dy/dx = 1 / sqrt(1 - x**2)"""

    _builtin = True
    _node_name = "AsinBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).arcsin(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * _c(rsqrt(1 - x * x))


class Acos(Function):
    """y = acos(x);  dy/dx = -1 / sqrt(1 - x**2)"""

    _builtin = True
    _node_name = "AcosBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).arccos(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return -grad_output * _c(rsqrt(1 - x * x))


class Atan(Function):
    """y = atan(x);  dy/dx = 1 / (1 + x**2)"""

    _builtin = True
    _node_name = "AtanBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        return make(xp_of(xd).arctan(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / _c(x * x + 1)


class Sinh(Function):
    """y = sinh(x);  dy/dx = cosh(x)"""

    _builtin = True
    _node_name = "SinhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).sinh(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * _c(cosh(x))


class Cosh(Function):
    """y = cosh(x);  dy/dx = sinh(x)"""

    _builtin = True
    _node_name = "CoshBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).cosh(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * _c(sinh(x))


class Asinh(Function):
    """y = asinh(x);  dy/dx = 1 / sqrt(x**2 + 1)"""

    _builtin = True
    _node_name = "AsinhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        return make(xp_of(xd).arcsinh(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * _c(rsqrt(x * x + 1))


class Acosh(Function):
    """y = acosh(x);  dy/dx = 1 / (sqrt(x - 1) sqrt(x + 1))"""

    _builtin = True
    _node_name = "AcoshBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).arccosh(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        # sqrt(x - 1) sqrt(x + 1), not sqrt(x**2 - 1): the right branch for complex x
        return grad_output * _c(rsqrt(x - 1) * rsqrt(x + 1))


class Atanh(Function):
    """y = atanh(x);  dy/dx = 1 / (1 - x**2)"""

    _builtin = True
    _node_name = "AtanhBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        xd = _float(x)
        with _quiet(xp_of(xd)):
            return make(xp_of(xd).arctanh(xd))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output / _c(1 - x * x)


# ------------------------------------------------------------------------------------ rounding
def _rounded(d, kernel, name):
    """Integer tensors come back unchanged (a copy), as in PyTorch; bool has no kernel there."""
    if d.dtype.kind == "b":
        # PyTorch raises NotImplementedError (its "no kernel for this dtype" error) here
        raise NotImplementedError(f"\"{name}_vml_cpu\" not implemented for 'Bool'")
    if d.dtype.kind in "iu":
        return d.copy()
    return kernel(d)


class Floor(Function):
    """y = floor(x);  dy/dx = 0"""

    _builtin = True
    _node_name = "FloorBackward0"

    @staticmethod
    def forward(ctx, x):
        return make(_rounded(x._data, xp_of(x._data).floor, "floor"))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


class Ceil(Function):
    """y = ceil(x);  dy/dx = 0"""

    _builtin = True
    _node_name = "CeilBackward0"

    @staticmethod
    def forward(ctx, x):
        return make(_rounded(x._data, xp_of(x._data).ceil, "ceil"))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


class Trunc(Function):
    """y = trunc(x);  dy/dx = 0"""

    _builtin = True
    _node_name = "TruncBackward0"

    @staticmethod
    def forward(ctx, x):
        return make(_rounded(x._data, xp_of(x._data).trunc, "trunc"))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


class Round(Function):
    """y = x rounded half to even;  dy/dx = 0"""

    _builtin = True
    _node_name = "RoundBackward0"

    @staticmethod
    def forward(ctx, x):
        return make(_rounded(x._data, xp_of(x._data).rint, "round"))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * 0


class RoundDecimals(Function):
    """y = round(x * 10**d) / 10**d (half to even);  dy/dx = 0"""

    _builtin = True
    _node_name = "RoundBackward1"

    @staticmethod
    def forward(ctx, x, decimals):
        d = x._data
        if d.dtype.kind in "biu":
            raise RuntimeError('"round_cpu" not implemented for integer dtypes with decimals')
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
        return make(d - xp_of(d).trunc(d))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


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
        return make(xp_of(d).sign(d))

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
            return make(d.copy() if d.dtype.kind == "b" else xp.sign(d))
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
        from .elementwise import abs as _abs
        from .elementwise import where

        a = _abs(x)
        g = (grad_output - (grad_output * y.conj()).real * y) / a
        return where(a == 0, 0.0, g)


def _type_name(x):
    from .inplace import _dtype_name

    return _dtype_name(x._data.dtype)


# ------------------------------------------------------------------------- special functions
# the vectorised float64 kernels live in special_kernels (shared with ember.special); the ops
# compute in float64 and round to the input's dtype
def _special(kernel, d, *args):
    return kernel(*args, d.astype("float64", copy=False)).astype(d.dtype, copy=False)


class Erf(Function):
    """y = erf(x);  dy/dx = 2/sqrt(pi) exp(-x**2)"""

    _builtin = True
    _node_name = "ErfBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(_special(K.erf_array, _float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (_TWO_OVER_SQRT_PI * exp(-(x * x)))


class Erfc(Function):
    """y = erfc(x) = 1 - erf(x);  dy/dx = -2/sqrt(pi) exp(-x**2)"""

    _builtin = True
    _node_name = "ErfcBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(_special(K.erfc_array, _float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (-_TWO_OVER_SQRT_PI * exp(-(x * x)))


class Erfinv(Function):
    """y = erfinv(x);  dy/dx = sqrt(pi)/2 exp(y**2)"""

    _builtin = True
    _node_name = "ErfinvBackward0"

    @staticmethod
    def forward(ctx, x):
        y = make(_special(K.erfinv_array, _float(x)))
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (exp(y * y) * (math.sqrt(math.pi) / 2))


class Lgamma(Function):
    """y = log|gamma(x)|;  dy/dx = digamma(x)"""

    _builtin = True
    _node_name = "LgammaBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(_special(K.lgamma_array, _float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * digamma(x)


class Digamma(Function):
    """y = digamma(x) = d/dx lgamma(x);  dy/dx = polygamma(1, x)"""

    _builtin = True
    _node_name = "DigammaBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return make(_special(K.digamma_array, _float(x)))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * polygamma(1, x)


class Polygamma(Function):
    """y = polygamma(n, x), the n-th derivative of digamma;  dy/dx = polygamma(n + 1, x)"""

    _builtin = True
    _node_name = "PolygammaBackward0"

    @staticmethod
    def forward(ctx, x, n):
        ctx.save_for_backward(x)
        ctx.n = n
        return make(_special(K.polygamma_array, _float(x), n))

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
        g = grad_output / (x * (1 - x))
        if ctx.eps is None:
            return g, None
        from .elementwise import where

        eps = ctx.eps
        return where((x < eps) | (x > 1 - eps), 0.0, g), None


# ------------------------------------------------------------------------------ complex parts
class Conj(Function):
    """y = conj(x);  dx = conj(grad)"""

    _builtin = True
    _node_name = "ConjBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        return make(xp_of(d).conj(d) if d.dtype.kind == "c" else d.copy())

    @staticmethod
    def backward(ctx, grad_output):
        return Conj.apply(grad_output)


class Real(Function):
    """y = Re(x);  dx = grad (as a complex number)"""

    _builtin = True
    _node_name = "RealBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.dtype = x.dtype
        return make(x._data.real.copy())

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.to(ctx.dtype)


class Imag(Function):
    """y = Im(x);  dx = grad * 1j"""

    _builtin = True
    _node_name = "ImagBackward0"

    @staticmethod
    def forward(ctx, x):
        if x._data.dtype.kind != "c":
            raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
        ctx.dtype = x.dtype
        return make(x._data.imag.copy())

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.to(ctx.dtype) * 1j


def conj(input):
    """The complex conjugate (a copy; real tensors come back as they are, as in PyTorch)."""
    if input._data.dtype.kind != "c":
        return input
    return Conj.apply(input)


def real(input):
    """The real part (the tensor itself for real tensors, as in PyTorch)."""
    if input._data.dtype.kind != "c":
        return input
    return Real.apply(input)


def imag(input):
    """The imaginary part of a complex tensor."""
    return Imag.apply(input)


# ------------------------------------------------------------------------------- public functions
def _unary(cls, doc):
    apply = cls.apply

    def f(input, *, out=None):
        if out is None:
            return apply(input)
        return write_out(apply(input), out, input)

    f.__doc__ = doc
    return f


exp2 = _unary(Exp2, "``2 ** input`` elementwise.")
expm1 = _unary(Expm1, "``exp(input) - 1``, accurate for small inputs.")
log2 = _unary(Log2, "Base-2 logarithm.")
log10 = _unary(Log10, "Base-10 logarithm.")
log1p = _unary(Log1p, "``log(1 + input)``, accurate for small inputs.")
reciprocal = _unary(Reciprocal, "``1 / input`` (integer inputs give floats).")
rsqrt = _unary(Rsqrt, "``1 / sqrt(input)``.")
tan = _unary(Tan, "Tangent.")
asin = arcsin = _unary(Asin, "Inverse sine.")
acos = arccos = _unary(Acos, "Inverse cosine.")
atan = arctan = _unary(Atan, "Inverse tangent.")
sinh = _unary(Sinh, "Hyperbolic sine.")
cosh = _unary(Cosh, "Hyperbolic cosine.")
asinh = arcsinh = _unary(Asinh, "Inverse hyperbolic sine.")
acosh = arccosh = _unary(Acosh, "Inverse hyperbolic cosine.")
atanh = arctanh = _unary(Atanh, "Inverse hyperbolic tangent.")
floor = _unary(Floor, "Largest integer <= input (integer tensors unchanged).")
ceil = _unary(Ceil, "Smallest integer >= input.")
trunc = fix = _unary(Trunc, "Round toward zero.")
frac = _unary(Frac, "``input - trunc(input)``.")
sign = _unary(Sign, "-1, 0 or 1 by the sign of each element (gradient zero).")
sgn = _unary(Sgn, "``input / |input|`` (0 at 0); equals ``sign`` for real inputs.")
erf = _unary(Erf, "The error function.")
erfc = _unary(Erfc, "The complementary error function ``1 - erf(input)``.")
erfinv = _unary(Erfinv, "The inverse error function.")
lgamma = _unary(Lgamma, "``log|gamma(input)|`` (+inf at the poles).")
digamma = _unary(Digamma, "The logarithmic derivative of the gamma function.")


def round(input, *, decimals=0, out=None):
    """Round half to even; ``decimals`` rounds to that many decimal places (may be negative).

    Example: ``ember.round(ember.tensor([0.5, 1.5, 2.345]), decimals=2)``."""
    res = Round.apply(input) if decimals == 0 else RoundDecimals.apply(input, int(decimals))
    return res if out is None else write_out(res, out, input)


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


def square(input, *, out=None):
    """``input ** 2`` (PyTorch computes it as ``pow(input, 2)``; bool gives int64)."""
    from .elementwise import Pow

    if input._data.dtype.kind == "b":
        input = input.long()
    res = Pow.apply(input, 2)
    return res if out is None else write_out(res, out, input)


def exp(input):
    from .elementwise import exp as _exp

    return _exp(input)


__all__ = [
    "acos",
    "acosh",
    "arccos",
    "arccosh",
    "arcsin",
    "arcsinh",
    "arctan",
    "arctanh",
    "asin",
    "asinh",
    "atan",
    "atanh",
    "ceil",
    "conj",
    "cosh",
    "digamma",
    "erf",
    "erfc",
    "erfinv",
    "exp2",
    "expm1",
    "fix",
    "floor",
    "frac",
    "imag",
    "lgamma",
    "log1p",
    "log2",
    "log10",
    "logit",
    "polygamma",
    "real",
    "reciprocal",
    "round",
    "rsqrt",
    "sgn",
    "sign",
    "sinh",
    "square",
    "tan",
    "trunc",
]


# ------------------------------------------------------------------------------ Tensor methods
def _ip(cls):
    """``x.op_()``: the op written into x (PyTorch's dtype checks; graph kept)."""
    from .inplace import inplace

    def method(self, *args):
        return inplace(self, cls, *args)

    return method


def _write_back(self, res):
    """Write a non-differentiable result (comparison, logic, bit op) into ``self`` in place."""
    from .inplace import check_write

    if res._data.dtype != self._data.dtype and res._data.dtype.kind in "fc" and \
            self._data.dtype.kind not in "fc":
        check_write(self, res._data)
    try:
        self._data[...] = res._data
    except ValueError:
        check_write(self, res._data)
        raise
    self._vc[0] += 1
    return self


def _ip_nodiff(fn):
    def method(self, *args, **kwargs):
        return _write_back(self, fn(self, *args, **kwargs))

    return method


def methods_table():
    """The Tensor methods of the elementwise, reduction, scan and creation families
    (attached by ``ops.methods``)."""
    from . import creation as C
    from . import elementwise as E
    from . import reduction as R
    from . import reduction_ext as RX
    from .inplace import inplace

    def clamp_(self, min=None, max=None):
        if min is None and max is None:
            raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
        if isinstance(min, Tensor) or isinstance(max, Tensor):
            return inplace(self, E.ClampTensor, min, max)
        return inplace(self, E.Clamp, min, max)

    def clamp_min_(self, min):
        if isinstance(min, Tensor):
            return inplace(self, E.ClampTensor, min, None)
        return inplace(self, E.ClampMin, min)

    def clamp_max_(self, max):
        if isinstance(max, Tensor):
            return inplace(self, E.ClampTensor, None, max)
        return inplace(self, E.ClampMax, max)

    def round_(self, *, decimals=0):
        if decimals == 0:
            return inplace(self, Round)
        return inplace(self, RoundDecimals, int(decimals))

    def lerp_(self, end, weight):
        return inplace(self, E.LerpTensor if isinstance(weight, Tensor) else E.Lerp, end, weight)

    def addcmul_(self, tensor1, tensor2, *, value=1):
        return inplace(self, E.Addcmul, tensor1, tensor2, value)

    def addcdiv_(self, tensor1, tensor2, *, value=1):
        return inplace(self, E.Addcdiv, tensor1, tensor2, value)

    def nan_to_num_(self, nan=0.0, posinf=None, neginf=None):
        return inplace(self, E.NanToNum, nan, posinf, neginf)

    def logit_(self, eps=None):
        return inplace(self, Logit, eps)

    def polygamma_(self, n):
        return inplace(self, Polygamma, int(n))

    def square_(self):
        return inplace(self, E.Pow, 2)

    def float_power_(self, exponent):
        cplx = isinstance(exponent, complex) or (isinstance(exponent, Tensor)
                                                 and exponent.is_complex())
        want = "complex128" if cplx or self.is_complex() else "float64"
        if self._data.dtype.name != want:
            raise RuntimeError(f"the base given to float_power_ has dtype {self.dtype} but the "
                               f"operation's result requires dtype torch.{want}")
        return inplace(self, E.Pow, exponent)

    def remainder_(self, other):
        return inplace(self, E.Remainder, other)

    def fmod_(self, other):
        return inplace(self, E.Fmod, other)

    def floor_divide_(self, other):
        return inplace(self, E.FloorDivide, other)

    def polygamma_m(self, n):
        return polygamma(n, self)

    def cumsum_(self, dim, *, dtype=None):
        return self.copy_(RX.cumsum(self, dim, dtype=dtype))

    def cumprod_(self, dim, *, dtype=None):
        return self.copy_(RX.cumprod(self, dim, dtype=dtype))

    def where_m(self, condition, other):
        return E.where(condition, self, other)

    def std_m(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return R.std(self, dim, unbiased, keepdim, correction=correction)

    def var_m(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
        return R.var(self, dim, unbiased, keepdim, correction=correction)

    def shift(fn):
        return lambda self, other: fn(self, other)

    def rshift(fn):
        def r(self, other):
            from .creation import tensor

            return fn(tensor(other, dtype=self.dtype), self)

        return r

    def caster(name):
        def cast(self, memory_format=None):
            from .. import dtypes as _dt

            dt = getattr(_dt, name)
            if dt is None:
                raise TypeError(f"ember.{name} needs the optional ml_dtypes package "
                                "(pip install ember[bf16])")
            return self.to(dt)

        cast.__name__ = name
        return cast

    def invert(self):
        if self._data.dtype.kind in "fc":
            raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                            "tensors")
        return E.bitwise_not(self)

    t = {
        "__invert__": invert, "conj": conj, "real": property(real), "imag": property(imag),
        "bfloat16": caster("bfloat16"), "cfloat": caster("complex64"),
        "cdouble": caster("complex128"),
        # unary math and its in-place forms
        "exp2": exp2, "expm1": expm1, "log2": log2, "log10": log10, "log1p": log1p,
        "reciprocal": reciprocal, "rsqrt": rsqrt, "square": square, "tan": tan, "asin": asin,
        "arcsin": asin, "acos": acos, "arccos": acos, "atan": atan, "arctan": atan,
        "sinh": sinh, "cosh": cosh, "asinh": asinh, "arcsinh": asinh, "acosh": acosh,
        "arccosh": acosh, "atanh": atanh, "arctanh": atanh, "floor": floor, "ceil": ceil,
        "trunc": trunc, "fix": trunc, "frac": frac, "sign": sign, "sgn": sgn, "erf": erf,
        "erfc": erfc, "erfinv": erfinv, "lgamma": lgamma, "digamma": digamma,
        "polygamma": polygamma_m, "logit": logit,
        "round": lambda self, *, decimals=0: round(self, decimals=decimals),
        "exp2_": _ip(Exp2), "expm1_": _ip(Expm1), "log2_": _ip(Log2), "log10_": _ip(Log10),
        "log1p_": _ip(Log1p), "reciprocal_": _ip(Reciprocal), "rsqrt_": _ip(Rsqrt),
        "square_": square_, "tan_": _ip(Tan), "asin_": _ip(Asin), "arcsin_": _ip(Asin),
        "acos_": _ip(Acos), "arccos_": _ip(Acos), "atan_": _ip(Atan), "arctan_": _ip(Atan),
        "sinh_": _ip(Sinh), "cosh_": _ip(Cosh), "asinh_": _ip(Asinh), "arcsinh_": _ip(Asinh),
        "acosh_": _ip(Acosh), "arccosh_": _ip(Acosh), "atanh_": _ip(Atanh),
        "arctanh_": _ip(Atanh), "floor_": _ip(Floor), "ceil_": _ip(Ceil), "trunc_": _ip(Trunc),
        "fix_": _ip(Trunc), "frac_": _ip(Frac), "sign_": _ip(Sign), "sgn_": _ip(Sgn),
        "erf_": _ip(Erf), "erfc_": _ip(Erfc), "erfinv_": _ip(Erfinv), "lgamma_": _ip(Lgamma),
        "digamma_": _ip(Digamma), "polygamma_": polygamma_, "logit_": logit_,
        "round_": round_,
        "exp_": _ip(E.Exp), "log_": _ip(E.Log), "tanh_": _ip(E.Tanh), "sigmoid_": _ip(E.Sigmoid),
        "relu_": _ip(E.Relu), "neg_": _ip(E.Neg), "negative_": _ip(E.Neg), "abs_": _ip(E.Abs),
        "absolute_": _ip(E.Abs), "sqrt_": _ip(E.Sqrt), "sin_": _ip(E.Sin), "cos_": _ip(E.Cos),
        "pow_": _ip(E.Pow),
        # binary math
        "float_power": E.float_power, "float_power_": float_power_, "fmod": E.fmod,
        "fmod_": fmod_, "remainder": E.remainder, "remainder_": remainder_,
        "floor_divide": E.floor_divide, "floor_divide_": floor_divide_, "atan2": E.atan2,
        "arctan2": E.atan2, "atan2_": _ip(E.Atan2), "arctan2_": _ip(E.Atan2),
        "hypot": E.hypot, "hypot_": _ip(E.Hypot), "lerp": E.lerp, "lerp_": lerp_,
        "addcmul": E.addcmul, "addcmul_": addcmul_, "addcdiv": E.addcdiv,
        "addcdiv_": addcdiv_, "clamp": E.clamp, "clip": E.clamp, "clamp_": clamp_,
        "clip_": clamp_, "clamp_min": E.clamp_min, "clamp_max": E.clamp_max,
        "clamp_min_": clamp_min_, "clamp_max_": clamp_max_, "maximum": E.maximum,
        "minimum": E.minimum, "fmax": E.fmax, "fmin": E.fmin, "nan_to_num": E.nan_to_num,
        "nan_to_num_": nan_to_num_, "where": where_m,
        # predicates, comparisons, logic, bits
        "isnan": E.isnan, "isinf": E.isinf, "isposinf": E.isposinf, "isneginf": E.isneginf,
        "isfinite": E.isfinite, "isreal": E.isreal, "isclose": E.isclose,
        "allclose": E.allclose, "equal": E.equal,
        "eq_": _ip_nodiff(E.eq), "ne_": _ip_nodiff(E.ne), "lt_": _ip_nodiff(E.lt),
        "le_": _ip_nodiff(E.le), "gt_": _ip_nodiff(E.gt), "ge_": _ip_nodiff(E.ge),
        "less_": _ip_nodiff(E.lt), "less_equal_": _ip_nodiff(E.le),
        "greater_": _ip_nodiff(E.gt), "greater_equal_": _ip_nodiff(E.ge),
        "not_equal_": _ip_nodiff(E.ne),
        "logical_and_": _ip_nodiff(E.logical_and), "logical_or_": _ip_nodiff(E.logical_or),
        "logical_xor_": _ip_nodiff(E.logical_xor), "logical_not_": _ip_nodiff(E.logical_not),
        "bitwise_and_": _ip_nodiff(E.bitwise_and), "bitwise_or_": _ip_nodiff(E.bitwise_or),
        "bitwise_xor_": _ip_nodiff(E.bitwise_xor), "bitwise_not_": _ip_nodiff(E.bitwise_not),
        "bitwise_left_shift": E.bitwise_left_shift,
        "bitwise_right_shift": E.bitwise_right_shift,
        "bitwise_left_shift_": _ip_nodiff(E.bitwise_left_shift),
        "bitwise_right_shift_": _ip_nodiff(E.bitwise_right_shift),
        "__lshift__": shift(E.bitwise_left_shift), "__rshift__": shift(E.bitwise_right_shift),
        "__rlshift__": rshift(E.bitwise_left_shift),
        "__rrshift__": rshift(E.bitwise_right_shift),
        "__ilshift__": _ip_nodiff(E.bitwise_left_shift),
        "__irshift__": _ip_nodiff(E.bitwise_right_shift),
        "__iand__": _ip_nodiff(E.bitwise_and), "__ior__": _ip_nodiff(E.bitwise_or),
        "__ixor__": _ip_nodiff(E.bitwise_xor), "__ifloordiv__": floor_divide_,
        "__imod__": remainder_,
        # reductions
        "prod": R.prod, "nansum": R.nansum, "nanmean": R.nanmean, "amax": R.amax,
        "amin": R.amin, "aminmax": R.aminmax, "std": std_m, "var": var_m, "norm": R.norm,
        "logsumexp": R.logsumexp, "count_nonzero": R.count_nonzero, "sum": R.sum,
        "mean": R.mean, "all": R.all, "any": R.any, "argmax": R.argmax, "argmin": R.argmin,
        "cumsum": RX.cumsum, "cumprod": RX.cumprod, "cumsum_": cumsum_, "cumprod_": cumprod_,
        "cummax": RX.cummax, "cummin": RX.cummin, "logcumsumexp": RX.logcumsumexp,
        "median": RX.median, "nanmedian": RX.nanmedian, "mode": RX.mode,
        "quantile": RX.quantile, "nanquantile": RX.nanquantile, "unique": RX.unique,
        "unique_consecutive": RX.unique_consecutive, "bincount": RX.bincount,
        "histc": RX.histc,
        # creation: triangles and in-place samplers
        "tril": C.tril, "triu": C.triu, "tril_": C.tril_, "triu_": C.triu_,
        "uniform_": C.uniform_, "normal_": C.normal_, "bernoulli_": C.bernoulli_,
        "random_": C.random_, "exponential_": C.exponential_, "geometric_": C.geometric_,
        "log_normal_": C.log_normal_, "cauchy_": C.cauchy_,
        "bernoulli": lambda self, p=None, *, generator=None: C.bernoulli(self, p,
                                                                           generator=generator),
        "multinomial": C.multinomial,
    }
    return t
