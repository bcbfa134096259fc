"""index_add, index_copy, index_fill and their in-place forms."""

from __future__ import annotations

from ...autograd.function import Function
from ...backend import backend_of
from ...tensor import Tensor
from .._util import make, wrap_dim
from .gather_scatter import _as2, _inplace, IndexSelect


# ------------------------------------------------------------------------ index_add/copy/fill
def _check_index_src(name, input, dim, idx, source):
    d = input._data
    if idx.ndim > 1:
        raise IndexError(f"{name}(): Index is supposed to be a vector")
    n = idx.size
    s = source._data if isinstance(source, Tensor) else None
    if s is not None:
        _check_source(name, d, dim, s)
        ssize = s.shape[dim] if s.ndim else 1
        if ssize != n:
            raise RuntimeError(
                f"{name}(): Number of indices ({n}) should be equal to source.size(dim): "
                f"({ssize}), for dim: {dim}"
            )
    size = d.shape[dim] if d.ndim else 1
    if n and ((idx < -size).any() or (idx >= size).any()):
        raise IndexError(f"{name}(): index out of range in self" if name != "index_add_" else
                         "index out of range in self")


def _check_source(name, d, dim, s):
    """PyTorch's dtype and slice-shape checks of index_add_/index_copy_'s source."""
    from ..inplace import _dtype_name

    if s.dtype != d.dtype:
        if name == "index_add_":
            raise RuntimeError(f"index_add_(): self ({_dtype_name(d.dtype)}) and source "
                               f"({_dtype_name(s.dtype)}) must have the same scalar type")
        if name == "index_copy_":
            raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, "
                               f"but got (self) {_dtype_name(d.dtype)} and (source) "
                               f"{_dtype_name(s.dtype)}")
    if not d.ndim or not s.ndim:
        return
    if name == "index_add_" and (s.ndim != d.ndim or any(
            a != b for i, (a, b) in enumerate(zip(d.shape, s.shape)) if i != dim)):
        raise RuntimeError("source tensor shape must match self tensor shape, excluding the "
                           f"specified dimension. Got self.shape = {list(d.shape)} source.shape "
                           f"= {list(s.shape)}")
    if name == "index_copy_":
        for i in range(max(d.ndim, s.ndim)):
            if i == dim:
                continue
            a = d.shape[i] if i < d.ndim else 1
            b = s.shape[i] if i < s.ndim else 1
            if a != b:
                raise RuntimeError(
                    "index_copy_(): Source/destination tensor must have same slice shapes. "
                    f"Destination slice shape: {a} at dimension {i} and source slice shape: "
                    f"{b} at dimension {i}.")


class _IntoSlices(Function):
    """Base of index_add, index_copy and index_fill: y = a copy of x whose slices ``index``
    along ``dim`` the subclass's ``write(ctx, out, key, *args)`` fills (``out`` is the copy, at
    least 1-d; ``key`` picks the slices)."""

    _builtin = True

    @classmethod
    def forward(cls, ctx, x, dim, index, *args):
        d = x._data
        out = _as2(d.copy())
        cls.write(ctx, out, (slice(None),) * dim + (index._data.reshape(-1),), *args)
        ctx.dim = dim
        ctx.save_for_backward(index)
        return make(out.reshape(d.shape))


def _selected(grad_output, dim, index):
    """``grad_output.index_select(dim, index)``, a scalar gradient read as 1-d: the gradient
    of what was written into the slices."""
    g = grad_output if grad_output._data.ndim else grad_output.reshape(1)
    return IndexSelect.apply(g, dim, index)


class _OverwriteSlices(_IntoSlices):
    """Base of index_copy and index_fill, which overwrite the slices: dy/dx = grad with those
    slices zeroed; what was written gets ``written_grad(ctx, selected)`` of the gradient's
    slices ``selected``."""

    @classmethod
    def backward(cls, ctx, grad_output):
        (index,) = ctx.saved_tensors
        gx = gw = None
        if ctx.needs_input_grad[0]:
            gx = IndexFill.apply(grad_output, ctx.dim, index, 0.0)
        if ctx.needs_input_grad[3]:
            gw = cls.written_grad(ctx, _selected(grad_output, ctx.dim, index))
        return gx, None, None, gw


