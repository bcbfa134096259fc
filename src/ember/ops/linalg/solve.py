"""Inverses, determinants and solvers: inv, det, slogdet, logdet, solve, pinv, lstsq,
matrix_power, matrix_rank, their ``*_ex`` forms, the torch.* aliases and the removed APIs'
errors."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make
from ..return_types import named_result


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
    from ..pointwise.clamp import where

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
