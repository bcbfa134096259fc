"""``Tensor``: an array, its dtype and device, and its place in the autograd graph.

A Tensor holds an array (``_data``; NumPy now, CuPy later), ``requires_grad``, ``grad``, and
``grad_fn`` (the node that made it; None for a leaf). Views share the array memory and the
version counter (``_vc``) of their base. Arithmetic dunders only dispatch to the ops in
``ember.ops``; every other method is attached by those modules.
"""

from __future__ import annotations

import numpy as _np  # only for building arrays from Python data; ops use their input's xp

from . import dtypes as _dt
from .autograd import dispatch as _door
from .autograd import function as _fn
from .autograd.dispatch import _PROCEED
from .autograd.grad_mode import _InferenceVersion, _new_version, _state
from .autograd.grad_mode import inference_blocks as _inference_blocks
from .utils.hooks import add_hook

_new = object.__new__
_ndarray = _np.ndarray


def _as_array(x):
    """NumPy returns scalars, not 0-d arrays, from ufuncs and reductions on 0-d input."""
    if isinstance(x, _np.generic):
        return _np.asarray(x)
    return x  # an array of another backend


class Size(tuple):
    """A tensor's shape: a tuple of ints, printed as ``torch.Size([2, 3])``."""

    __slots__ = ()

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __repr__(self):
        return f"torch.Size({list(self)})"

    def __getitem__(self, key):
        r = tuple.__getitem__(self, key)
        return Size(r) if isinstance(key, slice) else r

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __radd__(self, other):
        return Size(tuple(other) + tuple(self))


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Build one with ``ember.tensor(data)``, ``ember.zeros(...)``, ``ember.randn(...)``.
    ``Tensor(*sizes)`` makes an uninitialised float tensor and ``Tensor(list)`` a float tensor
    from data, as ``torch.Tensor`` does.

    Example::

        x = ember.tensor([1., 2.], requires_grad=True)
        (x * x).sum().backward()
        x.grad        # tensor([2., 4.])
    """

    # Every tensor sets the slots; the rarely used fields are class defaults, overridden in
    # the instance __dict__ when set (views, leaves' AccumulateGrad, hooks), so creating a
    # tensor costs a few writes.
    __slots__ = ("_data", "_requires_grad", "_grad_fn", "_vc", "__dict__", "__weakref__")
    _output_nr = 0
    _grad = None
    _base = None
    _view_fn = None
    _acc = None
    _hooks = None
    _post_acc_hooks = None
    _retains_grad = False
    __array_priority__ = 1000  # ndarray (op) Tensor defers to Tensor's reflected operator

    def __new__(cls, *args, **kwargs):
        return _new(cls)

    def __init__(self, *args, dtype=None, device=None):
        if len(args) == 1 and not isinstance(args[0], int):
            data = args[0]
            arr = data._data.copy() if isinstance(data, Tensor) else _np.asarray(
                data, dtype=_dt.get_default_dtype().np)
        else:
            arr = _np.empty(tuple(args), dtype=(dtype or _dt.get_default_dtype()).np)
        if device is not None and str(device) != "cpu":
            from .backend import to_device

            arr = to_device(arr, device)
        _init(self, arr)

    @staticmethod
    def _make(arr, requires_grad=False):
        """Wrap an array (no copy) as a new tensor; the fast constructor used by every op."""
        if arr.__class__ is not _ndarray:
            arr = _as_array(arr)
        t = _new(Tensor)
        t._data = arr
        t._requires_grad = requires_grad
        t._grad_fn = None
        t._vc = _new_version() if _inference_blocks[0] else [0]
        return t

    @staticmethod
    def _dtype_of_np(np_dtype):
        return _dt.from_numpy_dtype(np_dtype)

    def _alias(self):
        """A new tensor object on the same memory and version counter (not on the graph)."""
        t = Tensor._make(self._data)
        t._vc = self._vc
        t._base = self._base if self._base is not None else self
        t._view_fn = _identity_view
        return t

    # ----- basic properties -----------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim=None):
        """The shape, or the length of dimension ``dim``."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    @property
    def dtype(self):
        return _dt.from_numpy_dtype(self._data.dtype)

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def dim(self) -> int:
        return self._data.ndim

    ndimension = dim

    def numel(self) -> int:
        return int(self._data.size)

    nelement = numel

    def element_size(self) -> int:
        return self._data.itemsize

    def is_floating_point(self) -> bool:
        return self._data.dtype.kind == "f" or self.dtype is _dt.bfloat16

    def is_complex(self) -> bool:
        return self._data.dtype.kind == "c"

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad_fn(self):
        return self._grad_fn

    @property
    def output_nr(self) -> int:
        return self._output_nr

    @property
    def _version(self) -> int:
        vc = self._vc
        if vc.__class__ is _InferenceVersion:
            raise RuntimeError("Inference tensors do not track version counter.")
        return vc[0]

    def is_inference(self) -> bool:
        """True for a tensor made inside ``inference_mode()`` (or a view of one)."""
        return self._vc.__class__ is _InferenceVersion

    @property
    def is_sparse(self) -> bool:
        return False

    @property
    def layout(self):
        from ._api_misc import strided

        return strided

    # ----- requires_grad and grad -------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value):
        if value and self._data.dtype.kind not in "fc" and self.dtype is not _dt.bfloat16:
            # PyTorch's setter names complex too; requires_grad_() does not
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        self.requires_grad_(value)

    def requires_grad_(self, requires_grad: bool = True):
        """Set ``requires_grad`` in place (leaves only, float or complex dtypes only)."""
        requires_grad = bool(requires_grad)
        if self._grad_fn is not None:
            if not requires_grad:
                raise RuntimeError(
                    "you can only change requires_grad flags of leaf variables. If you want to "
                    "use a computed variable in a subgraph that doesn't require differentiation "
                    "use var_no_grad = var.detach()."
                )
            return self
        if requires_grad and self._data.dtype.kind not in "fc" and self.dtype is not _dt.bfloat16:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if requires_grad and self._vc.__class__ is _InferenceVersion and not _state.inference:
            raise RuntimeError("Setting requires_grad=True on inference tensor outside "
                               "InferenceMode is not allowed.")
        self._requires_grad = requires_grad
        return self

    @property
    def grad(self):
        g = self._grad
        if g is None and self._grad_fn is not None and not self._retains_grad:
            import warnings

            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed "
                "want the .grad field to be populated for a non-leaf Tensor, use .retain_grad() "
                "on the non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure "
                "you access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 "
                "for more information.", UserWarning, stacklevel=2)
        return g

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value._data.shape != self._data.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value._data.shape)}' to a "
                    f"tensor of size '{list(self._data.shape)}'. Please ensure that the gradient "
                    "and the tensor are the same size"
                )
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype '{_c_type_name(value)}' to a "
                    f"tensor with grad_dtype '{_fn._type_desc(self)[6:].split('Tensor')[0]}'. "
                    "The gradient must match the tensor's grad_dtype (defaults to the tensor's "
                    "dtype)."
                )
        self._grad = value

    @grad.deleter
    def grad(self):
        self._grad = None

    def retain_grad(self):
        """Keep this non-leaf tensor's gradient in ``.grad`` during backward."""
        if self._grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        if self._retains_grad:
            return
        self._retains_grad = True
        node = self._grad_fn
        if node._tensor_prehooks is None:
            node._tensor_prehooks = {}
        retains = node.__dict__.setdefault("_retains", {})
        import weakref

        retains[self._output_nr] = weakref.ref(self)
        node._tensor_prehooks.setdefault(self._output_nr, {})

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def register_hook(self, hook):
        """``hook(grad)`` runs when this tensor's gradient is computed; it may return a new one.

        Returns a handle whose ``remove()`` unregisters the hook.
        """
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._grad_fn is None:
            if self._hooks is None:
                self._hooks = {}
            return add_hook(self._hooks, hook)
        return self._grad_fn._add_tensor_prehook(self._output_nr, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """``hook(tensor)`` runs after a leaf's ``.grad`` has been accumulated."""
        if self._grad_fn is not None:
            raise RuntimeError(
                "post accumulate grad hooks cannot be registered on non-leaf tensors"
            )
        if not self._requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self._post_acc_hooks is None:
            self._post_acc_hooks = {}
        return add_hook(self._post_acc_hooks, hook)

    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Compute the gradient of this tensor w.r.t. graph leaves, summed into their ``.grad``.

        A non-scalar tensor needs ``gradient`` (the vector of the vector-Jacobian product).
        """
        _autograd.backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def detach(self):
        """A new tensor on the same memory, cut from the graph (``requires_grad=False``)."""
        t = Tensor._make(self._data)
        t._vc = self._vc
        return t

    def detach_(self):
        if self._base is not None and self._base._requires_grad:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead."
            )
        self._grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        # unlike detach(), its own version counter (as PyTorch): in-place changes through
        # ``x.data`` are invisible to autograd's saved-tensor checks
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data
        if self._acc is not None:  # its cached edge (function._apply) lets the old array go
            self._acc._edge_of = None

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        from ._tensor_str import _str

        return _str(self, tensor_contents=tensor_contents)

    # ----- Tensor subclasses: PyTorch's extension point ------------------------------------
    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "__torch_function__" in cls.__dict__:
            _door.note_override_type(cls)

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        """PyTorch's default: run ``func`` with subclass dispatch off, and hand Tensor results
        back as ``cls`` (a subclass overrides this and calls ``super()``)."""
        if kwargs is None:
            kwargs = {}
        if not all(issubclass(cls, t) for t in types):
            return NotImplemented
        with _door.DisableTorchFunctionSubclass():
            ret = func(*args, **kwargs)
            if func in _NO_WRAP:
                return ret
            return _convert(ret, cls)

    @staticmethod
    def _make_subclass(cls, data, require_grad=False):
        """A ``cls`` instance on ``data``'s memory, a leaf (``torch.Tensor._make_subclass``)."""
        t = _new(cls)
        _init(t, data._data)
        t._vc = data._vc
        t._requires_grad = bool(require_grad)
        return t

    def as_subclass(self, cls):
        """This tensor as an instance of ``cls``: same memory, same place in the graph."""
        t = _new(cls)
        t._data = self._data
        t._requires_grad = self._requires_grad
        t._grad_fn = self._grad_fn
        t._vc = self._vc
        t.__dict__.update(self.__dict__)
        if self._grad_fn is not None:
            t._output_nr = self._output_nr
        elif self._requires_grad:
            t._acc = self._acc if self._acc is not None else _fn.AccumulateGrad(self)
            if self._acc is None:
                self._acc = t._acc
        return t

    # ----- operators: the public layer (__torch_function__, modes), then the op itself --------
    def __add__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__add__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Add, self, other)

    def __radd__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__radd__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Add, self, other)

    def __sub__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__sub__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Sub, self, other)

    def __rsub__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__rsub__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Sub, other, self)

    def __mul__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__mul__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Mul, self, other)

    def __rmul__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__rmul__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Mul, self, other)

    def __truediv__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__truediv__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Div, self, other)

    def __rtruediv__(self, other):
        # PyTorch computes ``number / t`` as ``t.reciprocal() * number``: the node is
        # MulBackward0 and it saves the reciprocal, not t
        if _door.busy:
            res = _door.api_dispatch(Tensor.__rtruediv__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Mul, _ops.reciprocal(self), other)

    def __floordiv__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__floordiv__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.floor_divide(self, other)

    def __rfloordiv__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__rfloordiv__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.floor_divide(other, self)

    def __mod__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__mod__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.remainder(self, other)

    def __rmod__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__rmod__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.remainder(other, self)

    def __pow__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__pow__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Pow, self, other)

    def __rpow__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__rpow__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _apply(Pow, other, self)

    def __matmul__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__matmul__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.matmul(self, other)

    def __rmatmul__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__rmatmul__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.matmul(other, self)

    def __neg__(self):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__neg__, (self,), None)
            if res is not _PROCEED:
                return res
        return _apply(Neg, self)

    def __pos__(self):
        return self

    def __abs__(self):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__abs__, (self,), None)
            if res is not _PROCEED:
                return res
        return _ops.abs(self)

    def __invert__(self):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__invert__, (self,), None)
            if res is not _PROCEED:
                return res
        return _ops.bitwise_not(self)

    def __and__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__and__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.bitwise_and(self, other)

    __rand__ = __and__

    def __or__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__or__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.bitwise_or(self, other)

    __ror__ = __or__

    def __xor__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__xor__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ops.bitwise_xor(self, other)

    __rxor__ = __xor__

    def __iadd__(self, other):
        return self.add_(other)

    def __isub__(self, other):
        return self.sub_(other)

    def __imul__(self, other):
        return self.mul_(other)

    def __itruediv__(self, other):
        return self.div_(other)

    def __ipow__(self, other):
        return self.pow_(other)

    def __eq__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__eq__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _eq(self, other)

    def __ne__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__ne__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ne(self, other)

    def __lt__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__lt__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _lt(self, other)

    def __le__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__le__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _le(self, other)

    def __gt__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__gt__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _gt(self, other)

    def __ge__(self, other):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__ge__, (self, other), None)
            if res is not _PROCEED:
                return res
        return _ge(self, other)

    def __getitem__(self, key):
        if _door.busy:
            res = _door.api_dispatch(Tensor.__getitem__, (self, key), None)
            if res is not _PROCEED:
                return res
        return _ops.getitem(self, key)

    def __setitem__(self, key, value):
        _ops.setitem(self, key, value)


