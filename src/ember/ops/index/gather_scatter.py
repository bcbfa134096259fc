"""index_select, gather, scatter, scatter_add, scatter_reduce and their in-place forms."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import scatter_mul as _be_scatter_mul
from ...backend import backend_of, xp_of
from ...tensor import Tensor
from .._util import make, wrap_dim


# ------------------------------------------------------------------------ helpers
def _index_array(index, name, allow_int32=True):
    if not isinstance(index, Tensor):
        raise TypeError(f"{name}(): argument 'index' must be Tensor, not {type(index).__name__}")
    d = index._data
    if d.dtype.name != "int64" and not (allow_int32 and d.dtype.name == "int32"):
        raise RuntimeError(f"{name}(): Expected dtype int64 for index")
    return d


def _dim_index(idx, dim, ndim):
    """The full NumPy index tuple for ``idx`` used along ``dim`` (arange along other dims)."""
    xp = xp_of(idx)
    key = []
    for d in range(ndim):
        if d == dim:
            key.append(idx)
        else:
            shape = [1] * ndim
            shape[d] = idx.shape[d]
            key.append(xp.arange(idx.shape[d]).reshape(shape))
    return tuple(key)


def _check_gather_index(x, dim, idx, name, src=None):
    xd = x._data
    if idx.ndim != max(xd.ndim, 1) and not (idx.ndim == 0 or xd.ndim == 0):
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    xs = xd.shape if xd.ndim else (1,)
    ish = idx.shape if idx.ndim else (1,)
    for d in range(len(ish)):
        if d != dim and ish[d] > xs[d]:
            raise RuntimeError(
                f"Size does not match at dimension {d} expected index {list(ish)} to be no "
                f"larger than self {list(xs)} apart from dimension {dim}"
            )
        if src is not None and ish[d] > (src.shape[d] if src.ndim else 1):
            raise RuntimeError(
                f"Expected index {list(ish)} to be no larger than src {list(src.shape)} apart "
                f"from dimension {dim}" if d != dim else
                f"Expected index {list(ish)} to be no larger than src {list(src.shape)}"
            )
    if idx.size:
        size = xs[dim]
        bad = (idx < 0) | (idx >= size)
        if bad.any():
            v = int(idx[bad].reshape(-1)[0])
            raise RuntimeError(f"index {v} is out of bounds for dimension {dim} with size {size}")


def _as2(d):
    return d.reshape(1) if d.ndim == 0 else d


def _src_part(src, idx):
    """The leading ``idx.shape`` block of ``src`` (scatter reads only that part)."""
    s = _as2(src)
    if s.shape == idx.shape:
        return s
    return s[tuple(slice(0, n) for n in idx.shape)]


# ------------------------------------------------------- index_select, gather and their adjoints
class _PickAlong(Function):
    """Base of index_select and gather: y reads x at ``index`` along ``dim`` (the subclass's
    ``pick(d, dim, idx)`` on the arrays); dy/dx sums the gradient back into zeros of x's shape
    by the adjoint op ``_summed_back``."""

    _builtin = True

    @classmethod
    def forward(cls, ctx, x, dim, index):
        d = x._data
        ctx.dim, ctx.shape = dim, d.shape
        ctx.save_for_backward(index)
        return make(cls.pick(d, dim, index._data))

    @classmethod
    def backward(cls, ctx, grad_output):
        (index,) = ctx.saved_tensors
        return cls._summed_back.apply(grad_output, ctx.dim, index, ctx.shape), None, None


class _SumAlong(Function):
    """Base of the adjoints of index_select and gather: y = zeros(shape) with g summed in at
    ``index`` along ``dim`` (the subclass's ``sum_into(xp, gd, dim, idx, shape)``); dy/dg reads
    the gradient at ``index`` again, by the op ``_picked``."""

    _builtin = True

    @classmethod
    def forward(cls, ctx, g, dim, index, shape):
        gd = g._data
        ctx.dim = dim
        ctx.save_for_backward(index)
        return make(cls.sum_into(xp_of(gd), gd, dim, index._data, shape))

    @classmethod
    def backward(cls, ctx, grad_output):
        (index,) = ctx.saved_tensors
        return cls._picked.apply(grad_output, ctx.dim, index), None, None, None


class IndexSelect(_PickAlong):
    """y = x.index_select(dim, index);  dy/dx = index_add of the gradient into zeros"""

    _node_name = "IndexSelectBackward0"

    @staticmethod
    def pick(d, dim, idx):
        i = idx.reshape(-1)
        if d.ndim == 0:  # a scalar stays a scalar (its one index must be 0)
            return d.reshape(1)[i].reshape(())
        return xp_of(d).take(d, i, axis=dim)


class IndexAddZeros(_SumAlong):
    """y = zeros(shape).index_add(dim, index, g);  dy/dg = index_select of the gradient"""

    _node_name = "IndexAddBackward0"

    @staticmethod
    def sum_into(xp, gd, dim, idx, shape):
        out = xp.zeros(shape, gd.dtype)
        if len(shape) == 0:
            out[...] = gd.sum()
            return out
        backend_of(out).scatter_add(out, (slice(None),) * dim + (idx.reshape(-1),),
                                    gd if gd.ndim else gd.reshape(1))
        return out


IndexSelect._summed_back, IndexAddZeros._picked = IndexAddZeros, IndexSelect


def index_select(input, dim, index, *, out=None):
    """The slices ``index`` (a 1-D int64 tensor) of ``input`` along ``dim`` (a copy)."""
    idx = index._data if isinstance(index, Tensor) else None
    if idx is None or idx.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    if d.ndim == 0 and idx.size != 1:
        raise RuntimeError("index_select(): Index to scalar can have only 1 value, got "
                           f"{idx.size} value(s)")
    size = d.shape[dim] if d.ndim else 1
    if idx.size and ((idx < 0).any() or (idx >= size).any()):
        raise IndexError("index out of range in self")
    return IndexSelect.apply(input, dim, index)


# ------------------------------------------------------------------------ gather / scatter
class Gather(_PickAlong):
    """y[i][j] = x[i][index[i][j]] (dim=1);  dy/dx = scatter_add of the gradient into zeros"""

    _node_name = "GatherBackward0"

    @staticmethod
    def pick(d, dim, idx):
        if d.ndim == 0 or idx.ndim == 0:
            return _as2(d)[_as2(idx)].reshape(idx.shape)
        return d[_dim_index(idx, dim, d.ndim)]


class ScatterAddZeros(_SumAlong):
    """y = zeros(shape).scatter_add(dim, index, g);  dy/dg = gather of the gradient"""

    _node_name = "ScatterAddBackward0"

    @staticmethod
    def sum_into(xp, gd, dim, idx, shape):
        out = xp.zeros(shape if len(shape) else (1,), gd.dtype)
        idx = _as2(idx)
        xp.add.at(out, _dim_index(idx, dim, out.ndim), _as2(gd))
        return out.reshape(shape)


Gather._summed_back, ScatterAddZeros._picked = ScatterAddZeros, Gather


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[i][index[i][j]]`` for ``dim == 1`` (and likewise for other dims)."""
    idx = _index_array(index, "gather")
    dim = wrap_dim(dim, input._data.ndim)
    _check_gather_index(input, dim, idx, "gather")
    return Gather.apply(input, dim, index)


def _pad_to(g, shape):
    """g placed into the leading corner of zeros(shape) (differentiable)."""
    if tuple(g._data.shape) == tuple(shape):
        return g
    from .subscript import IndexPutIntoZeros

    key = tuple(slice(0, n) for n in g._data.shape)
    return IndexPutIntoZeros.apply(g, key, tuple(shape), False)


class Scatter(Function):
    """y = x with src written at index along dim;
    dy/dx = grad with those places zeroed, dy/dsrc = grad gathered at index"""

    _builtin = True
    _edges = (0, 3)
    _node_name = "ScatterBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        d = x._data
        idx = _as2(index._data)
        out = _as2(d.copy())
        key = _dim_index(idx, dim, out.ndim)
        if isinstance(src, Tensor):
            out[key] = _src_part(src._data, idx).astype(d.dtype, copy=False)
            ctx.src_shape = src._data.shape
        else:
            out[key] = src
        ctx.dim = dim
        ctx.save_for_backward(index)
        return make(out.reshape(d.shape))

    @staticmethod
    def backward(ctx, grad_output):
        (index,) = ctx.saved_tensors
        gx = gs = None
        if ctx.needs_input_grad[0]:
            gx = Scatter.apply(grad_output, ctx.dim, index, 0.0)
        if ctx.needs_input_grad[3]:
            gs = _pad_to(Gather.apply(grad_output, ctx.dim, index), ctx.src_shape)
        return gx, None, None, gs


class ScatterValue(Scatter):
    _node_name = "ScatterBackward1"


class ScatterLegacyReduce(Function):
    """scatter(..., reduce='add'|'multiply'): forward only, as in PyTorch (no derivative)"""

    _builtin = True
    _edges = (0, 3)
    _node_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce):
        d = x._data
        xp = xp_of(d)
        idx = _as2(index._data)
        out = _as2(d.copy())
        key = _dim_index(idx, dim, out.ndim)
        v = _src_part(src._data, idx) if isinstance(src, Tensor) else \
            xp.full(idx.shape, src, d.dtype)
        v = v.astype(d.dtype, copy=False)
        if reduce == "add":
            xp.add.at(out, key, v)
        else:
            _be_scatter_mul(out, key, v)
        return make(out.reshape(d.shape))

    @staticmethod
    def backward(ctx, grad_output):
        raise RuntimeError("derivative for aten::scatter is not implemented")


