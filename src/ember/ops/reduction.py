"""Reductions: sum, mean, and sum_to_size (the engine's broadcast-gradient reduction)."""

from __future__ import annotations

from ..autograd.function import Function
from ._util import Tensor, dims_of, make, xp_of
from .shape import Expand


def _unsqueeze_to(grad, shape, dims, keepdim):
    """Put back the reduced dims of ``grad`` (size 1) so it broadcasts against ``shape``."""
    if keepdim or dims is None:
        return grad
    new_shape = list(grad._data.shape)
    for d in dims:
        new_shape.insert(d, 1)
    return grad.reshape(new_shape)


class Sum(Function):
    """y = sum(x, dims);  dy/dx = 1 (the gradient is broadcast back)"""

    _builtin = True
    _node_name = "SumBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        d = x._data
        if dtype is None and d.dtype.kind in "biu":
            dtype = "int64"  # PyTorch sums integers and bools as int64
        ctx.shape = d.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        return make(d.sum(axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, grad_output):
        g = _unsqueeze_to(grad_output, ctx.shape, ctx.dims, ctx.keepdim)
        return Expand.apply(g, ctx.shape), None, None, None


class SumDim(Sum):
    _node_name = "SumBackward1"


class Mean(Function):
    """y = mean(x, dims);  dy/dx = 1/n"""

    _builtin = True
    _node_name = "MeanBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        d = x._data
        if d.dtype.kind not in "fc" and dtype is None:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {x.dtype.name.capitalize()}"
            )
        ctx.shape = d.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        n = 1
        for i in dims:
            n *= d.shape[i]
        ctx.n = n
        xp = xp_of(d)
        with xp.errstate(invalid="ignore", divide="ignore"):
            out = d.sum(axis=dims, keepdims=keepdim, dtype=dtype) / n if n else xp.full(
                tuple(s for i, s in enumerate(d.shape) if i not in dims), xp.nan, d.dtype)
        return make(out.astype(dtype or d.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        g = _unsqueeze_to(grad_output, ctx.shape, ctx.dims, ctx.keepdim)
        return g.expand(ctx.shape) / ctx.n, None, None, None


class MeanDim(Mean):
    _node_name = "MeanBackward1"


class SumToSize(Function):
    """y = x summed down to ``shape`` (undoes broadcasting);  dy/dx = 1 (expand back)"""

    _builtin = True
    _node_name = "SumToSizeBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        d = x._data
        ctx.shape = d.shape
        lead = d.ndim - len(shape)
        axes = tuple(range(lead)) + tuple(
            i + lead for i, s in enumerate(shape) if s == 1 and d.shape[i + lead] != 1
        )
        out = d.sum(axis=axes, keepdims=True) if axes else d
        if lead:
            out = out.reshape(tuple(shape))
        return make(out if out is not d else d.copy())

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.expand(ctx.shape), None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple) keeping dims if ``keepdim``."""
    np_dtype = dtype.np if dtype is not None else None
    if dim is None and not keepdim:
        return Sum.apply(input, None, False, np_dtype)
    return SumDim.apply(input, dims_of(dim, input._data.ndim), keepdim, np_dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Mean of all elements, or over ``dim``; floating inputs only, as in PyTorch."""
    np_dtype = dtype.np if dtype is not None else None
    if dim is None:
        return Mean.apply(input, dims_of(None, input._data.ndim), keepdim, np_dtype)
    return MeanDim.apply(input, dims_of(dim, input._data.ndim), keepdim, np_dtype)


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size``, which it must broadcast from."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    shape = input._data.shape
    if tuple(size) == shape:
        return input
    from ..autograd.engine import _expandable

    if not _expandable(tuple(size), shape):
        raise RuntimeError(f"size {{{', '.join(map(str, size))}}} is not expandable to size "
                           f"{{{', '.join(map(str, shape))}}}.")
    return SumToSize.apply(input, tuple(size))


def all(input, dim=None, keepdim=False):
    d = input._data
    return make(d.all() if dim is None else d.all(axis=dim, keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    d = input._data
    return make(d.any() if dim is None else d.any(axis=dim, keepdims=keepdim))


def _check_tensor(x):
    if not isinstance(x, Tensor):
        raise TypeError(f"expected Tensor as element 0 in argument 0, but got {type(x).__name__}")


class MaxAll(Function):
    """y = max(x) over all elements;  dy/dx = 1/k at each of the k places equal to the max"""

    _builtin = True
    _node_name = "MaxBackward1"
    _np_name = "max"

    @staticmethod
    def forward(ctx, x, cls):
        d = x._data
        if d.size == 0:
            raise RuntimeError(
                f"{cls._np_name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument."
            )
        out = make(getattr(d, cls._np_name)())
        ctx.save_for_backward(x, out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, out = ctx.saved_tensors
        mask = (x == out)
        return grad_output * mask / mask.sum(), None


class MinAll(MaxAll):
    _node_name = "MinBackward1"
    _np_name = "min"


class MaxDim(Function):
    """values, indices = max(x, dim);  dy/dx = the gradient placed at the indices"""

    _builtin = True
    _node_name = "MaxBackward0"
    _np_name = "max"

    @staticmethod
    def forward(ctx, x, dim, keepdim, cls):
        d = x._data
        xp = xp_of(d)
        idx = getattr(xp, "arg" + cls._np_name)(d, axis=dim, keepdims=True)
        vals = xp.take_along_axis(d, idx, axis=dim)
        if not keepdim:
            vals = vals.squeeze(dim)
            idx_out = idx.squeeze(dim)
        else:
            idx_out = idx
        ctx.dim, ctx.keepdim, ctx.shape = dim, keepdim, d.shape
        indices = make(idx_out.astype("int64"))
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return make(vals), indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (indices,) = ctx.saved_tensors
        g = grad_values if ctx.keepdim else grad_values.unsqueeze(ctx.dim)
        i = indices if ctx.keepdim else indices.unsqueeze(ctx.dim)
        return _ScatterIntoZeros.apply(g, i, ctx.dim, ctx.shape), None, None, None


class MinDim(MaxDim):
    _node_name = "MinBackward0"
    _np_name = "min"


class _ScatterIntoZeros(Function):
    """y = zeros(shape) with g put at indices along dim;  dy/dg = y_grad gathered at indices"""

    _builtin = True
    _node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, g, indices, dim, shape):
        gd = g._data
        xp = xp_of(gd)
        out = xp.zeros(shape, gd.dtype)
        xp.put_along_axis(out, indices._data, gd, axis=dim)
        ctx.save_for_backward(indices)
        ctx.dim = dim
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        return _Gather.apply(grad_output, indices, ctx.dim), None, None, None


class _Gather(Function):
    """y = x gathered at indices along dim;  dy/dx = the gradient scattered back (summed)"""

    _builtin = True
    _node_name = "GatherBackward0"

    @staticmethod
    def forward(ctx, x, indices, dim):
        ctx.save_for_backward(indices)
        ctx.dim, ctx.shape = dim, x._data.shape
        return make(xp_of(x._data).take_along_axis(x._data, indices._data, axis=dim))

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        return _ScatterIntoZeros.apply(grad_output, indices, ctx.dim, ctx.shape), None, None


def _named(values, indices, name):
    from collections import namedtuple

    cls = _RESULT_TYPES.get(name)
    if cls is None:
        cls = _RESULT_TYPES[name] = namedtuple(name, ["values", "indices"])
        cls.__module__ = "torch.return_types"
    return cls(values, indices)


_RESULT_TYPES = {}


def max(input, dim=None, keepdim=False):
    """The largest element, or ``(values, indices)`` along ``dim``; with a tensor second
    argument, the elementwise maximum."""
    if isinstance(dim, Tensor):
        from .elementwise import maximum

        return maximum(input, dim)
    if dim is None:
        return MaxAll.apply(input, MaxAll)
    from ._util import wrap_dim

    v, i = MaxDim.apply(input, wrap_dim(dim, input._data.ndim), keepdim, MaxDim)
    return _named(v, i, "max")


def min(input, dim=None, keepdim=False):
    """The smallest element, or ``(values, indices)`` along ``dim``."""
    if isinstance(dim, Tensor):
        from .elementwise import minimum

        return minimum(input, dim)
    if dim is None:
        return MinAll.apply(input, MinAll)
    from ._util import wrap_dim

    v, i = MinDim.apply(input, wrap_dim(dim, input._data.ndim), keepdim, MinDim)
    return _named(v, i, "min")


def argmax(input, dim=None, keepdim=False):
    d = input._data
    if dim is None:
        return make(xp_of(d).asarray(d.argmax(), dtype="int64"))
    return make(d.argmax(axis=dim, keepdims=keepdim).astype("int64"))


def argmin(input, dim=None, keepdim=False):
    d = input._data
    if dim is None:
        return make(xp_of(d).asarray(d.argmin(), dtype="int64"))
    return make(d.argmin(axis=dim, keepdims=keepdim).astype("int64"))
