"""``torch.cpu``: the CPU device module (always available; ember computes on it)."""

from __future__ import annotations

__all__ = ["current_device", "device_count", "is_available", "is_initialized", "synchronize"]


def is_available() -> bool:
    return True


def is_initialized() -> bool:
    return True


def device_count() -> int:
    return 1


def current_device() -> str:
    return "cpu"


def synchronize(device=None) -> None:
    """Nothing to wait for: CPU ops finish before they return."""


def set_device(device) -> None:
    """Accepted (there is one CPU device)."""