class ScatterAdd(Function):
    """y = x with src added at index along dim;  dy/dx = grad, dy/dsrc = grad gathered"""

    _builtin = True
    _edges = (0, 3)
    _node_name = "ScatterAddBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src):
        d = x._data
        idx = _as2(index._data)
        out = _as2(d.copy())
        xp_of(d).add.at(out, _dim_index(idx, dim, out.ndim),
                        _src_part(src._data, idx).astype(d.dtype, copy=False))
        ctx.dim, ctx.src_shape = dim, src._data.shape
        ctx.save_for_backward(index)
        return make(out.reshape(d.shape))

    @staticmethod
    def backward(ctx, grad_output):
        (index,) = ctx.saved_tensors
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _pad_to(Gather.apply(grad_output, ctx.dim, index), ctx.src_shape)
        return grad_output, None, None, gs


def _scatter_checks(input, dim, index, src, name):
    idx = _index_array(index, name, allow_int32=False)
    dim = wrap_dim(dim, input._data.ndim)
    if isinstance(src, Tensor):
        if src._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"{name}(): Expected self.dtype to be equal to src.dtype"
            )
        if idx.ndim != src._data.ndim and idx.size and src._data.ndim:
            raise RuntimeError(
                "Index tensor must have the same number of dimensions as src tensor"
            )
    _check_gather_index(input, dim, idx, name, src._data if isinstance(src, Tensor) else None)
    return dim


