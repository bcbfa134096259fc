"""More shape ops: repeat/tile, flip/roll/rot90, split/chunk, the stacks, movedim, unfold,
and the memory-layout queries (stride, storage_offset, is_contiguous).

Ops that PyTorch implements as views (split, chunk, movedim, unflatten, unfold) are views
here too; flip, roll and repeat copy, as in PyTorch.
"""

from __future__ import annotations

from ..autograd.function import Function
from ._util import Tensor, make, wrap_dim, xp_of
from .shape import (
    as_view,
    cat,
    mark_multi_view,
    narrow,
    permute,
    reshape,
    transpose,
    unsqueeze,
    view,
)


def _ints(args):
    if len(args) == 1 and not isinstance(args[0], int):
        a = args[0]
        if isinstance(a, Tensor):
            return tuple(int(v) for v in a._data.reshape(-1))
        return tuple(int(v) for v in a)
    return tuple(int(v) for v in args)


# --------------------------------------------------------------------------- layout queries
def stride(input, dim=None):
    """Strides in elements (not bytes), as PyTorch reports them."""
    d = input._data
    item = d.itemsize
    s = [st // item for st in d.strides]
    for i in range(d.ndim - 1, -1, -1):
        if d.shape[i] == 1 and s[i] == 0:
            # NumPy gives new size-1 dims (None, unsqueeze) stride 0; PyTorch the stride
            # they would have if contiguous with the next dim
            s[i] = s[i + 1] * d.shape[i + 1] if i + 1 < d.ndim else 1
    s = tuple(s)
    if dim is None:
        return s
    return s[wrap_dim(dim, d.ndim)]


def storage_offset(input) -> int:
    """How many elements into its base's memory this tensor starts."""
    base = input._base
    if base is None:
        return 0
    d = input._data
    if d.size == 0:
        return 0
    return (_address(d) - _address(base._data)) // d.itemsize


def _address(a):
    iface = getattr(a, "__array_interface__", None)
    if iface is not None:
        return iface["data"][0]
    return a.data.ptr  # CuPy


def is_contiguous(input, memory_format=None) -> bool:
    return bool(input._data.flags.c_contiguous)


def _is_view(input) -> bool:
    return input._base is not None


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
    from .indexing_ext import index_select

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

    # (dims=None rolls the flattened tensor: shifts is then a 1-tuple)


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


# --------------------------------------------------------------------------- splitting
def split(tensor, split_size_or_sections, dim=0):
    """Views of consecutive pieces of ``split_size`` (the last may be smaller), or of the
    given ``sections`` sizes."""
    d = wrap_dim(dim, tensor._data.ndim)
    size = tensor._data.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        if step < 0 or (step == 0 and size != 0):
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of "
                f"{size}"
            )
        if size == 0:
            return (tensor,)
        return mark_multi_view(
            tuple(narrow(tensor, d, s, min(step, size - s)) for s in range(0, size, step)),
            "Split")
    sizes = [int(v) for v in split_size_or_sections]
    if sum(sizes) != size or any(v < 0 for v in sizes):
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {size} (input tensor's "
            f"size at dimension {d}), but got split_sizes={sizes}"
        )
    out, start = [], 0
    for v in sizes:
        out.append(narrow(tensor, d, start, v))
        start += v
    return mark_multi_view(tuple(out), "SplitWithSizes")


