"""``torch.cuda``: the GPU device through CuPy, or the simulated device in tests.

With CuPy installed on a machine with an NVIDIA GPU (``pip install 'ember[gpu]'``) these calls
are real: device count and selection, synchronisation, per-device random streams, memory
statistics from CuPy's memory pool, streams and events. With ``EMBER_SIMULATE_CUDA=1`` (tests
and CI only) they answer for the simulated two-device ``cuda``. Without either, ember answers
as PyTorch's CPU-only build does: ``is_available()`` is False, seeding and cache calls are
accepted and ignored, and the calls that need a device raise "Torch not compiled with CUDA
enabled".

Example::

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if torch.cuda.is_available():
        torch.cuda.manual_seed(0)
        print(torch.cuda.get_device_name(0), torch.cuda.memory_allocated())
"""

from __future__ import annotations

import contextlib
import pickle
import random as _random

from .backend import CudaNotCompiledError, cuda_backend
from .backend import device_index as _device_index

_NOT_COMPILED = "Torch not compiled with CUDA enabled"


def _backend_or_none():
    b = cuda_backend(required=False)
    return b if b is not None and b.device_count() > 0 else None


def _lazy_init():
    """The cuda backend, or PyTorch's CPU-build error."""
    b = _backend_or_none()
    if b is None:
        raise CudaNotCompiledError(_NOT_COMPILED)
    return b


def _index(device=None):
    b = _lazy_init()
    if device is None:
        return b.current_device()
    if isinstance(device, int):
        return device if device >= 0 else b.current_device()
    return _device_index(device)


def is_available() -> bool:
    """True when a CUDA device can be used: CuPy sees a GPU (or the simulated device is on)."""
    return _backend_or_none() is not None


def device_count() -> int:
    b = _backend_or_none()
    return 0 if b is None else b.device_count()


def is_initialized() -> bool:
    from . import backend

    return bool(backend._cuda) and is_available()


def init() -> None:
    _lazy_init()


def current_device() -> int:
    return _lazy_init().current_device()


def set_device(device) -> None:
    """Make ``device`` current (a negative index is ignored, as in PyTorch)."""
    if isinstance(device, int) and device < 0:
        return
    _lazy_init().set_device(_index(device))


def synchronize(device=None) -> None:
    """Wait for all work queued on ``device`` (the current one by default)."""
    _lazy_init().synchronize(_index(device))


def get_device_name(device=None) -> str:
    return _lazy_init().device_name(_index(device))


def get_device_capability(device=None):
    return _lazy_init().device_capability(_index(device))


class _DeviceProperties:
    __slots__ = ("major", "minor", "name", "total_memory")

    def __init__(self, name, major, minor, total_memory):
        self.name, self.major, self.minor, self.total_memory = name, major, minor, total_memory

    def __repr__(self):
        return (
            f"_CudaDeviceProperties(name='{self.name}', major={self.major}, "
            f"minor={self.minor}, total_memory={self.total_memory // 2**20}MB)"
        )


def get_device_properties(device=None):
    b = _lazy_init()
    i = _index(device)
    major, minor = b.device_capability(i)
    return _DeviceProperties(b.device_name(i), major, minor, b.mem_get_info(i)[1])


def get_arch_list() -> list:
    return []


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: CuPy has no bfloat16 dtype, so ember's cuda tensors cannot hold it."""
    return False


# ---------------------------------------------------------------- random streams, one per device
_seeds: dict = {}
_generators: dict = {}
_all_seed = [None]  # torch.manual_seed's seed, for streams not made yet


def _generator(index):
    """The default random stream of device ``index`` (seeded by ``torch.manual_seed`` or
    ``torch.cuda.manual_seed``, else from Python's ``random``)."""
    g = _generators.get(index)
    if g is None:
        seed = _all_seed[0] if _all_seed[0] is not None else _random.getrandbits(63)
        seed = _seeds.setdefault(index, seed)
        g = _generators[index] = _lazy_init().generator(seed, index)
    return g


