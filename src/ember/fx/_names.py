"""How fx spells a callable: ``torch.cat``, ``torch.nn.functional.relu``, ``operator.add``.

ember's public functions live in internal modules (``ember.ops.shape.cat``), but a graph prints
and generates code the way PyTorch's does, with the public path under the name ``torch``
(generated code runs with ``torch`` bound to ember). The map from object to public path is
built once, the first time fx needs it.
"""

from __future__ import annotations

import builtins
import operator
import re

_public: dict[int, str] | None = None

# Public namespaces searched for a callable, most specific last so it wins.
_NAMESPACES = ("", "linalg", "special", "fft", "nn.functional")


def _public_paths() -> dict[int, str]:
    global _public
    if _public is None:
        import importlib

        found: dict[int, str] = {}
        for ns in _NAMESPACES:
            try:
                mod = importlib.import_module("ember." + ns if ns else "ember")
            except ImportError:
                continue
            prefix = "torch." + ns if ns else "torch"
            for name, obj in vars(mod).items():
                if name.startswith("_") or not callable(obj) or isinstance(obj, type):
                    continue
                own = getattr(obj, "__name__", None)
                # Prefer the name the object calls itself (cat over concat), else the first.
                if id(obj) not in found or (own == name and ns != "nn.functional"):
                    found[id(obj)] = f"{prefix}.{name}"
        _public = found
    return _public


def public_path(obj) -> str | None:
    """``torch.<path>`` of an ember public callable, or None."""
    mod = getattr(obj, "__module__", None) or ""
    if not (mod == "ember" or mod.startswith("ember.")):
        return None
    path = _public_paths().get(id(obj))
    if path is None:
        from ember import Tensor

        name = getattr(obj, "__name__", None)
        if name and getattr(Tensor, name, None) is obj:
            return f"torch.Tensor.{name}"
    return path


def qualified_name(func) -> str:
    """The name a graph uses for ``func`` (PyTorch's ``_get_qualified_name``)."""
    name = getattr(func, "__name__", None)
    if name is not None and getattr(builtins, name, None) is func:
        return name
    path = public_path(func)
    if path is not None:
        return path
    if isinstance(func, type):
        mod = func.__module__
        if mod.startswith("ember."):
            return "torch." + func.__qualname__ if hasattr(__import__("ember"),
                                                            func.__name__) else \
                f"{mod}.{func.__qualname__}"
        return f"{mod}.{func.__qualname__}"
    if name == "<lambda>":
        import inspect

        try:
            name = inspect.getsource(func).split("=")[0].strip()
        except Exception as e:  # noqa: BLE001 - PyTorch raises this for a lambda without source
            raise RuntimeError("Unable to represent lambda") from e
    mod = getattr(func, "__module__", None)
    if mod == "_operator":
        mod = "operator"
    return f"{mod}.{name}"


def pretty_target(target) -> str:
    """``print(graph)``'s spelling of a call_function target."""
    if isinstance(target, str):
        return target
    name = getattr(target, "__name__", None)
    if name is not None and getattr(builtins, name, None) is target:
        return f"builtins.{name}"
    if name is not None and getattr(operator, name, None) is target and \
            getattr(target, "__module__", None) == "_operator":
        return f"operator.{name}"
    return qualified_name(target)


_snake_re = re.compile(r"(?<=[a-z])([A-Z])")


def snake_case(s: str) -> str:
    """``MyModule`` -> ``my_module`` (node names from module class names)."""
    return _snake_re.sub(r"_\1", s).lower()
