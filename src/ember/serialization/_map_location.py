"""``map_location``: the device ``load`` puts each storage on, as ``torch.load`` decides it.

Every storage in a checkpoint records where it was saved (``'cpu'``, ``'cuda:1'``). With
``map_location``:

* ``None`` -- back where it was saved (a ``cuda`` storage needs a cuda device, else PyTorch's
  "Attempting to deserialize object on a CUDA device ..." error);
* a str or ``device`` -- every storage goes there (``'cpu'``, ``'cuda'``, ``'cuda:1'``);
* a dict -- saved locations renamed (``{'cuda:1': 'cuda:0'}``; others stay where saved);
* a callable ``fn(storage, location)`` -- gets each storage in host memory and returns the
  storage to use (``storage.cuda(1)``, ``storage``), or None for the default.

Example::

    sd = ember.load("ck.pt", map_location={"cuda:1": "cpu"})
"""

from __future__ import annotations

from ..device import device as _device

_NO_CUDA = (
    "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() is False. "
    "If you are running on a CPU-only machine, please use torch.load with "
    "map_location=torch.device('cpu') to map your storages to the CPU."
)


def check(map_location) -> None:
    """Refuse a ``map_location`` of the wrong type, or one naming an unknown device."""
    if map_location is None or callable(map_location):
        return
    if isinstance(map_location, dict):
        for v in map_location.values():
            _device(v)
        return
    if not isinstance(map_location, (str, _device)):
        raise TypeError(
            "map_location should be either a string, a torch.device, a dict or a callable, "
            f"got {type(map_location).__name__}"
        )
    _device(map_location)


def target(location: str, map_location) -> str:
    """Where a storage saved at ``location`` goes (for a non-callable ``map_location``)."""
    if map_location is None:
        return location
    if isinstance(map_location, dict):
        return str(map_location.get(location, location))
    return str(map_location)


def place(storage, map_location):
    """``storage`` (its array in host memory) on the device ``map_location`` gives it."""
    if callable(map_location) and not isinstance(map_location, (str, _device, dict)):
        out = map_location(storage, storage.location)
        if out is not None:
            if not hasattr(out, "array") or not hasattr(out, "location"):
                raise RuntimeError(
                    "map_location callable must return a storage (or None), got "
                    f"{type(out).__name__}"
                )
            return out
        map_location = None
    return storage.to(target(storage.location, map_location))


def move(array, dev):
    """``array`` on device ``dev`` (a str or device), with PyTorch's error for a missing cuda."""
    d = _device(dev)
    if d.type == "cuda":
        from .. import cuda

        if not cuda.is_available():
            raise RuntimeError(_NO_CUDA)
    elif d.type != "cpu":
        raise RuntimeError(f"ember cannot load storages onto the '{d.type}' device")
    from ..backend import to_device

    return to_device(array, d)


def location_of(array) -> str:
    """A storage location string (``'cpu'``, ``'cuda:0'``) for an array."""
    from ..backend import device_of

    d = device_of(array)
    return "cpu" if d.type == "cpu" else f"cuda:{d.index}"
