"""``ember.utils``: hooks, ``ember.utils.data`` and the other submodules, each loaded on first
use (as ``torch.utils.data`` is reachable right after ``import torch``)."""


def __getattr__(name):
    import importlib
    import importlib.util

    if not name.startswith("_") and importlib.util.find_spec(f"{__name__}.{name}") is not None:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'ember.utils' has no attribute '{name}'")
