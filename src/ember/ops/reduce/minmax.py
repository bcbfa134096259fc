"""max/min (over everything, or values and indices along a dim), amax, amin, aminmax, argmax,
argmin. A value-selecting reduction splits its gradient evenly among ties."""

from __future__ import annotations

from ...autograd import dispatch as _door
from ...autograd.function import Function
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make_dense as make, wrap_dim
from ..return_types import _named, return_type
from .dims import _kept, dims_of, max_
from .sum_prod import _ScatterIntoZeros, _write, sum


# ------------------------------------------------------------------------------------- max/min
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
        from ..pointwise.clamp import where

        mask = (x == out)
        if out._data != out._data:  # a NaN max: PyTorch gives the gradient to the NaNs
            mask = x.isnan()
        return where(mask, grad_output / mask.sum(), 0.0), None  # +0. elsewhere, as PyTorch


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
        if d.ndim == 0:
            d = d.reshape(1)
        if d.shape[dim] == 0:
            raise IndexError(
                f"{cls._np_name}(): Expected reduction dim {dim} to have non-zero size.")
        idx = getattr(xp, "arg" + cls._np_name)(d, axis=dim, keepdims=True)
        vals = xp.take_along_axis(d, idx, axis=dim)
        if not keepdim or x._data.ndim == 0:
            vals = vals.squeeze(dim)
            idx_out = idx.squeeze(dim)
        else:
            idx_out = idx
        ctx.dim, ctx.keepdim, ctx.shape = dim, keepdim, d.shape
        ctx.orig_shape = x._data.shape
        indices = make(idx_out.astype("int64"))
        ctx.mark_non_differentiable(indices)
        ctx.save_for_backward(indices)
        return make(vals), indices

    @staticmethod
    def backward(ctx, grad_values, grad_indices):
        (indices,) = ctx.saved_tensors
        if len(ctx.orig_shape) == 0:
            return grad_values, None, None, None
        g = grad_values if ctx.keepdim else grad_values.unsqueeze(ctx.dim)
        i = indices if ctx.keepdim else indices.unsqueeze(ctx.dim)
        return _ScatterIntoZeros.apply(g, i, ctx.dim, ctx.shape), None, None, None


class MinDim(MaxDim):
    _node_name = "MinBackward0"
    _np_name = "min"


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element, or ``(values, indices)`` along ``dim``; with a tensor second
    argument, the elementwise maximum.

    Example: ``ember.tensor([[1., 5.], [7., 2.]]).max(1)`` ->
    ``torch.return_types.max(values=tensor([5., 7.]), indices=tensor([1, 0]))``."""
    _check_tensor(input)
    if isinstance(dim, Tensor):
        from ..pointwise.clamp import maximum

        return maximum(input, dim, out=out)
    if dim is None:
        return MaxAll.apply(input, MaxAll)
    v, i = MaxDim.apply(input, wrap_dim(dim, input._data.ndim), keepdim, MaxDim)
    return _named_out(v, i, "max", out)


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element, or ``(values, indices)`` along ``dim``; with a tensor second
    argument, the elementwise minimum."""
    _check_tensor(input)
    if isinstance(dim, Tensor):
        from ..pointwise.clamp import minimum

        return minimum(input, dim, out=out)
    if dim is None:
        return MinAll.apply(input, MinAll)
    v, i = MinDim.apply(input, wrap_dim(dim, input._data.ndim), keepdim, MinDim)
    return _named_out(v, i, "min", out)


def _named_out(v, i, name, out):
    if out is not None:
        v = _write(v, out[0], v)
        i = _write(i, out[1])
    return _named(v, i, name)


class Amax(Function):
    """y = max of x over dims;  dy/dx = grad / k at each of the k places equal to the max"""

    _builtin = True
    _node_name = "AmaxBackward0"
    _np_name = "max"

    @staticmethod
    def forward(ctx, x, dims, keepdim, cls):
        d = x._data
        for i in dims:
            if d.shape[i] == 0:
                raise IndexError(
                    f"a{cls._np_name}(): Expected reduction dim {i} to have non-zero size.")
        y = make(xp_of(d).asarray(getattr(d, cls._np_name)(axis=dims, keepdims=keepdim)))
        ctx.save_for_backward(x, y)
        ctx.dims, ctx.keepdim = dims, keepdim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, g, yk = _kept(ctx, grad_output)
        mask = x == yk
        count = sum(mask, ctx.dims, True)
        return g * mask / count, None, None, None


class Amin(Amax):
    _node_name = "AminBackward0"
    _np_name = "min"


def amax(input, dim=(), keepdim=False, *, out=None):
    """The maximum over ``dim`` (an int or tuple; all dims when empty); ties share the
    gradient evenly."""
    res = Amax.apply(input, _amax_dims(dim, input, "amax"), keepdim, Amax)
    return res if out is None else _write(res, out, input)


def amin(input, dim=(), keepdim=False, *, out=None):
    """The minimum over ``dim``; ties share the gradient evenly."""
    res = Amin.apply(input, _amax_dims(dim, input, "amin"), keepdim, Amin)
    return res if out is None else _write(res, out, input)


def _amax_dims(dim, input, name):
    if dim is None or (not isinstance(dim, int) and len(dim) == 0):
        if input._data.size == 0:
            raise RuntimeError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
                "Specify the reduction dim with the 'dim' argument.")
        return tuple(range(input._data.ndim))
    return dims_of(dim, input._data.ndim)


def aminmax(input, *, dim=None, keepdim=False):
    """``(min, max)`` over ``dim`` (or everything), as ``torch.return_types.aminmax``."""
    dims = () if dim is None else wrap_dim(dim, max_(input._data.ndim, 1))
    lo = amin(input, dims, keepdim)
    hi = amax(input, dims, keepdim)
    return return_type("aminmax", ("min", "max"))(lo, hi)


def _arg(name, input, dim, keepdim):
    d = input._data
    xp = xp_of(d)
    if d.size == 0 and (dim is None or d.ndim == 0 or d.shape[wrap_dim(dim, d.ndim)] == 0):
        raise IndexError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            if dim is None else
            f"{name}(): Expected reduction dim {dim} to have non-zero size.")
    fn = getattr(xp, name)
    if dim is None:
        r = xp.asarray(fn(d), dtype="int64")
        return make(r.reshape((1,) * d.ndim) if keepdim else r)
    if d.ndim == 0:
        wrap_dim(dim, 0)
        return make(xp.zeros((), "int64"))
    return make(fn(d, axis=wrap_dim(dim, d.ndim), keepdims=keepdim).astype("int64"))


@_door.primitive("per_example")
def argmax(input, dim=None, keepdim=False):
    """The index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg("argmax", input, dim, keepdim)


@_door.primitive("per_example")
def argmin(input, dim=None, keepdim=False):
    """The index of the smallest element."""
    return _arg("argmin", input, dim, keepdim)
