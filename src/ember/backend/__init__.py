"""The array library behind a device, chosen per array: the backend registry.

Ops never import numpy; they ask for the module that owns their input arrays (``xp_of``), and
for the few calls where NumPy and CuPy differ they ask the array's backend object
(``backend_of(a).scatter_add(...)``). Backends:

* ``numpy_backend.NUMPY`` -- ``cpu``;
* ``cupy_backend.CupyBackend`` -- ``cuda:N`` on NVIDIA GPUs, loaded when a program first asks
  for ``cuda`` and CuPy is installed (``import ember`` never imports CuPy);
* ``simulated_cuda.SIMULATED`` -- ``cuda:0``/``cuda:1`` in host memory, with
  ``EMBER_SIMULATE_CUDA=1`` (tests and CI only), behaving like CuPy at its borders.

An array of a type no backend owns raises ``TypeError``: a silent fallback to NumPy would hide a
tensor that left its device. Example::

    xp = xp_of(a)                     # numpy, cupy or the simulated cupy
    backend_of(a).scatter_add(out, idx, vals)
"""

from __future__ import annotations

import os

import numpy as np

from ..device import CPU
from . import cpu_allocator
from .numpy_backend import NUMPY, NumpyBackend  # noqa: F401

cpu_allocator.configure()  # keep freed pages for the next training step (see its docstring)

# The fast path: one dict lookup by the array's exact type.
_XP_BY_ARRAY_TYPE = {np.ndarray: np}
_BACKEND_BY_ARRAY_TYPE = {np.ndarray: NUMPY}
_cuda = []  # the cuda backend, once chosen


class CudaNotCompiledError(AssertionError, RuntimeError):
    """PyTorch's CPU build raises AssertionError("Torch not compiled with CUDA enabled") for a
    CUDA tensor; ember's error is also a RuntimeError, which older ember code caught."""


def simulating() -> bool:
    """True when ``EMBER_SIMULATE_CUDA=1`` asks for the simulated cuda device."""
    return os.environ.get("EMBER_SIMULATE_CUDA", "") not in ("", "0")


def register(backend) -> None:
    """Make ``backend`` own arrays of ``backend.array_type``."""
    _XP_BY_ARRAY_TYPE[backend.array_type] = backend.xp
    _BACKEND_BY_ARRAY_TYPE[backend.array_type] = backend


def cuda_backend(required: bool = True):
    """The backend of the ``cuda`` device (simulated, or CuPy); None or CudaNotCompiledError
    when there is none."""
    if _cuda:
        return _cuda[0]
    if simulating():
        from .simulated_cuda import SIMULATED as backend
    else:
        import importlib.util

        if importlib.util.find_spec("cupy") is None:
            if required:
                raise CudaNotCompiledError(
                    "Torch not compiled with CUDA enabled (ember: the cuda device needs CuPy: "
                    "pip install 'ember[gpu]')"
                )
            return None
        import cupy
        import cupyx

        from .cupy_backend import CupyBackend

        backend = CupyBackend(cupy, cupyx)
    register(backend)
    _cuda.append(backend)
    return backend


_ARRAY_PROTOCOLS = ("__array__", "__array_interface__", "__cuda_array_interface__", "__dlpack__")


def _resolve(array):
    """The backend of a type not seen yet: NumPy for host data, the cuda backend for its
    arrays (loading it), and TypeError for an array of a library no backend owns."""
    if isinstance(array, np.ndarray):
        return NUMPY  # ndarray subclasses live in host memory
    module = type(array).__module__ or ""
    if module.split(".")[0] in ("cupy", "cupyx") or module.startswith("ember.backend.simulated"):
        backend = cuda_backend(required=False)
        found = _BACKEND_BY_ARRAY_TYPE.get(type(array))
        if backend is not None and found is not None:
            return found
    elif not any(hasattr(array, p) for p in _ARRAY_PROTOCOLS) or isinstance(array, np.generic):
        return NUMPY  # Python data, None, NumPy scalars: built into host arrays
    raise TypeError(
        f"ember: no backend owns arrays of type {module}.{type(array).__qualname__} "
        "(cpu holds numpy.ndarray, cuda holds cupy.ndarray)"
    )