def scatter(input, dim, index, src=None, *, value=None, reduce=None):
    """``input`` with ``src`` (a tensor or a number) written at ``index`` along ``dim``;
    ``reduce='add'|'multiply'`` combines instead of overwriting (not differentiable)."""
    if src is None:
        src = value
    dim = _scatter_checks(input, dim, index, src, "scatter")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(
                f"reduce argument must be either add or multiply. Got {reduce}"
            )
        return ScatterLegacyReduce.apply(input, dim, index, src, reduce)
    if isinstance(src, Tensor):
        return Scatter.apply(input, dim, index, src)
    return ScatterValue.apply(input, dim, index, src)


def scatter_add(input, dim, index, src):
    """``input`` with ``src`` summed into the places ``index`` names along ``dim``."""
    dim = _scatter_checks(input, dim, index, src, "scatter_add")
    return ScatterAdd.apply(input, dim, index, src)


_REDUCES = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduce(Function):
    """y = x with src reduced (sum/prod/mean/amax/amin) into index along dim;
    gradients follow PyTorch's scatter_reduce_backward"""

    _builtin = True
    _edges = (0, 3)
    _node_name = "ScatterReduceBackward0"

    @staticmethod
    def forward(ctx, x, dim, index, src, reduce, include_self):
        d = x._data
        xp = xp_of(d)
        idx = _as2(index._data)
        out = _as2(d.copy())
        key = _dim_index(idx, dim, out.ndim)
        s = _src_part(src._data, idx)
        if reduce in ("sum", "mean"):
            if not include_self:
                out[key] = 0
            xp.add.at(out, key, s)
            if reduce == "mean":
                cnt = (xp.ones if include_self else xp.zeros)(out.shape, "int64")
                xp.add.at(cnt, key, 1)
                touched = xp.zeros(out.shape, bool)
                touched[key] = True
                cnt = xp.where(cnt == 0, 1, cnt)
                if out.dtype.kind in "iu":
                    res = xp.floor_divide(out, cnt)
                else:
                    res = (out / cnt).astype(out.dtype)
                out = xp.where(touched, res, out)
        elif reduce == "prod":
            if not include_self:
                out[key] = 1
            _be_scatter_mul(out, key, s)
        else:
            ufunc = xp.maximum if reduce == "amax" else xp.minimum
            if not include_self:
                if out.dtype.kind == "f":
                    fill = -xp.inf if reduce == "amax" else xp.inf
                else:
                    info = xp.iinfo(out.dtype) if out.dtype.kind in "iu" else None
                    fill = (info.min if reduce == "amax" else info.max) if info else \
                        (reduce != "amax")
                out[key] = fill
            ufunc.at(out, key, s)
        ctx.dim, ctx.reduce, ctx.include_self = dim, reduce, include_self
        ctx.src_shape = src._data.shape
        res = make(out.reshape(d.shape))
        ctx.save_for_backward(x, index, src, res)
        return res

    @staticmethod
    def backward(ctx, grad):
        from ..pointwise.clamp import where

        x, index, src, result = ctx.saved_tensors
        dim, reduce, include_self = ctx.dim, ctx.reduce, ctx.include_self
        index_shape = index._data.shape
        srcp = src if tuple(src._data.shape) == tuple(index_shape) else \
            src[tuple(slice(0, n) for n in index_shape)]
        if reduce == "sum":
            grad_self = grad
            grad_src = Gather.apply(grad, dim, index)
        elif reduce == "mean":
            n = (x * 0 + 1) if include_self else x * 0
            n = n.detach()
            n = scatter_add(n, dim, index, (srcp * 0 + 1).detach())
            n = where(n == 0, 1.0, n)
            grad_self = grad / n
            grad_src = Gather.apply(grad, dim, index) / Gather.apply(n, dim, index)
        elif reduce == "prod":
            masked_self = where(x == 0, 1.0, x)
            masked_self_result = scatter_reduce(masked_self, dim, index, srcp, reduce,
                                                include_self=include_self)
            grad_self = grad * masked_self_result / masked_self
            src_zero = srcp == 0
            zeros = (x * 0).detach()
            src_num_zeros = Gather.apply(
                scatter_add(zeros, dim, index, src_zero.to(x.dtype)), dim, index)
            src_single_zero = src_zero & (src_num_zeros == 1)
            masked_src = where(src_single_zero, 1.0, srcp)
            masked_src_result = scatter_reduce(x, dim, index, masked_src, reduce,
                                               include_self=include_self)
            grad_src1 = where(src_single_zero,
                              Gather.apply(grad * masked_src_result, dim, index),
                              Gather.apply(grad * result, dim, index) /
                              where(src_zero, 1.0, srcp))
            grad_src = grad_src1
        else:
            value = Gather.apply(result, dim, index)
            self_is_result = (x == result).to(x.dtype)
            src_is_result = (srcp == value).to(x.dtype)
            n_dist = scatter_add(self_is_result, dim, index, src_is_result)
            grad_distributed = grad / n_dist
            grad_self = self_is_result * grad_distributed
            grad_src = src_is_result * Gather.apply(grad_distributed, dim, index)
        if not include_self:
            grad_self = Scatter.apply(grad_self, dim, index, 0.0)
        return (grad_self, None, None, _pad_to(grad_src, ctx.src_shape), None, None)


