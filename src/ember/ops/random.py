"""Random numbers: the Generator and seeding, rand/randn/randint/randperm (and *_like), normal,
bernoulli, multinomial, poisson, binomial, and the in-place samplers (uniform_, normal_ ...)."""

from __future__ import annotations

from ..autograd import dispatch as _door
import functools

import numpy as _np

from .. import dtypes as _dt
from ..backend import guard_of
from ..backend import numpy as __np
from ..tensor import Tensor
from ._util import make
from .factories import _finish, _out_or, _size, place_device


class _NoGuard:
    __slots__ = ()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


_NO_GUARD = _NoGuard()


def _guard(generator, device):
    """Draws onto a cuda device run with it current (CuPy works on the current device)."""
    dev = place_device(device) if generator is None else None
    if dev is None:
        return _NO_GUARD
    from .. import cuda

    return cuda.device(dev.index)


def _draws(generator, device):
    """The random stream for a draw onto ``device``: the given generator, the device's own
    stream for cuda (draws land on the device), else the default cpu stream."""
    if generator is not None:
        return generator._rng
    dev = place_device(device)
    if dev is None:
        return default_generator._rng
    from .. import cuda

    return cuda._generator(dev.index)


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
    """Seed the default generator and every cuda stream (ember's values differ from PyTorch's
    for the same seed)."""
    from .. import cuda

    cuda._seed_all_lazily(seed)
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


def _rng_like(generator, t):
    """The stream for draws shaped like tensor ``t``, on ``t``'s device."""
    if generator is not None:
        return generator._rng
    if t._data.__class__ is _np.ndarray or t.device.type == "cpu":
        return default_generator._rng
    from .. import cuda

    return cuda._generator(t.device.index)


# Uniform draws this large come from fixed blocks of their own streams, filled on the
# intra-op threads: a dropout mask over minGPT's attention is 3.1 million draws (5.8 ms as one
# stream). The blocks do not depend on the thread count, so a seed gives the same numbers
# at any ``set_num_threads``.
SPLIT_DRAWS = 1 << 19


