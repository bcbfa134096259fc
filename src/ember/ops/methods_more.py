"""More ``Tensor`` methods: the new maths of ``math_more``/``compose_more`` as methods and
in-place variants, device and memory predicates (``is_cpu``, ``data_ptr``, ``nbytes``...),
the legacy ``new``, ``apply_``/``map_``, ``fill_diagonal_`` and ``resize_``. Routing only; a
name already on ``Tensor`` is left alone.
"""

from __future__ import annotations

from ..autograd.function import Function
from . import compose_more as CM
from . import math_more as MM
from ._util import Tensor, _state, make, xp_of
from .inplace import check_write, inplace


def _composite_inplace(fn):
    """An in-place method from an out-of-place composite op: the op runs on a clone (so the
    nodes it records never save ``self``), and the result is copied in (one CopyBackwards)."""

    def method(self, *args, **kwargs):
        from .methods import Copy

        recording = _state.enabled and (self._requires_grad or any(
            isinstance(a, Tensor) and a._requires_grad for a in args))
        src = fn(self.clone() if recording else self, *args, **kwargs)
        check_write(self, src._data)
        return inplace(self, Copy, src)

    method.__name__ = fn.__name__ + "_"
    return method


def _inplace_fn(cls):
    def method(self, *args):
        return inplace(self, cls, *args)

    return method


def _xlogy_(self, other):
    if not isinstance(other, Tensor):
        other = MM._scalar_like(other, self)
    return inplace(self, MM.Xlogy, other)


def _copysign_(self, other):
    return inplace(self, MM.Copysign, other)


def _int_inplace(fn):
    def method(self, other):
        res = fn(self, other)
        check_write(self, res._data)
        self._data[...] = res._data
        self._vc[0] += 1
        return self

    return method


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
    """PyTorch's CPU build has no accelerator to pin for, and raises; so does ember."""
    raise RuntimeError("Cannot access accelerator device when none is available.")


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
    from .creation import empty, tensor

    if kwargs.pop("device", None) not in (None, "cpu"):
        from ..backend import xp_for_device

        xp_for_device("cuda")
    if not args:
        return empty(0, dtype=self.dtype)
    if all(isinstance(a, int) and not isinstance(a, bool) for a in args):
        return empty(*args, dtype=self.dtype)
    data = args[0]
    if isinstance(data, Tensor):
        return data
    if isinstance(data, tuple) and all(isinstance(a, int) for a in data) and \
            type(data).__name__ == "Size":
        return empty(*data, dtype=self.dtype)
    return tensor(data, dtype=self.dtype)


