"""``Parameter``: a Tensor that a Module registers as one of its learnable weights.

Assigning a Parameter as a Module attribute adds it to ``module.parameters()``. It is always a
leaf and requires grad unless told otherwise.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..tensor import Tensor, _init

__all__ = ["Parameter", "Buffer", "UninitializedParameter", "is_lazy"]


class Parameter(Tensor):
    """A Tensor that is a module parameter: ``Parameter(data=None, requires_grad=True)``.

    ``data`` is shared, not copied (as in PyTorch); ``Parameter()`` holds an empty float
    tensor. Ops on a Parameter return plain Tensors.

    Example::

        w = ember.nn.Parameter(ember.zeros(2))
        w            # Parameter containing:\\ntensor([0., 0.], requires_grad=True)
    """

    __slots__ = ()

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            import numpy as np

            data_arr = np.empty((0,), dtype=_dt.get_default_dtype().np)
            vc = [0]
        elif isinstance(data, Tensor):
            data_arr = data._data
            vc = data._vc
        else:
            raise TypeError(
                f"Parameter.__new__() argument 'data' must be Tensor, not {type(data).__name__}"
            )
        p = object.__new__(cls)
        _init(p, data_arr)
        p._vc = vc
        if requires_grad:
            p.requires_grad_(True)
        return p

    def __init__(self, data=None, requires_grad=True):
        pass

    def requires_grad_(self, requires_grad: bool = True):
        if requires_grad and self._data.dtype.kind not in "fc" and self.dtype is not _dt.bfloat16:
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        return Tensor.requires_grad_(self, requires_grad)

    def __repr__(self):
        return "Parameter containing:\n" + Tensor.__repr__(self)

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        p = type(self)(Tensor._make(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            p._grad = Tensor._make(self._grad._data.copy())
        memo[id(self)] = p
        return p

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter, (self._data, self._requires_grad))


def _rebuild_parameter(arr, requires_grad):
    return Parameter(Tensor._make(arr), requires_grad)


class _BufferMeta(type):
    # ``isinstance(t, Buffer)`` is true for the tensors ``Buffer(...)`` returned, as in PyTorch
    def __instancecheck__(cls, instance):
        return isinstance(instance, Tensor) and instance.__dict__.get("_is_buffer", False)


class Buffer(metaclass=_BufferMeta):
    """Marks a tensor as a buffer when assigned to a Module attribute:
    ``module.running = nn.Buffer(t, persistent=True)``.

    Like PyTorch, ``Buffer(t)`` returns a plain Tensor (a detached alias of ``t``) carrying the
    mark; ``persistent=False`` keeps it out of ``state_dict``.
    """

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            import numpy as np

            data = Tensor._make(np.empty((0,), dtype=_dt.get_default_dtype().np))
        t = data.detach()
        t._requires_grad = data._requires_grad
        t.__dict__["persistent"] = persistent
        t.__dict__["_is_buffer"] = True
        return t


_UNINIT_MSG = (
    "Can't access the shape of an uninitialized parameter or buffer. This error usually happens "
    "in `load_state_dict` when trying to load an uninitialized parameter into an initialized "
    "one. Call `forward` to initialize the parameters before accessing their attributes."
)


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (the lazy modules' weights).
    ``materialize(shape)`` gives it memory and turns it into a plain ``Parameter`` in place,
    so optimizers and other holders of the object see the materialized parameter."""

    __slots__ = ()
    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        import numpy as np

        arr = np.empty((0,), dtype=(dtype or _dt.get_default_dtype()).np)
        return Parameter.__new__(cls, Tensor._make(arr), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def materialize(self, shape, device=None, dtype=None) -> None:
        """Allocate (uninitialised) memory of ``shape`` and become a ``Parameter``."""
        import numpy as np

        shape = (shape,) if isinstance(shape, int) else tuple(shape)
        np_dtype = dtype.np if dtype is not None else self._data.dtype
        self._data = np.empty(shape, dtype=np_dtype)
        self.__class__ = self.cls_to_become

    @property
    def shape(self):
        raise RuntimeError(_UNINIT_MSG)

    def size(self, dim=None):
        raise RuntimeError(_UNINIT_MSG)

    def numel(self):
        raise RuntimeError(_UNINIT_MSG)

    def __repr__(self):
        return "<UninitializedParameter>"

    def __deepcopy__(self, memo):
        return type(self)(self._requires_grad, dtype=_dt.from_numpy_dtype(self._data.dtype))


def is_lazy(param) -> bool:
    """True for a parameter that is not materialized yet."""
    return isinstance(param, UninitializedParameter)
