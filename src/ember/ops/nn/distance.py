"""Distances: cdist, dist, cosine_similarity, pairwise_distance."""

from __future__ import annotations

from ...tensor import Tensor
from .._util import _quiet as quiet
from .._util import make, xp_of
from ..pointwise.rounding import abs
from ..shape.views import broadcast_tensors


# ---------------------------------------------------------------------------------- distances
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The ``p``-norm distance between each row of ``x1`` (…, P, M) and of ``x2`` (…, R, M):
    a (…, P, R) tensor. ember always computes the differences directly (PyTorch may use a
    matmul expansion for p = 2 on large inputs; the values agree to rounding)."""
    from ..linalg.norms import vector_norm

    if x1._data.ndim < 2 or x2._data.ndim < 2:
        raise RuntimeError(f"cdist only supports at least 2D tensors, X1 got: "
                           f"{x1._data.ndim}D")
    if x1._data.shape[-1] != x2._data.shape[-1]:
        raise RuntimeError(f"X1 and X2 must have the same number of columns. X1: "
                           f"{x1._data.shape[-1]} X2: {x2._data.shape[-1]}")
    if p < 0:
        raise RuntimeError(f"cdist only supports non-negative p values, got {p}")
    delta = x1.unsqueeze(-2) - x2.unsqueeze(-3)
    return vector_norm(delta, p, dim=-1)


def dist(input, other, p=2):
    """The ``p``-norm of ``input - other`` (a 0-d tensor)."""
    from ..linalg.norms import vector_norm

    return vector_norm(input - other, p)


def _clamp_delta(a, eps):
    """max(a, eps) - a: added to a norm, it clamps the norm without a gradient through the clamp."""
    with quiet(xp_of(a)):  # inf - inf is nan, silently
        return xp_of(a).maximum(a, eps) - a


def _broadcast(a, b):
    if a.shape == b.shape:
        return a, b
    return broadcast_tensors(a, b)


def _norm(x: Tensor, p, dim, keepdim=False) -> Tensor:
    """The ``p``-norm over ``dim``; floating inputs go through ``vector_norm``, whose backward
    is PyTorch's at a zero vector (0, where sqrt(sum(x*x)) would give nan)."""
    if x._data.dtype.kind in "fc":
        from ..linalg.norms import vector_norm

        return vector_norm(x, p, dim, keepdim)
    if p == 2:
        return (x * x).sum(dim, keepdim=keepdim).sqrt()
    if p == float("inf"):
        return abs(x).max(dim, keepdim=keepdim)[0]
    if p == 1:
        return abs(x).sum(dim, keepdim=keepdim)
    if p == 0:
        return make((x._data != 0).sum(axis=dim, keepdims=keepdim).astype(x._data.dtype))
    return (abs(x) ** p).sum(dim, keepdim=keepdim) ** (1.0 / p)


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """sum(x1 * x2) / (max(||x1||, eps) * max(||x2||, eps)) along ``dim``; the norms are
    clamped without gradient, as in PyTorch."""
    x1, x2 = _broadcast(x1, x2)
    n1 = _norm(x1, 2, dim, keepdim=True)
    n2 = _norm(x2, 2, dim, keepdim=True)
    n1 = n1 + make(_clamp_delta(n1._data, eps))
    n2 = n2 + make(_clamp_delta(n2._data, eps))
    return ((x1 / n1) * (x2 / n2)).sum(dim)


def pairwise_distance(x1: Tensor, x2: Tensor, p: float = 2.0, eps: float = 1e-6,
                      keepdim: bool = False) -> Tensor:
    """||x1 - x2 + eps||_p over the last dimension."""
    return _norm(x1 - x2 + eps, p, -1, keepdim)
