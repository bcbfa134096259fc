"""Tensor creation: tensor, zeros, ones, full, empty, arange, linspace, eye, rand, randn, ...

Random numbers come from NumPy's PCG64 generator seeded by ``manual_seed``; they follow the
same distributions as PyTorch's but not the same stream of values.
"""

from __future__ import annotations

import numbers

import numpy as _np  # creation builds arrays from Python data on the default (CPU) backend

from .. import dtypes as _dt
from ..autograd.function import Function
from ..backend import xp_for_device, xp_of
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


def _size(size, name="zeros"):
    """The shape from ``*size`` (ints, or one sequence of ints), with PyTorch's argument errors
    for the creation function ``name``."""
    packed = len(size) == 1 and (isinstance(size[0], (list, tuple)) or (
        hasattr(size[0], "__iter__") and not isinstance(size[0], Tensor)))
    if packed:
        size = tuple(size[0])
    out = []
    for s in size:
        if isinstance(s, Tensor):
            s = int(s)
        if not isinstance(s, numbers.Integral):
            what = type(s).__name__
            if len(size) == 1 and not packed:
                raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                                f"not {what}")
            if packed and not out:
                raise TypeError(f"{name}(): argument 'size' (position 1) must be tuple of ints, "
                                f"but found element of type {what} at pos 0")
            raise TypeError(
                f"{name}(): argument 'size' failed to unpack the object at pos {len(out) + 1} "
                f'with error "type must be tuple of ints,but got {what}"'
            )
        if s < 0:
            if name == "zeros":  # PyTorch's zeros checks sizes itself, with its own words
                raise RuntimeError("zeros: Dimension size must be non-negative.")
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
        elif isinstance(x, (_np.ndarray, _np.generic)):  # NumPy data keeps its dtype
            d = _dt.from_numpy_dtype(x.dtype)
            c = d._cat
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
        elif isinstance(x, str):
            raise TypeError("new(): invalid data type 'str'")
        else:
            raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")
        if c > cat:
            cat, found = c, d
    if cat == -1:
        return _dt.get_default_dtype()
    if found is not None:
        return found
    default = _dt.get_default_dtype()
    return [_dt.bool, _dt.int64, default,
            _dt.complex128 if default is _dt.float64 else _dt.complex64][cat]


def _check_ragged(data, dim=0):
    """PyTorch's errors for ragged nested data ("expected sequence of length 2 at dim 1")."""
    if not isinstance(data, (list, tuple)) or not data:
        return
    first = data[0]
    first_seq = isinstance(first, (list, tuple))
    for x in data:
        if isinstance(x, (list, tuple)) != first_seq:
            raise TypeError("not a sequence") if first_seq else \
                ValueError(f"expected sequence of length {len(first)} at dim {dim + 1} "
                           f"(got {len(x)})")
        if first_seq and len(x) != len(first):
            raise ValueError(f"expected sequence of length {len(first)} at dim {dim + 1} "
                             f"(got {len(x)})")
    for x in data:
        _check_ragged(x, dim + 1)


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
            _check_ragged(data)
        raise
    except TypeError as e:
        if isinstance(data, (list, tuple)):
            _check_ragged(data)
        raise TypeError(str(e)) from None
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
    return _finish(xp_for_device(device).ones(_size(size, "ones"), _dtype_or_default(dtype)),
                   requires_grad)


