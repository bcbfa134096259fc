"""A simulated CUDA device for tests: host memory that behaves like CuPy at its borders.

With ``EMBER_SIMULATE_CUDA=1`` (tests and CI only; never for real work) the ``cuda`` device is
served by :class:`SimulatedCudaArray`, a wrapper around a NumPy array that refuses to mix with
plain NumPy arrays the way ``cupy.ndarray`` does, so the CPU test suite can prove that every op
keeps its data on the device it came from:

* a ufunc or operator given a ``numpy.ndarray`` raises ``TypeError: Unsupported type <class
  'numpy.ndarray'>`` (CuPy's ``_preprocess_args``), and ``numpy.asarray(cuda_array)`` raises
  CuPy's "Implicit conversion to a NumPy array is not allowed";
* the array module offers CuPy 14's names only (``_cupy_names``): no ``errstate``, no
  ``bfloat16``, a ``random.Generator`` without ``normal``/``permutation``;
* reductions and integer indexing return 0-d device arrays, not NumPy scalars;
* two devices (``device_count() == 2``); each array carries its device index, and an op on an
  array of another device than the current one raises CuPy's "Array device must be same as the
  current device" -- so ember must guard the device as PyTorch does.

The wrapper holds the NumPy array in ``_a``; the module object ``cupy`` below plays CuPy's
module. Example::

    EMBER_SIMULATE_CUDA=1 python -c "import ember; print(ember.ones(2, device='cuda') * 2)"
"""

from __future__ import annotations

import threading
import types
import weakref

import numpy as np

from . import _cupy_names as _names

DEVICE_COUNT = 2
_tls = threading.local()
_ndarray = np.ndarray


def current_device() -> int:
    return getattr(_tls, "device", 0)


def set_device(index: int) -> None:
    if not 0 <= index < DEVICE_COUNT:
        raise ValueError(f"Invalid device ID: {index} (the simulated device has {DEVICE_COUNT})")
    _tls.device = index


class Device:
    """``cupy.cuda.Device``: an index, and a context manager that makes it current."""

    __slots__ = ("_prev", "id")

    def __init__(self, device=None):
        self.id = current_device() if device is None else int(device)
        if not 0 <= self.id < DEVICE_COUNT:
            raise ValueError(f"Invalid device ID: {self.id}")

    def __enter__(self):
        self._prev = current_device()
        _tls.device = self.id
        return self

    def __exit__(self, *exc):
        _tls.device = self._prev
        return False

    def use(self):
        set_device(self.id)

    def synchronize(self):
        """Host memory: nothing is ever in flight."""

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __hash__(self):
        return hash(("sim-cuda", self.id))

    def __repr__(self):
        return f"<CUDA Device {self.id}>"


# ---------------------------------------------------------------- memory accounting
# Bytes of live arrays that own their memory, per device, as CuPy's pool reports used bytes.
_used = [0] * DEVICE_COUNT
_peak = [0] * DEVICE_COUNT
_live: dict = {}


def _free(key, dev, n):
    _live.pop(key, None)
    _used[dev] -= n


def _account(a, dev):
    if a.base is None and a.nbytes and id(a) not in _live:
        _live[id(a)] = True
        n = a.nbytes
        _used[dev] += n
        _peak[dev] = max(_peak[dev], _used[dev])
        weakref.finalize(a, _free, id(a), dev, n)


def memory_used(dev: int) -> int:
    return _used[dev]


def memory_peak(dev: int) -> int:
    return _peak[dev]


def reset_peak(dev: int) -> None:
    _peak[dev] = _used[dev]


# ---------------------------------------------------------------- wrapping and unwrapping
def _unsupported(x):
    return TypeError(f"Unsupported type {type(x)}")


def _check_device(dev):
    cur = getattr(_tls, "device", 0)
    if dev != cur:
        raise ValueError(
            f"Array device must be same as the current device: array device = {dev} "
            f"while current = {cur}"
        )


