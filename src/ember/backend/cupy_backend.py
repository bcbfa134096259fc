"""The ``cuda`` device on NVIDIA GPUs: CuPy arrays (the ``gpu`` extra: ``cupy-cuda12x``).

This file never imports CuPy itself: ``ember.backend`` passes the module in when a program first
uses ``cuda`` and CuPy is installed, so ``import ember`` stays free of it. Every call here is
CuPy's documented API; the simulated device (``simulated_cuda.py``) subclasses this backend and
swaps in its host-memory imitation of the same API, so the CPU test suite runs this code.

Where CuPy differs from NumPy, and how ember copes:

* no floating-point error state (CuPy never warns): ``errstate`` is a no-op;
* ``ufunc.at`` exists only for add/subtract/maximum/minimum/bitwise ops: scatter-add/max/min use
  ``ndarray.scatter_add``/``scatter_max``/``scatter_min`` (= ``cupyx.scatter_*``) and a product
  scatter is done in rounds of unique indices;
* ``linalg`` does not raise on a singular matrix unless asked (``linalg_errstate``);
* no bfloat16 dtype;
* ``random.Generator`` lacks ``normal``/``permutation``: draws use ``random``/``standard_normal``/
  ``integers``, a permutation is an argsort of uniforms;
* an op needs its arrays on the *current* device (``device_guard``), as ``torch.cuda.device``.

Example::

    import ember
    x = ember.ones(3, device="cuda")   # a cupy.ndarray inside
"""

from __future__ import annotations

import contextlib

import numpy as np

from ..device import device as _device

_NO_BF16 = "ember: bfloat16 is not supported on cuda (CuPy has no bfloat16 dtype)"


def scatter_by_rounds(xp, a, indices, values, inplace_op):
    """``inplace_op(a.flat[pos], values)`` with repeated positions applied one after another.

    Positions are the flat offsets that ``a[indices]`` selects; each round takes, for every
    position, its k-th occurrence, so a round has unique positions and plain fancy indexing is
    exact. Rounds = the largest repeat count (1 for unique indices)."""
    sel = xp.arange(a.size).reshape(a.shape)[indices]
    pos = sel.ravel()
    vals = xp.broadcast_to(xp.asarray(values, dtype=a.dtype), sel.shape).ravel()
    if pos.size == 0:
        return
    order = xp.argsort(pos)
    sp = pos[order]
    first = xp.searchsorted(sp, sp)  # where each sorted position's run begins
    rank = xp.empty_like(order)
    rank[order] = xp.arange(sp.size) - first
    flat = a.reshape(-1) if a.flags.c_contiguous else a.ravel()
    for r in range(int(rank.max()) + 1):
        sel = rank == r
        p = pos[sel]
        flat[p] = inplace_op(flat[p], vals[sel])
    if not a.flags.c_contiguous:  # ravel copied: write the result back
        a[...] = flat.reshape(a.shape)