def empty(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None,
          memory_format=None, pin_memory=False):
    """An uninitialised tensor (ember fills it with zeros)."""
    return _finish(xp_for_device(device).zeros(_size(size, "empty"), _dtype_or_default(dtype)),
                   requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False, out=None):
    """A tensor filled with ``fill_value`` (its dtype inferred from the value when not given)."""
    if isinstance(fill_value, _np.generic):  # a NumPy scalar fills like a Python number
        fill_value = fill_value.item()
    if dtype is None:
        dtype = _infer_dtype(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    if isinstance(fill_value, Tensor):
        fill_value = fill_value.item()
    return _finish(xp_for_device(device).full(_size((size,), "full"), fill_value, dtype.np),
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
        raise RuntimeError(f'"{name}" not implemented for \'{_dt._TYPE_NAMES[dtype.name]}\'')
    return dtype


def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Uniform random numbers in [0, 1)."""
    xp_for_device(device)
    dtype = _float_dtype(dtype, "check_uniform_bounds")
    arr = _rng(generator).random(_size(size, "rand"), dtype=_np.float64).astype(dtype.np)
    return _finish(arr, requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Standard normal random numbers."""
    xp_for_device(device)
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    arr = _rng(generator).standard_normal(_size(size, "randn"), dtype=_np.float64).astype(dtype.np)
    return _finish(arr, requires_grad)


def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Random integers in [low, high) (int64 unless ``dtype`` says otherwise)."""
    xp_for_device(device)
    if size is None:
        size, high, low = high, low, 0
    elif high is None:
        low, high = 0, low
    arr = _rng(generator).integers(low, high, size=_size((size,), "randint"), dtype=_np.int64)
    return _finish(arr.astype((dtype or _dt.int64).np), requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    xp_for_device(device)
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


def _linspace_array(start, end, steps, np_dtype):
    """PyTorch's kernel: ``start + i * step`` for the first half and ``end - (steps - 1 - i) *
    step`` for the second, computed in the output's float dtype (so float32 results match)."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    work = np_dtype if _np.dtype(np_dtype).kind in "fc" else _np.float64
    work = _np.dtype(work)
    if steps == 0:
        return _np.zeros(0, np_dtype)
    if steps == 1:
        return _np.full(1, start, work).astype(np_dtype)
    a, b = work.type(start), work.type(end)
    step = (b - a) / work.type(steps - 1)
    i = _np.arange(steps)
    half = steps // 2
    # PyTorch's compiled kernel fuses ``start + step * i`` (one rounding): for float32/float16
    # evaluating it in float64 and rounding once gives the same bits
    acc = _np.float64 if work.itemsize < 8 and work.kind == "f" else work.type
    with _np.errstate(invalid="ignore", over="ignore"):
        out = _np.where(i < half, acc(a) + acc(step) * i.astype(acc),
                        acc(b) - acc(step) * (steps - 1 - i).astype(acc)).astype(work)
    return out.astype(np_dtype)


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False, out=None,
             layout=None):
    """``steps`` evenly spaced values from ``start`` to ``end`` inclusive.

    Example: ``ember.linspace(0, 1, 5)`` -> ``tensor([0.0000, 0.2500, 0.5000, 0.7500, 1.0000])``."""
    start, end = (v.item() if isinstance(v, Tensor) else v for v in (start, end))
    cplx = isinstance(start, complex) or isinstance(end, complex)
    dtype = dtype or (_dt.complex64 if cplx else _dt.get_default_dtype())
    arr = _linspace_array(start, end, int(steps), dtype.np)
    return _out_or(_finish(arr, requires_grad), out)


def logspace(start, end, steps, base=10.0, *, dtype=None, device=None, requires_grad=False,
             out=None, layout=None):
    """``base ** linspace(start, end, steps)``."""
    dtype = dtype or _dt.get_default_dtype()
    steps = int(steps)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    # PyTorch's kernel: start and end in the output dtype, step and exponents in float64,
    # base ** exponent in float64, rounded to the output dtype
    work = dtype.np if dtype.is_floating_point else _np.dtype(_np.float64)
    a, b = work.type(start), work.type(end)
    f = _np.float64
    i = _np.arange(steps)
    if steps == 1:
        exps = _np.full(1, f(a))
    else:
        step = f(work.type(b - a)) / max(steps - 1, 1)
        exps = _np.where(i < steps // 2, f(a) + step * i, f(b) - step * (steps - 1 - i))
    with _np.errstate(over="ignore", invalid="ignore"):
        arr = _np.power(f(base), exps).astype(dtype.np)
    return _out_or(_finish(arr, requires_grad), out)


def _out_or(res, out):
    if out is None:
        return res
    from .elementwise import write_out

    return write_out(res, out)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False, out=None, layout=None):
    """The identity matrix (``n`` x ``m``)."""
    if n < 0:
        raise RuntimeError(f"n must be greater or equal to 0, got {n}")
    if m is not None and m < 0:
        raise RuntimeError(f"m must be greater or equal to 0, got {m}")
    return _out_or(_finish(_np.eye(n, m if m is not None else n,
                                   dtype=_dtype_or_default(dtype)), requires_grad), out)


def scalar_tensor(s, *, dtype=None, device=None, requires_grad=False):
    return tensor(s, dtype=dtype or _dt.get_default_dtype(), requires_grad=requires_grad)


# ------------------------------------------------------------------- more random distributions
def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False, layout=None, pin_memory=False):
    """Normal samples: ``normal(mean_tensor, std_tensor)`` (broadcast), ``normal(mean_tensor,
    std=1.)``, ``normal(mean, std_tensor)``, or ``normal(mean, std, size)`` for numbers.

    The result is not differentiable w.r.t. ``mean``/``std`` (PyTorch gives them zero gradient).
    """
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    rng = _rng(generator)
    if not tm and not ts:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected (float mean, float std, tuple of ints "
                            "size, *, torch.Generator generator, Tensor out, torch.dtype dtype)")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dtype = _float_dtype(dtype, "normal_kernel_cpu")
        arr = (mean + std * rng.standard_normal(_size((size,)))).astype(dtype.np)
        return _out_or(_finish(arr, requires_grad), out)
    md = mean._data if tm else mean
    sd = std._data if ts else std
    if ts and (_np.asarray(sd) < 0).any():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not ts and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    src = mean if tm else std
    if src._data.dtype.kind not in "fc":
        raise RuntimeError(f'"normal_kernel_cpu" not implemented for '
                           f"'{_dt_title(src)}'")
    from .shape import broadcast_shapes

    shape = tuple(broadcast_shapes(_np.shape(md), _np.shape(sd))) if tm and ts else \
        _np.shape(src._data)
    z = rng.standard_normal(shape)
    arr = (md + sd * z).astype(src._data.dtype if not (tm and ts) else
                               _dt.promote_types(mean.dtype, std.dtype).np)
    return _out_or(make(_np.asarray(arr)), out)