def _wrap(r):
    """A NumPy result as a device array on the current device (scalars as 0-d arrays, as CuPy)."""
    t = type(r)
    if t is _ndarray or isinstance(r, np.generic):
        a = r if t is _ndarray else np.asarray(r)
        if a.dtype.kind in "OUSVMm":
            raise ValueError(f"Unsupported dtype {a.dtype}")
        dev = getattr(_tls, "device", 0)
        _account(a, dev)
        return SimulatedCudaArray(a, dev)
    if t is tuple or t is list:
        return t(_wrap(v) for v in r)
    if isinstance(r, tuple) and hasattr(r, "_fields"):  # linalg's named results
        return t(*(_wrap(v) for v in r))
    return r


class _Key:
    """An index (a scatter's ``slices``): host index arrays allowed, as in ``a[key]``."""

    __slots__ = ("key",)

    def __init__(self, key):
        self.key = key


def _raw(x, lists_ok):
    """The NumPy array inside a device array; plain NumPy arrays are refused as CuPy does."""
    t = type(x)
    if t is _Key:
        return _raw_key(x.key)
    if t is SimulatedCudaArray:
        _check_device(x._dev)
        return x._a
    if t is _ndarray:
        raise _unsupported(x)
    if t is list or t is tuple:
        if not lists_ok:
            raise _unsupported(x)
        return t(_raw(v, True) for v in x)
    return x


def _raw_args(args, kwargs, lists_ok=True):
    args = tuple(_raw(a, lists_ok) for a in args)
    kwargs = {k: _raw(v, True) for k, v in kwargs.items()} if kwargs else {}
    return args, kwargs


def _call(fn, args, kwargs, lists_ok=True):
    args, kwargs = _raw_args(args, kwargs, lists_ok)
    with np.errstate(all="ignore"):  # CuPy computes inf/nan silently
        return _wrap(fn(*args, **kwargs))


class _Function:
    """A NumPy function as CuPy's: device arrays in, device arrays out, host arrays refused."""

    __slots__ = ("__name__", "__qualname__", "_fn")

    def __init__(self, fn, name):
        self._fn = fn
        self.__name__ = self.__qualname__ = name

    def __call__(self, *args, **kwargs):
        return _call(self._fn, args, kwargs)

    def __repr__(self):
        return f"<simulated cupy function {self.__name__}>"


class _Ufunc:
    """A NumPy ufunc as CuPy's: operands must be device arrays or scalars (no lists)."""

    __slots__ = ("__name__", "_uf")

    def __init__(self, uf):
        self._uf = uf
        self.__name__ = uf.__name__

    def __call__(self, *args, **kwargs):
        return _call(self._uf, args, kwargs, lists_ok=False)

    def reduce(self, *args, **kwargs):
        return _call(self._uf.reduce, args, kwargs)

    def accumulate(self, *args, **kwargs):
        return _call(self._uf.accumulate, args, kwargs)

    def reduceat(self, *args, **kwargs):
        return _call(self._uf.reduceat, args, kwargs)

    def outer(self, *args, **kwargs):
        return _call(self._uf.outer, args, kwargs, lists_ok=False)

    def at(self, a, indices, b=None):
        if self.__name__ not in _names.UFUNC_AT:  # CuPy has no scatter kernel for the rest
            raise NotImplementedError(f"ufunc.at is not supported for '{self.__name__}' on CuPy")
        # index arrays may be host arrays, as in indexing (CuPy's scatter copies them over)
        args = (a, _Key(indices)) if b is None else (a, _Key(indices), b)
        _call(self._uf.at, args, None)

    def __getattr__(self, name):  # nin, nout, nargs, identity, types
        return getattr(self._uf, name)

    def __repr__(self):
        return f"<ufunc '{self.__name__}'>"


def _to_host_data(obj):
    """Python data for ``cupy.array``/``asarray``: host arrays allowed (an explicit copy)."""
    t = type(obj)
    if t is SimulatedCudaArray:
        return obj._a
    if t is list or t is tuple:
        return t(_to_host_data(v) for v in obj)
    return obj


