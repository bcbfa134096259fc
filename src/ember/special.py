"""``ember.special`` (``torch.special``): special functions with PyTorch's names and gradients.

Most are the top-level ops under their SciPy-style names (``expit`` is ``sigmoid``,
``gammaln`` is ``lgamma``, ``psi`` is ``digamma``). The rest are written here as Functions
whose values are computed in float64 by SciPy (``scipy.special``, through the array kernels
of ``ops/pointwise/special_kernels.py``), with PyTorch's special values where the two differ.

Differences from PyTorch: values agree to about 1e-13 relative in float64 (not always to the
last bit); ``ndtr`` uses ``erfc`` so it stays accurate in the lower tail where PyTorch's
underflows to 0; ``gammainc`` is more accurate than PyTorch's for large ``a`` (about 1e-10
apart). Not provided: the Bessel ``J``/``Y`` and
``K`` families, ``airy_ai`` and the orthogonal polynomials.

Example::

    x = ember.tensor([0.5, 1.0], dtype=ember.float64, requires_grad=True)
    ember.special.i0e(x).sum().backward()   # x.grad == i1e(x) - sign(x) * i0e(x)
"""

from __future__ import annotations

import math

from . import dtypes as _dt
from .autograd.function import Function
from .backend import errstate as _be_errstate
from .backend import xp_of
from .ops._util import make
from .ops.nn.softmax import log_softmax as _log_softmax
from .ops.nn.softmax import softmax as _softmax
from .ops.pointwise import special_kernels as _kernels
from .ops.pointwise.activation import sigmoid as _sigmoid
from .ops.pointwise.exp_log import exp2, expm1, log1p
from .ops.pointwise.rounding import round

# one implementation each, shared with the top level (torch.special's are aliases too)
from .ops.pointwise.special import (
    digamma,
    erf,
    erfc,
    erfinv,
    i0,
    i1,
    lgamma,
    logit,
    polygamma,
    xlog1py,
    xlogy,
)
from .ops.pointwise.trig import sinc
from .ops.reduce.sum_prod import logsumexp
from .tensor import Tensor

__all__ = [
    "digamma", "entr", "erf", "erfc", "erfcx", "erfinv", "exp2", "expit", "expm1",
    "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "log1p", "log_ndtr",
    "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri", "polygamma", "psi",
    "round", "sinc", "softmax", "spherical_bessel_j0", "xlog1py", "xlogy", "zeta",
]

expit = _sigmoid
gammaln = lgamma
psi = digamma

_erfc_array = _kernels.erfc_array
_i0e_array = _kernels.i0e_array
_i1e_array = _kernels.i1e_array
_zeta_array = _kernels.zeta_array
_lgamma_array = _kernels.lgamma_array  # also used by distributions._sampling

_SQRT_2 = math.sqrt(2.0)
_SQRT_PI = math.sqrt(math.pi)
_LOG_SQRT_2PI = 0.5 * math.log(2 * math.pi)


def softmax(input, dim, *, dtype=None):
    """``exp(x) / exp(x).sum(dim)``; ``torch.special.softmax``."""
    return _softmax(input, dim, dtype=dtype)


def log_softmax(input, dim, *, dtype=None):
    """``x - logsumexp(x, dim)``; ``torch.special.log_softmax``."""
    return _log_softmax(input, dim, dtype=dtype)


# ------------------------------------------------------------------------------ array kernels
def _f64(x):
    """x's array as float64 (integer and bool inputs promote as PyTorch's float ops do)."""
    return x._data.astype("float64")


def _out_dtype(x):
    d = x._data.dtype
    return d if d.kind == "f" else _dt.get_default_dtype().np


def _back(arr, x):
    return make(arr.astype(_out_dtype(x), copy=False))


class _quiet:
    """Silence floating-point warnings of the array module (inf/nan are results here)."""

    def __init__(self, xp):
        self.ctx = _be_errstate(xp, all="ignore")

    def __enter__(self):
        self.ctx.__enter__()

    def __exit__(self, *a):
        return self.ctx.__exit__(*a)


_erfcx_array = _kernels.erfcx_array
_ndtri_array = _kernels.ndtri_array
_log_ndtr_array = _kernels.log_ndtr_array
_gammainc_arrays = _kernels.gammainc_arrays  # also used by distributions._sampling


def _where(cond, a, b):
    from .ops.pointwise.clamp import where

    return where(cond, a, b)