def _seed_all_lazily(seed) -> None:
    """``torch.manual_seed`` seeds every cuda stream too, without starting the backend: each
    stream is made from this seed when first used."""
    _all_seed[0] = int(seed) & (2**64 - 1)
    _seeds.clear()
    _generators.clear()


def manual_seed(seed) -> None:
    """Seed the current device's random stream (ignored without CUDA, as PyTorch does)."""
    b = _backend_or_none()
    if b is not None:
        i = b.current_device()
        _seeds[i] = int(seed) & (2**64 - 1)
        _generators[i] = b.generator(_seeds[i], i)


def manual_seed_all(seed) -> None:
    """Seed every device's random stream."""
    b = _backend_or_none()
    if b is not None:
        for i in range(b.device_count()):
            _seeds[i] = int(seed) & (2**64 - 1)
            _generators[i] = b.generator(_seeds[i], i)


def seed() -> None:
    """Seed the current device's stream from a random number (ignored without CUDA)."""
    manual_seed(_random.getrandbits(63))


def seed_all() -> None:
    manual_seed_all(_random.getrandbits(63))


def initial_seed() -> int:
    i = current_device()
    _generator(i)
    return _seeds[i]


def get_rng_state(device="cuda"):
    """The device stream's state as a uint8 tensor (the simulated device; CuPy's cuRAND
    streams expose no state to save, so there ember raises and ``manual_seed`` is the way to
    reproduce a run)."""
    from .backend import numpy as np
    from .tensor import Tensor

    g = _generator(_index(device))
    bitgen = getattr(g, "bit_generator", None)
    if bitgen is None or not hasattr(bitgen, "state"):
        raise RuntimeError(
            "ember: the CuPy random stream's state cannot be saved; use "
            "torch.cuda.manual_seed to reproduce a run"
        )
    raw = np.frombuffer(pickle.dumps(bitgen.state), dtype=np.uint8).copy()
    return Tensor._make(raw)


def set_rng_state(new_state, device="cuda") -> None:
    g = _generator(_index(device))
    g.bit_generator.state = pickle.loads(new_state._data.tobytes())


def get_rng_state_all() -> list:
    return [get_rng_state(i) for i in range(device_count())]


def set_rng_state_all(new_states) -> None:
    for i, s in enumerate(new_states):
        set_rng_state(s, i)


# ---------------------------------------------------------------- memory (CuPy's pool)
def memory_allocated(device=None) -> int:
    """Bytes held by live tensors on ``device`` (0 without CUDA, as PyTorch's CPU build)."""
    b = _backend_or_none()
    return 0 if b is None else b.memory_allocated(_index(device))


def max_memory_allocated(device=None) -> int:
    """The peak of ``memory_allocated`` since the last reset. On CuPy, peaks are tracked from
    the first call of this or ``reset_peak_memory_stats`` (tracking costs a Python call per
    allocation, so it starts only when asked for)."""
    b = _backend_or_none()
    return 0 if b is None else b.max_memory_allocated(_index(device))


def memory_reserved(device=None) -> int:
    b = _backend_or_none()
    return 0 if b is None else b.memory_reserved(_index(device))


def max_memory_reserved(device=None) -> int:
    return memory_reserved(device)


def reset_peak_memory_stats(device=None) -> None:
    b = _backend_or_none()
    if b is not None:
        b.reset_peak_memory_stats(_index(device))


reset_max_memory_allocated = reset_peak_memory_stats


def memory_stats(device=None) -> dict:
    if _backend_or_none() is None:
        return {}
    return {
        "allocated_bytes.all.current": memory_allocated(device),
        "allocated_bytes.all.peak": max_memory_allocated(device),
        "reserved_bytes.all.current": memory_reserved(device),
    }


def empty_cache() -> None:
    """Return the pool's free blocks to the device (nothing is cached without CUDA)."""
    b = _backend_or_none()
    if b is not None:
        b.empty_cache()


