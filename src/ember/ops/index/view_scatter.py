"""Scatter into a view of a copy: slice_scatter, select_scatter, diagonal_scatter."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import xp_of
from .._util import make, wrap_dim


# ----------------------------------------------------------------- scatter into a view of a copy
class _ScatterIntoView(Function):
    """y = input with view(y) replaced by src;
    d/dinput = grad with view zeroed, d/dsrc = view(grad)"""

    _builtin = True

    @staticmethod
    def forward(ctx, input, src, params):
        cls, params = params[0], params[1:]  # the subclass travels in params (no ctx on the
        d = input._data                         # no-grad fast path)
        sd = src._data
        region = cls._array_view(xp_of(d), d, params)
        if tuple(region.shape) != tuple(sd.shape):
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src "
                               f"size = {list(sd.shape)}, slice size = {list(region.shape)}")
        out = d.copy()
        cls._write(xp_of(d), out, params, sd)
        ctx.params = (cls,) + params
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        from ..factories import zeros_like

        cls = ctx.params[0]
        gi = gs = None
        view = cls._tensor_view(grad_output, ctx.params[1:])
        if ctx.needs_input_grad[0]:
            gi = cls.apply(grad_output, zeros_like(view), ctx.params)
        if ctx.needs_input_grad[1]:
            gs = view
        return gi, gs, None


class SliceScatter(_ScatterIntoView):
    """y = input with y[..., start:end:step, ...] (in dim) = src"""

    _node_name = "SliceScatterBackward0"

    @staticmethod
    def _index(ndim, params):
        dim, start, end, step = params
        return (slice(None),) * dim + (slice(start, end, step),)

    @classmethod
    def _array_view(cls, xp, d, params):
        return d[cls._index(d.ndim, params)]

    @classmethod
    def _write(cls, xp, out, params, src):
        out[cls._index(out.ndim, params)] = src

    @classmethod
    def _tensor_view(cls, t, params):
        return t[cls._index(t._data.ndim, params)]


class SelectScatter(_ScatterIntoView):
    """y = input with y.select(dim, index) = src"""

    _node_name = "SelectScatterBackward0"

    @staticmethod
    def _array_view(xp, d, params):
        dim, index = params
        return d[(slice(None),) * dim + (index,)]

    @staticmethod
    def _write(xp, out, params, src):
        dim, index = params
        out[(slice(None),) * dim + (index,)] = src

    @staticmethod
    def _tensor_view(t, params):
        return t.select(*params)


class DiagonalScatter(_ScatterIntoView):
    """y = input with y.diagonal(offset, dim1, dim2) = src"""

    _node_name = "DiagonalScatterBackward0"

    @staticmethod
    def _array_view(xp, d, params):
        return xp.diagonal(d, *params)

    @staticmethod
    def _write(xp, out, params, src):
        offset, d1, d2 = params
        moved = xp.moveaxis(out, (d1, d2), (-2, -1))  # a writable view of out
        r, c = moved.shape[-2:]
        k = max(0, min(r - max(0, -offset), c - max(0, offset)))
        i = xp.arange(k) + max(0, -offset)
        moved[..., i, i + offset] = src

    @staticmethod
    def _tensor_view(t, params):
        return t.diagonal(*params)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` written into the slice ``start:end:step`` of ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return SliceScatter.apply(input, src, (SliceScatter, d, start, end, step))


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` written into ``input.select(dim, index)``."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if index < -size or index >= size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return SelectScatter.apply(input, src, (SelectScatter, d, index % size))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` written into its ``diagonal(offset, dim1, dim2)``."""
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagonalScatter.apply(input, src, (DiagonalScatter, int(offset), d1, d2))
