"""Random draws for the distributions, from ember's generator (``ember.manual_seed``).

``standard_gamma`` is differentiable w.r.t. its concentration by implicit reparameterisation
(dx/dalpha = -(dP/dalpha) / (dP/dx), P the regularised incomplete gamma function), which
gives Gamma, Beta, Dirichlet, Chi2 and StudentT their ``rsample``.
"""

from __future__ import annotations

from ..autograd.function import Function
from ..backend import errstate as _be_errstate
from ..backend import xp_of
from ..ops._util import make
from ..ops.random import _rng


def _np_dtype(dtype):
    return dtype.np


def _placed(arr, device=None):
    """A tensor of ``arr`` (drawn on the host) on ``device`` (None: the cpu)."""
    if device is not None and device.type != "cpu":
        from ..backend import to_device

        arr = to_device(arr, device)
    return make(arr)


def _host(t):
    """The array of tensor ``t`` in host memory, for draws parametrised by it."""
    d = t._data
    if type(d).__module__ == "numpy":
        return d
    from ..backend import backend_of

    return backend_of(d).to_host(d)


def uniform(shape, dtype, low=0.0, high=1.0, device=None):
    """Uniform samples on ``[low, high)`` as a tensor of ``dtype`` on ``device``."""
    u = _rng(None).random(tuple(shape))
    return _placed((low + (high - low) * u).astype(_np_dtype(dtype)), device)


def standard_exponential(shape, dtype, device=None):
    return _placed(_rng(None).standard_exponential(tuple(shape)).astype(_np_dtype(dtype)), device)


def standard_cauchy(shape, dtype, device=None):
    return _placed(_rng(None).standard_cauchy(tuple(shape)).astype(_np_dtype(dtype)), device)


def poisson(rate):
    """Poisson counts (no gradient) with the rates of the tensor ``rate``, same dtype and
    device."""
    d = _host(rate)
    return _placed(_rng(None).poisson(d.astype("float64")).astype(d.dtype), rate.device)


def binomial(total_count, probs):
    """Binomial counts (no gradient), broadcast ``total_count`` and ``probs``."""
    n = _host(total_count).astype("int64")
    p = _host(probs).astype("float64")
    return _placed(_rng(None).binomial(n, p).astype(probs._data.dtype), probs.device)


def _dx_dalpha(x, a):
    """Implicit derivative of a standard-gamma sample x w.r.t. its shape a, with dP/da by a
    central difference of the incomplete gamma (its complement where x > a, for accuracy)."""
    from ..special import _gammainc_arrays, _lgamma_array

    xp = xp_of(x)
    with _be_errstate(xp, all="ignore"):
        h = 1e-5 * xp.maximum(a, 1e-3)
        p_hi, q_hi = _gammainc_arrays(a + h, x)
        p_lo, q_lo = _gammainc_arrays(a - h, x)
        dp_da = xp.where(x < a, p_hi - p_lo, q_lo - q_hi) / (2 * h)
        dp_dx = xp.exp((a - 1) * xp.log(x) - x - _lgamma_array(a))
        g = -dp_da / dp_dx
    return xp.where(xp.isfinite(g), g, 0.0)


class StandardGamma(Function):
    """x ~ Gamma(alpha, 1);  dx/dalpha by implicit reparameterisation (first order only)"""

    _builtin = True
    _node_name = "StandardGammaBackward0"

    @staticmethod
    def forward(ctx, alpha):
        d = alpha._data
        a = d.astype("float64")
        x = _rng(None).standard_gamma(_host(alpha).astype("float64"))  # drawn on the host
        if type(d).__module__ != "numpy":
            from ..backend import to_device

            x = to_device(x, alpha.device)
        xp = xp_of(x)
        tiny = xp.finfo(d.dtype).tiny
        x = xp.maximum(x.astype(d.dtype), tiny)  # as PyTorch: a sample is never exactly 0
        if any(getattr(ctx, "needs_input_grad", ())):  # the no-grad ctx has none
            ctx.dxda = make(_dx_dalpha(x.astype("float64"), a).astype(d.dtype))
        return make(x)

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output * ctx.dxda


def standard_gamma(concentration):
    """Gamma(concentration, 1) samples of ``concentration``'s shape (differentiable)."""
    return StandardGamma.apply(concentration)
