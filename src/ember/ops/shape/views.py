"""View and copy ops on shape: view, reshape, expand, permute, transpose, squeeze, unsqueeze,
flatten, clone, contiguous, narrow, select, as_strided, broadcast_tensors/broadcast_shapes."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import as_strided as _be_as_strided
from ...backend import broadcast_to as _broadcast_view
from ...backend import xp_of
from ...dtypes import dtype as _dtype_cls
from ...tensor import Tensor
from .._util import make, wrap_dim
from .aliasing import as_view


def _shape_arg(shape):
    if len(shape) == 1 and not isinstance(shape[0], int):
        return tuple(shape[0])
    return tuple(shape)


def _infer(shape, numel, name="reshape"):
    for i, s in enumerate(shape):
        if not hasattr(s, "__index__") or s.__class__ is bool:  # 2.0 is no size (PyTorch)
            if name == "view":
                got = ", ".join(type(v).__name__ for v in shape)
                raise TypeError(f"view() received an invalid combination of arguments - got "
                                f"({got}), but expected one of:\n * (torch.dtype dtype)\n"
                                " * (tuple of ints size)")
            raise TypeError(f"{name}(): argument 'shape' (position 1) must be tuple of ints, but "
                            f"found element of type {type(s).__name__} at pos {i}")
    shape = [int(s) for s in shape]
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


class View(Function):
    """y = x viewed with a new shape;  dy/dx reshapes back"""

    _builtin = True
    _node_name = "ViewBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        d = x._data
        ctx.shape = d.shape
        out = d.reshape(shape)
        res = make(out)
        if out is d or (out.base is not None and xp_of(d).may_share_memory(out, d)):
            as_view(res, x, lambda t: t.view(shape))
        return res

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.shape), None


class Reshape(View):
    _node_name = "UnsafeViewBackward0"


class Expand(Function):
    """y = x broadcast to ``shape`` (a view);  dy/dx = sum over the broadcast dims"""

    _builtin = True
    _node_name = "ExpandBackward0"

    @staticmethod
    def forward(ctx, x, shape):
        d = x._data
        ctx.shape = d.shape
        return as_view(make(_broadcast_view(d, shape)), x, lambda t: t.expand(shape))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.sum_to_size(ctx.shape), None


class Permute(Function):
    """y = x with dims reordered;  dy/dx permutes back"""

    _builtin = True
    _node_name = "PermuteBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        ctx.dims = dims
        return as_view(make(x._data.transpose(dims)), x, lambda t: t.permute(dims))

    @staticmethod
    def backward(ctx, grad_output):
        inv = [0] * len(ctx.dims)
        for i, d in enumerate(ctx.dims):
            inv[d] = i
        return grad_output.permute(inv), None


class Transpose(Function):
    """y = x with two dims swapped;  dy/dx swaps them back"""

    _builtin = True
    _node_name = "TransposeBackward0"

    @staticmethod
    def forward(ctx, x, d0, d1):
        ctx.d = (d0, d1)
        return as_view(make(x._data.swapaxes(d0, d1)), x, lambda t: t.transpose(d0, d1))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.transpose(*ctx.d), None, None


class T(Transpose):
    _node_name = "TBackward0"


class Squeeze(Function):
    """y = x without the given size-1 dims;  dy/dx puts them back"""

    _builtin = True
    _node_name = "SqueezeBackward0"

    @staticmethod
    def forward(ctx, x, dims):
        d = x._data
        ctx.shape = d.shape
        dims = tuple(i for i in dims if d.shape[i] == 1)
        return as_view(make(d.squeeze(dims) if dims else d.reshape(d.shape)), x,
                       lambda t: t.squeeze(dims) if dims else t._alias())

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.reshape(ctx.shape), None


class SqueezeDim(Squeeze):
    _node_name = "SqueezeBackward1"


class Unsqueeze(Function):
    """y = x with a new size-1 dim;  dy/dx removes it"""

    _builtin = True
    _node_name = "UnsqueezeBackward0"

    @staticmethod
    def forward(ctx, x, dim):
        ctx.dim = dim
        return as_view(make(xp_of(x._data).expand_dims(x._data, dim)), x,
                       lambda t: t.unsqueeze(dim))

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output.squeeze(ctx.dim), None


class Clone(Function):
    """y = a copy of x;  dy/dx = 1"""

    _builtin = True
    _node_name = "CloneBackward0"

    @staticmethod
    def forward(ctx, x):
        return make(x._data.copy())

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


class Alias(Function):
    """y = x (a new tensor on the same memory);  dy/dx = 1"""

    _builtin = True
    _node_name = "AliasBackward0"

    @staticmethod
    def forward(ctx, x):
        return x._alias()

    @staticmethod
    def backward(ctx, grad_output):
        return grad_output


# -------------------------------------------------------------------------------- public functions
def view(input, *shape):
    """The same data with another shape (one dim may be -1); always a view.

    ``view(dtype)`` reinterprets the bytes as another dtype (not differentiable)."""
    if len(shape) == 1 and shape[0].__class__ is _dtype_cls:
        return _view_dtype(input, shape[0])
    d = input._data
    shape = _infer(_shape_arg(shape), d.size, "view")
    if not d.flags.c_contiguous and d.size > 1:
        out = d.reshape(shape)
        if not xp_of(d).may_share_memory(out, d):
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            )
    return View.apply(input, shape)


def _is_dtype(x):
    return x.__class__ is _dtype_cls


def _view_dtype(input, dt):
    d = input._data
    if dt.np.itemsize != d.dtype.itemsize and not d.flags.c_contiguous:
        raise RuntimeError(
            "self.stride(-1) must be 1 to view "
            f"{input.dtype} as {dt} (different element sizes), but got "
            f"{d.strides[-1] // d.itemsize if d.ndim else 1}"
        )
    if input._requires_grad and not (dt.is_floating_point or dt.is_complex):
        pass
    return as_view(make(d.view(dt.np)), input, lambda t: t.view(dt))


def reshape(input, *shape):
    """The data with another shape: a view when possible, else a copy."""
    if not isinstance(input, Tensor):
        raise TypeError(f"reshape(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    d = input._data
    shape = _infer(_shape_arg(shape), d.size)
    if d.flags.c_contiguous or d.size <= 1:
        return View.apply(input, shape)
    out = d.reshape(shape)
    if xp_of(d).may_share_memory(out, d):
        return View.apply(input, shape)
    return Reshape.apply(input, shape)


def expand(input, *sizes):
    """Broadcast size-1 dims to ``sizes`` without copying (-1 keeps a dim)."""
    sizes = _shape_arg(sizes)
    shape = input._data.shape
    lead = len(sizes) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.{input.dtype.name.capitalize()}Tensor{{{list(shape)}}}, "
            f"size={list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater "
            f"or equal to the number of dimensions in the tensor ({len(shape)})"
        )
    out = []
    for i, s in enumerate(sizes):
        if i < lead:
            out.append(s)
            continue
        cur = shape[i - lead]
        if s == -1:
            s = cur
        if cur != s and cur != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size ({cur}) at "
                f"non-singleton dimension {i}.  Target sizes: {list(sizes)}.  Tensor sizes: "
                f"{list(shape)}"
            )
        out.append(s)
    out = tuple(out)
    if out == shape:
        return input
    return Expand.apply(input, out)


def expand_as(input, other):
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    return expand(input, tuple(size))


def broadcast_tensors(*tensors):
    """Expand every tensor to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    shape = broadcast_shapes(*(t._data.shape for t in tensors))
    return tuple(expand(t, shape) for t in tensors)


