"""Tensor creation: tensor, zeros, ones, full, empty, arange, linspace, eye, rand, randn, ...

Random numbers come from NumPy's PCG64 generator seeded by ``manual_seed``; they follow the
same distributions as PyTorch's but not the same stream of values.
"""

from __future__ import annotations

import numbers

import numpy as _np  # creation builds arrays from Python data on the default (CPU) backend

from .. import dtypes as _dt
from ..backend import xp_for_device
from ._util import Tensor, make


class Generator:
    """A random number generator; ``manual_seed`` resets the default one."""

    def __init__(self, device="cpu"):
        self._seed = 67280421310721
        self._rng = _np.random.Generator(_np.random.PCG64(self._seed))
        self.device = device

    def manual_seed(self, seed):
        self._seed = int(seed)
        self._rng = _np.random.Generator(_np.random.PCG64(self._seed))
        return self

    def seed(self):
        import random

        return self.manual_seed(random.getrandbits(63))._seed

    def initial_seed(self):
        return self._seed

    def get_state(self):
        import pickle

        return make(_np.frombuffer(pickle.dumps(self._rng.bit_generator.state), dtype=_np.uint8)
                    .copy())

    def set_state(self, state):
        import pickle

        self._rng.bit_generator.state = pickle.loads(state._data.tobytes())
        return self


default_generator = Generator()


def manual_seed(seed):
    """Seed the default generator (ember's values differ from PyTorch's for the same seed)."""
    return default_generator.manual_seed(seed)


def seed():
    return default_generator.seed()


def initial_seed():
    return default_generator.initial_seed()


def get_rng_state():
    return default_generator.get_state()


def set_rng_state(new_state):
    default_generator.set_state(new_state)


def _rng(generator):
    return (generator or default_generator)._rng


def _size(size):
    if len(size) == 1 and isinstance(size[0], (list, tuple)) or (
        len(size) == 1 and hasattr(size[0], "__iter__") and not isinstance(size[0], Tensor)
    ):
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, numbers.Integral):
            raise TypeError(
                f"zeros(): argument 'size' must be tuple of ints, but found element of type "
                f"{type(s).__name__} at pos {len(out)}"
            )
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(size)}"
            )
        out.append(int(s))
    return tuple(out)


def _finish(arr, requires_grad):
    t = make(arr)
    if requires_grad:
        if arr.dtype.kind not in "fc" and arr.dtype.name != "bfloat16":
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._requires_grad = True
    return t


def _infer_dtype(data):
    """PyTorch's dtype for nested Python data: bool < int64 < default float < complex; a tensor
    inside the data brings its own dtype."""
    cat, found = -1, None
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, Tensor):
            c, d = x.dtype._cat, x.dtype
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
            continue
        elif isinstance(x, (bool, _np.bool_)):
            c, d = 0, None
        elif isinstance(x, numbers.Integral):
            c, d = 1, None
        elif isinstance(x, numbers.Real):
            c, d = 2, None
        elif isinstance(x, numbers.Complex):
            c, d = 3, None
        else:
            raise TypeError(f"Could not infer dtype of {type(x).__name__}")
        if c > cat:
            cat, found = c, d
    if cat == -1:
        return _dt.get_default_dtype()
    if found is not None:
        return found
    default = _dt.get_default_dtype()
    return [_dt.bool, _dt.int64, default,
            _dt.complex128 if default is _dt.float64 else _dt.complex64][cat]