def _array(obj, dtype=None, copy=True, order="K", subok=False, ndmin=0, *, blocking=False):
    a = np.array(_to_host_data(obj), dtype=dtype, copy=True, order=order, ndmin=ndmin)
    return _wrap(a)


def _asarray(a, dtype=None, order=None, *, blocking=False):
    if type(a) is SimulatedCudaArray and a._dev == current_device():
        if dtype is None or np.dtype(dtype) == a.dtype:
            return a
        return _wrap(a._a.astype(dtype))
    return _wrap(np.array(_to_host_data(a), dtype=dtype, order=order, copy=True))


def _ascontiguousarray(a, dtype=None):
    if type(a) is not SimulatedCudaArray:
        raise _unsupported(a)
    return _call(np.ascontiguousarray, (a,), {"dtype": dtype})


def asnumpy(a, stream=None, order="C", out=None, *, blocking=True):
    """``cupy.asnumpy``: a host copy (the one sanctioned way back to NumPy)."""
    if type(a) is SimulatedCudaArray:
        host = np.array(a._a, order=order, copy=True)
    else:
        host = np.asarray(a, order=order)
    if out is not None:
        out[...] = host
        return out
    return host


def _from_dlpack(obj, *, device=None, copy=None):
    if type(obj) is SimulatedCudaArray:
        return obj
    return _wrap(np.array(np.from_dlpack(obj), copy=True))


def _get_array_module(*args):
    return cupy if any(type(a) is SimulatedCudaArray for a in args) else np


_META_TYPES = (np.dtype, np.finfo, np.iinfo)


class _Namespace(types.ModuleType):
    """A NumPy namespace that offers only CuPy's names, each converted on first use."""

    def __init__(self, name, np_module, names, special=None):
        super().__init__(name)
        self._np_module = np_module
        self._names = names
        self.__dict__.update(special or {})

    def __getattr__(self, name):
        if name.startswith("__") or name not in self._names:
            raise AttributeError(f"module '{self.__name__}' has no attribute '{name}'")
        obj = getattr(self._np_module, name)
        if isinstance(obj, types.ModuleType) or (  # these would hand out host arrays
            isinstance(obj, type) and not issubclass(obj, np.generic) and obj not in _META_TYPES
        ):
            raise AttributeError(
                f"module '{self.__name__}' has no attribute '{name}' (not simulated)"
            )
        if isinstance(obj, np.ufunc):
            obj = _Ufunc(obj)
        elif callable(obj) and not isinstance(obj, type):
            obj = _Function(obj, name)
        setattr(self, name, obj)  # cache: the next lookup is a plain attribute read
        return obj


class _SimGenerator:
    """``cupy.random.Generator``'s methods on a NumPy PCG64 stream, drawing onto one device."""

    __slots__ = ("_dev", "_rng")

    def __init__(self, seed, dev):
        self._rng = np.random.Generator(np.random.PCG64(seed))
        self._dev = dev

    def __getattr__(self, name):
        if name not in _names.GENERATOR:
            raise AttributeError(f"'cupy.random.Generator' object has no attribute '{name}'")
        method = getattr(self._rng, name)

        def draw(*args, **kwargs):
            with Device(self._dev):
                return _call(method, args, kwargs)

        return draw

    @property
    def bit_generator(self):  # the host stream's state is what get/set_rng_state save
        return self._rng.bit_generator


def _binary(ufunc, reflected=False):
    def op(self, other):
        t = type(other)
        if (
            t is not SimulatedCudaArray
            and t is not _ndarray
            and (other is None or getattr(other, "__array_priority__", 0) > 100)
        ):
            return NotImplemented  # a Tensor (or None) answers with its reflected operator
        args = (other, self) if reflected else (self, other)
        return _call(ufunc, args, None, lists_ok=False)

    return op


def _inplace(ufunc):
    def op(self, other):
        _call(ufunc, (self, other), {"out": self}, lists_ok=False)
        return self

    return op


def _unary(ufunc):
    return lambda self: _call(ufunc, (self,), None)


