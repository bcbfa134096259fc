"""The small top-level pieces of ``torch`` that ordinary programs touch: runtime settings
(threads, determinism, default device, matmul precision), predicates (``is_nonzero``,
``is_same_size``...), constants (``pi``, ``inf``...), ``layout``/``memory_format`` objects and
``typename``. None of them is maths; the ops live in ``ember.ops``.

Example::

    torch.set_num_threads(4)
    torch.use_deterministic_algorithms(True)
    torch.is_nonzero(torch.tensor([1.]))     # True
"""

from __future__ import annotations

import math as _math
import os as _os

__all__ = [
    "are_deterministic_algorithms_enabled",
    "channels_last",
    "channels_last_3d",
    "compile",
    "compiled_with_cxx11_abi",
    "contiguous_format",
    "e",
    "get_default_device",
    "get_deterministic_debug_mode",
    "get_device",
    "get_float32_matmul_precision",
    "get_num_interop_threads",
    "get_num_threads",
    "inf",
    "init_num_threads",
    "is_conj",
    "is_deterministic_algorithms_warn_only_enabled",
    "is_inference",
    "is_neg",
    "is_nonzero",
    "is_same_size",
    "is_signed",
    "is_storage",
    "is_vulkan_available",
    "is_warn_always_enabled",
    "layout",
    "memory_format",
    "nan",
    "newaxis",
    "pi",
    "preserve_format",
    "set_default_device",
    "set_deterministic_debug_mode",
    "set_float32_matmul_precision",
    "set_flush_denormal",
    "set_num_interop_threads",
    "set_num_threads",
    "set_warn_always",
    "sparse_coo",
    "strided",
    "typename",
    "use_deterministic_algorithms",
]

pi = _math.pi
e = _math.e
inf = _math.inf
nan = _math.nan
newaxis = None


