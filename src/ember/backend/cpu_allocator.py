"""The host allocator's policy for tensor memory: keep freed pages for the next step.

NumPy allocates every array with ``malloc`` and frees it when the last reference goes. A
training step allocates and frees the same few hundred temporaries every step (activations,
gradients, the optimizer's scratch). With glibc's default policy a block above the *mmap
threshold* (128 KiB at start, raised dynamically) is a fresh ``mmap`` each time, and freed
memory at the top of the heap is handed back to the kernel above the *trim threshold*: the
next step touches those pages again and each first touch is a page fault. Measured on the
nanoGPT workload (benchmarks/bench_workloads.py, 1 thread): ~4,500 page faults and ~11 ms of a
~85 ms step; PyTorch's step takes ~19.

So on glibc, importing ember raises both thresholds once (``mallopt``; a documented, supported
knob, not a patch): blocks up to 16 MiB come from the heap and up to 64 MiB of freed memory
stays with the process for reuse. The step then faults ~0 times. The cost: up to that much freed
memory is not returned to the system while the process lives (peak RSS of the benchmarks
did not change), and the policy is process-wide, as glibc's own environment variables
(``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``) would make it.

``EMBER_MALLOC_CACHE_MB`` sets the kept amount (default 64); ``0`` leaves the allocator as it
was. Not glibc (macOS, Windows, musl): nothing is changed. Read once, at import.
"""

from __future__ import annotations

import ctypes
import os
import platform

_M_TRIM_THRESHOLD = -1  # glibc's malloc.h parameter numbers
_M_MMAP_THRESHOLD = -3
DEFAULT_CACHE_MB = 64
MMAP_THRESHOLD = 16 << 20  # blocks above this still get their own mapping (returned at once)

applied: dict = {}  # what was set, for tests and for explain-what-happened questions


def _cache_bytes() -> int:
    raw = os.environ.get("EMBER_MALLOC_CACHE_MB", "")
    try:
        mb = float(raw) if raw.strip() else DEFAULT_CACHE_MB
    except ValueError:
        raise ValueError(f"EMBER_MALLOC_CACHE_MB must be a number of MiB, got {raw!r}") from None
    return max(0, int(mb * (1 << 20)))


def configure() -> dict:
    """Apply the policy above (once per process; the first call decides)."""
    if applied:
        return applied
    keep = _cache_bytes()
    if keep == 0 or platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        applied["mallopt"] = False
        return applied
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # pragma: no cover - a static or unusual build
        applied["mallopt"] = False
        return applied
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    ok = bool(mallopt(_M_MMAP_THRESHOLD, min(MMAP_THRESHOLD, keep))) and \
        bool(mallopt(_M_TRIM_THRESHOLD, keep))
    applied.update(mallopt=ok, trim_threshold=keep, mmap_threshold=min(MMAP_THRESHOLD, keep))
    return applied
