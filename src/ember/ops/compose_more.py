"""Ops composed from existing differentiable ops (so their gradients, and gradients of
gradients, come from autograd): finite differences and integrals (``diff``, ``trapezoid``),
statistics (``cov``, ``corrcoef``, ``histogram``), distances (``cdist``, ``dist``), matrix
builders (``block_diag``, ``vander``, ``diagflat``, ``cartesian_prod``, ``combinations``),
``renorm``, ``matrix_exp``, and the scatter-into-a-view ops (``slice_scatter``,
``select_scatter``, ``diagonal_scatter``) and ``as_strided`` as Functions.
"""

from __future__ import annotations

import itertools
import math
from collections import namedtuple

from .. import dtypes as _dt
from ..autograd.function import Function
from ._util import Tensor, make, wrap_dim, xp_of

__all__ = [
    "adjoint",
    "as_strided",
    "block_diag",
    "cartesian_prod",
    "cdist",
    "cholesky_inverse",
    "cholesky_solve",
    "combinations",
    "corrcoef",
    "cov",
    "cumulative_trapezoid",
    "diagflat",
    "diagonal_scatter",
    "diff",
    "dist",
    "histogram",
    "isin",
    "matrix_exp",
    "nonzero_static",
    "renorm",
    "select_scatter",
    "slice_scatter",
    "trapezoid",
    "trapz",
    "unravel_index",
    "vander",
]


def _E():
    from . import elementwise

    return elementwise


def _S():
    from . import shape

    return shape