class IndexAdd(_IntoSlices):
    """y = x.index_add(dim, index, source, alpha);  dy/dx = grad,
    dy/dsource = alpha * grad.index_select(dim, index)"""

    _edges = (0, 3)
    _node_name = "IndexAddBackward0"

    @staticmethod
    def write(ctx, out, key, source, alpha):
        s = _as2(source._data).astype(out.dtype, copy=False)
        backend_of(out).scatter_add(out, key, s * alpha if alpha != 1 else s)
        ctx.alpha, ctx.src_shape = alpha, source._data.shape

    @staticmethod
    def backward(ctx, grad_output):
        (index,) = ctx.saved_tensors
        gs = None
        if ctx.needs_input_grad[3]:
            gs = _selected(grad_output, ctx.dim, index)
            if ctx.alpha != 1:
                gs = gs * ctx.alpha
            gs = gs.reshape(ctx.src_shape)
        return grad_output, None, None, gs, None


class IndexCopy(_OverwriteSlices):
    """y = x with source copied into the slices index along dim;
    dy/dx = grad with those slices zeroed, dy/dsource = grad.index_select(dim, index)"""

    _edges = (0, 3)
    _node_name = "IndexCopyBackward0"

    @staticmethod
    def write(ctx, out, key, source):
        out[key] = _as2(source._data)
        ctx.src_shape = source._data.shape

    @staticmethod
    def written_grad(ctx, selected):
        return selected.reshape(ctx.src_shape)


class IndexFill(_OverwriteSlices):
    """y = x with value in the slices index along dim;
    dy/dx = grad with those slices zeroed, dy/dvalue = their sum"""

    _node_name = "IndexFillBackward0"

    @staticmethod
    def write(ctx, out, key, value):
        out[key] = value._data if isinstance(value, Tensor) else value

    @staticmethod
    def written_grad(ctx, selected):
        return selected.sum()


class IndexFillTensor(IndexFill):
    _node_name = "IndexFillBackward1"


def _index_prep(name, input, dim, index, source=None):
    if not isinstance(index, Tensor) or index._data.dtype.kind not in "iu":
        raise RuntimeError(f"{name}(): Expected a long tensor for index, but got "
                           f"{getattr(index, 'dtype', type(index).__name__)}")
    dim = wrap_dim(dim, input._data.ndim)
    _check_index_src(name, input, dim, index._data, source)
    return dim


def _fill_class(value):
    """The index_fill Function for ``value``: a number, or a 0-d tensor (checked)."""
    if not isinstance(value, Tensor):
        return IndexFill
    if value._data.ndim != 0:
        raise RuntimeError(
            "index_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )
    return IndexFillTensor


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` added into the slices ``index`` along ``dim``."""
    dim = _index_prep("index_add_", input, dim, index, source)
    return IndexAdd.apply(input, dim, index, source, alpha)


def index_copy(input, dim, index, source):
    """``input`` with ``source`` copied into the slices ``index`` along ``dim``."""
    dim = _index_prep("index_copy_", input, dim, index, source)
    return IndexCopy.apply(input, dim, index, source)


def index_fill(input, dim, index, value):
    """``input`` with ``value`` in the slices ``index`` along ``dim``."""
    dim = _index_prep("index_fill_", input, dim, index)
    return _fill_class(value).apply(input, dim, index, value)


def index_add_(self, dim, index, source, *, alpha=1):
    dim = _index_prep("index_add_", self, dim, index, source)
    return _inplace(self, IndexAdd, dim, index, source, alpha)


def index_copy_(self, dim, index, source):
    dim = _index_prep("index_copy_", self, dim, index, source)
    return _inplace(self, IndexCopy, dim, index, source)


def index_fill_(self, dim, index, value):
    dim = _index_prep("index_fill_", self, dim, index)
    return _inplace(self, _fill_class(value), dim, index, value)
