"""Shape ops: views (view, expand, permute, transpose, squeeze, unsqueeze), cat, stack, clone.

A view shares its base's memory and version counter, and remembers how to remake itself from
the base (``_view_fn``) so an in-place write into it can be replayed on the base's graph.
"""

from __future__ import annotations

from weakref import ref as _weakref

from ..autograd.function import Function
from ..backend import broadcast_to as _broadcast_view
from ..dtypes import dtype as _dtype_cls
from ._util import _state, make, wrap_dim, xp_of


def as_view(out, base, fn):
    """Mark ``out`` as a view of ``base`` made by ``fn(base)``.

    A view of a tensor on the graph is also registered (weakly) with its root, so that an
    in-place write into the root or into a sibling view re-derives its history
    (``refresh_views``), as PyTorch regenerates a stale view's ``grad_fn``."""
    out._vc = base._vc
    root = base._base
    if root is None:
        root = out._base = base
        out._view_fn = fn
    else:
        out._base = root
        prev = base._view_fn
        out._view_fn = lambda t: fn(prev(t))
    if base._requires_grad and not _state.enabled:
        # PyTorch: a view made under no_grad of a tensor that requires grad requires grad too,
        # as a leaf; modifying it in place later with grad mode on is an error (check_leaf)
        out._requires_grad = True
        out._no_grad_view = True
        return out
    if base._requires_grad and root._grad_fn is not None and _state.enabled:
        # (a leaf's views need no refresh: a leaf that requires grad is never written in
        # place while recording)
        views = root.__dict__.get("_views")
        if views is None:
            views = root._views = []
        elif len(views) & 63 == 63:
            views[:] = [r for r in views if r() is not None]
        views.append(_weakref(out))
        if "_multi_view" in base.__dict__:  # a view of a split/unbind output inherits its ban
            out._multi_view = None
    return out


_MULTI_VIEW_NODES = {}


def mark_multi_view(outs, name):
    """Outputs of a function returning several views (split, unbind) may not be modified in
    place while recording, as in PyTorch. Their nodes (ember's per-piece slice or select) take
    PyTorch's name for the function, e.g. ``SplitBackward0``."""
    if outs and outs[0]._grad_fn is not None:
        for o in outs:
            fn = o._grad_fn
            key = (fn.__class__, name)
            cls = _MULTI_VIEW_NODES.get(key)
            if cls is None:  # the same maths under the name PyTorch prints
                cls = _MULTI_VIEW_NODES[key] = type(name + "Backward0", key[:1], {"__slots__": ()})
            fn.__class__ = cls
    if outs and outs[0]._requires_grad and outs[0]._base is not None and \
            outs[0]._base._grad_fn is not None:
        for i, o in enumerate(outs):
            o._multi_view = (i, name)
    return outs


def multi_view_error(t):
    mv = t._multi_view
    if mv is None:
        name = t._grad_fn.name() if t._grad_fn is not None else "View"
        for suffix in ("Backward0", "Backward1"):
            name = name.removesuffix(suffix)
        mv = (t._output_nr, name)
    return RuntimeError(
        f"Output {mv[0]} of {mv[1]} is a view and is being modified inplace. This view is the "
        "output of a function that returns multiple views. Such functions do not allow the "
        "output views to be modified inplace. You should replace the inplace operation by an "
        "out-of-place one."
    )


_AS_STRIDED = {}


def as_strided_node(t):
    """Rename the node of a view re-derived after an in-place write ``AsStridedBackward0``, as
    PyTorch names a regenerated view's history (the maths stays the view's own)."""
    node = t._grad_fn
    if node is None:
        return
    cls = node.__class__
    sub = _AS_STRIDED.get(cls)
    if sub is None:
        sub = _AS_STRIDED[cls] = type("AsStridedBackward0", (cls,), {"__slots__": ()})
    node.__class__ = sub


def refresh_views(root, skip=None):
    """Give every live registered view of ``root`` (but ``skip``) the history it would have if
    made from ``root`` now (after an in-place write changed root's history)."""
    views = root.__dict__.get("_views")
    if not views:
        return
    live = [r for r in views if r() is not None]
    root._views = []  # the replays below register throw-away views; drop them afterwards
    prev = _state.enabled
    _state.enabled = True
    try:
        for r in live:
            v = r()
            if v is None or v is skip:
                continue
            new = v._view_fn(root)
            v._grad_fn = new._grad_fn
            v._output_nr = new._output_nr
            v._requires_grad = new._requires_grad
            as_strided_node(v)
    finally:
        _state.enabled = prev
    root._views = [r for r in live if r() is not None]