def scatter_reduce(input, dim, index, src, reduce, *, include_self=True):
    """``input`` with ``src`` reduced into the places ``index`` names along ``dim``
    (``reduce`` is 'sum', 'prod', 'mean', 'amax' or 'amin')."""
    if reduce not in _REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    dim = _scatter_checks(input, dim, index, src, "scatter_reduce")
    return ScatterReduce.apply(input, dim, index, src, reduce, include_self)


# ------------------------------------------------------------------------ in-place variants
def _inplace(self, cls, *args):
    from ..inplace import inplace

    return inplace(self, cls, *args)


def scatter_(self, dim, index, src=None, *, value=None, reduce=None):
    if src is None:
        src = value
    dim = _scatter_checks(self, dim, index, src, "scatter_")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
        return _inplace(self, ScatterLegacyReduce, dim, index, src, reduce)
    return _inplace(self, Scatter if isinstance(src, Tensor) else ScatterValue, dim, index, src)


def scatter_add_(self, dim, index, src):
    dim = _scatter_checks(self, dim, index, src, "scatter_add_")
    return _inplace(self, ScatterAdd, dim, index, src)


def scatter_reduce_(self, dim, index, src, reduce, *, include_self=True):
    if reduce not in _REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    dim = _scatter_checks(self, dim, index, src, "scatter_reduce_")
    return _inplace(self, ScatterReduce, dim, index, src, reduce, include_self)