def _dt_title(t):
    from .inplace import _dtype_name

    return _dtype_name(t._data.dtype)


def bernoulli(input, p=None, *, generator=None, out=None):
    """Draw 0/1 with probability ``input`` (or ``p``) elementwise; same dtype as ``input``."""
    probs = input._data if p is None else _np.full(input._data.shape, p, _np.float64)
    if input._data.dtype.kind not in "fc" and p is None:
        raise RuntimeError(f'"bernoulli_tensor_cpu_self_" not implemented for '
                           f"'{_dt_title(input)}'")
    if probs.size and ((probs < 0).any() or (probs > 1).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    u = _rng(generator).random(input._data.shape)
    return _out_or(make((u < probs).astype(input._data.dtype)), out)


def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Sample category indices (int64) from the rows of ``input`` (non-negative weights)."""
    d = input._data
    if d.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if d.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{_dt_title(input)}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    n = d.shape[-1]
    if not replacement and num_samples > n:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    w = d.reshape(-1, n).astype(_np.float64)
    if (w < 0).any() or not _np.isfinite(w).all():
        raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
    tot = w.sum(axis=1, keepdims=True)
    if (tot <= 0).any():
        raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
    rng = _rng(generator)
    if replacement:
        cdf = _np.cumsum(w / tot, axis=1)
        u = rng.random((w.shape[0], num_samples))
        idx = _np.stack([_np.searchsorted(c, ui, side="right") for c, ui in zip(cdf, u)])
        idx = _np.minimum(idx, n - 1)
    else:
        # Gumbel top-k: the order of w / Exp(1) draws is sampling without replacement
        with _np.errstate(divide="ignore"):
            keys = _np.log(w) - _np.log(rng.standard_exponential(w.shape))
        if ((w > 0).sum(axis=1) < num_samples).any():
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not "
                               "enough non-negative category to sample)")
        idx = _np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.astype(_np.int64)
    return _out_or(make(idx.reshape(d.shape[:-1] + (num_samples,))), out)


def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (same dtype)."""
    return make(_rng(generator).poisson(input._data).astype(input._data.dtype))


# ------------------------------------------------------------------------ in-place samplers
def _fill_random(self, arr):
    """Write samples into ``self`` in place (not recorded: PyTorch's samplers are in-place
    writes a leaf requiring grad may only get under no_grad)."""
    from ..autograd.grad_mode import _state
    from .inplace import check_leaf

    if _state.enabled and self._requires_grad:
        check_leaf(self)
    self._data[...] = arr
    self._vc[0] += 1
    return self


def _float_self(self, name):
    if self._data.dtype.kind not in "fc" and self._data.dtype.name != "bfloat16":
        raise RuntimeError(f'"{name}" not implemented for \'{_dt_title(self)}\'')


def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    """Fill with uniform samples from ``[from_, to)``."""
    from_ = kw.pop("from", from_)
    _float_self(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_}"
                           f" > to={to}")
    u = _rng(generator).random(self._data.shape)
    return _fill_random(self, from_ + (to - from_) * u)


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    _float_self(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    z = _rng(generator).standard_normal(self._data.shape)
    return _fill_random(self, mean + std * z)


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 draws of probability ``p`` (a number or a tensor)."""
    pd = p._data if isinstance(p, Tensor) else p
    if _np.any(_np.asarray(pd) < 0) or _np.any(_np.asarray(pd) > 1):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    u = _rng(generator).random(self._data.shape)
    return _fill_random(self, u < pd)


def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd``."""
    _float_self(self, "exponential_cpu")
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill_random(self, _rng(generator).standard_exponential(self._data.shape) / lambd)


def geometric_(self, p, *, generator=None):
    """Fill with geometric samples (number of trials to the first success)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill_random(self, _rng(generator).geometric(p, self._data.shape))


def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with log-normal samples."""
    _float_self(self, "log_normal_cpu")
    return _fill_random(self, _np.exp(mean + std * _rng(generator).standard_normal(
        self._data.shape)))


def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy samples."""
    _float_self(self, "cauchy_cpu")
    return _fill_random(self, median + sigma * _rng(generator).standard_cauchy(self._data.shape))


def random_(self, from_=None, to=None, *, generator=None, **kw):
    """Fill with integers: ``random_(to)`` from ``[0, to)``, ``random_(from_, to)`` from
    ``[from_, to)``, ``random_()`` from ``[0, 2**mantissa]`` (floats) or the dtype's range."""
    from_ = kw.pop("from", from_)
    d = self._data
    if to is None and from_ is not None:
        from_, to = 0, from_
    if from_ is None:
        from_ = 0
        if d.dtype.kind == "f":
            to = 2 ** (_np.finfo(d.dtype).nmant + 1) + 1
        elif d.dtype.kind == "b":
            to = 2
        else:
            to = int(_np.iinfo(d.dtype).max) + 1
    if from_ >= to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={from_} "
                           f">= to={to}")
    return _fill_random(self, _rng(generator).integers(from_, to, d.shape, dtype=_np.int64))