def _convert(ret, cls):
    """Tensor results as ``cls`` (nested in tuples and lists), as PyTorch's ``_convert``."""
    if cls is Tensor:
        return ret
    if isinstance(ret, Tensor) and not isinstance(ret, cls):
        return ret.as_subclass(cls)
    if isinstance(ret, (tuple, list)):
        return type(ret)(_convert(r, cls) for r in ret) if type(ret) in (tuple, list) else ret
    return ret


def _c_type_name(t):
    """The C++ scalar type name PyTorch's messages use ('float', 'double', 'long int')."""
    names = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
             "int32": "int", "int16": "short int", "int8": "signed char",
             "uint8": "unsigned char", "bool": "bool", "complex64": "c10::complex<float>",
             "complex128": "c10::complex<double>"}
    return names.get(t._data.dtype.name, t._data.dtype.name)


def _identity_view(t):
    return t._alias()


def _init(t, arr):
    t._data = arr
    t._requires_grad = False
    t._grad_fn = None
    t._vc = _new_version() if _inference_blocks[0] else [0]


def _rebuild(arr, requires_grad):
    t = Tensor._make(arr)
    t._requires_grad = requires_grad
    return t


def _wrap_dim(dim, ndim):
    """A dimension index in ``[-ndim, ndim)`` as a non-negative int (IndexError otherwise)."""
    n = max(ndim, 1)
    if dim < -n or dim >= n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim + n if dim < 0 else dim


_fn.Tensor = Tensor
_door._tensor_tf = Tensor.__torch_function__
# results handed back as they are by the default __torch_function__ (PyTorch's
# get_default_nowrap_functions: the .grad property and friends)
_NO_WRAP = {Tensor.__getattribute__, Tensor.__setattr__}

from . import autograd as _autograd  # noqa: E402
from . import ops as _ops  # noqa: E402  (the ops need the class above)
from .ops.pointwise.arithmetic import Add, Div, Mul, Neg, Pow, Sub  # noqa: E402
from .ops.pointwise.compare import eq as _eq, ge as _ge, gt as _gt, le as _le, lt as _lt, ne as _ne  # noqa: E402

# the dunders call ``function._apply`` (what their ops' ``apply`` is) directly: a plain
# Python-to-Python call, cheaper than a bound classmethod's
_apply = _fn._apply