class CupyBackend:
    """CuPy behind ``cuda:N``."""

    name = "cupy"
    device_type = "cuda"
    LinAlgError = np.linalg.LinAlgError  # CuPy raises NumPy's (under linalg_errstate)

    def __init__(self, cupy, cupyx=None):
        self.xp = cupy
        self.cupyx = cupyx
        self.array_type = cupy.ndarray
        self._devices = {}
        self._peak = None  # per-device peak bytes, once peak tracking is asked for

    # ---- identity and the current device
    def xp_of(self, array):
        return self.xp

    def device_of(self, array):
        i = array.device.id
        d = self._devices.get(i)
        if d is None:
            d = self._devices[i] = _device("cuda", i)
        return d

    def device_count(self) -> int:
        try:
            return self.xp.cuda.runtime.getDeviceCount()
        except Exception:  # noqa: BLE001  (no driver or no GPU: CuPy's CUDARuntimeError)
            return 0

    def current_device(self) -> int:
        return self.xp.cuda.runtime.getDevice()

    def set_device(self, index: int) -> None:
        self.xp.cuda.Device(index).use()

    def device_guard(self, index):
        """A context manager making device ``index`` current (``cupy.cuda.Device``)."""
        return self.xp.cuda.Device(index)

    def synchronize(self, index=None) -> None:
        self.xp.cuda.Device(index).synchronize()

    # ---- transfers
    def to_host(self, array):
        return self.xp.asnumpy(array)

    def from_host(self, host, index=None, copy=True):
        if host.dtype.kind == "V":
            raise TypeError(_NO_BF16)
        with self.device_guard(self.current_device() if index is None else index):
            return self.xp.asarray(host)

    def to_device(self, array, index):
        """The same array on device ``index`` (itself when it is already there)."""
        if array.device.id == index:
            return array
        with self.device_guard(index):
            return self.xp.asarray(array)  # a peer copy onto the now-current device

    def asarray(self, data, dtype=None, index=None):
        with self.device_guard(self.current_device() if index is None else index):
            return self.xp.asarray(data, dtype=dtype)

    def from_dlpack(self, obj):
        return self.xp.from_dlpack(obj)

    # ---- where CuPy differs from NumPy
    def errstate(self, **kwargs):
        return contextlib.nullcontext()

    def linalg_errstate(self):
        """Make CuPy's solvers raise LinAlgError on singular input, as NumPy's do."""
        return self.cupyx.errstate(linalg="raise")

    def scatter_add(self, a, indices, values) -> None:
        a.scatter_add(indices, values)

    def scatter_max(self, a, indices, values) -> None:
        a.scatter_max(indices, values)

    def scatter_min(self, a, indices, values) -> None:
        a.scatter_min(indices, values)

    def scatter_mul(self, a, indices, values) -> None:
        scatter_by_rounds(self.xp, a, indices, values, self.xp.multiply)

    def as_strided(self, a, shape, strides):
        return self.xp.lib.stride_tricks.as_strided(a, shape=shape, strides=strides)

    @property
    def bfloat16(self):
        raise TypeError(_NO_BF16)

    # ---- random draws: one stream per device
    def generator(self, seed, index=None):
        with self.device_guard(self.current_device() if index is None else index):
            return self.xp.random.default_rng(seed)

    def permutation(self, rng, n):
        return self.xp.argsort(rng.random(n))

    # ---- memory: CuPy's default pool (its used bytes are PyTorch's "allocated")
    def _pool_bytes(self, index, what):
        pool = self.xp.get_default_memory_pool()
        with self.device_guard(self.current_device() if index is None else index):
            return int(getattr(pool, what)())

    def memory_allocated(self, index=None) -> int:
        return self._pool_bytes(index, "used_bytes")

    def memory_reserved(self, index=None) -> int:
        return self._pool_bytes(index, "total_bytes")

    def _track_peaks(self):
        """Route allocations through a counter (only once a peak is asked for: it costs a
        Python call per allocation)."""
        if self._peak is not None:
            return
        self._peak = {}
        pool, xp, peak = self.xp.get_default_memory_pool(), self.xp, self._peak

        def malloc(nbytes):
            mem = pool.malloc(nbytes)
            i = xp.cuda.runtime.getDevice()
            used = pool.used_bytes()
            if used > peak.get(i, 0):
                peak[i] = used
            return mem

        xp.cuda.set_allocator(malloc)

    def max_memory_allocated(self, index=None) -> int:
        self._track_peaks()
        i = self.current_device() if index is None else index
        return max(self._peak.get(i, 0), self.memory_allocated(i))

    def reset_peak_memory_stats(self, index=None) -> None:
        self._track_peaks()
        i = self.current_device() if index is None else index
        self._peak[i] = self.memory_allocated(i)

    def empty_cache(self) -> None:
        self.xp.get_default_memory_pool().free_all_blocks()

    # ---- streams and events
    def new_stream(self, index=None, priority=0):
        with self.device_guard(self.current_device() if index is None else index):
            return self.xp.cuda.Stream(non_blocking=True, priority=priority)

    def current_stream(self, index=None):
        with self.device_guard(self.current_device() if index is None else index):
            return self.xp.cuda.get_current_stream()

    def new_event(self, enable_timing=False, blocking=False):
        return self.xp.cuda.Event(block=blocking, disable_timing=not enable_timing)

    def elapsed_ms(self, start, end) -> float:
        return float(self.xp.cuda.get_elapsed_time(start, end))

    def device_name(self, index=None) -> str:
        i = self.current_device() if index is None else index
        name = self.xp.cuda.runtime.getDeviceProperties(i)["name"]
        return name.decode() if isinstance(name, bytes) else name

    def device_capability(self, index=None):
        i = self.current_device() if index is None else index
        props = self.xp.cuda.runtime.getDeviceProperties(i)
        return (props["major"], props["minor"])

    def mem_get_info(self, index=None):
        with self.device_guard(self.current_device() if index is None else index):
            return tuple(self.xp.cuda.runtime.memGetInfo())
