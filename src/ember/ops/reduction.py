"""Reductions: sum, mean, prod, max/min (values and indices), amax/amin, argmax/argmin, var/std,
norm, logsumexp, all/any, count_nonzero, and sum_to_size (the engine's broadcast-gradient
reduction). Scans, order statistics and counting live in ``reduction_ext``.

``dim`` is an int or a tuple of ints (None: every dim); ``keepdim`` keeps reduced dims as size 1.
Gradients follow PyTorch: a value-selecting reduction (max over all, amax) splits the gradient
evenly among ties, max/min along a dim sends it to the returned index.
"""

from __future__ import annotations

import builtins as _builtins
import math as _math

from ..autograd.function import Function
from ._util import Tensor, dims_of as _dims_of, make, wrap_dim, xp_of
from .shape import Expand

_INT_KINDS = "biu"
max_ = _builtins.max  # this module defines its own ``max``


def dims_of(dim, ndim):
    """``dim`` as a sorted tuple of dims; a 0-d tensor accepts dim 0 / -1 and reduces nothing."""
    dims = _dims_of(dim, ndim)
    return dims if ndim else ()


def _unsqueeze_to(grad, shape, dims, keepdim):
    """Put back the reduced dims of ``grad`` (size 1) so it broadcasts against ``shape``."""
    if keepdim or dims is None:
        if dims is None and not keepdim and grad._data.ndim != len(shape):
            return grad.reshape((1,) * len(shape))
        return grad
    new_shape = list(grad._data.shape)
    for d in sorted(dims):
        new_shape.insert(d, 1)
    return grad.reshape(new_shape)


def _reduced_shape(shape, dims, keepdim):
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)


class _ReturnType(tuple):
    """A named pair like PyTorch's ``torch.return_types.max(values=..., indices=...)``."""

    __slots__ = ()
    _fields = ("values", "indices")
    _name = ""

    def __new__(cls, *values):
        return tuple.__new__(cls, values)

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"torch.return_types.{self._name}(\n{body})"

    def __reduce__(self):
        return (_make_return_type, (self._name, self._fields, tuple(self)))


def _field(i):
    return property(lambda self: tuple.__getitem__(self, i))


_RESULT_TYPES = {}


def return_type(name, fields=("values", "indices")):
    """The class of PyTorch's named result ``torch.return_types.<name>``."""
    cls = _RESULT_TYPES.get(name)
    if cls is None:
        attrs = {"__slots__": (), "_fields": tuple(fields), "_name": name}
        for i, f in enumerate(fields):
            attrs[f] = _field(i)
        cls = _RESULT_TYPES[name] = type(name, (_ReturnType,), attrs)
        cls.__module__ = "torch.return_types"
    return cls


def _make_return_type(name, fields, values):
    return return_type(name, fields)(*values)


def _named(values, indices, name):
    return return_type(name)(values, indices)


