"""Scans and differences: cumsum, cumprod, cummax, cummin, logcumsumexp, diff, and the
trapezoid-rule integrals."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from ...tensor import Tensor
from .._util import low_precision, make_dense as make, round_to, wrap_dim
from ..pointwise.compare import logical_xor
from ..shape.join import cat
from ..shape.views import narrow, select
from .dims import _INT_KINDS
from .order_stats import _pair_out
from .sum_prod import ScatterAddIntoZeros, _title, _write


def _scan_dtype(d, dtype):
    if dtype is not None:
        return dtype.np
    return "int64" if d.dtype.kind in _INT_KINDS else None


def _flip(xp, a, dim):
    return xp.flip(a, axis=dim) if a.ndim else a


# --------------------------------------------------------------------------------------- scans
class Cumsum(Function):
    """y_i = sum_{k <= i} x_k;  dx_i = sum_{k >= i} g_k (a reversed cumsum)"""

    _builtin = True
    _node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, dim, dtype):
        d = x._data
        xp = xp_of(d)
        ctx.dim = dim
        ctx.dtype = x.dtype
        if d.ndim == 0:
            return make(d.astype(dtype or d.dtype))
        low = low_precision(d) if dtype is None else None  # float32 sums, each rounded once
        with _be_errstate(xp, over="ignore", invalid="ignore"):
            out = xp.cumsum(d, axis=dim, dtype=dtype if low is None else "float32")
        return make(out if low is None else round_to(out, low))

    @staticmethod
    def backward(ctx, grad_output):
        return RevCumsum.apply(grad_output, ctx.dim).to(ctx.dtype), None, None


class RevCumsum(Function):
    """y_i = sum_{k >= i} x_k;  dx_i = sum_{k <= i} g_k (a cumsum)"""

    _builtin = True
    _node_name = "CumsumBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        d = x._data
        xp = xp_of(d)
        ctx.dim = dim
        if d.ndim == 0:
            return make(d.copy())
        return make(_flip(xp, xp.cumsum(_flip(xp, d, dim), axis=dim), dim).copy())

    @staticmethod
    def backward(ctx, grad_output):
        return Cumsum.apply(grad_output, ctx.dim, None), None


class Cumprod(Function):
    """y_i = prod_{k <= i} x_k;  dx_i = sum_{k >= i} g_k prod_{j <= k, j != i} x_j
    (= revcumsum(g y) / x when x has no zeros)"""

    _builtin = True
    _node_name = "CumprodBackward0"

    @staticmethod
    def forward(ctx, x, dim, dtype):
        d = x._data
        xp = xp_of(d)
        with _be_errstate(xp, over="ignore", invalid="ignore"):
            y = make(d.astype(dtype or d.dtype) if d.ndim == 0 else xp.cumprod(d, axis=dim,
                                                                                 dtype=dtype))
        ctx.save_for_backward(x, y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        if x.ndim == 0:
            return grad_output, None, None
        dim = ctx.dim
        if not bool((x._data == 0).any()):
            return RevCumsum.apply(grad_output * y, dim) / x, None, None
        # with zeros: dense form, row i is x with x_i replaced by 1 (O(n^2), exact)
        xt = x.transpose(dim, -1)
        gt = grad_output.transpose(dim, -1)
        n = xt.shape[-1]
        xp = xp_of(x._data)
        eye = make(xp.eye(n, dtype=x._data.dtype))
        rows = xt.unsqueeze(-2) * (1 - eye) + eye  # (..., i, k)
        c = Cumprod.apply(rows, rows.ndim - 1, None)
        upper = make(xp.triu(xp.ones((n, n), dtype=x._data.dtype)))  # k >= i
        gx = (gt.unsqueeze(-2) * c * upper).sum(-1)
        return gx.transpose(dim, -1), None, None


class _CumExtreme(Function):
    """values, indices = running max (or min) along dim;  dx = g scattered (added) at indices"""

    _builtin = True
    _node_name = "CummaxBackward0"
    _take_max = True

    @staticmethod
    def forward(ctx, x, dim, cls):
        d = x._data
        xp = xp_of(d)
        ctx.dim = dim
        ctx.shape = d.shape
        if d.ndim == 0:
            v, i = d.copy(), xp.zeros((), "int64")
        else:
            v, i = _cum_extreme(xp, d, dim, cls._take_max)
        indices = make(i)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return make(v), indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (indices,) = ctx.saved_tensors
        if len(ctx.shape) == 0:
            return grad_values, None, None
        return ScatterAddIntoZeros.apply(grad_values, indices, ctx.dim, ctx.shape), None, None


class Cummax(_CumExtreme):
    _node_name = "CummaxBackward0"
    _take_max = True


class Cummin(_CumExtreme):
    _node_name = "CumminBackward0"
    _take_max = False


def _cum_extreme(xp, d, dim, take_max):
    """Running extreme and the index where it was last reached (PyTorch takes the latest of
    equal values; NaN, once seen, stays)."""
    a = xp.moveaxis(d, dim, -1)
    n = a.shape[-1]
    vals = xp.empty_like(a)
    idx = xp.empty(a.shape, "int64")
    if n:
        cur = a[..., 0].copy()
        cur_i = xp.zeros(a.shape[:-1], "int64")
        vals[..., 0], idx[..., 0] = cur, cur_i
        isnan = xp.isnan if a.dtype.kind in "fc" else None
        for k in range(1, n):
            v = a[..., k]
            better = (v >= cur) if take_max else (v <= cur)
            if isnan is not None:
                better = (better & ~isnan(cur)) | isnan(v)
            cur = xp.where(better, v, cur)
            cur_i = xp.where(better, k, cur_i)
            vals[..., k], idx[..., k] = cur, cur_i
    return xp.moveaxis(vals, -1, dim), xp.moveaxis(idx, -1, dim)


class Logcumsumexp(Function):
    """y_i = log sum_{k <= i} exp(x_k);  dx_i = sum_{k >= i} g_k exp(x_i - y_k)"""

    _builtin = True
    _node_name = "LogcumsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        d = x._data
        xp = xp_of(d)
        if d.ndim == 0:
            y = make(d.copy())
        elif d.dtype.kind == "f":
            # a running logaddexp: exact at every step (one global shift loses the small
            # terms: logcumsumexp([0, 100]) would start at 0.0169, not 0)
            with _be_errstate(xp, invalid="ignore", over="ignore"):
                y = make(_running_logaddexp(xp, d, dim))
        else:
            m = d.max(axis=dim, keepdims=True) if d.size else d
            m = xp.where(xp.isfinite(m), m, 0)
            with _be_errstate(xp, divide="ignore", over="ignore"):
                y = make((xp.log(xp.cumsum(xp.exp(d - m), axis=dim)) + m).astype(d.dtype))
        ctx.save_for_backward(x, y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        if x.ndim == 0:
            return grad_output, None
        from ..pointwise.exp_log import exp

        if x._data.dtype.kind == "f":
            return _logcumsumexp_grad(grad_output, x, y, ctx.dim), None
        # shift by the last (largest) running value so neither exponential overflows
        top = y.narrow(ctx.dim, y.shape[ctx.dim] - 1, 1) if y.shape[ctx.dim] else y
        top = top.detach()
        dx = RevCumsum.apply(grad_output * exp(top - y), ctx.dim) * exp(x - top)
        return dx, None


def _running_logaddexp(xp, d, dim):
    """``logaddexp.accumulate`` along ``dim`` (NumPy's ufunc method; a loop over the dim where
    the array library has none, as CuPy)."""
    acc = getattr(xp.logaddexp, "accumulate", None)
    if xp.__name__ == "numpy" and acc is not None:
        return acc(d, axis=dim)
    out = xp.moveaxis(d.copy(), dim, 0)
    for k in range(1, out.shape[0]):
        out[k] = xp.logaddexp(out[k - 1], out[k])
    return xp.ascontiguousarray(xp.moveaxis(out, 0, dim))


def _logcumsumexp_grad(g, x, y, dim):
    """PyTorch's logcumsumexp backward, in log space so nothing overflows: the positive and
    the negative parts of ``g`` each as exp(reverse-logcumsumexp(log|g| - y) + x)."""
    from ... import dtypes as _dt
    from ..pointwise.clamp import where
    from ..pointwise.exp_log import exp, log
    from ..shape.rearrange import flip

    lowest = _dt.finfo(x.dtype).min
    log_abs = log(g.abs())
    pos = where(g > 0, log_abs, lowest) - y
    neg = where(g < 0, log_abs, lowest) - y

    def rev(t):
        return flip(logcumsumexp(flip(t, [dim]), dim), [dim])

    return exp(rev(pos) + x) - exp(rev(neg) + x)


def cumsum(input, dim, *, dtype=None, out=None):
    """Running sum along ``dim`` (integers accumulate as int64)."""
    res = Cumsum.apply(input, wrap_dim(dim, input._data.ndim), _scan_dtype(input._data, dtype))
    return res if out is None else _write(res, out, input)


def cumprod(input, dim, *, dtype=None, out=None):
    """Running product along ``dim`` (exact gradient where the input has zeros)."""
    res = Cumprod.apply(input, wrap_dim(dim, input._data.ndim), _scan_dtype(input._data, dtype))
    return res if out is None else _write(res, out, input)


def cummax(input, dim, *, out=None):
    """``(values, indices)`` of the running maximum along ``dim``."""
    v, i = Cummax.apply(input, wrap_dim(dim, input._data.ndim), Cummax)
    return _pair_out(v, i, "cummax", out)


def cummin(input, dim, *, out=None):
    """``(values, indices)`` of the running minimum along ``dim``."""
    v, i = Cummin.apply(input, wrap_dim(dim, input._data.ndim), Cummin)
    return _pair_out(v, i, "cummin", out)


def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input)))`` along ``dim``, without overflow."""
    if input._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for \'{_title(input)}\'')
    res = Logcumsumexp.apply(input, wrap_dim(dim, input._data.ndim))
    return res if out is None else _write(res, out, input)


