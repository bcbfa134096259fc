"""Array kernels of the hot activations at the NumPy limit: float32 stays float32, few passes
over memory, temporaries reused in place, no masks where arithmetic does the job (the ops in
``activation.py`` call them from ``forward`` and from the array path of ``backward``).

* ``gelu`` / ``gelu_backward``, exact (erf) and ``approximate='tanh'``; the forward can hand
  Phi(x) to the backward, which then needs no second erf.
* ``sigmoid`` (``1 / (1 + exp(-x))`` in one buffer: exp overflowing to inf gives 0, as
  wanted), ``silu``, ``softplus`` (PyTorch's ``beta`` and ``threshold``).
"""

from __future__ import annotations

import functools
import math

from ...backend import threads as _threads
from ...backend import xp_of
from .._util import scalar_operand
from .special_kernels import erf_fast as _erf
from .special_kernels import erfc_array as _erfc

_SQRT1_2 = 1 / math.sqrt(2)
_INV_SQRT_2PI = 1 / math.sqrt(2 * math.pi)
_SQRT_2_PI = math.sqrt(2 / math.pi)


def scalar_like(x, v):
    """``v`` (0 or 1) in the dtype of the array ``x``, as an operand of ``x``'s array module:
    the cached 0-d array of ``_util.scalar_operand`` where there is one."""
    c = scalar_operand(x, v)
    return x.dtype.type(v) if c is v else c


def _quiet(fn):
    """0-d arrays run as 1-element ones (NumPy's scalar results take no ``out=``) and come
    back 0-d. (Overflow to inf and NaN are silent, as in PyTorch: ember filters NumPy's
    floating-point warnings raised in its own modules, so no errstate per call.)"""

    @functools.wraps(fn)
    def kernel(*args, **kwargs):
        if args[0].ndim:
            return fn(*args, **kwargs)
        args = tuple(a.reshape(1) if getattr(a, "ndim", None) == 0 else a for a in args)
        out = fn(*args, **kwargs)
        return tuple(o.reshape(()) for o in out) if isinstance(out, tuple) else out.reshape(())

    return kernel


def _erf64_as_libm(z):
    """float64 erf as C's ``erf`` (PyTorch's) rounds it: ``1 - erfc(|z|)`` rounded once for
    |z| >= 0.84375 and exactly 1 from 6 on, so GELU's ``1 + erf`` cancels to PyTorch's values
    in the lower tail."""
    xp = xp_of(z)
    a = xp.abs(z)
    e = _erfc(a)
    xp.subtract(1.0, e, out=e)
    e[a >= 6.0] = 1.0
    small = a < 0.84375
    if small.any():
        e[small] = _erf(a[small])
    return xp.copysign(e, z, out=e)


@_quiet
def normal_cdf(x):
    """Phi(x) = (1 + erf(x / sqrt 2)) / 2, in x's dtype."""
    t = x.dtype.type
    if x.dtype.itemsize >= 8:  # float64: erf rounded as PyTorch's (glibc's) in the tails
        c = _erf64_as_libm(x * t(_SQRT1_2))
    else:
        c = _erf(x, _SQRT1_2)
    c += t(1)
    c *= t(0.5)
    return c


@_quiet
def gelu(x, approximate="none", return_cdf=False):
    """x Phi(x) (exact) or 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) ('tanh').
    ``return_cdf``: also return Phi(x) (exact form), for a backward that needs no second erf."""
    t = x.dtype.type
    xp = xp_of(x)
    if approximate == "tanh":
        inner = x * x
        inner *= t(0.044715)
        inner += t(1)
        inner *= x
        inner *= t(_SQRT_2_PI)
        y = _threads.unary(xp.tanh, inner, out=inner)
        y += t(1)
        y *= x
        y *= t(0.5)
        return y
    cdf = normal_cdf(x)
    y = x * cdf
    return (y, cdf) if return_cdf else y


@_quiet
def gelu_backward(grad_output, x, approximate="none", cdf=None):
    """d gelu / dx times ``grad_output``; ``cdf``: Phi(x) saved by the forward, if any."""
    t = x.dtype.type
    xp = xp_of(x)
    if approximate == "tanh":
        x2 = x * x
        inner = x2 * t(0.044715)
        inner += t(1)
        inner *= x
        inner *= t(_SQRT_2_PI)
        th = xp.tanh(inner, out=inner)
        # d/dx = 0.5 (1 + th) + 0.5 x (1 - th^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2)
        left = th + t(1)
        left *= t(0.5)
        th *= th
        xp.subtract(t(1), th, out=th)
        x2 *= t(3 * 0.044715)
        x2 += t(1)
        x2 *= th
        x2 *= x
        x2 *= t(0.5 * _SQRT_2_PI)
        left += x2
        left *= grad_output
        return left
    # d/dx = Phi(x) + x phi(x)
    pdf = x * x
    pdf *= t(-0.5)
    xp.exp(pdf, out=pdf)
    pdf *= x
    pdf *= t(_INV_SQRT_2PI)
    pdf += normal_cdf(x) if cdf is None else cdf
    pdf *= grad_output
    return pdf


def sigmoid(x):
    """1 / (1 + exp(-x)), in one buffer (exp(-x) = inf for very negative x gives 0)."""
    if not x.ndim:  # what ``_quiet`` does, here without its wrapper call (sigmoid is hot)
        return sigmoid(x.reshape(1)).reshape(())
    xp = xp_of(x)
    y = xp.negative(x)
    _threads.unary(xp.exp, y, out=y)
    y += scalar_like(x, 1)
    xp.reciprocal(y, out=y)
    return y


@_quiet
def silu(x):
    """x sigmoid(x)."""
    y = sigmoid(x)
    y *= x
    return y


@_quiet
def softplus(x, beta=1.0, threshold=20.0):
    """log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (PyTorch)."""
    xp = xp_of(x)
    t = x.dtype.type
    bx = x * t(beta) if beta != 1 else x
    y = xp.abs(bx)
    xp.negative(y, out=y)
    xp.exp(y, out=y)
    xp.log1p(y, out=y)
    y += xp.maximum(bx, t(0))
    if beta != 1:
        y /= t(beta)
    return xp.where(bx > t(threshold), x, y)


@_quiet
def softplus_backward(grad_output, x, beta=1.0, threshold=20.0):
    """grad sigmoid(beta x), and grad itself where beta x > threshold."""
    xp = xp_of(x)
    t = x.dtype.type
    bx = x * t(beta) if beta != 1 else x
    s = sigmoid(bx)
    s *= grad_output
    return xp.where(bx > t(threshold), grad_output, s)


@_quiet
def silu_backward(grad_output, x):
    """grad s (1 + x (1 - s)), s = sigmoid(x)."""
    s = sigmoid(x)
    d = 1 - s
    d *= x
    d += 1
    d *= s
    d *= grad_output
    return d
