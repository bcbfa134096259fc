"""``torch.linalg``: inverses, determinants, solves and decompositions, with PyTorch's
gradients (the formulas of PyTorch's FunctionsManual, written in Tensor ops so they can be
differentiated again), PyTorch's named results and its errors.

Real dtypes are the supported case for gradients; complex inputs run forward.
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import Tensor, make, xp_of
from .indexing_ext import named_result


class LinAlgError(RuntimeError):
    """Raised when a matrix is singular or not positive-definite (``torch.linalg.LinAlgError``)."""


# ------------------------------------------------------------------------------- helpers
def _H(t):
    """The conjugate transpose of the last two dims."""
    out = t.transpose(-2, -1)
    return out.conj() if t._data.dtype.kind == "c" else out


_TYPE = {"int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
         "bool": "Bool", "float16": "Half"}


def _check_float(name, A):
    if A._data.dtype.kind not in "fc" or A._data.dtype.name == "float16":
        raise RuntimeError(f"{name}: Expected a floating point or complex tensor as input. Got "
                           f"{_TYPE.get(A._data.dtype.name, A._data.dtype.name)}")


def _check_square(name, A):
    if not isinstance(A, Tensor):
        raise TypeError(f"{name}(): argument 'A' must be Tensor, not {type(A).__name__}")
    d = A._data
    if d.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    if d.shape[-1] != d.shape[-2]:
        raise RuntimeError(f"{name}: A must be batches of square matrices, but they are "
                           f"{d.shape[-2]} by {d.shape[-1]} matrices")
    _check_float(name, A)


def _check_matrix(name, A):
    if A._data.ndim < 2:
        raise RuntimeError(f"{name}: The input tensor A must have at least 2 dimensions.")
    _check_float(name, A)


def _zero_pivot(a):
    """The 1-based index of the first zero pivot of LU with partial pivoting (LAPACK's getrf
    ``info``), or 0."""
    a = a.astype("float64" if a.dtype.kind == "f" else "complex128", copy=True)
    xp = xp_of(a)
    n = a.shape[0]
    first = 0
    for k in range(n):
        p = k + int(xp.argmax(xp.abs(a[k:, k])))
        if a[p, k] == 0:
            first = first or k + 1
            continue
        if p != k:
            a[[k, p]] = a[[p, k]]
        a[k + 1:, k] /= a[k, k]
        a[k + 1:, k + 1:] -= xp.outer(a[k + 1:, k], a[k, k + 1:])
    return first


def _batches(d):
    return d.reshape((-1,) + d.shape[-2:])


def _singular_error(name, d):
    mats = _batches(d)
    for b, m in enumerate(mats):
        info = _zero_pivot(m)
        if info:
            where = f"(Batch element {b}): " if d.ndim > 2 else ""
            return LinAlgError(
                f"{name}: {where}The diagonal element {info} is zero, the inversion could not "
                "be completed because the input matrix is singular."
            )
    return LinAlgError(f"{name}: The input matrix is singular.")


def _eye_like(t, n=None):
    d = t._data
    n = d.shape[-1] if n is None else n
    return make(xp_of(d).eye(n, dtype=d.dtype))


def _tril_mask(t, diag_scale=1.0):
    """A constant lower-triangular mask (diagonal scaled) for Tensor-op formulas."""
    d = t._data
    xp = xp_of(d)
    n = d.shape[-1]
    m = xp.tril(xp.ones((n, n), dtype=d.dtype))
    m[xp.arange(n), xp.arange(n)] = diag_scale
    return make(m)


# ------------------------------------------------------------------------------- inverse
class Inv(Function):
    """Y = A^-1;  dY/dA: gA = -Y^H g Y^H"""

    _builtin = True
    _node_name = "LinalgInvExBackward0"

    @staticmethod
    def forward(ctx, A):
        d = A._data
        xp = xp_of(d)
        try:
            out = make(xp.linalg.inv(d))
        except xp.linalg.LinAlgError:
            raise _singular_error("linalg.inv", d) from None
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        (Y,) = ctx.saved_tensors
        YH = _H(Y)
        return -(YH @ grad_output @ YH)


def inv(A, *, out=None):
    """The inverse of each square matrix in ``A`` (LinAlgError when singular)."""
    _check_square("linalg.inv", A)
    return Inv.apply(A)


def inv_ex(A, *, check_errors=False, out=None):
    _check_square("linalg.inv_ex", A)
    d = A._data
    xp = xp_of(d)
    try:
        return named_result("linalg_inv_ex", ["inverse", "info"],
                            (Inv.apply(A), make(xp.zeros(d.shape[:-2], "int32"))))
    except LinAlgError:
        if check_errors:
            raise
        info = xp.asarray([_zero_pivot(m) for m in _batches(d)], "int32").reshape(d.shape[:-2])
        return named_result("linalg_inv_ex", ["inverse", "info"],
                            (make(xp.full(d.shape, xp.nan, d.dtype)), make(info)))


# ------------------------------------------------------------------------------- determinants
class Det(Function):
    """y = det(A);  dy/dA = g * det(A) * A^-H (the cofactor matrix, via SVD when singular)"""

    _builtin = True
    _node_name = "LinalgDetBackward0"

    @staticmethod
    def forward(ctx, A):
        out = make(xp_of(A._data).asarray(xp_of(A._data).linalg.det(A._data)))
        ctx.save_for_backward(A, out)
        return out

    @staticmethod
    def backward(ctx, grad_output):
        A, det = ctx.saved_tensors
        g = (grad_output * det).unsqueeze(-1).unsqueeze(-1)
        if (det._data == 0).any():
            # PyTorch 2.13 returns zeros for an exactly singular matrix (not the cofactor
            # matrix, the true derivative); we match it
            return g * A * 0
        return g * _H(Inv.apply(A))


def det(A, *, out=None):
    """The determinant of each square matrix in ``A``."""
    _check_square("linalg.det", A)
    return Det.apply(A)


class Slogdet(Function):
    """(sign, log|det A|);  d log|det|/dA = A^-H (sign is not differentiable)"""

    _builtin = True
    _node_name = "LinalgSlogdetBackward0"

    @staticmethod
    def forward(ctx, A):
        xp = xp_of(A._data)
        sign, logabs = xp.linalg.slogdet(A._data)
        s = make(xp.asarray(sign, dtype=A._data.dtype))
        ctx.mark_non_differentiable(s)
        ctx.save_for_backward(A)
        return s, make(xp.asarray(logabs, dtype=A._data.real.dtype))

    @staticmethod
    def backward(ctx, grad_sign, grad_logabs):
        (A,) = ctx.saved_tensors
        return grad_logabs.unsqueeze(-1).unsqueeze(-1) * _H(Inv.apply(A))


def slogdet(A, *, out=None):
    """``(sign, logabsdet)`` with ``det(A) = sign * exp(logabsdet)``."""
    _check_square("linalg.slogdet", A)
    s, l_ = Slogdet.apply(A)
    return named_result("linalg_slogdet", ["sign", "logabsdet"], (s, l_))


def _slogdet_torch(input):
    _check_square("linalg.slogdet", input)
    s, l_ = Slogdet.apply(input)
    return named_result("slogdet", ["sign", "logabsdet"], (s, l_))


def logdet(input):
    """log(det(A)) (nan for a negative determinant)."""
    s, l_ = Slogdet.apply(input)
    from .elementwise import where

    return where(s < 0, float("nan"), where(s == 0, float("-inf"), l_))


# ------------------------------------------------------------------------------- solve
class Solve(Function):
    """X = A^-1 B;  gB = A^-H g, gA = -gB X^H"""

    _builtin = True
    _edges = (0, 1)
    _node_name = "LinalgSolveExBackward0"

    @staticmethod
    def forward(ctx, A, B):
        xp = xp_of(A._data)
        try:
            X = make(xp.linalg.solve(A._data, B._data))
        except xp.linalg.LinAlgError:
            raise LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None
        ctx.save_for_backward(A, X)
        return X

    @staticmethod
    def backward(ctx, grad_output):
        A, X = ctx.saved_tensors
        gB = Solve.apply(_H(A), grad_output)
        gA = -(gB @ _H(X)) if ctx.needs_input_grad[0] else None
        return gA, gB if ctx.needs_input_grad[1] else None


def solve(A, B, *, left=True, out=None):
    """The solution X of ``A X = B`` (``X A = B`` with ``left=False``); B may be a vector."""
    _check_square("linalg.solve", A)
    a, b = A._data, B._data
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"linalg.solve: Expected A and B to have the same dtype, but found A of type "
            f"{A.dtype} and B of type {B.dtype} instead"
        )
    if not left:
        return solve(_H(A), _H(B)).transpose(-2, -1) if b.dtype.kind != "c" else \
            _H(solve(_H(A), _H(B)))
    vector = b.ndim == 1 or (b.ndim == a.ndim - 1 and b.shape == a.shape[:-1])
    rows = b.shape[-1] if vector else b.shape[-2]
    if rows != a.shape[-1]:
        shp = f"{b.shape[-1]}" if vector else f"{b.shape[-2]}x{b.shape[-1]}"
        raise RuntimeError(
            f"linalg.solve: Incompatible shapes of A and B for the equation "
            f"{'AX = B' if True else ''} ({a.shape[-2]}x{a.shape[-1]} and {shp})"
        )
    if vector:
        return Solve.apply(A, B.unsqueeze(-1)).squeeze(-1)
    return Solve.apply(A, B)


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
        from .shape import cat

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
    from .linalg import diag_embed

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


# ------------------------------------------------------------------------------- pinv, lstsq
class Pinv(Function):
    """A+ (Moore-Penrose);  PyTorch's pinv_backward"""

    _builtin = True
    _node_name = "LinalgPinvBackward0"

    @staticmethod
    def forward(ctx, A, atol, rtol, hermitian):
        d = A._data
        xp = xp_of(d)
        m, n = d.shape[-2], d.shape[-1]
        if d.size == 0:
            out = xp.zeros(d.shape[:-2] + (n, m), d.dtype)
        else:
            U, S, Vh = xp.linalg.svd(d, full_matrices=False)
            smax = S[..., :1] if S.shape[-1] else S
            if rtol is None:
                rtol = 0.0 if atol not in (None, 0) else xp.finfo(d.dtype).eps * max(m, n)
            tol = xp.maximum(atol or 0.0, rtol * smax)
            Sinv = xp.where(S > tol, 1.0 / xp.where(S > tol, S, 1), 0).astype(S.dtype)
            out = (_conjT(Vh) * Sinv[..., None, :]) @ _conjT(U)
        res = make(out.astype(d.dtype, copy=False))
        ctx.save_for_backward(A, res)
        return res

    @staticmethod
    def backward(ctx, grad):
        A, pinvA = ctx.saved_tensors
        m, n = A._data.shape[-2], A._data.shape[-1]
        pinvAh = _H(pinvA)
        gradh = _H(grad)
        if m <= n:
            K = gradh @ pinvA
            KpinvAh = K @ pinvAh
            gA = -_H(pinvA @ K) + KpinvAh - (A @ pinvA) @ KpinvAh + \
                (pinvAh @ pinvA) @ (gradh - K @ A)
        else:
            K = pinvA @ gradh
            pinvAhK = pinvAh @ K
            gA = -_H(K @ pinvA) + (gradh - A @ K) @ pinvA @ pinvAh + pinvAhK - \
                pinvAhK @ pinvA @ A
        return gA, None, None, None


