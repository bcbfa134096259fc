"""index_put, take, take_along_dim, put and their in-place forms."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make, wrap_dim
from .gather_scatter import _inplace, gather
from .masked import MaskedScatter


# ------------------------------------------------------------------------ index_put
class IndexPutAccumulate(Function):
    """y = x with values summed in at indices;  dy/dx = grad, dy/dvalues = grad[indices]"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "IndexPutBackward0"

    @staticmethod
    def forward(ctx, x, values, key):
        out = x._data.copy()
        v = values._data.astype(out.dtype, copy=False)
        try:
            xp_of(out).add.at(out, key, v)
        except IndexError as e:
            raise IndexError(str(e).replace("axis", "dimension")) from None
        ctx.key = key
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        from .subscript import Index

        gv = Index.apply(grad_output, ctx.key) if ctx.needs_input_grad[1] else None
        return grad_output, gv, None


def _put_key(indices):
    from .subscript import _norm_key

    key = tuple(slice(None) if i is None else i for i in indices)
    nkey, _ = _norm_key(key)
    return nkey


def index_put(input, indices, values, accumulate=False):
    """``input`` with ``values`` written (or, with ``accumulate``, summed) at ``indices`` (a
    tuple of index tensors, as ``input[indices] = values``)."""
    from .subscript import IndexPut

    nkey = _put_key(indices)
    if not isinstance(values, Tensor):
        raise TypeError("index_put(): argument 'values' must be Tensor")
    if values._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{_tname(input)} for the destination and {_tname(values)} for the source."
        )
    if accumulate:
        return IndexPutAccumulate.apply(input, values, nkey)
    return IndexPut.apply(input, values, nkey)


def _tname(t):
    return {"float32": "Float", "float64": "Double", "int64": "Long", "int32": "Int",
            "bool": "Bool", "float16": "Half"}.get(t.dtype.name, t.dtype.name)


# ------------------------------------------------------------------------ take
def take(input, index):
    """The elements of flattened ``input`` at ``index`` (result shaped like ``index``)."""
    from .subscript import Index

    idx = index._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError("take(): Expected a long tensor for index, but got "
                           f"{index.dtype}")
    n = input._data.size
    if idx.size and ((idx < -n).any() or (idx >= n).any()):
        bad = idx[(idx < -n) | (idx >= n)].reshape(-1)[0]
        raise IndexError(
            f"out of range: tried to access index {int(bad)} on a tensor of {n} elements."
        )
    flat = input.reshape(-1)
    return Index.apply(flat, (idx,))


def take_along_dim(input, indices, dim=None, *, out=None):
    """``gather`` with ``indices`` broadcast against ``input`` (flattened when ``dim`` is
    None)."""
    if dim is None:
        return take(input, indices.reshape(-1))
    from ..shape.views import expand

    n = input._data.ndim
    dim = wrap_dim(dim, n)
    if indices._data.ndim != n:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {n} dimensions for input, and {indices._data.ndim} "
            "dimensions for indices"
        )
    s_in, s_idx = list(input._data.shape), list(indices._data.shape)
    from ..shape.views import broadcast_shapes

    s_in[dim] = s_idx[dim] = 1
    b = list(broadcast_shapes(s_in, s_idx))
    bi = b.copy()
    bi[dim] = input._data.shape[dim]
    bx = b.copy()
    bx[dim] = indices._data.shape[dim]
    x = expand(input, bi)
    idx = expand(indices, bx)
    size = input._data.shape[dim]
    i = idx._data
    i = xp_of(i).where(i < 0, i + size, i)
    return gather(x, dim, make(xp_of(i).ascontiguousarray(i)))


class Put(Function):
    """y = x with source written (or summed) at flat indices;
    dy/dx = grad (zeroed at index unless accumulating), dy/dsource = grad.take(index)"""

    _builtin = True
    _edges = (0, 2)
    _node_name = "PutBackward0"

    @staticmethod
    def forward(ctx, x, index, source, accumulate):
        d = x._data
        flat = d.reshape(-1).copy()
        i = index._data.reshape(-1)
        s = source._data.reshape(-1).astype(d.dtype, copy=False)
        if accumulate:
            xp_of(d).add.at(flat, i, s)
        else:
            flat[i] = s
        ctx.accumulate = accumulate
        ctx.src_shape = source._data.shape
        ctx.save_for_backward(index)
        return make(flat.reshape(d.shape))

    @staticmethod
    def backward(ctx, grad_output):
        (index,) = ctx.saved_tensors
        gx = gs = None
        if ctx.needs_input_grad[0]:
            zeros = make(xp_of(grad_output._data).zeros(index._data.shape,
                                                         grad_output._data.dtype))
            gx = grad_output if ctx.accumulate else Put.apply(grad_output, index, zeros, False)
        if ctx.needs_input_grad[2]:
            gs = take(grad_output, index).reshape(ctx.src_shape)
        return gx, None, gs, None


def _check_put(n, index, source):
    """put's checks for a tensor of ``n`` elements: as many indices as source elements, each
    within ``[-n, n)``."""
    idx = index._data
    if idx.size != source._data.size:
        raise RuntimeError(
            f"put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {idx.size}"
        )
    if idx.size and ((idx < -n).any() or (idx >= n).any()):
        bad = idx[(idx < -n) | (idx >= n)].reshape(-1)[0]
        raise IndexError(
            f"out of range: tried to access index {int(bad)} on a tensor of {n} elements."
        )


def put(input, index, source, accumulate=False):
    """``input`` with ``source`` written at the flat positions ``index``."""
    _check_put(input._data.size, index, source)
    return Put.apply(input, index, source, accumulate)


def index_put_(self, indices, values, accumulate=False):
    from .subscript import IndexPut

    nkey = _put_key(indices)
    if values._data.dtype != self._data.dtype:
        raise RuntimeError(
            f"Index put requires the source and destination dtypes match, got "
            f"{_tname(self)} for the destination and {_tname(values)} for the source."
        )
    if accumulate:
        return _inplace(self, IndexPutAccumulate, values, nkey)
    return _inplace(self, IndexPut, values, nkey)


def masked_scatter_(self, mask, source):
    if mask._data.dtype != bool:
        raise RuntimeError("masked_scatter_ only supports boolean masks, but got mask with "
                           f"dtype {mask.dtype}")
    return _inplace(self, MaskedScatter, mask, source)


def put_(self, index, source, accumulate=False):
    _check_put(self._data.size, index, source)
    return _inplace(self, Put, index, source, accumulate)