# ----------------------------------------------------------------------- triangles and grids
class Tril(Function):
    """y = x with the elements above diagonal k zeroed;  dy/dx = tril(grad, k)"""

    _builtin = True
    _node_name = "TrilBackward0"

    @staticmethod
    def forward(ctx, x, diagonal):
        d = x._data
        if d.ndim < 2:
            raise RuntimeError("tril: input tensor must have at least 2 dimensions")
        ctx.diagonal = diagonal
        return make(xp_of(d).tril(d, diagonal))

    @staticmethod
    def backward(ctx, grad_output):
        return Tril.apply(grad_output, ctx.diagonal), None


class Triu(Function):
    """y = x with the elements below diagonal k zeroed;  dy/dx = triu(grad, k)"""

    _builtin = True
    _node_name = "TriuBackward0"

    @staticmethod
    def forward(ctx, x, diagonal):
        d = x._data
        if d.ndim < 2:
            raise RuntimeError("triu: input tensor must have at least 2 dimensions")
        ctx.diagonal = diagonal
        return make(xp_of(d).triu(d, diagonal))

    @staticmethod
    def backward(ctx, grad_output):
        return Triu.apply(grad_output, ctx.diagonal), None


def tril(input, diagonal=0, *, out=None):
    """The lower triangle of the last two dims (``diagonal`` shifts it); differentiable."""
    return _out_or(Tril.apply(input, int(diagonal)), out)


def triu(input, diagonal=0, *, out=None):
    """The upper triangle of the last two dims; differentiable."""
    return _out_or(Triu.apply(input, int(diagonal)), out)


def tril_(self, diagonal=0):
    from .inplace import inplace

    return inplace(self, Tril, int(diagonal))


def triu_(self, diagonal=0):
    from .inplace import inplace

    return inplace(self, Triu, int(diagonal))


def tril_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) indices of the lower triangle of a ``row`` x ``col`` matrix."""
    r, c = _np.tril_indices(row, offset, col)
    return make(_np.stack([r, c]).astype((dtype or _dt.int64).np))


def triu_indices(row, col, offset=0, *, dtype=None, device=None, layout=None):
    """The (2, N) indices of the upper triangle of a ``row`` x ``col`` matrix."""
    r, c = _np.triu_indices(row, offset, col)
    return make(_np.stack([r, c]).astype((dtype or _dt.int64).np))


def meshgrid(*tensors, indexing=None):
    """Coordinate grids from 1-D tensors: ``indexing='ij'`` (matrix, the default with a
    warning, as in PyTorch) or ``'xy'`` (Cartesian: the first two dims swapped)."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing is None:
        import warnings

        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.", UserWarning, stacklevel=2)
        indexing = "ij"
    if indexing not in ("ij", "xy"):
        raise RuntimeError(f"torch.meshgrid: indexing must be one of \"xy\" or \"ij\", but "
                           f"received: {indexing}")
    if not tensors:
        raise RuntimeError("meshgrid expects a non-empty TensorList")
    for t in tensors:
        if t._data.ndim > 1:
            raise RuntimeError(f"torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t!r}")
    dtypes = {t._data.dtype for t in tensors}
    if len(dtypes) > 1:
        raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    sizes = [t._data.size for t in tensors]
    pos = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) >= 2:
        pos[0], pos[1] = 1, 0
    shape = [0] * len(tensors)
    for i, p in enumerate(pos):
        shape[p] = sizes[i]
    out = []
    for i, t in enumerate(tensors):
        view = [1] * len(tensors)
        view[pos[i]] = sizes[i]
        out.append(t.reshape(view).expand(shape))
    return tuple(out)
