"""Decompositions: cholesky, qr, svd, svdvals, eigh, eigvalsh (with their backward formulas),
cholesky_solve, cholesky_inverse, matrix_exp, adjoint and the legacy torch.* forms."""

from __future__ import annotations

import math

from ...autograd.function import Function
from ...backend import xp_of
from .._util import make
from ..return_types import named_result
from .solve import (
    _batches, _check_matrix, _check_square, _eye_like, _H, _tril_mask, Inv, LinAlgError, Solve
)


# ------------------------------------------------------------------------------- cholesky
class Cholesky(Function):
    """L with A = L L^H;  gA = sym(L^-H Phi(L^H gL) L^-1), Phi = tril with halved diagonal"""

    _builtin = True
    _node_name = "LinalgCholeskyExBackward0"

    @staticmethod
    def forward(ctx, A):
        d = A._data
        xp = xp_of(d)
        try:
            L = make(xp.linalg.cholesky(d))
        except xp.linalg.LinAlgError:
            raise _not_pd_error(d) from None
        ctx.save_for_backward(L)
        return L

    @staticmethod
    def backward(ctx, grad_output):
        (L,) = ctx.saved_tensors
        phi = (_H(L) @ grad_output) * _tril_mask(L, 0.5)
        Linv = Inv.apply(L)
        gA = _H(Linv) @ phi @ Linv
        return (gA + _H(gA)) * 0.5


def _not_pd_error(d):
    xp = xp_of(d)
    for b, m in enumerate(_batches(d)):
        for k in range(1, m.shape[-1] + 1):
            try:
                xp.linalg.cholesky(m[:k, :k])
            except xp.linalg.LinAlgError:
                where = f"(Batch element {b}): " if d.ndim > 2 else ""
                return LinAlgError(
                    f"linalg.cholesky: {where}The factorization could not be completed because "
                    f"the input is not positive-definite (the leading minor of order {k} is not "
                    "positive-definite)."
                )
    return LinAlgError("linalg.cholesky: The factorization could not be completed because the "
                       "input is not positive-definite.")


def cholesky(A, *, upper=False, out=None):
    """The lower (or ``upper``) Cholesky factor of each Hermitian positive-definite matrix."""
    _check_square("linalg.cholesky", A)
    L = Cholesky.apply(A)
    return _H(L) if upper else L


# ------------------------------------------------------------------------------- QR
def _copyltu(M):
    """tril(M) mirrored to the upper triangle."""
    low = M * _tril_mask(M, 1.0)
    strict = M * _tril_mask(M, 0.0)
    return low + _H(strict)


def _qr_backward_tall(gQ, gR, Q, R):
    M = R @ _H(gR) - _H(gQ) @ Q
    b = gQ + Q @ _copyltu(M)
    return _H(Solve.apply(R, _H(b)))


class QR(Function):
    """A = Q R;  gA = [gQ + Q copyltu(M)] R^-H with M = R gR^H - gQ^H Q (m >= n), and the
    split [X | Y] rule for wide matrices"""

    _builtin = True
    _node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, A, mode):
        xp = xp_of(A._data)
        Q, R = xp.linalg.qr(A._data, mode=mode)
        Q, R = make(Q), make(R)
        ctx.mode = mode
        ctx.save_for_backward(A, Q, R)
        return Q, R

    @staticmethod
    def backward(ctx, gQ, gR):
        A, Q, R = ctx.saved_tensors
        m, n = A._data.shape[-2], A._data.shape[-1]
        if ctx.mode == "complete" and m > n:
            raise RuntimeError("The QR decomposition is not differentiable when mode='complete' "
                               "and nrows > ncols.")
        if m >= n:
            return _qr_backward_tall(gQ, gR, Q, R), None
        Y = A[..., m:]
        U = R[..., :m]
        gU, gV = gR[..., :m], gR[..., m:]
        gX = _qr_backward_tall(gQ + Y @ _H(gV), gU, Q, U)
        gY = Q @ gV
        from ..shape.join import cat

        return cat([gX, gY], -1), None


class QROnlyR(Function):
    """mode='r': R only; not differentiable (PyTorch's message)"""

    _builtin = True
    _node_name = "LinalgQrBackward0"

    @staticmethod
    def forward(ctx, A):
        return make(xp_of(A._data).linalg.qr(A._data, mode="r"))

    @staticmethod
    def backward(ctx, gR):
        raise RuntimeError(
            "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
            "Please use linalg.qr(A, mode='reduced') if you are going to differentiate through "
            "linalg.qr."
        )