# ------------------------------------------------------------------------------ differences
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``, after concatenating ``prepend`` and
    ``append``; bool tensors use ``!=`` (xor) as PyTorch does."""
    S = _S()
    if input._data.ndim == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = wrap_dim(dim, input._data.ndim)
    parts = [p for p in (prepend, input, append) if p is not None]
    x = S.cat([_expand_like(p, input, d) for p in parts], d) if len(parts) > 1 else input
    for _ in range(n):
        length = x._data.shape[d]
        if length == 0:
            break
        hi = S.narrow(x, d, 1, length - 1)
        lo = S.narrow(x, d, 0, length - 1)
        x = _E().logical_xor(hi, lo) if x._data.dtype.kind == "b" else hi - lo
    return x


def _expand_like(p, input, d):
    if not isinstance(p, Tensor):
        from .creation import tensor

        p = tensor(p, dtype=input.dtype)
    if p._data.ndim == 0:  # a scalar prepend/append is one slice along dim
        shape = list(input._data.shape)
        shape[d] = 1
        return p.expand(*shape)
    return p


# ---------------------------------------------------------------------------------- distances
def cdist(x1, x2, p=2.0, compute_mode="use_mm_for_euclid_dist_if_necessary"):
    """The ``p``-norm distance between each row of ``x1`` (…, P, M) and of ``x2`` (…, R, M):
    a (…, P, R) tensor. ember always computes the differences directly (PyTorch may use a
    matmul expansion for p = 2 on large inputs; the values agree to rounding)."""
    from .linalg_norms import vector_norm

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
    from .linalg_norms import vector_norm

    return vector_norm(input - other, p)


def renorm(input, p, dim, maxnorm):
    """Each slice along ``dim`` whose ``p``-norm exceeds ``maxnorm`` scaled down to norm
    ``maxnorm`` (by ``maxnorm / (norm + 1e-7)``, PyTorch's factor)."""
    from .linalg_norms import vector_norm

    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {maxnorm}")
    n = input._data.ndim
    d = wrap_dim(dim, n)
    others = tuple(i for i in range(n) if i != d)
    norm = vector_norm(input, p, dim=others, keepdim=True) if others else input.abs()
    factor = _E().where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
    return input * factor


def isin(elements, test_elements, *, assume_unique=False, invert=False):
    """Whether each element of ``elements`` is in ``test_elements`` (either may be a number);
    a bool tensor of ``elements``' shape."""
    from .creation import tensor

    if not isinstance(elements, Tensor) and not isinstance(test_elements, Tensor):
        raise TypeError("isin(): expected at least one Tensor argument")
    e = elements._data if isinstance(elements, Tensor) else None
    t = test_elements._data if isinstance(test_elements, Tensor) else None
    xp = xp_of(e if e is not None else t)
    e = xp.asarray(elements) if e is None else e
    t = xp.asarray(test_elements) if t is None else t
    res = xp.isin(e, t, assume_unique=assume_unique, invert=invert)
    return make(xp.asarray(res)) if isinstance(elements, Tensor) else tensor(bool(res))


# --------------------------------------------------------------------------------- statistics
def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (observations in the
    columns), with PyTorch's frequency/analytic weights and ``correction``."""
    if input._data.ndim > 2:
        raise RuntimeError(f"cov(): expected input to have two or fewer dimensions but got an "
                           f"input with {input._data.ndim} dimensions")
    x = input.reshape(1, -1) if input._data.ndim < 2 else input
    if not (x.dtype.is_floating_point or x.dtype.is_complex):
        x = x.to(_dt.get_default_dtype())
    num_obs = x._data.shape[1]
    w = None
    if fweights is not None:
        if fweights._data.dtype.kind not in "iu":
            raise RuntimeError(f"cov(): expected fweights to have integral dtype but got "
                               f"fweights with {fweights.dtype} dtype")
        w = fweights
    if aweights is not None:
        if aweights._data.dtype.kind != "f":
            raise RuntimeError(f"cov(): expected aweights to have floating point dtype but got "
                               f"aweights with {aweights.dtype} dtype")
        if bool((aweights._data < 0).any()):
            raise RuntimeError("cov(): aweights cannot be negative")
        w = aweights if w is None else w * aweights
    if w is None:
        avg = x.mean(1)
        w_sum = num_obs
        norm_factor = w_sum - correction
    else:
        w = w.to(x.dtype) if not w.dtype.is_floating_point else w
        w_sum = w.sum()
        avg = (x * w).sum(1) / w_sum
        if aweights is not None and correction != 0:
            wa = (w * aweights).sum() if fweights is not None else (w * w).sum()
            norm_factor = w_sum - correction * wa / w_sum
        else:
            norm_factor = w_sum - correction
    nf = float(norm_factor) if isinstance(norm_factor, Tensor) else norm_factor
    if nf <= 0:
        import warnings

        warnings.warn("cov(): degrees of freedom is <= 0. Correction should be strictly less "
                      "than the number of observations.", UserWarning, stacklevel=2)
        norm_factor = 0.0 if not isinstance(norm_factor, Tensor) else norm_factor.clamp(min=0)
    xc = x - avg.unsqueeze(1)
    xw = xc if w is None else xc * w
    c = xc.matmul(xw.t().conj() if x.dtype.is_complex else xw.t())
    with _quiet(x):
        out = c / norm_factor
    return out.squeeze()


def _quiet(t):
    xp = xp_of(t._data)
    return xp.errstate(divide="ignore", invalid="ignore")


def corrcoef(input):
    """Pearson correlation coefficients of the variables in the rows of ``input``."""
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    d = c.diagonal()
    std = d.sqrt() if not c.dtype.is_complex else d.real.sqrt()
    c = c / std.unsqueeze(1)
    c = c / std.unsqueeze(0)
    return c.clamp(-1, 1) if not c.dtype.is_complex else c


def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):
    """The histogram of ``input`` (float) over ``bins`` equal bins (or the given edges) in
    ``range`` (default: the data's min and max): a ``(hist, bin_edges)`` pair."""
    from .creation import tensor

    d = input._data
    if d.dtype.kind != "f":
        raise RuntimeError(f"torch.histogram: input tensor and bins tensors should have the same "
                           f"dtype, but got input {input.dtype}")
    xp = xp_of(d)
    b = bins._data if isinstance(bins, Tensor) else bins
    w = None if weight is None else weight._data.reshape(-1)
    if range is not None and not isinstance(bins, Tensor):
        lo, hi = float(range[0]), float(range[1])
    elif not isinstance(bins, Tensor) and d.size:
        lo, hi = float(d.min()), float(d.max())
    else:
        lo = hi = 0.0
    if not isinstance(bins, Tensor):
        if lo == hi:  # PyTorch widens an empty range by one on each side, as NumPy does
            lo, hi = lo - 0.5 if d.size else 0.0, hi + 0.5 if d.size else 1.0
        edges = xp.linspace(lo, hi, int(b) + 1).astype(d.dtype)
    else:
        edges = b
    hist, _ = xp.histogram(d.reshape(-1), bins=edges.astype(xp.float64), weights=w,
                           density=density)
    return _HistResult(tensor(hist.astype(d.dtype)), tensor(edges.astype(d.dtype)))


