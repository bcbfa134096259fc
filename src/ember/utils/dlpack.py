"""``torch.utils.dlpack``: tensors to and from DLPack capsules, without copies.

``to_dlpack(t)`` hands out a capsule (``t.__dlpack__()``) that NumPy, CuPy or PyTorch can take
over once; ``from_dlpack`` accepts such a capsule or any object that speaks the DLPack protocol
(a NumPy array, a PyTorch tensor, a CuPy array), sharing its memory.

Example::

    import torch, ember
    t = torch.arange(4.)
    e = ember.utils.dlpack.from_dlpack(torch.utils.dlpack.to_dlpack(t))  # shares t's memory
"""

from __future__ import annotations

import ctypes

import numpy as np

__all__ = ["from_dlpack", "to_dlpack"]

_CAPSULE_IS_VALID = ctypes.pythonapi.PyCapsule_IsValid
_CAPSULE_IS_VALID.restype = ctypes.c_int
_CAPSULE_IS_VALID.argtypes = [ctypes.py_object, ctypes.c_char_p]
_CAPSULE_POINTER = ctypes.pythonapi.PyCapsule_GetPointer
_CAPSULE_POINTER.restype = ctypes.c_void_p
_CAPSULE_POINTER.argtypes = [ctypes.py_object, ctypes.c_char_p]


class _Capsule:
    """A DLPack capsule as a protocol object (what ``numpy.from_dlpack`` and CuPy take)."""

    def __init__(self, capsule):
        if not _CAPSULE_IS_VALID(capsule, b"dltensor"):
            raise RuntimeError(
                "from_dlpack received an invalid capsule. Note that DLTensor capsules can be "
                "consumed only once, so you might have already constructed a tensor from it "
                "once."
            )
        self.capsule = capsule

    def __dlpack__(self, *args, **kwargs):
        return self.capsule

    def __dlpack_device__(self):
        # DLManagedTensor begins with DLTensor: void *data, then DLDevice {int32 type, int32 id}
        ptr = _CAPSULE_POINTER(self.capsule, b"dltensor")
        dev = (ctypes.c_int32 * 2).from_address(ptr + ctypes.sizeof(ctypes.c_void_p))
        return (int(dev[0]), int(dev[1]))


def to_dlpack(tensor):
    """A DLPack capsule on ``tensor``'s memory (refused for a tensor that requires grad)."""
    return tensor.__dlpack__()


def from_dlpack(ext_tensor):
    """A tensor sharing the memory of a DLPack capsule or of a DLPack-protocol object."""
    from ..ops.factories import from_dlpack as _from_dlpack

    if type(ext_tensor).__name__ != "PyCapsule":
        return _from_dlpack(ext_tensor)
    t = _from_dlpack(_Capsule(ext_tensor))
    d = t._data
    if isinstance(d, np.ndarray) and not d.flags.writeable:
        # NumPy marks a legacy (unversioned) capsule's memory read-only as a precaution;
        # PyTorch's from_dlpack gives a writable tensor on it, and so does ember
        t._data = np.asarray(_Writable(d))
    return t


class _Writable:
    """The memory of a read-only array offered as writable; keeps the array (and through it
    the capsule's deleter) alive."""

    def __init__(self, a):
        self.a = a
        self.__array_interface__ = dict(a.__array_interface__, data=(a.ctypes.data, False))
