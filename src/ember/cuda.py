"""``torch.cuda`` as far as CPU-only programs use it: the availability guards.

ember runs on NumPy; CUDA needs the (optional, not yet present) CuPy backend, so
``is_available()`` is False and the calls that need a device raise PyTorch's error. Seeding
calls are accepted and ignored, as PyTorch does when CUDA is absent.

Example: ``device = torch.device("cuda" if torch.cuda.is_available() else "cpu")``.
"""

from __future__ import annotations

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


def _backend_available() -> bool:
    from .backend import xp_for_device
    from .device import device

    try:
        xp_for_device(device("cuda"))
    except RuntimeError:
        return False
    return True


def is_available() -> bool:
    """True when a CUDA device can be used (never, without the CuPy backend)."""
    return _backend_available()


def device_count() -> int:
    return 0


def is_initialized() -> bool:
    return False


def manual_seed(seed) -> None:
    """Ignored without CUDA (PyTorch seeds lazily, so it does not fail either)."""


def manual_seed_all(seed) -> None:
    """Ignored without CUDA."""


def _lazy_init():
    from .backend import CudaNotCompiledError

    raise CudaNotCompiledError(_NOT_COMPILED)


def current_device() -> int:
    _lazy_init()


def synchronize(device=None) -> None:
    _lazy_init()


def get_device_name(device=None) -> str:
    _lazy_init()


def empty_cache() -> None:
    """Nothing is cached without CUDA."""


# ---------------------------------------------------------------- the rest of torch.cuda's surface
class OutOfMemoryError(RuntimeError):
    """``torch.cuda.OutOfMemoryError`` (also ``torch.OutOfMemoryError``): never raised by ember,
    present so ``except torch.cuda.OutOfMemoryError:`` works."""


def seed() -> None:
    """Ignored without CUDA."""


def seed_all() -> None:
    """Ignored without CUDA."""


def initial_seed() -> int:
    _lazy_init()


def get_rng_state(device="cuda"):
    _lazy_init()


def set_rng_state(new_state, device="cuda") -> None:
    _lazy_init()


def get_rng_state_all() -> list:
    return []


def set_rng_state_all(new_states) -> None:
    """Nothing to set without CUDA devices."""


def set_device(device) -> None:
    _lazy_init()


def get_device_properties(device=None):
    _lazy_init()


def get_device_capability(device=None):
    _lazy_init()


def get_arch_list() -> list:
    return []


def is_bf16_supported(including_emulation: bool = True) -> bool:
    return False


def current_stream(device=None):
    _lazy_init()


def mem_get_info(device=None):
    _lazy_init()


def ipc_collect() -> None:
    _lazy_init()


def memory_allocated(device=None) -> int:
    """0: no CUDA memory is ever allocated (PyTorch's CPU build also answers 0)."""
    return 0


def max_memory_allocated(device=None) -> int:
    return 0


def memory_reserved(device=None) -> int:
    return 0


def max_memory_reserved(device=None) -> int:
    return 0


def memory_stats(device=None) -> dict:
    return {}


def reset_peak_memory_stats(device=None) -> None:
    """Nothing to reset (PyTorch's CPU build raises AttributeError here; ember does not)."""


def reset_max_memory_allocated(device=None) -> None:
    """Nothing to reset."""


class device:
    """``with torch.cuda.device(i):`` -- needs CUDA, so entering it raises PyTorch's error."""

    def __init__(self, device):
        self.idx = device

    def __enter__(self):
        raise RuntimeError("PyTorch was compiled without CUDA support")

    def __exit__(self, *exc):
        return False


def __getattr__(name):
    if name == "amp":  # torch.cuda.amp.GradScaler / autocast: the older spelling of torch.amp
        from . import amp

        return amp
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
