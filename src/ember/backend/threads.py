"""Intra-op threads: ``ember.set_num_threads`` / ``get_num_threads``.

Two kinds of work honour the setting:

* **BLAS** (matmul, the bulk of a training step): NumPy's BLAS keeps its own thread pool;
  ember sets its size by calling the library's own setter (``openblas_set_num_threads`` in
  whatever prefixed form NumPy's and SciPy's OpenBLAS builds export, or MKL's
  ``MKL_Set_Num_Threads``) on every BLAS library loaded in the process, found through
  ``/proc/self/maps`` with ``ctypes`` (no extra package). Only the BLAS libraries are
  limited: an OpenMP runtime loaded in the same process (PyTorch's, in the benchmarks) is
  left alone.
* **Large elementwise kernels and row-wise reductions**: NumPy releases the GIL inside its
  loops, so :func:`parallel_ufunc` and :func:`parallel_rows` split one call into chunks run
  on a small pool of threads (the calling thread takes one chunk). Below
  :data:`MIN_ELEMENTS` elements per extra thread the call runs as one: starting threads costs
  more than it saves on small tensors, so these helpers are never slower than one thread
  there. Compound kernels that do several passes per block call :func:`parallel_ranges` from
  their own measured sizes: batched matmuls by matrix, uniform draws by block, softmax rows
  (exp, sum, divide per block: 1.75x at 3.1M float32 elements, 1.5x at 2^19).

The default is the number of cores this process may run on (``os.sched_getaffinity``), as
PyTorch's default is its physical cores.
"""

from __future__ import annotations

import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np

# Measured on the 2-core x86 CI machine while shared (benchmarks/bench_threads.py): handing a
# chunk to a pool thread costs ~35 us; float32 tanh on 2 threads was 0.87x at 2^20 elements and
# 1.4x at 2^22; a memory-bound multiply gained nothing even at 2^22. So only large
# compute-bound kernels are split, from 2^21 elements per extra thread.
MIN_ELEMENTS = 1 << 21


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


_state = {"n": None, "pool": None, "blas": None}
_lock = threading.Lock()


def get_num_threads() -> int:
    """The number of threads ember's kernels may use (the cores available by default)."""
    n = _state["n"]
    return _cores() if n is None else n


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for BLAS and for the chunked elementwise and reduction kernels. Like PyTorch, ``n`` must be positive."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise TypeError(f"set_num_threads(): argument 'int' must be int, not {type(n).__name__}")
    n = int(n)
    if n <= 0:
        raise RuntimeError("set_num_threads expects a positive integer")
    with _lock:
        _state["n"] = n
        pool = _state["pool"]
        if pool is not None and pool._max_workers != n - 1:
            pool.shutdown(wait=False)
            _state["pool"] = None
    _state["blas"] = set_blas_threads(n)


_SETTERS = ("openblas_set_num_threads", "openblas_set_num_threads64_",
            "scipy_openblas_set_num_threads", "scipy_openblas_set_num_threads64_",
            "MKL_Set_Num_Threads")
_GETTERS = ("openblas_get_num_threads", "openblas_get_num_threads64_",
            "scipy_openblas_get_num_threads", "scipy_openblas_get_num_threads64_",
            "MKL_Get_Max_Threads")
_blas_libs = None  # (path, setter, getter) of each loaded BLAS library


def _loaded_blas():
    """The BLAS libraries loaded in this process with a thread setter (Linux: from
    /proc/self/maps; elsewhere none are found and BLAS keeps its own setting)."""
    global _blas_libs
    import ctypes

    paths = []
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                p = line.rsplit(None, 1)[-1] if "/" in line else ""
                name = os.path.basename(p).lower()
                if ("blas" in name or "mkl_rt" in name) and ".so" in name and p not in paths:
                    paths.append(p)
    except OSError:
        pass
    found = []
    for p in paths:
        try:
            lib = ctypes.CDLL(p)
        except OSError:
            continue
        setter = next((getattr(lib, n) for n in _SETTERS if hasattr(lib, n)), None)
        getter = next((getattr(lib, n) for n in _GETTERS if hasattr(lib, n)), None)
        if setter is not None:
            getter.restype = ctypes.c_int if getter is not None else None
            found.append((p, setter, getter))
    _blas_libs = found
    return found


def set_blas_threads(n: int):
    """Limit the process's BLAS libraries to ``n`` threads; returns how many libraries were
    set (0: none found, BLAS keeps its own setting)."""
    import ctypes

    libs = _loaded_blas()
    for _, setter, _ in libs:
        setter(ctypes.c_int(n))
    return len(libs)


