"""``ember.linalg`` norms: vector_norm, matrix_norm, norm; and renorm."""

from __future__ import annotations

from ...autograd.function import grads_flow
from .._util import wrap_dim
from ..pointwise.clamp import where
from ..reduce.norm import VectorNorm  # (one node for torch.norm and linalg.vector_norm)
from .decompositions import svdvals
from .solve import _TYPE


# ------------------------------------------------------------------------------- norms
def vector_norm(x, ord=2, dim=None, keepdim=False, *, dtype=None, out=None):
    """The ``ord``-norm of ``x`` over ``dim`` (all elements when None) as a vector norm."""
    if isinstance(ord, str):
        raise TypeError("linalg_vector_norm(): argument 'ord' must be Number, not str")
    if not grads_flow(x._data.dtype):  # floating or complex, bfloat16 included
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{_TYPE.get(x._data.dtype.name, x._data.dtype.name)}"
        )
    if dtype is not None:
        x = x.to(dtype)
    n = x._data.ndim
    if dim is None:
        dims = tuple(range(n))
    elif isinstance(dim, int):
        dims = (wrap_dim(dim, n),)
    else:
        dims = tuple(wrap_dim(d, n) for d in dim) or tuple(range(n))
    if n == 0:
        dims = ()
    ord = float(ord)
    if x._data.size == 0 and ord < 0 or (x._data.size == 0 and ord == float("inf")):
        raise RuntimeError(
            f"linalg.vector_norm cannot compute the {_fmt_ord(ord)} norm on an empty tensor "
            "because the operation does not have an identity"
        )
    return VectorNorm.apply(x, ord, dims, keepdim)


def _fmt_ord(o):
    if o == float("inf"):
        return "inf"
    if o == float("-inf"):
        return "-inf"
    return str(o)


def matrix_norm(A, ord="fro", dim=(-2, -1), keepdim=False, *, dtype=None, out=None):
    """Matrix norms: 'fro', 'nuc', inf, -inf, 1, -1, 2, -2 over the two dims ``dim``."""
    from ..reduce.minmax import max as _max
    from ..reduce.minmax import min as _min
    from ..shape.rearrange import movedim

    d = A._data
    if d.ndim < 2:
        raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                           "dimensions.")
    if not isinstance(dim, (tuple, list)) or len(dim) != 2:
        raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got "
                           f"{dim if isinstance(dim, int) else ' '.join(map(str, dim))}")
    if dtype is not None:
        A = A.to(dtype)
    d0, d1 = wrap_dim(dim[0], d.ndim), wrap_dim(dim[1], d.ndim)
    if isinstance(ord, str):
        if ord == "fro":
            return vector_norm(A, 2, (d0, d1), keepdim)
        if ord == "nuc":
            S = svdvals(movedim(A, (d0, d1), (-2, -1)))
            r = S.sum(-1)
            return _keep(r, d0, d1, keepdim)
        raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")
    if ord in (2, -2):
        S = svdvals(movedim(A, (d0, d1), (-2, -1)))
        r = (_max if ord == 2 else _min)(S, -1).values
        return _keep(r, d0, d1, keepdim)
    if ord in (1, -1, float("inf"), float("-inf")):
        if ord in (float("inf"), float("-inf")):
            d0, d1 = d1, d0
        s = A.abs().sum(d0, keepdim=True)
        r = (_max if ord > 0 else _min)(s, d1, keepdim=True).values
        if not keepdim:
            r = r.squeeze((d0, d1) if d0 < d1 else (d1, d0))
        return r
    raise RuntimeError(f"linalg.matrix_norm: Order {ord} not supported.")


def _keep(r, d0, d1, keepdim):
    if not keepdim:
        return r
    for dd in sorted((d0, d1)):
        r = r.unsqueeze(dd)
    return r


def norm(A, ord=None, dim=None, keepdim=False, *, dtype=None, out=None):
    """A vector norm (1-D ``dim`` or vector input) or a matrix norm (2-D ``dim`` or matrix
    input with ``ord`` given); with neither ``ord`` nor ``dim``, the 2-norm of all elements."""
    n = A._data.ndim
    if dim is not None:
        dims = (dim,) if isinstance(dim, int) else tuple(dim)
        if len(dims) == 1:
            if isinstance(ord, str):
                raise RuntimeError(f"linalg.norm: If dim is specified, it must be of length 2. "
                                   f"Got {list(dims)}")
            return vector_norm(A, 2 if ord is None else ord, dims, keepdim, dtype=dtype)
        return matrix_norm(A, "fro" if ord is None else ord, dims, keepdim, dtype=dtype)
    if ord is None:
        return vector_norm(A, 2, None, keepdim, dtype=dtype)
    if n not in (1, 2):
        raise RuntimeError(f"linalg.norm: If dim is not specified but ord is, the input must "
                           f"be 1D or 2D. Got {n}D.")
    if n == 1:
        return vector_norm(A, ord, None, keepdim, dtype=dtype)
    return matrix_norm(A, ord, (-2, -1), keepdim, dtype=dtype)


def renorm(input, p, dim, maxnorm):
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to norm
    ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``, PyTorch's factor)."""

    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    n = input._data.ndim
    d = wrap_dim(dim, n)
    others = tuple(i for i in range(n) if i != d)
    norm = vector_norm(input, p, dim=others, keepdim=True) if others else input.abs()
    factor = where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * factor