def broadcast_shapes(*shapes):
    from .._util import broadcast_error

    n = 0
    for s in shapes:
        n = max(n, len(s))
    out = [1] * n
    for s in shapes:
        for i, v in enumerate(s):
            j = n - len(s) + i
            if out[j] == 1:
                out[j] = v
            elif v != 1 and v != out[j]:
                raise broadcast_error(tuple(out), tuple(s))
    from ...tensor import Size

    return Size(out)


def permute(input, *dims):
    dims = tuple(wrap_dim(d, input._data.ndim) for d in _shape_arg(dims))
    if sorted(dims) != list(range(input._data.ndim)):
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{input._data.ndim} is not equal to len(dims) = {len(dims)}"
        )
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    n = input._data.ndim
    return Transpose.apply(input, wrap_dim(dim0, n), wrap_dim(dim1, n))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a tensor of at most 2 dims."""
    n = input._data.ndim
    if n > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {n}D")
    if n == 0:
        return Alias.apply(input)
    return T.apply(input, 0, n - 1)


def squeeze(input, dim=None):
    n = input._data.ndim
    if dim is None:
        return Squeeze.apply(input, tuple(i for i, s in enumerate(input._data.shape) if s == 1))
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    wrapped = tuple(wrap_dim(d, n) for d in dims)  # a 0-d tensor takes dims 0 and -1 only
    return SqueezeDim.apply(input, wrapped if n else ())


def unsqueeze(input, dim):
    return Unsqueeze.apply(input, wrap_dim(dim, input._data.ndim + 1))


def flatten(input, start_dim=0, end_dim=-1):
    n = input._data.ndim
    if n == 0:
        return reshape(input, 1)
    s, e = wrap_dim(start_dim, n), wrap_dim(end_dim, n)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    shape = input._data.shape
    new = shape[:s] + (-1,) + shape[e + 1:]
    if s == e:
        return input
    return reshape(input, new)


def clone(input, *, memory_format=None):
    """A copy of ``input`` that stays on the graph."""
    return Clone.apply(input)


def contiguous(input, memory_format=None):
    if input._data.flags.c_contiguous:
        return input
    return clone(input)


def narrow(input, dim, start, length):
    """The slice ``start:start+length`` of dim ``dim`` (a view)."""
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    start = int(start)
    length = int(length)
    if start < -size or start > size:
        raise IndexError(
            f"start out of range (expected to be in range of [{-size}, {size}], but got {start})"
        )
    if start < 0:
        start += size
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    if start + length > size:
        raise RuntimeError(
            f"start ({start}) + length ({length}) exceeds dimension size ({size})."
        )
    idx = (slice(None),) * d + (slice(start, start + length),)
    return input[idx]


def select(input, dim, index):
    d = wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if index < -size or index >= size:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size "
            f"{list(input._data.shape)} at dimension {d}"
        )
    return input[(slice(None),) * d + (index,)]


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
        y = _be_as_strided(flat[offset:], tuple(size),
                                            tuple(st * item for st in stride), writeable=False)
        ctx.meta = (d.shape, size, stride, offset, flat.size)
        return make(y)

    @staticmethod
    def backward(ctx, grad_output):
        from ..factories import tensor, zeros

        shape, size, stride, offset, n = ctx.meta
        xp = xp_of(grad_output._data)
        base = xp.arange(n, dtype=xp.int64)
        idx = _be_as_strided(base[offset:], tuple(size),
                                              tuple(st * 8 for st in stride))
        flat_idx = tensor(xp.ascontiguousarray(idx).reshape(-1))
        g = zeros(n, dtype=grad_output.dtype, device=grad_output.device)
        g = g.index_add(0, flat_idx, grad_output.reshape(-1))
        return g.reshape(shape), None, None, None


def as_strided(input, size, stride, storage_offset=None):
    """A tensor of ``size`` reading ``input``'s elements (in row-major order) at the given
    element ``stride``s from ``storage_offset``.

    Differences from PyTorch: the result is read-only (writing into it raises), and the input
    must be contiguous (ember views do not expose their base's storage)."""
    from .layout import is_contiguous

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
