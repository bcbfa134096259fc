"""Tensor methods about memory and storage: data_ptr, get_device, is_shared, pin_memory,
dim_order, the legacy ``new``, resize_, apply_/map_, fill_diagonal_."""

from __future__ import annotations

from ..autograd.function import Function
from ..backend import xp_of
from ..tensor import Tensor
from ._util import make
from .inplace import inplace


# -------------------------------------------------------------------------------- predicates
def _false(self):
    return False


def data_ptr(self) -> int:
    """The address of the first element (NumPy's buffer address)."""
    d = self._data
    iface = getattr(d, "__array_interface__", None)
    return iface["data"][0] if iface is not None else int(d.data.ptr)


def get_device(self) -> int:
    """-1 for a CPU tensor."""
    dev = self.device
    return -1 if dev.type == "cpu" else (dev.index or 0)


def is_nonzero(self) -> bool:
    from .._api_misc import is_nonzero as f

    return f(self)


def is_same_size(self, other) -> bool:
    return tuple(self.shape) == tuple(other.shape)


def is_signed(self) -> bool:
    return self.dtype.is_signed


def is_set_to(self, tensor) -> bool:
    """True when both use the same memory with the same shape and strides."""
    a, b = self._data, tensor._data
    return data_ptr(self) == data_ptr(tensor) and a.shape == b.shape and \
        a.strides == b.strides and a.dtype == b.dtype


def share_memory_(self):
    """Marks the tensor shared (ember's arrays are process memory; a worker process gets a
    pickled copy), so ``is_shared()`` reports True, as in PyTorch."""
    self.__dict__["_shared"] = True
    return self


def is_shared(self) -> bool:
    return self.__dict__.get("_shared", False)


def pin_memory(self, device=None):
    """A copy of this cpu tensor marked pinned (``is_pinned()``), or itself when it is pinned
    already; differentiable, as PyTorch's. ember's host arrays are ordinary NumPy memory (not
    page-locked); copies to cuda work from it all the same. Without a cuda device PyTorch's
    CPU build raises, and so does ember."""
    from .. import cuda

    if not cuda.is_available():
        raise RuntimeError("Cannot access accelerator device when none is available.")
    if self.device.type != "cpu":
        raise RuntimeError(f"cannot pin '{self.type()}' only dense CPU tensors can be pinned")
    if self.__dict__.get("_pinned"):
        return self
    out = self.clone()
    out.__dict__["_pinned"] = True
    return out


def is_pinned(self, device=None) -> bool:
    """Whether ``pin_memory()`` (or ``pin_memory=True``) made this tensor."""
    return self.__dict__.get("_pinned", False)


def mark_pinned(t, pin_memory):
    """``t`` marked pinned for a factory's ``pin_memory=True`` (PyTorch's error without an
    accelerator)."""
    if pin_memory:
        from .. import cuda

        if not cuda.is_available():
            raise RuntimeError(
                "pin_memory=True requires a CUDA or other accelerator backend; no pinned memory "
                "allocator is available on this system."
            )
        if t.device.type != "cpu":
            raise RuntimeError("Only dense CPU tensors can be pinned")
        t.__dict__["_pinned"] = True
    return t


def dim_order(self, *, ambiguity_check=False):
    """The dims from outermost to innermost in memory (by decreasing stride)."""
    strides = self._data.strides
    return tuple(sorted(range(len(strides)), key=lambda i: -strides[i]))


def to_dense(self, dtype=None, *, masked_grad=None):
    """``self``: ember tensors are always dense (strided)."""
    return self if dtype is None else self.to(dtype)


# ----------------------------------------------------------------------------- new / resize
def new(self, *args, **kwargs):
    """The legacy constructor: a tensor of ``self``'s dtype from a size or data, like
    ``FloatTensor(...)``."""
    from .factories import empty, tensor

    dev = kwargs.pop("device", None)
    dev = self.device if dev is None else dev  # the legacy constructor builds on self's device
    if not args:
        return empty(0, dtype=self.dtype, device=dev)
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return empty(*args, dtype=self.dtype, device=dev)
    data = args[0]
    if isinstance(data, Tensor):
        return data
    if isinstance(data, tuple) and all(isinstance(a, int) for a in data) and \
            type(data).__name__ == "Size":
        return empty(*data, dtype=self.dtype, device=dev)
    return tensor(data, dtype=self.dtype, device=dev)


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    from .factories import empty_strided

    return empty_strided(size, stride, dtype=dtype or self.dtype,
                         device=self.device if device is None else device,
                         requires_grad=requires_grad)


def resize_(self, *sizes, memory_format=None):
    """Resize in place, keeping the leading elements (new ones are zero, where PyTorch leaves
    them uninitialised)."""
    from ..tensor import Size

    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list, Size)):
        sizes = tuple(sizes[0])
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    d = self._data
    xp = xp_of(d)
    n = 1
    for s in sizes:
        n *= int(s)
    flat = xp.zeros(n, d.dtype)
    m = min(n, d.size)
    flat[:m] = d.reshape(-1)[:m]
    self._data = flat.reshape(tuple(int(s) for s in sizes))
    self._vc[0] += 1
    return self


def resize_as_(self, the_template, memory_format=None):
    return resize_(self, tuple(the_template.shape))


# ------------------------------------------------------------------------------ apply_ / map_
def _check_python_fn(self, name):
    if self._requires_grad:
        raise RuntimeError(f"Can't call {name}() on Variable that requires grad. Use "
                           f"var.detach().{name}() instead.")


def apply_(self, callable):
    """Replace each element ``v`` with ``callable(v)`` (a Python function; slow, CPU only)."""
    _check_python_fn(self, "apply_")
    d = self._data
    vals = [callable(v) for v in d.reshape(-1).tolist()]
    d[...] = xp_of(d).asarray(vals, dtype=d.dtype).reshape(d.shape)
    self._vc[0] += 1
    return self


def map_(self, tensor, callable):
    """Replace each element ``a`` with ``callable(a, b)``, ``b`` from ``tensor`` broadcast."""
    _check_python_fn(self, "map_")
    d = self._data
    xp = xp_of(d)
    other = xp.broadcast_to(tensor._data, d.shape)
    vals = [callable(a, b) for a, b in zip(d.reshape(-1).tolist(), other.reshape(-1).tolist())]
    d[...] = xp.asarray(vals, dtype=d.dtype).reshape(d.shape)
    self._vc[0] += 1
    return self


# ----------------------------------------------------------------------------- fill_diagonal_
class FillDiagonal(Function):
    """y = x with its main diagonal set to value;  dy/dx = grad with that diagonal zeroed"""

    _builtin = True
    _node_name = "FillDiagonalBackward0"

    @staticmethod
    def forward(ctx, x, value, wrap):
        d = x._data
        if d.ndim < 2:
            raise RuntimeError("dimensions must larger than 1")
        if d.ndim > 2 and len(set(d.shape)) != 1:
            raise RuntimeError("all dimensions of input must be of equal length")
        out = d.copy()
        xp_of(d).fill_diagonal(out, value, wrap=wrap)
        ctx.wrap = wrap
        return make(out)

    @staticmethod
    def backward(ctx, grad_output):
        return FillDiagonal.apply(grad_output, 0, ctx.wrap), None, None


def fill_diagonal_(self, fill_value, wrap=False):
    """Set the main diagonal (all indices equal) to ``fill_value``, in place; ``wrap`` restarts
    it every ``ncols + 1`` rows of a tall matrix, as in PyTorch."""
    return inplace(self, FillDiagonal, fill_value, wrap)
