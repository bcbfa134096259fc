"""Rearranging elements: repeat, tile, repeat_interleave, flip, fliplr, flipud, roll, rot90,
movedim, unflatten, unfold."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import as_strided as _be_as_strided
from ...backend import xp_of
from ...tensor import Tensor
from .._util import make, wrap_dim
from .aliasing import as_view
from .layout import _ints
from .views import permute, reshape, transpose, view


# --------------------------------------------------------------------------- repeat / tile
class Repeat(Function):
    """y = x tiled ``repeats`` times per dim;  dy/dx = the sum over the tiles"""

    _builtin = True
    _node_name = "RepeatBackward0"

    @staticmethod
    def forward(ctx, x, repeats):
        d = x._data
        lead = len(repeats) - d.ndim
        ctx.shape = (1,) * lead + d.shape
        ctx.in_shape = d.shape
        ctx.repeats = repeats
        return make(xp_of(d).tile(d.reshape(ctx.shape), repeats))

    @staticmethod
    def backward(ctx, grad_output):
        split = []
        for r, s in zip(ctx.repeats, ctx.shape):
            split += [r, s]
        g = grad_output.reshape(split).sum(tuple(range(0, len(split), 2)))
        return g.reshape(ctx.in_shape), None


def repeat(input, *sizes):
    """Tile the tensor ``sizes[i]`` times along each dim (``len(sizes) >= input.dim()``)."""
    reps = _ints(sizes)
    if len(reps) < input._data.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    if any(r < 0 for r in reps):
        raise RuntimeError(f"Trying to create tensor with negative dimension {min(reps)}: "
                           f"{list(reps)}")
    return Repeat.apply(input, reps)


def tile(input, dims):
    """``repeat`` with missing leading repeats taken as 1."""
    reps = tuple(int(v) for v in dims)
    n = input._data.ndim
    if len(reps) < n:
        reps = (1,) * (n - len(reps)) + reps
    return repeat(input, reps)


def repeat_interleave(input, repeats=None, dim=None, *, output_size=None):
    """Repeat each element ``repeats`` times (an int or one count per element) along ``dim``
    (the flattened tensor when ``dim`` is None). ``repeat_interleave(counts)`` gives the
    indices ``[0]*counts[0] + [1]*counts[1] + ...``."""
    from ..index.gather_scatter import index_select

    if repeats is None:
        counts = input._data
        if counts.ndim > 1:
            raise RuntimeError("repeat_interleave only accept 1D vector as repeat")
        xp = xp_of(counts)
        return make(xp.repeat(xp.arange(counts.shape[0], dtype="int64"), counts))
    if dim is None:
        input = reshape(input, -1)
        dim = 0
    dim = wrap_dim(dim, input._data.ndim)
    n = input._data.shape[dim] if input._data.ndim else 1
    xp = xp_of(input._data)
    if isinstance(repeats, Tensor):
        r = repeats._data.reshape(-1)
        if repeats._data.ndim > 1:
            raise RuntimeError("repeats must be 0-dim or 1-dim tensor")
        if r.shape[0] == 1:
            r = xp.full(n, int(r[0]))
        elif r.shape[0] != n:
            raise RuntimeError("repeats must have the same size as input along dim, but got "
                               f"repeats.size(0) = {r.shape[0]} and input.size({dim}) = {n}")
    else:
        r = xp.full(n, int(repeats))
    if (r < 0).any():
        raise RuntimeError("repeats can not be negative")
    idx = make(xp.repeat(xp.arange(n, dtype="int64"), r))
    if input._data.ndim == 0:
        input = reshape(input, 1)
    return index_select(input, dim, idx)


# --------------------------------------------------------------------------- flip / roll
class Flip(Function):
    """y = x reversed along ``dims``;  dy/dx = the gradient reversed back"""

    _builtin = True
    _node_name = "FlipBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return make(xp_of(x._data).flip(x._data, dims).copy())

    @staticmethod
    def backward(ctx, grad_output):
        return Flip.apply(grad_output, ctx.dims), None


def flip(input, *dims):
    """Reverse the order of elements along ``dims`` (a copy, as in PyTorch)."""
    n = input._data.ndim
    ds = tuple(wrap_dim(d, n) for d in _ints(dims))
    for i, d in enumerate(ds):
        if d in ds[:i]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return Flip.apply(input, ds)


def fliplr(input):
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Function):
    """y = x shifted cyclically by ``shifts`` along ``dims``;  dy/dx = rolled back"""

    _builtin = True
    _node_name = "RollBackward0"

    @staticmethod
    def forward(ctx, x, shifts, dims):
        ctx.shifts, ctx.dims = shifts, dims
        return make(xp_of(x._data).roll(x._data, shifts if dims is not None else shifts[0], dims))

    @staticmethod
    def backward(ctx, grad_output):
        return Roll.apply(grad_output, tuple(-s for s in ctx.shifts), ctx.dims), None, None


def roll(input, shifts, dims=None):
    """Shift elements cyclically; with no ``dims`` the flattened tensor is rolled."""
    shifts = (int(shifts),) if isinstance(shifts, int) else tuple(int(s) for s in shifts)
    if dims is None:
        if len(shifts) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(shifts)}, "
                               "dims:0")
        return Roll.apply(input, shifts, None)  # NumPy rolls the flattened array too
    dims = (dims,) if isinstance(dims, int) else tuple(dims)
    if len(shifts) != len(dims):
        raise RuntimeError(
            f"shifts and dimensions must align. shifts: {len(shifts)}, dims:{len(dims)}"
        )
    n = input._data.ndim
    return Roll.apply(input, shifts, tuple(wrap_dim(d, n) for d in dims))


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane of ``dims`` (from dims[0] to dims[1])."""
    dims = tuple(dims)
    n = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if n < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {n}")
    d0, d1 = wrap_dim(dims[0], n), wrap_dim(dims[1], n)
    if d0 == d1:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {d0} and dim1 = {d1}"
        )
    k = k % 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return input.clone()


