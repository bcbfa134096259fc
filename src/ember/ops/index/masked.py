"""Masked ops: masked_fill, masked_select, masked_scatter (and in-place forms)."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make_dense as make
from ..inplace import inplace
from ..pointwise.clamp import where
from .gather_scatter import _pad_to


def masked_fill(input, mask, value):
    """``input`` with ``value`` where ``mask`` is True (broadcasting)."""
    from ..pointwise.clamp import where

    if not isinstance(mask, Tensor) or mask._data.dtype != bool:
        names = {"uint8": "unsigned char", "int8": "signed char", "int64": "long int",
                 "int32": "int", "float32": "float", "float64": "double"}
        dt = getattr(getattr(mask, "_data", None), "dtype", None)
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{names.get(getattr(dt, 'name', ''), dt)}")
    if isinstance(value, Tensor) and value._data.ndim != 0:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    if not isinstance(value, Tensor):
        value = make(xp_of(input._data).asarray(value, dtype=input._data.dtype))
    elif value._data.dtype != input._data.dtype:
        value = value.to(input.dtype)
    out = where(mask, value, input)
    out._data = make(out._data)._data  # (make is make_dense here) contiguous, as PyTorch
    fn = out._grad_fn
    if fn is not None and fn.__class__ is _WhereNode:
        fn.__class__ = _MaskedFillNode  # where's maths, PyTorch's node name
    return out


def _masked_fill_node():
    from ..pointwise.clamp import Where

    class MaskedFill(Where):
        _node_name = "MaskedFillBackward0"
        _edges = (2,)  # where(mask, value, input): PyTorch's edge is the input's

    return Where._backward_cls, MaskedFill._backward_cls


_WhereNode, _MaskedFillNode = _masked_fill_node()


# ------------------------------------------------------------------------ masked ops
def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` (broadcast) is True, as a 1-D tensor."""
    from ..shape.views import broadcast_shapes, expand

    if not isinstance(mask, Tensor) or mask._data.dtype != bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    x = expand(input, shape)
    m = mask._data if mask._data.shape == tuple(shape) else \
        xp_of(mask._data).broadcast_to(mask._data, shape)
    from .subscript import Index

    return Index.apply(x, (m,))


class MaskedScatter(Function):
    """y = x with source's leading elements written where mask;
    dy/dx = grad where not mask, dy/dsource = grad[mask] then zeros"""

    _builtin = True
    _edges = (0, 2)
    _node_name = "MaskedScatterBackward0"

    @staticmethod
    def forward(ctx, x, mask, source):
        d = x._data
        xp = xp_of(d)
        m = xp.broadcast_to(mask._data, d.shape)
        n = int(m.sum())
        s = source._data.reshape(-1)
        if s.size < n:
            raise RuntimeError("Number of elements of source < number of ones in mask")
        out = d.copy()
        out[m] = s[:n]
        ctx.save_for_backward(mask)
        ctx.src_shape, ctx.n = source._data.shape, n
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        from ..pointwise.clamp import where
        from .subscript import Index

        (mask,) = ctx.saved_tensors
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = where(mask, 0.0, grad_output)
        if ctx.needs_input_grad[2]:
            m = xp_of(mask._data).broadcast_to(mask._data, grad_output._data.shape)
            sel = Index.apply(grad_output, (m,))
            size = 1
            for v in ctx.src_shape:
                size *= v
            gs = _pad_to(sel, (size,)).reshape(ctx.src_shape)
        return gx, None, gs


def masked_scatter(input, mask, source):
    """``input`` with consecutive elements of ``source`` written where ``mask`` is True."""
    if mask._data.dtype != bool:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {mask.dtype}")
    from ..shape.views import broadcast_shapes, expand

    if source._data.dtype != input._data.dtype:
        from ..inplace import _dtype_name

        raise RuntimeError("masked_scatter: expected self and source to have same dtypes but got"
                           f"{_dtype_name(input._data.dtype)} and "
                           f"{_dtype_name(source._data.dtype)}")
    shape = broadcast_shapes(input._data.shape, mask._data.shape)
    if tuple(shape) != input._data.shape:
        input = expand(input, shape)
    return MaskedScatter.apply(input, mask, source)


def masked_fill_(self, mask, value):
    res_cls = _MaskedFill
    return inplace(self, res_cls, mask, value)


class _MaskedFill(Function):
    """y = x with value where mask;  dy/dx = grad where not mask"""

    _builtin = True
    _node_name = "MaskedFillBackward0"

    @staticmethod
    def forward(ctx, x, mask, value):
        m = mask._data
        if m.dtype != bool:
            raise RuntimeError(
                f"masked_fill_ only supports boolean masks, but got mask with dtype "
                f"{mask.dtype.name}"
            )
        v = value._data if isinstance(value, Tensor) else value
        ctx.save_for_backward(mask)
        return make(xp_of(x._data).where(m, xp_of(x._data).asarray(v, x._data.dtype), x._data))

    @staticmethod
    def backward(ctx, grad_output):
        (mask,) = ctx.saved_tensors
        gv = None
        if ctx.needs_input_grad[2]:
            gv = where(mask, grad_output, 0.0).sum()
        return where(mask, 0.0, grad_output), None, gv
