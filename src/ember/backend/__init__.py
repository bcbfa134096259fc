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


class CudaNotCompiledError(AssertionError, RuntimeError):
    """PyTorch's CPU build raises AssertionError("Torch not compiled with CUDA enabled") for a
    CUDA tensor; ember's error is also a RuntimeError, which older ember code caught."""


def xp_for_device(dev):
    """The array module for a device; ``cuda`` needs the optional CuPy backend."""
    if dev is None:
        return np
    t = getattr(dev, "type", dev)
    if t == "cpu" or (isinstance(t, str) and t.startswith("cpu:")):
        return np
    if isinstance(dev, int) or (isinstance(t, str) and t.split(":")[0] == "cuda"):
        raise CudaNotCompiledError(
            "Torch not compiled with CUDA enabled (ember: the CuPy backend is not available)"
        )
    raise RuntimeError(f"ember supports only the 'cpu' device here, got {dev!r}")


numpy = np  # the default array module, for code that builds arrays from Python data


def xp_of_type(array_type):
    """The array module for an array class (``numpy.ndarray`` -> numpy)."""
    return _XP_BY_ARRAY_TYPE.get(array_type, np)


def broadcast_to(a, shape):
    """A read-only broadcast view of ``a`` (NumPy's ``broadcast_to``, without its Python-level
    overhead for the contiguous arrays that gradients almost always are)."""
    if type(a) is np.ndarray and a.flags.c_contiguous:
        lead = len(shape) - a.ndim
        strides = [0] * lead
        for i, n in enumerate(a.shape):
            t = shape[lead + i]
            if n == t:
                strides.append(a.strides[i])
            elif n == 1:
                strides.append(0)
            else:
                return np.broadcast_to(a, shape)  # raises NumPy's error
        out = np.ndarray(shape, a.dtype, buffer=a, strides=strides)
        out.flags.writeable = False
        return out
    return xp_of(a).broadcast_to(a, shape)