# ------------------------------------------------------------------------------------ Functions
class I0e(Function):
    """y = exp(-|x|) I0(x);  dy/dx = i1e(x) - sgn(x) i0e(x)"""

    _builtin = True
    _node_name = "SpecialI0EBackward0"

    @staticmethod
    def forward(ctx, x):
        y = _back(_i0e_array(_f64(x)), x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return grad_output * (i1e(x) - x.sign() * y)


class I1e(Function):
    """y = exp(-|x|) I1(x);  dy/dx = i0e(x) - i1e(x) (sgn(x) + 1/x) (1/2 at 0)"""

    _builtin = True
    _node_name = "SpecialI1EBackward0"

    @staticmethod
    def forward(ctx, x):
        y = _back(_i1e_array(_f64(x)), x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        zero = x == 0
        safe = _where(zero, 1.0, x)
        return grad_output * _where(zero, 0.5, i0e(x) - y * (x.sign() + 1.0 / safe))


class Erfcx(Function):
    """y = exp(x**2) erfc(x);  dy/dx = 2 x y - 2/sqrt(pi)"""

    _builtin = True
    _node_name = "SpecialErfcxBackward0"

    @staticmethod
    def forward(ctx, x):
        y = _back(_erfcx_array(_f64(x)), x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return grad_output * (2.0 * x * y - 2.0 / _SQRT_PI)


class Ndtri(Function):
    """y = Phi^-1(p), the standard normal quantile;  dy/dp = sqrt(2 pi) exp(y**2 / 2)"""

    _builtin = True
    _node_name = "SpecialNdtriBackward0"

    @staticmethod
    def forward(ctx, p):
        y = _back(_ndtri_array(_f64(p)), p)
        ctx.save_for_backward(y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        (y,) = ctx.saved_tensors
        return grad_output * (math.sqrt(2 * math.pi) * (0.5 * y * y).exp())


class LogNdtr(Function):
    """y = log Phi(x);  dy/dx = exp(-x**2 / 2 - y) / sqrt(2 pi)"""

    _builtin = True
    _node_name = "SpecialLogNdtrBackward0"

    @staticmethod
    def forward(ctx, x):
        y = _back(_log_ndtr_array(_f64(x)), x)
        ctx.save_for_backward(x, y)
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        return grad_output * (-(0.5 * x * x) - y - _LOG_SQRT_2PI).exp()


class Entr(Function):
    """y = -x log x (0 at 0, -inf for x < 0);  dy/dx = -(1 + log x)"""

    _builtin = True
    _node_name = "SpecialEntrBackward0"

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        d = _f64(x)
        xp = xp_of(d)
        with _quiet(xp):
            y = xp.where(d > 0, -d * xp.log(xp.where(d > 0, d, 1.0)), 0.0)
            y = xp.where(d < 0, -xp.inf, y)
            y = xp.where(xp.isnan(d), d, y)
        return _back(y, x)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        return grad_output * (-(1.0 + x.log()))


class Zeta(Function):
    """z = sum_k (q + k)**-s (Hurwitz);  dz/dq = -s zeta(s + 1, q); no derivative in s (as
    PyTorch)"""

    _builtin = True
    _node_name = "SpecialZetaBackward0"

    @staticmethod
    def forward(ctx, s, q):
        ctx.save_for_backward(s, q)
        return make(_zeta_array(s._data.astype("float64"), q._data.astype("float64"))
                    .astype(s._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        s, q = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError("the derivative for 'self' is not implemented.")
        return None, grad_output * (-s) * zeta(s + 1.0, q)


class Gammainc(Function):
    """P(a, x) = gamma(a, x) / Gamma(a), or Q = 1 - P when ``upper``;
    dP/dx = exp(-x) x**(a-1) / Gamma(a); no derivative in a (as PyTorch)"""

    _builtin = True
    _node_name = "SpecialGammaincBackward0"

    @staticmethod
    def forward(ctx, a, x, upper):
        ctx.save_for_backward(a, x)
        ctx.upper = upper
        p, q = _gammainc_arrays(a._data.astype("float64"), x._data.astype("float64"))
        return make((q if upper else p).astype(a._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        a, x = ctx.saved_tensors
        if ctx.needs_input_grad[0]:
            raise RuntimeError("the derivative for 'self' is not implemented.")
        g = ((a - 1.0) * x.log() - x - lgamma(a)).exp()
        return None, grad_output * (-g if ctx.upper else g), None


# --------------------------------------------------------------------------- public functions
def _write(res, out, *inputs):
    from .ops._util import write_out

    return write_out(res, out, *inputs)


def _unary(cls, name, doc):
    def f(input, *, out=None):
        res = cls.apply(input)
        return res if out is None else _write(res, out, input)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = doc
    return f


i0e = _unary(I0e, "i0e", "Exponentially scaled ``i0``: ``exp(-|x|) * i0(x)``.")
i1e = _unary(I1e, "i1e", "Exponentially scaled ``i1``: ``exp(-|x|) * i1(x)``.")
erfcx = _unary(Erfcx, "erfcx", "Scaled complementary error function ``exp(x**2) * erfc(x)``.")
ndtri = _unary(Ndtri, "ndtri", "Inverse of the standard normal CDF (``ndtri(ndtr(x)) == x``).")
log_ndtr = _unary(LogNdtr, "log_ndtr", "``log(ndtr(x))``, accurate far in the lower tail.")
entr = _unary(Entr, "entr", "Elementwise entropy term ``-x * log(x)`` (0 at 0, -inf below).")


def ndtr(input, *, out=None):
    """The standard normal CDF ``erfc(-x / sqrt 2) / 2`` (accurate in the lower tail)."""
    res = 0.5 * erfc(-input.to(_dt.from_numpy_dtype(_out_dtype(input))) / _SQRT_2)
    return res if out is None else _write(res, out, input)


def spherical_bessel_j0(input, *, out=None):
    """``sin(x) / x`` (1 at 0); differentiable here (PyTorch's is not)."""
    x = input.to(_dt.from_numpy_dtype(_out_dtype(input)))
    zero = x == 0
    safe = _where(zero, 1.0, x)
    res = _where(zero, 1.0, safe.sin() / safe)
    return res if out is None else _write(res, out, input)


def _binary_args(a, b):
    """Both operands as tensors of one floating dtype, promoted as PyTorch's float ops do."""
    from . import result_type

    dt = result_type(a, b)
    if not dt.is_floating_point:
        dt = _dt.get_default_dtype()
    ta = a.to(dt) if isinstance(a, Tensor) else None
    tb = b.to(dt) if isinstance(b, Tensor) else None
    if ta is None and tb is None:
        raise TypeError("expected at least one Tensor argument")
    ref = ta if ta is not None else tb
    if ta is None:
        ta = make(xp_of(ref._data).asarray(a, dtype=ref._data.dtype))
    if tb is None:
        tb = make(xp_of(ref._data).asarray(b, dtype=ref._data.dtype))
    return ta, tb


def zeta(input, other, *, out=None):
    """The Hurwitz zeta function ``sum_k (other + k) ** -input``; ``zeta(s, 1)`` is
    Riemann's. Differentiable in ``other`` only, as in PyTorch."""
    res = Zeta.apply(*_binary_args(input, other))
    return res if out is None else _write(res, out, input)


def gammainc(input, other, *, out=None):
    """The regularised lower incomplete gamma ``P(input, other)``; differentiable in
    ``other`` only, as in PyTorch."""
    res = Gammainc.apply(*_binary_args(input, other), False)
    return res if out is None else _write(res, out, input)


def gammaincc(input, other, *, out=None):
    """The regularised upper incomplete gamma ``Q(input, other) = 1 - P(input, other)``."""
    res = Gammainc.apply(*_binary_args(input, other), True)
    return res if out is None else _write(res, out, input)


def multigammaln(input, p, *, out=None):
    """The log of the multivariate gamma function of dimension ``p``:
    ``p(p-1)/4 log(pi) + sum_{j<p} lgamma(input - j/2)``. Like PyTorch 2.13, inputs at or
    below ``(p-1)/2`` are not rejected (the result is then not the multivariate gamma)."""
    if p < 1:
        raise RuntimeError("p has to be greater than or equal to 1")
    if not input.is_floating_point():
        raise RuntimeError("multigammaln: input tensor must be of floating point dtype")
    from .ops.reduce.sum_prod import sum as _sum
    from .ops.shape.join import stack

    terms = stack([lgamma(input - j / 2.0) for j in range(p)], -1)
    res = _sum(terms, -1) + p * (p - 1) / 4.0 * math.log(math.pi)
    return res if out is None else _write(res, out, input)

from .ops._public import publish as _publish  # noqa: E402

_publish(globals(), __name__)  # every function above: a public entry of the dispatch door