_HistResult = namedtuple("histogram", ["hist", "bin_edges"])


# ------------------------------------------------------------------------------- builders
def block_diag(*tensors):
    """A block-diagonal matrix from 0-, 1- or 2-d tensors (a 0-d or 1-d tensor is one row)."""
    from .creation import zeros

    mats = []
    for i, t in enumerate(tensors):
        if t._data.ndim > 2:
            raise RuntimeError(f"torch.block_diag: Input tensors must have 2 or fewer "
                               f"dimensions. Input {i} has {t._data.ndim} dimensions")
        mats.append(t.reshape(1, -1) if t._data.ndim < 2 else t)
    if not mats:
        return zeros(1, 0)
    dtype = mats[0].dtype
    for m in mats[1:]:
        dtype = _dt.promote_types(dtype, m.dtype)
    cols = sum(m._data.shape[1] for m in mats)
    rows, left = [], 0
    for m in mats:
        r, c = m._data.shape
        parts = [zeros(r, left, dtype=dtype), m.to(dtype), zeros(r, cols - left - c,
                                                                   dtype=dtype)]
        rows.append(_S().cat(parts, 1))
        left += c
    return _S().cat(rows, 0)


def cartesian_prod(*tensors):
    """The cartesian product of 1-d tensors: one row per combination (``itertools.product``)."""
    from .creation import meshgrid

    for t in tensors:
        if t._data.ndim != 1:
            raise RuntimeError(f"Expect a 1D vector, but got shape {list(t._data.shape)}")
    if len(tensors) == 1:
        return tensors[0]
    grids = meshgrid(*tensors, indexing="ij")
    return _S().stack([g.reshape(-1) for g in grids], 1)


def combinations(input, r=2, with_replacement=False):
    """The length-``r`` combinations of a 1-d tensor's elements, one per row
    (``itertools.combinations`` order)."""
    from .creation import empty, tensor

    if input._data.ndim != 1:
        raise RuntimeError(f"Expect a 1D vector, but got shape {list(input._data.shape)}")
    if r < 0:
        raise RuntimeError(f"Expect a non-negative number, but got {r}")
    if r == 0:
        return empty(0, dtype=input.dtype)
    gen = itertools.combinations_with_replacement if with_replacement else \
        itertools.combinations
    idx = list(gen(range(input._data.shape[0]), r))
    if not idx:
        return empty(0, r, dtype=input.dtype) if r > 1 else empty(0, dtype=input.dtype)
    cols = tensor(idx, dtype=_dt.int64).t()
    if r == 1:
        return input.index_select(0, cols[0])
    return _S().stack([input.index_select(0, c) for c in cols.unbind(0)], 1)