def backend_of(array):
    """The backend object that owns ``array``."""
    return _BACKEND_BY_ARRAY_TYPE.get(type(array)) or _resolve(array)


def xp_of(array):
    """The array module (``numpy``, ``cupy`` or the simulated cupy) that owns ``array``."""
    return _XP_BY_ARRAY_TYPE.get(type(array)) or _resolve(array).xp


def xp_of_type(array_type):
    """The array module for an array class (``numpy.ndarray`` -> numpy)."""
    xp = _XP_BY_ARRAY_TYPE.get(array_type)
    if xp is None:
        if issubclass(array_type, np.ndarray):
            return np
        raise TypeError(f"ember: no backend owns arrays of type {array_type!r}")
    return xp


def device_of(array):
    """The ``ember.device`` that holds ``array``."""
    if type(array) is np.ndarray:
        return CPU
    return backend_of(array).device_of(array)


def _parse(dev):
    """``(type, index)`` of a device given as ``device``, str or int (an int means cuda)."""
    if isinstance(dev, int) and not isinstance(dev, bool):
        return "cuda", dev
    t = getattr(dev, "type", None)
    if t is not None:
        return t, dev.index
    if isinstance(dev, str):
        t, _, i = dev.partition(":")
        return t, (int(i) if i.isdigit() else None)
    raise TypeError(f"device must be a torch.device, str or int, got {type(dev).__name__}")


def backend_for_device(dev):
    """The backend object of a device (``None`` means the cpu)."""
    if dev is None:
        return NUMPY
    t, _ = _parse(dev)
    if t == "cpu":
        return NUMPY
    if t == "cuda":
        return cuda_backend()
    if t == "meta":
        raise RuntimeError("ember does not implement the 'meta' device")
    raise RuntimeError(f"ember supports the 'cpu' and 'cuda' devices, got {dev!r}")


def xp_for_device(dev):
    """The array module for a device; ``cuda`` needs CuPy (or the simulated device)."""
    return backend_for_device(dev).xp


def device_index(dev):
    """The index of a cuda device (the current one when ``dev`` names none)."""
    t, i = _parse(dev)
    if t != "cuda":
        return None
    backend = cuda_backend()
    if i is None:
        return backend.current_device()
    n = backend.device_count()
    if not 0 <= i < n:
        raise RuntimeError(
            f"CUDA error: invalid device ordinal (device {i} requested, {n} available)"
        )
    return i


def to_device(array, dev):
    """``array`` on device ``dev``: itself when it is there already, else a copy."""
    src = backend_of(array)
    t, _ = _parse(dev)
    if t == "cpu":
        return array if src is NUMPY else src.to_host(array)
    dst = backend_for_device(dev)
    index = device_index(dev)
    if src is NUMPY:
        return dst.from_host(array, index)
    if src is dst:
        return dst.to_device(array, index)
    return dst.from_host(src.to_host(array), index)


def _devices_of(args):
    """The distinct devices of the tensors among ``args`` (lists/tuples of tensors included),
    in order of appearance."""
    seen = []
    for a in args:
        if isinstance(a, (list, tuple)):
            items = a
        else:
            items = (a,)
        for t in items:
            d = getattr(t, "_data", None)
            if d is not None and hasattr(t, "_grad_fn"):
                dev = device_of(d)
                if dev not in seen:
                    seen.append(dev)
    return seen


def same_device_error(args):
    """PyTorch's error when an op's tensors live on more than one device (else None). Called
    only after an op failed, so the check costs nothing on the normal path."""
    devs = _devices_of(args)
    if len(devs) < 2:
        return None
    devs.sort(key=lambda d: d.type == "cpu")  # PyTorch names the accelerator first
    return RuntimeError(
        "Expected all tensors to be on the same device, but found at least two devices, "
        f"{devs[0]} and {devs[1]}!"
    )


def lift_cpu_scalars(args):
    """``args`` with 0-d cpu tensors moved to the one cuda device the other tensors share (as
    PyTorch lets a cpu scalar tensor join a cuda op), or None when that does not apply."""
    devs = [d for d in _devices_of(args) if d.type != "cpu"]
    if len(devs) != 1:
        return None
    target = devs[0]
    out, lifted = [], False
    for a in args:
        d = getattr(a, "_data", None)
        if d is not None and hasattr(a, "_grad_fn") and type(d) is np.ndarray:
            if d.ndim:
                return None
            a = a.to(target)
            lifted = True
        out.append(a)
    return tuple(out) if lifted else None


