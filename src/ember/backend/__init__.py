"""The array library behind a device: NumPy for ``cpu`` (CuPy for ``cuda`` plugs in here).

Ops never import numpy; they ask the backend for the module that owns their input arrays
(``xp``), so a second backend is a new file here, not an edit of every op.
"""

from __future__ import annotations

import numpy as np

from ..device import CPU

_XP_BY_ARRAY_TYPE = {np.ndarray: np}
_DEVICE_BY_ARRAY_TYPE = {np.ndarray: CPU}


def xp_of(array):
    """The array module (``numpy`` or ``cupy``) that owns ``array``."""
    return _XP_BY_ARRAY_TYPE.get(type(array), np)


def device_of(array):
    return _DEVICE_BY_ARRAY_TYPE.get(type(array), CPU)


def xp_for_device(dev):
    """The array module for a device; ``cuda`` needs the optional CuPy backend."""
    if dev is None or getattr(dev, "type", dev) == "cpu":
        return np
    raise RuntimeError(
        "Torch not compiled with CUDA enabled (ember: the CuPy backend is not available)"
    )


numpy = np  # the default array module, for code that builds arrays from Python data


def xp_of_type(array_type):
    """The array module for an array class (``numpy.ndarray`` -> numpy)."""
    return _XP_BY_ARRAY_TYPE.get(array_type, np)
