"""Scans (cumsum, cumprod, cummax, cummin, logcumsumexp), order statistics (median, nanmedian,
mode, quantile, nanquantile) and counting (unique, unique_consecutive, bincount, histc).

Scans keep the input's shape; their gradients are reversed scans written in Tensor ops. The order
statistics select elements, so their gradients go back to the selected places (evenly among
ties for the median over all elements, as PyTorch does).
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import Tensor, make, wrap_dim, xp_of
from .reduction import (ScatterAddIntoZeros, _ScatterIntoZeros, _title,
                        _write, return_type)

_INT_KINDS = "biu"


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
        return make(xp.cumsum(d, axis=dim, dtype=dtype))

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
        else:
            m = d.max(axis=dim, keepdims=True) if d.size else d
            m = xp.where(xp.isfinite(m), m, 0)
            with xp.errstate(divide="ignore", over="ignore"):
                y = make((xp.log(xp.cumsum(xp.exp(d - m), axis=dim)) + m).astype(d.dtype))
        ctx.save_for_backward(x, y)
        ctx.dim = dim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        if x.ndim == 0:
            return grad_output, None
        from .elementwise import exp

        # shift by the last (largest) running value so neither exponential overflows
        top = y.narrow(ctx.dim, y.shape[ctx.dim] - 1, 1) if y.shape[ctx.dim] else y
        top = top.detach()
        return RevCumsum.apply(grad_output * exp(top - y), ctx.dim) * exp(x - top), None


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


def _pair_out(v, i, name, out):
    if out is not None:
        v = _write(v, out[0], v)
        i = _write(i, out[1])
    return return_type(name)(v, i)


# ------------------------------------------------------------------------ order statistics
class MedianAll(Function):
    """y = the lower median of all elements;  dy/dx = 1/k at each of the k places equal to y"""

    _builtin = True
    _node_name = "MedianBackward0"
    _ignore_nan = False

    @staticmethod
    def forward(ctx, x, cls):
        d = x._data.reshape(-1)
        xp = xp_of(d)
        if d.size == 0:
            y = xp.asarray(xp.nan, d.dtype) if d.dtype.kind in "fc" else None
            if y is None:
                raise IndexError("median(): Expected reduction dim to be specified for "
                                 "input.numel() == 0.")
        else:
            s = xp.sort(d)
            nan = xp.isnan(s) if d.dtype.kind in "fc" else xp.zeros(s.shape, bool)
            if cls._ignore_nan:
                k = int(s.size - nan.sum())
                y = s[(k - 1) // 2] if k else s[-1]
            else:
                y = s[-1] if nan.any() else s[(s.size - 1) // 2]
        out = make(xp.asarray(y))
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        mask = x == y
        return grad_output * mask / mask.sum(), None


class NanmedianAll(MedianAll):
    _node_name = "NanmedianBackward0"
    _ignore_nan = True


class MedianDim(Function):
    """values, indices = lower median along dim;  dx = g placed at the indices"""

    _builtin = True
    _node_name = "MedianBackward1"
    _ignore_nan = False

    @staticmethod
    def forward(ctx, x, dim, keepdim, cls):
        d = x._data
        xp = xp_of(d)
        a = d.reshape(1) if d.ndim == 0 else d
        if a.shape[dim] == 0:
            raise IndexError(f"median(): Expected reduction dim {dim} to have non-zero size.")
        order = xp.argsort(a, axis=dim, kind="stable")
        s = xp.take_along_axis(a, order, axis=dim)
        n = a.shape[dim]
        if a.dtype.kind in "fc":
            nan_count = xp.isnan(a).sum(axis=dim, keepdims=True)
        else:
            nan_count = xp.zeros_like(xp.take(a, [0], axis=dim), dtype="int64")
        if cls._ignore_nan:
            k = n - nan_count
            pos = xp.where(k > 0, (k - 1) // 2, 0)  # all NaN: PyTorch's index is unspecified
        else:
            # a NaN makes the median NaN: PyTorch returns the first NaN's index
            pos = xp.where(nan_count > 0, n - nan_count, (n - 1) // 2)
        pos = pos.astype("int64")
        vals = xp.take_along_axis(s, pos, axis=dim)
        idx = xp.take_along_axis(order, pos, axis=dim).astype("int64")
        if not keepdim or d.ndim == 0:
            vals, idx = vals.squeeze(dim), idx.squeeze(dim)
        ctx.dim, ctx.keepdim, ctx.shape, ctx.ndim = dim, keepdim, a.shape, d.ndim
        indices = make(idx)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return make(vals), indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (indices,) = ctx.saved_tensors
        if ctx.ndim == 0:
            return grad_values, None, None, None
        g = grad_values if ctx.keepdim else grad_values.unsqueeze(ctx.dim)
        i = indices if ctx.keepdim else indices.unsqueeze(ctx.dim)
        return _ScatterIntoZeros.apply(g, i, ctx.dim, ctx.shape), None, None, None


class NanmedianDim(MedianDim):
    _node_name = "NanmedianBackward1"
    _ignore_nan = True


class Mode(MedianDim):
    """values, indices = the most frequent value along dim (the smallest on ties; the index of
    its last occurrence);  dx = g placed at the indices"""

    _node_name = "ModeBackward0"

    @staticmethod
    def forward(ctx, x, dim, keepdim, cls):
        d = x._data
        xp = xp_of(d)
        a = d.reshape(1) if d.ndim == 0 else d
        if a.shape[dim] == 0:
            raise IndexError(f"mode(): Expected reduction dim {dim} to have non-zero size.")
        a2 = xp.moveaxis(a, dim, -1)
        lead = a2.shape[:-1]
        rows = a2.reshape(-1, a2.shape[-1])
        vals = xp.empty(rows.shape[0], a.dtype)
        idx = xp.empty(rows.shape[0], "int64")
        for r in range(rows.shape[0]):
            row = rows[r]
            u, counts = xp.unique(row, return_counts=True)
            v = u[int(xp.argmax(counts))]
            vals[r] = v
            hits = xp.nonzero((row == v) | ((row != row) & (v != v)))[0]
            idx[r] = hits[-1]
        vals = vals.reshape(lead)
        idx = idx.reshape(lead)
        if keepdim and d.ndim:
            vals = xp.expand_dims(vals, dim)
            idx = xp.expand_dims(idx, dim)
        ctx.dim, ctx.keepdim, ctx.shape, ctx.ndim = dim, keepdim, a.shape, d.ndim
        indices = make(idx)
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return make(vals), indices


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``."""
    if dim is None:
        return MedianAll.apply(input, MedianAll)
    v, i = MedianDim.apply(input, wrap_dim(dim, input._data.ndim), keepdim, MedianDim)
    return _pair_out(v, i, "median", out)


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """Like ``median`` but ignoring NaN."""
    if dim is None:
        return NanmedianAll.apply(input, NanmedianAll)
    v, i = NanmedianDim.apply(input, wrap_dim(dim, input._data.ndim), keepdim, NanmedianDim)
    return _pair_out(v, i, "nanmedian", out)