def uniform(rng, shape, dtype):
    """``rng.random(shape, dtype=dtype)``; above ``SPLIT_DRAWS`` (a NumPy generator) the
    parent stream gives one key, and each block of ``SPLIT_DRAWS`` draws comes from the stream
    seeded by (key, block number), the blocks spread over the intra-op threads."""
    n = 1
    for v in shape:
        n *= v
    if n <= SPLIT_DRAWS or rng.__class__ is not _np.random.Generator:
        return rng.random(shape, dtype=dtype)
    from ..backend import threads

    key = int(rng.integers(0, 1 << 63))
    out = _np.empty(n, dtype)
    b = SPLIT_DRAWS

    def fill(lo, hi):  # blocks lo..hi-1 (each stream releases the GIL while it fills)
        for i in range(lo, hi):
            block = _np.random.Generator(_np.random.PCG64(_np.random.SeedSequence([key, i])))
            block.random(out=out[i * b:(i + 1) * b], dtype=dtype)

    threads.parallel_ranges(fill, -(-n // b))
    return out.reshape(shape)


@_door.primitive("random")
def rand_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
              layout=None):
    return rand(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                device=input.device if device is None else device)


@_door.primitive("random")
def randn_like(input, *, dtype=None, device=None, requires_grad=False, memory_format=None,
               layout=None):
    return randn(input._data.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                 device=input.device if device is None else device)


@_door.primitive("random")
def randint_like(input, low=0, high=None, *, dtype=None, device=None, requires_grad=False):
    if high is None:
        low, high = 0, low
    return randint(low, high, input._data.shape, dtype=dtype or input.dtype,
                   device=input.device if device is None else device)


_FN = {"normal_kernel_cpu": "randn", "check_uniform_bounds": "rand"}


def _float_dtype(dtype, name):
    if dtype is not None and dtype.__class__ is not _dt.dtype:
        raise TypeError(f"{_FN.get(name, name)}() received an "
                        f"invalid combination of arguments - got (dtype={type(dtype).__name__}), "
                        "but expected one of:")
    dtype = dtype or _dt.get_default_dtype()
    if not (dtype.is_floating_point or dtype.is_complex):
        raise NotImplementedError(f'"{name}" not implemented for \'{_dt._TYPE_NAMES[dtype.name]}\'')
    return dtype


def _allocate(draw, shape, work, np_dtype):
    """``draw(shape, work)`` cast to ``np_dtype``, with PyTorch's error when too large."""
    try:
        return draw(shape, work).astype(np_dtype)
    except (ValueError, MemoryError):
        from .factories import allocation_error

        raise allocation_error(shape, _np.dtype(np_dtype).itemsize) from None


@_door.primitive("random")
def rand(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Uniform random numbers in [0, 1)."""
    dtype = _float_dtype(dtype, "check_uniform_bounds")
    with _guard(generator, device):
        shape = _size(size, "rand")
        arr = _allocate(lambda sh, dt: _draws(generator, device).random(sh, dtype=dt), shape,
                        _np.float64, dtype.np)
    return _finish(arr, requires_grad, device)


@_door.primitive("random")
def randn(*size, generator=None, dtype=None, device=None, requires_grad=False, out=None):
    """Standard normal random numbers."""
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    with _guard(generator, device):
        shape = _size(size, "randn")
        arr = _allocate(lambda sh, dt: _draws(generator, device).standard_normal(sh, dtype=dt),
                        shape, _np.float64, dtype.np)
    return _finish(arr, requires_grad, device)


@_door.primitive("random")
def randint(low=0, high=None, size=None, *, generator=None, dtype=None, device=None,
            requires_grad=False):
    """Random integers in [low, high) (int64 unless ``dtype`` says otherwise)."""
    if size is None:
        size, high, low = high, low, 0
    elif high is None:
        low, high = 0, low
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    with _guard(generator, device):
        arr = _draws(generator, device).integers(low, high, size=_size((size,), "randint"),
                                                 dtype=_np.int64)
        arr = arr.astype((dtype or _dt.int64).np)
    return _finish(arr, requires_grad, device)


@_door.primitive("random")
def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False):
    rng = _draws(generator, device)
    dev = place_device(device) if generator is None else None
    if dev is None:
        perm = rng.permutation(n).astype((dtype or _dt.int64).np)
    else:  # CuPy's Generator has no permutation: the backend argsorts uniforms
        from ..backend import backend_for_device

        with _guard(generator, device):
            perm = backend_for_device(dev).permutation(rng, n).astype((dtype or _dt.int64).np)
    return _finish(perm, requires_grad, device)


# ------------------------------------------------------------------- more random distributions
@_door.primitive("random")
def normal(mean=0.0, std=1.0, size=None, *, generator=None, out=None, dtype=None, device=None,
           requires_grad=False, layout=None, pin_memory=False):
    """Normal samples: ``normal(mean_tensor, std_tensor)`` (broadcast), ``normal(mean_tensor,
    std=1.)``, ``normal(mean, std_tensor)``, or ``normal(mean, std, size)`` for numbers.

    The result is not differentiable w.r.t. ``mean``/``std`` (PyTorch gives them zero gradient).
    """
    tm, ts = isinstance(mean, Tensor), isinstance(std, Tensor)
    rng = _rng_like(generator, mean if tm else std) if tm or ts else _draws(generator, device)
    if not tm and not ts:
        if size is None:
            raise TypeError("normal() received an invalid combination of arguments - got "
                            "(float, float), but expected (float mean, float std, tuple of ints "
                            "size, *, torch.Generator generator, Tensor out, torch.dtype dtype)")
        if std < 0:
            raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
        dtype = _float_dtype(dtype, "normal_kernel_cpu")
        with _guard(generator, device):
            arr = (mean + std * rng.standard_normal(_size((size,)))).astype(dtype.np)
        return _out_or(_finish(arr, requires_grad, device), out)
    src = mean if tm else std
    if src._data.__class__ is not _np.ndarray:
        with guard_of(src._data):  # a cuda tensor's own device current
            return _normal_tensors(mean, std, tm, ts, rng, out)
    return _normal_tensors(mean, std, tm, ts, rng, out)


def _normal_tensors(mean, std, tm, ts, rng, out):
    md = mean._data if tm else mean
    sd = std._data if ts else std
    if ts and bool((sd < 0).any()):
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not ts and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    src = mean if tm else std
    if src._data.dtype.kind not in "fc":
        raise NotImplementedError(f'"normal_kernel_cpu" not implemented for '
                           f"'{_dt_title(src)}'")
    from .shape.views import broadcast_shapes

    shape = tuple(broadcast_shapes(_np.shape(md), _np.shape(sd))) if tm and ts else \
        _np.shape(src._data)
    z = rng.standard_normal(shape)
    arr = (md + sd * z).astype(src._data.dtype if not (tm and ts) else
                               _dt.promote_types(mean.dtype, std.dtype).np)
    return _out_or(make(arr), out)


def _dt_title(t):
    from .inplace import _dtype_name

    return _dtype_name(t._data.dtype)


def _on_input_device(fn):
    """Run a sampler parametrised by a cuda tensor with that tensor's device current (CuPy
    computes on the current device)."""

    @functools.wraps(fn)
    def run(input, *args, **kwargs):
        d = input._data
        if d.__class__ is _np.ndarray:
            return fn(input, *args, **kwargs)
        with guard_of(d):
            return fn(input, *args, **kwargs)

    return run


@_door.primitive("random")
@_on_input_device
def bernoulli(input, p=None, *, generator=None, out=None):
    """Draw 0/1 with probability ``input`` (or ``p``) elementwise; same dtype as ``input``."""
    probs = input._data if p is None else __np.full(input._data.shape, p, _np.float64)
    if p is not None and input._data.__class__ is not _np.ndarray:
        from ..backend import to_device

        probs = to_device(probs, input.device)
    if input._data.dtype.kind not in "fc" and p is None:
        raise NotImplementedError(f'"bernoulli_tensor_cpu_p_" not implemented for '
                                  f"'{_dt_title(input)}'")
    if probs.size and bool((probs < 0).any() or (probs > 1).any()):
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")
    u = _rng_like(generator, input).random(input._data.shape)
    return _out_or(make((u < probs).astype(input._data.dtype)), out)


@_door.primitive("random")
@_on_input_device
def multinomial(input, num_samples, replacement=False, *, generator=None, out=None):
    """Sample category indices (int64) from the rows of ``input`` (non-negative weights).
    On cuda the draws come from the device's stream and the sampling runs on the host (as
    PyTorch's CUDA kernel synchronises); the indices go back to the device."""
    d = _host(input._data)
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
    rng = _rng_like(generator, input)
    if replacement:
        cdf = _np.cumsum(w / tot, axis=1)
        u = _host(rng.random((w.shape[0], num_samples)))
        idx = _np.stack([_np.searchsorted(c, ui, side="right") for c, ui in zip(cdf, u)])
        idx = _np.minimum(idx, n - 1)
    else:
        # Gumbel top-k: the order of w / Exp(1) draws is sampling without replacement
        with _np.errstate(divide="ignore"):
            keys = _np.log(w) - _np.log(_host(rng.standard_exponential(w.shape)))
        if ((w > 0).sum(axis=1) < num_samples).any():
            raise RuntimeError("invalid multinomial distribution (with replacement=False, not "
                               "enough non-negative category to sample)")
        idx = _np.argsort(-keys, axis=1, kind="stable")[:, :num_samples]
    idx = idx.astype(_np.int64).reshape(d.shape[:-1] + (num_samples,))
    if input._data.__class__ is not _np.ndarray:
        from ..backend import to_device

        idx = to_device(idx, input.device)
    return _out_or(make(idx), out)


@_on_input_device
def poisson(input, generator=None):
    """Poisson samples with rates ``input`` (same dtype)."""
    rng = _rng_like(generator, input)
    d = input._data
    if d.__class__ is _np.ndarray:
        return make(rng.poisson(d).astype(d.dtype))
    from ..backend import to_device

    if generator is not None:  # a host generator's draws, copied to the device
        return make(to_device(rng.poisson(_host(d)).astype(d.dtype), input.device))
    return make(rng.poisson(d).astype(d.dtype))


def _host(a):
    """``a`` in host memory (itself when it is a NumPy array)."""
    if a.__class__ is _np.ndarray:
        return a
    from ..backend import backend_of

    return backend_of(a).to_host(a)


# ------------------------------------------------------------------------ in-place samplers
def _fill_random(self, arr):
    """Write samples into ``self`` in place (not recorded: PyTorch's samplers are in-place
    writes a leaf requiring grad may only get under no_grad)."""
    from ..autograd.grad_mode import _state
    from .inplace import check_leaf

    if _state.enabled and self._requires_grad:
        check_leaf(self)
    if self._data.__class__ is not _np.ndarray and arr.__class__ is _np.ndarray:
        from ..backend import to_device  # drawn on the host: copied to the tensor's device

        arr = to_device(arr, self.device)
    self._data[...] = arr
    self._vc[0] += 1
    return self


def _continuous(self, what):
    """PyTorch's error for a continuous distribution asked to fill an integer tensor (its
    exponential_ names the dtype as a torch title, its cauchy_ as a C type)."""
    d = self._data.dtype
    if d.kind not in "fc" and d.name != "bfloat16":
        names = {"int64": "long int", "int32": "int", "int16": "short int", "int8": "signed char",
                 "uint8": "unsigned char", "bool": "bool"}
        name = _dt_title(self) if what == "Exponential" else names.get(d.name, d.name)
        raise RuntimeError(f"{what} distribution is a continuous probability distribution. "
                           f"dtype must be a floating point but you specified {name}")


def _float_self(self, name):
    if self._data.dtype.kind not in "fc" and self._data.dtype.name != "bfloat16":
        raise NotImplementedError(f'"{name}" not implemented for \'{_dt_title(self)}\'')


@_on_input_device
def uniform_(self, from_=0.0, to=1.0, *, generator=None, **kw):
    """Fill with uniform samples from ``[from_, to)``."""
    from_ = kw.pop("from", from_)
    _float_self(self, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={from_}"
                           f" > to={to}")
    u = _rng_like(generator, self).random(self._data.shape)
    return _fill_random(self, from_ + (to - from_) * u)


@_on_input_device
def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with normal samples."""
    _float_self(self, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    z = _rng_like(generator, self).standard_normal(self._data.shape)
    return _fill_random(self, mean + std * z)


@_on_input_device
def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 0/1 draws of probability ``p`` (a number or a tensor)."""
    pd = p._data if isinstance(p, Tensor) else p
    if _np.any(_np.asarray(pd) < 0) or _np.any(_np.asarray(pd) > 1):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    u = _rng(generator).random(self._data.shape)
    return _fill_random(self, u < pd)


@_on_input_device
def exponential_(self, lambd=1.0, *, generator=None):
    """Fill with exponential samples of rate ``lambd``."""
    _continuous(self, "Exponential")
    if lambd <= 0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={lambd}")
    return _fill_random(self, _rng(generator).standard_exponential(self._data.shape) / lambd)


@_on_input_device
def geometric_(self, p, *, generator=None):
    """Fill with geometric samples (number of trials to the first success)."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={p}")
    return _fill_random(self, _rng(generator).geometric(p, self._data.shape))


@_on_input_device
def log_normal_(self, mean=1.0, std=2.0, *, generator=None):
    """Fill with log-normal samples."""
    _float_self(self, "log_normal_cpu")
    with _np.errstate(over="ignore"):  # PyTorch overflows to inf silently
        return _fill_random(self, _np.exp(mean + std * _rng(generator).standard_normal(
            self._data.shape)))


@_on_input_device
def cauchy_(self, median=0.0, sigma=1.0, *, generator=None):
    """Fill with Cauchy samples."""
    _continuous(self, "Cauchy")
    return _fill_random(self, median + sigma * _rng(generator).standard_cauchy(self._data.shape))


@_on_input_device
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


def binomial(count, prob, generator=None):
    """Binomial draws: successes in ``count`` trials of probability ``prob`` (float tensors of
    the same shape; the result has their dtype)."""

    c, p = count._data, prob._data
    for what, a, t in (("count", c, count), ("prob", p, prob)):
        if a.dtype.kind != "f":
            raise ValueError(f"binomial only supports floating-point dtypes for {what}, got: "
                             f"{_dt_title(t)}")
    draws = _rng(generator).binomial(c.astype(__np.int64), __np.clip(p, 0, 1))
    return make(draws.astype(c.dtype))