def qr(A, mode="reduced", *, out=None):
    """``(Q, R)`` with ``A = Q R``; ``mode`` is 'reduced', 'complete' or 'r' (R only)."""
    _check_matrix("linalg.qr", A)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(f"qr received unrecognized mode '{mode}' but expected one of "
                           "'reduced' (default), 'r', or 'complete'")
    if mode == "r":
        R = QROnlyR.apply(A)
        return named_result("linalg_qr", ["Q", "R"],
                            (make(xp_of(A._data).zeros((0,), A._data.dtype)), R))
    Q, R = QR.apply(A, mode)
    return named_result("linalg_qr", ["Q", "R"], (Q, R))


# ------------------------------------------------------------------------------- SVD
class SVD(Function):
    """A = U diag(S) Vh;  PyTorch's svd_backward (gauge-invariant for real inputs)"""

    _builtin = True
    _node_name = "LinalgSvdBackward0"

    @staticmethod
    def forward(ctx, A, full_matrices):
        xp = xp_of(A._data)
        d = A._data
        try:
            U, S, Vh = xp.linalg.svd(d, full_matrices=full_matrices)
        except xp.linalg.LinAlgError:
            raise LinAlgError("linalg.svd: The algorithm failed to converge because the input "
                              "matrix is ill-conditioned or has too many repeated singular "
                              "values.") from None
        U, S, Vh = make(U), make(S.astype(d.real.dtype)), make(Vh)
        ctx.full = full_matrices
        ctx.save_for_backward(U, S, Vh)
        return U, S, Vh

    @staticmethod
    def backward(ctx, gU, gS, gVh):
        U, S, Vh = ctx.saved_tensors
        m, n = U._data.shape[-2], Vh._data.shape[-1]
        k = S._data.shape[-1]
        if ctx.full:
            U, gU = U[..., :k], gU[..., :k]
            Vh, gVh = Vh[..., :k, :], gVh[..., :k, :]
        V, gV = _H(Vh), _H(gVh)
        S2 = S * S
        E = S2.unsqueeze(-2) - S2.unsqueeze(-1) + _eye_like(S, k)
        UhgU = _H(U) @ gU
        VhgV = _H(V) @ gV
        UhgU = UhgU - _H(UhgU)
        VhgV = VhgV - _H(VhgV)
        gA = (UhgU * S.unsqueeze(-2) + S.unsqueeze(-1) * VhgV) / E
        gA = gA + _diag_embed(gS)
        if m > n:
            gA = U @ gA
            gUSinv = gU / S.unsqueeze(-2)
            gA = gA + gUSinv - U @ (_H(U) @ gUSinv)
            gA = gA @ Vh
        elif m < n:
            gA = gA @ Vh
            gVSinv = gV / S.unsqueeze(-2)
            gA = gA + _H(gVSinv) - (_H(gVSinv) @ V) @ Vh
            gA = U @ gA
        else:
            gA = U @ gA @ Vh
        return gA, None


def _diag_embed(t):
    from .diagonal import diag_embed

    return diag_embed(t)