# ----------------------------------------------------------------------------------- sum, mean
class Sum(Function):
    """y = sum(x, dims);  dy/dx = 1 (the gradient is broadcast back)"""

    _builtin = True
    _node_name = "SumBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        d = x._data
        if dtype is None and d.dtype.kind in _INT_KINDS:
            dtype = "int64"  # PyTorch sums integers and bools as int64
        ctx.shape = d.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        return make(d.sum(axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, grad_output):
        if ctx.dims is None:  # a full sum: the 0-d gradient broadcasts as it is
            return Expand.apply(grad_output, ctx.shape), None, None, None
        g = _unsqueeze_to(grad_output, ctx.shape, ctx.dims, ctx.keepdim)
        return Expand.apply(g, ctx.shape), None, None, None


class SumDim(Sum):
    _node_name = "SumBackward1"


class Nansum(Function):
    """y = sum of the non-NaN elements;  dy/dx = 1 where x is not NaN"""

    _builtin = True
    _node_name = "NansumBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        d = x._data
        if dtype is None and d.dtype.kind in _INT_KINDS:
            dtype = "int64"
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim = dims, keepdim
        return make(xp_of(d).nansum(d, axis=dims, keepdims=keepdim, dtype=dtype))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        from .elementwise import isnan, where

        g = _unsqueeze_to(grad_output, x.shape, ctx.dims, ctx.keepdim)
        return where(isnan(x), 0.0, g.expand(x.shape)), None, None, None


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
                f"point or complex dtype. Got: {_title(x)}"
            )
        ctx.shape = d.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        n = 1
        for i in dims:
            n *= d.shape[i]
        ctx.n = n
        xp = xp_of(d)
        out_dtype = dtype or d.dtype
        if n == 0:
            out = xp.full(_reduced_shape(d.shape, dims, keepdim), xp.nan, out_dtype)
        else:
            out = d.sum(axis=dims, keepdims=keepdim, dtype=dtype) / n
        return make(xp.asarray(out).astype(out_dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        g = _unsqueeze_to(grad_output, ctx.shape, ctx.dims, ctx.keepdim)
        return g.expand(ctx.shape) / ctx.n, None, None, None


class MeanDim(Mean):
    _node_name = "MeanBackward1"


def _title(x):
    from .inplace import _dtype_name

    return _dtype_name(x._data.dtype)


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


def _np_dtype(dtype):
    return dtype.np if dtype is not None else None


def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum of all elements, or over ``dim`` (an int or a tuple) keeping dims if ``keepdim``.

    Integer and bool inputs sum as int64. Example: ``ember.ones(2, 3).sum(1)`` -> ``[3., 3.]``."""
    np_dtype = dtype.np if dtype is not None else None
    if dim is None and not keepdim:
        res = Sum.apply(input, None, False, np_dtype)
    else:
        res = SumDim.apply(input, dims_of(dim, input._data.ndim), keepdim, np_dtype)
    return res if out is None else _write(res, out, input)


def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum treating NaN as zero."""
    res = Nansum.apply(input, dims_of(dim, input._data.ndim), keepdim, _np_dtype(dtype))
    return res if out is None else _write(res, out, input)


def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of all elements, or over ``dim``; floating inputs only (or give ``dtype``)."""
    np_dtype = dtype.np if dtype is not None else None
    if dim is None:
        res = Mean.apply(input, dims_of(None, input._data.ndim), keepdim, np_dtype)
    else:
        res = MeanDim.apply(input, dims_of(dim, input._data.ndim), keepdim, np_dtype)
    return res if out is None else _write(res, out, input)


def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Mean of the non-NaN elements (NaN where there are none)."""
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{_title(input)}")
    from .elementwise import isnan, logical_not

    count = sum(logical_not(isnan(input)), dim, keepdim)
    res = nansum(input, dim, keepdim, dtype=dtype) / count
    return res if out is None else _write(res, out, input)


def _write(res, out, *inputs):
    from .elementwise import write_out

    return write_out(res, out, *inputs)


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


# ---------------------------------------------------------------------------------------- prod
class ProdOthers(Function):
    """y_i = prod_{k != i} x_k along the last dim (exclusive products, exact with zeros);
    dy_i/dx_j = prod_{k != i, j} x_k (the same op one size smaller, so any order works)"""

    _builtin = True
    _node_name = "ProdOthersBackward0"

    @staticmethod
    def forward(ctx, x):
        d = x._data
        xp = xp_of(d)
        n = d.shape[-1]
        ctx.save_for_backward(x)
        if n == 0:
            return make(d.copy())
        ones = xp.ones(d.shape[:-1] + (1,), d.dtype)
        left = xp.cumprod(xp.concatenate([ones, d[..., :-1]], axis=-1), axis=-1)
        right = xp.cumprod(xp.concatenate([ones, d[..., :0:-1]], axis=-1), axis=-1)[..., ::-1]
        return make(left * right)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        d = x._data
        xp = xp_of(d)
        n = d.shape[-1]
        # row i lists the positions other than i; P[..., i, m] = prod of x over k != i, idx[i, m]
        idx = xp.array([[k for k in range(n) if k != i] for i in range(n)],
                       dtype="int64").reshape(n, max_(n - 1, 0))
        full = d.shape[:-1] + (n, max_(n - 1, 0))
        index = make(xp.broadcast_to(idx, full).copy())
        rows = x.unsqueeze(-2).expand(d.shape[:-1] + (n, n))
        P = ProdOthers.apply(_Gather.apply(rows, index, len(full) - 1))
        contrib = grad_output.unsqueeze(-1) * P
        Q = _ScatterIntoZeros.apply(contrib, index, len(full) - 1, d.shape[:-1] + (n, n))
        return Q.sum(-2)


class Prod(Function):
    """y = prod(x) over a dim (or all);  dy/dx_i = prod_{k != i} x_k (= y / x_i without zeros)"""

    _builtin = True
    _node_name = "ProdBackward1"

    @staticmethod
    def forward(ctx, x, dim, keepdim, dtype):
        d = x._data
        if dtype is None and d.dtype.kind in _INT_KINDS:
            dtype = "int64"
        y = make(xp_of(d).asarray(d.prod(axis=dim, keepdims=keepdim, dtype=dtype)))
        ctx.save_for_backward(x, y)
        ctx.dim, ctx.keepdim = dim, keepdim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        dim = ctx.dim
        if dim is None:  # the product of everything: one flat dim
            g = grad_output.reshape((1,) * x.ndim) if x.ndim else grad_output
            yk = y.reshape((1,) * x.ndim) if x.ndim else y
        else:
            g = _unsqueeze_to(grad_output, x.shape, (dim,), ctx.keepdim)
            yk = _unsqueeze_to(y, x.shape, (dim,), ctx.keepdim)
        if not bool((x._data == 0).any()):
            return g * yk / x, None, None, None
        if dim is None:
            others = ProdOthers.apply(x.reshape(-1)).reshape(x.shape)
        else:
            others = ProdOthers.apply(x.transpose(dim, -1)).transpose(dim, -1)
        return g * others, None, None, None


class ProdAll(Prod):
    _node_name = "ProdBackward0"


def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of all elements, or along one ``dim``; integers multiply as int64.

    The gradient is exact where the input has zeros (products of the other elements)."""
    if dim is None:
        res = ProdAll.apply(input, None, False, _np_dtype(dtype))
    else:
        if not isinstance(dim, int):
            raise TypeError("prod(): argument 'dim' must be int")
        res = Prod.apply(input, wrap_dim(dim, input._data.ndim), keepdim, _np_dtype(dtype))
    return res if out is None else _write(res, out, input)


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
        from .elementwise import where

        mask = (x == out)
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
        return ScatterAddIntoZeros.apply(grad_output, indices, ctx.dim, ctx.shape), None, None


class ScatterAddIntoZeros(Function):
    """y = zeros(shape) with g added at indices along dim (repeats accumulate);
    dy/dg = y_grad gathered at indices"""

    _builtin = True
    _node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, g, indices, dim, shape):
        gd = g._data
        xp = xp_of(gd)
        out = xp.zeros(shape, gd.dtype)
        idx = indices._data
        grids = list(xp.indices(idx.shape, sparse=True))
        grids[dim] = idx
        xp.add.at(out, tuple(grids), gd)
        ctx.save_for_backward(indices)
        ctx.dim = dim
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        (indices,) = ctx.saved_tensors
        return _Gather.apply(grad_output, indices, ctx.dim), None, None, None


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element, or ``(values, indices)`` along ``dim``; with a tensor second
    argument, the elementwise maximum.

    Example: ``ember.tensor([[1., 5.], [7., 2.]]).max(1)`` ->
    ``torch.return_types.max(values=tensor([5., 7.]), indices=tensor([1, 0]))``."""
    _check_tensor(input)
    if isinstance(dim, Tensor):
        from .elementwise import maximum

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
        from .elementwise import minimum

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
        x, y = ctx.saved_tensors
        g = _unsqueeze_to(grad_output, x.shape, ctx.dims, ctx.keepdim)
        yk = _unsqueeze_to(y, x.shape, ctx.dims, ctx.keepdim)
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


def argmax(input, dim=None, keepdim=False):
    """The index of the largest element (of the flattened tensor when ``dim`` is None)."""
    return _arg("argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """The index of the smallest element."""
    return _arg("argmin", input, dim, keepdim)


# ------------------------------------------------------------------------ all, any, counting
def _logical_reduce(name, input, dim, keepdim):
    d = input._data
    xp = xp_of(d)
    fn = getattr(xp, name)
    if dim is None:
        r = fn(d)
        if keepdim:
            r = xp.asarray(r).reshape((1,) * d.ndim)
    else:
        r = fn(d, axis=dims_of(dim, d.ndim), keepdims=keepdim)
    r = xp.asarray(r)
    # PyTorch keeps uint8 for uint8 input, bool otherwise
    return make(r.astype("uint8") if d.dtype.name == "uint8" else r)


def all(input, dim=None, keepdim=False, *, out=None):
    """True when every element (along ``dim``) is nonzero."""
    res = _logical_reduce("all", input, dim, keepdim)
    return res if out is None else _write(res, out)


def any(input, dim=None, keepdim=False, *, out=None):
    """True when some element (along ``dim``) is nonzero."""
    res = _logical_reduce("any", input, dim, keepdim)
    return res if out is None else _write(res, out)


def count_nonzero(input, dim=None):
    """The number of nonzero elements (along ``dim``, an int or tuple), as int64."""
    d = input._data
    xp = xp_of(d)
    dims = None if dim is None else dims_of(dim, d.ndim)
    return make(xp.asarray(xp.count_nonzero(d, axis=dims), dtype="int64"))


# -------------------------------------------------------------------------------- logsumexp
class Logsumexp(Function):
    """y = log(sum(exp(x), dims));  dy/dx = exp(x - y)"""

    _builtin = True
    _node_name = "LogsumexpBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim):
        from .elementwise import _float

        d = _float(x)
        xp = xp_of(d)
        if d.size == 0:
            out = xp.full(_reduced_shape(d.shape, dims, keepdim), -xp.inf, d.dtype)  # log(0)
        else:
            m = d.max(axis=dims, keepdims=True)
            m = xp.where(xp.isinf(m), 0, m)  # all -inf (or +inf): no shift
            with xp.errstate(over="ignore", divide="ignore", invalid="ignore"):
                s = xp.exp(d - m).sum(axis=dims, keepdims=True)
                out = xp.log(s) + m
            if not keepdim:
                out = out.squeeze(dims) if dims else out
        y = make(xp.asarray(out).astype(d.dtype, copy=False))
        ctx.save_for_backward(x, y)
        ctx.dims, ctx.keepdim = dims, keepdim
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        g = _unsqueeze_to(grad_output, x.shape, ctx.dims, ctx.keepdim)
        yk = _unsqueeze_to(y, x.shape, ctx.dims, ctx.keepdim)
        from .elementwise import exp

        return g * exp(x - yk), None, None


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))``, computed without overflow (``dim`` is required)."""
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' (position 2) must be tuple of ints, not "
                        "NoneType")
    res = Logsumexp.apply(input, dims_of(dim, input._data.ndim), keepdim)
    return res if out is None else _write(res, out, input)


# ------------------------------------------------------------------------------------ var, std
def _correction(unbiased, correction, name):
    if correction is not None and unbiased is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments - got both "
                        "unbiased and correction")
    if correction is not None:
        return correction
    if unbiased is None:
        return 1
    return 1 if unbiased else 0


def _moments(x, dims, keepdim, correction, name):
    d = x._data
    xp = xp_of(d)
    if d.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    n = 1
    for i in dims:
        n *= d.shape[i]
    dof = n - correction
    if dof <= 0:
        import warnings

        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).", UserWarning, stacklevel=4)
    with xp.errstate(invalid="ignore", divide="ignore"):
        mean_k = d.mean(axis=dims, keepdims=True) if n else xp.full(
            _reduced_shape(d.shape, dims, True), xp.nan, d.dtype)
        dev = d - mean_k
        sq = (dev * dev.conj()).real if d.dtype.kind == "c" else dev * dev
        var = sq.sum(axis=dims, keepdims=keepdim) / max_(dof, 0)
    mean = mean_k if keepdim else mean_k.reshape(_reduced_shape(d.shape, dims, False))
    real = var.dtype
    return xp.asarray(var).astype(real, copy=False), xp.asarray(mean), dof


