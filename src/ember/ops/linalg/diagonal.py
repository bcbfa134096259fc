"""Diagonals and friends: diagonal, diag, diag_embed, diagflat, trace, kron, cross."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import as_strided as _be_as_strided
from ...backend import xp_of
from .._util import make, wrap_dim


# ------------------------------------------------------------------------------------ diagonals
def _diag_view(d, offset, d1, d2):
    """A strided view of the diagonal (dims d1, d2 removed, the diagonal last), writable when
    ``d`` is."""
    xp = xp_of(d)
    n1, n2 = d.shape[d1], d.shape[d2]
    if offset >= 0:
        n = max(min(n1, n2 - offset), 0)
        key = (slice(None),) * d2 + (slice(offset, None),)
    else:
        n = max(min(n1 + offset, n2), 0)
        key = (slice(None),) * d1 + (slice(-offset, None),)
    keep = [i for i in range(d.ndim) if i not in (d1, d2)]
    shape = tuple(d.shape[i] for i in keep) + (n,)
    if n == 0 or d.size == 0:
        return xp.zeros(shape, d.dtype)
    strides = tuple(d.strides[i] for i in keep) + (d.strides[d1] + d.strides[d2],)
    return _be_as_strided(d[key], shape, strides,
                                           writeable=bool(d.flags.writeable))


class Diagonal(Function):
    """y = the diagonal of x in dims (d1, d2) (a view);  dy/dx = g on that diagonal of zeros"""

    _builtin = True
    _node_name = "DiagonalBackward0"

    @staticmethod
    def forward(ctx, x, offset, d1, d2):
        from ..shape.aliasing import as_view

        ctx.args = (x._data.shape, offset, d1, d2)
        return as_view(make(_diag_view(x._data, offset, d1, d2)), x,
                       lambda t: Diagonal.apply(t, offset, d1, d2))

    @staticmethod
    def backward(ctx, grad_output):
        return DiagonalScatterZeros.apply(grad_output, *ctx.args), None, None, None


class DiagonalScatterZeros(Function):
    """y = zeros(shape) with g on the diagonal (offset, d1, d2);  dy/dg = that diagonal"""

    _builtin = True
    _node_name = "DiagonalBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, offset, d1, d2):
        gd = g._data
        out = xp_of(gd).zeros(shape, gd.dtype)
        view = _diag_view(out, offset, d1, d2)
        if view.size:
            view[...] = gd
        ctx.args = (offset, d1, d2)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        return Diagonal.apply(grad_output, *ctx.args), None, None, None, None


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal in dims (dim1, dim2) as a view, appended as the last dim."""
    n = input._data.ndim
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """A tensor whose diagonals (in the new dims dim1, dim2) hold the last dim of ``input``."""
    shape = input._data.shape
    n = len(shape) + 1
    d1, d2 = wrap_dim(dim1, n), wrap_dim(dim2, n)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    k = (shape[-1] if shape else 1) + abs(int(offset))
    rest = list(shape[:-1])
    out = []
    for i in range(n):
        out.append(k if i in (d1, d2) else rest.pop(0))
    if not shape:
        input = input.reshape(1)
    return DiagonalScatterZeros.apply(input, tuple(out), int(offset), d1, d2)


def diag(input, diagonal=0, *, out=None):
    """1-D input: a square matrix with it on diagonal ``diagonal``; 2-D: that diagonal."""
    n = input._data.ndim
    if n == 1:
        return diag_embed(input, diagonal, 0, 1)
    if n != 2:
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{n}D")
    return globals()["diagonal"](input, diagonal, 0, 1).clone()


def trace(input):
    """The sum of the main diagonal of a matrix."""
    if input._data.ndim != 2:
        raise RuntimeError(
            f"trace: expected a matrix, but got tensor with dim {input._data.ndim}"
        )
    return diagonal(input).sum()


def kron(input, other, *, out=None):
    """The Kronecker product: blocks ``input[i, j] * other``."""
    a, b = input, other
    na, nb = a._data.ndim, b._data.ndim
    n = max(na, nb)
    sa = (1,) * (n - na) + a._data.shape
    sb = (1,) * (n - nb) + b._data.shape
    ia, ib, res = [], [], []
    for x, y in zip(sa, sb):
        ia += [x, 1]
        ib += [1, y]
        res.append(x * y)
    return (a.reshape(ia) * b.reshape(ib)).reshape(res)


def cross(input, other, dim=None, *, out=None):
    """The 3-vector cross product along ``dim`` (default: the first dim of size 3)."""
    from ..shape.views import broadcast_shapes

    if dim is None:
        import warnings

        warnings.warn(
            "Using torch.cross without specifying the dim arg is deprecated.\nPlease either "
            "pass the dim explicitly or simply use torch.linalg.cross.\nThe default value of "
            "dim will change to agree with that of linalg.cross in a future release.",
            UserWarning, stacklevel=2)
        shape = broadcast_shapes(input._data.shape, other._data.shape)
        dims = [i for i, s in enumerate(shape) if s == 3]
        if not dims:
            raise RuntimeError("no dimension of size 3 in input")
        dim = dims[0]
    return linalg_cross(input, other, dim=dim, _name="cross")


def linalg_cross(input, other, *, dim=-1, out=None, _name="linalg.cross"):
    """torch.linalg.cross: broadcasting cross product along ``dim`` (sizes must be 3)."""
    from ..shape.views import broadcast_tensors

    if input._data.ndim != other._data.ndim:
        raise RuntimeError(
            f"{_name}: inputs must have the same number of dimensions."
        )
    n = input._data.ndim
    d = wrap_dim(dim, n)
    sa, sb = input._data.shape[d], other._data.shape[d]
    if sa != 3 or sb != 3:
        raise RuntimeError(
            f"{_name}: inputs dimension {dim} must have length 3. Got {sa} and {sb}"
        )
    a, b = broadcast_tensors(input, other)
    a1, a2 = a.roll(-1, d), a.roll(-2, d)
    b1, b2 = b.roll(-1, d), b.roll(-2, d)
    return a1 * b2 - a2 * b1


def linalg_diagonal(A, *, offset=0, dim1=-2, dim2=-1):

    return diagonal(A, offset, dim1, dim2)


def diagflat(input, offset=0):
    """A 2-d tensor with the flattened ``input`` on diagonal ``offset``."""

    return diag(input.reshape(-1), offset)
