"""Sorting and searching: sort, argsort, msort, topk, kthvalue (with the Functions of their
values), searchsorted, bucketize, nonzero, argwhere, nonzero_static, unravel_index."""

from __future__ import annotations

from ...autograd import dispatch as _door
import math

from ... import dtypes as _dt
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make, wrap_dim
from ..return_types import named_result
from .gather_scatter import Gather


class SortValues(Gather):
    _node_name = "SortBackward0"


class TopkValues(Gather):
    _node_name = "TopkBackward0"


class KthvalueValues(Gather):
    _node_name = "KthvalueBackward0"


# ------------------------------------------------------------------------ nonzero
@_door.primitive("per_example")
def nonzero(input, *, as_tuple=False, out=None):
    """Indices of the non-zero elements: an ``(n, dim)`` int64 tensor, or one 1-D tensor per
    dim with ``as_tuple``."""
    d = input._data
    xp = xp_of(d)
    if d.ndim == 0:
        hit = bool(d)
        if as_tuple:
            return (make(xp.zeros(int(hit), "int64")),)
        return make(xp.zeros((int(hit), 0), "int64"))
    idx = xp.nonzero(d)
    if as_tuple:
        return tuple(make(i.astype("int64")) for i in idx)
    return make(xp.stack(idx, axis=1).astype("int64"))


def argwhere(input):
    return nonzero(input)


# ------------------------------------------------------------------------ ordering
def _argsort(d, dim, descending):
    """Stable argsort along dim; descending keeps equal elements in their original order and
    puts NaN first (PyTorch's order)."""
    xp = xp_of(d)
    if not descending:
        return xp.argsort(d, axis=dim, kind="stable")
    n = d.shape[dim]
    r = xp.flip(d, dim)
    i = xp.argsort(r, axis=dim, kind="stable")
    return xp.flip(n - 1 - i, dim)


def _sort_parts(input, dim, descending):
    d = input._data
    if d.ndim == 0:
        return make(xp_of(d).zeros((), "int64"))
    if d.dtype == bool:
        d = d.astype("uint8")
    return make(_argsort(d, dim, descending).astype("int64"))


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """``(values, indices)`` of ``input`` sorted along ``dim`` (stable; NaN sorts as the
    largest value)."""
    if isinstance(dim, bool):  # sort(x, True) is descending in PyTorch's old signature
        dim, descending = -1, dim
    dim = wrap_dim(dim, input._data.ndim)
    idx = _sort_parts(input, dim, descending)
    return named_result("sort", ["values", "indices"],
                        (SortValues.apply(input, dim, idx), idx))


@_door.primitive("per_example")
def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    dim = wrap_dim(dim, input._data.ndim)
    return _sort_parts(input, dim, descending)


def msort(input):
    return sort(input, 0).values


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """``(values, indices)`` of the ``k`` largest (or smallest) elements along ``dim``."""
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    size = d.shape[dim] if d.ndim else 1
    if k < 0 or k > size:
        raise RuntimeError("selected index k out of range")
    if d.ndim == 0:
        idx = make(xp_of(d).zeros((), "int64"))
    else:
        dd = d.astype("uint8") if d.dtype == bool else d
        order = _argsort(dd, dim, largest)
        idx = make(order[(slice(None),) * dim + (slice(0, k),)].astype("int64"))
    return named_result("topk", ["values", "indices"], (TopkValues.apply(input, dim, idx), idx))


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """``(values, indices)`` of the ``k``-th smallest element along ``dim``."""
    d = input._data
    dim = wrap_dim(dim, d.ndim)
    size = d.shape[dim] if d.ndim else 1
    if k < 1 or k > size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {dim}")
    if d.ndim == 0:
        idx = make(xp_of(d).zeros((), "int64"))
        return named_result("kthvalue", ["values", "indices"],
                            (KthvalueValues.apply(input, dim, idx), idx))
    order = _argsort(d, dim, False)
    i = order[(slice(None),) * dim + (slice(k - 1, k),)].astype("int64")
    idx = make(i)
    vals = KthvalueValues.apply(input, dim, idx)
    if not keepdim:
        vals = vals.squeeze(dim)
        idx = make(i.squeeze(dim))
    return named_result("kthvalue", ["values", "indices"], (vals, idx))


def searchsorted(sorted_sequence, input, *, out_int32=False, right=False, side=None,
                 sorter=None, out=None):
    """For each value, the index where it would be inserted into ``sorted_sequence`` (the
    first such place, or the last with ``right=True``/``side='right'``)."""
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        if right and side == "left":
            raise RuntimeError(
                "torch.searchsorted(): side and right can't be set to opposites, got side of "
                "left while right was True"
            )
        right = side == "right"
    seq = sorted_sequence._data
    xp = xp_of(seq)
    scalar = not isinstance(input, Tensor)
    vals = xp.asarray(input) if scalar else input._data
    if sorter is not None:
        seq = xp.take_along_axis(seq, sorter._data, axis=-1)
    s = "right" if right else "left"
    dt = "int32" if out_int32 else "int64"
    if seq.ndim <= 1:
        return make(xp.searchsorted(seq, vals, side=s).astype(dt))
    if scalar or vals.shape[:-1] != seq.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor "
            f"{list(vals.shape)}"
        )
    s2 = seq.reshape(-1, seq.shape[-1])
    v2 = vals.reshape(-1, vals.shape[-1])
    res = xp.stack([xp.searchsorted(a, b, side=s) for a, b in zip(s2, v2)]) if len(s2) else \
        xp.zeros(v2.shape, "int64")
    return make(res.reshape(vals.shape).astype(dt))


def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The bucket of each value: ``i`` with ``boundaries[i-1] < x <= boundaries[i]`` (``<=``
    on the left instead with ``right=True``)."""
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right)


# --------------------------------------------------------------------------------- indices
def unravel_index(indices, shape):
    """Flat indices to a tuple of coordinate tensors (int64) for a tensor of ``shape``."""
    from ..factories import tensor

    if isinstance(indices, Tensor):
        if indices._data.dtype.kind not in "iu":
            raise TypeError(f"expected 'indices' to be integer dtype, but got "
                            f"{indices.dtype}")
        idx = indices._data
    else:
        if isinstance(indices, float):
            raise TypeError("expected 'indices' to be integer dtype, but got torch.float32")
        idx = xp_of(None).asarray(indices)
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(tuple(shape)))
    xp = xp_of(idx)
    total = math.prod(shape)
    if idx.size and (int(idx.min()) < -total or int(idx.max()) >= total):
        raise RuntimeError("'indices' must be in range [-"
                           f"{total}, {total - 1}]" if total else "'indices' must be in range")
    idx = xp.where(idx < 0, idx + total, idx)
    coords = xp.unravel_index(idx.astype(xp.int64), shape) if shape else ()
    return tuple(tensor(xp.asarray(c, dtype=xp.int64)) for c in coords)


def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero`` padded with ``fill_value`` (or truncated) to exactly ``size`` rows."""
    from ..factories import full, tensor

    d = input._data
    xp = xp_of(d)
    nz = xp.argwhere(d)
    if nz.shape[0] >= size:
        return tensor(nz[:size].astype(xp.int64))
    out = full((size, d.ndim), fill_value, dtype=_dt.int64)
    out._data[: nz.shape[0]] = nz
    return out