def vander(x, N=None, increasing=False):
    """The Vandermonde matrix of a 1-d tensor: columns ``x**(N-1) ... x**0`` (reversed when
    ``increasing``); integer inputs give int64, as in PyTorch."""
    from .creation import ones
    from .reduction_ext import cumprod

    if x._data.ndim != 1:
        raise RuntimeError("x must be a one-dimensional tensor.")
    n = x._data.shape[0]
    N = n if N is None else N
    if N < 0:
        raise RuntimeError("N must be non-negative.")
    dtype = _dt.promote_types(x.dtype, _dt.int64)
    if N == 0:
        from .creation import empty

        return empty(n, 0, dtype=dtype)
    xx = x.to(dtype)
    first = ones(n, 1, dtype=dtype)
    if N == 1:
        res = first
    else:
        res = cumprod(_S().cat([first, xx.unsqueeze(1).expand(n, N - 1)], 1), 1)
    return res if increasing else res.flip(1)


def diagflat(input, offset=0):
    """A 2-d tensor with the flattened ``input`` on diagonal ``offset``."""
    from .linalg import diag

    return diag(input.reshape(-1), offset)


# ----------------------------------------------------------------------------- integrals
def _dx_along(x, y, d):
    """The spacings of sample points ``x`` broadcast against ``y`` along dim ``d``."""
    dx = diff(x, dim=-1 if x._data.ndim == 1 else d)
    if x._data.ndim == 1:
        shape = [1] * y._data.ndim
        shape[d] = dx._data.shape[0]
        dx = dx.reshape(shape)
    return dx


def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoid rule integral of ``y`` along ``dim``, with sample points ``x`` or a
    constant spacing ``dx`` (default 1)."""
    S = _S()
    d = wrap_dim(dim, y._data.ndim)
    n = y._data.shape[d]
    if isinstance(x, Tensor):
        if n == 0:
            return y.sum(d)
        lo, hi = S.narrow(y, d, 0, n - 1), S.narrow(y, d, 1, n - 1)
        return ((hi + lo) * _dx_along(x, y, d)).sum(d) / 2
    if x is not None:  # trapz(y, dx) positionally
        dx = x
    dx = 1 if dx is None else dx
    if n == 0:
        return y.sum(d) * dx
    return (y.sum(d) - (S.select(y, d, 0) + S.select(y, d, n - 1)) * 0.5) * dx


def trapz(y, x=None, *, dx=None, dim=-1):
    """``trapezoid`` under its older name."""
    return trapezoid(y, x, dx=dx, dim=dim)


def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoid integral of ``y`` along ``dim`` (one element shorter)."""
    from .reduction_ext import cumsum

    S = _S()
    d = wrap_dim(dim, y._data.ndim)
    n = y._data.shape[d]
    if n == 0:
        return y
    lo, hi = S.narrow(y, d, 0, n - 1), S.narrow(y, d, 1, n - 1)
    if isinstance(x, Tensor):
        area = (hi + lo) * _dx_along(x, y, d) / 2
    else:
        if x is not None:
            dx = x
        area = (hi + lo) * ((1 if dx is None else dx) / 2)
    return cumsum(area, d)


# --------------------------------------------------------------------------------- indices
def unravel_index(indices, shape):
    """Flat indices to a tuple of coordinate tensors (int64) for a tensor of ``shape``."""
    from .creation import tensor

    if isinstance(indices, Tensor):
        if indices._data.dtype.kind not in "iu":
            raise TypeError(f"expected 'indices' to be integer dtype, but got "
                            f"{indices.dtype}")
        idx = indices._data
    else:
        if isinstance(indices, float):
            raise TypeError("expected 'indices' to be integer dtype, but got torch.float32")
        idx = xp_of(None).asarray(indices)
    shape = (shape,) if isinstance(shape, int) else tuple(int(s) for s in shape)
    if any(s < 0 for s in shape):
        raise ValueError("'shape' cannot have negative values, but got " + str(tuple(shape)))
    xp = xp_of(idx)
    total = math.prod(shape)
    if idx.size and (int(idx.min()) < -total or int(idx.max()) >= total):
        raise RuntimeError("'indices' must be in range [-"
                           f"{total}, {total - 1}]" if total else "'indices' must be in range")
    idx = xp.where(idx < 0, idx + total, idx)
    coords = xp.unravel_index(idx.astype(xp.int64), shape) if shape else ()
    return tuple(tensor(xp.asarray(c, dtype=xp.int64)) for c in coords)


