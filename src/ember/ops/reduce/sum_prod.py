"""Sum-like reductions: sum, nansum, mean, nanmean, sum_to_size (the engine's broadcast-gradient
reduction), prod, all, any, count_nonzero, logsumexp."""

from __future__ import annotations

from ...autograd import dispatch as _door
from ...autograd.function import Function
from ...backend import errstate as _be_errstate
from ...backend import xp_of
from .._util import make_dense as make, wrap_dim
from .._util import low_precision, quiet_retry, round_to, sum_axes
from ..shape.views import Expand
from .dims import _INT_KINDS, _kept, _reduced_shape, _unsqueeze_to, dims_of, max_


# ----------------------------------------------------------------------------------- sum, mean
def _sum_dtype(d, dtype):
    """(the dtype to sum the array ``d`` in, the dtype to round the result to or None), as
    PyTorch: integers and bools as int64, float16 and bfloat16 in float32 rounded once."""
    if dtype is not None:
        return dtype, None
    if d.dtype.kind in _INT_KINDS:
        return "int64", None
    low = low_precision(d)
    return (None, None) if low is None else ("float32", low)


class Sum(Function):
    """y = sum(x, dims);  dy/dx = 1 (the gradient is broadcast back)"""

    _builtin = True
    _node_name = "SumBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        d = x._data
        dtype, low = _sum_dtype(d, dtype)
        ctx.shape = d.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        try:
            if dtype is None and dims is not None and dims.__class__ is tuple:
                out = sum_axes(d, dims, keepdim)
            else:
                out = d.sum(axis=dims, keepdims=keepdim, dtype=dtype)
        except RuntimeWarning:  # inf + -inf with warnings as errors (free otherwise)
            with _be_errstate(xp_of(d), invalid="ignore", over="ignore"):
                out = d.sum(axis=dims, keepdims=keepdim, dtype=dtype)
        return make(out if low is None else round_to(out, low))

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
        dtype, low = _sum_dtype(d, dtype)
        ctx.save_for_backward(x)
        ctx.dims, ctx.keepdim = dims, keepdim
        with _be_errstate(xp_of(d), invalid="ignore", over="ignore"):
            out = xp_of(d).nansum(d, axis=dims, keepdims=keepdim, dtype=dtype)
        return make(out if low is None else round_to(out, low))

    @staticmethod
    def backward(ctx, grad_output):
        (x,) = ctx.saved_tensors
        from ..pointwise.compare import isnan

        g = _unsqueeze_to(grad_output, x.shape, ctx.dims, ctx.keepdim)
        # multiplied by the mask as PyTorch does: an inf gradient at a NaN gives NaN, not 0
        return g.expand(x.shape) * isnan(x).logical_not(), None, None, None


class Mean(Function):
    """y = mean(x, dims);  dy/dx = 1/n"""

    _builtin = True
    _node_name = "MeanBackward0"

    @staticmethod
    def forward(ctx, x, dims, keepdim, dtype):
        d = x._data
        low = low_precision(d) if dtype is None else None
        if d.dtype.kind not in "fc" and low is None and dtype is None:
            raise RuntimeError(
                "mean(): could not infer output dtype. Input dtype must be either a floating "
                f"point or complex dtype. Got: {_title(x)}"
            )
        if dtype is not None and xp_of(d).dtype(dtype).kind not in "fc":
            from ..inplace import _dtype_name

            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be "
                               "either a floating point or complex dtype. Got: "
                               f"{_dtype_name(xp_of(d).dtype(dtype))}")
        ctx.shape = d.shape
        ctx.dims = dims
        ctx.keepdim = keepdim
        n = 1
        for i in dims:
            n *= d.shape[i]
        ctx.n = n
        xp = xp_of(d)
        out_dtype = dtype or d.dtype
        if low is not None:  # float16, bfloat16: summed in float32, rounded once (as PyTorch)
            d = d.astype("float32")
        if n == 0:
            out = xp.full(_reduced_shape(d.shape, dims, keepdim), xp.nan, out_dtype)
        else:
            with _be_errstate(xp, invalid="ignore", over="ignore"):
                out = d.sum(axis=dims, keepdims=keepdim, dtype=dtype) / n
        return make(xp.asarray(out).astype(out_dtype, copy=False))

    @staticmethod
    def backward(ctx, grad_output):
        g = _unsqueeze_to(grad_output, ctx.shape, ctx.dims, ctx.keepdim)
        return g.expand(ctx.shape) / ctx.n, None, None, None


class MeanDim(Mean):
    _node_name = "MeanBackward1"


def _title(x):
    from ..inplace import _dtype_name

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
        try:
            out = sum_axes(d, axes, True) if axes else d
        except RuntimeWarning:  # inf + -inf with warnings as errors (free otherwise)
            out = quiet_retry(lambda: d.sum(axis=axes, keepdims=True))
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
    from ..pointwise.compare import isnan, logical_not

    count = sum(logical_not(isnan(input)), dim, keepdim)
    res = nansum(input, dim, keepdim, dtype=dtype) / count
    return res if out is None else _write(res, out, input)


def _write(res, out, *inputs):
    from .._util import write_out

    return write_out(res, out, *inputs)


def sum_to_size(input, *size):
    """Sum ``input`` down to ``size``, which it must broadcast from."""
    if len(size) == 1 and not isinstance(size[0], int):
        size = tuple(size[0])
    shape = input._data.shape
    if tuple(size) == shape:
        return input
    from ...autograd.engine import _expandable

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
        with _be_errstate(xp, over="ignore", invalid="ignore"):
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
        with _be_errstate(xp_of(d), invalid="ignore", over="ignore"):
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


@_door.primitive("per_example")
def all(input, dim=None, keepdim=False, *, out=None):
    """True when every element (along ``dim``) is nonzero."""
    res = _logical_reduce("all", input, dim, keepdim)
    return res if out is None else _write(res, out)


@_door.primitive("per_example")
def any(input, dim=None, keepdim=False, *, out=None):
    """True when some element (along ``dim``) is nonzero."""
    res = _logical_reduce("any", input, dim, keepdim)
    return res if out is None else _write(res, out)


@_door.primitive("per_example")
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
        from .._util import _float

        d = _float(x)
        xp = xp_of(d)
        if d.size == 0:
            out = xp.full(_reduced_shape(d.shape, dims, keepdim), -xp.inf, d.dtype)  # log(0)
        else:
            m = d.max(axis=dims, keepdims=True)
            m = xp.where(xp.isinf(m), 0, m)  # all -inf (or +inf): no shift
            with _be_errstate(xp, over="ignore", divide="ignore", invalid="ignore"):
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
        x, g, yk = _kept(ctx, grad_output)
        from ..pointwise.exp_log import exp

        return g * exp(x - yk), None, None


def logsumexp(input, dim, keepdim=False, *, out=None):
    """``log(sum(exp(input), dim))``, computed without overflow (``dim`` is required)."""
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' (position 2) must be tuple of ints, not "
                        "NoneType")
    res = Logsumexp.apply(input, dims_of(dim, input._data.ndim), keepdim)
    return res if out is None else _write(res, out, input)