def _conjT(a):
    out = a.swapaxes(-1, -2)
    return out.conj() if out.dtype.kind == "c" else out


def pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse; singular values below
    ``max(atol, rtol * largest)`` count as zero."""
    d = A._data
    if d.ndim < 2 or d.dtype.kind not in "fc":
        raise RuntimeError(
            f"linalg.pinv({A.dtype.name.capitalize()}{{{list(d.shape)}}}): expected a tensor "
            "with 2 or more dimensions of float, double, cfloat or cdouble types"
        )
    if isinstance(atol, Tensor):
        atol = float(atol)
    if isinstance(rtol, Tensor):
        rtol = float(rtol)
    return Pinv.apply(A, atol, rtol, hermitian)


def lstsq(A, B, rcond=None, *, driver=None):
    """``(solution, residuals, rank, singular_values)`` of min ||A X - B||; the solution is
    differentiable (through the pseudo-inverse, as in PyTorch)."""
    _check_matrix("linalg.lstsq", A)
    a, b = A._data, B._data
    xp = xp_of(a)
    drivers = ("gels", "gelsy", "gelsd", "gelss")
    if driver is not None and driver not in drivers:
        raise RuntimeError("torch.linalg.lstsq: parameter `driver` should be one of "
                           "(gels, gelsy, gelsd, gelss)")
    vector = b.ndim == a.ndim - 1
    if vector:
        B = B.unsqueeze(-1)
        b = B._data
    if b.shape[-2] != a.shape[-2]:
        raise RuntimeError(
            "torch.linalg.lstsq: input.size(-2) should match other.size(-2)"
        )
    m, n = a.shape[-2], a.shape[-1]
    driver = driver or "gelsy"
    rtol = rcond if rcond is not None else None
    X = Pinv.apply(A, None, rtol, False) @ B
    S = xp.linalg.svd(a, compute_uv=False) if a.size else xp.zeros(a.shape[:-2] + (0,))
    eps = xp.finfo(a.dtype).eps * max(m, n) if rcond is None else rcond
    tol = eps * (S[..., :1] if S.shape[-1] else 0)
    rank = (S > tol).sum(-1).astype("int64")
    full_rank = bool((rank == min(m, n)).all())
    empty = make(xp.zeros((0,), a.real.dtype))
    if driver != "gelsy" and m > n and full_rank:
        r = a @ X._data - b
        residuals = make((abs(r) ** 2).sum(-2).astype(a.real.dtype))
    else:
        residuals = empty
    rank_t = make(xp.asarray(rank)) if driver != "gels" else make(xp.zeros((0,), "int64"))
    sv = make(S.astype(a.real.dtype)) if driver in ("gelsd", "gelss") else empty
    if vector:
        X = X.squeeze(-1)
    return named_result("linalg_lstsq", ["solution", "residuals", "rank", "singular_values"],
                        (X, residuals, rank_t, sv))


# ------------------------------------------------------------------------------- powers, rank
def matrix_power(A, n):
    """A multiplied by itself ``n`` times (``n < 0``: powers of the inverse; 0: identity)."""
    _check_square("linalg.matrix_power", A) if A._data.dtype.kind in "fc" else None
    d = A._data
    if d.ndim < 2 or d.shape[-1] != d.shape[-2]:
        _check_square("linalg.matrix_power", A)
    n = int(n)
    if n == 0:
        xp = xp_of(d)
        return make(xp.broadcast_to(xp.eye(d.shape[-1], dtype=d.dtype), d.shape).copy())
    if n < 0:
        A = inv(A)
        n = -n
    result = None
    base = A
    while n:
        if n & 1:
            result = base if result is None else result @ base
        n >>= 1
        if n:
            base = base @ base
    return result


def matrix_rank(A, *, atol=None, rtol=None, hermitian=False, out=None, tol=None):
    """How many singular values exceed ``max(atol, rtol * largest)``."""
    _check_matrix("linalg.matrix_rank", A)
    d = A._data
    xp = xp_of(d)
    if tol is not None:
        atol, rtol = tol, 0.0
    m, n = d.shape[-2], d.shape[-1]
    S = xp.abs(xp.linalg.eigvalsh(d)) if hermitian else xp.linalg.svd(d, compute_uv=False)
    if S.shape[-1] == 0:
        return make(xp.zeros(d.shape[:-2], "int64"))
    smax = S.max(-1, keepdims=True)
    a = float(atol) if atol is not None else 0.0
    if rtol is None:
        r = 0.0 if atol is not None and a > 0 else xp.finfo(d.dtype).eps * max(m, n)
    else:
        r = float(rtol)
    tol_ = xp.maximum(a, r * smax)
    return make((S > tol_).sum(-1).astype("int64"))


# ------------------------------------------------------------------------------- small extras
def multi_dot(tensors, *, out=None):
    """The chained matrix product (first/last may be 1-D vectors)."""
    ts = list(tensors)
    if len(ts) < 2:
        raise RuntimeError(f"multi_dot(): expected at least 2 tensors but got {len(ts)}")
    res = ts[0]
    for t in ts[1:]:
        res = res @ t
    return res


def vecdot(x, y, *, dim=-1, out=None):
    """sum(conj(x) * y) over ``dim`` (broadcasting)."""
    if x._data.dtype.kind == "c":
        x = x.conj()
    return (x * y).sum(dim)


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):
    from .linalg import diagonal

    return diagonal(A, offset, dim1, dim2)


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


def solve_ex(A, B, *, left=True, check_errors=False, out=None):
    xp = xp_of(A._data)
    X = solve(A, B, left=left)
    return named_result("linalg_solve_ex", ["result", "info"],
                        (X, make(xp.zeros(A._data.shape[:-2], "int32"))))


# ------------------------------------------------------------------------------- torch.* aliases
def inverse(input, *, out=None):
    return inv(input)


def pinverse(input, rcond=1e-15):
    return pinv(input, rtol=rcond)


def svd_legacy(input, some=True, compute_uv=True, *, out=None):
    """torch.svd: ``(U, S, V)`` (V, not Vh; reduced unless ``some=False``)."""
    U, S, Vh = SVD.apply(input, not some)
    return named_result("svd", ["U", "S", "V"], (U, S, _H(Vh)))


def qr_legacy(input, some=True, *, out=None):
    Q, R = qr(input, "reduced" if some else "complete")
    return named_result("qr", ["Q", "R"], (Q, R))


def cholesky_legacy(input, upper=False, *, out=None):
    return cholesky(input, upper=upper)


def inner(input, other, *, out=None):
    """sum over the last dims of ``input`` and ``other`` (a scalar product for 0-d inputs)."""
    if input._data.ndim == 0 or other._data.ndim == 0:
        return input * other
    from .linalg import tensordot

    return tensordot(input, other, ([-1], [-1]))


def chain_matmul(*matrices, out=None):
    return multi_dot(matrices)


# ------------------------------------------------------------------------------- removed APIs
# torch.solve / torch.lstsq / torch.matrix_rank (and the Tensor methods) still exist in
# PyTorch 2.13 only to raise this error; ember raises the same.
_REMOVED = "This function was deprecated since version 1.9 and is now removed. "


def solve_removed(*args, **kwargs):
    raise RuntimeError(
        _REMOVED + "`torch.solve` is deprecated in favor of `torch.linalg.solve`. "
        "`torch.linalg.solve` has its arguments reversed and does not return the LU "
        "factorization.\n\nTo get the LU factorization see `torch.lu`, which can be used with "
        "`torch.lu_solve` or `torch.lu_unpack`.\nX = torch.solve(B, A).solution should be "
        "replaced with:\nX = torch.linalg.solve(A, B)"
    )


def lstsq_removed(*args, **kwargs):
    raise RuntimeError(
        _REMOVED + "`torch.lstsq` is deprecated in favor of `torch.linalg.lstsq`.\n"
        "`torch.linalg.lstsq` has reversed arguments and does not return the QR decomposition "
        "in the returned tuple (although it returns other information about the problem).\n\n"
        "To get the QR decomposition consider using `torch.linalg.qr`.\n\nThe returned "
        "solution in `torch.lstsq` stored the residuals of the solution in the last m - n "
        "columns of the returned value whenever m > n. In torch.linalg.lstsq, the residuals "
        "are in the field 'residuals' of the returned named tuple.\n\nThe unpacking of the "
        "solution, as in\nX, _ = torch.lstsq(B, A).solution[:A.size(1)]\nshould be replaced "
        "with:\nX = torch.linalg.lstsq(A, B).solution"
    )


def matrix_rank_removed(*args, **kwargs):
    raise RuntimeError(
        _REMOVED.rstrip() + "\nPlease use the `torch.linalg.matrix_rank` function instead. The "
        "parameter 'symmetric' was renamed in `torch.linalg.matrix_rank()` to 'hermitian'."
    )


from .linalg_norms import VectorNorm, matrix_norm, norm, vector_norm  # noqa: E402,F401