def _to_nested(data):
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, (list, tuple)):
        return [_to_nested(x) for x in data]
    return data


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new tensor holding a copy of ``data`` (nested lists, numbers, arrays or tensors).

    Python floats give the default dtype (float32), ints int64, bools bool; a NumPy array keeps
    its dtype. Example: ``ember.tensor([[1., 2.], [3., 4.]], requires_grad=True)``.
    """
    xp = xp_for_device(device)
    if isinstance(data, Tensor):
        arr = data._data.copy()
        if dtype is not None:
            arr = arr.astype(dtype.np)
        return _finish(arr, requires_grad)
    if isinstance(data, _np.ndarray) or isinstance(data, _np.generic):
        src = _np.asarray(data)
        _dt.from_numpy_dtype(src.dtype)
        arr = xp.array(src, dtype=dtype.np if dtype is not None else None, copy=True)
        return _finish(arr, requires_grad)
    if dtype is None:
        dtype = _infer_dtype(data)
    try:
        arr = xp.array(_to_nested(data), dtype=dtype.np)
    except ValueError as e:
        if "inhomogeneous" in str(e) or "sequence" in str(e):
            raise ValueError(f"expected sequence of length ... at dim ... ({e})") from None
        raise
    except OverflowError:
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow") \
            from None
    return _finish(arr, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """Like ``tensor`` but shares memory with a NumPy array or tensor when it can."""
    if isinstance(data, Tensor):
        return data if dtype is None or data.dtype is dtype else data.to(dtype)
    if isinstance(data, _np.ndarray):
        return make(data if dtype is None else data.astype(dtype.np, copy=False))
    return tensor(data, dtype=dtype, device=device)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray``."""
    if not isinstance(ndarray, _np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dt.from_numpy_dtype(ndarray.dtype)
    return make(ndarray)


def _dtype_or_default(dtype):
    return (dtype or _dt.get_default_dtype()).np


def zeros(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of zeros of the given size (default dtype float32)."""
    return _finish(xp_for_device(device).zeros(_size(size), _dtype_or_default(dtype)),
                   requires_grad)


def ones(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """A tensor of ones of the given size."""
    return _finish(xp_for_device(device).ones(_size(size), _dtype_or_default(dtype)),
                   requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None, pin_memory=False):
    """An uninitialised tensor (ember fills it with zeros)."""
    return _finish(xp_for_device(device).zeros(_size(size), _dtype_or_default(dtype)),
                   requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor filled with ``fill_value`` (its dtype inferred from the value when not given)."""
    if dtype is None:
        dtype = _infer_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _finish(xp_for_device(device).full(_size((size,)), fill_value, dtype.np),
                   requires_grad)


def _like(input, dtype):
    return (dtype or input.dtype).np, input._data.shape


def zeros_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    dt, shape = _like(input, dtype)
    return _finish(_xp(input).zeros(shape, dt), requires_grad)


def ones_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None):
    dt, shape = _like(input, dtype)
    return _finish(_xp(input).ones(shape, dt), requires_grad)


def empty_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False,
              memory_format=None, layout=None):
    dt, shape = _like(input, dtype)
    return _finish(_xp(input).full(shape, fill_value, dt), requires_grad)


def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None):
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype)


def _xp(t):
    from ..backend import xp_of

    return xp_of(t._data)


def _float_dtype(dtype, name):
    dtype = dtype or _dt.get_default_dtype()
    if not (dtype.is_floating_point or dtype.is_complex):
        raise RuntimeError(f'"{name}" not implemented for \'{dtype.name.capitalize()}\'')
    return dtype


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Uniform random numbers in [0, 1)."""
    dtype = _float_dtype(dtype, "check_uniform_bounds")
    arr = _rng(generator).random(_size(size), dtype=_np.float64).astype(dtype.np)
    return _finish(arr, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Standard normal random numbers."""
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _rng(generator).standard_normal(_size(size), dtype=_np.float64).astype(dtype.np)
    return _finish(arr, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Random integers in [low, high) (int64 unless ``dtype`` says otherwise)."""
    if size is None:
        size, high, low = high, low, 0
    elif high is None:
        low, high = 0, low
    arr = _rng(generator).integers(low, high, size=_size((size,)), dtype=_np.int64)
    return _finish(arr.astype((dtype or _dt.int64).np), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    return _finish(_rng(generator).permutation(n).astype((dtype or _dt.int64).np), requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False, out=None):
    """Values from ``start`` up to (not including) ``end`` in steps of ``step``."""
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    start, end, step = vals
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) / step < 0 and end != start:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        dtype = _dt.int64 if all(isinstance(v, numbers.Integral) for v in vals) else \
            _dt.get_default_dtype()
    n = max(0, -(-(end - start) // step)) if all(isinstance(v, int) for v in vals) else \
        max(0, int(_np.ceil((end - start) / step)))
    arr = (start + _np.arange(n, dtype=_np.float64 if dtype.is_floating_point else _np.int64)
           * step).astype(dtype.np)
    return _finish(arr, requires_grad)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive."""
    dtype = dtype or _dt.get_default_dtype()
    arr = _np.linspace(float(start), float(end), int(steps)).astype(dtype.np)
    return _finish(arr, requires_grad)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False):
    dtype = dtype or _dt.get_default_dtype()
    arr = (base ** _np.linspace(float(start), float(end), int(steps))).astype(dtype.np)
    return _finish(arr, requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None):
    """The identity matrix (``n`` x ``m``)."""
    return _finish(_np.eye(n, m if m is not None else n, dtype=_dtype_or_default(dtype)),
                   requires_grad)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return tensor(s, dtype=dtype or _dt.get_default_dtype(), requires_grad=requires_grad)