def nonzero_static(input, *, size, fill_value=-1):
    """``nonzero`` padded with ``fill_value`` (or truncated) to exactly ``size`` rows."""
    from .creation import full, tensor

    d = input._data
    xp = xp_of(d)
    nz = xp.argwhere(d)
    if nz.shape[0] >= size:
        return tensor(nz[:size].astype(xp.int64))
    out = full((size, d.ndim), fill_value, dtype=_dt.int64)
    out._data[: nz.shape[0]] = nz
    return out


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
    from .creation import eye

    eye_n = eye(n, dtype=A.dtype)
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
    from .linalg_ext import solve

    A = adjoint(L).matmul(L) if upper else L.matmul(adjoint(L))
    res = solve(A, B)
    return res if out is None else out.copy_(res)


def cholesky_inverse(L, upper=False, *, out=None):
    """The inverse of ``A = L L^H`` (``U^H U`` when ``upper``) from its Cholesky factor."""
    from .linalg_ext import inv

    A = adjoint(L).matmul(L) if upper else L.matmul(adjoint(L))
    res = inv(A)
    return res if out is None else out.copy_(res)


# ----------------------------------------------------------------- scatter into a view of a copy
class _ScatterIntoView(Function):
    """y = input with view(y) replaced by src;
    d/dinput = grad with view zeroed, d/dsrc = view(grad)"""

    _builtin = True

    @staticmethod
    def forward(ctx, input, src, params):
        cls, params = params[0], params[1:]  # the subclass travels in params (no ctx on the
        d = input._data                         # no-grad fast path)
        sd = src._data
        region = cls._array_view(xp_of(d), d, params)
        if tuple(region.shape) != tuple(sd.shape):
            raise RuntimeError(f"expected src to have a size equal to the slice of self. src "
                               f"size = {list(sd.shape)}, slice size = {list(region.shape)}")
        out = d.copy()
        cls._write(xp_of(d), out, params, sd)
        ctx.params = (cls,) + params
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        from .creation import zeros_like

        cls = ctx.params[0]
        gi = gs = None
        view = cls._tensor_view(grad_output, ctx.params[1:])
        if ctx.needs_input_grad[0]:
            gi = cls.apply(grad_output, zeros_like(view), ctx.params)
        if ctx.needs_input_grad[1]:
            gs = view
        return gi, gs, None


class SliceScatter(_ScatterIntoView):
    """y = input with y[..., start:end:step, ...] (in dim) = src"""

    _node_name = "SliceScatterBackward0"

    @staticmethod
    def _index(ndim, params):
        dim, start, end, step = params
        return (slice(None),) * dim + (slice(start, end, step),)

    @classmethod
    def _array_view(cls, xp, d, params):
        return d[cls._index(d.ndim, params)]

    @classmethod
    def _write(cls, xp, out, params, src):
        out[cls._index(out.ndim, params)] = src

    @classmethod
    def _tensor_view(cls, t, params):
        return t[cls._index(t._data.ndim, params)]


class SelectScatter(_ScatterIntoView):
    """y = input with y.select(dim, index) = src"""

    _node_name = "SelectScatterBackward0"

    @staticmethod
    def _array_view(xp, d, params):
        dim, index = params
        return d[(slice(None),) * dim + (index,)]

    @staticmethod
    def _write(xp, out, params, src):
        dim, index = params
        out[(slice(None),) * dim + (index,)] = src

    @staticmethod
    def _tensor_view(t, params):
        return t.select(*params)