def blas_threads():
    """The BLAS thread count (the largest over the loaded BLAS libraries; None if none is
    found)."""
    libs = _blas_libs if _blas_libs is not None else _loaded_blas()
    counts = [int(g()) for _, _, g in libs if g is not None]
    return max(counts) if counts else None


def _pool(workers):
    pool = _state["pool"]
    if pool is None:
        with _lock:
            pool = _state["pool"]
            if pool is None:
                pool = _state["pool"] = ThreadPoolExecutor(
                    max_workers=workers, thread_name_prefix="ember-intraop")
    return pool


def chunks_for(n_elements: int) -> int:
    """How many chunks a kernel over ``n_elements`` should be split into (1: don't split)."""
    n = get_num_threads()
    if n <= 1:
        return 1
    return max(1, min(n, n_elements // MIN_ELEMENTS))


def _run(tasks):
    """Run the callables, the first on this thread and the others on the pool."""
    pool = _pool(get_num_threads() - 1)
    futures = [pool.submit(t) for t in tasks[1:]]
    tasks[0]()
    for f in futures:
        f.result()


def parallel_ufunc(ufunc, *inputs, out=None, dtype=None):
    """``ufunc(*inputs, out=out)`` computed in chunks on the intra-op threads when the result
    is large and every array is C-contiguous with the result's shape (scalars allowed);
    otherwise one plain call. Returns the result array."""
    arrays = [a for a in inputs if isinstance(a, np.ndarray)]
    if not arrays:
        return ufunc(*inputs, out=out, dtype=dtype) if dtype else ufunc(*inputs, out=out)
    shape = arrays[0].shape
    size = arrays[0].size
    k = chunks_for(size)
    if k == 1 or any(a.shape != shape or not a.flags.c_contiguous for a in arrays) or (
            out is not None and (out.shape != shape or not out.flags.c_contiguous)):
        kw = {"dtype": dtype} if dtype else {}
        return ufunc(*inputs, out=out, **kw)
    if out is None:
        res_dtype = np.result_type(*inputs) if dtype is None else np.dtype(dtype)
        if ufunc.types and res_dtype.kind in "biu" and ufunc in _FLOAT_RESULT:
            return ufunc(*inputs)
        probe = ufunc(*[a.reshape(-1)[:1] if isinstance(a, np.ndarray) else a
                        for a in inputs], **({"dtype": dtype} if dtype else {}))
        out = np.empty(shape, probe.dtype)
    flat_out = out.reshape(-1)
    flat_in = [a.reshape(-1) if isinstance(a, np.ndarray) else a for a in inputs]
    kw = {"dtype": dtype} if dtype else {}
    _in_chunks(lambda lo, hi: ufunc(*[a[lo:hi] if isinstance(a, np.ndarray) else a
                                      for a in flat_in], out=flat_out[lo:hi], **kw), size, k)
    return out


# ufuncs whose integer inputs give float results (the probe handles them; listed to skip
# the probe's work for the common integer case)
_FLOAT_RESULT = (np.exp, np.log, np.tanh, np.sqrt, np.sin, np.cos, np.true_divide)


def parallel_rows(fn, a, out):
    """Apply ``fn(a_block, out_block)`` to blocks of leading rows of ``a`` and ``out`` (both
    with the same first dimension) on the intra-op threads: for row-wise reductions and
    normalisations (softmax over the last dimension, a layer norm). One call when small."""
    rows = a.shape[0] if a.ndim else 1
    k = min(chunks_for(a.size), rows)
    if k <= 1:
        fn(a, out)
        return out
    _in_chunks(lambda lo, hi: fn(a[lo:hi], out[lo:hi]), rows, k)
    return out


def parallel_ranges(fn, n):
    """``fn(lo, hi)`` over ``[0, n)`` in one chunk per intra-op thread (the caller decided the
    work is worth it: ``chunks_for``), for kernels that write into preallocated results."""
    _in_chunks(fn, n, min(get_num_threads(), n))


def _in_chunks(fn, n, k):
    """``fn(lo, hi)`` over ``[0, n)`` in ``k`` near-equal chunks: the first on this thread,
    the others on the pool (one call when ``k`` is 1)."""
    if k <= 1:
        fn(0, n)
        return
    bounds = np.linspace(0, n, k + 1).astype(np.int64).tolist()
    _run([functools.partial(fn, bounds[i], bounds[i + 1]) for i in range(k)])


def unary(ufunc, x, out=None):
    """``ufunc(x, out=out)`` for the kernels: a plain call below :data:`MIN_ELEMENTS`
    elements or for non-NumPy arrays (one size check of overhead), chunked over the intra-op
    threads above."""
    if x.__class__ is not np.ndarray or x.size < MIN_ELEMENTS:
        return ufunc(x, out=out)
    return parallel_ufunc(ufunc, x, out=out)