def _shape_arg(shape):
    if len(shape) == 1 and not isinstance(shape[0], int):
        return tuple(shape[0])
    return tuple(shape)


def _infer(shape, numel):
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


class Cat(Function):
    """y = the inputs joined along ``dim``;  dy/dx_i = the slice of the gradient for x_i"""

    _builtin = True
    _edges = slice(1, None)
    _node_name = "CatBackward0"

    @staticmethod
    def forward(ctx, dim, *xs):
        arrays = [x._data for x in xs]
        ctx.dim = dim
        ctx.sizes = [a.shape[dim] if a.ndim else 0 for a in arrays]
        return make(xp_of(arrays[0]).concatenate(arrays, axis=dim))

    @staticmethod
    def backward(ctx, grad_output):
        grads = []
        start = 0
        for n in ctx.sizes:
            grads.append(grad_output.narrow(ctx.dim, start, n))
            start += n
        return (None, *grads)


class Stack(Function):
    """y = the inputs stacked along a new ``dim``;  dy/dx_i = select(dim, i) of the gradient"""

    _builtin = True
    _edges = slice(1, None)
    _node_name = "StackBackward0"

    @staticmethod
    def forward(ctx, dim, *xs):
        arrays = [x._data for x in xs]
        ctx.dim = dim
        return make(xp_of(arrays[0]).stack(arrays, axis=dim))

    @staticmethod
    def backward(ctx, grad_output):
        return (None, *grad_output.unbind(ctx.dim))


# ------------------------------------------------------------------------------- functions
def view(input, *shape):
    """The same data with another shape (one dim may be -1); always a view.

    ``view(dtype)`` reinterprets the bytes as another dtype (not differentiable)."""
    if len(shape) == 1 and shape[0].__class__ is _dtype_cls:
        return _view_dtype(input, shape[0])
    d = input._data
    shape = _infer(_shape_arg(shape), d.size)
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
    from ._util import broadcast_error

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
    from ..tensor import Size

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
    return SqueezeDim.apply(input, tuple(wrap_dim(d, n) for d in dims) if n else ())


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


def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dim (their other dims must match)."""
    tensors = [t for t in tensors]
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(
                f"zero-dimensional tensor (at position {i}) cannot be concatenated"
            )
    nonempty = [t for t in tensors if not (t._data.ndim == 1 and t._data.shape[0] == 0)]
    if not nonempty:
        return tensors[0].clone()
    ref = nonempty[0]._data
    d = wrap_dim(dim, ref.ndim)
    for i, t in enumerate(nonempty):
        s = t._data.shape
        if len(s) != ref.ndim:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {ref.ndim} and {len(s)}"
            )
        for j in range(ref.ndim):
            if j != d and s[j] != ref.shape[j]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{ref.shape[j]} but got size {s[j]} for tensor number {i} in the list."
                )
    from .. import dtypes as _dt

    dt = nonempty[0].dtype
    for t in nonempty[1:]:
        dt = _dt.promote_types(dt, t.dtype)
    nonempty = [t if t.dtype is dt else t.to(dt) for t in nonempty]
    return Cat.apply(d, *nonempty)


concat = concatenate = cat


def stack(tensors, dim=0, *, out=None):
    """Join same-shaped tensors along a new dim."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    shape = tensors[0]._data.shape
    for i, t in enumerate(tensors):
        if t._data.shape != shape:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(shape)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}"
            )
    from .. import dtypes as _dt

    dt = tensors[0].dtype
    for t in tensors[1:]:
        dt = _dt.promote_types(dt, t.dtype)
    tensors = [t if t.dtype is dt else t.to(dt) for t in tensors]
    return Stack.apply(wrap_dim(dim, len(shape) + 1), *tensors)


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple of views."""
    d = wrap_dim(dim, input._data.ndim)
    return mark_multi_view(tuple(input.select(d, i) for i in range(input._data.shape[d])),
                           "Unbind")


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
