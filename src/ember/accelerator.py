"""``torch.accelerator``: the device-agnostic guard newer PyTorch examples use.

ember has no accelerator backend yet, so nothing is available and
``current_accelerator()`` is None, as in a CPU-only PyTorch build.

Example: ``device = torch.accelerator.current_accelerator() if torch.accelerator.is_available()
else torch.device("cpu")``.
"""

from __future__ import annotations

from . import cuda as _cuda


def is_available() -> bool:
    return _cuda.is_available()


def device_count() -> int:
    return _cuda.device_count()


def current_accelerator(check_available: bool = False):
    """The accelerator's device type, or None when there is none."""
    if _cuda.is_available():
        from .device import device

        return device("cuda")
    return None
