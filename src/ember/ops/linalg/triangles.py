"""Triangles: tril, triu (and in-place), tril_indices, triu_indices."""

from __future__ import annotations

import numpy as _np

from ... import dtypes as _dt
from ...autograd.function import Function
from ...backend import xp_of
from .._util import make_dense as make
from ..factories import _finish, _out_or


# --------------------------------------------------------------------------------------- triangles
class Tril(Function):
    """y = x with the elements above diagonal k zeroed;  dy/dx = tril(grad, k)"""

    _builtin = True
    _node_name = "TrilBackward0"

    @staticmethod
    def forward(ctx, x, diagonal):
        d = x._data
        if d.ndim < 2:
            raise RuntimeError("tril: input tensor must have at least 2 dimensions")
        ctx.diagonal = diagonal
        return make(xp_of(d).tril(d, diagonal))

    @staticmethod
    def backward(ctx, grad_output):
        return Tril.apply(grad_output, ctx.diagonal), None


class Triu(Function):
    """y = x with the elements below diagonal k zeroed;  dy/dx = triu(grad, k)"""

    _builtin = True
    _node_name = "TriuBackward0"

    @staticmethod
    def forward(ctx, x, diagonal):
        d = x._data
        if d.ndim < 2:
            raise RuntimeError("triu: input tensor must have at least 2 dimensions")
        ctx.diagonal = diagonal
        return make(xp_of(d).triu(d, diagonal))

    @staticmethod
    def backward(ctx, grad_output):
        return Triu.apply(grad_output, ctx.diagonal), None


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dims (``diagonal`` shifts it); differentiable."""
    return _out_or(Tril.apply(input, int(diagonal)), out)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dims; differentiable."""
    return _out_or(Triu.apply(input, int(diagonal)), out)


def tril_(self, diagonal=0):
    from ..inplace import inplace

    return inplace(self, Tril, int(diagonal))


def triu_(self, diagonal=0):
    from ..inplace import inplace

    return inplace(self, Triu, int(diagonal))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) indices of the lower triangle of a ``row`` x ``col`` matrix."""
    r, c = _np.tril_indices(row, offset, col)
    return _finish(_np.stack([r, c]).astype((dtype or _dt.int64).np), False, device)


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) indices of the upper triangle of a ``row`` x ``col`` matrix."""
    r, c = _np.triu_indices(row, offset, col)
    return _finish(_np.stack([r, c]).astype((dtype or _dt.int64).np), False, device)