# ------------------------------------------------------------------------------ differences
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``, after concatenating ``prepend`` and
    ``append``; bool tensors use ``!=`` (xor) as PyTorch does."""
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input._data.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    x = cat([_expand_like(p, input, d) for p in parts], d) if len(parts) > 1 else input
    for _ in range(n):
        length = x._data.shape[d]
        if length == 0:
            break
        hi = narrow(x, d, 1, length - 1)
        lo = narrow(x, d, 0, length - 1)
        x = logical_xor(hi, lo) if x._data.dtype.kind == "b" else hi - lo
    return x


def _expand_like(p, input, d):
    if not isinstance(p, Tensor):
        from ..factories import tensor

        p = tensor(p, dtype=input.dtype)
    if p._data.ndim == 0:  # a scalar prepend/append is one slice along dim
        shape = list(input._data.shape)
        shape[d] = 1
        return p.expand(*shape)
    return p


# ----------------------------------------------------------------------------- integrals
def _dx_along(x, y, d):
    """The spacings of sample points ``x`` broadcast against ``y`` along dim ``d``."""
    dx = diff(x, dim=-1 if x._data.ndim == 1 else d)
    if x._data.ndim == 1:
        shape = [1] * y._data.ndim
        shape[d] = dx._data.shape[0]
        dx = dx.reshape(shape)
    return dx


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule integral of ``y`` along ``dim``, with sample points ``x`` or a
    constant spacing ``dx`` (default 1)."""
    d = wrap_dim(dim, y._data.ndim)
    n = y._data.shape[d]
    if isinstance(x, Tensor):
        if n == 0:
            return y.sum(d)
        lo, hi = narrow(y, d, 0, n - 1), narrow(y, d, 1, n - 1)
        return ((hi + lo) * _dx_along(x, y, d)).sum(d) / 2
    if x is not None:  # trapz(y, dx) positionally
        dx = x
    dx = 1 if dx is None else dx
    if n == 0:
        return y.sum(d) * dx
    return (y.sum(d) - (select(y, d, 0) + select(y, d, n - 1)) * 0.5) * dx


def trapz(y, x=None, *, dx=None, dim=-1):
    """``trapezoid`` under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid integral of ``y`` along ``dim`` (one element shorter)."""

    d = wrap_dim(dim, y._data.ndim)
    n = y._data.shape[d]
    if n == 0:
        return y
    lo, hi = narrow(y, d, 0, n - 1), narrow(y, d, 1, n - 1)
    if isinstance(x, Tensor):
        area = (hi + lo) * _dx_along(x, y, d) / 2
    else:
        if x is not None:
            dx = x
        area = (hi + lo) * ((1 if dx is None else dx) / 2)
    return cumsum(area, d)