# ----------------------------------------------------------------------- moving and splitting dims
def movedim(input, source, destination):
    """Move dims ``source`` to positions ``destination`` (a view); the others keep order."""
    n = input._data.ndim
    src = (source,) if isinstance(source, int) else tuple(source)
    dst = (destination,) if isinstance(destination, int) else tuple(destination)
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    src = tuple(wrap_dim(s, n) for s in src)
    dst = tuple(wrap_dim(s, n) for s in dst)
    if len(set(src)) != len(src):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(source)})")
    if len(set(dst)) != len(dst):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(destination)})")
    order = [None] * n
    for s, t in zip(src, dst):
        order[t] = s
    rest = iter(i for i in range(n) if i not in src)
    order = tuple(o if o is not None else next(rest) for o in order)
    return permute(input, order)


moveaxis = movedim


def unflatten(input, dim, sizes):
    """Split dim ``dim`` into ``sizes`` (one may be -1); a view."""
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    sizes = [int(s) for s in sizes]
    if not sizes:
        raise RuntimeError("unflatten: sizes must be non-empty")
    known = 1
    for s in sizes:
        if s != -1:
            known *= s
    if sizes.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    if -1 in sizes:
        if known == 0 or shape[d] % known:
            raise RuntimeError(
                f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} "
                f"({shape[d]}) in the input tensor"
            )
        sizes[sizes.index(-1)] = shape[d] // known
    elif known != shape[d]:
        raise RuntimeError(
            f"unflatten: Provided sizes {sizes} don't multiply up to the size of dim {dim} "
            f"({shape[d]}) in the input tensor"
        )
    return view(input, shape[:d] + tuple(sizes) + shape[d + 1:])


# --------------------------------------------------------------------------- unfold
def _windows(d, dim, size, step):
    """A strided view of ``d`` with windows of ``size`` every ``step`` along ``dim`` (the
    window dim appended last), as Tensor.unfold lays them out."""
    xp_of(d)
    n = (d.shape[dim] - size) // step + 1 if d.ndim else 1
    if d.ndim == 0:
        return d.reshape(1)
    shape = d.shape[:dim] + (n,) + d.shape[dim + 1:] + (size,)
    strides = d.strides[:dim] + (d.strides[dim] * step,) + d.strides[dim + 1:] + \
        (d.strides[dim],)
    out = _be_as_strided(d, shape, strides, writeable=False)
    if step >= size and d.flags.writeable:
        out = _be_as_strided(d, shape, strides, writeable=True)
    return out


class Unfold(Function):
    """y[..., i, ..., j] = x[..., i*step + j, ...];  dy/dx sums the windows back"""

    _builtin = True
    _node_name = "UnfoldBackward0"

    @staticmethod
    def forward(ctx, x, dim, size, step):
        ctx.args = (x._data.shape, dim, size, step)
        return as_view(make(_windows(x._data, dim, size, step)), x,
                       lambda t: t.unfold(dim, size, step))

    @staticmethod
    def backward(ctx, grad_output):
        return UnfoldBackward.apply(grad_output, *ctx.args), None, None, None


class UnfoldBackward(Function):
    """y = zeros(shape) with each window of g added back;  dy/dg = unfold of the gradient"""

    _builtin = True
    _node_name = "UnfoldBackwardBackward0"

    @staticmethod
    def forward(ctx, g, shape, dim, size, step):
        gd = g._data
        xp = xp_of(gd)
        ctx.args = (dim, size, step)
        out = xp.zeros(shape, gd.dtype)
        if len(shape) == 0:
            out[...] = gd.reshape(())
            return make(out)
        n = gd.shape[dim]
        for j in range(size):  # one vectorised add per offset in the window
            idx = (slice(None),) * dim + (slice(j, j + (n - 1) * step + 1, step),)
            out[idx] += xp.moveaxis(gd[..., j], dim, dim)
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        dim, size, step = ctx.args
        return Unfold.apply(grad_output, dim, size, step), None, None, None, None


def unfold(input, dimension, size, step):
    """Tensor.unfold: every window of ``size`` elements, ``step`` apart, along ``dimension``
    as a new last dim (a view)."""
    d = input._data
    dim = wrap_dim(dimension, d.ndim)
    length = d.shape[dim] if d.ndim else 1
    if size > length:
        raise RuntimeError(
            f"maximum size for tensor at dimension {dim} is {length} but size is {size}"
        )
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    if size < 0:
        raise RuntimeError(f"size is {size} but must be >= 0")
    return Unfold.apply(input, dim, size, step)