def mode(input, dim=-1, keepdim=False, *, out=None):
    """``(values, indices)`` of the most frequent value along ``dim``."""
    v, i = Mode.apply(input, wrap_dim(dim, input._data.ndim), keepdim, Mode)
    return _pair_out(v, i, "mode", out)


class Quantile(Function):
    """y = the q-quantile along dim, interpolated between the two nearest order statistics;
    dy/dx = the interpolation weights at the places those statistics came from"""

    _builtin = True
    _node_name = "QuantileBackward0"

    @staticmethod
    def forward(ctx, x, q, dim, keepdim, interpolation, ignore_nan):
        d = x._data
        xp = xp_of(d)
        if dim is None:
            a = d.reshape(-1)
            axis = 0
        else:
            a = d.reshape(1) if d.ndim == 0 else d
            axis = dim
        a = xp.moveaxis(a, axis, -1)  # (..., n)
        n = a.shape[-1]
        if n == 0:
            raise IndexError("quantile() input tensor must be non-empty")
        order = xp.argsort(a, axis=-1, kind="stable")
        s = xp.take_along_axis(a, order, axis=-1)
        nan = xp.isnan(s)
        count = n - nan.sum(axis=-1, keepdims=True)  # (..., 1)
        qs = xp.asarray(q, dtype=a.dtype).reshape(-1)  # (m,)
        if ignore_nan:
            last = xp.maximum(count - 1, 0)
        else:
            last = xp.full(count.shape, n - 1)
        rank = qs * last  # (..., m)
        if interpolation == "lower":
            rank = xp.floor(rank)
        elif interpolation == "higher":
            rank = xp.ceil(rank)
        elif interpolation == "nearest":
            rank = xp.rint(rank)
        lo = xp.floor(rank).astype("int64")
        hi = xp.ceil(rank).astype("int64")
        w = (rank - lo).astype(a.dtype)
        if interpolation == "midpoint":
            w = xp.where(hi > lo, xp.asarray(0.5, a.dtype), xp.asarray(0.0, a.dtype))
        v_lo = xp.take_along_axis(s, lo, axis=-1)
        v_hi = xp.take_along_axis(s, hi, axis=-1)
        # PyTorch's lerp: start + w (end - start) below w = 0.5, end - (end - start)(1 - w) above
        with xp.errstate(invalid="ignore"):
            val = xp.where(w < 0.5, v_lo + w * (v_hi - v_lo), v_hi - (v_hi - v_lo) * (1 - w))
            val = xp.where(w == 0, v_lo, val)
        bad = (count == 0) if ignore_nan else (count < n)
        val = xp.where(bad, xp.nan, val).astype(a.dtype)
        ctx.src_lo = xp.take_along_axis(order, lo, axis=-1)
        ctx.src_hi = xp.take_along_axis(order, hi, axis=-1)
        ctx.w, ctx.bad = w, bad
        ctx.a_shape, ctx.axis, ctx.dim, ctx.keepdim = a.shape, axis, dim, keepdim
        ctx.d_shape, ctx.scalar_q = d.shape, not isinstance(q, (list, tuple)) and \
            xp.ndim(q) == 0
        return make(_quantile_layout(xp, val, d.ndim, dim, keepdim, ctx.scalar_q))

    @staticmethod
    def backward(ctx, grad_output):
        xp = xp_of(ctx.w)
        m = ctx.w.shape[-1]
        g = _quantile_unlayout(grad_output, len(ctx.d_shape), ctx.dim, ctx.keepdim,
                               ctx.scalar_q, ctx.a_shape[:-1], m)  # (..., m)
        w = make(ctx.w)
        keep = make(~xp.broadcast_to(ctx.bad, ctx.w.shape))
        g = g * keep
        shape = ctx.a_shape
        gx = ScatterAddIntoZeros.apply(g * (1 - w), make(ctx.src_lo), len(shape) - 1, shape) + \
            ScatterAddIntoZeros.apply(g * w, make(ctx.src_hi), len(shape) - 1, shape)
        if ctx.dim is None:
            gx = gx.reshape(ctx.d_shape)
        else:
            gx = gx.movedim(-1, ctx.axis) if len(shape) > 1 else gx
            gx = gx.reshape(ctx.d_shape)
        return gx, None, None, None, None, None