def mem_get_info(device=None):
    """``(free, total)`` bytes of the device."""
    return _lazy_init().mem_get_info(_index(device))


def ipc_collect() -> None:
    """CuPy shares no memory between processes through ember: nothing to collect."""
    _lazy_init()


class OutOfMemoryError(RuntimeError):
    """``torch.cuda.OutOfMemoryError`` (also ``torch.OutOfMemoryError``)."""


# ---------------------------------------------------------------- devices, streams, events
class device:
    """``with torch.cuda.device(i):`` makes device ``i`` current inside the block."""

    def __init__(self, device):
        self.idx = (
            device if isinstance(device, int) else (-1 if device is None else _device_index(device))
        )
        self._guard = None

    def __enter__(self):
        if self.idx is None or self.idx < 0:
            return self
        if _backend_or_none() is None:  # PyTorch's CPU build says this here
            raise RuntimeError("PyTorch was compiled without CUDA support")
        self._guard = _lazy_init().device_guard(self.idx)
        self._guard.__enter__()
        return self

    def __exit__(self, *exc):
        if self._guard is not None:
            self._guard.__exit__(*exc)
            self._guard = None
        return False


class device_of(device):
    """``torch.cuda.device_of(tensor)``: the tensor's device is current inside the block."""

    def __init__(self, obj):
        d = obj.device
        super().__init__(d.index if d.type == "cuda" else -1)


class Stream:
    """A CUDA stream (``cupy.cuda.Stream``); ``with stream:`` or ``torch.cuda.stream(s)`` makes
    work queue on it."""

    def __init__(self, device=None, priority=0, _native=None):
        b = _backend_or_none()
        if b is None:  # PyTorch's CPU build
            raise RuntimeError("torch.cuda.Stream requires CUDA support")
        self.device_index = _index(device)
        self.native = _native if _native is not None else b.new_stream(self.device_index, priority)

    def synchronize(self) -> None:
        self.native.synchronize()

    def query(self) -> bool:
        return bool(self.native.done)

    def wait_event(self, event) -> None:
        self.native.wait_event(event.native)

    def wait_stream(self, stream) -> None:
        self.wait_event(stream.record_event())

    def record_event(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def __enter__(self):
        self.native.__enter__()
        return self

    def __exit__(self, *exc):
        return self.native.__exit__(*exc)

    def __eq__(self, other):
        return isinstance(other, Stream) and other.native is self.native

    def __hash__(self):
        return hash(id(self.native))


class Event:
    """A CUDA event: ``record`` on a stream, ``synchronize``, ``elapsed_time`` in ms."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        b = _backend_or_none()
        if b is None:  # PyTorch's CPU build
            raise RuntimeError("Tried to instantiate dummy base class Event")
        self.native = b.new_event(enable_timing, blocking)

    def record(self, stream=None) -> None:
        stream = current_stream() if stream is None else stream
        self.native.record(stream.native)

    def synchronize(self) -> None:
        self.native.synchronize()

    def query(self) -> bool:
        return bool(self.native.done)

    def wait(self, stream=None) -> None:
        (current_stream() if stream is None else stream).wait_event(self)

    def elapsed_time(self, end_event) -> float:
        return _lazy_init().elapsed_ms(self.native, end_event.native)


def current_stream(device=None) -> Stream:
    i = _index(device)
    return Stream(i, _native=_lazy_init().current_stream(i))


default_stream = current_stream


@contextlib.contextmanager
def stream(s):
    """Queue work on stream ``s`` inside the block (None: no change)."""
    if s is None:
        yield
        return
    with s:
        yield


def __getattr__(name):
    if name == "amp":  # torch.cuda.amp.GradScaler / autocast: the older spelling of torch.amp
        from . import amp

        return amp
    raise AttributeError(f"module 'ember.cuda' has no attribute '{name}'")