class Var(Function):
    """y = sum((x - mean)**2) / (n - correction);  dy/dx = 2 (x - mean) / (n - correction)"""

    _builtin = True
    _node_name = "VarBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, _, dof = _moments(x, dims, keepdim, correction, "var")
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, dof
        return make(var)

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        g = _unsqueeze_to(grad_output, x.shape, ctx.dims, ctx.keepdim)
        return g * (x - mean(x, ctx.dims, True)) * (2.0 / _dof(ctx.dof)), None, None, None


def _dof(dof):
    return dof if dof > 0 else 0.0 * _math.inf if dof < 0 else 0.0


class Std(Function):
    """y = sqrt(var(x));  dy/dx = (x - mean) / ((n - correction) y) (0 where y == 0)"""

    _builtin = True
    _node_name = "StdBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, _, dof = _moments(x, dims, keepdim, correction, "std")
        y = make(xp_of(var).sqrt(var))
        ctx.save_for_backward(x, y)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, dof
        return y

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        from .elementwise import where

        g = _unsqueeze_to(grad_output, x.shape, ctx.dims, ctx.keepdim)
        yk = _unsqueeze_to(y, x.shape, ctx.dims, ctx.keepdim)
        # divide by a safe denominator so the masked places stay finite in double backward
        gs = where(yk == 0, 0.0, g / where(yk == 0, 1.0, yk)) if ctx.dof > 0 else g / yk
        return gs * (x - mean(x, ctx.dims, True)) / _dof(ctx.dof), None, None, None