def as_strided(a, shape, strides, writeable=True):
    """A strided view of ``a`` (byte strides). NumPy honours ``writeable``; CuPy's views are
    always writeable (ember's ops do not write through the views they mark read-only)."""
    if type(a) is np.ndarray:
        return np.lib.stride_tricks.as_strided(a, shape, strides, writeable=writeable)
    return backend_of(a).as_strided(a, shape, strides)


def scatter_mul(a, indices, values):
    """``a[indices] *= values`` with repeated indices multiplying (``numpy.multiply.at``; CuPy
    has no multiply scatter kernel, so its backend works in rounds of unique indices)."""
    if type(a) is np.ndarray:
        np.multiply.at(a, indices, values)
    else:
        backend_of(a).scatter_mul(a, indices, values)


def errstate(xp, **kwargs):
    """``xp.errstate(**kwargs)`` for NumPy; nothing for CuPy, which never warns.

    PyTorch computes 1/0, log(0), exp(1000) and inf-inf silently, so ember's kernels run under
    this helper. Asked only to ignore (the kernels' case), NumPy gets every floating-point
    error ignored through a prebuilt state (``quiet``: about a quarter of ``np.errstate``'s
    cost); any other request is NumPy's own ``errstate``."""
    if xp is np:
        for v in kwargs.values():
            if v != "ignore":
                return np.errstate(**kwargs)
        return _Quiet() if _IGNORE_ALL is not None else np.errstate(all="ignore")
    return _NO_ERRSTATE


def quiet(xp=np):
    """The kernels' error state: every NumPy floating-point error ignored, as in PyTorch."""
    if xp is np:
        return _Quiet() if _IGNORE_ALL is not None else np.errstate(all="ignore")
    return _NO_ERRSTATE


def _ignore_all_state():
    """NumPy's context variable of the ufunc error state and an all-ignore value for it, or
    ``(None, None)`` where this NumPy keeps the state elsewhere (then ``np.errstate``)."""
    try:
        from numpy._core import _ufunc_config as cfg

        return cfg._extobj_contextvar, cfg._make_extobj(all="ignore")
    except (ImportError, AttributeError, TypeError):  # pragma: no cover - NumPy < 2
        return None, None


_EXTOBJ_VAR, _IGNORE_ALL = _ignore_all_state()


class _Quiet:
    """``np.errstate(all="ignore")`` without its argument handling (context-variable based,
    so thread-local like NumPy's own)."""

    __slots__ = ("_token",)

    def __enter__(self):
        self._token = _EXTOBJ_VAR.set(_IGNORE_ALL)
        return self

    def __exit__(self, *exc):
        _EXTOBJ_VAR.reset(self._token)
        return False


class _NoErrstate:
    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NO_ERRSTATE = _NoErrstate()


def guard_of(array):
    """A context manager making ``array``'s cuda device current (nothing for host arrays): the
    autograd engine runs a backward pass on the device of its roots, as PyTorch does."""
    if type(array) is np.ndarray or array is None:
        return _NO_ERRSTATE
    backend = backend_of(array)
    return backend.device_guard(backend.device_of(array).index)


def retry_on_device(run, args, exc):
    """The failure path of the dispatch point: an op raised ``exc`` (CuPy's TypeError for a
    host array, or its ValueError for an array off the current device). Returns ``run(args)``
    redone with 0-d cpu tensors lifted to the cuda device, or under a guard that makes the
    tensors' cuda device current; raises PyTorch's mixed-device error; else re-raises ``exc``.
    Nothing here runs unless an op failed, so the normal path pays nothing."""
    lifted = lift_cpu_scalars(args)
    if lifted is not None:
        return run(lifted)
    err = same_device_error(args)
    if err is not None:
        raise err from exc
    devs = _devices_of(args)
    if len(devs) == 1 and devs[0].type == "cuda" and _cuda:
        backend = _cuda[0]
        if backend.current_device() != devs[0].index:
            with backend.device_guard(devs[0].index):
                return run(args)
    raise exc


numpy = np  # the host array module, for code that builds arrays from Python data


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
