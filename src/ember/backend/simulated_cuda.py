"""The simulated ``cuda`` backend: CuPy's backend code run on a host-memory imitation of CuPy.

Enabled by ``EMBER_SIMULATE_CUDA=1`` (tests and CI only: it is slower than the CPU device and
gains nothing but checks). It is :class:`~ember.backend.cupy_backend.CupyBackend` itself with
``simulated_cupy`` in CuPy's place, so every line of the CuPy backend that does not need a real
GPU (transfers, device guards, scatters, generators, memory statistics) runs in the CPU suite;
only the few calls into the CUDA runtime are answered here. Two devices, ``cuda:0`` and
``cuda:1``.

Example::

    EMBER_SIMULATE_CUDA=1 python -m pytest tests
"""

from __future__ import annotations

import time

import numpy as np

from . import simulated_cupy as _sim
from .cupy_backend import CupyBackend, scatter_by_rounds


class Stream:
    """``cupy.cuda.Stream`` on the host: work is done when it is issued."""

    def __init__(self, device=0, priority=0):
        self.device_index = device
        self.priority = priority
        self._prev = None

    done = property(lambda self: True)

    def synchronize(self):
        """Nothing is ever pending."""

    def record(self, event=None):
        event = Event() if event is None else event
        event.record(self)
        return event

    def wait_event(self, event):
        """Events complete when recorded."""

    def __enter__(self):
        self._prev = _current_streams.get(self.device_index)
        _current_streams[self.device_index] = self
        return self

    def __exit__(self, *exc):
        _current_streams[self.device_index] = self._prev
        return False


_current_streams: dict = {}


class Event:
    """``cupy.cuda.Event``: records the host clock."""

    def __init__(self, enable_timing=False):
        self.enable_timing = enable_timing
        self.time = None

    done = property(lambda self: True)

    def record(self, stream=None):
        self.time = time.perf_counter()

    def synchronize(self):
        """Recorded events are complete."""


class SimulatedCudaBackend(CupyBackend):
    """CuPy's backend with ``simulated_cupy`` in place of CuPy (host memory, two devices)."""

    name = "simulated_cuda"

    def __init__(self):
        super().__init__(_sim.cupy)

    def device_of(self, array):
        i = array._dev
        d = self._devices.get(i)
        if d is None:
            d = super().device_of(array)
        return d

    def device_count(self) -> int:
        return _sim.DEVICE_COUNT

    def current_device(self) -> int:
        return _sim.current_device()

    def set_device(self, index: int) -> None:
        _sim.set_device(index)

    def device_guard(self, index):
        return _sim.Device(index)

    def synchronize(self, index=None) -> None:
        _sim.Device(index).synchronize()

    def linalg_errstate(self):
        return np.errstate()  # NumPy's solvers raise on singular input already

    def scatter_mul(self, a, indices, values) -> None:
        scatter_by_rounds(self.xp, a, indices, values, self.xp.multiply)

    def generator(self, seed, index=None):
        return _sim._SimGenerator(seed, self.current_device() if index is None else index)

    def memory_allocated(self, index=None) -> int:
        return _sim.memory_used(self.current_device() if index is None else index)

    def memory_reserved(self, index=None) -> int:
        return self.memory_allocated(index)  # no pool: what is used is what is held

    def max_memory_allocated(self, index=None) -> int:
        return _sim.memory_peak(self.current_device() if index is None else index)

    def reset_peak_memory_stats(self, index=None) -> None:
        _sim.reset_peak(self.current_device() if index is None else index)

    def empty_cache(self) -> None:
        """No pool: freed arrays return to the host allocator at once."""

    def new_stream(self, index=None, priority=0):
        return Stream(self.current_device() if index is None else index, priority)

    def current_stream(self, index=None):
        i = self.current_device() if index is None else index
        s = _current_streams.get(i)
        if s is None:
            s = _current_streams[i] = Stream(i)
        return s

    def new_event(self, enable_timing=False, blocking=False):
        return Event(enable_timing)

    def elapsed_ms(self, start, end) -> float:
        if start.time is None or end.time is None:
            raise RuntimeError("Both events must be recorded before calculating elapsed time.")
        return (end.time - start.time) * 1000.0

    def device_name(self, index=None) -> str:
        return "ember simulated CUDA device (host memory)"

    def device_capability(self, index=None):
        return (8, 0)

    def mem_get_info(self, index=None):
        used = self.memory_allocated(index)
        total = 16 * 2**30
        return (total - used, total)


SIMULATED = SimulatedCudaBackend()