def _quantile_layout(xp, val, ndim, dim, keepdim, scalar_q):
    """(..., m) -> PyTorch's layout: q dim first (absent for a scalar q), then the kept dims."""
    out = xp.moveaxis(val, -1, 0)  # (m, ...)
    if dim is not None and keepdim and ndim:
        out = xp.expand_dims(out, dim + 1)
    elif dim is None and keepdim:
        out = out.reshape((out.shape[0],) + (1,) * ndim)
    if scalar_q:
        out = out[0]
    return out.copy()  # (ascontiguousarray would turn a 0-d result into 1-d)


def _quantile_unlayout(g, ndim, dim, keepdim, scalar_q, lead, m):
    if scalar_q:
        g = g.unsqueeze(0)
    g = g.reshape((m,) + tuple(lead))
    return g.movedim(0, -1) if g.ndim > 1 else g


_INTERPOLATIONS = ("linear", "lower", "higher", "midpoint", "nearest")


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan, out):
    if input._data.dtype.kind != "f":
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    if interpolation not in _INTERPOLATIONS:
        raise RuntimeError(f"{name}() interpolation must be one of linear, lower, higher, "
                           f"midpoint or nearest. Got {interpolation}")
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError(f"{name}() q must be a scalar or 1D tensor")
        if q._data.dtype != input._data.dtype:
            raise RuntimeError(f"{name}() q tensor must be same dtype as the input tensor")
        qv = q._data
    else:
        qv = q
    xp = xp_of(input._data)
    qa = xp.asarray(qv, dtype="float64")
    if qa.size and ((qa < 0).any() or (qa > 1).any()):
        if isinstance(q, Tensor):
            raise RuntimeError(f"{name}() q values must be in the range [0, 1]")
        raise RuntimeError(f"{name}() q must be in the range [0, 1] but got {q}")
    d = None if dim is None else wrap_dim(dim, input._data.ndim)
    res = Quantile.apply(input, qv, d, keepdim, interpolation, ignore_nan)
    return res if out is None else _write(res, out, input)


def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-quantiles (a number or a 1-D tensor in [0, 1]) along ``dim`` (or of all
    elements); ``interpolation`` is linear, lower, higher, midpoint or nearest. NaN in a row
    makes its quantiles NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False, out)


