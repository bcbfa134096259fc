"""Splitting tensors into views: unbind, split, split_with_sizes, chunk, tensor_split,
hsplit, vsplit, dsplit."""

from __future__ import annotations

from ...autograd import dispatch as _door
from ...autograd.function import _NULL_CTX, Function
from ...autograd.grad_mode import _state
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make, wrap_dim
from .aliasing import as_view, mark_multi_view
from .views import narrow


class Split(Function):
    """(y_0, y_1, ...) = consecutive pieces of x along ``dim`` (views), one node for all
    pieces as in PyTorch;  dx = the pieces' gradients joined along ``dim`` (a missing one
    comes as zeros), one array instead of a zero-filled copy of x per piece"""

    _builtin = True
    _node_name = "SplitBackward0"

    @staticmethod
    def forward(ctx, x, dim, sizes):
        d = x._data
        outs, start = [], 0
        for n in sizes:
            key = (slice(None),) * dim + (slice(start, start + n),)
            outs.append(as_view(make(d[key]), x, lambda t, key=key: t[key]))
            start += n
        if ctx is not _NULL_CTX:
            ctx.dim = dim
        return tuple(outs)

    @staticmethod
    def backward(ctx, *grads):
        if not (_state.enabled or _door.busy):  # no graph, no mode: one concatenate
            return make(xp_of(grads[0]._data).concatenate([g._data for g in grads],
                                                          axis=ctx.dim)), None, None
        from .join import cat

        return cat(grads, ctx.dim), None, None


class SplitWithSizes(Split):
    _node_name = "SplitWithSizesBackward0"


def _split(tensor, d, sizes, cls):
    return mark_multi_view(cls.apply(tensor, d, tuple(sizes)), cls.__name__)


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views."""
    d = wrap_dim(dim, input._data.ndim)
    return mark_multi_view(tuple(input.select(d, i) for i in range(input._data.shape[d])),
                           "Unbind")


# --------------------------------------------------------------------------- splitting
def split(tensor, split_size_or_sections, dim=0):
    """Views of consecutive pieces of ``split_size`` (the last may be smaller), or of the
    given ``sections`` sizes."""
    d = wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0 or (step == 0 and size != 0):
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of "
                f"{size}"
            )
        if size == 0:
            return (tensor,)
        return _split(tensor, d, [min(step, size - s) for s in range(0, size, step)], Split)
    sizes = [int(v) for v in split_size_or_sections]
    if sum(sizes) != size or any(v < 0 for v in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
            f"size at dimension {d}), but got split_sizes={sizes}"
        )
    return _split(tensor, d, sizes, SplitWithSizes)


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` views of (nearly) equal size along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    step = max(-(-size // chunks), 1) if size else 0
    if size == 0:
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    return split(input, step, d)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``n`` near-equal parts (the first ``size % n`` one longer), or at the given
    indices; always a tuple of views."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.ndim == 0:
            ios = int(ios._data)
        else:
            ios = [int(v) for v in ios._data.reshape(-1)]
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(
                f"number of sections must be larger than 0, got {ios}"
            )
        q, r = divmod(size, ios)
        sizes = [q + 1] * r + [q] * (ios - r)
        out, start = [], 0
        for v in sizes:
            out.append(narrow(input, d, start, v))
            start += v
        return tuple(out)
    out, prev = [], 0
    for i in list(ios) + [size]:
        i = int(i)
        i = max(min(i + size if i < 0 else i, size), 0)
        s = min(prev, size)
        out.append(narrow(input, d, s, max(i - s, 0)))
        prev = max(prev, i)
    return tuple(out)


def _dim_split(name, dim, min_dims):
    def f(input, indices_or_sections):
        if input._data.ndim < min_dims:
            raise RuntimeError(
                f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
                f"tensor with {input._data.ndim} dimensions!"
            )
        d = dim if dim >= 0 or input._data.ndim > 1 else 0
        if name == "hsplit" and input._data.ndim == 1:
            d = 0
        if isinstance(indices_or_sections, int):
            size = input._data.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(
                    f"torch.{name} attempted to split along dimension {d}, but the size of the "
                    f"dimension {size} is not divisible by the split_size "
                    f"{indices_or_sections}!"
                )
        return tensor_split(input, indices_or_sections, d)

    f.__name__ = name
    return f


hsplit = _dim_split("hsplit", 1, 1)


vsplit = _dim_split("vsplit", 0, 2)


dsplit = _dim_split("dsplit", 2, 3)