# --------------------------------------------------------------------- layout / memory format
class layout:
    """A tensor's memory layout; ember has only ``strided`` (dense) tensors."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"

    def __eq__(self, other):
        # ember's Tensor.layout once was the string "torch.strided"; keep that comparison true
        if isinstance(other, str):
            return other == repr(self)
        return self is other

    def __hash__(self):
        return hash(self.name)

    def __reduce__(self):
        return self.name


strided = layout("strided")
sparse_coo = layout("sparse_coo")


class memory_format:
    """A memory format tag. ember accepts it wherever PyTorch does and ignores it: NumPy arrays
    are always laid out C-contiguously (values are the same; only strides would differ)."""

    __slots__ = ("name",)

    def __init__(self, name):
        self.name = name

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


contiguous_format = memory_format("contiguous_format")
channels_last = memory_format("channels_last")
channels_last_3d = memory_format("channels_last_3d")
preserve_format = memory_format("preserve_format")


# --------------------------------------------------------------------------------- settings
class _Settings:
    num_interop_threads = None
    deterministic = False
    warn_only = False
    matmul_precision = "highest"
    warn_always = False


_settings = _Settings()


def set_num_threads(int) -> None:  # noqa: A002 - PyTorch's argument name
    """The number of threads for intra-op parallelism: NumPy's BLAS threads and ember's
    chunked large elementwise kernels (``backend/threads.py``)."""
    from .backend import threads

    threads.set_num_threads(int)


def int_(x):
    import builtins

    return builtins.int(x)


def get_num_threads() -> int:
    """The value set by ``set_num_threads`` (the cores available to this process by
    default)."""
    from .backend import threads

    return threads.get_num_threads()


def set_num_interop_threads(int) -> None:  # noqa: A002
    """Recorded only (ember runs ops one at a time); like PyTorch, settable once, positive."""
    n = int_(int)
    if n <= 0:
        raise RuntimeError("Number of interop threads must be positive")
    if _settings.num_interop_threads is not None:
        raise RuntimeError("Error: cannot set number of interop threads after parallel work "
                           "has started or set_num_interop_threads called")
    _settings.num_interop_threads = n


def get_num_interop_threads() -> int:
    return _settings.num_interop_threads or (_os.cpu_count() or 1)


def init_num_threads() -> None:
    """Nothing to initialise: NumPy starts its own threads."""


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Record the flag. Every ember kernel is deterministic (NumPy on the CPU), so turning it
    on never raises; the flag is reported by ``are_deterministic_algorithms_enabled``."""
    if not isinstance(mode, bool):
        raise TypeError(f"use_deterministic_algorithms(): argument 'mode' (position 1) must be "
                        f"bool, not {type(mode).__name__}")
    _settings.deterministic = mode
    _settings.warn_only = bool(warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    return _settings.deterministic


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    return _settings.warn_only


def set_deterministic_debug_mode(debug_mode) -> None:
    """0/'default' off, 1/'warn' warn only, 2/'error' on (PyTorch's mapping)."""
    names = {"default": 0, "warn": 1, "error": 2}
    if isinstance(debug_mode, str):
        if debug_mode not in names:
            raise RuntimeError("invalid value of debug_mode, expected one of `default`, `warn`, "
                               f"`error`, but got {debug_mode}")
        debug_mode = names[debug_mode]
    if debug_mode not in (0, 1, 2):
        raise RuntimeError("invalid value of debug_mode, expected 0, 1, or 2, but got "
                           f"{debug_mode}")
    use_deterministic_algorithms(debug_mode != 0, warn_only=debug_mode == 1)


def get_deterministic_debug_mode() -> int:
    if not _settings.deterministic:
        return 0
    return 1 if _settings.warn_only else 2


def set_float32_matmul_precision(precision: str) -> None:
    """Recorded only: NumPy's float32 matmul is always full precision ('highest')."""
    if precision not in ("highest", "high", "medium"):
        import warnings

        warnings.warn(f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
                      "setFloat32MatmulPrecision call has no effect.", UserWarning, stacklevel=2)
        return
    _settings.matmul_precision = precision


def get_float32_matmul_precision() -> str:
    return _settings.matmul_precision


def set_default_device(device) -> None:
    """Factories called without ``device=`` build on ``device`` (None: the cpu). Without a cuda
    backend, ``'cuda'`` fails at once (PyTorch's CPU build fails at the next factory call)."""
    from .device import set_default_device as _set

    _set(device)


def get_default_device():
    """The device factories use when given none (``with torch.device(...)`` blocks included)."""
    from .device import CPU, default_device

    d = default_device()
    if d is None:
        return CPU
    if d.type == "cuda" and d.index is None:
        from .backend import cuda_backend
        from .device import device as _device

        return _device("cuda", cuda_backend().current_device())
    return d


def set_flush_denormal(mode: bool) -> bool:
    """False: NumPy gives no control over denormal flushing (PyTorch returns whether the CPU
    supports it)."""
    return False


def set_warn_always(b: bool) -> None:
    _settings.warn_always = bool(b)


def is_warn_always_enabled() -> bool:
    return _settings.warn_always


def is_vulkan_available() -> bool:
    return False


def compiled_with_cxx11_abi() -> bool:
    return True


# ------------------------------------------------------------------------------- predicates
def typename(obj) -> str:
    """The type name PyTorch prints: ``'torch.FloatTensor'`` for a float32 tensor, else the
    object's qualified class name."""
    from .tensor import Tensor

    if isinstance(obj, Tensor):
        return obj.type()
    cls = obj if isinstance(obj, type) else type(obj)
    module = cls.__module__ or ""
    name = cls.__qualname__
    if module in ("", "builtins"):
        return name
    if module.startswith("ember."):  # ember's classes stand in for torch's
        module = "torch." + module[len("ember."):]
    return f"{module}.{name}"


def _tensor_arg(fn, input):
    from .tensor import Tensor

    if not isinstance(input, Tensor):
        raise TypeError(f"{fn}(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")


def is_nonzero(input) -> bool:
    """Whether a one-element tensor is nonzero (RuntimeError for zero or several elements)."""
    _tensor_arg("is_nonzero", input)
    n = input.numel()
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(()) != 0)


def is_same_size(input, other) -> bool:
    return tuple(input.shape) == tuple(other.shape)


def is_signed(input) -> bool:
    _tensor_arg("is_signed", input)
    return input.dtype.is_signed


def is_inference(input) -> bool:
    return input.is_inference()


def is_conj(input) -> bool:
    """False: ember materialises conjugates (no lazy conjugate bit)."""
    return False


def is_neg(input) -> bool:
    """False: ember materialises negations (no lazy negative bit)."""
    return False


def is_storage(obj) -> bool:
    """False: ember tensors hold arrays, not Storage objects."""
    return False


def get_device(input) -> int:
    """-1 for a CPU tensor (PyTorch's convention)."""
    return -1 if input.device.type == "cpu" else (input.device.index or 0)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, disable=False):
    """Returns ``model`` unchanged (or a decorator doing so): ember has no graph compiler, and
    ``torch.compile`` never changes results, only speed. Works as ``@torch.compile`` and
    ``@torch.compile(mode=...)``."""
    if model is None:
        return lambda m: m
    if not callable(model):
        raise RuntimeError("torch.compile: the model must be callable")
    return model
