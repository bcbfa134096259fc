"""Joining tensors: cat, stack, hstack, vstack, dstack, column_stack, atleast_Nd, block_diag,
cartesian_prod, combinations, vander."""

from __future__ import annotations

import itertools

from ... import dtypes as _dt
from ...autograd.function import Function
from ...backend import xp_of
from ...tensor import Tensor
from .._util import channels_last, make, make_dense, wrap_dim
from .views import reshape, unsqueeze


class Cat(Function):
    """y = the inputs joined along ``dim``;  dy/dx_i = the slice of the gradient for x_i"""

    _builtin = True
    _edges = slice(1, None)
    _node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, *xs):
        arrays = [x._data for x in xs]
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]
        out = xp_of(arrays[0]).concatenate(arrays, axis=dim)
        if all(channels_last(a) for a in arrays):  # PyTorch keeps a layout all inputs share
            xp = xp_of(out)
            return make(xp.ascontiguousarray(out.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2))
        return make_dense(out)

    @staticmethod
    def backward(ctx, grad_output):
        grads = []
        start = 0
        for n in ctx.sizes:
            grads.append(grad_output.narrow(ctx.dim, start, n))
            start += n
        return (None, *grads)


def _stack_channels_last(out, a, dim):
    """``out`` laid out as PyTorch stacks channels-last inputs: the memory order of the
    inputs unsqueezed at ``dim``, the new dim inside an old one of equal stride."""
    st = list(a.strides)
    st.insert(dim, a.shape[dim] * a.strides[dim])
    order = sorted(range(out.ndim), key=lambda i: (-st[i], i == dim))
    xp = xp_of(out)
    res = xp.empty(tuple(out.shape[i] for i in order), out.dtype).transpose(
        tuple(order.index(i) for i in range(out.ndim)))
    res[...] = out
    return res


class Stack(Function):
    """y = the inputs stacked along a new ``dim``;  dy/dx_i = select(dim, i) of the gradient"""

    _builtin = True
    _edges = slice(1, None)
    _node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, *xs):
        arrays = [x._data for x in xs]
        ctx.dim = dim
        out = xp_of(arrays[0]).stack(arrays, axis=dim)
        if dim < 4 and all(channels_last(a) for a in arrays):
            return make(_stack_channels_last(out, arrays[0], dim))
        return make_dense(out)

    @staticmethod
    def backward(ctx, grad_output):
        return (None, *grad_output.unbind(ctx.dim))


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim (their other dims must match)."""
    tensors = [t for t in tensors]
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {i}) cannot be concatenated"
            )
    nonempty = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    if not nonempty:
        return tensors[0].clone()
    ref = nonempty[0]._data
    d = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(nonempty):
        s = t._data.shape
        if len(s) != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {len(s)}"
            )
        for j in range(ref.ndim):
            if j != d and s[j] != ref.shape[j]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[j]} but got size {s[j]} for tensor number {i} in the list."
                )
    from ... import dtypes as _dt

    dt = nonempty[0].dtype
    for t in nonempty[1:]:
        dt = _dt.promote_types(dt, t.dtype)
    nonempty = [t if t.dtype is dt else t.to(dt) for t in nonempty]
    return Cat.apply(d, *nonempty)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    from ... import dtypes as _dt

    dt = tensors[0].dtype
    for t in tensors[1:]:
        dt = _dt.promote_types(dt, t.dtype)
    tensors = [t if t.dtype is dt else t.to(dt) for t in tensors]
    return Stack.apply(wrap_dim(dim, len(shape) + 1), *tensors)


# --------------------------------------------------------------------------- stacking
def atleast_1d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = tuple(reshape(t, 1) if t._data.ndim == 0 else t for t in ts)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def atleast_2d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for t in ts:
        n = t._data.ndim
        out.append(reshape(t, 1, 1) if n == 0 else unsqueeze(t, 0) if n == 1 else t)
    out = tuple(out)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def atleast_3d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for t in ts:
        n = t._data.ndim
        if n == 0:
            t = reshape(t, 1, 1, 1)
        elif n == 1:
            t = unsqueeze(unsqueeze(t, 0), -1)
        elif n == 2:
            t = unsqueeze(t, -1)
        out.append(t)
    out = tuple(out)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def hstack(tensors, *, out=None):
    """Concatenate along dim 1 (dim 0 for 1-D inputs)."""
    ts = atleast_1d(tuple(tensors))
    if ts and ts[0]._data.ndim == 1:
        return cat(ts, 0)
    return cat(ts, 1)


def vstack(tensors, *, out=None):
    """Concatenate along dim 0 after making the inputs at least 2-D."""
    return cat(atleast_2d(tuple(tensors)), 0)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate along dim 2 after making the inputs at least 3-D."""
    return cat(atleast_3d(tuple(tensors)), 2)


def column_stack(tensors, *, out=None):
    ts = [reshape(t, -1, 1) if t._data.ndim <= 1 else t for t in tensors]
    return cat(ts, 1)


# ------------------------------------------------------------------------------- builders
def block_diag(*tensors):
    """A block-diagonal matrix from 0-, 1- or 2-d tensors (a 0-d or 1-d tensor is one row)."""
    from ..factories import zeros

    mats = []
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t._data.ndim} dimensions")
        mats.append(t.reshape(1, -1) if t._data.ndim < 2 else t)
    if not mats:
        return zeros(1, 0)
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = _dt.promote_types(dtype, m.dtype)
    cols = sum(m._data.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m._data.shape
        parts = [zeros(r, left, dtype=dtype, device=m.device), m.to(dtype),
                 zeros(r, cols - left - c, dtype=dtype, device=m.device)]
        rows.append(cat(parts, 1))
        left += c
    return cat(rows, 0)


def cartesian_prod(*tensors):
    """The cartesian product of 1-d tensors: one row per combination (``itertools.product``)."""
    from ..factories import meshgrid

    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of a 1-d tensor's elements, one per row
    (``itertools.combinations`` order)."""
    from ..factories import empty, tensor

    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    dev = input.device
    if r == 0:
        return empty(0, dtype=input.dtype, device=dev)
    gen = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = list(gen(range(input._data.shape[0]), r))
    if not idx:
        return empty(0, r, dtype=input.dtype, device=dev) if r > 1 else \
            empty(0, dtype=input.dtype, device=dev)
    cols = tensor(idx, dtype=_dt.int64, device=dev).t()
    if r == 1:
        return input.index_select(0, cols[0])
    return stack([input.index_select(0, c) for c in cols.unbind(0)], 1)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-d tensor: columns ``x**(N-1) ... x**0`` (reversed when
    ``increasing``); integer inputs give int64, as in PyTorch."""
    from ..factories import ones
    from ..reduce.scans import cumprod

    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0]
    N = n if N is None else N
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = _dt.promote_types(x.dtype, _dt.int64)
    if N == 0:
        from ..factories import empty

        return empty(n, 0, dtype=dtype)
    xx = x.to(dtype)
    first = ones(n, 1, dtype=dtype)
    if N == 1:
        res = first
    else:
        res = cumprod(cat([first, xx.unsqueeze(1).expand(n, N - 1)], 1), 1)
    return res if increasing else res.flip(1)