def _is_whole(key):
    return key is Ellipsis or (
        type(key) is slice and key.start is None and key.stop is None and key.step is None
    )


class SimulatedCudaArray:
    """``cupy.ndarray`` simulated in host memory: a NumPy array ``_a`` on device ``_dev``."""

    __slots__ = ("__weakref__", "_a", "_dev")
    __array_priority__ = 100  # below a Tensor's, so ``array * tensor`` reaches Tensor.__rmul__

    def __init__(self, a, dev=0):
        self._a = a
        self._dev = dev

    # attributes that read metadata only (CuPy answers these without touching the device)
    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: self._a.flags)
    device = property(lambda self: Device(self._dev))
    T = property(lambda self: _call(np.transpose, (self,), None))
    mT = property(lambda self: _call(np.matrix_transpose, (self,), None))
    real = property(lambda self: _call(np.real, (self,), None),
                    lambda self, v: _set_part(self, "real", v))
    imag = property(lambda self: _call(np.imag, (self,), None),
                    lambda self, v: _set_part(self, "imag", v))

    @property
    def base(self):
        b = self._a.base
        return None if b is None or type(b) is not _ndarray else SimulatedCudaArray(b, self._dev)

    def get(self, stream=None, order="C", out=None, blocking=True):
        """``cupy.ndarray.get``: a host copy."""
        return asnumpy(self, order=order, out=out)

    # reads to the host run on the array's own device in CuPy (``with self.device``)
    def tolist(self):
        return self._a.tolist()

    def item(self, *args):
        return self._a.item(*args)

    def set(self, arr, stream=None):
        """``cupy.ndarray.set``: copy a host array in."""
        if type(arr) is not _ndarray or arr.shape != self.shape:
            raise ValueError(
                "Shape mismatch. Old shape: {}, new shape: {}".format(
                    self.shape, getattr(arr, "shape", None)
                )
            )
        self._a[...] = arr

    def scatter_add(self, slices, value):
        _call(np.add.at, (self, _Key(slices), value), None)

    def scatter_max(self, slices, value):
        _call(np.maximum.at, (self, _Key(slices), value), None)

    def scatter_min(self, slices, value):
        _call(np.minimum.at, (self, _Key(slices), value), None)

    def __getattr__(self, name):
        if name not in _names.NDARRAY:
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        method = getattr(self._a, name)
        if not callable(method):
            return _wrap(method)
        return lambda *args, **kwargs: _call_method(self, method, args, kwargs)

    # ---- indexing: index arrays may be host or device arrays (CuPy copies host ones over)
    def __getitem__(self, key):
        _check_device(self._dev)
        k = _raw_key(key)
        r = self._a[k]
        if type(r) is not _ndarray:  # a full integer index: CuPy returns a 0-d view
            r = self._a[(k if type(k) is tuple else (k,)) + (Ellipsis,)]
        return SimulatedCudaArray(r, self._dev)

    def __setitem__(self, key, value):
        _check_device(self._dev)
        t = type(value)
        if t is SimulatedCudaArray:
            _check_device(value._dev)
            value = value._a
        elif t is _ndarray and value.ndim and not _is_whole(key):
            raise ValueError("non-scalar numpy.ndarray cannot be used for fill")
        with np.errstate(all="ignore"):
            self._a[_raw_key(key)] = value

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        for i in range(len(self._a)):
            yield self[i]

    # ---- scalars: allowed on a one-element array (a synchronising read, as in CuPy)
    def __bool__(self):
        return bool(self._a)

    def __float__(self):
        return float(self._a)

    def __int__(self):
        return int(self._a)

    def __complex__(self):
        return complex(self._a)

    # ---- the walls between host and device
    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "Implicit conversion to a NumPy array is not allowed. Please use `.get()` to "
            "construct a NumPy array explicitly."
        )

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        f = getattr(cupy, ufunc.__name__, None)
        if f is None:
            return NotImplemented
        return (f if method == "__call__" else getattr(f, method))(*inputs, **kwargs)

    def __array_function__(self, func, types, args, kwargs):
        ns = {"numpy.linalg": cupy.linalg, "numpy.fft": cupy.fft}.get(func.__module__, cupy)
        f = getattr(ns, func.__name__, None)
        return NotImplemented if f is None else f(*args, **kwargs)

    def __dlpack__(self, *args, **kwargs):
        return self._a.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._a.__dlpack_device__()  # host memory, honestly reported

    def __reduce__(self):
        return (_rebuild, (np.array(self._a), self._dev))

    def __copy__(self):
        return _call(np.copy, (self,), None)

    def __deepcopy__(self, memo):
        return SimulatedCudaArray(self._a.copy(), self._dev)

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        return format(self._a.item() if self._a.ndim == 0 else self._a, spec)

    __hash__ = None

    __divmod__ = _binary(np.divmod)


