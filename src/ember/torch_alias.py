"""Serve ``import torch`` (and every ``torch.*`` module) from ember, for the whole process.

``install_as_torch()`` puts an import hook (a ``MetaPathFinder``) first on ``sys.meta_path``:
``import torch`` gives the ``ember`` module, ``import torch.nn.functional as F`` gives
``ember.nn.functional``, ``from torch.utils.data import DataLoader`` gives ember's DataLoader —
the very module objects, so ``torch.nn is ember.nn``. A ``torch.X`` that ember does not have
raises ``ModuleNotFoundError`` naming ember; real PyTorch is never loaded in its place. This is
what ``python -m ember script.py`` does before running the script.

Nothing of ember itself is patched: the hook only answers imports of the name ``torch``.

Example::

    import ember
    ember.install_as_torch()
    import torch                    # ember
    from torch import nn            # ember.nn
    import torch.nn.functional as F # ember.nn.functional
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import types

__all__ = ["install_as_torch", "is_installed", "uninstall_as_torch"]


class _AliasLoader(importlib.abc.Loader):
    """Hands the import system an already-imported ember module."""

    def __init__(self, module: types.ModuleType):
        self.module = module
        self.spec = getattr(module, "__spec__", None)

    def create_module(self, spec):
        return self.module

    def exec_module(self, module):
        # the import system set __spec__ to the alias spec ("torch.x"); keep ember's own, so
        # the module still knows its real name and location
        if self.spec is not None:
            module.__spec__ = self.spec


class TorchAliasFinder(importlib.abc.MetaPathFinder):
    """Finds ``torch`` and ``torch.*`` as the matching ``ember`` modules."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "torch" and not fullname.startswith("torch."):
            return None
        ember_name = "ember" + fullname[len("torch") :]
        module = _ember_module(fullname, ember_name)
        return importlib.machinery.ModuleSpec(fullname, _AliasLoader(module), is_package=True)


def _ember_module(fullname: str, ember_name: str) -> types.ModuleType:
    try:
        return importlib.import_module(ember_name)
    except ModuleNotFoundError as e:
        if e.name != ember_name and not ember_name.startswith(f"{e.name}."):
            raise  # an import inside ember's own module failed: report that, unchanged
    # a module reached as an attribute (e.g. one a package binds under another name)
    parent_name, _, child = ember_name.rpartition(".")
    parent = sys.modules.get(parent_name)
    obj = getattr(parent, child, None) if parent is not None else None
    if isinstance(obj, types.ModuleType):
        return obj
    raise ModuleNotFoundError(
        f"No module named '{fullname}': torch is served by ember here (ember.install_as_torch "
        f"or python -m ember), and ember has no module '{ember_name}'",
        name=fullname,
    )


_finder = None


def install_as_torch() -> None:
    """From now on, in this process, ``import torch`` and ``import torch.X`` give ember's
    modules. Calling it again does nothing.

    Raises ``RuntimeError`` if real PyTorch is already imported (its modules and tensors would
    be mixed with ember's).
    """
    global _finder
    import ember

    real = sys.modules.get("torch")
    if real is not None and real is not ember:
        raise RuntimeError(
            "ember.install_as_torch(): real PyTorch is already imported in this process; call "
            "install_as_torch() (or run `python -m ember script.py`) before anything imports "
            "torch"
        )
    if _finder is None:
        _finder = TorchAliasFinder()
    if _finder not in sys.meta_path:
        sys.meta_path.insert(0, _finder)
    sys.modules["torch"] = ember
    for name, module in list(sys.modules.items()):
        # ember modules imported before the hook: make their torch names resolve to them too
        if name.startswith("ember.") and isinstance(module, types.ModuleType):
            sys.modules.setdefault("torch" + name[len("ember") :], module)


def is_installed() -> bool:
    """Whether ``import torch`` is served by ember in this process."""
    return _finder is not None and _finder in sys.meta_path


def uninstall_as_torch() -> None:
    """Remove the hook and the ``torch``/``torch.*`` names it served (modules that already
    did ``import torch`` keep their reference to ember)."""
    import ember

    if _finder is not None and _finder in sys.meta_path:
        sys.meta_path.remove(_finder)
    for name, module in list(sys.modules.items()):
        if (name == "torch" or name.startswith("torch.")) and (
            module is ember or getattr(module, "__name__", "").startswith("ember.")
        ):
            del sys.modules[name]
