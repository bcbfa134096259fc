"""Dim handling the reductions share: normalising ``dim``, restoring reduced dims for
gradients, the reduced shape."""

from __future__ import annotations

import builtins as _builtins

from .._util import dims_of as _dims_of


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


def _kept(ctx, grad_output):
    """In the backward of a reduction that saved ``(x, y)`` and noted ``ctx.dims`` and
    ``ctx.keepdim``: ``x``, and the gradient and ``y`` with the reduced dims put back (size 1)
    so they broadcast against ``x``."""
    x, y = ctx.saved_tensors
    shape = x.shape
    return (x, _unsqueeze_to(grad_output, shape, ctx.dims, ctx.keepdim),
            _unsqueeze_to(y, shape, ctx.dims, ctx.keepdim))


def _reduced_shape(shape, dims, keepdim):
    if keepdim:
        return tuple(1 if i in dims else s for i, s in enumerate(shape))
    return tuple(s for i, s in enumerate(shape) if i not in dims)