def svd(A, full_matrices=True, *, driver=None, out=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``."""
    _check_matrix("linalg.svd", A)
    U, S, Vh = SVD.apply(A, bool(full_matrices))
    return named_result("linalg_svd", ["U", "S", "Vh"], (U, S, Vh))


def svdvals(A, *, driver=None, out=None):
    """The singular values of ``A``, in descending order."""
    _check_matrix("linalg.svdvals", A)
    if not A._requires_grad:
        xp = xp_of(A._data)
        return make(xp.linalg.svd(A._data, compute_uv=False).astype(A._data.real.dtype))
    return SVD.apply(A, False)[1]


# ------------------------------------------------------------------------------- eigh
class Eigh(Function):
    """A = V diag(L) V^H;  gA = V (skew(V^H gV)/2 / E + diag(gL)) V^H, E_ij = L_j - L_i"""

    _builtin = True
    _node_name = "LinalgEighBackward0"

    @staticmethod
    def forward(ctx, A, UPLO):
        xp = xp_of(A._data)
        L, V = xp.linalg.eigh(A._data, UPLO=UPLO)
        L, V = make(L.astype(A._data.real.dtype)), make(V)
        ctx.save_for_backward(L, V)
        return L, V

    @staticmethod
    def backward(ctx, gL, gV):
        L, V = ctx.saved_tensors
        n = L._data.shape[-1]
        VhgV = _H(V) @ gV
        VhgV = (VhgV - _H(VhgV)) * 0.5
        E = L.unsqueeze(-2) - L.unsqueeze(-1) + _eye_like(L, n)
        inner = VhgV / E + _diag_embed(gL)
        return V @ inner @ _H(V), None


def eigh(A, UPLO="L", *, out=None):
    """``(eigenvalues, eigenvectors)`` of each Hermitian matrix (ascending eigenvalues)."""
    _check_square("linalg.eigh", A)
    L, V = Eigh.apply(A, UPLO)
    return named_result("linalg_eigh", ["eigenvalues", "eigenvectors"], (L, V))


def eigvalsh(A, UPLO="L", *, out=None):
    """The eigenvalues of each Hermitian matrix, ascending."""
    _check_square("linalg.eigvalsh", A)
    if not A._requires_grad:
        xp = xp_of(A._data)
        return make(xp.linalg.eigvalsh(A._data, UPLO=UPLO).astype(A._data.real.dtype))
    return Eigh.apply(A, UPLO)[0]


def cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    _check_square("linalg.cholesky_ex", A)
    xp = xp_of(A._data)
    try:
        L = cholesky(A, upper=upper)
        info = make(xp.zeros(A._data.shape[:-2], "int32"))
    except LinAlgError:
        if check_errors:
            raise
        L = make(xp.zeros_like(A._data))
        info = make(xp.ones(A._data.shape[:-2], "int32"))
    return named_result("linalg_cholesky_ex", ["L", "info"], (L, info))


def svd_legacy(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: ``(U, S, V)`` (V, not Vh; reduced unless ``some=False``)."""
    U, S, Vh = SVD.apply(input, not some)
    return named_result("svd", ["U", "S", "V"], (U, S, _H(Vh)))


def qr_legacy(input, some=True, *, out=None):
    Q, R = qr(input, "reduced" if some else "complete")
    return named_result("qr", ["Q", "R"], (Q, R))


def cholesky_legacy(input, upper=False, *, out=None):
    return cholesky(input, upper=upper)


# ------------------------------------------------------------------------------- matrix_exp
def matrix_exp(A):
    """``exp(A)`` of square matrices (batched): Taylor series of degree 18 after scaling by
    ``2**-s`` so that ``||A / 2**s||_1 <= 1/2``, then ``s`` squarings. Written in matmuls, so
    its gradient is the exact derivative of the (double-precision-accurate) approximation."""
    d = A._data
    if d.ndim < 2 or d.shape[-1] != d.shape[-2]:
        raise RuntimeError("linalg.matrix_exp: A must be batches of square matrices, but they "
                           f"are {d.shape[-2] if d.ndim >= 2 else d.size} by "
                           f"{d.shape[-1] if d.ndim else 1} matrices")
    if d.dtype.kind not in "fc":
        raise RuntimeError("linalg.matrix_exp: Expected a floating point or complex tensor as "
                           f"input. Got {A.dtype}")
    xp = xp_of(d)
    n = d.shape[-1]
    if d.size == 0:
        return A.clone()
    norm = float(xp.abs(d).sum(-2).max()) if d.size else 0.0
    s = max(0, int(math.ceil(math.log2(norm / 0.5)))) if norm > 0.5 and math.isfinite(norm) \
        else 0
    from ..factories import eye

    eye_n = eye(n, dtype=A.dtype, device=A.device)
    X = A / (2.0 ** s) if s else A
    E = eye_n + X / 18.0
    for k in range(17, 0, -1):
        E = eye_n + X.matmul(E) / float(k)
    for _ in range(s):
        E = E.matmul(E)
    return E


# --------------------------------------------------------------------------- linalg extras
def adjoint(input):
    """The conjugate transpose of the last two dims (a view for real tensors)."""
    if input._data.ndim < 2:
        raise RuntimeError("tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 1-D tensor." if input._data.ndim == 1 else
                           "tensor.adjoint() is only supported on matrices or batches of "
                           "matrices. Got 0-D tensor.")
    t = input.transpose(-2, -1)
    return t.conj() if input.is_complex() else t


def cholesky_solve(B, L, upper=False, *, out=None):
    """The solution ``X`` of ``A X = B`` where ``A = L L^H`` (``U^H U`` when ``upper``)."""
    from .solve import solve

    A = adjoint(L).matmul(L) if upper else L.matmul(adjoint(L))
    res = solve(A, B)
    return res if out is None else out.copy_(res)


def cholesky_inverse(L, upper=False, *, out=None):
    """The inverse of ``A = L L^H`` (``U^H U`` when ``upper``) from its Cholesky factor."""
    from .solve import inv

    A = adjoint(L).matmul(L) if upper else L.matmul(adjoint(L))
    res = inv(A)
    return res if out is None else out.copy_(res)
