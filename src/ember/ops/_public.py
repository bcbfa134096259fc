"""Where the public namespaces become entries of the dispatch door (``autograd/dispatch.py``).

Each public namespace (``ember``, ``ember.nn.functional``, ``ember.linalg``, ``ember.special``)
calls :func:`publish` once, after it is assembled, and the Tensor method table
(``tensor_methods.py``) calls :func:`method` per method: every op a user can call by name is then
a ``dispatch.public`` entry (``__torch_function__``, ``TorchFunctionMode``, the profiler and fx
see the call), spelt as PyTorch spells it (``torch.add`` and ``torch.Tensor.add`` are distinct
callables, the latter with ``__qualname__ == "Tensor.add"``), and parsing its arguments as
PyTorch's argument parser does (``ops/_args.py``): NumPy-style keyword aliases on the built-in
ops, and the argument checks of a family.

The op modules themselves stay plain functions: ops call each other without the door.
"""

from __future__ import annotations

import types

from ..autograd import dispatch as _door
from . import _args

# Modules whose functions are ops when a namespace exports them.
_OP_MODULES = ("ember.ops.", "ember._api_aliases", "ember.nn.", "ember.linalg", "ember.special")
# Exported functions of those modules that are not ops (no tensor to dispatch on): PyTorch's
# RNG-state and settings functions do not consult __torch_function__ either.
_NOT_OPS = frozenset({
    "manual_seed", "seed", "initial_seed", "get_rng_state", "set_rng_state",
})
# Functions defined elsewhere that PyTorch's C++ layer dispatches (torch.numel...).
_ALSO = frozenset({
    "numel", "is_floating_point", "is_complex", "is_nonzero", "is_same_size", "is_signed",
    "is_inference", "is_conj", "is_neg", "get_device",
})


def _is_op(name, obj):
    if name.startswith("_") or type(obj) is not types.FunctionType or name in _NOT_OPS:
        return False
    mod = obj.__module__ or ""
    return name in _ALSO or mod.startswith(_OP_MODULES)


def publish(namespace: dict, module: str) -> None:
    """Replace every op of ``namespace`` (a module's ``globals()``) by its public entry, named
    as the namespace exports it (``module``). Names bound to one function share one entry."""
    made = {}
    for name, obj in list(namespace.items()):
        if not _is_op(name, obj) or getattr(obj, "__ember_public__", False):
            continue
        key = id(obj)
        if key not in made:
            # the name the function has when the namespace exports it under that name (cat
            # for cat/concat/concatenate), else this one (a function made by a factory)
            own = obj.__name__ if namespace.get(obj.__name__) is obj else name
            made[key] = _door.public(obj, name=own, qualname=own, module=module,
                                     aliases=_args.aliases(obj, module, own),
                                     check=_args.checks(obj, module, own))
        namespace[name] = made[key]


def method(name: str, fn):
    """The public entry of ``Tensor.<name>`` (its own callable, distinct from the function)."""
    if isinstance(fn, property) or not callable(fn):
        return fn
    return _door.public(fn, name=name, qualname=f"Tensor.{name}", module=fn.__module__,
                        aliases=_args.aliases(fn, "Tensor", name),
                        check=_args.checks(fn, "Tensor", name))
