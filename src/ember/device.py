"""``device``: where a tensor's memory lives (``cpu``, or ``cuda:N`` with the CuPy backend).

A device is also a context manager, as in PyTorch: inside ``with torch.device("cuda"):``
factories without ``device=`` build on that device. ``set_default_device`` sets the default
outside any such block.
"""

from __future__ import annotations

import threading

_tls = threading.local()
_default = [None]  # set_default_device's device (None: cpu)


class device:
    """A device, written ``device('cpu')`` or ``device('cuda', 0)`` or ``device('cuda:0')``.

    Example: ``ember.device('cpu').type == 'cpu'``.
    """

    __slots__ = ("index", "type")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        elif isinstance(type, str) and ":" in type:
            type, _, idx = type.partition(":")
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}'")
            index = int(idx)
        if type not in ("cpu", "cuda", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device type "
                "at start of device string: " + str(type)
            )
        self.type = type
        self.index = index

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __enter__(self):
        stack = getattr(_tls, "stack", None)
        if stack is None:
            stack = _tls.stack = []
        stack.append(self)
        return self

    def __exit__(self, *exc):
        _tls.stack.pop()
        return False


def default_device():
    """The device factories use when given none: the innermost ``with device(...)`` block's,
    else ``set_default_device``'s; None means the cpu (the fast path factories test for)."""
    stack = getattr(_tls, "stack", None)
    d = stack[-1] if stack else _default[0]
    return None if d is None or d.type == "cpu" else d


def set_default_device(dev) -> None:
    """Make ``dev`` the device of factories called without ``device=`` (None: the cpu)."""
    if dev is None:
        _default[0] = None
        return
    d = device(dev) if not isinstance(dev, device) else dev
    if d.type != "cpu":
        from .backend import backend_for_device

        backend_for_device(d)  # fails now, with PyTorch's error, when there is no cuda
    _default[0] = d


CPU = device("cpu")