# The operators, as CuPy's: each one is the ufunc, with its reflected and in-place forms.
for _name, _uf in [("add", np.add), ("sub", np.subtract), ("mul", np.multiply),
                   ("truediv", np.true_divide), ("floordiv", np.floor_divide),
                   ("mod", np.remainder), ("pow", np.power), ("matmul", np.matmul),
                   ("and", np.bitwise_and), ("or", np.bitwise_or), ("xor", np.bitwise_xor),
                   ("lshift", np.left_shift), ("rshift", np.right_shift)]:  # fmt: skip
    setattr(SimulatedCudaArray, f"__{_name}__", _binary(_uf))
    setattr(SimulatedCudaArray, f"__r{_name}__", _binary(_uf, True))
    setattr(SimulatedCudaArray, f"__i{_name}__", _inplace(_uf))
for _name, _uf in [("lt", np.less), ("le", np.less_equal), ("gt", np.greater),
                   ("ge", np.greater_equal), ("eq", np.equal), ("ne", np.not_equal)]:  # fmt: skip
    setattr(SimulatedCudaArray, f"__{_name}__", _binary(_uf))
for _name, _uf in [("neg", np.negative), ("pos", np.positive), ("abs", np.absolute),
                   ("invert", np.invert)]:  # fmt: skip
    setattr(SimulatedCudaArray, f"__{_name}__", _unary(_uf))


def _set_part(self, part, value):
    """``a.real = v`` / ``a.imag = v``: CuPy copies a device array or a scalar in."""
    _check_device(self._dev)
    if type(value) is SimulatedCudaArray:
        _check_device(value._dev)
        value = value._a
    elif type(value) is _ndarray:
        raise _unsupported(value)
    setattr(self._a, part, value)


def _call_method(self, method, args, kwargs):
    _check_device(self._dev)
    return _call(method, args, kwargs)


def _raw_key(key):
    t = type(key)
    if t is SimulatedCudaArray:
        _check_device(key._dev)
        return key._a
    if t is tuple:
        return tuple(_raw_key(k) for k in key)
    return key


def _rebuild(host, dev):
    with Device(dev):
        return _wrap(host)


cupy = _Namespace(
    "cupy",
    np,
    _names.MODULE,
    {
        "array": _array,
        "asarray": _asarray,
        "asanyarray": _asarray,
        "ascontiguousarray": _ascontiguousarray,
        "asnumpy": asnumpy,
        "from_dlpack": _from_dlpack,
        "get_array_module": _get_array_module,
        "linalg": _Namespace("cupy.linalg", np.linalg, _names.LINALG),
        "fft": _Namespace("cupy.fft", np.fft, _names.FFT),
        "random": _Namespace(
            "cupy.random",
            np.random,
            _names.RANDOM,
            {"default_rng": lambda seed=None: _SimGenerator(seed, current_device())},
        ),
        "lib": types.SimpleNamespace(
            stride_tricks=_Namespace(
                "cupy.lib.stride_tricks", np.lib.stride_tricks, {"as_strided", "broadcast_to"}
            )
        ),
        "newaxis": None,
    },
)
"""The simulated CuPy module: the ``xp`` that ops see for an array on the simulated device."""
cupy.ndarray = SimulatedCudaArray
