"""``RemovableHandle``: what every ``register_*hook`` returns."""

from __future__ import annotations

import itertools

_ids = itertools.count()


class RemovableHandle:
    """Removes the hook it was returned for: ``handle.remove()``, or use it in ``with``."""

    __slots__ = ("_store", "id")

    def __init__(self, store: dict):
        self._store = store
        self.id = next(_ids)

    def remove(self) -> None:
        self._store.pop(self.id, None)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


def add_hook(store: dict, fn) -> RemovableHandle:
    handle = RemovableHandle(store)
    store[handle.id] = fn
    return handle
