"""``torch.overrides``: ``__torch_function__`` on Tensor subclasses and Tensor-like types, and
``TorchFunctionMode``.

Every public op of ember (``ember.*`` functions, ``ember.nn.functional``, Tensor methods and
operators) is an entry of the public layer of the dispatch door (``autograd/dispatch.py``):
while a ``TorchFunctionMode`` is active on this thread, or an argument's type defines its own
``__torch_function__``, the call goes there instead of running, as in PyTorch.

Example (PyTorch's docs)::

    class FunctionLog(TorchFunctionMode):
        def __torch_function__(self, func, types, args=(), kwargs=None):
            print(f"Function Log: {resolve_name(func)}(*{args}, **{kwargs})")
            return func(*args, **(kwargs or {}))

    with FunctionLog():
        ember.add(ember.ones(2), 1)      # Function Log: torch.add(...)
"""

from __future__ import annotations

from .autograd import dispatch as _door

__all__ = ["TorchFunctionMode", "get_default_nowrap_functions", "handle_torch_function",
           "has_torch_function", "has_torch_function_unary", "has_torch_function_variadic",
           "is_tensor_like", "resolve_name"]


class TorchFunctionMode(_door.DispatchMode):
    """A mode whose ``__torch_function__(func, types, args, kwargs)`` sees every public call
    made on this thread while it is active (it is popped while its handler runs)."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        raise NotImplementedError(
            f"{type(self).__name__} must implement __torch_function__ (the base TorchFunctionMode "
            "has no default)")

    def __ember_op__(self, func, args, kwargs):
        types = tuple(_door._override_args(args, kwargs))
        return self.__torch_function__(func, types, args, kwargs)

    @classmethod
    def push(cls, *args, **kwargs):
        mode = cls(*args, **kwargs)
        _door.push(mode)
        return mode


def _types_of(relevant_args):
    return _door._override_args(tuple(relevant_args), None)


def has_torch_function(relevant_args) -> bool:
    """Whether a mode or an argument's type would take a call with these arguments."""
    if _door.tls.no_tf:
        return False
    return bool(_door.tls.api) or bool(_types_of(relevant_args))


def has_torch_function_unary(arg) -> bool:
    return has_torch_function((arg,))


def has_torch_function_variadic(*args) -> bool:
    return has_torch_function(args)


def handle_torch_function(public_api, relevant_args, *args, **kwargs):
    """Hand a call of ``public_api`` to the active mode or the overriding types (for
    functions users write that should dispatch as PyTorch's own do)."""
    res = _door.api_dispatch(public_api, args, kwargs)
    if res is _door._PROCEED:
        raise TypeError(
            f"no implementation found for '{resolve_name(public_api)}' on types that implement "
            f"__torch_function__: {_types_of(relevant_args)}")
    return res


def is_tensor_like(inp) -> bool:
    """A Tensor, or an object whose type defines ``__torch_function__``."""
    from .tensor import Tensor

    return isinstance(inp, Tensor) or hasattr(type(inp), "__torch_function__")


def get_default_nowrap_functions():
    """Functions whose results the default ``Tensor.__torch_function__`` does not convert."""
    from .tensor import _NO_WRAP

    return set(_NO_WRAP)


def resolve_name(f):
    """``torch.add``, ``torch.Tensor.add``, ``torch.nn.functional.relu``...: the name PyTorch
    gives a public function (ember's modules spelled as torch's)."""
    from .tensor import Tensor

    name = getattr(f, "__name__", None)
    qual = getattr(f, "__qualname__", name)
    if name is None:
        return None
    if qual and qual.startswith("Tensor.") or getattr(Tensor, name, None) is f:
        return f"torch.Tensor.{name}"
    mod = getattr(f, "__module__", "") or ""
    if mod.startswith("ember.nn.functional") or mod.startswith("ember.nn._functional"):
        return f"torch.nn.functional.{name}"
    for public in ("linalg", "special", "fft"):
        if mod.startswith(f"ember.{public}"):
            return f"torch.{public}.{name}"
    return f"torch.{name}"