def new_empty_strided(self, size, stride, *, dtype=None, device=None, requires_grad=False,
                      layout=None, pin_memory=False):
    from .creation_more import empty_strided

    return empty_strided(size, stride, dtype=dtype or self.dtype, device=device,
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


# ------------------------------------------------------------------------------------ table
def _table():
    from .._api_aliases import conj_physical, unsafe_chunk, unsafe_split, unsafe_split_with_sizes
    from . import elementwise as E
    from . import linalg as L

    def _hardshrink(self, lambd=0.5):
        from ..nn import functional as F

        return F.hardshrink(self, lambd)

    def _prelu(self, weight):
        from .nn_ops import prelu

        return prelu(self, weight)

    def _divide_(self, other, *, rounding_mode=None):
        if rounding_mode is None:
            return self.div_(other)
        return _composite_inplace(lambda s, o: E.div(s, o, rounding_mode=rounding_mode))(
            self, other)

    def _conj_physical_(self):
        if not self.is_complex():
            return self
        return _composite_inplace(conj_physical)(self)

    def _mvlgamma_(self, p):
        return _composite_inplace(MM.mvlgamma)(self, p)

    def _ldexp_(self, other):
        return _composite_inplace(MM.ldexp)(self, other)

    return {
        # maths (math_more) and their in-place variants
        "xlogy": MM.xlogy, "xlogy_": _xlogy_, "copysign": MM.copysign,
        "copysign_": _copysign_, "logaddexp": MM.logaddexp, "logaddexp2": MM.logaddexp2,
        "sinc": MM.sinc, "sinc_": _inplace_fn(MM.Sinc), "heaviside": MM.heaviside,
        "heaviside_": _inplace_fn(MM.Heaviside), "gcd": MM.gcd, "gcd_": _int_inplace(MM.gcd),
        "lcm": MM.lcm, "lcm_": _int_inplace(MM.lcm), "signbit": MM.signbit,
        "deg2rad": MM.deg2rad, "deg2rad_": _composite_inplace(MM.deg2rad),
        "rad2deg": MM.rad2deg, "rad2deg_": _composite_inplace(MM.rad2deg),
        "nextafter": MM.nextafter, "nextafter_": _inplace_fn(MM.Nextafter),
        "frexp": MM.frexp, "ldexp": MM.ldexp, "ldexp_": _ldexp_, "i0": MM.i0,
        "i0_": _inplace_fn(MM.I0), "angle": MM.angle, "positive": MM.positive,
        "mvlgamma": MM.mvlgamma, "mvlgamma_": _mvlgamma_,
        # composites (compose_more)
        "diff": CM.diff, "dist": CM.dist, "cov": CM.cov, "corrcoef": CM.corrcoef,
        "histogram": CM.histogram, "renorm": CM.renorm, "renorm_": _composite_inplace(CM.renorm),
        "matrix_exp": CM.matrix_exp, "diagflat": CM.diagflat, "slice_scatter": CM.slice_scatter,
        "select_scatter": CM.select_scatter, "diagonal_scatter": CM.diagonal_scatter,
        "as_strided": CM.as_strided, "nonzero_static": CM.nonzero_static,
        "cholesky_solve": CM.cholesky_solve, "cholesky_inverse": CM.cholesky_inverse,
        "adjoint": CM.adjoint,
        # aliases
        "ravel": lambda self: self.reshape(-1), "unsafe_chunk": unsafe_chunk,
        "unsafe_split": unsafe_split, "unsafe_split_with_sizes": unsafe_split_with_sizes,
        "narrow_copy": lambda self, dim, start, length: self.narrow(dim, start, length).clone(),
        "hardshrink": _hardshrink, "prelu": _prelu, "conj_physical": conj_physical,
        "conj_physical_": _conj_physical_, "resolve_conj": lambda self: self,
        "resolve_neg": lambda self: self, "divide_": _divide_,
        "true_divide_": lambda self, other: self.div_(other),
        "multiply_": lambda self, other: self.mul_(other),
        "subtract_": lambda self, other, *, alpha=1: self.sub_(other, alpha=alpha),
        "addmm_": _composite_inplace(L.addmm), "addmv_": _composite_inplace(L.addmv),
        "addbmm_": _composite_inplace(L.addbmm), "baddbmm_": _composite_inplace(L.baddbmm),
        "addr_": _composite_inplace(L.addr),
        # predicates and memory
        "is_conj": _false, "is_neg": _false, "is_nonzero": is_nonzero,
        "is_same_size": is_same_size, "is_signed": is_signed, "is_set_to": is_set_to,
        "is_shared": is_shared, "share_memory_": share_memory_, "is_pinned": _false,
        "pin_memory": pin_memory, "get_device": get_device, "data_ptr": data_ptr,
        "const_data_ptr": data_ptr, "dim_order": dim_order, "to_dense": to_dense,
        "is_cpu": property(lambda self: self.device.type == "cpu"),
        "is_meta": property(_false), "is_quantized": property(_false),
        "is_mkldnn": property(_false), "is_mps": property(_false), "is_xla": property(_false),
        "is_xpu": property(_false), "is_vulkan": property(_false), "is_ipu": property(_false),
        "is_maia": property(_false), "is_mtia": property(_false), "is_nested": property(_false),
        "is_sparse_csr": property(_false),
        "itemsize": property(lambda self: self._data.dtype.itemsize),
        "nbytes": property(lambda self: self._data.dtype.itemsize * self._data.size),
        "new": new, "new_empty_strided": new_empty_strided, "resize_": resize_,
        "resize_as_": resize_as_, "apply_": apply_, "map_": map_,
        "fill_diagonal_": fill_diagonal_,
    }


ADDED_METHODS: list[str] = []

for _name, _fn in _table().items():
    if _name not in Tensor.__dict__ and not hasattr(Tensor, _name):
        setattr(Tensor, _name, _fn)
        ADDED_METHODS.append(_name)