class DiagonalScatter(_ScatterIntoView):
    """y = input with y.diagonal(offset, dim1, dim2) = src"""

    _node_name = "DiagonalScatterBackward0"

    @staticmethod
    def _array_view(xp, d, params):
        return xp.diagonal(d, *params)

    @staticmethod
    def _write(xp, out, params, src):
        offset, d1, d2 = params
        moved = xp.moveaxis(out, (d1, d2), (-2, -1))  # a writable view of out
        r, c = moved.shape[-2:]
        k = max(0, min(r - max(0, -offset), c - max(0, offset)))
        i = xp.arange(k) + max(0, -offset)
        moved[..., i, i + offset] = src

    @staticmethod
    def _tensor_view(t, params):
        return t.diagonal(*params)


def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """A copy of ``input`` with ``src`` written into the slice ``start:end:step`` of ``dim``."""
    d = wrap_dim(dim, input._data.ndim)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    return SliceScatter.apply(input, src, (SliceScatter, d, start, end, step))


def select_scatter(input, src, dim, index):
    """A copy of ``input`` with ``src`` written into ``input.select(dim, index)``."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if index < -size or index >= size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(input._data.shape)} at dimension {d}")
    return SelectScatter.apply(input, src, (SelectScatter, d, index % size))


def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """A copy of ``input`` with ``src`` written into its ``diagonal(offset, dim1, dim2)``."""
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return DiagonalScatter.apply(input, src, (DiagonalScatter, int(offset), d1, d2))


# ------------------------------------------------------------------------------- as_strided
class AsStrided(Function):
    """y[i] = flat(x)[offset + sum(i_k * stride_k)];  d/dx = those gradients summed back"""

    _builtin = True
    _node_name = "AsStridedBackward0"

    @staticmethod
    def forward(ctx, x, size, stride, offset):
        d = x._data
        xp = xp_of(d)
        flat = d.reshape(-1)
        need = offset + sum((s - 1) * st for s, st in zip(size, stride)) + 1 \
            if all(s > 0 for s in size) else 0
        if need > flat.size:
            raise RuntimeError(f"setStorage: sizes {list(size)}, strides {list(stride)}, storage "
                               f"offset {offset}, and itemsize {d.itemsize} requiring a storage "
                               f"size of {need * d.itemsize} are out of bounds for storage of "
                               f"size {flat.size * d.itemsize}")
        item = flat.strides[0] if flat.ndim else d.itemsize
        y = xp.lib.stride_tricks.as_strided(flat[offset:], tuple(size),
                                            tuple(st * item for st in stride), writeable=False)
        ctx.meta = (d.shape, size, stride, offset, flat.size)
        return make(y)

    @staticmethod
    def backward(ctx, grad_output):
        from .creation import tensor, zeros

        shape, size, stride, offset, n = ctx.meta
        xp = xp_of(grad_output._data)
        base = xp.arange(n, dtype=xp.int64)
        idx = xp.lib.stride_tricks.as_strided(base[offset:], tuple(size),
                                              tuple(st * 8 for st in stride))
        flat_idx = tensor(xp.ascontiguousarray(idx).reshape(-1))
        g = zeros(n, dtype=grad_output.dtype).index_add(0, flat_idx, grad_output.reshape(-1))
        return g.reshape(shape), None, None, None


def as_strided(input, size, stride, storage_offset=None):
    """A tensor of ``size`` reading ``input``'s elements (in row-major order) at the given
    element ``stride``s from ``storage_offset``.

    Differences from PyTorch: the result is read-only (writing into it raises), and the input
    must be contiguous (ember views do not expose their base's storage)."""
    from .shape_ext import is_contiguous

    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError("as_strided: Negative strides are not supported at the moment, got "
                           f"strides: {list(stride)}")
    if not is_contiguous(input):
        raise RuntimeError("ember: as_strided needs a contiguous input; call .contiguous() "
                           "first (ember views do not expose their base's storage)")
    return AsStrided.apply(input, tuple(int(s) for s in size), tuple(int(s) for s in stride),
                           int(storage_offset or 0))
