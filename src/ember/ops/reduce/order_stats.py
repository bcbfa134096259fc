"""Order statistics: median, nanmedian, mode, quantile, nanquantile."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make, wrap_dim
from ..return_types import return_type
from .sum_prod import ScatterAddIntoZeros, _ScatterIntoZeros, _write


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
        if y._data != y._data:  # a NaN median: PyTorch spreads the gradient over the NaNs
            mask = x.isnan()
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
        with _be_errstate(xp, invalid="ignore"):
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
