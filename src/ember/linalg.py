"""``ember.linalg`` (``torch.linalg``): inverses, determinants, solves, decompositions and
norms, with PyTorch's gradients, named results and errors (``LinAlgError`` for singular or
non positive-definite input).

Example::

    A = ember.randn(3, 3, dtype=ember.float64, requires_grad=True)
    ember.linalg.slogdet(A).logabsdet.backward()   # A.grad == inv(A).mT
"""

from __future__ import annotations

from .ops.linalg.diagonal import diagonal as _diagonal
from .ops.linalg.diagonal import linalg_cross as cross
from .ops.linalg.products import matmul
from .ops.linalg.decompositions import cholesky, cholesky_ex, eigh, eigvalsh, qr, svd, svdvals
from .ops.linalg.norms import matrix_norm, norm, vector_norm
from .ops.linalg.products import multi_dot, vecdot
from .ops.linalg.solve import (
    det, inv, inv_ex, LinAlgError, lstsq, matrix_power, matrix_rank, pinv, slogdet, solve,
    solve_ex
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

from .ops.linalg.decompositions import matrix_exp  # noqa: E402,F401  (API breadth)

from .ops._public import publish as _publish  # noqa: E402

_publish(globals(), __name__)  # every function above: a public entry of the dispatch door