def split_with_sizes(input, split_sizes, dim=0):
    return split(input, list(split_sizes), dim)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` views of (nearly) equal size along ``dim``."""
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    step = max(-(-size // chunks), 1) if size else 0
    if size == 0:
        return tuple(narrow(input, d, 0, 0) for _ in range(chunks))
    return split(input, step, d)


def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``n`` near-equal parts (the first ``size % n`` one longer), or at the given
    indices; always a tuple of views."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        if ios._data.ndim == 0:
            ios = int(ios._data)
        else:
            ios = [int(v) for v in ios._data.reshape(-1)]
    if isinstance(ios, int):
        if ios <= 0:
            raise RuntimeError(
                f"number of sections must be larger than 0, got {ios}"
            )
        q, r = divmod(size, ios)
        sizes = [q + 1] * r + [q] * (ios - r)
        out, start = [], 0
        for v in sizes:
            out.append(narrow(input, d, start, v))
            start += v
        return tuple(out)
    out, prev = [], 0
    for i in list(ios) + [size]:
        i = int(i)
        i = max(min(i + size if i < 0 else i, size), 0)
        s = min(prev, size)
        out.append(narrow(input, d, s, max(i - s, 0)))
        prev = max(prev, i)
    return tuple(out)


def _dim_split(name, dim, min_dims):
    def f(input, indices_or_sections):
        if input._data.ndim < min_dims:
            raise RuntimeError(
                f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
                f"tensor with {input._data.ndim} dimensions!"
            )
        d = dim if dim >= 0 or input._data.ndim > 1 else 0
        if name == "hsplit" and input._data.ndim == 1:
            d = 0
        if isinstance(indices_or_sections, int):
            size = input._data.shape[d]
            if indices_or_sections == 0 or size % indices_or_sections:
                raise RuntimeError(
                    f"torch.{name} attempted to split along dimension {d}, but the size of the "
                    f"dimension {size} is not divisible by the split_size "
                    f"{indices_or_sections}!"
                )
        return tensor_split(input, indices_or_sections, d)

    f.__name__ = name
    return f


hsplit = _dim_split("hsplit", 1, 1)
vsplit = _dim_split("vsplit", 0, 2)
dsplit = _dim_split("dsplit", 2, 3)


# --------------------------------------------------------------------------- stacking
def atleast_1d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = tuple(reshape(t, 1) if t._data.ndim == 0 else t for t in ts)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def atleast_2d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for t in ts:
        n = t._data.ndim
        out.append(reshape(t, 1, 1) if n == 0 else unsqueeze(t, 0) if n == 1 else t)
    out = tuple(out)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def atleast_3d(*tensors):
    ts = tensors[0] if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)) else tensors
    out = []
    for t in ts:
        n = t._data.ndim
        if n == 0:
            t = reshape(t, 1, 1, 1)
        elif n == 1:
            t = unsqueeze(unsqueeze(t, 0), -1)
        elif n == 2:
            t = unsqueeze(t, -1)
        out.append(t)
    out = tuple(out)
    return out[0] if len(tensors) == 1 and isinstance(tensors[0], Tensor) else out


def hstack(tensors, *, out=None):
    """Concatenate along dim 1 (dim 0 for 1-D inputs)."""
    ts = atleast_1d(tuple(tensors))
    if ts and ts[0]._data.ndim == 1:
        return cat(ts, 0)
    return cat(ts, 1)


def vstack(tensors, *, out=None):
    """Concatenate along dim 0 after making the inputs at least 2-D."""
    return cat(atleast_2d(tuple(tensors)), 0)


row_stack = vstack


def dstack(tensors, *, out=None):
    """Concatenate along dim 2 after making the inputs at least 3-D."""
    return cat(atleast_3d(tuple(tensors)), 2)


def column_stack(tensors, *, out=None):
    ts = [reshape(t, -1, 1) if t._data.ndim <= 1 else t for t in tensors]
    return cat(ts, 1)


# --------------------------------------------------------------------------- dims
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
    xp = xp_of(d)
    n = (d.shape[dim] - size) // step + 1 if d.ndim else 1
    if d.ndim == 0:
        return d.reshape(1)
    shape = d.shape[:dim] + (n,) + d.shape[dim + 1:] + (size,)
    strides = d.strides[:dim] + (d.strides[dim] * step,) + d.strides[dim + 1:] + \
        (d.strides[dim],)
    out = xp.lib.stride_tricks.as_strided(d, shape, strides, writeable=False)
    if step >= size and d.flags.writeable:
        out = xp.lib.stride_tricks.as_strided(d, shape, strides, writeable=True)
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


# --------------------------------------------------------------------------- transposes
def mT(input):
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(
            f"tensor.mT is only supported on matrices or batches of matrices. Got {n}-D tensor."
        )
    return transpose(input, -2, -1)


def mH(input):
    n = input._data.ndim
    if n < 2:
        raise RuntimeError(
            f"tensor.mH is only supported on matrices or batches of matrices. Got {n}-D tensor."
        )
    out = transpose(input, -2, -1)
    return out.conj() if input._data.dtype.kind == "c" else out


_T_WARNED = set()  # PyTorch warns once per process


def T(input):
    n = input._data.ndim
    if n != 2:
        key = n == 0
        if key not in _T_WARNED:
            import warnings

            _T_WARNED.add(key)
            warnings.warn(
                "Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                "cases." if key else
                "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                "to reverse the dimensions of a tensor.", UserWarning, stacklevel=3)
    return permute(input, tuple(range(n - 1, -1, -1)))


def H(input):
    n = input._data.ndim
    if n != 2 and n != 0:
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {n}-D tensor."
        )
    out = T(input)
    return out.conj() if input._data.dtype.kind == "c" else out


def squeeze_(input, dim=None):
    from .shape import squeeze

    r = squeeze(input, dim)
    return _set_shape_(input, r)


def unsqueeze_(input, dim):
    return _set_shape_(input, unsqueeze(input, dim))


def t_(input):
    from .shape import t

    return _set_shape_(input, t(input))


def transpose_(input, dim0, dim1):
    return _set_shape_(input, transpose(input, dim0, dim1))


def _set_shape_(input, r):
    """In-place shape changes: the tensor takes the view's metadata (array and history)."""
    if input._grad_fn is None and input._requires_grad and r._grad_fn is not None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    input._data = r._data
    input._vc[0] += 1  # PyTorch counts a metadata change as an in-place change
    if r._grad_fn is not None:
        input._grad_fn = r._grad_fn
        input._output_nr = r._output_nr
    return input


__all__ = [
    "atleast_1d",
    "atleast_2d",
    "atleast_3d",
    "chunk",
    "column_stack",
    "dsplit",
    "dstack",
    "flip",
    "fliplr",
    "flipud",
    "hsplit",
    "hstack",
    "is_contiguous",
    "moveaxis",
    "movedim",
    "repeat",
    "repeat_interleave",
    "roll",
    "rot90",
    "row_stack",
    "split",
    "split_with_sizes",
    "storage_offset",
    "stride",
    "tensor_split",
    "tile",
    "unflatten",
    "unfold",
    "vsplit",
    "vstack",
]