class VarMean(Function):
    """(v, m) = (var(x), mean(x));  dv/dx = 2 (x - m) / (n - c), dm/dx = 1 / n"""

    _builtin = True
    _node_name = "VarMeanBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, m, dof = _moments(x, dims, keepdim, correction, "var_mean")
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, dof
        n = 1
        for i in dims:
            n *= x._data.shape[i]
        ctx.n = n
        return make(var), make(m.astype(x._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_var, grad_mean):
        (x,) = ctx.saved_tensors
        gv = _unsqueeze_to(grad_var, x.shape, ctx.dims, ctx.keepdim)
        gm = _unsqueeze_to(grad_mean, x.shape, ctx.dims, ctx.keepdim)
        gx = gv * (x - mean(x, ctx.dims, True)) * (2.0 / _dof(ctx.dof)) + gm.expand(x.shape) / \
            ctx.n
        return gx, None, None, None


class StdMean(Function):
    """(s, m) = (std(x), mean(x));  ds/dx = (x - m) / ((n - c) s), dm/dx = 1 / n"""

    _builtin = True
    _node_name = "StdMeanBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, correction):
        var, m, dof = _moments(x, dims, keepdim, correction, "std_mean")
        s = make(xp_of(var).sqrt(var))
        ctx.save_for_backward(x, s)
        ctx.dims, ctx.keepdim, ctx.dof = dims, keepdim, dof
        n = 1
        for i in dims:
            n *= x._data.shape[i]
        ctx.n = n
        return s, make(m.astype(x._data.dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_std, grad_mean):
        x, s = ctx.saved_tensors
        from .elementwise import where

        gs = _unsqueeze_to(grad_std, x.shape, ctx.dims, ctx.keepdim)
        sk = _unsqueeze_to(s, x.shape, ctx.dims, ctx.keepdim)
        gm = _unsqueeze_to(grad_mean, x.shape, ctx.dims, ctx.keepdim)
        q = where(sk == 0, 0.0, gs / where(sk == 0, 1.0, sk))
        gx = q * (x - mean(x, ctx.dims, True)) / _dof(ctx.dof) + gm.expand(x.shape) / ctx.n
        return gx, None, None, None


def _var_args(input, dim, unbiased, keepdim, correction, name):
    if isinstance(dim, bool):  # var(input, unbiased)
        unbiased, dim = dim, None
    c = _correction(unbiased, correction, name)
    return dims_of(dim, input._data.ndim), keepdim, c


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default; ``unbiased=False``
    is ``correction=0``)."""
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, "var")
    res = Var.apply(input, dims, keepdim, c)
    return res if out is None else _write(res, out, input)


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim`` (``correction`` as in ``var``)."""
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, "std")
    res = Std.apply(input, dims, keepdim, c)
    return res if out is None else _write(res, out, input)


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` in one pass (a plain tuple, as PyTorch returns)."""
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, "var_mean")
    return VarMean.apply(input, dims, keepdim, c)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` in one pass."""
    dims, keepdim, c = _var_args(input, dim, unbiased, keepdim, correction, "std_mean")
    return StdMean.apply(input, dims, keepdim, c)


# ---------------------------------------------------------------------------------------- norm
class VectorNorm(Function):
    """y = (sum |x|**p)**(1/p) over dims (p = inf: max |x|, p = 0: count of nonzeros);
    dy/dx = x |x|**(p-2) / y**(p-1) (p = 2: x / y; p = 1: sgn x; inf: split among the maxima)"""

    _builtin = True
    _node_name = "LinalgVectorNormBackward0"

    @staticmethod
    def forward(ctx, x, ord, dims, keepdim):
        d = x._data
        xp = xp_of(d)
        if d.dtype.kind not in "fc":
            raise RuntimeError(
                "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                f"{_title(x)}")
        a = xp.abs(d)
        with xp.errstate(over="ignore", invalid="ignore", divide="ignore"):
            if ord == 2:
                y = xp.sqrt((a * a).sum(axis=dims, keepdims=keepdim))
            elif ord == 1:
                y = a.sum(axis=dims, keepdims=keepdim)
            elif ord == _math.inf:
                if a.size == 0:
                    raise RuntimeError("linalg.vector_norm cannot compute the inf norm on an "
                                       "empty tensor because the operation does not have an "
                                       "identity")
                y = a.max(axis=dims, keepdims=keepdim)
            elif ord == -_math.inf:
                if a.size == 0:
                    raise RuntimeError("linalg.vector_norm cannot compute the -inf norm on an "
                                       "empty tensor because the operation does not have an "
                                       "identity")
                y = a.min(axis=dims, keepdims=keepdim)
            elif ord == 0:
                y = (a != 0).sum(axis=dims, keepdims=keepdim).astype(a.dtype)
            else:
                y = ((a ** ord).sum(axis=dims, keepdims=keepdim)) ** (1.0 / ord)
        out = make(xp.asarray(y).astype(a.dtype, copy=False))
        ctx.save_for_backward(x, out)
        ctx.ord, ctx.dims, ctx.keepdim = ord, dims, keepdim
        return out

    @staticmethod
    def backward(ctx, grad_output):
        x, y = ctx.saved_tensors
        from .elementwise import abs as _abs, where
        from .math_ext import sgn

        p = ctx.ord
        g = _unsqueeze_to(grad_output, x.shape, ctx.dims, ctx.keepdim)
        yk = _unsqueeze_to(y, x.shape, ctx.dims, ctx.keepdim)
        if p == 0:
            return x * 0 * g, None, None, None
        if p == 1:
            return g * sgn(x), None, None, None
        if p == 2:
            return where(yk == 0, 0.0, g / where(yk == 0, 1.0, yk)) * x, None, None, None
        if p in (_math.inf, -_math.inf):
            mask = _abs(x) == yk
            count = sum(mask, ctx.dims, True)
            return g * sgn(x) * mask / count, None, None, None
        a = _abs(x)
        scale = a ** (p - 2) if p >= 2 else where(a == 0, 0.0, a ** (p - 2))
        safe = where(yk == 0, 1.0, yk)
        return where(yk == 0, 0.0, g / safe ** (p - 1)) * x * scale, None, None, None


def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None):
    """``(sum |x|**ord)**(1/ord)`` over ``dim`` (all dims when None)."""
    if dtype is not None:
        x = x.to(dtype)
    dims = dims_of(dim, x._data.ndim)
    return VectorNorm.apply(x, float(ord), dims, keepdim)


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The vector ``p``-norm over ``dim`` (``'fro'``: the 2-norm), as ``torch.norm``."""
    if p == "fro" or p is None:
        if dim is not None and not isinstance(dim, int) and len(dim) > 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got " +
                               " ".join(str(d) for d in dim))
        p = 2
    elif p == "nuc":
        from .linalg_norms import matrix_norm  # C2's matrix norms

        return matrix_norm(input, "nuc", dim=(-2, -1) if dim is None else dim, keepdim=keepdim)
    elif isinstance(p, str):
        raise RuntimeError(f"linalg.vector_norm: Expected a number as ord, got {p}")
    res = vector_norm(input, p, dim, keepdim, dtype=dtype)
    return res if out is None else _write(res, out, input)