def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """Like ``quantile`` but ignoring NaN."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True, out)


# -------------------------------------------------------------------------------- counting
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):
    """The distinct values (sorted), with the inverse indices and counts when asked.

    ``dim`` finds the distinct slices along that dim. ember always sorts (PyTorch's CPU kernel
    sorts too)."""
    d = input._data
    xp = xp_of(d)
    if dim is None:
        u, inv, cnt = xp.unique(d.reshape(-1), return_inverse=True, return_counts=True)
        inv = inv.reshape(d.shape)
    else:
        dim = wrap_dim(dim, d.ndim)
        if d.shape[dim] == 0:
            u = d
            inv = xp.zeros(0, "int64")
            cnt = xp.zeros(0, "int64")
        else:
            u, inv, cnt = xp.unique(d, return_inverse=True, return_counts=True, axis=dim)
            inv = inv.reshape(-1)
    return _unique_result(u, inv, cnt, return_inverse, return_counts)


def _unique_result(u, inv, cnt, return_inverse, return_counts):
    out = [make(u)]
    if return_inverse:
        out.append(make(inv.astype("int64")))
    if return_counts:
        out.append(make(cnt.astype("int64")))
    return out[0] if len(out) == 1 else tuple(out)


def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """Collapse runs of equal consecutive values (or slices along ``dim``)."""
    d = input._data
    xp = xp_of(d)
    if dim is None:
        a = d.reshape(-1)
        if a.size == 0:
            return _unique_result(a, xp.zeros(d.shape, "int64"), xp.zeros(0, "int64"),
                                  return_inverse, return_counts)
        change = xp.concatenate([[True], a[1:] != a[:-1]])
        u = a[change]
        inv = (xp.cumsum(change) - 1).reshape(d.shape)
    else:
        dim = wrap_dim(dim, d.ndim)
        a = xp.moveaxis(d, dim, 0).reshape(d.shape[dim], -1)
        if a.shape[0] == 0:
            return _unique_result(d, xp.zeros(0, "int64"), xp.zeros(0, "int64"),
                                  return_inverse, return_counts)
        change = xp.concatenate([[True], (a[1:] != a[:-1]).any(axis=1)])
        u = xp.compress(change, d, axis=dim)
        inv = xp.cumsum(change) - 1
    starts = xp.nonzero(change)[0]
    cnt = xp.diff(xp.concatenate([starts, [change.size]]))
    return _unique_result(u, inv, cnt, return_inverse, return_counts)


def bincount(input, weights=None, minlength=0):
    """Counts of each value of a 1-D non-negative integer tensor (weighted sums with
    ``weights``, as float64 like PyTorch)."""
    d = input._data
    xp = xp_of(d)
    if d.ndim != 1 or d.dtype.kind not in "iu":
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if d.size and d.min() < 0:
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is None:
        return make(xp.bincount(d, minlength=minlength).astype("int64"))
    w = weights._data
    if w.shape != d.shape:
        raise RuntimeError("weights should be 1-d and have the same length as input")
    out_dtype = w.dtype if w.dtype.kind == "f" else "float64"  # PyTorch keeps float weights
    return make(xp.bincount(d, weights=w.astype("float64"), minlength=minlength)
                .astype(out_dtype))


def histc(input, bins=100, min=0, max=0, *, out=None):
    """A histogram of ``bins`` equal-width bins over ``[min, max]`` (the data's range when both
    are 0); values outside are ignored. Same dtype as the input."""
    d = input._data
    xp = xp_of(d)
    if d.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for \'{_title(input)}\'')
    if bins <= 0:
        raise RuntimeError("torch.histc(): bins must be > 0, but got " + str(bins) +
                           " for dim 0")
    lo, hi = float(min), float(max)
    if lo == hi and d.size:
        lo, hi = float(d.min()), float(d.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if lo > hi:
        raise RuntimeError("torch.histc(): max must be larger than min")
    v = d.reshape(-1).astype("float64")
    v = v[(v >= lo) & (v <= hi)]
    pos = ((v - lo) * bins / (hi - lo)).astype("int64")
    pos = xp.minimum(pos, bins - 1)  # the top edge belongs to the last bin
    res = make(xp.bincount(pos, minlength=bins).astype(d.dtype))
    return res if out is None else _write(res, out)


__all__ = ["cumsum", "cumprod", "cummax", "cummin", "logcumsumexp", "median", "nanmedian",
           "mode", "quantile", "nanquantile", "unique", "unique_consecutive", "bincount", "histc"]
