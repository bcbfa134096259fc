"""``ember.linalg`` (``torch.linalg``): inverses, determinants, solves, decompositions and
norms, with PyTorch's gradients, named results and errors (``LinAlgError`` for singular or
non positive-definite input).

Example::

    A = ember.randn(3, 3, dtype=ember.float64, requires_grad=True)
    ember.linalg.slogdet(A).logabsdet.backward()   # A.grad == inv(A).mT
"""

from __future__ import annotations

from .ops.linalg import diagonal as _diagonal
from .ops.linalg import linalg_cross as cross
from .ops.linalg import matmul
from .ops.linalg_ext import (
    LinAlgError,
    cholesky,
    cholesky_ex,
    det,
    eigh,
    eigvalsh,
    inv,
    inv_ex,
    lstsq,
    matrix_norm,
    matrix_power,
    matrix_rank,
    multi_dot,
    norm,
    pinv,
    qr,
    slogdet,
    solve,
    solve_ex,
    svd,
    svdvals,
    vecdot,
    vector_norm,
)


def diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    """The diagonals of the matrices in ``A`` (a view); ``torch.diagonal`` with batch-first
    defaults."""
    return _diagonal(A, offset, dim1, dim2)


__all__ = [
    "LinAlgError", "cholesky", "cholesky_ex", "cross", "det", "diagonal", "eigh", "eigvalsh",
    "inv", "inv_ex", "lstsq", "matmul", "matrix_norm", "matrix_power", "matrix_rank",
    "multi_dot", "norm", "pinv", "qr", "slogdet", "solve", "solve_ex", "svd", "svdvals",
    "vecdot", "vector_norm",
]

from .ops.compose_more import matrix_exp  # noqa: E402,F401  (API breadth)
